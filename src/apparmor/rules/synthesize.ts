/**
 * One AppArmor event → the rule that would allow it, before aggregation. Each rule is as narrow
 * as the event: the object, the accesses and the peer it names, nothing more. What cannot be
 * expressed as a rule (status records, change_hat, unknown operations) says why instead.
 */
import type { AppArmorFields } from "../../parse/apparmor-fields.js";
import type { AppArmorKind } from "../classify.js";
import type { Rule } from "../rule-model.js";
import type { Mode } from "../../parse/record.js";
import { pathPattern, isNsfsPath } from "./paths.js";
import { MAX_VALUE_CHARS } from "../../input/detach.js";
import { escapeLiteral } from "../aare/escape.js";
import { ACCESSES, CAPABILITIES, MOUNT_OPTIONS, NETWORK_FAMILIES, NETWORK_TYPES, dbus, isCapability, isFsType, isSignal } from "../vocabulary.js";

export interface Candidate {
  rule: Rule;
  /** Identity of the rule (within its profile and kind) without its accesses: events with the same key merge into one rule. */
  key: string;
  /** The literal object the event named (a path, a peer …), kept as an example. */
  object: string;
  /** For file rules: whether this event supports `owner` (fsuid == ouid, not a namespace file). */
  ownerOk?: boolean;
  notes: string[];
  /** File rules broader than the evidence: the letters the denial asked for (see RuleEntry.evidencePerms). */
  evidencePerms?: string;
}

export type Synthesis = { candidate: Candidate; reason?: undefined } | { candidate?: undefined; reason: string };

/** File access letters in the order AppArmor rules conventionally list them. */
const FILE_ORDER = "rwalkm";

/**
 * `"rwc"`, `"x"` → rule letters and whether execution was asked for. Old kernels wrote
 * `"owner::other"` masks (`"r::"`): permissions only in the owner part mean an owner access.
 */
export function filePerms(mask: string): { perms: string; exec: boolean; ownerOnly: boolean } {
  const set = new Set<string>();
  let exec = false;
  const sep = mask.indexOf("::");
  const ownerOnly = sep > 0 && sep === mask.length - 2;
  for (const c of mask.replace(/:/g, "")) {
    if (c === "c" || c === "d" || c === "w") set.add("w");
    else if (c === "x") exec = true;
    else if (FILE_ORDER.includes(c)) set.add(c);
  }
  if (set.has("w")) set.delete("a"); // w includes append
  return { perms: [...FILE_ORDER].filter((c) => set.has(c)).join(""), exec, ownerOnly };
}

/** The letters the kernel writes in a file mask (aa_audit_perms: r w x a m l k c d, and the old i u U p P N owner::other forms). */
const FILE_MASK = /^[rwxamlkcdiuUpPN:]*$/;

/** No rule: a field of the event does not fit the grammar of its place in a rule. */
function invalid(field: string, value: string | undefined, why: string): Synthesis {
  const shown = value === undefined ? "" : ` ${JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value)}`;
  return { reason: `invalid-field:${field}:${shown} ${why}` };
}

/** The first of `items` that is not in `allowed`. */
function stranger(items: readonly string[], allowed: ReadonlySet<string>): string | undefined {
  return items.find((x) => !allowed.has(x));
}

/** Operations whose `x` is not an exec transition: mmap with PROT_EXEC (that is `m`), links. */
const X_IS_NOT_EXEC = new Set(["file_mmap", "mmap", "link"]);

function words(list: string | undefined): string[] {
  return (list ?? "").split(/[\s,]+/).filter(Boolean);
}

function fileCandidate(f: AppArmorFields, kind: AppArmorKind, mask: string): Synthesis {
  if (f.name === undefined || f.name === "") return { reason: "file event without a file name (disconnected or anonymous object)" };
  if (!f.name.startsWith("/")) return { reason: `file name "${f.name}" is not an absolute path (disconnected path: consider flags=(attach_disconnected))` };
  const parsed = filePerms(mask);
  let perms = parsed.perms;
  const op = f.operation ?? "";
  const isExec = kind === "exec" || (parsed.exec && !X_IS_NOT_EXEC.has(op));
  if (parsed.exec && X_IS_NOT_EXEC.has(op) && (op === "file_mmap" || op === "mmap") && !perms.includes("m")) perms += "m";
  if (!FILE_MASK.test(mask)) return invalid("denied_mask", mask, "holds letters that are not file permissions");
  if (perms === "" && !isExec) {
    return { reason: parsed.exec ? `mask "${mask}" on ${op || "this operation"}: x there is not an execution, so no file rule allows it` : `no file permission in the mask "${mask}"` };
  }
  const path = pathPattern(f.name);
  const notes = [...path.rewrites];
  const rule: Rule = { kind: "file", path: path.pattern, perms, owner: false };
  if (isExec) rule.exec = "ix";
  const ownerOk = (parsed.ownerOnly || (f.fsuid !== undefined && f.ouid !== undefined && f.fsuid === f.ouid)) && !isNsfsPath(f.name);
  return { candidate: { rule, key: path.pattern, object: f.name, ownerOk, notes } };
}

/** Kinds whose rules list accesses: without one in the event, a rule would allow them all. */
const NEEDS_ACCESS = new Set<AppArmorKind>(["unix", "signal", "ptrace", "mqueue"]);

/**
 * The accesses a rule must add: what was denied. Only AUDIT events (allowed and logged) carry
 * just the requested mask; a denial without a denied mask does not say what is missing.
 */
function missingMask(f: AppArmorFields, mode: Mode): string | undefined {
  return f.denied ?? (mode === "AUDIT" ? f.requested : undefined);
}

/** The rule for one AppArmor event of the given kind. */
export function synthesize(f: AppArmorFields, kind: AppArmorKind, mode: Mode = "DENIED"): Synthesis {
  if (f.oversized !== undefined) return { reason: `invalid-field:${f.oversized[0]}: a value longer than the kernel writes (${MAX_VALUE_CHARS} characters)` };
  const peer = f.peer ?? f.peerProfile;
  const mask = missingMask(f, mode);
  const requested = words(mask).sort();
  if (NEEDS_ACCESS.has(kind) && requested.length === 0) return { reason: `${kind} event without an access mask: a rule would allow every access` };
  const strangeAccess = ACCESS_OF[kind] !== undefined ? stranger(requested, ACCESS_OF[kind]) : undefined;
  if (strangeAccess !== undefined) return invalid("denied_mask", strangeAccess, `is not a ${kind} access AppArmor knows`);
  switch (kind) {
    case "file":
    case "exec":
      return fileCandidate(f, kind, mask ?? "");
    case "capability": {
      const name = f.capname ?? (f.capability !== undefined ? CAPABILITIES[f.capability] : undefined) ?? f.name;
      if (name === undefined) return { reason: `capability ${f.capability ?? "?"} without a name` };
      if (!isCapability(name)) return invalid("capname", name, "is not a Linux capability");
      return { candidate: { rule: { kind: "capability", names: [name] }, key: `capability ${name}`, object: name, notes: [] } };
    }
    case "network": {
      const rule: Rule = { kind: "network" };
      if (f.family !== undefined && !NETWORK_FAMILIES.has(f.family)) return invalid("family", f.family, "is not a network family AppArmor knows");
      if (f.sockType !== undefined && !NETWORK_TYPES.has(f.sockType)) return invalid("sock_type", f.sockType, "is not a socket type AppArmor knows");
      if (f.family !== undefined) rule.family = f.family;
      if (f.sockType !== undefined) rule.type = f.sockType;
      const key = `network ${f.family ?? "*"} ${f.sockType ?? "*"}`;
      return { candidate: { rule, key, object: [f.family, f.sockType, f.protocolName].filter(Boolean).join(" "), notes: [] } };
    }
    case "unix": {
      if (f.sockType !== undefined && !NETWORK_TYPES.has(f.sockType)) return invalid("sock_type", f.sockType, "is not a socket type AppArmor knows");
      const rule: Rule = { kind: "unix", access: requested };
      const notes: string[] = [];
      if (f.sockType !== undefined) rule.type = f.sockType;
      // A unix rule's addr= names abstract sockets (@…) or none; a socket with a path is a file,
      // and apparmor_parser refuses a path there: the address is left out, and the note says so.
      const pathAddr = (a: string | undefined) => a !== undefined && a.startsWith("/");
      if (f.addr !== undefined && !pathAddr(f.addr)) rule.addr = f.addr;
      if (f.peerAddr !== undefined && !pathAddr(f.peerAddr)) rule.peerAddr = f.peerAddr;
      if (pathAddr(f.addr) || pathAddr(f.peerAddr)) notes.push(`broader than the denial: any address, as apparmor_parser takes no socket path (${pathAddr(f.peerAddr) ? f.peerAddr : f.addr}) in a unix rule`);
      if (peer !== undefined) rule.peerLabel = peer;
      const key = `unix ${rule.type ?? ""} ${rule.addr ?? ""} ${rule.peerAddr ?? ""} ${rule.peerLabel ?? ""}`;
      return { candidate: { rule, key, object: f.peerAddr ?? f.addr ?? rule.type ?? "unix", notes } };
    }
    case "signal": {
      if (f.signal !== undefined && !isSignal(f.signal)) return invalid("signal", f.signal, "is not a signal AppArmor knows");
      const rule: Rule = { kind: "signal", access: requested, signals: f.signal !== undefined ? [f.signal] : [] };
      if (peer !== undefined) rule.peer = peer;
      return { candidate: { rule, key: `signal ${peer ?? ""}`, object: `${f.signal ?? "?"} ${peer ?? ""}`.trim(), notes: [] } };
    }
    case "ptrace": {
      const rule: Rule = { kind: "ptrace", access: requested };
      if (peer !== undefined) rule.peer = peer;
      return { candidate: { rule, key: `ptrace ${peer ?? ""}`, object: peer ?? "?", notes: [] } };
    }
    case "dbus": {
      const access = requested.length > 0 ? requested : words(f.operation?.replace(/^dbus_/, "").replace("method_call", "send").replace("signal", "send"));
      if (access.length === 0) return { reason: "dbus event without an access mask: a rule would allow every access" };
      const strange = stranger(access, ACCESSES.dbus);
      if (strange !== undefined) return invalid("denied_mask", strange, "is not a dbus access AppArmor knows");
      if (f.bus !== undefined && !dbus.bus(f.bus)) return invalid("bus", f.bus, "is not a D-Bus bus name");
      if (f.path !== undefined && !dbus.path(f.path)) return invalid("path", f.path, "is not a D-Bus object path");
      if (f.interface !== undefined && !dbus.interface(f.interface)) return invalid("interface", f.interface, "is not a D-Bus interface name");
      if (f.member !== undefined && !dbus.member(f.member)) return invalid("member", f.member, "is not a D-Bus member name");
      if (f.name !== undefined && !dbus.busName(f.name)) return invalid("name", f.name, "is not a D-Bus bus name");
      const rule: Rule = { kind: "dbus", access };
      if (f.bus !== undefined) rule.bus = f.bus;
      if (access.includes("bind")) {
        if (f.name !== undefined) rule.name = f.name;
      } else if (!access.includes("eavesdrop")) {
        // Eavesdrop rules take only the bus; send/receive name the message and the peer.
        if (f.path !== undefined) rule.path = f.path;
        if (f.interface !== undefined) rule.interface = f.interface;
        if (f.member !== undefined) rule.member = f.member;
        // For a send, name= is the destination, i.e. the peer; for a receive it is our own name.
        if (f.name !== undefined && access.every((a) => a === "send")) rule.peerName = f.name;
        if (f.peerProfile !== undefined) rule.peerLabel = f.peerProfile;
      }
      const key = `dbus ${rule.bus ?? ""} ${rule.path ?? ""} ${rule.interface ?? ""} ${rule.member ?? ""} ${rule.name ?? ""} ${rule.peerName ?? ""} ${rule.peerLabel ?? ""}`;
      return { candidate: { rule, key, object: [rule.interface, rule.member].filter(Boolean).join(".") || (rule.name ?? "dbus"), notes: [] } };
    }
    case "mount":
    case "remount": {
      if (f.fstype !== undefined && !isFsType(f.fstype)) return invalid("fstype", f.fstype, "is not a file system type");
      const options = words(f.flags);
      const strange = stranger(options, MOUNT_OPTIONS);
      if (strange !== undefined) return invalid("flags", strange, "is not a mount option AppArmor knows");
      const rule: Rule = { kind: "mount" };
      if (f.fstype !== undefined) rule.fstype = f.fstype;
      if (kind === "remount" && !options.includes("remount")) options.push("remount");
      options.sort();
      if (options.length > 0) rule.options = options;
      if (f.srcname !== undefined && kind === "mount") rule.source = mountPath(f.srcname);
      if (f.name !== undefined) rule.mountpoint = mountPath(f.name);
      const key = `mount ${rule.fstype ?? ""} ${rule.source ?? ""} ${rule.mountpoint ?? ""}`;
      return { candidate: { rule, key, object: f.name ?? "?", notes: [] } };
    }
    case "umount": {
      const rule: Rule = { kind: "umount" };
      if (f.name !== undefined) rule.mountpoint = mountPath(f.name);
      return { candidate: { rule, key: `umount ${rule.mountpoint ?? ""}`, object: f.name ?? "?", notes: [] } };
    }
    case "pivot_root": {
      const rule: Rule = { kind: "pivot_root" };
      if (f.name !== undefined) rule.newroot = mountPath(f.name);
      if (f.srcname !== undefined) rule.oldroot = mountPath(f.srcname);
      return { candidate: { rule, key: `pivot_root ${rule.oldroot ?? ""} ${rule.newroot ?? ""}`, object: f.name ?? "?", notes: [] } };
    }
    case "userns":
      return { candidate: { rule: { kind: "userns", access: ["create"] }, key: "userns create", object: "userns", notes: [] } };
    case "mqueue": {
      const rule: Rule = { kind: "mqueue", access: requested };
      const type = f.class === "sysv_mqueue" ? "sysv" : f.class === "posix_mqueue" ? "posix" : undefined;
      if (type !== undefined) rule.type = type;
      if (f.name !== undefined) rule.name = f.name;
      return { candidate: { rule, key: `mqueue ${type ?? ""} ${f.name ?? ""}`, object: f.name ?? "mqueue", notes: [] } };
    }
    case "io_uring": {
      const rule: Rule = { kind: "io_uring", access: requested };
      if (f.peerProfile !== undefined) rule.label = f.peerProfile;
      return { candidate: { rule, key: `io_uring ${rule.label ?? ""}`, object: requested.join(" ") || "io_uring", notes: [] } };
    }
    case "change_profile": {
      const target = f.target ?? f.name;
      if (target === undefined || target === "") return { reason: "change_profile without a target profile" };
      if (f.error === -2 || /not found/.test(f.info ?? "")) return { reason: `change_profile to "${target}", a profile that is not loaded: load that profile instead` };
      return { candidate: { rule: { kind: "change_profile", target }, key: `change_profile ${target}`, object: target, notes: [] } };
    }
    case "change_hat":
      return { reason: "change_hat needs a hat in the profile (^name { … }), not a rule" };
    case "status":
      return { reason: "policy status record, not an access" };
    default:
      return { reason: `operation "${f.operation ?? "?"}" has no rule mapping yet` };
  }
}

/** Mount points and sources as rule paths: escaped, with the same variables as file paths; other sources (a device name, `none`) escaped as literals. */
function mountPath(path: string): string {
  return path.startsWith("/") ? pathPattern(path).pattern : escapeLiteral(path);
}

/** The accesses each kind's rule lists (kinds whose rules take no access list are absent). */
const ACCESS_OF: Partial<Record<AppArmorKind, ReadonlySet<string>>> = {
  unix: ACCESSES.unix, signal: ACCESSES.signal, ptrace: ACCESSES.ptrace, mqueue: ACCESSES.mqueue, io_uring: ACCESSES.io_uring,
};
