/**
 * Times as journalctl shows them: local time with its offset by default, UTC with --utc, and
 * --since/--until without an offset read in that same zone. The JSON report keeps UTC. The CSV
 * time columns are written in the one form spreadsheets import as date-times (checked with a real
 * LibreOffice Calc), with the offset in its own column.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT } from "./helpers/cli.js";
import { parseRfc4180 } from "./helpers/rfc4180.js";

/** aalens in a given zone. */
function inZone(tz: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, TZ: tz, NO_COLOR: "1" } });
}

const dir = mkdtempSync(join(tmpdir(), "aalens-tz-"));
const log = join(dir, "audit.log");
// 2025-11-29 01:00:00Z, 02:00:00Z and 03:00:00Z: 02:00, 03:00 and 04:00 in Berlin (CET, +01:00).
writeFileSync(
  log,
  [1764378000, 1764381600, 1764385200]
    .map((t, i) => `type=AVC msg=audit(${t}.250:${700 + i}): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/clock${i}" name="/etc/clock${i}" pid=${10 + i} comm="clock" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`)
    .join("\n") + "\n",
);

describe("times in reports", () => {
  it("are local with their offset by default, UTC with --utc, and UTC in JSON", () => {
    const local = inZone("Europe/Berlin", ["rules", "--no-policy", log]).stdout;
    expect(local).toContain("2025-11-29T02:00:00.250+01:00");
    const utc = inZone("Europe/Berlin", ["rules", "--utc", "--no-policy", log]).stdout;
    expect(utc).toContain("2025-11-29T01:00:00.250+00:00");
    expect(utc).not.toContain("+01:00");
    const json = JSON.parse(inZone("Europe/Berlin", ["analyze", "--format", "json", "--no-policy", log]).stdout);
    expect(json.denials.map((g: { firstSeen: string }) => g.firstSeen).sort()).toEqual(["2025-11-29T01:00:00.250Z", "2025-11-29T02:00:00.250Z", "2025-11-29T03:00:00.250Z"]);
  });

  it("reads --since and --until without an offset in the zone the report shows", () => {
    const profiles = (tz: string, args: string[]) =>
      (JSON.parse(inZone(tz, ["analyze", "--format", "json", "--no-policy", ...args, log]).stdout).denials as Array<{ profile: string }>).map((g) => g.profile).sort();
    // 03:00 Berlin is 02:00Z: the second and third events.
    expect(profiles("Europe/Berlin", ["--since", "2025-11-29 03:00"])).toEqual(["/usr/bin/clock1", "/usr/bin/clock2"]);
    // With --utc the same words mean 03:00Z: the third only.
    expect(profiles("Europe/Berlin", ["--utc", "--since", "2025-11-29 03:00"])).toEqual(["/usr/bin/clock2"]);
    expect(profiles("Europe/Berlin", ["--until", "2025-11-29T02:30:00"])).toEqual(["/usr/bin/clock0"]);
    // An explicit offset is an instant, whatever the zone.
    expect(profiles("America/New_York", ["--since", "2025-11-29T02:00:00Z"])).toEqual(["/usr/bin/clock1", "/usr/bin/clock2"]);
    // A date alone is local midnight: nothing of the 29th is left out in New York (the 28th there).
    expect(profiles("America/New_York", ["--since", "2025-11-29"])).toEqual([]);
    expect(profiles("America/New_York", ["--since", "2025-11-28"])).toHaveLength(3);
  });

  it("writes CSV times a spreadsheet imports as date-times, with the offset beside them", () => {
    const r = inZone("Europe/Berlin", ["analyze", "--format", "csv", "--no-policy", log]);
    const [header, ...rows] = parseRfc4180(r.stdout);
    const at = (k: string) => header!.indexOf(k);
    expect(rows.map((row) => row[at("time")])).toEqual(["2025-11-29 02:00:00.250", "2025-11-29 03:00:00.250", "2025-11-29 04:00:00.250"]);
    expect(rows.map((row) => row[at("utc_offset")])).toEqual(["UTC+01:00", "UTC+01:00", "UTC+01:00"]);
    const csv = join(dir, "denials.csv");
    writeFileSync(csv, r.stdout);
    // LibreOffice Calc's own import (comma-separated, UTF-8, header row), saved as flat ODS.
    const lo = spawnSync("soffice", ["--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "fods", "--outdir", dir, csv], { encoding: "utf8", timeout: 120_000, env: { ...process.env, HOME: dir } });
    expect(lo.status, lo.stderr).toBe(0);
    const fods = readFileSync(join(dir, "denials.fods"), "utf8");
    const dates = [...fods.matchAll(/office:value-type="date" office:date-value="([^"]+)"/g)].map((m) => m[1]);
    expect(dates).toEqual(["2025-11-29T02:00:00.25", "2025-11-29T03:00:00.25", "2025-11-29T04:00:00.25"]);
    // The offset cell is text, not a formula or a number.
    expect(fods).toContain("<text:p>UTC+01:00</text:p>");
  });
});
