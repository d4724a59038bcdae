/**
 * Profile name → the name of its file under local/, when the installed policy does not say
 * (it usually does: see the include inside the profile). The mapping is AppArmor's convention,
 * `/usr/bin/foo` → `usr.bin.foo`, made reversible so that two profiles never share a file:
 *
 * - a path profile with two or more components: `/` → `.`, a literal `.` → `%2E`;
 * - a path profile with one component: `/foo` → `%2Ffoo`;
 * - a named profile (`pasta`, `snap.x.y`, `parent//child`): `.` → `%2E`, `/` → `%2F`;
 * - in all of them every byte outside `[A-Za-z0-9_+-]` is `%XX` (so `%` is `%25`).
 *
 * So the name never holds a `/`, is never `.` or `..`, and decodes back to exactly one profile.
 */

/** NAME_MAX of Linux file systems, in bytes. */
export const MAX_FILE_NAME = 255;

const SAFE = /[A-Za-z0-9_+-]/;

function encode(text: string): string {
  let out = "";
  for (const c of text) {
    if (SAFE.test(c)) out += c;
    else for (const b of Buffer.from(c, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export type LocalName = { name: string; reason?: undefined } | { name?: undefined; reason: string };

/** The local/ file name for a profile that the installed policy does not place. */
export function localNameOf(profile: string): LocalName {
  let name: string;
  if (profile.startsWith("/")) {
    const parts = profile.slice(1).split("/");
    name = parts.length === 1 ? `%2F${encode(parts[0]!)}` : parts.map(encode).join(".");
  } else name = encode(profile);
  if (name === "") return { reason: "an empty profile name has no local file" };
  if (Buffer.byteLength(name) > MAX_FILE_NAME) return { reason: `the profile name is too long for a file name (${Buffer.byteLength(name)} bytes, at most ${MAX_FILE_NAME})` };
  return { name };
}

/** The profile a local/ file name stands for (the inverse of localNameOf). */
export function profileOfLocalName(name: string): string {
  const decode = (s: string) => Buffer.from(s.replace(/%([0-9A-F]{2})|([^%]+)/g, (_m, hex: string | undefined, text: string | undefined) => (hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : Buffer.from(text!, "utf8").toString("latin1"))), "latin1").toString("utf8");
  if (name.includes(".")) return "/" + name.split(".").map(decode).join("/");
  if (name.startsWith("%2F")) return "/" + decode(name.slice(3));
  return decode(name);
}
