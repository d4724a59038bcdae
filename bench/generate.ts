/**
 * Benchmark corpus generators.
 *
 * Every corpus is deterministic: a seeded PRNG (mulberry32, one independent stream per
 * corpus) drives everything, timestamps start at a fixed instant, so the same seed and
 * scale always give byte-identical files.  Lines are appended to a small in-memory batch
 * that is flushed with writeSync every ~1 MB, so generating 200 MB needs a few MB of heap.
 * A corpus is written to a temporary name and renamed when complete; bench/out/manifest.json
 * records seed, scale, generator version, size and the ground truth (how many AppArmor
 * records were written) so a later run reuses the files instead of regenerating them.
 *
 * Corpora (sizes at AALENS_BENCH_SCALE=1):
 *  - apparmor.log       500k auditd-format AppArmor lines (AVC + dbus USER_AVC), current kernel
 *                       style: class=, requested=/denied=, addr=/peer_addr=, subj=, peer_pid=.
 *  - apparmor-308.log   the same events, line for line, without the keys libapparmor 3.0.8
 *                       rejects, so both parsers can be compared on records both understand.
 *  - apparmor-repeats.log  as many lines as apparmor.log, but only ~200 distinct bodies (every
 *                       kind of event; 3.0.8 keys) repeated with Zipf weights (s = 1.1), each
 *                       line with a new audit stamp, serial and pid, as real logs repeat a denial.
 *  - apparmor-4x.log    4× the lines of apparmor.log, all distinct: the same generator on another
 *                       PRNG stream (for the linearity check; not a concatenation).
 *  - mixed-audit.log    ~200 MB /var/log/audit/audit.log (ENRICHED format, 0x1D separator),
 *                       ~5 % AppArmor lines; AVCs come with SYSCALL/CWD/PATH/PROCTITLE
 *                       sharing their msg=audit(…) id, the rest is execve/watch rules, PAM,
 *                       systemd SERVICE_*, sudo, BPF, NETFILTER_CFG … records.
 *  - mixed-syslog.log   ~50 MB syslog/kern.log with BSD dates, ~5 % kernel audit lines.
 *  - journal.json       ~50 MB of `journalctl -o json` entries, ~5 % AppArmor (kernel and
 *                       audit transports).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Bump when the output of any generator changes, so stale corpora are regenerated. */
export const GENERATOR_VERSION = 2;

// ---------------------------------------------------------------------------------------------
// PRNG and helpers

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(digits: number): string {
    let s = "";
    for (let i = 0; i < digits; i++) s += "0123456789abcdef"[this.int(16)];
    return s;
  }
  /** Exponentially distributed integer with the given mean (at least 1). */
  expo(mean: number): number {
    return Math.max(1, Math.round(-Math.log(1 - this.next()) * mean));
  }
}

/** A weighted chooser built once: `w(rng)` returns an item with probability ∝ its weight. */
function weighted<T>(table: ReadonlyArray<readonly [T, number]>): (rng: Rng) => T {
  const total = table.reduce((a, [, w]) => a + w, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const [, w] of table) cum.push((acc += w / total));
  return (rng) => {
    const x = rng.next();
    for (let i = 0; i < cum.length; i++) if (x < cum[i]!) return table[i]![0];
    return table[table.length - 1]![0];
  };
}

const pad = (n: number, w: number, c = "0"): string => String(n).padStart(w, c);

/** Text as the kernel logs untrusted strings: quoted, or upper-case hex when it holds a space, a quote, a control or a non-ASCII byte. */
function untrusted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22) return Buffer.from(s, "utf8").toString("hex").toUpperCase();
  }
  return `"${s}"`;
}

const hexArg = (s: string): string => Buffer.from(s, "utf8").toString("hex").toUpperCase();

// ---------------------------------------------------------------------------------------------
// Output

class LineWriter {
  readonly tmp: string;
  private fd: number;
  private batch: string[] = [];
  private batchChars = 0;
  lines = 0;
  bytes = 0;
  constructor(readonly file: string) {
    this.tmp = `${file}.tmp-${process.pid}`;
    this.fd = fs.openSync(this.tmp, "w");
  }
  line(s: string): void {
    this.batch.push(s, "\n");
    this.batchChars += s.length + 1;
    this.lines++;
    if (this.batchChars >= 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.batch.length === 0) return;
    const buf = Buffer.from(this.batch.join(""), "utf8");
    fs.writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.batch = [];
    this.batchChars = 0;
  }
  /** Bytes written so far plus the pending batch (approximate for non-ASCII, good enough for size targets). */
  size(): number {
    return this.bytes + this.batchChars;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
  }
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Time

const START_MS = Date.UTC(2024, 10, 29, 6, 25, 3, 117); // fixed: corpora must not depend on "now"
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

class Clock {
  ms = START_MS;
  serial: number;
  readonly bootMs: number;
  constructor(private rng: Rng) {
    this.serial = rng.range(300, 5000);
    this.bootMs = START_MS - rng.range(200, 90_000) * 1000;
  }
  tick(meanMs: number): void {
    this.ms += this.rng.expo(meanMs);
  }
  /** A fresh `S.MS:SERIAL` audit id at the current time. */
  auditId(): string {
    this.serial++;
    return `${Math.floor(this.ms / 1000)}.${pad(this.ms % 1000, 3)}:${this.serial}`;
  }
  /** `Nov 29 06:25:03` (UTC), day padded with a space as syslog does. */
  bsd(): string {
    const d = new Date(this.ms);
    return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, " ")} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  }
  /** `[  123.456789]` dmesg uptime stamp. */
  uptimeStamp(): string {
    const us = (this.ms - this.bootMs) * 1000 + this.rng.int(1000);
    return `[${pad(Math.floor(us / 1e6), 5, " ")}.${pad(us % 1e6, 6)}]`;
  }
  private lastUs = 0;
  /** Microseconds since the epoch, strictly increasing (journald's __REALTIME_TIMESTAMP). */
  usec(): string {
    this.lastUs = Math.max(this.lastUs + 1, this.ms * 1000 + this.rng.int(1000));
    return String(this.lastUs);
  }
  monoUsec(): string {
    return String((this.ms - this.bootMs) * 1000 + this.rng.int(1000));
  }
}

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

interface App {
  profile: string;
  comm: string;
  exe: string;
  uid: number;
  /** Kind of files it touches. */
  files: "home" | "system" | "web" | "db" | "container";
  /** Other thread names (firefox "Web Content" etc.; with a space they are hex-encoded). */
  threads?: readonly string[];
}

const USERS: ReadonlyArray<readonly [string, number]> = [
  ["alice", 1000],
  ["bob", 1001],
  ["carol", 1002],
];
const userName = (uid: number): string =>
  uid === 0 ? "root" : (USERS.find(([, u]) => u === uid)?.[0] ?? (uid === 4294967295 ? "unset" : `u${uid}`));

const APPS: readonly App[] = [
  { profile: "snap.firefox.firefox", comm: "firefox", exe: "/snap/firefox/5361/usr/lib/firefox/firefox", uid: 1000, files: "home", threads: ["Web Content", "Isolated Web Co", "Socket Process", "RDD Process", "GeckoMain"] },
  { profile: "/usr/bin/evince", comm: "evince", exe: "/usr/bin/evince", uid: 1000, files: "home" },
  { profile: "/usr/sbin/cupsd", comm: "cupsd", exe: "/usr/sbin/cupsd", uid: 0, files: "system" },
  { profile: "/usr/sbin/mysqld", comm: "mysqld", exe: "/usr/sbin/mysqld", uid: 111, files: "db" },
  { profile: "/usr/sbin/named", comm: "named", exe: "/usr/sbin/named", uid: 117, files: "system" },
  { profile: "/usr/bin/tcpdump", comm: "tcpdump", exe: "/usr/bin/tcpdump", uid: 0, files: "system" },
  { profile: "docker-default", comm: "nginx", exe: "/usr/sbin/nginx", uid: 0, files: "web" },
  { profile: "containers-default-0.57.4", comm: "python3", exe: "/usr/bin/python3.11", uid: 1000, files: "container" },
  { profile: "libvirt-3f7c1e2a-1b2c-4d5e-8f90-0a1b2c3d4e5f", comm: "qemu-system-x86", exe: "/usr/bin/qemu-system-x86_64", uid: 64055, files: "system" },
  { profile: "/usr/lib/snapd/snap-confine", comm: "snap-confine", exe: "/usr/lib/snapd/snap-confine", uid: 0, files: "system" },
  { profile: "/usr/bin/man", comm: "man", exe: "/usr/bin/man", uid: 1000, files: "system" },
  { profile: "nvidia_modprobe", comm: "nvidia-modprobe", exe: "/usr/bin/nvidia-modprobe", uid: 0, files: "system" },
  { profile: "lsb_release", comm: "lsb_release", exe: "/usr/bin/python3.11", uid: 1000, files: "system" },
  { profile: "rsyslogd", comm: "rsyslogd", exe: "/usr/sbin/rsyslogd", uid: 0, files: "system" },
  { profile: "/usr/sbin/sssd", comm: "sssd_be", exe: "/usr/libexec/sssd/sssd_be", uid: 0, files: "system" },
  { profile: "/usr/bin/freshclam", comm: "freshclam", exe: "/usr/bin/freshclam", uid: 119, files: "db" },
  { profile: "snap.code.code", comm: "code", exe: "/snap/code/174/usr/share/code/code", uid: 1001, files: "home" },
  { profile: "/usr/sbin/apache2//HANDLING_UNTRUSTED_INPUT", comm: "apache2", exe: "/usr/sbin/apache2", uid: 33, files: "web" },
  { profile: "/usr/sbin/dhclient//null-/usr/bin/hostname", comm: "hostname", exe: "/usr/bin/hostname", uid: 0, files: "system" },
  { profile: "crun", comm: "crun", exe: "/usr/bin/crun", uid: 1000, files: "container" },
  { profile: "runc", comm: "runc", exe: "/usr/sbin/runc", uid: 0, files: "container" },
  { profile: "signal-desktop", comm: "signal-desktop", exe: "/opt/Signal/signal-desktop", uid: 1002, files: "home" },
  { profile: "ubuntu_pro_apt_news", comm: "python3", exe: "/usr/bin/python3.11", uid: 0, files: "system" },
  { profile: "/usr/sbin/chronyd", comm: "chronyd", exe: "/usr/sbin/chronyd", uid: 0, files: "system" },
  { profile: "/usr/lib/NetworkManager/nm-dhcp-client.action", comm: "nm-dhcp-helper", exe: "/usr/lib/NetworkManager/nm-dhcp-helper", uid: 0, files: "system" },
  { profile: "Xorg", comm: "Xorg", exe: "/usr/lib/xorg/Xorg", uid: 1000, files: "system" },
  { profile: "unprivileged_userns", comm: "bwrap", exe: "/usr/bin/bwrap", uid: 1000, files: "home" },
  { profile: "/usr/sbin/smbd", comm: "smbd", exe: "/usr/sbin/smbd", uid: 0, files: "home" },
];
const PASTA: App = { profile: "passt", comm: "pasta", exe: "/usr/bin/pasta", uid: 1000, files: "container" };

const WORDS = ["report", "notes", "invoice", "backup", "photo", "draft", "config", "cache", "index", "data", "thumb", "session", "state", "profile", "history", "cookies", "prefs", "font", "plugin", "bookmarks"];
const EXTS = ["pdf", "txt", "json", "db", "png", "jpg", "sqlite", "log", "conf", "odt", "lock", "tmp", "xml", "so"];
const HOME_DIRS = ["Documents", "Downloads", "Pictures", ".config/evince", ".cache/mozilla/firefox", ".local/share/recently-used.xbel.d", ".mozilla/firefox/x1y2z3.default-release", ".config/Code/User", ".ssh", ".gnupg"];
const ETC = ["/etc/ld.so.cache", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/resolv.conf", "/etc/ssl/openssl.cnf", "/etc/machine-id", "/etc/localtime", "/etc/gai.conf", "/etc/cups/cupsd.conf", "/etc/mysql/my.cnf", "/etc/shadow", "/etc/os-release", "/etc/fonts/fonts.conf"];
const PROC = ["status", "stat", "cmdline", "mountinfo", "maps", "oom_score_adj", "environ", "cgroup", "fd/", "attr/current", "loginuid", "task/"];
/** Names that need hex encoding in the log: spaces, a quote, non-ASCII. */
const WEIRD = [
  "/home/alice/My Documents/report 2024.pdf",
  "/home/alice/Документы/план.odt",
  "/tmp/a b.txt",
  "/media/bob/USB STICK/Fotos Urlaub/IMG 1234.JPG",
  '/home/carol/say "hi".txt',
  "/home/bob/Téléchargements/facture n°12.pdf",
  "/srv/share/Projekt Übersicht.xlsx",
  "/home/alice/.config/Signal/attachments.noindex/a b/c",
  "/run/user/1000/doc/by-app/snap.firefox/日本語.txt",
];
const CAPS: ReadonlyArray<readonly [number, string]> = [
  [0, "chown"], [1, "dac_override"], [2, "dac_read_search"], [3, "fowner"], [5, "kill"], [6, "setgid"], [7, "setuid"],
  [8, "setpcap"], [10, "net_bind_service"], [12, "net_admin"], [13, "net_raw"], [14, "ipc_lock"], [16, "sys_module"],
  [18, "sys_chroot"], [19, "sys_ptrace"], [21, "sys_admin"], [24, "sys_resource"], [29, "audit_write"], [31, "setfcap"],
  [33, "mac_admin"], [34, "syslog"], [38, "perfmon"], [39, "bpf"], [40, "checkpoint_restore"],
];
const SIGNALS = ["hup", "int", "quit", "kill", "usr1", "usr2", "term", "cont", "stop", "chld", "winch", "abrt"];
const PEERS = ["unconfined", "snap.firefox.firefox", "/usr/sbin/cupsd", "docker-default", "/usr/bin/evince", "gnome-shell", "/usr/lib/snapd/snap-confine"];
const LIBS = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libgtk-3.so.0.2409.32", "/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2", "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache"];
const BINS = ["/usr/bin/bash", "/usr/bin/dash", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/python3.11", "/usr/bin/grep", "/usr/bin/sed", "/usr/bin/git", "/usr/bin/curl", "/usr/sbin/ldconfig", "/usr/bin/hostname"];
const FSTYPES: ReadonlyArray<readonly [string, string, string]> = [
  ["tmpfs", "tmpfs", "rw, nosuid, nodev"],
  ["proc", "proc", "rw, nosuid, nodev, noexec"],
  ["sysfs", "sysfs", "ro, nosuid, nodev, noexec"],
  ["overlay", "overlay", "rw"],
  ["ext4", "/dev/sdb1", "rw, nosuid, nodev"],
  ["fuse.portal", "portal", "rw, nosuid, nodev"],
  ["cgroup2", "cgroup2", "rw, nosuid, nodev, noexec"],
];
const DBUS: ReadonlyArray<readonly [string, string, string, string, string]> = [
  // bus, path, interface, member, name
  ["system", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "org.freedesktop.DBus"],
  ["system", "/org/freedesktop/NetworkManager", "org.freedesktop.DBus.Properties", "GetAll", "org.freedesktop.NetworkManager"],
  ["system", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "Inhibit", "org.freedesktop.login1"],
  ["system", "/org/freedesktop/timedate1", "org.freedesktop.DBus.Properties", "Get", "org.freedesktop.timedate1"],
  ["session", "/org/freedesktop/Notifications", "org.freedesktop.Notifications", "Notify", "org.freedesktop.Notifications"],
  ["session", "/org/gtk/vfs/mounttracker", "org.gtk.vfs.MountTracker", "ListMountableInfo", ":1.23"],
  ["session", "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Settings", "ReadAll", "org.freedesktop.portal.Desktop"],
  ["system", "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization", ":1.4"],
];

// ---------------------------------------------------------------------------------------------
// AppArmor events

/** One `key=value` of an AppArmor record. `modern`: only written by recent kernels/dbus (and rejected by libapparmor 3.0.8). */
interface Field {
  k: string;
  v: string;
  modern?: boolean;
}
type Mode = "DENIED" | "ALLOWED" | "AUDIT" | "STATUS";

interface AaEvent {
  /** true: kernel AVC (type 1400); false: dbus-daemon USER_AVC (type 1107). */
  kernel: boolean;
  mode: Mode;
  fields: Field[];
  app: App;
  pid: number;
  /** Thread name actually logged (may differ from app.comm). */
  comm: string;
  /** Syscall number and name for the accompanying SYSCALL record. */
  sc: readonly [number, string];
  exit: number;
  /** Path for a PATH record, when the syscall had one. */
  pathName?: string;
  fsuid?: number;
  ouid?: number;
}

const f = (k: string, v: string | number, modern = false): Field => ({ k, v: String(v), modern });
const fq = (k: string, v: string, modern = false): Field => ({ k, v: `"${v}"`, modern });
const fu = (k: string, v: string, modern = false): Field => ({ k, v: untrusted(v), modern });

/** Renders the `apparmor="…" …` part, with or without the keys 3.0.8 does not know. */
function renderFields(fields: readonly Field[], modern: boolean): string {
  let s = "";
  for (const fl of fields) {
    if (fl.modern && !modern) continue;
    if (s) s += " ";
    s += `${fl.k}=${fl.v}`;
  }
  return s;
}

const DBUS_PID = 812;
const DBUS_UID = 102;

/**
 * Renders the record body after `msg=audit(…): ` (auditd) / `audit(…): ` (printk) / the type
 * name (journal audit transport): the fields of an AVC, or the envelope plus nested msg='…'
 * of a USER_AVC.
 */
function renderBody(ev: AaEvent, modern: boolean): string {
  const inner = renderFields(ev.fields, modern);
  if (ev.kernel) return inner;
  const subj = modern ? " subj=unconfined" : "";
  return `pid=${DBUS_PID} uid=${DBUS_UID} auid=4294967295 ses=4294967295${subj} msg='${inner}'`;
}

/** auditd ENRICHED suffix for an AppArmor record (after the 0x1D separator). */
function enrichedAa(ev: AaEvent): string {
  if (!ev.kernel) return `\x1dUID="messagebus" AUID="unset" SAUID="messagebus"`;
  if (ev.fsuid === undefined) return "";
  return `\x1dFSUID="${userName(ev.fsuid)}" OUID="${userName(ev.ouid ?? 0)}"`;
}

/** The kinds of AppArmor event the factory makes, with their weights in the pure corpus. */
const AA_KIND_WEIGHTS = [
  ["file", 40], ["capable", 10], ["net", 10], ["signal", 5], ["ptrace", 4], ["mount", 3], ["userns", 4],
  ["dbus", 7], ["status", 5], ["pasta", 6], ["exec", 4], ["change_hat", 1], ["disconnected", 1],
] as const;
type AaKind = (typeof AA_KIND_WEIGHTS)[number][0];

class AaFactory {
  private kind: (rng: Rng) => AaKind;
  private mode: (rng: Rng) => Mode;
  private fileOp: (rng: Rng) => readonly [string, string, string, readonly [number, string]];
  constructor(private rng: Rng, private hexRate = 0.08) {
    this.kind = weighted(AA_KIND_WEIGHTS);
    this.mode = weighted<Mode>([["DENIED", 78], ["ALLOWED", 14], ["AUDIT", 8]]);
    // operation, requested, denied, syscall
    this.fileOp = weighted<readonly [string, string, string, readonly [number, string]]>([
      [["open", "r", "r", [257, "openat"]], 30],
      [["open", "rw", "w", [257, "openat"]], 6],
      [["open", "wc", "wc", [257, "openat"]], 4],
      [["open", "ra", "a", [257, "openat"]], 1],
      [["file_mmap", "rm", "m", [9, "mmap"]], 5],
      [["mknod", "c", "c", [259, "mknodat"]], 3],
      [["unlink", "d", "d", [263, "unlinkat"]], 3],
      [["rename_src", "rd", "d", [316, "renameat2"]], 1],
      [["rename_dest", "wc", "wc", [316, "renameat2"]], 1],
      [["file_perm", "r", "r", [0, "read"]], 3],
      [["file_perm", "w", "w", [1, "write"]], 2],
      [["file_lock", "k", "k", [73, "flock"]], 3],
      [["link", "l", "l", [265, "linkat"]], 1],
      [["truncate", "w", "w", [76, "truncate"]], 1],
      [["getattr", "r", "r", [262, "newfstatat"]], 4],
      [["mkdir", "c", "c", [83, "mkdir"]], 2],
      [["chmod", "w", "w", [268, "fchmodat"]], 1],
      [["chown", "w", "w", [260, "fchownat"]], 1],
    ]);
  }

  private pid(): number {
    return this.rng.range(300, 199_999);
  }

  private commOf(app: App): string {
    if (app.threads && this.rng.chance(0.5)) return this.rng.pick(app.threads);
    return app.comm;
  }

  /** A file name this app would touch; ~hexRate of them need hex encoding. */
  private fileName(app: App, pid: number): string {
    const r = this.rng;
    if (r.chance(this.hexRate)) return r.pick(WEIRD);
    const [user, uid] = USERS.find(([, u]) => u === app.uid) ?? r.pick(USERS);
    void uid;
    const file = `${r.pick(WORDS)}${r.int(40)}.${r.pick(EXTS)}`;
    switch (app.files) {
      case "home":
        return r.chance(0.6) ? `/home/${user}/${r.pick(HOME_DIRS)}/${file}` : r.chance(0.5) ? `/proc/${pid}/${r.pick(PROC)}` : r.pick(ETC);
      case "web":
        return r.chance(0.5) ? `/var/www/html/${r.pick(WORDS)}/${file}` : r.chance(0.5) ? `/var/log/nginx/${r.pick(["access", "error"])}.log` : r.pick(ETC);
      case "db":
        return r.chance(0.6) ? `/var/lib/${app.comm}/${r.pick(WORDS)}${r.int(200)}.${r.pick(["ibd", "cvd", "db", "log"])}` : r.chance(0.5) ? `/proc/${pid}/${r.pick(PROC)}` : r.pick(ETC);
      case "container":
        return r.chance(0.4)
          ? `/var/lib/containers/storage/overlay/${r.hex(16)}/merged/${r.pick(["etc", "usr/lib", "app"])}/${file}`
          : r.chance(0.5) ? `/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/${r.pick(["libpod-", "crun-"])}${r.hex(12)}.scope/${r.pick(["cgroup.procs", "memory.max", "cpu.max"])}` : `/proc/${pid}/${r.pick(PROC)}`;
      default:
        return r.chance(0.35) ? r.pick(ETC)
          : r.chance(0.35) ? `/proc/${pid}/${r.pick(PROC)}`
          : r.chance(0.4) ? `/sys/devices/system/cpu/cpu${r.int(16)}/cpufreq/scaling_cur_freq`
          : r.chance(0.5) ? r.pick(LIBS) : `/run/${app.comm}/${file}`;
    }
  }

  private head(mode: Mode, op: string, cls: string | null): Field[] {
    const fl = [fq("apparmor", mode), fq("operation", op)];
    if (cls) fl.push(fq("class", cls, true));
    return fl;
  }

  private proc(app: App, pid: number, comm: string): Field[] {
    return [fu("profile", app.profile), f("pid", pid), fu("comm", comm)];
  }

  private ev(app: App, mode: Mode, fields: Field[], pid: number, comm: string, sc: readonly [number, string], extra: Partial<AaEvent> = {}): AaEvent {
    return { kernel: true, mode, fields, app, pid, comm, sc, exit: mode === "DENIED" ? -13 : 0, ...extra };
  }

  /** The next event; `forced` fixes its kind instead of drawing it (the draw is skipped, so the stream differs from then on). */
  next(forced?: AaKind): AaEvent {
    const r = this.rng;
    const kind = forced ?? this.kind(r);
    let app = r.pick(APPS);
    let mode = this.mode(r);
    let pid = this.pid();
    let comm = this.commOf(app);
    switch (kind) {
      case "file":
      case "disconnected": {
        const [op, req, den, sc] = this.fileOp(r);
        let name = this.fileName(app, pid);
        const fields = this.head(mode, op, "file");
        if (kind === "disconnected") {
          name = name.replace(/^\/+/, "");
          mode = "DENIED";
          fields[0] = fq("apparmor", mode);
          fields.push(fq("info", "Failed name lookup - disconnected path"), f("error", -13));
        }
        fields.push(fu("profile", app.profile), fu("name", name), f("pid", pid), fu("comm", comm), fq("requested_mask", req));
        if (mode !== "AUDIT") fields.push(fq("denied_mask", den));
        const ouid = name.startsWith("/home/") || name.startsWith("/run/user/") ? app.uid : 0;
        fields.push(f("fsuid", app.uid), f("ouid", ouid));
        return this.ev(app, mode, fields, pid, comm, sc, { pathName: name, fsuid: app.uid, ouid });
      }
      case "exec": {
        const bin = r.pick(BINS);
        const fields = this.head(mode, "exec", "file");
        const nnp = r.chance(0.15);
        if (nnp) fields.push(fq("info", "no new privs"), f("error", -1));
        fields.push(fu("profile", app.profile), fu("name", bin), f("pid", pid), fu("comm", comm), fq("requested_mask", "x"));
        if (mode !== "AUDIT") fields.push(fq("denied_mask", "x"));
        fields.push(f("fsuid", app.uid), f("ouid", 0));
        if (mode !== "AUDIT") fields.push(fu("target", mode === "ALLOWED" ? `${app.profile}//null-${bin}` : bin));
        return this.ev(app, mode, fields, pid, comm, [59, "execve"], { pathName: bin, fsuid: app.uid, ouid: 0 });
      }
      case "capable": {
        const [num, name] = r.pick(CAPS);
        const fields = this.head(mode, "capable", "cap");
        fields.push(...this.proc(app, pid, comm), f("capability", `${num} `), fq("capname", name));
        return this.ev(app, mode, fields, pid, comm, r.pick([[54, "setsockopt"], [105, "setuid"], [165, "mount"], [16, "ioctl"], [257, "openat"]] as const));
      }
      case "net": {
        const op = r.pick(["create", "connect", "sendmsg", "recvmsg", "bind", "listen", "setsockopt", "getsockname", "accept"]);
        const sc = ({ create: [41, "socket"], connect: [42, "connect"], sendmsg: [46, "sendmsg"], recvmsg: [47, "recvmsg"], bind: [49, "bind"], listen: [50, "listen"], setsockopt: [54, "setsockopt"], getsockname: [51, "getsockname"], accept: [43, "accept"] } as Record<string, readonly [number, string]>)[op]!;
        const mask = op === "sendmsg" ? "send" : op === "recvmsg" ? "receive" : op;
        const fields = this.head(mode, op, "net");
        fields.push(...this.proc(app, pid, comm));
        const fam = r.next();
        if (fam < 0.7) {
          const v6 = r.chance(0.3);
          const [st, proto] = r.pick([["stream", 6], ["stream", 6], ["dgram", 17], ["raw", v6 ? 58 : 1]] as const);
          fields.push(fq("family", v6 ? "inet6" : "inet"), fq("sock_type", st), f("protocol", proto), fq("requested_mask", mask));
          if (mode !== "AUDIT") fields.push(fq("denied_mask", mask));
          if ((op === "connect" || op === "sendmsg") && !v6 && r.chance(0.4)) {
            fields.push(f("laddr", `10.0.${r.int(4)}.${r.range(2, 250)}`), f("lport", r.range(32768, 60999)), f("faddr", r.pick(["1.1.1.1", "9.9.9.9", "140.82.121.4", "127.0.0.53"])), f("fport", r.pick([53, 443, 80, 22])));
          }
        } else if (fam < 0.85) {
          fields.push(fq("family", "netlink"), fq("sock_type", r.pick(["raw", "dgram"])), f("protocol", r.pick([0, 9, 15, 16])), fq("requested_mask", mask));
          if (mode !== "AUDIT") fields.push(fq("denied_mask", mask));
        } else {
          const um = op === "connect" ? "send receive connect" : mask;
          fields.push(fq("family", "unix"), fq("sock_type", r.pick(["stream", "dgram", "seqpacket"])), f("protocol", 0), fq("requested_mask", um));
          if (mode !== "AUDIT") fields.push(fq("denied_mask", um));
          fields.push(f("addr", "none", true), fq("peer_addr", r.pick(["@/tmp/.X11-unix/X0", "/run/systemd/journal/stdout", "/run/dbus/system_bus_socket", "@/home/alice/.cache/ibus/dbus-ABCdef12"]), true), fu("peer", r.pick(PEERS)));
        }
        return this.ev(app, mode, fields, pid, comm, sc);
      }
      case "signal": {
        const fields = this.head(mode, "signal", "signal");
        const m = r.chance(0.7) ? "send" : "receive";
        fields.push(...this.proc(app, pid, comm), fq("requested_mask", m));
        if (mode !== "AUDIT") fields.push(fq("denied_mask", m));
        fields.push(f("signal", r.pick(SIGNALS)), fu("peer", r.pick(PEERS)));
        return this.ev(app, mode, fields, pid, comm, [62, "kill"]);
      }
      case "ptrace": {
        const fields = this.head(mode, "ptrace", "ptrace");
        const m = r.pick(["read", "trace", "readby", "tracedby"]);
        fields.push(...this.proc(app, pid, comm), fq("requested_mask", m));
        if (mode !== "AUDIT") fields.push(fq("denied_mask", m));
        fields.push(fu("peer", r.pick(PEERS)));
        return this.ev(app, mode, fields, pid, comm, r.chance(0.5) ? [101, "ptrace"] : [257, "openat"]);
      }
      case "mount": {
        mode = mode === "AUDIT" ? "DENIED" : mode;
        const op = r.pick(["mount", "mount", "mount", "umount", "pivotroot"]);
        const fields = this.head(mode, op, "mount");
        fields.push(fq("info", r.pick(["failed flags match", "failed mntpnt match", "failed srcname match", "failed type match"])), f("error", -13), fu("profile", app.profile));
        const [fstype, src, flags] = r.pick(FSTYPES);
        const mnt = r.pick(["/mnt/", "/tmp/.mount_x/", "/run/user/1000/doc/", "/sys/fs/cgroup/", "/proc/", "/var/lib/containers/storage/overlay/"]);
        fields.push(fu("name", mnt), f("pid", pid), fu("comm", comm));
        if (op === "mount") fields.push(fq("fstype", fstype), fu("srcname", src), fq("flags", flags));
        if (op === "pivotroot") fields.push(fu("srcname", "/old_root/"));
        return this.ev(app, mode, fields, pid, comm, op === "umount" ? [166, "umount2"] : op === "pivotroot" ? [155, "pivot_root"] : [165, "mount"]);
      }
      case "userns": {
        app = r.pick(APPS.filter((a) => a.uid !== 0));
        comm = r.pick(["unshare", "bwrap", "chrome", "electron", "steam", "podman", "buildah"]);
        const audit = r.chance(0.25);
        const fields = this.head(audit ? "AUDIT" : "DENIED", "userns_create", "namespace");
        if (audit) {
          mode = "AUDIT";
          fields.push(fq("info", "Userns create - transitioning profile"), fq("profile", "unconfined"), f("pid", pid), fu("comm", comm), fq("requested", "userns_create", true), fq("target", "unprivileged_userns"));
        } else {
          mode = "DENIED";
          fields.push(fq("info", "Userns create restricted - failed to find unprivileged_userns profile"), f("error", -13), fq("profile", r.chance(0.6) ? "unconfined" : app.profile), f("pid", pid), fu("comm", comm), fq("requested", "userns_create", true), fq("denied", "userns_create", true));
        }
        return this.ev(app, mode, fields, pid, comm, [272, "unshare"], { exit: audit ? 0 : -1 });
      }
      case "dbus": {
        mode = mode === "AUDIT" ? "DENIED" : mode;
        const [bus, p, iface, member, name] = r.pick(DBUS);
        const bind = r.chance(0.1);
        const op = bind ? "dbus_bind" : r.chance(0.85) ? "dbus_method_call" : "dbus_signal";
        const fields: Field[] = [fq("apparmor", mode), fq("operation", op)];
        // dbus-daemon writes two spaces before bus=: keep that quirk
        fields[1]!.v += " ";
        if (bind) {
          fields.push(fq("bus", bus), fq("name", name), fq("mask", "bind"), f("pid", pid), fu("label", app.profile));
        } else {
          fields.push(fq("bus", bus), fq("path", p), fq("interface", iface), fq("member", member), fq("mask", op === "dbus_signal" ? "receive" : "send"), fq("name", name), f("pid", pid), fu("label", app.profile), f("peer_pid", r.range(1, 5000), true), fq("peer_label", r.pick(["unconfined", "unconfined", "/usr/sbin/NetworkManager", "snapd"])));
        }
        // the trailer is part of msg='…'; two spaces before exe= as dbus-daemon writes it
        fields[fields.length - 1]!.v += " ";
        fields.push(fq("exe", "/usr/bin/dbus-daemon"), f("sauid", DBUS_UID), f("hostname", "?"), f("addr", "?"), f("terminal", "?"));
        const ev = this.ev(app, mode, fields, pid, comm, [0, "none"]);
        ev.kernel = false;
        return ev;
      }
      case "status": {
        mode = "STATUS";
        const op = r.pick(["profile_load", "profile_replace", "profile_replace", "profile_remove"]);
        const fields = this.head(mode, op, null);
        if (op === "profile_replace" && r.chance(0.6)) fields.push(fq("info", "same as current profile, skipping"));
        fields.push(fq("profile", "unconfined"), fu("name", r.pick(APPS).profile), f("pid", pid), fq("comm", "apparmor_parser"));
        return this.ev(app, mode, fields, pid, "apparmor_parser", [1, "write"], { exit: r.range(5000, 90000) });
      }
      case "change_hat": {
        mode = "DENIED";
        const fields = this.head(mode, "change_hat", null);
        fields.push(fq("info", "unconfined can not change_hat"), f("error", -1), fq("profile", "unconfined"), f("pid", pid), fq("comm", "apache2"));
        return this.ev(app, mode, fields, pid, "apache2", [1, "write"], { exit: -1 });
      }
      case "pasta":
      default: {
        app = PASTA;
        comm = "pasta";
        mode = r.chance(0.85) ? "DENIED" : "ALLOWED";
        const netns = `/run/user/1000/netns/netns-${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`;
        const what = r.next();
        if (what < 0.55) {
          const fields = this.head(mode, "open", "file");
          fields.push(fq("profile", app.profile), fu("name", netns), f("pid", pid), fq("comm", comm), fq("requested_mask", "r"), fq("denied_mask", "r"), f("fsuid", 1000), f("ouid", 1000));
          return this.ev(app, mode, fields, pid, comm, [257, "openat"], { pathName: netns, fsuid: 1000, ouid: 1000 });
        } else if (what < 0.8) {
          const fields = this.head(mode, "mount", "mount");
          const proc = r.chance(0.5);
          fields.push(fq("info", "failed perms check"), f("error", -13), fq("profile", app.profile), fu("name", proc ? "/proc/" : netns), f("pid", pid), fq("comm", comm), fq("fstype", proc ? "proc" : "nsfs"), fq("srcname", proc ? "proc" : "nsfs"), fq("flags", proc ? "rw, nosuid, nodev, noexec" : "ro"));
          return this.ev(app, mode, fields, pid, comm, [165, "mount"]);
        } else {
          const [num, name] = r.pick([[21, "sys_admin"], [12, "net_admin"], [8, "setpcap"], [19, "sys_ptrace"]] as const);
          const fields = this.head(mode, "capable", "cap");
          fields.push(fq("profile", app.profile), f("pid", pid), fq("comm", comm), f("capability", `${num} `), fq("capname", name));
          return this.ev(app, mode, fields, pid, comm, [308, "setns"]);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Non-AppArmor audit records (auditd format)

const ENRICH_ARCH = "ARCH=x86_64";

function idsEnriched(uid: number, auid: number): string {
  const u = userName(uid);
  const a = userName(auid);
  return `AUID="${a}" UID="${u}" GID="${u}" EUID="${u}" SUID="${u}" FSUID="${u}" EGID="${u}" SGID="${u}" FSGID="${u}"`;
}

function syscallLine(rng: Rng, id: string, sc: readonly [number, string], success: boolean, exit: number, items: number, pid: number, uid: number, comm: string, exe: string, subj: string, key: string): string {
  const auid = uid >= 1000 ? uid : rng.chance(0.5) ? 4294967295 : uid;
  const ses = auid === 4294967295 ? 4294967295 : rng.range(1, 40);
  const tty = auid === 4294967295 ? "(none)" : rng.pick(["pts0", "pts1", "(none)"]);
  const a = (): string => rng.hex(rng.range(1, 12)).replace(/^0+(?=.)/, "");
  return `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=${sc[0]} success=${success ? "yes" : "no"} exit=${exit} a0=${a()} a1=${a()} a2=${a()} a3=${a()} items=${items} ppid=${rng.range(1, 9000)} pid=${pid} auid=${auid} uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=${tty} ses=${ses} comm=${untrusted(comm)} exe=${untrusted(exe)} subj=${subj} key=${key}\x1d${ENRICH_ARCH} SYSCALL=${sc[1]} ${idsEnriched(uid, auid)}`;
}

function pathLine(rng: Rng, id: string, item: number, name: string, nametype: string, ouid: number): string {
  const mode = nametype === "PARENT" ? "040755" : name.includes("/bin/") ? "0100755" : "0100644";
  return `type=PATH msg=audit(${id}): item=${item} name=${untrusted(name)} inode=${rng.range(1000, 9_999_999)} dev=fd:0${rng.int(3)} mode=${mode} ouid=${ouid} ogid=${ouid} rdev=00:00 nametype=${nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\x1dOUID="${userName(ouid)}" OGID="${userName(ouid)}"`;
}

function proctitleLine(id: string, argv: readonly string[]): string {
  const joined = argv.join("\0");
  const v = /^[\x21-\x7e]+$/.test(joined) ? joined : hexArg(joined);
  return `type=PROCTITLE msg=audit(${id}): proctitle=${v}`;
}

const PAM_SERVICES: ReadonlyArray<readonly [string, string, string, string]> = [
  // exe, acct, terminal, addr
  ["/usr/sbin/cron", "root", "cron", "?"],
  ["/usr/sbin/sshd", "alice", "ssh", "192.168.1.23"],
  ["/usr/bin/sudo", "root", "/dev/pts/0", "?"],
  ["/usr/lib/systemd/systemd", "alice", "?", "?"],
  ["/usr/sbin/gdm3", "bob", "/dev/tty2", "?"],
  ["/usr/bin/su", "root", "/dev/pts/1", "?"],
];
const UNITS = ["systemd-tmpfiles-clean", "apt-daily", "apt-daily-upgrade", "man-db", "logrotate", "fwupd-refresh", "phpsessionclean", "user-runtime-dir@1000", "user@1000", "systemd-hostnamed", "packagekit", "NetworkManager-dispatcher", "snapd", "fstrim", "e2scrub_all", "anacron", "podman-auto-update", "systemd-timedated", "motd-news", "sysstat-collect"];
const CMDS: ReadonlyArray<readonly string[]> = [
  ["/bin/sh", "-c", "command -v debian-sa1 > /dev/null && debian-sa1 1 1"],
  ["/usr/bin/python3", "/usr/bin/networkd-dispatcher", "--run-startup-triggers"],
  ["ls", "-la", "/tmp"],
  ["git", "status"],
  ["cat", "/etc/os-release"],
  ["grep", "-r", "TODO", "src"],
  ["/usr/lib/systemd/systemd-executor", "--deserialize", "42"],
  ["curl", "-s", "https://example.org/api/v1/status"],
  ["podman", "run", "--rm", "-it", "docker.io/library/alpine", "sh"],
  ["vim", "notes.txt"],
  ["/usr/sbin/logrotate", "/etc/logrotate.conf"],
  ["sed", "-i", "s/a b/c/", "file with space.txt"],
];

// ---------------------------------------------------------------------------------------------
// Syslog vocabulary (also used for journal entries)

interface SysMsg {
  ident: string;
  pid: number | null;
  msg: string;
  /** journal transport, for journal.json. */
  transport: "syslog" | "journal" | "stdout" | "kernel";
  unit?: string;
  uid?: number;
}

function ordinaryMessage(rng: Rng, clock: Clock): SysMsg {
  const r = rng;
  const pick = r.int(26);
  switch (pick) {
    case 0:
    case 1: {
      const u = r.pick(UNITS);
      return { ident: "systemd", pid: 1, transport: "journal", unit: "init.scope", msg: r.pick([`Starting ${u}.service - ${u} job...`, `Finished ${u}.service - ${u} job.`, `${u}.service: Deactivated successfully.`, `Started ${u}.service - ${u} job.`, `${u}.service: Consumed ${r.int(9)}.${pad(r.int(1000), 3)}s CPU time.`]) };
    }
    case 2:
      return { ident: "CRON", pid: r.range(1000, 90000), transport: "syslog", unit: "cron.service", msg: r.pick([`(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`, `pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`, `pam_unix(cron:session): session closed for user root`, `(alice) CMD (/home/alice/bin/backup.sh >/dev/null 2>&1)`]) };
    case 3:
      return { ident: "sshd", pid: r.range(1000, 90000), transport: "syslog", unit: "ssh.service", msg: r.pick([`Accepted publickey for alice from 192.168.1.${r.range(2, 250)} port ${r.range(30000, 65000)} ssh2: ED25519 SHA256:${r.hex(43)}`, `Connection closed by authenticating user root 203.0.113.${r.range(2, 250)} port ${r.range(30000, 65000)} [preauth]`, `Invalid user admin from 198.51.100.${r.range(2, 250)} port ${r.range(30000, 65000)}`, `pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)`, `Received disconnect from 192.168.1.${r.range(2, 250)} port ${r.range(30000, 65000)}:11: disconnected by user`]) };
    case 4:
    case 5:
      return { ident: "NetworkManager", pid: 702, transport: "syslog", unit: "NetworkManager.service", msg: `<info>  [${Math.floor(clock.ms / 1000)}.${pad(clock.ms % 1000, 3)}${pad(r.int(10), 1)}] ${r.pick([`device (wlp3s0): state change: activated -> deactivating (reason 'user-requested', sys-iface-state: 'managed')`, `dhcp4 (wlp3s0): state changed new lease, address=192.168.1.${r.range(2, 250)}`, `manager: NetworkManager state is now CONNECTED_GLOBAL`, `device (veth${r.hex(7)}): carrier: link connected`, `policy: set 'Wired connection 1' (enp0s31f6) as default for IPv4 routing and DNS`])}` };
    case 6:
      return { ident: "dbus-daemon", pid: DBUS_PID, transport: "syslog", unit: "dbus.service", msg: `[system] ${r.pick([`Activating via systemd: service name='org.freedesktop.hostname1' unit='dbus-org.freedesktop.hostname1.service' requested by ':1.${r.int(300)}' (uid=0 pid=${r.range(300, 9000)} comm="/usr/bin/gnome-shell")`, "Successfully activated service 'org.freedesktop.hostname1'", "Reloaded configuration"])}` };
    case 7:
    case 8:
      return { ident: "kernel", pid: null, transport: "kernel", msg: r.pick([`usb 1-${r.range(1, 4)}: new high-speed USB device number ${r.range(2, 30)} using xhci_hcd`, `[UFW BLOCK] IN=wlp3s0 OUT= MAC=01:00:5e:00:00:fb:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:08:00 SRC=192.168.1.${r.range(2, 250)} DST=224.0.0.251 LEN=${r.range(60, 400)} TOS=0x00 PREC=0x00 TTL=255 ID=${r.int(65535)} DF PROTO=UDP SPT=5353 DPT=5353 LEN=${r.range(40, 380)}`, `EXT4-fs (sda2): mounted filesystem ${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)} r/w with ordered data mode. Quota mode: none.`, `wlp3s0: authenticated`, `docker0: port ${r.range(1, 4)}(veth${r.hex(7)}) entered forwarding state`, `kauditd_printk_skb: ${r.range(1, 60)} callbacks suppressed`, `audit: audit_lost=${r.range(1, 90)} audit_rate_limit=0 audit_backlog_limit=8192`, `perf: interrupt took too long (${r.range(2500, 9000)} > ${r.range(2500, 9000)}), lowering kernel.perf_event_max_sample_rate to ${r.range(20000, 80000)}`, `TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.`]) };
    case 9:
      return { ident: "systemd-logind", pid: 689, transport: "journal", unit: "systemd-logind.service", msg: r.pick([`New session ${r.range(1, 400)} of user alice.`, `Session ${r.range(1, 400)} logged out. Waiting for processes to exit.`, `Removed session ${r.range(1, 400)}.`, `Watching system buttons on /dev/input/event${r.int(12)} (Power Button)`]) };
    case 10:
      return { ident: "gnome-shell", pid: 1844, transport: "journal", uid: 1000, unit: "user@1000.service", msg: r.pick(["Window manager warning: Overwriting existing binding of keysym 31 with keysym 31 (keycode a).", `JS ERROR: TypeError: this._windows[i] is undefined`, "meta_window_set_stack_position_no_sync: assertion 'window->stack_position >= 0' failed", `Can't update stage views actor <unnamed>[<MetaWindowActorX11>:0x${r.hex(12)}] is on because it needs an allocation.`]) };
    case 11:
      return { ident: "dockerd", pid: 1120, transport: "stdout", unit: "docker.service", msg: `time="${new Date(clock.ms).toISOString()}" level=${r.pick(["info", "info", "warning"])} msg="${r.pick(["ignoring event", "Container failed to exit within 10s of signal 15 - using the force", "Loading containers: done.", "API listen on /run/docker.sock"])}" container=${r.hex(64)} module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"` };
    case 12:
      return { ident: "containerd", pid: 1011, transport: "stdout", unit: "containerd.service", msg: `time="${new Date(clock.ms).toISOString()}" level=info msg="shim disconnected" id=${r.hex(64)} namespace=moby` };
    case 13:
      return { ident: "snapd", pid: 905, transport: "stdout", unit: "snapd.service", msg: r.pick([`storehelpers.go:${r.range(700, 950)}: cannot refresh: snap has no updates available: "core22", "firefox", "gnome-42-2204", "snapd"`, `autorefresh.go:${r.range(400, 600)}: auto-refresh: all snaps are up-to-date`, `daemon.go:${r.range(200, 400)}: started snapd/2.63 (series 16; classic) debian/12 (amd64) linux/6.1.0-27-amd64.`]) };
    case 14:
      return { ident: "chronyd", pid: 655, transport: "syslog", unit: "chrony.service", msg: r.pick([`Selected source 162.159.200.${r.range(1, 254)} (2.debian.pool.ntp.org)`, `System clock wrong by ${r.int(3)}.${pad(r.int(1000000), 6)} seconds`, `Source 185.125.190.${r.range(1, 99)} replaced with 91.189.91.${r.range(1, 200)} (ntp.ubuntu.com)`]) };
    case 15:
      return { ident: "systemd-resolved", pid: 588, transport: "journal", unit: "systemd-resolved.service", msg: r.pick(["Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 192.168.1.1.", `Clock change detected. Flushing caches.`, "Grace period over, resuming full feature set (UDP+EDNS0) for DNS server 192.168.1.1."]) };
    case 16:
      return { ident: "pulseaudio", pid: 1690, transport: "journal", uid: 1000, unit: "user@1000.service", msg: r.pick(["E: [pulseaudio] bluez5-util.c: GetManagedObjects() failed: org.freedesktop.DBus.Error.TimedOut", "W: [pulseaudio] sink-input.c: Failed to create sink input: sink is suspended."]) };
    case 17:
      return { ident: "rsyslogd", pid: 640, transport: "syslog", unit: "rsyslog.service", msg: r.pick(['[origin software="rsyslogd" swVersion="8.2302.0" x-pid="640" x-info="https://www.rsyslog.com"] rsyslogd was HUPed', "imuxsock: Acquired UNIX socket '/run/systemd/journal/syslog' (fd 3) from systemd.  [v8.2302.0]"]) };
    case 18:
      return { ident: "podman", pid: r.range(3000, 90000), transport: "journal", uid: 1000, unit: "user@1000.service", msg: `${new Date(clock.ms).toISOString().replace("T", " ").replace("Z", "")} +0000 UTC m=+${r.int(200)}.${pad(r.int(1000000000), 9)} container ${r.pick(["create", "init", "start", "died", "remove"])} ${r.hex(64)} (image=docker.io/library/alpine:latest, name=${r.pick(["romantic_turing", "eager_hopper", "quirky_ride"])})` };
    case 19:
      return { ident: "pasta", pid: r.range(3000, 90000), transport: "journal", uid: 1000, unit: "user@1000.service", msg: r.pick(["Couldn't get any nameserver address", "Template interface: enp0s31f6 (IPv4), enp0s31f6 (IPv6)", "MAC:", `Failed to open() /run/user/1000/netns/netns-${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}: Permission denied`, "No routable interface for IPv6: IPv6 is disabled"]) };
    case 20:
      return { ident: "avahi-daemon", pid: 611, transport: "syslog", unit: "avahi-daemon.service", msg: r.pick([`Joining mDNS multicast group on interface veth${r.hex(7)}.IPv6 with address fe80::${r.hex(4)}:${r.hex(4)}:${r.hex(4)}:${r.hex(4)}.`, "Server startup complete. Host name is bench-host.local. Local service cookie is 3385112042.", `Registering new address record for 192.168.1.${r.range(2, 250)} on wlp3s0.IPv4.`]) };
    case 21:
      return { ident: "kernel", pid: null, transport: "kernel", msg: r.pick([`audit: type=1334 audit(${Math.floor(clock.ms / 1000)}.${pad(clock.ms % 1000, 3)}:${clock.serial + 1}): prog-id=${r.range(10, 900)} op=LOAD`, `IPv6: ADDRCONF(NETDEV_CHANGE): veth${r.hex(7)}: link becomes ready`, `nvme nvme0: ${r.range(1, 8)}/0/0 default/read/poll queues`]) };
    case 22:
      return { ident: "sudo", pid: r.range(3000, 90000), transport: "syslog", unit: "session-3.scope", msg: r.pick([`   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update`, "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)", "pam_unix(sudo:session): session closed for user root"]) };
    case 23:
      return { ident: "systemd", pid: r.range(1500, 2000), transport: "journal", uid: 1000, unit: "user@1000.service", msg: r.pick([`Started app-gnome-org.gnome.Terminal-${r.range(1000, 9999)}.scope - Application launched by gnome-shell.`, "Reached target timers.target - Timers.", `Started podman-${r.range(3000, 90000)}.scope.`]) };
    case 24:
      return { ident: "apparmor.systemd", pid: r.range(300, 900), transport: "syslog", unit: "apparmor.service", msg: r.pick(["Restarting AppArmor", "Reloading AppArmor profiles", "Skipping profile in /etc/apparmor.d/disable: usr.sbin.rsyslogd"]) };
    default:
      return { ident: "fwupd", pid: 2203, transport: "journal", unit: "fwupd.service", msg: r.pick(["Failed to load SMBIOS: invalid DMI data size, got 2527 bytes, expected 2776", "Successfully downloaded new metadata: 0 local devices supported"]) };
  }
}

// ---------------------------------------------------------------------------------------------
// Corpus plan, manifest

export interface CorpusInfo {
  name: string;
  file: string;
  path: string;
  bytes: number;
  lines: number;
  /** Ground truth: AppArmor records (AVC + USER_AVC apparmor=) written. */
  apparmorRecords: number;
  /** Lines holding `apparmor=` (what grep -c apparmor= should print). */
  apparmorLines: number;
  description: string;
  seed: number;
  scale: number;
  version: number;
  /** apparmor-repeats: distinct record bodies (the line without its stamp, serial and pids). */
  distinctBodies?: number;
  /** apparmor-repeats: Zipf exponent of the body weights. */
  zipfExponent?: number;
  /** apparmor-repeats: share of the lines that carry the most frequent body. */
  topBodyShare?: number;
  /** apparmor-4x: the corpus whose line count this one multiplies, and by how much. */
  multipleOf?: { corpus: CorpusName; factor: number };
}

interface Manifest {
  corpora: Record<string, CorpusInfo>;
}

export interface GenerateOptions {
  outDir: string;
  scale: number;
  seed: number;
  /** Progress messages. */
  log?: (msg: string) => void;
  /** Only these corpora (names without extension); all when absent. */
  only?: readonly string[];
}

/** Distinct bodies and Zipf exponent of apparmor-repeats.log. */
export const REPEATS_DISTINCT = 200;
export const REPEATS_ZIPF_S = 1.1;
/** apparmor-4x.log has this many times the lines of apparmor.log. */
export const FOUR_X = 4;

export const CORPUS_NAMES = ["apparmor", "apparmor-308", "apparmor-repeats", "apparmor-4x", "mixed-audit", "mixed-syslog", "journal"] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

const FILES: Record<CorpusName, string> = {
  apparmor: "apparmor.log",
  "apparmor-308": "apparmor-308.log",
  "apparmor-repeats": "apparmor-repeats.log",
  "apparmor-4x": "apparmor-4x.log",
  "mixed-audit": "mixed-audit.log",
  "mixed-syslog": "mixed-syslog.log",
  journal: "journal.json",
};

const DESCRIPTIONS: Record<CorpusName, string> = {
  apparmor: "pure AppArmor lines, auditd format, current kernel/dbus keys (class=, requested=, peer_addr=, subj= …)",
  "apparmor-308": "the same events without the keys libapparmor 3.0.8 rejects",
  "apparmor-repeats": `${REPEATS_DISTINCT} distinct AppArmor bodies (every kind, 3.0.8 keys) repeated with Zipf weights (s=${REPEATS_ZIPF_S}), each line with a new stamp, serial and pid`,
  "apparmor-4x": "4× the lines of apparmor.log, all distinct (same generator, another PRNG stream)",
  "mixed-audit": "auditd audit.log (ENRICHED), ~5% AppArmor lines among SYSCALL/PATH/CWD/PROCTITLE/EXECVE/USER_*/SERVICE_*",
  "mixed-syslog": "syslog/kern.log, BSD dates, ~5% kernel audit lines",
  journal: "journalctl -o json, ~5% AppArmor entries (kernel and audit transports)",
};

/** Per-corpus PRNG streams: independent of each other and of generation order. */
const streamSeed = (seed: number, k: number): number => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(k + 1, 0xc2b2ae35)) >>> 0;

export const targets = (scale: number) => ({
  pureLines: Math.max(100, Math.round(500_000 * scale)),
  repeatsLines: Math.max(100, Math.round(500_000 * scale)),
  fourXLines: FOUR_X * Math.max(100, Math.round(500_000 * scale)),
  mixedAuditBytes: Math.max(100_000, Math.round(200e6 * scale)),
  syslogBytes: Math.max(50_000, Math.round(50e6 * scale)),
  journalBytes: Math.max(50_000, Math.round(50e6 * scale)),
});

const corpusPath = (outDir: string, name: CorpusName): string => path.join(outDir, FILES[name]);

function readManifest(file: string): Manifest {
  try {
    const m = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    if (m && typeof m === "object" && m.corpora) return m;
  } catch {
    /* absent or corrupt: start afresh */
  }
  return { corpora: {} };
}

function fresh(info: CorpusInfo | undefined, o: GenerateOptions): boolean {
  if (!info || info.version !== GENERATOR_VERSION || info.seed !== o.seed || info.scale !== o.scale) return false;
  try {
    return fs.statSync(info.path).size === info.bytes;
  } catch {
    return false;
  }
}

/**
 * Makes sure every corpus exists for this scale and seed, generating the missing or stale
 * ones, and returns their descriptions (in CORPUS_NAMES order).
 */
export function ensureCorpora(o: GenerateOptions): CorpusInfo[] {
  const log = o.log ?? (() => undefined);
  fs.mkdirSync(o.outDir, { recursive: true });
  const manifestFile = path.join(o.outDir, "manifest.json");
  const manifest = readManifest(manifestFile);
  const wanted = CORPUS_NAMES.filter((n) => !o.only || o.only.includes(n));
  const save = (): void => fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  const t = targets(o.scale);

  const madeNow = new Set<string>();
  for (const name of wanted) {
    if (madeNow.has(name)) continue;
    if (fresh(manifest.corpora[name], o)) {
      log(`corpus ${FILES[name]}: reusing (${fmtBytes(manifest.corpora[name]!.bytes)}, seed ${o.seed}, scale ${o.scale})`);
      continue;
    }
    const started = Date.now();
    let made: CorpusInfo[];
    switch (name) {
      case "apparmor":
      case "apparmor-308":
        made = generatePure(o, t.pureLines);
        break;
      case "apparmor-repeats":
        made = [generateRepeats(o, t.repeatsLines)];
        break;
      case "apparmor-4x":
        made = [generatePure4x(o, t.fourXLines)];
        break;
      case "mixed-audit":
        made = [generateMixedAudit(o, t.mixedAuditBytes)];
        break;
      case "mixed-syslog":
        made = [generateSyslog(o, t.syslogBytes)];
        break;
      case "journal":
        made = [generateJournal(o, t.journalBytes)];
        break;
    }
    for (const info of made) {
      manifest.corpora[info.name] = info;
      madeNow.add(info.name);
      log(`corpus ${info.file}: generated ${info.lines.toLocaleString("en-US")} lines, ${fmtBytes(info.bytes)}, ${info.apparmorRecords.toLocaleString("en-US")} AppArmor records${info.distinctBodies === undefined ? "" : ` (${info.distinctBodies} distinct bodies)`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    save();
  }
  return wanted.map((n) => manifest.corpora[n]!);
}

export function fmtBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}

function info(o: GenerateOptions, name: CorpusName, w: LineWriter, apparmorRecords: number, apparmorLines: number): CorpusInfo {
  return {
    name,
    file: FILES[name],
    path: w.file,
    bytes: w.bytes,
    lines: w.lines,
    apparmorRecords,
    apparmorLines,
    description: DESCRIPTIONS[name],
    seed: o.seed,
    scale: o.scale,
    version: GENERATOR_VERSION,
  };
}

/**
 * Runs `body` with writers (removed again if it throws), closes them, then lets `done`
 * describe the finished files (byte counts are final only after the last flush).
 */
function withWriters<T, R>(files: string[], body: (ws: LineWriter[]) => T, done: (ws: LineWriter[], t: T) => R): R {
  const ws = files.map((file) => new LineWriter(file));
  let out: T;
  try {
    out = body(ws);
  } catch (e) {
    for (const w of ws) w.abort();
    throw e;
  }
  for (const w of ws) w.close();
  return done(ws, out);
}

// ---------------------------------------------------------------------------------------------
// (1) apparmor.log + apparmor-308.log

function generatePure(o: GenerateOptions, lines: number): CorpusInfo[] {
  const rng = new Rng(streamSeed(o.seed, 1));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  return withWriters([corpusPath(o.outDir, "apparmor"), corpusPath(o.outDir, "apparmor-308")], ([modern, legacy]) => {
    for (let i = 0; i < lines; i++) {
      clock.tick(40);
      const ev = aa.next();
      const head = `type=${ev.kernel ? "AVC" : "USER_AVC"} msg=audit(${clock.auditId()}): `;
      modern!.line(head + renderBody(ev, true));
      legacy!.line(head + renderBody(ev, false));
    }
  }, ([modern, legacy]) => [info(o, "apparmor", modern!, lines, lines), info(o, "apparmor-308", legacy!, lines, lines)]);
}

// ---------------------------------------------------------------------------------------------
// (1b) apparmor-4x.log: the pure generator, current keys, on its own PRNG stream

function generatePure4x(o: GenerateOptions, lines: number): CorpusInfo {
  const rng = new Rng(streamSeed(o.seed, 6));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  return withWriters([corpusPath(o.outDir, "apparmor-4x")], ([w]) => {
    for (let i = 0; i < lines; i++) {
      clock.tick(40);
      const ev = aa.next();
      w!.line(`type=${ev.kernel ? "AVC" : "USER_AVC"} msg=audit(${clock.auditId()}): ${renderBody(ev, true)}`);
    }
  }, ([w]) => ({ ...info(o, "apparmor-4x", w!, lines, lines), multipleOf: { corpus: "apparmor" as const, factor: FOUR_X } }));
}

// ---------------------------------------------------------------------------------------------
// (1c) apparmor-repeats.log: few bodies, many lines

/** Stands for the pid in a body template; cannot occur in a rendered body (controls are hex-encoded). */
const PID_SLOT = "\u0001";

/**
 * A body as a template: the text between the pids.  `pid=` and `ppid=` values become slots,
 * and so does the pid in a `/proc/PID/…` name (the same process reads its own /proc entry).
 * 3.0.8 keys only, so that libapparmor 3.0.8 parses every line of the corpus.
 */
function bodyTemplate(ev: AaEvent): { kernel: boolean; denied: boolean; parts: string[] } {
  const procDir = `/proc/${ev.pid}/`;
  const fields = ev.fields.map((fl) =>
    fl.k === "pid" || fl.k === "ppid" ? { ...fl, v: PID_SLOT } : fl.v.includes(procDir) ? { ...fl, v: fl.v.split(procDir).join(`/proc/${PID_SLOT}/`) } : fl,
  );
  return { kernel: ev.kernel, denied: ev.mode === "DENIED", parts: renderBody({ ...ev, fields }, false).split(PID_SLOT) };
}

function generateRepeats(o: GenerateOptions, lines: number): CorpusInfo {
  const rng = new Rng(streamSeed(o.seed, 5));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  // The distinct bodies: one of every kind first, then drawn as the pure corpus draws them.
  let templates: Array<ReturnType<typeof bodyTemplate>> = [];
  const keys = new Set<string>();
  const add = (ev: AaEvent): boolean => {
    const t = bodyTemplate(ev);
    const key = `${t.kernel ? "A" : "U"}${t.parts.join(PID_SLOT)}`;
    if (keys.has(key)) return false;
    keys.add(key);
    templates.push(t);
    return true;
  };
  for (const [kind] of AA_KIND_WEIGHTS) for (let tries = 0; tries < 100 && !add(aa.next(kind)); tries++);
  for (let tries = 0; templates.length < REPEATS_DISTINCT && tries < 100 * REPEATS_DISTINCT; tries++) add(aa.next());
  // Ranks in random order, so the most frequent body is not always of the first kind, except
  // that denials come first: what a system repeats all day are its denials, not its
  // ALLOWED/AUDIT/STATUS lines (those take the rare ranks).
  for (let i = templates.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [templates[i], templates[j]] = [templates[j]!, templates[i]!];
  }
  templates = [...templates.filter((t) => t.denied), ...templates.filter((t) => !t.denied)];
  const cum: number[] = [];
  let total = 0;
  for (let k = 1; k <= templates.length; k++) cum.push((total += 1 / k ** REPEATS_ZIPF_S));
  const pick = (): number => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  // pids as the kernel hands them out: increasing, so every line has a pid not seen just before
  const PID_MAX = 4_194_304;
  let pid = rng.range(2000, 60_000);
  const used = new Set<number>();
  let topCount = 0;
  const counts = new Array<number>(templates.length).fill(0);
  return withWriters([corpusPath(o.outDir, "apparmor-repeats")], ([w]) => {
    for (let i = 0; i < lines; i++) {
      clock.tick(40);
      const k = pick();
      const t = templates[k]!;
      used.add(k);
      if (++counts[k]! > topCount) topCount = counts[k]!;
      pid += rng.range(1, 6);
      if (pid >= PID_MAX) pid = 300 + (pid - PID_MAX);
      w!.line(`type=${t.kernel ? "AVC" : "USER_AVC"} msg=audit(${clock.auditId()}): ${t.parts.join(String(pid))}`);
    }
  }, ([w]) => ({
    ...info(o, "apparmor-repeats", w!, lines, lines),
    distinctBodies: used.size,
    zipfExponent: REPEATS_ZIPF_S,
    topBodyShare: Math.round((topCount / Math.max(1, lines)) * 1e4) / 1e4,
  }));
}

// ---------------------------------------------------------------------------------------------
// (2) mixed-audit.log

function generateMixedAudit(o: GenerateOptions, bytes: number): CorpusInfo {
  const rng = new Rng(streamSeed(o.seed, 2));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  const groupKind = weighted([["execve", 30], ["watch", 18], ["pam", 16], ["service", 14], ["sudo", 4], ["bpf", 8], ["netfilter", 4], ["anom", 1], ["config", 1]]);
  return withWriters([corpusPath(o.outDir, "mixed-audit")], ([w]) => {
    let aaLines = 0;
    w!.line(`type=DAEMON_START msg=audit(${clock.auditId()}): op=start ver=3.0.9 format=enriched kernel=6.1.0-27-amd64 auid=4294967295 pid=598 uid=0 ses=4294967295 subj=unconfined res=success\x1dAUID="unset" UID="root"`);
    while (w!.size() < bytes) {
      clock.tick(25);
      // keep AppArmor lines at ~5 % of all lines, with some jitter
      if (aaLines < 0.05 * w!.lines && rng.chance(0.5)) {
        const ev = aa.next();
        const id = clock.auditId();
        const modern = rng.chance(0.5);
        if (!ev.kernel) {
          w!.line(`type=USER_AVC msg=audit(${id}): ${renderBody(ev, modern)}${enrichedAa(ev)}`);
          aaLines++;
          continue;
        }
        w!.line(`type=AVC msg=audit(${id}): ${renderBody(ev, modern)}${enrichedAa(ev)}`);
        aaLines++;
        const items = ev.pathName ? 1 : 0;
        w!.line(syscallLine(rng, id, ev.sc, ev.exit >= 0, ev.exit, items, ev.pid, ev.app.uid, ev.comm, ev.app.exe, ev.mode === "STATUS" ? "unconfined" : `${ev.app.profile} (${ev.mode === "ALLOWED" ? "complain" : "enforce"})`, "(null)"));
        if (ev.pathName && rng.chance(0.7)) {
          w!.line(`type=CWD msg=audit(${id}): cwd=${untrusted(ev.app.uid >= 1000 ? `/home/${userName(ev.app.uid)}` : "/")}`);
          w!.line(pathLine(rng, id, 0, ev.pathName, "NORMAL", ev.ouid ?? 0));
        }
        w!.line(proctitleLine(id, ev.mode === "STATUS" ? ["/sbin/apparmor_parser", "-r", "-T", "-W", "-c", "/etc/apparmor.d/cache", `/etc/apparmor.d/${ev.app.comm}`] : [ev.app.exe, ...(ev.app.threads || ev.app.comm === "code" ? ["-contentproc", `--channel=${rng.range(1000, 9999)}`, "tab"] : [])]));
        continue;
      }
      const id = clock.auditId();
      const kind = groupKind(rng);
      const uid = rng.chance(0.6) ? 0 : rng.pick(USERS)[1];
      const pid = rng.range(300, 99999);
      switch (kind) {
        case "execve": {
          const argv = rng.pick(CMDS);
          const bin = argv[0]!.startsWith("/") ? argv[0]! : `/usr/bin/${argv[0]}`;
          const comm = path.basename(bin).slice(0, 15);
          w!.line(syscallLine(rng, id, [59, "execve"], true, 0, 2, pid, uid, comm, bin, "unconfined", '"exec"'));
          w!.line(`type=EXECVE msg=audit(${id}): argc=${argv.length} ${argv.map((a, i) => `a${i}=${/^[\x21-\x7e]+$/.test(a) && !a.includes('"') ? `"${a}"` : hexArg(a)}`).join(" ")}`);
          w!.line(`type=CWD msg=audit(${id}): cwd=${untrusted(uid ? `/home/${userName(uid)}` : "/")}`);
          w!.line(pathLine(rng, id, 0, bin, "NORMAL", 0));
          w!.line(pathLine(rng, id, 1, "/lib64/ld-linux-x86-64.so.2", "NORMAL", 0));
          w!.line(proctitleLine(id, argv));
          break;
        }
        case "watch": {
          const file = rng.pick(["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers", "/etc/ssh/sshd_config", "/etc/hosts", "/etc/apparmor.d/local/usr.bin.evince"]);
          const comm = rng.pick(["vim", "useradd", "sed", "python3", "ansible-playboo", "passwd"]);
          const created = rng.chance(0.4);
          w!.line(syscallLine(rng, id, [257, "openat"], true, rng.range(3, 12), created ? 2 : 1, pid, uid, comm, `/usr/bin/${comm}`, "unconfined", rng.pick(['"identity"', '"sshd_config"', '"apparmor"', '"scope"'])));
          w!.line(`type=CWD msg=audit(${id}): cwd=${untrusted(uid ? `/home/${userName(uid)}` : "/root")}`);
          w!.line(pathLine(rng, id, 0, path.dirname(file) + "/", "PARENT", 0));
          if (created) w!.line(pathLine(rng, id, 1, `${file}+`, "CREATE", 0));
          else w!.line(pathLine(rng, id, 1, file, "NORMAL", 0).replace("item=1", "item=0"));
          w!.line(proctitleLine(id, [comm, file]));
          break;
        }
        case "pam": {
          const [exe, acct, term, addr] = rng.pick(PAM_SERVICES);
          const seq: ReadonlyArray<readonly [string, string]> = [
            ["USER_ACCT", "PAM:accounting grantors=pam_permit"],
            ["CRED_ACQ", "PAM:setcred grantors=pam_permit,pam_cap"],
            ["LOGIN", ""],
            ["USER_START", "PAM:session_open grantors=pam_loginuid,pam_env,pam_permit,pam_unix,pam_limits"],
            ["CRED_DISP", "PAM:setcred grantors=pam_permit"],
            ["USER_END", "PAM:session_close grantors=pam_loginuid,pam_env,pam_permit,pam_unix,pam_limits"],
          ];
          const ppid = rng.range(300, 99999);
          const ses = rng.range(1, 900);
          for (const [type, op] of seq) {
            const sid = type === "USER_ACCT" ? id : clock.auditId();
            if (type === "LOGIN") {
              w!.line(`type=LOGIN msg=audit(${sid}): pid=${ppid} uid=0 subj=unconfined old-auid=4294967295 auid=${acct === "root" ? 0 : 1000} tty=(none) old-ses=4294967295 ses=${ses} res=1\x1dUID="root" OLD-AUID="unset" AUID="${acct}"`);
              continue;
            }
            w!.line(`type=${type} msg=audit(${sid}): pid=${ppid} uid=0 auid=${type === "USER_ACCT" || type === "CRED_ACQ" ? 4294967295 : acct === "root" ? 0 : 1000} ses=${type === "USER_ACCT" || type === "CRED_ACQ" ? 4294967295 : ses} subj=unconfined msg='op=${op} acct="${acct}" exe="${exe}" hostname=${addr === "?" ? "?" : addr} addr=${addr} terminal=${term} res=success'\x1dUID="root" AUID="${type === "USER_ACCT" || type === "CRED_ACQ" ? "unset" : acct}"`);
          }
          break;
        }
        case "service": {
          const unit = rng.pick(UNITS);
          for (const type of ["SERVICE_START", "SERVICE_STOP"]) {
            const sid = type === "SERVICE_START" ? id : clock.auditId();
            w!.line(`type=${type} msg=audit(${sid}): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=${unit} comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=${rng.chance(0.97) ? "success" : "failed"}'\x1dUID="root" AUID="unset"`);
          }
          break;
        }
        case "sudo": {
          const cmd = rng.pick(CMDS).join(" ");
          w!.line(`type=USER_CMD msg=audit(${id}): pid=${pid} uid=1000 auid=1000 ses=${rng.range(1, 40)} subj=unconfined msg='cwd="/home/alice" cmd=${hexArg(cmd)} exe="/usr/bin/sudo" terminal=pts/0 res=success'\x1dUID="alice" AUID="alice"`);
          break;
        }
        case "bpf": {
          const prog = rng.range(10, 900);
          w!.line(`type=BPF msg=audit(${id}): prog-id=${prog} op=LOAD`);
          w!.line(`type=BPF msg=audit(${clock.auditId()}): prog-id=${prog} op=UNLOAD`);
          break;
        }
        case "netfilter": {
          w!.line(`type=NETFILTER_CFG msg=audit(${id}): table=${rng.pick(["filter", "nat", "mangle"])}:${rng.range(1, 90)} family=${rng.pick([2, 10])} entries=${rng.range(0, 60)} op=${rng.pick(["xt_replace", "xt_register", "nft_register_chain"])} pid=${pid} subj=unconfined comm="${rng.pick(["iptables-restor", "nft", "dockerd", "podman"])}"`);
          w!.line(syscallLine(rng, id, [54, "setsockopt"], true, 0, 0, pid, 0, "iptables-restor", "/usr/sbin/xtables-nft-multi", "unconfined", "(null)"));
          w!.line(proctitleLine(id, ["iptables-restore", "-w", "5", "--noflush"]));
          break;
        }
        case "anom": {
          w!.line(`type=ANOM_ABEND msg=audit(${id}): auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=${pid} comm="gnome-shell" exe="/usr/bin/gnome-shell" sig=11 res=1\x1dAUID="alice" UID="alice" GID="alice"`);
          break;
        }
        case "config":
        default: {
          w!.line(`type=CONFIG_CHANGE msg=audit(${id}): auid=4294967295 ses=4294967295 subj=unconfined op=add_rule key="identity" list=4 res=1\x1dAUID="unset"`);
          break;
        }
      }
    }
    return aaLines;
  }, ([w], aaLines) => info(o, "mixed-audit", w!, aaLines, aaLines));
}

// ---------------------------------------------------------------------------------------------
// (3) mixed-syslog.log

function generateSyslog(o: GenerateOptions, bytes: number): CorpusInfo {
  const rng = new Rng(streamSeed(o.seed, 3));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  const host = "bench-host";
  return withWriters([corpusPath(o.outDir, "mixed-syslog")], ([w]) => {
    let aaRecords = 0;
    let aaLines = 0;
    const kernel = (body: string): string => `${clock.bsd()} ${host} kernel: ${rng.chance(0.7) ? clock.uptimeStamp() + " " : ""}${body}`;
    while (w!.size() < bytes) {
      clock.tick(120);
      // ~4.5 % AppArmor lines plus ~0.5 % other kernel audit records (~5 % audit in all)
      const aaDue = aaLines < 0.045 * w!.lines && rng.chance(0.5);
      if (aaDue || rng.chance(0.005)) {
        const x = aaDue ? 0 : 0.8 + rng.next() * 0.2;
        if (x < 0.8) {
          const ev = aa.next();
          const body = renderBody(ev, rng.chance(0.5));
          w!.line(kernel(`audit: type=${ev.kernel ? 1400 : 1107} audit(${clock.auditId()}): ${body}`));
          aaRecords++;
          aaLines++;
        } else if (x < 0.9) {
          const id = clock.auditId();
          w!.line(kernel(`audit: type=1300 audit(${id}): ${syscallLine(rng, id, [257, "openat"], false, -13, 1, rng.range(300, 99999), 1000, "evince", "/usr/bin/evince", "/usr/bin/evince (enforce)", "(null)").replace(/^type=SYSCALL msg=audit\([^)]*\): /, "").replace(/\x1d.*$/, "")}`));
        } else {
          const id = clock.auditId();
          w!.line(kernel(`audit: type=1327 audit(${id}): ${proctitleLine(id, rng.pick(CMDS)).replace(/^type=PROCTITLE msg=audit\([^)]*\): /, "")}`));
        }
        continue;
      }
      const m = ordinaryMessage(rng, clock);
      if (m.ident === "kernel") {
        w!.line(kernel(m.msg));
      } else {
        w!.line(`${clock.bsd()} ${host} ${m.ident}${m.pid === null ? "" : `[${m.pid}]`}: ${m.msg}`);
      }
    }
    return [aaRecords, aaLines] as const;
  }, ([w], [aaRecords, aaLines]) => info(o, "mixed-syslog", w!, aaRecords, aaLines));
}

// ---------------------------------------------------------------------------------------------
// (4) journal.json

const BOOT_ID = "6f1d2c3b4a5948e7b6c5d4e3f2a1b0c9";
const MACHINE_ID = "0123456789abcdef0123456789abcdef";

function generateJournal(o: GenerateOptions, bytes: number): CorpusInfo {
  const rng = new Rng(streamSeed(o.seed, 4));
  const clock = new Clock(rng);
  const aa = new AaFactory(rng, 0.08);
  const host = "bench-host";
  let seqnum = rng.range(100_000, 900_000);
  return withWriters([corpusPath(o.outDir, "journal")], ([w]) => {
    let aaRecords = 0;
    const base = (transport: string, prio: number, facility: number | null, ident: string): Record<string, string> => {
      seqnum++;
      const rt = clock.usec();
      const mono = clock.monoUsec();
      const e: Record<string, string> = {
        __CURSOR: `s=${BOOT_ID.slice(0, 16)}${MACHINE_ID.slice(0, 16)};i=${seqnum.toString(16)};b=${BOOT_ID};m=${Number(mono).toString(16)};t=${Number(rt).toString(16)};x=${rng.hex(16)}`,
        __REALTIME_TIMESTAMP: rt,
        __MONOTONIC_TIMESTAMP: mono,
        __SEQNUM: String(seqnum),
        __SEQNUM_ID: `${BOOT_ID.slice(0, 16)}${MACHINE_ID.slice(0, 16)}`,
        _BOOT_ID: BOOT_ID,
        _MACHINE_ID: MACHINE_ID,
        _HOSTNAME: host,
        _RUNTIME_SCOPE: "system",
        PRIORITY: String(prio),
        _TRANSPORT: transport,
      };
      if (facility !== null) e.SYSLOG_FACILITY = String(facility);
      e.SYSLOG_IDENTIFIER = ident;
      return e;
    };
    while (w!.size() < bytes) {
      clock.tick(150);
      if (aaRecords < 0.05 * w!.lines && rng.chance(0.5)) {
        const ev = aa.next();
        const id = clock.auditId();
        const body = renderBody(ev, rng.chance(0.5));
        const [secMs, serial] = id.split(":") as [string, string];
        if (rng.chance(0.5)) {
          // kernel transport: kmsg copy of the printk
          const e = base("kernel", 5, 0, "kernel");
          e._SOURCE_MONOTONIC_TIMESTAMP = String(Math.max(0, Number(e.__MONOTONIC_TIMESTAMP) - rng.range(50, 3000)));
          e.MESSAGE = `audit: type=${ev.kernel ? 1400 : 1107} audit(${id}): ${body}`;
          w!.line(JSON.stringify(e));
        } else {
          // audit transport: type name instead of type=N audit(…), id in _AUDIT_ID
          const e = base("audit", 5, 4, "audit");
          e._AUDIT_TYPE = ev.kernel ? "1400" : "1107";
          e._AUDIT_TYPE_NAME = ev.kernel ? "AVC" : "USER_AVC";
          e._AUDIT_ID = serial;
          e._SOURCE_REALTIME_TIMESTAMP = `${secMs.replace(".", "")}000`;
          e._PID = String(ev.kernel ? ev.pid : DBUS_PID);
          if (ev.kernel) e._COMM = ev.comm;
          e._AUDIT_FIELD_APPARMOR = ev.mode;
          const op = ev.fields.find((x) => x.k === "operation")?.v.trim().replace(/^"|"$/g, "");
          if (op) e._AUDIT_FIELD_OPERATION = op;
          const prof = ev.fields.find((x) => x.k === "profile" || x.k === "label");
          if (prof) e._AUDIT_FIELD_PROFILE = prof.v.replace(/^"|"$/g, "");
          e.MESSAGE = `${ev.kernel ? "AVC" : "USER_AVC"} ${body}`;
          w!.line(JSON.stringify(e));
          if (ev.kernel && ev.mode !== "STATUS" && rng.chance(0.6)) {
            const s = base("audit", 5, 4, "audit");
            s._AUDIT_TYPE = "1300";
            s._AUDIT_TYPE_NAME = "SYSCALL";
            s._AUDIT_ID = serial;
            s._SOURCE_REALTIME_TIMESTAMP = e._SOURCE_REALTIME_TIMESTAMP;
            s._PID = String(ev.pid);
            s._COMM = ev.comm;
            s._EXE = ev.app.exe;
            s.MESSAGE = `SYSCALL ${syscallLine(rng, id, ev.sc, ev.exit >= 0, ev.exit, ev.pathName ? 1 : 0, ev.pid, ev.app.uid, ev.comm, ev.app.exe, `${ev.app.profile} (enforce)`, "(null)").replace(/^type=SYSCALL msg=audit\([^)]*\): /, "").replace(/\x1d.*$/, "")}`;
            w!.line(JSON.stringify(s));
          }
        }
        aaRecords++;
        continue;
      }
      if (rng.chance(0.08)) {
        // other audit-transport records (systemd SERVICE_*, PAM)
        const e = base("audit", 5, 4, "audit");
        const svc = rng.chance(0.6);
        const id = clock.auditId();
        e._AUDIT_TYPE = svc ? "1130" : "1105";
        e._AUDIT_TYPE_NAME = svc ? "SERVICE_START" : "USER_START";
        e._AUDIT_ID = id.split(":")[1]!;
        e._PID = svc ? "1" : String(rng.range(300, 99999));
        e.MESSAGE = svc
          ? `SERVICE_START pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=${rng.pick(UNITS)} comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success'`
          : `USER_START pid=${e._PID} uid=0 auid=0 ses=${rng.range(1, 900)} subj=unconfined msg='op=PAM:session_open grantors=pam_loginuid,pam_env,pam_permit,pam_unix,pam_limits acct="root" exe="/usr/sbin/cron" hostname=? addr=? terminal=cron res=success'`;
        w!.line(JSON.stringify(e));
        continue;
      }
      const m = ordinaryMessage(rng, clock);
      const transport = m.transport;
      const e = base(transport, m.ident === "kernel" ? 6 : rng.pick([6, 6, 6, 5, 4, 3]), m.ident === "kernel" ? 0 : transport === "syslog" ? rng.pick([3, 4, 10]) : 3, m.ident);
      if (m.pid !== null) {
        e._PID = String(m.pid);
        e._UID = String(m.uid ?? 0);
        e._GID = String(m.uid ?? 0);
        e._COMM = m.ident.toLowerCase().slice(0, 15);
        e._EXE = `/usr/${m.ident === "systemd" ? "lib/systemd" : "sbin"}/${m.ident.toLowerCase()}`;
        e._CMDLINE = `${e._EXE}${rng.chance(0.5) ? " --no-daemon" : ""}`;
        e._CAP_EFFECTIVE = m.uid ? "0" : "1ffffffffff";
        e._SYSTEMD_CGROUP = m.uid ? `/user.slice/user-${m.uid}.slice/${m.unit ?? "session-3.scope"}` : `/system.slice/${m.unit ?? "unknown.service"}`;
        e._SYSTEMD_UNIT = m.unit ?? "unknown.service";
        e._SYSTEMD_SLICE = m.uid ? `user-${m.uid}.slice` : "system.slice";
        e._SYSTEMD_INVOCATION_ID = rng.hex(32);
        if (transport === "syslog") e.SYSLOG_PID = String(m.pid);
        if (transport === "syslog") e.SYSLOG_TIMESTAMP = `${clock.bsd()} `;
        if (transport === "stdout") e._STREAM_ID = rng.hex(32);
      } else {
        e._SOURCE_MONOTONIC_TIMESTAMP = e.__MONOTONIC_TIMESTAMP!;
      }
      e.MESSAGE = m.msg;
      if (transport === "journal" && m.pid !== null) {
        e.CODE_FILE = `../src/${m.ident}/${rng.pick(["main", "manager", "session"])}.c`;
        e.CODE_LINE = String(rng.range(100, 4000));
        e.CODE_FUNC = rng.pick(["manager_dispatch", "session_start", "unit_notify", "log_func"]);
        e._SOURCE_REALTIME_TIMESTAMP = e.__REALTIME_TIMESTAMP!;
      }
      w!.line(JSON.stringify(e));
    }
    return aaRecords;
  }, ([w], aaRecords) => info(o, "journal", w!, aaRecords, aaRecords));
}
