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

/** Epoch ms of an envelope date token (BSD, ISO, unix, dmesg -T); null if it is not one. */
export function parseEnvelopeDate(token: string, now: number = Date.now()): number | null {
  let m = ISO.exec(token);
  if (m) return build(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], m[8]);
  m = BSD.exec(token);
  if (m) {
    const mo = MONTH[m[1]!];
    if (mo === undefined) return null;
    const year = new Date(now).getFullYear();
    let t = build(year, mo, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], m[7]);
    // A December line read in January belongs to last year.
    if (t - now > 7 * 86_400_000) t = build(year - 1, mo, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], m[7]);
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
