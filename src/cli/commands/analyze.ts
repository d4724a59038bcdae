/** `aalens analyze`: what was denied, by which profile, how often — and what could not be read. */
import { INPUT_HELP, INPUT_OPTIONS, parseCommandArgs, choiceOption, type Options } from "../args.js";
import { collectState, exitStatus, writeReport } from "../run.js";
import { ANALYSIS_OPTIONS, REPORT_HELP, REPORT_OPTIONS, runOptions, type RunOptions } from "../options.js";
import { Output } from "../output.js";
import { ruleStanding } from "../policy.js";
import { saveState } from "../state-file.js";
import { CsvBatcher, csvEventRow } from "../../report/csv.js";
import { ecsDocument, ecsErrorDocument, ecsLine } from "../../report/ecs.js";
import type { Skipped } from "../../parse/record.js";

export const analyzeHelp = `Usage: aalens analyze [options] [INPUT…]

Read audit / AppArmor records and report the denials grouped by profile, operation and resource,
the records per source and mode, and every line that could not be read, with the reason.
INPUT is a file (plain, .gz, .xz, .zst, .bz2), a directory (read recursively), journald output
(journalctl -o json or -o export) or - for stdin. With no INPUT, piped stdin is read; on a
terminal, the system's journal (kernel and audit transports) and /var/log/audit/audit.log*.

Options:
  -f, --format FORMAT        text (default), markdown (for a bug report), html (one self-contained
                             page to attach to a ticket), json (the full report), csv
                             (spreadsheets) or ecs (NDJSON for Elasticsearch)
      --csv-rows ROWS        denials: one row per denial event, streamed (default); aggregate:
                             one row per grouped denial
      --ecs-original         add the log line as event.original to each ECS document
      --ecs-errors           also emit an ECS error document for each unreadable line
      --mode MODES           which AppArmor events become rules: denied (default), allowed
                             (complain mode), audit or all; comma-separated
      --profile-dir DIR      installed policy to check rules against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --save-state FILE      also save the analysis as JSON, for aalens merge
      --since TIME           only events at or after TIME (ISO 8601, or a duration back from
                             now: 30m, 2h, 1d, 1w)
      --until TIME           only events at or before TIME
      --profile GLOB         only these profiles (repeatable; * and ? globs)
      --host NAME            only these hosts (repeatable)
      --pasta                only pasta-related events
      --utc                  show times in UTC (default: local time, as journalctl); --since and
                             --until without an offset are read in the same zone
      --fail-on-denials      exit with status 3 when denials were found (CI, monitoring)
      --no-color             no colour (also NO_COLOR=1; colour is only ever used on a terminal)
${REPORT_HELP}
${INPUT_HELP}

Examples:
  aalens analyze samples/
  sudo aalens analyze                          # this machine's journal and audit.log
  journalctl -b -o json | aalens analyze --format json | jq .summary
  aalens analyze /var/log/audit/ /var/log/kern.log.2.gz
  aalens analyze --format html -o report.html /var/log/audit/

Exit status: 0 all read, 2 some input or line was skipped (reported), 3 denials found with
--fail-on-denials, 1 usage error.`;

export const analyzeFormats = ["text", "json", "markdown", "html", "csv", "ecs"] as const;
export const csvRowModes = ["denials", "aggregate"] as const;

/** The options of `aalens analyze` (also read by the help check, the shell completion and the man page). */
export const analyzeOptions: Options = {
  ...INPUT_OPTIONS,
  ...ANALYSIS_OPTIONS,
  ...REPORT_OPTIONS,
  format: { type: "string", short: "f", default: "text" },
  "save-state": { type: "string" },
  "csv-rows": { type: "string", default: "denials" },
  "ecs-original": { type: "boolean" },
  "ecs-errors": { type: "boolean" },
};

export async function runAnalyze(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, analyzeOptions);
  if (values.help) {
    process.stdout.write(analyzeHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  choiceOption(format, "format", analyzeFormats);
  const opts = runOptions(values, positionals);
  const rows = values["csv-rows"] as string;
  choiceOption(rows, "csv-rows", csvRowModes);
  if (format === "csv" && rows === "denials") return streamCsv(opts);
  if (format === "ecs") return streamEcs(opts, { original: values["ecs-original"] === true, errors: values["ecs-errors"] === true });
  return writeReport(await collectState(opts), opts, format);
}

/** One CSV row per denial event, written as the events stream by: constant memory. */
async function streamCsv(opts: RunOptions): Promise<number> {
  const csv = new CsvBatcher("denials");
  const out = Output.open(opts.output);
  // Nothing but the rows is printed: aggregate only when a state is to be saved.
  const standing = ruleStanding(opts.policy);
  const state = await collectState(opts, {
    aggregate: opts.saveState !== undefined,
    onEvent: (v) => csv.add(csvEventRow(v, standing, opts.zone)),
    afterBatch: () => (out.push(csv.take()), out.drain()),
  });
  out.push(csv.take(true));
  await out.close();
  if (opts.saveState !== undefined) await saveState(opts.saveState, state);
  return exitStatus(state, opts);
}

/** One ECS document per AppArmor event (and per unreadable line with --ecs-errors), as NDJSON. */
async function streamEcs(opts: RunOptions, ecs: { original: boolean; errors: boolean }): Promise<number> {
  const out = Output.open(opts.output);
  const state = await collectState(opts, {
    aggregate: opts.saveState !== undefined,
    onEvent: (v) => out.push(ecsLine(ecsDocument(v, { original: ecs.original }))),
    ...(ecs.errors ? { onUnparsed: (s: Skipped) => out.push(ecsLine(ecsErrorDocument(s))) } : {}),
    afterBatch: () => out.drain(),
  });
  await out.close();
  if (opts.saveState !== undefined) await saveState(opts.saveState, state);
  return exitStatus(state, opts);
}
