#!/usr/bin/env bash
# SC-CLIP and ResCLIP through sclip-seg on the 12-layer fixture model: every case of
# fixtures/methods (the official code's seg_logits and pred) with --method, its preset or
# --method-opt, and --features for the probe6 vocabularies; then clear errors for bad input.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/cli_lib.sh
[ -f build/tiny12.sclip ] || skip "build/tiny12.sclip not found (tests/run.sh makes it)"
[ -d "$S/fixtures/methods/scclip" ] || skip "$S/fixtures/methods not found"
scratch methods_cli
seg=build/sclip-seg
M="$S/fixtures/methods"

# compare OUT_DIR CASE_DIR LOGITS_LIMIT MAX_PIXELS: seg_logits within LOGITS_LIMIT (absolute), at most
# MAX_PIXELS labels different
compare() {
    python3 - "$1" "$2" "$3" "$4" <<'PY'
import struct, sys
def load(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    hdr = b[10:10 + hl].decode()
    code = hdr.split("'descr': '")[1][:3]
    fmt = {'<f4': 'f', '|u1': 'B', '<i8': 'q'}[code]
    n = (len(b) - 10 - hl) // struct.calcsize(fmt)
    return hdr.split("'shape'")[1].split(')')[0], struct.unpack('<%d%s' % (n, fmt), b[10 + hl:])
out, ref, lim, maxpix = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
(sa, a), (sb, b) = load(out + '/logits.npy'), load(ref + '/seg_logits.npy')
(pa, p), (pb, q) = load(out + '/pred.npy'), load(ref + '/pred.npy')
assert sa == sb and pa == pb, (sa, sb, pa, pb)
m = max(abs(x - y) for x, y in zip(a, b))
d = sum(x != y for x, y in zip(p, q))
print("    seg_logits max |a-b| %.2e, %d of %d labels differ" % (m, d, len(p)))
sys.exit(0 if m <= lim and d <= maxpix else 1)
PY
}

# run NAME LIMIT PIXELS ARGS...: one case through sclip-seg, compared with its fixture
run() {
    local name=$1 lim=$2 pix=$3; shift 3
    rm -f "$T/logits.npy" "$T/pred.npy"
    if "$seg" -m build/tiny12.sclip -q --pred "$T/pred.npy" --logits "$T/logits.npy" "$@" >"$T/out" 2>"$T/err" &&
        compare "$T" "$M/$name" "$lim" "$pix"; then ok "$name"; else bad "$name: $(head -c 300 "$T/err")"; fi
}

img="$S/images"
# SC-CLIP: constructor defaults on real text; the context60 config with the probe6 queries
run scclip/chelsea_cat4 1e-4 0 --method scclip -c "$M/scclip/chelsea_cat4/classes.txt" "$img/chelsea.png"
run scclip/astronaut_probe6_ctx60 1e-4 0 --method scclip --preset context60 -c "$M/scclip/astronaut_probe6_ctx60/classes.txt" \
    --features "$M/scclip/astronaut_probe6_ctx60/text_features.npy" "$img/astronaut_256.png"
# the same settings spelled out: preset values and --method-opt under the official names
run scclip/astronaut_probe6_ctx60 1e-4 0 --method scclip --short-side 336 --logit-scale 40 --prob-thd 0.15 \
    --method-opt pre_adjust_idx=8 --method-opt post_adjust_idx=3 --method-opt multi_start_idx=3 \
    --method-opt=multi_end_idx=10 --method-opt res_cls=0.3 --method-opt beta=0.4 \
    -c "$M/scclip/astronaut_probe6_ctx60/classes.txt" --features "$M/scclip/astronaut_probe6_ctx60/text_features.npy" \
    "$img/astronaut_256.png"
# ResCLIP: the context59 config (sliding windows) on real text
run resclip/chelsea_cat4_ctx59 1e-4 0 --method resclip --preset context59 -c "$M/resclip/chelsea_cat4_ctx59/classes.txt" \
    "$img/chelsea.png"
run resclip/chelsea_cat4_ctx59 1e-4 0 --method resclip --method-opt temp_thd=0.25 --method-opt attn_rcs_weights=2.0,0.4 \
    --method-opt attn_sfr_weights=1.8,0.7 --method-opt delete_same_entity=true --method-opt gaussian_std=5 \
    -c "$M/resclip/chelsea_cat4_ctx59/classes.txt" "$img/chelsea.png"
# the voc21 config: the whole 336x504 image in one forward (a 21x31 grid), two bilinear steps.
# Measured: probabilities within 4.2e-6, one label different, a pixel where the two best classes
# are 1.1e-6 apart
run resclip/coffee_probe6_voc21 1e-4 2 --method resclip --preset voc21 -c "$M/resclip/coffee_probe6_voc21/classes.txt" \
    --features "$M/resclip/coffee_probe6_voc21/text_features.npy" "$img/coffee.png"

# sclip-eval --method: the benchmark's preset becomes the method's config (ResCLIP voc21: the
# whole image), every resolved option in the run's settings
E="$S/fixtures/eval/voc21/root"
if [ -d "$E" ]; then
    if build/sclip-eval -m build/tiny12.sclip --dataset voc21 --root "$E" --method resclip --method-opt temp_thd=0.3 -q \
            --json "$T/ev.json" >/dev/null 2>"$T/err" &&
        grep -q '"method": "resclip temp_thd=0.3 attn_rcs_weights=2,0.3 attn_sfr_weights=2.2,0.7 delete_same_entity=1 gaussian_std=5"' "$T/ev.json" &&
        grep -q 'crop=-1 ' "$T/ev.json"; then ok "sclip-eval --method resclip (voc21 config, option recorded)"
    else bad "sclip-eval --method resclip: $(head -c 300 "$T/err")"; fi
    expect_error "sclip-eval bad method option" "unknown option" build/sclip-eval -m build/tiny12.sclip --dataset voc21 --root "$E" \
        --method scclip --method-opt gaussian_std=3
fi

# bad input: a clear message and a non-zero status, never a crash
c4="$M/scclip/chelsea_cat4/classes.txt"
expect_error "unknown method" "must be sclip, scclip or resclip" $seg -m build/tiny12.sclip --method foo -c "$c4" "$img/chelsea.png"
expect_error "option of the other method" "unknown option 'temp_thd'" $seg -m build/tiny12.sclip --method scclip \
    --method-opt temp_thd=0.5 -c "$c4" "$img/chelsea.png"
expect_error "option without a method" "scclip or resclip" $seg -m build/tiny12.sclip --method-opt beta=0.5 -c "$c4" "$img/chelsea.png"
expect_error "not KEY=VALUE" "KEY=VALUE" $seg -m build/tiny12.sclip --method scclip --method-opt beta -c "$c4" "$img/chelsea.png"
expect_error "bad pair" "TAU,LAMBDA" $seg -m build/tiny12.sclip --method resclip --method-opt attn_rcs_weights=2 -c "$c4" \
    "$img/chelsea.png"
expect_error "bad bool" "true or false" $seg -m build/tiny12.sclip --method resclip --method-opt delete_same_entity=2 -c "$c4" \
    "$img/chelsea.png"
expect_error "missing --method-opt value" "needs a value" $seg -m build/tiny12.sclip --method scclip -c "$c4" "$img/chelsea.png" \
    --method-opt
expect_error "index beyond the model" "blocks 0..10" $seg -m build/tiny12.sclip --method scclip --method-opt pre_adjust_idx=11 \
    -c "$c4" "$img/chelsea.png"
expect_error "scclip on a 3-layer model" "3-layer" $seg -m build/tiny.sclip --method scclip -c "$c4" "$img/chelsea.png"
expect_error "resclip on a 3-layer model" "10 layers" $seg -m build/tiny.sclip --method resclip -c "$c4" "$img/chelsea.png"
expect_error "scclip window below 31 patches" "at least 31" $seg -m build/tiny12.sclip --method scclip --crop 64 --stride 32 \
    -c "$c4" "$img/chelsea.png"
expect_error "--attn with a method" "does not apply" $seg -m build/tiny12.sclip --method resclip --attn naclip -c "$c4" \
    "$img/chelsea.png"
expect_error "no method config" "no config" $seg -m build/tiny12.sclip --method scclip --preset coco-stuff10k -c "$c4" \
    "$img/chelsea.png"
expect_error "features: wrong rows" "one row per name" $seg -m build/tiny12.sclip --features "$M/scclip/astronaut_probe6_ctx60/text_features.npy" \
    -c "$c4" "$img/chelsea.png"
expect_error "features: not an npy" "features" $seg -m build/tiny12.sclip --features "$c4" -c "$c4" "$img/chelsea.png"
python3 -c "
import struct
hdr = \"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 32), }\"
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\\n'
open('$T/w32.npy', 'wb').write(b'\\x93NUMPY\\x01\\x00' + struct.pack('<H', len(hdr)) + hdr.encode() + bytes(4 * 4 * 32))"
expect_error "features: wrong width" "rows of 32 floats" $seg -m build/tiny12.sclip --features "$T/w32.npy" --classes "a;b;c;d" \
    "$img/chelsea.png"
expect_error "features with --vocab" "not with --vocab" $seg -m build/tiny12.sclip --vocab x.vocab --features \
    "$M/scclip/astronaut_probe6_ctx60/text_features.npy" "$img/chelsea.png"

echo "$fails failure(s)"
[ $fails -eq 0 ]
