/**
 * Thin wrapper over `node:util` parseArgs: strict parsing, with its errors turned into
 * one-line {@link UsageError}s, and integer options checked against a range.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { quote } from "./target.js";

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs<T> {
  values: T;
  positionals: string[];
}

/** Parses `args` strictly against `options`; positionals are allowed (checked by the caller). */
export function parseCommandArgs<T>(
  command: string,
  args: readonly string[],
  options: OptionsConfig,
): ParsedArgs<T> {
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: parsed.values as T, positionals: parsed.positionals };
  } catch (err) {
    throw translateParseError(command, err);
  }
}

function translateParseError(command: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option ${quote(option)} for ${command} (see ${command} --help)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing|ambiguous/.test(message)
        ? new UsageError(
            `option ${option} needs a value (for values starting with "-" write ${option}=VALUE)`,
          )
        : new UsageError(`option ${option} takes no value`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument for ${command} (see ${command} --help)`);
    default:
      return err;
  }
}

/**
 * Reads an integer option: decimal digits only (no signs, exponents or fractions),
 * within [min, max]; `fallback` when the option is absent.
 */
export function parseIntegerOption(
  name: string,
  text: string | undefined,
  range: { min: number; max: number },
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const value = /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new UsageError(`invalid --${name} ${quote(text)} (expected an integer ${range.min}–${range.max})`);
  }
  return value;
}
