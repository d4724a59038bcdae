/**
 * Check rule text with the real AppArmor parser: each rule is compiled inside a throw-away
 * profile (`apparmor_parser -Q -K`: parse and compile, no kernel load, no cache). A failing batch
 * is split in halves to name the rules that fail and the parser's message for each.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CompileFailure {
  rule: string;
  message: string;
}

export interface CompileResult {
  /** False when apparmor_parser (or the base policy with tunables/global) is not installed. */
  available: boolean;
  parserVersion?: string;
  failures: CompileFailure[];
}

const PARSER_PATHS = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser", "/usr/bin/apparmor_parser"];

export function findParser(): string | null {
  return PARSER_PATHS.find((p) => existsSync(p)) ?? null;
}

let major: number | null | undefined;

/** The installed parser's major version (4 reads userns, mqueue and io_uring rules), or null. */
export function parserMajorVersion(): number | null {
  if (major !== undefined) return major;
  const parser = findParser();
  if (parser === null) return (major = null);
  const out = spawnSync(parser, ["--version"], { encoding: "utf8" }).stdout ?? "";
  const m = /version (\d+)\./.exec(out);
  return (major = m === null ? null : Number(m[1]));
}

/** Compile `rules` (each a complete rule line with its comma) with apparmor_parser. */
export function compileRules(rules: string[], baseDir = "/etc/apparmor.d"): CompileResult {
  const parser = findParser();
  if (parser === null || !existsSync(join(baseDir, "tunables", "global"))) return { available: false, failures: [] };
  const version = spawnSync(parser, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0]?.trim();
  const dir = mkdtempSync(join(tmpdir(), "aalens-compile-"));
  let n = 0;
  const compile = (batch: string[]): string | null => {
    const file = join(dir, `p${n++}`);
    writeFileSync(file, `include <tunables/global>\nprofile aalens_check_${n} {\n${batch.map((r) => `  ${r}\n`).join("")}}\n`);
    const r = spawnSync(parser, ["-Q", "-K", "-b", baseDir, file], { encoding: "utf8" });
    return r.status === 0 ? null : (r.stderr || r.stdout || `exit status ${r.status}`).trim();
  };
  const failures: CompileFailure[] = [];
  const bisect = (batch: string[]): void => {
    const message = compile(batch);
    if (message === null) return;
    if (batch.length === 1) {
      failures.push({ rule: batch[0]!, message: message.split("\n").filter((l) => !/^Cache read\/write disabled/.test(l)).join(" ") });
      return;
    }
    const mid = batch.length >> 1;
    bisect(batch.slice(0, mid));
    bisect(batch.slice(mid));
  };
  try {
    if (rules.length > 0) bisect(rules);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return version === undefined ? { available: true, failures } : { available: true, parserVersion: version, failures };
}
