/**
 * Reading one source (file contents, stdin, a program's output) from raw bytes to SourceLine
 * batches: detect compression → decompress → detect the container → frame. Failures become one
 * onSourceError call; whatever was read before them is still yielded.
 */
import type { SourceLine } from "./source-line.js";
import { detectCompression, decompress, MAGIC_BYTES } from "./decompress.js";
import { describeError, errorCode, excerpt, SourceError } from "./errors.js";
import { frameExport } from "./frame-export.js";
import { frameLines, type FrameContext, type LineMapper } from "./frame-lines.js";
import { frameText } from "./frame-text.js";
import { parseJournalJson } from "./journal-json.js";
import { mayBeDbusBrokerEntry } from "./dbus-broker.js";
import { countBytes, peek } from "./peek.js";
import { detectContainer, enoughToSniff, isJournalFile } from "./sniff.js";
import type { InputCode } from "./reasons.js";
import type { ReadOptions, SourceSummary } from "./types.js";
import { keptByMeta } from "./keep-line.js";

export const DEFAULT_MAX_LINE_LENGTH = 65536;

export interface StreamHints {
  /**
   * The byte count to report instead of counting the stream (a binary journal is read through
   * journalctl, whose output is not what lies on disk).
   */
  diskBytes?: number;
}

export async function* readStream(
  source: string,
  input: AsyncIterable<Buffer | string>,
  opts: ReadOptions,
  hints: StreamHints = {},
): AsyncGenerator<SourceLine[]> {
  const summary: SourceSummary = { source, compression: "plain", container: "text", lines: 0, bytes: 0 };
  const ctx: FrameContext = {
    source,
    maxLineLength: opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    filter: opts.filter,
    onSkip: opts.onSkip,
    onLine: () => {
      summary.lines++;
      opts.onLine?.();
    },
  };
  const raw = countBytes(input, (n) => {
    if (hints.diskBytes !== undefined) return;
    summary.bytes += n;
    opts.onBytes?.(n);
  });

  let failure: { message: string; code: InputCode } | undefined;
  try {
    const first = await peek(raw, (head) => head.length >= MAGIC_BYTES);
    if (isJournalFile(first.head)) {
      throw new SourceError("binary journal data on stdin; pass the file's path so journalctl can read it");
    }
    const compression = detectCompression(first.head);
    summary.compression = compression;
    const plain = await peek(decompress(compression, first.rest), enoughToSniff);
    // Pastes and terminal captures are plain text; a compressed archive is a logger's, never hard-wrapped.
    ctx.hardWrapped = compression === "plain";
    const container = detectContainer(plain.head);
    summary.container = container;
    if (container === "journal-export") yield* frameExport(plain.rest, ctx);
    else if (container === "journal-json") yield* frameLines(plain.rest, ctx, jsonMapper(ctx));
    else if (opts.markers !== undefined && opts.onRecordCounted !== undefined) yield* frameText(plain.rest, ctx, opts.markers, opts.onRecordCounted);
    else yield* frameLines(plain.rest, { ...ctx, joinWrapped: true }, textMapper(ctx));
  } catch (err) {
    failure = { message: describeError(err), code: errorCode(err) };
  } finally {
    // Stopping early (or failing) must release the file handle or child process behind `input`.
    void raw.return(undefined).catch(() => {});
  }
  if (hints.diskBytes !== undefined) {
    summary.bytes = hints.diskBytes;
    opts.onBytes?.(hints.diskBytes);
  }
  if (failure !== undefined) opts.onSourceError?.(source, failure.message, failure.code);
  opts.onSourceDone?.(summary);
}

function textMapper({ source, filter }: FrameContext): LineMapper {
  if (!filter) return (text, line) => ({ source, line, text });
  return (text, line) => (filter(text) ? { source, line, text } : undefined);
}

/**
 * The filter sees the raw JSON line first, so most entries are dropped without JSON.parse —
 * except when MESSAGE is written as an array of bytes, whose text the raw line does not show.
 */
function jsonMapper({ source, filter, onSkip }: FrameContext): LineMapper {
  return (raw, line) => {
    if (filter && !filter(raw) && !raw.includes('"MESSAGE":[') && !raw.includes('"_TRANSPORT":"audit"') && !mayBeDbusBrokerEntry(raw)) return undefined;
    const entry = parseJournalJson(raw);
    if (!entry.ok) {
      onSkip?.({ source, line, code: entry.code, message: entry.message, excerpt: excerpt(raw) });
      return undefined;
    }
    // The audit transport's MESSAGE (`SYSCALL arch=…`) has no audit marker, yet is a record.
    if (filter && !keptByMeta(entry.meta) && !filter(entry.message)) return undefined;
    return { source, line, text: entry.message, meta: entry.meta };
  };
}
