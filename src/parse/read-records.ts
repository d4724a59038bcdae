/**
 * Inputs → records: frame every input into lines, drop what cannot be audit text, parse the rest.
 * One function for every command, so `parse`, `analyze` and later ones count lines the same way.
 */
import { readInputs, readSystemLogs } from "../input/index.js";
import type { ReadOptions, SourceSummary } from "../input/types.js";
import { ANALYSIS_MARKERS, mayBeAuditRecord } from "../input/keep-line.js";
import { parseLine, type SourceContext } from "./parse-line.js";
import type { AuditRecord, Skipped, SourceLine } from "./record.js";
import { recordHeader, type RecordHeader } from "./record-header.js";
import { internalSkip } from "./internal.js";
import { describeSource, isRecordSource } from "../input/provenance.js";
import { excerpt } from "../input/detach.js";
import type { InputCode } from "../input/reasons.js";

export interface RecordSink {
  /** A record; `text` is the line it came from (for examples in reports). */
  record(record: AuditRecord, text: string): void;
  /**
   * When present, non-AppArmor auditd records are handed over as headers only (type, id, time),
   * without parsing their bodies. Sinks that need every field leave this out.
   */
  header?(header: RecordHeader, text: string): void;
  /** When present: an auditd record that is not AppArmor's, counted by type without being read (frame-text.ts). */
  counted?(type: string): void;
  /** A line that looked like a record but was not readable as one. */
  unparsed(skipped: Skipped): void;
  /** A line that passed the pre-filter but is not an audit record (pasta's error lines …). */
  other?(line: SourceLine): void;
  /** A line the framing layer dropped (too long, undecodable journal entry …). */
  framingSkip?(skipped: Skipped): void;
  line?(): void;
  sourceError?(source: string, message: string, code: InputCode): void;
  sourceDone?(summary: SourceSummary): void;
  note?(message: string): void;
  /** Awaited after each batch of lines: where a slow consumer applies backpressure. */
  afterBatch?(): Promise<void> | void;
}

export interface ReadRecordsOptions {
  maxLineLength?: number;
  stdin?: NodeJS.ReadableStream;
  onBytes?: (n: number) => void;
}

/**
 * Read `inputs` (files, directories, `-`), or the system's own logs when `inputs` is empty,
 * and push every record to `sink`. Never throws for bad input: errors go to the sink.
 */
export async function readRecords(inputs: string[], sink: RecordSink, options: ReadRecordsOptions = {}): Promise<void> {
  const opts: ReadOptions = {
    maxLineLength: options.maxLineLength,
    filter: mayBeAuditRecord,
    // A sink that counts records by type lets text logs be framed at the byte level.
    ...(sink.counted !== undefined ? { markers: ANALYSIS_MARKERS, onRecordCounted: sink.counted.bind(sink) } : {}),
    onLine: sink.line?.bind(sink),
    onBytes: options.onBytes,
    onSkip: (s) => sink.framingSkip?.(s),
    onSourceError: (source, message, code) => sink.sourceError?.(source, message, code),
    onSourceDone: (summary) => sink.sourceDone?.(summary),
    onNote: (message) => sink.note?.(message),
  };
  if (options.stdin !== undefined) opts.stdin = options.stdin;
  const batches = inputs.length === 0 ? readSystemLogs(opts) : readInputs(inputs, opts);
  for await (const batch of batches) {
    deliverBatch(batch, sink);
    if (sink.afterBatch !== undefined) await sink.afterBatch();
  }
}

/**
 * Parse a batch of lines that passed the pre-filter and hand each result to the sink: a record,
 * a header (when the sink takes headers: non-AppArmor auditd records), an unreadable record, or
 * a line that is no record at all. Shared by batch reading and `watch`.
 */
export function deliverBatch(batch: SourceLine[], sink: Pick<RecordSink, "record" | "header" | "unparsed" | "other">): void {
  for (const line of batch) {
    try {
      deliverLine(line, sink, contextOf(line.source));
    } catch (err) {
      sink.unparsed(internalSkip(line.source, line.line, err, line.text));
    }
  }
}

/** An audit-looking journal entry that no kernel, auditd or D-Bus daemon wrote: counted, never a record. */
function untrusted(line: SourceLine): Skipped {
  return { source: line.source, line: line.line, code: "untrusted-source", message: `audit-looking MESSAGE from ${describeSource(line.meta!)}: not a kernel or audit record`, excerpt: excerpt(line.text) };
}

/** Per-source parse context (see SourceContext), for the few sources read at a time. */
const contexts = new Map<string, SourceContext>();
function contextOf(source: string): SourceContext {
  let c = contexts.get(source);
  if (c === undefined) {
    if (contexts.size >= 64) contexts.clear();
    contexts.set(source, (c = {}));
  }
  return c;
}

function deliverLine(line: SourceLine, sink: Pick<RecordSink, "record" | "header" | "unparsed" | "other">, context: SourceContext): void {
  if (sink.header !== undefined && line.meta === undefined) {
    const header = recordHeader(line.source, line.line, line.text);
    if (header !== null) {
      sink.header(header, line.text);
      return;
    }
  }
  const result = parseLine(line, context);
  if (result === null) sink.other?.(line);
  else if (result.record === undefined) sink.unparsed(result.skipped);
  else if (line.meta !== undefined && !isRecordSource(line.meta)) sink.unparsed(untrusted(line));
  else sink.record(result.record, line.text);
}
