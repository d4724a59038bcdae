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
import { PASTA_IDENTIFIERS, PASTA_MESSAGE_CUES } from "../input/keep-line.js";
import { callerOf } from "./recognize.js";
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
  /**
   * Who ran pasta, from the line or the wrapper line just before it: `buildah RUN step "RUN …"`,
   * `podman run`, `rootless-netns teardown` …; null when nothing says (absent in states saved
   * before aalens read it).
   */
  caller?: string | null;
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


const CALLER_WORDS: Partial<Record<string, string>> = {
  "podman-container": "podman run (a container's own network namespace)",
  "podman-rootless-netns": "podman rootless-netns (bridge network)",
  "buildah-run": "buildah RUN / podman build (/proc/PID/ns/net)",
  rootlesskit: "rootlesskit",
};

const GENERIC_CALLER = "podman or buildah (pasta failed with exit code …)";

/** The caller a line names itself (Podman's and Buildah's wrappers around pasta's error). */
function callerInLine(text: string): string | null {
  const step = /building at STEP "([^"]{1,160})"/.exec(text);
  if (step !== null) return `buildah RUN step "${step[1]}"`;
  if (/rootless netns: kill network process/.test(text)) return "rootless-netns teardown (podman)";
  if (/rootless netns|rootless-netns/.test(text)) return "podman rootless-netns (bridge network)";
  if (/\bpodman (?:run|start|create)\b/.test(text)) return "podman run";
  if (/setup network: pasta failed|pasta failed with exit code/.test(text)) return GENERIC_CALLER;
  return null;
}

function callerOfIdentifier(id: string): string | null {
  if (id === "podman" || id === "buildah" || id === "rootlesskit" || id === "libvirtd" || id === "virtqemud") return id;
  return null;
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

  /** The last wrapper line seen ("Error: building at STEP …: pasta failed with exit code 1:"), by source. */
  private wrapper: { source: string; line: number; caller: string } | undefined;

  /** A line that is not an audit record: kept when it is an error pasta (or its caller) printed. */
  line(src: SourceLine): void {
    const id = src.meta?.identifier;
    if (!(id !== undefined && PASTA_IDENTIFIERS.has(id)) && !PASTA_MESSAGE_CUES.some((cue) => src.text.includes(cue))) return;
    const own = callerInLine(src.text);
    const w0 = this.wrapper;
    // A generic wrapper ("pasta failed with exit code 1") does not replace the command just before it.
    const recent = w0 !== undefined && w0.source === src.source && src.line - w0.line <= 3;
    if (own !== null && !(own === GENERIC_CALLER && recent)) this.wrapper = { source: src.source, line: src.line, caller: own };
    const m = matchMessage(src.text);
    if (m === null) return;
    // A wrapper line names the caller of the message on the next few lines of the same paste.
    const w = this.wrapper;
    const near = w !== undefined && w.source === src.source && src.line - w.line <= 3 ? w.caller : null;
    const specific = (own === GENERIC_CALLER ? null : own) ?? (near === GENERIC_CALLER ? null : near);
    // The path pasta names tells its caller too (a per-container netns is podman run's).
    const byPath = m.groups.path === undefined ? null : CALLER_WORDS[callerOf(m.groups.path) ?? "unknown"] ?? null;
    const caller = specific ?? byPath ?? near ?? own ?? (id === undefined ? null : callerOfIdentifier(id));
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
      caller: caller === null ? null : excerpt(caller, 200),
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
