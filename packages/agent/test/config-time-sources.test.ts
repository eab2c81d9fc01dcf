// Issue 6 §5: `sources` takes every scheme the time source registry knows, with the
// agent's poll options, and fallback groups, validated in the one schema.
import { readFileSync } from "node:fs";
import { type AgentConfig, AgentConfigError, loadAgentConfig, parseSourceEntry } from "@chronosync/agent";
import { defaultTimeSourceRegistry } from "@chronosync/protocols";
import { describe, expect, it } from "vitest";
import { memoryReader } from "./fixtures/config/memory-reader.js";

const FILE = "/etc/chronosync/agent.yaml";
const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // 32 bytes, base64

function load(yaml: string, flags: Record<string, string | string[]> = {}): AgentConfig {
  return loadAgentConfig({
    file: FILE,
    flags,
    reader: memoryReader({ [FILE]: yaml }),
    detectSources: () => ({ sources: [], origin: "default", files: [], skipped: [] }),
  });
}

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    if (err instanceof AgentConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("sources: every registry scheme", () => {
  it("accepts nts, roughtime, http(s), ptp, local, chronosync, auto with per-source poll options", () => {
    const config = load(`sources:
  - nts://time.example?minpoll=4&maxpoll=8
  - roughtime://rt.example:2002?key=${KEY}&maxpoll=12
  - https://time.example/
  - http://time.example:8080
  - ptp://eth0?domain=24&iburst=0
  - local
  - chronosync://server.example
  - chronosync+http://127.0.0.1:8080?samples=2
  - auto://time.example
  - ntp://ntp.example
minPoll: 5
maxPoll: 9
`);
    const [nts, rt, https, http, ptp, local, cs, csh, auto, ntp] = config.sources;
    expect(nts).toEqual({
      kind: "time",
      url: "nts://time.example:4460",
      input: "nts://time.example",
      protocol: "nts",
      minPoll: 4,
      maxPoll: 8,
      iburst: true,
    });
    expect(rt).toMatchObject({ kind: "time", protocol: "roughtime", minPoll: 5, maxPoll: 12 });
    expect(rt && "input" in rt ? rt.input : "").toBe(`roughtime://rt.example:2002?key=${KEY}`);
    expect(https).toMatchObject({ kind: "time", protocol: "https", minPoll: 5, maxPoll: 9 });
    expect(http).toMatchObject({ kind: "time", protocol: "http" });
    expect(ptp).toMatchObject({
      kind: "time",
      protocol: "ptp",
      iburst: false,
      input: "ptp://eth0?domain=24",
    });
    expect(local).toMatchObject({ kind: "time", protocol: "local" });
    expect(cs).toMatchObject({ kind: "time", protocol: "chronosync" });
    expect(csh).toMatchObject({ kind: "time", protocol: "chronosync+http" });
    expect(auto).toMatchObject({ kind: "time", protocol: "auto", url: "auto://time.example" });
    // NTP stays the agent's own engine: the same shape as before (no kind).
    expect(ntp).toEqual({
      url: "ntp://ntp.example",
      host: "ntp.example",
      port: 123,
      minPoll: 5,
      maxPoll: 9,
      iburst: true,
      pool: false,
    });
  });

  it("takes fallback groups in YAML and as fallback:URL|URL text (flags, environment)", () => {
    const config = load(`sources:
  - fallback: ["nts://time.example", "time.example", "https://time.example"]
    minpoll: 3
    maxpoll: 7
    iburst: false
    retryPreferredS: 60
`);
    expect(config.sources[0]).toEqual({
      kind: "fallback",
      url: "fallback:nts://time.example:4460|ntp://time.example:123|https://time.example/",
      members: [
        { url: "nts://time.example:4460", input: "nts://time.example", protocol: "nts" },
        { url: "ntp://time.example:123", input: "ntp://time.example", protocol: "ntp" },
        { url: "https://time.example/", input: "https://time.example", protocol: "https" },
      ],
      minPoll: 3,
      maxPoll: 7,
      iburst: false,
      retryPreferredS: 60,
    });
    const fromFlag = load("", { source: ["fallback:nts://a.example|ntp://a.example"] });
    expect(fromFlag.sources[0]).toMatchObject({
      kind: "fallback",
      minPoll: 6,
      maxPoll: 10,
      retryPreferredS: 300,
    });
    const fromEnv = loadAgentConfig({
      env: { CHRONOSYNC_SOURCES: "fallback:nts://a.example|ntp://a.example,https://b.example" },
      detectSources: () => ({ sources: [], origin: "default", files: [], skipped: [] }),
    });
    expect(fromEnv.sources.map((s) => s.url)).toEqual([
      "fallback:nts://a.example:4460|ntp://a.example:123",
      "https://b.example/",
    ]);
  });

  it("names the path and what was expected, inside groups too", () => {
    const yaml = `sources:
  - roughtime://rt.example
  - nts://time.example?minpoll=x
  - gopher://x.example
  - fallback: ["nts://a.example", 42]
  - fallback: ["nts://a.example"]
  - fallback: ["nts://a.example", "ntp://a.example?minpoll=4"]
  - fallback: ["nts://a.example", "auto://a.example"]
  - fallback: ["nts://a.example", "nts://a.example:4460"]
  - fallback: ["nts://a.example", "ntp://a.example"]
    minpoll: 9
    maxpoll: 4
  - fallback: ["nts://a.example", "ntp://a.example"]
    retry: 3
  - nts://time.example?minpoll=9&maxpoll=8
  - https://time.example?bogus=1
`;
    expect(problems(() => load(yaml))).toEqual([
      'sources[0]: expected a usable time source URL (Roughtime needs the server\'s public key (?key=BASE64)), got "roughtime://rt.example"',
      'sources[1]: expected minpoll to be an integer poll exponent, got "nts://time.example?minpoll=x"',
      'sources[2]: expected a time source URL with a known scheme (auto, chronosync, chronosync+http, http, https, local, ntp, nts, ptp, roughtime, system), got "gopher://x.example"',
      "sources[3].fallback[1]: expected a time source URL, got 42",
      "sources[4].fallback: expected a list of 2..8 member URLs, got a list",
      'sources[5].fallback[1]: expected a member URL without minpoll/maxpoll/iburst/pool (poll options go on the group), got "ntp://a.example?minpoll=4"',
      'sources[6].fallback[1]: expected a time source URL other than auto:// (detection is its own fallback), got "auto://a.example"',
      'sources[7].fallback[1]: expected distinct members, got "nts://a.example:4460"',
      "sources[8].minpoll: expected minpoll ≤ maxpoll, got 9",
      "sources[9].retry: expected a fallback group with keys fallback, minpoll, maxpoll, iburst, retryPreferredS, got 3",
      'sources[10]: expected minpoll ≤ maxpoll, got "nts://time.example?minpoll=9&maxpoll=8"',
      'sources[11]: expected a usable time source URL (unknown parameter "bogus"), got "https://time.example?bogus=1"',
    ]);
  });

  it("never throws on any value", () => {
    for (const v of [
      null,
      1,
      true,
      [],
      {},
      { fallback: "x" },
      "",
      "://",
      "fallback:",
      "fallback:|",
      "local:///x",
    ])
      expect(() => parseSourceEntry(v)).not.toThrow();
  });
});

describe("docs/configuration.md covers the time source schemes and the group syntax", () => {
  const doc = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
  it("lists every scheme of the registry, and each parses as a source", () => {
    const other = doc.slice(doc.indexOf("### Other protocols"), doc.indexOf("### Fallback groups"));
    for (const scheme of defaultTimeSourceRegistry.schemes()) {
      if (scheme === "ntp") continue;
      expect(other, scheme).toContain(
        scheme === "local" || scheme === "system" ? `\`${scheme}\`` : `\`${scheme}://`,
      );
    }
  });
  it("shows every key of a group in its example", () => {
    const group = doc.slice(doc.indexOf("### Fallback groups"));
    for (const key of ["fallback", "minpoll", "maxpoll", "iburst", "retryPreferredS"])
      expect(group).toMatch(new RegExp(`^\\s*-?\\s*${key}:`, "m"));
    const example = /```yaml\n(sources:\n[\s\S]*?)```/.exec(group)?.[1] ?? "";
    expect(() => load(example)).not.toThrow();
  });
});
