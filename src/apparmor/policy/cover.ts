/**
 * Relations between two variable-free AARE patterns:
 *
 *   aareCovers(policy, candidate)   every path the candidate stands for is matched by the policy pattern
 *   aareOverlaps(a, b)              some path is matched by both
 *
 * A literal candidate is simply matched with the policy RegExp (exact). For a candidate that is
 * itself a glob, both patterns are flattened into alternation-free sequences and compared symbol
 * by symbol: a candidate `*` is covered only by a policy `*` or `**`, a candidate `**` only by a
 * policy `**`, `?`/`[…]` by a set that contains theirs. This is an APPROXIMATION, but a sound
 * one for "covers": it never claims coverage that does not hold; it can miss coverage that only a
 * union of several policy branches provides (candidate `/a/*` against `/a/{[a-m]*,[n-z]*,…}`),
 * and character sets are compared on the code points 0–255 plus one representative above.
 * The overlap test walks the product of both patterns (exact for the same character sampling).
 * Both give up (covers → false, overlaps → true) beyond 512 alternation branches.
 */
import { compileAare, flattenAare, isLiteralAare, parseAare, type AareNode } from "../aare/match.js";
import { BoundedMap } from "../../input/bounded-map.js";

type Sym = Exclude<AareNode, { t: "alt" }>;

/** Characters the set comparisons look at: 1–255 and one representative of everything above. */
const PROBES: number[] = [];
for (let c = 1; c < 256; c++) PROBES.push(c);
PROBES.push(0x100);
const SLASH = 47;

function inClass(n: Extract<AareNode, { t: "class" }>, code: number): boolean {
  let hit = false;
  for (const [a, b] of n.ranges) {
    if (code >= a && code <= b) {
      hit = true;
      break;
    }
    // A range reaching beyond 255 covers the representative above it.
    if (code === 0x100 && b > 0xff) {
      hit = true;
      break;
    }
  }
  return n.neg ? !hit : hit;
}

/** Membership of one character in a single-character symbol (lit, any, class); stars: their alphabet. */
function accepts(s: Sym, code: number): boolean {
  switch (s.t) {
    case "lit":
      return s.c.charCodeAt(0) === code;
    case "any":
      return code !== SLASH && code !== 0;
    case "class":
      return inClass(s, code);
    case "star":
      return s.deep ? code !== 0 : code !== SLASH && code !== 0;
  }
}

function singleSubset(s: Sym, p: Sym): boolean {
  if (s.t === "lit") return accepts(p, s.c.charCodeAt(0));
  for (const c of PROBES) if (accepts(s, c) && !accepts(p, c)) return false;
  return true;
}

/** Flattened patterns, in two bounded generations (request patterns come from logs: no unbounded cache). */
const flatCache = new BoundedMap<string, Sym[][] | null>(4096);

function flat(pattern: string): Sym[][] | undefined {
  let f = flatCache.get(pattern);
  if (f === undefined) flatCache.set(pattern, (f = (flattenAare(parseAare(pattern)) as Sym[][] | undefined) ?? null));
  return f ?? undefined;
}

/**
 * Whether the literal text before the first glob character of each pattern agrees on their
 * common length. When it does not, no path is matched by both (the matcher compares characters
 * as written), so neither covers nor overlaps the other: most policy rules are ruled out so.
 */
function prefixesAgree(a: string, b: string): boolean {
  const n = Math.min(literalLength(a), literalLength(b));
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** The length of the literal text before a pattern's first glob character (or escape). */
export function literalLength(pattern: string): number {
  const i = pattern.search(GLOB_CHAR);
  return i < 0 ? pattern.length : i;
}

const GLOB_CHAR = /[*?[{\\]/;

/** Does the policy sequence P match every string of the candidate sequence C? (symbolic NFA) */
function seqCovers(P: Sym[], C: Sym[]): boolean {
  // State: position in P, and whether the star at that position has surely consumed a character.
  type St = number; // pos * 2 + consumed
  const closure = (states: Set<St>): Set<St> => {
    const stack = [...states];
    while (stack.length) {
      const st = stack.pop()!;
      const pos = st >> 1;
      const consumed = st & 1;
      const p = P[pos];
      if (p?.t === "star" && (!p.min1 || consumed)) {
        const nxt = (pos + 1) * 2;
        if (!states.has(nxt)) {
          states.add(nxt);
          stack.push(nxt);
        }
      }
    }
    return states;
  };
  let cur = closure(new Set([0]));
  for (const c of C) {
    const next = new Set<St>();
    const cNonEmpty = c.t !== "star" || c.min1;
    for (const st of cur) {
      const pos = st >> 1;
      const p = P[pos];
      if (!p) continue;
      if (p.t === "star") {
        // The policy star absorbs the candidate symbol when all its characters are in the star's alphabet.
        const ok = c.t === "star" ? p.deep || !c.deep : singleSubset(c, p);
        if (ok) next.add(pos * 2 + ((st & 1) | (cNonEmpty ? 1 : 0)));
      } else if (c.t !== "star" && singleSubset(c, p)) {
        next.add((pos + 1) * 2);
      }
    }
    if (next.size === 0) return false;
    cur = closure(next);
  }
  for (const st of cur) if (st >> 1 === P.length) return true;
  return false;
}

/** Every path the candidate pattern stands for is matched by the policy pattern (see the file comment). */
export function aareCovers(policy: string, candidate: string): boolean {
  if (!prefixesAgree(policy, candidate)) return false;
  if (isLiteralAare(candidate)) return compileAare(policy).test(candidate);
  const C = flat(candidate);
  const P = flat(policy);
  if (!C || !P) return false;
  return C.every((c) => {
    const literal = c.every((s) => s.t === "lit");
    if (literal) return compileAare(policy).test(c.map((s) => (s as { c: string }).c).join(""));
    return P.some((p) => seqCovers(p, c));
  });
}

/** Is there a string both sequences match? (product automaton over sampled characters) */
function seqOverlap(A: Sym[], B: Sym[]): boolean {
  // State: i, ci (star at i consumed), j, cj.
  const key = (i: number, ci: number, j: number, cj: number) => ((i * 2 + ci) * (B.length + 1) + j) * 2 + cj;
  const seen = new Set<number>();
  const stack: Array<[number, number, number, number]> = [[0, 0, 0, 0]];
  const push = (i: number, ci: number, j: number, cj: number) => {
    const k = key(i, ci, j, cj);
    if (!seen.has(k)) {
      seen.add(k);
      stack.push([i, ci, j, cj]);
    }
  };
  seen.add(key(0, 0, 0, 0));
  while (stack.length) {
    const [i, ci, j, cj] = stack.pop()!;
    const a = A[i];
    const b = B[j];
    if (!a && !b) return true;
    // Leave a star.
    if (a?.t === "star" && (!a.min1 || ci)) push(i + 1, 0, j, cj);
    if (b?.t === "star" && (!b.min1 || cj)) push(i, ci, j + 1, 0);
    if (!a || !b) continue;
    // Consume one character both accept.
    let common = false;
    if (a.t === "lit") common = accepts(b, a.c.charCodeAt(0));
    else if (b.t === "lit") common = accepts(a, b.c.charCodeAt(0));
    else for (const c of PROBES) if (accepts(a, c) && accepts(b, c)) { common = true; break; }
    if (!common) continue;
    const ni = a.t === "star" ? i : i + 1;
    const nci = a.t === "star" ? 1 : 0;
    const nj = b.t === "star" ? j : j + 1;
    const ncj = b.t === "star" ? 1 : 0;
    push(ni, nci, nj, ncj);
  }
  return false;
}

/** Some path is matched by both patterns. */
export function aareOverlaps(a: string, b: string): boolean {
  if (!prefixesAgree(a, b)) return false;
  if (isLiteralAare(a)) return compileAare(b).test(a);
  if (isLiteralAare(b)) return compileAare(a).test(b);
  const A = flat(a);
  const B = flat(b);
  if (!A || !B) return true;
  return A.some((x) => B.some((y) => seqOverlap(x, y)));
}
