/**
 * Analysis state → the report every renderer draws: the counts as collected, plus the suggested
 * rules, each rendered, checked against the installed policy and explained in one line.
 */
import type { Rule, PolicyVerdict } from "../apparmor/rule-model.js";
import { droppedPeer, finalRule, type RuleEntry } from "../analysis/rule-aggregate.js";
import { collapseSiblings } from "../analysis/group-siblings.js";
import { renderRule } from "../apparmor/rules/render.js";
import { escapeLiteral } from "../apparmor/aare/escape.js";
import { dangerOf } from "../apparmor/rules/danger.js";
import { buildIncidents } from "../pasta/incidents.js";
import { diagnose, type PastaPolicyFacts } from "../pasta/diagnose.js";
import { reportMessages } from "../pasta/messages.js";
import { BROADER_NOTE } from "../pasta/upstream-rules.js";
import type { SystemFacts } from "../pasta/system-probe.js";
import { REPORT_VERSION, type AnalysisState, type AnalyzeReport, type SuggestedRule } from "./model.js";
import { targetOf, type RuleTarget } from "../apparmor/local/target.js";
import { buildHeadline } from "./headline.js";
import { coverageWarning } from "../apparmor/rules/self-check.js";
import type { VariableTable } from "../apparmor/policy/variables.js";

/** Answers whether a profile already allows (or denies) a rule; see src/apparmor/policy. */
export type PolicyChecker = (profile: string, rule: Rule) => { verdict: PolicyVerdict; by?: { file: string; line: number; text: string } };

export interface ReportOptions {
  policy?: PolicyChecker;
  /** Where each profile's rules go (apparmor/local/target.ts); without it, by convention only. */
  target?: (profile: string) => RuleTarget;
  /** The installed parser's major version: rule kinds it cannot read are printed commented out, with why. */
  parserMajor?: number;
  /** Keep literal rules apart instead of collapsing random-looking siblings (--literal). */
  literal?: boolean;
  /** Installed abstractions that allow several of a profile's missing rules (indices into `rules`). */
  abstractions?: (profile: string, rules: Rule[]) => Array<{ include: string; covers: number[] }>;
  /** The installed profile's variables, to check that each rule matches what it covers (upstream tunables otherwise). */
  variables?: (profile: string) => VariableTable | undefined;
  /** What the installed policy says that the pasta diagnoses need (which profile includes which abstraction). */
  pastaPolicy?: PastaPolicyFacts;
  /** What `aalens pasta --system` read on this host, used by the pasta diagnoses. */
  pastaSystem?: SystemFacts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function shortList(items: Array<string | number>, total?: number): string {
  const shown = items.slice(0, 3).join(", ");
  const more = (total ?? items.length) - Math.min(items.length, 3);
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** One line: who was refused what, how often, and how the rule was generalised. */
function reasonOf(e: RuleEntry, status: PolicyVerdict, by: string | undefined): string {
  const who = e.comms.length > 0 ? shortList(e.comms) : "the process";
  const what = e.objects.length > 0 ? shortList(e.objects) : e.key;
  const modes = Object.keys(e.modes).join("/");
  let reason = `${who}: ${modes.toLowerCase()} ${e.operations.join("/") || "access"} on ${what} (${plural(e.count, "event")})`;
  if (e.notes.length > 0) reason += `; ${e.notes.join("; ")}`;
  if (droppedPeer(e)) reason += "; broader than the denials: allows any peer, as apparmor_parser refuses peer conditions together with bind/listen/create/getattr/setattr/getopt/setopt/shutdown";
  if (status === "allowed") reason += `; the installed profile allows it already (${by}): the profile in the kernel is older than the installed one, or another profile is attached — reload it`;
  if (status === "denied") reason += `; an explicit deny rule refuses it (${by}): remove that rule only if the access is intended`;
  return reason;
}

const MAX_INCIDENTS = 200;

/** Incidents with a bounded list of their denials (all are counted in steps). */
function pastaReport(state: AnalysisState, policy: PolicyChecker | undefined, target: (profile: string) => RuleTarget, facts: PastaPolicyFacts | undefined, system: SystemFacts | undefined, counts: Map<string, number>): AnalyzeReport["pasta"] {
  if (state.pasta === undefined) return { incidents: [], diagnoses: [], messages: [], dropped: 0, omittedIncidents: 0 };
  const incidents = buildIncidents(state.pasta, policy === undefined ? undefined : (profile, rule) => policy(profile, rule).verdict);
  const diagnoses = diagnose(incidents, target, facts, system);
  const messages = reportMessages(state.pasta, incidents);
  // A report lists at most MAX_INCIDENTS incidents (the first ones) and 20 denials each; a flood
  // of pasta starts is still diagnosed as a whole and counted in `omittedIncidents`.
  for (const i of incidents) i.denials = i.denials.slice(0, 20);
  for (const d of diagnoses) {
    counts.set(d.id, d.incidents.length);
    d.incidents = d.incidents.slice(0, MAX_INCIDENTS);
  }
  return { incidents: incidents.slice(0, MAX_INCIDENTS), diagnoses, messages, dropped: state.pasta.dropped, omittedIncidents: Math.max(0, incidents.length - MAX_INCIDENTS) };
}

/**
 * The rule's verdict. A rule made general (`@{PROC}/@{pid}/cmdline`) is not "missing" when the
 * profile already allows every literal object it was made from (`/proc/21622/cmdline r,`): the
 * denials then came from an older profile, and that is what the report must say.
 */
function policyCheck(policy: PolicyChecker | undefined, e: RuleEntry, typed: Rule): ReturnType<PolicyChecker> {
  if (policy === undefined) return { verdict: "unknown" };
  const check = policy(e.profile, typed);
  if (check.verdict !== "missing" || typed.kind !== "file" || e.objects.length === 0 || e.objects.length >= MAX_OBJECTS) return check;
  let by: ReturnType<PolicyChecker>["by"];
  for (const object of e.objects) {
    if (typeof object !== "string" || !object.startsWith("/")) return check;
    // What the denials asked for, when the rule grants more (upstream's rule for a pasta step).
    const perms = e.evidencePerms ?? typed.perms;
    const literal = policy(e.profile, { ...typed, perms, path: escapeLiteral(object) });
    if (literal.verdict !== "allowed") return check;
    by ??= literal.by;
  }
  return by === undefined ? { verdict: "allowed" } : { verdict: "allowed", by };
}

/** Rule kinds of AppArmor 4 (ABI 4.0): what an older parser cannot compile. */
const ABI4_KINDS = new Set(["userns", "mqueue", "io_uring"]);

function tooNew(rule: Rule, parserMajor: number | undefined): string | undefined {
  if (parserMajor === undefined || parserMajor >= 4 || !ABI4_KINDS.has(rule.kind)) return undefined;
  return `${rule.kind} rules need AppArmor 4 (ABI 4.0); the apparmor_parser installed here is version ${parserMajor} and cannot compile them (on ABI 3.0 policy this access is not mediated)`;
}

/** Whether every event of the entry was an AUDIT record. */
function auditOnly(e: RuleEntry): boolean {
  const modes = Object.keys(e.modes);
  return modes.length === 1 && modes[0] === "AUDIT";
}

/** Objects kept per rule entry (rule-aggregate.ts): at this many, there may have been more. */
const MAX_OBJECTS = 8;

export function buildReport(state: AnalysisState, options: ReportOptions = {}): AnalyzeReport {
  const rules: SuggestedRule[] = [];
  const targets = new Map<string, RuleTarget>();
  const targetOfProfile = options.target ?? ((p: string) => targetOf(p, undefined));
  const grouped = options.literal === true ? { entries: state.rules.entries } : collapseSiblings(state.rules.entries);
  for (const e of grouped.entries) {
    const typed = finalRule(e);
    let target = targets.get(e.profile);
    if (target === undefined) targets.set(e.profile, (target = targetOfProfile(e.profile)));
    const check = target.kind === "not-policy" ? { verdict: "not-applicable" as const } : policyCheck(options.policy, e, typed);
    const by = check.by === undefined ? undefined : `${check.by.file}:${check.by.line}: ${check.by.text}`;
    const rule: SuggestedRule = {
      profile: e.profile,
      // Events AppArmor let through and logged because of an audit rule (--mode audit) keep it audited.
      rule: auditOnly(e) ? `audit ${renderRule(typed)}` : renderRule(typed),
      status: check.verdict,
      reason: reasonOf(e, check.verdict, by),
      covers: {
        count: e.count, modes: e.modes, firstSeen: e.firstSeen, lastSeen: e.lastSeen, operations: e.operations,
        objects: e.objects, comms: e.comms, exes: e.exes, pids: e.pids, hosts: e.hosts, examples: e.examples,
      },
      typed,
    };
    const warning = dangerOf(typed) ?? coverageWarning(typed, e.objects, options.variables?.(e.profile)) ?? tooNew(typed, options.parserMajor);
    if (warning !== undefined) rule.warning = warning;
    if (by !== undefined) rule.policyLine = by;
    if (droppedPeer(e) || e.notes.some((n) => n.includes(BROADER_NOTE))) rule.broader = true;
    rules.push(rule);
  }
  rules.sort((a, b) => a.profile.localeCompare(b.profile) || b.covers.count - a.covers.count || a.rule.localeCompare(b.rule));
  const offers: AnalyzeReport["offers"] = {};
  if (options.abstractions !== undefined) {
    const byProfile = new Map<string, SuggestedRule[]>();
    for (const r of rules) {
      if (r.status !== "missing" || r.warning !== undefined) continue;
      const list = byProfile.get(r.profile);
      if (list === undefined) byProfile.set(r.profile, [r]);
      else list.push(r);
    }
    for (const [profile, list] of byProfile) {
      const kind = targets.get(profile)?.kind;
      if (kind !== "local" && kind !== "add-include") continue;
      const found = options.abstractions(profile, list.map((r) => r.typed));
      if (found.length > 0) offers[profile] = found.map((o) => ({ include: o.include, covers: o.covers.map((i) => list[i]!.rule) }));
    }
  }
  const incidentCounts = new Map<string, number>();
  const pasta = pastaReport(state, options.policy, targetOfProfile, options.pastaPolicy, options.pastaSystem, incidentCounts);
  const targetFor = (profile: string) => targets.get(profile) ?? targetOfProfile(profile);
  return {
    version: REPORT_VERSION,
    summary: state.summary,
    headline: buildHeadline({ diagnoses: pasta.diagnoses, incidentCounts, denials: state.denials, rules, target: targetFor, selinux: state.summary.selinux ?? 0 }),
    inputs: state.inputs,
    notes: state.notes,
    formats: state.formats,
    types: state.types,
    modes: state.appArmorModes,
    denials: state.denials,
    rules,
    ruleCounts: { literal: state.rules.entries.length, grouped: grouped.entries.length },
    offers,
    targets: Object.fromEntries(targets) as Record<string, RuleTarget>,
    timeline: state.timeline ?? { unit: "minute", series: [] },
    pasta,
    unmapped: state.rules.unmapped.map(({ profile, reason, count }) => ({ profile, reason, count })),
    unparsed: state.unparsed,
    warnings: state.warnings,
    errors: state.errors,
  };
}
