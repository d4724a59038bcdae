/**
 * Collects records into the report model as they stream by. Memory is bounded by the number of
 * distinct denial groups and reasons, not by the number of lines: examples and comms are capped.
 */
import type { AuditRecord, Skipped } from "../parse/record.js";
import type { RecordHeader } from "../parse/record-header.js";
import { appArmorFields } from "../parse/apparmor-fields.js";
import { resourceOf } from "../apparmor/resource.js";
import { excerpt } from "../parse/detach.js";
import { detach } from "../parse/detach.js";
import type { SourceSummary } from "../input/types.js";
import { REPORT_VERSION, type AnalyzeReport, type DenialGroup, type Example, type ReasonCount } from "./model.js";

const MAX_EXAMPLES = 3;
const MAX_LIST = 8;
/**
 * Distinct denial groups kept in full. Past this, further new resources of a profile and class
 * are counted in one "(N more distinct …)" group, so memory stays bounded on any input.
 */
export const MAX_GROUPS = 10_000;

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function pushCapped<T>(list: T[], item: T, max: number): void {
  if (list.length < max && !list.includes(item)) list.push(item);
}

/** A denial group while it is being built: with the last mask seen (to skip re-splitting). */
type Group = DenialGroup & { lastMask?: string; overflow?: number };

export class ReportBuilder {
  private readonly report: AnalyzeReport = {
    version: REPORT_VERSION,
    summary: { lines: 0, records: 0, apparmor: 0, denials: 0, unparsed: 0, warnings: 0, skippedLines: 0, inputErrors: 0 },
    inputs: [],
    notes: [],
    formats: {},
    types: {},
    modes: {},
    denials: [],
    unparsed: [],
    warnings: [],
    errors: [],
  };
  private readonly groups = new Map<string, Group>();
  private readonly unparsed = new Map<string, ReasonCount>();
  private readonly warnings = new Map<string, ReasonCount>();

  line(): void {
    this.report.summary.lines++;
  }

  /** A non-AppArmor record seen by its header only: counted, not analysed. */
  header(h: RecordHeader): void {
    this.report.summary.records++;
    bump(this.report.formats, h.format);
    bump(this.report.types, h.type);
  }

  record(r: AuditRecord, text?: string): void {
    const s = this.report.summary;
    s.records++;
    bump(this.report.formats, r.format);
    bump(this.report.types, r.type ?? "(none)");
    if (r.warnings !== undefined) {
      s.warnings++;
      for (const w of r.warnings) this.count(this.warnings, w, { source: r.source, line: r.line, excerpt: excerpt(text ?? "") });
    }
    if (r.mode === null) return;
    s.apparmor++;
    this.report.modes[r.mode] = (this.report.modes[r.mode] ?? 0) + 1;
    if (r.mode !== "DENIED" && r.mode !== "KILL") return;
    s.denials++;
    this.denial(r, text);
  }

  private denial(r: AuditRecord, text: string | undefined): void {
    const f = appArmorFields(r);
    const res = resourceOf(f);
    const profile = f.profile ?? "?";
    const operation = f.operation ?? "?";
    const key = `${profile}\0${operation}\0${res.class}\0${res.object}`;
    let g = this.groups.get(key);
    if (g === undefined && this.groups.size >= MAX_GROUPS) {
      const overflowKey = `${profile}\0${operation}\0${res.class}\0\0overflow`;
      g = this.groups.get(overflowKey);
      if (g === undefined) {
        g = this.newGroup(profile, operation, res.class, "");
        this.groups.set(detach(overflowKey), g);
      }
      g.overflow = (g.overflow ?? 0) + 1;
      g.resource = `(${g.overflow} more distinct resources: more than ${MAX_GROUPS} groups in all)`;
    }
    if (g === undefined) {
      g = this.newGroup(profile, operation, res.class, res.object);
      this.groups.set(detach(key), g); // a key built from slices would pin the input chunks
    }
    g.count++;
    const mask = f.denied ?? f.requested;
    if (mask !== undefined && mask !== g.lastMask) {
      g.lastMask = mask;
      for (const p of splitMaskCached(mask, res.class === "file")) pushCapped(g.denied, p, 32);
    }
    if (r.time !== null) {
      if (g.firstSeen === null || r.time < g.firstSeen) g.firstSeen = r.time;
      if (g.lastSeen === null || r.time > g.lastSeen) g.lastSeen = r.time;
    }
    if (f.comm !== undefined && f.comm !== g.comms[g.comms.length - 1]) pushCapped(g.comms, detach(f.comm), MAX_LIST);
    if (r.host !== null && r.host !== g.hosts[g.hosts.length - 1]) pushCapped(g.hosts, detach(r.host), MAX_LIST);
    // Only the first example carries the text: the others say where to look, to keep groups small.
    if (g.examples.length < MAX_EXAMPLES) g.examples.push({ source: r.source, line: r.line, excerpt: g.examples.length === 0 ? excerpt(text ?? "") : "" });
  }

  private newGroup(profile: string, operation: string, cls: string, resource: string): Group {
    return { profile: detach(profile), operation: detach(operation), class: cls, resource: detach(resource), denied: [], count: 0, firstSeen: null, lastSeen: null, comms: [], hosts: [], examples: [] };
  }

  skipped(s: Skipped): void {
    this.report.summary.unparsed++;
    this.count(this.unparsed, s.reason, { source: s.source, line: s.line, excerpt: s.excerpt ?? "" });
  }

  /** A line the framing layer dropped (too long, bad journal entry): counted with its reason. */
  framingSkip(s: Skipped): void {
    this.report.summary.skippedLines++;
    this.count(this.unparsed, s.reason, { source: s.source, line: s.line, excerpt: s.excerpt ?? "" });
  }

  sourceError(source: string, message: string): void {
    this.report.summary.inputErrors++;
    this.report.errors.push({ source, message });
  }

  sourceDone(summary: SourceSummary): void {
    this.report.inputs.push(summary);
  }

  note(message: string): void {
    this.report.notes.push(message);
  }

  private count(map: Map<string, ReasonCount>, reason: string, ex: Example): void {
    let rc = map.get(reason);
    if (rc === undefined) map.set((reason = detach(reason)), (rc = { reason, count: 0, examples: [] }));
    rc.count++;
    if (rc.examples.length < MAX_EXAMPLES) rc.examples.push(ex);
  }

  finish(): AnalyzeReport {
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    this.report.denials = [...this.groups.values()].map(({ lastMask: _m, overflow: _o, ...g }) => g).sort((a, b) => byCount(a, b) || a.profile.localeCompare(b.profile) || a.resource.localeCompare(b.resource));
    this.report.unparsed = [...this.unparsed.values()].sort(byCount);
    this.report.warnings = [...this.warnings.values()].sort(byCount);
    return this.report;
  }
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
