/**
 * The parse memo rests where it does not pay: after a window of lookups of which fewer than half
 * hit, it parses every line with the grammar for a while, then samples again. Records are the
 * grammar's own either way. (Module state: the cases run in order, in one file of their own.)
 */
import { describe, expect, it } from "vitest";
import { parseLine, parseWithGrammar } from "../src/parse/parse-line.js";
import { MEMO_REST, MEMO_WINDOW, templateOf } from "../src/parse/memo.js";
import type { AuditRecord } from "../src/parse/record.js";

let serial = 1000;
/** A denial with a new stamp, serial and pid each time; `body` picks one of many distinct names. */
const avc = (body: number) => {
  serial++;
  return `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" operation="open" class="file" profile="rest" name="/srv/rest/${body}" pid=${serial * 7} comm="d" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
};
const viaParseLine = (text: string): AuditRecord => parseLine({ source: "m", line: 1, text })!.record!;
const viaGrammar = (text: string): AuditRecord => parseWithGrammar({ source: "m", line: 1, text })!.record!;

describe("the parse memo's rest", () => {
  it("stays awake on a log that repeats: a few bodies over more than a window of lines", () => {
    for (let i = 0; i < 2 * MEMO_WINDOW; i++) viaParseLine(avc(i % 50));
    viaParseLine(avc(7));
    expect(templateOf(viaParseLine(avc(7)))).toBeDefined();
  });

  it("rests after a window of mostly new bodies, and then gives the grammar's records", () => {
    for (let i = 0; i < MEMO_WINDOW; i++) viaParseLine(avc(100_000 + i));
    const first = avc(42);
    viaParseLine(first);
    const repeat = avc(42);
    const record = viaParseLine(repeat);
    expect(templateOf(record)).toBeUndefined(); // resting: not made from the memo
    expect(record).toEqual(viaGrammar(repeat));
  });

  it("samples again after its rest, and takes up repeats", () => {
    for (let i = 0; i < MEMO_REST; i++) viaParseLine(avc(200_000 + i));
    viaParseLine(avc(43));
    const text = avc(43);
    const record = viaParseLine(text);
    expect(templateOf(record)).toBeDefined();
    const { [Object.getOwnPropertySymbols(record)[0]!]: _tag, ...plain } = record as AuditRecord & Record<symbol, unknown>;
    expect(plain).toEqual(viaGrammar(text));
  });
});
