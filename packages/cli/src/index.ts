export { CliError, type CliErrorCode, EXIT_CODES, UsageError } from "./errors.js";
export { main } from "./main.js";
export { formatTarget, type ListenAddress, type NtpTarget, parseListen, parseTarget } from "./target.js";
