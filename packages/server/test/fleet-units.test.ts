// Pure parts of the fleet: alert evaluation, report rows, webhook signatures, SSE frames.
import { describe, expect, it } from "vitest";
import { evaluateReport, nodeStateFor, type Policy } from "../src/alerts/evaluate.js";
import { signWebhook, verifyWebhookSignature } from "../src/alerts/webhook.js";
import { batchRows, protocolOf } from "../src/fleet/rows.js";
import { report, T0 } from "./helpers/fleet.js";

const policy: Policy = { id: "p", toleranceNs: 1000n, silentAfterS: 60, falsetickerAlerts: true };
const src = (id: string, state: string) => ({ id, url: id, state });

describe("evaluateReport", () => {
  it("wants an offset alert only strictly beyond the tolerance, either sign", () => {
    expect(evaluateReport(policy, { offsetNs: 1000n, boundNs: 0n, sources: [] })).toEqual([]);
    expect(evaluateReport(policy, { offsetNs: -1000n, boundNs: 0n, sources: [] })).toEqual([]);
    const beyond = evaluateReport(policy, { offsetNs: -1001n, boundNs: 5n, sources: [] });
    expect(beyond).toMatchObject([
      { kind: "offset", sourceId: "", detail: { offsetNs: -1001, toleranceNs: 1000 } },
    ]);
    expect(nodeStateFor(beyond)).toBe("out-of-tolerance");
    expect(nodeStateFor([])).toBe("ok");
  });

  it("wants one falseticker alert per source, unless the policy turns them off", () => {
    const sources = [
      src("a", "falseticker"),
      src("a", "falseticker"),
      src("b", "selected"),
      src("c", "falseticker"),
    ];
    const wanted = evaluateReport(policy, { offsetNs: 0n, boundNs: 0n, sources });
    expect(wanted.map((w) => [w.kind, w.sourceId])).toEqual([
      ["falseticker", "a"],
      ["falseticker", "c"],
    ]);
    expect(nodeStateFor(wanted)).toBe("ok");
    expect(
      evaluateReport({ ...policy, falsetickerAlerts: false }, { offsetNs: 0n, boundNs: 0n, sources }),
    ).toEqual([]);
  });
});

describe("report rows", () => {
  it("takes the protocol from the URL, else the id", () => {
    expect(protocolOf("nts://time.cloudflare.com", "x")).toBe("nts");
    expect(protocolOf("", "PTP://eth0")).toBe("ptp");
    expect(protocolOf("", "local")).toBe("local");
    expect(protocolOf("system?maxerror=500", "system?maxerror=500")).toBe("system");
    expect(protocolOf("", "192.0.2.1")).toBe("unknown");
  });

  it("uses the selected source's delay and jitter and drops repeated source ids", () => {
    const r = report({
      seq: 7,
      atNs: T0 + 123_456_789n,
      sources: [
        { id: "ntp://a", state: "candidate" },
        { id: "ntp://b", state: "selected" },
        { id: "ntp://b", state: "selected" },
      ],
    });
    r.sources[1]!.delayNs = 777;
    const rows = batchRows([r]);
    expect(rows.reports[0]).toMatchObject({
      seq: "7",
      at_ns: (T0 + 123_456_789n).toString(),
      delay_ns: "777",
    });
    expect(rows.sources.map((s) => s.source_id)).toEqual(["ntp://a", "ntp://b"]);
  });

  it("refuses an impossible instant with the field's pointer", () => {
    const r = { ...report({ seq: 1, atNs: T0 }), at: "2026-02-30T00:00:00Z" };
    expect(() => batchRows([r])).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });
});

describe("webhook signature", () => {
  it("verifies its own signature and nothing else", () => {
    const header = signWebhook("k", 1_700_000_000, '{"a":1}');
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature("k", header, '{"a":1}')).toBe(true);
    expect(verifyWebhookSignature("k", header, '{"a":2}')).toBe(false);
    expect(verifyWebhookSignature("j", header, '{"a":1}')).toBe(false);
    expect(verifyWebhookSignature("k", header.replace("t=1700000000", "t=1700000001"), '{"a":1}')).toBe(
      false,
    );
    expect(verifyWebhookSignature("k", "garbage", '{"a":1}')).toBe(false);
  });
});
