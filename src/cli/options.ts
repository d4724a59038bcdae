/**
 * The options every log-reading command shares, parsed once at the edge into one typed object;
 * commands and everything below them never see the raw option values.
 */
import type { Mode } from "../parse/record.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../input/read-stream.js";
import { globRegExp, type FilterSpec } from "../analysis/filter.js";
import type { Zone } from "../report/time-format.js";
import { DEFAULT_TOP } from "../report/by-profile.js";
import { intOption, resolveInputs, UsageError, type Options } from "./args.js";

/** Options of every command that reads logs into an analysis. */
export const ANALYSIS_OPTIONS: Options = {
  mode: { type: "string", default: "denied" },
  "profile-dir": { type: "string" },
  "no-policy": { type: "boolean" },
  "fail-on-denials": { type: "boolean" },
  "no-color": { type: "boolean" },
  since: { type: "string" },
  until: { type: "string" },
  profile: { type: "string", multiple: true },
  host: { type: "string", multiple: true },
  pasta: { type: "boolean" },
  utc: { type: "boolean" },
};

/** Options of the commands that print a report (analyze, merge, pasta). */
export const REPORT_OPTIONS: Options = {
  top: { type: "string" },
  summary: { type: "boolean" },
};

/** The help lines of REPORT_OPTIONS. */
export const REPORT_HELP = `      --summary              print only the headline: the causes found with the first step of each
                             fix, the profiles with the most denials, the rules to add by file
      --top N                show the first N entries of every list (default ${DEFAULT_TOP}); each cut says
                             how many more there are`;

/** The zone times are shown and read in: local, as journalctl, or UTC with --utc. */
export function zoneOption(values: Record<string, unknown>): Zone {
  return values.utc === true ? "utc" : "local";
}

/** Which installed policy rules are checked against: a directory (default /etc/apparmor.d), or none. */
export type PolicyChoice = { dir?: string } | null;

export interface RunOptions {
  inputs: string[];
  modes: Set<Mode>;
  maxLineLength: number;
  filter: FilterSpec;
  quiet: boolean;
  policy: PolicyChoice;
  failOnDenials: boolean;
  /** Colour on stdout: only on a terminal, and never with NO_COLOR, --no-color or -o FILE. */
  color: boolean;
  /** -o FILE; undefined for stdout. */
  output?: string;
  /** Entries per list in text, Markdown and HTML reports (--top). */
  top: number;
  /** Only the headline (--summary). */
  summaryOnly: boolean;
  /** The zone of every time shown and of --since/--until without an offset (--utc). */
  zone: Zone;
  saveState?: string;
}

const MODE_SETS: Record<string, Mode[]> = {
  denied: ["DENIED", "KILL"],
  allowed: ["ALLOWED"],
  audit: ["AUDIT"],
  // Status, hint and error records are exported (CSV, ECS) but give no denial group or rule.
  all: ["DENIED", "KILL", "ALLOWED", "AUDIT", "STATUS", "HINT", "ERROR"],
};

/** The words --mode takes. */
export const MODE_NAMES: readonly string[] = Object.keys(MODE_SETS);

/** `--mode denied,allowed` → the AppArmor modes to turn into rules. */
export function modesOption(value: unknown): Set<Mode> {
  const modes = new Set<Mode>();
  for (const word of String(value ?? "denied").split(",")) {
    const key = word.trim().toLowerCase();
    const set = Object.hasOwn(MODE_SETS, key) ? MODE_SETS[key] : undefined;
    if (set === undefined) throw new UsageError(`unknown --mode "${word}" (use denied, allowed, audit or all)`);
    for (const m of set) modes.add(m);
  }
  return modes;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A date, or date and time, without an offset: read in the report's zone. */
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3})\d*)?)?)?$/;

/**
 * `2h`, `30m`, `1d` (before now) or an ISO date/time → epoch ms. A time without an offset
 * (`2025-11-29 10:00`, `2025-11-29`) is read in the zone the report shows, local unless --utc,
 * as journalctl reads --since.
 */
export function parseTimeOption(value: string, name: string, now = Date.now(), zone: Zone = "local"): number {
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const wall = WALL_TIME.exec(value.trim());
  if (wall !== null) {
    const [y, mo, d, h, mi, s] = wall.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
    const ms = Number((wall[7] ?? "0").padEnd(3, "0"));
    const t = zone === "utc" ? Date.UTC(y, mo - 1, d, h, mi, s, ms) : new Date(y, mo - 1, d, h, mi, s, ms).getTime();
    if (!Number.isNaN(t)) return t;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs an ISO date/time or a duration such as 2h or 1d, not "${value}"`);
  return t;
}

export function filterSpec(values: Record<string, unknown>, zone: Zone = zoneOption(values)): FilterSpec {
  const spec: FilterSpec = {
    profiles: ((values.profile as string[] | undefined) ?? []).map(globRegExp),
    hosts: (values.host as string[] | undefined) ?? [],
    pasta: values.pasta === true,
  };
  if (values.since !== undefined) spec.since = parseTimeOption(values.since as string, "since", Date.now(), zone);
  if (values.until !== undefined) spec.until = parseTimeOption(values.until as string, "until", Date.now(), zone);
  return spec;
}

export function policyChoice(values: Record<string, unknown>): PolicyChoice {
  if (values["no-policy"] === true) return null;
  return values["profile-dir"] === undefined ? {} : { dir: values["profile-dir"] as string };
}

/** Colour only on a terminal, and never with NO_COLOR or --no-color (or -o FILE). */
function useColor(values: Record<string, unknown>): boolean {
  return process.stdout.isTTY === true && values["no-color"] !== true && values.output === undefined && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

/** The parsed values of INPUT_OPTIONS + ANALYSIS_OPTIONS (+ --save-state) → RunOptions. */
export function runOptions(values: Record<string, unknown>, positionals: string[]): RunOptions {
  const opts: RunOptions = {
    inputs: resolveInputs(positionals),
    modes: modesOption(values.mode),
    maxLineLength: intOption(values["max-line-length"], "max-line-length", DEFAULT_MAX_LINE_LENGTH),
    filter: filterSpec(values),
    quiet: values.quiet === true,
    policy: policyChoice(values),
    failOnDenials: values["fail-on-denials"] === true,
    color: useColor(values),
    summaryOnly: values.summary === true,
    top: intOption(values.top, "top", DEFAULT_TOP),
    zone: zoneOption(values),
  };
  if (values.output !== undefined) opts.output = values.output as string;
  if (values["save-state"] !== undefined) opts.saveState = values["save-state"] as string;
  return opts;
}
