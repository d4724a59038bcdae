import { mkdtempSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-gzip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** Lines that compress poorly, so that half of the archive holds many of them. */
function noisyLines(n: number): string[] {
  let x = 12345;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return `type=AVC msg=audit(1700000000.${i}:${i}): apparmor="DENIED" name="/tmp/${x.toString(36)}" pid=${x % 99991}`;
  });
}

describe("gzip input", () => {
  it("detects gzip by magic bytes, not by name", async () => {
    const path = join(dir, "rotated.log.1"); // no .gz suffix
    writeFileSync(path, gzipSync("first\nsecond\n"));
    const r = await collect([path]);
    expect(r.lines).toEqual([
      { source: path, line: 1, text: "first" },
      { source: path, line: 2, text: "second" },
    ]);
    expect(r.errors).toEqual([]);
    // onBytes counts what is read from disk: the compressed size.
    expect(r.bytes).toBe(statSync(path).size);
    expect(r.done).toEqual([
      { source: path, compression: "gzip", container: "text", lines: 2, bytes: statSync(path).size },
    ]);
  });

  it("reads every member of a concatenated gzip file", async () => {
    const path = join(dir, "multi.gz");
    writeFileSync(path, Buffer.concat([gzipSync("a1\na2\n"), gzipSync("b1\n"), gzipSync("b2")]));
    const r = await collect([path]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "a1"],
      [2, "a2"],
      [3, "b1"],
      [4, "b2"],
    ]);
    expect(r.errors).toEqual([]);
  });

  it("a truncated archive yields the lines before the cut and exactly one error naming it; later inputs are read", async () => {
    const all = noisyLines(20000);
    const full = gzipSync(all.join("\n") + "\n");
    const cut = join(dir, "truncated.log.gz");
    writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const good = join(dir, "after.log");
    writeFileSync(good, "still read\n");

    const r = await collect([cut, good]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]![0]).toBe(cut);
    expect(r.errors[0]![1]).toMatch(/^corrupt or truncated gzip data \(unexpected end of file\)$/);

    const fromCut = r.lines.filter((l) => l.source === cut);
    expect(fromCut.length).toBeGreaterThan(1000);
    expect(fromCut.length).toBeLessThan(all.length);
    // Exactly a prefix of the original: no partial last line, no gaps.
    expect(fromCut.map((l) => l.text)).toEqual(all.slice(0, fromCut.length));
    expect(fromCut.every((l, i) => l.line === i + 1)).toBe(true);
    expect(r.lines.filter((l) => l.source === good).map((l) => l.text)).toEqual(["still read"]);
    expect(r.done.map((d) => d.source)).toEqual([cut, good]);
    expect(r.done[0]!.compression).toBe("gzip");
  });

  it("a file that starts like gzip but is not is one error, not a crash", async () => {
    const path = join(dir, "fake.gz");
    writeFileSync(path, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from("this is not deflate data at all\n")]));
    const r = await collect([path]);
    expect(r.lines).toEqual([]);
    expect(r.errors).toEqual([[path, expect.stringMatching(/^corrupt or truncated gzip data \(/)]]);
  });

  it("gzip on stdin is detected too", async () => {
    const { Readable } = await import("node:stream");
    const r = await collect(["-"], { stdin: Readable.from([gzipSync("from stdin\n")]) });
    expect(r.lines).toEqual([{ source: "-", line: 1, text: "from stdin" }]);
    expect(r.done[0]!.compression).toBe("gzip");
  });
});
