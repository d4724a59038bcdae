/**
 * What a denial was about, in one line: the object a rule would name. This is the grouping key
 * for the first report; rule synthesis (src/apparmor/rules) refines it per class.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";

export interface Resource {
  /** file, capability, net, unix, signal, ptrace, dbus, mount, userns, mqueue, io_uring, … or the operation. */
  class: string;
  /** A readable description of the object: a path, `net_admin`, `inet stream tcp`, `signal term → peer` … */
  object: string;
}

const MOUNT_OPS = new Set(["mount", "remount", "umount", "pivotroot", "pivot_root"]);
const NET_OPS = new Set(["create", "bind", "connect", "listen", "accept", "sendmsg", "recvmsg", "getsockname", "getpeername", "getsockopt", "setsockopt", "socket_shutdown", "shutdown"]);

/** Class from the kernel's `class=` when present, else inferred the way aa-logprof does from the operation. */
export function classOf(f: AppArmorFields): string {
  if (f.class !== undefined) return f.class === "posix_mqueue" || f.class === "sysv_mqueue" ? "mqueue" : f.class;
  const op = f.operation ?? "";
  if (op === "capable") return "cap";
  if (op === "signal") return "signal";
  if (op === "ptrace") return "ptrace";
  if (op.startsWith("dbus_")) return "dbus";
  if (MOUNT_OPS.has(op)) return "mount";
  if (op.startsWith("userns_")) return "namespace";
  if (f.family === "unix") return "unix";
  if (f.family !== undefined || NET_OPS.has(op)) return "net";
  if (op === "change_profile" || op === "change_onexec" || op === "change_hat") return "label";
  if (op.startsWith("profile_") || op === "status") return "status";
  if (f.name !== undefined || f.denied !== undefined) return "file";
  return op || "unknown";
}

export function resourceOf(f: AppArmorFields): Resource {
  const cls = classOf(f);
  const peer = f.peer ?? f.peerProfile;
  switch (cls) {
    case "cap":
      return { class: "capability", object: f.capname ?? f.name ?? `capability ${f.capability ?? "?"}` };
    case "net":
    case "unix": {
      const parts = [f.family, f.sockType, f.protocolName && f.protocolName !== "ip" ? f.protocolName : undefined];
      const addr = f.addr ?? f.peerAddr;
      if (addr !== undefined) parts.push(addr);
      return { class: cls, object: parts.filter(Boolean).join(" ") || (f.operation ?? "socket") };
    }
    case "signal":
      return { class: cls, object: `${f.signal ?? "?"} → ${peer ?? "?"}` };
    case "ptrace":
      return { class: cls, object: peer ?? "?" };
    case "dbus":
      return { class: cls, object: [f.bus, f.path, f.interface && f.member ? `${f.interface}.${f.member}` : f.member, f.name].filter(Boolean).join(" ") };
    case "mount":
      return { class: cls, object: f.srcname !== undefined ? `${f.srcname} → ${f.name ?? "?"}` : f.name ?? "?" };
    case "namespace":
      return { class: "userns", object: f.operation === "userns_create" ? "userns create" : f.operation ?? "userns" };
    default:
      return { class: cls, object: f.target !== undefined && f.name !== undefined ? `${f.name} → ${f.target}` : f.name ?? f.info ?? "" };
  }
}
