/**
 * The record-type and format counts in a report are ordered by count, then name: never by the
 * order records happened to be read (which file first, a gzip's pieces against a plain file's).
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
});
