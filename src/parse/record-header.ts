/**
 * The header of an auditd line (`node=H type=T msg=audit(S.MS:N):`) read without its body.
 * `analyze` only needs the bodies of AppArmor records; in a real audit.log 95 % of the lines are
 * SYSCALL, PATH, USER_* … records, and counting those by header is many times cheaper than
 * parsing them. `parse` always reads every body.
 */
import { isoTime, timeInRange } from "./timestamps.js";
import { recordTypeName } from "./record-types.js";

export interface RecordHeader {
  source: string;
  line: number;
  format: "auditd";
  type: string;
  auditId: string;
  time: string | null;
  host: string | null;
}

const HEADER = /^(?:node=(\S+) )?type=([A-Z][A-Z0-9_]*|\d+|UNKNOWN\[\d+\]) msg=audit\((\d+)\.(\d{3}):(\d+)\): /;
const FIRST_PAIR = /[A-Za-z_][\w-]*=/y;
/** Record types whose body must be read even without `apparmor=` in it. */
const APPARMOR_TYPES = /^(?:AVC|USER_AVC|APPARMOR.*|UNKNOWN\[150\d\]|AA)$/;

/** The header of a non-AppArmor auditd record, or null when the line needs the full parser. */
export function recordHeader(source: string, line: number, text: string): RecordHeader | null {
  if (text.includes("apparmor=")) return null;
  const m = HEADER.exec(text);
  if (m === null) return null;
  const type = recordTypeName(m[2]!);
  if (APPARMOR_TYPES.test(type)) return null;
  // A body that does not open with key=value is for the full parser to judge (truncated, garbled),
  // so that every command counts such a line the same way. EOE alone has no body.
  FIRST_PAIR.lastIndex = m[0].length;
  if (type !== "EOE" && !FIRST_PAIR.test(text)) return null;
  const epochMs = Number(m[3]) * 1000 + Number(m[4]);
  return {
    source,
    line,
    format: "auditd",
    type,
    auditId: `${m[3]}.${m[4]}:${m[5]}`,
    time: epochMs > 0 && timeInRange(epochMs) ? isoTime(epochMs) : null,
    host: m[1] ?? null,
  };
}
