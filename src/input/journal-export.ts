/**
 * Incremental parser for journald's export format (`journalctl -o export`, systemd's
 * JOURNAL_EXPORT_FORMATS): an entry is a run of fields ended by an empty line; a field is either
 * `NAME=value\n`, or — when the value is binary or holds a newline — `NAME\n`, a 64-bit
 * little-endian length, the raw bytes and `\n`. Only MESSAGE and the META_FIELDS are decoded;
 * other values, and values too long to keep, are skipped without being buffered.
 */
import { SourceError } from "./errors.js";
import { META_FIELDS } from "./journal-meta.js";

export interface ExportEntry {
  /** MESSAGE as text (invalid UTF-8 replaced), or undefined when the entry has none or it was too long. */
  message: string | undefined;
  /** True when MESSAGE was longer than the limit and was skipped. */
  messageTooLong: boolean;
  /** The decoded META_FIELDS present in the entry. */
  fields: Map<string, string>;
}

const NL = 0x0a;
const EQ = 0x3d;
const FIELD_NAME = /^[A-Za-z0-9_]+$/;

export class ExportParser {
  private pending: Buffer | undefined;
  /** Bytes still to discard of a skipped binary value (its trailing newline included). */
  private skipBytes = 0;
  /** Discarding an over-long `NAME=value` line up to its newline. */
  private skipLine = false;
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
      if (this.skipBytes > 0) {
        const take = Math.min(this.skipBytes, n - pos);
        this.skipBytes -= take;
        pos += take;
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
      if (n - (nl + 1) < 8) {
        this.pending = buf.subarray(pos);
        return;
      }
      const name = this.fieldName(buf, pos, nl);
      const length = buf.readBigUInt64LE(nl + 1);
      const start = nl + 9;
      this.hasFields = true;
      const wanted = name === "MESSAGE" || META_FIELDS.has(name);
      if (!wanted || length > BigInt(this.cap)) {
        if (name === "MESSAGE") this.messageTooLong = true;
        if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw this.malformed(`impossible field length ${length}`);
        this.skipBytes = Number(length) + 1;
        pos = start;
        continue;
      }
      const len = Number(length);
      if (n - start < len + 1) {
        this.pending = buf.subarray(pos); // wait for the whole value and its newline
        return;
      }
      this.setField(name, buf.toString("utf8", start, start + len));
      pos = start + len + (buf[start + len] === NL ? 1 : 0);
    }
  }

  /** Ends the input: emits a last entry that lacks its closing empty line; throws if cut mid-field. */
  end(): void {
    const rest = this.pending;
    this.pending = undefined;
    if (this.skipBytes > 1) throw this.malformed("the data ends inside a binary field");
    if (rest && rest.length > 0) {
      const nl = rest.indexOf(NL);
      if (nl < 0) {
        // A last `NAME=value` line without its newline.
        const eq = rest.indexOf(EQ);
        if (eq < 0) throw this.malformed("the data ends inside a field name");
        this.textField(rest.toString("latin1", 0, eq), rest, eq + 1, rest.length);
      } else {
        // A binary field is complete when its whole value is there (only the final newline missing).
        const name = this.fieldName(rest, 0, nl);
        const len = rest.length >= nl + 9 ? Number(rest.readBigUInt64LE(nl + 1)) : -1;
        if (len < 0 || rest.length < nl + 9 + len) throw this.malformed("the data ends inside a binary field");
        this.hasFields = true;
        this.setField(name, rest.toString("utf8", nl + 9, nl + 9 + len));
      }
    }
    this.finishEntry();
  }

  private textField(name: string, buf: Buffer, start: number, end: number): void {
    if (!FIELD_NAME.test(name)) throw this.malformed(`invalid field name "${name.slice(0, 40)}"`);
    this.hasFields = true;
    if (name !== "MESSAGE" && !META_FIELDS.has(name)) return;
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
    if (eq >= 0 && buf.toString("latin1", pos, eq) === "MESSAGE") this.messageTooLong = true;
    this.hasFields = true;
    this.skipLine = true;
  }

  private fieldName(buf: Buffer, start: number, end: number): string {
    const name = buf.toString("latin1", start, end);
    if (!FIELD_NAME.test(name)) throw this.malformed(`invalid field name "${name.slice(0, 40)}"`);
    return name;
  }

  private finishEntry(): void {
    if (!this.hasFields) return;
    const entry: ExportEntry = {
      message: this.messageTooLong ? undefined : this.message,
      messageTooLong: this.messageTooLong,
      fields: this.fields,
    };
    this.message = undefined;
    this.messageTooLong = false;
    this.fields = new Map();
    this.hasFields = false;
    this.onEntry(entry);
  }

  private malformed(what: string): SourceError {
    return new SourceError(`malformed journal export data (${what})`);
  }
}
