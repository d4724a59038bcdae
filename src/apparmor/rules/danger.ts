/**
 * Denials that are more likely an attack, or a profile doing something it should not, than a
 * missing rule. Their rules are shown commented out with the warning, never proposed as such.
 */
import type { Rule } from "../rule-model.js";

/** Files whose reading leaks secrets or whose writing takes over the system. */
const SENSITIVE_READ = /^\/etc\/(?:g?shadow-?|sudoers(?:\.d\/.*)?|security\/opasswd|ssh\/ssh_host_.*_key)$/;
const SENSITIVE_WRITE =
  /^\/etc\/(?:g?shadow-?|passwd-?|group-?|sudoers(?:\.d\/.*)?|ld\.so\.preload|pam\.d\/.*|apparmor(?:\.d)?\/.*|cron.*|systemd\/.*)$|^\/boot\/|^\/lib\/modules\/|^\/usr\/lib\/modules\/|^\/(?:usr\/)?s?bin\/|^@\{PROC\}\/sys\/kernel\/|^@\{sys\}\/kernel\/security\//;

const DANGEROUS_CAPS = new Map([
  ["sys_module", "loads kernel modules: full control of the kernel"],
  ["sys_rawio", "raw device and port I/O: bypasses every file permission"],
  ["mac_admin", "changes the MAC policy itself"],
  ["mac_override", "overrides the MAC policy"],
  ["sys_admin", "a catch-all of privileged operations (mounts, namespaces, BPF …)"],
  ["sys_ptrace", "traces any process of any user"],
  ["bpf", "loads BPF programs into the kernel"],
  ["sys_boot", "reboots the machine or loads a new kernel"],
]);

/** A warning when a rule should not be applied without a closer look, else undefined. */
export function dangerOf(rule: Rule): string | undefined {
  switch (rule.kind) {
    case "file": {
      const path = rule.path.replace(/\\(.)/g, "$1");
      if (/[wal]/.test(rule.perms) && SENSITIVE_WRITE.test(path)) return `write access to ${path} would let the process alter system security files`;
      if (rule.perms.includes("r") && SENSITIVE_READ.test(path)) return `read access to ${path} exposes secrets (password hashes, keys)`;
      if (rule.exec !== undefined && /^[uU]/.test(rule.exec)) return "unconfined execution leaves the child without any policy";
      return undefined;
    }
    case "capability": {
      const bad = rule.names.find((n) => DANGEROUS_CAPS.has(n));
      return bad === undefined ? undefined : `capability ${bad} ${DANGEROUS_CAPS.get(bad)}`;
    }
    case "ptrace":
      if (rule.access.includes("trace")) return `ptrace trace of ${rule.peer ?? "any process"} gives full control over it (read its memory, inject code)`;
      return undefined;
    case "change_profile":
      if (rule.target === "unconfined") return "change_profile to unconfined escapes confinement";
      return undefined;
    default:
      return undefined;
  }
}
