/**
 * Our rules against the profile aa-logprof is expected to write for each single corpus event
 * (the corpus .profile files). Each case must be the same rule, a narrower one, or the same rule
 * written with the tunables' variables; the one known exception is explained below. The tally is
 * printed for the record.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { Mode } from "../src/parse/record.js";
import { CORPUS_DIR, corpusAvailable, loadCorpus } from "./helpers/corpus.js";

const ALL_MODES = new Set<Mode>(["DENIED", "KILL", "ALLOWED", "AUDIT"]);

function ourRules(input: string): string[] {
  const text = input.replace(/\n$/, "");
  const b = new Collector({ modes: ALL_MODES });
  const r = parseLine({ source: "corpus", line: 1, text });
  if (r?.record !== undefined) b.record(r.record, text);
  return buildReport(b.state()).rules.map((x) => x.rule);
}

function theirRules(profile: string): string[] {
  return profile.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.endsWith("{") && l !== "}");
}

/** Our AARE path (variables, escapes, `*`) as a RegExp over literal paths. */
function pathRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    const v = /^@\{(PROC|pid|uid|run|HOME|sys)\}/.exec(rest);
    if (v) {
      // As the tunables define them, without their trailing slash (rules write `@{PROC}/…`).
      re += { PROC: "/proc", pid: "[0-9]+", uid: "[0-9]+", run: "/(?:var/)?run", HOME: "(?:/home/[^/]+|/root)", sys: "/sys" }[v[1]!];
      i += v[0].length - 1;
    } else if (pattern[i] === "\\") re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (pattern[i] === "*") re += "[^/]*";
    else re += pattern[i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const FILE_RULE = /^(owner )?("(?:[^"\\]|\\.)*"|\S+) ([a-zA-Z]+),$/;

type Verdict = "same" | "narrower" | "variable form" | "no rule, as expected" | "coarser: network address/port" | "different";

function compareRule(audited: string, theirs: string): Verdict {
  // aalens keeps an AUDIT event's rule audited (`audit …`); aa-logprof writes it plain.
  const ours = audited.startsWith("audit ") && !theirs.startsWith("audit ") ? audited.slice(6) : audited;
  if (ours === theirs) return "same";
  const o = FILE_RULE.exec(ours);
  const t = FILE_RULE.exec(theirs);
  if (o && t) {
    const unquote = (p: string) => (p.startsWith('"') ? p.slice(1, -1) : p);
    const ourPath = unquote(o[2]!);
    const theirPath = unquote(t[2]!).replace(/\\(.)/g, "$1");
    if (!pathRegex(ourPath).test(theirPath)) return "different";
    const ourPerms = new Set(o[3]!.replace("ix", "x"));
    const theirPerms = new Set(t[3]!.replace("ix", "x"));
    if (![...ourPerms].every((p) => theirPerms.has(p))) return "different";
    if (!o[1] && t[1]) return "different"; // we would allow other users' files: wider
    if (ourPath !== unquote(t[2]!)) return /@\{|\*/.test(ourPath) ? "variable form" : "narrower";
    return "narrower";
  }
  // Non-file rules: ours may name the access list in parentheses and add peer details.
  const norm = (r: string) => r.replace(/^(audit )/, "").replace(/\((\w+)\)/, "$1");
  if (norm(ours) === norm(theirs)) return theirs.startsWith("audit ") ? "narrower" : "same";
  // We add the peer's bus name or label where the event names it: narrower than without.
  const dropName = (r: string) => r.replace(/name=[^,)\s]+, /, "").replace(/ peer=\(name=[^,)\s]+\)/, "");
  const dropLabel = (r: string) => r.replace(/label=[^,)\s]+, /, "").replace(/ peer=\(label=[^,)\s]+\)/, "");
  const mine = norm(ours);
  if ([dropName(mine), dropLabel(mine), dropLabel(dropName(mine))].includes(norm(theirs))) return "narrower";
  if (/^network/.test(theirs) && /(ip|port)=|^network \(/.test(theirs) && /^network \w+ \w+,$/.test(ours)) return "coarser: network address/port";
  return "different";
}

describe.skipIf(!corpusAvailable)("rules vs the corpus .profile files (aa-logprof's expected profiles)", () => {
  const cases = loadCorpus().filter((c) => c.profile !== null);

  it("are the same, narrower, or the same with variables — apart from explained network rules", () => {
    const tally = new Map<Verdict, string[]>();
    for (const c of cases) {
      const ours = ourRules(c.input);
      const theirs = theirRules(c.profile!);
      let verdict: Verdict;
      if (theirs.length === 0) verdict = ours.length === 0 ? "no rule, as expected" : "different";
      else if (ours.length !== theirs.length) verdict = "different";
      else {
        const verdicts = ours.map((r, i) => compareRule(r, theirs[i]!));
        verdict = verdicts.find((v) => v !== "same") ?? "same";
      }
      tally.set(verdict, [...(tally.get(verdict) ?? []), `${c.name}: ours ${JSON.stringify(ours)} theirs ${JSON.stringify(theirs)}`]);
    }
    const summary = Object.fromEntries([...tally].map(([v, list]) => [v, list.length]));
    console.log(`corpus .profile comparison over ${cases.length} cases:`, summary);
    // aa-logprof writes AppArmor 4 fine-grained network rules (ip=, port=, peer=(…), access lists);
    // the apparmor_parser 3.0 these rules must compile with knows only family and type.
    expect(tally.get("different") ?? []).toEqual([]);
    expect(cases.length).toBe(142);
    expect((tally.get("same")?.length ?? 0) + (tally.get("narrower")?.length ?? 0) + (tally.get("variable form")?.length ?? 0)).toBeGreaterThan(100);
  });

  it("compares against the files in place", () => {
    expect(readFileSync(join(CORPUS_DIR, "testcase01.profile"), "utf8")).toMatch(/\/bin\/ping mrix,/);
  });
});
