/**
 * A map keyed by several strings without joining them. A joined key is a new concatenated string
 * every time, and hashing it means copying it flat first: on the per-event path that was the
 * single largest cost. Looking each part up in turn hashes strings that are already flat.
 */
export class NestedMap<V> {
  private readonly root = new Map<string, Map<string, Map<string, V>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(a: string, b: string, c: string): V | undefined {
    return this.root.get(a)?.get(b)?.get(c);
  }

  set(a: string, b: string, c: string, value: V): void {
    let mb = this.root.get(a);
    if (mb === undefined) this.root.set(a, (mb = new Map()));
    let mc = mb.get(b);
    if (mc === undefined) mb.set(b, (mc = new Map()));
    if (!mc.has(c)) this.count++;
    mc.set(c, value);
  }

  *values(): IterableIterator<V> {
    for (const mb of this.root.values()) for (const mc of mb.values()) yield* mc.values();
  }
}
