/** `aalens merge`: one report from the states of several runs or hosts. */
import { parseCommandArgs, UsageError, choiceOption, type Options } from "../args.js";
import { writeReport } from "../run.js";
import { ANALYSIS_OPTIONS, REPORT_HELP, REPORT_OPTIONS, runOptions } from "../options.js";
import { loadState } from "../state-file.js";
import { Collector } from "../../analysis/collector.js";
import type { AnalysisState } from "../../report/model.js";

export const mergeHelp = `Usage: aalens merge [options] STATE…

Combine analysis states saved with \`aalens analyze --save-state FILE\` (other runs, other hosts,
other days) into one report, as if all their inputs had been read in one run. An event that is in
more than one state is reported in the notes. A file that is not a valid state is named on stderr
and left out: the others are still merged and reported, and the exit status is 1.

Options:
  -f, --format FORMAT        text (default), json, markdown or html
      --save-state FILE      save the merged state (to merge again later)
      --profile-dir DIR      installed policy to check rules against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --fail-on-denials      exit with status 3 when the merged states hold denials
      --utc                  show times in UTC (default: local time)
      --no-color             no colour (also NO_COLOR=1)
${REPORT_HELP}
  -o, --output FILE          write the report to FILE instead of stdout
  -h, --help                 show this help

Examples:
  ssh host1 aalens analyze -q --save-state /tmp/host1.json && scp host1:/tmp/host1.json .
  aalens analyze --save-state monday.json /var/log/audit/audit.log.1
  aalens merge monday.json tuesday.json host1.json

Exit status: 0, 2 when the merged runs skipped something (reported), 3 denials found with
--fail-on-denials, 1 a state that could not be used (the others are still reported) or a usage
error.`;

export const mergeFormats = ["text", "json", "markdown", "html"] as const;

/** The options of `aalens merge` (also read by the help check, the shell completion and the man page). */
export const mergeOptions: Options = {
  // What applies to states already read: the policy the rules are checked against, the exit status, the display.
  "profile-dir": ANALYSIS_OPTIONS["profile-dir"]!,
  "no-policy": ANALYSIS_OPTIONS["no-policy"]!,
  "fail-on-denials": ANALYSIS_OPTIONS["fail-on-denials"]!,
  "no-color": ANALYSIS_OPTIONS["no-color"]!,
  utc: ANALYSIS_OPTIONS.utc!,
  ...REPORT_OPTIONS,
  format: { type: "string", short: "f", default: "text" },
  output: { type: "string", short: "o" },
  "save-state": { type: "string" },
  help: { type: "boolean", short: "h" },
};

export async function runMerge(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, mergeOptions);
  if (values.help) {
    process.stdout.write(mergeHelp + "\n");
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("merge needs at least one state file (see aalens merge --help)");
  const format = values.format as string;
  choiceOption(format, "format", mergeFormats);
  // A state that cannot be used is named on stderr and left out; the others are still merged.
  const states: AnalysisState[] = [];
  let refused = 0;
  for (const path of positionals) {
    try {
      states.push(await loadState(path));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`aalens: ${err.message}\n`);
      refused++;
    }
  }
  if (states.length === 0) return 1;
  // The states are the inputs: the run options are those of a run that read nothing.
  const opts = { ...runOptions(values, []), inputs: [] };
  const collector = new Collector({ modes: new Set(states[0]!.modes), keepSeen: opts.saveState !== undefined });
  for (const s of states) collector.merge(s);
  const status = await writeReport(collector.state(), opts, format);
  // The report covers the states that could be read; a refused one still makes it a usage error.
  return refused > 0 ? 1 : status;
}
