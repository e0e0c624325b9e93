#!/usr/bin/env bash
# sclip-embed --image: a photo prepared as OpenAI CLIP's `preprocess` (Resize(224, bicubic) on the
# short side, CenterCrop(224), ToTensor, Normalize with CLIP's mean and std), on the tiny fixture
# model. The tensor given to the model (--save-input) is checked against one computed here with
# the Python standard library (Pillow's bicubic resampling written out, float32 normalisation),
# its 8-bit crop against digests made with Pillow and PyTorch (tests/data/embed/make_fixtures.py),
# and the embeddings against the --image-npy path fed with the independently computed tensor.
# Then the errors: missing file, directory, 0x0, corrupt and truncated images, option misuse.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/cli_lib.sh
[ -f build/tiny.sclip ] || skip "build/tiny.sclip not found (tests/run.sh makes it)"
[ -x build/sclip-embed ] && [ -x build/sclip-image ] || skip "build/sclip-embed or build/sclip-image not built (make)"
[ -d "$S/images" ] || skip "$S/images not found"
scratch embed_cli
emb="build/sclip-embed -m build/tiny.sclip"
D=tests/data/embed

# The standard-library side: images, CLIP's preprocess, .npy reading, writing and comparing.
cat >"$T/clip.py" <<'PY'
import hashlib, random, struct, sys, zlib

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
N = 224


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def read_npy(path):
    """(shape, dtype, values) of a little-endian float32 or uint8 .npy."""
    b = open(path, 'rb').read()
    assert b[:6] == b'\x93NUMPY', path
    hl = struct.unpack('<H', b[8:10])[0]
    hdr = b[10:10 + hl].decode()
    shape = tuple(int(s) for s in hdr.split("'shape': (")[1].split(')')[0].split(',') if s.strip())
    data = b[10 + hl:]
    if "'<f4'" in hdr:
        return shape, 'f4', struct.unpack('<%df' % (len(data) // 4), data)
    assert "'|u1'" in hdr, hdr
    return shape, 'u1', data


def write_npy(path, shape, values):
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % ''.join('%d, ' % s for s in shape)
    hdr += ' ' * ((64 - (10 + len(hdr) + 1) % 64) % 64) + '\n'
    open(path, 'wb').write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() +
                           struct.pack('<%df' % len(values), *values))


def normalise(crop):
    """ToTensor and Normalize in float32, as torchvision: (x / 255 - mean) / std, planar."""
    m, s = [f32(v) for v in MEAN], [f32(v) for v in STD]
    return [f32(f32(f32(crop[3 * i + c] / 255.0) - m[c]) / s[c]) for c in range(3) for i in range(N * N)]


def bicubic(x):  # Pillow's kernel, a = -0.5
    a = -0.5
    x = abs(x)
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    if x < 2.0:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


def taps(n_in, n_out, first, n):
    """Pillow's precompute_coeffs + normalize_coeffs_8bpc for outputs first .. first+n-1."""
    scale = n_in / n_out
    fscale = max(scale, 1.0)
    support, ss = 2.0 * fscale, 1.0 / fscale
    out = []
    for xx in range(first, first + n):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        count = min(int(center + support + 0.5), n_in) - xmin
        w = [bicubic((x + xmin - center + 0.5) * ss) for x in range(count)]
        ww = 0.0
        for v in w:
            ww += v
        k = [v / ww if ww != 0.0 else v for v in w]
        out.append((xmin, [int(-0.5 + v * (1 << 22)) if v < 0 else int(0.5 + v * (1 << 22)) for v in k]))
    return out


def clip8(acc):
    return min(max(acc >> 22, 0), 255)


def preprocess(pix, w, h):
    """The 8-bit N x N crop of Resize(N, BICUBIC) + CenterCrop(N) on a PIL image (RGB bytes)."""
    if w <= h:
        ow, oh = N, int(N * h / w)
    else:
        ow, oh = int(N * w / h), N
    left, top = int(round((ow - N) / 2.0)), int(round((oh - N) / 2.0))
    # horizontal pass (only the crop's columns), then vertical; a side of unchanged size is copied
    hx = taps(w, ow, left, N) if ow != w else [(left + i, [1 << 22]) for i in range(N)]
    vy = taps(h, oh, top, N) if oh != h else [(top + j, [1 << 22]) for j in range(N)]
    rows = {}
    for y0, k in vy:
        for y in range(y0, y0 + len(k)):
            if y not in rows:
                row = bytearray(3 * N)
                base = y * w * 3
                for i, (x0, kx) in enumerate(hx):
                    for c in range(3):
                        acc = 1 << 21
                        for t, kv in enumerate(kx):
                            acc += pix[base + 3 * (x0 + t) + c] * kv
                        row[3 * i + c] = clip8(acc)
                rows[y] = row
    crop = bytearray(3 * N * N)
    for j, (y0, ky) in enumerate(vy):
        for i in range(3 * N):
            acc = 1 << 21
            for t, kv in enumerate(ky):
                acc += rows[y0 + t][i] * kv
            crop[3 * N * j + i] = clip8(acc)
    return bytes(crop)


def unnormalise(vals):
    """The 8-bit crop back from a normalised tensor (exact: the steps are 1/255/std apart)."""
    out = bytearray(3 * N * N)
    for c in range(3):
        for i in range(N * N):
            out[3 * i + c] = int(round((vals[c * N * N + i] * STD[c] + MEAN[c]) * 255))
    return bytes(out)


def png_chunk(t, data):
    return struct.pack('>I', len(data)) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)


cmd, args = sys.argv[1], sys.argv[2:]
if cmd == 'image':  # image W H SEED STEM: STEM.ppm (P6), STEM.png (RGB), STEM.pgm (channel 0 as grey)
    w, h, seed, stem = int(args[0]), int(args[1]), int(args[2]), args[3]
    rnd = random.Random(seed)
    pix = bytes(rnd.randrange(256) for _ in range(w * h * 3))
    open(stem + '.ppm', 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + pix)
    open(stem + '.pgm', 'wb').write(b'P5\n%d %d\n255\n' % (w, h) + pix[0::3])
    raw = b''.join(b'\0' + pix[y * w * 3:(y + 1) * w * 3] for y in range(h))
    open(stem + '.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
                                    png_chunk(b'IDAT', zlib.compress(raw, 6)) + png_chunk(b'IEND', b''))
elif cmd == 'window':  # window STEM.ppm X Y OUT.npy: the normalised 224 x 224 box at (X, Y), no resize
    b = open(args[0], 'rb').read()
    w, h = (int(v) for v in b.split(b'\n')[1].split())
    pix = b[len(b) - w * h * 3:]
    x0, y0 = int(args[1]), int(args[2])
    crop = b''.join(pix[((y0 + j) * w + x0) * 3:((y0 + j) * w + x0 + N) * 3] for j in range(N))
    write_npy(args[3], (3, N, N), normalise(crop))
elif cmd == 'expect':  # expect DECODED.npy OUT.npy: CLIP's preprocess of an 8-bit (H, W, 3) image
    shape, dt, pix = read_npy(args[0])
    assert dt == 'u1' and len(shape) == 3 and shape[2] == 3, shape
    write_npy(args[1], (3, N, N), normalise(preprocess(pix, shape[1], shape[0])))
elif cmd == 'crop-sha':  # crop-sha TENSOR.npy: SHA-256 of its 8-bit crop
    shape, dt, vals = read_npy(args[0])
    assert shape == (3, N, N) and dt == 'f4', shape
    print(hashlib.sha256(unnormalise(vals)).hexdigest())
elif cmd == 'close':  # close A.npy B.npy LIMIT: same shape, max |a - b| / max |b| below LIMIT
    (sa, _, a), (sb, _, b) = read_npy(args[0]), read_npy(args[1])
    if sa != sb:
        sys.exit('shapes %s and %s' % (sa, sb))
    m = max(abs(x - y) for x, y in zip(a, b)) / max(abs(y) for y in b)
    print('    max rel err %.3g' % m)
    sys.exit(0 if m < float(args[2]) else 1)
elif cmd == 'maxabs':  # maxabs A.npy B.npy LIMIT: same shape, max |a - b| below LIMIT
    (sa, _, a), (sb, _, b) = read_npy(args[0]), read_npy(args[1])
    if sa != sb:
        sys.exit('shapes %s and %s' % (sa, sb))
    m = max(abs(x - y) for x, y in zip(a, b))
    print('    max abs err %.3g' % m)
    sys.exit(0 if m <= float(args[2]) else 1)
PY
py() { python3 "$T/clip.py" "$@"; }

# 1. --help says how the image is prepared
h=$($emb --help) n=0
for w in "short side" "bicubic" "centre-cropped to 224x224" "0.48145466" "0.26862954" "--image-npy"; do
    echo "$h" | grep -q -- "$w" && n=$((n + 1)) || bad "--help does not say '$w'"
done
[ $n -eq 6 ] && ok "--help describes the preprocessing"

# 2. a 224x224 image: no resize, no crop; the tensor is (x / 255 - mean) / std, and the embedding
# equals the --image-npy one of the tensor computed here, for PPM, PNG and (with --dense) tokens
py image 224 224 1 "$T/sq"
py window "$T/sq.ppm" 0 0 "$T/sq_expect.npy"
if $emb --image "$T/sq.ppm" --save-input "$T/sq_in.npy" -o "$T/sq_emb.npy" &&
    $emb --image-npy "$T/sq_expect.npy" -o "$T/sq_ref.npy"; then
    py maxabs "$T/sq_in.npy" "$T/sq_expect.npy" 1e-6 && ok "224x224 PPM: input tensor = (x/255 - mean) / std" || bad "224x224 input tensor"
    py close "$T/sq_emb.npy" "$T/sq_ref.npy" 1e-5 && ok "224x224 PPM: embedding = --image-npy of the expected tensor" ||
        bad "224x224 embedding"
else
    bad "sclip-embed --image on a 224x224 PPM"
fi
$emb --image "$T/sq.png" -o "$T/sq_png.npy" && cmp -s "$T/sq_png.npy" "$T/sq_emb.npy" && ok "PNG of the same pixels: same embedding" ||
    bad "PNG embedding differs from the PPM one"
$emb --image "$T/sq.png" --dense -o "$T/sq_dense.npy" && $emb --image-npy "$T/sq_expect.npy" --dense -o "$T/sq_dense_ref.npy" &&
    py close "$T/sq_dense.npy" "$T/sq_dense_ref.npy" 1e-5 && ok "--image --dense: 197 tokens = --image-npy --dense" ||
    bad "--image --dense"
# a grey image is its grey level on the three channels
python3 - "$T/sq.pgm" "$T/grey_rgb.ppm" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
pix = b[len(b) - 224 * 224:]
open(sys.argv[2], 'wb').write(b'P6\n224 224\n255\n' + bytes(v for p in pix for v in (p, p, p)))
PY
$emb --image "$T/sq.pgm" -o "$T/g1.npy" && $emb --image "$T/grey_rgb.ppm" -o "$T/g2.npy" && cmp -s "$T/g1.npy" "$T/g2.npy" &&
    ok "PGM: same as the grey level on three channels" || bad "PGM"

# 3. the centre crop without resampling: a side already 224 keeps its pixels, the other is cut at
# int(round((side - 224) / 2)) with Python's round (halves to even)
for spec in "300 224 38 0" "224 227 0 2" "224 225 0 0" "229 224 2 0"; do
    set -- $spec
    py image "$1" "$2" 7 "$T/c"
    py window "$T/c.ppm" "$3" "$4" "$T/c_expect.npy"
    $emb --image "$T/c.ppm" --save-input "$T/c_in.npy" -o "$T/c_emb.npy" >/dev/null &&
        py maxabs "$T/c_in.npy" "$T/c_expect.npy" 1e-6 >/dev/null &&
        ok "${1}x$2: the 224x224 box at ($3, $4)" || bad "${1}x$2: not the box at ($3, $4)"
done

# 4. resized images (tests/data/embed): shrinking wide (448x300 -> 334x224, x 55) and tall
# (300x305 -> 224x227, y 2 = round(1.5)), growing (50x30 -> 373x224, x 74 = round(74.5)); then the
# two shared photos. Each crop matches the standard-library resampling and Pillow's digest.
sha_of() { awk -v n="$1" '$1 == n { print $2 }' "$D/clip_preprocess.txt"; }
for f in wide_448x300.png tall_300x305.png up_50x30.png shared/images/chelsea.png shared/images/rocket.jpg; do
    case $f in shared/*) src="$S/${f#shared/}" ;; *) src="$D/$f" ;; esac
    name=$(basename "$f")
    if ! $emb --image "$src" --save-input "$T/in.npy" -o "$T/emb.npy"; then bad "$name: sclip-embed --image failed"; continue; fi
    build/sclip-image "$src" "$T/dec.npy" >/dev/null && py expect "$T/dec.npy" "$T/expect.npy" &&
        py maxabs "$T/in.npy" "$T/expect.npy" 1e-6 >/dev/null && ok "$name: input tensor = stdlib Pillow-bicubic preprocess" ||
        bad "$name: input tensor differs from the stdlib preprocess ($(py maxabs "$T/in.npy" "$T/expect.npy" 1e-6))"
    [ "$(py crop-sha "$T/in.npy")" = "$(sha_of "$f")" ] && ok "$name: 8-bit crop = Pillow + torchvision's (SHA-256)" ||
        bad "$name: 8-bit crop differs from Pillow's"
    $emb --image-npy "$T/expect.npy" -o "$T/ref.npy" && py close "$T/emb.npy" "$T/ref.npy" 1e-5 >/dev/null &&
        ok "$name: embedding = --image-npy of the stdlib tensor (1e-5)" || bad "$name: embedding"
done

# 5. errors: a message naming the problem, a non-zero exit, no crash
expect_error "missing file" "cannot open .*does_not_exist.png: no such file" $emb --image "$T/does_not_exist.png"
expect_error "a directory" "is a directory" $emb --image "$T"
printf 'P6\n0 0\n255\n' >"$T/empty.ppm"
expect_error "0x0 image" "empty image (0x0)" $emb --image "$T/empty.ppm"
printf 'P6\n20000 10\n255\n' >"$T/huge.ppm"
expect_error "20000-pixel side" "exceeds the 16384-pixel side limit" $emb --image "$T/huge.ppm"
printf 'this is not an image at all' >"$T/garbage.jpg"
expect_error "not an image" "unknown format" $emb --image "$T/garbage.jpg"
: >"$T/zero.png"
expect_error "empty file" "unknown format" $emb --image "$T/zero.png"
head -c 200 "$T/sq.png" >"$T/trunc.png"
expect_error "truncated PNG" "png: truncated" $emb --image "$T/trunc.png"
head -c 3000 "$S/images/rocket.jpg" >"$T/trunc.jpg"
expect_error "truncated JPEG" "jpeg: truncated or corrupt" $emb --image "$T/trunc.jpg"
expect_error "--image and --text" "one of" $emb --image "$T/sq.ppm" --text cat
expect_error "--image and --image-npy" "one of" $emb --image "$T/sq.ppm" --image-npy "$T/sq_expect.npy"
expect_error "--save-input without --image" "save-input" $emb --image-npy "$T/sq_expect.npy" --save-input "$T/x.npy"
expect_error "--image without a value" "needs a value" $emb --image
expect_error "unwritable --save-input" "cannot write" $emb --image "$T/sq.ppm" --save-input "$T/no/such/dir/x.npy"
expect_error "not a weight file" "magic" build/sclip-embed -m "$T/sq.ppm" --image "$T/sq.ppm"

echo "$fails failure(s)"
[ $fails -eq 0 ]
