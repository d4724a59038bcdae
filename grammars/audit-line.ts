/**
 * Grammar for ONE kernel audit / AppArmor log line: an optional envelope (whatever framing the
 * log source put in front: syslog / ISO / unix / monotonic dates, dmesg stamps, `host kernel:`,
 * `audit[pid]:`, `kern.notice:`, `node=HOST`), an optional audit header (`type=NAME|NNNN|UNKNOWN[n]`,
 * `msg=audit(S.MS:SERIAL):`, `audit(…):`, `ausearch -i`'s `audit(MM/DD/YYYY hh:mm:ss.ms:SERIAL) :`)
 * and the body: key=value pairs with double-quoted, hex or bare values, a nested USER_AVC
 * `msg='…'`, the ENRICHED `\x1d` tail. Accepted shapes, with examples:
 *
 *   type=AVC msg=audit(1700000000.123:42): apparmor="DENIED" operation="open" …   auditd
 *   node=h1 type=USER_AVC msg=audit(…): pid=1 uid=0 subj=unconfined msg='apparmor=… '   auditd, name_format
 *   msg=audit(…): apparmor="DENIED" …                                               audispd
 *   [  123.456789] audit: type=1400 audit(…): apparmor="DENIED" …                   dmesg (also without `audit:`)
 *   [Sat Nov 29 02:13:00 2025] audit: type=1400 audit(…): …                         dmesg -T
 *   Nov 29 02:13:00 host kernel: [ 12.3] audit: type=1400 audit(…): …               syslog / journalctl short*
 *   2025-11-29T02:13:00+0100 host kernel: audit: …   1732846380.123456 host kernel: … short-iso / short-unix
 *   Nov 29 02:13:00 host audit[1234]: AVC apparmor="DENIED" …                        journald audit transport
 *   Jul 31 17:10:35 host dbus-daemon[1692]: apparmor="DENIED" …                      dbus-daemon syslog
 *   audit: type=1400 audit(…): …     AVC apparmor="DENIED" …     apparmor="DENIED" … bare MESSAGE forms / pastes
 *   type=AVC msg=audit(11/29/2025 02:13:00.123:456) : apparmor=DENIED name=/a b …   ausearch -i
 *
 * The grammar never rejects a key it does not know: every `key=value` is a Pair, and anything
 * that is not a pair (a stray word or quote) is still a token the body accepts, so one odd byte
 * never loses the rest of the record. Interpretation (which word is the host, what a value means)
 * is done by the caller on the token list this parser returns.
 *
 * Performance (see shared notes on Chevrotain): flat rules, one token per key=value pair with the
 * leading blanks folded in, token categories instead of OR, `positionTracking: "onlyOffset"`,
 * first-char hints on complement-set tokens and one parser instance for the whole process.
 */
import { createToken, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from "./chevrotain.js";

/**
 * Every character a Word can start with: Latin-1 but for blanks, quotes and `=`, and one
 * character per 256-code bucket above it (Chevrotain's first-char table groups those), so control
 * bytes, non-ASCII text and broken UTF-8 are words, never lexer errors that cost a message each.
 */
const WORD_START: string[] = [];
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (!/[\s"'=\x1d]/.test(ch)) WORD_START.push(ch);
}
for (let c = 256; c < 0x10000; c += 256) WORD_START.push(String.fromCharCode(c));
/** Every blank a Blank can start with (JavaScript's \s, and the ENRICHED separator). */
const ALL_BLANKS: string[] = [];
for (let c = 0; c < 0x10000; c++) if (/[\s\x1d]/.test(String.fromCharCode(c))) ALL_BLANKS.push(String.fromCharCode(c));
const BLANK_START = [" ", "\t", "\r", "\n", "\x1d"];
const LETTER_START = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"];

// ---- categories -----------------------------------------------------------------------------
/** Anything that can stand in the envelope in front of the audit header. */
export const EnvelopeItem = createToken({ name: "EnvelopeItem", pattern: Lexer.NA });
/** Anything the body accepts. */
export const BodyItem = createToken({ name: "BodyItem", pattern: Lexer.NA });
/** A key=value pair (quoted, hex, bare, empty or unterminated value). */
export const Pair = createToken({ name: "Pair", pattern: Lexer.NA, categories: [BodyItem] });

// ---- envelope tokens ------------------------------------------------------------------------
const MONTHS = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*";
const TZ = "(?:Z|[+-]\\d\\d:?\\d\\d)?";
/** `Nov 29 02:13:00[.frac][±hh:mm]` — BSD syslog date, no year. */
export const BsdDate = createToken({
  name: "BsdDate",
  pattern: new RegExp(`[ \\t]*${MONTHS} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?${TZ}`),
  start_chars_hint: [" ", "\t", "J", "F", "M", "A", "S", "O", "N", "D"],
  categories: [EnvelopeItem, BodyItem],
});
/** `2025-11-29[T ]02:13:00[.frac][Z|±hh:mm|±hhmm]` — RFC 3339 / journalctl short-iso. */
export const IsoDate = createToken({
  name: "IsoDate",
  pattern: new RegExp(`[ \\t]*\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?${TZ}`),
  start_chars_hint: [" ", "\t", ..."0123456789"],
  categories: [EnvelopeItem, BodyItem],
});
/** `1732846380.123456` — journalctl short-unix. */
export const UnixDate = createToken({
  name: "UnixDate",
  pattern: /[ \t]*\d{9,11}\.\d{1,9}(?=[ \t])/,
  start_chars_hint: [" ", "\t", ..."0123456789"],
  categories: [EnvelopeItem, BodyItem],
});
/** `[  123.456789]` — dmesg / journalctl short-monotonic / kern.log stamp (seconds since boot). */
export const MonoStamp = createToken({
  name: "MonoStamp",
  pattern: /[ \t]*\[ *\d+\.\d+\]/,
  start_chars_hint: [" ", "\t", "["],
  categories: [EnvelopeItem, BodyItem],
});
/** `[Sat Nov 29 02:13:00 2025]` — dmesg -T. */
export const BracketDate = createToken({
  name: "BracketDate",
  pattern: new RegExp(`[ \\t]*\\[[A-Z][a-z]{2} ${MONTHS} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)? \\d{4}\\]`),
  start_chars_hint: [" ", "\t", "["],
  categories: [EnvelopeItem, BodyItem],
});
/** `kernel:`, `audit:`, `audit[1234]:`, `dbus-daemon[9]:`, `kern.notice:`, `audit.log:` — a syslog tag. */
export const Tag = createToken({
  name: "Tag",
  pattern: /[ \t]*[A-Za-z][\w./-]*(?:\[\d+\])?:(?=[\s\x1d]|$|type=)/,
  start_chars_hint: [" ", "\t", ...LETTER_START],
  categories: [EnvelopeItem, BodyItem],
});

// ---- header tokens --------------------------------------------------------------------------
/** `msg=audit(S.MS:SERIAL):`, `audit(…):`, and `ausearch -i`'s `audit(11/29/2025 02:13:00.123:456) :`. */
export const AuditStamp = createToken({
  name: "AuditStamp",
  pattern: /[\s\x1d]*(?:msg=)?audit\([^()\n]*\)(?: ?:)?/,
  start_chars_hint: [...BLANK_START, "m", "a"],
  categories: [BodyItem],
});
/** `node=HOST` (auditd `name_format`). */
export const NodePair = createToken({
  name: "NodePair",
  pattern: /[\s\x1d]*node=[^\s"'\x1d]+/,
  start_chars_hint: [...BLANK_START, "n"],
  categories: [Pair, BodyItem],
});
/** `type=AVC`, `type=1400`, `type=UNKNOWN[1503]`. */
export const TypePair = createToken({
  name: "TypePair",
  pattern: /[\s\x1d]*type=[^\s"'\x1d]+/,
  start_chars_hint: [...BLANK_START, "t"],
  categories: [Pair, BodyItem],
});

// ---- body tokens ----------------------------------------------------------------------------
/** `msg='` opens the nested record of USER_AVC (dbus-daemon, systemd …). */
export const NestedOpen = createToken({
  name: "NestedOpen",
  pattern: /[\s\x1d]*msg='/,
  start_chars_hint: [...BLANK_START, "m"],
  categories: [BodyItem],
});
/**
 * key=value. The value is a double-quoted string (no escapes: the kernel hex-encodes any value
 * with a quote in it; an unterminated quote runs to the end of the line and is flagged later)
 * or a bare token (hex, number, `?`, `(null)`, `none`, `rtmin+4`, a path with `=` in it).
 */
export const ValuePair = createToken({
  name: "ValuePair",
  pattern: /[\s\x1d]*(?!(?:msg|type|node)=)[A-Za-z_][\w-]*=(?:"[^"]*(?:"|$)|[^\s"'\x1d]*)/,
  start_chars_hint: [...BLANK_START, ...LETTER_START],
  categories: [Pair, BodyItem],
});
/** `'` closes a nested msg. */
export const NestedClose = createToken({
  name: "NestedClose",
  pattern: /[\s\x1d]*'/,
  start_chars_hint: [...BLANK_START, "'"],
  categories: [BodyItem],
});
/** A bare word: a host name, a journald type name (`AVC`), or the tail of an unquoted ausearch value. */
export const Word = createToken({
  name: "Word",
  pattern: /[\s\x1d]*[^\s"'=\x1d]+/,
  start_chars_hint: [...ALL_BLANKS, ...WORD_START],
  categories: [EnvelopeItem, BodyItem],
});
/** A quote or `=` that is not part of a pair: kept so the record goes on, reported as odd. */
export const Stray = createToken({
  name: "Stray",
  pattern: /[\s\x1d]*["=]/,
  start_chars_hint: [...BLANK_START, '"', "="],
  categories: [BodyItem],
});
/** Trailing blanks (everything else folds its leading blanks in). */
export const Blank = createToken({ name: "Blank", pattern: /[\s\x1d]+/, start_chars_hint: ALL_BLANKS, group: Lexer.SKIPPED });

// Order matters: the first pattern that matches wins, and the lexer tries every candidate for
// the next character in this order. ValuePair comes first because nine tokens in ten are pairs;
// its key excludes msg=/type=/node=, which have tokens of their own. Dates before words, Tag
// before Word.
export const allTokens: TokenType[] = [
  EnvelopeItem, BodyItem, Pair,
  ValuePair, AuditStamp, NodePair, TypePair, NestedOpen, NestedClose,
  BracketDate, MonoStamp, BsdDate, IsoDate, UnixDate,
  Tag, Word, Stray, Blank,
];

export const auditLineLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  skipValidations: true,
});

/** The parse tree of one line, as token groups. */
export interface AuditLineTree {
  envelope: IToken[];
  node: IToken | undefined;
  type: IToken | undefined;
  stamp: IToken | undefined;
  body: IToken[];
}

/**
 * line   := envelope* node? type? stamp? body*
 * The rules are flat on purpose: every repeated item is one CONSUME of a category. Tokens are
 * pushed without ACTION: during the grammar recording the pushes only fill arrays that are
 * thrown away, and an ACTION closure per token was most of what the parser allocated.
 */
class AuditLineParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { maxLookahead: 1, recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  public line = this.RULE("line", (): AuditLineTree => {
    const envelope: IToken[] = [];
    const body: IToken[] = [];
    this.MANY1(() => {
      envelope.push(this.CONSUME(EnvelopeItem));
    });
    const node = this.OPTION1(() => this.CONSUME(NodePair));
    const type = this.OPTION2(() => this.CONSUME(TypePair));
    const stamp = this.OPTION3(() => this.CONSUME(AuditStamp));
    this.MANY2(() => {
      body.push(this.CONSUME(BodyItem));
    });
    return { envelope, node, type, stamp, body };
  });
}

const parser = new AuditLineParser();

export interface AuditLineResult {
  tree: AuditLineTree;
  /** Lexing and parsing problems (counted, not listed: a hostile line may have thousands); the tree holds everything read. */
  errors: { lexer: number; firstOffset: number; parser: string | undefined };
}

const EMPTY_TREE: AuditLineTree = { envelope: [], node: undefined, type: undefined, stamp: undefined, body: [] };
const NO_ERRORS = { lexer: 0, firstOffset: -1, parser: undefined };

/** Tokenize and parse one line with the shared lexer and parser instance. */
export function parseAuditLine(text: string): AuditLineResult {
  const lexed = auditLineLexer.tokenize(text);
  parser.input = lexed.tokens;
  const tree = parser.line();
  if (lexed.errors.length === 0 && parser.errors.length === 0) return { tree, errors: NO_ERRORS };
  const first = parser.errors[0];
  return {
    tree: tree ?? EMPTY_TREE,
    errors: { lexer: lexed.errors.length, firstOffset: lexed.errors[0]?.offset ?? -1, parser: first === undefined ? undefined : `${first.name}: ${first.message}` },
  };
}
