/**
 * `rules --write-local` against an attacker who shapes log values and plants files: the managed
 * block cannot be broken from a log, a second run gives the same bytes and the file compiles with
 * the profile that includes it; links, FIFOs and planted names are never written through; every
 * profile gets a file of its own; a name too long is refused and the others are still written.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findParser } from "../src/apparmor/validate.js";
import { profileOfLocalName } from "../src/apparmor/local/file-name.js";
import { aalens } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aalens-write-local-"));
const hex = (s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase();
let serial = 700;
function log(name: string, lines: Array<{ profile: string; path: string }>): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.map(({ profile, path: p }) => {
    serial++;
    return `type=AVC msg=audit(1764382380.${serial % 1000}:${serial}): apparmor="DENIED" operation="open" class="file" profile=${hex(profile)} name=${hex(p)} pid=1 comm="c" requested_mask="r" denied_mask="r" fsuid=0 ouid=1\n`;
  }).join(""));
  return path;
}

describe("rules --write-local", () => {
  it("cannot be broken by a log value holding the block markers: two runs, the same bytes, and it compiles", () => {
    const dir = join(tmp, "markers");
    const input = log("markers.log", [
      { profile: "pasta", path: "/tmp/# END aalens" },
      { profile: "pasta", path: "/tmp/x\n# END aalens\n/** rwlkmix," },
      { profile: "pasta", path: "/tmp/# BEGIN aalens" },
      { profile: "# END aalens", path: "/srv/a" },
    ]);
    expect(aalens(["rules", "--no-policy", "--write-local", dir, input]).status).toBe(0);
    writeFileSync(join(dir, "pasta"), "# mine\n/srv/mine r,\n" + readFileSync(join(dir, "pasta"), "utf8") + "# after\n");
    const once = readFileSync(join(dir, "pasta"), "utf8");
    expect(aalens(["rules", "--no-policy", "--write-local", dir, input]).status).toBe(0);
    const twice = readFileSync(join(dir, "pasta"), "utf8");
    expect(twice).toBe(once);
    const lines = twice.split("\n");
    expect(lines.filter((l) => l === "# BEGIN aalens")).toHaveLength(1);
    expect(lines.filter((l) => l === "# END aalens")).toHaveLength(1);
    expect(twice.startsWith("# mine\n/srv/mine r,\n# BEGIN aalens\n")).toBe(true);
    expect(twice.endsWith("# END aalens\n# after\n")).toBe(true);
    const parser = findParser();
    if (parser !== null) {
      // The profile that reads it: <local/pasta> resolves under the -I directory that holds local/.
      const inc = join(tmp, "inc");
      mkdirSync(inc, { recursive: true });
      if (!existsSync(join(inc, "local"))) symlinkSync(dir, join(inc, "local"));
      const profile = join(tmp, "markers-profile");
      writeFileSync(profile, "abi <abi/3.0>,\nprofile pasta /usr/bin/pasta {\n  include if exists <local/pasta>\n}\n");
      const c = spawnSync(parser, ["-Q", "-K", "-T", "-I", inc, profile], { encoding: "utf8" });
      expect(c.status, c.stderr).toBe(0);
    }
  });

  it("never writes through a symbolic link or into a FIFO planted at the target, and writes the other files", () => {
    const dir = join(tmp, "planted");
    mkdirSync(dir);
    const secret = join(tmp, "secret");
    writeFileSync(secret, "root:secret\n");
    chmodSync(secret, 0o600);
    symlinkSync(secret, join(dir, "victim"));
    spawnSync("mkfifo", [join(dir, "fifo")]);
    const input = log("planted.log", [
      { profile: "victim", path: "/srv/v" },
      { profile: "fifo", path: "/srv/f" },
      { profile: "good", path: "/srv/g" },
    ]);
    const r = spawnSync(process.execPath, [join(import.meta.dirname, "../dist/src/cli/main.js"), "rules", "--no-policy", "--write-local", dir, input], { encoding: "utf8", timeout: 20_000 });
    expect(r.signal).toBeNull(); // no hang on the FIFO
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/victim: a symbolic link, not a regular file/);
    expect(r.stderr).toMatch(/fifo: not a regular file|fifo: a FIFO/);
    expect(readFileSync(secret, "utf8")).toBe("root:secret\n");
    expect(lstatSync(join(dir, "victim")).isSymbolicLink()).toBe(true);
    expect(statSync(join(dir, "good")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, "good"), "utf8")).toContain("/srv/g r,");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("keeps an existing file's mode", () => {
    const dir = join(tmp, "mode");
    mkdirSync(dir);
    writeFileSync(join(dir, "kept"), "# admin\n");
    chmodSync(join(dir, "kept"), 0o600);
    expect(aalens(["rules", "--no-policy", "--write-local", dir, log("mode.log", [{ profile: "kept", path: "/srv/k" }])]).status).toBe(0);
    expect(statSync(join(dir, "kept")).mode & 0o777).toBe(0o600);
  });

  it("gives distinct profiles distinct files, each naming its profile back", () => {
    const dir = join(tmp, "distinct");
    const profiles = ["foo bar", "foo_bar", "/usr/bin/foo", "usr.bin.foo", "..", "/", "/foo", "foo"];
    const r = aalens(["rules", "--no-policy", "--write-local", dir, log("distinct.log", profiles.map((profile, i) => ({ profile, path: `/srv/p${i}` })))]);
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(profiles.length);
    expect(files.map(profileOfLocalName).sort()).toEqual([...profiles].sort());
    for (const f of files) expect(f).not.toMatch(/^\.\.?$|\//);
    profiles.forEach((profile, i) => {
      const file = files.find((f) => profileOfLocalName(f) === profile)!;
      expect(readFileSync(join(dir, file), "utf8")).toContain(`/srv/p${i} r,`);
    });
  });

  it("refuses a profile name too long for a file name, with the reason, and writes the others", () => {
    const dir = join(tmp, "long");
    const long = "p".repeat(300);
    const r = aalens(["rules", "--no-policy", "--write-local", dir, log("long.log", [{ profile: long, path: "/srv/l" }, { profile: "short", path: "/srv/s" }])]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not written: profile p+…?: the profile name is too long for a file name \(300 bytes, at most 255\)/);
    expect(readdirSync(dir)).toEqual(["short"]);
  });

  it("cleans profile names on stderr", () => {
    const dir = join(tmp, "stderr");
    const r = aalens(["rules", "--no-policy", "--write-local", dir, log("stderr.log", [{ profile: "evil\u001b]0;PWNED\u0007\u202e", path: "/srv/e" }])]);
    expect(r.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(r.stderr).toContain("evil\\x1b]0;PWNED\\x07\\u202e");
  });
});
