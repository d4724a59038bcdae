/**
 * Compression detected by magic bytes (rotated logs are not always named *.gz, and stdin has no
 * name at all): gzip is inflated in-process, xz/zstd/bzip2 through the system's own tools,
 * because Node 20's zlib has neither xz nor zstd.
 */
import { commandOutput, firstStderrLine } from "./command.js";
import { SourceError } from "./errors.js";
import { gunzip } from "./gunzip.js";
import { findCommand } from "./which.js";

export type Compression = "plain" | "gzip" | "xz" | "zstd" | "bzip2";

/** How many leading bytes `detectCompression` needs to decide. */
export const MAGIC_BYTES = 8;

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return "xz";
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  // "BZh" plus the block-size digit, so a text line starting with "BZh" is not mistaken for bzip2.
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) {
    return "bzip2";
  }
  return "plain";
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** The system decompressors: command, arguments, and the Debian/Ubuntu package that ships it. */
const TOOLS = {
  xz: { command: "xz", args: ["-dc"], pkg: "xz-utils" },
  zstd: { command: "zstd", args: ["-dcq"], pkg: "zstd" },
  bzip2: { command: "bzip2", args: ["-dc"], pkg: "bzip2" },
} as const;

/**
 * The decompressed bytes of `source`. Throws a SourceError at once when the needed tool is missing,
 * and after the readable data when the archive is corrupt or truncated.
 */
export function decompress(kind: Compression, source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (kind === "plain") return source;
  if (kind === "gzip") return gunzip(source);
  const tool = TOOLS[kind];
  const path = findCommand(tool.command);
  if (!path) {
    throw new SourceError(
      `${kind}-compressed, but the \`${tool.command}\` command is not installed (apt-get install ${tool.pkg})`,
      "tool-missing",
    );
  }
  return commandOutput(path, [...tool.args], {
    input: source,
    argv0: tool.command,
    check: ({ code, signal, stderr }) =>
      code === 0
        ? undefined
        : new SourceError(
            `corrupt or truncated ${kind} data (${firstStderrLine(stderr) || `${tool.command} exited with ${code ?? signal}`})`,
            "corrupt-archive",
          ),
  });
}
