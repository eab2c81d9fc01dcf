// The exit codes are stable API: the registry, the help text and the README must agree.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/errors.js";
import { MAIN_HELP } from "../src/main.js";

const README = readFileSync(new URL("../../../docs/cli.md", import.meta.url), "utf8");

describe("exit codes", () => {
  it("are distinct", () => {
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("are all listed in the main help and in the README", () => {
    const help = MAIN_HELP.replace(/\s+/g, " ");
    const readmeRows = [...README.matchAll(/^\| (\d) \| /gm)].map((m) => Number(m[1]));
    for (const code of Object.values(EXIT_CODES)) {
      expect(help).toMatch(new RegExp(`\\b${code} [a-z]`));
      expect(readmeRows).toContain(code);
    }
    expect(readmeRows).toHaveLength(Object.keys(EXIT_CODES).length + 1); // + success
  });
});
