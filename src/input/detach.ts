/**
 * A substring in V8 can be a view into its parent: a field value sliced from a line sliced from
 * a read chunk keeps the whole chunk alive. Anything kept past the current batch (report
 * groups, caches) is detached first, or a long run holds the entire input in memory.
 */
export function detach(s: string): string {
  // Short strings are copied by slice anyway; a concatenation is flattened into a new string.
  return s.length < 13 ? s : (" " + s).slice(1);
}

/**
 * A deep copy of plain data (objects, arrays, strings, numbers, booleans, null) with every string
 * detached, members holding undefined left out: what a JSON round trip gives, at a fraction of
 * its cost. Only for aalens's own shapes (their keys are aalens's, not a log's).
 */
export function detachDeep<T>(value: T): T {
  if (typeof value === "string") return detach(value) as T;
  if (typeof value === "number") return (Number.isFinite(value) ? (value === 0 ? 0 : value) : null) as T;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : detachDeep(v))) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (key === "__proto__") Object.defineProperty(out, key, { value: detachDeep(v), enumerable: true, writable: true, configurable: true });
    else out[key] = detachDeep(v);
  }
  return out as T;
}

const MAX_EXCERPT = 160;

/**
 * A short, printable, detached excerpt of a line for reports and skip reasons: lines may be huge,
 * binary or hostile, so control characters become U+FFFD (the ENRICHED separator a space).
 */
export function excerpt(text: string, max = MAX_EXCERPT): string {
  const cut = text.length > max ? text.slice(0, max) + "…" : text;
  return detach(cut.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => (c === "\x1d" ? " " : "\uFFFD")));
}

/**
 * The longest value aalens keeps whole: PATH_MAX (4096 bytes), the kernel's bound on a path,
 * which every other audit value (labels, comm, peers) stays within too. A longer value is not
 * what a kernel wrote; it is kept shortened, with its length and a hash, so two long values that
 * differ only at their end still differ.
 */
export const MAX_VALUE_CHARS = 4096;

export function shorten(s: string, max = MAX_VALUE_CHARS): string {
  if (s.length <= max) return s;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return detach(`${s.slice(0, Math.min(max, 200))}…[${s.length} chars, #${(h >>> 0).toString(16).padStart(8, "0")}]`);
}
