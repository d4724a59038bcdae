// Every onSourceError call carries a stable code (reasons.ts INPUT_CODES) beside its message.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import { readSystemLogs, INPUT_CODES, type InputCode, type ReadOptions } from "../src/input/index.js";
import { findCommand } from "../src/input/which.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-codes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

/** The [source, code] of every onSourceError call while reading `inputs`. */
async function codes(inputs: string[], extra: Partial<ReadOptions> = {}) {
  const errors: Array<[string, string, InputCode]> = [];
  const r = await collect(inputs, { onSourceError: (s, m, c) => errors.push([s, m, c]), ...extra });
  for (const [, message, code] of errors) {
    expect(Object.hasOwn(INPUT_CODES, code), code).toBe(true);
    expect(message).not.toMatch(/\n|    at /);
  }
  return { ...r, errors };
}

describe("input error codes", () => {
  it("errno failures: ENOENT and ENOTDIR are not-found, ELOOP symlink-loop, anything else read-error", async () => {
    const file = join(dir, "plain.log");
    writeFileSync(file, "x\n");
    const self = join(dir, "self-link");
    symlinkSync(self, self);
    const r = await codes([join(dir, "missing.log"), join(file, "below-a-file"), self, "/proc/self/mem"]);
    expect(r.errors).toEqual([
      [join(dir, "missing.log"), "no such file or directory", "not-found"],
      [join(file, "below-a-file"), "a path component is not a directory", "not-found"],
      [self, "too many levels of symbolic links", "symlink-loop"],
      ["/proc/self/mem", "input/output error", "read-error"],
    ]);
  });

  it.skipIf(process.getuid?.() === 0)("EACCES is permission-denied (skipped as root: root reads anything)", async () => {
    const secret = join(dir, "secret.log");
    writeFileSync(secret, "x\n");
    chmodSync(secret, 0o000);
    const r = await codes([secret]);
    expect(r.errors).toEqual([[secret, "permission denied", "permission-denied"]]);
  });

  it("in a directory: a link loop, a link to an ancestor, a FIFO; the walk goes on", async () => {
    const d = join(dir, "walk");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "sub", "z.log"), "z\n");
    symlinkSync(join(d, "loop"), join(d, "loop"));
    symlinkSync(d, join(d, "sub", "up"));
    expect(spawnSync("mkfifo", [join(d, "fifo")]).status).toBe(0);
    const r = await codes([d]);
    expect(r.lines.map((l) => l.text)).toEqual(["z"]);
    expect(r.errors.map(([s, , c]) => [s, c])).toEqual([
      [join(d, "fifo"), "not-regular-file"],
      [join(d, "loop"), "symlink-loop"],
      [join(d, "sub", "up"), "symlink-loop"],
    ]);
  });

  it("a missing decompressor is tool-missing; a corrupt archive corrupt-archive", async () => {
    const xz = join(dir, "data.xz");
    writeFileSync(xz, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(32)]));
    const gz = join(dir, "data.gz");
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]));
    const corrupt = await codes([xz, gz]);
    expect(corrupt.errors.map(([s, , c]) => [s, c])).toEqual(
      findCommand("xz") ? [[xz, "corrupt-archive"], [gz, "corrupt-archive"]] : [[xz, "tool-missing"], [gz, "corrupt-archive"]],
    );
    const empty = join(dir, "no-tools");
    mkdirSync(empty, { recursive: true });
    process.env.PATH = empty;
    const missing = await codes([xz]);
    expect(missing.errors.map(([s, , c]) => [s, c])).toEqual([[xz, "tool-missing"]]);
  });

  it.skipIf(!findCommand("journalctl"))("a journal file journalctl cannot read is journalctl-failed (skipped without journalctl)", async () => {
    const journal = join(dir, "corrupt.journal");
    writeFileSync(journal, Buffer.concat([Buffer.from("LPKSHHRH"), Buffer.alloc(5000, 0x5a)]));
    const r = await codes([journal]);
    expect(r.errors.map(([s, , c]) => [s, c])).toEqual([[journal, "journalctl-failed"]]);
  });

  it("system logs: a failing journalctl is a note; nothing read at all is no-system-logs", async () => {
    const fake = join(dir, "journalctl-fails");
    writeFileSync(fake, "#!/bin/sh\necho 'Failed to open journal: boom' >&2\nexit 1\n", { mode: 0o755 });
    const errors: Array<[string, InputCode]> = [];
    const notes: string[] = [];
    const opts: ReadOptions = { onSourceError: (s, _m, c) => errors.push([s, c]), onNote: (m) => notes.push(m) };
    for await (const batch of readSystemLogs(opts, { journalctl: fake, auditDir: join(dir, "no-audit") })) {
      expect(batch).toEqual([]);
    }
    expect(notes).toContain("skipped journalctl -k: Failed to open journal: boom");
    expect(errors).toEqual([["system logs", "no-system-logs"]]);
  });
});
