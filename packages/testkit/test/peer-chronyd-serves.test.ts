/**
 * Acceptance (a): our client, `queryNtp`, against chronyd serving a known offset.
 * Whole seconds come from libfaketime (exact only beyond ±1 s, see PEERS.md); the
 * sub-second case is a chronyd relay with `offset 0.050`, whose truth is what chronyd
 * itself measures of it (`chronyd -Q`). Each test owns its chronyd instances on free ports.
 */
import { queryNtp } from "@chronosync/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChronydHandle,
  chronydOneShot,
  ensurePeerPrograms,
  startChronydRelay,
  startChronydServer,
} from "../src/index.js";

const started: ChronydHandle[] = [];
async function track<T extends ChronydHandle>(handle: Promise<T>): Promise<T> {
  const h = await handle;
  started.push(h);
  return h;
}

beforeAll(() => ensurePeerPrograms());
afterAll(async () => {
  await Promise.all(started.map((h) => h.stop()));
});

const ms = (ns: bigint) => Number(ns) / 1e6;

async function measureMs(port: number) {
  const result = await queryNtp(
    { host: "127.0.0.1", port },
    { samples: 4, intervalMs: 100, timeoutMs: 1000 },
  );
  return { offsetMs: ms(result.best.offsetNs), delayMs: ms(result.best.delayNs), sample: result.best };
}

describe.concurrent("queryNtp against chronyd", () => {
  for (const faketime of ["+2.5", "-1.75"]) {
    it(`measures a libfaketime ${faketime} s server within 1 ms`, { timeout: 60_000 }, async () => {
      const server = await track(startChronydServer({ faketime }));
      const { offsetMs, delayMs, sample } = await measureMs(server.port);
      console.log(
        `chronyd FAKETIME=${faketime}: offset ${offsetMs.toFixed(3)} ms, delay ${delayMs.toFixed(3)} ms`,
      );
      expect(Math.abs(offsetMs - Number(faketime) * 1000)).toBeLessThan(1);
      expect(sample.stratum).toBe(1);
      expect(sample.leap).toBe(0);
    });
  }

  it("measures a chronyd relay serving +50 ms within 1 ms of chronyd's own reading", {
    timeout: 60_000,
  }, async () => {
    const upstream = await track(startChronydServer());
    const relay = await track(startChronydRelay({ upstreamPort: upstream.port, offsetSeconds: 0.05 }));
    const [ours, chrony] = await Promise.all([
      measureMs(relay.port),
      chronydOneShot({ host: "127.0.0.1", port: relay.port, timeoutS: 20 }),
    ]);
    const truthMs = chrony.offsetSeconds * 1000;
    console.log(
      `chronyd relay offset 0.050: queryNtp ${ours.offsetMs.toFixed(3)} ms, chronyd -Q ${truthMs.toFixed(3)} ms`,
    );
    expect(Math.abs(truthMs - 50)).toBeLessThan(1);
    expect(Math.abs(ours.offsetMs - truthMs)).toBeLessThan(1);
    expect(Math.abs(ours.offsetMs - 50)).toBeLessThan(1);
    expect(ours.sample.stratum).toBe(2);
  });
});
