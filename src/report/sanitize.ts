/**
 * Width helpers for text output. The cleaning of log text lives in text-safety.ts.
 */

/** Shorten to at most `max` characters with an ellipsis, never splitting a surrogate pair. */
export function shorten(value: string, max: number): string {
  if (max <= 1) return "";
  if (value.length <= max) return value;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(value[end - 1]!)) end--;
  return value.slice(0, end) + "…";
}
