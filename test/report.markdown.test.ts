/**
 * Markdown report as a spec: the text report's content as GitHub Markdown, whose structure no log
 * value can change — tables keep their width, fenced blocks stay balanced, no control character
 * gets through — and a golden file of the bundled samples.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { codeSpan, fenced, renderMarkdown } from "../src/report/markdown.js";
import { expectGolden, readSamples } from "./helpers/report-samples.js";

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase();

let serial = 700;
function avc(body: string): string {
  serial++;
  return `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" ${body}`;
}

function reportOf(lines: string[]) {
  const b = new Collector();
  lines.forEach((text, i) => {
    b.line();
    const r = parseLine({ source: "t.log", line: i + 1, text });
    if (r?.record) b.record(r.record, text);
    else if (r?.skipped) b.skipped(r.skipped);
  });
  return buildReport(b.state());
}

interface Fence {
  open: number;
  close: number;
  info: string;
}

/** CommonMark fenced code blocks (backtick fences); throws when one is left open. */
function fences(md: string): Fence[] {
  const lines = md.split("\n");
  const out: Fence[] = [];
  let open: { at: number; len: number; info: string } | null = null;
  lines.forEach((line, i) => {
    if (open === null) {
      const m = /^ {0,3}(`{3,})([^`]*)$/.exec(line);
      if (m) open = { at: i, len: m[1]!.length, info: m[2]!.trim() };
    } else {
      const m = /^ {0,3}(`{3,})[ \t]*$/.exec(line);
      if (m && m[1]!.length >= open.len) {
        out.push({ open: open.at, close: i, info: open.info });
        open = null;
      }
    }
  });
  if (open !== null) throw new Error(`fence opened at line ${(open as { at: number }).at + 1} is never closed`);
  return out;
}

/** Lines outside fenced blocks. */
function outsideFences(md: string): string[] {
  const lines = md.split("\n");
  const inside = new Set<number>();
  for (const f of fences(md)) for (let i = f.open; i <= f.close; i++) inside.add(i);
  return lines.filter((_, i) => !inside.has(i));
}

/** GFM tables (outside fences): runs of lines starting with `|`. */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of [...outsideFences(md), ""]) {
    if (line.startsWith("|")) current.push(line);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  return out;
}

/** Cell delimiters of a row as GFM counts them: a `|` right after a backslash is part of the cell. */
const delimiters = (row: string) => row.match(/(?<!\\)\|/g)?.length ?? 0;

function expectWellFormed(md: string): void {
  expect(md).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  for (const f of fences(md)) expect(["apparmor", "text"]).toContain(f.info);
  for (const t of tables(md)) {
    expect(t.length).toBeGreaterThanOrEqual(3);
    expect(t[1]).toMatch(/^\|(?: -+:? \|)+$/);
    const width = delimiters(t[0]!);
    for (const row of t) expect(delimiters(row), row).toBe(width);
  }
  // Outside fences, only aalens's own lines start a block: headings, list items, tables, prose.
  for (const line of outsideFences(md)) {
    if (line.startsWith("#")) expect(line).toMatch(/^#{2,4} (aalens analyze|Headline|Summary|Denials|Profile |Incident |pasta |Suggested rules|Evidence|\[\w+\] |Unreadable|Records kept|Inputs that)/);
    expect(line).not.toMatch(/^ {0,3}(```|~~~)/);
  }
}

/** Code spans in a line, with GFM's `\|` unescaped: [fence, content]. */
function codeSpans(line: string): Array<[string, string]> {
  const text = line.replace(/\\\|/g, "|");
  const out: Array<[string, string]> = [];
  const re = /(?<!`)(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (const m of text.matchAll(re)) out.push([m[1]!, m[2]!]);
  return out;
}

describe("Markdown report", () => {
  it("has the text report's sections: summary, denials by profile, pasta, rules, evidence", () => {
    const md = renderMarkdown(reportOf([
      avc('operation="open" class="file" profile="passt" name="/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f" pid=24790 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0'),
      avc('operation="open" class="file" profile="passt" name="/dev/net/tun" pid=24790 comm="pasta" requested_mask="wr" denied_mask="wr" fsuid=1000 ouid=0'),
      avc('operation="open" class="file" profile="/usr/sbin/chronyd" name="/etc/shadow" pid=9 comm="chronyd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0'),
    ]));
    expectWellFormed(md);
    expect(md).toContain("- read 3 lines from 0 inputs: 3 audit records, 3 AppArmor events, 3 denials\n");
    expect(md).toContain("#### Profile `passt` (2 denials)\n\n| count | operation | class | denied | comm | resource |\n| ---: | --- | --- | --- | --- | --- |\n");
    expect(md).toContain("| 1 | `open` | file | `wr` | `pasta` | `/dev/net/tun` |\n");
    expect(md).toMatch(/### pasta \(Podman\/Buildah networking\): 1 incident\n\n#### Incident 1: .* — started by podman-container/);
    expect(md).toContain("- ✗ fatal **netns-open**: `open /run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f`");
    // Prose first, then the rules under the file they go in, in an apparmor block.
    expect(md).toMatch(/#### \[error\] symlink-profile: .*\n\n.*\n\nFix:\n\n- Packaging fix: .*\n- If the package cannot change now, .*\n- In .*local\/passt\):\n\n```apparmor\n@\{run\}\/user\/@\{uid\}\/\*\* rw,\n\/dev\/net\/tun rw,\n```\n/);
    // Suggested rules: one ```apparmor block per profile, a dangerous rule commented out.
    expect(md).toContain("#### Profile `/usr/sbin/chronyd`\n\n```apparmor\n# aalens: 0 suggested rule(s) for profile /usr/sbin/chronyd\n");
    expect(md).toMatch(/# WARNING: read access to \/etc\/shadow .* — not suggested; uncomment only after review:\n# owner \/etc\/shadow r,\n/);
    expect(md).toMatch(/### Evidence\n\nThe first log line of each denial group above:\n\n```text\nt\.log:\d  type=AVC msg=audit/);
    expect(md).not.toContain("### Unreadable");
    expect(md).not.toContain("### Records kept");
    expect(md).not.toContain("### Inputs that");
  });

  it("says when nothing was denied", () => {
    const md = renderMarkdown(reportOf([]));
    expect(md).toContain("### Denials\n\nNo AppArmor denials found.\n");
    expect(md).not.toContain("```");
    expectWellFormed(md);
  });

  it("lists unreadable lines, warnings and unreadable inputs when there are some", () => {
    const report = reportOf([
      "type=AVC msg=audit(garbage | `x`",
      'type=AVC msg=audit(1764382380.1:5): apparmor="DENIED" operation="open" name="/x|y" comm="un|terminated',
    ]);
    report.errors.push({ source: "/var/log/a|`b`.log", code: "permission-denied", message: "EACCES: permission denied" });
    const md = renderMarkdown(report);
    expectWellFormed(md);
    expect(md).toContain("### Unreadable or dropped lines\n\n| count | reason | first example |\n| ---: | --- | --- |\n| 1 | `truncated-header: audit header");
    expect(md).toContain("### Records kept with warnings\n\n| count | reason | first example |\n");
    expect(md).toContain("### Inputs that could not be read\n\n- ``/var/log/a|`b`.log``: EACCES: permission denied (permission-denied)\n");
  });

  it("keeps tables, fences and headings intact whatever the log values hold", () => {
    const evil = "\x1b[2J\x00\u202E```\n# injected heading\n```\n| --- | x |\n<img src=x onerror=alert(1)> *bold* [l](http://x) @someone";
    const report = reportOf([
      avc(`operation="open" class="file" profile=${hex("prof```|`x`")} name=${hex("/tmp/" + evil)} pid=1 comm=${hex("c`|``|```")} requested_mask="r" denied_mask="r"`),
      avc(`operation="open" class="file" profile="p" name="/tmp/\`\`\`\`\`\`|raw|fence" pid=1 comm="a|b" requested_mask="r" denied_mask="r"`),
      avc(`operation="open" class="file" profile="passt" name=${hex("/run/user/1000/netns/netns-```|x")} pid=5 comm=${hex("pasta")} requested_mask="r" denied_mask="r"`),
    ]);
    const md = renderMarkdown(report);
    expectWellFormed(md);
    // Each fence is longer than any backtick run inside it, so every block ends where it should.
    const blocks = fences(md);
    expect(blocks.map((f) => f.info).sort()).toEqual(expect.arrayContaining(["apparmor", "apparmor", "apparmor", "text"]));
    const lines = md.split("\n");
    for (const f of blocks) {
      const fenceLen = /^`+/.exec(lines[f.open]!)![0].length;
      for (const l of lines.slice(f.open + 1, f.close)) expect(Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))).toBeLessThan(fenceLen);
    }
    // The raw line with six backticks is in the evidence block, not outside it.
    const evidence = blocks.find((f) => f.info === "text")!;
    expect(lines.slice(evidence.open + 1, evidence.close).some((l) => l.includes('name="/tmp/``````|raw|fence"'))).toBe(true);
    // Log values outside fences are in code spans whose fence no inner run matches.
    for (const line of outsideFences(md)) {
      for (const [fence, content] of codeSpans(line)) expect(content.match(/`+/g) ?? []).not.toContain(fence);
      const bare = line.replace(/\\\|/g, "|").replace(/(?<!`)(`+)[\s\S]*?[^`]\1(?!`)/g, "");
      expect(bare, line).not.toMatch(/<img|\*bold\*|\[l\]|@someone|injected|\x1b/);
    }
    expect(md).toContain("\\x1b[2J\\x00\\u202e");
    expect(md).toContain("#### Profile ```` prof```|`x` ```` (1 denial)");
    expect(md).toContain("| `open` | file | `r` | ```` c`\\|``\\|``` ```` |");
  });

  it("lists at most --top groups per profile, says how many more, and never cuts a resource", () => {
    const long = "/srv/" + "a".repeat(300);
    const lines = [avc(`operation="open" class="file" profile="p" name="${long}" pid=1 comm="a" requested_mask="r" denied_mask="r"`)];
    for (let i = 0; i < 5; i++) lines.push(avc(`operation="open" class="file" profile="p" name="/srv/f${i}" pid=1 comm="a" requested_mask="r" denied_mask="r"`));
    const md = renderMarkdown(reportOf(lines), { top: 3, maxCell: 40 });
    expectWellFormed(md);
    const rows = tables(md)[0]!;
    expect(rows).toHaveLength(2 + 3);
    // Two resources that differ only at the end must not look the same: the cell holds it whole.
    expect(rows.some((row) => row.includes(`\`${long}\``))).toBe(true);
    expect(md).toContain("\n… and 3 more (3 denials)\n");
    // Rules are never cut: they are meant to be copied.
    expect(md).toContain(`${long} r,`);
  });
});

describe("Markdown building blocks", () => {
  it("codeSpan holds any value literally", () => {
    expect(codeSpan("plain")).toBe("`plain`");
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`x`")).toBe("`` `x` ``");
    expect(codeSpan("```")).toBe("```` ``` ````");
    expect(codeSpan(" both ")).toBe("`  both  `");
    expect(codeSpan("line\nbreak\x1b")).toBe("`line\\nbreak\\x1b`");
    expect(codeSpan("")).toBe("");
  });

  it("fenced uses a fence longer than any backtick run inside", () => {
    expect(fenced("text", ["a", "b"])).toEqual(["```text", "a", "b", "```"]);
    expect(fenced("text", ["```", "x ````` y"])).toEqual(["``````text", "```", "x ````` y", "``````"]);
  });
});

describe("Markdown of the bundled samples (golden file)", () => {
  it("matches test/golden/samples.md", async () => {
    const { report } = await readSamples();
    const md = renderMarkdown(report);
    expectWellFormed(md);
    expectGolden("samples.md", md);
  });
});
