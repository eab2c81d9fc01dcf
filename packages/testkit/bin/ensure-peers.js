#!/usr/bin/env node
// Makes sure the real peer programs the tests use are installed. As root with apt it
// installs the missing Debian packages; otherwise it fails naming them. No silent skips.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** [check, Debian package] — a check is a program on PATH or an absolute file path. */
const NEEDED = [
  ["chronyd", "chrony"],
  ["chronyc", "chrony"],
  ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "libfaketime"],
  ["faketime", "faketime"],
  ["ntpdig", "ntpsec-ntpdate"],
  ["ip", "iproute2"],
  ["htpdate", "htpdate"],
  ["ptp4l", "linuxptp"],
  ["openssl", "openssl"],
  ["chromium", "chromium"],
];

function present(check) {
  if (check.startsWith("/")) return existsSync(check);
  return spawnSync("sh", ["-c", `command -v ${check}`], { stdio: "ignore" }).status === 0;
}

const missing = [...new Set(NEEDED.filter(([check]) => !present(check)).map(([, pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = present("apt-get");
if (!isRoot || !hasApt) {
  console.error(`ensure-peers: the tests need these Debian packages: ${missing.join(" ")}`);
  console.error(`ensure-peers: install them with: sudo apt-get install -y ${missing.join(" ")}`);
  process.exit(1);
}
console.error(`ensure-peers: installing ${missing.join(" ")} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
  stdio: "inherit",
  env,
});
const still = NEEDED.filter(([check]) => !present(check)).map(([, pkg]) => pkg);
if (still.length > 0) {
  console.error(`ensure-peers: still missing after install: ${[...new Set(still)].join(" ")}`);
  process.exit(1);
}
