/**
 * Records of one syscall become one event — interleaved, out of order, with or without EOE —
 * and the same kernel event read from two sources is counted once.
 */
import { describe, expect, it } from "vitest";
import { EventAssembler, type AuditEvent } from "../src/events/assembler.js";
import { parseLine } from "../src/parse/parse-line.js";
import { recordHeader } from "../src/parse/record-header.js";
import type { AuditRecord, LineMeta } from "../src/parse/record.js";

const rec = (text: string, meta?: LineMeta): AuditRecord => parseLine({ source: "t", line: 1, text, ...(meta ? { meta } : {}) })!.record!;

function assemble(lines: string[], headersOnly = false): { events: AuditEvent[]; duplicates: number } {
  const events: AuditEvent[] = [];
  let duplicates = 0;
  const a = new EventAssembler({ onEvent: (e) => events.push(e), onDuplicate: () => duplicates++ });
  lines.forEach((text, i) => {
    const header = headersOnly ? recordHeader("t", i + 1, text) : null;
    if (header !== null) a.addHeader(header, text);
    else a.add(rec(text), text);
  });
  a.flush();
  return { events, duplicates };
}

const AVC = (id: string, name = "/dev/net/tun") => `type=AVC msg=audit(${id}): apparmor="DENIED" operation="open" class="file" profile="passt" name="${name}" pid=24790 comm="pasta" requested_mask="rw" denied_mask="rw" fsuid=1000 ouid=0`;
const SYSCALL = (id: string) => `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c items=1 ppid=24771 pid=24790 auid=1000 uid=1000 comm="pasta" exe="/usr/bin/passt" subj=passt key=(null)`;
const CWD = (id: string) => `type=CWD msg=audit(${id}): cwd="/home/alice"`;
const PROCTITLE = (id: string) => `type=PROCTITLE msg=audit(${id}): proctitle=${Buffer.from("pasta\0--config-net").toString("hex").toUpperCase()}`;
const EOE = (id: string) => `type=EOE msg=audit(${id}): `;

describe("event assembly", () => {
  for (const headersOnly of [false, true]) {
    const mode = headersOnly ? "companions read by header first" : "all records parsed";
    it(`joins AVC, SYSCALL, CWD and PROCTITLE of one id into one event (${mode})`, () => {
      const id = "1764382380.412:1250";
      const { events } = assemble([AVC(id), SYSCALL(id), CWD(id), PROCTITLE(id), EOE(id)], headersOnly);
      expect(events).toHaveLength(1);
      expect(events[0]!.process).toMatchObject({ pid: 24790, ppid: 24771, exe: "/usr/bin/passt", cwd: "/home/alice", cmdline: "pasta --config-net", success: false, exit: -13 });
      expect(events[0]!.companions.map((r) => r.type)).toEqual(["SYSCALL", "CWD", "PROCTITLE"]);
    });

    it(`keeps two interleaved events apart and takes companions that came first (${mode})`, () => {
      const a = "1764382380.412:1250";
      const b = "1764382380.413:1251";
      const { events } = assemble([SYSCALL(b), AVC(a), AVC(b, "/proc/1/ns/net"), CWD(a), SYSCALL(a), PROCTITLE(b)], headersOnly);
      expect(events).toHaveLength(2);
      const byId: Record<string, AuditEvent> = Object.fromEntries(events.map((e) => [e.auditId, e]));
      expect(byId[a]!.companions.map((r) => r.type).sort()).toEqual(["CWD", "SYSCALL"]);
      expect(byId[b]!.companions.map((r) => r.type).sort()).toEqual(["PROCTITLE", "SYSCALL"]);
    });
  }

  it("joins companions by id when the serial is not a number (a journal's _AUDIT_ID is any text)", () => {
    const events: AuditEvent[] = [];
    const a = new EventAssembler({ onEvent: (e) => events.push(e) });
    const withId = (text: string, auditId: string): AuditRecord => ({ ...rec(text), auditId });
    const ids = ["1764382380.412:abc", "1764382380.412:abd", "1764382380.412:12345678901234567890", "1764382380.412:12345678901234567891"];
    for (const id of ids) a.add(withId(AVC("1764382380.412:1"), id));
    for (const id of ids.slice().reverse()) a.add(withId(CWD("1764382380.412:1").replace("/home/alice", `/w/${id}`), id));
    a.flush();
    expect(events.map((e) => [e.auditId, e.process.cwd])).toEqual(ids.map((id) => [id, `/w/${id}`]));
  });

  it("closes events without EOE at the end of the input, losing none", () => {
    const { events } = assemble([AVC("1.001:1"), SYSCALL("1.001:1"), AVC("1.002:2"), AVC("1.003:3")]);
    expect(events.map((e) => e.auditId)).toEqual(["1.001:1", "1.002:2", "1.003:3"]);
  });

  it("closes an event once its serial is far behind, and attaches nothing later to it", () => {
    const events: AuditEvent[] = [];
    const a = new EventAssembler({ onEvent: (e) => events.push(e), serialWindow: 10 });
    a.add(rec(AVC("1.000:100")));
    a.add(rec(AVC("1.000:200", "/x")));
    expect(events.map((e) => e.auditId)).toEqual(["1.000:100"]);
  });

  it("counts the same kernel event once when the journal's kernel and audit transports both carry it", () => {
    const kernel = rec('audit: type=1400 audit(1764382500.121:2001): apparmor="DENIED" operation="open" class="file" profile="passt" name="/dev/net/tun" pid=30111 comm="pasta" requested_mask="r" denied_mask="r"', { format: "journal-json", host: "tw", transport: "kernel", realtimeUsec: 1764382500123456 });
    const audit = rec('AVC apparmor="DENIED" operation="open" class="file" profile="passt" name="/dev/net/tun" pid=30111 comm="pasta" requested_mask="r" denied_mask="r"', { format: "journal-json", host: "tw", transport: "audit", auditSerial: "2001", sourceRealtimeUsec: 1764382500121000, realtimeUsec: 1764382500124000 });
    expect(kernel.auditId).toBe(audit.auditId);
    const events: AuditEvent[] = [];
    let dup = 0;
    const a = new EventAssembler({ onEvent: (e) => events.push(e), onDuplicate: () => dup++ });
    a.add(kernel);
    a.add(audit);
    a.flush();
    expect(events).toHaveLength(1);
    expect(dup).toBe(1);
  });

  it("counts the same audit.log line once when audit.log and the journal are read together", () => {
    const line = AVC("1764382380.412:1250");
    const { events, duplicates } = assemble([line, line]);
    expect(events).toHaveLength(1);
    expect(duplicates).toBe(1);
  });

  it("keeps events of the same id on two named hosts apart", () => {
    const { events } = assemble([`node=a ${AVC("1.000:5")}`, `node=b ${AVC("1.000:5")}`]);
    expect(events.map((e) => e.apparmor.length).reduce((x, y) => x + y)).toBe(2);
  });

  it("makes each record without an audit id an event of its own", () => {
    const { events } = assemble(['apparmor="DENIED" operation="open" profile="p" name="/a" requested_mask="r" denied_mask="r"', 'apparmor="DENIED" operation="open" profile="p" name="/b" requested_mask="r" denied_mask="r"']);
    expect(events).toHaveLength(2);
  });
});
