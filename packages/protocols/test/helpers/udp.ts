/** UDP helpers for loopback tests: free ports, silent listeners, one-shot exchanges. */
import { createSocket, type Socket } from "node:dgram";

/** A UDP port that was free a moment ago (bind port 0, read it, close). */
export async function freeUdpPort(type: "udp4" | "udp6" = "udp4"): Promise<number> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, type === "udp4" ? "127.0.0.1" : "::1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** A bound socket that receives and never answers; `received` counts datagrams. */
export async function silentListener(): Promise<{ socket: Socket; port: number; received: () => number }> {
  const socket = createSocket("udp4");
  let count = 0;
  socket.on("message", () => {
    count++;
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { socket, port: socket.address().port, received: () => count };
}

/** Sends `request` to 127.0.0.1:port and resolves with the first reply (or null on timeout). */
export async function exchangeOnce(
  port: number,
  request: Uint8Array,
  timeoutMs = 2000,
): Promise<Uint8Array | null> {
  const socket = createSocket("udp4");
  try {
    return await new Promise<Uint8Array | null>((resolve, reject) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      socket.on("error", reject);
      socket.on("message", (message) => {
        clearTimeout(timer);
        resolve(new Uint8Array(message));
      });
      socket.send(request, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}
