/**
 * The duplicate test compares whole records: true copies of one kernel record (the same line
 * read twice, audit.log and the journal, the journal's kernel and audit transports, journalctl
 * short text without the audit id) are counted once; different records that share an audit id,
 * an operation, a name and a pid never are.
 */
import { describe, expect, it } from "vitest";
import { EventAssembler, MAX_HOSTS, type AuditEvent } from "../src/events/assembler.js";
import { parseLine, type SourceContext } from "../src/parse/parse-line.js";
import type { LineMeta } from "../src/parse/record.js";

interface Line {
  text: string;
  meta?: LineMeta;
}

function assemble(lines: Array<string | Line>): { records: number; duplicates: number; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  let duplicates = 0;
  const a = new EventAssembler({ onEvent: (e) => events.push(e), onDuplicate: () => duplicates++ });
  const context: SourceContext = {}; // one file, read in order
  lines.forEach((l, i) => {
    const { text, meta } = typeof l === "string" ? { text: l, meta: undefined } : l;
    const r = parseLine({ source: "one.log", line: i + 1, text, ...(meta ? { meta } : {}) }, context)!.record!;
    a.add(r, text);
  });
  a.flush();
  return { records: events.reduce((n, e) => n + e.apparmor.length, 0), duplicates, events };
}

// Syslog dates are local time; the stamps below are UTC.
process.env.TZ = "UTC";

const BODY = 'apparmor="DENIED" operation="open" class="file" profile="passt" name="/dev/net/tun" pid=24790 comm="pasta" requested_mask="rw" denied_mask="rw" fsuid=1000 ouid=0';
// 1764382380 is 2025-11-29T02:13:00Z.
const AUDITD = `type=AVC msg=audit(1764382380.412:1250): ${BODY}`;
const KERNEL_SHORT = `Nov 29 02:13:00 host kernel: audit: type=1400 audit(1764382380.412:1250): ${BODY}`;
const AUDIT_SHORT = `Nov 29 02:13:00 host audit[24790]: AVC ${BODY}`;

describe("duplicates", () => {
  it("counts the same line read twice once", () => {
    expect(assemble([AUDITD, AUDITD])).toMatchObject({ records: 1, duplicates: 1 });
  });

  it("counts audit.log and the journal's two transports (JSON) of one record once", () => {
    const journalAudit: Line = {
      text: `AVC ${BODY}`,
      meta: { format: "journal-json", transport: "audit", auditSerial: "1250", auditType: "AVC", sourceRealtimeUsec: 1764382380412345, host: "host" },
    };
    const journalKernel: Line = { text: `audit: type=1400 audit(1764382380.412:1250): ${BODY}`, meta: { format: "journal-json", transport: "kernel", host: "host" } };
    expect(assemble([AUDITD, journalKernel, journalAudit])).toMatchObject({ records: 1, duplicates: 2 });
  });

  it("counts journalctl's short text of both transports once, whichever comes first", () => {
    expect(assemble([KERNEL_SHORT, AUDIT_SHORT])).toMatchObject({ records: 1, duplicates: 1 });
    // The id-less copy first: its year is not known yet, so it takes the one closest before now.
    const year = new Date().getUTCFullYear();
    const stampNow = Math.floor(Date.UTC(year, 0, 2, 2, 13, 0) / 1000);
    const kernelNow = KERNEL_SHORT.replace("Nov 29", "Jan  2").replace("1764382380.412", `${stampNow}.412`);
    expect(assemble([AUDIT_SHORT.replace("Nov 29", "Jan  2"), kernelNow])).toMatchObject({ records: 1, duplicates: 1 });
  });

  it("gives a syslog date without a year the year of its file's audit stamps", () => {
    const r = assemble([KERNEL_SHORT, AUDIT_SHORT.replace("02:13:00", "02:19:00")]);
    expect(r.events.map((e) => e.apparmor[0]!.time).sort()).toEqual(["2025-11-29T02:13:00.412Z", "2025-11-29T02:19:00.000Z"]);
  });

  it("keeps an id-less audit-transport line whose time is far from the record with the id", () => {
    const later = AUDIT_SHORT.replace("02:13:00", "02:19:00");
    expect(assemble([KERNEL_SHORT, later])).toMatchObject({ records: 2, duplicates: 0 });
  });

  it("keeps a ptrace read and a readby record of one syscall apart", () => {
    const id = "1764382380.500:1300";
    const read = `type=AVC msg=audit(${id}): apparmor="DENIED" operation="ptrace" class="ptrace" profile="podman" pid=3000 comm="podman" requested_mask="read" denied_mask="read" peer="pasta"`;
    const readby = `type=AVC msg=audit(${id}): apparmor="DENIED" operation="ptrace" class="ptrace" profile="pasta" pid=3000 comm="podman" requested_mask="readby" denied_mask="readby" peer="podman"`;
    const r = assemble([read, readby]);
    expect(r).toMatchObject({ records: 2, duplicates: 0 });
    expect(r.events).toHaveLength(1);
  });

  it("keeps the same access denied by two stacked profiles apart", () => {
    const id = "1764382380.600:1400";
    const a = `type=AVC msg=audit(${id}): apparmor="DENIED" operation="open" class="file" profile="outer" name="/etc/x" pid=7 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
    expect(assemble([a, a.replace('profile="outer"', 'profile="inner"')])).toMatchObject({ records: 2, duplicates: 0 });
  });

  it("ignores auditd's ENRICHED tail when comparing (audit.log raw vs enriched)", () => {
    const enriched = `${AUDITD}\x1dFSUID="alice" OUID="root"`;
    expect(assemble([AUDITD, enriched])).toMatchObject({ records: 1, duplicates: 1 });
  });

  it("keeps the same id on two named hosts apart, and matches a record without a host to either", () => {
    const h1 = `node=h1 ${AUDITD}`;
    const h2 = `node=h2 ${AUDITD}`;
    expect(assemble([h1, h2])).toMatchObject({ records: 2, duplicates: 0 });
    expect(assemble([h1, AUDITD])).toMatchObject({ records: 1, duplicates: 1 });
  });

  it("remembers a bounded number of hosts: past it, or for an overlong name, a host matches any", () => {
    // A crafted log naming a new host on every line must not grow the filter without bound.
    const others = Array.from({ length: MAX_HOSTS }, (_, i) => `node=filler${i} type=AVC msg=audit(1764382380.${String(i % 1000).padStart(3, "0")}:${9000 + i}): ${BODY}`);
    expect(assemble([...others, `node=h1 ${AUDITD}`, `node=h2 ${AUDITD}`])).toMatchObject({ records: MAX_HOSTS + 1, duplicates: 1 });
    const long = "h".repeat(300);
    expect(assemble([`node=${long}1 ${AUDITD}`, `node=${long}2 ${AUDITD}`])).toMatchObject({ records: 1, duplicates: 1 });
    expect(assemble([`node=h1 ${AUDITD}`, `node=h2 ${AUDITD}`])).toMatchObject({ records: 2, duplicates: 0 });
  });
});
