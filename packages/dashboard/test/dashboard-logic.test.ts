// Pure parts of the dashboard, without a browser: the SSE parser, problem+json → ApiError,
// apiFetch's one refresh on 401 (against a scripted fetch), fleet figures, node search and
// sort, the timestamp paste parser, history ranges and the previous-period alignment, the
// start-up session resume.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NodeSummary } from "../src/features/nodes/api/types.js";
import {
  alignPrevious,
  presetFromSearch,
  presetRange,
  previousRange,
  rangeOf,
  resolutionFor,
} from "../src/features/nodes/history-range.js";
import { filterAndSort } from "../src/features/nodes/node-sort.js";
import type { FleetNode } from "../src/features/overview/api/types.js";
import { fleetStats, percentile } from "../src/features/overview/fleet-stats.js";
import { parseTimestamps } from "../src/features/timestamps/parse-timestamps.js";
import { apiFetch, resumeSession } from "../src/lib/api.js";
import { ApiError, problemToError } from "../src/lib/api-error.js";
import { formatDuration, parseInstant } from "../src/lib/format.js";
import { clearSession, getAccessToken, setAccessToken, useSession } from "../src/lib/session.js";
import { createSseParser } from "../src/lib/sse-parser.js";

describe("SSE parser (HTML §9.2.6)", () => {
  it("splits events across chunks, joins data lines, skips comments, keeps the last id", () => {
    const p = createSseParser();
    expect(p.push(": hello\nevent: report\nda")).toEqual([]);
    expect(p.push("ta: a\ndata: b\nid: 7\n\ndata:c\r\n\r\n")).toEqual([
      { event: "report", data: "a\nb", id: "7" },
      { event: "message", data: "c", id: "7" },
    ]);
    expect(p.lastEventId).toBe("7");
    expect(p.push("event: x\n\n")).toEqual([]);
  });
});

describe("problemToError (RFC 9457)", () => {
  it("uses detail as the message and keeps code, title, field errors and Retry-After", () => {
    const err = problemToError(
      423,
      {
        title: "Locked",
        detail: "account locked after repeated failures",
        code: "ACCOUNT_LOCKED",
        errors: [{ pointer: "/body/username", detail: "x" }],
      },
      "900",
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("account locked after repeated failures");
    expect([err.status, err.code, err.title, err.retryAfter]).toEqual([423, "ACCOUNT_LOCKED", "Locked", 900]);
    expect(err.errors).toHaveLength(1);
  });
  it("falls back to the status for a non-problem body", () => {
    const err = problemToError(503, "<html>bad gateway</html>", null);
    expect(err.code).toBe("DATABASE_UNAVAILABLE");
    expect(err.message).toBe("Request failed (HTTP 503)");
    expect(err.retryAfter).toBeUndefined();
  });
});

describe("apiFetch", () => {
  afterEach(() => vi.unstubAllGlobals());
  const json = (status: number, body: unknown, type = "application/json") =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });

  it("refreshes once on 401 and retries with the new bearer token", async () => {
    setAccessToken("old");
    const calls: { url: string; auth: string | null }[] = [];
    const answers = [
      json(401, { detail: "expired", code: "UNAUTHORIZED" }, "application/problem+json"),
      json(200, { accessToken: "new", expiresIn: 900 }),
      json(200, { nodes: [] }),
    ];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      calls.push({ url, auth: new Headers(init.headers).get("Authorization") });
      return answers.shift();
    });
    expect(await apiFetch("/api/nodes")).toEqual({ nodes: [] });
    expect(calls).toEqual([
      { url: "/api/nodes", auth: "Bearer old" },
      { url: "/api/auth/refresh", auth: null },
      { url: "/api/nodes", auth: "Bearer new" },
    ]);
    expect(getAccessToken()).toBe("new");
  });

  it("signs out when the refresh is refused, and throws the problem detail", async () => {
    setAccessToken("old");
    const answers = [
      json(401, { detail: "expired token" }, "application/problem+json"),
      json(401, { detail: "missing, used or expired refresh token" }, "application/problem+json"),
      json(401, { detail: "expired token" }, "application/problem+json"),
    ];
    vi.stubGlobal("fetch", async () => answers.shift());
    await expect(apiFetch("/api/nodes")).rejects.toMatchObject({ status: 401, message: "expired token" });
    expect(useSession.getState().status).toBe("signed-out");
    expect(answers).toHaveLength(1);
  });

  it("resumes a session once for concurrent callers, and signs out when the cookie is refused", async () => {
    useSession.setState({ status: "unknown", user: undefined });
    const b64 = (v: unknown) => btoa(JSON.stringify(v));
    const token = `${b64({ alg: "none" })}.${b64({ username: "ada", role: "viewer" })}.x`;
    let calls = 0;
    vi.stubGlobal("fetch", async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return json(200, { accessToken: token, expiresIn: 900 });
    });
    // main.tsx at load and the auth guard once mounted share one refresh.
    expect(await Promise.all([resumeSession(), resumeSession()])).toEqual([true, true]);
    expect(calls).toBe(1);
    expect(useSession.getState()).toMatchObject({ status: "signed-in", user: { username: "ada" } });
    clearSession();
    useSession.setState({ status: "unknown", user: undefined });
    vi.stubGlobal("fetch", async () => json(401, { detail: "no cookie" }, "application/problem+json"));
    expect(await resumeSession()).toBe(false);
    expect(useSession.getState().status).toBe("signed-out");
  });

  it("takes over the refresh index.html sent at load, once (the server rotates the cookie)", async () => {
    useSession.setState({ status: "unknown", user: undefined });
    const b64 = (v: unknown) => btoa(JSON.stringify(v));
    const token = `${b64({ alg: "none" })}.${b64({ username: "bo", role: "admin" })}.x`;
    const scope = globalThis as { __chronosyncRefresh?: Promise<Response> };
    scope.__chronosyncRefresh = Promise.resolve(json(200, { accessToken: token, expiresIn: 900 }));
    const sent: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      sent.push(url);
      return json(401, { detail: "refresh token reused" }, "application/problem+json");
    });
    expect(await resumeSession()).toBe(true);
    expect(sent).toEqual([]);
    expect(scope.__chronosyncRefresh).toBeUndefined();
    expect(getAccessToken()).toBe(token);
    // Later refreshes (an expired access token) send their own request.
    expect(await resumeSession()).toBe(false);
    expect(sent).toEqual(["/api/auth/refresh"]);
  });

  it("turns a failed connection into NETWORK_FAILURE", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(apiFetch("/api/nodes", { auth: false })).rejects.toMatchObject({
      code: "NETWORK_FAILURE",
      status: 0,
    });
  });
});

const node = (id: string, offsetNs: number | null, extra: Partial<FleetNode> = {}): FleetNode => ({
  id,
  hostname: id,
  state: "ok",
  offsetNs,
  boundNs: 1000,
  policyId: "default",
  ...extra,
});
const POLICIES = [
  { id: "mifid", toleranceNs: 1_000_000, silentAfterS: 60 },
  { id: "loose", toleranceNs: 50_000, silentAfterS: 60 },
];

describe("fleet figures", () => {
  it("computes mean and p99 |offset|, tolerance shares, state counts, worst nodes, distribution", () => {
    const nodes = [
      node("a", -2_000_000, { policyId: "mifid" }),
      node("b", 500, { policyId: "mifid" }),
      node("c", 40_000, { state: "out-of-tolerance", policyId: "loose" }),
      node("d", null, { state: "silent", policyId: "loose" }),
      node("e", 7, { policyId: "unknown-policy" }),
    ];
    const s = fleetStats(nodes, POLICIES, 2);
    expect(s.reporting).toBe(4);
    expect(s.meanAbsNs).toBeCloseTo((2_000_000 + 500 + 40_000 + 7) / 4);
    expect(s.p99AbsNs).toBe(2_000_000);
    expect(s.withinTolerance).toEqual([
      { policy: "mifid", toleranceNs: 1_000_000, share: 0.5, nodes: 2 },
      { policy: "loose", toleranceNs: 50_000, share: 1, nodes: 1 },
    ]);
    expect(s.byStatus).toEqual({ ok: 3, "out-of-tolerance": 1, silent: 1 });
    expect(s.worst.map((n) => n.id)).toEqual(["a", "c"]);
    expect(s.distribution.map((b) => b.count)).toEqual([2, 0, 1, 0, 1, 0]);
  });
  it("nearest-rank percentile", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 99), percentile(xs, 50), percentile([], 99)]).toEqual([99, 50, undefined]);
  });
});

describe("node search and sort", () => {
  const rows: NodeSummary[] = ["b", "a", "c"].map((id, i) => ({
    id,
    hostname: `node-${id}`,
    agentVersion: i === 2 ? "0.2.0" : "0.1.0",
    policyId: "default",
    state: ["ok", "out-of-tolerance", "silent"][i] ?? "ok",
    syncStatus: null,
    offsetNs: [-300, 100, null][i] ?? null,
    boundNs: 10,
    frequencyPpm: null,
    cpuPercent: null,
    rssBytes: null,
    lastReportAt: null,
    enrolledAt: "2026-11-29T00:00:00Z",
    droppedReports: 0,
  }));
  it("sorts by |offset| with unmeasured nodes last, and by state severity", () => {
    expect(filterAndSort(rows, "", { key: "offsetNs", dir: "asc" }).map((n) => n.id)).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(filterAndSort(rows, "", { key: "offsetNs", dir: "desc" }).map((n) => n.id)).toEqual([
      "c",
      "b",
      "a",
    ]);
    expect(filterAndSort(rows, "", { key: "state", dir: "asc" }).map((n) => n.id)).toEqual(["a", "c", "b"]);
  });
  it("searches host name, state and version", () => {
    expect(filterAndSort(rows, "0.2", { key: "hostname", dir: "asc" }).map((n) => n.id)).toEqual(["c"]);
    expect(filterAndSort(rows, "OUT-OF", { key: "hostname", dir: "asc" }).map((n) => n.id)).toEqual(["a"]);
  });
});

describe("timestamp paste parser", () => {
  it("reads epoch ms, epoch ns and RFC 3339 with optional precision and source", () => {
    const r = parseTimestamps(
      "# comment\n1703054123456 0.001 ntp://pool.ntp.org\n\n1703054123456789012\n2023-12-20T06:35:23.456789Z, 0.5",
    );
    expect(r.errors).toEqual([]);
    expect(r.timestamps).toEqual([
      { value: 1703054123456, precision: 0.001, source: "ntp://pool.ntp.org" },
      { value: "1703054123456789012" },
      { value: "2023-12-20T06:35:23.456789Z", precision: 0.5 },
    ]);
  });
  it("names the bad lines", () => {
    const r = parseTimestamps("yesterday\n1703054123456 -1");
    expect(r.errors.map((e) => e.line)).toEqual([1, 2]);
    expect(r.timestamps).toEqual([]);
  });
});

describe("history ranges", () => {
  it("picks a rollup by span and computes the previous period", () => {
    expect([resolutionFor(3_600_000), resolutionFor(86_400_000), resolutionFor(30 * 86_400_000)]).toEqual([
      "raw",
      "1m",
      "1h",
    ]);
    const r = rangeOf(Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 3));
    expect(previousRange(r)).toEqual({
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-01-02T00:00:00.000Z",
      resolution: "1m",
    });
  });
  it("ends a preset on the next 10 s boundary, so a prefetch and the page agree on the range", () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 3, 400);
    expect(presetRange("24h", at)).toEqual({
      from: "2026-11-28T12:00:10.000Z",
      to: "2026-11-29T12:00:10.000Z",
      resolution: "1m",
    });
    expect(presetRange("1h", at + 6_000)).toEqual(presetRange("1h", at));
    expect(presetRange("1h", Date.UTC(2026, 10, 29, 12, 0, 10)).to).toBe("2026-11-29T12:00:10.000Z");
  });
  it("reads a node page's preset from its link (?range=7d), else 24 h", () => {
    expect(presetFromSearch("?range=7d")).toBe("7d");
    expect(presetFromSearch("range=30d&x=1")).toBe("30d");
    expect(presetFromSearch("")).toBe("24h");
    expect(presetFromSearch("?range=3y")).toBe("24h");
    expect(presetFromSearch("?range=custom")).toBe("24h");
  });
  it("aligns the previous period onto the current axis, NaN where it has no data", () => {
    const day = 86_400_000;
    const cur = [0, 60_000, 120_000].map((t) => ({ time: new Date(day + t).toISOString(), offsetNs: 1 }));
    const prev = [0, 61_000].map((t, i) => ({ time: new Date(t).toISOString(), offsetNs: 10 + i }));
    const aligned = alignPrevious(cur, prev, day, 5_000);
    expect(aligned.map((p) => p.offsetNs)).toEqual([10, 11, Number.NaN]);
    expect(aligned.map((p) => p.time)).toEqual(cur.map((p) => p.time));
  });
});

describe("formatting", () => {
  it("formats signed durations and parses nanosecond RFC 3339", () => {
    expect([
      formatDuration(-1_234_000),
      formatDuration(840_000),
      formatDuration(12),
      formatDuration(null),
    ]).toEqual(["−1.23 ms", "840 µs", "12 ns", "—"]);
    expect(parseInstant("2026-11-29T17:00:00.123456789Z")).toBe(Date.UTC(2026, 10, 29, 17, 0, 0, 123));
  });
});
