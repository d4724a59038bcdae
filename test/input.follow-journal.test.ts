/**
 * Following a real journal: a .journal file built with systemd-journal-remote from an export
 * stream, read live by the real journalctl, and resumed after a saved cursor without repeats.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalFollower } from "../src/input/follow-journal.js";
import type { SourceLine } from "../src/parse/record.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-follow-journal-"));
const journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].find((p) => existsSync(p));
const remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"].find((p) => existsSync(p));

function exportEntry(n: number, transport: string, message: string): string {
  return [
    `__CURSOR=c${n}`,
    `__REALTIME_TIMESTAMP=${1764382500000000 + n * 1000}`,
    `__MONOTONIC_TIMESTAMP=${1000 + n}`,
    "_BOOT_ID=0123456789abcdef0123456789abcdef",
    "_HOSTNAME=tw-laptop",
    `_TRANSPORT=${transport}`,
    `MESSAGE=${message}`,
    "",
    "",
  ].join("\n");
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!journalctl || !remote)("JournalFollower on a real .journal file (skipped without journalctl and systemd-journal-remote)", () => {
  const journal = join(dir, "host.journal");
  const exportPath = join(dir, "host.export");
  writeFileSync(
    exportPath,
    exportEntry(1, "kernel", 'audit: type=1400 audit(1764382500.001:1): apparmor="DENIED" operation="open" profile="passt" name="/dev/net/tun" pid=1 comm="pasta" requested_mask="rw" denied_mask="rw"') +
      exportEntry(2, "syslog", "not an audit message") +
      exportEntry(3, "audit", 'AVC apparmor="DENIED" operation="open" profile="passt" name="/proc/42/ns/net" pid=3 comm="pasta" requested_mask="r" denied_mask="r"'),
  );
  const conv = spawnSync(remote ?? "true", ["-o", journal, exportPath], { encoding: "utf8" });

  it("delivers the kernel and audit transports, and resumes after the saved cursor", async () => {
    expect(conv.status, conv.stderr).toBe(0);
    const lines: SourceLine[] = [];
    let cursor: string | undefined;
    const f = new JournalFollower({ files: [journal], fromStart: true, onLines: (l) => lines.push(...l), onCursor: (c) => (cursor = c) });
    f.start();
    await until(() => lines.length === 2, "two entries");
    await f.stop();
    expect(lines.map((l) => [l.text.slice(0, 20), l.meta?.transport, l.meta?.host])).toEqual([
      ["audit: type=1400 aud", "kernel", "tw-laptop"],
      ["AVC apparmor=\"DENIED", "audit", "tw-laptop"],
    ]);
    expect(cursor).toBeDefined();

    // Resume after the first entry's cursor: only the later one, nothing twice.
    const first: SourceLine[] = [];
    let firstCursor: string | undefined;
    const g = new JournalFollower({ files: [journal], fromStart: true, onLines: (l) => first.push(...l), onCursor: (c) => (firstCursor ??= c) });
    g.start();
    await until(() => first.length === 2, "entries for a cursor");
    await g.stop();
    const resumed: SourceLine[] = [];
    const h = new JournalFollower({ files: [journal], cursor: firstCursor!, onLines: (l) => resumed.push(...l) });
    h.start();
    await until(() => resumed.length === 1, "the entry after the cursor");
    await new Promise((r) => setTimeout(r, 200));
    await h.stop();
    expect(resumed.map((l) => l.meta?.transport)).toEqual(["audit"]);
  }, 30_000);
});
