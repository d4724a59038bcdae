import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** libapparmor's own test corpus, used in place beside the repository (../shared). */
export const CORPUS_DIR = resolve(import.meta.dirname, "../../../shared/corpus/libapparmor-test_multi");
export const corpusAvailable = existsSync(CORPUS_DIR);

export interface CorpusCase {
  name: string;
  input: string;
  /** Expected `Label: value` pairs from the .out file, and the event type. */
  event: string;
  expected: Map<string, string>;
  profile: string | null;
}

export function loadCorpus(): CorpusCase[] {
  if (!corpusAvailable) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".in"))
    .sort()
    .map((f) => {
      const name = f.slice(0, -3);
      const out = readFileSync(join(CORPUS_DIR, `${name}.out`), "utf8").split("\n");
      const expected = new Map<string, string>();
      let event = "";
      for (const line of out.slice(2)) {
        const i = line.indexOf(": ");
        if (i < 0) continue;
        const label = line.slice(0, i);
        const value = line.slice(i + 2);
        if (label === "Event type") event = value;
        else expected.set(label, value);
      }
      const profilePath = join(CORPUS_DIR, `${name}.profile`);
      return {
        name,
        input: readFileSync(join(CORPUS_DIR, f), "utf8"),
        event,
        expected,
        profile: existsSync(profilePath) ? readFileSync(profilePath, "utf8") : null,
      };
    });
}
