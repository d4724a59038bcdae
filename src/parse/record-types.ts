/**
 * Audit record type numbers and the names auditd prints for them; any other number is kept as
 * `UNKNOWN[n]`, as auditd does.
 */
import type { Mode } from "./record.js";

/**
 * From the kernel's include/uapi/linux/audit.h (1300–1421, 1700–1703, 1800–1807, 2000) and
 * libaudit.h, as auditd prints them (1100–1209 user space; 1500–1507 AppArmor).
 */
const TYPE_NAMES = new Map<number, string>([
  [1100, "USER_AUTH"], [1101, "USER_ACCT"], [1102, "USER_MGMT"], [1103, "CRED_ACQ"], [1104, "CRED_DISP"],
  [1105, "USER_START"], [1106, "USER_END"], [1107, "USER_AVC"], [1108, "USER_CHAUTHTOK"], [1109, "USER_ERR"],
  [1110, "CRED_REFR"], [1111, "USYS_CONFIG"], [1112, "USER_LOGIN"], [1113, "USER_LOGOUT"], [1114, "ADD_USER"],
  [1115, "DEL_USER"], [1116, "ADD_GROUP"], [1117, "DEL_GROUP"], [1118, "DAC_CHECK"], [1119, "CHGRP_ID"],
  [1120, "TEST"], [1121, "TRUSTED_APP"], [1122, "USER_SELINUX_ERR"], [1123, "USER_CMD"], [1124, "USER_TTY"],
  [1125, "CHUSER_ID"], [1126, "GRP_AUTH"], [1127, "SYSTEM_BOOT"], [1128, "SYSTEM_SHUTDOWN"], [1129, "SYSTEM_RUNLEVEL"],
  [1130, "SERVICE_START"], [1131, "SERVICE_STOP"], [1132, "GRP_MGMT"], [1133, "GRP_CHAUTHTOK"], [1134, "MAC_CHECK"],
  [1135, "ACCT_LOCK"], [1136, "ACCT_UNLOCK"], [1137, "USER_DEVICE"], [1138, "SOFTWARE_UPDATE"],
  [1200, "DAEMON_START"], [1201, "DAEMON_END"], [1202, "DAEMON_ABORT"], [1203, "DAEMON_CONFIG"], [1204, "DAEMON_RECONFIG"],
  [1205, "DAEMON_ROTATE"], [1206, "DAEMON_RESUME"], [1207, "DAEMON_ACCEPT"], [1208, "DAEMON_CLOSE"], [1209, "DAEMON_ERR"],
  [1300, "SYSCALL"], [1302, "PATH"], [1303, "IPC"], [1304, "SOCKETCALL"], [1305, "CONFIG_CHANGE"], [1306, "SOCKADDR"],
  [1307, "CWD"], [1309, "EXECVE"], [1311, "IPC_SET_PERM"], [1312, "MQ_OPEN"], [1313, "MQ_SENDRECV"], [1314, "MQ_NOTIFY"],
  [1315, "MQ_GETSETATTR"], [1316, "KERNEL_OTHER"], [1317, "FD_PAIR"], [1318, "OBJ_PID"], [1319, "TTY"], [1320, "EOE"],
  [1321, "BPRM_FCAPS"], [1322, "CAPSET"], [1323, "MMAP"], [1324, "NETFILTER_PKT"], [1325, "NETFILTER_CFG"],
  [1326, "SECCOMP"], [1327, "PROCTITLE"], [1328, "FEATURE_CHANGE"], [1329, "REPLACE"], [1330, "KERN_MODULE"],
  [1331, "FANOTIFY"], [1332, "TIME_INJOFFSET"], [1333, "TIME_ADJNTPVAL"], [1334, "BPF"], [1335, "EVENT_LISTENER"],
  [1336, "URINGOP"], [1337, "OPENAT2"], [1338, "DM_CTRL"], [1339, "DM_EVENT"],
  [1400, "AVC"], [1401, "SELINUX_ERR"], [1402, "AVC_PATH"], [1403, "MAC_POLICY_LOAD"], [1404, "MAC_STATUS"],
  [1405, "MAC_CONFIG_CHANGE"], [1406, "MAC_UNLBL_ALLOW"], [1407, "MAC_CIPSOV4_ADD"], [1408, "MAC_CIPSOV4_DEL"],
  [1409, "MAC_MAP_ADD"], [1410, "MAC_MAP_DEL"], [1411, "MAC_IPSEC_ADDSA"], [1412, "MAC_IPSEC_DELSA"],
  [1413, "MAC_IPSEC_ADDSPD"], [1414, "MAC_IPSEC_DELSPD"], [1415, "MAC_IPSEC_EVENT"], [1416, "MAC_UNLBL_STCADD"],
  [1417, "MAC_UNLBL_STCDEL"], [1418, "MAC_CALIPSO_ADD"], [1419, "MAC_CALIPSO_DEL"], [1420, "MAC_TASK_CONTEXTS"],
  [1421, "MAC_OBJ_CONTEXTS"],
  [1500, "AA"], [1501, "APPARMOR_AUDIT"], [1502, "APPARMOR_ALLOWED"], [1503, "APPARMOR_DENIED"],
  [1504, "APPARMOR_HINT"], [1505, "APPARMOR_STATUS"], [1506, "APPARMOR_ERROR"], [1507, "APPARMOR_KILL"],
  [1700, "ANOM_PROMISCUOUS"], [1701, "ANOM_ABEND"], [1702, "ANOM_LINK"], [1703, "ANOM_CREAT"],
  [1800, "INTEGRITY_DATA"], [1801, "INTEGRITY_METADATA"], [1802, "INTEGRITY_STATUS"], [1803, "INTEGRITY_HASH"],
  [1804, "INTEGRITY_PCR"], [1805, "INTEGRITY_RULE"], [1806, "INTEGRITY_EVM_XATTR"], [1807, "INTEGRITY_POLICY_RULE"],
  [2000, "KERNEL"],
]);

/** `AVC`, `1400`, `UNKNOWN[1503]` → the record type name. */
export function recordTypeName(raw: string): string {
  let n = NaN;
  if (/^\d+$/.test(raw)) n = Number(raw);
  else {
    const m = /^UNKNOWN\[(\d+)\]$/.exec(raw);
    if (m) n = Number(m[1]);
  }
  if (Number.isNaN(n)) return raw;
  return TYPE_NAMES.get(n) ?? `UNKNOWN[${n}]`;
}

// Maps, not object literals: the keys come from logs (`apparmor="constructor"` must find nothing).
const MODE_BY_TYPE = new Map<string, Mode>([
  ["APPARMOR_AUDIT", "AUDIT"], ["APPARMOR_ALLOWED", "ALLOWED"], ["APPARMOR_DENIED", "DENIED"],
  ["APPARMOR_HINT", "HINT"], ["APPARMOR_STATUS", "STATUS"], ["APPARMOR_ERROR", "ERROR"], ["APPARMOR_KILL", "KILL"],
]);

const MODE_BY_APPARMOR = new Map<string, Mode>([
  ["AUDIT", "AUDIT"], ["ALLOWED", "ALLOWED"], ["DENIED", "DENIED"], ["HINT", "HINT"], ["STATUS", "STATUS"],
  ["ERROR", "ERROR"], ["KILLED", "KILL"], ["KILL", "KILL"],
]);

/** The AppArmor event kind from an `apparmor=` value, else from the record type; null if neither says. */
export function modeOf(apparmor: string | undefined, type: string | null): Mode | null {
  if (apparmor !== undefined) return MODE_BY_APPARMOR.get(apparmor) ?? null;
  return type === null ? null : MODE_BY_TYPE.get(type) ?? null;
}
