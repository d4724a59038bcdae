/**
 * Runs one tool in its own child process and measures its wall time and peak RSS.
 *
 * Wall time is taken by this (otherwise idle) process with a monotonic clock from spawn to
 * exit.  Peak RSS is the child's `ru_maxrss` — the kernel's own high-water mark of resident
 * memory, kept in the task's rusage and handed to whoever wait4()s for it.  Node does not
 * expose a child's rusage (process.resourceUsage() only covers this process), so it is
 * collected through a tiny middleman, chosen once, in this order:
 *
 *  1. "gnu-time":  `/usr/bin/time -f '%e %M' -o FILE -- cmd …` (Debian package `time`).
 *     %M is ru_maxrss in KiB (correct since GNU time 1.8; 1.7 reported 4× too much).
 *     Its fork/exec adds ~1 ms to the wall time, which we measure ourselves.
 *  2. "getrusage": `/usr/bin/python3 -S -I -c WRAPPER FILE cmd …`: the wrapper fork()s,
 *     exec()s the command, wait4()s for it and writes the child's ru_maxrss and its own
 *     perf_counter() wall time of the child (so the python start-up is excluded).
 *  3. "poll":      spawn directly and poll /proc/PID/status VmHWM every 10 ms.  VmHWM is the
 *     same high-water mark, but the last sample can miss growth in the final <10 ms and
 *     grandchildren are not covered: approximate, used only when 1 and 2 are unavailable.
 *
 * 1 and 2 report the largest single process among the waited-for descendants (not the sum):
 * for every tool here that is the one process doing the work.  Both have a floor: Linux
 * carries the high-water mark of the forked, not yet exec()ed copy of the middleman over
 * into ru_maxrss, so nothing reads below ~1 MB with GNU time or ~7 MB with the python
 * wrapper (only grep is that small).  AALENS_BENCH_RSS can force a method
 * (gnu-time | getrusage | poll).
 *
 * The child's stdout and stderr go to files (not pipes), so output volume never throttles
 * the child through pipe back-pressure, and the harness can read them afterwards.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";

export type RssMethod = "gnu-time" | "getrusage" | "poll";

export interface Measurement {
  wallSeconds: number;
  /** Peak resident set size in bytes, or null when it could not be measured. */
  peakRssBytes: number | null;
  rssMethod: RssMethod;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdoutPath: string;
  stderrPath: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdoutPath: string;
  stderrPath: string;
  /** Kill the whole process group after this long (ms). */
  timeoutMs?: number;
  method?: RssMethod;
}

/** Run with `python3 -S -I` (no site imports: the smaller the wrapper, the lower the RSS floor, see above). */
const GETRUSAGE_WRAPPER = [
  "import os, sys, time",
  "t = time.perf_counter()",
  "pid = os.fork()",
  "if pid == 0:",
  "    try:",
  "        os.execvp(sys.argv[2], sys.argv[2:])",
  "    except OSError as e:",
  "        os.write(2, ('cannot run %s: %s\\n' % (sys.argv[2], e)).encode())",
  "    os._exit(127)",
  "_, status, ru = os.wait4(pid, 0)",
  "wall = time.perf_counter() - t",
  "with open(sys.argv[1], 'w') as f:",
  "    f.write('%f %d\\n' % (wall, ru.ru_maxrss))",
  "sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))",
].join("\n");

let detected: RssMethod | undefined;

/** Picks the most reliable RSS method available here (cached). */
export function detectRssMethod(): RssMethod {
  if (detected) return detected;
  const forced = process.env.AALENS_BENCH_RSS as RssMethod | undefined;
  if (forced === "gnu-time" || forced === "getrusage" || forced === "poll") return (detected = forced);
  const tmp = `/tmp/aalens-bench-probe-${process.pid}`;
  try {
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", tmp, "--", "true"], { stdio: "ignore" });
    if (r.status === 0 && /^\d+(\.\d+)? \d+\s*$/.test(fs.readFileSync(tmp, "utf8").trim().split("\n").pop() ?? "")) {
      return (detected = "gnu-time");
    }
  } catch {
    /* not there */
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  try {
    const r = spawnSync("/usr/bin/python3", ["-S", "-I", "-c", GETRUSAGE_WRAPPER, tmp, "true"], { stdio: "ignore" });
    if (r.status === 0 && /^\d/.test(fs.readFileSync(tmp, "utf8"))) return (detected = "getrusage");
  } catch {
    /* no python */
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return (detected = "poll");
}

function readVmHwmKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Runs `cmd args…` once and measures it. Never rejects for a failing command: see exitCode/signal. */
export function measure(cmd: string, args: readonly string[], o: MeasureOptions): Promise<Measurement> {
  const method = o.method ?? detectRssMethod();
  const rssFile = `${o.stderrPath}.rusage`;
  fs.rmSync(rssFile, { force: true });
  let file = cmd;
  let argv = [...args];
  if (method === "gnu-time") {
    file = "/usr/bin/time";
    argv = ["-f", "%e %M", "-o", rssFile, "--", cmd, ...args];
  } else if (method === "getrusage") {
    file = "/usr/bin/python3";
    argv = ["-S", "-I", "-c", GETRUSAGE_WRAPPER, rssFile, cmd, ...args];
  }
  const out = fs.openSync(o.stdoutPath, "w");
  const err = fs.openSync(o.stderrPath, "w");

  return new Promise<Measurement>((resolve) => {
    const start = process.hrtime.bigint();
    // detached: own process group, so a timeout can kill the middleman and the tool together
    const child = spawn(file, argv, { cwd: o.cwd, env: o.env ?? process.env, stdio: ["ignore", out, err], detached: true });
    let timedOut = false;
    let hwm: number | null = null;
    let poller: NodeJS.Timeout | undefined;
    if (method === "poll") {
      poller = setInterval(() => {
        const v = child.pid ? readVmHwmKiB(child.pid) : null;
        if (v !== null) hwm = Math.max(hwm ?? 0, v);
      }, 10);
    }
    const timer = o.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid) process.kill(-child.pid, "SIGKILL");
          } catch {
            /* already gone */
          }
        }, o.timeoutMs)
      : undefined;

    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (done) return;
      done = true;
      let wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      fs.closeSync(out);
      fs.closeSync(err);
      if (spawnError) fs.appendFileSync(o.stderrPath, `spawn failed: ${spawnError.message}\n`);
      let peak: number | null = hwm === null ? null : hwm * 1024;
      try {
        // GNU time writes "Command exited with non-zero status N" before the format line
        const last = fs.readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "";
        const [a, b] = last.split(/\s+/);
        if (b !== undefined && /^\d+$/.test(b)) peak = Number(b) * 1024;
        if (method === "getrusage" && a && /^\d+(\.\d+)?$/.test(a)) wallSeconds = Number(a);
      } catch {
        /* poll method, or killed before writing */
      }
      fs.rmSync(rssFile, { force: true });
      resolve({ wallSeconds, peakRssBytes: peak, rssMethod: method, exitCode: code, signal, timedOut, stdoutPath: o.stdoutPath, stderrPath: o.stderrPath });
    };
    child.once("error", (e) => finish(127, null, e));
    child.once("exit", (code, signal) => finish(code, signal));
  });
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
