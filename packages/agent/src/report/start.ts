/**
 * Wires the reporter for a running agent (issue 4 §5): buffer and credentials under
 * `server.dataDir` (default: the state file's directory), the CA file, real timers
 * (unref'd), UUID batch ids, and snapshots of the runner's status.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import * as path from "node:path";
import { statusDocument } from "../api/documents.js";
import type { AgentServerConfig } from "../config/load.js";
import type { LogLevel } from "../config/schema.js";
import type { AgentRunner } from "../runner/agent-runner.js";
import { ReportBuffer } from "./buffer.js";
import { ReportClient } from "./client.js";
import { CredentialsStore } from "./credentials.js";
import { Reporter } from "./reporter.js";
import { type ReportResources, reportRecord, resourceSampler } from "./snapshot.js";

/** The agent's version as reports carry it. */
export const AGENT_VERSION = "0.1.0";

/** Where credentials and the buffer live: `server.dataDir`, else the state file's directory. */
export function reportDataDir(server: AgentServerConfig, stateFile: string): string {
  if (server.dataDir !== undefined && server.dataDir !== "") return server.dataDir;
  return stateFile === "" ? "/var/lib/chronosync" : path.dirname(stateFile);
}

/** A snapshot function over a runner: its status document, configured URLs, resource use. */
export function runnerSnapshot(
  runner: Pick<AgentRunner, "status" | "virtualClock" | "sources">,
  resources: () => ReportResources = resourceSampler(),
  agentVersion = AGENT_VERSION,
): () => Readonly<Record<string, unknown>> {
  return () =>
    reportRecord(
      statusDocument(runner.status()),
      runner.virtualClock.now(),
      resources(),
      agentVersion,
      (id) => runner.sources.find((s) => s.id === id)?.source ?? id,
    ) as unknown as Readonly<Record<string, unknown>>;
}

const nodeSchedule = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export interface StartReporterOptions {
  readonly server: AgentServerConfig & { readonly url: string };
  /** The agent's state file path (for the default data directory). */
  readonly stateFile: string;
  readonly snapshot: () => Readonly<Record<string, unknown>>;
  readonly log: (level: LogLevel, message: string) => void;
  readonly hostname?: string;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
}

/** Opens the buffer, reads the CA, starts the reporter. Throws only when `server.ca` cannot be read. */
export async function startReporter(options: StartReporterOptions): Promise<Reporter> {
  const { server, log } = options;
  const dir = reportDataDir(server, options.stateFile);
  const ca = server.ca === undefined ? undefined : await readFile(server.ca, "utf8");
  const buffer = await ReportBuffer.open({
    dir: path.join(dir, "report-buffer"),
    maxBytes: server.bufferMaxBytes,
    log,
  });
  const client = new ReportClient({ server: server.url, ...(ca === undefined ? {} : { ca }) });
  const reporter = new Reporter({
    buffer,
    client,
    credentials: new CredentialsStore(path.join(dir, "credentials.json")),
    ...(server.enrollToken === undefined ? {} : { enrollToken: server.enrollToken }),
    hostname: options.hostname ?? hostname(),
    agentVersion: AGENT_VERSION,
    snapshot: options.snapshot,
    intervalMs: server.reportIntervalS * 1000,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    nowMs: () => performance.now(),
    schedule: nodeSchedule,
    random: Math.random,
    newId: randomUUID,
    log,
  });
  const s = buffer.stats;
  log(
    "info",
    `reporting to ${client.server} every ${server.reportIntervalS} s (buffer ${buffer.dir}, ${s.pending} pending)`,
  );
  reporter.start();
  return reporter;
}
