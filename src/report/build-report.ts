/**
 * Collects records into the report model as they stream by. Memory is bounded by the number of
 * distinct denial groups and reasons, not by the number of lines: examples and comms are capped.
 */
import type { AuditRecord, Skipped } from "../parse/record.js";
import { appArmorFields } from "../parse/apparmor-fields.js";
import { resourceOf } from "../apparmor/resource.js";
import { excerpt } from "../parse/parse-line.js";
import type { SourceSummary } from "../input/types.js";
import { REPORT_VERSION, type AnalyzeReport, type DenialGroup, type Example, type ReasonCount } from "./model.js";

const MAX_EXAMPLES = 3;
const MAX_LIST = 8;

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function pushCapped<T>(list: T[], item: T, max: number): void {
  if (list.length < max && !list.includes(item)) list.push(item);
}

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
  private readonly groups = new Map<string, DenialGroup>();
  private readonly unparsed = new Map<string, ReasonCount>();
  private readonly warnings = new Map<string, ReasonCount>();

  line(): void {
    this.report.summary.lines++;
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
    if (g === undefined) {
      g = { profile, operation, class: res.class, resource: res.object, denied: [], count: 0, firstSeen: null, lastSeen: null, comms: [], hosts: [], examples: [] };
      this.groups.set(key, g);
    }
    g.count++;
    for (const p of splitMask(f.denied ?? f.requested, res.class === "file")) pushCapped(g.denied, p, 32);
    if (r.time !== null) {
      if (g.firstSeen === null || r.time < g.firstSeen) g.firstSeen = r.time;
      if (g.lastSeen === null || r.time > g.lastSeen) g.lastSeen = r.time;
    }
    if (f.comm !== undefined) pushCapped(g.comms, f.comm, MAX_LIST);
    if (r.host !== null) pushCapped(g.hosts, r.host, MAX_LIST);
    if (g.examples.length < MAX_EXAMPLES) g.examples.push({ source: r.source, line: r.line, excerpt: excerpt(text ?? "") });
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
    if (rc === undefined) map.set(reason, (rc = { reason, count: 0, examples: [] }));
    rc.count++;
    if (rc.examples.length < MAX_EXAMPLES) rc.examples.push(ex);
  }

  finish(): AnalyzeReport {
    const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count;
    this.report.denials = [...this.groups.values()].sort((a, b) => byCount(a, b) || a.profile.localeCompare(b.profile) || a.resource.localeCompare(b.resource));
    this.report.unparsed = [...this.unparsed.values()].sort(byCount);
    this.report.warnings = [...this.warnings.values()].sort(byCount);
    return this.report;
  }
}

/** File masks are letter sets (`"rw"`, old `"r::"`); other classes list words (`"send receive"`). */
export function splitMask(mask: string | undefined, letters: boolean): string[] {
  if (mask === undefined || mask === "") return [];
  if (letters && /^[a-zA-Z:]+$/.test(mask)) return [...new Set(mask.replace(/:/g, ""))];
  return mask.split(/[\s,]+/).filter(Boolean);
}
