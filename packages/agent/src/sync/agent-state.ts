/**
 * The agent's persistent state (issue 3 §11), like chrony's driftfile: the servo's
 * frequency estimate and its uncertainty, so a restarted agent does not spend its first
 * minutes relearning a frequency it knew. Pure: this module encodes and decodes the text
 * and widens the saved uncertainty for the time that passed; the runner does the I/O
 * (`runner/state-file.ts`, written atomically).
 *
 * The file is JSON: `{"version":1,"savedAtNs":"…","frequencyPpm":-12.3,"frequencySigmaPpm":0.01}`.
 *
 * @see https://chrony-project.org/doc/4.3/chrony.conf.html#driftfile
 */
import type { Instant } from "@chronosync/core";

export const AGENT_STATE_VERSION = 1;

/** What the agent saves. */
export interface AgentState {
  readonly version: typeof AGENT_STATE_VERSION;
  /** Local (system) clock reading when saved, ns. */
  readonly savedAtNs: Instant;
  /** Frequency of true time relative to the local clock, ppm (the servo's `frequencyPpm`). */
  readonly frequencyPpm: number;
  /** Its standard deviation, ppm. */
  readonly frequencySigmaPpm: number;
}

/** A decoded file, or why it cannot be used. */
export type DecodedAgentState =
  | { readonly ok: true; readonly state: AgentState }
  | { readonly ok: false; readonly reason: string };

/** Largest frequency accepted from a file, ppm: beyond it the file is not believed. */
const MAX_FREQUENCY_PPM = 500;
/** Frequency uncertainty added on every warm start, ppm: a restart, another temperature. */
const RESTART_SIGMA_PPM = 1;
/** Frequency uncertainty added per day since the file was saved, ppm (crystal ageing and seasons). */
const SIGMA_PPM_PER_DAY = 1;
/** A warm start is never more certain than this, ppm, nor less than a cold one. */
const MIN_SIGMA_PPM = 0.05;

/** The file's text (one line of JSON and a newline). */
export function encodeAgentState(state: AgentState): string {
  return `${JSON.stringify({
    version: state.version,
    savedAtNs: state.savedAtNs.toString(),
    frequencyPpm: state.frequencyPpm,
    frequencySigmaPpm: state.frequencySigmaPpm,
  })}\n`;
}

/** Parses and checks a state file's text; never throws. */
export function decodeAgentState(text: string): DecodedAgentState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return { ok: false, reason: "not a JSON object" };
  const o = data as Record<string, unknown>;
  if (o.version !== AGENT_STATE_VERSION)
    return { ok: false, reason: `unknown version ${JSON.stringify(o.version)}` };
  if (typeof o.savedAtNs !== "string" || !/^\d{1,20}$/.test(o.savedAtNs))
    return { ok: false, reason: "savedAtNs is not a decimal string" };
  const f = o.frequencyPpm;
  const sigma = o.frequencySigmaPpm;
  if (typeof f !== "number" || !Number.isFinite(f) || Math.abs(f) > MAX_FREQUENCY_PPM)
    return { ok: false, reason: `frequencyPpm is not a number within ±${MAX_FREQUENCY_PPM}` };
  if (typeof sigma !== "number" || !Number.isFinite(sigma) || sigma < 0)
    return { ok: false, reason: "frequencySigmaPpm is not a number ≥ 0" };
  return {
    ok: true,
    state: {
      version: AGENT_STATE_VERSION,
      savedAtNs: BigInt(o.savedAtNs),
      frequencyPpm: f,
      frequencySigmaPpm: sigma,
    },
  };
}

/**
 * The honest uncertainty of a saved frequency at local time `nowNs`:
 * √(σ_saved² + (1 ppm)² + (1 ppm/day × age)²), between 0.05 ppm and `coldSigmaPpm`.
 * The saved σ only says how well the frequency was known then; a restart and the time
 * since (temperature, ageing) move it by more, so the warm start is widened, not trusted.
 */
export function warmStartSigmaPpm(state: AgentState, nowNs: Instant, coldSigmaPpm: number): number {
  const ageNs = nowNs > state.savedAtNs ? nowNs - state.savedAtNs : state.savedAtNs - nowNs;
  const ageDays = Number(ageNs) / 86_400e9;
  const sigma = Math.sqrt(
    state.frequencySigmaPpm ** 2 + RESTART_SIGMA_PPM ** 2 + (SIGMA_PPM_PER_DAY * ageDays) ** 2,
  );
  return Math.min(Math.max(sigma, MIN_SIGMA_PPM), coldSigmaPpm);
}
