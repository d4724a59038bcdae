/**
 * aalens as a library: parse audit / AppArmor log lines, read inputs into records, build and
 * render the analysis report. The CLI (src/cli) is a thin layer over exactly these functions.
 */
export type { AuditRecord, Mode, SourceLine, LineMeta, Skipped } from "./parse/record.js";
export { parseLine, type LineResult } from "./parse/parse-line.js";
export { parseAuditLine } from "../grammars/audit-line.js";
export { mayBeAuditRecord } from "./parse/prefilter.js";
export { appArmorFields, protocolName, type AppArmorFields } from "./parse/apparmor-fields.js";
export { recordTypeName } from "./parse/record-types.js";
export { readRecords, type RecordSink, type ReadRecordsOptions } from "./parse/read-records.js";
export { readInputs, readSystemLogs } from "./input/index.js";
export type { ReadOptions, SourceSummary } from "./input/types.js";
export { resourceOf, type Resource } from "./apparmor/resource.js";
export { classify, type AppArmorKind } from "./apparmor/classify.js";
export { ReportBuilder } from "./report/build-report.js";
export type { AnalyzeReport, DenialGroup, Summary, ReasonCount } from "./report/model.js";
export { renderText } from "./report/text.js";
export { renderJson } from "./report/json.js";
export { safeText } from "./report/sanitize.js";
