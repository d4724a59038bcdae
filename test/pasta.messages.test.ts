/**
 * Evidence without denials: the error lines of pasta, Podman and Buildah are read (also bare,
 * from a paste of pasta's stderr), each reported with its step, who ran pasta, what it most
 * likely means and what to collect next — and never turned into an incident or a rule.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aalens } from "./helpers/cli.js";
import type { PastaReport } from "../src/report/model.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-pasta-messages-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const pastaJson = (path: string) => JSON.parse(aalens(["pasta", "--format", "json", "--no-policy", path]).stdout) as PastaReport;

describe("pasta messages without denials", () => {
  const buildah = file(
    "buildah.txt",
    'STEP 2/3: RUN dnf -y install iproute\nError: building at STEP "RUN dnf -y install iproute": setup network: pasta failed with exit code 1:\nCouldn\'t open network namespace /proc/3026/ns/net: Permission denied\n',
  );

  it("Buildah's stderr alone: the step, the RUN step that ran pasta, and what to collect — no incident, no rule", () => {
    const p = pastaJson(buildah);
    expect(p.incidents).toEqual([]);
    expect(p.diagnoses).toEqual([]);
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]).toMatchObject({ step: "netns-open", source: buildah, line: 3, incident: null, caller: 'buildah RUN step "RUN dnf -y install iproute"' });
    expect(p.messages[0]!.text).toBe("Couldn't open network namespace /proc/3026/ns/net: Permission denied");
    expect(p.messages[0]!.collect.join("\n")).toMatch(/journalctl -k -g apparmor/);
    expect(p.messages[0]!.collect.join("\n")).toMatch(/ausearch -m AVC,USER_AVC/);
    const rules = aalens(["rules", "--no-policy", "--format", "json", buildah]);
    expect(JSON.parse(rules.stdout)).toEqual([]);
  });

  it("says so in the text report instead of \"no denials\"", () => {
    const r = aalens(["pasta", "--no-policy", buildah]);
    expect(r.stdout).toMatch(/no AppArmor denial of pasta, but its messages/);
    expect(r.stdout).toMatch(/netns-open — ran by buildah RUN step "RUN dnf -y install iproute"/);
    expect(r.stdout).toMatch(/collect:\n\s+journalctl -k -g apparmor --since -1h/);
  });

  it("reads pasta's bare stderr lines, which name neither pasta nor a namespace", () => {
    const bare = file(
      "bare.txt",
      [
        "Failed to open() /dev/net/tun: Permission denied",
        "Failed to remount /: Permission denied",
        "Couldn't write to /proc/self/uid_map: Operation not permitted",
        "time=\"2025-11-29T02:13:42Z\" level=error msg=\"rootless netns: kill network process: permission denied\"",
        "an ordinary line: Failed to open the door",
      ].join("\n") + "\n",
    );
    expect(pastaJson(bare).messages.map((m) => m.step)).toEqual(["tun-open", "sandbox-remount-root", "uid-map-write", "signal-receive"]);
  });

  it("a bind failure on an unprivileged port is not put down to net_bind_service", () => {
    const high = pastaJson(file("port.txt", "Failed to bind port 8080 (Address already in use) for option '-t 8080', exiting\n")).messages[0]!;
    expect(high.meaning).toMatch(/port 8080 is not privileged|That port is not privileged/);
    expect(high.meaning).toMatch(/net_bind_service is not the cause/);
    const low = pastaJson(file("low.txt", "Failed to bind port 80 (Permission denied) for option '-t 80', exiting\n")).messages[0]!;
    expect(low.meaning).not.toMatch(/not the cause/);
  });

  it("keeps a journal entry of pasta's own identifier, with its time in the collect command", () => {
    const entry = { __REALTIME_TIMESTAMP: "1764382422000000", _TRANSPORT: "syslog", SYSLOG_IDENTIFIER: "pasta", _COMM: "pasta", MESSAGE: "Couldn't get any nameserver address" };
    const p = pastaJson(file("journal.json", JSON.stringify(entry) + "\n"));
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]!.step).toBe("resolv-conf");
    expect(p.messages[0]!.collect[0]).toBe('journalctl -k -g apparmor --since "2025-11-29 02:12:42 UTC"');
    expect(p.messages[0]!.meaning).toMatch(/not a permission error/);
  });
});

describe("saved states", () => {
  it("merges a state saved before messages had a caller", () => {
    const log = file("old-state.txt", "Failed to open() /dev/net/tun: Permission denied\n");
    const path = join(dir, "old.json");
    expect(aalens(["analyze", "--no-policy", "--save-state", path, "--format", "json", log]).status).toBe(0);
    const state = JSON.parse(readFileSync(path, "utf8")) as { pasta: { messages: Array<Record<string, unknown>> } };
    expect(state.pasta.messages).toHaveLength(1);
    delete state.pasta.messages[0]!.caller;
    writeFileSync(path, JSON.stringify(state));
    const r = aalens(["merge", "--no-policy", "--format", "json", path]);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { pasta: PastaReport }).pasta.messages[0]).toMatchObject({ step: "tun-open", caller: null });
  });
});
