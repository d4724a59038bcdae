/**
 * Reading one path that is not a directory: a regular file, or a pipe such as bash's `<(…)`.
 * Devices are refused: /dev/zero or /dev/urandom would be read forever and starve the inputs
 * after them.
 */
import type { Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import type { SourceLine } from "./source-line.js";
import { errorCode, errorText } from "./errors.js";
import { readJournalFile } from "./journal-file.js";
import { readStream } from "./read-stream.js";
import type { InputCode } from "./reasons.js";
import { isJournalFile } from "./sniff.js";
import type { ReadOptions } from "./types.js";

/**
 * Each read is a round trip to libuv's thread pool, and the main thread idles while it runs: at
 * 64 KiB reads a CPU profile of the repeats corpus was ~9% idle. Measured at 64 / 256 / 1024 KiB,
 * 200 MB mixed audit.log: 4.5-4.6 / 4.0-4.1 / 3.8-3.9 s; peak RSS grows ~10 MB past 256 KiB.
 */
const CHUNK = 256 * 1024;

export async function* readFile(path: string, opts: ReadOptions): AsyncGenerator<SourceLine[]> {
  const fail = (err: unknown) => opts.onSourceError?.(path, errorText(err), errorCode(err));
  // Checked before open: opening a device can block or have side effects (tapes, terminals).
  try {
    if (refuse(path, await stat(path), opts)) return;
  } catch (err) {
    fail(err);
    return;
  }
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    fail(err);
    return;
  }
  let regular = false;
  try {
    const st = await fh.stat();
    // The path may have been replaced between stat and open.
    if (refuse(path, st, opts)) {
      await fh.close();
      return;
    }
    regular = st.isFile();
    // A binary journal is recognised by its signature, whatever its name (`*.journal~` too).
    if (regular) {
      const head = Buffer.alloc(8);
      const { bytesRead } = await fh.read(head, 0, 8, 0);
      if (isJournalFile(head.subarray(0, bytesRead))) {
        await fh.close();
        yield* readJournalFile(path, st.size, opts);
        return;
      }
    }
  } catch (err) {
    await fh.close().catch(() => {});
    fail(err);
    return;
  }
  // Pipes cannot seek: only regular files are read from an explicit offset.
  const stream = fh.createReadStream(regular ? { start: 0, highWaterMark: CHUNK } : { highWaterMark: CHUNK });
  try {
    yield* readStream(path, stream, opts);
  } finally {
    stream.destroy();
  }
}

/** Reports and returns true for what is not a regular file or a pipe. */
function refuse(path: string, st: Stats, opts: ReadOptions): boolean {
  const why = notReadable(st);
  if (why) opts.onSourceError?.(path, why.message, why.code);
  return why !== undefined;
}

/** Why a file of this type is not read, or undefined when it is a regular file or a pipe. */
export function notReadable(st: Stats): { message: string; code: InputCode } | undefined {
  if (st.isFile() || st.isFIFO()) return undefined;
  if (st.isCharacterDevice()) return { message: "a character device, not a log; not read", code: "character-device" };
  if (st.isBlockDevice()) return { message: "a block device, not a log; not read", code: "not-regular-file" };
  if (st.isDirectory()) return { message: "is a directory", code: "not-regular-file" };
  return { message: "not a regular file or a pipe; not read", code: "not-regular-file" };
}
