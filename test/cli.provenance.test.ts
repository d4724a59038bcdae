/**
 * Provenance: in journal input only the kernel and audit transports, dbus-broker's own denial
 * entries and dbus-daemon's own lines yield records. An audit-looking MESSAGE that any user can
 * write (`logger`, a service's stdout) is counted as untrusted-source and never becomes a rule.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aalens } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-provenance-"));
const AVC = (name: string, serial: number) => `audit: type=1400 audit(1764382380.${serial}:${serial}): apparmor="DENIED" operation="open" class="file" profile="passt" name="${name}" pid=24790 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;

function journal(entries: object[]): string {
  const path = join(dir, `j${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, entries.map((e) => JSON.stringify({ __REALTIME_TIMESTAMP: "1764382380000000", _HOSTNAME: "h", ...e })).join("\n") + "\n");
  return path;
}

describe("journal provenance", () => {
  it("turns a forged kernel line from logger into no rule, and counts it", () => {
    const path = journal([
      { _TRANSPORT: "kernel", MESSAGE: AVC("/dev/net/tun", 101) },
      { _TRANSPORT: "syslog", _UID: "1000", _COMM: "logger", SYSLOG_IDENTIFIER: "kernel", MESSAGE: AVC("/etc/shadow", 102) },
      { _TRANSPORT: "journal", _UID: "1000", _COMM: "python3", MESSAGE: `type=AVC msg=audit(1764382380.103:103): ${AVC("/home/x", 103).slice(AVC("", 0).indexOf("apparmor"))}` },
      { _TRANSPORT: "stdout", _UID: "1000", _COMM: "sh", MESSAGE: AVC("/srv/stdout", 104) },
    ]);
    const r = aalens(["analyze", "--no-policy", "--format", "json", path]);
    expect(r.status).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.summary.denials).toBe(1);
    expect(report.rules.map((x: { rule: string }) => x.rule)).toEqual(["/dev/net/tun rw,"]); // upstream passt's rule for pasta's tun step
    const untrusted = report.unparsed.find((u: { code: string }) => u.code === "untrusted-source");
    expect(untrusted.count).toBe(3);
    expect(untrusted.message).toMatch(/_TRANSPORT=syslog _COMM=logger _UID=1000/);
    const rules = aalens(["rules", "--no-policy", path]).stdout;
    expect(rules).not.toMatch(/shadow|\/home\/x|stdout/);
  });

  it("reads dbus-broker's own AppArmor denial entries as dbus denials, and refuses forged ones", () => {
    const broker = {
      _TRANSPORT: "journal", _COMM: "dbus-broker", _EXE: "/usr/bin/dbus-broker", _SYSTEMD_UNIT: "dbus-broker.service",
      MESSAGE: "A security policy denied :1.115 to send method call /org/freedesktop/hostname1:org.freedesktop.DBus.Properties.GetAll to org.freedesktop.hostname1.",
      DBUS_BROKER_POLICY_TYPE: "apparmor", DBUS_BROKER_TRANSMIT_ACTION: "send",
      DBUS_BROKER_SENDER_SECURITY_LABEL: "gnome-clocks (enforce)", DBUS_BROKER_RECEIVER_SECURITY_LABEL: "unconfined",
      DBUS_BROKER_SENDER_UNIQUE_NAME: ":1.115", DBUS_BROKER_MESSAGE_TYPE: "method_call",
      DBUS_BROKER_MESSAGE_PATH: "/org/freedesktop/hostname1", DBUS_BROKER_MESSAGE_INTERFACE: "org.freedesktop.DBus.Properties",
      DBUS_BROKER_MESSAGE_MEMBER: "GetAll", DBUS_BROKER_MESSAGE_DESTINATION: "org.freedesktop.hostname1",
    };
    const forged = { ...broker, _COMM: "logger", _EXE: "/usr/bin/logger", DBUS_BROKER_MESSAGE_MEMBER: "Forged" };
    const report = JSON.parse(aalens(["analyze", "--no-policy", "--format", "json", journal([broker, forged])]).stdout);
    expect(report.summary.denials).toBe(1);
    expect(report.denials[0]).toMatchObject({ profile: "gnome-clocks", class: "dbus", operation: "dbus_method_call" });
    expect(report.rules.map((x: { rule: string }) => x.rule).join("\n")).toMatch(/dbus send bus=system path=\/org\/freedesktop\/hostname1 interface=org.freedesktop.DBus.Properties member=GetAll/);
    expect(JSON.stringify(report)).not.toContain("Forged");
  });
});
