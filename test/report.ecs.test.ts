/**
 * ECS export: every document built from the bundled samples uses only ECS fields (checked against
 * @elastic/ecs's own field list) with ECS types and allowed values, or aalens' / Filebeat's own
 * namespaces; the AppArmor facts land where Filebeat's auditd module puts them; error documents
 * for unreadable lines carry the ECS error fields.
 */
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EcsFlat } from "@elastic/ecs";
import { parseLine } from "../src/parse/parse-line.js";
import type { Mode, Skipped } from "../src/parse/record.js";
import { Collector } from "../src/analysis/collector.js";
import type { AnalyzedEvent } from "../src/analysis/enrich.js";
import {
  ecsDocument, ecsErrorDocument, ecsLine, ECS_VERSION, type EcsAppArmorDocument, type EcsEventFields,
} from "../src/report/ecs.js";
import {
  EVENT_CATEGORIES, EVENT_KINDS, EVENT_OUTCOMES, EVENT_TYPES, EXPECTED_EVENT_TYPES, type Categorization,
} from "../src/report/ecs-fields.js";
import { collect } from "./helpers/collect.js";

const SAMPLES = resolve(import.meta.dirname, "../samples");
const NOW = new Date("2030-01-02T03:04:05.678Z");
const helpers = createRequire(import.meta.url)("@elastic/ecs-helpers") as { version: string };

interface FieldDef {
  type: string;
  normalize: string[];
  allowed_values?: Array<{ name: string; expected_event_types?: string[] }>;
}
const ECS = EcsFlat as unknown as Record<string, FieldDef>;

/** Every AppArmor event of a set of lines, through the library as the CLI runs it. */
function viewsOf(
  lines: Array<{ source: string; line: number; text: string }>,
  modes: Mode[] = ["DENIED", "KILL", "ALLOWED", "AUDIT"],
): { views: AnalyzedEvent[]; skipped: Skipped[] } {
  const views: AnalyzedEvent[] = [];
  const skipped: Skipped[] = [];
  const builder = new Collector({ modes: new Set(modes), onEvent: (v) => views.push(v) });
  for (const src of lines) {
    const r = parseLine(src);
    if (r?.record !== undefined) builder.record(r.record, src.text);
    else if (r?.skipped !== undefined) skipped.push(r.skipped);
  }
  builder.state();
  return { views, skipped };
}

/** Each sample file read by the input layer (journal JSON, gzip …), one builder per file. */
async function sampleViews(): Promise<Map<string, { views: AnalyzedEvent[]; skipped: Skipped[] }>> {
  const out = new Map<string, { views: AnalyzedEvent[]; skipped: Skipped[] }>();
  for (const name of readdirSync(SAMPLES).sort()) {
    const c = await collect([join(SAMPLES, name)]);
    const got = viewsOf(c.lines);
    got.skipped.push(...c.skips);
    out.set(name, got);
  }
  return out;
}

const lines = (texts: string[]) => texts.map((text, i) => ({ source: "t.log", line: i + 1, text }));

/** [path, value] of every leaf of a document; arrays are leaves. */
function leaves(value: object, prefix = ""): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(value)) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(...leaves(v as object, path));
    else out.push([path, v]);
  }
  return out;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const STRING_TYPES = new Set(["keyword", "constant_keyword", "wildcard", "match_only_text", "text", "flattened"]);
const INTEGER_TYPES = new Set(["long", "integer", "short", "byte", "unsigned_long"]);

/** Why one ECS value does not fit its field definition, or null. */
function ecsValueProblem(path: string, value: unknown, def: FieldDef): string | null {
  if (STRING_TYPES.has(def.type)) return typeof value === "string" ? null : `${path}: ${def.type} wants a string, got ${JSON.stringify(value)}`;
  if (INTEGER_TYPES.has(def.type)) return Number.isSafeInteger(value) ? null : `${path}: ${def.type} wants an integer, got ${JSON.stringify(value)}`;
  if (def.type === "float" || def.type === "double" || def.type === "scaled_float") return typeof value === "number" ? null : `${path}: wants a number`;
  if (def.type === "boolean") return typeof value === "boolean" ? null : `${path}: wants a boolean`;
  if (def.type === "ip") return typeof value === "string" && isIP(value) !== 0 ? null : `${path}: wants an IP, got ${JSON.stringify(value)}`;
  if (def.type === "date") return typeof value === "string" && ISO.test(value) && !Number.isNaN(Date.parse(value)) ? null : `${path}: wants an ISO 8601 date, got ${JSON.stringify(value)}`;
  return `${path}: unexpected ECS type ${def.type}`;
}

/** Fields aalens adds under aalens.*, and the JS type of each. */
const AALENS: Record<string, "string" | "integer"> = {
  "aalens.class": "string",
  "aalens.resource": "string",
  "aalens.rule": "string",
  "aalens.pasta.operation": "string",
  "aalens.pasta.caller": "string",
  "aalens.line": "integer",
  "aalens.process.auid": "string",
};

/** Everything wrong with a document's fields, as messages (empty: the document is fine). */
function schemaProblems(doc: object): string[] {
  const problems: string[] = [];
  const flat = leaves(doc);
  for (const [path, value] of flat) {
    if (path.startsWith("auditd.log.")) {
      const ok = path === "auditd.log.sequence" ? Number.isSafeInteger(value) : typeof value === "string" && value !== "";
      if (!ok) problems.push(`${path}: ${JSON.stringify(value)}`);
      continue;
    }
    if (path.startsWith("aalens.")) {
      const want = AALENS[path];
      if (want === undefined) problems.push(`${path}: not an aalens field`);
      else if (want === "string" ? typeof value !== "string" : !Number.isSafeInteger(value)) problems.push(`${path}: wants ${want}, got ${JSON.stringify(value)}`);
      continue;
    }
    const def = ECS[path];
    if (def === undefined) {
      problems.push(`${path}: not an ECS field`);
      continue;
    }
    const isArray = Array.isArray(value);
    if (isArray !== def.normalize.includes("array")) problems.push(`${path}: ${isArray ? "an array where ECS expects one value" : "one value where ECS expects an array"}`);
    for (const v of isArray ? (value as unknown[]) : [value]) {
      const p = ecsValueProblem(path, v, def);
      if (p !== null) problems.push(p);
      if (def.allowed_values !== undefined && !def.allowed_values.some((a) => a.name === v)) problems.push(`${path}: ${JSON.stringify(v)} is not an allowed value`);
    }
  }
  // event.type values must be ones ECS expects with one of the document's categories.
  const get = (p: string) => flat.find(([k]) => k === p)?.[1];
  const categories = (get("event.category") as string[] | undefined) ?? [];
  for (const t of (get("event.type") as string[] | undefined) ?? []) {
    const expected = categories.some((c) => ECS["event.category"]!.allowed_values!.find((a) => a.name === c)?.expected_event_types?.includes(t));
    if (!expected) problems.push(`event.type ${t} is not expected with event.category ${JSON.stringify(categories)}`);
  }
  if (!("@timestamp" in doc)) problems.push("@timestamp missing");
  return problems;
}

const all = await sampleViews();
const views = [...all.values()].flatMap((s) => s.views);
const find = (pred: (v: AnalyzedEvent) => boolean): AnalyzedEvent => {
  const v = views.find(pred);
  if (v === undefined) throw new Error("no such sample event");
  return v;
};

describe("ECS documents from the samples", () => {
  it("are built for every AppArmor event of every sample", () => {
    expect(views.length).toBeGreaterThan(20);
    expect(new Set(views.map((v) => v.record.mode))).toEqual(new Set(["DENIED", "KILL", "ALLOWED", "AUDIT"]));
  });

  it("use only ECS fields with ECS types and allowed values, or auditd.log.* / aalens.*", () => {
    for (const v of views) {
      for (const doc of [ecsDocument(v, { now: NOW }), ecsDocument(v, { original: true, now: NOW })]) {
        expect(schemaProblems(doc), v.text).toEqual([]);
        expect(doc.ecs.version).toBe(helpers.version);
        expect(doc.event).toMatchObject({ kind: "event", module: "auditd", dataset: "auditd.log" });
        expect(doc.auditd.log.apparmor).toBe(v.record.mode === "KILL" ? "KILLED" : v.record.mode);
      }
    }
  });

  it("a DENIED file event: outcome failure, file.path, the process from SYSCALL/CWD/PROCTITLE, Filebeat's auditd.log names", () => {
    const v = find((x) => x.record.source.endsWith("audit.log") && x.record.auditId === "1764382380.412:1250");
    const path = "/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f";
    const doc = ecsDocument(v);
    expect(doc["@timestamp"]).toBe("2025-11-29T02:13:00.412Z");
    expect(doc.event).toMatchObject({ action: "violated-apparmor-policy", outcome: "failure", category: ["file"], type: ["access"], sequence: 1250 });
    expect(doc.file).toEqual({ path, uid: "0" });
    expect(doc.process).toEqual({
      pid: 24790, parent: { pid: 24771 }, name: "pasta", executable: "/usr/bin/passt", working_directory: "/home/alice",
      command_line: expect.stringMatching(/^\/usr\/bin\/pasta --config-net /),
    });
    expect(doc.user).toEqual({ id: "1000" });
    expect(doc.rule).toEqual({ name: "passt" });
    expect(doc.log).toEqual({ file: { path: v.record.source } });
    expect(doc.auditd.log).toMatchObject({
      apparmor: "DENIED", operation: "open", class: "file", profile: "passt", name: path, pid: "24790",
      comm: "pasta", requested_mask: "r", denied_mask: "r", fsuid: "1000", ouid: "0", FSUID: "alice", record_type: "AVC", sequence: 1250,
    });
    expect(doc.aalens).toMatchObject({ class: "file", resource: path, line: 4, process: { auid: "1000" } });
    expect(v.rule).not.toBeNull();
    expect(doc.aalens.rule).toBe(v.rule);
    expect(doc.message).toBe(`AppArmor DENIED open file ${path} (profile passt, pasta[24790])`);
  });

  it("a DENIED file event without companions still has the process from the AppArmor record", () => {
    const doc = ecsDocument(find((x) => x.record.source.endsWith("audit.log") && x.fields.name === "/dev/net/tun"));
    expect(doc.process).toEqual({ pid: 24790, name: "pasta" });
    expect(doc.file).toEqual({ path: "/dev/net/tun", uid: "0" });
    expect(doc.aalens.pasta).toEqual({ operation: "tun-open" });
    expect(doc).not.toHaveProperty("user");
  });

  it("KILL is a failure and a policy violation", () => {
    const doc = ecsDocument(find((x) => x.record.mode === "KILL"));
    expect(doc.event).toMatchObject({ action: "violated-apparmor-policy", outcome: "failure", category: ["file"] });
    expect(doc.auditd.log.apparmor).toBe("KILLED");
  });

  it("the pasta sample event names its catalog step and caller", () => {
    const v = find((x) => x.record.source.endsWith("audit.log") && (x.fields.name ?? "").startsWith("/run/user/1000/netns/netns-"));
    expect(ecsDocument(v).aalens.pasta).toEqual({ operation: "netns-open", caller: "podman-container" });
    const other = find((x) => x.fields.profile === "/usr/sbin/cupsd");
    expect(ecsDocument(other).aalens.pasta).toBeUndefined();
    expect(JSON.stringify(ecsDocument(v))).not.toContain("diagnos");
  });

  it("event.original only when asked for", () => {
    for (const v of views) {
      expect(ecsDocument(v).event.original).toBeUndefined();
      expect(ecsDocument(v, { original: false }).event).not.toHaveProperty("original");
      expect(ecsDocument(v, { original: true }).event.original).toBe(v.text);
    }
    expect(views.every((v) => v.text.includes("apparmor="))).toBe(true);
  });

  it("ALLOWED and AUDIT succeed; AUDIT and STATUS have their own action", () => {
    const allowed = ecsDocument(find((x) => x.record.mode === "ALLOWED"));
    expect(allowed.event).toMatchObject({ action: "violated-apparmor-policy", outcome: "success", category: ["file"], type: ["creation"] });
    const audit = ecsDocument(find((x) => x.record.mode === "AUDIT"));
    expect(audit.event).toMatchObject({ action: "violated-apparmor-policy", outcome: "success", category: ["process"], type: ["change"], reason: "Userns create - transitioning profile" });
    const status = viewsOf(lines(['type=AVC msg=audit(1764382372.118:1201): apparmor="STATUS" operation="profile_load" profile="unconfined" name="passt" pid=1893 comm="apparmor_parser"']), ["STATUS"]);
    expect(status.views).toHaveLength(1);
    const doc = ecsDocument(status.views[0]!);
    expect(schemaProblems(doc)).toEqual([]);
    expect(doc.event).toMatchObject({ action: "violated-apparmor-policy", outcome: "unknown", category: ["configuration"], type: ["creation"] });
  });

  it("network events: category network, the verdict as event.type, both ends as source/destination", () => {
    const doc = ecsDocument(find((x) => x.fields.operation === "sendmsg" && x.fields.family === "inet"));
    expect(doc.event).toMatchObject({ category: ["network"], type: ["denied"], outcome: "failure" });
    expect(doc.network).toEqual({ type: "ipv4", transport: "udp", iana_number: "17" });
    expect(doc.source).toEqual({ ip: "10.0.2.100", port: 53 });
    expect(doc.destination).toEqual({ ip: "192.168.1.1", port: 53 });
    expect(doc.auditd.log).toMatchObject({ laddr: "10.0.2.100", lport: "53", protocol: "17" });
    const create = ecsDocument(find((x) => x.fields.profile === "/usr/sbin/ntpd"));
    expect(create.network).toEqual({ type: "ipv6", transport: "udp", iana_number: "17" });
    expect(create.source).toBeUndefined();
    expect(create.host).toEqual({ name: "build-01.example.net" });
  });

  it("capability, signal, ptrace and mount events are process / host events", () => {
    const of = (op: string) => ecsDocument(find((x) => x.fields.operation === op)).event;
    expect(of("capable")).toMatchObject({ category: ["process"], type: ["access"] });
    expect(of("signal")).toMatchObject({ category: ["process"], type: ["access"] });
    expect(of("ptrace")).toMatchObject({ category: ["process"], type: ["access"] });
    expect(of("mount")).toMatchObject({ category: ["host"], type: ["change"], reason: "failed flags match" });
  });

  it("USER_AVC: the nested msg's keys under auditd.log, its pid wins, ? values dropped", () => {
    const v = find((x) => x.record.type === "USER_AVC");
    const doc = ecsDocument(v);
    expect(doc.auditd.log).toMatchObject({ record_type: "USER_AVC", apparmor: "DENIED", operation: "dbus_method_call", bus: "system", pid: "3312", uid: "101", label: "snap.firefox.firefox" });
    expect(doc.auditd.log).not.toHaveProperty("hostname");
    expect(doc.process).toEqual({ pid: 3312 });
    expect(doc.event.category).toEqual(["process"]);
  });

  it("ausearch -i names: uid and ouid that are names go to user.name / file.owner", () => {
    const doc = ecsDocument(find((x) => x.record.format === "ausearch"));
    expect(doc.user).toEqual({ name: "alice" });
    expect(doc.file).toMatchObject({ owner: "root" });
    expect(doc.file).not.toHaveProperty("uid");
    expect(doc.aalens.process).toEqual({ auid: "alice" });
  });

  it("a record without a time gets the processing time, like Filebeat", () => {
    const v = find((x) => x.record.time === null);
    expect(ecsDocument(v, { now: NOW })["@timestamp"]).toBe(NOW.toISOString());
    expect(ecsDocument(v)["@timestamp"]).toMatch(ISO);
    expect(ecsDocument(v).auditd.log).not.toHaveProperty("sequence");
  });
});

describe("ECS error documents", () => {
  const skipped: Skipped = { source: "/var/log/audit/audit.log", line: 42, code: "truncated-header", message: "audit header without key=value pairs (truncated?)", excerpt: 'type=AVC msg=audit(17643x:1): apparmor="DENIED"' };

  it("carry error.type / error.message through formatError, the excerpt and where the line was", () => {
    const doc = ecsErrorDocument(skipped, { now: NOW });
    expect(schemaProblems(doc)).toEqual([]);
    expect(doc).toEqual({
      "@timestamp": NOW.toISOString(),
      ecs: { version: ECS_VERSION },
      message: "/var/log/audit/audit.log:42: audit header without key=value pairs (truncated?)",
      event: { kind: "pipeline_error", module: "auditd", dataset: "auditd.log", original: skipped.excerpt, reason: "truncated-header" },
      error: { type: "UnparsedLineError", message: "audit header without key=value pairs (truncated?)" },
      log: { file: { path: "/var/log/audit/audit.log" } },
      aalens: { line: 42 },
    });
  });

  it("for what the parser skips, and without an excerpt when there is none", () => {
    const { skipped: got } = viewsOf(lines(['type=AVC msg=audit(1764382380.412): apparmor="DENIED" operation="open" profile="p" name="/x"', "audit(garbage"]));
    const from = [...got, ...[...all.values()].flatMap((s) => s.skipped)];
    for (const s of from) {
      const doc = ecsErrorDocument(s);
      expect(schemaProblems(doc)).toEqual([]);
      expect(doc.error.message).toBe(s.message);
      expect(doc.event.reason).toBe(s.code);
    }
    const bare = ecsErrorDocument({ source: "-", line: 1, code: "line-too-long", message: "too long" });
    expect(bare.event).not.toHaveProperty("original");
  });
});

describe("NDJSON", () => {
  it("one document per line, even when a value holds a newline", () => {
    const { views: vs } = viewsOf(lines(['type=AVC msg=audit(1764382380.412:7): apparmor="DENIED" operation="open" class="file" profile="p" name=2F746D702F610A62 pid=1 comm="x" requested_mask="r" denied_mask="r"']));
    expect(vs).toHaveLength(1);
    const doc = ecsDocument(vs[0]!, { original: true });
    expect(doc.file!.path).toBe("/tmp/a\nb");
    const line = ecsLine(doc);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(doc);
  });
});

describe("the checks themselves", () => {
  it("reject a field ECS does not have, a wrong type, a value ECS does not allow, a type the category does not expect", () => {
    const base = { "@timestamp": "2025-01-01T00:00:00.000Z" };
    expect(schemaProblems({ ...base, process: { pidd: 1 } })).toEqual(["process.pidd: not an ECS field"]);
    expect(schemaProblems({ ...base, process: { pid: "1" } })[0]).toMatch(/process\.pid: long wants an integer/);
    expect(schemaProblems({ ...base, event: { category: ["file"], type: ["blocked"] } }).join()).toMatch(/"blocked" is not an allowed value/);
    expect(schemaProblems({ ...base, event: { category: ["file"], type: ["denied"] } })).toEqual(['event.type denied is not expected with event.category ["file"]']);
    expect(schemaProblems({ ...base, event: { category: "file" } })[0]).toMatch(/expects an array/);
    expect(schemaProblems({ "@timestamp": "yesterday" })[0]).toMatch(/ISO 8601/);
    expect(schemaProblems({ ...base, aalens: { diagnosis: "x" } })).toEqual(["aalens.diagnosis: not an aalens field"]);
    expect(schemaProblems({ ...base, auditd: { log: { pid: 1 } } })).toEqual(["auditd.log.pid: 1"]);
  });

  it("the vocabularies in ecs-fields.ts are ECS's", () => {
    const names = (field: string) => ECS[field]!.allowed_values!.map((a) => a.name);
    expect([...EVENT_KINDS]).toEqual(names("event.kind"));
    expect([...EVENT_CATEGORIES]).toEqual(names("event.category"));
    expect([...EVENT_TYPES]).toEqual(names("event.type"));
    expect([...EVENT_OUTCOMES]).toEqual(names("event.outcome"));
    for (const [category, types] of Object.entries(EXPECTED_EVENT_TYPES)) {
      expect([...types], category).toEqual(ECS["event.category"]!.allowed_values!.find((a) => a.name === category)!.expected_event_types);
    }
  });

  it("the document types reject what ECS rejects (checked by tsc)", () => {
    // @ts-expect-error not an ECS field
    const a: EcsAppArmorDocument["process"] = { pidd: 1 };
    // @ts-expect-error process.pid is a number in ECS
    const b: EcsAppArmorDocument["process"] = { pid: "1" };
    // @ts-expect-error not an ECS event.type
    const c: EcsEventFields = { kind: "event", type: ["blocked"] };
    // @ts-expect-error ECS does not expect "denied" with category file
    const d: Categorization = { category: "file", type: ["denied"] };
    // @ts-expect-error not an ECS event.outcome
    const e: EcsEventFields = { kind: "event", outcome: "denied" };
    expect([a, b, c, d, e]).toHaveLength(5);
  });
});
