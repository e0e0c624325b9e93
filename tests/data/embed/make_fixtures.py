"""Makes the fixtures of tests/test_embed_cli.sh: three small input images and the 8-bit
224 x 224 crops that OpenAI CLIP's `preprocess` makes of them and of two shared photos, as
SHA-256 digests (clip_preprocess.txt).

Needs Pillow, NumPy and PyTorch (not the tests: they use the standard library only). CLIP's
preprocess is Resize(224, BICUBIC), CenterCrop(224), RGB, ToTensor, Normalize; torchvision is
not needed: its Resize and CenterCrop on a PIL image are the few lines of clip_preprocess below.

    /usr/bin/python3 tests/data/embed/make_fixtures.py [SHARED_DIR]   (default $SCLIP_SHARED or ../shared)
"""
import hashlib, os, sys
import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SCLIP_SHARED", os.path.join(ROOT, "..", "shared"))
if not os.path.isabs(SHARED) and len(sys.argv) == 1 and "SCLIP_SHARED" in os.environ:
    SHARED = os.path.join(ROOT, SHARED)  # relative to the root, as tests/run.sh sets it
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def clip_preprocess(img, n=224):
    """The 8-bit crop and the normalised tensor, as clip.load's transform makes them."""
    w, h = img.size  # torchvision's _compute_resized_output_size, then PIL's resize
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = n, int(n * long / short)
    size = (new_short, new_long) if w <= h else (new_long, new_short)
    if size != img.size:
        img = img.resize(size, Image.BICUBIC)
    top, left = int(round((size[1] - n) / 2.0)), int(round((size[0] - n) / 2.0))  # CenterCrop
    img = img.crop((left, top, left + n, top + n)).convert("RGB")
    crop = np.array(img, np.uint8)
    t = torch.from_numpy(crop.copy()).permute(2, 0, 1).contiguous().float().div(255)
    t = t.sub_(torch.tensor(MEAN).view(3, 1, 1)).div_(torch.tensor(STD).view(3, 1, 1))
    return crop, t.numpy()


def pattern(w, h):
    """Hard edges and fine detail (ringing, clipping and antialiasing all matter), small as PNG."""
    yy, xx = np.mgrid[0:h, 0:w]
    r = (xx * xx // 7 + yy * 3) % 256
    g = (xx ^ (2 * yy)) & 255
    b = np.where(((xx // 9) + (yy // 7)) % 2 == 0, 250, 5)
    return np.stack([r, g, b], -1).astype(np.uint8)


inputs = {
    "wide_448x300.png": pattern(448, 300),  # shrink to 334 x 224, crop at x 55
    "tall_300x305.png": pattern(300, 305),  # shrink to 224 x 227, crop at y 2 (round(1.5))
    "up_50x30.png": np.random.default_rng(18).integers(0, 256, (30, 50, 3), dtype=np.uint8),  # grow to 373 x 224, x 74 (round(74.5))
}
lines = ["# sha256 of the 224x224 RGB crop (uint8, row-major) of CLIP's preprocess; made by make_fixtures.py"]
for name, pixels in inputs.items():
    Image.fromarray(pixels).save(os.path.join(HERE, name), optimize=True)
    lines.append("%s %s" % (name, hashlib.sha256(clip_preprocess(Image.fromarray(pixels))[0].tobytes()).hexdigest()))
for name in ("chelsea.png", "rocket.jpg"):  # Pillow decodes these to the same pixels as sclip_image.h
    crop, _ = clip_preprocess(Image.open(os.path.join(SHARED, "images", name)))
    lines.append("shared/images/%s %s" % (name, hashlib.sha256(crop.tobytes()).hexdigest()))
open(os.path.join(HERE, "clip_preprocess.txt"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
