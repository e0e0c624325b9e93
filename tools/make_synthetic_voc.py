#!/usr/bin/env python3
"""A synthetic dataset in the PASCAL VOC layout, for timing sclip-eval (Python standard library).

    python3 tools/make_synthetic_voc.py ROOT [N] [--width 500] [--height 375]

writes ROOT/JPEGImages/<id>.ppm (turned into .jpg by tools/bench_eval.sh with cjpeg, or kept as
PPM bytes under the .jpg name: the decoder reads the format from the file's signature),
ROOT/SegmentationClass/<id>.png (8-bit palette labels: a few rectangles of classes 0..20 on a
background, a void (255) border as VOC draws around objects) and
ROOT/ImageSets/Segmentation/val.txt. Seeded: the same files every time.
"""
import argparse
import os
import random
import struct
import zlib


def png(path, w, h, rows, palette):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + r for r in rows)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0))
    data += chunk(b"PLTE", palette) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("n", type=int, nargs="?", default=100)
    ap.add_argument("--width", type=int, default=500)
    ap.add_argument("--height", type=int, default=375)
    a = ap.parse_args()
    rnd = random.Random(2026)
    for d in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        os.makedirs(os.path.join(a.root, d), exist_ok=True)
    palette = bytes(rnd.randrange(256) for _ in range(768))
    ids = []
    w, h = a.width, a.height
    for i in range(a.n):
        name = "2026_%06d" % i
        ids.append(name)
        lab = [bytearray(w) for _ in range(h)]
        img = [bytearray(3 * w) for _ in range(h)]
        for _ in range(rnd.randint(1, 4)):  # objects: a class, a box, a colour; a void border
            c = rnd.randint(1, 20)
            x0, y0 = rnd.randrange(w - 40), rnd.randrange(h - 40)
            x1, y1 = rnd.randint(x0 + 30, w), rnd.randint(y0 + 30, h)
            for y in range(max(0, y0 - 2), min(h, y1 + 2)):
                for x in range(max(0, x0 - 2), min(w, x1 + 2)):
                    lab[y][x] = c if (y0 <= y < y1 and x0 <= x < x1) else 255
        base = [rnd.randrange(256) for _ in range(3)]
        for y in range(h):  # smooth colours by class, a little texture
            r = img[y]
            for x in range(w):
                v = lab[y][x]
                t = (x * 7 + y * 13 + (x * y) % 17) & 31
                r[3 * x] = (base[0] + v * 37 + t) & 255
                r[3 * x + 1] = (base[1] + v * 91 + 2 * t) & 255
                r[3 * x + 2] = (base[2] + v * 53 + 3 * t) & 255
        with open(os.path.join(a.root, "JPEGImages", name + ".ppm"), "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (w, h) + b"".join(bytes(r) for r in img))
        png(os.path.join(a.root, "SegmentationClass", name + ".png"), w, h, [bytes(r) for r in lab], palette)
    with open(os.path.join(a.root, "ImageSets/Segmentation/val.txt"), "w") as f:
        f.write("\n".join(ids) + "\n")


if __name__ == "__main__":
    main()
