/**
 * A one-line progress display on stderr for batch runs: bytes read of the total, lines per
 * second. Only on a terminal, never with --quiet or when stderr is piped; cleared at the end.
 */
import { statSync } from "node:fs";

export class Progress {
  private bytes = 0;
  private lines = 0;
  private last = 0;
  private readonly started = Date.now();
  private shown = false;

  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {}

  /** A progress display for these inputs, or undefined when none should be shown. */
  static for(inputs: string[], quiet: boolean): Progress | undefined {
    if (quiet || !process.stderr.isTTY || inputs.length === 0) return undefined;
    let total = 0;
    for (const input of inputs) {
      try {
        const st = statSync(input);
        if (st.isFile()) total += st.size;
      } catch {
        // reported by the reader
      }
    }
    return new Progress(total);
  }

  onBytes = (n: number): void => {
    this.bytes += n;
    this.tick();
  };

  onLine = (): void => {
    this.lines++;
    if ((this.lines & 0x3fff) === 0) this.tick();
  };

  private tick(): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const pct = this.total > 0 ? ` ${Math.min(100, Math.floor((this.bytes / this.total) * 100))}%` : "";
    const of = this.total > 0 ? ` of ${mb(this.total)}` : "";
    this.out.write(`\r\x1b[Kaalens: read ${mb(this.bytes)}${of} MB${pct}, ${Math.round(this.lines / secs).toLocaleString("en-US")} lines/s`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write("\r\x1b[K");
  }
}
