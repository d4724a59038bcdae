/**
 * The analysis frames text logs at the byte level: a line becomes a string only when it holds an
 * AppArmor (or, outside auditd records, a pasta or audit) marker, or is a companion of an
 * AppArmor record — before or after it; every other auditd record is counted by its type.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANALYSIS_MARKERS } from "../src/input/keep-line.js";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-bytes-"));
const AVC = (id: string) => `type=AVC msg=audit(${id}): apparmor="DENIED" operation="open" class="file" profile="passt" name="/dev/net/tun" pid=7 comm="pasta" requested_mask="rw" denied_mask="rw" fsuid=0 ouid=0`;
const SYSCALL = (id: string, comm = "pasta") => `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=257 success=no exit=-13 ppid=6 pid=7 comm="${comm}" exe="/usr/bin/passt"`;
const CWD = (id: string) => `type=CWD msg=audit(${id}): cwd="/home/alice"`;
const EOE = (id: string) => `type=EOE msg=audit(${id}): `;

async function frame(lines: string[]) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(path, lines.join("\n") + "\n");
  const counted: string[] = [];
  const r = await collect([path], { markers: ANALYSIS_MARKERS, onRecordCounted: (t) => counted.push(t) });
  return { kept: r.lines.map((l) => [l.line, l.text.slice(0, 12)]), counted, lines: r.onLine };
}

describe("byte-level framing of text logs", () => {
  it("keeps an AppArmor record and the companions after it; counts the other records by type", async () => {
    const r = await frame([
      "type=DAEMON_START msg=audit(1.0:1): op=start ver=3.0",
      AVC("2.0:5"), SYSCALL("2.0:5"), CWD("2.0:5"), "type=PATH msg=audit(2.0:5): item=0 name=\"/dev/net/tun\"", EOE("2.0:5"),
      SYSCALL("3.0:6", "bash"), CWD("3.0:6"), EOE("3.0:6"),
    ]);
    expect(r.kept).toEqual([[2, "type=AVC msg"], [3, "type=SYSCALL"], [4, "type=CWD msg"], [6, "type=EOE msg"]]);
    expect(r.counted.sort()).toEqual(["CWD", "DAEMON_START", "EOE", "PATH", "SYSCALL"]);
    expect(r.lines).toBe(9);
  });

  it("hands over companions that came before their AppArmor record, just before it", async () => {
    const r = await frame([SYSCALL("4.0:9"), CWD("4.0:9"), "type=USER_LOGIN msg=audit(4.1:10): pid=1 uid=0", AVC("4.0:9")]);
    expect(r.kept).toEqual([[1, "type=SYSCALL"], [2, "type=CWD msg"], [4, "type=AVC msg"]]);
    expect(r.counted).toEqual(["USER_LOGIN"]);
  });

  it("hands a body the parser must judge to the parser (truncated, no stamp, old AppArmor types)", async () => {
    const r = await frame(["type=AVC msg=audit(5.0:1): ", "type=SYSCALL arch=c000003e", "type=APPARMOR msg=audit(5.0:2): msg=audit(5.0:2): REJECTING r access to /x", "type=UNKNOWN[1503] msg=audit(5.0:3): operation=\"open\""]);
    expect(r.kept.map(([line]) => line)).toEqual([1, 2, 3, 4]);
    expect(r.counted).toEqual([]);
  });

  it("outside auditd records keeps pasta's and the kernel's lines; inside them only AppArmor's", async () => {
    const r = await frame([
      "Nov 29 09:12:03 host podman[1]: Error: pasta failed with exit code 1: Couldn't open network namespace /proc/3026/ns/net: Permission denied",
      "Nov 29 09:12:04 host kernel: audit: type=1300 audit(1.5:7): arch=c000003e syscall=1",
      "Nov 29 09:12:05 host sshd[9]: Accepted publickey for alice",
      'type=EXECVE msg=audit(6.0:1): argc=2 a0="pasta" a1="--config-net"',
    ]);
    expect(r.kept.map(([line]) => line)).toEqual([1, 2]);
    expect(r.counted).toEqual(["EXECVE"]);
  });
});
