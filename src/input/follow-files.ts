/**
 * Following several log files live, like `tail -F`, for `aalens watch`.
 *
 * Each file's directory is watched with inotify (`fs.watch`): a write, a rename or a new file
 * there starts a read at once, so a line is delivered milliseconds after it is written. Every
 * file is also polled with `fs.stat` every `pollMs`, because inotify says nothing on network
 * filesystems (NFS, CIFS) and misses changes on some overlay and FUSE ones: the poll is what
 * guarantees a line is read, inotify only makes it early. Per file the follower keeps an open
 * descriptor and reads from it by position, so:
 * - appends are read as they come; a last line without its newline is held until it arrives;
 * - rename-and-create rotation (the path now names another inode): the old descriptor is read to
 *   its end first, then the new file is read from offset 0; while the path is missing the old
 *   descriptor stays open, so lines written to the renamed file before the new one appears are kept;
 * - copytruncate (same inode, size below what was read): restart from 0;
 * - a missing file is waited for ("waiting for PATH", noted once);
 * - `positions()` gives the byte offset after the last complete line, so a new follower resumes
 *   exactly there (or at 0 when the inode changed while stopped).
 *
 * Lines are split on raw bytes and decoded only once complete (a `\n` byte never occurs inside a
 * UTF-8 sequence), so multi-byte characters cut by a read boundary decode correctly.
 */
import { open, stat, type FileHandle } from "node:fs/promises";
import { watch, type FSWatcher } from "node:fs";
import { dirname } from "node:path";
import type { Skipped, SourceLine } from "./source-line.js";
import { excerpt } from "./errors.js";

/** Saved per-file state: resume with the same inode/dev continues at `offset` with line `line`+1. */
export interface FilePosition {
  /** Bytes consumed up to and including the last complete line. */
  offset: number;
  inode: number;
  dev: number;
  /** Physical lines consumed so far in this file generation. */
  line: number;
}

export interface FollowOptions {
  /** Read existing content too (default false: start after the last complete line present now). */
  fromStart?: boolean;
  /** Poll interval in milliseconds (default 250). */
  pollMs?: number;
  /** Lines longer than this (in characters) are skipped and reported, never buffered whole (default 65536). */
  maxLineLength?: number;
  /** Resume state from a previous `positions()`, keyed by path as given to the constructor. */
  positions?: Record<string, FilePosition>;
  onLines: (lines: SourceLine[]) => void;
  onSkip?: (skipped: Skipped) => void;
  onNote?: (message: string) => void;
}

const READ_SIZE = 64 * 1024;
const BATCH_SIZE = 1000;
/** A UTF-8 byte yields at most one UTF-16 code unit per byte and at least one per 3 bytes (4 bytes → 2). */
const BYTES_PER_CHAR_MAX = 3;
const EXCERPT_BYTES = 512;

interface Tracked {
  path: string;
  fh?: FileHandle;
  ino: number;
  dev: number;
  /** Next byte to read. */
  readPos: number;
  /** Offset of the first byte of the line in progress (= bytes consumed by complete lines). */
  lineStart: number;
  /** Physical lines started-and-counted in this generation (an overlong line is counted when its skip starts). */
  line: number;
  pending: Buffer[];
  pendingLen: number;
  /** Inside an overlong line: discard bytes until its newline. */
  skipping: boolean;
  waitingNoted: boolean;
  goneNoted: boolean;
  lastError?: string;
}

function errCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

export class FileFollower {
  private readonly files: Tracked[];
  private readonly fromStart: boolean;
  private readonly pollMs: number;
  private readonly maxLineLength: number;
  private readonly maxLineBytes: number;
  private readonly resume: Map<string, FilePosition>;
  private readonly onLines: (lines: SourceLine[]) => void;
  private readonly onSkip?: (skipped: Skipped) => void;
  private readonly onNote?: (message: string) => void;
  private readonly readBuf = Buffer.allocUnsafe(READ_SIZE);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A change was seen while a read was running: read again right after it. */
  private again = false;
  private readonly watchers: FSWatcher[] = [];
  private starting: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(paths: string[], options: FollowOptions) {
    const unique = [...new Set(paths)];
    this.files = unique.map((path) => ({
      path,
      ino: 0,
      dev: 0,
      readPos: 0,
      lineStart: 0,
      line: 0,
      pending: [],
      pendingLen: 0,
      skipping: false,
      waitingNoted: false,
      goneNoted: false,
    }));
    this.fromStart = options.fromStart ?? false;
    this.pollMs = options.pollMs ?? 250;
    this.maxLineLength = options.maxLineLength ?? 65536;
    this.maxLineBytes = this.maxLineLength * BYTES_PER_CHAR_MAX;
    this.resume = new Map(Object.entries(options.positions ?? {}));
    this.onLines = options.onLines;
    this.onSkip = options.onSkip;
    this.onNote = options.onNote;
  }

  /** Opens the files that exist, then polls until `stop()`. Lines already present are delivered by the first poll. */
  async start(): Promise<void> {
    if (this.started) throw new Error("FileFollower already started");
    this.started = true;
    this.starting = this.openAll();
    await this.starting;
  }

  private async openAll(): Promise<void> {
    for (const t of this.files) {
      if (this.stopped) return;
      await this.guard(t, () => this.tryOpen(t, true));
    }
    if (this.stopped) return;
    this.watchDirectories();
    this.schedule(0);
  }

  /** inotify on each file's directory (see the top of the file); where it cannot be had, polling alone. */
  private watchDirectories(): void {
    for (const dir of new Set(this.files.map((t) => dirname(t.path)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.kick());
        w.on("error", () => w.close());
        this.watchers.push(w);
      } catch {
        // A directory that does not exist yet, or no inotify (limits, filesystem): the poll reads.
      }
    }
  }

  /** Read now: a watched directory changed. */
  private kick(): void {
    if (this.stopped || !this.started) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Stops polling and closes every descriptor; lines held without a newline are not delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.starting;
    await this.running;
    for (const t of this.files) await this.close(t);
  }

  /** Current per-file state, for saving and resuming. Files never opened keep their given resume entry. */
  positions(): Record<string, FilePosition> {
    const out: Record<string, FilePosition> = {};
    for (const t of this.files) {
      if (t.ino !== 0 || t.dev !== 0) {
        // While skipping an overlong line, lineStart is its start: resuming re-reads (and re-counts) it.
        const line = t.skipping ? t.line - 1 : t.line;
        out[t.path] = { offset: t.lineStart, inode: t.ino, dev: t.dev, line };
      } else {
        const saved = this.resume.get(t.path);
        if (saved) out[t.path] = { ...saved };
      }
    }
    return out;
  }

  private note(message: string): void {
    this.onNote?.(message);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.pollMs);
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    for (const t of this.files) {
      if (this.stopped) return;
      await this.guard(t, () => this.poll(t));
    }
  }

  /** Runs one step for a file; an unexpected error is noted (once per distinct message) and retried next poll. */
  private async guard(t: Tracked, step: () => Promise<void>): Promise<void> {
    try {
      await step();
      t.lastError = undefined;
    } catch (err) {
      const message = `${t.path}: ${err instanceof Error ? err.message : String(err)}`;
      if (message !== t.lastError) this.note(message);
      t.lastError = message;
    }
  }

  private resetGeneration(t: Tracked, offset: number, line: number): void {
    t.readPos = offset;
    t.lineStart = offset;
    t.line = line;
    t.pending = [];
    t.pendingLen = 0;
    t.skipping = false;
  }

  private async close(t: Tracked): Promise<void> {
    const fh = t.fh;
    t.fh = undefined;
    if (fh) await fh.close().catch(() => {});
  }

  /** Opens the path if it exists. `initial`: the open done by start(), which honours fromStart. */
  private async tryOpen(t: Tracked, initial: boolean): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(t.path, "r");
    } catch (err) {
      if (errCode(err) === "ENOENT") {
        if (!t.waitingNoted) this.note(`waiting for ${t.path}`);
        t.waitingNoted = true;
        return;
      }
      throw err;
    }
    let st;
    try {
      st = await fh.stat();
      if (st.isDirectory()) throw new Error("is a directory");
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await fh.close().catch(() => {});
      return;
    }
    if (t.waitingNoted) this.note(`${t.path} appeared`);
    t.waitingNoted = false;
    t.goneNoted = false;
    t.fh = fh;
    t.ino = st.ino;
    t.dev = st.dev;

    const saved = this.resume.get(t.path);
    if (saved) {
      this.resume.delete(t.path);
      if (saved.inode === st.ino && saved.dev === st.dev) {
        if (st.size >= saved.offset) {
          this.resetGeneration(t, saved.offset, saved.line);
          return;
        }
        this.note(`${t.path} shrank below the saved offset while stopped (truncated); reading it from the start`);
      } else {
        this.note(`${t.path} was replaced while stopped (rotated); reading the new file from the start`);
      }
      this.resetGeneration(t, 0, 0);
      return;
    }
    if (initial && !this.fromStart) {
      // Start after the last complete line present now, counting lines so numbers stay physical.
      const { lines, end } = await this.countLines(fh, st.size);
      this.resetGeneration(t, end, lines);
      return;
    }
    this.resetGeneration(t, 0, 0);
  }

  /** Newlines in the first `size` bytes and the offset just after the last one. */
  private async countLines(fh: FileHandle, size: number): Promise<{ lines: number; end: number }> {
    let lines = 0;
    let end = 0;
    let pos = 0;
    const buf = this.readBuf;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      let i = buf.indexOf(0x0a, 0);
      while (i !== -1 && i < bytesRead) {
        lines++;
        end = pos + i + 1;
        i = buf.indexOf(0x0a, i + 1);
      }
      pos += bytesRead;
    }
    return { lines, end };
  }

  private async poll(t: Tracked): Promise<void> {
    if (!t.fh) {
      await this.tryOpen(t, false);
      if (!t.fh) return;
    }
    await this.drain(t);
    if (this.stopped) return;

    let st;
    try {
      st = await stat(t.path);
    } catch (err) {
      if (errCode(err) !== "ENOENT") throw err;
      // Renamed or deleted: keep the old descriptor (a writer may still append to it) and wait.
      if (!t.goneNoted) this.note(`${t.path} disappeared; waiting for it to reappear`);
      t.goneNoted = true;
      return;
    }
    if (st.ino !== t.ino || st.dev !== t.dev) {
      // Rotated: finish the old file, then follow the new one from its start.
      await this.drain(t);
      if (this.stopped) return;
      this.flushUnterminated(t);
      await this.close(t);
      this.note(`${t.path} was rotated; following the new file from its start`);
      await this.tryOpen(t, false);
      if (t.fh) await this.drain(t);
      return;
    }
    if (t.goneNoted) t.goneNoted = false; // renamed back
    if (st.size < t.readPos) {
      this.note(`${t.path} was truncated; reading it from the start`);
      this.resetGeneration(t, 0, 0);
      await this.drain(t);
    }
  }

  /** Reads from readPos to the current end of the descriptor. */
  private async drain(t: Tracked): Promise<void> {
    const fh = t.fh;
    if (!fh) return;
    const buf = this.readBuf;
    for (;;) {
      if (this.stopped) return;
      const { bytesRead } = await fh.read(buf, 0, buf.length, t.readPos);
      if (bytesRead === 0) return;
      const out: SourceLine[] = [];
      this.consume(t, buf, bytesRead, out);
      for (let i = 0; i < out.length; i += BATCH_SIZE) this.onLines(out.slice(i, i + BATCH_SIZE));
      if (bytesRead < buf.length) return;
    }
  }

  /** Splits `buf[0..n)` (which starts at t.readPos) into lines. */
  private consume(t: Tracked, buf: Buffer, n: number, out: SourceLine[]): void {
    const base = t.readPos;
    let i = 0;
    while (i < n) {
      let nl = buf.indexOf(0x0a, i);
      if (nl >= n) nl = -1;
      if (nl === -1) {
        if (!t.skipping) {
          t.pending.push(Buffer.from(buf.subarray(i, n))); // copy: buf is reused
          t.pendingLen += n - i;
          if (t.pendingLen > this.maxLineBytes) this.startSkip(t);
        }
        break;
      }
      if (t.skipping) {
        t.skipping = false; // the skip was counted and reported when it started
      } else {
        const part = buf.subarray(i, nl);
        const len = t.pendingLen + part.length;
        const bytes = t.pendingLen === 0 ? part : Buffer.concat([...t.pending, part], len);
        t.pending = [];
        t.pendingLen = 0;
        this.emit(t, bytes, out);
      }
      t.lineStart = base + nl + 1;
      i = nl + 1;
    }
    t.readPos = base + n;
  }

  private emit(t: Tracked, bytes: Buffer, out: SourceLine[]): void {
    const line = ++t.line;
    if (bytes.length > this.maxLineBytes) {
      this.reportSkip(t, line, bytes);
      return;
    }
    let text = bytes.toString("utf8");
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (text.length > this.maxLineLength) {
      this.reportSkip(t, line, bytes);
      return;
    }
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0) return; // blank lines carry nothing to analyse (as in frame-lines)
    out.push({ source: t.path, line, text });
  }

  private startSkip(t: Tracked): void {
    const head = t.pending.length > 0 ? t.pending[0]! : Buffer.alloc(0);
    t.pending = [];
    t.pendingLen = 0;
    t.skipping = true;
    this.reportSkip(t, ++t.line, head);
  }

  private reportSkip(t: Tracked, line: number, head: Buffer): void {
    const text = head.subarray(0, EXCERPT_BYTES).toString("utf8");
    this.onSkip?.({
      source: t.path,
      line,
      code: "line-too-long",
      message: `line longer than ${this.maxLineLength} characters`,
      excerpt: excerpt(text),
    });
  }

  /** The rotated-away file ended without a newline: its last line will never be completed. */
  private flushUnterminated(t: Tracked): void {
    if (t.skipping || t.pendingLen === 0) return;
    const bytes = Buffer.concat(t.pending, t.pendingLen);
    t.pending = [];
    t.pendingLen = 0;
    const out: SourceLine[] = [];
    this.emit(t, bytes, out);
    t.lineStart = t.readPos;
    if (out.length > 0) this.onLines(out);
  }
}
