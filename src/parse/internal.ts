/**
 * The one guard's verdict: an exception while handling one record (parsing it, or analysing the
 * event it belongs to) becomes a skip of that record with the code `internal`, and the run goes
 * on. The message is the error's first line only: never a stack trace, never raw log bytes.
 */
import type { Skipped } from "./record.js";
import { excerpt } from "../input/detach.js";

export function internalSkip(source: string, line: number, err: unknown, text = ""): Skipped {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split("\n", 1)[0]!.slice(0, 200);
  return { source, line, code: "internal", message: `internal error: ${excerpt(first)}`, excerpt: excerpt(text) };
}
