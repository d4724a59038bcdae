/**
 * Cheap test run on every line before the grammar sees it: lines that cannot hold an audit or
 * AppArmor record (the 95 %+ of a journal or syslog) are dropped at memory speed.
 * It works on raw journald JSON lines too, because none of the markers contains a quote.
 * `pasta` and `namespace` let pasta's and Podman's error lines through, for the pasta report
 * (Podman prints pasta's own message on a line of its own: "Couldn't open network namespace …").
 */
export function mayBeAuditRecord(text: string): boolean {
  return (
    text.includes("audit") || text.includes("apparmor=") || text.includes("type=") || text.includes("pasta") || text.includes("namespace")
  );
}
