/**
 * pasta's denials → incidents: the denials of one pasta start (same host, close in time) in the
 * order the kernel refused them, the step that made pasta give up, the program that started it,
 * and the error lines printed around it.
 */
import { operationById } from "./catalog.js";
import type { PastaDenial, PastaMessage, PastaState } from "./collect.js";
import { callerOf, type Caller } from "./recognize.js";
import type { Rule } from "../apparmor/rule-model.js";

/** Denials further apart than this belong to different pasta starts. */
const GAP_MS = 10_000;
/** Within this, denials of unrelated processes still count as one start (pasta forks helpers). */
const FAMILY_GAP_MS = 2_000;
/** Steps checked against the installed policy, at most (each check can cost a millisecond). */
const MAX_POLICY_CHECKS = 500;
/** Error lines are attached to an incident that ended at most this long before them. */
const MESSAGE_WINDOW_MS = 60_000;

export interface IncidentStep {
  step: string | null;
  summary: string;
  fatal: boolean | null;
  operation: string;
  object: string;
  rule: string | null;
  /** What the installed policy says of the rule (missing, allowed …), when a policy was checked. */
  ruleStatus?: string;
  count: number;
}

export interface PastaIncident {
  id: number;
  host: string | null;
  start: string | null;
  end: string | null;
  caller: Caller;
  /** What the caller was inferred from. */
  callerEvidence: string | null;
  profiles: string[];
  comms: string[];
  /** The first 64 process ids. */
  pids: number[];
  /** Catalog steps refused, in order, each once. */
  operations: string[];
  /** The first refused step that makes pasta exit, if any. */
  fatalStep: string | null;
  steps: IncidentStep[];
  messages: PastaMessage[];
  denials: PastaDenial[];
  diagnoses: string[];
}

const ms = (t: string | null) => (t === null ? NaN : Date.parse(t));

/** The caller: from the netns path pasta was given (denied objects, its command line). */
function inferCaller(denials: PastaDenial[], messages: PastaMessage[]): { caller: Caller; evidence: string | null } {
  for (const d of denials) {
    const c = callerOf(d.object);
    if (c !== null) return { caller: c, evidence: `${d.operation} ${d.object}` };
  }
  for (const d of denials) {
    const c = d.cmdline === null ? null : callerOf(d.cmdline);
    if (c !== null) return { caller: c, evidence: `command line: ${d.cmdline}` };
  }
  for (const m of messages) {
    const c = m.path === null ? null : callerOf(m.path);
    if (c !== null) return { caller: c, evidence: m.text };
  }
  if (denials.some((d) => d.step === "ptrace-read")) return { caller: "buildah-run", evidence: "ptrace read of the container process (Buildah joins the namespace by PID)" };
  if (denials.some((d) => d.step === "userns-create" || d.step === "uid-map-write")) return { caller: "standalone", evidence: "pasta created its own user namespace (Podman and Buildah never ask it to)" };
  return { caller: "unknown", evidence: null };
}

/** Checks a typed rule against the installed policy for a profile (see report.ts). */
export type RuleStatusOf = (profile: string, rule: Rule) => string;

export function buildIncidents(state: PastaState, statusOf?: RuleStatusOf): PastaIncident[] {
  const denials = [...state.denials].sort((a, b) => (ms(a.time) || 0) - (ms(b.time) || 0));
  const groups: PastaDenial[][] = [];
  // pids and parent pids of the current group, for the process-family test (kept as sets: an
  // incident can hold thousands of denials).
  let pids = new Set<number>();
  let ppids = new Set<number>();
  for (const d of denials) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    const gap = ms(d.time) - ms(prev?.time ?? null);
    // One pasta start: same host, close in time, and — past a short gap — the same process family.
    const family = d.pid !== null && (pids.has(d.pid) || ppids.has(d.pid) || (d.ppid !== null && pids.has(d.ppid)));
    const sameRun = prev !== undefined && prev.host === d.host && !(gap > GAP_MS) && (family || !(gap > FAMILY_GAP_MS));
    if (sameRun) last!.push(d);
    else {
      groups.push([d]);
      pids = new Set();
      ppids = new Set();
    }
    if (d.pid !== null) pids.add(d.pid);
    if (d.ppid !== null) ppids.add(d.ppid);
  }
  let checks = 0;
  const incidents = groups.map((group, i) => {
    const start = group[0]!.time;
    const end = group[group.length - 1]!.time;
    const steps = new Map<string, IncidentStep>();
    // Sets keep first-seen order and stay linear on incidents of thousands of denials.
    const operations = new Set<string>();
    const profiles = new Set<string>();
    const comms = new Set<string>();
    const pids = new Set<number>();
    for (const d of group) {
      const key = `${d.step ?? d.operation}\0${d.object}`;
      const op = d.step === null ? undefined : operationById(d.step);
      let s = steps.get(key);
      if (s === undefined) {
        s = { step: d.step, summary: op?.summary ?? `${d.operation} ${d.object}`, fatal: op?.fatal ?? null, operation: d.operation, object: d.object, rule: d.rule, count: 0 };
        if (statusOf !== undefined && d.typedRule !== null && d.step !== null && checks++ < MAX_POLICY_CHECKS) s.ruleStatus = statusOf(d.profile, d.typedRule);
        steps.set(key, s);
      }
      s.count++;
      if (d.step !== null) operations.add(d.step);
      profiles.add(d.profile);
      if (d.comm !== null) comms.add(d.comm);
      if (d.pid !== null) pids.add(d.pid);
    }
    const stepList = [...steps.values()];
    const incident: PastaIncident = {
      id: i + 1, host: group[0]!.host, start, end, caller: "unknown", callerEvidence: null,
      profiles: [...profiles], comms: [...comms], pids: [...pids].slice(0, 64), operations: [...operations],
      fatalStep: stepList.find((s) => s.fatal === true)?.step ?? null, steps: stepList, messages: [], denials: group, diagnoses: [],
    };
    return incident;
  });

  // Error lines go to the incident they follow in time, else (no times: a pasted stderr file)
  // to the one whose denied paths they name, else to the only incident there is.
  for (const m of state.messages) {
    const t = ms(m.time);
    let target: PastaIncident | undefined;
    if (!Number.isNaN(t)) {
      target = incidents.filter((x) => ms(x.start) - 5_000 <= t && t <= ms(x.end) + MESSAGE_WINDOW_MS && (m.host === null || x.host === null || m.host === x.host)).pop();
    }
    if (target === undefined && m.path !== null) target = incidents.find((x) => x.denials.some((d) => d.object === m.path || (m.path!.startsWith(d.object) && d.object.endsWith("/"))));
    if (target === undefined && incidents.length === 1) target = incidents[0];
    target?.messages.push(m);
  }
  for (const incident of incidents) {
    const { caller, evidence } = inferCaller(incident.denials, incident.messages);
    incident.caller = caller;
    incident.callerEvidence = evidence;
  }
  return incidents;
}
