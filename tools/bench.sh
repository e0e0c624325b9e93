#!/usr/bin/env bash
# make bench: sclip's speed beside PyTorch and ONNX Runtime, all measured in this run.
#
#   bash tools/bench.sh [MODEL.sclip]        (make bench [MODEL=weights/ViT-B-16.sclip])
#
# Figures (JSON lines with these names from every side; times are medians after warm-up):
#   forward_224   one 224x224 vision forward, CSA last block, dense tokens out
#   voc_image     one 500x375 image through the whole VOC21 pipeline (6 windows of 224)
#   voc21_text    the 56 VOC21 query embeddings from 4480 prompts (PyTorch: extrapolated from
#                 BENCH_TEXT_PROMPTS prompts, the official 77-token batches of 80)
#   peak_rss_mb   peak resident memory after the vision figures (sclip, PyTorch: vision tower
#                 loaded only; ONNX Runtime: its one session)
# Sides: build/sclip-bench -m MODEL --json (when built), tools/bench_torch.py under Debian's
# /usr/bin/python3 (python3-torch), tools/bench_ort.js under Node.js (npm onnxruntime-node).
# What is missing is installed when possible (apt-get, npm into build/ort); what cannot be had
# is reported and skipped. Raw results: build/bench/{sclip,torch,ort}.jsonl.
#
# Environment: MODEL (weights; default build/random-ViT-B-16.sclip, made if missing),
# BENCH_THREADS (2), BENCH_TEXT_PROMPTS (160; 4480 = all, takes many minutes),
# BENCH_ROUNDS (3 rounds of sclip and ONNX Runtime forwards in turn; 0 = none),
# ORT_VERSION (1.20.1), BENCH_TORCH_CORETYPE (an OpenBLAS core type for an extra PyTorch run,
# shown below the table, e.g. Cooperlake; "none" to skip; default: from the CPU flags).
# The PyTorch column itself runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so OpenBLAS
# picks its kernels itself (the line after the table names them). Times on a shared machine
# vary a lot: run it when nothing else is busy.
set -u
cd "$(dirname "$0")/.." || exit 1

THREADS=${BENCH_THREADS:-2}
TEXT_PROMPTS=${BENCH_TEXT_PROMPTS:-160}
ORT_VERSION=${ORT_VERSION:-1.20.1}
ROUNDS=${BENCH_ROUNDS:-3}
PY=/usr/bin/python3
OUT=build/bench
ONNX=build/vit_b16_csa.onnx
MODEL=${1:-${MODEL:-}}
mkdir -p "$OUT"
: >"$OUT/sclip.jsonl"; : >"$OUT/sclip_q8.jsonl"; : >"$OUT/sclip_q16.jsonl"; : >"$OUT/torch.jsonl"; : >"$OUT/ort.jsonl"; : >"$OUT/turns.jsonl"

say()  { printf '\n== %s\n' "$*"; }
warn() { printf 'bench: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo -n "$@"; else return 1; fi; }
apt_install() {   # apt_install PKG...: best effort, quiet
    have apt-get || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$OUT/apt.log" 2>&1 && return 0
    as_root apt-get update -q >>"$OUT/apt.log" 2>&1 &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$OUT/apt.log" 2>&1
}

# ---------------------------------------------------------------- dependencies
say "dependencies"
TORCH_OK=0
if [ -x "$PY" ] && "$PY" -c 'import torch, numpy' 2>/dev/null; then
    TORCH_OK=1
else
    echo "installing python3-torch python3-numpy (apt-get)"
    if apt_install python3-torch python3-numpy && "$PY" -c 'import torch, numpy' 2>/dev/null; then
        TORCH_OK=1
    else
        warn "PyTorch is not available ($PY with python3-torch): the PyTorch column stays empty (see $OUT/apt.log)"
    fi
fi
if [ $TORCH_OK = 1 ] && ! "$PY" -c 'import cv2' 2>/dev/null; then
    echo "installing python3-opencv (optional: the official resize is OpenCV's)"
    apt_install python3-opencv || warn "python3-opencv not available: PyTorch resizes with torch bilinear"
fi

# PyTorch calls the system BLAS (libblas.so.3). Without libopenblas0 Debian's is the netlib
# reference implementation, ~50x slower than an optimised one: then use OpenBLAS unpacked into
# build/openblas for the PyTorch command only (the system is left unchanged). The OpenMP build
# of OpenBLAS shares PyTorch's OpenMP threads; the pthreads build (Debian's default) fights
# with PyTorch's spinning OpenMP workers on 2 cores and runs 2-5x slower.
TORCH_LIBPATH=
if [ $TORCH_OK = 1 ]; then
    blas=$("$PY" -c 'import torch; a = torch.ones(8, 8); a @ a
for l in open("/proc/self/maps"):
    if "blas" in l: print(l.split()[-1]); break' 2>/dev/null)
    case "$blas" in
    *openblas*|*mkl*|*blis*) echo "PyTorch BLAS: $blas" ;;
    *)
        ob=$(ls -d build/openblas/usr/lib/*/openblas-openmp 2>/dev/null | head -1)
        if [ -z "$ob" ] && have apt-get && have dpkg-deb; then
            echo "PyTorch would use $blas (netlib reference BLAS): fetching OpenBLAS (OpenMP build) into build/openblas"
            rm -rf build/openblas && mkdir -p build/openblas &&
            (cd build/openblas && apt-get download -q libopenblas0-openmp >../bench/openblas.log 2>&1 &&
             dpkg-deb -x libopenblas0-openmp_*.deb .) ||
                warn "could not fetch libopenblas0-openmp (see $OUT/openblas.log)"
            ob=$(ls -d build/openblas/usr/lib/*/openblas-openmp 2>/dev/null | head -1)
        fi
        if [ -n "$ob" ]; then
            TORCH_LIBPATH="$PWD/$ob"; echo "PyTorch BLAS: OpenBLAS from $ob"
        else
            warn "PyTorch runs on the netlib reference BLAS: its figures are not representative"
        fi ;;
    esac
fi

ORT_OK=0
if ! have node || ! have npm; then
    echo "installing nodejs npm (apt-get)"
    apt_install nodejs npm || true
fi
if ! have node; then
    warn "Node.js is not available: the ONNX Runtime column stays empty"
elif [ -d build/ort/node_modules/onnxruntime-node ] &&
     grep -q "\"version\": \"$ORT_VERSION\"" build/ort/node_modules/onnxruntime-node/package.json 2>/dev/null; then
    ORT_OK=1
elif have npm; then
    echo "installing onnxruntime-node@$ORT_VERSION into build/ort (npm)"
    mkdir -p build/ort
    [ -f build/ort/package.json ] || echo '{"name": "sclip-bench-ort", "private": true}' >build/ort/package.json
    # The CPU binaries are in the package; skip the postinstall's CUDA download.
    if ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --prefix build/ort --no-audit --no-fund \
            "onnxruntime-node@$ORT_VERSION" >"$OUT/npm.log" 2>&1; then
        ORT_OK=1
    else
        warn "npm install onnxruntime-node@$ORT_VERSION failed (see $OUT/npm.log): the ONNX Runtime column stays empty"
    fi
else
    warn "npm is not available: the ONNX Runtime column stays empty"
fi

# ---------------------------------------------------------------- weights
say "weights"
if [ -z "$MODEL" ]; then
    MODEL=build/random-ViT-B-16.sclip
    if [ ! -s "$MODEL" ]; then
        if [ -f tools/export_weights.py ]; then
            echo "no model given: making seeded random ViT-B/16 weights ($MODEL)"
            python3 tools/export_weights.py -q --random ViT-B/16 -o "$MODEL" ||
                { warn "tools/export_weights.py failed"; rm -f "$MODEL"; }
        else
            warn "tools/export_weights.py is missing: PyTorch uses its own random weights, sclip-bench is skipped"
        fi
    fi
fi
if [ -s "$MODEL" ]; then
    echo "model: $MODEL"
    MODEL_ARGS=(--model "$MODEL")
else
    [ "$MODEL" != build/random-ViT-B-16.sclip ] && { warn "model $MODEL not found"; exit 1; }
    MODEL=; MODEL_ARGS=()
fi

# ---------------------------------------------------------------- sclip
say "sclip"
if [ -x build/sclip-bench ] && [ -n "$MODEL" ]; then
    build/sclip-bench -m "$MODEL" --threads "$THREADS" --json >"$OUT/sclip.jsonl"; rc=$?
    cat "$OUT/sclip.jsonl"
    [ $rc = 0 ] || warn "build/sclip-bench failed (exit $rc)"
    say "sclip, int8 weights and activations (--precision q8)"
    build/sclip-bench -m "$MODEL" --threads "$THREADS" --precision q8 --json >"$OUT/sclip_q8.jsonl"; rc=$?
    cat "$OUT/sclip_q8.jsonl"
    [ $rc = 0 ] || warn "build/sclip-bench --precision q8 failed (exit $rc)"
    say "sclip, 12-bit integer weights and activations (--precision q16)"
    build/sclip-bench -m "$MODEL" --threads "$THREADS" --precision q16 --json >"$OUT/sclip_q16.jsonl"; rc=$?
    cat "$OUT/sclip_q16.jsonl"
    [ $rc = 0 ] || warn "build/sclip-bench --precision q16 failed (exit $rc)"
else
    warn "build/sclip-bench not built (or no model): the sclip column stays empty"
fi

# ---------------------------------------------------------------- PyTorch
torch_run() {   # the issue: OpenBLAS's core type is left to OpenBLAS itself
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${TORCH_LIBPATH:+LD_LIBRARY_PATH="$TORCH_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} \
        "$PY" tools/bench_torch.py "${MODEL_ARGS[@]}" --threads "$THREADS" "$@"
}
if [ $TORCH_OK = 1 ]; then
    say "PyTorch (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)"
    torch_run --check-fixtures --text-prompts "$TEXT_PROMPTS" | tee "$OUT/torch.jsonl" | grep '^#'
    [ "${PIPESTATUS[0]}" = 0 ] || warn "tools/bench_torch.py failed"

    # An extra run with an explicitly chosen OpenBLAS core type, for reference only: OpenBLAS
    # 0.3.21 does not recognise recent CPUs (e.g. Emerald Rapids) and falls back to Prescott.
    ct=${BENCH_TORCH_CORETYPE:-}
    if [ -z "$ct" ] && [ -n "$TORCH_LIBPATH$(grep -l openblas "$OUT/torch.jsonl" 2>/dev/null)" ]; then
        flags=$(grep -m1 '^flags' /proc/cpuinfo)
        case "$flags" in
        *avx512_bf16*) ct=Cooperlake ;; *avx512f*) ct=SkylakeX ;; *avx2*) ct=Haswell ;; *) ct=none ;;
        esac
    fi
    if [ -n "$ct" ] && [ "$ct" != none ]; then
        say "PyTorch, for reference, with OPENBLAS_CORETYPE=$ct"
        env OPENBLAS_CORETYPE="$ct" ${TORCH_LIBPATH:+LD_LIBRARY_PATH="$TORCH_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} \
            "$PY" tools/bench_torch.py "${MODEL_ARGS[@]}" --threads "$THREADS" --text-prompts "$TEXT_PROMPTS" |
            tee "$OUT/torch_coretype.jsonl" | grep '^# \(forward\|voc\|torch\)'
    fi
fi

# ---------------------------------------------------------------- ONNX Runtime
if [ $TORCH_OK = 1 ] && [ $ORT_OK = 1 ]; then
    say "ONNX Runtime $ORT_VERSION"
    stamp="$ONNX.source"
    want="${MODEL:-random} $(cksum <tools/bench_torch.py)"
    if [ ! -s "$ONNX" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] ||
       { [ -n "$MODEL" ] && [ "$MODEL" -nt "$ONNX" ]; }; then
        echo "exporting the vision tower to $ONNX"
        if "$PY" tools/bench_torch.py "${MODEL_ARGS[@]}" --export-onnx "$ONNX" | grep '^# exported'; then
            echo "$want" >"$stamp"
        else
            warn "ONNX export failed"; rm -f "$ONNX"
        fi
    fi
    if [ -s "$ONNX" ]; then
        node tools/bench_ort.js --model "$ONNX" --threads "$THREADS" >"$OUT/ort.jsonl"; rc=$?
        grep '^#' "$OUT/ort.jsonl"
        [ $rc = 0 ] || warn "tools/bench_ort.js failed (exit $rc)"
    fi
elif [ $ORT_OK = 1 ]; then
    warn "ONNX Runtime skipped: the ONNX model is exported with PyTorch, which is missing"
fi

# ---------------------------------------------------------------- in turn
# The load of a shared machine changes between the sections above; the forward is also timed
# in alternating rounds (sclip, then ONNX Runtime, each 10 runs), and the ratio of each round
# is printed below the table.
if [ "$ROUNDS" -gt 0 ] && [ -x build/sclip-bench ] && [ -n "$MODEL" ] && [ $ORT_OK = 1 ] && [ -s "$ONNX" ]; then
    say "forward 224x224, sclip and ONNX Runtime in turn ($ROUNDS rounds)"
    for r in $(seq "$ROUNDS"); do
        a=$(build/sclip-bench -m "$MODEL" --threads "$THREADS" --only forward_224 --runs 10 --json | grep '"forward_224"')
        b=$(node tools/bench_ort.js --model "$ONNX" --threads "$THREADS" --runs 10 | grep '"forward_224"')
        if [ -n "$a" ] && [ -n "$b" ]; then
            echo "{\"round\": $r, \"sclip\": $a, \"ort\": $b}" >>"$OUT/turns.jsonl"; echo "round $r done"
        else
            warn "round $r failed"
        fi
    done
fi

# ---------------------------------------------------------------- table
say "results ($THREADS threads; times are medians; ratio < 1 means sclip is faster / smaller)"
TPY=$PY; [ -x "$TPY" ] || TPY=python3
"$TPY" - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]

def load(name):
    res = {}
    try:
        with open(os.path.join(out, name)) as f:
            for line in f:
                if line.startswith("{"):
                    try:
                        o = json.loads(line)
                    except ValueError:
                        continue
                    res[o.get("name")] = o
    except OSError:
        pass
    return res

sides = [load("sclip.jsonl"), load("torch.jsonl"), load("ort.jsonl")]
rows = [("forward_224", "forward 224x224 (ms)", 1e3), ("voc_image", "VOC image 500x375 (ms)", 1e3),
        ("voc21_text", "VOC21 text, 4480 prompts (s)", 1.0), ("peak_rss_mb", "peak RSS (MB)", 1.0)]

def val(side, key):
    o = side.get(key)
    if not o:
        return None
    v = o.get("median_s", o.get("value"))
    return float(v) if isinstance(v, (int, float)) else None

table = [("figure", "sclip", "PyTorch", "ONNX Runtime", "sclip/PyTorch", "sclip/ORT")]
for key, label, k in rows:
    v = [val(s, key) for s in sides]
    cell = lambda x: "-" if x is None else ("%.1f" % (x * k) if x * k < 1000 else "%.0f" % (x * k))
    ratio = lambda a, b: "-" if a is None or b is None or b == 0 else "%.2f" % (a / b)
    if key == "voc21_text" and sides[1].get(key, {}).get("extrapolated"):
        label += " *"
    table.append((label, cell(v[0]), cell(v[1]), cell(v[2]), ratio(v[0], v[1]), ratio(v[0], v[2])))
w = [max(len(r[i]) for r in table) for i in range(6)]
for i, r in enumerate(table):
    print("| " + " | ".join(c.ljust(w[j]) if j == 0 else c.rjust(w[j]) for j, c in enumerate(r)) + " |")
    if i == 0:
        print("|" + "|".join("-" * (x + 2) for x in w) + "|")
t = sides[1].get("voc21_text")
if t and t.get("extrapolated"):
    print("* PyTorch text: %d of %d prompts timed (%.1f s), extrapolated linearly"
          % (t["measured_prompts"], t["prompts"], t["measured_s"]))
info = sides[1].get("torch_info")
if info:
    print("PyTorch %s, BLAS: %s%s" % (info.get("torch"), info.get("blas"),
          "; OpenBLAS core type: %s" % info["openblas_coretype"] if info.get("openblas_coretype") else ""))
chk = sides[1].get("torch_fixture_check")
if chk is not None:
    print("PyTorch model vs the official outputs (fixtures): %s" % ("ok" if chk.get("ok") else "MISMATCH"))
ct = load("torch_coretype.jsonl")
for key, label, unit, k in (("forward_224", "forward 224x224", "ms", 1e3),
                            ("voc_image", "VOC image", "ms", 1e3),
                            ("voc21_text", "VOC21 text (extrapolated)", "s", 1)):
    if ct.get(key):
        a, b = val(sides[0], key), ct[key]["median_s"]
        print("PyTorch %s with OPENBLAS_CORETYPE=%s (reference only): %.1f %s%s" % (
            label, (ct.get("torch_info") or {}).get("openblas_coretype"), b * k, unit,
            "" if a is None else ", sclip/PyTorch %.2f" % (a / b)))
o = sides[2].get("forward_224")
if o:
    print("ONNX Runtime %s (CPU EP, graph optimisation all)%s" % (o.get("version"),
          "" if o.get("check_max_rel_err") is None else
          ", output vs PyTorch max rel. error %.1e" % o["check_max_rel_err"]))
print("peak RSS: PyTorch and sclip after the vision figures (vision tower only); ONNX Runtime: vision tower")
for name in ("q8", "q16"):
    lp = load("sclip_%s.jsonl" % name)
    if lp:
        print("sclip --precision %s: forward %s ms, VOC image %s ms, VOC21 text %s s, peak RSS %s MB" % ((name,) + tuple(
            "-" if val(lp, key) is None else "%.1f" % (val(lp, key) * k) for key, _, k in rows)))
turns = []
try:
    with open(os.path.join(out, "turns.jsonl")) as f:
        turns = [json.loads(l) for l in f if l.startswith("{")]
except (OSError, ValueError):
    pass
if turns:
    r = [t["sclip"]["median_s"] / t["ort"]["median_s"] for t in turns]
    print("forward in turn, sclip / ONNX Runtime per round (medians of 10): %s; median %.2f" % (
        ", ".join("%.1f/%.1f ms = %.2f" % (t["sclip"]["median_s"] * 1e3, t["ort"]["median_s"] * 1e3, x)
                  for t, x in zip(turns, r)), sorted(r)[len(r) // 2]))
EOF
