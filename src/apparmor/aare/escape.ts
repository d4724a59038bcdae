/**
 * Literal text → AppArmor glob (AARE) text that matches exactly that text and reads the same to
 * a person as to apparmor_parser. A denied path, a peer label, a socket address are literals:
 *
 * - glob and quoting characters (`\ * ? [ ] { } ^ "`) get a backslash, so `*` from a log is a
 *   star, never a wildcard, and `{a,b}` is never an alternation;
 * - a character that cannot be shown (controls, DEL, C1, bidi and other format characters,
 *   separators, blanks other than the space) is written as the escape the parser reads, `\xHH`
 *   per UTF-8 byte — U+202E is `\xe2\x80\xae` — so the rule stays exact and visible.
 *
 * Checked with the real parser: `apparmor_parser -D expr-tree` reads `\x22` as `"`, `\{` as `{`,
 * `\xe2\x80\xae` as those three bytes.
 */

const GLOB_CHARS = /[\\*?[\]{}^"]/;
/** What is written as \xHH: everything invisible or misleading, and any blank but the space. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|(?! )\p{Zs}/u;
const SPECIAL = new RegExp(`${GLOB_CHARS.source}|${HIDDEN.source}`, "gu");
const HAS_SPECIAL = new RegExp(SPECIAL.source, "u");

function escapeChar(c: string): string {
  if (GLOB_CHARS.test(c)) return `\\${c}`;
  let out = "";
  for (const byte of Buffer.from(c, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
  return out;
}

/** The AARE text that matches exactly `literal`. */
export function escapeLiteral(literal: string): string {
  return HAS_SPECIAL.test(literal) ? literal.replace(SPECIAL, escapeChar) : literal;
}

/** Whether a rule word (path, label, address) must be written in double quotes. */
export function needsQuotes(text: string): boolean {
  return text === "" || /[\s,#()=!&'<>|;]/.test(text) || text.startsWith("-");
}

/** Quote an AARE word if AppArmor's lexer would otherwise split it (its `"` are escaped already). */
export function quoteWord(text: string): string {
  return needsQuotes(text) ? `"${text}"` : text;
}

/** A literal from a log as one rule word: escaped, and quoted when needed. */
export function literalWord(literal: string): string {
  return quoteWord(escapeLiteral(literal));
}
