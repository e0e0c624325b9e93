#!/usr/bin/env bash
# sclip-eval from the command line:
#   1. every fixture prediction set scored with --pred-dir gives the official JSON (every field)
#      and the official summary line; --raw-labels and a dataset of one's own give the same;
#   2. the whole pipeline on a fixture dataset with the tiny model: the predictions equal
#      sclip-seg --preset on each image, and scoring the saved predictions gives the same numbers;
#   3. shards run as separate processes (xargs -P) and merged equal one run; a run killed with
#      SIGKILL resumes from its state file and ends with the numbers of an uninterrupted run;
#   4. bad input: a clear message naming the file or setting, a non-zero status, never a crash.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/cli_lib.sh
E="$S/fixtures/eval"
[ -d "$E/voc21" ] || skip "$E not found"
[ -f build/tiny.sclip ] || skip "build/tiny.sclip not found (tests/run.sh makes it)"
scratch eval_cli
ev=build/sclip-eval
check() { build/test_eval --check-json "$1" "$2" >"$T/check.log" 2>&1 || { tail -5 "$T/check.log"; return 1; }; }
check_metrics() { build/test_eval --check-json-metrics "$1" "$2" >"$T/check.log" 2>&1 || { tail -5 "$T/check.log"; return 1; }; }
log_line() { sed -n 's/.*"log_line": "\([^"]*\)".*/\1/p' "$1"; }

# 1. every expected_*.json of the fixtures through --pred-dir
n=0; total=0
for d in voc21 voc20 context60 context59 coco_object coco_stuff coco_stuff10k cityscapes ade20k; do
    for exp in "$E/$d"/expected_*.json; do
        kind=$(basename "$exp" .json); kind=${kind#expected_}; total=$((total + 1))
        if $ev --dataset $d --root "$E/$d/root" --pred-dir "$E/$d/pred_$kind" --json "$T/$d-$kind.json" >"$T/out" 2>"$T/err" &&
            check "$T/$d-$kind.json" "$exp" && [ "$(tail -1 "$T/out")" = "$(log_line "$exp")" ]; then
            n=$((n + 1))
        else
            bad "$d $kind: $(head -c 300 "$T/err")"
        fi
    done
done
[ $n -eq $total ] && [ $total -ge 22 ] && ok "$n fixture scores identical to the official ones (JSON fields and the printed line)" ||
    bad "only $n of $total fixture scores"
for d in coco_stuff; do
    $ev --dataset $d --root "$E/$d/root" --pred-dir "$E/$d/pred_noisy" --raw-labels --json "$T/raw.json" >/dev/null 2>"$T/err" &&
        check "$T/raw.json" "$E/$d/expected_noisy.json" && ok "$d --raw-labels = converted labels" || bad "$d --raw-labels"
done
# a dataset of one's own in the ADE20K layout: the same table and numbers as --dataset ade20k
sed -n 's/^ *"class": "\(.*\)",$/\1/p' "$E/ade20k/expected_edge.json" >"$T/ade_names.txt"
$ev --images "$E/ade20k/root/images/validation" --labels "$E/ade20k/root/annotations/validation" --classes "$T/ade_names.txt" \
    --reduce-zero-label --pred-dir "$E/ade20k/pred_edge" --json "$T/own.json" >"$T/own.txt" 2>"$T/err" &&
    check_metrics "$T/own.json" "$E/ade20k/expected_edge.json" && ok "--images/--labels/--reduce-zero-label = ade20k" ||
    bad "own dataset: $(head -c 300 "$T/err")"
same=0
for pair in voc21:voc21 voc20:voc20 context60:context60 context59:context59 coco_object:coco_object coco_stuff:coco_stuff \
    coco_stuff10k:coco_stuff cityscapes:city_scapes ade20k:ade20k; do
    $ev --list-classes --dataset "${pair%%:*}" >"$T/cls.txt" &&
        cmp -s "$T/cls.txt" <(cat "$S/classnames/${pair#*:}.txt"; echo) && same=$((same + 1))
done
[ $same -eq 9 ] && ok "the 9 built-in vocabularies = the official cls_*.txt, byte for byte" || bad "built-in vocabularies: $same of 9"

# 2. the pipeline with the tiny model: predictions equal sclip-seg --preset voc21, scored identically
if $ev -m build/tiny.sclip --dataset voc21 --root "$E/voc21/root" --save-pred "$T/pred" --save-overlay "$T/overlay" \
        --json "$T/model.json" >"$T/model.txt" 2>"$T/err"; then
    same=0
    for img in "$E/voc21/root/JPEGImages"/*.jpg; do
        stem=$(basename "$img" .jpg)
        grep -qx "$stem" "$E/voc21/root/ImageSets/Segmentation/val.txt" || continue
        build/sclip-seg -m build/tiny.sclip -c "$S/classnames/voc21.txt" --preset voc21 "$img" -o "$T/seg.png" -q &&
            cmp -s "$T/seg.png" "$T/pred/$stem.png" && same=$((same + 1))
    done
    [ $same -eq 12 ] && ok "12 predictions identical to sclip-seg --preset voc21" || bad "only $same of 12 predictions equal sclip-seg's"
    [ "$(ls "$T/overlay" | wc -l)" -eq 12 ] && ok "12 overlays written" || bad "overlays"
    $ev --dataset voc21 --root "$E/voc21/root" --pred-dir "$T/pred" --json "$T/again.json" >"$T/again.txt" 2>/dev/null &&
        check_metrics "$T/again.json" "$T/model.json" && cmp -s "$T/again.txt" "$T/model.txt" &&
        ok "the saved predictions score the same (--pred-dir)" || bad "--pred-dir on saved predictions"
else
    bad "sclip-eval -m tiny voc21: $(head -c 300 "$T/err")"
fi

# 3. shards as separate processes, merged; resume after SIGKILL
printf '%s\n' 0 1 2 | xargs -P 3 -I{} $ev -m build/tiny.sclip --dataset voc21 --root "$E/voc21/root" --shard {}/3 \
    --state "$T/s{}.state" -q --threads 1 >/dev/null 2>"$T/err"
$ev --merge "$T"/s0.state "$T"/s1.state "$T"/s2.state --json "$T/merged.json" >"$T/merged.txt" 2>"$T/err" &&
    check_metrics "$T/merged.json" "$T/model.json" && cmp -s "$T/merged.txt" "$T/model.txt" &&
    ok "3 shards (xargs -P 3) merged = one run" || bad "merge of 3 shards: $(head -c 300 "$T/err")"
printf '%s\n' 0 1 2 3 4 | xargs -P 5 -I{} $ev --dataset ade20k --root "$E/ade20k/root" --pred-dir "$E/ade20k/pred_edge" \
    --shard {}/5 --state "$T/a{}.state" -q >/dev/null 2>&1
$ev --merge "$T"/a[0-4].state --json "$T/amerged.json" >/dev/null 2>"$T/err" && check "$T/amerged.json" "$E/ade20k/expected_edge.json" &&
    ok "5 prediction shards merged = the official ade20k edge scores" || bad "ade20k shard merge"
expect_error "merge: a shard missing" "in none of the state files" $ev --merge "$T/s0.state" "$T/s2.state"
expect_error "merge: overlapping shards" "both" $ev --merge "$T/s0.state" "$T/s1.state" "$T/s2.state" "$T/s1.state"
expect_error "merge: other settings" "other settings" $ev --merge "$T/s0.state" "$T/a1.state"
cp "$T/s1.state" "$T/cut.state"; truncate -s -20 "$T/cut.state"
expect_error "merge: truncated state" "truncated" $ev --merge "$T/s0.state" "$T/cut.state" "$T/s2.state"
sed 's/^img \([0-9]*\) 0:/img \1 1:/' "$T/s1.state" >"$T/edit.state"
expect_error "merge: edited state" "checksum" $ev --merge "$T/s0.state" "$T/edit.state" "$T/s2.state"
# resume: a slow run (large images) killed after two images, started again with the same state
slow=(-m build/tiny.sclip --dataset voc21 --root "$E/voc21/root" --short-side 900 --threads 1 -q)
$ev "${slow[@]}" --state "$T/r.state" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do [ "$(grep -c '^img' "$T/r.state" 2>/dev/null)" -ge 2 ] 2>/dev/null && break; sleep 0.05; done
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
got=$(grep -c '^img' "$T/r.state" 2>/dev/null || echo 0)
expect_error "resume with other settings" "other settings" $ev "${slow[@]}" --state "$T/r.state" --logit-scale 30
expect_error "resume as another shard" "shard" $ev "${slow[@]}" --state "$T/r.state" --shard 1/2
$ev "${slow[@]}" --state "$T/r.state" --json "$T/resumed.json" >/dev/null 2>"$T/err" &&
    $ev "${slow[@]}" --json "$T/straight.json" >/dev/null 2>&1 && check_metrics "$T/resumed.json" "$T/straight.json" &&
    [ "$got" -ge 2 ] && [ "$got" -lt 12 ] && ok "killed after $got images (SIGKILL), resumed: same numbers as one run" ||
    bad "resume after kill ($got images in the state): $(head -c 300 "$T/err")"

# 4. bad input
R="$T/root"; mkdir -p "$R"; cp -r "$E/voc21/root/." "$R/"; chmod -R u+w "$R"
expect_error "missing root" "not a folder" $ev --dataset voc21 --root "$T/nowhere" --pred-dir "$E/voc21/pred_noisy"
expect_error "unknown dataset" "unknown dataset" $ev --dataset voc22 --root "$R" --pred-dir "$E/voc21/pred_noisy"
expect_error "unknown flag" "unknown option" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy" --bogus
expect_error "bad shard" "--shard" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy" --shard 3/3
expect_error "--raw-labels on voc21" "raw-labels" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy" --raw-labels
expect_error "segmentation option without a model" "needs -m" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy" --attn vanilla
expect_error "value swallowed as an option" "needs a value" $ev --dataset voc21 --root "$R" --pred-dir --json x.json
printf 'a\nb\nc\n' >"$T/three.txt"
expect_error "--classes with the wrong number of classes" "3 classes" $ev -m build/tiny.sclip --dataset voc21 --root "$R" -c "$T/three.txt"
mv "$R/ImageSets/Segmentation/val.txt" "$R/val.bak"
expect_error "missing split file" "split file.*val.txt" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
{ head -3 "$R/val.bak"; echo; tail -n +4 "$R/val.bak"; } >"$R/ImageSets/Segmentation/val.txt"
expect_error "blank line in the split file" "line 4 is blank" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
cp "$R/val.bak" "$R/ImageSets/Segmentation/val.txt"
first=$(head -1 "$R/val.bak")
mv "$R/SegmentationClass/$first.png" "$T/label.bak"
expect_error "missing label" "SegmentationClass/$first.png.*No such file" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
build/sclip-image "$E/voc21/root/JPEGImages/$first.jpg" "$R/SegmentationClass/$first.png" >/dev/null
expect_error "RGB label" "RGB" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
cp "$S/fixtures/decode/gray16.png" "$R/SegmentationClass/$first.png"
expect_error "16-bit label" "16-bit" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
second=$(sed -n 2p "$R/val.bak")
cp "$R/SegmentationClass/$second.png" "$R/SegmentationClass/$first.png"
expect_error "label of another size (pred-dir)" "prediction" $ev --dataset voc21 --root "$R" --pred-dir "$E/voc21/pred_noisy"
expect_error "label of another size (model)" "is [0-9]*x[0-9]* but" $ev -m build/tiny.sclip --dataset voc21 --root "$R" -q
mv "$T/label.bak" "$R/SegmentationClass/$first.png"
mkdir -p "$T/preds"; cp "$E/voc21/pred_noisy"/*.png "$T/preds/"; cp "$E/voc21/pred_noisy/$second.png" "$T/preds/$first.png"
expect_error "prediction of the wrong size" "prediction" $ev --dataset voc21 --root "$R" --pred-dir "$T/preds"
rm "$T/preds/$first.png"
expect_error "missing prediction" "prediction.*$first.png" $ev --dataset voc21 --root "$R" --pred-dir "$T/preds"
head -c 300 "$E/voc21/root/JPEGImages/$second.jpg" >"$R/JPEGImages/$second.jpg"
expect_error "unreadable image" "JPEGImages/$second.jpg" $ev -m build/tiny.sclip --dataset voc21 --root "$R" -q
if $ev -m build/tiny.sclip --dataset voc21 --root "$R" -q --skip-bad --json "$T/skip.json" --state "$T/skip.state" >/dev/null 2>"$T/err" &&
    grep -q "skipped" "$T/err" && grep -q '"num_images": 11' "$T/skip.json" && grep -q '"index": 1, "reason"' "$T/skip.json"; then
    ok "--skip-bad: the unreadable image is reported, counted and left out"
else
    bad "--skip-bad: $(head -c 300 "$T/err")"
fi
printf 'garbage\n' >"$T/g.state"
expect_error "state file that is not one" "not a sclip-eval state\|truncated" $ev --dataset voc21 --root "$E/voc21/root" --pred-dir "$E/voc21/pred_noisy" --state "$T/g.state"
expect_error "state file from another dataset list" "other settings" $ev -m build/tiny.sclip --dataset voc21 --root "$R" -q --skip-bad \
    --state "$T/skip.state" --limit 5
expect_error "json into a missing folder" "does not exist" $ev --dataset voc21 --root "$E/voc21/root" --pred-dir "$E/voc21/pred_noisy" --json "$T/no/x.json"

echo "$fails failure(s)"
[ $fails -eq 0 ]
