/**
 * Seeded fuzzing of the built CLI with hostile input. Real AppArmor lines (samples/ and, when it
 * is beside the repository, libapparmor's test_multi corpus) are mutated family by family; every
 * mutated line sits between two sentinel lines that each produce a unique denial. Each family's
 * batch is run through `analyze --format json` and `parse` plus two more of the output formats
 * (rotated: text, rules, pasta, csv, ecs, markdown, html, csv aggregate; the control-character family
 * runs all of them), and every run must hold:
 *   (1) exit status 0, or 2 when something was skipped — never 1, a signal or a timeout;
 *   (2) no stack trace and no "internal error" on stdout or stderr;
 *   (3) every sentinel is still counted;
 *   (4) every fuzzed line with an audit marker is a record or is counted as skipped with a code;
 *   (5) under 20 s and 300 MB peak RSS per run;
 *   (6) no C0 (but TAB, LF, and CR in CSV's CRLF), DEL, C1 or bidi/format character from a log
 *       in any output byte stream (JSON may carry them only as \u escapes);
 *   (7) the HTML report holds only aalens's own elements and its one script: no log value became markup.
 * The seed is fixed (AALENS_FUZZ_SEED overrides it) and printed with every failure.
 * AALENS_FUZZ_KEEP=1 keeps the generated inputs; AALENS_FUZZ_VERBOSE=1 prints each run's time and RSS.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync, createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, it } from "vitest";
import { CLI } from "./helpers/cli.js";
import {
  CONTROL_SEQUENCES,
  HEX_KEYS,
  MEMBER_NAMES,
  Rng,
  exportBatch,
  exportField,
  exportSentinel,
  fuzzRun,
  fuzzSeed,
  gunzipPrefix,
  hasMarker,
  hex,
  insertAt,
  journalJsonBatch,
  loadBaseLines,
  pairsOf,
  randomC0,
  Sentinels,
  commonChecks,
  literal,
  runCli,
  sentinelsIn,
  setValue,
  somePlace,
  textBatch,
  withStamp,
  type BadEntry,
  type Command,
  type Expectation,
} from "./helpers/fuzz.js";

const seed = fuzzSeed();
const root = new Rng(seed);
const base = loadBaseLines();
const BASE = base.lines.map((l) => l.text);
/** Base lines with an audit(…) stamp (for the stamp family). */
const STAMPED = BASE.filter((l) => /audit\([^)]*\)/.test(l));
const work = mkdtempSync(join(tmpdir(), "aalens-fuzz-"));
const NOTE = `seed ${seed} (rerun: AALENS_FUZZ_SEED=${seed} npx vitest run test/fuzz.hostile-input.test.ts; AALENS_FUZZ_KEEP=1 keeps the inputs in ${work})`;
/** Generous: the CLI runs queue behind a shared limit of parallel processes. */
const TEST_TIMEOUT = 180_000;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json; npm test does it)`);
});
afterAll(() => {
  if (!process.env.AALENS_FUZZ_KEEP) rmSync(work, { recursive: true, force: true });
});

function file(name: string, data: Buffer | string): string {
  const path = join(work, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** The output formats beyond json and parse, handed out in turn so every one is run several times. */
const EXTRA: Command[] = ["text", "rules", "pasta", "csv", "ecs", "markdown", "html", "csv-aggregate"];
let turn = 0;
function commands(n = 2, withParse = true): Command[] {
  const out: Command[] = withParse ? ["json", "parse"] : ["json"];
  for (let i = 0; i < n; i++) out.push(EXTRA[turn++ % EXTRA.length]!);
  return out;
}

/** One text batch (S, bad, S, bad, …, S) in a file, run through `cmds`. */
async function textCase(
  family: string,
  tag: string,
  lines: ReadonlyArray<Buffer | string>,
  cmds: Command[],
  opts: { extraArgs?: string[]; stdin?: boolean; mustSkip?: boolean; injection?: boolean; memberKeys?: readonly string[] } = {},
): Promise<string[]> {
  const batch = textBatch(tag, lines);
  const path = file(`${tag}.log`, batch.data);
  const expect: Expectation = {
    sentinels: batch.sentinels.resources(),
    sentinelLines: batch.sentinelLines,
    bad: batch.bad,
    source: opts.stdin === true ? "-" : path,
    perLine: "exact",
    ...(opts.mustSkip ? { mustSkip: true } : {}),
    ...(opts.injection ? { injection: true } : {}),
    ...(opts.memberKeys ? { memberKeys: opts.memberKeys } : {}),
  };
  return fuzzRun({
    family,
    inputs: opts.stdin === true ? ["-"] : [path],
    ...(opts.stdin === true ? { stdinFile: path } : {}),
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
    commands: cmds,
    expect,
    workDir: work,
  });
}

// ---------------------------------------------------------------------------------------------
// Mutation families (each draws from its own fork of the seed)

function byteFlips(rng: Rng, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const line = Buffer.from(rng.pick(BASE), "utf8");
    const k = rng.range(1, 4);
    for (let j = 0; j < k; j++) {
      const at = rng.int(line.length);
      if (rng.chance(0.7)) line[at] = line[at]! ^ (1 << rng.int(8));
      else line[at] = rng.int(256);
    }
    out.push(line);
  }
  return out;
}

const CUT_AT = new Set([..."=\"' ():[],.\x1d/{}"].map((c) => c.charCodeAt(0)));
/** Every interesting byte offset of a line: around separators, quotes and brackets, and inside UTF-8 characters. */
function truncations(rng: Rng, lines: number, perLine: number): Buffer[] {
  const out: Buffer[] = [];
  const picked = rng.shuffle(BASE).slice(0, lines);
  // The multi-byte template, so cuts inside a UTF-8 character are always among them.
  const utf8 = BASE.find((l) => /[^\x00-\x7f]/.test(l));
  if (utf8 !== undefined && !picked.includes(utf8)) picked.push(utf8);
  for (const text of picked) {
    const b = Buffer.from(text, "utf8");
    const offsets: number[] = [];
    for (let i = 1; i < b.length; i++) {
      const prev = b[i - 1]!;
      const cur = b[i]!;
      if (CUT_AT.has(prev) || CUT_AT.has(cur) || (cur & 0xc0) === 0x80) offsets.push(i);
    }
    const chosen = offsets.length <= perLine ? offsets : rng.shuffle(offsets).slice(0, perLine).sort((x, y) => x - y);
    for (const at of chosen) out.push(b.subarray(0, at));
  }
  return out;
}

const INSERTS = ['"', "=", "'", "\x1d", "\0", '""', "==", "''", '="', "\\", '\\"', "'\"'", "\x1d\x1d", "=''", "\"'", "='\"", " = ", "\x1d="];
function insertions(rng: Rng, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let line = rng.pick(BASE);
    const k = rng.range(1, 3);
    for (let j = 0; j < k; j++) line = insertAt(line, somePlace(rng, line), i < INSERTS.length && j === 0 ? INSERTS[i]! : rng.pick(INSERTS));
    out.push(line);
  }
  return out;
}

/** Control characters, ESC sequences, C1, bidi, DEL: raw, hex-encoded as the kernel would, in envelopes and ENRICHED tails. */
function controls(rng: Rng, n: number): string[] {
  const out: string[] = [];
  // Every sequence at least once, raw and hex-encoded.
  for (const seq of CONTROL_SEQUENCES) {
    const line = rng.pick(BASE);
    out.push(insertAt(line, somePlace(rng, line), seq));
    out.push(setValue(rng.pick(BASE), rng.pick(HEX_KEYS), hex(`/tmp/${seq}x`)));
  }
  // Every C0 control (but LF) raw inside a quoted value.
  for (let c = 0; c < 32; c++) {
    if (c === 10) continue;
    out.push(setValue(rng.pick(BASE), rng.pick(["name", "comm", "profile", "info", "operation"]), `"a${String.fromCharCode(c)}b"`));
  }
  while (out.length < n) {
    const line = rng.pick(BASE);
    const seq = rng.chance(0.8) ? rng.pick(CONTROL_SEQUENCES) : randomC0(rng);
    switch (rng.int(5)) {
      case 0:
        out.push(insertAt(line, somePlace(rng, line), seq));
        break;
      case 1:
        out.push(setValue(line, rng.pick(HEX_KEYS), hex(`${rng.pick(["/tmp/", "pasta", "", "/home/a b/"])}${seq}${rng.pick(["", "x", "/etc/passwd"])}`)));
        break;
      case 2:
        out.push(setValue(line, rng.pick(["name", "comm", "profile", "exe", "peer", "info", "target", "requested_mask", "denied_mask", "capname", "operation", "class"]), `"${seq}"`));
        break;
      case 3: {
        const host = `ho${seq}st`;
        const body = line.slice(Math.max(0, line.indexOf("type=")));
        out.push(rng.chance(0.5) ? `Nov 29 09:12:03 ${host} kernel: [ 4211.093421] audit: ${body}` : `node=${host} ${body}`);
        break;
      }
      default:
        out.push(`${line}\x1dUID="${seq}" AUID=${rng.chance(0.5) ? hex(seq) : `"x${seq}"`} ${rng.pick(["FSUID", "OUID", "ARCH"])}="${seq}"`);
    }
  }
  return out;
}

const NUMBER_KEYS = ["pid", "ppid", "uid", "auid", "fsuid", "ouid", "ses", "capability", "lport", "fport", "protocol", "error", "items", "syscall", "exit", "a0", "inode", "item", "signal", "peer_pid", "sauid", "arch", "tty", "success", "mode", "ogid"];
const NUMBERS = [
  "-1",
  "99999999999999999999",
  "abc",
  "-0",
  "0x10",
  "1e308",
  "1e400",
  "NaN",
  "Infinity",
  "-Infinity",
  "",
  "9007199254740993",
  "-9223372036854775809",
  "18446744073709551616",
  "4294967295",
  "4294967296",
  "00000000000000000001",
  "1.5",
  "+5",
  "\u0663\u0664",
  "\uff11\uff12",
  "12abc",
  "--1",
  "1_000",
  `${"9".repeat(400)}`,
  '"-1"',
  '"99999999999999999999"',
  "?",
  "(null)",
  "-",
];
function numbers(rng: Rng, n: number): string[] {
  const out: string[] = [];
  for (const value of NUMBERS) out.push(setValue(rng.pick(BASE), "pid", value));
  while (out.length < n) {
    let line = rng.pick(BASE);
    const k = rng.range(1, 3);
    for (let j = 0; j < k; j++) {
      const numeric = pairsOf(line).filter((p) => NUMBER_KEYS.includes(p.key) || /^-?\d+$/.test(p.value));
      const key = numeric.length > 0 && rng.chance(0.8) ? rng.pick(numeric).key : rng.pick(NUMBER_KEYS);
      line = setValue(line, key, rng.pick(NUMBERS));
    }
    out.push(line);
  }
  return out;
}

const STAMPS = [
  "audit(8640000000001.000:2)",
  "audit(9999999999999.123:1)",
  "audit(-1.0:1)",
  `audit(${"9".repeat(30)}.000:1)`,
  `audit(${"1".repeat(30)}.000:1)`,
  "audit(8640000000000.000:1)",
  "audit(253402300799.999:1)",
  "audit(253402300800.000:1)",
  "audit(0.000:0)",
  "audit(0000000000.000:0000)",
  "audit(1764382380.412:99999999999999999999)",
  "audit(1764382380.412:-1)",
  "audit(1764382380.412:)",
  "audit(1764382380.412)",
  "audit(1764382380:1)",
  "audit(.:)",
  "audit(:)",
  "audit()",
  "audit(1764382380.4125:1)",
  "audit(1764382380.412:1:2)",
  "audit(1e9.000:1)",
  "audit(NaN.000:1)",
  "audit(Infinity.0:1)",
  "audit(0x10.000:1)",
  "audit(-0.000:1)",
  `audit(1764382380.${"0".repeat(30)}:1)`,
  "audit(1764382380.999999999999:1)",
  "audit(\u0661\u0667\u0666\u0664.412:1)",
  "audit(11/29/2025 02:21:40.412:1250)",
  "audit(13/45/2025 25:61:61.412:1)",
  "audit(02/30/0000 00:00:00.000:1)",
  "audit(12/31/9999 23:59:59.999:1)",
  "audit(01/01/10000 00:00:00.000:1)",
  "audit(00/00/0000 00:00:00.000:0)",
  "audit(1764382380.412:1250",
  "audit(audit(1764382380.412:1):1)",
];
const ENVELOPES = [
  "Feb 30 25:61:61 fuzzhost kernel: [ 1.000] audit: ",
  "Xyz 99 99:99:99 fuzzhost kernel: audit: ",
  "9999-12-31T23:59:59.999999+14:00 fuzzhost kernel: audit: ",
  "0000-01-01T00:00:00Z fuzzhost kernel: audit: ",
  "+275760-09-13T00:00:00.000Z fuzzhost kernel: audit: ",
  "2025-13-45T99:99:99+99:99 fuzzhost kernel: audit: ",
  "2025-11-29T09:13:00.123456789123456789+0100 fuzzhost kernel: audit: ",
  "99999999999999.000000 fuzzhost kernel: audit: ",
  "-1.000000 fuzzhost kernel: audit: ",
  `${"9".repeat(30)}.000000 fuzzhost kernel: audit: `,
  "[Sat Feb 30 99:99:99 99999] audit: ",
  "[Sat Nov 29 02:20:09 -2025] audit: ",
  "[99999999999999999999.999999] audit: ",
  "[-1.000000] audit: ",
  "Nov 29 09:12:03.99999999999999999999 fuzzhost kernel: audit: ",
];
function stamps(rng: Rng): string[] {
  const out: string[] = [];
  const pool = STAMPED.length > 0 ? STAMPED : BASE;
  for (const stamp of STAMPS) for (let k = 0; k < 6; k++) out.push(withStamp(rng.pick(pool), stamp));
  for (const env of ENVELOPES) {
    for (let k = 0; k < 3; k++) {
      const line = rng.pick(pool);
      const body = line.slice(Math.max(0, line.indexOf("type=")));
      out.push(env + (k === 2 ? withStamp(body, rng.pick(STAMPS)) : body));
    }
  }
  return out;
}

function hexValues(rng: Rng, n: number): string[] {
  const forms = (): string => {
    const path = hex(rng.pick(["/tmp/a b", "/home/alice/x y", "pasta", "/usr/bin/passt"]));
    switch (rng.int(14)) {
      case 0:
        return path.slice(0, -1); // odd length
      case 1:
        return path.toLowerCase();
      case 2:
        return path.slice(0, 4) + path.slice(4).toLowerCase();
      case 3:
        return "00";
      case 4:
        return "2F00746D70" + path;
      case 5:
        return rng.pick(["FFFE", "C0AF", "EDA080", "F4908080", "C0", "E280", "80808080"]);
      case 6:
        return path.slice(0, 2) + "7G" + path.slice(2);
      case 7:
        return "0x" + path;
      case 8:
        return hex("A".repeat(rng.range(2000, 20000)));
      case 9:
        return "A";
      case 10:
        return hex("/tmp/x\n/etc/shadow\r\n");
      case 11:
        return `${path} ${path.slice(0, 2)}`;
      case 12:
        return hex("\u202e/tmp/\u200bx\ufeff");
      default:
        return "0".repeat(rng.range(1, 64));
    }
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(setValue(rng.pick(BASE), rng.pick(HEX_KEYS), forms()));
  return out;
}

function duplicatesAndNestedMsg(rng: Rng, n: number): string[] {
  const out: string[] = [];
  const userAvc = BASE.filter((l) => l.includes("msg='"));
  const nested = userAvc.length > 0 ? userAvc : BASE;
  while (out.length < n) {
    const line = rng.pick(BASE);
    switch (rng.int(8)) {
      case 0: {
        const pairs = pairsOf(line);
        if (pairs.length === 0) break;
        const p = rng.pick(pairs);
        const value = rng.chance(0.5) ? p.value : p.key === "apparmor" ? rng.pick(['"ALLOWED"', '"STATUS"', '"DENIED"', "KILL"]) : '"other"';
        out.push(insertAt(line, rng.chance(0.5) ? p.end : line.length, ` ${p.key}=${value}`));
        break;
      }
      case 1:
        out.push(line.replace(/type=(\S+)/, (_, t: string) => `type=${t} type=${rng.pick(["SYSCALL", "AVC", "1400", t])}`));
        break;
      case 2:
        out.push(line.replace(/msg=audit\(([^)]*)\)/, (m) => `${m}: msg=${m}`));
        break;
      case 3:
        out.push(`node=a node=b ${line.slice(Math.max(0, line.indexOf("type=")))}`);
        break;
      default: {
        const u = rng.pick(nested);
        const open = u.indexOf("msg='");
        const close = u.lastIndexOf("'");
        if (open < 0) {
          out.push(`${u} msg='apparmor="DENIED" operation="dbus_bind"`);
          break;
        }
        const head = u.slice(0, open);
        const inner = u.slice(open + 5, close > open + 4 ? close : u.length);
        const tail = close > open + 4 ? u.slice(close + 1) : "";
        out.push(
          rng.pick([
            `${head}msg='${inner}`,
            `${head}msg='${inner}'${tail}'`,
            `${head}msg='msg='${inner}''${tail}`,
            `${head}msg=''${tail}`,
            `${head}msg='`,
            `${head}msg='${inner}' msg='${inner}'${tail}`,
            `${head}msg='${inner}'\x1dUID="root`,
            `${head}msg='${inner.replace('name="', "name=\"it's ")}'${tail}`,
            `${head}msg={ ${inner} }${tail}`,
            `${head}msg='${inner} msg='${inner}`,
            `${head}msg="${inner}"${tail}`,
            `${head}msg='${inner.slice(0, Math.floor(inner.length / 2))}`,
          ]),
        );
      }
    }
  }
  return out;
}

const MEMBER_VALUE_KEYS = ["apparmor", "operation", "class", "profile", "name", "comm", "requested_mask", "denied_mask", "capname", "family", "sock_type", "signal", "mask", "info", "peer", "label", "target", "bus", "member"];
function objectMembers(rng: Rng, n: number): string[] {
  const out: string[] = [];
  const avc = BASE.find((l) => l.startsWith("type=AVC ") && l.includes('apparmor="DENIED"')) ?? BASE[0]!;
  out.push(setValue(avc, "apparmor", '"constructor"'), avc.replace(/^type=AVC/, "type=toString"), avc.replace(/^type=AVC/, "type=__proto__"), avc.replace(/^type=AVC/, "type=constructor"), `node=__proto__ ${avc}`);
  for (const m of MEMBER_NAMES) out.push(`${avc} ${m}=1`, setValue(avc, "profile", `"${m}"`), setValue(avc, "name", m));
  while (out.length < n) {
    let line = rng.pick(BASE);
    const k = rng.range(1, 3);
    for (let j = 0; j < k; j++) {
      const m = rng.pick(MEMBER_NAMES);
      switch (rng.int(4)) {
        case 0:
          line = insertAt(line, rng.chance(0.5) ? line.length : Math.max(0, line.indexOf(" ", line.indexOf("):") + 2)), ` ${m}=${rng.pick(["1", '"x"', "", "{}", "__proto__", '"constructor"'])}`);
          break;
        case 1:
          line = setValue(line, rng.pick(MEMBER_VALUE_KEYS), rng.chance(0.5) ? `"${m}"` : m);
          break;
        case 2:
          line = line.replace(/type=[A-Z0-9_[\]]+/, `type=${m}`);
          break;
        default:
          line = `${line}\x1d${m}="${rng.pick(MEMBER_NAMES)}" ${m.toUpperCase()}=${m}`;
      }
    }
    out.push(line);
  }
  return out;
}

/** Values that would be rules of their own if pasted into policy unquoted. */
function injections(): string[] {
  const h = (s: string) => `type=AVC msg=audit(1764382395.${s.length % 1000}:${8000 + s.length}): ${s}`;
  const inj = "/** rwlkmix";
  return [
    h(`apparmor="DENIED" operation="capable" class="cap" profile="pasta" pid=3001 comm="pasta" capability=12  capname="net_admin, ${inj}"`),
    h(`apparmor="DENIED" operation="capable" class="cap" profile="pasta" pid=3001 comm="pasta" capability=99 capname=${hex(`net_admin, ${inj}`)}`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name="/tmp/# END aalens" pid=3002 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex("/tmp/# END aalens")} pid=3002 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex(`/tmp/x\n# END aalens\n${inj},`)} pid=3003 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex(`/tmp/x r,\n  ${inj},\n#`)} pid=3003 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex(`/tmp/a" r, ${inj}, "/b`)} pid=3004 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name="/tmp/x, ${inj}," pid=3004 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name="/tmp/x" pid=3004 comm="pasta" requested_mask="rwlkmix, ${inj}" denied_mask="r, ${inj}" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name="/tmp/}\n${inj}" pid=3004 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex(`/tmp/} ${inj}, profile x {`)} pid=3004 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name=${hex(`/tmp/x #include <abstractions/base>`)} pid=3004 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="mount" class="mount" info="failed mntpnt match" error=-13 profile="pasta" name="/mnt/" pid=3005 comm="pasta" srcname=${hex(`x" -> /mnt/, ${inj}, mount "y`)} fstype="ext4" flags="rw"`),
    h(`apparmor="DENIED" operation="mount" class="mount" info="failed mntpnt match" error=-13 profile="pasta" name=${hex(`/mnt/, ${inj}, mount -> /x`)} pid=3005 comm="pasta" srcname="/dev/sda1" fstype="ext4" flags="rw"`),
    h(`apparmor="DENIED" operation="mount" class="mount" info="failed flags match" error=-13 profile="pasta" name="/" pid=3005 comm="pasta" fstype="ext4) -> /, ${inj}, mount fstype=(x" flags="rw, ${inj}"`),
    h(`apparmor="DENIED" operation="signal" class="signal" profile="pasta" pid=3006 comm="pasta" requested_mask="receive" denied_mask="receive" signal=term peer="unconfined), ${inj}, signal (peer=x"`),
    h(`apparmor="DENIED" operation="signal" class="signal" profile="pasta" pid=3006 comm="pasta" requested_mask="receive, ${inj}" denied_mask="receive" signal="kill) ${inj}, signal (set=term" peer="podman"`),
    h(`apparmor="DENIED" operation="ptrace" class="ptrace" profile="pasta" pid=3007 comm="pasta" requested_mask="read" denied_mask="read" peer="x, ${inj},"`),
    h(`apparmor="DENIED" operation="connect" class="unix" profile="pasta" pid=3008 comm="pasta" family="unix" sock_type="stream" protocol=0 requested_mask="connect" denied_mask="connect" addr=none peer_addr="@/x), ${inj}, unix (peer=(addr=y" peer="unconfined"`),
    h(`apparmor="DENIED" operation="create" class="net" profile="pasta" pid=3009 comm="pasta" family="inet, ${inj}," sock_type="raw, ${inj}" protocol=1 requested_mask="create" denied_mask="create"`),
    h(`apparmor="DENIED" operation="exec" class="file" info="no new privs" error=-1 profile="pasta" name=${hex(`/bin/x -> y, ${inj},`)} pid=3010 comm="pasta" requested_mask="x" denied_mask="x" fsuid=0 ouid=0 target=${hex(`y, ${inj},`)}`),
    h(`apparmor="DENIED" operation="change_profile" class="file" profile="pasta" name=${hex(`x -> y, ${inj},`)} pid=3011 comm="pasta" target=${hex(`z, ${inj},`)}`),
    h(`apparmor="DENIED" operation="userns_create" class="namespace" profile="pasta" pid=3012 comm="pasta" requested="userns_create, ${inj}" denied="userns_create"`),
    `type=USER_AVC msg=audit(1764382395.900:8100): pid=912 uid=102 auid=4294967295 ses=4294967295 subj=unconfined msg='apparmor="DENIED" operation="dbus_method_call"  bus="system" path="/org/x), ${inj}, dbus (path=/y" interface="org.x, ${inj}," member="Hello, ${inj}," mask="send" name="org.x" pid=3013 label="pasta" peer_label="unconfined) ${inj}, dbus (x"'`,
    h(`apparmor="DENIED" operation="open" class="file" profile=${hex(`pasta { ${inj}, }`)} name="/tmp/y" pid=3014 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="../../../etc/passwd" name="/tmp/z" pid=3015 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="open" class="file" profile="pasta" name="@{HOME}/\${x}/[a-z]{b,c}**?^" pid=3016 comm="pasta" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`),
    h(`apparmor="DENIED" operation="file_lock" class="file" profile="pasta" name="/tmp/x" pid=3017 comm="pasta" requested_mask="k, ${inj}" denied_mask="k" fsuid=0 ouid=0`),
  ];
}

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x80], [0x80], [0xbf, 0xbf], [0xc2], [0xef, 0xbb, 0xbf], [0xe2, 0x80, 0xae], [0xc2, 0x9b], [0x9b], [0x1b]].map((b) => Buffer.from(b));
function randomBytes(rng: Rng, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r < 3) out.push(rng.bytes(rng.range(1, 400)));
    else if (r < 6) {
      out.push(Buffer.concat([Buffer.from(`type=AVC msg=audit(1764382396.${String(i % 1000).padStart(3, "0")}:${9000 + i}): apparmor="DENIED" operation="open" class="file" profile="rnd" name="`), rng.bytes(rng.range(1, 200)), Buffer.from(`" pid=1 comm="rnd"`)]));
    } else {
      const line = rng.pick(BASE);
      const at = Buffer.byteLength(line.slice(0, somePlace(rng, line)));
      const b = Buffer.from(line);
      const parts = [b.subarray(0, at)];
      for (let k = rng.range(1, 3); k > 0; k--) parts.push(rng.pick(INVALID_UTF8));
      parts.push(b.subarray(at));
      out.push(Buffer.concat(parts));
    }
  }
  return out;
}

// journald JSON ---------------------------------------------------------------------------------

function journalJson(rng: Rng, n: number): BadEntry[] {
  const out: BadEntry[] = [];
  const entry = (fields: Record<string, unknown>, message: string | undefined, extra = ""): string => {
    const json = JSON.stringify({ __CURSOR: `s=f1;i=${out.length}`, __REALTIME_TIMESTAMP: "1764382500123456", _TRANSPORT: "kernel", _HOSTNAME: "fuzzhost", ...fields });
    return message === undefined ? json : `${json.slice(0, -1)},"MESSAGE":${message}${extra}}`;
  };
  const text = () => {
    const l = rng.pick(BASE);
    return l.includes("audit(") ? l : `audit: type=1400 audit(1764382500.121:${5000 + out.length}): ${l}`;
  };
  const bytes = (s: string) => [...Buffer.from(s)];
  const add = (raw: string, marker?: boolean) => out.push({ raw, marker: marker ?? (raw.includes("apparmor=") || raw.includes("audit(")) });
  const badBytes = () => {
    const b: unknown[] = bytes(text());
    for (let k = rng.range(1, 4); k > 0; k--) b[rng.int(b.length)] = rng.pick([256, -1, 1.5, "a", null, 1e10, true, {}, [], -0, 65, "65", 1e400]);
    return JSON.stringify(b).replace(/null/g, () => rng.pick(["null", "1e400"]));
  };
  const odd = [
    () => add(entry({}, "{}")),
    () => add(entry({}, JSON.stringify({ text: text() }))),
    () => add(entry({}, rng.pick(["true", "false", "0", "1.5", "-1", "1e400", "-0", "123456789012345678901234567890"]), `,"TEXT":${JSON.stringify(text())}`)),
    () => add(entry({}, "null", `,"X":${JSON.stringify(text())}`)),
    () => add(entry({}, rng.pick(["[]", "[[]]", "[[[]]]", "[{}]", "[null]", "[true]"]), `,"X":${JSON.stringify(text())}`)),
    () => add(entry({}, `[[[[${JSON.stringify(text())}]]]]`)),
    () => add(entry({}, JSON.stringify([text(), text()]))),
    () => add(entry({}, JSON.stringify([bytes(text())])), true),
    () => add(entry({}, JSON.stringify([bytes(text()), "x"])), true),
    () => add(entry({}, JSON.stringify(["x", bytes(text())]))),
    () => add(entry({}, JSON.stringify(bytes(text()))), true),
    () => add(entry({}, badBytes()), true),
    () => add(entry({}, `[${badBytes()},${badBytes()}]`), true),
    () => add(entry({}, `${"[".repeat(20000)}${"]".repeat(20000)}`, `,"X":${JSON.stringify(text())}`)),
    () => add(entry({}, JSON.stringify(text() + "\u0000\u001b[2J\u202e\u009b\u007f"))),
    () => add(entry({}, `"${text().replace(/"/g, '\\"')}\\ud800\\udfff\\ud800"`)),
    () => add(entry({ __REALTIME_TIMESTAMP: rng.pick(["abc", -1, 1e30, {}, [1], "99999999999999999999", "", "-1", "1e400", true]) }, JSON.stringify(text()))),
    () =>
      add(
        entry(
          {
            _TRANSPORT: "audit",
            _AUDIT_TYPE: rng.pick(["1400", "99999", "constructor", 1400, "-1", "__proto__"]),
            _AUDIT_TYPE_NAME: rng.pick(["AVC", "__proto__", "toString", "\u001b[2J"]),
            _AUDIT_ID: rng.pick(["abc", -1, {}, "1e3", "99999999999999999999", "2001", ""]),
            _SOURCE_REALTIME_TIMESTAMP: rng.pick(["abc", -1, 1e30, "99999999999999999999", "8640000000001000000", "", {}]),
          },
          JSON.stringify(`AVC ${rng.pick(BASE).replace(/^.*?\): /, "")}`),
        ),
      ),
    () => add(entry({ _TRANSPORT: rng.pick([{}, 5, ["audit", "kernel"], "audit", "", "__proto__"]) }, JSON.stringify(text()))),
    () => add(entry({ _HOSTNAME: rng.pick(["\u001b[2J", "\u202ehost", { a: 1 }, ["h"], 5, "", "__proto__", "\u0000", "h\u200bh", "\ufeffh"]) }, JSON.stringify(text()))),
    () => add(entry({ _PID: rng.pick(["abc", -1, {}, "99999999999999999999"]), SYSLOG_IDENTIFIER: rng.pick(["\u001b]0;PWNED\u0007", "audit", {}, "constructor"]) }, JSON.stringify(text()))),
    () => add(`${entry({}, '"x"').slice(0, -1)},"MESSAGE":${JSON.stringify(text())}}`),
    () => add(`{"__CURSOR":"s=f1","_TRANSPORT":"kernel","__proto__":{"MESSAGE":${JSON.stringify(text())}}}`),
    () => add(`{"__CURSOR":"s=f1","_TRANSPORT":"kernel","constructor":${JSON.stringify(text())},"toString":1,"hasOwnProperty":"x","valueOf":{},"MESSAGE":${JSON.stringify(text())}}`),
    () => add(`{"__proto__":null,"MESSAGE":${JSON.stringify(text())},"__proto__":{"MESSAGE":1}}`),
    () => {
      const full = entry({}, JSON.stringify(text()));
      add(full.slice(0, rng.range(1, full.length - 1)));
    },
    () => add(`${entry({}, JSON.stringify(text()))}${rng.pick(["}", "}}", ",", " garbage", "{", "]"])}`),
    () => add(`[${entry({}, JSON.stringify(text()))}]`),
    () => add(rng.pick([JSON.stringify(text()), "123", "null", "{", "[", "\ufeff" + entry({}, JSON.stringify(text()))])),
    () => add(text()),
    () => add(entry({}, JSON.stringify(text())).replace(":", ":\u0000"), true),
  ];
  for (const f of odd) f();
  for (const s of base.journalEntries) {
    const raw = Buffer.from(JSON.stringify(s));
    for (let k = 0; k < 2; k++) {
      const b = Buffer.from(raw);
      b[rng.int(b.length)] = rng.int(256);
      out.push({ raw: b, marker: hasMarker(b) });
    }
  }
  while (out.length < n) rng.pick(odd)();
  return out;
}

// journald export --------------------------------------------------------------------------------

function exportEntries(rng: Rng, n: number): BadEntry[] {
  const out: BadEntry[] = [];
  const text = () => {
    const l = rng.pick(BASE);
    return l.includes("audit(") ? l : `audit: type=1400 audit(1764382600.121:${6000 + out.length}): ${l}`;
  };
  const head = () => Buffer.concat([exportField("__CURSOR", `s=f2;i=${out.length}`), exportField("__REALTIME_TIMESTAMP", "1764382600123456"), exportField("_TRANSPORT", "kernel")]);
  const add = (parts: Buffer[], marker?: boolean) => {
    const raw = Buffer.concat(parts);
    out.push({ raw, marker: marker ?? hasMarker(raw) });
  };
  const len = (n: number | bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const makers = [
    () => add([head(), exportField("MESSAGE", text(), false)]),
    () => add([head(), exportField("MESSAGE", `${text()}\n${text()}`, true)]),
    () => add([head(), exportField("MESSAGE", Buffer.concat([Buffer.from(text()), rng.pick([Buffer.from([0xff, 0xfe]), Buffer.from("\x1b]0;PWNED\x07\x1b[2J"), Buffer.from("\u202e\u009b\x7f\x00")])]), true)]),
    () => add([head(), exportField("MESSAGE", Buffer.concat([Buffer.from(text()), Buffer.from([0x00, 0x1b, 0x9b, 0x7f])]), false)]),
    () => add([head(), exportField("MESSAGE", "", false)], false),
    () => add([head(), exportField("SYSLOG_IDENTIFIER", "kernel")], false),
    () => add([head(), exportField("MESSAGE", "audit: nothing"), exportField("MESSAGE", text())]),
    () => add([head(), Buffer.from("MESSAGE\n"), len(0), Buffer.from("\n")], false),
    () => add([exportField("__CURSOR", "s=f2"), exportField("_TRANSPORT", "audit"), exportField("_AUDIT_ID", rng.pick(["abc", "-1", "99999999999999999999", ""])), exportField("_SOURCE_REALTIME_TIMESTAMP", rng.pick(["99999999999999999999", "-1", "abc", "8640000000001000000"])), exportField("MESSAGE", `AVC ${rng.pick(BASE).replace(/^.*?\): /, "")}`)]),
    () => add([exportField("__CURSOR", "s=f2"), exportField("__REALTIME_TIMESTAMP", rng.pick(["-1", "abc", "1e30", "99999999999999999999999"])), exportField("_TRANSPORT", "kernel"), exportField("_HOSTNAME", rng.pick(["\x1b[2J", "\u202eh", "__proto__"])), exportField("MESSAGE", text())]),
    () => add([head(), exportField(rng.pick(["__proto__", "constructor", "toString"]), "x"), exportField("MESSAGE", text())]),
    // Malformed entries in the middle of the stream: a reader resumes at the next entry.
    () => add([head(), Buffer.from(`${rng.pick(["MES SAGE", "ME-SSAGE", "M\u00e9SSAGE", "", "MESSAGE.x", "MESSAGE\u202e"])}=${text()}\n`)]),
    () => {
      const msg = Buffer.from(text());
      const short = rng.range(1, Math.max(1, msg.length - 20));
      // The length says less than the value holds: the rest of the value starts with a non-name byte.
      add([head(), Buffer.from("MESSAGE\n"), len(short), msg.subarray(0, short), Buffer.from(" -"), msg.subarray(short), Buffer.from("\n")]);
    },
    () => add([head(), Buffer.from("MESSAGE\n"), len(4), Buffer.from("abcd"), Buffer.from("X\n")], false),
  ];
  for (const f of makers) f();
  while (out.length < n) rng.pick(makers)();
  return out;
}

/** Export streams cut at interesting offsets of their last entry, and file-final impossible lengths. */
function exportTruncations(rng: Rng): Array<{ name: string; data: Buffer; expected: string[] }> {
  const files: Array<{ name: string; data: Buffer; expected: string[] }> = [];
  const cuts = ["in-name", "after-name", "in-length", "after-length", "in-data", "before-data-nl", "after-data-nl", "in-text-name", "after-eq", "in-text-value", "before-blank", "in-sentinel"];
  cuts.forEach((cut, i) => {
    const s = new Sentinels(`xtr${i}`);
    const a = s.next();
    const b = s.next();
    const good = Buffer.concat([exportSentinel(a, 1), Buffer.from("\n"), exportSentinel(b, 2), Buffer.from("\n")]);
    const msg = Buffer.from(`${rng.pick(BASE)}\nsecond line`);
    const lenBytes = Buffer.alloc(8);
    lenBytes.writeBigUInt64LE(BigInt(msg.length));
    const cursor = exportField("__CURSOR", "s=f3;i=3");
    const binStart = good.length + cursor.length;
    const last = Buffer.concat([cursor, Buffer.from("MESSAGE\n"), lenBytes, msg, Buffer.from("\n"), Buffer.from("_HOSTNAME=fuzzhost\n"), Buffer.from("\n")]);
    const all = Buffer.concat([good, last]);
    const dataStart = binStart + 8 + 8;
    const textStart = dataStart + msg.length + 1;
    const at: Record<string, number> = {
      "in-name": binStart + 3,
      "after-name": binStart + 8,
      "in-length": binStart + 8 + 3,
      "after-length": dataStart,
      "in-data": dataStart + Math.floor(msg.length / 2),
      "before-data-nl": dataStart + msg.length,
      "after-data-nl": textStart,
      "in-text-name": textStart + 4,
      "after-eq": textStart + "_HOSTNAME=".length,
      "in-text-value": textStart + "_HOSTNAME=fuzz".length,
      "before-blank": all.length - 1,
      "in-sentinel": good.length - 40,
    };
    const end = at[cut]!;
    files.push({ name: `${cut}.export`, data: all.subarray(0, end), expected: cut === "in-sentinel" ? [a.resource] : [a.resource, b.resource] });
  });
  for (const [name, length] of [["overlong-length", 1_000_000n], ["impossible-length", 0xffffffffffffffffn], ["huge-safe-length", 9007199254740000n]] as const) {
    const s = new Sentinels(`x${name.replace(/-/g, "").slice(0, 8)}`);
    const a = s.next();
    const lenBytes = Buffer.alloc(8);
    lenBytes.writeBigUInt64LE(length);
    const data = Buffer.concat([exportSentinel(a, 1), Buffer.from("\n"), exportField("__CURSOR", "s=f3"), Buffer.from("MESSAGE\n"), lenBytes, Buffer.from(`${rng.pick(BASE)}\n`)]);
    files.push({ name: `${name}.export`, data, expected: [a.resource] });
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// The cases

function report(violations: string[]): string {
  const shown = violations.slice(0, 40);
  return `${violations.length} violation(s); ${NOTE}\n${shown.join("\n")}${violations.length > shown.length ? `\n… and ${violations.length - shown.length} more` : ""}`;
}

describe.concurrent(`hostile input fuzz (seed ${seed}; ${BASE.length} base lines, ${base.corpusLines} from libapparmor's corpus)`, () => {
  describe("mutations: byte flips", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("byte flips", "flip", byteFlips(root.fork("flips"), 600), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: truncations at every interesting offset", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("truncations", "trunc", truncations(root.fork("truncations"), 24, 70), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: inserted quotes, =, ', \\x1d and NUL", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("inserted quotes", "quote", insertions(root.fork("insertions"), 500), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: control characters, ESC sequences, C1, bidi, DEL", () => {
    const cmds: Command[] = ["json", "parse", ...EXTRA];
    it(`never lets them reach any output (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("control characters", "ctrl", controls(root.fork("controls"), 400), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: huge, negative and non-numeric numbers", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("numbers", "num", numbers(root.fork("numbers"), 400), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: extreme stamps and envelope dates", () => {
    const cmds = ([...commands(), "csv", "ecs"] as Command[]).filter((c, i, a) => a.indexOf(c) === i);
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("extreme stamps", "stamp", stamps(root.fork("stamps")), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: odd, lower-case and hostile hex", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("odd hex", "hex", hexValues(root.fork("hex"), 300), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: duplicate keys and broken nested msg='…'", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("duplicate keys / nested msg", "dup", duplicatesAndNestedMsg(root.fork("duplicates"), 300), cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: keys and values named like object members", () => {
    const cmds: Command[] = [...commands(), "ecs"];
    it(`keeps every invariant, and every key in ECS (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("object-member keys", "member", objectMembers(root.fork("members"), 300), cmds, { memberKeys: MEMBER_NAMES });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: injection-looking values", () => {
    const cmds: Command[] = ["json", "parse", "rules", "text", "markdown", "html", "csv"];
    it(`never turn into policy (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("injection values", "inject", injections(), cmds, { injection: true });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);

    it("never break aalens's block in local/ files (rules --write-local, twice)", async ({ expect }) => {
      const input = file("inject-local.log", textBatch("injlocal", injections()).data);
      const dir = join(work, "local");
      const v: string[] = [];
      for (const round of [1, 2]) {
        const args = ["rules", "--mode", "all", "--write-local", dir, input];
        const run = await runCli(args, { workDir: work });
        for (const x of commonChecks(run, false)) v.push(`[injection values] aalens ${args.join(" ")} (run ${round})\n  ${x}`);
      }
      const files = readdirSync(dir);
      if (files.length === 0) v.push("[injection values] rules --write-local wrote no file");
      for (const name of files) {
        const text = readFileSync(join(dir, name), "utf8");
        const lines = text.split("\n");
        const begins = lines.filter((l) => l === "# BEGIN aalens").length;
        const ends = lines.filter((l) => l === "# END aalens").length;
        // The files started empty: after two runs each is exactly one aalens block, nothing outside it.
        if (begins !== 1 || ends !== 1 || !text.startsWith("# BEGIN aalens\n") || !text.endsWith("# END aalens\n")) {
          v.push(`[injection values] (injection) after two runs of rules --write-local, ${name} is not one aalens block (${begins} BEGIN, ${ends} END line(s)); it starts ${literal(text.slice(0, 160))}`);
        }
      }
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("mutations: random bytes and invalid UTF-8 (read from stdin)", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const v = await textCase("random bytes", "rnd", randomBytes(root.fork("random"), 300), cmds, { stdin: true });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("huge lines: 10 MB lines", () => {
    const cmds = commands(1);
    it(`are skipped with a reason (${cmds.join(", ")})`, async ({ expect }) => {
      const ten = 10 * 1024 * 1024;
      const lines = [
        `type=AVC msg=audit(1764382393.000:7001): apparmor="DENIED" operation="open" class="file" profile="huge" name="/${"A".repeat(ten)}" pid=1 comm="x"`,
        `type=AVC msg=audit(1764382393.000:7002): apparmor="DENIED" operation="open" class="file" profile="huge" name=${hex("B".repeat(ten / 2))} pid=1 comm="x"`,
        `apparmor=${"A".repeat(1024 * 1024)}`,
      ];
      const v = await textCase("10 MB line", "huge", lines, cmds, { mustSkip: true });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("huge lines: 100k keys (--max-line-length 2000000)", () => {
    const cmds = commands(1);
    it(`stay bounded (${cmds.join(", ")})`, async ({ expect }) => {
      const header = (i: number) => `type=AVC msg=audit(1764382394.000:${7100 + i}): apparmor="DENIED" operation="open" class="file" profile="manykeys" name="/tmp/k${i}" pid=1 comm="x"`;
      const keys = (f: (i: number) => string) => Array.from({ length: 100_000 }, (_, i) => f(i)).join("");
      const lines = [
        header(0) + keys((i) => ` k${i}=${i}`),
        header(1) + keys((i) => ` k${i}="v${i}"`),
        header(2) + keys(() => " a=1"),
        header(3) + keys((i) => ` ${MEMBER_NAMES[i % MEMBER_NAMES.length]}${i % 3 === 0 ? "" : i}=${i}`),
        `type=USER_AVC msg=audit(1764382394.000:7105): pid=1 uid=0 auid=0 ses=1 subj=unconfined msg='apparmor="DENIED" operation="dbus_method_call" profile="manykeys"${keys((i) => ` m${i}=${i}`)}'`,
      ];
      const v = await textCase("100k keys", "keys", lines, cmds, { extraArgs: ["--max-line-length", "2000000"] });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe('huge lines: 20 lines of "\\x01 × 30000', () => {
    const cmds = commands(1);
    it(`stay bounded (${cmds.join(", ")})`, async ({ expect }) => {
      const run = '"\x01'.repeat(30000);
      const lines: string[] = [];
      for (let i = 0; i < 20; i++) lines.push(run);
      for (let i = 0; i < 20; i++) lines.push(`type=AVC msg=audit(1764382394.500:${7200 + i}): apparmor="DENIED" operation="open" profile="quotes" name=${run}`);
      for (let i = 0; i < 5; i++) lines.push(`type=AVC msg=audit(1764382394.600:${7300 + i}): apparmor="DENIED" operation="open" profile="quotes" name=${"'\x01=".repeat(20000)}`);
      const v = await textCase('"\\x01 runs', "qrun", lines, cmds);
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("journald JSON: odd field types, broken entries", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const batch = journalJsonBatch("jjson", journalJson(root.fork("journal-json"), 260));
      const path = file("journal.json", batch.data);
      const v = await fuzzRun({
        family: "journald JSON",
        inputs: [path],
        commands: cmds,
        expect: { sentinels: batch.sentinels.resources(), sentinelLines: batch.sentinelLines, bad: batch.bad, source: path, perLine: "exact" },
        workDir: work,
      });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("journald export: odd, malformed and truncated entries", () => {
    const cmds = commands();
    it(`keeps every invariant (${cmds.join(", ")})`, async ({ expect }) => {
      const rng = root.fork("journal-export");
      const batch = exportBatch("jexp", exportEntries(rng, 120));
      const stream = file("export/stream.export", batch.data);
      const truncated = exportTruncations(rng).map((f) => ({ ...f, path: file(`export-cut/${f.name}`, f.data) }));
      const v = await fuzzRun({
        family: "journald export",
        inputs: [stream, join(work, "export-cut")],
        commands: cmds,
        expect: {
          sentinels: [...batch.sentinels.resources(), ...truncated.flatMap((f) => f.expected)],
          sentinelLines: batch.sentinelLines,
          bad: batch.bad,
          source: stream,
          perLine: "count",
          mustSkip: true,
        },
        workDir: work,
      });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("gzip: bit flips, truncations, trailing garbage", () => {
    const cmds = commands();
    it(`reads what decompresses and reports the rest (${cmds.join(", ")})`, async ({ expect }) => {
      const rng = root.fork("gzip");
      const dir = join(work, "gz");
      const expected: string[] = [];
      const corrupt: string[] = [];
      const good = textBatch("gzgood", [rng.pick(BASE)]);
      file("gz/0-good.log", good.data);
      expected.push(...good.sentinels.resources());
      const variants: Array<[string, (gz: Buffer) => Buffer]> = [];
      const flip = (at: (n: number) => number) => (gz: Buffer) => {
        const b = Buffer.from(gz);
        const i = Math.min(b.length - 1, Math.max(0, at(b.length)));
        b[i] = b[i]! ^ (1 << rng.int(8));
        return b;
      };
      for (const [name, at] of [["flags", () => 3], ["mtime", () => 5], ["os", () => 9], ["deflate-start", () => 10 + rng.int(4)], ["deflate-mid", (n: number) => Math.floor(n / 2)], ["deflate-mid2", (n: number) => 12 + rng.int(n - 30)], ["deflate-end", (n: number) => n - 9], ["crc", (n: number) => n - 8 + rng.int(4)], ["isize", (n: number) => n - 4 + rng.int(4)]] as const) {
        variants.push([`flip-${name}`, flip(at)]);
      }
      for (const cut of [1, 2, 5, 10, 11, 20, 0.5, -9, -8, -5, -4, -1]) {
        variants.push([`cut-${cut}`, (gz) => gz.subarray(0, cut > 0 && cut < 1 ? Math.floor(gz.length * cut) : cut < 0 ? gz.length + cut : cut)]);
      }
      variants.push(["trail-random", (gz) => Buffer.concat([gz, rng.bytes(64)])]);
      variants.push(["trail-zeros", (gz) => Buffer.concat([gz, Buffer.alloc(512)])]);
      variants.push(["trail-magic", (gz) => Buffer.concat([gz, Buffer.from([0x1f, 0x8b, 0x08]), rng.bytes(20)])]);
      variants.push(["trail-newline", (gz) => Buffer.concat([gz, Buffer.from("\n")])]);
      variants.push(["trail-text", (gz) => Buffer.concat([gz, Buffer.from('type=AVC msg=audit(1764382397.000:1): apparmor="DENIED"\n')])]);
      let second: Sentinels | undefined;
      variants.push([
        "second-member",
        (gz) => {
          const b = textBatch("gzsecond", [rng.pick(BASE)]);
          second = b.sentinels;
          return Buffer.concat([gz, gzipSync(b.data)]);
        },
      ]);
      variants.push(["only-magic", () => Buffer.from([0x1f, 0x8b])]);
      for (const [k, [name, mutate]] of variants.entries()) {
        const b = textBatch(`gz${k}`, [rng.pick(BASE), rng.pick(BASE), rng.pick(BASE)]);
        const data = mutate(gzipSync(b.data));
        const path = file(`gz/${String(k + 1).padStart(2, "0")}-${name}${k % 2 === 0 ? ".gz" : ""}`, data);
        const all = [...b.sentinels.all, ...(name === "second-member" && second ? second.all : [])];
        const { out, error } = await gunzipPrefix(data);
        expected.push(...sentinelsIn(out, all));
        // One byte is not yet gzip's magic: such a file is read as (binary) text.
        if (error !== null && data.length >= 2) corrupt.push(path);
      }
      const v = await fuzzRun({ family: "corrupt gzip", inputs: [dir], commands: cmds, expect: { sentinels: expected, errorsFor: corrupt, mustSkip: true }, workDir: work });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("gzip: a bomb (≥ 200 MB of 'a', no newline)", () => {
    const cmds = commands(1);
    it(`stays within time and memory (${cmds.join(", ")})`, async ({ expect }) => {
      const bomb = join(work, "bomb", "bomb.log.gz");
      mkdirSync(dirname(bomb), { recursive: true });
      await new Promise<void>((resolve, reject) => {
        const gz = createGzip({ level: 9 });
        const chunks: Buffer[] = [];
        gz.on("data", (c: Buffer) => chunks.push(c));
        gz.on("end", () => {
          writeFileSync(bomb, Buffer.concat(chunks));
          resolve();
        });
        gz.on("error", reject);
        const mb = Buffer.alloc(1 << 20, 0x61);
        let left = 210;
        const pump = () => {
          while (left > 0) {
            left--;
            if (!gz.write(mb)) return void gz.once("drain", pump);
          }
          gz.end();
        };
        pump();
      });
      const good = textBatch("bomb", [rng0()]);
      const path = file("bomb/good.log", good.data);
      const v = await fuzzRun({ family: "gzip bomb", inputs: [bomb, path], commands: cmds, expect: { sentinels: good.sentinels.resources(), mustSkip: true }, workDir: work });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });

  describe("directories: FIFOs, symlink loops, devices", () => {
    const cmds = commands();
    it(`are skipped with a reason, never hang (${cmds.join(", ")})`, async ({ expect }) => {
      const rng = root.fork("dirs");
      const dir = join(work, "tree");
      const a = textBatch("dira", [rng.pick(BASE), rng.pick(BASE)]);
      const b = textBatch("dirb", [rng.pick(BASE)]);
      const c = textBatch("dirc", [rng.pick(BASE)]);
      file("tree/a.log", a.data);
      file("tree/sub/b.log", b.data);
      file("tree/sub/deeper/c.log.gz", gzipSync(c.data));
      file("tree/empty.log", "");
      execFileSync("mkfifo", [join(dir, "fifo"), join(dir, "sub", "fifo2")]);
      symlinkSync("loop-self", join(dir, "loop-self"));
      symlinkSync("loop-b", join(dir, "loop-a"));
      symlinkSync("loop-a", join(dir, "loop-b"));
      symlinkSync("/nonexistent/aalens-fuzz", join(dir, "dangling"));
      symlinkSync("/dev/zero", join(dir, "zero"));
      symlinkSync(".", join(dir, "self"));
      symlinkSync("..", join(dir, "sub", "up"));
      symlinkSync("fifo", join(dir, "fifo-link"));
      const v = await fuzzRun({
        family: "directories",
        inputs: [dir],
        commands: cmds,
        expect: {
          sentinels: [...a.sentinels.resources(), ...b.sentinels.resources(), ...c.sentinels.resources()],
          errorsFor: ["fifo", "sub/fifo2", "fifo-link", "loop-self", "loop-a", "loop-b", "dangling", "zero", "self", "sub/up"],
          mustSkip: true,
        },
        workDir: work,
      });
      expect(v, report(v)).toEqual([]);
    }, TEST_TIMEOUT);
  });
});

/** A base line for cases that need just one (drawn from its own fork). */
function rng0(): string {
  return root.fork("one").pick(BASE);
}
