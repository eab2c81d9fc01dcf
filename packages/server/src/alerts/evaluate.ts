/**
 * Which alerts a node's newest report calls for under its policy (issue 4 §5): its
 * offset beyond the policy's tolerance, and each source its selection marks as a
 * falseticker. Pure: the store raises what is wanted and not open, and resolves what is
 * open and no longer wanted. Silence is judged by a periodic job (silence.ts).
 */
import type { AlertKind } from "../events/types.js";

/** An alert policy (table `policies`; `default` always exists). */
export interface Policy {
  readonly id: string;
  /** Largest |offset| a node may have, ns. */
  readonly toleranceNs: bigint;
  /** Seconds without a report after which a node is silent. */
  readonly silentAfterS: number;
  readonly falsetickerAlerts: boolean;
}

/** What the evaluation needs of a report. */
export interface ReportFacts {
  readonly offsetNs: bigint;
  readonly boundNs: bigint;
  readonly sources: readonly { readonly id: string; readonly url: string; readonly state: string }[];
}

export interface WantedAlert {
  readonly kind: AlertKind;
  /** The source for falseticker alerts, "" otherwise. */
  readonly sourceId: string;
  readonly message: string;
  readonly detail: Record<string, unknown>;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** The alerts `report` calls for under `policy`, at most one per (kind, source). */
export function evaluateReport(policy: Policy, report: ReportFacts): WantedAlert[] {
  const wanted: WantedAlert[] = [];
  if (abs(report.offsetNs) > policy.toleranceNs) {
    wanted.push({
      kind: "offset",
      sourceId: "",
      message: `offset ${report.offsetNs} ns beyond tolerance ${policy.toleranceNs} ns (policy ${policy.id})`,
      detail: {
        offsetNs: Number(report.offsetNs),
        boundNs: Number(report.boundNs),
        toleranceNs: Number(policy.toleranceNs),
        policy: policy.id,
      },
    });
  }
  if (policy.falsetickerAlerts) {
    const seen = new Set<string>();
    for (const s of report.sources) {
      if (s.state !== "falseticker" || seen.has(s.id)) continue;
      seen.add(s.id);
      wanted.push({
        kind: "falseticker",
        sourceId: s.id,
        message: `source ${s.id} is a falseticker`,
        detail: { sourceId: s.id, url: s.url },
      });
    }
  }
  return wanted;
}

/** The node state a set of wanted alerts means. */
export function nodeStateFor(wanted: readonly WantedAlert[]): "ok" | "out-of-tolerance" {
  return wanted.some((w) => w.kind === "offset") ? "out-of-tolerance" : "ok";
}
