/**
 * The duplicate filter's signature set: it remembers the most recent signatures with their tags,
 * forgets the oldest past its bound, and takes memory in proportion to what it holds.
 */
import { describe, expect, it } from "vitest";
import { SignatureSet } from "../src/events/signature-set.js";

/** Distinct 53-bit signatures, spread like hashes. */
const sig = (n: number) => ((n * 2654435761) % 2 ** 32) * 0x200000 + (n & 0x1fffff);

describe("the signature set", () => {
  it("gives back every signature it holds with its tag, across the tables' growth", () => {
    const s = new SignatureSet(1 << 16);
    for (let n = 0; n < 1 << 15; n++) s.set(sig(n), n % 4096);
    for (let n = 0; n < 1 << 15; n++) expect(s.get(sig(n))).toBe(n % 4096);
    expect(s.get(sig(1 << 20))).toBeUndefined();
  });

  it("replaces a tag, and holds the signature 0 like any other", () => {
    const s = new SignatureSet(1 << 12);
    s.set(0, 1);
    s.set(0, 2);
    s.set(sig(5), -1);
    expect(s.get(0)).toBe(2);
    expect(s.get(sig(5))).toBe(-1);
  });

  it("always remembers the latest slots/2 signatures and forgets the oldest past two generations", () => {
    const slots = 1 << 12;
    const s = new SignatureSet(slots);
    const total = 5 * slots;
    for (let n = 0; n < total; n++) s.set(sig(n), 1);
    for (let n = total - slots / 2; n < total; n++) expect(s.get(sig(n))).toBe(1);
    for (let n = 0; n < slots; n++) expect(s.get(sig(n))).toBeUndefined();
  });

  it("takes memory for what it holds: a small log does not pay for a million slots", () => {
    const s = new SignatureSet();
    for (let n = 0; n < 1000; n++) s.set(sig(n), 0);
    expect(s.bytes).toBeLessThan(200_000);
    // Past 2^19 signatures the full young generation (2^20 slots of 12 bytes) becomes the old one.
    for (let n = 1000; n < 600_000; n++) s.set(sig(n), 0);
    expect(s.bytes).toBeGreaterThan((1 << 20) * 12);
    // Never more than two full generations, however many it is given.
    for (let n = 600_000; n < 1_700_000; n++) s.set(sig(n), 0);
    expect(s.bytes).toBeLessThanOrEqual(2 * (1 << 20) * 12);
  });
});
