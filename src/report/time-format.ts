/**
 * Times as people read them. The model and the JSON keep UTC (`…Z`); text, Markdown, rule
 * comments, watch lines and CSV show the local time with its offset, as journalctl does, or UTC
 * with --utc. Always ISO 8601 with an explicit offset, so a time copied out of a report is never
 * ambiguous and spreadsheets import the CSV column as date-times.
 */
import type { AnalyzeReport } from "./model.js";

export type Zone = "local" | "utc";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `2025-11-29T03:21:40.412+01:00` (local) or `2025-11-29T02:21:40.412+00:00` (utc); input that is no time is returned as is. */
export function displayTime(iso: string, zone: Zone): string {
  const cell = csvTime(iso, zone);
  const ms = Date.parse(iso);
  if (cell === null || Number.isNaN(ms)) return iso;
  return `${cell.replace(" ", "T")}${offsetText(wall(ms, zone).offset)}`;
}


/** The local (or UTC) wall-clock parts of a time, and its offset from UTC in minutes. */
function wall(ms: number, zone: Zone): { d: Date; offset: number } {
  const offset = zone === "utc" ? 0 : -new Date(ms).getTimezoneOffset();
  return { d: new Date(ms + offset * 60_000), offset };
}

function offsetText(offset: number): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * A CSV time cell: `2025-11-29 03:21:40.412`, the wall-clock time in `zone` without an offset,
 * the one ISO 8601 form spreadsheets import as a date-time (LibreOffice Calc 7.4 reads
 * `…T…+01:00` and `…Z` as text); the offset goes in its own column (csvOffset).
 */
export function csvTime(iso: string | null | undefined, zone: Zone): string | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const { d } = wall(ms, zone);
  const frac = iso.includes(".") ? `.${pad(d.getUTCMilliseconds(), 3)}` : "";
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}`;
}

/** The offset from UTC of a CSV time cell, `UTC+01:00` (`UTC+00:00` with --utc): a bare `+01:00` is a formula to a spreadsheet. */
export function csvOffset(iso: string | null | undefined, zone: Zone): string | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : `UTC${offsetText(wall(ms, zone).offset)}`;
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
