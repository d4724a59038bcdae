/**
 * aalens's block in a local/ file: the part between two marker lines that aalens wrote, replaced
 * on every run, everything else kept byte for byte. A marker counts only as a whole line, and no
 * line aalens writes from a log can be one (comments carry a fixed prefix, rules start with a
 * keyword or a path), so nothing in a log can open, close or move the block.
 */

export const BEGIN_MARKER = "# BEGIN aalens";
export const END_MARKER = "# END aalens";

export type Merged = { text: string; reason?: undefined } | { text?: undefined; reason: string };

/** `existing` with its aalens block replaced by `block` (lines without the markers), or added at the end. */
export function mergeManagedBlock(existing: string, block: string): Merged {
  const lines = existing === "" ? [] : existing.split("\n");
  const trailing = lines.length > 0 && lines[lines.length - 1] === "";
  if (trailing) lines.pop();
  const begins = lines.flatMap((l, i) => (l === BEGIN_MARKER ? [i] : []));
  const ends = lines.flatMap((l, i) => (l === END_MARKER ? [i] : []));
  const body = block.endsWith("\n") ? block.slice(0, -1).split("\n") : block.split("\n");
  const ours = [BEGIN_MARKER, ...body, END_MARKER];
  if (begins.length === 0 && ends.length === 0) {
    return { text: [...lines, ...ours].join("\n") + "\n" };
  }
  if (begins.length !== 1 || ends.length !== 1 || ends[0]! < begins[0]!) {
    return { reason: "its aalens block markers are broken (edited by hand?): fix or remove them, then run again" };
  }
  const out = [...lines.slice(0, begins[0]), ...ours, ...lines.slice(ends[0]! + 1)];
  return { text: out.join("\n") + "\n" };
}
