/** The "gave no rule" line: one entry per reason, counted across profiles, and a reason that says what the mask meant. */
import { describe, expect, it } from "vitest";
import { parseLine } from "../src/parse/parse-line.js";
import { Collector } from "../src/analysis/collector.js";
import { buildReport } from "../src/report/report.js";
import { renderText } from "../src/report/text.js";

let serial = 100;
const avc = (body: string) => `type=AVC msg=audit(1764382380.${serial}:${++serial}): apparmor="DENIED" ${body}`;

function text(lines: string[]): string {
  const b = new Collector();
  lines.forEach((l, i) => {
    const r = parseLine({ source: "t", line: i + 1, text: l });
    if (r?.record !== undefined) b.record(r.record, l);
  });
  return renderText(buildReport(b.state()));
}

describe("events that gave no rule", () => {
  it("name each reason once, with its count over every profile", () => {
    const out = text(["a", "b", "c"].map((p) => avc(`operation="change_hat" class="file" profile="${p}" name="x" pid=1 comm="c" info="unconfined can not change_hat"`)));
    const line = out.split("\n").find((l) => l.includes("gave no rule"))!;
    expect(line).toMatch(/3 events gave no rule: change_hat needs a hat in the profile \(\^name \{ … \}\), not a rule \(3\)$/);
  });

  it("say that an x asked by a link is no execution, rather than calling x no file permission", () => {
    const out = text([avc('operation="link" class="file" profile="p" name="/tmp/a" pid=1 comm="c" requested_mask="x" denied_mask="x" fsuid=0 ouid=0 target="/tmp/b"')]);
    expect(out).toMatch(/mask "x" on link: x there is not an execution, so no file rule allows it/);
    expect(out).not.toMatch(/no file permission in the mask "x"/);
  });
});
