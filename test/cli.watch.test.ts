/**
 * `aalens watch` on real files: new denials printed as they are appended, repeats folded, a
 * summary on SIGINT, and a restart from the saved state that shows only what is new.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-watch-"));
const avc = (serial: number, name: string, at = 1764382380) =>
  `type=AVC msg=audit(${at}.${String(serial % 1000).padStart(3, "0")}:${serial}): apparmor="DENIED" operation="open" class="file" profile="passt" name="${name}" pid=${serial} comm="pasta" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0\n`;

function start(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [CLI, "watch", "--poll-ms", "30", ...args], { cwd: ROOT });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  const done = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  child.kill("SIGINT");
  return done;
}

describe("aalens watch", () => {
  it("prints appended denials once, folds repeats, summarises on SIGINT and resumes from its state", async () => {
    const log = join(dir, "audit.log");
    const state = join(dir, "state.json");
    writeFileSync(log, avc(1, "/old/before-start")); // before start: not shown without --from-start
    const w = start(["--state", state, log]);
    await until(() => w.err().includes("watching"), "start");
    appendFileSync(log, avc(2, "/dev/net/tun") + avc(3, "/dev/net/tun") + avc(40, "/proc/2401/loginuid") + avc(41, "/proc/2402/loginuid") + avc(4, "/run/user/1000/netns/netns-5d1f7c2e-3b4a-4c1d-9e8f-0a1b2c3d4e5f"));
    await until(() => w.out().includes("netns-5d1f"), "the third denial");
    expect(await stop(w.child)).toBe(0);
    const out = w.out();
    expect(out).not.toContain("/old/before-start");
    expect(out.match(/DENIED open \/dev\/net\/tun/g)).toHaveLength(1); // the repeat is folded
    expect(out.match(/DENIED open \/proc\/\d+\/loginuid/g)).toEqual(["DENIED open /proc/2401/loginuid"]); // a new pid is a repeat too
    expect(out).toContain("[pasta netns-open, podman-container]");
    expect(out).toContain("@{run}/user/@{uid}/netns/netns-* r,");
    expect(w.err()).toMatch(/5 lines, 5 AppArmor events, 5 denials/);
    expect(JSON.parse(readFileSync(state, "utf8")).positions[log].line).toBe(6);

    // Written while aalens was not running: shown after the restart, and nothing twice.
    appendFileSync(log, avc(5, "/etc/resolv.conf"));
    const again = start(["--state", state, "--format", "json", log]);
    await until(() => again.out().includes("resolv.conf"), "the denial written while stopped");
    appendFileSync(log, avc(6, "/proc/sys/net/ipv4/ip_local_port_range"));
    await until(() => again.out().includes("ip_local_port_range"), "a new denial after the restart");
    await stop(again.child);
    const rows = again.out().trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.resource)).toEqual(["/etc/resolv.conf", "/proc/sys/net/ipv4/ip_local_port_range"]);
    expect(rows[1]).toMatchObject({ pastaOperation: "sysctl-read", line: 8 });
  }, 30_000);

  it("prints every denial of a batch that holds hostile lines, and keeps running", async () => {
    const log = join(dir, "hostile.log");
    writeFileSync(log, "");
    const w = start([log]);
    await until(() => w.err().includes("watching"), "start");
    const hostile = [
      'type=AVC msg=audit(8640000000001.000:2): apparmor="DENIED" operation="open" profile="x" pid=1',
      'type=AVC msg=audit(1764382381.001:900): apparmor="DENIED" operation="open" profile="p" constructor=1 toString= hasOwnProperty= valueOf= __proto__= name="/proto"',
      'type=toString msg=audit(1764382381.002:901): apparmor="constructor" operation="open" profile="p"',
      "type=SYSCALL msg=audit(9999999999999.123:1): arch=c000003e",
    ];
    let batch = "";
    for (let i = 0; i < 10; i++) batch += avc(100 + i, `/srv/batch-${i}`) + (hostile[i % hostile.length]! + "\n");
    appendFileSync(log, batch);
    await until(() => w.out().includes("/srv/batch-9"), "the last denial of the batch");
    expect(await stop(w.child)).toBe(0);
    for (let i = 0; i < 10; i++) expect(w.out()).toContain(`/srv/batch-${i}`);
    expect(w.err()).not.toMatch(/\n\s+at |internal error/);
  }, 20_000);

  it("reports a corrupt state file and carries on without it", async () => {
    const log = join(dir, "corrupt.log");
    const state = join(dir, "corrupt-state.json");
    writeFileSync(log, "");
    writeFileSync(state, "{ this is not json");
    const w = start(["--state", state, log]);
    await until(() => w.err().includes("watching"), "start");
    expect(w.err()).toMatch(/corrupt-state\.json: unreadable state/);
    appendFileSync(log, avc(30, "/srv/after-corrupt-state"));
    await until(() => w.out().includes("/srv/after-corrupt-state"), "a denial after the corrupt state");
    expect(await stop(w.child)).toBe(0);
    expect(JSON.parse(readFileSync(state, "utf8")).format).toBe("aalens-watch-state");
  }, 30_000);

  it("prints the incident and the new rules once the denials settle", async () => {
    const log = join(dir, "settle.log");
    writeFileSync(log, "");
    const w = start(["--no-policy", log]);
    await until(() => w.err().includes("watching"), "start");
    appendFileSync(log, avc(20, "/run/user/1000/netns/netns-0f3e2d1c-aaaa-4bbb-8ccc-123456789abc") + avc(21, "/dev/net/tun"));
    await until(() => w.out().includes("── settled ──") && w.out().includes("/dev/net/tun rw,"), "the settled summary", 15_000);
    const settled = w.out().slice(w.out().indexOf("── settled ──"));
    expect(settled).toMatch(/incident 1: .*started by podman-container/);
    expect(settled).toMatch(/symlink-profile/);
    expect(settled).toContain("@{run}/user/@{uid}/netns/netns-* r,");
    expect(await stop(w.child)).toBe(0);
  }, 30_000);

  it("prints only what is new in each settled block, and checks the final summary against the policy as the blocks do", async () => {
    const log = join(dir, "twice.log");
    const policy = mkdtempSync(join(tmpdir(), "aalens-watch-policy-"));
    // The installed passt profile already allows the tun device: the rule is stale-profile, never "to add".
    writeFileSync(join(policy, "usr.bin.passt"), "profile passt /usr/bin/passt {\n  /dev/net/tun rw,\n}\n");
    writeFileSync(log, "");
    const w = start(["--profile-dir", policy, log]);
    await until(() => w.err().includes("watching"), "start");
    appendFileSync(log, avc(40, "/run/user/1000/netns/netns-0f3e2d1c-aaaa-4bbb-8ccc-123456789abc") + avc(41, "/dev/net/tun"));
    await until(() => (w.out().match(/── settled ──/g) ?? []).length === 1, "the first settled block", 15_000);
    // A second incident of the same cause, after the first has settled.
    appendFileSync(log, avc(60, "/run/user/1000/netns/netns-11111111-aaaa-4bbb-8ccc-123456789abc", 1764382380 + 600));
    await until(() => (w.out().match(/── settled ──/g) ?? []).length === 2, "the second settled block", 15_000);
    const [first, second] = w.out().split("── settled ──").slice(1) as [string, string];
    expect(first).toContain("[error] symlink-profile:");
    expect(first).toContain("# already allowed: /dev/net/tun rw,");
    // The cause is named again with its new incident, not explained again.
    expect(second).not.toContain("[error] symlink-profile:");
    expect(second).toMatch(/\[error\] symlink-profile again \(incident 2\): the fix above applies/);
    expect(await stop(w.child)).toBe(0);
    const summary = w.out().slice(w.out().lastIndexOf("── settled ──"));
    // The Ctrl-C summary: the same verdict as the settled block.
    expect(summary.slice(summary.indexOf("# aalens:"))).toContain("# already allowed: /dev/net/tun rw,");
    expect(summary.slice(summary.indexOf("# aalens:"))).not.toMatch(/^\/dev\/net\/tun rw,/m);
  }, 40_000);

  const remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"].find((p) => existsSync(p));
  it.skipIf(!remote || !existsSync("/usr/bin/journalctl"))("follows journal files through journalctl (skipped without journalctl and systemd-journal-remote)", async () => {
    const exportPath = join(dir, "host.export");
    const fields = (n: number, transport: string, message: string) =>
      `__CURSOR=c${n}\n__REALTIME_TIMESTAMP=${1764382500000000 + n}\n__MONOTONIC_TIMESTAMP=${1000 + n}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=tw\n_TRANSPORT=${transport}\nMESSAGE=${message}\n\n`;
    writeFileSync(exportPath, fields(1, "kernel", avc(7, "/dev/net/tun").trim().replace(/^type=AVC msg=/, "audit: type=1400 ")));
    const journal = join(dir, "host.journal");
    expect(spawnSync(remote!, ["-o", journal, exportPath]).status).toBe(0);
    const w = start(["--from-start", "--journal-file", journal]);
    await until(() => w.out().includes("/dev/net/tun"), "the journal's denial");
    expect(await stop(w.child)).toBe(0);
    expect(w.out()).toContain("[pasta tun-open]");
  }, 30_000);
});
