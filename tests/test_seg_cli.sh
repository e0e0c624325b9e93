#!/usr/bin/env bash
# sclip-seg and sclip-embed from the command line, on the tiny fixture model: outputs equal to the
# official fixture (chelsea_cat4), the vocabulary cache, presets and option handling, and clear
# errors (non-zero status, a message, no crash) for bad input.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/cli_lib.sh
[ -f build/tiny.sclip ] || skip "build/tiny.sclip not found (tests/run.sh makes it)"
[ -d "$S/fixtures/seg/chelsea_cat4" ] || skip "$S/fixtures/seg not found"
scratch seg_cli
seg=build/sclip-seg
case_dir="$S/fixtures/seg/chelsea_cat4"

# compare two .npy files with the standard library: same header, same bytes
same_npy() { cmp -s "$1" "$2"; }

# npy_close A B abs|rel LIMIT: two float32 .npy files of the same shape whose largest difference
# (absolute, or relative to B's largest magnitude) is below LIMIT
npy_close() {
    python3 - "$@" <<'PY'
import struct, sys
def load(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    hdr = b[10:10 + hl].decode()
    assert "'<f4'" in hdr, hdr
    return hdr.split("'shape'")[1], struct.unpack('<%df' % ((len(b) - 10 - hl) // 4), b[10 + hl:])
(sa, a), (sb, b) = load(sys.argv[1]), load(sys.argv[2])
assert sa == sb, (sa, sb)
m = max(abs(x - y) for x, y in zip(a, b))
if sys.argv[3] == 'rel':
    m /= max(abs(y) for y in b)
print("    max %s err" % sys.argv[3], m)
sys.exit(0 if m < float(sys.argv[4]) else 1)
PY
}

# 1. the fixture case through the CLI: labels identical, probabilities within 1e-3
if $seg -m build/tiny.sclip -c "$case_dir/classes.txt" "$S/images/chelsea.png" -q --pred "$T/pred.npy" \
        --logits "$T/logits.npy" -o "$T/labels.png" --overlay "$T/overlay.png" --save-vocab "$T/cat4.vocab"; then
    same_npy "$T/pred.npy" "$case_dir/pred.npy" && ok "pred.npy identical to the fixture" || bad "pred.npy differs"
    npy_close "$T/logits.npy" "$case_dir/seg_logits.npy" abs 1e-3 && ok "seg_logits within 1e-3" || bad "seg_logits differ"
    head -c 8 "$T/labels.png" | od -An -tx1 | grep -q "89 50 4e 47" && ok "labels.png written" || bad "labels.png"
    head -c 8 "$T/overlay.png" | od -An -tx1 | grep -q "89 50 4e 47" && ok "overlay.png written" || bad "overlay.png"
    build/sclip-image "$T/labels.png" "$T/labels_rgb.npy" >/dev/null 2>&1 && ok "labels.png decodes" || bad "labels.png does not decode"
else
    bad "sclip-seg on chelsea_cat4"
fi

# 2. the vocabulary cache gives the same labels; classes on the command line give the same too
$seg -m build/tiny.sclip --vocab "$T/cat4.vocab" "$S/images/chelsea.png" -q --pred "$T/pred2.npy" &&
    same_npy "$T/pred2.npy" "$case_dir/pred.npy" && ok "--vocab cache" || bad "--vocab cache"
$seg -m build/tiny.sclip --classes "cat;sofa,couch ; background, wall,floor; person" "$S/images/chelsea.png" -q \
    --pred "$T/pred3.npy" && same_npy "$T/pred3.npy" "$case_dir/pred.npy" && ok "--classes list" || bad "--classes list"
# a preset sets the settings, an explicit option overrides it
$seg -m build/tiny.sclip --vocab "$T/cat4.vocab" "$S/images/chelsea.png" -q --preset voc20 --pred "$T/pred4.npy" &&
    same_npy "$T/pred4.npy" "$case_dir/pred.npy" && ok "--preset voc20 (= defaults)" || bad "--preset voc20"
$seg -m build/tiny.sclip --vocab "$T/cat4.vocab" "$S/images/chelsea.png" -q --preset cityscapes --short-side 336 \
    --pred "$T/pred5.npy" && same_npy "$T/pred5.npy" "$case_dir/pred.npy" && ok "option overrides preset" || bad "override"
out=$($seg -m build/tiny.sclip --vocab "$T/cat4.vocab" "$S/images/chelsea.png" 2>/dev/null)
echo "$out" | grep -q "451x300, 4 classes" && ok "summary printed" || bad "summary: $out"
$seg --help | grep -q -- "--pamr" && ok "--help" || bad "--help"

# the preset's built-in class list = the official class file
$seg -m build/tiny.sclip --preset voc21 "$S/images/coffee.png" -q --pred "$T/p21a.npy" &&
    $seg -m build/tiny.sclip --preset voc21 -c "$S/classnames/voc21.txt" "$S/images/coffee.png" -q --pred "$T/p21b.npy" &&
    same_npy "$T/p21a.npy" "$T/p21b.npy" && ok "--preset voc21 alone uses the built-in class list" || bad "--preset alone"
# 3. errors
expect_error "no classes" "no classes" $seg -m build/tiny.sclip "$S/images/chelsea.png"
expect_error "unknown flag" "unknown option" $seg -m build/tiny.sclip --classes cat "$S/images/chelsea.png" --bogus
expect_error "no model" "no model" $seg --classes cat "$S/images/chelsea.png"
expect_error "two class sources" "only one of" $seg -m build/tiny.sclip --classes cat -c x.txt "$S/images/chelsea.png"
expect_error "unknown preset" "unknown preset" $seg -m build/tiny.sclip --classes cat --preset voc22 "$S/images/chelsea.png"
expect_error "bad number" "must be" $seg -m build/tiny.sclip --classes cat --crop abc "$S/images/chelsea.png"
expect_error "stride above the crop" "in no window" $seg -m build/tiny.sclip --vocab "$T/cat4.vocab" --crop 112 --stride 200 \
    "$S/images/chelsea.png"
expect_error "bad attn" "unknown attention" $seg -m build/tiny.sclip --classes cat --attn foo "$S/images/chelsea.png"
expect_error "empty class" "class 2 (line 1) is empty" $seg -m build/tiny.sclip --classes "cat;;dog" "$S/images/chelsea.png"
printf 'cat\n\ndog\n' >"$T/blank.txt"
expect_error "blank line in class file" "line 2" $seg -m build/tiny.sclip -c "$T/blank.txt" "$S/images/chelsea.png"
: >"$T/empty.txt"
expect_error "empty class file" "empty" $seg -m build/tiny.sclip -c "$T/empty.txt" "$S/images/chelsea.png"
python3 -c "print('\n'.join('class%d' % i for i in range(10000)))" >"$T/many.txt"
expect_error "10000 classes" "more than" $seg -m build/tiny.sclip -c "$T/many.txt" "$S/images/chelsea.png"
python3 -c "print('a ' * 10000)" >"$T/long.txt"
expect_error "20000-character class name" "do not fit" $seg -m build/tiny.sclip -c "$T/long.txt" "$S/images/chelsea.png"
expect_error "missing image" "cannot open\|no such\|cannot read" $seg -m build/tiny.sclip --classes cat "$T/none.png"
head -c 1000 "$S/images/chelsea.png" >"$T/trunc.png"
expect_error "truncated image" "png" $seg -m build/tiny.sclip --classes cat "$T/trunc.png"
printf 'P6\n20000 3\n255\n' >"$T/wide.ppm"; head -c 180000 /dev/zero >>"$T/wide.ppm"
expect_error "image over the limit" "limit" $seg -m build/tiny.sclip --classes cat "$T/wide.ppm"
printf 'P6\n1 1\n255\n\x10\x80\xf0' >"$T/one.ppm"
$seg -m build/tiny.sclip --classes "cat;dog" "$T/one.ppm" -q --pred "$T/one.npy" && ok "1x1 image segments" || bad "1x1 image"
expect_error "1x1 image without resize" "smaller than one patch" $seg -m build/tiny.sclip --classes cat --short-side 0 "$T/one.ppm"
head -c 5000 build/tiny.sclip >"$T/trunc.sclip"
expect_error "truncated weights" "truncated" $seg -m "$T/trunc.sclip" --classes cat "$S/images/chelsea.png"
printf 'garbage' >"$T/garbage.vocab"
expect_error "bad vocabulary cache" "vocabulary" $seg -m build/tiny.sclip --vocab "$T/garbage.vocab" "$S/images/chelsea.png"

# 3b. the paper's ablations from the command line: every token fixture through sclip-embed --dense
# --attn (within 1e-4 relative), the three ablation segmentation cases through sclip-seg --attn
A="$S/fixtures/ablation"
n=0; total=0
for ref in "$A"/vision_input*_tokens_*.npy; do
    b=$(basename "$ref" .npy); in=${b%%_tokens_*}; opt=${b#*_tokens_}
    case $opt in
    csa-rand_*) opt=$(echo "$opt" | tr _ :) ;;
    sharpen_*) opt=sharpen:$(echo "${opt#sharpen_}" | tr _ .) ;;
    *_*) opt=$(echo "$opt" | tr _ :) ;;
    esac
    total=$((total + 1))
    build/sclip-embed -m build/tiny.sclip --image-npy "$S/fixtures/tiny/$in.npy" --dense --attn "$opt" -o "$T/tok.npy" &&
        build/test_towers --close "$T/tok.npy" "$ref" rel 1e-4 >/dev/null && n=$((n + 1)) || bad "sclip-embed --attn $opt on $in"
done
[ $n -eq $total ] && [ $total -ge 20 ] && ok "$n ablation token fixtures through sclip-embed --dense --attn" || bad "$n of $total"
for spec in "astronaut_early2 astronaut_256.png early:2 0 40" "chelsea_local3 chelsea.png local:3 224 40" \
    "coffee_rand2 coffee.png csa-rand:2:1 224 60"; do
    set -- $spec
    $seg -m build/tiny.sclip -c "$A/cat4.txt" --attn "$3" --crop "$4" --logit-scale "$5" "$S/images/$2" -q \
        --pred "$T/abl.npy" --logits "$T/abl_logits.npy" &&
        same_npy "$T/abl.npy" "$A/seg/$1/pred.npy" && build/test_towers --close "$T/abl_logits.npy" "$A/seg/$1/seg_logits.npy" abs 1e-3 >/dev/null &&
        ok "sclip-seg --attn $3: $1 labels identical, logits within 1e-3" || bad "sclip-seg --attn $3 ($1)"
done
expect_error "--attn early:3 on a 3-layer model" "1..2" $seg -m build/tiny.sclip --classes cat --attn early:3 "$S/images/chelsea.png"
expect_error "--attn local:4" "odd" $seg -m build/tiny.sclip --classes cat --attn local:4 "$S/images/chelsea.png"
expect_error "--attn csa-rand:65" "1..64" build/sclip-embed -m build/tiny.sclip --image-npy "$S/fixtures/tiny/vision_input.npy" --dense --attn csa-rand:65
expect_error "--attn sharpen:0" "above 0" $seg -m build/tiny.sclip --classes cat --attn sharpen:0 "$S/images/chelsea.png"

# 3c. sclip-attn: chelsea.png (451x300) resized to 337x224 has a 14x21 grid; the point (300,150)
# lies in patch (7, 14), where local:1 and maskclip put all of the weight
at=build/sclip-attn
$at -m build/tiny.sclip "$S/images/chelsea.png" --point 300,150 --point 10,290 --attn local:1,maskclip,sclip,vanilla,early:2 \
    -o "$T/attn.png" --npy "$T/maps.npy" >/dev/null 2>"$T/err" &&
    build/test_towers --onehot "$T/maps.npy" 0 0 7 14 >/dev/null && build/test_towers --onehot "$T/maps.npy" 0 1 7 14 >/dev/null &&
    build/test_towers --onehot "$T/maps.npy" 1 0 13 0 >/dev/null && head -c 8 "$T/attn.png" | od -An -tx1 | grep -q "89 50 4e 47" &&
    ok "sclip-attn: maps of the patch under each point (local:1 and maskclip one-hot there), figure written" ||
    bad "sclip-attn: $(head -c 300 "$T/err")"
$at "$S/images/coffee.png" --windows "$T/win.png" >"$T/out" && grep -q "8 windows" "$T/out" && ok "sclip-attn --windows" || bad "--windows"
expect_error "attn: point outside the image" "0 <= X < 451" $at -m build/tiny.sclip "$S/images/chelsea.png" --point 451,10 -o "$T/x.png"
expect_error "attn: bad block" "local:2" $at -m build/tiny.sclip "$S/images/chelsea.png" --attn sclip,local:2 -o "$T/x.png"
expect_error "attn: early beyond the layers" "1..2" $at -m build/tiny.sclip "$S/images/chelsea.png" --attn early:5 -o "$T/x.png"
expect_error "attn: nothing to write" "nothing to write" $at -m build/tiny.sclip "$S/images/chelsea.png"

# 3d. --version everywhere; the usable CPUs follow the affinity mask
v=0
for p in seg eval attn embed bench image tokenize; do build/sclip-$p --version | grep -q "sclip 0\.[0-9]*\.[0-9]*; .*SIMD: " && v=$((v + 1)); done
[ $v -eq 7 ] && ok "--version on the 7 programs (version, compiler, SIMD paths)" || bad "--version: $v of 7"
if command -v taskset >/dev/null 2>&1; then
    taskset -c 0 build/sclip-seg --version | grep -q "; 1 CPU usable" && ok "taskset -c 0: 1 CPU usable (the default thread count)" ||
        bad "taskset -c 0: $(taskset -c 0 build/sclip-seg --version)"
fi

# 4. sclip-embed
build/sclip-embed -m build/tiny.sclip --text "a photo of a cat." --text "sky" -o "$T/t.npy" && ok "sclip-embed --text" || bad "sclip-embed --text"
build/sclip-embed -m build/tiny.sclip --image-npy "$S/fixtures/tiny/vision_input.npy" --dense --attn sclip -o "$T/d.npy" &&
    npy_close "$T/d.npy" "$S/fixtures/tiny/vision_tokens_csa.npy" rel 1e-4 && ok "sclip-embed --dense = fixture" ||
    bad "sclip-embed --dense"
expect_error "embed: 5000-character prompt" "does not fit" build/sclip-embed -m build/tiny.sclip --text "$(python3 -c "print('a ' * 2500)")"
build/sclip-embed -m build/tiny.sclip --truncate --text "$(python3 -c "print('a ' * 2500)")" >/dev/null && ok "embed --truncate" || bad "embed --truncate"
build/sclip-embed -m build/tiny.sclip --text "" >/dev/null && ok "embed: empty prompt (as CLIP)" || bad "embed empty prompt"
python3 -c "
import struct
hdr = \"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8, 8), }\"
hdr += ' ' * ((64 - (10 + len(hdr) + 1) % 64) % 64) + '\n'
open('$T/small.npy', 'wb').write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() + b'\0' * (4 * 3 * 64))"
expect_error "embed: image below one patch" "smaller than one" build/sclip-embed -m build/tiny.sclip --image-npy "$T/small.npy"
expect_error "embed: unknown flag" "unknown option" build/sclip-embed -m build/tiny.sclip --text x --nope

echo "$fails failure(s)"
[ $fails -eq 0 ]
