/**
 * The agent's typed errors (STYLE.md "Errors", after jose `src/util/errors.ts`): a union
 * of stable codes, one subclass of core's {@link ChronoSyncError} per code. Callers
 * `switch (err.code)`.
 */
import { ChronoSyncError } from "@chronosync/core";

export type AgentErrorCode = "AGENT_CONFIG_INVALID";

/** One problem found in the agent's configuration. */
export interface AgentConfigIssue {
  /** Where the value came from: a file path, `$CHRONOSYNC_…` or `--flag`. */
  readonly origin: string;
  /** Path of the bad key, e.g. `sources[2]` or `api.listen`; empty for the whole source. */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected an integer in -7..17, got "x"`. */
  readonly message: string;
}

/** Formats one issue as the line the error message shows. */
export function formatAgentConfigIssue(issue: AgentConfigIssue): string {
  return issue.path === ""
    ? `${issue.origin}: ${issue.message}`
    : `${issue.origin}: ${issue.path}: ${issue.message}`;
}

/**
 * The configuration is invalid; the agent must not start. The message lists every
 * problem, one per line, e.g.
 * `/etc/chronosync/agent.yaml: sources[1]: expected an ntp:// URL or host name, got 42`.
 */
export class AgentConfigError extends ChronoSyncError {
  override readonly code = "AGENT_CONFIG_INVALID" as const;
  readonly issues: readonly AgentConfigIssue[];
  constructor(issues: readonly AgentConfigIssue[], options?: { cause?: unknown }) {
    super("AGENT_CONFIG_INVALID", issues.map(formatAgentConfigIssue).join("\n"), options);
    this.issues = Object.freeze([...issues]);
  }
}

/** Any error the agent throws on purpose. */
export type AgentError = AgentConfigError;
