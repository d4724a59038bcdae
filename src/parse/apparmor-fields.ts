/**
 * The AppArmor view of a record: the kernel has renamed several keys over the years
 * (`label`/`profile`, `requested`/`requested_mask`, `saddr`/`laddr` …) and USER_AVC nests the
 * event in `msg='…'`. This folds the synonyms into one typed shape so later stages need not care.
 */
import type { AuditRecord } from "./record.js";
import { MAX_VALUE_CHARS, shorten } from "../input/detach.js";

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
  /** Members whose log value was longer than any the kernel writes (kept shortened: see shorten()). */
  oversized?: string[];
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

/** A decimal integer that is exact in a double (ids, pids, ports); anything else is not a number. */
function int(v: string): number | undefined {
  const n = Number(v);
  return v !== "" && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Which AppArmorFields member each log key feeds. Where several keys are synonyms the first
 * listed for a member wins (rank), e.g. `profile` over `label`; comm/exe: the last seen wins.
 */
type Target = [member: keyof AppArmorFields, rank: number, numeric: boolean];
const KEYS = {
  operation: ["operation", 0, false], class: ["class", 0, false],
  profile: ["profile", 0, false], label: ["profile", 1, false],
  peer_profile: ["peerProfile", 0, false], peer_label: ["peerProfile", 1, false], tcontext: ["peerProfile", 2, false],
  peer: ["peer", 0, false], name: ["name", 0, false], capname: ["capname", 0, false],
  target: ["target", 0, false], name2: ["target", 1, false],
  requested_mask: ["requested", 0, false], requested: ["requested", 1, false],
  denied_mask: ["denied", 0, false], denied: ["denied", 1, false], mask: ["denied", 2, false],
  exe: ["exe", 0, false], pid: ["pid", 0, true], peer_pid: ["peerPid", 0, true], parent: ["parent", 0, true],
  task: ["task", 0, true], fsuid: ["fsuid", 0, true], ouid: ["ouid", 0, true], info: ["info", 0, false],
  peer_info: ["peerInfo", 0, false], error: ["error", 0, true], namespace: ["namespace", 0, false],
  attribute: ["attribute", 0, false], magic_token: ["magicToken", 0, true], capability: ["capability", 0, true],
  family: ["family", 0, false], sock_type: ["sockType", 0, false],
  laddr: ["localAddr", 0, false], saddr: ["localAddr", 1, false], lport: ["localPort", 0, true], src: ["localPort", 1, true],
  faddr: ["foreignAddr", 0, false], daddr: ["foreignAddr", 1, false], fport: ["foreignPort", 0, true], dest: ["foreignPort", 1, true],
  bus: ["bus", 0, false], path: ["path", 0, false], interface: ["interface", 0, false],
  member: ["member", 0, false], method: ["member", 1, false], signal: ["signal", 0, false],
  fstype: ["fstype", 0, false], flags: ["flags", 0, false], srcname: ["srcname", 0, false], execpath: ["execpath", 0, false],
} satisfies Record<string, Target>;

/** Each member's slot in RANKS (the members KEYS feeds, in first-listed order). */
const MEMBER_SLOT = new Map<keyof AppArmorFields, number>();
for (const [member] of Object.values(KEYS) as Target[]) if (!MEMBER_SLOT.has(member)) MEMBER_SLOT.set(member, MEMBER_SLOT.size);
/** Log key → KEYS's target and its member's slot (a Map: log keys never touch an object). */
const TARGETS = new Map<string, [...Target, slot: number]>((Object.entries(KEYS) as Array<[string, Target]>).map(([key, t]) => [key, [...t, MEMBER_SLOT.get(t[0])!]]));
/**
 * The rank held by each member during one scan (reset per scan; scans never nest). A Map per
 * scan was a tenth of what a newly parsed record cost to allocate.
 */
const RANKS = new Int8Array(MEMBER_SLOT.size);
const NO_RANK = 127;

/**
 * Fold a record's fields (and nested msg, which wins) into the AppArmor view, in one pass over
 * the keys the record has. Only keys that are present are set.
 */
export function appArmorFields(record: AuditRecord): AppArmorFields {
  const out: Record<string, unknown> = {};
  let comm: string | undefined;
  let protocol: string | undefined;
  let addr: string | undefined;
  let peerAddr: string | undefined;
  let oversized: string[] | undefined;
  // Called for the fields, then for msg='…', whose values override (the inner pid is the subject's).
  const scan = (map: Record<string, string>) => {
    RANKS.fill(NO_RANK);
    for (const key in map) {
      const value = map[key]!;
      if (key === "comm" || key === "exe") comm = value;
      if (key === "protocol") protocol = value;
      else if (key === "addr") addr = value;
      else if (key === "peer_addr") peerAddr = value;
      const t = TARGETS.get(key);
      if (t === undefined) continue;
      const [member, rank, numeric, slot] = t;
      if (RANKS[slot]! < rank) continue;
      let v: string | number | undefined = numeric ? int(value) : value;
      if (v === undefined) continue;
      if (typeof v === "string" && v.length > MAX_VALUE_CHARS) {
        v = shorten(v);
        (oversized ??= []).push(member);
      }
      out[member] = v;
      RANKS[slot] = rank;
    }
  };
  scan(record.fields);
  if (record.msg !== null) scan(record.msg);
  const f = out as AppArmorFields;
  if (f.name === undefined && f.capname !== undefined) f.name = f.capname;
  if (comm !== undefined) f.comm = shorten(comm);
  if (oversized !== undefined) f.oversized = oversized;
  if (protocol !== undefined) {
    const n = int(protocol);
    if (n !== undefined) {
      f.protocol = n;
      f.protocolName = protocolName(n);
    } else f.protocolName = protocol;
  }
  if (addr !== undefined && addr !== "?" && addr !== "none") f.addr = shorten(addr);
  if (peerAddr !== undefined && peerAddr !== "none") f.peerAddr = shorten(peerAddr);
  return f;
}
