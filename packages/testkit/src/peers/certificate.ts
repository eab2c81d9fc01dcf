/**
 * A self-signed P-256 certificate for `localhost` and 127.0.0.1 made with openssl (a real
 * peer of its own: the TLS servers under test — NTS-KE, HTTPS Date, the ChronoSync server —
 * and chronyd's `ntstrustedcerts` take it as is; PEERS.md).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { requireProgram } from "./programs.js";

export interface SelfSignedCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  /** PEM. */
  readonly cert: string;
  readonly key: string;
}

/** `openssl` arguments that write a self-signed P-256 certificate (2 days) and its key. */
export function selfSignedCertificateArgs(certPath: string, keyPath: string): string[] {
  return [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ];
}

/** Writes `server.crt` and `server.key` into `dir` (valid 2 days) and reads them back. */
export async function createSelfSignedCertificate(dir: string): Promise<SelfSignedCertificate> {
  const openssl = requireProgram("openssl");
  const certPath = join(dir, "server.crt");
  const keyPath = join(dir, "server.key");
  await promisify(execFile)(openssl, selfSignedCertificateArgs(certPath, keyPath));
  return { certPath, keyPath, cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
}
