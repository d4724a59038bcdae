/**
 * The one text-safety module. Log text is attacker-controlled: a process can name itself
 * "\x1b]0;PWNED\x07", a path can hold a newline, a right-to-left override (U+202E) or a CSI
 * (U+009B). Every output destination has one function here, and every renderer, writer and
 * message goes through the function of its destination:
 *
 *   terminalText / terminalDocument   text reports, watch lines, stderr messages
 *   jsonText                          JSON, NDJSON (reports, parse, ECS, watch, state files)
 *   csvCell                           CSV cells
 *   markdownText                      Markdown (inside its own quoting: see markdown.ts)
 *   htmlText                          HTML text and attribute values (html.ts)
 *   policyComment                     comments in rules and local/ files
 *   messageText                       error messages that quote input (file names, bytes)
 *
 * Unsafe means: C0 and C1 controls, DEL, format characters (bidi controls, zero-width
 * characters, BOM, soft hyphen, tag characters), line and paragraph separators, and lone
 * surrogates — everything that can move the cursor, rewrite the terminal, or make what a person
 * reads differ from the bytes.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNSAFE_BUT_LINES = /(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const HAS_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** A visible escape for one unsafe character: `\n`, `\x1b`, `\u202e`, `\u{e0001}`. */
function visible(c: string): string {
  const code = c.codePointAt(0)!;
  if (code === 0x09) return "\\t";
  if (code === 0x0a) return "\\n";
  if (code === 0x0d) return "\\r";
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\u{${code.toString(16)}}`;
}

/** True when `value` holds a character no output may carry raw. */
export function hasUnsafe(value: string): boolean {
  return HAS_UNSAFE.test(value);
}

/** One log value on a terminal: every unsafe character, newlines and tabs too, as a visible escape. */
export function terminalText(value: string): string {
  return HAS_UNSAFE.test(value) ? value.replace(UNSAFE, visible) : value;
}

/**
 * A whole rendered text document for a terminal or file: its own newlines and tabs stay,
 * anything else unsafe (which can only have come from a log) becomes a visible escape. This is
 * the last gate; values are already cleaned one by one with terminalText.
 */
export function terminalDocument(text: string): string {
  return HAS_CONTROL_OR_WIDE.test(text) && HAS_UNSAFE.test(text) ? text.replace(UNSAFE_BUT_LINES, visible) : text;
}

/** A cheap first look (no Unicode properties): any C0 but \n and \t, DEL, or anything past ASCII. */
const HAS_CONTROL_OR_WIDE = /[\x00-\x08\x0b-\x1f\x7f-\uffff]/;

/** `value` as JSON text, with every unsafe character JSON.stringify leaves raw as a \u escape (the same value). */
export function jsonText(value: unknown, space?: number): string {
  return jsonDocument(JSON.stringify(value, null, space));
}

/**
 * JSON.stringify escapes C0 itself (but for the document's own newlines), so what is left to
 * look at is DEL and beyond, rare in logs: only runs of those characters are scanned. (Testing
 * the whole document with the Unicode classes was a quarter of writing a large JSON report:
 * 100k pure lines, 370 -> 276 ms.)
 */
const BEYOND_ASCII = /[^\x00-\x7e]/;
const BEYOND_ASCII_RUN = /[^\x00-\x7e]+/g;

function jsonDocument(json: string): string {
  if (!BEYOND_ASCII.test(json)) return json;
  BEYOND_ASCII_RUN.lastIndex = 0;
  for (let m = BEYOND_ASCII_RUN.exec(json); m !== null; m = BEYOND_ASCII_RUN.exec(json)) {
    if (HAS_UNSAFE.test(m[0])) return json.replace(BEYOND_ASCII_RUN, (run) => run.replace(UNSAFE, jsonEscape));
  }
  return json;
}

function jsonEscape(c: string): string {
  let out = "";
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/** An error message that quotes input (a file name, bytes of a file): cleaned and cut short. */
export function messageText(value: string, max = 200): string {
  const clean = terminalText(value);
  return clean.length > max ? clean.slice(0, max) + "…" : clean;
}

/** A comment in a policy file: one line, whatever the value holds (a newline would end the comment). */
export function policyComment(value: string): string {
  return terminalText(value);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * A value in HTML, as element text or a quoted attribute value: unsafe characters as visible
 * escapes, and every character HTML gives a meaning to as an entity, so no log value can open
 * a tag, end an attribute or start a script.
 */
export function htmlText(value: string): string {
  return terminalText(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Markdown text outside code: unsafe characters as visible escapes (markdown.ts adds its own quoting). */
export function markdownText(value: string): string {
  return terminalText(value);
}

// ---- CSV ------------------------------------------------------------------------------------

/**
 * csv-stringify's escape_formulas (on in csv.ts) prefixes `'` to values starting with = + - @
 * TAB CR and their full-width forms; it misses them after leading blanks, which spreadsheets
 * may trim.
 */
const FORMULA_AFTER_SPACE = /^[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV cell, before csv-stringify quotes it: unsafe characters other than TAB and LF become
 * U+FFFD; `'` goes before a formula hidden behind leading blanks and before a leading `'`, so
 * one leading `'` is always ours to remove.
 */
export function csvCell(value: string): string {
  const clean = HAS_UNSAFE.test(value) ? value.replace(UNSAFE_BUT_LINES, "\uFFFD") : value;
  return clean.startsWith("'") || FORMULA_AFTER_SPACE.test(clean) ? `'${clean}` : clean;
}
