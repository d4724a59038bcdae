/**
 * Suggested rules as AppArmor policy text: one block per profile, headed by where it goes (the
 * local file the installed profile reads, the include line to add first, or why no rule helps),
 * each rule with a comment saying what it covers and why. Rules the installed policy already has
 * or denies, and dangerous ones, are commented out.
 */
import type { AnalyzeReport, SuggestedRule } from "./model.js";
import { policyComment as comment } from "./text-safety.js";
import { targetOf, type RuleTarget } from "../apparmor/local/target.js";
import { rulesByProfile } from "./by-profile.js";

function ruleLines(r: SuggestedRule): string[] {
  const when = r.covers.firstSeen === null ? "" : `, ${r.covers.firstSeen}${r.covers.lastSeen !== r.covers.firstSeen ? ` … ${r.covers.lastSeen}` : ""}`;
  const lines = [`# ${comment(r.reason)}${when}`];
  if (r.warning !== undefined) return [...lines, `# WARNING: ${comment(r.warning)} — not suggested; uncomment only after review:`, `# ${r.rule}`];
  if (r.status === "allowed") return [...lines, `# already allowed: ${r.rule}`];
  if (r.status === "denied") return [...lines, `# explicitly denied: ${r.rule}`];
  return [...lines, r.rule];
}

/** The comment lines that say where a profile's block goes (or why it goes nowhere). */
export function targetLines(t: RuleTarget): string[] {
  switch (t.kind) {
    case "local":
      return [`# add to ${comment(t.path)} (read by the profile: ${comment(t.includedAt)}), then reload the profile (apparmor_parser -r its file)`];
    case "add-include":
      return [
        `# the installed profile reads no local file: first add the line`,
        `#   ${t.include}`,
        `# to ${comment(t.profileFile)} before line ${t.line} (the \`}\` that closes the profile), then put these rules in ${comment(t.path)} and reload (apparmor_parser -r ${comment(t.profileFile)})`,
      ];
    case "not-installed":
      return [`# the profile is not in ${t.policyDir === undefined ? "the policy read (none)" : comment(t.policyDir)}: add to local/${comment(t.local)} of the policy that defines it (if that profile reads it), then reload`];
    case "not-policy":
      return [`# no rule helps: ${comment(t.why)}`, `# instead: ${comment(t.next)}`];
    case "none":
      return [`# no local file can hold these rules (${comment(t.reason)}): add them to the profile itself`];
  }
}

/** What the real parser said of a block, when it was compiled into its profile. */
export type Verification = { status: "verified" } | { status: "failed"; message: string } | { status: "skipped"; reason: string };

function verificationLines(v: Verification | undefined): string[] {
  if (v === undefined) return [];
  if (v.status === "verified") return ["# verified: the installed profile compiles with these rules (apparmor_parser, in a copy of the policy)"];
  if (v.status === "failed") return [`# NOT VERIFIED: the profile does not compile with these rules: ${comment(v.message)}`];
  return [`# not verified: ${comment(v.reason)}`];
}

/** Lines offering installed abstractions that cover several of the rules below. */
function offerLines(offers: AnalyzeReport["offers"][string] | undefined): string[] {
  const out: string[] = [];
  for (const o of offers ?? []) {
    out.push(`# ${o.include} allows ${o.covers.length} of the rules below (${o.covers.slice(0, 3).map(comment).join(" ")}${o.covers.length > 3 ? " …" : ""}); it allows more than the denials: read it before using it instead`);
  }
  return out;
}

/** The block for one profile. */
export function renderProfileRules(profile: string, rules: SuggestedRule[], target: RuleTarget, verification?: Verification, offers?: AnalyzeReport["offers"][string]): string {
  if (target.kind === "not-policy") {
    return [`# aalens: ${rules.length} denial rule(s) for ${comment(profile)} are not suggested`, ...targetLines(target)].join("\n") + "\n";
  }
  const missing = rules.filter((r) => r.warning === undefined && (r.status === "missing" || r.status === "unknown")).length;
  const out = [`# aalens: ${missing} suggested rule(s) for profile ${comment(profile)}`, ...targetLines(target), ...verificationLines(verification), ...offerLines(offers)];
  for (const r of rules) out.push("", ...ruleLines(r));
  return out.join("\n") + "\n";
}

/** The report's target for a profile (by convention when the report has none). */
export function reportTarget(report: AnalyzeReport, profile: string): RuleTarget {
  return (Object.hasOwn(report.targets, profile) ? report.targets[profile] : undefined) ?? targetOf(profile, undefined);
}

export function renderApparmor(report: AnalyzeReport, verified?: ReadonlyMap<string, Verification>): string {
  const byProfile = rulesByProfile(report);
  if (byProfile.size === 0) return "# aalens: no AppArmor denials found, no rules to suggest\n";
  return [...byProfile].map(([profile, rules]) => renderProfileRules(profile, rules, reportTarget(report, profile), verified?.get(profile), Object.hasOwn(report.offers, profile) ? report.offers[profile] : undefined)).join("\n");
}
