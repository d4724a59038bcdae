/**
 * journald export-format bytes → batches of SourceLine, one per entry (line = entry number).
 * Malformed entries are counted and skipped; the parser has already resumed at the next one.
 */
import type { SourceLine } from "./source-line.js";
import { BATCH_SIZE, type FrameContext } from "./frame-lines.js";
import { ExportParser } from "./journal-export.js";
import { journalEntry } from "./journal-meta.js";
import { keptByMeta } from "./keep-line.js";

export async function* frameExport(chunks: AsyncIterable<Buffer>, ctx: FrameContext): AsyncGenerator<SourceLine[]> {
  const { source, filter } = ctx;
  let entryNo = 0;
  let batch: SourceLine[] = [];
  const parser = new ExportParser(ctx.maxLineLength, (entry) => {
    const line = ++entryNo;
    ctx.onLine();
    if (entry.invalid !== undefined) {
      ctx.onSkip?.({ source, line, code: "journal-export-invalid", message: `malformed journal export entry (${entry.invalid})` });
      return;
    }
    if (entry.messageTooLong) {
      ctx.onSkip?.({ source, line, code: "line-too-long", message: `journal MESSAGE longer than ${ctx.maxLineLength} characters` });
      return;
    }
    if (entry.message === undefined) {
      ctx.onSkip?.({ source, line, code: "journal-no-message", message: "journal entry without MESSAGE" });
      return;
    }
    const { text, meta } = journalEntry("journal-export", entry.message, (name) => entry.fields.get(name));
    // The audit transport's MESSAGE (`SYSCALL arch=…`) has no audit marker, yet is a record.
    if (filter && !keptByMeta(meta) && !filter(text)) return;
    batch.push({ source, line, text, meta });
  });

  // Entries parsed before a read error are still yielded; the error is rethrown afterwards.
  let error: unknown;
  try {
    for await (const chunk of chunks) {
      parser.push(chunk);
      if (batch.length >= BATCH_SIZE) {
        const full = batch;
        batch = [];
        yield full;
      }
    }
    parser.end();
  } catch (err) {
    error = err;
  }
  if (batch.length > 0) yield batch;
  if (error !== undefined) throw error;
}
