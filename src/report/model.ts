/**
 * The one report model every renderer draws from (`analyze --format text|json|…`), built from
 * the analysis state (analysis/state.ts). Key names are stable: scripts read the JSON form. Bump
 * REPORT_VERSION on breaking changes.
 */
import type { Mode } from "../parse/record.js";
import type { SourceSummary } from "../input/types.js";
import type { Rule, PolicyVerdict } from "../apparmor/rule-model.js";
import type { RuleEntry } from "../analysis/rule-aggregate.js";
import type { RuleTarget } from "../apparmor/local/target.js";
import type { DenialGroup, InputError, ReasonCount, Summary } from "../analysis/state.js";
import type { PastaIncident } from "../pasta/incidents.js";
import type { PastaDiagnosis } from "../pasta/diagnose.js";
import type { ReportedMessage } from "../pasta/messages.js";
import type { Headline } from "./headline.js";
import type { TimelineState } from "../analysis/timeline.js";

export const REPORT_VERSION = 2;

export type { AnalysisState, DenialGroup, Example, InputError, ReasonCount, SeenRecord, Summary } from "../analysis/state.js";
export { STATE_FORMAT, STATE_VERSION } from "../analysis/state.js";

/** A suggested rule, labelled against the installed policy. */
export interface SuggestedRule {
  profile: string;
  /** The rule text, ready for a profile body (or local/ include). */
  rule: string;
  /** missing: add it; allowed: the installed profile has it already; denied: a deny rule refuses it; unknown: no policy to check. */
  status: PolicyVerdict;
  /** Set when the rule should not be applied without a closer look; such rules are printed commented out. */
  warning?: string;
  /** The policy line that allows or denies it, when status is allowed or denied. */
  policyLine?: string;
  /** One line: why this rule. */
  reason: string;
  /** Set when the rule allows more than the denials asked (upstream passt's rule for a pasta step; a unix rule without its peer): `reason` says how. */
  broader?: true;
  covers: Pick<RuleEntry, "count" | "modes" | "firstSeen" | "lastSeen" | "operations" | "objects" | "comms" | "exes" | "pids" | "hosts" | "examples">;
  /** The typed rule (for tools); `rule` is its text. */
  typed: Rule;
}

export interface AnalyzeReport {
  version: number;
  summary: Summary;
  /** The first screen: causes, top profiles, rules to add in which files (headline.ts). */
  headline: Headline;
  inputs: SourceSummary[];
  notes: string[];
  /** Records per line format, e.g. {"auditd": 120, "journal-json": 40}. */
  formats: Record<string, number>;
  /** Records per record type. */
  types: Record<string, number>;
  /** AppArmor events per mode. */
  modes: Partial<Record<Mode, number>>;
  denials: DenialGroup[];
  rules: SuggestedRule[];
  /** Per profile: installed abstractions that allow several of its missing rules, and which. */
  offers: Record<string, Array<{ include: string; covers: string[] }>>;
  /** Rules before and after collapsing random-looking literal siblings into globs. */
  ruleCounts: { literal: number; grouped: number };
  /** Where each profile's rules go (the file the installed profile reads, or why none). */
  targets: Record<string, RuleTarget>;
  /** AppArmor events no rule can be made for, by reason. */
  unmapped: Array<{ profile: string; reason: string; count: number }>;
  /** Denials over time per profile (the HTML report's timeline). */
  timeline: TimelineState;
  /** pasta incidents and their diagnoses; empty lists when pasta is not involved. */
  pasta: PastaReport;
  unparsed: ReasonCount[];
  warnings: ReasonCount[];
  errors: InputError[];
}

export interface PastaReport {
  incidents: PastaIncident[];
  diagnoses: PastaDiagnosis[];
  /** Error lines of pasta, Podman, Buildah … (the first 200), with or without denials: never an incident or a rule by themselves. */
  messages: ReportedMessage[];
  /** pasta denials and messages not kept past the caps. */
  dropped: number;
  /** Incidents diagnosed but not listed (a report lists the first 200). */
  omittedIncidents: number;
}

