/**
 * `aalens pasta --system`, run against fake roots (`--root DIR`): what it reads of the host, how
 * the diagnoses use it, and that every probe that cannot run is named and skipped.
 */
import { describe, expect, it } from "vitest";
import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { aalens } from "./helpers/cli.js";
import type { PastaReport } from "../src/report/model.js";
import type { SystemFacts } from "../src/pasta/system-probe.js";

function root(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "aalens-root-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const avc = (n: number, body: string) => `type=AVC msg=audit(1764382380.${100 + n}:${n}): apparmor="DENIED" ${body}`;
const TUN = avc(1, 'operation="open" class="file" profile="passt" name="/dev/net/tun" pid=3312 comm="pasta" requested_mask="wr" denied_mask="wr" fsuid=1000 ouid=0');

function run(dir: string, log: string): PastaReport & { system: SystemFacts } {
  const file = join(dir, "..", `${dir.split("/").pop()}.log`);
  writeFileSync(file, log + "\n");
  const r = aalens(["pasta", "--system", "--root", dir, "--no-policy", "--format", "json", file]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PastaReport & { system: SystemFacts };
}

describe("aalens pasta --system", () => {
  it("openSUSE's layout: pasta a symlink to passt, both profiles loaded — the symlink shown as evidence", () => {
    const dir = root({
      "etc/os-release": 'NAME="openSUSE Tumbleweed"\nPRETTY_NAME="openSUSE Tumbleweed"\n',
      "usr/bin/passt": "\x7fELF",
      "etc/apparmor.d/usr.bin.passt": "abi <abi/3.0>,\nprofile passt /usr/bin/passt{,.avx2} {\n  include <abstractions/passt>\n}\n",
      "etc/apparmor.d/usr.bin.pasta": "profile pasta /usr/bin/pasta{,.avx2} {\n  include <abstractions/pasta>\n}\n",
      "etc/apparmor.d/abstractions/pasta": "  /dev/net/tun rw,\n",
      "etc/apparmor.d/abi/3.0": "",
      "sys/kernel/security/apparmor/profiles": "passt (enforce)\npasta (enforce)\n/usr/sbin/cupsd (enforce)\n",
    });
    symlinkSync("passt", join(dir, "usr/bin/pasta"));
    const r = run(dir, TUN);
    expect(r.system.distribution).toBe("openSUSE Tumbleweed");
    expect(r.system.binaries.find((b) => b.path === "/usr/bin/pasta")).toMatchObject({ kind: "symlink", target: "passt" });
    expect(r.system.loaded).toEqual([{ name: "passt", mode: "enforce" }, { name: "pasta", mode: "enforce" }]);
    expect(r.system.profiles).toMatchObject({ passtIncludesPasta: false, pastaAbstraction: true });
    expect(r.system.policyAbis).toEqual(["3.0"]);
    expect(r.system.skipped.map((s) => s.probe)).toContain("pasta/podman/buildah/apparmor_parser --version");
    const d = r.diagnoses.find((x) => x.id === "symlink-profile")!;
    expect(d.evidence).toContain("on this system (aalens pasta --system): /usr/bin/pasta is a symlink to passt");
    expect(d.rules[0]!.rules).toEqual(["include <abstractions/pasta>"]);
  });

  it("a hard link and Ubuntu's restriction: both read, the sysctl given as evidence of userns-restricted", () => {
    const dir = root({ "usr/bin/passt": "\x7fELF", "proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" });
    linkSync(join(dir, "usr/bin/passt"), join(dir, "usr/bin/pasta"));
    const r = run(dir, avc(2, 'operation="capable" class="cap" profile="unprivileged_userns" pid=8124 comm="pasta" capability=21 capname="sys_admin"'));
    expect(r.system.binaries.find((b) => b.path === "/usr/bin/pasta")).toMatchObject({ kind: "hardlink", links: 2 });
    expect(r.system.restrictUnprivilegedUserns).toBe(1);
    expect(r.diagnoses.find((x) => x.id === "userns-restricted")!.evidence).toContain("on this system (aalens pasta --system): kernel.apparmor_restrict_unprivileged_userns = 1");
  });

  it("an empty root: every probe that cannot run is named and skipped, and the report still comes", () => {
    const dir = root({});
    const r = run(dir, TUN);
    const probes = r.system.skipped.map((s) => s.probe);
    for (const p of ["/etc/os-release", "/etc/apparmor.d/abi/", "kernel.apparmor_restrict_unprivileged_userns", "/sys/kernel/security/apparmor/profiles"]) expect(probes).toContain(p);
    expect(r.system.binaries.every((b) => b.kind === "missing")).toBe(true);
    expect(r.incidents).toHaveLength(1);
    const text = aalens(["pasta", "--system", "--root", dir, "--no-policy", join(dir, "..", `${dir.split("/").pop()}.log`)]).stdout;
    expect(text).toMatch(/this system \(read-only probes\):/);
    expect(text).toMatch(/skipped: \/sys\/kernel\/security\/apparmor\/profiles — /);
  });

  it("--root without --system is a usage error", () => {
    const r = aalens(["pasta", "--root", "/tmp", "samples/dmesg.txt"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--root needs --system/);
  });
});
