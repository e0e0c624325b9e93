#!/usr/bin/env bash
# make demo without weights: it says which file it wants and how to get it (pointing to
# weights/README.md) and exits non-zero before it builds anything; it builds only build/sclip-seg;
# without a network the download fails into the same message; a random-weight file made as
# weights/README.md says is the one make demo takes; tools/demo.sh, weights/README.md and
# README.md name the same files. Builds nothing, takes about a second.
set -u
cd "$(dirname "$0")/.." || exit 1
T=$(mktemp -d)
made_rand=
trap 'rm -rf "$T"; [ -n "$made_rand" ] && rm -f "$made_rand"' EXIT
fails=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
MK() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }
REAL=weights/ViT-B-16.sclip
RAND=weights/random-ViT-B-16.sclip
mkdir -p "$T/shared/images"

# 1. the file names agree: tools/demo.sh, weights/README.md (its --random command) and README.md
check "tools/demo.sh looks for $REAL then $RAND" \
    grep -q "^REAL=$REAL\$" tools/demo.sh
check "tools/demo.sh falls back to $RAND" grep -q "^RAND=$RAND\$" tools/demo.sh
check "weights/README.md writes the random weights to $RAND" \
    grep -q -- "--random ViT-B/16 -o $RAND\$" weights/README.md
check "README.md names $REAL and $RAND" sh -c "grep -q '$REAL' README.md && grep -q '$RAND' README.md"

# 2. make demo with a missing MODEL: message, non-zero, no compiler run
out=$(MK demo MODEL="$T/none.sclip" 2>&1); rc=$?
echo "$out" | sed 's/^/     | /'
check "make demo without weights exits non-zero" [ $rc -ne 0 ]
check "it names the file it wants" grep -q "$T/none.sclip not found" <<<"$out"
check "it points to weights/README.md" grep -q "See weights/README.md" <<<"$out"
check "it says how to make random weights into that file" grep -q -- "--random ViT-B/16 -o $T/none.sclip" <<<"$out"
check "it builds nothing before" sh -c '! grep -q -- "-o build/" "$1"' _ <(echo "$out")

# 3. the order of make demo: the check first, then only build/sclip-seg
plan=$(MK -n demo MODEL="$T/none.sclip" 2>&1)
check "make -n demo runs the check first" [ "$(echo "$plan" | head -1)" = "bash tools/demo.sh --check" ]
check "make demo builds no test or fuzzer" sh -c '! grep -q "tests/" "$1"' _ <(echo "$plan")

# 4. the default files, when this checkout has neither (the weights are never committed)
if [ ! -e "$REAL" ] && [ ! -e "$RAND" ]; then
    # no network: a closed local port; HOME keeps the exporter away from a cached checkpoint
    out=$(env -u MODEL HOME="$T" SCLIP_DOWNLOAD_BASE=http://127.0.0.1:9 SCLIP_DOWNLOAD_TIMEOUT=5 \
        SCLIP_SHARED="$T/shared" bash tools/demo.sh --check 2>&1); rc=$?
    echo "$out" | sed 's/^/     | /'
    check "offline: tools/demo.sh --check exits 1" [ $rc -eq 1 ]
    check "offline: it tried the download" grep -q "could not download" <<<"$out"
    check "offline: it names $REAL" grep -q "weights in $REAL\." <<<"$out"
    check "offline: it names $RAND as the random weights make demo takes" \
        grep -q "make demo uses $RAND when $REAL is absent" <<<"$out"
    check "offline: no file left in weights/" [ ! -e "$REAL" ]
    # the random-weight file weights/README.md makes is the one make demo takes
    made_rand=$RAND
    : >"$RAND"
    out=$(env -u MODEL SCLIP_SHARED="$T/shared" bash tools/demo.sh --check 2>&1); rc=$?
    rm -f "$RAND"; made_rand=
    echo "$out" | sed 's/^/     | /'
    check "with $RAND alone: tools/demo.sh --check passes" [ $rc -eq 0 ]
    check "with $RAND alone: it says the labels are meaningless" grep -q "using the random weights $RAND" <<<"$out"
else
    echo "note: $REAL or $RAND exists here: the offline and fallback cases are not run"
fi
echo "$fails failure(s)"
[ $fails -eq 0 ]
