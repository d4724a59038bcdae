/**
 * A pid inside a path (`/proc/4711/mounts`) changes with every repeat of a denial, as `pid=`
 * does. The memo cuts those digits out of its key too, so a repeat shares the first parse; the
 * repeat's values are rebuilt with its own digits and equal what the grammar gives for its line.
 * The body's analysis is not shared (the resource and the literal object are the repeat's own).
 */
import { describe, expect, it } from "vitest";
import { parseLine, parseWithGrammar } from "../src/parse/parse-line.js";
import { bodyKey, fromMemo, lineVariables, templateOf } from "../src/parse/memo.js";
import type { AuditRecord } from "../src/parse/record.js";
import { aalens } from "./helpers/cli.js";

let serial = 7000;
const avc = (body: string, pid = 100) =>
  `type=AVC msg=audit(1764382390.${String(++serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" operation="open" class="file" profile="memo-proc" ${body} pid=${pid} comm="ps" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000`;
const viaMemo = (text: string) => parseLine({ source: "m", line: 1, text })!.record!;
/** Read a body once, so the memo holds it. */
const prime = viaMemo;
/** The record the memo makes for a line (failing when the memo has no template for it). */
const memoOnly = (text: string) => {
  const r = fromMemo(lineVariables(text)!, "m", 1, undefined);
  expect(r, "made from the memo").toBeDefined();
  return r!;
};
const viaGrammar = (text: string) => parseWithGrammar({ source: "m", line: 1, text })!.record!;
const body = (r: AuditRecord) => ({ type: r.type, auditId: r.auditId, time: r.time, mode: r.mode, host: r.host, fields: { ...r.fields }, msg: r.msg === null ? null : { ...r.msg } });

describe("the parse memo and /proc/PID in a path", () => {
  it("makes a repeat with another /proc pid from the first parse, equal to the grammar's record", () => {
    const first = avc('name="/proc/4711/mounts"');
    const repeat = avc('name="/proc/93120/mounts"', 200);
    expect(bodyKey(lineVariables(first)!)).toBe(bodyKey(lineVariables(repeat)!));
    prime(first);
    const r = memoOnly(repeat);
    expect(r.fields.name).toBe("/proc/93120/mounts");
    expect(body(r)).toEqual(body(viaGrammar(repeat)));
  });

  it("rebuilds every /proc pid of a value and of several values", () => {
    // (A task id after /proc/PID/task/ is not cut: a line with another one is another body.)
    const text = (a: number, b: number, c: number) => avc(`name="/proc/${a}/root/proc/${b}/task/7/stat" target="/proc/${c}/"`);
    prime(text(10, 11, 12));
    const line = text(500, 501, 502);
    expect(bodyKey(lineVariables(line)!)).toBe(bodyKey(lineVariables(text(10, 11, 12))!));
    const r = memoOnly(line);
    expect([r.fields.name, r.fields.target]).toEqual(["/proc/500/root/proc/501/task/7/stat", "/proc/502/"]);
    expect(body(r)).toEqual(body(viaGrammar(line)));
  });

  it("never confuses where the digits were cut", () => {
    // The same text but for the digits, and the digits in another place: two keys.
    const a = avc('name="/proc/1/a /proc//b"');
    const b = avc('name="/proc//a /proc/2/b"');
    expect(bodyKey(lineVariables(a)!)).not.toBe(bodyKey(lineVariables(b)!));
    prime(a);
    expect(viaMemo(b).fields.name).toBe("/proc//a /proc/2/b");
  });

  it("parses with the grammar when the digits cannot be placed for certain", () => {
    // The same pid twice: which copy goes where would be a guess.
    const twice = (p: number) => avc(`name="/proc/${p}/root/proc/${p}/x"`);
    viaMemo(twice(31));
    const line = twice(32);
    expect(body(viaMemo(line))).toEqual(body(viaGrammar(line)));
    expect(viaMemo(twice(33)).fields.name).toBe("/proc/33/root/proc/33/x");
    // A USER_AVC's outer values come first in the record but may follow its msg in the line.
    const user = (s: number, a: number, b: number) =>
      `type=USER_AVC msg=audit(1764382391.${s}:${s}): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='apparmor="DENIED" operation="dbus_method_call" bus="system" path="/proc/${a}/a" interface="org.x.Y" member="M" mask="send" name="org.x" label="memo-proc" peer_label="unconfined"' exe="/proc/${b}/b"`;
    prime(user(201, 5, 8));
    const u = user(202, 6, 7);
    expect(fromMemo(lineVariables(u)!, "m", 1, undefined)).toBeUndefined();
    expect(body(viaMemo(u))).toEqual(body(viaGrammar(u)));
    // A name written in hex holds /proc/ only once decoded: the line's digits are elsewhere.
    const hex = (p: number) => avc(`name=2F70726F632F31322F78 info="/proc/${p}/"`);
    prime(hex(40));
    const h = viaMemo(hex(41));
    expect([h.fields.name, h.fields.info]).toEqual(["/proc/12/x", "/proc/41/"]);
  });

  it("shares the parse, not the body's analysis: each repeat keeps its own object", () => {
    const lines = [1201, 1202, 1203, 1204].map((p, i) => avc(`name="/proc/${p}/mountinfo"`, 300 + i));
    expect(templateOf(viaMemo(lines[0]!))).toBeUndefined();
    const run = aalens(["analyze", "--format", "json", "--no-policy", "-"], lines.join("\n") + "\n");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { rules: Array<{ profile: string; rule: string; covers: { count: number; objects: string[] } }> };
    const rules = report.rules.filter((r) => r.profile === "memo-proc");
    expect(rules.map((r) => [r.rule, r.covers.count])).toEqual([["owner @{PROC}/@{pid}/mountinfo r,", 4]]);
    expect(rules[0]!.covers.objects).toEqual(["/proc/1201/mountinfo", "/proc/1202/mountinfo", "/proc/1203/mountinfo", "/proc/1204/mountinfo"]);
  });
});
