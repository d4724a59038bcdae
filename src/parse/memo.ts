/**
 * Real logs repeat the same record with a new stamp, serial and pid: a denial a daemon hits every
 * few seconds. A record whose line, but for its `audit(…)` stamp and its `pid=`/`ppid=` values, was
 * parsed before is made from that parse: the grammar reads each distinct body once.
 *
 * Two lines are repeats when they are the same text with the stamp's contents and those values
 * cut out (so a syslog line, whose date changes, does not repeat: it is parsed every time). What
 * the memo keeps is the parsed record of a body's first line; a repeat gets its own source,
 * line, stamp, time and pids. Only plain records are memoised: a numeric stamp in range, no
 * warnings, and every pid value of the line found in the record.
 */
import { newFields, type AuditRecord, type LineMeta } from "./record.js";
import { isoTime, timeInRange } from "./timestamps.js";
import { BoundedMap } from "../input/bounded-map.js";

/** The parts of a line that change between repeats. */
export interface LineVariables {
  text: string;
  /**
   * Where the variable parts were cut, as [start, end) pairs of offsets into `text`: the stamp's
   * contents first, then each run of pid digits and of digits after `/proc/`, in line order. The
   * text between them (the segments) is what two repeats of one body share.
   */
  cuts: readonly number[];
  /** `S.MS:SERIAL` inside `audit(…)`. */
  stamp: string;
  epochMs: number;
  /** The values after ` pid=` / ` ppid=`, in line order. */
  pids: readonly string[];
  /** The digits after each `/proc/` (a pid inside a path: `/proc/4711/mounts`), in line order. */
  procPids: readonly string[];
}

interface Template {
  record: AuditRecord;
  /** The line's text between its cuts (see LineVariables): a repeat has the same segments. */
  segments: readonly string[];
  /** Which segment is the memo's key (see keyOf). */
  keyIndex: number;
  /** The host the line itself names (node=, a syslog host), null when it came from the journal's fields. */
  host: string | null;
  /** For each pid value of the line, in order: where it goes in the record. */
  slots: Array<{ inMsg: boolean; key: string }>;
  /**
   * The values that hold the line's `/proc/PID` digits: each as its text around them and the
   * index of the line's digits that goes in each gap (the values are rebuilt for a repeat).
   */
  procValues: ProcValue[];
  procCount: number;
}

interface ProcValue {
  inMsg: boolean;
  key: string;
  /** The value's text between the digits: one more piece than `digits`. */
  pieces: string[];
  /** For each gap, the index into the line's procPids. */
  digits: number[];
}

/**
 * Templates by the line's longest segment (see keyOf), each with the few templates that share
 * it, in two bounded generations of 2,048: real logs repeat a few hundred bodies. Each template
 * holds its record and the body analysis later floors cache on it; on the 1x pure corpus (164k
 * distinct bodies in 500k lines) generations of 8,192 peaked at 307-341 MB, of 2,048 at 271-334
 * MB (median ~25 MB less), in the same time.
 *
 * The other segments are compared in place (see sameSegments). (A key built by concatenating
 * every segment was flattened into a new string on every line: half of a repeat's parse time.)
 */
const templates = new BoundedMap<string, Template[]>(2048);
/** Templates kept under one key: bodies whose longest segment is the same text and another differs. */
const MAX_BUCKET = 8;

const PID_KEYS = ["pid", "ppid"];

/**
 * Scratch lists for one line's cuts and digits, filled from index 0 and copied out at the exact
 * length (setting `length = 0` would free their storage, and the next push allocate it again).
 */
const cutScratch: number[] = [];
const pidScratch: string[] = [];
const procScratch: string[] = [];

/**
 * The variable parts of a line that has a numeric `audit(S.MS:N)` stamp, or undefined: the
 * stamp's contents, the pid digits and the digits after each `/proc/`, and where they were cut.
 * Two lines are repeats of one body when their segments (the text between the cuts) are equal
 * one by one; equal text with the digits in other places is another body (`/proc/1/a /proc//b`
 * against `/proc//a /proc/2/b`).
 */
export function lineVariables(text: string): LineVariables | undefined {
  const open = text.indexOf("audit(");
  if (open < 0) return undefined;
  const close = text.indexOf(")", open + 6);
  if (close < 0 || close - open > 60) return undefined;
  const epochMs = stampMs(text, open + 6, close);
  if (epochMs <= 0 || !timeInRange(epochMs)) return undefined;
  const cuts = cutScratch;
  cuts[0] = open + 6;
  cuts[1] = close;
  let nCuts = 2;
  let nPids = 0;
  let nProc = 0;
  let from = close;
  // The next ` pid=`, ` ppid=` and `/proc/` at or after `from`, each searched again only once passed.
  let pid = -2;
  let ppid = -2;
  let proc = -2;
  for (;;) {
    if (pid !== -1 && pid < from) pid = text.indexOf(" pid=", from);
    if (ppid !== -1 && ppid < from) ppid = text.indexOf(" ppid=", from);
    if (proc !== -1 && proc < from) proc = text.indexOf("/proc/", from);
    const at = earliest(pid < 0 ? -1 : pid + 5, ppid < 0 ? -1 : ppid + 6, proc < 0 ? -1 : proc + 6);
    if (at < 0) break;
    let end = at;
    while (end < text.length) {
      const d = text.charCodeAt(end);
      if (d < 48 || d > 57) break;
      end++;
    }
    from = at;
    if (end === at) continue;
    if (text.charCodeAt(at - 1) === 47) procScratch[nProc++] = text.slice(at, end);
    else pidScratch[nPids++] = text.slice(at, end);
    cuts[nCuts++] = at;
    cuts[nCuts++] = end;
    from = end;
  }
  return {
    text,
    cuts: cuts.slice(0, nCuts),
    stamp: text.slice(open + 6, close),
    epochMs,
    pids: nPids === 0 ? NONE : pidScratch.slice(0, nPids),
    procPids: nProc === 0 ? NONE : procScratch.slice(0, nProc),
  };
}

/** The text between the cuts, segment by segment. */
function segmentsOf(v: LineVariables): string[] {
  const out: string[] = [];
  for (let k = 0; k * 2 <= v.cuts.length; k++) out.push(v.text.slice(segmentStart(v, k), segmentEnd(v, k)));
  return out;
}

/**
 * Which segment is the memo's key: the line's longest (the first of equal ones). Repeats have
 * segments of the same lengths, so they pick the same one; it is most of the body (a USER_AVC's
 * `msg='…'` between its two pids, not the `): pid=` every USER_AVC shares).
 */
function keyIndex(v: LineVariables): number {
  let best = 0;
  let bestLength = v.cuts[0]!;
  for (let k = 1; k * 2 <= v.cuts.length; k++) {
    const length = segmentEnd(v, k) - segmentStart(v, k);
    if (length > bestLength) {
      best = k;
      bestLength = length;
    }
  }
  return best;
}

/** Where segment k starts and ends in the line: segment 0 is before the first cut, segment k after the k-th. */
function segmentStart(v: LineVariables, k: number): number {
  return k === 0 ? 0 : v.cuts[k * 2 - 1]!;
}
function segmentEnd(v: LineVariables, k: number): number {
  return k === 0 ? v.cuts[0]! : k * 2 < v.cuts.length ? v.cuts[k * 2]! : v.text.length;
}

/** The memo's key: the key segment, a slice V8 hashes in place. */
function keyOf(v: LineVariables, k = keyIndex(v)): string {
  return v.text.slice(segmentStart(v, k), segmentEnd(v, k));
}

/**
 * Whether the line's segments are the template's, one by one. The key segment is equal already
 * (the Map compared it) once every length is. Compared with indexOf at the offset: startsWith with
 * a position took 0.85 µs for 160 characters, indexOf 0.15 µs.
 */
function sameSegments(v: LineVariables, t: Template): boolean {
  const segments = t.segments;
  if (segments.length * 2 - 2 !== v.cuts.length) return false;
  for (let k = 0; k < segments.length; k++) if (segmentEnd(v, k) - segmentStart(v, k) !== segments[k]!.length) return false;
  for (let k = 0; k < segments.length; k++) {
    const at = segmentStart(v, k);
    if (k !== t.keyIndex && v.text.indexOf(segments[k]!, at) !== at) return false;
  }
  return true;
}

/**
 * What decides whether two lines are repeats of one body, as one string (for tests): the
 * segments, each behind its length.
 */
export function bodyKey(v: LineVariables): string {
  return segmentsOf(v)
    .map((s) => `${s.length}:${s}`)
    .join("|");
}

/**
 * The milliseconds of a stamp `S.MS:SERIAL` (1–15 digits, 3, at least 1) at text[from, to), or
 * -1 when it is not of that shape. Read in place: a regular expression's match array and its
 * captures were a sixth of what this module allocated per line.
 */
function stampMs(text: string, from: number, to: number): number {
  let i = from;
  let seconds = 0;
  while (i < to && i - from < 16) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    seconds = seconds * 10 + d;
    i++;
  }
  if (i === from || i - from > 15 || text.charCodeAt(i) !== 46) return -1;
  let ms = 0;
  for (let k = 1; k <= 3; k++) {
    const d = text.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) return -1;
    ms = ms * 10 + d;
  }
  i += 4; // at the `:` before the serial, which has at least one digit
  if (text.charCodeAt(i) !== 58 || i + 1 >= to) return -1;
  for (i++; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
  }
  return seconds * 1000 + ms;
}

const NONE: readonly string[] = Object.freeze([]);

/** The smallest of three offsets that are not -1, or -1. */
function earliest(a: number, b: number, c: number): number {
  let best = a;
  if (b >= 0 && (best < 0 || b < best)) best = b;
  if (c >= 0 && (best < 0 || c < best)) best = c;
  return best;
}

/**
 * The memo pays only where lines repeat. On a log whose bodies are mostly new, keeping a template
 * for each costs more than the parses it saves: on the bench's pure corpus (a fifth of the lines
 * repeat a body the memo holds) parsing alone took 15–16 µs a line with it and 6–7 without, and the
 * whole run 25–31 s against 19–22 s (the templates outlive the young generation, so they are
 * copied and then collected as old objects). So the memo watches its hit rate: after
 * MEMO_WINDOW lookups of which fewer than half hit, it drops its templates and rests for
 * MEMO_REST lines (no lookup, no new template), then samples again. A record is the same either
 * way; only the time differs.
 */
export const MEMO_WINDOW = 4096;
export const MEMO_REST = 16 * MEMO_WINDOW;
const gate = { looked: 0, hits: 0, resting: 0 };

/** False while the memo rests: the caller parses the line with the grammar and remembers nothing. */
export function memoAwake(): boolean {
  if (gate.resting === 0) return true;
  gate.resting--;
  return false;
}

function counted(record: AuditRecord | undefined): AuditRecord | undefined {
  if (record !== undefined) gate.hits++;
  if (++gate.looked === MEMO_WINDOW) {
    if (gate.hits * 2 < MEMO_WINDOW) {
      // What it holds is let go: kept while resting, templates only cost memory and GC time.
      gate.resting = MEMO_REST;
      templates.clear();
    }
    gate.looked = gate.hits = 0;
  }
  return record;
}

/** A record for this line made from the memo, or undefined when its body was not seen. */
export function fromMemo(v: LineVariables, source: string, line: number, meta: LineMeta | undefined): AuditRecord | undefined {
  return counted(lookUp(v, source, line, meta));
}

function lookUp(v: LineVariables, source: string, line: number, meta: LineMeta | undefined): AuditRecord | undefined {
  const bucket = templates.get(keyOf(v));
  if (bucket === undefined) return undefined;
  let t: Template | undefined;
  for (const c of bucket) {
    if (sameSegments(v, c)) {
      t = c;
      break;
    }
  }
  if (t === undefined || t.slots.length !== v.pids.length || t.procCount !== v.procPids.length) return undefined;
  const r = t.record;
  const fields = copy(r.fields);
  const msg = r.msg === null ? null : copy(r.msg);
  for (let i = 0; i < t.slots.length; i++) {
    const slot = t.slots[i]!;
    (slot.inMsg ? msg! : fields)[slot.key] = v.pids[i]!;
  }
  for (const p of t.procValues) {
    let value = p.pieces[0]!;
    for (let i = 0; i < p.digits.length; i++) value += v.procPids[p.digits[i]!]! + p.pieces[i + 1]!;
    (p.inMsg ? msg! : fields)[p.key] = value;
  }
  const record: AuditRecord = {
    source,
    line,
    format: meta?.format ?? r.format,
    type: r.type,
    auditId: v.stamp,
    time: isoTime(v.epochMs),
    host: t.host ?? meta?.host ?? null,
    mode: r.mode,
    fields,
    msg,
    [TEMPLATE]: t,
  } as AuditRecord;
  return record;
}

/** Remember a freshly parsed record for the repeats of its line, when it is plain enough. */
export function remember(v: LineVariables, record: AuditRecord, meta: LineMeta | undefined, text: string): void {
  if (record.warnings !== undefined || record.auditId !== v.stamp || record.time === null) return;
  const procValues = v.procPids.length === 0 ? [] : procValuesOf(v.procPids, record, text);
  if (procValues === undefined) return;
  const slots: Template["slots"] = [];
  let outer = 0;
  let inner = 0;
  const outerKeys = PID_KEYS.filter((k) => record.fields[k] !== undefined);
  const innerKeys = record.msg === null ? [] : PID_KEYS.filter((k) => record.msg![k] !== undefined);
  // The line's pid values, in order: the outer record's first, then the nested msg's.
  for (const value of v.pids) {
    if (outer < outerKeys.length && record.fields[outerKeys[outer]!] === value) slots.push({ inMsg: false, key: outerKeys[outer++]! });
    else if (inner < innerKeys.length && record.msg![innerKeys[inner]!] === value) slots.push({ inMsg: true, key: innerKeys[inner++]! });
    else return; // a pid value the record does not hold as such: not memoised
  }
  if (outer !== outerKeys.length || inner !== innerKeys.length) return;
  const k = keyIndex(v);
  const key = keyOf(v, k);
  const segments = segmentsOf(v);
  const t: Template = { record: ownCopy(record), segments, keyIndex: k, slots, procValues, procCount: v.procPids.length, host: meta?.host !== undefined && record.host === meta.host ? null : record.host };
  const bucket = templates.get(key)?.filter((c) => !sameSegments(v, c)) ?? [];
  if (bucket.length >= MAX_BUCKET) bucket.shift();
  bucket.push(t);
  templates.set(key, bucket);
}

const PROC_PID = /\/proc\/(\d+)/g;

/**
 * Where the line's `/proc/PID` digits are in the record, or undefined when that is not certain:
 * the values holding them, outer record first, must be literal text of the line (not decoded
 * from hex) and give exactly the line's digits in order, each digit string once, so the i-th
 * digits of the line are the i-th of the record in every repeat of the same text.
 */
function procValuesOf(procPids: readonly string[], record: AuditRecord, text: string): ProcValue[] | undefined {
  if (new Set(procPids).size !== procPids.length) return undefined;
  const out: ProcValue[] = [];
  let next = 0;
  for (const [inMsg, map] of [[false, record.fields], [true, record.msg]] as const) {
    if (map === null) continue;
    for (const key in map) {
      const value = map[key]!;
      if (!value.includes("/proc/")) continue;
      const pieces: string[] = [];
      const digits: number[] = [];
      let last = 0;
      for (const m of value.matchAll(PROC_PID)) {
        if (procPids[next] !== m[1]) return undefined;
        const at = m.index! + 6;
        pieces.push(value.slice(last, at));
        digits.push(next++);
        last = at + m[1]!.length;
      }
      if (digits.length === 0) continue;
      if (!text.includes(value)) return undefined;
      pieces.push(value.slice(last));
      out.push({ inMsg, key, pieces, digits });
    }
  }
  return next === procPids.length ? out : undefined;
}

/**
 * The template a record was made from (or was made into), as an opaque token: later floors key
 * their own per-template caches on it (the event signature's body hash, the enrichment), so a
 * repeat costs them no more than its parse did.
 */
const TEMPLATE = Symbol("template");
type Tagged = AuditRecord & { [TEMPLATE]?: Template };

export function templateOf(record: AuditRecord): object | undefined {
  const t = (record as Tagged)[TEMPLATE];
  // A body with a pid in a path shares the parse only: its resource and literal objects are its own.
  return t === undefined || t.procCount > 0 ? undefined : t;
}

/**
 * What a template keeps of the first record of its body: a copy made here, not the parser's own
 * objects, and the first record is not tagged (it is not shared: only repeats are). Objects a
 * template holds live long; V8 decides per allocation site whether to allocate straight into the
 * old generation, and when the parser's record objects, and the analyses cached for them
 * downstream, outlived the young generation because a template held them, it did so for every
 * later record too: the memo's first 4,096 lines of a pure corpus, later dropped, left the
 * whole run promoting 437 instead of 298 MB (`--no-allocation-site-pretenuring` gave 306).
 */
function ownCopy(r: AuditRecord): AuditRecord {
  return { source: r.source, line: r.line, format: r.format, type: r.type, auditId: r.auditId, time: r.time, host: r.host, mode: r.mode, fields: copy(r.fields), msg: r.msg === null ? null : copy(r.msg) };
}

function copy(map: Record<string, string>): Record<string, string> {
  const out = newFields();
  for (const k in map) out[k] = map[k]!;
  return out;
}
