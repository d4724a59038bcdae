/**
 * Follow the journal live: the real `journalctl --follow -o json` over the kernel and audit
 * transports (one process, `_TRANSPORT=kernel + _TRANSPORT=audit`), resumable by cursor, on the
 * system journal or on journal files copied from other hosts. If journalctl dies it is started
 * again after the last cursor, with back-off.
 */
import { spawn, type ChildProcess } from "node:child_process";
import split2 from "split2";
import type { SourceLine } from "./source-line.js";
import { parseJournalJson } from "./journal-json.js";
import { findCommand } from "./which.js";

export interface JournalFollowOptions {
  /** Journal files (`--file`) or a directory (`--directory`) instead of the system journal. */
  files?: string[];
  directory?: string;
  /** Resume after this cursor (from a saved state). */
  cursor?: string;
  /** Without a cursor: start at this time (`journalctl --since`); default: only new entries. */
  since?: string;
  /** Without a cursor or since: read what the journal already holds first. */
  fromStart?: boolean;
  onLines: (lines: SourceLine[]) => void;
  onNote?: (message: string) => void;
  /** The cursor of the last entry delivered, after each batch (for the saved state). */
  onCursor?: (cursor: string) => void;
}

const SOURCE = "journalctl";
const CURSOR = /"__CURSOR":"([^"\\]*)"/;

export class JournalFollower {
  private child: ChildProcess | undefined;
  private cursor: string | undefined;
  private stopped = false;
  private restarts = 0;
  private entry = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly journalctl: string | null;

  constructor(private readonly options: JournalFollowOptions) {
    this.cursor = options.cursor;
    this.journalctl = findCommand("journalctl");
  }

  /** Whether journalctl exists on this machine. */
  get available(): boolean {
    return this.journalctl !== null;
  }

  private args(): string[] {
    const o = this.options;
    const args = ["--follow", "--output=json", "--no-pager", "--all"];
    for (const f of o.files ?? []) args.push(`--file=${f}`);
    if (o.directory !== undefined) args.push(`--directory=${o.directory}`);
    if (this.cursor !== undefined) args.push(`--after-cursor=${this.cursor}`);
    else if (o.since !== undefined) args.push(`--since=${o.since}`);
    else if (o.fromStart === true) args.push("--no-tail");
    else args.push("--lines=0");
    args.push("_TRANSPORT=kernel", "+", "_TRANSPORT=audit", "+", "DBUS_BROKER_POLICY_TYPE=apparmor");
    return args;
  }

  start(): void {
    if (this.journalctl === null) throw new Error("journalctl is not installed (apt-get install systemd): cannot follow the journal");
    this.spawn();
  }

  private spawn(): void {
    const child = spawn(this.journalctl!, this.args(), { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()).slice(-2000));
    const splitter = child.stdout!.pipe(split2("\n"));
    splitter.on("data", (raw: string) => {
      if (raw === "") return;
      const parsed = parseJournalJson(raw);
      const cursor = CURSOR.exec(raw)?.[1];
      if (parsed.ok) {
        this.entry++;
        this.restarts = 0;
        this.options.onLines([{ source: SOURCE, line: this.entry, text: parsed.message, meta: parsed.meta }]);
      }
      if (cursor !== undefined) {
        this.cursor = cursor;
        this.options.onCursor?.(cursor);
      }
    });
    child.on("error", (err) => this.options.onNote?.(`journalctl: ${err.message}`));
    child.on("close", (code) => {
      if (this.stopped) return;
      const why = stderr.trim().split("\n").pop() || `exit status ${code}`;
      if (/permission|not permitted|No journal files/i.test(why)) this.options.onNote?.(`journalctl: ${why} (run as root or in the systemd-journal group)`);
      // Back-off 1 s, 2 s, 4 s … 30 s; resume after the last cursor delivered.
      const delay = Math.min(30_000, 1000 * 2 ** this.restarts++);
      this.options.onNote?.(`journalctl stopped (${why}); starting it again in ${delay / 1000} s`);
      this.timer = setTimeout(() => this.spawn(), delay);
    });
  }

  /** The cursor of the last entry delivered (for the saved state). */
  position(): string | undefined {
    return this.cursor;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
