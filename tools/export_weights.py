#!/usr/bin/env python3
"""export_weights.py: convert a CLIP ViT checkpoint into sclip's .sclip weight file (version 1).

    python3 tools/export_weights.py INPUT -o OUT.sclip [--dtype f32|f16|q8] [--vocab PATH]
    python3 tools/export_weights.py --download ViT-B/16 -o OUT.sclip [--cache DIR]
    python3 tools/export_weights.py --random ViT-B/16 -o OUT.sclip [--seed N]

INPUT is one of
  * OpenAI's TorchScript archive (ViT-B-16.pt as `clip.load` downloads it),
  * a `torch.save` state dict (zip format, or the legacy pre-1.6 format),
  * a safetensors file with OpenAI/open_clip tensor names,
  * a Hugging Face `CLIPModel` folder (config.json + model.safetensors or pytorch_model.bin).

Only the Python standard library is needed; numpy is used when it can be imported (it only
makes the f16 <-> f32 conversions and the q8 quantisation faster: the output is byte-identical
either way; set SCLIP_NO_NUMPY=1 to force the pure-Python path). torch is never imported:
pickles are read by a restricted unpickler that builds nothing but plain containers and tensor
references.

The file format is described in weights/README.md. Tensors are written in the order of OpenAI's
CLIP state dict, so every container holding the same weights gives the same file.
"""

import argparse
import array
import gzip
import hashlib
import itertools
import importlib.util
import json
import math
import mmap
import operator
import os
import pickle
import random
import re
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections import OrderedDict

try:
    if os.environ.get("SCLIP_NO_NUMPY"):
        raise ImportError
    import numpy as np
except ImportError:
    np = None

FORMAT_VERSION = 1
HEADER_SIZE = 256
ENTRY_SIZE = 96
ALIGN = 64
N_MERGES = 48894              # 49152 - 256 - 2 merges are used by CLIP's tokenizer
CHUNK = 1 << 20               # elements converted at a time
DTYPE_CODE = {"f32": 0, "f16": 1, "q8": 2}
# --dtype q8 keeps these rank >= 2 tensors in f16: the embeddings (tables, not matrix products)
# and the two projections, which are stored [in, out] so their output channels are the columns
# while q8 scales the rows.
Q8_KEEP_F16 = ("token_embedding.weight", "positional_embedding", "visual.positional_embedding",
               "visual.proj", "text_projection")
# sha256 of the embedded merge text (header line + 48894 lines) of CLIP's bpe_simple_vocab_16e6
MERGES_SHA256 = "685491abbdad36159d094ecdc23bebc0dd53f8d1df35c4d74ef6036db2ba7572"
VOCAB_NAME = "bpe_simple_vocab_16e6.txt"

# OpenAI's checkpoints, as listed in clip/clip.py: the path component is the file's SHA-256.
URL_BASE = "https://openaipublic.azureedge.net/clip/models"
MODELS = {
    "ViT-B/32": ("40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af", "ViT-B-32.pt"),
    "ViT-B/16": ("5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f", "ViT-B-16.pt"),
    "ViT-L/14": ("b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836", "ViT-L-14.pt"),
    "ViT-L/14@336px": ("3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02",
                       "ViT-L-14-336px.pt"),
}

# Architectures for --random: the OpenAI ViT models and the test fixture's tiny model.
ARCH_FIELDS = ("vision_width", "vision_layers", "vision_heads", "vision_mlp", "patch_size",
               "image_size", "text_width", "text_layers", "text_heads", "text_mlp",
               "context_length", "vocab_size", "embed_dim", "activation")


def _arch(vw, vl, patch, image, tw, tl, embed):
    return dict(vision_width=vw, vision_layers=vl, vision_heads=vw // 64, vision_mlp=4 * vw,
                patch_size=patch, image_size=image, text_width=tw, text_layers=tl,
                text_heads=tw // 64, text_mlp=4 * tw, context_length=77, vocab_size=49408,
                embed_dim=embed, activation=0, eps=1e-5, logit_scale=math.log(100.0))


RANDOM_ARCHS = {
    "ViT-B/32": _arch(768, 12, 32, 224, 512, 12, 512),
    "ViT-B/16": _arch(768, 12, 16, 224, 512, 12, 512),
    "ViT-L/14": _arch(1024, 24, 14, 224, 768, 12, 768),
    "ViT-L/14@336px": _arch(1024, 24, 14, 336, 768, 12, 768),
    "tiny": _arch(128, 3, 16, 224, 128, 2, 64),
}


class ExportError(Exception):
    """An expected failure: bad input, missing file, no network. Reported without traceback."""


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ==================================================================================================
# Element types and conversions (f16 <-> f32 exact, IEEE round-to-nearest-even when narrowing)
# ==================================================================================================

# source dtype name -> bytes per element
ITEMSIZE = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8, "i64": 8, "i32": 4, "i16": 2, "i8": 1,
            "u8": 1, "bool": 1}
FLOAT_DTYPES = ("f16", "bf16", "f32", "f64")


def _lane_consts():
    """Byte tables for the vectorised f16 -> f32 widening.

    For a normal (or zero, inf, nan) half h = s|e|m (1, 5, 10 bits) the single is
    s | (e + 112) << 23 | m << 13 (e = 0 -> 0, e = 31 -> 255). Split over the half's low byte
    `lo` (m7..m0) and high byte `hi` (s, e, m9 m8), the single's bytes are
    b0 = 0, b1 = (lo & 7) << 5, b2 = lo >> 3 | hi-part, b3 = hi-part; b2's two parts use
    disjoint bits so they are OR-ed. Subnormal halves (e = 0, m != 0) are patched one by one.
    """
    def exp32(h):
        e = (h >> 2) & 31
        return 255 if e == 31 else (0 if e == 0 else e + 112)
    t = {}
    t["lo1"] = bytes(((x & 7) << 5) for x in range(256))
    t["lo2"] = bytes((x >> 3) for x in range(256))
    t["hi2"] = bytes(((exp32(h) & 1) << 7) | ((h & 3) << 5) for h in range(256))
    t["hi3"] = bytes(((h >> 7) << 7) | (exp32(h) >> 1) for h in range(256))
    t["sub"] = bytes(1 if (h & 0x7c) == 0 and (h & 3) else 0 for h in range(256))
    t["zero_hi"] = bytes(1 if (h & 0x7f) == 0 else 0 for h in range(256))
    t["nonzero"] = bytes([0] + [1] * 255)
    t["nonfinite16"] = bytes(1 if (h & 0x7c) == 0x7c else 0 for h in range(256))
    t["maybe_nonfinite32"] = bytes(1 if (h & 0x7f) == 0x7f else 0 for h in range(256))
    # narrowing: class of the f32 exponent: 0 normal half, 1 needs care, 2 zero/f32-subnormal
    t["cls32"] = bytes(2 if e == 0 else (1 if e < 113 or e >= 142 else 0) for e in range(256))
    t["keep"] = bytes(0 if c == 2 else 0xff for c in t["cls32"])
    t["keep_hi"] = bytes(0x80 if c == 2 else 0xff for c in t["cls32"])
    return t


LANE = _lane_consts()
_CONST_CACHE = {}


def _rep(pattern, n):
    """The integer whose little-endian bytes are `pattern` repeated n times (cached)."""
    key = (pattern, n)
    v = _CONST_CACHE.get(key)
    if v is None:
        if len(_CONST_CACHE) > 64:
            _CONST_CACHE.clear()
        v = _CONST_CACHE[key] = int.from_bytes(pattern * n, "little")
    return v


def _nonzero_positions(flags):
    return [m.start() for m in re.finditer(b"[^\x00]", flags)]


def _f16_to_f32_py(src, what):
    n = len(src) // 2
    lo = src[0::2]
    hi = src[1::2]
    if hi.translate(LANE["nonfinite16"]).count(1):
        raise ExportError("%s: contains Inf or NaN values" % what)
    out = bytearray(4 * n)
    out[1::4] = lo.translate(LANE["lo1"])
    b2 = (int.from_bytes(lo.translate(LANE["lo2"]), "little")
          | int.from_bytes(hi.translate(LANE["hi2"]), "little"))
    out[2::4] = b2.to_bytes(n, "little")
    out[3::4] = hi.translate(LANE["hi3"])
    # subnormal halves: exponent 0 and a non-zero mantissa
    sub = hi.translate(LANE["sub"])
    zer = hi.translate(LANE["zero_hi"])
    if sub.count(1) or zer.count(1):
        flags = (int.from_bytes(sub, "little")
                 | (int.from_bytes(zer, "little")
                    & int.from_bytes(lo.translate(LANE["nonzero"]), "little")))
        if flags:
            for i in _nonzero_positions(flags.to_bytes(n, "little")):
                v = struct.unpack_from("<e", src, 2 * i)[0]
                out[4 * i:4 * i + 4] = struct.pack("<f", v)
    return bytes(out)


def _f32_to_f16_py(src, what):
    """Round-to-nearest-even f32 -> f16 on whole lanes with big-integer arithmetic.

    For lanes whose exponent gives a normal half: drop the sign, add 0xfff plus the lowest kept
    mantissa bit (ties to even), shift right by 13 and re-bias the exponent (-112 << 10, done as
    + (0x40000 - 0x1c000) so no lane borrows from its neighbour). Zeros and f32 subnormals become
    signed zeros; the few lanes near the ends of the half range are converted one by one.
    """
    n = len(src) // 4
    b3 = src[3::4]
    if b3.translate(LANE["maybe_nonfinite32"]).count(1):
        _check_finite_f32(src, what)
    x = int.from_bytes(src, "little")
    y = x & _rep(b"\xff\xff\xff\x7f", n)
    y = y + _rep(b"\xff\x0f\x00\x00", n) + ((y >> 13) & _rep(b"\x01\x00\x00\x00", n))
    h = (((y >> 13) & _rep(b"\xff\xff\x03\x00", n)) + _rep(b"\x00\x40\x02\x00", n)) \
        & _rep(b"\xff\x7f\x00\x00", n)
    h |= (x >> 16) & _rep(b"\x00\x80\x00\x00", n)
    hb = h.to_bytes(4 * n, "little")
    out = bytearray(2 * n)
    exps = ((x >> 23) & _rep(b"\xff\x00\x00\x00", n)).to_bytes(4 * n, "little")[0::4]
    cls = exps.translate(LANE["cls32"])
    lo = hb[0::4]
    hi = hb[1::4]
    if cls.count(2):
        lo = (int.from_bytes(lo, "little")
              & int.from_bytes(exps.translate(LANE["keep"]), "little")).to_bytes(n, "little")
        hi = (int.from_bytes(hi, "little")
              & int.from_bytes(exps.translate(LANE["keep_hi"]), "little")).to_bytes(n, "little")
    out[0::2] = lo
    out[1::2] = hi
    if cls.count(1):
        for m in re.finditer(b"\x01", cls):
            i = m.start()
            v = struct.unpack_from("<f", src, 4 * i)[0]
            try:
                out[2 * i:2 * i + 2] = struct.pack("<e", v)
            except OverflowError:
                raise ExportError("%s: value %g does not fit in f16 (use --dtype f32)"
                                  % (what, v)) from None
    return bytes(out)


def _check_finite_f32(src, what):
    b3 = src[3::4]
    for m in re.finditer(b"[\x7f\xff]", b3):
        i = m.start()
        if src[4 * i + 2] & 0x80:
            raise ExportError("%s: contains Inf or NaN values" % what)


def convert(raw, src_dtype, dst_dtype, what):
    """Convert C-ordered raw little-endian elements from src_dtype ('f16','bf16','f32','f64')
    to dst_dtype ('f32' or 'f16'). Rejects Inf/NaN and values out of the f16 range."""
    if src_dtype == "bf16":
        n = len(raw) // 2
        w = bytearray(4 * n)
        w[2::4] = raw[0::2]
        w[3::4] = raw[1::2]
        raw, src_dtype = bytes(w), "f32"
    if src_dtype == "f64":
        if np is not None:
            a = np.frombuffer(raw, dtype="<f8")
            with np.errstate(over="ignore"):
                raw = a.astype("<f4").tobytes()
        else:
            import array
            a = array.array("d")
            a.frombytes(raw)
            if sys.byteorder != "little":
                a.byteswap()
            try:
                raw = struct.pack("<%df" % len(a), *a)
            except OverflowError:
                raise ExportError("%s: value does not fit in f32" % what) from None
        src_dtype = "f32"
    if np is not None:
        return _convert_np(raw, src_dtype, dst_dtype, what)
    if src_dtype == dst_dtype:
        if src_dtype == "f32":
            if raw[3::4].translate(LANE["maybe_nonfinite32"]).count(1):
                _check_finite_f32(raw, what)
        elif raw[1::2].translate(LANE["nonfinite16"]).count(1):
            raise ExportError("%s: contains Inf or NaN values" % what)
        return bytes(raw)
    if src_dtype == "f16":
        return _f16_to_f32_py(raw, what)
    return _f32_to_f16_py(raw, what)


def _convert_np(raw, src_dtype, dst_dtype, what):
    a = np.frombuffer(raw, dtype="<f2" if src_dtype == "f16" else "<f4")
    if not np.isfinite(a).all():
        raise ExportError("%s: contains Inf or NaN values" % what)
    if src_dtype == dst_dtype:
        return bytes(raw)
    if dst_dtype == "f32":
        return a.astype("<f4").tobytes()
    with np.errstate(over="ignore"):
        b = a.astype("<f2")
    if not np.isfinite(b).all():
        v = a[~np.isfinite(b)][0]
        raise ExportError("%s: value %g does not fit in f16 (use --dtype f32)" % (what, v))
    return b.tobytes()


# ==================================================================================================
# q8: int8 values with one f32 scale per row (output channel)
# ==================================================================================================
#
# For a row w (f32 values) with m = max|w|: s = (float)((double)m / 127) (round to nearest even);
# when s is 0 (an all-zero row, or m below 127 * 2^-150) s = 1. Each value becomes
# q = round-half-to-even((double)w / (double)s) clamped to [-127, 127], so |w - q*s| <= s/2.
# Both paths compute the same IEEE double quotients and round them the same way (numpy's rint
# and Python's round() are both round-half-to-even), so their bytes are identical.

def q8_nbytes(rows, cols):
    """Size of a q8 tensor: the int8 values, zero padding to a multiple of 64, the f32 scales."""
    return _align(rows * cols) + 4 * rows


def quantize_q8(raw, rows, cols):
    """raw: rows*cols little-endian f32 values (finite), row-major. Returns the q8 bytes."""
    if np is not None:
        return _quantize_q8_np(raw, rows, cols)
    a = array.array("f")
    a.frombytes(raw)
    if sys.byteorder != "little":
        a.byteswap()
    scales = array.array("f", [0.0]) * rows
    for r in range(rows):
        m = max(map(abs, a[r * cols:(r + 1) * cols]))
        scales[r] = m / 127.0                        # array("f") rounds to f32 (nearest even)
        if scales[r] == 0.0:
            scales[r] = 1.0
    # one C-level pass over the whole tensor: w / s of its row, rounded half to even
    divisors = itertools.chain.from_iterable(itertools.repeat(s, cols) for s in scales)
    quot = map(operator.truediv, a, divisors)
    try:
        q = array.array("b", map(round, quot))
    except OverflowError:                            # cannot happen (|w/s| <= 127.00001): safe
        divisors = itertools.chain.from_iterable(itertools.repeat(s, cols) for s in scales)
        q = array.array("b", (max(-127, min(127, round(x)))
                              for x in map(operator.truediv, a, divisors)))
    if sys.byteorder != "little":
        scales.byteswap()
    pad = _align(rows * cols) - rows * cols
    return q.tobytes() + bytes(pad) + scales.tobytes()


def _quantize_q8_np(raw, rows, cols):
    a = np.frombuffer(raw, dtype="<f4").reshape(rows, cols)
    m = np.abs(a).max(axis=1).astype(np.float64)
    s = (m / 127.0).astype(np.float32)
    s[s == 0] = 1.0
    q = np.rint(a.astype(np.float64) / s.astype(np.float64)[:, None])
    q = np.clip(q, -127, 127).astype(np.int8)
    pad = _align(rows * cols) - rows * cols
    return q.tobytes() + bytes(pad) + s.astype("<f4").tobytes()


# ==================================================================================================
# Tensor references: lazily read, possibly strided, possibly derived (concatenation, transpose)
# ==================================================================================================

def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _contiguous_strides(shape):
    strides = []
    s = 1
    for d in reversed(shape):
        strides.append(s)
        s *= d
    return tuple(reversed(strides))


class Tensor:
    """A tensor in some container: dtype, shape, and a way to get its C-ordered raw bytes."""

    def __init__(self, dtype, shape, buf=None, offset=0, strides=None, where=""):
        self.dtype = dtype
        self.shape = tuple(int(d) for d in shape)
        self.buf = buf                    # bytes-like holding the storage (element offset based)
        self.offset = offset              # in elements
        self.strides = tuple(strides) if strides is not None else _contiguous_strides(self.shape)
        self.where = where

    @property
    def numel(self):
        return _numel(self.shape)

    def check_bounds(self, name):
        if self.numel == 0:
            return
        isz = ITEMSIZE[self.dtype]
        last = self.offset + sum((d - 1) * s for d, s in zip(self.shape, self.strides))
        if self.offset < 0 or any(s < 0 for s in self.strides) or (last + 1) * isz > len(self.buf):
            raise ExportError("%s: data of tensor %s lies outside its storage (file truncated or "
                              "corrupt?)" % (self.where, name))

    def is_contiguous(self):
        return all(s == c for d, s, c in zip(self.shape, self.strides,
                                             _contiguous_strides(self.shape)) if d > 1)

    def chunks(self, max_elems):
        """Yield the raw bytes in C order, a whole number of elements at a time."""
        isz = ITEMSIZE[self.dtype]
        if self.is_contiguous():
            start = self.offset * isz
            end = start + self.numel * isz
            step = max_elems * isz
            for p in range(start, end, step):
                yield bytes(self.buf[p:min(end, p + step)])
        else:
            yield self.gather()

    def raw(self):
        return b"".join(self.chunks(1 << 62))

    def gather(self):
        """C-ordered copy of a strided view: one strided slice per byte lane and row."""
        isz = ITEMSIZE[self.dtype]
        shape, strides = self.shape, self.strides
        if len(shape) == 0:
            return bytes(self.buf[self.offset * isz:(self.offset + 1) * isz])
        inner, sin = shape[-1], strides[-1]
        out = bytearray(self.numel * isz)
        outer = shape[:-1]
        idx = [0] * len(outer)
        pos = 0
        while True:
            base = self.offset + sum(i * s for i, s in zip(idx, strides[:-1]))
            row = out[pos:pos + inner * isz]
            if sin == 0:
                row[:] = bytes(self.buf[base * isz:(base + 1) * isz]) * inner
            else:
                for b in range(isz):
                    s0 = base * isz + b
                    row[b::isz] = self.buf[s0:s0 + (inner - 1) * sin * isz + 1:sin * isz]
            out[pos:pos + inner * isz] = row
            pos += inner * isz
            k = len(outer) - 1
            while k >= 0:
                idx[k] += 1
                if idx[k] < outer[k]:
                    break
                idx[k] = 0
                k -= 1
            if k < 0:
                break
        return bytes(out)


class ConcatTensor(Tensor):
    """Rows of several tensors stacked along dimension 0 (HF q, k, v -> in_proj)."""

    def __init__(self, parts):
        first = parts[0]
        shape = (sum(p.shape[0] if p.shape else 1 for p in parts),) + tuple(first.shape[1:])
        Tensor.__init__(self, first.dtype, shape, where=first.where)
        self.parts = parts

    def check_bounds(self, name):
        for p in self.parts:
            p.check_bounds(name)

    def chunks(self, max_elems):
        for p in self.parts:
            for c in p.chunks(max_elems):
                yield c


def transposed(t):
    """The 2-D tensor t transposed, as a strided view of the same storage."""
    return Tensor(t.dtype, (t.shape[1], t.shape[0]), t.buf, t.offset,
                  (t.strides[1], t.strides[0]), t.where)


# ==================================================================================================
# Containers: safetensors, torch.save (zip and legacy), TorchScript archives, Hugging Face folders
# ==================================================================================================

def _map_file(path):
    try:
        f = open(path, "rb")
    except OSError as e:
        raise ExportError("cannot open %s: %s" % (path, e.strerror or e)) from None
    with f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise ExportError("%s: empty file" % path)
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


SAFETENSORS_DTYPES = {"F16": "f16", "BF16": "bf16", "F32": "f32", "F64": "f64", "I64": "i64",
                      "I32": "i32", "I16": "i16", "I8": "i8", "U8": "u8", "BOOL": "bool"}


def load_safetensors(path):
    mm = _map_file(path)
    if len(mm) < 8:
        raise ExportError("%s: too short for a safetensors file" % path)
    (hlen,) = struct.unpack("<Q", mm[:8])
    if hlen > len(mm) - 8 or hlen > 100 << 20:
        raise ExportError("%s: not a safetensors file, or truncated (header length %d, file "
                          "size %d)" % (path, hlen, len(mm)))
    try:
        header = json.loads(bytes(mm[8:8 + hlen]).decode("utf-8"), object_pairs_hook=OrderedDict)
    except (UnicodeDecodeError, ValueError) as e:
        raise ExportError("%s: bad safetensors header: %s" % (path, e)) from None
    if not isinstance(header, dict):
        raise ExportError("%s: bad safetensors header" % path)
    data = memoryview(mm)[8 + hlen:]
    out = OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = SAFETENSORS_DTYPES.get(info["dtype"], info["dtype"])
            shape = [int(d) for d in info["shape"]]
            begin, end = (int(v) for v in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ExportError("%s: bad safetensors entry for %s" % (path, name)) from None
        isz = ITEMSIZE.get(dtype)
        if isz is None:
            out[name] = Tensor(dtype, shape, b"", where=path)
            continue
        if end > len(data) or begin < 0 or end - begin != _numel(shape) * isz:
            raise ExportError("%s: data of tensor %s lies outside the file or has the wrong size "
                              "(file truncated?)" % (path, name))
        out[name] = Tensor(dtype, shape, data[begin:end], 0, where=path)
    return out


STORAGE_DTYPES = {"HalfStorage": "f16", "FloatStorage": "f32", "DoubleStorage": "f64",
                  "BFloat16Storage": "bf16", "LongStorage": "i64", "IntStorage": "i32",
                  "ShortStorage": "i16", "CharStorage": "i8", "ByteStorage": "u8",
                  "BoolStorage": "bool"}


class StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = STORAGE_DTYPES.get(name)


class Storage:
    def __init__(self, dtype, buf, offset=0):
        self.dtype = dtype
        self.buf = buf
        self.offset = offset                  # in elements (legacy storage views)


class Opaque:
    """Stand-in for any class the unpickler does not know: keeps its arguments and state."""
    qualname = "?"
    args = ()
    state = None

    def __init__(self, *args, **kwargs):
        self.args = args
        self.state = None

    def __setstate__(self, state):
        self.state = state

    def __call__(self, *args, **kwargs):          # a global used as a function
        return Opaque(*args)


def _rebuild_tensor(storage, storage_offset, size, stride, *rest):
    if not isinstance(storage, Storage):
        return Opaque(storage)
    return Tensor(storage.dtype or "unknown", size, storage.buf, storage.offset + storage_offset,
                  stride)


def _rebuild_parameter(data, *rest):
    return data


def _identity(x, *rest):
    return x


class TorchUnpickler(pickle.Unpickler):
    """Reads torch pickles without torch: tensors become Tensor references into the storages,
    TorchScript classes (`__torch__.*`) and anything unknown become Opaque objects."""

    SAFE = {
        ("collections", "OrderedDict"): OrderedDict,
        ("builtins", "set"): set,
        ("builtins", "frozenset"): frozenset,
        ("builtins", "slice"): slice,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
        ("torch.jit._pickle", "restore_type_tag"): _identity,
        ("torch.jit._pickle", "build_intlist"): _identity,
        ("torch.jit._pickle", "build_doublelist"): _identity,
        ("torch.jit._pickle", "build_boollist"): _identity,
        ("torch.jit._pickle", "build_tensorlist"): _identity,
        ("torch.jit._pickle", "build_strlist"): _identity,
    }

    def __init__(self, f, load_storage):
        pickle.Unpickler.__init__(self, f)
        self.load_storage = load_storage
        self.storages = {}

    def find_class(self, module, name):
        fn = self.SAFE.get((module, name))
        if fn is not None:
            return fn
        if module == "_codecs" and name == "encode":
            return lambda s, enc="utf-8", *r: s.encode(enc)
        if module == "torch" and name.endswith("Storage"):
            return StorageType(name)
        return type(name, (Opaque,), {"qualname": module + "." + name})

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise ExportError("unsupported persistent id in pickle: %r" % (pid[:1],))
        stype, key = pid[1], str(pid[2])
        dtype = stype.dtype if isinstance(stype, StorageType) else None
        if dtype is None:
            raise ExportError("unsupported storage type %s" % getattr(stype, "name", stype))
        numel = int(pid[4])
        if key not in self.storages:
            self.storages[key] = Storage(dtype, self.load_storage(key, dtype, numel))
        st = self.storages[key]
        view = pid[5] if len(pid) > 5 else None
        if view:                                      # legacy storage views: (key, offset, size)
            st = Storage(dtype, st.buf, st.offset + int(view[1]))
        return st


def _zip_member(zf, mm, info):
    """Bytes of one zip member; stored members are returned as a view of the mapped file."""
    if info.compress_type != zipfile.ZIP_STORED:
        return zf.read(info)
    off = info.header_offset
    if off + 30 > len(mm):
        raise ExportError("zip member %s lies outside the file" % info.filename)
    sig, = struct.unpack("<I", mm[off:off + 4])
    if sig != 0x04034b50:
        raise ExportError("bad zip local header for %s" % info.filename)
    nlen, xlen = struct.unpack("<HH", mm[off + 26:off + 30])
    start = off + 30 + nlen + xlen
    if start + info.compress_size > len(mm):
        raise ExportError("zip member %s is truncated" % info.filename)
    return memoryview(mm)[start:start + info.file_size]


def load_torch_zip(path):
    mm = _map_file(path)
    try:
        zf = zipfile.ZipFile(path)
        infos = {i.filename: i for i in zf.infolist()}
    except (zipfile.BadZipFile, OSError) as e:
        raise ExportError("%s: not a readable zip archive (truncated?): %s" % (path, e)) from None
    pkl = [n for n in infos if n.endswith("data.pkl") and n.count("/") == 1]
    if not pkl:
        raise ExportError("%s: zip archive without <name>/data.pkl: not a PyTorch checkpoint"
                          % path)
    prefix = pkl[0][:-len("data.pkl")]
    bo = infos.get(prefix + "byteorder")
    if bo is not None and zf.read(bo).strip() not in (b"little", b""):
        raise ExportError("%s: big-endian checkpoints are not supported" % path)

    def load_storage(key, dtype, numel):
        info = infos.get(prefix + "data/" + key)
        if info is None:
            raise ExportError("%s: storage data/%s is missing from the archive" % (path, key))
        buf = _zip_member(zf, mm, info)
        if len(buf) < numel * ITEMSIZE[dtype]:
            raise ExportError("%s: storage data/%s is shorter than its %d elements"
                              % (path, key, numel))
        return buf

    try:
        data = zf.read(infos[pkl[0]])
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ExportError("%s: cannot read %s: %s" % (path, pkl[0], e)) from None
    obj = _unpickle(path, data, load_storage)
    if isinstance(obj, Opaque) and obj.qualname.startswith("__torch__."):
        classes = _torchscript_classes(zf, infos, prefix)
        sd = OrderedDict()
        _script_state_dict(obj, "", classes, sd)
        return _tag(sd, path)
    return _tag(_find_state_dict(obj, path), path)


def _unpickle(path, data, load_storage):
    import io
    try:
        return TorchUnpickler(io.BytesIO(data), load_storage).load()
    except ExportError:
        raise
    except Exception as e:                            # corrupt pickle: any error is possible
        raise ExportError("%s: cannot unpickle the checkpoint (%s: %s)"
                          % (path, type(e).__name__, e)) from None


def _tag(sd, path):
    for name, t in sd.items():
        if isinstance(t, Tensor):
            t.where = path
    return sd


_CLASS_RE = re.compile(r"^class (\w+)\(Module\):\n  __parameters__ = \[([^\]]*)\]\n"
                       r"  __buffers__ = \[([^\]]*)\]", re.M)


def _torchscript_classes(zf, infos, prefix):
    """Parameter and buffer names of every TorchScript module class, from code/__torch__/*.py."""
    classes = {}
    for name, info in infos.items():
        if not (name.startswith(prefix + "code/") and name.endswith(".py")):
            continue
        module = name[len(prefix + "code/"):-3].replace("/", ".")
        try:
            text = zf.read(info).decode("utf-8", "replace")
        except (zipfile.BadZipFile, OSError, EOFError):
            continue
        for m in _CLASS_RE.finditer(text):
            names = [[s.strip().strip('"') for s in g.split(",") if s.strip()]
                     for g in (m.group(2), m.group(3))]
            classes[module + "." + m.group(1)] = names
    return classes


def _script_state_dict(obj, prefix, classes, out):
    """nn.Module.state_dict() order: own parameters, own buffers, then submodules."""
    state = obj.state if isinstance(obj.state, dict) else {}
    known = classes.get(obj.qualname)
    if known is not None:
        for key in known[0] + known[1]:
            if isinstance(state.get(key), Tensor):
                out[prefix + key] = state[key]
    else:
        for key, v in state.items():
            if isinstance(v, Tensor):
                out[prefix + key] = v
    for key, v in state.items():
        if isinstance(v, Opaque) and v.qualname.startswith("__torch__."):
            _script_state_dict(v, prefix + key + ".", classes, out)


def _find_state_dict(obj, path):
    """The dict of tensors in a torch.save payload (possibly wrapped: {'state_dict': ...})."""
    if isinstance(obj, dict):
        if any(isinstance(v, Tensor) for v in obj.values()):
            sd = OrderedDict((str(k), v) for k, v in obj.items() if isinstance(v, Tensor))
            if all(k.startswith("module.") for k in sd):
                sd = OrderedDict((k[len("module."):], v) for k, v in sd.items())
            return sd
        for key in ("state_dict", "model", "model_state_dict", "module"):
            if key in obj:
                return _find_state_dict(obj[key], path)
    raise ExportError("%s: no state dict (dict of tensors) found in the checkpoint" % path)


LEGACY_MAGIC = 0x1950a86a20f9469cfc6c


def load_torch_legacy(path):
    """torch.save's pre-1.6 format: magic, protocol, sys info, the pickle, the storage key list,
    then each storage as an int64 element count followed by its raw data."""
    import io
    mm = _map_file(path)
    f = io.BytesIO(mm)
    try:
        magic = pickle.load(f)
        if magic != LEGACY_MAGIC:
            raise ValueError
        pickle.load(f)                                   # protocol version
        pickle.load(f)                                   # sys_info
    except ExportError:
        raise
    except Exception:
        raise ExportError("%s: not a PyTorch checkpoint, safetensors file or Hugging Face folder"
                          % path) from None
    pending = {}

    class LateBuffer:
        """Storage bytes whose position is known only after the pickle has been read."""
        view = b""

        def __len__(self):
            return len(self.view)

        def __getitem__(self, k):
            return self.view[k]

    def load_storage(key, dtype, numel):
        pending[key] = (dtype, numel, LateBuffer())
        return pending[key][2]

    up = TorchUnpickler(f, load_storage)
    try:
        obj = up.load()
        keys = pickle.load(f)
    except ExportError:
        raise
    except Exception as e:
        raise ExportError("%s: cannot unpickle the checkpoint (%s: %s)"
                          % (path, type(e).__name__, e)) from None
    pos = f.tell()
    for key in keys:
        key = str(key)
        if pos + 8 > len(mm):
            raise ExportError("%s: truncated (storage %s missing)" % (path, key))
        (count,) = struct.unpack("<q", mm[pos:pos + 8])
        pos += 8
        if key not in pending:
            raise ExportError("%s: unexpected storage %s" % (path, key))
        dtype, numel, target = pending[key]
        nbytes = count * ITEMSIZE[dtype]
        if len(target):
            raise ExportError("%s: storage %s appears twice" % (path, key))
        if count < numel or pos + nbytes > len(mm):
            raise ExportError("%s: truncated (storage %s)" % (path, key))
        target.view = memoryview(mm)[pos:pos + nbytes]
        pos += nbytes
    return _tag(_find_state_dict(obj, path), path)


# --- Hugging Face CLIPModel -----------------------------------------------------------------------

HF_DEFAULTS = {
    "text": dict(hidden_size=512, intermediate_size=2048, num_attention_heads=8,
                 num_hidden_layers=12, max_position_embeddings=77, vocab_size=49408,
                 hidden_act="quick_gelu", layer_norm_eps=1e-5),
    "vision": dict(hidden_size=768, intermediate_size=3072, num_attention_heads=12,
                   num_hidden_layers=12, image_size=224, patch_size=32,
                   hidden_act="quick_gelu", layer_norm_eps=1e-5),
}

HF_BLOCK = [("layer_norm1.", "ln_1."), ("layer_norm2.", "ln_2."), ("mlp.fc1.", "mlp.c_fc."),
            ("mlp.fc2.", "mlp.c_proj."), ("self_attn.out_proj.", "attn.out_proj.")]
HF_TOP = {
    "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
    "text_model.embeddings.position_embedding.weight": "positional_embedding",
    "text_model.final_layer_norm.weight": "ln_final.weight",
    "text_model.final_layer_norm.bias": "ln_final.bias",
    "vision_model.embeddings.class_embedding": "visual.class_embedding",
    "vision_model.embeddings.patch_embedding.weight": "visual.conv1.weight",
    "vision_model.embeddings.position_embedding.weight": "visual.positional_embedding",
    "vision_model.pre_layrnorm.weight": "visual.ln_pre.weight",
    "vision_model.pre_layrnorm.bias": "visual.ln_pre.bias",
    "vision_model.pre_layernorm.weight": "visual.ln_pre.weight",
    "vision_model.pre_layernorm.bias": "visual.ln_pre.bias",
    "vision_model.post_layernorm.weight": "visual.ln_post.weight",
    "vision_model.post_layernorm.bias": "visual.ln_post.bias",
    "logit_scale": "logit_scale",
}
HF_LAYER_RE = re.compile(r"^(text|vision)_model\.encoder\.layers\.(\d+)\.(.*)$")


def is_hf_names(sd):
    return any(k.startswith(("vision_model.", "text_model.")) for k in sd)


def map_hf(sd):
    """Rename Hugging Face CLIPModel tensors to OpenAI's names (see the module docstring)."""
    out = OrderedDict()
    qkv = {}
    hf_qkv_names = {}
    for name, t in sd.items():
        if name.endswith("position_ids"):
            continue
        if name in HF_TOP:
            out[HF_TOP[name]] = t
            continue
        if name == "visual_projection.weight":
            out["visual.proj"] = transposed(t) if len(t.shape) == 2 else t
            continue
        if name == "text_projection.weight":
            out["text_projection"] = transposed(t) if len(t.shape) == 2 else t
            continue
        m = HF_LAYER_RE.match(name)
        if not m:
            out["hf:" + name] = t                        # unknown: dropped later
            continue
        tower, i, rest = m.groups()
        base = ("visual." if tower == "vision" else "") + "transformer.resblocks.%s." % i
        pm = re.match(r"^self_attn\.([qkv])_proj\.(weight|bias)$", rest)
        if pm:
            key = base + "attn.in_proj_" + pm.group(2)
            qkv.setdefault(key, {})[pm.group(1)] = t
            hf_qkv_names[key] = name[:-len(rest)] + "self_attn.%s_proj." + pm.group(2)
            if key not in out:
                out[key] = None                          # keep the position in the order
            continue
        for a, b in HF_BLOCK:
            if rest.startswith(a):
                out[base + b + rest[len(a):]] = t
                break
        else:
            out["hf:" + name] = t
    for key, parts in qkv.items():
        missing = [c for c in "qkv" if c not in parts]
        if missing:
            raise ExportError("missing tensor %s (needed for %s)"
                              % (hf_qkv_names[key] % missing[0], key))
        shapes = [parts[c].shape for c in "qkv"]
        dtypes = [parts[c].dtype for c in "qkv"]
        if len(set(shapes)) != 1 or len(set(dtypes)) != 1 or not shapes[0]:
            raise ExportError("tensor %s: q/k/v projections differ in shape or dtype: %s"
                              % (key, ", ".join("x".join(map(str, s)) for s in shapes)))
        out[key] = ConcatTensor([parts[c] for c in "qkv"])
    return OrderedDict((k, v) for k, v in out.items() if v is not None)


def hf_name(name):
    """The Hugging Face name of an OpenAI tensor name (for error messages)."""
    for hf, oa in HF_TOP.items():
        if oa == name and "pre_layernorm" not in hf:
            return hf
    if name == "visual.proj":
        return "visual_projection.weight (transposed)"
    if name == "text_projection":
        return "text_projection.weight (transposed)"
    m = re.match(r"^(visual\.)?transformer\.resblocks\.(\d+)\.(.*)$", name)
    if not m:
        return None
    base = "%s_model.encoder.layers.%s." % ("vision" if m.group(1) else "text", m.group(2))
    rest = m.group(3)
    if rest.startswith("attn.in_proj_"):
        return base + "self_attn.{q,k,v}_proj." + rest[len("attn.in_proj_"):]
    for a, b in HF_BLOCK:
        if rest.startswith(b):
            return base + a + rest[len(b):]
    return None


def read_hf_config(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            cfg = json.load(f)
    except OSError as e:
        raise ExportError("cannot read %s: %s" % (path, e.strerror or e)) from None
    except ValueError as e:
        raise ExportError("%s: bad JSON: %s" % (path, e)) from None
    if not isinstance(cfg, dict):
        raise ExportError("%s: not a CLIPModel config" % path)
    towers = {}
    for tower in ("text", "vision"):
        merged = dict(HF_DEFAULTS[tower])
        for key in (tower + "_config_dict", tower + "_config"):
            sub = cfg.get(key)
            if isinstance(sub, dict):
                merged.update({k: v for k, v in sub.items() if v is not None})
        towers[tower] = merged
    towers["projection_dim"] = cfg.get("projection_dim", 512)
    return towers


def load_hf_folder(folder):
    cfg_path = os.path.join(folder, "config.json")
    if not os.path.isfile(cfg_path):
        raise ExportError("%s: a folder, but without config.json: not a Hugging Face model "
                          "folder" % folder)
    config = read_hf_config(cfg_path)
    candidates = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                  "pytorch_model.bin.index.json"]
    for c in candidates:
        p = os.path.join(folder, c)
        if not os.path.isfile(p):
            continue
        if c.endswith(".index.json"):
            sd = OrderedDict()
            try:
                with open(p, "r", encoding="utf-8") as f:
                    wmap = json.load(f)["weight_map"]
            except (OSError, ValueError, KeyError, TypeError):
                raise ExportError("%s: bad shard index" % p) from None
            for shard in OrderedDict.fromkeys(wmap.values()):
                sd.update(load_checkpoint_file(os.path.join(folder, shard)))
        else:
            sd = load_checkpoint_file(p)
        return sd, config
    raise ExportError("%s: no model.safetensors or pytorch_model.bin in the folder" % folder)


def load_checkpoint_file(path):
    if not os.path.isfile(path):
        raise ExportError("no such file: %s" % path)
    with open(path, "rb") as f:
        head = f.read(16)
    if head[:2] == b"PK" or zipfile.is_zipfile(path):
        return load_torch_zip(path)
    if head[:1] == b"\x80":
        return load_torch_legacy(path)
    if len(head) >= 9 and head[8:9] == b"{":
        return load_safetensors(path)
    if len(head) < 16:
        raise ExportError("%s: file too short (%d bytes) to be a checkpoint" % (path, len(head)))
    raise ExportError("%s: not a PyTorch checkpoint (zip or legacy), a safetensors file, or a "
                      "Hugging Face folder" % path)


def load_input(path):
    """-> (OpenAI-named tensors, architecture overrides from a HF config or None)."""
    if os.path.isdir(path):
        sd, config = load_hf_folder(path)
    else:
        sd = load_checkpoint_file(path)
        config = None
        if is_hf_names(sd):
            cfg = os.path.join(os.path.dirname(os.path.abspath(path)), "config.json")
            if os.path.isfile(cfg):
                config = read_hf_config(cfg)
            else:
                log("warning: Hugging Face tensor names but no config.json beside %s: heads = "
                    "width/64, QuickGELU and eps 1e-5 assumed" % path)
    hf = is_hf_names(sd)
    if hf:
        sd = map_hf(sd)
    return sd, config, hf


# ==================================================================================================
# Architecture and validation
# ==================================================================================================

def required_tensors(a):
    """(name, shape) of every tensor the format needs, in OpenAI's state-dict order."""
    W, T = a["vision_width"], a["text_width"]
    G = a["image_size"] // a["patch_size"]
    P, E = a["patch_size"], a["embed_dim"]

    def blocks(prefix, layers, w, m):
        out = []
        for i in range(layers):
            b = "%stransformer.resblocks.%d." % (prefix, i)
            out += [(b + "attn.in_proj_weight", (3 * w, w)), (b + "attn.in_proj_bias", (3 * w,)),
                    (b + "attn.out_proj.weight", (w, w)), (b + "attn.out_proj.bias", (w,)),
                    (b + "ln_1.weight", (w,)), (b + "ln_1.bias", (w,)),
                    (b + "mlp.c_fc.weight", (m, w)), (b + "mlp.c_fc.bias", (m,)),
                    (b + "mlp.c_proj.weight", (w, m)), (b + "mlp.c_proj.bias", (w,)),
                    (b + "ln_2.weight", (w,)), (b + "ln_2.bias", (w,))]
        return out

    return ([("positional_embedding", (a["context_length"], T)), ("text_projection", (T, E)),
             ("visual.class_embedding", (W,)), ("visual.positional_embedding", (G * G + 1, W)),
             ("visual.proj", (W, E)), ("visual.conv1.weight", (W, 3, P, P)),
             ("visual.ln_pre.weight", (W,)), ("visual.ln_pre.bias", (W,))]
            + blocks("visual.", a["vision_layers"], W, a["vision_mlp"])
            + [("visual.ln_post.weight", (W,)), ("visual.ln_post.bias", (W,))]
            + blocks("", a["text_layers"], T, a["text_mlp"])
            + [("token_embedding.weight", (a["vocab_size"], T)), ("ln_final.weight", (T,)),
               ("ln_final.bias", (T,))])


def _shape_str(shape):
    return "x".join(str(d) for d in shape) if shape else "scalar"


def _need(sd, name, ndim):
    t = sd.get(name)
    if t is None:
        raise ExportError("missing tensor %s" % name)
    if len(t.shape) != ndim:
        raise ExportError("tensor %s has shape %s, expected %d dimensions"
                          % (name, _shape_str(t.shape), ndim))
    return t.shape


def derive_arch(sd, config):
    """Architecture numbers from the shapes, as CLIP's build_model does; heads, activation and
    eps from a Hugging Face config when there is one."""
    if "visual.layer1.0.conv1.weight" in sd or "visual.attnpool.c_proj.weight" in sd:
        raise ExportError("ResNet CLIP models are not supported (only ViT)")
    a = {}
    conv = _need(sd, "visual.conv1.weight", 4)
    a["vision_width"], a["patch_size"] = conv[0], conv[3]
    vpos = _need(sd, "visual.positional_embedding", 2)
    grid = int(round(math.sqrt(max(vpos[0] - 1, 0))))
    a["image_size"] = a["patch_size"] * grid
    a["text_width"] = _need(sd, "ln_final.weight", 1)[0]
    a["embed_dim"] = _need(sd, "text_projection", 2)[1]
    a["context_length"] = _need(sd, "positional_embedding", 2)[0]
    a["vocab_size"] = _need(sd, "token_embedding.weight", 2)[0]

    def count(prefix):
        layers = set()
        for k in sd:
            if k.startswith(prefix):
                layers.add(k[len(prefix):].split(".")[0])
        return max((int(i) + 1 for i in layers if i.isdigit()), default=0)
    a["vision_layers"] = count("visual.transformer.resblocks.")
    a["text_layers"] = count("transformer.resblocks.")
    a["vision_mlp"] = _need(sd, "visual.transformer.resblocks.0.mlp.c_fc.weight", 2)[0]
    a["text_mlp"] = _need(sd, "transformer.resblocks.0.mlp.c_fc.weight", 2)[0]
    a["vision_heads"] = a["vision_width"] // 64
    a["text_heads"] = a["text_width"] // 64
    a["activation"], a["eps"] = 0, 1e-5
    if config is not None:
        acts, epss = [], []
        for tower, key in (("vision", "vision_heads"), ("text", "text_heads")):
            c = config[tower]
            a[key] = int(c["num_attention_heads"])
            act = c.get("hidden_act", "quick_gelu")
            if act not in ("quick_gelu", "gelu"):
                raise ExportError("config.json: %s hidden_act %r is not supported (quick_gelu or "
                                  "gelu)" % (tower, act))
            acts.append(0 if act == "quick_gelu" else 1)
            epss.append(float(c.get("layer_norm_eps", 1e-5)))
        if acts[0] != acts[1] or epss[0] != epss[1]:
            raise ExportError("config.json: the two towers use different activations or "
                              "LayerNorm eps; the .sclip format has one of each")
        a["activation"], a["eps"] = acts[0], epss[0]
        for tower, key, name in (("vision", "hidden_size", "vision_width"),
                                 ("text", "hidden_size", "text_width")):
            if int(config[tower][key]) != a[name]:
                raise ExportError("config.json: %s %s = %s but the tensors have width %d"
                                  % (tower, key, config[tower][key], a[name]))
    for key in ("vision", "text"):
        w, h = a[key + "_width"], a[key + "_heads"]
        if h < 1 or w % h:
            raise ExportError("%s width %d cannot be split into heads (heads = %d)" % (key, w, h))
        if a[key + "_layers"] < 1:
            raise ExportError("no %s transformer blocks found (missing tensor %s)"
                              % (key, ("visual." if key == "vision" else "")
                                 + "transformer.resblocks.0.attn.in_proj_weight"))
    if grid < 1 or grid * grid + 1 != vpos[0]:
        raise ExportError("tensor visual.positional_embedding has %d rows: not a square grid "
                          "plus one class token" % vpos[0])
    return a


def validate(sd, arch, hf=False):
    """Every required tensor present with the right shape and a float dtype."""
    errors = []
    for name, shape in required_tensors(arch):
        t = sd.get(name)
        label = name
        if hf and hf_name(name):
            label = "%s (Hugging Face %s)" % (name, hf_name(name))
        if t is None:
            errors.append("missing tensor %s, expected shape %s" % (label, _shape_str(shape)))
        elif t.shape != shape:
            errors.append("tensor %s has shape %s, expected %s"
                          % (label, _shape_str(t.shape), _shape_str(shape)))
        elif t.dtype not in FLOAT_DTYPES:
            errors.append("tensor %s has dtype %s, expected a float type" % (label, t.dtype))
        else:
            t.check_bounds(name)
    if errors:
        more = "" if len(errors) <= 8 else "\n  ... and %d more" % (len(errors) - 8)
        raise ExportError("\n  ".join(errors[:8]) + more)


def logit_scale_value(sd):
    t = sd.get("logit_scale")
    if t is None:
        log("warning: no logit_scale tensor; writing ln(100)")
        return math.log(100.0)
    if t.numel != 1 or t.dtype not in FLOAT_DTYPES:
        raise ExportError("tensor logit_scale has shape %s, expected a scalar"
                          % _shape_str(t.shape))
    t.check_bounds("logit_scale")
    raw = convert(t.raw(), t.dtype, "f32", "tensor logit_scale")
    return struct.unpack("<f", raw)[0]


# ==================================================================================================
# Random weights (--random): IEEE bit patterns assembled from random bytes, no per-element loop
# ==================================================================================================

def _uniform_hi_table(k):
    """High-byte table for f16 values uniform in (-2^k, 2^k): a random byte gives the sign
    (bit 7), the two top mantissa bits (bits 0-1) and the octave from its five middle bits, each
    octave below the top half as likely as the previous one (P = 1/2, 1/4, ...): together with
    a uniform mantissa that is the uniform distribution, down to 2^(k-5)."""
    table = bytearray(256)
    for r in range(256):
        v = (r >> 2) & 31
        t = 0
        while t < 5 and not (v & (16 >> t)):
            t += 1
        t = min(t, 4) if v else 5
        e = k - 1 - t + 15
        assert 1 <= e <= 30
        table[r] = (r & 0x80) | (e << 2) | (r & 3)
    return bytes(table)


def _near_one_hi_table():
    """Values in [0.75, 1.5): exponent 0 with mantissa < 0.5, or exponent -1 with >= 0.5."""
    table = bytearray(256)
    for r in range(256):
        if r & 0x80:
            table[r] = (15 << 2) | (r & 1)            # [1, 1.5)
        else:
            table[r] = (14 << 2) | 2 | (r & 1)        # [0.75, 1)
    return bytes(table)


def _uniform_k(std):
    """Power-of-two half-width whose uniform distribution has about the given std."""
    return int(round(math.log2(std * math.sqrt(3.0))))


class RandomTensor(Tensor):
    def __init__(self, shape, table, rng):
        Tensor.__init__(self, "f16", shape, where="random")
        self.table = table
        self.rng = rng

    def chunks(self, max_elems):
        n = self.numel
        for p in range(0, n, max_elems):
            m = min(max_elems, n - p)
            # = rng.randbytes(2 * m), which needs Python 3.9
            buf = bytearray(self.rng.getrandbits(16 * m).to_bytes(2 * m, "little"))
            buf[1::2] = buf[1::2].translate(self.table)
            yield bytes(buf)


def random_state_dict(arch, seed):
    """Seeded random weights with sane scales (see weights/README.md, option 3)."""
    rng = random.Random(seed)
    tables = {}

    def uniform(std):
        k = _uniform_k(std)
        if k not in tables:
            tables[k] = _uniform_hi_table(k)
        return tables[k]
    near_one = _near_one_hi_table()
    sd = OrderedDict()
    for name, shape in required_tensors(arch):
        if ".ln_" in "." + name and name.endswith(".weight"):
            table = near_one
        elif name.endswith("bias"):
            table = uniform(0.005)
        elif name.endswith("positional_embedding"):
            table = uniform(0.01)
        elif name == "visual.proj":
            table = uniform(arch["vision_width"] ** -0.5)
        elif name == "text_projection":
            table = uniform(arch["text_width"] ** -0.5)
        else:                                  # weight matrices, embeddings, class embedding
            table = uniform(0.02)
        sd[name] = RandomTensor(shape, table, rng)
    return sd


# ==================================================================================================
# The merge list
# ==================================================================================================

def find_vocab(explicit):
    if explicit:
        if not os.path.isfile(explicit):
            raise ExportError("vocabulary file not found: %s" % explicit)
        return explicit
    dirs = []
    try:
        spec = importlib.util.find_spec("clip")
        if spec is not None and spec.origin:
            dirs.append(os.path.dirname(spec.origin))
    except (ImportError, ValueError):
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    dirs.append(os.path.join(here, "..", "..", "shared", "data"))
    dirs.append(os.path.join(os.getcwd(), "..", "shared", "data"))
    if os.environ.get("SCLIP_SHARED"):
        dirs.append(os.path.join(os.environ["SCLIP_SHARED"], "data"))
    for d in dirs:
        for name in (VOCAB_NAME + ".gz", VOCAB_NAME):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return os.path.normpath(p)
    raise ExportError("CLIP's merge list %s(.gz) was not found (looked next to an installed "
                      "`clip` package, in ../shared/data and $SCLIP_SHARED/data); pass --vocab "
                      "PATH, or --no-vocab to write a file without it" % VOCAB_NAME)


def read_merges(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise ExportError("cannot read vocabulary %s: %s" % (path, e)) from None
    lines = data.split(b"\n", N_MERGES + 1)
    if len(lines) < N_MERGES + 2 and not (len(lines) == N_MERGES + 1 and lines[-1]):
        raise ExportError("%s: has fewer than %d merge lines" % (path, N_MERGES))
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines[:N_MERGES + 1]]
    if b"#version" not in lines[0]:
        raise ExportError("%s: does not start with a '#version' line: not CLIP's merge list"
                          % path)
    for i, line in enumerate(lines[1:], 1):
        if line.count(b" ") != 1 or line.startswith(b" ") or line.endswith(b" "):
            raise ExportError("%s: line %d is not a merge ('a b')" % (path, i + 1))
    try:
        text = b"".join(line + b"\n" for line in lines)
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError("%s: not UTF-8" % path) from None
    if hashlib.sha256(text).hexdigest() != MERGES_SHA256:
        log("warning: %s is not CLIP's bpe_simple_vocab_16e6 merge list (sha256 differs)" % path)
    return text


# ==================================================================================================
# Writer
# ==================================================================================================

def _align(x):
    return (x + ALIGN - 1) // ALIGN * ALIGN


def write_sclip(out_path, sd, arch, merges, dtype, quiet=False):
    quiet = quiet or not sys.stderr.isatty()          # the progress line is for terminals
    plan = []
    for name, shape in required_tensors(arch):
        if len(shape) < 2 or dtype == "f32":
            dt = "f32"
        elif dtype == "q8" and name not in Q8_KEEP_F16:
            dt = "q8"
        else:
            dt = "f16"
        if dt == "q8":
            nbytes = q8_nbytes(shape[0], _numel(shape) // shape[0])
        else:
            nbytes = _numel(shape) * (2 if dt == "f16" else 4)
        plan.append((name, shape, dt, nbytes))
    table_off = HEADER_SIZE
    merges_off = table_off + ENTRY_SIZE * len(plan) if merges else 0
    merges_size = len(merges) if merges else 0
    data_off = _align(table_off + ENTRY_SIZE * len(plan) + merges_size)
    offsets, pos = [], 0
    for _, _, _, nbytes in plan:
        pos = _align(pos)
        offsets.append(pos)
        pos += nbytes
    data_size = pos
    file_size = data_off + data_size

    header = bytearray(HEADER_SIZE)
    struct.pack_into("<8sIIQII", header, 0, b"SCLIPWT\0", FORMAT_VERSION, HEADER_SIZE, file_size,
                     len(plan), 0)
    struct.pack_into("<QQQQQ", header, 32, table_off, merges_off, merges_size, data_off,
                     data_size)
    struct.pack_into("<14I", header, 72, *[int(arch[k]) for k in ARCH_FIELDS])
    struct.pack_into("<ff", header, 128, arch["eps"], arch["logit_scale"])

    table = bytearray()
    for (name, shape, dt, _), off in zip(plan, offsets):
        nb = name.encode("utf-8")
        if len(nb) > 63:
            raise ExportError("tensor name too long for the format: %s" % name)
        dims = list(shape) + [0] * (4 - len(shape))
        table += struct.pack("<64sII4IQ", nb, DTYPE_CODE[dt], len(shape), *dims, off)

    tmp = out_path + ".part"
    try:
        with open(tmp, "wb") as f:
            f.write(header)
            f.write(table)
            if merges:
                f.write(merges)
            f.write(b"\0" * (data_off - f.tell()))
            done, total, last = 0, file_size, 0.0
            for (name, shape, dt, nbytes), off in zip(plan, offsets):
                f.write(b"\0" * (data_off + off - f.tell()))
                t = sd[name]
                written = 0
                if dt == "q8":                       # whole tensor: rows span chunks
                    raw = b"".join(convert(chunk, t.dtype, "f32", "tensor %s" % name)
                                   for chunk in t.chunks(CHUNK))
                    if len(raw) == 4 * _numel(shape):
                        raw = quantize_q8(raw, shape[0], _numel(shape) // shape[0])
                    f.write(raw)
                    written = len(raw)
                else:
                    for chunk in t.chunks(CHUNK):
                        b = convert(chunk, t.dtype, dt, "tensor %s" % name)
                        f.write(b)
                        written += len(b)
                if written != nbytes:
                    raise ExportError("tensor %s: read %d bytes, expected %d"
                                      % (name, written, nbytes))
                done = f.tell()
                now = time.time()
                if not quiet and now - last > 0.5:
                    last = now
                    sys.stderr.write("\rwriting %s: %d%%" % (out_path, 100 * done // total))
                    sys.stderr.flush()
            if f.tell() != file_size:
                raise ExportError("internal error: wrote %d bytes, expected %d"
                                  % (f.tell(), file_size))
        os.replace(tmp, out_path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        if not quiet:
            sys.stderr.write("\r" + " " * 70 + "\r")
    return file_size


# ==================================================================================================
# Download
# ==================================================================================================

def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def download(name, cache, quiet=False):
    if name not in MODELS:
        raise ExportError("unknown model %r for --download; choose one of %s"
                          % (name, ", ".join(MODELS)))
    sha, filename = MODELS[name]
    base = os.environ.get("SCLIP_DOWNLOAD_BASE", URL_BASE).rstrip("/")
    url = "%s/%s/%s" % (base, sha, filename)
    cache = os.path.expanduser(cache)
    target = os.path.join(cache, filename)
    if os.path.isfile(target):
        if _sha256_file(target) == sha:
            if not quiet:
                log("using cached %s" % target)
            return target
        log("warning: %s exists but its SHA-256 does not match; downloading it again" % target)
    try:
        os.makedirs(cache, exist_ok=True)
    except OSError as e:
        raise ExportError("cannot create the cache folder %s: %s" % (cache, e.strerror or e))
    timeout = float(os.environ.get("SCLIP_DOWNLOAD_TIMEOUT", "20"))
    part = target + ".part"
    hint = ("without a network: fetch %s elsewhere, check its SHA-256 (%s), save it as %s (or "
            "pass it as INPUT), or use --random %s for a random-weight model of the same shape"
            % (url, sha, target, name))
    h = hashlib.sha256()
    tty = sys.stderr.isatty()
    if not quiet:
        log("downloading %s to %s" % (url, target))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as src, open(part, "wb") as out:
            total = int(src.headers.get("Content-Length") or 0)
            got, last = 0, 0.0
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                out.write(block)
                h.update(block)
                got += len(block)
                now = time.time()
                if not quiet and now - last > (0.25 if tty else 10.0):
                    last = now
                    pct = " (%d%%)" % (100 * got // total) if total else ""
                    sys.stderr.write("%sdownloading %s: %.1f / %.1f MB%s%s" % (
                        "\r" if tty else "", filename, got / 1e6, total / 1e6, pct,
                        "" if tty else "\n"))
                    sys.stderr.flush()
        if not quiet and tty:
            sys.stderr.write("\n")
    except (urllib.error.URLError, OSError, socket.timeout, ValueError) as e:
        try:
            os.unlink(part)
        except OSError:
            pass
        reason = getattr(e, "reason", None) or e
        raise ExportError("cannot download %s: %s\n  %s" % (url, reason, hint)) from None
    if h.hexdigest() != sha:
        os.unlink(part)
        raise ExportError("downloaded %s but its SHA-256 is %s, expected %s" % (url, h.hexdigest(),
                                                                            sha))
    os.replace(part, target)
    return target


# ==================================================================================================
# Command line
# ==================================================================================================

def main(argv=None):
    p = argparse.ArgumentParser(
        prog="export_weights.py",
        description="Convert a CLIP ViT checkpoint into sclip's .sclip weight file.")
    p.add_argument("input", nargs="?", help="checkpoint file (TorchScript .pt, torch.save .pt/.bin,"
                   " .safetensors) or Hugging Face CLIPModel folder")
    p.add_argument("-o", "--output", required=True, help="the .sclip file to write")
    p.add_argument("--dtype", choices=("f32", "f16", "q8"), default="f32",
                   help="storage of tensors with 2 or more dimensions (default f32; 1-D "
                   "tensors are always f32); q8 = int8 with one f32 scale per row for the "
                   "weight matrices and conv1, f16 for the embeddings and the two projections")
    p.add_argument("--vocab", help="CLIP's bpe_simple_vocab_16e6.txt(.gz)")
    p.add_argument("--no-vocab", action="store_true", help="write no merge list")
    p.add_argument("--download", metavar="MODEL", help="download an OpenAI checkpoint (%s), "
                   "verify its SHA-256 and convert it" % ", ".join(MODELS))
    p.add_argument("--cache", default="~/.cache/clip",
                   help="download folder (default ~/.cache/clip, as OpenAI's clip uses)")
    p.add_argument("--random", metavar="MODEL", help="seeded random weights of an architecture "
                   "(%s)" % ", ".join(RANDOM_ARCHS))
    p.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    args = p.parse_args(argv)
    if sum(x is not None for x in (args.input, args.download, args.random)) != 1:
        p.error("give exactly one of INPUT, --download MODEL, --random MODEL")
    if args.random is not None and args.random not in RANDOM_ARCHS:
        p.error("unknown architecture %r for --random; choose one of %s"
                % (args.random, ", ".join(RANDOM_ARCHS)))

    t0 = time.time()
    merges = None if args.no_vocab else read_merges(find_vocab(args.vocab))
    if args.random is not None:
        arch = dict(RANDOM_ARCHS[args.random])
        sd = random_state_dict(arch, args.seed)
        source = "random %s (seed %d)" % (args.random, args.seed)
    else:
        path = args.input if args.input is not None else download(args.download, args.cache,
                                                                  args.quiet)
        if not os.path.exists(path):
            raise ExportError("no such file or folder: %s" % path)
        sd, config, hf = load_input(path)
        arch = derive_arch(sd, config)
        validate(sd, arch, hf)
        arch["logit_scale"] = logit_scale_value(sd)
        source = path
        known = set(n for n, _ in required_tensors(arch)) | {"logit_scale"}
        dropped = [k for k in sd if k not in known]
        if dropped and not args.quiet:
            log("ignored %d tensor(s) not used by the format: %s%s"
                % (len(dropped), ", ".join(dropped[:5]), " ..." if len(dropped) > 5 else ""))
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        raise ExportError("output folder does not exist: %s" % out_dir)
    size = write_sclip(args.output, sd, arch, merges, args.dtype, args.quiet)
    if not args.quiet:
        log("wrote %s: %s, %d tensors, %s, %.1f MB, %.1f s" % (
            args.output, source, len(required_tensors(arch)), args.dtype, size / 1e6,
            time.time() - t0))
        log("  vision: width %d, layers %d, heads %d, patch %d, image %d; text: width %d, "
            "layers %d, heads %d, context %d, vocab %d; embed %d; %s; logit_scale %.4f" % (
                arch["vision_width"], arch["vision_layers"], arch["vision_heads"],
                arch["patch_size"], arch["image_size"], arch["text_width"], arch["text_layers"],
                arch["text_heads"], arch["context_length"], arch["vocab_size"],
                arch["embed_dim"], "GELU" if arch["activation"] else "QuickGELU",
                arch["logit_scale"]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ExportError as e:
        sys.stderr.write("export_weights: error: %s\n" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("export_weights: interrupted\n")
        sys.exit(130)
    except MemoryError:
        sys.stderr.write("export_weights: error: out of memory\n")
        sys.exit(1)
    except Exception as e:                               # a bug, or input we did not foresee
        if os.environ.get("SCLIP_DEBUG"):
            raise
        sys.stderr.write("export_weights: error: unexpected %s: %s (set SCLIP_DEBUG=1 for a "
                         "traceback)\n" % (type(e).__name__, e))
        sys.exit(1)
