/** The report model as JSON: the stable, documented machine-readable form (see README). */
import type { AnalyzeReport } from "./model.js";
import { jsonText } from "./text-safety.js";

export function renderJson(report: AnalyzeReport): string {
  return jsonText(report, 2) + "\n";
}
