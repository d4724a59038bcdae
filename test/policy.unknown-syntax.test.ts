/**
 * Syntax the grammar does not know (a newer AppArmor's rule type or keyword) is skipped to the
 * end of its own statement or block and reported once, with file and line; everything around it
 * is still read, and no input makes the reader throw.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsePolicy, type PolicyNode } from "../src/apparmor/policy/interpret.js";
import { checkRule, loadPolicy } from "../src/apparmor/policy/index.js";

type RuleNode = Extract<PolicyNode, { type: "rule" }>;
type ProfileNode = Extract<PolicyNode, { type: "profile" }>;

function profileRules(text: string, file = "/t/p") {
  const ast = parsePolicy(text, file);
  const profile = ast.nodes.find((n): n is ProfileNode => n.type === "profile");
  expect(profile, "the profile is read").toBeDefined();
  const rules = profile!.body.filter((n): n is RuleNode => n.type === "rule").map((n) => n.src.text);
  return { ast, profile: profile!, rules };
}

describe("unknown syntax is tolerated", () => {
  it("an invented rule type: one diagnostic with its line, every other rule kept", () => {
    const { ast, rules } = profileRules(
      [
        "profile p /usr/bin/p {", //           1
        "  /etc/a r,", //                      2
        "  frobnicate foo bar,", //            3
        "  capability net_admin,", //          4
        "  /etc/b w,", //                      5
        "}",
      ].join("\n"),
    );
    expect(rules).toEqual(["/etc/a r,", "capability net_admin,", "/etc/b w,"]);
    expect(ast.diagnostics).toEqual([{ file: "/t/p", line: 3, text: "frobnicate foo bar,", reason: "unknown rule type 'frobnicate'" }]);
  });

  it("a future rule with parentheses holding commas is skipped as one statement", () => {
    const { ast, rules } = profileRules(
      ["profile p {", "  /a r,", "  landlock (read, write, exec) path=/x peer=(label=a, addr=b),", "  /b r,", "}"].join("\n"),
    );
    expect(rules).toEqual(["/a r,", "/b r,"]);
    expect(ast.diagnostics).toHaveLength(1);
    expect(ast.diagnostics[0]).toMatchObject({ line: 3, reason: "unknown rule type 'landlock'" });
  });

  it("a future keyword opening a block inside a profile: the block is skipped, one diagnostic", () => {
    const { ast, rules, profile } = profileRules(
      [
        "profile p {",
        "  /a r,",
        "  conditional_rules foo=bar {", // 3
        "    /inside r,",
        "    nested { /deeper r, }",
        "  }",
        "  /b r,",
        "  ^hat { /h r, }",
        "}",
      ].join("\n"),
    );
    expect(rules).toEqual(["/a r,", "/b r,"]);
    expect(ast.diagnostics).toEqual([{ file: "/t/p", line: 3, text: "conditional_rules foo=bar", reason: "unknown block (skipped)" }]);
    expect(profile.body.some((n) => n.type === "profile" && n.name === "hat")).toBe(true);
  });

  it("a future qualifier in front of a known rule: that rule is reported, the others kept", () => {
    const { ast, rules } = profileRules(["profile p {", "  /a r,", "  prompt /b w,", "  /c r,", "}"].join("\n"));
    expect(rules).toEqual(["/a r,", "/c r,"]);
    expect(ast.diagnostics).toHaveLength(1);
    expect(ast.diagnostics[0]).toMatchObject({ line: 3, reason: "unknown rule type 'prompt'" });
  });

  it("a missing '}' and a missing ',' are reported without losing the rules", () => {
    const { ast, rules } = profileRules(["profile p {", "  /a r,", "  /b r"].join("\n"));
    expect(rules).toEqual(["/a r,", "/b r"]);
    expect(ast.diagnostics.map((d) => [d.line, d.reason])).toEqual([
      [1, "missing '}' before end of file"],
      [3, "missing ',' at end of rule"],
    ]);
  });

  it("never throws, whatever the input", () => {
    const inputs = ["}}}{{{", "profile {", "((((", ")))", '"unterminated', "@{X", "<<<>>>", "\u0000\u0001\uffff", "profile p { /a r, } } } ,,,", "a=b=c,", "->,"];
    for (const text of inputs) {
      expect(() => parsePolicy(text, "/t/x")).not.toThrow();
    }
    const junk = Array.from({ length: 2000 }, (_, i) => String.fromCharCode((i * 7919) % 400)).join("");
    expect(() => parsePolicy(junk, "/t/junk")).not.toThrow();
  });

  describe("through loadPolicy", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-policy-unknown-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "abstractions"));
    writeFileSync(join(dir, "abstractions", "future"), "  /from/abstraction r,\n  quantum_entangle all the things,\n");
    writeFileSync(join(dir, "usr.bin.x"), ["profile x /usr/bin/x {", "  include <abstractions/future>", "  frobnicate foo bar,", "  /etc/x r,", "}"].join("\n"));

    it("keeps the profile usable and reports each unknown statement with file and line", () => {
      const policy = loadPolicy(dir);
      expect(policy.diagnostics.map((d) => [d.file.slice(dir.length), d.line, d.reason])).toEqual([
        ["/usr.bin.x", 3, "unknown rule type 'frobnicate'"],
        ["/abstractions/future", 2, "unknown rule type 'quantum_entangle'"],
      ]);
      expect(checkRule(policy, "x", { kind: "file", path: "/etc/x", perms: "r", owner: false }).verdict).toBe("allowed");
      expect(checkRule(policy, "x", { kind: "file", path: "/from/abstraction", perms: "r", owner: false }).verdict).toBe("allowed");
    });
  });
});
