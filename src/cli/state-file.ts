/** Saving and loading analysis states (`analyze --save-state`, `aalens merge`), atomically. */
import { readFile, rename, writeFile } from "node:fs/promises";
import { STATE_FORMAT, STATE_VERSION, type AnalysisState } from "../report/model.js";
import { UsageError } from "./args.js";

export async function saveState(path: string, state: AnalysisState): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, path);
}

/** Read a state file; a file that is not one is a usage error naming it, not a crash. */
export async function loadState(path: string): Promise<AnalysisState> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${path}: not a readable aalens state (${(err as Error).message.split("\n")[0]})`);
  }
  const s = data as Partial<AnalysisState>;
  if (s.format !== STATE_FORMAT) throw new UsageError(`${path}: not an aalens state file (save one with analyze --save-state)`);
  if (s.version !== STATE_VERSION) throw new UsageError(`${path}: state version ${s.version} is not supported (this aalens reads version ${STATE_VERSION})`);
  return s as AnalysisState;
}
