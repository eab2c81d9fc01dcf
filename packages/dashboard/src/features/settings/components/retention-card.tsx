/** Retention: how long reports, rollups, alerts and webhook deliveries are kept; admins change it. */
import { zodResolver } from "@hookform/resolvers/zod";
import { useId } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { FormField } from "@/components/form-field";
import { ErrorState, LoadingRows } from "@/components/states";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type Retention, useRetention } from "../api/get-retention";
import { usePutRetention } from "../api/put-retention";
import { RETENTION_FIELDS, type RetentionInput, retentionSchema } from "../retention-rules";

function RetentionForm({ current }: { current: Retention }) {
  const id = useId();
  const mutation = usePutRetention();
  const form = useForm<z.input<typeof retentionSchema>, unknown, RetentionInput>({
    resolver: zodResolver(retentionSchema),
    defaultValues: Object.fromEntries(RETENTION_FIELDS.map((f) => [f.name, String(current[f.name])])),
  });
  const { errors } = form.formState;
  return (
    <form
      aria-labelledby={`${id}-title`}
      noValidate
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={form.handleSubmit((input) => mutation.mutate(input))}
    >
      <h3 id={`${id}-title`} className="font-semibold sm:col-span-2">
        Change retention
      </h3>
      {RETENTION_FIELDS.map(({ name, label }) => (
        <FormField
          key={name}
          id={`${id}-${name}`}
          label={label}
          inputMode="numeric"
          error={errors[name]?.message}
          {...form.register(name)}
        />
      ))}
      <div className="flex flex-wrap items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : "Save retention"}
        </Button>
        <p role="status" className="text-sm">
          {mutation.isSuccess ? "Saved. The retention job uses it from its next run (hourly)." : ""}
        </p>
      </div>
      {mutation.isError && (
        <div className="sm:col-span-2">
          <ErrorState error={mutation.error} />
        </div>
      )}
    </form>
  );
}

export function RetentionCard({ canEdit }: { canEdit: boolean }) {
  const retention = useRetention();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Retention</CardTitle>
        <CardDescription>
          Older fleet data is deleted every hour. The signed log is never deleted.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {retention.isPending ? (
          <LoadingRows rows={5} label="Loading retention…" />
        ) : retention.isError ? (
          <ErrorState error={retention.error} onRetry={() => void retention.refetch()} />
        ) : (
          <>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">Data</TableHead>
                  <TableHead scope="col">Kept</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {RETENTION_FIELDS.map((f) => (
                  <TableRow key={f.name}>
                    <TableCell>
                      {f.data}
                      <span className="block text-xs text-muted-foreground">{f.keeps}</span>
                    </TableCell>
                    <TableCell className="tabular-nums">{retention.data[f.name]} days</TableCell>
                  </TableRow>
                ))}
                <TableRow>
                  <TableCell>
                    Report idempotency keys
                    <span className="block text-xs text-muted-foreground">
                      An agent's retry window; fixed
                    </span>
                  </TableCell>
                  <TableCell className="tabular-nums">{retention.data.idempotencyKeyHours} hours</TableCell>
                </TableRow>
              </TableBody>
            </Table>
            <p className="text-sm text-muted-foreground">
              {retention.data.source === "stored" && retention.data.updatedAt !== null ? (
                <>
                  Set by {retention.data.updatedBy ?? "an admin"} <Time value={retention.data.updatedAt} />.
                </>
              ) : (
                "The server's configured defaults (CHRONOSYNC_RETENTION_*)."
              )}
            </p>
            {canEdit && <RetentionForm current={retention.data} />}
          </>
        )}
      </CardContent>
    </Card>
  );
}
