#!/usr/bin/env node
// Builds the optional native NTP transport (native/ntp_udp.c, the server, and
// native/ntp_udp_client.c, queryNtp's socket, and native/unix_dgram.c, the AF_UNIX datagram
// socket of queryChronyd, and native/ptp_udp.c, PTP's sockets with kernel software
// timestamps → native/build/ntp_udp.node; what they share is in native/ntp_udp.h and, for
// the N-API boilerplate, native/napi_util.h, found next to the sources)
// with the system C compiler and the headers of the Node that runs this script. Optional
// by design: without Linux, a C compiler or Node's headers it prints one line and exits 0,
// and startNtpServer, queryNtp, queryPtp and servePtp use node:dgram. See docs/ntp-server-fast-path.md.
//
// Usage: node packages/protocols/scripts/build-native.mjs   (run by the root `prepare`)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const sources = ["ntp_udp.c", "ntp_udp_client.c", "unix_dgram.c", "ptp_udp.c"].map((file) =>
  path.join(root, "native", file),
);
const outDir = path.join(root, "native", "build");
const output = path.join(outDir, "ntp_udp.node");
const include = path.join(path.dirname(process.execPath), "..", "include", "node");
const compiler = process.env.CC || "cc";

function skip(reason) {
  console.log(
    `chronosync: native NTP fast path skipped (${reason}); the NTP server and client will use node:dgram`,
  );
  process.exit(0);
}

if (process.platform !== "linux") skip(`recvmmsg/sendmmsg need Linux, this is ${process.platform}`);
if (!existsSync(path.join(include, "node_api.h")) || !existsSync(path.join(include, "uv.h"))) {
  skip(`no node_api.h and uv.h in ${include}`);
}
if (spawnSync(compiler, ["--version"], { stdio: "ignore" }).status !== 0) skip(`no C compiler "${compiler}"`);

mkdirSync(outDir, { recursive: true });
// Build next to the target and rename: a running server keeps its mapping of the old file.
const temporary = `${output}.${process.pid}.tmp`;
const args = [
  "-O2",
  "-shared",
  "-fPIC",
  "-std=gnu11",
  "-Wall",
  "-Wextra",
  "-I",
  include,
  "-o",
  temporary,
  ...sources,
];
const result = spawnSync(compiler, args, { stdio: ["ignore", "inherit", "inherit"] });
if (result.status !== 0) {
  rmSync(temporary, { force: true });
  skip(`${compiler} failed (status ${result.status ?? result.signal}); see its messages above`);
}
renameSync(temporary, output);
console.log(`chronosync: built the native NTP fast path: ${path.relative(process.cwd(), output) || output}`);
