/**
 * What analyze, rules and the commands after them share: read the inputs into an analysis state,
 * with the run options every one of them takes (--mode, --max-line-length, --quiet).
 */
import { readRecords } from "../parse/read-records.js";
import type { Mode } from "../parse/record.js";
import { ReportBuilder } from "../report/build-report.js";
import type { AnalysisState } from "../report/model.js";
import { terminalText } from "../report/text-safety.js";
import { intOption, UsageError, type Options } from "./args.js";
import { Output } from "./output.js";
import { policyChecker, policyNotes } from "./policy.js";
import { saveState } from "./state-file.js";
import { buildReport } from "../report/report.js";
import { renderJson } from "../report/json.js";
import { renderText } from "../report/text.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderCsvAggregate } from "../report/csv.js";
import type { EventView } from "../report/event-view.js";
import type { Skipped } from "../parse/record.js";
import { eventFilter, FILTER_OPTIONS } from "./filters.js";
import { Progress } from "./progress.js";

/** Colour only on a terminal, and never with NO_COLOR or --no-color (or -o FILE). */
export function useColor(values: Record<string, unknown>): boolean {
  return process.stdout.isTTY === true && values["no-color"] !== true && values.output === undefined && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

/** Options of every command that reads logs into an analysis. */
export const ANALYSIS_OPTIONS: Options = {
  mode: { type: "string", default: "denied" },
  "profile-dir": { type: "string" },
  "no-policy": { type: "boolean" },
  "fail-on-denials": { type: "boolean" },
  "no-color": { type: "boolean" },
  ...FILTER_OPTIONS,
};

const MODE_SETS: Record<string, Mode[]> = {
  denied: ["DENIED", "KILL"],
  allowed: ["ALLOWED"],
  audit: ["AUDIT"],
  // Status, hint and error records are exported (CSV, ECS) but give no denial group or rule.
  all: ["DENIED", "KILL", "ALLOWED", "AUDIT", "STATUS", "HINT", "ERROR"],
};

/** `--mode denied,allowed` → the AppArmor modes to turn into rules. */
export function modesOption(value: unknown): Set<Mode> {
  const modes = new Set<Mode>();
  for (const word of String(value ?? "denied").split(",")) {
    const set = MODE_SETS[word.trim().toLowerCase()];
    if (set === undefined) throw new UsageError(`unknown --mode "${word}" (use denied, allowed, audit or all)`);
    for (const m of set) modes.add(m);
  }
  return modes;
}

/** Read the inputs into an analysis state, with hooks for streaming exports. */
export interface CollectHooks {
  /** Keep the event signatures a saved state needs. */
  withSeen?: boolean;
  /** Every kept AppArmor event, as it streams by (per-event exports). */
  onEvent?: (view: EventView) => void;
  /** Every line that looked like a record but was not readable as one. */
  onUnparsed?: (skipped: Skipped) => void;
  /** Awaited after each batch: where a streaming export applies backpressure. */
  afterBatch?: () => Promise<void> | void;
  /** false: no denial groups, rules or pasta incidents (a streaming export that saves no state). */
  aggregate?: boolean;
}

export async function collectState(inputs: string[], values: Record<string, unknown>, hooks: CollectHooks = {}): Promise<AnalysisState> {
  const { withSeen = false, onEvent, onUnparsed, afterBatch, aggregate = true } = hooks;
  const maxLineLength = intOption(values["max-line-length"], "max-line-length", 65536);
  const filter = eventFilter(values);
  const builder = new ReportBuilder({ modes: modesOption(values.mode), aggregate, keepSeen: withSeen, ...(filter ? { filter } : {}), ...(onEvent ? { onEvent } : {}) });
  const progress = Progress.for(inputs, values.quiet === true);
  await readRecords(
    inputs,
    {
      record: (r, text) => builder.record(r, text),
      header: (h, text) => builder.header(h, text),
      unparsed: onUnparsed === undefined ? (s) => builder.skipped(s) : (s) => (builder.skipped(s), onUnparsed(s)),
      ...(afterBatch === undefined ? {} : { afterBatch }),
      other: (line) => builder.other(line),
      framingSkip: (s) => builder.framingSkip(s),
      line: progress === undefined ? () => builder.line() : () => (builder.line(), progress.onLine()),
      sourceError: (source, message, code) => {
        builder.sourceError(source, message, code);
        if (!values.quiet) process.stderr.write(`aalens: ${terminalText(source)}: ${terminalText(message)}\n`);
      },
      sourceDone: (summary) => builder.sourceDone(summary),
      note: (message) => builder.note(message),
    },
    progress === undefined ? { maxLineLength } : { maxLineLength, onBytes: progress.onBytes },
  );
  progress?.done();
  return builder.state();
}

/**
 * 3 with --fail-on-denials when denials were found (for CI and monitoring), else 2 when anything
 * was skipped (an input, a dropped line, an unreadable record), else 0.
 */
export function exitStatus(state: Pick<AnalysisState, "summary">, values: Record<string, unknown> = {}): number {
  const s = state.summary;
  if (values["fail-on-denials"] === true && s.denials > 0) return 3;
  return s.inputErrors + s.skippedLines + s.unparsed > 0 ? 2 : 0;
}

/**
 * What analyze and merge do with a finished state: save it if asked, check the rules against the
 * installed policy, and write the report as text or JSON. Returns the exit status.
 */
export async function writeReport(state: AnalysisState, values: Record<string, unknown>, format: string): Promise<number> {
  if (values["save-state"] !== undefined) await saveState(values["save-state"] as string, state);
  state.notes.push(...policyNotes(values));
  const report = buildReport(state, { policy: policyChecker(values) });
  const out = Output.open(values.output as string | undefined);
  if (format === "json") out.push(renderJson(report));
  else if (format === "markdown") out.push(renderMarkdown(report));
  else if (format === "csv") out.push(renderCsvAggregate(report));
  else out.push(renderText(report, { width: process.stdout.columns, color: useColor(values) }));
  await out.close();
  return exitStatus(state, values);
}
