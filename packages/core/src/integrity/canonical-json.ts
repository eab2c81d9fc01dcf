/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), https://www.rfc-editor.org/rfc/rfc8785.
 *
 * - §3.2.2.2 strings: `"` and `\` escaped, U+0000–U+001F as `\b \t \n \f \r` or
 *   `\u00xx` (lowercase hex), everything else literally (serialized as UTF-8 by the caller).
 * - §3.2.2.3 numbers: ECMAScript `Number.prototype.toString` (so `-0` → `0`, `1e+21`);
 *   NaN and ±Infinity have no form and are rejected.
 * - §3.2.3 object members sorted by their names as arrays of UTF-16 code units.
 * - I-JSON (RFC 7493): lone surrogates are rejected.
 *
 * bigint is rejected on purpose: callers encode instants and sequence numbers as decimal
 * strings, which keeps every number inside IEEE 754 double range.
 */
import { CanonicalJsonError } from "../errors.js";

/** Nesting deeper than this is refused rather than risking a stack overflow. */
export const CANONICAL_JSON_MAX_DEPTH = 512;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/** RFC 8785 §3.2.2.2: JSON.stringify's string escaping is exactly JCS's (ES2019+). */
function serializeString(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) throw new CanonicalJsonError(path, "string contains a lone surrogate");
  return JSON.stringify(text);
}

/** RFC 8785 §3.2.2.3: ECMAScript number serialisation, finite numbers only. */
function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `number ${value} is not finite`);
  return Object.is(value, -0) ? "0" : String(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function serialize(value: unknown, path: string, stack: Set<object>, out: string[]): void {
  switch (typeof value) {
    case "string":
      out.push(serializeString(value, path));
      return;
    case "number":
      out.push(serializeNumber(value, path));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      throw new CanonicalJsonError(path, `${typeof value} has no JSON form`);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (stack.has(value)) throw new CanonicalJsonError(path, "cycle");
  if (stack.size >= CANONICAL_JSON_MAX_DEPTH) {
    throw new CanonicalJsonError(path, `nested deeper than ${CANONICAL_JSON_MAX_DEPTH}`);
  }
  stack.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      serialize(value[i], pointer(path, i), stack, out);
    }
    out.push("]");
  } else {
    if (!isPlainObject(value)) {
      throw new CanonicalJsonError(path, `${value.constructor?.name ?? "object"} is not a plain JSON object`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
    const keys = Object.keys(record).sort();
    out.push("{");
    for (const [i, key] of keys.entries()) {
      if (i > 0) out.push(",");
      const at = pointer(path, key);
      out.push(serializeString(key, at), ":");
      serialize(record[key], at, stack, out);
    }
    out.push("}");
  }
  stack.delete(value);
}

/**
 * The RFC 8785 canonical JSON text of `value` (hash or sign its UTF-8 bytes).
 *
 * @throws {CanonicalJsonError} for non-finite numbers, `undefined` (also as a member value),
 *   bigint, functions, symbols, non-plain objects (Date, Map, class instances), cycles,
 *   lone surrogates, and nesting deeper than {@link CANONICAL_JSON_MAX_DEPTH}.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  serialize(value, "", new Set(), out);
  return out.join("");
}
