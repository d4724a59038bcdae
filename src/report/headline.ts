/**
 * The report's first screen: what was found and what to do, before any detail. Every renderer
 * opens with it (text, Markdown, JSON, HTML), and `--summary` prints nothing else.
 *
 *   causes     the diagnoses, most severe first, then by how many incidents they explain, each
 *              with the first step of its fix; a denial the installed policy already allows
 *              (the kernel runs an older profile) is a cause too
 *   profiles   the profiles with the most denials
 *   rules      how many rules to add, in which files
 */
import type { PastaDiagnosis, Severity } from "../pasta/diagnose.js";
import type { DenialGroup, SuggestedRule } from "./model.js";
import { ruleFileOf, type RuleTarget } from "../apparmor/local/target.js";
import { selinuxNote } from "../input/other-lsm.js";

export interface HeadlineCause {
  id: string;
  severity: Severity;
  summary: string;
  /** Incidents (pasta) or rules (stale profile) it explains. */
  count: number;
  /** The first thing to do. */
  firstStep: string;
}

export interface Headline {
  causes: HeadlineCause[];
  /** Profiles by denials, most first (all of them: renderers cut to --top and say how many more). */
  profiles: Array<{ profile: string; denials: number }>;
  /** Rules to add (missing, without a warning), by the file each goes in. */
  rules: { count: number; files: Array<{ file: string; rules: number; profiles: string[] }> };
  /** Rules the installed policy already has (the loaded profile is older): reload, add nothing. */
  alreadyAllowed: number;
  /** Rules printed commented out, for review (dangerous, or not covering their denials). */
  review: number;
  /** Another security module's records seen (not analyzed), with what to use instead. */
  otherLsm: Array<{ lsm: "selinux"; count: number; note: string }>;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The fix's first step; one that introduces its rules ("…, or add the ones missing now:") gets them, with their file. */
function firstStep(d: PastaDiagnosis): string {
  const step = d.steps[0] ?? d.workaround ?? "";
  const group = d.rules[0];
  if (!step.endsWith(":") || group === undefined) return step;
  return `${step} ${group.rules.map((r) => `\`${r}\``).join(" ")} in ${group.file}`;
}

export function buildHeadline(input: {
  diagnoses: PastaDiagnosis[];
  /** Incidents per diagnosis before the report's cap on listed incidents. */
  incidentCounts: ReadonlyMap<string, number>;
  denials: DenialGroup[];
  rules: SuggestedRule[];
  target: (profile: string) => RuleTarget;
  selinux: number;
}): Headline {
  const causes: HeadlineCause[] = input.diagnoses.map((d) => ({
    id: d.id,
    severity: d.severity,
    summary: d.summary,
    count: input.incidentCounts.get(d.id) ?? d.incidents.length,
    firstStep: firstStep(d),
  }));
  const stale = input.rules.filter((r) => r.status === "allowed");
  if (stale.length > 0) {
    const profiles = [...new Set(stale.map((r) => r.profile))];
    causes.push({
      id: "profile-not-reloaded",
      severity: "warning",
      summary: `${stale.length} denied access(es) the installed policy already allows (${list(profiles)}): the kernel enforces an older profile, or another profile is attached`,
      count: stale.length,
      firstStep: "Reload the profile (sudo apparmor_parser -r /etc/apparmor.d/FILE) and check which profile the process runs under (ps -eZ, or /proc/PID/attr/current); add no rule for these.",
    });
  }
  causes.sort((a, b) => RANK[a.severity] - RANK[b.severity] || b.count - a.count || a.id.localeCompare(b.id));

  const perProfile = new Map<string, number>();
  for (const g of input.denials) perProfile.set(g.profile, (perProfile.get(g.profile) ?? 0) + g.count);
  const profiles = [...perProfile].map(([profile, denials]) => ({ profile, denials })).sort((a, b) => b.denials - a.denials || a.profile.localeCompare(b.profile));

  const files = new Map<string, { file: string; rules: number; profiles: string[] }>();
  let count = 0;
  for (const r of input.rules) {
    if (r.warning !== undefined || (r.status !== "missing" && r.status !== "unknown")) continue;
    // Where the rule goes, in the words every other output uses (the CSV's rule_file, the fixes).
    const file = ruleFileOf(input.target(r.profile));
    if (file === null) continue;
    count++;
    let f = files.get(file);
    if (f === undefined) files.set(file, (f = { file, rules: 0, profiles: [] }));
    f.rules++;
    if (!f.profiles.includes(r.profile)) f.profiles.push(r.profile);
  }
  const review = input.rules.filter((r) => r.warning !== undefined).length;
  return {
    causes,
    profiles,
    rules: { count, files: [...files.values()].sort((a, b) => b.rules - a.rules || a.file.localeCompare(b.file)) },
    alreadyAllowed: stale.length,
    review,
    otherLsm: input.selinux > 0 ? [{ lsm: "selinux", count: input.selinux, note: selinuxNote(input.selinux) }] : [],
  };
}

function list(items: string[]): string {
  return items.length <= 3 ? items.join(", ") : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
}
