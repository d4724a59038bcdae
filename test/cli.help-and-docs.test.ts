/**
 * Every option a command parses is in its --help, and nothing else is; the bash and zsh
 * completion and the man page are generated from those same tables and help texts, and work in
 * the real shells and man; the packed tarball installs globally without a warning, with the man
 * page, a LICENSE and no bench or build code.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMAND_DOCS, bashCompletion, zshCompletion } from "../src/cli/docs.js";
import { aalens, ROOT } from "./helpers/cli.js";

/** The options section of a help text: the lines between "Options:" and the next blank-line-separated section. */
function optionsSection(help: string): string {
  const at = help.indexOf("\nOptions:\n");
  const end = help.indexOf("\n\n", at + 1);
  return help.slice(at, end < 0 ? undefined : end);
}

describe("command help", () => {
  for (const c of COMMAND_DOCS) {
    it(`aalens ${c.name} --help names every option it parses, and no other`, () => {
      const printed = aalens([c.name, "--help"]).stdout;
      expect(printed.trim()).toBe(c.help.trim());
      const section = optionsSection(printed) + "\n" + printed.slice(printed.indexOf("\nOptions:\n")); // INPUT_HELP lines are inside
      for (const name of Object.keys(c.options)) expect(section, `--${name}`).toMatch(new RegExp(`--${name}\\b`));
      const mentioned = new Set([...optionsSection(printed).matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));
      for (const name of mentioned) expect(Object.keys(c.options), `--${name} is in the help but not parsed`).toContain(name);
    });
  }

  it("rules and pasta say what exit status 3 means", () => {
    for (const cmd of ["rules", "pasta", "analyze"]) expect(aalens([cmd, "--help"]).stdout, cmd).toMatch(/3 (?:with --fail-on-denials|AppArmor denials|denials found)/);
  });
});

/** What bash completes for the words typed so far (the last one being completed). */
const scripts = mkdtempSync(join(tmpdir(), "aalens-completion-"));
const BASH = join(scripts, "aalens.bash");
writeFileSync(BASH, bashCompletion());

function bashComplete(words: string[]): string[] {
  const script = `source ${BASH}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _aalens; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("shell completion", () => {
  it("bash: commands, each command's options, fixed values and files", () => {
    expect(bashComplete(["aalens", "wa"])).toEqual(["watch"]);
    expect(bashComplete(["aalens", "analyze", "--fo"])).toEqual(["--format"]);
    expect(bashComplete(["aalens", "analyze", "--format", ""]).sort()).toEqual(["csv", "ecs", "html", "json", "markdown", "text"]);
    expect(bashComplete(["aalens", "watch", "--poll"])).toEqual(["--poll-ms"]);
    expect(bashComplete(["aalens", "analyze", "samples/kern"])).toEqual(["samples/kern.log", "samples/kern.log.2.gz"]);
    expect(bashComplete(["aalens", "completion", ""]).sort()).toEqual(["bash", "zsh"]);
    // Every option of every table is offered.
    for (const c of COMMAND_DOCS) expect(bashComplete(["aalens", c.name, "--"]).sort(), c.name).toEqual(Object.keys(c.options).map((n) => `--${n}`).sort());
  });

  it.skipIf(spawnSync("sh", ["-c", "command -v zsh"]).status !== 0 && process.env.CI === undefined)("zsh: the script loads and registers _aalens for aalens", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-zsh-"));
    writeFileSync(join(dir, "_aalens"), zshCompletion());
    const r = spawnSync("zsh", ["-fc", `autoload -U compinit && compinit -u -d ${dir}/zcompdump && source ${dir}/_aalens && print -r -- "\${_comps[aalens]}" && whence -w _aalens`], { encoding: "utf8", env: { ...process.env, HOME: dir } });
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual(["_aalens", "_aalens: function", ""]);
  });

  it("aalens completion prints the same scripts, and refuses another shell", () => {
    expect(aalens(["completion", "bash"]).stdout).toBe(bashCompletion());
    expect(aalens(["completion", "zsh"]).stdout).toBe(zshCompletion());
    const r = aalens(["completion", "fish"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('completion needs a shell: bash or zsh, not "fish"');
  });
});

describe("the man page", () => {
  it("renders with man and documents every command and option", () => {
    const r = spawnSync("man", ["-l", join(ROOT, "dist/man/aalens.1")], { encoding: "utf8", env: { ...process.env, MANWIDTH: "100", MAN_KEEP_FORMATTING: "" } });
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout.replace(/.\x08/g, "");
    expect(text).toMatch(/^AALENS\(1\)/);
    for (const c of COMMAND_DOCS) {
      expect(text, c.name).toContain(`Usage: aalens ${c.name}`);
      for (const name of Object.keys(c.options)) expect(text, `${c.name} --${name}`).toMatch(new RegExp(`--${name}\\b`));
    }
  });
});

describe("the packed tarball", () => {
  it("installs globally without a warning: man aalens, a LICENSE, no bench or build code, no prepare script", () => {
    // Packed from a copy, so the build of the running suite is left alone (npm pack would rebuild).
    const dir = mkdtempSync(join(tmpdir(), "aalens-pack-"));
    const src = join(dir, "src");
    mkdirSync(src);
    for (const f of ["package.json", "package-lock.json", "README.md", "LICENSE", "dist", "samples", "grammars", "scripts"]) cpSync(join(ROOT, f), join(src, f), { recursive: true });
    cpSync(join(ROOT, "src/pasta/catalog.json"), join(src, "src/pasta/catalog.json"));
    expect(spawnSync("node", ["scripts/pack-manifest.mjs", "strip"], { cwd: src }).status).toBe(0);
    const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: src, encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    const list = spawnSync("tar", ["tzf", join(dir, tgz)], { encoding: "utf8" }).stdout.split("\n");
    expect(list).toContain("package/LICENSE");
    expect(list).toContain("package/dist/man/aalens.1");
    expect(list.filter((f) => /^package\/(?:dist\/)?(?:bench|scripts|test)\//.test(f))).toEqual([]);
    const prefix = join(dir, "global");
    const install = spawnSync("npm", ["install", "-g", "--no-audit", "--no-fund", "--prefix", prefix, join(dir, tgz)], { encoding: "utf8", timeout: 240_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/warn/i);
    const manifest = JSON.parse(readFileSync(join(prefix, "lib/node_modules/aalens/package.json"), "utf8"));
    expect(manifest.scripts.prepare).toBeUndefined();
    const version = spawnSync(join(prefix, "bin/aalens"), ["--version"], { encoding: "utf8" });
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(existsSync(join(prefix, "share/man/man1/aalens.1"))).toBe(true);
    const man = spawnSync("man", ["aalens"], { encoding: "utf8", env: { ...process.env, MANPATH: join(prefix, "share/man") } });
    expect(man.stdout.replace(/.\x08/g, "")).toContain("aalens - AppArmor and kernel audit log analyzer");
  }, 300_000);
});
