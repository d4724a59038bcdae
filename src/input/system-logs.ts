/**
 * The system's own logs, read when no input is named: the kernel and audit-transport entries of
 * the journal (through journalctl) and auditd's audit.log with its rotations, oldest first.
 * Each source that cannot be read is a note, not an error; only reading nothing at all is one.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { SourceLine } from "./source-line.js";
import { commandOutput, firstStderrLine } from "./command.js";
import { errorText, SourceError } from "./errors.js";
import { readFile } from "./read-file.js";
import { readStream } from "./read-stream.js";
import type { ReadOptions, SourceSummary } from "./types.js";
import { findCommand } from "./which.js";

/** Where the system logs are; the defaults are the real ones, tests point elsewhere. */
export interface SystemLogPaths {
  /** The journalctl program; null when it is not installed. Default: found on PATH. */
  journalctl?: string | null;
  /** The directory holding audit.log and its rotations. Default /var/log/audit. */
  auditDir?: string;
}

/** Source name shown in onSourceError when nothing could be read. */
export const SYSTEM_LOGS_SOURCE = "system logs";

// `--all`: without it journalctl writes MESSAGEs over 4096 bytes as null in JSON.
const JOURNAL_QUERIES = [
  { source: "journalctl -k", args: ["-k", "-o", "json", "--all", "--no-pager"] },
  { source: "journalctl _TRANSPORT=audit", args: ["_TRANSPORT=audit", "-o", "json", "--all", "--no-pager"] },
  // dbus-broker (Arch, Fedora, openSUSE) logs its AppArmor D-Bus denials as entries of its own.
  { source: "journalctl DBUS_BROKER_POLICY_TYPE=apparmor", args: ["DBUS_BROKER_POLICY_TYPE=apparmor", "-o", "json", "--all", "--no-pager"] },
];

const ENTRIES = { one: "entry", many: "entries" };
const LINES = { one: "line", many: "lines" };

export async function* readSystemLogs(opts: ReadOptions, paths: SystemLogPaths = {}): AsyncGenerator<SourceLine[]> {
  const note = (message: string) => opts.onNote?.(message);
  let total = 0;

  /** Reads one source through `read`, turning its outcome into a note. */
  async function* readOne(
    source: string,
    unit: { one: string; many: string },
    read: (o: ReadOptions) => AsyncGenerator<SourceLine[]>,
  ): AsyncGenerator<SourceLine[]> {
    let error: string | undefined;
    let summary: SourceSummary | undefined;
    const tracked: ReadOptions = {
      ...opts,
      onSourceError: (_source, message) => {
        error ??= message;
      },
      onSourceDone: (s) => {
        summary = s;
        opts.onSourceDone?.(s);
      },
    };
    yield* read(tracked);
    const n = summary?.lines ?? 0;
    total += n;
    const count = `${n} ${n === 1 ? unit.one : unit.many}`;
    if (error === undefined) note(`read ${count} from ${source}`);
    else if (n > 0) note(`read ${count} from ${source}, then it failed: ${error}`);
    else note(`skipped ${source}: ${error}`);
  }

  const journalctl = paths.journalctl === undefined ? findCommand("journalctl") : paths.journalctl;
  if (journalctl === null) {
    note("skipped the journal: the `journalctl` command is not installed");
  } else {
    for (const query of JOURNAL_QUERIES) {
      const output = commandOutput(journalctl, query.args, {
        check: ({ code, signal, stderr }) => {
          if (code !== 0) {
            return new SourceError(firstStderrLine(stderr) || `journalctl exited with ${code ?? signal}`, "journalctl-failed");
          }
          // e.g. "Hint: You are currently not seeing messages from other users and the system."
          if (stderr) note(`${query.source}: ${firstStderrLine(stderr)}`);
          return undefined;
        },
      });
      yield* readOne(query.source, ENTRIES, (o) => readStream(query.source, output, o));
    }
  }

  const auditDir = paths.auditDir ?? "/var/log/audit";
  const auditLog = join(auditDir, "audit.log");
  let files: string[] = [];
  try {
    files = auditLogsOldestFirst(await readdir(auditDir));
    if (files.length === 0) note(`skipped ${auditLog}: no such file`);
  } catch (err) {
    note(`skipped ${auditLog}: ${errorText(err)}`);
  }
  for (const name of files) {
    const path = join(auditDir, name);
    yield* readOne(path, LINES, (o) => readFile(path, o));
  }

  if (total === 0) {
    const root = process.getuid?.() === 0;
    opts.onSourceError?.(
      SYSTEM_LOGS_SOURCE,
      root
        ? "no system log entries found (no kernel or audit entries in the journal, no readable audit.log); pass log files or directories as arguments"
        : "no system logs could be read; run as root (`sudo aalens …`), add your user to the `adm` or `systemd-journal` group, or pass log files or directories as arguments",
      "no-system-logs",
    );
  }
}

/**
 * audit.log's rotations, oldest first: auditd numbers them audit.log.1 (newest) … audit.log.N,
 * logrotate's dateext names them audit.log-YYYYMMDD; any compression suffix is allowed.
 */
export function auditLogsOldestFirst(names: string[]): string[] {
  const numbered: Array<[number, string]> = [];
  const dated: string[] = [];
  let current: string | undefined;
  for (const name of names) {
    if (name === "audit.log") {
      current = name;
      continue;
    }
    const m = /^audit\.log\.(\d+)(?:\.(?:gz|xz|zst|bz2))?$/.exec(name);
    if (m) numbered.push([Number(m[1]), name]);
    else if (/^audit\.log-\d+(?:\.(?:gz|xz|zst|bz2))?$/.test(name)) dated.push(name);
  }
  dated.sort();
  numbered.sort((a, b) => b[0] - a[0]);
  return [...dated, ...numbered.map(([, name]) => name), ...(current ? [current] : [])];
}
