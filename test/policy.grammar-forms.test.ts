/**
 * Every statement form the policy grammar knows, read into the shared Rule model: preamble
 * (abi, includes, variables, alias), profile headers (named, unnamed, hats, children, flags) and
 * each rule type with its qualifiers.
 */
import { describe, expect, it } from "vitest";
import { parsePolicy, type PolicyNode } from "../src/apparmor/policy/interpret.js";

const PROFILE = String.raw`
# a comment, and a path with a hash: /x#y is still a word below
abi <abi/3.0>,
#include <tunables/global>
include "local/foo"
include if exists <local/bar>
@{X} = a b {c,d}
@{X} += "/q r" \
   /cont   # trailing comment
${"$"}{flag} = true
alias /usr/ -> /mnt/usr/,
profile p /usr/bin/p{,.x} flags=(complain,attach_disconnected) {
  /a/b r,
  rw /c/d,
  file,
  file /e r,
  owner /x rw,
  "/with space/*" r,
  @{HOME}/{a,b}/[0-9]** rwk,
  /usr/bin/foo Px -> bar,
  /usr/bin/baz rmix,
  link /l1 -> /l2,
  /y rwl -> /z,
  owner @{HOME}/.config/#[0-9]* rw,
  audit deny owner /secret w,
  priority=10 allow /prio r,
  capability net_admin sys_ptrace,
  capability,
  network,
  network inet6 stream,
  network inet tcp,
  network (send) inet dgram,
  unix (send receive) type=stream addr=@foo peer=(label=unconfined, addr=@bar),
  signal (send receive) set=(term kill) peer=foo,
  signal (receive) set=("exists"),
  ptrace (read trace) peer=x,
  ptrace r,
  dbus (send) bus=system path=/org/x interface=org.x member={A,B} peer=(name=org.x label=unconfined),
  dbus bind bus=session name=org.y,
  dbus send
       bus=system
       member=Hello
       peer=(name=org.freedesktop.DBus),
  mount fstype=ext4 options=(rw, nosuid) /dev/sda1 -> /mnt/,
  mount options in (ro, rw) -> /m2/,
  mount "" -> "/",
  remount /m3/,
  umount /m4/,
  pivot_root oldroot=/old/ /new/ -> child,
  change_profile -> **,
  change_profile /bin/x -> y,
  userns,
  userns create,
  mqueue create type=posix /queuename,
  io_uring override_creds label=/x,
  rlimit nofile <= 10,
  set rlimit nofile <= 1024,
  deny { /d1 w, capability sys_module, }
  ^hat1 {
    /h r,
  }
  hat hat2 { }
  profile child /bin/c {
    /c r,
  }
}
/usr/sbin/cupsd flags=(complain) {
  /etc/cups/** r,
}
`;

const ast = parsePolicy(PROFILE, "/t/profile");
const top = ast.nodes;
const profile = top.find((n) => n.type === "profile" && n.name === "p") as Extract<PolicyNode, { type: "profile" }>;
const rules = profile.body.filter((n): n is Extract<PolicyNode, { type: "rule" }> => n.type === "rule");
/** 1-based line of the first line of PROFILE that contains `needle`. */
const lineOf = (needle: string) => PROFILE.split("\n").findIndex((l) => l.includes(needle)) + 1;
const ruleAt = (text: string) => {
  const r = rules.find((n) => n.src.text === text);
  expect(r, text).toBeDefined();
  return r!;
};

describe("policy grammar forms", () => {
  it("reads everything without a diagnostic", () => {
    expect(ast.diagnostics).toEqual([]);
  });

  it("reads the preamble: abi, includes, variables, booleans, alias", () => {
    const pre = top.filter((n) => n.type !== "profile").map((n) => (n.type === "ignored" ? `ignored:${n.what}` : n.type));
    expect(pre).toEqual(["ignored:abi", "include", "include", "include", "variable", "variable", "ignored:boolean", "ignored:alias"]);
    expect(top[1]).toMatchObject({ type: "include", target: "tunables/global", angle: true, ifExists: false });
    expect(top[2]).toMatchObject({ type: "include", target: "local/foo", angle: false, ifExists: false });
    expect(top[3]).toMatchObject({ type: "include", target: "local/bar", angle: true, ifExists: true, src: { line: 6 } });
    expect(top[4]).toMatchObject({ type: "variable", name: "X", append: false, values: ["a", "b", "{c,d}"] });
    expect(top[5]).toMatchObject({ type: "variable", name: "X", append: true, values: ["/q r", "/cont"] });
  });

  it("reads profile headers, hats and child profiles", () => {
    expect(profile).toMatchObject({ name: "p", attachment: "/usr/bin/p{,.x}", hat: false, flags: ["complain", "attach_disconnected"] });
    const subs = profile.body.filter((n) => n.type === "profile").map((n) => n.type === "profile" && [n.name, n.attachment, n.hat]);
    expect(subs).toEqual([["hat1", undefined, true], ["hat2", undefined, true], ["child", "/bin/c", false]]);
    const cupsd = top.find((n) => n.type === "profile" && n.attachment === "/usr/sbin/cupsd");
    expect(cupsd).toMatchObject({ name: undefined, flags: ["complain"] });
  });

  it("reads file rules in all their forms", () => {
    expect(ruleAt("/a/b r,").rule).toEqual({ kind: "file", path: "/a/b", perms: "r", owner: false });
    expect(ruleAt("rw /c/d,").rule).toEqual({ kind: "file", path: "/c/d", perms: "rw", owner: false });
    expect(ruleAt("file,").bare).toBe(true);
    expect(ruleAt("file /e r,").rule).toMatchObject({ path: "/e", perms: "r" });
    expect(ruleAt("owner /x rw,")).toMatchObject({ rule: { owner: true }, q: { owner: true } });
    expect(ruleAt('"/with space/*" r,').rule).toMatchObject({ path: "/with space/*" });
    expect(ruleAt("@{HOME}/{a,b}/[0-9]** rwk,").rule).toMatchObject({ path: "@{HOME}/{a,b}/[0-9]**", perms: "rwk" });
    expect(ruleAt("/usr/bin/foo Px -> bar,").rule).toEqual({ kind: "file", path: "/usr/bin/foo", perms: "", exec: "Px", execTarget: "bar", owner: false });
    expect(ruleAt("/usr/bin/baz rmix,").rule).toMatchObject({ perms: "rm", exec: "ix" });
    expect(ruleAt("link /l1 -> /l2,").rule).toMatchObject({ path: "/l1", perms: "l", linkTarget: "/l2" });
    expect(ruleAt("/y rwl -> /z,").rule).toMatchObject({ perms: "rwl", linkTarget: "/z" });
    expect(ruleAt("owner @{HOME}/.config/#[0-9]* rw,").rule).toMatchObject({ path: "@{HOME}/.config/#[0-9]*" });
    expect(ruleAt("audit deny owner /secret w,").q).toMatchObject({ audit: true, deny: true, owner: true });
    expect(ruleAt("priority=10 allow /prio r,").q).toMatchObject({ allow: true, priority: 10 });
  });

  it("reads capability and network rules", () => {
    expect(ruleAt("capability net_admin sys_ptrace,").rule).toEqual({ kind: "capability", names: ["net_admin", "sys_ptrace"] });
    expect(ruleAt("capability,")).toMatchObject({ bare: true, rule: { names: [] } });
    expect(ruleAt("network,").bare).toBe(true);
    expect(ruleAt("network inet6 stream,").rule).toEqual({ kind: "network", family: "inet6", type: "stream" });
    expect(ruleAt("network inet tcp,").rule).toEqual({ kind: "network", family: "inet", protocol: "tcp" });
    expect(ruleAt("network (send) inet dgram,")).toMatchObject({ rule: { family: "inet", type: "dgram" }, extra: { access: ["send"] } });
  });

  it("reads unix, signal, ptrace and dbus rules with their peers", () => {
    expect(ruleAt("unix (send receive) type=stream addr=@foo peer=(label=unconfined, addr=@bar),").rule).toEqual({
      kind: "unix", access: ["send", "receive"], type: "stream", addr: "@foo", peerLabel: "unconfined", peerAddr: "@bar",
    });
    expect(ruleAt("signal (send receive) set=(term kill) peer=foo,").rule).toEqual({ kind: "signal", access: ["send", "receive"], signals: ["term", "kill"], peer: "foo" });
    expect(ruleAt('signal (receive) set=("exists"),').rule).toEqual({ kind: "signal", access: ["receive"], signals: ["exists"] });
    expect(ruleAt("ptrace (read trace) peer=x,").rule).toEqual({ kind: "ptrace", access: ["read", "trace"], peer: "x" });
    expect(ruleAt("ptrace r,").rule).toEqual({ kind: "ptrace", access: ["read"] });
    expect(ruleAt("dbus (send) bus=system path=/org/x interface=org.x member={A,B} peer=(name=org.x label=unconfined),").rule).toEqual({
      kind: "dbus", access: ["send"], bus: "system", path: "/org/x", interface: "org.x", member: "{A,B}", peerName: "org.x", peerLabel: "unconfined",
    });
    expect(ruleAt("dbus bind bus=session name=org.y,").rule).toEqual({ kind: "dbus", access: ["bind"], bus: "session", name: "org.y" });
    expect(ruleAt("dbus send bus=system member=Hello peer=(name=org.freedesktop.DBus),").src.line).toBe(lineOf("dbus send"));
  });

  it("reads mount, remount, umount, pivot_root, change_profile, userns, mqueue, io_uring", () => {
    expect(ruleAt("mount fstype=ext4 options=(rw, nosuid) /dev/sda1 -> /mnt/,")).toMatchObject({
      rule: { kind: "mount", fstype: "ext4", options: ["rw", "nosuid"], source: "/dev/sda1", mountpoint: "/mnt/" },
      extra: { optionsIn: false },
    });
    expect(ruleAt("mount options in (ro, rw) -> /m2/,").extra).toMatchObject({ optionsIn: true, optionSets: [["ro", "rw"]] });
    expect(ruleAt('mount "" -> "/",').rule).toEqual({ kind: "mount", source: "", mountpoint: "/" });
    expect(ruleAt("remount /m3/,").rule).toEqual({ kind: "remount", mountpoint: "/m3/" });
    expect(ruleAt("umount /m4/,").rule).toEqual({ kind: "umount", mountpoint: "/m4/" });
    expect(ruleAt("pivot_root oldroot=/old/ /new/ -> child,")).toMatchObject({ rule: { kind: "pivot_root", oldroot: "/old/", newroot: "/new/" }, extra: { pivotTarget: "child" } });
    expect(ruleAt("change_profile -> **,").rule).toEqual({ kind: "change_profile", target: "**" });
    expect(ruleAt("change_profile /bin/x -> y,").rule).toEqual({ kind: "change_profile", execPath: "/bin/x", target: "y" });
    expect(ruleAt("userns,").bare).toBe(true);
    expect(ruleAt("userns create,").rule).toEqual({ kind: "userns", access: ["create"] });
    expect(ruleAt("mqueue create type=posix /queuename,").rule).toEqual({ kind: "mqueue", access: ["create"], type: "posix", name: "/queuename" });
    expect(ruleAt("io_uring override_creds label=/x,").rule).toEqual({ kind: "io_uring", access: ["override_creds"], label: "/x" });
  });

  it("ignores rlimits and applies a qualifier block to the rules inside", () => {
    expect(profile.body.filter((n) => n.type === "ignored").length).toBe(2);
    const inBlock = rules.filter((r) => r.src.line === lineOf("deny {"));
    expect(inBlock.map((r) => [r.rule.kind, r.q.deny])).toEqual([["file", true], ["capability", true]]);
  });
});
