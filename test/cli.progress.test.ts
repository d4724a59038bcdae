/**
 * The progress line on a terminal: bytes read of the total — a directory summed file by file,
 * a compressed file by its size on disk — the share done, lines/s and the time left; never when
 * stderr is not a terminal.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Progress, clock, inputBytes } from "../src/cli/progress.js";
import { CLI, ROOT, aalens } from "./helpers/cli.js";

function sink(): { out: { write: (s: string) => boolean }; text: () => string } {
  let written = "";
  return { out: { write: (s: string) => ((written += s), true) }, text: () => written };
}

/** A rotated log directory: plain, gzip, a nested directory and a symbolic link back to the top. */
function rotated(lines: number): { dir: string; bytes: number } {
  const dir = mkdtempSync(join(tmpdir(), "aalens-progress-"));
  const body = Array.from({ length: lines }, (_, i) => `type=AVC msg=audit(1764382400.${String(i % 1000).padStart(3, "0")}:${i + 1}): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/p${i % 50}" name="/var/lib/p/f${i}" pid=${1000 + (i % 7)} comm="p" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`).join("\n") + "\n";
  writeFileSync(join(dir, "audit.log"), body);
  writeFileSync(join(dir, "audit.log.1.gz"), gzipSync(body));
  mkdirSync(join(dir, "old"));
  writeFileSync(join(dir, "old", "audit.log.2"), body.slice(0, body.length / 2));
  symlinkSync("..", join(dir, "old", "up"));
  const bytes = ["audit.log", "audit.log.1.gz", "old/audit.log.2"].reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return { dir, bytes };
}

describe("the progress total", () => {
  it("sums every file under a directory once, compressed ones by their size on disk", () => {
    const { dir, bytes } = rotated(2000);
    expect(inputBytes([dir])).toBe(bytes);
    expect(inputBytes([join(dir, "audit.log.1.gz"), join(dir, "missing")])).toBe(statSync(join(dir, "audit.log.1.gz")).size);
  });
});

describe("the progress line", () => {
  it("gives the time left from the rate so far, once a second has passed", () => {
    let t = 0;
    const s = sink();
    const p = new Progress(100_000_000, s.out, () => t);
    t = 500;
    p.onBytes(10_000_000);
    expect(s.text()).not.toContain("left");
    t = 2000;
    p.onBytes(15_000_000); // 25 MB in 2 s: 75 MB more take 6 s
    expect(s.text()).toContain("read 25.0 of 100.0 MB 25%");
    expect(s.text()).toContain("about 0:06 left");
    p.done();
    expect(s.text().endsWith("\r\x1b[K")).toBe(true);
  });

  it("clock() reads as minutes and seconds, hours when needed", () => {
    expect([clock(6), clock(75), clock(3723)]).toEqual(["0:06", "1:15", "1:02:03"]);
  });

  it("shows on a real terminal with the directory's total, and never when stderr is a pipe", () => {
    const { dir, bytes } = rotated(30_000);
    // util-linux script(1) gives the command a pseudo-terminal; stdout goes to /dev/null inside it.
    const r = spawnSync("script", ["-qefc", `${process.execPath} ${CLI} analyze --no-policy ${dir} > /dev/null`, "/dev/null"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    // 2: the symbolic link back to the top is reported (and read once).
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toContain("symbolic link");
    expect(r.stdout).toMatch(new RegExp(`read \\d+\\.\\d of ${(bytes / 1e6).toFixed(1).replace(".", "\\.")} MB \\d+%, [\\d,]+ lines/s`));
    const piped = aalens(["analyze", "--no-policy", dir]);
    expect(piped.stderr).not.toContain("MB");
  });
});
