/**
 * aalens bounds V8's old-generation growth at start-up (src/cli/heap.ts): a streamed run that
 * promotes much short-lived garbage peaks near its live set instead of at twice or more of it,
 * and a user's own --heap-growing-percent is left alone.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { boundHeapGrowth } from "../src/cli/heap.js";
import { CLI, ROOT } from "./helpers/cli.js";

const HEAP = fileURLToPath(new URL("../dist/src/cli/heap.js", import.meta.url));

/** A ring of 400k records that live long enough to be promoted, then die: peak heapTotal in bytes. */
function churnPeak(bound: boolean): number {
  const script = `
    if (${bound}) { const m = await import(${JSON.stringify(HEAP)}); if (!m.boundHeapGrowth([], undefined)) process.exit(3); }
    const ring = new Array(400000);
    let peak = 0;
    for (let i = 0; i < 3000000; i++) {
      ring[i % ring.length] = { text: "apparmor=\\"DENIED\\" name=\\"/proc/" + i + "/ns/net\\"", n: i, parts: [i, String(i)] };
      if ((i & 1023) === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(peak);`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim());
}

describe("heap growth bound", () => {
  it("keeps the peak heap of a promoting workload well below V8's default growth", () => {
    const unbounded = churnPeak(false);
    const bounded = churnPeak(true);
    expect(bounded).toBeGreaterThan(0);
    expect(bounded).toBeLessThan(unbounded * 0.75);
  }, 60_000);

  it("leaves a user's own --heap-growing-percent alone, on the command line or in NODE_OPTIONS", () => {
    expect(boundHeapGrowth(["--heap-growing-percent=80"], undefined)).toBe(false);
    expect(boundHeapGrowth(["--heap_growing_percent=80"], undefined)).toBe(false);
    expect(boundHeapGrowth([], "--max-old-space-size=4096 --heap-growing-percent=80")).toBe(false);
    // The README's way to choose another value runs the command as usual.
    const run = spawnSync(process.execPath, ["--heap-growing-percent=100", CLI, "parse", "samples/audit.log"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("DENIED");
  });
});
