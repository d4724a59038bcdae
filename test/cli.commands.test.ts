/**
 * The command line as a user meets it: help, version, the parse and analyze commands on the
 * bundled samples, and clear one-line errors with exit statuses instead of stack traces.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aalens, ROOT } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aalens-cli-"));

/** An independent count of AppArmor denials in the samples: every text the samples hold, grepped. */
function grepDenials(): number {
  let n = 0;
  for (const f of readdirSync(join(ROOT, "samples"))) {
    const raw = readFileSync(join(ROOT, "samples", f));
    const text = f.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    for (const line of text.split("\n")) {
      let body = line;
      if (f.endsWith(".json") && line.startsWith("{")) {
        const m = (JSON.parse(line) as { MESSAGE: string | number[] }).MESSAGE;
        body = typeof m === "string" ? m : Buffer.from(m).toString("utf8");
      }
      if (/apparmor="?(DENIED|KILLED)/.test(body)) n++;
    }
  }
  return n;
}

describe("aalens", () => {
  it("prints its version", () => {
    const r = aalens(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });

  it("has help with examples for every command", () => {
    for (const args of [["--help"], ["parse", "--help"], ["analyze", "--help"]]) {
      const r = aalens(args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/Usage: aalens/);
      expect(r.stdout).toMatch(/Examples?:/);
    }
  });

  it("rejects an unknown command or option with one line and status 1", () => {
    for (const args of [["frobnicate"], ["analyze", "--frobnicate"], ["analyze", "--format", "yaml", "samples/"]]) {
      const r = aalens(args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^aalens: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("aalens parse", () => {
  it("writes one NDJSON object per record with the documented keys", () => {
    const r = aalens(["parse", "samples/audit.log"]);
    expect(r.status).toBe(0);
    const records = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const fileLines = readFileSync(join(ROOT, "samples/audit.log"), "utf8").trim().split("\n");
    expect(records).toHaveLength(fileLines.length);
    expect(Object.keys(records[0])).toEqual(["source", "line", "format", "type", "auditId", "time", "host", "mode", "fields", "msg"]);
    expect(records.map((x) => x.line)).toEqual(fileLines.map((_, i) => i + 1));
  });

  it("reads stdin when it is piped", () => {
    const line = 'type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="open" profile="passt" name="/dev/net/tun" pid=1 comm="pasta"\n';
    const r = aalens(["parse"], line);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: "-", line: 1, type: "AVC", mode: "DENIED", fields: { name: "/dev/net/tun" } });
  });
});

describe("aalens analyze", () => {
  it("finds every denial in the bundled samples", () => {
    const r = aalens(["analyze", "--format", "json", "samples/"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // journal.json carries its pasta event through both the kernel and the audit transport: once.
    expect(report.summary.duplicates).toBe(1);
    expect(report.summary.denials + report.summary.duplicates).toBe(grepDenials());
    expect(report.summary.unparsed).toBe(0);
    expect(report.summary.denials).toBe(report.denials.reduce((n: number, g: { count: number }) => n + g.count, 0));
    expect(report.inputs.map((i: { source: string }) => i.source).sort()).toEqual(readdirSync(join(ROOT, "samples")).map((f) => `samples/${f}`).sort());
  });

  it("prints a terminal report grouped by profile", () => {
    const r = aalens(["analyze", "samples/dmesg.txt"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/profile passt\s+\(3 denials\)/);
    expect(r.stdout).toMatch(/\/dev\/net\/tun/);
  });

  it("goes on past an unreadable input, names it once and exits 2", () => {
    const r = aalens(["analyze", "--format", "json", "samples/dmesg.txt", join(tmp, "missing.log"), "samples/kern.log"]);
    expect(r.status).toBe(2);
    const errors = r.stderr.trim().split("\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("missing.log");
    const report = JSON.parse(r.stdout);
    expect(report.inputs.map((i: { source: string }) => i.source)).toEqual(["samples/dmesg.txt", "samples/kern.log"]);
    expect(report.summary.inputErrors).toBe(1);
  });

  it("counts a 10 MB line and a truncated record with reasons, keeping the rest", () => {
    const good = readFileSync(join(ROOT, "samples/dmesg.txt"), "utf8");
    const path = join(tmp, "hostile.log");
    writeFileSync(path, good + "apparmor=" + "A".repeat(10 * 1024 * 1024) + "\n" + "type=AVC msg=audit(1764382380.412:1250): \n" + good);
    const r = aalens(["analyze", "--format", "json", path]);
    expect(r.status).toBe(2);
    const report = JSON.parse(r.stdout);
    const perCopy = good.split("\n").filter((l) => /apparmor="(DENIED|KILLED)"/.test(l)).length;
    // The second copy holds the same kernel events (same audit ids): counted once, as duplicates.
    expect(report.summary.denials).toBe(perCopy);
    expect(report.summary.duplicates).toBe(good.split("\n").filter((l) => l.includes("apparmor=")).length);
    expect(report.summary.skippedLines).toBe(1);
    expect(report.summary.unparsed).toBe(1);
    const reasons = report.unparsed.map((u: { code: string; message: string }) => `${u.code}: ${u.message}`).join("\n");
    expect(reasons).toMatch(/longer than 65536/);
    expect(reasons).toMatch(/truncated/);
  });

  it("never lets terminal escapes from a log reach the terminal", () => {
    const evil = Buffer.from("\x1b[2J\x1b]0;pwned\x07").toString("hex").toUpperCase();
    const path = join(tmp, "escape.log");
    writeFileSync(path, `type=AVC msg=audit(1764382380.412:1250): apparmor="DENIED" operation="open" profile="p" name=${evil} pid=1 comm=${evil}\n`);
    const r = aalens(["analyze", path]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain("\\x1b[2J");
  });
});
