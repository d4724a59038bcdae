/**
 * Profile names, operations and reasons come from the log. A crafted log that names a new
 * profile on every line must not grow the report (or memory) with it: past their caps, denial
 * groups, unmapped counts and timeline series share one "(more profiles)" entry, and every
 * event is still counted.
 */
import { describe, expect, it } from "vitest";
import { aalens } from "./helpers/cli.js";
import { MAX_GROUPS, MAX_OVERFLOW_GROUPS } from "../src/analysis/collector.js";
import { MAX_UNMAPPED } from "../src/analysis/rule-aggregate.js";
import { MAX_SERIES } from "../src/analysis/timeline.js";
import { MORE_PROFILES } from "../src/analysis/more.js";

interface Counted { profile: string; count: number }

describe("state bounded against ever new profile names", () => {
  it("caps groups, unmapped counts and timeline series, and keeps every count", () => {
    const n = MAX_GROUPS + MAX_OVERFLOW_GROUPS + 1500;
    const lines = Array.from({ length: n }, (_, i) => `type=AVC msg=audit(1764382380.${String(i % 1000).padStart(3, "0")}:${i + 1}): apparmor="DENIED" operation="crafted_op${i}" profile="crafted${i}" name="/x${i}" pid=1 comm="a"`);
    const r = aalens(["analyze", "--format", "json", "--no-policy", "-"], lines.join("\n") + "\n");
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { denials: Counted[]; unmapped: Counted[]; timeline: { series: Array<{ profile: string }> } };
    const sum = (list: Counted[]) => list.reduce((a, g) => a + g.count, 0);
    expect(report.denials.length).toBe(MAX_GROUPS + MAX_OVERFLOW_GROUPS + 1);
    expect(sum(report.denials)).toBe(n);
    expect(report.denials.find((g) => g.profile === MORE_PROFILES)?.count).toBe(1500);
    expect(report.unmapped.length).toBe(MAX_UNMAPPED + 1);
    expect(sum(report.unmapped)).toBe(n);
    expect(report.timeline.series.length).toBe(MAX_SERIES + 1);
    expect(report.timeline.series.some((s) => s.profile === MORE_PROFILES)).toBe(true);
  }, 60_000);
});
