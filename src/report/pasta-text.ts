/**
 * The pasta part of the terminal report: each incident (when, who started pasta, the steps the
 * kernel refused in order, the error pasta printed) and each diagnosis with its fix.
 */
import type { PastaReport } from "./model.js";
import { terminalText } from "./text-safety.js";

/** Messages that no denial came with: what each most likely means and what to collect. */
function loneMessages(pasta: PastaReport, top: number): string[] {
  const lone = pasta.messages.filter((m) => m.incident === null);
  if (lone.length === 0) return [];
  const out = ["", `  pasta messages without an AppArmor denial beside them: ${lone.length} (no incident and no rule is made from a message alone)`];
  for (const m of lone.slice(0, top)) {
    out.push("", `  ${terminalText(m.source)}:${m.line}: ${m.step}${m.caller ? ` — ran by ${terminalText(m.caller)}` : ""}`);
    out.push(`    printed: ${terminalText(m.text)}`);
    out.push(`    means: ${terminalText(m.meaning)}`);
    if (m.collect.length > 0) out.push("    collect:", ...m.collect.map((c) => `      ${terminalText(c)}`));
  }
  if (lone.length > top) out.push("", `  … and ${lone.length - top} more messages (all in --format json)`);
  return out;
}

export function renderPastaText(pasta: PastaReport, top: number): string[] {
  if (pasta.incidents.length === 0) {
    const lone = loneMessages(pasta, top);
    return lone.length === 0 ? [] : ["", "pasta (Podman/Buildah networking): no AppArmor denial of pasta, but its messages", ...lone];
  }
  const all = pasta.incidents.length + pasta.omittedIncidents;
  const shown = Math.min(top, pasta.incidents.length);
  const out = ["", `pasta (Podman/Buildah networking): ${all.toLocaleString("en-US")} incident${all === 1 ? "" : "s"}${shown < all ? ` (the first ${shown} listed; every one is diagnosed below)` : ""}`];
  for (const i of pasta.incidents.slice(0, top)) {
    out.push("", `  incident ${i.id}: ${i.start ?? "time unknown"}${i.host ? ` on ${terminalText(i.host)}` : ""} — started by ${i.caller}${i.callerEvidence ? ` (${terminalText(i.callerEvidence)})` : ""}`);
    out.push(`    profile ${terminalText(i.profiles.join(", "))}, comm ${terminalText(i.comms.join(", "))}${i.pids.length ? `, pid ${i.pids.join(", ")}` : ""}`);
    for (const s of i.steps) {
      const mark = s.step !== null && s.step === i.fatalStep ? "✗ fatal " : s.fatal === false ? "· non-fatal " : "· ";
      out.push(`    ${mark}${s.step ?? "(no catalog step)"}: ${terminalText(s.operation)} ${terminalText(s.object)}${s.count > 1 ? ` ×${s.count}` : ""}`);
      if (s.ruleStatus === "allowed") out.push(`        the installed profile allows this (${terminalText(s.rule ?? "")}): the loaded profile is stale or another one is attached — reload it`);
    }
    for (const m of i.messages.slice(0, 3)) out.push(`    printed: ${terminalText(m.text)}${m.identifier ? ` (${terminalText(m.identifier)})` : ""}`);
    if (i.diagnoses.length > 0) out.push(`    diagnosis: ${i.diagnoses.join(", ")}`);
  }
  for (const d of pasta.diagnoses) {
    out.push("", `  [${d.severity}] ${d.id}: ${d.summary} (incident ${d.incidents.join(", ")})`);
    out.push(`    ${d.explanation}`);
    out.push("    fix:");
    for (const f of d.fix) out.push(`      ${terminalText(f)}`);
  }
  out.push(...loneMessages(pasta, top));
  if (all > shown) out.push("", `  … and ${(all - shown).toLocaleString("en-US")} more incidents (diagnosed above; --top N to list more${pasta.omittedIncidents > 0 ? `, up to the ${pasta.incidents.length} a report keeps` : ""})`);
  if (pasta.dropped > 0) out.push("", `  ${pasta.dropped} pasta denials or messages beyond the caps were counted but not kept`);
  return out;
}
