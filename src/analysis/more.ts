/**
 * The catch-all profile of bounded state: past a cap, what a crafted log spreads over ever new
 * profile names (or operations, or reasons) is counted under this one name, so the groups, the
 * rules' unmapped counts and the timeline stay bounded on any input.
 */
export const MORE_PROFILES = "(more profiles)";
