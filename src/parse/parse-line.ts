/**
 * One physical line (or journald entry) → one AuditRecord, using the Chevrotain grammar in
 * grammars/audit-line.ts for the syntax and this file for the meaning of each token group.
 */
import type { IToken } from "chevrotain";
import {
  parseAuditLine, AuditStamp, BracketDate, BsdDate, IsoDate, MonoStamp, NestedClose, NestedOpen,
  NodePair, Stray, Tag, TypePair, UnixDate, ValuePair, Word,
} from "../../grammars/audit-line.js";
import type { AuditRecord, SourceLine, Skipped } from "./record.js";
import { modeOf, recordTypeName } from "./record-types.js";
import { decodeValue } from "./values.js";
import { parseAuditStamp, parseEnvelopeDate } from "./timestamps.js";
import { detach, excerpt } from "./detach.js";

export { excerpt };

export type LineResult =
  | { record: AuditRecord; skipped?: undefined }
  | { skipped: Skipped; record?: undefined };

const TYPE_WORD = /^(?:[A-Z][A-Z0-9_]*[A-Z0-9]|UNKNOWN\[\d+\])$/;
const SOFT_MARKER = /audit\(|apparmor=/;

/**
 * Keys are sliced out of each token as fresh strings; storing a fresh string as a property key
 * makes V8 look it up in its string table every time. Handing it the same string object for the
 * same key is measurably cheaper. Bounded, as keys come from attacker-controlled text.
 */
const keyCache = new Map<string, string>();
function internKey(key: string): string {
  const known = keyCache.get(key);
  if (known !== undefined) return known;
  if (keyCache.size >= 4096) keyCache.clear();
  const kept = detach(key);
  keyCache.set(kept, kept);
  return kept;
}

/** Offset of the first character after the blanks a token folds in front of itself. */
function textStart(s: string): number {
  let i = 0;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 29) i++;
    else return i;
  }
}

/** A token's text without its leading blanks. */
function img(t: IToken): string {
  const s = t.image;
  const i = textStart(s);
  return i === 0 ? s : s.slice(i);
}

/**
 * ISO-8601 time, with the `YYYY-MM-DDTHH:MM:SS` part cached per second: records come in bursts
 * within the same few seconds, and Date#toISOString is a measurable share of parsing.
 */
const secondPrefix = new Map<number, string>();
export function isoTime(epochMs: number): string {
  const sec = Math.floor(epochMs / 1000);
  let prefix = secondPrefix.get(sec);
  if (prefix === undefined) {
    if (secondPrefix.size >= 4096) secondPrefix.clear();
    const iso = new Date(sec * 1000).toISOString();
    if (iso.length !== 24) return new Date(epochMs).toISOString(); // years outside 0000–9999
    prefix = iso.slice(0, 19);
    secondPrefix.set(sec, prefix);
  }
  const ms = epochMs - sec * 1000;
  return `${prefix}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}


interface Envelope {
  epochMs: number | null;
  host: string | null;
  tag: string | null;
  typeWord: string | null;
}

/**
 * Dates, host, syslog tag and a journald type word (`AVC`) from the envelope tokens. A dmesg
 * MonoStamp (seconds since boot) carries no wall-clock time and is not read.
 */
function readEnvelope(tokens: IToken[]): Envelope {
  const env: Envelope = { epochMs: null, host: null, tag: null, typeWord: null };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const type = t.tokenType;
    if (type === BsdDate || type === IsoDate || type === UnixDate || type === BracketDate) {
      if (env.epochMs === null) env.epochMs = parseEnvelopeDate(t.image);
    } else if (type === Tag) {
      const tag = img(t);
      env.tag = tag.slice(0, tag.search(/[[:]/));
      const prev = tokens[i - 1];
      if (prev !== undefined && prev.tokenType === Word && env.host === null) env.host = img(prev);
    } else if (type === Word && i === tokens.length - 1) {
      const w = img(t);
      if (TYPE_WORD.test(w)) env.typeWord = w;
    }
  }
  return env;
}

/** Parse one line. Returns null for lines that are not audit records at all. */
export function parseLine(src: SourceLine): LineResult | null {
  const { text, meta } = src;
  const { tree, errors } = parseAuditLine(text);
  const warnings: string[] = [];
  for (const e of errors) warnings.push(e);

  const env = readEnvelope(tree.envelope);
  let interpreted = false;
  let auditId: string | null = null;
  let epochMs: number | null = null;
  if (tree.stamp !== undefined) {
    const stamp = parseAuditStamp(tree.stamp.image);
    if (stamp === null) warnings.push("malformed audit(…) stamp");
    else {
      ({ auditId, interpreted } = stamp);
      // Debian 13 kernels were seen printing audit(0000000000.000:0000): no usable time.
      if (stamp.epochMs > 0) epochMs = stamp.epochMs;
    }
  }

  // The header type= and node= are record attributes, not fields of the record.
  let type: string | null = null;
  if (tree.type !== undefined) type = recordTypeName(img(tree.type).slice(5));
  else if (env.typeWord !== null) type = recordTypeName(env.typeWord);
  else if (meta?.auditType !== undefined) type = recordTypeName(meta.auditType);
  let host: string | null = tree.node === undefined ? null : img(tree.node).slice(5);

  const fields: Record<string, string> = {};
  let msg: Record<string, string> | null = null;
  let target = fields;
  let lastKey: string | null = null;
  let lastBare = false;
  let pairs = 0;
  for (const t of tree.body) {
    const tt = t.tokenType;
    if (tt === ValuePair || tt === TypePair || tt === NodePair) {
      const s = t.image;
      const start = textStart(s);
      const eq = s.indexOf("=", start);
      const key = internKey(s.slice(start, eq));
      if (s.charCodeAt(eq + 1) === 34 && s.charCodeAt(s.length - 1) === 34 && s.length > eq + 2) {
        target[key] = s.slice(eq + 2, -1); // the common case: a complete quoted value
        lastBare = false;
      } else {
        const d = decodeValue(key, s.slice(eq + 1), type, interpreted);
        if (d.warning !== undefined) warnings.push(d.warning);
        target[key] = d.value;
        lastBare = s.charCodeAt(eq + 1) !== 34;
      }
      lastKey = key;
      pairs++;
      continue;
    }
    if (tt === NestedOpen) {
      msg = {};
      target = msg;
      lastKey = null;
    } else if (tt === NestedClose) {
      target = fields;
      lastKey = null;
    } else if (tt === Stray) {
      warnings.push(`stray ${img(t)} in record`);
      lastKey = null;
    } else if (tt === AuditStamp && auditId === null) {
      // A stamp behind text the envelope does not know (`type=AVC foo msg=audit(…):`).
      const stamp = parseAuditStamp(t.image);
      if (stamp !== null) {
        ({ auditId, interpreted } = stamp);
        if (stamp.epochMs > 0) epochMs = stamp.epochMs;
      }
    } else if (interpreted && lastKey !== null && lastBare) {
      // ausearch -i prints values unquoted, spaces included: the word belongs to the last value.
      target[lastKey] += " " + img(t);
    }
    // Other words are SELinux `avc:  denied  { read } for` prose or pager debris: not fields.
  }

  if (type === null && fields.type !== undefined) type = recordTypeName(fields.type); // old `audit(…): type=1503`

  const apparmor = msg?.apparmor ?? fields.apparmor;
  // EOE closes a multi-record event and is the one record type that has no fields.
  const isRecord =
    (pairs > 0 || type === "EOE") &&
    (auditId !== null || type !== null || apparmor !== undefined || meta?.auditSerial !== undefined);
  if (!isRecord) {
    // Text that carries an audit marker but yields no record is reported; other text is not ours.
    if (SOFT_MARKER.test(text) || (tree.type !== undefined && tree.stamp !== undefined)) {
      const reason = pairs === 0 ? "audit header without key=value pairs (truncated?)" : "no audit header or apparmor= key";
      return { skipped: { source: src.source, line: src.line, reason, excerpt: excerpt(text) } };
    }
    return null;
  }

  // journald's audit transport drops audit(…) from MESSAGE; its fields still hold the id.
  if (auditId === null && meta?.auditSerial !== undefined) {
    const usec = meta.sourceRealtimeUsec ?? meta.realtimeUsec;
    if (usec !== undefined) {
      const ms = Math.floor(usec / 1000);
      auditId = `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}:${meta.auditSerial}`;
      epochMs ??= ms;
    }
  }
  if (epochMs === null) {
    const usec = meta?.sourceRealtimeUsec ?? meta?.realtimeUsec;
    epochMs = usec !== undefined ? Math.floor(usec / 1000) : env.epochMs;
  }
  if (host === null) host = env.host ?? meta?.host ?? null;

  const record: AuditRecord = {
    source: src.source,
    line: src.line,
    format: meta?.format ?? shapeOf(tree, env, interpreted),
    type,
    auditId,
    time: epochMs !== null && Number.isFinite(epochMs) ? isoTime(epochMs) : null,
    host,
    mode: modeOf(apparmor, type),
    fields,
    msg,
  };
  if (warnings.length > 0) record.warnings = warnings;
  return { record };
}

/** Name the shape of a text line, for `format`. */
function shapeOf(tree: ReturnType<typeof parseAuditLine>["tree"], env: Envelope, interpreted: boolean): string {
  if (interpreted) return "ausearch";
  const first = tree.envelope[0]?.tokenType;
  if (tree.envelope.length === 0) {
    if (tree.type !== undefined || tree.node !== undefined) return "auditd";
    if (tree.stamp !== undefined) return tree.stamp.image.includes("msg=") ? "audispd" : "kernel-message";
    return "bare";
  }
  if (env.typeWord !== null && (env.tag === null || env.tag === "audit")) return "journal-audit";
  if (tree.type !== undefined && first === Tag && tree.envelope.length === 1) return "auditd"; // grep -r output: `audit.log:type=…`
  if ((first === MonoStamp || first === BracketDate) && env.host === null) return "dmesg";
  if (env.host !== null || env.tag === "kern.notice" || first === BsdDate || first === IsoDate || first === UnixDate) return "syslog";
  if (env.tag === "audit") return "kernel-message";
  return "other";
}
