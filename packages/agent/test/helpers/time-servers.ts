/**
 * Loopback time servers for the agent's runner tests (issue 6 §5): a self-signed P-256
 * certificate for localhost / 127.0.0.1 made by openssl (as protocols' nts-helpers.ts),
 * our NTP responder, our NTS server (NTS-KE + authenticated NTP), and an HTTP(S) server
 * whose Date header is the system clock plus an offset. Everything on 127.0.0.1, port 0.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@chronosync/core";
import {
  asciiReferenceId,
  formatHttpDate,
  NtpResponder,
  type NtpServerHandle,
  type NtsServerHandle,
  startNtpServer,
  startNtsServer,
} from "@chronosync/protocols";
import { createSelfSignedCertificate } from "@chronosync/testkit";

/** A self-signed certificate for localhost and 127.0.0.1 (testkit, openssl). */
export async function makeCertificate(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), "chronosync-agent-cert-"));
  try {
    const { cert, key } = await createSelfSignedCertificate(dir);
    return { cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An NTP responder on the system clock, stratum 1. */
export function responder(): NtpResponder {
  return new NtpResponder({
    clock: systemClock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("LOOP"),
      referenceTime: systemClock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 1_000n,
      precision: -20,
    },
    rateLimit: false,
  });
}

export function startNtp(): Promise<NtpServerHandle> {
  return startNtpServer({ host: "127.0.0.1", port: 0, responder: responder() });
}

export function startNts(tls: { cert: string; key: string }): Promise<NtsServerHandle> {
  return startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, ...tls, ntp: responder() });
}

/** An HTTP (or with `tls` HTTPS) server whose Date header is system time + `offsetNs`. */
export async function startDateServer(
  offsetNs = 0n,
  tls?: { cert: string; key: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const handler = (_req: unknown, res: ServerResponse) => {
    res.sendDate = false;
    res.setHeader("Date", formatHttpDate(Number((systemClock.now() + offsetNs) / 1_000_000_000n)));
    res.end();
  };
  const server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
