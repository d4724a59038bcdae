import type { InputCode } from "./reasons.js";
import type { SourceLine, Skipped } from "./source-line.js";
import type { ByteMarkers } from "./frame-text.js";

/** Options shared by every input source. */
export interface ReadOptions {
  /** Lines longer than this (in characters) are counted and skipped, never buffered whole. Default 65536. */
  maxLineLength?: number;
  /**
   * For the analysis: text logs are framed at the byte level (frame-text.ts) — only lines with one
   * of these markers, and the companions of AppArmor records, become SourceLines; the other
   * auditd records are only counted, by type, through onRecordCounted. Without it every line that
   * passes `filter` is handed over (what `aalens parse` needs).
   */
  markers?: ByteMarkers;
  onRecordCounted?: (type: string) => void;
  /** Applied to the raw text of each line before a SourceLine is built; false drops it (counted in `lines` only). */
  filter?: (text: string) => boolean;
  /** Called for every line skipped by the framing layer (too long, undecodable journal entry …). */
  onSkip?: (skipped: Skipped) => void;
  /**
   * Called once for an input that cannot be read, or only partly (missing, unreadable, corrupt
   * archive …): what was read before the failure has been yielded already. `code` is stable
   * (reasons.ts INPUT_CODES); callers that only print the message may ignore it.
   */
  onSourceError?: (source: string, message: string, code: InputCode) => void;
  /** Called for each physical line read, before filtering: used for the `lines` count and progress. */
  onLine?: () => void;
  /** Called with the number of raw bytes read from disk (progress bars). */
  onBytes?: (n: number) => void;
  /** Called when a source has been read to its end (or abandoned after an error). */
  onSourceDone?: (summary: SourceSummary) => void;
  /** Human-readable notes about what was read (used when reading the system's own logs). */
  onNote?: (message: string) => void;
  /** The stream read for the input `-` (default `process.stdin`); injectable for tests and embedding. */
  stdin?: NodeJS.ReadableStream;
}

/** What was read from one input (a file, stdin, one journalctl stream …). */
export interface SourceSummary {
  source: string;
  /** plain, gzip, xz, zstd, bzip2 */
  compression: string;
  /** text, journal-json, journal-export */
  container: string;
  lines: number;
  bytes: number;
}

export type { SourceLine, Skipped };
