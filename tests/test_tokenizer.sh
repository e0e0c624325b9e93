#!/usr/bin/env bash
# test_tokenizer.sh - build/sclip-tokenize against the official tokenizer's ids.
#   every text of fixtures/tokens.jsonl; --context on tiny/texts.json vs text_tokens.npy;
#   --truncate; a trailing '\r' and a last line without '\n'; a 4 MB line; -m with a .sclip
#   file holding the merge list (and broken ones); option errors.
# Run from the repository root (tests/run.sh does). Needs gzip and python3 (stdlib only).
set -u
SHARED="${SCLIP_SHARED:-../shared}"
BIN=build/sclip-tokenize
TMP=build/tokenizer_sh
skip() {
    if [ "${CI:-}" = "true" ]; then echo "FAIL missing fixture under CI=true: $1"; exit 1; fi
    echo "SKIP $1"; exit 0
}
fail=0
check() { # check NAME CONDITION-EXIT-STATUS
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
[ -x "$BIN" ] || { echo "FAIL $BIN not built"; exit 1; }
[ -f "$SHARED/data/bpe_simple_vocab_16e6.txt.gz" ] || skip "$SHARED/data/bpe_simple_vocab_16e6.txt.gz not found (set SCLIP_SHARED)"
[ -f "$SHARED/fixtures/tokens.jsonl" ] || skip "$SHARED/fixtures/tokens.jsonl not found"
mkdir -p "$TMP"
VOCAB=build/bpe_simple_vocab_16e6.txt
gzip -dc "$SHARED/data/bpe_simple_vocab_16e6.txt.gz" > "$VOCAB" || { echo "FAIL gzip"; exit 1; }

# 1. every fixture text, one per line, through the CLI
python3 - "$SHARED/fixtures/tokens.jsonl" "$TMP" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
rows = [r for r in rows if "\n" not in r["text"]]
with open(sys.argv[2] + "/texts.txt", "w", encoding="utf-8", newline="") as f:
    f.write("".join(r["text"] + "\n" for r in rows))
with open(sys.argv[2] + "/expected.txt", "w", encoding="utf-8", newline="") as f:
    f.write("".join(" ".join(map(str, r["ids"])) + "\n" for r in rows))
EOF
start=$(date +%s%N)
"$BIN" --vocab "$VOCAB" < "$TMP/texts.txt" > "$TMP/got.txt"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "sclip-tokenize exit status" $rc
total=$(wc -l < "$TMP/expected.txt")
same=$(paste -d '\t' "$TMP/expected.txt" "$TMP/got.txt" | awk -F '\t' '$1 == $2' | wc -l)
echo "     $same / $total fixture lines identical (${ms} ms including start-up)"
[ "$same" -eq "$total" ] && [ "$total" -eq 3546 ]; check "fixtures/tokens.jsonl through the CLI" $?

# 2. --context rows of tiny/texts.json against text_tokens.npy
if [ -f "$SHARED/fixtures/tiny/text_tokens.npy" ]; then
    python3 - "$SHARED/fixtures/tiny" "$TMP" <<'EOF'
import ast, json, struct, sys
d = sys.argv[1]
texts = json.load(open(d + "/texts.json", encoding="utf-8"))
raw = open(d + "/text_tokens.npy", "rb").read()
assert raw[:6] == b"\x93NUMPY"
hl = struct.unpack("<H", raw[8:10])[0]
hdr = ast.literal_eval(raw[10:10 + hl].decode("latin-1"))
assert hdr["descr"] in ("<i4", "<i8") and not hdr["fortran_order"]
size = 4 if hdr["descr"] == "<i4" else 8
data = raw[10 + hl:]
vals = struct.unpack("<%d%s" % (len(data) // size, "i" if size == 4 else "q"), data)
rows, cols = hdr["shape"]
with open(sys.argv[2] + "/ctx_texts.txt", "w", encoding="utf-8", newline="") as f:
    f.write("".join(t + "\n" for t in texts))
with open(sys.argv[2] + "/ctx_expected.txt", "w") as f:
    for r in range(rows):
        f.write(" ".join(str(v) for v in vals[r * cols:(r + 1) * cols]) + "\n")
EOF
    "$BIN" --vocab "$VOCAB" --context < "$TMP/ctx_texts.txt" > "$TMP/ctx_got.txt"
    cmp -s "$TMP/ctx_expected.txt" "$TMP/ctx_got.txt"; check "--context rows equal text_tokens.npy" $?
fi

# 3. truncation: 80 words do not fit without --truncate
python3 -c 'print(" ".join(["cat"] * 80))' > "$TMP/long.txt"
"$BIN" --vocab "$VOCAB" --context < "$TMP/long.txt" > /dev/null 2> "$TMP/err.txt"
[ $? -eq 1 ] && grep -q "too long" "$TMP/err.txt"; check "--context refuses 80 words" $?
want="49406$(printf ' 2368%.0s' $(seq 75)) 49407"
got=$("$BIN" --vocab "$VOCAB" --context --truncate < "$TMP/long.txt")
[ "$got" = "$want" ]; check "--context --truncate cuts as clip.tokenize(truncate=True)" $?

# 4. line handling: '\r' is text, the last line may lack '\n', empty lines stay empty
got=$(printf 'a photo of a cat.\r\n\n&amp;lt;\nA PHOTO OF A CAT!' | "$BIN" --vocab "$VOCAB" | tr '\n' '|')
[ "$got" = "320 1125 539 320 2368 269||283|320 1125 539 320 2368 256|" ]; check "CR, empty and unterminated lines ($got)" $?

# 5. a 4 MB line: 200000 x "a photo of a cat. " gives 6 ids each
python3 -c 'import sys; sys.stdout.write("a photo of a cat. " * 200000 + "\n")' > "$TMP/huge.txt"
n=$("$BIN" --vocab "$VOCAB" < "$TMP/huge.txt" | wc -w)
[ "$n" -eq 1200000 ]; check "a 3.6 MB line gives 1200000 ids ($n)" $?

# 6. -m: the merge list inside a .sclip file (weights/README.md: offset at 40, size at 48)
python3 - "$VOCAB" "$TMP" <<'EOF'
import struct, sys
merges = open(sys.argv[1], "rb").read()
lines = merges.split(b"\n")[:48895]
blob = b"\n".join(lines) + b"\n"
def header(off, size, total):
    h = bytearray(256)
    h[0:8] = b"SCLIPWT\0"
    struct.pack_into("<IIQ", h, 8, 1, 256, total)
    struct.pack_into("<QQ", h, 40, off, size)
    return bytes(h)
open(sys.argv[2] + "/ok.sclip", "wb").write(header(256, len(blob), 256 + len(blob)) + blob)
open(sys.argv[2] + "/outside.sclip", "wb").write(header(256, len(blob) + 1, 256 + len(blob)) + blob)
open(sys.argv[2] + "/none.sclip", "wb").write(header(0, 0, 256))
open(sys.argv[2] + "/magic.sclip", "wb").write(b"NOTSCLIP" + header(256, 0, 256)[8:])
EOF
"$BIN" -m "$TMP/ok.sclip" < "$TMP/texts.txt" > "$TMP/got_m.txt"
cmp -s "$TMP/got_m.txt" "$TMP/expected.txt"; check "-m MODEL.sclip gives the fixture ids" $?
for bad in outside none magic; do
    "$BIN" -m "$TMP/$bad.sclip" < /dev/null > /dev/null 2> "$TMP/err.txt"
    [ $? -eq 1 ] && [ -s "$TMP/err.txt" ]; check "-m with a broken file ($bad): error, exit 1" $?
done
"$BIN" -m "$TMP/does-not-exist.sclip" < /dev/null > /dev/null 2>&1
[ $? -eq 1 ]; check "-m with a missing file: exit 1" $?

# 7. options
"$BIN" --help | grep -q "usage"; check "--help" $?
"$BIN" --bogus > /dev/null 2>&1; [ $? -eq 2 ]; check "unknown option: exit 2" $?
"$BIN" < /dev/null > /dev/null 2>&1; [ $? -eq 2 ]; check "no merge list: exit 2" $?
"$BIN" --vocab "$VOCAB" --truncate < /dev/null > /dev/null 2>&1; [ $? -eq 2 ]; check "--truncate without --context: exit 2" $?
"$BIN" --vocab > /dev/null 2>&1; [ $? -eq 2 ]; check "--vocab without a value: exit 2" $?
head -c 1000 "$VOCAB" > "$TMP/short.txt"
"$BIN" --vocab "$TMP/short.txt" < /dev/null > /dev/null 2> "$TMP/err.txt"
[ $? -eq 1 ] && grep -q "malformed" "$TMP/err.txt"; check "a short merge list: error, exit 1" $?

rm -rf "$TMP"
[ $fail -eq 0 ] && echo "test_tokenizer.sh: ok"
exit $fail
