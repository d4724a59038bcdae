/**
 * Times as people read them. The model and the JSON keep UTC (`…Z`); text, Markdown, rule
 * comments, watch lines and HTML show the local time with its offset, as journalctl does, or UTC
 * with --utc, always ISO 8601 with the offset, so a time copied out of a report is never
 * ambiguous. CSV cells hold the same wall-clock time without the offset, the one form
 * spreadsheets import as a date-time, and the offset in a column of its own.
 */
import type { AnalyzeReport } from "./model.js";

export type Zone = "local" | "utc";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** A time's wall clock in a zone, to the second (`2025-11-29 03:21:40`), and its offset (`+01:00`). */
interface Wall {
  seconds: string;
  offset: string;
}

/** The last time converted: a log's events come in runs within one second (CSV rows, watch lines). */
let last: { key: string; wall: Wall | null } | undefined;

function wallOf(iso: string, zone: Zone): Wall | null {
  // The time without its fraction: the same second in the same zone, whatever the milliseconds.
  const key = zone + iso.slice(0, 19) + iso.slice(19 + fraction(iso).length);
  if (last !== undefined && last.key === key) return last.wall;
  const ms = Date.parse(iso);
  let wall: Wall | null = null;
  if (!Number.isNaN(ms)) {
    const offset = zone === "utc" ? 0 : -new Date(ms).getTimezoneOffset();
    const d = new Date(ms + offset * 60_000);
    const abs = Math.abs(offset);
    wall = {
      seconds: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
      offset: `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
    };
  }
  last = { key, wall };
  return wall;
}

/** The fraction of a second as written (`.412`), which no whole-minute offset changes. */
function fraction(iso: string): string {
  const m = /^\.\d+/.exec(iso.slice(19));
  return m === null ? "" : m[0];
}

/** `2025-11-29T03:21:40.412+01:00` (local) or `2025-11-29T02:21:40.412+00:00` (utc); input that is no time is returned as is. */
export function displayTime(iso: string, zone: Zone): string {
  const w = wallOf(iso, zone);
  return w === null ? iso : `${w.seconds.replace(" ", "T")}${fraction(iso)}${w.offset}`;
}

/**
 * A CSV time cell: `2025-11-29 03:21:40.412`, the wall-clock time in `zone` without an offset,
 * the one ISO 8601 form spreadsheets import as a date-time (LibreOffice Calc 7.4 reads
 * `…T…+01:00` and `…Z` as text); the offset goes in its own column (csvOffset).
 */
export function csvTime(iso: string | null | undefined, zone: Zone): string | null {
  if (iso === null || iso === undefined) return null;
  const w = wallOf(iso, zone);
  return w === null ? iso : `${w.seconds}${fraction(iso)}`;
}

/** The offset from UTC of a CSV time cell, `UTC+01:00` (`UTC+00:00` with --utc): a bare `+01:00` is a formula to a spreadsheet. */
export function csvOffset(iso: string | null | undefined, zone: Zone): string | null {
  if (iso === null || iso === undefined) return null;
  const w = wallOf(iso, zone);
  return w === null ? null : `UTC${w.offset}`;
}

/**
 * The report as text, Markdown and rule comments show it: every time in `zone`, with its offset.
 * The JSON report and states keep UTC; this copies only what it changes.
 */
export function reportInZone(report: AnalyzeReport, zone: Zone): AnalyzeReport {
  const t = (v: string | null) => (v === null ? null : displayTime(v, zone));
  return {
    ...report,
    denials: report.denials.map((g) => ({ ...g, firstSeen: t(g.firstSeen), lastSeen: t(g.lastSeen) })),
    rules: report.rules.map((r) => ({ ...r, covers: { ...r.covers, firstSeen: t(r.covers.firstSeen), lastSeen: t(r.covers.lastSeen) } })),
    pasta: {
      ...report.pasta,
      incidents: report.pasta.incidents.map((i) => ({ ...i, start: t(i.start), end: t(i.end), denials: i.denials.map((d) => ({ ...d, time: t(d.time) })) })),
      messages: report.pasta.messages.map((m) => ({ ...m, time: t(m.time) })),
    },
  };
}
