/**
 * Where the rules go, from the installed policy: the local file the profile's own body reads
 * (a child profile's own include), the exact include line to add when it reads none, and for
 * profiles no policy file holds (unconfined, kernel- and runtime-generated) why no rule helps.
 * A denial the profile already allows with a literal rule is reported as allowed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../src/apparmor/policy/load.js";
import { targetOf } from "../src/apparmor/local/target.js";
import { aalens } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-targets-"));
const policy = join(dir, "apparmor.d");
mkdirSync(join(policy, "local"), { recursive: true });
mkdirSync(join(policy, "tunables"), { recursive: true });
writeFileSync(join(policy, "tunables", "global"), "@{PROC}=/proc/\n@{pid}={[1-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9]}\n");
writeFileSync(join(policy, "tlp"), [
  "include <tunables/global>",
  "profile tlp /usr/sbin/tlp {",
  "  /usr/sbin/tlp r,",
  "  /proc/21622/cmdline r,",
  "  profile systemctl {",
  "    /usr/bin/systemctl rix,",
  "    include if exists <local/tlp_systemctl>",
  "  }",
  "  include if exists <local/tlp>",
  "}",
  "",
].join("\n"));
mkdirSync(join(policy, "abstractions"), { recursive: true });
writeFileSync(join(policy, "abstractions", "vendor-data"), "/var/lib/vendor/** rw,\n/etc/vendor.d/ r,\n");
writeFileSync(join(policy, "usr.bin.vendor"), ["include <tunables/global>", "profile vendor /usr/bin/vendor {", "  /etc/vendor.conf r,", "", "}", ""].join("\n"));

let serial = 900;
const avc = (profile: string, name: string, op = "open") => {
  serial++;
  return `type=AVC msg=audit(1764382380.${serial % 1000}:${serial}): apparmor="DENIED" operation="${op}" class="file" profile="${profile}" name="${name}" pid=21622 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1`;
};
const log = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
};

describe("rule targets", () => {
  const loaded = loadPolicy(policy);

  it("is the local file the profile's own body includes", () => {
    expect(targetOf("tlp", loaded)).toMatchObject({ kind: "local", local: "local/tlp", path: join(policy, "local/tlp"), includedAt: `${join(policy, "tlp")}:9` });
  });

  it("is the child profile's own include for a child profile, never the parent's", () => {
    expect(targetOf("tlp//systemctl", loaded)).toMatchObject({ kind: "local", local: "local/tlp_systemctl" });
  });

  it("says which include line to add, and where, when the profile reads no local file", () => {
    expect(targetOf("vendor", loaded)).toEqual({
      kind: "add-include", profile: "vendor", local: "local/usr.bin.vendor", path: join(policy, "local/usr.bin.vendor"),
      profileFile: join(policy, "usr.bin.vendor"), line: 5, include: "include if exists <local/usr.bin.vendor>",
    });
  });

  it("gives no file for profiles no policy file holds, and says why", () => {
    for (const p of ["unconfined", "unprivileged_userns", "docker-default", "crio-default", "containers-default-0.50.1", "snap.firefox.firefox", "libvirt-0d6c3f4e-8a1b-4c2d-9e3f-112233445566"]) {
      const t = targetOf(p, loaded);
      expect(t.kind, p).toBe("not-policy");
    }
    expect(targetOf("unconfined", loaded)).toMatchObject({ why: expect.stringMatching(/user namespaces/), next: expect.stringMatching(/userns/) });
  });

  it("tells a stack apart: the one confining profile's file, or no guess when several may have refused", () => {
    expect(targetOf("tlp//&unconfined", loaded)).toMatchObject({ kind: "local", profile: "tlp", local: "local/tlp" });
    const both = targetOf("tlp//&vendor", loaded);
    expect(both).toMatchObject({ kind: "not-policy", why: expect.stringMatching(/stack of profiles \(tlp, vendor\).*does not say which/) });
    expect((both as { next: string }).next).toMatch(/aa-exec -p/);
  });

  it("gives no host file for a profile of another policy namespace (LXD, a container's own policy)", () => {
    expect(targetOf(":lxd-c1_<var-snap-lxd-common-lxd>:nvidia-persistenced", loaded)).toMatchObject({ kind: "not-policy", why: expect.stringMatching(/namespace "lxd-c1_<var-snap-lxd-common-lxd>"/) });
  });

  it.skipIf(!existsSync("/etc/apparmor.d/usr.bin.passt"))("finds that Debian's passt profile reads no local file", () => {
    const t = targetOf("passt", loadPolicy("/etc/apparmor.d"));
    expect(t).toMatchObject({ kind: "add-include", include: "include if exists <local/usr.bin.passt>", profileFile: "/etc/apparmor.d/usr.bin.passt" });
    const text = readFileSync("/etc/apparmor.d/usr.bin.passt", "utf8").split("\n");
    expect(text[(t as { line: number }).line - 1]).toMatch(/^\s*}/);
  });
});

describe("aalens rules with the installed policy", () => {
  it("prints where each block goes, and no rule for unconfined", () => {
    const input = log("t.log", [avc("tlp", "/etc/tlp.conf"), avc("vendor", "/var/lib/vendor/db"), avc("unconfined", "/x", "userns_create")]);
    const r = aalens(["rules", "--profile-dir", policy, input]);
    expect(r.stdout).toContain(`# add to ${join(policy, "local/tlp")} (read by the profile: ${join(policy, "tlp")}:9)`);
    expect(r.stdout).toContain("#   include if exists <local/usr.bin.vendor>");
    expect(r.stdout).toMatch(/# aalens: 1 denial rule\(s\) for unconfined are not suggested\n# no rule helps: /);
    expect(r.stdout).not.toMatch(/^\/x r,$/m);
  });

  it("writes only the files the profiles read (or will read), never local/unconfined", () => {
    const out = join(dir, "local-out");
    const input = log("w.log", [avc("tlp", "/etc/tlp.conf"), avc("tlp//systemctl", "/etc/systemd/x"), avc("vendor", "/var/lib/vendor/db"), avc("unconfined", "/x")]);
    const r = aalens(["rules", "--profile-dir", policy, "--write-local", out, input]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["tlp", "tlp_systemctl", "usr.bin.vendor"]);
    expect(r.stderr).toMatch(/profile vendor reads no local file: add `include if exists <local\/usr.bin.vendor>`/);
    expect(r.stderr).toMatch(/not written: profile unconfined: No profile confines/);
  });

  it("reports a denial the profile allows with a literal rule as allowed, not missing", () => {
    const input = log("lit.log", [avc("tlp", "/proc/21622/cmdline")]);
    const rules = JSON.parse(aalens(["rules", "--format", "json", "--profile-dir", policy, input]).stdout) as Array<{ rule: string; status: string }>;
    expect(rules).toEqual([expect.objectContaining({ rule: "@{PROC}/@{pid}/cmdline r,", status: "allowed" })]);
  });
});

describe("rules are verified in a copy of the installed policy", () => {
  it("marks a block verified when its profile compiles with it (the include line added where it is missing)", () => {
    const input = log("v.log", [avc("vendor", "/var/lib/vendor/db"), avc("tlp", "/etc/tlp.conf")]);
    const rules = JSON.parse(aalens(["rules", "--format", "json", "--profile-dir", policy, input]).stdout) as Array<{ profile: string; verification?: { status: string } }>;
    expect(rules.map((r) => [r.profile, r.verification?.status])).toEqual([["tlp", "verified"], ["vendor", "verified"]]);
    // The installed policy itself is untouched.
    expect(readFileSync(join(policy, "usr.bin.vendor"), "utf8")).not.toContain("include if exists");
    expect(existsSync(join(policy, "local", "usr.bin.vendor"))).toBe(false);
  });

  it("shows the parser's message when the profile does not compile, and --verify makes it exit 2", () => {
    const broken = join(dir, "broken.d");
    mkdirSync(join(broken, "tunables"), { recursive: true });
    writeFileSync(join(broken, "tunables", "global"), "");
    writeFileSync(join(broken, "bad"), "profile bad {\n  include if exists <local/bad>\n  /x frobnicate,\n}\n");
    const input = log("b.log", [avc("bad", "/etc/bad.conf")]);
    const r = aalens(["rules", "--profile-dir", broken, "--verify", input]);
    expect(r.stdout).toMatch(/# NOT VERIFIED: the profile does not compile with these rules: .+/);
    expect(r.status).toBe(2);
    expect(aalens(["rules", "--profile-dir", broken, input]).status).toBe(0);
  });
});

describe("installed abstractions", () => {
  it("are offered when one allows several of a profile's missing rules, saying it allows more", () => {
    const input = log("abs.log", [avc("vendor", "/var/lib/vendor/db"), avc("vendor", "/var/lib/vendor/cache/x"), avc("vendor", "/etc/unrelated")]);
    const r = aalens(["rules", "--no-verify", "--profile-dir", policy, input]);
    expect(r.stdout).toMatch(/# include <abstractions\/vendor-data> allows 2 of the rules below \(.*\/var\/lib\/vendor.*\); it allows more than the denials/);
    const report = JSON.parse(aalens(["analyze", "--format", "json", "--profile-dir", policy, input]).stdout);
    expect(report.offers.vendor).toEqual([{ include: "include <abstractions/vendor-data>", covers: expect.arrayContaining(["/var/lib/vendor/db r,", "/var/lib/vendor/cache/x r,"]) }]);
  });
});
