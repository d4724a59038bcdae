/**
 * The README's runnable examples run: every `aalens …` command of its shell blocks that reads only
 * the bundled samples (no sudo, no pipe, no placeholder) exits as documented (0, or 2 when a sample
 * line is skipped on purpose) and prints no stack trace.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { aalens, ROOT } from "./helpers/cli.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const commands = blocks
  .flatMap((b) => b.split("\n"))
  .map((l) => l.replace(/\s+#.*$/, "").trim())
  .map((l) => l.replace(/^npm install && /, "").replace(/^npx /, ""))
  .filter((l) => /^aalens \S/.test(l) && l.includes("samples/") && !/[|&;<>…]|sudo|\$\(/.test(l));

describe("README examples", () => {
  it("has examples on the bundled samples", () => {
    expect(commands.length).toBeGreaterThanOrEqual(2);
  });
  for (const command of commands) {
    it(command, () => {
      const r = aalens(command.split(/\s+/).slice(1));
      expect([0, 2], r.stderr).toContain(r.status);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    });
  }
});
