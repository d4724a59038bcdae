/**
 * The installed policy that suggested rules are checked against: --profile-dir, else
 * /etc/apparmor.d when it exists; none with --no-policy. Loaded once per run.
 */
import { checkRule, findProfile, loadPolicy, type Policy, type ProfileInfo } from "../apparmor/policy/index.js";
import { checkRuleIn } from "../apparmor/policy/check.js";
import { abstractionLoader, abstractionNames } from "../apparmor/policy/load.js";
import type { PolicyChecker, ReportOptions } from "../report/report.js";
import { renderRule } from "../apparmor/rules/render.js";
import type { PolicyChoice } from "./options.js";
import type { Rule } from "../apparmor/rule-model.js";
import { ruleFileOf, targetOf, type RuleTarget } from "../apparmor/local/target.js";
import { coverageWarning } from "../apparmor/rules/self-check.js";
import { dangerOf } from "../apparmor/rules/danger.js";
import { parserMajorVersion } from "../apparmor/validate.js";
import type { RuleStanding } from "../report/csv.js";
import type { PastaPolicyFacts } from "../pasta/diagnose.js";
import { BoundedMap } from "../input/bounded-map.js";

const loaded = new Map<string, Policy | undefined>();

function policyOf(choice: PolicyChoice): Policy | undefined {
  if (choice === null) return undefined;
  const dir = choice.dir;
  const key = dir ?? "";
  if (!loaded.has(key)) {
    const policy = loadPolicy(dir);
    loaded.set(key, policy.profileDir === undefined ? undefined : policy);
  }
  return loaded.get(key);
}

/** Checks remembered per profile and rule text (two bounded generations: rules come from logs). */
const CHECK_MEMO = 8192;

/** The check, memoised by profile and rule text: reports ask about the same rule many times. */
export function policyChecker(choice: PolicyChoice): PolicyChecker | undefined {
  const policy = policyOf(choice);
  if (policy === undefined) return undefined;
  const memo = new BoundedMap<string, ReturnType<PolicyChecker>>(CHECK_MEMO);
  return (profile, rule) => {
    const key = `${profile}\0${renderRule(rule)}`;
    let result = memo.get(key);
    if (result === undefined) memo.set(key, (result = checkRule(policy, profile, rule)));
    return result;
  };
}

/** Where each profile's rules go, from the installed policy (see apparmor/local/target.ts); remembered per profile. */
export function policyTarget(choice: PolicyChoice): (profile: string) => RuleTarget {
  const policy = policyOf(choice);
  // Profile names come from logs: a bounded memo.
  const known = new BoundedMap<string, RuleTarget>(4096);
  return (profile) => {
    let t = known.get(profile);
    if (t === undefined) known.set(profile, (t = targetOf(profile, policy)));
    return t;
  };
}

/** The report options that read the installed policy: the rule check, the targets, the abstractions. */
export function policyReportOptions(choice: PolicyChoice): Pick<ReportOptions, "policy" | "target" | "abstractions" | "parserMajor" | "variables" | "pastaPolicy"> {
  const policy = policyChecker(choice);
  const abstractions = abstractionOffers(choice);
  const parserMajor = parserMajorVersion();
  const installed = policyOf(choice);
  const variables = installed === undefined ? undefined : (profile: string) => findProfile(installed, profile)?.variables;
  const pastaPolicy = pastaPolicyFacts(choice);
  return {
    ...(policy ? { policy } : {}), target: policyTarget(choice), ...(abstractions ? { abstractions } : {}), ...(parserMajor === null ? {} : { parserMajor }),
    ...(variables ? { variables } : {}), ...(pastaPolicy ? { pastaPolicy } : {}),
  };
}

/** Which installed profile includes which abstraction, for the pasta diagnoses (Debian's passt includes abstractions/pasta). */
function pastaPolicyFacts(choice: PolicyChoice): PastaPolicyFacts | undefined {
  const policy = policyOf(choice);
  if (policy === undefined) return undefined;
  const names = new Set(abstractionNames(policy));
  return {
    hasAbstraction: (name) => names.has(name),
    profileIncludes: (profile, abstraction) => {
      const p = findProfile(policy, profile);
      if (p === undefined) return undefined;
      const suffix = `/abstractions/${abstraction}`;
      return p.rules.some((r) => r.src.file.endsWith(suffix));
    },
  };
}

/** Offers of installed abstractions that cover several of a profile's missing rules (at most three). */
function abstractionOffers(choice: PolicyChoice): ReportOptions["abstractions"] {
  const policy = policyOf(choice);
  if (policy === undefined) return undefined;
  const names = abstractionNames(policy);
  const loaded = new Map<string, { abs: ProfileInfo; kinds: Set<string> } | undefined>();
  const load = abstractionLoader(policy);
  /** Whether an abstraction allows a rule: a rule kind it has no rule of is never allowed (no check). */
  const allows = (entry: { abs: ProfileInfo; kinds: Set<string> }, rule: Rule) => entry.kinds.has(rule.kind) && checkRuleIn(entry.abs, rule).verdict === "allowed";
  return (_profile, rules) => {
    if (rules.length < 2 || rules.length > 100) return [];
    const offers: Array<{ include: string; covers: number[] }> = [];
    for (const name of names) {
      if (!loaded.has(name)) {
        const abs = load(name);
        loaded.set(name, abs === undefined ? undefined : { abs, kinds: new Set(abs.rules.map((r) => r.rule.kind)) });
      }
      const entry = loaded.get(name);
      if (entry === undefined) continue;
      const covers = rules.flatMap((r, i) => (allows(entry, r) ? [i] : []));
      if (covers.length >= 2) offers.push({ include: `include <abstractions/${name}>`, covers });
    }
    return offers.sort((a, b) => b.covers.length - a.covers.length || a.include.localeCompare(b.include)).slice(0, 3);
  };
}

/** The standing of each event's own rule (streamed CSV rows): its policy status and warning. */
export function ruleStanding(choice: PolicyChoice): RuleStanding {
  const check = policyChecker(choice);
  const target = policyTarget(choice);
  const installed = policyOf(choice);
  // Repeats of one record body share its standing (see analysis/enrich.ts: `body`); pasta's
  // events may have another rule (upstream's), so they are remembered apart.
  const byBody = new WeakMap<object, ReturnType<RuleStanding>>();
  const byPastaBody = new WeakMap<object, ReturnType<RuleStanding>>();
  return (v) => {
    if (!v.shared) return standingOf(v);
    const memo = v.isPasta ? byPastaBody : byBody; // (the rule is upstream's only for pasta's own profiles)
    let standing = memo.get(v.body);
    if (standing === undefined) memo.set(v.body, (standing = standingOf(v)));
    return standing;
  };
  function standingOf(v: Parameters<RuleStanding>[0]): ReturnType<RuleStanding> {
    const candidate = v.synthesis.candidate;
    if (candidate === undefined) return { status: "", warning: null, file: null };
    const t = target(v.profile);
    if (t.kind === "not-policy") return { status: "not-applicable", warning: null, file: null };
    const variables = installed === undefined ? undefined : findProfile(installed, v.profile)?.variables;
    const warning = dangerOf(candidate.rule) ?? coverageWarning(candidate.rule, [candidate.object], variables) ?? null;
    return { status: check === undefined ? "unknown" : check(v.profile, candidate.rule).verdict, warning, file: ruleFileOf(t) };
  }
}

/** The policy directory that was read, if any. */
export function loadedPolicyDir(choice: PolicyChoice): string | undefined {
  return policyOf(choice)?.profileDir;
}

/** Problems met while reading the policy (unknown syntax …), for the report's notes. */
export function policyNotes(choice: PolicyChoice): string[] {
  const policy = policyOf(choice);
  if (policy === undefined) return [];
  const notes = [`checked rules against the policy in ${policy.profileDir} (${policy.profileList.length} profiles)`];
  for (const d of policy.diagnostics.slice(0, 5)) notes.push(`policy ${d.file}:${d.line}: ${d.reason}`);
  if (policy.diagnostics.length > 5) notes.push(`… and ${policy.diagnostics.length - 5} more policy diagnostics`);
  return notes;
}
