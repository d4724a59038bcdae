/**
 * Collects records into the analysis as they stream by: counts, events (records of one syscall
 * joined, the same event read twice counted once), denial groups and suggested rules. Memory is
 * bounded by the number of distinct groups and rules, not by the number of lines. The whole
 * collection is a versioned JSON state that can be saved and merged with other runs' states.
 */
import type { AuditRecord, Mode, Skipped, SourceLine } from "../parse/record.js";
import type { RecordHeader } from "../parse/record-header.js";
import { EventAssembler, type AuditEvent } from "../events/assembler.js";
import { RuleAggregator, type RuleRef, type RuleState } from "./rule-aggregate.js";
import { PastaCollector } from "../pasta/collect.js";
import { detach, excerpt } from "../input/detach.js";
import type { SourceSummary } from "../input/types.js";
import type { InputCode, ReasonCode } from "../input/reasons.js";
import type { AnalysisState, DenialGroup, Example, ReasonCount, Summary } from "./state.js";
import { STATE_FORMAT, STATE_VERSION, type InputError, type SeenRecord } from "./state.js";
import type { EventFilter } from "./filter.js";
import { NestedMap } from "./nested-map.js";
import { enrich, type AnalyzedEvent } from "./enrich.js";
import { internalSkip } from "../parse/internal.js";
import { isSelinuxAvc, LSM_RECORD_TYPES } from "../input/other-lsm.js";
import { Timeline } from "./timeline.js";
import { keptOr, MORE_PROFILES } from "./more.js";
import { withFirst, withItem } from "./capped-list.js";
import { groupResource } from "./group-resource.js";

const MAX_EXAMPLES = 3;
/** The resource key of a profile's overflow group (no real resource is empty). */
const OVERFLOW = "";
const MAX_LIST = 8;
/**
 * Distinct denial groups kept in full. Past this, further new resources of a profile and class
 * are counted in one "(N more distinct …)" group, so memory stays bounded on any input.
 */
export const MAX_GROUPS = 10_000;
/** Overflow groups (one per profile and operation) kept apart; past this they share one, under MORE_PROFILES. */
export const MAX_OVERFLOW_GROUPS = 5_000;

/** The modes that are accesses (denied, let through, logged): only these become groups and rules. */
const ACCESS_MODES: ReadonlySet<Mode> = new Set<Mode>(["DENIED", "KILL", "ALLOWED", "AUDIT"]);

/** Which AppArmor modes become denial groups and rules (`--mode`). */
export const DEFAULT_MODES: ReadonlySet<Mode> = new Set<Mode>(["DENIED", "KILL"]);

/** Counts keyed by log text (record types, formats): a Map, never an object's own members. */
function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/**
 * Distinct record types counted by name. The kernel has a few hundred; a crafted log can name a
 * new one on every line (200k lines gave a 4 MB `types` object), so the rest share one count.
 */
const MAX_TYPES = 1024;
const MORE_TYPES = "(more types)";

/**
 * Counts as the JSON object the state and report carry (own data properties, `__proto__` too),
 * most frequent first, then by name: the order must not depend on the order records were read
 * (chunk sizes, a gzip's 16 KiB pieces against a plain file's reads, merge order).
 */
function countsObject(map: Map<string, number>): Record<string, number> {
  const entries = [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries) as Record<string, number>;
}

/** A denial group while it is being built: with the last mask seen (to skip re-splitting). */
type Group = DenialGroup & { lastMask?: string; lastRequested?: string; overflow?: number };

/** What one counted AppArmor record added (kept for a saved state: see SeenRecord). */
interface Contribution {
  signature: number;
  host: string | null;
  mode: Mode;
  filtered: boolean;
  group?: Group;
  rule?: RuleRef;
}

/** Records whose contributions a saved state keeps (~100 bytes each); past this, merges of overlapping states say they are approximate. */
export const MAX_SEEN = 500_000;

function emptySummary(): Summary {
  return { lines: 0, records: 0, apparmor: 0, denials: 0, duplicates: 0, filtered: 0, unparsed: 0, warnings: 0, selinux: 0, skippedLines: 0, inputErrors: 0 };
}

export interface CollectorOptions {
  /** AppArmor modes that become denial groups and rules; default DENIED and KILL. */
  modes?: ReadonlySet<Mode>;
  /** Called for every AppArmor event of the selected modes, in input order (per-event exports). */
  onEvent?: (event: AnalyzedEvent) => void;
  /**
   * false: count and stream events (onEvent) without building denial groups, rules and pasta
   * incidents — for streaming exports, whose memory then stays flat on any input.
   */
  aggregate?: boolean;
  /** Keep what each AppArmor record added, for a saved state that merges exactly (--save-state). */
  keepSeen?: boolean;
  /** Keeps only the AppArmor events it accepts (--since, --profile, --pasta …); the rest are counted as filtered. */
  filter?: EventFilter;
}

export class Collector {
  private summary = emptySummary();
  private inputs: SourceSummary[] = [];
  private notes: string[] = [];
  private readonly formats = new Map<string, number>();
  private readonly types = new Map<string, number>();
  private overflowGroups = 0;
  private modes: Partial<Record<Mode, number>> = {};
  private errors: InputError[] = [];
  /** profile → "operation class" → resource → group; keys are detached (they outlive the batch). */
  private readonly groups = new NestedMap<Group>();
  /** The group of each body seen (repeats skip the lookup). */
  private readonly groupOf = new WeakMap<object, Group>();
  private readonly unparsed = new Map<ReasonCode, ReasonCount>();
  private readonly warnings = new Map<ReasonCode, ReasonCount>();
  private readonly rules = new RuleAggregator();
  private readonly pasta = new PastaCollector();
  private readonly timeline = new Timeline();
  private readonly assembler: EventAssembler;
  private readonly selected: ReadonlySet<Mode>;
  private readonly onEvent: CollectorOptions["onEvent"];
  private readonly filter: CollectorOptions["filter"];
  private readonly aggregate: boolean;
  private readonly seen: Contribution[] | undefined;
  /** Records counted but not kept in `seen` (past MAX_SEEN). */
  private seenDropped = 0;

  constructor(options: CollectorOptions = {}) {
    this.aggregate = options.aggregate ?? true;
    if (options.keepSeen === true) this.seen = [];
    this.selected = options.modes ?? DEFAULT_MODES;
    this.onEvent = options.onEvent;
    this.filter = options.filter;
    this.assembler = new EventAssembler({
      onEvent: (e) => this.event(e),
      onDuplicate: () => this.summary.duplicates++,
    });
  }

  /** `n` physical lines (or journal entries) read. */
  line(n = 1): void {
    this.summary.lines += n;
  }

  /** Count a record type; past MAX_TYPES distinct names the rest are counted under one key. */
  private countType(type: string, n = 1): void {
    bump(this.types, keptOr(this.types, type, MAX_TYPES, MORE_TYPES), n);
  }

  /** The counts so far (for a live summary line). */
  counts(): Readonly<Summary> {
    return this.summary;
  }

  /** An auditd record that is not AppArmor's, counted by type from its bytes (frame-text.ts). */
  counted(type: string): void {
    this.summary.records++;
    bump(this.formats, "auditd");
    this.countType(type);
  }

  /** A non-AppArmor record seen by its header only: counted; parsed later if an event needs it. */
  header(h: RecordHeader, text: string): void {
    this.summary.records++;
    bump(this.formats, h.format);
    this.countType(h.type);
    if (LSM_RECORD_TYPES.has(h.type) && isSelinuxAvc(text)) this.summary.selinux = (this.summary.selinux ?? 0) + 1;
    this.assembler.addHeader(h, text);
  }

  record(r: AuditRecord, text = ""): void {
    const s = this.summary;
    s.records++;
    bump(this.formats, r.format);
    this.countType(r.type ?? "(none)");
    if (r.type !== null && LSM_RECORD_TYPES.has(r.type) && r.fields.apparmor === undefined && r.msg?.apparmor === undefined && isSelinuxAvc(text)) s.selinux = (s.selinux ?? 0) + 1;
    if (r.warnings !== undefined) {
      s.warnings++;
      for (const w of r.warnings) this.count(this.warnings, w.code, w.message, { source: r.source, line: r.line, excerpt: excerpt(text) });
    }
    this.assembler.add(r, text);
  }

  /**
   * One event, after duplicates are dropped: count its AppArmor records, group and aggregate them.
   * A failure on one record (a bug, or input nobody foresaw) costs that record only: it is
   * counted as unparsed with the code `internal`, and the run goes on.
   */
  private event(e: AuditEvent): void {
    for (let i = 0; i < e.apparmor.length; i++) {
      const r = e.apparmor[i]!;
      try {
        const added = this.eventRecord(e, r, e.lines[i] ?? "");
        const signature = e.signatures[i]!;
        if (this.seen !== undefined && !Number.isNaN(signature)) {
          if (this.seen.length < MAX_SEEN) this.seen.push({ signature, host: r.host ?? e.host, mode: r.mode!, ...added });
          else this.seenDropped++;
        }
      } catch (err) {
        this.skipped(internalSkip(r.source, r.line, err, e.lines[i] ?? ""));
      }
    }
  }

  /** One AppArmor record of an event: enriched once, counted, then grouped and aggregated. Returns what it added. */
  private eventRecord(e: AuditEvent, r: AuditRecord, text: string): Pick<Contribution, "filtered" | "group" | "rule"> {
    const a = enrich(e, r, text);
    const mode = a.mode;
    if (this.filter !== undefined && !this.filter(a)) {
      this.summary.filtered++;
      return { filtered: true };
    }
    this.summary.apparmor++;
    this.modes[mode] = (this.modes[mode] ?? 0) + 1;
    if (mode === "DENIED" || mode === "KILL") this.summary.denials++;
    if (this.aggregate && a.isPasta) this.pasta.event(a);
    if (!this.selected.has(mode)) return { filtered: false };
    this.onEvent?.(a);
    if (!this.aggregate || !ACCESS_MODES.has(mode)) return { filtered: false };
    this.timeline.add(a.profile, a.record.time);
    return { filtered: false, group: this.group(a), rule: this.rules.add(a) };
  }

  private group(a: AnalyzedEvent): Group {
    const { record: r, bodyFields: f, pid, profile, resourceClass, text } = a;
    const operation = f.operation ?? "?";
    let g = this.groupOf.get(a.body);
    const what = g === undefined ? operation + " " + resourceClass : "";
    const resource = g === undefined ? groupResource(a.resource) : "";
    g ??= this.groups.get(profile, what, resource);
    if (g === undefined && this.groups.size >= MAX_GROUPS) {
      g = this.groups.get(profile, what, OVERFLOW);
      if (g === undefined && this.overflowGroups >= MAX_OVERFLOW_GROUPS) {
        g = this.groups.get(MORE_PROFILES, "", OVERFLOW);
        if (g === undefined) this.groups.set(MORE_PROFILES, "", OVERFLOW, (g = newGroup(MORE_PROFILES, "(various)", "(various)", OVERFLOW)));
      }
      if (g === undefined) {
        g = newGroup(profile, operation, resourceClass, OVERFLOW);
        this.groups.set(g.profile, detach(what), OVERFLOW, g);
        this.overflowGroups++;
      }
      g.overflow = (g.overflow ?? 0) + 1;
    }
    if (g === undefined) {
      g = newGroup(profile, operation, resourceClass, resource);
      this.groups.set(g.profile, detach(what), g.resource, g);
    }
    if (g.overflow === undefined && a.shared) this.groupOf.set(a.body, g);
    g.count++;
    g.modes[a.mode] = (g.modes[a.mode] ?? 0) + 1;
    if (pid !== undefined) g.pids = withItem(g.pids, pid, MAX_LIST);
    if (f.requested !== undefined && f.requested !== g.lastRequested) {
      g.lastRequested = f.requested;
      for (const p of splitMaskCached(f.requested, resourceClass === "file" || resourceClass === "exec")) g.requested = withItem(g.requested, p, 32);
    }
    const mask = f.denied ?? f.requested;
    if (mask !== undefined && mask !== g.lastMask) {
      g.lastMask = mask;
      for (const p of splitMaskCached(mask, resourceClass === "file" || resourceClass === "exec")) g.denied = withItem(g.denied, p, 32);
    }
    if (r.time !== null) {
      if (g.firstSeen === null || r.time < g.firstSeen) g.firstSeen = r.time;
      if (g.lastSeen === null || r.time > g.lastSeen) g.lastSeen = r.time;
    }
    if (f.comm !== undefined && f.comm !== g.comms[g.comms.length - 1]) g.comms = withItem(g.comms, f.comm, MAX_LIST);
    if (r.host !== null && r.host !== g.hosts[g.hosts.length - 1]) g.hosts = withItem(g.hosts, r.host, MAX_LIST);
    // Only the first example carries the text: the others say where to look, to keep groups small.
    if (g.examples.length < MAX_EXAMPLES) g.examples = g.examples.concat([{ source: r.source, line: r.line, excerpt: g.examples.length === 0 ? excerpt(text) : "" }]);
    return g;
  }

  /** A line that is not an audit record: pasta's and its callers' error lines are kept. */
  other(line: SourceLine): void {
    this.pasta.line(line);
  }

  skipped(s: Skipped): void {
    this.summary.unparsed++;
    this.count(this.unparsed, s.code, s.message, { source: s.source, line: s.line, excerpt: s.excerpt ?? "" });
  }

  /** A line the framing layer dropped (too long, bad journal entry): counted with its reason. */
  framingSkip(s: Skipped): void {
    this.summary.skippedLines++;
    this.count(this.unparsed, s.code, s.message, { source: s.source, line: s.line, excerpt: s.excerpt ?? "" });
  }

  sourceError(source: string, message: string, code: InputCode = "read-error"): void {
    this.summary.inputErrors++;
    this.errors.push({ source, code, message });
  }

  sourceDone(summary: SourceSummary): void {
    this.inputs.push(summary);
  }

  note(message: string): void {
    this.notes.push(message);
  }

  private count(map: Map<ReasonCode, ReasonCount>, code: ReasonCode, message: string, ex: Example): void {
    let rc = map.get(code);
    if (rc === undefined) map.set(code, (rc = { code, message: detach(message), count: 0, examples: [] }));
    rc.count++;
    if (rc.examples.length < MAX_EXAMPLES) rc.examples.push(message === rc.message ? ex : { ...ex, message: detach(message) });
  }

  /** Close the events still open: call once all input is read. */
  flush(): void {
    this.assembler.flush();
  }

  /**
   * The whole collection as versioned JSON (for --save-state and merge). The signatures of the
   * events seen (for de-duplication across merged states) are included only when asked for.
   */
  state(): AnalysisState {
    this.flush();
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    const kept = [...this.groups.values()]
      .filter((g) => g.count > 0)
      .sort((a, b) => byCount(a, b) || a.profile.localeCompare(b.profile) || a.resource.localeCompare(b.resource));
    const groups = kept.map(({ lastMask: _m, lastRequested: _r, overflow, ...g }) => (overflow === undefined ? g : { ...g, resource: `(${overflow} more distinct resources: more than ${MAX_GROUPS} groups in all)` }));
    const rules = this.rules.state();
    if (this.seenDropped > 0) this.notes.push(`${this.seenDropped} AppArmor record(s) past the first ${MAX_SEEN} are not kept in the saved state: a merge with an overlapping state counts those twice`);
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      modes: [...this.selected],
      summary: { ...this.summary },
      inputs: this.inputs,
      notes: this.notes,
      formats: countsObject(this.formats),
      types: countsObject(this.types),
      appArmorModes: this.modes,
      denials: groups,
      unparsed: [...this.unparsed.values()].sort(byCount),
      warnings: [...this.warnings.values()].sort(byCount),
      errors: this.errors,
      rules,
      pasta: this.pasta.result(),
      timeline: this.timeline.state(),
      seen: this.seen === undefined ? [] : seenRecords(this.seen, kept, rules),
    };
  }

  /**
   * Fold a saved state in, as if its inputs had been read in the same run, after everything read
   * so far. A record this analysis already counted (the same audit.log read on two days, or
   * audit.log and the journal of one host) is taken out of the other state first, using what
   * its `seen` list says it added, so the result is the one-run result.
   */
  merge(state: AnalysisState): void {
    this.flush();
    const other = structuredClone(state);
    const overlap = this.takeOutKnown(other);
    const s = this.summary;
    for (const k of Object.keys(s) as Array<keyof Summary>) s[k] = (s[k] ?? 0) + (other.summary[k] ?? 0);
    this.inputs.push(...other.inputs);
    this.notes.push(...other.notes);
    this.errors.push(...other.errors);
    for (const [k, n] of Object.entries(other.formats)) bump(this.formats, k, n);
    for (const [k, n] of Object.entries(other.types)) this.countType(k, n);
    for (const [k, n] of Object.entries(other.appArmorModes) as Array<[Mode, number]>) this.modes[k] = (this.modes[k] ?? 0) + n;
    const mergedGroups = other.denials.map((g) => this.mergeGroup(g));
    const mergeReasons = (into: Map<ReasonCode, ReasonCount>, from: ReasonCount[]) => {
      for (const rc of from) {
        const mine = into.get(rc.code);
        if (mine === undefined) into.set(rc.code, structuredClone(rc));
        else {
          mine.count += rc.count;
          for (const ex of rc.examples) if (mine.examples.length < MAX_EXAMPLES) mine.examples.push(ex);
        }
      }
    };
    mergeReasons(this.unparsed, other.unparsed);
    mergeReasons(this.warnings, other.warnings);
    this.rules.merge(other.rules);
    this.pasta.merge(other.pasta, overlap.pasta);
    if (other.timeline !== undefined) this.timeline.merge(other.timeline);
    // The other state's records are now this analysis's: remember them, with what they added here.
    for (const [signature, host, mode, filtered, g, r, u, owner] of other.seen) {
      if (overlap.known.has(signature)) continue;
      this.assembler.remember(signature, host);
      if (this.seen === undefined) continue;
      if (this.seen.length >= MAX_SEEN) {
        this.seenDropped++;
        continue;
      }
      const entry = r >= 0 ? this.rules.entryFor(other.rules.entries[r]!) : undefined;
      const unmapped = u >= 0 ? this.rules.unmappedFor(other.rules.unmapped[u]!) : undefined;
      const c: Contribution = { signature, host, mode, filtered: filtered === 1 };
      if (g >= 0 && mergedGroups[g] !== undefined) c.group = mergedGroups[g];
      if (entry !== undefined || unmapped !== undefined) c.rule = { ...(entry ? { entry } : {}), ...(unmapped ? { unmapped } : {}), owner };
      this.seen.push(c);
    }
    if (overlap.count > 0) this.notes.push(`${overlap.count} AppArmor record(s) were in more than one merged state and are counted once`);
  }

  /**
   * Take out of `other` (a private copy) every record this analysis already counted: its counts
   * in the summary, the modes, its denial group, rule entry and unmapped reason. Returns their
   * signatures, and the pasta denials' audit ids and hosts to leave out.
   */
  private takeOutKnown(other: AnalysisState): { count: number; known: Set<number>; pasta: Set<string> } {
    const known = new Set<number>();
    const pasta = new Set<string>();
    const s = other.summary;
    // Never below zero: a state from elsewhere may claim more records than its counts hold.
    const less = (n: number | undefined) => Math.max(0, (n ?? 0) - 1);
    for (const [signature, host, mode, filtered, g, r, u, owner] of other.seen) {
      if (!this.assembler.knows(signature, host)) continue;
      known.add(signature);
      s.duplicates++;
      if (filtered === 1) {
        s.filtered = less(s.filtered);
        continue;
      }
      s.apparmor = less(s.apparmor);
      if (mode === "DENIED" || mode === "KILL") s.denials = less(s.denials);
      other.appArmorModes[mode] = less(other.appArmorModes[mode]);
      const group = other.denials[g];
      if (group !== undefined) {
        group.count = less(group.count);
        group.modes[mode] = less(group.modes[mode]);
      }
      const entry = other.rules.entries[r];
      if (entry !== undefined) {
        entry.count = less(entry.count);
        entry.modes[mode] = less(entry.modes[mode]);
        if (owner === 1) entry.ownerYes = less(entry.ownerYes);
        else if (owner === 0) entry.ownerNo = less(entry.ownerNo);
      }
      const unmapped = other.rules.unmapped[u];
      if (unmapped !== undefined) unmapped.count = less(unmapped.count);
    }
    if (known.size > 0) for (const d of this.pasta.result().denials) if (d.auditId !== null) pasta.add(`${d.auditId}|${d.host ?? ""}|${d.operation}|${d.object}`);
    return { count: known.size, known, pasta };
  }

  /** Fold one denial group of another state in; returns the group it is now part of. */
  private mergeGroup(g: DenialGroup): Group | undefined {
    if (g.count <= 0) return undefined;
    const kind = g.operation + " " + g.class;
    // A state saved before /proc/PID paths were folded keeps them apart: fold them now.
    const resource = groupResource(g.resource);
    const mine = this.groups.get(g.profile, kind, resource);
    if (mine === undefined) {
      const copy = structuredClone(g) as Group;
      copy.resource = resource;
      this.groups.set(g.profile, kind, resource, copy);
      return copy;
    }
    mine.count += g.count;
    for (const p of g.denied) mine.denied = withItem(mine.denied, p, 32);
    for (const p of g.requested) mine.requested = withItem(mine.requested, p, 32);
    for (const p of g.pids) mine.pids = withItem(mine.pids, p, MAX_LIST);
    for (const [m, n] of Object.entries(g.modes) as Array<[Mode, number]>) mine.modes[m] = (mine.modes[m] ?? 0) + n;
    if (g.firstSeen !== null && (mine.firstSeen === null || g.firstSeen < mine.firstSeen)) mine.firstSeen = g.firstSeen;
    if (g.lastSeen !== null && (mine.lastSeen === null || g.lastSeen > mine.lastSeen)) mine.lastSeen = g.lastSeen;
    for (const c of g.comms) mine.comms = withItem(mine.comms, c, MAX_LIST);
    for (const h of g.hosts) mine.hosts = withItem(mine.hosts, h, MAX_LIST);
    // Only the first example carries text.
    mine.examples = withFirst(mine.examples, g.examples.map((ex) => ({ ...ex, excerpt: "" })), MAX_EXAMPLES);
    return mine;
  }
}

/** The contributions as SeenRecords, with indices into the state's lists. */
function seenRecords(seen: Contribution[], groups: Group[], rules: RuleState): SeenRecord[] {
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const entryIndex = new Map(rules.entries.map((e, i) => [e, i]));
  const unmappedIndex = new Map(rules.unmapped.map((u, i) => [u, i]));
  return seen.map((c): SeenRecord => [
    c.signature,
    c.host,
    c.mode,
    c.filtered ? 1 : 0,
    c.group === undefined ? -1 : groupIndex.get(c.group) ?? -1,
    c.rule?.entry === undefined ? -1 : entryIndex.get(c.rule.entry) ?? -1,
    c.rule?.unmapped === undefined ? -1 : unmappedIndex.get(c.rule.unmapped) ?? -1,
    c.rule?.owner ?? -1,
  ]);
}

function newGroup(profile: string, operation: string, cls: string, resource: string): Group {
  return { profile: detach(profile), operation: detach(operation), class: cls, resource: detach(resource), denied: [], requested: [], modes: {}, pids: [], count: 0, firstSeen: null, lastSeen: null, comms: [], hosts: [], examples: [] };
}

const maskCache = new Map<string, string[]>();
function splitMaskCached(mask: string, letters: boolean): string[] {
  const key = letters ? mask : `\0${mask}`;
  let parts = maskCache.get(key);
  if (parts === undefined) {
    if (maskCache.size > 1024) maskCache.clear();
    maskCache.set(key, (parts = splitMask(mask, letters)));
  }
  return parts;
}

/** File masks are letter sets (`"rw"`, old `"r::"`); other classes list words (`"send receive"`). */
export function splitMask(mask: string | undefined, letters: boolean): string[] {
  if (mask === undefined || mask === "") return [];
  if (letters && /^[a-zA-Z:]+$/.test(mask)) return [...new Set(mask.replace(/:/g, ""))];
  return mask.split(/[\s,]+/).filter(Boolean);
}
