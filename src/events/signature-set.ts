/**
 * A bounded set of 53-bit record signatures, each with a small tag (the host's index), in typed
 * arrays: two generations of open-addressing tables. When the young generation holds `slots / 2`
 * signatures it becomes the old one and the old one is cleared to be the young, so memory is
 * bounded (24 MB at the default size), every operation is O(1) amortised, and at least
 * `slots / 2` of the most recent signatures are always remembered. (A Map evicting its first key
 * turns quadratic past a million deletions.)
 *
 * A generation's arrays are made at full size, but it hashes into a prefix of them that doubles
 * as it fills: the kernel hands out zeroed pages only when they are first written, so a log of a
 * few thousand records does not pay for a million slots. (With the whole table in use the hash
 * touched every page: 10-14 MB more resident memory on 200 MB mixed audit.log and 50 MB journal
 * and syslog inputs.)
 */

/** Slots per generation, at most; a generation holds at most half as many signatures. */
const DEFAULT_SLOTS = 1 << 20;
/** Slots of a generation's table when it starts (doubled whenever it is half full). */
const FIRST_SLOTS = 1 << 12;
/** A Float64 key and an Int32 tag. */
const BYTES_PER_SLOT = 12;
/** Signature 0 marks an empty slot; a real 0 is stored as this (it cannot be a 53-bit hash + 1). */
const ZERO = 2 ** 53;

class Generation {
  readonly keys: Float64Array;
  readonly tags: Int32Array;
  size = 0;
  /** Slots in use: a power of two, the prefix of `keys` the hash spreads over. */
  used: number;

  constructor(slots: number) {
    this.keys = new Float64Array(slots);
    this.tags = new Int32Array(slots);
    this.used = Math.min(FIRST_SLOTS, slots);
  }

  /** Index of `key`'s slot, or of the empty slot where it would go. */
  slot(key: number): number {
    const mask = this.used - 1;
    // Mix the high and low halves: the low bits alone are the low bits of one FNV run.
    let i = ((key % 0x100000000) ^ Math.floor(key / 0x100000000)) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === 0 || k === key) return i;
      i = (i + 1) & mask;
    }
  }

  /** Spread the signatures over twice the slots (the copies live only for this call). */
  grow(): void {
    const n = this.used;
    const keys = this.keys.slice(0, n);
    const tags = this.tags.slice(0, n);
    this.keys.fill(0, 0, n);
    this.used = n * 2;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k === 0) continue;
      const j = this.slot(k);
      this.keys[j] = k;
      this.tags[j] = tags[i]!;
    }
  }

  /** Forget everything, back to the first table size. */
  clear(): void {
    this.keys.fill(0, 0, this.used);
    this.size = 0;
    this.used = Math.min(FIRST_SLOTS, this.keys.length);
  }
}

export class SignatureSet {
  private young: Generation;
  private old: Generation;
  private readonly limit: number;

  constructor(slots = DEFAULT_SLOTS) {
    this.young = new Generation(slots);
    this.old = new Generation(slots);
    this.limit = slots >>> 1;
  }

  /** Bytes of the tables in use: they grow with the signatures held, up to two generations of `slots`. */
  get bytes(): number {
    return (this.young.used + this.old.used) * BYTES_PER_SLOT;
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
        // The young generation is full: it becomes the old one, and the old one starts again as the young.
        this.young = this.old;
        this.old = g;
        g = this.young;
        g.clear();
        i = g.slot(key);
      } else if (g.size >= g.used >>> 1) {
        g.grow();
        i = g.slot(key);
      }
      g.keys[i] = key;
      g.size++;
    }
    g.tags[i] = tag;
  }
}
