// journalctl -o json writes every field as a string, an array of bytes, null, or an array of those
// (a repeated field). Anything else in MESSAGE is skipped with its own code and the next line read.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-jjson-types-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes one journal JSON line per value of MESSAGE (raw JSON text), after a normal first entry. */
async function readMessages(name: string, messages: string[]) {
  const lines = ['{"__CURSOR":"s=0","_TRANSPORT":"kernel","MESSAGE":"first"}', ...messages.map((m, i) => `{"__CURSOR":"s=${i + 1}","_TRANSPORT":"kernel","MESSAGE":${m}}`)];
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  const r = await collect([path]);
  expect(r.errors).toEqual([]);
  expect(r.done[0]!.container).toBe("journal-json");
  expect(r.onLine).toBe(lines.length);
  return r;
}

const type = (line: number, message: string) => [line, "journal-message-type", message];

describe("journal JSON: odd MESSAGE types", () => {
  it("an object, a boolean, a number, an empty array: journal-message-type skips", async () => {
    const r = await readMessages("scalars.json", ['{"text":"AVC apparmor=\\"DENIED\\""}', "true", "false", "[]", "42", "-1.5e3", '"text"']);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual([
      type(2, "journal MESSAGE given as an object"),
      type(3, "journal MESSAGE given as a boolean"),
      type(4, "journal MESSAGE given as a boolean"),
      type(5, "journal MESSAGE given as an empty array"),
      type(6, "journal MESSAGE given as a number"),
      type(7, "journal MESSAGE given as a number"),
    ]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "first"],
      [8, "text"],
    ]);
  });

  it("repeated fields: the first value, whether text or bytes; deeper nesting is refused without recursion", async () => {
    const deep = "[".repeat(20_000) + '"x"' + "]".repeat(20_000);
    const r = await readMessages("arrays.json", ['["first","second"]', "[[104,105],[120]]", '[[104,105],"later"]', '[["deep"]]', '[[["deeper"]]]', deep, '[null,"x"]', "[{}]"]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "first"],
      [2, "first"],
      [3, "hi"],
      [4, "hi"],
    ]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual(
      [5, 6, 7, 8, 9].map((n) => type(n, "journal MESSAGE given as an array of neither text nor bytes")),
    );
  });

  it("byte arrays with values over 255, negative, fractional or not numbers are refused, never masked into text", async () => {
    const r = await readMessages("bytes.json", ["[104,105]", "[104,256]", "[104,-1]", "[104,1.5]", '[104,"i"]', "[104,null]", "[[104,300]]", "[255,254]"]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "first"],
      [2, "hi"],
      [9, "\uFFFD\uFFFD"], // invalid UTF-8, as journald would have it: replaced, not dropped
    ]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual(
      [3, 4, 5, 6, 7, 8].map((n) => type(n, "journal MESSAGE given as an array of numbers that are not all bytes (0–255)")),
    );
  });
});

describe("journal JSON: hostile field names", () => {
  it("__proto__, constructor and Object.prototype names are plain fields; MESSAGE is never found through a prototype", async () => {
    const lines = [
      '{"__CURSOR":"s=0","_TRANSPORT":"kernel","MESSAGE":"first"}',
      '{"__proto__":{"MESSAGE":"from a prototype","_HOSTNAME":"evil"},"_TRANSPORT":"kernel"}',
      '{"__proto__":"x","constructor":{"prototype":{"polluted":true}},"MESSAGE":"real","_HOSTNAME":"h1"}',
      '{"toString":1,"valueOf":2,"hasOwnProperty":3,"MESSAGE":"methods shadowed","_TRANSPORT":"kernel"}',
      '{"MESSAGE":"odd meta","_HOSTNAME":{"toString":"x"},"_PID":["1","2"],"__proto__":{"_HOSTNAME":"evil"}}',
      '{"MESSAGE":"host named __proto__","_HOSTNAME":"__proto__"}',
    ];
    const path = join(dir, "proto.json");
    writeFileSync(path, lines.join("\n") + "\n");
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.skips.map((s) => [s.line, s.code])).toEqual([[2, "journal-no-message"]]);
    expect(r.lines.map((l) => [l.line, l.text, l.meta])).toEqual([
      [1, "first", { format: "journal-json", transport: "kernel" }],
      [3, "real", { format: "journal-json", host: "h1" }],
      [4, "methods shadowed", { format: "journal-json", transport: "kernel" }],
      [5, "odd meta", { format: "journal-json", pid: 1 }],
      [6, "host named __proto__", { format: "journal-json", host: "__proto__" }],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).MESSAGE).toBeUndefined();
  });
});

describe("journal JSON: a 10 MB line", () => {
  it("is one line-too-long skip; the lines around it are read with their numbers", async () => {
    const huge = JSON.stringify({ __CURSOR: "s=2", _TRANSPORT: "kernel", MESSAGE: 'apparmor="DENIED" ' + "x".repeat(10 * 1024 * 1024) });
    const bytes = JSON.stringify({ _TRANSPORT: "kernel", MESSAGE: Array.from({ length: 3 * 1024 * 1024 }, () => 65) });
    const path = join(dir, "huge.json");
    writeFileSync(
      path,
      [
        '{"__CURSOR":"s=1","_TRANSPORT":"kernel","MESSAGE":"before"}',
        huge,
        '{"__CURSOR":"s=3","_TRANSPORT":"kernel","MESSAGE":"between"}',
        bytes, // a byte array is longer still as JSON (up to 4 characters a byte)
        '{"__CURSOR":"s=5","_TRANSPORT":"kernel","MESSAGE":"after"}',
      ].join("\n") + "\n",
    );
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([
      [1, "before"],
      [3, "between"],
      [5, "after"],
    ]);
    expect(r.skips.map((s) => [s.line, s.code, s.message])).toEqual([
      [2, "line-too-long", "line longer than 65536 characters"],
      [4, "line-too-long", "line longer than 65536 characters"],
    ]);
    for (const s of r.skips) expect((s.excerpt ?? "").length).toBeLessThanOrEqual(161);
    expect(r.onLine).toBe(5);
  });
});
