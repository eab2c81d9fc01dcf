/**
 * HTTPS with TLS 1.3 only (issue 4 §7): `--tls-cert/--tls-key` (or `CHRONOSYNC_TLS_CERT`
 * / `CHRONOSYNC_TLS_KEY`) name PEM files; the server then refuses TLS ≤ 1.2 handshakes.
 * @see https://www.rfc-editor.org/rfc/rfc8446
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { resolve as resolvePath } from "node:path";
import { createSecureContext } from "node:tls";
import type { FastifyServerFactory } from "fastify";
import { ConfigError } from "./errors.js";

/** PEM certificate chain and private key. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Oldest protocol version accepted. */
export const TLS_MIN_VERSION = "TLSv1.3";

/**
 * Reads and checks the certificate and key files (they parse and belong together).
 * @throws {ConfigError} naming the file or the mismatch.
 */
export async function loadTls(certPath: string, keyPath: string): Promise<TlsMaterial> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new ConfigError(
        `cannot read the TLS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  };
  const material = { cert: await read(certPath, "certificate"), key: await read(keyPath, "key") };
  try {
    createSecureContext({ ...material, minVersion: TLS_MIN_VERSION });
  } catch (err) {
    throw new ConfigError(
      `TLS certificate ${certPath} and key ${keyPath} are unusable: ${(err as Error).message}`,
    );
  }
  return material;
}

/**
 * A Fastify `serverFactory` answering HTTPS with TLS 1.3 only. Fastify types the raw
 * server as `http.Server`; `https.Server` serves the same request/response API.
 */
export function tlsServerFactory(material: TlsMaterial): FastifyServerFactory {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    createServer(
      { cert: material.cert, key: material.key, minVersion: TLS_MIN_VERSION },
      handler,
    ) as unknown as Server;
}

/** Where the certificate and key are (absolute paths). */
export interface TlsPaths {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * `--tls-cert`/`--tls-key` flags, else `CHRONOSYNC_TLS_CERT`/`CHRONOSYNC_TLS_KEY`, resolved
 * against `cwd`; both or neither.
 * @throws {ConfigError} when only one is given.
 */
export function resolveTlsPaths(
  flags: { readonly tlsCert?: string | undefined; readonly tlsKey?: string | undefined },
  env: NodeJS.ProcessEnv,
  cwd: string,
): TlsPaths | undefined {
  const cert = flags.tlsCert ?? (env.CHRONOSYNC_TLS_CERT || undefined);
  const key = flags.tlsKey ?? (env.CHRONOSYNC_TLS_KEY || undefined);
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new ConfigError("--tls-cert and --tls-key (CHRONOSYNC_TLS_CERT, CHRONOSYNC_TLS_KEY) go together");
  return { certPath: resolvePath(cwd, cert), keyPath: resolvePath(cwd, key) };
}
