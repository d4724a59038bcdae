/**
 * Audit record type numbers (linux/audit.h) and the names auditd prints for them. Only the types
 * an AppArmor analysis meets are listed; any other number is kept as `UNKNOWN[n]`.
 */
import type { Mode } from "./record.js";

const TYPE_NAMES: Record<number, string> = {
  1100: "USER_AUTH", 1101: "USER_ACCT", 1102: "USER_MGMT", 1103: "CRED_ACQ", 1104: "CRED_DISP",
  1105: "USER_START", 1106: "USER_END", 1107: "USER_AVC", 1108: "USER_CHAUTHTOK", 1109: "USER_ERR",
  1110: "CRED_REFR", 1111: "USYS_CONFIG", 1112: "USER_LOGIN", 1113: "USER_LOGOUT", 1130: "SERVICE_START",
  1131: "SERVICE_STOP", 1300: "SYSCALL", 1302: "PATH", 1303: "IPC", 1304: "SOCKETCALL", 1305: "CONFIG_CHANGE",
  1306: "SOCKADDR", 1307: "CWD", 1309: "EXECVE", 1320: "EOE", 1321: "BPRM_FCAPS", 1322: "CAPSET",
  1323: "MMAP", 1324: "NETFILTER_PKT", 1325: "NETFILTER_CFG", 1326: "SECCOMP", 1327: "PROCTITLE",
  1328: "FEATURE_CHANGE", 1329: "REPLACE", 1330: "KERN_MODULE", 1331: "FANOTIFY", 1334: "BPF",
  1400: "AVC", 1401: "SELINUX_ERR", 1404: "MAC_STATUS", 1405: "MAC_CONFIG_CHANGE", 1420: "MAC_UNLBL_ALLOW",
  1500: "AA", 1501: "APPARMOR_AUDIT", 1502: "APPARMOR_ALLOWED", 1503: "APPARMOR_DENIED",
  1504: "APPARMOR_HINT", 1505: "APPARMOR_STATUS", 1506: "APPARMOR_ERROR", 1507: "APPARMOR_KILL",
  1700: "ANOM_PROMISCUOUS", 1701: "ANOM_ABEND", 1702: "ANOM_LINK",
};

/** `AVC`, `1400`, `UNKNOWN[1503]` → the record type name. */
export function recordTypeName(raw: string): string {
  let n = NaN;
  if (/^\d+$/.test(raw)) n = Number(raw);
  else {
    const m = /^UNKNOWN\[(\d+)\]$/.exec(raw);
    if (m) n = Number(m[1]);
  }
  if (Number.isNaN(n)) return raw;
  return TYPE_NAMES[n] ?? `UNKNOWN[${n}]`;
}

const MODE_BY_TYPE: Record<string, Mode> = {
  APPARMOR_AUDIT: "AUDIT", APPARMOR_ALLOWED: "ALLOWED", APPARMOR_DENIED: "DENIED",
  APPARMOR_HINT: "HINT", APPARMOR_STATUS: "STATUS", APPARMOR_ERROR: "ERROR", APPARMOR_KILL: "KILL",
};

const MODE_BY_APPARMOR: Record<string, Mode> = {
  AUDIT: "AUDIT", ALLOWED: "ALLOWED", DENIED: "DENIED", HINT: "HINT", STATUS: "STATUS",
  ERROR: "ERROR", KILLED: "KILL", KILL: "KILL",
};

/** The AppArmor event kind from an `apparmor=` value, else from the record type; null if neither says. */
export function modeOf(apparmor: string | undefined, type: string | null): Mode | null {
  if (apparmor !== undefined) return MODE_BY_APPARMOR[apparmor] ?? null;
  return type === null ? null : MODE_BY_TYPE[type] ?? null;
}
