/**
 * How `queryChronyd` moves command datagrams: one small interface, two implementations
 * (chrony's own client does the same in `client.c`: `open_io` picks a Unix or an IP
 * socket). Both are connected datagram sockets, so only chronyd's replies arrive.
 * - {@link openUdpTransport}: node:dgram to chronyd's `cmdport` (UDP 127.0.0.1:323 by default);
 * - `openUnixTransport` (unix-transport.ts): the native addon's AF_UNIX datagram socket to
 *   `/run/chrony/chronyd.sock` or a private `bindcmdaddress /path/chronyd.sock`.
 * @see https://chrony-project.org/doc/4.3/chronyc.html (-h accepts a socket path)
 */
import { createSocket } from "node:dgram";
import { isIP } from "node:net";

/** A connected datagram socket to chronyd's command endpoint. */
export interface ChronyCmdTransport {
  /** For messages: `chronyd 127.0.0.1:323` or `chronyd /run/chrony/chronyd.sock`. */
  readonly where: string;
  /** Which kind of socket this is. */
  readonly kind: "udp" | "unix";
  /** Sends one request. May throw a system error (with `code`); later errors go to `onError`. */
  send(bytes: Uint8Array): void;
  /** Sets the receivers of replies and of socket errors (replacing earlier ones). */
  listen(onDatagram: (bytes: Uint8Array) => void, onError: (err: unknown) => void): void;
  /** Closes the socket (and removes what it created); idempotent. */
  close(): Promise<void>;
}

/** Opens a UDP socket connected to chronyd's command port; rejects with the system error. */
export async function openUdpTransport(host: string, port: number): Promise<ChronyCmdTransport> {
  const socket = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
  let onDatagram: (bytes: Uint8Array) => void = () => {};
  let onError: (err: unknown) => void = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(port, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  socket.on("message", (msg) => onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)));
  socket.on("error", (err) => onError(err));
  let closed = false;
  return {
    where: `chronyd ${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
    kind: "udp",
    send(bytes) {
      socket.send(bytes, (err) => {
        if (err) onError(err);
      });
    },
    listen(datagram, error) {
      onDatagram = datagram;
      onError = error;
    },
    async close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
