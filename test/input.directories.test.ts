import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const root = mkdtempSync(join(tmpdir(), "aalens-input-dirs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));


describe("directory inputs", () => {
  it("reads every file recursively, in name order, whatever its compression", async () => {
    const d = join(root, "logs");
    mkdirSync(join(d, "b", "deeper"), { recursive: true });
    mkdirSync(join(d, "empty"));
    writeFileSync(join(d, "z.log"), "z\n");
    writeFileSync(join(d, "a.log"), "a1\na2\n");
    writeFileSync(join(d, "b", "c.log"), "b/c\n");
    writeFileSync(join(d, "b", "deeper", "d.log.gz"), gzipSync("b/deeper/d\n"));
    writeFileSync(join(d, "B-upper.log"), "B\n");
    const r = await collect([d]);
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => [l.source, l.line, l.text])).toEqual([
      [join(d, "B-upper.log"), 1, "B"],
      [join(d, "a.log"), 1, "a1"],
      [join(d, "a.log"), 2, "a2"],
      [join(d, "b", "c.log"), 1, "b/c"],
      [join(d, "b", "deeper", "d.log.gz"), 1, "b/deeper/d"],
      [join(d, "z.log"), 1, "z"],
    ]);
    expect(r.done.map((s) => [s.source, s.compression])).toEqual([
      [join(d, "B-upper.log"), "plain"],
      [join(d, "a.log"), "plain"],
      [join(d, "b", "c.log"), "plain"],
      [join(d, "b", "deeper", "d.log.gz"), "gzip"],
      [join(d, "z.log"), "plain"],
    ]);
  });

  it("follows symlinks once, reports broken ones and loops, and says why it skips special files", async () => {
    const d = join(root, "links");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "sub", "x.log"), "x\n");
    symlinkSync(d, join(d, "sub", "loop")); // points back at an ancestor
    symlinkSync(join(d, "missing-target"), join(d, "broken"));
    const fifo = join(d, "pipe");
    const made = spawnSync("mkfifo", [fifo]).status === 0;
    const r = await collect([d]);
    expect(r.lines.map((l) => [l.source, l.text])).toEqual([[join(d, "sub", "x.log"), "x"]]);
    const expected: Array<[string, string]> = [[join(d, "broken"), "no such file or directory"]];
    if (made) expected.push([fifo, "not a regular file; skipped"]);
    expected.push([join(d, "sub", "loop"), "directory already read through another path (symbolic link); skipped"]);
    expect(r.errors).toEqual(expected);
  });

  it("reads explicitly named files and directories in the order given", async () => {
    const d = join(root, "order");
    mkdirSync(d);
    writeFileSync(join(d, "one.log"), "1\n");
    const lone = join(root, "lone.log");
    writeFileSync(lone, "lone\n");
    const r = await collect([lone, d, lone]);
    expect(r.lines.map((l) => l.text)).toEqual(["lone", "1", "lone"]);
  });
});
