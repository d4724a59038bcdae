/** `aalens parse`: every record found, as NDJSON, one object per line. */
import { INPUT_OPTIONS, intOption, parseCommandArgs, resolveInputs, type Options } from "../args.js";
import { Output } from "../output.js";
import { readRecords } from "../../parse/read-records.js";
import { jsonText, terminalText } from "../../report/text-safety.js";
import { SKIP_CODES, type SkipCode } from "../../input/reasons.js";

export const parseHelp = `Usage: aalens parse [options] [INPUT…]

Write every audit / AppArmor record found in the inputs as NDJSON, one object per line:
  {"source","line","format","type","auditId","time","host","mode","fields","msg"}
INPUT is a file (plain, .gz, .xz, .zst, .bz2), a directory (read recursively), journald output
(journalctl -o json or -o export) or - for stdin. With no INPUT, piped stdin is read; on a
terminal, the system's journal and /var/log/audit/audit.log.

Options:
  -o, --output FILE          write to FILE instead of stdout
      --max-line-length N    skip (and count) lines longer than N characters (default 65536)
  -q, --quiet                no summary of skipped lines on stderr
  -h, --help                 show this help

Examples:
  aalens parse /var/log/audit/audit.log | jq -c 'select(.mode == "DENIED")'
  journalctl -k -o json | aalens parse
  aalens parse samples/ > records.ndjson

Exit status: 0 all read, 2 some input or line was skipped (see stderr), 1 usage error.`;

/** The options of `aalens parse` (also read by the help check, the shell completion and the man page). */
export const parseOptions: Options = INPUT_OPTIONS;

export async function runParse(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, parseOptions);
  if (values.help) {
    process.stdout.write(parseHelp + "\n");
    return 0;
  }
  const maxLineLength = intOption(values["max-line-length"], "max-line-length", 65536);
  const out = Output.open(values.output as string | undefined);
  const skipped = new Map<SkipCode, number>();
  let errors = 0;
  await readRecords(
    resolveInputs(positionals),
    {
      record(record) {
        out.push(jsonText(record) + "\n");
      },
      afterBatch: () => out.drain(),
      unparsed(s) {
        skipped.set(s.code, (skipped.get(s.code) ?? 0) + 1);
      },
      framingSkip(s) {
        skipped.set(s.code, (skipped.get(s.code) ?? 0) + 1);
      },
      sourceError(source, message) {
        errors++;
        process.stderr.write(`aalens: ${terminalText(source)}: ${terminalText(message)}\n`);
      },
      note(message) {
        if (!values.quiet) process.stderr.write(`aalens: ${terminalText(message)}\n`);
      },
    },
    { maxLineLength },
  );
  await out.close();
  if (!values.quiet) for (const [code, n] of skipped) process.stderr.write(`aalens: skipped ${n} line(s): ${code} (${SKIP_CODES[code]})\n`);
  return errors > 0 || skipped.size > 0 ? 2 : 0;
}
