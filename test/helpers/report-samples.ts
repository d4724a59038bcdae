/**
 * The bundled samples read through the library, as `analyze --no-policy samples/` reads them,
 * made independent of the machine: and golden-file comparison for the renderers' tests.
 *
 * - Time zone: dates without a zone (BSD syslog, `ausearch -i`) are local time, so the samples are
 *   read with TZ=UTC.
 * - Year: BSD syslog dates have no year; the parser takes the one that puts the date closest
 *   before now. The clock is pinned to SAMPLES_NOW while reading, so samples/kern.log and
 *   samples/journal-short.txt give 2025 whatever the date.
 * - Paths: the samples are read by absolute path and their sources written relative to the
 *   repository (samples/…), whatever the working directory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, vi } from "vitest";
import { readRecords } from "../../src/parse/read-records.js";
import { Collector } from "../../src/analysis/collector.js";
import { buildReport } from "../../src/report/report.js";
import type { AnalyzedEvent } from "../../src/analysis/enrich.js";
import type { AnalyzeReport } from "../../src/report/model.js";
import { ROOT } from "./cli.js";

export const SAMPLES_NOW = new Date("2026-01-15T12:00:00Z");
export const GOLDEN_DIR = join(ROOT, "test", "golden");

export interface SampleReport {
  views: AnalyzedEvent[];
  report: AnalyzeReport;
}

/** Source paths relative to the repository (as the CLI prints them when run from it). */
function relativeSource(source: string): string {
  const prefix = join(ROOT, "samples") + "/";
  return source.startsWith(prefix) ? "samples/" + source.slice(prefix.length) : source;
}

export async function readSamples(): Promise<SampleReport> {
  const tz = process.env.TZ;
  process.env.TZ = "UTC";
  vi.useFakeTimers({ now: SAMPLES_NOW, toFake: ["Date"] });
  try {
    // Node applies TZ at once (since v13); say so if this runner does not.
    expect(new Date(2025, 10, 29, 12).getTimezoneOffset(), "TZ=UTC did not take effect: run in vitest's forks pool (the default), where process.env.TZ applies").toBe(0);
    const views: AnalyzedEvent[] = [];
    const builder = new Collector({ onEvent: (v) => views.push(v) });
    await readRecords([join(ROOT, "samples")], {
      record: (r, text) => builder.record({ ...r, source: relativeSource(r.source) }, text),
      header: (h, text) => builder.header({ ...h, source: relativeSource(h.source) }, text),
      unparsed: (s) => builder.skipped({ ...s, source: relativeSource(s.source) }),
      other: (line) => builder.other({ ...line, source: relativeSource(line.source) }),
      framingSkip: (s) => builder.framingSkip({ ...s, source: relativeSource(s.source) }),
      line: () => builder.line(),
      sourceError: (source, message) => builder.sourceError(relativeSource(source), message),
      sourceDone: (summary) => builder.sourceDone({ ...summary, source: relativeSource(summary.source) }),
      note: (message) => builder.note(message),
    });
    const state = builder.state();
    // No policy checker: rules are "unknown", as with --no-policy.
    return { views, report: buildReport(state) };
  } finally {
    vi.useRealTimers();
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
}

/**
 * Compare `actual` with test/golden/<name> byte for byte. With UPDATE_GOLDEN=1 the file is
 * (re)written instead: review the diff before committing it.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report. and review it`);
  const expected = readFileSync(path);
  expect(actual).toBe(expected.toString("utf8"));
  expect(Buffer.from(actual, "utf8").equals(expected), `${name} differs byte for byte`).toBe(true);
}
