/**
 * Per-source trusted certificates (`?ca=/path/ca.pem` on `nts://`, `https://`,
 * `chronosync://` and `auto://`): the PEM file is read once, when the source is created,
 * so a missing or unreadable file is an error of the URL (the agent reports it when its
 * configuration loads), not a failure of every later measurement. Like Node's `tls` `ca`
 * option, the certificates replace the default roots for that source only;
 * `TimeSourceOptions.ca` is the default for sources whose URL names none.
 */
import { readFileSync } from "node:fs";
import { TimeSourceUrlError } from "../errors.js";
import type { TimeSourceOptions } from "./types.js";
import type { TimeSourceUrl } from "./url.js";

/** The URL parameter naming a CA file. */
export const CA_PARAM = "ca";

const PEM_CERT = "-----BEGIN CERTIFICATE-----";

/** What a source trusts: the URL's CA file, read now, else `options.ca`; and the file's path. */
export interface SourceCa {
  ca: string | Buffer | undefined;
  /** The path from the URL, or undefined when the URL names none. */
  path: string | undefined;
}

/**
 * Reads the `ca` parameter's PEM file; throws {@link TimeSourceUrlError} when it is empty,
 * cannot be read, or holds no certificate.
 */
export function sourceCa(url: TimeSourceUrl, options: TimeSourceOptions): SourceCa {
  const path = url.params.get(CA_PARAM);
  if (path === undefined) return { ca: options.ca, path: undefined };
  if (path.trim() === "") throw new TimeSourceUrlError(url.input, "ca needs a file path");
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new TimeSourceUrlError(
      url.input,
      `cannot read the CA file ${JSON.stringify(path)}${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: err },
    );
  }
  if (!pem.includes(PEM_CERT))
    throw new TimeSourceUrlError(url.input, `the CA file ${JSON.stringify(path)} holds no PEM certificate`);
  return { ca: pem, path };
}

/** `?ca=PATH` (or `&ca=…` after other parameters) for a canonical URL; "" without a path. */
export function caQuery(path: string | undefined, first = true): string {
  if (path === undefined) return "";
  const value = path.replace(/[%&#\s]/g, (c) => encodeURIComponent(c));
  return `${first ? "?" : "&"}${CA_PARAM}=${value}`;
}
