/**
 * Every suggested rule is checked, at run time, to match each object it was made from, with the
 * one AARE engine and the tunables' variables. Synthesis never makes one that misses on real logs
 * (the corpus, the samples); a crafted line whose PID or uid is outside what @{pid} / @{uid} allow
 * gets its rule flagged and printed commented out, never offered as the fix.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { Mode } from "../src/parse/record.js";
import { coverageWarning, uncoveredObjects, UPSTREAM_TUNABLES } from "../src/apparmor/rules/self-check.js";
import { loadPolicy } from "../src/apparmor/policy/load.js";
import { corpusAvailable, loadCorpus } from "./helpers/corpus.js";
import { aalens } from "./helpers/cli.js";
import type { AnalyzeReport } from "../src/report/model.js";
import { existsSync } from "node:fs";

const ALL_MODES = new Set<Mode>(["DENIED", "KILL", "ALLOWED", "AUDIT"]);

function report(lines: string[], literal = false) {
  const c = new Collector({ modes: ALL_MODES });
  lines.forEach((text, i) => {
    const r = parseLine({ source: "t", line: i + 1, text });
    if (r?.record !== undefined) c.record(r.record, text);
  });
  return buildReport(c.state(), { literal });
}

const avc = (name: string, pid = 4242) =>
  `type=AVC msg=audit(1764382500.100:${pid}): apparmor="DENIED" operation="open" class="file" profile="pasta" name="${name}" pid=${pid} comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000`;

describe("a rule matches what it was made from", () => {
  it.skipIf(!corpusAvailable)("holds for every rule made from the reference corpus, literal and grouped", () => {
    const lines = loadCorpus().flatMap((c) => c.input.split("\n").filter((l) => l !== ""));
    for (const literal of [true, false]) {
      const rules = report(lines, literal).rules;
      expect(rules.length).toBeGreaterThan(50);
      const flagged = rules.filter((r) => r.warning?.startsWith("does not match"));
      expect(flagged.map((r) => `${r.rule} ← ${r.covers.objects.join(" ")}`)).toEqual([]);
      // And independently of the report: each file rule against each of its objects.
      for (const r of rules) expect(uncoveredObjects(r.typed, r.covers.objects), r.rule).toEqual([]);
    }
  });

  it("holds for the bundled samples with the installed policy's variables", () => {
    const r = aalens(["rules", "--format", "json", "--no-verify", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const rules = JSON.parse(r.stdout) as AnalyzeReport["rules"];
    expect(rules.length).toBeGreaterThan(10);
    expect(rules.filter((x) => x.warning?.startsWith("does not match"))).toEqual([]);
  });

  it.skipIf(!existsSync("/etc/apparmor.d/tunables/global"))("uses the same tunables as the installed policy", () => {
    const vars = loadPolicy("/etc/apparmor.d").profileList.find((p) => p.name === "passt")?.variables;
    if (vars === undefined) return;
    for (const name of ["PROC", "sys", "run", "HOMEDIRS", "HOME", "pid", "tid", "uid"]) expect(vars.get(name), name).toEqual(UPSTREAM_TUNABLES.get(name));
  });
});

describe("a rule that misses its object is flagged", () => {
  it("a PID longer than any the kernel gives (@{pid} stops at 4194304-ish, 7 digits)", () => {
    const r = report([avc("/proc/123456789/cmdline")]).rules[0]!;
    expect(r.rule).toBe("owner @{PROC}/@{pid}/cmdline r,");
    expect(r.warning).toMatch(/^does not match \/proc\/123456789\/cmdline, which it was made from/);
    expect(report([avc("/proc/4194304/cmdline")]).rules[0]!.warning).toBeUndefined();
  });

  it("a uid of 11 digits under /run/user", () => {
    const r = report([avc("/run/user/12345678901/netns/x")]).rules[0]!;
    expect(r.rule).toBe("@{run}/user/@{uid}/netns/x r,");
    expect(r.warning).toMatch(/does not match \/run\/user\/12345678901\/netns\/x/);
  });

  it("is checked against the variables given: a profile whose @{pid} is narrower", () => {
    const narrow = new Map(UPSTREAM_TUNABLES);
    narrow.set("pid", ["[1-9]"]);
    expect(coverageWarning({ kind: "file", path: "@{PROC}/@{pid}/stat", perms: "r", owner: false }, ["/proc/42/stat"], narrow)).toMatch(/does not match \/proc\/42\/stat/);
    expect(coverageWarning({ kind: "file", path: "@{PROC}/@{pid}/stat", perms: "r", owner: false }, ["/proc/42/stat"])).toBeUndefined();
  });

  it("aalens rules prints the flagged rule commented out, with the reason", () => {
    const r = aalens(["rules", "--no-policy", "-"], avc("/proc/123456789/cmdline") + "\n");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/# WARNING: does not match \/proc\/123456789\/cmdline/);
    expect(r.stdout).toMatch(/^# owner @\{PROC\}\/@\{pid\}\/cmdline r,$/m);
    expect(r.stdout).not.toMatch(/^\s*owner @\{PROC\}\/@\{pid\}\/cmdline r,$/m);
  });
});
