#!/usr/bin/env bash
# make bench-eval: what sclip-eval costs beside the segmentation it runs, and the full VOC21 val
# time it implies, measured in one run on a synthetic VOC-size set.
#
#   bash tools/bench_eval.sh [MODEL.sclip]      (make bench-eval [MODEL=weights/ViT-B-16.sclip])
#
# 1. tools/make_synthetic_voc.py writes BENCH_EVAL_N (100) images of 500x375 in the VOC layout
#    (JPEG through cjpeg when libjpeg-turbo-progs is there, installed if possible).
# 2. The VOC21 vocabulary is encoded once (sclip-seg --save-vocab), so neither side times it.
# 3. sclip-eval -m MODEL --dataset voc21 --vocab ... --json: per-image time, and its own split of
#    it (decode, segmentation, label decode + counting, state file) from the JSON timing.
# 4. sclip-seg on the same images one by one (a process per image: model load included, as a
#    user scripting sclip-seg would pay it), and sclip-eval again with --precision q8.
# Prints a table and the full VOC21 val (1449 images) extrapolated for f32 and q8.
# Environment: MODEL (default build/random-ViT-B-16.sclip, made if missing), BENCH_THREADS (2),
# BENCH_EVAL_N (100).
set -u
cd "$(dirname "$0")/.." || exit 1
THREADS=${BENCH_THREADS:-2}
N=${BENCH_EVAL_N:-100}
OUT=build/bench_eval
R=$OUT/voc
MODEL=${1:-${MODEL:-build/random-ViT-B-16.sclip}}
mkdir -p "$OUT"
have() { command -v "$1" >/dev/null 2>&1; }
now() { date +%s.%N; }
if [ ! -s "$MODEL" ]; then
    [ "$MODEL" = build/random-ViT-B-16.sclip ] || { echo "bench-eval: $MODEL not found" >&2; exit 1; }
    echo "making seeded random ViT-B/16 weights ($MODEL)"
    python3 tools/export_weights.py -q --random ViT-B/16 -o "$MODEL" || exit 1
fi
if ! have cjpeg && have apt-get && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libjpeg-turbo-progs >"$OUT/apt.log" 2>&1 || true
fi
if [ ! -f "$R/ImageSets/Segmentation/val.txt" ] || [ "$(wc -l <"$R/ImageSets/Segmentation/val.txt")" -ne "$N" ]; then
    rm -rf "$R"
    python3 tools/make_synthetic_voc.py "$R" "$N" || exit 1
    for p in "$R"/JPEGImages/*.ppm; do
        if have cjpeg; then cjpeg -quality 90 "$p" >"${p%.ppm}.jpg"; else mv "$p" "${p%.ppm}.jpg"; fi
        rm -f "$p"
    done
fi
kind=$(head -c 2 "$(ls "$R"/JPEGImages/*.jpg | head -1)" | od -An -tx1 | tr -d ' ')
echo "dataset: $N images of 500x375 in $R ($([ "$kind" = ffd8 ] && echo JPEG || echo 'PPM bytes: no cjpeg'))"
V=$OUT/voc21.vocab
[ -s "$V" ] || build/sclip-seg -m "$MODEL" --preset voc21 \
    --save-vocab "$V" -q "$(ls "$R"/JPEGImages/*.jpg | head -1)" -o "$OUT/first.png" || exit 1

run_eval() { # run_eval TAG ARGS...: sclip-eval over the set, JSON in $OUT/TAG.json
    local tag=$1; shift
    local t0; t0=$(now)
    build/sclip-eval -m "$MODEL" --dataset voc21 --root "$R" --vocab "$V" --threads "$THREADS" -q --json "$OUT/$tag.json" "$@" \
        >"$OUT/$tag.txt" || exit 1
    awk "BEGIN { print $(now) - $t0 }" >"$OUT/$tag.wall"
}
echo "sclip-eval f32 ..."; run_eval eval_f32
echo "sclip-seg, one process per image ..."
t0=$(now)
for img in "$R"/JPEGImages/*.jpg; do
    build/sclip-seg -m "$MODEL" --vocab "$V" --preset voc21 --threads "$THREADS" -q "$img" -o "$OUT/seg.png" || exit 1
done
seg_wall=$(awk "BEGIN { print $(now) - $t0 }")
echo "sclip-eval q8 ..."; run_eval eval_q8 --precision q8

python3 - "$OUT" "$N" "$seg_wall" <<'PY'
import json, sys
out, n, seg_wall = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rows = []
for tag in ("eval_f32", "eval_q8"):
    j = json.load(open("%s/%s.json" % (out, tag)))
    t = j["timing"]
    wall = float(open("%s/%s.wall" % (out, tag)).read())
    over = t["list_s"] + t["label_and_count_s"] + t["state_s"]
    rows.append((tag, wall, t, over))
print()
print("| run | wall | per image | segmentation | image decode | list + label decode + counting | share of the image loop |")
print("|---|---|---|---|---|---|---|")
for tag, wall, t, over in rows:
    print("| sclip-eval %s | %.1f s | %.1f ms | %.1f ms | %.2f ms | %.2f ms | %.2f%% |" % (
        tag[5:], wall, 1e3 * t["images_s"] / n, 1e3 * t["segment_s"] / n, 1e3 * t["image_decode_s"] / n,
        1e3 * over / n, 100 * over / t["images_s"]))
print("| sclip-seg, a process per image (f32) | %.1f s | %.1f ms | | | | |" % (seg_wall, 1e3 * seg_wall / n))
f32 = rows[0][2]
print()
print("sclip-eval f32 per image / sclip-seg per process: %.3f" % ((f32["images_s"] / n) / (seg_wall / n)))
for tag, wall, t, over in rows:
    full = 1449 * t["images_s"] / n + t["model_load_s"] + t["vocab_s"]
    print("full VOC21 val (1449 images), %s, extrapolated: %.1f min (model load %.2f s, cached vocabulary)" % (
        tag[5:], full / 60, t["model_load_s"]))
PY
