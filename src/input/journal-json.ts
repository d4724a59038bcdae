/**
 * One line of `journalctl -o json` → the MESSAGE text and its LineMeta.
 * journald writes a field as a string, as an array of byte values when it is not valid UTF-8
 * (or holds control characters), as null when longer than 4096 bytes without `--all`, and as an
 * array of those when the field occurs more than once in the entry.
 */
import type { LineMeta } from "./source-line.js";
import { journalEntry } from "./journal-meta.js";
import { SKIP_CODES, type SkipCode } from "./reasons.js";

export type JsonEntry =
  | { ok: true; message: string; meta: LineMeta }
  | { ok: false; code: SkipCode; message: string };

function bad(code: SkipCode, message: string = SKIP_CODES[code]): JsonEntry {
  return { ok: false, code, message };
}

export function parseJournalJson(line: string): JsonEntry {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return bad("journal-json-invalid");
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return bad("journal-json-invalid", "journal JSON line that is not an object");
  const fields = obj as Record<string, unknown>;
  // JSON.parse makes own properties only, `__proto__` included: hasOwn, never `in` or a bare lookup.
  if (!Object.hasOwn(fields, "MESSAGE")) return bad("journal-no-message");
  const raw = fields.MESSAGE;
  if (raw === null) return bad("journal-message-omitted");
  // journald writes MESSAGE as text or bytes, never as a JSON number: a number is not a log line.
  const message = typeof raw === "number" ? undefined : fieldText(raw);
  if (message === undefined) return bad("journal-message-type", `journal MESSAGE given as ${describe(raw)}`);
  const entry = journalEntry("journal-json", message, (name) => (Object.hasOwn(fields, name) ? fieldText(fields[name]) : undefined));
  return { ok: true, message: entry.text, meta: entry.meta };
}

/** The text of one JSON field value, or undefined when absent/null/unusable. Repeated fields: the first value. */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  // journald writes strings only; a number (a _PID from another tool) still means its text.
  if (typeof value === "number") return String(value);
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first: unknown = value[0];
  if (typeof first === "number") return bytesToText(value);
  // A repeated field: the first value, itself text or bytes (one level only: no deep recursion on hostile nesting).
  if (typeof first === "string") return first;
  if (Array.isArray(first) && first.length > 0 && typeof first[0] === "number") return bytesToText(first);
  return undefined;
}

/** Bytes as UTF-8 text (invalid sequences become U+FFFD), or undefined when a value is not a byte. */
function bytesToText(bytes: unknown[]): string | undefined {
  const buf = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    // 256, -1 or 1.5 are not bytes: masking them would silently invent text.
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) return undefined;
    buf[i] = b;
  }
  return buf.toString("utf8");
}

/** What a MESSAGE that fieldText cannot read was given as, for the skip message. */
function describe(raw: unknown): string {
  if (Array.isArray(raw)) {
    if (raw.length === 0) return "an empty array";
    const first: unknown = Array.isArray(raw[0]) ? raw[0][0] : raw[0];
    return typeof first === "number" ? "an array of numbers that are not all bytes (0–255)" : "an array of neither text nor bytes";
  }
  if (typeof raw === "object") return "an object";
  return typeof raw === "boolean" ? "a boolean" : typeof raw === "number" ? "a number" : typeof raw;
}
