/**
 * One AppArmor record of an event → the AnalyzedEvent every later stage reads: filters, denial
 * groups, rule aggregation, the pasta collector and the per-event exports (CSV rows, ECS
 * documents, watch lines). Everything is worked out here once — the AppArmor fields, the class,
 * the resource, the rule synthesis, pasta's step and caller — and never again downstream.
 *
 * A repeat of a record already seen (parse/memo.ts: same body, new stamp and pid) shares the
 * first one's analysis: only its pid and what its event's process says are its own.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import { appArmorFields } from "../parse/apparmor-fields.js";
import type { AuditEvent } from "../events/assembler.js";
import type { AuditRecord, Mode } from "../parse/record.js";
import { templateOf } from "../parse/memo.js";
import { classify, type AppArmorKind } from "../apparmor/classify.js";
import { resourceOf } from "../apparmor/resource.js";
import { synthesize, type Synthesis } from "../apparmor/rules/synthesize.js";
import { renderRule } from "../apparmor/rules/render.js";
import { compilableRule } from "../apparmor/rules/unix-peer.js";
import { pastaOperation } from "../pasta/catalog.js";
import { callerOf, isPastaEvent, type Caller } from "../pasta/recognize.js";
import { isPastaProfile, upstreamSynthesis } from "../pasta/upstream-rules.js";

export interface AnalyzedEvent {
  event: AuditEvent;
  record: AuditRecord;
  /** The line the record came from. */
  text: string;
  mode: Mode;
  /** The record's AppArmor fields (made on first use for a repeat: they differ from its body's by the pid). */
  readonly fields: AppArmorFields;
  /**
   * The fields every repeat of this body shares: all but `pid` are this event's (read these, and
   * `pid`, on the per-event path: `fields` of a repeat is a copy).
   */
  readonly bodyFields: AppArmorFields;
  /** The record's pid (its own, not its body's first). */
  readonly pid: number | undefined;
  kind: AppArmorKind;
  /** The profile that refused (or logged) the access; "?" when the record names none. */
  profile: string;
  /** What was denied, in one line (as in the denials table), and its class there. */
  resource: string;
  resourceClass: AppArmorKind;
  /** The rule that would allow it, or why there is none (worked out on first use). */
  readonly synthesis: Synthesis;
  /** Whether pasta is involved, its catalog step and who started it. */
  isPasta: boolean;
  pastaStep: string | null;
  caller: Caller | null;
  /** The rule as text, or null (rendered on first use: most events never need it). */
  readonly rule: string | null;
  /**
   * The same object for every repeat of one body: a key for per-body caches downstream of what
   * the body alone decides (not the rule: a pasta event's may differ, see `synthesis`).
   */
  readonly body: object;
  /**
   * Whether `body` is shared with other events (a memo template's). Per-body caches downstream
   * keep an entry only then: a body seen once would leave a WeakMap entry per event.
   */
  readonly shared: boolean;
}

/** What a record's body alone decides (shared by its repeats). */
class BodyAnalysis {
  private synthesisMemo: Synthesis | undefined;
  private ruleMemo: string | null | undefined;
  readonly kind: AppArmorKind;
  readonly resource: string;
  readonly resourceClass: AppArmorKind;
  private stepMemo: string | null | undefined;
  private pastaSynthesisMemo: Synthesis | undefined;
  private pastaRuleMemo: string | null | undefined;

  constructor(
    readonly fields: AppArmorFields,
    readonly mode: Mode,
    readonly shared: boolean,
  ) {
    this.kind = classify(fields, mode);
    const res = resourceOf(fields, mode, this.kind);
    this.resource = res.object;
    this.resourceClass = res.class;
  }

  get synthesis(): Synthesis {
    return (this.synthesisMemo ??= synthesize(this.fields, this.kind, this.mode));
  }

  get rule(): string | null {
    if (this.ruleMemo === undefined) {
      const c = this.synthesis.candidate;
      // One event's rule, as exports print it: valid to apparmor_parser (unix-peer.ts), as the aggregate's is.
      this.ruleMemo = c === undefined ? null : renderRule(compilableRule(c.rule));
    }
    return this.ruleMemo;
  }

  get pastaStep(): string | null {
    if (this.stepMemo === undefined) this.stepMemo = pastaOperation(this.fields, this.kind)?.id ?? null;
    return this.stepMemo;
  }

  /** When the record is pasta's: upstream's rule for its step where one covers it (pasta/upstream-rules.ts). */
  get pastaSynthesis(): Synthesis {
    return (this.pastaSynthesisMemo ??= upstreamSynthesis(this.synthesis, this.pastaStep));
  }

  get pastaRule(): string | null {
    if (this.pastaRuleMemo === undefined) {
      const c = this.pastaSynthesis.candidate;
      this.pastaRuleMemo = c === undefined ? null : renderRule(compilableRule(c.rule));
    }
    return this.pastaRuleMemo;
  }
}

class Enriched implements AnalyzedEvent {
  readonly mode: Mode;
  readonly pid: number | undefined;
  readonly isPasta: boolean;
  private fieldsMemo: AppArmorFields | undefined;

  constructor(
    readonly event: AuditEvent,
    readonly record: AuditRecord,
    readonly text: string,
    readonly body: BodyAnalysis,
    pid: number | undefined,
  ) {
    this.mode = body.mode;
    this.pid = pid ?? body.fields.pid;
    this.isPasta = isPastaEvent(body.fields, body.kind, event.process);
  }

  get bodyFields(): AppArmorFields {
    return this.body.fields;
  }
  get shared(): boolean {
    return this.body.shared;
  }
  /** The shared fields with this record's own pid (the one thing a repeat changes that they hold). */
  get fields(): AppArmorFields {
    const common = this.body.fields;
    return (this.fieldsMemo ??= common.pid === this.pid ? common : { ...common, pid: this.pid });
  }

  get kind(): AppArmorKind {
    return this.body.kind;
  }
  get profile(): string {
    return this.body.fields.profile ?? "?";
  }
  get resource(): string {
    return this.body.resource;
  }
  get resourceClass(): AppArmorKind {
    return this.body.resourceClass;
  }
  /** pasta's own profiles (pasta, passt, libvirt's `…//passt`) take upstream's rule where one covers the denial. */
  private get upstreamApplies(): boolean {
    return this.isPasta && isPastaProfile(this.body.fields.profile);
  }
  get synthesis(): Synthesis {
    return this.upstreamApplies ? this.body.pastaSynthesis : this.body.synthesis;
  }
  get rule(): string | null {
    return this.upstreamApplies ? this.body.pastaRule : this.body.rule;
  }
  get pastaStep(): string | null {
    return this.isPasta ? this.body.pastaStep : null;
  }
  get caller(): Caller | null {
    return this.isPasta ? callerOf(this.body.fields.name ?? "") ?? callerOf(this.event.process.cmdline ?? "") : null;
  }
}

/** Each template's body analysis, per mode (the memo's templates are shared by all repeats). */
const bodies = new WeakMap<object, BodyAnalysis>();

function pidOf(record: AuditRecord): number | undefined {
  const raw = record.msg?.pid ?? record.fields.pid;
  const n = Number(raw);
  return raw !== undefined && raw !== "" && Number.isSafeInteger(n) ? n : undefined;
}

/** The one enrichment of an AppArmor record (its `mode` is set: see EventAssembler). */
export function enrich(event: AuditEvent, record: AuditRecord, text: string): AnalyzedEvent {
  const mode = record.mode!;
  const template = templateOf(record);
  let body = template === undefined ? undefined : bodies.get(template);
  if (body === undefined || body.mode !== mode) {
    body = new BodyAnalysis(appArmorFields(record), mode, template !== undefined);
    if (template !== undefined) bodies.set(template, body);
    return new Enriched(event, record, text, body, body.fields.pid);
  }
  return new Enriched(event, record, text, body, pidOf(record));
}
