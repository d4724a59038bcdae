/**
 * pasta fixes are computed from the denials: for each refused step the upstream rule that covers
 * that exact denial (the same rule "Suggested rules" prints), the rest of what the cause needs,
 * no rule twice, prose before rules, every rule compiled by apparmor_parser — and causes named
 * only on positive evidence, with the installed policy read.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { AnalyzeReport } from "../src/report/model.js";
import type { PastaDiagnosis } from "../src/pasta/diagnose.js";
import { canonicalRule, upstreamCovers } from "../src/pasta/upstream-rules.js";
import { compileRules, findParser, parserMajorVersion } from "../src/apparmor/validate.js";
import { aalens } from "./helpers/cli.js";

function analyse(lines: string[]): AnalyzeReport {
  const b = new Collector();
  lines.forEach((text, i) => {
    const r = parseLine({ source: "t", line: i + 1, text });
    if (r?.record !== undefined) b.record(r.record, text);
  });
  return buildReport(b.state());
}

let serial = 900;
const avc = (body: string) => `type=AVC msg=audit(${1764382380 + serial}.${String(serial % 1000).padStart(3, "0")}:${++serial}): apparmor="DENIED" ${body}`;
const open = (profile: string, name: string, mask: string, comm = "pasta", op = "open", ouid = 1000) =>
  avc(`operation="${op}" class="file" profile="${profile}" name="${name}" pid=3030 comm="${comm}" requested_mask="${mask}" denied_mask="${mask}" fsuid=1000 ouid=${ouid}`);

const byId = (r: AnalyzeReport, id: string): PastaDiagnosis | undefined => r.pasta.diagnoses.find((d) => d.id === id);
const fixRules = (d: PastaDiagnosis) => d.rules.flatMap((g) => g.rules);

describe("each denial gets the upstream rule that covers it", () => {
  it("a /proc/PID/ns/net denial: the /proc rule, the ns/ directory and ptrace read — never the runtime-dir rule", () => {
    const r = analyse([open("passt", "/proc/3026/ns/net", "r")]);
    const d = byId(r, "buildah-netns-ptrace")!;
    expect(fixRules(d)).toEqual(["@{PROC}/[0-9]*/ns/net r,", "@{PROC}/[0-9]*/ns/ r,", "ptrace read,"]);
    expect(fixRules(d)).not.toContain("@{run}/user/@{uid}/** rw,");
    // The same rule as "Suggested rules" for the same denial, and it covers the denial exactly.
    expect(r.rules.map((x) => x.rule)).toContain("@{PROC}/[0-9]*/ns/net r,");
    expect(upstreamCovers("@{PROC}/[0-9]*/ns/net r,", { kind: "file", path: "/proc/3026/ns/net", perms: "r", owner: false })).toBe(true);
  });

  it("a control socket's mknod gets a file rule, not `network unix stream,`", () => {
    const r = analyse([open("pasta", "/run/user/1000/containers/networks/rootless-netns/pasta.sock", "c", "pasta", "mknod")]);
    const rules = r.rules.map((x) => x.rule);
    expect(rules).toEqual(["@{run}/user/@{uid}/** rw,"]);
    expect(r.rules[0]!.broader).toBe(true);
    expect(r.rules[0]!.reason).toMatch(/upstream passt's rule for pasta's control-socket step, broader than these denials \(the exact rule: /);
  });

  it("two sysctl denials give two rules", () => {
    // (sysctl files belong to root: no `owner`)
    const r = analyse([open("pasta", "/proc/sys/net/ipv4/ip_local_port_range", "r", "pasta", "open", 0), open("pasta", "/proc/sys/net/ipv4/tcp_syn_retries", "r", "pasta", "open", 0)]);
    expect(fixRules(byId(r, "noise")!)).toEqual(["@{PROC}/sys/net/ipv4/ip_local_port_range r,", "@{PROC}/sys/net/ipv4/tcp_syn_retries r,"]);
  });

  it("a denial no upstream rule covers keeps its own exact rule (a custom runroot)", () => {
    const r = analyse([open("pasta", "/var/tmp/ci/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f", "r")]);
    expect(fixRules(byId(r, "runtime-path-not-in-profile")!)).toEqual(["/var/tmp/ci/netns/netns-* r,"]);
  });
});

describe("mount and pivot_root steps are matched on their flags and paths", () => {
  const mount = (flags: string) => avc(`operation="mount" class="mount" info="failed flags match" error=-13 profile="pasta" name="/" pid=3030 comm="pasta" flags="${flags}"`);

  it("pasta's unbindable remount of / gets upstream's rule for exactly those flags", () => {
    const r = analyse([mount("rw, runbindable")]);
    expect(r.pasta.incidents[0]!.steps[0]!.step).toBe("sandbox-remount-root");
    expect(r.rules.map((x) => x.rule)).toEqual(["mount options=(rw, runbindable) -> /,"]);
  });

  it("an rprivate remount of / is not pasta's sandbox step, and gets the exact rule", () => {
    const r = analyse([mount("rw, rprivate")]);
    expect(r.pasta.incidents[0]!.steps[0]!.step).toBeNull();
    expect(r.rules.map((x) => x.rule)).toEqual(["mount options=(rprivate, rw) -> /,"]);
  });

  it("pivot_root into /tmp: `pivot_root oldroot=/tmp/ /tmp/,`, never a `->` profile transition", () => {
    const r = analyse([avc('operation="pivotroot" class="mount" profile="pasta" name="/tmp/" pid=3030 comm="pasta" srcname="/tmp/" error=-13')]);
    const all = [...r.rules.map((x) => x.rule), ...r.pasta.diagnoses.flatMap(fixRules)];
    expect(all).toContain("pivot_root oldroot=/tmp/ /tmp/,");
    for (const rule of all) expect(rule).not.toMatch(/^pivot_root.*->/);
  });
});

describe("causes told apart on positive evidence", () => {
  it("passt started by libvirt is libvirt's passt, not a pasta symlink, and gets no slirp4netns advice", () => {
    const r = analyse([open("passt", "/run/libvirt/qemu/passt/1-node1-net0.socket", "c", "passt.avx2", "mknod")]);
    const ids = r.pasta.diagnoses.map((d) => d.id);
    expect(ids).toContain("libvirt-passt");
    expect(ids).not.toContain("symlink-profile");
    for (const d of r.pasta.diagnoses) expect(d.fix.join("\n")).not.toMatch(/slirp4netns/);
  });

  it("symlink-profile needs pasta's own evidence: its comm, or a step only pasta takes", () => {
    expect(analyse([open("passt", "/dev/net/tun", "wr", "pasta")]).pasta.diagnoses.map((d) => d.id)).toContain("symlink-profile");
    expect(analyse([open("passt", "/run/user/1000/netns/", "r", "passt.avx2")]).pasta.diagnoses.map((d) => d.id)).toContain("symlink-profile");
    // passt.avx2 opening the tun device is what passt itself does too: no claim about a symlink.
    expect(analyse([open("passt", "/dev/net/tun", "wr", "passt.avx2")]).pasta.diagnoses.map((d) => d.id)).not.toContain("symlink-profile");
  });

  it("a container profile's mount refusal: the runtime's knob, and no allow rule for a generated profile", () => {
    const r = analyse([avc('operation="mount" class="mount" info="failed flags match" error=-13 profile="containers-default-0.50.1" name="/" pid=3030 comm="pasta" flags="rw, runbindable"')]);
    const d = byId(r, "container-profile-blocks-sandbox")!;
    expect(d.rules).toEqual([]);
    expect(d.explanation).toMatch(/deny mount/);
    expect(d.fix.join("\n")).toMatch(/--security-opt apparmor=/);
    expect(d.fix.join("\n")).toMatch(/appArmorProfile/);
  });

  it("userns-restricted gives a profile for the real binary and the sysctl last, not the distribution's package", () => {
    const r = analyse([avc('operation="userns_create" class="namespace" info="Userns create restricted - failed to find unprivileged_userns profile" error=-13 profile="unconfined" pid=8124 comm="pasta" requested="userns_create" denied="userns_create" target="unprivileged_userns"')]);
    const d = byId(r, "userns-restricted")!;
    const text = d.fix.join("\n");
    expect(text).not.toMatch(/distribution's pasta package/);
    expect(d.steps[d.steps.length - 1]).toMatch(/apparmor_restrict_unprivileged_userns=0/);
    expect(d.steps[0]).toMatch(/attachment/);
  });

  it("abi4-userns says ABI 3.0 allows user namespaces implicitly", () => {
    const r = analyse([avc('operation="userns_create" class="namespace" profile="passt" pid=8124 comm="passt.avx2" requested="userns_create" denied="userns_create"')]);
    expect(byId(r, "abi4-userns")!.explanation).toMatch(/ABI 3\.0 allow creating a user namespace implicitly/);
  });
});

describe("fixes read in order and hold each rule once", () => {
  const report = JSON.parse(aalens(["pasta", "--format", "json", "--no-policy", "samples/"]).stdout) as AnalyzeReport["pasta"];

  it("prose first, then each file's rules, then the workaround", () => {
    expect(report.diagnoses.length).toBeGreaterThan(3);
    for (const d of report.diagnoses) {
      const firstRule = d.fix.findIndex((l) => l.startsWith("In "));
      if (firstRule < 0) continue;
      for (const step of d.steps) expect(d.fix.indexOf(step), d.id).toBeLessThan(firstRule);
      if (d.workaround !== undefined) expect(d.fix[d.fix.length - 1]).toBe(d.workaround);
    }
  });

  it("no rule twice in a fix, also when written two ways (`ptrace r,` and `ptrace (read),`)", () => {
    for (const d of report.diagnoses) {
      const canonical = fixRules(d).map(canonicalRule);
      expect(new Set(canonical).size, `${d.id}: ${canonical.join(" | ")}`).toBe(canonical.length);
    }
  });

  it.skipIf(findParser() === null)("every fix rule compiles with apparmor_parser", () => {
    const lines = [open("passt", "/proc/3026/ns/net", "r"), open("pasta", "/run/user/1000/containers/networks/rootless-netns/pasta.sock", "c", "pasta", "mknod"),
      avc('operation="pivotroot" class="mount" profile="pasta" name="/tmp/" pid=3030 comm="pasta" srcname="/tmp/" error=-13')];
    const rules = [...report.diagnoses.flatMap(fixRules), ...analyse(lines).pasta.diagnoses.flatMap(fixRules)]
      .filter((r) => (parserMajorVersion() ?? 0) >= 4 || !/^(?:userns|mqueue|io_uring)\b/.test(r));
    expect(rules.length).toBeGreaterThan(8);
    const result = compileRules(rules);
    expect(result.failures).toEqual([]);
  });
});

describe("the installed policy decides the layout", () => {
  const debian = existsSync("/etc/apparmor.d/usr.bin.passt") && existsSync("/etc/apparmor.d/abstractions/pasta");

  it.skipIf(!debian)("Debian's passt profile includes abstractions/pasta: pasta under passt is intended, not a symlink fault", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-pasta-debian-"));
    const log = join(dir, "audit.log");
    writeFileSync(log, `${open("passt", "/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f", "r")}\n`);
    const r = JSON.parse(aalens(["pasta", "--format", "json", "--profile-dir", "/etc/apparmor.d", log]).stdout) as AnalyzeReport["pasta"];
    expect(r.diagnoses.map((d) => d.id)).toEqual(["missing-rule"]);
    expect(r.diagnoses[0]!.explanation).toMatch(/intended layout \(as on Debian\)/);
  });

  it("a passt profile without abstractions/pasta, where the abstraction is installed: include it, all of pasta's rules at once", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-pasta-split-"));
    mkdirSync(join(dir, "abstractions"));
    mkdirSync(join(dir, "local"));
    writeFileSync(join(dir, "abstractions", "pasta"), "  /dev/net/tun rw,\n  @{run}/user/@{uid}/** rw,\n");
    writeFileSync(join(dir, "usr.bin.passt"), "profile passt /usr/bin/passt {\n  include if exists <local/usr.bin.passt>\n}\n");
    const log = join(dir, "audit.log");
    writeFileSync(log, `${open("passt", "/dev/net/tun", "wr")}\n`);
    const r = JSON.parse(aalens(["pasta", "--format", "json", "--profile-dir", dir, log]).stdout) as AnalyzeReport["pasta"];
    const d = r.diagnoses.find((x) => x.id === "symlink-profile")!;
    expect(d.rules).toEqual([{ file: join(dir, "local/usr.bin.passt"), rules: ["include <abstractions/pasta>"] }]);
    expect(d.steps[0]).toMatch(/^Packaging fix: install pasta as a hard link/);
  });
});
