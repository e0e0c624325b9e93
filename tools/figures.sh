#!/usr/bin/env bash
# make figures: the pictures of docs/ALGORITHM.md, rendered into docs/figures/ from the demo
# images: attention maps of CLIP's last block against CSA and the ablations of the paper's
# Tables 2 and 3 (build/sclip-attn), the sliding windows over an image, and a segmentation
# overlay (build/sclip-seg). With the real ViT-B/16 weights when weights/ViT-B-16.sclip exists,
# with seeded random weights otherwise (build/random-ViT-B-16.sclip, made if missing); the
# captions in docs/figures/README.md say which. Variables: MODEL, SCLIP_SHARED, THREADS.
set -u
cd "$(dirname "$0")/.." || exit 1
IMAGES="${SCLIP_SHARED:-../shared}/images"
OUT=docs/figures
MODEL=${MODEL:-}
if [ -z "$MODEL" ]; then
    if [ -f weights/ViT-B-16.sclip ]; then MODEL=weights/ViT-B-16.sclip; else MODEL=build/random-ViT-B-16.sclip; fi
fi
if [ ! -s "$MODEL" ]; then
    [ "$MODEL" = build/random-ViT-B-16.sclip ] || { echo "figures: $MODEL not found" >&2; exit 1; }
    echo "figures: no weights/ViT-B-16.sclip: making seeded random ViT-B/16 weights ($MODEL)"
    python3 tools/export_weights.py -q --random ViT-B/16 -o "$MODEL" || exit 1
fi
[ -d "$IMAGES" ] || { echo "figures: no demo images in $IMAGES (set SCLIP_SHARED)" >&2; exit 1; }
case "$MODEL" in
*random*) WEIGHTS="seeded random ViT-B/16 weights (tools/export_weights.py --random): the maps show the mechanics, not what CLIP sees; run make figures with weights/ViT-B-16.sclip for the real pictures" ;;
*) WEIGHTS="the weights in $MODEL" ;;
esac
mkdir -p "$OUT"
T=(${THREADS:+--threads "$THREADS"})
attn() { # attn FILE IMAGE SHORT_SIDE BLOCKS POINT...
    local file=$1 image=$2 side=$3 blocks=$4; shift 4
    local pts=(); for p in "$@"; do pts+=(--point "$p"); done
    echo "== $file: $blocks"
    build/sclip-attn -m "$MODEL" "${T[@]}" "$IMAGES/$image" --short-side "$side" "${pts[@]}" --attn "$blocks" -o "$OUT/$file" || exit 1
}
# Figures 2 and 4 of the paper: where a point looks with CLIP's block and with CSA
attn attention_clip_vs_csa.png chelsea.png 224 vanilla,sclip 170,120 330,240
# Table 2: what the correlation is measured with
attn attention_table2.png chelsea.png 160 sclip,csa-q,csa-k,csa-id,csa-rand:4 170,120
# Table 3: other ways to localise
attn attention_table3.png chelsea.png 160 vanilla,sharpen:0.5,local:5,early:8 170,120
echo "== windows.png"
build/sclip-attn "$IMAGES/coffee.png" --windows "$OUT/windows.png" || exit 1
echo "== segmentation.png"
build/sclip-seg -m "$MODEL" "${T[@]}" --classes "coffee cup; saucer; spoon; table" "$IMAGES/coffee.png" -q \
    --overlay "$OUT/segmentation.png" || exit 1
cat >"$OUT/README.md" <<MD
# Figures of ALGORITHM.md

Made by \`make figures\` (tools/figures.sh) with $WEIGHTS.

| file | what | made with |
|---|---|---|
| attention_clip_vs_csa.png | the attention of the patch under two points of the cat photo, CLIP's last block (vanilla) against CSA (sclip): the paper's Figures 2 and 4 | \`sclip-attn --attn vanilla,sclip --point 170,120 --point 330,240\` |
| attention_table2.png | the rows of Table 2: the correlation measured with W_q and W_k (CSA), W_q only, W_k only, the identity, four random projections | \`sclip-attn --attn sclip,csa-q,csa-k,csa-id,csa-rand:4\` |
| attention_table3.png | the rows of Table 3: CLIP, attention sharpened (T = 0.5), a 5 x 5 local window, the attention of block 8 | \`sclip-attn --attn vanilla,sharpen:0.5,local:5,early:8\` |
| windows.png | the coffee photo resized to a 336 short side and its 8 sliding windows of 224 at stride 112 | \`sclip-attn --windows\` |
| segmentation.png | a segmentation overlay with four classes | \`sclip-seg --overlay\` |

Photos: chelsea.png (Stefan van der Walt, CC0) and coffee.png (Rachel Michetti, CC0), from
scikit-image's sample data.
MD
echo "figures: $OUT/ ($WEIGHTS)"
