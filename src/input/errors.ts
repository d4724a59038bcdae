/**
 * Turning read failures into the one-line messages `onSourceError` promises (never a stack trace).
 */

/**
 * An error whose message is already user-facing. Like every onSourceError message it does not
 * repeat the source name: reports print `source: message`.
 */
export class SourceError extends Error {
  override name = "SourceError";
}

// errno codes users meet when pointing a tool at logs, in plain words.
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  ELOOP: "too many levels of symbolic links",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

/** Plain-words text for an errno-style error, or its message. */
export function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (code && ERRNO_TEXT[code]) return ERRNO_TEXT[code];
  return typeof e?.message === "string" ? firstLine(e.message) : String(err);
}

/** The message given to `onSourceError` for a failure while reading a source. */
export function describeError(err: unknown): string {
  return err instanceof SourceError ? err.message : errorText(err);
}

function firstLine(s: string): string {
  const nl = s.indexOf("\n");
  return (nl < 0 ? s : s.slice(0, nl)).trim();
}

export { excerpt } from "./detach.js";
