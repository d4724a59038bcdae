/**
 * Replace an output file atomically without following links: write a new file with a random
 * name beside it (O_CREAT|O_EXCL|O_NOFOLLOW, so nothing planted there is written through), then
 * rename it over the target. A target that exists and is not a regular file (a symbolic link, a
 * FIFO, a directory, a device) is refused; an existing file keeps its permission bits.
 */
import { chmodSync, constants, lstatSync, openSync, renameSync, unlinkSync } from "node:fs";
import { lstat, open, rename, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { errorText } from "../input/errors.js";
import { messageText } from "../report/text-safety.js";
import { UsageError } from "./args.js";

function kindOf(st: { isSymbolicLink(): boolean; isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFIFO()) return "a FIFO";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "a special file";
}

/** The permission bits to keep for `path`, undefined for a new file; refuses what is not a regular file. */
function targetModeSync(path: string): number | undefined {
  const shown = messageText(path);
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`${shown}: cannot write (${messageText(errorText(err))})`);
  }
  if (!st.isFile()) throw new UsageError(`${shown}: ${kindOf(st)}, not a regular file (refusing to replace it)`);
  return st.mode & 0o7777;
}

/** A file being written in place of `path`: stream into `fd`, then commit() renames it over the target. */
export interface AtomicFile {
  fd: number;
  commit(): void;
  abort(): void;
}

/** Open a fresh temp file beside `path` (as writeFileAtomic does), for output that is streamed. */
export function openAtomicSync(path: string): AtomicFile {
  const shown = messageText(path);
  targetModeSync(path);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    throw new UsageError(`${shown}: cannot write (${messageText(errorText(err))})`);
  }
  return {
    fd,
    commit() {
      // Checked again: the target may have been replaced by a link while the output was written.
      const mode = targetModeSync(path);
      if (mode !== undefined) chmodSync(tmp, mode);
      renameSync(tmp, path);
    },
    abort() {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    },
  };
}

/** Write `data` to `path` atomically (see above); failures are one-line UsageErrors naming the file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const shown = messageText(path);
  let mode: number | undefined;
  try {
    const st = await lstat(path);
    if (!st.isFile()) throw new UsageError(`${shown}: ${kindOf(st)}, not a regular file (refusing to replace it)`);
    mode = st.mode & 0o7777;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`${shown}: cannot write (${messageText(errorText(err))})`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
  let handle;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    throw new UsageError(`${shown}: cannot write (${messageText(errorText(err))})`);
  }
  try {
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new UsageError(`${shown}: cannot write (${messageText(errorText(err))})`);
  }
}
