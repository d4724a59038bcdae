/**
 * The loaded policy: every profile of a profile directory with its rules (includes flattened),
 * the variables its file defines, and the problems met while reading.
 */
import type { PolicyDiagnostic, Qualifiers, RuleExtra, SourceRef } from "./interpret.js";
import type { Rule } from "../rule-model.js";
import type { VariableTable } from "./variables.js";

export type { PolicyDiagnostic, Qualifiers, RuleExtra, SourceRef };

/** One rule of a profile, as written (variables not yet expanded), with where it comes from. */
export interface PolicyRule {
  rule: Rule;
  q: Qualifiers;
  /** No conditions at all (`file,`, `capability,`, `network,` …): covers the whole class. */
  bare: boolean;
  extra: RuleExtra;
  /** File, line and text of the rule (in the abstraction when it came through an include). */
  src: SourceRef;
  /** Expanded patterns, filled on first use by the check (one expansion per rule and profile). */
  cache?: WeakMap<ProfileInfo, Map<string, string[]>>;
}

export interface ProfileInfo {
  /** Full name: `passt`, `/usr/bin/man`, `nvidia_modprobe//kmod`, `/usr/sbin/apache2//HANDLING_UNTRUSTED_INPUT`. */
  name: string;
  /** Attachment as written (`/usr/bin/passt{,.avx2}`), if any. */
  attachment: string | undefined;
  /** The attachment with variables expanded. */
  attachmentPatterns: string[];
  flags: string[];
  /** A hat (`^name` or `hat name`) rather than a child profile. */
  hat: boolean;
  /** Full name of the enclosing profile, for hats and child profiles. */
  parent: string | undefined;
  /** The profile's rules, includes flattened in order; hats' and children's rules are not included. */
  rules: PolicyRule[];
  /** `include [if exists] <local/…>` lines written in the profile's own body (not in its abstractions). */
  localIncludes: LocalInclude[];
  /** The line of the `}` that closes the profile's body. */
  endLine: number;
  /** Variables of the file that defines the profile (tunables included), plus @{profile_name}. */
  variables: VariableTable;
  src: SourceRef;
}

export interface LocalInclude {
  /** As written: `local/usr.bin.passt`. */
  target: string;
  ifExists: boolean;
  src: SourceRef;
}

export interface Policy {
  /** The directory read, undefined when there was none. */
  profileDir: string | undefined;
  /**
   * Profiles by full name, and also by every literal path their attachment stands for
   * (`/usr/bin/passt` and `/usr/bin/passt.avx2` for `profile passt /usr/bin/passt{,.avx2}`).
   * Several keys may name the same ProfileInfo; `profileList` has each once.
   */
  profiles: Map<string, ProfileInfo>;
  profileList: ProfileInfo[];
  /** Top-level profile files read. */
  files: string[];
  /** Parse problems (unknown syntax …) and load problems (missing includes, cycles, duplicate names). */
  diagnostics: PolicyDiagnostic[];
}
