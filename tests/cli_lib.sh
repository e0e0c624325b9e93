# What the command-line tests share (sourced by tests/test_*_cli.sh, after `cd` to the root):
# skip, ok, bad, expect_error, and a scratch folder $T removed on exit. The caller counts
# failures in $fails and ends with: echo "$fails failure(s)"; [ $fails -eq 0 ].
S="${SCLIP_SHARED:-../shared}"
# skip REASON: a missing fixture is a SKIP, or a failure under CI=true
skip() { if [ "${CI:-}" = true ]; then echo "FAIL missing under CI=true: $1"; exit 1; fi; echo "SKIP $1"; exit 0; }
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
# expect_error NAME PATTERN CMD...: non-zero exit below 128 (no crash) and PATTERN in stderr
expect_error() {
    local name=$1 pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -qi -- "$pat" "$T/err"; then ok "$name (exit $rc)"; else bad "$name: exit $rc, stderr: $(head -c 300 "$T/err")"; fi
}
# scratch NAME: the scratch folder build/NAME.XXXXXX in $T, removed on exit
scratch() { T=$(mktemp -d "build/$1.XXXXXX"); trap 'rm -rf "$T"' EXIT; }
