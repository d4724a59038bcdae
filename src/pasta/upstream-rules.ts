/**
 * Which of upstream passt's rules for a pasta step allows one denial. A step lists every rule
 * upstream's profiles hold for it (catalog.json: the netns step has `@{run}/user/@{uid}/** rw,`,
 * `@{PROC}/[0-9]*\/ns/net r,` and `/tmp/** rw,`); the one printed for a denial is the first whose
 * check against that denial says "allowed" — the policy checker, the one AARE engine and
 * upstream's tunables — so a `/proc/PID/ns/net` denial gets the `/proc` rule, never the first
 * rule of the list. When no upstream rule covers the denial (an upstream rule that names a
 * profile transition, a custom path), the denial's own exact rule is the answer.
 */
import { parsePolicy, type PolicyNode } from "../apparmor/policy/interpret.js";
import { checkRuleIn } from "../apparmor/policy/check.js";
import type { PolicyRule, ProfileInfo } from "../apparmor/policy/types.js";
import type { Rule } from "../apparmor/rule-model.js";
import { UPSTREAM_TUNABLES } from "../apparmor/rules/self-check.js";
import type { Synthesis } from "../apparmor/rules/synthesize.js";
import { renderRule } from "../apparmor/rules/render.js";
import { escapeLiteral } from "../apparmor/aare/escape.js";
import { operationById } from "./catalog.js";

/** An upstream rule read as a one-rule profile, or null when it is not one rule (an include line). */
const readRules = new Map<string, ProfileInfo | null>();

function asProfile(text: string): ProfileInfo | null {
  let p = readRules.get(text);
  if (p !== undefined) return p;
  p = null;
  if (!/^\s*include\b/.test(text)) {
    const ast = parsePolicy(`profile upstream {\n  ${text}\n}\n`, "(catalog)");
    const profile = ast.nodes.find((n) => n.type === "profile") as Extract<PolicyNode, { type: "profile" }> | undefined;
    const rules = (profile?.body ?? []).filter((n): n is Extract<PolicyNode, { type: "rule" }> => n.type === "rule");
    // A rule that also changes profile (`pivot_root … -> PROFILE`) is not the access alone: never the answer.
    if (ast.diagnostics.length === 0 && rules.length === 1 && rules[0]!.extra.pivotTarget === undefined) {
      const r = rules[0]!;
      const rule: PolicyRule = { rule: r.rule, q: r.q, bare: r.bare, extra: r.extra, src: r.src };
      p = {
        name: "upstream", attachment: undefined, attachmentPatterns: [], flags: [], hat: false, parent: undefined,
        rules: [rule], localIncludes: [], endLine: 0, variables: UPSTREAM_TUNABLES, src: r.src,
      };
    }
  }
  readRules.set(text, p);
  return p;
}

/** The typed form of an upstream rule text (a file rule with its `owner`), or undefined when it is not one rule. */
export function upstreamTyped(text: string): { rule: Rule; owner: boolean } | undefined {
  const p = asProfile(text);
  if (p === null) return undefined;
  const { rule, q } = p.rules[0]!;
  return { rule: rule.kind === "file" ? { ...rule, owner: q.owner } : rule, owner: q.owner };
}

/** A rule text as aalens prints it (`ptrace r,` → `ptrace read,`), so one rule is never listed twice; include lines as they are. */
export function canonicalRule(text: string): string {
  const t = upstreamTyped(text);
  return t === undefined ? text.trim() : renderRule(t.rule);
}

/** The words of the note beside a rule that allows more than its denials (report.ts marks such rules `broader`). */
export const BROADER_NOTE = "broader than these denials";

/** Whether an upstream rule text allows the request `rule` (a denial's exact rule). */
export function upstreamCovers(text: string, rule: Rule): boolean {
  const p = asProfile(text);
  return p !== null && checkRuleIn(p, rule).verdict === "allowed";
}

/** The profiles upstream's rules are written for: pasta, passt, and libvirt's passt child profile. */
export function isPastaProfile(profile: string | undefined): boolean {
  return profile === "pasta" || profile === "passt" || (profile !== undefined && profile.endsWith("//passt"));
}

/** Every rule upstream holds for a step, in catalog order (upstream's own first, then field fixes). */
export function stepRules(step: string): string[] {
  const op = operationById(step);
  return [...(op?.upstreamRule ?? []), ...(op?.suggestedRule ?? [])];
}

/** The first rule of the step that allows the request, or undefined. */
export function coveringStepRule(step: string | null, request: Rule | undefined): string | undefined {
  if (step === null || request === undefined) return undefined;
  return stepRules(step).find((text) => upstreamCovers(text, request));
}

/**
 * For a denial of pasta's: the synthesis with upstream's rule for the step when one covers the
 * denial exactly (the same rule the diagnosis prints, so "Suggested rules" and the fix agree),
 * with a note that says it is upstream's and broader than these denials; else `s` unchanged.
 */
export function upstreamSynthesis(s: Synthesis, step: string | null): Synthesis {
  const c = s.candidate;
  if (c === undefined || step === null) return s;
  // The exact request: the literal path the kernel named (a rule made general covers more).
  const request: Rule = c.rule.kind === "file" && c.object.startsWith("/") ? { ...c.rule, path: escapeLiteral(c.object), owner: c.ownerOk === true } : c.rule;
  const text = coveringStepRule(step, request);
  const typed = text === undefined ? undefined : upstreamTyped(text);
  const whose = text !== undefined && (operationById(step)?.upstreamRule ?? []).includes(text) ? "upstream passt's rule" : "the rule used where upstream passt has none";
  if (typed === undefined || typed.rule.kind !== c.rule.kind) return s;
  const rule = typed.rule;
  if (renderRule(rule) === renderRule(c.rule)) return s;
  return {
    candidate: {
      rule,
      key: `upstream\0${text}`,
      object: c.object,
      // Upstream's own `owner` (or none) stands: an owner rule covers only owner requests, which this one is.
      ...(typed.owner ? { ownerOk: true } : {}),
      ...(c.rule.kind === "file" ? { evidencePerms: c.rule.perms } : {}),
      notes: [...c.notes, `${whose} for pasta's ${step} step, ${BROADER_NOTE} (the exact rule: ${renderRule(c.rule)})`],
    },
  };
}
