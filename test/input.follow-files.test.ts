import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Skipped, SourceLine } from "../src/parse/record.js";
import { FileFollower, type FollowOptions } from "../src/input/follow-files.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-follow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
const fresh = (name: string) => join(dir, `${++counter}-${name}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Run {
  follower: FileFollower;
  lines: SourceLine[];
  skips: Skipped[];
  notes: string[];
  texts: () => string[];
  numbered: () => [number, string][];
}

const running: FileFollower[] = [];
afterEach(async () => {
  // Each test stops its own follower; this only cleans up after a failed assertion.
  await Promise.all(running.splice(0).map((f) => f.stop()));
});

async function follow(paths: string[], options: Partial<FollowOptions> = {}): Promise<Run> {
  const lines: SourceLine[] = [];
  const skips: Skipped[] = [];
  const notes: string[] = [];
  const follower = new FileFollower(paths, {
    pollMs: 20,
    ...options,
    onLines: (batch) => lines.push(...batch),
    onSkip: (s) => skips.push(s),
    onNote: (m) => notes.push(m),
  });
  running.push(follower);
  await follower.start();
  return {
    follower,
    lines,
    skips,
    notes,
    texts: () => lines.map((l) => l.text),
    numbered: () => lines.map((l) => [l.line, l.text]),
  };
}

/** Lets a few polls pass, to show nothing more arrives. */
const settle = () => sleep(120);

describe("FileFollower", () => {
  it("starts at the current end by default and reads appends as they come, with physical line numbers", async () => {
    const path = fresh("a.log");
    writeFileSync(path, "old 1\nold 2\n");
    const r = await follow([path]);
    await settle();
    expect(r.lines).toEqual([]);
    appendFileSync(path, "new 3\nnew 4\n");
    await waitFor(() => r.lines.length === 2, "two lines");
    appendFileSync(path, "new 5\r\n");
    await waitFor(() => r.lines.length === 3, "third line");
    await settle();
    expect(r.lines).toEqual([
      { source: path, line: 3, text: "new 3" },
      { source: path, line: 4, text: "new 4" },
      { source: path, line: 5, text: "new 5" },
    ]);
    expect(r.follower.positions()[path]).toMatchObject({ offset: 31, line: 5 });
    await r.follower.stop();
  });

  it("fromStart reads what is already there", async () => {
    const path = fresh("b.log");
    writeFileSync(path, "one\ntwo\n");
    const r = await follow([path], { fromStart: true });
    await waitFor(() => r.lines.length === 2, "two lines");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    await r.follower.stop();
  });

  it("holds a partial last line until its newline arrives, also across a split UTF-8 character", async () => {
    const path = fresh("partial.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    const euro = Buffer.from("€"); // 3 bytes
    appendFileSync(path, Buffer.concat([Buffer.from("first\nhalf "), euro.subarray(0, 1)]));
    await waitFor(() => r.lines.length === 1, "first line");
    await settle();
    expect(r.texts()).toEqual(["first"]);
    expect(r.follower.positions()[path]!.offset).toBe(6); // only complete lines are consumed
    appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from(" done\n")]));
    await waitFor(() => r.lines.length === 2, "completed line");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "first"],
      [2, "half € done"],
    ]);
    await r.follower.stop();
  });

  it("rename-and-create rotation: lines written to the old file after the rename are kept, the new file starts at line 1", async () => {
    const path = fresh("rot.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    appendFileSync(path, "a1\na2\n");
    await waitFor(() => r.lines.length === 2, "a1 a2");
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, "a3\n");
    await waitFor(() => r.notes.some((n) => n.includes("disappeared")), "disappeared note");
    appendFileSync(`${path}.1`, "a4\npart");
    await sleep(60);
    appendFileSync(`${path}.1`, "ial\n");
    writeFileSync(path, "b1\nb2\n");
    // Written to the old file after the new one exists but before the follower noticed: still read.
    appendFileSync(`${path}.1`, "a6\n");
    await waitFor(() => r.lines.length === 8, "all lines");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "a1"],
      [2, "a2"],
      [3, "a3"],
      [4, "a4"],
      [5, "partial"],
      [6, "a6"],
      [1, "b1"],
      [2, "b2"],
    ]);
    expect(r.notes.filter((n) => n.includes("rotated"))).toHaveLength(1);
    appendFileSync(path, "b3\n");
    await waitFor(() => r.lines.length === 9, "b3");
    expect(r.lines[8]).toEqual({ source: path, line: 3, text: "b3" });
    await r.follower.stop();
  });

  it("rename-and-create in one go (no poll in between) loses and repeats nothing", async () => {
    const path = fresh("rot2.log");
    writeFileSync(path, "x0\n");
    const r = await follow([path]);
    appendFileSync(path, "x1\n");
    await waitFor(() => r.lines.length === 1, "x1");
    appendFileSync(path, "x2\n");
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, "x3\n");
    writeFileSync(path, "y1\n");
    await waitFor(() => r.lines.length === 4, "four lines");
    await settle();
    expect(r.numbered()).toEqual([
      [2, "x1"],
      [3, "x2"],
      [4, "x3"],
      [1, "y1"],
    ]);
    await r.follower.stop();
  });

  it("copytruncate: the same file shrinking below the offset restarts from 0", async () => {
    const path = fresh("ct.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    appendFileSync(path, "before 1\nbefore 2\n");
    await waitFor(() => r.lines.length === 2, "before lines");
    truncateSync(path, 0);
    await waitFor(() => r.notes.some((n) => n.includes("truncated")), "truncated note");
    appendFileSync(path, "after 1\nafter 2\nafter 3\n");
    await waitFor(() => r.lines.length === 5, "after lines");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "before 1"],
      [2, "before 2"],
      [1, "after 1"],
      [2, "after 2"],
      [3, "after 3"],
    ]);
    await r.follower.stop();
  });

  it("copytruncate with new lines already written before the next poll (still shorter) is caught too", async () => {
    const path = fresh("ct2.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    appendFileSync(path, "a long line before the truncate\n");
    await waitFor(() => r.lines.length === 1, "first line");
    truncateSync(path, 0);
    appendFileSync(path, "short\n");
    await waitFor(() => r.lines.length === 2, "after truncate");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "a long line before the truncate"],
      [1, "short"],
    ]);
    await r.follower.stop();
  });

  it("a file that does not exist yet is picked up from its start when it appears (noted once)", async () => {
    const path = fresh("later.log");
    const r = await follow([path]);
    await settle();
    expect(r.notes).toEqual([`waiting for ${path}`]);
    writeFileSync(path, "hello\nworld\n");
    await waitFor(() => r.lines.length === 2, "lines");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "hello"],
      [2, "world"],
    ]);
    expect(r.notes.filter((n) => n.startsWith("waiting for"))).toHaveLength(1);
    await r.follower.stop();
  });

  it("a deleted file is waited for and re-read from its start when it comes back", async () => {
    const path = fresh("del.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    appendFileSync(path, "one\n");
    await waitFor(() => r.lines.length === 1, "one");
    unlinkSync(path);
    await waitFor(() => r.notes.some((n) => n.includes("disappeared")), "disappeared note");
    await settle();
    writeFileSync(path, "two\n");
    await waitFor(() => r.lines.length === 2, "two");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "one"],
      [1, "two"],
    ]);
    await r.follower.stop();
  });

  it("follows two files at once", async () => {
    const a = fresh("two-a.log");
    const b = fresh("two-b.log");
    writeFileSync(a, "");
    writeFileSync(b, "");
    const r = await follow([a, b]);
    for (let i = 1; i <= 50; i++) {
      appendFileSync(a, `a${i}\n`);
      appendFileSync(b, `b${i}\n`);
    }
    await waitFor(() => r.lines.length === 100, "100 lines");
    await settle();
    const of = (src: string) => r.lines.filter((l) => l.source === src).map((l) => [l.line, l.text]);
    expect(of(a)).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, `a${i + 1}`]));
    expect(of(b)).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, `b${i + 1}`]));
    await r.follower.stop();
  });

  it("resumes from positions() in a new follower: no line twice, none lost", async () => {
    const path = fresh("resume.log");
    writeFileSync(path, "l1\nl2\n");
    const first = await follow([path], { fromStart: true });
    appendFileSync(path, "l3\npart");
    await waitFor(() => first.lines.length === 3, "three lines");
    await settle();
    await first.follower.stop();
    const saved = first.follower.positions();
    expect(saved[path]).toMatchObject({ offset: 9, line: 3 });

    appendFileSync(path, "ial4\nl5\n"); // written while nobody follows
    const second = await follow([path], { positions: JSON.parse(JSON.stringify(saved)) });
    await waitFor(() => second.lines.length === 2, "resumed lines");
    appendFileSync(path, "l6\n");
    await waitFor(() => second.lines.length === 3, "l6");
    await settle();
    expect([...first.numbered(), ...second.numbered()]).toEqual([
      [1, "l1"],
      [2, "l2"],
      [3, "l3"],
      [4, "partial4"],
      [5, "l5"],
      [6, "l6"],
    ]);
    expect(second.notes).toEqual([]);
    await second.follower.stop();
  });

  it("resuming after the file was rotated while stopped reads the new file from 0 and says so", async () => {
    const path = fresh("resume-rot.log");
    writeFileSync(path, "old1\nold2\n");
    const first = await follow([path], { fromStart: true });
    await waitFor(() => first.lines.length === 2, "old lines");
    await first.follower.stop();
    const saved = first.follower.positions();
    renameSync(path, `${path}.1`);
    writeFileSync(path, "new1\n");
    const second = await follow([path], { positions: saved });
    await waitFor(() => second.lines.length === 1, "new line");
    await settle();
    expect(second.numbered()).toEqual([[1, "new1"]]);
    expect(second.notes.some((n) => n.includes("rotated"))).toBe(true);
    await second.follower.stop();
  });

  it("a 1 MB line is skipped with a reason, never buffered whole; the lines around it keep their numbers", async () => {
    const path = fresh("long.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    appendFileSync(path, "before\n");
    await waitFor(() => r.lines.length === 1, "before");
    const big = "X".repeat(1024 * 1024);
    appendFileSync(path, big.slice(0, 300_000)); // the overlong line arrives in pieces
    await waitFor(() => r.skips.length === 1, "skip");
    appendFileSync(path, `${big.slice(300_000)}\nafter\n`);
    await waitFor(() => r.lines.length === 2, "after");
    // A long line arriving whole in one write is caught as well.
    appendFileSync(path, `${big}\nlast\n`);
    await waitFor(() => r.lines.length === 3, "last");
    await settle();
    expect(r.numbered()).toEqual([
      [1, "before"],
      [3, "after"],
      [5, "last"],
    ]);
    expect(r.skips.map((s) => [s.source, s.line, s.code, s.message])).toEqual([
      [path, 2, "line-too-long", "line longer than 65536 characters"],
      [path, 4, "line-too-long", "line longer than 65536 characters"],
    ]);
    expect(r.skips[0]!.excerpt!.length).toBeLessThan(1000);
    await r.follower.stop();
  });

  it("stop() closes everything: positions stay readable and no more lines arrive", async () => {
    const path = fresh("stop.log");
    writeFileSync(path, "");
    const r = await follow([path]);
    await r.follower.stop();
    appendFileSync(path, "late\n");
    await settle();
    expect(r.lines).toEqual([]);
    expect(r.follower.positions()[path]).toMatchObject({ offset: 0, line: 0 });
  });
});

describe("FileFollower with inotify", () => {
  // A poll of ten minutes never comes during these tests: what arrives is inotify's doing.
  const NO_POLL = { pollMs: 600_000 };

  it("reads an append within milliseconds, with no poll due", async () => {
    const path = fresh("inotify.log");
    writeFileSync(path, "");
    const r = await follow([path], NO_POLL);
    await sleep(50);
    const t = Date.now();
    appendFileSync(path, "now 1\n");
    await waitFor(() => r.lines.length === 1, "the appended line", 2000);
    expect(Date.now() - t).toBeLessThan(500);
    appendFileSync(path, "now 2\nnow 3\n");
    await waitFor(() => r.lines.length === 3, "two more", 2000);
    expect(r.texts()).toEqual(["now 1", "now 2", "now 3"]);
    await r.follower.stop();
  });

  it("follows a rename rotation and a file that appears later, nothing lost or read twice", async () => {
    const path = fresh("rot.log");
    const later = fresh("later.log");
    writeFileSync(path, "");
    const r = await follow([path, later], NO_POLL);
    await sleep(50);
    appendFileSync(path, "gen1 a\n");
    await waitFor(() => r.lines.length === 1, "first line", 2000);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, "gen1 b\n"); // written to the renamed file before the new one exists
    writeFileSync(path, "gen2 a\n");
    writeFileSync(later, "late a\n");
    await waitFor(() => r.lines.length === 4, "every line", 3000);
    await sleep(100);
    expect(r.texts().sort()).toEqual(["gen1 a", "gen1 b", "gen2 a", "late a"]);
    await r.follower.stop();
  });
});
