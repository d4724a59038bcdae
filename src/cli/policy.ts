/**
 * The installed policy that suggested rules are checked against: --profile-dir, else
 * /etc/apparmor.d when it exists; none with --no-policy. Loaded once per run.
 */
import { checkRule, findProfile, loadPolicy, type Policy } from "../apparmor/policy/index.js";
import type { PolicyChecker } from "../report/report.js";
import { renderRule } from "../apparmor/rules/render.js";
import type { PolicyChoice } from "./options.js";

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

/** The check, memoised by profile and rule text: reports ask about the same rule many times. */
export function policyChecker(choice: PolicyChoice): PolicyChecker | undefined {
  const policy = policyOf(choice);
  if (policy === undefined) return undefined;
  const memo = new Map<string, ReturnType<PolicyChecker>>();
  return (profile, rule) => {
    const key = `${profile}\0${renderRule(rule)}`;
    let result = memo.get(key);
    if (result === undefined) memo.set(key, (result = checkRule(policy, profile, rule)));
    return result;
  };
}

/** The policy file that defines a profile, when the policy is loaded and knows it. */
export function policyFileOf(choice: PolicyChoice, profile: string): string | undefined {
  const policy = policyOf(choice);
  if (policy === undefined) return undefined;
  return findProfile(policy, profile.split("//")[0]!)?.src.file;
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
