/**
 * SELinux's access decisions (Fedora, RHEL) are not AppArmor's: aalens does not analyze them,
 * but never skips them in silence — they are counted (JSON `summary.selinux`) and the headline
 * says to use audit2allow. AppArmor's own AVC and USER_AVC records are never counted as SELinux.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aalens } from "./helpers/cli.js";

const KERNEL_AVC = 'type=AVC msg=audit(1764383000.101:4101): avc:  denied  { read } for  pid=5501 comm="pasta" name="netns-1" dev="tmpfs" ino=1234 scontext=unconfined_u:unconfined_r:pasta_t:s0 tcontext=unconfined_u:object_r:user_tmp_t:s0 tclass=file permissive=0';
const USER_AVC = "type=USER_AVC msg=audit(1764383000.200:4110): pid=812 uid=81 auid=4294967295 ses=4294967295 subj=system_u:system_r:system_dbusd_t:s0 msg='avc:  denied  { send_msg } for msgtype=method_call interface=org.freedesktop.DBus.Properties member=GetAll dest=org.freedesktop.NetworkManager spid=2345 tpid=1100 scontext=system_u:system_r:init_t:s0 tcontext=system_u:system_r:NetworkManager_t:s0 tclass=dbus permissive=0 exe=\"/usr/bin/dbus-broker\" sauid=81 hostname=? addr=? terminal=?'";
const SYSLOG_AVC = 'Dec  1 10:00:00 fedora kernel: audit: type=1400 audit(1764583200.100:55): avc:  denied  { write } for  pid=77 comm="crond" name="spool" scontext=system_u:system_r:crond_t:s0 tcontext=system_u:object_r:var_t:s0 tclass=dir permissive=1';
const APPARMOR_AVC = 'type=AVC msg=audit(1764383001.220:4102): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/slirp4netns" name="/run/user/1000/netns/netns-1" pid=5530 comm="slirp4netns" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0';
const APPARMOR_USER_AVC = "type=USER_AVC msg=audit(1764383002.000:4103): pid=700 uid=103 auid=4294967295 ses=4294967295 subj=unconfined msg='apparmor=\"DENIED\" operation=\"dbus_method_call\"  bus=\"system\" path=\"/org/freedesktop/NetworkManager\" interface=\"org.freedesktop.DBus.Properties\" member=\"GetAll\" mask=\"send\" name=\"org.freedesktop.NetworkManager\" pid=2345 label=\"snap.x.x\" peer_pid=1100 peer_label=\"unconfined\" exe=\"/usr/bin/dbus-daemon\" sauid=103 hostname=? addr=? terminal=?'";

function file(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "aalens-lsm-"));
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

describe("SELinux records", () => {
  it("are counted in audit.log, syslog and the journal, and AppArmor's never are", () => {
    const audit = file("audit.log", [KERNEL_AVC, APPARMOR_AVC, USER_AVC, APPARMOR_USER_AVC]);
    const syslog = file("messages", [SYSLOG_AVC]);
    const journal = file("journal.json", [JSON.stringify({ __REALTIME_TIMESTAMP: "1764583200100000", _TRANSPORT: "audit", _HOSTNAME: "fedora", MESSAGE: KERNEL_AVC.replace(/^type=AVC msg=audit\([^)]*\): /, "AVC ") , _AUDIT_TYPE: "1400", _AUDIT_ID: "4120", SYSLOG_IDENTIFIER: "audit" })]);
    const r = aalens(["analyze", "--format", "json", "--no-policy", audit, syslog]);
    const report = JSON.parse(r.stdout);
    expect(report.summary.selinux).toBe(3);
    expect(report.summary.apparmor).toBe(2);
    expect(report.headline.otherLsm).toEqual([{ lsm: "selinux", count: 3, note: expect.stringContaining("audit2allow") }]);
    const j = JSON.parse(aalens(["analyze", "--format", "json", "--no-policy", journal]).stdout);
    expect(j.summary.selinux).toBe(1);
  });

  it("get a one-line note that says to use audit2allow, in text and Markdown", () => {
    const audit = file("audit.log", [KERNEL_AVC]);
    const text = aalens(["analyze", "--no-policy", audit]).stdout;
    const notes = text.split("\n").filter((l) => l.includes("SELinux"));
    expect(notes).toEqual(["1 SELinux AVC record seen (SELinux, not AppArmor; not analyzed): use audit2allow — `ausearch -m AVC,USER_AVC -ts recent | audit2allow -w` explains them, `… | audit2allow -M NAME` builds a policy module"]);
    expect(aalens(["analyze", "--format", "markdown", "--no-policy", audit]).stdout).toContain("- 1 SELinux AVC record seen");
  });

  it("are summed by merge, and a state saved before they were counted still merges", () => {
    const a = file("a.log", [KERNEL_AVC, SYSLOG_AVC]);
    const b = file("b.log", [APPARMOR_AVC]);
    const stateA = join(a, "..", "a.json");
    const stateB = join(b, "..", "b.json");
    aalens(["analyze", "-q", "--no-policy", "--save-state", stateA, a]);
    aalens(["analyze", "-q", "--no-policy", "--save-state", stateB, b]);
    // b.json as an older aalens saved it: no selinux count.
    const old = JSON.parse(readFileSync(stateB, "utf8"));
    delete old.summary.selinux;
    writeFileSync(stateB, JSON.stringify(old));
    const r = aalens(["merge", "--format", "json", "--no-policy", stateA, stateB]);
    expect(r.status).toBe(0);
    const merged = JSON.parse(r.stdout);
    expect(merged.summary.selinux).toBe(2);
    expect(merged.summary.apparmor).toBe(1);
  });
});
