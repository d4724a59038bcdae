/**
 * The stable codes of everything aalens skips, keeps with a warning, or cannot read. Reports
 * group by code (scripts key on it); the message beside it says what happened to that line.
 * Every floor reports in this one vocabulary, so it lives at the bottom. The README lists them.
 */

/** Lines dropped before a record could be built (framing, containers, provenance). */
export const SKIP_CODES = {
  "line-too-long": "line longer than --max-line-length",
  "journal-json-invalid": "journal JSON entry that does not parse",
  "journal-no-message": "journal entry without MESSAGE",
  "journal-message-omitted": "journal MESSAGE omitted by journalctl (over 4096 bytes; export with --all)",
  "journal-message-type": "journal MESSAGE that is neither text nor bytes",
  "journal-export-invalid": "journal export entry with a malformed field (read resumed at the next entry)",
  "untrusted-source": "audit-looking text from a source that cannot write audit records",
  "truncated-header": "audit header without key=value pairs (truncated?)",
  "no-audit-header": "audit marker without an audit header or apparmor= key",
  internal: "internal error while handling the record (the run went on)",
} as const;

/** Oddities in a record that is kept. */
export const WARNING_CODES = {
  lexer: "characters the grammar does not accept (skipped)",
  "stamp-malformed": "malformed audit(…) stamp",
  "stamp-out-of-range": "audit time outside 1970–9999 (time left empty)",
  "number-out-of-range": "number outside the safe range (kept as text)",
  "unterminated-quote": "unterminated quoted value",
  "stray-character": "stray quote or = in the record",
  "hex-odd-length": "odd-length hex kept undecoded",
  "hex-lower-case": "lower-case hex kept undecoded",
  "enriched-unseparated": "ENRICHED fields pasted without the \\x1d separator (split)",
  "duplicate-key": "key given twice in one record (first value kept)",
  "too-many-keys": "more keys than aalens keeps per record (the rest dropped)",
} as const;

/** Inputs that could not be read, or only partly. */
export const INPUT_CODES = {
  "not-found": "no such file or directory",
  "permission-denied": "permission denied",
  "not-regular-file": "not a regular file, directory or pipe",
  "character-device": "a character device, not a log",
  "symlink-loop": "a symbolic link to itself, or a directory reached twice through links",
  "corrupt-archive": "corrupt or truncated compressed data (what decompressed before it was read)",
  "trailing-garbage": "bytes after the compressed data, ignored as gzip -dc does (all the data was read)",
  "tool-missing": "decompressor (or journalctl, for a .journal file) not installed",
  "journalctl-failed": "journalctl could not read the journal",
  "no-system-logs": "no input was named and none of the system's own logs could be read",
  "read-error": "the input could not be read",
} as const;

export type SkipCode = keyof typeof SKIP_CODES;
export type WarningCode = keyof typeof WARNING_CODES;
export type InputCode = keyof typeof INPUT_CODES;
export type ReasonCode = SkipCode | WarningCode;

/** One oddity of a record: what kind (code) and what exactly (message). */
export interface Warning {
  code: WarningCode;
  message: string;
}
