/**
 * One line of `journalctl -o json` → the MESSAGE text and its LineMeta.
 * journald writes a field as a string, as an array of byte values when it is not valid UTF-8
 * (or holds control characters), as null when longer than 4096 bytes without `--all`, and as an
 * array of those when the field occurs more than once in the entry.
 */
import type { LineMeta } from "../parse/record.js";
import { metaFromFields } from "./journal-meta.js";

export type JsonEntry =
  | { ok: true; message: string; meta: LineMeta }
  | { ok: false; reason: string };

export function parseJournalJson(line: string): JsonEntry {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { ok: false, reason: "invalid journal JSON" };
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    return { ok: false, reason: "invalid journal JSON" };
  }
  const fields = obj as Record<string, unknown>;
  if (!("MESSAGE" in fields)) return { ok: false, reason: "journal entry without MESSAGE" };
  const message = fieldText(fields.MESSAGE);
  if (message === undefined) {
    return { ok: false, reason: "journal MESSAGE omitted by journalctl (over 4096 bytes; export with --all)" };
  }
  return { ok: true, message, meta: metaFromFields("journal-json", (name) => fieldText(fields[name])) };
}

/** The text of one JSON field value, or undefined when absent/null. Repeated fields: the first value. */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (typeof value[0] === "number") return bytesToText(value);
  return fieldText(value[0]);
}

function bytesToText(bytes: unknown[]): string {
  const buf = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) buf[i] = Number(bytes[i]) & 0xff;
  // Invalid UTF-8 becomes U+FFFD rather than an error.
  return buf.toString("utf8");
}
