/**
 * --since / --until / --profile / --host / --pasta: which AppArmor events a report keeps.
 * Records outside are still read and counted (lines, records); they just do not become denials,
 * rules or pasta incidents.
 */
import type { AnalyzedEvent } from "./enrich.js";

/** What to keep, already parsed: epoch milliseconds, profile globs as RegExps. */
export interface FilterSpec {
  since?: number;
  until?: number;
  profiles: RegExp[];
  hosts: string[];
  pasta: boolean;
}

export type EventFilter = (a: AnalyzedEvent) => boolean;

/** The filter the spec asks for, or undefined when it asks for none. */
export function eventFilter(spec: FilterSpec): EventFilter | undefined {
  const { since, until, profiles, hosts, pasta } = spec;
  if (since === undefined && until === undefined && profiles.length === 0 && hosts.length === 0 && !pasta) return undefined;
  return (a) => {
    if (since !== undefined || until !== undefined) {
      const t = a.record.time === null ? NaN : Date.parse(a.record.time);
      if (Number.isNaN(t)) return false; // no time: cannot be shown to be inside the window
      if (since !== undefined && t < since) return false;
      if (until !== undefined && t > until) return false;
    }
    if (profiles.length > 0 && !profiles.some((re) => re.test(a.profile))) return false;
    if (hosts.length > 0 && !hosts.includes(a.record.host ?? a.event.host ?? "")) return false;
    if (pasta && !a.isPasta) return false;
    return true;
  };
}

/** Shell-style glob (`*`, `?`) over a whole profile name. */
export function globRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`);
}
