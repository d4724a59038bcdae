/**
 * A suggested rule must match every object it claims to cover. Synthesis only rewrites parts that
 * the tunables stand for (@{pid}, @{uid} …) or that are random by construction, so a miss means an
 * object outside what the variables allow (a PID of 8 digits from a crafted line) or a bug — either
 * way the rule must not be applied blindly. Checked with the one AARE engine and the variables of
 * the installed profile, or upstream's tunables when none was read.
 */
import { compileAare, isLiteralAare } from "../aare/match.js";
import { expandVariables, type VariableTable } from "../policy/variables.js";
import type { Rule } from "../rule-model.js";

/** Upstream AppArmor's tunables (tunables/{home,proc,run,sys,kernelvars}) for the variables synthesis uses. */
const PID = "{[1-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9]}";
const UID =
  "{[0-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]}";
export const UPSTREAM_TUNABLES: VariableTable = new Map([
  ["PROC", ["/proc/"]],
  ["sys", ["/sys/"]],
  ["run", ["/run/", "/var/run/"]],
  ["HOMEDIRS", ["/home/"]],
  ["HOME", ["@{HOMEDIRS}/*/", "/root/"]],
  ["pid", [PID]],
  ["tid", ["@{pid}"]],
  ["uid", [UID]],
]);

const expanded = new Map<string, string[]>();

function patternsOf(path: string, vars: VariableTable): string[] {
  if (!path.includes("@{")) return [path];
  // Cached for the default table only: a profile's own table may differ for the same text.
  if (vars !== UPSTREAM_TUNABLES) return expandVariables(path, vars).patterns;
  let out = expanded.get(path);
  if (out === undefined) {
    if (expanded.size > 4096) expanded.clear();
    expanded.set(path, (out = expandVariables(path, vars).patterns));
  }
  return out;
}

/** The objects (denied paths) a file rule does not match; [] for other kinds and for a rule that covers all. */
export function uncoveredObjects(rule: Rule, objects: readonly string[], vars: VariableTable = UPSTREAM_TUNABLES): string[] {
  if (rule.kind !== "file") return [];
  const patterns = patternsOf(rule.path, vars);
  return objects.filter((o) => o.startsWith("/") && !patterns.some((p) => (isLiteralAare(p) ? p === o : compileAare(p).test(o))));
}

/** The warning a rule carries when it misses objects it was made from; undefined when it covers them all. */
export function coverageWarning(rule: Rule, objects: readonly string[], vars?: VariableTable): string | undefined {
  const missed = uncoveredObjects(rule, objects, vars);
  if (missed.length === 0) return undefined;
  const shown = missed.slice(0, 3).join(", ") + (missed.length > 3 ? ` and ${missed.length - 3} more` : "");
  return `does not match ${shown}, which it was made from (a part outside what the tunables' variables allow): write the literal path instead`;
}
