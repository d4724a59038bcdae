/**
 * Records → events. The kernel writes one syscall's audit records (AVC, SYSCALL, CWD, PATH,
 * PROCTITLE, EXECVE …, then EOE) under one `audit(S.MS:SERIAL)` id; readers may see them
 * interleaved with other syscalls', out of order, or without the EOE. Only events that hold an
 * AppArmor record are kept; the others are dropped as soon as that is certain.
 */
import type { AuditRecord } from "../parse/record.js";
import { parseLine } from "../parse/parse-line.js";
import { templateOf } from "../parse/memo.js";
import type { RecordHeader } from "../parse/record-header.js";
import { detach } from "../input/detach.js";
import { SignatureSet } from "./signature-set.js";
import { OpenQueue } from "./open-queue.js";
import { companionRecord } from "../parse/companion.js";

/** The process behind an event, from SYSCALL / CWD / PROCTITLE / EXECVE and the AppArmor record. */
export interface EventProcess {
  pid?: number;
  ppid?: number;
  comm?: string;
  exe?: string;
  uid?: string;
  auid?: string;
  cwd?: string;
  /** The decoded command line (PROCTITLE, else EXECVE arguments). */
  cmdline?: string;
  /** Syscall outcome: success=no exit=-13 … */
  syscall?: string;
  success?: boolean;
  exit?: number;
}

export interface AuditEvent {
  host: string | null;
  auditId: string | null;
  time: string | null;
  /** The AppArmor records of the event (usually one AVC). */
  apparmor: AuditRecord[];
  /** The line each AppArmor record came from, when the caller gave it (for report examples). */
  lines: string[];
  /** Each AppArmor record's signature (recordSignature), NaN for a record without an audit id. */
  signatures: number[];
  /**
   * Companion records (SYSCALL, CWD, PROCTITLE, EXECVE). Those read from an audit.log by their
   * header hold only the keys the process view reads (parse/companion.ts).
   */
  companions: AuditRecord[];
  process: EventProcess;
}

export interface AssemblerOptions {
  /** Called once per finished event that holds an AppArmor record. */
  onEvent: (event: AuditEvent) => void;
  /** Called for an AppArmor record already seen from another source (same id, type and host). */
  onDuplicate?: (record: AuditRecord) => void;
  /** Events still open when this many newer serials of the same host have been seen are closed. */
  serialWindow?: number;
  /** The most events held open at once; the oldest is closed beyond it. */
  maxOpen?: number;
}

interface Pending {
  /** The audit id the event is open under. */
  id: string;
  /** Its lookup key in `open` (openKey). */
  key: number;
  event: AuditEvent;
  serial: number;
}

/** Companions kept for an AppArmor record that arrives after them: parsed, or header and text. */
interface Parked {
  auditId: string;
  record?: AuditRecord;
  header?: RecordHeader;
  text?: string;
}

const PARKED_MAX = 512;
/**
 * Hosts the duplicate filter tells apart. A crafted log can name a new host on every line; past
 * this many, or for a name longer than any host name (DNS allows 253), a record's host is
 * unknown to the filter, which matches any host, so memory stays bounded.
 */
export const MAX_HOSTS = 4096;
const MAX_HOST_CHARS = 255;
/** The companion records whose contents describe the process; the others are only counted. */
const READ_COMPANIONS = new Set(["SYSCALL", "CWD", "PROCTITLE", "EXECVE"]);
function serialOf(auditId: string): number {
  return Number(auditId.slice(auditId.indexOf(":") + 1));
}

/**
 * A number equal for equal audit ids, read without making a string: the serial's digits (at most
 * 15, so exact), or -1 for anything else (a journal's _AUDIT_ID can be any text).
 */
function openKey(auditId: string): number {
  let i = auditId.lastIndexOf(":") + 1;
  const end = auditId.length;
  if (i === 0 || i === end || end - i > 15) return -1;
  let n = 0;
  for (; i < end; i++) {
    const d = auditId.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Two independent FNV-1a runs over strings, folded into one 53-bit number. */
class Hash53 {
  constructor(
    public a = 0x811c9dc5,
    public b = 0x01000193,
  ) {}
  mix(text: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    // A separator after each string, so "ab"+"c" and "a"+"bc" differ.
    this.a = Math.imul(a ^ 0x1f, 0x01000193);
    this.b = Math.imul(b ^ 0x1f, 0x5bd1e995);
  }
  value(): number {
    return (this.a >>> 0) * 0x200000 + ((this.b >>> 0) & 0x1fffff);
  }
}

/** The values a repeat of a record changes (parse/memo.ts): hashed apart from the rest of the body. */
const VARIABLE_KEYS = new Set(["pid", "ppid"]);

/** The hash state of a record's body without its pids: the same for all repeats of one template. */
function bodyState(r: AuditRecord): { a: number; b: number } {
  const h = new Hash53();
  h.mix(r.type ?? "");
  const body = (map: Record<string, string>) => {
    for (const key in map) {
      const c = key.charCodeAt(0);
      if (c >= 65 && c <= 90) continue; // ENRICHED: auditd's interpretation, not the kernel's record
      if (VARIABLE_KEYS.has(key)) continue;
      h.mix(key);
      h.mix(map[key]!);
    }
  };
  body(r.fields);
  if (r.msg !== null) body(r.msg);
  return { a: h.a, b: h.b };
}

const bodyStates = new WeakMap<object, { a: number; b: number }>();

/**
 * What identifies one AppArmor record across transports and files: its type and every key=value
 * the kernel wrote (`body`), and the same with its audit id (`full`). ENRICHED keys (upper case,
 * added by auditd) and the envelope are left out, so audit.log, the journal's two transports and
 * syslog give the same signature for one kernel record, and two different records of one
 * syscall (ptrace read and readby, two stacked profiles) never do. Repeats of a body share the
 * hash of all but their pids (kept per memo template). The object returned is reused by the next
 * call: read it at once (one object per record was a tenth of what the assembler allocated).
 */
export function recordSignatures(r: AuditRecord): Readonly<{ body: number; full: number }> {
  const template = templateOf(r);
  let state = template === undefined ? undefined : bodyStates.get(template);
  if (state === undefined) {
    state = bodyState(r);
    if (template !== undefined) bodyStates.set(template, state);
  }
  const h = new Hash53(state.a, state.b);
  h.mix(r.fields.pid ?? "");
  h.mix(r.fields.ppid ?? "");
  h.mix(r.msg?.pid ?? "");
  h.mix(r.msg?.ppid ?? "");
  SIGNATURES.body = h.value();
  h.mix(r.auditId ?? "");
  SIGNATURES.full = h.value();
  return SIGNATURES;
}

const SIGNATURES = { body: 0, full: 0 };

/** The full signature (see recordSignatures). */
export function recordSignature(r: AuditRecord): number {
  return recordSignatures(r).full;
}

/**
 * journalctl's short text prints the audit transport's copy of a kernel record without its
 * audit id (`host audit[5120]: AVC apparmor=…`): it is the same record when its body matches a
 * record with an id whose time is this close (the text shows whole seconds, taken on receipt).
 */
const ID_LESS_SLACK_S = 2;
/** Seconds as a 32-bit tag: 1952–2088 fit. */
const TAG_EPOCH_S = 1_600_000_000;

/** The last second parsed (`YYYY-MM-DDTHH:MM:SS`) and its tag: records come in bursts within one second. */
let lastSecond = "";
let lastTag: number | undefined;

function timeTag(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  // lastIndexOf at 0 is startsWith without its cost (startsWith was 0.17 µs for 24 characters, this 0.04).
  if (lastSecond !== "" && iso.lastIndexOf(lastSecond, 0) === 0) return lastTag;
  lastSecond = iso.length >= 19 ? iso.slice(0, 19) : "";
  lastTag = timeTagOf(iso);
  return lastTag;
}

function timeTagOf(iso: string): number | undefined {
  const s = Math.floor(Date.parse(iso) / 1000) - TAG_EPOCH_S;
  return Number.isFinite(s) && Math.abs(s) < 2 ** 31 ? s : undefined;
}

export class EventAssembler {
  private readonly open = new OpenQueue<Pending>();
  /** Recent companions without an AppArmor record yet, by audit id, oldest first. */
  private readonly parked = new Map<string, Parked[]>();
  private parkedCount = 0;
  /** Record signature → index of its host in `hosts` (-1: unknown host). */
  private readonly seen = new SignatureSet();
  /** Bodies of records with an id, and of id-less audit-transport text records, by time (see ID_LESS_SLACK_S). */
  private readonly bodies = new SignatureSet(1 << 18);
  private readonly idLess = new SignatureSet(1 << 16);
  private idLessSeen = false;
  private readonly hosts: string[] = [];
  private readonly hostIndex = new Map<string, number>();
  private readonly window: number;
  private readonly maxOpen: number;

  constructor(private readonly options: AssemblerOptions) {
    this.window = options.serialWindow ?? 16;
    this.maxOpen = options.maxOpen ?? 128;
  }

  /**
   * Seed the duplicate filter (from a saved state), so later input drops events already counted.
   * Returns false when the signature was already known (the event is in both).
   */
  remember(signature: number, host: string | null): boolean {
    const held = this.seen.get(signature);
    if (held === undefined) {
      this.seen.set(signature, this.hostId(host));
      return true;
    }
    return !(held === -1 || host === null || this.hosts[held] === host);
  }

  /** True when a record with this signature (on this host, or an unknown one) was already counted. */
  knows(signature: number, host: string | null): boolean {
    const held = this.seen.get(signature);
    return held !== undefined && (held === -1 || host === null || this.hosts[held] === host);
  }

  private hostId(host: string | null): number {
    if (host === null || host.length > MAX_HOST_CHARS) return -1;
    let id = this.hostIndex.get(host);
    if (id === undefined) {
      if (this.hosts.length >= MAX_HOSTS) return -1;
      id = this.hosts.push(detach(host)) - 1;
      this.hostIndex.set(this.hosts[id]!, id);
    }
    return id;
  }

  /**
   * A fully parsed record. Companions are tied to their event by the audit id alone: the host
   * may be known on one side only (journald names it, audit.log does not).
   */
  add(record: AuditRecord, text = ""): void {
    const id = record.auditId;
    if (record.mode !== null) {
      const sig = this.signatureIfNew(record);
      if (sig === undefined) return;
      if (id === null) {
        // No id (dbus-daemon syslog, pastes): the record is an event of its own.
        this.options.onEvent(newEvent(record, text, sig));
        return;
      }
      const key = openKey(id);
      let pending = this.open.get(id, key);
      if (pending === undefined) {
        pending = { id, key, event: newEvent(record, text, sig), serial: serialOf(id) };
        this.open.push(pending);
        this.unpark(id, pending.event);
      } else {
        pending.event.apparmor.push(record);
        pending.event.lines.push(text);
        pending.event.signatures.push(sig);
        if (pending.event.host === null) pending.event.host = record.host;
      }
      this.closeOlderThan(pending.serial);
      return;
    }
    if (id === null) return;
    this.companion(id, record.type === "EOE", { auditId: id, record });
  }

  /** A record known by its header only (its body was not parsed: see record-header.ts). */
  addHeader(header: RecordHeader, text: string): void {
    if (header.type !== "EOE" && !READ_COMPANIONS.has(header.type)) return;
    this.companion(header.auditId, header.type === "EOE", { auditId: header.auditId, header, text });
  }

  private companion(id: string, eoe: boolean, parked: Parked): void {
    const key = openKey(id);
    const pending = this.open.get(id, key);
    if (pending !== undefined) {
      if (eoe) this.close(id, key);
      else attachParked(pending.event, parked);
      return;
    }
    if (eoe) return;
    // The AppArmor record may still come (journald and busy systems reorder a little).
    const list = this.parked.get(id);
    if (list === undefined) this.parked.set(id, [parked]);
    else list.push(parked);
    if (++this.parkedCount > PARKED_MAX) {
      const [oldest, dropped] = this.parked.entries().next().value!;
      this.parked.delete(oldest);
      this.parkedCount -= dropped.length;
    }
  }

  /** Close every open event (end of input). */
  flush(): void {
    for (let p = this.open.takeOldest(); p !== undefined; p = this.open.takeOldest()) this.options.onEvent(p.event);
    this.parked.clear();
    this.parkedCount = 0;
  }

  /** The record's signature (NaN when it has no audit id), or undefined when it was already read. */
  private signatureIfNew(record: AuditRecord): number | undefined {
    if (record.auditId === null) return this.idLessIfNew(record) ? NaN : undefined;
    const { body, full } = recordSignatures(record);
    const held = this.seen.get(full);
    if (held === undefined) {
      this.seen.set(full, this.hostId(record.host));
      const tag = timeTag(record.time);
      if (tag !== undefined) {
        // The id-less copy may have come first; the record is the same kernel event then.
        if (this.idLessSeen && near(this.idLess.get(body), tag)) return this.duplicate(record);
        this.bodies.set(body, tag);
      }
      return full;
    }
    // The same id on two different named hosts is two events; a missing host matches any.
    if (held !== -1 && record.host !== null && this.hosts[held] !== record.host) return full;
    return this.duplicate(record);
  }

  /** An id-less record is new unless it is the audit transport's text copy of one already read. */
  private idLessIfNew(record: AuditRecord): boolean {
    if (record.format !== "journal-audit") return true;
    const tag = timeTag(record.time);
    if (tag === undefined) return true;
    const body = recordSignatures(record).body;
    if (near(this.bodies.get(body), tag)) {
      this.duplicate(record);
      return false;
    }
    this.idLess.set(body, tag);
    this.idLessSeen = true;
    return true;
  }

  private duplicate(record: AuditRecord): undefined {
    this.options.onDuplicate?.(record);
    return undefined;
  }

  private unpark(id: string, event: AuditEvent): void {
    const list = this.parked.get(id);
    if (list === undefined) return;
    this.parked.delete(id);
    this.parkedCount -= list.length;
    for (const p of list) attachParked(event, p);
  }

  /** Open events are in arrival order, which is nearly serial order: stop at the first young one. */
  private closeOlderThan(serial: number): void {
    for (let p = this.open.oldest(); p !== undefined && (p.serial < serial - this.window || this.open.size > this.maxOpen); p = this.open.oldest()) {
      this.open.takeOldest();
      this.options.onEvent(p.event);
    }
  }

  private close(id: string, key: number): void {
    const pending = this.open.take(id, key);
    if (pending !== undefined) this.options.onEvent(pending.event);
  }
}

function near(tag: number | undefined, to: number): boolean {
  return tag !== undefined && Math.abs(tag - to) <= ID_LESS_SLACK_S;
}

/** Parse a header-only companion now that it is known to belong to an AppArmor event. */
function attachParked(event: AuditEvent, p: Parked): void {
  if (p.record !== undefined) attach(event, p.record);
  else {
    // The plain shape auditd writes is read directly; anything else goes through the grammar.
    const record = companionRecord(p.header!, p.text!) ?? parseLine({ source: p.header!.source, line: p.header!.line, text: p.text! })?.record;
    if (record !== undefined) attach(event, record);
  }
}

/**
 * A new event holding its first AppArmor record. The lists start with that record (not empty and
 * pushed to: a first push gives an array room for 16, and most events never hold a second).
 */
function newEvent(record: AuditRecord, text: string, signature: number): AuditEvent {
  const event: AuditEvent = {
    host: record.host,
    auditId: record.auditId,
    time: record.time,
    apparmor: [record],
    lines: [text],
    signatures: [signature],
    companions: [],
    process: {},
  };
  const f = record.msg ?? record.fields;
  const pid = Number(f.pid);
  if (Number.isInteger(pid) && pid > 0) event.process.pid = pid;
  const comm = f.comm ?? f.exe;
  if (comm !== undefined) event.process.comm = comm;
  return event;
}

/** Add a companion record and take what it says about the process. */
function attach(event: AuditEvent, record: AuditRecord): void {
  event.companions.push(record);
  const f = record.fields;
  const p = event.process;
  switch (record.type) {
    case "SYSCALL": {
      const int = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined);
      p.pid ??= int(f.pid);
      p.ppid ??= int(f.ppid);
      if (f.comm !== undefined) p.comm = f.comm;
      if (f.exe !== undefined) p.exe = f.exe;
      if (f.uid !== undefined) p.uid = f.uid;
      if (f.auid !== undefined) p.auid = f.auid;
      if (f.syscall !== undefined) p.syscall = f.SYSCALL ?? f.syscall;
      if (f.success !== undefined) p.success = f.success === "yes";
      const exit = int(f.exit);
      if (exit !== undefined) p.exit = exit;
      break;
    }
    case "CWD":
      if (f.cwd !== undefined) p.cwd = f.cwd;
      break;
    case "PROCTITLE":
      if (f.proctitle !== undefined) p.cmdline = f.proctitle;
      break;
    case "EXECVE":
      if (p.cmdline === undefined) {
        const args: string[] = [];
        for (let i = 0; f[`a${i}`] !== undefined; i++) args.push(f[`a${i}`]!);
        if (args.length > 0) p.cmdline = args.join(" ");
      }
      break;
  }
}
