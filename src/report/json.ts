/**
 * The report model as JSON: the stable, documented machine-readable form (see README). Written
 * in pieces — one top-level member, or one element of a long list, at a time — so a report of
 * ten thousand rules never becomes one string in memory. The pieces join into exactly what
 * JSON.stringify(report, null, 2) gives.
 */
import type { AnalyzeReport } from "./model.js";
import { jsonText } from "./text-safety.js";

/**
 * `value` as JSON.stringify(…, null, 2) writes it at `depth` levels in: nested in that many arrays
 * so V8 indents it, with the wrapper cut off. (Indenting a stringified value afterwards with a
 * replace was a second copy of every element and a third of the report's allocation.)
 */
function nested(value: unknown, depth: 1 | 2): string {
  // Before the value: "[\n  " or "[\n  [\n    "; after it: "\n]" or "\n  ]\n]".
  return depth === 1 ? jsonText([value], 2).slice(4, -2) : jsonText([[value]], 2).slice(10, -6);
}

export function* renderJsonChunks(report: AnalyzeReport): Generator<string> {
  const entries = Object.entries(report).filter(([, v]) => v !== undefined);
  yield "{\n";
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const tail = i === entries.length - 1 ? "\n" : ",\n";
    const head = `  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield `${head}[\n`;
      for (let j = 0; j < value.length; j++) yield `    ${nested(value[j], 2)}${j < value.length - 1 ? ",\n" : "\n"}`;
      yield `  ]${tail}`;
    } else yield `${head}${nested(value, 1)}${tail}`;
  }
  yield "}\n";
}

export function renderJson(report: AnalyzeReport): string {
  return [...renderJsonChunks(report)].join("");
}
