/**
 * Reading policy files and resolving `include` lines, with one parse per file.
 *
 *   include <x>            profileDir/x
 *   include "x"            x when absolute, else relative to the including file's directory
 *   include if exists <x>  the same, silently nothing when missing
 *   a directory            every regular file in it (sorted; dotfiles, `*.dpkg-*`, `*~`, README skipped)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parsePolicy, type PolicyDiagnostic, type PolicyFileAst } from "./interpret.js";

/** File names apparmor_parser and the init scripts skip in policy directories. */
export function isSkippedName(name: string): boolean {
  return (
    name.startsWith(".") ||
    name.endsWith("~") ||
    /\.dpkg-[^/]*$/.test(name) ||
    /\.(?:rpmnew|rpmsave|orig|rej|swp)$/.test(name) ||
    name === "README"
  );
}

export class PolicyFiles {
  private readonly asts = new Map<string, PolicyFileAst | null>();
  /** Diagnostics of every file parsed (each file once). */
  readonly diagnostics: PolicyDiagnostic[] = [];

  constructor(readonly profileDir: string | undefined) {}

  /** A file that exists only in memory (a wrapper profile), parsed now and found by `parse` under `file`. */
  addText(file: string, text: string): void {
    this.asts.set(resolve(file), parsePolicy(text, resolve(file)));
  }

  /** The parsed file, or undefined when it cannot be read. */
  parse(file: string): PolicyFileAst | undefined {
    const abs = resolve(file);
    const cached = this.asts.get(abs);
    if (cached !== undefined) return cached ?? undefined;
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch {
      this.asts.set(abs, null);
      return undefined;
    }
    const ast = parsePolicy(text, abs);
    this.asts.set(abs, ast);
    this.diagnostics.push(...ast.diagnostics);
    return ast;
  }

  /**
   * The files an include names (several for a directory), or undefined when nothing is there.
   */
  resolve(target: string, angle: boolean, fromFile: string): string[] | undefined {
    let path: string;
    if (angle) {
      if (!this.profileDir) return undefined;
      path = join(this.profileDir, target);
    } else path = isAbsolute(target) ? target : join(dirname(fromFile), target);
    let st;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (st.isFile()) return [resolve(path)];
    if (!st.isDirectory()) return undefined;
    const out: string[] = [];
    for (const name of readdirSync(path).sort()) {
      if (isSkippedName(name)) continue;
      const full = join(path, name);
      try {
        if (statSync(full).isFile()) out.push(resolve(full));
      } catch {
        // vanished or unreadable: skip
      }
    }
    return out;
  }
}
