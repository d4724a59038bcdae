/**
 * The byte-level framing of audit logs gives the same lines, line numbers, counts and skips
 * wherever the reads cut the input: inside a line, right after a newline, between CR and LF,
 * inside an overlong line, or one byte at a time.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readStream } from "../src/input/read-stream.js";
import { ANALYSIS_MARKERS } from "../src/input/keep-line.js";
import { ROOT } from "./helpers/cli.js";

const MAX = 2000;

/** An audit.log with companions before and after their AVCs, CRLF endings, an overlong line and no final newline. */
function auditLog(): Buffer {
  const sample = readFileSync(join(ROOT, "samples", "audit.log"), "latin1");
  const extra = [
    "type=SYSCALL msg=audit(1764382400.001:9001): arch=c000003e syscall=257 success=no exit=-13 pid=77 comm=\"pasta\" exe=\"/usr/bin/pasta\"",
    "type=AVC msg=audit(1764382400.001:9001): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"passt\" name=\"/dev/net/tun\" pid=77 comm=\"pasta\" requested_mask=\"wr\" denied_mask=\"wr\" fsuid=1000 ouid=0\r",
    "type=CWD msg=audit(1764382400.001:9001): cwd=\"/home/alice\"",
    "type=USER_START msg=audit(1764382400.002:9002): pid=1 uid=0 msg='op=PAM:session_open acct=\"alice\" res=success'",
    `type=AVC msg=audit(1764382400.003:9003): apparmor="DENIED" operation="open" profile="passt" name="/${"x".repeat(3 * MAX)}" pid=78`,
    "type=EOE msg=audit(1764382400.001:9001): ",
  ].join("\n");
  return Buffer.from(sample + extra + "\ntype=AVC msg=audit(1764382400.004:9004): apparmor=\"DENIED\" operation=\"capable\" profile=\"passt\" pid=79 comm=\"pasta\" capability=12 capname=\"net_admin\"", "latin1");
}

async function frame(data: Buffer, cut: (i: number) => number) {
  async function* pieces() {
    for (let at = 0, i = 0; at < data.length; i++) {
      const n = Math.max(1, cut(i));
      yield data.subarray(at, at + n);
      at += n;
    }
  }
  const lines: string[] = [];
  const counted: string[] = [];
  const skipped: string[] = [];
  for await (const batch of readStream("audit.log", pieces(), {
    maxLineLength: MAX,
    markers: ANALYSIS_MARKERS,
    onRecordCounted: (type) => counted.push(type),
    onSkip: (s) => skipped.push(`${s.line} ${s.code}`),
  })) {
    for (const l of batch) lines.push(`${l.line}: ${l.text}`);
  }
  return { lines, counted: counted.sort(), skipped };
}

/** Kernel messages through syslog: kept by their markers alone (no auditd header). */
function kernLog(): Buffer {
  return Buffer.from(readFileSync(join(ROOT, "samples", "kern.log"), "latin1").repeat(3), "latin1");
}

async function expectSameEverywhere(data: Buffer) {
  const whole = await frame(data, () => data.length);
  for (const cut of [() => 1, () => 7, () => 64, () => 1000, () => 4096, (i: number) => [3, 500, 1, 2500, 90][i % 5]!]) {
    expect(await frame(data, cut)).toEqual(whole);
  }
  // Cut right before every LF and right after it.
  const nls = [...data.keys()].filter((i) => data[i] === 0x0a);
  for (const offset of [0, 1]) {
    const cuts = nls.map((p, k) => p + offset - (k === 0 ? 0 : nls[k - 1]! + offset));
    expect(await frame(data, (i) => cuts[i] ?? data.length)).toEqual(whole);
  }
  return whole;
}

describe("framing across read boundaries", () => {
  it("gives the same syslog lines for every way of cutting the input", async () => {
    const whole = await expectSameEverywhere(kernLog());
    expect(whole.lines.filter((l) => l.includes("apparmor=")).length).toBeGreaterThan(6);
  }, 60_000);

  it("gives the same audit.log lines, counts and skips for every way of cutting the input", async () => {
    const data = auditLog();
    const whole = await expectSameEverywhere(data);
    expect(whole.lines.length).toBeGreaterThan(10);
    expect(whole.lines.some((l) => l.includes("/dev/net/tun"))).toBe(true);
    expect(whole.lines.some((l) => l.startsWith("CWD") || l.includes("type=CWD msg=audit(1764382400.001:9001)"))).toBe(true);
    expect(whole.counted).toContain("USER_START");
    expect(whole.skipped).toHaveLength(1);
    expect(whole.lines.at(-1)).toContain("net_admin");
  }, 60_000);
});
