#!/usr/bin/python3
"""Reference cases for sclip's metric (tests/data/eval/metric_cases.txt).

Runs mmsegmentation 1.1.1's IoUMetric arithmetic literally - intersect_and_union with
torch.histc, Python's sum of the per-image tensors, total_area_to_metrics in torch float32,
np.nanmean and np.round in numpy 1.x - on cases the fixtures in ../shared do not reach: totals
past 2^24 (float32 rounding), 150 and 256 classes, PyTorch's 16-lane AVX-512 sum, absent
classes, an all-ignored set and a half-way rounding tie. The functions below are the official
code's lines (mmseg/evaluation/metrics/iou_metric.py), minus the logger and the dataset.

Needs Debian's python3-torch (1.13, AVX2 and AVX-512 kernels) and python3-numpy (1.24):
    /usr/bin/python3 tools/gen_eval_refs.py > tests/data/eval/metric_cases.txt
The 16-lane sums come from a second run of this script with ATEN_CPU_CAPABILITY=avx512.

Output, one case after the other (counts as integers, float32 values as 8 hex digits, NaN "nan"):
    case NAME C N
    img I[0..C) P[0..C) L[0..C)          N lines, one per image, in list order
    total_area I|U|P|L hex...            the float32 totals
    aAcc HEX8 HEX16                      8-lane and 16-lane Tensor.sum
    IoU hex... / Acc hex...              per class, float32
    mIoU HEX / mAcc HEX                  np.nanmean
    summary AACC MIOU MACC               the printed :.4f strings of np.round(x * 100, 2)
    table_IoU str... / table_Acc str...  str(np.float32) of the rounded per-class values
"""
import os
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import torch


def intersect_and_union(pred_label, label, num_classes, ignore_index):
    mask = (label != ignore_index)
    pred_label = pred_label[mask]
    label = label[mask]
    intersect = pred_label[pred_label == label]
    area_intersect = torch.histc(intersect.float(), bins=(num_classes), min=0, max=num_classes - 1)
    area_pred_label = torch.histc(pred_label.float(), bins=(num_classes), min=0, max=num_classes - 1)
    area_label = torch.histc(label.float(), bins=(num_classes), min=0, max=num_classes - 1)
    area_union = area_pred_label + area_label - area_intersect
    return area_intersect, area_union, area_pred_label, area_label


def total_area_to_metrics(total_area_intersect, total_area_union, total_area_pred_label, total_area_label):
    all_acc = total_area_intersect.sum() / total_area_label.sum()
    ret_metrics = OrderedDict({'aAcc': all_acc})
    iou = total_area_intersect / total_area_union
    acc = total_area_intersect / total_area_label
    ret_metrics['IoU'] = iou
    ret_metrics['Acc'] = acc
    return {metric: value.numpy() for metric, value in ret_metrics.items()}


def compute_metrics(results):
    results = tuple(zip(*results))
    total = [sum(results[k]) for k in range(4)]
    ret_metrics = total_area_to_metrics(*total)
    summary = OrderedDict({m: np.round(np.nanmean(v) * 100, 2) for m, v in ret_metrics.items()})
    aacc = ret_metrics.pop('aAcc', None)
    per_class = OrderedDict({m: np.round(v * 100, 2) for m, v in ret_metrics.items()})
    return total, aacc, ret_metrics, summary, per_class


def hexf(x):
    x = np.float32(x)
    return 'nan' if np.isnan(x) else '%08x' % int(x.view(np.uint32))


def counts_from_images(rng, n, C, h, w, probs, ignore_share):
    """Random label maps drawn from probs, predictions right ~70% of the time; the per-image
    float32 tensors of intersect_and_union, as the official metric keeps them."""
    out = []
    for _ in range(n):
        label = rng.choice(C, size=(h, w), p=probs)
        pred = np.where(rng.random((h, w)) < 0.7, label, rng.choice(C, size=(h, w), p=probs))
        label[rng.random((h, w)) < ignore_share] = 255
        out.append(intersect_and_union(torch.from_numpy(pred), torch.from_numpy(label), C, 255))
    return out


def cases():
    rng = np.random.default_rng(20261206)
    # 1. totals far past 2^24: 24 images of 1500x1400, a dominant background
    p = np.array([0.62] + [0.38 / 20] * 20)
    yield 'large_voc', 21, counts_from_images(rng, 24, 21, 1400, 1500, p, 0.05)
    # 2. 150 classes, skewed, several never labelled (NaN Acc) or never seen (NaN IoU)
    p = rng.random(150) ** 4
    p[[7, 30, 31, 99, 149]] = 0
    yield 'ade_skewed', 150, counts_from_images(rng, 16, 150, 600, 800, p / p.sum(), 0.1)
    # 3. 171 and 256 classes with large random counts: the 8- and 16-lane sums differ
    for C, n in ((171, 30), (256, 12)):
        res = []
        for _ in range(n):
            L = torch.from_numpy(rng.integers(0, 3_000_000, C).astype(np.float32))
            P = torch.from_numpy(rng.integers(0, 3_000_000, C).astype(np.float32))
            I = torch.minimum(L, P) * torch.from_numpy(rng.random(C).astype(np.float32))
            I = torch.floor(I)
            res.append((I, P + L - I, P, L))
        yield 'random_%d' % C, C, res
    # 4. everything ignored: all NaN
    z = torch.zeros(5)
    yield 'all_ignored', 5, [(z, z, z, z)] * 3
    # 5. mIoU exactly 5/32 (a half-way tie of np.round: 15.625 -> 15.62), one class never seen
    I, U = torch.tensor([5., 10., 0.]), torch.tensor([32., 64., 0.])
    yield 'tie', 3, [(I, U, U, I.clone())]
    # 6. few classes: Tensor.sum takes its scalar path below 8 elements
    yield 'small', 6, counts_from_images(rng, 5, 6, 300, 200, np.ones(6) / 6, 0.2)


def main():
    if '--aacc-only' in sys.argv:
        for name, C, res in cases():
            total, aacc, _, _, _ = compute_metrics(res)
            print(name, hexf(aacc))
        return
    env = dict(os.environ, ATEN_CPU_CAPABILITY='avx512')
    wide = dict(l.split() for l in subprocess.run([sys.executable, __file__, '--aacc-only'], env=env,
                                                  capture_output=True, text=True, check=True).stdout.splitlines())
    print('# made by tools/gen_eval_refs.py with torch %s, numpy %s' % (torch.__version__, np.__version__))
    for name, C, res in cases():
        total, aacc, ret, summary, per_class = compute_metrics(res)
        print('case %s %d %d' % (name, C, len(res)))
        for I, U, P, L in res:
            print('img ' + ' '.join('%d' % v for v in torch.cat([I, P, L]).tolist()))
        for k, t in zip('IUPL', total):
            print('total_area %s %s' % (k, ' '.join(hexf(v) for v in t.numpy())))
        print('aAcc %s %s' % (hexf(aacc), wide[name]))
        for k in ('IoU', 'Acc'):
            print('%s %s' % (k, ' '.join(hexf(v) for v in ret[k])))
            print('m%s %s' % (k, hexf(np.nanmean(ret[k]))))
        print('summary ' + ' '.join('%.4f' % summary[k].item() for k in ('aAcc', 'IoU', 'Acc')))
        for k in ('IoU', 'Acc'):
            print('table_%s %s' % (k, ' '.join(str(v) for v in per_class[k])))


if __name__ == '__main__':
    main()
