/**
 * The report as one self-contained HTML file, to attach to a ticket: the headline, a timeline of
 * denials per profile, the top profiles and operations as charts, pasta incidents as cards with
 * their fix, the rule blocks with a copy button, and the skipped-lines table.
 *
 * Nothing is fetched when it is viewed: styles and charts (SVG) are inline, and a Content
 * Security Policy forbids every other source. Log text is attacker-controlled: every value goes
 * through htmlText (entities for & < > " ', control characters made visible), and the policy
 * lets only the one script below run, by its hash — markup that slipped through could not run.
 */
import { createHash } from "node:crypto";
import type { AnalyzeReport, ReasonCount } from "./model.js";
import type { TimelineState } from "../analysis/timeline.js";
import { htmlText as h } from "./text-safety.js";
import { renderProfileRules, reportTarget } from "./apparmor.js";
import { DEFAULT_TOP, denialTotal, denialsByProfile, plural, rulesByProfile } from "./by-profile.js";
import { displayTime, type Zone } from "./time-format.js";
import { installedLine } from "../pasta/diagnose.js";

export interface HtmlOptions {
  zone: Zone;
  /** Entries per list (--top). */
  top?: number;
  /** When the report was made (default now). */
  now?: Date;
}

/** Copy buttons: the clipboard when the browser allows it (not always for file://), else the block is selected. */
const SCRIPT = `document.documentElement.dataset.script = "ran";
for (const b of document.querySelectorAll("button[data-copy]")) {
  b.addEventListener("click", () => {
    const block = document.getElementById(b.dataset.copy);
    const select = () => { const r = document.createRange(); r.selectNodeContents(block); const s = getSelection(); s.removeAllRanges(); s.addRange(r); b.textContent = "Selected: press Ctrl-C"; };
    if (navigator.clipboard) navigator.clipboard.writeText(block.textContent).then(() => { b.textContent = "Copied"; }, select); else select();
  });
}`;
const SCRIPT_HASH = createHash("sha256").update(SCRIPT).digest("base64");

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #1d1d1f; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #555; } code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; white-space: pre; border-radius: 4px; }
.cause { margin: 0.5em 0; } .first { margin-left: 1.5em; color: #333; }
.sev { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 3px; color: #fff; font-size: 0.85em; padding: 0 0.4em; margin-right: 0.4em; }
.sev-error { background: #c62828; } .sev-warning { background: #ef6c00; } .sev-info { background: #1565c0; }
.card { border: 1px solid #ddd; border-left: 4px solid #c62828; border-radius: 4px; padding: 0.6em 1em; margin: 1em 0; }
.card h3 { margin: 0.2em 0; font-size: 1.05em; } .steps li.fatal { color: #c62828; font-weight: 600; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; } figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
button { font: inherit; cursor: pointer; } .more { color: #555; font-style: italic; }
.legend span { display: inline-block; margin-right: 1em; } .legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; }
`;

const PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#9e9d24", "#757575"];

function more(shown: number, all: number, what: string): string {
  return all > shown ? `<p class="more">… and ${plural(all - shown, `more ${what}`)} (all in the JSON report)</p>` : "";
}

// ---- charts (inline SVG) --------------------------------------------------------------------

/** Horizontal bars, one per [label, value], the largest first. */
function barChart(id: string, title: string, rows: Array<[string, number]>, total: number): string {
  if (rows.length === 0) return "";
  const max = Math.max(...rows.map(([, n]) => n));
  const rowH = 22;
  const labelW = 330;
  const barW = 560;
  const bars = rows
    .map(([label, n], i) => {
      const w = Math.max(1, Math.round((n / max) * barW));
      const y = i * rowH;
      return `<g class="bar"><text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${h(shortLabel(label))}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${PALETTE[0]}"><title>${h(label)}: ${n}</title></rect><text x="${labelW + w + 4}" y="${y + 15}">${n.toLocaleString("en-US")}</text></g>`;
    })
    .join("");
  return `<figure id="${id}"><svg role="img" aria-label="${h(title)}" width="${labelW + barW + 80}" height="${rows.length * rowH}" font-size="12" font-family="ui-monospace, monospace">${bars}</svg><figcaption>${h(title)} (${plural(total, "denial")} in all)</figcaption></figure>`;
}

/** A label that fits the chart's left column; the full value is in the bar's tooltip. */
function shortLabel(label: string): string {
  return label.length <= 44 ? label : `${label.slice(0, 20)}…${label.slice(-23)}`;
}

const BUCKET_SUFFIX: Record<TimelineState["unit"], string> = { minute: ":00Z", hour: ":00:00Z", day: "T00:00:00Z" };

/** Denials per time bin, stacked by profile (the top profiles, the rest as "other"). */
function timelineChart(t: TimelineState, zone: Zone): string {
  const points: Array<{ profile: string; at: number; n: number }> = [];
  for (const s of t.series) for (const [k, n] of s.counts) {
    const at = Date.parse(k + BUCKET_SUFFIX[t.unit]);
    if (!Number.isNaN(at)) points.push({ profile: s.profile, at, n });
  }
  if (points.length === 0) return `<p class="more">No denial had a time: no timeline.</p>`;
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.profile, (totals.get(p.profile) ?? 0) + p.n);
  const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, PALETTE.length - 1).map(([p]) => p);
  const laneOf = (profile: string) => (top.includes(profile) ? top.indexOf(profile) : top.length);
  const lanes = top.length + (totals.size > top.length ? 1 : 0);
  // The window holds the bulk of the denials: a few far from the rest (an old rotated file, a
  // clock that was wrong) would squeeze every other bar into one; those are counted beside it.
  const { min, max } = bulkWindow(points);
  const bins = 60;
  const span = Math.max(1, max - min + 1);
  const counts = Array.from({ length: bins }, () => new Array<number>(lanes).fill(0));
  let before = 0;
  let after = 0;
  for (const p of points) {
    if (p.at < min) before += p.n;
    else if (p.at > max) after += p.n;
    else counts[Math.min(bins - 1, Math.floor(((p.at - min) / span) * bins))]![laneOf(p.profile)]! += p.n;
  }
  const peak = Math.max(1, ...counts.map((c) => c.reduce((a, b) => a + b, 0)));
  const W = 900;
  const H = 200;
  const bw = W / bins;
  let rects = "";
  counts.forEach((c, i) => {
    let y = H;
    c.forEach((n, lane) => {
      if (n === 0) return;
      const hgt = (n / peak) * (H - 10);
      y -= hgt;
      const name = lane < top.length ? top[lane]! : "other profiles";
      rects += `<rect x="${(i * bw).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${hgt.toFixed(1)}" fill="${PALETTE[lane]}"><title>${h(name)}: ${n}</title></rect>`;
    });
  });
  const label = (ms: number) => h(displayTime(new Date(ms).toISOString(), zone).slice(0, 16).replace("T", " "));
  const legend = [...top, ...(lanes > top.length ? ["other profiles"] : [])].map((p, lane) => `<span><i style="background:${PALETTE[lane]}"></i>${h(p)}</span>`).join("");
  return `<figure id="timeline"><svg role="img" aria-label="denials over time" width="${W}" height="${H + 20}" font-size="11">${rects}<text x="0" y="${H + 15}">${label(min)}</text><text x="${W}" y="${H + 15}" text-anchor="end">${label(max)}</text></svg><div class="legend">${legend}</div><figcaption>Denials over time, per profile (${bins} bins; peak ${peak.toLocaleString("en-US")} in one bin; counted by ${t.unit})${before + after > 0 ? `; outside this window, far from the rest: ${plural(before, "denial")} before, ${plural(after, "denial")} after` : ""}</figcaption></figure>`;
}

/**
 * The time window to draw: all of it, unless the 1% of denials at either end stretch it more than
 * four times the span of the other 98% — then the 98% (first to 99th percentile by count).
 */
function bulkWindow(points: Array<{ at: number; n: number }>): { min: number; max: number } {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const total = sorted.reduce((n, p) => n + p.n, 0);
  const at = (share: number): number => {
    let seen = 0;
    for (const p of sorted) if ((seen += p.n) >= share * total) return p.at;
    return sorted[sorted.length - 1]!.at;
  };
  const min = sorted[0]!.at;
  const max = sorted[sorted.length - 1]!.at;
  const lo = at(0.01);
  const hi = at(0.99);
  return max - min > 4 * Math.max(hi - lo, 60_000) ? { min: lo, max: hi } : { min, max };
}

// ---- sections -------------------------------------------------------------------------------

function headline(report: AnalyzeReport, top: number): string {
  const hl = report.headline;
  const causes = hl.causes.length === 0
    ? `<p>${report.summary.denials > 0 ? "No cause diagnosed: the denials and their rules are below." : "No cause found."}</p>`
    : hl.causes.slice(0, top).map((c) => `<div class="cause"><span class="sev sev-${c.severity}">${c.severity}</span><b>${h(c.id)}</b>: ${h(c.summary)}${c.id === "profile-not-reloaded" ? "" : ` (${plural(c.count, "incident")})`}<div class="first">First: ${h(c.firstStep)}</div></div>`).join("") + more(Math.min(top, hl.causes.length), hl.causes.length, "cause");
  const files = hl.rules.count === 0
    ? `<p>Rules to add: none.</p>`
    : `<p>${plural(hl.rules.count, "rule")} to add in ${plural(hl.rules.files.length, "file")}:</p><table><tr><th>rules</th><th>file</th></tr>${hl.rules.files.slice(0, top).map((f) => `<tr><td class="n">${f.rules}</td><td><code>${h(f.file)}</code></td></tr>`).join("")}</table>${more(Math.min(top, hl.rules.files.length), hl.rules.files.length, "file")}`;
  const extra = [
    hl.alreadyAllowed > 0 ? `<p>${plural(hl.alreadyAllowed, "rule")} already in the installed policy: reload, do not add.</p>` : "",
    hl.review > 0 ? `<p>${plural(hl.review, "rule")} printed commented out, for review.</p>` : "",
    ...hl.otherLsm.map((o) => `<p>${h(o.note)}</p>`),
  ].join("");
  return `<section id="headline"><h2>Headline</h2>${causes}${files}${extra}</section>`;
}

function charts(report: AnalyzeReport, top: number, zone: Zone): string {
  const profiles = report.headline.profiles.slice(0, top).map((p) => [p.profile, p.denials] as [string, number]);
  const ops = new Map<string, number>();
  for (const g of report.denials) ops.set(`${g.operation} (${g.class})`, (ops.get(`${g.operation} (${g.class})`) ?? 0) + g.count);
  const operations = [...ops].sort((a, b) => b[1] - a[1]).slice(0, top);
  const total = report.denials.reduce((n, g) => n + g.count, 0);
  return `<section id="charts"><h2>Denials</h2>${timelineChart(report.timeline, zone)}${barChart("top-profiles", "Profiles with the most denials", profiles, total)}${barChart("top-operations", "Operations denied most", operations, total)}</section>`;
}

function pastaCards(report: AnalyzeReport, top: number): string {
  const p = report.pasta;
  if (p.incidents.length === 0) return "";
  const all = p.incidents.length + p.omittedIncidents;
  const cards = p.incidents.slice(0, top).map((i) => {
    const steps = i.steps.map((s) => `<li${s.step !== null && s.step === i.fatalStep ? ' class="fatal"' : ""}>${s.step !== null && s.step === i.fatalStep ? "fatal: " : ""}${h(s.step ?? "(no catalog step)")}: <code>${h(`${s.operation} ${s.object}`)}</code>${s.count > 1 ? ` ×${s.count}` : ""}</li>`).join("");
    const diagnoses = p.diagnoses.filter((d) => d.incidents.includes(i.id));
    const fixes = diagnoses.map((d) => `<p><span class="sev sev-${d.severity}">${d.severity}</span><b>${h(d.id)}</b>: ${h(d.summary)}</p><ol>${d.steps.map((s) => `<li>${h(s)}</li>`).join("")}</ol>${d.rules.map((g, k) => codeBlock(`fix-${i.id}-${d.id}-${k}`, `In ${g.file}:`, g.rules)).join("")}${d.installed !== undefined && d.installed.length > 0 ? `<p>${h(installedLine(d.installed))}</p>` : ""}${d.workaround ? `<p>${h(d.workaround)}</p>` : ""}`).join("");
    return `<div class="card incident"><h3>Incident ${i.id}: ${h(i.start ?? "time unknown")}${i.host ? ` on ${h(i.host)}` : ""} — started by ${h(i.caller)}</h3><p>profile <code>${h(i.profiles.join(", "))}</code>, comm <code>${h(i.comms.join(", "))}</code></p><ul class="steps">${steps}</ul>${fixes}</div>`;
  }).join("");
  return `<section id="pasta"><h2>pasta (Podman/Buildah networking): ${plural(all, "incident")}</h2>${cards}${more(Math.min(top, p.incidents.length), all, "incident")}</section>`;
}

/** A block to copy (rules), with its button; each line escaped on its own, so a newline in the block stays one. */
function codeBlock(id: string, caption: string | null, lines: string[]): string {
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, "_");
  return `<p>${caption === null ? "" : `${h(caption)} `}<button type="button" data-copy="${safeId}">Copy</button></p><pre id="${safeId}">${lines.map(h).join("\n")}</pre>`;
}

function ruleBlocks(report: AnalyzeReport, top: number): string {
  const byProfile = [...rulesByProfile(report)];
  if (byProfile.length === 0) return "";
  const blocks = byProfile.slice(0, top).map(([profile, rules], i) => {
    // The block is what `aalens rules` prints; each of its lines goes through htmlText in codeBlock.
    const text = renderProfileRules(profile, rules, reportTarget(report, profile)).replace(/\n$/, "");
    return `<h3>Profile <code>${h(profile)}</code></h3>${codeBlock(`rules-${i}`, null, text.split("\n"))}`;
  }).join("");
  return `<section id="rules"><h2>Suggested rules</h2><p>Review before use; <code>aalens rules</code> prints the same blocks, and checks that each profile compiles with them.</p>${blocks}${more(Math.min(top, byProfile.length), byProfile.length, "profile")}</section>`;
}

function denialTables(report: AnalyzeReport, top: number): string {
  const profiles = denialsByProfile(report);
  if (profiles.length === 0) return `<section id="denials"><h2>Denials by profile</h2><p>No AppArmor denials found.</p></section>`;
  const tables = profiles.slice(0, top).map(([profile, groups]) =>
    `<h3>Profile <code>${h(profile)}</code> (${plural(denialTotal(groups), "denial")})</h3><table><tr><th>count</th><th>operation</th><th>class</th><th>denied</th><th>comm</th><th>resource</th></tr>${groups.slice(0, top).map((g) => `<tr><td class="n">${g.count}</td><td>${h(g.operation)}</td><td>${h(g.class)}</td><td>${h(g.denied.join(g.class === "file" ? "" : ","))}</td><td>${h(g.comms.join(","))}</td><td><code>${h(g.resource)}</code></td></tr>`).join("")}</table>${more(Math.min(top, groups.length), groups.length, "group")}`).join("");
  return `<section id="denials"><h2>Denials by profile</h2>${tables}${more(Math.min(top, profiles.length), profiles.length, "profile")}</section>`;
}

function skippedTable(report: AnalyzeReport): string {
  const rows = (title: string, list: ReasonCount[]) => list.map((r) => {
    const ex = r.examples[0];
    return `<tr><td>${title}</td><td class="n">${r.count}</td><td><code>${h(r.code)}</code></td><td>${h(r.message)}</td><td>${ex === undefined ? "" : `<code>${h(`${ex.source}:${ex.line}`)}</code> ${h(ex.excerpt)}`}</td></tr>`;
  }).join("");
  const body = rows("skipped", report.unparsed) + rows("kept with a warning", report.warnings);
  return `<section id="skipped"><h2>Skipped lines</h2>${body === "" ? "<p>Nothing was skipped.</p>" : `<table><tr><th></th><th>count</th><th>code</th><th>reason</th><th>first example</th></tr>${body}</table>`}</section>`;
}

export function renderHtml(report: AnalyzeReport, options: HtmlOptions): string {
  const top = options.top ?? DEFAULT_TOP;
  const s = report.summary;
  const now = options.now ?? new Date();
  const errors = report.errors.length === 0 ? "" : `<section id="errors"><h2>Inputs that could not be read</h2><ul>${report.errors.map((e) => `<li><code>${h(e.source)}</code>: ${h(e.message)} (${h(e.code)})</li>`).join("")}</ul></section>`;
  const body = [
    `<h1>aalens report</h1>`,
    `<p class="meta">${plural(s.lines, "line")} from ${plural(report.inputs.length, "input")}: ${plural(s.records, "audit record")}, ${plural(s.apparmor, "AppArmor event")}, ${plural(s.denials, "denial")}. Made ${h(displayTime(now.toISOString(), options.zone))}.</p>`,
    errors,
    headline(report, top),
    charts(report, top, options.zone),
    pastaCards(report, top),
    ruleBlocks(report, top),
    denialTables(report, top),
    skippedTable(report),
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aalens report</title><style>${STYLE}</style></head>
<body>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}
