/**
 * The report model as JSON: the stable, documented machine-readable form (see README). Written
 * in pieces — one top-level member, or one element of a long list, at a time — so a report of
 * ten thousand rules never becomes one string in memory. The pieces join into exactly what
 * JSON.stringify(report, null, 2) gives.
 */
import type { AnalyzeReport } from "./model.js";
import { jsonText } from "./text-safety.js";

function indent(text: string, pad: string): string {
  return text.includes("\n") ? text.replace(/\n/g, `\n${pad}`) : text;
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
      for (let j = 0; j < value.length; j++) yield `    ${indent(jsonText(value[j], 2), "    ")}${j < value.length - 1 ? ",\n" : "\n"}`;
      yield `  ]${tail}`;
    } else yield `${head}${indent(jsonText(value, 2), "  ")}${tail}`;
  }
  yield "}\n";
}

export function renderJson(report: AnalyzeReport): string {
  return [...renderJsonChunks(report)].join("");
}
