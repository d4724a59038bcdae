import { readInputs, readSystemLogs } from "../../src/input/index.js";
import type { ReadOptions, SourceLine, SourceSummary, Skipped, SystemLogPaths } from "../../src/input/index.js";

/** Everything a reader reported, gathered for assertions. */
export interface Collected {
  lines: SourceLine[];
  errors: Array<[string, string]>;
  skips: Skipped[];
  done: SourceSummary[];
  notes: string[];
  onLine: number;
  bytes: number;
}

async function gather(read: (opts: ReadOptions) => AsyncGenerator<SourceLine[]>, extra: Partial<ReadOptions>): Promise<Collected> {
  const c: Collected = { lines: [], errors: [], skips: [], done: [], notes: [], onLine: 0, bytes: 0 };
  const opts: ReadOptions = {
    onSourceError: (s, m) => c.errors.push([s, m]),
    onSkip: (s) => c.skips.push(s),
    onSourceDone: (s) => c.done.push(s),
    onNote: (m) => c.notes.push(m),
    onLine: () => c.onLine++,
    onBytes: (n) => (c.bytes += n),
    ...extra,
  };
  for await (const batch of read(opts)) c.lines.push(...batch);
  return c;
}

/** Read `inputs` with readInputs and collect what it yields and reports. */
export function collect(inputs: string[], extra: Partial<ReadOptions> = {}): Promise<Collected> {
  return gather((opts) => readInputs(inputs, opts), extra);
}

/** Read the system's logs (from test paths) and collect what it yields and reports. */
export function collectSystemLogs(paths: SystemLogPaths): Promise<Collected> {
  return gather((opts) => readSystemLogs(opts, paths), {});
}
