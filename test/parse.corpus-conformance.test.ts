/**
 * Conformance with libapparmor's test_multi corpus: for every case libapparmor parses (its .out
 * is not AA_RECORD_INVALID), each field it prints must equal ours, mapped label by label.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { appArmorFields, type AppArmorFields } from "../src/parse/apparmor-fields.js";
import { corpusAvailable, loadCorpus } from "./helpers/corpus.js";

const EVENT: Record<string, string> = {
  AUDIT: "AA_RECORD_AUDIT", ALLOWED: "AA_RECORD_ALLOWED", DENIED: "AA_RECORD_DENIED",
  HINT: "AA_RECORD_HINT", STATUS: "AA_RECORD_STATUS", ERROR: "AA_RECORD_ERROR",
};

/** .out label → our value (libapparmor prints numbers only when non-zero). */
const LABELS: Array<[string, (f: AppArmorFields) => string | number | undefined]> = [
  ["Operation", (f) => f.operation], ["Mask", (f) => f.requested], ["Denied Mask", (f) => f.denied],
  ["fsuid", (f) => f.fsuid], ["ouid", (f) => f.ouid], ["Profile", (f) => f.profile],
  ["Peer profile", (f) => f.peerProfile], ["Peer", (f) => f.peer], ["Name", (f) => f.name],
  ["Command", (f) => f.comm], ["Name2", (f) => f.target], ["Namespace", (f) => f.namespace],
  ["Attribute", (f) => f.attribute], ["Task", (f) => f.task || undefined], ["Parent", (f) => f.parent || undefined],
  ["Token", (f) => f.magicToken || undefined], ["Info", (f) => f.info], ["Peer info", (f) => f.peerInfo],
  ["ErrorCode", (f) => (f.error ? Math.abs(f.error) : undefined)], ["PID", (f) => f.pid || undefined],
  ["Peer PID", (f) => f.peerPid || undefined], ["Net Addr", (f) => f.addr], ["Peer Addr", (f) => f.peerAddr],
  ["Network family", (f) => f.family], ["Socket type", (f) => f.sockType], ["Protocol", (f) => f.protocolName],
  ["Local addr", (f) => f.localAddr], ["Foreign addr", (f) => f.foreignAddr],
  ["Local port", (f) => f.localPort || undefined], ["Foreign port", (f) => f.foreignPort || undefined],
  ["DBus bus", (f) => f.bus], ["DBus path", (f) => f.path], ["DBus interface", (f) => f.interface],
  ["DBus member", (f) => f.member], ["Signal", (f) => f.signal], ["FS Type", (f) => f.fstype],
  ["Flags", (f) => f.flags], ["Src name", (f) => f.srcname], ["Execpath", (f) => f.execpath], ["Class", (f) => f.class],
];

const cases = loadCorpus();
const valid = cases.filter((c) => c.event !== "AA_RECORD_INVALID");

describe.skipIf(!corpusAvailable)("libapparmor test_multi corpus", () => {
  it("has the 153 cases libapparmor parses", () => {
    expect(valid.length).toBe(153);
  });

  it.each(valid.map((c) => [c.name, c] as const))("%s: every field libapparmor prints matches", (_name, c) => {
    // The harness hands the whole file (newline included) to the parser as one record.
    const result = parseLine({ source: c.name, line: 1, text: c.input.replace(/\n$/, "") });
    expect(result?.record, "a record").toBeDefined();
    const record = result!.record!;
    const f = appArmorFields(record);
    const got = new Map<string, string>();
    got.set("Event type", record.mode === null ? "none" : EVENT[record.mode]!);
    if (record.auditId !== null) {
      const [, sec, serial] = /^(\d+)\.\d+:(\d+)$/.exec(record.auditId)!;
      got.set("Audit ID", record.auditId);
      if (+sec! !== 0) got.set("Epoch", String(+sec!));
      if (+serial! !== 0) got.set("Audit subid", String(+serial!));
    }
    for (const [label, get] of LABELS) {
      const v = get(f);
      if (v !== undefined) got.set(label, String(v));
    }
    const want = new Map(c.expected);
    want.set("Event type", c.event);
    // Compare only what libapparmor prints: every expected label must be ours too, same value.
    const mismatches: string[] = [];
    for (const [label, value] of want) if (got.get(label) !== value) mismatches.push(`${label}: want ${JSON.stringify(value)} got ${JSON.stringify(got.get(label))}`);
    expect(mismatches).toEqual([]);
  });
});

describe.skipIf(!corpusAvailable)("corpus lines libapparmor rejects", () => {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const parse = (name: string) => parseLine({ source: name, line: 1, text: byName.get(name)!.input.trimEnd() });

  it("reads a grep-prefixed audit.log line that libapparmor marks INVALID", () => {
    const r = parse("status-filesystem-enabled")?.record;
    expect(r?.mode).toBe("STATUS");
    expect(r?.fields.info).toBe("AppArmor Filesystem Enabled");
    expect(r?.auditId).toBe("1630913351.586:4");
  });

  it("keeps a record whose audit id is garbled, with a warning", () => {
    const r = parse("avc_audit_invalid_audit_id")?.record;
    expect(r?.auditId).toBeNull();
    expect(r?.fields.name).toBe("/home/user/.ssh/");
    expect(r?.warnings).toContainEqual({ code: "stamp-malformed", message: "malformed audit(…) stamp" });
  });

  it("treats syslog lines without any audit record as not records", () => {
    for (const n of ["syslog_other_01", "syslog_other_02", "syslog_other_03", "syslog_other_04"]) expect(parse(n)).toBeNull();
  });

  it("reads other audit record types generically", () => {
    const r = parse("testcase32")?.record;
    expect(r?.type).toBe("CRED_ACQ");
    expect(r?.mode).toBeNull();
    expect(r?.fields.pid).toBe("24337");
  });
});
