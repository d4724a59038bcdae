/**
 * pasta incidents from realistic logs in several formats: the refused steps, the caller, every
 * diagnosis, the error lines attached — and no incident where pasta is not the one denied.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import type { LineMeta } from "../src/parse/record.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { PastaReport } from "../src/report/model.js";
import { aalens } from "./helpers/cli.js";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Input = string | { text: string; meta: LineMeta };

/** Run lines (text, or journal entries with their fields) through the analysis. */
function pasta(inputs: Input[]): PastaReport {
  const b = new Collector({ modes: new Set(["DENIED", "KILL", "ALLOWED", "AUDIT"]) });
  inputs.forEach((input, i) => {
    const src = typeof input === "string" ? { source: "t", line: i + 1, text: input } : { source: "t", line: i + 1, ...input };
    const r = parseLine(src);
    if (r === null) b.other(src);
    else if (r.record !== undefined) b.record(r.record, src.text);
  });
  return buildReport(b.state()).pasta;
}

let serial = 500;
const stamp = () => `${1764382380 + serial}.${String(serial % 1000).padStart(3, "0")}:${++serial}`;
const avc = (body: string) => `type=AVC msg=audit(${stamp()}): apparmor="DENIED" ${body}`;
const dmesg = (body: string) => `[ 214.03${serial}] audit: type=1400 audit(${stamp()}): apparmor="DENIED" ${body}`;
const NETNS = "/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f";

describe("pasta diagnoses", () => {
  it("symlink-profile: pasta under the passt profile (dmesg), caller podman-container", () => {
    const p = pasta([
      dmesg(`operation="open" class="file" profile="passt" name="${NETNS}" pid=3312 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`),
      dmesg(`operation="open" class="file" profile="passt" name="/dev/net/tun" pid=3312 comm="pasta" requested_mask="wr" denied_mask="wr" fsuid=1000 ouid=0`),
    ]);
    expect(p.incidents).toHaveLength(1);
    expect(p.incidents[0]).toMatchObject({ caller: "podman-container", operations: ["netns-open", "tun-open"], fatalStep: "netns-open", diagnoses: ["symlink-profile"] });
    const d = p.diagnoses.find((x) => x.id === "symlink-profile")!;
    expect(d.fix.join("\n")).toMatch(/hard link/);
    expect(d.fix.join("\n")).toMatch(/slirp4netns/);
  });

  it("openSUSE/Buildah: /proc/PID/ns/net and ptrace under passt (audit.log with SYSCALL/PROCTITLE)", () => {
    const id = stamp();
    const p = pasta([
      `type=AVC msg=audit(${id}): apparmor="DENIED" operation="open" class="file" profile="passt" name="/proc/24817/ns/net" pid=24822 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000`,
      `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c items=1 ppid=24810 pid=24822 auid=1000 uid=1000 comm="pasta" exe="/usr/bin/passt" key=(null)`,
      `type=PROCTITLE msg=audit(${id}): proctitle=${Buffer.from("/usr/bin/pasta\0--config-net\0--netns\0/proc/24817/ns/net").toString("hex").toUpperCase()}`,
      avc('operation="ptrace" class="ptrace" profile="passt" pid=24822 comm="pasta" requested_mask="read" denied_mask="read" peer="unconfined"'),
    ]);
    expect(p.incidents[0]).toMatchObject({ caller: "buildah-run", operations: ["netns-open", "ptrace-read"] });
    expect(p.incidents[0]!.denials[0]).toMatchObject({ exe: "/usr/bin/passt", ppid: 24810, cmdline: "/usr/bin/pasta --config-net --netns /proc/24817/ns/net" });
    expect(p.incidents[0]!.diagnoses).toEqual(["symlink-profile", "buildah-netns-ptrace"]);
  });

  it("runtime-path-not-in-profile: netns under a custom runroot (syslog), caller podman-rootless-netns", () => {
    const p = pasta([`Nov 29 02:21:40 ci-runner kernel: audit: type=1400 audit(${stamp()}): apparmor="DENIED" operation="open" class="file" profile="pasta" name="/var/tmp/ci/runroot/networks/rootless-netns/rootless-netns" pid=7001 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`]);
    expect(p.incidents[0]).toMatchObject({ caller: "podman-rootless-netns", host: "ci-runner", diagnoses: ["runtime-path-not-in-profile"] });
  });

  it("userns-restricted: unconfined pasta moved to unprivileged_userns (kernel log), caller standalone", () => {
    const p = pasta([
      `[ 4211.093421] audit: type=1400 audit(${stamp()}): apparmor="AUDIT" operation="userns_create" class="namespace" info="Userns create - transitioning profile" profile="unconfined" pid=8123 comm="pasta.avx2" requested="userns_create" target="unprivileged_userns"`,
      dmesg('operation="capable" class="cap" profile="unprivileged_userns" pid=8124 comm="pasta.avx2" capability=21  capname="sys_admin"'),
    ]);
    expect(p.incidents[0]).toMatchObject({ caller: "standalone", diagnoses: ["userns-restricted"] });
    expect(p.diagnoses[0]!.fix.join("\n")).toMatch(/apparmor_restrict_unprivileged_userns=0/);
  });

  it("podman-signal: a confined podman's SIGTERM refused by pasta", () => {
    const p = pasta([avc('operation="signal" class="signal" profile="pasta" pid=25102 comm="podman" requested_mask="receive" denied_mask="receive" signal=term peer="podman"')]);
    expect(p.diagnoses.map((d) => d.id)).toEqual(["podman-signal"]);
    // The rule that allows this denial (a `set=(term, kill)` rule covers `term`), the same one "Suggested rules" gives.
    expect(p.diagnoses[0]!.fix).toContain("signal receive set=(term, kill) peer=podman,");
  });

  it("container-profile-blocks-sandbox: pasta inside docker-default may not mount", () => {
    const p = pasta([avc('operation="mount" class="mount" info="failed flags match" error=-13 profile="docker-default" name="/" pid=9001 comm="pasta" flags="rw, runbindable"')]);
    expect(p.incidents[0]!.operations).toEqual(["sandbox-remount-root"]);
    expect(p.diagnoses.map((d) => d.id)).toEqual(["container-profile-blocks-sandbox"]);
  });

  it("abi4-userns: a confined pasta refused a user namespace", () => {
    const p = pasta([avc('operation="userns_create" class="namespace" profile="pasta" pid=4100 comm="pasta" requested="userns_create" denied="userns_create"')]);
    expect(p.diagnoses.map((d) => d.id)).toEqual(["abi4-userns"]);
    expect(p.diagnoses[0]!.fix).toContain("userns,");
  });

  it("noise: only sysctl and resolv.conf reads refused", () => {
    const p = pasta([
      avc('operation="open" class="file" profile="pasta" name="/proc/sys/net/ipv4/ip_local_port_range" pid=5120 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0'),
      avc('operation="open" class="file" profile="pasta" name="/etc/resolv.conf" pid=5120 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0'),
    ]);
    expect(p.incidents[0]!.fatalStep).toBeNull();
    expect(p.diagnoses.map((d) => [d.id, d.severity])).toEqual([["noise", "info"]]);
  });

  it("rootlesskit is recognised from its netns path", () => {
    const p = pasta([avc('operation="open" class="file" profile="pasta" name="/tmp/rootlesskit4242/netns" pid=6000 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000')]);
    expect(p.incidents[0]!.caller).toBe("rootlesskit");
  });
});

describe("journald, both transports, and the error pasta printed", () => {
  it("counts the event once and attaches Podman's message by time", () => {
    const msg = `operation="open" class="file" profile="passt" name="${NETNS}" pid=30111 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`;
    const p = pasta([
      { text: `audit: type=1400 audit(1764382500.121:2001): apparmor="DENIED" ${msg}`, meta: { format: "journal-json", host: "tw", transport: "kernel", realtimeUsec: 1764382500123456 } },
      { text: `AVC apparmor="DENIED" ${msg}`, meta: { format: "journal-json", host: "tw", transport: "audit", auditSerial: "2001", sourceRealtimeUsec: 1764382500121000 } },
      { text: `Error: pasta failed with exit code 1:\nCouldn't open network namespace ${NETNS}: Permission denied`, meta: { format: "journal-json", host: "tw", transport: "stdout", identifier: "podman", realtimeUsec: 1764382500190000 } },
    ]);
    expect(p.incidents).toHaveLength(1);
    expect(p.incidents[0]!.steps[0]!.count).toBe(1);
    expect(p.incidents[0]!.messages).toMatchObject([{ step: "netns-open", identifier: "podman", path: NETNS, error: "Permission denied" }]);
  });
});

describe("not pasta", () => {
  it("ignores SELinux denials of pasta and AppArmor denials of other programs on the same paths", () => {
    const p = pasta([
      `type=AVC msg=audit(${stamp()}): avc:  denied  { read } for  pid=5501 comm="pasta" name="netns-77aa" scontext=unconfined_u:unconfined_r:pasta_t:s0 tclass=file permissive=0`,
      avc(`operation="open" class="file" profile="/usr/bin/slirp4netns" name="${NETNS}" pid=5530 comm="slirp4netns" requested_mask="r" denied_mask="r"`),
      avc('operation="open" class="file" profile="passt" name="/var/lib/libvirt/qemu/passt.sock" pid=77 comm="passt" requested_mask="w" denied_mask="w"'),
    ]);
    expect(p.incidents).toEqual([]);
  });
});

describe("aalens pasta", () => {
  it("reports the bundled samples' incidents with the stderr file attached", () => {
    const r = aalens(["pasta", "--no-policy", "--format", "json", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as PastaReport;
    const callers = new Set(report.incidents.map((i) => i.caller));
    for (const c of ["podman-container", "podman-rootless-netns", "buildah-run", "standalone"]) expect(callers).toContain(c);
    const attached = report.incidents.flatMap((i) => i.messages.map((m) => m.source));
    expect(attached).toContain("samples/podman-run-stderr.txt");
    expect(attached).toContain("samples/journal.json");
  });

  it("names, in each fix, the local file the installed profile reads (or the include line to add)", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-pasta-target-"));
    mkdirSync(join(dir, "local"));
    // passt reads its local file; pasta reads none, so the fix must say which include line to add.
    writeFileSync(join(dir, "usr.bin.passt"), "profile passt /usr/bin/passt {\n  include if exists <local/usr.bin.passt>\n}\n");
    writeFileSync(join(dir, "usr.bin.pasta"), "profile pasta /usr/bin/pasta {\n  /etc/passwd r,\n}\n");
    const r = aalens(["pasta", "--profile-dir", dir, "--format", "json", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const fixes = (JSON.parse(r.stdout) as PastaReport).diagnoses.map((d) => [d.id, d.fix.join("\n")]);
    const fix = (id: string) => fixes.find(([i]) => i === id)![1]!;
    expect(fix("symlink-profile")).toContain(`In ${join(dir, "local/usr.bin.passt")}:`);
    expect(fix("podman-signal")).toContain(`${join(dir, "local/usr.bin.pasta")}, after adding \`include if exists <local/usr.bin.pasta>\` to ${join(dir, "usr.bin.pasta")} before line 3`);
    for (const [, text] of fixes) expect(text).not.toMatch(/no installed policy was read/);
  });

  it("says plainly when there is nothing of pasta's", () => {
    const r = aalens(["pasta", "--no-policy", "samples/fedora-selinux-audit.log"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no pasta denials/);
  });
});
