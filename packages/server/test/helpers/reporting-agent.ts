/**
 * The agent's real reporter (packages/agent/src/report) against this server over HTTP: a
 * server on a fresh external database listening on loopback with an agent data directory
 * beside it, a reporter sending one fixed source, and a polling wait.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Reporter, startReporter } from "@chronosync/agent";
import { formatRfc3339 } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./databases.js";
import { TEST_MASTER_KEY } from "./tokens.js";

/** A listening server, as {@link useListeningServer} sets it up. */
export interface ListeningServer {
  readonly db: TestDatabase;
  /** A test that restarts the server assigns the new app here; afterAll closes this one. */
  app: FastifyInstance;
  /** The loopback port the first app listens on. */
  readonly port: number;
  /** A temp directory for the agent's data (credentials, report buffer). */
  readonly agentDir: string;
  /** A new app on the same database (not listening yet). */
  build(): Promise<FastifyInstance>;
}

/**
 * Registers beforeAll/afterAll for the current file or suite: an external test database, an
 * agent directory named from `agentDirPrefix`, and an app listening on 127.0.0.1 on a free
 * port. The fields are set once beforeAll has run; afterAll closes the app, disposes of the
 * database and removes the agent directory.
 */
export function useListeningServer(agentDirPrefix: string): ListeningServer {
  const server = {
    build: () =>
      buildApp({
        dataDir: server.db.dataDir,
        databaseUrl: server.db.url,
        masterKey: TEST_MASTER_KEY,
        fleet: { silenceCheckMs: 0 },
      }),
  } as ListeningServer;
  const set = server as { -readonly [K in keyof ListeningServer]: ListeningServer[K] };
  beforeAll(async () => {
    set.db = await createExternalDatabase();
    set.agentDir = await mkdtemp(join(tmpdir(), agentDirPrefix));
    set.app = await server.build();
    await server.app.listen({ host: "127.0.0.1", port: 0 });
    set.port = (server.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server.app?.close();
    await server.db?.dispose();
    if (server.agentDir !== undefined) await rm(server.agentDir, { recursive: true, force: true });
  });
  return server;
}

/** Polls `pred` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function until(what: string, pred: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestReporterOptions {
  readonly port: number;
  /** An enrollment token; "" when the agent already holds credentials in `dataDir`. */
  readonly enrollToken: string;
  readonly dataDir: string;
  readonly hostname: string;
  /** Receives every log line as `level: message`. */
  readonly lines: string[];
  /** The one source every snapshot reports. */
  readonly source: Readonly<Record<string, unknown>>;
  /** Called after each snapshot with the number taken so far. */
  readonly onSnapshot?: (taken: number) => void;
}

/**
 * Starts the agent's reporter against 127.0.0.1:`port`, reporting every 100 ms with fast
 * backoff. The nth snapshot is synchronized with offset −1000 − n ns and `source`.
 */
export function startTestReporter(o: TestReporterOptions): Promise<Reporter> {
  let taken = 0;
  return startReporter({
    server: {
      url: `http://127.0.0.1:${o.port}`,
      enrollToken: o.enrollToken,
      reportIntervalS: 0.1,
      bufferMaxBytes: 4 * 1024 * 1024,
      dataDir: o.dataDir,
    },
    stateFile: "",
    hostname: o.hostname,
    backoff: { initialMs: 50, maxMs: 200 },
    log: (level, message) => o.lines.push(`${level}: ${message}`),
    snapshot: () => {
      taken += 1;
      o.onSnapshot?.(taken);
      return {
        at: formatRfc3339(BigInt(Date.now()) * 1_000_000n, 9),
        tracking: { offsetNs: -1000 - taken, frequencyPpm: 1.5, boundNs: 20_000, status: "synchronized" },
        sources: [o.source],
        resources: { cpuPercent: 0.5, rssBytes: 40_000_000 },
        agentVersion: "0.1.0",
      };
    },
  });
}
