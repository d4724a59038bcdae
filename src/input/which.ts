/**
 * Finding helper programs (xz, zstd, bzip2, journalctl) on PATH without spawning a shell.
 * Not cached: a PATH scan is a handful of syscalls, and PATH may change (tests, embedding).
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Absolute path of an executable `name` found on PATH, or null. */
export function findCommand(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}
