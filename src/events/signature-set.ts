/**
 * A bounded set of 53-bit record signatures, each with a small tag (the host's index), in typed
 * arrays: two generations of open-addressing tables. When the young generation is half full it
 * becomes the old one and the old one is dropped, so memory is fixed (24 MB at the default size),
 * every operation is O(1), and at least `capacity / 2` of the most recent signatures are always
 * remembered. (A Map evicting its first key turns quadratic past a million deletions.)
 */

/** Slots per generation; a generation holds at most half as many signatures. */
const DEFAULT_SLOTS = 1 << 20;
/** Signature 0 marks an empty slot; a real 0 is stored as this (it cannot be a 53-bit hash + 1). */
const ZERO = 2 ** 53;

class Generation {
  readonly keys: Float64Array;
  readonly tags: Int32Array;
  size = 0;
  constructor(slots: number) {
    this.keys = new Float64Array(slots);
    this.tags = new Int32Array(slots);
  }
  /** Index of `key`'s slot, or of the empty slot where it would go. */
  slot(key: number): number {
    const mask = this.keys.length - 1;
    // Mix the high and low halves: the low bits alone are the low bits of one FNV run.
    let i = ((key % 0x100000000) ^ Math.floor(key / 0x100000000)) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === 0 || k === key) return i;
      i = (i + 1) & mask;
    }
  }
}

export class SignatureSet {
  private young: Generation;
  private old: Generation;
  private readonly limit: number;

  constructor(private readonly slots = DEFAULT_SLOTS) {
    this.young = new Generation(slots);
    this.old = new Generation(slots);
    this.limit = slots >>> 1;
  }

  /** The tag stored with `signature`, or undefined when it is not (or no longer) remembered. */
  get(signature: number): number | undefined {
    const key = signature === 0 ? ZERO : signature;
    const y = this.young.slot(key);
    if (this.young.keys[y] === key) return this.young.tags[y];
    const o = this.old.slot(key);
    return this.old.keys[o] === key ? this.old.tags[o] : undefined;
  }

  /** Remember `signature` with `tag` (replacing the tag if it is already there). */
  set(signature: number, tag: number): void {
    const key = signature === 0 ? ZERO : signature;
    let g = this.young;
    let i = g.slot(key);
    if (g.keys[i] !== key) {
      if (g.size >= this.limit) {
        this.old = g;
        this.young = g = new Generation(this.slots);
        i = g.slot(key);
      }
      g.keys[i] = key;
      g.size++;
    }
    g.tags[i] = tag;
  }

  /** Every remembered signature with its tag, oldest generation first. */
  *entries(): IterableIterator<[number, number]> {
    const seen = this.young;
    for (const g of [this.old, this.young]) {
      for (let i = 0; i < g.keys.length; i++) {
        const k = g.keys[i]!;
        if (k === 0) continue;
        if (g !== seen && seen.keys[seen.slot(k)] === k) continue; // also in the young one
        yield [k === ZERO ? 0 : k, g.tags[i]!];
      }
    }
  }
}
