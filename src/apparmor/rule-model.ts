/**
 * The typed form of an AppArmor rule, shared by rule synthesis (what the logs say is missing) and
 * the installed-policy check (what the profile already allows). Paths are AppArmor globs (AARE)
 * and may use variables (`@{PROC}`, `@{pid}` …); rendering and escaping is src/apparmor/render-rule.ts.
 */

/** File permissions as AppArmor spells them: r w a l k m, and exec modes ix px Px ux Ux cx Cx pix … */
export interface FileRule {
  kind: "file";
  /** Absolute path glob, e.g. `@{PROC}/@{pid}/ns/net`, `/run/user/@{uid}/netns/netns-*`. */
  path: string;
  /** Access letters from `rwalkm` (no exec), in that order, e.g. "rw". */
  perms: string;
  /** Exec mode when the access includes execution: "ix", "px", "Px", "cx", "ux" … */
  exec?: string;
  /** Exec target profile (`-> target`), for px/cx transitions. */
  execTarget?: string;
  owner: boolean;
  /** Link target (`link /a -> /b`) for `l` on a link operation. */
  linkTarget?: string;
}

export interface CapabilityRule {
  kind: "capability";
  /** Capability names without the CAP_ prefix, lower case: ["net_admin"]. */
  names: string[];
}

export interface NetworkRule {
  kind: "network";
  /** inet, inet6, netlink, packet, unix … (undefined: any). */
  family?: string;
  /** stream, dgram, raw, seqpacket … (undefined: any). */
  type?: string;
  /** tcp, udp, icmp … (undefined: any). */
  protocol?: string;
}

export interface UnixRule {
  kind: "unix";
  /** create bind listen accept connect shutdown getattr setattr getopt setopt send receive */
  access: string[];
  type?: string;
  addr?: string;
  peerAddr?: string;
  peerLabel?: string;
}

export interface SignalRule {
  kind: "signal";
  /** send, receive */
  access: string[];
  /** hup int quit … term … rtmin+N */
  signals: string[];
  peer?: string;
}

export interface PtraceRule {
  kind: "ptrace";
  /** read, trace, readby, tracedby */
  access: string[];
  peer?: string;
}

export interface DbusRule {
  kind: "dbus";
  /** send, receive, bind, eavesdrop */
  access: string[];
  bus?: string;
  path?: string;
  interface?: string;
  member?: string;
  /** For bind: the well-known name bound. */
  name?: string;
  peerName?: string;
  peerLabel?: string;
}

export interface MountRule {
  kind: "mount";
  fstype?: string;
  /** Mount flags as AppArmor names them: rw, ro, nosuid, rprivate, bind … */
  options?: string[];
  source?: string;
  mountpoint?: string;
}

export interface RemountRule {
  kind: "remount";
  options?: string[];
  mountpoint?: string;
}

export interface UmountRule {
  kind: "umount";
  mountpoint?: string;
}

export interface PivotRootRule {
  kind: "pivot_root";
  oldroot?: string;
  newroot?: string;
}

export interface UsernsRule {
  kind: "userns";
  /** create (the only access today); empty means any. */
  access: string[];
}

export interface MqueueRule {
  kind: "mqueue";
  access: string[];
  type?: "posix" | "sysv";
  name?: string;
}

export interface IoUringRule {
  kind: "io_uring";
  /** sqpoll, override_creds */
  access: string[];
  label?: string;
}

export interface ChangeProfileRule {
  kind: "change_profile";
  /** Exec path condition (`change_profile /usr/bin/x -> target`), if any. */
  execPath?: string;
  target: string;
}

export type Rule =
  | FileRule
  | CapabilityRule
  | NetworkRule
  | UnixRule
  | SignalRule
  | PtraceRule
  | DbusRule
  | MountRule
  | RemountRule
  | UmountRule
  | PivotRootRule
  | UsernsRule
  | MqueueRule
  | IoUringRule
  | ChangeProfileRule;

/** What the installed policy says about a rule the logs ask for. */
export type PolicyVerdict =
  /** The profile already allows it: the denial came from another (stale) version of the profile. */
  | "allowed"
  /** A `deny` rule in the profile refuses it on purpose. */
  | "denied"
  /** Nothing in the profile allows it: suggest the rule. */
  | "missing"
  /** The profile is not in the policy directory (or no policy was given). */
  | "unknown";
