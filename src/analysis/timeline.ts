/**
 * Denials over time, per profile, for the HTML report's timeline. Counted by the time's own text
 * prefix (`2025-11-29T02:21` is a minute) so no date is parsed per event; when more than
 * MAX_POINTS buckets are held, every bucket is folded into the next coarser unit (minute → hour →
 * day), so memory stays bounded on any input. Profiles are log text: only Maps and arrays hold them.
 */
import { keptOr, MORE_PROFILES } from "./more.js";

export type TimelineUnit = "minute" | "hour" | "day";

/** The saved form (in states): one series per profile, each bucket `[prefix, count]`. */
export interface TimelineState {
  unit: TimelineUnit;
  series: Array<{ profile: string; counts: Array<[string, number]> }>;
}

const PREFIX: Record<TimelineUnit, number> = { minute: 16, hour: 13, day: 10 };
const COARSER: Record<TimelineUnit, TimelineUnit | undefined> = { minute: "hour", hour: "day", day: undefined };
export const MAX_POINTS = 20_000;
/** Profiles with a series of their own; past this, new ones share the MORE_PROFILES series. */
export const MAX_SERIES = 1_000;

export class Timeline {
  private unit: TimelineUnit = "minute";
  private readonly series = new Map<string, Map<string, number>>();
  private points = 0;
  /** The last bucket key made: most events fall in the same minute as the one before. */
  private lastKey = "";

  add(profile: string, isoTime: string | null, n = 1): void {
    if (isoTime === null) return;
    const name = keptOr(this.series, profile, MAX_SERIES, MORE_PROFILES);
    let s = this.series.get(name);
    if (s === undefined) this.series.set(name, (s = new Map()));
    // The last key is reused, not sliced again, when it is a whole prefix of this unit that the
    // time starts with (lastIndexOf at 0: a startsWith that costs less).
    const length = PREFIX[this.unit];
    const last = this.lastKey;
    const key = last.length === length && isoTime.lastIndexOf(last, 0) === 0 ? last : (this.lastKey = isoTime.slice(0, length));
    const had = s.get(key);
    if (had === undefined) this.points++;
    s.set(key, (had ?? 0) + n);
    if (this.points > MAX_POINTS) this.coarsen();
  }

  /** Fold every bucket into the next coarser unit (the last one, days, is kept whatever its size). */
  private coarsen(): void {
    const next = COARSER[this.unit];
    if (next === undefined) return;
    this.unit = next;
    this.points = 0;
    this.lastKey = "";
    for (const [profile, s] of this.series) {
      const folded = new Map<string, number>();
      for (const [k, n] of s) {
        const key = k.slice(0, PREFIX[next]);
        folded.set(key, (folded.get(key) ?? 0) + n);
      }
      this.points += folded.size;
      this.series.set(profile, folded);
    }
    if (this.points > MAX_POINTS) this.coarsen();
  }

  /** Another state's timeline folded in (merge), at the coarser of the two units. */
  merge(other: TimelineState): void {
    while (PREFIX[other.unit] < PREFIX[this.unit]) this.coarsen();
    for (const { profile, counts } of other.series) for (const [k, n] of counts) this.add(profile, k, n);
  }

  state(): TimelineState {
    return { unit: this.unit, series: [...this.series].map(([profile, s]) => ({ profile, counts: [...s].sort((a, b) => (a[0] < b[0] ? -1 : 1)) })) };
  }
}
