// The report buffer's seqs after a lost buffer (docs/report-protocol.md §3, "Seqs after a
// lost buffer"), on real files: a buffer created empty is unconfirmed until rebased on the
// server's last seq; the rebase moves every report (segment files rewritten, renamed) above
// it, survives a reopen, and later appends continue; a confirmed buffer keeps its pending
// seqs and only fast-forwards new ones. Cursors written before the field count as confirmed.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportBuffer, segmentName } from "../src/index.js";

let root: string;
let n = 0;
const freshDir = () => join(root, `b${++n}`);
let ids = 0;
const newId = () => `batch-${++ids}`;
const seqs = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
const quiet = () => {
  const lines: string[] = [];
  return { lines, log: (level: string, m: string) => lines.push(`${level}: ${m}`) };
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "chronosync-report-rebase-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("ReportBuffer.rebase", () => {
  it("a new buffer is unconfirmed (persisted at once); rebase moves every report above the server's seq", async () => {
    const dir = freshDir();
    const { log } = quiet();
    const b = await ReportBuffer.open({ dir, log, maxBytes: 65_536, segmentBytes: 4096 });
    expect(b.seqConfirmed).toBe(false);
    // Enough reports for several segments.
    const pad = "x".repeat(300);
    for (let i = 1; i <= 40; i++) expect(await b.append({ i, pad })).toBe(i);
    expect((await readdir(dir)).filter((f) => f.startsWith("seg-")).length).toBeGreaterThan(2);
    // A restart before the server was reached: still unconfirmed.
    const again = await ReportBuffer.open({ dir, log, maxBytes: 65_536, segmentBytes: 4096 });
    expect(again.seqConfirmed).toBe(false);
    expect(again.stats.nextSeq).toBe(41);

    expect(await again.rebase(1000)).toEqual({ shift: 1000, nextSeq: 1041 });
    expect(again.seqConfirmed).toBe(true);
    expect(again.stats).toMatchObject({ pending: 40, ackedSeq: 1000, nextSeq: 1041 });
    const names = (await readdir(dir)).filter((f) => f.startsWith("seg-")).sort();
    expect(names[0]).toBe(segmentName(1001));
    for (const name of names) {
      const text = await readFile(join(dir, name), "utf8");
      const fileSeqs = text
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      expect(fileSeqs[0]).toBe(Number(name.slice(4, 20)));
      expect(Math.min(...fileSeqs)).toBeGreaterThan(1000);
    }
    const batch = await again.nextBatch(500, newId);
    expect(batch && seqs(batch.lines)).toEqual(Array.from({ length: 40 }, (_, i) => 1001 + i));
    // The report bodies are intact.
    expect(batch && (JSON.parse(batch.lines[6]!) as { i: number }).i).toBe(7);
    expect(await again.append({ i: 41 })).toBe(1041);
    await again.ack(batch!);

    // A reopen: confirmed, the seqs continue, nothing pending below 1041.
    const reopened = await ReportBuffer.open({ dir, log, maxBytes: 65_536, segmentBytes: 4096 });
    expect(reopened.seqConfirmed).toBe(true);
    expect(reopened.stats).toMatchObject({ pending: 1, ackedSeq: 1040, nextSeq: 1042 });
    const rest = await reopened.nextBatch(500, newId);
    expect(rest && seqs(rest.lines)).toEqual([1041]);
    // A second rebase is a no-op for a confirmed buffer the server has not passed.
    expect(await reopened.rebase(1040)).toEqual({ shift: 0, nextSeq: 1042 });
  });

  it("a new node (server's last seq 0): confirmed, nothing moves", async () => {
    const dir = freshDir();
    const b = await ReportBuffer.open({ dir, log: quiet().log });
    await b.append({});
    await b.append({});
    expect(await b.rebase(0)).toEqual({ shift: 0, nextSeq: 3 });
    expect(b.seqConfirmed).toBe(true);
    const batch = await b.nextBatch(10, newId);
    expect(batch && seqs(batch.lines)).toEqual([1, 2]);
  });

  it("dropped reports of an unconfirmed buffer move too: the count stays, their seqs are never reused", async () => {
    const dir = freshDir();
    const b = await ReportBuffer.open({ dir, log: quiet().log, maxBytes: 65_536, segmentBytes: 4096 });
    const big = "y".repeat(9000);
    for (let i = 1; i <= 10; i++) await b.append({ i, big });
    const before = b.stats;
    expect(before.dropped).toBeGreaterThan(0);
    const { shift } = await b.rebase(500);
    expect(shift).toBe(500);
    expect(b.stats.dropped).toBe(before.dropped);
    const batch = await b.nextBatch(500, newId);
    expect(batch && seqs(batch.lines)[0]).toBe(500 + 10 - before.pending + 1);
    expect(batch?.dropped).toBe(before.dropped);
    const reopened = await ReportBuffer.open({ dir, log: quiet().log, maxBytes: 65_536, segmentBytes: 4096 });
    expect(reopened.stats.nextSeq).toBe(511);
  });

  it("a confirmed buffer the server has passed keeps its pending seqs and continues above the server's", async () => {
    const dir = freshDir();
    const { log, lines } = quiet();
    const b = await ReportBuffer.open({ dir, log });
    await b.rebase(0);
    await b.append({ a: 1 });
    await b.append({ a: 2 });
    expect(await b.rebase(50)).toEqual({ shift: 0, nextSeq: 51 });
    expect(lines.some((l) => l.includes("beyond this buffer's 2: new reports continue at 51"))).toBe(true);
    expect(await b.append({ a: 3 })).toBe(51);
    const batch = await b.nextBatch(10, newId);
    expect(batch && seqs(batch.lines)).toEqual([1, 2, 51]);
  });

  it("a cursor from before the field (an upgraded agent) counts as confirmed", async () => {
    const dir = freshDir();
    const b = await ReportBuffer.open({ dir, log: quiet().log });
    await b.append({});
    await b.close();
    await writeFile(
      join(dir, "cursor.json"),
      '{"version":1,"ackedSeq":0,"droppedThroughSeq":0,"dropped":0,"batch":null}\n',
    );
    const upgraded = await ReportBuffer.open({ dir, log: quiet().log });
    expect(upgraded.seqConfirmed).toBe(true);
    expect(await upgraded.rebase(7)).toEqual({ shift: 0, nextSeq: 8 });
  });
});
