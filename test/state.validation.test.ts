/**
 * Saved states are untrusted (they may come from another host): every field is checked before
 * merge uses it, a bad file is named with the first bad field, the other states are still merged,
 * and saving a state never writes through a link, a FIFO or a directory.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyseInputs } from "../src/analysis/pipeline.js";
import { modesOption } from "../src/cli/options.js";
import { loadState } from "../src/cli/state-file.js";
import { writeFileAtomic } from "../src/cli/safe-write.js";
import { validateState, MAX_ITEMS, MAX_STRING } from "../src/analysis/validate-state.js";
import type { AnalysisState } from "../src/report/model.js";
import { aalens } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aalens-state-"));
const GOOD = join(tmp, "good.json");
/** The state as saved by `analyze --save-state` (parsed JSON: plain data). */
let saved: Record<string, any>;

beforeAll(() => {
  const r = aalens(["analyze", "-q", "--no-policy", "--mode", "all", "--format", "json", "--save-state", GOOD, "samples/"]);
  expect(r.status, r.stderr).toBe(0);
  saved = JSON.parse(readFileSync(GOOD, "utf8"));
});

/** A deep copy of the saved state with `mutate` applied. */
function hostile(mutate: (s: Record<string, any>) => void): Record<string, any> {
  const s = structuredClone(saved);
  mutate(s);
  return s;
}

/** An own, enumerable property, whatever its name (`__proto__` too), as JSON.parse makes it. */
function ownKey(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function indexOfKind(s: Record<string, any>, kind: string): number {
  const i = (s.rules.entries as Array<{ rule: { kind: string } }>).findIndex((e) => e.rule.kind === kind);
  expect(i, `the samples give a ${kind} rule`).toBeGreaterThanOrEqual(0);
  return i;
}

function rejected(data: unknown): { field: string; message: string } {
  const v = validateState(data);
  if (v.ok) throw new Error("expected the state to be refused");
  return { field: v.field, message: v.message };
}

describe("validateState on a real state", () => {
  it("accepts the state analyze saved, as a fresh copy equal to it", () => {
    expect(saved.rules.entries.length).toBeGreaterThan(10);
    expect(saved.pasta.denials.length).toBeGreaterThan(0);
    expect(saved.seen.length).toBeGreaterThan(0);
    const v = validateState(saved);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.state).toEqual(saved);
    expect(v.state).not.toBe(saved);
    expect(v.state.rules.entries[0]).not.toBe(saved.rules.entries[0]);
  });

  it("accepts a state built in-process by the pipeline on samples/", async () => {
    const state = await analyseInputs(["samples/"], { modes: modesOption("all"), maxLineLength: 65536, keepSeen: true });
    const data = JSON.parse(JSON.stringify(state)) as unknown;
    const v = validateState(data);
    expect(v.ok ? "ok" : `${v.field}: ${v.message}`).toBe("ok");
  });

  it("refuses a top level that is not an object", () => {
    expect(rejected(null)).toEqual({ field: "", message: "expected an object" });
    expect(rejected([saved])).toEqual({ field: "", message: "expected an object" });
  });

  it("keeps counts keyed by log text (__proto__, constructor, toString) as own data, prototype untouched", () => {
    const data = hostile((s) => {
      s.formats = {};
      ownKey(s.formats, "__proto__", 3);
      ownKey(s.formats, "constructor", 2);
      ownKey(s.formats, "toString", 1);
    });
    const v = validateState(data);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(Object.entries(v.state.formats)).toEqual([["__proto__", 3], ["constructor", 2], ["toString", 1]]);
    expect(Object.getPrototypeOf(v.state.formats)).toBe(Object.prototype);
    expect(Object.hasOwn(v.state.formats, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

// Each hostile shape, and the field that must be named.
const CASES: Array<[name: string, mutate: (s: Record<string, any>) => void, field: string | ((s: Record<string, any>) => string), message: RegExp]> = [
  ["summary null", (s) => (s.summary = null), "summary", /expected an object/],
  ["rules null", (s) => (s.rules = null), "rules", /expected an object/],
  ["an empty rule entry", (s) => (s.rules.entries = [{}]), "rules.entries[0].profile", /^missing$/],
  ["a rule entry without its rule", (s) => delete s.rules.entries[0].rule, "rules.entries[0].rule", /^missing$/],
  ["inputs not a list", (s) => (s.inputs = { 0: s.inputs[0] }), "inputs", /expected a list/],
  ["an input's line count as text", (s) => (s.inputs[1].lines = "12"), "inputs[1].lines", /expected a number/],
  ["modes not a list", (s) => (s.modes = "DENIED"), "modes", /expected a list/],
  ["a mode that does not exist", (s) => (s.modes = ["DENIED", "denied"]), "modes[1]", /not an AppArmor mode/],
  ["seen not a list", (s) => (s.seen = {}), "seen", /expected a list/],
  ["a seen record of the wrong tuple length", (s) => s.seen[0].pop(), "seen[0]", /exactly 8 items/],
  ["a seen record that is an object", (s) => (s.seen[0] = { signature: 1 }), "seen[0]", /expected a list/],
  ["a seen record with a bad mode", (s) => (s.seen[0][2] = "BOGUS"), "seen[0][2]", /not an AppArmor mode/],
  ["a seen record with a negative signature", (s) => (s.seen[0][0] = -1), "seen[0][0]", /signature/],
  ["a seen record with filtered 2", (s) => (s.seen[0][3] = 2), "seen[0][3]", /expected one of 0, 1/],
  ["a seen record with a host number", (s) => (s.seen[0][1] = 5), "seen[0][1]", /expected a string/],
  ["a seen group index past the end", (s) => (s.seen[0][4] = s.denials.length), "seen[0][4]", /past the end of denials/],
  ["a seen rule index below -1", (s) => (s.seen[0][5] = -2), "seen[0][5]", /expected an index/],
  ["a denied permission that is a number", (s) => s.denials[0].denied.push(5), (s) => `denials[0].denied[${s.denials[0].denied.length - 1}]`, /expected a string/],
  ["denied as text", (s) => (s.denials[0].denied = "rw"), "denials[0].denied", /expected a list/],
  ["pasta null", (s) => (s.pasta = null), "pasta", /expected an object/],
  ["a pasta typedRule of a kind that does not exist", (s) => (s.pasta.denials[0].typedRule = { kind: "bogus" }), "pasta.denials[0].typedRule.kind", /not a rule kind/],
  ["a pasta typedRule of the wrong kind for its fields", (s) => (s.pasta.denials[0].typedRule.kind = "capability"), "pasta.denials[0].typedRule.names", /^missing$/],
  ["a pasta denial of an unknown event kind", (s) => (s.pasta.denials[0].kind = "bogus"), "pasta.denials[0].kind", /not an AppArmor event kind/],
  ["a pasta pid as text", (s) => (s.pasta.denials[0].pid = "24790"), "pasta.denials[0].pid", /expected a number/],
  ["a __proto__ key in the summary", (s) => ownKey(s.summary, "__proto__", { lines: 1 }), "summary.__proto__", /unknown field/],
  ["a __proto__ key at the top level", (s) => ownKey(s, "__proto__", { polluted: true }), "__proto__", /unknown field/],
  ["a constructor key in a rule", (s) => ownKey(s.rules.entries[0].rule, "constructor", "x"), "rules.entries[0].rule.constructor", /unknown field/],
  ["a NaN-like string count", (s) => (s.summary.lines = "NaN"), "summary.lines", /expected a number/],
  ["a count of log text under __proto__", (s) => ownKey(s.types, "__proto__", "Infinity"), "types.__proto__", /expected a number/],
  ["a negative count", (s) => (s.rules.entries[0].count = -1), "rules.entries[0].count", /non-negative whole number/],
  ["a fractional count", (s) => (s.denials[0].count = 1.5), "denials[0].count", /non-negative whole number/],
  ["a negative line number", (s) => (s.denials[0].examples[0].line = -3), "denials[0].examples[0].line", /non-negative/],
  ["a huge list", (s) => (s.notes = new Array(MAX_ITEMS + 1).fill("")), "notes", /list longer than/],
  ["a huge seen list", (s) => (s.seen = new Array(MAX_ITEMS + 1).fill(0)), "seen", /list longer than/],
  ["a huge string", (s) => (s.notes = ["x".repeat(MAX_STRING + 1)]), "notes[0]", /string longer than/],
  ["a wrong mode key in appArmorModes", (s) => (s.appArmorModes = { denied: 1 }), "appArmorModes.denied", /not an AppArmor mode/],
  ["a __proto__ mode key in a rule entry", (s) => ownKey(s.rules.entries[0].modes, "__proto__", 1), "rules.entries[0].modes.__proto__", /not an AppArmor mode/],
  ["a rule kind that does not exist", (s) => (s.rules.entries[0].rule.kind = "network2"), "rules.entries[0].rule.kind", /not a rule kind/],
  ["a rule kind inherited from Object.prototype", (s) => (s.rules.entries[0].rule.kind = "toString"), "rules.entries[0].rule.kind", /not a rule kind/],
  ["file permissions out of rwalkm", (s) => (s.rules.entries[indexOfKind(s, "file")].rule.perms = "rwx"), (s) => `rules.entries[${indexOfKind(s, "file")}].rule.perms`, /rwalkm/],
  ["a capability name that would add a second rule", (s) => (s.rules.entries[indexOfKind(s, "capability")].rule.names = ["sys_admin, /** rwx"]), (s) => `rules.entries[${indexOfKind(s, "capability")}].rule.names[0]`, /one word/],
  ["a boolean as a string", (s) => (s.rules.entries[indexOfKind(s, "file")].rule.owner = "false"), (s) => `rules.entries[${indexOfKind(s, "file")}].rule.owner`, /true or false/],
  ["an error without its message", (s) => (s.errors = [{ source: "x", code: "not-found" }]), "errors[0].message", /^missing$/],
  ["a reason code inherited from Object.prototype", (s) => (s.unparsed = [{ code: "toString", message: "m", count: 1, examples: [] }]), "unparsed[0].code", /not a reason code/],
  ["a time that is not ISO-8601", (s) => (s.denials[0].firstSeen = "yesterday"), "denials[0].firstSeen", /ISO-8601/],
  ["another version", (s) => (s.version = "2"), "version", /expected version 2/],
  ["an mqueue type out of its union", (s) => (s.pasta.denials[0].typedRule = { kind: "mqueue", access: ["open"], type: "tcp" }), "pasta.denials[0].typedRule.type", /"posix", "sysv"/],
];

describe("validateState refuses hostile states with the first bad field", () => {
  it.each(CASES)("%s", (_name, mutate, field, message) => {
    const data = hostile(mutate);
    const got = rejected(data);
    expect(got.field).toBe(typeof field === "function" ? field(data) : field);
    expect(got.message).toMatch(message);
  });

  it("refuses Infinity from a JSON number out of range (1e999)", () => {
    const text = JSON.stringify(saved).replace(/"lines":\d+/, '"lines":1e999');
    expect(rejected(JSON.parse(text))).toEqual({ field: "summary.lines", message: "expected a finite number" });
  });

  it("names keys from the file escaped and shortened, never raw", () => {
    const key = "\x1b]0;pwned\x07" + "k".repeat(200);
    const got = rejected(hostile((s) => ownKey(s.summary, key, 1)));
    expect(got.field).toMatch(/^summary\[".*…"\]$/);
    expect(got.field).not.toMatch(/[\x00-\x1f]/);
    expect(got.field.length).toBeLessThan(80);
  });

  it("reads own data properties only (a getter is refused)", () => {
    const data = hostile((s) => Object.defineProperty(s.summary, "lines", { get: () => 1, enumerable: true }));
    expect(rejected(data)).toEqual({ field: "summary.lines", message: "expected a plain value" });
  });
});

describe("loadState", () => {
  it("names the file and the field, in one line, never the file's bytes", async () => {
    const path = join(tmp, "entry-without-rule.json");
    writeFileSync(path, JSON.stringify(hostile((s) => delete s.rules.entries[0].rule)));
    await expect(loadState(path)).rejects.toThrow(`${path}: not a valid aalens state: rules.entries[0].rule: missing`);
  });

  it("says a file is not JSON without quoting it", async () => {
    const path = join(tmp, "escape.json");
    writeFileSync(path, '{"format": "\x1b]0;pwned\x07 SECRET');
    const err = await loadState(path).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/not a readable aalens state \(not JSON/);
    expect(err?.message).not.toMatch(/SECRET|pwned|\x1b/);
  });

  it("refuses null, another format and an unknown version without echoing them", async () => {
    const write = (name: string, text: string) => (writeFileSync(join(tmp, name), text), join(tmp, name));
    await expect(loadState(write("null.json", "null"))).rejects.toThrow(/not an aalens state file/);
    await expect(loadState(write("fmt.json", JSON.stringify({ ...saved, format: "x" })))).rejects.toThrow(/not an aalens state file/);
    const err = await loadState(write("ver.json", JSON.stringify({ ...saved, version: "\x1b[2J" }))).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/the state's version is not supported \(this aalens reads version 2\)/);
    expect(err?.message).not.toMatch(/\x1b/);
  });
});

describe("aalens merge with a bad state", () => {
  const bad = join(tmp, "bad.json");
  const bad2 = join(tmp, "bad2.json");

  beforeAll(() => {
    writeFileSync(bad, JSON.stringify(hostile((s) => (s.pasta.denials[0].typedRule = { kind: "bogus" }))));
    writeFileSync(bad2, JSON.stringify(hostile((s) => (s.summary = null))));
  });

  it("names the bad file and field on stderr, reports the good one, exits 1", () => {
    const alone = aalens(["merge", "--no-policy", "--format", "json", GOOD]);
    expect(alone.status, alone.stderr).toBe(0);
    const r = aalens(["merge", "--no-policy", "--format", "json", GOOD, bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aalens: ${bad}: not a valid aalens state: pasta.denials[0].typedRule.kind: not a rule kind (file, capability, network, unix, signal, ptrace, dbus, mount, remount, umount, pivot_root, userns, mqueue, io_uring, change_profile)\n`);
    expect(r.stderr).not.toContain("    at ");
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(alone.stdout));
  });

  it("writes the text report too, and the bad state may come first", () => {
    const r = aalens(["merge", "--no-policy", bad, GOOD]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("bad.json");
    expect(r.stderr).toContain("pasta.denials[0].typedRule.kind");
    expect(r.stdout).toMatch(/^aalens analyze/m);
    expect(r.stdout).toMatch(/AppArmor events by mode/);
  });

  it("with every state refused, prints each error and no report", () => {
    const r = aalens(["merge", "--no-policy", bad, bad2]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`${bad}: not a valid aalens state: pasta.denials[0].typedRule.kind`);
    expect(lines[1]).toBe(`aalens: ${bad2}: not a valid aalens state: summary: expected an object`);
    expect(r.stderr).not.toContain("    at ");
  });

  it("never crashes on the hostile shapes: each is one line naming the file", () => {
    const files = CASES.filter(([name]) => !/huge/.test(name)).map(([name, mutate], i) => {
      const path = join(tmp, `case-${i}.json`);
      writeFileSync(path, JSON.stringify(hostile(mutate)));
      return [name, path] as const;
    });
    const r = aalens(["merge", "--no-policy", "--format", "json", ...files.map(([, p]) => p), GOOD]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(files.length);
    // (a version of the wrong type is refused by loadState's own version check, before validation)
    files.forEach(([name, path], i) => expect(lines[i], name).toMatch(new RegExp(`^aalens: ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: (not a valid aalens state: |the state's version is not supported)`)));
    expect(JSON.parse(r.stdout).summary).toEqual(JSON.parse(aalens(["merge", "--no-policy", "--format", "json", GOOD]).stdout).summary);
  });

  it("does not echo control characters of a file that is not JSON", () => {
    const path = join(tmp, "term.json");
    writeFileSync(path, "\x1b]0;pwned\x07\x1b[2J");
    const r = aalens(["merge", "--no-policy", path, GOOD]);
    expect(r.status).toBe(1);
    expect(r.stderr.startsWith(`aalens: ${path}: not a readable aalens state (not JSON`)).toBe(true);
    expect(r.stderr).not.toMatch(/pwned|\x1b|\x07/);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });
});

describe("saving a state", () => {
  const save = (target: string) => aalens(["analyze", "-q", "--no-policy", "--save-state", target, "samples/dmesg.txt"]);

  it("refuses to write through a symbolic link, and leaves its target alone", () => {
    const target = join(tmp, "precious.txt");
    writeFileSync(target, "do not touch\n");
    const link = join(tmp, "link.json");
    symlinkSync(target, link);
    const r = save(link);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aalens: ${link}: a symbolic link, not a regular file (refusing to replace it)\n`);
    expect(readFileSync(target, "utf8")).toBe("do not touch\n");
  });

  it("refuses a dangling symbolic link too", () => {
    const link = join(tmp, "dangling.json");
    symlinkSync(join(tmp, "nowhere", "x.json"), link);
    const r = save(link);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a symbolic link, not a regular file/);
  });

  it.skipIf(process.platform === "win32")("refuses a FIFO (without blocking on it)", () => {
    const fifo = join(tmp, "state.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const r = save(fifo);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aalens: ${fifo}: a FIFO, not a regular file (refusing to replace it)\n`);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it("refuses a directory", () => {
    const dir = join(tmp, "a-dir");
    mkdirSync(dir);
    const r = save(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a directory, not a regular file/);
    expect(r.stderr).not.toContain("    at ");
  });

  it("replaces a regular file atomically, keeping its mode, with no temporary file left", async () => {
    const dir = join(tmp, "out");
    mkdirSync(dir);
    const target = join(dir, "state.json");
    writeFileSync(target, "old");
    chmodSync(target, 0o600);
    const r = save(target);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["state.json"]);
    const state: AnalysisState = await loadState(target);
    expect(state.summary.apparmor).toBeGreaterThan(0);
  });

  it("writeFileAtomic creates a new file and reports a missing directory in one line", async () => {
    const target = join(tmp, "fresh.txt");
    await writeFileAtomic(target, "hello");
    expect(readFileSync(target, "utf8")).toBe("hello");
    await expect(writeFileAtomic(join(tmp, "missing", "x.json"), "x")).rejects.toThrow(/missing\/x\.json: cannot write \(no such file or directory\)/);
  });
});
