/**
 * checkRule on small policies written for the test: what each rule class covers, owner and deny
 * semantics, bare rules, peers as globs, includes (angle, quoted, directory, if exists, cycles),
 * hats and child profiles, and suggested rules that are globs themselves.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Rule } from "../src/apparmor/rule-model.js";
import { checkRule, findProfile, loadPolicy, type Policy } from "../src/apparmor/policy/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A profile directory made of `files` (path → text lines). */
function policyOf(files: Record<string, string[]>): { policy: Policy; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "aalens-policy-check-"));
  dirs.push(dir);
  for (const [name, lines] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), lines.join("\n") + "\n");
  }
  return { policy: loadPolicy(dir), dir };
}

const file = (path: string, perms: string, owner = false, extra: Partial<Extract<Rule, { kind: "file" }>> = {}): Rule => ({ kind: "file", path, perms, owner, ...extra });

describe("file rules", () => {
  const { policy, dir } = policyOf({
    "tunables/global": ["@{PROC}=/proc/", "@{pid}={[1-9],[1-9][0-9]*}", "@{HOME}=/home/*/ /root/"],
    "t": [
      "include <tunables/global>",
      "profile t /usr/bin/t {",
      "  /etc/hosts r,",
      "  /etc/hosts w,",
      "  owner @{HOME}/** rw,",
      "  /var/log/t/*.log a,",
      "  /var/lib/t/** rwk,",
      "  deny /var/lib/t/secret* w,",
      "  deny owner /srv/** w,",
      "  /srv/** rw,",
      "  /usr/bin/helper Px -> helper,",
      "  /usr/lib/t/*.so mr,",
      "  @{PROC}/@{pid}/ns/net r,",
      "  /data/src l -> /data/dst,",
      "}",
    ],
  });
  const t = join(dir, "t");
  const check = (r: Rule) => checkRule(policy, "t", r);

  it("reads the policy without diagnostics", () => {
    expect(policy.diagnostics).toEqual([]);
  });

  it("needs every permission, possibly from several rules", () => {
    expect(check(file("/etc/hosts", "rw"))).toEqual({ verdict: "allowed", by: { file: t, line: 3, text: "/etc/hosts r," } });
    expect(check(file("/etc/hosts", "rwk")).verdict).toBe("missing");
    expect(check(file("/var/log/t/x.log", "a")).verdict).toBe("allowed");
    expect(check(file("/var/log/t/x.log", "w")).verdict).toBe("missing");
    expect(check(file("/var/lib/t/db", "a")).verdict).toBe("allowed"); // w grants append
  });

  it("owner rules cover owner requests only; plain rules cover both", () => {
    expect(check(file("/home/alice/x", "rw", true)).verdict).toBe("allowed");
    expect(check(file("/home/alice/x", "rw", false)).verdict).toBe("missing");
    expect(check(file("/etc/hosts", "r", true)).verdict).toBe("allowed");
  });

  it("a deny rule covering any part wins, and names itself", () => {
    expect(check(file("/var/lib/t/secret.key", "rw"))).toEqual({ verdict: "denied", by: { file: t, line: 8, text: "deny /var/lib/t/secret* w," } });
    expect(check(file("/var/lib/t/secret.key", "r")).verdict).toBe("allowed");
    expect(check(file("/var/lib/t/secret.key", "a")).verdict).toBe("denied"); // deny w refuses append
  });

  it("an owner deny applies to owner requests", () => {
    expect(check(file("/srv/x", "w", true)).verdict).toBe("denied");
    expect(check(file("/srv/x", "w", false)).verdict).toBe("allowed");
  });

  it("exec: any exec mode on the path allows execution; m from an mr rule", () => {
    expect(check(file("/usr/bin/helper", "", false, { exec: "Px", execTarget: "helper" })).verdict).toBe("allowed");
    expect(check(file("/usr/bin/other", "", false, { exec: "ix" })).verdict).toBe("missing");
    expect(check(file("/usr/lib/t/libx.so", "m")).verdict).toBe("allowed");
  });

  it("expands variables on both sides", () => {
    expect(check(file("/proc/1234/ns/net", "r")).verdict).toBe("allowed");
    expect(check(file("/proc/self/ns/net", "r")).verdict).toBe("missing");
    expect(check(file("@{PROC}/@{pid}/ns/net", "r")).verdict).toBe("allowed");
  });

  it("suggested globs are covered only when every path they stand for is", () => {
    expect(check(file("/var/lib/t/cache/*", "rw")).verdict).toBe("allowed");
    expect(check(file("/var/lib/t/**", "r")).verdict).toBe("allowed");
    expect(check(file("/var/lib/*/x", "r")).verdict).toBe("missing");
    expect(check(file("/var/log/t/**", "a")).verdict).toBe("missing");
    expect(check(file("/var/lib/t/*", "w")).verdict).toBe("denied"); // overlaps secret*
  });

  it("links need the link rule's target", () => {
    expect(check(file("/data/src", "l", false, { linkTarget: "/data/dst" })).verdict).toBe("allowed");
    expect(check(file("/data/src", "l", false, { linkTarget: "/elsewhere" })).verdict).toBe("missing");
  });

  it("says unknown for a profile the policy lacks, and finds profiles by attachment", () => {
    expect(checkRule(policy, "nope", file("/etc/hosts", "r"))).toEqual({ verdict: "unknown" });
    expect(checkRule(policy, "/usr/bin/t", file("/etc/hosts", "r")).verdict).toBe("allowed");
  });
});

describe("bare rules and the other classes", () => {
  const { policy } = policyOf({
    "all": ["profile all {", "  file,", "  capability,", "  network,", "  unix,", "  signal,", "  ptrace,", "  dbus,", "  mount,", "  umount,", "  pivot_root,", "  change_profile,", "  userns,", "  deny capability sys_module,", "}"],
    "some": [
      "profile some {",
      "  capability net_admin setuid,",
      "  network inet stream,",
      "  network inet6 tcp,",
      "  network (send) unix dgram,",
      "  network netlink raw ip=127.0.0.1,",
      "  unix (connect, send, receive) type=stream peer=(addr=@/tmp/.X11-unix/X[0-9]*),",
      "  signal (receive) set=(term, kill) peer=unconfined,",
      "  signal (send) peer=/usr/bin/man//&man_*,",
      "  ptrace trace peer=child,",
      "  dbus send bus=system path=/org/freedesktop/DBus interface=org.freedesktop.DBus member={Hello,AddMatch} peer=(name=org.freedesktop.DBus),",
      "  dbus (receive) bus=session,",
      '  mount fstype=proc -> /proc/,',
      '  mount options=(rw, bind) /src/ -> /dst/**,',
      '  mount options in (ro, nosuid) -> /ro/,',
      '  umount /mnt/*/,',
      '  pivot_root oldroot=/old/ /new/,',
      "  change_profile -> helper_*,",
      "  userns create,",
      "  mqueue create type=posix /q,",
      "  deny signal (send) set=(kill) peer=unconfined,",
      "  deny dbus bind bus=session name=org.evil.*,",
      "}",
    ],
  });
  const all = (r: Rule) => checkRule(policy, "all", r).verdict;
  const some = (r: Rule) => checkRule(policy, "some", r).verdict;

  it("a bare rule covers its whole class; deny still wins", () => {
    expect(all(file("/anything/at/all", "rwlk", false, { exec: "ix" }))).toBe("allowed");
    expect(all({ kind: "capability", names: ["net_admin", "sys_admin"] })).toBe("allowed");
    expect(all({ kind: "capability", names: ["net_admin", "sys_module"] })).toBe("denied");
    expect(all({ kind: "network", family: "packet", type: "raw" })).toBe("allowed");
    expect(all({ kind: "unix", access: ["connect"], type: "stream", peerLabel: "x" })).toBe("allowed");
    expect(all({ kind: "signal", access: ["send"], signals: ["hup"], peer: "p" })).toBe("allowed");
    expect(all({ kind: "ptrace", access: ["trace"], peer: "p" })).toBe("allowed");
    expect(all({ kind: "dbus", access: ["send"], bus: "system", member: "X" })).toBe("allowed");
    expect(all({ kind: "mount", fstype: "tmpfs", mountpoint: "/x/" })).toBe("allowed");
    expect(all({ kind: "umount", mountpoint: "/x/" })).toBe("allowed");
    expect(all({ kind: "pivot_root", newroot: "/n/" })).toBe("allowed");
    expect(all({ kind: "change_profile", target: "other" })).toBe("allowed");
    expect(all({ kind: "userns", access: ["create"] })).toBe("allowed");
    expect(all({ kind: "mqueue", access: ["create"], name: "/q" })).toBe("missing"); // not implemented: conservative
  });

  it("capability and network", () => {
    expect(some({ kind: "capability", names: ["net_admin", "setuid"] })).toBe("allowed");
    expect(some({ kind: "capability", names: ["net_admin", "sys_admin"] })).toBe("missing");
    expect(some({ kind: "network", family: "inet", type: "stream" })).toBe("allowed");
    expect(some({ kind: "network", family: "inet", protocol: "tcp" })).toBe("allowed"); // tcp ≡ stream
    expect(some({ kind: "network", family: "inet6", type: "stream" })).toBe("allowed");
    expect(some({ kind: "network", family: "inet", type: "dgram" })).toBe("missing");
    expect(some({ kind: "network", family: "inet" })).toBe("missing"); // any type: more than the rule
    expect(some({ kind: "network", family: "unix", type: "dgram" })).toBe("missing"); // the rule allows only send
    expect(some({ kind: "network", family: "netlink", type: "raw" })).toBe("missing"); // only for ip=127.0.0.1
  });

  it("unix, signal, ptrace: access lists and peers as globs", () => {
    expect(some({ kind: "unix", access: ["connect", "send"], type: "stream", peerAddr: "@/tmp/.X11-unix/X0" })).toBe("allowed");
    expect(some({ kind: "unix", access: ["bind"], type: "stream", peerAddr: "@/tmp/.X11-unix/X0" })).toBe("missing");
    expect(some({ kind: "unix", access: ["send"], type: "stream", peerAddr: "@/tmp/other" })).toBe("missing");
    expect(some({ kind: "unix", access: ["send"], type: "stream" })).toBe("missing"); // any peer
    expect(some({ kind: "signal", access: ["receive"], signals: ["term"], peer: "unconfined" })).toBe("allowed");
    expect(some({ kind: "signal", access: ["receive"], signals: ["hup"], peer: "unconfined" })).toBe("missing");
    expect(some({ kind: "signal", access: ["send"], signals: ["term"], peer: "/usr/bin/man//&man_groff" })).toBe("allowed");
    expect(some({ kind: "signal", access: ["send"], signals: ["kill"], peer: "unconfined" })).toBe("denied");
    expect(some({ kind: "ptrace", access: ["read"], peer: "child" })).toBe("allowed"); // trace implies read
    expect(some({ kind: "ptrace", access: ["trace"], peer: "other" })).toBe("missing");
  });

  it("dbus", () => {
    const hello: Rule = { kind: "dbus", access: ["send"], bus: "system", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "Hello", peerName: "org.freedesktop.DBus" };
    expect(some(hello)).toBe("allowed");
    expect(some({ ...hello, member: "ListNames" })).toBe("missing");
    expect(some({ ...hello, bus: "session" })).toBe("missing");
    expect(some({ kind: "dbus", access: ["receive"], bus: "session", path: "/x", member: "Y" })).toBe("allowed");
    expect(some({ kind: "dbus", access: ["bind"], bus: "session", name: "org.evil.thing" })).toBe("denied");
  });

  it("mount, umount, pivot_root, change_profile, userns", () => {
    expect(some({ kind: "mount", fstype: "proc", source: "proc", mountpoint: "/proc/" })).toBe("allowed");
    expect(some({ kind: "mount", fstype: "sysfs", mountpoint: "/proc/" })).toBe("missing");
    expect(some({ kind: "mount", options: ["bind", "rw"], source: "/src/", mountpoint: "/dst/a/" })).toBe("allowed");
    expect(some({ kind: "mount", options: ["bind"], source: "/src/", mountpoint: "/dst/a/" })).toBe("missing"); // options= is exact
    expect(some({ kind: "mount", options: ["ro"], mountpoint: "/ro/" })).toBe("allowed"); // options in: a subset
    expect(some({ kind: "mount", options: ["ro", "nodev"], mountpoint: "/ro/" })).toBe("missing");
    expect(some({ kind: "umount", mountpoint: "/mnt/usb/" })).toBe("allowed");
    expect(some({ kind: "umount", mountpoint: "/" })).toBe("missing");
    expect(some({ kind: "pivot_root", oldroot: "/old/", newroot: "/new/" })).toBe("allowed");
    expect(some({ kind: "pivot_root", oldroot: "/other/", newroot: "/new/" })).toBe("missing");
    expect(some({ kind: "change_profile", target: "helper_x" })).toBe("allowed");
    expect(some({ kind: "change_profile", target: "root" })).toBe("missing");
    expect(some({ kind: "userns", access: ["create"] })).toBe("allowed");
    expect(some({ kind: "mqueue", access: ["create"], type: "posix", name: "/q" })).toBe("missing");
  });
});

describe("includes, hats and child profiles", () => {
  const { policy, dir } = policyOf({
    "abstractions/a": ["  /from/a r,", "  include <abstractions/b>", "  include if exists <abstractions/none>"],
    "abstractions/b": ["  /from/b r,", "  include <abstractions/a>"],
    "abstractions/dir.d/1": ["  /from/dir/1 r,"],
    "abstractions/dir.d/2": ["  /from/dir/2 r,"],
    "abstractions/dir.d/.hidden": ["  /from/hidden r,"],
    "local/t": ["  /from/local r,"],
    "sub/rel": ["  /from/relative r,"],
    "t": [
      "profile t {",
      "  include <abstractions/a>",
      "  include <abstractions/dir.d>",
      "  include if exists <local/t>",
      "  include if exists <local/missing>",
      '  include "sub/rel"',
      "  include <abstractions/missing>",
      "  ^hat { /from/hat r, }",
      "  profile child { /from/child r, }",
      "}",
    ],
    "README": ["not a profile"],
    "t.dpkg-old": ["profile old { }"],
    "off": ["profile off { }"],
    "disable/off": ["(a link to ../off on a real system)"],
  });

  it("resolves angle, quoted, directory and if-exists includes; reports the missing one and the cycle", () => {
    const got = (path: string) => checkRule(policy, "t", file(path, "r")).verdict;
    expect(["/from/a", "/from/b", "/from/dir/1", "/from/dir/2", "/from/local", "/from/relative"].map(got)).toEqual(Array(6).fill("allowed"));
    expect(got("/from/hidden")).toBe("missing");
    expect(got("/from/hat")).toBe("missing"); // a hat's rules are its own
    expect(policy.diagnostics.map((d) => d.reason)).toEqual([`include cycle: ${join(dir, "abstractions/a")}`, "include not found: <abstractions/missing>"]);
  });

  it("names hats and children parent//child and skips non-profile and disabled files", () => {
    expect(policy.profileList.map((p) => p.name)).toEqual(["t", "t//hat", "t//child"]);
    expect(findProfile(policy, "t//hat")?.hat).toBe(true);
    expect(checkRule(policy, "t//hat", file("/from/hat", "r")).verdict).toBe("allowed");
    expect(checkRule(policy, "t//child", file("/from/child", "r")).verdict).toBe("allowed");
    expect(checkRule(policy, "t//child", file("/from/a", "r")).verdict).toBe("missing");
  });
});

describe("priority", () => {
  const { policy } = policyOf({
    "p": ["profile p {", "  deny /x/** w,", "  priority=1 /x/allowed w,", "  priority=-1 deny /y w,", "  /y w,", "}"],
  });
  it("an allow rule with a higher priority beats a deny rule", () => {
    expect(checkRule(policy, "p", file("/x/allowed", "w")).verdict).toBe("allowed");
    expect(checkRule(policy, "p", file("/x/other", "w")).verdict).toBe("denied");
    expect(checkRule(policy, "p", file("/y", "w")).verdict).toBe("allowed");
  });
});
