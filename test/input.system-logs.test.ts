import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { auditLogsOldestFirst } from "../src/input/index.js";
import { collectSystemLogs as collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-system-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** A stand-in journalctl: prints canned JSON per query and records its arguments. */
function fakeJournalctl(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "$@" >> "${path}.args"\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const kernel = JSON.stringify({
  __REALTIME_TIMESTAMP: "1732846380000000",
  _TRANSPORT: "kernel",
  MESSAGE: 'audit: type=1400 audit(1732846380.000:1): apparmor="DENIED"',
});
const audit = JSON.stringify({
  __REALTIME_TIMESTAMP: "1732846381000000",
  _TRANSPORT: "audit",
  _AUDIT_ID: "2",
  _AUDIT_TYPE_NAME: "AVC",
  MESSAGE: 'AVC apparmor="DENIED" operation="open"',
});

describe("reading the system's own logs", () => {
  it("reads the kernel and audit journal, then audit.log and its rotations oldest first, with notes", async () => {
    const journalctl = fakeJournalctl(
      "journalctl-ok",
      `case "$1" in
  -k) printf '%s\\n%s\\n' '${kernel}' '${kernel}' ;;
  _TRANSPORT=audit) echo "Hint: You are currently not seeing messages from other users." >&2; printf '%s\\n' '${audit}' ;;
esac`,
    );
    const auditDir = join(dir, "audit-ok");
    mkdirSync(auditDir);
    writeFileSync(join(auditDir, "audit.log"), "type=AVC msg=audit(3.0:3): newest\n");
    writeFileSync(join(auditDir, "audit.log.1"), "type=AVC msg=audit(2.0:2): older\n");
    writeFileSync(join(auditDir, "audit.log.2.gz"), gzipSync("type=AVC msg=audit(1.0:1): oldest\n"));
    writeFileSync(join(auditDir, "unrelated.txt"), "not read\n");

    const r = await collect({ journalctl, auditDir });
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => [l.source, l.line, l.text])).toEqual([
      ["journalctl -k", 1, 'audit: type=1400 audit(1732846380.000:1): apparmor="DENIED"'],
      ["journalctl -k", 2, 'audit: type=1400 audit(1732846380.000:1): apparmor="DENIED"'],
      ["journalctl _TRANSPORT=audit", 1, 'AVC apparmor="DENIED" operation="open"'],
      [join(auditDir, "audit.log.2.gz"), 1, "type=AVC msg=audit(1.0:1): oldest"],
      [join(auditDir, "audit.log.1"), 1, "type=AVC msg=audit(2.0:2): older"],
      [join(auditDir, "audit.log"), 1, "type=AVC msg=audit(3.0:3): newest"],
    ]);
    expect(r.lines[2]!.meta).toMatchObject({ format: "journal-json", transport: "audit", auditSerial: "2" });
    expect(r.notes).toEqual([
      "read 2 entries from journalctl -k",
      "journalctl _TRANSPORT=audit: Hint: You are currently not seeing messages from other users.",
      "read 1 entry from journalctl _TRANSPORT=audit",
      "read 0 entries from journalctl DBUS_BROKER_POLICY_TYPE=apparmor",
      `read 1 line from ${join(auditDir, "audit.log.2.gz")}`,
      `read 1 line from ${join(auditDir, "audit.log.1")}`,
      `read 1 line from ${join(auditDir, "audit.log")}`,
    ]);
    expect(r.done.map((d) => [d.source, d.container])).toEqual([
      ["journalctl -k", "journal-json"],
      ["journalctl _TRANSPORT=audit", "journal-json"],
      ["journalctl DBUS_BROKER_POLICY_TYPE=apparmor", "text"],
      [join(auditDir, "audit.log.2.gz"), "text"],
      [join(auditDir, "audit.log.1"), "text"],
      [join(auditDir, "audit.log"), "text"],
    ]);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(`${journalctl}.args`, "utf8").trim().split("\n")).toEqual([
      "-k -o json --all --no-pager",
      "_TRANSPORT=audit -o json --all --no-pager",
      "DBUS_BROKER_POLICY_TYPE=apparmor -o json --all --no-pager",
    ]);
  });

  it("a failing journalctl and a missing audit directory are notes; the readable part is still read", async () => {
    const journalctl = fakeJournalctl(
      "journalctl-fails",
      `case "$1" in
  -k) echo "Failed to get journal access: Permission denied" >&2; exit 1 ;;
  _TRANSPORT=audit) printf '%s\\n' '${audit}' ;;
esac`,
    );
    const auditDir = join(dir, "no-such-audit-dir");
    const r = await collect({ journalctl, auditDir });
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => l.source)).toEqual(["journalctl _TRANSPORT=audit"]);
    expect(r.notes).toEqual([
      "skipped journalctl -k: Failed to get journal access: Permission denied",
      "read 1 entry from journalctl _TRANSPORT=audit",
      "read 0 entries from journalctl DBUS_BROKER_POLICY_TYPE=apparmor",
      `skipped ${join(auditDir, "audit.log")}: no such file or directory`,
    ]);
  });

  it("reading nothing at all is one error that says what to do", async () => {
    const auditDir = join(dir, "empty-audit");
    mkdirSync(auditDir);
    const r = await collect({ journalctl: null, auditDir });
    expect(r.lines).toEqual([]);
    expect(r.notes).toEqual([
      "skipped the journal: the `journalctl` command is not installed",
      `skipped ${join(auditDir, "audit.log")}: no such file`,
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]![0]).toBe("system logs");
    expect(r.errors[0]![1]).toMatch(/pass log files or directories as arguments/);
    if (process.getuid?.() !== 0) expect(r.errors[0]![1]).toMatch(/sudo/);
  });

  it("orders rotations oldest first, numbered and dated", () => {
    expect(
      auditLogsOldestFirst(["audit.log", "audit.log.1", "audit.log.10", "audit.log.2.gz", "audit.log.lock", "other"]),
    ).toEqual(["audit.log.10", "audit.log.2.gz", "audit.log.1", "audit.log"]);
    expect(auditLogsOldestFirst(["audit.log-20250102.gz", "audit.log", "audit.log-20250101"])).toEqual([
      "audit.log-20250101",
      "audit.log-20250102.gz",
      "audit.log",
    ]);
  });
});
