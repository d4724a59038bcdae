/**
 * Every rule aalens can make compiles: rules synthesised from generated events of every class,
 * with every access word and mask letter AppArmor knows, in every combination that a kernel
 * writes, are compiled with the real apparmor_parser (ABI 3.0; the ABI 4.0 kinds — userns,
 * mqueue, io_uring — only when the installed parser reads them). Merged rules too: an `a` and a
 * `w` denial on one path.
 */
import { describe, expect, it } from "vitest";
import { compileRules, findParser } from "../src/apparmor/validate.js";
import { ACCESSES, CAPABILITIES, MOUNT_OPTIONS, NETWORK_FAMILIES, NETWORK_TYPES, SIGNALS } from "../src/apparmor/vocabulary.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { parseLine } from "../src/parse/parse-line.js";
import type { Mode } from "../src/parse/record.js";

const parser = findParser();
let serial = 2000;
function avc(body: string, mode = "DENIED"): string {
  serial++;
  return `type=AVC msg=audit(1764382400.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="${mode}" ${body}`;
}

function rulesOf(lines: string[], modes: Mode[] = ["DENIED", "KILL", "ALLOWED", "AUDIT"]): { rules: string[]; unmapped: string[] } {
  const c = new Collector({ modes: new Set(modes) });
  lines.forEach((text, i) => {
    const r = parseLine({ source: "gen", line: i + 1, text });
    if (r?.record) c.record(r.record, text);
  });
  const report = buildReport(c.state());
  return { rules: report.rules.map((r) => r.rule), unmapped: report.unmapped.map((u) => u.reason) };
}

/** Every non-empty subset of `items` up to `max` elements (the kernel lists several accesses at once). */
function subsets<T>(items: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  const walk = (from: number, acc: T[]) => {
    if (acc.length > 0) out.push([...acc]);
    if (acc.length === max) return;
    for (let i = from; i < items.length; i++) walk(i + 1, [...acc, items[i]!]);
  };
  walk(0, []);
  return out;
}

function events(): string[] {
  const lines: string[] = [];
  let n = 0;
  const p = () => `profile="gen${n++ % 7}" pid=${1000 + n} comm="gen"`;
  // Files: every mask of up to three letters the kernel writes, on paths that need escaping.
  const paths = ["/etc/gen.conf", "/tmp/with space/x", "/tmp/{brace}[x]*?", "/proc/1234/ns/net", "/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f", "/home/alice/.config/x\u202ey"];
  for (const mask of subsets([..."rwacdlkmx"], 3).map((s) => s.join(""))) {
    for (const [i, path] of paths.entries()) {
      const op = mask.includes("x") ? (i % 2 ? "exec" : "file_mmap") : mask.includes("l") ? "link" : "open";
      lines.push(avc(`operation="${op}" class="file" ${p()} name=${Buffer.from(path).toString("hex").toUpperCase()} requested_mask="${mask}" denied_mask="${mask}" fsuid=${i % 2} ouid=0${op === "link" ? ' target="/tmp/gen-target"' : ""}`));
    }
  }
  // The same path denied `a` and `w`: one merged rule.
  lines.push(avc(`operation="open" class="file" profile="genmerge" pid=1 comm="d" name="/var/log/gen.log" requested_mask="a" denied_mask="a" fsuid=0 ouid=0`));
  lines.push(avc(`operation="open" class="file" profile="genmerge" pid=1 comm="d" name="/var/log/gen.log" requested_mask="w" denied_mask="w" fsuid=0 ouid=0`));
  CAPABILITIES.forEach((cap, i) => lines.push(avc(`operation="capable" class="cap" ${p()} capability=${i} capname="${cap}"`)));
  for (const family of NETWORK_FAMILIES) for (const type of NETWORK_TYPES) lines.push(avc(`operation="create" class="net" ${p()} family="${family}" sock_type="${type}" protocol=0 requested_mask="create" denied_mask="create"`));
  for (const access of subsets([...ACCESSES.unix], 2)) {
    for (const type of ["stream", "dgram", "seqpacket"]) {
      lines.push(avc(`operation="${access[0]}" class="net" family="unix" sock_type="${type}" ${p()} requested_mask="${access.join(" ")}" denied_mask="${access.join(" ")}" addr="@/tmp/gen-${type}" peer_addr="@/tmp/peer x" peer="unconfined"`));
    }
  }
  for (const signal of [...SIGNALS, "rtmin+3"]) for (const access of ["send", "receive"]) lines.push(avc(`operation="signal" class="signal" ${p()} requested_mask="${access}" denied_mask="${access}" signal=${signal} peer="gen peer"`));
  for (const access of subsets([...ACCESSES.ptrace], 2)) lines.push(avc(`operation="ptrace" class="ptrace" ${p()} requested_mask="${access.join(" ")}" denied_mask="${access.join(" ")}" peer="/usr/bin/gen"`));
  for (const mask of ["send", "receive", "bind", "eavesdrop"]) {
    lines.push(avc(`operation="dbus_method_call" bus="system" path="/org/gen/Obj" interface="org.gen.Iface" member="Do" mask="${mask}" name="org.gen.Service" pid=1 label="gendbus" peer_pid=2 peer_label="unconfined"`));
  }
  for (const options of subsets([...MOUNT_OPTIONS].slice(0, 12), 2)) {
    lines.push(avc(`operation="mount" class="mount" ${p()} name="/mnt/gen/" srcname="/dev/sdz1" fstype="ext4" flags="${options.join(", ")}"`));
  }
  lines.push(avc(`operation="mount" class="mount" ${p()} name="/" flags="rw, rprivate"`));
  lines.push(avc(`operation="remount" class="mount" ${p()} name="/" flags="ro, remount"`));
  lines.push(avc(`operation="umount" class="mount" ${p()} name="/mnt/gen/"`));
  lines.push(avc(`operation="pivotroot" class="mount" ${p()} name="/tmp/" srcname="/tmp/"`));
  lines.push(avc(`operation="change_profile" class="file" ${p()} name="gen_target" target="gen_target"`));
  lines.push(avc(`operation="userns_create" class="namespace" ${p()} requested="userns_create" denied="userns_create"`));
  return lines;
}

/** Rule kinds apparmor_parser 3.x cannot read. */
const NEEDS_V4 = /^(?:audit )?(?:userns|mqueue|io_uring)\b/;

describe.skipIf(parser === null)("every rule aalens can make compiles", () => {
  it("for generated events of every class, access and mask", () => {
    const { rules, unmapped } = rulesOf(events());
    const version = compileRules([]).parserVersion ?? "";
    const v4 = Number(/version (\d+)/.exec(version)?.[1] ?? 0) >= 4;
    const checked = v4 ? rules : rules.filter((r) => !NEEDS_V4.test(r));
    expect(checked.length).toBeGreaterThan(350);
    const result = compileRules(checked);
    expect(result.failures).toEqual([]);
    // What gives no rule says why, with a code where a field did not fit.
    for (const u of unmapped) expect(u).not.toMatch(/undefined|\[object/);
  }, 120_000);

  it("merges an append and a write denial of one path into w (the parser refuses aw)", () => {
    const { rules } = rulesOf([
      avc(`operation="open" class="file" profile="m" pid=1 comm="d" name="/var/log/mydaemon.log" requested_mask="a" denied_mask="a" fsuid=0 ouid=0`),
      avc(`operation="open" class="file" profile="m" pid=1 comm="d" name="/var/log/mydaemon.log" requested_mask="w" denied_mask="w" fsuid=0 ouid=0`),
    ]);
    expect(rules).toEqual(["owner /var/log/mydaemon.log w,"]);
    expect(compileRules(rules).failures).toEqual([]);
  });

  it("leaves a socket path out of a unix rule (the parser takes none there), and says so", () => {
    const c = new Collector();
    const text = avc(`operation="connect" class="net" family="unix" sock_type="stream" profile="u" pid=1 comm="c" requested_mask="send" denied_mask="send" peer_addr="/run/dbus/system_bus_socket" peer="unconfined"`);
    c.record(parseLine({ source: "u", line: 1, text })!.record!, text);
    const [rule] = buildReport(c.state()).rules;
    expect(rule!.rule).toBe("unix (send) type=stream peer=(label=unconfined),");
    expect(rule!.reason).toMatch(/broader than the denial: any address, as apparmor_parser takes no socket path \(\/run\/dbus\/system_bus_socket\)/);
    expect(compileRules([rule!.rule]).failures).toEqual([]);
  });

  it("prints AppArmor 4 rule kinds commented out, with why, when the installed parser is older", () => {
    const c = new Collector();
    const text = avc(`operation="userns_create" class="namespace" profile="n" pid=1 comm="c" requested="userns_create" denied="userns_create"`);
    c.record(parseLine({ source: "n", line: 1, text })!.record!, text);
    const [old] = buildReport(c.state(), { parserMajor: 3 }).rules;
    expect(old!.warning).toMatch(/userns rules need AppArmor 4/);
    expect(buildReport(c.state(), { parserMajor: 4 }).rules[0]!.warning).toBeUndefined();
  });
});
