/** The agent's configuration: schema, loader, system source detection. See docs/configuration.md. */

export {
  AgentConfigError,
  type AgentConfigIssue,
  type AgentError,
  type AgentErrorCode,
  formatAgentConfigIssue,
} from "../errors.js";
export {
  type AgentConfig,
  type AgentConfigFlags,
  type AgentFallbackSource,
  type AgentServerConfig,
  type AgentSource,
  type AgentSourceConfig,
  type AgentTimeSource,
  DEFAULT_RETRY_PREFERRED_S,
  describeSourcesChoice,
  describeValue,
  isNtpSourceConfig,
  type LoadAgentConfigOptions,
  loadAgentConfig,
  type SourcesOrigin,
} from "./load.js";
export { type ConfigReader, nodeConfigReader } from "./reader.js";
export {
  AGENT_CONFIG_SCHEMA,
  agentConfigParseArgsOptions,
  CONFIG_FILE_ENV,
  type ConfigKeySpec,
  configKeySpec,
  LOG_LEVELS,
  type LogLevel,
  renderConfigTable,
} from "./schema.js";
export {
  type FallbackMemberSpec,
  type FallbackSourceSpec,
  parseSourceEntry,
  parseTimeSource,
  type SourceSpec,
  type TimeSourceSpec,
} from "./source-spec.js";
export {
  type HostPort,
  type NtpSourceSpec,
  type Parsed,
  parseHostPort,
  parseNtpSource,
  parseServeUrl,
} from "./source-url.js";
export { editDistance, suggest } from "./suggest.js";
export {
  applyTimesyncdConf,
  DEFAULT_SYSTEM_SOURCE,
  detectSystemSources,
  parseChronyConf,
  parseNtpConf,
  type SystemSources,
  type SystemSourcesOrigin,
} from "./system-sources.js";
