/** `aalens help CMD` gives that command's help, as `aalens CMD --help` does. */
import { describe, expect, it } from "vitest";
import { aalens } from "./helpers/cli.js";

describe("aalens help", () => {
  for (const cmd of ["analyze", "rules", "pasta", "merge", "watch", "parse"]) {
    it(`help ${cmd} prints the ${cmd} help`, () => {
      const viaHelp = aalens(["help", cmd]);
      expect(viaHelp.status).toBe(0);
      expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: aalens ${cmd}\\b`));
      expect(viaHelp.stdout).toBe(aalens([cmd, "--help"]).stdout);
    });
  }
  it("help with no command, or an unknown one, prints the top-level help", () => {
    expect(aalens(["help"]).stdout).toMatch(/^Usage: aalens <command>/);
    expect(aalens(["help", "nosuch"]).stdout).toMatch(/^Usage: aalens <command>/);
  });
});
