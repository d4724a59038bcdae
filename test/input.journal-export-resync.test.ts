// A malformed field in `journalctl -o export` data spoils only its entry: the entry is counted
// (journal-export-invalid, with what was wrong) and reading resumes at the next empty line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "./helpers/collect.js";

const dir = mkdtempSync(join(tmpdir(), "aalens-input-jexport-resync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (name: string, value: string) => Buffer.from(`${name}=${value}\n`);
function lengthOf(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}
/** A binary-safe field: NAME\n, uint64 little-endian length (as given), the bytes, \n */
const binary = (name: string, value: Buffer, length = BigInt(value.length)) =>
  Buffer.concat([Buffer.from(`${name}\n`), lengthOf(length), value, Buffer.from("\n")]);
const END = Buffer.from("\n");

const entry = (i: number, ...fields: Buffer[]) =>
  Buffer.concat([text("__CURSOR", `s=1;i=${i}`), text("__REALTIME_TIMESTAMP", String(1732846380000000 + i)), ...fields, END]);
const good = (i: number) => entry(i, text("_TRANSPORT", "kernel"), text("MESSAGE", `message ${i}`));

/** 10 entries; 2, 4, 6, 8 and 9 are malformed, each in its own way. */
const tenEntries = Buffer.concat([
  good(1),
  entry(2, text("bad name", "x"), text("MESSAGE", "not this one")),
  good(3),
  entry(4, Buffer.from("MES\0SAGE=nul in the name\n"), text("MESSAGE", "nor this")),
  good(5),
  entry(6, Buffer.from("_HOSTNAME\n"), text("MESSAGE", "a name without a value before me")),
  good(7),
  entry(8, Buffer.from("MESSAGE\n"), lengthOf(1n << 62n), Buffer.from("x\n")),
  entry(9, binary("MESSAGE", Buffer.from("twelve bytes"), 9n)), // 3 bytes short: no newline after the value
  good(10),
]);

const reasons = [
  [2, 'malformed journal export entry (an invalid field name "bad name")'],
  [4, 'malformed journal export entry (a NUL in the field name "MES\uFFFDSAGE")'],
  [6, `malformed journal export entry (binary field "_HOSTNAME" with an impossible length ${Buffer.from("MESSAGE=").readBigUInt64LE()})`],
  [8, `malformed journal export entry (binary field "MESSAGE" with an impossible length ${1n << 62n})`],
  [9, 'malformed journal export entry (binary field "MESSAGE" of 9 bytes is not followed by a newline)'],
];

describe("journal export: a bad entry is skipped, the next one is read", () => {
  it("10 entries, 5 malformed in 5 ways: the 5 good ones kept with their entry numbers, 5 coded skips", async () => {
    const path = join(dir, "ten.export");
    writeFileSync(path, tenEntries);
    const r = await collect([path]);
    expect(r.errors).toEqual([]);
    expect(r.lines.map((l) => [l.line, l.text, l.meta?.transport])).toEqual(
      [1, 3, 5, 7, 10].map((i) => [i, `message ${i}`, "kernel"]),
    );
    expect(r.skips.map((s) => [s.line, s.message])).toEqual(reasons);
    expect(r.skips.every((s) => s.code === "journal-export-invalid" && s.source === path)).toBe(true);
    expect(r.onLine).toBe(10);
    expect(r.done[0]).toMatchObject({ container: "journal-export", lines: 10 });
  });

  it.each([1, 2, 7, 9, 64, 4096])("the same whatever the chunk size (%i bytes)", async (size) => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < tenEntries.length; i += size) chunks.push(tenEntries.subarray(i, i + size));
    const r = await collect(["-"], { stdin: Readable.from(chunks) });
    expect(r.lines.map((l) => l.line)).toEqual([1, 3, 5, 7, 10]);
    expect(r.skips.map((s) => [s.line, s.message])).toEqual(reasons);
  });

  it("a name without a value at the end of an entry, an empty name, a huge name: each its own entry", async () => {
    const data = Buffer.concat([
      entry(1, text("MESSAGE", "m1"), Buffer.from("_PID\n")), // the entry's empty line follows the name
      good(2),
      entry(3, text("", "empty name")),
      good(4),
      entry(5, Buffer.from("X".repeat(300_000) + "=v\n")),
      good(6),
    ]);
    for (const size of [data.length, 1000, 7]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
      const r = await collect(["-"], { stdin: Readable.from(chunks), maxLineLength: 1000 });
      expect(r.lines.map((l) => [l.line, l.text]), `chunks of ${size}`).toEqual([
        [2, "message 2"],
        [4, "message 4"],
        [6, "message 6"],
      ]);
      expect(r.skips.map((s) => [s.line, s.code, s.message.replace(/length \d+/, "length N")]), `chunks of ${size}`).toEqual([
        [1, "journal-export-invalid", 'malformed journal export entry (binary field "_PID" with an impossible length N)'],
        [3, "journal-export-invalid", "malformed journal export entry (an empty field name)"],
        [5, "journal-export-invalid", "malformed journal export entry (a field name longer than 256 bytes)"],
      ]);
    }
  });

  it("an impossible length is never waited for: memory stays small, later entries are read", async () => {
    // 2^40 bytes announced, 20 bytes given: the parser must resync rather than buffer or skip 1 TiB.
    const data = Buffer.concat([good(1), entry(2, Buffer.from("MESSAGE\n"), lengthOf(1n << 40n), Buffer.from("twenty bytes of data\n")), good(3)]);
    const r = await collect(["-"], { stdin: Readable.from([data]) });
    expect(r.lines.map((l) => l.line)).toEqual([1, 3]);
    expect(r.skips.map((s) => [s.line, s.code])).toEqual([[2, "journal-export-invalid"]]);
  });

  it("a skipped (unwanted) binary field whose length is wrong: that entry skipped, the next read", async () => {
    const data = Buffer.concat([entry(1, binary("_CMDLINE", Buffer.from("0123456789"), 5n), text("MESSAGE", "lost")), good(2)]);
    const r = await collect(["-"], { stdin: Readable.from([data]) });
    expect(r.lines.map((l) => [l.line, l.text])).toEqual([[2, "message 2"]]);
    expect(r.skips.map((s) => [s.line, s.message])).toEqual([[1, 'malformed journal export entry (binary field "_CMDLINE" is not followed by a newline)']]);
  });

  it("a plausible length that runs past the end of the data: that entry skipped, the ones before kept", async () => {
    const data = Buffer.concat([good(1), good(2), entry(3, binary("_CMDLINE", Buffer.from("short"), 500_000_000n))]);
    const r = await collect(["-"], { stdin: Readable.from([data]) });
    expect(r.lines.map((l) => l.line)).toEqual([1, 2]);
    expect(r.skips.map((s) => [s.line, s.message])).toEqual([[3, "malformed journal export entry (the data ends inside a binary field)"]]);
    expect(r.errors).toEqual([]);
  });

  const remote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"].find((p) => existsSync(p));
  const journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].find((p) => existsSync(p));
  it.skipIf(!remote || !journalctl)(
    "real journalctl -o export output with entries broken in the middle (skipped without systemd-journal-remote)",
    async () => {
      // A real journal, then journalctl's own export of it.
      const source = Buffer.concat(
        Array.from({ length: 10 }, (_, i) =>
          Buffer.concat([
            text("__REALTIME_TIMESTAMP", String(1732846380000000 + i * 1000)),
            text("__MONOTONIC_TIMESTAMP", String(1000 + i)),
            text("_BOOT_ID", "0123456789abcdef0123456789abcdef"),
            text("_TRANSPORT", "audit"),
            text("_AUDIT_ID", String(100 + i)),
            i % 2 ? binary("MESSAGE", Buffer.from(`AVC apparmor="DENIED" n=${i}\nsecond line`)) : text("MESSAGE", `AVC apparmor="DENIED" n=${i}`),
            END,
          ]),
        ),
      );
      const sourcePath = join(dir, "source.export");
      writeFileSync(sourcePath, source);
      const journal = join(dir, "real.journal");
      const conv = spawnSync(remote!, ["-o", journal, sourcePath], { encoding: "utf8" });
      expect(conv.status, conv.stderr).toBe(0);
      const exported = spawnSync(journalctl!, [`--file=${journal}`, "-o", "export", "--no-pager"]).stdout;
      const entries = exported.toString("latin1").split("\n\n").filter((e) => e.length > 0);
      expect(entries).toHaveLength(10);
      // Break entries 3 and 8 (1-based) in the middle: a bad name in one, a binary length smashed in the other.
      entries[2] = entries[2]!.replace("\n_TRANSPORT=", "\n_TRANS PORT=");
      const eight = entries[7]!;
      const at = eight.indexOf("MESSAGE\n") + "MESSAGE\n".length;
      expect(at).toBeGreaterThan(8);
      entries[7] = eight.slice(0, at) + "\xff".repeat(8) + eight.slice(at + 8);
      const broken = Buffer.from(entries.map((e) => e + "\n\n").join(""), "latin1");
      const path = join(dir, "broken.export");
      writeFileSync(path, broken);
      const r = await collect([path]);
      expect(r.errors).toEqual([]);
      expect(r.lines.map((l) => [l.line, l.meta?.auditSerial])).toEqual(
        [1, 2, 4, 5, 6, 7, 9, 10].map((n) => [n, String(99 + n)]),
      );
      expect(r.lines.find((l) => l.line === 2)!.text).toBe('AVC apparmor="DENIED" n=1\nsecond line');
      expect(r.skips.map((s) => [s.line, s.code])).toEqual([
        [3, "journal-export-invalid"],
        [8, "journal-export-invalid"],
      ]);
      expect(r.skips[0]!.message).toBe('malformed journal export entry (an invalid field name "_TRANS PORT")');
      expect(r.skips[1]!.message).toMatch(/^malformed journal export entry \(binary field "MESSAGE" with an impossible length \d+\)$/);
    },
  );
});
