import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AgentConfigError,
  type ConfigReader,
  describeSourcesChoice,
  type LoadAgentConfigOptions,
  loadAgentConfig,
} from "../src/index.js";
import { memoryReader } from "./fixtures/config/memory-reader.js";

const FILE = "/etc/chronosync/agent.yaml";
const noSystem = {
  detectSources: () => ({
    sources: ["ntp://pool.ntp.org?pool=1"],
    origin: "default" as const,
    files: [],
    skipped: [],
  }),
} as const;

function load(text: string | undefined, rest: Partial<LoadAgentConfigOptions> = {}, file = FILE) {
  return loadAgentConfig({
    ...noSystem,
    ...(text !== undefined && { file, reader: memoryReader({ [file]: text }) }),
    ...rest,
  });
}

/** The error's message lines, or fails. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AgentConfigError);
    expect((err as AgentConfigError).code).toBe("AGENT_CONFIG_INVALID");
    expect((err as AgentConfigError).issues).toHaveLength((err as Error).message.split("\n").length);
    return (err as Error).message.split("\n");
  }
  throw new Error("expected an AgentConfigError");
}

describe("loadAgentConfig: valid", () => {
  it("gives every default with no sources, detecting system sources", () => {
    const config = loadAgentConfig({
      reader: memoryReader({ "/etc/chrony/chrony.conf": "pool 2.debian.pool.ntp.org iburst\n" }),
    });
    expect(config).toEqual({
      sources: [
        {
          url: "ntp://2.debian.pool.ntp.org?iburst=1&pool=1",
          host: "2.debian.pool.ntp.org",
          port: 123,
          minPoll: 6,
          maxPoll: 10,
          iburst: true,
          pool: true,
        },
      ],
      sourcesOrigin: "chrony.conf",
      sourcesFiles: ["/etc/chrony/chrony.conf"],
      minPoll: 6,
      maxPoll: 10,
      iburst: true,
      api: { listen: "127.0.0.1:8123" },
      serve: [],
      maxDriftPpm: 1,
      holdoverAfterS: 300,
      maxBoundMs: 1000,
      stateFile: "/var/lib/chronosync/agent-state.json",
      server: { reportIntervalS: 30, bufferMaxBytes: 16_777_216 },
      logLevel: "info",
    });
    expect(describeSourcesChoice(config)).toBe(
      "1 source from the system's chrony.conf (/etc/chrony/chrony.conf)",
    );
  });

  it("is deeply frozen", () => {
    const config = load("sources: [a.example]\n");
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sources)).toBe(true);
    expect(Object.isFrozen(config.sources[0])).toBe(true);
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it("reads a full YAML file", () => {
    const config = load(`# agent
sources:
  - ntp://time1.example.com?minpoll=4&maxpoll=8
  - time2.example.com:1123
  - "[2001:db8::1]"
  - ntp://pool.example.org?pool=1&iburst=0
minPoll: 5
maxPoll: 9
iburst: false
api:
  listen: "[::1]:9000"
serve: ["ntp://0.0.0.0:11123"]
maxDriftPpm: 20.5
holdoverAfterS: 60
maxBoundMs: 50
server:
  url: https://chronosync.example.com
  reportIntervalS: 10
logLevel: debug
`);
    expect(config.sources).toEqual([
      {
        url: "ntp://time1.example.com?minpoll=4&maxpoll=8",
        host: "time1.example.com",
        port: 123,
        minPoll: 4,
        maxPoll: 8,
        iburst: false,
        pool: false,
      },
      {
        url: "ntp://time2.example.com:1123",
        host: "time2.example.com",
        port: 1123,
        minPoll: 5,
        maxPoll: 9,
        iburst: false,
        pool: false,
      },
      {
        url: "ntp://[2001:db8::1]",
        host: "2001:db8::1",
        port: 123,
        minPoll: 5,
        maxPoll: 9,
        iburst: false,
        pool: false,
      },
      {
        url: "ntp://pool.example.org?iburst=0&pool=1",
        host: "pool.example.org",
        port: 123,
        minPoll: 5,
        maxPoll: 9,
        iburst: false,
        pool: true,
      },
    ]);
    expect(config).toMatchObject({
      file: FILE,
      sourcesOrigin: "file",
      sourcesFiles: [],
      api: { listen: "[::1]:9000" },
      serve: ["ntp://0.0.0.0:11123"],
      maxDriftPpm: 20.5,
      holdoverAfterS: 60,
      maxBoundMs: 50,
      server: { url: "https://chronosync.example.com/", reportIntervalS: 10, bufferMaxBytes: 16_777_216 },
      logLevel: "debug",
    });
    expect(describeSourcesChoice(config)).toBe(`4 sources from ${FILE}`);
  });

  it("reads JSON by extension and by content", () => {
    const json = '{"sources":["a.example"],"api":{"listen":"0.0.0.0:8124"}}';
    expect(load(json, {}, "/x/agent.json").api.listen).toBe("0.0.0.0:8124");
    expect(load(json, {}, "/x/agent.conf").sources[0]).toMatchObject({ host: "a.example" });
    expect(load("sources: [b.example]", {}, "/x/agent.conf").sources[0]).toMatchObject({ host: "b.example" });
  });

  it("treats an empty file, `sources:` and `server.url:` without value as unset", () => {
    expect(load("").sourcesOrigin).toBe("default");
    expect(load("sources:\nserver:\n  url:\n").server.url).toBeUndefined();
  });

  it("applies precedence flags > env > file > defaults, key by key", () => {
    const config = load("minPoll: 3\nmaxPoll: 12\nlogLevel: warn\nsources: [file.example]\n", {
      env: {
        CHRONOSYNC_MAX_POLL: "11",
        CHRONOSYNC_LOG_LEVEL: "error",
        CHRONOSYNC_SOURCES: " env1.example , env2.example,",
      },
      flags: { "log-level": "debug" },
    });
    expect(config).toMatchObject({
      minPoll: 3,
      maxPoll: 11,
      logLevel: "debug",
      maxBoundMs: 1000,
      sourcesOrigin: "env",
    });
    expect(config.sources.map((s) => ("host" in s ? s.host : s.url))).toEqual([
      "env1.example",
      "env2.example",
    ]);
    const flagged = load("sources: [file.example]\n", {
      env: { CHRONOSYNC_SOURCES: "env.example" },
      flags: { source: ["f1.example", "ntp://f2.example:1123"], iburst: "false", "max-drift-ppm": "7.5" },
    });
    expect(flagged.sources.map((s) => s.url)).toEqual(["ntp://f1.example", "ntp://f2.example:1123"]);
    expect(flagged).toMatchObject({ sourcesOrigin: "flags", iburst: false, maxDriftPpm: 7.5 });
    expect(describeSourcesChoice(flagged)).toBe("2 sources from --source");
  });

  it("coerces environment text for every type and ignores empty variables", () => {
    const config = loadAgentConfig({
      ...noSystem,
      env: {
        CHRONOSYNC_MIN_POLL: "-2",
        CHRONOSYNC_MAX_POLL: "4",
        CHRONOSYNC_IBURST: "no",
        CHRONOSYNC_API_LISTEN: "localhost:1",
        CHRONOSYNC_SERVE: "ntp://[::]:11123,ntp://127.0.0.1:11124",
        CHRONOSYNC_MAX_DRIFT_PPM: "1e1",
        CHRONOSYNC_HOLDOVER_AFTER_S: "+30",
        CHRONOSYNC_MAX_BOUND_MS: ".5",
        CHRONOSYNC_SERVER_URL: "http://srv:8080/base",
        CHRONOSYNC_LOG_LEVEL: "warn",
        CHRONOSYNC_SOURCES: "",
      },
    });
    expect(config).toMatchObject({
      minPoll: -2,
      maxPoll: 4,
      iburst: false,
      api: { listen: "localhost:1" },
      serve: ["ntp://[::]:11123", "ntp://127.0.0.1:11124"],
      maxDriftPpm: 10,
      holdoverAfterS: 30,
      maxBoundMs: 0.5,
      server: { url: "http://srv:8080/base" },
      logLevel: "warn",
      sourcesOrigin: "default",
    });
  });

  it("takes the file from --config or $CHRONOSYNC_CONFIG; typed flag values pass through", () => {
    const reader = memoryReader({ "/a.yaml": "maxPoll: 12\n", "/b.yaml": "maxPoll: 13\n" });
    expect(
      load(undefined, { reader, flags: { config: "/a.yaml" }, env: { CHRONOSYNC_CONFIG: "/b.yaml" } })
        .maxPoll,
    ).toBe(12);
    expect(load(undefined, { reader, env: { CHRONOSYNC_CONFIG: "/b.yaml" } })).toMatchObject({
      maxPoll: 13,
      file: "/b.yaml",
    });
    expect(
      load(undefined, { flags: { "min-poll": 4, iburst: false, "log-level": ["warn", "error"] } }),
    ).toMatchObject({
      minPoll: 4,
      iburst: false,
      logLevel: "error",
    });
  });
});

describe("loadAgentConfig: invalid", () => {
  it("names the file, key path and expectation (the issue's example)", () => {
    expect(problems(() => load("sources:\n  - a.example\n  - 42\n"))).toEqual([
      `${FILE}: sources[1]: expected a source URL, a host name or a { fallback: [URL, …] } group, got 42`,
    ]);
  });

  it("lists every problem at once, one per line", () => {
    const yaml = `sources:
  - ntp://ok.example
  - gopher://time.example
  - ntp://a.example:70000
  - ntp://a.example:0
  - ntp://bad host
  - ntp://a.example?minpol=4
  - ntp://a.example?minpoll=9&maxpoll=8
  - ntp://a.example?iburst=maybe
  - 2001:db8::1:123:x
minPoll: "6"
maxPoll: 99
iburst: yes
api:
  listen: 127.0.0.1
  lisen: x
serve: ntp://0.0.0.0:11123
maxDriftPpm: -1
holdoverAfterS: 1.5
maxBoundMs: .inf
server:
  url: ftp://x
logLevel: verbose
maxpol: 3
listen: 1
frobnicate: true
`;
    expect(problems(() => load(yaml))).toEqual(
      [
        'sources[1]: expected a time source URL with a known scheme (auto, chronosync, chronosync+http, http, https, local, ntp, nts, ptp, roughtime, system), got "gopher://time.example"',
        'sources[2]: expected a port in 1..65535, got "ntp://a.example:70000"',
        'sources[3]: expected a port in 1..65535, got "ntp://a.example:0"',
        'sources[4]: expected a host name or IP address, got "ntp://bad host"',
        'sources[5]: expected options minpoll, maxpoll, iburst, pool (unknown "minpol"; did you mean "minpoll"?), got "ntp://a.example?minpol=4"',
        'sources[6]: expected minpoll ≤ maxpoll, got "ntp://a.example?minpoll=9&maxpoll=8"',
        'sources[7]: expected iburst to be 1, 0, true or false, got "ntp://a.example?iburst=maybe"',
        'sources[8]: expected IPv6 addresses in brackets, as [::1]:123, got "2001:db8::1:123:x"',
        'minPoll: expected an integer in -7..17, got "6"',
        "maxPoll: expected an integer in -7..17, got 99",
        'iburst: expected true or false, got "yes"',
        'api.listen: expected host:port with a port in 1..65535, got "127.0.0.1"',
        'api.lisen: unknown key (did you mean "api.listen"?)',
        'serve: expected a list, got "ntp://0.0.0.0:11123"',
        "maxDriftPpm: expected a number in 0..500, got -1",
        "holdoverAfterS: expected an integer in 1..604800, got 1.5",
        "maxBoundMs: expected a number in 0.001..3600000, got Infinity",
        'server.url: expected scheme http or https, got "ftp://x"',
        'logLevel: expected one of "debug", "info", "warn", "error", got "verbose"',
        'maxpol: unknown key (did you mean "maxPoll"?)',
        'listen: unknown key (did you mean "api.listen"?)',
        "frobnicate: unknown key",
      ].map((l) => `${FILE}: ${l}`),
    );
  });

  it("rejects minPoll > maxPoll across layers, naming where minPoll came from", () => {
    expect(problems(() => load("maxPoll: 5\n", { env: { CHRONOSYNC_MIN_POLL: "8" } }))).toEqual([
      "$CHRONOSYNC_MIN_POLL: minPoll: expected at most maxPoll (5), got 8",
    ]);
    expect(problems(() => load("sources: ['ntp://a.example?minpoll=12']\n"))).toEqual([
      `${FILE}: sources[0]: expected minpoll ≤ maxpoll, got minpoll 12 > maxpoll 10 in "ntp://a.example?minpoll=12"`,
    ]);
  });

  it("reports environment and flag problems with their origin, unknown flags with a suggestion", () => {
    expect(
      problems(() =>
        load(undefined, {
          env: { CHRONOSYNC_MIN_POLL: "six", CHRONOSYNC_SOURCES: "ok.example,,ntp://x:99999" },
          flags: { "max-pol": "3", serve: ["ntp://0.0.0.0"], "api-listen": "[::1]:8123" },
        }),
      ),
    ).toEqual([
      '$CHRONOSYNC_SOURCES: sources[1]: expected a port in 1..65535, got "ntp://x:99999"',
      '$CHRONOSYNC_MIN_POLL: minPoll: expected an integer in -7..17, got "six"',
      '--max-pol: unknown flag (did you mean "--max-poll"?)',
      '--serve: serve[0]: expected host:port with a port in 1..65535, got "ntp://0.0.0.0"',
    ]);
  });

  it("reports YAML syntax errors with file, line and column, and does not go on", () => {
    expect(problems(() => load("minPoll: 4\napi:\n\tlisten: x\n"))).toEqual([
      `${FILE}:3:1: invalid YAML: Tabs are not allowed as indentation`,
    ]);
    expect(problems(() => load("sources:\n  - a.example\nmaxPoll: [1, 2\nlogLevel: info\n"))).toEqual([
      `${FILE}:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
    expect(problems(() => load("minPoll: 4\nlogLevel: info\n  extra: 1\n"))).toEqual([
      `${FILE}:2:11: invalid YAML: Nested mappings are not allowed in compact mappings`,
      `${FILE}:2:11: invalid YAML: Implicit keys need to be on a single line`,
    ]);
    expect(problems(() => load("minPoll: 4\nminPoll: 5\n"))[0]).toMatch(
      /agent\.yaml:2:1: invalid YAML: .*unique/i,
    );
  });

  it("reports invalid JSON, a non-mapping root, a non-mapping group and an unreadable file", () => {
    expect(problems(() => load('{"sources": [}', {}, "/c.json"))[0]).toMatch(/^\/c\.json: invalid JSON: /);
    expect(problems(() => load("- a\n- b\n"))).toEqual([
      `${FILE}: expected a mapping of configuration keys, got a list`,
    ]);
    expect(problems(() => load("api: 8123\nserver: [x]\n"))).toEqual([
      `${FILE}: api: expected a mapping with key(s) listen, got 8123`,
      `${FILE}: server: expected a mapping with key(s) url, enrollToken, reportIntervalS, bufferMaxBytes, dataDir, ca, got a list`,
    ]);
    expect(problems(() => loadAgentConfig({ file: "/missing.yaml", reader: memoryReader({}) }))).toEqual([
      "/missing.yaml: cannot read the configuration file: no such file",
    ]);
  });

  it("does not look at the system when the configuration is already invalid", () => {
    let detected = false;
    const detectSources = () => {
      detected = true;
      return { sources: [], origin: "default", files: [], skipped: [] } as const;
    };
    problems(() => loadAgentConfig({ env: { CHRONOSYNC_LOG_LEVEL: "loud" }, detectSources }));
    expect(detected).toBe(false);
  });

  it("survives recursive YAML aliases", () => {
    const lines = problems(() => load("sources: &a [*a]\n"));
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe("loadAgentConfig: property", () => {
  const reader = (text: string): ConfigReader => memoryReader({ "/f.json": text, "/f.yaml": text });
  const outcome = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch (err) {
      if (!(err instanceof AgentConfigError)) throw err;
      expect(err.message.length).toBeGreaterThan(0);
      return false;
    }
  };

  it("random JSON objects give a config or an AgentConfigError, never a crash", () => {
    const keyed = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "sources",
          "minPoll",
          "maxPoll",
          "iburst",
          "api",
          "serve",
          "server",
          "logLevel",
          "maxBoundMs",
        ),
        fc.string(),
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(fc.oneof(keyed, fc.jsonValue()), (value) => {
        const text = JSON.stringify(value) ?? "null";
        outcome(() => loadAgentConfig({ ...noSystem, file: "/f.json", reader: reader(text) }));
        outcome(() => loadAgentConfig({ ...noSystem, file: "/f.yaml", reader: reader(text) }));
      }),
      { numRuns: 500 },
    );
  });

  it("random text, environment and flags never crash", () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.string()), fc.string(), (text, flags, env) => {
        outcome(() =>
          loadAgentConfig({
            ...noSystem,
            file: "/f.yaml",
            reader: reader(text),
            flags,
            env: { CHRONOSYNC_SOURCES: env, CHRONOSYNC_API_LISTEN: env, CHRONOSYNC_MAX_BOUND_MS: env },
          }),
        );
      }),
      { numRuns: 300 },
    );
  });
});
