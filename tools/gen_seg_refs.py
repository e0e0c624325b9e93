#!/usr/bin/python3
"""gen_seg_refs.py - developer tool: writes the small reference cases of tests/data/seg/ that
tests/test_seg_parts.c compares sclip's image-side pipeline against (SCLIP_SPEC.md section 4).

Needs numpy, PyTorch (1.13 was used) and OpenCV's Python module (4.6.0, Debian bookworm's
python3-opencv), e.g. Debian's /usr/bin/python3. Tests never run this script; they read its output.

    /usr/bin/python3 tools/gen_seg_refs.py [OUT_DIR]        # default tests/data/seg
    /usr/bin/python3 tools/gen_seg_refs.py --fuzz-resize LIB.so N
        (checks a shared library exporting
         int w_resize(const uint8_t *src, int w0, int h0, int src_stride,
                      uint8_t *dst, int w1, int h1, int dst_stride)
         against cv2.resize on N random sizes; prints the number of mismatching cases)

Ground truth, per piece:
  resize          cv2.resize(INTER_LINEAR) itself, on synthetic images
  resize_size     mmcv's rescale_size arithmetic (Python doubles, int(x + 0.5))
  windows         forward_slide's window formula
  slide           torch F.interpolate(bilinear, align_corners=False) per window, summed into
                  preds in window order, divided by the count map, then resized to (H0, W0)
  postprocess     torch: logit scale, softmax over queries, max over synonyms, area filter,
                  argmax, prob_thd (written from the spec, not copied from SCLIP)
  pamr            torch, PAMR written from the spec: replicate padding, dilations (8, 16), unbiased
                  std over both dilations, softmax over the 16 neighbours, num_iter steps
All arrays are float32 / uint8 / int32 .npy files, small (well under 1 MB in total).
"""
import os
import sys

import numpy as np

torch = None
F = None
cv2 = None


def load_libs():
    global torch, F, cv2
    import torch as _torch
    import torch.nn.functional as _F
    import cv2 as _cv2
    torch, F, cv2 = _torch, _F, _cv2
    torch.set_num_threads(1)


def save(out, name, arr):
    np.save(os.path.join(out, name + '.npy'), np.ascontiguousarray(arr))


# ---- resize ------------------------------------------------------------------------------------
def rescale_size(h0, w0, short, max_long=2048):
    """mmcv rescale_size((w, h), (max_long, short)): Python double arithmetic."""
    if short == 0:
        return h0, w0
    long_edge, short_edge = max(max_long, short), min(max_long, short)
    f = min(long_edge / max(h0, w0), short_edge / min(h0, w0))
    return int(h0 * float(f) + 0.5), int(w0 * float(f) + 0.5)


def synthetic_image(rng, h, w):
    """Smooth gradients plus noise, so that the interpolation weights matter."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.empty((h, w, 3))
    for c in range(3):
        img[..., c] = 127 + 120 * np.sin(x * rng.uniform(0.05, 0.6) + y * rng.uniform(0.05, 0.6) + c)
    img += rng.normal(0, 12, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


RESIZE_CASES = [  # (h0, w0, h1, w1)
    (37, 53, 61, 97),    # upscale, odd ratio
    (37, 53, 20, 31),    # downscale
    (37, 53, 37, 80),    # one axis only
    (53, 37, 120, 84),   # large upscale
    (40, 60, 20, 30),    # exactly 1/2: OpenCV switches to INTER_AREA
    (1, 1, 5, 7),        # 1-pixel image
    (1, 9, 4, 3),        # 1-pixel tall
    (9, 1, 2, 6),        # 1-pixel wide
    (23, 17, 50, 40),    # width*3 not a multiple of 8 or 16
    (64, 48, 21, 15),    # strong downscale (no antialiasing)
]

SIZE_CASES = [  # (h0, w0, short)
    (375, 500, 336), (333, 500, 336), (1024, 2048, 560), (480, 640, 448), (480, 640, 336),
    (256, 256, 336), (300, 451, 160), (427, 640, 560), (1, 1, 336), (10, 3000, 336),
    (3000, 10, 336), (500, 375, 0), (7, 9, 2049), (2000, 2000, 4096), (1234, 567, 333),
]


def gen_resize(out, rng):
    for k, (h0, w0, h1, w1) in enumerate(RESIZE_CASES):
        img = synthetic_image(rng, h0, w0)  # RGB; cv2 does not care about channel order here
        res = cv2.resize(img, (w1, h1), interpolation=cv2.INTER_LINEAR)
        assert res.shape == (h1, w1, 3)
        save(out, 'resize_%d_src' % k, img)
        save(out, 'resize_%d_dst' % k, res)
    rows = [[h0, w0, s] + list(rescale_size(h0, w0, s)) for h0, w0, s in SIZE_CASES]
    save(out, 'resize_size', np.array(rows, np.int32))


# ---- windows -----------------------------------------------------------------------------------
WINDOW_CASES = [  # (H1, W1, crop, stride)
    (336, 448, 224, 112), (336, 505, 224, 112), (560, 1120, 224, 112), (448, 597, 224, 112),
    (160, 241, 224, 112), (100, 150, 224, 112), (336, 336, 0, 112), (37, 53, 32, 16),
    (20, 45, 32, 16), (224, 224, 224, 112), (225, 337, 224, 112), (1, 1, 224, 112),
]


def windows(h, w, crop, stride):
    if crop == 0:
        return [(0, 0, h, w)]
    nh = max(h - crop + stride - 1, 0) // stride + 1
    nw = max(w - crop + stride - 1, 0) // stride + 1
    boxes = []
    for i in range(nh):
        for j in range(nw):
            y1, x1 = i * stride, j * stride
            y2, x2 = min(y1 + crop, h), min(x1 + crop, w)
            y1, x1 = max(y2 - crop, 0), max(x2 - crop, 0)
            boxes.append((y1, x1, y2 - y1, x2 - x1))
    return boxes


def gen_windows(out):
    rows = []
    for h, w, crop, stride in WINDOW_CASES:
        for b in windows(h, w, crop, stride):
            rows.append([h, w, crop, stride] + list(b))
    save(out, 'windows', np.array(rows, np.int32))


# ---- slide: per-window upsampling, averaging, final resize -----------------------------------
SLIDE_CASES = [  # (Q, H1, W1, crop, stride, H0, W0, patch)
    (5, 37, 53, 32, 16, 29, 61, 16),   # 2x3 windows, 2x2 grids; final: down in y, up in x
    (4, 20, 45, 32, 16, 33, 40, 16),   # image shorter than the crop: 20-pixel-tall windows, 1x2 grids
    (3, 50, 50, 0, 16, 71, 23, 16),    # crop 0 -> one whole-image window (3x3 grid)
]
SLIDE_CASES_MORE = [  # generated last, with their own random numbers (the files above stay)
    (3, 80, 96, 48, 16, 97, 130, 16),  # stride a third of the crop: 1 to 9 windows over a pixel
]


def gen_slide(out, rng, cases=SLIDE_CASES, first=0):
    for k, (Q, H1, W1, crop, stride, H0, W0, patch) in enumerate(cases, first):
        boxes = windows(H1, W1, crop, stride)
        preds = torch.zeros((1, Q, H1, W1), dtype=torch.float32)
        count = torch.zeros((1, 1, H1, W1), dtype=torch.float32)
        cos_all = []
        for (y1, x1, h, w) in boxes:
            gh, gw = h // patch, w // patch
            cos = rng.uniform(-0.3, 0.4, (gh * gw, Q)).astype(np.float32)  # token-major N x Q
            cos_all.append(cos.reshape(-1))
            t = torch.from_numpy(cos).permute(1, 0).reshape(1, Q, gh, gw)
            up = F.interpolate(t, size=(h, w), mode='bilinear', align_corners=False)
            preds += F.pad(up, (x1, W1 - x1 - w, y1, H1 - y1 - h))
            count[:, :, y1:y1 + h, x1:x1 + w] += 1
        avg = preds / count
        final = F.interpolate(avg, size=(H0, W0), mode='bilinear', align_corners=False)
        save(out, 'slide_%d_args' % k, np.array([Q, H1, W1, crop, stride, H0, W0, patch], np.int32))
        save(out, 'slide_%d_cos' % k, np.concatenate(cos_all))
        save(out, 'slide_%d_avg' % k, avg[0].numpy())
        save(out, 'slide_%d_final' % k, final[0].numpy())
        if crop == 0:  # the official whole-image path: the grid straight to (H0, W0), one step
            gh, gw = H1 // patch, W1 // patch
            t = torch.from_numpy(cos_all[0].reshape(gh * gw, Q)).permute(1, 0).reshape(1, Q, gh, gw)
            direct = F.interpolate(t, size=(H0, W0), mode='bilinear', align_corners=False)
            save(out, 'slide_%d_direct' % k, direct[0].numpy())


# ---- post-processing ---------------------------------------------------------------------------
def postprocess_ref(logits, qcls, C, logit_scale, area_thd, prob_thd):
    """logits (Q,H,W) float32 tensor -> probs (C,H,W), pred (H,W)."""
    x = logits * logit_scale
    x = x.softmax(0)
    Q = x.shape[0]
    if C != Q:
        onehot = F.one_hot(torch.tensor(qcls), C).T.reshape(C, Q, 1, 1).to(x.dtype)
        x = (x.unsqueeze(0) * onehot).max(1)[0]
    if area_thd is not None:
        pr = F.one_hot(x.argmax(0), C).to(x.dtype)
        area = pr[:, :, 1:].sum((0, 1), keepdim=True)
        area = (area > area_thd * area.sum()).to(x.dtype)
        x[1:] *= area.transpose(0, -1)
    pred = x.argmax(0, keepdim=True)
    pred[x.max(0, keepdim=True)[0] < prob_thd] = 0
    return x, pred[0]


POST_CASES = [  # (Q, H, W, qcls or None, C, logit_scale, area_thd, prob_thd)
    (7, 29, 61, [0, 0, 1, 2, 2, 3, 1], 4, 40.0, None, 0.0),
    (7, 29, 61, [0, 0, 1, 2, 2, 3, 1], 4, 65.0, 0.1, 0.3),
    (5, 17, 23, None, 5, 50.0, None, 0.25),
    (6, 31, 37, [0, 0, 0, 1, 2, 3], 4, 65.0, 0.1, 0.1),
]


def gen_postprocess(out, rng):
    for k, (Q, H, W, qcls, C, scale, area_thd, prob_thd) in enumerate(POST_CASES):
        lg = rng.uniform(-0.1, 0.35, (Q, H, W)).astype(np.float32)
        if k in (0, 1):
            lg[5, :10, :20] += 0.2                  # query 5 (class 3) wins here ...
            lg[6, :10, :20] = lg[5, :10, :20]       # ... tied exactly by query 6 (class 1)
        if k == 3:
            lg[5] -= 0.15                           # class 3 rare: the area filter removes it
        lg = torch.from_numpy(lg)
        probs, pred = postprocess_ref(lg.clone(), qcls, C, scale, area_thd, prob_thd)
        qc = qcls if qcls is not None else list(range(Q))
        save(out, 'post_%d_args' % k, np.array([Q, H, W, C, 1 if qcls is not None else 0] + qc, np.int32))
        save(out, 'post_%d_params' % k, np.array([scale, area_thd or 0.0, prob_thd], np.float32))
        save(out, 'post_%d_logits' % k, lg.numpy())
        save(out, 'post_%d_probs' % k, probs.numpy())
        save(out, 'post_%d_pred' % k, pred.numpy().astype(np.uint8))


# ---- PAMR --------------------------------------------------------------------------------------
RING = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def neighbours(x, dils, with_centre):
    """x (B,K,H,W) -> (B,K,P,H,W): per dilation [centre,] then the 8 ring neighbours in raster
    order, replicate padding."""
    H, W = x.shape[-2:]
    outs = []
    for d in dils:
        p = F.pad(x, (d, d, d, d), mode='replicate')
        if with_centre:
            outs.append(x)
        for dy, dx in RING:
            outs.append(p[:, :, d + dy * d:d + dy * d + H, d + dx * d:d + dx * d + W])
    return torch.stack(outs, 2)


def pamr_ref(img, mask, num_iter, dils):
    """img (1,3,H,W), mask (1,Q,H,W): PAMR as SCLIP_SPEC.md 4.7 describes it."""
    std = neighbours(img, dils, True).std(2, keepdim=True)              # unbiased, 9*len(dils)
    ring = torch.cat([neighbours(img, [d], False) for d in dils], 2)      # (1,3,16,H,W)
    aff = -(img.unsqueeze(2) - ring).abs() / (1e-8 + 0.1 * std)
    aff = aff.mean(1, keepdim=True).softmax(2)                           # over the 16 neighbours
    for _ in range(num_iter):
        m = torch.cat([neighbours(mask, [d], False) for d in dils], 2)
        mask = (m * aff).sum(2)
    return mask


PAMR_CASES = [  # (Q, H, W, num_iter)
    (5, 29, 61, 10),
    (3, 9, 13, 3),   # dilations larger than the image: every neighbour is clamped
    (2, 40, 33, 1),
]


def gen_pamr(out, rng):
    for k, (Q, H, W, iters) in enumerate(PAMR_CASES):
        img = rng.normal(0, 1, (3, H, W)).astype(np.float32)
        img[:, H // 3:, W // 2:] += 1.5                                  # an edge to respect
        mask = rng.uniform(-0.2, 0.4, (Q, H, W)).astype(np.float32)
        res = pamr_ref(torch.from_numpy(img)[None], torch.from_numpy(mask)[None], iters, (8, 16))[0]
        save(out, 'pamr_%d_args' % k, np.array([Q, H, W, iters, 8, 16], np.int32))
        save(out, 'pamr_%d_img' % k, img)
        save(out, 'pamr_%d_mask' % k, mask)
        save(out, 'pamr_%d_out' % k, res.numpy())
        save(out, 'pamr_%d_out_f16' % k, res.half().float().numpy())


# ---- optional: fuzz a compiled resize against cv2 ----------------------------------------------
def fuzz_resize(lib_path, n):
    import ctypes
    lib = ctypes.CDLL(lib_path)
    ptr = ctypes.c_void_p
    rng = np.random.default_rng(1)
    bad = 0
    for t in range(n):
        if t % 4 == 0:
            h0, w0, h1, w1 = (int(v) for v in rng.integers(1, 40, 4))
        elif t % 4 == 1:
            h1, w1 = (int(v) for v in rng.integers(1, 150, 2))
            h0, w0 = 2 * h1, 2 * w1
        else:
            h0, w0, h1, w1 = (int(v) for v in rng.integers(1, 400, 4))
        img = synthetic_image(rng, h0, w0)
        ref = cv2.resize(img, (w1, h1), interpolation=cv2.INTER_LINEAR)
        got = np.zeros_like(ref)
        assert lib.w_resize(img.ctypes.data_as(ptr), w0, h0, w0 * 3, got.ctypes.data_as(ptr), w1, h1, w1 * 3) == 0
        bad += not np.array_equal(ref, got)
    print('resize: %d random cases, %d mismatching' % (n, bad))
    return bad


def main(argv):
    load_libs()
    if len(argv) >= 2 and argv[1] == '--fuzz-resize':
        return 1 if fuzz_resize(argv[2], int(argv[3]) if len(argv) > 3 else 1000) else 0
    out = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'seg')
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20260101)
    gen_resize(out, rng)
    gen_windows(out)
    gen_slide(out, rng)
    gen_postprocess(out, rng)
    gen_pamr(out, rng)
    gen_slide(out, np.random.default_rng(20261129), SLIDE_CASES_MORE, len(SLIDE_CASES))
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print('wrote %s (%d files, %d bytes); torch %s, cv2 %s' % (out, len(os.listdir(out)), total,
                                                               torch.__version__, cv2.__version__))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
