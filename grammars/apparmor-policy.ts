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
 * problem too. This file is syntax only: it returns the raw tree; what a statement means (which
 * rule, which fields) is src/apparmor/policy/interpret.ts.
 *
 * Performance: one token per word (paths with `{a,b}` and `[…]` are single words thanks to a
 * custom matcher), token categories instead of ORs, `positionTracking: "onlyOffset"` (lines are
 * computed from offsets only for the statements that need them) and one parser instance.
 */
import { createToken, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from "./chevrotain.js";

// ---- token helpers ----------------------------------------------------------------------------
const PRINTABLE: string[] = [];
for (let c = 33; c < 127; c++) PRINTABLE.push(String.fromCharCode(c));
const HIGH: string[] = [];
for (let c = 128; c < 256; c++) HIGH.push(String.fromCharCode(c));
export const WS = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);

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

/** A problem the lexer or parser met, at an offset of the text. */
export interface SyntaxProblem {
  offset: number;
  length: number;
  message: string;
}

/** Tokenize and parse one policy file into its raw tree. Never throws on file content. */
export function parsePolicyTree(text: string): { items: RawItem[]; problems: SyntaxProblem[] } {
  const lexed = policyLexer.tokenize(text);
  const problems: SyntaxProblem[] = lexed.errors.map((e) => ({ offset: e.offset, length: e.length, message: "unexpected character" }));
  parser.input = lexed.tokens;
  const items = parser.file();
  for (const e of parser.errors) {
    const off = Number.isFinite(e.token.startOffset) ? e.token.startOffset : 0;
    problems.push({ offset: off, length: 1, message: `parse error: ${e.message}` });
  }
  return { items: items ?? [], problems };
}
