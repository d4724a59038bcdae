/**
 * AppArmor events → one rule per profile and rule key, with what it covers. The state is plain
 * JSON and merges exactly: merging the states of two runs gives what one run over both inputs
 * gives (lists keep first-seen order and the same caps; counts add; times take min/max).
 */
import { compilableRule, mustDropPeer } from "../apparmor/rules/unix-peer.js";
import type { Mode } from "../parse/record.js";
import type { Rule } from "../apparmor/rule-model.js";
import type { Candidate } from "../apparmor/rules/synthesize.js";
import type { AnalyzedEvent } from "./enrich.js";
import { detachDeep } from "../input/detach.js";
import { NestedMap } from "./nested-map.js";
import { MORE_PROFILES } from "./more.js";
import { withFirst, withItem } from "./capped-list.js";

export interface RuleExample {
  source: string;
  line: number;
  time: string | null;
}

/** One suggested rule and the evidence behind it. */
export interface RuleEntry {
  profile: string;
  key: string;
  rule: Rule;
  /** Events that allowed `owner` / that did not. `owner` is used only when none did not. */
  ownerYes: number;
  ownerNo: number;
  count: number;
  modes: Partial<Record<Mode, number>>;
  firstSeen: string | null;
  lastSeen: string | null;
  operations: string[];
  /** Distinct literal objects (paths, peers) seen, first ones. */
  objects: string[];
  comms: string[];
  exes: string[];
  pids: number[];
  hosts: string[];
  examples: RuleExample[];
  notes: string[];
  /**
   * File rules only, when the rule is broader than the evidence (upstream passt's rule for a
   * pasta step): the letters the denials asked for, so the installed-policy check of the literal
   * objects asks for those and not for the rule's.
   */
  evidencePerms?: string;
}

/** Events that give no rule, by reason. */
export interface Unmapped {
  reason: string;
  profile: string;
  count: number;
  examples: RuleExample[];
}

/** What one event added to the rules: the entry or unmapped reason, and its `owner` vote. */
export interface RuleRef {
  entry?: RuleEntry;
  unmapped?: Unmapped;
  owner: -1 | 0 | 1;
}

export interface RuleState {
  entries: RuleEntry[];
  unmapped: Unmapped[];
}


const CAP_LIST = 8;
const CAP_EXAMPLES = 3;

/** Where an event was read (made only while a list has room: most events are past it). */
function exampleOf(a: AnalyzedEvent): RuleExample {
  return { source: a.record.source, line: a.record.line, time: a.record.time };
}

/** `into` with the items of `from` it lacks, in first-seen order, up to `cap` (see withItem). */
function union<T>(into: T[], from: readonly T[], cap = Infinity): T[] {
  for (const x of from) into = withItem(into, x, cap);
  return into;
}

function minTime(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

function maxTime(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a > b ? a : b;
}

const FILE_ORDER = "rwalkm";

/** The file letters of both, in rwalkm order (`w` and `a` kept apart: this is what was asked, not a rule). */
function unionPerms(a: string | undefined, b: string): string {
  const set = new Set([...(a ?? ""), ...b]);
  return [...FILE_ORDER].filter((c) => set.has(c)).join("");
}

/** Merge the accesses of `from` into `into` (same kind and key). */
function mergeRule(into: Rule, from: Rule): void {
  switch (into.kind) {
    case "file": {
      const f = from as typeof into;
      const set = new Set([...into.perms, ...f.perms]);
      // `w` includes append, and apparmor_parser refuses both together ("Conflict 'a' and 'w' perms").
      if (set.has("w")) set.delete("a");
      into.perms = [...FILE_ORDER].filter((c) => set.has(c)).join("");
      if (f.exec !== undefined) into.exec ??= f.exec;
      break;
    }
    case "unix":
    case "ptrace":
    case "dbus":
    case "mqueue":
    case "io_uring":
    case "userns":
      into.access = union(into.access, (from as typeof into).access);
      into.access.sort();
      break;
    case "signal":
      into.access = union(into.access, (from as typeof into).access);
      into.signals = union(into.signals, (from as typeof into).signals);
      into.access.sort();
      into.signals.sort();
      break;
    case "mount":
    case "remount":
      if ((from as typeof into).options !== undefined) into.options = union(into.options ?? [], (from as typeof into).options!);
      into.options?.sort();
      break;
    default:
      break;
  }
}

/**
 * A fresh copy of what an entry keeps. Its strings are slices of input lines, which would keep
 * those lines alive; the copy's strings are flat and independent (see detach.ts).
 */
const fresh = detachDeep;

/**
 * Distinct rules kept. Real logs give tens to hundreds; a flood of distinct objects (an attack,
 * a fuzzer) is counted per profile as "too many distinct rules" instead of growing without bound.
 */
export const MAX_RULES = 10_000;
/** Distinct (profile, reason) counts of events without a rule; past this they share one. */
export const MAX_UNMAPPED = 10_000;

export class RuleAggregator {
  /** profile → rule kind → key → entry (see NestedMap: no joined keys on the per-event path). */
  private readonly entries = new NestedMap<RuleEntry>();
  private readonly unmapped = new Map<string, Unmapped>();
  /** The entry each candidate (one per body, and per body as pasta's) went to: a repeat has nothing to merge. */
  private readonly entryOf = new WeakMap<Candidate, RuleEntry>();

  add(a: AnalyzedEvent): RuleRef {
    const s = a.synthesis;
    if (s.candidate === undefined) return { unmapped: this.addUnmapped(a.profile, s.reason, a), owner: -1 };
    return this.addCandidate(a, s.candidate);
  }

  private addUnmapped(profile: string, reason: string, a: AnalyzedEvent): Unmapped {
    let k = `${profile}\0${reason}`;
    let u = this.unmapped.get(k);
    if (u === undefined && this.unmapped.size >= MAX_UNMAPPED) {
      // Profiles and reasons come from the log: past the cap they share one count.
      profile = MORE_PROFILES;
      reason = `more than ${MAX_UNMAPPED} distinct profiles and reasons without a rule (the rest are counted here)`;
      k = `${profile}\0${reason}`;
      u = this.unmapped.get(k);
    }
    if (u === undefined) {
      u = fresh<Unmapped>({ reason, profile, count: 0, examples: [] });
      this.unmapped.set(`${u.profile}\0${u.reason}`, u);
    }
    u.count++;
    if (u.examples.length < CAP_EXAMPLES) u.examples = u.examples.concat([exampleOf(a)]);
    return u;
  }

  private addCandidate(a: AnalyzedEvent, c: Candidate): RuleRef {
    const profile = a.profile;
    let e = this.entryOf.get(c) ?? this.entries.get(profile, c.rule.kind, c.key);
    if (e === undefined) {
      if (this.entries.size >= MAX_RULES) return { unmapped: this.addUnmapped(profile, `more than ${MAX_RULES} distinct rules (the rest are counted here)`, a), owner: -1 };
      e = fresh<RuleEntry>({
        profile, key: c.key, rule: c.rule, ownerYes: 0, ownerNo: 0, count: 0, modes: {},
        firstSeen: null, lastSeen: null, operations: [], objects: [], comms: [], exes: [], pids: [], hosts: [], examples: [], notes: c.notes,
      });
      this.entries.set(e.profile, e.rule.kind, e.key, e);
      if (a.shared) this.entryOf.set(c, e);
    } else if (this.entryOf.get(c) !== e) {
      mergeRule(e.rule, c.rule);
      // A candidate of a body seen once is never looked up again (see AnalyzedEvent.shared).
      if (a.shared) this.entryOf.set(c, e);
    }
    const f = a.bodyFields;
    const time = a.record.time;
    const host = a.record.host ?? a.event.host;
    e.count++;
    e.modes[a.mode] = (e.modes[a.mode] ?? 0) + 1;
    if (c.ownerOk !== undefined) c.ownerOk ? e.ownerYes++ : e.ownerNo++;
    e.firstSeen = minTime(e.firstSeen, time);
    e.lastSeen = maxTime(e.lastSeen, time);
    if (f.operation !== undefined) e.operations = withItem(e.operations, f.operation, CAP_LIST);
    e.objects = withItem(e.objects, c.object, CAP_LIST);
    if (f.comm !== undefined) e.comms = withItem(e.comms, f.comm, CAP_LIST);
    if (a.event.process.exe !== undefined) e.exes = withItem(e.exes, a.event.process.exe, CAP_LIST);
    if (a.pid !== undefined) e.pids = withItem(e.pids, a.pid, CAP_LIST);
    if (host !== null) e.hosts = withItem(e.hosts, host, CAP_LIST);
    if (e.examples.length < CAP_EXAMPLES) e.examples = e.examples.concat([exampleOf(a)]);
    e.notes = union(e.notes, c.notes, CAP_LIST);
    if (c.evidencePerms !== undefined) e.evidencePerms = unionPerms(e.evidencePerms, c.evidencePerms);
    return { entry: e, owner: c.ownerOk === undefined ? -1 : c.ownerOk ? 1 : 0 };
  }

  /** The entry `other` became part of when it was merged in (same profile, kind and key). */
  entryFor(other: RuleEntry): RuleEntry | undefined {
    return this.entries.get(other.profile, other.rule.kind, other.key);
  }

  unmappedFor(other: Unmapped): Unmapped | undefined {
    return this.unmapped.get(`${other.profile}\0${other.reason}`);
  }

  /** Fold another run's state in, as if its inputs had been read after this run's. */
  merge(state: RuleState): void {
    for (const other of state.entries) {
      if (other.count <= 0) continue; // every event of it was counted in another state
      const e = this.entries.get(other.profile, other.rule.kind, other.key);
      if (e === undefined) {
        this.entries.set(other.profile, other.rule.kind, other.key, fresh(other));
        continue;
      }
      mergeRule(e.rule, other.rule);
      e.ownerYes += other.ownerYes;
      e.ownerNo += other.ownerNo;
      e.count += other.count;
      for (const [m, n] of Object.entries(other.modes) as Array<[Mode, number]>) e.modes[m] = (e.modes[m] ?? 0) + n;
      e.firstSeen = minTime(e.firstSeen, other.firstSeen);
      e.lastSeen = maxTime(e.lastSeen, other.lastSeen);
      e.operations = union(e.operations, other.operations, CAP_LIST);
      e.objects = union(e.objects, other.objects, CAP_LIST);
      e.comms = union(e.comms, other.comms, CAP_LIST);
      e.exes = union(e.exes, other.exes, CAP_LIST);
      e.pids = union(e.pids, other.pids, CAP_LIST);
      e.hosts = union(e.hosts, other.hosts, CAP_LIST);
      e.examples = withFirst(e.examples, other.examples, CAP_EXAMPLES);
      e.notes = union(e.notes, other.notes, CAP_LIST);
      if (other.evidencePerms !== undefined) e.evidencePerms = unionPerms(e.evidencePerms, other.evidencePerms);
    }
    for (const other of state.unmapped) {
      if (other.count <= 0) continue;
      const k = `${other.profile}\0${other.reason}`;
      const u = this.unmapped.get(k);
      if (u === undefined) this.unmapped.set(k, fresh(other));
      else {
        u.count += other.count;
        u.examples = withFirst(u.examples, other.examples, CAP_EXAMPLES);
      }
    }
  }

  state(): RuleState {
    return { entries: [...this.entries.values()].filter((e) => e.count > 0), unmapped: [...this.unmapped.values()].filter((u) => u.count > 0) };
  }
}

/** The rule as it will be printed: `owner` decided from all the evidence. */
export function finalRule(e: RuleEntry): Rule {
  if (e.rule.kind === "unix") return compilableRule(e.rule);
  if (e.rule.kind !== "file") return e.rule;
  return { ...e.rule, owner: e.ownerYes > 0 && e.ownerNo === 0 };
}

/** Whether the final rule had to leave its peer conditions out (and so allows any peer). */
export function droppedPeer(e: RuleEntry): boolean {
  return mustDropPeer(e.rule);
}
