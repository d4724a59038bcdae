/**
 * One AppArmor event as the per-event exports see it (CSV rows, ECS documents): the record, its
 * AppArmor fields and class, the process, the pasta step and caller when pasta is involved, and
 * the rule that would allow it. Built once per event by ReportBuilder when an exporter asks.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { AuditEvent } from "../events/assembler.js";
import type { AuditRecord } from "../parse/record.js";
import type { AppArmorKind } from "../apparmor/classify.js";
import { resourceOf } from "../apparmor/resource.js";
import { synthesize } from "../apparmor/rules/synthesize.js";
import { renderRule } from "../apparmor/rules/render.js";
import { pastaOperation } from "../pasta/catalog.js";
import { callerOf, isPastaEvent, type Caller } from "../pasta/recognize.js";

export interface EventView {
  event: AuditEvent;
  record: AuditRecord;
  fields: AppArmorFields;
  kind: AppArmorKind;
  /** What was denied, in one line (as in the denials table). */
  resource: string;
  /** The line the record came from. */
  text: string;
  /** pasta's catalog step, when this is a pasta event the catalog knows. */
  pastaStep: string | null;
  /** Who started pasta, when this event says so. */
  caller: Caller | null;
  /** The rule that would allow this event, or null. */
  rule: string | null;
}

export function eventView(event: AuditEvent, record: AuditRecord, fields: AppArmorFields, kind: AppArmorKind, text: string): EventView {
  const pasta = isPastaEvent(fields, kind, event.process);
  const s = synthesize(fields, kind, record.mode ?? "DENIED");
  return {
    event,
    record,
    fields,
    kind,
    resource: resourceOf(fields, record.mode, kind).object,
    text,
    pastaStep: pasta ? pastaOperation(fields, kind)?.id ?? null : null,
    caller: pasta ? callerOf(fields.name ?? "") ?? callerOf(event.process.cmdline ?? "") : null,
    rule: s.candidate === undefined ? null : renderRule(s.candidate.rule),
  };
}
