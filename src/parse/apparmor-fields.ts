/**
 * The AppArmor view of a record: the kernel has renamed several keys over the years
 * (`label`/`profile`, `requested`/`requested_mask`, `saddr`/`laddr` …) and USER_AVC nests the
 * event in `msg='…'`. This folds the synonyms into one typed shape so later stages need not care.
 */
import type { AuditRecord } from "./record.js";

export interface AppArmorFields {
  operation?: string;
  class?: string;
  profile?: string;
  peerProfile?: string;
  peer?: string;
  name?: string;
  target?: string;
  requested?: string;
  denied?: string;
  comm?: string;
  exe?: string;
  pid?: number;
  peerPid?: number;
  parent?: number;
  task?: number;
  fsuid?: number;
  ouid?: number;
  info?: string;
  peerInfo?: string;
  error?: number;
  namespace?: string;
  attribute?: string;
  magicToken?: number;
  capability?: number;
  capname?: string;
  family?: string;
  sockType?: string;
  protocol?: number;
  protocolName?: string;
  localAddr?: string;
  localPort?: number;
  foreignAddr?: string;
  foreignPort?: number;
  addr?: string;
  peerAddr?: string;
  bus?: string;
  path?: string;
  interface?: string;
  member?: string;
  signal?: string;
  fstype?: string;
  flags?: string;
  srcname?: string;
  execpath?: string;
}

/** glibc <netinet/in.h> IPPROTO names, first match wins (0 is "ip", not "hopopts"). */
const IPPROTO: Array<[number, string]> = [
  [0, "ip"], [1, "icmp"], [2, "igmp"], [4, "ipip"], [6, "tcp"], [8, "egp"], [12, "pup"], [17, "udp"],
  [22, "idp"], [29, "tp"], [33, "dccp"], [41, "ipv6"], [46, "rsvp"], [47, "gre"], [50, "esp"], [51, "ah"],
  [92, "mtp"], [94, "beetph"], [98, "encap"], [103, "pim"], [108, "comp"], [132, "sctp"], [136, "udplite"],
  [137, "mpls"], [143, "ethernet"], [255, "raw"], [262, "mptcp"], [0, "hopopts"], [43, "routing"],
  [44, "fragment"], [58, "icmpv6"], [59, "none"], [60, "dstopts"], [135, "mh"],
];
const PROTO_NAME = new Map<number, string>();
for (const [n, name] of IPPROTO) if (!PROTO_NAME.has(n)) PROTO_NAME.set(n, name);

export function protocolName(n: number): string {
  return PROTO_NAME.get(n) ?? `unknown(${n})`;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The first of several synonym keys that is present, in the order given. */
function pick(all: Record<string, string>, ...keys: string[]): string | undefined {
  for (const k of keys) if (all[k] !== undefined) return all[k];
  return undefined;
}

/** Fold a record's fields (and nested msg, which wins) into the AppArmor view. */
export function appArmorFields(record: AuditRecord): AppArmorFields {
  const all: Record<string, string> = record.msg === null ? record.fields : { ...record.fields, ...record.msg };
  let comm: string | undefined;
  for (const k of Object.keys(all)) if (k === "comm" || k === "exe") comm = all[k];
  const out: AppArmorFields = {
    operation: all.operation,
    class: all.class,
    profile: pick(all, "profile", "label"),
    peerProfile: pick(all, "peer_profile", "peer_label", "tcontext"),
    peer: all.peer,
    name: pick(all, "name", "capname"),
    target: pick(all, "target", "name2"),
    requested: pick(all, "requested_mask", "requested"),
    denied: pick(all, "denied_mask", "denied", "mask"),
    comm,
    exe: all.exe,
    pid: int(all.pid),
    peerPid: int(all.peer_pid),
    parent: int(all.parent),
    task: int(all.task),
    fsuid: int(all.fsuid),
    ouid: int(all.ouid),
    info: all.info,
    peerInfo: all.peer_info,
    namespace: all.namespace,
    attribute: all.attribute,
    magicToken: int(all.magic_token),
    capability: int(all.capability),
    capname: all.capname,
    family: all.family,
    sockType: all.sock_type,
    localAddr: pick(all, "laddr", "saddr"),
    localPort: int(pick(all, "lport", "src")),
    foreignAddr: pick(all, "faddr", "daddr"),
    foreignPort: int(pick(all, "fport", "dest")),
    bus: all.bus,
    path: all.path,
    interface: all.interface,
    member: pick(all, "member", "method"),
    signal: all.signal,
    fstype: all.fstype,
    flags: all.flags,
    srcname: all.srcname,
    execpath: all.execpath,
  };
  const error = int(all.error);
  if (error !== undefined) out.error = error;
  const proto = int(all.protocol);
  if (proto !== undefined) {
    out.protocol = proto;
    out.protocolName = protocolName(proto);
  } else if (all.protocol !== undefined) out.protocolName = all.protocol;
  if (all.addr !== undefined && all.addr !== "?" && all.addr !== "none") out.addr = all.addr;
  if (all.peer_addr !== undefined && all.peer_addr !== "none") out.peerAddr = all.peer_addr;
  for (const k of Object.keys(out) as Array<keyof AppArmorFields>) if (out[k] === undefined) delete out[k];
  return out;
}
