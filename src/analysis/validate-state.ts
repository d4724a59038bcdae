/**
 * A saved analysis state (`analyze --save-state`) may come from another host: before `merge`
 * touches it, every field is checked against the types of model.ts, aggregate.ts, rule-model.ts
 * and pasta/collect.ts, and the state is rebuilt from what was checked.
 *
 * - One small checker per type, composed from tables (`record`, `arrayOf`, `tuple`, the rule
 *   kinds' table). `Shape<T>` requires a checker for every field of T and no other, and checkers
 *   are invariant in their type: a field added to or changed in the model without its checker
 *   here is a compile error.
 * - Only own data properties are read (a JSON object can hold `__proto__`, `constructor` or
 *   `toString` keys); an unknown field is refused. Objects keyed by log text (formats, types) are
 *   rebuilt with Object.fromEntries of their checked entries, so they are plain data to iterate.
 * - Sizes are bounded (strings, lists, maps), so a hostile state cannot exhaust memory later.
 * - The first bad field is reported as a path (`rules.entries[3].rule.perms`) with a message
 *   that never repeats the value; keys from the file in a path are escaped and shortened.
 */
import { MAX_POINTS, type TimelineState, type TimelineUnit } from "./timeline.js";
import type { Mode } from "../parse/record.js";
import type { AppArmorKind } from "../apparmor/classify.js";
import type { Rule } from "../apparmor/rule-model.js";
import type { RuleEntry, RuleExample, RuleState, Unmapped } from "./rule-aggregate.js";
import type { PastaDenial, PastaMessage, PastaState } from "../pasta/collect.js";
import type { SourceSummary } from "../input/types.js";
import { INPUT_CODES, SKIP_CODES, WARNING_CODES, type ReasonCode } from "../input/reasons.js";
import { STATE_FORMAT, STATE_VERSION } from "../report/model.js";
import type { AnalysisState, DenialGroup, Example, InputError, ReasonCount, SeenRecord, Summary } from "../report/model.js";
import { messageText } from "../report/text-safety.js";
import { shorten } from "../report/sanitize.js";

/** Longest string accepted (UTF-16 code units): far above any excerpt, path or name aalens keeps. */
export const MAX_STRING = 1 << 20;
/** Longest list (and most keys in a map of counts) accepted; `seen` is capped at 500 000 when saved. */
export const MAX_ITEMS = 1_000_000;

export type StateValidation = { ok: true; state: AnalysisState } | { ok: false; field: string; message: string };

// ---- paths and failures ------------------------------------------------------------------------

/** Where a value is: a linked list from the leaf up (built cheaply, formatted only on failure). */
type Path = { readonly up: Path; readonly key: string | number } | undefined;

const at = (up: Path, key: string | number): Path => ({ up, key });

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `rules.entries[3].rule.perms`; keys that are not identifiers as `["…"]`, escaped and shortened. */
function formatPath(path: Path): string {
  const keys: Array<string | number> = [];
  for (let p = path; p !== undefined; p = p.up) keys.push(p.key);
  let out = "";
  for (const key of keys.reverse()) {
    if (typeof key === "number") out += `[${key}]`;
    else if (IDENT.test(key) && key.length <= 64) out += out === "" ? key : `.${key}`;
    else out += `[${messageText(JSON.stringify(shorten(key, 40)))}]`;
  }
  return out;
}

class Invalid {
  constructor(
    readonly path: Path,
    readonly message: string,
  ) {}
}

function fail(path: Path, message: string): never {
  throw new Invalid(path, message);
}

// ---- checkers ----------------------------------------------------------------------------------

/**
 * Checks an unknown value and returns it as a T built afresh (or throws Invalid). The phantom
 * member makes Checker invariant in T, so `Shape<T>` accepts exactly a checker of each field's type.
 */
export type Checker<T> = ((value: unknown, path: Path) => T) & { readonly __exactly?: (t: T) => T };

function checker<T>(fn: (value: unknown, path: Path) => T): Checker<T> {
  return fn as Checker<T>;
}

/** An optional field (`exec?: string`): absent is fine, present must pass the checker. */
interface Optional<T> {
  readonly optional: Checker<T>;
}

function opt<T>(c: Checker<T>): Optional<T> {
  return { optional: c };
}

/** A checker for every field of T, `opt(…)` for the optional ones, and nothing else. */
type Shape<T> = { readonly [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Checker<T[K]> };

/** A value that is an own data property (never a getter, never inherited). */
function own(o: object, key: string, path: Path): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  if (d === undefined) return undefined;
  if (!("value" in d)) fail(at(path, key), "expected a plain value");
  return d.value;
}

function plainObject(v: unknown, path: Path): object {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "expected an object");
  return v;
}

function items(v: unknown, path: Path, max: number): unknown[] {
  if (!Array.isArray(v)) fail(path, "expected a list");
  if (v.length > max) fail(path, `list longer than ${max} items`);
  return v;
}

const str = checker<string>((v, p) => {
  if (typeof v !== "string") fail(p, "expected a string");
  if (v.length > MAX_STRING) fail(p, `string longer than ${MAX_STRING} characters`);
  return v;
});

const bool = checker<boolean>((v, p) => (typeof v === "boolean" ? v : fail(p, "expected true or false")));

function numberOf(v: unknown, p: Path): number {
  if (typeof v !== "number") fail(p, "expected a number");
  if (!Number.isFinite(v)) fail(p, "expected a finite number");
  return v === 0 ? 0 : v; // -0 → 0
}

/** Counts, line numbers, byte sizes: whole, non-negative, exact in a double. */
const count = checker<number>((v, p) => {
  const n = numberOf(v, p);
  if (!Number.isSafeInteger(n) || n < 0) fail(p, "expected a non-negative whole number");
  return n;
});

/** pids as logs give them (a decimal exact in a double, sign allowed). */
const integer = checker<number>((v, p) => {
  const n = numberOf(v, p);
  if (!Number.isSafeInteger(n)) fail(p, "expected a whole number");
  return n;
});

/** An index into one of the state's lists, or -1 for none (ranges are checked with the lists). */
const index = checker<number>((v, p) => {
  const n = numberOf(v, p);
  if (!Number.isSafeInteger(n) || n < -1) fail(p, "expected an index (a whole number, -1 for none)");
  return n;
});

/** A record signature: 53 bits (events/assembler.ts recordSignature). */
const signature = checker<number>((v, p) => {
  const n = numberOf(v, p);
  if (!Number.isSafeInteger(n) || n < 0) fail(p, "expected a record signature (a non-negative whole number)");
  return n;
});

/** A string matching `re` (the message says what was expected, never what was found). */
function matching(re: RegExp, what: string): Checker<string> {
  return checker((v, p) => {
    const s = str(v, p);
    if (!re.test(s)) fail(p, `expected ${what}`);
    return s;
  });
}

/** ISO-8601 times as aalens writes them (toISOString); min/max compare them as strings. */
const isoTime = matching(/^[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/, "an ISO-8601 time (YYYY-MM-DDTHH:MM:SS.sssZ)");

/**
 * A word a rule prints unquoted (capability names, accesses, signals, mount options, network
 * family/type): one word, so that a state cannot smuggle a second rule into a rule's text.
 */
const word = matching(/^[^\s,(){}[\]"'=#\\\x00-\x1f\x7f]+$/u, "one word (no spaces, commas, brackets, quotes, = or #)");

function nullable<T>(c: Checker<T>): Checker<T | null> {
  return checker((v, p) => (v === null ? null : c(v, p)));
}

/** One of a few literal values. */
function literal<const T extends string | number>(...values: T[]): Checker<T> {
  const what = values.map((x) => JSON.stringify(x)).join(", ");
  return checker((v, p) => ((values as unknown[]).includes(v) ? (v as T) : fail(p, values.length === 1 ? `expected ${what}` : `expected one of ${what}`)));
}

/** A key of `table` (an enum kept as `Record<Union, true>`, so it is complete and exact). */
function oneOf<T extends string>(table: Readonly<Record<T, unknown>>, what: string): Checker<T> {
  const names = Object.keys(table).join(", ");
  return checker((v, p) => {
    if (typeof v !== "string") fail(p, `expected ${what} (a string)`);
    if (!Object.hasOwn(table, v)) fail(p, `not ${what} (${names})`);
    return v as T;
  });
}

function arrayOf<T>(c: Checker<T>, max = MAX_ITEMS): Checker<T[]> {
  return checker((v, p) => {
    const list = items(v, p, max);
    const out: T[] = new Array<T>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = c(list[i], at(p, i));
    return out;
  });
}

/** A fixed-length tuple (SeenRecord), one checker per position. */
function tuple<T extends readonly unknown[]>(shape: { readonly [K in keyof T]: Checker<T[K]> }): Checker<T> {
  const checkers = shape as unknown as ReadonlyArray<Checker<unknown>>;
  return checker((v, p) => {
    const list = items(v, p, checkers.length);
    if (list.length !== checkers.length) fail(p, `expected a list of exactly ${checkers.length} items`);
    return checkers.map((c, i) => c(list[i], at(p, i))) as unknown as T;
  });
}

/** An object with exactly the fields of `shape` (optional ones may be absent), rebuilt. */
function record<T>(shape: Shape<T>): Checker<T> {
  const fields = Object.entries(shape) as Array<[string, Checker<unknown> | Optional<unknown>]>;
  return checker((v, p) => {
    const o = plainObject(v, p);
    const out: Record<string, unknown> = {};
    for (const [key, c] of fields) {
      const optional = typeof c !== "function";
      if (!Object.hasOwn(o, key)) {
        if (optional) continue;
        fail(at(p, key), "missing");
      }
      out[key] = (optional ? c.optional : c)(own(o, key, p), at(p, key));
    }
    for (const key of Object.keys(o)) if (!Object.hasOwn(shape, key)) fail(at(p, key), "unknown field");
    return out as T;
  });
}

/**
 * Counts keyed by log text (`formats`, `types`) or by mode (`modes`): checked entry by entry and
 * rebuilt with Object.fromEntries, so a `__proto__` or `constructor` key is an own data property.
 */
function countsBy<K extends string>(key: Checker<K>): Checker<string extends K ? Record<string, number> : Partial<Record<K, number>>> {
  return checker((v, p) => {
    const o = plainObject(v, p);
    const keys = Object.keys(o);
    if (keys.length > MAX_ITEMS) fail(p, `more than ${MAX_ITEMS} keys`);
    const entries: Array<[K, number]> = [];
    for (const k of keys) entries.push([key(k, at(p, k)), count(own(o, k, p), at(p, k))]);
    return Object.fromEntries(entries) as string extends K ? Record<string, number> : Partial<Record<K, number>>;
  });
}

// ---- enums -------------------------------------------------------------------------------------

const MODES: Record<Mode, true> = { AUDIT: true, ALLOWED: true, DENIED: true, HINT: true, STATUS: true, ERROR: true, KILL: true };
const mode = oneOf(MODES, "an AppArmor mode");

const APPARMOR_KINDS: Record<AppArmorKind, true> = {
  file: true, exec: true, capability: true, network: true, unix: true, mount: true, remount: true, umount: true, pivot_root: true,
  signal: true, ptrace: true, dbus: true, userns: true, mqueue: true, io_uring: true, change_profile: true, change_hat: true,
  status: true, unknown: true,
};

const REASON_CODES: Record<ReasonCode, unknown> = { ...SKIP_CODES, ...WARNING_CODES };

/** Exec modes AppArmor file rules take. */
const EXEC_MODES: Record<string, true> = Object.fromEntries(
  ["ix", "px", "Px", "ux", "Ux", "cx", "Cx", "pix", "Pix", "cix", "Cix", "pux", "PUx", "cux", "CUx"].map((m) => [m, true]),
);

// ---- the model ---------------------------------------------------------------------------------

const words = arrayOf(word);
const strings = arrayOf(str);

const example = record<Example>({ source: str, line: count, excerpt: str, message: opt(str) });

const reasonCount = record<ReasonCount>({
  code: oneOf(REASON_CODES, "a reason code"),
  message: str,
  count,
  examples: arrayOf(example),
});

const denialGroup = record<DenialGroup>({
  profile: str, operation: str, class: str, resource: str, denied: strings, requested: strings, modes: countsBy(mode), pids: arrayOf(integer), count,
  firstSeen: nullable(isoTime), lastSeen: nullable(isoTime), comms: strings, hosts: strings, examples: arrayOf(example),
});

const summary = record<Summary>({
  lines: count, records: count, apparmor: count, denials: count, duplicates: count,
  filtered: count, unparsed: count, warnings: count, skippedLines: count, inputErrors: count,
  // States saved before SELinux records were counted have none.
  selinux: opt(count),
});

const sourceSummary = record<SourceSummary>({ source: str, compression: str, container: str, lines: count, bytes: count });

type RuleKind = Rule["kind"];
type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;

/** Every rule kind of the Rule union, with its fields. */
const filePermLetters = matching(/^r?w?a?l?k?m?$/, "file permissions from rwalkm, in that order");

const RULE_SHAPES: { readonly [K in RuleKind]: Shape<RuleOf<K>> } = {
  file: {
    kind: literal("file"),
    path: str,
    perms: filePermLetters,
    exec: opt(oneOf(EXEC_MODES, "an exec mode")),
    execTarget: opt(str),
    owner: bool,
    linkTarget: opt(str),
  },
  capability: { kind: literal("capability"), names: words },
  network: { kind: literal("network"), family: opt(word), type: opt(word), protocol: opt(word) },
  unix: { kind: literal("unix"), access: words, type: opt(word), addr: opt(str), peerAddr: opt(str), peerLabel: opt(str) },
  signal: { kind: literal("signal"), access: words, signals: words, peer: opt(str) },
  ptrace: { kind: literal("ptrace"), access: words, peer: opt(str) },
  dbus: {
    kind: literal("dbus"), access: words, bus: opt(str), path: opt(str), interface: opt(str), member: opt(str),
    name: opt(str), peerName: opt(str), peerLabel: opt(str),
  },
  mount: { kind: literal("mount"), fstype: opt(str), options: opt(words), source: opt(str), mountpoint: opt(str) },
  remount: { kind: literal("remount"), options: opt(words), mountpoint: opt(str) },
  umount: { kind: literal("umount"), mountpoint: opt(str) },
  pivot_root: { kind: literal("pivot_root"), oldroot: opt(str), newroot: opt(str) },
  userns: { kind: literal("userns"), access: words },
  mqueue: { kind: literal("mqueue"), access: words, type: opt(literal("posix", "sysv")), name: opt(str) },
  io_uring: { kind: literal("io_uring"), access: words, label: opt(str) },
  change_profile: { kind: literal("change_profile"), execPath: opt(str), target: str },
};

const RULE_CHECKERS = Object.fromEntries(Object.entries(RULE_SHAPES).map(([k, shape]) => [k, record(shape as Shape<Rule>)])) as Record<RuleKind, Checker<Rule>>;
const ruleKind = oneOf(RULE_SHAPES, "a rule kind");

/** A typed rule: its `kind` picks the shape. */
const rule = checker<Rule>((v, p) => {
  const o = plainObject(v, p);
  if (!Object.hasOwn(o, "kind")) fail(at(p, "kind"), "missing");
  return RULE_CHECKERS[ruleKind(own(o, "kind", p), at(p, "kind"))](o, p);
});

const ruleExample = record<RuleExample>({ source: str, line: count, time: nullable(isoTime) });

const ruleEntry = record<RuleEntry>({
  profile: str, key: str, rule, ownerYes: count, ownerNo: count, count, modes: countsBy(mode),
  firstSeen: nullable(isoTime), lastSeen: nullable(isoTime), operations: strings, objects: strings,
  comms: strings, exes: strings, pids: arrayOf(integer), hosts: strings, examples: arrayOf(ruleExample), notes: strings,
  evidencePerms: opt(filePermLetters),
});

const unmapped = record<Unmapped>({ reason: str, profile: str, count, examples: arrayOf(ruleExample) });

const ruleState = record<RuleState>({ entries: arrayOf(ruleEntry), unmapped: arrayOf(unmapped) });

const nstr = nullable(str);

const pastaDenial = record<PastaDenial>({
  time: nullable(isoTime), host: nstr, auditId: nstr, mode, profile: str, comm: nstr, pid: nullable(integer), ppid: nullable(integer),
  exe: nstr, cmdline: nstr, operation: str, kind: oneOf(APPARMOR_KINDS, "an AppArmor event kind"), object: str, mask: nstr,
  peer: nstr, target: nstr, step: nstr, rule: nstr, typedRule: nullable(rule), source: str, line: count,
});

const pastaMessage = record<PastaMessage>({
  time: nullable(isoTime), host: nstr, identifier: nstr, step: str, text: str, caller: opt(nstr), path: nstr, error: nstr, source: str, line: count,
});

const timelineState = record<TimelineState>({
  unit: oneOf<TimelineUnit>({ minute: true, hour: true, day: true }, "a timeline unit"),
  series: arrayOf(record<TimelineState["series"][number]>({ profile: str, counts: arrayOf(tuple<[string, number]>([str, count]), MAX_POINTS * 2) })),
});

const pastaState = record<PastaState>({ denials: arrayOf(pastaDenial), messages: arrayOf(pastaMessage), dropped: count });

const seenRecord = tuple<SeenRecord>([signature, nstr, mode, literal(0, 1), index, index, index, literal(-1, 0, 1)]);

const version = checker<number>((v, p) => (v === STATE_VERSION ? STATE_VERSION : fail(p, `expected version ${STATE_VERSION}`)));

const analysisStateFields = record<AnalysisState>({
  format: literal(STATE_FORMAT),
  version,
  modes: arrayOf(mode, 64),
  summary,
  inputs: arrayOf(sourceSummary),
  notes: strings,
  formats: countsBy(str),
  types: countsBy(str),
  appArmorModes: countsBy(mode),
  denials: arrayOf(denialGroup),
  unparsed: arrayOf(reasonCount),
  warnings: arrayOf(reasonCount),
  errors: arrayOf(record<InputError>({ source: str, code: oneOf(INPUT_CODES, "an input error code"), message: str })),
  rules: ruleState,
  pasta: pastaState,
  timeline: opt(timelineState),
  seen: arrayOf(seenRecord),
});

/** Each seen record's indices point into this state's lists (or are -1). */
function checkSeenIndices(s: AnalysisState): void {
  const lists: Array<[position: 4 | 5 | 6, length: number, name: string]> = [
    [4, s.denials.length, "denials"],
    [5, s.rules.entries.length, "rules.entries"],
    [6, s.rules.unmapped.length, "rules.unmapped"],
  ];
  for (let i = 0; i < s.seen.length; i++) {
    const r = s.seen[i]!;
    for (const [pos, length, name] of lists) {
      if (r[pos] >= length) fail(at(at(at(undefined, "seen"), i), pos), `index past the end of ${name}`);
    }
  }
}

const analysisState = checker<AnalysisState>((v, p) => {
  const s = analysisStateFields(v, p);
  checkSeenIndices(s);
  return s;
});

/**
 * Check a parsed state file field by field. On success the state returned is a fresh copy built
 * from the checked values (unknown fields cannot get through); on failure, the first bad field
 * (`""` for the top level) and what is wrong with it. Neither ever contains a value from the file.
 */
export function validateState(data: unknown): StateValidation {
  try {
    return { ok: true, state: analysisState(data, undefined) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, field: formatPath(err.path), message: err.message };
    throw err;
  }
}
