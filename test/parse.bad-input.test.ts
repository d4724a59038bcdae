/**
 * Hostile and broken lines never crash the parser, never lose what could be read, and always say
 * why something was odd.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";

const parse = (text: string) => parseLine({ source: "bad", line: 7, text });
const GOOD = 'type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="open" class="file" profile="passt" name="/dev/net/tun" pid=24790 comm="pasta" requested_mask="wr" denied_mask="wr" fsuid=1000 ouid=0';

describe("bad input", () => {
  it("survives random binary garbage around audit markers", () => {
    for (let i = 0; i < 300; i++) {
      const junk = randomBytes(64 + (i % 200)).toString("latin1");
      const text = i % 2 ? `type=AVC msg=audit(1.2:3): ${junk}` : `${junk} apparmor="DENIED" ${junk}`;
      expect(() => parse(text)).not.toThrow();
    }
  });

  it("keeps a record whose value holds invalid UTF-8 (decoded as U+FFFD)", () => {
    const text = Buffer.concat([Buffer.from('type=AVC msg=audit(1.2:3): apparmor="DENIED" name="/tmp/'), Buffer.from([0xff, 0xfe]), Buffer.from('" pid=1')]).toString("utf8");
    const r = parse(text)!.record!;
    expect(r.fields.name).toBe("/tmp/\uFFFD\uFFFD");
    expect(r.fields.pid).toBe("1");
  });

  it("reports a truncated header as unparsed with a reason", () => {
    const r = parse("type=AVC msg=audit(1764382380.412:1250): ");
    expect(r?.skipped?.code).toBe("truncated-header");
    expect(r?.skipped?.message).toMatch(/without key=value pairs/);
    expect(r?.skipped?.line).toBe(7);
  });

  it("keeps every pair before the cut of a truncated line", () => {
    const cut = GOOD.slice(0, GOOD.indexOf("pid=") + 6);
    const r = parse(cut)!.record!;
    expect(r.fields).toMatchObject({ profile: "passt", name: "/dev/net/tun", pid: "24" });
  });

  it("flags an unterminated quote and keeps the rest of the line as its value", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" name="/tmp/x pid=5')!.record!;
    expect(r.fields.name).toBe("/tmp/x pid=5");
    expect(r.warnings).toEqual([{ code: "unterminated-quote", message: "unterminated quote in name=" }]);
  });

  it("flags odd-length and lower-case hex instead of decoding garbage", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" name=2F746D7 comm=2f746d70 profile=70617373')!.record!;
    expect(r.fields).toMatchObject({ name: "2F746D7", comm: "2f746d70", profile: "pass" });
    expect(r.warnings).toEqual([
      { code: "hex-odd-length", message: "odd-length hex in name= kept undecoded" },
      { code: "hex-lower-case", message: "lower-case hex in comm= kept undecoded" },
    ]);
  });

  it("flags stray quotes but keeps the pairs after them", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" " operation="open" name="/x"')!.record!;
    expect(r.fields).toMatchObject({ operation: "open", name: "/x" });
    expect(r.warnings?.[0]).toMatchObject({ code: "stray-character", message: expect.stringMatching(/stray/) });
  });

  it("gives excerpts without control characters", () => {
    const r = parse("\x1b[2Jtype=AVC msg=audit(1.2:3):\x07 ");
    expect(r?.skipped?.excerpt).not.toMatch(/[\x00-\x1f]/);
  });

  it("reads a 1 MB record line (a quadratic lexer would time out here)", () => {
    const long = GOOD + " " + "x=y ".repeat(250_000);
    const r = parse(long)!.record!;
    expect(r.fields).toMatchObject({ name: "/dev/net/tun", x: "y" });
  });
});
