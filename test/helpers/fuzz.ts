/**
 * Seeded fuzzing of the built CLI with hostile log input (test/fuzz.hostile-input.test.ts):
 * - a PRNG (mulberry32) behind a small Rng, seeded by AALENS_FUZZ_SEED or a fixed default;
 * - base lines: real AppArmor/audit lines from samples/ and libapparmor's test_multi corpus;
 * - mutation primitives and the mutation families;
 * - sentinel batching: every mutated line sits between two known-good lines that each produce a
 *   unique denial, so a bad line that swallows, hides or breaks its neighbours is caught;
 * - a runner for `node dist/src/cli/main.js` in a child process, with a timeout and peak RSS
 *   (GNU time's %M when it works, else process.resourceUsage() written by a preloaded module);
 * - the checks every run goes through (exit status, stack traces, sentinels, accounting, time and
 *   memory, unsafe characters in any output byte stream), returned as readable violation strings.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createGunzip, gunzipSync } from "node:zlib";
import { CLI, ROOT } from "./cli.js";
import { corpusAvailable, loadCorpus } from "./corpus.js";
import { parseRfc4180 } from "./rfc4180.js";
import { SKIP_CODES, WARNING_CODES } from "../../src/input/reasons.js";

// ---------------------------------------------------------------------------------------------
// Seed and PRNG

/** The default seed: fixed, so every run fuzzes the same inputs unless AALENS_FUZZ_SEED says otherwise. */
export const DEFAULT_SEED = 0x5eeda1e5;

/** AALENS_FUZZ_SEED (decimal or 0x…) or DEFAULT_SEED, as an unsigned 32-bit integer. */
export function fuzzSeed(): number {
  const raw = process.env.AALENS_FUZZ_SEED;
  if (raw === undefined || raw.trim() === "") return DEFAULT_SEED;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`AALENS_FUZZ_SEED must be a non-negative integer (decimal or 0x…), not ${JSON.stringify(raw)}`);
  return n >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a label: derives independent sub-seeds, so one family's draws never shift another's. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  /** An independent generator for `label` (a family, a case). */
  fork(label: string): Rng {
    return new Rng((this.seed ^ fnv1a(label)) >>> 0);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------
// Showing inputs and outputs in failure messages

const SHOW_AS_ESCAPE = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"\\]/g;

function escapeChars(s: string, bytes = false): string {
  return s.replace(bytes ? /[\x00-\x1f\x7f-\xff"\\]/g : SHOW_AS_ESCAPE, (c) => {
    if (c === '"') return '\\"';
    if (c === "\\") return "\\\\";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A JS literal for a line: `"…"` when it is valid UTF-8, else `Buffer.from("…", "latin1")` so the
 * exact bytes can be pasted back. Long values keep their head and say how much was cut.
 */
export function literal(value: Buffer | string, max = 260): string {
  let text: string;
  let raw = false;
  if (typeof value === "string") text = value;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(value);
    } catch {
      text = value.toString("latin1");
      raw = true;
    }
  }
  const cut = text.length > max ? text.slice(0, max) : text;
  let body = `"${escapeChars(cut, raw)}"`;
  if (raw) body = `Buffer.from(${body}, "latin1")`;
  return text.length > max ? `${body} /* …${text.length - max} more chars */` : body;
}

// ---------------------------------------------------------------------------------------------
// Base lines: real logs

export interface BaseLine {
  origin: string;
  text: string;
}

const AUDITISH = /apparmor=|audit\(|type=|audit\[\d+\]|AVC /;

/** Shapes the samples lack (the corpus has most of them, but it may be absent). */
export const TEMPLATES: readonly string[] = [
  `type=USER_AVC msg=audit(1764382390.100:4001): pid=912 uid=102 auid=4294967295 ses=4294967295 subj=unconfined msg='apparmor="DENIED" operation="dbus_method_call"  bus="system" path="/org/freedesktop/DBus" interface="org.freedesktop.DBus" member="Hello" mask="send" name="org.freedesktop.DBus" pid=2001 label="snap.fuzz.app" peer_label="unconfined" exe="/usr/bin/dbus-daemon" sauid=102 hostname=? addr=? terminal=?'\x1dUID="messagebus" AUID="unset" SAUID="messagebus"`,
  `type=AVC msg=audit(1764382390.200:4002): apparmor="DENIED" operation="mount" class="mount" info="failed mntpnt match" error=-13 profile="pasta" name="/mnt/" pid=2002 comm="pasta" srcname="/dev/sda1" fstype="ext4" flags="rw, nosuid"`,
  `type=AVC msg=audit(1764382390.300:4003): apparmor="DENIED" operation="capable" class="cap" profile="pasta" pid=2003 comm="pasta" capability=12  capname="net_admin"`,
  `type=AVC msg=audit(1764382390.400:4004): apparmor="DENIED" operation="signal" class="signal" profile="pasta" pid=2004 comm="podman" requested_mask="receive" denied_mask="receive" signal=term peer="podman"`,
  `type=AVC msg=audit(1764382390.500:4005): apparmor="DENIED" operation="connect" class="unix" profile="pasta" pid=2005 comm="pasta" family="unix" sock_type="stream" protocol=0 requested_mask="send receive connect" denied_mask="send receive connect" addr=none peer_addr="@/tmp/.X11-unix/X0" peer="unconfined"`,
  `type=AVC msg=audit(1764382390.600:4006): apparmor="DENIED" operation="ptrace" class="ptrace" profile="buildah" pid=2006 comm="buildah" requested_mask="read" denied_mask="read" peer="pasta"`,
  `type=AVC msg=audit(1764382390.700:4007): apparmor="DENIED" operation="exec" class="file" info="no new privs" error=-1 profile="pasta" name="/usr/bin/passt.avx2" pid=2007 comm="pasta" requested_mask="x" denied_mask="x" fsuid=1000 ouid=0 target="/usr/bin/passt.avx2"`,
  `type=SYSCALL msg=audit(1764382390.700:4007): arch=c000003e syscall=59 success=no exit=-1 a0=55d0 a1=55d1 a2=55d2 a3=0 items=1 ppid=2000 pid=2007 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="pasta" exe="/usr/bin/pasta" subj=pasta key=(null)`,
  `type=PROCTITLE msg=audit(1764382390.700:4007): proctitle=2F7573722F62696E2F7061737461002D2D636F6E6669672D6E6574`,
  `type=CWD msg=audit(1764382390.700:4007): cwd=2F686F6D652F616C69636520776F726B`,
  `type=PATH msg=audit(1764382390.700:4007): item=0 name=2F746D702F612062 inode=1234 dev=00:1f mode=0100644 ouid=1000 ogid=1000 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
  `type=AVC msg=audit(1764382390.800:4008): apparmor="DENIED" operation="open" class="file" profile="zoë-app" name="/home/zoë/файл.txt" pid=2008 comm="zoë" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000`,
  `type=AVC msg=audit(1764382390.900:4009): apparmor="DENIED" operation="sendmsg" class="net" profile="pasta" pid=2009 comm="pasta" laddr=10.0.2.100 lport=53 faddr=192.168.1.1 fport=53 family="inet" sock_type="dgram" protocol=17 requested="send" denied="send"`,
  `node=fuzzhost type=AVC msg=audit(1764382391.000:4010): apparmor="ALLOWED" operation="file_mmap" class="file" profile="complainer" name="/usr/lib/libx.so" pid=2010 comm="x" requested_mask="mr" denied_mask="mr" fsuid=0 ouid=0`,
  `Nov 29 09:12:03 fuzzhost kernel: [ 4211.093421] audit: type=1400 audit(1764407523.091:4011): apparmor="DENIED" operation="userns_create" class="namespace" info="Userns create restricted - failing namespace" profile="unprivileged_userns" pid=2011 comm="pasta" requested="userns_create" denied="userns_create"`,
  `type=AVC msg=audit(11/29/2025 02:21:40.412:4012) : apparmor=DENIED operation=open class=file profile=passt name=/run/user/1000/netns/netns-5d1f pid=2012 comm=pasta requested_mask=r denied_mask=r fsuid=alice ouid=root`,
  `type=AVC msg=audit(1764382391.200:4013): apparmor="DENIED" operation="change_onexec" info="no new privs" error=-1 profile="unconfined" name="p//null-/bin/x" pid=2013 comm="x" target="p//null-/bin/x"`,
];

export interface BaseCorpus {
  lines: BaseLine[];
  /** Lines taken from libapparmor's corpus (0 when it is absent). */
  corpusLines: number;
  /** journal.json's entries, parsed, for the journald families. */
  journalEntries: Array<Record<string, unknown>>;
}

/** Every audit-looking line of samples/ (decompressed, journal MESSAGEs extracted) and the corpus. */
export function loadBaseLines(): BaseCorpus {
  const seen = new Set<string>();
  const lines: BaseLine[] = [];
  const journalEntries: Array<Record<string, unknown>> = [];
  const add = (origin: string, text: string) => {
    const t = text.replace(/\r$/, "");
    if (t === "" || t.includes("\n") || !AUDITISH.test(t) || seen.has(t)) return;
    seen.add(t);
    lines.push({ origin, text: t });
  };
  const dir = join(ROOT, "samples");
  for (const f of readdirSync(dir).sort()) {
    const raw = readFileSync(join(dir, f));
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    text.split("\n").forEach((line, i) => {
      if (f.endsWith(".json") && line.startsWith("{")) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        journalEntries.push(entry);
        const m = entry.MESSAGE;
        if (typeof m === "string") add(`samples/${f}:${i + 1}`, m);
        else if (Array.isArray(m)) add(`samples/${f}:${i + 1}`, Buffer.from(m as number[]).toString("utf8"));
      } else add(`samples/${f}:${i + 1}`, line);
    });
  }
  TEMPLATES.forEach((t, i) => add(`template ${i}`, t));
  let corpusLines = 0;
  if (corpusAvailable) {
    for (const c of loadCorpus()) {
      c.input.split("\n").forEach((line, i) => {
        const before = lines.length;
        add(`corpus ${c.name}.in:${i + 1}`, line);
        corpusLines += lines.length - before;
      });
    }
  }
  return { lines, corpusLines, journalEntries };
}

// ---------------------------------------------------------------------------------------------
// Mutation primitives

/** `key=value` pairs of an audit line (value: quoted, single-quoted or bare). */
const PAIR = /(^|[\s\x1d'(])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"?|'[^']*'?|[^\s\x1d']*)/g;

export interface Pair {
  key: string;
  /** Offset of the value (after the `=`), and of its end. */
  start: number;
  end: number;
  value: string;
}

export function pairsOf(line: string): Pair[] {
  const out: Pair[] = [];
  for (const m of line.matchAll(PAIR)) {
    const start = m.index + m[1]!.length + m[2]!.length + 1;
    out.push({ key: m[2]!, start, end: start + m[3]!.length, value: m[3]! });
  }
  return out;
}

/** Replace the (first) value of `key`; append ` key=raw` when the line has no such key. */
export function setValue(line: string, key: string, raw: string): string {
  const p = pairsOf(line).find((x) => x.key === key);
  if (p === undefined) return `${line} ${key}=${raw}`;
  return line.slice(0, p.start) + raw + line.slice(p.end);
}

/** Upper-case hex of a string's UTF-8 bytes (or of raw bytes): the kernel's untrusted-string form. */
export function hex(value: string | Buffer): string {
  return (typeof value === "string" ? Buffer.from(value, "utf8") : value).toString("hex").toUpperCase();
}

export function insertAt(line: string, at: number, what: string): string {
  return line.slice(0, at) + what + line.slice(at);
}

/** A place inside the line: anywhere, inside a value, right after `=`, or before a closing quote. */
export function somePlace(rng: Rng, line: string): number {
  const pairs = pairsOf(line);
  if (pairs.length === 0 || rng.chance(0.3)) return rng.int(line.length + 1);
  const p = rng.pick(pairs);
  switch (rng.int(3)) {
    case 0:
      return p.start;
    case 1:
      return p.start + (p.end > p.start ? rng.int(p.end - p.start) : 0);
    default:
      return Math.max(p.start, p.end - 1);
  }
}

/** The line's audit(…) stamp replaced (or a header with it put in front). */
export function withStamp(line: string, stamp: string): string {
  const m = /audit\([^)]*\)/.exec(line);
  if (m !== null) return line.slice(0, m.index) + stamp + line.slice(m.index + m[0].length);
  return `type=AVC msg=${stamp}: ${line}`;
}

/** No newline inside one fuzzed line: it would only split it into two lines. */
export function oneLine(line: Buffer | string): Buffer {
  const b = Buffer.from(typeof line === "string" ? Buffer.from(line, "utf8") : line);
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) b[i] = 0x20;
  return b;
}

/** Does the line carry an audit marker (README: such a line is a record, or counted as unparsed)? */
export function hasMarker(b: Buffer): boolean {
  return b.includes("apparmor=") || b.includes("audit(");
}

// ---------------------------------------------------------------------------------------------
// Hostile character sets

/** ESC sequences, C1 controls, bidi and format characters, DEL: none may reach an output raw. */
export const CONTROL_SEQUENCES: readonly string[] = [
  "\x1b]0;PWNED\x07\x1b[2J",
  "\x1b[31mRED\x1b[0m",
  "\x1b[2J\x1b[H",
  "\x1bP+q\x1b\\",
  "\u009b31m",
  "\u009b2J",
  "\u0085",
  "\u0090",
  "\u009d0;PWNED\u009c",
  "\u202e",
  "\u202d",
  "\u202a",
  "\u2066",
  "\u2067",
  "\u2069",
  "\u200b",
  "\u200e",
  "\u200f",
  "\ufeff",
  "\x7f",
  "\x00",
  "\x08\x08\x08",
  "\x0b",
  "\x0c",
  "\r",
  "\x1d",
  "\x07",
  "\x1b",
];

export function randomC0(rng: Rng): string {
  let c = rng.int(32);
  if (c === 0x0a) c = 0x0d;
  return String.fromCharCode(c);
}

/** Keys whose values the kernel hex-encodes when they hold spaces, quotes or control bytes. */
export const HEX_KEYS: readonly string[] = ["name", "comm", "exe", "profile", "target", "peer", "srcname", "proctitle", "cwd", "execpath", "label", "peer_label", "fstype"];

/** Names of Object.prototype members (and friends) as keys and values. */
export const MEMBER_NAMES: readonly string[] = [
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__proto__",
  "prototype",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupSetter__",
  "length",
  "then",
];

// ---------------------------------------------------------------------------------------------
// Sentinels and batches

/** 4 letters (a–z) for i: fixed width, so no sentinel's resource is a prefix of another's. */
function letters(i: number): string {
  let s = "";
  for (let k = 0; k < 4; k++) {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  }
  return s;
}

export interface Sentinel {
  /** The auditd line (for journald: its MESSAGE). */
  text: string;
  /** The unique resource its denial reports. */
  resource: string;
}

/** Known-good lines, each producing one unique DENIED open of `/srv/fuzz/<tag>/sXXXX`. */
export class Sentinels {
  readonly all: Sentinel[] = [];
  private readonly base: number;
  constructor(readonly tag: string) {
    if (!/^[a-z0-9]+$/.test(tag)) throw new Error(`sentinel tag ${tag}: letters and digits only`);
    this.base = 100_000 + (fnv1a(tag) % 40_000) * 100_000;
  }
  next(): Sentinel {
    const i = this.all.length;
    const sec = 1600000000 + (fnv1a(this.tag) % 10_000) * 1000 + Math.floor(i / 1000);
    const ms = String(i % 1000).padStart(3, "0");
    const resource = `/srv/fuzz/${this.tag}/s${letters(i)}`;
    const text = `type=AVC msg=audit(${sec}.${ms}:${this.base + i}): apparmor="DENIED" operation="open" class="file" profile="fuzz_sentinel" name="${resource}" pid=4242 comm="fuzzsentinel" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
    const s = { text, resource };
    this.all.push(s);
    return s;
  }
  resources(): string[] {
    return this.all.map((s) => s.resource);
  }
}

/** One fuzzed line (or journal entry) of a batch: where it is, its bytes, whether it carries an audit marker. */
export interface BadLine {
  line: number;
  bytes: Buffer;
  marker: boolean;
}

export interface Batch {
  data: Buffer;
  sentinels: Sentinels;
  /** Line (or entry) number of each sentinel, by resource. */
  sentinelLines: Map<string, number>;
  bad: BadLine[];
}

/** S, bad₁, S, bad₂, …, badₙ, S as a text log (one line each, LF-terminated). */
export function textBatch(tag: string, bad: ReadonlyArray<Buffer | string>): Batch {
  const sentinels = new Sentinels(tag);
  const parts: Buffer[] = [];
  const sentinelLines = new Map<string, number>();
  const badLines: BadLine[] = [];
  let line = 0;
  const nl = Buffer.from("\n");
  const putSentinel = () => {
    const s = sentinels.next();
    sentinelLines.set(s.resource, ++line);
    parts.push(Buffer.from(s.text), nl);
  };
  putSentinel();
  for (const b of bad) {
    const bytes = oneLine(b);
    badLines.push({ line: ++line, bytes, marker: hasMarker(bytes) });
    parts.push(bytes, nl);
    putSentinel();
  }
  return { data: Buffer.concat(parts), sentinels, sentinelLines, bad: badLines };
}

/** A journald JSON sentinel entry (kernel transport). */
export function journalJsonSentinel(s: Sentinel, n: number): string {
  return JSON.stringify({
    __CURSOR: `s=f0f0;i=${n.toString(16)};b=fuzz;m=${n};t=1;x=${n}`,
    __REALTIME_TIMESTAMP: "1700000000000000",
    _BOOT_ID: "f0f0",
    _TRANSPORT: "kernel",
    PRIORITY: "5",
    SYSLOG_IDENTIFIER: "kernel",
    _HOSTNAME: "fuzzhost",
    MESSAGE: `audit: type=1400 ${s.text.slice(s.text.indexOf("audit("))}`,
  });
}

export interface BadEntry {
  raw: Buffer | string;
  /** The entry carries audit text that must become a record or be counted. */
  marker: boolean;
}

/** journalctl -o json: S, bad₁, S, … (one JSON object per line). */
export function journalJsonBatch(tag: string, bad: readonly BadEntry[]): Batch {
  const sentinels = new Sentinels(tag);
  const parts: Buffer[] = [];
  const sentinelLines = new Map<string, number>();
  const badLines: BadLine[] = [];
  let line = 0;
  const nl = Buffer.from("\n");
  const putSentinel = () => {
    const s = sentinels.next();
    sentinelLines.set(s.resource, ++line);
    parts.push(Buffer.from(journalJsonSentinel(s, line)), nl);
  };
  putSentinel();
  for (const b of bad) {
    const bytes = oneLine(b.raw);
    badLines.push({ line: ++line, bytes, marker: b.marker });
    parts.push(bytes, nl);
    putSentinel();
  }
  return { data: Buffer.concat(parts), sentinels, sentinelLines, bad: badLines };
}

/** One journal export field: `NAME=value\n`, or binary `NAME\n<u64le length><bytes>\n`. */
export function exportField(name: string, value: string | Buffer, binary = typeof value !== "string" || value.includes("\n")): Buffer {
  const v = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (!binary) return Buffer.concat([Buffer.from(`${name}=`, "latin1"), v, Buffer.from("\n")]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(v.length));
  return Buffer.concat([Buffer.from(`${name}\n`, "latin1"), len, v, Buffer.from("\n")]);
}

export function exportSentinel(s: Sentinel, n: number): Buffer {
  return Buffer.concat([
    exportField("__CURSOR", `s=f0f0;i=${n.toString(16)};b=fuzz;m=${n};t=1;x=${n}`),
    exportField("__REALTIME_TIMESTAMP", "1700000000000000"),
    exportField("_TRANSPORT", "kernel"),
    exportField("_HOSTNAME", "fuzzhost"),
    exportField("SYSLOG_IDENTIFIER", "kernel"),
    exportField("MESSAGE", `audit: type=1400 ${s.text.slice(s.text.indexOf("audit("))}`),
  ]);
}

/** journalctl -o export: entries (fields, then an empty line): S, bad₁, S, … */
export function exportBatch(tag: string, bad: readonly BadEntry[]): Batch & { entryEnds: number[] } {
  const sentinels = new Sentinels(tag);
  const parts: Buffer[] = [];
  const sentinelLines = new Map<string, number>();
  const badLines: BadLine[] = [];
  const entryEnds: number[] = [];
  let size = 0;
  let entry = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
  };
  const putSentinel = () => {
    const s = sentinels.next();
    sentinelLines.set(s.resource, ++entry);
    push(exportSentinel(s, entry));
    push(Buffer.from("\n"));
    entryEnds.push(size);
  };
  putSentinel();
  for (const b of bad) {
    const bytes = typeof b.raw === "string" ? Buffer.from(b.raw, "utf8") : b.raw;
    badLines.push({ line: ++entry, bytes, marker: b.marker });
    push(bytes);
    push(Buffer.from("\n"));
    entryEnds.push(size);
    putSentinel();
  }
  return { data: Buffer.concat(parts), sentinels, sentinelLines, bad: badLines, entryEnds };
}

/**
 * What Node's zlib decompresses from `data` before it fails (everything, for a sound archive),
 * and whether it failed: the oracle for what a corrupt archive may still yield.
 */
export async function gunzipPrefix(data: Buffer): Promise<{ out: Buffer; error: string | null }> {
  const chunks: Buffer[] = [];
  let error: string | null = null;
  await new Promise<void>((resolve) => {
    const g = createGunzip();
    g.on("data", (c: Buffer) => chunks.push(c));
    g.on("error", (e: Error) => {
      error = e.message;
      resolve();
    });
    g.on("end", () => resolve());
    g.end(data);
  });
  return { out: Buffer.concat(chunks), error };
}

/** Sentinels whose whole line (with its LF) is in `text`. */
export function sentinelsIn(text: Buffer, sentinels: readonly Sentinel[]): string[] {
  const lines = new Set(text.toString("latin1").split("\n").slice(0, -1));
  return sentinels.filter((s) => lines.has(s.text)).map((s) => s.resource);
}

// ---------------------------------------------------------------------------------------------
// Running the built CLI

export type Command = "json" | "text" | "markdown" | "html" | "csv" | "csv-aggregate" | "ecs" | "rules" | "pasta" | "parse";

/** The arguments of each command under test (inputs and case options are appended). */
export function commandArgs(cmd: Command): string[] {
  switch (cmd) {
    case "json":
      return ["analyze", "--format", "json", "--no-policy"];
    case "text":
      return ["analyze"];
    case "markdown":
      // Every list whole: the check below looks for every sentinel denial in it.
      return ["analyze", "--format", "markdown", "--top", "1000000"];
    case "html":
      return ["analyze", "--format", "html", "--no-policy", "--top", "1000000"];
    case "csv":
      return ["analyze", "--format", "csv", "--no-policy"];
    case "csv-aggregate":
      return ["analyze", "--format", "csv", "--csv-rows", "aggregate"];
    case "ecs":
      return ["analyze", "--format", "ecs", "--ecs-original", "--ecs-errors", "--mode", "all", "--no-policy"];
    case "rules":
      return ["rules", "--mode", "all"];
    case "pasta":
      return ["pasta"];
    case "parse":
      return ["parse"];
  }
}

export const LIMITS = {
  /** Per CLI run. */
  timeoutMs: 20_000,
  maxRssKb: 300 * 1024,
};

export interface CliRun {
  args: string[];
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  ms: number;
  /** Peak resident set of the CLI process in KiB, or null when it could not be measured. */
  maxRssKb: number | null;
  rssHow: string;
  stdout: Buffer;
  stderr: Buffer;
  spawnError?: string;
}

let gnuTime: boolean | undefined;
/** GNU time with -f/-o, when it is installed and works here. */
function haveGnuTime(): boolean {
  if (gnuTime === undefined) {
    gnuTime = false;
    // AALENS_FUZZ_RSS=resource-usage forces the fallback (to check it where GNU time exists).
    if (process.env.AALENS_FUZZ_RSS !== "resource-usage" && existsSync("/usr/bin/time")) {
      const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "-e", "0"], { encoding: "utf8", timeout: 10_000 });
      gnuTime = r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split("\n").pop() ?? "");
    }
  }
  return gnuTime;
}

let preload: string | undefined;
/** A module preloaded into the CLI that writes its own peak RSS (KiB) at exit: the fallback. */
function preloadModule(dir: string): string {
  if (preload === undefined) {
    preload = join(dir, "rss-preload.mjs");
    writeFileSync(
      preload,
      `import { writeFileSync } from "node:fs";\n` +
        `process.on("exit", () => { try { writeFileSync(process.env.AALENS_FUZZ_RSS_FILE, String(process.resourceUsage().maxRSS)); } catch {} });\n`,
    );
  }
  return preload;
}

/**
 * At most this many CLI processes at once (the whole file shares it): one more than the cores,
 * so the CPU stays busy while the test process checks an output, but never more than 4.
 */
const MAX_PARALLEL = Math.max(2, Math.min(4, availableParallelism() + 1));
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(job: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let runNo = 0;
const MAX_CAPTURE = 256 * 1024 * 1024;

/**
 * Run `node dist/src/cli/main.js …args` in its own process group (so a timeout kills all of it),
 * with stdin from `stdinFile` or /dev/null, and measure wall time and peak RSS.
 */
export function runCli(args: string[], opts: { workDir: string; stdinFile?: string; timeoutMs?: number }): Promise<CliRun> {
  return slot(
    () =>
      new Promise<CliRun>((resolve) => {
        const timeoutMs = opts.timeoutMs ?? LIMITS.timeoutMs;
        const rssFile = join(opts.workDir, `rss-${process.pid}-${++runNo}.txt`);
        rmSync(rssFile, { force: true });
        const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", TZ: "UTC", LC_ALL: "C.UTF-8" };
        delete env.AALENS_DEBUG;
        delete env.FORCE_COLOR;
        let cmd: string;
        let argv: string[];
        let rssHow: string;
        if (haveGnuTime()) {
          cmd = "/usr/bin/time";
          argv = ["-f", "%M", "-o", rssFile, process.execPath, CLI, ...args];
          rssHow = "GNU time %M";
        } else {
          cmd = process.execPath;
          argv = ["--import", pathToFileURL(preloadModule(opts.workDir)).href, CLI, ...args];
          env.AALENS_FUZZ_RSS_FILE = rssFile;
          rssHow = "process.resourceUsage().maxRSS";
        }
        const stdinFd = opts.stdinFile === undefined ? "ignore" : openSync(opts.stdinFile, "r");
        const started = performance.now();
        const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: [stdinFd, "pipe", "pipe"], detached: true });
        if (typeof stdinFd === "number") closeSync(stdinFd);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let outSize = 0;
        let timedOut = false;
        const kill = () => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
        };
        const timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, timeoutMs);
        child.stdout!.on("data", (c: Buffer) => {
          outSize += c.length;
          if (outSize <= MAX_CAPTURE) out.push(c);
          else kill();
        });
        child.stderr!.on("data", (c: Buffer) => err.push(c));
        let spawnError: string | undefined;
        child.on("error", (e) => (spawnError = e.message));
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          const ms = performance.now() - started;
          let status = code;
          let sig: string | null = signal;
          let maxRssKb: number | null = null;
          if (existsSync(rssFile)) {
            const text = readFileSync(rssFile, "utf8");
            rmSync(rssFile, { force: true });
            const lines = text.trim().split("\n");
            const last = Number(lines[lines.length - 1]);
            if (Number.isFinite(last) && last > 0) maxRssKb = last;
            const killed = /terminated by signal (\d+)/.exec(text);
            if (killed !== null) {
              sig = `signal ${killed[1]}`;
              status = null;
            }
          }
          resolve({ args, status, signal: sig, timedOut, ms, maxRssKb, rssHow, stdout: Buffer.concat(out), stderr: Buffer.concat(err), ...(spawnError ? { spawnError } : {}) });
        });
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Checks

/** What the inputs of a case promise. */
export interface Expectation {
  /** Resources that every output listing denials must report. */
  sentinels: string[];
  /** The sentinel lines (for naming the neighbours of a missing one). */
  sentinelLines?: Map<string, number>;
  /** The fuzzed lines of the file named by `source`. */
  bad?: BadLine[];
  /** The `source` the fuzzed file is reported as ("-" for stdin). */
  source?: string;
  /**
   * "exact": every fuzzed line with an audit marker is a record at its own line number or is
   * counted as skipped; "count": the same, counted over the file (journal export, whose entry
   * numbers may shift after a malformed entry); "none": not checked.
   */
  perLine?: "exact" | "count" | "none";
  /** Inputs (path suffixes) that must be named in errors[]. */
  errorsFor?: string[];
  /** Something in the inputs must be skipped: exit status 2. */
  mustSkip?: boolean;
  /** Extra check of `rules` output for injected rules (injection family). */
  injection?: boolean;
  /** Extra check: keys named like object members that parse read are kept in the ECS documents. */
  memberKeys?: readonly string[];
}

const KNOWN_CODES = new Set<string>([...Object.keys(SKIP_CODES), ...Object.keys(WARNING_CODES)]);
const STACK = /\n\s+at (?:async )?(?:[^\n]*\()?(?:file:\/\/|node:|\/)[^\n]*:\d+(?::\d+)?\)?/;
const INTERNAL = /internal error/i;

/**
 * Characters from logs that must never reach an output raw: C0 controls except TAB and LF (CR
 * only as CSV's CRLF), DEL, C1 controls, and the bidi/format characters U+200B–U+200F,
 * U+202A–U+202E, U+2066–U+2069 and U+FEFF. (JSON may carry them as \u escapes: those are ASCII.)
 */
export function unsafeChars(buf: Buffer, crlf: boolean): Array<{ offset: number; cp: number; context: string }> {
  const text = buf.toString("utf8");
  const found: Array<{ offset: number; cp: number; context: string }> = [];
  const seen = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const bad =
      (c < 0x20 && c !== 0x09 && c !== 0x0a && !(c === 0x0d && crlf && text.charCodeAt(i + 1) === 0x0a)) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0xfeff;
    // The first place of each distinct character, for at most 6 of them.
    if (!bad || seen.has(c)) continue;
    seen.add(c);
    found.push({ offset: i, cp: c, context: literal(text.slice(Math.max(0, i - 70), i + 30), 200) });
    if (found.length >= 6) break;
  }
  return found;
}

function u(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
}

function excerptOf(b: Buffer, max = 300): string {
  return literal(b.toString("utf8"), max);
}

/** The fuzzed lines next to a sentinel (the likely culprits when it went missing). */
function neighbours(resource: string, exp: Expectation): string {
  const at = exp.sentinelLines?.get(resource);
  if (at === undefined || exp.bad === undefined) return "";
  const near = exp.bad.filter((b) => b.line === at - 1 || b.line === at + 1);
  return near.map((b) => `\n      line ${b.line}: ${literal(b.bytes, 200)}`).join("");
}

function missingSentinels(label: string, missing: string[], exp: Expectation): string[] {
  if (missing.length === 0) return [];
  const shown = missing.slice(0, 4).map((r) => `\n    ${r}${neighbours(r, exp)}`).join("");
  return [`(3) ${missing.length} of ${exp.sentinels.length} sentinel denial(s) missing from ${label}:${shown}`];
}

interface JsonReport {
  summary: Record<string, number>;
  denials: Array<{ resource: string }>;
  unparsed: Array<{ code?: unknown; count?: unknown; message?: unknown; examples?: Array<{ line?: number; source?: string; excerpt?: string }> }>;
  warnings: Array<{ code?: unknown; count?: unknown; message?: unknown }>;
  errors: Array<{ source: string; message: string }>;
}

export interface RunFacts {
  /** From the JSON report: lines skipped in all (unparsed + skippedLines). */
  skipped?: number;
  /** From parse's stderr: lines skipped in all. */
  parseSkipped?: number;
}

/** Invariants (1), (2), (5) and (6) of any run: exit status, no stack trace, time and memory, no unsafe characters. */
export function commonChecks(run: CliRun, crlf: boolean): string[] {
  const v: string[] = [];
  const stdout = run.stdout.toString("utf8");
  const stderr = run.stderr.toString("utf8");
  const errExcerpt = () => (stderr.trim() === "" ? "(stderr empty)" : `stderr: ${excerptOf(run.stderr, 400)}`);

  // (1) exit status; (5) time and memory
  if (run.spawnError !== undefined) v.push(`(1) could not run: ${run.spawnError}`);
  if (run.timedOut) v.push(`(5) no result within ${LIMITS.timeoutMs / 1000} s (killed); ${errExcerpt()}`);
  else if (run.signal !== null) v.push(`(1) killed by ${run.signal}; ${errExcerpt()}`);
  else if (run.status !== 0 && run.status !== 2) v.push(`(1) exit status ${run.status} (README: 0, or 2 when something was skipped); ${errExcerpt()}`);
  if (!run.timedOut && run.ms > LIMITS.timeoutMs) v.push(`(5) took ${(run.ms / 1000).toFixed(1)} s (limit ${LIMITS.timeoutMs / 1000} s)`);
  if (run.maxRssKb === null) {
    if (!run.timedOut && run.signal === null) v.push(`(5) peak RSS not measured (${run.rssHow})`);
  } else if (run.maxRssKb > LIMITS.maxRssKb) v.push(`(5) peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MB (limit ${LIMITS.maxRssKb / 1024} MB)`);

  // (2) no stack trace, no internal error
  for (const [name, text] of [["stdout", stdout], ["stderr", stderr]] as const) {
    const st = STACK.exec(text);
    if (st !== null) v.push(`(2) stack trace on ${name}: ${literal(text.slice(Math.max(0, st.index - 200), st.index + 200), 400)}`);
    const ie = INTERNAL.exec(text);
    if (ie !== null) v.push(`(2) "internal error" on ${name}: ${literal(text.slice(Math.max(0, ie.index - 200), ie.index + 300), 500)}`);
  }

  // (6) unsafe characters in every output byte stream
  for (const [name, buf] of [["stdout", run.stdout], ["stderr", run.stderr]] as const) {
    const bad = unsafeChars(buf, name === "stdout" && crlf);
    for (const b of bad) v.push(`(6) ${u(b.cp)} raw on ${name} at char ${b.offset}: …${b.context}…`);
  }
  return v;
}

/** The elements the HTML report is made of (src/report/html.ts). */
const HTML_TAGS = new Set(["html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "span", "b", "i", "code", "pre", "section", "figure", "figcaption", "svg", "g", "text", "rect", "table", "tr", "th", "td", "ul", "ol", "li", "button", "script"]);

/** Every check of one run; returns violations (empty when all hold) and facts for cross-checks. */
export function checkRun(cmd: Command, run: CliRun, exp: Expectation): { violations: string[]; facts: RunFacts } {
  const v = commonChecks(run, cmd === "csv" || cmd === "csv-aggregate");
  const facts: RunFacts = {};
  const stdout = run.stdout.toString("utf8");
  const stderr = run.stderr.toString("utf8");

  const finished = !run.timedOut && run.signal === null && run.spawnError === undefined;
  if (!finished) return { violations: v, facts };

  switch (cmd) {
    case "json":
      checkJsonReport(stdout, run, exp, v, facts);
      break;
    case "parse":
      checkParse(stdout, stderr, run, exp, v, facts);
      break;
    case "ecs": {
      const found = new Set<string>();
      stdout.split("\n").forEach((line, i) => {
        if (line === "") return;
        try {
          JSON.parse(line);
        } catch {
          if (v.length < 50) v.push(`(4) ECS line ${i + 1} is not JSON: ${literal(line, 200)}`);
        }
      });
      for (const r of exp.sentinels) if (stdout.includes(`"${r}"`)) found.add(r);
      v.push(...missingSentinels("the ECS documents", exp.sentinels.filter((r) => !found.has(r)), exp));
      break;
    }
    case "csv":
    case "csv-aggregate":
      checkCsv(stdout, exp, v);
      break;
    case "text": {
      const m = /profile fuzz_sentinel\s+\(([\d,]+) denials?\)/.exec(stdout);
      const n = m === null ? 0 : Number(m[1]!.replace(/,/g, ""));
      if (exp.sentinels.length > 0 && n < exp.sentinels.length) v.push(`(3) the text report counts ${n} denial(s) for profile fuzz_sentinel, expected at least ${exp.sentinels.length}`);
      break;
    }
    case "html": {
      // Only aalens's own elements: a log value that became markup would add another tag.
      const tags = new Set([...stdout.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
      for (const t of tags) if (!HTML_TAGS.has(t)) v.push(`(7) element <${t}> in the HTML report, not one aalens writes`);
      const scripts = (stdout.match(/<script[\s>]/g) ?? []).length;
      if (scripts !== 1) v.push(`(7) ${scripts} script elements in the HTML report (its own is the only one)`);
      const missing = exp.sentinels.filter((r) => !stdout.includes(r));
      v.push(...missingSentinels("the HTML report", missing, exp));
      break;
    }
    case "markdown":
    case "rules": {
      const missing = exp.sentinels.filter((r) => !stdout.includes(r));
      v.push(...missingSentinels(cmd === "rules" ? "the rules" : "the Markdown report", missing, exp));
      if (cmd === "rules" && exp.injection === true) checkInjection(stdout, v);
      break;
    }
    case "pasta":
      break;
  }
  return { violations: v, facts };
}

function checkJsonReport(stdout: string, run: CliRun, exp: Expectation, v: string[], facts: RunFacts): void {
  let report: JsonReport;
  try {
    report = JSON.parse(stdout) as JsonReport;
  } catch (e) {
    v.push(`(4) analyze --format json did not print JSON (${(e as Error).message}): ${literal(stdout, 300)}`);
    return;
  }
  const s = report.summary ?? {};
  const skipped = (s.unparsed ?? 0) + (s.skippedLines ?? 0);
  facts.skipped = skipped;
  const anySkip = skipped + (s.inputErrors ?? 0) > 0;
  if (run.status === 0 && anySkip) v.push(`(1) exit status 0 although the report counts ${s.unparsed} unparsed, ${s.skippedLines} skipped line(s), ${s.inputErrors} input error(s)`);
  if (run.status === 2 && !anySkip) v.push(`(1) exit status 2 although the report counts nothing skipped`);
  if (exp.mustSkip === true && run.status !== 2) v.push(`(1) exit status ${run.status}: these inputs hold something that must be skipped (README: 2)`);

  const resources = new Set((report.denials ?? []).map((d) => d.resource));
  v.push(...missingSentinels("denials[]", exp.sentinels.filter((r) => !resources.has(r)), exp));
  if ((s.denials ?? 0) < exp.sentinels.length) v.push(`(3) summary.denials is ${s.denials}, below the ${exp.sentinels.length} sentinel denials`);

  let unparsedSum = 0;
  for (const [list, name] of [[report.unparsed ?? [], "unparsed"], [report.warnings ?? [], "warnings"]] as const) {
    for (const rc of list) {
      if (typeof rc.code !== "string" || !KNOWN_CODES.has(rc.code)) v.push(`(4) ${name}[] entry without a documented code: ${literal(JSON.stringify(rc), 200)}`);
      if (typeof rc.count !== "number" || rc.count < 1) v.push(`(4) ${name}[] entry without a count: ${literal(JSON.stringify(rc), 200)}`);
      if (name === "unparsed") unparsedSum += typeof rc.count === "number" ? rc.count : 0;
    }
  }
  for (const rc of report.unparsed ?? []) {
    if (rc.code !== "internal") continue;
    const ex = (rc.examples ?? []).map((e) => `\n    ${e.source}:${e.line}: ${literal(e.excerpt ?? "", 200)}`).join("");
    v.push(`(2) ${rc.count} record(s) hit an internal error (${literal(String(rc.message), 200)}):${ex}`);
  }
  if (unparsedSum !== skipped) v.push(`(4) unparsed[] counts add up to ${unparsedSum}, but summary.unparsed + summary.skippedLines = ${skipped}`);
  if (exp.bad !== undefined && exp.perLine !== "none") {
    const markers = exp.bad.filter((b) => b.marker).length;
    const accounted = (s.records ?? 0) + skipped;
    if (accounted < exp.sentinels.length + markers) {
      v.push(`(4) ${markers} fuzzed line(s) carry an audit marker and ${exp.sentinels.length} are sentinels, but only ${s.records} record(s) + ${skipped} skipped line(s) are reported`);
    }
  }
  for (const path of exp.errorsFor ?? []) {
    if (!(report.errors ?? []).some((e) => e.source === path || e.source.endsWith(`/${path}`))) {
      v.push(`(4) ${path} is not named in errors[] (errors: ${literal(JSON.stringify((report.errors ?? []).map((e) => e.source)), 400)})`);
    }
  }
}

function checkParse(stdout: string, stderr: string, run: CliRun, exp: Expectation, v: string[], facts: RunFacts): void {
  const recordLines = new Set<number>();
  const names = new Set<string>();
  const sentinelSet = new Set(exp.sentinels);
  let fromSource = 0;
  let sentinelsFromSource = 0;
  let bad = 0;
  stdout.split("\n").forEach((line, i) => {
    if (line === "") return;
    let r: { source?: unknown; line?: unknown; fields?: Record<string, unknown> };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      if (++bad <= 3) v.push(`(4) parse output line ${i + 1} is not JSON: ${literal(line, 200)}`);
      return;
    }
    const name = r.fields?.name;
    if (typeof name === "string") names.add(name);
    if (exp.source !== undefined && r.source === exp.source && typeof r.line === "number") {
      recordLines.add(r.line);
      fromSource++;
      if (typeof name === "string" && sentinelSet.has(name)) sentinelsFromSource++;
    }
  });
  v.push(...missingSentinels("parse's records", exp.sentinels.filter((r) => !names.has(r)), exp));

  let skipped = 0;
  for (const m of stderr.matchAll(/^aalens: skipped (\d+) line\(s\): (\S+)/gm)) {
    skipped += Number(m[1]);
    if (!(m[2]! in SKIP_CODES)) v.push(`(4) parse skipped lines with an undocumented code ${literal(m[2]!)}`);
    if (m[2] === "internal") v.push(`(2) parse: ${m[1]} line(s) hit an internal error`);
  }
  facts.parseSkipped = skipped;
  const errorLines = stderr.split("\n").filter((l) => l.startsWith("aalens: ") && !l.startsWith("aalens: skipped ")).length;
  if (run.status === 0 && skipped + errorLines > 0) v.push(`(1) parse exited 0 but reported ${skipped} skipped line(s) on stderr`);
  if (exp.mustSkip === true && run.status !== 2) v.push(`(1) parse exit status ${run.status}: these inputs hold something that must be skipped (README: 2)`);

  if (exp.bad === undefined || exp.source === undefined || exp.perLine === undefined || exp.perLine === "none") return;
  const markers = exp.bad.filter((b) => b.marker);
  if (exp.perLine === "exact") {
    const missing = markers.filter((b) => !recordLines.has(b.line));
    if (missing.length > skipped) {
      // Which of them were the counted ones cannot be told from outside: these are candidates.
      const shown = missing.slice(0, 5).map((b) => `\n    line ${b.line}: ${literal(b.bytes, 220)}`).join("");
      v.push(`(4) ${missing.length} fuzzed line(s) with an audit marker gave no record, but only ${skipped} line(s) were counted as skipped, so ${missing.length - skipped} vanished; the first without a record:${shown}`);
    }
  } else {
    if (fromSource - sentinelsFromSource + skipped < markers.length) {
      v.push(`(4) ${markers.length} fuzzed entr(ies) carry audit text, but only ${fromSource - sentinelsFromSource} non-sentinel record(s) + ${skipped} skipped were reported`);
    }
  }
}

/** CSV: strict RFC 4180, sentinels present, and formula neutralisation (README, CSV columns). */
function checkCsv(stdout: string, exp: Expectation, v: string[]): void {
  let rows: string[][];
  try {
    rows = parseRfc4180(stdout);
  } catch (e) {
    v.push(`(6/csv) CSV is not RFC 4180 (${(e as Error).message})`);
    rows = [];
  }
  const cells = new Set<string>();
  let formula = 0;
  for (const row of rows.slice(1)) {
    for (const cell of row) {
      cells.add(cell);
      if (cell.startsWith("'")) continue;
      const first = cell.replace(/^ +/, "").charAt(0);
      if (first !== "" && "=+-@\t\r\uff1d\uff0b\uff0d\uff20".includes(first) && ++formula <= 3) {
        v.push(`(6/csv) CSV cell a spreadsheet takes for a formula, without the leading ': ${literal(cell, 160)}`);
      }
    }
  }
  if (rows.length > 0) {
    const missing = exp.sentinels.filter((r) => !cells.has(r));
    v.push(...missingSentinels("the CSV rows", missing, exp));
  }
}

/**
 * A hostile value must never become policy syntax: outside comments and quoted strings, no rule
 * line may hold the injected text (`/** rwlkmix`), nor aalens's own end-of-block marker.
 */
function checkInjection(stdout: string, v: string[]): void {
  stdout.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith("#")) {
      if (/^#\s*END aalens\s*$/.test(t)) v.push(`(injection) rules line ${i + 1} is aalens's own end-of-block marker: ${literal(line)}`);
      return;
    }
    const bare = t.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    if (bare.includes("/** rwlkmix")) v.push(`(injection) rules line ${i + 1} lets a logged value write policy: ${literal(line)}`);
    if (bare.includes("END aalens")) v.push(`(injection) rules line ${i + 1} holds "# END aalens" outside a quoted string (in policy, # starts a comment): ${literal(line)}`);
  });
}

/**
 * Keys named like object members that parse read from a line must also be in that line's ECS
 * document under auditd.log (README: every key of the record is kept there as the kernel wrote it).
 */
function checkMemberKeys(parseOut: string, ecsOut: string, exp: Expectation): string[] {
  const names = new Set(exp.memberKeys ?? []);
  const docs = new Map<number, Array<Record<string, unknown>>>();
  for (const line of ecsOut.split("\n")) {
    if (line === "") continue;
    try {
      const d = JSON.parse(line) as { aalens?: { line?: number }; log?: { file?: { path?: string } }; auditd?: { log?: Record<string, unknown> } };
      if (d.log?.file?.path !== exp.source || typeof d.aalens?.line !== "number" || d.auditd?.log === undefined) continue;
      docs.set(d.aalens.line, [...(docs.get(d.aalens.line) ?? []), d.auditd.log]);
    } catch {
      // reported by the ECS run's own checks
    }
  }
  const v: string[] = [];
  for (const line of parseOut.split("\n")) {
    if (line === "") continue;
    let r: { source?: string; line?: number; fields?: Record<string, unknown> };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      continue;
    }
    if (r.source !== exp.source || typeof r.line !== "number" || r.fields === undefined) continue;
    const ds = docs.get(r.line);
    if (ds === undefined) continue;
    // (Empty values are left out: the ECS documents drop every empty value, member-named or not.)
    const fields = r.fields;
    const keys = Object.keys(fields).filter((k) => names.has(k) && fields[k] !== "");
    const lost = keys.filter((k) => !ds.some((d) => Object.hasOwn(d, k)));
    if (lost.length > 0 && v.length < 5) {
      const bad = exp.bad?.find((b) => b.line === r.line);
      v.push(`(keys) line ${r.line}: parse reads ${lost.map((k) => `${k}=`).join(", ")} but the ECS document's auditd.log lacks ${lost.length === 1 ? "it" : "them"}${bad ? `: ${literal(bad.bytes, 200)}` : ""}`);
    }
  }
  return v;
}

/** Checks across the runs of one case: the same exit status everywhere, the same skip count in parse and analyze. */
export function crossCheck(runs: Array<{ cmd: Command; run: CliRun; facts: RunFacts }>, exp?: Expectation): string[] {
  const v: string[] = [];
  const statuses = new Map<string, Command[]>();
  for (const r of runs) {
    if (r.run.timedOut || r.run.signal !== null) continue;
    const k = String(r.run.status);
    statuses.set(k, [...(statuses.get(k) ?? []), r.cmd]);
  }
  if (statuses.size > 1) v.push(`(1) the commands disagree on the exit status for the same input: ${[...statuses].map(([s, c]) => `${s} from ${c.join(", ")}`).join("; ")}`);
  const json = runs.find((r) => r.cmd === "json")?.facts.skipped;
  const parse = runs.find((r) => r.cmd === "parse")?.facts.parseSkipped;
  if (json !== undefined && parse !== undefined && json !== parse) v.push(`(4) parse counts ${parse} skipped line(s), analyze ${json} (read-records.ts: every command counts lines the same way)`);
  const parseRun = runs.find((r) => r.cmd === "parse")?.run;
  const ecsRun = runs.find((r) => r.cmd === "ecs")?.run;
  if (exp?.memberKeys !== undefined && parseRun !== undefined && ecsRun !== undefined) v.push(...checkMemberKeys(parseRun.stdout.toString("utf8"), ecsRun.stdout.toString("utf8"), exp));
  return v;
}

/** Run every command on the inputs and check each run; violations are prefixed with the command. */
export async function fuzzRun(opts: {
  family: string;
  inputs: string[];
  stdinFile?: string;
  extraArgs?: string[];
  commands: Command[];
  expect: Expectation;
  workDir: string;
}): Promise<string[]> {
  const runs = await Promise.all(
    opts.commands.map(async (cmd) => {
      const args = [...commandArgs(cmd), ...(opts.extraArgs ?? []), ...opts.inputs];
      const run = await runCli(args, { workDir: opts.workDir, ...(opts.stdinFile ? { stdinFile: opts.stdinFile } : {}) });
      return { cmd, run, ...checkRun(cmd, run, opts.expect) };
    }),
  );
  const out: string[] = [];
  const show = (args: string[]) => `aalens ${args.map((a) => (/^[\w./=:-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}${opts.stdinFile ? ` < ${opts.stdinFile}` : ""}`;
  for (const r of runs) {
    for (const x of r.violations) out.push(`[${opts.family}] ${show(r.run.args)}\n  ${x}`);
  }
  for (const x of crossCheck(runs, opts.expect)) out.push(`[${opts.family}] ${x}`);
  const timing = runs.map((r) => `${r.cmd} ${(r.run.ms / 1000).toFixed(1)}s/${r.run.maxRssKb === null ? "?" : Math.round(r.run.maxRssKb / 1024)}MB`).join(", ");
  if (process.env.AALENS_FUZZ_VERBOSE) process.stderr.write(`[${opts.family}] ${timing}\n`);
  return out;
}
