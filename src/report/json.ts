/** The report model as JSON: the stable, documented machine-readable form (see README). */
import type { AnalyzeReport } from "./model.js";

export function renderJson(report: AnalyzeReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
