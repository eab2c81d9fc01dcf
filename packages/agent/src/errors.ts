/**
 * The agent's typed errors (STYLE.md "Errors", after jose `src/util/errors.ts`): a union
 * of stable codes, one subclass of core's {@link ChronoSyncError} per code. Callers
 * `switch (err.code)`.
 */
import { ChronoSyncError } from "@chronosync/core";

export type AgentErrorCode = "AGENT_CONFIG_INVALID" | ReportErrorCode;

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
export type AgentError = AgentConfigError | ReportError;

/** Codes of the reporting client (docs/report-protocol.md). Network faults are core's `NETWORK_FAILURE`. */
export type ReportErrorCode = "REPORT_ENROLL_REJECTED" | "REPORT_AUTH_FAILED" | "REPORT_HTTP_FAILED";

/**
 * The server refused the enrollment token (401 unknown, 410 used or expired): the agent
 * logs it and runs on without reporting.
 */
export class ReportEnrollRejectedError extends ChronoSyncError {
  override readonly code = "REPORT_ENROLL_REJECTED" as const;
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super("REPORT_ENROLL_REJECTED", message, options);
    this.status = status;
  }
}

/** `POST /oauth/token` refused the client credentials (RFC 6749 §5.2, e.g. `invalid_client`). */
export class ReportAuthError extends ChronoSyncError {
  override readonly code = "REPORT_AUTH_FAILED" as const;
  /** The OAuth `error` code, e.g. `invalid_client`. */
  readonly oauthError: string;
  readonly status: number;
  constructor(status: number, oauthError: string, message: string, options?: { cause?: unknown }) {
    super("REPORT_AUTH_FAILED", message, options);
    this.status = status;
    this.oauthError = oauthError;
  }
}

/** The server answered with a status or body the protocol does not allow at that point. */
export class ReportHttpError extends ChronoSyncError {
  override readonly code = "REPORT_HTTP_FAILED" as const;
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super("REPORT_HTTP_FAILED", message, options);
    this.status = status;
  }
}

/** Any error of the reporting client. */
export type ReportError = ReportEnrollRejectedError | ReportAuthError | ReportHttpError;
