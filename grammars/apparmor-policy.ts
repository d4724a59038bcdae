/**
 * Grammar for AppArmor policy files: profiles (`/etc/apparmor.d/usr.bin.passt`), abstractions,
 * tunables and local includes, as apparmor_parser 3.x/4.x reads them. Accepted, with examples:
 *
 *   # comment                    abi <abi/3.0>,              alias /usr/ -> /mnt/usr/,     (ignored)
 *   include <tunables/global>    include "/abs/or/relative"  #include <x>    include if exists <local/x>
 *   @{HOME}=@{HOMEDIRS}/*\/ /root/    @{X} += "/a b" c{d,e} \        (a `\` at the end of a line
 *      /continued                                                         continues the value)
 *   ${bool} = true                                                          (ignored)
 *   profile NAME [/attach/{,glob}] [xattrs=(…)] [flags=(a,b)] { … }      /path/to/exe flags=(…) { … }
 *   ^hat { … }    hat name { … }    profile child { … }  (inside a profile: hats and child profiles)
 *   audit deny { … }                                       (a qualifier block: the rules inside inherit)
 *   [audit] [deny|allow] [owner] [priority=N] RULE,   with RULE one of
 *     PATH PERMS [-> TARGET]   PERMS PATH [-> TARGET]   file [PATH PERMS]   "/quoted path" r
 *     link [subset] /a -> /b   capability [name …]   network [(access)] [family] [type|protocol] [ip= port= peer=(…)]
 *     unix [(access)] [type= protocol= addr= label= attr= opt=] [peer=(label= addr=)]
 *     signal [(send receive)] [set=(term kill)] [peer=…]      ptrace [(read trace)] [peer=…]
 *     dbus [(send)] [bus= path= interface= member= name=] [peer=(name= label=)]
 *     mount [fstype=… options=(…) | options in (…)] [SRC] [-> DST]    remount [options=…] DST   umount DST
 *     pivot_root [oldroot=…] [NEWROOT] [-> PROFILE]   change_profile [safe|unsafe] [EXEC] [-> TARGET]
 *     userns [create]   mqueue [(access)] [type=posix|sysv] [label=…] [NAME]   io_uring [(access)] [label=…]
 *     rlimit …  set rlimit nofile <= 1024                     (ignored)
 *
 * The Chevrotain part only knows the structure every AppArmor statement shares: a run of atoms
 * (words, quoted strings, `->`, `=`, `<…>`, parenthesised groups, which may hold commas) ended
 * by `,` or by a `{ … }` block. It never rejects input: a statement it cannot read as a rule (a
 * newer AppArmor's new rule type or keyword, `frobnicate foo bar,`) is skipped to its own `,` or
 * block end and recorded as a diagnostic {file, line, text, reason}; a missing `}` or `,` is a
 * diagnostic too. Interpreting a statement (which rule, which fields) is the flat table of
 * `interpret*` functions at the end of this file, which speaks src/apparmor/rule-model.ts.
 *
 * Performance: one token per word (paths with `{a,b}` and `[…]` are single words thanks to a
 * custom matcher), token categories instead of ORs, `positionTracking: "onlyOffset"` (lines are
 * computed from offsets only for the statements that need them) and one parser instance.
 */
import { createToken, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from "./chevrotain.js";
import type { Rule } from "../src/apparmor/rule-model.js";

// ---- token helpers ----------------------------------------------------------------------------
const PRINTABLE: string[] = [];
for (let c = 33; c < 127; c++) PRINTABLE.push(String.fromCharCode(c));
const HIGH: string[] = [];
for (let c = 128; c < 256; c++) HIGH.push(String.fromCharCode(c));
const WS = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);

/** Index of the `}` closing the `{` at `open`, or -1 when a blank, quote or end comes first. */
function closeBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") { i++; continue; }
    if (c === "{") depth++;
    else if (c === "}") { if (--depth === 0) return i; }
    else if (WS.has(c) || c === '"') return -1;
  }
  return -1;
}

/** Index of the `]` closing the `[` at `open`, or -1 when a blank or end comes first. */
function closeBracket(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === "^") i++;
  if (text[i] === "]") i++;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") { i++; continue; }
    if (c === "]") return i;
    if (WS.has(c)) return -1;
  }
  return -1;
}

/**
 * A bare word: a path glob (`/usr/bin/passt{,.avx2}`, `@{PROC}/[0-9]*\/ns/net`, `/a\ b`), a
 * keyword, permissions, a condition key (stops at `=` unless the word is a path) or value.
 */
function matchWord(text: string, offset: number): [string] | null {
  const first = text[offset];
  if (first === undefined || WS.has(first) || ",()}\"=#".includes(first)) return null;
  if (first === "{") {
    // A value or path that starts with an alternation: `member={Hello,AddMatch}`, `{/usr,}/bin/x`.
    // A block's `{` stands after a blank, and whatever follows it is not glued to a closing `}`.
    const close = closeBrace(text, offset);
    if (close < 0) return null;
    const after = text[close + 1];
    if (text[offset - 1] !== "=" && (after === undefined || WS.has(after) || ",{}".includes(after))) return null;
  }
  const pathLike = first === "/" || first === "@";
  let i = offset;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\") { i += 2; continue; }
    if (c === "{") {
      const close = closeBrace(text, i);
      if (close < 0) break;
      i = close + 1;
      continue;
    }
    if (c === "[") {
      const close = closeBracket(text, i);
      i = close < 0 ? i + 1 : close + 1;
      continue;
    }
    if (WS.has(c) || c === "," || c === "(" || c === ")" || c === "{" || c === "}" || c === '"') break;
    if (c === "=" && !pathLike) break;
    if (c === "-" && text[i + 1] === ">" && i > offset) break;
    i++;
  }
  if (i > text.length) i = text.length;
  return i > offset ? [text.slice(offset, i)] : null;
}

// ---- categories -------------------------------------------------------------------------------
/** Anything a statement is made of (outside parentheses). */
export const Atom = createToken({ name: "Atom", pattern: Lexer.NA });
/** Anything inside a parenthesised group (atoms and commas). */
export const GroupItem = createToken({ name: "GroupItem", pattern: Lexer.NA });

// ---- tokens -----------------------------------------------------------------------------------
/** `include <x>`, `include "x"`, `#include <x>`, `include if exists <x>`. */
export const Include = createToken({
  name: "Include",
  pattern: /#?include(?:[ \t]+if[ \t]+exists)?[ \t]*(?:<[^>\n]*>|"[^"\n]*")/,
  start_chars_hint: ["#", "i"],
});
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED });
export const Blank = createToken({ name: "Blank", pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
/** `@{NAME} = v1 v2` / `@{NAME} += …`, to the end of the line; `\` + newline continues it. */
export const VarDef = createToken({
  name: "VarDef",
  pattern: /@\{[\w]+\}[ \t]*\+?=(?:\\\r?\n|\\[^\n]|[^\\\n])*/,
  start_chars_hint: ["@"],
  line_breaks: true,
});
/** `${name} = true|false` (boolean variables, used only by `if` blocks). */
export const BoolDef = createToken({
  name: "BoolDef",
  pattern: /\$\{?\w+\}?[ \t]*=[ \t]*(?:true|false)\b/i,
  start_chars_hint: ["$"],
});
export const Arrow = createToken({ name: "Arrow", pattern: /->/, categories: [Atom, GroupItem] });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/, categories: [Atom, GroupItem] });
export const Angle = createToken({ name: "Angle", pattern: /<[^<>\s]*>/, categories: [Atom, GroupItem] });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const Comma = createToken({ name: "Comma", pattern: /,/, categories: [GroupItem] });
export const Equals = createToken({ name: "Equals", pattern: /=/, categories: [Atom, GroupItem] });
export const Quoted = createToken({ name: "Quoted", pattern: /"(?:[^"\\\n]|\\.)*"/, categories: [Atom, GroupItem] });
export const Word = createToken({
  name: "Word",
  pattern: { exec: matchWord },
  line_breaks: false,
  start_chars_hint: [...PRINTABLE.filter((c) => !",()}\"=#".includes(c)), ...HIGH],
  categories: [Atom, GroupItem],
});
/** Any other single character (a lone `<`, an unterminated quote): kept, reported by the reader. */
export const Other = createToken({ name: "Other", pattern: /[^\s]/, start_chars_hint: [...PRINTABLE, ...HIGH], categories: [Atom, GroupItem] });

// Order matters: the first pattern that matches wins. Include before Comment (`#include`),
// VarDef/BoolDef/Arrow/LessEq/Angle before Word, Word before LCurly (a word may start with an
// alternation) and before Other.
export const allTokens: TokenType[] = [
  Atom, GroupItem,
  Include, Comment, Blank, VarDef, BoolDef, Arrow, LessEq, Angle, Word,
  LCurly, RCurly, LParen, RParen, Comma, Equals, Quoted, Other,
];

export const policyLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  skipValidations: true,
});

// ---- raw tree ---------------------------------------------------------------------------------
export interface TokenAtom {
  kind: "word" | "quoted" | "arrow" | "lesseq" | "angle" | "eq" | "other" | "comma" | "rparen";
  /** The token text (quotes kept for `quoted`). */
  text: string;
  offset: number;
  end: number;
}
export interface GroupAtom {
  kind: "group";
  items: RawAtom[];
  offset: number;
  end: number;
  closed: boolean;
}
export type RawAtom = TokenAtom | GroupAtom;

export interface RawBlock { items: RawItem[]; offset: number; end: number; closed: boolean }
export type RawItem =
  | { kind: "include"; token: IToken }
  | { kind: "vardef"; token: IToken }
  | { kind: "booldef"; token: IToken }
  | { kind: "stray"; token: IToken }
  | { kind: "statement"; atoms: RawAtom[]; end: "comma" | "block" | "none"; block?: RawBlock; offset: number; endOffset: number };

const KIND_OF: Record<string, TokenAtom["kind"]> = {
  Word: "word", Quoted: "quoted", Arrow: "arrow", LessEq: "lesseq", Angle: "angle",
  Equals: "eq", Other: "other", Comma: "comma", RParen: "rparen",
};

function tokenAtom(t: IToken): TokenAtom {
  return { kind: KIND_OF[t.tokenType.name] ?? "other", text: t.image, offset: t.startOffset, end: t.startOffset + t.image.length };
}

/**
 * file      := (item | `}`)*
 * item      := Include | VarDef | BoolDef | `,` | statement | block
 * statement := (Atom | group | `)`)+ (`,` | block)?
 * group     := `(` (GroupItem | group)* `)`?
 * block     := `{` item* `}`?
 * Every terminator is optional so the parser never fails; the reader reports what is missing.
 */
class PolicyParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { maxLookahead: 1, recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  public file = this.RULE("file", (): RawItem[] => {
    const items: RawItem[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { const it = this.SUBRULE(this.item); this.ACTION(() => items.push(it)); } },
        { ALT: () => { const t = this.CONSUME(RCurly); this.ACTION(() => items.push({ kind: "stray", token: t })); } },
      ]);
    });
    return items;
  });

  public item = this.RULE("item", (): RawItem => {
    return this.OR([
      { ALT: () => ({ kind: "include", token: this.CONSUME(Include) }) },
      { ALT: () => ({ kind: "vardef", token: this.CONSUME(VarDef) }) },
      { ALT: () => ({ kind: "booldef", token: this.CONSUME(BoolDef) }) },
      { ALT: () => ({ kind: "stray", token: this.CONSUME(Comma) }) },
      { ALT: () => this.SUBRULE(this.statement) },
      {
        ALT: () => {
          const b = this.SUBRULE(this.block);
          return this.ACTION((): RawItem => ({ kind: "statement", atoms: [], end: "block", block: b, offset: b.offset, endOffset: b.end }));
        },
      },
    ]);
  });

  public statement = this.RULE("statement", (): RawItem => {
    const atoms: RawAtom[] = [];
    let end: "comma" | "block" | "none" = "none";
    let block: RawBlock | undefined;
    let endOffset = 0;
    this.AT_LEAST_ONE(() => {
      this.OR([
        { ALT: () => { const t = this.CONSUME(Atom); this.ACTION(() => atoms.push(tokenAtom(t))); } },
        { ALT: () => { const g = this.SUBRULE(this.group); this.ACTION(() => atoms.push(g)); } },
        { ALT: () => { const t = this.CONSUME(RParen); this.ACTION(() => atoms.push(tokenAtom(t))); } },
      ]);
    });
    this.OPTION(() => {
      this.OR2([
        { ALT: () => { const t = this.CONSUME(Comma); this.ACTION(() => { end = "comma"; endOffset = t.startOffset + 1; }); } },
        { ALT: () => { const b = this.SUBRULE2(this.block); this.ACTION(() => { end = "block"; block = b; endOffset = b.end; }); } },
      ]);
    });
    return this.ACTION((): RawItem => {
      const offset = atoms[0]!.offset;
      if (end === "none") endOffset = atoms[atoms.length - 1]!.end;
      return { kind: "statement", atoms, end, block, offset, endOffset };
    });
  });

  public group = this.RULE("group", (): GroupAtom => {
    const open = this.CONSUME(LParen);
    const items: RawAtom[] = [];
    let close: IToken | undefined;
    this.MANY(() => {
      this.OR([
        { ALT: () => { const t = this.CONSUME(GroupItem); this.ACTION(() => items.push(tokenAtom(t))); } },
        { ALT: () => { const g = this.SUBRULE(this.group); this.ACTION(() => items.push(g)); } },
      ]);
    });
    this.OPTION(() => { close = this.CONSUME(RParen); });
    return this.ACTION((): GroupAtom => {
      const last = items[items.length - 1];
      const end = close ? close.startOffset + 1 : last ? last.end : open.startOffset + 1;
      return { kind: "group", items, offset: open.startOffset, end, closed: close !== undefined };
    });
  });

  public block = this.RULE("block", (): RawBlock => {
    const open = this.CONSUME(LCurly);
    const items: RawItem[] = [];
    let close: IToken | undefined;
    this.MANY(() => {
      const it = this.SUBRULE(this.item);
      this.ACTION(() => items.push(it));
    });
    this.OPTION(() => { close = this.CONSUME(RCurly); });
    return this.ACTION((): RawBlock => {
      const last = items[items.length - 1];
      const end = close ? close.startOffset + 1 : last && last.kind === "statement" ? last.endOffset : open.startOffset + 1;
      return { items, offset: open.startOffset, end, closed: close !== undefined };
    });
  });
}

const parser = new PolicyParser();

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

/** Tokenize, parse and interpret one policy file. Never throws on file content. */
export function parsePolicy(text: string, file: string): PolicyFileAst {
  const reader = new Reader(file, text);
  const lexed = policyLexer.tokenize(text);
  for (const e of lexed.errors) reader.diag(e.offset, e.offset + e.length, "unexpected character");
  parser.input = lexed.tokens;
  const items = parser.file();
  for (const e of parser.errors) {
    const off = Number.isFinite(e.token.startOffset) ? e.token.startOffset : 0;
    reader.diag(off, off + 1, `parse error: ${e.message}`);
  }
  const nodes: PolicyNode[] = [];
  interpretItems(items ?? [], reader, nodes, undefined);
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
    out.push({ type: "profile", ...header, body, src: r.src(st.offset, endOfHead) });
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

function interpretProfileHeader(atoms: RawAtom[]): Omit<Extract<PolicyNode, { type: "profile" }>, "type" | "body" | "src"> | undefined {
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
