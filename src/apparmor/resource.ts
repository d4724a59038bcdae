/**
 * What a denial was about, in one line: the object a rule would name. This is the grouping key
 * of the denials table; rule synthesis (src/apparmor/rules) turns the same facts into rules.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import { classify, type AppArmorKind } from "./classify.js";

export interface Resource {
  class: AppArmorKind;
  /** A readable description of the object: a path, `net_admin`, `inet stream tcp`, `term → peer` … */
  object: string;
}

export function resourceOf(f: AppArmorFields, mode: string | null = null, kind?: AppArmorKind): Resource {
  const cls = kind ?? classify(f, mode);
  const peer = f.peer ?? f.peerProfile;
  switch (cls) {
    case "capability":
      return { class: cls, object: f.capname ?? f.name ?? `capability ${f.capability ?? "?"}` };
    case "network":
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
    case "remount":
    case "umount":
    case "pivot_root":
      return { class: cls, object: f.srcname !== undefined ? `${f.srcname} → ${f.name ?? "?"}` : f.name ?? "?" };
    case "userns":
      return { class: cls, object: f.operation === "userns_create" ? "userns create" : f.operation ?? "userns" };
    default:
      return { class: cls, object: f.target !== undefined && f.name !== undefined ? `${f.name} → ${f.target}` : f.name ?? f.info ?? "" };
  }
}
