/**
 * The pasta operations catalog (src/pasta/catalog.json): shape, order, event → operation mapping
 * for the denial shapes in the reference notes (/work/shared/reference/pasta-and-apparmor.md), and
 * pasta's printed messages, bare and inside the callers' wrappers (§3.3).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classify } from "../src/apparmor/classify.js";
import type { AppArmorFields } from "../src/parse/apparmor-fields.js";
import {
  type CatalogMessage,
  catalogOperations,
  isPastaComm,
  matchGlob,
  matchMessage,
  operationById,
  pastaOperation,
  validateCatalog,
} from "../src/pasta/catalog.js";

const RAW = JSON.parse(readFileSync(new URL("../src/pasta/catalog.json", import.meta.url), "utf8")) as unknown;

const REQUIRED_IDS = [
  "netns-open", "netns-dir-open", "tun-open", "userns-join", "userns-create", "uid-map-write",
  "sandbox-remount-root", "sandbox-tmpfs", "sandbox-pivot-root", "sandbox-umount-root", "pidfile-write",
  "logfile-write", "pcap-write", "control-socket", "sysctl-read", "proc-net-scan", "resolv-conf", "avx2-exec",
  "spawn-command", "signal-receive", "netlink-socket", "inet-socket", "ptrace-read", "capability",
];

/** The operation id for an event, its kind derived by the real classifier. */
function opFor(f: AppArmorFields, mode = "DENIED"): string | null {
  return pastaOperation(f, classify(f, mode))?.id ?? null;
}

function index(id: string): number {
  return catalogOperations().findIndex((o) => o.id === id);
}

describe("pasta catalog: shape", () => {
  const ops = catalogOperations();

  it("loads, validates and holds every required id once", () => {
    expect(validateCatalog(RAW)).toHaveLength(ops.length);
    const ids = ops.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of REQUIRED_IDS) expect(ids, id).toContain(id);
    expect(ops.length).toBeGreaterThanOrEqual(REQUIRED_IDS.length);
  });

  it("gives every entry its required fields, compilable regexes and a source section", () => {
    for (const o of ops) {
      expect(o.summary.trim(), o.id).not.toBe("");
      expect(o.step.trim(), o.id).not.toBe("");
      expect(o.note.trim(), o.id).not.toBe("");
      expect(o.source, o.id).toMatch(/§\d/);
      expect(o.resource, o.id).toBeDefined();
      if (o.fatal !== undefined) expect(typeof o.fatal, o.id).toBe("boolean");
      for (const m of o.messages) {
        expect(() => new RegExp(m.text), `${o.id}: ${m.text}`).not.toThrow();
        expect(m.text, o.id).toMatch(/^\^.*\$$/);
        for (const v of [m.since, m.until]) if (v !== null) expect(v, o.id).toMatch(/^\d{4}_\d{2}_\d{2}$/);
      }
      for (const r of o.upstreamRule ?? []) expect(r, o.id).toMatch(/,$|^include </);
    }
  });

  it("is read-only once loaded", () => {
    const o = operationById("netns-open")!;
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.messages)).toBe(true);
  });

  it("rejects malformed entries with the entry named", () => {
    const good = (RAW as object[])[0]!;
    expect(() => validateCatalog([good, good])).toThrow(/duplicate id/);
    expect(() => validateCatalog([{ ...good, id: "x", messages: [{ text: "(", since: null, until: null }] }])).toThrow(/\(x\).*invalid regex/);
    expect(() => validateCatalog([{ ...good, resource: { kind: "files" } }])).toThrow(/unknown AppArmorKind/);
    expect(() => validateCatalog([{ ...good, resource: { path: ["/x"] } }])).toThrow(/unknown matcher field/);
    expect(() => validateCatalog([{ ...good, summary: "" }])).toThrow(/summary/);
    expect(() => validateCatalog([{ ...good, fatal: "yes" }])).toThrow(/fatal/);
    expect(() => validateCatalog([{ ...good, messages: [{ text: "^x$", since: "2024", until: null }] }])).toThrow(/since/);
    expect(() => validateCatalog([{ ...good, extra: 1 }])).toThrow(/unknown field "extra"/);
    expect(() => validateCatalog([])).toThrow(/non-empty/);
  });

  it("orders the specific entries before the general ones", () => {
    const before: Array<[string, string]> = [
      ["netns-dir-open", "netns-open"],
      ["uid-map-write", "uid-map-read"],
      ["uid-map-write", "sysctl-read"],
      ["avx2-exec", "spawn-command"],
      ["sandbox-chroot-fallback", "sandbox-remount-root"],
      ["ptrace-read", "capability"],
      ["capability-net-admin", "capability"],
      ["pidfile-write", "logfile-write"],
    ];
    for (const [a, b] of before) expect(index(a), `${a} before ${b}`).toBeLessThan(index(b));
  });
});

describe("pasta catalog: glob matcher", () => {
  it("follows AppArmor's rules for *, ** and the directory itself (reference §2.3)", () => {
    expect(matchGlob("/run/user/[0-9]*/netns/*", "/run/user/1000/netns/netns-abc")).toBe(true);
    expect(matchGlob("/run/user/[0-9]*/netns/*", "/run/user/1000/netns/")).toBe(false);
    expect(matchGlob("/run/user/[0-9]*/**", "/run/user/1000/netns/")).toBe(true);
    expect(matchGlob("/run/user/[0-9]*/**", "/run/user/1000/containers/networks/rootless-netns/rootless-netns")).toBe(true);
    expect(matchGlob("/run/user/[0-9]*/**", "/run/user/1000/")).toBe(false);
    expect(matchGlob("/tmp/**", "/tmp/")).toBe(false);
    expect(matchGlob("/tmp/**", "/tmp/a/b")).toBe(true);
    expect(matchGlob("/proc/[0-9]*/ns/net", "/proc/24817/ns/net")).toBe(true);
    expect(matchGlob("/proc/[0-9]*/ns/net", "/proc/self/ns/net")).toBe(false);
    expect(matchGlob("/proc/net/{tcp,tcp6,udp,udp6}", "/proc/net/udp6")).toBe(true);
    expect(matchGlob("/proc/net/{tcp,tcp6,udp,udp6}", "/proc/net/raw")).toBe(false);
    expect(matchGlob("/usr/bin/passt{,.avx2}", "/usr/bin/passt")).toBe(true);
    expect(matchGlob("/usr/bin/passt{,.avx2}", "/usr/bin/passt.avx2")).toBe(true);
    expect(matchGlob("/a/{b,{c,d}}/e", "/a/d/e")).toBe(true);
    expect(matchGlob("/a/[^0-9]x", "/a/bx")).toBe(true);
    expect(matchGlob("/a/[^0-9]x", "/a/1x")).toBe(false);
    expect(matchGlob("/a.b/?", "/a.b/c")).toBe(true);
    expect(matchGlob("/a.b/?", "/aXb/c")).toBe(false);
    expect(matchGlob("/x/\\*", "/x/*")).toBe(true);
    expect(matchGlob("/x/\\*", "/x/y")).toBe(false);
    expect(matchGlob("/a\\{b", "/a{b")).toBe(true);
  });
});

describe("pasta catalog: AppArmor events → operations", () => {
  const file = (name: string, denied: string, extra: Partial<AppArmorFields> = {}): AppArmorFields => ({
    operation: "open", class: "file", profile: "passt", comm: "pasta", name, requested: denied, denied, ...extra,
  });

  it.each([
    ["per-container netns (podman#22937)", file("/run/user/1001/netns/netns-5d1f7c2e-0b8a-4f0e-9d1c-3f6a2b7e9c41", "r", { ouid: 0 }), "netns-open"],
    ["netns directory (pasta >= 2024_02_16)", file("/run/user/1000/netns/", "r"), "netns-dir-open"],
    ["rootless-netns netns", file("/run/user/1000/containers/networks/rootless-netns/rootless-netns", "r"), "netns-open"],
    ["rootless-netns directory", file("/run/user/1000/containers/networks/rootless-netns/", "r"), "netns-dir-open"],
    ["custom runroot netns (podman#22625)", file("/var/tmp/X/runroot/networks/rootless-netns/rootless-netns", "r"), "netns-open"],
    ["Buildah /proc/PID/ns/net", file("/proc/24817/ns/net", "r"), "netns-open"],
    ["Buildah /proc/PID/ns/ directory", file("/proc/24817/ns/", "r"), "netns-dir-open"],
    ["rootlesskit --detach-netns", file("/tmp/rootlesskit1234/netns", "r"), "netns-open"],
    ["rootlesskit PID-form userns", file("/proc/51813/ns/user", "r"), "userns-join"],
    ["/dev/net/tun", file("/dev/net/tun", "wr"), "tun-open"],
    ["uid_map write", file("/proc/8124/uid_map", "w"), "uid-map-write"],
    ["gid_map write", file("/proc/8124/gid_map", "w"), "uid-map-write"],
    ["setgroups write", file("/proc/8124/setgroups", "w"), "uid-map-write"],
    ["uid_map read", file("/proc/8124/uid_map", "r"), "uid-map-read"],
    ["ip_local_port_range (bink#118)", file("/proc/sys/net/ipv4/ip_local_port_range", "r", { profile: "passt", comm: "passt" }), "sysctl-read"],
    ["tcp_syn_retries (cockpit bots 8590)", file("/proc/sys/net/ipv4/tcp_syn_retries", "r"), "sysctl-read"],
    ["conntrack UDP timeout", file("/proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream", "r"), "sysctl-read"],
    ["ping_group_range", file("/proc/sys/net/ipv4/ping_group_range", "w"), "ping-group-range-write"],
    ["/etc/resolv.conf", file("/etc/resolv.conf", "r"), "resolv-conf"],
    ["resolv.conf symlink target", file("/run/systemd/resolve/stub-resolv.conf", "r"), "resolv-conf"],
    ["/proc/net/tcp", file("/proc/net/tcp", "r"), "proc-net-scan"],
    ["/proc/PID/net/udp6", file("/proc/8124/net/udp6", "r"), "proc-net-scan"],
    ["/dev/null", file("/dev/null", "rw"), "dev-null-open"],
    ["Podman per-container PID file (mknod)", file("/run/user/1000/containers/overlay-containers/0123abcd/userdata/pasta.pid", "c", { operation: "mknod" }), "pidfile-write"],
    ["rootless-netns PID file", file("/run/user/1000/containers/networks/rootless-netns/rootless-netns-conn.pid", "w"), "pidfile-write"],
    ["control socket (mknod)", file("/run/user/1000/containers/networks/rootless-netns/pasta.sock", "c", { operation: "mknod" }), "control-socket"],
    ["log file", file("/tmp/pasta.log", "wc"), "logfile-write"],
    ["pcap file", file("/tmp/pasta.pcap", "w"), "pcap-write"],
  ])("%s", (_label, f, id) => {
    expect(opFor(f)).toBe(id);
  });

  it("maps the AVX2 re-exec (symlinked and hard-linked) and other execs", () => {
    const exec = (name: string): AppArmorFields => ({
      operation: "exec", class: "file", profile: "passt", comm: "pasta", name, requested: "x", denied: "x",
    });
    expect(opFor(exec("/usr/bin/passt.avx2"))).toBe("avx2-exec");
    expect(opFor(exec("/usr/bin/pasta.avx2"))).toBe("avx2-exec");
    expect(opFor(exec("/usr/local/bin/mytool"))).toBe("spawn-command");
  });

  it("maps capabilities", () => {
    const cap = (capname: string, capability?: number): AppArmorFields => ({
      operation: "capable", class: "cap", profile: "pasta", comm: "pasta", capname, capability, requested: capname, denied: capname,
    });
    expect(opFor(cap("sys_admin", 21))).toBe("capability");
    expect(opFor(cap("net_admin", 12))).toBe("capability-net-admin");
    expect(opFor(cap("net_bind_service", 10))).toBe("capability-net-bind-service");
    expect(opFor(cap("sys_ptrace", 19))).toBe("ptrace-read");
    expect(opFor(cap("sys_chroot", 18))).toBe("sandbox-chroot-fallback");
    expect(opFor(cap("setgid", 6))).toBe("capability-setuid-setgid");
    expect(opFor(cap("net_raw", 13))).toBe("capability-net-raw");
    expect(opFor(cap("setfcap", 31))).toBe("capability-setfcap");
    expect(opFor({ operation: "capable", class: "cap", profile: "pasta", capability: 21 })).toBe("capability");
    expect(opFor(cap("sys_module", 16))).toBeNull();
  });

  it("maps the sandbox mount, pivot_root and umount steps", () => {
    const mount = (extra: Partial<AppArmorFields>): AppArmorFields => ({
      operation: "mount", class: "mount", profile: "pasta", comm: "pasta", info: "failed flags match", error: -13, ...extra,
    });
    // pasta remounts / with MS_UNBINDABLE|MS_REC only: an rprivate remount of / is another program's.
    expect(opFor(mount({ name: "/", flags: "rw, rprivate" }))).toBeNull();
    expect(opFor(mount({ name: "/", flags: "rw, runbindable" }))).toBe("sandbox-remount-root");
    expect(opFor(mount({ name: "/tmp/", fstype: "tmpfs", srcname: "", flags: "ro, nosuid, nodev, noexec" }))).toBe("sandbox-tmpfs");
    expect(opFor(mount({ name: "/proc/", fstype: "proc" }))).toBe("proc-mount");
    expect(opFor(mount({ name: "/", srcname: "/tmp/", flags: "rw, move" }))).toBe("sandbox-chroot-fallback");
    expect(opFor({ operation: "pivotroot", class: "mount", profile: "pasta", comm: "pasta", name: "/tmp/", srcname: "/tmp/", error: -13 })).toBe("sandbox-pivot-root");
    expect(opFor({ operation: "umount", class: "mount", profile: "pasta", comm: "pasta", name: "/", error: -13 })).toBe("sandbox-umount-root");
  });

  it("maps the signal from a confined Podman (OpenShell#2844), logged with the sender's comm", () => {
    const f: AppArmorFields = {
      operation: "signal", class: "signal", profile: "pasta", comm: "podman", requested: "receive", denied: "receive", signal: "term", peer: "podman",
    };
    expect(opFor(f)).toBe("signal-receive");
    expect(opFor({ ...f, signal: "kill" })).toBe("signal-receive");
    expect(opFor({ ...f, requested: "send", denied: "send" })).toBeNull();
  });

  it("maps ptrace read (and trace on kernels < 4.18)", () => {
    const f: AppArmorFields = { operation: "ptrace", class: "ptrace", profile: "pasta", comm: "pasta", requested: "read", denied: "read", peer: "unconfined" };
    expect(opFor(f)).toBe("ptrace-read");
    expect(opFor({ ...f, requested: "trace", denied: "trace", peer: "crun" })).toBe("ptrace-read");
  });

  it("maps sockets", () => {
    const net = (family: string, sockType: string): AppArmorFields => ({
      operation: "create", class: "net", profile: "pasta", comm: "pasta", family, sockType, requested: "create", denied: "create",
    });
    expect(opFor(net("netlink", "raw"))).toBe("netlink-socket");
    expect(opFor(net("inet", "stream"))).toBe("inet-socket");
    expect(opFor(net("inet6", "dgram"))).toBe("inet-socket");
    expect(opFor(net("unix", "stream"))).toBe("control-socket");
    expect(opFor(net("unix", "dgram"))).toBe("syslog-socket");
    expect(opFor(net("packet", "raw"))).toBeNull();
  });

  it("maps userns_create, AUDIT from an unconfined binary included (moby#48257)", () => {
    const f: AppArmorFields = {
      operation: "userns_create", class: "namespace", profile: "unconfined", comm: "pasta.avx2", requested: "userns_create", target: "unprivileged_userns",
    };
    expect(opFor(f, "AUDIT")).toBe("userns-create");
    expect(opFor({ ...f, profile: "passt", denied: "userns_create" })).toBe("userns-create");
  });

  it("returns null for paths pasta does not touch", () => {
    expect(opFor(file("/etc/shadow", "r"))).toBeNull();
    expect(opFor(file("/home/u/.ssh/id_rsa", "r"))).toBeNull();
    expect(opFor(file("/run/user/1000/", "r"))).toBeNull();
    expect(opFor(file("/proc/8124/ns/mnt", "r"))).toBeNull();
    expect(opFor(file("/proc/sys/net/ipv4/tcp_fin_timeout", "r"))).toBeNull();
    expect(opFor({ operation: "open", class: "file", name: "/dev/net/tun" }, "DENIED")).toBe("tun-open");
    expect(opFor({ operation: "dbus_method_call", class: "dbus", profile: "pasta" })).toBeNull();
  });
});

describe("pasta catalog: comm", () => {
  it("recognises pasta and passt with and without .avx2", () => {
    for (const c of ["pasta", "pasta.avx2", "passt", "passt.avx2"]) expect(isPastaComm(c), c).toBe(true);
    for (const c of [undefined, "", "podman", "pasta.sh", "Pasta", "passt-repair", "slirp4netns"]) expect(isPastaComm(c), String(c)).toBe(false);
  });
});

describe("pasta catalog: messages", () => {
  /** Realistic lines for every wording (from the reference; "…"-elided parts filled in). */
  const SAMPLES: Array<[string, string]> = [
    ["netns dir open: Permission denied, exiting", "netns-dir-open"],
    ["Couldn't open network namespace /run/user/1000/netns/netns-8fe14d40-c1f9-1941-3f98-1a38b48490ba: Permission denied", "netns-open"],
    ["Couldn't open network namespace /run/user/1000/netns/netns-8fe14d40-c1f9-1941-3f98-1a38b48490ba", "netns-open"],
    ["Failed to join network namespace: Permission denied", "netns-open"],
    ["Couldn't open user namespace /proc/51813/ns/user: Permission denied", "userns-join"],
    ["Couldn't enter user namespace /proc/51813/ns/user: Operation not permitted", "userns-join"],
    ["Could not open /proc/self/uid_map: Permission denied", "uid-map-write"],
    ["0.0024: Couldn't write to /proc/self/uid_map0.0024: : Operation not permitted", "uid-map-write"],
    ["Couldn't configure user mappings", "uid-map-write"],
    ["Can't determine if we're in init namespace: Permission denied", "uid-map-read"],
    ["Cannot set ping_group_range, ICMP requests might fail", "ping-group-range-write"],
    ["Unable to open /proc/sys/net/ipv4/ip_local_port_range: Permission denied", "sysctl-read"],
    ["Couldn't read /proc/sys/net/ipv4/tcp_syn_retries, using 6 as default value", "sysctl-read"],
    ["Failed to open() /dev/net/tun: Permission denied", "tun-open"],
    ["TUNSETIFF ioctl on /dev/net/tun failed: Operation not permitted", "tun-open"],
    ["TUNSETIFF failed: Operation not permitted", "tun-open"],
    ["Failed to open tun socket in namespace", "tun-open"],
    ["Failed to set up tap device in namespace", "tun-open"],
    ["Failed to open /dev/null: Permission denied", "dev-null-open"],
    ["Couldn't open PID file /run/user/1000/containers/networks/rootless-netns/rootless-netns-conn.pid: Permission denied", "pidfile-write"],
    ["PID file open: Permission denied", "pidfile-write"],
    ["Couldn't open control socket /run/user/1000/containers/networks/rootless-netns/pasta.sock: Permission denied", "control-socket"],
    ["Failed to bind UNIX domain socket: Permission denied", "control-socket"],
    ["Socket path /run/user/1000/containers/networks/rootless-netns/pasta.sock already in use", "control-socket"],
    ["Couldn't open log file /tmp/pasta.log: Permission denied", "logfile-write"],
    ["Couldn't open pcap file /tmp/pasta.pcap: Permission denied", "pcap-write"],
    ["open: Permission denied", "pcap-write"],
    ["Couldn't get any nameserver address", "resolv-conf"],
    ["No IPv4 nameserver available for DHCP", "resolv-conf"],
    ["Started as root, will change to nobody.", "nobody-lookup"],
    ["Don't run as root. Changing to nobody...", "nobody-lookup"],
    ["Can't get password file entry for nobody: No such file or directory", "nobody-lookup"],
    ["Can't run AVX2 build, using non-AVX2 version: Permission denied", "avx2-exec"],
    ["Failed to start command or shell: Permission denied", "spawn-command"],
    ["Couldn't mount /proc: Permission denied", "proc-mount"],
    ["Failed to move root into empty tmpfs: Permission denied", "sandbox-chroot-fallback"],
    ["Failed to chroot() into empty tmpfs: Operation not permitted", "sandbox-chroot-fallback"],
    ["Failed to remount /: Permission denied", "sandbox-remount-root"],
    ["mount /: Permission denied", "sandbox-remount-root"],
    ["Failed to mount empty tmpfs for sandboxing: Permission denied", "sandbox-tmpfs"],
    ["mount tmpfs: Permission denied", "sandbox-tmpfs"],
    ["Failed to pivot_root() into empty tmpfs: Permission denied", "sandbox-pivot-root"],
    ["pivot_root: Permission denied", "sandbox-pivot-root"],
    ["Failed to unmount original root filesystem: Permission denied", "sandbox-umount-root"],
    ["umount2: Permission denied", "sandbox-umount-root"],
    ["Couldn't create user namespace: Permission denied", "userns-create"],
    ["rootless netns: kill network process: permission denied", "signal-receive"],
    ["Failed to get netlink socket", "netlink-socket"],
    ["Failed to create neighbour notifier socket: Permission denied", "netlink-socket"],
    ["Failed to bind port 80 (Permission denied) for option '-t 80-80:80-80', exiting", "capability-net-bind-service"],
    ["Listen failed for TCP port 80: Permission denied", "capability-net-bind-service"],
    ["Couldn't listen on requested ports", "capability-net-bind-service"],
    ["Couldn't set IPv4 address(es) in namespace: Operation not permitted", "capability-net-admin"],
    ["Couldn't bring up loopback interface in namespace: Operation not permitted", "capability-net-admin"],
    ["Can't set GID to 65534: Operation not permitted", "capability-setuid-setgid"],
    ["Can't set UID to 65534: Operation not permitted", "capability-setuid-setgid"],
    ["Couldn't switch to pasta namespaces: Operation not permitted", "capability"],
    ["Failed to detach isolating namespaces: Operation not permitted", "capability"],
    ["unshare: Operation not permitted", "capability"],
    ["setns() failed entering netns: Operation not permitted", "capability"],
    ["Failed to clone process with detached namespaces: Operation not permitted", "capability"],
  ];

  it.each(SAMPLES)("%s", (line, id) => {
    expect(matchMessage(line)?.operation.id).toBe(id);
  });

  it("has a sample for every wording in the catalog", () => {
    const hit = new Set<CatalogMessage>();
    for (const [line] of SAMPLES) {
      const m = matchMessage(line);
      if (m) hit.add(m.message);
    }
    const missing = catalogOperations().flatMap((o) => o.messages.filter((m) => !hit.has(m)).map((m) => `${o.id}: ${m.text}`));
    expect(missing).toEqual([]);
  });

  it("gives the named groups and the wording's release range", () => {
    const m = matchMessage("Couldn't open network namespace /proc/3026/ns/net: Permission denied")!;
    expect(m.groups).toEqual({ path: "/proc/3026/ns/net", error: "Permission denied" });
    expect(m.message.since).toBe("2023_06_25");
    const old = matchMessage("Couldn't open network namespace /proc/3026/ns/net")!;
    expect(old.groups).toEqual({ path: "/proc/3026/ns/net" });
    expect(old.message.until).toBe("2023_06_25");
    expect(matchMessage("Failed to get netlink socket")!.groups).toEqual({});
    expect(matchMessage("Failed to bind port 80 (Permission denied) for option '-t 80', exiting")!.groups).toEqual({
      port: "80", error: "Permission denied", option: "-t 80",
    });
  });

  it("finds pasta's text inside Podman, Buildah, rootlesskit and libvirt wrappers (§3.3)", () => {
    const cases: Array<[string, string, Record<string, string>]> = [
      [
        "Error: pasta failed with exit code 1:\nCouldn't open network namespace /run/user/1000/netns/netns-5d1f7c2e-0b8a-4f0e-9d1c-3f6a2b7e9c41: Permission denied\n",
        "netns-open",
        { path: "/run/user/1000/netns/netns-5d1f7c2e-0b8a-4f0e-9d1c-3f6a2b7e9c41", error: "Permission denied" },
      ],
      [
        "Error: starting container 3f1c2b: setting up Pasta: pasta failed with exit code 1:\nnetns dir open: Permission denied, exiting",
        "netns-dir-open",
        { error: "Permission denied" },
      ],
      [
        'Error: building at STEP "RUN apt-get update": setup network: pasta failed with exit code 1:\nCouldn\'t open network namespace /proc/3026/ns/net: Permission denied',
        "netns-open",
        { path: "/proc/3026/ns/net", error: "Permission denied" },
      ],
      [
        "Error: pasta failed with exit code 1: Couldn't open PID file /run/user/1000/containers/overlay-containers/0123abcd/userdata/pasta.pid: Permission denied",
        "pidfile-write",
        { path: "/run/user/1000/containers/overlay-containers/0123abcd/userdata/pasta.pid", error: "Permission denied" },
      ],
      [
        "Error: failed to start pasta:\nCouldn't open network namespace /run/user/1000/netns/netns-abc",
        "netns-open",
        { path: "/run/user/1000/netns/netns-abc" },
      ],
      [
        "Failed to remount /: Permission denied\nFailed to sandbox process, exiting",
        "sandbox-remount-root",
        { error: "Permission denied" },
      ],
      [
        "Error: pasta failed with exit code 1:\nFailed to open() /dev/net/tun: Permission denied\nFailed to set up tap device in namespace\n",
        "tun-open",
        { error: "Permission denied" },
      ],
      [
        "internal error: Child process (passt --one-off --socket /run/user/1000/libvirt/qemu/run/passt/1-vm-net0.socket) unexpected exit status 1: Couldn't open PID file /run/user/1000/libvirt/qemu/run/passt/1-vm-net0-passt.pid: Permission denied",
        "pidfile-write",
        { path: "/run/user/1000/libvirt/qemu/run/passt/1-vm-net0-passt.pid", error: "Permission denied" },
      ],
      [
        "pasta failed with exit code 1:\nCouldn't open user namespace /proc/51813/ns/user: Permission denied",
        "userns-join",
        { path: "/proc/51813/ns/user", error: "Permission denied" },
      ],
      [
        'pasta logged warnings: "Couldn\'t get any nameserver address\\nNo IPv4 nameserver available for DHCP\\n"',
        "resolv-conf",
        {},
      ],
      [
        'time="2024-06-01T10:00:00Z" level=info msg="pasta logged warnings: \\"Couldn\'t get any nameserver address\\\\n\\""',
        "resolv-conf",
        {},
      ],
      [
        "Aug 17 07:41:36 ubuntu pasta[19570]: Couldn't open network namespace /run/user/1000/netns/netns-abc: Permission denied",
        "netns-open",
        { path: "/run/user/1000/netns/netns-abc", error: "Permission denied" },
      ],
      [
        "0.0024: Couldn't write to /proc/self/uid_map0.0024: : Operation not permitted\n0.0025: Couldn't configure user mappings",
        "uid-map-write",
        { path: "/proc/self/uid_map", error: "Operation not permitted" },
      ],
      [
        "Error: rootless netns: kill network process: permission denied",
        "signal-receive",
        { error: "permission denied" },
      ],
    ];
    for (const [text, id, groups] of cases) {
      const m = matchMessage(text);
      expect(m?.operation.id, text).toBe(id);
      expect(m?.groups, text).toEqual(groups);
    }
  });

  it("returns null for text that is not a catalog wording", () => {
    expect(matchMessage("")).toBeNull();
    expect(matchMessage("Error: pasta failed with exit code 1:\n")).toBeNull();
    expect(matchMessage("Failed to sandbox process, exiting")).toBeNull();
    expect(matchMessage("Error: could not find pasta, the network namespace can't be configured: exec: \"pasta\": executable file not found in $PATH")).toBeNull();
    expect(matchMessage("Namespace /run/user/1000/netns/netns-abc is gone, exiting")).toBeNull();
  });
});
