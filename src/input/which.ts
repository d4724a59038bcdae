/**
 * Finding helper programs (xz, zstd, bzip2, journalctl) on PATH without spawning a shell.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

const cache = new Map<string, string | null>();

/** Absolute path of an executable `name` found on PATH, or null. Cached per process. */
export function findCommand(name: string): string | null {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (!statSync(candidate).isFile()) continue;
      found = candidate;
      break;
    } catch {
      // not here; keep looking
    }
  }
  cache.set(name, found);
  return found;
}
