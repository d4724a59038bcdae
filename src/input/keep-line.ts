/**
 * Cheap test run on every line before the grammar sees it: lines that cannot hold an audit or
 * AppArmor record (the 95 %+ of a journal or syslog) are dropped at memory speed.
 * It works on raw journald JSON lines too, because none of the markers contains a quote.
 * `pasta` and `namespace` let pasta's and Podman's error lines through, for the pasta report
 * (Podman prints pasta's own message on a line of its own: "Couldn't open network namespace …").
 */
import type { SourceLine } from "./source-line.js";
import type { ByteMarkers } from "./frame-text.js";

/**
 * The markers of the analysis's byte-level framing (frame-text.ts): AppArmor records (current
 * and old kernels) anywhere; outside auditd records also pasta's, Podman's and Buildah's
 * messages and any kernel audit record (`audit(`) or journald audit-transport line (`audit[`).
 */
export const ANALYSIS_MARKERS: ByteMarkers = {
  // In an auditd record only `apparmor=` matters (its type is read from the bytes).
  strong: ["apparmor="],
  weak: ["APPARMOR", "pasta", "passt", "namespace", "netns", "audit(", "audit["],
};

export function mayBeAuditRecord(text: string): boolean {
  return (
    text.includes("audit") || text.includes("apparmor=") || text.includes("type=") || text.includes("pasta") || text.includes("namespace")
  );
}

/**
 * The one pre-filter every path applies (batch framing, watch): a line of the journal's audit
 * transport is a record even without a marker (`SYSCALL arch=…`), and so is dbus-broker's own
 * denial entry; any other line must show a marker.
 */
export function keepLine(line: SourceLine): boolean {
  const meta = line.meta;
  if (meta !== undefined && (meta.transport === "audit" || meta.dbusBroker === true)) return true;
  return mayBeAuditRecord(line.text);
}
