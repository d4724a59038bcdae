/**
 * AppArmor events as Elastic Common Schema documents, one JSON object per line (NDJSON), for
 * Filebeat / Elastic Agent (`filestream` + `ndjson` parser) or the `_bulk` API.
 *
 * Compatible with Elastic's own auditd mapping (Filebeat's `auditd` module, go-libaudit), so
 * dashboards, Kibana's auditd row renderer and queries written for it keep working:
 *
 * - `event.module: "auditd"`, `event.dataset: "auditd.log"`, `event.kind: "event"`,
 *   `event.action: "violated-apparmor-policy"` for every AppArmor record, as Filebeat and
 *   go-libaudit name every AppArmor AVC (dashboards key on it); the mode stays in
 *   `auditd.log.apparmor`, and `event.outcome` tells refused from let through.
 *   `auditd` rather than `apparmor` as module: the records are kernel audit records and every
 *   AppArmor key sits under `auditd.log.*`, as Filebeat writes it.
 * - Every key=value of the record and of its nested `msg='…'` (USER_AVC) under `auditd.log.<key>`
 *   with the raw key name, case kept (`apparmor`, `operation`, `profile`, `name`,
 *   `requested_mask`, `denied_mask`, `comm`, `pid`, `fsuid`, the enriched `FSUID` …). Values stay
 *   text, as Filebeat keeps them; like Filebeat's pipeline, `?`, `(null)` and empty values are
 *   dropped. Where a key is in both, the nested msg's value wins (it describes the subject;
 *   the outer one describes the sender, e.g. dbus-daemon). `auditd.log.record_type` (AVC,
 *   USER_AVC …) and `auditd.log.sequence` (the audit serial, a number) as Filebeat names them.
 * - `@timestamp`: the record's time. When the line carries none (dmesg seconds-since-boot, a
 *   pasted bare record) it is the processing time, as in Filebeat, whose date processor then
 *   fails and leaves the time the line was read (ECS: "populated by the first time the event was
 *   received by the pipeline"). `ecs.version` is `@elastic/ecs-helpers`' version.
 * - Fuller ECS than Filebeat: `event.category`/`event.type` from the AppArmor class (values and
 *   pairs ECS allows, see ecsCategorization), `event.outcome` (failure for DENIED and KILL,
 *   success for ALLOWED and AUDIT, unknown otherwise), `event.reason` (`info=`),
 *   `event.sequence`, `process.*` (pid, parent.pid, name, executable, command_line,
 *   working_directory: from the AppArmor record and its SYSCALL / CWD / PROCTITLE companions),
 *   `user.id` (SYSCALL uid; `user.name` when ausearch -i already turned it into a name),
 *   `file.path` (and `file.uid`/`file.owner` from `ouid`) for file and exec events, `network.*`,
 *   `source.*`/`destination.*` for inet sockets, `host.name`, `rule.name` (the profile),
 *   `log.file.path` (the input the line came from), `message` (one readable line).
 *   Beats-only fields (`user.audit.id`, `user.filesystem.id`, `user.owner.id`) are not ECS and
 *   are not written; auid is `aalens.process.auid`, fsuid and ouid stay in `auditd.log.*`.
 * - aalens' own analysis under `aalens.*`: `class` (the AppArmor kind), `resource`, `rule` (the
 *   suggested rule), `pasta.operation` (catalog step) and `pasta.caller`, `line` (the line number
 *   in `log.file.path`). A pasta diagnosis is made per incident (several events together), not per
 *   event, so no document carries one.
 * - `event.original` (the log line) only when asked for: it doubles the size of each document.
 *
 * Only types are imported from `@elastic/ecs` (a devDependency): it types the ECS part, so a
 * misspelt field or a wrong value type fails `tsc`.
 */
import { jsonText } from "./text-safety.js";
import { newFields } from "../parse/record.js";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import type {
  EcsBase, EcsDestination, EcsEcs, EcsError, EcsEvent, EcsFile, EcsHost, EcsLog, EcsNetwork, EcsProcess,
  EcsRule, EcsSource, EcsUser,
} from "@elastic/ecs";
import type { AppArmorKind } from "../apparmor/classify.js";
import type { AppArmorFields } from "../parse/apparmor-fields.js";
import type { AuditRecord, Mode, Skipped } from "../parse/record.js";
import type { Caller } from "../pasta/recognize.js";
import type { AnalyzedEvent } from "../analysis/enrich.js";
import type { Categorization, EcsEventCategory, EcsEventKind, EcsEventOutcome, EcsEventType, ExpectedEventType } from "./ecs-fields.js";

/** What this module uses of @elastic/ecs-helpers (CommonJS, ships no type declarations). */
interface EcsHelpers {
  version: string;
  formatError(fields: Record<string, unknown>, err: unknown): boolean;
}
const ecsHelpers = createRequire(import.meta.url)("@elastic/ecs-helpers") as EcsHelpers;

/** The ECS version the documents declare (`ecs.version`), from @elastic/ecs-helpers. */
export const ECS_VERSION: string = ecsHelpers.version;

export const ECS_MODULE = "auditd";
export const ECS_DATASET = "auditd.log";
export const VIOLATION_ACTION = "violated-apparmor-policy";

/** `event.*` with the categorization fields narrowed to the values ECS allows. */
export type EcsEventFields = Omit<EcsEvent, "kind" | "category" | "type" | "outcome"> & {
  kind: EcsEventKind;
  category?: EcsEventCategory[];
  type?: EcsEventType[];
  outcome?: EcsEventOutcome;
};

/** `ecs.*`: @elastic/ecs pins `version` to its own release; ours comes from ecs-helpers. */
export type EcsVersionFields = Omit<EcsEcs, "version"> & { version: string };

/** Filebeat's `auditd.log.*`: the record's keys as text, `record_type`, and `sequence` (a number). */
export interface AuditdLog {
  [key: string]: string | number | undefined;
  record_type?: string;
  sequence?: number;
}

export interface AalensEcsFields {
  /** The AppArmor kind (file, network, capability …), as in the denials table. */
  class: AppArmorKind;
  /** What was denied, in one line. */
  resource: string;
  /** The rule that would allow the event. */
  rule?: string;
  pasta?: { operation?: string; caller?: Caller };
  /** 1-based line (journald: entry) number in `log.file.path`. */
  line?: number;
  process?: { auid?: string };
}

/** One AppArmor event. */
export interface EcsAppArmorDocument extends EcsBase {
  ecs: EcsVersionFields;
  event: EcsEventFields;
  host?: EcsHost;
  process?: EcsProcess;
  user?: EcsUser;
  file?: EcsFile;
  network?: EcsNetwork;
  source?: EcsSource;
  destination?: EcsDestination;
  rule?: EcsRule;
  log?: EcsLog;
  auditd: { log: AuditdLog };
  aalens: AalensEcsFields;
}

/** A line that looked like a record but could not be read. */
export interface EcsErrorDocument extends EcsBase {
  ecs: EcsVersionFields;
  event: EcsEventFields;
  error: EcsError;
  log: EcsLog;
  aalens: { line: number };
}

export interface EcsOptions {
  /** Add the log line as `event.original`. */
  original?: boolean;
  /** The processing time, for records without a time of their own (default: now). */
  now?: Date;
}

/** `event.action`: Filebeat's and go-libaudit's name for every AppArmor AVC record, whatever its mode. */
export function ecsAction(_mode: Mode | null): string {
  return VIOLATION_ACTION;
}

/** `event.outcome` per AppArmor mode: the access was refused, let through, or neither. */
export function ecsOutcome(mode: Mode | null): EcsEventOutcome {
  if (mode === "DENIED" || mode === "KILL") return "failure";
  if (mode === "ALLOWED" || mode === "AUDIT") return "success";
  return "unknown";
}

const FILE_CREATION = new Set(["mknod", "mkdir", "link", "symlink", "rename_dest"]);
const FILE_DELETION = new Set(["unlink", "rmdir"]);
const FILE_CHANGE = new Set(["chmod", "chown", "setattr", "truncate", "rename_src"]);
const FILE_LINK = new Set(["link", "symlink"]);
/** Socket operations in which the foreign address is the sender. */
const INBOUND = new Set(["recvmsg", "accept"]);

/**
 * `event.category` and `event.type` from the AppArmor class. Types are ones ECS expects with the
 * category (compile-checked through Categorization): ECS expects "denied"/"allowed" only with
 * network (and api, intrusion_detection), so for file and process events the verdict is in
 * `event.outcome`. Unknown classes get no categorization.
 */
export function ecsCategorization(kind: AppArmorKind, f: AppArmorFields, mode: Mode | null): Categorization | null {
  const op = f.operation ?? "";
  switch (kind) {
    case "file": {
      const mask = f.requested ?? f.denied ?? "";
      if (FILE_CREATION.has(op) || mask.includes("c")) return { category: "file", type: ["creation"] };
      if (FILE_DELETION.has(op) || mask.includes("d")) return { category: "file", type: ["deletion"] };
      if (FILE_CHANGE.has(op)) return { category: "file", type: ["change"] };
      return { category: "file", type: ["access"] };
    }
    case "exec":
      return { category: "process", type: ["start"] };
    case "network":
    case "unix": {
      const type: Array<ExpectedEventType<"network">> = [
        mode === "DENIED" || mode === "KILL" ? "denied" : mode === "ALLOWED" || mode === "AUDIT" ? "allowed" : "info",
      ];
      if (op === "connect" || op === "accept") type.push("connection");
      return { category: "network", type };
    }
    case "capability":
    case "ptrace":
    case "signal":
    case "dbus":
    case "mqueue":
    case "io_uring":
      return { category: "process", type: ["access"] };
    case "userns":
    case "change_profile":
    case "change_hat":
      return { category: "process", type: ["change"] };
    case "mount":
    case "remount":
    case "umount":
    case "pivot_root":
      return { category: "host", type: ["change"] };
    case "status":
      if (op === "profile_load") return { category: "configuration", type: ["creation"] };
      if (op === "profile_replace") return { category: "configuration", type: ["change"] };
      if (op === "profile_remove") return { category: "configuration", type: ["deletion"] };
      return { category: "configuration", type: ["info"] };
    case "unknown":
      return null;
  }
}

/** Values Filebeat's auditd pipeline drops. */
const EMPTY = new Set(["?", "(null)", ""]);
/** Keys that are safe as one Elasticsearch field name (no dots, nothing prototype-like). */
const KEY = /^[A-Za-z_][\w-]*$/;

function auditdLog(record: AuditRecord): AuditdLog {
  // Keys from the log: an object without members, so `__proto__` or `constructor` are plain keys.
  const log = newFields() as AuditdLog;
  const put = (map: Record<string, string>) => {
    for (const key in map) {
      const value = map[key]!;
      if (EMPTY.has(value) || !KEY.test(key) || key === "record_type" || key === "sequence") continue;
      log[key] = value;
    }
  };
  put(record.fields);
  if (record.msg !== null) put(record.msg);
  if (record.type !== null) log.record_type = record.type;
  const sequence = sequenceOf(record.auditId);
  if (sequence !== undefined) log.sequence = sequence;
  return log;
}

/** The serial of `"S.MS:SERIAL"`. */
function sequenceOf(auditId: string | null): number | undefined {
  if (auditId === null) return undefined;
  const serial = auditId.slice(auditId.indexOf(":") + 1);
  return /^\d+$/.test(serial) && Number.isSafeInteger(Number(serial)) ? Number(serial) : undefined;
}

const NUMERIC = /^\d+$/;

function endpoint(addr: string | undefined, port: number | undefined): { ip?: string; port?: number } | undefined {
  const e: { ip?: string; port?: number } = {};
  if (addr !== undefined && isIP(addr) !== 0) e.ip = addr;
  if (port !== undefined && port >= 0 && port <= 65535) e.port = port;
  return e.ip === undefined && e.port === undefined ? undefined : e;
}

/** `network.*`, and `source.*`/`destination.*` when both ends of an inet socket are known. */
function networkFields(f: AppArmorFields): Pick<EcsAppArmorDocument, "network" | "source" | "destination"> {
  const out: Pick<EcsAppArmorDocument, "network" | "source" | "destination"> = {};
  const inet = f.family === "inet" ? "ipv4" : f.family === "inet6" ? "ipv6" : undefined;
  if (inet === undefined) return out;
  const network: EcsNetwork = { type: inet };
  const proto = f.protocolName;
  if (proto !== undefined && proto !== "ip" && !proto.startsWith("unknown(")) network.transport = proto.toLowerCase();
  else if (f.sockType === "stream") network.transport = "tcp";
  else if (f.sockType === "dgram") network.transport = "udp";
  if (f.protocol !== undefined && f.protocol > 0) network.iana_number = String(f.protocol);
  out.network = network;
  const local = endpoint(f.localAddr, f.localPort);
  const foreign = endpoint(f.foreignAddr, f.foreignPort);
  if (local !== undefined && foreign !== undefined) {
    const inbound = INBOUND.has(f.operation ?? "");
    out.source = inbound ? foreign : local;
    out.destination = inbound ? local : foreign;
  }
  return out;
}

/** One readable line for `message`. */
function summary(view: AnalyzedEvent, pid: number | undefined, comm: string | undefined): string {
  const f = view.fields;
  const who = comm === undefined ? (pid === undefined ? "" : `pid ${pid}`) : pid === undefined ? comm : `${comm}[${pid}]`;
  const what = [f.operation, f.operation === view.kind ? undefined : view.kind, view.resource].filter((s) => s !== undefined && s !== "").join(" ");
  const ctx = [f.profile === undefined ? "" : `profile ${f.profile}`, who].filter((s) => s !== "").join(", ");
  return `AppArmor ${view.record.mode ?? "event"} ${what}${ctx === "" ? "" : ` (${ctx})`}`;
}

/**
 * Drop undefined members and the objects left empty, recursively (arrays are kept as they are).
 * The copies are ordinary objects, which JSON.stringify writes several times faster than objects
 * without a prototype; they only ever get aalens's own field names. An object that holds keys
 * from the log (`auditd.log`, made without a prototype so `__proto__` is a plain key) is kept as
 * it is: it has no undefined member to drop.
 */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    let kept: unknown = v;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      kept = Object.getPrototypeOf(v) === null ? v : compact(v);
      if (!hasMembers(kept as object)) continue;
    }
    // Never a prototype change, whatever a key is.
    if (k === "__proto__") Object.defineProperty(out, k, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[k] = kept;
  }
  return out as T;
}

function hasMembers(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** One AppArmor event as an ECS document. */
export function ecsDocument(view: AnalyzedEvent, options: EcsOptions = {}): EcsAppArmorDocument {
  const { record, fields: f, event: e } = view;
  const p = e.process;
  const raw = record.msg ?? record.fields;
  const hasSyscall = e.companions.some((c) => c.type === "SYSCALL");
  const pid = f.pid ?? p.pid;
  // The record's own comm; else the SYSCALL's (a USER_AVC's exe is the sender's, not the subject's).
  const comm = raw.comm ?? record.fields.comm ?? (hasSyscall ? p.comm : undefined);
  const mode = record.mode;
  const cat = ecsCategorization(view.kind, f, mode);

  const event: EcsEventFields = {
    kind: "event",
    module: ECS_MODULE,
    dataset: ECS_DATASET,
    action: ecsAction(mode),
    outcome: ecsOutcome(mode),
  };
  if (cat !== null) {
    event.category = [cat.category];
    event.type = [...cat.type];
  }
  if (f.info !== undefined && f.info !== "") event.reason = f.info;
  const sequence = sequenceOf(record.auditId ?? e.auditId);
  if (sequence !== undefined) event.sequence = sequence;
  if (options.original === true && view.text !== "") event.original = view.text;

  const proc: EcsProcess = {
    pid,
    parent: p.ppid === undefined ? undefined : { pid: p.ppid },
    name: comm,
    executable: p.exe,
    command_line: p.cmdline,
    working_directory: p.cwd,
  };

  const user: EcsUser = {};
  if (p.uid !== undefined && p.uid !== "") {
    if (NUMERIC.test(p.uid)) user.id = p.uid;
    else user.name = p.uid;
  }

  let file: EcsFile | undefined;
  if ((view.kind === "file" || view.kind === "exec") && f.name !== undefined) {
    file = { path: f.name };
    if (f.target !== undefined && FILE_LINK.has(f.operation ?? "")) file.target_path = f.target;
    const ouid = raw.ouid;
    if (ouid !== undefined && ouid !== "") {
      if (NUMERIC.test(ouid)) file.uid = ouid;
      else file.owner = ouid;
    }
  }

  const host = record.host ?? e.host;
  const aalens: AalensEcsFields = {
    class: view.kind,
    resource: view.resource,
    rule: view.rule ?? undefined,
    pasta: { operation: view.pastaStep ?? undefined, caller: view.caller ?? undefined },
    line: record.line,
    process: { auid: p.auid },
  };

  return compact<EcsAppArmorDocument>({
    "@timestamp": record.time ?? e.time ?? (options.now ?? new Date()).toISOString(),
    ecs: { version: ECS_VERSION },
    message: summary(view, pid, comm),
    event,
    host: host === null ? undefined : { name: host },
    process: proc,
    user,
    file,
    ...networkFields(f),
    rule: f.profile === undefined ? undefined : { name: f.profile },
    log: { file: { path: record.source } },
    auditd: { log: auditdLog(record) },
    aalens,
  });
}

/** The error a skipped line is reported as (`error.type`). */
export class UnparsedLineError extends Error {
  override name = "UnparsedLineError";
}

/**
 * A line that looked like a record but was not turned into one, as an ECS error document:
 * `event.kind: "pipeline_error"`, `error.type`/`error.message` through ecs-helpers' formatError
 * (no stack trace: it would be aalens' own), `event.original` the line's excerpt (never the
 * whole line), `log.file.path` the input and `aalens.line` the line number (ECS has no field
 * for a line number in a log file; Filebeat's `log.offset` is a byte offset and not ECS).
 */
export function ecsErrorDocument(skipped: Skipped, options: Pick<EcsOptions, "now"> = {}): EcsErrorDocument {
  const err = new UnparsedLineError(skipped.message);
  err.stack = undefined;
  const formatted: { error?: EcsError } = {};
  ecsHelpers.formatError(formatted, err);
  return compact<EcsErrorDocument>({
    "@timestamp": (options.now ?? new Date()).toISOString(),
    ecs: { version: ECS_VERSION },
    message: `${skipped.source}:${skipped.line}: ${skipped.message}`,
    event: { kind: "pipeline_error", module: ECS_MODULE, dataset: ECS_DATASET, original: skipped.excerpt, reason: skipped.code },
    error: formatted.error ?? { type: err.name, message: err.message },
    log: { file: { path: skipped.source } },
    aalens: { line: skipped.line },
  });
}

/** One document as an NDJSON line. */
export function ecsLine(doc: object): string {
  return jsonText(doc) + "\n";
}
