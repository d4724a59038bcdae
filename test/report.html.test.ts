/**
 * `--format html`: one self-contained page to attach to a ticket, checked in a real headless
 * Chromium — rendered and screenshot, its DOM read after its script ran: the headline, the
 * timeline and the two charts, pasta incidents as cards, rule blocks with copy buttons, the
 * skipped-lines table; a hostile log value shows as text and never runs; nothing is fetched.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aalens } from "./helpers/cli.js";

const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);

/** Outside CI a machine without a browser skips the rendering checks; CI installs Chromium, so there they run. */
const NO_BROWSER = CHROMIUM === undefined && process.env.CI === undefined;

const HOSTILE = `/tmp/"><script>document.title='PWNED'</script><img src=x onerror="document.title='PWNED2'">`;
const hex = Buffer.from(HOSTILE).toString("hex").toUpperCase();

let dir: string;
let html: string;
let dom: string;
let page: string;

function chromium(args: string[]) {
  return spawnSync(CHROMIUM!, ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--user-data-dir=${join(dir, "profile")}`, ...args], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aalens-html-"));
  for (const f of ["audit.log", "journal-short.txt", "kern.log"]) copyFileSync(join("samples", f), join(dir, f));
  writeFileSync(
    join(dir, "hostile.log"),
    [
      `type=AVC msg=audit(1764382400.100:9901): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/victim" name=${hex} pid=4242 comm="victim" requested_mask="r" denied_mask="r" fsuid=1000 ouid=0`,
      // A record cut short: kept with a warning, a row of the skipped-lines table.
      `type=AVC msg=audit(1764382400.200:9902): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/victim" name="/etc/x`,
    ].join("\n") + "\n",
  );
  page = join(dir, "report.html");
  const r = aalens(["analyze", "--format", "html", "--no-policy", "-o", page, dir]);
  expect(r.status, r.stderr).toBe(0);
  html = readFileSync(page, "utf8");
  if (!NO_BROWSER) dom = chromium(["--virtual-time-budget=3000", "--dump-dom", `file://${page}`]).stdout;
});

describe("the HTML report", () => {
  it("is one file that fetches nothing: no external source, and a policy that forbids any", () => {
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:">/);
    expect(html).not.toMatch(/<[^>]*\s(?:src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("draws the timeline over the bulk of the denials: one far from the rest is counted beside it, not squeezing every bar", () => {
    const log = join(dir, "timeline", "audit.log");
    mkdirSync(join(dir, "timeline"));
    const at = (t: number, i: number) => `type=AVC msg=audit(${t}.000:${50_000 + i}): apparmor="DENIED" operation="open" class="file" profile="/usr/bin/t" name="/srv/t${i}" pid=${i + 1} comm="t" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`;
    // 300 denials over an hour on 2025-11-29, and one a year before (an old rotated file).
    const lines = [at(1732838400, 0), ...Array.from({ length: 300 }, (_, i) => at(1764374400 + i * 12, i + 1))];
    writeFileSync(log, lines.join("\n") + "\n");
    const page = aalens(["analyze", "--format", "html", "--utc", "--no-policy", log]).stdout;
    const figure = /<figure id="timeline">[\s\S]*?<\/figure>/.exec(page)![0];
    expect(figure).toContain("outside this window, far from the rest: 1 denial before, 0 denials after");
    expect(figure).toContain(">2025-11-29 00:00<");
    expect(figure).toContain(">2025-11-29 00:59<");
    // The hour fills the bins: more than 40 of the 60 have a bar.
    const heights = [...figure.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights.length).toBeGreaterThan(40);
  });

  it.skipIf(NO_BROWSER)("renders in Chromium: a screenshot of the page", () => {
    const png = join(dir, "report.png");
    const r = chromium(["--window-size=1200,3000", `--screenshot=${png}`, `file://${page}`]);
    expect(existsSync(png), r.stderr).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(bytes.length).toBeGreaterThan(20_000);
  });

  it.skipIf(NO_BROWSER)("has the headline, the timeline and both charts in the rendered DOM", () => {
    expect(dom).toContain('data-script="ran"'); // its own script ran (the policy admits it by hash)
    const section = (id: string) => new RegExp(`<section id="${id}">[\\s\\S]*?</section>`).exec(dom)?.[0] ?? "";
    expect(section("headline")).toMatch(/<span class="sev sev-error">error<\/span><b>symlink-profile<\/b>/);
    expect(section("headline")).toMatch(/rules? to add in \d+ files?/);
    for (const id of ["timeline", "top-profiles", "top-operations"]) {
      const figure = new RegExp(`<figure id="${id}">[\\s\\S]*?</figure>`).exec(dom)?.[0] ?? "";
      expect(figure, id).toContain("<svg");
      expect((figure.match(/<rect /g) ?? []).length, id).toBeGreaterThan(2);
    }
    expect(section("charts")).toContain("/usr/bin/victim");
  });

  it.skipIf(NO_BROWSER)("shows pasta incidents as cards with their fix, rule blocks with copy buttons, and the skipped lines", () => {
    expect((dom.match(/<div class="card incident">/g) ?? []).length).toBeGreaterThan(3);
    expect(dom).toContain("@{run}/user/@{uid}/** rw,");
    const buttons = dom.match(/<button type="button" data-copy="([^"]+)">Copy<\/button>/g) ?? [];
    expect(buttons.length).toBeGreaterThan(5);
    // Every button copies a block that exists.
    for (const b of buttons) expect(dom).toContain(`<pre id="${/data-copy="([^"]+)"/.exec(b)![1]}">`);
    expect(/<section id="skipped">[\s\S]*?<\/section>/.exec(dom)![0]).toMatch(/<code>unterminated-quote<\/code>|<code>truncated/);
  });

  it.skipIf(NO_BROWSER)("shows a hostile log value as text: no markup of it runs or becomes an element", () => {
    expect(dom).toContain("<title>aalens report</title>");
    expect(dom).not.toContain("PWNED</title>");
    expect((dom.match(/<script[\s>]/g) ?? []).length).toBe(1);
    expect(dom).not.toMatch(/<img[\s>]/);
    expect(dom).toContain("&lt;script&gt;document.title='PWNED'&lt;/script&gt;&lt;img src=x onerror=");
  });
});
