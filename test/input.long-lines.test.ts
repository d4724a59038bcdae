import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-long-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const TEN_MB = 10 * 1024 * 1024;

describe("over-long lines", () => {
  it("a 10 MB line between two normal lines is one skip; the line numbers after it stay right", async () => {
    const path = join(dir, "huge.log");
    writeFileSync(path, `first line\n${"A".repeat(TEN_MB)}\nthird line\n`);
    const r = await collect([path]);
    expect(r.lines).toEqual([
      { source: path, line: 1, text: "first line" },
      { source: path, line: 3, text: "third line" },
    ]);
    expect(r.skips).toHaveLength(1);
    expect(r.skips[0]).toMatchObject({ source: path, line: 2, code: "line-too-long", message: "line longer than 65536 characters" });
    expect(r.onLine).toBe(3);
    expect(r.errors).toEqual([]);
  });

  it("a long line that arrives whole in one chunk is caught too", async () => {
    const data = Buffer.from(`one\n${"B".repeat(200_000)}\ntwo\n`);
    const r = await collect(["-"], { stdin: Readable.from([data]) });
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "one"],
      [3, "two"],
    ]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual([[2, "line-too-long", "line longer than 65536 characters"]]);
    // The excerpt is short, never the line.
    expect(r.skips[0]!.excerpt!.length).toBeLessThanOrEqual(161);
  });

  it("honours maxLineLength, counting characters", async () => {
    const path = join(dir, "limit.log");
    writeFileSync(path, "0123456789\n0123456789X\néééééééééé\n");
    const r = await collect([path], { maxLineLength: 10 });
    expect(r.lines.map((l) => l.text)).toEqual(["0123456789", "éééééééééé"]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual([[2, "line-too-long", "line longer than 10 characters"]]);
  });

  it("several long lines across many chunks, and one at the very end without a newline", async () => {
    const long = "C".repeat(300_000);
    const path = join(dir, "several.log");
    writeFileSync(path, `a\n${long}\n${long}\nb\n${long}\nc\n${long}`);
    const r = await collect([path]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "a"],
      [4, "b"],
      [6, "c"],
    ]);
    expect(r.skips.map((s) => s.line)).toEqual([2, 3, 5, 7]);
    expect(r.onLine).toBe(7);
  });

  it("back-to-back long lines arriving in small chunks are each counted once", async () => {
    const long = "D".repeat(70_000);
    const data = Buffer.from(`${long}\n${long}\nend\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 4096) chunks.push(data.subarray(i, i + 4096));
    const r = await collect(["-"], { stdin: Readable.from(chunks) });
    expect(r.skips.map((s) => s.line)).toEqual([1, 2]);
    expect(r.lines).toEqual([{ source: "-", line: 3, text: "end" }]);
  });
});
