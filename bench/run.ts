/**
 * `npm run bench`: generates the corpora (bench/generate.ts, reused when present) and measures,
 * side by side in one run, `aalens analyze --format json` (and the streamed csv / ecs exports)
 * at the product's default settings against libapparmor's C parser, aa-logprof's ReadLog and
 * `grep -c apparmor=`, each tool in its own child process (bench/measure.ts).  Prints one table
 * per corpus and one PASS/FAIL line per goal, and writes everything to results.json in the
 * output directory.  See bench/README.md.
 *
 * Environment:
 *   AALENS_BENCH_SCALE    corpus size factor (default 1: 500k pure lines, 200 MB audit.log, 50 MB syslog/journal)
 *   AALENS_BENCH_SEED     PRNG seed (default 20241129)
 *   AALENS_BENCH_RUNS     runs per tool and corpus; the median wall time is reported (default 1;
 *                         aalens's three formats run at least 3 times each on the export corpora)
 *   AALENS_BENCH_TOOLS    comma list to restrict tools: aalens,aalens-csv,aalens-ecs,libapparmor,readlog,grep
 *   AALENS_BENCH_CORPORA  comma list to restrict corpora: apparmor,apparmor-308,apparmor-repeats,apparmor-4x,mixed-audit,mixed-syslog,journal
 *   AALENS_BENCH_OUT      output directory: corpora, manifest, logs, results.json (default bench/out)
 *   AALENS_BENCH_TIMEOUT  per-run timeout in seconds (default 3600)
 *   AALENS_BENCH_RSS      force the RSS method: gnu-time | getrusage | poll
 *   AALENS_BENCH_STRICT   1: exit with status 1 unless every goal is PASS
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS_NAMES, type CorpusInfo, type CorpusName, ensureCorpora, fmtBytes } from "./generate.js";
import { detectRssMethod, type Measurement, measure, median } from "./measure.js";

// ---------------------------------------------------------------------------------------------
// Configuration

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "aalens") return dir;
    } catch {
      /* keep walking */
    }
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function envNumber(name: string, dflt: number, check: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) {
    console.error(`${name}=${raw}: not a valid value`);
    process.exit(2);
  }
  return n;
}

function envList<T extends string>(name: string, allowed: readonly T[]): T[] | undefined {
  const raw = process.env[name];
  if (!raw || !raw.trim()) return undefined;
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length) {
    console.error(`${name}: unknown ${bad.join(", ")} (known: ${allowed.join(", ")})`);
    process.exit(2);
  }
  return items as T[];
}

const ROOT = findRoot();
const OUT = process.env.AALENS_BENCH_OUT?.trim() ? path.resolve(process.env.AALENS_BENCH_OUT.trim()) : path.join(ROOT, "bench", "out");
const SCALE = envNumber("AALENS_BENCH_SCALE", 1, (n) => n > 0 && n <= 100);
const SEED = envNumber("AALENS_BENCH_SEED", 20241129, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32);
const RUNS = envNumber("AALENS_BENCH_RUNS", 1, (n) => Number.isInteger(n) && n >= 1 && n <= 50);
const TIMEOUT_S = envNumber("AALENS_BENCH_TIMEOUT", 3600, (n) => n > 0);
const TOOL_IDS = ["aalens", "aalens-csv", "aalens-ecs", "libapparmor", "readlog", "grep"] as const;
type ToolId = (typeof TOOL_IDS)[number];
const ONLY_TOOLS = envList("AALENS_BENCH_TOOLS", TOOL_IDS);
const ONLY_CORPORA = envList("AALENS_BENCH_CORPORA", CORPUS_NAMES);
const PYTHON = "/usr/bin/python3";
const AALENS_MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");
/** The policy aalens checks rules against by default (when the directory exists). */
const DEFAULT_POLICY_DIR = "/etc/apparmor.d";
/**
 * Runs of each aalens format (json, csv, ecs) on the export corpora, at least: the export goals
 * compare times a few percent apart, and one run each swung the mixed-corpus ECS ratio from 0.95×
 * to 1.30× between two benches of one commit.
 */
const FORMAT_RUNS = 3;
/** Runs of `aalens --version` for the start-up goal (at least). */
const VERSION_RUNS = 10;

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Tools

interface Parsed {
  /** AppArmor records the tool found (its own notion; see README). */
  records: number | null;
  /** One-line human summary of what the tool reported. */
  detail: string;
  /** The tool's machine-readable output (summary), kept in results.json. */
  data?: unknown;
  /** Set when the output shows the tool did not really do the job. */
  error?: string;
}

interface Tool {
  id: ToolId;
  /** Why this tool cannot run at all here (null: it can). Evaluated once. */
  unavailable: () => string | null;
  /** Why this tool does not apply to this corpus (null: it does). */
  notApplicable: (c: CorpusInfo) => string | null;
  command: (file: string) => { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Exit codes that still mean success. */
  okCodes: readonly number[];
  /** stdout goes to /dev/null (the streamed exports), not to a log file. */
  stdoutToNull?: boolean;
  parse: (stdout: string) => Parsed;
}

function probePython(module: string): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8" });
  if (r.status !== 0) return `${PYTHON} cannot import ${module}: ${(r.stderr || "").trim().split("\n").pop() ?? ""}`;
  return null;
}

/** Last JSON object line of a python script's stdout. */
function lastJson(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (l.startsWith("{")) {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return null;
      }
    }
  }
  return null;
}

const n0 = (x: number): string => Math.round(x).toLocaleString("en-US");
const kv = (o: unknown): string =>
  o && typeof o === "object" ? Object.entries(o as Record<string, unknown>).map(([k, v]) => `${k}=${typeof v === "number" ? n0(v) : String(v)}`).join(" ") : "";

/** Pulls `"summary": {…}` out of an aalens report too large (or too odd) to JSON.parse whole. */
function findSummary(text: string): Record<string, unknown> | null {
  const m = /"summary"\s*:\s*(\{[^{}]*\})/.exec(text);
  if (!m) return null;
  try {
    return JSON.parse(m[1]!) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Corpora that only aalens (and grep, as a line count) are run on. */
const AALENS_ONLY: readonly CorpusName[] = ["apparmor-4x"];
/** Where the streamed exports are measured (against json): the pure corpus and the mixed audit.log. */
const EXPORT_CORPORA: readonly CorpusName[] = ["apparmor", "mixed-audit"];

const ALL_TOOLS: Tool[] = [
  {
    id: "aalens",
    unavailable: () => (fs.existsSync(AALENS_MAIN) ? null : `aalens not built (${path.relative(ROOT, AALENS_MAIN)} missing: run npm run build)`),
    notApplicable: () => null,
    // the product's defaults: no flag but the format (rules checked against /etc/apparmor.d when it exists)
    command: (file) => ({ cmd: process.execPath, args: [AALENS_MAIN, "analyze", "--format", "json", file] }),
    okCodes: [0],
    parse: (stdout) => {
      let summary: Record<string, unknown> | null = null;
      if (stdout.length < 256e6) {
        try {
          const report = JSON.parse(stdout) as { summary?: Record<string, unknown> };
          summary = report && typeof report.summary === "object" ? report.summary : null;
        } catch {
          /* fall through to the regex */
        }
      }
      summary ??= findSummary(stdout);
      if (!summary) return { records: null, detail: "no summary in output", error: "aalens printed no JSON report with a summary" };
      const num = (k: string): number | null => (typeof summary![k] === "number" ? (summary![k] as number) : null);
      const records = num("apparmor") ?? num("records");
      const policy = /checked rules against the policy in ([^"\\]*?) \((\d+) profiles\)/.exec(stdout);
      return { records, detail: `${kv(summary)}${policy ? `; policy ${policy[1]} (${policy[2]} profiles)` : "; no policy checked"}`, data: summary };
    },
  },
  // The streamed exports at their defaults, stdout to /dev/null, on the pure corpus and the mixed audit.log.
  ...(["csv", "ecs"] as const).map(
    (format): Tool => ({
      id: `aalens-${format}`,
      unavailable: () => (fs.existsSync(AALENS_MAIN) ? null : "aalens not built"),
      notApplicable: (c) => (EXPORT_CORPORA.includes(c.name as CorpusName) ? null : `export measured on ${EXPORT_CORPORA.join(" and ")} only`),
      command: (file) => ({ cmd: process.execPath, args: [AALENS_MAIN, "analyze", "--format", format, file] }),
      okCodes: [0],
      stdoutToNull: true,
      parse: () => ({ records: null, detail: `${format} export written to /dev/null` }),
    }),
  ),
  {
    id: "libapparmor",
    unavailable: () => probePython("LibAppArmor"),
    notApplicable: (c) => (c.name === "journal" ? "reads log lines, not journald JSON (aa-logprof 3.0 has no journal input)" : AALENS_ONLY.includes(c.name as CorpusName) ? "linearity corpus: aalens only" : null),
    command: (file) => ({ cmd: PYTHON, args: [path.join(ROOT, "bench", "libapparmor_parse.py"), file] }),
    okCodes: [0],
    parse: (stdout) => {
      const j = lastJson(stdout);
      if (!j || typeof j.records !== "number") return { records: null, detail: "no result line", error: String(j?.error ?? "no JSON result on stdout") };
      return { records: j.records, detail: `${kv(j.byEvent)}; parse loop ${Number(j.seconds).toFixed(2)} s`, data: j };
    },
  },
  {
    id: "readlog",
    unavailable: () => probePython("apparmor.logparser"),
    notApplicable: (c) => (c.name === "journal" ? "ReadLog reads a log file line by line; journald JSON is not supported" : AALENS_ONLY.includes(c.name as CorpusName) ? "linearity corpus: aalens only" : null),
    command: (file) => ({ cmd: PYTHON, args: [path.join(ROOT, "bench", "readlog_parse.py"), file] }),
    okCodes: [0],
    parse: (stdout) => {
      const j = lastJson(stdout);
      if (!j || typeof j.records !== "number") return { records: null, detail: "no result line", error: String(j?.error ?? "no JSON result on stdout") };
      const errors = j.errors && typeof j.errors === "object" ? Object.values(j.errors as Record<string, number>).reduce((a, b) => a + b, 0) : 0;
      const aborted = typeof j.aborted === "string" ? `; ABORTED: ${j.aborted}` : "";
      return {
        records: j.records,
        detail: `handed=${n0(Number(j.handed))} ${kv(j.byMode)} profiles=${n0(Number(j.profiles))}${errors ? ` events-that-would-abort-aa-logprof=${n0(errors)}` : ""}; read_log ${Number(j.seconds).toFixed(2)} s${aborted}`,
        data: j,
      };
    },
  },
  {
    id: "grep",
    unavailable: () => (spawnSync("grep", ["--version"]).status === 0 ? null : "grep not found"),
    notApplicable: () => null,
    // `LC_ALL=C grep -c apparmor= FILE | cat`: LC_ALL=C is grep's fastest mode, i.e. the strictest
    // baseline; the pipe keeps grep from ever seeing /dev/null as stdout (it would stop at the first match).
    command: (file) => ({ cmd: "/bin/sh", args: ["-c", 'LC_ALL=C grep -c apparmor= "$1" | cat', "sh", file] }),
    okCodes: [0], // the pipeline's status is cat's; a grep failure shows as a missing count
    parse: (stdout) => {
      const n = Number(stdout.trim());
      return Number.isInteger(n) ? { records: n, detail: `${n0(n)} lines contain apparmor=` } : { records: null, detail: "", error: `unexpected output ${JSON.stringify(stdout.slice(0, 80))}` };
    },
  },
];
const TOOLS = ALL_TOOLS.filter((t) => !ONLY_TOOLS || ONLY_TOOLS.includes(t.id));

// ---------------------------------------------------------------------------------------------
// Running

interface Row {
  tool: ToolId;
  status: "ok" | "failed" | "unavailable" | "n/a";
  reason?: string;
  runs: number;
  /** Median wall time over the runs. */
  wallSeconds?: number;
  wallSecondsAll?: number[];
  linesPerSec?: number;
  mbPerSec?: number;
  /** Largest peak RSS over the runs, bytes. */
  peakRssBytes?: number | null;
  records?: number | null;
  detail?: string;
  output?: unknown;
  /** Lines per second once the tool's fixed start-up time (its run on an empty file) is subtracted. */
  netLinesPerSec?: number;
  /** aalens throughput ÷ this tool's throughput (= this tool's wall time ÷ aalens's). */
  aalensRatio?: number;
  /** The exports: aalens json wall time ÷ this export's wall time (≥ 1: the export is faster). */
  speedVsJson?: number;
}

interface CorpusResult {
  corpus: CorpusInfo;
  rows: Row[];
}

/** Reads the file once so every tool starts with it in the page cache. */
function warmPageCache(file: string): void {
  const fd = fs.openSync(file, "r");
  const buf = Buffer.allocUnsafe(4 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0) {
      /* discard */
    }
  } finally {
    fs.closeSync(fd);
  }
}

function tail(file: string, max = 300): string {
  try {
    const t = fs.readFileSync(file, "utf8").trim();
    const lines = t.split("\n").filter(Boolean);
    return (lines.slice(-2).join(" | ") || "(no stderr)").slice(0, max);
  } catch {
    return "(no stderr)";
  }
}

interface Startup {
  tool: ToolId;
  wallSeconds: number | null;
  peakRssBytes: number | null;
  note?: string;
}

/**
 * Fixed cost of each tool: interpreter start, imports, grammar set-up … measured on an empty
 * file.  Reported separately, and subtracted for the "net" column, because at small scales it
 * dominates the wall time.
 */
async function measureStartup(unavailable: Map<ToolId, string | null>): Promise<Map<ToolId, Startup>> {
  const empty = path.join(OUT, "empty.log");
  fs.writeFileSync(empty, "");
  const logDir = path.join(OUT, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  const out = new Map<ToolId, Startup>();
  for (const t of TOOLS) {
    const why = unavailable.get(t.id);
    if (why) {
      out.set(t.id, { tool: t.id, wallSeconds: null, peakRssBytes: null, note: why });
      continue;
    }
    const walls: number[] = [];
    let rss: number | null = null;
    let note: string | undefined;
    for (let run = 0; run < Math.max(RUNS, 3); run++) {
      const { cmd, args, env } = t.command(empty);
      const base = path.join(logDir, `startup.${t.id}`);
      const m = await measure(cmd, args, { cwd: ROOT, env, stdoutPath: t.stdoutToNull ? "/dev/null" : `${base}.out`, stderrPath: `${base}.err`, timeoutMs: 120_000 });
      if (m.exitCode === null || !t.okCodes.includes(m.exitCode)) {
        note = `failed on an empty file (exit ${m.exitCode ?? m.signal}): ${tail(m.stderrPath)}`;
        break;
      }
      walls.push(m.wallSeconds);
      if (m.peakRssBytes !== null) rss = Math.max(rss ?? 0, m.peakRssBytes);
    }
    out.set(t.id, { tool: t.id, wallSeconds: walls.length ? median(walls) : null, peakRssBytes: rss, note });
  }
  return out;
}

interface VersionStartup {
  command: string;
  runs: number;
  /** Median wall time, seconds (null when aalens could not run). */
  wallSeconds: number | null;
  wallSecondsAll: number[];
  peakRssBytes: number | null;
  /** Median wall time of `node -e 0`, run alternately with it: what Node alone costs on this machine. */
  nodeSeconds?: number;
  note?: string;
}

/** `aalens --version`, at least VERSION_RUNS times: the bare start-up cost (Node, module loading). */
async function measureVersion(unavailable: Map<ToolId, string | null>): Promise<VersionStartup> {
  const command = "node dist/src/cli/main.js --version";
  const why = fs.existsSync(AALENS_MAIN) ? null : (unavailable.get("aalens") ?? "aalens not built");
  if (why) return { command, runs: 0, wallSeconds: null, wallSecondsAll: [], peakRssBytes: null, note: why };
  const logDir = path.join(OUT, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  const base = path.join(logDir, "startup.aalens-version");
  const walls: number[] = [];
  const nodeWalls: number[] = [];
  let rss: number | null = null;
  for (let run = 0; run < Math.max(RUNS, VERSION_RUNS); run++) {
    const bare = await measure(process.execPath, ["-e", "0"], { cwd: ROOT, stdoutPath: `${base}.node.out`, stderrPath: `${base}.node.err`, timeoutMs: 120_000 });
    if (bare.exitCode === 0) nodeWalls.push(bare.wallSeconds);
    const m = await measure(process.execPath, [AALENS_MAIN, "--version"], { cwd: ROOT, stdoutPath: `${base}.out`, stderrPath: `${base}.err`, timeoutMs: 120_000 });
    if (m.exitCode !== 0) {
      return { command, runs: walls.length, wallSeconds: null, wallSecondsAll: walls, peakRssBytes: rss, note: `aalens --version failed (exit ${m.exitCode ?? m.signal}): ${tail(m.stderrPath)}` };
    }
    walls.push(m.wallSeconds);
    if (m.peakRssBytes !== null) rss = Math.max(rss ?? 0, m.peakRssBytes);
  }
  return { command, runs: walls.length, wallSeconds: median(walls), wallSecondsAll: walls, peakRssBytes: rss, ...(nodeWalls.length > 0 ? { nodeSeconds: median(nodeWalls) } : {}) };
}

async function benchCorpus(c: CorpusInfo, unavailable: Map<ToolId, string | null>, startup: Map<ToolId, Startup>): Promise<CorpusResult> {
  log(`measuring ${c.file} (${fmtBytes(c.bytes)}, ${n0(c.lines)} lines)`);
  warmPageCache(c.path);
  const rows = new Map<ToolId, Row>();
  const measurements = new Map<ToolId, Measurement[]>();
  const runnable: Tool[] = [];
  for (const t of TOOLS) {
    const na = t.notApplicable(c);
    const un = unavailable.get(t.id) ?? null;
    if (na) rows.set(t.id, { tool: t.id, status: "n/a", reason: na, runs: 0 });
    else if (un) rows.set(t.id, { tool: t.id, status: "unavailable", reason: un, runs: 0 });
    else {
      runnable.push(t);
      measurements.set(t.id, []);
    }
  }
  const logDir = path.join(OUT, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  // Runs are interleaved (tool A, B, C, then A, B, C again) so slow drift hits every tool alike.
  const runsOf = (t: Tool): number => (EXPORT_CORPORA.includes(c.name as CorpusName) && t.id.startsWith("aalens") ? Math.max(RUNS, FORMAT_RUNS) : RUNS);
  const rounds = Math.max(...runnable.map(runsOf), RUNS);
  for (let run = 0; run < rounds; run++) {
    for (const t of runnable) {
      if (rows.get(t.id)?.status === "failed" || run >= runsOf(t)) continue;
      const { cmd, args, env } = t.command(c.path);
      const base = path.join(logDir, `${c.name}.${t.id}`);
      const m = await measure(cmd, args, { cwd: ROOT, env, stdoutPath: t.stdoutToNull ? "/dev/null" : `${base}.out`, stderrPath: `${base}.err`, timeoutMs: TIMEOUT_S * 1000 });
      log(`  ${t.id.padEnd(11)} run ${run + 1}/${runsOf(t)}: ${m.wallSeconds.toFixed(3)} s, ${m.peakRssBytes === null ? "?" : (m.peakRssBytes / 1e6).toFixed(1)} MB${m.exitCode !== 0 ? `, exit ${m.exitCode ?? m.signal}` : ""}`);
      if (m.timedOut || m.exitCode === null || !t.okCodes.includes(m.exitCode)) {
        const why = m.timedOut ? `timed out after ${TIMEOUT_S} s` : m.exitCode === null ? `killed by ${m.signal}` : `exit ${m.exitCode}`;
        rows.set(t.id, { tool: t.id, status: "failed", reason: `${t.id} failed (${why}): ${tail(m.stderrPath)}`, runs: run + 1 });
        continue;
      }
      measurements.get(t.id)!.push(m);
    }
  }
  for (const t of runnable) {
    if (rows.get(t.id)?.status === "failed") continue;
    const ms = measurements.get(t.id)!;
    const last = ms[ms.length - 1]!;
    const stdoutSize = fs.statSync(last.stdoutPath).size;
    const parsed = t.parse(stdoutSize < 512e6 ? fs.readFileSync(last.stdoutPath, "utf8") : "");
    if (parsed.error) {
      rows.set(t.id, { tool: t.id, status: "failed", reason: parsed.error, runs: ms.length });
      continue;
    }
    const wall = median(ms.map((m) => m.wallSeconds));
    const fixed = startup.get(t.id)?.wallSeconds ?? null;
    const rss = ms.map((m) => m.peakRssBytes).filter((x): x is number => x !== null);
    rows.set(t.id, {
      tool: t.id,
      status: "ok",
      runs: ms.length,
      wallSeconds: wall,
      wallSecondsAll: ms.map((m) => m.wallSeconds),
      linesPerSec: c.lines / wall,
      netLinesPerSec: fixed !== null && wall - fixed > 0.001 ? c.lines / (wall - fixed) : undefined,
      mbPerSec: c.bytes / 1e6 / wall,
      peakRssBytes: rss.length ? Math.max(...rss) : null,
      records: parsed.records,
      detail: parsed.detail,
      output: parsed.data,
    });
  }
  const aalens = rows.get("aalens");
  for (const r of rows.values()) {
    if (r.tool === "aalens" || r.status !== "ok" || aalens?.status !== "ok") continue;
    if (r.tool === "aalens-csv" || r.tool === "aalens-ecs") r.speedVsJson = aalens.wallSeconds! / r.wallSeconds!;
    else r.aalensRatio = aalens.linesPerSec! / r.linesPerSec!;
  }
  return { corpus: c, rows: TOOLS.map((t) => rows.get(t.id)!) };
}

// ---------------------------------------------------------------------------------------------
// Output

function table(head: string[], body: string[][], right: boolean[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]): string => r.map((cell, i) => (right[i] ? cell.padStart(w[i]!) : cell.padEnd(w[i]!))).join("  ").trimEnd();
  return [fmt(head), w.map((x) => "-".repeat(x)).join("  "), ...body.map(fmt)].join("\n");
}

function printCorpus(r: CorpusResult): void {
  const c = r.corpus;
  const extra = c.distinctBodies !== undefined ? `, ${n0(c.distinctBodies)} distinct bodies (Zipf s=${c.zipfExponent}, top body ${((c.topBodyShare ?? 0) * 100).toFixed(1)}% of lines)` : "";
  console.log(`\n== ${c.file}: ${n0(c.lines)} lines, ${fmtBytes(c.bytes)}; generated with ${n0(c.apparmorRecords)} AppArmor records${extra} ==`);
  console.log(`   ${c.description}`);
  const body = r.rows.map((row) => {
    if (row.status !== "ok") {
      const label = row.status === "n/a" ? "n/a" : row.status === "unavailable" ? (row.tool === "aalens" ? "aalens not built" : "unavailable") : "FAILED";
      return [row.tool, label, "", "", "", "", ""];
    }
    return [
      row.tool,
      n0(row.linesPerSec!),
      row.mbPerSec!.toFixed(1),
      row.netLinesPerSec === undefined ? "-" : n0(row.netLinesPerSec),
      row.peakRssBytes == null ? "?" : (row.peakRssBytes / 1e6).toFixed(1),
      row.records == null ? (row.tool === "aalens-csv" || row.tool === "aalens-ecs" ? "-" : "?") : n0(row.records),
      row.tool === "aalens" ? "-"
        : row.speedVsJson !== undefined ? `json time/${row.tool} time = ${row.speedVsJson.toFixed(2)}×`
        : row.aalensRatio === undefined ? "" : `aalens/${row.tool} = ${row.aalensRatio.toFixed(2)}×`,
    ];
  });
  console.log(table(["tool", "lines/s", "MB/s", "net lines/s", "peak RSS MB", "records", "ratio"], body, [false, true, true, true, true, true, false]));
  for (const row of r.rows) {
    // aalens and grep must see every generated record; so must everyone on the 3.0.8-style corpora
    const mustMatch = row.tool === "aalens" || row.tool === "grep" || c.name === "apparmor-308" || c.name === "apparmor-repeats";
    const off = row.status === "ok" && mustMatch && row.records != null && row.records !== c.apparmorRecords ? ` [!] ${n0(row.records)} records, generated ${n0(c.apparmorRecords)}` : "";
    if (row.status === "ok") console.log(`   ${row.tool}: ${row.wallSeconds!.toFixed(3)} s${row.runs > 1 ? ` (median of ${row.runs})` : ""}; ${row.detail}${off}`);
    else console.log(`   ${row.tool}: ${row.reason}`);
  }
}

interface Goal {
  id: string;
  /** What is compared, e.g. "repeats corpus: aalens vs libapparmor parse_record". */
  description: string;
  /** The rule, e.g. "≥ 2.5×". */
  goal: string;
  status: "PASS" | "FAIL" | "N/A";
  /** The measured ratio (speed ratio: other tool's wall time ÷ aalens's), or the measured MB / ms; null when not measured. */
  value: number | null;
  /** value as printed, e.g. "3.10×", "412.3 MB". */
  measuredText: string;
  /** The numbers behind it, or why it was not measured. */
  detail: string;
}

const sec = (x: number): string => `${x.toFixed(3)} s`;

function goals(results: CorpusResult[], version: VersionStartup): Goal[] {
  const result = (corpus: CorpusName): CorpusResult | undefined => results.find((r) => r.corpus.name === corpus);
  const row = (corpus: CorpusName, tool: ToolId): Row | undefined => result(corpus)?.rows.find((x) => x.tool === tool);
  const out: Goal[] = [];
  const na = (id: string, description: string, goal: string, why: string): void => void out.push({ id, description, goal, status: "N/A", value: null, measuredText: "n/a", detail: why });
  /** The row when it ran, else the reason it did not (for an N/A goal). */
  const ok = (corpus: CorpusName, tool: ToolId): Row | string => {
    const r = row(corpus, tool);
    if (!r) return `${tool} on ${corpus} not measured (corpus or tool filtered out)`;
    if (r.status !== "ok") return `${tool} on ${corpus}: ${r.reason ?? r.status}`;
    return r;
  };
  /** Speed ratio other ÷ aalens wall time (both on `corpus`), at least `min`. */
  const label = (t: ToolId): string => (t === "aalens" ? "aalens json" : t);
  const speed = (id: string, description: string, corpus: CorpusName, aalensTool: ToolId, other: ToolId, min: number): void => {
    const goal = `≥ ${min}×`;
    const a = ok(corpus, aalensTool);
    const t = ok(corpus, other);
    if (typeof a === "string") return na(id, description, goal, a);
    if (typeof t === "string") return na(id, description, goal, t);
    const ratio = t.wallSeconds! / a.wallSeconds!;
    out.push({
      id, description, goal, status: ratio >= min ? "PASS" : "FAIL", value: ratio, measuredText: `${ratio.toFixed(2)}×`,
      detail: `${label(other)} ${sec(t.wallSeconds!)} / ${label(aalensTool)} ${sec(a.wallSeconds!)} on ${result(corpus)!.corpus.file}`,
    });
  };

  speed("repeats-vs-libapparmor", "repeats corpus: aalens vs libapparmor parse_record loop", "apparmor-repeats", "aalens", "libapparmor", 2.5);
  speed("pure-vs-libapparmor", "pure corpus (every line distinct, apparmor-308.log): aalens vs libapparmor", "apparmor-308", "aalens", "libapparmor", 1.0);
  speed("pure-vs-readlog", "pure corpus (every line distinct, apparmor-308.log): aalens vs aa-logprof ReadLog", "apparmor-308", "aalens", "readlog", 3);
  {
    const id = "mixed-vs-grep";
    const description = `${result("mixed-audit") ? fmtBytes(result("mixed-audit")!.corpus.bytes) : "200 MB"} mixed audit.log: aalens vs LC_ALL=C grep -c apparmor= FILE | cat`;
    const goal = "≥ 0.2×";
    const a = ok("mixed-audit", "aalens");
    const g = ok("mixed-audit", "grep");
    if (typeof a === "string") na(id, description, goal, a);
    else if (typeof g === "string") na(id, description, goal, g);
    else {
      const ratio = g.wallSeconds! / a.wallSeconds!;
      out.push({
        id, description, goal, status: ratio >= 0.2 ? "PASS" : "FAIL", value: ratio, measuredText: `${ratio.toFixed(2)}×`,
        detail: `grep ${sec(g.wallSeconds!)} / aalens ${sec(a.wallSeconds!)}; aalens ${a.mbPerSec!.toFixed(1)} MB/s, grep ${g.mbPerSec!.toFixed(1)} MB/s`,
      });
    }
  }
  for (const [id, corpus, label] of [["rss-1x", "apparmor", "1×"], ["rss-4x", "apparmor-4x", "4×"]] as const) {
    const description = `peak RSS of aalens at ${label} pure corpus (${result(corpus)?.corpus.file ?? `${corpus}.log`})`;
    const goal = "≤ 150 MB";
    const a = ok(corpus, "aalens");
    if (typeof a === "string") na(id, description, goal, a);
    else if (a.peakRssBytes == null) na(id, description, goal, "peak RSS could not be read");
    else {
      const mb = a.peakRssBytes / 1e6;
      out.push({ id, description, goal, status: mb <= 150 ? "PASS" : "FAIL", value: mb, measuredText: `${mb.toFixed(1)} MB`, detail: `${n0(result(corpus)!.corpus.lines)} lines, ${fmtBytes(result(corpus)!.corpus.bytes)}` });
    }
  }
  {
    const id = "linearity-4x";
    const description = "4× input: aalens time(apparmor-4x.log) / time(apparmor.log)";
    const goal = "≤ 4.4×";
    const one = ok("apparmor", "aalens");
    const four = ok("apparmor-4x", "aalens");
    if (typeof one === "string") na(id, description, goal, one);
    else if (typeof four === "string") na(id, description, goal, four);
    else {
      const ratio = four.wallSeconds! / one.wallSeconds!;
      const fixed = version.wallSeconds;
      const net = fixed !== null && one.wallSeconds! - fixed > 0.001 ? (four.wallSeconds! - fixed) / (one.wallSeconds! - fixed) : null;
      out.push({
        id, description, goal, status: ratio <= 4.4 ? "PASS" : "FAIL", value: ratio, measuredText: `${ratio.toFixed(2)}×`,
        detail: `${sec(four.wallSeconds!)} / ${sec(one.wallSeconds!)}${net === null ? "" : `; ${net.toFixed(2)}× with the --version start-up subtracted from both`}`,
      });
    }
  }
  for (const corpus of EXPORT_CORPORA) {
    for (const tool of ["aalens-csv", "aalens-ecs"] as const) {
      const format = tool.slice("aalens-".length);
      speed(`${format}-vs-json-${corpus}`, `${format} export at least as fast as json on ${result(corpus)?.corpus.file ?? corpus}`, corpus, tool, "aalens", 1.0);
    }
  }
  {
    const id = "startup-version";
    const description = `start-up: aalens --version, median of ${Math.max(VERSION_RUNS, version.runs)} runs`;
    const goal = "≤ 120 ms";
    if (version.wallSeconds === null) na(id, description, goal, version.note ?? "not measured");
    else {
      const ms = version.wallSeconds * 1000;
      out.push({ id, description, goal, status: ms <= 120 ? "PASS" : "FAIL", value: ms, measuredText: `${ms.toFixed(0)} ms`, detail: `min ${(Math.min(...version.wallSecondsAll) * 1000).toFixed(0)} ms, max ${(Math.max(...version.wallSecondsAll) * 1000).toFixed(0)} ms${version.peakRssBytes === null ? "" : `, peak RSS ${(version.peakRssBytes / 1e6).toFixed(1)} MB`}${version.nodeSeconds === undefined ? "" : `; node -e 0 alone, run alternately: ${(version.nodeSeconds * 1000).toFixed(0)} ms, so aalens's own share is ${(ms - version.nodeSeconds * 1000).toFixed(0)} ms`}` });
    }
  }
  return out;
}

function versions(): Record<string, string> {
  const run = (cmd: string, args: string[]): string => {
    try {
      const r = spawnSync(cmd, args, { encoding: "utf8" });
      return r.status === 0 ? r.stdout.trim().split("\n")[0]! : "unknown";
    } catch {
      return "unknown";
    }
  };
  let aalens = "unknown";
  try {
    aalens = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    /* keep unknown */
  }
  return {
    aalens,
    node: process.version,
    python: run(PYTHON, ["--version"]),
    libapparmor: run("dpkg-query", ["-W", "-f", "${Version}", "libapparmor1"]),
    "python3-apparmor": run("dpkg-query", ["-W", "-f", "${Version}", "python3-apparmor"]),
    grep: run("grep", ["--version"]),
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: String(os.cpus().length),
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** Which policy aalens's default run checks rules against (it uses /etc/apparmor.d when that exists). */
function policyDirState(): { dir: string; present: boolean; entries: number | null; text: string } {
  let entries: number | null = null;
  try {
    entries = fs.readdirSync(DEFAULT_POLICY_DIR).length;
  } catch {
    /* absent */
  }
  const present = entries !== null;
  return {
    dir: DEFAULT_POLICY_DIR,
    present,
    entries,
    text: present ? `rules checked against ${DEFAULT_POLICY_DIR} (present, ${entries} entries)` : `${DEFAULT_POLICY_DIR} absent, so no policy check`,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`root ${ROOT}; scale ${SCALE}, seed ${SEED}, runs ${RUNS}`);
  const corpora = ensureCorpora({ outDir: OUT, scale: SCALE, seed: SEED, log, only: ONLY_CORPORA });
  const rssMethod = detectRssMethod();
  log(`peak RSS via ${rssMethod}`);
  const unavailable = new Map<ToolId, string | null>(TOOLS.map((t) => [t.id, t.unavailable()]));
  for (const [id, why] of unavailable) if (why) log(`${id}: ${why}`);

  const policy = policyDirState();
  log(`aalens runs at its defaults: ${policy.text}`);
  log("measuring start-up cost (empty file, aalens --version)");
  const startup = await measureStartup(unavailable);
  const version = await measureVersion(unavailable);
  const results: CorpusResult[] = [];
  for (const c of corpora) results.push(await benchCorpus(c, unavailable, startup));

  console.log(`\naalens benchmark — scale ${SCALE}, seed ${SEED}, ${RUNS} run(s) per tool, aalens's formats ${Math.max(RUNS, FORMAT_RUNS)} on ${EXPORT_CORPORA.join(" and ")} (median wall time, max peak RSS), RSS via ${rssMethod}`);
  console.log("lines/s and MB/s (1 MB = 10^6 bytes): whole file ÷ wall time of the whole process; net lines/s: start-up time (empty file) subtracted;");
  console.log("ratio = aalens lines/s ÷ that tool's lines/s = its wall time ÷ aalens's on the same file (≥ 1×: aalens is faster); records = AppArmor records each tool recognised (grep: lines containing apparmor=)");
  console.log(`aalens at its defaults (analyze --format json|csv|ecs FILE, no other flag): ${policy.text}`);
  console.log(`start-up (empty file, median): ${[...startup.values()].map((s) => `${s.tool} ${s.wallSeconds === null ? "n/a" : `${s.wallSeconds.toFixed(3)} s / ${s.peakRssBytes === null ? "?" : (s.peakRssBytes / 1e6).toFixed(1)} MB`}`).join(" · ")}`);
  console.log(`start-up (aalens --version, median of ${version.runs}): ${version.wallSeconds === null ? `n/a (${version.note ?? "not measured"})` : `${(version.wallSeconds * 1000).toFixed(0)} ms`}`);
  for (const r of results) printCorpus(r);

  const pure = results.find((r) => r.corpus.name === "apparmor");
  const lib = pure?.rows.find((x) => x.tool === "libapparmor");
  const gs = goals(results, version);
  console.log("\n== goals (speed ratio = other tool's wall time ÷ aalens's; ≥ 1× means aalens is faster) ==");
  for (const g of gs) console.log(`${g.status.padEnd(4)}  ${g.description}: ${g.measuredText} (goal ${g.goal}) — ${g.detail}`);
  if (lib?.aalensRatio !== undefined) console.log(`info  on apparmor.log (current kernel keys) speed ratio libapparmor time ÷ aalens time = ${lib.aalensRatio.toFixed(2)}×, but libapparmor 3.0.8 recognised only ${n0(lib.records ?? 0)} of ${n0(pure!.corpus.apparmorRecords)} records there (rejecting a line is cheaper than parsing it)`);
  const rssAll = results.flatMap((r) => r.rows.filter((x) => x.tool.startsWith("aalens") && x.status === "ok" && x.peakRssBytes != null).map((x) => ({ file: r.corpus.file, tool: x.tool, mb: x.peakRssBytes! / 1e6 })));
  if (rssAll.length) {
    const worst = rssAll.reduce((a, b) => (b.mb > a.mb ? b : a));
    console.log(`info  largest aalens peak RSS on any corpus: ${worst.mb.toFixed(1)} MB (${worst.tool} on ${worst.file})`);
  }
  const status = { PASS: gs.filter((g) => g.status === "PASS").length, FAIL: gs.filter((g) => g.status === "FAIL").length, "N/A": gs.filter((g) => g.status === "N/A").length };
  console.log(`goals: ${status.PASS} PASS, ${status.FAIL} FAIL, ${status["N/A"]} N/A`);

  const resultsFile = path.join(OUT, "results.json");
  const doc = {
    generatedAt: new Date().toISOString(),
    config: { scale: SCALE, seed: SEED, runs: RUNS, rssMethod, timeoutSeconds: TIMEOUT_S, tools: TOOLS.map((t) => t.id) },
    environment: versions(),
    policy,
    startup: [...startup.values()],
    versionStartup: version,
    corpora: results.map((r) => ({ ...r.corpus, path: path.relative(ROOT, r.corpus.path), tools: r.rows })),
    goals: gs,
  };
  fs.writeFileSync(resultsFile, JSON.stringify(doc, null, 2) + "\n");
  console.log(`\nresults written to ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  if (process.env.AALENS_BENCH_STRICT === "1" && gs.some((g) => g.status !== "PASS")) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
