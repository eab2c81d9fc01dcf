/**
 * chrony's 32-bit "Float" of the command protocol (candm.h, util.c
 * `UTI_FloatNetworkToHost`/`UTI_FloatHostToNetwork`): a 7-bit signed exponent over a
 * 25-bit signed two's-complement coefficient, value = coef × 2^(exp − 25), big-endian.
 * About 7 significant digits; magnitudes below 1e-100 encode as 0, above 1e100 saturate.
 * Pure functions.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/util.c
 */

const EXP_BITS = 7;
const COEF_BITS = 25;
const EXP_MIN = -(1 << (EXP_BITS - 1));
const EXP_MAX = -EXP_MIN - 1;
const COEF_MIN = -(1 << (COEF_BITS - 1));
const COEF_MAX = -COEF_MIN - 1;
const COEF_MOD = 2 ** COEF_BITS;

/** Decodes a chrony Float given as its raw unsigned 32-bit value. */
export function decodeChronyFloat(raw: number): number {
  const x = raw >>> 0;
  let exp = Math.floor(x / COEF_MOD);
  if (exp >= 1 << (EXP_BITS - 1)) exp -= 1 << EXP_BITS;
  exp -= COEF_BITS;
  let coef = x % COEF_MOD;
  if (coef >= 1 << (COEF_BITS - 1)) coef -= COEF_MOD;
  return coef * 2 ** exp;
}

/** Encodes `value` as chrony does (NaN as 0), returning the raw unsigned 32-bit value. */
export function encodeChronyFloat(value: number): number {
  let x = value;
  let neg = 0;
  if (x < 0) {
    x = -x;
    neg = 1;
  } else if (!(x >= 0)) {
    x = 0;
  }
  let exp: number;
  let coef: number;
  if (x < 1e-100) {
    exp = 0;
    coef = 0;
  } else if (x > 1e100) {
    exp = EXP_MAX;
    coef = COEF_MAX + neg;
  } else {
    exp = Math.trunc(Math.log(x) / Math.log(2) + 1);
    coef = Math.trunc(x * 2 ** (-exp + COEF_BITS) + 0.5);
    while (coef > COEF_MAX + neg) {
      coef = Math.floor(coef / 2);
      exp++;
    }
    if (exp > EXP_MAX) {
      exp = EXP_MAX;
      coef = COEF_MAX + neg;
    } else if (exp < EXP_MIN) {
      if (exp + COEF_BITS >= EXP_MIN) {
        coef = Math.floor(coef / 2 ** (EXP_MIN - exp));
        exp = EXP_MIN;
      } else {
        exp = 0;
        coef = 0;
      }
    }
  }
  if (neg) coef = (COEF_MOD - coef) % COEF_MOD;
  return ((exp << COEF_BITS) | coef) >>> 0;
}
