/**
 * A ChronoSync NTP server as a process of its own, for peers that must reach it where the
 * test process cannot be — inside a network namespace, on port 123:
 *   ip netns exec NS node packages/testkit/dist/peers/ntp-server-main.js --listen 127.0.0.1:123
 * Prints `{"ready":true,"listen":"HOST:PORT"}` once bound, `{"stats":...}` when it stops
 * (SIGTERM, SIGINT, stdin EOF with --stop-on-stdin-eof, or --max-seconds, default 120).
 */
import { parseArgs } from "node:util";
import { startSystemNtpServer } from "./ntp-server.js";

const { values } = parseArgs({
  options: {
    listen: { type: "string", default: "127.0.0.1:123" },
    "max-seconds": { type: "string", default: "120" },
    "stop-on-stdin-eof": { type: "boolean", default: false },
  },
});
const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(values.listen);
if (!m) {
  process.stderr.write(`ntp-server-main: --listen HOST:PORT, got ${values.listen}\n`);
  process.exit(2);
}
const server = await startSystemNtpServer({ host: m[1]!, port: Number(m[2]) });
const { address, port } = server.address;
process.stdout.write(`${JSON.stringify({ ready: true, listen: `${address}:${port}` })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearTimeout(limit);
  await server.close();
  process.stdout.write(`${JSON.stringify({ stats: server.stats })}\n`);
  process.stdin.destroy();
};
const limit = setTimeout(stop, Number(values["max-seconds"]) * 1000);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
if (values["stop-on-stdin-eof"]) process.stdin.on("end", stop).on("close", stop).resume();
