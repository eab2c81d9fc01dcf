// Issue 3 §11, "a port already in use": keepLocalApi logs one clear line, keeps retrying with
// backoff, and listens once the address is free; close() stops the retries.
import { createServer, type Server } from "node:net";
import { ManualClock } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { keepLocalApi, localApiRetryDelayMs } from "../src/index.js";
import { fakeProvider, LOCAL_NS } from "./helpers/fake-provider.js";

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, port: (server.address() as { port: number }).port };
}

describe("localApiRetryDelayMs", () => {
  it("doubles from 1 s up to 60 s, with ±25 % jitter", () => {
    expect([1, 2, 3, 6, 7, 50].map((n) => localApiRetryDelayMs(n, {}, () => 0.5))).toEqual([
      1000, 2000, 4000, 32_000, 60_000, 60_000,
    ]);
    expect(localApiRetryDelayMs(1, {}, () => 0)).toBe(750);
    expect(localApiRetryDelayMs(1, {}, () => 0.999_999)).toBe(1250);
  });
});

describe("keepLocalApi", () => {
  it("address in use: one warning, retries, listens once the port is free and logs it", async () => {
    const busy = await occupy();
    const logs: string[] = [];
    const attempts: number[] = [];
    const api = await keepLocalApi({
      listen: `127.0.0.1:${busy.port}`,
      provider: fakeProvider(),
      clock: new ManualClock(LOCAL_NS),
      log: (level, message) => logs.push(`${level}: ${message}`),
      retry: { initialMs: 20, maxMs: 40 },
      onAttempt: ({ attempt }) => attempts.push(attempt),
    });
    try {
      expect(api.current).toBeUndefined();
      expect(logs[0]).toMatch(
        new RegExp(
          `^warn: cannot listen on 127\\.0\\.0\\.1:${busy.port} for the local API: address already in use \\(EADDRINUSE\\); ` +
            "synchronization and serving go on without the local API, retrying in \\d+ ms$",
        ),
      );
      await new Promise((r) => setTimeout(r, 120));
      expect(api.current).toBeUndefined();
      expect(api.attempts).toBeGreaterThanOrEqual(3);
      expect(logs.filter((l) => l.startsWith("warn:"))).toHaveLength(1);
      await new Promise<void>((done) => busy.server.close(() => done()));
      for (let i = 0; i < 50 && api.current === undefined; i++) await new Promise((r) => setTimeout(r, 20));
      expect(api.current?.address.port).toBe(busy.port);
      expect(logs.at(-1)).toMatch(
        new RegExp(
          `^info: local API on http://127\\.0\\.0\\.1:${busy.port} \\(listening after \\d+ attempts\\)$`,
        ),
      );
      const res = await fetch(`http://127.0.0.1:${busy.port}/v1/status`);
      expect(res.status).toBe(200);
    } finally {
      await api.close();
    }
    expect(api.current).toBeUndefined();
  });

  it("close() while retrying stops the retries", async () => {
    const busy = await occupy();
    try {
      const api = await keepLocalApi({
        listen: `127.0.0.1:${busy.port}`,
        provider: fakeProvider(),
        clock: new ManualClock(LOCAL_NS),
        log: () => {},
        retry: { initialMs: 10, maxMs: 10 },
      });
      await api.close();
      const after = api.attempts;
      await new Promise((r) => setTimeout(r, 80));
      expect(api.attempts).toBe(after);
    } finally {
      await new Promise<void>((done) => busy.server.close(() => done()));
    }
  });

  it("a free address listens at once, with no log line of its own", async () => {
    const logs: string[] = [];
    const api = await keepLocalApi({
      listen: "127.0.0.1:0",
      provider: fakeProvider(),
      clock: new ManualClock(LOCAL_NS),
      log: (_l, m) => logs.push(m),
    });
    expect(api.current?.address.port).toBeGreaterThan(0);
    expect(api.attempts).toBe(1);
    expect(logs).toEqual([]);
    await api.close();
  });
});
