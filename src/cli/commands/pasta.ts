/** `aalens pasta`: pasta incidents, the Podman/Buildah action behind them, root causes and fixes. */
import { INPUT_HELP, INPUT_OPTIONS, UsageError, parseCommandArgs } from "../args.js";
import { collectState, exitStatus } from "../run.js";
import { ANALYSIS_OPTIONS, modesOption, runOptions } from "../options.js";
import { Output } from "../output.js";
import { policyNotes, policyReportOptions } from "../policy.js";
import { buildReport } from "../../report/report.js";
import { renderPastaText } from "../../report/pasta-text.js";
import { jsonText, terminalText } from "../../report/text-safety.js";

export const pastaHelp = `Usage: aalens pasta [options] [INPUT…]

Explain AppArmor denials of pasta (the passt project's networking for rootless Podman, Buildah
and rootlesskit): which pasta step the kernel refused, whether it is fatal, which Podman/Buildah
action started pasta, the root cause, and what to change. Error lines printed by pasta, Podman or
Buildah in the same inputs (journal entries, or a text file with their stderr) are attached.

Options:
  -f, --format FORMAT        text (default) or json
      --profile-dir DIR      installed policy to check rules against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --since, --until, --profile, --host, --pasta, --fail-on-denials, --no-color
                             as for aalens analyze (see aalens analyze --help)
${INPUT_HELP}

Examples:
  sudo aalens pasta                                  # this machine's journal and audit.log
  podman run --rm alpine true 2> err.txt; sudo journalctl -k -o json | aalens pasta - err.txt
  aalens pasta --format json samples/ | jq '.diagnoses[].id'

Exit status: 0 all read, 2 some input or line was skipped (reported), 1 usage error.`;

export async function runPasta(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...INPUT_OPTIONS,
    ...ANALYSIS_OPTIONS,
    format: { type: "string", short: "f", default: "text" },
  });
  if (values.help) {
    process.stdout.write(pastaHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  if (format !== "text" && format !== "json") throw new UsageError(`unknown --format "${format}" (use text or json)`);
  const opts = { ...runOptions(values, positionals), modes: modesOption("all") };
  const state = await collectState(opts);
  state.notes.push(...policyNotes(opts.policy));
  const report = buildReport(state, policyReportOptions(opts.policy));
  const out = Output.open(opts.output);
  if (format === "json") out.push(jsonText(report.pasta, 2) + "\n");
  else {
    const lines = renderPastaText(report.pasta);
    out.push(lines.length === 0 ? `aalens pasta: no pasta denials in ${report.summary.lines} lines (${report.summary.denials} AppArmor denials of other programs)\n` : ["aalens pasta", ...report.notes.map((n) => `  ${terminalText(n)}`), ...lines].join("\n") + "\n");
  }
  await out.close();
  return exitStatus(state, opts);
}
