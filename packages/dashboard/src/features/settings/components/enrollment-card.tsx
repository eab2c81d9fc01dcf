/**
 * Create an enrollment token and copy the commands that put an agent on a node: copy the
 * agent bundle there (the server does not serve it; README "one file"), then start it
 * with the token — one line.
 */
import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { ErrorState } from "@/components/states";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useCreateEnrollmentToken } from "../api/create-enrollment-token";
import { AGENT_PATH, copyCommand, installCommand } from "../install-command";

function CommandBlock({
  label,
  command,
  copyLabel,
}: {
  label: React.ReactNode;
  command: string;
  copyLabel: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium">{label}</p>
      <pre
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
        tabIndex={0}
        className="overflow-x-auto rounded-md bg-muted p-3 text-xs"
      >
        {command}
      </pre>
      <Button
        variant="outline"
        onClick={() =>
          void navigator.clipboard.writeText(command).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        {copied ? "Copied" : copyLabel}
      </Button>
      <p role="status" className="sr-only">
        {copied ? "Command copied to the clipboard." : ""}
      </p>
    </div>
  );
}

export function EnrollmentCard() {
  const mutation = useCreateEnrollmentToken();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Enroll a node</CardTitle>
        <CardDescription>
          A one-time token, valid for 24 hours. Put the agent on the machine and start it with the token: it
          enrolls, keeps its credentials and reports here.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <Button onClick={() => mutation.mutate({ expiresInS: 86_400 })} disabled={mutation.isPending}>
          {mutation.isPending ? "Creating…" : "Create enrollment token"}
        </Button>
        {mutation.isError && <ErrorState error={mutation.error} />}
        {mutation.data && (
          <div className="space-y-4">
            <CommandBlock
              key={`copy-${mutation.data.token}`}
              label={
                <>
                  1. Copy the agent to the node, from a ChronoSync checkout after{" "}
                  <code>npm run bundle:agent</code> (this server does not serve the bundle; replace NODE with
                  the machine):
                </>
              }
              command={copyCommand()}
              copyLabel="Copy the copy command"
            />
            <CommandBlock
              key={`run-${mutation.data.token}`}
              label={
                <>
                  2. Install command — run it on the node to start the agent ({AGENT_PATH}) with this token:
                </>
              }
              command={installCommand(window.location.origin, mutation.data.token)}
              copyLabel="Copy install command"
            />
            <p className="text-sm text-muted-foreground">
              Token expires <Time value={mutation.data.expiresAt} />. Add <code>--source</code> options to
              choose time sources; with none the agent uses the machine's configured NTP servers.
            </p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
