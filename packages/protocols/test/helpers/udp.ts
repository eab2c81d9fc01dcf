/** UDP helpers for loopback tests: free ports, silent listeners, one-shot exchanges. */
import { spawnSync } from "node:child_process";
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

/**
 * Sends `payload` to 127.0.0.1:`port` from SOURCE PORT 0, which no ordinary socket can do:
 * a raw socket (root) through python3. Returns false when that is not possible here.
 * Such a datagram is what a spoofing attacker sends; it cannot be answered.
 */
export function sendFromPortZero(port: number, payload: Uint8Array): boolean {
  const script = `
import socket, struct, sys
payload = bytes.fromhex(sys.argv[2])
udp = struct.pack("!HHHH", 0, int(sys.argv[1]), 8 + len(payload), 0) + payload
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
raw.sendto(udp, ("127.0.0.1", 0))`;
  const result = spawnSync("python3", ["-c", script, String(port), Buffer.from(payload).toString("hex")], {
    stdio: "ignore",
    timeout: 5000,
  });
  return result.status === 0;
}

/** Whether {@link sendFromPortZero} works here (root and python3), tried on a silent port. */
export async function canSendFromPortZero(): Promise<boolean> {
  const listener = await silentListener();
  try {
    return sendFromPortZero(listener.port, new Uint8Array(1));
  } finally {
    listener.socket.close();
  }
}
