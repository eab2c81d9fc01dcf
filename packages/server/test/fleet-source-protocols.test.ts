// Each source's protocol in reports (issue 6): the agent names what a source measures with
// now (a fallback group's current member, auto://'s pick); the server stores it in
// node_source_samples.protocol (the column exists since 0002_fleet.sql) and
// GET /api/timestamps/sources and GET /api/nodes/:id return it. Reports from agents that
// do not send it (before issue 6) get the URL's scheme, as before. Real PostgreSQL.
import { describe, expect, it } from "vitest";
import { createExternalDatabase } from "./helpers/databases.js";
import { postBatch, report, S, T0, useEnrolledFleet } from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

describe("source protocols in reports", () => {
  const fleet = useEnrolledFleet(createExternalDatabase, "node-p");

  it("stores the reported protocol, else the URL's scheme, and lists it", async () => {
    const group = "fallback:nts://time.example:4460|ntp://time.example:123|system";
    const r = report({
      seq: 1,
      atNs: T0 + 10n * S,
      sources: [
        { id: "nts://time.example:4460", state: "selected" },
        { id: group, state: "unusable" },
        { id: "auto://time.example", state: "candidate" },
        { id: "local", state: "candidate" },
        { id: "ptp://eth0", state: "candidate" },
      ],
    });
    const withProtocol = r.sources.map(
      (s) =>
        s.id === group
          ? { ...s, protocol: "system" }
          : s.id === "auto://time.example"
            ? { ...s, protocol: "roughtime" }
            : s.id.startsWith("nts")
              ? { ...s, protocol: "nts" }
              : s, // local and ptp: as an older agent sends them, without a protocol
    );
    const res = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, [{ ...r, sources: withProtocol }]);
    expect(res.statusCode).toBe(202);
    const stored = await fleet.pool.query<{ source_id: string; protocol: string }>(
      "SELECT source_id, protocol FROM node_source_samples WHERE node_id = $1 ORDER BY source_id",
      [fleet.node.nodeId],
    );
    expect(Object.fromEntries(stored.rows.map((x) => [x.source_id, x.protocol]))).toEqual({
      "auto://time.example": "roughtime",
      [group]: "system",
      local: "local",
      "nts://time.example:4460": "nts",
      "ptp://eth0": "ptp",
    });
    const viewer = await bearerFor("viewer");
    const sources = (await fleet.app.inject({ url: "/api/timestamps/sources", headers: viewer })).json()
      .sources as {
      id: string;
      protocol: string;
    }[];
    expect(Object.fromEntries(sources.map((s) => [s.id, s.protocol]))).toEqual({
      "auto://time.example": "roughtime",
      [group]: "system",
      local: "local",
      "nts://time.example:4460": "nts",
      "ptp://eth0": "ptp",
    });
    const detail = (
      await fleet.app.inject({ url: `/api/nodes/${fleet.node.nodeId}`, headers: viewer })
    ).json();
    expect(detail.sources.find((s: { id: string }) => s.id === group)).toMatchObject({ protocol: "system" });
  });

  it("refuses a protocol that is not a scheme-like word", async () => {
    const r = report({ seq: 2, atNs: T0 + 20n * S });
    const bad = { ...r, sources: r.sources.map((s) => ({ ...s, protocol: "NTP over carrier pigeon" })) };
    const res = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, [bad]);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("VALIDATION_FAILED");
  });
});
