/**
 * A one-line progress display on stderr for batch runs: bytes read of the total (directories
 * summed file by file; compressed inputs by their compressed size, which is what is read from
 * disk), the share done, lines per second and the time left. Only on a terminal, never with
 * --quiet or when stderr is piped; cleared at the end.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The bytes on disk the inputs will be read from: files, and every regular file under a directory (as read-inputs walks it). */
export function inputBytes(inputs: string[]): number {
  let total = 0;
  const seen = new Set<string>();
  const walk = (path: string, depth: number): void => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return; // reported by the reader
    }
    if (st.isFile()) total += st.size;
    else if (st.isDirectory() && depth < 64) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return; // a symbolic-link loop: read once
      seen.add(key);
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) walk(join(path, name), depth + 1);
    }
  };
  for (const input of inputs) if (input !== "-") walk(input, 0);
  return total;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export class Progress {
  private bytes = 0;
  private lines = 0;
  private last = 0;
  private readonly started: number;
  private shown = false;

  constructor(
    private readonly total: number,
    private readonly out: Pick<NodeJS.WriteStream, "write"> = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** A progress display for these inputs, or undefined when none should be shown. */
  static for(inputs: string[], quiet: boolean, isTTY = process.stderr.isTTY === true): Progress | undefined {
    if (quiet || !isTTY || inputs.length === 0) return undefined;
    return new Progress(inputBytes(inputs));
  }

  onBytes = (n: number): void => {
    this.bytes += n;
    this.tick();
  };

  onLine = (): void => {
    this.lines++;
    if ((this.lines & 0x3fff) === 0) this.tick();
  };

  /** The progress line as it is now. */
  line(): string {
    const secs = Math.max(0.001, (this.now() - this.started) / 1000);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const rate = `${Math.round(this.lines / secs).toLocaleString("en-US")} lines/s`;
    if (this.total <= 0) return `aalens: read ${mb(this.bytes)} MB, ${rate}`;
    const done = Math.min(this.bytes, this.total);
    const pct = Math.floor((done / this.total) * 100);
    // The time left once a second of reading gives a rate to go by.
    const eta = secs >= 1 && done > 0 && done < this.total ? `, about ${clock(((this.total - done) * secs) / done)} left` : "";
    return `aalens: read ${mb(done)} of ${mb(this.total)} MB ${pct}%, ${rate}${eta}`;
  }

  private tick(): void {
    const now = this.now();
    if (now - this.last < 200) return;
    this.last = now;
    this.out.write(`\r\x1b[K${this.line()}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write("\r\x1b[K");
  }
}
