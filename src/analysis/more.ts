/**
 * The catch-all profile of bounded state: past a cap, what a crafted log spreads over ever new
 * profile names (or operations, or reasons) is counted under this one name, so the groups, the
 * rules' unmapped counts and the timeline stay bounded on any input.
 */
export const MORE_PROFILES = "(more profiles)";

/** `key`, or `other` when `map` is full (holds `max` keys) and `key` is not one of them. */
export function keptOr<K>(map: ReadonlyMap<K, unknown>, key: K, max: number, other: K): K {
  return map.size < max || map.has(key) ? key : other;
}
