/**
 * A log value can never become policy. Every field that enters a rule is checked against the
 * grammar of its place; what does not fit gives no rule and an `invalid-field:<name>` reason.
 * Literals are escaped exactly (glob characters, hidden characters as the parser's `\xHH`), and
 * every printed rule is one statement of the intended kind — read back with the project's own
 * policy grammar, matched with the AARE engine, and compiled with the real apparmor_parser.
 */
import { describe, expect, it } from "vitest";
import { parsePolicy, type PolicyNode } from "../src/apparmor/policy/interpret.js";
import { compileAare } from "../src/apparmor/aare/match.js";
import { compileRules, findParser } from "../src/apparmor/validate.js";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";

let serial = 500;
const hex = (s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase();
function avc(body: string): string {
  serial++;
  return `type=AVC msg=audit(1764382380.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" ${body}`;
}

function analyse(lines: string[]) {
  const b = new Collector();
  lines.forEach((text, i) => {
    const r = parseLine({ source: "t", line: i + 1, text });
    if (r?.record) b.record(r.record, text);
  });
  return buildReport(b.state());
}

/** The one rule a denial gives, or the reason it gives none. */
function ruleOf(body: string): { rule?: string; reason?: string } {
  const report = analyse([avc(body)]);
  if (report.rules.length > 0) return { rule: report.rules[0]!.rule };
  return { reason: report.unmapped[0]?.reason ?? "" };
}

/** The rule read back by the policy grammar: exactly one rule node, no diagnostics. */
function statements(rule: string): Array<Extract<PolicyNode, { type: "rule" }>> {
  const ast = parsePolicy(`profile t {\n  ${rule}\n}\n`, "/t");
  expect(ast.diagnostics, rule).toEqual([]);
  const profile = ast.nodes.find((n) => n.type === "profile") as Extract<PolicyNode, { type: "profile" }>;
  return profile.body.filter((n): n is Extract<PolicyNode, { type: "rule" }> => n.type === "rule");
}

function oneStatement(rule: string, kind: string) {
  const list = statements(rule);
  expect(list, rule).toHaveLength(1);
  expect(list[0]!.rule.kind, rule).toBe(kind);
  return list[0]!.rule;
}

const parser = findParser();
const INJECT = "/** rwlkmix";

describe("fields checked against the grammar of their place", () => {
  const cases: Array<[string, string, string]> = [
    ["capname", `operation="capable" class="cap" profile="p" pid=1 comm="c" capability=12 capname="net_admin, ${INJECT}"`, "capname"],
    ["family", `operation="create" class="net" profile="p" pid=1 comm="c" family="inet, ${INJECT}," sock_type="raw" protocol=0 requested_mask="create" denied_mask="create"`, "family"],
    ["sock_type", `operation="create" class="net" profile="p" pid=1 comm="c" family="inet" sock_type="raw, ${INJECT}" protocol=0 requested_mask="create" denied_mask="create"`, "sock_type"],
    ["signal", `operation="signal" class="signal" profile="p" pid=1 comm="c" requested_mask="receive" denied_mask="receive" signal="kill) ${INJECT}, signal (set=term" peer="podman"`, "signal"],
    ["unix mask words", `operation="connect" class="net" family="unix" sock_type="stream" profile="p" pid=1 comm="c" requested_mask="connect, ${INJECT}" denied_mask="connect, ${INJECT}"`, "denied_mask"],
    ["a word that is no access (setsockopt)", `operation="setsockopt" class="net" family="unix" sock_type="stream" profile="p" pid=1 comm="c" requested_mask="setsockopt" denied_mask="setsockopt"`, "denied_mask"],
    ["ptrace mask", `operation="ptrace" class="ptrace" profile="p" pid=1 comm="c" requested_mask="read, ${INJECT}" denied_mask="read, ${INJECT}" peer="x"`, "denied_mask"],
    ["file mask", `operation="open" class="file" profile="p" name="/tmp/x" pid=1 comm="c" requested_mask="r, ${INJECT}" denied_mask="r, ${INJECT}" fsuid=0 ouid=0`, "denied_mask"],
    ["dbus bus", `operation="dbus_method_call" bus="system, ${INJECT}" path="/o" interface="org.x.Y" member="M" mask="send" name="org.x" label="p" peer_label="unconfined"`, "bus"],
    ["dbus member glob", `operation="dbus_method_call" bus="system" path="/o" interface="org.x.Y" member="*" mask="send" name="org.x" label="p" peer_label="unconfined"`, "member"],
    ["dbus interface alternation", `operation="dbus_method_call" bus="system" path="/o" interface="org.{a,b}.Y" member="M" mask="send" name="org.x" label="p" peer_label="unconfined"`, "interface"],
    ["dbus name", `operation="dbus_method_call" bus="system" path="/o" interface="org.x.Y" member="M" mask="send" name="org.x peer=(label=**)" label="p" peer_label="unconfined"`, "name"],
    ["dbus path with a control character", `operation="dbus_method_call" bus="system" path=${hex("/o\n/x")} interface="org.x.Y" member="M" mask="send" name="org.x" label="p" peer_label="unconfined"`, "path"],
    ["mount fstype", `operation="mount" class="mount" profile="p" pid=1 comm="c" name="/mnt/" fstype="ext4 options=(rw) /** -> /**" flags="rw"`, "fstype"],
    ["mount flags", `operation="mount" class="mount" profile="p" pid=1 comm="c" name="/mnt/" fstype="ext4" flags="rw, ${INJECT}"`, "flags"],
  ];

  for (const [what, body, field] of cases) {
    it(`${what}: no rule, reason invalid-field:${field}`, () => {
      const r = ruleOf(body);
      expect(r.rule, r.rule).toBeUndefined();
      expect(r.reason).toMatch(new RegExp(`^invalid-field:${field}:`));
    });
  }
});

describe("literals escaped in every rule kind, one statement each", () => {
  it("a mount source the kernel hex-encoded (a user's own string) stays one quoted source", () => {
    const source = `x" -> /mnt/, ${INJECT}, mount "y`;
    const { rule } = ruleOf(`operation="mount" class="mount" profile="p" pid=1 comm="c" srcname=${hex(source)} name="/mnt/" fstype="ext4" flags="rw"`);
    expect(rule).toBe('mount fstype=ext4 options=(rw) "x\\" -> /mnt/, /\\*\\* rwlkmix, mount \\"y" -> /mnt/,');
    const m = oneStatement(rule!, "mount") as { source?: string };
    expect(compileAare(m.source!).test(source)).toBe(true);
  });

  it("glob characters in a path are literal: {a,b}, [a-z]*, ** match only themselves", () => {
    const name = "/tmp/{a,b}/[a-z]*/**";
    const { rule } = ruleOf(`operation="open" class="file" profile="p" name="${name}" pid=1 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1`);
    const parsed = oneStatement(rule!, "file") as { path: string };
    const m = compileAare(parsed.path);
    expect(m.test(name)).toBe(true);
    for (const other of ["/tmp/a/x/y", "/tmp/b/q/**", "/etc/shadow"]) expect(m.test(other), other).toBe(false);
  });

  it("a name holding the block marker or a newline stays one quoted path", () => {
    for (const name of ["/tmp/# END aalens", `/tmp/x\n# END aalens\n${INJECT},`]) {
      const { rule } = ruleOf(`operation="open" class="file" profile="p" name=${hex(name)} pid=1 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1`);
      expect(rule).not.toMatch(/\n/);
      const parsed = oneStatement(rule!, "file") as { path: string };
      expect(compileAare(parsed.path).test(name)).toBe(true);
    }
  });

  const hidden = "a\u202eb\u009b[2Jc\u0000d\u200be";
  const shown = "a\\xe2\\x80\\xaeb\\xc2\\x9b\\[2Jc\\x00d\\xe2\\x80\\x8be";
  const kinds: Array<[string, string, string]> = [
    ["ptrace peer", `operation="ptrace" class="ptrace" profile="p" pid=1 comm="c" requested_mask="read" denied_mask="read" peer=${hex(hidden)}`, "ptrace"],
    ["signal peer", `operation="signal" class="signal" profile="p" pid=1 comm="c" requested_mask="receive" denied_mask="receive" signal=term peer=${hex(hidden)}`, "signal"],
    ["unix peer address", `operation="connect" class="net" family="unix" sock_type="stream" profile="p" pid=1 comm="c" requested_mask="connect" denied_mask="connect" peer_addr=${hex(`@/tmp/${hidden}`)}`, "unix"],
    ["change_profile target", `operation="change_profile" class="file" profile="p" pid=1 comm="c" name=${hex(hidden)} target=${hex(hidden)}`, "change_profile"],
    ["file path", `operation="open" class="file" profile="p" name=${hex(`/tmp/${hidden}`)} pid=1 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1`, "file"],
  ];
  for (const [what, body, kind] of kinds) {
    it(`${what}: a hidden character is written as the parser's \\xHH escape, exactly`, () => {
      const { rule, reason } = ruleOf(body);
      expect(rule, reason).toBeDefined();
      expect(rule).toContain(shown);
      expect(rule).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
      oneStatement(rule!, kind);
    });
  }

  it.skipIf(parser === null)("every rule above compiles with apparmor_parser", () => {
    const rules = kinds.map(([, body]) => ruleOf(body).rule!);
    rules.push(ruleOf(`operation="mount" class="mount" profile="p" pid=1 comm="c" srcname=${hex(`x" -> /mnt/, ${INJECT}, mount "y`)} name="/mnt/" fstype="ext4" flags="rw"`).rule!);
    rules.push(ruleOf(`operation="open" class="file" profile="p" name=${hex("/tmp/{a,b}/[a-z]*/**")} pid=1 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1`).rule!);
    const result = compileRules(rules);
    expect(result.failures).toEqual([]);
  });
});
