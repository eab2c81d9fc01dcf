// GET /metrics: the exact Prometheus 0.0.4 text for the fake provider, and its validity.
import { describe, expect, it } from "vitest";
import { escapeLabelValue, metricsText, nsToSeconds } from "../src/index.js";
import { fakeProvider, LOCAL_NS } from "./helpers/fake-provider.js";

const EXPECTED = `# HELP chronosync_offset_seconds Estimated correction true time minus system clock, seconds.
# TYPE chronosync_offset_seconds gauge
chronosync_offset_seconds 0.000001234
# HELP chronosync_frequency_ppm Estimated frequency error of the system clock, ppm (positive: runs fast).
# TYPE chronosync_frequency_ppm gauge
chronosync_frequency_ppm -12.5
# HELP chronosync_bound_seconds Half-width of the error bound of the agent's time, seconds.
# TYPE chronosync_bound_seconds gauge
chronosync_bound_seconds 0.0005
# HELP chronosync_synchronized 1 when the agent is synchronized, else 0; the label gives the status.
# TYPE chronosync_synchronized gauge
chronosync_synchronized{status="synchronized"} 1
# HELP chronosync_stratum Stratum the agent would serve (16: unsynchronized).
# TYPE chronosync_stratum gauge
chronosync_stratum 3
# HELP chronosync_last_update_age_seconds Seconds since the last accepted servo update (absent before the first).
# TYPE chronosync_last_update_age_seconds gauge
chronosync_last_update_age_seconds 16
# HELP chronosync_source_offset_seconds Offset of the source's last sample (source minus system clock), seconds.
# TYPE chronosync_source_offset_seconds gauge
chronosync_source_offset_seconds{source="ntp://a.example"} 0.0000015
chronosync_source_offset_seconds{source="ntp://b.example/\\"q\\"\\\\x"} -0.05
# HELP chronosync_source_delay_seconds Round-trip delay of the source's last sample, seconds.
# TYPE chronosync_source_delay_seconds gauge
chronosync_source_delay_seconds{source="ntp://a.example"} 0.002
chronosync_source_delay_seconds{source="ntp://b.example/\\"q\\"\\\\x"} 0.003
# HELP chronosync_source_jitter_seconds Jitter of the source's sample filter, seconds.
# TYPE chronosync_source_jitter_seconds gauge
chronosync_source_jitter_seconds{source="ntp://a.example"} 0.00005
chronosync_source_jitter_seconds{source="ntp://b.example/\\"q\\"\\\\x"} 0.001
# HELP chronosync_source_reach The source's 8-bit reach register (255: the last 8 polls answered).
# TYPE chronosync_source_reach gauge
chronosync_source_reach{source="ntp://a.example"} 255
chronosync_source_reach{source="ntp://b.example/\\"q\\"\\\\x"} 15
chronosync_source_reach{source="ntp://c.example"} 0
# HELP chronosync_source_selected 1 when the selection combines the source, else 0; the label gives its state.
# TYPE chronosync_source_selected gauge
chronosync_source_selected{source="ntp://a.example",state="selected"} 1
chronosync_source_selected{source="ntp://b.example/\\"q\\"\\\\x",state="falseticker"} 0
chronosync_source_selected{source="ntp://c.example",state="unreachable"} 0
# HELP chronosync_source_falsetickers_total Times the selection rejected the source as a falseticker.
# TYPE chronosync_source_falsetickers_total counter
chronosync_source_falsetickers_total{source="ntp://a.example"} 0
chronosync_source_falsetickers_total{source="ntp://b.example/\\"q\\"\\\\x"} 8
chronosync_source_falsetickers_total{source="ntp://c.example"} 0
# HELP chronosync_source_score Reliability score of the source, 0-1 (reachability, falsetickers, jitter).
# TYPE chronosync_source_score gauge
chronosync_source_score{source="ntp://a.example"} 0.952
chronosync_source_score{source="ntp://b.example/\\"q\\"\\\\x"} 0.125
chronosync_source_score{source="ntp://c.example"} 0
`;

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const VALUE = "(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*)?\\})? (${VALUE})$`);
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`);

/** Checks the 0.0.4 grammar; returns the number of samples per metric. */
function validate(text: string): Map<string, number> {
  expect(text.endsWith("\n")).toBe(true);
  const help = new Map<string, number>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split("\n")) {
    const c = COMMENT.exec(line);
    if (c) {
      const [, kind, name] = c as unknown as [string, string, string, string];
      expect(samples.has(name), `${kind} of ${name} after its samples`).toBe(false);
      if (kind === "HELP") {
        expect(help.has(name), `second HELP for ${name}`).toBe(false);
        help.set(name, 1);
      } else {
        expect(type.has(name), `second TYPE for ${name}`).toBe(false);
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(c[3]);
        type.set(name, c[3]!);
      }
      continue;
    }
    const s = SAMPLE.exec(line);
    expect(s, `unparsable line ${JSON.stringify(line)}`).not.toBeNull();
    const name = s![1]!;
    expect(help.has(name) && type.has(name), `${name} without HELP/TYPE`).toBe(true);
    expect(Number.isNaN(Number(s![2]!.replace("Inf", "Infinity"))) && s![2] !== "NaN").toBe(false);
    samples.set(name, (samples.get(name) ?? 0) + 1);
  }
  for (const name of help.keys()) expect(type.has(name), `${name} without TYPE`).toBe(true);
  return samples;
}

describe("metricsText", () => {
  const report = fakeProvider().status(LOCAL_NS);

  it("renders the exact exposition", () => {
    expect(metricsText(report, LOCAL_NS)).toBe(EXPECTED);
  });

  it("is valid 0.0.4 text: every sample parses, HELP and TYPE once per metric", () => {
    const samples = validate(metricsText(report, LOCAL_NS));
    expect(samples.get("chronosync_source_score")).toBe(3);
    expect(samples.get("chronosync_source_offset_seconds")).toBe(2);
  });

  it("stays valid before the first update and with no sources", () => {
    const text = metricsText(
      {
        tracking: {
          offsetNs: 0n,
          frequencyPpm: 0,
          boundNs: 1_000_000_000_000n,
          status: "unsynchronized",
          lastUpdateNs: undefined,
          systemPeer: undefined,
          stratum: 16,
        },
        sources: [],
      },
      LOCAL_NS,
    );
    const samples = validate(text);
    expect(samples.has("chronosync_last_update_age_seconds")).toBe(false);
    expect(text).toContain('chronosync_synchronized{status="unsynchronized"} 0\n');
    expect(text).toContain("chronosync_bound_seconds 1000\n");
  });

  it("escapes label values per the spec", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue("plain")).toBe("plain");
  });

  it("writes ns as exact decimal seconds", () => {
    expect(nsToSeconds(0n)).toBe("0");
    expect(nsToSeconds(1n)).toBe("0.000000001");
    expect(nsToSeconds(-1_500n)).toBe("-0.0000015");
    expect(nsToSeconds(2_000_000_000n)).toBe("2");
    expect(nsToSeconds(-3_250_000_000n)).toBe("-3.25");
  });
});
