#!/usr/bin/env python3
"""The house of gst/cartesia/ is layered: arrows point down only.

Reads the object files of the plugin and its static libraries with nm: a
file "calls" another when one of its undefined symbols (U) is a function
(T) that the other one defines.  Fails when

  - two files call each other, or a longer cycle exists, except for the
    calls listed in the allowlist (each with a reason);
  - a file calls one of a higher layer (below), except the calls listed in
    the allowlist;
  - an allowlisted call no longer exists (the list only ever shrinks: take
    the entry out);
  - a file of gst/cartesia/ is over MAX_LINES lines, except those listed in
    the allowlist (each with a reason), or a listed one is no longer over.

The layers, from the top: plugin.c (4); the element's GObject face,
gstcartesiattssrc.c and gstcartesiattssrc-props*.c (3); the element's parts,
the other gstcartesiattssrc-*.c (2); the plugin's other files, the transport
(1); the static libraries the plugin links (the pure modules and the other
parts its unit tests link alone) (0).  A file may call its own layer and
those below.

A type's get_type() is not counted as a call: every file that casts with
GST_CARTESIA_TTS_SRC() asks GObject's type registry for the element's type
through it, and that says nothing about which file uses which.

Usage: check-layering.py --build-dir BUILD --source-dir SRC --nm NM
                         --allowlist FILE
where BUILD is the meson build directory (its meson-info says which objects
are current) and SRC the source root.  python3 only, no modules.
"""

import argparse
import json
import os
import subprocess
import sys

MAX_LINES = 800
PACKAGE_DIR = os.path.join("gst", "cartesia")


def fail(msg):
    print("check-layering: " + msg, file=sys.stderr)
    sys.exit(1)


def current_objects(build_dir, source_dir):
    """({source basename: object path}, {source basename: its target's type})
    of the targets built from gst/cartesia, as meson knows them now (stale
    objects of removed files are ignored)."""
    info = os.path.join(build_dir, "meson-info", "intro-targets.json")
    try:
        with open(info, encoding="utf-8") as f:
            targets = json.load(f)
    except OSError as e:
        fail("cannot read %s (%s): is %s a meson build directory?"
             % (info, e, build_dir))
    pkg = os.path.realpath(os.path.join(source_dir, PACKAGE_DIR))
    objects, kinds = {}, {}
    for t in targets:
        if not t.get("filename"):
            continue
        private = t["filename"][0] + ".p"
        for ts in t.get("target_sources", []):
            for src in ts.get("sources", []):
                src = os.path.realpath(src)
                if os.path.dirname(src) != pkg or not src.endswith(".c"):
                    continue
                name = os.path.basename(src)
                obj = os.path.join(private, name + ".o")
                if not os.path.exists(obj):
                    fail("%s is not built (%s missing): build first"
                         % (name, obj))
                if name in objects and objects[name] != obj:
                    # the same file in two targets: one is enough
                    continue
                objects[name] = obj
                kinds[name] = t.get("type", "")
    if not objects:
        fail("no object of %s found in %s" % (PACKAGE_DIR, build_dir))
    return objects, kinds


def layer(name, kind):
    if name == "plugin.c":
        return 4
    if name == "gstcartesiattssrc.c" or \
            name.startswith("gstcartesiattssrc-props"):
        return 3
    if name.startswith("gstcartesiattssrc-"):
        return 2
    return 0 if kind == "static library" else 1


def read_symbols(nm, obj):
    """(defined functions, undefined symbols) of one object file."""
    try:
        out = subprocess.run([nm, "-P", obj], check=True,
                             capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as e:
        fail("%s %s failed: %s" % (nm, obj, e))
    defined, undefined = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == "T":
            defined.add(name)
        elif kind == "U":
            undefined.add(name)
    return defined, undefined


def call_graph(nm, objects):
    """{caller: {callee: sorted symbols}} between the files."""
    defined_by, undefined = {}, {}
    for name, obj in sorted(objects.items()):
        d, u = read_symbols(nm, obj)
        undefined[name] = u
        for sym in d:
            defined_by[sym] = name
    graph = {name: {} for name in objects}
    for name, syms in undefined.items():
        for sym in syms:
            callee = defined_by.get(sym)
            if callee is None or callee == name or sym.endswith("_get_type"):
                continue
            graph[name].setdefault(callee, []).append(sym)
    for edges in graph.values():
        for callee in edges:
            edges[callee].sort()
    return graph


def cycles(graph, ignored):
    """Strongly connected components of more than one file (Tarjan), the
    calls in @ignored left out."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        # iterative, so that no recursion limit is ever in the way
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if (node, w) in ignored:
                    continue
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def read_allowlist(path):
    """({(caller, callee): reason}, {file: reason}) from the allowlist:
        calls CALLER CALLEE: reason
        lines FILE: reason
    '#' starts a comment."""
    calls, lines = {}, {}
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        fail("cannot read the allowlist %s: %s" % (path, e))
    with f:
        for n, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            head, sep, reason = line.partition(":")
            words = head.split()
            if not sep or not reason.strip():
                fail("%s:%d: every entry needs a reason after ':'" % (path, n))
            if words[0] == "calls" and len(words) == 3:
                calls[(words[1], words[2])] = reason.strip()
            elif words[0] == "lines" and len(words) == 2:
                lines[words[1]] = reason.strip()
            else:
                fail("%s:%d: expected 'calls A B: reason' or "
                     "'lines FILE: reason'" % (path, n))
    return calls, lines


def long_files(source_dir):
    pkg = os.path.join(source_dir, PACKAGE_DIR)
    out = {}
    for name in sorted(os.listdir(pkg)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(pkg, name), encoding="utf-8") as f:
            n = sum(1 for _ in f)
        if n > MAX_LINES:
            out[name] = n
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--nm", default="")
    ap.add_argument("--allowlist", required=True)
    ap.add_argument("--print-graph", action="store_true",
                    help="list every call between files, then check")
    args = ap.parse_args()
    if not args.nm:
        fail("nm (binutils) was not found: it reads the object files; "
             "install binutils")

    objects, kinds = current_objects(args.build_dir, args.source_dir)
    graph = call_graph(args.nm, objects)
    allowed_calls, allowed_lines = read_allowlist(args.allowlist)
    errors = []

    if args.print_graph:
        for caller in sorted(graph):
            for callee, syms in sorted(graph[caller].items()):
                print("%s -> %s: %s" % (caller, callee, " ".join(syms)))

    for (caller, callee), reason in sorted(allowed_calls.items()):
        if callee not in graph.get(caller, {}):
            errors.append("allowlisted call %s -> %s no longer exists: take "
                          "it out of %s" % (caller, callee, args.allowlist))
    for caller in sorted(graph):
        for callee, syms in sorted(graph[caller].items()):
            up = layer(caller, kinds[caller]) < layer(callee, kinds[callee])
            if up and (caller, callee) not in allowed_calls:
                errors.append("%s (layer %d) calls up into %s (layer %d): %s"
                              % (caller, layer(caller, kinds[caller]),
                                 callee, layer(callee, kinds[callee]),
                                 " ".join(syms)))
    for comp in cycles(graph, set(allowed_calls)):
        lines = ["files that call each other (a cycle): %s"
                 % " ".join(comp)]
        for caller in comp:
            for callee in comp:
                if callee in graph[caller] and \
                        (caller, callee) not in allowed_calls:
                    lines.append("  %s -> %s: %s" % (
                        caller, callee, " ".join(graph[caller][callee])))
        errors.append("\n".join(lines))

    too_long = long_files(args.source_dir)
    for name, n in sorted(too_long.items()):
        if name not in allowed_lines:
            errors.append("%s/%s has %d lines (at most %d): split it"
                          % (PACKAGE_DIR, name, n, MAX_LINES))
    for name in sorted(allowed_lines):
        if name not in too_long:
            errors.append("allowlisted long file %s is no longer over %d "
                          "lines: take it out of %s"
                          % (name, MAX_LINES, args.allowlist))

    n_calls = sum(len(e) for e in graph.values())
    print("check-layering: %d files, %d calls between them, %d allowlisted "
          "calls, %d allowlisted long files"
          % (len(graph), n_calls, len(allowed_calls), len(allowed_lines)))
    for (caller, callee), reason in sorted(allowed_calls.items()):
        print("  allowed: %s -> %s (%s)" % (caller, callee, reason))
    for name, reason in sorted(allowed_lines.items()):
        print("  allowed: %s, %d lines (%s)"
              % (name, too_long.get(name, 0), reason))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
