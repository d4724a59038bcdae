/** The help and options of `aalens completion` (apart from the command, which reads every command's tables). */
import type { Options } from "../args.js";

export const completionHelp = `Usage: aalens completion bash|zsh

Print the shell completion script for aalens: commands, every option of each command, the
values of --format, --mode and --csv-rows, and file names. Generated from the same option
tables the commands read, so it is never out of date.

Options:
  -h, --help                 show this help

Examples:
  source <(aalens completion bash)                             # this shell
  aalens completion bash | sudo tee /etc/bash_completion.d/aalens
  aalens completion zsh > ~/.zfunc/_aalens                      # with fpath+=(~/.zfunc) before compinit

Exit status: 0, 1 usage error (no shell, or one other than bash and zsh).`;

export const completionOptions: Options = {
  help: { type: "boolean", short: "h" },
};
