/**
 * Turning read failures into the one-line messages and stable codes `onSourceError` promises
 * (never a stack trace).
 */
import type { InputCode } from "./reasons.js";

/**
 * An error whose message is already user-facing, with its code. Like every onSourceError message
 * it does not repeat the source name: reports print `source: message`.
 */
export class SourceError extends Error {
  override name = "SourceError";
  constructor(
    message: string,
    readonly code: InputCode = "read-error",
  ) {
    super(message);
  }
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

// The errno codes with a code of their own; every other failure is a read-error.
const ERRNO_CODE: Record<string, InputCode> = {
  ENOENT: "not-found",
  ENOTDIR: "not-found",
  EACCES: "permission-denied",
  EPERM: "permission-denied",
  ELOOP: "symlink-loop",
};

/** Plain-words text for an errno-style error, or its message. */
export function errorText(err: unknown): string {
  const code = errnoOf(err);
  if (code && Object.hasOwn(ERRNO_TEXT, code)) return ERRNO_TEXT[code]!;
  const e = err as { message?: unknown } | null;
  return typeof e?.message === "string" ? firstLine(e.message) : String(err);
}

/** The input code of a failure: a SourceError's own, or the errno's. */
export function errorCode(err: unknown): InputCode {
  if (err instanceof SourceError) return err.code;
  const code = errnoOf(err);
  return code && Object.hasOwn(ERRNO_CODE, code) ? ERRNO_CODE[code]! : "read-error";
}

/** The message given to `onSourceError` for a failure while reading a source. */
export function describeError(err: unknown): string {
  return err instanceof SourceError ? err.message : errorText(err);
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function firstLine(s: string): string {
  const nl = s.indexOf("\n");
  return (nl < 0 ? s : s.slice(0, nl)).trim();
}

export { excerpt } from "./detach.js";
