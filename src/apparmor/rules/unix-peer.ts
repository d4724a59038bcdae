/**
 * apparmor_parser refuses a unix rule that names a peer (`peer=(label=…, addr=…)`) together with
 * an access on the socket itself ("…accesses cannot be used with peer socket conditionals"). A
 * rule for such an access is printed without its peer: valid, and broader than the denial (it
 * allows any peer), which the report says beside it.
 */
import type { Rule } from "../rule-model.js";

/** Unix accesses on the socket itself. */
const UNIX_LOCAL = new Set(["create", "shutdown", "setattr", "getattr", "bind", "listen", "setopt", "getopt"]);

/** Whether the rule must leave its peer conditions out to compile. */
export function mustDropPeer(rule: Rule): boolean {
  return rule.kind === "unix" && (rule.peerLabel !== undefined || rule.peerAddr !== undefined) && rule.access.some((a) => UNIX_LOCAL.has(a));
}

/** The rule as apparmor_parser accepts it: a unix rule with a local access loses its peer. */
export function compilableRule(rule: Rule): Rule {
  if (rule.kind !== "unix" || !mustDropPeer(rule)) return rule;
  const { peerLabel: _l, peerAddr: _a, ...rest } = rule;
  return rest;
}
