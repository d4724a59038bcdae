/**
 * Terminal rendering of the report: a summary, denials grouped by profile, and what was skipped.
 * Every log-derived value passes through terminalText; tables are cut to the terminal width.
 */
import type { AnalyzeReport, DenialGroup, ReasonCount } from "./model.js";
import { terminalDocument, terminalText } from "./text-safety.js";
import { shorten } from "./sanitize.js";
import { renderPastaText } from "./pasta-text.js";
import { reportTarget, targetLines } from "./apparmor.js";
import { DEFAULT_TOP, denialTotal as total, denialsByProfile, plural, rulesByProfile } from "./by-profile.js";

export interface TextOptions {
  /** Terminal width; long cells are shortened with an ellipsis (never a resource or a rule). */
  width?: number;
  /** How many entries every list shows before "… and N more" (--top); default DEFAULT_TOP. */
  top?: number;
  /** Only the headline (--summary). */
  summaryOnly?: boolean;
  /** Bold headings and coloured warnings (terminals only). */
  color?: boolean;
}


/**
 * Left-aligned columns, each cut at 40 characters but the last, which is printed whole: it is
 * the resource, and two resources that differ only at the end (netns-5d1f…, netns-5d2a…) must
 * not look the same. A long one runs past the width rather than lose what tells it apart.
 */
function table(rows: string[][], indent = "  "): string[] {
  if (rows.length === 0) return [];
  const n = rows[0]!.length;
  const widths = new Array<number>(n).fill(0);
  for (const r of rows) for (let i = 0; i < n - 1; i++) widths[i] = Math.min(Math.max(widths[i]!, r[i]!.length), 40);
  return rows.map((r) => indent + r.map((c, i) => (i < n - 1 ? shorten(c, widths[i]!).padEnd(widths[i]!) : c)).join("  ").trimEnd());
}


function reasons(title: string, list: ReasonCount[], width: number): string[] {
  if (list.length === 0) return [];
  const out = ["", title];
  for (const r of list) {
    out.push(`  ${String(r.count).padStart(7)}  ${r.code}: ${terminalText(r.message)}`);
    const ex = r.examples[0];
    if (ex !== undefined) out.push(shorten(`           e.g. ${terminalText(ex.source)}:${ex.line}${ex.excerpt ? `  ${terminalText(ex.excerpt)}` : ""}`, width));
  }
  return out;
}

function denialRows(groups: DenialGroup[]): string[][] {
  return groups.map((g) => [
    String(g.count),
    terminalText(g.operation),
    g.class,
    terminalText(g.denied.join(g.class === "file" ? "" : ",")) || "-",
    terminalText(g.comms.join(",")),
    terminalText(g.resource),
  ]);
}

/**
 * Colour, added last: every log-derived value went through terminalText, so no escape sequence in
 * the text can come from a log; these are the only ones.
 */
function colorize(text: string): string {
  const bold = (l: string) => `\x1b[1m${l}\x1b[0m`;
  return text
    .split("\n")
    .map((l) => {
      if (/^\S/.test(l) && l !== "") return bold(l);
      if (/# WARNING|✗ fatal|\[error\]/.test(l)) return `\x1b[31m${l}\x1b[0m`;
      if (/\[warning\]/.test(l)) return `\x1b[33m${l}\x1b[0m`;
      if (/^ {2}profile /.test(l)) return bold(l);
      return l;
    })
    .join("\n");
}

export function renderText(report: AnalyzeReport, options: TextOptions = {}): string {
  // The last gate: whatever a renderer missed cannot reach the terminal raw.
  const text = terminalDocument(renderPlain(report, options));
  return options.color === true ? colorize(text) : text;
}

function renderPlain(report: AnalyzeReport, options: TextOptions): string {
  const width = Math.max(60, options.width ?? 100);
  const top = options.top ?? DEFAULT_TOP;
  const s = report.summary;
  const out: string[] = [];

  out.push(`aalens analyze: ${plural(s.lines, "line")} from ${plural(report.inputs.length, "input")}: ${plural(s.records, "audit record")}, ${plural(s.apparmor, "AppArmor event")}, ${plural(s.denials, "denial")}`);
  // Inputs that could not be read come first: a report of nothing read must not look like "no denials".
  if (report.errors.length > 0) {
    out.push(`  ${plural(report.errors.length, "input")} could not be read:`);
    for (const e of report.errors.slice(0, top)) out.push(`    ${terminalText(e.source)}: ${terminalText(e.message)} (${e.code})`);
    if (report.errors.length > top) out.push(`    … and ${report.errors.length - top} more (all in --format json)`);
  }
  out.push(...headlineText(report, top));
  if (options.summaryOnly === true) return out.join("\n") + "\n";

  out.push("", "Details");
  for (const note of report.notes) out.push(`  ${terminalText(note)}`);
  if (s.duplicates > 0) out.push(`  ${plural(s.duplicates, "AppArmor record")} already read from another source (journal transports, audit.log and journal) counted once`);
  if (s.filtered > 0) out.push(`  ${plural(s.filtered, "AppArmor event")} left out by --since/--until/--profile/--host/--pasta`);
  const modes = Object.entries(report.modes).map(([m, n]) => `${m} ${n}`).join(", ");
  if (modes) out.push(`  AppArmor events by mode: ${modes}`);
  const formats = Object.entries(report.formats).sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${n}`).join(", ");
  if (formats) out.push(`  records by format: ${formats}`);
  if (s.unparsed + s.skippedLines > 0) out.push(`  skipped: ${plural(s.unparsed, "unreadable record")}, ${plural(s.skippedLines, "dropped line")} (reasons below)`);
  if (s.warnings > 0) out.push(`  ${plural(s.warnings, "record")} kept with warnings (below)`);

  if (report.denials.length > 0) {
    out.push("", "Denials by profile");
    const profiles = denialsByProfile(report);
    for (const [profile, groups] of profiles.slice(0, top)) {
      out.push("", `  profile ${terminalText(profile)}  (${plural(total(groups), "denial")})`);
      const rows = [["count", "operation", "class", "denied", "comm", "resource"], ...denialRows(groups.slice(0, top))];
      out.push(...table(rows, "    "));
      if (groups.length > top) out.push(`    … and ${groups.length - top} more (${plural(total(groups.slice(top)), "denial")}; --top N or --format json for all)`);
    }
    if (profiles.length > top) {
      const rest = profiles.slice(top);
      out.push("", `  … and ${plural(rest.length, "more profile")} (${plural(rest.reduce((n, [, g]) => n + total(g), 0), "denial")}; --top N or --format json for all)`);
    }
  } else {
    out.push("", report.errors.length > 0 ? "No AppArmor denials in the inputs that were read." : "No AppArmor denials found.");
  }

  out.push(...renderPastaText(report.pasta, top));
  out.push(...ruleSection(report, width, top));

  out.push(...reasons("Unreadable or dropped lines", report.unparsed, width));
  out.push(...reasons("Records kept with warnings", report.warnings, width));
  return out.join("\n") + "\n";
}

/** The first screen (see headline.ts): causes with their first step, top profiles, rules to add by file. */
function headlineText(report: AnalyzeReport, top: number): string[] {
  const h = report.headline;
  const out: string[] = [""];
  if (h.causes.length > 0) {
    out.push("Causes found");
    for (const c of h.causes.slice(0, top)) {
      out.push(`  [${c.severity}] ${c.id}: ${terminalText(c.summary)}${c.id === "profile-not-reloaded" ? "" : ` (${plural(c.count, "incident")})`}`);
      if (c.firstStep) out.push(`      first: ${terminalText(c.firstStep)}`);
    }
    if (h.causes.length > top) out.push(`  … and ${h.causes.length - top} more causes (below)`);
  } else {
    out.push(report.summary.denials > 0 ? "Causes found: none diagnosed (the denials and their rules are below)" : "Causes found: none");
  }
  if (h.profiles.length > 0) {
    const shown = h.profiles.slice(0, Math.min(top, 5)).map((p) => `${terminalText(p.profile)} ${p.denials.toLocaleString("en-US")}`);
    const rest = h.profiles.length - shown.length;
    out.push(`Most denials: ${shown.join(", ")}${rest > 0 ? `, … and ${plural(rest, "more profile")}` : ""}`);
  }
  if (h.rules.count > 0) {
    out.push(`${plural(h.rules.count, "rule")} to add in ${plural(h.rules.files.length, "file")}${report.pasta.diagnoses.length > 0 ? " (the fixes above come first)" : ""}:`);
    for (const f of h.rules.files.slice(0, top)) out.push(`  ${String(f.rules).padStart(5)}  ${terminalText(f.file)}`);
    if (h.rules.files.length > top) out.push(`  … and ${plural(h.rules.files.length - top, "more file")}`);
    out.push("  print them ready to paste with: aalens rules INPUT…");
  } else if (report.summary.denials > 0) out.push("Rules to add: none");
  if (h.alreadyAllowed > 0) out.push(`${plural(h.alreadyAllowed, "rule")} already in the installed policy: reload, do not add (see the cause above)`);
  if (h.review > 0) out.push(`${plural(h.review, "rule")} printed commented out, for review (see why beside each)`);
  for (const o of h.otherLsm) out.push(o.note);
  return out;
}

/** The events that gave no rule, one entry per reason (the same reason of several profiles counted once), the commonest first. */
function unmappedLine(report: AnalyzeReport): string[] {
  const unmapped = report.unmapped.reduce((n, u) => n + u.count, 0);
  if (unmapped === 0) return [];
  const byReason = new Map<string, number>();
  for (const u of report.unmapped) byReason.set(u.reason, (byReason.get(u.reason) ?? 0) + u.count);
  const reasons = [...byReason].sort((a, b) => b[1] - a[1]);
  const shown = reasons.slice(0, 3).map(([r, n]) => `${terminalText(r)} (${n})`).join("; ");
  return ["", `  ${plural(unmapped, "event")} gave no rule: ${shown}${reasons.length > 3 ? `; … and ${reasons.length - 3} more reasons (all in --format json)` : ""}`];
}

/** Suggested rules by profile: the ones to add first, then those the policy already has or denies. */
function ruleSection(report: AnalyzeReport, width: number, top: number): string[] {
  if (report.rules.length === 0) return report.unmapped.length === 0 ? [] : ["", "Suggested rules: none", ...unmappedLine(report)];
  const { literal, grouped } = report.ruleCounts;
  const counts = literal === grouped ? `${plural(literal, "rule")}` : `${plural(literal, "rule")} (${grouped} after grouping)`;
  const out = ["", `Suggested rules: ${counts} (aalens rules … prints them ready for /etc/apparmor.d/local/)`];
  const profiles = [...rulesByProfile(report)];
  for (const [profile, rules] of profiles.slice(0, top)) {
    out.push("", `  profile ${terminalText(profile)}`);
    const target = reportTarget(report, profile);
    out.push(...targetLines(target).map((l) => `    ${terminalText(l)}`));
    for (const r of rules.slice(0, top)) {
      const mark = r.warning !== undefined ? "  # WARNING " : r.status === "missing" || r.status === "unknown" ? "    " : r.status === "not-applicable" ? "  # " : `  # ${r.status}: `;
      // Rules are never shortened: they are meant to be copied.
      out.push(`  ${mark}${terminalText(r.rule)}  # ${r.covers.count}×${r.broader ? ", broader than the denials (aalens rules says why)" : ""}`);
      if (r.warning !== undefined) out.push(shorten(`        ${terminalText(r.warning)}`, width));
    }
    if (rules.length > top) out.push(`    … and ${plural(rules.length - top, "more rule")} (aalens rules prints them all)`);
  }
  if (profiles.length > top) {
    const rest = profiles.slice(top);
    out.push("", `  … and ${plural(rest.reduce((n, [, r]) => n + r.length, 0), "more rule")} for ${plural(rest.length, "more profile")} (aalens rules prints them all)`);
  }
  out.push(...unmappedLine(report));
  return out;
}

