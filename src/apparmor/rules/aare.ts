/**
 * Literal text → AppArmor glob (AARE) text. A denied path is a literal: its glob characters must
 * be escaped so the rule matches exactly that path, and characters AppArmor cannot take in a
 * rule (control characters) are replaced by `?`, one character, with a warning.
 */

const GLOB_CHARS = /[\\*?[\]{}"]/g;
const CONTROL = /[\x00-\x1f\x7f]/g;
/** The same class without the global flag, for test() (a /g regex keeps state between calls). */
const HAS_CONTROL = /[\x00-\x1f\x7f]/;

export interface Escaped {
  text: string;
  /** Set when a character had to be replaced by a one-character glob. */
  warning?: string;
}

export function escapeLiteral(literal: string): Escaped {
  const escaped = literal.replace(GLOB_CHARS, (c) => `\\${c}`);
  if (!HAS_CONTROL.test(escaped)) return { text: escaped };
  return {
    text: escaped.replace(CONTROL, "?"),
    warning: "control characters in the name were replaced by `?` (matches any one character)",
  };
}

/** Whether a rule word (path, peer, address) must be written in double quotes. */
export function needsQuotes(text: string): boolean {
  return /[\s,#()=]/.test(text) || text === "";
}

/** Quote an AARE word if AppArmor's lexer would otherwise split it. */
export function quoteWord(text: string): string {
  return needsQuotes(text) ? `"${text}"` : text;
}
