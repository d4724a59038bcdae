/** `aalens rules`: the AppArmor rules the logs show are missing, per profile, ready to paste. */
import { jsonText } from "../../report/text-safety.js";
import { constants } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { INPUT_HELP, INPUT_OPTIONS, UsageError, parseCommandArgs, choiceOption, type Options } from "../args.js";
import { collectState, exitStatus } from "../run.js";
import { ANALYSIS_OPTIONS, runOptions } from "../options.js";
import { Output } from "../output.js";
import { loadedPolicyDir, policyNotes, policyReportOptions } from "../policy.js";
import { buildReport } from "../../report/report.js";
import { reportInZone } from "../../report/time-format.js";
import { renderApparmor, renderProfileRules, reportTarget, type Verification } from "../../report/apparmor.js";
import { rulesByProfile } from "../../report/by-profile.js";
import { verifyBlocks } from "../../apparmor/verify.js";
import type { PolicyChoice } from "../options.js";
import type { AnalyzeReport, SuggestedRule } from "../../report/model.js";
import { localFileOf, type RuleTarget } from "../../apparmor/local/target.js";
import { messageText } from "../../report/text-safety.js";
import { errorText } from "../../input/errors.js";
import { writeFileAtomic } from "../safe-write.js";
import { mergeManagedBlock } from "../../apparmor/local/managed-block.js";

export const rulesHelp = `Usage: aalens rules [options] [INPUT…]

Turn AppArmor denials into the rules that are missing, per profile: least privilege, with the
tunables' variables (@{PROC}, @{pid}, @{uid}, @{run}, @{HOME} …), checked against the installed
policy. Each rule says what it covers and why. Rules the installed profile already has, rules a
deny rule refuses, and rules that look dangerous are printed commented out.

Options:
  -f, --format FORMAT        apparmor (default: policy text for /etc/apparmor.d/local/) or json
      --write-local DIR      write one file per profile into DIR (e.g. /etc/apparmor.d/local); an
                             existing file keeps its content, aalens's block is added or replaced
      --verify               exit with status 2 when a profile does not compile with its suggested rules
      --no-verify            do not compile the profiles with their suggested rules
      --literal              keep literal rules apart (no globs for random-looking siblings)
      --mode MODES           denied (default), allowed (complain mode), audit or all; comma-separated
      --profile-dir DIR      installed policy to check against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --since, --until, --utc, --profile, --host, --pasta, --fail-on-denials, --no-color
                             as for aalens analyze (see aalens analyze --help)
${INPUT_HELP}

Examples:
  sudo aalens rules                                # from this machine's journal and audit.log
  aalens rules --mode all /var/log/audit/audit.log # complain-mode (ALLOWED) events too
  aalens rules --write-local ./local samples/      # one file per profile under ./local
  aalens rules --format json samples/ | jq '.[] | select(.status == "missing") | .rule'

Each block says where it goes (the local file the installed profile reads, or the include line
to add first) and, with apparmor_parser installed, whether the profile compiles with it.

Exit status: 0 all read, 2 some input or line was skipped (reported), or with --verify a profile
that does not compile with its rules, 1 usage error or a local file that could not be written
(the others are still written), 3 with --fail-on-denials.`;

/**
 * Read a local/ file without following a link or blocking on a FIFO planted in its place:
 * undefined when there is none; a UsageError when the path is not a regular file.
 */
async function readLocal(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new UsageError(`${messageText(path)}: a symbolic link, not a regular file (refusing to write through it)`);
    throw new UsageError(`${messageText(path)}: cannot read (${messageText(errorText(err))})`);
  }
  try {
    if (!(await handle.stat()).isFile()) throw new UsageError(`${messageText(path)}: not a regular file (refusing to replace it)`);
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** Each profile's block compiled into its installed profile, in a copy of the policy (apparmor/verify.ts). */
function verifyReport(report: AnalyzeReport, choice: PolicyChoice): Map<string, Verification> {
  const out = new Map<string, Verification>();
  if (choice === null) return out;
  const byProfile = [...rulesByProfile(report)];
  const blocks = byProfile.map(([profile, rules]) => ({ target: reportTarget(report, profile), text: renderProfileRules(profile, rules, reportTarget(report, profile)) }));
  const results = verifyBlocks(loadedPolicyDir(choice), blocks);
  byProfile.forEach(([profile], i) => out.set(profile, results[i]!));
  return out;
}

/** Put aalens's block into a local/ file, replacing an earlier one in place and keeping the rest. */
async function writeLocal(path: string, block: string): Promise<void> {
  const merged = mergeManagedBlock((await readLocal(path)) ?? "", block);
  if (merged.text === undefined) throw new UsageError(`${messageText(path)}: ${merged.reason}`);
  await writeFileAtomic(path, merged.text);
}

/**
 * One --write-local: a file per local file the profiles read, holding the blocks of every profile
 * that goes there. Nothing is written for a profile no policy file holds, and aalens never edits a
 * vendor profile: when the profile reads no local file, the include line to add is printed.
 */
async function writeLocalFiles(dir: string, report: AnalyzeReport, quiet: boolean): Promise<number> {
  await mkdir(dir, { recursive: true });
  const byProfile = new Map<string, SuggestedRule[]>();
  for (const r of report.rules) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
  const byFile = new Map<string, Array<[string, SuggestedRule[], RuleTarget]>>();
  let failed = 0;
  for (const [profile, list] of byProfile) {
    const target = reportTarget(report, profile);
    const name = localFileOf(target);
    if (name === undefined || name.split("/").includes("..")) {
      const why = target.kind === "not-policy" ? `${target.why} ${target.next}` : target.kind === "none" ? target.reason : "no local file";
      process.stderr.write(`aalens: not written: profile ${messageText(profile)}: ${messageText(why)}\n`);
      if (target.kind !== "not-policy") failed++;
      continue;
    }
    if (target.kind === "add-include" && !quiet) {
      process.stderr.write(`aalens: profile ${messageText(profile)} reads no local file: add \`${target.include}\` to ${messageText(target.profileFile)} before line ${target.line}, or the rules in local/${messageText(name)} have no effect\n`);
    }
    byFile.set(name, [...(byFile.get(name) ?? []), [profile, list, target]]);
  }
  for (const [name, profiles] of byFile) {
    const path = join(dir, name);
    const block = profiles.map(([profile, list, target]) => renderProfileRules(profile, list, target)).join("\n");
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeLocal(path, block);
      if (!quiet) for (const [profile, list] of profiles) process.stderr.write(`aalens: wrote ${list.length} rule(s) for ${messageText(profile)} to ${messageText(path)}\n`);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`aalens: not written: ${err.message}\n`);
      failed++;
    }
  }
  return failed;
}

export const rulesFormats = ["apparmor", "json"] as const;

/** The options of `aalens rules` (also read by the help check, the shell completion and the man page). */
export const rulesOptions: Options = {
  ...INPUT_OPTIONS,
  ...ANALYSIS_OPTIONS,
  format: { type: "string", short: "f", default: "apparmor" },
  "write-local": { type: "string" },
  verify: { type: "boolean" },
  literal: { type: "boolean" },
  "no-verify": { type: "boolean" },
};

export async function runRules(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, rulesOptions);
  if (values.help) {
    process.stdout.write(rulesHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  choiceOption(format, "format", rulesFormats);
  const opts = runOptions(values, positionals);
  const state = await collectState(opts);
  state.notes.push(...policyNotes(opts.policy));
  const report = reportInZone(buildReport(state, { ...policyReportOptions(opts.policy), literal: values.literal === true }), opts.zone);

  const verified = values["no-verify"] === true ? new Map<string, Verification>() : verifyReport(report, opts.policy);
  const failed = [...verified.values()].filter((v) => v.status === "failed").length;
  const dir = values["write-local"] as string | undefined;
  const notWritten = dir === undefined ? 0 : await writeLocalFiles(dir, report, opts.quiet);
  const out = Output.open(opts.output);
  if (format === "json") {
    const rules = report.rules.map(({ profile, rule, status, warning, covers, reason }) => {
      const v = verified.get(profile);
      return { profile, rule, status, ...(warning ? { warning } : {}), target: reportTarget(report, profile), ...(v ? { verification: v } : {}), covers, reason };
    });
    out.push(jsonText(rules, 2) + "\n");
  } else if (dir === undefined) out.push(renderApparmor(report, verified));
  await out.close();
  if (failed > 0 && !opts.quiet) process.stderr.write(`aalens: ${failed} profile(s) do not compile with the suggested rules (see the NOT VERIFIED lines)\n`);
  if (notWritten > 0) return 1;
  if (failed > 0 && values.verify === true) return 2;
  return exitStatus(state, opts);
}
