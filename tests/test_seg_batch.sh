#!/usr/bin/env bash
# sclip-seg in everyday use, on the tiny fixture model: many images per run (directories, lists
# on stdin, --out-dir, a bad image skipped), every check before the model loads, readable outputs
# (--color, --probs-dir, overlay colours), --logits streamed, bounded memory on 20-megapixel
# photos (peak RSS from getrusage), class lists from stdin and their tolerated endings.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/cli_lib.sh
[ -f build/tiny.sclip ] || skip "build/tiny.sclip not found (tests/run.sh makes it)"
[ -d "$S/fixtures/seg/chelsea_cat4" ] || skip "$S/fixtures/seg not found"
scratch seg_batch
seg=build/sclip-seg
M=build/tiny.sclip
case_dir="$S/fixtures/seg/chelsea_cat4"
classes="$case_dir/classes.txt"

# py: the standard-library helpers below, then the script given as $1 with the other arguments
py() {
    local code=$1; shift
    python3 - "$@" <<PY
import struct, sys, subprocess, resource, os
def npy(p):
    b = open(p, 'rb').read()
    hl = struct.unpack('<H', b[8:10])[0]
    hdr = b[10:10 + hl].decode()
    shape = tuple(int(x) for x in hdr.split("'shape': (")[1].split(')')[0].split(',') if x.strip())
    kind = hdr.split("'descr': '")[1][1:3]
    fmt = {'u1': 'B', 'u2': 'H', 'f4': 'f'}[kind]
    n = 1
    for s in shape: n *= s
    return shape, struct.unpack('<%d%s' % (n, fmt), b[10 + hl:10 + hl + n * struct.calcsize(fmt)])
def voc(c):  # the PASCAL VOC palette over the whole index; 0 is white in the overlay's palette
    if c == 0: return (255, 255, 255)
    r = g = b = 0
    for j in range(8):
        r |= ((c >> (3 * j)) & 1) << (7 - j); g |= ((c >> (3 * j + 1)) & 1) << (7 - j); b |= ((c >> (3 * j + 2)) & 1) << (7 - j)
    return (r, g, b)
$code
PY
}

# 1. a directory: recursion, the extension filter, hidden files, a bad image skipped (exit 1 at
# the end), one model load; outputs per image equal to a single run
mkdir -p "$T/in/sub/deeper" "$T/in/.hidden"
cp "$S/images/chelsea.png" "$T/in/chelsea.png"
cp "$S/images/coffee.png" "$T/in/sub/coffee.PNG"
build/sclip-image "$S/images/chelsea.png" "$T/in/sub/deeper/cat.ppm" >/dev/null
cp "$S/images/chelsea.png" "$T/in/.hidden/skip.png"
echo "not an image" >"$T/in/notes.txt"
head -c 900 "$S/images/coffee.png" >"$T/in/sub/broken.png"
$seg -m $M -c "$classes" "$T/in" --out-dir "$T/o1" --save labels,pred,color,overlay >"$T/stdout" 2>"$T/stderr"
rc=$?
[ $rc -eq 1 ] && grep -q "broken.png" "$T/stderr" && grep -q "3 images segmented, 1 failed" "$T/stderr" &&
    ok "directory: 3 images segmented, the broken one reported and skipped, exit 1" ||
    bad "directory run: exit $rc, $(tail -3 "$T/stderr")"
cmp -s "$T/o1/chelsea.npy" "$case_dir/pred.npy" && ok "directory: chelsea's labels identical to the fixture" ||
    bad "directory: chelsea.npy differs from the fixture"
for f in chelsea.png chelsea_color.png chelsea_overlay.png sub/coffee.png sub/coffee_overlay.png sub/deeper/cat.npy; do
    [ -s "$T/o1/$f" ] || bad "directory: $f not written"
done
[ ! -e "$T/o1/.hidden" ] && [ ! -e "$T/o1/skip.png" ] && [ ! -e "$T/o1/notes.png" ] && ok "hidden files and other extensions skipped" ||
    bad "hidden or .txt files segmented"
cmp -s "$T/o1/sub/deeper/cat.npy" "$case_dir/pred.npy" && ok "the PPM copy gives the same labels (sub-directories kept)" ||
    bad "sub/deeper/cat.npy differs"
grep -q "images/s" "$T/stderr" && grep -q "ETA" "$T/stderr" && ok "progress with images/s and ETA" || bad "no progress line"
grep -q "coffee.PNG: [0-9]*x[0-9]*, [0-9.]*% " "$T/stdout" && ok "a summary line per image" || bad "summary: $(head -2 "$T/stdout")"
# the out-dir inside the searched directory is not searched again; outputs never overwrite inputs
$seg -m $M -c "$classes" "$T/in" --out-dir "$T/in/out" --save pred -q 2>"$T/stderr"
[ $? -eq 1 ] && [ ! -e "$T/in/out/out" ] && ok "second run: --out-dir inside the input directory skipped" || bad "out-dir searched"
$seg -m $M -c "$classes" "$T/in/out" --out-dir "$T/in/out" --save pred -q 2>/dev/null
expect_error "output would overwrite an input" "overwrite the input" \
    $seg -m $M -c "$classes" "$T/in/chelsea.png" "$T/in/sub/coffee.PNG" --out-dir "$T/in" --save labels
# two images with one stem keep their extensions apart
mkdir -p "$T/twins"; cp "$S/images/chelsea.png" "$T/twins/x.png"; cp "$T/in/sub/deeper/cat.ppm" "$T/twins/x.ppm"
$seg -m $M -c "$classes" "$T/twins" --out-dir "$T/tout" --save pred -q && cmp -s "$T/tout/x.png.npy" "$T/tout/x.ppm.npy" &&
    ok "x.png and x.ppm: x.png.npy and x.ppm.npy" || bad "same stems"
expect_error "the same image twice" "same outputs" $seg -m $M -c "$classes" "$T/twins/x.png" "$T/twins/x.png" --out-dir "$T/tout"

# 2. '-': paths on the standard input; -c -: classes on the standard input
printf '%s\n\n%s\n' "$T/in/chelsea.png" "$T/in/sub/coffee.PNG" | $seg -m $M -c "$classes" - --out-dir "$T/lout" --save pred -q &&
    cmp -s "$T/lout/chelsea.npy" "$case_dir/pred.npy" && [ -s "$T/lout/coffee.npy" ] && ok "image list on stdin" || bad "list on stdin"
$seg -m $M -c - "$S/images/chelsea.png" --pred "$T/stdin.npy" -q <"$classes" && cmp -s "$T/stdin.npy" "$case_dir/pred.npy" &&
    ok "-c -: classes on stdin" || bad "-c -"
expect_error "stdin twice" "standard input" $seg -m $M -c - - --out-dir "$T/x"
# class lists: a trailing ';', trailing blank lines, spaces around separators
$seg -m $M --classes " cat ; sofa , couch;background,wall ,floor;person;" "$S/images/chelsea.png" --pred "$T/c1.npy" -q &&
    cmp -s "$T/c1.npy" "$case_dir/pred.npy" && ok "--classes with spaces and a trailing ';'" || bad "--classes trailing ;"
{ cat "$classes"; printf '\n\n'; } >"$T/trail.txt"
$seg -m $M -c "$T/trail.txt" "$S/images/chelsea.png" --pred "$T/c2.npy" -q && cmp -s "$T/c2.npy" "$case_dir/pred.npy" &&
    ok "class file with trailing blank lines" || bad "trailing blank lines"

# 3. every check before the model loads: with a model path that does not exist, the error is
# about the argument, never about the model
nomodel=$T/no-such-model.sclip
python3 -c "print('\n'.join('class%d' % i for i in range(300)))" >"$T/c300.txt"
expect_error "300 classes and -o, before the model" "at most 256" $seg -m $nomodel -c "$T/c300.txt" "$S/images/chelsea.png" -o "$T/l.png"
expect_error "300 classes and --save labels" "at most 256" $seg -m $nomodel -c "$T/c300.txt" "$T/in" --out-dir "$T/o3"
expect_error "--vocab with --templates" "templates has no effect" $seg -m $nomodel --vocab x.vocab --templates t.txt "$S/images/chelsea.png"
expect_error "--vocab with --save-vocab" "copy" $seg -m $nomodel --vocab x.vocab --save-vocab y.vocab "$S/images/chelsea.png"
expect_error "missing vocabulary cache, before the model" "x.vocab" $seg -m $nomodel --vocab "$T/x.vocab" "$S/images/chelsea.png"
expect_error "unwritable -o, before the model" "cannot write $T/nodir/l.png" $seg -m $nomodel -c "$classes" "$S/images/chelsea.png" -o "$T/nodir/l.png"
expect_error "-o a directory" "is a directory" $seg -m $nomodel -c "$classes" "$S/images/chelsea.png" -o "$T"
expect_error "unwritable --save-vocab" "cannot write" $seg -m $nomodel -c "$classes" "$S/images/chelsea.png" --save-vocab "$T/nodir/v.vocab"
expect_error "bad class list, before the model" "class 2" $seg -m $nomodel --classes "cat;;dog" "$S/images/chelsea.png"
expect_error "broken single image, before the model" "broken.png" $seg -m $nomodel -c "$classes" "$T/in/sub/broken.png"
expect_error "-o with a directory" "out-dir" $seg -m $M -c "$classes" "$T/twins" -o x.png
$seg -m $M -c "$classes" "$T/twins" -q && ok "a directory without --out-dir: summaries only" || bad "directory alone"
$seg -m $M -c "$classes" "$T/twins" 2>/dev/null | grep -c "^$T/twins/x.p[pn][mg]: 451x300" | grep -q 2 &&
    ok "a directory without --out-dir: one summary line per image" || bad "directory alone: $($seg -m $M -c "$classes" "$T/twins" 2>&1 | head -3)"
expect_error "-o with several images" "out-dir" $seg -m $M -c "$classes" "$T/in/chelsea.png" "$T/in/sub/coffee.PNG" -o x.png
expect_error "--save without --out-dir" "needs --out-dir" $seg -m $M -c "$classes" "$T/in/chelsea.png" --save labels
expect_error "--save unknown" "unknown output" $seg -m $M -c "$classes" "$T/in" --out-dir "$T/o4" --save labels,nope
expect_error "--crop -o: -o is not swallowed" "needs a value" $seg -m $M -c "$classes" "$S/images/chelsea.png" --crop -o o.png
expect_error "--crop 8: below a patch, named" "crop" $seg -m $M -c "$classes" "$S/images/chelsea.png" --crop 8
expect_error "an empty directory" "no image" $seg -m $M -c "$classes" "$T/twins/../in/.hidden/.." --ext gif --out-dir "$T/o5"
$seg --help | grep -q -- "-m, --model FILE" && ok "--help lists -m, --model" || bad "--help without -m"
expect_error "missing model: the system's reason" "cannot open $nomodel: No such file" $seg -m $nomodel -c "$classes" "$S/images/chelsea.png"
expect_error "a directory as model" "but a directory" $seg -m "$T" -c "$classes" "$S/images/chelsea.png"
expect_error "missing cache: the system's reason" "No such file" $seg -m $M --vocab "$T/none.vocab" "$S/images/chelsea.png"

# 4. readable outputs: --color is the overlay's colours (class 0 "cat" coloured, not white);
# --probs-dir one greyscale PNG per class within half a level of --logits
$seg -m $M -c "$classes" "$S/images/chelsea.png" -q --pred "$T/p.npy" --color "$T/color.png" --logits "$T/lg.npy" \
    --probs-dir "$T/probs" && build/sclip-image "$T/color.png" "$T/color.npy" >/dev/null &&
    build/sclip-image "$T/probs/000_cat.png" "$T/p0.npy" >/dev/null && build/sclip-image "$T/probs/002_background.png" "$T/p2.npy" >/dev/null
py '
shape, lab = npy(sys.argv[1]); _, rgb = npy(sys.argv[2])
bad = sum(1 for i, c in enumerate(lab) if tuple(rgb[3 * i:3 * i + 3]) != voc(c + 1))
print("color: %d of %d pixels off the palette" % (bad, len(lab)))
_, lg = npy(sys.argv[3]); n = len(lab)
worst = 0
for k, f in ((0, sys.argv[4]), (2, sys.argv[5])):
    _, g = npy(f)
    worst = max(worst, max(abs(g[3 * i] / 255.0 - lg[k * n + i]) for i in range(n)))
print("probs-dir: largest difference to the logits %.5f" % worst)
sys.exit(0 if bad == 0 and worst <= 0.5 / 255 + 1e-6 else 1)' "$T/p.npy" "$T/color.npy" "$T/lg.npy" "$T/p0.npy" "$T/p2.npy" &&
    ok "--color = palette(class + 1) on every pixel; --probs-dir within half a level of --logits" || bad "--color / --probs-dir"
ls "$T/probs" | tr '\n' ' ' | grep -q "000_cat.png 001_sofa.png 002_background.png 003_person.png" && ok "--probs-dir: NNN_name.png" ||
    bad "--probs-dir names: $(ls "$T/probs")"
# a preset with a background class paints class 0 white whatever its name (any spelling of it)
for preset in voc21 voc pascal_context60 coco_object; do
    $seg -m $M -c "$classes" --preset $preset "$S/images/chelsea.png" -q --pred "$T/pv.npy" --color "$T/cv.png" &&
        build/sclip-image "$T/cv.png" "$T/cv.npy" >/dev/null &&
        py 'shape, lab = npy(sys.argv[1]); _, rgb = npy(sys.argv[2])
sys.exit(0 if 0 in lab and all(tuple(rgb[3 * i:3 * i + 3]) == voc(c) for i, c in enumerate(lab)) else 1)' "$T/pv.npy" "$T/cv.npy" &&
        ok "--preset $preset: class 0 white, class c in palette c" || bad "--preset $preset colours"
done

# 5. memory: a 20-megapixel photo (5472x3648) with labels only, and --logits on a 12-megapixel
# one, stay far below classes x pixels floats (peak RSS of the child, from getrusage)
py '
w, h = 5472, 3648
row = bytes((x * 7 + 40) & 255 for x in range(3 * w))
with open(sys.argv[1], "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (w, h))
    for y in range(h): f.write(row[y % 3:] + row[:y % 3])
w, h = 4000, 3000
with open(sys.argv[2], "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (w, h))
    for y in range(h): f.write(row[y % 5:y % 5 + 3 * w])' "$T/20mp.ppm" "$T/12mp.ppm"
rss() { # rss CMD...: runs CMD, prints its peak RSS in MB, fails with it
    py 'r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.stderr.write(r.stderr.decode()[-300:]); sys.exit(r.returncode)' "$@"
}
python3 -c "print('\n'.join('thing%d' % i for i in range(150)))" >"$T/c150.txt"
$seg -m $M -c "$T/c150.txt" --save-vocab "$T/c150.vocab" "$S/images/chelsea.png" -q || bad "150-class vocabulary"
if mb=$(rss $seg -m $M --vocab "$T/c150.vocab" "$T/20mp.ppm" -o "$T/20mp.png" -q); then
    # the image (60 MB) and 2-byte labels (40 MB) are all that grows with the pixels; 150 x 20M floats would be 12 GB
    [ "$mb" -lt 400 ] && ok "20 MP, 150 classes, -o: peak RSS $mb MB (< 400)" || bad "20 MP, 150 classes: peak RSS $mb MB"
else
    bad "20 MP photo refused"
fi
if mb=$(rss $seg -m $M -c "$classes" "$T/12mp.ppm" --logits "$T/12mp.npy" -q); then
    size=$(($(stat -c %s "$T/12mp.npy") / 1048576))
    [ "$size" -eq 183 ] && [ "$mb" -lt 150 ] && ok "--logits on 12 MP: a $size MB file written with a peak RSS of $mb MB" ||
        bad "--logits on 12 MP: file $size MB, peak RSS $mb MB"
    head -c 128 "$T/12mp.npy" | grep -q "(4, 3000, 4000)" && ok "--logits header (4, 3000, 4000)" || bad "--logits header"
else
    bad "--logits on 12 MP"
fi
rm -f "$T/20mp.ppm" "$T/12mp.ppm" "$T/12mp.npy" "$T/20mp.png"

# 6. a vocabulary cache encoded at reduced precision is refused by another precision
$seg -m $M -c "$classes" --precision q8 --save-vocab "$T/q8.vocab" "$S/images/chelsea.png" -q --pred "$T/q8.npy" || bad "q8 run"
expect_error "q8 cache in an f32 run" "precision" $seg -m $M --vocab "$T/q8.vocab" "$S/images/chelsea.png" --pred "$T/x.npy"
$seg -m $M --vocab "$T/q8.vocab" --precision q8 "$S/images/chelsea.png" -q --pred "$T/q8b.npy" && cmp -s "$T/q8.npy" "$T/q8b.npy" &&
    ok "the q8 cache serves q8 runs" || bad "q8 cache with q8"

echo "$fails failure(s)"
[ $fails -eq 0 ]
