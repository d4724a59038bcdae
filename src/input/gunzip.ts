/**
 * gzip decoding as `gzip -dc` does it (RFC 1952): every member of a concatenated file, each
 * member's CRC-32 and length checked, zero padding after the last member ignored. Every byte
 * that decompressed is yielded before an error is thrown; bytes after the last member that are
 * not a member are reported as trailing garbage, with all the data kept.
 */
import * as zlib from "node:zlib";
import { ByteReader } from "./byte-reader.js";
import { SourceError } from "./errors.js";
import { inflateRaw } from "./inflate-raw.js";

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

export async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = new ByteReader(source);
  try {
    for (let member = 1; ; member++) {
      const where = member === 1 ? "" : ` in member ${member}`;
      if (member > 1 && !(await startsMember(input))) return;
      await skipHeader(input, where);
      let crc = 0;
      let size = 0;
      for await (const out of inflateRawChecked(input, where)) {
        crc = crc32(out, crc);
        size = (size + out.length) % 2 ** 32;
        yield out;
      }
      const trailer = await input.read(8);
      if (trailer.length < 8) throw corrupt(`unexpected end of file${where}`);
      if (trailer.readUInt32LE(0) !== crc) throw corrupt(`crc error${where}`);
      if (trailer.readUInt32LE(4) !== size) throw corrupt(`length error${where}`);
    }
  } finally {
    await input.close();
  }
}

/**
 * After a member: true when another one follows. The end of the data and zero padding end the
 * file quietly, like gzip; anything else is trailing garbage (thrown once the data is out).
 */
async function startsMember(input: ByteReader): Promise<boolean> {
  const head = await input.read(2);
  if (head.length === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    input.unshift(head);
    return true;
  }
  let garbage = head.length;
  let zeros = head.every((b) => b === 0);
  for (let chunk = await input.next(); chunk; chunk = await input.next()) {
    garbage += chunk.length;
    if (zeros) zeros = chunk.every((b) => b === 0);
  }
  if (garbage === 0 || zeros) return false;
  throw new SourceError(
    `decompression OK, trailing garbage ignored (${garbage} bytes after the gzip data)`,
    "trailing-garbage",
  );
}

async function skipHeader(input: ByteReader, where: string): Promise<void> {
  const eof = () => corrupt(`unexpected end of file${where}`);
  const h = await input.read(10);
  // What is there is checked before a short header is blamed on the end of the data, as gzip does.
  if (h.length < 2 || h[0] !== 0x1f || h[1] !== 0x8b) throw h.length < 2 ? eof() : corrupt(`not in gzip format${where}`);
  if (h.length > 2 && h[2] !== 8) throw corrupt(`unknown compression method ${h[2]}${where}`);
  const flags = h[3] ?? 0;
  if (flags & FRESERVED) throw corrupt(`unknown flags 0x${flags.toString(16)}${where}`);
  if (h.length < 10) throw eof();
  if (flags & FEXTRA) {
    const len = await input.read(2);
    if (len.length < 2) throw eof();
    const extra = len.readUInt16LE(0);
    if ((await input.read(extra)).length < extra) throw eof();
  }
  if (flags & FNAME && !(await input.skipPastZero())) throw eof();
  if (flags & FCOMMENT && !(await input.skipPastZero())) throw eof();
  if (flags & FHCRC && (await input.read(2)).length < 2) throw eof();
}

/** zlib's own errors (corrupt deflate data, a cut stream) in the same words as ours. */
async function* inflateRawChecked(input: ByteReader, where: string): AsyncGenerator<Buffer> {
  try {
    yield* inflateRaw(input);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) throw corrupt(`${(err as Error).message}${where}`);
    throw err;
  }
}

function corrupt(detail: string): SourceError {
  return new SourceError(`corrupt or truncated gzip data (${detail})`, "corrupt-archive");
}

// zlib.crc32 arrived in Node 20.15; earlier 20.x computes it here.
const crc32: (data: Buffer, value: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === "function" ? zlib.crc32 : crc32Js;

let table: Uint32Array | undefined;
function crc32Js(data: Buffer, value: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
