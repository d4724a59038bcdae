/**
 * The analysis state: everything a run collected, as saved by `analyze --save-state` and read by
 * `merge`. Plain, versioned JSON; bump STATE_VERSION on breaking changes.
 */
import type { Mode } from "../parse/record.js";
import type { InputCode, ReasonCode } from "../input/reasons.js";
import type { SourceSummary } from "../input/types.js";
import type { RuleState } from "./rule-aggregate.js";
import type { PastaState } from "../pasta/collect.js";

export const STATE_FORMAT = "aalens-state";

export const STATE_VERSION = 2;

export interface Example {
  source: string;
  line: number;
  excerpt: string;
  /** What exactly was odd about this line, when it says more than the group's message. */
  message?: string;
}

/** Lines skipped or kept with a warning, grouped by their stable code. */
export interface ReasonCount {
  code: ReasonCode;
  /** The first message seen with this code. */
  message: string;
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
  /** Union of the requested permissions seen. */
  requested: string[];
  /** Events per AppArmor mode. */
  modes: Partial<Record<Mode, number>>;
  /** The first process ids seen. */
  pids: number[];
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
  /** AppArmor events (records), each kernel event once. */
  apparmor: number;
  /** AppArmor DENIED (and KILL) events. */
  denials: number;
  /** AppArmor records dropped because the same kernel event was already read from another source. */
  duplicates: number;
  /** AppArmor records left out by --since/--until/--profile/--host/--pasta. */
  filtered: number;
  /** Lines that looked like audit records but could not be read as one. */
  unparsed: number;
  /** Records kept despite an oddity (bad hex, unterminated quote …). */
  warnings: number;
  /** SELinux AVC / USER_AVC records (another LSM's decisions: counted, not analyzed); absent from states saved before it was counted. */
  selinux?: number;
  /** Lines dropped by framing (too long, bad journal entry). */
  skippedLines: number;
  /** Inputs that could not be read (or only partly). */
  inputErrors: number;
}

/** An input that could not be read, or only partly: where, why (a stable code) and what exactly. */
export interface InputError {
  source: string;
  code: InputCode;
  message: string;
}

/** Everything an analysis collected, as saved by `analyze --save-state` and read by `merge`. */
import type { TimelineState } from "./timeline.js";

export interface AnalysisState {
  format: typeof STATE_FORMAT;
  version: number;
  /** The AppArmor modes that were turned into denial groups and rules. */
  modes: Mode[];
  summary: Summary;
  inputs: SourceSummary[];
  notes: string[];
  formats: Record<string, number>;
  types: Record<string, number>;
  appArmorModes: Partial<Record<Mode, number>>;
  denials: DenialGroup[];
  unparsed: ReasonCount[];
  warnings: ReasonCount[];
  errors: InputError[];
  rules: RuleState;
  pasta: PastaState;
  /** Denials over time per profile (absent from states saved before it was kept). */
  timeline?: TimelineState;
  /**
   * The AppArmor records this state counted (bounded; only in saved states): what each added,
   * so that a merge takes a record out again when another state already holds it.
   */
  seen: SeenRecord[];
}

/**
 * One counted AppArmor record: its signature (recordSignature), host, mode, whether a filter
 * left it out (1) or not (0), and the index of the denial group, rule entry and unmapped entry
 * it was added to in this state's lists (-1: none), and its owner vote (1 yes, 0 no, -1 none).
 */
export type SeenRecord = [signature: number, host: string | null, mode: Mode, filtered: 0 | 1, group: number, rule: number, unmapped: number, owner: -1 | 0 | 1];
