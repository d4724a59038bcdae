/**
 * Cheap test run on every line before the grammar sees it: lines that cannot hold an audit or
 * AppArmor record (the 95 %+ of a journal or syslog) are dropped at memory speed.
 * It works on raw journald JSON lines too, because none of the markers contains a quote.
 * `pasta` and `namespace` let pasta's and Podman's error lines through, for the pasta report
 * (Podman prints pasta's own message on a line of its own: "Couldn't open network namespace …").
 */
import type { LineMeta, SourceLine } from "./source-line.js";
import type { ByteMarkers } from "./frame-text.js";

/**
 * Words of pasta's own messages that name neither pasta nor a namespace (its bare stderr in a
 * paste: "Failed to open() /dev/net/tun: …", "Failed to remount /: …"), and of Podman's
 * rootless-netns teardown. Each is specific enough not to let ordinary log lines through.
 */
export const PASTA_MESSAGE_CUES = [
  "pasta", "passt", "namespace", "netns", "/dev/net/tun", "TUNSETIFF", "remount /", "pivot_root()", "empty tmpfs",
  "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups", "user mappings", "original root filesystem",
  "for option '", "Listen failed for", "listen on requested ports",
] as const;

/** journald SYSLOG_IDENTIFIERs whose lines may be pasta's messages or their callers' (kept whatever they say). */
export const PASTA_IDENTIFIERS: ReadonlySet<string> = new Set(["pasta", "passt", "podman", "buildah", "rootlesskit", "libvirtd", "virtqemud", "conmon", "crun", "runc"]);

/**
 * The markers of the analysis's byte-level framing (frame-text.ts): AppArmor records (current
 * and old kernels) anywhere; outside auditd records also pasta's, Podman's and Buildah's
 * messages and any kernel audit record (`audit(`) or journald audit-transport line (`audit[`).
 */
export const ANALYSIS_MARKERS: ByteMarkers = {
  // In an auditd record only `apparmor=` matters (its type is read from the bytes).
  strong: ["apparmor="],
  weak: ["APPARMOR", "audit(", "audit[", ...PASTA_MESSAGE_CUES],
};

export function mayBeAuditRecord(text: string): boolean {
  if (text.includes("audit") || text.includes("apparmor=") || text.includes("type=")) return true;
  for (const cue of PASTA_MESSAGE_CUES) if (text.includes(cue)) return true;
  return false;
}

/**
 * The one pre-filter every path applies (batch framing, watch): a line of the journal's audit
 * transport is a record even without a marker (`SYSCALL arch=…`), and so is dbus-broker's own
 * denial entry; so is anything pasta, Podman or Buildah logged (for the pasta report); any other
 * line must show a marker.
 */
export function keepLine(line: SourceLine): boolean {
  return (line.meta !== undefined && keptByMeta(line.meta)) || mayBeAuditRecord(line.text);
}

/** A journal entry kept for its fields alone, whatever its MESSAGE says (see keepLine). */
export function keptByMeta(meta: LineMeta): boolean {
  return meta.transport === "audit" || meta.dbusBroker === true || (meta.identifier !== undefined && PASTA_IDENTIFIERS.has(meta.identifier));
}
