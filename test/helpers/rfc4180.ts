/**
 * A strict RFC 4180 reader for tests: records end with CRLF, fields are separated by commas, a
 * field is either plain (no comma, quote, CR or LF) or quoted with `"` and inner quotes doubled.
 * Anything else (a bare LF between records, a quote inside a plain field, text after a closing
 * quote) throws, so a test parsing the output also checks that it is well-formed.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  let record: string[] = [];
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error("unterminated quoted field");
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
    } else {
      while (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`quote inside a plain field at offset ${i}`);
        field += text[i];
        i++;
      }
    }
    record.push(field);
    if (i >= n) throw new Error("the last record does not end with CRLF");
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === "\r" && text[i + 1] === "\n") {
      i += 2;
      records.push(record);
      record = [];
      if (i >= n) return records;
      continue;
    }
    throw new Error(`expected a comma or CRLF at offset ${i}, got ${JSON.stringify(text.slice(i, i + 10))}`);
  }
}

/** Records as objects keyed by the header line; checks every record has the header's width. */
export function parseRfc4180Objects(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [header, ...records] = parseRfc4180(text);
  if (header === undefined) throw new Error("no header line");
  const rows = records.map((r, k) => {
    if (r.length !== header.length) throw new Error(`record ${k + 1} has ${r.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, r[j]!]));
  });
  return { header, rows };
}
