#!/usr/bin/env python3
"""check-layering.py finds what it is there to find: it runs on a made-up
build directory (meson-info, empty object files) with a stand-in for nm that
prints made-up symbol tables, and must fail on a cycle of two and of three
files, on a call up a layer, on a stale allowlist entry and on a long file,
pass an allowlisted call, and ignore get_type().  Needs python3 only."""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(here, "check-layering.py")

FAKE_NM = """#!/usr/bin/env python3
import os, sys
table = os.path.join(os.path.dirname(os.path.abspath(__file__)), "symbols")
obj = os.path.basename(sys.argv[-1])[:-len(".o")]
with open(os.path.join(table, obj)) as f:
    sys.stdout.write(f.read())
"""


def run(files, allowlist="", lines=None, static=()):
    """@files: {name.c: (defined, undefined)}, those in @static built into a
    static library, the others into the plugin; returns (rc, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        pkg = os.path.join(src, "gst", "cartesia")
        build = os.path.join(tmp, "build")
        private = os.path.join(build, "gst", "cartesia", "libgstcartesia.so.p")
        private_a = os.path.join(build, "gst", "cartesia", "libpure.a.p")
        os.makedirs(pkg)
        os.makedirs(private)
        os.makedirs(private_a)
        os.makedirs(os.path.join(build, "meson-info"))
        os.makedirs(os.path.join(tmp, "symbols"))
        sources, sources_a = [], []
        for name, (defined, undefined) in files.items():
            with open(os.path.join(pkg, name), "w") as f:
                f.write("x\n" * (lines or {}).get(name, 10))
            open(os.path.join(private_a if name in static else private,
                              name + ".o"), "w").close()
            with open(os.path.join(tmp, "symbols", name), "w") as f:
                for s in defined:
                    f.write("%s T 0 0\n" % s)
                for s in undefined:
                    f.write("%s U\n" % s)
            (sources_a if name in static else sources).append(
                os.path.join(pkg, name))
        # a stale object of a file that is no longer built: never read
        open(os.path.join(private, "gone.c.o"), "w").close()
        with open(os.path.join(build, "meson-info", "intro-targets.json"),
                  "w") as f:
            json.dump([{"filename": [private[:-len(".p")]],
                        "type": "shared library",
                        "target_sources": [{"sources": sources}]},
                       {"filename": [private_a[:-len(".p")]],
                        "type": "static library",
                        "target_sources": [{"sources": sources_a}]}], f)
        nm = os.path.join(tmp, "nm")
        with open(nm, "w") as f:
            f.write(FAKE_NM)
        os.chmod(nm, 0o755)
        allow = os.path.join(tmp, "allow.txt")
        with open(allow, "w") as f:
            f.write(allowlist)
        p = subprocess.run([sys.executable, CHECK, "--build-dir", build,
                            "--source-dir", src, "--nm", nm,
                            "--allowlist", allow],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr


def expect(what, rc, out, want_rc, *needles):
    if rc != want_rc or any(n not in out for n in needles):
        print("FAIL: %s: rc %d (wanted %d), output:\n%s"
              % (what, rc, want_rc, out))
        sys.exit(1)
    print("ok: %s" % what)


DOWN = {"top.c": (["top_run", "top_get_type"], ["mid_do"]),
        "mid.c": (["mid_do"], ["low_do", "top_get_type"]),
        "low.c": (["low_do"], ["g_free"])}
rc, out = run(DOWN)
expect("arrows down only, get_type() ignored", rc, out, 0,
       "3 files, 2 calls between them")

TWO = dict(DOWN, **{"low.c": (["low_do"], ["mid_do"])})
rc, out = run(TWO)
expect("two files calling each other", rc, out, 1,
       "a cycle): low.c mid.c", "low.c -> mid.c: mid_do",
       "mid.c -> low.c: low_do")

THREE = dict(DOWN, **{"low.c": (["low_do"], ["top_run"])})
rc, out = run(THREE)
expect("a cycle of three", rc, out, 1, "a cycle): low.c mid.c top.c",
       "low.c -> top.c: top_run")

rc, out = run(TWO, "calls low.c mid.c: until it moves\n")
expect("an allowlisted call", rc, out, 0, "allowed: low.c -> mid.c")

rc, out = run(DOWN, "calls low.c mid.c: until it moves\n")
expect("a stale allowlisted call", rc, out, 1,
       "allowlisted call low.c -> mid.c no longer exists")

rc, out = run(DOWN, "calls low.c mid.c\n")
expect("an entry without a reason", rc, out, 1, "needs a reason")

rc, out = run(DOWN, lines={"mid.c": 801})
expect("a long file", rc, out, 1, "mid.c has 801 lines (at most 800)")

rc, out = run(DOWN, "lines mid.c: being split\n", lines={"mid.c": 801})
expect("an allowlisted long file", rc, out, 0, "allowed: mid.c, 801 lines")

rc, out = run(DOWN, "lines mid.c: being split\n")
expect("a stale allowlisted long file", rc, out, 1,
       "mid.c is no longer over 800")

HOUSE = {"plugin.c": (["register"], ["top_run"]),
         "gstcartesiattssrc.c": (["top_run"], ["part_do", "props_install"]),
         "gstcartesiattssrc-props.c": (["props_install"], ["part_do"]),
         "gstcartesiattssrc-part.c": (["part_do"], ["session_send", "json_parse"]),
         "cartesia-session.c": (["session_send"], ["json_parse"]),
         "cartesia-json.c": (["json_parse"], [])}
PURE = ("cartesia-json.c",)
rc, out = run(HOUSE, static=PURE)
expect("four layers, arrows down", rc, out, 0, "6 files, 7 calls")

rc, out = run(dict(HOUSE, **{"cartesia-json.c": (["json_parse"],
                                                 ["session_send"])}),
              static=PURE)
expect("a pure module calling the transport", rc, out, 1,
       "cartesia-json.c (layer 0) calls up into cartesia-session.c (layer 1)")

UP = dict(HOUSE, **{"gstcartesiattssrc-part.c": (
    ["part_do"], ["session_send", "json_parse", "top_helper"]),
    "gstcartesiattssrc.c": (["top_run", "top_helper"], ["props_install"])})
rc, out = run(UP, static=PURE)
expect("an element part calling the element, no cycle", rc, out, 1,
       "gstcartesiattssrc-part.c (layer 2) calls up into "
       "gstcartesiattssrc.c (layer 3): top_helper")

rc, out = run(UP, "calls gstcartesiattssrc-part.c gstcartesiattssrc.c: "
              "until it moves\n", static=PURE)
expect("an allowlisted call up", rc, out, 0)
