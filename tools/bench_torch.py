#!/usr/bin/python3
"""PyTorch reference timings for `make bench`: CLIP ViT-B/16 + SCLIP on the CPU.

Runs under Debian's /usr/bin/python3 (python3-torch 1.13, python3-numpy; python3-opencv is
used for the image resize when importable). The model is written here from
../shared/SCLIP_SPEC.md (sections 1-4), not taken from the CLIP or SCLIP repositories.

Figures (JSON lines on stdout, one object per figure; lines starting with '#' are for humans):
  forward_224  one 224x224 vision forward, SCLIP's CSA last block, all 197 tokens out (1x197x512)
  voc_image    one 500x375 RGB uint8 image end to end, the official VOC21 pipeline (spec 4):
               resize to short side 336, normalise, 6 windows 224/112, cosine logits against 56
               cached query embeddings, bilinear x16, overlap mean, resize back, logit scale 65,
               softmax, max over synonyms, area/probability thresholds 0.1, argmax
  voc21_text   the VOC21 class embeddings as the official code computes them: 56 names x 80
               templates = 4480 prompts, full 77-token context, one batch of 80 per name.
               With --text-prompts N only the first N prompts are timed (whole batches of 80
               where possible) and the time is extrapolated linearly to 4480.
  peak_rss_mb  peak resident memory of this process after the vision figures (only the vision
               tower is loaded then, as in sclip-bench), or at the end without them

Weights: --model FILE reads a .sclip file (weights/README.md; f32 or f16 storage, computed in
f32), else seeded random weights of the ViT-B/16 shapes. --export-onnx PATH writes the vision
tower (CSA, 1x3x224x224 -> 1x197x512) as ONNX for tools/bench_ort.js, plus PATH.check.bin
(a test input and the PyTorch output) so that the ONNX Runtime side can verify its result.
"""
import argparse
import gzip
import html
import json
import os
import re
import struct
import sys
import time

# Must be decided before the BLAS library is loaded (it reads the variable when it starts).
_THREADS_ARG = None
for _i, _a in enumerate(sys.argv):
    if _a == "--threads" and _i + 1 < len(sys.argv):
        _THREADS_ARG = sys.argv[_i + 1]
    elif _a.startswith("--threads="):
        _THREADS_ARG = _a.split("=", 1)[1]
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, _THREADS_ARG or "2")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SCLIP_SHARED", os.path.join(HERE, "..", "..", "shared"))
if not os.path.isabs(SHARED):
    SHARED = os.path.join(HERE, "..", SHARED)

MEAN = (122.771, 116.746, 104.094)   # spec 4.3, RGB order
STD = (68.501, 66.632, 70.323)


def human(msg):
    print("# " + msg, flush=True)


emitted = set()


def emit(obj):
    emitted.add(obj.get("name"))
    print(json.dumps(obj), flush=True)


# ------------------------------------------------------------------------------------------
# Weights: the .sclip file (weights/README.md) or seeded random tensors of the same shapes
# ------------------------------------------------------------------------------------------

ARCH_FIELDS = ("v_width", "v_layers", "v_heads", "v_mlp", "v_patch", "v_image",
               "t_width", "t_layers", "t_heads", "t_mlp", "t_ctx", "t_vocab", "embed", "act")

VIT_B16 = dict(v_width=768, v_layers=12, v_heads=12, v_mlp=3072, v_patch=16, v_image=224,
               t_width=512, t_layers=12, t_heads=8, t_mlp=2048, t_ctx=77, t_vocab=49408,
               embed=512, act=0, eps=1e-5, logit_scale=4.6052)


class FileTensor:
    """A tensor of a .sclip file, read (as float32) only when a tower needs it. Plain reads,
    no mapping: the page cache of the file does not count in this process's memory."""

    def __init__(self, path, start, dtype, shape):
        self.path, self.start, self.dtype, self.shape = path, start, dtype, tuple(shape)

    def load(self):
        with open(self.path, "rb") as f:
            f.seek(self.start)
            count = int(np.prod(self.shape)) if self.shape else 1
            a = np.fromfile(f, dtype=self.dtype, count=count)
        return torch.from_numpy(a.astype(np.float32, copy=False).reshape(self.shape))


def read_sclip(path):
    """Parse a .sclip file; returns (arch dict, {name: FileTensor}, merges text)."""
    with open(path, "rb") as f:
        head = f.read(256)
        size = os.fstat(f.fileno()).st_size
        if len(head) < 256:
            raise ValueError("%s: shorter than the 256-byte header" % path)
        if head[:8] != b"SCLIPWT\0":
            raise ValueError("%s: bad magic (not a .sclip file)" % path)
        version, hsize, fsize, ntens, _res, tab_off, mrg_off, mrg_size, dat_off, dat_size = \
            struct.unpack_from("<IIQIIQQQQQ", head, 8)
        if version != 1 or hsize != 256:
            raise ValueError("%s: unsupported version %d / header size %d"
                             % (path, version, hsize))
        if fsize > size:
            raise ValueError("%s: truncated (%d of %d bytes)" % (path, size, fsize))
        if not 1 <= ntens <= 4096 or tab_off + 96 * ntens > fsize or \
                dat_off + dat_size > fsize or mrg_off + mrg_size > fsize:
            raise ValueError("%s: tensor table / sections out of range" % path)
        f.seek(tab_off)
        table = f.read(96 * ntens)
        merges = None
        if mrg_off:
            f.seek(mrg_off)
            merges = f.read(mrg_size).decode("utf-8")
    arch = dict(zip(ARCH_FIELDS, struct.unpack_from("<14I", head, 72)))
    arch["eps"], arch["logit_scale"] = struct.unpack_from("<ff", head, 128)
    tensors = {}
    for i in range(ntens):
        e = table[96 * i: 96 * (i + 1)]
        name = e[:64].split(b"\0", 1)[0].decode("utf-8")
        dtype, ndim = struct.unpack_from("<II", e, 64)
        if dtype not in (0, 1) or ndim > 4:
            raise ValueError("%s: tensor %s has unsupported dtype %d / rank %d"
                             % (path, name, dtype, ndim))
        shape = struct.unpack_from("<4I", e, 72)[:ndim]
        (off,) = struct.unpack_from("<Q", e, 88)
        npdt = np.dtype("<f4") if dtype == 0 else np.dtype("<f2")
        count = int(np.prod(shape)) if ndim else 1
        if off + count * npdt.itemsize > dat_size:
            raise ValueError("%s: tensor %s lies outside the data section" % (path, name))
        tensors[name] = FileTensor(path, dat_off + off, npdt, shape)
    return arch, tensors, merges


def shapes(a):
    """Every tensor name with its shape, as in the .sclip table (weights/README.md)."""
    g = a["v_image"] // a["v_patch"]
    out = {
        "visual.class_embedding": (a["v_width"],),
        "visual.positional_embedding": (g * g + 1, a["v_width"]),
        "visual.conv1.weight": (a["v_width"], 3, a["v_patch"], a["v_patch"]),
        "visual.ln_pre.weight": (a["v_width"],), "visual.ln_pre.bias": (a["v_width"],),
        "visual.ln_post.weight": (a["v_width"],), "visual.ln_post.bias": (a["v_width"],),
        "visual.proj": (a["v_width"], a["embed"]),
        "token_embedding.weight": (a["t_vocab"], a["t_width"]),
        "positional_embedding": (a["t_ctx"], a["t_width"]),
        "ln_final.weight": (a["t_width"],), "ln_final.bias": (a["t_width"],),
        "text_projection": (a["t_width"], a["embed"]),
    }
    for pre, w, m, n in (("visual.transformer", a["v_width"], a["v_mlp"], a["v_layers"]),
                         ("transformer", a["t_width"], a["t_mlp"], a["t_layers"])):
        for i in range(n):
            b = "%s.resblocks.%d." % (pre, i)
            out.update({b + "ln_1.weight": (w,), b + "ln_1.bias": (w,),
                        b + "attn.in_proj_weight": (3 * w, w), b + "attn.in_proj_bias": (3 * w,),
                        b + "attn.out_proj.weight": (w, w), b + "attn.out_proj.bias": (w,),
                        b + "ln_2.weight": (w,), b + "ln_2.bias": (w,),
                        b + "mlp.c_fc.weight": (m, w), b + "mlp.c_fc.bias": (m,),
                        b + "mlp.c_proj.weight": (w, m), b + "mlp.c_proj.bias": (w,)})
    return out


def is_vision(name):
    return name.startswith("visual.")


def tower_tensors(arch, raw, tower):
    """float32 torch tensors of one tower ("vision" or "text") from read_sclip's views."""
    return {n: raw[n].load() for n in shapes(arch) if is_vision(n) == (tower == "vision")}


def random_weights(arch, seed, tower):
    """Seeded random weights of one tower, with sane magnitudes (no overflow, no denormals)."""
    gen = torch.Generator().manual_seed(seed + (tower == "text"))
    t = {}
    for name, shp in shapes(arch).items():
        if is_vision(name) != (tower == "vision"):
            continue
        if name.endswith(("ln_1.weight", "ln_2.weight", "ln_pre.weight", "ln_post.weight",
                          "ln_final.weight")):
            t[name] = torch.ones(shp)
        elif name.endswith("bias"):
            t[name] = torch.randn(shp, generator=gen) * 0.01
        else:
            fan_in = shp[-1] if len(shp) == 2 else int(np.prod(shp[1:])) if len(shp) > 1 else 64
            if name in ("visual.proj", "text_projection"):
                fan_in = shp[0]
            t[name] = torch.randn(shp, generator=gen) * fan_in ** -0.5
    return t


def check_weights(arch, t):
    for name, shp in shapes(arch).items():
        if name not in t:
            raise ValueError("weights: tensor %s is missing" % name)
        if tuple(t[name].shape) != tuple(shp):
            raise ValueError("weights: tensor %s has shape %s, expected %s"
                             % (name, tuple(t[name].shape), shp))


# ------------------------------------------------------------------------------------------
# The model (spec 1-2): pre-LN residual blocks, packed q/k/v projection, QuickGELU
# ------------------------------------------------------------------------------------------

class Clip(torch.nn.Module):
    def __init__(self, arch, tensors):
        super().__init__()
        self.a = arch
        for name, v in tensors.items():   # buffers, so that torch.onnx.export sees constants
            self.register_buffer(name.replace(".", "__"), v.contiguous())
        n = arch["t_ctx"]
        self.register_buffer("causal", torch.full((n, n), float("-inf")).triu(1))

    def w(self, name):
        return getattr(self, name.replace(".", "__"))

    def ln(self, x, pre):
        return F.layer_norm(x, x.shape[-1:], self.w(pre + ".weight"), self.w(pre + ".bias"),
                            self.a["eps"])

    def attention(self, x, b, heads, mask=None, csa=False):
        """Multi-head attention on (B, L, D). csa=True is SCLIP's Correlative Self-Attention:
        softmax(q q^T / 8) + softmax(k k^T / 8), the sum not renormalised, times v."""
        B, L, D = x.shape
        qkv = F.linear(x, self.w(b + "attn.in_proj_weight"), self.w(b + "attn.in_proj_bias"))
        q, k, v = (t.reshape(B, L, heads, D // heads).transpose(1, 2) for t in qkv.split(D, -1))
        s = (D // heads) ** -0.5
        if csa:
            a = torch.softmax(q @ q.transpose(-1, -2) * s, -1) + \
                torch.softmax(k @ k.transpose(-1, -2) * s, -1)
        else:
            a = (q * s) @ k.transpose(-1, -2)
            if mask is not None:
                a = a + mask
            a = torch.softmax(a, -1)
        o = (a @ v).transpose(1, 2).reshape(B, L, D)
        return F.linear(o, self.w(b + "attn.out_proj.weight"), self.w(b + "attn.out_proj.bias"))

    def mlp(self, x, b):
        h = F.linear(x, self.w(b + "mlp.c_fc.weight"), self.w(b + "mlp.c_fc.bias"))
        h = h * torch.sigmoid(1.702 * h) if self.a["act"] == 0 else F.gelu(h)
        return F.linear(h, self.w(b + "mlp.c_proj.weight"), self.w(b + "mlp.c_proj.bias"))

    def block(self, x, b, heads, mask=None, csa=False):
        x = x + self.attention(self.ln(x, b + "ln_1"), b, heads, mask, csa)
        return x + self.mlp(self.ln(x, b + "ln_2"), b)

    def pos_embed(self, gh, gw):
        """Spec 2.3: the trained grid, or bicubic to gh x gw with scale (g+0.1)/grid."""
        pe = self.w("visual.positional_embedding")
        g = self.a["v_image"] // self.a["v_patch"]
        if gh == g and gw == g:
            return pe
        grid = pe[1:].reshape(1, g, g, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=((gh + 0.1) / g, (gw + 0.1) / g),
                             mode="bicubic", align_corners=False)
        return torch.cat([pe[:1], grid.permute(0, 2, 3, 1).reshape(gh * gw, -1)])

    def encode_image(self, img):
        """(B, 3, H, W) normalised pixels -> (B, 1 + gh*gw, embed): every token after
        ln_post and proj, the last block with CSA (spec 2)."""
        p = self.a["v_patch"]
        x = F.conv2d(img, self.w("visual.conv1.weight"), stride=p)
        B, D, gh, gw = x.shape
        x = x.flatten(2).transpose(1, 2)
        cls = self.w("visual.class_embedding").reshape(1, 1, D).expand(B, 1, D)
        x = torch.cat([cls, x], 1) + self.pos_embed(gh, gw)
        x = self.ln(x, "visual.ln_pre")
        n, h = self.a["v_layers"], self.a["v_heads"]
        for i in range(n):
            x = self.block(x, "visual.transformer.resblocks.%d." % i, h, csa=(i == n - 1))
        return self.ln(x, "visual.ln_post") @ self.w("visual.proj")

    def forward(self, img):
        return self.encode_image(img)

    def encode_text(self, tokens):
        """(B, 77) token ids -> (B, embed): causal transformer, ln_final, the row at the EOT
        token (the largest id), text_projection (spec 1.3)."""
        x = F.embedding(tokens, self.w("token_embedding.weight")) + self.w("positional_embedding")
        for i in range(self.a["t_layers"]):
            x = self.block(x, "transformer.resblocks.%d." % i, self.a["t_heads"], self.causal)
        x = self.ln(x, "ln_final")
        x = x[torch.arange(x.shape[0]), tokens.argmax(-1)]
        return x @ self.w("text_projection")


# ------------------------------------------------------------------------------------------
# Tokenizer (spec 1.5): byte-level BPE with CLIP's merges. Exact for ASCII text (all SCLIP
# prompts are ASCII; ftfy is not applied); the stdlib `re` classes stand in for \p{L} / \p{N}.
# ------------------------------------------------------------------------------------------

class Tokenizer:
    SOT, EOT = 49406, 49407
    PAT = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
                     r"[^\W\d_]+|\d|(?:[^\s\w]|_)+", re.IGNORECASE)

    def __init__(self, merges_text):
        # GPT-2 byte -> printable character table: printable Latin-1 bytes map to themselves,
        # the others to 256, 257, ... in byte order.
        keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
        extra = [b for b in range(256) if b not in keep]
        self.byte_char = {b: chr(b) for b in keep}
        self.byte_char.update({b: chr(256 + i) for i, b in enumerate(extra)})
        lines = merges_text.split("\n")[1:49152 - 256 - 2 + 1]
        merges = [tuple(l.split()) for l in lines]
        vocab = [self.byte_char[b] for b in keep + extra]
        vocab += [v + "</w>" for v in vocab] + ["".join(m) for m in merges]
        self.ids = {v: i for i, v in enumerate(vocab)}
        self.rank = {m: i for i, m in enumerate(merges)}
        self.cache = {"<|startoftext|>": [self.SOT], "<|endoftext|>": [self.EOT]}

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        sym = list(word[:-1]) + [word[-1] + "</w>"]
        while len(sym) > 1:
            pairs = {(sym[i], sym[i + 1]) for i in range(len(sym) - 1)}
            best = min(pairs, key=lambda p: self.rank.get(p, 1 << 30))
            if best not in self.rank:
                break
            out, i = [], 0
            while i < len(sym):   # merge every occurrence, left to right
                if i < len(sym) - 1 and (sym[i], sym[i + 1]) == best:
                    out.append(sym[i] + sym[i + 1])
                    i += 2
                else:
                    out.append(sym[i])
                    i += 1
            sym = out
        ids = [self.ids[s] for s in sym]
        self.cache[word] = ids
        return ids

    def encode(self, text, ctx=77):
        text = html.unescape(html.unescape(text))
        text = re.sub(r"\s+", " ", text.strip()).strip().lower()
        ids = [self.SOT]
        for tok in self.PAT.findall(text):
            if tok in self.cache:   # the special tokens
                ids += self.cache[tok]
                continue
            ids += self.bpe("".join(self.byte_char[b] for b in tok.encode("utf-8")))
        ids.append(self.EOT)
        if len(ids) > ctx:
            raise ValueError("prompt too long for the %d-token context: %r" % (ctx, text))
        return ids + [0] * (ctx - len(ids))


def approx_tokens(text, ctx=77):
    """Fallback without a merge list: one token per word/punctuation run. Only the EOT
    position differs from the real tokenizer; the work (full 77-token context) is identical."""
    words = Tokenizer.PAT.findall(text.lower())
    ids = [Tokenizer.SOT] + [1000 + len(w) for w in words] + [Tokenizer.EOT]
    return ids[:ctx] + [0] * (ctx - len(ids))


def find_merges(from_model):
    if from_model:
        return from_model, "merge list from the .sclip file"
    p = os.path.join(SHARED, "data", "bpe_simple_vocab_16e6.txt.gz")
    if os.path.exists(p):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            return f.read(), p
    return None, None


# ------------------------------------------------------------------------------------------
# The SCLIP pipeline (spec 3-4)
# ------------------------------------------------------------------------------------------

def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def voc21_queries():
    """Query names and their class index (spec 3.1: split each line on ', ')."""
    names, cls = [], []
    for i, line in enumerate(read_lines(os.path.join(SHARED, "classnames", "voc21.txt"))):
        for n in line.split(", "):
            names.append(n.replace("\n", ""))
            cls.append(i)
    return names, cls


def class_embeddings(model, token_batches):
    """Spec 3.2: per name, 80 prompts -> encode_text -> L2-normalise -> mean -> L2-normalise."""
    out = []
    for toks in token_batches:
        f = F.normalize(model.encode_text(toks), dim=-1).mean(0)
        out.append(F.normalize(f, dim=-1))
    return torch.stack(out)


def windows(h, w, crop=224, stride=112):
    """Spec 4.4: stride 112, the last window snapped to the border; rows outer."""
    nh = max(h - crop + stride - 1, 0) // stride + 1
    nw = max(w - crop + stride - 1, 0) // stride + 1
    for i in range(nh):
        for j in range(nw):
            y2, x2 = min(i * stride + crop, h), min(j * stride + crop, w)
            yield max(y2 - crop, 0), max(x2 - crop, 0), y2, x2


def resize_uint8(img, short=336, long_cap=2048):
    """Spec 4.2: keep ratio, short side to 336 (long side capped), OpenCV bilinear on uint8."""
    h0, w0 = img.shape[:2]
    f = min(long_cap / max(h0, w0), short / min(h0, w0))
    w1, h1 = int(w0 * f + 0.5), int(h0 * f + 0.5)
    if cv2 is not None:
        return torch.from_numpy(cv2.resize(img, (w1, h1), interpolation=cv2.INTER_LINEAR))
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    x = F.interpolate(x, size=(h1, w1), mode="bilinear", align_corners=False)
    return x[0].round().clamp(0, 255).permute(1, 2, 0)


def segment(model, img, queries, groups, logit_scale=65.0, prob_thd=0.1, area_thd=0.1):
    """One RGB uint8 image (H0, W0, 3) -> class map (H0, W0), VOC21 config (spec 4)."""
    prob = segment_probs(model, img, queries, groups, logit_scale, area_thd)
    best, pred = prob.max(0)
    pred[best < prob_thd] = 0
    return pred


def segment_probs(model, img, queries, groups, logit_scale, area_thd):
    """Spec 4.2-4.6 up to the per-class probabilities (C, H0, W0) after the area filter."""
    h0, w0 = img.shape[:2]
    r = resize_uint8(img)
    x = r.permute(2, 0, 1)[None].float()
    x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    h1, w1 = x.shape[2:]
    q = queries.shape[0]
    preds = torch.zeros(1, q, h1, w1)
    count = torch.zeros(1, 1, h1, w1)
    p = model.a["v_patch"]
    for y1, x1, y2, x2 in windows(h1, w1):
        feats = F.normalize(model.encode_image(x[:, :, y1:y2, x1:x2])[0, 1:], dim=-1)
        gh, gw = (y2 - y1) // p, (x2 - x1) // p
        logits = (feats @ queries.t()).t().reshape(1, q, gh, gw)
        preds[:, :, y1:y2, x1:x2] += F.interpolate(logits, size=(y2 - y1, x2 - x1),
                                                    mode="bilinear", align_corners=False)
        count[:, :, y1:y2, x1:x2] += 1
    preds = F.interpolate(preds / count, size=(h0, w0), mode="bilinear", align_corners=False)
    prob = torch.softmax(preds[0] * logit_scale, 0)
    prob = torch.stack([prob[g].amax(0) for g in groups])      # max over synonyms
    if area_thd is not None:
        n = torch.bincount(prob.argmax(0).flatten(), minlength=len(groups))
        total = n[1:].sum()
        for c in range(1, len(groups)):
            if not n[c] > area_thd * total:
                prob[c] = 0
    return prob


# ------------------------------------------------------------------------------------------
# Timing and environment report
# ------------------------------------------------------------------------------------------

def timed(fn, runs, warmup, budget):
    """Median wall time of `runs` calls after `warmup` calls; stops early (at least one run)
    when the runs so far exceed `budget` seconds."""
    for _ in range(warmup):
        fn()
    times = []
    t_all = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if time.perf_counter() - t_all > budget:
            break
    return float(np.median(times)), times


def blas_report():
    """Torch build summary lines about BLAS/MKL/oneDNN, and the BLAS library actually
    mapped into this process (with OpenBLAS's core type)."""
    cfg = torch.__config__.show()
    lines = [l.strip(" -") for l in cfg.splitlines()
             if re.search(r"BLAS|MKL|DNN|LAPACK|CPU capability", l, re.I)]
    info = {"torch_config": []}
    for l in lines:
        if "Build settings" in l:
            keep = [kv for kv in l.split(", ") if re.search(r"BLAS|LAPACK|MKL|AVX", kv)]
            info["torch_config"].append(", ".join(kv.replace("Build settings: ", "")
                                                  for kv in keep))
        else:
            info["torch_config"].append(l)
    a = torch.randn(64, 64)
    (a @ a).sum()   # make sure the BLAS is loaded
    maps = set()
    with open("/proc/self/maps") as f:
        for l in f:
            p = l.split()[-1]
            if re.search(r"blas|mkl|dnnl|blis", os.path.basename(p), re.I):
                maps.add(os.path.realpath(p))
    info["libraries"] = sorted(maps)
    info["blas"] = "unknown"
    obl = [p for p in maps if "openblas" in os.path.basename(p)]
    try:
        import threadpoolctl
        for d in threadpoolctl.threadpool_info():
            if d.get("internal_api") == "openblas":
                info["blas"] = "OpenBLAS %s" % d.get("version")
                info["openblas_coretype"] = d.get("architecture")
                info["openblas_threads"] = d.get("num_threads")
    except Exception:
        pass
    if obl and "openblas_coretype" not in info:
        import ctypes
        try:
            lib = ctypes.CDLL(obl[0])
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_coretype"] = lib.openblas_get_corename().decode()
            info["blas"] = lib.openblas_get_config().decode()
            info["openblas_threads"] = lib.openblas_get_num_threads()
            info["openblas_parallel"] = {0: "sequential", 1: "pthreads", 2: "OpenMP"}.get(
                lib.openblas_get_parallel(), "?")
        except (OSError, AttributeError) as e:
            info["blas"] = "OpenBLAS (%s)" % e
    elif not obl:
        if any("/blas/libblas" in p for p in maps):
            info["blas"] = "netlib reference BLAS (unoptimised; install libopenblas0 for " \
                           "meaningful PyTorch figures)"
        elif any("mkl" in p for p in maps):
            info["blas"] = "Intel MKL"
    info["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                  "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    return info


def read_safetensors(path):
    """{name: float32 tensor} from a .safetensors file (8-byte header length, JSON, data)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        head = json.loads(f.read(n))
        data = f.read()
    kinds = {"F16": np.float16, "F32": np.float32, "BF16": None}
    out = {}
    for name, d in head.items():
        if name == "__metadata__" or d["dtype"] not in kinds or kinds[d["dtype"]] is None:
            continue
        a, b = d["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=kinds[d["dtype"]]).reshape(d["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out


def check_fixtures():
    """Compare this script's model and pipeline with the official code's outputs on the tiny
    random CLIP of ../shared/fixtures (fixtures/README.md). Returns True when all agree."""
    fx = os.path.join(SHARED, "fixtures")
    tiny = os.path.join(fx, "tiny")
    if not os.path.exists(os.path.join(tiny, "openai.safetensors")):
        human("check: fixtures not found under %s, skipped" % fx)
        return True
    arch = dict(VIT_B16, v_width=128, v_layers=3, v_heads=2, v_mlp=512, t_width=128,
                t_layers=2, t_heads=2, t_mlp=512, embed=64)
    t = read_safetensors(os.path.join(tiny, "openai.safetensors"))
    check_weights(arch, t)
    model = Clip(arch, t).eval()
    ok = True

    def cmp(what, got, ref, tol=1e-4):
        nonlocal ok
        ref = torch.as_tensor(ref).float()
        err = ((got.float() - ref).abs().max() / ref.abs().max().clamp_min(1e-12)).item()
        good = err <= tol
        ok &= good
        human("check %-32s max |diff| / max |ref| = %.2e %s" % (what, err,
                                                                 "ok" if good else "FAIL"))

    with torch.inference_mode():
        for inp, ref in (("vision_input.npy", "vision_tokens_csa.npy"),
                         ("vision_input_160x288.npy", "vision_tokens_160x288_csa.npy")):
            x = torch.from_numpy(np.load(os.path.join(tiny, inp)))[None]
            cmp(ref, model.encode_image(x)[0], np.load(os.path.join(tiny, ref)))
        toks = torch.from_numpy(np.load(os.path.join(tiny, "text_tokens.npy")).astype(np.int64))
        cmp("text_embedding.npy", model.encode_text(toks),
            np.load(os.path.join(tiny, "text_embedding.npy")))
        with open(os.path.join(tiny, "texts.json")) as f:
            texts = json.load(f)
        text, _ = find_merges(None)
        if text:
            tk = Tokenizer(text)
            same = all(tk.encode(s) == list(r) for s, r in zip(texts, toks.tolist()))
            ok &= same
            human("check %-32s %s" % ("text_tokens.npy (tokenizer)", "ok" if same else "FAIL"))
        case = os.path.join(fx, "seg", "coffee_voc21")
        if cv2 is not None and os.path.exists(case):
            with open(os.path.join(case, "args.json")) as f:
                a = json.load(f)
            img = cv2.imread(os.path.join(SHARED, "images", a["image"]), cv2.IMREAD_COLOR)
            img = np.ascontiguousarray(img[:, :, ::-1])
            lines = read_lines(os.path.join(case, "classes.txt"))
            cls = [i for i, l in enumerate(lines) for _ in l.split(", ")]
            groups = [[q for q, c in enumerate(cls) if c == k] for k in range(max(cls) + 1)]
            q = torch.from_numpy(np.load(os.path.join(case, "text_features.npy"))).float()
            prob = segment_probs(model, img, q, groups, a["logit_scale"], a["area_thd"])
            cmp("seg/coffee_voc21 seg_logits.npy", prob, np.load(os.path.join(case,
                                                                                "seg_logits.npy")))
            pred = segment(model, img, q, groups, a["logit_scale"], a["prob_thd"],
                           a["area_thd"])
            ref = torch.from_numpy(np.load(os.path.join(case, "pred.npy")).astype(np.int64))
            same = (pred.reshape(ref.shape) == ref).float().mean().item()
            ok &= same > 0.999
            human("check %-32s %.4f%% of pixels equal" % ("seg/coffee_voc21 pred.npy",
                                                          100 * same))
    return ok


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def export_onnx(model, path, opset):
    """Vision tower (CSA last block, 1x3x224x224 -> 1x197x512) to ONNX, plus a check file:
    u32 n_in, u32 n_out, n_in f32 input, n_out f32 PyTorch output."""
    size = model.a["v_image"]
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(7))
    import warnings
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, (x,), path, input_names=["image"], output_names=["tokens"],
                          opset_version=opset, do_constant_folding=True)
    with open(path + ".check.bin", "wb") as f:
        f.write(struct.pack("<II", x.numel(), y.numel()))
        f.write(x.numpy().astype("<f4").tobytes())
        f.write(y.numpy().astype("<f4").tobytes())
    human("exported %s (opset %d, %.0f MB) and %s.check.bin"
          % (path, opset, os.path.getsize(path) / 1e6, path))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", "-m", help=".sclip weights (default: seeded random ViT-B/16)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--budget", type=float, default=30.0,
                    help="stop a figure's runs after this many seconds (at least one run)")
    ap.add_argument("--text-prompts", type=int, default=4480,
                    help="time at most the first N of the 4480 VOC21 prompts (whole batches "
                         "of 80 until --budget is spent) and extrapolate linearly")
    ap.add_argument("--only", default="forward_224,voc_image,voc21_text",
                    help="comma-separated figures to run")
    ap.add_argument("--export-onnx", metavar="PATH", help="write the ONNX vision tower and exit")
    ap.add_argument("--opset", type=int, default=14)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check-fixtures", action="store_true",
                    help="first check the model against the official outputs in "
                         "$SCLIP_SHARED/fixtures (tiny random CLIP)")
    args = ap.parse_args()
    if args.check_fixtures:
        torch.set_num_threads(args.threads)
        good = check_fixtures()
        emit(dict(name="torch_fixture_check", ok=good))

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    merges = None
    if args.model:
        try:
            arch, raw, merges = read_sclip(args.model)
            check_weights(arch, raw)
        except (OSError, ValueError) as e:
            sys.exit("bench_torch: %s" % e)
        source = args.model
    else:
        arch, raw = dict(VIT_B16), None
        source = "seeded random ViT-B/16 weights (seed %d)" % args.seed

    def tower(name):
        """One tower only, so that peak memory of the vision figures excludes the text tower
        (as in sclip-bench)."""
        t = tower_tensors(arch, raw, name) if raw else random_weights(arch, args.seed, name)
        return Clip(arch, t).eval()

    only = set(args.only.split(","))
    model = tower("vision") if args.export_onnx or only & {"forward_224", "voc_image"} else None
    human("weights: %s (vision tower ready in %.1f s)" % (source, time.perf_counter() - t0))

    if args.export_onnx:
        export_onnx(model, args.export_onnx, args.opset)
        return

    info = blas_report()
    info.update(name="torch_info", torch=torch.__version__, numpy=np.__version__,
                opencv=cv2.__version__ if cv2 is not None else None,
                threads=torch.get_num_threads(), weights=source)
    emit(info)
    human("torch %s, %d threads, BLAS: %s%s" % (
        torch.__version__, torch.get_num_threads(), info["blas"],
        ", OpenBLAS core type %s (%s threading)" % (info["openblas_coretype"],
                                                   info.get("openblas_parallel"))
        if "openblas_coretype" in info else ""))
    for l in info["torch_config"]:
        human("  torch config: " + l)

    with torch.inference_mode():
        if "forward_224" in only:
            s = arch["v_image"]
            x = torch.randn(1, 3, s, s)
            med, runs = timed(lambda: model(x), args.runs, args.warmup, args.budget)
            emit(dict(name="forward_224", median_s=med, min_s=min(runs), runs=runs,
                      impl="pytorch"))
            human("forward_224: %.1f ms (median of %d)" % (med * 1e3, len(runs)))

        if "voc_image" in only:
            names, cls = voc21_queries()
            groups = [[q for q, c in enumerate(cls) if c == k] for k in range(max(cls) + 1)]
            queries = F.normalize(torch.randn(len(names), arch["embed"]), dim=-1)
            img = np.random.RandomState(args.seed).randint(0, 256, (375, 500, 3)).astype(np.uint8)
            med, runs = timed(lambda: segment(model, img, queries, groups),
                              args.runs, args.warmup, args.budget)
            emit(dict(name="voc_image", median_s=med, min_s=min(runs), runs=runs, impl="pytorch",
                      windows=len(list(windows(336, 448))), queries=len(names),
                      resize="cv2.INTER_LINEAR" if cv2 is not None else "torch bilinear"))
            human("voc_image: %.1f ms (median of %d; 500x375 -> 448x336, 6 windows, 56 queries,"
                  " resize with %s)" % (med * 1e3, len(runs),
                                        "OpenCV" if cv2 is not None else "torch bilinear"))

        if model is not None:   # vision figures done: their peak memory, like sclip-bench's
            emit(dict(name="peak_rss_mb", value=peak_rss_mb(), impl="pytorch",
                      what="vision tower, cached queries"))
            model = None
        if "voc21_text" in only:
            model = tower("text")
            names, _ = voc21_queries()
            templates = [t for t in read_lines(os.path.join(
                SHARED, "templates", "openai_imagenet_templates.txt")) if t]
            text, where = find_merges(merges)
            if text:
                tok = Tokenizer(text).encode
                tok_note = "exact CLIP BPE (%s)" % where
            else:
                tok = approx_tokens
                tok_note = "APPROXIMATE tokens (no merge list found); timing unaffected"
            total = len(names) * len(templates)
            n = max(1, min(args.text_prompts, total))
            batches = []    # one batch of 80 prompts per name, as the official code does
            left = n
            for name in names:
                if left <= 0:
                    break
                ps = [t.format(name) for t in templates][:left]
                batches.append(torch.tensor([tok(p, arch["t_ctx"]) for p in ps]))
                left -= len(ps)
            model.encode_text(batches[0][:8])   # warm-up (small: keep the budget for timing)
            times, n = [], 0
            for b in batches:   # at least one batch; stop when over the time budget
                t = time.perf_counter()
                class_embeddings(model, [b])
                times.append(time.perf_counter() - t)
                n += len(b)
                if sum(times) > args.budget:
                    break
            measured = float(sum(times))
            per_prompt = measured / n
            extrap = per_prompt * total
            emit(dict(name="voc21_text", median_s=extrap, runs=[extrap] if n == total else [],
                      impl="pytorch", prompts=total, measured_prompts=n, measured_s=measured,
                      batch_s=times, extrapolated=(n != total), tokenizer=tok_note,
                      context=arch["t_ctx"]))
            human("voc21_text: %.1f s for %d prompts%s (%d names x %d templates, 77-token "
                  "context, batches of 80; tokenizer: %s)" % (
                      extrap, total, "" if n == total else
                      " (extrapolated from %d prompts in %.1f s)" % (n, measured),
                      len(names), len(templates), tok_note))

    if "peak_rss_mb" not in emitted:
        emit(dict(name="peak_rss_mb", value=peak_rss_mb(), impl="pytorch"))


try:
    import cv2
except ImportError:
    cv2 = None

if __name__ == "__main__":
    main()
