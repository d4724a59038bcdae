/**
 * Records of another Linux security module, which aalens does not analyze but must not skip in
 * silence: on Fedora or RHEL the denial in question is usually SELinux's. SELinux writes its
 * decisions as AVC / USER_AVC records whose text is `avc:  denied  { read } for …`.
 */
const SELINUX_AVC = /\bavc:\s+(?:denied|granted)\s+\{/;

/** Record types that may carry an SELinux AVC message (kernel AVC 1400, user-space USER_AVC 1107). */
export const LSM_RECORD_TYPES: ReadonlySet<string> = new Set(["AVC", "USER_AVC", "1400", "1107"]);

/** True for the text of an SELinux access decision. */
export function isSelinuxAvc(text: string): boolean {
  return text.includes("avc:") && SELINUX_AVC.test(text);
}

/** What to tell the user about the SELinux records seen. */
export function selinuxNote(count: number): string {
  return `${count} SELinux AVC record${count === 1 ? "" : "s"} seen (SELinux, not AppArmor; not analyzed): use audit2allow — \`ausearch -m AVC,USER_AVC -ts recent | audit2allow -w\` explains them, \`… | audit2allow -M NAME\` builds a policy module`;
}
