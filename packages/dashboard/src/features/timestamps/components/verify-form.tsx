/**
 * Verify: paste a receipt, a record receipt or a whole normalize response (JSON); it is
 * checked twice, independently — in this browser with the published public keys and
 * WebCrypto (no trust in the server's answer), and by the server
 * (`POST /api/timestamps/verify`).
 */
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ErrorState } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { getKeys } from "../api/get-keys";
import { useVerify } from "../api/verify";
import { verifyReceiptLocally } from "../verify-receipt";

export function VerifyForm() {
  const id = useId();
  const [text, setText] = useState("");
  const [parseError, setParseError] = useState<string | undefined>(undefined);
  const server = useVerify();
  const local = useMutation({
    mutationFn: async (receipt: unknown) => verifyReceiptLocally(receipt, await getKeys()),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let receipt: unknown;
    try {
      receipt = JSON.parse(text) as unknown;
    } catch {
      setParseError("This is not JSON. Paste the receipt exactly as the server or the CLI gave it.");
      return;
    }
    setParseError(undefined);
    local.mutate(receipt);
    server.mutate(receipt);
  };
  const pending = local.isPending || server.isPending;
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-4">
        <div className="space-y-1">
          <Label htmlFor={`${id}-receipt`}>Receipt (JSON)</Label>
          <p id={`${id}-hint`} className="text-sm text-muted-foreground">
            A log receipt, a record receipt, or a whole normalize response (as downloaded above).
          </p>
          <Textarea
            id={`${id}-receipt`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="min-h-40"
            aria-invalid={parseError !== undefined}
            aria-describedby={parseError ? `${id}-hint ${id}-err` : `${id}-hint`}
          />
          {parseError && (
            <p id={`${id}-err`} className="text-sm text-destructive">
              {parseError}
            </p>
          )}
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Verifying…" : "Verify"}
        </Button>
      </form>
      <div className="grid gap-4 lg:grid-cols-2" aria-live="polite">
        {local.isError && <ErrorState error={local.error} />}
        {local.data && (
          <Alert variant={local.data.valid ? "default" : "destructive"}>
            <AlertTitle>In this browser: {local.data.valid ? "valid" : "not valid"}</AlertTitle>
            <AlertDescription>
              {local.data.valid
                ? `${local.data.records === undefined ? "Entry" : `${local.data.records} record${local.data.records === 1 ? "" : "s"} of entry`} ${local.data.seq}: hashes, inclusion proofs and the checkpoint's Ed25519 signature (key ${local.data.keyId}) check out.`
                : local.data.reason}
            </AlertDescription>
          </Alert>
        )}
        {server.isError && <ErrorState error={server.error} />}
        {server.data?.results.map((r) => (
          <Alert key={r.index} variant={r.valid ? "default" : "destructive"}>
            <AlertTitle>
              By the server: {r.valid ? "valid" : `not valid${r.code ? ` (${r.code})` : ""}`}
            </AlertTitle>
            <AlertDescription>
              {r.valid
                ? "Hash chain, inclusion proof and checkpoint signature check out."
                : (r.reason ?? "The receipt does not verify.")}
            </AlertDescription>
          </Alert>
        ))}
      </div>
    </div>
  );
}
