#!/usr/bin/env python3
"""Generate the Unicode and HTML tables of sclip_tokenizer.h (Python standard library only).

CLIP's tokenizer runs on Python strings: html.unescape, str.strip, the `regex` module's \\s,
\\p{L} and \\p{N}, and str.lower. This script reads the same facts from the running Python
(unicodedata, str methods, html.entities, html's private charref tables) and writes them as
compact C tables (ranges, not per-code-point arrays) into sclip_tokenizer.h, between the lines

    /* BEGIN GENERATED TABLES (tools/gen_unicode_tables.py) ...
    /* END GENERATED TABLES */

Usage:
    python3 tools/gen_unicode_tables.py            rewrite the block in ./sclip_tokenizer.h
    python3 tools/gen_unicode_tables.py --check    exit 1 if the block is not up to date
    python3 tools/gen_unicode_tables.py --stdout   print the block only
    python3 tools/gen_unicode_tables.py --header PATH   another header path

The tables depend on the Python version (its Unicode database): the block records both.
"""
import argparse
import html
import html.entities
import os
import sys
import unicodedata

N = 0x110000
BEGIN = "/* BEGIN GENERATED TABLES (tools/gen_unicode_tables.py)"
END = "/* END GENERATED TABLES */"


def scalars():
    """Every Unicode scalar value (no surrogates: Python strings from UTF-8 never hold them)."""
    for c in range(N):
        if not 0xD800 <= c <= 0xDFFF:
            yield c


def ranges(codes):
    """Sorted code points -> list of inclusive (first, last) runs."""
    out = []
    for c in sorted(codes):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def c_array(decl, items, per_line):
    lines = [decl + " = {"]
    for i in range(0, len(items), per_line):
        lines.append("    " + ",".join(items[i:i + per_line]) + ",")
    lines.append("};")
    return "\n".join(lines)


def range_table(name, codes, comment):
    rs = ranges(codes)
    items = ["0x%X,0x%X" % (a, b) for a, b in rs]
    return "/* %s: %d ranges (first, last) */\n" % (comment, len(rs)) + c_array(
        "static const uint32_t %s[%d]" % (name, 2 * len(rs)), items, 6)


def case_classes():
    """Union-find over the one-character lower/upper/casefold/title mappings: the sets of
    characters that a case-insensitive `regex` match treats as the same letter."""
    parent = list(range(N))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in scalars():
        ch = chr(c)
        for f in (ch.lower(), ch.upper(), ch.casefold(), ch.title()):
            if len(f) == 1:
                a, b = find(c), find(ord(f))
                if a != b:
                    parent[a] = b
    classes = {}
    for c in scalars():
        classes.setdefault(find(c), []).append(c)
    return find, classes


def lower_tables():
    """str.lower() of each character alone: one-character results as runs of
    (first, last, delta, stride) where first, first+stride, ... map to c+delta; longer
    results listed separately. U+03A3 is given its non-final form (the code handles
    Final_Sigma from the context)."""
    single, multi = [], []
    for c in scalars():
        low = chr(c).lower()
        if len(low) == 1:
            if ord(low) != c:
                single.append((c, ord(low) - c))
        else:
            multi.append((c, [ord(x) for x in low]))
    runs = []  # [first, last, delta, stride]
    for c, d in single:
        if runs:
            r = runs[-1]
            if r[2] == d:
                if r[0] == r[1] and c - r[1] in (1, 2):
                    r[3] = c - r[1]
                    r[1] = c
                    continue
                if c - r[1] == r[3]:
                    r[1] = c
                    continue
        runs.append([c, c, d, 1])
    return runs, multi


def final_sigma_props():
    """Python's lower() turns U+03A3 into final sigma when it follows a Cased character
    (skipping Case_Ignorable ones) and no Cased character follows (same skipping).
    unicodedata does not expose these two properties; probe lower() itself:
      ('A'+c+'S').lower() ends in final sigma  iff  ignorable(c) or cased(c)
      ('AS'+c).lower()[1] is final sigma       iff  ignorable(c) or not cased(c)
      (c+'S').lower() ends in final sigma      iff  cased(c) and not ignorable(c)
    (S = U+03A3). Only cased(c) of non-ignorable c is ever consulted."""
    sig, fin = "\u03a3", "\u03c2"
    ignorable, cased = [], []
    for c in scalars():
        if c == 0x3A3:
            continue
        ch = chr(c)
        p2 = ("A" + ch + sig).lower()[-1] == fin
        p3 = ("A" + sig + ch).lower()[1] == fin
        p1 = (ch + sig).lower()[-1] == fin
        if p2 and p3:
            ignorable.append(c)
        elif p1:
            cased.append(c)
    # U+03A3 itself is cased and not ignorable.
    cased.append(0x3A3)
    return ignorable, cased


def entity_tables():
    """html.entities.html5: names without ';', a flag for each accepted form, the value."""
    ents = html.entities.html5
    base = {}
    for name, val in ents.items():
        semi = name.endswith(";")
        key = name[:-1] if semi else name
        info = base.setdefault(key, [None, False, False])
        if info[0] is not None and info[0] != val:
            raise SystemExit("entity %s: forms with and without ';' differ" % key)
        info[0] = val
        info[1 if semi else 2] = True
    names = sorted(base)  # byte order (ASCII names)
    for n in names:
        if not n.isascii() or "\0" in n or len(n) > 32:
            raise SystemExit("unexpected entity name %r" % n)
    vals, second = [], []
    for i, n in enumerate(names):
        val, semi, bare = base[n]
        if not 1 <= len(val) <= 2:
            raise SystemExit("entity %s has %d code points" % (n, len(val)))
        vals.append("0x%X" % (ord(val[0]) | (semi << 21) | (bare << 22)))
        if len(val) == 2:
            second.append("%d,0x%X" % (i, ord(val[1])))
    out = []
    out.append("/* HTML5 named character references (html.entities.html5): %d names without ';',\n"
               "   sorted; %d keys in Python's table (forms with and without ';'). */"
               % (len(names), len(ents)))
    out.append("#define SCLIP__N_ENTITIES %d" % len(names))
    out.append(c_array("static const char *const sclip__ent_names[%d]" % len(names),
                       ['"%s"' % n for n in names], 10))
    out.append("/* Value of each name: first code point | 1<<21 if \"name;\" is valid | 1<<22 if\n"
               "   \"name\" (no semicolon) is valid. */")
    out.append(c_array("static const uint32_t sclip__ent_value[%d]" % len(vals), vals, 10))
    out.append("/* Names whose value has two code points: (index, second code point). */")
    out.append(c_array("static const uint32_t sclip__ent_second[%d]" % (2 * len(second)), second, 6))
    return "\n".join(out)


def charref_tables():
    inv = html._invalid_charrefs  # the table html.unescape applies first
    items = []
    for k in sorted(inv):
        v = inv[k]
        assert len(v) == 1
        items.append("0x%X,0x%X" % (k, ord(v)))
    out = ["/* html.unescape numeric references: replacements applied first (html._invalid_charrefs),\n"
           "   (number, code point) */",
           c_array("static const uint32_t sclip__charref_fix[%d]" % (2 * len(items)), items, 6),
           range_table("sclip__charref_drop", html._invalid_codepoints,
                       "numbers that give nothing (html._invalid_codepoints)")]
    return "\n".join(out)


def generate():
    cat = unicodedata.category
    letters = [c for c in scalars() if cat(chr(c)).startswith("L")]
    numbers = [c for c in scalars() if cat(chr(c)).startswith("N")]
    py_space = [c for c in scalars() if chr(c).isspace()]
    # The regex module's \s is the White_Space property. unicodedata lacks it; it equals
    # str.isspace() minus the four information separators U+001C..U+001F (bidi class B/S).
    re_space = [c for c in py_space if not 0x1C <= c <= 0x1F]

    find, classes = case_classes()
    in_class = set(letters) | set(numbers) | set(re_space)
    # [^\s\p{L}\p{N}] under IGNORECASE rejects a character when any of its case variants is in
    # the class; [\p{L}] and [\p{N}] (one property) do not widen. Those characters match no
    # alternative of CLIP's pattern: the pre-tokenizer skips them like whitespace.
    skipped = [c for c in scalars() if c not in in_class
               and any(d in in_class for d in classes[find(c)])]
    # Literal alternatives ('s, <|startoftext|>, ...) match case-insensitively too; after
    # lower() only non-ASCII case variants of their lowercase letters matter.
    lit_letters = set("startoftextendoftextsrevmld")
    lit_variants = sorted((c, d) for c in scalars() if c >= 0x80
                          for d in classes[find(c)] if d < 0x80 and chr(d) in lit_letters)
    if lit_variants != [(0x17F, ord("s"))]:
        raise SystemExit("case variants of the literal letters changed: %r; update the C code"
                         % lit_variants)

    lower_runs, lower_multi = lower_tables()
    ignorable, cased = final_sigma_props()
    ent_block = entity_tables()

    out = []
    out.append(BEGIN + " from Python %s, Unicode %s.\n   Do not edit by hand: run the script. */"
               % (sys.version.split()[0], unicodedata.unidata_version))
    out.append('#define SCLIP__UNICODE_VERSION "%s"' % unicodedata.unidata_version)
    out.append(range_table("sclip__uc_letter", letters, "\\p{L}: general category L*"))
    out.append(range_table("sclip__uc_number", numbers, "\\p{N}: general category N*"))
    out.append(range_table("sclip__uc_space_py", py_space, "str.isspace() (str.strip)"))
    out.append(range_table("sclip__uc_space_re", re_space, "the regex module's \\s (White_Space)"))
    out.append(range_table("sclip__uc_skip", skipped,
                           "matched by no alternative of CLIP's pattern under IGNORECASE"))
    items = ["{0x%X,0x%X,%d,%d}" % tuple(r) for r in lower_runs]
    out.append("/* str.lower(), one code point in and out: %d runs (first, last, delta, stride) */"
               % len(lower_runs))
    out.append(c_array("static const sclip__tk_lower_run sclip__uc_lower[%d]" % len(lower_runs), items, 4))
    if any(len(m) != 2 for _, m in lower_multi):
        raise SystemExit("lower() gives more than two code points: update the C code")
    items = ["0x%X,0x%X,0x%X" % (c, m[0], m[1]) for c, m in lower_multi]
    out.append("/* str.lower() results of two code points: (code point, first, second) */")
    out.append("#define SCLIP__LOWER_MAX_GROWTH 2")
    out.append(c_array("static const uint32_t sclip__uc_lower2[%d]" % (3 * len(items)), items, 4))
    out.append(range_table("sclip__uc_case_ignorable", ignorable,
                           "Case_Ignorable (for lower()'s Final_Sigma rule)"))
    out.append(range_table("sclip__uc_cased", cased,
                           "Cased and not Case_Ignorable (for lower()'s Final_Sigma rule)"))
    out.append(charref_tables())
    out.append(ent_block)
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", "sclip_tokenizer.h"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--stdout", action="store_true")
    args = ap.parse_args()
    block = generate()
    if args.stdout:
        sys.stdout.write(block)
        return 0
    with open(args.header, encoding="utf-8") as f:
        text = f.read()
    a = text.find(BEGIN)
    b = text.find(END)
    if a < 0 or b < a:
        print("%s: marker lines not found" % args.header, file=sys.stderr)
        return 2
    b = text.index("\n", b) + 1
    new = text[:a] + block + text[b:]
    if args.check:
        if new != text:
            print("%s: generated tables are out of date (Python %s)" % (args.header, sys.version.split()[0]),
                  file=sys.stderr)
            return 1
        print("tables up to date")
        return 0
    if new != text:
        with open(args.header, "w", encoding="utf-8") as f:
            f.write(new)
    print("wrote %d bytes of tables into %s" % (len(block), args.header))
    return 0


if __name__ == "__main__":
    sys.exit(main())
