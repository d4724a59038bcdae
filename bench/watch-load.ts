/**
 * Load check for `aalens watch`: a writer appends AppArmor denials to a log at a fixed rate for a
 * fixed time, rotating the file by rename in the middle, while `aalens watch --format json`
 * follows it at its default settings. Reports events written vs reported (must be equal: nothing
 * lost, nothing doubled) and the latency from write to output (goal: p99 ≤ 100 ms).
 *
 *   npm run bench:watch      # env: RATE (lines/s, default 5000), SECONDS (default 10), POLL_MS (default: aalens's own)
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import split2 from "split2";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const RATE = Number(process.env.RATE ?? 5000);
const SECONDS = Number(process.env.SECONDS ?? 10);
/** Unset: aalens's default (inotify, with a 250 ms poll behind it). */
const POLL_MS = process.env.POLL_MS;

const dir = mkdtempSync(join(tmpdir(), "aalens-watch-load-"));
const log = join(dir, "audit.log");
writeFileSync(log, "");

/** One denial whose object carries its sequence number; the write time is kept by the writer. */
const line = (seq: number) =>
  `type=AVC msg=audit(${1764382380 + Math.floor(seq / 1000)}.${String(seq % 1000).padStart(3, "0")}:${seq + 1}): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/app" name="/srv/load/${seq}" pid=${1000 + (seq % 50)} comm="app" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000\n`;

const written = new Map<number, bigint>();
const latencies: number[] = [];
const seen = new Set<number>();
let reported = 0;
let doubled = 0;

const watch = spawn(process.execPath, [CLI, "watch", "--format", "json", ...(POLL_MS === undefined ? [] : ["--poll-ms", POLL_MS]), log], { stdio: ["ignore", "pipe", "pipe"] });
watch.stdout!.pipe(split2()).on("data", (json: string) => {
  const now = process.hrtime.bigint();
  const row = JSON.parse(json) as { resource: string };
  const seq = Number(row.resource.slice("/srv/load/".length));
  if (seen.has(seq)) doubled++;
  seen.add(seq);
  const t = written.get(seq);
  if (t !== undefined) latencies.push(Number(now - t) / 1e6);
  reported++;
});
let started = false;
watch.stderr!.on("data", (d: Buffer) => {
  if (d.toString().includes("watching")) started = true;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
while (!started) await sleep(20);

// Write in 10 ms ticks; rotate by rename half way through (the old name gets a new file).
const perTick = Math.max(1, Math.round(RATE / 100));
const ticks = SECONDS * 100;
let seq = 0;
for (let tick = 0; tick < ticks; tick++) {
  if (tick === Math.floor(ticks / 2)) {
    renameSync(log, `${log}.1`);
    writeFileSync(log, "");
  }
  let chunk = "";
  const t = process.hrtime.bigint();
  for (let i = 0; i < perTick; i++) {
    written.set(seq, t);
    chunk += line(seq++);
  }
  appendFileSync(log, chunk);
  await sleep(10);
}

// Let the watcher catch up, then stop it.
const deadline = Date.now() + 10_000;
while (seen.size < seq && Date.now() < deadline) await sleep(50);
watch.kill("SIGINT");
await new Promise((r) => watch.once("close", r));

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const whole = seen.size === seq && doubled === 0;
console.log(`aalens watch load: ${seq} denials written in ${SECONDS} s (${RATE}/s, rotation by rename at ${SECONDS / 2} s, ${POLL_MS === undefined ? "default settings" : `--poll-ms ${POLL_MS}`})`);
console.log(`  reported ${seen.size} of ${seq} distinct${seen.size === seq ? " (all)" : ` (MISSING ${seq - seen.size})`}, ${doubled} doubled`);
console.log(`  latency write → output: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${pct(100).toFixed(1)} ms`);
console.log(`  goal p99 ≤ 100 ms: ${pct(99) <= 100 ? "PASS" : "FAIL"}; nothing lost or doubled: ${whole ? "PASS" : "FAIL"}`);
process.exitCode = whole ? 0 : 1;
