/**
 * What the framing layer hands to the parser, and what it reports for the lines it drops.
 */
import type { SkipCode } from "./reasons.js";

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
  /** journald's trusted `_EXE`, `_COMM` and `_UID` of the process that wrote the entry. */
  exe?: string;
  comm?: string;
  uid?: number;
  /** Set when the entry is dbus-broker's own AppArmor denial, turned into record text (dbus-broker.ts). */
  dbusBroker?: true;
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
  /** Stable reason code (reasons.ts); reports group by it. */
  code: SkipCode;
  /** What exactly happened to this line. */
  message: string;
  /** A short, sanitised excerpt of the line (never the full line: it may be huge). */
  excerpt?: string;
}
