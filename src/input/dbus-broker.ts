/**
 * dbus-broker's own AppArmor denial entries → the record text aalens already parses.
 *
 * dbus-daemon reports an AppArmor D-Bus decision as a USER_AVC audit record. dbus-broker (the
 * D-Bus of Arch, Fedora, openSUSE) instead refuses the message and writes a structured journal
 * entry of its own (src/bus/peer.c peer_queue_unicast, src/bus/driver.c driver_dispatch_interface,
 * fields from src/bus/bus.c and src/dbus/message.c):
 *
 *   MESSAGE=A security policy denied :1.115 to send method call /p:org.x.Iface.Member to org.x.Dest.
 *   MESSAGE=A security policy denied org.x.Dest to receive signal /p:org.x.Iface.Member from :1.115.
 *   DBUS_BROKER_POLICY_TYPE=apparmor            (internal, selinux: not ours)
 *   DBUS_BROKER_TRANSMIT_ACTION=send|receive
 *   DBUS_BROKER_MESSAGE_TYPE=method_call|signal|method_return|<number>
 *   DBUS_BROKER_MESSAGE_PATH / _INTERFACE / _MEMBER   ("<missing>" when the header has none)
 *   DBUS_BROKER_MESSAGE_DESTINATION                    ("<broadcast>" when none)
 *   DBUS_BROKER_SENDER_SECURITY_LABEL=gnome-clocks (enforce)      (send action only)
 *   DBUS_BROKER_RECEIVER_SECURITY_LABEL=unconfined                (send action only)
 *   DBUS_BROKER_SENDER_UNIQUE_NAME=:1.115, DBUS_BROKER_RECEIVER_UNIQUE_NAME=:1.7, …_WELL_KNOWN_NAME_n
 *
 * The entry is written only when the transaction was refused; complain mode forces "allow" before
 * that point, so these entries are always denials (a complain-mode access leaves only the
 * ALLOWED audit record). No PIDs and no bus type are logged.
 *
 * Which side's profile refused is not logged either. dbus-broker ≤ 37 checks the sender's `send`
 * on the send path (ACTION=send) and the receiver's `receive` on the receive path (ACTION=receive,
 * no labels logged), and skips both when either side is unconfined. Later dbus-broker checks both
 * on the send path. So ACTION=send is read as the sender's `send` when the sender could have been
 * refused (confined, not complain), else as the receiver's `receive`.
 */

/** The journal fields `dbusBrokerRecord` reads: a reader that keeps only some fields must keep these. */
export const DBUS_BROKER_FIELDS: ReadonlySet<string> = new Set([
  "MESSAGE",
  "_TRANSPORT",
  "_COMM",
  "_EXE",
  "_SYSTEMD_UNIT",
  "_SYSTEMD_USER_UNIT",
  "DBUS_BROKER_POLICY_TYPE",
  "DBUS_BROKER_TRANSMIT_ACTION",
  "DBUS_BROKER_MESSAGE_TYPE",
  "DBUS_BROKER_MESSAGE_PATH",
  "DBUS_BROKER_MESSAGE_INTERFACE",
  "DBUS_BROKER_MESSAGE_MEMBER",
  "DBUS_BROKER_MESSAGE_DESTINATION",
  "DBUS_BROKER_SENDER_SECURITY_LABEL",
  "DBUS_BROKER_RECEIVER_SECURITY_LABEL",
  "DBUS_BROKER_SENDER_UNIQUE_NAME",
]);

/** Cheap test on a raw `journalctl -o json` line before JSON.parse: could it be such an entry? */
export function mayBeDbusBrokerEntry(raw: string): boolean {
  return raw.includes("DBUS_BROKER_POLICY_TYPE");
}

/** The text of one equivalent record, e.g. `apparmor="DENIED" operation="dbus_method_call" …`. */
export interface DbusBrokerRecord {
  text: string;
}

const MESSAGE_PREFIX = "A security policy denied ";
/**
 * The broker's executable as journald reads it from /proc/PID/exe (resolved, so no symlink or
 * `..` games): a file named dbus-broker under a directory only root can write to — /usr/bin on
 * Arch, Fedora, openSUSE; a store path on NixOS or Guix. A " (deleted)" tail (the package was
 * upgraded under the running broker) is accepted.
 */
const BROKER_EXE = /^\/(?:usr|bin|sbin|lib|lib64|nix\/store|gnu\/store)\/(?:[^\n]*\/)?dbus-broker(?: \(deleted\))?$/;
/** The message types dbus-broker mediates: replies never reach a policy check (peer_queue_reply). */
const OPERATIONS = new Map<string, string>([
  ["method_call", "dbus_method_call"],
  ["signal", "dbus_signal"],
]);
/** The units dbus-broker.service ships (Alias=dbus.service), system and user instance alike. */
const BROKER_UNITS = new Set(["dbus-broker.service", "dbus.service"]);

/**
 * Given one journal entry's field lookup, the equivalent AppArmor record text if the entry is
 * dbus-broker's own AppArmor denial, else null. Every value is treated as hostile: values of the
 * keys aalens hex-decodes are written quoted only when the kernel would quote them, hex otherwise;
 * other keys carry only fixed words.
 */
export function dbusBrokerRecord(get: (field: string) => string | undefined): DbusBrokerRecord | null {
  if (get("DBUS_BROKER_POLICY_TYPE") !== "apparmor") return null;
  if (!fromBroker(get)) return null;
  if (!get("MESSAGE")?.startsWith(MESSAGE_PREFIX)) return null;

  const operation = OPERATIONS.get(get("DBUS_BROKER_MESSAGE_TYPE") ?? "");
  if (operation === undefined) return null;
  const action = get("DBUS_BROKER_TRANSMIT_ACTION");
  if (action !== "send" && action !== "receive") return null;

  const sender = splitLabel(get("DBUS_BROKER_SENDER_SECURITY_LABEL"));
  const receiver = splitLabel(get("DBUS_BROKER_RECEIVER_SECURITY_LABEL"));
  let mask: "send" | "receive";
  if (action === "receive") mask = "receive";
  else if (sender === null || mayRefuse(sender)) mask = "send";
  else if (receiver === null || mayRefuse(receiver)) mask = "receive";
  else return null; // neither side can refuse: not a real denial

  const parts = ['apparmor="DENIED"', `operation="${operation}"`];
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== "") parts.push(`${key}=${untrusted(value)}`);
  };
  put("bus", busOf(get));
  put("path", present(get("DBUS_BROKER_MESSAGE_PATH")));
  put("interface", present(get("DBUS_BROKER_MESSAGE_INTERFACE")));
  put("member", present(get("DBUS_BROKER_MESSAGE_MEMBER")));
  if (mask === "send") {
    // As dbus-daemon: name= is the destination the sender addressed.
    parts.push('mask="send"');
    const destination = get("DBUS_BROKER_MESSAGE_DESTINATION");
    put("name", destination === "<broadcast>" ? undefined : destination);
    put("label", sender?.label);
    put("peer_label", receiver?.label);
  } else {
    // As dbus-daemon: name= is the sender's unique name; label= is the receiver's.
    put("name", get("DBUS_BROKER_SENDER_UNIQUE_NAME"));
    parts.push('mask="receive"');
    put("label", receiver?.label);
    put("peer_label", sender?.label);
  }
  return { text: parts.join(" ") };
}

/**
 * Only the broker itself: the entry must have come over the native protocol, as the broker
 * writes it, and journald's trusted fields (which it reads from the sending process, not from the
 * entry) must name dbus-broker. _EXE is required: any process can call itself "dbus-broker" in
 * _COMM (prctl PR_SET_NAME), and one that exits at once leaves _EXE unset. SYSLOG_IDENTIFIER is
 * the client's to choose and is not looked at.
 */
function fromBroker(get: (field: string) => string | undefined): boolean {
  if (get("_TRANSPORT") !== "journal") return false;
  const exe = get("_EXE");
  if (exe === undefined || !BROKER_EXE.test(exe) || exe.includes("/./") || exe.includes("/../")) return false;
  const comm = get("_COMM");
  return comm === undefined || comm === "dbus-broker";
}

/**
 * The bus is not logged; the unit that runs the broker tells it: the system instance runs as
 * dbus-broker.service, the session one as the same unit of a user manager.
 */
function busOf(get: (field: string) => string | undefined): string | undefined {
  const userUnit = get("_SYSTEMD_USER_UNIT");
  if (userUnit !== undefined) return BROKER_UNITS.has(userUnit) ? "session" : undefined;
  const unit = get("_SYSTEMD_UNIT");
  return unit !== undefined && BROKER_UNITS.has(unit) ? "system" : undefined;
}

/** dbus-broker writes `<missing>` for an absent header field; no real path or name has `<`. */
function present(value: string | undefined): string | undefined {
  return value === "<missing>" ? undefined : value;
}

interface Label {
  label: string;
  mode: string | undefined;
}

/**
 * libapparmor's aa_splitcon(): one trailing newline dropped; `unconfined` has no mode; otherwise
 * the mode is the text inside the last ` (…)` that ends the context.
 */
function splitLabel(context: string | undefined): Label | null {
  if (context === undefined) return null;
  const con = context.endsWith("\n") ? context.slice(0, -1) : context;
  if (con === "unconfined") return { label: con, mode: undefined };
  if (con.length > 3 && con.endsWith(")")) {
    const open = con.lastIndexOf(" (", con.length - 2);
    if (open > 0) return { label: con.slice(0, open), mode: con.slice(open + 2, -1) };
  }
  return { label: con, mode: undefined };
}

/** Whether a party's own profile could have refused: confined and not in complain mode. */
function mayRefuse({ label, mode }: Label): boolean {
  if (mode === "unconfined" || (mode === undefined && label === "unconfined")) return false;
  return mode !== "complain";
}

/**
 * As the kernel's audit_log_untrustedstring(): quoted unless the value holds a quote, a space, a
 * control character or a byte outside printable ASCII; then upper-case hex of its UTF-8 bytes.
 */
function untrusted(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 || c < 0x21 || c > 0x7e) return Buffer.from(value, "utf8").toString("hex").toUpperCase();
  }
  return `"${value}"`;
}
