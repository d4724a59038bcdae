/**
 * One physical line (or journald entry) → one AuditRecord, using the Chevrotain grammar in
 * grammars/audit-line.ts for the syntax and this file for the meaning of each token group.
 */
import type { IToken } from "chevrotain";
import {
  parseAuditLine, AuditStamp, BracketDate, BsdDate, IsoDate, MonoStamp, NestedClose, NestedOpen,
  NodePair, Stray, Tag, TypePair, UnixDate, ValuePair, Word,
} from "../../grammars/audit-line.js";
import { newFields, type AuditRecord, type SourceLine, type Skipped } from "./record.js";
import { SKIP_CODES, type Warning, type WarningCode } from "../input/reasons.js";
import { modeOf, recordTypeName } from "./record-types.js";
import { decodeValue } from "./values.js";
import { isoTime, parseAuditStamp, parseEnvelopeDate, timeInRange } from "./timestamps.js";
import { fromMemo, lineVariables, memoAwake, remember } from "./memo.js";
import { detach, excerpt } from "../input/detach.js";

export { excerpt, isoTime };

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
function readEnvelope(tokens: IToken[], stampMs: number | undefined): Envelope {
  const env: Envelope = { epochMs: null, host: null, tag: null, typeWord: null };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const type = t.tokenType;
    if (type === BsdDate || type === IsoDate || type === UnixDate || type === BracketDate) {
      if (env.epochMs === null) env.epochMs = parseEnvelopeDate(t.image, Date.now(), stampMs);
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

/** Keys kept per record; past this a record is hostile, not a kernel record (EXECVE has a few hundred). */
export const MAX_KEYS = 4096;
/** `subj==/usr/sbin/ntpd (enforce)`: the label's mode, printed after a space. */
const LABEL_MODE = /^\((?:enforce|complain|kill|unconfined|prompt|audit|mixed)\)$/;
export const LABEL_KEYS: ReadonlySet<string> = new Set(["subj", "obj", "label", "profile", "peer", "peer_label", "tcontext"]);
/** Ids and counts the kernel prints as unsigned decimals: a sign or more than 2^53 is not one of them. */
export const ID_KEYS: ReadonlySet<string> = new Set(["pid", "ppid", "peer_pid", "uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid", "ouid", "ogid", "auid", "ses", "task", "parent", "sauid"]);
/** `ouid=0FSUID=` — an ENRICHED key glued to the value before it (pasted without the \x1d). */
const GLUED_KEY = /^(.*?)([A-Z][A-Z0-9_]*)=$/;

/** The warnings of one record: the first message of each code, so one odd line costs one line of report. */
class Oddities {
  list: Warning[] | undefined;
  add(code: WarningCode, message: string): void {
    const list = (this.list ??= []);
    for (const w of list) if (w.code === code) return;
    list.push({ code, message });
  }
}

/** A value assembled from several tokens: a glued ENRICHED value (`"…"`) or a brace value (`{ … }`). */
interface Gathering {
  key: string;
  close: "quote" | "brace";
  /** For a quoted value: whether its opening quote was read. */
  open: boolean;
  parts: string[];
}

/**
 * What one source's earlier lines tell about the next: the last audit time read, which gives a
 * syslog date without a year its year (a 2025 archive read in 2026 stays in 2025).
 */
export interface SourceContext {
  stampMs?: number;
}

/** Parse one line. Returns null for lines that are not audit records at all. */
export function parseLine(src: SourceLine, context?: SourceContext): LineResult | null {
  // A repeat of a body already parsed (new stamp, serial, pid) is made from that parse.
  const variables = memoAwake() ? lineVariables(src.text) : undefined;
  if (variables !== undefined) {
    const record = fromMemo(variables, src.source, src.line, src.meta);
    if (record !== undefined) {
      if (context !== undefined) context.stampMs = variables.epochMs;
      return { record };
    }
  }
  const result = parseWithGrammar(src, context);
  if (variables !== undefined && result?.record !== undefined) remember(variables, result.record, src.meta, src.text);
  return result;
}

/** Parse one line with the grammar, never from the memo (exported for the memo's tests). */
export function parseWithGrammar(src: SourceLine, context?: SourceContext): LineResult | null {
  const { text, meta } = src;
  const { tree, errors } = parseAuditLine(text);
  const odd = new Oddities();
  if (errors.lexer > 0) odd.add("lexer", `${errors.lexer} character(s) the grammar does not accept, first at offset ${errors.firstOffset}`);
  if (errors.parser !== undefined) odd.add("lexer", errors.parser);

  let interpreted = false;
  let auditId: string | null = null;
  let epochMs: number | null = null;
  const takeStamp = (image: string): boolean => {
    const stamp = parseAuditStamp(image);
    if (stamp === null) return false;
    ({ auditId, interpreted } = stamp);
    // Debian 13 kernels were seen printing audit(0000000000.000:0000): no usable time.
    if (stamp.epochMs > 0) {
      if (timeInRange(stamp.epochMs)) epochMs = stamp.epochMs;
      else odd.add("stamp-out-of-range", `audit time ${stamp.auditId.slice(0, 40)} is outside 1970–9999`);
    }
    return true;
  };
  if (tree.stamp !== undefined && !takeStamp(tree.stamp.image)) odd.add("stamp-malformed", "malformed audit(…) stamp");
  if (context !== undefined && epochMs !== null) context.stampMs = epochMs;
  const env = readEnvelope(tree.envelope, epochMs ?? context?.stampMs);

  // The header type= and node= are record attributes, not fields of the record.
  let type: string | null = null;
  if (tree.type !== undefined) type = recordTypeName(img(tree.type).slice(5));
  else if (env.typeWord !== null) type = recordTypeName(env.typeWord);
  else if (meta?.auditType !== undefined) type = recordTypeName(meta.auditType);
  let host: string | null = tree.node === undefined ? null : img(tree.node).slice(5);

  const fields = newFields();
  let msg: Record<string, string> | null = null;
  let target = fields;
  let keys = 0;
  let lastKey: string | null = null;
  let lastBare = false;
  let pairs = 0;
  let gathering: Gathering | null = null;
  const put = (key: string, value: string): void => {
    if (target[key] !== undefined) {
      odd.add("duplicate-key", `${key.slice(0, 40)}= given twice (first value kept)`);
      return;
    }
    if (++keys > MAX_KEYS) {
      odd.add("too-many-keys", `more than ${MAX_KEYS} keys (the rest dropped)`);
      return;
    }
    target[key] = value;
  };
  for (const t of tree.body) {
    const tt = t.tokenType;
    if (gathering !== null) {
      // Inside a value made of several tokens: everything up to its closing quote or brace.
      const part = t.image;
      if (gathering.close === "quote" && !gathering.open) {
        // `="root"`: the quote right after the glued key opens the value; anything else ends it empty.
        if (tt === Stray && t.image === '"') {
          gathering.open = true;
          continue;
        }
        put(gathering.key, "");
        gathering = null;
      } else if (gathering.close === "quote" ? tt === Stray && img(t) === '"' : tt === Word && img(t) === "}") {
        put(gathering.key, gathering.close === "quote" ? gathering.parts.join("").trimStart() : `{${gathering.parts.join("")} }`);
        gathering = null;
        continue;
      } else {
        gathering.parts.push(part);
        continue;
      }
    }
    if (tt === ValuePair || tt === TypePair || tt === NodePair) {
      const s = t.image;
      const start = textStart(s);
      const eq = s.indexOf("=", start);
      const key = internKey(s.slice(start, eq));
      pairs++;
      lastKey = key;
      if (s.charCodeAt(eq + 1) === 34 && s.charCodeAt(s.length - 1) === 34 && s.length > eq + 2) {
        put(key, s.slice(eq + 2, -1)); // the common case: a complete quoted value
        lastBare = false;
        continue;
      }
      const raw = s.slice(eq + 1);
      lastBare = raw.charCodeAt(0) !== 34;
      if (lastBare && raw.charCodeAt(raw.length - 1) === 61 /* = */) {
        const glued = GLUED_KEY.exec(raw);
        if (glued !== null) {
          odd.add("enriched-unseparated", `${glued[2]}= glued to the value of ${key}= (no \\x1d separator)`);
          put(key, glued[1]!);
          gathering = { key: internKey(glued[2]!), close: "quote", open: false, parts: [] };
          continue;
        }
      }
      if (raw === "{") {
        gathering = { key, close: "brace", open: true, parts: [] };
        continue;
      }
      const d = decodeValue(key, raw, type, interpreted);
      if (d.warning !== undefined) odd.add(d.warning.code, d.warning.message);
      if ((raw.charCodeAt(0) === 45 || raw.length > 15) && ID_KEYS.has(key) && !Number.isSafeInteger(Number(raw) >= 0 ? Number(raw) : NaN) && /^-?\d+$/.test(raw)) {
        odd.add("number-out-of-range", `${key}=${raw.slice(0, 24)} is not an id the kernel writes (not read as a number)`);
      }
      // `subj==/usr/sbin/ntpd (enforce)`: a label printed with its own `=` in front.
      put(key, lastBare && !d.hex && LABEL_KEYS.has(key) && d.value.charCodeAt(0) === 61 ? d.value.slice(1) : d.value);
      continue;
    }
    if (tt === NestedOpen) {
      msg = newFields();
      target = msg;
      lastKey = null;
    } else if (tt === NestedClose) {
      target = fields;
      lastKey = null;
    } else if (tt === Stray) {
      odd.add("stray-character", `stray ${img(t)} in record`);
      lastKey = null;
    } else if (tt === AuditStamp && auditId === null) {
      // A stamp behind text the envelope does not know (`type=AVC foo msg=audit(…):`).
      takeStamp(t.image);
    } else if (lastKey !== null && lastBare && tt === Word && target[lastKey] !== undefined) {
      const w = img(t);
      // ausearch -i prints values unquoted, spaces included: the word belongs to the last value.
      // A label's mode (`(enforce)`) belongs to the label before it.
      if (interpreted || (LABEL_KEYS.has(lastKey) && LABEL_MODE.test(w))) target[lastKey] += " " + w;
    }
    // Other words are SELinux `avc:  denied  { read } for` prose or pager debris: not fields.
  }
  if (gathering !== null) {
    odd.add("unterminated-quote", `unterminated value of ${gathering.key}=`);
    put(gathering.key, gathering.parts.join("").trimStart());
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
      const code = pairs === 0 ? "truncated-header" : "no-audit-header";
      return { skipped: { source: src.source, line: src.line, code, message: SKIP_CODES[code], excerpt: excerpt(text) } };
    }
    return null;
  }

  // journald's audit transport drops audit(…) from MESSAGE; its fields still hold the id.
  const usec = meta?.sourceRealtimeUsec ?? meta?.realtimeUsec;
  const metaMs = usec !== undefined && timeInRange(usec / 1000) ? Math.floor(usec / 1000) : undefined;
  if (auditId === null && meta?.auditSerial !== undefined && metaMs !== undefined) {
    auditId = `${Math.floor(metaMs / 1000)}.${String(metaMs % 1000).padStart(3, "0")}:${meta.auditSerial}`;
    epochMs ??= metaMs;
  }
  if (epochMs === null) epochMs = metaMs ?? (env.epochMs !== null && timeInRange(env.epochMs) ? env.epochMs : null);
  if (host === null) host = env.host ?? meta?.host ?? null;

  const record: AuditRecord = {
    source: src.source,
    line: src.line,
    format: meta?.format ?? shapeOf(tree, env, interpreted),
    type,
    auditId,
    time: epochMs !== null ? isoTime(epochMs) : null,
    host,
    mode: modeOf(apparmor, type),
    fields,
    msg,
  };
  if (odd.list !== undefined) record.warnings = odd.list;
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
