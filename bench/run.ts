/**
 * `npm run bench`: generates the corpora (bench/generate.ts, reused when present) and measures,
 * side by side in one run, `aalens analyze --format json` against libapparmor's C parser,
 * aa-logprof's ReadLog and `grep -c apparmor=`, each tool in its own child process
 * (bench/measure.ts).  Prints one table per corpus and the goals, and writes everything to
 * bench/out/results.json.  See bench/README.md.
 *
 * Environment:
 *   AALENS_BENCH_SCALE    corpus size factor (default 1: 500k pure lines, 200 MB audit.log, 50 MB syslog/journal)
 *   AALENS_BENCH_SEED     PRNG seed (default 20241129)
 *   AALENS_BENCH_RUNS     runs per tool and corpus; the median wall time is reported (default 1)
 *   AALENS_BENCH_TOOLS    comma list to restrict tools: aalens,libapparmor,readlog,grep
 *   AALENS_BENCH_CORPORA  comma list to restrict corpora: apparmor,apparmor-308,mixed-audit,mixed-syslog,journal
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
const OUT = path.join(ROOT, "bench", "out");
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

const ALL_TOOLS: Tool[] = [
  {
    id: "aalens",
    unavailable: () => (fs.existsSync(AALENS_MAIN) ? null : `aalens not built (${path.relative(ROOT, AALENS_MAIN)} missing: run npm run build)`),
    notApplicable: () => null,
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
      return { records, detail: kv(summary), data: summary };
    },
  },
  // The streamed exports, measured where their memory bound matters: the 200 MB mixed audit.log.
  ...(["csv", "ecs"] as const).map(
    (format): Tool => ({
      id: `aalens-${format}`,
      unavailable: () => (fs.existsSync(AALENS_MAIN) ? null : "aalens not built"),
      notApplicable: (c) => (c.name === "mixed-audit" ? null : "export measured on the mixed audit.log only"),
      command: (file) => ({ cmd: process.execPath, args: [AALENS_MAIN, "analyze", "--format", format, "--no-policy", "--output", "/dev/null", file] }),
      okCodes: [0],
      parse: () => ({ records: null, detail: `${format} export written to /dev/null` }),
    }),
  ),
  {
    id: "libapparmor",
    unavailable: () => probePython("LibAppArmor"),
    notApplicable: (c) => (c.name === "journal" ? "reads log lines, not journald JSON (aa-logprof 3.0 has no journal input)" : null),
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
    notApplicable: (c) => (c.name === "journal" ? "ReadLog reads a log file line by line; journald JSON is not supported" : null),
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
    // LC_ALL=C: grep's fastest mode, i.e. the strictest baseline for the goal
    command: (file) => ({ cmd: "grep", args: ["-c", "apparmor=", file], env: { ...process.env, LC_ALL: "C" } }),
    okCodes: [0, 1], // 1 = no line matched, still a valid count
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
  /** aalens throughput ÷ this tool's throughput. */
  aalensRatio?: number;
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
      const m = await measure(cmd, args, { cwd: ROOT, env, stdoutPath: `${base}.out`, stderrPath: `${base}.err`, timeoutMs: 120_000 });
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
  for (let run = 0; run < RUNS; run++) {
    for (const t of runnable) {
      if (rows.get(t.id)?.status === "failed") continue;
      const { cmd, args, env } = t.command(c.path);
      const base = path.join(logDir, `${c.name}.${t.id}`);
      const m = await measure(cmd, args, { cwd: ROOT, env, stdoutPath: `${base}.out`, stderrPath: `${base}.err`, timeoutMs: TIMEOUT_S * 1000 });
      log(`  ${t.id.padEnd(11)} run ${run + 1}/${RUNS}: ${m.wallSeconds.toFixed(3)} s, ${m.peakRssBytes === null ? "?" : (m.peakRssBytes / 1e6).toFixed(1)} MB${m.exitCode !== 0 ? `, exit ${m.exitCode ?? m.signal}` : ""}`);
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
    if (r.tool !== "aalens" && r.status === "ok" && aalens?.status === "ok") r.aalensRatio = aalens.linesPerSec! / r.linesPerSec!;
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
  console.log(`\n== ${c.file}: ${n0(c.lines)} lines, ${fmtBytes(c.bytes)}; generated with ${n0(c.apparmorRecords)} AppArmor records ==`);
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
      row.records == null ? "?" : n0(row.records),
      row.tool === "aalens" ? "-" : row.aalensRatio === undefined ? "" : `aalens/${row.tool} = ${row.aalensRatio.toFixed(2)}×`,
    ];
  });
  console.log(table(["tool", "lines/s", "MB/s", "net lines/s", "peak RSS MB", "records", "ratio"], body, [false, true, true, true, true, true, false]));
  for (const row of r.rows) {
    // aalens and grep must see every generated record; so must everyone on the 3.0.8 variant
    const mustMatch = row.tool === "aalens" || row.tool === "grep" || c.name === "apparmor-308";
    const off = row.status === "ok" && mustMatch && row.records != null && row.records !== c.apparmorRecords ? ` [!] ${n0(row.records)} records, generated ${n0(c.apparmorRecords)}` : "";
    if (row.status === "ok") console.log(`   ${row.tool}: ${row.wallSeconds!.toFixed(3)} s${row.runs > 1 ? ` (median of ${row.runs})` : ""}; ${row.detail}${off}`);
    else console.log(`   ${row.tool}: ${row.reason}`);
  }
}

interface Goal {
  id: string;
  description: string;
  status: "PASS" | "MISS" | "N/A";
  measured: string;
}

function goals(results: CorpusResult[]): Goal[] {
  const row = (corpus: CorpusName, tool: ToolId): Row | undefined => results.find((r) => r.corpus.name === corpus)?.rows.find((x) => x.tool === tool);
  const out: Goal[] = [];
  const ratioGoal = (id: string, description: string, corpus: CorpusName, tool: ToolId, min: number): void => {
    const a = row(corpus, "aalens");
    const t = row(corpus, tool);
    if (!a || !t) return void out.push({ id, description, status: "N/A", measured: `not measured (corpus or tool filtered out)` });
    if (a.status !== "ok") return void out.push({ id, description, status: "N/A", measured: a.reason ?? "aalens did not run" });
    if (t.status !== "ok") return void out.push({ id, description, status: "N/A", measured: t.reason ?? `${tool} did not run` });
    const ratio = t.aalensRatio!;
    out.push({ id, description, status: ratio >= min ? "PASS" : "MISS", measured: `aalens/${tool} = ${ratio.toFixed(2)}× (${n0(a.linesPerSec!)} vs ${n0(t.linesPerSec!)} lines/s on ${results.find((r) => r.corpus.name === corpus)!.corpus.file})` });
  };
  ratioGoal("throughput-vs-libapparmor", "aalens ≥ 2× libapparmor throughput on pure AppArmor lines (apparmor-308.log: lines both parsers understand)", "apparmor-308", "libapparmor", 2);
  ratioGoal("throughput-vs-grep", "aalens ≥ 0.33× grep throughput on the mixed audit.log", "mixed-audit", "grep", 0.33);
  const aa = results.map((r) => ({ file: r.corpus.file, row: r.rows.find((x) => x.tool === "aalens") })).filter((x) => x.row?.status === "ok" && x.row.peakRssBytes != null);
  const rssDesc = "aalens peak RSS ≤ 150 MB on every corpus";
  if (aa.length === 0) {
    const why = results.flatMap((r) => r.rows).find((x) => x.tool === "aalens" && x.status !== "ok")?.reason ?? "aalens not measured";
    out.push({ id: "peak-rss", description: rssDesc, status: "N/A", measured: why });
  } else {
    const worst = aa.reduce((a, b) => (b.row!.peakRssBytes! > a.row!.peakRssBytes! ? b : a));
    const missing = results.length - aa.length;
    out.push({
      id: "peak-rss",
      description: rssDesc,
      status: worst.row!.peakRssBytes! <= 150e6 ? (missing ? "N/A" : "PASS") : "MISS",
      measured: `max ${(worst.row!.peakRssBytes! / 1e6).toFixed(1)} MB on ${worst.file}${missing ? ` (${missing} corpus/corpora without an aalens measurement)` : ""}`,
    });
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

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`root ${ROOT}; scale ${SCALE}, seed ${SEED}, runs ${RUNS}`);
  const corpora = ensureCorpora({ outDir: OUT, scale: SCALE, seed: SEED, log, only: ONLY_CORPORA });
  const rssMethod = detectRssMethod();
  log(`peak RSS via ${rssMethod}`);
  const unavailable = new Map<ToolId, string | null>(TOOLS.map((t) => [t.id, t.unavailable()]));
  for (const [id, why] of unavailable) if (why) log(`${id}: ${why}`);

  log("measuring start-up cost (empty file)");
  const startup = await measureStartup(unavailable);
  const results: CorpusResult[] = [];
  for (const c of corpora) results.push(await benchCorpus(c, unavailable, startup));

  console.log(`\naalens benchmark — scale ${SCALE}, seed ${SEED}, ${RUNS} run(s) per tool (median wall time, max peak RSS), RSS via ${rssMethod}`);
  console.log("lines/s and MB/s (1 MB = 10^6 bytes): whole file ÷ wall time of the whole process; net lines/s: start-up time (empty file) subtracted;");
  console.log("ratio = aalens lines/s ÷ that tool's lines/s; records = AppArmor records each tool recognised (grep: lines containing apparmor=)");
  console.log(`start-up (empty file, median): ${[...startup.values()].map((s) => `${s.tool} ${s.wallSeconds === null ? "n/a" : `${s.wallSeconds.toFixed(3)} s / ${s.peakRssBytes === null ? "?" : (s.peakRssBytes / 1e6).toFixed(1)} MB`}`).join(" · ")}`);
  for (const r of results) printCorpus(r);

  const pure = results.find((r) => r.corpus.name === "apparmor");
  const lib = pure?.rows.find((x) => x.tool === "libapparmor");
  const gs = goals(results);
  console.log("\n== goals ==");
  for (const g of gs) console.log(`${g.status.padEnd(4)}  ${g.description}\n      ${g.measured}`);
  if (lib?.aalensRatio !== undefined) console.log(`info  on apparmor.log (current kernel keys) aalens/libapparmor = ${lib.aalensRatio.toFixed(2)}×, but libapparmor 3.0.8 recognised only ${n0(lib.records ?? 0)} of ${n0(pure!.corpus.apparmorRecords)} records there`);

  const resultsFile = path.join(OUT, "results.json");
  const doc = {
    generatedAt: new Date().toISOString(),
    config: { scale: SCALE, seed: SEED, runs: RUNS, rssMethod, timeoutSeconds: TIMEOUT_S, tools: TOOLS.map((t) => t.id) },
    environment: versions(),
    startup: [...startup.values()],
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
