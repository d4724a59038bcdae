/**
 * Every rule aalens prints — for the bundled samples and for the whole libapparmor corpus —
 * compiles with the real apparmor_parser inside a profile. Rule types the installed parser does
 * not know yet (userns, mqueue, io_uring need AppArmor 4) are left out only when it is older.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRules, findParser } from "../src/apparmor/validate.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { parseLine } from "../src/parse/parse-line.js";
import type { Mode } from "../src/parse/record.js";
import { aalens } from "./helpers/cli.js";
import { parsePolicy, type PolicyNode } from "../src/apparmor/policy/interpret.js";
import { CORPUS_DIR, corpusAvailable } from "./helpers/corpus.js";

const parser = findParser();
const ALL_MODES = new Set<Mode>(["DENIED", "KILL", "ALLOWED", "AUDIT"]);

/** Rule kinds apparmor_parser 3.x cannot read. */
const NEEDS_V4 = /^(?:audit )?(?:userns|mqueue|io_uring)\b/;

function parserMajor(): number {
  const v = compileRules([]).parserVersion ?? "";
  return Number(/version (\d+)/.exec(v)?.[1] ?? 0);
}

function compilable(rules: string[]): string[] {
  return parserMajor() >= 4 ? rules : rules.filter((r) => !NEEDS_V4.test(r));
}

describe.skipIf(parser === null)("rules compile with apparmor_parser", () => {
  it("for the bundled samples", () => {
    const r = aalens(["rules", "--format", "json", "--mode", "all", "--no-policy", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const rules = (JSON.parse(r.stdout) as Array<{ rule: string }>).map((x) => x.rule);
    expect(rules.length).toBeGreaterThan(20);
    const result = compileRules(compilable(rules));
    expect(result.available).toBe(true);
    expect(result.failures).toEqual([]);
  });

  it.skipIf(!corpusAvailable)("for every event of the libapparmor corpus", () => {
    const builder = new Collector({ modes: ALL_MODES });
    for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith(".in"))) {
      const text = readFileSync(join(CORPUS_DIR, f), "utf8").replace(/\n$/, "");
      const parsed = parseLine({ source: f, line: 1, text });
      if (parsed?.record !== undefined) builder.record(parsed.record, text);
    }
    const rules = buildReport(builder.state()).rules.map((r) => r.rule);
    expect(rules.length).toBeGreaterThan(60);
    const result = compileRules(compilable(rules));
    expect(result.failures).toEqual([]);
  });

  it.skipIf(!corpusAvailable)("each rule printed is one statement of its kind, read back by the policy grammar", () => {
    const builder = new Collector({ modes: ALL_MODES });
    for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith(".in"))) {
      const text = readFileSync(join(CORPUS_DIR, f), "utf8").replace(/\n$/, "");
      const parsed = parseLine({ source: f, line: 1, text });
      if (parsed?.record !== undefined) builder.record(parsed.record, text);
    }
    const sample = JSON.parse(aalens(["rules", "--format", "json", "--mode", "all", "--no-policy", "samples/"]).stdout) as Array<{ rule: string }>;
    const rules = [...buildReport(builder.state()).rules.map((r) => ({ rule: r.rule, kind: r.typed.kind })), ...sample.map((r) => ({ rule: r.rule, kind: undefined }))];
    for (const { rule, kind } of rules) {
      const ast = parsePolicy(`profile t {\n  ${rule}\n}\n`, "/t");
      expect(ast.diagnostics, rule).toEqual([]);
      const body = (ast.nodes.find((n) => n.type === "profile") as Extract<PolicyNode, { type: "profile" }>).body;
      expect(body, rule).toHaveLength(1);
      // The grammar reads remount rules as mount rules with the remount option.
      if (kind !== undefined) expect(body[0]!.type === "rule" && body[0]!.rule.kind, rule).toBe(kind === "remount" ? "mount" : kind);
    }
  });

  it("reports the rules the parser rejects, with its message", () => {
    const result = compileRules(["/tmp/ok r,", "capability no_such_capability,"]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.rule).toBe("capability no_such_capability,");
    expect(result.failures[0]!.message).toMatch(/capability/i);
  });
});
