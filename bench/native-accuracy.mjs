#!/usr/bin/env node
// Accuracy of the two transports of `chronosync serve ntp` on loopback — the native batch
// path and node:dgram (forced with CHRONOSYNC_NATIVE=0) — with `chronyd -x` as a
// reference, interleaved query by query. Client and servers read the same system clock,
// so the true offset is 0 and |offset| is the error. Two clients:
// - `queryNtp` (one sample per query), our Node client: T1 and T4 are read in JavaScript,
//   so its own errors (tens of µs) are part of every figure;
// - a small C probe (compiled here) with T1 read just before send() and T4 the kernel's
//   receive timestamp (SO_TIMESTAMPNS), like chronyd's client: what remains is the server's
//   error, to within a few µs of loopback noise.
// With --load W, bench/ntp-load keeps W requests outstanding against the server under
// test during each queryNtp query.
//
// Usage: node bench/native-accuracy.mjs [--queries 200] [--probes 400] [--load 0]
// Requires `npx tsc -b`, `node packages/protocols/scripts/build-native.mjs` and root.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { queryNtp } from "../packages/protocols/dist/index.js";
import {
  buildLoadGenerator,
  cleanup,
  freeUdpPort,
  machine,
  makeWorkDir,
  median,
  percentile,
  sleep,
  startChronosync,
  startChronyd,
} from "./lib/peers.js";

const { values } = parseArgs({
  options: {
    queries: { type: "string", default: "200" },
    probes: { type: "string", default: "400" },
    load: { type: "string", default: "0" },
  },
});
const queries = Number(values.queries);
const probes = Number(values.probes);

// probe PORT COUNT: COUNT requests 2 ms apart to 127.0.0.1:PORT; prints "offsetNs delayNs"
// per reply (T1 just before send, T4 from SO_TIMESTAMPNS).
const PROBE_C = `
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double ntp_ns(const uint8_t *p) {
  uint32_t s, f;
  memcpy(&s, p, 4);
  memcpy(&f, p + 4, 4);
  return ((double)ntohl(s) - 2208988800.0) * 1e9 + (double)ntohl(f) * 1e9 / 4294967296.0;
}
int main(int argc, char **argv) {
  int port = atoi(argv[1]), count = atoi(argv[2]), on = 1;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) return 1;
  for (int i = 0; i < count; i++) {
    uint8_t request[48] = {0x23}, reply[512];
    uint64_t tag = ((uint64_t)getpid() << 32) | (uint32_t)i;
    memcpy(request + 40, &tag, 8);
    struct timespec t1, t4 = {0, 0};
    clock_gettime(CLOCK_REALTIME, &t1);
    send(fd, request, 48, 0);
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 500) > 0) {
      char control[256];
      struct iovec iov = {reply, sizeof reply};
      struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
      ssize_t n = recvmsg(fd, &m, 0);
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) memcpy(&t4, CMSG_DATA(c), sizeof t4);
      if (n >= 48 && t4.tv_sec != 0 && memcmp(reply + 24, &tag, 8) == 0) {
        double T1 = t1.tv_sec * 1e9 + t1.tv_nsec, T4 = t4.tv_sec * 1e9 + t4.tv_nsec;
        double T2 = ntp_ns(reply + 32), T3 = ntp_ns(reply + 40);
        printf("%.0f %.0f\\n", ((T2 - T1) + (T3 - T4)) / 2, (T4 - T1) - (T3 - T2));
      }
    }
    usleep(2000);
  }
  return 0;
}
`;
const window = Number(values.load);

async function startOurs(native) {
  const previous = process.env.CHRONOSYNC_NATIVE;
  process.env.CHRONOSYNC_NATIVE = native;
  try {
    return await startChronosync(["--no-rate-limit"]);
  } finally {
    if (previous === undefined) delete process.env.CHRONOSYNC_NATIVE;
    else process.env.CHRONOSYNC_NATIVE = previous;
  }
}

/** Runs ntp-load against `port` in the background for about `ms` ms. */
function backgroundLoad(loadgen, port, ms) {
  if (window === 0) return Promise.resolve();
  const child = spawn(loadgen, ["127.0.0.1", String(port), "-d", String(ms), "-w", String(window)], {
    stdio: "ignore",
  });
  return new Promise((resolve) => child.on("exit", resolve));
}

const us = (ns) => Number((ns / 1000).toFixed(2));
const dir = makeWorkDir();
const servers = [];
try {
  const loadgen = buildLoadGenerator(dir);
  const probe = join(dir, "probe");
  writeFileSync(`${probe}.c`, PROBE_C);
  execFileSync("cc", ["-O2", "-Wall", "-o", probe, `${probe}.c`], { stdio: "inherit" });
  const chronyd = await startChronyd(dir, "server", await freeUdpPort(), ["local stratum 1"]);
  servers.push(chronyd);
  const native = await startOurs("1");
  servers.push(native);
  const dgram = await startOurs("0");
  servers.push(dgram);
  const targets = [
    { name: "chronosync-native", port: native.port },
    { name: "chronosync-dgram", port: dgram.port },
    { name: "chronyd", port: chronyd.port },
  ];
  const offsets = Object.fromEntries(targets.map((t) => [t.name, []]));
  const delays = Object.fromEntries(targets.map((t) => [t.name, []]));
  const failures = Object.fromEntries(targets.map((t) => [t.name, 0]));
  for (let q = 0; q < queries; q++) {
    for (const t of targets) {
      const loading = backgroundLoad(loadgen, t.port, 30);
      if (window > 0) await sleep(10);
      try {
        const result = await queryNtp({ host: "127.0.0.1", port: t.port }, { samples: 1, timeoutMs: 500 });
        offsets[t.name].push(Number(result.best.offsetNs));
        delays[t.name].push(Number(result.best.delayNs));
      } catch {
        failures[t.name]++;
      }
      await loading;
    }
    if ((q + 1) % 50 === 0) console.error(`${q + 1}/${queries} queries`);
  }
  const probed = Object.fromEntries(targets.map((t) => [t.name, { offsets: [], delays: [] }]));
  for (let done = 0; done < probes; done += 20) {
    for (const t of targets) {
      const lines = execFileSync(probe, [String(t.port), String(Math.min(20, probes - done))]).toString();
      for (const line of lines.trim().split("\n").filter(Boolean)) {
        const [offset, delay] = line.split(" ").map(Number);
        probed[t.name].offsets.push(offset);
        probed[t.name].delays.push(delay);
      }
    }
  }
  const stats = (list, delayList) => ({
    samples: list.length,
    medianAbsOffsetUs: us(median(list.map(Math.abs))),
    p90AbsOffsetUs: us(percentile(list.map(Math.abs), 90)),
    medianOffsetUs: us(median(list)),
    medianDelayUs: us(median(delayList)),
  });
  const summary = {};
  for (const t of targets) {
    summary[t.name] = {
      queryNtp: { ...stats(offsets[t.name], delays[t.name]), failures: failures[t.name] },
      kernelTimestampProbe: stats(probed[t.name].offsets, probed[t.name].delays),
    };
  }
  console.log(
    JSON.stringify(
      {
        benchmark: "native-accuracy",
        date: new Date().toISOString(),
        machine: machine(),
        clients: {
          queryNtp: "queryNtp (samples 1) from packages/protocols/dist, in this process",
          kernelTimestampProbe: "C probe: T1 read before send(), T4 from SO_TIMESTAMPNS, 2 ms apart",
        },
        load: window > 0 ? `ntp-load -w ${window} against the server under test during each query` : "none",
        servers: summary,
      },
      null,
      2,
    ),
  );
} finally {
  for (const server of servers.reverse()) await server.stop();
  cleanup(dir);
}
