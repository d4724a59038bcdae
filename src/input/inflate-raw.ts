/**
 * Inflating one raw deflate stream (the body of a gzip member) from a ByteReader. Node's Gunzip
 * drops the output of the zlib call that fails, and its async iterator drops what is buffered
 * when the stream errors: a bad trailer or trailing garbage cost the last 64 KiB of input. Here
 * zlib only sees the deflate data (the caller checks header and trailer), every output chunk is
 * handed on as it comes, and the bytes after the stream's end go back to the reader.
 */
import { createInflateRaw } from "node:zlib";
import type { ByteReader } from "./byte-reader.js";

export async function* inflateRaw(input: ByteReader): AsyncGenerator<Buffer, void> {
  const z = createInflateRaw();
  let wake: () => void = () => {};
  const poke = () => wake();
  let failed: Error | undefined;
  let ended = false;
  let writing = false;
  let inputDone = false;
  let fed = 0; // bytes written to zlib so far; z.bytesWritten is how many it consumed
  z.on("readable", poke);
  z.on("end", () => {
    ended = true;
    poke();
  });
  z.on("error", (err) => {
    failed = err;
    poke();
  });
  try {
    for (;;) {
      // Drain first: output already pushed is kept even when an error follows.
      for (let out = z.read() as Buffer | null; out !== null; out = z.read() as Buffer | null) yield out;
      if (ended) return;
      if (failed) throw failed;
      if (!writing && !inputDone) {
        const chunk = await input.next();
        if (!chunk) {
          inputDone = true;
          z.end(); // a stream that is not complete fails here: "unexpected end of file"
          continue;
        }
        // One chunk in flight: zlib leaves input unconsumed only when the deflate stream ended.
        writing = true;
        const base = fed;
        fed += chunk.length;
        z.write(chunk, () => {
          writing = false;
          if (z.bytesWritten < fed) {
            inputDone = true;
            input.unshift(chunk.subarray(z.bytesWritten - base));
          }
          poke();
        });
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    z.destroy();
  }
}
