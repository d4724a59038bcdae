/**
 * The parsed form of one audit / AppArmor log record, as `aalens parse` prints it.
 * Everything here is plain data (JSON-safe) so records can cross worker threads and be saved.
 */
import type { Warning } from "../input/reasons.js";

export type { SourceLine, LineMeta, Skipped } from "../input/source-line.js";

/**
 * A fresh object for keys read from a log. Its prototype chain holds no members at all, so a
 * key such as `constructor`, `toString` or `__proto__` is an ordinary own key (and reading an
 * absent one gives undefined), while V8 still gives it fast properties, unlike Object.create(null).
 */
const NoMembers = function (this: object) {} as unknown as new () => Record<string, string>;
NoMembers.prototype = Object.create(null) as object;
export function newFields(): Record<string, string> {
  return new NoMembers();
}

/** AppArmor event kind, from `apparmor="…"` or the legacy record type. */
export type Mode = "AUDIT" | "ALLOWED" | "DENIED" | "HINT" | "STATUS" | "ERROR" | "KILL";

export interface AuditRecord {
  /** Where the line came from: a file path, `-` for stdin, `journalctl` for the live journal. */
  source: string;
  /** 1-based physical line number in the source (for journald: the entry number). */
  line: number;
  /** The shape of the line: auditd, ausearch, audispd, dmesg, syslog, journal-audit, kernel-message, bare, journal-json, journal-export … */
  format: string;
  /** Record type name (AVC, USER_AVC, SYSCALL, …); numeric types are mapped to names; null when the line carries none. */
  type: string | null;
  /** `"S.MS:SERIAL"` exactly as written, or null. */
  auditId: string | null;
  /** ISO-8601 time of the record, or null when the line has none. */
  time: string | null;
  /** Host from `node=`, the syslog/journal host name, or null. */
  host: string | null;
  /** AppArmor event kind, or null for records that are not AppArmor events. */
  mode: Mode | null;
  /** Every key=value of the record in order, values decoded as text. Unknown keys are kept. */
  fields: Record<string, string>;
  /** The decoded key=values of a nested `msg='…'` (USER_AVC), or null. */
  msg: Record<string, string> | null;
  /** Non-fatal oddities found while decoding (invalid hex, unterminated quote …). Absent when none. */
  warnings?: Warning[];
}

