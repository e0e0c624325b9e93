#!/usr/bin/env bash
# Every compiler and every SIMD path: the headers compile clean (-std=c99 -Wall -Wextra
# -Wpedantic -Werror) under gcc and clang and as C++ (g++, clang++), with the build options,
# and so does a user's program, the manual's quick start as written (-O2 and -O3, SCLIP_STATIC);
# and the kernel tests (f32, int8, bf16), the fixture tests and the segmentation steps' tests
# pass with SCLIP_NO_SIMD (portable C), with AVX2+FMA only (and with AVX-VNNI for int8), with
# AVX-512 without VNNI and BF16 (vpmaddubsw / vpmaddwd and FMA forms of the dot products), and on arm64 with NEON,
# with and without the dot product (cross-compiled, run under qemu-aarch64) when those tools exist;
# and a plain -O2 x86-64 or arm64 build (run-time dispatch) passes them on every level the CPU has,
# forced by SCLIP_CPU, never reports a level the CPU lacks, and holds every level's kernels to
# the reference kernels (plain loops), which also run the model (SCLIP_CPU=reference, SCLIP_REFERENCE).
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
    SCLIP_SEG_CASES=chelsea_small run_set neon "qemu-aarch64 -L /usr/aarch64-linux-gnu" aarch64-linux-gnu-gcc -DSCLIP_NO_DISPATCH
    SCLIP_SEG_CASES=chelsea_small TESTS="test_gemm_lowp test_seg" run_set neon-dotprod "qemu-aarch64 -L /usr/aarch64-linux-gnu" \
        aarch64-linux-gnu-gcc -march=armv8.2-a+dotprod
    # run-time dispatch on arm64 Linux (plain -O2): the dot product where the CPU has it (qemu's
    # default CPU), NEON where it has not (-cpu cortex-a72) or SCLIP_CPU=neon asks
    A="qemu-aarch64 -L /usr/aarch64-linux-gnu"
    for t in test_kernels test_seg; do
        step "neon-dispatch-$t-build" aarch64-linux-gnu-gcc $W -O2 $I tests/$t.c -o "$O/neon-dispatch-$t" -lm -lpthread
    done
    step "neon-dispatch-sclip-seg-build" aarch64-linux-gnu-gcc $W -O2 $I examples/seg.c -o "$O/neon-dispatch-sclip-seg" -lm -lpthread
    for run in "max:" "max:neon" "cortex-a72:" "cortex-a72:dotprod"; do
        cpu=${run%%:*} cap=${run#*:} want="NEON with the dot product"
        { [ $cpu = cortex-a72 ] || [ "$cap" = neon ]; } && want=NEON
        got=$(SCLIP_CPU=$cap $A -cpu $cpu "$O/neon-dispatch-sclip-seg" --version 2>&1)
        case $got in
            *"running: $want;"*) echo "ok   neon-dispatch -cpu $cpu SCLIP_CPU=$cap runs $want" ;;
            *) echo "FAIL neon-dispatch -cpu $cpu SCLIP_CPU=$cap: expected \"running: $want\", got: $got"; fails=$((fails + 1)) ;;
        esac
    done
    step "neon-dispatch-max-test_kernels" $A -cpu max "$O/neon-dispatch-test_kernels"
    step "neon-dispatch-cortex-a72-test_kernels" $A -cpu cortex-a72 "$O/neon-dispatch-test_kernels"
    step "neon-dispatch-cortex-a72-test_seg" env SCLIP_SEG_CASES=chelsea_small $A -cpu cortex-a72 "$O/neon-dispatch-test_seg"
elif [ "${CI:-}" = true ]; then
    echo "FAIL arm64: aarch64-linux-gnu-gcc or qemu-aarch64 missing under CI"; fails=$((fails + 1))
else
    echo "skip arm64 NEON (aarch64-linux-gnu-gcc / qemu-aarch64 not installed)"
fi
# 3. run-time dispatch: a plain -O2 build on x86-64 (no -m flags) runs the best kernels of this CPU,
# at most SCLIP_CPU's; every level this CPU has passes the fixture tests from the one binary, and
# the level reported (sclip-seg --version: "running: ...") is never one this CPU lacks.
if [ "$(uname -m)" = x86_64 ]; then
    flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) "
    hasall() { local f; for f in "$@"; do case $flags in *" $f "*) ;; *) return 1 ;; esac; done; }
    best=1
    hasall avx2 fma f16c && best=2
    [ $best = 2 ] && hasall avx512f avx512cd avx512bw avx512dq avx512vl && best=3
    [ $best = 3 ] && hasall avx512_vnni avx512_bf16 && best=4
    names=("" "portable C" "AVX2+FMA" "AVX-512" "AVX-512 (VNNI, BF16)")
    for t in test_seg test_towers test_kernels test_methods; do
        step "dispatch-$t-build" gcc $W -O2 $I tests/$t.c -o "$O/dispatch-$t" -lm -lpthread
    done
    for t in test_towers test_kernels; do
        step "dispatch-clang-$t-build" clang $W -O2 $I tests/$t.c -o "$O/dispatch-clang-$t" -lm -lpthread
    done
    # every level's kernels against the plain loops, entry by entry
    step "dispatch-test_kernels" "$O/dispatch-test_kernels"
    step "dispatch-clang-test_kernels" "$O/dispatch-clang-test_kernels"
    # the whole model on the plain loops: SCLIP_CPU=reference, and a SCLIP_REFERENCE build
    step "reference-test_towers" env SCLIP_CPU=reference "$O/dispatch-test_towers"
    step "reference-test_seg" env SCLIP_CPU=reference SCLIP_SEG_CASES=chelsea_cat4 "$O/dispatch-test_seg"
    step "reference-test_kernels" env SCLIP_CPU=reference "$O/dispatch-test_kernels"
    for t in test_towers test_kernels; do
        step "SCLIP_REFERENCE-$t-build" gcc $W -O2 -march=native -DSCLIP_REFERENCE $I tests/$t.c -o "$O/reference-$t" -lm -lpthread &&
            step "SCLIP_REFERENCE-$t" "$O/reference-$t"
    done
    step "dispatch-sclip-seg-build" gcc $W -O2 $I examples/seg.c -o "$O/dispatch-sclip-seg" -lm -lpthread
    level=0
    for cpu in scalar avx2 avx512 avx512bf16; do
        level=$((level + 1))
        want=$((level < best ? level : best))
        got=$(SCLIP_CPU=$cpu "$O/dispatch-sclip-seg" --version 2>&1)
        case $got in
            *"running: ${names[$want]};"*) echo "ok   dispatch SCLIP_CPU=$cpu runs ${names[$want]}" ;;
            *) echo "FAIL dispatch SCLIP_CPU=$cpu: expected \"running: ${names[$want]}\" (this CPU's best: ${names[$best]}), got: $got"
               fails=$((fails + 1)) ;;
        esac
        [ $level -gt $best ] && continue # the same kernels as the level below
        for t in test_seg test_towers clang-test_towers test_methods; do step "dispatch-$cpu-$t" env SCLIP_CPU=$cpu "$O/dispatch-$t"; done
    done
    printf 'cat\n' >"$O/cat.txt"
    out=$(SCLIP_CPU=avx9 "$O/dispatch-sclip-seg" -m build/tiny.sclip -c "$O/cat.txt" "${SCLIP_SHARED:-../shared}/images/chelsea.png" -q 2>&1); rc=$?
    case "$rc $out" in
        "0 "*) echo "FAIL dispatch: SCLIP_CPU=avx9 was accepted"; fails=$((fails + 1)) ;;
        *"SCLIP_CPU=avx9 names no kernel path"*) echo "ok   dispatch: SCLIP_CPU=avx9 refused (exit $rc)" ;;
        *) echo "FAIL dispatch: SCLIP_CPU=avx9: $out"; fails=$((fails + 1)) ;;
    esac
fi
echo "$fails failure(s)"
[ $fails -eq 0 ]
