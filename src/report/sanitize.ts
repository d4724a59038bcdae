/**
 * Log text is attacker-controlled: a process can name itself "\x1b[2J" or a path can hold a
 * newline. Everything log-derived goes through here before it reaches a terminal.
 */

// C0 and C1 controls, DEL, and the Unicode bidi overrides that can reorder what a reader sees.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** Replace control characters with a visible escape (`\x1b` → `\x1b` as four characters). */
export function safeText(value: string): string {
  return value.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x09) return "\\t";
    if (code === 0x0a) return "\\n";
    if (code === 0x0d) return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Shorten to at most `max` characters with an ellipsis, never splitting a surrogate pair. */
export function shorten(value: string, max: number): string {
  if (max <= 1) return "";
  if (value.length <= max) return value;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(value[end - 1]!)) end--;
  return value.slice(0, end) + "…";
}
