/**
 * Thousands of one-off rules read as noise: `owner /tmp/pasta-764.pcap rw,`, `/tmp/tmpa8Xk2Q r,`.
 * Literal file rules of one profile that sit in one directory, carry the same accesses, and
 * differ only in a part that is random by construction — digits (a pid, a counter), a hex id,
 * a mkstemp suffix — are collapsed into one glob rule covering exactly that part. The rule says
 * how many literal rules it stands for and names a few; `--literal` keeps them apart.
 */
import type { Rule } from "../apparmor/rule-model.js";
import type { RuleEntry } from "./rule-aggregate.js";

const CAP_LIST = 8;

/** The glob for the part that differs, when every name's part is random-looking in one way. */
function varyingGlob(parts: string[]): string | undefined {
  // Digits, at least three in one of them (a pid, a counter; `a-1.conf` and `a-2.conf` are names).
  if (parts.every((p) => /^\d+$/.test(p)) && parts.some((p) => p.length >= 3)) return "[0-9]*";
  if (parts.every((p) => /^[0-9a-f]{6,}$/i.test(p))) return "*";
  // mkstemp: the same length, letters and digits mixed, six characters or more.
  const len = parts[0]!.length;
  if (len >= 6 && parts.every((p) => p.length === len && /^[A-Za-z0-9]+$/.test(p) && /\d/.test(p + parts[0]))) return "*";
  return undefined;
}

function commonPrefix(names: string[]): string {
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function commonSuffix(names: string[]): string {
  let s = names[0]!;
  for (const n of names) while (!n.endsWith(s)) s = s.slice(1);
  return s;
}

/** The literal leaf of a file rule's path (no glob, no variable in it), or undefined. */
function leaf(rule: Rule): { dir: string; name: string } | undefined {
  if (rule.kind !== "file" || rule.exec !== undefined) return undefined;
  const cut = rule.path.lastIndexOf("/");
  const name = rule.path.slice(cut + 1);
  if (cut < 0 || name === "" || /[\\*?[\]{}@]/.test(name)) return undefined;
  return { dir: rule.path.slice(0, cut + 1), name };
}

export interface Collapsed {
  entry: RuleEntry;
  /** The literal rules it stands for (their count, and the first names). */
  literal: number;
  names: string[];
}

/** Entries with their random-looking siblings collapsed (see above); other entries unchanged. */
export function collapseSiblings(entries: RuleEntry[]): { entries: RuleEntry[]; collapsed: Collapsed[] } {
  const groups = new Map<string, RuleEntry[]>();
  const out: RuleEntry[] = [];
  for (const e of entries) {
    const l = leaf(e.rule);
    if (l === undefined || e.rule.kind !== "file") {
      out.push(e);
      continue;
    }
    const key = `${e.profile}\0${l.dir}\0${e.rule.perms}\0${e.ownerYes > 0 && e.ownerNo === 0}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const collapsed: Collapsed[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) {
      out.push(...list);
      continue;
    }
    const names = list.map((e) => leaf(e.rule)!.name);
    const prefix = commonPrefix(names);
    const suffix = commonSuffix(names.map((n) => n.slice(prefix.length)));
    const parts = names.map((n) => n.slice(prefix.length, n.length - suffix.length));
    const glob = parts.some((p) => p === "") ? undefined : varyingGlob(parts);
    if (glob === undefined) {
      out.push(...list);
      continue;
    }
    const first = list[0]!;
    const dir = leaf(first.rule)!.dir;
    const merged: RuleEntry = {
      ...first,
      key: `${dir}${prefix}${glob}${suffix}`,
      rule: { ...(first.rule as Extract<Rule, { kind: "file" }>), path: `${dir}${prefix}${glob}${suffix}` },
      count: 0,
      ownerYes: 0,
      ownerNo: 0,
      modes: {},
      operations: [],
      objects: [],
      comms: [],
      exes: [],
      pids: [],
      hosts: [],
      examples: [],
      notes: [...first.notes],
    };
    for (const e of list) {
      merged.count += e.count;
      merged.ownerYes += e.ownerYes;
      merged.ownerNo += e.ownerNo;
      for (const [m, n] of Object.entries(e.modes)) merged.modes[m as keyof typeof merged.modes] = (merged.modes[m as keyof typeof merged.modes] ?? 0) + (n ?? 0);
      if (e.firstSeen !== null && (merged.firstSeen === null || e.firstSeen < merged.firstSeen)) merged.firstSeen = e.firstSeen;
      if (e.lastSeen !== null && (merged.lastSeen === null || e.lastSeen > merged.lastSeen)) merged.lastSeen = e.lastSeen;
      for (const [into, from] of [[merged.operations, e.operations], [merged.objects, e.objects], [merged.comms, e.comms], [merged.exes, e.exes], [merged.hosts, e.hosts]] as const) {
        for (const x of from) if (into.length < CAP_LIST && !into.includes(x)) into.push(x);
      }
      for (const p of e.pids) if (merged.pids.length < CAP_LIST && !merged.pids.includes(p)) merged.pids.push(p);
      for (const x of e.examples) if (merged.examples.length < 3) merged.examples.push(x);
    }
    merged.notes.push(`${list.length} literal rules collapsed (${glob === "[0-9]*" ? "digits" : "a random part"} → ${glob}): ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`);
    out.push(merged);
    collapsed.push({ entry: merged, literal: list.length, names: names.slice(0, 3) });
  }
  return { entries: out, collapsed };
}
