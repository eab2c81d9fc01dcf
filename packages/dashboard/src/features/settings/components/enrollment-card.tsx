/** Create an enrollment token and copy the one-line install command. */
import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { ErrorState } from "@/components/states";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { installCommand, useCreateEnrollmentToken } from "../api/create-enrollment-token";

export function EnrollmentCard() {
  const mutation = useCreateEnrollmentToken();
  const [copied, setCopied] = useState(false);
  const command = mutation.data ? installCommand(window.location.origin, mutation.data.token) : "";
  const copy = async () => {
    await navigator.clipboard.writeText(command);
    setCopied(true);
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Enroll a node</CardTitle>
        <CardDescription>
          A one-time token, valid for 24 hours. Run the command on the machine to install and start its agent.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        <Button
          onClick={() => {
            setCopied(false);
            mutation.mutate({ expiresInS: 86_400 });
          }}
          disabled={mutation.isPending}
        >
          {mutation.isPending ? "Creating…" : "Create enrollment token"}
        </Button>
        {mutation.isError && <ErrorState error={mutation.error} />}
        {mutation.data && (
          <div className="space-y-2">
            <p className="text-sm font-medium">Install command</p>
            <pre
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
              tabIndex={0}
              className="overflow-x-auto rounded-md bg-muted p-3 text-xs"
            >
              {command}
            </pre>
            <div className="flex flex-wrap items-center gap-3">
              <Button variant="outline" onClick={() => void copy()}>
                {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
                {copied ? "Copied" : "Copy command"}
              </Button>
              <span className="text-sm text-muted-foreground">
                Expires <Time value={mutation.data.expiresAt} />
              </span>
            </div>
            <p role="status" className="sr-only">
              {copied ? "Command copied to the clipboard." : ""}
            </p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
