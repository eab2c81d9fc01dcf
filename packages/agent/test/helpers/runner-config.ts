/**
 * Runner test helpers: an agent configuration that never looks at this machine's time
 * sources, and polling waits with a deadline.
 */
import {
  type AgentConfig,
  type AgentConfigFlags,
  type LoadAgentConfigOptions,
  loadAgentConfig,
} from "@chronosync/agent";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The agent configuration from `flags` (no state file unless given) and `options`, with no
 * environment; system source detection throws, so every source must come from the test.
 */
export function testAgentConfig(
  flags: AgentConfigFlags,
  options: Omit<LoadAgentConfigOptions, "env" | "flags" | "detectSources"> = {},
): AgentConfig {
  return loadAgentConfig({
    ...options,
    env: {},
    flags: { "state-file": "", ...flags },
    detectSources: () => {
      throw new Error("no system detection in tests");
    },
  });
}

/** Polls `ok` every 50 ms; throws naming `what` if it is still false after `ms`. */
export async function waitFor(what: string, ms: number, ok: () => boolean): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (ok()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
