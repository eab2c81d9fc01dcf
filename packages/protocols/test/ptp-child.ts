/**
 * Child process for the PTP interop tests, run with `node --import tsx` inside a network
 * namespace (a Node process cannot enter one itself). Prints one JSON object per line:
 *
 *   slave <address> <seconds>    → {"type":"sample",...} per exchange, {"type":"state",...}
 *   master <address> <seconds>   → {"type":"ready",...}, then {"type":"stats",...} at the end
 *   capture <address> <seconds>  → {"type":"packet","channel","hex"} per datagram received
 *   query <address> <timeoutS>   → {"type":"query",...} (queryPtp's result) or {"type":"error",code}
 *
 * Exits after <seconds> or when stdin closes.
 */
import { systemClock } from "@chronosync/core";
import { openPtpUdp, queryPtp, servePtp, startPtpSlave } from "../src/ptp/index.js";

const [mode, address, seconds] = process.argv.slice(2);
if (mode === undefined || address === undefined)
  throw new Error("usage: ptp-child <mode> <address> <seconds>");
const print = (value: object) =>
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);

let close: () => Promise<void> = async () => {};
// CPU time from the fifth exchange on (module loading, startup and JIT warm-up excluded).
let cpuStart: NodeJS.CpuUsage | null = null;
let exchanges = 0;
const cpu = () => {
  const used = cpuStart === null ? null : process.cpuUsage(cpuStart);
  return { exchanges, cpuUs: used === null ? 0 : used.user + used.system };
};
if (mode === "slave") {
  const handle = await startPtpSlave({
    address,
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
  close = async () => {
    print({ type: "counters", ...handle.engine.counters, ...cpu() });
    await handle.close();
  };
} else if (mode === "master") {
  const handle = await servePtp({ address });
  cpuStart = process.cpuUsage();
  print({ type: "ready", clockIdentity: handle.clockIdentity });
  close = async () => {
    exchanges = handle.sent.sync;
    print({ type: "stats", sent: handle.sent, ...handle.engine.counters, ...cpu() });
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
    const result = await queryPtp({ address, timeoutMs: Number(seconds ?? 12) * 1000 });
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
