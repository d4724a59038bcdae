/** `aalens pasta`: pasta incidents, the Podman/Buildah action behind them, root causes and fixes. */
import { INPUT_HELP, INPUT_OPTIONS, UsageError, parseCommandArgs, choiceOption, type Options } from "../args.js";
import { collectState, exitStatus } from "../run.js";
import { ANALYSIS_OPTIONS, REPORT_OPTIONS, modesOption, runOptions } from "../options.js";
import { Output } from "../output.js";
import { policyNotes, policyReportOptions } from "../policy.js";
import { buildReport } from "../../report/report.js";
import { renderPastaText } from "../../report/pasta-text.js";
import { reportInZone } from "../../report/time-format.js";
import { DEFAULT_TOP } from "../../report/by-profile.js";
import { jsonText, terminalText } from "../../report/text-safety.js";
import { probeSystem, systemLines } from "../../pasta/system-probe.js";

export const pastaHelp = `Usage: aalens pasta [options] [INPUT…]

Explain AppArmor denials of pasta (the passt project's networking for rootless Podman, Buildah
and rootlesskit): which pasta step the kernel refused, whether it is fatal, which Podman/Buildah
action started pasta, the root cause, and what to change. Error lines printed by pasta, Podman or
Buildah in the same inputs (journal entries, or a text file with their stderr) are attached.

Options:
  -f, --format FORMAT        text (default) or json
      --profile-dir DIR      installed policy to check rules against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --system               also read this host (read-only): pasta/passt binaries and their link
                             type, pasta/podman/buildah/apparmor_parser versions, policy ABIs,
                             loaded profiles and modes, kernel.apparmor_restrict_unprivileged_userns,
                             the distribution — and use it in the diagnoses
      --root DIR             with --system: read the files under DIR instead of / (an image, a
                             copy of the affected host's files); no program is run then
      --top N                list the first N incidents and messages (default ${DEFAULT_TOP}; every one is
                             still diagnosed)
      --since, --until, --utc, --profile, --host, --pasta, --fail-on-denials, --no-color
                             as for aalens analyze (see aalens analyze --help)
${INPUT_HELP}

Examples:
  sudo aalens pasta                                  # this machine's journal and audit.log
  podman run --rm alpine true 2> err.txt; sudo journalctl -k -o json | aalens pasta - err.txt
  aalens pasta --format json samples/ | jq '.diagnoses[].id'

Exit status: 0 all read, 2 some input or line was skipped (reported), 3 AppArmor denials (of
pasta or not) found with --fail-on-denials, 1 usage error.`;

// pasta reads every AppArmor mode (a complain-mode profile's ALLOWED records are steps too): no --mode.
const { mode: _mode, ...pastaAnalysisOptions } = ANALYSIS_OPTIONS;

export const pastaFormats = ["text", "json"] as const;

/** The options of `aalens pasta` (also read by the help check, the shell completion and the man page). */
export const pastaOptions: Options = {
  ...INPUT_OPTIONS,
  ...pastaAnalysisOptions,
  top: REPORT_OPTIONS.top!,
  format: { type: "string", short: "f", default: "text" },
  system: { type: "boolean" },
  root: { type: "string" },
};

export async function runPasta(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, pastaOptions);
  if (values.help) {
    process.stdout.write(pastaHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  choiceOption(format, "format", pastaFormats);
  if (values.root !== undefined && values.system !== true) throw new UsageError("--root needs --system");
  const opts = { ...runOptions(values, positionals), modes: modesOption("all") };
  const system = values.system === true ? probeSystem((values.root as string | undefined) ?? "/") : undefined;
  const state = await collectState(opts);
  state.notes.push(...policyNotes(opts.policy));
  const report = buildReport(state, { ...policyReportOptions(opts.policy), ...(system ? { pastaSystem: system } : {}) });
  const out = Output.open(opts.output);
  if (format === "json") out.push(jsonText(system === undefined ? report.pasta : { ...report.pasta, system }, 2) + "\n");
  else {
    const head = system === undefined ? [] : ["", "this system (read-only probes):", ...systemLines(system).map((l) => `  ${terminalText(l)}`)];
    const lines = renderPastaText(reportInZone(report, opts.zone).pasta, opts.top);
    const none = `aalens pasta: no pasta denials in ${report.summary.lines} lines (${report.summary.denials} AppArmor denials of other programs)`;
    out.push((lines.length === 0 && head.length === 0 ? none : ["aalens pasta", ...report.notes.map((n) => `  ${terminalText(n)}`), ...head, ...(lines.length === 0 ? ["", none] : lines)].join("\n")) + "\n");
  }
  await out.close();
  return exitStatus(state, opts);
}
