/**
 * Pure parser of pasted or uploaded timestamps, one per line: `value [precision] [source]`,
 * separated by spaces, tabs or commas. `value` is epoch ms, epoch ns (as a string, ≥ 17
 * digits) or RFC 3339. Blank lines and `#` comments are skipped.
 */
import type { NormalizeTimestamp } from "./api/types.js";

export interface ParseResult {
  readonly timestamps: NormalizeTimestamp[];
  readonly errors: { line: number; message: string }[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTimestamps(text: string, maxCount = 10_000): ParseResult {
  const timestamps: NormalizeTimestamp[] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const [value = "", precision, source] = line.split(/[\s,]+/);
    let parsed: number | string;
    if (RFC3339.test(value)) parsed = value;
    else if (/^\d{17,}$/.test(value)) parsed = value;
    else if (/^\d{1,16}$/.test(value)) parsed = Number(value);
    else {
      errors.push({ line: i + 1, message: `"${value}" is not epoch ms, epoch ns or RFC 3339` });
      continue;
    }
    const p = precision === undefined ? undefined : Number(precision);
    if (p !== undefined && !(Number.isFinite(p) && p > 0)) {
      errors.push({ line: i + 1, message: `precision "${precision}" is not a positive number of seconds` });
      continue;
    }
    timestamps.push({
      value: parsed,
      ...(p === undefined ? {} : { precision: p }),
      ...(source === undefined ? {} : { source }),
    });
  }
  if (timestamps.length > maxCount)
    errors.push({ line: 0, message: `at most ${maxCount} timestamps per request` });
  return { timestamps, errors };
}
