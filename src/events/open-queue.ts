/**
 * The events held open, oldest first, found by audit id: a list scanned from its newest end (the
 * record looked up is nearly always of the last event or two), not a Map. Each item carries a
 * number equal for equal ids (the audit serial), compared before the id: most lookups are of a
 * new event, a miss that walks the whole list, and comparing ids that share their first dozen
 * characters (the stamp) cost 1.2 µs a line on the repeats corpus. A Map that has entries
 * added and deleted on every line rehashes into a new table every few dozen insertions, and V8
 * keeps each old table linked to its successor; once one such dead table is in the old
 * generation, each young collection keeps the next one alive through it, and with it every
 * event and line it held: all were copied and then collected as old objects. On the repeats
 * corpus the assembler made 171 MB of such promotions; a list whose slots are overwritten makes
 * none. The list is bounded by the caller (maxOpen); closed slots are cleared at once.
 */
export class OpenQueue<T extends { id: string; key: number }> {
  private readonly items: Array<T | undefined> = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The open item with this id (and its key), or undefined. */
  get(id: string, key: number): T | undefined {
    const i = this.indexOf(id, key);
    return i < 0 ? undefined : this.items[i];
  }

  private indexOf(id: string, key: number): number {
    const items = this.items;
    for (let i = items.length - 1; i >= this.head; i--) {
      const item = items[i];
      if (item !== undefined && item.key === key && item.id === id) return i;
    }
    return -1;
  }

  /** Add an item as the newest (its id must not be open). */
  push(item: T): void {
    this.items.push(item);
    this.count++;
  }

  /** The oldest open item, or undefined. */
  oldest(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Take the oldest open item out. */
  takeOldest(): T | undefined {
    return this.count === 0 ? undefined : this.clear(this.head);
  }

  private clear(i: number): T {
    const item = this.items[i]!;
    this.items[i] = undefined;
    this.count--;
    this.settle();
    return item;
  }

  /** Take the item with this id (and key) out; returns it, or undefined when it is not open. */
  take(id: string, key: number): T | undefined {
    const i = this.indexOf(id, key);
    return i < 0 ? undefined : this.clear(i);
  }

  /** Move the head past cleared slots, and drop them from the list once they are many. */
  private settle(): void {
    const items = this.items;
    while (this.head < items.length && items[this.head] === undefined) this.head++;
    if (this.head === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      items.copyWithin(0, this.head);
      items.length -= this.head;
      this.head = 0;
    }
  }
}
