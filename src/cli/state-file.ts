/**
 * Saving and loading analysis states (`analyze --save-state`, `aalens merge`). Saving is atomic
 * and never writes through a link (safe-write.ts). A state may come from another host: loading
 * treats it as untrusted, checks every field (validate-state.ts), and never echoes its bytes.
 */
import { open } from "node:fs/promises";
import { errorText } from "../input/errors.js";
import { STATE_FORMAT, STATE_VERSION, type AnalysisState } from "../report/model.js";
import { messageText } from "../report/text-safety.js";
import { validateState } from "../analysis/validate-state.js";
import { UsageError } from "./args.js";
import { writeFileAtomic } from "./safe-write.js";

/** Largest state file read (a full state — 10 000 rules and groups, the seen records — is far smaller). */
export const MAX_STATE_BYTES = 256 * 1024 * 1024;

export async function saveState(path: string, state: AnalysisState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state));
}

/** The whole file, or a UsageError once it is larger than `max` bytes (works for pipes too). */
async function readCapped(path: string, max: number, name: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw new UsageError(`${name}: not a readable aalens state (larger than ${max / (1024 * 1024)} MiB)`);
      chunks.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** Where JSON.parse stopped, from its message (which also quotes the text: never shown). */
function jsonPosition(err: unknown): string {
  const m = /at position (\d+)/.exec(err instanceof Error ? err.message : "");
  return m === null ? "" : ` at character ${m[1]}`;
}

function ownValue(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/**
 * Read a state file. A file that is not one — unreadable, not JSON, another format or version, a
 * field of the wrong type — is a UsageError naming the file (and the field), not a crash.
 */
export async function loadState(path: string): Promise<AnalysisState> {
  const name = messageText(path);
  let bytes: Buffer;
  try {
    bytes = await readCapped(path, MAX_STATE_BYTES, name);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${name}: cannot read (${messageText(errorText(err))})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${name}: not a readable aalens state (not UTF-8 text)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name}: not a readable aalens state (not JSON${jsonPosition(err)})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data) || ownValue(data, "format") !== STATE_FORMAT) {
    throw new UsageError(`${name}: not an aalens state file (save one with analyze --save-state)`);
  }
  const version = ownValue(data, "version");
  if (version !== STATE_VERSION) {
    const which = Number.isSafeInteger(version) ? `state version ${version as number}` : "the state's version";
    throw new UsageError(`${name}: ${which} is not supported (this aalens reads version ${STATE_VERSION})`);
  }
  const checked = validateState(data);
  if (!checked.ok) throw new UsageError(`${name}: not a valid aalens state: ${checked.field === "" ? "" : `${checked.field}: `}${checked.message}`);
  return checked.state;
}
