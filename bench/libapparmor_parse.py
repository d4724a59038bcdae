#!/usr/bin/python3
"""Reference parser for the aalens benchmark: libapparmor's C log parser, via its Python binding.

    /usr/bin/python3 bench/libapparmor_parse.py FILE

Feeds every line of FILE (newline stripped, nothing pre-filtered) to
LibAppArmor.parse_record(), counts the returned records by event type and frees each
record with LibAppArmor.free_record().  Prints one JSON object on stdout:

    {"tool": "libapparmor", "lines": N, "records": M, "byEvent": {"DENIED": …, "INVALID": …}, "seconds": T}

`records` is every line whose event is not AA_RECORD_INVALID, i.e. every line libapparmor
recognised as an AppArmor record.  Exit status 3 (with {"error": …}) when the binding is
missing, 2 on bad usage.

Note: libapparmor 3.0.8 (Debian 12) returns AA_RECORD_INVALID for any line carrying keys
it does not know (class=, requested=/denied=, peer_addr=, addr=, subj=, peer_pid=, a
leading node=, …), which is why the benchmark also runs it on the apparmor-308.log variant.
"""
import json
import sys
import time


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: libapparmor_parse.py FILE\n")
        return 2
    try:
        import LibAppArmor
    except ImportError as exc:  # python3-libapparmor not installed
        print(json.dumps({"tool": "libapparmor", "error": "cannot import LibAppArmor: %s" % exc}))
        return 3

    names = {}
    for attr in dir(LibAppArmor):
        if attr.startswith("AA_RECORD_") and not attr.startswith("AA_RECORD_SYNTAX"):
            value = getattr(LibAppArmor, attr)
            # The aa_record_event_type enum; AA_RECORD_EXEC/READ/… are mask bits, not events.
            if isinstance(value, int) and attr[len("AA_RECORD_"):] in (
                "INVALID", "ERROR", "AUDIT", "ALLOWED", "DENIED", "HINT", "STATUS"):
                names[value] = attr[len("AA_RECORD_"):]
    invalid = LibAppArmor.AA_RECORD_INVALID

    parse_record = LibAppArmor.parse_record
    free_record = LibAppArmor.free_record
    counts = {}
    lines = 0
    start = time.perf_counter()
    # errors="replace": the C binding takes a str; a stray non-UTF-8 byte must not abort the run.
    with open(argv[1], "r", encoding="utf-8", errors="replace", newline="\n") as log:
        for line in log:
            lines += 1
            record = parse_record(line.rstrip("\n"))
            event = record.event
            counts[event] = counts.get(event, 0) + 1
            free_record(record)
    seconds = time.perf_counter() - start

    by_event = {names.get(k, str(k)): v for k, v in sorted(counts.items())}
    records = sum(v for k, v in counts.items() if k != invalid)
    print(json.dumps({
        "tool": "libapparmor",
        "lines": lines,
        "records": records,
        "byEvent": by_event,
        "seconds": round(seconds, 6),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
