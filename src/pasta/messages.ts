/**
 * pasta's, Podman's and Buildah's error lines as evidence of their own, with or without AppArmor
 * denials: the step the wording belongs to, who ran pasta, what the line most likely means, and
 * what to collect next. Nothing here invents an incident or a rule: a message says that a step
 * failed, not that AppArmor refused it.
 */
import { operationById } from "./catalog.js";
import type { PastaMessage, PastaState } from "./collect.js";
import type { PastaIncident } from "./incidents.js";

export interface ReportedMessage {
  step: string;
  text: string;
  source: string;
  line: number;
  time: string | null;
  caller: string | null;
  /** The incident the line was attached to (printed near its denials), or null. */
  incident: number | null;
  /** What the line most likely means, in one or two sentences. */
  meaning: string;
  /** The commands that show whether AppArmor refused the step. */
  collect: string[];
}

/** Messages listed in a report, at most (all are in the saved state up to its cap). */
const MAX_LISTED = 200;

/** The default of net.ipv4.ip_unprivileged_port_start: ports below need CAP_NET_BIND_SERVICE. */
const UNPRIVILEGED_PORT_START = 1024;

function meaningOf(m: PastaMessage): string {
  const op = operationById(m.step);
  const what = op === undefined ? "a step of pasta failed" : `pasta's ${m.step} step failed (${op.summary.replace(/\.$/, "")})`;
  const fatal = op?.fatal === true ? "; pasta exits at this step" : op?.fatal === false ? "; pasta carries on without it" : "";
  if (m.step === "capability-net-bind-service") {
    const port = /\bport (\d+)\b/.exec(m.text)?.[1];
    if (port !== undefined && Number(port) >= UNPRIVILEGED_PORT_START) {
      return `pasta could not bind port ${port}. That port is not privileged (ports from net.ipv4.ip_unprivileged_port_start, ${UNPRIVILEGED_PORT_START} by default, need no capability), so capability net_bind_service is not the cause: the error in the line says why — most often another process holds the port (\`ss -ltnup 'sport = :${port}'\`).`;
    }
  }
  const denied = /Permission denied|Operation not permitted|EACCES|EPERM/.test(m.text);
  const lsm = denied
    ? " The error is a permission error: if AppArmor refused it, the kernel logged a denial of profile pasta or passt (or of the profile pasta ran under) at the same moment — the commands below show it."
    : " The error is not a permission error, so AppArmor is probably not the cause.";
  return `${what}${fatal}.${lsm}`;
}

/** The commands to run on the host where it happened, around the time of the line when known. */
function collectFor(m: PastaMessage): string[] {
  const since = m.time === null ? "-1h" : `"${new Date(Date.parse(m.time) - 60_000).toISOString().replace("T", " ").slice(0, 19)} UTC"`;
  return [
    `journalctl -k -g apparmor --since ${since}`,
    "sudo ausearch -m AVC,USER_AVC -ts recent   (right after reproducing it; -ts today otherwise)",
    "then run aalens pasta on that output together with this one",
  ];
}

/** The messages of a state as the report lists them, each with the incident it was attached to. */
export function reportMessages(state: PastaState, incidents: PastaIncident[]): ReportedMessage[] {
  const owner = new Map<PastaMessage, number>();
  for (const i of incidents) for (const m of i.messages) owner.set(m, i.id);
  return state.messages.slice(0, MAX_LISTED).map((m) => ({
    step: m.step,
    text: m.text,
    source: m.source,
    line: m.line,
    time: m.time,
    caller: m.caller ?? null,
    incident: owner.get(m) ?? null,
    meaning: meaningOf(m),
    collect: owner.has(m) ? [] : collectFor(m),
  }));
}
