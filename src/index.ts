/**
 * aalens as a library: parse audit / AppArmor log lines, read inputs into records and events,
 * turn denials into rules checked against the installed policy, explain pasta incidents, and
 * build and render the report. The CLI (src/cli) is a thin layer over exactly these functions.
 */
export type { AuditRecord, Mode, SourceLine, LineMeta, Skipped } from "./parse/record.js";
export { parseLine, type LineResult } from "./parse/parse-line.js";
export { parseAuditLine } from "../grammars/audit-line.js";
export { mayBeAuditRecord } from "./input/keep-line.js";
export { appArmorFields, protocolName, type AppArmorFields } from "./parse/apparmor-fields.js";
export { recordTypeName } from "./parse/record-types.js";
export { readRecords, type RecordSink, type ReadRecordsOptions } from "./parse/read-records.js";
export { EventAssembler, type AuditEvent, type EventProcess } from "./events/assembler.js";
export { readInputs, readSystemLogs } from "./input/index.js";
export type { ReadOptions, SourceSummary } from "./input/types.js";

export { classify, type AppArmorKind } from "./apparmor/classify.js";
export { resourceOf, type Resource } from "./apparmor/resource.js";
export type { Rule, PolicyVerdict } from "./apparmor/rule-model.js";
export { synthesize } from "./apparmor/rules/synthesize.js";
export { pathPattern } from "./apparmor/rules/paths.js";
export { renderRule } from "./apparmor/rules/render.js";
export { dangerOf } from "./apparmor/rules/danger.js";
export { compileRules } from "./apparmor/validate.js";
export { loadPolicy, checkRule, matchAare, type Policy } from "./apparmor/policy/index.js";

export { pastaOperation, matchMessage, catalogOperations, type CatalogOperation } from "./pasta/catalog.js";
export { isPastaEvent, type Caller } from "./pasta/recognize.js";
export { buildIncidents, type PastaIncident } from "./pasta/incidents.js";
export { diagnose, type PastaDiagnosis } from "./pasta/diagnose.js";

export { Collector, type CollectorOptions } from "./analysis/collector.js";
export { buildReport, type PolicyChecker } from "./report/report.js";
export type { AnalyzeReport, AnalysisState, DenialGroup, SuggestedRule, Summary, ReasonCount } from "./report/model.js";
export type { AnalyzedEvent } from "./analysis/enrich.js";
export { renderText } from "./report/text.js";
export { renderJson } from "./report/json.js";
export { renderApparmor } from "./report/apparmor.js";
export { terminalText, jsonText, csvCell } from "./report/text-safety.js";
