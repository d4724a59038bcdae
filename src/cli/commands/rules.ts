/** `aalens rules`: the AppArmor rules the logs show are missing, per profile, ready to paste. */
import { jsonText } from "../../report/text-safety.js";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { INPUT_HELP, INPUT_OPTIONS, UsageError, parseCommandArgs, resolveInputs } from "../args.js";
import { ANALYSIS_OPTIONS, collectState, exitStatus } from "../collect.js";
import { Output } from "../output.js";
import { policyChecker, policyFileOf, policyNotes } from "../policy.js";
import { buildReport } from "../../report/report.js";
import { localFileName, renderApparmor, renderProfileRules } from "../../report/apparmor.js";
import type { SuggestedRule } from "../../report/model.js";

export const rulesHelp = `Usage: aalens rules [options] [INPUT…]

Turn AppArmor denials into the rules that are missing, per profile: least privilege, with the
tunables' variables (@{PROC}, @{pid}, @{uid}, @{run}, @{HOME} …), checked against the installed
policy. Each rule says what it covers and why. Rules the installed profile already has, rules a
deny rule refuses, and rules that look dangerous are printed commented out.

Options:
  -f, --format FORMAT        apparmor (default: policy text for /etc/apparmor.d/local/) or json
      --write-local DIR      write one file per profile into DIR (e.g. /etc/apparmor.d/local); an
                             existing file keeps its content, aalens's block is added or replaced
      --mode MODES           denied (default), allowed (complain mode), audit or all; comma-separated
      --profile-dir DIR      installed policy to check against (default /etc/apparmor.d)
      --no-policy            do not check against the installed policy
      --since, --until, --profile, --host, --pasta, --fail-on-denials, --no-color
                             as for aalens analyze (see aalens analyze --help)
${INPUT_HELP}

Examples:
  sudo aalens rules                                # from this machine's journal and audit.log
  aalens rules --mode all /var/log/audit/audit.log # complain-mode (ALLOWED) events too
  aalens rules --write-local ./local samples/      # one file per profile under ./local
  aalens rules --format json samples/ | jq '.[] | select(.status == "missing") | .rule'

Exit status: 0 all read, 2 some input or line was skipped (reported), 1 usage error.`;

const BEGIN = "# BEGIN aalens";
const END = "# END aalens";

/** Put aalens's block into a local/ file, replacing an earlier one and keeping the rest. */
async function writeLocal(dir: string, name: string, block: string): Promise<string> {
  const path = join(dir, name);
  let existing = "";
  try {
    existing = await readFile(path, "utf8");
  } catch {
    // a new file
  }
  const start = existing.indexOf(BEGIN);
  const end = existing.indexOf(END, start);
  const kept = start >= 0 && end >= 0 ? existing.slice(0, start) + existing.slice(end + END.length).replace(/^\n/, "") : existing;
  const text = `${kept}${kept === "" || kept.endsWith("\n") ? "" : "\n"}${BEGIN}\n${block}${END}\n`;
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return path;
}

export async function runRules(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...INPUT_OPTIONS,
    ...ANALYSIS_OPTIONS,
    format: { type: "string", short: "f", default: "apparmor" },
    "write-local": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(rulesHelp + "\n");
    return 0;
  }
  const format = values.format as string;
  if (format !== "apparmor" && format !== "json") throw new UsageError(`unknown --format "${format}" (use apparmor or json)`);
  const state = await collectState(resolveInputs(positionals), values);
  state.notes.push(...policyNotes(values));
  const report = buildReport(state, { policy: policyChecker(values) });
  const fileOf = (profile: string) => localFileName(profile, policyFileOf(values, profile));

  const dir = values["write-local"] as string | undefined;
  if (dir !== undefined) {
    await mkdir(dir, { recursive: true });
    const byProfile = new Map<string, SuggestedRule[]>();
    for (const r of report.rules) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
    for (const [profile, rules] of byProfile) {
      const name = fileOf(profile);
      const path = await writeLocal(dir, name, renderProfileRules(profile, rules, name));
      if (!values.quiet) process.stderr.write(`aalens: wrote ${rules.length} rule(s) for ${profile} to ${path}\n`);
    }
  }
  const out = Output.open(values.output as string | undefined);
  if (format === "json") {
    const rules = report.rules.map(({ profile, rule, status, warning, covers, reason }) => ({ profile, rule, status, ...(warning ? { warning } : {}), covers, reason }));
    out.push(jsonText(rules, 2) + "\n");
  } else if (dir === undefined) out.push(renderApparmor(report, fileOf));
  await out.close();
  return exitStatus(state, values);
}
