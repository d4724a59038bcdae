/**
 * Shapes seen in other projects' test suites, bug-report pastes and hostile logs: each is read
 * exactly, or kept with a coded warning; none throws.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { appArmorFields } from "../src/parse/apparmor-fields.js";
import { recordHeader } from "../src/parse/record-header.js";
import { recordTypeName } from "../src/parse/record-types.js";

const parse = (text: string) => parseLine({ source: "t", line: 1, text });
const record = (text: string) => parse(text)!.record!;
const codes = (text: string) => (record(text).warnings ?? []).map((w) => w.code);

describe("audit stamps outside the Date range", () => {
  it("keeps the record, leaves its time empty and warns (13-digit seconds and up)", () => {
    for (const stamp of ["8640000000001.000:2", "9999999999999.123:1", "123456789012345678901234567890.5:7"]) {
      const r = record(`type=AVC msg=audit(${stamp}): apparmor="DENIED" operation="open" profile="x" name="/a" pid=1`);
      expect(r.time).toBeNull();
      expect(r.auditId).toBe(stamp);
      expect(r.fields.name).toBe("/a");
      expect(r.warnings?.map((w) => w.code)).toEqual(["stamp-out-of-range"]);
    }
  });

  it("gives a header-only record an empty time too", () => {
    const h = recordHeader("t", 1, "type=SYSCALL msg=audit(9999999999999.123:1): arch=c000003e syscall=2");
    expect(h).toMatchObject({ type: "SYSCALL", auditId: "9999999999999.123:1", time: null });
  });

  it("reads the last representable millisecond", () => {
    expect(record('type=AVC msg=audit(253402300799.999:1): apparmor="DENIED" operation="open" profile="x" pid=1').time).toBe("9999-12-31T23:59:59.999Z");
  });
});

describe("keys named like object members", () => {
  const members = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "isPrototypeOf"];

  it("are ordinary keys of the record, and absent ones are absent", () => {
    const text = `type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" ${members.map((m) => `${m}=1`).join(" ")} name="/x"`;
    const r = record(text);
    for (const m of members) expect(Object.getOwnPropertyDescriptor(r.fields, m)?.value).toBe("1");
    expect(r.fields.name).toBe("/x");
    const bare = record('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p"');
    for (const m of members) expect(bare.fields[m]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r)).fields.constructor).toBe("1");
  });

  it("as values name no mode, no type and no field", () => {
    const r = record('type=toString msg=audit(1.2:3): apparmor="constructor" operation="__proto__" profile="valueOf" pid=1');
    expect(r.mode).toBeNull();
    expect(r.type).toBe("toString");
    const f = appArmorFields(r);
    expect(f.operation).toBe("__proto__");
    expect(f.profile).toBe("valueOf");
    expect(recordTypeName("constructor")).toBe("constructor");
  });
});

describe("values", () => {
  it("splits ENRICHED keys pasted without the \\x1d separator", () => {
    const r = record('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" name="/x" fsuid=1000 ouid=0FSUID="root" OUID="root"');
    expect(r.fields).toMatchObject({ ouid: "0", FSUID: "root", OUID: "root", fsuid: "1000" });
    expect(r.warnings?.map((w) => w.code)).toEqual(["enriched-unseparated"]);
    expect(appArmorFields(r).ouid).toBe(0);
  });

  it("reads a label printed with its own = and mode (subj==/usr/sbin/ntpd (enforce))", () => {
    const r = record("type=USER_AVC msg=audit(1.2:3): pid=1 uid=0 auid=4294967295 ses=4294967295 subj==/usr/sbin/ntpd (enforce) msg='apparmor=\"DENIED\" operation=\"dbus_method_call\" bus=\"system\" mask=\"send\" label=\"/usr/sbin/ntpd\"'");
    expect(r.fields.subj).toBe("/usr/sbin/ntpd (enforce)");
    expect(r.msg?.label).toBe("/usr/sbin/ntpd");
  });

  it("keeps a brace value whole (SADDR={ fam=netlink nlnk-fam=16 nlnk-pid=0 })", () => {
    const r = record("type=SOCKADDR msg=audit(1.2:3): saddr=100000000000000000000000\x1dSADDR={ fam=netlink nlnk-fam=16 nlnk-pid=0 }");
    expect(r.fields.SADDR).toBe("{ fam=netlink nlnk-fam=16 nlnk-pid=0 }");
    expect(Object.keys(r.fields)).toEqual(["saddr", "SADDR"]);
  });

  it("keeps the first of a duplicated key and warns once", () => {
    const r = record('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" name="/a" name="/b" name="/c"');
    expect(r.fields.name).toBe("/a");
    expect(r.warnings).toEqual([{ code: "duplicate-key", message: "name= given twice (first value kept)" }]);
  });

  it("does not count beyond the safe integers as numbers", () => {
    const f = appArmorFields(record('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" pid=99999999999999999999 fsuid=-1 ouid=abc'));
    expect(f.pid).toBeUndefined();
    expect(f.fsuid).toBe(-1);
    expect(f.ouid).toBeUndefined();
    expect(codes('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" pid=99999999999999999999 fsuid=-1')).toEqual(["number-out-of-range"]);
    expect(codes('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" pid=4194304 auid=4294967295 exit=-13')).toEqual([]);
  });
});

describe("record types", () => {
  it("names numeric types as linux/audit.h does", () => {
    expect(recordTypeName("1406")).toBe("MAC_UNLBL_ALLOW");
    expect(recordTypeName("UNKNOWN[1420]")).toBe("MAC_TASK_CONTEXTS");
    expect(recordTypeName("1421")).toBe("MAC_OBJ_CONTEXTS");
    expect(recordTypeName("1336")).toBe("URINGOP");
    expect(recordTypeName("1503")).toBe("APPARMOR_DENIED");
    expect(recordTypeName("1999")).toBe("UNKNOWN[1999]");
  });
});

describe("lexer errors", () => {
  it("cost one warning per record, whatever the count of odd characters", () => {
    const text = 'type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" ' + '"\x01'.repeat(30_000);
    const r = record(text);
    expect(r.fields.profile).toBe("p");
    expect((r.warnings ?? []).length).toBeLessThanOrEqual(2);
  });

  it("read control bytes, non-ASCII and odd blanks as words, not as errors", () => {
    expect(codes('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" \x01\x02 é \u00a0 \u2028 \ud800 x')).toEqual([]);
  });
});
