import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectCompression } from "../src/input/index.js";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-compression-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** Compresses `text` with the real tool (`tool -c` writes to stdout). */
function compress(tool: string, args: readonly string[], text: string): Buffer {
  const r = spawnSync(tool, args, { input: text });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return r.stdout;
}


const TOOLS = [
  { kind: "xz", tool: "xz", args: ["-c"] },
  { kind: "zstd", tool: "zstd", args: ["-c", "-q"] },
  { kind: "bzip2", tool: "bzip2", args: ["-c"] },
] as const;

const text = Array.from({ length: 3000 }, (_, i) => `type=AVC msg=audit(1700000000.000:${i}): line ${i}`).join("\n") + "\n";

describe("compressed inputs through the system tools", () => {
  for (const { kind, tool, args } of TOOLS) {
    it.skipIf(!has(tool))(`reads ${kind} (detected by magic bytes; skipped when \`${tool}\` is not installed)`, async () => {
      const path = join(dir, `audit.log.${kind}-data`); // misleading name on purpose
      writeFileSync(path, compress(tool, args, text));
      expect(detectCompression(readFileSync(path))).toBe(kind);
      const r = await collect([path]);
      expect(r.errors).toEqual([]);
      expect(r.lines).toHaveLength(3000);
      expect(r.lines[0]).toEqual({ source: path, line: 1, text: "type=AVC msg=audit(1700000000.000:0): line 0" });
      expect(r.lines[2999]).toEqual({
        source: path,
        line: 3000,
        text: "type=AVC msg=audit(1700000000.000:2999): line 2999",
      });
      expect(r.done).toEqual([
        { source: path, compression: kind, container: "text", lines: 3000, bytes: readFileSync(path).length },
      ]);
    });

    it.skipIf(!has(tool))(`a truncated ${kind} archive is one error naming the tool's complaint; the next input is read`, async () => {
      const full = compress(tool, args, text);
      const path = join(dir, `cut.${kind}`);
      writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)));
      const good = join(dir, `good-after-${kind}.log`);
      writeFileSync(good, "ok\n");
      const r = await collect([path, good]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]![0]).toBe(path);
      expect(r.errors[0]![1]).toMatch(new RegExp(`^corrupt or truncated ${kind} data \\(\\S.+\\)$`));
      const got = r.lines.filter((l) => l.source === path);
      // xz decodes as it goes, so half an archive still gives lines; zstd/bzip2 may give none.
      if (kind === "xz") {
        expect(got.length).toBeGreaterThan(0);
        expect(r.errors[0]![1]).toBe("corrupt or truncated xz data (xz: (stdin): Unexpected end of input)");
      }
      got.forEach((l, i) => expect(l.text).toBe(`type=AVC msg=audit(1700000000.000:${i}): line ${i}`));
      expect(r.lines.filter((l) => l.source === good).map((l) => l.text)).toEqual(["ok"]);
    });
  }

  it("does not mistake text starting with 'BZh' for bzip2", () => {
    expect(detectCompression(Buffer.from("BZh is a word\n"))).toBe("plain");
    expect(detectCompression(Buffer.from("BZh9"))).toBe("bzip2");
  });
});
