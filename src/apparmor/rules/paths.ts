/**
 * A denied path → the path pattern of a rule: the tunables' variables where a prefix is one of
 * theirs (`@{PROC}`, `@{pid}`, `@{sys}`, `@{run}`, `@{uid}`, `@{HOME}`), and a glob only for the
 * parts that are random by construction (a PID, a per-container UUID). Nothing else is widened.
 */
import { escapeLiteral } from "../aare/escape.js";

export interface PathPattern {
  /** The AARE pattern, escaped, with variables. */
  pattern: string;
  /** One short reason per rewrite, e.g. "PID → @{pid}". */
  rewrites: string[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Paths the kernel shows for namespace files: owned by root whoever opens them (no `owner`). */
export function isNsfsPath(path: string): boolean {
  return /^\/proc\/(?:\d+|self|thread-self)\/(?:task\/\d+\/)?ns\//.test(path) || /\/netns(?:\/|$)|\/netns-/.test(path);
}

/** A process's part of a /proc path: its pid, or self / thread-self, then optionally a task id. */
const PROC_IDS = /^\/proc\/(\d+|self|thread-self)(?:\/task\/(\d+))?(?=\/|$)/;

/** A /proc path with its process and task ids written as the tunables' @{pid} and @{tid}, and the ids replaced. */
export interface ProcFold {
  path: string;
  pid?: string;
  tid?: string;
}

/**
 * `/proc/PID/…` and `/proc/…/task/TID/…` with the ids, which are new every run, as `@{pid}` and
 * `@{tid}`, and `/proc` itself as `root`; undefined for any other path. Rules (`@{PROC}`) and
 * denial groups (`/proc`) fold the same ids.
 */
export function foldProcIds(path: string, root = "/proc"): ProcFold | undefined {
  if (!path.startsWith("/proc/")) return undefined;
  const m = PROC_IDS.exec(path);
  if (m === null) return undefined;
  const [whole, who, tid] = m;
  const pid = /^\d/.test(who!) ? who : undefined;
  const fold: ProcFold = { path: `${root}/${pid === undefined ? who : "@{pid}"}${tid === undefined ? "" : "/task/@{tid}"}${path.slice(whole!.length)}` };
  if (pid !== undefined) fold.pid = pid;
  if (tid !== undefined) fold.tid = tid;
  return fold;
}

export function pathPattern(path: string): PathPattern {
  const rewrites: string[] = [];
  let p = escapeLiteral(path);

  // Escaping leaves `/proc/`, digits, `self` and `/task/` as they are.
  const proc = foldProcIds(p, "@{PROC}");
  if (proc !== undefined) {
    p = proc.path;
    if (proc.pid !== undefined) rewrites.push(`PID ${proc.pid} → @{pid} (a new one every run)`);
    // A task id is random by construction (the tunables have @{tid}).
    if (proc.tid !== undefined) rewrites.push(`task ${proc.tid} → @{tid}`);
  } else if (p.startsWith("/proc/")) {
    p = "@{PROC}/" + p.slice(6);
  } else if (p === "/proc") p = "@{PROC}";

  if (p.startsWith("/sys/")) p = "@{sys}/" + p.slice(5);

  const runUser = /^\/(?:var\/)?run\/user\/(\d+)(?=\/|$)/.exec(p);
  if (runUser) {
    p = "@{run}/user/@{uid}" + p.slice(runUser[0].length);
    rewrites.push(`uid ${runUser[1]} → @{uid}`);
  } else {
    const run = /^\/(?:var\/)?run\//.exec(p);
    if (run) p = "@{run}/" + p.slice(run[0].length);
  }

  const home = /^\/home\/([^/]+)(?=\/)/.exec(p);
  if (home && !home[1]!.includes("\\")) {
    p = "@{HOME}" + p.slice(home[0].length);
    rewrites.push(`/home/${home[1]} → @{HOME}`);
  }

  const withoutUuid = p.replace(UUID, "*");
  if (withoutUuid !== p) {
    p = withoutUuid;
    rewrites.push("random UUID → * (a new one for every container)");
  }

  return { pattern: p, rewrites };
}
