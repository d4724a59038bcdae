/**
 * The JSON report is written in pieces (one member, or one list element, at a time); joined,
 * they are exactly JSON.stringify(report, null, 2) — nested values, empty lists and objects,
 * undefined members and list holes included — with unsafe characters escaped.
 */
import { describe, expect, it } from "vitest";
import { renderJson, renderJsonChunks } from "../src/report/json.js";
import type { AnalyzeReport } from "../src/report/model.js";
import { readSamples } from "./helpers/report-samples.js";

describe("JSON report pieces", () => {
  it("join into JSON.stringify(report, null, 2) for the samples' report", async () => {
    const { report } = await readSamples();
    const pieces = [...renderJsonChunks(report)];
    expect(pieces.length).toBeGreaterThan(Object.keys(report).length);
    expect(pieces.join("")).toBe(JSON.stringify(report, null, 2) + "\n");
  });

  it("keep every shape V8 writes: empty, nested, undefined, null and escaped values", () => {
    const odd = {
      empty: [],
      none: {},
      gone: undefined,
      list: [{ a: [1, [2, { b: [] }]], c: null }, undefined, "x\ny", "bidi \u202e here", 3],
      nested: { deep: { deeper: ["é", { "k\u0085": "v" }] } },
      last: "end",
    } as unknown as AnalyzeReport;
    const expected = (JSON.stringify(odd, null, 2) + "\n").replace(/\u202e/g, "\\u202e").replace(/\u0085/g, "\\u0085");
    expect(renderJson(odd)).toBe(expected);
    expect(JSON.parse(renderJson(odd))).toEqual(JSON.parse(JSON.stringify(odd)));
  });
});
