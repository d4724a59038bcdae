#!/usr/bin/python3
"""Reference parser for the aalens benchmark: aa-logprof's log reader.

    /usr/bin/python3 bench/readlog_parse.py [--strict] FILE

Drives apparmor.logparser.ReadLog (Debian python3-apparmor) exactly the way
apparmor.aa.do_logprof_pass() does — ReadLog(filename, active_profiles, profile_dir)
then read_log(logmark='') — so the measured cost is its regex pre-filter
(apparmor=|operation=|type=AVC), LibAppArmor.parse_record() on the lines that pass, the
conversion of each record into a dict and the build-up of the per-profile "hashlog" tree
that aa-logprof later asks questions from.

Stand-ins and deviations, so that it runs on a synthetic log on a machine without the
profiles named in it:
  * active_profiles is a stand-in whose filename_from_profile_name() claims every profile
    exists, so that every event goes all the way into the hashlog (the most work ReadLog
    ever does per event; with the real ProfileList unknown profiles are dropped early).
  * parse_event_for_tree() is wrapped: an AppArmorException (e.g. "Log contains unknown
    mode", "unknown file or network event type") or an AttributeError/TypeError/KeyError
    on an event that 3.0.8 does not expect is counted in "errors" and the event skipped,
    where real aa-logprof would abort the whole run with AppArmorBug.  With --strict the
    wrapper is off and the first such event ends the run (reported as "aborted").
  * LOGPROF_DEBUG is cleared so the debug logger stays off (its default).

Prints one JSON object on stdout:

    {"tool": "readlog", "handed": H, "records": M, "byMode": {...},
     "errors": {...}, "profiles": P, "seconds": T}

`handed` is the lines that passed ReadLog's pre-filter and reached parse_event() (the
total line count is left to the harness, which knows it), `records` the events
parse_event() returned (libapparmor recognised them and gave them a mode), `byMode` those
by aa-logprof mode (REJECTING = DENIED, PERMITTING = ALLOWED, …).
"""
import json
import os
import sys
import time


def main(argv):
    args = argv[1:]
    strict = False
    if args and args[0] == "--strict":
        strict = True
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write("usage: readlog_parse.py [--strict] FILE\n")
        return 2
    filename = args[0]

    os.environ.pop("LOGPROF_DEBUG", None)
    try:
        import apparmor.logparser as logparser
        from apparmor.common import AppArmorException
    except Exception as exc:  # python3-apparmor / python3-libapparmor missing or broken
        print(json.dumps({"tool": "readlog", "error": "cannot import apparmor.logparser: %s" % exc}))
        return 3

    class AllProfilesExist:
        """Stand-in for apparmor.aa.active_profiles (a ProfileList): every profile 'exists'."""

        def filename_from_profile_name(self, name):
            return "/etc/apparmor.d/bench-stand-in"

    class BenchReadLog(logparser.ReadLog):
        def __init__(self, *a):
            super().__init__(*a)
            self.handed = 0
            self.by_mode = {}
            self.errors = {}

        def parse_event(self, msg):
            self.handed += 1
            event = super().parse_event(msg)
            if event:
                mode = event.get("aamode") or "None"
                self.by_mode[mode] = self.by_mode.get(mode, 0) + 1
            return event

        def parse_event_for_tree(self, e):
            if strict:
                return super().parse_event_for_tree(e)
            try:
                return super().parse_event_for_tree(e)
            except AppArmorException as exc:
                key = "AppArmorException: %s" % str(getattr(exc, "value", exc))[:60]
            except (AttributeError, TypeError, KeyError) as exc:
                key = "%s: %s" % (type(exc).__name__, str(exc)[:60])
            self.errors[key] = self.errors.get(key, 0) + 1
            return None

    reader = BenchReadLog(filename, AllProfilesExist(), "/etc/apparmor.d")
    start = time.perf_counter()
    aborted = None
    hashlog = {}
    try:
        hashlog = reader.read_log("")
    except Exception as exc:  # only reachable with --strict, or on a truly unexpected failure
        aborted = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
    seconds = time.perf_counter() - start

    profiles = sum(len(v) for v in hashlog.values()) if isinstance(hashlog, dict) else 0
    records = sum(reader.by_mode.values())
    out = {
        "tool": "readlog",
        "handed": reader.handed,
        "records": records,
        "byMode": dict(sorted(reader.by_mode.items())),
        "errors": reader.errors,
        "profiles": profiles,
        "seconds": round(seconds, 6),
    }
    if aborted:
        out["aborted"] = aborted
    print(json.dumps(out))
    return 1 if aborted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
