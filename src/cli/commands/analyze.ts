/** `aalens analyze`: what was denied, by which profile, how often — and what could not be read. */
import { INPUT_OPTIONS, intOption, parseCommandArgs, resolveInputs, UsageError } from "../args.js";
import { Output } from "../output.js";
import { readRecords } from "../../parse/read-records.js";
import { ReportBuilder } from "../../report/build-report.js";
import { renderText } from "../../report/text.js";
import { renderJson } from "../../report/json.js";
import { safeText } from "../../report/sanitize.js";
import type { AnalyzeReport } from "../../report/model.js";

export const analyzeHelp = `Usage: aalens analyze [options] [INPUT…]

Read audit / AppArmor records and report the denials grouped by profile, operation and resource,
the records per source and mode, and every line that could not be read, with the reason.
INPUT is a file (plain, .gz, .xz, .zst, .bz2), a directory (read recursively), journald output
(journalctl -o json or -o export) or - for stdin. With no INPUT, piped stdin is read; on a
terminal, the system's journal (kernel and audit transports) and /var/log/audit/audit.log*.

Options:
  -f, --format FORMAT        text (default) or json
  -o, --output FILE          write the report to FILE instead of stdout
      --max-line-length N    skip (and count) lines longer than N characters (default 65536)
  -q, --quiet                no notes on stderr
  -h, --help                 show this help

Examples:
  aalens analyze samples/
  sudo aalens analyze                          # this machine's journal and audit.log
  journalctl -b -o json | aalens analyze --format json | jq .summary
  aalens analyze /var/log/audit/ /var/log/kern.log.2.gz

Exit status: 0 all read, 2 some input or line was skipped (reported), 1 usage error.`;

const FORMATS = ["text", "json"] as const;

export async function runAnalyze(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...INPUT_OPTIONS,
    format: { type: "string", short: "f", default: "text" },
  });
  if (values.help) {
    process.stdout.write(analyzeHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format "${format}" (use ${FORMATS.join(" or ")})`);
  const maxLineLength = intOption(values["max-line-length"], "max-line-length", 65536);

  const builder = new ReportBuilder();
  await readRecords(
    resolveInputs(positionals),
    {
      record: (r, text) => builder.record(r, text),
      header: (h) => builder.header(h),
      unparsed: (s) => builder.skipped(s),
      framingSkip: (s) => builder.framingSkip(s),
      line: () => builder.line(),
      sourceError: (source, message) => {
        builder.sourceError(source, message);
        if (!values.quiet) process.stderr.write(`aalens: ${safeText(source)}: ${safeText(message)}\n`);
      },
      sourceDone: (summary) => builder.sourceDone(summary),
      note: (message) => builder.note(message),
    },
    { maxLineLength },
  );
  const report = builder.finish();
  const out = Output.open(values.output as string | undefined);
  out.push(format === "json" ? renderJson(report) : renderText(report, { width: process.stdout.columns }));
  await out.close();
  return exitStatus(report);
}

/** 2 when anything was skipped: an input, a dropped line or an unreadable record. */
export function exitStatus(report: AnalyzeReport): number {
  const s = report.summary;
  return s.inputErrors + s.skippedLines + s.unparsed > 0 ? 2 : 0;
}
