/**
 * What kind of AppArmor event a record is: the class of rule that would allow it. Newer kernels
 * say it in `class=`; older ones only in the operation, as aa-logprof infers it. Operations this
 * does not know stay "unknown" and are reported, never dropped.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";

export type AppArmorKind =
  | "file" | "exec" | "capability" | "network" | "unix" | "mount" | "remount" | "umount" | "pivot_root"
  | "signal" | "ptrace" | "dbus" | "userns" | "mqueue" | "io_uring" | "change_profile" | "change_hat"
  | "status" | "unknown";

const STATUS_OPS = new Set(["profile_load", "profile_replace", "profile_remove", "status"]);
const NET_OPS = new Set([
  "create", "bind", "connect", "listen", "accept", "sendmsg", "recvmsg", "getsockname", "getpeername",
  "getsockopt", "setsockopt", "socket_shutdown", "shutdown", "sock_shutdown",
]);
const FILE_OPS = new Set([
  "open", "mknod", "unlink", "rmdir", "mkdir", "rename_src", "rename_dest", "link", "symlink", "truncate",
  "chmod", "chown", "setattr", "getattr", "file_perm", "file_inherit", "file_mmap", "file_receive",
  "file_lock", "inode_permission", "sendmsg", "recvmsg", "mmap", "xattr",
]);

export function classify(f: AppArmorFields, mode: string | null): AppArmorKind {
  const op = f.operation ?? "";
  const cls = f.class;
  if (mode === "STATUS" || STATUS_OPS.has(op)) return "status";
  if (op === "exec") return "exec";
  if (op === "change_onexec" || op === "change_profile") return "change_profile";
  if (op === "change_hat") return "change_hat";
  if (op === "capable" || cls === "cap") return "capability";
  if (op === "signal" || cls === "signal") return "signal";
  if (op === "ptrace" || cls === "ptrace") return "ptrace";
  if (op.startsWith("dbus") || cls === "dbus") return "dbus";
  if (op === "userns_create" || cls === "namespace" || cls === "userns") return "userns";
  if (cls === "posix_mqueue" || cls === "sysv_mqueue" || cls === "mqueue") return "mqueue";
  if (cls === "io_uring" || op.startsWith("uring_")) return "io_uring";
  if (op === "pivotroot" || op === "pivot_root") return "pivot_root";
  if (op === "umount") return "umount";
  if (op === "remount" || (op === "mount" && /\bremount\b/.test(f.flags ?? ""))) return "remount";
  if (op === "mount" || cls === "mount") return "mount";
  if (cls === "unix" || f.family === "unix") return "unix";
  if (cls === "net" || cls === "network" || f.family !== undefined) return "network";
  if (cls === "file" || FILE_OPS.has(op) || (f.name !== undefined && f.denied !== undefined)) return "file";
  if (NET_OPS.has(op)) return "network";
  return "unknown";
}
