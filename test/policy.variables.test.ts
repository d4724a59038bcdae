/**
 * Policy variables: definitions, `+=`, nesting, alternations, and the real tunables of this
 * machine (Debian 12: @{pid} and @{uid} in tunables/kernelvars, @{PROC} in tunables/proc,
 * @{run} in tunables/run).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expandVariables, findProfile, loadPolicy, matchAare } from "../src/apparmor/policy/index.js";

describe("expandVariables", () => {
  const vars = new Map<string, string[]>([
    ["HOME", ["@{HOMEDIRS}/*/", "/root/"]],
    ["HOMEDIRS", ["/home/"]],
    ["PROC", ["/proc/"]],
    ["pid", ["{[1-9],[1-9][0-9]}"]],
    ["tid", ["@{pid}"]],
    ["loop", ["x@{loop}"]],
  ]);

  it("substitutes nested variables into the set of patterns, collapsing runs of /", () => {
    expect(expandVariables("@{HOME}/.config/x", vars).patterns).toEqual(["/home/*/.config/x", "/root/.config/x"]);
    expect(expandVariables("@{PROC}/@{tid}/ns/net", vars).patterns).toEqual(["/proc/{[1-9],[1-9][0-9]}/ns/net"]);
    expect(expandVariables("/plain", vars)).toEqual({ patterns: ["/plain"], unknown: [], truncated: false });
  });

  it("keeps runs of / in labels, reports unknown variables and survives cycles", () => {
    expect(expandVariables("/usr/bin/man//&x", vars, { paths: false }).patterns).toEqual(["/usr/bin/man//&x"]);
    expect(expandVariables("@{nope}/x", vars)).toMatchObject({ patterns: ["@{nope}/x"], unknown: ["nope"] });
    expect(expandVariables("@{loop}", vars).patterns).toEqual(["x@{loop}"]);
  });

  it("caps the product", () => {
    const wide = new Map([["v", Array.from({ length: 40 }, (_, i) => `/${i}`)]]);
    const e = expandVariables("@{v}@{v}@{v}", wide, { limit: 100 });
    expect(e.truncated).toBe(true);
    expect(e.patterns.length).toBeLessThanOrEqual(100);
  });
});

describe("variables defined by policy files", () => {
  const dir = mkdtempSync(join(tmpdir(), "aalens-policy-vars-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "t"),
    [
      "@{A} = /a /b",
      "@{A} += /c",
      '@{SP} = "/with space" \\',
      "        /next/line   # comment",
      "@{ALT} = /x/{y,z}",
      "@{NEST} = @{A}/n",
      "profile t {",
      "  @{NEST} r,",
      "}",
    ].join("\n"),
  );

  it("reads = and +=, quoted values, continued lines, alternations and nesting", () => {
    const policy = loadPolicy(dir);
    expect(policy.diagnostics).toEqual([]);
    const v = findProfile(policy, "t")!.variables;
    expect(v.get("A")).toEqual(["/a", "/b", "/c"]);
    expect(v.get("SP")).toEqual(["/with space", "/next/line"]);
    expect(matchAare("@{ALT}", "/x/z", v)).toBe(true);
    expect(matchAare("@{NEST}", "/c/n", v)).toBe(true);
    expect(matchAare("@{NEST}", "/d/n", v)).toBe(false);
    expect(matchAare("@{profile_name}", "t", v)).toBe(true);
  });
});

const TUNABLES = "/etc/apparmor.d/tunables";
describe.skipIf(!existsSync(join(TUNABLES, "global")))("variables from this machine's tunables/global (skipped: no /etc/apparmor.d/tunables)", () => {
  const dir = mkdtempSync(join(tmpdir(), "aalens-policy-tunables-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(TUNABLES, join(dir, "tunables"));
  writeFileSync(join(dir, "t"), "include <tunables/global>\nprofile t { }\n");
  const policy = loadPolicy(dir);
  const vars = findProfile(policy, "t")?.variables ?? new Map<string, string[]>();

  it("defines what the files say", () => {
    expect(policy.diagnostics).toEqual([]);
    // Read the definitions straight from the files and compare.
    const defs = (file: string) => {
      const out = new Map<string, string>();
      for (const m of readFileSync(join(TUNABLES, file), "utf8").matchAll(/^@\{(\w+)\}\s*=\s*(.*)$/gm)) out.set(m[1]!, m[2]!.trim());
      return out;
    };
    expect(vars.get("PROC")).toEqual(defs("proc").get("PROC")!.split(/\s+/));
    expect(vars.get("run")).toEqual(defs("run").get("run")!.split(/\s+/));
    expect(vars.get("pid")).toEqual([defs("kernelvars").get("pid")]);
    expect(vars.get("pids")).toEqual(["@{pid}"]);
    expect(vars.has("uid")).toBe(true);
    expect(vars.has("sys")).toBe(true);
    expect(vars.has("HOME")).toBe(true);
  });

  it("@{PROC}/@{pid}/ns/net is a numeric pid's netns", () => {
    expect(matchAare("@{PROC}/@{pid}/ns/net", "/proc/1234/ns/net", vars)).toBe(true);
    expect(matchAare("@{PROC}/@{pid}/ns/net", "/proc/1/ns/net", vars)).toBe(true);
    expect(matchAare("@{PROC}/@{pid}/ns/net", "/proc/self/ns/net", vars)).toBe(false);
    expect(matchAare("@{PROC}/@{pid}/ns/net", "/proc/0/ns/net", vars)).toBe(false); // pids start at 1
    expect(matchAare("@{PROC}/@{pid}/ns/net", "/proc/1234/ns/user", vars)).toBe(false);
  });

  it("@{run}/user/@{uid}/** covers /run and /var/run", () => {
    expect(matchAare("@{run}/user/@{uid}/**", "/run/user/1000/netns/x", vars)).toBe(true);
    expect(matchAare("@{run}/user/@{uid}/**", "/var/run/user/1000/x", vars)).toBe(true);
    expect(matchAare("@{run}/user/@{uid}/**", "/run/user/1000/", vars)).toBe(false);
    expect(matchAare("@{run}/user/@{uid}/**", "/run/user/alice/x", vars)).toBe(false);
  });

  it("@{HOME} is every home directory and root's", () => {
    expect(matchAare("@{HOME}/.bashrc", "/home/alice/.bashrc", vars)).toBe(true);
    expect(matchAare("@{HOME}/.bashrc", "/root/.bashrc", vars)).toBe(true);
    expect(matchAare("@{HOME}/.bashrc", "/home/.bashrc", vars)).toBe(false);
  });
});
