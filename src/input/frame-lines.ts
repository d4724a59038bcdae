/**
 * Splitting a byte stream into physical lines with split2 and turning the kept ones into batches
 * of SourceLine. The per-line work (count, length check, filter) allocates nothing for lines the
 * filter drops; only kept lines become objects.
 */
import { Readable, pipeline, type Transform, type TransformCallback } from "node:stream";
import split2 from "split2";
import type { Skipped, SourceLine } from "./source-line.js";
import { excerpt } from "./errors.js";

/** Lines per yielded batch: large enough to amortise the async hand-off, small enough to stream. */
export const BATCH_SIZE = 1000;
/** Characters per batch at most, so a batch of long lines stays small in memory too. */
export const BATCH_CHARS = 1 << 20;

/** What the framing layer needs to know about the source being read. */
export interface FrameContext {
  source: string;
  maxLineLength: number;
  filter?: (text: string) => boolean;
  onSkip?: (skipped: Skipped) => void;
  /** Called once per physical line or journal entry. */
  onLine: () => void;
  /** Join a record wrapped over several physical lines (pastes, terminals): see isContinuation. */
  joinWrapped?: boolean;
  /** Also join tails that are not indented (joinHardWrapped): plain text only, where pastes are. */
  hardWrapped?: boolean;
}

/** A wrapped line's tail: indented, and going on with key=value pairs or the nested msg's close. */
const CONTINUATION = /^[ \t]+(?:[A-Za-z_][\w-]*=|'|msg=)/;

/**
 * Whether `text` goes on the record `held` began: an indented key=value tail (libapparmor's own
 * dbus_09 corpus case, bug-report pastes), or any line while `held` has a nested `msg='` that is
 * not closed yet and `text` does not start a record of its own.
 */
export function isContinuation(text: string, held: string): boolean {
  if (CONTINUATION.test(text)) return true;
  const open = held.lastIndexOf("msg='");
  return open >= 0 && held.indexOf("'", open + 5) < 0 && !/^\s*(?:node=\S+ )?type=|audit\(/.test(text);
}

/**
 * A line that begins a record or a log entry of its own, or holds a record's marker: never the
 * tail of the one before (a crafted line with an open quote must not swallow the next record).
 */
const STARTS_ENTRY = /^\s*(?:node=\S+ )?type=|^\s*msg=|audit[([]|apparmor=|^\[\s*\d+\.\d+\]|^[A-Z][a-z]{2} [ \d]\d \d\d:|^\d{4}-\d\d-\d\dT/;

/**
 * The record `held` began, joined with `text` when a paste or terminal hard-wrapped it without
 * indenting the tail; undefined when `text` is not its tail. Two shapes are certain: `held` has
 * an open `"` (odd count after `apparmor=`) — the tail is joined as it is; or `held` ends in a
 * word cut off (`requ`) and `text` starts with the rest of a key (`ested_mask="receive"`).
 */
const PRINTABLE = /^[\x20-\x7e]{1,4096}$/;

export function joinHardWrapped(held: string, text: string): string | undefined {
  // Wrapped audit text is printable ASCII (the kernel hex-encodes other names): anything else is not a tail.
  if (!held.includes("apparmor=") || !PRINTABLE.test(text) || STARTS_ENTRY.test(text)) return undefined;
  let quotes = 0;
  for (let i = held.indexOf("apparmor="); i < held.length; i++) if (held.charCodeAt(i) === 34) quotes++;
  if (quotes % 2 === 1) return held + text;
  // `…denied_m` + `ask="r"`: a record never ends in a bare word, so the key was cut in two. (A wrap
  // that falls between two pairs cannot be told from the next line of a log: it is not joined.)
  if (/^[a-z_]+=/.test(text) && /\s[a-z_]+$/.test(held)) return held + text;
  return undefined;
}

/** Turns one line (CR, BOM and blank lines already handled) into a SourceLine, or drops it. */
export type LineMapper = (text: string, line: number) => SourceLine | undefined;

// split2 sets `overflow` while it discards the rest of a line longer than maxLength.
interface SplitStream extends Transform {
  overflow: boolean;
}

export async function* frameLines(
  chunks: AsyncIterable<Buffer>,
  ctx: FrameContext,
  toLine: LineMapper,
): AsyncGenerator<SourceLine[]> {
  const max = ctx.maxLineLength;
  const message = `line longer than ${max} characters`;
  let lineNo = 0;
  let batch: SourceLine[] = [];
  let batchChars = 0;
  let upstreamError: unknown;
  let dropTail = false;
  /** The last kept line, held back while the next one may still continue it (joinWrapped). */
  let held: SourceLine | undefined;

  /** Add a line to the batch; returns the batch when it is full. */
  const add = (out: SourceLine): SourceLine[] | undefined => {
    batch.push(out);
    batchChars += out.text.length;
    if (batch.length < BATCH_SIZE && batchChars < BATCH_CHARS) return undefined;
    const full = batch;
    batch = [];
    batchChars = 0;
    return full;
  };

  const mapper = (raw: string): SourceLine[] | undefined => {
    if (dropTail) return undefined;
    const line = ++lineNo;
    ctx.onLine();
    if (held !== undefined && isContinuation(raw, held.text) && held.text.length + raw.length < max) {
      held.text = `${held.text} ${raw.trim()}`;
      return undefined;
    }
    if (held !== undefined && ctx.hardWrapped === true && held.text.length + raw.length < max) {
      const joined = joinHardWrapped(held.text, raw.replace(/\r$/, ""));
      if (joined !== undefined) {
        held.text = joined;
        return undefined;
      }
    }
    // split2 only checks the partial line between chunks; a long line inside one chunk lands here.
    if (raw.length > max) {
      ctx.onSkip?.({ source: ctx.source, line, code: "line-too-long", message, excerpt: excerpt(raw) });
      return undefined;
    }
    let text = raw;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1); // CRLF files
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 BOM
    if (text.length === 0) return undefined; // blank lines carry nothing to analyse
    const out = toLine(text, line);
    if (out === undefined) {
      if (held === undefined) return undefined;
      const previous = held;
      held = undefined;
      return add(previous);
    }
    if (ctx.joinWrapped !== true) return add(out);
    const previous = held;
    held = out;
    return previous === undefined ? undefined : add(previous);
  };

  // skipOverflow is a split2 option that @types/split2 does not declare.
  const options = { maxLength: max, skipOverflow: true } as split2.Options;
  const splitter = split2("\n", mapper, options) as SplitStream;

  // split2 discards an overflowing line without telling the mapper, which would shift every later
  // line number: count it (and report it) when the overflow starts.
  const transform = splitter._transform;
  splitter._transform = function (this: SplitStream, chunk: Buffer, enc: BufferEncoding, cb: TransformCallback) {
    const wasOverflow = this.overflow;
    const lineEnded = wasOverflow && chunk.indexOf(0x0a) >= 0;
    transform.call(this, chunk, enc, (err?: Error | null) => {
      if (!err && this.overflow && (!wasOverflow || lineEnded)) {
        const line = ++lineNo;
        ctx.onLine();
        ctx.onSkip?.({ source: ctx.source, line, code: "line-too-long", message });
      }
      cb(err);
    });
  };
  // At the end split2 hands over what it still holds: the discarded head of an overlong line
  // (already counted), or after a read error a line cut in the middle. Neither is a real line.
  const flush = splitter._flush!;
  splitter._flush = function (this: SplitStream, cb: TransformCallback) {
    if (this.overflow || upstreamError !== undefined) dropTail = true;
    flush.call(this, cb);
  };

  // A read error must not destroy the splitter (that would drop the batches it still buffers):
  // end the input cleanly instead and rethrow once everything read has been yielded.
  async function* guarded(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of chunks) yield chunk;
    } catch (err) {
      upstreamError = err;
    }
  }
  const input = Readable.from(guarded(), { objectMode: false });
  pipeline(input, splitter, () => {});
  try {
    for await (const full of splitter) yield full as SourceLine[];
  } finally {
    input.destroy();
    splitter.destroy();
  }
  if (held !== undefined) batch.push(held);
  if (batch.length > 0) {
    const last = batch;
    batch = [];
    yield last;
  }
  if (upstreamError !== undefined) throw upstreamError;
}
