/**
 * One AppArmor record of an event → the AnalyzedEvent every later stage reads: filters, denial
 * groups, rule aggregation, the pasta collector and the per-event exports (CSV rows, ECS
 * documents, watch lines). Everything is worked out here once — the AppArmor fields, the class,
 * the resource, the rule synthesis, pasta's step and caller — and never again downstream.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import { appArmorFields } from "../parse/apparmor-fields.js";
import type { AuditEvent } from "../events/assembler.js";
import type { AuditRecord, Mode } from "../parse/record.js";
import { classify, type AppArmorKind } from "../apparmor/classify.js";
import { resourceOf } from "../apparmor/resource.js";
import { synthesize, type Synthesis } from "../apparmor/rules/synthesize.js";
import { renderRule } from "../apparmor/rules/render.js";
import { pastaOperation } from "../pasta/catalog.js";
import { callerOf, isPastaEvent, type Caller } from "../pasta/recognize.js";

export interface AnalyzedEvent {
  event: AuditEvent;
  record: AuditRecord;
  /** The line the record came from. */
  text: string;
  mode: Mode;
  fields: AppArmorFields;
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
}

/** The one enrichment of an AppArmor record (its `mode` is set: see EventAssembler). */
export function enrich(event: AuditEvent, record: AuditRecord, text: string): AnalyzedEvent {
  const mode = record.mode!;
  const fields = appArmorFields(record);
  const kind = classify(fields, mode);
  const res = resourceOf(fields, mode, kind);
  const isPasta = isPastaEvent(fields, kind, event.process);
  let synthesis: Synthesis | undefined;
  let rendered: string | null | undefined;
  return {
    event,
    record,
    text,
    mode,
    fields,
    kind,
    profile: fields.profile ?? "?",
    resource: res.object,
    resourceClass: res.class,
    get synthesis() {
      return (synthesis ??= synthesize(fields, kind, mode));
    },
    isPasta,
    pastaStep: isPasta ? pastaOperation(fields, kind)?.id ?? null : null,
    caller: isPasta ? callerOf(fields.name ?? "") ?? callerOf(event.process.cmdline ?? "") : null,
    get rule() {
      if (rendered === undefined) {
        const c = this.synthesis.candidate;
        rendered = c === undefined ? null : renderRule(c.rule);
      }
      return rendered;
    },
  };
}
