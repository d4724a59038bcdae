/** `aalens analyze`: what was denied, by which profile, how often — and what could not be read. */
import { INPUT_OPTIONS, parseCommandArgs, resolveInputs, UsageError } from "../args.js";
import { ANALYSIS_OPTIONS, collectState, writeReport } from "../collect.js";

export const analyzeHelp = `Usage: aalens analyze [options] [INPUT…]

Read audit / AppArmor records and report the denials grouped by profile, operation and resource,
the records per source and mode, and every line that could not be read, with the reason.
INPUT is a file (plain, .gz, .xz, .zst, .bz2), a directory (read recursively), journald output
(journalctl -o json or -o export) or - for stdin. With no INPUT, piped stdin is read; on a
terminal, the system's journal (kernel and audit transports) and /var/log/audit/audit.log*.

Options:
  -f, --format FORMAT        text (default) or json
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
      --fail-on-denials      exit with status 3 when denials were found (CI, monitoring)
      --no-color             no colour (also NO_COLOR=1; colour is only ever used on a terminal)
  -o, --output FILE          write the report to FILE instead of stdout
      --max-line-length N    skip (and count) lines longer than N characters (default 65536)
  -q, --quiet                no notes on stderr
  -h, --help                 show this help

Examples:
  aalens analyze samples/
  sudo aalens analyze                          # this machine's journal and audit.log
  journalctl -b -o json | aalens analyze --format json | jq .summary
  aalens analyze /var/log/audit/ /var/log/kern.log.2.gz

Exit status: 0 all read, 2 some input or line was skipped (reported), 3 denials found with
--fail-on-denials, 1 usage error.`;

const FORMATS = ["text", "json"] as const;

export async function runAnalyze(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...INPUT_OPTIONS,
    ...ANALYSIS_OPTIONS,
    format: { type: "string", short: "f", default: "text" },
    "save-state": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(analyzeHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format "${format}" (use ${FORMATS.join(" or ")})`);
  const state = await collectState(resolveInputs(positionals), values, values["save-state"] !== undefined);
  return writeReport(state, values, format);
}
