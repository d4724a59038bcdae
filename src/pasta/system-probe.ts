/**
 * `aalens pasta --system`: what a passt or Podman maintainer asks for first, read (never changed)
 * on the affected host — the pasta and passt binaries and how they are linked, the versions of
 * pasta, Podman, Buildah and apparmor_parser, the policy ABI, the profiles the kernel has loaded
 * and their modes, Ubuntu's user namespace restriction, the distribution, and how the installed
 * passt profile is laid out. Every probe that cannot run is named, with why, and skipped.
 *
 * With `root` other than "/" (tests, a mounted image) only files are read: no program is run,
 * since the programs on this machine are not the image's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readlinkSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface BinaryFacts {
  path: string;
  /** symlink (to `target`), hardlink (shares its inode with another binary listed), file, or missing. */
  kind: "symlink" | "hardlink" | "file" | "missing";
  target?: string;
  inode?: number;
  links?: number;
}

export interface LoadedProfile {
  name: string;
  mode: string;
}

export interface SystemFacts {
  root: string;
  distribution: string | null;
  binaries: BinaryFacts[];
  /** `pasta --version` and the others' first line, when they could run. */
  versions: Record<string, string>;
  /** The ABIs the installed policy can declare (etc/apparmor.d/abi/), and parser.conf's policy-features. */
  policyAbis: string[];
  policyFeatures: string | null;
  /** Profiles the kernel has loaded whose name mentions pasta, passt, podman or buildah, with their mode. */
  loaded: LoadedProfile[] | null;
  /** kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+), null when the kernel has no such knob. */
  restrictUnprivilegedUserns: number | null;
  /** Installed profile files of pasta and passt, and whether the passt profile includes abstractions/pasta. */
  profiles: { pasta: string | null; passt: string | null; passtIncludesPasta: boolean | null; pastaAbstraction: boolean };
  /** Probes that could not run, each with why. */
  skipped: Array<{ probe: string; why: string }>;
}

const BINARIES = ["usr/bin/pasta", "usr/bin/pasta.avx2", "usr/bin/passt", "usr/bin/passt.avx2"];
const COMMANDS: Array<[string, string[]]> = [["pasta", ["--version"]], ["podman", ["--version"]], ["buildah", ["--version"]], ["apparmor_parser", ["--version"]]];

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 200);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The binaries, with the link type: a symlink's target, a hard link's shared inode. */
function binaries(root: string, skipped: SystemFacts["skipped"]): BinaryFacts[] {
  const out: BinaryFacts[] = [];
  for (const rel of BINARIES) {
    const path = join(root, rel);
    try {
      const l = lstatSync(path);
      if (l.isSymbolicLink()) out.push({ path: `/${rel}`, kind: "symlink", target: readlinkSync(path) });
      else out.push({ path: `/${rel}`, kind: "file", inode: l.ino, links: l.nlink });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") out.push({ path: `/${rel}`, kind: "missing" });
      else skipped.push({ probe: `ls -li /${rel}`, why: (err as Error).message });
    }
  }
  // A file whose inode another listed file shares is a hard link of it.
  for (const b of out) if (b.kind === "file" && out.some((o) => o !== b && o.kind === "file" && o.inode === b.inode)) b.kind = "hardlink";
  return out;
}

function loadedProfiles(root: string, skipped: SystemFacts["skipped"]): LoadedProfile[] | null {
  const path = join(root, "sys/kernel/security/apparmor/profiles");
  const text = readText(path);
  if (text === null) {
    skipped.push({ probe: "/sys/kernel/security/apparmor/profiles", why: existsSync(join(root, "sys/kernel/security/apparmor")) ? "not readable (run as root)" : "AppArmor is not enabled in this kernel, or securityfs is not mounted" });
    return null;
  }
  const out: LoadedProfile[] = [];
  for (const line of text.split("\n")) {
    const m = /^(.*) \(([a-z_]+)\)$/.exec(line.trim());
    if (m !== null && /pasta|passt|podman|buildah|containers-default|crun|runc/.test(m[1]!)) out.push({ name: m[1]!, mode: m[2]! });
  }
  return out;
}

/** Whether the passt profile file includes abstractions/pasta (by its text: no policy load needed). */
function includesPasta(file: string | null): boolean | null {
  if (file === null) return null;
  const text = readText(file);
  if (text === null) return null;
  return /^\s*#?include\s+(?:if\s+exists\s+)?<abstractions\/pasta>/m.test(text);
}

function firstExisting(root: string, names: string[]): string | null {
  for (const n of names) {
    const p = join(root, "etc/apparmor.d", n);
    if (existsSync(p)) return p;
  }
  return null;
}

export function probeSystem(root = "/"): SystemFacts {
  const skipped: SystemFacts["skipped"] = [];
  const osRelease = readText(join(root, "etc/os-release")) ?? readText(join(root, "usr/lib/os-release"));
  const distribution = osRelease === null ? null : (/^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? null);
  if (distribution === null) skipped.push({ probe: "/etc/os-release", why: "missing or without PRETTY_NAME" });

  const versions: Record<string, string> = {};
  if (root !== "/") skipped.push({ probe: "pasta/podman/buildah/apparmor_parser --version", why: `programs are not run for --root ${root}` });
  else {
    for (const [cmd, args] of COMMANDS) {
      const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 5000 });
      if (r.error !== undefined) skipped.push({ probe: `${cmd} ${args.join(" ")}`, why: (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : r.error.message });
      else versions[cmd] = firstLine(`${r.stdout}\n${r.stderr}`);
    }
  }

  let policyAbis: string[] = [];
  try {
    policyAbis = readdirSync(join(root, "etc/apparmor.d/abi")).sort();
  } catch {
    skipped.push({ probe: "/etc/apparmor.d/abi/", why: "missing: no AppArmor policy installed" });
  }
  const parserConf = readText(join(root, "etc/apparmor/parser.conf"));
  const policyFeatures = parserConf === null ? null : (/^\s*policy-features=(\S+)/m.exec(parserConf)?.[1] ?? null);

  const restrictText = readText(join(root, "proc/sys/kernel/apparmor_restrict_unprivileged_userns"));
  const restrict = restrictText === null ? null : Number(restrictText.trim());
  if (restrictText === null) skipped.push({ probe: "kernel.apparmor_restrict_unprivileged_userns", why: "this kernel has no such setting (not Ubuntu's restriction)" });

  const pastaProfile = firstExisting(root, ["usr.bin.pasta"]);
  const passtProfile = firstExisting(root, ["usr.bin.passt"]);
  let pastaAbstraction = false;
  try {
    pastaAbstraction = statSync(join(root, "etc/apparmor.d/abstractions/pasta")).isFile();
  } catch {
    pastaAbstraction = false;
  }
  return {
    root,
    distribution,
    binaries: binaries(root, skipped),
    versions,
    policyAbis,
    policyFeatures,
    loaded: loadedProfiles(root, skipped),
    restrictUnprivilegedUserns: restrict !== null && Number.isInteger(restrict) ? restrict : null,
    profiles: { pasta: pastaProfile, passt: passtProfile, passtIncludesPasta: includesPasta(passtProfile), pastaAbstraction },
    skipped,
  };
}

/** What the facts say about pasta's link to passt, in one line. */
export function pastaLink(facts: SystemFacts): string {
  const pasta = facts.binaries.find((b) => b.path === "/usr/bin/pasta");
  if (pasta === undefined || pasta.kind === "missing") return "/usr/bin/pasta is not installed";
  if (pasta.kind === "symlink") return `/usr/bin/pasta is a symlink to ${pasta.target}`;
  if (pasta.kind === "hardlink") return `/usr/bin/pasta is a hard link of passt (inode ${pasta.inode})`;
  return "/usr/bin/pasta is a binary of its own";
}

/** The facts as text lines, for the report. */
export function systemLines(facts: SystemFacts): string[] {
  const out = [`distribution: ${facts.distribution ?? "unknown"}`, pastaLink(facts)];
  for (const b of facts.binaries) if (b.kind !== "missing") out.push(`  ${b.path}: ${b.kind}${b.target ? ` → ${b.target}` : ""}${b.inode !== undefined ? ` (inode ${b.inode}, ${b.links} link(s))` : ""}`);
  for (const [cmd, v] of Object.entries(facts.versions)) out.push(`${cmd}: ${v}`);
  out.push(`policy ABIs installed: ${facts.policyAbis.join(", ") || "none"}${facts.policyFeatures ? `; parser.conf policy-features=${facts.policyFeatures}` : ""}`);
  out.push(`profiles: pasta ${facts.profiles.pasta ?? "none"}; passt ${facts.profiles.passt ?? "none"}${facts.profiles.passtIncludesPasta === true ? " (includes abstractions/pasta)" : facts.profiles.passtIncludesPasta === false ? " (does not include abstractions/pasta)" : ""}; abstractions/pasta ${facts.profiles.pastaAbstraction ? "installed" : "not installed"}`);
  if (facts.loaded !== null) out.push(`loaded in the kernel: ${facts.loaded.map((p) => `${p.name} (${p.mode})`).join(", ") || "no pasta, passt or container profile"}`);
  if (facts.restrictUnprivilegedUserns !== null) out.push(`kernel.apparmor_restrict_unprivileged_userns = ${facts.restrictUnprivilegedUserns}`);
  for (const s of facts.skipped) out.push(`skipped: ${s.probe} — ${s.why}`);
  return out;
}
