/**
 * RFC 3339 date-times (https://www.rfc-editor.org/rfc/rfc3339#section-5.6) to and from
 * {@link Instant}s, with pure integer calendar math (see `civil-date.ts`).
 *
 * Leap seconds: an Instant counts POSIX seconds and cannot name 23:59:60. The parser
 * accepts second 60 only where a leap second can exist — 23:59:60 UTC (after applying the
 * offset) on the last day of a month (RFC 3339 §5.7, ITU-R TF.460) — and maps every
 * `23:59:60.xxx` to 23:59:59.999999999, the last nanosecond of that day: ordering is
 * preserved, nothing overflows into the next day, and formatting never produces `:60`.
 */
import { civilFromDays, daysFromCivil, daysInMonth, SECONDS_PER_DAY } from "./civil-date.js";
import { InvalidArgumentError, Rfc3339Error, TimestampRangeError } from "./errors.js";
import { type Instant, NS_PER_S } from "./time.js";

/** 0000-01-01T00:00:00Z, the first instant RFC 3339's 4-digit year can express. */
export const RFC3339_MIN_INSTANT: Instant = -62_167_219_200n * NS_PER_S;
/** 9999-12-31T23:59:59.999999999Z, the last one. */
export const RFC3339_MAX_INSTANT: Instant = 253_402_300_800n * NS_PER_S - 1n;

/** Digits after the decimal point: a fixed count, or `"auto"` (trailing zeros dropped). */
export type Rfc3339FractionDigits = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | "auto";

const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));
let cachedSecond = Number.NaN;
let cachedPrefix = "";

function formatSecond(seconds: number): string {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  let rest = seconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const second = rest - minute * 60;
  return `${String(year).padStart(4, "0")}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}`;
}

/**
 * Formats an instant as RFC 3339 in UTC (`Z`), e.g. `2024-02-29T12:00:00.123456789Z`.
 *
 * The fraction is **truncated toward the past**, never rounded, so a formatted time never
 * names a moment that had not yet happened (and 23:59:59.9999999999 stays on its day).
 * `"auto"` prints all nine digits minus trailing zeros (none for a whole second).
 *
 * @throws {TimestampRangeError} outside years 0000–9999.
 * @throws {InvalidArgumentError} for a digit count other than 0–9 or `"auto"`.
 */
export function formatRfc3339(instant: Instant, fractionDigits: Rfc3339FractionDigits = 9): string {
  if (instant < RFC3339_MIN_INSTANT || instant > RFC3339_MAX_INSTANT) {
    throw new TimestampRangeError(`instant ${instant} ns is outside RFC 3339 years 0000–9999`);
  }
  if (
    fractionDigits !== "auto" &&
    !(Number.isInteger(fractionDigits) && fractionDigits >= 0 && fractionDigits <= 9)
  ) {
    throw new InvalidArgumentError(`fractionDigits must be 0–9 or "auto", got ${String(fractionDigits)}`);
  }
  let bigSeconds = instant / NS_PER_S;
  let nanos = Number(instant - bigSeconds * NS_PER_S);
  if (nanos < 0) {
    nanos += 1e9;
    bigSeconds -= 1n;
  }
  const seconds = Number(bigSeconds);
  if (seconds !== cachedSecond) {
    cachedPrefix = formatSecond(seconds);
    cachedSecond = seconds;
  }
  if (fractionDigits === 0) return `${cachedPrefix}Z`;
  let fraction = String(nanos).padStart(9, "0");
  if (fractionDigits === "auto") {
    if (nanos === 0) return `${cachedPrefix}Z`;
    let end = 9;
    while (fraction.charCodeAt(end - 1) === 48) end--;
    fraction = fraction.slice(0, end);
  } else if (fractionDigits < 9) {
    fraction = fraction.slice(0, fractionDigits);
  }
  return `${cachedPrefix}.${fraction}Z`;
}

/** The value of `count` ASCII digits at `at`, or -1 when any is missing or not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  if (at + count > text.length) return -1;
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function describeAt(text: string, at: number): string {
  return at < text.length ? `found ${JSON.stringify(text.charAt(at))}` : "found end of input";
}

/**
 * Parses an RFC 3339 §5.6 `date-time` to an instant (nanoseconds since the Unix epoch).
 *
 * Accepts `T`/`t` as separator, `Z`/`z` or `±hh:mm` as offset (`-00:00`, "UTC, local
 * offset unknown" of §4.3, is the same instant as `Z`) and 1–9 fraction digits. Rejects,
 * with {@link Rfc3339Error} whose `reason` names the problem: the space separator that §5.6
 * lets applications choose (we do not: one spelling, no ambiguity), more than 9 fraction
 * digits (we have nanosecond resolution and will not silently drop digits), impossible
 * dates (`2023-02-29`, `2024-04-31`), hour 24, out-of-range offsets and trailing text.
 * Second 60 is accepted only at 23:59:60 UTC on the last day of a month and maps to
 * 23:59:59.999999999 of that day (see the module comment).
 */
export function parseRfc3339(text: string): Instant {
  if (typeof text !== "string") throw new Rfc3339Error(String(text), "input is not a string");
  const fail = (reason: string) => new Rfc3339Error(text, reason);
  const field = (at: number, count: number, what: string): number => {
    const value = digitsAt(text, at, count);
    if (value < 0) throw fail(`expected ${count}-digit ${what} at position ${at}`);
    return value;
  };
  const expect = (at: number, char: string, after: string): void => {
    if (text.charAt(at) !== char)
      throw fail(`expected '${char}' after the ${after}, ${describeAt(text, at)}`);
  };

  const year = field(0, 4, "year");
  expect(4, "-", "year");
  const month = field(5, 2, "month");
  expect(7, "-", "month");
  const day = field(8, 2, "day");
  if (month < 1 || month > 12) throw fail(`month ${PAD2[month]} out of range 01–12`);
  if (day < 1 || day > 31) throw fail(`day ${PAD2[day]} out of range 01–31`);
  if (day > daysInMonth(year, month)) {
    const why = month === 2 && day === 29 ? ` (${String(year).padStart(4, "0")} is not a leap year)` : "";
    throw fail(`day ${day} does not exist in month ${PAD2[month]}${why}`);
  }

  const sep = text.charAt(10);
  if (sep === "") throw fail("missing time: expected 'T' and hh:mm:ss after the date");
  if (sep === " ") throw fail("date and time must be separated by 'T', not a space");
  if (sep !== "T" && sep !== "t") throw fail(`expected 'T' after the date, ${describeAt(text, 10)}`);
  const hour = field(11, 2, "hour");
  expect(13, ":", "hour");
  const minute = field(14, 2, "minute");
  expect(16, ":", "minute");
  const second = field(17, 2, "second");
  if (hour > 23) throw fail(`hour ${PAD2[hour]} out of range 00–23`);
  if (minute > 59) throw fail(`minute ${PAD2[minute]} out of range 00–59`);
  if (second > 60) throw fail(`second ${PAD2[second]} out of range 00–60`);

  let at = 19;
  let nanos = 0;
  if (text.charAt(at) === ".") {
    let end = at + 1;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    const count = end - at - 1;
    if (count === 0) throw fail(`expected digits after '.' at position ${at}`);
    if (count > 9) throw fail("more than 9 fractional digits (nanosecond resolution)");
    nanos = digitsAt(text, at + 1, count) * 10 ** (9 - count);
    at = end;
  }

  let offsetSeconds = 0;
  const sign = text.charAt(at);
  if (sign === "") throw fail("missing time zone offset ('Z' or ±hh:mm)");
  if (sign === "Z" || sign === "z") {
    at += 1;
  } else if (sign === "+" || sign === "-") {
    const offsetHour = field(at + 1, 2, "offset hour");
    expect(at + 3, ":", "offset hour");
    const offsetMinute = field(at + 4, 2, "offset minute");
    if (offsetHour > 23) throw fail(`offset hour ${PAD2[offsetHour]} out of range 00–23`);
    if (offsetMinute > 59) throw fail(`offset minute ${PAD2[offsetMinute]} out of range 00–59`);
    offsetSeconds = (sign === "+" ? 1 : -1) * (offsetHour * 3600 + offsetMinute * 60);
    at += 6;
  } else {
    throw fail(`expected time zone offset 'Z' or ±hh:mm at position ${at}, ${describeAt(text, at)}`);
  }
  if (at !== text.length) throw fail(`unexpected characters after the offset at position ${at}`);

  const minuteStart =
    daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 - offsetSeconds;
  if (second === 60) {
    const nextMinute = minuteStart + 60;
    if (nextMinute % SECONDS_PER_DAY !== 0 || civilFromDays(nextMinute / SECONDS_PER_DAY).day !== 1) {
      throw fail("leap second :60 is only valid at 23:59:60 UTC on the last day of a month");
    }
    return BigInt(minuteStart + 59) * NS_PER_S + 999_999_999n;
  }
  return BigInt(minuteStart + second) * NS_PER_S + BigInt(nanos);
}
