/**
 * Policy variables: `@{X} = a b` defines, `@{X} += c` appends; a value may use other variables
 * (`@{HOME}=@{HOMEDIRS}/*\/ /root/`, `@{tid}=@{pid}`). A pattern that uses variables stands for
 * the set of patterns obtained by substituting every value of every variable (a cartesian product,
 * as apparmor_parser does); for paths each result has its runs of `/` collapsed, so `@{PROC}/net`
 * with `@{PROC}=/proc/` is `/proc/net`.
 */
import { filterSlashes } from "../aare/match.js";

/** Variable name (without `@{}`) → values, in definition order. */
export type VariableTable = Map<string, string[]>;

export function defineVariable(table: VariableTable, name: string, values: string[], append: boolean): void {
  const old = table.get(name);
  table.set(name, append && old ? [...old, ...values] : [...values]);
}

const VAR_RE = /(?<!\\)@\{(\w+)\}/;

export interface Expansion {
  /** The patterns the input stands for (the input itself when it uses no variable). */
  patterns: string[];
  /** Variables used but not defined (left in the pattern as written). */
  unknown: string[];
  /** True when the product was cut at the limit. */
  truncated: boolean;
}

/**
 * Substitute variables (recursively, cycles left as written) into the list of patterns the
 * input stands for, at most `limit` (1024) of them. `paths: false` keeps runs of `/` (labels).
 */
export function expandVariables(pattern: string, vars: ReadonlyMap<string, string[]>, options: { paths?: boolean; limit?: number } = {}): Expansion {
  const limit = options.limit ?? 1024;
  const unknown = new Set<string>();
  let truncated = false;
  const memo = new Map<string, string[]>();

  const expand = (text: string, active: Set<string>): string[] => {
    const m = VAR_RE.exec(text);
    if (!m) return [text];
    const name = m[1]!;
    const before = text.slice(0, m.index);
    const afterList = expand(text.slice(m.index + m[0].length), active);
    let values: string[];
    if (!vars.has(name) || active.has(name)) {
      if (!vars.has(name)) unknown.add(name);
      values = [m[0]];
    } else {
      const cached = memo.get(name);
      if (cached) values = cached;
      else {
        active.add(name);
        values = [];
        for (const v of vars.get(name)!) {
          for (const e of expand(v, active)) {
            if (values.length >= limit) {
              truncated = true;
              break;
            }
            values.push(e);
          }
        }
        active.delete(name);
        memo.set(name, values);
      }
    }
    const out: string[] = [];
    for (const v of values) {
      for (const a of afterList) {
        if (out.length >= limit) {
          truncated = true;
          return out;
        }
        out.push(before + v + a);
      }
    }
    return out;
  };

  const raw = expand(pattern, new Set());
  // Labels (`/usr/bin/man//&man_groff`) keep their `//`; paths lose runs of slashes.
  const patterns = [...new Set(options.paths === false ? raw : raw.map(filterSlashes))];
  return { patterns, unknown: [...unknown], truncated };
}
