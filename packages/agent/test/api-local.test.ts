// The local HTTP API (issue 3 §5) on a real loopback socket, with a fake provider.
import { request } from "node:http";
import { createServer } from "node:net";
import { ManualClock, NetworkFailureError } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalApi, parseApiListen, startLocalApi } from "../src/index.js";
import { fakeProvider, LOCAL_NS } from "./helpers/fake-provider.js";

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, method: string, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const provider = fakeProvider();
let api: LocalApi;
let port: number;

beforeAll(async () => {
  api = await startLocalApi({ listen: "127.0.0.1:0", provider, clock: new ManualClock(LOCAL_NS) });
  port = api.address.port;
});
afterAll(() => api.close());

describe("startLocalApi", () => {
  it("listens where asked (port 0: a free one)", () => {
    expect(api.address.host).toBe("127.0.0.1");
    expect(port).toBeGreaterThan(0);
  });

  it("GET /v1/now: bounded time, instants as strings and RFC 3339 with 9 digits", async () => {
    const res = await call(port, "GET", "/v1/now");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.endsWith("}\n")).toBe(true);
    expect(JSON.parse(res.body)).toEqual({
      earliest: "2023-11-14T22:13:20.122958023Z",
      latest: "2023-11-14T22:13:20.123958023Z",
      time: "2023-11-14T22:13:20.123458023Z",
      earliestNs: "1700000000122958023",
      latestNs: "1700000000123958023",
      timeNs: "1700000000123458023",
      halfWidthNs: 500000,
      status: "synchronized",
      sources: [
        { id: "ntp://a.example", state: "selected" },
        { id: 'ntp://b.example/"q"\\x', state: "falseticker" },
        { id: "ntp://c.example", state: "unreachable" },
      ],
    });
    expect(provider.asked.at(-1)).toBe(LOCAL_NS);
  });

  it("GET /v1/status: tracking and sources with reach in octal and a score", async () => {
    const res = await call(port, "GET", "/v1/status?verbose=1");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.body)).toEqual({
      tracking: {
        offsetNs: 1234,
        frequencyPpm: -12.5,
        boundNs: 500000,
        status: "synchronized",
        lastUpdate: "2023-11-14T22:13:04.123456789Z",
        systemPeer: "ntp://a.example",
        stratum: 3,
      },
      sources: [
        {
          id: "ntp://a.example",
          state: "selected",
          reach: "377",
          lastOffsetNs: 1500,
          delayNs: 2000000,
          jitterNs: 50000,
          stratum: 2,
          poll: 6,
          falsetickers: 0,
          score: 0.952,
          protocol: "ntp",
          authenticated: false,
        },
        {
          id: 'ntp://b.example/"q"\\x',
          state: "falseticker",
          reach: "17",
          lastOffsetNs: -50000000,
          delayNs: 3000000,
          jitterNs: 1000000,
          stratum: 3,
          poll: 7,
          falsetickers: 8,
          score: 0.125,
          protocol: "ntp",
          authenticated: false,
        },
        {
          id: "ntp://c.example",
          state: "unreachable",
          reach: "0",
          lastOffsetNs: null,
          delayNs: null,
          jitterNs: null,
          stratum: null,
          poll: 10,
          falsetickers: 0,
          score: 0,
          protocol: "ntp",
          authenticated: false,
        },
      ],
    });
  });

  it("GET /metrics: Prometheus text 0.0.4", async () => {
    const res = await call(port, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.body).toContain("chronosync_offset_seconds 0.000001234\n");
    expect(res.body).toContain('chronosync_synchronized{status="synchronized"} 1\n');
  });

  it("HEAD: the GET headers (with Content-Length), no body", async () => {
    const get = await call(port, "GET", "/v1/status");
    const head = await call(port, "HEAD", "/v1/status");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(get.body)));
  });

  it("404 for an unknown path, as problem+json", async () => {
    const res = await call(port, "GET", "/v1/nope?x=1");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(JSON.parse(res.body)).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "no resource at /v1/nope",
      instance: "/v1/nope",
    });
  });

  it("405 with Allow for another method, as problem+json", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const res = await call(port, method, "/v1/now");
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD");
      expect(res.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
      expect(JSON.parse(res.body)).toEqual({
        type: "about:blank",
        title: "Method Not Allowed",
        status: 405,
        detail: `${method} is not allowed on /v1/now (allowed: GET, HEAD)`,
        instance: "/v1/now",
      });
    }
  });

  it("500 as problem+json when the provider throws", async () => {
    const broken = await startLocalApi({
      listen: "127.0.0.1:0",
      clock: new ManualClock(LOCAL_NS),
      provider: {
        now: () => {
          throw new Error("engine broke\nsecond line");
        },
        status: () => {
          throw new Error("engine broke");
        },
      },
    });
    try {
      const res = await call(broken.address.port, "GET", "/v1/now");
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toMatchObject({ status: 500, detail: "engine broke" });
    } finally {
      await broken.close();
    }
  });

  it("rejects with NetworkFailureError naming the address when the port is taken", async () => {
    const err = await startLocalApi({
      listen: `127.0.0.1:${port}`,
      provider,
      clock: new ManualClock(LOCAL_NS),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkFailureError);
    expect((err as NetworkFailureError).code).toBe("NETWORK_FAILURE");
    expect((err as Error).message).toBe(
      `cannot listen on 127.0.0.1:${port} for the local API: address already in use (EADDRINUSE)`,
    );
  });

  it("rejects a port taken by another kind of server too", async () => {
    const other = createServer();
    await new Promise<void>((done) => other.listen(0, "127.0.0.1", done));
    const taken = (other.address() as { port: number }).port;
    try {
      await expect(
        startLocalApi({ listen: `127.0.0.1:${taken}`, provider, clock: new ManualClock(LOCAL_NS) }),
      ).rejects.toThrow(/address already in use/);
    } finally {
      await new Promise<void>((done) => other.close(() => done()));
    }
  });

  it("close() is idempotent and frees the port", async () => {
    const a = await startLocalApi({ listen: "127.0.0.1:0", provider, clock: new ManualClock(LOCAL_NS) });
    await call(a.address.port, "GET", "/v1/now");
    await Promise.all([a.close(), a.close()]);
    await expect(call(a.address.port, "GET", "/v1/now")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("parseApiListen", () => {
  it("reads host:port and [v6]:port", () => {
    expect(parseApiListen("127.0.0.1:8123")).toEqual({ host: "127.0.0.1", port: 8123 });
    expect(parseApiListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseApiListen("localhost:80")).toEqual({ host: "localhost", port: 80 });
  });

  it("refuses malformed addresses with NetworkFailureError", () => {
    for (const bad of ["127.0.0.1", "::1:80", "[x]:80", "h:99999", ":80", "h:"]) {
      expect(() => parseApiListen(bad), bad).toThrow(NetworkFailureError);
    }
  });
});
