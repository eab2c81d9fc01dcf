/** Free UDP ports for the peers a test starts. */
import { createSocket } from "node:dgram";

/**
 * Ports below the kernel's ephemeral range (32768–60999 on Linux): a port taken from
 * there could be handed to some other client socket between our check and the peer's bind.
 */
const LOW = 20_000;
const HIGH = 32_000;

function tryBind(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", () => {
      socket.close();
      resolve(null);
    });
    socket.bind(port, host, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

/**
 * A UDP port on `host` that nothing is bound to right now (random in 20000–31999, so
 * parallel tests rarely pick the same one). There is still a window before the caller
 * binds it: peers that fail to bind are retried on another port by the harness.
 */
export async function findFreeUdpPort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    const bound = await tryBind(port, host);
    if (bound !== null) return bound;
  }
  const any = await tryBind(0, host);
  if (any === null) throw new Error(`no free UDP port on ${host}`);
  return any;
}
