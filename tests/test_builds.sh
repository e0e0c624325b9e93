#!/usr/bin/env bash
# Every compiler and every SIMD path: the headers compile clean (-std=c99 -Wall -Wextra
# -Wpedantic -Werror) under gcc and clang and as C++ (g++, clang++), with the build options,
# and so does a user's program, the manual's quick start as written (-O2 and -O3, SCLIP_STATIC);
# and the kernel tests (f32, int8, bf16), the fixture tests and the segmentation steps' tests
# pass with SCLIP_NO_SIMD (portable C), with AVX2+FMA only (and with AVX-VNNI for int8), with
# AVX-512 without VNNI and BF16 (vpmaddubsw / vpmaddwd and FMA forms of the dot products), and on arm64 with NEON,
# with and without the dot product (cross-compiled, run under qemu-aarch64) when those tools exist.
set -u
cd "$(dirname "$0")/.." || exit 1
O=build/builds
mkdir -p "$O"
fails=0
W="-std=c99 -Wall -Wextra -Wpedantic -Werror"
WXX="-x c++ -Wall -Wextra -Wpedantic -Werror"
I="-I. -Iexamples -Itests"
have() { command -v "$1" >/dev/null 2>&1; }
step() { # step NAME CMD...: run, report
    local name=$1; shift
    if "$@" >"$O/$name.log" 2>&1; then echo "ok   $name"; else echo "FAIL $name"; sed 's/^/     /' "$O/$name.log" | tail -15; fails=$((fails + 1)); fi
}
need() { # a compiler that must be there under CI
    if ! have "$1"; then
        if [ "${CI:-}" = true ]; then echo "FAIL $1 missing under CI"; fails=$((fails + 1)); else echo "skip $1 (not installed)"; fi
        return 1
    fi
}

# 1. compile checks: library, every example, every test program
for cc in gcc clang; do
    need $cc || continue
    step "$cc-sclip.c" $cc $W -O2 -c sclip.c -o "$O/sclip-$cc.o"
    step "$cc-static" $cc $W -O2 -DSCLIP_STATIC -DSCLIP_IMPLEMENTATION -x c -c sclip.h -o "$O/static-$cc.o"
    step "$cc-nostdio-nothreads" $cc $W -O2 -DSCLIP_NO_STDIO -DSCLIP_NO_THREADS -c sclip.c -o "$O/min-$cc.o"
    step "$cc-tokenizer-alone" $cc $W -O2 -DSCLIP_TOKENIZER_IMPLEMENTATION -x c -c sclip_tokenizer.h -o "$O/tok-$cc.o"
    [ $cc = gcc ] && continue # make all builds everything with cc already
    for f in examples/*.c; do step "$cc-$(basename "$f" .c)" $cc $W -O2 -march=native $I -c "$f" -o "$O/x.o"; done
done
for cxx in g++ clang++; do
    need $cxx || continue
    step "$cxx-sclip.c" $cxx $WXX -O2 -march=native -c sclip.c -o "$O/sclip-$cxx.o"
    step "$cxx-nosimd" $cxx $WXX -O2 -DSCLIP_NO_SIMD -c sclip.c -o "$O/sclip-nosimd-$cxx.o"
    for f in examples/seg.c examples/eval.c examples/attn.c examples/tokenize.c tests/test_seg.c; do
        step "$cxx-$(basename "$f" .c)" $cxx $WXX -O2 -march=native $I -c "$f" -o "$O/x.o"
    done
done

# 1b. a user's program: the manual's quick start (sclip.h, "1. Quick start") and README's "Use
# the library", taken from the text itself, compile clean with the implementation in them, with
# -O2 code generation (the inlining that makes -Wmaybe-uninitialized look at the caller's
# variables) under every compiler and the build options (SCLIP_NO_STDIO has no
# sclip_model_load: not this program). The snippet's "..." becomes "return 1;", its includes
# stay first, the rest is the body of a function taking the image (rgb, width, height).
snippet_program() { # snippet_program < SNIPPET > PROGRAM.c
    awk '{ line[NR] = $0; if (match($0, /[^ ]/) && (ind == "" || RSTART - 1 < ind)) ind = RSTART - 1 }
        END {
            for (i = 1; i <= NR; i++) {
                s = substr(line[i], ind + 1)
                gsub(/\.\.\./, "return 1;", s)
                if (s ~ /^#/) print s; else if (s != "") body = body "    " s "\n"
            }
            print "int user_segment(const uint8_t *rgb, int width, int height);"
            print "int user_segment(const uint8_t *rgb, int width, int height) {"
            printf "%s    return 0;\n}\n", body
        }'
}
awk '/^   1\. Quick start/ { s = 1 } s && /#define SCLIP_IMPLEMENTATION/ { c = 1 } c { print } c && /sclip_model_free\(model\);/ { exit }' \
    sclip.h | snippet_program >"$O/quickstart.c"
awk '/^## Use the library/ { s = 1; next } s && /^```c/ { c = 1; next } c && /^```/ { exit } c { print }' \
    README.md | snippet_program >"$O/readme.c"
for f in quickstart readme; do # a snippet that moved or lost its calls fails here, not silently
    grep -q 'sclip_segment(' "$O/$f.c" && grep -q 'sclip_model_free(' "$O/$f.c" ||
        { echo "FAIL $f: the snippet was not found (sclip.h section 1 / README \"Use the library\")"; fails=$((fails + 1)); }
done
PJOBS=$(nproc 2>/dev/null || echo 2)
PSTEPS=()
pstep() { # pstep NAME CMD...: step in the background, at most $PJOBS at once; pwait reports in order
    local name=$1; shift
    while [ "$(jobs -rp | wc -l)" -ge "$PJOBS" ]; do wait -n; done
    PSTEPS+=("$name")
    rm -f "$O/$name.rc"
    ( "$@" >"$O/$name.log" 2>&1; echo $? >"$O/$name.rc" ) &
}
pwait() {
    local name
    wait
    for name in "${PSTEPS[@]}"; do
        if [ "$(cat "$O/$name.rc" 2>/dev/null)" = 0 ]; then echo "ok   $name"; else echo "FAIL $name"; sed 's/^/     /' "$O/$name.log" | tail -15; fails=$((fails + 1)); fi
    done
    PSTEPS=()
}
qs() { # qs CC TAG OPTIONS...
    local cc=$1 tag=$2 flags="$W"; shift 2
    case $cc in *++) flags="$WXX" ;; esac
    pstep "$cc-quickstart-$tag" $cc $flags -O2 "$@" -I. -c "$O/quickstart.c" -o "$O/qs-$cc-$tag.o"
}
for cc in gcc clang g++ clang++; do
    have $cc || continue # section 1 said so
    [ $cc = gcc ] && qs $cc extern
    qs $cc static -DSCLIP_STATIC
    qs $cc static-nothreads-nosimd -DSCLIP_STATIC -DSCLIP_NO_THREADS -DSCLIP_NO_SIMD
    qs $cc static-o3-native -O3 -march=native -DSCLIP_STATIC
done
have gcc && pstep "gcc-readme-static" gcc $W -O2 -DSCLIP_STATIC -I. -c "$O/readme.c" -o "$O/readme-gcc.o"
pwait

# 2. the SIMD paths run the kernel test and the fixture tests
run_set() { # run_set TAG RUNNER CC FLAGS... (SEG_CASES limits test_seg's fixture cases, TESTS the programs)
    local tag=$1 runner=$2 cc=$3; shift 3
    local t
    for t in ${TESTS:-test_gemm test_gemm_lowp test_towers test_seg test_seg_parts test_methods}; do
        step "$tag-$t-build" $cc $W -O2 "$@" $I tests/$t.c -o "$O/$tag-$t" -lm -lpthread || continue
        step "$tag-$t" $runner "$O/$tag-$t"
    done
}
run_set nosimd "" gcc -march=native -DSCLIP_NO_SIMD
if grep -q avx2 /proc/cpuinfo 2>/dev/null; then run_set avx2 "" gcc -mavx2 -mfma -mf16c; fi
# the int8 kernels of CPUs without AVX-512: AVX-VNNI on the AVX2 path, the Arm dot product
if grep -q avx_vnni /proc/cpuinfo 2>/dev/null; then TESTS="test_gemm_lowp test_seg" run_set avxvnni "" gcc -mavx2 -mfma -mf16c -mavxvnni; fi
# AVX-512 CPUs without VNNI and BF16 (Skylake-SP/X): the int8, 12-bit and bf16 products without dot products
if grep -q avx512bw /proc/cpuinfo 2>/dev/null; then TESTS="test_gemm_lowp test_seg" run_set avx512bw "" gcc -march=skylake-avx512; fi
if have aarch64-linux-gnu-gcc && have qemu-aarch64; then
    # under emulation (about 40x slower) test_seg runs one fixture case
    SCLIP_SEG_CASES=chelsea_small run_set neon "qemu-aarch64 -L /usr/aarch64-linux-gnu" aarch64-linux-gnu-gcc
    SCLIP_SEG_CASES=chelsea_small TESTS="test_gemm_lowp test_seg" run_set neon-dotprod "qemu-aarch64 -L /usr/aarch64-linux-gnu" \
        aarch64-linux-gnu-gcc -march=armv8.2-a+dotprod
elif [ "${CI:-}" = true ]; then
    echo "FAIL arm64: aarch64-linux-gnu-gcc or qemu-aarch64 missing under CI"; fails=$((fails + 1))
else
    echo "skip arm64 NEON (aarch64-linux-gnu-gcc / qemu-aarch64 not installed)"
fi
echo "$fails failure(s)"
[ $fails -eq 0 ]
