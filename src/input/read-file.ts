/**
 * Reading one path that is not a directory: a regular file, or a pipe such as bash's `<(…)`.
 */
import { open, type FileHandle } from "node:fs/promises";
import type { SourceLine } from "./source-line.js";
import { errorCode, errorText } from "./errors.js";
import { readJournalFile } from "./journal-file.js";
import { readStream } from "./read-stream.js";
import { isJournalFile } from "./sniff.js";
import type { ReadOptions } from "./types.js";

const CHUNK = 64 * 1024;

export async function* readFile(path: string, opts: ReadOptions): AsyncGenerator<SourceLine[]> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    opts.onSourceError?.(path, errorText(err), errorCode(err));
    return;
  }
  let regular = false;
  try {
    const st = await fh.stat();
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
    opts.onSourceError?.(path, errorText(err), errorCode(err));
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
