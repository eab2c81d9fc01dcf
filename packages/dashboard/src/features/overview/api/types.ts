/**
 * Fleet shapes read by the overview (packages/server/src/schemas/nodes.ts), free of
 * imports so pure code and tests can use them.
 */
export interface FleetNode {
  readonly id: string;
  readonly hostname: string;
  /** `ok` / `out-of-tolerance` / `silent` / `unknown`. */
  readonly state: string;
  readonly offsetNs: number | null;
  readonly boundNs: number | null;
  readonly policyId: string;
}

export interface Policy {
  readonly id: string;
  readonly toleranceNs: number;
  readonly silentAfterS: number;
}

export interface FleetAlert {
  readonly id: string;
  readonly nodeId: string;
  readonly hostname: string;
  readonly kind: string;
  readonly message: string;
  readonly raisedAt: string;
  readonly resolvedAt: string | null;
}
