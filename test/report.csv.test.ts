/**
 * CSV export as a spec: fixed documented columns, RFC 4180 output that a strict reader parses
 * back to the same values, hostile log values neutralised (formulas prefixed with `'`, control
 * characters replaced by U+FFFD), rows streamed as they are written, and golden files of the
 * bundled samples (see test/helpers/report-samples.ts for how they are made machine-independent).
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { AnalyzedEvent } from "../src/analysis/enrich.js";
import {
  CSV_AGGREGATE_COLUMNS, CSV_COLUMNS, CSV_LATE_COLUMNS, CsvBatcher, csvAggregateRows, csvColumns, csvEventRow, renderCsvAggregate, type CsvRow,
} from "../src/report/csv.js";
import { parseRfc4180, parseRfc4180Objects } from "./helpers/rfc4180.js";
import { expectGolden, readSamples } from "./helpers/report-samples.js";

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase();

let serial = 500;
function avc(body: string): string {
  serial++;
  return `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" ${body}`;
}

/** Read log lines through the library: the events (for denials rows) and the report. */
function analyse(lines: string[]) {
  const views: AnalyzedEvent[] = [];
  const b = new Collector({ onEvent: (v) => views.push(v) });
  lines.forEach((text, i) => {
    const r = parseLine({ source: "t.log", line: i + 1, text });
    if (r?.record) b.record(r.record, text);
    else if (r?.skipped) b.skipped(r.skipped);
  });
  const report = buildReport(b.state());
  return { views, report };
}

/** The CSV of `rows`, taken in batches of two as the streamed export takes one batch at a time. */
async function csvText(mode: "denials" | "aggregate", rows: CsvRow[]): Promise<string> {
  const csv = new CsvBatcher(mode);
  let out = "";
  for (let i = 0; i < rows.length; i++) {
    csv.add(rows[i]!);
    if (i % 2 === 1) out += csv.take();
  }
  return out + csv.take(true);
}

/** What the spec says a cell becomes: controls (but TAB, LF) → U+FFFD; `'` before a formula. */
function expectedCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const clean = value.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, "\uFFFD");
  return /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(clean) || /^[\t\r']/.test(clean) ? `'${clean}` : clean;
}

/** A cell a spreadsheet would run as a formula. */
const FORMULA_START = /^[\s\u00a0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

describe("CSV columns", () => {
  it("are fixed, in the documented order, each with a one-line doc", () => {
    expect(CSV_COLUMNS.map((c) => c.key)).toEqual([
      "time", "host", "profile", "mode", "class", "operation", "resource", "requested", "denied", "pid", "comm", "exe",
      "pasta_operation", "caller", "suggested_rule", "source", "line",
    ]);
    expect(CSV_AGGREGATE_COLUMNS.map((c) => c.key)).toEqual(["count", "first_seen", "last_seen"]);
    expect(CSV_LATE_COLUMNS.map((c) => c.key)).toEqual(["rule_status", "warning", "rule_file", "utc_offset"]);
    expect(csvColumns("denials")).toEqual([...CSV_COLUMNS, ...CSV_LATE_COLUMNS]);
    expect(csvColumns("aggregate")).toEqual([...CSV_COLUMNS, ...CSV_AGGREGATE_COLUMNS, ...CSV_LATE_COLUMNS]);
    for (const c of csvColumns("aggregate")) {
      expect(c.header).toBe(c.key);
      expect(c.doc.length).toBeGreaterThan(10);
      expect(c.doc).not.toMatch(/\n/);
    }
  });

  it("name every row key, in both row modes", () => {
    const { views, report } = analyse([avc('operation="open" class="file" profile="p" name="/etc/x" pid=7 comm="a" requested_mask="r" denied_mask="r"')]);
    expect(Object.keys(csvEventRow(views[0]!)).sort()).toEqual(csvColumns("denials").map((c) => c.key).sort());
    expect(Object.keys(csvAggregateRows(report)[0]!).sort()).toEqual(csvColumns("aggregate").map((c) => c.key).sort());
  });
});

describe("CSV rows", () => {
  it("one denials row per event, from the record, its fields, its process and the pasta view", async () => {
    const { views } = analyse([
      avc('operation="open" class="file" profile="passt" name="/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f" pid=24790 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0'),
      avc('operation="capable" class="cap" profile="/usr/sbin/cupsd" pid=9 comm="cupsd" capability=12 capname="net_admin"'),
    ]);
    const rows = views.map((v) => csvEventRow(v));
    expect(rows[0]).toMatchObject({
      profile: "passt", mode: "DENIED", class: "file", operation: "open", requested: "r", denied: "r", pid: 24790, comm: "pasta",
      pasta_operation: "netns-open", caller: "podman-container", suggested_rule: "file @{run}/user/@{uid}/** rw,", source: "t.log", line: 1,
    });
    expect(rows[1]).toMatchObject({ class: "capability", resource: "net_admin", suggested_rule: "capability net_admin,", pasta_operation: null, caller: null });
    const { rows: parsed } = parseRfc4180Objects(await csvText("denials", rows));
    expect(parsed[1]).toMatchObject({ class: "capability", resource: "net_admin", pid: "9", pasta_operation: "", caller: "", line: "2" });
  });

  it("one aggregate row per denial group, with count, first/last seen and the rule that covers it", () => {
    const { report } = analyse([
      avc('operation="open" class="file" profile="p" name="/etc/app.conf" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
      avc('operation="open" class="file" profile="p" name="/etc/app.conf" pid=2 comm="b" requested_mask="w" denied_mask="w"'),
      avc('operation="sendmsg" class="net" profile="p" pid=3 comm="a" family="inet" sock_type="dgram" protocol=17 requested_mask="send" denied_mask="send"'),
      avc('operation="signal" class="signal" profile="q" pid=3 comm="a" requested_mask="receive" denied_mask="receive" signal=term peer="podman"'),
    ]);
    const rows = csvAggregateRows(report);
    expect(rows).toHaveLength(report.denials.length);
    const file = rows.find((r) => r.resource === "/etc/app.conf")!;
    expect(file).toMatchObject({ profile: "p", count: 2, denied: "rw", comm: "a b", mode: "DENIED", requested: "rw", pid: "1 2", suggested_rule: "/etc/app.conf rw,", rule_status: "unknown", warning: null, source: "t.log", line: 1 });
    expect(file.time).toBe(file.first_seen);
    expect(file.first_seen! < file.last_seen!).toBe(true);
    expect(rows.find((r) => r.class === "network")).toMatchObject({ resource: "inet dgram udp", denied: "send", suggested_rule: "network inet dgram," });
    // The signal group's resource ("term → podman") is not the rule's object: matched by its example.
    expect(rows.find((r) => r.class === "signal")).toMatchObject({ profile: "q", suggested_rule: "signal receive set=term peer=podman," });
  });

  it("leaves suggested_rule empty when no rule covers the group", () => {
    const { report } = analyse([avc('operation="open" class="file" profile="p" name="relative/path" pid=1 comm="a" requested_mask="r" denied_mask="r"')]);
    expect(report.rules).toEqual([]);
    expect(csvAggregateRows(report)[0]!.suggested_rule).toBeNull();
  });

  it("renders the aggregate CSV of a report in one call, the header alone when nothing was denied", () => {
    const { report } = analyse([avc('operation="open" class="file" profile="p" name="/etc/x" pid=1 comm="a" requested_mask="r" denied_mask="r"')]);
    const { header, rows } = parseRfc4180Objects(renderCsvAggregate(report));
    expect(header).toEqual(csvColumns("aggregate").map((c) => c.header));
    expect(rows).toEqual([expect.objectContaining({ resource: "/etc/x", count: "1", suggested_rule: "/etc/x r," })]);
    expect(renderCsvAggregate(analyse([]).report)).toBe(csvColumns("aggregate").map((c) => c.header).join(",") + "\r\n");
  });
});

describe("CSV output is RFC 4180 and neutralises hostile log values", () => {
  /** Each hostile value, and the cell it must become. */
  const HOSTILE: Array<[string, string]> = [
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ["+1", "'+1"],
    ["-1+1", "'-1+1"],
    ["@SUM(1)", "'@SUM(1)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", "\uFFFD=1+1"],
    [" =1+1", "' =1+1"],
    ["\uFF1D1+1", "'\uFF1D1+1"],
    ["'quoted", "''quoted"],
    ['a "quoted", value\nnext line', 'a "quoted", value\nnext line'],
    ["crlf\r\ninside", "crlf\uFFFD\ninside"],
    ["nul\x00byte", "nul\uFFFDbyte"],
    ["\x1b[2J\x1b]0;title\x07", "\uFFFD[2J\uFFFD]0;title\uFFFD"],
    ["c1\u009b2J", "c1\uFFFD2J"],
    ["bidi\u202Egnp.exe", "bidi\uFFFDgnp.exe"],
  ];
  const lines = HOSTILE.map(([v]) => avc(`operation="open" class="file" profile="p" name=${hex(v)} pid=42 comm=${hex(v)} requested_mask="r" denied_mask="r"`));

  it("reads the hostile values from real log lines, unchanged", () => {
    const { views } = analyse(lines);
    expect(views.map((v) => [v.fields.name, v.fields.comm])).toEqual(HOSTILE.map(([v]) => [v, v]));
  });

  for (const mode of ["denials", "aggregate"] as const) {
    it(`${mode}: parses back to exactly the rows, but for the neutralisation`, async () => {
      const { views, report } = analyse(lines);
      const rows = mode === "denials" ? views.map((v) => csvEventRow(v)) : csvAggregateRows(report);
      const text = await csvText(mode, rows);
      const records = parseRfc4180(text); // throws unless well-formed
      const columns = csvColumns(mode);
      expect(records[0]).toEqual(columns.map((c) => c.header));
      expect(records.slice(1)).toEqual(rows.map((row) => columns.map((c) => expectedCell(row[c.key] ?? null))));
      // Reversible: one leading ' removed gives the value (its control characters replaced).
      const unneutralise = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
      const controls = (v: string | number | null) => String(v ?? "").replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, "\uFFFD");
      expect(records.slice(1).map((r) => r.map(unneutralise))).toEqual(rows.map((row) => columns.map((c) => controls(row[c.key] ?? null))));
      const resources = parseRfc4180Objects(text).rows.map((r) => [r.resource, r.comm]);
      for (const [, cell] of HOSTILE) expect(resources).toContainEqual([cell, cell]);
    });

    it(`${mode}: no cell holds ESC, NUL, CR or another control character, and none starts a formula`, async () => {
      const { views, report } = analyse(lines);
      const text = await csvText(mode, mode === "denials" ? views.map((v) => csvEventRow(v)) : csvAggregateRows(report));
      expect(text).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
      expect(text.replace(/\r\n/g, "")).not.toMatch(/\r/);
      for (const record of parseRfc4180(text)) {
        for (const cell of record) expect(cell, JSON.stringify(cell)).not.toMatch(FORMULA_START);
      }
    });
  }

  it("quotes exactly the fields that need it (comma, quote, CR, LF) and ends every record with CRLF", async () => {
    const { views } = analyse([avc(`operation="open" class="file" profile="p" name=${hex('/tmp/a,"b"\nc')} pid=1 comm="plain" requested_mask="r" denied_mask="r"`)]);
    const text = await csvText("denials", views.map((v) => csvEventRow(v)));
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).toContain(',"/tmp/a,""b""\nc",');
    expect(text).toContain(",plain,");
    expect(text.split("\r\n")).toHaveLength(3);
  });
});

describe("CSV batches", () => {
  it("gives each batch's rows when taken, the header with the first, nothing more at the end", async () => {
    const { views } = analyse([
      avc('operation="open" class="file" profile="p" name="/etc/one" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
      avc('operation="open" class="file" profile="p" name="/etc/two" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
    ]);
    const csv = new CsvBatcher("denials");
    csv.add(csvEventRow(views[0]!));
    const first = csv.take();
    expect(first.startsWith(csvColumns("denials").map((c) => c.header).join(",") + "\r\n")).toBe(true);
    expect(first).toContain("/etc/one");
    expect(first.endsWith("\r\n")).toBe(true);
    expect(csv.take()).toBe("");
    csv.add(csvEventRow(views[1]!));
    const second = csv.take();
    expect(second).toContain("/etc/two");
    expect(second).not.toContain("profile,");
    expect(csv.take(true)).toBe("");
    expect(parseRfc4180(first + second)).toHaveLength(3);
  });

  it("writes the header alone when no row comes", async () => {
    expect(await csvText("denials", [])).toBe(csvColumns("denials").map((c) => c.header).join(",") + "\r\n");
    expect(await csvText("aggregate", [])).toBe(csvColumns("aggregate").map((c) => c.header).join(",") + "\r\n");
  });
});

describe("CSV of the bundled samples (golden files)", () => {
  it("denials: one row per event", async () => {
    const { views } = await readSamples();
    const text = await csvText("denials", views.map((v) => csvEventRow(v)));
    expect(parseRfc4180(text)).toHaveLength(views.length + 1);
    expectGolden("samples.denials.csv", text);
  });

  it("aggregate: one row per denial group", async () => {
    const { report } = await readSamples();
    const text = await csvText("aggregate", csvAggregateRows(report));
    expect(parseRfc4180(text)).toHaveLength(report.denials.length + 1);
    expect(renderCsvAggregate(report)).toBe(text);
    expectGolden("samples.aggregate.csv", text);
  });
});
