// Pool members and re-resolution (issue 3 §4) with a fake resolver and a fake runner:
// expansion to maxSources, replacement after unreachability, repeated falseticker or a
// kiss, never a duplicate address, and resolver failures retried with backoff, logged.
import { describe, expect, it } from "vitest";
import {
  type AgentSource,
  type PoolHost,
  type PoolMember,
  type PoolMemberStatus,
  type ResolvedAddress,
  SourcePool,
} from "../src/index.js";

const source = (over: Partial<AgentSource> = {}): AgentSource => ({
  url: "ntp://pool.example?pool=1",
  host: "pool.example",
  port: 123,
  minPoll: 6,
  maxPoll: 10,
  iburst: true,
  pool: true,
  ...over,
});

const healthy: PoolMemberStatus = {
  state: "active",
  reach: 0xff,
  sent: 20,
  falsetickers: 0,
  selection: "selected",
};

/** A runner stand-in: members by id, their status settable; every call logged. */
function fakeHost(failAdd: ReadonlySet<string> = new Set()) {
  const members = new Map<string, PoolMember & { port: number }>();
  const status = new Map<string, PoolMemberStatus>();
  const logs: string[] = [];
  const host: PoolHost = {
    add: async (pool, m) => {
      if (failAdd.has(m.address)) return false;
      members.set(m.id, { ...m, port: pool.source.port });
      status.set(m.id, healthy);
      return true;
    },
    remove: (id) => {
      members.delete(id);
      status.delete(id);
    },
    inUse: (address, port) => [...members.values()].some((m) => m.address === address && m.port === port),
    status: (id) => status.get(id),
    log: (level, message) => logs.push(`${level}: ${message}`),
  };
  return { host, members, status, logs };
}

/** A resolver answering from a mutable list (or failing), counting calls. */
function fakeResolver(initial: string[]) {
  const r = {
    addresses: initial,
    fail: undefined as Error | undefined,
    calls: 0,
    resolve: async (host: string): Promise<readonly ResolvedAddress[]> => {
      r.calls++;
      if (r.fail !== undefined) throw r.fail;
      expect(host).toBe("pool.example");
      return r.addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    },
  };
  return r;
}

const addresses = (pool: SourcePool) => pool.members.map((m) => m.address);

describe("SourcePool", () => {
  it("expands a pool to 4 associations, a server to 1 with the URL as its id", async () => {
    const { host } = fakeHost();
    const dns = fakeResolver([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.2",
      "2001:db8::3",
      "192.0.2.4",
      "192.0.2.5",
    ]);
    const pool = new SourcePool(source(), host, dns.resolve);
    await pool.maintain(0);
    expect(addresses(pool)).toEqual(["192.0.2.1", "192.0.2.2", "2001:db8::3", "192.0.2.4"]);
    expect(pool.members.map((m) => m.id)).toContain("ntp://[2001:db8::3]:123");
    // Full and healthy: no more DNS.
    await pool.maintain(1_000_000);
    expect(dns.calls).toBe(1);

    const server = new SourcePool(
      source({ url: "ntp://time.example:1123", host: "pool.example", port: 1123, pool: false }),
      host,
      dns.resolve,
    );
    await server.maintain(0);
    expect(server.members).toEqual([{ id: "ntp://time.example:1123", address: "192.0.2.1", family: 4 }]);
  });

  it("replaces a member unreachable for 8 polls by a fresh address, logged", async () => {
    const { host, status, logs } = fakeHost();
    const dns = fakeResolver(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]);
    const pool = new SourcePool(source(), host, dns.resolve);
    await pool.maintain(0);
    // 7 lost polls are not yet enough.
    status.set("ntp://192.0.2.2:123", { ...healthy, reach: 0x80 });
    await pool.maintain(1000);
    expect(dns.calls).toBe(1);
    status.set("ntp://192.0.2.2:123", { ...healthy, reach: 0 });
    dns.addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.9"];
    await pool.maintain(2000);
    expect(dns.calls).toBe(2);
    expect(addresses(pool)).toEqual(["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.9"]);
    expect(logs).toContain(
      "info: ntp://pool.example?pool=1: replaced 192.0.2.2 (unreachable for 8 polls) by 192.0.2.9",
    );
  });

  it("replaces a repeated falseticker and a demobilized member, and never takes a replaced address back", async () => {
    const { host, status, logs } = fakeHost();
    const dns = fakeResolver(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"]);
    const pool = new SourcePool(source(), host, dns.resolve);
    await pool.maintain(0);
    // A falseticker once (or several times but no longer one) stays.
    status.set("ntp://192.0.2.1:123", { ...healthy, selection: "falseticker", falsetickers: 3 });
    status.set("ntp://192.0.2.3:123", { ...healthy, selection: "selected", falsetickers: 50 });
    await pool.maintain(1000);
    expect(dns.calls).toBe(1);
    status.set("ntp://192.0.2.1:123", { ...healthy, selection: "falseticker", falsetickers: 8 });
    status.set("ntp://192.0.2.4:123", { ...healthy, state: "demobilized" });
    await pool.maintain(2000);
    expect(addresses(pool)).toEqual(["192.0.2.2", "192.0.2.3", "192.0.2.5", "192.0.2.6"]);
    expect(logs.filter((l) => !l.startsWith("debug"))).toEqual([
      "info: ntp://pool.example?pool=1: replaced 192.0.2.1 (falseticker in 8 selections) by 192.0.2.5",
      "info: ntp://pool.example?pool=1: replaced 192.0.2.4 (demobilized) by 192.0.2.6",
    ]);
    // 192.0.2.6 goes bad; DNS offers only retired or used addresses: it stays, once reported.
    status.set("ntp://192.0.2.6:123", { ...healthy, reach: 0 });
    await pool.maintain(3000);
    await pool.maintain(3000 + 16_000);
    expect(addresses(pool)).toEqual(["192.0.2.2", "192.0.2.3", "192.0.2.5", "192.0.2.6"]);
    expect(logs.filter((l) => l.includes("no fresh address"))).toEqual([
      "info: ntp://pool.example?pool=1: 192.0.2.6 is unreachable for 8 polls; no fresh address of pool.example to replace it yet",
    ]);
  });

  it("never uses an address twice, across pools of the same port", async () => {
    const { host, members } = fakeHost();
    const dns = fakeResolver(["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
    const a = new SourcePool(source(), host, dns.resolve);
    const b = new SourcePool(source({ url: "ntp://pool.example?pool=1&minpoll=4" }), host, dns.resolve);
    await a.maintain(0);
    await b.maintain(0);
    expect(addresses(a)).toEqual(["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
    expect(addresses(b)).toEqual([]);
    dns.addresses = ["192.0.2.1", "192.0.2.7"];
    await b.maintain(16_000);
    expect(addresses(b)).toEqual(["192.0.2.7"]);
    const all = [...members.values()].map((m) => m.address);
    expect(new Set(all).size).toBe(all.length);
  });

  it("keeps trying a failing resolver with exponential backoff, each failure logged", async () => {
    const { host, logs } = fakeHost(new Set(["192.0.2.66"]));
    const dns = fakeResolver([]);
    dns.fail = Object.assign(new Error("getaddrinfo EAI_AGAIN pool.example"), { code: "EAI_AGAIN" });
    const pool = new SourcePool(source(), host, dns.resolve, { retryBaseMs: 1000, retryMaxMs: 4000 });
    const at = [0, 500, 1000, 2500, 3000, 6999, 7000, 10_999, 11_000];
    for (const t of at) await pool.maintain(t);
    // Tries at 0, 1000 (+1 s), 3000 (+2 s), 7000 (+4 s), 11 000 (+4 s, the cap).
    expect(dns.calls).toBe(5);
    expect(logs).toEqual([
      "warn: ntp://pool.example?pool=1: cannot resolve pool.example (EAI_AGAIN); retrying in 1.0 s",
      "warn: ntp://pool.example?pool=1: cannot resolve pool.example (EAI_AGAIN); retrying in 2.0 s",
      "warn: ntp://pool.example?pool=1: cannot resolve pool.example (EAI_AGAIN); retrying in 4.0 s",
      "warn: ntp://pool.example?pool=1: cannot resolve pool.example (EAI_AGAIN); retrying in 4.0 s",
      "warn: ntp://pool.example?pool=1: cannot resolve pool.example (EAI_AGAIN); retrying in 4.0 s",
    ]);
    // DNS is back: an address that cannot be opened is skipped, the next one taken; the
    // backoff restarts only while the pool is short of members.
    dns.fail = undefined;
    dns.addresses = ["192.0.2.66", "192.0.2.8"];
    await pool.maintain(15_000);
    expect(addresses(pool)).toEqual(["192.0.2.8"]);
    expect(dns.calls).toBe(6);
  });

  it("a server whose name now resolves elsewhere follows it; same address: it stays", async () => {
    const { host, status } = fakeHost();
    const dns = fakeResolver(["192.0.2.1"]);
    const server = new SourcePool(source({ url: "ntp://pool.example", pool: false }), host, dns.resolve);
    await server.maintain(0);
    status.set("ntp://pool.example", { ...healthy, reach: 0 });
    await server.maintain(1000);
    expect(addresses(server)).toEqual(["192.0.2.1"]);
    dns.addresses = ["192.0.2.1", "192.0.2.20"];
    await server.maintain(1000 + 16_000);
    expect(server.members).toEqual([{ id: "ntp://pool.example", address: "192.0.2.20", family: 4 }]);
  });
});
