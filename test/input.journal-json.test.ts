import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-jjson-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


// Shaped like `journalctl -o json` output (field order and cursor as journalctl writes them).
const auditEntry = {
  __CURSOR: "s=abc;i=1",
  __REALTIME_TIMESTAMP: "1732846380123456",
  __MONOTONIC_TIMESTAMP: "12345",
  _BOOT_ID: "0123456789abcdef0123456789abcdef",
  _TRANSPORT: "audit",
  _HOSTNAME: "myhost",
  _AUDIT_ID: "4242",
  _AUDIT_TYPE: "1400",
  _AUDIT_TYPE_NAME: "AVC",
  _SOURCE_REALTIME_TIMESTAMP: "1732846380120000",
  _PID: "1234",
  SYSLOG_IDENTIFIER: "audit",
  MESSAGE: 'AVC apparmor="DENIED" operation="open" profile="pasta" name="/etc/shadow" pid=1234 comm="pasta"',
};
const kernelEntry = {
  __CURSOR: "s=abc;i=2",
  __REALTIME_TIMESTAMP: "1732846381000000",
  _TRANSPORT: "kernel",
  _HOSTNAME: "myhost",
  SYSLOG_IDENTIFIER: "kernel",
  MESSAGE: 'audit: type=1400 audit(1732846381.000:43): apparmor="ALLOWED" operation="exec"',
};
const userAvc = {
  __REALTIME_TIMESTAMP: "1732846382000000",
  _TRANSPORT: "audit",
  _AUDIT_ID: "44",
  _AUDIT_TYPE: "1107", // numeric only: used when the name is absent
  MESSAGE: "USER_AVC pid=1 uid=0 msg='apparmor=\"DENIED\" operation=\"dbus_method_call\"\n exe=\"/usr/bin/dbus-daemon\"'",
};

describe("journalctl -o json input", () => {
  it("yields one SourceLine per entry with MESSAGE as text and the journald fields as meta", async () => {
    const path = join(dir, "journal.json");
    writeFileSync(path, [auditEntry, kernelEntry, userAvc].map((e) => JSON.stringify(e)).join("\n") + "\n");
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.skips).toEqual([]);
    expect(r.lines).toEqual([
      {
        source: path,
        line: 1,
        text: auditEntry.MESSAGE,
        meta: {
          format: "journal-json",
          host: "myhost",
          realtimeUsec: 1732846380123456,
          sourceRealtimeUsec: 1732846380120000,
          transport: "audit",
          auditSerial: "4242",
          auditType: "AVC",
          identifier: "audit",
          pid: 1234,
        },
      },
      {
        source: path,
        line: 2,
        text: kernelEntry.MESSAGE,
        meta: {
          format: "journal-json",
          host: "myhost",
          realtimeUsec: 1732846381000000,
          transport: "kernel",
          identifier: "kernel",
        },
      },
      {
        // The kernel split USER_AVC: the newline stays inside one SourceLine.
        source: path,
        line: 3,
        text: userAvc.MESSAGE,
        meta: { format: "journal-json", realtimeUsec: 1732846382000000, transport: "audit", auditSerial: "44", auditType: "1107" },
      },
    ]);
    expect(r.done).toEqual([{ source: path, compression: "plain", container: "journal-json", lines: 3, bytes: expect.any(Number) }]);
  });

  it("decodes MESSAGE given as an array of bytes (invalid UTF-8 becomes U+FFFD)", async () => {
    const path = join(dir, "binary-message.json");
    const bytes = [...Buffer.from('AVC apparmor="DENIED" comm="'), 0xff, 0x41, ...Buffer.from('"')];
    writeFileSync(path, JSON.stringify({ __REALTIME_TIMESTAMP: "1", _TRANSPORT: "audit", MESSAGE: bytes }) + "\n");
    const r = await collect([path]);
    expect(r.lines.map((l) => l.text)).toEqual(['AVC apparmor="DENIED" comm="\ufffdA"']);
  });

  it("reports malformed lines and null MESSAGE through onSkip and keeps going", async () => {
    const path = join(dir, "mixed.json");
    writeFileSync(
      path,
      [
        JSON.stringify(kernelEntry),
        '{"__CURSOR":"s=x","MESSAGE":"audit: cut off',
        JSON.stringify({ ...kernelEntry, MESSAGE: null }),
        "[1,2,3]",
        JSON.stringify(auditEntry),
      ].join("\n") + "\n",
    );
    const r = await collect([path]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, kernelEntry.MESSAGE],
      [5, auditEntry.MESSAGE],
    ]);
    expect(r.skips.map((s) => [s.line, s.code])).toEqual([
      [2, "journal-json-invalid"],
      [3, "journal-message-omitted"],
      [4, "journal-json-invalid"],
    ]);
    expect(r.skips[0]!.excerpt).toBe('{"__CURSOR":"s=x","MESSAGE":"audit: cut off');
    expect(r.onLine).toBe(5);
    expect(r.errors).toEqual([]);
  });

  it("keeps audit-transport entries whose MESSAGE has no marker (SYSCALL, PROCTITLE …)", async () => {
    const path = join(dir, "audit-transport.json");
    const syscall = { __CURSOR: "s=3", _TRANSPORT: "audit", _AUDIT_TYPE_NAME: "SYSCALL", _AUDIT_ID: "77", MESSAGE: "SYSCALL arch=c000003e syscall=257" };
    writeFileSync(path, JSON.stringify(syscall) + "\n");
    const r = await collect([path], { filter: (t) => t.includes("apparmor=") || t.includes("audit") });
    expect(r.lines.map((l) => [l.text, l.meta?.auditSerial])).toEqual([[syscall.MESSAGE, "77"]]);
  });

  it("filters the raw JSON line first (no parse for dropped lines), then the MESSAGE", async () => {
    const path = join(dir, "filter.json");
    const other = { __CURSOR: "s=1", _TRANSPORT: "syslog", MESSAGE: "nothing to see" };
    const tricky = { __CURSOR: "s=2", _TRANSPORT: "syslog", SYSLOG_IDENTIFIER: "apparmor=", MESSAGE: "no marker in the text" };
    writeFileSync(
      path,
      [JSON.stringify(other), "{not json and no marker", JSON.stringify(tricky), JSON.stringify(auditEntry)].join("\n"),
    );
    const calls: string[] = [];
    const r = await collect([path], {
      filter: (t) => {
        calls.push(t);
        return t.includes("apparmor=");
      },
    });
    expect(calls).toEqual([
      JSON.stringify(other),
      "{not json and no marker",
      JSON.stringify(tricky),
      tricky.MESSAGE,
      JSON.stringify(auditEntry),
      // audit-transport entries are records by construction: their MESSAGE is not filtered again
    ]);
    // The malformed line was filtered out before parsing, so it is not reported.
    expect(r.skips).toEqual([]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([[4, auditEntry.MESSAGE]]);
    expect(r.onLine).toBe(4);
  });

  it("does not let the raw-line filter drop a MESSAGE written as bytes", async () => {
    const path = join(dir, "binary-filtered.json");
    const message = Buffer.concat([Buffer.from('audit: type=1400 apparmor="DENIED" comm="'), Buffer.from([0xfe]), Buffer.from('"')]);
    writeFileSync(path, JSON.stringify({ _TRANSPORT: "kernel", MESSAGE: [...message] }) + "\n");
    const r = await collect([path], { filter: (t) => t.includes("apparmor=") });
    expect(r.lines.map((l) => l.text)).toEqual(['audit: type=1400 apparmor="DENIED" comm="\ufffd"']);
  });

  it("reads gzip-compressed journal JSON", async () => {
    const path = join(dir, "journal.json.gz");
    writeFileSync(path, gzipSync(JSON.stringify(auditEntry) + "\n"));
    const r = await collect([path]);
    expect(r.lines.map((l) => [l.text, l.meta?.format, l.meta?.auditSerial])).toEqual([
      [auditEntry.MESSAGE, "journal-json", "4242"],
    ]);
    expect(r.done[0]).toMatchObject({ compression: "gzip", container: "journal-json" });
  });

  it("treats lines that are JSON but not journald entries as text", async () => {
    const path = join(dir, "other.json");
    writeFileSync(path, '{"level":"info","msg":"hello"}\n');
    const r = await collect([path]);
    expect(r.lines).toEqual([{ source: path, line: 1, text: '{"level":"info","msg":"hello"}' }]);
    expect(r.done[0]!.container).toBe("text");
  });
});
