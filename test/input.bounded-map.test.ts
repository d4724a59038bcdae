/** BoundedMap: at most two generations of `max` entries; an old entry read again stays. */
import { describe, expect, it } from "vitest";
import { BoundedMap } from "../src/input/bounded-map.js";

describe("BoundedMap", () => {
  it("keeps the last max to 2 × max entries and drops older ones", () => {
    const m = new BoundedMap<number, number>(3);
    for (let i = 0; i < 7; i++) m.set(i, i * 10);
    // young {6}, old {3,4,5}; 0–2 are gone
    expect([0, 1, 2].map((k) => m.get(k))).toEqual([undefined, undefined, undefined]);
    expect([3, 4, 5, 6].map((k) => m.get(k))).toEqual([30, 40, 50, 60]);
  });

  it("moves an old entry read again into the young generation", () => {
    const m = new BoundedMap<string, string>(2);
    m.set("a", "A");
    m.set("b", "B");
    m.set("c", "C"); // a, b are old now
    expect(m.get("a")).toBe("A"); // young: c, a
    m.set("d", "D"); // young full: c, a become old; young: d
    m.set("e", "E");
    m.set("f", "F"); // c, a dropped
    expect(m.get("a")).toBeUndefined();
    expect(m.get("e")).toBe("E");
  });
});
