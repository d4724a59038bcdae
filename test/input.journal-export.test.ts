import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import type { SourceLine } from "../src/input/index.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-jexport-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** A text field: NAME=value\n */
const text = (name: string, value: string) => Buffer.from(`${name}=${value}\n`);
/** A binary-safe field: NAME\n, uint64 little-endian length, the raw bytes, \n */
function binary(name: string, value: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(value.length));
  return Buffer.concat([Buffer.from(`${name}\n`), len, value, Buffer.from("\n")]);
}
const END = Buffer.from("\n");

// USER_AVC as the kernel splits it: a newline inside, an '=' and an invalid UTF-8 byte.
const binaryMessage = Buffer.concat([
  Buffer.from("USER_AVC pid=1 msg='apparmor=\"DENIED\" operation=\"dbus_method_call\"\n exe=\"/usr/bin/x"),
  Buffer.from([0xff]),
  Buffer.from("\"'"),
]);

const exportData = Buffer.concat([
  text("__CURSOR", "s=1;i=1"),
  text("__REALTIME_TIMESTAMP", "1732846380123456"),
  text("__MONOTONIC_TIMESTAMP", "5"),
  text("_BOOT_ID", "0123456789abcdef0123456789abcdef"),
  text("_HOSTNAME", "myhost"),
  text("_TRANSPORT", "audit"),
  text("_AUDIT_ID", "4242"),
  text("_AUDIT_TYPE_NAME", "AVC"),
  text("_SOURCE_REALTIME_TIMESTAMP", "1732846380120000"),
  text("_PID", "77"),
  text("SYSLOG_IDENTIFIER", "audit"),
  text("MESSAGE", 'AVC apparmor="DENIED" operation="open" name="/etc/shadow"'),
  END,
  text("__CURSOR", "s=1;i=2"),
  text("__REALTIME_TIMESTAMP", "1732846381000000"),
  text("_TRANSPORT", "audit"),
  text("_AUDIT_ID", "4243"),
  text("_AUDIT_TYPE", "1107"),
  binary("_CMDLINE", Buffer.from("some\nbinary\0value")), // a field we do not keep
  binary("MESSAGE", binaryMessage),
  END,
  text("__CURSOR", "s=1;i=3"),
  text("_TRANSPORT", "kernel"),
  text("MESSAGE", "eth0: link up"),
  END,
]);

const expected = (source: string): SourceLine[] => [
  {
    source,
    line: 1,
    text: 'AVC apparmor="DENIED" operation="open" name="/etc/shadow"',
    meta: {
      format: "journal-export",
      host: "myhost",
      realtimeUsec: 1732846380123456,
      sourceRealtimeUsec: 1732846380120000,
      transport: "audit",
      auditSerial: "4242",
      auditType: "AVC",
      identifier: "audit",
      pid: 77,
    },
  },
  {
    source,
    line: 2,
    text: "USER_AVC pid=1 msg='apparmor=\"DENIED\" operation=\"dbus_method_call\"\n exe=\"/usr/bin/x\ufffd\"'",
    meta: { format: "journal-export", realtimeUsec: 1732846381000000, transport: "audit", auditSerial: "4243", auditType: "1107" },
  },
  { source, line: 3, text: "eth0: link up", meta: { format: "journal-export", transport: "kernel" } },
];

describe("journalctl -o export input", () => {
  it("parses text and binary-safe fields into one SourceLine per entry", async () => {
    const path = join(dir, "entries.export");
    writeFileSync(path, exportData);
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.skips).toEqual([]);
    expect(r.lines).toEqual(expected(path));
    expect(r.onLine).toBe(3);
    expect(r.done).toEqual([
      { source: path, compression: "plain", container: "journal-export", lines: 3, bytes: exportData.length },
    ]);
  });

  it("gives the same result when the bytes arrive one at a time", async () => {
    const chunks = Array.from(exportData, (b) => Buffer.from([b]));
    const r = await collect(["-"], { stdin: Readable.from(chunks) });
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual(expected("-"));
  });

  it("emits a last entry that has no closing empty line", async () => {
    const path = join(dir, "no-final-blank.export");
    writeFileSync(path, Buffer.concat([text("__CURSOR", "c"), text("_TRANSPORT", "kernel"), Buffer.from("MESSAGE=last one")]));
    const r = await collect([path]);
    expect(r.lines).toEqual([{ source: path, line: 1, text: "last one", meta: { format: "journal-export", transport: "kernel" } }]);
    expect(r.errors).toEqual([]);
  });

  it("filters on MESSAGE and skips entries whose MESSAGE is too long without keeping it", async () => {
    const path = join(dir, "filter.export");
    writeFileSync(
      path,
      Buffer.concat([
        text("__CURSOR", "1"),
        text("MESSAGE", "plain kernel chatter"),
        END,
        text("__CURSOR", "2"),
        binary("MESSAGE", Buffer.alloc(300_000, 0x61)),
        END,
        text("__CURSOR", "3"),
        text("MESSAGE", "x".repeat(101)),
        END,
        text("__CURSOR", "4"),
        text("MESSAGE", 'apparmor="DENIED"'),
        END,
        text("__CURSOR", "5"),
        END,
      ]),
    );
    const r = await collect([path], { filter: (t) => t.includes("apparmor="), maxLineLength: 100 });
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([[4, 'apparmor="DENIED"']]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual([
      [2, "line-too-long", "journal MESSAGE longer than 100 characters"],
      [3, "line-too-long", "journal MESSAGE longer than 100 characters"],
      [5, "journal-no-message", "journal entry without MESSAGE"],
    ]);
    expect(r.onLine).toBe(5);
  });

  it("a binary field cut short by the end of the data is one skipped entry; the complete entries before it are kept", async () => {
    const path = join(dir, "cut.export");
    const cutField = binary("MESSAGE", Buffer.from("this value is cut")).subarray(0, 20);
    writeFileSync(path, Buffer.concat([text("__CURSOR", "1"), text("MESSAGE", "complete"), END, text("__CURSOR", "2"), cutField]));
    const r = await collect([path]);
    expect(r.lines.map((l) => l.text)).toEqual(["complete"]);
    expect(r.errors).toEqual([]);
    expect(r.skips.map((k) => [k.line, k.code, k.message])).toEqual([
      [2, "journal-export-invalid", "malformed journal export entry (the data ends inside a binary field)"],
    ]);
  });

  const journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].find((p) => existsSync(p));
  const remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"].find((p) =>
    existsSync(p),
  );
  it.skipIf(!journalctl || !remote)(
    "reads a binary .journal file through journalctl (skipped without journalctl and systemd-journal-remote to build one)",
    async () => {
      const exportPath = join(dir, "source.export");
      // journal-remote needs a boot id and monotonic time on every entry.
      const entry = (cursor: string, fields: Buffer[]) =>
        Buffer.concat([
          text("__REALTIME_TIMESTAMP", cursor === "1" ? "1732846380123456" : "1732846381000000"),
          text("__MONOTONIC_TIMESTAMP", cursor),
          text("_BOOT_ID", "0123456789abcdef0123456789abcdef"),
          ...fields,
          END,
        ]);
      writeFileSync(
        exportPath,
        Buffer.concat([
          entry("1", [text("_HOSTNAME", "myhost"), text("_TRANSPORT", "audit"), text("_AUDIT_ID", "4242"), text("_AUDIT_TYPE_NAME", "AVC"), text("MESSAGE", 'AVC apparmor="DENIED" operation="open"')]),
          entry("2", [text("_TRANSPORT", "audit"), text("_AUDIT_ID", "4243"), binary("MESSAGE", binaryMessage)]),
        ]),
      );
      const journalPath = join(dir, "converted.journal");
      const conv = spawnSync(remote!, ["-o", journalPath, exportPath], { encoding: "utf8" });
      if (conv.status !== 0 || !existsSync(journalPath)) {
        throw new Error(`systemd-journal-remote could not build the journal: ${conv.stderr}`);
      }
      const r = await collect([journalPath]);
      expect(r.errors).toEqual([]);
      expect(r.lines.map((l) => [l.line, l.text, l.meta?.format, l.meta?.auditSerial, l.meta?.realtimeUsec])).toEqual([
        [1, 'AVC apparmor="DENIED" operation="open"', "journal-export", "4242", 1732846380123456],
        [2, expected("x")[1]!.text, "journal-export", "4243", 1732846381000000],
      ]);
      expect(r.lines[0]!.meta).toMatchObject({ host: "myhost", transport: "audit", auditType: "AVC" });
      // Progress counts the journal file's size on disk, not journalctl's output.
      expect(r.bytes).toBe(statSync(journalPath).size);
      expect(r.done).toEqual([
        { source: journalPath, compression: "plain", container: "journal-export", lines: 2, bytes: statSync(journalPath).size },
      ]);
    },
  );

  it("binary journal data on stdin is one clear error", async () => {
    const data = Buffer.concat([Buffer.from("LPKSHHRH"), Buffer.alloc(64)]);
    const r = await collect(["-"], { stdin: Readable.from([data]) });
    expect(r.lines).toEqual([]);
    expect(r.errors).toEqual([["-", "binary journal data on stdin; pass the file's path so journalctl can read it"]]);
  });
});
