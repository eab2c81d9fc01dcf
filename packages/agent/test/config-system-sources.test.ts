import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_SOURCE, detectSystemSources, parseChronyConf, parseNtpConf } from "../src/index.js";
import { errno, memoryReader } from "./fixtures/config/memory-reader.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/config/${name}`, import.meta.url), "utf8");

describe("parseChronyConf", () => {
  it("reads Debian's default chrony.conf", () => {
    expect(parseChronyConf(fixture("debian-chrony.conf"))).toEqual([
      "ntp://2.debian.pool.ntp.org?iburst=1&pool=1",
    ]);
  });
  it("handles options, quotes, comments, case, IPv6 and skips bad hosts", () => {
    expect(parseChronyConf(fixture("custom-chrony.conf"))).toEqual([
      "ntp://time1.example.com?minpoll=4&maxpoll=8&iburst=1",
      "ntp://time2.example.com:1123",
      "ntp://192.0.2.7",
      "ntp://[2001:db8::123]?iburst=1",
      "ntp://pool.example.org?iburst=1&pool=1",
    ]);
  });
  it("ignores a directive without a host and CRLF line ends", () => {
    expect(parseChronyConf("server\r\nserver a.example\r\n")).toEqual(["ntp://a.example"]);
  });
});

describe("parseNtpConf", () => {
  it("reads pools and servers, skips refclocks and -4/-6", () => {
    expect(parseNtpConf(fixture("ntp.conf"))).toEqual([
      "ntp://0.ubuntu.pool.ntp.org?iburst=1&pool=1",
      "ntp://1.ubuntu.pool.ntp.org?iburst=1&pool=1",
      "ntp://ntp.example.net?minpoll=5&maxpoll=9&iburst=1",
    ]);
  });
});

describe("detectSystemSources", () => {
  it("prefers chrony.conf", () => {
    const r = detectSystemSources(
      memoryReader({
        "/etc/chrony/chrony.conf": fixture("debian-chrony.conf"),
        "/etc/ntp.conf": fixture("ntp.conf"),
      }),
    );
    expect(r).toEqual({
      sources: ["ntp://2.debian.pool.ntp.org?iburst=1&pool=1"],
      origin: "chrony.conf",
      files: ["/etc/chrony/chrony.conf"],
      skipped: [],
    });
  });
  it("finds /etc/chrony.conf (RHEL layout)", () => {
    const r = detectSystemSources(memoryReader({ "/etc/chrony.conf": "server a.example iburst\n" }));
    expect(r.origin).toBe("chrony.conf");
    expect(r.files).toEqual(["/etc/chrony.conf"]);
  });
  it("falls to ntp.conf when chrony.conf names no server", () => {
    const r = detectSystemSources(
      memoryReader({ "/etc/chrony/chrony.conf": "# nothing\n", "/etc/ntpsec/ntp.conf": fixture("ntp.conf") }),
    );
    expect(r.origin).toBe("ntp.conf");
    expect(r.sources).toHaveLength(3);
    expect(r.files).toEqual(["/etc/ntpsec/ntp.conf"]);
  });
  it("reads timesyncd NTP= with drop-ins (sorted, /etc hides /usr/lib, empty assignment resets)", () => {
    const r = detectSystemSources(
      memoryReader(
        {
          "/etc/systemd/timesyncd.conf": "[Time]\nNTP=old.example\nFallbackNTP=fallback.example\n",
          "/etc/systemd/timesyncd.conf.d/10-site.conf": "[Time]\nNTP=\nNTP=a.example  b.example:1123\n",
          "/usr/lib/systemd/timesyncd.conf.d/10-site.conf": "[Time]\nNTP=hidden.example\n",
          "/usr/lib/systemd/timesyncd.conf.d/20-more.conf":
            "[Other]\nNTP=not-time.example\n[Time]\nNTP='c.example'\n",
        },
        {
          "/etc/systemd/timesyncd.conf.d": ["10-site.conf", "README"],
          "/usr/lib/systemd/timesyncd.conf.d": ["20-more.conf", "10-site.conf"],
        },
      ),
    );
    expect(r.origin).toBe("timesyncd.conf");
    expect(r.sources).toEqual(["ntp://a.example", "ntp://b.example:1123", "ntp://c.example"]);
    expect(r.files).toEqual([
      "/etc/systemd/timesyncd.conf",
      "/etc/systemd/timesyncd.conf.d/10-site.conf",
      "/usr/lib/systemd/timesyncd.conf.d/20-more.conf",
    ]);
  });
  it("uses FallbackNTP= when NTP= is empty", () => {
    const r = detectSystemSources(
      memoryReader({ "/etc/systemd/timesyncd.conf": "[Time]\nFallbackNTP=f1.example f2.example\n" }),
    );
    expect(r.sources).toEqual(["ntp://f1.example", "ntp://f2.example"]);
  });
  it("falls back to pool.ntp.org: Ubuntu's all-commented timesyncd.conf, nothing else", () => {
    const r = detectSystemSources(memoryReader({ "/etc/systemd/timesyncd.conf": fixture("timesyncd.conf") }));
    expect(r).toEqual({ sources: [DEFAULT_SYSTEM_SOURCE], origin: "default", files: [], skipped: [] });
    expect(DEFAULT_SYSTEM_SOURCE).toBe("ntp://pool.ntp.org?pool=1");
  });
  it("skips unreadable files and directories and notes why", () => {
    const r = detectSystemSources(
      memoryReader({ "/etc/chrony/chrony.conf": errno("EACCES"), "/etc/ntp.conf": "server n.example\n" }, {}),
    );
    expect(r.origin).toBe("ntp.conf");
    expect(r.skipped).toEqual([{ file: "/etc/chrony/chrony.conf", reason: "permission denied" }]);
    const noDir = detectSystemSources({
      readFile: () => {
        throw errno("ENOENT");
      },
      listDir: () => {
        throw errno("EACCES");
      },
    });
    expect(noDir.origin).toBe("default");
    expect(noDir.skipped).toHaveLength(3);
  });
  it("works with a reader that cannot list directories", () => {
    const r = detectSystemSources({ readFile: () => "[Time]\nNTP=x.example\n" });
    expect(r).toMatchObject({ origin: "timesyncd.conf", sources: ["ntp://x.example"] });
  });
});
