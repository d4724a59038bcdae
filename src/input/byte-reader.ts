/**
 * Pull-style reading of a byte stream for the gzip framing: whole chunks, exact small reads and
 * pushing back what a decoder did not consume (the bytes after one member start the next).
 */
export class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private readonly held: Buffer[] = [];
  private done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next chunk (pushed-back bytes first), or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    const held = this.held.pop();
    if (held) return held;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) return r.value;
    }
    return undefined;
  }

  /** Hands bytes back: the next read starts with them. */
  unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.held.push(bytes);
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.next();
      if (!chunk) break;
      const take = Math.min(chunk.length, n - have);
      parts.push(chunk.subarray(0, take));
      this.unshift(chunk.subarray(take));
      have += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Skips past the next 0 byte (a header's file name or comment); false when the stream ends first. */
  async skipPastZero(): Promise<boolean> {
    for (let chunk = await this.next(); chunk; chunk = await this.next()) {
      const z = chunk.indexOf(0);
      if (z >= 0) {
        this.unshift(chunk.subarray(z + 1));
        return true;
      }
    }
    return false;
  }

  /** Releases the underlying stream (file handle, child process) when reading stops early. */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}
