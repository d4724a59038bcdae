/**
 * Looking at the first bytes of a byte stream (magic numbers, container sniffing) without losing
 * them: the bytes read are handed back at the front of the remaining stream.
 */

export interface Peeked {
  /** The first bytes (possibly fewer than wanted when the stream is short). */
  head: Buffer;
  /** The whole stream again, `head` included. */
  rest: AsyncGenerator<Buffer>;
}

/**
 * Reads chunks until `enough(head)` holds or the stream ends. Waiting only for what is needed
 * keeps `journalctl -f | aalens -` responsive.
 */
export async function peek(
  source: AsyncIterable<Buffer>,
  enough: (head: Buffer) => boolean,
): Promise<Peeked> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let head: Buffer = Buffer.alloc(0);
  let done = false;
  while (!enough(head)) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    head = chunks.length === 1 ? r.value : Buffer.concat(chunks);
  }
  return { head, rest: replay(head, it, done) };
}

async function* replay(head: Buffer, it: AsyncIterator<Buffer>, done: boolean): AsyncGenerator<Buffer> {
  let finished = done;
  try {
    if (head.length > 0) yield head;
    while (!finished) {
      const r = await it.next();
      if (r.done) finished = true;
      else yield r.value;
    }
  } finally {
    // Stopping early must release the underlying stream (file handle, child process).
    if (!finished) await it.return?.();
  }
}

/** Passes chunks through, reporting each chunk's size (raw bytes read, for progress bars). */
export async function* countBytes(
  source: AsyncIterable<Buffer | string>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    // A stream with an encoding set yields strings; the framing layer wants bytes.
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    onBytes(buf.length);
    yield buf;
  }
}
