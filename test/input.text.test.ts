import { mkdtempSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import { readInputs, type SourceLine } from "../src/input/index.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-text-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe("plain text inputs", () => {
  it("yields one SourceLine per non-blank physical line with 1-based line numbers", async () => {
    const path = join(dir, "plain.log");
    writeFileSync(path, "type=AVC msg=audit(1.0:1): a\n\ntype=AVC msg=audit(1.0:2): b\nlast line without newline");
    const r = await collect([path]);
    expect(r.lines).toEqual([
      { source: path, line: 1, text: "type=AVC msg=audit(1.0:1): a" },
      { source: path, line: 3, text: "type=AVC msg=audit(1.0:2): b" },
      { source: path, line: 4, text: "last line without newline" },
    ]);
    expect(r.onLine).toBe(4);
    expect(r.bytes).toBe(statSync(path).size);
    expect(r.errors).toEqual([]);
    expect(r.done).toEqual([
      { source: path, compression: "plain", container: "text", lines: 4, bytes: statSync(path).size },
    ]);
  });

  it("strips CR from CRLF lines and a UTF-8 BOM from the first line", async () => {
    const path = join(dir, "crlf.log");
    writeFileSync(path, "\ufeffone\r\ntwo\r\n\r\nthree\r\n");
    const r = await collect([path]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "one"],
      [2, "two"],
      [4, "three"],
    ]);
  });

  it("replaces invalid UTF-8 instead of failing", async () => {
    const path = join(dir, "bad-utf8.log");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("before\ncomm=\""), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("\" end\nafter\n")]),
    );
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => l.text)).toEqual(["before", 'comm="\ufffd\ufffd\ufffd" end', "after"]);
  });

  it("applies the filter to the raw text and counts filtered lines in onLine", async () => {
    const path = join(dir, "filtered.log");
    writeFileSync(path, "noise 1\napparmor=\"DENIED\" x\nnoise 2\r\napparmor=\"ALLOWED\" y\r\n");
    const seen: string[] = [];
    const r = await collect([path], {
      filter: (t) => {
        seen.push(t);
        return t.includes("apparmor=");
      },
    });
    expect(seen).toEqual(["noise 1", 'apparmor="DENIED" x', "noise 2", 'apparmor="ALLOWED" y']);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [2, 'apparmor="DENIED" x'],
      [4, 'apparmor="ALLOWED" y'],
    ]);
    expect(r.onLine).toBe(4);
    expect(r.done[0]!.lines).toBe(4);
  });

  it("yields batches of at most 1000 lines, in order", async () => {
    const path = join(dir, "many.log");
    const n = 2500;
    writeFileSync(path, Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
    const sizes: number[] = [];
    const all: SourceLine[] = [];
    for await (const batch of readInputs([path], {})) {
      sizes.push(batch.length);
      all.push(...batch);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBe(n);
    expect(all.every((l, i) => l.line === i + 1 && l.text === `line ${i + 1}`)).toBe(true);
  });

  it("reads `-` from the injected stdin stream, across chunk boundaries", async () => {
    // Chunks split a line, a CRLF pair and a multi-byte character.
    const bytes = Buffer.from("alpha\r\nbé\u00e9ta\ngamma\n");
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 6), bytes.subarray(6, 10), bytes.subarray(10)];
    const r = await collect(["-"], { stdin: Readable.from(chunks) });
    expect(r.lines).toEqual([
      { source: "-", line: 1, text: "alpha" },
      { source: "-", line: 2, text: "béé" + "ta" },
      { source: "-", line: 3, text: "gamma" },
    ]);
    expect(r.bytes).toBe(bytes.length);
    expect(r.done).toEqual([{ source: "-", compression: "plain", container: "text", lines: 3, bytes: bytes.length }]);
  });

  it("reads an empty file as zero lines without an error", async () => {
    const path = join(dir, "empty.log");
    writeFileSync(path, "");
    const r = await collect([path]);
    expect(r.lines).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.done).toEqual([{ source: path, compression: "plain", container: "text", lines: 0, bytes: 0 }]);
  });

  it("stops cleanly when the consumer stops early", async () => {
    const path = join(dir, "early.log");
    writeFileSync(path, Array.from({ length: 5000 }, (_, i) => `l${i}`).join("\n"));
    const gen = readInputs([path, path], {});
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect((first.value as SourceLine[])[0]!.text).toBe("l0");
    const ret = await gen.return(undefined);
    expect(ret.done).toBe(true);
  });
});
