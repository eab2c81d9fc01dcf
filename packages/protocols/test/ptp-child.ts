/**
 * Child process for the PTP interop tests, run with `node --import tsx` inside a network
 * namespace (a Node process cannot enter one itself). Prints one JSON object per line:
 *
 *   slave <address> <seconds>    → {"type":"ready",timestamps}, {"type":"sample",...} per
 *                                  exchange, {"type":"state",...}, {"type":"counters",...} at the end
 *   unicast <address> <seconds> <master>
 *                                → as slave, negotiating unicast service from <master>
 *                                  (§16.1), plus {"type":"grant",...} per grant or denial
 *   master <address> <seconds>   → {"type":"ready",timestamps,...}, then {"type":"stats",...} at the end
 *   capture <address> <seconds>  → {"type":"packet","channel","hex"} per datagram received
 *   query <address> <timeoutS>   → {"type":"query",...} (queryPtp's result) or {"type":"error",code}
 *
 * `timestamps` is "kernel" (the native addon) or "user" (node:dgram; PTP_NATIVE=0 forces it);
 * the end lines carry the addon's socket counters as `transport`.
 * Exits after <seconds> or when stdin closes.
 */
import { systemClock } from "@chronosync/core";
import { openPtpUdp, queryPtp, servePtp, startPtpSlave } from "../src/ptp/index.js";

const [mode, address, seconds, unicastMaster] = process.argv.slice(2);
if (mode === undefined || address === undefined)
  throw new Error("usage: ptp-child <mode> <address> <seconds>");
const print = (value: object) =>
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);

const native = process.env.PTP_NATIVE === "0" ? false : "auto";
let close: () => Promise<void> = async () => {};
// CPU time from the fifth exchange on (module loading, startup and JIT warm-up excluded).
let cpuStart: NodeJS.CpuUsage | null = null;
let exchanges = 0;
const cpu = () => {
  const used = cpuStart === null ? null : process.cpuUsage(cpuStart);
  return { exchanges, cpuUs: used === null ? 0 : used.user + used.system };
};
if (mode === "slave" || mode === "unicast") {
  if (mode === "unicast" && unicastMaster === undefined) throw new Error("unicast needs a master address");
  const handle = await startPtpSlave({
    address,
    native,
    unicastMasters: mode === "unicast" ? [unicastMaster!] : undefined,
    unicastDurationS: 60,
    onGrant: (event) => print(event),
    onSample: (sample) => {
      if (cpuStart !== null) exchanges++;
      else if (++exchanges === 5) {
        cpuStart = process.cpuUsage();
        exchanges = 0;
      }
      print({ type: "sample", at: Date.now(), ...sample });
    },
    onState: (from, to, master) => print({ type: "state", from, to, master }),
  });
  print({ type: "ready", timestamps: handle.timestamps });
  close = async () => {
    const unicast = handle.unicast?.status ?? null;
    print({
      type: "counters",
      ...handle.engine.counters,
      ...cpu(),
      transport: handle.transportStats(),
      unicast,
    });
    await handle.close();
  };
} else if (mode === "master") {
  const handle = await servePtp({ address, native });
  cpuStart = process.cpuUsage();
  print({ type: "ready", clockIdentity: handle.clockIdentity, timestamps: handle.timestamps });
  close = async () => {
    exchanges = handle.sent.sync;
    const transport = handle.transportStats();
    print({ type: "stats", sent: handle.sent, ...handle.engine.counters, ...cpu(), transport });
    await handle.close();
  };
} else if (mode === "capture") {
  const transport = await openPtpUdp({
    address,
    clock: systemClock,
    onMessage: (bytes, rxTime, channel) =>
      print({ type: "packet", channel, rxTime, hex: Buffer.from(bytes).toString("hex") }),
  });
  close = () => transport.close();
} else if (mode === "query") {
  try {
    const result = await queryPtp({ address, native, timeoutMs: Number(seconds ?? 12) * 1000 });
    print({ type: "query", ...result });
  } catch (err) {
    print({ type: "error", code: (err as { code?: string }).code, message: String(err) });
  }
  process.exit(0);
} else {
  throw new Error(`unknown mode ${mode}`);
}
print({ type: "started", mode });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await close();
  process.exit(0);
};
setTimeout(stop, Number(seconds ?? 30) * 1000);
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
