/**
 * chronyd's Unix command socket, the way chronyc uses it (chrony 4.3 `client.c`,
 * `open_unix_socket`): an AF_UNIX datagram socket bound to a client path of our own (chronyd
 * replies to the sender's bound address), made writable by all (chronyd has dropped
 * privileges to its own user), connected to the server path. node:dgram has no AF_UNIX
 * datagram sockets, so this needs the native addon (`native/unix_dgram.c`); without it,
 * {@link ChronyCmdNativeUnavailableError}.
 *
 * chronyc binds `chronyc.<pid>.sock` next to the server socket, which needs write access to
 * chronyd's 0750 folder. We bind in a fresh `mkdtemp` folder of mode 0711 instead (chronyd
 * can reach the socket in it, nobody can list it); close() removes both.
 * @see https://chrony-project.org/doc/4.3/chrony.conf.html#bindcmdaddress
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChronyCmdNativeUnavailableError } from "../errors.js";
import { loadNtpUdpAddon, wantsNative } from "../ntp/native-addon.js";
import type { ChronyCmdTransport } from "./transport.js";

/** The addon's AF_UNIX datagram functions (native/unix_dgram.c). */
export interface UnixDgramAddon {
  /** Binds `clientPath` (mode 0666), connects to `serverPath`; throws a system error (with `code`). */
  openUnix(
    serverPath: string,
    clientPath: string,
    onDatagram: (bytes: Uint8Array) => void,
    onError: (err: Error) => void,
  ): unknown;
  /** Sends one datagram without blocking; throws a system error. */
  unixSend(handle: unknown, bytes: Uint8Array): void;
  /** Stops polling, closes and unlinks the client path; idempotent. */
  unixClose(handle: unknown): void;
}

/** The addon's Unix functions, or why they are not available. */
export function loadUnixDgramAddon(): { addon: UnixDgramAddon } | { error: string } {
  if (!wantsNative("auto")) return { error: "the native addon is turned off (CHRONOSYNC_NATIVE=0)" };
  const loaded = loadNtpUdpAddon();
  if ("error" in loaded) return { error: `the native addon is not available: ${loaded.error}` };
  const addon = loaded.addon as unknown as Partial<UnixDgramAddon>;
  if (typeof addon.openUnix !== "function" || typeof addon.unixSend !== "function")
    return { error: "the native addon is an old build without unix_dgram.c (rebuild it)" };
  return { addon: addon as UnixDgramAddon };
}

/**
 * Opens a datagram socket connected to chronyd's Unix command socket at `socketPath`
 * (the folder work is asynchronous: nothing here blocks the event loop). Rejects {@link ChronyCmdNativeUnavailableError} without the addon, else a system error
 * (`ENOENT`: no such socket, `ECONNREFUSED`: no chronyd bound to it, `EACCES`).
 */
export async function openUnixTransport(socketPath: string): Promise<ChronyCmdTransport> {
  const loaded = loadUnixDgramAddon();
  if ("error" in loaded) throw new ChronyCmdNativeUnavailableError(socketPath, loaded.error);
  const { addon } = loaded;
  const dir = await mkdtemp(join(tmpdir(), "chronosync-chronyc-"));
  let onDatagram: (bytes: Uint8Array) => void = () => {};
  let onError: (err: unknown) => void = () => {};
  let handle: unknown;
  try {
    await chmod(dir, 0o711);
    handle = addon.openUnix(
      socketPath,
      join(dir, `chronyc.${process.pid}.sock`),
      (bytes) => onDatagram(bytes),
      (err) => onError(err),
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    where: `chronyd ${socketPath}`,
    kind: "unix",
    send: (bytes) => addon.unixSend(handle, bytes),
    listen(datagram, error) {
      onDatagram = datagram;
      onError = error;
    },
    async close() {
      if (closed) return;
      closed = true;
      addon.unixClose(handle);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
