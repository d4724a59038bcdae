/**
 * dbus-broker's own AppArmor denial journal entries → record text that parseLine and
 * appArmorFields read back exactly. Entries are shaped as `journalctl -o json` prints what
 * dbus-broker writes (field names and MESSAGE wording from bus1/dbus-broker src/bus/bus.c,
 * src/bus/peer.c, src/bus/driver.c, src/dbus/message.c, src/util/log.c).
 */
import { describe, expect, it } from "vitest";
import { dbusBrokerRecord, DBUS_BROKER_FIELDS, mayBeDbusBrokerEntry } from "../src/input/dbus-broker.js";
import { fieldText } from "../src/input/journal-json.js";
import { metaFromFields } from "../src/input/journal-meta.js";
import { appArmorFields } from "../src/parse/apparmor-fields.js";
import { parseLine } from "../src/parse/parse-line.js";

type Entry = Record<string, unknown>;

/** journald's trusted fields for the system instance (Fedora: uid 81 "dbus"). */
const SYSTEM_TRUSTED: Entry = {
  __CURSOR: "s=5d6f;i=1a2b;b=0123456789abcdef0123456789abcdef;m=1;t=62a4;x=9",
  __REALTIME_TIMESTAMP: "1732846380123456",
  __MONOTONIC_TIMESTAMP: "566389383",
  _BOOT_ID: "0123456789abcdef0123456789abcdef",
  _MACHINE_ID: "fedcba9876543210fedcba9876543210",
  _HOSTNAME: "fedora",
  _TRANSPORT: "journal",
  _PID: "735",
  _UID: "81",
  _GID: "81",
  _COMM: "dbus-broker",
  _EXE: "/usr/bin/dbus-broker",
  _CMDLINE: "dbus-broker --log 4 --controller 9 --machine-id fedcba9876543210fedcba9876543210 --max-bytes 536870912 --max-fds 4096 --max-matches 131072 --audit",
  _CAP_EFFECTIVE: "20000000",
  _SELINUX_CONTEXT: "unconfined",
  _SYSTEMD_CGROUP: "/system.slice/dbus-broker.service",
  _SYSTEMD_UNIT: "dbus-broker.service",
  _SYSTEMD_SLICE: "system.slice",
  _SYSTEMD_INVOCATION_ID: "4f5e6d7c8b9a0f1e2d3c4b5a69788796",
  _SOURCE_REALTIME_TIMESTAMP: "1732846380120000",
  PRIORITY: "4",
  SYSLOG_FACILITY: "3",
  SYSLOG_IDENTIFIER: "dbus-broker",
  ERRNO: "0",
  DBUS_BROKER_LOG_DROPPED: "0",
};

/** The session instance: the same unit, run by the user's manager. */
const SESSION_TRUSTED: Entry = {
  ...SYSTEM_TRUSTED,
  _PID: "2210",
  _UID: "1000",
  _GID: "1000",
  _CMDLINE: "/usr/bin/dbus-broker --log 4 --controller 10 --machine-id fedcba9876543210fedcba9876543210 --max-bytes 100000000000000 --max-fds 25000000000000 --max-matches 5000000000",
  _SYSTEMD_CGROUP: "/user.slice/user-1000.slice/user@1000.service/session.slice/dbus-broker.service",
  _SYSTEMD_UNIT: "user@1000.service",
  _SYSTEMD_USER_UNIT: "dbus-broker.service",
  _SYSTEMD_USER_SLICE: "session.slice",
  _SYSTEMD_OWNER_UID: "1000",
};

/** peer_queue_unicast's send-path denial, as bus_log_append_policy_send + message_log_append write it. */
function sendDenial(o: {
  trusted?: Entry;
  type?: string;
  path?: string;
  iface?: string;
  member?: string;
  dest?: string;
  senderId?: string;
  senderLabel?: string;
  receiverLabel?: string;
  extra?: Entry;
}): Entry {
  const type = o.type ?? "method_call";
  const path = o.path ?? "/org/freedesktop/GeoClue2/Manager";
  const iface = o.iface ?? "org.freedesktop.DBus.Properties";
  const member = o.member ?? "GetAll";
  const dest = o.dest ?? "org.freedesktop.GeoClue2";
  const senderId = o.senderId ?? "115";
  const kind = type === "method_call" ? "method call" : "signal";
  return {
    ...(o.trusted ?? SYSTEM_TRUSTED),
    CODE_FILE: "../dbus-broker-36/src/bus/peer.c",
    CODE_LINE: "830",
    CODE_FUNC: "peer_queue_unicast",
    DBUS_BROKER_POLICY_TYPE: "apparmor",
    DBUS_BROKER_TRANSMIT_ACTION: "send",
    DBUS_BROKER_MESSAGE_DESTINATION: dest,
    DBUS_BROKER_MESSAGE_SERIAL: "12",
    DBUS_BROKER_MESSAGE_SIGNATURE: "s",
    DBUS_BROKER_MESSAGE_UNIX_FDS: "0",
    DBUS_BROKER_MESSAGE_TYPE: type,
    DBUS_BROKER_MESSAGE_PATH: path,
    DBUS_BROKER_MESSAGE_INTERFACE: iface,
    DBUS_BROKER_MESSAGE_MEMBER: member,
    DBUS_BROKER_SENDER_SECURITY_LABEL: o.senderLabel ?? "gnome-clocks (enforce)",
    DBUS_BROKER_SENDER_UNIQUE_NAME: `:1.${senderId}`,
    DBUS_BROKER_RECEIVER_SECURITY_LABEL: o.receiverLabel ?? "unconfined",
    DBUS_BROKER_RECEIVER_UNIQUE_NAME: ":1.7",
    DBUS_BROKER_RECEIVER_WELL_KNOWN_NAME_0: dest,
    MESSAGE: `A security policy denied :1.${senderId} to send ${kind} ${path}:${iface}.${member} to ${dest}.`,
    ...o.extra,
  };
}

/** dbus-broker ≤ 37's receive-path denial (bus_log_append_policy_receive: no labels logged). */
function receiveDenial(trusted: Entry = SESSION_TRUSTED): Entry {
  return {
    ...trusted,
    CODE_FILE: "../dbus-broker-36/src/bus/peer.c",
    CODE_LINE: "797",
    CODE_FUNC: "peer_queue_unicast",
    DBUS_BROKER_POLICY_TYPE: "apparmor",
    DBUS_BROKER_TRANSMIT_ACTION: "receive",
    DBUS_BROKER_MESSAGE_DESTINATION: "org.gnome.Shell.Screenshot",
    DBUS_BROKER_MESSAGE_SERIAL: "5",
    DBUS_BROKER_MESSAGE_SIGNATURE: "<missing>",
    DBUS_BROKER_MESSAGE_UNIX_FDS: "0",
    DBUS_BROKER_MESSAGE_TYPE: "signal",
    DBUS_BROKER_MESSAGE_PATH: "/org/gnome/Shell/Screenshot",
    DBUS_BROKER_MESSAGE_INTERFACE: "org.gnome.Shell.Screenshot",
    DBUS_BROKER_MESSAGE_MEMBER: "Flash",
    DBUS_BROKER_SENDER_UNIQUE_NAME: ":1.42",
    DBUS_BROKER_RECEIVER_UNIQUE_NAME: ":1.9",
    DBUS_BROKER_RECEIVER_WELL_KNOWN_NAME_0: "org.gnome.Shell.Screenshot",
    MESSAGE: "A security policy denied org.gnome.Shell.Screenshot to receive signal /org/gnome/Shell/Screenshot:org.gnome.Shell.Screenshot.Flash from :1.42.",
  };
}

/** The getter a journal-json reader builds: JSON text → fields, as journalctl wrote them. */
function getter(entry: Entry): (name: string) => string | undefined {
  const fields = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
  return (name) => (Object.hasOwn(fields, name) ? fieldText(fields[name]) : undefined);
}

function convert(entry: Entry): string | null {
  return dbusBrokerRecord(getter(entry))?.text ?? null;
}

/** The record aalens parses from the converted text (with the entry's meta, as a reader would pass it). */
function parsed(entry: Entry) {
  const text = convert(entry);
  expect(text).not.toBeNull();
  const result = parseLine({ source: "journal.json", line: 1, text: text!, meta: metaFromFields("journal-json", getter(entry)) });
  expect(result?.record).toBeDefined();
  const record = result!.record!;
  expect(record.warnings).toBeUndefined();
  expect(record.msg).toBeNull();
  return { text: text!, record, fields: appArmorFields(record) };
}

describe("dbus-broker AppArmor denial entries", () => {
  it("a system-bus method call refused by the sender's profile reads like dbus-daemon's record", () => {
    const { text, record, fields } = parsed(sendDenial({}));
    expect(text).toBe(
      'apparmor="DENIED" operation="dbus_method_call" bus="system" path="/org/freedesktop/GeoClue2/Manager" ' +
        'interface="org.freedesktop.DBus.Properties" member="GetAll" mask="send" name="org.freedesktop.GeoClue2" ' +
        'label="gnome-clocks" peer_label="unconfined"',
    );
    expect(record.mode).toBe("DENIED");
    expect(record.type).toBeNull();
    expect(record.host).toBe("fedora");
    expect(record.time).toBe("2024-11-29T02:13:00.120Z");
    expect(fields).toEqual({
      operation: "dbus_method_call",
      bus: "system",
      path: "/org/freedesktop/GeoClue2/Manager",
      interface: "org.freedesktop.DBus.Properties",
      member: "GetAll",
      denied: "send",
      name: "org.freedesktop.GeoClue2",
      profile: "gnome-clocks",
      peerProfile: "unconfined",
    });
  });

  it("a session-bus unicast signal; the bus comes from the user unit", () => {
    const entry = sendDenial({
      trusted: SESSION_TRUSTED,
      type: "signal",
      path: "/org/freedesktop/portal/desktop",
      iface: "org.freedesktop.portal.Request",
      member: "Response",
      dest: ":1.88",
      senderLabel: "/usr/bin/evince (enforce)",
      receiverLabel: "firefox (enforce)",
    });
    const { fields } = parsed(entry);
    expect(fields).toEqual({
      operation: "dbus_signal",
      bus: "session",
      path: "/org/freedesktop/portal/desktop",
      interface: "org.freedesktop.portal.Request",
      member: "Response",
      denied: "send",
      name: ":1.88",
      profile: "/usr/bin/evince",
      peerProfile: "firefox",
    });
  });

  it("a call to the bus driver (driver_dispatch_interface) refused by the sender's profile", () => {
    const entry = sendDenial({
      path: "/org/freedesktop/DBus",
      iface: "org.freedesktop.DBus",
      member: "ListNames",
      dest: "org.freedesktop.DBus",
      extra: {
        CODE_FILE: "../dbus-broker-36/src/bus/driver.c",
        CODE_FUNC: "driver_dispatch_interface",
        DBUS_BROKER_RECEIVER_UNIQUE_NAME: undefined,
        DBUS_BOKER_RECEIVER_UNIQUE_NAME: "org.freedesktop.DBus", // sic: dbus-broker's spelling
        DBUS_BROKER_RECEIVER_WELL_KNOWN_NAME_0: undefined,
        MESSAGE: "A security policy denied :1.115 to send method call /org/freedesktop/DBus:org.freedesktop.DBus.ListNames to org.freedesktop.DBus.",
      },
    });
    expect(parsed(entry).fields).toMatchObject({ operation: "dbus_method_call", member: "ListNames", name: "org.freedesktop.DBus", denied: "send" });
  });

  it("a sender in complain mode was not the one refused: the receiver's receive was", () => {
    const entry = sendDenial({ senderLabel: "gnome-clocks (complain)", receiverLabel: "geoclue (enforce)" });
    const { text, fields } = parsed(entry);
    expect(text).toContain('name=":1.115" mask="receive" label="geoclue" peer_label="gnome-clocks"');
    expect(fields).toEqual({
      operation: "dbus_method_call",
      bus: "system",
      path: "/org/freedesktop/GeoClue2/Manager",
      interface: "org.freedesktop.DBus.Properties",
      member: "GetAll",
      name: ":1.115",
      denied: "receive",
      profile: "geoclue",
      peerProfile: "gnome-clocks",
    });
  });

  it("an unconfined sender (label `unconfined` or mode `(unconfined)`) points at the receiver", () => {
    for (const senderLabel of ["unconfined", "flatpak-app (unconfined)"]) {
      const fields = parsed(sendDenial({ senderLabel, receiverLabel: "/usr/libexec/geoclue (kill)" })).fields;
      expect(fields.denied).toBe("receive");
      expect(fields.profile).toBe("/usr/libexec/geoclue");
    }
  });

  it("both sides unable to refuse (complain or unconfined) is no denial", () => {
    expect(convert(sendDenial({ senderLabel: "a (complain)", receiverLabel: "b (complain)" }))).toBeNull();
    expect(convert(sendDenial({ senderLabel: "unconfined", receiverLabel: "unconfined" }))).toBeNull();
  });

  it("stacked labels and a mode-less label keep their whole name; only a trailing ` (mode)` goes", () => {
    const f = parsed(sendDenial({ senderLabel: "snap.foo.app//&:ns:firefox (enforce)", receiverLabel: "odd (name) here" })).fields;
    expect(f.profile).toBe("snap.foo.app//&:ns:firefox");
    expect(f.peerProfile).toBe("odd (name) here");
  });

  it("a receive-path denial (dbus-broker ≤ 37) carries no labels and names the sender", () => {
    const { text, fields } = parsed(receiveDenial());
    expect(text).toBe(
      'apparmor="DENIED" operation="dbus_signal" bus="session" path="/org/gnome/Shell/Screenshot" ' +
        'interface="org.gnome.Shell.Screenshot" member="Flash" name=":1.42" mask="receive"',
    );
    expect(fields).toEqual({
      operation: "dbus_signal",
      bus: "session",
      path: "/org/gnome/Shell/Screenshot",
      interface: "org.gnome.Shell.Screenshot",
      member: "Flash",
      name: ":1.42",
      denied: "receive",
    });
  });

  it("replies are never mediated by dbus-broker and are not turned into records", () => {
    const reply = sendDenial({ type: "method_return", extra: { DBUS_BROKER_MESSAGE_PATH: undefined, DBUS_BROKER_MESSAGE_INTERFACE: undefined, DBUS_BROKER_MESSAGE_MEMBER: undefined, MESSAGE_REPLY_SERIAL: "12" } });
    expect(convert(reply)).toBeNull();
    expect(convert(sendDenial({ type: "method_return", extra: { DBUS_BROKER_MESSAGE_ERROR_NAME: "org.freedesktop.DBus.Error.Failed" } }))).toBeNull();
    expect(convert(sendDenial({ type: "5" }))).toBeNull();
  });

  it("<missing> header fields and a <broadcast> destination are left out, not written", () => {
    const entry = sendDenial({ iface: "<missing>", dest: "<broadcast>" });
    const { record, fields } = parsed(entry);
    expect(Object.keys(record.fields)).toEqual(["apparmor", "operation", "bus", "path", "member", "mask", "label", "peer_label"]);
    expect(fields.interface).toBeUndefined();
    expect(fields.name).toBeUndefined();
  });

  it("no bus is claimed when the unit does not say which broker instance this is", () => {
    const trusted = { ...SYSTEM_TRUSTED, _SYSTEMD_UNIT: "session-3.scope", _SYSTEMD_CGROUP: "/user.slice/user-1000.slice/session-3.scope" };
    const { record, fields } = parsed(sendDenial({ trusted }));
    expect(fields.bus).toBeUndefined();
    expect(record.fields.bus).toBeUndefined();
    const noUnit: Entry = { ...SYSTEM_TRUSTED };
    delete noUnit._SYSTEMD_UNIT;
    expect(parsed(sendDenial({ trusted: noUnit })).fields.bus).toBeUndefined();
    expect(parsed(sendDenial({ trusted: { ...SESSION_TRUSTED, _SYSTEMD_USER_UNIT: "app-gnome-foo-123.scope" } })).fields.bus).toBeUndefined();
  });

  it("accepts the broker's executable after a package upgrade and on NixOS", () => {
    expect(convert(sendDenial({ trusted: { ...SYSTEM_TRUSTED, _EXE: "/usr/bin/dbus-broker (deleted)" } }))).not.toBeNull();
    expect(convert(sendDenial({ trusted: { ...SYSTEM_TRUSTED, _EXE: "/nix/store/3x8kqy7-dbus-broker-36/bin/dbus-broker" } }))).not.toBeNull();
  });
});

describe("only dbus-broker's own entries", () => {
  it("is null for other policy types and for entries without the policy field", () => {
    expect(convert(sendDenial({ extra: { DBUS_BROKER_POLICY_TYPE: "internal" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { DBUS_BROKER_POLICY_TYPE: "selinux" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { DBUS_BROKER_POLICY_TYPE: undefined } }))).toBeNull();
    expect(convert({ ...SYSTEM_TRUSTED, MESSAGE: "Peer :1.5 is being disconnected as it does not have the resources to receive a reply it requested." })).toBeNull();
  });

  it("is null for other broker messages and malformed actions", () => {
    expect(convert(sendDenial({ extra: { MESSAGE: "Ready" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { MESSAGE: undefined } }))).toBeNull();
    expect(convert(sendDenial({ extra: { DBUS_BROKER_TRANSMIT_ACTION: "bind" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { DBUS_BROKER_TRANSMIT_ACTION: undefined } }))).toBeNull();
  });

  it("is null for a forged entry: logger(1) via syslog, or the native protocol from another program", () => {
    // `logger --journald` / `logger -t dbus-broker`: the client picks SYSLOG_IDENTIFIER, not _COMM/_EXE.
    const viaLogger = { _COMM: "logger", _EXE: "/usr/bin/logger", _PID: "4242", _UID: "1000", _SYSTEMD_UNIT: "session-3.scope" };
    expect(convert(sendDenial({ extra: viaLogger }))).toBeNull();
    expect(convert(sendDenial({ extra: { ...viaLogger, _TRANSPORT: "syslog" } }))).toBeNull();
    // Even with the right process names, syslog and stdout are not how the broker logs.
    expect(convert(sendDenial({ extra: { _TRANSPORT: "syslog" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _TRANSPORT: "stdout" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _TRANSPORT: undefined } }))).toBeNull();
    // prctl(PR_SET_NAME, "dbus-broker") fakes _COMM but not _EXE; exiting at once leaves no _EXE.
    expect(convert(sendDenial({ extra: { _EXE: "/usr/bin/python3.12" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _EXE: undefined } }))).toBeNull();
    // A copy of some program named dbus-broker where a user can write.
    expect(convert(sendDenial({ extra: { _EXE: "/home/mallory/bin/dbus-broker" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _EXE: "/tmp/dbus-broker" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _EXE: "/usr/../home/m/dbus-broker" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _EXE: "/usr/bin/dbus-broker-launch" } }))).toBeNull();
    expect(convert(sendDenial({ extra: { _COMM: "dbus-broker-lau" } }))).toBeNull();
  });

  it("the raw-line precheck and the field list a selective reader must keep", () => {
    expect(mayBeDbusBrokerEntry(JSON.stringify(sendDenial({})))).toBe(true);
    expect(mayBeDbusBrokerEntry(JSON.stringify({ MESSAGE: "hello" }))).toBe(false);
    const used = new Set<string>();
    dbusBrokerRecord((name) => {
      used.add(name);
      return getter(sendDenial({ senderLabel: "a (complain)", receiverLabel: "b (enforce)" }))(name);
    });
    for (const name of used) expect(DBUS_BROKER_FIELDS.has(name), name).toBe(true);
  });
});

describe("hostile values round-trip exactly, into the right fields and nothing else", () => {
  const HOSTILE = [
    'a"b',
    '" /** rwlkmix, ',
    "x\ny",
    "tab\there",
    "\u202Eevil\u202C",
    "ünïcödé",
    "emoji 🐧",
    "a' msg='apparmor=\"ALLOWED\"",
    "label=\"x\" peer_label=\"y\"",
    "} { ' =",
    "DEL\u007F",
    "\u0000nul",
    "41424344", // looks like hex, is text: must come back as 41424344, not ABCD
    "(enforce)",
  ];

  it.each(HOSTILE)("%j in every decoded key", (bad) => {
    const entry = sendDenial({
      path: `/p/${bad}`,
      iface: `i.${bad}`,
      member: `m${bad}`,
      dest: `d.${bad}`,
      senderLabel: `s${bad} (enforce)`,
      receiverLabel: `r${bad} (enforce)`,
      extra: { _SYSTEMD_UNIT: "dbus-broker.service" },
    });
    const { record, fields } = parsed(entry);
    expect(Object.keys(record.fields)).toEqual(["apparmor", "operation", "bus", "path", "interface", "member", "mask", "name", "label", "peer_label"]);
    expect(record.mode).toBe("DENIED");
    expect(fields).toEqual({
      operation: "dbus_method_call",
      bus: "system",
      path: `/p/${bad}`,
      interface: `i.${bad}`,
      member: `m${bad}`,
      denied: "send",
      name: `d.${bad}`,
      profile: `s${bad}`,
      peerProfile: `r${bad}`,
    });
  });

  it.each(HOSTILE)("%j as a whole value, receive side included", (bad) => {
    const entry = sendDenial({
      path: bad,
      iface: bad,
      member: bad,
      senderLabel: `${bad} (complain)`,
      receiverLabel: `${bad} (enforce)`,
      extra: { DBUS_BROKER_SENDER_UNIQUE_NAME: bad },
    });
    const { record, fields } = parsed(entry);
    expect(Object.keys(record.fields)).toEqual(["apparmor", "operation", "bus", "path", "interface", "member", "name", "mask", "label", "peer_label"]);
    expect(fields).toEqual({
      operation: "dbus_method_call",
      bus: "system",
      path: bad,
      interface: bad,
      member: bad,
      name: bad,
      denied: "receive",
      profile: bad,
      peerProfile: bad,
    });
  });

  it("unsafe values are written as upper-case hex of their UTF-8 bytes, as the kernel does", () => {
    const text = convert(sendDenial({ member: "Get All", senderLabel: "\u202Ex (enforce)" }))!;
    expect(text).toContain(" member=47657420416C6C ");
    expect(text).toContain(" label=E280AE78 ");
    expect(text).not.toMatch(/[^\x20-\x7e]/);
  });

  it("hostile text in the unit or the mode never reaches the record", () => {
    const trusted = { ...SESSION_TRUSTED, _SYSTEMD_USER_UNIT: 'x" mask="bind' };
    const { record } = parsed(sendDenial({ trusted, senderLabel: 'a (enf" orce)' }));
    expect(record.fields.bus).toBeUndefined();
    expect(record.fields.mask).toBe("send");
    expect(record.fields.label).toBe("a");
  });

  it("a message type or action that is not a known word gives null, never a written value", () => {
    expect(convert(sendDenial({ type: 'method_call" mask="bind' }))).toBeNull();
    expect(convert(sendDenial({ extra: { DBUS_BROKER_TRANSMIT_ACTION: 'send" x="y' } }))).toBeNull();
  });

  it('a label that starts with "=" and needs hex round-trips', () => {
    const { record } = parsed(sendDenial({ senderLabel: "=a b (enforce)" }));
    expect(record.fields.label).toBe("=a b");
  });

  it("empty values are left out", () => {
    const { record } = parsed(sendDenial({ path: "", member: "", receiverLabel: "" }));
    expect(Object.keys(record.fields)).toEqual(["apparmor", "operation", "bus", "interface", "mask", "name", "label"]);
  });

  it("byte-array fields (invalid UTF-8 in journalctl -o json) decode to U+FFFD and stay confined to their key", () => {
    const entry = sendDenial({});
    entry.DBUS_BROKER_MESSAGE_MEMBER = [0x47, 0xff, 0x22, 0x20, 0x0a];
    const { fields } = parsed(entry);
    expect(fields.member).toBe('G\uFFFD" \n');
    expect(fields.denied).toBe("send");
  });
});
