/**
 * Issue 3 §11, "a port already in use": the local API is one of the things the agent
 * serves, not a reason to stop. {@link keepLocalApi} tries to listen; when it cannot (address
 * in use, not available, permission denied) it logs one clear line and retries with
 * exponential backoff and jitter (1 s, 2 s, 4 s … at most 60 s), while synchronization and
 * relay serving go on; once it listens it logs so. `close()` stops retrying and closes it.
 */
import type { NetworkFailureError } from "@chronosync/core";
import type { LogLevel } from "../config/schema.js";
import { type LocalApi, type LocalApiOptions, startLocalApi } from "./local-api.js";

/** Backoff between attempts to listen. */
export interface LocalApiRetryPolicy {
  /** First delay, ms (default 1000). */
  readonly initialMs?: number;
  /** Longest delay, ms (default 60 000). */
  readonly maxMs?: number;
}

export interface KeepLocalApiOptions extends LocalApiOptions {
  readonly log: (level: LogLevel, message: string) => void;
  readonly retry?: LocalApiRetryPolicy;
  /** Schedules `fn` after `ms`; returns a cancel function. Default: an unref'd setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => () => void;
  /** Uniform in [0, 1) for the jitter (default Math.random). */
  readonly random?: () => number;
  /** Called after each attempt (tests). */
  readonly onAttempt?: (outcome: { attempt: number; api?: LocalApi; error?: unknown }) => void;
}

/** The local API as kept by {@link keepLocalApi}. */
export interface KeptLocalApi {
  /** The listening API, or undefined while retrying. */
  readonly current: LocalApi | undefined;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Stops retrying and closes the API if it listens. */
  close(): Promise<void>;
}

const defaultSchedule = (fn: () => void, ms: number) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Delay before retry number `n` (1-based): initial·2^(n−1), capped, times 0.75–1.25 jitter. */
export function localApiRetryDelayMs(
  n: number,
  policy: LocalApiRetryPolicy = {},
  random = Math.random,
): number {
  const initial = policy.initialMs ?? 1000;
  const max = policy.maxMs ?? 60_000;
  const base = Math.min(max, initial * 2 ** Math.min(30, n - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}

/**
 * Starts the local API, and keeps trying in the background when it cannot listen. Resolves
 * after the first attempt, either way: `current` says whether it listens.
 */
export async function keepLocalApi(options: KeepLocalApiOptions): Promise<KeptLocalApi> {
  const schedule = options.schedule ?? defaultSchedule;
  const random = options.random ?? Math.random;
  let current: LocalApi | undefined;
  let attempts = 0;
  let closed = false;
  let cancel: (() => void) | undefined;
  let pending: Promise<void> | undefined;

  const attempt = async (): Promise<void> => {
    attempts++;
    try {
      const api = await startLocalApi(options);
      if (closed) {
        await api.close();
        return;
      }
      current = api;
      if (attempts > 1) {
        options.log(
          "info",
          `local API on http://${formatAddress(api.address.host, api.address.port)} (listening after ${attempts} attempts)`,
        );
      }
      options.onAttempt?.({ attempt: attempts, api });
    } catch (err) {
      const message = (err as NetworkFailureError).message ?? String(err);
      const delay = localApiRetryDelayMs(attempts, options.retry, random);
      const retry = `retrying in ${delay < 1000 ? `${delay} ms` : `${(delay / 1000).toFixed(1)} s`}`;
      options.log(
        attempts === 1 ? "warn" : "debug",
        attempts === 1
          ? `${message}; synchronization and serving go on without the local API, ${retry}`
          : `${message} (attempt ${attempts}), ${retry}`,
      );
      options.onAttempt?.({ attempt: attempts, error: err });
      if (!closed) {
        cancel = schedule(() => {
          cancel = undefined;
          pending = attempt();
        }, delay);
      }
    }
  };

  pending = attempt();
  await pending;
  return {
    get current() {
      return current;
    },
    get attempts() {
      return attempts;
    },
    async close() {
      closed = true;
      cancel?.();
      await pending;
      await current?.close();
      current = undefined;
    },
  };
}

function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
