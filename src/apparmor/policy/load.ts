/**
 * Loading a profile directory (default /etc/apparmor.d): every top-level profile file is read
 * with its includes, the way apparmor_parser compiles it (variables are per top-level file;
 * tunables/global brings @{HOME}, @{PROC}, @{pid}, @{uid}, @{run}, @{sys} …), and its profiles
 * are indexed by name and by the literal paths their attachment stands for.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PolicyDiagnostic, PolicyNode } from "./interpret.js";
import { compileAare, isLiteralAare } from "../aare/match.js";
import { isSkippedName, PolicyFiles } from "./includes.js";
import type { Policy, PolicyRule, ProfileInfo } from "./types.js";
import { defineVariable, expandVariables, type VariableTable } from "./variables.js";

export const DEFAULT_PROFILE_DIR = "/etc/apparmor.d";

/** Top-level entries that are not profile files. */
const NOT_PROFILES = new Set(["abstractions", "tunables", "local", "abi", "disable", "force-complain", "README"]);

/** Top-level profile files of a profile directory, sorted; those linked from disable/ are left out. */
export function profileFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (NOT_PROFILES.has(name) || name.startsWith("cache") || isSkippedName(name)) continue;
    if (existsSync(join(dir, "disable", name))) continue;
    const full = join(dir, name);
    try {
      if (statSync(full).isFile()) out.push(resolve(full));
    } catch {
      // skip
    }
  }
  return out;
}

interface Builder {
  info: ProfileInfo;
}

class Loader {
  readonly files: PolicyFiles;
  readonly profiles: ProfileInfo[] = [];
  readonly diagnostics: PolicyDiagnostic[] = [];

  constructor(readonly profileDir: string | undefined) {
    this.files = new PolicyFiles(profileDir);
  }

  loadFile(file: string): void {
    const ast = this.files.parse(file);
    if (!ast) {
      this.diagnostics.push({ file, line: 0, text: "", reason: "cannot read file" });
      return;
    }
    const vars: VariableTable = new Map();
    const found: ProfileInfo[] = [];
    this.walk(ast.nodes, ast.file, vars, undefined, [ast.file], found);
    // Variables are known only once the whole file (and its includes) has been read.
    for (const p of found) {
      p.variables = new Map(vars);
      p.variables.set("profile_name", [p.name]);
      if (p.attachment !== undefined) {
        const e = expandVariables(p.attachment, p.variables);
        p.attachmentPatterns = e.patterns;
      }
      this.profiles.push(p);
    }
  }

  private walk(nodes: PolicyNode[], file: string, vars: VariableTable, scope: Builder | undefined, stack: string[], found: ProfileInfo[]): void {
    for (const n of nodes) {
      switch (n.type) {
        case "include": {
          // An include of local/ written in the profile's own body: where its local rules go.
          if (scope !== undefined && stack.length === 1 && /^local\//.test(n.target)) scope.info.localIncludes.push({ target: n.target, ifExists: n.ifExists, src: n.src });
          const targets = this.files.resolve(n.target, n.angle, file);
          if (!targets) {
            if (!n.ifExists) this.diagnostics.push({ ...n.src, reason: `include not found: ${n.angle ? `<${n.target}>` : `"${n.target}"`}` });
            break;
          }
          for (const t of targets) {
            if (stack.includes(t)) {
              this.diagnostics.push({ ...n.src, reason: `include cycle: ${t}` });
              continue;
            }
            const ast = this.files.parse(t);
            if (!ast) {
              this.diagnostics.push({ ...n.src, reason: `cannot read include ${t}` });
              continue;
            }
            this.walk(ast.nodes, t, vars, scope, [...stack, t], found);
          }
          break;
        }
        case "variable":
          defineVariable(vars, n.name, n.values, n.append);
          break;
        case "profile": {
          const local = n.name ?? n.attachment ?? "";
          const name = scope ? `${scope.info.name}//${local}` : local;
          const info: ProfileInfo = {
            name,
            attachment: n.attachment,
            attachmentPatterns: n.attachment !== undefined ? [n.attachment] : [],
            flags: n.flags,
            hat: n.hat,
            parent: scope?.info.name,
            rules: [],
            localIncludes: [],
            endLine: n.endLine,
            variables: vars,
            src: n.src,
          };
          found.push(info);
          this.walk(n.body, file, vars, { info }, stack, found);
          break;
        }
        case "rule": {
          if (!scope) {
            this.diagnostics.push({ ...n.src, reason: "rule outside a profile" });
            break;
          }
          const r: PolicyRule = { rule: n.rule, q: n.q, bare: n.bare, extra: n.extra, src: n.src };
          scope.info.rules.push(r);
          break;
        }
        case "ignored":
          break;
      }
    }
  }
}

/**
 * Load every profile of a profile directory (default /etc/apparmor.d when it exists; none
 * otherwise). Never throws on policy content; problems are in `diagnostics`.
 */
export function loadPolicy(profileDir?: string): Policy {
  const dir = profileDir ?? (existsSync(DEFAULT_PROFILE_DIR) ? DEFAULT_PROFILE_DIR : undefined);
  const loader = new Loader(dir === undefined ? undefined : resolve(dir));
  const files: string[] = [];
  const diagnostics: PolicyDiagnostic[] = [];
  if (dir !== undefined) {
    let list: string[] = [];
    try {
      list = profileFiles(dir);
    } catch {
      diagnostics.push({ file: dir, line: 0, text: "", reason: "cannot read profile directory" });
    }
    for (const f of list) {
      files.push(f);
      loader.loadFile(f);
    }
  }
  diagnostics.push(...loader.files.diagnostics, ...loader.diagnostics);

  const profiles = new Map<string, ProfileInfo>();
  for (const p of loader.profiles) {
    const old = profiles.get(p.name);
    if (old && old.name === p.name) diagnostics.push({ ...p.src, reason: `duplicate profile name ${p.name} (also ${old.src.file}:${old.src.line})` });
    profiles.set(p.name, p);
  }
  // Attachment paths as extra keys: a name always wins over an attachment.
  for (const p of loader.profiles) {
    if (p.parent !== undefined) continue;
    for (const pat of p.attachmentPatterns) {
      for (const lit of literalPaths(pat)) if (!profiles.has(lit)) profiles.set(lit, p);
    }
  }
  return { profileDir: dir === undefined ? undefined : resolve(dir), profiles, profileList: loader.profiles, files, diagnostics };
}

/** The literal paths an attachment with only alternations stands for (`/usr/bin/passt{,.avx2}` → 2). */
function literalPaths(pattern: string): string[] {
  if (isLiteralAare(pattern)) return [pattern];
  const out: string[] = [];
  // Alternations only: expand them; any other glob makes the attachment a pattern, not a path.
  const expand = (s: string): void => {
    if (out.length > 64) return;
    const open = s.indexOf("{");
    if (open < 0) {
      if (isLiteralAare(s)) out.push(s);
      return;
    }
    let depth = 0;
    let close = -1;
    const cuts: number[] = [];
    for (let i = open; i < s.length; i++) {
      const c = s[i];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) {
        close = i;
        break;
      } else if (c === "," && depth === 1) cuts.push(i);
    }
    if (close < 0) return;
    const parts: string[] = [];
    let from = open + 1;
    for (const cut of [...cuts, close]) {
      parts.push(s.slice(from, cut));
      from = cut + 1;
    }
    for (const part of parts) expand(s.slice(0, open) + part + s.slice(close + 1));
  };
  if (!/[*?[\\]/.test(pattern)) expand(pattern);
  return out;
}

/**
 * The profile a log's `profile=` names: by full name, by attachment path, or a hat/child of one
 * of those (`/usr/bin/passt.avx2//x`); undefined when the policy has none.
 */
export function findProfile(policy: Policy, name: string): ProfileInfo | undefined {
  const direct = policy.profiles.get(name);
  if (direct) return direct;
  const cut = name.indexOf("//");
  if (cut > 0) {
    const parent = findProfile(policy, name.slice(0, cut));
    if (parent) return policy.profiles.get(`${parent.name}//${name.slice(cut + 2)}`);
    return undefined;
  }
  if (name.startsWith("/")) {
    for (const p of policy.profileList) {
      if (p.parent !== undefined) continue;
      if (p.attachmentPatterns.some((pat) => compileAare(pat).test(name))) return p;
    }
  }
  return undefined;
}

/** The abstractions a policy directory offers (abstractions/NAME files). */
export function abstractionNames(policy: Policy): string[] {
  if (policy.profileDir === undefined) return [];
  try {
    return readdirSync(join(policy.profileDir, "abstractions"), { withFileTypes: true })
      .filter((d) => d.isFile() && !isSkippedName(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * One abstraction read as if a profile included it (with tunables/global), so the rule check can
 * ask whether it allows a rule; undefined when it cannot be read.
 */
export function loadAbstraction(policy: Policy, name: string): ProfileInfo | undefined {
  return abstractionLoader(policy)(name);
}

/**
 * A reader of abstractions that shares one parse of every file among them (tunables/global and
 * the abstractions they include are read once, not once per abstraction). The wrapper profile
 * that includes each one lives in memory only.
 */
export function abstractionLoader(policy: Policy): (name: string) => ProfileInfo | undefined {
  if (policy.profileDir === undefined) return () => undefined;
  const loader = new Loader(resolve(policy.profileDir));
  return (name) => {
    if (!/^[\w.+-]+$/.test(name)) return undefined;
    const file = join(resolve(policy.profileDir!), `.aalens-abstraction-${name}`);
    loader.files.addText(file, `include <tunables/global>\nprofile aalens_abstraction {\n  include <abstractions/${name}>\n}\n`);
    const before = loader.profiles.length;
    loader.loadFile(file);
    // The wrapper itself, not a child profile the abstraction defines (ubuntu-helpers has some).
    return loader.profiles.slice(before).find((p) => p.name === "aalens_abstraction");
  };
}
