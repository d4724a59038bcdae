import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});


const isRoot = process.getuid?.() === 0;

describe("bad inputs", () => {
  it("a missing file among good ones is exactly one error; the others are read", async () => {
    const a = join(dir, "a.log");
    const b = join(dir, "b.log");
    const missing = join(dir, "does-not-exist.log");
    writeFileSync(a, "from a\n");
    writeFileSync(b, "from b\n");
    const r = await collect([a, missing, b]);
    expect(r.lines.map((l) => [l.source, l.text])).toEqual([
      [a, "from a"],
      [b, "from b"],
    ]);
    expect(r.errors).toEqual([[missing, "no such file or directory"]]);
    expect(r.done.map((d) => d.source)).toEqual([a, b]);
  });

  it.skipIf(isRoot)("an unreadable file and an unlistable directory are one error each (skipped as root: root reads anything)", async () => {
    const secret = join(dir, "secret.log");
    writeFileSync(secret, "x\n");
    chmodSync(secret, 0o000);
    const closed = join(dir, "closed");
    mkdirSync(closed);
    chmodSync(closed, 0o000);
    try {
      const r = await collect([secret, closed]);
      expect(r.lines).toEqual([]);
      expect(r.errors).toEqual([
        [secret, "permission denied"],
        [closed, "cannot list directory: permission denied"],
      ]);
    } finally {
      chmodSync(closed, 0o755);
    }
  });

  it("a compressed file whose decompressor is not installed is one clear error", async () => {
    const xzFile = join(dir, "data.xz");
    writeFileSync(xzFile, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(32)]));
    const zstFile = join(dir, "data.zst");
    writeFileSync(zstFile, Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(32)]));
    const bzFile = join(dir, "data.bz2");
    writeFileSync(bzFile, Buffer.from("BZh91AY&SY"));
    const good = join(dir, "good.log");
    writeFileSync(good, "good\n");
    const empty = join(dir, "no-tools");
    mkdirSync(empty, { recursive: true });
    process.env.PATH = empty;
    const r = await collect([xzFile, zstFile, bzFile, good]);
    expect(r.errors).toEqual([
      [xzFile, "xz-compressed, but the `xz` command is not installed (apt-get install xz-utils)"],
      [zstFile, "zstd-compressed, but the `zstd` command is not installed (apt-get install zstd)"],
      [bzFile, "bzip2-compressed, but the `bzip2` command is not installed (apt-get install bzip2)"],
    ]);
    expect(r.lines.map((l) => l.text)).toEqual(["good"]);
  });

  it("a binary journal without journalctl is one clear error", async () => {
    const journal = join(dir, "system.journal");
    writeFileSync(journal, Buffer.concat([Buffer.from("LPKSHHRH"), Buffer.alloc(256)]));
    process.env.PATH = join(dir, "no-tools");
    const r = await collect([journal]);
    expect(r.errors).toEqual([
      [journal, "binary journal file, but the `journalctl` command is not installed to read it (apt-get install systemd)"],
    ]);
  });

  it.skipIf(!existsSync("/usr/bin/journalctl") && !existsSync("/bin/journalctl"))(
    "a corrupt binary journal is one error carrying journalctl's complaint (skipped without journalctl)",
    async () => {
      const journal = join(dir, "corrupt.journal");
      writeFileSync(journal, Buffer.concat([Buffer.from("LPKSHHRH"), Buffer.alloc(5000, 0x5a)]));
      const good = join(dir, "good2.log");
      writeFileSync(good, "good\n");
      const r = await collect([journal, good]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]![0]).toBe(journal);
      expect(r.errors[0]![1]).toMatch(/^journalctl could not read this journal file: \S/);
      expect(r.lines.map((l) => l.text)).toEqual(["good"]);
    },
  );

  it("a stream that fails midway keeps the complete lines read before the failure", async () => {
    async function* failing() {
      yield Buffer.from("one\ntwo\nthr");
      throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    }
    const r = await collect(["-"], { stdin: Readable.from(failing()) });
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    expect(r.errors).toEqual([["-", "input/output error"]]);
    expect(r.done).toEqual([{ source: "-", compression: "plain", container: "text", lines: 2, bytes: 11 }]);
  });

  it("never throws for bad inputs, whatever they are", async () => {
    const gzBad = join(dir, "bad.gz");
    writeFileSync(gzBad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]));
    const inputs = [join(dir, "missing-1"), gzBad, join(dir, "missing-2", "x.log"), "/proc/self/mem"];
    const r = await collect(inputs);
    expect(r.lines).toEqual([]);
    expect(r.errors.map((e) => e[0])).toEqual(inputs);
    expect(r.errors[0]![1]).toBe("no such file or directory");
    expect(r.errors[1]![1]).toBe("corrupt or truncated gzip data (unexpected end of file)");
    expect(r.errors[3]![1]).toBe("input/output error");
    for (const [, message] of r.errors) expect(message).not.toMatch(/\n|    at /);
  });
});
