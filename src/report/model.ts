/**
 * The one report model every renderer draws from (`analyze --format text|json|…`).
 * Key names are stable: scripts read the JSON form. Bump REPORT_VERSION on breaking changes.
 */
import type { Mode } from "../parse/record.js";
import type { SourceSummary } from "../input/types.js";

export const REPORT_VERSION = 1;

export interface Example {
  source: string;
  line: number;
  excerpt: string;
}

export interface ReasonCount {
  reason: string;
  count: number;
  /** The first few places it happened. */
  examples: Example[];
}

export interface DenialGroup {
  profile: string;
  operation: string;
  class: string;
  /** What was denied: a path, a capability, a socket triple … */
  resource: string;
  /** Union of the denied (or requested) permissions seen. */
  denied: string[];
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  comms: string[];
  hosts: string[];
  examples: Example[];
}

export interface Summary {
  /** Physical lines (and journal entries) read. */
  lines: number;
  /** Audit records of any type. */
  records: number;
  /** Records that are AppArmor events. */
  apparmor: number;
  /** AppArmor DENIED (and KILL) events. */
  denials: number;
  /** Lines that looked like audit records but could not be read as one. */
  unparsed: number;
  /** Records kept despite an oddity (bad hex, unterminated quote …). */
  warnings: number;
  /** Lines dropped by framing (too long, bad journal entry). */
  skippedLines: number;
  /** Inputs that could not be read (or only partly). */
  inputErrors: number;
}

export interface AnalyzeReport {
  version: number;
  summary: Summary;
  inputs: SourceSummary[];
  notes: string[];
  /** Records per line format, e.g. {"auditd": 120, "journal-json": 40}. */
  formats: Record<string, number>;
  /** Records per record type. */
  types: Record<string, number>;
  /** AppArmor events per mode. */
  modes: Partial<Record<Mode, number>>;
  denials: DenialGroup[];
  unparsed: ReasonCount[];
  warnings: ReasonCount[];
  errors: Array<{ source: string; message: string }>;
}
