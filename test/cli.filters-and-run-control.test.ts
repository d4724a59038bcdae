/**
 * Filters and run control: --since/--until (ISO and relative), --profile globs, --host, --pasta,
 * --fail-on-denials, colour only where it belongs, and the progress line.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseTimeOption } from "../src/cli/options.js";
import { Progress } from "../src/cli/progress.js";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { renderText } from "../src/report/text.js";
import { aalens } from "./helpers/cli.js";

const json = (args: string[]) => JSON.parse(aalens(["analyze", "--no-policy", "--format", "json", ...args]).stdout);

describe("filters", () => {
  it("--since and --until keep the events inside the window", () => {
    const all = json(["samples/audit.log"]);
    const window = json(["--since", "2025-11-29T02:13:05Z", "--until", "2025-11-29T02:13:40Z", "samples/audit.log"]);
    const times = window.denials.flatMap((g: { firstSeen: string; lastSeen: string }) => [g.firstSeen, g.lastSeen]);
    expect(times.every((t: string) => t >= "2025-11-29T02:13:05Z" && t <= "2025-11-29T02:13:40Z")).toBe(true);
    expect(window.summary.denials).toBeLessThan(all.summary.denials);
    expect(window.summary.filtered + window.summary.apparmor).toBe(all.summary.apparmor);
  });

  it("relative times count back from now", () => {
    expect(parseTimeOption("2h", "since", 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseTimeOption("1d", "since", 100_000_000)).toBe(100_000_000 - 86_400_000);
    expect(() => parseTimeOption("soon", "since")).toThrow(/ISO date/);
  });

  it("--profile takes globs and repeats; --host picks hosts; --pasta keeps pasta's events", () => {
    const profiles = (r: { denials: Array<{ profile: string }> }) => [...new Set(r.denials.map((d) => d.profile))].sort();
    expect(profiles(json(["--profile", "pass*", "--profile", "/usr/sbin/*", "samples/"]))).toEqual(["/usr/sbin/chronyd", "/usr/sbin/cupsd", "/usr/sbin/ntpd", "passt"]);
    expect(profiles(json(["--host", "noble", "samples/"]))).toEqual(["/usr/sbin/cupsd", "pasta", "snap.signal-desktop.signal-desktop", "unprivileged_userns"]);
    const pasta = json(["--pasta", "samples/"]);
    expect(pasta.denials.every((d: { comms: string[] }) => d.comms.some((c) => /^(pasta|passt|podman)/.test(c)))).toBe(true);
    expect(pasta.denials.length).toBeGreaterThan(5);
  });
});

describe("run control", () => {
  it("--fail-on-denials exits 3 when there are denials, 0 when there are none", () => {
    expect(aalens(["analyze", "--no-policy", "--fail-on-denials", "samples/dmesg.txt"]).status).toBe(3);
    expect(aalens(["analyze", "--no-policy", "--fail-on-denials", "--profile", "nothing-like-this", "samples/dmesg.txt"]).status).toBe(0);
  });

  it("colours only when asked, and never lets a log value carry an escape", () => {
    const hostile = Buffer.from("/tmp/\x1b[2Jx").toString("hex").toUpperCase();
    const text = `type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="open" profile="p" name=${hostile} pid=1 comm="a" requested_mask="r" denied_mask="r"`;
    const b = new Collector();
    b.record(parseLine({ source: "t", line: 1, text })!.record!, text);
    const report = buildReport(b.state());
    const plain = renderText(report);
    const colored = renderText(report, { color: true });
    expect(plain).not.toMatch(/\x1b/);
    expect(colored).toMatch(/\x1b\[1m/);
    // Every escape in the coloured text is one of ours (SGR), none is the log's \x1b[2J.
    expect(colored.match(/\x1b\[[0-9;]*[A-Za-z]/g)!.every((e) => /^\x1b\[[0-9;]*m$/.test(e))).toBe(true);
    expect(colored).toContain("\\x1b[2J");
  });

  it("no colour in piped output (the CLI here writes to a pipe)", () => {
    expect(aalens(["analyze", "--no-policy", "samples/dmesg.txt"]).stdout).not.toMatch(/\x1b/);
  });

  it("the progress line shows bytes of the total and lines/s, and clears itself", () => {
    let written = "";
    const sink = new Writable({ write(chunk, _e, cb) { written += chunk.toString(); cb(); } }) as unknown as NodeJS.WriteStream;
    const p = new Progress(2_000_000, sink);
    p.onBytes(1_000_000);
    p.done();
    expect(written).toMatch(/read 1\.0 of 2\.0 MB 50%, [\d,]+ lines\/s/);
    expect(written.endsWith("\r\x1b[K")).toBe(true);
  });
});
