/**
 * Which journal entries may carry audit records. Any local user can write an audit-looking line
 * to the journal (`logger 'type=AVC … apparmor="DENIED" …'`); journald's trusted fields (`_TRANSPORT`,
 * `_EXE`, read from the sending process, not from the entry) tell a kernel or auditd record from
 * such a forgery. Only the kernel and audit transports, dbus-broker's own denial entries, and
 * dbus-daemon's own AppArmor lines (it logs them through syslog when audit is unavailable) are
 * records; the rest is counted as `untrusted-source` and never becomes a rule.
 *
 * Text logs (syslog files, pastes) carry no such proof: see the README.
 */
import type { LineMeta } from "./source-line.js";

const RECORD_TRANSPORTS = new Set(["kernel", "audit"]);
/** dbus-daemon's executable as journald resolves it from /proc/PID/exe (no links, no `..`). */
const DBUS_DAEMON_EXE = /^\/(?:usr\/)?(?:bin|sbin|lib(?:exec)?)\/(?:dbus\/)?dbus-daemon(?: \(deleted\))?$/;

/** True when a journal entry could have been written by the kernel, auditd or the D-Bus daemon. */
export function isRecordSource(meta: LineMeta): boolean {
  if (meta.dbusBroker === true) return true;
  if (meta.transport !== undefined && RECORD_TRANSPORTS.has(meta.transport)) return true;
  return meta.exe !== undefined && DBUS_DAEMON_EXE.test(meta.exe) && (meta.comm === undefined || meta.comm === "dbus-daemon");
}

/** Where an untrusted entry came from, for the skip message (journald's own trusted fields). */
export function describeSource(meta: LineMeta): string {
  const parts = [`_TRANSPORT=${meta.transport ?? "(none)"}`];
  if (meta.comm !== undefined) parts.push(`_COMM=${meta.comm}`);
  if (meta.uid !== undefined) parts.push(`_UID=${meta.uid}`);
  return parts.join(" ");
}
