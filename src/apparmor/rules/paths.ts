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

export function pathPattern(path: string): PathPattern {
  const rewrites: string[] = [];
  let p = escapeLiteral(path);

  const proc = /^\/proc\/(\d+)(?=\/|$)/.exec(p);
  if (proc) {
    p = "@{PROC}/@{pid}" + p.slice(proc[0].length);
    rewrites.push(`PID ${proc[1]} → @{pid} (a new one every run)`);
  } else if (p.startsWith("/proc/")) {
    p = "@{PROC}/" + p.slice(6);
  } else if (p === "/proc") p = "@{PROC}";

  // A task id is random by construction (the tunables have @{tid}).
  const task = /^(@\{PROC\}\/(?:@\{pid\}|self|thread-self)\/task\/)(\d+)(?=\/|$)/.exec(p);
  if (task) {
    p = task[1] + "@{tid}" + p.slice(task[0].length);
    rewrites.push(`task ${task[2]} → @{tid}`);
  }

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
