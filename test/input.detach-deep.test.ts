/**
 * detachDeep copies what the rule aggregator keeps as a JSON round trip would (the copy it
 * replaced): undefined members left out, undefined and non-finite numbers in lists as null, a
 * `__proto__` key from a loaded state kept as an own key, never as a prototype.
 */
import { describe, expect, it } from "vitest";
import { detachDeep } from "../src/input/detach.js";

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe("detachDeep", () => {
  it("gives what a JSON round trip gives", () => {
    const shapes: unknown[] = [
      { profile: "passt", key: "file /dev/net/tun", rule: { kind: "file", path: "/dev/net/tun", perms: "rw", exec: undefined }, count: 3, modes: { DENIED: 3 }, firstSeen: null, objects: ["/dev/net/tun"], pids: [1, 2], notes: [] },
      [1, undefined, NaN, Infinity, -0, "x".repeat(40), { a: [[], {}] }],
      { nested: { deeper: { list: [true, false, null] } }, gone: undefined },
      "a long string that is sliced from a longer line".slice(2),
      42,
      null,
    ];
    for (const v of shapes) expect(detachDeep(v)).toStrictEqual(roundTrip(v));
  });

  it("keeps a __proto__ key as data", () => {
    const loaded = JSON.parse('{"modes":{"__proto__":{"polluted":1},"DENIED":2}}') as { modes: Record<string, unknown> };
    const copy = detachDeep(loaded);
    expect(Object.getPrototypeOf(copy.modes)).toBe(Object.prototype);
    expect(Object.keys(copy.modes)).toEqual(["__proto__", "DENIED"]);
    expect((copy.modes as { polluted?: number }).polluted).toBeUndefined();
    expect(copy).toStrictEqual(roundTrip(loaded));
  });
});
