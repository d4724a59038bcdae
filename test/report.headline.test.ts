/**
 * The report's first screen: the causes found (most severe first) with the first step of each fix,
 * the profiles with the most denials, and how many rules go in which files — before any detail,
 * whatever the size of the input. `--summary` prints only that; `--top N` bounds every list and
 * each cut says how many more there are.
 */
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aalens } from "./helpers/cli.js";

let dir: string;
let noisy: string;
let floods: string;

/** A day of a desktop's journal (short format): service chatter, denials of 40 profiles, and one pasta incident in the middle. */
function noisyJournal(): string {
  const lines: string[] = ["-- Journal begins at Mon 2025-12-01 00:00:01 UTC, ends at Mon 2025-12-01 23:59:59 UTC. --"];
  let serial = 5000;
  for (let i = 0; i < 3000; i++) {
    const t = `Dec 01 ${String(Math.floor(i / 130)).padStart(2, "0")}:${String(Math.floor(i / 3) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}`;
    if (i === 1500) {
      // The incident: pasta, run through the passt symlink, refused the container's netns.
      lines.push(`${t} ws audit[24790]: AVC apparmor="DENIED" operation="open" class="file" profile="passt" name="/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f" pid=24790 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`);
      lines.push(`${t} ws audit[24790]: SYSCALL arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd5e2c1b40 a2=80000 a3=0 items=1 ppid=24771 pid=24790 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="pasta" exe="/usr/bin/passt" subj=passt key=(null)`);
      continue;
    }
    if (i % 6 === 0) {
      const p = (i / 6) % 40;
      const ts = 1764547200 + i;
      lines.push(`${t} ws kernel: audit: type=1400 audit(${ts}.${String(i % 1000).padStart(3, "0")}:${serial++}): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/tool${p}" name="/var/lib/tool${p}/cache/entry${i}.db" pid=${3000 + p} comm="tool${p}" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`);
    } else {
      lines.push(`${t} ws systemd[1]: Started session-${i}.scope - Session ${i} of User alice.`);
    }
  }
  return lines.join("\n") + "\n";
}

/** 250 pasta starts, each refused the tun device: many incidents of one cause. */
function manyIncidents(): string {
  const out: string[] = [];
  for (let i = 0; i < 250; i++) {
    const pid = 40000 + i;
    const ts = 1764547200 + i * 60;
    out.push(`type=AVC msg=audit(${ts}.100:${9000 + i}): apparmor="DENIED" operation="open" class="file" profile="passt" name="/run/user/1000/netns/netns-${String(i).padStart(8, "0")}-3b4a-4c1d-9e8f-0a1b2c3d4e5f" pid=${pid} comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`);
    out.push(`type=SYSCALL msg=audit(${ts}.100:${9000 + i}): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd5e2c1b40 a2=80000 a3=0 items=1 ppid=24771 pid=${pid} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="pasta" exe="/usr/bin/passt" subj=passt key=(null)`);
  }
  return out.join("\n") + "\n";
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aalens-headline-"));
  noisy = join(dir, "journal.txt");
  writeFileSync(noisy, noisyJournal());
  floods = join(dir, "audit.log");
  writeFileSync(floods, manyIncidents());
});

describe("the headline", () => {
  it("puts the diagnosis of a noisy 3,000-line journal on the first screen, with its first step", () => {
    const r = aalens(["analyze", "--no-policy", noisy]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    const at = lines.findIndex((l) => l.includes("[error] symlink-profile"));
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(8);
    expect(lines[at + 1]).toMatch(/first: Packaging fix: install pasta as a hard link/);
    const most = lines.find((l) => l.startsWith("Most denials: "))!;
    // 40 tool profiles with 12 or 13 denials each, passt with one: the five with most, then the rest counted.
    expect(most).toMatch(/^Most denials: \/usr\/bin\/tool\d+ 13, .*, … and 36 more profiles$/);
    expect(lines.findIndex((l) => /^\d[\d,]* rules to add in \d+ files/.test(l))).toBeLessThan(lines.indexOf("Details"));
  });

  it("ranks causes by severity, then by how many incidents each explains", () => {
    const r = aalens(["analyze", "--format", "json", "--summary", "--no-policy", "samples/"]);
    const h = JSON.parse(r.stdout).headline as { causes: Array<{ severity: string; count: number }> };
    const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
    expect(h.causes.length).toBeGreaterThan(2);
    for (let i = 1; i < h.causes.length; i++) {
      const a = h.causes[i - 1]!;
      const b = h.causes[i]!;
      expect(rank[a.severity]! < rank[b.severity]! || (a.severity === b.severity && a.count >= b.count)).toBe(true);
    }
  });

  it("--summary prints the headline only, in text, Markdown and JSON", () => {
    const text = aalens(["analyze", "--summary", "--no-policy", noisy]).stdout;
    expect(text).toContain("[error] symlink-profile");
    expect(text).not.toContain("Denials by profile");
    expect(text).not.toContain("Suggested rules");
    const md = aalens(["analyze", "--summary", "--format", "markdown", "--no-policy", noisy]).stdout;
    expect(md).toContain("### Headline");
    expect(md).not.toContain("### Denials by profile");
    const json = JSON.parse(aalens(["analyze", "--summary", "--format", "json", "--no-policy", noisy]).stdout);
    expect(Object.keys(json).sort()).toEqual(["errors", "headline", "summary", "version"]);
    // The full JSON report carries the same headline.
    const full = JSON.parse(aalens(["analyze", "--format", "json", "--no-policy", noisy]).stdout);
    expect(full.headline).toEqual(json.headline);
  });

  it("counts every rule to add by the file it goes in", () => {
    const json = JSON.parse(aalens(["analyze", "--format", "json", "--no-policy", noisy]).stdout);
    const missing = (json.rules as Array<{ status: string; warning?: string }>).filter((r) => r.status === "unknown" && r.warning === undefined).length;
    expect(json.headline.rules.count).toBe(missing);
    const sum = (json.headline.rules.files as Array<{ rules: number }>).reduce((n, f) => n + f.rules, 0);
    expect(sum).toBe(missing);
    expect(json.headline.rules.files.map((f: { file: string }) => f.file)).toContain("the local file the /usr/bin/tool7 profile includes (no installed policy was read; by convention local/usr.bin.tool7)");
  });
});

describe("--top and honest cuts", () => {
  it("bounds every list and says how many more each cut holds", () => {
    const out = aalens(["analyze", "--top", "3", "--no-policy", noisy]).stdout;
    expect(out).toContain("… and 38 more profiles");
    // Per profile: 3 groups shown, the rest counted in groups and denials.
    expect(out).toMatch(/ {4}… and (9|10) more \((9|10) denials; --top N or --format json for all\)/);
    expect(out).toMatch(/ {4}… and (9|10) more rules \(aalens rules prints them all\)/);
  });

  it("says how many incidents there are when only some are listed", () => {
    const out = aalens(["analyze", "--no-policy", floods]).stdout;
    expect(out).toContain("pasta (Podman/Buildah networking): 250 incidents (the first 10 listed; every one is diagnosed below)");
    expect(out).toMatch(/\[error\] symlink-profile: .* \(250 incidents\)/);
    expect(out).toContain("… and 240 more incidents");
    const md = aalens(["analyze", "--format", "markdown", "--no-policy", floods]).stdout;
    expect(md).toContain("### pasta (Podman/Buildah networking): 250 incidents (the first 10 listed");
  });

  it("never cuts a resource: two netns files that differ only at the end both print whole", () => {
    const out = aalens(["analyze", "--no-policy", floods]).stdout;
    expect(out).toContain("/run/user/1000/netns/netns-00000001-3b4a-4c1d-9e8f-0a1b2c3d4e5f");
    expect(out).toContain("/run/user/1000/netns/netns-00000002-3b4a-4c1d-9e8f-0a1b2c3d4e5f");
  });
});

describe("inputs that cannot be read", () => {
  it("are named before the report, which does not claim there were no denials", () => {
    const r = aalens(["analyze", "--no-policy", join(dir, "missing.log")]);
    expect(r.status).toBe(2);
    const lines = r.stdout.split("\n");
    expect(lines[1]).toBe("  1 input could not be read:");
    expect(lines[2]).toMatch(/missing\.log: no such file or directory \(not-found\)/);
    expect(r.stdout).toContain("No AppArmor denials in the inputs that were read.");
    expect(r.stdout).not.toContain("No AppArmor denials found.");
  });
});
