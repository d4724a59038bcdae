/**
 * The assembler's open events: oldest first, found by id, taken from anywhere, and the list
 * compacts itself however long the stream (nothing taken is returned again, nothing open lost).
 */
import { describe, expect, it } from "vitest";
import { OpenQueue } from "../src/events/open-queue.js";

const item = (n: number, stamp = "1764382380.000") => ({ id: `${stamp}:${n}`, key: n, n });

describe("the open-event queue", () => {
  it("finds items by id and gives them back oldest first", () => {
    const q = new OpenQueue<ReturnType<typeof item>>();
    for (const n of [1, 2, 3]) q.push(item(n));
    expect(q.get("1764382380.000:2", 2)?.n).toBe(2);
    expect(q.get("1764382380.000:9", 9)).toBeUndefined();
    expect(q.oldest()?.n).toBe(1);
    expect(q.takeOldest()?.n).toBe(1);
    expect(q.size).toBe(2);
  });

  it("tells apart ids that share a key (one serial, two stamps) and never matches a key alone", () => {
    const q = new OpenQueue<ReturnType<typeof item>>();
    q.push(item(7, "1764382380.000"));
    q.push(item(7, "1764382381.500"));
    expect(q.get("1764382380.000:7", 7)?.id).toBe("1764382380.000:7");
    expect(q.get("1764382381.500:7", 7)?.id).toBe("1764382381.500:7");
    expect(q.get("1764382380.000:7", 8)).toBeUndefined();
    expect(q.get("1764382399.000:7", 7)).toBeUndefined();
  });

  it("takes an item out of the middle and skips its slot", () => {
    const q = new OpenQueue<ReturnType<typeof item>>();
    for (const n of [1, 2, 3]) q.push(item(n));
    expect(q.take("1764382380.000:2", 2)?.n).toBe(2);
    expect(q.take("1764382380.000:2", 2)).toBeUndefined();
    expect(q.get("1764382380.000:2", 2)).toBeUndefined();
    expect([q.takeOldest()?.n, q.takeOldest()?.n, q.takeOldest()]).toEqual([1, 3, undefined]);
    expect(q.size).toBe(0);
  });

  it("keeps every open item across compactions of a long stream", () => {
    const q = new OpenQueue<ReturnType<typeof item>>();
    const taken: number[] = [];
    // 17 open at a time, one in five closed out of order (an EOE), the rest as they age.
    for (let n = 0; n < 10_000; n++) {
      q.push(item(n));
      if (n % 5 === 0 && n > 3) taken.push(q.take(`1764382380.000:${n - 3}`, n - 3)!.n);
      while (q.size > 17) taken.push(q.takeOldest()!.n);
    }
    for (let p = q.takeOldest(); p !== undefined; p = q.takeOldest()) taken.push(p.n);
    expect(taken.length).toBe(10_000);
    expect(new Set(taken).size).toBe(10_000);
  });
});
