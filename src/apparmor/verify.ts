/**
 * Proof that the suggested blocks work where they are meant to go: a temporary copy of the
 * installed policy tree gets each block in its target local file (and, where the profile reads
 * no local file yet, the include line in its profile file), and each touched profile is compiled
 * there with the real parser (`apparmor_parser -Q -K -T -b COPY`). A block is `verified` when
 * its profile compiles with it, `failed` with the parser's message otherwise, and `skipped` when
 * there is nothing to compile it against (no parser, the profile not installed, no rule helps).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { findParser } from "./validate.js";
import type { RuleTarget } from "./local/target.js";
import { mergeManagedBlock } from "./local/managed-block.js";

export type BlockStatus = { status: "verified" } | { status: "failed"; message: string } | { status: "skipped"; reason: string };

export interface Block {
  target: RuleTarget;
  /** The block's text (rules and comments), as --write-local writes it. */
  text: string;
}

/** Compile each block's profile in a copy of `policyDir`; one status per block, in order. */
export function verifyBlocks(policyDir: string | undefined, blocks: Block[]): BlockStatus[] {
  const parser = findParser();
  const skip = (reason: string): BlockStatus => ({ status: "skipped", reason });
  if (parser === null) return blocks.map(() => skip("apparmor_parser is not installed"));
  if (policyDir === undefined || !existsSync(policyDir)) return blocks.map(() => skip("no installed policy to compile against"));
  const root = mkdtempSync(join(tmpdir(), "aalens-verify-"));
  const copy = join(root, "apparmor.d");
  try {
    cpSync(policyDir, copy, { recursive: true, verbatimSymlinks: true, filter: (src) => !/\/cache(?:\.d)?(?:\/|$)/.test(src) });
    // Every block into its local file of the copy, every missing include into its profile file.
    const byFile = new Map<string, string[]>();
    const includes = new Map<string, Array<{ line: number; include: string }>>();
    const profileFile = new Map<number, string>();
    blocks.forEach((b, i) => {
      const t = b.target;
      if (t.kind !== "local" && t.kind !== "add-include") return;
      const rel = relative(policyDir, t.path);
      if (rel.startsWith("..")) return;
      byFile.set(rel, [...(byFile.get(rel) ?? []), b.text]);
      const file = t.kind === "local" ? t.includedAt.replace(/:\d+$/, "") : t.profileFile;
      profileFile.set(i, relative(policyDir, file));
      if (t.kind === "add-include") includes.set(profileFile.get(i)!, [...(includes.get(profileFile.get(i)!) ?? []), { line: t.line, include: t.include }]);
    });
    for (const [rel, texts] of byFile) {
      const path = join(copy, rel);
      mkdirSync(dirname(path), { recursive: true });
      const merged = mergeManagedBlock(existsSync(path) ? readFileSync(path, "utf8") : "", texts.join("\n"));
      writeFileSync(path, merged.text ?? texts.join("\n"));
    }
    for (const [rel, adds] of includes) {
      const path = join(copy, rel);
      const lines = readFileSync(path, "utf8").split("\n");
      const seen = new Set<string>();
      for (const a of [...adds].sort((x, y) => y.line - x.line)) {
        if (seen.has(`${a.line}\0${a.include}`)) continue;
        seen.add(`${a.line}\0${a.include}`);
        lines.splice(a.line - 1, 0, `  ${a.include}`);
      }
      writeFileSync(path, lines.join("\n"));
    }
    const results = new Map<string, BlockStatus>();
    return blocks.map((b, i) => {
      const rel = profileFile.get(i);
      if (rel === undefined) return skip(b.target.kind === "not-policy" ? "no policy file holds this profile" : "the profile is not in the installed policy");
      let r = results.get(rel);
      if (r === undefined) {
        const run = spawnSync(parser, ["-Q", "-K", "-T", "-b", copy, "-I", copy, join(copy, rel)], { encoding: "utf8" });
        const message = (run.stderr || run.stdout || "").split("\n").filter((l) => l.trim() !== "" && !/^Cache read\/write disabled/.test(l)).join(" ").replaceAll(copy, policyDir);
        r = run.status === 0 ? { status: "verified" } : { status: "failed", message: message || `apparmor_parser exited with ${run.status}` };
        results.set(rel, r);
      }
      return r;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
