/**
 * What the statements of a policy file mean: the raw tree of grammars/apparmor-policy.ts read
 * into PolicyNodes — includes, variables, profiles, and rules in the shared Rule model
 * (src/apparmor/rule-model.ts). A statement that is not a rule aalens knows is a diagnostic
 * {file, line, text, reason}, never an error.
 */
import type { IToken } from "../../../grammars/chevrotain.js";
import { parsePolicyTree, type GroupAtom, type RawAtom, type RawItem, type TokenAtom } from "../../../grammars/apparmor-policy.js";
import { WS } from "../../../grammars/apparmor-policy.js";
import type { Rule } from "../rule-model.js";

// ---- interpreted tree -------------------------------------------------------------------------
export interface PolicyDiagnostic {
  file: string;
  line: number;
  /** The statement (or line) the diagnostic is about, blanks folded. */
  text: string;
  reason: string;
}

export interface SourceRef {
  file: string;
  line: number;
  text: string;
}

export interface Qualifiers {
  audit: boolean;
  deny: boolean;
  allow: boolean;
  owner: boolean;
  priority?: number;
}

/**
 * What a policy rule says beyond the shared Rule model (kept so the check can be exact or, when
 * the model cannot say it, conservative).
 */
export interface RuleExtra {
  /** Network / unix access list (the Rule model's NetworkRule has none). Empty: all accesses. */
  access?: string[];
  /** mount/remount `options in (…)` (a subset is enough) instead of `options=(…)` (exactly). */
  optionsIn?: boolean;
  /** Every `options=` set of a mount rule (a rule may give several; any one must match). */
  optionSets?: string[][];
  /** mount `fstype in (…)` / `fstype=(a b)`: the accepted types. */
  fstypes?: string[];
  /** pivot_root `-> PROFILE`. */
  pivotTarget?: string;
  /** change_profile `safe` / `unsafe`. */
  execMode?: string;
  /** `link subset`. */
  subset?: boolean;
  /** Conditions the Rule model cannot hold (network ip=/port=/peer=, unix label=/attr=/opt=/protocol=, dbus …). */
  narrowed?: string[];
}

export type PolicyNode =
  | { type: "include"; target: string; angle: boolean; ifExists: boolean; src: SourceRef }
  | { type: "variable"; name: string; append: boolean; values: string[]; src: SourceRef }
  | {
      type: "profile";
      /** Profile name (`passt`, `^hat` → `hat`); undefined for `/path {` (named by its attachment). */
      name: string | undefined;
      attachment: string | undefined;
      hat: boolean;
      flags: string[];
      body: PolicyNode[];
      src: SourceRef;
      /** The line of the `}` that closes the body (where a line added to the body goes). */
      endLine: number;
    }
  | {
      type: "rule";
      rule: Rule;
      q: Qualifiers;
      /** A rule without conditions (`file,`, `capability,`, `network,`, `signal,` …): its whole class. */
      bare: boolean;
      extra: RuleExtra;
      src: SourceRef;
    }
  | { type: "ignored"; what: string; src: SourceRef };

export interface PolicyFileAst {
  file: string;
  nodes: PolicyNode[];
  diagnostics: PolicyDiagnostic[];
}

// ---- reader -----------------------------------------------------------------------------------
class Reader {
  readonly diagnostics: PolicyDiagnostic[] = [];
  private lineStarts: number[] | undefined;
  constructor(readonly file: string, readonly text: string) {}

  line(offset: number): number {
    if (!this.lineStarts) {
      const s = [0];
      for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) s.push(i + 1);
      this.lineStarts = s;
    }
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Source text between two offsets: comments dropped, blanks folded, at most 240 characters. */
  slice(from: number, to: number): string {
    const raw = this.text.slice(from, to).replace(/(^|\s)#[^\n]*/g, "$1").replace(/\s+/g, " ").trim();
    return raw.length > 240 ? `${raw.slice(0, 237)}...` : raw;
  }

  src(from: number, to: number): SourceRef {
    return { file: this.file, line: this.line(from), text: this.slice(from, to) };
  }

  diag(from: number, to: number, reason: string): void {
    this.diagnostics.push({ ...this.src(from, to), reason });
  }
}

/** Parse (grammars/apparmor-policy.ts) and interpret one policy file. Never throws on file content. */
export function parsePolicy(text: string, file: string): PolicyFileAst {
  const reader = new Reader(file, text);
  const { items, problems } = parsePolicyTree(text);
  for (const p of problems) reader.diag(p.offset, p.offset + p.length, p.message);
  const nodes: PolicyNode[] = [];
  interpretItems(items, reader, nodes, undefined);
  return { file, nodes, diagnostics: reader.diagnostics };
}

// ---- interpretation -----------------------------------------------------------------------------
const NO_QUALIFIERS: Qualifiers = { audit: false, deny: false, allow: false, owner: false };

function interpretItems(items: RawItem[], r: Reader, out: PolicyNode[], inherited: Qualifiers | undefined): void {
  for (const it of items) {
    switch (it.kind) {
      case "include": out.push(interpretInclude(it.token, r)); break;
      case "vardef": {
        const v = interpretVarDef(it.token, r);
        if (v) out.push(v);
        break;
      }
      case "booldef": out.push({ type: "ignored", what: "boolean", src: r.src(it.token.startOffset, it.token.startOffset + it.token.image.length) }); break;
      case "stray": {
        // A lone `,` is harmless (some files write `include <x>,`); a stray `}` is not.
        if (it.token.image === "}") r.diag(it.token.startOffset, it.token.startOffset + 1, "unmatched '}'");
        break;
      }
      case "statement": interpretStatement(it, r, out, inherited); break;
    }
  }
}

function interpretInclude(t: IToken, r: Reader): PolicyNode {
  const m = /^#?include((?:[ \t]+if[ \t]+exists)?)[ \t]*(?:<([^>\n]*)>|"([^"\n]*)")$/.exec(t.image);
  const angle = m?.[2] !== undefined;
  return {
    type: "include",
    target: (m?.[2] ?? m?.[3] ?? "").trim(),
    angle,
    ifExists: Boolean(m?.[1]),
    src: r.src(t.startOffset, t.startOffset + t.image.length),
  };
}

/** Splits a variable value list: blanks separate values, `"…"` quotes one, `\` escapes a character. */
export function splitVariableValues(raw: string): string[] {
  const text = raw.replace(/\\\r?\n/g, " ");
  const values: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "#" && !has && (i === 0 || WS.has(text[i - 1]!))) break; // a comment ends the value list
    if (WS.has(c)) {
      if (has) values.push(cur);
      cur = "";
      has = false;
      continue;
    }
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const end = close < 0 ? text.length : close;
      cur += text.slice(i + 1, end);
      has = true;
      i = end;
      continue;
    }
    if (c === "\\" && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
      has = true;
      continue;
    }
    cur += c;
    has = true;
  }
  if (has) values.push(cur);
  return values;
}

function interpretVarDef(t: IToken, r: Reader): PolicyNode | undefined {
  const m = /^@\{(\w+)\}[ \t]*(\+?)=([\s\S]*)$/.exec(t.image);
  const end = t.startOffset + t.image.length;
  if (!m) {
    r.diag(t.startOffset, end, "malformed variable definition");
    return undefined;
  }
  const values = splitVariableValues(m[3]!);
  return { type: "variable", name: m[1]!, append: m[2] === "+", values, src: r.src(t.startOffset, end) };
}

function isWord(a: RawAtom | undefined): a is TokenAtom {
  return a !== undefined && a.kind === "word";
}

function isKeyword(a: RawAtom | undefined, text: string): boolean {
  return a !== undefined && a.kind === "word" && a.text === text;
}

/** The string value of a word or quoted atom (quotes removed, `\"` unescaped). */
function valueOf(a: RawAtom | undefined): string | undefined {
  if (!a) return undefined;
  if (a.kind === "word") return a.text;
  if (a.kind === "quoted") return a.text.slice(1, -1).replace(/\\"/g, '"');
  return undefined;
}

/** Reads `audit deny owner priority=N …` in front of a rule; returns the index of the first other atom. */
function readQualifiers(atoms: RawAtom[], base: Qualifiers | undefined): { q: Qualifiers; i: number } {
  const q: Qualifiers = { ...(base ?? NO_QUALIFIERS) };
  let i = 0;
  for (;;) {
    const a = atoms[i];
    if (!isWord(a)) break;
    if (a.text === "audit") q.audit = true;
    else if (a.text === "deny") q.deny = true;
    else if (a.text === "allow") q.allow = true;
    else if (a.text === "owner") q.owner = true;
    else if (a.text === "priority" && atoms[i + 1]?.kind === "eq" && isWord(atoms[i + 2]) && /^[+-]?\d+$/.test((atoms[i + 2] as TokenAtom).text)) {
      q.priority = Number((atoms[i + 2] as TokenAtom).text);
      i += 3;
      continue;
    } else break;
    i++;
  }
  return { q, i };
}

function interpretStatement(st: Extract<RawItem, { kind: "statement" }>, r: Reader, out: PolicyNode[], inherited: Qualifiers | undefined): void {
  const { atoms } = st;
  const endOfHead = st.block ? st.block.offset : st.endOffset;
  if (st.block && !st.block.closed) r.diag(st.block.offset, st.block.offset + 1, "missing '}' before end of file");
  for (const a of atoms) if (a.kind === "group" && !a.closed) r.diag(a.offset, a.end, "missing ')'");

  if (st.end === "block") {
    const block = st.block!;
    const { q, i } = readQualifiers(atoms, inherited);
    if (atoms.length === 0) {
      r.diag(block.offset, block.offset + 1, "block without a header");
      interpretItems(block.items, r, out, inherited);
      return;
    }
    if (i === atoms.length) {
      // `audit deny { … }`: a qualifier block.
      interpretItems(block.items, r, out, q);
      return;
    }
    const header = interpretProfileHeader(atoms.slice(i));
    if (!header) {
      r.diag(st.offset, endOfHead, "unknown block (skipped)");
      return;
    }
    const body: PolicyNode[] = [];
    interpretItems(block.items, r, body, undefined);
    out.push({ type: "profile", ...header, body, src: r.src(st.offset, endOfHead), endLine: r.line(Math.max(block.offset, block.end - 1)) });
    return;
  }

  if (st.end === "none") {
    r.diag(st.offset, st.endOffset, "missing ',' at end of rule");
    // Still read it: a forgotten comma before `}` should not lose the rule.
  }
  const src = r.src(st.offset, st.endOffset);
  const res = interpretRule(atoms, inherited);
  if ("reason" in res) {
    r.diag(st.offset, st.endOffset, res.reason);
    return;
  }
  if ("ignored" in res) {
    out.push({ type: "ignored", what: res.ignored, src });
    return;
  }
  out.push({ type: "rule", rule: res.rule, q: res.q, bare: res.bare, extra: res.extra, src });
}

function interpretProfileHeader(atoms: RawAtom[]): Omit<Extract<PolicyNode, { type: "profile" }>, "type" | "body" | "src" | "endLine"> | undefined {
  let i = 0;
  let name: string | undefined;
  let attachment: string | undefined;
  let hat = false;
  const first = atoms[0];
  const firstValue = valueOf(first);
  if (isKeyword(first, "profile") || isKeyword(first, "hat")) {
    hat = isKeyword(first, "hat");
    name = valueOf(atoms[1]);
    if (name === undefined) return undefined;
    i = 2;
    const next = atoms[2];
    const v = valueOf(next);
    if (v !== undefined && atoms[3]?.kind !== "eq" && (v.startsWith("/") || v.startsWith("@{") || next!.kind === "quoted")) {
      attachment = v;
      i = 3;
    }
  } else if (first?.kind === "word" && first.text.startsWith("^") && first.text.length > 1) {
    hat = true;
    name = first.text.slice(1);
    i = 1;
  } else if (firstValue !== undefined && (firstValue.startsWith("/") || firstValue.startsWith("@{") || firstValue.startsWith(":"))) {
    attachment = firstValue;
    i = 1;
  } else return undefined;
  const flags: string[] = [];
  const conds = scanArgs(atoms.slice(i));
  if (conds.words.length > 0 || conds.groups.length > 0 || conds.arrow !== undefined || conds.problems.length > 0) return undefined;
  for (const [key, vals] of conds.conds) {
    if (key === "flags") for (const v of vals) flags.push(...v.values);
    else if (key !== "xattrs") return undefined;
  }
  return { name, attachment, hat, flags };
}

// ---- rule arguments -----------------------------------------------------------------------------
interface CondValue {
  op: "=" | "in";
  values: string[];
  /** `peer=(label=… addr=…)`: the conditions inside. */
  sub?: Map<string, CondValue[]>;
}
interface Args {
  /** Positional words and quoted strings before `->`, in order. */
  words: string[];
  /** Bare parenthesised lists (access lists). */
  groups: string[][];
  conds: Map<string, CondValue[]>;
  /** What follows `->` ("" when nothing does). */
  arrow: string | undefined;
  problems: string[];
}

function groupValues(g: GroupAtom): { values: string[]; sub: Map<string, CondValue[]>; problems: string[] } {
  const args = scanArgs(g.items.filter((a) => a.kind !== "comma"));
  const values = [...args.words];
  for (const gr of args.groups) values.push(...gr);
  if (args.arrow !== undefined) args.problems.push("'->' inside parentheses");
  return { values, sub: args.conds, problems: args.problems };
}

function addCond(map: Map<string, CondValue[]>, key: string, v: CondValue): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

function scanArgs(atoms: RawAtom[]): Args {
  const args: Args = { words: [], groups: [], conds: new Map(), arrow: undefined, problems: [] };
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    const next = atoms[i + 1];
    if (a.kind === "word" && (next?.kind === "eq" || (isKeyword(next, "in") && atoms[i + 2]?.kind === "group"))) {
      const op = next.kind === "eq" ? "=" : "in";
      const v = atoms[i + 2];
      i += 2;
      if (v?.kind === "group") {
        const gv = groupValues(v);
        args.problems.push(...gv.problems);
        addCond(args.conds, a.text, { op, values: gv.values, sub: gv.sub.size > 0 ? gv.sub : undefined });
      } else {
        const s = valueOf(v);
        if (s === undefined) {
          args.problems.push(`no value for ${a.text}=`);
          i--;
        } else addCond(args.conds, a.text, { op, values: [s] });
      }
      continue;
    }
    if (a.kind === "arrow") {
      const s = valueOf(next);
      args.arrow = s ?? "";
      if (s !== undefined) i++;
      continue;
    }
    if (a.kind === "group") {
      const gv = groupValues(a);
      args.problems.push(...gv.problems);
      if (gv.sub.size > 0) args.problems.push("conditions inside an access list");
      args.groups.push(gv.values);
      continue;
    }
    const s = valueOf(a);
    if (s !== undefined && args.arrow === undefined) {
      args.words.push(s);
      continue;
    }
    args.problems.push(`unexpected '${s ?? a.text}'`);
  }
  return args;
}

// ---- rules --------------------------------------------------------------------------------------
type RuleResult =
  | { rule: Rule; q: Qualifiers; bare: boolean; extra: RuleExtra }
  | { ignored: string }
  | { reason: string };

const FILE_PERM_ORDER = "rwalkm";
const EXEC_MODIFIERS = "iuUpPcC";

/** `mrix` → {perms: "rm", exec: "ix"}; undefined when the word is not a permission string. */
export function parseFilePerms(word: string): { perms: string; exec?: string } | undefined {
  if (!/^[rwalkmxiuUpPcC]+$/.test(word)) return undefined;
  let perms = "";
  let exec = "";
  for (const c of word) {
    if (FILE_PERM_ORDER.includes(c)) { if (!perms.includes(c)) perms += c; }
    else exec += c;
  }
  if (exec !== "") {
    if (!exec.endsWith("x") || exec.indexOf("x") !== exec.length - 1) return undefined;
    for (const c of exec.slice(0, -1)) if (!EXEC_MODIFIERS.includes(c)) return undefined;
  }
  const ordered = [...FILE_PERM_ORDER].filter((c) => perms.includes(c)).join("");
  return exec === "" ? { perms: ordered } : { perms: ordered, exec };
}

function isPathValue(a: RawAtom | undefined): boolean {
  const v = valueOf(a);
  return v !== undefined && (v.startsWith("/") || v.startsWith("@{") || (a!.kind === "quoted" && v.startsWith("{")) || v.startsWith("{"));
}

const ACCESS: Record<string, Set<string>> = {
  network: new Set(["create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt", "setopt", "send", "receive", "r", "w", "rw", "read", "write"]),
  unix: new Set(["create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt", "setopt", "send", "receive", "r", "w", "rw", "read", "write"]),
  signal: new Set(["send", "receive", "r", "w", "rw", "read", "write"]),
  ptrace: new Set(["read", "trace", "readby", "tracedby", "r", "w", "rw", "write"]),
  dbus: new Set(["send", "receive", "bind", "eavesdrop", "r", "w", "rw", "read", "write"]),
  userns: new Set(["create"]),
  mqueue: new Set(["r", "w", "rw", "read", "write", "create", "open", "delete", "getattr", "setattr"]),
  io_uring: new Set(["sqpoll", "override_creds"]),
};

/** `r`/`w`/`rw`/`read`/`write` spelled out per rule class (the kernel aliases read=receive, write=send). */
export function normalizeAccess(kind: string, access: string[]): string[] {
  const out = new Set<string>();
  const rw: Record<string, [string[], string[]]> = {
    signal: [["receive"], ["send"]],
    dbus: [["receive"], ["send"]],
    unix: [["receive"], ["send"]],
    network: [["receive"], ["send"]],
    ptrace: [["read"], ["trace"]],
    mqueue: [["read"], ["write"]],
  };
  for (const a of access) {
    const m = rw[kind];
    if (m && (a === "r" || a === "read" || a === "rw")) for (const x of m[0]) out.add(x);
    if (m && (a === "w" || a === "write" || a === "rw")) for (const x of m[1]) out.add(x);
    if (!m || !["r", "w", "rw", "read", "write"].includes(a)) out.add(a);
  }
  return [...out];
}

/** Access list from a bare group `(send, receive)` or leading access words; removes them from args. */
function takeAccess(kind: string, args: Args): string[] | string {
  const set = ACCESS[kind]!;
  const access: string[] = [];
  for (const g of args.groups) {
    for (const v of g) {
      if (!set.has(v)) return `unknown ${kind} access '${v}'`;
      access.push(v);
    }
  }
  args.groups = [];
  while (args.words.length > 0 && set.has(args.words[0]!)) access.push(args.words.shift()!);
  return normalizeAccess(kind, access);
}

function single(args: Args, key: string): string | undefined {
  const list = args.conds.get(key);
  if (!list) return undefined;
  return list[list.length - 1]!.values.join(" ");
}

function takeConds(args: Args, known: string[]): string[] {
  const unknown: string[] = [];
  for (const k of args.conds.keys()) if (!known.includes(k)) unknown.push(k);
  return unknown;
}

const NET_TYPES = new Set(["stream", "dgram", "seqpacket", "rdm", "raw", "packet"]);

function interpretRule(atoms: RawAtom[], inherited: Qualifiers | undefined): RuleResult {
  const { q, i } = readQualifiers(atoms, inherited);
  const rest = atoms.slice(i);
  const head = rest[0];
  if (!head) return { reason: "qualifiers without a rule" };
  const keyword = head.kind === "word" ? head.text : undefined;
  const ok = (rule: Rule, bare: boolean, extra: RuleExtra = {}): RuleResult => ({ rule, q, bare, extra });

  switch (keyword) {
    case "abi":
    case "alias":
    case "rlimit":
      return { ignored: keyword };
    case "set":
      if (isKeyword(rest[1], "rlimit")) return { ignored: "rlimit" };
      return { reason: "unknown 'set' statement" };
    case "file": {
      if (rest.length === 1) return ok({ kind: "file", path: "/**", perms: "rwalkm", exec: "ix", owner: q.owner }, true);
      return fileRule(rest.slice(1), q);
    }
    case "link": {
      const args = scanArgs(rest.slice(1));
      let subset = false;
      if (args.words[0] === "subset") { subset = true; args.words.shift(); }
      if (args.words.length !== 1 || !args.arrow || args.problems.length > 0 || args.conds.size > 0) return { reason: "malformed link rule" };
      return ok({ kind: "file", path: args.words[0]!, perms: "l", owner: q.owner, linkTarget: args.arrow }, false, subset ? { subset } : {});
    }
    case "capability": {
      const args = scanArgs(rest.slice(1));
      if (args.problems.length > 0 || args.conds.size > 0 || args.groups.length > 0 || args.arrow !== undefined) return { reason: "malformed capability rule" };
      const names = args.words.map((w) => w.toLowerCase().replace(/^cap_/, ""));
      if (names.some((n) => !/^[a-z_0-9]+$/.test(n))) return { reason: "malformed capability name" };
      return ok({ kind: "capability", names }, names.length === 0);
    }
    case "network": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("network", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.arrow !== undefined || args.words.length > 2) return { reason: "malformed network rule" };
      const [family, second] = args.words;
      const rule: Rule = { kind: "network" };
      if (family) rule.family = family;
      if (second) {
        if (NET_TYPES.has(second)) rule.type = second;
        else rule.protocol = second;
      }
      const narrowed = takeConds(args, []);
      const bare = !family && !second && access.length === 0 && narrowed.length === 0;
      return ok(rule, bare, { access, ...(narrowed.length ? { narrowed } : {}) });
    }
    case "unix": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("unix", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.arrow !== undefined || args.words.length > 0) return { reason: "malformed unix rule" };
      const rule: Rule = { kind: "unix", access };
      const type = single(args, "type");
      const addr = single(args, "addr");
      if (type) rule.type = type;
      if (addr) rule.addr = addr;
      const narrowed = takeConds(args, ["type", "addr", "peer"]);
      const peer = args.conds.get("peer")?.at(-1);
      if (peer) {
        for (const [k, v] of peer.sub ?? new Map<string, CondValue[]>()) {
          if (k === "label") rule.peerLabel = v.at(-1)!.values.join(" ");
          else if (k === "addr") rule.peerAddr = v.at(-1)!.values.join(" ");
          else narrowed.push(`peer.${k}`);
        }
        if (!peer.sub) narrowed.push("peer");
      }
      const bare = access.length === 0 && args.conds.size === 0;
      return ok(rule, bare, narrowed.length ? { narrowed } : {});
    }
    case "signal": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("signal", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.arrow !== undefined || args.words.length > 0) return { reason: "malformed signal rule" };
      const signals = (args.conds.get("set") ?? []).flatMap((c) => c.values);
      const rule: Rule = { kind: "signal", access, signals };
      const peer = single(args, "peer");
      if (peer) rule.peer = peer;
      const narrowed = takeConds(args, ["set", "peer"]);
      const bare = access.length === 0 && args.conds.size === 0;
      return ok(rule, bare, narrowed.length ? { narrowed } : {});
    }
    case "ptrace": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("ptrace", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.arrow !== undefined || args.words.length > 0) return { reason: "malformed ptrace rule" };
      const rule: Rule = { kind: "ptrace", access };
      const peer = single(args, "peer");
      if (peer) rule.peer = peer;
      const narrowed = takeConds(args, ["peer"]);
      return ok(rule, access.length === 0 && args.conds.size === 0, narrowed.length ? { narrowed } : {});
    }
    case "dbus": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("dbus", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.arrow !== undefined || args.words.length > 0) return { reason: "malformed dbus rule" };
      const rule: Rule = { kind: "dbus", access };
      for (const k of ["bus", "path", "interface", "member", "name"] as const) {
        const v = single(args, k);
        if (v !== undefined) rule[k] = v;
      }
      const narrowed = takeConds(args, ["bus", "path", "interface", "member", "name", "peer"]);
      const peer = args.conds.get("peer")?.at(-1);
      if (peer) {
        for (const [k, v] of peer.sub ?? new Map<string, CondValue[]>()) {
          if (k === "name") rule.peerName = v.at(-1)!.values.join(" ");
          else if (k === "label") rule.peerLabel = v.at(-1)!.values.join(" ");
          else narrowed.push(`peer.${k}`);
        }
        if (!peer.sub) narrowed.push("peer");
      }
      return ok(rule, access.length === 0 && args.conds.size === 0, narrowed.length ? { narrowed } : {});
    }
    case "mount":
    case "remount":
    case "umount":
    case "unmount": {
      const args = scanArgs(rest.slice(1));
      if (args.problems.length > 0 || args.groups.length > 0) return { reason: `malformed ${keyword} rule` };
      const extra: RuleExtra = {};
      const optionConds = [...(args.conds.get("options") ?? []), ...(args.conds.get("option") ?? [])];
      const optionSets = optionConds.map((c) => c.values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean));
      if (optionConds.length > 0) {
        extra.optionSets = optionSets;
        extra.optionsIn = optionConds.every((c) => c.op === "in");
      }
      const fstypeConds = [...(args.conds.get("fstype") ?? []), ...(args.conds.get("vfstype") ?? [])];
      if (fstypeConds.length > 0) extra.fstypes = fstypeConds.flatMap((c) => c.values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean));
      const narrowed = takeConds(args, ["options", "option", "fstype", "vfstype"]);
      if (narrowed.length) extra.narrowed = narrowed;
      const options = optionSets.length > 0 ? [...new Set(optionSets.flat())] : undefined;
      if (keyword === "mount") {
        if (args.words.length > 1) return { reason: "malformed mount rule" };
        const rule: Rule = { kind: "mount" };
        if (extra.fstypes) rule.fstype = extra.fstypes.join(",");
        if (options) rule.options = options;
        if (args.words[0] !== undefined) rule.source = args.words[0];
        if (args.arrow !== undefined) rule.mountpoint = args.arrow;
        const bare = args.words.length === 0 && args.arrow === undefined && args.conds.size === 0;
        return ok(rule, bare, extra);
      }
      if (args.words.length > 1 || args.arrow !== undefined) return { reason: `malformed ${keyword} rule` };
      if (keyword === "remount") {
        const rule: Rule = { kind: "remount" };
        if (options) rule.options = options;
        if (args.words[0] !== undefined) rule.mountpoint = args.words[0];
        return ok(rule, args.words.length === 0 && args.conds.size === 0, extra);
      }
      const rule: Rule = { kind: "umount" };
      if (args.words[0] !== undefined) rule.mountpoint = args.words[0];
      return ok(rule, args.words.length === 0 && args.conds.size === 0, extra);
    }
    case "pivot_root": {
      const args = scanArgs(rest.slice(1));
      if (args.problems.length > 0 || args.groups.length > 0 || args.words.length > 1) return { reason: "malformed pivot_root rule" };
      const rule: Rule = { kind: "pivot_root" };
      const oldroot = single(args, "oldroot");
      if (oldroot !== undefined) rule.oldroot = oldroot;
      if (args.words[0] !== undefined) rule.newroot = args.words[0];
      const narrowed = takeConds(args, ["oldroot"]);
      const extra: RuleExtra = {};
      if (args.arrow !== undefined) extra.pivotTarget = args.arrow;
      if (narrowed.length) extra.narrowed = narrowed;
      return ok(rule, args.words.length === 0 && args.conds.size === 0 && args.arrow === undefined, extra);
    }
    case "change_profile": {
      const args = scanArgs(rest.slice(1));
      if (args.problems.length > 0 || args.groups.length > 0 || args.conds.size > 0) return { reason: "malformed change_profile rule" };
      const extra: RuleExtra = {};
      if (args.words[0] === "safe" || args.words[0] === "unsafe") extra.execMode = args.words.shift();
      if (args.words.length > 1) return { reason: "malformed change_profile rule" };
      const rule: Rule = { kind: "change_profile", target: args.arrow || "**" };
      if (args.words[0] !== undefined) rule.execPath = args.words[0];
      return ok(rule, args.words.length === 0 && !args.arrow, extra);
    }
    case "userns": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("userns", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.words.length > 0 || args.conds.size > 0 || args.arrow !== undefined) return { reason: "malformed userns rule" };
      return ok({ kind: "userns", access }, access.length === 0);
    }
    case "mqueue": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("mqueue", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.words.length > 1 || args.arrow !== undefined) return { reason: "malformed mqueue rule" };
      const rule: Rule = { kind: "mqueue", access };
      const type = single(args, "type");
      if (type === "posix" || type === "sysv") rule.type = type;
      else if (type !== undefined) return { reason: `unknown mqueue type '${type}'` };
      if (args.words[0] !== undefined) rule.name = args.words[0];
      const narrowed = takeConds(args, ["type"]);
      return ok(rule, access.length === 0 && args.conds.size === 0 && args.words.length === 0, narrowed.length ? { narrowed } : {});
    }
    case "io_uring": {
      const args = scanArgs(rest.slice(1));
      const access = takeAccess("io_uring", args);
      if (typeof access === "string") return { reason: access };
      if (args.problems.length > 0 || args.words.length > 0 || args.arrow !== undefined) return { reason: "malformed io_uring rule" };
      const rule: Rule = { kind: "io_uring", access };
      const label = single(args, "label");
      if (label !== undefined) rule.label = label;
      const narrowed = takeConds(args, ["label"]);
      return ok(rule, access.length === 0 && args.conds.size === 0, narrowed.length ? { narrowed } : {});
    }
  }
  if (isPathValue(head) || (head.kind === "word" && parseFilePerms(head.text) && isPathValue(rest[1]))) return fileRule(rest, q);
  return { reason: keyword ? `unknown rule type '${keyword}'` : "unknown rule" };
}

/** `PATH PERMS [-> TARGET]` or `PERMS PATH [-> TARGET]` (after an optional `file`). */
function fileRule(atoms: RawAtom[], q: Qualifiers): RuleResult {
  const args = scanArgs(atoms);
  if (args.problems.length > 0 || args.groups.length > 0 || args.conds.size > 0 || args.words.length !== 2) return { reason: "malformed file rule" };
  let [path, permWord] = args.words as [string, string];
  let perms = parseFilePerms(permWord);
  if (!perms || !/^[/@{]/.test(path)) {
    const swapped = parseFilePerms(path);
    if (!swapped || !/^[/@{]/.test(permWord)) return { reason: "malformed file rule" };
    [path, permWord] = [permWord, path];
    perms = swapped;
  }
  const rule: Rule = { kind: "file", path, perms: perms.perms, owner: q.owner };
  if (perms.exec) rule.exec = perms.exec;
  if (args.arrow !== undefined) {
    if (perms.exec && perms.exec !== "x") rule.execTarget = args.arrow;
    else if (perms.perms.includes("l")) rule.linkTarget = args.arrow;
    else return { reason: "'->' in a file rule without exec transition or link" };
  }
  return { rule, q, bare: false, extra: {} };
}
