/**
 * `aalens watch FILE…`: follow log files like `tail -F` and print each new AppArmor denial as it
 * happens — its class, the pasta step when pasta is involved, and the rule that would allow it —
 * with repeats folded, a summary on exit, and positions saved for an exact resume.
 */
import { readFileSync } from "node:fs";
import { INPUT_HELP, INPUT_OPTIONS, intOption, parseCommandArgs, UsageError, choiceOption, type Options } from "../args.js";
import { ANALYSIS_OPTIONS, runOptions } from "../options.js";
import { displayTime, reportInZone } from "../../report/time-format.js";
import { eventFilter } from "../../analysis/filter.js";
import { FileFollower, type FilePosition } from "../../input/follow-files.js";
import { JournalFollower } from "../../input/follow-journal.js";
import { deliverBatch } from "../../parse/read-records.js";
import type { RecordHeader } from "../../parse/record-header.js";
import { keepLine } from "../../input/keep-line.js";
import type { AuditRecord, Skipped, SourceLine } from "../../parse/record.js";
import { Collector } from "../../analysis/collector.js";
import type { AnalyzedEvent } from "../../analysis/enrich.js";
import { buildReport } from "../../report/report.js";
import { renderApparmor } from "../../report/apparmor.js";
import { jsonText, terminalText } from "../../report/text-safety.js";
import { writeFileAtomic } from "../safe-write.js";
import { ecsDocument, ecsLine } from "../../report/ecs.js";
import { renderPastaText } from "../../report/pasta-text.js";
import { policyReportOptions } from "../policy.js";
import { groupResource } from "../../analysis/group-resource.js";

/** Quiet time after which an open event is closed and shown. */
const QUIET_MS = 30;
/** Quiet time after which a burst of denials is taken as settled. */
const SETTLE_MS = 2000;
/** Distinct denials remembered for folding repeats. */
const MAX_FOLDED = 50_000;

export const watchHelp = `Usage: aalens watch [options] [FILE…]

Follow the journal (kernel and audit transports, through journalctl) and/or log files (audit.log,
kern.log, syslog …) like tail -F — appends, rotation by rename, copytruncate, files that appear
later — and print each new AppArmor denial as it happens, with its class, pasta's step when pasta
is involved, and the rule that would allow it. Repeats of the same denial are folded into a
count. On Ctrl-C (or SIGTERM) a summary and the suggested rules follow. With no FILE and no
journal option, the system journal is followed.

Options:
  -f, --format FORMAT        text (default), json (NDJSON, one object per denial) or ecs (NDJSON,
                             one Elastic Common Schema document per denial)
      --summary-interval S   also print the summary line every S seconds
      --state FILE           save read positions (inode, offset) to FILE and resume from it:
                             nothing lost, nothing counted twice across restarts
      --from-start           read the files (and journal) from their beginning (default: only new)
      --journal              follow the system journal (the default when no FILE is given)
      --journal-file FILE    follow journal files copied from another host (repeatable)
      --journal-directory D  follow the journal files in D
      --poll-ms N            how often to look for new lines (default 250)
      --mode MODES           denied (default), allowed, audit or all; comma-separated
      --since TIME           with the journal: start at TIME (ISO 8601, or 30m, 2h, 1d back from now)
      --utc                  show times in UTC (default: local time, as journalctl)
      --profile GLOB         only these profiles (repeatable; * and ? globs)
      --host NAME            only these hosts (repeatable)
      --pasta                only pasta-related events
      --profile-dir DIR      installed policy to check rules against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --no-color             no colour (also NO_COLOR=1)
${INPUT_HELP}

Examples:
  sudo aalens watch                                  # the system journal
  sudo aalens watch /var/log/audit/audit.log
  sudo aalens watch --state /var/lib/aalens/watch.json --journal /var/log/audit/audit.log

Exit status: 0 after Ctrl-C or SIGTERM, 1 usage error (or journalctl missing for the journal).`;

interface StateFile {
  format: "aalens-watch-state";
  version: 1;
  positions: Record<string, FilePosition>;
  /** The journal cursor of the last entry read. */
  journalCursor?: string;
}

function loadWatchState(path: string, note: (m: string) => void): StateFile | undefined {
  try {
    const s = JSON.parse(readFileSync(path, "utf8")) as Partial<StateFile>;
    if (s.format === "aalens-watch-state" && s.version === 1 && typeof s.positions === "object") return s as StateFile;
    note(`${path}: not an aalens watch state; starting without it`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") note(`${path}: unreadable state (${(err as Error).message.split("\n")[0]}); starting without it`);
  }
  return undefined;
}

export const watchFormats = ["text", "json", "ecs"] as const;

// --fail-on-denials and --until mean nothing for a run that never ends.
const { "fail-on-denials": _f, until: _u, ...analysisOptions } = ANALYSIS_OPTIONS;

/** The options of `aalens watch` (also read by the help check, the shell completion and the man page). */
export const watchOptions: Options = {
  ...INPUT_OPTIONS,
  ...analysisOptions,
  format: { type: "string", short: "f", default: "text" },
  state: { type: "string" },
  "from-start": { type: "boolean" },
  "poll-ms": { type: "string" },
  "summary-interval": { type: "string" },
  journal: { type: "boolean" },
  "journal-file": { type: "string", multiple: true },
  "journal-directory": { type: "string" },
};

export async function runWatch(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, watchOptions);
  if (values.help) {
    process.stdout.write(watchHelp + "\n");
    return 0;
  }
  const journalFiles = (values["journal-file"] as string[] | undefined) ?? [];
  const journalDir = values["journal-directory"] as string | undefined;
  const followJournal = values.journal === true || journalFiles.length > 0 || journalDir !== undefined || positionals.length === 0;
  const format = values.format as string;
  choiceOption(format, "format", watchFormats);
  const pollMs = intOption(values["poll-ms"], "poll-ms", 250);
  const statePath = values.state as string | undefined;
  const note = (m: string) => {
    if (!values.quiet) process.stderr.write(`aalens: ${terminalText(m)}\n`);
  };

  // Repeats of one denial are folded: printed once, then counted. A /proc/PID path is one denial
  // whatever the pid, as in the report's groups (a daemon reading its own /proc entry each run).
  // Bounded: the oldest folded denial is forgotten past MAX_FOLDED (it would print again).
  const seen = new Map<string, { n: number; first: number }>();
  let dirty = false;
  const print = (v: AnalyzedEvent) => {
    dirty = true;
    const key = `${v.fields.profile}\0${v.fields.operation}\0${groupResource(v.resource)}`;
    const held = seen.get(key) ?? { n: 0, first: Date.now() };
    const n = ++held.n;
    if (n === 1) {
      seen.set(key, held);
      if (seen.size > MAX_FOLDED) seen.delete(seen.keys().next().value!);
    }
    if (format === "ecs") {
      process.stdout.write(ecsLine(ecsDocument(v)));
      return;
    }
    if (format === "json") {
      process.stdout.write(jsonText({ time: v.record.time, host: v.record.host, profile: v.fields.profile ?? null, mode: v.record.mode, class: v.kind, operation: v.fields.operation ?? null, resource: v.resource, comm: v.fields.comm ?? null, pid: v.fields.pid ?? null, pastaOperation: v.pastaStep, caller: v.caller, rule: v.rule, repeat: n, source: v.record.source, line: v.record.line }) + "\n");
      return;
    }
    if (n > 1 && n !== 10 && n !== 100 && n % 1000 !== 0) return;
    const pasta = v.pastaStep !== null ? ` [pasta ${v.pastaStep}${v.caller ? `, ${v.caller}` : ""}]` : "";
    const secs = (Date.now() - held.first) / 1000;
    const times = n > 1 ? ` (×${n}${secs >= 1 ? `, ${(n / secs).toFixed(1)}/s` : ""})` : "";
    process.stdout.write(
      `${v.record.time === null ? "-" : displayTime(v.record.time, opts.zone)} ${terminalText(v.fields.profile ?? "?")} ${v.record.mode} ${terminalText(v.fields.operation ?? "?")} ${terminalText(v.resource)}${v.fields.comm ? ` comm=${terminalText(v.fields.comm)}` : ""}${pasta}${times}\n` +
        (n === 1 && v.rule !== null ? `    rule: ${terminalText(v.rule)}\n` : ""),
    );
  };

  const opts = runOptions(values, positionals);
  const filter = eventFilter(opts.filter);
  const builder = new Collector({ modes: opts.modes, onEvent: print, ...(filter ? { filter } : {}) });
  const saved = statePath === undefined ? undefined : loadWatchState(statePath, note);
  const positions = saved?.positions;
  let flushTimer: NodeJS.Timeout | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  const printedRules = new Set<string>();
  const printedDiagnoses = new Set<string>();
  let printedIncidents = 0;
  /** New pasta incidents and rules since the last time, printed once denials pause. */
  const settle = () => {
    if (!dirty) return;
    dirty = false;
    const report = buildReport(builder.state(), policyReportOptions(opts.policy));
    const incidents = report.pasta.incidents.slice(printedIncidents);
    printedIncidents = report.pasta.incidents.length;
    const rules = report.rules.filter((r) => !printedRules.has(`${r.profile}\0${r.rule}`));
    for (const r of rules) printedRules.add(`${r.profile}\0${r.rule}`);
    if (incidents.length === 0 && rules.length === 0) return;
    const out: string[] = ["", "── settled ──"];
    if (incidents.length > 0) {
      // Only what is new: a diagnosis already explained is named again with its new incidents, not reprinted.
      const ids = new Set(incidents.map((i) => i.id));
      const touched = report.pasta.diagnoses.filter((d) => d.incidents.some((id) => ids.has(id)));
      const fresh = touched.filter((d) => !printedDiagnoses.has(d.id));
      const shown = reportInZone({ ...report, pasta: { ...report.pasta, incidents, diagnoses: fresh, messages: [], omittedIncidents: 0, dropped: 0 } }, opts.zone);
      out.push(...renderPastaText(shown.pasta, incidents.length));
      for (const d of touched) {
        if (printedDiagnoses.has(d.id)) out.push(`  [${d.severity}] ${d.id} again (incident ${d.incidents.filter((id) => ids.has(id)).join(", ")}): the fix above applies`);
        printedDiagnoses.add(d.id);
      }
    }
    if (rules.length > 0) out.push("", renderApparmor(reportInZone({ ...report, rules }, opts.zone)).trimEnd());
    process.stdout.write(out.join("\n") + "\n\n");
  };
  let saveTimer: NodeJS.Timeout | undefined;
  let stateWarned = false;
  let lastSave = 0;
  const saveState = async () => {
    if (statePath === undefined) return;
    lastSave = Date.now();
    const state: StateFile = { format: "aalens-watch-state", version: 1, positions: follower?.positions() ?? {} };
    const cursor = journal?.position();
    if (cursor !== undefined) state.journalCursor = cursor;
    try {
      await writeFileAtomic(statePath, jsonText(state));
    } catch (err) {
      // The watch goes on without a state rather than stopping; say so once.
      if (!stateWarned) process.stderr.write(`aalens: ${err instanceof Error ? err.message : String(err)} (state not saved)\n`);
      stateWarned = true;
    }
  };

  const sink = {
    record: (r: AuditRecord, text: string) => builder.record(r, text),
    header: (h: RecordHeader, text: string) => builder.header(h, text),
    unparsed: (s: Skipped) => builder.skipped(s),
    other: (l: SourceLine) => builder.other(l),
  };
  const onLines = (lines: SourceLine[]) => {
    builder.line(lines.length);
    deliverBatch(lines.filter(keepLine), sink);
    // Live: an event without EOE is shown once the input is quiet for a moment (its companion
    // records are written with it, and inotify delivers them within milliseconds).
    clearTimeout(flushTimer);
    flushTimer = setTimeout(() => builder.flush(), QUIET_MS);
    // When the denials stop for a moment, the incident has settled: say what it amounts to.
    clearTimeout(settleTimer);
    if (format === "text") settleTimer = setTimeout(settle, SETTLE_MS);
    // State at most once a second (write + rename).
    if (statePath !== undefined && saveTimer === undefined) {
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        void saveState();
      }, Math.max(0, 1000 - (Date.now() - lastSave)));
    }
  };

  const follower =
    positionals.length === 0
      ? undefined
      : new FileFollower(positionals, {
          fromStart: values["from-start"] === true,
          pollMs,
          maxLineLength: opts.maxLineLength,
          ...(positions === undefined ? {} : { positions }),
          onLines,
          onSkip: (s) => builder.framingSkip(s),
          onNote: note,
        });
  const journal = !followJournal
    ? undefined
    : new JournalFollower({
        files: journalFiles,
        ...(journalDir === undefined ? {} : { directory: journalDir }),
        ...(saved?.journalCursor === undefined ? {} : { cursor: saved.journalCursor }),
        // --since (ISO or 2h/1d) as journalctl's @EPOCH, so the journal starts there.
        ...(opts.filter.since === undefined ? {} : { since: `@${Math.floor(opts.filter.since / 1000)}` }),
        fromStart: values["from-start"] === true,
        onLines,
        onNote: note,
      });
  if (journal !== undefined && !journal.available) throw new UsageError("journalctl is not installed (apt-get install systemd): give log FILEs to follow instead");
  await follower?.start();
  journal?.start();
  const what = [...positionals, ...(journal === undefined ? [] : [journalFiles.length > 0 || journalDir !== undefined ? "journal files" : "the journal"])];
  note(`watching ${what.join(", ")} (Ctrl-C for a summary)`);

  const summaryLine = () => {
    const s = builder.counts();
    return `aalens watch: ${s.lines} lines, ${s.apparmor} AppArmor events, ${s.denials} denials`;
  };
  const interval = values["summary-interval"] === undefined ? undefined : intOption(values["summary-interval"], "summary-interval", 60);
  const summaryTimer = interval === undefined ? undefined : setInterval(() => process.stderr.write(summaryLine() + "\n"), interval * 1000);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(summaryTimer);
  clearTimeout(settleTimer);
  await follower?.stop();
  await journal?.stop();
  clearTimeout(flushTimer);
  clearTimeout(saveTimer);
  await saveState();
  const report = buildReport(builder.state(), policyReportOptions(opts.policy));
  const s = report.summary;
  process.stderr.write(`aalens watch: ${s.lines} lines, ${s.apparmor} AppArmor events, ${s.denials} denials, ${report.rules.length} suggested rules\n`);
  if (format === "text" && report.rules.length > 0) process.stdout.write("\n" + renderApparmor(reportInZone(report, opts.zone)));
  return 0;
}
