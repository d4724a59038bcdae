/**
 * The installed-policy check: load a profile directory, match AppArmor globs, and say whether a
 * rule the logs ask for is already allowed, denied on purpose, or missing.
 */
import { compileAare, isLiteralAare } from "../aare/match.js";
import { expandVariables } from "./variables.js";

export { checkRule, type CheckResult } from "./check.js";
export { aareCovers, aareOverlaps } from "./cover.js";
export { DEFAULT_PROFILE_DIR, findProfile, loadPolicy } from "./load.js";
export type { Policy, PolicyDiagnostic, PolicyRule, ProfileInfo, SourceRef } from "./types.js";
export { expandVariables, type VariableTable } from "./variables.js";
export { compileAare, filterSlashes, isLiteralAare } from "../aare/match.js";

/**
 * Does the AARE `pattern` match the concrete `path`? Variables (`@{PROC}`) are expanded with
 * `variables` (a profile's `variables`, e.g. from tunables/global); an undefined variable matches
 * nothing but its own spelling.
 */
export function matchAare(pattern: string, path: string, variables?: ReadonlyMap<string, string[]>): boolean {
  const patterns = variables && pattern.includes("@{") ? expandVariables(pattern, variables).patterns : [pattern];
  return patterns.some((p) => (isLiteralAare(p) ? p === path : compileAare(p).test(path)));
}
