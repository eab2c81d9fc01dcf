/**
 * Typed errors of the testkit: the harness around real peers (chronyd, ntpdig) and the
 * impairment relay. Callers `switch (err.code)`.
 */
import { ChronoSyncError } from "@chronosync/core";

export type TestkitErrorCode = "PEER_PROGRAM_MISSING" | "PEER_FAILED" | "RELAY_FAILED";

/** A program the peer tests need is not installed; `packages` names the Debian packages. */
export class PeerProgramMissingError extends ChronoSyncError {
  override readonly code = "PEER_PROGRAM_MISSING" as const;
  readonly packages: readonly string[];
  constructor(packages: readonly string[]) {
    super(
      "PEER_PROGRAM_MISSING",
      `peer programs missing; install the Debian packages: apt-get install -y ${packages.join(" ")}`,
    );
    this.packages = packages;
  }
}

/** A peer process (chronyd, ntpdig, a server script) failed, timed out or printed nonsense. */
export class PeerFailedError extends ChronoSyncError {
  override readonly code = "PEER_FAILED" as const;
  /** The tail of what the peer wrote (stderr or its log), for the test report. */
  readonly output: string;
  constructor(message: string, output = "", options?: { cause?: unknown }) {
    super(
      "PEER_FAILED",
      output ? `${message}\n--- peer output ---\n${output.slice(-4000)}` : message,
      options,
    );
    this.output = output;
  }
}

/** The impairment relay could not start or its process died. */
export class RelayFailedError extends ChronoSyncError {
  override readonly code = "RELAY_FAILED" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("RELAY_FAILED", message, options);
  }
}
