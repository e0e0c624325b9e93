#!/usr/bin/env bash
# Runs every test: build/test_* and build/fuzz_* programs and tests/test_*.sh scripts.
# A test passes with exit 0; one that prints a line starting with "SKIP" is counted as skipped.
# Ends with "N passed, M failed, K skipped"; exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 1
export SCLIP_SHARED="${SCLIP_SHARED:-../shared}"
pass=0; fail=0; skip=0; failed=()
mkdir -p build/logs
# The tiny fixture model as .sclip files (f32 from the state dict, f16 from the TorchScript
# archive, q8 from safetensors), made by the exporter; tests that need them skip (or fail under CI) without them.
tiny="$SCLIP_SHARED/fixtures/tiny"
if [ -f "$tiny/openai.pt" ] && [ -f "$tiny/openai_jit.pt" ]; then
    for spec in "tiny.sclip openai.pt f32" "tiny-f16.sclip openai_jit.pt f16" "tiny-q8.sclip openai.safetensors q8"; do
        set -- $spec
        if [ ! -s "build/$1" ] || [ tools/export_weights.py -nt "build/$1" ]; then
            python3 tools/export_weights.py "$tiny/$2" -o "build/$1" --dtype "$3" >build/logs/export-$1.log 2>&1 ||
                { echo "exporter failed on $2:"; tail -5 build/logs/export-$1.log; rm -f "build/$1"; }
        fi
    done
fi
# The 12-layer model of fixtures/methods (SC-CLIP and ResCLIP need more than tiny's 3 layers).
tiny12="$SCLIP_SHARED/fixtures/methods/tiny12/openai.pt"
if [ -f "$tiny12" ] && { [ ! -s build/tiny12.sclip ] || [ tools/export_weights.py -nt build/tiny12.sclip ]; }; then
    python3 tools/export_weights.py "$tiny12" -o build/tiny12.sclip --dtype f32 >build/logs/export-tiny12.sclip.log 2>&1 ||
        { echo "exporter failed on $tiny12:"; tail -5 build/logs/export-tiny12.sclip.log; rm -f build/tiny12.sclip; }
fi
for t in build/test_* build/fuzz_* tests/test_*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.d|*.o|*.log) continue;; esac
    name=$(basename "$t")
    log="build/logs/$name.log"
    start=$(date +%s)
    if [[ "$t" == *.sh ]]; then bash "$t" >"$log" 2>&1; rc=$?; else "./$t" >"$log" 2>&1; rc=$?; fi
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ] && grep -q '^SKIP' "$log"; then
        skip=$((skip + 1)); echo "SKIP $name: $(grep -m1 '^SKIP' "$log" | cut -c6-)"
    elif [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS $name (${secs}s)"
    else
        fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name (exit $rc, ${secs}s)"
        tail -n 30 "$log" | sed 's/^/    /'
    fi
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
