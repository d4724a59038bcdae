/**
 * Does the installed policy already allow a rule the logs ask for?
 *
 *   "denied"   a `deny` rule of the profile covers some part of it (deny wins in AppArmor, unless
 *              an allow rule with a higher `priority=` covers it)
 *   "allowed"  allow rules of the profile (includes flattened) cover all of it
 *   "missing"  neither
 *   "unknown"  the profile is not in the policy
 *
 * Per class: file (path glob covered and every permission covered, possibly by several rules;
 * `w` grants `a`; any exec mode on the path grants execution; an `owner` policy rule covers only an
 * owner request, a plain rule covers both; a deny rule's `owner` applies to owner requests only),
 * capability, network, unix, signal, ptrace, dbus, mount/remount/umount/pivot_root, userns,
 * change_profile. mqueue and io_uring: always "missing" unless denied (conservative). A bare
 * rule (`file,` `capability,` `network,` `signal,` `unix,` …) covers its whole class; an empty
 * access list means every access; a condition the policy rule does not give matches anything,
 * one the request does not give is "anything" and is then covered only by a rule without it.
 * Peers, labels, dbus names and paths are compared as AARE globs.
 */
import type { PolicyVerdict, Rule } from "../rule-model.js";
import { compileAare } from "../aare/match.js";
import { aareCovers, aareOverlaps, literalLength } from "./cover.js";
import { findProfile } from "./load.js";
import type { Policy, PolicyRule, ProfileInfo, SourceRef } from "./types.js";
import { expandVariables } from "./variables.js";

export interface CheckResult {
  verdict: PolicyVerdict;
  /** The deciding policy rule: the deny rule, or (for "allowed") the first allow rule that matched. */
  by?: SourceRef;
}

/** How a policy rule relates to a request: covers all of it, some of it, or none. */
type Relation = "all" | "part" | "none";

// ---- patterns -------------------------------------------------------------------------------------
/** The patterns a policy string stands for, expanded with the profile's variables once per rule. */
function policyPatterns(p: ProfileInfo, r: PolicyRule, field: string, value: string, paths: boolean): string[] {
  // Per profile (its variables), per field: keyed by objects, so a lookup builds no string.
  r.cache ??= new WeakMap();
  let fields = r.cache.get(p);
  if (fields === undefined) r.cache.set(p, (fields = new Map()));
  let pats = fields.get(field);
  if (!pats) {
    pats = expandVariables(value, p.variables, { paths }).patterns;
    fields.set(field, pats);
  }
  return pats;
}

function requestPatterns(p: ProfileInfo, value: string, paths: boolean): string[] {
  return expandVariables(value, p.variables, { paths }).patterns;
}

/** Every request pattern is covered by one of the policy patterns. */
function globCovers(policy: string[], request: string[]): boolean {
  return request.every((q) => policy.some((pp) => aareCovers(pp, q)));
}

function globOverlaps(policy: string[], request: string[]): boolean {
  return request.some((q) => policy.some((pp) => aareOverlaps(pp, q)));
}

/**
 * An optional condition: the policy rule without it matches anything; a request without it
 * ("any") is covered only by a rule without it but overlaps every rule.
 */
function condRelation(p: ProfileInfo, r: PolicyRule, field: string, policyValue: string | undefined, requestValue: string | undefined, paths = false): Relation {
  if (policyValue === undefined) return "all";
  if (requestValue === undefined) return "part";
  const pol = policyPatterns(p, r, field, policyValue, paths);
  const req = requestPatterns(p, requestValue, paths);
  if (globCovers(pol, req)) return "all";
  return globOverlaps(pol, req) ? "part" : "none";
}

/** Combine the relations of independent conditions. */
function both(...rels: Relation[]): Relation {
  if (rels.includes("none")) return "none";
  return rels.every((x) => x === "all") ? "all" : "part";
}

/** Access lists: the policy's empty list means all; the request's empty list means all. */
function accessRelation(policy: string[], request: string[], implied: Record<string, string[]> = {}): Relation {
  if (policy.length === 0) return "all";
  const granted = new Set(policy);
  for (const a of policy) for (const x of implied[a] ?? []) granted.add(x);
  if (request.length === 0) return "part";
  const hits = request.filter((a) => granted.has(a)).length;
  return hits === request.length ? "all" : hits > 0 ? "part" : "none";
}

function setRelation(policy: string[], request: string[]): Relation {
  if (policy.length === 0) return "all";
  if (request.length === 0) return "part";
  const hits = request.filter((a) => policy.includes(a)).length;
  return hits === request.length ? "all" : hits > 0 ? "part" : "none";
}

function nameEq(policy: string | undefined, request: string | undefined): Relation {
  if (policy === undefined) return "all";
  if (request === undefined) return "part";
  return policy === request ? "all" : "none";
}

// ---- per class --------------------------------------------------------------------------------------
const PTRACE_IMPLIED: Record<string, string[]> = { trace: ["read"], tracedby: ["readby"] };

/** Network: `tcp` is `stream` and `udp` is `dgram` for the inet families. */
function netKind(type?: string, protocol?: string): string | undefined {
  if (type) return type;
  if (protocol === "tcp") return "stream";
  if (protocol === "udp") return "dgram";
  return protocol;
}

function relate(p: ProfileInfo, r: PolicyRule, q: Rule): Relation {
  const pr = r.rule;
  if (pr.kind !== q.kind) return "none";
  const narrowed = (r.extra.narrowed?.length ?? 0) > 0;
  // A rule with conditions the model cannot check covers at most part of the request.
  const cap = (rel: Relation): Relation => (narrowed && rel === "all" ? "part" : rel);
  if (r.bare) return cap("all");
  switch (pr.kind) {
    case "capability": {
      const req = (q as typeof pr).names;
      return setRelation(pr.names, req);
    }
    case "network": {
      const req = q as typeof pr;
      const fam = nameEq(pr.family, req.family);
      const pk = netKind(pr.type, pr.protocol);
      const qk = netKind(req.type, req.protocol);
      const kind = nameEq(pk, qk);
      const access = (r.extra.access?.length ?? 0) > 0 ? "part" : "all";
      return cap(both(fam, kind, access));
    }
    case "unix": {
      const req = q as typeof pr;
      return cap(
        both(
          accessRelation(pr.access, req.access),
          nameEq(pr.type, req.type),
          condRelation(p, r, "addr", pr.addr, req.addr),
          condRelation(p, r, "peerAddr", pr.peerAddr, req.peerAddr),
          condRelation(p, r, "peerLabel", pr.peerLabel, req.peerLabel),
        ),
      );
    }
    case "signal": {
      const req = q as typeof pr;
      return cap(both(accessRelation(pr.access, req.access), setRelation(pr.signals, req.signals), condRelation(p, r, "peer", pr.peer, req.peer)));
    }
    case "ptrace": {
      const req = q as typeof pr;
      return cap(both(accessRelation(pr.access, req.access, PTRACE_IMPLIED), condRelation(p, r, "peer", pr.peer, req.peer)));
    }
    case "dbus": {
      const req = q as typeof pr;
      return cap(
        both(
          accessRelation(pr.access, req.access),
          condRelation(p, r, "bus", pr.bus, req.bus),
          condRelation(p, r, "path", pr.path, req.path),
          condRelation(p, r, "interface", pr.interface, req.interface),
          condRelation(p, r, "member", pr.member, req.member),
          condRelation(p, r, "name", pr.name, req.name),
          condRelation(p, r, "peerName", pr.peerName, req.peerName),
          condRelation(p, r, "peerLabel", pr.peerLabel, req.peerLabel),
        ),
      );
    }
    case "mount": {
      const req = q as typeof pr;
      return cap(
        both(
          fstypeRelation(r.extra.fstypes, req.fstype),
          optionsRelation(r.extra.optionSets, r.extra.optionsIn ?? false, req.options),
          condRelation(p, r, "source", pr.source, req.source, true),
          condRelation(p, r, "mountpoint", pr.mountpoint, req.mountpoint, true),
        ),
      );
    }
    case "remount": {
      const req = q as typeof pr;
      return cap(both(optionsRelation(r.extra.optionSets, r.extra.optionsIn ?? false, req.options), condRelation(p, r, "mountpoint", pr.mountpoint, req.mountpoint, true)));
    }
    case "umount": {
      const req = q as typeof pr;
      return cap(condRelation(p, r, "mountpoint", pr.mountpoint, req.mountpoint, true));
    }
    case "pivot_root": {
      const req = q as typeof pr;
      return cap(both(condRelation(p, r, "oldroot", pr.oldroot, req.oldroot, true), condRelation(p, r, "newroot", pr.newroot, req.newroot, true)));
    }
    case "userns": {
      const req = q as typeof pr;
      return accessRelation(pr.access, req.access);
    }
    case "change_profile": {
      const req = q as typeof pr;
      return cap(both(condRelation(p, r, "execPath", pr.execPath, req.execPath, true), condRelation(p, r, "target", pr.target, req.target)));
    }
    case "mqueue":
    case "io_uring":
    case "file":
      return "none"; // file: see checkFile; mqueue / io_uring: not matched (conservative)
  }
}

function fstypeRelation(policy: string[] | undefined, request: string | undefined): Relation {
  if (!policy || policy.length === 0) return "all";
  if (request === undefined) return "part";
  const req = request.split(",").map((s) => s.trim()).filter(Boolean);
  const pats = policy.map((x) => compileAare(x));
  const hits = req.filter((t) => pats.some((re) => re.test(t))).length;
  return hits === req.length ? "all" : hits > 0 ? "part" : "none";
}

/** `options=(a,b)`: the request's flags are exactly one set; `options in (…)`: a subset of the union. */
function optionsRelation(sets: string[][] | undefined, isIn: boolean, request: string[] | undefined): Relation {
  if (!sets || sets.length === 0) return "all";
  if (request === undefined) return "part";
  const req = new Set(request);
  if (isIn) {
    const union = new Set(sets.flat());
    const hits = [...req].filter((o) => union.has(o)).length;
    return hits === req.size ? "all" : hits > 0 ? "part" : "none";
  }
  for (const s of sets) {
    if (s.length === req.size && s.every((o) => req.has(o))) return "all";
  }
  return sets.some((s) => s.some((o) => req.has(o))) ? "part" : "none";
}

// ---- file -------------------------------------------------------------------------------------------
function fileLetters(perms: string, exec: string | undefined): string[] {
  const out = [...perms];
  if (exec) out.push("x");
  return out;
}

/** The letters a policy file rule grants: `w` grants `a`; an exec mode grants `x` (and `ix` grants `m`). */
function grantedLetters(rule: Extract<Rule, { kind: "file" }>): Set<string> {
  const g = new Set([...rule.perms]);
  if (g.has("w")) g.add("a");
  if (rule.exec) {
    g.add("x");
    if (rule.exec.includes("i")) g.add("m");
  }
  return g;
}

/** Letters a deny rule refuses: `deny w` also refuses append; `deny a` refuses part of a write. */
function deniedLetters(rule: Extract<Rule, { kind: "file" }>): Set<string> {
  const g = new Set([...rule.perms]);
  if (g.has("w")) g.add("a");
  if (g.has("a")) g.add("w");
  if (rule.exec) g.add("x");
  return g;
}

// ---- file-rule index ----------------------------------------------------------------------------
/**
 * The first directory of a pattern's literal prefix (`/proc/` of `@{PROC}/[0-9]*` expanded), or
 * "" when the pattern has a glob before its second `/` (`/{usr/,}bin/**`, `/**`).
 */
function headOf(pattern: string): string {
  if (pattern.charCodeAt(0) !== 47) return "";
  const j = pattern.indexOf("/", 1);
  return j < 0 || j >= literalLength(pattern) ? "" : pattern.slice(0, j + 1);
}

/** A profile's file rules by the head of their patterns: a request under /usr/ never needs the /proc/ rules. */
interface FileIndex {
  byHead: Map<string, number[]>;
  /** Rules that may match under any head (bare rules, patterns with an early glob). */
  any: number[];
}

const fileIndexes = new WeakMap<ProfileInfo, FileIndex>();

function fileIndex(p: ProfileInfo): FileIndex {
  let index = fileIndexes.get(p);
  if (index !== undefined) return index;
  const built: FileIndex = { byHead: new Map(), any: [] };
  p.rules.forEach((r, i) => {
    if (r.rule.kind !== "file") return;
    const heads = r.bare ? [""] : [...new Set(policyPatterns(p, r, "path", r.rule.path, true).map(headOf))];
    if (heads.includes("")) built.any.push(i);
    else
      for (const h of heads) {
        const list = built.byHead.get(h);
        if (list === undefined) built.byHead.set(h, [i]);
        else list.push(i);
      }
  });
  fileIndexes.set(p, built);
  return built;
}

/**
 * The file rules that may match a request's patterns, in policy order. Exactly the rules the
 * full scan would not rule out by their literal prefixes (see cover.ts prefixesAgree).
 */
function fileCandidates(p: ProfileInfo, reqPaths: string[]): PolicyRule[] {
  const heads = reqPaths.map(headOf);
  if (heads.includes("")) return p.rules;
  const index = fileIndex(p);
  const picked = new Set<number>(index.any);
  for (const h of new Set(heads)) for (const i of index.byHead.get(h) ?? []) picked.add(i);
  return [...picked].sort((a, b) => a - b).map((i) => p.rules[i]!);
}

function checkFile(p: ProfileInfo, q: Extract<Rule, { kind: "file" }>): CheckResult {
  /** Letters from rwalkm, plus "x" for execution. */
  const need = { letters: fileLetters(q.perms, q.exec) };
  const reqPaths = requestPatterns(p, q.path, true);
  const reqLink = q.linkTarget !== undefined ? requestPatterns(p, q.linkTarget, true) : undefined;
  const candidates = fileCandidates(p, reqPaths);

  // Deny first.
  let deny: PolicyRule | undefined;
  for (const r of candidates) {
    if (!r.q.deny || r.rule.kind !== "file") continue;
    if (r.q.owner && !q.owner) continue;
    const denied = r.bare ? new Set(["r", "w", "a", "l", "k", "m", "x"]) : deniedLetters(r.rule);
    if (!need.letters.some((l) => denied.has(l))) continue;
    if (!r.bare && !globOverlaps(policyPatterns(p, r, "path", r.rule.path, true), reqPaths)) continue;
    if (!r.bare && need.letters.every((l) => l === "l") && r.rule.linkTarget !== undefined && reqLink &&
        !globOverlaps(policyPatterns(p, r, "link", r.rule.linkTarget, true), reqLink)) continue;
    if (!deny || (r.q.priority ?? 0) > (deny.q.priority ?? 0)) deny = r;
  }

  // Allow: union of the letters granted by the rules covering every request path.
  const granted = new Set<string>();
  let first: PolicyRule | undefined;
  let top = Number.NEGATIVE_INFINITY;
  for (const r of candidates) {
    if (r.q.deny || r.rule.kind !== "file") continue;
    if (r.q.owner && !q.owner) continue;
    let letters: Set<string>;
    if (r.bare) letters = new Set(["r", "w", "a", "l", "k", "m", "x"]);
    else {
      if (!globCovers(policyPatterns(p, r, "path", r.rule.path, true), reqPaths)) continue;
      letters = grantedLetters(r.rule);
      // A link rule with a target grants `l` only towards that target.
      if (letters.has("l") && r.rule.linkTarget !== undefined) {
        if (!reqLink || !globCovers(policyPatterns(p, r, "link", r.rule.linkTarget, true), reqLink)) letters.delete("l");
      }
    }
    const useful = need.letters.filter((l) => letters.has(l) && !granted.has(l));
    if (useful.length === 0) continue;
    for (const l of letters) granted.add(l);
    first ??= r;
    top = Math.max(top, r.q.priority ?? 0);
  }
  const allowed = need.letters.every((l) => granted.has(l));
  if (deny && !(allowed && top > (deny.q.priority ?? 0))) return { verdict: "denied", by: deny.src };
  if (allowed && first) return { verdict: "allowed", by: first.src };
  return { verdict: "missing" };
}

// ---- entry point ------------------------------------------------------------------------------------
/** Split a request into the parts several allow rules may cover separately (capability names). */
function requestParts(q: Rule): Rule[] {
  if (q.kind === "capability" && q.names.length > 1) return q.names.map((n) => ({ kind: "capability", names: [n] }));
  if ((q.kind === "signal" || q.kind === "unix" || q.kind === "dbus" || q.kind === "ptrace") && q.access.length > 1) {
    return q.access.map((a) => ({ ...q, access: [a] }) as Rule);
  }
  if (q.kind === "signal" && q.signals.length > 1) return q.signals.map((s) => ({ ...q, signals: [s] }));
  return [q];
}

/**
 * The verdict of the installed policy on a rule the logs ask for, in the profile named
 * `profileName` (full name, attachment path, or parent//child).
 */
export function checkRule(policy: Policy, profileName: string, rule: Rule): CheckResult {
  const p = findProfile(policy, profileName);
  if (!p) return { verdict: "unknown" };
  return checkRuleIn(p, rule);
}

/** The same check against one loaded profile (or an abstraction loaded as one: see loadAbstraction). */
export function checkRuleIn(p: ProfileInfo, rule: Rule): CheckResult {
  if (rule.kind === "file") return checkFile(p, rule);

  let deny: PolicyRule | undefined;
  for (const r of p.rules) {
    if (!r.q.deny) continue;
    if (relate(p, r, rule) === "none") continue;
    if (!deny || (r.q.priority ?? 0) > (deny.q.priority ?? 0)) deny = r;
  }
  // Every part must be covered by some allow rule.
  let first: PolicyRule | undefined;
  let allowed = true;
  let low = Number.POSITIVE_INFINITY;
  for (const part of rule.kind === "signal" ? requestParts(rule).flatMap(requestParts) : requestParts(rule)) {
    const by = p.rules.find((r) => !r.q.deny && relate(p, r, part) === "all");
    if (!by) {
      allowed = false;
      break;
    }
    first ??= by;
    low = Math.min(low, by.q.priority ?? 0);
  }
  if (deny && !(allowed && low > (deny.q.priority ?? 0))) return { verdict: "denied", by: deny.src };
  if (allowed && first) return { verdict: "allowed", by: first.src };
  return { verdict: "missing" };
}
