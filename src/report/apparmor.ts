/**
 * Suggested rules as AppArmor policy text: one block per profile, ready to paste into
 * /etc/apparmor.d/local/<profile file>, each rule with a comment saying what it covers and why.
 * Rules the installed policy already has or denies, and dangerous ones, are commented out.
 */
import type { AnalyzeReport, SuggestedRule } from "./model.js";
import { policyComment as comment } from "./text-safety.js";
import { localNameOf } from "../apparmor/local/file-name.js";

/**
 * The file under local/ for a profile: the name of the policy file that defines it when the
 * installed policy knows it (usr.bin.passt for /usr/bin/passt), else the reversible name of
 * local/file-name.ts. A profile name too long for a file name has none (undefined).
 */
export function localFileName(profile: string, policyFile?: string): string | undefined {
  if (policyFile !== undefined) return policyFile.split("/").pop()!;
  return localNameOf(profile).name;
}

function ruleLines(r: SuggestedRule): string[] {
  const when = r.covers.firstSeen === null ? "" : `, ${r.covers.firstSeen}${r.covers.lastSeen !== r.covers.firstSeen ? ` … ${r.covers.lastSeen}` : ""}`;
  const lines = [`# ${comment(r.reason)}${when}`];
  if (r.warning !== undefined) return [...lines, `# WARNING: ${comment(r.warning)} — not suggested; uncomment only after review:`, `# ${r.rule}`];
  if (r.status === "allowed") return [...lines, `# already allowed: ${r.rule}`];
  if (r.status === "denied") return [...lines, `# explicitly denied: ${r.rule}`];
  return [...lines, r.rule];
}

/** The block for one profile. */
export function renderProfileRules(profile: string, rules: SuggestedRule[], fileName: string | undefined): string {
  const missing = rules.filter((r) => r.warning === undefined && (r.status === "missing" || r.status === "unknown")).length;
  const out = [
    `# aalens: ${missing} suggested rule(s) for profile ${comment(profile)}`,
    fileName === undefined
      ? "# no local/ file can hold this profile's rules (its name is too long for a file name): add them to the profile itself"
      : `# add to /etc/apparmor.d/local/${fileName}, then reload the profile (apparmor_parser -r <its file>)`,
  ];
  for (const r of rules) out.push("", ...ruleLines(r));
  return out.join("\n") + "\n";
}

export function renderApparmor(report: AnalyzeReport, fileOf: (profile: string) => string | undefined = (p) => localFileName(p)): string {
  const byProfile = new Map<string, SuggestedRule[]>();
  for (const r of report.rules) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
  if (byProfile.size === 0) return "# aalens: no AppArmor denials found, no rules to suggest\n";
  return [...byProfile].map(([profile, rules]) => renderProfileRules(profile, rules, fileOf(profile))).join("\n");
}
