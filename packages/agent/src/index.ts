/**
 * The ChronoSync agent's pure sync engine. See issue 3 and STYLE.md ("The engine returns
 * actions").
 */

export * from "./api/index.js";
export * from "./config/index.js";
export {
  NtpSource,
  type NtpSourceAction,
  type NtpSourceOptions,
  type NtpSourceStats,
  type RandomBytes,
} from "./engine/ntp-source.js";
export {
  DEFAULT_STRATUM,
  SampleSource,
  type SampleSourceAction,
  type SampleSourceOptions,
  type SampleSourceStats,
  type SourceSample,
  toSourceSample,
} from "./engine/sample-source.js";
export {
  exponentToNs,
  initialPollState,
  nextPollState,
  POLL_EXPONENT_MAX,
  POLL_EXPONENT_MIN,
  type PollConfig,
  type PollEvent,
  type PollKissCode,
  type PollPhase,
  type PollState,
  pollDelayNs,
  reachability,
  resolvePollConfig,
} from "./engine/source-poll.js";
export * from "./report/index.js";
export {
  type AgentDeps,
  type AgentLog,
  type AgentRunner,
  type AgentRunnerSource,
  type AgentServing,
  type AgentTimeProvider,
  startAgent,
  stderrAgentLog,
} from "./runner/agent-runner.js";
export {
  nodeResolver,
  type PoolHost,
  type PoolMember,
  type PoolMemberStatus,
  type ResolvedAddress,
  type Resolver,
  SourcePool,
  type SourcePoolOptions,
} from "./runner/source-pool.js";
export { nodeStateFileFs, StateFile, type StateFileFs } from "./runner/state-file.js";
export {
  type PollerEngine,
  type PollerFallbackStatus,
  type PollerTimers,
  TimeSourcePoller,
  type TimeSourcePollerOptions,
} from "./runner/time-source-poller.js";
export * from "./sync/index.js";
