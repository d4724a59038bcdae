/**
 * Decoding of audit values. The kernel writes untrusted strings (paths, comm, labels …) either
 * double-quoted or, when they contain a space, quote, control or non-ASCII byte, as one run of
 * upper-case hex with no quotes (audit_log_untrustedstring). Which keys can be hex is decided by
 * the key, as numbers such as `fsuid=1000` are valid hex too.
 */
import type { Warning } from "../input/reasons.js";

/** Keys whose unquoted values are hex-encoded untrusted strings. */
const HEX_KEYS = new Set([
  "name", "name2", "comm", "exe", "profile", "label", "target", "peer", "peer_label", "peer_profile",
  "tcontext", "namespace", "srcname", "execpath", "cwd", "proctitle", "addr", "peer_addr", "info",
  "path", "key", "data", "subj", "obj", "fstype", "flags", "ocomm", "interface", "member", "bus",
]);
/** EXECVE arguments a0, a1 … are strings hex-encoded the same way (SYSCALL's a0…a3 are numbers). */
const EXECVE_ARG = /^a\d+(?:\[\d+\])?$/;
const HEX = /^(?:[0-9A-F]{2})+$/;
const HEXISH = /^[0-9A-Fa-f]+$/;

export function isHexKey(key: string, type: string | null): boolean {
  return HEX_KEYS.has(key) || (type === "EXECVE" && EXECVE_ARG.test(key));
}

export interface DecodedValue {
  value: string;
  hex: boolean;
  warning?: Warning;
}

/**
 * Decode the raw text after `key=` in a record of `type`. `interpreted` is true for `ausearch -i`
 * output, whose values are already decoded and unquoted.
 */
export function decodeValue(key: string, raw: string, type: string | null, interpreted: boolean): DecodedValue {
  if (raw.charCodeAt(0) === 34 /* " */) {
    if (raw.length >= 2 && raw.charCodeAt(raw.length - 1) === 34) return { value: raw.slice(1, -1), hex: false };
    return { value: raw.slice(1), hex: false, warning: { code: "unterminated-quote", message: `unterminated quote in ${key}=` } };
  }
  if (interpreted || raw.length === 0 || !isHexKey(key, type)) return { value: raw, hex: false };
  if (HEX.test(raw)) return { value: hexToText(raw, key === "proctitle"), hex: true };
  if (HEXISH.test(raw) && raw.length > 1) {
    const why = raw.length % 2 === 1 ? "odd-length" : "lower-case";
    return { value: raw, hex: false, warning: { code: `hex-${why}`, message: `${why} hex in ${key}= kept undecoded` } };
  }
  return { value: raw, hex: false };
}

/** Hex → UTF-8 text (invalid sequences become U+FFFD). proctitle separates argv with NULs. */
export function hexToText(hex: string, nulAsSpace: boolean): string {
  const text = Buffer.from(hex, "hex").toString("utf8");
  if (!nulAsSpace) return text;
  return text.replace(/\0+$/, "").replace(/\0/g, " ");
}
