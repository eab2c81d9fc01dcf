/** Shapes of the falseticker history API (packages/server/src/schemas/source-history.ts). */

export interface FalsetickerBucket {
  readonly at: string;
  readonly nodes: number;
  readonly falsetickerNodes: number;
}

export interface FalsetickerPeriod {
  readonly nodeId: string;
  readonly hostname: string | null;
  readonly from: string;
  readonly to: string;
  readonly endedAt: string | null;
  readonly reports: number;
}

export interface FalsetickerHistory {
  readonly sourceId: string;
  readonly from: string;
  readonly to: string;
  readonly bucketSeconds: number;
  readonly buckets: readonly FalsetickerBucket[];
  readonly periods: readonly FalsetickerPeriod[];
  readonly truncated: boolean;
}

export interface SourceRange {
  readonly from: string;
  readonly to: string;
}
