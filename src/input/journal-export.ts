/**
 * Incremental parser for journald's export format (`journalctl -o export`, systemd's
 * JOURNAL_EXPORT_FORMATS): an entry is a run of fields ended by an empty line; a field is either
 * `NAME=value\n`, or — when the value is binary or holds a newline — `NAME\n`, a 64-bit
 * little-endian length, the raw bytes and `\n`. Only MESSAGE and the META_FIELDS are decoded;
 * other values, and values too long to keep, are skipped without being buffered.
 *
 * A malformed field spoils only its entry: the entry is handed on as `invalid` and reading
 * resumes after the next empty line, so one bad entry does not cost the rest of the input.
 */
import { excerpt } from "./detach.js";
import { META_FIELDS } from "./journal-meta.js";
import { DBUS_BROKER_FIELDS } from "./dbus-broker.js";

export interface ExportEntry {
  /** MESSAGE as text (invalid UTF-8 replaced), or undefined when the entry has none or it was too long. */
  message: string | undefined;
  /** True when MESSAGE was longer than the limit and was skipped. */
  messageTooLong: boolean;
  /** The decoded META_FIELDS present in the entry. */
  fields: Map<string, string>;
  /** What was wrong with the entry, when a field was malformed (the entry is then not usable). */
  invalid?: string;
}

const NL = 0x0a;
const EQ = 0x3d;
const EMPTY_LINE = Buffer.from("\n\n");
const FIELD_NAME = /^[A-Za-z0-9_]+$/;
// systemd's names are at most 64 bytes; anything much longer is not a name.
const MAX_NAME = 256;
const NAME_TOO_LONG = `a field name longer than ${MAX_NAME} bytes`;
// systemd's own limit on one field (journal-importer DATA_SIZE_MAX): a longer length is corrupt.
const MAX_DATA = 768 * 1024 * 1024;

export class ExportParser {
  private pending: Buffer | undefined;
  /** Bytes still to discard of a skipped binary value (not its trailing newline). */
  private skipBytes = 0;
  /** A skipped binary value ended: the next byte must be its newline. Holds the field's name. */
  private expectNewline: string | undefined;
  /** Discarding an over-long `NAME=value` line up to its newline. */
  private skipLine = false;
  /** Discarding a malformed entry up to the next empty line; `atLineStart`: the last byte seen was `\n`. */
  private resync = false;
  private atLineStart = false;
  private invalid: string | undefined;
  private message: string | undefined;
  private messageTooLong = false;
  private fields = new Map<string, string>();
  private hasFields = false;
  /** The most bytes buffered for one value: a UTF-8 character is at most 4 bytes. */
  private readonly cap: number;

  constructor(
    private readonly maxChars: number,
    private readonly onEntry: (entry: ExportEntry) => void,
  ) {
    this.cap = maxChars * 4 + 256;
  }

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    const n = buf.length;
    let pos = 0;
    while (pos < n) {
      if (this.resync) {
        pos = this.findEntryEnd(buf, pos);
        continue;
      }
      if (this.skipBytes > 0) {
        const take = Math.min(this.skipBytes, n - pos);
        this.skipBytes -= take;
        pos += take;
        continue;
      }
      if (this.expectNewline !== undefined) {
        const name = this.expectNewline;
        this.expectNewline = undefined;
        if (buf[pos] === NL) pos++;
        else this.startResync(`binary field ${quote(name)} is not followed by a newline`, false);
        continue;
      }
      const nl = buf.indexOf(NL, pos);
      if (this.skipLine) {
        if (nl < 0) return;
        this.skipLine = false;
        pos = nl + 1;
        continue;
      }
      if (nl < 0) {
        if (n - pos > this.cap) this.startSkippingLine(buf, pos);
        else this.pending = buf.subarray(pos);
        return;
      }
      if (nl === pos) {
        this.finishEntry();
        pos = nl + 1;
        continue;
      }
      const eq = buf.subarray(pos, nl).indexOf(EQ);
      if (eq >= 0) {
        this.textField(buf.toString("latin1", pos, pos + eq), buf, pos + eq + 1, nl);
        pos = nl + 1;
        continue;
      }
      // Binary-safe field: NAME \n uint64le-length bytes \n
      const name = buf.toString("latin1", pos, nl);
      if (!this.validName(name)) {
        pos = nl + 1; // the bad line is behind us: an empty line right after it ends the entry
        continue;
      }
      if (n - (nl + 1) < 8) {
        this.pending = buf.subarray(pos);
        return;
      }
      const length = buf.readBigUInt64LE(nl + 1);
      const start = nl + 9;
      if (length > BigInt(MAX_DATA)) {
        // Typically a name without a value: the "length" is the text of the next line.
        this.startResync(`binary field ${quote(name)} with an impossible length ${length}`, true);
        pos = nl + 1;
        continue;
      }
      this.hasFields = true;
      const len = Number(length);
      const wanted = name === "MESSAGE" || META_FIELDS.has(name) || DBUS_BROKER_FIELDS.has(name);
      if (!wanted || len > this.cap) {
        if (name === "MESSAGE") this.messageTooLong = true;
        this.skipBytes = len;
        this.expectNewline = name;
        pos = start;
        continue;
      }
      if (n - start < len + 1) {
        this.pending = buf.subarray(pos); // wait for the whole value and its newline
        return;
      }
      if (buf[start + len] !== NL) {
        this.startResync(`binary field ${quote(name)} of ${len} bytes is not followed by a newline`, false);
        pos = start + len;
        continue;
      }
      this.setField(name, buf.toString("utf8", start, start + len));
      pos = start + len + 1;
    }
  }

  /** Ends the input: emits a last entry that lacks its closing empty line (invalid when cut mid-field). */
  end(): void {
    const rest = this.pending;
    this.pending = undefined;
    if (!this.resync) {
      if (this.skipBytes > 0) this.markInvalid("the data ends inside a binary field");
      else if (rest && rest.length > 0) this.lastField(rest);
    }
    this.finishEntry();
  }

  /** A field cut by the end of the data: a text field or a binary one whose whole value is there is kept. */
  private lastField(rest: Buffer): void {
    const nl = rest.indexOf(NL);
    if (nl < 0) {
      const eq = rest.indexOf(EQ);
      if (eq < 0) this.markInvalid("the data ends inside a field name");
      else this.textField(rest.toString("latin1", 0, eq), rest, eq + 1, rest.length);
      return;
    }
    const name = rest.toString("latin1", 0, nl);
    if (!this.validName(name)) return;
    const len = rest.length >= nl + 9 ? rest.readBigUInt64LE(nl + 1) : -1n;
    if (len < 0n || BigInt(rest.length) < BigInt(nl + 9) + len) {
      this.markInvalid("the data ends inside a binary field");
      return;
    }
    this.hasFields = true;
    this.setField(name, rest.toString("utf8", nl + 9, nl + 9 + Number(len)));
  }

  private textField(name: string, buf: Buffer, start: number, end: number): void {
    if (!this.validName(name)) return;
    this.hasFields = true;
    if (name !== "MESSAGE" && !META_FIELDS.has(name) && !DBUS_BROKER_FIELDS.has(name)) return;
    if (end - start > this.cap) {
      if (name === "MESSAGE") this.messageTooLong = true;
      return;
    }
    this.setField(name, buf.toString("utf8", start, end));
  }

  private setField(name: string, value: string): void {
    if (name !== "MESSAGE") {
      if (!this.fields.has(name)) this.fields.set(name, value);
    } else if (value.length > this.maxChars) {
      this.messageTooLong = true;
    } else if (this.message === undefined) {
      this.message = value;
    }
  }

  private startSkippingLine(buf: Buffer, pos: number): void {
    const eq = buf.indexOf(EQ, pos);
    if (eq < 0 || eq - pos > MAX_NAME) {
      this.startResync(NAME_TOO_LONG, false);
      return;
    }
    const name = buf.toString("latin1", pos, eq);
    if (!this.validName(name)) {
      this.atLineStart = false; // the rest of the line is still to come
      return;
    }
    if (name === "MESSAGE") this.messageTooLong = true;
    this.hasFields = true;
    this.skipLine = true;
  }

  /** True for a well-formed name; otherwise the entry is marked invalid and resync begins after the name's line. */
  private validName(name: string): boolean {
    if (name.length <= MAX_NAME && FIELD_NAME.test(name)) return true;
    this.startResync(nameProblem(name), true);
    return false;
  }

  private markInvalid(what: string): void {
    this.invalid ??= what;
    this.hasFields = true;
  }

  private startResync(what: string, atLineStart: boolean): void {
    this.markInvalid(what);
    this.resync = true;
    this.atLineStart = atLineStart;
  }

  /** Skips to just after the next empty line (ending the malformed entry there), or to the end of `buf`. */
  private findEntryEnd(buf: Buffer, pos: number): number {
    if (this.atLineStart && buf[pos] === NL) return this.resynced(pos + 1);
    const at = buf.indexOf(EMPTY_LINE, pos);
    if (at >= 0) return this.resynced(at + 2);
    this.atLineStart = buf[buf.length - 1] === NL;
    return buf.length;
  }

  private resynced(pos: number): number {
    this.resync = false;
    this.finishEntry();
    return pos;
  }

  private finishEntry(): void {
    if (!this.hasFields) return;
    const entry: ExportEntry = {
      message: this.messageTooLong ? undefined : this.message,
      messageTooLong: this.messageTooLong,
      fields: this.fields,
    };
    if (this.invalid !== undefined) entry.invalid = this.invalid;
    this.invalid = undefined;
    this.message = undefined;
    this.messageTooLong = false;
    this.fields = new Map();
    this.hasFields = false;
    this.skipBytes = 0;
    this.expectNewline = undefined;
    this.skipLine = false;
    this.onEntry(entry);
  }
}

function nameProblem(name: string): string {
  if (name.length === 0) return "an empty field name";
  if (name.length > MAX_NAME) return NAME_TOO_LONG;
  if (name.includes("\0")) return `a NUL in the field name ${quote(name)}`;
  return `an invalid field name ${quote(name)}`;
}

function quote(name: string): string {
  return `"${excerpt(name, 40)}"`;
}
