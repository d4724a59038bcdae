#!/usr/bin/env node
/**
 * The `aalens` command: dispatch to a subcommand; turn every failure into one clear line on
 * stderr and an exit status (1 usage or fatal, 2 something skipped), never a stack trace.
 */
import { messageText, terminalDocument } from "../report/text-safety.js";
import { readFileSync } from "node:fs";
import { UsageError } from "./args.js";
import { HELP } from "./top-help.js";
import { boundHeapGrowth } from "./heap.js";
type Command = (argv: string[]) => Promise<number>;

/** Each command is loaded when it runs: `--version` and `--help` need none of the grammar. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  analyze: async () => (await import("./commands/analyze.js")).runAnalyze,
  rules: async () => (await import("./commands/rules.js")).runRules,
  merge: async () => (await import("./commands/merge.js")).runMerge,
  pasta: async () => (await import("./commands/pasta.js")).runPasta,
  watch: async () => (await import("./commands/watch.js")).runWatch,
  parse: async () => (await import("./commands/parse.js")).runParse,
  completion: async () => (await import("./commands/completion.js")).runCompletion,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  // `aalens help CMD` is `aalens CMD --help`.
  if (first === "help" && rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0])) return (await COMMANDS[rest[0]]!())(["--help"]);
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(HELP + "\n");
    return first === undefined ? 1 : 0;
  }
  if (first === "-V" || first === "--version") {
    process.stdout.write(version() + "\n");
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (load === undefined) throw new UsageError(`unknown command "${first}" (try: aalens --help)`);
  return (await load())(rest);
}

boundHeapGrowth();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Messages are built with messageText already; the gate again, as for every output.
    if (err instanceof UsageError) process.stderr.write(`aalens: ${terminalDocument(err.message)}\n`);
    else process.stderr.write(`aalens: internal error: ${messageText(err instanceof Error ? err.message : String(err))}\n  (please report this; run with AALENS_DEBUG=1 for details)\n`);
    if (process.env.AALENS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  },
);
