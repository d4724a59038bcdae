/**
 * Recognising the container of a (decompressed) source from its first bytes: journald's JSON and
 * export formats carry one entry per record plus metadata; anything else is read as text lines.
 */

export type Container = "text" | "journal-json" | "journal-export";

/** Bytes `detectContainer` would like to see: the first line, or this much of it. */
export const SNIFF_BYTES = 4096;

/** True when `head` is enough to decide (it holds a whole first line, or SNIFF_BYTES). */
export function enoughToSniff(head: Buffer): boolean {
  return head.length >= SNIFF_BYTES || head.indexOf(0x0a) >= 0;
}

/** Binary journal files (`*.journal`) start with this signature. */
export const JOURNAL_FILE_MAGIC = Buffer.from("LPKSHHRH", "latin1");

export function isJournalFile(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(0, 8).equals(JOURNAL_FILE_MAGIC);
}

// Field names every journal entry has; `__CURSOR` leads `journalctl -o json|export` output.
const JSON_KEYS = /"(?:__CURSOR|__REALTIME_TIMESTAMP|MESSAGE|_TRANSPORT)"\s*:/;
const EXPORT_FIRST_FIELD = /^[A-Z_][A-Z0-9_]*(?:=|\n)/;
const EXPORT_KEYS = /(?:^|\n)(?:__CURSOR=|__REALTIME_TIMESTAMP=|_TRANSPORT=|MESSAGE[=\n])/;

export function detectContainer(head: Buffer): Container {
  let text = head.toString("latin1", 0, Math.min(head.length, SNIFF_BYTES));
  if (text.startsWith("\xef\xbb\xbf")) text = text.slice(3); // UTF-8 BOM
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") && JSON_KEYS.test(trimmed)) return "journal-json";
  if (EXPORT_FIRST_FIELD.test(text) && EXPORT_KEYS.test(text)) return "journal-export";
  return "text";
}
