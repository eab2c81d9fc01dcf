/**
 * The NTP servers this machine is already configured with, read from the sync daemons'
 * files: chrony.conf, then ntp.conf (ntpd / ntpsec), then systemd-timesyncd; the first
 * that names at least one server wins, else `pool.ntp.org`. Missing or unreadable files
 * are skipped (and noted). chrony's `include`, `confdir` and `sourcedir`, ntpd's
 * `includefile` and servers timesyncd learns from DHCP/networkd are not followed.
 *
 * @see https://chrony-project.org/doc/4.5/chrony.conf.html#server
 * @see https://docs.ntpsec.org/latest/ntp_conf.html
 * @see https://www.freedesktop.org/software/systemd/man/latest/timesyncd.conf.html
 */
import { type ConfigReader, describeReadError } from "./reader.js";
import { hostForUrl, NTP_PORT, parseNtpSource } from "./source-url.js";

export type SystemSourcesOrigin = "chrony.conf" | "ntp.conf" | "timesyncd.conf" | "default";

export interface SystemSources {
  /** NTP source URLs, e.g. `ntp://2.debian.pool.ntp.org?iburst=1&pool=1`. */
  readonly sources: readonly string[];
  /** Which configuration they came from; the agent logs it. */
  readonly origin: SystemSourcesOrigin;
  /** The file(s) they were read from. */
  readonly files: readonly string[];
  /** Files that exist but could not be read, with the reason. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

export const DEFAULT_SYSTEM_SOURCE = "ntp://pool.ntp.org?pool=1";
export const CHRONY_CONF_PATHS = ["/etc/chrony/chrony.conf", "/etc/chrony.conf"] as const;
export const NTP_CONF_PATHS = ["/etc/ntpsec/ntp.conf", "/etc/ntp.conf"] as const;
export const TIMESYNCD_CONF_PATH = "/etc/systemd/timesyncd.conf";
/** Drop-in directories, highest priority first (a name in /etc hides the same name below). */
export const TIMESYNCD_DROPIN_DIRS = [
  "/etc/systemd/timesyncd.conf.d",
  "/run/systemd/timesyncd.conf.d",
  "/usr/lib/systemd/timesyncd.conf.d",
] as const;

interface ServerLine {
  host: string;
  pool: boolean;
  port?: number;
  minpoll?: number;
  maxpoll?: number;
  iburst?: boolean;
}

const unquote = (s: string) => s.replace(/^(["'])(.*)\1$/, "$2");

/** Builds a source URL; drops servers whose name or options do not parse. */
function toUrl(line: ServerLine): string | undefined {
  const q = [
    line.minpoll !== undefined && `minpoll=${line.minpoll}`,
    line.maxpoll !== undefined && `maxpoll=${line.maxpoll}`,
    line.iburst && "iburst=1",
    line.pool && "pool=1",
  ].filter((x): x is string => typeof x === "string");
  const port = line.port === undefined || line.port === NTP_PORT ? "" : `:${line.port}`;
  const parsed = parseNtpSource(`ntp://${hostForUrl(line.host)}${port}${q.length ? `?${q.join("&")}` : ""}`);
  return parsed.ok ? parsed.value.url : undefined;
}

function intOption(tokens: readonly string[], i: number): number | undefined {
  const t = tokens[i + 1];
  return t !== undefined && /^-?\d{1,5}$/.test(t) ? Number(t) : undefined;
}

/** Directive lines as tokens, without comments (`#` anywhere; `!`, `;`, `%` at start, chrony). */
function directives(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "" && !/^[!;%]/.test(l))
    .map((l) => l.split(/\s+/).map(unquote));
}

/** chrony options that take a value (so the value is not read as a flag). */
const CHRONY_VALUE_OPTIONS = new Set(
  "minpoll maxpoll port ntsport key maxdelay maxdelayratio maxdelaydevratio maxdelayquant mindelay asymmetry offset minsamples maxsamples filter polltarget version minstratum maxsources certset extfield presend".split(
    " ",
  ),
);

/** `server`, `pool` and `peer` lines of a chrony.conf, as source URLs. */
export function parseChronyConf(text: string): string[] {
  const urls: string[] = [];
  for (const [directive, host, ...opts] of directives(text)) {
    const d = directive?.toLowerCase();
    if ((d !== "server" && d !== "pool" && d !== "peer") || host === undefined) continue;
    const line: ServerLine = { host, pool: d === "pool" };
    for (let i = 0; i < opts.length; i++) {
      const o = (opts[i] ?? "").toLowerCase();
      if (o === "iburst") line.iburst = true;
      else if (o === "minpoll" || o === "maxpoll" || o === "port") line[o] = intOption(opts, i);
      if (CHRONY_VALUE_OPTIONS.has(o)) i++;
    }
    const url = toUrl(line);
    if (url !== undefined) urls.push(url);
  }
  return urls;
}

const NTPD_VALUE_OPTIONS = new Set([
  "minpoll",
  "maxpoll",
  "key",
  "version",
  "mode",
  "ttl",
  "bias",
  "subtype",
  "unit",
]);

/** `server`, `pool` and `peer` lines of an ntp.conf (ntpd, ntpsec); refclocks 127.127.x.x are skipped. */
export function parseNtpConf(text: string): string[] {
  const urls: string[] = [];
  for (const [directive, ...rest] of directives(text)) {
    const d = directive?.toLowerCase();
    if (d !== "server" && d !== "pool" && d !== "peer") continue;
    const args = rest.filter((t) => t !== "-4" && t !== "-6");
    const host = args[0];
    if (host === undefined || host.startsWith("127.127.") || host.toLowerCase() === "refclock") continue;
    const opts = args.slice(1);
    const line: ServerLine = { host, pool: d === "pool" };
    for (let i = 0; i < opts.length; i++) {
      const o = (opts[i] ?? "").toLowerCase();
      if (o === "iburst") line.iburst = true;
      else if (o === "minpoll" || o === "maxpoll") line[o] = intOption(opts, i);
      if (NTPD_VALUE_OPTIONS.has(o)) i++;
    }
    const url = toUrl(line);
    if (url !== undefined) urls.push(url);
  }
  return urls;
}

/**
 * Applies one timesyncd.conf file to the running `NTP=` / `FallbackNTP=` lists (systemd
 * semantics: later assignments add, an empty assignment resets the list; only `[Time]`).
 */
export function applyTimesyncdConf(text: string, lists: { ntp: string[]; fallback: string[] }): void {
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const l = raw.trim();
    if (l === "" || l.startsWith("#") || l.startsWith(";")) continue;
    const header = /^\[(.*)\]$/.exec(l);
    if (header) {
      section = (header[1] ?? "").trim();
      continue;
    }
    const eq = l.indexOf("=");
    if (section !== "Time" || eq < 0) continue;
    const key = l.slice(0, eq).trim();
    const list = key === "NTP" ? lists.ntp : key === "FallbackNTP" ? lists.fallback : undefined;
    if (list === undefined) continue;
    const values = unquote(l.slice(eq + 1).trim())
      .split(/\s+/)
      .filter(Boolean)
      .map(unquote);
    if (values.length === 0) list.length = 0;
    else list.push(...values);
  }
}

function toSourceUrls(hosts: readonly string[]): string[] {
  const urls: string[] = [];
  for (const h of hosts) {
    const parsed = parseNtpSource(h);
    if (parsed.ok) urls.push(parsed.value.url);
  }
  return urls;
}

/**
 * Finds the servers the system's sync daemon is configured with; see the module comment
 * for the order. Never throws: unreadable files are listed in `skipped`.
 */
export function detectSystemSources(reader: ConfigReader): SystemSources {
  const skipped: { file: string; reason: string }[] = [];
  const read = (file: string): string | undefined => {
    try {
      return reader.readFile(file);
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code !== "ENOENT")
        skipped.push({ file, reason: describeReadError(err) });
      return undefined;
    }
  };
  const found = (origin: SystemSourcesOrigin, sources: string[], files: string[]): SystemSources => ({
    sources,
    origin,
    files,
    skipped,
  });

  for (const [origin, paths, parse] of [
    ["chrony.conf", CHRONY_CONF_PATHS, parseChronyConf],
    ["ntp.conf", NTP_CONF_PATHS, parseNtpConf],
  ] as const) {
    for (const file of paths) {
      const text = read(file);
      if (text === undefined) continue;
      const sources = parse(text);
      if (sources.length > 0) return found(origin, sources, [file]);
      break; // the daemon's own file exists but names no server: do not look at its other path
    }
  }

  const lists = { ntp: [] as string[], fallback: [] as string[] };
  const files: string[] = [];
  const main = read(TIMESYNCD_CONF_PATH);
  if (main !== undefined) {
    applyTimesyncdConf(main, lists);
    files.push(TIMESYNCD_CONF_PATH);
  }
  for (const file of timesyncdDropIns(reader, skipped)) {
    const text = read(file);
    if (text === undefined) continue;
    applyTimesyncdConf(text, lists);
    files.push(file);
  }
  const timesyncd = toSourceUrls(lists.ntp.length > 0 ? lists.ntp : lists.fallback);
  if (timesyncd.length > 0) return found("timesyncd.conf", timesyncd, files);

  return found("default", [DEFAULT_SYSTEM_SOURCE], []);
}

/** `*.conf` drop-ins of all directories, sorted by file name; a name in a higher directory hides lower ones. */
function timesyncdDropIns(reader: ConfigReader, skipped: { file: string; reason: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const dir of TIMESYNCD_DROPIN_DIRS) {
    let names: readonly string[] = [];
    try {
      names = reader.listDir?.(dir) ?? [];
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code !== "ENOENT")
        skipped.push({ file: dir, reason: describeReadError(err) });
    }
    for (const name of names)
      if (name.endsWith(".conf") && !byName.has(name)) byName.set(name, `${dir}/${name}`);
  }
  return [...byName.keys()].sort().map((name) => byName.get(name) ?? name);
}
