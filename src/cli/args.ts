/** Command-line parsing on node:util parseArgs, with usage errors that are one clear line. */
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs(argv: string[], options: Options): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, unknown>, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, "."));
  }
}

/** The value of an option that takes one of a fixed list (--format, --csv-rows), checked. */
export function choiceOption<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  const v = String(value);
  if (!(choices as readonly string[]).includes(v)) {
    const list = choices.length > 1 ? `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}` : choices.join("");
    throw new UsageError(`unknown --${name} "${v}" (use ${list})`);
  }
  return v as T;
}

/** A positive integer option, or the default. */
export function intOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive whole number, not "${String(value)}"`);
  return n;
}

/** The inputs to read: what was given, else stdin when it is piped, else the system's logs. */
export function resolveInputs(positionals: string[]): string[] {
  if (positionals.length > 0) return positionals;
  return process.stdin.isTTY ? [] : ["-"];
}

/** Options every input-reading command takes. */
export const INPUT_OPTIONS: Options = {
  output: { type: "string", short: "o" },
  "max-line-length": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

/** The help lines of INPUT_OPTIONS, shared by every command's --help. */
export const INPUT_HELP = `  -o, --output FILE          write to FILE instead of stdout
      --max-line-length N    skip (and count) lines longer than N characters (default 65536)
  -q, --quiet                no notes on stderr
  -h, --help                 show this help`;
