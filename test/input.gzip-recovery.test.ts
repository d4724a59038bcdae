// gzip read as `gzip -dc` reads it: every byte that decompressed is kept before an error, all
// members are read, trailing garbage is reported with the data kept. Each case is compared with
// the real `gzip -dc` on the same file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import type { InputCode, ReadOptions } from "../src/input/index.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-gzip-recovery-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** collect(), with the error codes kept. */
async function read(inputs: string[], extra: Partial<ReadOptions> = {}) {
  const errors: Array<[string, string, InputCode]> = [];
  const r = await collect(inputs, { onSourceError: (s, m, c) => errors.push([s, m, c]), ...extra });
  return { ...r, errors, texts: r.lines.map((l) => l.text) };
}

/** What the real `gzip -dc` makes of `path`: its output, exit status and first complaint. */
function gzipDc(path: string) {
  const p = spawnSync("gzip", ["-dc", path], { maxBuffer: 1 << 30 });
  const lines = p.stdout.toString("utf8").split("\n");
  // Like aalens, count only complete lines: the text after the last newline was cut.
  return { status: p.status, stderr: p.stderr.toString().trim(), complete: lines.slice(0, -1) };
}

/** The real `gzip` command's output for `text`. */
function gzipCommand(text: string): Buffer {
  return spawnSync("gzip", ["-c"], { input: text, maxBuffer: 1 << 30 }).stdout;
}

function write(name: string, data: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

const sixty = Array.from({ length: 60 }, (_, i) => `type=AVC msg=audit(1700000000.${i}:${i}): apparmor="DENIED" name="/f${i}"`);
const sixtyText = sixty.join("\n") + "\n";

/** Lines that compress poorly, so that the archive spans many 64 KiB reads. */
function noisyLines(n: number, seed = 12345): string[] {
  let x = seed;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return `type=AVC msg=audit(1700000000.${i}:${i}): apparmor="DENIED" name="/tmp/${x.toString(36)}" pid=${x % 99991}`;
  });
}

describe("gzip: nothing decompressed is lost", () => {
  it("trailing garbage after the data: every line kept, one trailing-garbage error, as gzip -dc", async () => {
    const path = write("garbage.gz", Buffer.concat([gzipCommand(sixtyText), Buffer.from("garbage!!")]));
    const ref = gzipDc(path);
    expect(ref.stderr).toMatch(/trailing garbage ignored/);
    expect(ref.complete).toHaveLength(60);

    const r = await read([path]);
    expect(r.texts).toEqual(ref.complete);
    expect(r.errors).toEqual([[path, "decompression OK, trailing garbage ignored (9 bytes after the gzip data)", "trailing-garbage"]]);
    expect(r.done[0]).toMatchObject({ compression: "gzip", lines: 60 });
  });

  it("trailing garbage after a large archive (many 64 KiB reads) keeps all of it", async () => {
    const all = noisyLines(20000);
    const gz = gzipSync(all.join("\n") + "\n");
    expect(gz.length).toBeGreaterThan(4 * 65536);
    const path = write("big-garbage.gz", Buffer.concat([gz, Buffer.from("\nnot gzip at all\n")]));
    const r = await read([path]);
    expect(r.texts).toEqual(gzipDc(path).complete);
    expect(r.texts).toEqual(all);
    expect(r.errors.map((e) => e[2])).toEqual(["trailing-garbage"]);
  });

  it("zero padding after the data is ignored quietly, as gzip -dc does", async () => {
    const path = write("zero-padded.gz", Buffer.concat([gzipCommand(sixtyText), Buffer.alloc(700)]));
    const ref = gzipDc(path);
    expect(ref.status).toBe(0);
    const r = await read([path]);
    expect(r.texts).toEqual(ref.complete);
    expect(r.errors).toEqual([]);
  });

  it("a bad CRC or length in the trailer keeps every line, then one corrupt-archive error", async () => {
    const good = gzipCommand(sixtyText);
    for (const [offset, word] of [
      [8, "crc error"],
      [4, "length error"],
    ] as const) {
      const bad = Buffer.from(good);
      bad[bad.length - offset] ^= 0x01;
      const path = write(`trailer-${offset}.gz`, bad);
      const ref = gzipDc(path);
      expect(ref.status).toBe(1);
      expect(ref.complete).toHaveLength(60);
      const r = await read([path]);
      expect(r.texts).toEqual(ref.complete);
      expect(r.errors).toEqual([[path, `corrupt or truncated gzip data (${word})`, "corrupt-archive"]]);
    }
  });

  it("reads every member of `cat a.gz b.gz c.gz` made by the gzip command", async () => {
    const a = write("a.gz", gzipCommand("a1\na2\n"));
    const b = write("b.gz", gzipCommand(sixtyText));
    const c = write("c.gz", gzipCommand("c1\nc2")); // no final newline
    const cat = spawnSync("sh", ["-c", `cat "${a}" "${b}" "${c}" > "${join(dir, "abc.gz")}"`]);
    expect(cat.status).toBe(0);
    const path = join(dir, "abc.gz");
    const ref = gzipDc(path);
    expect(ref.status).toBe(0);
    const r = await read([path]);
    expect(r.texts).toEqual(["a1", "a2", ...sixty, "c1", "c2"]);
    expect(r.texts.slice(0, -1)).toEqual(ref.complete); // gzip -dc's last line "c2" has no newline
    expect(r.lines.map((l) => l.line)).toEqual(r.lines.map((_, i) => i + 1));
    expect(r.errors).toEqual([]);
  });

  it("a bad CRC in member 2 of 3 keeps members 1 and 2, then stops like gzip -dc", async () => {
    const m2 = Buffer.from(gzipCommand(sixtyText));
    m2[m2.length - 8] ^= 0xff;
    const path = write("bad-member-2.gz", Buffer.concat([gzipCommand("first\n"), m2, gzipCommand("third\n")]));
    const ref = gzipDc(path);
    const r = await read([path]);
    expect(r.texts).toEqual(["first", ...sixty]);
    expect(r.texts).toEqual(ref.complete);
    expect(r.errors).toEqual([[path, "corrupt or truncated gzip data (crc error in member 2)", "corrupt-archive"]]);
  });

  it("bytes that start like a second member but are not one: the data kept, one corrupt-archive error", async () => {
    const path = write("bad-second-header.gz", Buffer.concat([gzipCommand(sixtyText), Buffer.from([0x1f, 0x8b, 0x78, 0x78])]));
    const ref = gzipDc(path);
    expect(ref.status).toBe(1);
    const r = await read([path]);
    expect(r.texts).toEqual(ref.complete);
    expect(r.errors).toEqual([[path, "corrupt or truncated gzip data (unknown compression method 120 in member 2)", "corrupt-archive"]]);
  });

  it("a file cut anywhere keeps exactly the complete lines gzip -dc gives", async () => {
    const all = noisyLines(3000, 7);
    const full = gzipCommand(all.join("\n") + "\n");
    // Every cut inside the header and trailer, and a spread of cuts through the deflate data.
    const cuts = new Set<number>();
    for (let n = 2; n <= 12; n++) cuts.add(n); // one byte is not gzip yet: it is read as text
    for (let n = full.length - 9; n < full.length; n++) cuts.add(n);
    for (let n = 13; n < full.length - 9; n += 997) cuts.add(n);
    for (const cut of cuts) {
      const path = write("cut.gz", full.subarray(0, cut));
      const ref = gzipDc(path);
      const r = await read([path]);
      expect(r.texts, `cut at ${cut}`).toEqual(ref.complete);
      // zlib's own account of what decompresses from the cut data agrees.
      const sync = gunzipSync(full.subarray(0, cut), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
      expect(r.texts.length, `cut at ${cut}`).toBe(sync.split("\n").length - 1);
      expect(r.errors, `cut at ${cut}`).toEqual([[path, "corrupt or truncated gzip data (unexpected end of file)", "corrupt-archive"]]);
    }
  });

  it("corrupt deflate data mid-file: at least what gzip -dc keeps, an exact prefix, one error", async () => {
    const all = noisyLines(20000, 99);
    const full = gzipSync(all.join("\n") + "\n");
    const zlibErrors = new Set<string>();
    for (let at = 20000; at < full.length - 100; at += 49999) {
      const bad = Buffer.from(full);
      bad.fill(0xff, at, at + 40);
      const path = write("corrupt.gz", bad);
      const ref = gzipDc(path);
      expect(ref.stderr).toMatch(/invalid compressed data/);
      const r = await read([path]);
      expect(r.texts.length).toBeGreaterThanOrEqual(ref.complete.length);
      expect(r.texts.slice(0, ref.complete.length)).toEqual(ref.complete);
      expect(r.errors).toHaveLength(1);
      const [, message, code] = r.errors[0]!;
      expect(message).toMatch(/^corrupt or truncated gzip data \((invalid [a-z ]+|crc error|length error)\)$/);
      expect(code).toBe("corrupt-archive");
      if (message.includes("invalid")) zlibErrors.add(message);
    }
    // Some of the cuts are caught by zlib itself (not only by the trailer's CRC).
    expect(zlibErrors.size).toBeGreaterThan(0);
  });

  it("headers with FEXTRA, FNAME, FCOMMENT and FHCRC, fed one byte at a time or in odd chunks", async () => {
    const member = (text: string) => {
      const flags = 0x02 | 0x04 | 0x08 | 0x10;
      const head = Buffer.concat([
        Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]),
        Buffer.from([5, 0]),
        Buffer.from("XY\x01\x00Z"), // one extra subfield, 5 bytes
        Buffer.from("audit.log\0"),
        Buffer.from("a comment\0"),
      ]);
      const hcrc = Buffer.alloc(2);
      hcrc.writeUInt16LE(crc32(head) & 0xffff);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc32(text), 0);
      trailer.writeUInt32LE(Buffer.byteLength(text), 4);
      return Buffer.concat([head, hcrc, deflateRawSync(text), trailer]);
    };
    const data = Buffer.concat([member(sixtyText), member("x1\nx2\n"), Buffer.alloc(3), Buffer.from("junk")]);
    const path = write("flags.gz", data);
    const ref = gzipDc(path);
    expect(ref.stderr).toMatch(/trailing garbage ignored/);
    expect(ref.complete).toEqual([...sixty, "x1", "x2"]);
    expect(readFileSync(path).equals(data)).toBe(true);
    for (const size of [1, 2, 3, 7, 10, 11, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
      const r = await read(["-"], { stdin: Readable.from(chunks) });
      expect(r.texts, `chunks of ${size}`).toEqual(ref.complete);
      expect(r.errors, `chunks of ${size}`).toEqual([["-", "decompression OK, trailing garbage ignored (7 bytes after the gzip data)", "trailing-garbage"]]);
    }
  });

  it("a gzip file followed by good inputs: the error is the gzip file's alone", async () => {
    const bad = write("then.gz", Buffer.concat([gzipCommand("kept\n"), Buffer.from("xx")]));
    const good = write("then.log", Buffer.from("next\n"));
    const r = await read([bad, good, bad]);
    expect(r.texts).toEqual(["kept", "next", "kept"]);
    expect(r.errors.map((e) => [e[0], e[2]])).toEqual([
      [bad, "trailing-garbage"],
      [bad, "trailing-garbage"],
    ]);
  });
});
