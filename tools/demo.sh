#!/usr/bin/env bash
# make demo: segment the demo photos with CLIP ViT-B/16 + SCLIP and write overlays to build/demo/.
#   tools/demo.sh --check   what make demo runs before it builds anything: finds the weights and
#                           the photos, or says what to do and exits 1
#   tools/demo.sh           the same check, then build/sclip-seg on the photos
# Weights: MODEL when set; otherwise weights/ViT-B-16.sclip, else weights/random-ViT-B-16.sclip
# (the seeded random weights of weights/README.md: the labels are meaningless), else OpenAI's
# ViT-B/16 downloaded and converted into weights/ViT-B-16.sclip (needs a network once).
# Variables: MODEL, SCLIP_SHARED (default ../shared, where the demo images are), THREADS.
set -u
cd "$(dirname "$0")/.." || exit 1
REAL=weights/ViT-B-16.sclip
RAND=weights/random-ViT-B-16.sclip
IMAGES="${SCLIP_SHARED:-../shared}/images"
OUT=build/demo
case "${1:-}" in --check) check_only=1 ;; "") check_only=0 ;; *) echo "usage: tools/demo.sh [--check]" >&2; exit 2 ;; esac

how_to_get() { # how_to_get FILE: the ways to make FILE, on stderr
    local random_line
    if [ "$1" = "$REAL" ]; then
        random_line="python3 tools/export_weights.py --random ViT-B/16 -o $RAND
    (make demo uses $RAND when $REAL is absent)"
    else
        random_line="python3 tools/export_weights.py --random ViT-B/16 -o $1"
    fi
    cat >&2 <<MSG

demo: make demo needs CLIP ViT-B/16 weights in $1. Any of these makes the file:
  - download OpenAI's checkpoint and convert it (needs a network; 335 MB, 599 MB converted):
      python3 tools/export_weights.py --download ViT-B/16 -o $1
    (or run that on a machine with a network and copy the file here);
  - convert a checkpoint you have (OpenAI's ViT-B-16.pt, usually in ~/.cache/clip/; a Hugging Face
    openai/clip-vit-base-patch16 folder or a safetensors file work too):
      python3 tools/export_weights.py path/to/ViT-B-16.pt -o $1
  - try the pipeline without real weights (seeded random weights: the labels are meaningless):
      $random_line
then run make demo again. See weights/README.md.
MSG
}

if [ -n "${MODEL:-}" ]; then
    [ -f "$MODEL" ] || { echo "demo: $MODEL not found" >&2; how_to_get "$MODEL"; exit 1; }
elif [ -f "$REAL" ]; then
    MODEL=$REAL
elif [ -f "$RAND" ]; then
    MODEL=$RAND
    echo "demo: $REAL not found, using the random weights $RAND: the labels are meaningless (weights/README.md says how to get the real ones)"
else
    MODEL=$REAL
    echo "demo: $REAL not found; downloading OpenAI's ViT-B/16 and converting it (335 MB)"
    if ! python3 tools/export_weights.py --download ViT-B/16 -o "$MODEL"; then
        echo "demo: could not download the weights (no network?)" >&2
        how_to_get "$MODEL"
        exit 1
    fi
fi
[ -d "$IMAGES" ] || { echo "demo: no demo images in $IMAGES (set SCLIP_SHARED)" >&2; exit 1; }
[ $check_only = 1 ] && exit 0
[ -x build/sclip-seg ] || { echo "demo: build/sclip-seg is missing: run make demo" >&2; exit 1; }
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
if [ "$MODEL" = "$RAND" ]; then echo "demo: overlays in $OUT/ (random weights: the labels are meaningless)"
else echo "demo: overlays in $OUT/"; fi
