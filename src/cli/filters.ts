/**
 * --since / --until / --profile / --host / --pasta: which AppArmor events a report keeps.
 * Records outside are still read and counted (lines, records); they just do not become denials,
 * rules or pasta incidents.
 */
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { AuditEvent } from "../events/assembler.js";
import type { AuditRecord } from "../parse/record.js";
import type { AppArmorKind } from "../apparmor/classify.js";
import { isPastaEvent } from "../pasta/recognize.js";
import { UsageError, type Options } from "./args.js";

export const FILTER_OPTIONS: Options = {
  since: { type: "string" },
  until: { type: "string" },
  profile: { type: "string", multiple: true },
  host: { type: "string", multiple: true },
  pasta: { type: "boolean" },
};

export type EventFilter = (event: AuditEvent, record: AuditRecord, fields: AppArmorFields, kind: AppArmorKind) => boolean;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `2h`, `30m`, `1d` (before now) or an ISO date/time → epoch ms. */
export function parseTimeOption(value: string, name: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--${name} needs an ISO date/time or a duration such as 2h or 1d, not "${value}"`);
  return t;
}

/** Shell-style glob (`*`, `?`) over a whole profile name. */
function globRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`);
}

/** The filter the options ask for, or undefined when they ask for none. */
export function eventFilter(values: Record<string, unknown>): EventFilter | undefined {
  const since = values.since === undefined ? undefined : parseTimeOption(values.since as string, "since");
  const until = values.until === undefined ? undefined : parseTimeOption(values.until as string, "until");
  const profiles = ((values.profile as string[] | undefined) ?? []).map(globRegExp);
  const hosts = (values.host as string[] | undefined) ?? [];
  const pasta = values.pasta === true;
  if (since === undefined && until === undefined && profiles.length === 0 && hosts.length === 0 && !pasta) return undefined;
  return (event, record, fields, kind) => {
    if (since !== undefined || until !== undefined) {
      const t = record.time === null ? NaN : Date.parse(record.time);
      if (Number.isNaN(t)) return false; // no time: cannot be shown to be inside the window
      if (since !== undefined && t < since) return false;
      if (until !== undefined && t > until) return false;
    }
    if (profiles.length > 0 && !profiles.some((re) => re.test(fields.profile ?? ""))) return false;
    if (hosts.length > 0 && !hosts.includes(record.host ?? event.host ?? "")) return false;
    if (pasta && !isPastaEvent(fields, kind, event.process)) return false;
    return true;
  };
}
