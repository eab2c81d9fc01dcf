// Spawns the built CLI (`npx tsc -b` first) against real servers on loopback: our own
// `serve ntp`, chronyd, and fake servers that stay silent or send a kiss-o'-death.

import { systemClock } from "@chronosync/core";
import { NtpResponder } from "@chronosync/protocols";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  oneErrorLine,
  runCli,
  startFakeServer,
  startServe,
  stopAllServes,
  unusedUdpPort,
} from "./helpers/run-cli.js";

// A failed assertion must not leave a `serve` running after its test.
afterEach(stopAllServes);

const RFC3339_NS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const JSON_KEYS = [
  "protocol",
  "target",
  "address",
  "offsetNs",
  "delayNs",
  "stratum",
  "refId",
  "leap",
  "precision",
  "rootDelayNs",
  "rootDispersionNs",
  "samples",
  // Issue 6: appended after issue 2's keys.
  "authenticated",
  "uncertaintyNs",
];

function parseQueryJson(stdout: string): Record<string, unknown> & { samples: Record<string, unknown>[] } {
  expect(stdout.endsWith("\n")).toBe(true);
  expect(stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(stdout);
}

function checkQueryJson(doc: ReturnType<typeof parseQueryJson>, samples: number): void {
  expect(Object.keys(doc)).toEqual(JSON_KEYS);
  expect(doc.protocol).toBe("ntp");
  expect(doc.address).toBe("127.0.0.1");
  for (const key of [
    "offsetNs",
    "delayNs",
    "stratum",
    "leap",
    "precision",
    "rootDelayNs",
    "rootDispersionNs",
  ]) {
    expect(Number.isInteger(doc[key]), key).toBe(true);
  }
  expect(doc.samples).toHaveLength(samples);
  for (const s of doc.samples) {
    expect(Object.keys(s)).toEqual(["offsetNs", "delayNs", "t1", "t2", "t3", "t4"]);
    for (const t of ["t1", "t2", "t3", "t4"]) expect(s[t]).toMatch(RFC3339_NS);
  }
  const best = doc.samples.reduce((a, b) => ((b.delayNs as number) < (a.delayNs as number) ? b : a));
  expect(doc.delayNs).toBe(best.delayNs);
  expectOwnClock(doc);
}

/**
 * A query of a server serving this machine's own clock: the true offset is 0, so the
 * measured one is off by at most half the round trip (a loaded machine delays one leg
 * more than the other), and small.
 */
function expectOwnClock(doc: Record<string, unknown>): void {
  const offset = Math.abs(doc.offsetNs as number);
  expect(offset).toBeLessThanOrEqual((doc.delayNs as number) / 2 + 20_000);
  expect(offset).toBeLessThan(10_000_000);
}

describe("chronosync serve ntp + query", () => {
  it("answers query --json with the exact keys, |offset| ≤ delay / 2, then exits 0 on SIGTERM", async () => {
    const serve = await startServe();
    expect(serve.stdout()).toMatch(
      /^chronosync: serving NTP on 127\.0\.0\.1:\d+ \(stratum 10, refid 127\.127\.1\.1, rate limiting on, transport (native-batch|dgram)\)\n$/,
    );
    const run = await runCli([
      "query",
      `ntp://127.0.0.1:${serve.port}`,
      "--json",
      "--samples",
      "4",
      "--interval",
      "20",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const doc = parseQueryJson(run.stdout);
    checkQueryJson(doc, 4);
    expect(doc.target).toBe(`ntp://127.0.0.1:${serve.port}`);
    expect(doc.stratum).toBe(10);
    expect(doc.refId).toBe("127.127.1.1");
    expect(doc.leap).toBe(0);

    const exit = await serve.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(serve.stdout()).toMatch(
      /chronosync: stopped by SIGTERM: received 4, answered 4, rate-limited 0, ignored 0, send failures 0\n$/,
    );
    expect(serve.stderr()).toBe("");
  });

  it("prints a readable table with stratum 1 LOCL, and exits 0 on SIGINT", async () => {
    const serve = await startServe(["--stratum", "1", "--no-rate-limit"]);
    expect(serve.stdout()).toMatch(/\(stratum 1, refid LOCL, rate limiting off, transport [a-z-]+\)/);
    const run = await runCli(["query", `127.0.0.1:${serve.port}`, "--samples", "3", "--interval", "0"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^server +ntp://127\\.0\\.0\\.1:${serve.port} \\(127\\.0\\.0\\.1:${serve.port}\\)`),
    );
    expect(run.stdout).toMatch(/^stratum +1$/m);
    expect(run.stdout).toMatch(/^refid +LOCL$/m);
    expect(run.stdout).toMatch(/^offset +[+-]0\.\d{3} ms \(/m);
    const rows = run.stdout.split("\n").filter((l) => /^\s*\*?\s+\d+ +\d{4}-/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.trimStart().startsWith("*"))).toHaveLength(1);
    expect((await serve.stop("SIGINT")).code).toBe(0);
  });

  it("serves from 2 worker processes on one socket and adds up their counters", async () => {
    const serve = await startServe(["--workers", "2", "--no-rate-limit"]);
    expect(serve.stdout()).toContain("rate limiting off, 2 workers, transport dgram)");
    const run = await runCli([
      "query",
      `127.0.0.1:${serve.port}`,
      "--json",
      "--samples",
      "8",
      "--interval",
      "0",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).samples).toHaveLength(8);
    expect(await serve.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(serve.stdout()).toMatch(
      /stopped by SIGTERM: received 8, answered 8, rate-limited 0, ignored 0, send failures 0 \(127\.0\.0\.1:\d+, 2 workers\)\n$/,
    );
  });

  it("serves with node:dgram when asked to", async () => {
    const serve = await startServe(["--transport", "dgram"]);
    expect(serve.stdout()).toContain(", transport dgram)");
    const run = await runCli([
      "query",
      `127.0.0.1:${serve.port}`,
      "--json",
      "--samples",
      "2",
      "--interval",
      "10",
    ]);
    expect(run.code).toBe(0);
    expectOwnClock(JSON.parse(run.stdout));
    expect((await serve.stop()).code).toBe(0);
  });

  it("queries over IPv6 when the server listens on ::1", async () => {
    const serve = await startServe([], "[::1]:0");
    expect(serve.stdout()).toMatch(/serving NTP on \[::1\]:\d+ /);
    const run = await runCli(["query", `ntp://[::1]:${serve.port}`, "--json", "--samples", "1"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).address).toBe("::1");
    expect((await serve.stop()).code).toBe(0);
  });

  it("skips a lost reply: the other samples still make the query (exit 0)", async () => {
    const responder = new NtpResponder({
      clock: systemClock,
      reference: {
        leap: 0,
        stratum: 1,
        referenceId: 0x4c4f434c,
        referenceTime: systemClock.now(),
        rootDelayNs: 0n,
        rootDispersionNs: 0n,
        precision: -20,
      },
      rateLimit: false,
    });
    let seen = 0;
    // Drops the first request, answers the rest: a lost datagram.
    const lossy = await startFakeServer((msg) =>
      seen++ === 0 ? null : responder.respond(msg, systemClock.now(), "c"),
    );
    try {
      const run = await runCli([
        "query",
        `ntp://127.0.0.1:${lossy.port}`,
        "--json",
        "--samples",
        "3",
        "--interval",
        "0",
        "--timeout",
        "300",
      ]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).samples).toHaveLength(2);
      expect(seen).toBe(3);
    } finally {
      await lossy.close();
    }
  });

  it("fails with exit 7 and one line when the port is taken", async () => {
    const busy = await startFakeServer(() => null);
    const run = await runCli(["serve", "ntp", "--listen", `127.0.0.1:${busy.port}`]);
    await busy.close();
    expect(run.code).toBe(7);
    expect(oneErrorLine(run)).toBe(
      `chronosync: cannot listen on 127.0.0.1:${busy.port}: address already in use`,
    );
  });
});

describe("chronosync query against chronyd", () => {
  let chronyd: ChronydHandle;
  beforeAll(async () => {
    chronyd = await startChronydServer();
  });
  afterAll(async () => {
    await chronyd?.stop();
  });

  it("measures |offset| ≤ delay / 2 against chronyd's clock (the same system clock)", async () => {
    const run = await runCli(["query", `ntp://127.0.0.1:${chronyd.port}`, "--json", "--interval", "50"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const doc = parseQueryJson(run.stdout);
    checkQueryJson(doc, 4);
    expect(doc.stratum).toBe(1);
    expect(doc.refId).toBe("127.127.1.1"); // chronyd's local reference, even at stratum 1
  });
});

describe("chronosync query against a chronyd 2.5 s ahead (libfaketime)", () => {
  let chronyd: ChronydHandle;
  beforeAll(async () => {
    chronyd = await startChronydServer({ faketime: "+2.5" });
  });
  afterAll(async () => {
    await chronyd?.stop();
  });

  it("reports offset ≈ +2.5 s: positive when the server is ahead", async () => {
    const run = await runCli(["query", `ntp://127.0.0.1:${chronyd.port}`, "--json", "--interval", "50"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    // The true offset is exactly +2.5 s: off by at most half the round trip.
    expect(Math.abs(doc.offsetNs - 2_500_000_000)).toBeLessThanOrEqual(doc.delayNs / 2 + 20_000);
    expect(Math.abs(doc.offsetNs - 2_500_000_000)).toBeLessThan(10_000_000);
    // Two samples: one lost datagram on a loaded machine must not empty the table.
    const table = await runCli(["query", `ntp://127.0.0.1:${chronyd.port}`, "--samples", "2"]);
    expect(table.stdout).toMatch(/^offset +\+2(499|500)\.\d{3} ms \(server ahead;/m);
  });
});

describe("chronosync query failures: one line on stderr, distinct exit codes", () => {
  it("exit 3 when the name does not resolve", async () => {
    const run = await runCli(["query", "x.invalid"]);
    expect(run.code).toBe(3);
    expect(oneErrorLine(run)).toBe('chronosync: cannot resolve "x.invalid"');
  });

  it("exit 4 when nothing answers within the timeout", async () => {
    const silent = await startFakeServer(() => null);
    const run = await runCli([
      "query",
      `ntp://127.0.0.1:${silent.port}`,
      "--timeout",
      "300",
      "--samples",
      "2",
    ]);
    await silent.close();
    expect(run.code).toBe(4);
    expect(oneErrorLine(run)).toBe(`chronosync: no reply from 127.0.0.1:${silent.port} within 300 ms`);
  });

  it("exit 5 on a kiss-o'-death", async () => {
    const kisser = await startFakeServer((request) => {
      const kiss = Buffer.alloc(48);
      kiss[0] = (3 << 6) | (4 << 3) | 4; // leap 3, version 4, mode 4 (server)
      kiss[1] = 0; // stratum 0: kiss-o'-death
      kiss.write("RATE", 12, "ascii");
      request.copy(kiss, 24, 40, 48); // origin = the request's transmit timestamp
      return kiss;
    });
    const run = await runCli(["query", `ntp://127.0.0.1:${kisser.port}`, "--timeout", "1000"]);
    await kisser.close();
    expect(run.code).toBe(5);
    expect(oneErrorLine(run)).toBe(
      `chronosync: server sent kiss-o'-death RATE (from 127.0.0.1:${kisser.port})`,
    );
  });

  it("exit 6 when the port is closed (ICMP port unreachable)", async () => {
    const port = await unusedUdpPort();
    const run = await runCli(["query", `127.0.0.1:${port}`, "--timeout", "2000"]);
    expect(run.code).toBe(6);
    expect(oneErrorLine(run)).toBe(
      `chronosync: connection refused by 127.0.0.1:${port} (nothing listens there)`,
    );
  });
});
