/**
 * Denial groups fold the pid of a `/proc/PID/` path: a daemon that reads its own /proc entry on
 * every run is one denial however many pids it had, so such paths cannot fill the group limit and
 * push really distinct denials into the overflow line. Pids and literal lines stay in the group.
 */
import { describe, expect, it } from "vitest";
import { Collector, MAX_GROUPS } from "../src/analysis/collector.js";
import { groupResource } from "../src/analysis/group-resource.js";
import { parseLine } from "../src/parse/parse-line.js";
import type { DenialGroup } from "../src/analysis/state.js";

const avc = (serial: number, name: string, pid: number, profile = "/usr/sbin/chronyd") =>
  `type=AVC msg=audit(1732861503.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" operation="open" profile="${profile}" name="${name}" pid=${pid} comm="chronyd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;

function collect(lines: string[]): Collector {
  const c = new Collector();
  lines.forEach((text, i) => c.record(parseLine({ source: "audit.log", line: i + 1, text })!.record!, text));
  return c;
}

const find = (groups: DenialGroup[], resource: string) => groups.filter((g) => g.resource === resource);

describe("denial groups of /proc/PID paths", () => {
  it("writes the pid as @{pid} and a task id as @{tid}, and leaves every other path alone", () => {
    expect(groupResource("/proc/40166/loginuid")).toBe("/proc/@{pid}/loginuid");
    expect(groupResource("/proc/1")).toBe("/proc/@{pid}");
    expect(groupResource("/proc/24817/task/24820/comm")).toBe("/proc/@{pid}/task/@{tid}/comm");
    expect(groupResource("/proc/self/task/77/stat")).toBe("/proc/self/task/@{tid}/stat");
    for (const same of ["/proc/sys/kernel/ngroups_max", "/proc/12ab/x", "/proc/self/mounts", "/tmp/proc/12/x", "/home/u/proc/1", "capability sys_admin", "", "/"]) {
      expect(groupResource(same)).toBe(same);
    }
  });

  it("counts one daemon's reads of its own /proc entry as one group, with the pids and literal lines", () => {
    const lines = [40166, 40201, 40388, 40390].map((pid, i) => avc(3800 + i, `/proc/${pid}/loginuid`, pid));
    lines.push(avc(3810, "/proc/40400/cmdline", 40400));
    const groups = collect(lines).state().denials;
    const [loginuid] = find(groups, "/proc/@{pid}/loginuid");
    expect(loginuid).toMatchObject({ count: 4, pids: [40166, 40201, 40388, 40390] });
    expect(loginuid!.examples[0]!.excerpt).toContain('name="/proc/40166/loginuid"');
    expect(find(groups, "/proc/@{pid}/cmdline")).toHaveLength(1);
    expect(groups).toHaveLength(2);
  });

  it("keeps a distinct denial in a group of its own after more /proc pids than the group limit", () => {
    const lines: string[] = [];
    for (let i = 0; i < MAX_GROUPS + 2000; i++) lines.push(avc(5000 + i, `/proc/${100000 + i}/loginuid`, 100000 + i));
    lines.push(avc(900000, "/etc/chrony/chrony.keys", 1234));
    const groups = collect(lines).state().denials;
    expect(find(groups, "/proc/@{pid}/loginuid")[0]!.count).toBe(MAX_GROUPS + 2000);
    expect(find(groups, "/etc/chrony/chrony.keys")).toHaveLength(1);
    expect(groups.some((g) => g.resource.includes("more distinct resources"))).toBe(false);
  });

  it("folds the literal /proc groups of a state saved before, when merged", () => {
    const old = collect([avc(1, "/proc/1/x", 1)]).state();
    const literal = (pid: number): DenialGroup => ({ ...structuredClone(old.denials[0]!), resource: `/proc/${pid}/x`, pids: [pid] });
    old.denials = [literal(1), literal(2)];
    const merged = new Collector();
    merged.merge(old);
    expect(merged.state().denials.map((g) => [g.resource, g.count, g.pids])).toEqual([["/proc/@{pid}/x", 2, [1, 2]]]);
  });
});
