/**
 * Streaming a helper program's stdout (decompressors, journalctl) as an async byte stream,
 * with its exit status turned into an error and the child killed if the reader stops early.
 */
import { spawn } from "node:child_process";
import { Readable, pipeline } from "node:stream";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The start of what the program wrote to stderr, trimmed. */
  stderr: string;
}

export interface CommandOptions {
  /** Bytes fed to the program's stdin; stdin is closed (/dev/null) when absent. */
  input?: AsyncIterable<Buffer>;
  /** The name the program sees as argv[0] (and prints in its messages); default the file path. */
  argv0?: string;
  /** Maps the exit status to the error to throw after the output, or undefined when it is fine. */
  check: (status: ExitStatus) => Error | undefined;
}

const STDERR_KEEP = 4096;

export async function* commandOutput(file: string, args: string[], options: CommandOptions): AsyncGenerator<Buffer> {
  const child = spawn(file, args, {
    argv0: options.argv0,
    stdio: [options.input ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let spawnError: Error | undefined;
  // 'close' comes after both exit and the end of stdio, so stderr is complete when it resolves.
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    child.once("error", (err) => {
      spawnError = err;
      resolve();
    });
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => {
    if (stderr.length < STDERR_KEEP) stderr += d;
  });

  let feedError: unknown;
  let feeder: Readable | undefined;
  if (options.input) {
    feeder = Readable.from(options.input, { objectMode: false });
    pipeline(feeder, child.stdin!, (err) => {
      // EPIPE only means the program stopped reading (it failed, or was killed): its exit status tells why.
      const code = (err as { code?: string } | undefined)?.code;
      if (err && code !== "EPIPE" && code !== "ERR_STREAM_PREMATURE_CLOSE" && code !== "ERR_STREAM_DESTROYED") {
        feedError = err;
      }
    });
  }

  try {
    for await (const chunk of child.stdout!) yield chunk as Buffer;
    await closed;
    if (spawnError) throw spawnError;
    if (feedError) throw feedError;
    const failure = options.check({ code: child.exitCode, signal: child.signalCode, stderr: stderr.trim() });
    if (failure) throw failure;
  } finally {
    feeder?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** First line of a program's stderr, for one-line error messages. */
export function firstStderrLine(stderr: string): string {
  const nl = stderr.indexOf("\n");
  return nl < 0 ? stderr : stderr.slice(0, nl).trim();
}
