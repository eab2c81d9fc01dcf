/**
 * Pure bookkeeping of the report buffer's segment files (docs/report-protocol.md,
 * "Agent buffer"): names, parsing one segment's text (a torn last line is cut off),
 * which segments are dead, and which pending reports to drop to stay under the bound.
 * No I/O here: `buffer.ts` reads and writes the files.
 */

/** One report line as stored: its seq and the exact JSON text (without the newline). */
export interface BufferedLine {
  readonly seq: number;
  readonly line: string;
  /** UTF-8 length of the line plus its newline. */
  readonly bytes: number;
}

/** One segment file as the buffer knows it. */
export interface SegmentInfo {
  readonly name: string;
  readonly firstSeq: number;
  lastSeq: number;
  bytes: number;
}

const SEGMENT_RE = /^seg-(\d{16})\.jsonl$/;

/** `seg-0000000000001234.jsonl`: sorts by name in seq order. */
export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, "0")}.jsonl`;
}

/** The first seq of a segment file name, or undefined for any other file. */
export function segmentFirstSeq(name: string): number | undefined {
  const m = SEGMENT_RE.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** UTF-8 length of a string (no TextEncoder allocation for ASCII-only text). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The seq of a line this buffer wrote (`{"seq":N,…}`), or undefined. */
export function lineSeq(line: string): number | undefined {
  const m = /^\{"seq":(\d{1,16})[,}]/.exec(line);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The result of reading one segment's text. */
export interface ParsedSegment {
  readonly lines: BufferedLine[];
  /** Bytes of whole, newline-terminated lines: the file is truncated to this on open. */
  readonly validBytes: number;
  /** Bytes after the last newline (a torn write), discarded. */
  readonly tornBytes: number;
  /** Complete lines that are not a report with an integer `seq` (skipped). */
  readonly badLines: number;
}

/**
 * Parses a segment: one JSON object with an integer `seq` per line. A last line without
 * its newline is a write torn by a crash and is dropped; a bad complete line is skipped.
 */
export function parseSegment(text: string): ParsedSegment {
  const end = text.lastIndexOf("\n") + 1;
  const whole = text.slice(0, end);
  const lines: BufferedLine[] = [];
  let badLines = 0;
  let lastSeq = -Infinity;
  for (const line of whole.split("\n")) {
    if (line === "") continue;
    let seq: unknown;
    try {
      seq = (JSON.parse(line) as { seq?: unknown }).seq;
    } catch {
      seq = undefined;
    }
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq <= lastSeq) {
      badLines++;
      continue;
    }
    lastSeq = seq;
    lines.push({ seq, line, bytes: utf8Length(line) + 1 });
  }
  return { lines, validBytes: utf8Length(whole), tornBytes: utf8Length(text) - utf8Length(whole), badLines };
}

/** Segments holding nothing above `deadThrough` (acked or dropped): to delete, except the one being written. */
export function deadSegments(
  segments: readonly SegmentInfo[],
  deadThrough: number,
  current: string | undefined,
): SegmentInfo[] {
  return segments.filter((s) => s.lastSeq <= deadThrough && s.name !== current);
}

/**
 * How many of the oldest pending reports to drop so that `incoming` more bytes fit under
 * `maxBytes` (the pending lines in seq order). Never drops the incoming one.
 */
export function countToDrop(
  pending: readonly { readonly bytes: number }[],
  maxBytes: number,
  incoming: number,
): number {
  let total = incoming;
  for (const l of pending) total += l.bytes;
  let n = 0;
  while (total > maxBytes && n < pending.length) {
    total -= pending[n]?.bytes ?? 0;
    n++;
  }
  return n;
}
