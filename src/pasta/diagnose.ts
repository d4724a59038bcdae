/**
 * Root causes of pasta incidents, each with what it means, the evidence, and the fix: the exact
 * rules, the packaging fix where packaging is the real cause, and the workaround Podman offers.
 */
import { describeTarget, targetOf, type RuleTarget } from "../apparmor/local/target.js";
import type { PastaDenial } from "./collect.js";
import type { PastaIncident } from "./incidents.js";
import { operationById } from "./catalog.js";
import { CONTAINER_PROFILE } from "./recognize.js";

export type Severity = "error" | "warning" | "info";

export interface PastaDiagnosis {
  id: string;
  severity: Severity;
  summary: string;
  explanation: string;
  evidence: string[];
  fix: string[];
  /** Incident ids this diagnosis applies to. */
  incidents: number[];
}

const NETNS_STEPS = new Set(["netns-open", "netns-dir-open", "pidfile-write", "control-socket", "logfile-write", "pcap-write"]);
const SANDBOX_STEPS = new Set(["sandbox-remount-root", "sandbox-tmpfs", "sandbox-pivot-root", "sandbox-umount-root", "sandbox-chroot-fallback", "proc-mount"]);
/** pasta's own paths: under the user's runtime dir, /tmp, or /proc (the caller's namespaces). */
const USUAL_RUNTIME = /^(?:\/run\/user\/\d+\/|\/var\/run\/user\/\d+\/|\/tmp\/|\/proc\/)/;

const line = (d: PastaDenial) =>
  `${d.time ?? "?"} ${d.source}:${d.line}: profile=${d.profile} comm=${d.comm ?? "?"} ${d.mode.toLowerCase()} ${d.operation} ${d.object}${d.mask ? ` (${d.mask})` : ""}`;

const WORKAROUND = "Workaround until it is fixed: `podman run --network slirp4netns …`, or for every container `default_rootless_network_cmd = \"slirp4netns\"` under [network] in ~/.config/containers/containers.conf (Podman ≥ 4.0; slirp4netns must be installed).";

function rulesFor(denials: PastaDenial[]): string[] {
  const rules: string[] = [];
  for (const d of denials) {
    const upstream = d.step === null ? undefined : operationById(d.step);
    const rule = upstream?.suggestedRule?.[0] ?? upstream?.upstreamRule?.[0] ?? d.rule;
    if (rule !== null && rule !== undefined && !rules.includes(rule)) rules.push(rule);
  }
  return rules;
}

function isPodman(incident: PastaIncident): boolean {
  return incident.caller === "podman-container" || incident.caller === "podman-rootless-netns";
}

/** The diagnoses of one incident. */
function diagnoseIncident(incident: PastaIncident, where: (profile: string) => string): PastaDiagnosis[] {
  const out: PastaDiagnosis[] = [];
  const denied = incident.denials.filter((d) => d.mode === "DENIED" || d.mode === "KILL");
  /** A diagnosis of this incident, its evidence the first denials that show it. */
  const add = (shown: PastaDenial[], d: Omit<PastaDiagnosis, "incidents" | "evidence">) =>
    out.push({ id: d.id, severity: d.severity, summary: d.summary, explanation: d.explanation, evidence: shown.slice(0, 5).map(line), fix: d.fix, incidents: [incident.id] });

  const symlink = denied.filter((d) => d.profile === "passt" && (/^pasta/.test(d.comm ?? "") || (d.comm === "passt.avx2" && d.step !== null && d.step !== "avx2-exec")));
  if (symlink.length > 0) {
    add(symlink, {
      id: "symlink-profile",
      severity: "error",
      summary: "pasta runs under the passt profile: /usr/bin/pasta is a symlink to passt",
      explanation: "AppArmor attaches a profile by the resolved path of the binary, so a pasta → passt symlink runs pasta under `passt`, whose rules (since the 2023-09 split) no longer cover what pasta does. On x86_64 the AVX2 re-exec then shows up as comm passt.avx2.",
      fix: [
        "Packaging fix: install pasta as a hard link (or a copy) of passt instead of a symlink, so the `pasta` profile attaches — what openSUSE did for bsc#1221840; or update the passt package to one that does.",
        `Do not widen the \`passt\` profile with pasta's rules. If you cannot change the package now, the rules pasta needs go in ${where("passt")}:`,
        ...rulesFor(symlink),
        ...(isPodman(incident) ? [WORKAROUND] : []),
      ],
    });
  }

  const unusual = denied.filter((d) => d.step !== null && NETNS_STEPS.has(d.step) && d.object.startsWith("/") && !USUAL_RUNTIME.test(d.object));
  if (unusual.length > 0) {
    add(unusual, {
      id: "runtime-path-not-in-profile",
      severity: "error",
      summary: "pasta's namespace, PID or socket files are under a custom runtime directory the profile does not cover",
      explanation: "The pasta profile allows its runtime files under @{run}/user/@{uid}/ and /tmp. A custom runroot or XDG_RUNTIME_DIR (for example under /var/tmp in CI) puts the netns, PID file or control socket elsewhere, and every step there is refused.",
      fix: [`Use the default runroot (unset --runroot / XDG_RUNTIME_DIR overrides), or allow the directory in ${where(unusual[0]!.profile)}:`, ...new Set(unusual.map((d) => d.rule).filter((r): r is string => r !== null))],
    });
  }

  const procNetns = denied.filter((d) => d.step === "netns-open" && /^\/proc\/\d+\/ns\/net$/.test(d.object));
  const ptrace = denied.filter((d) => d.step === "ptrace-read");
  if (procNetns.length > 0 || ptrace.length > 0) {
    add([...procNetns, ...ptrace], {
      id: "buildah-netns-ptrace",
      severity: "error",
      summary: "pasta may not open the container's /proc/PID/ns/net (Buildah RUN, podman build)",
      explanation: "Buildah hands pasta the network namespace as /proc/PID/ns/net of the container process. Opening another process's namespace file needs both the file rule and `ptrace (read)` on that process.",
      fix: ["Rules (upstream passt has them since 2024-04):", ...rulesFor([...procNetns, ...ptrace]), "ptrace (read),"],
    });
  }

  const restricted = incident.denials.filter((d) => d.profile === "unprivileged_userns" || (d.step === "userns-create" && d.target === "unprivileged_userns"));
  if (restricted.length > 0) {
    add(restricted, {
      id: "userns-restricted",
      severity: "error",
      summary: "Ubuntu's unprivileged user namespace restriction confines this pasta",
      explanation: "With kernel.apparmor_restrict_unprivileged_userns=1, a binary that no profile names (for example /usr/local/bin/pasta, a nix or embedded copy) is moved to the `unprivileged_userns` profile when it creates a user namespace, and loses every capability inside it.",
      fix: [
        "Confine the real binary: copy the pasta profile with the binary's path as attachment (profile pasta /usr/local/bin/pasta{,.avx2} { … userns, … }) and load it with apparmor_parser -r.",
        "Or use the distribution's pasta package, whose path the shipped profile names.",
        "Last resort (system-wide, weakens the protection): sysctl kernel.apparmor_restrict_unprivileged_userns=0.",
      ],
    });
  }

  const signal = denied.filter((d) => d.step === "signal-receive" || (d.kind === "signal" && d.peer === "podman"));
  if (signal.length > 0) {
    add(signal, {
      id: "podman-signal",
      severity: "warning",
      summary: "a confined podman cannot signal pasta (stop / rootless-netns teardown fails or waits)",
      explanation: "AppArmor 4 ships a `podman` profile; the pasta profile only accepts signals from unconfined processes, so Podman's SIGTERM is refused: \"kill network process: permission denied\" or a stop timeout.",
      fix: [`Add to ${where(signal[0]!.profile === "passt" ? "passt" : "pasta")}:`, "signal (receive) peer=podman,"],
    });
  }

  const inContainer = denied.filter((d) => CONTAINER_PROFILE.test(d.profile) && d.step !== null && SANDBOX_STEPS.has(d.step));
  if (inContainer.length > 0) {
    add(inContainer, {
      id: "container-profile-blocks-sandbox",
      severity: "error",
      summary: "pasta runs inside a container whose profile forbids the mounts of its sandbox",
      explanation: "pasta isolates itself with mount, pivot_root and umount in a new mount namespace; container profiles such as docker-default or crio-default deny mount.",
      fix: ["Run that container with a profile that allows these mounts (or unconfined), or run pasta outside the container. The rules are:", ...rulesFor(inContainer)],
    });
  }

  const abi4 = denied.filter((d) => d.step === "userns-create" && (d.profile === "pasta" || d.profile === "passt" || /\/\/passt$/.test(d.profile)));
  if (abi4.length > 0) {
    add(abi4, {
      id: "abi4-userns",
      severity: "error",
      summary: "the profile is written for AppArmor ABI 4 rules but lacks `userns,`",
      explanation: "Under ABI 4.0, creating a user namespace needs an explicit `userns,` rule. Older pasta/passt profiles (and libvirt's policy including abstractions/passt) lack it; upstream added it in 2026-01.",
      fix: ["Update passt, or add to the profile's local file:", "userns,"],
    });
  }

  const fatalDenials = denied.filter((d) => d.step !== null && operationById(d.step)?.fatal === true);
  if (out.length === 0 && denied.length > 0 && fatalDenials.length === 0 && denied.every((d) => d.step !== null && operationById(d.step)?.fatal === false)) {
    add(denied, {
      id: "noise",
      severity: "info",
      summary: "only non-fatal reads were refused: pasta carried on",
      explanation: "pasta reads sysctls, /proc/net tables and resolv.conf to pick defaults and falls back when it may not. These denials leave AppArmor noise, not a failure; look elsewhere if networking failed.",
      fix: ["Nothing is required. To silence them, add to the pasta profile's local file:", ...rulesFor(denied)],
    });
  }

  if (out.length === 0 && fatalDenials.length > 0) {
    add(fatalDenials, {
      id: "missing-rule",
      severity: "error",
      summary: "the pasta profile in the kernel lacks rules for steps pasta cannot skip",
      explanation: "The loaded profile refuses steps pasta needs: it is older than this pasta, or was loaded before the package update. Reload it (apparmor_parser -r /etc/apparmor.d/usr.bin.pasta) or add the rules.",
      fix: [...rulesFor(fatalDenials), ...(isPodman(incident) ? [WORKAROUND] : [])],
    });
  }
  return out;
}

/** Diagnose every incident; the same diagnosis across incidents is listed once. */
export function diagnose(incidents: PastaIncident[], target: (profile: string) => RuleTarget = (p) => targetOf(p, undefined)): PastaDiagnosis[] {
  const byId = new Map<string, PastaDiagnosis>();
  const where = (profile: string) => describeTarget(target(profile));
  for (const incident of incidents) {
    for (const d of diagnoseIncident(incident, where)) {
      incident.diagnoses.push(d.id);
      const held = byId.get(d.id);
      if (held === undefined) byId.set(d.id, d);
      else {
        held.incidents.push(incident.id);
        for (const e of d.evidence) if (held.evidence.length < 8 && !held.evidence.includes(e)) held.evidence.push(e);
        for (const f of d.fix) if (!held.fix.includes(f)) held.fix.push(f);
      }
    }
  }
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...byId.values()].sort((a, b) => order[a.severity] - order[b.severity]);
}
