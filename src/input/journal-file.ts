/**
 * Binary journal files (`*.journal`) are not plain compressed streams: journald compresses objects
 * inside its own format. journalctl reads them; its export output goes through the export parser.
 */
import type { SourceLine } from "./source-line.js";
import { commandOutput, firstStderrLine } from "./command.js";
import { SourceError } from "./errors.js";
import { readStream } from "./read-stream.js";
import type { ReadOptions } from "./types.js";
import { findCommand } from "./which.js";

export async function* readJournalFile(path: string, size: number, opts: ReadOptions): AsyncGenerator<SourceLine[]> {
  const journalctl = findCommand("journalctl");
  if (!journalctl) {
    opts.onSourceError?.(
      path,
      "binary journal file, but the `journalctl` command is not installed to read it (apt-get install systemd)",
      "tool-missing",
    );
    return;
  }
  // --file takes a glob pattern: escape its metacharacters so odd file names still match themselves.
  const pattern = path.replace(/[[\]*?\\]/g, "\\$&");
  const output = commandOutput(journalctl, [`--file=${pattern}`, "-o", "export", "-q", "--no-pager"], {
    check: ({ code, signal, stderr }) =>
      code === 0
        ? undefined
        : new SourceError(
            `journalctl could not read this journal file: ${firstStderrLine(stderr) || `exit status ${code ?? signal}`}`,
            "journalctl-failed",
          ),
  });
  yield* readStream(path, output, opts, { diskBytes: size });
}
