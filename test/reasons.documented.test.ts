/**
 * The reason codes are an interface (scripts key on them): the README lists each one, with the
 * meaning reasons.ts gives it, and lists no code that does not exist.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INPUT_CODES, SKIP_CODES, WARNING_CODES } from "../src/input/reasons.js";
import { ROOT } from "./helpers/cli.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("### Skip, warning and error codes"), readme.indexOf("### CSV columns"));

describe("reason codes", () => {
  const all = { ...SKIP_CODES, ...WARNING_CODES, ...INPUT_CODES };

  it("are each listed in the README with their meaning", () => {
    for (const [code, meaning] of Object.entries(all)) expect(section).toContain(`| \`${code}\` | ${meaning.replace(/\\\\/g, "\\")} |`);
  });

  it("are all that the README lists", () => {
    const listed = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(all).sort());
  });

  it("are unique across the three kinds", () => {
    const n = Object.keys(SKIP_CODES).length + Object.keys(WARNING_CODES).length + Object.keys(INPUT_CODES).length;
    expect(Object.keys(all)).toHaveLength(n);
  });
});
