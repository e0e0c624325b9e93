#!/usr/bin/env bash
# tools/export_weights.py on the tiny fixture model's four containers, plus its error paths.
# Run from the repo root with the stdlib-only python3. Outputs go to build/export_test/PID/
# (one folder per run, so concurrent runs do not collide), removed when every check passed.
set -u
SHARED="${SCLIP_SHARED:-../shared}"
TINY="$SHARED/fixtures/tiny"
PY="${PYTHON:-python3}"
EXPORT="tools/export_weights.py"
INSPECT="tools/sclip_inspect.py"
OUT="build/export_test/$$"

for f in openai_jit.pt openai.pt openai.safetensors model.safetensors config.json; do
    if [ ! -f "$TINY/$f" ]; then
        if [ "${CI:-}" = "true" ]; then echo "FAIL missing fixture $TINY/$f"; exit 1; fi
        echo "SKIP missing fixture $TINY/$f (set SCLIP_SHARED)"; exit 0
    fi
done
VOCAB="$SHARED/data/bpe_simple_vocab_16e6.txt.gz"
if [ ! -f "$VOCAB" ]; then
    if [ "${CI:-}" = "true" ]; then echo "FAIL missing $VOCAB"; exit 1; fi
    echo "SKIP missing $VOCAB"; exit 0
fi

rm -rf "$OUT" && mkdir -p "$OUT" || exit 1
fails=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fails=$((fails + 1)); }
now()  { date +%s.%N; }

# --- 1. every container, f32, f16 and q8 ---------------------------------------------------------
declare -A SRC=([jit]="$TINY/openai_jit.pt" [pt]="$TINY/openai.pt"
                [st]="$TINY/openai.safetensors" [hf]="$TINY")
for dt in f32 f16 q8; do
    for k in jit pt st hf; do
        t0=$(now)
        if "$PY" "$EXPORT" -q "${SRC[$k]}" --dtype $dt --vocab "$VOCAB" -o "$OUT/$k-$dt.sclip" \
                2>"$OUT/$k-$dt.err"; then
            ok "convert $k $dt ($(echo "$(now) - $t0" | bc) s, $(stat -c %s "$OUT/$k-$dt.sclip") bytes)"
        else
            bad "convert $k $dt: $(cat "$OUT/$k-$dt.err")"
        fi
    done
done

# --- 2. the outputs: valid, identical across containers, equal to the source values -----------------
for f in "$OUT"/*.sclip; do
    "$PY" "$INSPECT" --check "$f" >/dev/null || bad "check $f: $("$PY" "$INSPECT" --check "$f")"
done
for dt in f32 f16 q8; do
    for k in pt st hf; do
        # the same weights in the same order give byte-identical files
        cmp -s "$OUT/jit-$dt.sclip" "$OUT/$k-$dt.sclip" && ok "jit-$dt == $k-$dt (bytes)" \
            || bad "jit-$dt and $k-$dt differ: $("$PY" "$INSPECT" --compare "$OUT/jit-$dt.sclip" "$OUT/$k-$dt.sclip" | head -3)"
    done
done
# the values against the safetensors file, read independently by the checker (f32 and f16 storage;
# q8: every dequantised value within half its row's scale)
for dt in f32 f16 q8; do
    r=$("$PY" "$INSPECT" --safetensors "$TINY/openai.safetensors" "$OUT/jit-$dt.sclip")
    [ "$r" = "equal" ] && ok "jit-$dt values == openai.safetensors" || bad "jit-$dt vs safetensors: $r"
done
# the fixture's weights are f16-representable, so f32 and f16 storage hold the same numbers
r=$("$PY" "$INSPECT" --compare "$OUT/jit-f32.sclip" "$OUT/jit-f16.sclip")
[ "$r" = "equal" ] && ok "f32 == f16 values" || bad "f32 vs f16: $r"
r=$("$PY" "$INSPECT" --compare "$OUT/jit-f32.sclip" "$OUT/jit-q8.sclip")
[ "$r" = "equal" ] && ok "q8 values within scale/2 of f32" || bad "f32 vs q8: $r"
# a q8 value off by one step is caught by the comparison, a zero scale by the check
"$PY" - "$OUT/jit-q8.sclip" "$OUT/bad-q8.sclip" "$OUT/bad-scale.sclip" <<'EOF' || bad "tampering q8"
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
toff, doff = struct.unpack_from("<Q", d, 32)[0], struct.unpack_from("<Q", d, 56)[0]
for i in range(73):
    name = struct.unpack_from("<64s", d, toff + 96 * i)[0]
    if name.rstrip(b"\0") == b"visual.transformer.resblocks.1.mlp.c_fc.weight":
        off = doff + struct.unpack_from("<Q", d, toff + 96 * i + 88)[0]
e = bytearray(d)
d[off + 1000] = (d[off + 1000] + (1 if d[off + 1000] != 127 else -1)) & 255
open(sys.argv[2], "wb").write(d)
struct.pack_into("<f", e, off + 512 * 128 + 4 * 7, 0.0)     # row 7's scale (c_fc is 512x128)
open(sys.argv[3], "wb").write(e)
EOF
"$PY" "$INSPECT" --compare "$OUT/jit-f32.sclip" "$OUT/bad-q8.sclip" | grep -q "c_fc.weight: |a-b|.*exceeds" \
    && ok "a q8 value one step off is reported" || bad "a q8 value one step off is not reported"
"$PY" "$INSPECT" --check "$OUT/bad-scale.sclip" | grep -q "q8 scale 0.0 is not finite and positive" \
    && ok "a zero q8 scale is rejected" || bad "a zero q8 scale is accepted"
rm -f "$OUT/bad-q8.sclip" "$OUT/bad-scale.sclip"
# q8 layout and values, checked independently of both tools: which tensors are q8, offsets and
# sizes (align64(R*C) + 4R), zero padding, and every int8 and scale recomputed one element at a
# time from the safetensors source (s = f32(max|w| / 127), q = round-half-even(w / s))
"$PY" - "$OUT/jit-q8.sclip" "$TINY/openai.safetensors" <<'EOF' && ok "q8 layout and values (independent)" || bad "q8 layout"
import json, struct, sys
d = open(sys.argv[1], "rb").read()
st = open(sys.argv[2], "rb").read()
hn = struct.unpack_from("<Q", st)[0]; sth = json.loads(st[8:8 + hn])
def src(name):
    b, e = sth[name]["data_offsets"]
    assert sth[name]["dtype"] == "F16"
    return struct.unpack("<%de" % ((e - b) // 2), st[8 + hn + b:8 + hn + e])
toff, moff, msize, doff, dsize = struct.unpack_from("<5Q", d, 32)
align = lambda x: (x + 63) // 64 * 64
keep16 = {"token_embedding.weight", "positional_embedding", "visual.positional_embedding",
          "visual.proj", "text_projection"}
pos, nq8 = 0, 0
for i in range(73):
    name, dt, nd = struct.unpack_from("<64sII", d, toff + 96 * i)
    name = name.rstrip(b"\0").decode()
    shape = struct.unpack_from("<%dI" % nd, d, toff + 96 * i + 72)
    off = struct.unpack_from("<Q", d, toff + 96 * i + 88)[0]
    n = 1
    for x in shape: n *= x
    want = 0 if nd < 2 else (1 if name in keep16 else 2)
    assert dt == want, (name, dt, want)
    assert off == align(pos), (name, off, pos)
    if dt != 2:
        pos = off + n * (4 if dt == 0 else 2)
        continue
    nq8 += 1
    R, C = shape[0], n // shape[0]
    size = align(R * C) + 4 * R
    pos = off + size
    t = d[doff + off:doff + off + size]
    assert t[R * C:align(R * C)] == bytes(align(R * C) - R * C), name
    q = struct.unpack_from("<%db" % (R * C), t)
    s = struct.unpack_from("<%df" % R, t, align(R * C))
    w = src(name)
    for r in range(R):
        row = w[r * C:(r + 1) * C]
        m = max(abs(x) for x in row)
        sr = struct.unpack("<f", struct.pack("<f", m / 127))[0] or 1.0
        assert s[r] == sr, (name, r, s[r], sr)
        for c in range(C):
            v = q[r * C + c]
            assert v == max(-127, min(127, round(row[c] / sr))), (name, r, c, v, row[c], sr)
            assert abs(v * sr - row[c]) <= sr / 2, (name, r, c)
assert nq8 == 1 + 4 * 5, nq8                 # conv1 and 4 matrices in each of 5 blocks
assert pos == dsize and doff + dsize == len(d), (pos, dsize)
EOF
# header: architecture of the tiny model, QuickGELU, logit_scale = ln(100) rounded to f16
"$PY" - "$OUT/hf-f32.sclip" "$OUT/jit-f16.sclip" <<'EOF' && ok "header fields" || bad "header fields"
import struct, sys
for path in sys.argv[1:]:
    d = open(path, "rb").read()
    assert d[:8] == b"SCLIPWT\0", d[:8]
    ver, hs, size, n, res = struct.unpack_from("<IIQII", d, 8)
    assert (ver, hs, size, n, res) == (1, 256, len(d), 73, 0), (ver, hs, size, n, res)
    arch = struct.unpack_from("<14I", d, 72)
    assert arch == (128, 3, 2, 512, 16, 224, 128, 2, 2, 512, 77, 49408, 64, 0), arch
    eps, ls = struct.unpack_from("<ff", d, 128)
    assert eps == struct.unpack("<f", struct.pack("<f", 1e-5))[0] and ls == 4.60546875, (eps, ls)
    assert d[136:256] == bytes(120)
    toff, moff, msize, doff, dsize = struct.unpack_from("<5Q", d, 32)
    assert toff == 256 and moff == 256 + 96 * 73 and msize == 524645, (toff, moff, msize)
    assert doff % 64 == 0 and doff >= moff + msize and doff + dsize == len(d)
    assert d[moff:moff + 60].startswith(b'"bpe_simple_vocab_16e6.txt#version: 0.2\ni n\n')
    for i in range(n):
        name, dt, nd = struct.unpack_from("<64sII", d, toff + 96 * i)
        off = struct.unpack_from("<Q", d, toff + 96 * i + 88)[0]
        assert off % 64 == 0 and dt == (1 if "f16" in path and nd >= 2 else 0), (name, dt, nd)
EOF

# --- 3. errors: missing tensor, misshapen tensor, truncated and bogus inputs ------------------------
"$PY" - "$TINY/openai.safetensors" "$OUT" <<'EOF'
import json, struct, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, "rb").read()
n = struct.unpack_from("<Q", d)[0]
h = json.loads(d[8:8 + n])
body = d[8 + n:]
def write(path, header, data):
    hb = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(hb)) + hb + data)
# drop one tensor (its bytes stay, unreferenced)
h1 = dict(h); del h1["visual.transformer.resblocks.1.ln_2.bias"]
write(out + "/missing.safetensors", h1, body)
# in_proj_bias of text block 0 cut to 383 elements
h2 = json.loads(json.dumps(h)); e = h2["transformer.resblocks.0.attn.in_proj_bias"]
e["shape"] = [383]; e["data_offsets"][1] -= 2
write(out + "/misshapen.safetensors", h2, body)
# a transposed visual.proj (64x128)
h3 = json.loads(json.dumps(h)); h3["visual.proj"]["shape"] = [64, 128]
write(out + "/transposed.safetensors", h3, body)
open(out + "/truncated.safetensors", "wb").write(d[:len(d) // 2])
open(out + "/garbage.bin", "wb").write(b"this is not a checkpoint at all\n" * 4)
EOF
head -c 7000000 "$TINY/openai.pt" >"$OUT/truncated.pt"
head -c 15000000 "$TINY/openai_jit.pt" >"$OUT/truncated_jit.pt"
mkdir -p "$OUT/hf_missing" && cp "$TINY/config.json" "$OUT/hf_missing/"
"$PY" - "$TINY/model.safetensors" "$OUT/hf_missing/model.safetensors" <<'EOF'
import json, struct, sys
d = open(sys.argv[1], "rb").read(); n = struct.unpack_from("<Q", d)[0]; h = json.loads(d[8:8 + n])
del h["vision_model.encoder.layers.2.self_attn.k_proj.weight"]
hb = json.dumps(h).encode(); open(sys.argv[2], "wb").write(struct.pack("<Q", len(hb)) + hb + d[8 + n:])
EOF

expect_error() {  # expect_error LABEL PATTERN ARGS...: non-zero exit, message matches, no traceback
    local label="$1" pat="$2"; shift 2
    local t0; t0=$(now)
    "$PY" "$EXPORT" -q "$@" >"$OUT/err.txt" 2>&1
    local rc=$? secs; secs=$(echo "$(now) - $t0" | bc)
    if [ $rc -eq 0 ]; then bad "$label: exit 0"; return; fi
    if grep -q Traceback "$OUT/err.txt"; then bad "$label: traceback: $(tail -1 "$OUT/err.txt")"; return; fi
    if ! grep -Eq -- "$pat" "$OUT/err.txt"; then bad "$label: message lacks '$pat': $(cat "$OUT/err.txt")"; return; fi
    ok "$label (exit $rc, ${secs} s): $(head -1 "$OUT/err.txt" | cut -c1-150)"
}
V=(--vocab "$VOCAB")
expect_error "missing tensor" "missing tensor visual\.transformer\.resblocks\.1\.ln_2\.bias" \
    "$OUT/missing.safetensors" "${V[@]}" -o "$OUT/x.sclip"
expect_error "misshapen tensor" "transformer\.resblocks\.0\.attn\.in_proj_bias has shape 383, expected 384" \
    "$OUT/misshapen.safetensors" "${V[@]}" -o "$OUT/x.sclip"
expect_error "transposed projection" "visual\.proj has shape 64x128, expected 128x64" \
    "$OUT/transposed.safetensors" "${V[@]}" -o "$OUT/x.sclip"
expect_error "HF missing k_proj" "vision_model\.encoder\.layers\.2\.self_attn\.k_proj\.weight" \
    "$OUT/hf_missing" "${V[@]}" -o "$OUT/x.sclip"
expect_error "truncated safetensors" "truncated" "$OUT/truncated.safetensors" "${V[@]}" -o "$OUT/x.sclip"
expect_error "truncated torch.save" "truncated|zip" "$OUT/truncated.pt" "${V[@]}" -o "$OUT/x.sclip"
expect_error "truncated TorchScript" "truncated|zip" "$OUT/truncated_jit.pt" "${V[@]}" -o "$OUT/x.sclip"
expect_error "not a checkpoint" "not a PyTorch checkpoint" "$OUT/garbage.bin" "${V[@]}" -o "$OUT/x.sclip"
expect_error "no such input" "no such file" "$OUT/nonexistent.pt" "${V[@]}" -o "$OUT/x.sclip"
expect_error "vocab not found" "vocabulary file not found" "$TINY/openai.pt" --vocab "$OUT/none.txt.gz" -o "$OUT/x.sclip"
[ -e "$OUT/x.sclip" ] && bad "a failed export left $OUT/x.sclip behind"
ls "$OUT"/*.part >/dev/null 2>&1 && bad "a failed export left a .part file behind"

# --- 4. --download without a network: fast, clean failure; a wrong checksum is refused --------------
t0=$(now)
SCLIP_DOWNLOAD_BASE=http://127.0.0.1:9 SCLIP_DOWNLOAD_TIMEOUT=5 expect_error "download, no network" \
    "cannot download .*ViT-B-16.pt.*" --download ViT-B/16 --cache "$OUT/cache" "${V[@]}" -o "$OUT/dl.sclip"
grep -q "random ViT-B/16" "$OUT/err.txt" || bad "download error does not suggest --random"
[ "$(echo "$(now) - $t0 < 25" | bc)" = 1 ] || bad "download failure took more than 25 s"
expect_error "download, unknown model" "unknown model" --download RN50 "${V[@]}" -o "$OUT/dl.sclip"
"$PY" - "$OUT" "$VOCAB" <<'EOF' && ok "download with a wrong SHA-256 is refused" || bad "download checksum"
import http.server, os, subprocess, sys, threading
out, vocab = sys.argv[1], sys.argv[2]
sha = "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f"
os.makedirs(os.path.join(out, "www", sha), exist_ok=True)
open(os.path.join(out, "www", sha, "ViT-B-16.pt"), "wb").write(b"x" * 100000)
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=os.path.join(out, "www"), **k)
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
env = dict(os.environ, SCLIP_DOWNLOAD_BASE="http://127.0.0.1:%d" % srv.server_port)
r = subprocess.run([sys.executable, "tools/export_weights.py", "--download", "ViT-B/16", "--cache",
                    os.path.join(out, "cache"), "--vocab", vocab, "-o", os.path.join(out, "dl.sclip")],
                   env=env, capture_output=True, text=True, timeout=60)
srv.shutdown()
assert r.returncode == 1 and "SHA-256" in r.stderr and "Traceback" not in r.stderr, r.stderr
assert not os.listdir(os.path.join(out, "cache")), os.listdir(os.path.join(out, "cache"))
EOF

# --- 5. --random: valid files with the requested architecture, deterministic per seed ----------------
t0=$(now)
"$PY" "$EXPORT" -q --random tiny "${V[@]}" -o "$OUT/rand.sclip" && \
    "$PY" "$EXPORT" -q --random tiny --dtype f16 "${V[@]}" -o "$OUT/rand16.sclip" && \
    "$PY" "$EXPORT" -q --random tiny --seed 0 --no-vocab -o "$OUT/rand_novocab.sclip" && \
    "$PY" "$EXPORT" -q --random tiny --seed 1 "${V[@]}" -o "$OUT/rand_seed1.sclip" && \
    "$PY" "$EXPORT" -q --random tiny --dtype q8 "${V[@]}" -o "$OUT/randq8.sclip" \
    && ok "random tiny x5 ($(echo "$(now) - $t0" | bc) s)" || bad "random tiny"
"$PY" "$INSPECT" --check "$OUT/rand.sclip" "$OUT/rand16.sclip" "$OUT/rand_novocab.sclip" \
    "$OUT/randq8.sclip" >/dev/null \
    && ok "random files valid" || bad "random files invalid: $("$PY" "$INSPECT" --check "$OUT/rand.sclip")"
r=$("$PY" "$INSPECT" --compare "$OUT/rand.sclip" "$OUT/rand16.sclip")
[ "$r" = "equal" ] && ok "random f32 == f16 values" || bad "random f32 vs f16: $r"
r=$("$PY" "$INSPECT" --compare "$OUT/rand.sclip" "$OUT/randq8.sclip")
[ "$r" = "equal" ] && ok "random q8 within scale/2 of f32" || bad "random f32 vs q8: $r"
"$PY" "$INSPECT" --compare "$OUT/rand.sclip" "$OUT/rand_seed1.sclip" >/dev/null \
    && bad "seeds 0 and 1 give the same weights" || ok "seed changes the weights"
"$PY" "$INSPECT" --compare "$OUT/jit-f32.sclip" "$OUT/rand.sclip" | grep -q "architecture" \
    && bad "random tiny architecture differs from the fixture" || ok "random tiny architecture == fixture"
"$PY" - "$OUT/rand.sclip" "$OUT/rand_novocab.sclip" <<'EOF' && ok "random value ranges, no-vocab layout" || bad "random values"
import struct, sys
sys.path.insert(0, "tools")
from sclip_inspect import SclipFile
f = SclipFile(sys.argv[1])
for t in f.tensors:
    v = f.values(t["name"])[:100000]; n = t["name"]
    lo, hi = min(v), max(v)
    if ".ln_" in "." + n and n.endswith("weight"):
        assert 0.75 <= lo and hi < 1.5, (n, lo, hi)
    else:
        assert -0.13 < lo < 0 < hi < 0.13, (n, lo, hi)
        m = sum(v) / len(v); s = (sum((x - m) ** 2 for x in v) / len(v)) ** 0.5
        assert abs(m) < 0.2 * s + 1e-3 and 0.002 < s < 0.1, (n, m, s)
g = SclipFile(sys.argv[2])
assert g.merges_off == 0 and g.merges_size == 0 and g.data_off == (256 + 96 * 73 + 63) // 64 * 64
assert abs(f.logit_scale - 4.60517) < 1e-5
EOF
expect_error "unknown --random" "unknown architecture" --random ViT-H/14 "${V[@]}" -o "$OUT/x.sclip"

# --- 6. numpy, when the other interpreter has it, must give byte-identical files ---------------------
if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
    for k in jit hf; do
        /usr/bin/python3 "$EXPORT" -q "${SRC[$k]}" --dtype f16 "${V[@]}" -o "$OUT/np-$k.sclip" \
            && cmp -s "$OUT/np-$k.sclip" "$OUT/$k-f16.sclip" && ok "numpy path == stdlib path ($k)" \
            || bad "numpy path differs ($k)"
        /usr/bin/python3 "$EXPORT" -q "${SRC[$k]}" --dtype q8 "${V[@]}" -o "$OUT/npq8-$k.sclip" \
            && cmp -s "$OUT/npq8-$k.sclip" "$OUT/$k-q8.sclip" && ok "numpy path == stdlib path ($k, q8)" \
            || bad "numpy path differs ($k, q8)"
    done
    /usr/bin/python3 "$EXPORT" -q --random tiny --dtype q8 "${V[@]}" -o "$OUT/npq8-rand.sclip" \
        && cmp -s "$OUT/npq8-rand.sclip" "$OUT/randq8.sclip" \
        && ok "numpy path == stdlib path (random tiny, q8)" || bad "numpy path differs (random tiny, q8)"
    # the quantiser itself, numpy vs stdlib, on rows of ties (x.5 quotients), zero rows, rows below
    # the smallest scale, negative maxima, f32 extremes and random values; np.rint == round()
    /usr/bin/python3 - <<'EOF' && ok "q8 quantiser: numpy == stdlib, ties to even, zero/tiny rows" \
        || bad "q8 quantiser numpy vs stdlib"
import random, struct, sys
import numpy as np
sys.path.insert(0, "tools")
import export_weights as ew
f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]
rows = [[127.0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5],     # scale 1: exact ties
        [0.0] * 8, [-0.0] * 8,                                  # zero rows: scale 1, all 0
        [1e-44, -1e-44, 0.0, 1e-45, 0, 0, 0, 0],                # max/127 underflows: scale 1
        [-3.0, 1.0, 0.5, 0.25, 0.0, -1.0, 2.0, 1.5],           # negative maximum
        [3.4e38, -3.4e38, 1e-30, 1.0, 0, 0, 0, 0],              # f32 extremes
        [1.17549435e-38, 5e-39, 1e-45, 0, 0, 0, 0, 0],          # subnormal scale
        [190 * 2.0**-149, -190 * 2.0**-149, 2.0**-149, 0, 0, 0, 0, 0]]  # s = 2^-149: clamped
rng = random.Random(5)
for _ in range(200):
    k = rng.choice([1e-3, 0.02, 1.0, 300.0])
    rows.append([rng.uniform(-k, k) for _ in range(8)])
for _ in range(200):                                            # random ties: (j + 0.5) * s
    s = f32(rng.uniform(0.001, 1))
    rows.append([127 * s] + [(rng.randint(-127, 126) + 0.5) * s for _ in range(7)])
raw = b"".join(struct.pack("<8f", *r) for r in rows)
n = len(rows)
a = ew.quantize_q8(raw, n, 8)
saved, ew.np = ew.np, None
b = ew.quantize_q8(raw, n, 8)
ew.np = saved
assert a == b, "numpy and stdlib q8 differ"
assert len(a) == ew.q8_nbytes(n, 8) == (8 * n + 63) // 64 * 64 + 4 * n
q = lambda r: struct.unpack_from("<8b", a, 8 * r)
sc = struct.unpack_from("<%df" % n, a, (8 * n + 63) // 64 * 64)
assert q(0) == (127, 0, 2, 2, 0, -2, -2, 126) and sc[0] == 1.0, (q(0), sc[0])
assert sc[1] == sc[2] == sc[3] == 1.0 and q(1) == q(2) == q(3) == (0,) * 8
assert sc[4] == f32(3.0 / 127) and q(4)[0] == -127
assert q(5)[:2] == (127, -127)
assert q(7)[:3] == (127, -127, 1) and sc[7] == 2.0**-149, (q(7), sc[7])
assert all(t == 127 for r in range(n) for t in [max(abs(v) for v in q(r))] if r not in (1, 2, 3))
x = np.concatenate([np.arange(-300, 300) + 0.5, np.random.RandomState(1).uniform(-200, 200, 100000)])
assert (np.rint(x) == np.array([round(v) for v in x])).all()
EOF
fi

echo "$fails failure(s)"
[ $fails -eq 0 ] && rm -rf "$OUT"
[ $fails -eq 0 ]
