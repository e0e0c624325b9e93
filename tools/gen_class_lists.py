#!/usr/bin/env python3
"""Write the benchmarks' class-name lists into sclip.h (Python standard library only).

The lists are the official SCLIP vocabularies (wangf3014/SCLIP, configs/cls_*.txt: one class a
line, synonyms after ", "), i.e. the datasets' category names as the official configs spell
them, with SCLIP's background synonyms. They are copied byte for byte (context60's last name is
"wood " with its space: the official code keeps it, and so does the prompt). The block between

    /* BEGIN GENERATED CLASS LISTS (tools/gen_class_lists.py) ...
    /* END GENERATED CLASS LISTS */

is rewritten from $SCLIP_SHARED/classnames (default ../shared/classnames).

Usage:
    python3 tools/gen_class_lists.py            rewrite the block in ./sclip.h
    python3 tools/gen_class_lists.py --check    exit 1 if the block is not up to date
"""
import os
import sys

BEGIN = "/* BEGIN GENERATED CLASS LISTS (tools/gen_class_lists.py)"
END = "/* END GENERATED CLASS LISTS */"
FILES = ["voc21", "voc20", "context60", "context59", "coco_object", "coco_stuff", "city_scapes", "ade20k"]


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap(items, width=110, indent="    "):
    lines, cur = [], indent
    for i, it in enumerate(items):
        tok = it + ("," if i + 1 < len(items) else "")
        if len(cur) + len(tok) + 1 > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += tok + " "
    lines.append(cur.rstrip())
    return "\n".join(lines)


def block(folder):
    out = [BEGIN + " from the official SCLIP configs/cls_*.txt.",
           "   One string per class: its names, separated by \", \". */"]
    for name in FILES:
        with open(os.path.join(folder, name + ".txt"), "rb") as f:
            text = f.read().decode("utf-8")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        out.append("static const char *const sclip__classes_%s[%d] = {" % (name, len(lines)))
        out.append(wrap([c_string(l) for l in lines]))
        out.append("};")
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    shared = os.environ.get("SCLIP_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    header = os.path.join(os.path.dirname(__file__), "..", "sclip.h")
    new = block(os.path.join(shared, "classnames"))
    with open(header) as f:
        text = f.read()
    a, b = text.index(BEGIN), text.index(END) + len(END) + 1
    if "--check" in sys.argv:
        ok = text[a:b] == new
        print("class lists up to date" if ok else "class lists differ from %s/classnames" % shared)
        sys.exit(0 if ok else 1)
    with open(header, "w") as f:
        f.write(text[:a] + new + text[b:])


if __name__ == "__main__":
    main()
