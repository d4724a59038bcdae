/**
 * The body of a companion record (SYSCALL, CWD, PROCTITLE, EXECVE of an AppArmor event) read
 * without the grammar when it has the plain shape auditd writes: `key=value` pairs separated by
 * one blank, each value a `"…"` without inner quote or a run of other characters, then optionally
 * `\x1d` and the ENRICHED pairs in the same shape. Values are decoded by the same function the
 * grammar path uses (values.ts). Anything else — a brace value, a nested msg=, a glued key, odd
 * hex in a kept value — goes to the grammar, so each kept value is the grammar's
 * (test/parse.companion-fast-path.test.ts compares both on every companion line it has). The
 * record keeps only the keys the event's process view reads.
 *
 * Companions are ~4 records per AppArmor event in an audit.log; read through the grammar they
 * were a third of `analyze`'s parse time.
 */
import type { RecordHeader } from "./record-header.js";
import { newFields, type AuditRecord } from "./record.js";
import { decodeValue } from "./values.js";
import { ID_KEYS, LABEL_KEYS, MAX_KEYS } from "./parse-line.js";


/** A label's mode after a blank (parse-line.ts reads it the same way). */
const LABEL_MODE = /(\((?:enforce|complain|kill|unconfined|prompt|audit|mixed)\))(?: |\x1d|$)/y;

/**
 * The keys of a companion that the event's process view reads (events/assembler.ts attach):
 * only these are kept, since setting thirty-odd properties per SYSCALL line cost more than
 * reading it. EXECVE's arguments a0, a1 … are kept too.
 */
const PROCESS_KEYS = new Set(["pid", "ppid", "comm", "exe", "uid", "auid", "syscall", "SYSCALL", "success", "exit", "cwd", "proctitle"]);
const EXECVE_ARG = /^a\d+$/;

/**
 * The record of a companion line whose header was read — its fields only the process keys — or
 * undefined when its shape needs the grammar.
 */
export function companionRecord(header: RecordHeader, text: string): AuditRecord | undefined {
  const start = text.indexOf("): ");
  if (start < 0) return undefined;
  const fields = newFields();
  const execve = header.type === "EXECVE";
  const n = text.length;
  let keys = 0;
  let at = start + 3;
  while (at < n) {
    // key: [A-Za-z_][\w-]* then `=`
    let e = at;
    let c = text.charCodeAt(e);
    if (!(isAlpha(c) || c === 95)) return undefined;
    while (e < n && isKeyChar((c = text.charCodeAt(e)))) e++;
    if (c !== 61 /* = */ || e === n) return undefined;
    const keyEnd = e;
    // value: "…" without inner quote or \x1d, or a run without blank, quote, apostrophe, braces or \x1d
    let v = e + 1;
    let end: number;
    c = text.charCodeAt(v);
    if (c === 34 /* " */) {
      end = text.indexOf('"', v + 1);
      if (end < 0) return undefined;
      const sep = text.indexOf("\x1d", v + 1);
      if (sep >= 0 && sep < end) return undefined;
      end++;
    } else {
      end = v;
      while (end < n) {
        c = text.charCodeAt(end);
        if (c === 32 || c === 0x1d) break;
        if (c === 34 || c === 39 || c === 123 || c === 125 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) return undefined;
        end++;
      }
      // A signed or long id, `==label`, and an ENRICHED key glued to a value get the grammar's handling.
      if (c === 61 || (end > v && text.charCodeAt(end - 1) === 61)) return undefined;
    }
    if (++keys > MAX_KEYS) return undefined;
    const first = text.charCodeAt(v);
    if (first === 61 /* = */) return undefined;
    const key = text.slice(at, keyEnd);
    if (key === "msg") return undefined;
    if ((first === 45 /* - */ || end - v > 15) && ID_KEYS.has(key)) return undefined;
    const kept = (PROCESS_KEYS.has(key) || (execve && EXECVE_ARG.test(key))) && fields[key] === undefined;
    if (kept) {
      const d = decodeValue(key, text.slice(v, end), header.type, false);
      if (d.warning !== undefined) return undefined;
      fields[key] = d.value;
    }
    at = end;
    // `subj=/usr/sbin/cupsd (enforce)`: a label's mode, after a blank, belongs to the label (as in the grammar).
    if (text.charCodeAt(at) === 32 && text.charCodeAt(at + 1) === 40 /* ( */ && LABEL_KEYS.has(key)) {
      LABEL_MODE.lastIndex = at + 1;
      const mode = LABEL_MODE.exec(text);
      if (mode === null) return undefined;
      if (kept) fields[key] += ` ${mode[1]}`;
      at = LABEL_MODE.lastIndex;
      continue;
    }
    // One blank or one \x1d between pairs; nothing else (a doubled blank is not the plain shape).
    if (at < n) {
      c = text.charCodeAt(at);
      if (c !== 32 && c !== 0x1d) return undefined;
      at++;
      if (at === n) break;
      c = text.charCodeAt(at);
      if (c === 32 || c === 0x1d) return undefined;
    }
  }
  return { source: header.source, line: header.line, format: header.format, type: header.type, auditId: header.auditId, time: header.time, host: header.host, mode: null, fields, msg: null };
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isKeyChar(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}
