/**
 * The analysis pipeline: inputs → records (src/parse) → events (src/events) → the collector,
 * which enriches each AppArmor record once and builds the state every command reports from.
 * Batch commands and `watch` go through the same collector; this is the batch driver.
 */
import { readRecords } from "../parse/read-records.js";
import type { Mode, Skipped } from "../parse/record.js";
import type { InputCode } from "../input/reasons.js";
import { Collector } from "./collector.js";
import type { AnalysisState } from "./state.js";
import type { AnalyzedEvent } from "./enrich.js";
import type { EventFilter } from "./filter.js";

export interface PipelineOptions {
  /** AppArmor modes that become denial groups and rules. */
  modes: ReadonlySet<Mode>;
  maxLineLength: number;
  filter?: EventFilter;
  /** Keep what each record added, for a saved state that merges exactly. */
  keepSeen?: boolean;
  /** false: no denial groups, rules or pasta incidents (a streaming export that saves no state). */
  aggregate?: boolean;
}

export interface PipelineHooks {
  /** Every kept AppArmor event, as it streams by (per-event exports). */
  onEvent?: (event: AnalyzedEvent) => void;
  /** Every line that looked like a record but was not readable as one. */
  onUnparsed?: (skipped: Skipped) => void;
  /** Awaited after each batch: where a streaming export applies backpressure. */
  afterBatch?: () => Promise<void> | void;
  onSourceError?: (source: string, message: string, code: InputCode) => void;
  onLine?: () => void;
  onBytes?: (n: number) => void;
  stdin?: NodeJS.ReadableStream;
}

/** Read `inputs` (the system's own logs when empty) into an analysis state. */
export async function analyseInputs(inputs: string[], options: PipelineOptions, hooks: PipelineHooks = {}): Promise<AnalysisState> {
  const { onEvent, onUnparsed, afterBatch, onSourceError, onLine } = hooks;
  const collector = new Collector({
    modes: options.modes,
    aggregate: options.aggregate ?? true,
    keepSeen: options.keepSeen ?? false,
    ...(options.filter ? { filter: options.filter } : {}),
    ...(onEvent ? { onEvent } : {}),
  });
  await readRecords(
    inputs,
    {
      record: (r, text) => collector.record(r, text),
      header: (h, text) => collector.header(h, text),
      counted: (type) => collector.counted(type),
      unparsed: onUnparsed === undefined ? (s) => collector.skipped(s) : (s) => (collector.skipped(s), onUnparsed(s)),
      ...(afterBatch === undefined ? {} : { afterBatch }),
      other: (line) => collector.other(line),
      framingSkip: (s) => collector.framingSkip(s),
      line: onLine === undefined ? () => collector.line() : () => (collector.line(), onLine()),
      sourceError: (source, message, code) => {
        collector.sourceError(source, message, code);
        onSourceError?.(source, message, code);
      },
      sourceDone: (summary) => collector.sourceDone(summary),
      note: (message) => collector.note(message),
    },
    {
      maxLineLength: options.maxLineLength,
      ...(hooks.onBytes ? { onBytes: hooks.onBytes } : {}),
      ...(hooks.stdin ? { stdin: hooks.stdin } : {}),
    },
  );
  return collector.state();
}
