/**
 * A record wrapped over several physical lines — a bug-report paste, a terminal's wrap, the
 * libapparmor corpus's own dbus_09 case whose `exe=` goes on on an indented line — is read as
 * one record, with the line number of its first line; other lines are left alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mayBeAuditRecord } from "../src/input/keep-line.js";
import { collect } from "./helpers/collect.js";
import { CORPUS_DIR, corpusAvailable } from "./helpers/corpus.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-wrapped-"));
const read = async (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return collect([path], { filter: mayBeAuditRecord });
};

describe("wrapped records", () => {
  it.skipIf(!corpusAvailable)("joins libapparmor's dbus_09 case: exe= on an indented second line", async () => {
    const r = await read("dbus09.log", readFileSync(join(CORPUS_DIR, "testcase_dbus_09.in"), "utf8"));
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]!.line).toBe(1);
    expect(r.lines[0]!.text).toMatch(/peer_label="unconfined" exe="\/usr\/bin\/dbus-daemon" sauid=103 hostname=\? addr=\? terminal=\?'$/);
    expect(r.onLine).toBe(2);
  });

  it("joins a paste wrapped over three lines, and the record after it stays its own", async () => {
    const r = await read(
      "paste.txt",
      [
        'type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="signal" class="signal"',
        '    profile="passt" pid=24771 comm="podman" requested_mask="receive"',
        '    denied_mask="receive" signal=term peer="podman"',
        'type=AVC msg=audit(1764382380.413:1251): apparmor="DENIED" operation="open" profile="passt" name="/dev/net/tun"',
        "",
      ].join("\n"),
    );
    expect(r.lines.map((l) => l.line)).toEqual([1, 4]);
    expect(r.lines[0]!.text).toBe('type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="signal" class="signal" profile="passt" pid=24771 comm="podman" requested_mask="receive" denied_mask="receive" signal=term peer="podman"');
  });

  it("joins an unindented tail while a nested msg=' is still open", async () => {
    const r = await read("open-msg.log", "type=USER_AVC msg=audit(1.2:3): pid=1 uid=0 msg='apparmor=\"DENIED\" operation=\"dbus_method_call\"\nbus=\"system\" mask=\"send\"'\n");
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]!.text).toMatch(/operation="dbus_method_call" bus="system" mask="send"'$/);
  });

  it("leaves indented lines that carry no key=value alone, and joins nothing to a dropped line", async () => {
    const r = await read("other.log", "Nov 29 host podman[1]: Error: pasta failed\n    at main (x.go:1)\nplain line\n    a=b\n");
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([[1, "Nov 29 host podman[1]: Error: pasta failed"]]);
  });
});

describe("records hard-wrapped without indentation (a terminal's or a paste's wrap)", () => {
  const head = '[ 1234.567890] audit: type=1400 audit(1764382380.412:1250): apparmor="DENIED" operation="open" class="file" profile="passt" name="/run/user/1000/net';

  it("joins a tail cut inside a quoted value and one cut inside a key", async () => {
    const r = await read("hard.txt", `${head}\nns/netns-5d1f7c2e" pid=24790 comm="pasta" requested_mask="r" denied_m\nask="r" fsuid=1000 ouid=0\n`);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]!.text).toBe(`${head}ns/netns-5d1f7c2e" pid=24790 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`);
    expect(r.onLine).toBe(3);
  });

  it("never lets a line with an open quote swallow the record after it", async () => {
    const next = [
      'type=AVC msg=audit(1764382380.413:1251): apparmor="DENIED" operation="open" profile="p" name="/x" pid=1 comm="c"',
      'kernel: audit: type=1400 audit(1764382380.414:1252): apparmor="DENIED" operation="open" profile="p" name="/y"',
      'apparmor="DENIED" operation="open" profile="p" name="/z" pid=1',
      'msg=audit(1764382380.415:1253): apparmor="DENIED" operation="open" profile="p" name="/w"',
    ];
    for (const n of next) {
      const r = await read("open-quote.txt", `${head}\n${n}\n`);
      expect(r.lines.map((l) => l.text), n).toEqual([head, n]);
    }
  });

  it("does not join lines of a compressed archive (loggers never wrap) or after a complete pair", async () => {
    const { gzipSync } = await import("node:zlib");
    const path = join(dir, "hard.log.gz");
    writeFileSync(path, gzipSync(`${head}\nns/netns-5d1f7c2e" pid=24790\n`));
    expect((await collect([path], { filter: mayBeAuditRecord })).lines.map((l) => l.text)).toEqual([head, 'ns/netns-5d1f7c2e" pid=24790']);
    const complete = 'type=AVC msg=audit(1764382380.416:1254): apparmor="DENIED" operation="open" profile="p" name="/v" pid=1';
    const r = await read("complete.txt", `${complete}\nfsuid=0 ouid=0\n`);
    expect(r.lines.map((l) => l.text)).toEqual([complete]);
  });
});
