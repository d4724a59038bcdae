/**
 * The short first-seen lists of denial groups and rule entries (pids, comms, hosts, examples …),
 * grown one item at a time into arrays of exactly their length. A push onto a short array
 * reserves room for 16 more (a three-item list took 210 bytes, 83 as an exact copy): after the
 * first 100k lines of a log of distinct denials the live heap was 64.6 MB with pushes, 56.3 exact.
 */
import { detach } from "../input/detach.js";

/** `list` with `item` at its end when it has room and lacks it (a new array; a string detached), else `list`. */
export function withItem<T>(list: T[], item: T, max: number): T[] {
  if (list.length >= max || list.includes(item)) return list;
  // concat copies into an array of the exact length; a push or an index past the end would grow it by 16.
  return list.concat([typeof item === "string" ? (detach(item) as T) : item]);
}

/** `list` with the first of `items` it has room for at its end, up to `max` (examples: kept in order, not deduplicated). */
export function withFirst<T>(list: T[], items: readonly T[], max: number): T[] {
  return list.length >= max || items.length === 0 ? list : list.concat(items.slice(0, max - list.length));
}
