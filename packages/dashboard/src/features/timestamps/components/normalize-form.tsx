/** Normalize: paste or upload timestamps, see normalized UTC with uncertainty, download the results. */
import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { ErrorState } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDuration } from "@/lib/format";
import { useNormalize } from "../api/normalize";
import { parseTimestamps } from "../parse-timestamps";

function download(name: string, body: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

export function NormalizeForm() {
  const id = useId();
  const [sourceId, setSourceId] = useState("");
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<{ line: number; message: string }[]>([]);
  const mutation = useNormalize();

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file !== undefined) setText(await file.text());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseTimestamps(text);
    setProblems(parsed.errors);
    if (parsed.errors.length > 0 || parsed.timestamps.length === 0) return;
    mutation.mutate({
      sourceId: sourceId.trim() || "dashboard",
      timestamps: parsed.timestamps,
      requestMetadata: { clientId: "chronosync-dashboard", requestTimestamp: Date.now() },
    });
  };

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-4">
        <div className="space-y-1">
          <Label htmlFor={`${id}-src`}>Source id (an enrolled node, or any name)</Label>
          <Input
            id={`${id}-src`}
            value={sourceId}
            onChange={(e) => setSourceId(e.target.value)}
            className="max-w-sm"
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor={`${id}-ts`}>Timestamps, one per line: value [precision in s] [source URL]</Label>
          <Textarea
            id={`${id}-ts`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="1703054123456 0.001 ntp://pool.ntp.org"
            aria-describedby={problems.length > 0 ? `${id}-problems` : undefined}
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor={`${id}-file`}>…or upload a text file</Label>
          <Input
            id={`${id}-file`}
            type="file"
            accept=".txt,.csv,text/plain"
            onChange={(e) => void onFile(e)}
            className="max-w-sm"
          />
        </div>
        {problems.length > 0 && (
          <Alert variant="destructive" id={`${id}-problems`}>
            <AlertTitle>Fix these lines first</AlertTitle>
            <AlertDescription>
              <ul className="list-disc pl-5">
                {problems.slice(0, 10).map((p) => (
                  <li key={`${p.line}-${p.message}`}>
                    {p.line > 0 ? `Line ${p.line}: ` : ""}
                    {p.message}
                  </li>
                ))}
              </ul>
            </AlertDescription>
          </Alert>
        )}
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Normalizing…" : "Normalize"}
        </Button>
      </form>
      {mutation.isError && <ErrorState error={mutation.error} />}
      {mutation.isSuccess && (
        <section aria-label="Normalized results" className="space-y-2">
          <div className="flex items-center justify-between">
            <p role="status">{mutation.data.records.length} timestamps normalized and sealed in the log.</p>
            <Button variant="outline" onClick={() => download("normalized.json", mutation.data)}>
              Download results
            </Button>
          </div>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Original</TableHead>
                <TableHead scope="col">Normalized (UTC)</TableHead>
                <TableHead scope="col">Uncertainty</TableHead>
                <TableHead scope="col">Method</TableHead>
                <TableHead scope="col">Flags</TableHead>
                <TableHead scope="col">Integrity hash</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {mutation.data.records.map((r) => (
                <TableRow key={r.integrityHash}>
                  <TableCell className="font-mono text-xs">{r.original}</TableCell>
                  <TableCell className="font-mono text-xs">{r.normalized}</TableCell>
                  <TableCell className="tabular-nums">±{formatDuration(r.uncertaintyNs)}</TableCell>
                  <TableCell>{r.method}</TableCell>
                  <TableCell>{r.flags.join(", ") || "—"}</TableCell>
                  <TableCell className="font-mono text-xs" title={r.integrityHash}>
                    {r.integrityHash.slice(0, 12)}…
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
      )}
    </div>
  );
}
