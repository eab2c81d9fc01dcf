import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  AGENT_CONFIG_SCHEMA,
  agentConfigParseArgsOptions,
  loadAgentConfig,
  renderConfigTable,
} from "../src/index.js";

const doc = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
const table = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(doc)?.[1] ?? "";

describe("docs/configuration.md agrees with the schema", () => {
  it("holds the generated key table verbatim", () => {
    expect(table).toBe(renderConfigTable());
  });

  it("lists every key with its default, environment variable and flag", () => {
    for (const spec of AGENT_CONFIG_SCHEMA) {
      const row = table.split("\n").find((l) => l.startsWith(`| \`${spec.key}\` |`));
      expect(row, spec.key).toBeDefined();
      const cells = (row ?? "").split(" | ");
      expect(cells[2]).toBe(spec.default === undefined ? "—" : `\`${JSON.stringify(spec.default)}\``);
      expect(cells[3]).toBe(`\`${spec.env}\``);
      expect(cells[4]?.startsWith(`\`--${spec.flag}\``)).toBe(true);
    }
  });

  it("schema defaults are what the loader gives, and every key is in the example file", () => {
    const config = loadAgentConfig({
      detectSources: () => ({ sources: [], origin: "default", files: [], skipped: [] }),
    });
    for (const spec of AGENT_CONFIG_SCHEMA) {
      const value = spec.key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
      if (spec.key !== "sources") expect(value, spec.key).toEqual(spec.default);
      const last = spec.key.split(".").pop();
      expect(doc, spec.key).toMatch(new RegExp(`^\\s*${last}:`, "m"));
    }
  });

  it("every schema default passes its own check, and parseArgs options cover every flag", () => {
    for (const spec of AGENT_CONFIG_SCHEMA) {
      if (spec.default === undefined) continue;
      const values = spec.list ? (spec.default as unknown[]) : [spec.default];
      for (const v of values) expect(spec.check(v).ok, spec.key).toBe(true);
    }
    expect(Object.keys(agentConfigParseArgsOptions()).sort()).toEqual(
      ["config", ...AGENT_CONFIG_SCHEMA.map((s) => s.flag)].sort(),
    );
  });
});
