/**
 * Least privilege that reads well: parts random by construction become globs (@{pid}, @{tid}),
 * and literal siblings that differ only in a random-looking part are one glob rule that says how
 * many rules it stands for; --literal keeps them apart. Every grouped rule compiles and covers
 * each literal path it was made from, and nothing else in that directory.
 */
import { describe, expect, it } from "vitest";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { parseLine } from "../src/parse/parse-line.js";
import { compileAare } from "../src/apparmor/aare/match.js";
import { compileRules, findParser } from "../src/apparmor/validate.js";
import { expandVariables } from "../src/apparmor/policy/variables.js";

let serial = 3000;
const avc = (name: string, mask = "rw", profile = "app") => {
  serial++;
  return `type=AVC msg=audit(1764382500.${serial % 1000}:${serial}): apparmor="DENIED" operation="open" class="file" profile="${profile}" name="${name}" pid=${serial} comm="pasta" requested_mask="${mask}" denied_mask="${mask}" fsuid=1000 ouid=1000`;
};
function report(lines: string[], literal = false) {
  const c = new Collector();
  lines.forEach((text, i) => c.record(parseLine({ source: "g", line: i + 1, text })!.record!, text));
  return buildReport(c.state(), { literal });
}

describe("grouping of random-looking siblings", () => {
  const pcaps = [avc("/tmp/pasta-764.pcap"), avc("/tmp/pasta-812.pcap"), avc("/tmp/pasta-9921.pcap")];

  it("collapses literal siblings that differ only in digits into one rule, and says so", () => {
    const r = report(pcaps);
    expect(r.rules.map((x) => x.rule)).toEqual(["owner /tmp/pasta-[0-9]*.pcap rw,"]);
    expect(r.rules[0]!.reason).toMatch(/3 literal rules collapsed \(digits → \[0-9\]\*\): pasta-764.pcap, pasta-812.pcap, pasta-9921.pcap/);
    expect(r.rules[0]!.covers.count).toBe(3);
    expect(r.ruleCounts).toEqual({ literal: 3, grouped: 1 });
    const m = compileAare("/tmp/pasta-[0-9]*.pcap");
    for (const p of ["/tmp/pasta-764.pcap", "/tmp/pasta-812.pcap", "/tmp/pasta-9921.pcap"]) expect(m.test(p)).toBe(true);
    for (const p of ["/tmp/pasta-x.pcap", "/tmp/pasta-.pcap", "/tmp/other-1.pcap", "/tmp/pasta-1.pcap.bak"]) expect(m.test(p), p).toBe(false);
  });

  it("keeps them apart with --literal", () => {
    expect(report(pcaps, true).rules.map((x) => x.rule).sort()).toEqual(["owner /tmp/pasta-764.pcap rw,", "owner /tmp/pasta-812.pcap rw,", "owner /tmp/pasta-9921.pcap rw,"]);
  });

  it("collapses mkstemp names, and never names that differ in words", () => {
    expect(report([avc("/tmp/tmpa8Xk2Q", "r"), avc("/tmp/tmpZ0q9Lm", "r")]).rules.map((x) => x.rule)).toEqual(["owner /tmp/tmp* r,"]);
    expect(report([avc("/etc/app/alpha.conf", "r"), avc("/etc/app/beta.conf", "r")]).rules).toHaveLength(2);
    // Different accesses stay apart.
    expect(report([avc("/tmp/pasta-1.log", "r"), avc("/tmp/pasta-2.log", "w")]).rules).toHaveLength(2);
  });

  it("writes a task id as @{tid}", () => {
    const r = report([avc("/proc/4242/task/4250/comm", "w")]);
    expect(r.rules.map((x) => x.rule)).toEqual(["owner @{PROC}/@{pid}/task/@{tid}/comm w,"]);
    const vars = new Map([["PROC", ["/proc/"]], ["pid", ["{[1-9],[1-9][0-9]*}"]], ["tid", ["@{pid}"]]]);
    const patterns = expandVariables("@{PROC}/@{pid}/task/@{tid}/comm", vars).patterns;
    expect(patterns.some((p) => compileAare(p).test("/proc/4242/task/4250/comm"))).toBe(true);
  });

  it.skipIf(findParser() === null)("compiles what it groups", () => {
    const rules = [...report(pcaps).rules, ...report([avc("/tmp/tmpa8Xk2Q", "r"), avc("/tmp/tmpZ0q9Lm", "r")]).rules, ...report([avc("/proc/4242/task/4250/comm", "w")]).rules].map((x) => x.rule);
    expect(compileRules(rules).failures).toEqual([]);
  });
});
