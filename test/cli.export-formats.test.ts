/**
 * The export formats through the command line: CSV per denial (streamed) and aggregated, ECS
 * NDJSON with error documents on request, Markdown — each consistent with the JSON report.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aalens } from "./helpers/cli.js";
import { parseRfc4180 as parseCsv } from "./helpers/rfc4180.js";
import { compileRules, parserMajorVersion } from "../src/apparmor/validate.js";

const json = JSON.parse(aalens(["analyze", "--no-policy", "--format", "json", "samples/"]).stdout);

describe("analyze exports", () => {
  it("CSV: one row per denial event, the documented header, parsable", () => {
    const r = aalens(["analyze", "--no-policy", "--format", "csv", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(["time", "host", "profile", "mode", "class", "operation", "resource", "requested", "denied", "pid", "comm", "exe", "pasta_operation", "caller", "suggested_rule", "source", "line", "rule_status", "warning", "rule_file", "utc_offset"]);
    expect(rows).toHaveLength(json.summary.denials);
  });

  it("CSV rule cells paste into a profile as they are: no formula start, and apparmor_parser compiles each", () => {
    for (const mode of ["denials", "aggregate"]) {
      const [header, ...rows] = parseCsv(aalens(["analyze", "--no-policy", "--format", "csv", "--csv-rows", mode, "samples/"]).stdout);
      const at = header!.indexOf("suggested_rule");
      const rules = [...new Set(rows.map((r) => r[at]!).filter((r) => r !== ""))];
      expect(rules.length, mode).toBeGreaterThan(10);
      // What a spreadsheet would run as a formula, or a ' that csv-stringify would add to stop it.
      for (const r of rules) expect(r, mode).not.toMatch(/^[\s]*[=+\-@'\uFF1D\uFF0B\uFF0D\uFF20]/);
      expect(rules, mode).toContain("file @{run}/user/@{uid}/** rw,");
      const compiled = compileRules(rules.filter((r) => (parserMajorVersion() ?? 0) >= 4 || !/^(?:userns|mqueue|io_uring)\b/.test(r)));
      expect(compiled.failures, mode).toEqual([]);
    }
  });

  it("CSV, ECS: one event's rule compiles too — a unix bind logged with its peer gets a rule without the peer", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-unix-peer-"));
    const log = join(dir, "audit.log");
    writeFileSync(log, [
      'type=AVC msg=audit(1764382400.100:801): apparmor="DENIED" operation="bind" class="net" profile="/usr/bin/evince" pid=77 comm="evince" family="unix" sock_type="dgram" protocol=0 requested="bind" denied="bind" addr=none peer_label="/usr/sbin/cupsd"',
      'type=AVC msg=audit(1764382400.200:802): apparmor="DENIED" operation="connect" class="net" profile="/usr/bin/evince" pid=77 comm="evince" family="unix" sock_type="stream" protocol=0 requested="send receive connect" denied="send receive connect" addr=none peer_addr="@/tmp/.X11-unix/X0" peer="unconfined"',
    ].join("\n") + "\n");
    const [header, ...rows] = parseCsv(aalens(["analyze", "--no-policy", "--format", "csv", log]).stdout);
    const rules = rows.map((r) => r[header!.indexOf("suggested_rule")]!);
    expect(rules[0]).toBe("unix (bind) type=dgram,");
    expect(rules[1]).toContain("peer=(");
    const ecs = aalens(["analyze", "--no-policy", "--format", "ecs", log]).stdout.trim().split("\n").map((l) => JSON.parse(l).aalens.rule);
    expect(ecs).toEqual(rules);
    expect(compileRules(rules).failures).toEqual([]);
  });

  it("CSV rule_file: the file aalens rules writes, from the installed policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "aalens-csv-target-"));
    mkdirSync(join(dir, "local"));
    writeFileSync(join(dir, "usr.bin.passt"), "profile passt /usr/bin/passt {\n  include if exists <local/usr.bin.passt>\n}\n");
    for (const rows of ["denials", "aggregate"]) {
      const [header, ...body] = parseCsv(aalens(["analyze", "--profile-dir", dir, "--format", "csv", "--csv-rows", rows, "samples/"]).stdout);
      const at = (name: string) => header!.indexOf(name);
      const passt = body.filter((r) => r[at("profile")] === "passt" && r[at("suggested_rule")] !== "");
      expect(passt.length, rows).toBeGreaterThan(3);
      for (const r of passt) expect(r[at("rule_file")], rows).toBe(join(dir, "local/usr.bin.passt"));
      const generated = body.filter((r) => r[at("profile")]!.startsWith("snap.") && r[at("suggested_rule")] !== "");
      expect(generated.length, rows).toBeGreaterThan(0);
      for (const r of generated) expect([r[at("rule_file")], r[at("rule_status")]], rows).toEqual(["", "not-applicable"]);
    }
  });

  it("CSV aggregate: one row per denial group", () => {
    const [, ...rows] = parseCsv(aalens(["analyze", "--no-policy", "--format", "csv", "--csv-rows", "aggregate", "samples/"]).stdout);
    expect(rows).toHaveLength(json.denials.length);
  });

  it("ECS: one document per denial event, and error documents with --ecs-errors", () => {
    const docs = aalens(["analyze", "--no-policy", "--format", "ecs", "samples/"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(docs).toHaveLength(json.summary.denials);
    expect(docs.every((d) => d.event.action === "violated-apparmor-policy" && typeof d["@timestamp"] === "string")).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "aalens-ecs-"));
    const path = join(dir, "broken.log");
    writeFileSync(path, 'type=AVC msg=audit(1764382380.412:1250): \ntype=AVC msg=audit(1764382380.413:1251): apparmor="DENIED" operation="open" profile="p" name="/x" pid=1 comm="a" requested_mask="r" denied_mask="r"\n');
    const withErrors = aalens(["analyze", "--no-policy", "--format", "ecs", "--ecs-errors", "--ecs-original", path]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(withErrors.map((d) => d.event.kind)).toEqual(["pipeline_error", "event"]);
    expect(withErrors[1].event.original).toMatch(/^type=AVC/);
  });

  it("ECS --mode all: a document for every AppArmor record, profile loads (STATUS) included, all named as Filebeat does", () => {
    const docs = aalens(["analyze", "--no-policy", "--format", "ecs", "--mode", "all", "samples/audit.log"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    const all = JSON.parse(aalens(["analyze", "--no-policy", "--format", "json", "samples/audit.log"]).stdout);
    expect(docs).toHaveLength(all.summary.apparmor);
    const status = docs.filter((d) => d.auditd.log.apparmor === "STATUS");
    expect(status.length).toBeGreaterThan(0);
    expect(status.every((d) => d.event.outcome === "unknown")).toBe(true);
    expect(new Set(docs.map((d) => d.event.action))).toEqual(new Set(["violated-apparmor-policy"]));
  });

  it("Markdown: the report as a bug-report section", () => {
    const md = aalens(["analyze", "--no-policy", "--format", "markdown", "samples/dmesg.txt"]).stdout;
    expect(md).toMatch(/^## aalens analyze$/m);
    expect(md).toMatch(/```apparmor\n[\s\S]*\/dev\/net\/tun rw,[\s\S]*```/);
  });
});
