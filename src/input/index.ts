/** Input layer: files, directories, stdin and the system's own logs → batches of SourceLine. */
export { readInputs } from "./read-inputs.js";
export { readSystemLogs, auditLogsOldestFirst, SYSTEM_LOGS_SOURCE, type SystemLogPaths } from "./system-logs.js";
export { DEFAULT_MAX_LINE_LENGTH } from "./read-stream.js";
export { BATCH_SIZE } from "./frame-lines.js";
export { detectCompression, type Compression } from "./decompress.js";
export { detectContainer, type Container } from "./sniff.js";
export type { ReadOptions, SourceSummary, SourceLine, Skipped } from "./types.js";
export { INPUT_CODES, type InputCode } from "./reasons.js";
