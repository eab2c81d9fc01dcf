/** Mean |offset| across the fleet, drawn against the PRD's 10 ms line. */
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDuration } from "@/lib/format";
import { PRD_TARGET_NS } from "../fleet-stats";

export function NorthStarCard({
  meanAbsNs,
  reporting,
  total,
}: {
  meanAbsNs: number | undefined;
  reporting: number;
  total: number;
}) {
  const ok = meanAbsNs !== undefined && meanAbsNs < PRD_TARGET_NS;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Mean |offset|</CardTitle>
        <CardDescription>
          Across {reporting} of {total} nodes; the PRD's line is {formatDuration(PRD_TARGET_NS)}.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-2">
        <p className="text-3xl font-bold tabular-nums">{formatDuration(meanAbsNs)}</p>
        <meter
          aria-label="Mean offset against the 10 ms line"
          min={0}
          max={PRD_TARGET_NS / 1e6}
          value={meanAbsNs === undefined ? 0 : Math.min(meanAbsNs, PRD_TARGET_NS) / 1e6}
          className="h-3 w-full"
        />
        <p className="text-sm">{ok ? "Within the PRD's 10 ms line." : "Above the PRD's 10 ms line."}</p>
      </CardContent>
    </Card>
  );
}
