/**
 * The parsed form of one audit / AppArmor log record, as `aalens parse` prints it.
 * Everything here is plain data (JSON-safe) so records can cross worker threads and be saved.
 */

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
  warnings?: string[];
}

/** What the framing layer hands to the parser: one physical line and what its container told us. */
export interface SourceLine {
  source: string;
  line: number;
  text: string;
  /** Container-level facts (journald fields) that the text itself may lack. */
  meta?: LineMeta;
}

export interface LineMeta {
  /** e.g. "journal-json", "journal-export". */
  format: string;
  host?: string;
  /** Microseconds since the epoch, as journald records it. */
  realtimeUsec?: number;
  /** journald `_TRANSPORT`: kernel, audit, syslog, journal, stdout. */
  transport?: string;
  /** journald `_AUDIT_ID` (serial only) — the audit transport drops `audit(…)` from MESSAGE. */
  auditSerial?: string;
  /** journald `_AUDIT_TYPE_NAME` / `_AUDIT_TYPE`. */
  auditType?: string;
  /** journald `_SOURCE_REALTIME_TIMESTAMP` in microseconds, when present. */
  sourceRealtimeUsec?: number;
  /** journald `SYSLOG_IDENTIFIER` (pasta, podman, buildah …). */
  identifier?: string;
  pid?: number;
}

/** Why a line that looked like a record was not turned into one, or was only partly. */
export interface Skipped {
  source: string;
  line: number;
  reason: string;
  /** A short, sanitised excerpt of the line (never the full line: it may be huge). */
  excerpt?: string;
}
