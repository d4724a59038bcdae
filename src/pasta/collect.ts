/**
 * What the pasta analysis keeps while logs stream by: pasta's AppArmor events (one compact
 * object each, with the catalog step and the rule that would allow it) and the error lines
 * pasta, Podman or Buildah printed. Plain JSON, capped, merged by concatenation in input order.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { AuditEvent } from "../events/assembler.js";
import type { AuditRecord, Mode, SourceLine } from "../parse/record.js";
import type { AppArmorKind } from "../apparmor/classify.js";
import type { Synthesis } from "../apparmor/rules/synthesize.js";
import type { Rule } from "../apparmor/rule-model.js";
import { detach, excerpt } from "../input/detach.js";
import { matchMessage } from "./catalog.js";
import { renderRule } from "../apparmor/rules/render.js";

export interface PastaDenial {
  time: string | null;
  host: string | null;
  auditId: string | null;
  mode: Mode;
  profile: string;
  comm: string | null;
  pid: number | null;
  ppid: number | null;
  exe: string | null;
  cmdline: string | null;
  /** AppArmor operation and class of rule. */
  operation: string;
  kind: AppArmorKind;
  /** The denied object: a path, capability, signal … */
  object: string;
  mask: string | null;
  peer: string | null;
  target: string | null;
  /** Catalog operation id (netns-open, tun-open …), null when the catalog has none. */
  step: string | null;
  /** The rule that would allow it, rendered, or null. */
  rule: string | null;
  /** The same rule, typed (for the installed-policy check). */
  typedRule: Rule | null;
  source: string;
  line: number;
}

export interface PastaMessage {
  time: string | null;
  host: string | null;
  /** journald SYSLOG_IDENTIFIER (podman, buildah, pasta …) when known. */
  identifier: string | null;
  step: string;
  /** The normalised line that matched, e.g. "Couldn't open network namespace …: Permission denied". */
  text: string;
  path: string | null;
  error: string | null;
  source: string;
  line: number;
}

export interface PastaState {
  denials: PastaDenial[];
  messages: PastaMessage[];
  /** Denials and messages not kept past the caps, counted. */
  dropped: number;
}

const MAX_DENIALS = 20_000;
const MAX_MESSAGES = 2_000;

function objectOf(f: AppArmorFields, kind: AppArmorKind): string {
  switch (kind) {
    case "capability":
      return f.capname ?? f.name ?? "?";
    case "signal":
      return f.signal ?? "?";
    case "ptrace":
      return f.peer ?? "?";
    case "network":
    case "unix":
      return [f.family, f.sockType].filter(Boolean).join(" ");
    default:
      return f.name ?? f.operation ?? "?";
  }
}

/** What the collector needs of one of pasta's AppArmor records, worked out once upstream (analysis/enrich.ts). */
export interface PastaEventInput {
  event: AuditEvent;
  record: AuditRecord;
  fields: AppArmorFields;
  kind: AppArmorKind;
  pastaStep: string | null;
  synthesis: Synthesis;
  rule: string | null;
}

function ownedRule(input: PastaEventInput): string | null {
  const c = input.synthesis.candidate;
  if (c === undefined || c.rule.kind !== "file" || c.ownerOk !== true || c.rule.owner) return input.rule;
  return renderRule({ ...c.rule, owner: true });
}

export class PastaCollector {
  private readonly state: PastaState = { denials: [], messages: [], dropped: 0 };

  /** One of pasta's AppArmor records (any mode). */
  event(input: PastaEventInput): void {
    if (this.state.denials.length >= MAX_DENIALS) {
      this.state.dropped++;
      return;
    }
    const { event: e, record: r, fields: f, kind } = input;
    const p = e.process;
    // A fresh JSON copy: the fields are slices of input lines (see detach.ts).
    // Strings are detached: they are slices of input lines (see detach.ts). The typed rule is
    // shared by every repeat of one body and never changed, so it is kept as it is.
    const keep = (v: string | null | undefined): string | null => (v === undefined || v === null ? null : detach(v));
    this.state.denials.push({
      time: r.time, host: keep(r.host ?? e.host), auditId: r.auditId, mode: r.mode!, profile: keep(f.profile ?? "?")!,
      comm: keep(f.comm ?? p.comm), pid: f.pid ?? p.pid ?? null, ppid: p.ppid ?? null, exe: keep(p.exe),
      cmdline: keep(p.cmdline), operation: keep(f.operation ?? "?")!, kind, object: keep(objectOf(f, kind))!,
      mask: keep(f.denied ?? f.requested), peer: keep(f.peer ?? f.peerProfile), target: keep(f.target),
      // The rule as "Suggested rules" prints it for this event alone: `owner` when the event allows it.
      step: input.pastaStep, rule: ownedRule(input),
      typedRule: input.synthesis.candidate?.rule ?? null, source: r.source, line: r.line,
    } satisfies PastaDenial);
  }

  /** A line that is not an audit record: kept when it is an error pasta (or its caller) printed. */
  line(src: SourceLine): void {
    if (!/pasta|passt|network namespace|netns/i.test(src.text)) return;
    const m = matchMessage(src.text);
    if (m === null) return;
    if (this.state.messages.length >= MAX_MESSAGES) {
      this.state.dropped++;
      return;
    }
    const usec = src.meta?.sourceRealtimeUsec ?? src.meta?.realtimeUsec;
    this.state.messages.push({
      time: usec === undefined ? null : new Date(Math.floor(usec / 1000)).toISOString(),
      host: src.meta?.host ?? null,
      identifier: src.meta?.identifier ?? null,
      step: m.operation.id,
      text: excerpt(m.line, 300),
      path: m.groups.path ?? null,
      error: m.groups.error ?? null,
      source: src.source,
      line: src.line,
    });
  }

  /** Fold another state's pasta evidence in; `known` holds denials already here (`auditId|host|operation|object`). */
  merge(other: PastaState, known: ReadonlySet<string> = new Set()): void {
    for (const d of other.denials) {
      if (d.auditId !== null && known.has(`${d.auditId}|${d.host ?? ""}|${d.operation}|${d.object}`)) continue;
      if (this.state.denials.length < MAX_DENIALS) this.state.denials.push(d);
    }
    for (const m of other.messages) if (this.state.messages.length < MAX_MESSAGES) this.state.messages.push(m);
    this.state.dropped += other.dropped;
  }

  result(): PastaState {
    return this.state;
  }
}
