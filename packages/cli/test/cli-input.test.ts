// Spawns the built CLI (`npx tsc -b` first): help, version and every bad-input path.
import { describe, expect, it } from "vitest";
import { oneErrorLine, runCli } from "./helpers/run-cli.js";

describe("chronosync help and version", () => {
  it("prints the main help on --help, exit 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: chronosync <command>/);
    expect(run.stdout).toContain("query <target>");
    expect(run.stderr).toBe("");
  });

  it.each([["query"], ["serve"]])("prints %s --help and help %s, exit 0", async (command) => {
    const a = await runCli([command, "--help"]);
    const b = await runCli(["help", command]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(new RegExp(`^Usage: chronosync ${command}`));
    expect(b.stdout).toBe(a.stdout);
  });

  it("prints the version", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^chronosync \d+\.\d+\.\d+\n$/);
  });

  it("prints the help on stderr with exit 2 when run without arguments", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^Usage: chronosync/);
  });
});

describe("chronosync bad input: one line on stderr, exit 2", () => {
  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["--frobnicate"], /unknown option "--frobnicate"/],
    [["help", "frobnicate"], /no help for unknown command "frobnicate"/],
    [["query"], /query needs a target/],
    [["query", "a", "b"], /query takes one target/],
    [["query", "gopher://127.0.0.1"], /unsupported scheme "gopher:"/],
    [["query", "roughtime://127.0.0.1"], /needs the server's public key/],
    [["query", "roughtime://127.0.0.1", "--key", "AAAA"], /invalid --key "AAAA"/],
    [["query", "ptp://eth0:319"], /ptp:\/\/<interface-or-address>/],
    [["query", "nts://127.0.0.1", "--ca", "/nonexistent/ca.pem"], /cannot read --ca/],
    [["query", "auto://127.0.0.1?ntp=0"], /bad ntp port/],
    [["query", "ntp:/127.0.0.1"], /malformed target/],
    [["query", "ntp://"], /missing host/],
    [["query", "ntp://127.0.0.1:0"], /invalid port "0"/],
    [["query", "ntp://127.0.0.1:65536"], /invalid port "65536"/],
    [["query", "ntp://127.0.0.1:abc"], /invalid port "abc"/],
    [["query", "ntp://[::1"], /missing "\]"/],
    [["query", "127.0.0.1", "--samples", "0"], /invalid --samples "0"/],
    [["query", "127.0.0.1", "--samples", "many"], /invalid --samples "many"/],
    [["query", "127.0.0.1", "--samples"], /option --samples needs a value/],
    [["query", "127.0.0.1", "--samples", "-3"], /option --samples needs a value/],
    [["query", "127.0.0.1", "--timeout", "0"], /invalid --timeout "0"/],
    [["query", "127.0.0.1", "--verbose"], /unknown option "--verbose" for query/],
    [["serve"], /serve needs a protocol/],
    [["serve", "ptp"], /unsupported protocol "ptp"/],
    [["serve", "ntp", "--listen", "127.0.0.1"], /missing port/],
    [["serve", "ntp", "--listen", "127.0.0.1:70000"], /invalid port "70000"/],
    [["serve", "ntp", "--stratum", "16"], /invalid --stratum "16"/],
    [["serve", "ntp", "--refid", "TOOLONG"], /invalid --refid "TOOLONG"/],
  ])("%j", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(oneErrorLine(run)).toMatch(message);
  });
});
