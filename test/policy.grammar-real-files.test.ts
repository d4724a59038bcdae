/**
 * The policy grammar on the real files of this machine: every profile, abstraction, tunable and
 * local include under /etc/apparmor.d parses without a diagnostic (the abi/ feature files are not
 * policy and are left out), and the profile files come out as the profiles they declare.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePolicy, type PolicyNode } from "../src/apparmor/policy/interpret.js";
import { loadPolicy } from "../src/apparmor/policy/index.js";

const DIR = "/etc/apparmor.d";
const present = existsSync(DIR);

function policyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === "abi" || name.startsWith("cache") || name === "disable" || name === "force-complain") continue;
      out.push(...policyFiles(full));
    } else out.push(full);
  }
  return out;
}

function count(nodes: PolicyNode[], type: PolicyNode["type"]): number {
  let n = 0;
  for (const x of nodes) {
    if (x.type === type) n++;
    if (x.type === "profile") n += count(x.body, type);
  }
  return n;
}

describe.skipIf(!present)("grammar on /etc/apparmor.d (skipped: no /etc/apparmor.d on this machine)", () => {
  const files = present ? policyFiles(DIR) : [];

  it("finds the profiles, abstractions and tunables", () => {
    expect(files.some((f) => f.includes("/abstractions/"))).toBe(true);
    expect(files.some((f) => f.endsWith("/tunables/global"))).toBe(true);
  });

  it("parses every file with zero diagnostics", () => {
    const problems: string[] = [];
    let rules = 0;
    for (const f of files) {
      const ast = parsePolicy(readFileSync(f, "utf8"), f);
      for (const d of ast.diagnostics) problems.push(`${d.file}:${d.line}: ${d.reason}: ${d.text}`);
      rules += count(ast.nodes, "rule");
    }
    expect(problems).toEqual([]);
    expect(rules).toBeGreaterThan(500);
  });

  it("reads abstractions/base into rules of several classes", () => {
    const base = join(DIR, "abstractions/base");
    if (!existsSync(base)) return;
    const ast = parsePolicy(readFileSync(base, "utf8"), base);
    const kinds = new Set<string>();
    for (const n of ast.nodes) if (n.type === "rule") kinds.add(n.rule.kind);
    expect([...kinds]).toEqual(expect.arrayContaining(["file", "signal"]));
  });

  it("every top-level profile file declares at least one profile, and loadPolicy indexes them", () => {
    const policy = loadPolicy(DIR);
    expect(policy.files.length).toBeGreaterThan(0);
    for (const f of policy.files) {
      const ast = parsePolicy(readFileSync(f, "utf8"), f);
      expect(count(ast.nodes, "profile"), f).toBeGreaterThan(0);
    }
    expect(policy.profileList.length).toBeGreaterThanOrEqual(policy.files.length);
    expect(policy.diagnostics).toEqual([]);
  });

  it("loads the whole directory well under a second", () => {
    const t0 = performance.now();
    loadPolicy(DIR);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
