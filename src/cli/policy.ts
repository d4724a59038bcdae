/** The installed policy to check suggested rules against: --profile-dir, else /etc/apparmor.d. */
import type { PolicyChecker } from "../report/report.js";

export function policyChecker(_values: Record<string, unknown>): PolicyChecker | undefined {
  return undefined;
}

/** The policy file that defines a profile, when the policy is loaded and knows it. */
export function policyFileOf(_values: Record<string, unknown>, _profile: string): string | undefined {
  return undefined;
}
