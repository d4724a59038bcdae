/**
 * The inputs named on the command line — files, directories (recursively, in name order) and `-`
 * for stdin — as batches of SourceLine. A bad input is reported once through onSourceError and
 * the next one is read; nothing is thrown for it.
 */
import type { Dirent, Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SourceLine } from "./source-line.js";
import { errorCode, errorText } from "./errors.js";
import { readFile } from "./read-file.js";
import { readStream } from "./read-stream.js";
import type { ReadOptions } from "./types.js";

export async function* readInputs(inputs: string[], opts: ReadOptions): AsyncGenerator<SourceLine[]> {
  for (const input of inputs) {
    if (input === "-") {
      const stdin = opts.stdin ?? process.stdin;
      yield* readStream("-", stdin as AsyncIterable<Buffer | string>, opts);
    } else {
      yield* readPath(input, opts, new Set());
    }
  }
}

async function* readPath(path: string, opts: ReadOptions, seenDirs: Set<string>): AsyncGenerator<SourceLine[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    opts.onSourceError?.(path, errorText(err), errorCode(err));
    return;
  }
  if (isDir) yield* readDirectory(path, opts, seenDirs);
  else yield* readFile(path, opts); // regular files and pipes such as bash's `<(…)`; devices are refused there
}

async function* readDirectory(dir: string, opts: ReadOptions, seenDirs: Set<string>): AsyncGenerator<SourceLine[]> {
  let entries: Dirent[];
  try {
    // A symlink back to an ancestor would otherwise recurse forever; one to a sibling would read it twice.
    const st = await stat(dir);
    const key = `${st.dev}:${st.ino}`;
    if (seenDirs.has(key)) {
      opts.onSourceError?.(dir, "directory already read through another path (symbolic link); skipped", "symlink-loop");
      return;
    }
    seenDirs.add(key);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    opts.onSourceError?.(dir, `cannot list directory: ${errorText(err)}`, errorCode(err));
    return;
  }
  // Code-unit order: the same on every machine, whatever the locale.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let type: Dirent | Stats = entry;
    if (entry.isSymbolicLink()) {
      try {
        type = await stat(path); // a link to itself fails here with ELOOP: one error, and the walk goes on
      } catch (err) {
        opts.onSourceError?.(path, errorText(err), errorCode(err));
        continue;
      }
    }
    if (type.isDirectory()) yield* readDirectory(path, opts, seenDirs);
    else if (type.isFile()) yield* readFile(path, opts);
    // FIFOs, sockets and devices inside a log directory are never opened (a FIFO would block
    // until a writer comes), but say so rather than skip silently.
    else opts.onSourceError?.(path, "not a regular file; skipped", type.isCharacterDevice() ? "character-device" : "not-regular-file");
  }
}
