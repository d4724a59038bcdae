/**
 * JSON output never carries an unsafe character raw, whatever the text around it: checked for
 * every UTF-16 code unit beside a non-ASCII letter (the case the fast pre-check must not miss),
 * and the escaped JSON still reads back as the same value.
 */
import { describe, expect, it } from "vitest";
import { hasUnsafe, jsonText } from "../src/report/text-safety.js";

describe("jsonText", () => {
  it("escapes every unsafe code unit, next to ordinary non-ASCII text", () => {
    let escaped = 0;
    for (let c = 0; c <= 0xffff; c++) {
      const value = `Übersicht ${String.fromCharCode(c)} é`;
      const out = jsonText({ v: value });
      expect(hasUnsafe(out), `U+${c.toString(16)}`).toBe(false);
      expect((JSON.parse(out) as { v: string }).v).toBe(value);
      if (out.includes("\\u")) escaped++;
    }
    // C0 (JSON's own escapes), DEL and C1, the format characters, separators and surrogates.
    expect(escaped).toBeGreaterThan(2048);
  });

  it("escapes an astral format character (a tag) and keeps an emoji", () => {
    expect(jsonText("a\u{E0001}b")).toBe('"a\\udb40\\udc01b"');
    expect(jsonText("ok 👍")).toBe('"ok 👍"');
  });
});
