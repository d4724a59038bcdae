/**
 * Rule synthesis as a spec: variables where the tunables have them, globs only for parts that are
 * random by construction, never wider than the event, special characters escaped, owner only
 * with evidence, dangerous accesses flagged.
 */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import type { Mode } from "../src/parse/record.js";

let serial = 100;
/** An AVC line with the given key=value body (each gets its own audit id). */
function avc(body: string): string {
  serial++;
  return `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" ${body}`;
}

function rulesFor(lines: string[], modes: Mode[] = ["DENIED"]) {
  const b = new Collector({ modes: new Set(modes) });
  lines.forEach((text, i) => {
    const r = parseLine({ source: "t", line: i + 1, text });
    if (r?.record) b.record(r.record, text);
  });
  return buildReport(b.state()).rules;
}

const ruleTexts = (lines: string[]) => rulesFor(lines).map((r) => r.rule);

describe("file rules", () => {
  it("rewrite /proc/PID, /run/user/UID, /sys and /home/USER with the tunables' variables", () => {
    expect(ruleTexts([
      avc('operation="open" class="file" profile="p" name="/proc/4242/ns/net" pid=1 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000'),
      avc('operation="open" class="file" profile="p" name="/run/user/1000/app/sock" pid=1 comm="a" requested_mask="w" denied_mask="w" fsuid=1000 ouid=0'),
      avc('operation="open" class="file" profile="p" name="/sys/class/net/eth0/mtu" pid=1 comm="a" requested_mask="r" denied_mask="r" fsuid=0 ouid=1'),
      avc('operation="open" class="file" profile="p" name="/home/alice/.config/app.conf" pid=1 comm="a" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000'),
    ])).toEqual([
      "@{PROC}/@{pid}/ns/net r,",
      "@{run}/user/@{uid}/app/sock w,",
      "@{sys}/class/net/eth0/mtu r,",
      "owner @{HOME}/.config/app.conf r,",
    ]);
  });

  it("globs a per-container UUID, and nothing else of the name", () => {
    // (a profile of its own: pasta's profiles get upstream's rule for the step, see pasta.fix-rules)
    expect(ruleTexts([avc('operation="open" class="file" profile="app" name="/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f" pid=7 comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0')]))
      .toEqual(["@{run}/user/@{uid}/netns/netns-* r,"]);
  });

  it("does not widen a path that has no random part", () => {
    const rules = ruleTexts([avc('operation="open" class="file" profile="p" name="/etc/app/a-1.conf" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
      avc('operation="open" class="file" profile="p" name="/etc/app/a-2.conf" pid=1 comm="a" requested_mask="r" denied_mask="r"')]);
    expect(rules).toEqual(["/etc/app/a-1.conf r,", "/etc/app/a-2.conf r,"]);
  });

  it("merges the permissions of one path and folds create/delete into w", () => {
    const rules = ruleTexts([
      avc('operation="open" class="file" profile="p" name="/var/lib/app/db" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
      avc('operation="mknod" class="file" profile="p" name="/var/lib/app/db" pid=1 comm="a" requested_mask="c" denied_mask="c"'),
      avc('operation="file_lock" class="file" profile="p" name="/var/lib/app/db" pid=1 comm="a" requested_mask="k" denied_mask="k"'),
    ]);
    expect(rules).toEqual(["/var/lib/app/db rwk,"]);
  });

  it("uses the denied mask, not what was requested and already allowed", () => {
    expect(ruleTexts([avc('operation="open" class="file" profile="p" name="/srv/x" pid=1 comm="a" requested_mask="rw" denied_mask="w"')])).toEqual(["/srv/x w,"]);
  });

  it("gives owner only when every event had fsuid == ouid, and never for namespace files", () => {
    const same = 'fsuid=1000 ouid=1000';
    expect(ruleTexts([avc(`operation="open" class="file" profile="p" name="/srv/a" pid=1 comm="a" requested_mask="r" denied_mask="r" ${same}`)])).toEqual(["owner /srv/a r,"]);
    expect(ruleTexts([
      avc(`operation="open" class="file" profile="p" name="/srv/b" pid=1 comm="a" requested_mask="r" denied_mask="r" ${same}`),
      avc('operation="open" class="file" profile="p" name="/srv/b" pid=1 comm="a" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0'),
    ])).toEqual(["/srv/b r,"]);
    expect(ruleTexts([avc(`operation="open" class="file" profile="p" name="/proc/77/ns/net" pid=77 comm="a" requested_mask="r" denied_mask="r" ${same}`)])).toEqual(["@{PROC}/@{pid}/ns/net r,"]);
  });

  it("escapes glob characters and quotes spaces so the rule matches exactly the denied name", () => {
    const hex = Buffer.from('/tmp/we*ird [a] {b} "q" c.txt').toString("hex").toUpperCase();
    expect(ruleTexts([avc(`operation="open" class="file" profile="p" name=${hex} pid=1 comm="a" requested_mask="r" denied_mask="r"`)]))
      .toEqual(['"/tmp/we\\*ird \\[a\\] \\{b\\} \\"q\\" c.txt" r,']);
  });

  it("writes a control or bidi character from a log as the parser's \\xHH escape: exact, visible, one statement", () => {
    const hex = Buffer.from("/tmp/a\nb, /etc/shadow r\u202e*").toString("hex").toUpperCase();
    const [rule] = rulesFor([avc(`operation="open" class="file" profile="p" name=${hex} pid=1 comm="a" requested_mask="r" denied_mask="r"`)]);
    expect(rule!.rule).toBe('"/tmp/a\\x0ab, /etc/shadow r\\xe2\\x80\\xae\\*" r,');
    expect(rule!.rule).not.toMatch(/[\n\r\u202e]/);
  });

  it("execs become ix, and mmap's x is m", () => {
    expect(ruleTexts([
      avc('operation="exec" class="file" profile="p" name="/usr/bin/ip" pid=1 comm="a" requested_mask="x" denied_mask="x"'),
      avc('operation="file_mmap" class="file" profile="p" name="/usr/lib/libx.so" pid=1 comm="a" requested_mask="mx" denied_mask="mx"'),
    ])).toEqual(["/usr/bin/ip ix,", "/usr/lib/libx.so m,"]);
  });
});

describe("other classes", () => {
  it("capability, network, signal, ptrace, unix, mount, pivot_root", () => {
    expect(ruleTexts([
      avc('operation="capable" class="cap" profile="p" pid=1 comm="a" capability=12  capname="net_admin"'),
      avc('operation="create" class="net" profile="p" pid=1 comm="a" family="inet6" sock_type="dgram" protocol=17 requested="create" denied="create"'),
      avc('operation="signal" class="signal" profile="p" pid=1 comm="podman" requested_mask="receive" denied_mask="receive" signal=term peer="podman"'),
      avc('operation="ptrace" class="ptrace" profile="p" pid=1 comm="a" requested_mask="read" denied_mask="read" peer="unconfined"'),
      avc('operation="connect" class="unix" profile="p" pid=1 comm="a" family="unix" sock_type="stream" protocol=0 requested="send receive connect" denied="send receive connect" addr=none peer_addr="@/tmp/.X11-unix/X0" peer="unconfined"'),
      avc('operation="mount" class="mount" info="failed flags match" error=-13 profile="p" name="/" pid=1 comm="a" flags="rw, rprivate"'),
      avc('operation="pivotroot" class="mount" profile="p" name="/tmp/new/" pid=1 comm="a" srcname="/tmp/new/old/"'),
    ]).sort()).toEqual([
      "capability net_admin,",
      "network inet6 dgram,",
      "signal receive set=term peer=podman,",
      "ptrace read peer=unconfined,",
      "unix (connect, receive, send) type=stream peer=(label=unconfined, addr=@/tmp/.X11-unix/X0),",
      "mount options=(rprivate, rw) -> /,",
      "pivot_root oldroot=/tmp/new/old/ /tmp/new/,",
    ].sort());
  });

  it("makes no rule from an event that names no access (it would allow every access)", () => {
    const rules = rulesFor([avc('operation="ptrace" profile="/usr/bin/pidgin" pid=21704 comm="pidgin" peer="unconfined"')]);
    expect(rules).toEqual([]);
  });
});

describe("dangerous denials", () => {
  it("are flagged with a warning instead of proposed", () => {
    const rules = rulesFor([
      avc('operation="open" class="file" profile="p" name="/etc/shadow" pid=1 comm="a" requested_mask="w" denied_mask="w"'),
      avc('operation="capable" class="cap" profile="p" pid=1 comm="a" capability=16  capname="sys_module"'),
      avc('operation="ptrace" class="ptrace" profile="p" pid=1 comm="a" requested_mask="trace" denied_mask="trace" peer="unconfined"'),
      avc('operation="open" class="file" profile="p" name="/etc/hostname" pid=1 comm="a" requested_mask="r" denied_mask="r"'),
    ]);
    const warned = Object.fromEntries(rules.map((r) => [r.rule, r.warning !== undefined]));
    expect(warned).toEqual({ "/etc/shadow w,": true, "capability sys_module,": true, "ptrace trace peer=unconfined,": true, "/etc/hostname r,": false });
  });
});

describe("what a rule covers", () => {
  it("counts, times, comms, pids and the literal objects behind a generalised rule", () => {
    const [rule] = rulesFor([1, 2, 3].map((i) => avc(`operation="open" class="file" profile="passt" name="/run/user/1000/netns/netns-0000000${i}-aaaa-4bbb-8ccc-123456789abc" pid=${i} comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`)));
    expect(rule!.covers.count).toBe(3);
    expect(rule!.covers.pids).toEqual([1, 2, 3]);
    expect(rule!.covers.comms).toEqual(["pasta"]);
    expect(rule!.covers.objects).toHaveLength(3);
    expect(rule!.reason).toMatch(/random UUID/);
  });
});
