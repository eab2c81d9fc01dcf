/** Recent alerts, newest first. */
import { ErrorState } from "@/components/states";
import { Time } from "@/components/time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useAlerts } from "../api/get-alerts";

export function AlertsCard() {
  const alerts = useAlerts(10);
  return (
    <Card className="sm:col-span-2 xl:col-span-1">
      <CardHeader>
        <CardTitle>Recent alerts</CardTitle>
      </CardHeader>
      <CardContent>
        {alerts.isPending ? (
          <Skeleton className="h-20 w-full" />
        ) : alerts.isError ? (
          <ErrorState error={alerts.error} />
        ) : alerts.data.length === 0 ? (
          <p className="text-muted-foreground">
            No alerts. Nodes beyond tolerance, falsetickers and silent nodes show up here.
          </p>
        ) : (
          <ul className="space-y-2">
            {alerts.data.map((a) => (
              <li key={a.id} className="text-sm">
                <span className="font-semibold">{a.kind}</span> · {a.hostname} · <Time value={a.raisedAt} />
                {a.resolvedAt !== null && " (resolved)"}
                <br />
                {a.message}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
