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

/**
 * Fold a record's fields (and nested msg, which wins) into the AppArmor view. Only keys that are
 * present are set: no undefined members, so the object stays small and fast.
 */
export function appArmorFields(record: AuditRecord): AppArmorFields {
  const { fields, msg } = record;
  const get = msg === null ? (k: string) => fields[k] : (k: string) => msg[k] ?? fields[k];
  /** The first of several synonym keys that is present, in the order given. */
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const out: AppArmorFields = {};
  const str = <K extends keyof AppArmorFields>(name: K, v: string | undefined) => {
    if (v !== undefined) (out as Record<string, unknown>)[name] = v;
  };
  const num = <K extends keyof AppArmorFields>(name: K, v: string | undefined) => {
    const n = int(v);
    if (n !== undefined) (out as Record<string, unknown>)[name] = n;
  };

  str("operation", get("operation"));
  str("class", get("class"));
  str("profile", pick("profile", "label"));
  str("peerProfile", pick("peer_profile", "peer_label", "tcontext"));
  str("peer", get("peer"));
  str("name", pick("name", "capname"));
  str("target", pick("target", "name2"));
  str("requested", pick("requested_mask", "requested"));
  str("denied", pick("denied_mask", "denied", "mask"));
  // comm and exe both name the process; libapparmor keeps whichever comes last.
  let comm: string | undefined;
  for (const source of msg === null ? [fields] : [fields, msg]) for (const k in source) if (k === "comm" || k === "exe") comm = source[k];
  str("comm", comm);
  str("exe", get("exe"));
  num("pid", get("pid"));
  num("peerPid", get("peer_pid"));
  num("parent", get("parent"));
  num("task", get("task"));
  num("fsuid", get("fsuid"));
  num("ouid", get("ouid"));
  str("info", get("info"));
  str("peerInfo", get("peer_info"));
  num("error", get("error"));
  str("namespace", get("namespace"));
  str("attribute", get("attribute"));
  num("magicToken", get("magic_token"));
  num("capability", get("capability"));
  str("capname", get("capname"));
  str("family", get("family"));
  str("sockType", get("sock_type"));
  const protocol = get("protocol");
  const proto = int(protocol);
  if (proto !== undefined) {
    out.protocol = proto;
    out.protocolName = protocolName(proto);
  } else str("protocolName", protocol);
  str("localAddr", pick("laddr", "saddr"));
  num("localPort", pick("lport", "src"));
  str("foreignAddr", pick("faddr", "daddr"));
  num("foreignPort", pick("fport", "dest"));
  const addr = get("addr");
  if (addr !== "?" && addr !== "none") str("addr", addr);
  const peerAddr = get("peer_addr");
  if (peerAddr !== "none") str("peerAddr", peerAddr);
  str("bus", get("bus"));
  str("path", get("path"));
  str("interface", get("interface"));
  str("member", pick("member", "method"));
  str("signal", get("signal"));
  str("fstype", get("fstype"));
  str("flags", get("flags"));
  str("srcname", get("srcname"));
  str("execpath", get("execpath"));
  return out;
}
