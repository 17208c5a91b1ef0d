#!/usr/bin/env python3
"""Checks that docs/cookbook.md and examples/cookbook.sh agree.

    check-cookbook.py [--doc docs/cookbook.md] [--script examples/cookbook.sh]

Every launch line the script runs (`cookbook.sh --print`) must be in the
cookbook, and every `gst-launch-1.0` line of the cookbook must be in the
script, except in code blocks marked as not run (```sh planned or
```sh described).  Whitespace and line continuations do not matter; a
leading VAR=value is ignored.  The test suite runs the script itself
(examples/meson.build), so the cookbook's lines are known to work.
"""
import argparse
import os
import re
import subprocess
import sys


def normalize(line):
    return " ".join(line.split())


def doc_commands(text):
    """[(command, exempt)] for the gst-launch-1.0 lines of the code blocks."""
    out = []
    block = None                        # None outside, else (exempt, [lines])
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            if block is None:
                words = stripped[3:].split()
                exempt = any(w in ("planned", "described") for w in words[1:])
                block = (exempt, [])
            else:
                out += [(c, block[0]) for c in logical_lines(block[1])]
                block = None
            continue
        if block is not None:
            block[1].append(raw)
    return out


def logical_lines(lines):
    joined, current = [], ""
    for line in lines:
        if line.strip().startswith("#") and not current:
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        joined.append(current + line)
        current = ""
    commands = []
    for line in joined:
        line = normalize(line)
        line = re.sub(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+", "", line)
        if line.startswith("gst-launch-1.0 "):
            commands.append(line)
    return commands


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    parser = argparse.ArgumentParser()
    parser.add_argument("--doc", default=os.path.join(root, "docs", "cookbook.md"))
    parser.add_argument("--script", default=os.path.join(root, "examples",
                                                         "cookbook.sh"))
    args = parser.parse_args()

    result = subprocess.run(["bash", args.script, "--print"],
                            stdout=subprocess.PIPE, text=True, check=True)
    script = [normalize(l) for l in result.stdout.splitlines() if l.strip()]
    with open(args.doc, encoding="utf-8") as f:
        doc = doc_commands(f.read())
    in_doc = {c for c, _ in doc}
    run_in_doc = {c for c, exempt in doc if not exempt}

    problems = []
    for line in script:
        if line not in in_doc:
            problems.append(f"the script runs a line the cookbook does not "
                            f"show:\n      {line}")
    for line in sorted(run_in_doc - set(script)):
        problems.append(f"the cookbook shows a line the script does not run "
                        f"(mark its block ```sh planned or ```sh described "
                        f"if it is not meant to run):\n      {line}")
    if problems:
        print(f"{args.doc} and {args.script} disagree:")
        for p in problems:
            print("  -", p)
        return 1
    print(f"{len(script)} launch lines agree between {args.doc} and "
          f"{args.script}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
