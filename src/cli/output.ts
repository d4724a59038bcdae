/**
 * Buffered writes to stdout (or a file) that respect backpressure, and a quiet exit when the
 * reader goes away (`aalens parse | head`).
 */
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { openAtomicSync, type AtomicFile } from "./safe-write.js";

export class Output {
  private buffer: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    /** For -o FILE: the temp file that replaces FILE when the output is complete. */
    private readonly file?: AtomicFile,
  ) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      process.stderr.write(`aalens: cannot write output: ${err.message}\n`);
      process.exit(1);
    });
  }

  /** stdout, or FILE written through a fresh temp file (never through a link planted at FILE). */
  static open(path: string | undefined): Output {
    if (path === undefined || path === "-") return new Output(process.stdout);
    const file = openAtomicSync(path);
    return new Output(createWriteStream("", { fd: file.fd }), file);
  }

  /** Queue text without waiting; call drain() now and then to let the stream catch up. */
  push(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
  }

  /** Write what is queued once it is big enough, waiting if the stream is full. */
  async drain(): Promise<void> {
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.stream === process.stdout) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
    this.file?.commit();
  }
}
