/**
 * Companion records (SYSCALL, CWD, PROCTITLE, EXECVE) of the plain shape auditd writes are read
 * without the grammar, keeping the keys the event's process view reads: each must be exactly the
 * grammar's value, and none of them may be missing. Checked on every companion line
 * of the bench's generated audit.log and the samples, on hand-written odd shapes, and on seeded
 * mutations of them: wherever the fast path gives a record, it equals the grammar's, and the odd
 * shapes (which carry a warning or a rule of their own) are left to the grammar.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { companionRecord } from "../src/parse/companion.js";
import { recordHeader } from "../src/parse/record-header.js";
import { parseLine } from "../src/parse/parse-line.js";
import { ensureCorpora } from "../bench/generate.js";
import { ROOT } from "./helpers/cli.js";

const COMPANION = /^(?:node=\S+ )?type=(?:SYSCALL|CWD|PROCTITLE|EXECVE) /;
const plain = (r: unknown) => JSON.parse(JSON.stringify(r)) as unknown;

function compare(text: string): "fast" | "grammar" | "none" {
  const header = recordHeader("t", 1, text);
  if (header === null) return "none";
  const fast = companionRecord(header, text);
  if (fast === undefined) return "grammar";
  const slow = parseLine({ source: "t", line: 1, text })?.record;
  // The same record, but for the keys the fast path does not keep: each kept value is the grammar's.
  const { fields, ...rest } = plain(fast) as { fields: Record<string, string> };
  const { fields: all, warnings: _w, ...restSlow } = plain(slow) as { fields: Record<string, string>; warnings?: unknown };
  expect(rest, text).toEqual(restSlow);
  for (const [k, v] of Object.entries(fields)) expect(v, `${k} in ${text}`).toBe(all[k]);
  const keys = ["pid", "ppid", "comm", "exe", "uid", "auid", "syscall", "SYSCALL", "success", "exit", "cwd", "proctitle"];
  for (const k of (rest as { type?: string }).type === "EXECVE" ? [...keys, ...Object.keys(all).filter((a) => /^a\d+$/.test(a))] : keys) {
    if (all[k] !== undefined) expect(fields[k], `${k} kept from ${text}`).toBe(all[k]);
  }
  return "fast";
}

const dir = mkdtempSync(join(tmpdir(), "aalens-companion-"));
const generated = ensureCorpora({ outDir: dir, scale: 0.002, seed: 7, only: ["mixed-audit"] });
const real = [
  ...readFileSync(generated[0]!.path, "utf8").split("\n"),
  ...readFileSync(join(ROOT, "samples/audit.log"), "utf8").split("\n"),
].filter((l) => COMPANION.test(l));

const ODD = [
  'type=SYSCALL msg=audit(1764382380.412:1250): arch=c000003e pid=-5 comm="x"',
  'type=SYSCALL msg=audit(1764382380.412:1250): arch=c000003e pid=123456789012345678 comm="x"',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="unterminated exe="/bin/x"',
  'type=SYSCALL msg=audit(1764382380.412:1250): subj==/usr/sbin/ntpd (enforce) comm="x"',
  'type=CWD msg=audit(1764382380.412:1250): cwd=2f686f6d65',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm=706173746 exe="/bin/x"',
  'type=PROCTITLE msg=audit(1764382380.412:1250): proctitle=2F62696E2F7368A',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="x" key={ a b }',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="x" ouid=0FSUID="root"',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="x"  exe="/bin/x"',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="x" \x1dUID="root"',
  'type=SYSCALL msg=audit(1764382380.412:1250): comm="x" subj=/usr/sbin/ntpd (enforcing)',
];

/** A seeded mutation: a character inserted, deleted or replaced, from the characters that matter to the shape. */
function mutate(line: string, seed: number): string {
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
  const chars = ['"', "=", " ", "\x1d", "{", "}", "'", "(", ")", "-", "A", "a", "0", "\\"];
  const at = 40 + rnd(Math.max(1, line.length - 40));
  const c = chars[rnd(chars.length)]!;
  switch (rnd(3)) {
    case 0: return line.slice(0, at) + c + line.slice(at);
    case 1: return line.slice(0, at) + line.slice(at + 1);
    default: return line.slice(0, at) + c + line.slice(at + 1);
  }
}

describe("companion records without the grammar", () => {
  it("read every plain companion line of a generated audit.log and the samples exactly as the grammar does", () => {
    expect(real.length).toBeGreaterThan(200);
    const ways = real.map(compare);
    // The plain shape is the rule: nearly all take the fast path.
    expect(ways.filter((w) => w === "fast").length).toBeGreaterThan(real.length * 0.95);
  });

  it("read a label followed by its mode, and EXECVE's hex arguments", () => {
    expect(compare('type=SYSCALL msg=audit(1764382380.412:1250): comm="cupsd" subj=/usr/sbin/cupsd (enforce) key=(null)')).toBe("fast");
    expect(compare('type=EXECVE msg=audit(1764382380.412:1250): argc=2 a0="ls" a1=2D6C61')).toBe("fast");
    const args = Array.from({ length: 120 }, (_, i) => `a${i}="x${i}"`).join(" ");
    expect(compare(`type=EXECVE msg=audit(1764382380.412:1250): argc=120 ${args}`)).toBe("fast");
  });

  it("leave the odd shapes to the grammar", () => {
    for (const line of ODD) expect(compare(line), line).toBe("grammar");
  });

  it("keep the first of a process key given twice, as the grammar does", () => {
    expect(compare('type=SYSCALL msg=audit(1764382380.412:1250): arch=c000003e pid=1 pid=2 comm="x"')).toBe("fast");
  });

  it("agree with the grammar on 20,000 seeded mutations", () => {
    const base = [...real.slice(0, 200), ...ODD];
    let fast = 0;
    for (let i = 0; i < 20_000; i++) if (compare(mutate(base[i % base.length]!, i + 1)) === "fast") fast++;
    expect(fast).toBeGreaterThan(1000);
  });
});
