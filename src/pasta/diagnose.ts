/**
 * Root causes of pasta incidents, each with what it means, the evidence, and the fix that
 * upstream or the distribution applied for that cause: the packaging fix where packaging is the
 * cause, the runtime's knob where a generated container profile is, and otherwise the rules —
 * for each refused denial the upstream rule that covers it (upstream-rules.ts: the same rule
 * "Suggested rules" prints), then the rest of what the cause needs, so that the next run does not
 * stop at the next step. Rules are grouped under the file they go in; prose comes first.
 *
 * A cause is named only on positive evidence (pasta's own comm or command line for a pasta run
 * under the passt profile; libvirt's socket paths for passt started by libvirt); the installed
 * policy tells Debian's layout, where pasta running under `passt` is intended, from a broken one.
 */
import { describeTarget, targetOf, type RuleTarget } from "../apparmor/local/target.js";
import type { Rule } from "../apparmor/rule-model.js";
import type { PastaDenial } from "./collect.js";
import type { PastaIncident } from "./incidents.js";
import { operationById } from "./catalog.js";
import { CONTAINER_PROFILE } from "./recognize.js";
import { canonicalRule, coveringStepRule } from "./upstream-rules.js";
import { pastaLink, type SystemFacts } from "./system-probe.js";

export type Severity = "error" | "warning" | "info";

export interface PastaDiagnosis {
  id: string;
  severity: Severity;
  summary: string;
  explanation: string;
  evidence: string[];
  /** What to do, in order, in words. */
  steps: string[];
  /** The rules of the fix, under the file each group goes in. */
  rules: Array<{ file: string; rules: string[] }>;
  /** What works until the fix is in (Podman's slirp4netns), if anything. */
  workaround?: string;
  /** Rules of the fix the installed policy has already: a reload applies them, adding them does nothing. */
  installed?: string[];
  /** The whole fix as printed: the steps, then each file's rules, then the installed ones (reload), then the workaround. */
  fix: string[];
  /** Incident ids this diagnosis applies to. */
  incidents: number[];
}

/** What the installed policy says that the diagnoses need (cli/policy.ts reads it). */
export interface PastaPolicyFacts {
  /** Whether the installed profile includes `abstractions/NAME` (through any include); undefined when no such profile is installed. */
  profileIncludes(profile: string, abstraction: string): boolean | undefined;
  /** Whether the installed policy has `abstractions/NAME`. */
  hasAbstraction(name: string): boolean;
}

const NETNS_STEPS = new Set(["netns-open", "netns-dir-open", "pidfile-write", "control-socket", "logfile-write", "pcap-write"]);
const SANDBOX_STEPS = new Set(["sandbox-remount-root", "sandbox-tmpfs", "sandbox-pivot-root", "sandbox-umount-root", "sandbox-chroot-fallback", "proc-mount"]);
/** pasta's own paths: under the user's runtime dir, /tmp, or /proc (the caller's namespaces). */
const USUAL_RUNTIME = /^(?:\/run\/user\/\d+\/|\/var\/run\/user\/\d+\/|\/tmp\/|\/proc\/)/;
/** Where libvirt puts the sockets of the passt it starts for a VM (system and session daemons). */
const LIBVIRT_PASST_PATH = /^(?:\/var)?\/run\/(?:user\/\d+\/)?libvirt\/qemu\/(?:run\/)?passt\//;
/** pasta's own binary in a command line or an exe path. */
const PASTA_BINARY = /(?:^|\/)pasta(?:\.avx2)?(?:\s|$)/;

const line = (d: PastaDenial) =>
  `${d.time ?? "?"} ${d.source}:${d.line}: profile=${d.profile} comm=${d.comm ?? "?"} ${d.mode.toLowerCase()} ${d.operation} ${d.object}${d.mask ? ` (${d.mask})` : ""}`;

const WORKAROUND = "Workaround until it is fixed: `podman run --network slirp4netns …`, or for every container `default_rootless_network_cmd = \"slirp4netns\"` under [network] in ~/.config/containers/containers.conf (Podman ≥ 4.0; slirp4netns must be installed).";

const COLLECT = "To see every refused step of the next run: `journalctl -k -g apparmor --since -10min` (or `ausearch -m AVC,USER_AVC -ts recent`).";

/** The rules that allow each denial: the one "Suggested rules" gives (upstream's where it covers it), each once. */
function rulesFor(denials: PastaDenial[]): string[] {
  const rules: string[] = [];
  for (const d of denials) if (d.rule !== null && !rules.includes(d.rule)) rules.push(d.rule);
  return rules;
}

/** Upstream's rule for a step that allows `request` (a representative of what the step does), as aalens prints it. */
function stepRule(step: string, request: Rule): string | undefined {
  const text = coveringStepRule(step, request);
  return text === undefined ? undefined : canonicalRule(text);
}

function isPodman(incident: PastaIncident): boolean {
  return incident.caller === "podman-container" || incident.caller === "podman-rootless-netns";
}

/** Steps only pasta takes: passt never joins a network namespace. */
const PASTA_ONLY_STEPS = new Set(["netns-open", "netns-dir-open"]);

/** Positive evidence that the process was pasta (not passt): its comm, exe or command line, or a step only pasta takes. */
function isPastaItself(d: PastaDenial): boolean {
  return /^pasta(?:\.avx2)?$/.test(d.comm ?? "") || PASTA_BINARY.test(d.exe ?? "") || PASTA_BINARY.test(d.cmdline ?? "") || (d.step !== null && PASTA_ONLY_STEPS.has(d.step));
}

/** passt started by libvirt for a VM: its sockets under libvirt's run directory, or libvirt's `//passt` child profile, and no pasta command line. */
function isLibvirtPasst(d: PastaDenial): boolean {
  if (isPastaItself(d)) return false;
  return LIBVIRT_PASST_PATH.test(d.object) || /^libvirt-[0-9a-f-]{36}\/\/passt$/.test(d.profile) || /(?:^|\/)passt(?:\.avx2)?\s.*--fd\b|libvirt/.test(d.cmdline ?? "");
}

type Draft = Omit<PastaDiagnosis, "incidents" | "evidence" | "fix">;

/** What to say of the rules the installed policy has already. */
export function installedLine(rules: string[]): string {
  return `Already in the installed policy, so only a reload (\`apparmor_parser -r\` on the profile file) applies them: ${rules.join(" ")}`;
}

/** The printed fix: the steps, each file's rules, the installed ones, then the workaround. */
export function fixLines(d: Pick<PastaDiagnosis, "steps" | "rules" | "workaround" | "installed">): string[] {
  const out = [...d.steps];
  for (const g of d.rules) if (g.rules.length > 0) out.push(`In ${g.file}:`, ...g.rules);
  if (d.installed !== undefined && d.installed.length > 0) out.push(installedLine(d.installed));
  if (d.workaround !== undefined) out.push(d.workaround);
  return out;
}

/** The diagnoses of one incident. */
function diagnoseIncident(incident: PastaIncident, where: (profile: string) => string, facts: PastaPolicyFacts | undefined, system: SystemFacts | undefined): PastaDiagnosis[] {
  const out: PastaDiagnosis[] = [];
  const denied = incident.denials.filter((d) => d.mode === "DENIED" || d.mode === "KILL");
  /** A diagnosis of this incident, its evidence the first denials that show it. */
  // Rules the installed profile already has: reloading it applies them, adding them again does nothing.
  const installed = new Set(incident.steps.filter((st) => st.ruleStatus === "allowed" && st.rule !== null).map((st) => st.rule!));
  const add = (shown: PastaDenial[], d: Draft, seen: string[] = []) => {
    const already = d.rules.flatMap((g) => g.rules.filter((r) => installed.has(r)));
    const rules = d.rules.map((g) => ({ file: g.file, rules: g.rules.filter((r) => !installed.has(r)) })).filter((g) => g.rules.length > 0);
    // Said after the rules to add, so a step that introduces them ("…, or add them now:") stays next to them.
    if (already.length > 0) d = { ...d, installed: already };
    const full = { ...d, rules, evidence: [...shown.slice(0, 5).map(line), ...seen.map((s) => `on this system (aalens pasta --system): ${s}`)], incidents: [incident.id] };
    out.push({ ...full, fix: fixLines(full) });
  };
  const passtIncludesPasta = facts?.profileIncludes("passt", "pasta") ?? system?.profiles.passtIncludesPasta;
  const pastaAbstraction = facts?.hasAbstraction("pasta") === true || system?.profiles.pastaAbstraction === true;
  const link = system === undefined ? undefined : pastaLink(system);

  // passt that libvirt started for a VM: not pasta, not a symlink question.
  const libvirt = denied.filter(isLibvirtPasst);
  if (libvirt.length > 0) {
    add(libvirt, {
      id: "libvirt-passt",
      severity: "error",
      summary: "passt started by libvirt for a VM (not pasta) was refused",
      explanation:
        "libvirt starts passt for an <interface type='user'> with <backend type='passt'/>, with its socket under /run/libvirt/qemu/passt/ (system daemon) or $XDG_RUNTIME_DIR/libvirt/qemu/run/passt/ (session). passt runs under the `passt` profile, or under libvirt's per-VM policy as `libvirt-UUID//passt`. Upstream passt's profile allows these sockets since 2023; an older profile, or a policy of libvirt's that lacks them, refuses the step shown.",
      steps: [
        "Update the passt package (its profile allows libvirt's socket paths), and reload it: `apparmor_parser -r` on the passt profile file.",
        "If the refusal is under libvirt-UUID//passt, the rules belong to libvirt's policy for passt (libvirt's own abstractions), not the passt profile.",
      ],
      rules: [{ file: where(libvirt[0]!.profile), rules: rulesFor(libvirt) }],
    });
  }

  // pasta under the passt profile, shown by pasta's own comm or command line.
  const underPasst = denied.filter((d) => d.profile === "passt" && isPastaItself(d));
  if (underPasst.length > 0 && passtIncludesPasta !== true) {
    add(underPasst, {
      id: "symlink-profile",
      severity: "error",
      summary: "pasta runs under the passt profile: /usr/bin/pasta is a symlink to passt",
      explanation:
        "AppArmor attaches a profile by the resolved path of the binary, so a pasta → passt symlink runs pasta under `passt`. Upstream split the profiles in 2023-09 (usr.bin.pasta for pasta, usr.bin.passt for passt); a `passt` profile that does not include abstractions/pasta does not cover what pasta does, and pasta stops at the first step it is refused. On x86_64 the AVX2 re-exec then shows up as comm pasta.avx2.",
      steps: [
        "Packaging fix: install pasta as a hard link (or a copy) of passt instead of a symlink, so the `pasta` profile attaches — what openSUSE did (bsc#1221840); or update the passt package to one that does. Check with `ls -li /usr/bin/pasta /usr/bin/passt` (a hard link shows one inode number).",
        pastaAbstraction
          ? "If the package cannot change now, give the passt profile all of pasta's rules at once — upstream's abstraction, which covers every step, not just the one refused here:"
          : "If the package cannot change now, the rules below allow the steps refused here; pasta stops at its first refused step, so the next run may stop at a later one — the complete set is upstream's abstractions/pasta (passt's contrib/apparmor), which this system does not have.",
      ],
      rules: [{ file: where("passt"), rules: pastaAbstraction ? ["include <abstractions/pasta>"] : rulesFor(underPasst) }],
      ...(isPodman(incident) ? { workaround: WORKAROUND } : {}),
    }, link === undefined ? [] : [link]);
  }

  const unusual = denied.filter((d) => d.step !== null && NETNS_STEPS.has(d.step) && d.object.startsWith("/") && !USUAL_RUNTIME.test(d.object) && !isLibvirtPasst(d));
  if (unusual.length > 0) {
    add(unusual, {
      id: "runtime-path-not-in-profile",
      severity: "error",
      summary: "pasta's namespace, PID or socket files are under a custom runtime directory the profile does not cover",
      explanation: "The pasta profile allows its runtime files under @{run}/user/@{uid}/ and /tmp. A custom runroot or XDG_RUNTIME_DIR (for example under /var/tmp in CI) puts the netns, PID file or control socket elsewhere, and every step there is refused.",
      steps: ["Use the default runroot (unset --runroot / XDG_RUNTIME_DIR overrides), or allow exactly these paths:"],
      rules: [{ file: where(unusual[0]!.profile), rules: rulesFor(unusual) }],
    });
  }

  const procNetns = denied.filter((d) => (d.step === "netns-open" || d.step === "netns-dir-open") && /^\/proc\/\d+\/ns\/(?:net)?$/.test(d.object));
  const ptrace = denied.filter((d) => d.step === "ptrace-read");
  if (procNetns.length > 0 || ptrace.length > 0) {
    const shown = [...procNetns, ...ptrace];
    const profile = shown[0]!.profile;
    // The whole step needs the directory, the file and ptrace read on the process: upstream's rules for each.
    const needed = [
      stepRule("netns-dir-open", { kind: "file", path: "/proc/1/ns/", perms: "r", owner: false }),
      stepRule("netns-open", { kind: "file", path: "/proc/1/ns/net", perms: "r", owner: false }),
      stepRule("ptrace-read", { kind: "ptrace", access: ["read"] }),
    ].filter((r): r is string => r !== undefined);
    const rules = rulesFor(shown);
    for (const r of needed) if (!rules.includes(r)) rules.push(r);
    add(shown, {
      id: "buildah-netns-ptrace",
      severity: "error",
      summary: "pasta may not open the container's /proc/PID/ns/net (Buildah RUN, podman build)",
      explanation: "Buildah hands pasta the network namespace as /proc/PID/ns/net of the container process. Opening another process's namespace file needs the /proc/PID/ns/ directory, the file, and `ptrace (read)` on that process; upstream passt's profile has all three since 2024-04, so one refused now means the next run is refused the others.",
      steps: ["Update passt (its profile has all three since 2024-04), or add the ones missing now:"],
      rules: [{ file: where(profile), rules }],
    });
  }

  const restricted = incident.denials.filter((d) => d.profile === "unprivileged_userns" || (d.step === "userns-create" && d.target === "unprivileged_userns"));
  if (restricted.length > 0) {
    add(restricted, {
      id: "userns-restricted",
      severity: "error",
      summary: "Ubuntu's unprivileged user namespace restriction confines this pasta",
      explanation:
        "With kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 23.10 and later), a binary that no profile attaches to is moved to the `unprivileged_userns` profile when it creates a user namespace, and loses every capability inside it. Ubuntu's own pasta package ships no profile for it in 23.10/24.04, so the packaged binary is affected as well as /usr/local, nix or embedded copies.",
      steps: [
        "Give the binary that ran a profile of its own: copy upstream's pasta profile (usr.bin.pasta from passt's contrib/apparmor) with that binary's path as its attachment, put it in /etc/apparmor.d/ and load it with `apparmor_parser -r FILE`. The minimal form Ubuntu uses for such tools is `profile pasta-local /PATH/TO/pasta flags=(unconfined) { userns, }` (a name of its own, the exact path).",
        "Find the binary with `readlink -f $(command -v pasta)`; its path must match the attachment exactly.",
        "Last resort, system-wide (weakens the protection for every program): `sysctl kernel.apparmor_restrict_unprivileged_userns=0`.",
      ],
      rules: [],
    }, system?.restrictUnprivilegedUserns == null ? [] : [`kernel.apparmor_restrict_unprivileged_userns = ${system.restrictUnprivilegedUserns}`]);
  }

  const signal = denied.filter((d) => d.step === "signal-receive" || (d.kind === "signal" && d.peer === "podman"));
  if (signal.length > 0) {
    add(signal, {
      id: "podman-signal",
      severity: "warning",
      summary: "a confined podman cannot signal pasta (stop / rootless-netns teardown fails or waits)",
      explanation: "AppArmor 4 ships a `podman` profile; a pasta profile that accepts signals only from unconfined processes refuses Podman's SIGTERM: \"kill network process: permission denied\" or a stop timeout.",
      steps: ["Allow the signal from podman:"],
      rules: [{ file: where(signal[0]!.profile === "passt" ? "passt" : "pasta"), rules: rulesFor(signal) }],
    });
  }

  const inContainer = denied.filter((d) => CONTAINER_PROFILE.test(d.profile) && d.step !== null && SANDBOX_STEPS.has(d.step));
  if (inContainer.length > 0) {
    add(inContainer, {
      id: "container-profile-blocks-sandbox",
      severity: "error",
      summary: "pasta runs inside a container whose profile forbids the mounts of its sandbox",
      explanation:
        "pasta isolates itself with mount, pivot_root and umount in a new mount namespace. docker-default, containers-default and crio-default are generated by the container runtime and hold `deny mount,`; a deny rule wins over any allow rule and the runtime writes the profile anew, so no rule added to it helps.",
      steps: [
        "Run that container with a custom profile that allows these mounts, or unconfined: Podman and Docker `--security-opt apparmor=PROFILE` (or `apparmor=unconfined`); Kubernetes, CRI-O and KubeVirt's virt-launcher pods `securityContext.appArmorProfile: {type: Localhost, localhostProfile: PROFILE}` (or `type: Unconfined`; before Kubernetes 1.30 the annotation container.apparmor.security.beta.kubernetes.io/CONTAINER).",
        "Or run pasta outside the container.",
      ],
      rules: [],
    });
  }

  const abi4 = denied.filter((d) => d.step === "userns-create" && (d.profile === "pasta" || d.profile === "passt" || /\/\/passt$/.test(d.profile)));
  if (abi4.length > 0) {
    add(abi4, {
      id: "abi4-userns",
      severity: "error",
      summary: "a policy declared for ABI 4.0 refuses pasta/passt's user namespace: it lacks `userns,`",
      explanation:
        "Profiles written for ABI 3.0 allow creating a user namespace implicitly. A policy that declares `abi <abi/4.0>,` must allow it with `userns,`; libvirt's policy does, and includes passt's abstraction, which did not have the rule, so passt started by libvirt is refused.",
      steps: [
        "Update passt (newer abstractions/passt have `userns,`), or add the rule to the local file of the profile that refused it. To see which policy declares ABI 4.0: `grep -rl 'abi <abi/4.0>' /etc/apparmor.d/`.",
      ],
      rules: [{ file: where(abi4[0]!.profile), rules: rulesFor(abi4) }],
    });
  }

  const fatalDenials = denied.filter((d) => d.step !== null && operationById(d.step)?.fatal === true);
  if (out.length === 0 && denied.length > 0 && fatalDenials.length === 0 && denied.every((d) => d.step !== null && operationById(d.step)?.fatal === false)) {
    add(denied, {
      id: "noise",
      severity: "info",
      summary: "only non-fatal reads were refused: pasta carried on",
      explanation: "pasta reads sysctls, /proc/net tables and resolv.conf to pick defaults and falls back when it may not. These denials leave AppArmor noise, not a failure; look elsewhere if networking failed.",
      steps: ["Nothing is required. To silence them:"],
      rules: [{ file: where(denied[0]!.profile), rules: rulesFor(denied) }],
    });
  }

  if (out.length === 0 && fatalDenials.length > 0) {
    const profile = fatalDenials[0]!.profile;
    const debian = profile === "passt" && passtIncludesPasta === true;
    add(fatalDenials, {
      id: "missing-rule",
      severity: "error",
      summary: "the pasta profile in the kernel lacks rules for steps pasta cannot skip",
      explanation:
        (debian ? "Here the passt profile includes abstractions/pasta, so pasta running under `passt` is the intended layout (as on Debian), not a packaging fault. " : "") +
        "The loaded profile refuses steps pasta needs: it is older than this pasta, or was loaded before the package update. pasta stops at its first refused step, so these are the steps of this run only.",
      steps: [
        `Reload the profile first (\`apparmor_parser -r\` on its file) and run again; if it is still refused, add the rules. ${COLLECT}`,
      ],
      rules: [{ file: where(profile), rules: rulesFor(fatalDenials) }],
      ...(isPodman(incident) ? { workaround: WORKAROUND } : {}),
    });
  }
  return out;
}

/** Fold one incident's diagnosis into the same diagnosis of earlier incidents. */
function mergeInto(held: PastaDiagnosis, d: PastaDiagnosis): void {
  held.incidents.push(...d.incidents);
  for (const e of d.evidence) if (held.evidence.length < 8 && !held.evidence.includes(e)) held.evidence.push(e);
  for (const s of d.steps) if (!held.steps.includes(s)) held.steps.push(s);
  for (const g of d.rules) {
    const mine = held.rules.find((h) => h.file === g.file);
    if (mine === undefined) held.rules.push({ file: g.file, rules: [...g.rules] });
    else for (const r of g.rules) if (!mine.rules.includes(r)) mine.rules.push(r);
  }
  held.workaround ??= d.workaround;
  for (const r of d.installed ?? []) if (!(held.installed ??= []).includes(r)) held.installed.push(r);
  held.fix = fixLines(held);
}

/** Diagnose every incident; the same diagnosis across incidents is listed once. */
export function diagnose(incidents: PastaIncident[], target: (profile: string) => RuleTarget = (p) => targetOf(p, undefined), facts?: PastaPolicyFacts, system?: SystemFacts): PastaDiagnosis[] {
  const byId = new Map<string, PastaDiagnosis>();
  const where = (profile: string) => describeTarget(target(profile));
  for (const incident of incidents) {
    for (const d of diagnoseIncident(incident, where, facts, system)) {
      incident.diagnoses.push(d.id);
      const held = byId.get(d.id);
      if (held === undefined) byId.set(d.id, d);
      else mergeInto(held, d);
    }
  }
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...byId.values()].sort((a, b) => order[a.severity] - order[b.severity]);
}
