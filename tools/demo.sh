#!/usr/bin/env bash
# make demo: segment the demo photos with CLIP ViT-B/16 + SCLIP and write overlays to build/demo/.
# Gets the weights through the exporter when weights/ has none (needs a network once); offline,
# it says how to get them. Variables: MODEL (default weights/ViT-B-16.sclip), SCLIP_SHARED
# (default ../shared, where the demo images are), THREADS.
set -u
cd "$(dirname "$0")/.." || exit 1
MODEL=${MODEL:-weights/ViT-B-16.sclip}
IMAGES="${SCLIP_SHARED:-../shared}/images"
OUT=build/demo
if [ ! -f "$MODEL" ]; then
    echo "demo: $MODEL not found; downloading OpenAI's ViT-B/16 and converting it (about 335 MB)"
    if ! python3 tools/export_weights.py --download ViT-B/16 -o "$MODEL"; then
        cat >&2 <<MSG

demo: could not get the ViT-B/16 weights (no network?). Any of these gives $MODEL:
  - on a machine with a network:  python3 tools/export_weights.py --download ViT-B/16 -o $MODEL
    then copy the file here;
  - from a checkpoint you have:   python3 tools/export_weights.py path/to/ViT-B-16.pt -o $MODEL
    (OpenAI's file, usually in ~/.cache/clip/; a Hugging Face openai/clip-vit-base-patch16 folder
    or a safetensors file work too);
  - to try the pipeline without real weights (the labels are meaningless):
    python3 tools/export_weights.py --random ViT-B/16 -o build/random.sclip && make demo MODEL=build/random.sclip
See weights/README.md.
MSG
        exit 1
    fi
fi
[ -d "$IMAGES" ] || { echo "demo: no demo images in $IMAGES (set SCLIP_SHARED)" >&2; exit 1; }
mkdir -p "$OUT"
seg() { # seg IMAGE CLASSES
    local name; name=$(basename "$1"); name=${name%.*}
    echo "== $name: $2"
    build/sclip-seg -m "$MODEL" ${THREADS:+--threads "$THREADS"} --classes "$2" "$IMAGES/$1" \
        --overlay "$OUT/$name-overlay.png" -o "$OUT/$name-labels.png" || exit 1
    echo "   -> $OUT/$name-overlay.png"
}
seg chelsea.png "cat; sofa, couch; wall; floor"
seg coffee.png "coffee cup; saucer; spoon; table; coffee"
seg astronaut.png "astronaut, person; space suit; flag; rocket; sky"
seg rocket.jpg "rocket; sky; smoke; tower; trees; ground"
echo "demo: overlays in $OUT/"
