#!/usr/bin/python3
"""Make the small decoder test files in tests/data/image/ and their references.

Run with Debian's /usr/bin/python3 (numpy, python3-opencv 4.6 = the pipeline's OpenCV) and
libjpeg-turbo-progs (cjpeg, djpeg). The pixels are synthetic (gradients, edges, noise from a
fixed seed). Every reference NAME.npy is cv2.imread(NAME, IMREAD_COLOR)[:, :, ::-1]: what the
official pipeline sees. For JPEG files djpeg's output is checked to agree where djpeg can
decode them. YCCK/CMYK files need a libjpeg program: pass its path as argv[1] (optional).
"""
import os, struct, subprocess, sys, zlib
import numpy as np
import cv2

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'image')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20240607)


def pixels(w, h, ch=3):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = [128 + 100 * np.sin(x / 5.0 + k) * np.cos(y / 7.0 - k) for k in range(ch)]
    img = np.stack(base, -1)
    img[(x // 6 + y // 5) % 3 == 0] += 60  # hard edges
    img += rng.normal(0, 12, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_ppm(path, img):
    h, w = img.shape[:2]
    if img.ndim == 2 or img.shape[2] == 1:
        open(path, 'wb').write(b'P5\n%d %d\n255\n' % (w, h) + img.tobytes())
    else:
        open(path, 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + img.tobytes())


def reference(name):
    a = cv2.imread(os.path.join(OUT, name), cv2.IMREAD_COLOR)
    assert a is not None, name
    np.save(os.path.join(OUT, name + '.npy'), np.ascontiguousarray(a[:, :, ::-1]))
    return a[:, :, ::-1]


def djpeg_check(name):
    out = subprocess.run(['djpeg', '-ppm', os.path.join(OUT, name)], capture_output=True).stdout
    ref = np.load(os.path.join(OUT, name + '.npy'))
    hdr_end = 0
    for _ in range(3):  # "P6\nW H\n255\n"
        hdr_end = out.index(b'\n', hdr_end) + 1
    d = np.frombuffer(out[hdr_end:], np.uint8)
    if d.size == ref.size:
        d = d.reshape(ref.shape)
    else:  # greyscale PGM
        d = np.repeat(d.reshape(ref.shape[:2])[:, :, None], 3, 2)
    assert np.array_equal(d, ref), name + ': djpeg and OpenCV disagree'


def cjpeg(name, img, *args):
    src = '/tmp/_gen_src.ppm'
    write_ppm(src, img)
    subprocess.run(['cjpeg', *args, '-outfile', os.path.join(OUT, name), src], check=True)
    reference(name)
    if '-arithmetic' not in args:
        djpeg_check(name)


def exif_app1(orientation, little=False):
    e = '<' if little else '>'
    tiff = (b'II' if little else b'MM') + struct.pack(e + 'HI', 42, 8)
    tiff += struct.pack(e + 'H', 1) + struct.pack(e + 'HHIHH', 0x112, 3, 1, orientation, 0) + b'\0\0\0\0'
    body = b'Exif\0\0' + tiff
    return b'\xff\xe1' + struct.pack('>H', len(body) + 2) + body


def png_chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)


def write_png(name, raw_rows, w, h, depth, ctype, interlace=0, extra=b'', plte=None, trns=None,
              zopts=None):
    data = b''.join(raw_rows)
    co = zlib.compressobj(**(zopts or {}))
    z = co.compress(data) + co.flush()
    png = b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, interlace))
    if plte is not None:
        png += png_chunk(b'PLTE', plte)
    if trns is not None:
        png += png_chunk(b'tRNS', trns)
    png += extra
    png += png_chunk(b'IDAT', z[: len(z) // 2]) + png_chunk(b'IDAT', z[len(z) // 2:])
    png += png_chunk(b'IEND', b'')
    open(os.path.join(OUT, name), 'wb').write(png)
    reference(name)


def pack_rows(samples, depth):
    """samples: (h, w*channels) ints; pack to PNG rows with filter byte 0 (or 1 every other)."""
    rows = []
    for i, r in enumerate(samples):
        if depth == 16:
            b = np.asarray(r, '>u2').tobytes()
        elif depth == 8:
            b = np.asarray(r, np.uint8).tobytes()
        else:
            bits = ''.join(format(int(v), '0%db' % depth) for v in r)
            bits += '0' * (-len(bits) % 8)
            b = bytes(int(bits[k:k + 8], 2) for k in range(0, len(bits), 8))
        rows.append(b'\0' + b)
    return rows


def adam7_rows(samples, w, h, ch, depth):
    rows = []
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        if x0 >= w or y0 >= h:
            continue
        sub = samples.reshape(h, w, ch)[y0::dy, x0::dx].reshape(-1, len(range(x0, w, dx)) * ch)
        rows += pack_rows(sub, depth)
    return rows


def main():
    # --- JPEG: sampling factors, modes, sizes ---
    cjpeg('s440.jpg', pixels(37, 29), '-quality', '85', '-sample', '1x2')
    cjpeg('s411.jpg', pixels(45, 21), '-quality', '85', '-sample', '4x1')
    cjpeg('s311.jpg', pixels(29, 18), '-quality', '85', '-sample', '3x1')
    cjpeg('mixed_22_11_21.jpg', pixels(35, 27), '-quality', '90', '-sample', '2x2,1x1,2x1')
    cjpeg('s420_w3.jpg', pixels(3, 11), '-quality', '90', '-sample', '2x2')
    cjpeg('s422_w4.jpg', pixels(4, 9), '-quality', '90', '-sample', '2x1')
    cjpeg('s420_odd_restart.jpg', pixels(47, 33), '-quality', '80', '-sample', '2x2', '-restart', '1')
    cjpeg('prog_422.jpg', pixels(51, 23), '-quality', '88', '-sample', '2x1', '-progressive')
    cjpeg('prog_440_restart.jpg', pixels(26, 41), '-quality', '88', '-sample', '1x2', '-progressive', '-restart', '2B')
    cjpeg('prog_gray.jpg', pixels(33, 17, 1)[:, :, 0], '-quality', '75', '-grayscale', '-progressive')
    cjpeg('qtable16.jpg', pixels(40, 24), '-quality', '3')
    cjpeg('qtable16_prog.jpg', pixels(24, 40), '-quality', '2', '-progressive')
    cjpeg('rgb_adobe.jpg', pixels(30, 20), '-quality', '90', '-rgb')
    cjpeg('opt_444.jpg', pixels(27, 19), '-quality', '97', '-optimize', '-sample', '1x1')
    cjpeg('arith.jpg', pixels(16, 16), '-arithmetic')  # must be rejected by our decoder
    # --- EXIF orientations 1..8 (big- and little-endian TIFF) ---
    base = os.path.join(OUT, '_base.jpg')
    write_ppm('/tmp/_gen_src.ppm', pixels(21, 13))
    subprocess.run(['cjpeg', '-quality', '90', '-outfile', base, '/tmp/_gen_src.ppm'], check=True)
    jpg = open(base, 'rb').read()
    os.remove(base)
    for o in range(1, 9):
        name = 'orient%d.jpg' % o
        open(os.path.join(OUT, name), 'wb').write(jpg[:2] + exif_app1(o, little=o % 2 == 0) + jpg[2:])
        reference(name)
    # --- CMYK / YCCK (Adobe) via a libjpeg program ---
    if len(sys.argv) > 1:
        cmyk = pixels(24, 18, 4)
        for name, mode in (('cmyk.jpg', '0'), ('ycck.jpg', '1')):
            data = subprocess.run([sys.argv[1], '24', '18', mode], input=cmyk.tobytes(), capture_output=True, check=True).stdout
            open(os.path.join(OUT, name), 'wb').write(data)
            reference(name)
    # --- PNG ---
    g = pixels(19, 13, 1)[:, :, 0].astype(int)
    write_png('gray2.png', pack_rows(g >> 6, 2), 19, 13, 2, 0)
    write_png('gray4_adam7.png', adam7_rows(g >> 4, 19, 13, 1, 4), 19, 13, 4, 0, interlace=1)
    write_png('gray_trns.png', pack_rows(g, 8), 19, 13, 8, 0, trns=struct.pack('>H', int(g[0, 0])))
    rgb = pixels(17, 11).reshape(11, -1).astype(int)
    write_png('rgb_trns_fixed.png', pack_rows(rgb, 8), 17, 11, 8, 2, trns=struct.pack('>HHH', 1, 2, 3),
              zopts={'strategy': zlib.Z_FIXED})
    write_png('rgb_stored.png', pack_rows(rgb, 8), 17, 11, 8, 2, zopts={'level': 0})
    rgba16 = (pixels(13, 9, 4).reshape(9, -1).astype(int) * 257 + rng.integers(0, 256, (9, 13 * 4)))
    write_png('rgba16_adam7.png', adam7_rows(rgba16, 13, 9, 4, 16), 13, 9, 16, 6, interlace=1)
    ga16 = (pixels(10, 7, 2).reshape(7, -1).astype(int) * 257 + 128)
    write_png('graya16.png', pack_rows(ga16, 16), 10, 7, 16, 4)
    pal = rng.integers(0, 256, (5, 3), dtype=np.uint8).tobytes()
    idx = rng.integers(0, 7, (12, 15))  # indices 5, 6 lie past the palette: libpng gives black
    write_png('palette_trns_2bit.png', pack_rows(idx & 3, 2), 15, 12, 2, 3, plte=pal, trns=b'\x00\x80')
    write_png('palette_8bit_short.png', pack_rows(idx, 8), 15, 12, 8, 3, plte=pal)
    write_png('palette_1bit.png', pack_rows(idx & 1, 1), 15, 12, 1, 3, plte=pal[:6])
    exif = b'MM\0\x2a\0\0\0\x08' + struct.pack('>H', 1) + struct.pack('>HHIHH', 0x112, 3, 1, 3, 0) + b'\0\0\0\0'
    write_png('exif3.png', pack_rows(rgb, 8), 17, 11, 8, 2, extra=png_chunk(b'eXIf', exif))
    # --- PNM ---
    p = pixels(11, 7)
    hdr = b'P6\n# a comment\n11 # width\n7\n1000\n'
    open(os.path.join(OUT, 'p6_16bit.ppm'), 'wb').write(hdr + (p.astype('>u2') * 4 + 3).tobytes())
    reference('p6_16bit.ppm')
    open(os.path.join(OUT, 'p5_max100.pgm'), 'wb').write(b'P5 11 7 100\n' + p[:, :, 0].tobytes())
    reference('p5_max100.pgm')
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print('wrote', len(os.listdir(OUT)), 'files,', total, 'bytes')


if __name__ == '__main__':
    main()
