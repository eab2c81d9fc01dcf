/** Policies: the tolerance each node is held to and when it counts as silent; admins edit them. */
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
import { formatDuration } from "@/lib/format";
import { usePolicies } from "../api/get-policies";
import { type PolicyInput, policySchema, usePutPolicy } from "../api/put-policy";

function PolicyForm() {
  const id = useId();
  const mutation = usePutPolicy();
  const form = useForm<z.input<typeof policySchema>, unknown, PolicyInput>({
    resolver: zodResolver(policySchema),
    defaultValues: { id: "", toleranceUs: "1000", silentAfterS: "120" },
  });
  const { errors } = form.formState;
  const field = (name: "id" | "toleranceUs" | "silentAfterS", label: string, extra: object = {}) => (
    <FormField
      id={`${id}-${name}`}
      label={label}
      error={errors[name]?.message}
      {...extra}
      {...form.register(name)}
    />
  );
  return (
    <form
      onSubmit={form.handleSubmit((input) => mutation.mutate(input))}
      noValidate
      className="grid gap-3 sm:grid-cols-3"
    >
      {field("id", "Policy id")}
      {field("toleranceUs", "Tolerance (µs)", { inputMode: "decimal" })}
      {field("silentAfterS", "Silent after (s)", { inputMode: "numeric" })}
      <div className="flex items-center gap-3 sm:col-span-3">
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : "Save policy"}
        </Button>
        {mutation.isSuccess && <p role="status">Saved.</p>}
      </div>
      {mutation.isError && (
        <div className="sm:col-span-3">
          <ErrorState error={mutation.error} />
        </div>
      )}
    </form>
  );
}

export function PoliciesCard({ canEdit }: { canEdit: boolean }) {
  const policies = usePolicies();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Policies</CardTitle>
        <CardDescription>
          A node beyond its policy's tolerance, or silent longer than allowed, raises an alert.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {policies.isPending ? (
          <LoadingRows rows={3} label="Loading policies…" />
        ) : policies.isError ? (
          <ErrorState error={policies.error} onRetry={() => void policies.refetch()} />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Policy</TableHead>
                <TableHead scope="col">Tolerance</TableHead>
                <TableHead scope="col">Silent after</TableHead>
                <TableHead scope="col">Updated</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {policies.data.map((p) => (
                <TableRow key={p.id}>
                  <TableCell className="font-medium">{p.id}</TableCell>
                  <TableCell className="tabular-nums">±{formatDuration(p.toleranceNs)}</TableCell>
                  <TableCell className="tabular-nums">{p.silentAfterS} s</TableCell>
                  <TableCell>
                    <Time value={p.updatedAt} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {canEdit && <PolicyForm />}
      </CardContent>
    </Card>
  );
}
