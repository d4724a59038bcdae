/** `aalens completion bash|zsh`: the shell completion script, from the commands' option tables. */
import { parseCommandArgs, UsageError } from "../args.js";
import { bashCompletion, zshCompletion } from "../docs.js";
import { completionHelp, completionOptions } from "./completion-help.js";

export async function runCompletion(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, completionOptions);
  if (values.help) {
    process.stdout.write(completionHelp + "\n");
    return 0;
  }
  const shell = positionals[0];
  if (shell === "bash") process.stdout.write(bashCompletion());
  else if (shell === "zsh") process.stdout.write(zshCompletion());
  else throw new UsageError(`completion needs a shell: bash or zsh${shell === undefined ? "" : `, not "${shell}"`}`);
  return 0;
}
