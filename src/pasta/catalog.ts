/**
 * The pasta operations catalog (catalog.json, data only): each step of pasta (passt project;
 * rootless Podman/Buildah networking) that the kernel can refuse, with the AppArmor record shape it
 * produces, the upstream rule that allows it, the messages pasta prints and whether it is fatal.
 *
 * This module loads and validates the JSON once, and maps
 *   - one AppArmor event (AppArmorFields + its AppArmorKind) to the first matching operation
 *     (entries are ordered most specific first), and
 *   - pasta's printed errors (bare, or inside Podman/Buildah/libvirt wrappers) to an operation.
 *
 * pastaOperation() looks at the resource only; whether the event is pasta's at all (profile
 * pasta/passt, isPastaComm()) is the caller's call — signal denials, for one, carry the sender's
 * comm (podman), not pasta's.
 */
import { compileAare, type AareMatcher } from "../apparmor/aare/match.js";
import { CAPABILITIES } from "../apparmor/vocabulary.js";
import { existsSync, readFileSync } from "node:fs";
import type { AppArmorKind } from "../apparmor/classify.js";
import type { AppArmorFields } from "../parse/apparmor-fields.js";

/**
 * Which AppArmor events an operation covers. Every listed field must match (AND); within a list
 * any value may match (OR). An absent field does not constrain.
 */
export interface ResourceMatcher {
  /** AppArmorKind(s) as given by classify(). */
  kind?: AppArmorKind | AppArmorKind[];
  /** AppArmor `operation=` values. */
  operations?: string[];
  /** AARE-like globs over `name=`: `*` within a segment, `**` across, `?`, `[0-9]`, `{a,b}`. */
  paths?: string[];
  /** `capname=` values. */
  capabilities?: string[];
  /** `family=` values (inet, inet6, netlink, unix). */
  families?: string[];
  /** `sock_type=` values (stream, dgram, raw). */
  sockTypes?: string[];
  /** Words of the mount `flags=` list ("rw, runbindable" → rw, runbindable); any one present. */
  mountFlags?: string[];
  /** `signal=` values. */
  signals?: string[];
  /** `peer=` values. */
  peers?: string[];
  /**
   * Denied (else requested) mask: a single letter matches a file mask containing it ("w" matches
   * "wc"); a word matches a whole word ("read", "receive").
   */
  masks?: string[];
}

export interface CatalogMessage {
  /** Regex (JS syntax, named groups such as path/error) over one normalised line of pasta output. */
  text: string;
  /** First release (upstream tag, YYYY_MM_DD) with this wording; null when no lower bound. */
  since: string | null;
  /** First release without this wording; null when still current or not given. */
  until: string | null;
  note?: string;
}

export interface CatalogOperation {
  id: string;
  /** What pasta does at this step, one sentence. */
  summary: string;
  /** The function / phase in pasta. */
  step: string;
  /** One matcher, or several of which any may match. */
  resource: ResourceMatcher | ResourceMatcher[];
  /** Rule text from the upstream profile/abstractions (HEAD); absent when upstream has none. */
  upstreamRule?: string[];
  /** Rule used in the field where upstream has none. */
  suggestedRule?: string[];
  messages: CatalogMessage[];
  /** True when pasta exits (die()), false when it warns or is silent; absent when not known. */
  fatal?: boolean;
  note: string;
  /** Sections of the reference notes the facts come from. */
  source: string;
}

// ---- glob ---------------------------------------------------------------------------------------

const globCache = new Map<string, AareMatcher>();

/** Whole-string match of `path` against a catalog path (an AARE glob, the one engine: aare/match.ts). */
export function matchGlob(glob: string, path: string): boolean {
  let m = globCache.get(glob);
  if (m === undefined) {
    m = compileAare(glob);
    globCache.set(glob, m);
  }
  return m.test(path);
}

// ---- validation ---------------------------------------------------------------------------------

const KINDS: Record<AppArmorKind, true> = {
  file: true, exec: true, capability: true, network: true, unix: true, mount: true, remount: true,
  umount: true, pivot_root: true, signal: true, ptrace: true, dbus: true, userns: true, mqueue: true,
  io_uring: true, change_profile: true, change_hat: true, status: true, unknown: true,
};
const MATCHER_LISTS = [
  "operations", "paths", "capabilities", "families", "sockTypes", "mountFlags", "signals", "peers", "masks",
] as const;
const ENTRY_KEYS = new Set([
  "id", "summary", "step", "resource", "upstreamRule", "suggestedRule", "messages", "fatal", "note", "source",
]);
const MESSAGE_KEYS = new Set(["text", "since", "until", "note"]);
const RELEASE = /^\d{4}_\d{2}_\d{2}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}

function stringList(v: unknown, where: string, allowEmpty = false): string[] {
  if (!Array.isArray(v) || (!allowEmpty && v.length === 0) || !v.every(nonEmptyString)) {
    throw new Error(`${where}: expected a ${allowEmpty ? "" : "non-empty "}array of non-empty strings`);
  }
  return v;
}

function validateMatcher(m: unknown, where: string): ResourceMatcher {
  if (!isObject(m)) throw new Error(`${where}: expected an object`);
  const keys = Object.keys(m);
  if (keys.length === 0) throw new Error(`${where}: empty matcher`);
  for (const k of keys) {
    if (k !== "kind" && !(MATCHER_LISTS as readonly string[]).includes(k)) {
      throw new Error(`${where}: unknown matcher field "${k}"`);
    }
  }
  if (m.kind !== undefined) {
    const kinds = typeof m.kind === "string" ? [m.kind] : stringList(m.kind, `${where}.kind`);
    for (const k of kinds) if (!(k in KINDS)) throw new Error(`${where}.kind: unknown AppArmorKind "${k}"`);
  }
  for (const k of MATCHER_LISTS) {
    if (m[k] !== undefined) stringList(m[k], `${where}.${k}`);
  }
  for (const p of (m.paths as string[] | undefined) ?? []) {
    if (!p.startsWith("/")) throw new Error(`${where}.paths: "${p}" is not absolute`);
    compileAare(p);
  }
  return m as ResourceMatcher;
}

function validateMessage(m: unknown, where: string): CatalogMessage {
  if (!isObject(m)) throw new Error(`${where}: expected an object`);
  for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) throw new Error(`${where}: unknown field "${k}"`);
  if (!nonEmptyString(m.text)) throw new Error(`${where}.text: expected a non-empty string`);
  try {
    new RegExp(m.text);
  } catch (e) {
    throw new Error(`${where}.text: invalid regex: ${(e as Error).message}`);
  }
  for (const k of ["since", "until"] as const) {
    const v = m[k];
    if (v !== null && !(typeof v === "string" && RELEASE.test(v))) {
      throw new Error(`${where}.${k}: expected a release tag YYYY_MM_DD or null`);
    }
  }
  if (typeof m.since === "string" && typeof m.until === "string" && m.since >= m.until) {
    throw new Error(`${where}: since ${m.since} is not before until ${m.until}`);
  }
  if (m.note !== undefined && !nonEmptyString(m.note)) throw new Error(`${where}.note: expected a non-empty string`);
  return m as unknown as CatalogMessage;
}

/** Check the catalog's shape (throws with the entry and field at fault); returns it typed. */
export function validateCatalog(data: unknown): CatalogOperation[] {
  if (!Array.isArray(data) || data.length === 0) throw new Error("pasta catalog: expected a non-empty array");
  const ids = new Set<string>();
  data.forEach((e, idx) => {
    const where = `pasta catalog[${idx}]${isObject(e) && typeof e.id === "string" ? ` (${e.id})` : ""}`;
    if (!isObject(e)) throw new Error(`${where}: expected an object`);
    for (const k of Object.keys(e)) if (!ENTRY_KEYS.has(k)) throw new Error(`${where}: unknown field "${k}"`);
    if (typeof e.id !== "string" || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(e.id)) {
      throw new Error(`${where}.id: expected a kebab-case id`);
    }
    if (ids.has(e.id)) throw new Error(`${where}.id: duplicate id "${e.id}"`);
    ids.add(e.id);
    for (const k of ["summary", "step", "note", "source"] as const) {
      if (!nonEmptyString(e[k])) throw new Error(`${where}.${k}: expected a non-empty string`);
    }
    if (Array.isArray(e.resource)) {
      if (e.resource.length === 0) throw new Error(`${where}.resource: empty list`);
      e.resource.forEach((m, j) => validateMatcher(m, `${where}.resource[${j}]`));
    } else validateMatcher(e.resource, `${where}.resource`);
    if (e.upstreamRule !== undefined) stringList(e.upstreamRule, `${where}.upstreamRule`);
    if (e.suggestedRule !== undefined) stringList(e.suggestedRule, `${where}.suggestedRule`);
    if (!Array.isArray(e.messages)) throw new Error(`${where}.messages: expected an array`);
    e.messages.forEach((m, j) => validateMessage(m, `${where}.messages[${j}]`));
    if (e.fatal !== undefined && typeof e.fatal !== "boolean") throw new Error(`${where}.fatal: expected a boolean`);
  });
  return data as CatalogOperation[];
}

// ---- loading ------------------------------------------------------------------------------------

/**
 * Where catalog.json is: next to this module when running from sources, and in src/pasta/ of the
 * package when running from dist/src/pasta/ (tsc does not copy .json files).
 */
const CANDIDATES = [
  new URL("./catalog.json", import.meta.url),
  new URL("../../../src/pasta/catalog.json", import.meta.url),
];

interface Compiled {
  op: CatalogOperation;
  matchers: ResourceMatcher[];
  messages: Array<{ message: CatalogMessage; re: RegExp }>;
}

let compiled: Compiled[] | undefined;

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function load(): Compiled[] {
  if (compiled) return compiled;
  const url = CANDIDATES.find((u) => existsSync(u));
  if (url === undefined) {
    throw new Error(`pasta catalog not found (looked at ${CANDIDATES.map((u) => u.pathname).join(", ")})`);
  }
  const ops = deepFreeze(validateCatalog(JSON.parse(readFileSync(url, "utf8")) as unknown));
  compiled = ops.map((op) => ({
    op,
    matchers: Array.isArray(op.resource) ? op.resource : [op.resource as ResourceMatcher],
    messages: op.messages.map((message) => ({ message, re: new RegExp(message.text) })),
  }));
  return compiled;
}

/** All catalog operations, in matching order (loaded and validated on first use). */
export function catalogOperations(): readonly CatalogOperation[] {
  return load().map((c) => c.op);
}

export function operationById(id: string): CatalogOperation | undefined {
  return load().find((c) => c.op.id === id)?.op;
}

// ---- events -------------------------------------------------------------------------------------

/** Linux capability numbers, for records that carry `capability=N` without `capname=`. */

/** File-permission letters as they appear in denied_mask (words like "read" contain other letters). */
const FILE_MASK = /^[rwaxmlkcdiuUpPIN:]+$/;

function maskMatches(wanted: string[], mask: string | undefined): boolean {
  if (mask === undefined) return false;
  const tokens = mask.split(/[\s,]+/).filter((t) => t !== "");
  return wanted.some((w) =>
    w.length === 1 ? tokens.some((t) => FILE_MASK.test(t) && t.includes(w)) : tokens.includes(w),
  );
}

function oneOf(list: string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

/** Whether one resource matcher covers the event (exported for tests and explanations). */
export function matchResource(m: ResourceMatcher, f: AppArmorFields, kind: AppArmorKind): boolean {
  if (m.kind !== undefined && !(typeof m.kind === "string" ? m.kind === kind : m.kind.includes(kind))) return false;
  if (!oneOf(m.operations, f.operation)) return false;
  if (m.paths !== undefined) {
    const name = f.name;
    if (name === undefined || !m.paths.some((p) => matchGlob(p, name))) return false;
  }
  if (m.capabilities !== undefined) {
    const cap = f.capname ?? (f.capability !== undefined ? CAPABILITIES[f.capability] : undefined);
    if (!oneOf(m.capabilities, cap)) return false;
  }
  if (!oneOf(m.families, f.family)) return false;
  if (!oneOf(m.sockTypes, f.sockType)) return false;
  if (m.mountFlags !== undefined) {
    const flags = (f.flags ?? "").split(/[\s,]+/).filter((x) => x !== "");
    if (!m.mountFlags.some((x) => flags.includes(x))) return false;
  }
  if (!oneOf(m.signals, f.signal)) return false;
  if (m.peers !== undefined && !oneOf(m.peers, f.peer) && !oneOf(m.peers, f.peerProfile)) return false;
  if (m.masks !== undefined && !maskMatches(m.masks, f.denied ?? f.requested)) return false;
  return true;
}

/** The first catalog operation whose resource covers this AppArmor event, or null. */
export function pastaOperation(f: AppArmorFields, kind: AppArmorKind): CatalogOperation | null {
  for (const c of load()) {
    if (c.matchers.some((m) => matchResource(m, f, kind))) return c.op;
  }
  return null;
}

const PASTA_COMMS = new Set(["pasta", "pasta.avx2", "passt", "passt.avx2"]);

/** comm= of pasta or passt (pasta re-execs itself as <resolved self>.avx2: passt.avx2 when symlinked). */
export function isPastaComm(comm: string | undefined): boolean {
  return comm !== undefined && PASTA_COMMS.has(comm);
}

// ---- messages -----------------------------------------------------------------------------------

/** Prefixes callers and loggers put before pasta's text (§3.3, §3.4), stripped repeatedly. */
const PREFIXES: RegExp[] = [
  /^.*?\bmsg="/, // logrus/logfmt: level=info msg="pasta logged warnings: …"
  /^<\d+>\s*/, // syslog priority
  /^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \S+ /, // syslog timestamp and host
  /^(?:pasta|passt)(?:\.avx2)?(?:\[\d+\])?: /, // syslog/journal identifier
  /^Error: /,
  /^starting container \S+: /,
  /^building at STEP .*?: (?=setup network: )/,
  /^setup network: /,
  /^setting up Pasta: /,
  /^(?:pasta|passt) failed with exit code \d+:\s*/,
  /^failed to start pasta:\s*/,
  /^internal error: Child process \(.*?\) unexpected exit status \d+:\s*/,
  /^pasta logged warnings:\s*/,
  /^(?:\\?")+/, // opening quote of a %q or msg="…" value
];

/** One line of output reduced to pasta's own message text. */
function normaliseLine(line: string): string {
  let s = line.trim();
  for (let changed = true; changed && s !== ""; ) {
    changed = false;
    for (const re of PREFIXES) {
      const m = re.exec(s);
      if (m && m[0] !== "") {
        s = s.slice(m[0].length).trimStart();
        changed = true;
      }
    }
  }
  s = s.replace(/[\s"\\]+$/, "").replace(/\\"/g, '"');
  // --debug: "S.ssss: " before every message, twice for *_perror() (§3.4):
  // "0.0024: Couldn't write to /proc/self/uid_map0.0024: : Operation not permitted".
  const ts = /^(\d+\.\d+): /.exec(s);
  if (ts) s = s.slice(ts[0].length).split(`${ts[1]}: : `).join(": ");
  return s;
}

export interface MessageMatch {
  operation: CatalogOperation;
  /** Named groups of the matching wording (path, error, …), only those that took part. */
  groups: Record<string, string>;
  /** The catalog wording that matched. */
  message: CatalogMessage;
  /** The normalised line it matched. */
  line: string;
}

/**
 * Map pasta's printed error (bare, syslog/journal lines, --debug output, or inside Podman, Buildah,
 * rootlesskit and libvirt wrappers, real or escaped newlines) to its catalog operation: the first
 * line, in order, that matches any catalog wording; entries in catalog order within a line.
 */
export function matchMessage(text: string): MessageMatch | null {
  const ops = load();
  for (const raw of text.split(/\r?\n|\\n/)) {
    const line = normaliseLine(raw);
    if (line === "") continue;
    for (const c of ops) {
      for (const { message, re } of c.messages) {
        const m = re.exec(line);
        if (!m) continue;
        const groups: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) groups[k] = v;
        return { operation: c.op, groups, message, line };
      }
    }
  }
  return null;
}
