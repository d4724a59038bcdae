/**
 * Repeats of a body (new stamp, serial and pid) are made from the first parse: each repeat is
 * exactly the record the grammar would give, and is told apart from a true copy.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { lineVariables, templateOf } from "../src/parse/memo.js";
import { recordSignature } from "../src/events/assembler.js";
import type { LineMeta } from "../src/parse/record.js";

const line = (serial: number, pid: number, body = 'operation="open" class="file" profile="memo-a" name="/srv/memo" comm="d" requested_mask="r" denied_mask="r" fsuid=0 ouid=0') =>
  `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" ${body.replace('comm=', `pid=${pid} comm=`)}`;
const parse = (text: string, meta?: LineMeta) => parseLine({ source: "m", line: 1, text, ...(meta ? { meta } : {}) })!.record!;

describe("the parse memo", () => {
  it("reads only numeric stamps S.MS:SERIAL (1-15 digits, 3, at least 1) as its variable part", () => {
    const at = (stamp: string) => lineVariables(`type=AVC msg=audit(${stamp}): apparmor="DENIED" pid=7`);
    expect(at("1764382380.012:12")).toMatchObject({ stamp: "1764382380.012:12", epochMs: 1764382380012, pids: ["7"] });
    expect(at("1.000:1")?.epochMs).toBe(1000);
    expect(at("253402300799.999:123456789")?.epochMs).toBe(253402300799999); // the last millisecond of 9999
    expect(at("253402300800.000:1")).toBeUndefined();
    for (const bad of ["1764382380.12:12", "1764382380.0123:12", "1764382380.012:", "1764382380.012", ".012:1", "1234567890123456.000:1", "17643823a0.012:1", "1764382380.012:1x", "0.000:0", "1764382380,012:12"]) {
      expect(at(bad), bad).toBeUndefined();
    }
  });

  it("gives a repeat its own stamp, time and pid, and the body of the first", () => {
    const first = parse(line(11, 100));
    const repeat = parse(line(12, 200));
    const again = parse(line(13, 300));
    // Repeats share one template; the first record is the parser's own, shared with nothing.
    expect(templateOf(repeat)).toBeDefined();
    expect(templateOf(again)).toBe(templateOf(repeat));
    expect(templateOf(first)).toBeUndefined();
    expect(repeat).toMatchObject({ auditId: "1764382380.012:12", time: "2025-11-29T02:13:00.012Z", mode: "DENIED" });
    expect(repeat.fields.pid).toBe("200");
    expect(first.fields.pid).toBe("100");
    expect({ ...repeat.fields, pid: "100" }).toEqual(first.fields);
  });

  it("puts the nested msg's pid of a USER_AVC where it belongs", () => {
    const text = (s: number, outer: number, inner: number) =>
      `type=USER_AVC msg=audit(1764382381.${s}:${s}): pid=${outer} uid=103 auid=4294967295 ses=4294967295 msg='apparmor="DENIED" operation="dbus_method_call" bus="system" path="/o" interface="org.x.Y" member="M" mask="send" name="org.x" pid=${inner} label="memo-b" peer_pid=1 peer_label="unconfined" exe="/usr/bin/dbus-daemon"'`;
    parse(text(101, 640, 20596));
    const r = parse(text(102, 641, 30000));
    expect(r.fields.pid).toBe("641");
    expect(r.msg?.pid).toBe("30000");
    expect(r.msg?.peer_pid).toBe("1");
  });

  it("keeps each journal entry's own host", () => {
    const body = 'audit: type=1400 audit(1764382382.5:%s): apparmor="DENIED" operation="open" profile="memo-c" name="/x" pid=%p comm="c" requested_mask="r" denied_mask="r"';
    const a = parse(body.replace("%s", "501").replace("%p", "1"), { format: "journal-json", host: "h1" });
    const b = parse(body.replace("%s", "502").replace("%p", "2"), { format: "journal-json", host: "h2" });
    expect([a.host, b.host]).toEqual(["h1", "h2"]);
    expect(b.format).toBe("journal-json");
  });

  it("does not merge repeats as duplicates, and does merge a true copy", () => {
    const a = parse(line(21, 300));
    const b = parse(line(22, 300));
    const again = parse(line(21, 300));
    expect(recordSignature(a)).not.toBe(recordSignature(b));
    expect(recordSignature(again)).toBe(recordSignature(a));
    // The same record through the grammar (ENRICHED tail: another key) has the same signature.
    expect(recordSignature(parse(line(21, 300) + '\x1dFSUID="root"'))).toBe(recordSignature(a));
  });

  it("never memoises a record with warnings", () => {
    const odd = (s: number) => `type=AVC msg=audit(1764382383.${s}:${s}): apparmor="DENIED" operation="open" profile="memo-d" name=2F746D7 pid=5 comm="c"`;
    const a = parse(odd(601));
    const b = parse(odd(602));
    expect(a.warnings?.[0]?.code).toBe("hex-odd-length");
    expect(b.warnings?.[0]?.code).toBe("hex-odd-length");
    expect(templateOf(b)).toBeUndefined();
  });
});
