/**
 * The resource a denial group is kept under. A path under `/proc/PID/` names a process that is
 * new every run: chronyd reading `/proc/40166/loginuid` every few seconds is one denial, not one
 * per pid, and kept apart such paths filled the group limit (10,000 groups on the bench's repeats
 * corpus, where the rules fold them into 125), so that later, really distinct denials were only
 * counted in an overflow line. The pid (and a task id) is written as the tunables' `@{pid}` and
 * `@{tid}`, as the suggested rule writes it; the group's pids and examples keep the literal ones.
 */
import { foldProcIds } from "../apparmor/rules/paths.js";

export function groupResource(resource: string): string {
  return foldProcIds(resource)?.path ?? resource;
}
