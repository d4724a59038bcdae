/**
 * The record-type and format counts in a report are ordered by count, then name: never by the
 * order records happened to be read (which file first, a gzip's pieces against a plain file's).
 * A log that names a new record type on every line does not grow them without bound.
 */
import { describe, expect, it } from "vitest";
import { aalens } from "./helpers/cli.js";

function counts(files: string[]): { types: [string, number][]; formats: [string, number][] } {
  const r = aalens(["analyze", "--format", "json", "--no-policy", ...files]);
  expect(r.stderr).toBe("");
  const report = JSON.parse(r.stdout) as { types: Record<string, number>; formats: Record<string, number> };
  return { types: Object.entries(report.types), formats: Object.entries(report.formats) };
}

const byCountThenName = (list: [string, number][]) => [...list].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

describe("count order in reports", () => {
  it("is the same whichever input is read first, most frequent first, ties by name", () => {
    const a = counts(["samples/audit.log", "samples/kern.log", "samples/journal.json"]);
    const b = counts(["samples/journal.json", "samples/kern.log", "samples/audit.log"]);
    expect(a.types.length).toBeGreaterThan(3);
    expect(a.formats.length).toBeGreaterThan(2);
    expect(b).toEqual(a);
    expect(a.types).toEqual(byCountThenName(a.types));
    expect(a.formats).toEqual(byCountThenName(a.formats));
  });

  it("keeps 1,024 type names and counts the rest together", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `type=CRAFTED${i} msg=audit(1764382380.${String(i % 1000).padStart(3, "0")}:${i}): pid=1 uid=0 res=success`);
    lines.push(...Array.from({ length: 5 }, (_, i) => `type=CRAFTED7 msg=audit(1764382381.000:${5000 + i}): pid=1 uid=0 res=success`));
    const r = aalens(["analyze", "--format", "json", "--no-policy", "-"], lines.join("\n") + "\n");
    expect(r.status, r.stderr).toBe(0);
    const types = (JSON.parse(r.stdout) as { types: Record<string, number> }).types;
    expect(Object.keys(types)).toHaveLength(1025);
    expect(types["(more types)"]).toBe(3000 - 1024);
    expect(types.CRAFTED7).toBe(6); // a name already kept is still counted as itself
    expect(Object.values(types).reduce((a, b) => a + b, 0)).toBe(3005);
  });
});
