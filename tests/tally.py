#!/usr/bin/env python3
"""Counts passed and failed checks in one or more meson testlog.json files.

Check suites report "Checks: N, Failures: F, Errors: E"; TAP suites report
"ok"/"not ok" lines; anything else counts as one check by its result."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        entry = json.loads(line)
        out = entry.get("stdout") or ""
        ok = entry.get("result") == "OK"
        m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", out)
        tap_ok = len(re.findall(r"^ok \d+", out, re.M))
        tap_bad = len(re.findall(r"^not ok \d+", out, re.M))
        if m:
            n, f, e = map(int, m.groups())
            passed += n - f - e
            failed += f + e
            if not ok and f + e == 0:
                failed += 1  # crashed or timed out after its last report
        elif tap_ok or tap_bad:
            passed += tap_ok
            failed += tap_bad + (0 if ok or tap_bad else 1)
        elif ok:
            passed += 1
        else:
            failed += 1
print(f"{passed} {failed}")
