/**
 * matchAare against AppArmor's own Python implementation (python3-apparmor's
 * `apparmor.aare.AARE(pattern, True).match(path)`), one python process for the whole table.
 * Skipped when /usr/bin/python3 cannot import apparmor.aare.
 *
 * Known, deliberate divergences (apparmor_parser is followed, because it builds what the kernel
 * enforces) are tested separately below and kept out of the oracle table.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compileAareNfa } from "../src/apparmor/aare/match.js";
import { aareCovers, aareOverlaps, compileAare, matchAare } from "../src/apparmor/policy/index.js";

const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import apparmor.aare"], { encoding: "utf8" });
const oracleReady = probe.status === 0;

/** [pattern, path] pairs: `*`, `**`, `?`, `[…]`, `[^…]`, `{a,b}`, nested `{}`, `\` escapes, trailing `/`. */
const TABLE: Array<[string, string]> = [
  // *
  ["/tmp/*", "/tmp/a"], ["/tmp/*", "/tmp/"], ["/tmp/*", "/tmp/a/b"], ["/tmp/*", "/tmp/.hidden"],
  ["/tmp/a*", "/tmp/a"], ["/tmp/a*", "/tmp/abc"], ["/tmp/a*", "/tmp/a/b"],
  ["/tmp/*.txt", "/tmp/x.txt"], ["/tmp/*.txt", "/tmp/x.txt.bak"], ["/var/log/*/*.log", "/var/log/a/b.log"], ["/var/log/*/*.log", "/var/log/a/b/c.log"],
  // **
  ["/tmp/**", "/tmp/a/b/c"], ["/tmp/**", "/tmp/"], ["/tmp/**", "/tmp/a"], ["/tmp/**", "/tmp"], ["/tmp/a**", "/tmp/a/b"],
  ["/tmp/**.txt", "/tmp/d/x.txt"], ["/var/log/**.log", "/var/log/a/b.log"], ["/a/**/b", "/a/x/y/b"], ["/a/**/b", "/a/b"],
  // trailing /
  ["/tmp/*/", "/tmp/a/"], ["/tmp/*/", "/tmp/a"], ["/tmp/**/", "/tmp/a/b/"], ["/tmp/**/", "/tmp/a/b"],
  ["/home/*/", "/home/alice/"], ["/home/*/", "/home/alice"], ["/home/*/", "/home//"], ["/", "/"], ["/", "/x"], ["/a/*/b", "/a//b"],
  ["/run/user/[0-9]*/netns/*", "/run/user/1000/netns/netns-abc"], ["/run/user/[0-9]*/netns/*", "/run/user/1000/netns/"],
  ["/run/user/[0-9]*/**", "/run/user/1000/netns/"], ["/run/user/[0-9]*/**", "/run/user/1000/"],
  // ?
  ["/tmp/file?", "/tmp/file1"], ["/tmp/file?", "/tmp/file"], ["/tmp/file?", "/tmp/file12"], ["/tmp/a?b", "/tmp/a/b"],
  // […] and [^…]
  ["/proc/[0-9]*/ns/net", "/proc/1234/ns/net"], ["/proc/[0-9]*/ns/net", "/proc/self/ns/net"], ["/proc/[0-9]*/ns/net", "/proc/1x/ns/net"],
  ["/dev/tty[0-9]", "/dev/tty5"], ["/dev/tty[0-9]", "/dev/ttyS"], ["/dev/tty[abc]", "/dev/ttyb"],
  ["/dev/tty[a-cx-z]", "/dev/ttyy"], ["/dev/tty[a-cx-z]", "/dev/ttyd"],
  ["/dev/tty[^0-9]", "/dev/ttyS"], ["/dev/tty[^0-9]", "/dev/tty1"], ["/dev/x[^abc]y", "/dev/xdy"], ["/dev/x[^abc]y", "/dev/xby"], ["/dev/x[^abc]y", "/dev/x/y"],
  // {a,b} and nested {}
  ["/usr/bin/passt{,.avx2}", "/usr/bin/passt"], ["/usr/bin/passt{,.avx2}", "/usr/bin/passt.avx2"], ["/usr/bin/passt{,.avx2}", "/usr/bin/passt.avx"],
  ["/{usr/,}bin/**", "/bin/sh"], ["/{usr/,}bin/**", "/usr/bin/sh"], ["/{usr/,}bin/**", "/usr/sbin/sh"],
  ["/{,usr/}{,s}bin/x", "/usr/sbin/x"], ["/{,usr/}{,s}bin/x", "/sbin/x"],
  ["/{a,b{c,d{e,f}}}/x", "/bdf/x"], ["/{a,b{c,d{e,f}}}/x", "/bd/x"], ["/{a,b{c,d{e,f}}}/x", "/a/x"],
  ["/etc/{passwd,group,shadow}", "/etc/group"], ["/etc/{passwd,group,shadow}", "/etc/gshadow"],
  // \ escapes and regex metacharacters that are literal in AARE
  ["/tmp/a\\[1\\]", "/tmp/a[1]"], ["/tmp/a\\[1\\]", "/tmp/a1"], ["/tmp/a\\,b", "/tmp/a,b"], ["/tmp/x\\.y", "/tmp/x.y"], ["/tmp/x\\.y", "/tmp/xzy"],
  ["/tmp/a b", "/tmp/a b"], ["/tmp/a+b", "/tmp/a+b"], ["/tmp/a+b", "/tmp/aab"], ["/tmp/a.b", "/tmp/axb"], ["/tmp/(x)", "/tmp/(x)"], ["/tmp/$x", "/tmp/$x"],
];

function oracle(table: Array<[string, string]>): boolean[] {
  const script = [
    "import json, sys",
    "from apparmor.aare import AARE",
    "t = json.load(sys.stdin)",
    "print(json.dumps([bool(AARE(p, True).match(s)) for p, s in t]))",
  ].join("\n");
  const r = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(table), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as boolean[];
}

describe.skipIf(!oracleReady)("matchAare agrees with apparmor.aare (skipped: python3-apparmor not importable)", () => {
  it(`agrees on all ${TABLE.length} pairs`, () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
    const expected = oracle(TABLE);
    const ours = TABLE.map(([p, s]) => matchAare(p, s));
    const diffs = TABLE.map(([p, s], i) => (ours[i] === expected[i] ? "" : `${p} ~ ${s}: ours ${ours[i]}, oracle ${expected[i]}`)).filter(Boolean);
    expect(diffs).toEqual([]);
    // The table exercises both outcomes.
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    expect(expected.filter((x) => !x).length).toBeGreaterThan(20);
  });

  it("documents where apparmor_parser (and so the kernel) and the Python utils differ", () => {
    // parser_regex.c makes a `*` right after `/` non-empty only when it ends the pattern or a
    // path component; python3-apparmor requires it after every `/`.
    const pairs: Array<[string, string]> = [["/foo/*.txt", "/foo/.txt"], ["/a/*b", "/a/b"]];
    expect(oracle(pairs)).toEqual([false, false]);
    expect(pairs.map(([p, s]) => matchAare(p, s))).toEqual([true, true]);
  });
});

describe("matchAare without the oracle", () => {
  it("keeps the `/` rules of apparmor_parser", () => {
    expect(matchAare("/tmp/**", "/tmp/")).toBe(false);
    expect(matchAare("/tmp/**", "/tmp/a/")).toBe(true);
    expect(matchAare("/tmp/*", "/tmp/a/")).toBe(false);
    expect(matchAare("/tmp/?", "/tmp//")).toBe(false);
  });

  it("runs the same on both engines (RegExp for up to two `*`, NFA beyond)", () => {
    const extra: Array<[string, string]> = [["/a/*/b*/c*", "/a/x/by/cz"], ["/a/*/b*/c*", "/a/x/y/cz"], ["/{a*,b**}/c*/d*", "/bq/r/c1/d2"], ["/**/*/**", "/a/"]];
    for (const [p, s] of [...TABLE, ...extra]) expect(compileAareNfa(p).test(s), `${p} ~ ${s}`).toBe(compileAare(p).engine === "regexp" ? compileAare(p).test(s) : new RegExp(compileAare(p).source).test(s));
    expect(compileAare("/a/*/b*/c*").engine).toBe("nfa");
    expect(compileAare("/a/*/b*").engine).toBe("regexp");
  });

  it("does not backtrack catastrophically", () => {
    const pattern = "/a/*a*a*a*a*a*a*a*a*a*b";
    const path = `/a/${"a".repeat(60)}`;
    const t0 = performance.now();
    expect(matchAare(pattern, path)).toBe(false);
    expect(matchAare("/**/**/**/**/**/x", `/${"a/".repeat(40)}y`)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(compileAare("/x/***").source).not.toMatch(/\)\*|\)\+/);
  });

  it("compiles each pattern once", () => {
    expect(compileAare("/cached/*")).toBe(compileAare("/cached/*"));
  });

  it("tells whether one glob covers another (sound approximation)", () => {
    expect(aareCovers("/run/user/[0-9]*/**", "/run/user/1000/netns/*")).toBe(true);
    expect(aareCovers("/run/user/[0-9]*/netns/*", "/run/user/[0-9]*/**")).toBe(false);
    expect(aareCovers("/tmp/**", "/tmp/*")).toBe(true);
    expect(aareCovers("/tmp/*", "/tmp/**")).toBe(false);
    expect(aareCovers("/tmp/*", "/tmp/?")).toBe(true);
    expect(aareCovers("/tmp/?", "/tmp/*")).toBe(false);
    expect(aareCovers("/dev/tty[0-9a-z]", "/dev/tty[3-5]")).toBe(true);
    expect(aareCovers("/dev/tty[0-4]", "/dev/tty[3-5]")).toBe(false);
    expect(aareCovers("/{usr/,}bin/**", "/usr/bin/{a,b}")).toBe(true);
    expect(aareCovers("/usr/bin/{a,c}", "/usr/bin/{a,b}")).toBe(false);
    expect(aareCovers("/proc/[0-9]*/ns/net", "/proc/[1-9]/ns/net")).toBe(true);
    expect(aareCovers("/a/*/c", "/a/b*/c")).toBe(true);
    expect(aareCovers("/a/*/c", "/a/*/c")).toBe(true);
  });

  it("tells whether two globs overlap", () => {
    expect(aareOverlaps("/tmp/*.log", "/tmp/a*")).toBe(true);
    expect(aareOverlaps("/tmp/*.log", "/var/*")).toBe(false);
    expect(aareOverlaps("/a/**", "/a/b/[0-9]")).toBe(true);
    expect(aareOverlaps("/a/[a-c]", "/a/[d-f]")).toBe(false);
    expect(aareOverlaps("/a/*", "/a/b/*")).toBe(false);
  });
});
