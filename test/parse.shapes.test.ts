/**
 * Every line shape of §2 of the foundation issue, read from the bundled samples: the envelope is
 * understood (format, host, time) and the record is the same whatever wraps it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import type { AuditRecord } from "../src/parse/record.js";

const sample = (name: string) => readFileSync(new URL(`../samples/${name}`, import.meta.url), "utf8").split("\n");

/** The record on the first line of `lines` that contains `needle`. */
function recordOf(lines: string[], needle: string): AuditRecord {
  const i = lines.findIndex((l) => l.includes(needle));
  expect(i, `a line with ${needle}`).toBeGreaterThanOrEqual(0);
  const r = parseLine({ source: "t", line: i + 1, text: lines[i]! });
  expect(r?.record, `record for ${lines[i]}`).toBeDefined();
  return r!.record!;
}

describe("auditd audit.log", () => {
  const lines = sample("audit.log");
  it("reads type=AVC msg=audit(…) with the ENRICHED tail", () => {
    const r = recordOf(lines, "netns-5d1f7c2e");
    expect(r).toMatchObject({ format: "auditd", type: "AVC", auditId: "1764382380.412:1250", mode: "DENIED", host: null });
    expect(r.time).toBe("2025-11-29T02:13:00.412Z");
    expect(r.fields.profile).toBe("passt");
    expect(r.fields.ouid).toBe("0");
    expect(r.fields.FSUID).toBe("alice");
  });
  it("reads USER_AVC with subj= and a nested msg='…'", () => {
    const r = recordOf(lines, "USER_AVC");
    expect(r.type).toBe("USER_AVC");
    expect(r.fields.subj).toBe("unconfined");
    expect(r.fields.pid).toBe("1021");
    expect(r.msg).toMatchObject({ apparmor: "DENIED", operation: "dbus_method_call", member: "GetAll", pid: "3312", label: "snap.firefox.firefox", exe: "/usr/bin/dbus-daemon" });
    expect(r.mode).toBe("DENIED");
  });
  it("decodes hex-encoded names and proctitle", () => {
    expect(recordOf(lines, "operation=\"mknod\"").fields.name).toBe("/home/alice/Documents/tax return 2025.pdf");
    expect(recordOf(lines, "type=PROCTITLE").fields.proctitle).toMatch(/^\/usr\/bin\/pasta --config-net --pid \/run\/user\/1000\/containers\//);
  });
  it("takes the host from node=", () => {
    const r = recordOf(lines, "node=build-01");
    expect(r.host).toBe("build-01.example.net");
    expect(r.fields.node).toBeUndefined();
    expect(r.fields.family).toBe("inet6");
  });
  it("reads the other record types generically, keeping unknown keys", () => {
    const r = recordOf(lines, "type=SYSCALL");
    expect(r).toMatchObject({ type: "SYSCALL", mode: null });
    expect(r.fields).toMatchObject({ syscall: "257", exe: "/usr/bin/passt", key: "(null)", ARCH: "x86_64", SYSCALL: "openat" });
    expect(recordOf(lines, "type=EOE").type).toBe("EOE");
  });
});

describe("dmesg", () => {
  const lines = sample("dmesg.txt");
  it("reads [stamp] audit: type=1400 and the form without audit:", () => {
    expect(recordOf(lines, "netns-9c0e4b6a")).toMatchObject({ format: "dmesg", type: "AVC", mode: "DENIED", auditId: "1764382314.031:18" });
    expect(recordOf(lines, "/dev/net/tun")).toMatchObject({ format: "dmesg", auditId: "1764382314.032:19" });
  });
  it("reads dmesg -T and apparmor=\"KILLED\"", () => {
    expect(recordOf(lines, "passt.avx2")).toMatchObject({ format: "dmesg", mode: "DENIED" });
    expect(recordOf(lines, "KILLED").mode).toBe("KILL");
  });
  it("ignores kernel lines that are not audit records", () => {
    expect(parseLine({ source: "t", line: 1, text: lines[0]! })).toBeNull();
  });
});

describe("syslog / kern.log", () => {
  const lines = sample("kern.log");
  it("reads BSD dates with the kernel stamp and the host", () => {
    const r = recordOf(lines, "userns_create");
    expect(r).toMatchObject({ format: "syslog", host: "noble", mode: "AUDIT", auditId: "1764407523.091:311" });
    expect(r.fields.target).toBe("unprivileged_userns");
  });
  it("reads ISO dates with +01:00 and +0100", () => {
    expect(recordOf(lines, "rprivate")).toMatchObject({ host: "noble", auditId: "1764403980.117:320" });
    expect(recordOf(lines, "pivotroot")).toMatchObject({ host: "noble", auditId: "1764403980.118:321" });
  });
  it("reads dbus-daemon[pid]: lines that have no audit id", () => {
    const r = recordOf(lines, "dbus-daemon[912]");
    expect(r).toMatchObject({ auditId: null, host: "noble", mode: "DENIED" });
    expect(r.fields.member).toBe("Notify");
    expect(r.time).not.toBeNull();
  });
  it("reads socklog kern.notice: lines", () => {
    expect(recordOf(lines, "kern.notice:")).toMatchObject({ format: "syslog", auditId: "1631386661.980:10", host: null });
  });
  it("leaves ordinary daemon lines alone", () => {
    expect(parseLine({ source: "t", line: 1, text: lines[0]! })).toBeNull();
  });
});

describe("journalctl short formats", () => {
  const lines = sample("journal-short.txt");
  it("reads the audit transport: host audit[pid]: AVC …", () => {
    const r = recordOf(lines, "rootless-netns/rootless-netns");
    expect(r).toMatchObject({ format: "journal-audit", type: "AVC", host: "fedora-ws", mode: "DENIED", auditId: null });
    expect(recordOf(lines, "audit[5120]: SYSCALL")).toMatchObject({ type: "SYSCALL", mode: null });
  });
  it("reads short-iso, short-precise, short-monotonic and short-unix", () => {
    for (const needle of ["operation=\"sendmsg\"", "ip_local_port_range", "resolv.conf", "peer_addr"]) {
      const r = recordOf(lines, needle);
      expect(r.host, needle).toBe("fedora-ws");
      expect(r.auditId, needle).toMatch(/^17643793\d\d\.\d+:\d+$/);
    }
  });
});

describe("ausearch -i", () => {
  const lines = sample("ausearch-i.txt");
  it("reads interpreted records: unquoted values, dates in the stamp, no hex decoding", () => {
    const r = recordOf(lines, "type=AVC");
    expect(r).toMatchObject({ format: "ausearch", type: "AVC", mode: "DENIED" });
    expect(r.auditId).toMatch(/^\d+\.412:1250$/);
    expect(r.fields.ouid).toBe("root");
    expect(recordOf(lines, "type=PROCTITLE").fields.proctitle).toBe("/usr/bin/pasta --config-net --netns /run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f");
  });
});

describe("bare pastes", () => {
  const lines = sample("bug-report-paste.txt");
  it("reads apparmor=… with no header, AVC apparmor=… and audispd msg=audit(…):", () => {
    expect(recordOf(lines, "netns-3c9d0b2e")).toMatchObject({ format: "bare", type: null, mode: "DENIED", auditId: null });
    expect(recordOf(lines, "AVC apparmor")).toMatchObject({ format: "journal-audit", type: "AVC" });
    expect(recordOf(lines, "file_inherit")).toMatchObject({ format: "audispd", auditId: "1764382600.010:3001" });
  });
  it("does not take a comment line for a record", () => {
    expect(parseLine({ source: "t", line: 1, text: lines[0]! })).toBeNull();
  });
});

describe("values", () => {
  const parse = (text: string) => parseLine({ source: "t", line: 1, text })!.record!;
  it("keeps ?, (null), none and names containing =", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" name="/tmp/a=b" addr=? key=(null) peer_addr=none');
    expect(r.fields).toMatchObject({ name: "/tmp/a=b", addr: "?", key: "(null)", peer_addr: "none" });
  });
  it("keeps unknown keys, wherever they stand", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" opid=12 ocomm="x" netif="eth0" operation="open" future_key=7');
    expect(Object.keys(r.fields)).toEqual(["apparmor", "opid", "ocomm", "netif", "operation", "future_key"]);
  });
  it("decodes hex in every untrusted-string key", () => {
    const r = parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="exec" profile=74657374207370616365 target=2F612062 peer=7020712072 comm=6D7920636F6D6D');
    expect(r.fields).toMatchObject({ profile: "test space", target: "/a b", peer: "p q r", comm: "my comm" });
  });
  it("decodes EXECVE arguments but leaves SYSCALL's numeric a0…a3 alone", () => {
    const execve = parse('type=EXECVE msg=audit(1.2:3): argc=3 a0="pasta" a1="--netns" a2=2F72756E2F612062');
    expect(execve.fields).toMatchObject({ a0: "pasta", a1: "--netns", a2: "/run/a b" });
    const syscall = parse("type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=257 a0=ffffff9c a1=7ffd5e2c1b40 a2=80000");
    expect(syscall.fields).toMatchObject({ a0: "ffffff9c", a2: "80000" });
    expect(syscall.warnings).toBeUndefined();
  });
  it("does not hex-decode numbers of numeric keys", () => {
    expect(parse('type=AVC msg=audit(1.2:3): apparmor="DENIED" fsuid=1000 ouid=1000 pid=4242').fields).toMatchObject({ fsuid: "1000", pid: "4242" });
  });
  it("maps numeric record types to names", () => {
    expect(parse("[ 1.000000] audit: type=1107 audit(1.2:3): pid=1 uid=0 auid=0 ses=1 msg='apparmor=\"DENIED\" operation=\"dbus_bind\"'").type).toBe("USER_AVC");
    expect(parse('type=1300 msg=audit(1.2:3): arch=c000003e syscall=1').type).toBe("SYSCALL");
    expect(parse('type=1507 msg=audit(1.2:3): operation="open" name="/x"')).toMatchObject({ type: "APPARMOR_KILL", mode: "KILL" });
    expect(parse('type=UNKNOWN[1503] msg=audit(1.2:3): operation="exec" name="/x"')).toMatchObject({ type: "APPARMOR_DENIED", mode: "DENIED" });
  });
});
