/** The "closed" state every adapter shares: `measure` after `close` is a caller's bug. */
import { InvalidArgumentError } from "@chronosync/core";

export interface ClosedGuard {
  /** Throws InvalidArgumentError once closed. */
  check(): void;
  close(): void;
  readonly closed: boolean;
}

export function closedGuard(name: () => string): ClosedGuard {
  let closed = false;
  return {
    check() {
      if (closed) throw new InvalidArgumentError(`time source ${name()} is closed`);
    },
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}
