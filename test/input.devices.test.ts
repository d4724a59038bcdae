// Character devices are refused (they never end); pipes are read; special files inside
// directories are never opened; symbolic-link loops are one error each and the walk goes on.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";
import type { InputCode, ReadOptions } from "../src/input/index.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-devices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(inputs: string[], extra: Partial<ReadOptions> = {}) {
  const errors: Array<[string, string, InputCode]> = [];
  const started = Date.now();
  const r = await collect(inputs, { onSourceError: (s, m, c) => errors.push([s, m, c]), ...extra });
  return { ...r, errors, texts: r.lines.map((l) => [l.source, l.text]), ms: Date.now() - started };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function fifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
  return path;
}

/** Starts a shell writing into `path` (a FIFO); resolves with its exit status. */
function writer(script: string): Promise<number | null> {
  const child = spawn("sh", ["-c", script], { stdio: "ignore" });
  return new Promise((resolve) => child.on("close", resolve));
}

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`);

describe("devices, pipes and links", () => {
  it.each(["/dev/zero", "/dev/urandom"].filter((d) => existsSync(d)))(
    "%s between two good files: both read in full, one character-device error, promptly",
    async (device) => {
      const a = file("before.log", lines(3000, "a").join("\n") + "\n");
      const b = file("after.log", lines(3000, "b").join("\n") + "\n");
      const r = await read([a, device, b]);
      expect(r.errors).toEqual([[device, "a character device, not a log; not read", "character-device"]]);
      expect(r.texts).toEqual([...lines(3000, "a").map((t) => [a, t]), ...lines(3000, "b").map((t) => [b, t])]);
      expect(r.done.map((d) => d.source)).toEqual([a, b]);
      expect(r.ms).toBeLessThan(5000);
    },
  );

  it("a symbolic link to /dev/zero is refused the same way", async () => {
    const link = join(dir, "zero-link");
    symlinkSync("/dev/zero", link);
    const r = await read([link]);
    expect(r.errors).toEqual([[link, "a character device, not a log; not read", "character-device"]]);
  });

  it("a named pipe given as an input is read (like bash's <(…)), gzip through it too", async () => {
    const plain = fifo("plain.fifo");
    const gz = fifo("gz.fifo");
    const src = file("src.log", lines(500, "p").join("\n") + "\n");
    const wrote = Promise.all([
      writer(`cat "${src}" > "${plain}"`),
      writer(`printf 'g1\\ng2\\n' | gzip -c > "${gz}"`),
    ]);
    const r = await read([plain, gz]);
    expect(await wrote).toEqual([0, 0]);
    expect(r.errors).toEqual([]);
    expect(r.texts).toEqual([...lines(500, "p").map((t) => [plain, t]), [gz, "g1"], [gz, "g2"]]);
    expect(r.done.map((d) => [d.source, d.compression])).toEqual([
      [plain, "plain"],
      [gz, "gzip"],
    ]);
  });

  it("a gzip with trailing garbage through a pipe keeps its data", async () => {
    const pipe = fifo("garbage.fifo");
    const wrote = writer(`{ printf 'x1\\nx2\\n' | gzip -c; printf 'junk'; } > "${pipe}"`);
    const r = await read([pipe]);
    expect(await wrote).toBe(0);
    expect(r.texts).toEqual([
      [pipe, "x1"],
      [pipe, "x2"],
    ]);
    expect(r.errors.map((e) => e[2])).toEqual(["trailing-garbage"]);
  });

  it("inside a directory, FIFOs (no writer: opening one would hang) and device links are skipped, never opened", async () => {
    const d = join(dir, "special");
    mkdirSync(d);
    writeFileSync(join(d, "a.log"), "a\n");
    expect(spawnSync("mkfifo", [join(d, "b.fifo")]).status).toBe(0);
    symlinkSync("/dev/zero", join(d, "c-zero"));
    writeFileSync(join(d, "d.log"), "d\n");
    const r = await read([d]);
    expect(r.texts).toEqual([
      [join(d, "a.log"), "a"],
      [join(d, "d.log"), "d"],
    ]);
    expect(r.errors).toEqual([
      [join(d, "b.fifo"), "not a regular file; skipped", "not-regular-file"],
      [join(d, "c-zero"), "not a regular file; skipped", "character-device"],
    ]);
    expect(r.ms).toBeLessThan(5000);
  });

  it("symbolic-link loops: one clear error each, and the walk and later inputs go on", async () => {
    const d = join(dir, "loops");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "a.log"), "a\n");
    symlinkSync(join(d, "m-self"), join(d, "m-self")); // a link to itself: ELOOP
    symlinkSync(join(d, "n-pong"), join(d, "n-ping")); // two links pointing at each other
    symlinkSync(join(d, "n-ping"), join(d, "n-pong"));
    symlinkSync(d, join(d, "sub", "up")); // a directory link to an ancestor
    writeFileSync(join(d, "sub", "s.log"), "s\n");
    writeFileSync(join(d, "z.log"), "z\n");
    const self = join(dir, "top-self");
    symlinkSync(self, self);
    const after = file("after-loops.log", "after\n");
    const r = await read([self, d, after]);
    expect(r.texts).toEqual([
      [join(d, "a.log"), "a"],
      [join(d, "sub", "s.log"), "s"],
      [join(d, "z.log"), "z"],
      [after, "after"],
    ]);
    expect(r.errors).toEqual([
      [self, "too many levels of symbolic links", "symlink-loop"],
      [join(d, "m-self"), "too many levels of symbolic links", "symlink-loop"],
      [join(d, "n-ping"), "too many levels of symbolic links", "symlink-loop"],
      [join(d, "n-pong"), "too many levels of symbolic links", "symlink-loop"],
      [join(d, "sub", "up"), "directory already read through another path (symbolic link); skipped", "symlink-loop"],
    ]);
  });
});
