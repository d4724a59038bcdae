/**
 * CSV export of AppArmor denials, for spreadsheets and scripts: one row per event (`denials`) or
 * one row per denial group of the report (`aggregate`). Columns are fixed and documented in
 * CSV_COLUMNS (and CSV_AGGREGATE_COLUMNS); their order never changes, new ones go at the end.
 *
 * The output is RFC 4180: CRLF after every record, fields quoted when they hold a comma, a quote,
 * CR or LF, quotes doubled, one header line. Log values are attacker-controlled, so every cell is
 * neutralised before it is written (CSV_NEUTRALISATION, csvCell).
 */
import { csvCell } from "./text-safety.js";
import { stringify as stringifySync, type Options as StringifyOptions } from "csv-stringify/sync";
import type { AnalyzeReport, DenialGroup, SuggestedRule } from "./model.js";
import type { AnalyzedEvent } from "../analysis/enrich.js";
import { groupResource } from "../analysis/group-resource.js";
import { ruleFileOf } from "../apparmor/local/target.js";
import { csvOffset, csvTime, type Zone } from "./time-format.js";

export type CsvRowMode = "denials" | "aggregate";

/** One CSV cell value before neutralisation: null and "" are written as an empty field. */
export type CsvRow = Record<string, string | number | null>;

export interface CsvColumn {
  /** The property of a row (csvEventRow, csvAggregateRows). */
  key: string;
  /** The header text written in the first line. */
  header: string;
  /** One line: what the column holds. */
  doc: string;
}

/** The columns of both row modes, in this order. */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  { key: "time", header: "time", doc: "time of the event as YYYY-MM-DD HH:MM:SS.mmm, local time (UTC with --utc), the form spreadsheets import as a date-time; its offset is in utc_offset (aggregate: first seen); empty when the line has no time" },
  { key: "host", header: "host", doc: "host from node= or the syslog/journal envelope (aggregate: hosts seen, space-separated)" },
  { key: "profile", header: "profile", doc: "the AppArmor profile (label) that refused the access" },
  { key: "mode", header: "mode", doc: "DENIED, KILL, ALLOWED or AUDIT, as selected by --mode (aggregate: the modes of the group, space-separated)" },
  { key: "class", header: "class", doc: "kind of rule that would allow it: file, exec, capability, network, unix, signal, ptrace, dbus, mount … (as in the denials table)" },
  { key: "operation", header: "operation", doc: "the kernel's operation= (open, capable, connect, …)" },
  { key: "resource", header: "resource", doc: "what was refused, in one line: a path, a capability, a socket triple … (as in the denials table)" },
  { key: "requested", header: "requested", doc: "requested mask as logged (requested_mask= / requested=) (aggregate: the union of the permissions requested)" },
  { key: "denied", header: "denied", doc: "denied mask as logged (denied_mask= / denied=) (aggregate: the union of the permissions refused)" },
  { key: "pid", header: "pid", doc: "process id (aggregate: the first ids seen, space-separated)" },
  { key: "comm", header: "comm", doc: "process command name (aggregate: the names seen, space-separated)" },
  { key: "exe", header: "exe", doc: "executable, from the event's SYSCALL record or exe= (aggregate: empty)" },
  { key: "pasta_operation", header: "pasta_operation", doc: "pasta's step (netns-open, tun-open, …) when pasta is involved and known (aggregate: empty)" },
  { key: "caller", header: "caller", doc: "who started pasta (podman-container, podman-rootless-netns, buildah-run, rootlesskit …) when the event says (aggregate: empty)" },
  { key: "suggested_rule", header: "suggested_rule", doc: "AppArmor rule that would allow it, the same text as aalens rules prints (aggregate: the suggested rule covering the group, if any); review before use" },
  { key: "source", header: "source", doc: "input the line came from: a file path, - for stdin, journalctl (aggregate: of the first example)" },
  { key: "line", header: "line", doc: "1-based line in source, the entry number for journald (aggregate: of the first example)" },
];

/** Added last in both row modes (after the aggregate columns), so earlier columns keep their places. */
export const CSV_LATE_COLUMNS: readonly CsvColumn[] = [
  { key: "rule_status", header: "rule_status", doc: "the suggested rule against the installed policy: missing, allowed, denied, unknown (no policy read) or not-applicable (no policy file holds the profile)" },
  { key: "warning", header: "warning", doc: "why the suggested rule needs a closer look before use (it is printed commented out by aalens rules), else empty" },
  { key: "rule_file", header: "rule_file", doc: "where the suggested rule goes, as aalens rules says: the local file the installed profile reads, or that file and the include line to add first; empty when no policy file holds the profile" },
  { key: "utc_offset", header: "utc_offset", doc: "the offset from UTC of the times in the row (UTC+01:00; UTC+00:00 with --utc), so they are never ambiguous" },
];

/** Added after CSV_COLUMNS in `aggregate` mode. */
export const CSV_AGGREGATE_COLUMNS: readonly CsvColumn[] = [
  { key: "count", header: "count", doc: "aggregate only: events in the group" },
  { key: "first_seen", header: "first_seen", doc: "aggregate only: time of the group's first event, as the time column (empty when none had a time)" },
  { key: "last_seen", header: "last_seen", doc: "aggregate only: time of the group's last event, as the time column (empty when none had a time)" },
];

/** The columns written in a row mode. */
export function csvColumns(rows: CsvRowMode): readonly CsvColumn[] {
  return rows === "aggregate" ? [...CSV_COLUMNS, ...CSV_AGGREGATE_COLUMNS, ...CSV_LATE_COLUMNS] : [...CSV_COLUMNS, ...CSV_LATE_COLUMNS];
}

/** How cells are neutralised, for the README and --help. */
export const CSV_NEUTRALISATION =
  "Control and format characters other than TAB and LF (NUL, CR, ESC …, DEL, C1 controls, bidi and zero-width characters) are replaced by U+FFFD. " +
  "A cell a spreadsheet would take for a formula (starting with = + - @, TAB or CR, or their full-width forms, also after leading spaces) " +
  "gets a ' in front; so does a cell that starts with ' itself, so that removing one leading ' from any cell that has one gives the value as logged. " +
  "Suggested rules never need it: one that starts with a variable is written with AppArmor's optional file keyword (file @{run}/user/@{uid}/** rw,), the same rule, so a rule cell pastes into a profile as it is.";

/**
 * A suggested rule as a CSV cell that pastes into a profile as it is. A file rule that starts
 * with a variable (`@{run}/user/@{uid}/** rw,`) would start with `@`, which spreadsheets take
 * for a formula and csv-stringify would neutralise with a `'` that breaks the profile; it is
 * written with AppArmor's optional `file` keyword instead (`file @{run}/user/@{uid}/** rw,`),
 * the same rule to apparmor_parser. Other rules start with a letter, `/` or `#`.
 */
export function csvRule(rule: string): string {
  return rule.startsWith("@{") ? `file ${rule}` : rule;
}

/** The suggested rule's standing: its status against the installed policy, and its warning. */
export type RuleStanding = (view: AnalyzedEvent) => { status: string; warning: string | null; file: string | null };

/** One `denials` row: one AppArmor event as it was logged. */
export function csvEventRow(view: AnalyzedEvent, standing?: RuleStanding, zone: Zone = "local"): CsvRow {
  const { record, fields, event } = view;
  const s = view.rule === null ? { status: "", warning: null, file: null } : standing?.(view) ?? { status: "unknown", warning: null, file: null };
  const time = record.time ?? event.time;
  return {
    time: csvTime(time, zone),
    utc_offset: csvOffset(time, zone),
    host: record.host ?? event.host,
    profile: fields.profile ?? null,
    mode: record.mode,
    class: view.kind,
    operation: fields.operation ?? null,
    resource: view.resource,
    requested: fields.requested ?? null,
    denied: fields.denied ?? null,
    pid: fields.pid ?? event.process.pid ?? null,
    comm: fields.comm ?? event.process.comm ?? null,
    exe: event.process.exe ?? fields.exe ?? null,
    pasta_operation: view.pastaStep,
    caller: view.caller,
    suggested_rule: view.rule === null ? null : csvRule(view.rule),
    source: record.source,
    line: record.line,
    rule_status: s.status || null,
    warning: s.warning,
    rule_file: s.file,
  };
}

/** The suggested rule that covers a group: one of the group's examples, else its object. */
function ruleFor(g: DenialGroup, rules: SuggestedRule[]): SuggestedRule | undefined {
  const mine = rules.filter((r) => r.profile === g.profile);
  const at = new Set(g.examples.map((e) => `${e.line}\0${e.source}`));
  const byExample = mine.find((r) => r.covers.examples.some((e) => at.has(`${e.line}\0${e.source}`)));
  if (byExample !== undefined) return byExample;
  const kind = g.class === "exec" ? "file" : g.class;
  return mine.find((r) => r.typed.kind === kind && r.covers.objects.some((o) => groupResource(o) === g.resource));
}

/** One `aggregate` row per denial group of the report, in the report's order (most frequent first). */
export function csvAggregateRows(report: AnalyzeReport, zone: Zone = "local"): CsvRow[] {
  return report.denials.map((g) => {
    const ex = g.examples[0];
    const rule = ruleFor(g, report.rules);
    return {
      time: csvTime(g.firstSeen, zone),
      utc_offset: csvOffset(g.firstSeen, zone),
      host: g.hosts.join(" "),
      profile: g.profile,
      mode: Object.keys(g.modes).join(" ") || null,
      class: g.class,
      operation: g.operation,
      resource: g.resource,
      requested: g.requested.join(g.class === "file" || g.class === "exec" ? "" : " ") || null,
      denied: g.denied.join(g.class === "file" || g.class === "exec" ? "" : " "),
      pid: g.pids.join(" ") || null,
      comm: g.comms.join(" "),
      exe: null,
      pasta_operation: null,
      caller: null,
      suggested_rule: rule === undefined ? null : csvRule(rule.rule),
      rule_status: rule?.status ?? null,
      warning: rule?.warning ?? null,
      rule_file: rule === undefined ? null : ruleFileOf(report.targets[g.profile]),
      source: ex?.source ?? null,
      line: ex?.line ?? null,
      count: g.count,
      first_seen: csvTime(g.firstSeen, zone),
      last_seen: csvTime(g.lastSeen, zone),
    };
  });
}

/** The csv-stringify options of a row mode: header, fixed columns, RFC 4180, neutralised cells. */
export function csvOptions(rows: CsvRowMode): StringifyOptions {
  return {
    header: true,
    columns: csvColumns(rows).map(({ key, header }) => ({ key, header })),
    // RFC 4180 ends records with CRLF.
    record_delimiter: "windows",
    // With an explicit record delimiter csv-stringify would quote only fields holding "\r\n";
    // a bare LF (kept in cells) must be quoted too, or a reader splits the record there.
    quote_record_delimiter: true,
    quoted_match: /[\r\n]/,
    escape_formulas: true,
    cast: {
      string: (value) => csvCell(value),
    },
  };
}

/**
 * Rows (objects keyed by column) in, CSV text out a batch at a time: `take()` gives the rows
 * added since the last call, the header in front of the first; `take(true)` at the end also
 * gives the header of a CSV with no rows. One synchronous stringify per batch costs a fraction
 * of a stream write per row.
 */
export class CsvBatcher {
  private rows: unknown[][] = [];
  private started = false;
  private readonly options: StringifyOptions;
  private readonly keys: string[];

  constructor(mode: CsvRowMode) {
    this.options = csvOptions(mode);
    this.keys = csvColumns(mode).map((c) => c.key);
  }

  /** Kept as an array in column order: csv-stringify reads arrays without its key-path lookup. */
  add(row: CsvRow): void {
    const cells = new Array<unknown>(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) cells[i] = row[this.keys[i]!];
    this.rows.push(cells);
  }

  take(end = false): string {
    if (this.rows.length === 0 && (this.started || !end)) return "";
    const text = stringifySync(this.rows, { ...this.options, header: !this.started });
    this.started = true;
    this.rows = [];
    return text;
  }
}

/** The whole CSV of a report's denial groups, as one string. */
export function renderCsvAggregate(report: AnalyzeReport, zone: Zone = "local"): string {
  return stringifySync(csvAggregateRows(report, zone), csvOptions("aggregate"));
}
