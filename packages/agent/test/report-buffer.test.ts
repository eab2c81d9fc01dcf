// The report buffer (issue 4 §5; docs/report-protocol.md §4): pure segment bookkeeping,
// then real files in a temp dir — reopen after a "crash", a torn write, the byte bound,
// and disks that cannot be written (/dev/full, a path under a file).

import { appendFile, mkdtemp, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countToDrop,
  decodeCursor,
  encodeCursor,
  nodeBufferFs,
  parseSegment,
  ReportBuffer,
  segmentName,
} from "../src/index.js";

function logger() {
  const lines: string[] = [];
  return { lines, log: (level: string, message: string) => lines.push(`${level}: ${message}`) };
}

let root: string;
let n = 0;
const freshDir = () => join(root, `b${++n}`);
let ids = 0;
const newId = () => `batch-${++ids}`;
const seqs = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { seq: number }).seq);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "chronosync-report-buffer-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("segment bookkeeping (pure)", () => {
  it("names sort in seq order and parse back", () => {
    expect(segmentName(42)).toBe("seg-0000000000000042.jsonl");
    expect([segmentName(100), segmentName(9)].sort()).toEqual([segmentName(9), segmentName(100)]);
  });

  it("cuts a torn last line and skips bad complete lines", () => {
    const p = parseSegment('{"seq":1}\n{"seq":2}\nnot json\n{"seq":2}\n{"seq":3,"a":"é"}\n{"seq":4,"x');
    expect(p.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(p.badLines).toBe(2); // "not json" and the repeated seq 2
    expect(p.tornBytes).toBe(Buffer.byteLength('{"seq":4,"x'));
    expect(p.validBytes).toBe(
      Buffer.byteLength(
        p.lines.length ? '{"seq":1}\n{"seq":2}\nnot json\n{"seq":2}\n{"seq":3,"a":"é"}\n' : "",
      ),
    );
    expect(p.lines[2]?.bytes).toBe(Buffer.byteLength('{"seq":3,"a":"é"}\n'));
  });

  it("drops the fewest oldest lines that make room", () => {
    const lines = [1, 2, 3, 4].map((seq) => ({ seq, line: "x", bytes: 10 }));
    expect(countToDrop(lines, 50, 10)).toBe(0);
    expect(countToDrop(lines, 45, 10)).toBe(1);
    expect(countToDrop(lines, 10, 10)).toBe(4);
    expect(countToDrop(lines, 5, 10)).toBe(4); // the incoming one is never dropped
  });

  it("the cursor codec round-trips, and any text decodes or gives a reason", () => {
    const c = {
      ackedSeq: 5,
      droppedThroughSeq: 2,
      dropped: 1,
      batch: { id: "u", fromSeq: 6, toSeq: 9, dropped: 1 },
      confirmed: false,
    };
    expect(decodeCursor(encodeCursor(c))).toEqual({ ok: true, cursor: c });
    // A cursor written before `confirmed` existed: its seqs count as checked.
    expect(decodeCursor('{"version":1,"ackedSeq":3,"droppedThroughSeq":0,"dropped":0,"batch":null}')).toEqual(
      {
        ok: true,
        cursor: { ackedSeq: 3, droppedThroughSeq: 0, dropped: 0, batch: null, confirmed: true },
      },
    );
    expect(
      decodeCursor('{"version":1,"ackedSeq":3,"droppedThroughSeq":0,"dropped":0,"confirmed":1}').ok,
    ).toBe(false);
    expect(decodeCursor('{"version":1,"ackedSeq":-1,"droppedThroughSeq":0,"dropped":0}').ok).toBe(false);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const d = decodeCursor(text);
        expect(typeof d.ok).toBe("boolean");
      }),
    );
  });
});

describe("ReportBuffer on real files", () => {
  it("appends, batches, acks; a reopen continues the seqs with no loss and no duplicate", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir, log });
    for (let i = 0; i < 5; i++) expect(await b.append({ i })).toBe(i + 1);
    const batch = await b.nextBatch(3, newId);
    expect(batch && seqs(batch.lines)).toEqual([1, 2, 3]);
    await b.ack(batch!);
    // "crash": no close, a fresh instance on the same directory.
    const b2 = await ReportBuffer.open({ dir, log });
    expect(b2.stats).toMatchObject({ pending: 2, ackedSeq: 3, nextSeq: 6, durable: true });
    expect(await b2.append({ i: 5 })).toBe(6);
    const rest = await b2.nextBatch(500, newId);
    expect(rest && seqs(rest.lines)).toEqual([4, 5, 6]);
    await b2.ack(rest!);
    const b3 = await ReportBuffer.open({ dir, log });
    expect(b3.stats.pending).toBe(0);
    expect(await b3.nextBatch(500, newId)).toBeUndefined();
    expect(await b3.append({})).toBe(7);
    expect(lines).toEqual([]);
  });

  it("a batch chosen before a crash comes back with the same id and reports", async () => {
    const dir = freshDir();
    const { log } = logger();
    const b = await ReportBuffer.open({ dir, log });
    for (let i = 0; i < 4; i++) await b.append({ i });
    const first = await b.nextBatch(10, newId);
    await b.append({ late: true }); // appended while the batch is in flight
    const again = await (await ReportBuffer.open({ dir, log })).nextBatch(10, newId);
    expect(again?.id).toBe(first?.id);
    expect(again?.lines).toEqual(first?.lines);
    expect(seqs(again?.lines ?? [])).toEqual([1, 2, 3, 4]);
  });

  it("discards a torn last line on open, logs it once, and appends cleanly after it", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir, log });
    for (let i = 0; i < 3; i++) await b.append({ i });
    const seg = join(dir, segmentName(1));
    await appendFile(seg, '{"seq":4,"tracking":{"offs'); // the crash hit mid-write
    const b2 = await ReportBuffer.open({ dir, log });
    expect(lines).toEqual([
      `warn: report buffer: discarded a torn last line (${Buffer.byteLength('{"seq":4,"tracking":{"offs')} bytes) of ${segmentName(1)}`,
    ]);
    expect(b2.stats.pending).toBe(3);
    expect(await b2.append({ i: 3 })).toBe(4);
    const text = await readFile(seg, "utf8");
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([1, 2, 3, 4]);
    const batch = await (await ReportBuffer.open({ dir, log })).nextBatch(10, newId);
    expect(seqs(batch?.lines ?? [])).toEqual([1, 2, 3, 4]);
  });

  it("when full drops the oldest, counts them, never reuses their seqs, and stays within the bound", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const maxBytes = 8192;
    const b = await ReportBuffer.open({ dir, log, maxBytes, segmentBytes: 1024 });
    const pad = "x".repeat(90); // ~100-byte lines
    for (let i = 0; i < 500; i++) await b.append({ pad });
    const s = b.stats;
    expect(s.pendingBytes).toBeLessThanOrEqual(maxBytes);
    expect(s.dropped).toBe(500 - s.pending);
    expect(s.dropped).toBeGreaterThan(400);
    expect(lines.filter((l) => l.includes("report buffer full"))).toHaveLength(1);
    const files = await readdir(dir);
    let onDisk = 0;
    for (const f of files) onDisk += (await stat(join(dir, f))).size;
    expect(onDisk).toBeLessThanOrEqual(maxBytes + 1024 + 200);
    // Survives a reopen: same pending, same dropped count, seqs go on.
    const b2 = await ReportBuffer.open({ dir, log, maxBytes, segmentBytes: 1024 });
    expect(b2.stats).toMatchObject({ pending: s.pending, dropped: s.dropped, nextSeq: 501 });
    const batch = await b2.nextBatch(1000, newId);
    expect(batch?.dropped).toBe(s.dropped);
    expect(seqs(batch?.lines ?? [])[0]).toBe(501 - s.pending);
    await b2.ack(batch!);
    expect(b2.stats).toMatchObject({ dropped: 0, pending: 0 });
    expect(await b2.append({ pad })).toBe(501);
    expect(b2.stats).toMatchObject({ dropped: 0, pending: 1 });
  });

  it("a batch whose reports were dropped is abandoned for a new one", async () => {
    const dir = freshDir();
    const { log } = logger();
    const b = await ReportBuffer.open({ dir, log, maxBytes: 1000, segmentBytes: 300 });
    for (let i = 0; i < 5; i++) await b.append({ pad: "y".repeat(80) });
    const first = await b.nextBatch(2, newId);
    for (let i = 0; i < 10; i++) await b.append({ pad: "y".repeat(80) });
    const next = await b.nextBatch(2, newId);
    expect(next?.id).not.toBe(first?.id);
    expect(seqs(next?.lines ?? [])[0]).toBeGreaterThan(first?.toSeq ?? 0);
    expect(next?.dropped).toBe(b.stats.dropped);
  });

  it("splits a batch in flight under a new id, and parks a refused one", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir, log });
    for (let i = 0; i < 5; i++) await b.append({ i });
    const batch = await b.nextBatch(5, newId);
    const half = await b.splitBatch(batch!, newId);
    expect(seqs(half?.lines ?? [])).toEqual([1, 2, 3]);
    expect((await ReportBuffer.open({ dir, log }).then((x) => x.nextBatch(5, newId)))?.id).toBe(half?.id);
    await b.park(half!, "HTTP 400: bad");
    expect(lines[0]).toMatch(
      /^warn: report batch batch-\d+ \(seq 1\.\.3\) refused by the server \(HTTP 400: bad\): parked/,
    );
    expect((await readdir(dir)).filter((f) => f.startsWith("parked-"))).toHaveLength(1);
    const rest = await b.nextBatch(5, newId);
    expect(seqs(rest?.lines ?? [])).toEqual([4, 5]);
    const one = await b.nextBatch(5, newId);
    expect(await b.splitBatch({ ...one!, lines: one!.lines.slice(0, 1) }, newId)).toBeUndefined();
  });

  it("keeps only seqs and sizes in memory: a segment removed behind its back counts as dropped", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir, log, segmentBytes: 4096 });
    for (let i = 0; i < 60; i++) await b.append({ pad: "p".repeat(100) });
    const segs = (await readdir(dir)).filter((f) => f.startsWith("seg-")).sort();
    expect(segs.length).toBeGreaterThan(1);
    await rm(join(dir, segs[0] ?? ""));
    const batch = await b.nextBatch(500, newId);
    const lost = 60 - (batch?.lines.length ?? 0);
    expect(lost).toBeGreaterThan(0);
    expect(batch?.dropped).toBe(lost);
    expect(seqs(batch?.lines ?? [])).toEqual(Array.from({ length: 60 - lost }, (_, i) => lost + 1 + i));
    expect(lines).toEqual([`warn: report buffer: ${lost} report(s) missing from ${dir}: counted as dropped`]);
  });

  it("a directory that cannot exist: one warning, reports kept in memory under the bound", async () => {
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir: "/dev/full/buffer", log, maxBytes: 2000 });
    for (let i = 0; i < 100; i++) await b.append({ pad: "z".repeat(80) });
    expect(lines).toEqual([
      "warn: cannot write the report buffer in /dev/full/buffer (ENOTDIR): keeping up to 2000 bytes of reports in memory (lost on restart); still running",
      "warn: report buffer full (2000 bytes): dropping the oldest reports (counted and reported to the server)",
    ]);
    expect(b.stats.durable).toBe(false);
    expect(b.stats.pendingBytes).toBeLessThanOrEqual(2000);
    const batch = await b.nextBatch(500, newId);
    expect(seqs(batch?.lines ?? []).at(-1)).toBe(100);
    expect(batch?.dropped).toBe(100 - (batch?.lines.length ?? 0));
    await b.ack(batch!);
    expect(b.stats.pending).toBe(0);
  });

  it("a full disk (/dev/full) mid-run: one warning, the report is kept, the next segment is used once writable", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    let full = false;
    const fs = {
      ...nodeBufferFs,
      append: (file: string, data: string) =>
        full ? nodeBufferFs.append("/dev/full", data) : nodeBufferFs.append(file, data),
    };
    const b = await ReportBuffer.open({ dir, log, fs });
    await b.append({ i: 1 });
    full = true;
    await b.append({ i: 2 });
    await b.append({ i: 3 });
    expect(lines).toEqual([
      `warn: cannot write the report buffer in ${dir} (ENOSPC): keeping up to 16777216 bytes of reports in memory (lost on restart); still running`,
    ]);
    expect(b.stats).toMatchObject({ pending: 3, durable: false });
    full = false;
    await b.append({ i: 4 });
    expect(lines.at(-1)).toBe(`info: report buffer in ${dir} written again`);
    const batch = await b.nextBatch(10, newId);
    expect(seqs(batch?.lines ?? [])).toEqual([1, 2, 3, 4]);
    // After a restart only what reached the disk is there; seqs are not reused.
    const b2 = await ReportBuffer.open({ dir, log });
    expect(seqs((await b2.nextBatch(10, newId))?.lines ?? [])).toEqual([1, 4]);
    expect(b2.stats.nextSeq).toBe(5);
  });

  it("the real /dev/full as a segment: ENOSPC from the kernel is handled the same way", async () => {
    const dir = freshDir();
    const { log, lines } = logger();
    const b = await ReportBuffer.open({ dir, log });
    await symlink("/dev/full", join(dir, segmentName(1)));
    expect(await b.append({ i: 1 })).toBe(1);
    expect(lines[0]).toMatch(/^warn: cannot write the report buffer in .* \(ENOSPC\)/);
    expect(b.stats.pending).toBe(1);
  });
});
