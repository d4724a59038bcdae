/**
 * AppArmor globs (AARE) without variables: parse, compile to a JS RegExp (cached), match.
 *
 *   *      any characters except `/` (none allowed, except right after a `/` when the `*` run ends
 *          the pattern or is followed by `/`: `/tmp/*` does not match `/tmp/`)
 *   **     any characters including `/` (same "at least one after a `/`" rule: `/tmp/**` ≠ `/tmp/`)
 *   ?      one character except `/`
 *   [abc] [a-z] [^abc]   one character from / not from the set (a negated set can match `/`)
 *   {a,b,{c,d}}          alternation, nested, empty branches allowed (`/usr/bin/passt{,.avx2}`)
 *   \x     the character x
 *   @{X}   (left after variable expansion, see variables.ts) the literal text `@{X}`
 *
 * These are apparmor_parser's rules (parser_regex.c, convert_aaregex_to_pcre): a `*` run right
 * after `/` gets a mandatory first character only when it is followed by `/` or ends the pattern.
 * python3-apparmor's AARE (the utils' re-implementation) requires that first character after every
 * `/`, so `/foo/*.txt` matches `/foo/.txt` here and in the kernel but not in aa-logprof; every
 * other glob agrees with it (test/policy.aare-oracle.test.ts).
 *
 * The RegExp has no nested quantifiers: each glob becomes one character class with one `*`/`+`,
 * alternation becomes `(?:a|b)`; runs of more than two `*` are `**`. Patterns with more than two
 * `*` runs are matched by an NFA instead (linear time, see compileAare).
 */

export type AareNode =
  | { t: "lit"; c: string }
  | { t: "any" }
  | { t: "class"; neg: boolean; ranges: Array<[number, number]>; src: string }
  | { t: "star"; deep: boolean; min1: boolean }
  | { t: "alt"; branches: AareNode[][] };

/** Collapse runs of `/` (apparmor_parser's filter_slashes, applied to file rules after variables). */
export function filterSlashes(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

class AareParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): AareNode[] {
    const seq = this.seq(false);
    // An unmatched `}` or `,` at top level is literal (seq stops only inside groups).
    return seq;
  }

  /**
   * A run of the byte escapes apparmor_parser reads — `\xHH`, `\dDDD`, `\0OO` — decoded as UTF-8
   * (aalens writes a hidden character as its bytes: `\xe2\x80\xae` is U+202E), and the control
   * escapes `\n \t \r`; undefined when the escape at `this.i` is none of these.
   */
  private byteEscapes(): string | undefined {
    const bytes: number[] = [];
    const s = this.s;
    let text = "";
    for (;;) {
      const m = /^\\(?:x([0-9a-fA-F]{2})|d([0-9]{3})|0([0-7]{2})|([ntr]))/.exec(s.slice(this.i, this.i + 5));
      if (m === null) break;
      this.i += m[0].length;
      if (m[4] !== undefined) {
        text += Buffer.from(bytes).toString("utf8") + (m[4] === "n" ? "\n" : m[4] === "t" ? "\t" : "\r");
        bytes.length = 0;
      } else bytes.push(m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 10) & 0xff : parseInt(m[3]!, 8));
    }
    if (bytes.length === 0 && text === "") return undefined;
    return text + Buffer.from(bytes).toString("utf8");
  }

  /** A sequence up to the end, or (inGroup) up to an unescaped `,` or `}`. */
  private seq(inGroup: boolean): AareNode[] {
    const out: AareNode[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (inGroup && (c === "," || c === "}")) return out;
      if (c === "\\") {
        const bytes = this.byteEscapes();
        if (bytes !== undefined) {
          for (const ch of bytes) out.push({ t: "lit", c: ch });
          continue;
        }
        out.push({ t: "lit", c: this.i + 1 < s.length ? s[this.i + 1]! : "\\" });
        this.i += 2;
        continue;
      }
      if (c === "*") {
        let j = this.i;
        while (s[j] === "*") j++;
        const count = j - this.i;
        const prev = out[out.length - 1];
        const afterSlash = prev !== undefined && prev.t === "lit" && prev.c === "/";
        const min1 = afterSlash && (j >= s.length || s[j] === "/");
        out.push({ t: "star", deep: count >= 2, min1 });
        this.i = j;
        continue;
      }
      if (c === "@" && s[this.i + 1] === "{") {
        // An unexpanded variable stands for itself (it matches nothing real).
        const m = /^@\{\w+\}/.exec(s.slice(this.i));
        if (m) {
          for (const ch of m[0]) out.push({ t: "lit", c: ch });
          this.i += m[0].length;
          continue;
        }
      }
      if (c === "?") {
        out.push({ t: "any" });
        this.i++;
        continue;
      }
      if (c === "[") {
        const cls = this.charClass();
        if (cls) {
          out.push(cls);
          continue;
        }
        out.push({ t: "lit", c });
        this.i++;
        continue;
      }
      if (c === "{") {
        const save = this.i;
        const alt = this.group();
        if (alt) {
          out.push(alt);
          continue;
        }
        this.i = save;
        out.push({ t: "lit", c });
        this.i++;
        continue;
      }
      out.push({ t: "lit", c });
      this.i++;
    }
    return out;
  }

  private group(): AareNode | undefined {
    this.i++; // {
    const branches: AareNode[][] = [];
    for (;;) {
      branches.push(this.seq(true));
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return { t: "alt", branches };
      }
      return undefined; // unclosed
    }
  }

  private charClass(): AareNode | undefined {
    const s = this.s;
    const start = this.i;
    let j = this.i + 1;
    let neg = false;
    if (s[j] === "^") {
      neg = true;
      j++;
    }
    const chars: number[] = [];
    const ranges: Array<[number, number]> = [];
    let first = true;
    for (;;) {
      if (j >= s.length) return undefined;
      let c = s[j]!;
      if (c === "]" && !first) break;
      first = false;
      if (c === "\\" && j + 1 < s.length) {
        j++;
        c = s[j]!;
      }
      const code = c.charCodeAt(0);
      if (s[j + 1] === "-" && j + 2 < s.length && s[j + 2] !== "]") {
        let hiChar = s[j + 2]!;
        let step = 3;
        if (hiChar === "\\" && j + 3 < s.length) {
          hiChar = s[j + 3]!;
          step = 4;
        }
        const hi = hiChar.charCodeAt(0);
        ranges.push(code <= hi ? [code, hi] : [hi, code]);
        j += step;
        continue;
      }
      chars.push(code);
      j++;
    }
    for (const c of chars) ranges.push([c, c]);
    this.i = j + 1;
    return { t: "class", neg, ranges, src: s.slice(start, j + 1) };
  }
}

export function parseAare(pattern: string): AareNode[] {
  return new AareParser(pattern).parse();
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

function hex(code: number): string {
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

function nodeSource(n: AareNode): string {
  switch (n.t) {
    case "lit":
      return REGEX_SPECIAL.test(n.c) ? `\\${n.c}` : n.c;
    case "any":
      return "[^/\\0]";
    case "class":
      return `[${n.neg ? "^" : ""}${n.ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`;
    case "star":
      if (n.deep) return n.min1 ? "[^/\\0][^\\0]*" : "[^\\0]*";
      return n.min1 ? "[^/\\0]+" : "[^/\\0]*";
    case "alt":
      return `(?:${n.branches.map(seqSource).join("|")})`;
  }
}

export function seqSource(seq: AareNode[]): string {
  return seq.map(nodeSource).join("");
}

/** A compiled AARE: `test(path)` is an anchored, whole-string match. */
export interface AareMatcher {
  test(path: string): boolean;
  /** The equivalent JS RegExp source (anchored), for reading and debugging. */
  readonly source: string;
  /** "regexp" for patterns with at most two `*` runs, "nfa" for the others (see below). */
  readonly engine: "regexp" | "nfa";
}

// ---- NFA (patterns with many globs) -----------------------------------------------------------
// A RegExp without nested quantifiers still backtracks polynomially: `/a/*a*a*a*b` against a long
// run of `a`s is O(n^k) in the number k of `*`. Patterns with more than two `*` runs are therefore
// run as a Thompson NFA (a set of states advanced one character at a time: O(path × pattern)).

type CharTest = (code: number) => boolean;
type NfaState = { k: "char"; test: CharTest; next: number } | { k: "split"; out: number[] } | { k: "match" };

const notSlashNul: CharTest = (c) => c !== 47 && c !== 0;
const notNul: CharTest = (c) => c !== 0;

function classTest(n: Extract<AareNode, { t: "class" }>): CharTest {
  const ranges = n.ranges;
  return (c) => {
    let hit = false;
    for (const [a, b] of ranges) if (c >= a && c <= b) { hit = true; break; }
    return n.neg ? !hit : hit;
  };
}

function buildNfa(seq: AareNode[]): { states: NfaState[]; start: number } {
  const states: NfaState[] = [{ k: "match" }];
  const add = (st: NfaState) => states.push(st) - 1;
  const seqTo = (nodes: AareNode[], next: number): number => {
    for (let i = nodes.length - 1; i >= 0; i--) next = nodeTo(nodes[i]!, next);
    return next;
  };
  const nodeTo = (n: AareNode, next: number): number => {
    switch (n.t) {
      case "lit": {
        const code = n.c.charCodeAt(0);
        return add({ k: "char", test: (c) => c === code, next });
      }
      case "any":
        return add({ k: "char", test: notSlashNul, next });
      case "class":
        return add({ k: "char", test: classTest(n), next });
      case "star": {
        const test = n.deep ? notNul : notSlashNul;
        const loop = add({ k: "split", out: [] });
        const step = add({ k: "char", test, next: loop });
        (states[loop] as { out: number[] }).out = [step, next];
        return n.min1 ? add({ k: "char", test: n.deep ? notSlashNul : test, next: loop }) : loop;
      }
      case "alt":
        return add({ k: "split", out: n.branches.map((b) => seqTo(b, next)) });
    }
  };
  const start = seqTo(seq, 0);
  return { states, start };
}

function nfaMatcher(seq: AareNode[], source: string): AareMatcher {
  const { states, start } = buildNfa(seq);
  const mark = new Int32Array(states.length).fill(-1);
  let gen = 0;
  const addState = (list: number[], s: number) => {
    if (mark[s] === gen) return;
    mark[s] = gen;
    const st = states[s]!;
    if (st.k === "split") for (const o of st.out) addState(list, o);
    else list.push(s);
  };
  return {
    source,
    engine: "nfa",
    test(path: string): boolean {
      gen++;
      let cur: number[] = [];
      addState(cur, start);
      for (let i = 0; i < path.length && cur.length > 0; i++) {
        const code = path.charCodeAt(i);
        gen++;
        const next: number[] = [];
        for (const s of cur) {
          const st = states[s]!;
          if (st.k === "char" && st.test(code)) addState(next, st.next);
        }
        cur = next;
      }
      return cur.includes(0);
    },
  };
}

function countStars(seq: AareNode[]): number {
  let n = 0;
  for (const x of seq) {
    if (x.t === "star") n++;
    else if (x.t === "alt") for (const b of x.branches) n += countStars(b);
  }
  return n;
}

const compiled = new Map<string, AareMatcher>();

/** The matcher for a variable-free AARE (compiled once per pattern text). */
export function compileAare(pattern: string): AareMatcher {
  let m = compiled.get(pattern);
  if (!m) {
    const seq = parseAare(pattern);
    const source = `^${seqSource(seq)}$`;
    if (countStars(seq) <= 2) {
      const re = new RegExp(source);
      m = { source, engine: "regexp", test: (path: string) => re.test(path) };
    } else m = nfaMatcher(seq, source);
    compiled.set(pattern, m);
  }
  return m;
}

/** The NFA matcher whatever the pattern (for tests that compare both engines). */
export function compileAareNfa(pattern: string): AareMatcher {
  const seq = parseAare(pattern);
  return nfaMatcher(seq, `^${seqSource(seq)}$`);
}

/** True when the pattern has no glob character (after parsing escapes and alternations). */
export function isLiteralAare(pattern: string): boolean {
  return !/[*?[{\\]/.test(pattern);
}

/**
 * Flatten alternations: the list of alternation-free node sequences a pattern stands for, or
 * undefined when there would be more than `limit`.
 */
export function flattenAare(nodes: AareNode[], limit = 512): AareNode[][] | undefined {
  let acc: AareNode[][] = [[]];
  for (const n of nodes) {
    if (n.t !== "alt") {
      for (const a of acc) a.push(n);
      continue;
    }
    const options: AareNode[][] = [];
    for (const b of n.branches) {
      const fb = flattenAare(b, limit);
      if (!fb) return undefined;
      options.push(...fb);
    }
    if (acc.length * options.length > limit) return undefined;
    const next: AareNode[][] = [];
    for (const a of acc) for (const o of options) next.push([...a, ...o]);
    acc = next;
  }
  return acc;
}
