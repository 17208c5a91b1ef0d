#!/usr/bin/env python3
"""Checks docs/cartesiattssrc.md against what the element registers.

    check-reference.py [--inspect gst-inspect-1.0] [--doc DOC] [--source DIR]

Runs `gst-inspect-1.0 cartesiattssrc` (GStreamer must find the plugin: set
GST_PLUGIN_PATH) and fails, listing every problem, when
  - a property, signal or pad template the element registers is missing from
    the reference's Properties, Signals or Pads table, or a row there names
    one that does not exist (rows marked "planned" may not exist yet);
  - a documented default differs from the registered one, a documented range
    ("0.6–1.5", "-1–MAXINT", "≥ 0") differs from the registered range, or an
    enum value is not documented in its row;
  - a pad's documented presence (always, request) differs;
  - an element message the source builds (gst_structure_new ("cartesia-..."))
    is not in the reference, or a row of its Messages table is not built;
  - the element's doc block in gstcartesiattssrc.c has no example launch line;
  - the element's Doc-uri is not this reference's path in the repository
    named by the plugin's Origin URL.
Needs python3 only.
"""
import argparse
import os
import re
import subprocess
import sys

# GstObject's and GstBaseSrc's own properties: documented by GStreamer
# (automatic-eos is a property since GStreamer 1.24).
INHERITED = {"name", "parent", "blocksize", "num-buffers", "typefind",
             "do-timestamp", "automatic-eos"}
NAMED_NUMBERS = {"MAXINT": 2147483647, "G_MAXINT": 2147483647,
                 "MAXUINT": 4294967295, "G_MAXUINT": 4294967295,
                 "MAXINT64": 2**63 - 1, "MAXUINT64": 2**64 - 1}

problems = []


def problem(text):
    problems.append(text)


# ---- gst-inspect-1.0 ----

class Prop:
    def __init__(self, name):
        self.name = name
        self.kind = None        # String, Boolean, Integer, Double, Enum, Boxed...
        self.default = None     # text as printed, or None (no default shown)
        self.range = None       # (min, max) as floats
        self.enum_nicks = []


def inspect(gst_inspect, element):
    env = dict(os.environ, LC_ALL="C", GST_INSPECT_NO_COLORS="1", PAGER="cat")
    result = subprocess.run([gst_inspect, "--no-colors", element], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    if result.returncode != 0 or "Element Properties:" not in result.stdout:
        sys.exit(f"check-reference: `{gst_inspect} {element}` failed "
                 f"(is GST_PLUGIN_PATH set?):\n{result.stdout}{result.stderr}")
    return result.stdout


def parse_doc_uri(text):
    """(Doc-uri, Origin URL) as gst-inspect-1.0 prints them (None when not)."""
    def field(name):
        m = re.search(r"^\s+" + name + r"\s+(\S+)\s*$", text, re.M)
        return m.group(1) if m else None
    return field("Doc-uri"), field("Origin URL")


def check_doc_uri(text, doc, root):
    uri, origin = parse_doc_uri(text)
    path = os.path.relpath(os.path.abspath(doc), root)
    want = f"{origin}/blob/main/{path}" if origin else None
    if uri is None:
        problem("the element sets no GST_ELEMENT_METADATA_DOC_URI "
                "(gst-inspect-1.0 shows no Doc-uri line)")
    elif uri != want:
        problem(f"the element's Doc-uri is {uri}, expected {want} (the "
                "reference in the plugin's origin)")


def parse_inspect(text):
    version = None
    pads = {}           # name -> availability ("always", "request", "sometimes")
    props = {}
    signals = set()
    section = None
    prop = None
    after_flags = False
    pad = None

    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.strip().rstrip(":")
            prop = None
            continue
        m = re.match(r"^\s+Version\s+(\S+)$", line)
        if m and version is None:
            version = m.group(1)
        if section == "Pad Templates":
            m = re.match(r"^\s+(SRC|SINK) template: '([^']+)'", line)
            if m:
                pad = m.group(2)
                continue
            m = re.match(r"^\s+Availability: (.*)$", line)
            if m and pad:
                pads[pad] = {"Always": "always", "On request": "request",
                             "Sometimes": "sometimes"}.get(m.group(1).strip(),
                                                           m.group(1).strip())
        elif section == "Element Properties":
            m = re.match(r"^  ([a-z][a-z0-9-]*)\s*: ", line)
            if m:
                prop = props[m.group(1)] = Prop(m.group(1))
                after_flags = False
                continue
            if prop is None:
                continue
            stripped = line.strip()
            if stripped.startswith("flags:"):
                after_flags = True
                continue
            if after_flags:
                after_flags = False
                parse_type_line(prop, stripped)
                continue
            m = re.match(r"^\((\d+)\): (\S+)", stripped)
            if m and prop.kind == "Enum":
                prop.enum_nicks.append(m.group(2))
        elif section in ("Element Signals", "Element Actions"):
            # 1.22:  "clear" :  void user_function (GstElement* object, ...
            # 1.24+: "clear" -> void  :  g_signal_emit_by_name (element, ...
            m = re.match(r'^\s+"([^"]+)"\s*(?:->[^:]*)?:', line)
            if m:
                signals.add(m.group(1))
    return version, pads, props, signals


def parse_type_line(prop, line):
    m = re.match(r'^Enum "[^"]+" Default: -?\d+, "([^"]*)"', line)
    if m:
        prop.kind, prop.default = "Enum", m.group(1)
        return
    m = re.match(r"^(String|Boolean)\. Default: (.*?)( Write only)?$", line)
    if m:
        prop.kind, prop.default = m.group(1), m.group(2)
        return
    m = re.match(r"^(Unsigned Integer64|Integer64|Unsigned Integer|Integer|"
                 r"Unsigned Long|Long|Double|Float)\. Range:\s*(\S+)\s*-\s*(\S+)"
                 r"\s+Default:\s*(\S+)", line)
    if m:
        prop.kind = "Double" if m.group(1) in ("Double", "Float") else "Integer"
        prop.range = (float(m.group(2)), float(m.group(3)))
        prop.default = m.group(4)
        return
    prop.kind = line.split()[0] if line else "?"   # Boxed, Object...


# ---- the Markdown reference ----

def sections(doc):
    """{heading: [lines]} for the '## ' sections."""
    out, current = {}, None
    for line in doc.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            out[current] = []
        elif current:
            out[current].append(line)
    return out


def table_rows(lines):
    """Rows of the first Markdown table in @lines, as lists of cells."""
    rows = []
    for line in lines:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows[1:]                     # without the header


def row_name(cells):
    m = re.search(r"`([^`]+)`", cells[0])
    return m.group(1).split()[-1] if m else None


def is_planned(cells):
    return any("planned" in c.lower() for c in cells)


def documented(secs, heading):
    """{name: cells} of the table under the first heading starting with
    @heading."""
    for title, lines in secs.items():
        if title.lower().startswith(heading.lower()):
            return {row_name(r): r for r in table_rows(lines) if row_name(r)}
    problem(f"the reference has no '## {heading}' section")
    return {}


def to_number(text):
    text = text.strip().replace("−", "-")
    if text in NAMED_NUMBERS:
        return float(NAMED_NUMBERS[text])
    try:
        return float(text)
    except ValueError:
        return None


def doc_default(cell, version):
    """The default a cell states: a string, or None for NULL/none."""
    cell = cell.strip()
    m = re.match(r"^`([^`]*)`", cell)
    text = m.group(1) if m else re.split(r"\s+(?:→|\(|;)", cell)[0].strip()
    if text.upper() in ("NULL", "NONE") or text.upper().startswith("NULL"):
        return None
    return text.replace("<version>", version or "")


def check_default(name, prop, cell, version):
    if prop.kind in ("Enum", "String", "Boolean", "Integer", "Double"):
        want = doc_default(cell, version)
    else:
        return                          # structures, objects: no default
    got = prop.default
    if prop.kind == "String":
        got = None if got == "null" else got.strip('"') if got else got
        ok = want == got
    elif prop.kind == "Boolean":
        ok = (want or "").lower() == (got or "").lower()
    elif prop.kind in ("Integer", "Double"):
        a, b = to_number(want or ""), to_number(got or "")
        ok = a is not None and b is not None and abs(a - b) < 1e-9
    else:
        ok = want == got
    if not ok:
        problem(f"property '{name}': the reference says the default is "
                f"{want!r}, the element registers {got!r}")


def check_range(name, prop, type_cell):
    if prop.range is None:
        return
    cell = type_cell.replace("−", "-")
    m = re.search(r"(-?[\d.]+|MAXU?INT(?:64)?)\s*[–-]\s*(-?[\d.]+|MAXU?INT(?:64)?)",
                  cell)
    if m:
        lo, hi = to_number(m.group(1)), to_number(m.group(2))
        if (lo, hi) != prop.range:
            problem(f"property '{name}': the reference gives the range "
                    f"{m.group(1)}–{m.group(2)}, the element registers "
                    f"{prop.range[0]:g}–{prop.range[1]:g}")
        return
    m = re.search(r"≥\s*(-?[\d.]+)", cell)
    if m and to_number(m.group(1)) != prop.range[0]:
        problem(f"property '{name}': the reference says ≥ {m.group(1)}, the "
                f"element's minimum is {prop.range[0]:g}")


# ---- checks ----

def check_properties(secs, props, version):
    docs = documented(secs, "Properties")
    own = {n: p for n, p in props.items() if n not in INHERITED}
    for name in sorted(set(own) - set(docs)):
        problem(f"property '{name}' is registered but not in the reference's "
                "Properties table")
    for name, cells in docs.items():
        if name not in own:
            if not is_planned(cells):
                problem(f"property '{name}' is in the reference but the "
                        "element has no such property")
            continue
        prop = own[name]
        if len(cells) < 3:
            problem(f"property '{name}': its row has no default column")
            continue
        check_default(name, prop, cells[2], version)
        check_range(name, prop, cells[1])
        row = " ".join(cells)
        for nick in prop.enum_nicks:
            if f"`{nick}`" not in row:
                problem(f"property '{name}': enum value '{nick}' is not in "
                        "its row")


def check_pads(secs, pads):
    docs = documented(secs, "Pads")
    for name in sorted(set(pads) - set(docs)):
        problem(f"pad template '{name}' is registered but not in the "
                "reference's Pads table")
    for name, cells in docs.items():
        if name not in pads:
            if not is_planned(cells):
                problem(f"pad '{name}' is in the reference but the element "
                        "has no such pad template")
            continue
        presence = cells[1].lower() if len(cells) > 1 else ""
        if pads[name] not in presence:
            problem(f"pad '{name}': the element registers it as "
                    f"'{pads[name]}', the reference says '{cells[1]}'")


def check_signals(secs, signals):
    docs = documented(secs, "Signals")
    for name in sorted(signals - set(docs)):
        problem(f"signal '{name}' is registered but not in the reference's "
                "Signals table")
    for name, cells in docs.items():
        if name not in signals and not is_planned(cells):
            problem(f"signal '{name}' is in the reference but the element "
                    "has no such signal")


def check_messages(secs, doc, source_dir):
    built = set()
    for fname in sorted(os.listdir(source_dir)):
        if fname.endswith(".c"):
            with open(os.path.join(source_dir, fname), encoding="utf-8") as f:
                built |= set(re.findall(
                    r'gst_structure_new(?:_empty)?\s*\(\s*"(cartesia-[a-z0-9-]+)"',
                    f.read()))
    for name in sorted(built):
        if f"`{name}`" not in doc:
            problem(f"structure '{name}' (built in {source_dir}) is not in the "
                    "reference")
    for name, cells in documented(secs, "Messages").items():
        if name not in built and not is_planned(cells):
            problem(f"message '{name}' is in the reference but the source "
                    "never builds it")


def check_doc_block(source_dir):
    path = os.path.join(source_dir, "gstcartesiattssrc.c")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"/\*\*\s*\n\s*\* SECTION:element-cartesiattssrc(.*?)\*/",
                  text, re.S)
    if not m:
        problem(f"{path}: no 'SECTION:element-cartesiattssrc' doc block")
        return
    block = m.group(1)
    examples = re.findall(r"\|\[(.*?)\]\|", block, re.S)
    if not any("gst-launch-1.0" in e and "cartesiattssrc" in e
               for e in examples):
        problem(f"{path}: the element's doc block has no example launch line "
                "(|[ gst-launch-1.0 ... cartesiattssrc ... ]|)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser()
    parser.add_argument("--inspect", default="gst-inspect-1.0")
    parser.add_argument("--doc", default=os.path.join(root, "docs",
                                                      "cartesiattssrc.md"))
    parser.add_argument("--source", default=os.path.join(root, "gst",
                                                         "cartesia"))
    args = parser.parse_args()

    inspected = inspect(args.inspect, "cartesiattssrc")
    version, pads, props, signals = parse_inspect(inspected)
    with open(args.doc, encoding="utf-8") as f:
        doc = f.read()
    secs = sections(doc)

    check_properties(secs, props, version)
    check_pads(secs, pads)
    check_signals(secs, signals)
    check_messages(secs, doc, args.source)
    check_doc_block(args.source)
    check_doc_uri(inspected, args.doc, root)

    own = len([p for p in props if p not in INHERITED])
    if problems:
        print(f"{args.doc} disagrees with the element:")
        for p in problems:
            print("  -", p)
        return 1
    print(f"{args.doc}: {own} properties, {len(signals)} signals, "
          f"{len(pads)} pad templates match gst-inspect-1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
