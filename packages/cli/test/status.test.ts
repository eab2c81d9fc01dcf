// `chronosync status` in-process against a real local API with a fake provider.
import { createServer } from "node:net";
import { type LocalApi, startLocalApi } from "@chronosync/agent";
import { ManualClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, LOCAL_NS } from "../../agent/test/helpers/fake-provider.js";
import { type ChronydDoc, formatChronyd, runStatus, STATUS_HELP } from "../src/commands/status.js";
import type { CliContext } from "../src/context.js";

function capture(): CliContext & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    waitForStop: () => new Promise<string>(() => {}),
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs `status` the way main() does: CliErrors become one line and their exit status. */
async function run(args: string[]) {
  const ctx = capture();
  let code: number;
  try {
    code = await runStatus(args, ctx);
  } catch (e) {
    const err = e as { message: string; exitCode?: number };
    if (err.exitCode === undefined) throw e;
    ctx.err(`chronosync: ${err.message}\n`);
    code = err.exitCode;
  }
  return { code, stdout: ctx.stdout(), stderr: ctx.stderr() };
}

let api: LocalApi;
let where: string;

beforeAll(async () => {
  api = await startLocalApi({
    listen: "127.0.0.1:0",
    provider: fakeProvider(),
    clock: new ManualClock(LOCAL_NS),
  });
  where = `127.0.0.1:${api.address.port}`;
});
afterAll(() => api.close());

describe("chronosync status", () => {
  it("renders tracking and a sources table like chronyc", async () => {
    const r = await run(["--api", where]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "status       synchronized",
        "system peer  ntp://a.example",
        "stratum      3",
        "offset       +0.001 ms (system clock behind)",
        "frequency    -12.500 ppm (slow)",
        "bound        ±0.500 ms",
        "last update  2023-11-14T22:13:04.123456789Z",
        "",
        "   source                 state        stratum  poll  reach  offset ms  delay ms  jitter ms  score",
        "*  ntp://a.example        selected           2     6    377     +0.002     2.000      0.050  0.952",
        'x  ntp://b.example/"q"\\x  falseticker        3     7     17    -50.000     3.000      1.000  0.125',
        "?  ntp://c.example        unreachable        -    10      0          -         -          -  0.000",
        "",
      ].join("\n"),
    );
  });

  it("--json prints the document as received", async () => {
    const r = await run(["--api", where, "--json"]);
    expect(r.code).toBe(0);
    const res = await fetch(`http://${where}/v1/status`);
    expect(r.stdout).toBe(await res.text());
    const doc = JSON.parse(r.stdout);
    expect(doc.tracking.systemPeer).toBe("ntp://a.example");
    expect(doc.sources[0]).toMatchObject({ id: "ntp://a.example", reach: "377", score: 0.952 });
  });

  it("connection refused: one line, exit 6", async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((done) => probe.close(() => done()));
    const r = await run(["--api", `127.0.0.1:${port}`]);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `chronosync: no agent answers at 127.0.0.1:${port} (is "chronosync agent" running?)\n`,
    );
  });

  it("the default address is 127.0.0.1:8123", async () => {
    const ctx = capture();
    const code = await runStatus(["--help"], ctx);
    expect(code).toBe(0);
    expect(ctx.stdout()).toBe(STATUS_HELP);
    expect(STATUS_HELP).toContain("default 127.0.0.1:8123");
  });

  it("usage errors exit 2", async () => {
    for (const args of [["--api", "nohost"], ["--api", "127.0.0.1:0"], ["extra"], ["--bogus"]]) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    }
  });

  it("a non-agent HTTP answer is a network failure, exit 7", async () => {
    const http = await import("node:http");
    const other = http.createServer((_req, res) => res.writeHead(404).end("nope"));
    await new Promise<void>((done) => other.listen(0, "127.0.0.1", done));
    const port = (other.address() as { port: number }).port;
    try {
      const bad = await run(["--api", `127.0.0.1:${port}`]);
      expect(bad.code).toBe(7);
      expect(bad.stderr).toBe(`chronosync: the agent at 127.0.0.1:${port} answered HTTP 404\n`);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((done) => other.close(() => done()));
    }
  });
});

describe("formatChronyd", () => {
  const up: ChronydDoc = {
    available: true,
    via: "/run/chrony/chronyd.sock",
    ageMs: 1234,
    reference: "192.0.2.1",
    referenceId: "C0000201",
    stratum: 2,
    systemTimeOffsetNs: 50_000_400,
    frequencyPpm: -3.25,
    rootDelayNs: 31_000,
    rootDispersionNs: 123_456,
    leap: "normal",
    sources: [
      {
        address: "192.0.2.1",
        mode: "client",
        state: "sync",
        stratum: 1,
        poll: 6,
        reach: "377",
        lastSampleAgoS: 12,
        offsetNs: -1_500,
        errorNs: 20_000,
      },
      {
        address: "192.0.2.2",
        mode: "client",
        state: "unreach",
        stratum: 0,
        poll: 10,
        reach: "0",
        lastSampleAgoS: null,
        offsetNs: 0,
        errorNs: 0,
      },
    ],
    agent: { offsetNs: 1_234, status: "synchronized" },
    differenceNs: 1_234 - 50_000_400,
  };

  it("renders chronyd's view next to the agent's, then chronyd's sources like chronyc", () => {
    expect(formatChronyd(up, 0)).toEqual([
      "System clock according to chronyd: +50.000 ms, system clock behind (agent: +0.001 ms, difference -49.999 ms)",
      "  chronyd     /run/chrony/chronyd.sock (read 1.2 s ago)",
      "  reference   192.0.2.1 (C0000201), stratum 2",
      "  frequency   -3.250 ppm",
      "  root delay  0.031 ms, dispersion 0.123 ms",
      "  leap        normal",
      "     chronyd source  state    stratum  poll  reach  last rx s  offset ms  error ms",
      "  *  192.0.2.1       sync           1     6    377         12     -0.002     0.020",
      "  ?  192.0.2.2       unreach        0    10      0          -     +0.000     0.000",
    ]);
  });

  it("says why chronyd is unavailable, still with the agent's offset", () => {
    expect(
      formatChronyd({ available: false, reason: "connect ENOENT /run/chrony/chronyd.sock" }, -2_000),
    ).toEqual([
      "System clock according to chronyd: unavailable (agent: -0.002 ms): connect ENOENT /run/chrony/chronyd.sock",
    ]);
  });
});
