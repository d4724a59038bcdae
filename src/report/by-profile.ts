/**
 * What the text, Markdown and HTML renderers share: denial groups and suggested rules listed by
 * profile (each list built once, in report order), and counted words.
 */
import type { AnalyzeReport, DenialGroup, SuggestedRule } from "./model.js";

/** Entries per list by default (--top): a report of a 300 MB archive stays a few screens long. */
export const DEFAULT_TOP = 10;

/** `1,234 denials`, `1 denial`. */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** The denials a list of groups holds. */
export function denialTotal(groups: DenialGroup[]): number {
  return groups.reduce((n, g) => n + g.count, 0);
}

/** Items by profile, in first-seen order within and across profiles. */
function byProfile<T extends { profile: string }>(items: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.profile);
    if (list === undefined) map.set(item.profile, [item]);
    else list.push(item);
  }
  return map;
}

/** Denial groups by profile, the profile with the most denials first (ties in report order). */
export function denialsByProfile(report: Pick<AnalyzeReport, "denials">): Array<[string, DenialGroup[]]> {
  const totals = new Map<string, number>();
  const entries = [...byProfile(report.denials)];
  for (const [profile, groups] of entries) totals.set(profile, denialTotal(groups));
  return entries.sort((a, b) => totals.get(b[0])! - totals.get(a[0])!);
}

/** The report's rules by profile, in report order. */
export function rulesByProfile(report: Pick<AnalyzeReport, "rules">): Map<string, SuggestedRule[]> {
  return byProfile(report.rules);
}
