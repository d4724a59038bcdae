/**
 * The body of a companion record (SYSCALL, CWD, PROCTITLE, EXECVE of an AppArmor event) read
 * without the grammar when it has the plain shape auditd writes: `key=value` pairs separated by
 * one blank, each value a `"…"` without inner quote or a run of other characters, then optionally
 * `\x1d` and the ENRICHED pairs in the same shape. Values are decoded by the same function the
 * grammar path uses (values.ts). Anything else — a brace value, a nested msg=, a glued key, a
 * duplicate key, odd hex — goes to the grammar, so the record is the same either way
 * (test/parse.companion-fast-path.test.ts compares both on every companion line it has).
 *
 * Companions are ~4 records per AppArmor event in an audit.log; read through the grammar they
 * were a third of `analyze`'s parse time.
 */
import type { RecordHeader } from "./record-header.js";
import { newFields, type AuditRecord } from "./record.js";
import { decodeValue } from "./values.js";
import { ID_KEYS, LABEL_KEYS, MAX_KEYS } from "./parse-line.js";

/** One pair: a key, `=`, a quoted value without inner quote or a bare run; then a blank, `\x1d` or the end. */
const PAIR = /([A-Za-z_][\w-]*)=("[^"\x1d]*"|[^\s"'\x1d{}]*)(?: |\x1d|$)/y;

/** A label's mode after a blank (parse-line.ts reads it the same way). */
const LABEL_MODE = /(\((?:enforce|complain|kill|unconfined|prompt|audit|mixed)\))(?: |\x1d|$)/y;

/** The record of a companion line whose header was read, or undefined when its shape needs the grammar. */
export function companionRecord(header: RecordHeader, text: string): AuditRecord | undefined {
  const start = text.indexOf("): ");
  if (start < 0) return undefined;
  const fields = newFields();
  let keys = 0;
  let at = start + 3;
  PAIR.lastIndex = at;
  while (at < text.length) {
    PAIR.lastIndex = at;
    const m = PAIR.exec(text);
    if (m === null) return undefined;
    const key = m[1]!;
    const raw = m[2]!;
    // Shapes the grammar handles with a warning or a rule of its own: leave them to it.
    if (fields[key] !== undefined || ++keys > MAX_KEYS || key === "msg" || /[A-Z][A-Z0-9_]*=$/.test(raw)) return undefined;
    // A signed or long id, and `==label`, get the grammar's checks (number-out-of-range, the label's `=`).
    const c = raw.charCodeAt(0);
    if (c === 61 /* = */ || ((c === 45 /* - */ || raw.length > 15) && ID_KEYS.has(key))) return undefined;
    const d = decodeValue(key, raw, header.type, false);
    if (d.warning !== undefined) return undefined;
    fields[key] = d.value;
    at = PAIR.lastIndex;
    // `subj=/usr/sbin/cupsd (enforce)`: a label's mode, after a blank, belongs to the label (as in the grammar).
    if (LABEL_KEYS.has(key) && text.charCodeAt(at) === 40 /* ( */) {
      LABEL_MODE.lastIndex = at;
      const mode = LABEL_MODE.exec(text);
      if (mode === null) return undefined;
      fields[key] += ` ${mode[1]}`;
      at = LABEL_MODE.lastIndex;
    }
    // A blank before the \x1d of ENRICHED, or a doubled blank, is not the plain shape.
    if (text.charCodeAt(at) === 32) return undefined;
  }
  return { source: header.source, line: header.line, format: header.format, type: header.type, auditId: header.auditId, time: header.time, host: header.host, mode: null, fields, msg: null };
}
