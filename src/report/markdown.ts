/**
 * The report as GitHub-flavoured Markdown, ready to paste into a bug report: the same content as
 * the terminal report (src/report/text.ts) — summary, denials by profile as tables, pasta
 * incidents and diagnoses with their fixes, suggested rules in ```apparmor blocks — plus the
 * first log line of each denial group as evidence.
 *
 * Log text is attacker-controlled and must not change the document's structure: every
 * log-derived value has its control characters made visible (terminalText), sits in a code span
 * (so no emphasis, link, HTML or mention) with `|` escaped inside tables, and fenced blocks use a
 * fence longer than any run of backticks in their content, so no value can close them.
 */
import type { AnalyzeReport, DenialGroup, ReasonCount } from "./model.js";
import { installedLine, type PastaDiagnosis } from "../pasta/diagnose.js";
import type { PastaIncident } from "../pasta/incidents.js";
import { terminalDocument, terminalText } from "./text-safety.js";
import { shorten } from "./sanitize.js";
import { renderProfileRules, reportTarget } from "./apparmor.js";
import { DEFAULT_TOP, denialTotal as total, denialsByProfile, plural, rulesByProfile } from "./by-profile.js";

export interface MarkdownOptions {
  /** How many entries every list shows before "… and N more" (--top, as the text report). */
  top?: number;
  /** Only the headline (--summary). */
  summaryOnly?: boolean;
  /** Longest table cell, in characters of the value; longer ones are cut with an ellipsis. */
  maxCell?: number;
}

/** One line, no control characters (shown as `\x1b`, `\n` …), no line or paragraph separators. */
function clean(value: string): string {
  return terminalText(value);
}


/** The longest run of backticks in `text`. */
function longestTicks(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/`+/g)) max = Math.max(max, m[0].length);
  return max;
}

/** A CommonMark code span holding `value` literally (one line), whatever backticks it contains. */
export function codeSpan(value: string): string {
  const text = clean(value);
  if (text === "") return "";
  const ticks = "`".repeat(longestTicks(text) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && text.trim() !== "") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A fenced block whose fence no line of `lines` can close. */
export function fenced(info: string, lines: string[]): string[] {
  const fence = "`".repeat(Math.max(3, longestTicks(lines.join("\n")) + 1));
  return [fence + info, ...lines, fence];
}

/** Plain text from the log or the system in running text: control characters shown, markup escaped. */
function escapeText(value: string): string {
  return clean(value).replace(/[\\`*_[\]<>|~&#!]/g, (c) => `\\${c}`);
}

/** A log-derived table cell: cut, in a code span, `|` escaped for the table (GFM unescapes it). */
function cell(value: string, max: number): string {
  return codeSpan(shorten(clean(value), max)).replace(/\|/g, "\\|");
}

function table(header: string[], align: Array<"l" | "r">, rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map(line)];
}


function summary(report: AnalyzeReport): string[] {
  const s = report.summary;
  const out = ["### Summary", ""];
  out.push(`- read ${plural(s.lines, "line")} from ${plural(report.inputs.length, "input")}: ${plural(s.records, "audit record")}, ${plural(s.apparmor, "AppArmor event")}, ${plural(s.denials, "denial")}`);
  const modes = Object.entries(report.modes).map(([m, n]) => `${m} ${n}`).join(", ");
  if (modes) out.push(`- AppArmor events by mode: ${escapeText(modes)}`);
  const formats = Object.entries(report.formats).sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${n}`).join(", ");
  if (formats) out.push(`- records by format: ${escapeText(formats)}`);
  if (s.duplicates > 0) out.push(`- ${plural(s.duplicates, "AppArmor record")} read twice (from another source) counted once`);
  if (s.unparsed + s.skippedLines > 0) out.push(`- skipped: ${plural(s.unparsed, "unreadable record")}, ${plural(s.skippedLines, "dropped line")} (reasons below)`);
  if (s.warnings > 0) out.push(`- ${plural(s.warnings, "record")} kept with warnings (below)`);
  if (s.inputErrors > 0) out.push(`- ${plural(s.inputErrors, "input")} could not be read (above)`);
  for (const note of report.notes) out.push(`- note: ${escapeText(note)}`);
  return out;
}

function denials(profiles: Array<[string, DenialGroup[]]>, perProfile: number, maxCell: number): string[] {
  if (profiles.length === 0) return ["### Denials", "", "No AppArmor denials found."];
  const out = ["### Denials by profile"];
  for (const [profile, groups] of profiles.slice(0, perProfile)) {
    out.push("", `#### Profile ${codeSpan(profile)} (${plural(total(groups), "denial")})`, "");
    const rows = groups.slice(0, perProfile).map((g) => [
      String(g.count),
      cell(g.operation, maxCell),
      g.class,
      cell(g.denied.join(g.class === "file" ? "" : ","), maxCell) || "-",
      cell(g.comms.join(","), maxCell),
      // The resource is never cut: two that differ only at the end must not look the same.
      cell(g.resource, Infinity),
    ]);
    out.push(...table(["count", "operation", "class", "denied", "comm", "resource"], ["r", "l", "l", "l", "l", "l"], rows));
    if (groups.length > perProfile) out.push("", `… and ${groups.length - perProfile} more (${plural(total(groups.slice(perProfile)), "denial")})`);
  }
  if (profiles.length > perProfile) {
    const rest = profiles.slice(perProfile);
    out.push("", `… and ${plural(rest.length, "more profile")} (${plural(rest.reduce((n, [, g]) => n + total(g), 0), "denial")}; all in the JSON report)`);
  }
  return out;
}

function incident(i: PastaIncident): string[] {
  const where = i.host ? ` on ${codeSpan(i.host)}` : "";
  const evidence = i.callerEvidence ? ` (${codeSpan(i.callerEvidence)})` : "";
  const out = ["", `#### Incident ${i.id}: ${escapeText(i.start ?? "time unknown")}${where} — started by ${escapeText(i.caller)}${evidence}`, ""];
  out.push(`- profile ${i.profiles.map(codeSpan).join(", ")}, comm ${i.comms.map(codeSpan).join(", ")}${i.pids.length ? `, pid ${i.pids.join(", ")}` : ""}`);
  for (const s of i.steps) {
    const mark = s.step !== null && s.step === i.fatalStep ? "✗ fatal " : s.fatal === false ? "non-fatal " : "";
    const step = s.step === null ? "(no catalog step)" : `**${escapeText(s.step)}**`;
    out.push(`- ${mark}${step}: ${codeSpan(`${s.operation} ${s.object}`)}${s.count > 1 ? ` ×${s.count}` : ""}`);
    if (s.ruleStatus === "allowed") out.push(`  - the installed profile allows this (${codeSpan(s.rule ?? "")}): the loaded profile is stale or another one is attached — reload it`);
  }
  for (const m of i.messages.slice(0, 3)) out.push(`- printed: ${codeSpan(m.text)}${m.identifier ? ` (${codeSpan(m.identifier)})` : ""}`);
  if (i.diagnoses.length > 0) out.push(`- diagnosis: ${i.diagnoses.map(escapeText).join(", ")}`);
  return out;
}

/** A fix: its steps as list items, then each file's rules in an ```apparmor block, then the workaround. */
function fix(d: PastaDiagnosis): string[] {
  // The prose is aalens's own (Markdown-ready, with `code`); only control characters are shown.
  const out = d.steps.map((step) => `- ${clean(step)}`);
  for (const g of d.rules) out.push(`- In ${clean(g.file)}:`, "", ...fenced("apparmor", g.rules.map(clean)), "");
  if (d.installed !== undefined && d.installed.length > 0) out.push(`- ${clean(installedLine(d.installed))}`);
  if (d.workaround !== undefined) out.push(`- ${clean(d.workaround)}`);
  while (out[out.length - 1] === "") out.pop();
  return out;
}

function diagnosis(d: PastaDiagnosis): string[] {
  return [
    "",
    `#### [${d.severity}] ${escapeText(d.id)}: ${clean(d.summary)} (incident ${d.incidents.join(", ")})`,
    "",
    clean(d.explanation),
    "",
    "Fix:",
    "",
    ...fix(d),
  ];
}

/** pasta's messages that came without a denial: what each means and what to collect (never an incident). */
function loneMessages(p: AnalyzeReport["pasta"], top: number): string[] {
  const lone = p.messages.filter((m) => m.incident === null);
  if (lone.length === 0) return [];
  const out = ["", `### pasta messages without an AppArmor denial (${lone.length})`, "", "No incident and no rule is made from a message alone."];
  for (const m of lone.slice(0, top)) {
    out.push("", `- ${codeSpan(`${m.source}:${m.line}`)} ${escapeText(m.step)}${m.caller ? ` — ran by ${escapeText(m.caller)}` : ""}: ${codeSpan(m.text)}`);
    out.push(`  - means: ${clean(m.meaning)}`);
    for (const c of m.collect) out.push(`  - collect: ${codeSpan(c)}`);
  }
  if (lone.length > top) out.push("", `… and ${lone.length - top} more (all in the JSON report).`);
  return out;
}

function pasta(report: AnalyzeReport, top: number): string[] {
  const p = report.pasta;
  if (p.incidents.length === 0) return loneMessages(p, top);
  const all = p.incidents.length + p.omittedIncidents;
  const shown = Math.min(top, p.incidents.length);
  const out = ["", `### pasta (Podman/Buildah networking): ${plural(all, "incident")}${shown < all ? ` (the first ${shown} listed; every one is diagnosed below)` : ""}`];
  for (const i of p.incidents.slice(0, top)) out.push(...incident(i));
  if (p.diagnoses.length > 0) {
    out.push("", "### pasta diagnoses");
    for (const d of p.diagnoses) out.push(...diagnosis(d));
  }
  out.push(...loneMessages(p, top));
  if (all > shown) out.push("", `… and ${plural(all - shown, "more incident")} (diagnosed above).`);
  if (p.dropped > 0) out.push("", `${p.dropped} pasta denials or messages beyond the caps were counted but not kept.`);
  return out;
}

function rules(report: AnalyzeReport, top: number): string[] {
  if (report.rules.length === 0) return [];
  const out = ["", "### Suggested rules", "", "Review before use; `aalens rules` prints them ready for /etc/apparmor.d/local/. Rules the installed policy already has or denies, and dangerous ones, are commented out."];
  const profiles = [...rulesByProfile(report)];
  for (const [profile, all] of profiles.slice(0, top)) {
    const list = all.slice(0, top);
    // renderProfileRules puts profile, reason and warning in comments without control characters;
    // the rule text is made safe here.
    const block = renderProfileRules(profile, list.map((r) => ({ ...r, rule: clean(r.rule) })), reportTarget(report, profile));
    out.push("", `#### Profile ${codeSpan(profile)}`, "", ...fenced("apparmor", block.replace(/\n$/, "").split("\n").map(clean)));
    if (all.length > top) out.push("", `… and ${plural(all.length - top, "more rule")} (\`aalens rules\` prints them all).`);
  }
  if (profiles.length > top) out.push("", `… and rules for ${plural(profiles.length - top, "more profile")} (\`aalens rules\` prints them all).`);
  const unmapped = report.unmapped.reduce((n, u) => n + u.count, 0);
  if (unmapped > 0) out.push("", `${plural(unmapped, "event")} gave no rule: ${report.unmapped.slice(0, 3).map((u) => codeSpan(u.reason)).join("; ")}`);
  return out;
}

function evidence(profiles: Array<[string, DenialGroup[]]>, perProfile: number): string[] {
  const lines: string[] = [];
  for (const [, groups] of profiles.slice(0, perProfile)) {
    for (const g of groups.slice(0, perProfile)) {
      const ex = g.examples[0];
      if (ex !== undefined) lines.push(clean(`${ex.source}:${ex.line}${ex.excerpt ? `  ${ex.excerpt}` : ""}`));
    }
  }
  if (lines.length === 0) return [];
  return ["", "### Evidence", "", "The first log line of each denial group above:", "", ...fenced("text", lines)];
}

function reasons(title: string, list: ReasonCount[], maxCell: number): string[] {
  if (list.length === 0) return [];
  const rows = list.map((r) => {
    const ex = r.examples[0];
    return [String(r.count), cell(`${r.code}: ${r.message}`, maxCell), ex === undefined ? "" : cell(`${ex.source}:${ex.line}${ex.excerpt ? `  ${ex.excerpt}` : ""}`, maxCell)];
  });
  return ["", `### ${title}`, "", ...table(["count", "reason", "first example"], ["r", "l", "l"], rows)];
}

/** The first screen, as the text report's (headline.ts). */
function headline(report: AnalyzeReport, top: number): string[] {
  const h = report.headline;
  const out = ["### Headline", ""];
  if (h.causes.length === 0) out.push(report.summary.denials > 0 ? "- Causes found: none diagnosed (the denials and their rules are below)" : "- Causes found: none");
  for (const c of h.causes.slice(0, top)) {
    out.push(`- **[${c.severity}] ${escapeText(c.id)}**: ${clean(c.summary)}${c.id === "profile-not-reloaded" ? "" : ` (${plural(c.count, "incident")})`}`);
    if (c.firstStep) out.push(`  - first: ${clean(c.firstStep)}`);
  }
  if (h.causes.length > top) out.push(`- … and ${h.causes.length - top} more causes (below)`);
  if (h.profiles.length > 0) {
    const shown = h.profiles.slice(0, Math.min(top, 5));
    const rest = h.profiles.length - shown.length;
    out.push(`- Most denials: ${shown.map((p) => `${codeSpan(p.profile)} ${p.denials}`).join(", ")}${rest > 0 ? `, … and ${plural(rest, "more profile")}` : ""}`);
  }
  if (h.rules.count > 0) {
    out.push(`- ${plural(h.rules.count, "rule")} to add in ${plural(h.rules.files.length, "file")}:`);
    for (const f of h.rules.files.slice(0, top)) out.push(`  - ${f.rules} in ${codeSpan(f.file)}`);
    if (h.rules.files.length > top) out.push(`  - … and ${plural(h.rules.files.length - top, "more file")}`);
  } else if (report.summary.denials > 0) out.push("- Rules to add: none");
  if (h.alreadyAllowed > 0) out.push(`- ${plural(h.alreadyAllowed, "rule")} already in the installed policy: reload, do not add`);
  if (h.review > 0) out.push(`- ${plural(h.review, "rule")} printed commented out, for review`);
  for (const o of h.otherLsm) out.push(`- ${clean(o.note)}`);
  return out;
}

export function renderMarkdown(report: AnalyzeReport, options: MarkdownOptions = {}): string {
  const top = options.top ?? DEFAULT_TOP;
  const maxCell = Math.max(8, options.maxCell ?? 100);
  const profiles = denialsByProfile(report);
  const out = ["## aalens analyze", ""];
  if (report.errors.length > 0) {
    out.push("### Inputs that could not be read", "");
    for (const e of report.errors) out.push(`- ${codeSpan(e.source)}: ${escapeText(e.message)} (${e.code})`);
    out.push("");
  }
  out.push(...headline(report, top));
  if (options.summaryOnly !== true) {
    out.push("", ...summary(report), "", ...denials(profiles, top, maxCell));
    out.push(...pasta(report, top));
    out.push(...rules(report, top));
    out.push(...evidence(profiles, top));
    out.push(...reasons("Unreadable or dropped lines", report.unparsed, maxCell));
    out.push(...reasons("Records kept with warnings", report.warnings, maxCell));
  }
  return terminalDocument(out.join("\n") + "\n");
}
