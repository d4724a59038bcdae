/**
 * Golden files for the renderers not covered by their own golden tests: the terminal text (plain
 * and coloured), the JSON report, the AppArmor rule blocks and the ECS documents of the bundled
 * samples. Review a diff with UPDATE_GOLDEN=1 before committing it.
 */
import { describe, it } from "vitest";
import { renderText } from "../src/report/text.js";
import { renderJson } from "../src/report/json.js";
import { renderApparmor } from "../src/report/apparmor.js";
import { ecsDocument, ecsLine } from "../src/report/ecs.js";
import { expectGolden, readSamples, SAMPLES_NOW } from "./helpers/report-samples.js";

describe("golden renderings of the bundled samples", async () => {
  const { report, views } = await readSamples();

  it("text", () => expectGolden("samples.txt", renderText(report, { width: 100 })));
  it("text with colour", () => expectGolden("samples.color.txt", renderText(report, { width: 100, color: true })));
  it("json", () => expectGolden("samples.json", renderJson(report)));
  it("apparmor rules", () => expectGolden("samples.apparmor", renderApparmor(report)));
  it("ecs", () => expectGolden("samples.ecs.ndjson", views.map((v) => ecsLine(ecsDocument(v, { now: SAMPLES_NOW }))).join("")));
});
