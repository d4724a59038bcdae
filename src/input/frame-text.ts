/**
 * Text logs framed at the byte level, for the analysis: a line becomes a string only when it can
 * matter — it holds an AppArmor or pasta marker, or it is a companion (SYSCALL, CWD, PROCTITLE,
 * EXECVE, EOE) of an AppArmor record. The other auditd records (95 % of a real audit.log) are only
 * counted by type, read straight from the bytes; other text is dropped. Markers are found with one
 * Buffer.indexOf cursor per marker over the whole chunk, so a line without one costs a newline
 * search and a few byte compares.
 *
 * Companions usually follow their AppArmor record (the kernel logs the AVC during the syscall and
 * SYSCALL/CWD/PATH/PROCTITLE at its exit); those that come first are kept in a short look-behind
 * ring and handed over just before the record.
 */
import type { SourceLine } from "./source-line.js";
import { BATCH_CHARS, BATCH_SIZE, isContinuation, joinHardWrapped, type FrameContext } from "./frame-lines.js";
import { excerpt } from "./detach.js";

/** What makes a line worth decoding (see keep-line.ts). */
export interface ByteMarkers {
  /** Any line that holds one of these is decoded. */
  strong: readonly string[];
  /** Lines that are not auditd records are decoded when they hold one of these too (every auditd line has `audit(`). */
  weak: readonly string[];
}

/** The record types a companion can have (the ones that describe the process, and EOE). */
const COMPANION_TYPES = new Set(["SYSCALL", "CWD", "PROCTITLE", "EXECVE", "EOE"]);
/** Types whose body is AppArmor's even without `apparmor=` (old kernels' records). */
import { LSM_RECORD_TYPES } from "./other-lsm.js";

const APPARMOR_TYPE = /^(?:APPARMOR|AA$|UNKNOWN\[150\d\]$|150\d$)/;
const RING = 16;
/** Recent AppArmor audit ids whose companions may still come. */
const OPEN_IDS = 16;

const NL = 0x0a;
const CR = 0x0d;

/** A companion that came before any AppArmor record of its id: its bytes, decoded only if one comes. */
interface Ring {
  id: number;
  type: string;
  buf: Buffer;
  s: number;
  e: number;
  line: number;
}

/** Whether the body after the stamp's `)` at `from` (`: key=…`) opens with a key=value pair, as every record's does. */
function opensWithPair(buf: Buffer, from: number, e: number): boolean {
  if (buf[from] !== 0x3a || buf[from + 1] !== 0x20) return false;
  let p = from + 2;
  const c = buf[p];
  if (c === undefined || !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
  while (p < e) {
    const d = buf[p]!;
    if (d === 0x3d) return true;
    if (!((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || d === 0x5f || d === 0x2d)) return false;
    p++;
  }
  return false;
}

/** Frame `chunks` (already decompressed) into batches of the lines worth parsing. */
export async function* frameText(chunks: AsyncIterable<Buffer>, ctx: FrameContext, markers: ByteMarkers, onCounted: (type: string) => void): AsyncGenerator<SourceLine[]> {
  const { source, onSkip } = ctx;
  const max = ctx.maxLineLength;
  const tooLong = `line longer than ${max} characters`;
  const needles = [...markers.strong, ...markers.weak].map((n) => Buffer.from(n, "latin1"));
  const strong = markers.strong.length;
  const next = new Array<number>(needles.length).fill(-1);
  let carry: Buffer | undefined;
  /** Inside a line longer than the limit whose start was already reported. */
  let skipping = false;
  let lineNo = 0;
  let batch: SourceLine[] = [];
  let chars = 0;
  let held: SourceLine | undefined;
  const openIds: number[] = [];
  const ring: Ring[] = [];
  const typeNames = new Map<number, string>();

  const push = (l: SourceLine): SourceLine[] | undefined => {
    batch.push(l);
    chars += l.text.length;
    if (batch.length < BATCH_SIZE && chars < BATCH_CHARS) return undefined;
    const full = batch;
    batch = [];
    chars = 0;
    return full;
  };
  /** Keep a line: held back one line while the next may continue it (a wrapped record). */
  const keep = (l: SourceLine): SourceLine[] | undefined => {
    const previous = held;
    held = l;
    return previous === undefined ? undefined : push(previous);
  };
  const release = (): SourceLine[] | undefined => {
    const previous = held;
    held = undefined;
    return previous === undefined ? undefined : push(previous);
  };

  /**
   * `type=NAME` at `s` (after an optional `node=HOST `): the type's name, or undefined. The name is
   * looked up by a hash of its bytes, so a line costs no string unless it is kept.
   */
  const auditdType = (buf: Buffer, s: number, e: number): { type: string; at: number } | undefined => {
    let p = s;
    if (buf[p] === 0x6e /* n */ && buf[p + 1] === 0x6f && buf[p + 2] === 0x64 && buf[p + 3] === 0x65 && buf[p + 4] === 0x3d) {
      const sp = buf.indexOf(0x20, p);
      if (sp < 0 || sp >= e) return undefined;
      p = sp + 1;
    }
    if (!(buf[p] === 0x74 && buf[p + 1] === 0x79 && buf[p + 2] === 0x70 && buf[p + 3] === 0x65 && buf[p + 4] === 0x3d)) return undefined;
    const start = p + 5;
    let end = start;
    let h = 0x811c9dc5;
    let g = 0x01000193;
    while (end < e && buf[end] !== 0x20) {
      h = Math.imul(h ^ buf[end]!, 0x01000193);
      g = Math.imul(g ^ buf[end]!, 0x5bd1e995);
      end++;
    }
    if (end === start || end - start > 40) return undefined;
    const key = (h >>> 0) * 0x200000 + ((g >>> 0) & 0x1fffff) + (end - start);
    let type = typeNames.get(key);
    if (type === undefined) {
      if (typeNames.size > 512) typeNames.clear();
      type = buf.toString("latin1", start, end);
      typeNames.set(key, type);
    }
    return { type, at: end };
  };

  /** Where auditId read to: the offset after the `)` of the stamp (the body follows `: `). */
  let afterStamp = -1;
  /**
   * A number for the `S.MS:N` of ` msg=audit(S.MS:N)` right at `from` (a hash of its bytes), or -1;
   * sets afterStamp.
   */
  const auditId = (buf: Buffer, from: number, e: number): number => {
    afterStamp = -1;
    let p = from;
    if (!(buf[p] === 0x20 && buf[p + 1] === 0x6d && buf[p + 2] === 0x73 && buf[p + 3] === 0x67 && buf[p + 4] === 0x3d)) return -1; // " msg="
    p += 5;
    if (!(buf[p] === 0x61 && buf[p + 1] === 0x75 && buf[p + 2] === 0x64 && buf[p + 3] === 0x69 && buf[p + 4] === 0x74 && buf[p + 5] === 0x28)) return -1; // "audit("
    p += 6;
    let h = 0x811c9dc5;
    let g = 0x01000193;
    for (const stop = Math.min(e, p + 48); p < stop; p++) {
      const c = buf[p]!;
      if (c === 0x29 /* ) */) {
        afterStamp = p + 1;
        return (h >>> 0) * 0x200000 + ((g >>> 0) & 0x1fffff);
      }
      h = Math.imul(h ^ c, 0x01000193);
      g = Math.imul(g ^ c, 0x5bd1e995);
    }
    return -1;
  };

  /** Whether one of the first `upTo` needles occurs in [s, e). */
  const hasMarker = (buf: Buffer, s: number, e: number, upTo: number): boolean => {
    let found = false;
    for (let i = 0; i < upTo; i++) {
      let at = next[i]!;
      if (at < s) {
        at = buf.indexOf(needles[i]!, s);
        next[i] = at < 0 ? Infinity : at;
        at = next[i]!;
      }
      if (at < e) found = true;
    }
    return found;
  };

  const decode = (buf: Buffer, s: number, e: number): string => {
    let end = e;
    if (end > s && buf[end - 1] === CR) end--;
    let text = buf.toString("utf8", s, end);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  };

  /** One whole line [s, e) of `buf`; returns a full batch when there is one. */
  const line = (buf: Buffer, s: number, e: number): SourceLine[] | undefined => {
    const lineNo_ = ++lineNo;
    ctx.onLine();
    if (e === s || (e === s + 1 && buf[s] === CR)) return release(); // blank
    if (e - s > max) {
      const text = buf.toString("utf8", s, Math.min(e, s + 4 * max + 4));
      if (e - s > 4 * max || text.length > max) {
        onSkip?.({ source, line: lineNo_, code: "line-too-long", message: tooLong, excerpt: excerpt(text) });
        return release();
      }
    }
    const first = buf[s];
    if (held !== undefined && (first === 0x20 || first === 0x09)) {
      const text = decode(buf, s, e);
      if (isContinuation(text, held.text) && held.text.length + text.length < max) {
        held.text = `${held.text} ${text.trim()}`;
        return undefined;
      }
    }
    const header = first === 0x74 || first === 0x6e ? auditdType(buf, s, e) : undefined;
    // A tail a paste hard-wrapped without indenting it (tried only right after a kept line that is no auditd record).
    if (held !== undefined && header === undefined && ctx.hardWrapped === true && e - s + held.text.length < max) {
      const joined = joinHardWrapped(held.text, decode(buf, s, e));
      if (joined !== undefined) {
        held.text = joined;
        return undefined;
      }
    }
    const marked = hasMarker(buf, s, e, header === undefined ? needles.length : strong);
    if (header !== undefined && !marked) {
      // An auditd record that is not AppArmor's: counted, and kept only as a companion.
      // A record handed over is counted by the parser; one that is not is counted here, once.
      const { type } = header;
      const stamped = auditId(buf, header.at, e);
      // Old kernels' AppArmor types, another LSM's access decisions (counted apart: other-lsm.ts), and a
      // body the parser must judge (no stamp, truncated, garbled): handed over.
      if (APPARMOR_TYPE.test(type) || LSM_RECORD_TYPES.has(type) || afterStamp < 0 || (type !== "EOE" && !opensWithPair(buf, afterStamp, e))) return keep({ source, line: lineNo_, text: decode(buf, s, e) });
      const id = COMPANION_TYPES.has(type) ? stamped : -1;
      if (id !== -1 && openIds.includes(id)) return keep({ source, line: lineNo_, text: decode(buf, s, e) });
      if (id !== -1 && type !== "EOE") {
        ring.push({ id, type, buf, s, e, line: lineNo_ });
        if (ring.length > RING) onCounted(ring.shift()!.type);
      } else onCounted(type);
      return release();
    }
    if (!marked) return release();
    const text = decode(buf, s, e);
    let full: SourceLine[] | undefined;
    if (header !== undefined) {
      const id = auditId(buf, header.at, e);
      if (id !== -1) {
        if (!openIds.includes(id)) {
          openIds.push(id);
          if (openIds.length > OPEN_IDS) openIds.shift();
        }
        // Its companions that came first, in their order, just before it.
        for (let i = 0; i < ring.length; i++) {
          const r = ring[i]!;
          if (r.id !== id) continue;
          ring.splice(i--, 1);
          full = keep({ source, line: r.line, text: decode(r.buf, r.s, r.e) }) ?? full;
        }
      }
    }
    return keep({ source, line: lineNo_, text }) ?? full;
  };

  let upstreamError: unknown;
  try {
    for await (const chunk of chunks) {
      let buf = chunk;
      let s = 0;
      if (carry !== undefined) {
        // The line cut by the chunk's start is joined in a buffer of its own (concatenating the
        // whole chunk to it copied every byte of the input once more).
        const nl = chunk.indexOf(NL);
        if (nl < 0) buf = Buffer.concat([carry, chunk]);
        else {
          const head = Buffer.concat([carry, chunk.subarray(0, nl)]);
          next.fill(-1);
          const full = line(head, 0, head.length);
          if (full !== undefined) yield full;
          s = nl + 1;
        }
        carry = undefined;
      }
      next.fill(-1);
      for (;;) {
        const nl = buf.indexOf(NL, s);
        if (nl < 0) break;
        if (skipping) skipping = false;
        else {
          const full = line(buf, s, nl);
          if (full !== undefined) yield full;
        }
        s = nl + 1;
      }
      if (s < buf.length) {
        if (skipping) continue;
        if (buf.length - s > 4 * max + 4) {
          // A line that is already too long: report it now and drop the rest of it unread.
          const full = line(buf, s, buf.length);
          skipping = true;
          if (full !== undefined) yield full;
        } else carry = buf.subarray(s);
      }
      if (batch.length > 0 && held === undefined) {
        const full = batch;
        batch = [];
        chars = 0;
        yield full;
      }
    }
  } catch (err) {
    upstreamError = err;
  }
  // A last line without a newline is a line; after a read error it is a line cut in the middle.
  if (carry !== undefined && upstreamError === undefined) {
    const full = line(carry, 0, carry.length);
    if (full !== undefined) yield full;
  }
  for (const r of ring) onCounted(r.type);
  if (held !== undefined) batch.push(held);
  if (batch.length > 0) yield batch;
  if (upstreamError !== undefined) throw upstreamError;
}
