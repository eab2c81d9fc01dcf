/**
 * The agent's durable report queue (issue 4 §5; docs/report-protocol.md, "Agent buffer"):
 * a directory of append-only segment files, one JSON line per report, each append
 * fsync'd; a small cursor file, written atomically, saying what the server accepted, what
 * was dropped and which batch is in flight. Bounded by bytes of pending reports: when full,
 * the OLDEST are dropped and counted (the count travels in the next batch's `dropped`).
 *
 * Crash safety: a torn last line is cut off on open; a batch's id and seq range are in the
 * cursor before its first send, so a crash between send and ack resends the same batch.
 * Disk faults (read-only, full, no permission) never stop the agent: one warn line, the
 * reports stay in memory under the same bound (not surviving a restart), and every later
 * append tries the disk again.
 */
import * as path from "node:path";
import type { LogLevel } from "../config/schema.js";
import { type BufferFs, fsReason, nodeBufferFs } from "./buffer-fs.js";
import { type BufferCursor, decodeCursor, EMPTY_CURSOR, encodeCursor, type InflightBatch } from "./cursor.js";
import {
  countToDrop,
  deadSegments,
  lineSeq,
  parseSegment,
  type SegmentInfo,
  segmentFirstSeq,
  segmentName,
  utf8Length,
} from "./segments.js";

export interface ReportBufferOptions {
  /** The buffer's own directory (created 0700 if missing). */
  readonly dir: string;
  /** Most bytes of pending reports kept (default 16 MiB). */
  readonly maxBytes?: number;
  /** Size at which a new segment file starts (default min(1 MiB, maxBytes / 8)). */
  readonly segmentBytes?: number;
  readonly log: (level: LogLevel, message: string) => void;
  readonly fs?: BufferFs;
}

/** A batch to send: persisted in the cursor before it is returned. */
export interface ReportBatch extends InflightBatch {
  /** The reports' JSON texts, in seq order. */
  readonly lines: readonly string[];
}

export interface ReportBufferStats {
  readonly pending: number;
  readonly pendingBytes: number;
  /** Dropped and not yet told to the server. */
  readonly dropped: number;
  /** Dropped since open. */
  readonly droppedTotal: number;
  /** False while the disk cannot be written (reports only in memory). */
  readonly durable: boolean;
  readonly ackedSeq: number;
  readonly nextSeq: number;
}

export const DEFAULT_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
const CURSOR = "cursor.json";

/**
 * One pending report: its seq and size. Its text stays on disk and is read back when a
 * batch is built; only a report the disk did not take keeps its `line` in memory.
 */
interface Pending {
  readonly seq: number;
  readonly bytes: number;
  readonly line?: string;
}
const PARKED_KEEP = 4;

const digits = (n: number): number => String(n).length;

/** A report's line with its seq moved up by `shift` (lines start `{"seq":N`, see segments.ts). */
function shiftSeq(line: string, shift: number): string {
  const seq = lineSeq(line);
  if (seq === undefined) return line;
  return `{"seq":${seq + shift}${line.slice(`{"seq":${seq}`.length)}`;
}

/** The durable, bounded report queue. Every method is serialized; none throws on a disk fault. */
export class ReportBuffer {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #segmentBytes: number;
  readonly #fs: BufferFs;
  readonly #log: ReportBufferOptions["log"];
  #cursor: BufferCursor = EMPTY_CURSOR;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #segments: SegmentInfo[] = [];
  #current: SegmentInfo | undefined;
  #nextSeq = 1;
  #diskOk = true;
  #droppedTotal = 0;
  #dropWarned = false;
  #serial: Promise<unknown> = Promise.resolve();

  private constructor(options: ReportBufferOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_BUFFER_MAX_BYTES;
    this.#segmentBytes = options.segmentBytes ?? Math.max(4096, Math.min(1 << 20, this.maxBytes / 8));
    this.#fs = options.fs ?? nodeBufferFs;
    this.#log = options.log;
  }

  /** Opens (or creates) the buffer in `options.dir`: reads the cursor and every segment. */
  static async open(options: ReportBufferOptions): Promise<ReportBuffer> {
    const b = new ReportBuffer(options);
    await b.#load();
    return b;
  }

  get stats(): ReportBufferStats {
    return {
      pending: this.#pending.length,
      pendingBytes: this.#pendingBytes,
      dropped: this.#cursor.dropped,
      droppedTotal: this.#droppedTotal,
      durable: this.#diskOk,
      ackedSeq: this.#cursor.ackedSeq,
      nextSeq: this.#nextSeq,
    };
  }

  /** Appends one report (its `seq` is assigned here) and resolves with the seq once it is fsync'd (or kept in memory). */
  append(report: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#run(() => this.#append(report));
  }

  /** The batch in flight (same id as before), else up to `max` pending reports as a new one persisted first. */
  nextBatch(max: number, newId: () => string): Promise<ReportBatch | undefined> {
    return this.#run(() => this.#nextBatch(max, newId));
  }

  /** Replaces the batch in flight by its first half under a new id (413); undefined when it holds one report. */
  splitBatch(batch: ReportBatch, newId: () => string): Promise<ReportBatch | undefined> {
    return this.#run(async () => {
      if (batch.lines.length < 2) return undefined;
      const half = Math.ceil(batch.lines.length / 2);
      const lines = batch.lines.slice(0, half);
      const toSeq = lineSeq(lines.at(-1) ?? "") ?? batch.fromSeq;
      const next: InflightBatch = { id: newId(), fromSeq: batch.fromSeq, toSeq, dropped: batch.dropped };
      await this.#saveCursor({ ...this.#cursor, batch: next });
      return { ...next, lines };
    });
  }

  /** The server accepted `batch`: advance the cursor, delete dead segments. */
  ack(batch: InflightBatch): Promise<void> {
    return this.#run(() => this.#advance(batch, true));
  }

  /** The server refused `batch` for good (4xx): keep a copy under `parked-*.jsonl`, then move past it. */
  park(batch: ReportBatch, reason: string): Promise<void> {
    return this.#run(async () => {
      const file = path.join(this.dir, `parked-${segmentName(batch.fromSeq).slice(4)}`);
      try {
        await this.#fs.append(file, `${batch.lines.join("\n")}\n`);
        const parked = (await this.#fs.readdir(this.dir)).filter((n) => n.startsWith("parked-")).sort();
        for (const old of parked.slice(0, -PARKED_KEEP)) await this.#fs.unlink(path.join(this.dir, old));
      } catch (err) {
        this.#diskFailed(err);
      }
      this.#log(
        "warn",
        `report batch ${batch.id} (seq ${batch.fromSeq}..${batch.toSeq}) refused by the server (${reason}): parked in ${file}, not retried`,
      );
      await this.#advance(batch, false);
    });
  }

  /** False until a buffer created empty has been {@link rebase}d on the server's last seq. */
  get seqConfirmed(): boolean {
    return this.#cursor.confirmed;
  }

  /**
   * Aligns the seqs with the server's last stored seq `serverLastSeq` for this node
   * (docs/report-protocol.md §3, "Seqs after a lost buffer"):
   * - a buffer created empty and not yet checked (an agent that lost its buffer but kept
   *   its credentials, or a first start): nothing in it was ever sent, so every report,
   *   pending or dropped, moves up by `serverLastSeq` — segment files rewritten from the
   *   highest down, each under its new name — and later reports follow;
   * - a checked buffer whose seqs the server has passed (restored from an old copy): its
   *   pending reports keep their seqs (the server drops those it has as duplicates), new
   *   ones continue above `serverLastSeq`.
   * Returns the shift applied (0: none) and the next seq.
   */
  rebase(serverLastSeq: number): Promise<{ shift: number; nextSeq: number }> {
    return this.#run(() => this.#rebase(serverLastSeq));
  }

  /** Waits for pending writes and writes the cursor once more. */
  close(): Promise<void> {
    return this.#run(() => this.#saveCursor(this.#cursor));
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#serial.then(fn);
    this.#serial = p.catch(() => undefined);
    return p;
  }

  #diskFailed(err: unknown): void {
    if (this.#diskOk) {
      this.#log(
        "warn",
        `cannot write the report buffer in ${this.dir} (${fsReason(err)}): keeping up to ${this.maxBytes} bytes of reports in memory (lost on restart); still running`,
      );
    }
    this.#diskOk = false;
  }

  #diskWorked(): void {
    if (!this.#diskOk) this.#log("info", `report buffer in ${this.dir} written again`);
    this.#diskOk = true;
  }

  async #saveCursor(next: BufferCursor): Promise<void> {
    this.#cursor = next;
    try {
      await this.#fs.writeAtomic(path.join(this.dir, CURSOR), encodeCursor(next));
      this.#diskWorked();
    } catch (err) {
      this.#diskFailed(err);
    }
  }

  async #load(): Promise<void> {
    try {
      await this.#fs.mkdir(this.dir, 0o700);
      const text = await this.#fs.readFile(path.join(this.dir, CURSOR)).catch((err: unknown) => {
        if (fsReason(err) === "ENOENT") return undefined;
        throw err;
      });
      if (text !== undefined) {
        const decoded = decodeCursor(text);
        if (decoded.ok) this.#cursor = decoded.cursor;
        else
          this.#log("warn", `report buffer cursor ${CURSOR} is corrupt (${decoded.reason}): resending all`);
      }
      const names = (await this.#fs.readdir(this.dir)).filter((n) => segmentFirstSeq(n) !== undefined).sort();
      if (text === undefined && names.length === 0) {
        // A new (or wiped) buffer: its seqs start at 1 until the server says where its own
        // stand (rebase); written now, so a restart before that still knows.
        await this.#saveCursor({ ...EMPTY_CURSOR, confirmed: false });
      }
      const dead = this.#deadThrough();
      let maxSeq = Math.max(this.#cursor.ackedSeq, this.#cursor.droppedThroughSeq);
      for (const name of names) {
        const file = path.join(this.dir, name);
        const parsed = parseSegment(await this.#fs.readFile(file));
        if (parsed.tornBytes > 0) {
          this.#log(
            "warn",
            `report buffer: discarded a torn last line (${parsed.tornBytes} bytes) of ${name}`,
          );
          await this.#fs.truncate(file, parsed.validBytes);
        }
        if (parsed.badLines > 0)
          this.#log("warn", `report buffer: skipped ${parsed.badLines} unreadable line(s) in ${name}`);
        const seg: SegmentInfo = {
          name,
          firstSeq: segmentFirstSeq(name) ?? 0,
          lastSeq: 0,
          bytes: parsed.validBytes,
        };
        for (const l of parsed.lines) {
          seg.lastSeq = l.seq;
          if (l.seq <= maxSeq) continue; // acked, dropped, or out of order
          maxSeq = l.seq;
          if (l.seq > dead) this.#push({ seq: l.seq, bytes: l.bytes });
        }
        this.#segments.push(seg);
      }
      this.#nextSeq = maxSeq + 1;
      this.#current = this.#segments.at(-1);
      await this.#deleteDead();
    } catch (err) {
      this.#diskFailed(err);
    }
  }

  #push(l: Pending): void {
    this.#pending.push(l);
    this.#pendingBytes += l.bytes;
  }

  #deadThrough(): number {
    return Math.max(this.#cursor.ackedSeq, this.#cursor.droppedThroughSeq);
  }

  async #deleteDead(): Promise<void> {
    for (const seg of deadSegments(this.#segments, this.#deadThrough(), this.#current?.name)) {
      try {
        await this.#fs.unlink(path.join(this.dir, seg.name));
        this.#segments = this.#segments.filter((s) => s !== seg);
      } catch (err) {
        if (fsReason(err) === "ENOENT") this.#segments = this.#segments.filter((s) => s !== seg);
        else this.#diskFailed(err);
      }
    }
  }

  async #append(report: Readonly<Record<string, unknown>>): Promise<number> {
    const seq = this.#nextSeq++;
    const line = JSON.stringify({ seq, ...report });
    const bytes = utf8Length(line) + 1;
    const n = countToDrop(this.#pending, this.maxBytes, bytes);
    if (n > 0) await this.#drop(n);
    let seg = this.#current;
    if (seg === undefined || (seg.bytes > 0 && seg.bytes + bytes > this.#segmentBytes)) {
      seg = { name: segmentName(seq), firstSeq: seq, lastSeq: seq, bytes: 0 };
      this.#segments.push(seg);
      this.#current = seg;
    }
    seg.lastSeq = seq;
    try {
      await this.#fs.append(path.join(this.dir, seg.name), `${line}\n`);
      if (seg.bytes === 0) await this.#fs.syncDir(this.dir).catch(() => undefined); // a new segment: its name too
      seg.bytes += bytes;
      this.#diskWorked();
      this.#push({ seq, bytes });
    } catch (err) {
      this.#diskFailed(err);
      // A partial line may be there: the next append starts a new segment (open cuts it off).
      this.#current = undefined;
      if (seg.bytes === 0) this.#segments = this.#segments.filter((s) => s !== seg);
      this.#push({ seq, bytes, line });
    }
    return seq;
  }

  async #rebase(serverLastSeq: number): Promise<{ shift: number; nextSeq: number }> {
    const last = Math.max(0, Math.floor(serverLastSeq));
    if (this.#cursor.confirmed) {
      if (last >= this.#nextSeq) {
        this.#log(
          "warn",
          `the server holds reports up to seq ${last}, beyond this buffer's ${this.#nextSeq - 1}: new reports continue at ${last + 1}`,
        );
        this.#nextSeq = last + 1;
      }
      return { shift: 0, nextSeq: this.#nextSeq };
    }
    const shift = last;
    if (shift > 0) {
      // Highest segment first: its new name is above every name not yet rewritten. A crash
      // half-way leaves the cursor unconfirmed: the next rebase moves everything again
      // (a gap in the seqs, never a report twice).
      const moved = new Map<SegmentInfo, SegmentInfo>();
      for (const seg of [...this.#segments].sort((a, b) => b.firstSeq - a.firstSeq)) {
        const from = path.join(this.dir, seg.name);
        const next: SegmentInfo = {
          name: segmentName(seg.firstSeq + shift),
          firstSeq: seg.firstSeq + shift,
          lastSeq: seg.lastSeq + shift,
          bytes: seg.bytes,
        };
        try {
          const lines = parseSegment(await this.#fs.readFile(from)).lines.map((l) => shiftSeq(l.line, shift));
          const text = lines.map((l) => `${l}\n`).join("");
          await this.#fs.writeAtomic(path.join(this.dir, next.name), text, 0o600);
          await this.#fs.unlink(from);
          next.bytes = utf8Length(text);
          this.#diskWorked();
        } catch (err) {
          // What could not be rewritten is read back as missing, and counted as dropped.
          if (fsReason(err) !== "ENOENT") this.#diskFailed(err);
        }
        moved.set(seg, next);
      }
      this.#segments = this.#segments.map((seg) => moved.get(seg) ?? seg);
      this.#current = this.#current === undefined ? undefined : moved.get(this.#current);
      this.#pending = this.#pending.map((l) => {
        const line = l.line === undefined ? undefined : shiftSeq(l.line, shift);
        const bytes =
          line === undefined ? l.bytes + digits(l.seq + shift) - digits(l.seq) : utf8Length(line) + 1;
        return line === undefined ? { seq: l.seq + shift, bytes } : { seq: l.seq + shift, bytes, line };
      });
      this.#pendingBytes = this.#pending.reduce((a, l) => a + l.bytes, 0);
      this.#nextSeq += shift;
      await this.#fs.syncDir(this.dir).catch(() => undefined);
    }
    const c = this.#cursor;
    await this.#saveCursor({
      ackedSeq: Math.max(c.ackedSeq, last),
      droppedThroughSeq: c.droppedThroughSeq === 0 ? 0 : c.droppedThroughSeq + shift,
      dropped: c.dropped,
      batch: null,
      confirmed: true,
    });
    return { shift, nextSeq: this.#nextSeq };
  }

  async #drop(n: number): Promise<void> {
    const gone = this.#pending.splice(0, n);
    for (const l of gone) this.#pendingBytes -= l.bytes;
    const through = gone.at(-1)?.seq ?? 0;
    const batch = this.#cursor.batch;
    this.#droppedTotal += n;
    if (!this.#dropWarned) {
      this.#log(
        "warn",
        `report buffer full (${this.maxBytes} bytes): dropping the oldest reports (counted and reported to the server)`,
      );
      this.#dropWarned = true;
    }
    await this.#saveCursor({
      ...this.#cursor,
      droppedThroughSeq: Math.max(this.#cursor.droppedThroughSeq, through),
      dropped: this.#cursor.dropped + n,
      // A batch whose reports are gone cannot be resent as it was: a new one takes its place.
      batch: batch !== null && batch.fromSeq <= through ? null : batch,
    });
    await this.#deleteDead();
  }

  async #nextBatch(max: number, newId: () => string): Promise<ReportBatch | undefined> {
    const inflight = this.#cursor.batch;
    if (inflight !== null) {
      const lines = await this.#lines((l) => l.seq >= inflight.fromSeq && l.seq <= inflight.toSeq);
      if (lines.length > 0) return { ...inflight, lines };
    }
    const take = Math.max(1, max);
    const lines = await this.#lines((_, i) => i < take);
    const first = this.#pending[0];
    const last = this.#pending[lines.length - 1];
    if (first === undefined || last === undefined) {
      if (inflight !== null) await this.#saveCursor({ ...this.#cursor, batch: null });
      return undefined;
    }
    const batch: InflightBatch = {
      id: newId(),
      fromSeq: first.seq,
      toSeq: last.seq,
      dropped: this.#cursor.dropped,
    };
    await this.#saveCursor({ ...this.#cursor, batch });
    return { ...batch, lines };
  }

  /**
   * The texts of the pending reports `pick` selects (a prefix or a range), read back from
   * their segments. A report that cannot be read any more is removed and counted as dropped.
   */
  async #lines(pick: (l: Pending, i: number) => boolean): Promise<string[]> {
    const chosen = this.#pending.filter(pick);
    const found = new Map<number, string>();
    for (const seg of this.#segments) {
      const inSeg = chosen.filter(
        (l) => l.line === undefined && l.seq >= seg.firstSeq && l.seq <= seg.lastSeq,
      );
      if (inSeg.length === 0) continue;
      try {
        for (const l of parseSegment(await this.#fs.readFile(path.join(this.dir, seg.name))).lines)
          found.set(l.seq, l.line);
      } catch (err) {
        if (fsReason(err) !== "ENOENT")
          this.#log("warn", `report buffer: cannot read ${seg.name} (${fsReason(err)})`);
      }
    }
    const lost = chosen.filter((l) => l.line === undefined && !found.has(l.seq));
    if (lost.length > 0) {
      this.#log(
        "warn",
        `report buffer: ${lost.length} report(s) missing from ${this.dir}: counted as dropped`,
      );
      const gone = new Set(lost);
      this.#pending = this.#pending.filter((l) => !gone.has(l));
      for (const l of lost) this.#pendingBytes -= l.bytes;
      this.#droppedTotal += lost.length;
      this.#cursor = { ...this.#cursor, dropped: this.#cursor.dropped + lost.length };
      return this.#lines(pick);
    }
    return chosen.map((l) => l.line ?? found.get(l.seq) ?? "");
  }

  async #advance(batch: InflightBatch, delivered: boolean): Promise<void> {
    const keep = this.#pending.filter((l) => l.seq > batch.toSeq);
    for (const l of this.#pending.slice(0, this.#pending.length - keep.length)) this.#pendingBytes -= l.bytes;
    this.#pending = keep;
    if (delivered && this.#dropWarned && this.#cursor.dropped <= batch.dropped) this.#dropWarned = false;
    await this.#saveCursor({
      ackedSeq: Math.max(this.#cursor.ackedSeq, batch.toSeq),
      droppedThroughSeq: this.#cursor.droppedThroughSeq,
      dropped: delivered ? Math.max(0, this.#cursor.dropped - batch.dropped) : this.#cursor.dropped,
      batch: null,
      confirmed: this.#cursor.confirmed,
    });
    await this.#deleteDead();
  }
}
