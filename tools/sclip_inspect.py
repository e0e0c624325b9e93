#!/usr/bin/env python3
"""sclip_inspect.py: look inside .sclip weight files (format version 1, weights/README.md).

    python3 tools/sclip_inspect.py FILE                 header, architecture and tensor table
    python3 tools/sclip_inspect.py --check FILE         validate the file as the C loader does
    python3 tools/sclip_inspect.py --compare A B        same architecture, names and values?
                                                          (a q8 tensor against a float one:
                                                          each value within half its scale)
    python3 tools/sclip_inspect.py --safetensors ST FILE  values equal to an OpenAI-named
                                                          safetensors file (read independently)
    python3 tools/sclip_inspect.py --dump NAME FILE [-n N]  print the first N values of a tensor
    python3 tools/sclip_inspect.py --stats FILE         min / max / mean / std of every tensor

Standard library only, independent of export_weights.py. Exit status 0 when the file is valid
(and, for --compare / --safetensors, equal), 1 otherwise.
"""

import argparse
import json
import math
import struct
import sys

MAGIC = b"SCLIPWT\0"
ARCH_FIELDS = ("vision_width", "vision_layers", "vision_heads", "vision_mlp", "patch_size",
               "image_size", "text_width", "text_layers", "text_heads", "text_mlp",
               "context_length", "vocab_size", "embed_dim", "activation")
DTYPES = {0: ("f32", 4), 1: ("f16", 2), 2: ("q8", 1), 3: ("bf16", 2)}


class Invalid(Exception):
    pass


class SclipFile:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if len(d) < 256:
            raise Invalid("%s: %d bytes, shorter than the 256-byte header" % (path, len(d)))
        (magic, self.version, self.header_size, self.file_size, self.n_tensors, self.reserved0
         ) = struct.unpack_from("<8sIIQII", d, 0)
        (self.table_off, self.merges_off, self.merges_size, self.data_off, self.data_size
         ) = struct.unpack_from("<QQQQQ", d, 32)
        self.arch = dict(zip(ARCH_FIELDS, struct.unpack_from("<14I", d, 72)))
        self.eps, self.logit_scale = struct.unpack_from("<ff", d, 128)
        if magic != MAGIC:
            raise Invalid("%s: bad magic %r (not a .sclip file)" % (path, magic))
        if self.version != 1:
            raise Invalid("%s: format version %d, expected 1" % (path, self.version))
        if self.header_size != 256:
            raise Invalid("%s: header size %d, expected 256" % (path, self.header_size))
        if self.file_size != len(d):
            raise Invalid("%s: header says %d bytes, file has %d%s" % (
                path, self.file_size, len(d), " (truncated)" if len(d) < self.file_size else ""))
        if not 1 <= self.n_tensors <= 4096:
            raise Invalid("%s: tensor count %d out of range" % (path, self.n_tensors))
        end = self.table_off + 96 * self.n_tensors
        if self.table_off < 256 or end > len(d):
            raise Invalid("%s: tensor table outside the file" % path)
        self.tensors = []
        for i in range(self.n_tensors):
            raw = struct.unpack_from("<64sII4IQ", d, self.table_off + 96 * i)
            name_b = raw[0]
            if b"\0" not in name_b:
                raise Invalid("%s: tensor %d: name not terminated" % (path, i))
            name = name_b.split(b"\0", 1)[0].decode("utf-8", "replace")
            dtype, ndim, dims, off = raw[1], raw[2], raw[3:7], raw[7]
            if dtype not in DTYPES or dtype == 3:
                raise Invalid("%s: tensor %s: unsupported dtype %d" % (path, name, dtype))
            if ndim > 4:
                raise Invalid("%s: tensor %s: rank %d" % (path, name, ndim))
            shape = tuple(dims[:ndim])
            if any(x < 1 for x in shape) or any(x != 0 for x in dims[ndim:]):
                raise Invalid("%s: tensor %s: bad shape %r" % (path, name, dims))
            n = 1
            for x in shape:
                n *= x
            if dtype == 2:
                # q8: rows*cols int8, zero padding to a multiple of 64, rows f32 scales
                if ndim < 2:
                    raise Invalid("%s: tensor %s: q8 needs rank >= 2, not %d" % (path, name, ndim))
                rows = shape[0]
                nbytes = align64(n) + 4 * rows
            else:
                rows, nbytes = 0, n * DTYPES[dtype][1]
            self.tensors.append(dict(name=name, dtype=DTYPES[dtype][0], shape=shape, offset=off,
                                     numel=n, nbytes=nbytes, rows=rows))
        self.by_name = {t["name"]: t for t in self.tensors}

    def check(self):
        """Everything weights/README.md says the loader checks."""
        a, p = self.arch, self.path
        for k in ARCH_FIELDS:
            if k != "activation" and not 1 <= a[k] <= 1 << 20:
                raise Invalid("%s: %s = %d out of range" % (p, k, a[k]))
        if a["activation"] not in (0, 1):
            raise Invalid("%s: activation %d unknown" % (p, a["activation"]))
        for t in ("vision", "text"):
            if a[t + "_width"] % a[t + "_heads"]:
                raise Invalid("%s: %s width %d not divisible by %d heads" % (
                    p, t, a[t + "_width"], a[t + "_heads"]))
        if a["image_size"] % a["patch_size"]:
            raise Invalid("%s: image size %d not divisible by patch %d" % (
                p, a["image_size"], a["patch_size"]))
        if not (self.eps > 0 and math.isfinite(self.eps) and math.isfinite(self.logit_scale)):
            raise Invalid("%s: bad eps or logit_scale" % p)
        table_end = self.table_off + 96 * self.n_tensors
        if self.merges_off:
            if self.merges_off < table_end or self.merges_off + self.merges_size > self.data_off:
                raise Invalid("%s: merge list overlaps the table or the data" % p)
            text = self.data[self.merges_off:self.merges_off + self.merges_size]
            lines = text.split(b"\n")
            if lines[-1] != b"" or len(lines) - 1 != 48895 or b"#version" not in lines[0]:
                raise Invalid("%s: merge list has %d lines, expected a header and 48894 merges"
                              % (p, len(lines) - 1))
        elif self.merges_size:
            raise Invalid("%s: merge list size without offset" % p)
        if self.data_off % 64 or self.data_off < table_end or \
                self.data_off + self.data_size > self.file_size:
            raise Invalid("%s: data section misplaced" % p)
        seen, spans = set(), []
        for t in self.tensors:
            if t["name"] in seen:
                raise Invalid("%s: tensor %s appears twice" % (p, t["name"]))
            seen.add(t["name"])
            if t["offset"] % 64:
                raise Invalid("%s: tensor %s not 64-byte aligned" % (p, t["name"]))
            if t["offset"] + t["nbytes"] > self.data_size:
                raise Invalid("%s: tensor %s outside the data section" % (p, t["name"]))
            spans.append((t["offset"], t["offset"] + t["nbytes"], t["name"]))
        spans.sort()
        for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                raise Invalid("%s: tensors %s and %s overlap" % (p, an, bn))
        for t in self.tensors:
            if t["dtype"] == "q8":
                self.check_q8(t)
        for name, shape in required_tensors(self.arch):
            t = self.by_name.get(name)
            if t is None:
                raise Invalid("%s: missing tensor %s" % (p, name))
            if t["shape"] != shape:
                raise Invalid("%s: tensor %s has shape %s, expected %s" % (
                    p, name, "x".join(map(str, t["shape"])), "x".join(map(str, shape))))

    def check_q8(self, t):
        raw, n = self.raw(t["name"]), t["numel"]
        if any(raw[n:align64(n)]):
            raise Invalid("%s: tensor %s: q8 padding is not zero" % (self.path, t["name"]))
        if raw.find(b"\x80", 0, n) >= 0:
            raise Invalid("%s: tensor %s: q8 value -128 (the range is -127..127)"
                          % (self.path, t["name"]))
        for s in self.q8_scales(t["name"]):
            if not (s > 0 and math.isfinite(s)):
                raise Invalid("%s: tensor %s: q8 scale %r is not finite and positive"
                              % (self.path, t["name"], s))

    def q8_scales(self, name):
        t = self.by_name[name]
        raw = self.raw(name)
        return struct.unpack_from("<%df" % t["rows"], raw, align64(t["numel"]))

    def tolerance(self, name):
        """Per-element bound of the storage error: half the row's scale for q8, else None."""
        t = self.by_name[name]
        if t["dtype"] != "q8":
            return None
        cols = t["numel"] // t["rows"]
        return [s / 2 for s in self.q8_scales(name) for _ in range(cols)]

    def raw(self, name):
        t = self.by_name[name]
        start = self.data_off + t["offset"]
        return self.data[start:start + t["nbytes"]]

    def values(self, name):
        t = self.by_name[name]
        if t["dtype"] == "q8":                       # dequantise: value = int8 * row scale
            n, rows = t["numel"], t["rows"]
            cols = n // rows
            q = struct.unpack_from("<%db" % n, self.raw(name))
            out = []
            for r, s in enumerate(self.q8_scales(name)):
                out += [x * s for x in q[r * cols:(r + 1) * cols]]
            return out
        return struct.unpack("<%d%s" % (t["numel"], "e" if t["dtype"] == "f16" else "f"),
                             self.raw(name))

    def merges(self):
        if not self.merges_off:
            return b""
        return self.data[self.merges_off:self.merges_off + self.merges_size]


def align64(x):
    return (x + 63) // 64 * 64


def required_tensors(a):
    W, T, P, E = a["vision_width"], a["text_width"], a["patch_size"], a["embed_dim"]
    G = a["image_size"] // P
    out = [("positional_embedding", (a["context_length"], T)), ("text_projection", (T, E)),
           ("visual.class_embedding", (W,)), ("visual.positional_embedding", (G * G + 1, W)),
           ("visual.proj", (W, E)), ("visual.conv1.weight", (W, 3, P, P)),
           ("visual.ln_pre.weight", (W,)), ("visual.ln_pre.bias", (W,)),
           ("visual.ln_post.weight", (W,)), ("visual.ln_post.bias", (W,)),
           ("token_embedding.weight", (a["vocab_size"], T)), ("ln_final.weight", (T,)),
           ("ln_final.bias", (T,))]
    for prefix, layers, w, m in (("visual.", a["vision_layers"], W, a["vision_mlp"]),
                                 ("", a["text_layers"], T, a["text_mlp"])):
        for i in range(layers):
            b = "%stransformer.resblocks.%d." % (prefix, i)
            out += [(b + "attn.in_proj_weight", (3 * w, w)), (b + "attn.in_proj_bias", (3 * w,)),
                    (b + "attn.out_proj.weight", (w, w)), (b + "attn.out_proj.bias", (w,)),
                    (b + "ln_1.weight", (w,)), (b + "ln_1.bias", (w,)),
                    (b + "mlp.c_fc.weight", (m, w)), (b + "mlp.c_fc.bias", (m,)),
                    (b + "mlp.c_proj.weight", (w, m)), (b + "mlp.c_proj.bias", (w,)),
                    (b + "ln_2.weight", (w,)), (b + "ln_2.bias", (w,))]
    return out


def show(f):
    a = f.arch
    print("%s: sclip weights v%d, %d bytes" % (f.path, f.version, f.file_size))
    print("  vision: width %d, layers %d, heads %d, mlp %d, patch %d, image %d" % (
        a["vision_width"], a["vision_layers"], a["vision_heads"], a["vision_mlp"],
        a["patch_size"], a["image_size"]))
    print("  text:   width %d, layers %d, heads %d, mlp %d, context %d, vocab %d" % (
        a["text_width"], a["text_layers"], a["text_heads"], a["text_mlp"], a["context_length"],
        a["vocab_size"]))
    print("  embed %d, activation %s, eps %g, logit_scale %.6f (exp %.3f)" % (
        a["embed_dim"], ["QuickGELU", "GELU"][a["activation"]] if a["activation"] < 2 else "?",
        f.eps, f.logit_scale, math.exp(f.logit_scale)))
    print("  table at %d (%d tensors), merges at %d (%d bytes), data at %d (%d bytes)" % (
        f.table_off, f.n_tensors, f.merges_off, f.merges_size, f.data_off, f.data_size))
    counts = {}
    for t in f.tensors:
        counts[t["dtype"]] = counts.get(t["dtype"], 0) + t["numel"]
    print("  parameters: %s" % ", ".join("%d %s" % (n, d) for d, n in sorted(counts.items())))
    for t in f.tensors:
        print("  %-56s %-4s %-16s @%d" % (t["name"], t["dtype"], "x".join(map(str, t["shape"])),
                                          t["offset"]))


def compare_values(name, a, b, tol, bounds=None):
    """Values equal within tol, or, with bounds (a q8 side's half scales, per element), within
    tol + bound (times 1 + 1e-9 for the rounding of the quotient w / scale)."""
    if len(a) != len(b):
        return "%s: %d vs %d values" % (name, len(a), len(b))
    if a == b:
        return None
    if bounds is None:
        worst, at = 0.0, -1
        for i, (x, y) in enumerate(zip(a, b)):
            d = abs(x - y)
            if d > worst or d != d:
                worst, at = d, i
        if worst > tol or worst != worst:
            return "%s: max |a-b| = %g at element %d (%r vs %r)" % (name, worst, at, a[at], b[at])
        return None
    worst, at = -1.0, -1                 # worst ratio |a-b| / allowed
    for i, (x, y, h) in enumerate(zip(a, b, bounds)):
        d = abs(x - y) / (tol + h * (1 + 1e-9))
        if d > worst or d != d:
            worst, at = d, i
    if worst > 1 or worst != worst:
        return "%s: |a-b| = %g at element %d (%r vs %r) exceeds %g (half the q8 scale%s)" % (
            name, abs(a[at] - b[at]), at, a[at], b[at], tol + bounds[at],
            " + tol" if tol else "")
    return None


def q8_bounds(*tols):
    """Element-wise sum of the q8 tolerances of the compared tensors (None when neither is q8)."""
    tols = [t for t in tols if t is not None]
    if not tols:
        return None
    return [sum(x) for x in zip(*tols)] if len(tols) > 1 else tols[0]


def compare(fa, fb, tol):
    problems = []
    for k in ARCH_FIELDS:
        if fa.arch[k] != fb.arch[k]:
            problems.append("architecture %s: %d vs %d" % (k, fa.arch[k], fb.arch[k]))
    if fa.eps != fb.eps or fa.logit_scale != fb.logit_scale:
        problems.append("eps/logit_scale: %r/%r vs %r/%r" % (fa.eps, fa.logit_scale, fb.eps,
                                                             fb.logit_scale))
    if fa.merges() != fb.merges():
        problems.append("merge lists differ (%d vs %d bytes)" % (fa.merges_size, fb.merges_size))
    na, nb = set(fa.by_name), set(fb.by_name)
    for n in sorted(na - nb):
        problems.append("only in %s: %s" % (fa.path, n))
    for n in sorted(nb - na):
        problems.append("only in %s: %s" % (fb.path, n))
    for t in fa.tensors:
        n = t["name"]
        if n not in fb.by_name:
            continue
        u = fb.by_name[n]
        if t["shape"] != u["shape"]:
            problems.append("%s: shape %r vs %r" % (n, t["shape"], u["shape"]))
            continue
        if t["dtype"] == u["dtype"] and tol == 0 and fa.raw(n) == fb.raw(n):
            continue
        p = compare_values(n, fa.values(n), fb.values(n), tol,
                           q8_bounds(fa.tolerance(n), fb.tolerance(n)))
        if p:
            problems.append(p)
    return problems


def read_safetensors(path):
    """Independent safetensors reader: name -> (dtype, shape, raw bytes)."""
    with open(path, "rb") as f:
        d = f.read()
    (n,) = struct.unpack_from("<Q", d, 0)
    header = json.loads(d[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = (info["dtype"], tuple(info["shape"]), d[8 + n + b:8 + n + e])
    return out


def st_values(dtype, raw):
    if dtype == "F16":
        return struct.unpack("<%de" % (len(raw) // 2), raw)
    if dtype == "F32":
        return struct.unpack("<%df" % (len(raw) // 4), raw)
    if dtype == "BF16":
        n = len(raw) // 2
        return struct.unpack("<%df" % n, b"".join(b"\0\0" + raw[2 * i:2 * i + 2]
                                                   for i in range(n)))
    raise Invalid("safetensors dtype %s not supported by the checker" % dtype)


def compare_safetensors(st_path, f, tol):
    st = read_safetensors(st_path)
    problems = []
    for t in f.tensors:
        n = t["name"]
        if n not in st:
            problems.append("%s: not in %s" % (n, st_path))
            continue
        dtype, shape, raw = st[n]
        if shape != t["shape"]:
            problems.append("%s: shape %r vs %r" % (n, t["shape"], shape))
            continue
        p = compare_values(n, f.values(n), st_values(dtype, raw), tol, f.tolerance(n))
        if p:
            problems.append(p)
    names = set(f.by_name)
    for n in st:
        if n not in names and n != "logit_scale":
            problems.append("%s: in %s but not in the .sclip file" % (n, st_path))
    if "logit_scale" in st:
        dtype, shape, raw = st["logit_scale"]
        v = st_values(dtype, raw)[0]
        if struct.unpack("<f", struct.pack("<f", v))[0] != f.logit_scale:
            problems.append("logit_scale: header %r vs tensor %r" % (f.logit_scale, v))
    return problems


def stats(f):
    for t in f.tensors:
        v = f.values(t["name"])
        m = sum(v) / len(v)
        s = math.sqrt(sum((x - m) ** 2 for x in v) / len(v))
        print("  %-56s min %9.4f max %9.4f mean %9.5f std %8.5f" % (t["name"], min(v), max(v),
                                                                     m, s))


def main():
    p = argparse.ArgumentParser(description="Inspect, validate and compare .sclip files.")
    p.add_argument("files", nargs="+")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="validate only, print 'ok' or the error")
    g.add_argument("--compare", action="store_true", help="compare two files")
    g.add_argument("--safetensors", metavar="ST", help="compare with an OpenAI-named safetensors")
    g.add_argument("--dump", metavar="NAME", help="print values of one tensor")
    g.add_argument("--stats", action="store_true", help="value statistics of every tensor")
    p.add_argument("-n", type=int, default=16, help="values to print with --dump")
    p.add_argument("--tol", type=float, default=0.0, help="max |a-b| allowed (default exact)")
    args = p.parse_args()
    try:
        files = [SclipFile(x) for x in args.files]
        for f in files:
            f.check()
        if args.compare:
            if len(files) != 2:
                p.error("--compare needs two files")
            problems = compare(files[0], files[1], args.tol)
        elif args.safetensors:
            problems = []
            for f in files:
                problems += compare_safetensors(args.safetensors, f, args.tol)
        else:
            problems = []
            for f in files:
                if args.check:
                    print("%s: ok" % f.path)
                elif args.dump:
                    if args.dump not in f.by_name:
                        raise Invalid("%s: no tensor %s" % (f.path, args.dump))
                    v = f.values(args.dump)
                    print(" ".join("%.8g" % x for x in v[:args.n]))
                elif args.stats:
                    stats(f)
                else:
                    show(f)
    except Invalid as e:
        print("invalid: %s" % e)
        return 1
    except (OSError, struct.error, ValueError) as e:
        print("error: %s" % e)
        return 1
    if problems:
        for x in problems[:20]:
            print("differs: %s" % x)
        if len(problems) > 20:
            print("... %d more" % (len(problems) - 20))
        return 1
    if args.compare or args.safetensors:
        print("equal")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:                 # output piped into head & co.
        sys.exit(0)
