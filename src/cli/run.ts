/**
 * What analyze, rules, pasta and merge share around the pipeline: read the inputs with progress
 * and stderr notes, and turn a finished state into a report, a saved state and an exit status.
 */
import { analyseInputs, type PipelineHooks } from "../analysis/pipeline.js";
import { eventFilter } from "../analysis/filter.js";
import type { AnalysisState } from "../analysis/state.js";
import { jsonText, terminalText } from "../report/text-safety.js";
import { buildReport } from "../report/report.js";
import { renderJsonChunks } from "../report/json.js";
import { renderText } from "../report/text.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderHtml } from "../report/html.js";
import { renderCsvAggregate } from "../report/csv.js";
import { Output } from "./output.js";
import { reportInZone } from "../report/time-format.js";
import { policyNotes, policyReportOptions } from "./policy.js";
import { saveState } from "./state-file.js";
import { Progress } from "./progress.js";
import type { RunOptions } from "./options.js";

export interface CollectHooks extends Pick<PipelineHooks, "onEvent" | "onUnparsed" | "afterBatch"> {
  /** false: no denial groups, rules or pasta incidents (a streaming export that saves no state). */
  aggregate?: boolean;
}

/** Read the run's inputs into an analysis state. */
export async function collectState(opts: RunOptions, hooks: CollectHooks = {}): Promise<AnalysisState> {
  const { aggregate = true, ...rest } = hooks;
  const progress = Progress.for(opts.inputs, opts.quiet);
  const filter = eventFilter(opts.filter);
  const state = await analyseInputs(
    opts.inputs,
    { modes: opts.modes, maxLineLength: opts.maxLineLength, aggregate, keepSeen: opts.saveState !== undefined, ...(filter ? { filter } : {}) },
    {
      ...rest,
      onSourceError: (source, message) => {
        if (!opts.quiet) process.stderr.write(`aalens: ${terminalText(source)}: ${terminalText(message)}\n`);
      },
      ...(progress === undefined ? {} : { onLine: () => progress.onLine(), onBytes: progress.onBytes }),
    },
  );
  progress?.done();
  return state;
}

/**
 * 3 with --fail-on-denials when denials were found (for CI and monitoring), else 2 when anything
 * was skipped (an input, a dropped line, an unreadable record), else 0.
 */
export function exitStatus(state: Pick<AnalysisState, "summary">, opts: Pick<RunOptions, "failOnDenials">): number {
  const s = state.summary;
  if (opts.failOnDenials && s.denials > 0) return 3;
  return s.inputErrors + s.skippedLines + s.unparsed > 0 ? 2 : 0;
}

/**
 * What analyze and merge do with a finished state: save it if asked, check the rules against the
 * installed policy, and write the report. Returns the exit status.
 */
export async function writeReport(state: AnalysisState, opts: RunOptions, format: string): Promise<number> {
  if (opts.saveState !== undefined) await saveState(opts.saveState, state);
  state.notes.push(...policyNotes(opts.policy));
  const report = buildReport(state, policyReportOptions(opts.policy));
  const out = Output.open(opts.output);
  if (format === "json" && opts.summaryOnly) out.push(jsonText({ version: report.version, summary: report.summary, headline: report.headline, errors: report.errors }, 2) + "\n");
  else if (format === "json") {
    for (const chunk of renderJsonChunks(report)) {
      out.push(chunk);
      await out.drain();
    }
  }
  else if (format === "markdown") out.push(renderMarkdown(reportInZone(report, opts.zone), { top: opts.top, summaryOnly: opts.summaryOnly }));
  else if (format === "csv") out.push(renderCsvAggregate(report, opts.zone));
  else if (format === "html") out.push(renderHtml(reportInZone(report, opts.zone), { zone: opts.zone, top: opts.top }));
  else out.push(renderText(reportInZone(report, opts.zone), { width: process.stdout.columns, color: opts.color, top: opts.top, summaryOnly: opts.summaryOnly }));
  await out.close();
  return exitStatus(state, opts);
}
