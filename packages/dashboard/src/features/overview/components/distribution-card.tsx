/** The live |offset| distribution: a table whose cells carry their bars (chart and table in one). */
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";

export function DistributionCard({ buckets }: { buckets: readonly { label: string; count: number }[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return (
    <Card>
      <CardHeader>
        <CardTitle>Distribution of |offset|</CardTitle>
      </CardHeader>
      <CardContent>
        <table className="w-full text-sm">
          <caption className="sr-only">Number of nodes per |offset| range</caption>
          <thead>
            <tr className="text-left text-muted-foreground">
              <th scope="col" className="pb-1 font-medium">
                |offset|
              </th>
              <th scope="col" className="pb-1 font-medium">
                Nodes
              </th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.label}>
                <th scope="row" className="whitespace-nowrap py-1 pr-3 text-left font-normal">
                  {b.label}
                </th>
                <td className="w-full py-1">
                  <div className="flex items-center gap-2">
                    <div
                      aria-hidden="true"
                      className="h-3 rounded-sm bg-primary"
                      style={{ width: `${(b.count / max) * 80}%`, minWidth: b.count > 0 ? 2 : 0 }}
                    />
                    <span className="tabular-nums">{b.count}</span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </CardContent>
    </Card>
  );
}
