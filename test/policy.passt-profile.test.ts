/**
 * The real passt/pasta profile from Debian's `passt` package (/etc/apparmor.d/usr.bin.passt):
 * Debian 12's package ships one profile `passt` attached to /usr/bin/passt{,.avx2} that includes
 * both abstractions/passt and abstractions/pasta (pasta is a symlink to passt, so pasta runs
 * under `passt`). The expected rules and lines are read from the files themselves.
 * Skipped when the package is not installed.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRule, findProfile, loadPolicy } from "../src/apparmor/policy/index.js";

const DIR = "/etc/apparmor.d";
const PROFILE = join(DIR, "usr.bin.passt");
const installed = existsSync(PROFILE);

/** 1-based number of the first line of `file` matching `re`, 0 when none. */
function lineOf(file: string, re: RegExp): number {
  return readFileSync(file, "utf8").split("\n").findIndex((l) => re.test(l)) + 1;
}

describe.skipIf(!installed)("Debian's passt profile (skipped: /etc/apparmor.d/usr.bin.passt absent; install the passt package)", () => {
  const policy = loadPolicy(DIR);
  const pasta = join(DIR, "abstractions/pasta");
  const passtAbs = join(DIR, "abstractions/passt");

  it("is loaded as `passt` and found by its attachment paths", () => {
    const p = findProfile(policy, "passt");
    expect(p).toBeDefined();
    expect(p!.attachment).toMatch(/^\/usr\/bin\/passt/);
    expect(findProfile(policy, "/usr/bin/passt")).toBe(p);
    expect(findProfile(policy, "/usr/bin/passt.avx2")).toBe(p);
  });

  it("allows /dev/net/tun rw when the profile includes abstractions/pasta, as the files say", () => {
    const profileText = readFileSync(PROFILE, "utf8");
    const includesPasta = /^\s*#?include\s+<abstractions\/pasta>/m.test(profileText);
    const tunLine = existsSync(pasta) ? lineOf(pasta, /^\s*\/dev\/net\/tun\s+rw\s*,/) : 0;
    const res = checkRule(policy, "passt", { kind: "file", path: "/dev/net/tun", perms: "rw", owner: false });
    if (includesPasta && tunLine > 0) {
      expect(res).toEqual({ verdict: "allowed", by: { file: pasta, line: tunLine, text: "/dev/net/tun rw," } });
    } else {
      // A passt-only profile (upstream after 2023-09): no tun access.
      expect(res.verdict).toBe("missing");
    }
  });

  it("allows what abstractions/passt grants (capability net_admin, network inet stream)", () => {
    const capLine = lineOf(passtAbs, /^\s*capability net_admin,/);
    expect(capLine).toBeGreaterThan(0);
    expect(checkRule(policy, "passt", { kind: "capability", names: ["net_admin"] })).toEqual({
      verdict: "allowed",
      by: { file: passtAbs, line: capLine, text: "capability net_admin," },
    });
    expect(checkRule(policy, "passt", { kind: "network", family: "inet", type: "stream" }).verdict).toBe("allowed");
    expect(checkRule(policy, "passt", { kind: "capability", names: ["sys_module"] }).verdict).toBe("missing");
  });

  it("says missing for a path the profile lacks", () => {
    expect(checkRule(policy, "passt", { kind: "file", path: "/etc/shadow", perms: "r", owner: false })).toEqual({ verdict: "missing" });
    // owner-only rules do not cover a non-owner request
    expect(checkRule(policy, "passt", { kind: "file", path: "/tmp/passt.pcap", perms: "w", owner: false }).verdict).toBe("missing");
    expect(checkRule(policy, "passt", { kind: "file", path: "/tmp/passt.pcap", perms: "w", owner: true }).verdict).toBe("allowed");
  });

  it("says unknown for a profile that is not there", () => {
    expect(checkRule(policy, "pasta-does-not-exist", { kind: "file", path: "/dev/net/tun", perms: "rw", owner: false })).toEqual({ verdict: "unknown" });
  });

  describe("with a deny rule added in a copy of the policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-policy-passt-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(DIR, dir, { recursive: true, filter: (src) => !src.includes("/cache") });
    const copy = join(dir, "usr.bin.passt");
    const text = readFileSync(copy, "utf8").replace(/^(profile passt[^\n]*\{\n)/m, "$1  deny /dev/net/tun w,\n");
    writeFileSync(copy, text);
    const denyLine = text.split("\n").findIndex((l) => l.includes("deny /dev/net/tun w,")) + 1;

    it("says denied, pointing at the deny rule", () => {
      expect(denyLine).toBeGreaterThan(0);
      const policy2 = loadPolicy(dir);
      expect(checkRule(policy2, "passt", { kind: "file", path: "/dev/net/tun", perms: "rw", owner: false })).toEqual({
        verdict: "denied",
        by: { file: copy, line: denyLine, text: "deny /dev/net/tun w," },
      });
      // Reading is not denied.
      expect(checkRule(policy2, "passt", { kind: "file", path: "/dev/net/tun", perms: "r", owner: false }).verdict).not.toBe("denied");
    });
  });
});
