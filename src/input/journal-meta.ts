/**
 * The journald fields kept on each SourceLine: what the MESSAGE text itself may lack
 * (the audit transport drops `audit(…)` from MESSAGE; the host and time live only in fields).
 */
import type { LineMeta } from "./source-line.js";
import { dbusBrokerRecord } from "./dbus-broker.js";

/** Journal fields `metaFromFields` reads, besides MESSAGE. */
export const META_FIELDS = new Set([
  "_HOSTNAME",
  "__REALTIME_TIMESTAMP",
  "_SOURCE_REALTIME_TIMESTAMP",
  "_TRANSPORT",
  "_AUDIT_ID",
  "_AUDIT_TYPE_NAME",
  "_AUDIT_TYPE",
  "SYSLOG_IDENTIFIER",
  "_PID",
  "_EXE",
  "_COMM",
  "_UID",
]);

/**
 * The entry's text for the parser, and its meta: dbus-broker's own AppArmor denials become the
 * record text they stand for; every other entry keeps its MESSAGE.
 */
export function journalEntry(format: string, message: string, get: (name: string) => string | undefined): { text: string; meta: LineMeta } {
  const meta = metaFromFields(format, get);
  const broker = dbusBrokerRecord(get);
  if (broker === null) return { text: message, meta };
  meta.dbusBroker = true;
  return { text: broker.text, meta };
}

/** Builds LineMeta from a field lookup; absent or malformed fields are left out (JSON-safe, no undefined). */
export function metaFromFields(format: string, get: (name: string) => string | undefined): LineMeta {
  const meta: LineMeta = { format };
  const host = get("_HOSTNAME");
  if (host !== undefined) meta.host = host;
  const realtime = toInt(get("__REALTIME_TIMESTAMP"));
  if (realtime !== undefined) meta.realtimeUsec = realtime;
  const sourceRealtime = toInt(get("_SOURCE_REALTIME_TIMESTAMP"));
  if (sourceRealtime !== undefined) meta.sourceRealtimeUsec = sourceRealtime;
  const transport = get("_TRANSPORT");
  if (transport !== undefined) meta.transport = transport;
  const serial = get("_AUDIT_ID");
  if (serial !== undefined) meta.auditSerial = serial;
  const type = get("_AUDIT_TYPE_NAME") ?? get("_AUDIT_TYPE");
  if (type !== undefined) meta.auditType = type;
  const identifier = get("SYSLOG_IDENTIFIER");
  if (identifier !== undefined) meta.identifier = identifier;
  const pid = toInt(get("_PID"));
  if (pid !== undefined) meta.pid = pid;
  const exe = get("_EXE");
  if (exe !== undefined) meta.exe = exe;
  const comm = get("_COMM");
  if (comm !== undefined) meta.comm = comm;
  const uid = toInt(get("_UID"));
  if (uid !== undefined) meta.uid = uid;
  return meta;
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return undefined;
  return Number(s);
}
