/**
 * Collects records into the analysis as they stream by: counts, events (records of one syscall
 * joined, the same event read twice counted once), denial groups and suggested rules. Memory is
 * bounded by the number of distinct groups and rules, not by the number of lines. The whole
 * collection is a versioned JSON state that can be saved and merged with other runs' states.
 */
import type { AuditRecord, Mode, Skipped, SourceLine } from "../parse/record.js";
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { RecordHeader } from "../parse/record-header.js";
import { appArmorFields } from "../parse/apparmor-fields.js";
import { EventAssembler, type AuditEvent } from "../events/assembler.js";
import { classify, type AppArmorKind } from "../apparmor/classify.js";
import { resourceOf } from "../apparmor/resource.js";
import { RuleAggregator } from "../apparmor/rules/aggregate.js";
import { PastaCollector } from "../pasta/collect.js";
import { detach, excerpt } from "../input/detach.js";
import type { SourceSummary } from "../input/types.js";
import type { ReasonCode } from "../input/reasons.js";
import type { AnalysisState, DenialGroup, Example, ReasonCount, Summary } from "./model.js";
import { STATE_FORMAT, STATE_VERSION, type SeenRecord } from "./model.js";
import { NestedMap } from "./nested-map.js";
import { eventView, type EventView } from "./event-view.js";
import { internalSkip } from "../parse/internal.js";

const MAX_EXAMPLES = 3;
/** The resource key of a profile's overflow group (no real resource is empty). */
const OVERFLOW = "";
const MAX_LIST = 8;
/**
 * Distinct denial groups kept in full. Past this, further new resources of a profile and class
 * are counted in one "(N more distinct …)" group, so memory stays bounded on any input.
 */
export const MAX_GROUPS = 10_000;

/** Which AppArmor modes become denial groups and rules (`--mode`). */
export const DEFAULT_MODES: ReadonlySet<Mode> = new Set<Mode>(["DENIED", "KILL"]);

/** Counts keyed by log text (record types, formats): a Map, never an object's own members. */
function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** Counts as the JSON object the state and report carry (own data properties, `__proto__` too). */
function countsObject(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries(map) as Record<string, number>;
}

function pushCapped<T>(list: T[], item: T, max: number): void {
  if (list.length < max && !list.includes(item)) list.push(item);
}

/** A denial group while it is being built: with the last mask seen (to skip re-splitting). */
type Group = DenialGroup & { lastMask?: string; overflow?: number };

function emptySummary(): Summary {
  return { lines: 0, records: 0, apparmor: 0, denials: 0, duplicates: 0, filtered: 0, unparsed: 0, warnings: 0, skippedLines: 0, inputErrors: 0 };
}

export interface BuilderOptions {
  /** AppArmor modes that become denial groups and rules; default DENIED and KILL. */
  modes?: ReadonlySet<Mode>;
  /** Called for every AppArmor event of the selected modes, in input order (per-event exports). */
  onEvent?: (view: EventView) => void;
  /**
   * false: count and stream events (onEvent) without building denial groups, rules and pasta
   * incidents — for streaming exports, whose memory then stays flat on any input.
   */
  aggregate?: boolean;
  /** Keeps only the AppArmor events it accepts (--since, --profile, --pasta …); the rest are counted as filtered. */
  filter?: (event: AuditEvent, record: AuditRecord, fields: AppArmorFields, kind: AppArmorKind) => boolean;
}

export class ReportBuilder {
  private summary = emptySummary();
  private inputs: SourceSummary[] = [];
  private notes: string[] = [];
  private readonly formats = new Map<string, number>();
  private readonly types = new Map<string, number>();
  private modes: Partial<Record<Mode, number>> = {};
  private errors: Array<{ source: string; message: string }> = [];
  /** profile → "operation class" → resource → group; keys are detached (they outlive the batch). */
  private readonly groups = new NestedMap<Group>();
  private readonly unparsed = new Map<ReasonCode, ReasonCount>();
  private readonly warnings = new Map<ReasonCode, ReasonCount>();
  private readonly rules = new RuleAggregator();
  private readonly pasta = new PastaCollector();
  private readonly assembler: EventAssembler;
  private readonly selected: ReadonlySet<Mode>;
  private readonly onEvent: BuilderOptions["onEvent"];
  private readonly filter: BuilderOptions["filter"];
  private readonly aggregate: boolean;

  constructor(options: BuilderOptions = {}) {
    this.aggregate = options.aggregate ?? true;
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

  /** The counts so far (for a live summary line). */
  counts(): Readonly<Summary> {
    return this.summary;
  }

  /** A non-AppArmor record seen by its header only: counted; parsed later if an event needs it. */
  header(h: RecordHeader, text: string): void {
    this.summary.records++;
    bump(this.formats, h.format);
    bump(this.types, h.type);
    this.assembler.addHeader(h, text);
  }

  record(r: AuditRecord, text = ""): void {
    const s = this.summary;
    s.records++;
    bump(this.formats, r.format);
    bump(this.types, r.type ?? "(none)");
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
        this.eventRecord(e, r, e.lines[i] ?? "");
      } catch (err) {
        this.skipped(internalSkip(r.source, r.line, err, e.lines[i] ?? ""));
      }
    }
  }

  private eventRecord(e: AuditEvent, r: AuditRecord, text: string): void {
    {
      const mode = r.mode!;
      const f = appArmorFields(r);
      const kind = classify(f, mode);
      if (this.filter !== undefined && !this.filter(e, r, f, kind)) {
        this.summary.filtered++;
        return;
      }
      this.summary.apparmor++;
      this.modes[mode] = (this.modes[mode] ?? 0) + 1;
      if (mode === "DENIED" || mode === "KILL") this.summary.denials++;
      if (this.aggregate) this.pasta.event(e, r, f, kind);
      if (!this.selected.has(mode)) return;
      this.onEvent?.(eventView(e, r, f, kind, text));
      if (!this.aggregate) return;
      this.group(r, f, kind, text);
      const input = { profile: f.profile ?? "?", mode, kind, fields: f, time: r.time, host: r.host ?? e.host, source: r.source, line: r.line };
      this.rules.add(e.process.exe === undefined ? input : { ...input, exe: e.process.exe });
    }
  }

  private group(r: AuditRecord, f: ReturnType<typeof appArmorFields>, kind: AppArmorKind, text: string): void {
    const res = resourceOf(f, r.mode, kind);
    const profile = f.profile ?? "?";
    const operation = f.operation ?? "?";
    const what = operation + " " + res.class;
    let g = this.groups.get(profile, what, res.object);
    if (g === undefined && this.groups.size >= MAX_GROUPS) {
      g = this.groups.get(profile, what, OVERFLOW);
      if (g === undefined) {
        g = newGroup(profile, operation, res.class, OVERFLOW);
        this.groups.set(g.profile, detach(what), OVERFLOW, g);
      }
      g.overflow = (g.overflow ?? 0) + 1;
    }
    if (g === undefined) {
      g = newGroup(profile, operation, res.class, res.object);
      this.groups.set(g.profile, detach(what), g.resource, g);
    }
    g.count++;
    const mask = f.denied ?? f.requested;
    if (mask !== undefined && mask !== g.lastMask) {
      g.lastMask = mask;
      for (const p of splitMaskCached(mask, res.class === "file" || res.class === "exec")) pushCapped(g.denied, p, 32);
    }
    if (r.time !== null) {
      if (g.firstSeen === null || r.time < g.firstSeen) g.firstSeen = r.time;
      if (g.lastSeen === null || r.time > g.lastSeen) g.lastSeen = r.time;
    }
    if (f.comm !== undefined && f.comm !== g.comms[g.comms.length - 1]) pushCapped(g.comms, detach(f.comm), MAX_LIST);
    if (r.host !== null && r.host !== g.hosts[g.hosts.length - 1]) pushCapped(g.hosts, detach(r.host), MAX_LIST);
    // Only the first example carries the text: the others say where to look, to keep groups small.
    if (g.examples.length < MAX_EXAMPLES) g.examples.push({ source: r.source, line: r.line, excerpt: g.examples.length === 0 ? excerpt(text) : "" });
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

  sourceError(source: string, message: string): void {
    this.summary.inputErrors++;
    this.errors.push({ source, message });
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
  state(options: { withSeen?: boolean } = {}): AnalysisState {
    this.flush();
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    const groups = [...this.groups.values()]
      .map(({ lastMask: _m, overflow, ...g }) => (overflow === undefined ? g : { ...g, resource: `(${overflow} more distinct resources: more than ${MAX_GROUPS} groups in all)` }))
      .sort((a, b) => byCount(a, b) || a.profile.localeCompare(b.profile) || a.resource.localeCompare(b.resource));
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
      rules: this.rules.state(),
      pasta: this.pasta.result(),
      seen: options.withSeen === true ? [...this.assembler.signatures()].map(([sig, host]): SeenRecord => [sig, host, "DENIED", 0, -1, -1, -1, -1]) : [],
    };
  }

  /** Fold a saved state in, as if its inputs had been read after everything read so far. */
  merge(other: AnalysisState): void {
    this.flush();
    const s = this.summary;
    for (const k of Object.keys(s) as Array<keyof Summary>) s[k] += other.summary[k] ?? 0;
    this.inputs.push(...other.inputs);
    this.notes.push(...other.notes);
    this.errors.push(...other.errors);
    for (const [k, n] of Object.entries(other.formats)) bump(this.formats, k, n);
    for (const [k, n] of Object.entries(other.types)) bump(this.types, k, n);
    for (const [k, n] of Object.entries(other.appArmorModes) as Array<[Mode, number]>) this.modes[k] = (this.modes[k] ?? 0) + n;
    for (const g of other.denials) {
      const kind = g.operation + " " + g.class;
      const mine = this.groups.get(g.profile, kind, g.resource);
      if (mine === undefined) {
        this.groups.set(g.profile, kind, g.resource, structuredClone(g));
        continue;
      }
      mine.count += g.count;
      for (const p of g.denied) pushCapped(mine.denied, p, 32);
      if (g.firstSeen !== null && (mine.firstSeen === null || g.firstSeen < mine.firstSeen)) mine.firstSeen = g.firstSeen;
      if (g.lastSeen !== null && (mine.lastSeen === null || g.lastSeen > mine.lastSeen)) mine.lastSeen = g.lastSeen;
      for (const c of g.comms) pushCapped(mine.comms, c, MAX_LIST);
      for (const h of g.hosts) pushCapped(mine.hosts, h, MAX_LIST);
      for (const ex of g.examples) if (mine.examples.length < MAX_EXAMPLES) mine.examples.push({ ...ex, excerpt: "" }); // only the first carries text
    }
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
    if (other.pasta !== undefined) this.pasta.merge(other.pasta);
    // An event in both states was counted by both: say so (subtracting it exactly would need
    // per-event records in the state). Disjoint inputs — other hosts, other days — merge exactly.
    let overlap = 0;
    for (const [sig, host] of other.seen) if (!this.assembler.remember(sig, host)) overlap++;
    if (overlap > 0) {
      this.summary.duplicates += overlap;
      this.notes.push(`${overlap} AppArmor event(s) appear in more than one merged state and are counted in each`);
    }
  }
}

function newGroup(profile: string, operation: string, cls: string, resource: string): Group {
  return { profile: detach(profile), operation: detach(operation), class: cls, resource: detach(resource), denied: [], count: 0, firstSeen: null, lastSeen: null, comms: [], hosts: [], examples: [] };
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
