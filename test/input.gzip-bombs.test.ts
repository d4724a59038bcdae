// A small .gz that decompresses to something huge streams in bounded memory: over-long lines are
// counted and dropped as they stream (frame-lines.ts), never buffered whole.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-gzip-bombs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;

/** Compresses the output of a shell pipeline with the real gzip command (nothing held in this process). */
function gzipOf(name: string, pipeline: string): string {
  const path = join(dir, name);
  const p = spawnSync("sh", ["-c", `(${pipeline}) | gzip -c > "${path}"`]);
  expect(p.status, p.stderr.toString()).toBe(0);
  return path;
}

/** Runs `read` while sampling RSS and heap; returns its result and the peak growth of each. */
async function measured<T>(read: () => Promise<T>) {
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await read();
    sample();
    return { result, rssGrowth: rss - before.rss, heapGrowth: heap - before.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

describe("gzip bombs", () => {
  it("200 MiB of zeros (one endless line) from a 200 KB file: one line-too-long skip, the next line kept, memory flat", async () => {
    const path = gzipOf("zeros.gz", `head -c ${200 * MiB} /dev/zero; printf '\\nafter the bomb\\n'`);
    expect(statSync(path).size).toBeLessThan(MiB);
    const { result: r, rssGrowth, heapGrowth } = await measured(() => collect([path]));
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual([{ source: path, line: 2, text: "after the bomb" }]);
    expect(r.skips.map((s) => [s.line, s.code])).toEqual([[1, "line-too-long"]]);
    expect(r.onLine).toBe(2);
    expect(r.done[0]).toMatchObject({ compression: "gzip", lines: 2, bytes: statSync(path).size });
    // Buffering the line would cost at least 200 MiB.
    expect(rssGrowth).toBeLessThan(80 * MiB);
    expect(heapGrowth).toBeLessThan(48 * MiB);
  }, 60_000);

  it("32 Mi empty lines then a record: the record keeps its line number, memory flat", async () => {
    const n = 32 * MiB;
    const path = gzipOf("newlines.gz", `head -c ${n} /dev/zero | tr '\\0' '\\n'; echo 'type=AVC msg=audit(1.2:3): apparmor="DENIED"'`);
    const { result: r, rssGrowth, heapGrowth } = await measured(() => collect([path]));
    expect(r.errors).toEqual([]);
    expect(r.skips).toEqual([]);
    expect(r.lines).toEqual([{ source: path, line: n + 1, text: 'type=AVC msg=audit(1.2:3): apparmor="DENIED"' }]);
    expect(r.onLine).toBe(n + 1);
    expect(rssGrowth).toBeLessThan(80 * MiB);
    expect(heapGrowth).toBeLessThan(48 * MiB);
  }, 60_000);

  it("a bomb of long lines (1 MiB each, 100 of them): each one skipped and counted, memory flat", async () => {
    const path = gzipOf("long-lines.gz", `for i in $(seq 100); do head -c ${MiB} /dev/zero | tr '\\0' 'a'; echo; done`);
    const { result: r, rssGrowth } = await measured(() => collect([path], { maxLineLength: 4096 }));
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual([]);
    expect(r.skips.map((s) => s.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(r.skips.every((s) => s.code === "line-too-long")).toBe(true);
    expect(rssGrowth).toBeLessThan(80 * MiB);
  }, 60_000);
});
