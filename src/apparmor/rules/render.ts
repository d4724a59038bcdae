/**
 * Typed rule → AppArmor rule text, as apparmor_parser reads it inside a profile body: one
 * statement, whatever the log held. Words from AppArmor's vocabulary were checked when the rule
 * was made (synthesize.ts); paths are AARE patterns escaped there (paths.ts); every other name
 * from a log (labels, peers, addresses, targets) is escaped here as a literal and quoted when
 * AppArmor's lexer would split it.
 */
import type { Rule } from "../rule-model.js";
import { literalWord, quoteWord } from "../aare/escape.js";

function list(items: string[]): string {
  return items.length === 1 ? items[0]! : `(${items.join(", ")})`;
}

/** Accesses: `send` alone, `(receive, send)` for several (AppArmor reads both). */
function access(items: string[]): string[] {
  return items.length === 0 ? [] : [list(items)];
}

/** `key=value` for a conditional, the value quoted when needed; nothing when absent. */
function cond(key: string, value: string | undefined): string[] {
  return value === undefined ? [] : [`${key}=${quoteWord(value)}`];
}

/** `key=value` for a conditional whose value is a literal from a log (escaped, maybe quoted). */
function lit(key: string, value: string | undefined): string[] {
  return value === undefined ? [] : [`${key}=${literalWord(value)}`];
}

/** `peer=(label=…, addr=…)` style groups. */
function group(key: string, parts: string[]): string[] {
  return parts.length === 0 ? [] : [`${key}=(${parts.join(", ")})`];
}


export function renderRule(rule: Rule): string {
  const parts: string[] = [];
  switch (rule.kind) {
    case "file": {
      if (rule.owner) parts.push("owner");
      parts.push(quoteWord(rule.path));
      const perms = rule.perms + (rule.exec ?? "");
      parts.push(perms);
      if (rule.execTarget !== undefined) parts.push("->", literalWord(rule.execTarget));
      break;
    }
    case "capability":
      parts.push("capability", ...rule.names);
      break;
    case "network":
      parts.push("network", ...[rule.family, rule.type ?? rule.protocol].filter((x): x is string => x !== undefined));
      break;
    case "unix":
      parts.push("unix");
      if (rule.access.length > 0) parts.push(`(${rule.access.join(", ")})`);
      parts.push(...cond("type", rule.type), ...lit("addr", rule.addr));
      parts.push(...group("peer", [...lit("label", rule.peerLabel), ...lit("addr", rule.peerAddr)]));
      break;
    case "signal":
      parts.push("signal", ...access(rule.access));
      if (rule.signals.length > 0) parts.push(`set=${list(rule.signals)}`);
      parts.push(...lit("peer", rule.peer));
      break;
    case "ptrace":
      parts.push("ptrace", ...access(rule.access));
      parts.push(...lit("peer", rule.peer));
      break;
    case "dbus":
      parts.push("dbus", ...access(rule.access));
      parts.push(...cond("bus", rule.bus), ...lit("path", rule.path), ...cond("interface", rule.interface), ...cond("member", rule.member));
      parts.push(...cond("name", rule.name));
      parts.push(...group("peer", [...cond("name", rule.peerName), ...lit("label", rule.peerLabel)]));
      break;
    case "mount":
      parts.push("mount", ...cond("fstype", rule.fstype));
      if (rule.options !== undefined && rule.options.length > 0) parts.push(`options=(${rule.options.join(", ")})`);
      if (rule.source !== undefined) parts.push(quoteWord(rule.source));
      if (rule.mountpoint !== undefined) parts.push("->", quoteWord(rule.mountpoint));
      break;
    case "remount":
      parts.push("remount");
      if (rule.options !== undefined && rule.options.length > 0) parts.push(`options=(${rule.options.join(", ")})`);
      if (rule.mountpoint !== undefined) parts.push(quoteWord(rule.mountpoint));
      break;
    case "umount":
      parts.push("umount");
      if (rule.mountpoint !== undefined) parts.push(quoteWord(rule.mountpoint));
      break;
    case "pivot_root":
      parts.push("pivot_root");
      if (rule.oldroot !== undefined) parts.push(`oldroot=${quoteWord(rule.oldroot)}`);
      if (rule.newroot !== undefined) parts.push(quoteWord(rule.newroot));
      break;
    case "userns":
      parts.push("userns", ...rule.access);
      break;
    case "mqueue":
      parts.push("mqueue");
      if (rule.access.length > 0) parts.push(list(rule.access));
      parts.push(...cond("type", rule.type));
      if (rule.name !== undefined) parts.push(literalWord(rule.name));
      break;
    case "io_uring":
      parts.push("io_uring");
      if (rule.access.length > 0) parts.push(list(rule.access));
      parts.push(...lit("label", rule.label));
      break;
    case "change_profile":
      parts.push("change_profile");
      if (rule.execPath !== undefined) parts.push(quoteWord(rule.execPath));
      parts.push("->", literalWord(rule.target));
      break;
  }
  return parts.join(" ") + ",";
}
