/**
 * Times found in log envelopes and audit stamps, turned into epoch milliseconds.
 * Dates without a zone are local time (that is how syslog and journalctl print them); BSD syslog
 * dates have no year, so the year is the one that puts the date closest before `now`.
 */

const MONTH: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

export interface AuditStamp {
  /** `S.MS:SERIAL` as written (for the numeric form) or rebuilt from an interpreted date. */
  auditId: string;
  epochMs: number;
  /** true for `ausearch -i` (MM/DD/YYYY hh:mm:ss.ms:serial): values on that line are interpreted. */
  interpreted: boolean;
}

/** The last millisecond of year 9999: times past it (or before 1970) are not shown. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** True for epoch milliseconds aalens can show as an ISO date (1970-01-01 … 9999-12-31). */
export function timeInRange(epochMs: number): boolean {
  return epochMs >= 0 && epochMs <= MAX_EPOCH_MS;
}

const NUMERIC_STAMP = /audit\((\d+)\.(\d+):(\d+)\)/;
const INTERPRETED_STAMP = /audit\((\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d+):(\d+)\)/;

/** Parse the token `msg=audit(…):`; null when what is inside the parentheses is not a stamp. */
export function parseAuditStamp(token: string): AuditStamp | null {
  let m = NUMERIC_STAMP.exec(token);
  if (m) return { auditId: `${m[1]}.${m[2]}:${m[3]}`, epochMs: Number(m[1]) * 1000 + fraction(m[2]!), interpreted: false };
  m = INTERPRETED_STAMP.exec(token);
  if (!m) return null;
  const [, mo, d, y, h, mi, s, ms, serial] = m;
  const epochMs = new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, fraction(ms!)).getTime();
  const sec = Math.floor(epochMs / 1000);
  return { auditId: `${sec}.${ms}:${serial}`, epochMs, interpreted: true };
}

/** Milliseconds from a fraction of a second written with any number of digits. */
function fraction(digits: string): number {
  if (digits.length === 3) return +digits; // the kernel always prints milliseconds
  return Math.floor(Number(`0.${digits}`) * 1000);
}

const BSD = /^\s*([A-Z][a-z]{2})[a-z]* +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?/;
const ISO = /^\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?/;
const BRACKET = /^\s*\[[A-Z][a-z]{2} ([A-Z][a-z]{2})[a-z]* +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:[.,](\d+))? (\d{4})\]/;

function zoneOffsetMinutes(zone: string): number {
  if (zone === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, zone: string | undefined): number {
  const ms = frac ? fraction(frac) : 0;
  if (zone === undefined) return new Date(y, mo, d, h, mi, s, ms).getTime();
  return Date.UTC(y, mo, d, h, mi, s, ms) - zoneOffsetMinutes(zone) * 60_000;
}

/**
 * Epoch ms of an envelope date token (BSD, ISO, unix, dmesg -T); null if it is not one. A BSD
 * date has no year: with `stamp` (the same line's audit time) the year closest to it is taken,
 * else the one that puts the date closest before `now`.
 */
export function parseEnvelopeDate(token: string, now: number = Date.now(), stamp?: number): number | null {
  let m = ISO.exec(token);
  if (m) return build(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], m[8]);
  m = BSD.exec(token);
  if (m) {
    const mo = MONTH[m[1]!];
    if (mo === undefined) return null;
    const at = (y: number) => build(y, mo, +m![2]!, +m![3]!, +m![4]!, +m![5]!, m![6], m![7]);
    if (stamp !== undefined && timeInRange(stamp)) {
      const y = new Date(stamp).getUTCFullYear();
      let best = at(y);
      for (const t of [at(y - 1), at(y + 1)]) if (Math.abs(t - stamp) < Math.abs(best - stamp)) best = t;
      return best;
    }
    const year = new Date(now).getFullYear();
    let t = at(year);
    // A December line read in January belongs to last year.
    if (t - now > 7 * 86_400_000) t = at(year - 1);
    return t;
  }
  m = BRACKET.exec(token);
  if (m) {
    const mo = MONTH[m[1]!];
    return mo === undefined ? null : build(+m[7]!, mo, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], undefined);
  }
  const unix = /^\s*(\d{9,11})\.(\d+)/.exec(token);
  if (unix) return Number(unix[1]) * 1000 + fraction(unix[2]!);
  return null;
}

/**
 * ISO-8601 time of epoch ms in 1970–9999 (callers check timeInRange first), with the
 * `YYYY-MM-DDTHH:MM:SS` part cached per second: records come in bursts within the same few
 * seconds, and Date#toISOString is a measurable share of parsing.
 */
const secondPrefix = new Map<number, string>();
export function isoTime(epochMs: number): string {
  const ms = Math.floor(epochMs);
  const sec = Math.floor(ms / 1000);
  let prefix = secondPrefix.get(sec);
  if (prefix === undefined) {
    if (secondPrefix.size >= 4096) secondPrefix.clear();
    prefix = new Date(timeInRange(ms) ? sec * 1000 : 0).toISOString().slice(0, 19);
    secondPrefix.set(sec, prefix);
  }
  const frac = ms - sec * 1000;
  return `${prefix}.${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z`;
}
