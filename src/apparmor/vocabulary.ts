/**
 * The words AppArmor rules are made of, from AppArmor's own lists (apparmor.d(5), the parser and
 * python3-apparmor's rule classes) and the kernel's (capability.h). A value from a log enters a
 * rule only when it is one of these, or fits the D-Bus naming rules: everything else a log can
 * hold — `net_admin, /** rwlkmix` — gives no rule (`invalid-field:<name>`).
 */

/** include/uapi/linux/capability.h, lower case without CAP_, in number order (CAP_CHOWN is 0). */
export const CAPABILITIES: readonly string[] = [
  "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
  "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
  "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
  "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
  "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
  "checkpoint_restore",
];
const CAPABILITY_SET = new Set(CAPABILITIES);

export const NETWORK_FAMILIES: ReadonlySet<string> = new Set([
  "unix", "inet", "ax25", "ipx", "appletalk", "netrom", "bridge", "atmpvc", "x25", "inet6", "rose", "netbeui",
  "security", "key", "netlink", "packet", "ash", "econet", "atmsvc", "rds", "sna", "irda", "pppox", "wanpipe",
  "llc", "ib", "mpls", "can", "tipc", "bluetooth", "iucv", "rxrpc", "isdn", "phonet", "ieee802154", "caif",
  "alg", "nfc", "vsock", "kcm", "qipcrtr", "smc", "xdp", "mctp",
]);
export const NETWORK_TYPES: ReadonlySet<string> = new Set(["stream", "dgram", "seqpacket", "rdm", "raw", "packet"]);

/** The accesses each rule class takes (the r/w/rw shorthands are left out: aalens writes the words). */
export const ACCESSES = {
  unix: new Set(["create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt", "setopt", "send", "receive"]),
  network: new Set(["create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt", "setopt", "send", "receive"]),
  signal: new Set(["send", "receive"]),
  ptrace: new Set(["read", "trace", "readby", "tracedby"]),
  dbus: new Set(["send", "receive", "bind", "eavesdrop"]),
  mqueue: new Set(["create", "open", "delete", "read", "write", "getattr", "setattr"]),
  io_uring: new Set(["sqpoll", "override_creds"]),
  userns: new Set(["create"]),
} as const satisfies Record<string, ReadonlySet<string>>;

export const SIGNALS: ReadonlySet<string> = new Set([
  "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2", "pipe", "alrm",
  "term", "stkflt", "chld", "cont", "stop", "stp", "ttin", "ttou", "urg", "xcpu", "xfsz", "vtalrm", "prof",
  "winch", "io", "pwr", "sys", "emt", "exists",
]);
const REALTIME_SIGNAL = /^rtmin\+(?:[0-9]|[12][0-9]|3[0-2])$/;

/** Mount options apparmor.d(5) lists (what `options=(…)` takes). */
export const MOUNT_OPTIONS: ReadonlySet<string> = new Set([
  "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "remount", "mand", "nomand",
  "dirsync", "symfollow", "nosymfollow", "atime", "noatime", "diratime", "nodiratime", "bind", "move", "rbind",
  "verbose", "silent", "loud", "acl", "noacl", "unbindable", "make-unbindable", "runbindable", "make-runbindable",
  "private", "make-private", "rprivate", "make-rprivate", "slave", "make-slave", "rslave", "make-rslave",
  "shared", "make-shared", "rshared", "make-rshared", "relatime", "norelatime", "iversion", "noiversion",
  "strictatime", "nouser", "user",
]);

/** A file system type: the kernel's names are short words (ext4, fuse.sshfs, 9p, cgroup2). */
const FSTYPE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;

export function isCapability(name: string): boolean {
  return CAPABILITY_SET.has(name);
}

export function isSignal(name: string): boolean {
  return SIGNALS.has(name) || REALTIME_SIGNAL.test(name);
}

export function isFsType(name: string): boolean {
  return FSTYPE.test(name);
}

// ---- D-Bus naming rules (the D-Bus specification, "Valid names") ------------------------------

const ELEMENT = "[A-Za-z_][A-Za-z0-9_]*";
const INTERFACE = new RegExp(`^${ELEMENT}(?:\\.${ELEMENT})+$`);
const MEMBER = new RegExp(`^${ELEMENT}$`);
const OBJECT_PATH = /^\/(?:[A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)?$/;
const WELL_KNOWN_NAME = /^[A-Za-z_-][A-Za-z0-9_-]*(?:\.[A-Za-z_-][A-Za-z0-9_-]*)+$/;
const UNIQUE_NAME = /^:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/;
/** The bus: `system`, `session`, or another bus's short name as dbus-daemon's --config sets it. */
const BUS = /^[A-Za-z0-9_-]{1,64}$/;

export const dbus = {
  interface: (s: string) => s.length <= 255 && INTERFACE.test(s),
  member: (s: string) => s.length <= 255 && MEMBER.test(s),
  path: (s: string) => OBJECT_PATH.test(s),
  busName: (s: string) => s.length <= 255 && (WELL_KNOWN_NAME.test(s) || UNIQUE_NAME.test(s)),
  bus: (s: string) => BUS.test(s),
};
