/* sclip_eval.h - scoring semantic segmentation exactly as the official SCLIP evaluation does
   (mmsegmentation 1.1.1's IoUMetric), for sclip-eval and the tests. v0.1.
   Part of sclip; public domain or MIT (see the end of the file).

   Do this in exactly one C or C++ file:
       #define SCLIP_EVAL_IMPLEMENTATION
       #include "sclip_eval.h"
   (POSIX: the dataset scan uses opendir/stat.)

   What it does, in the order of the official evaluation:
     1. the benchmarks' layouts (sclip_eval_find_dataset): folders, suffixes, reduce_zero_label,
        the dataset's class names, and the converter tables that turn released labels
        (Cityscapes labelIds, COCO stuffthingmaps) into the converted files' values;
     2. the image list, in the official order (sclip_eval_list_split: a split file in file
        order; sclip_eval_list_scan: a recursive scan sorted by path);
     3. per image, the four histograms of intersect_and_union (sclip_eval_count): I, P, L
        counted on the pixels whose label is not ignore_index (255), values >= C dropped;
     4. float32 running totals summed in list order, one elementwise add per image
        (sclip_eval_totals_add) - the union total is the sum of the per-image unions;
     5. the metrics (sclip_eval_compute): IoU = I/U and Acc = I/L per class (float32, 0/0 =
        NaN), aAcc = sum(I)/sum(L) with PyTorch's float32 Tensor.sum (8 lanes, and the
        16-lane AVX-512 value beside it), mIoU/mAcc = numpy's nanmean (pairwise float32 sum),
        and the roundings of the printed numbers (float64 for the summary, float32 per class);
     6. the printed strings: numpy's shortest float32 repr in the PrettyTable, ":.4f" of the
        summary (sclip_eval_print_table, sclip_eval_summary_line).
   Every step is bit-exact with the official code for the same predictions (EVAL_SPEC.md, from
   the SCLIP, mmsegmentation, mmengine, PyTorch and numpy sources); the int64 counts are kept
   beside the float32 totals (the "exact" metrics).

   The state file of a run (sclip_eval_state_*) keeps each image's counts, so that shards of one
   benchmark run on many machines sum to exactly the numbers of one run (see docs/EVAL.md).

   Results: every function that can fail (the lists, sclip_eval_hash_file, the state files)
   returns 0 on success and non-zero on failure (SCLIP_EVAL_OK / SCLIP_EVAL_ERROR), like
   sclip.h's sclip_result (SCLIP_OK = 0), with a reason in err where the function takes one:
       if (sclip_eval_state_load(&s, path, err, sizeof err) != SCLIP_EVAL_OK) { puts(err); return 1; }
   The others return values (counts, metrics, names; sclip_eval_same_shape a yes/no) or nothing.

   Build options: SCLIP_EVAL_STATIC (every function static). */
#ifndef SCLIP_EVAL_H
#define SCLIP_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef SCLIP_EVAL_DEF
#if defined(SCLIP_EVAL_STATIC) && defined(__GNUC__)
#define SCLIP_EVAL_DEF static __attribute__((unused))
#elif defined(SCLIP_EVAL_STATIC)
#define SCLIP_EVAL_DEF static
#else
#define SCLIP_EVAL_DEF extern
#endif
#endif

#define SCLIP_EVAL_MAX_CLASSES 256 /* label maps are 8-bit */

/* What the functions that can fail return. */
#define SCLIP_EVAL_OK 0
#define SCLIP_EVAL_ERROR (-1)

#ifdef __cplusplus
extern "C" {
#endif

/* Raw label tables (--raw-labels): the official converters as 256-entry maps. */
typedef enum sclip_eval_raw {
    SCLIP_EVAL_RAW_NONE = 0,
    SCLIP_EVAL_RAW_CITYSCAPES,  /* *_gtFine_labelIds.png -> trainIds (cityscapesscripts) */
    SCLIP_EVAL_RAW_COCO_STUFF,  /* stuffthingmaps -> _labelTrainIds (mmseg coco_stuff164k.py) */
    SCLIP_EVAL_RAW_COCO_OBJECT  /* stuffthingmaps -> _instanceTrainIds (SCLIP cvt_coco_object.py) */
} sclip_eval_raw;

/* A benchmark as the official config reads it. Paths are relative to the dataset root. */
typedef struct sclip_eval_dataset {
    const char *key;             /* "voc21", ... (the sclip-eval --dataset name) */
    const char *mmseg_class;     /* the dataset class of the official config */
    const char *preset;          /* sclip_seg_preset name of its segmentation settings */
    const char *img_dir, *seg_dir;
    const char *ann_file;        /* split file; NULL: the images are found by scanning img_dir */
    const char *img_suffix, *seg_suffix;
    const char *raw_seg_suffix;  /* suffix of the released labels for --raw-labels (NULL: none) */
    sclip_eval_raw raw;          /* and their table */
    int reduce_zero_label;
    int n_classes;
    const char *const *classes;  /* the dataset's class names, as the official table prints them */
} sclip_eval_dataset;

/* The nine benchmarks, NULL-terminated list of keys; find by key ('-' and '_' alike). */
SCLIP_EVAL_DEF const char *const *sclip_eval_dataset_keys(void);
SCLIP_EVAL_DEF const sclip_eval_dataset *sclip_eval_find_dataset(const char *key);

/* ---- the image list ------------------------------------------------------------------------ */
typedef struct sclip_eval_item {
    char *img, *seg;          /* paths as the official code joins them */
    size_t img_rel, seg_rel;  /* offsets of the parts below the image and label folders */
} sclip_eval_item;

typedef struct sclip_eval_list {
    int n;
    sclip_eval_item *items;
} sclip_eval_list;

/* From a split file (one name per line; mmengine's list_from_file then str.strip): items
   img_dir/<name><img_suffix>, seg_dir/<name><seg_suffix> in file order, duplicates kept. A
   missing file, a blank line (the official code crashes on it), invalid UTF-8 or an empty list
   is an error naming the file and line. 0 (SCLIP_EVAL_OK), or non-zero with a message in err. */
SCLIP_EVAL_DEF int sclip_eval_list_split(const char *ann_file, const char *img_dir, const char *seg_dir,
                                         const char *img_suffix, const char *seg_suffix, sclip_eval_list *out,
                                         char *err, size_t errcap);
/* From a recursive scan of img_dir (mmengine's list_dir_or_file): files whose path below
   img_dir ends with img_suffix (case-sensitive), names starting with '.' skipped (hidden
   folders are entered), symlinks followed; sorted by path (byte order, as Python sorts);
   label seg_dir/<path without img_suffix><seg_suffix>. 0, or non-zero with a message (an
   unreadable folder, no matching file). */
SCLIP_EVAL_DEF int sclip_eval_list_scan(const char *img_dir, const char *seg_dir, const char *img_suffix,
                                        const char *seg_suffix, sclip_eval_list *out, char *err, size_t errcap);
SCLIP_EVAL_DEF void sclip_eval_list_free(sclip_eval_list *list);
/* os.path.join(a, b) into a new malloc'ed string (b absolute: b). */
SCLIP_EVAL_DEF char *sclip_eval_join(const char *a, const char *b);
/* The prediction file name of an image: basename without its extension, then ".png". */
SCLIP_EVAL_DEF void sclip_eval_pred_name(const char *img_path, char *out, size_t cap);
/* 64-bit FNV-1a of n bytes, continuing from h (start with SCLIP_EVAL_HASH_INIT). */
#define SCLIP_EVAL_HASH_INIT 0xcbf29ce484222325ull
SCLIP_EVAL_DEF uint64_t sclip_eval_hash(uint64_t h, const void *data, size_t n);

/* A fingerprint of a whole file (a weight file for the state's settings): its size and a 64-bit
   hash read 32 bytes at a time. 0, or non-zero with a message. */
SCLIP_EVAL_DEF int sclip_eval_hash_file(const char *path, uint64_t *size, uint64_t *hash, char *err, size_t errcap);

/* ---- labels and counting ------------------------------------------------------------------- */
/* The value map applied to every label byte: the raw table (if any), then reduce_zero_label
   (0 -> 255, k -> k-1, 255 stays 255). */
SCLIP_EVAL_DEF void sclip_eval_label_map(sclip_eval_raw raw, int reduce_zero_label, unsigned char map[256]);
/* Whether a prediction of pw x ph can be scored against a label of lw x lh: the official metric
   squeezes both, so a 1 x N and an N x 1 map (both N pixels long) match as well as equal shapes. */
SCLIP_EVAL_DEF int sclip_eval_same_shape(int lw, int lh, int pw, int ph);
/* intersect_and_union of one image: for each pixel whose label is not ignore_index,
   P[pred]++ and L[label]++ when below C, I[label]++ when they are equal. counts holds 3*C
   uint32 (I, then P, then L) and is added to (zero it first). */
SCLIP_EVAL_DEF void sclip_eval_count(const uint16_t *pred, const unsigned char *label, size_t n, int n_classes,
                                     int ignore_index, uint32_t *counts);

/* float32 running totals in list order, and the same counts in int64. */
typedef struct sclip_eval_totals {
    int n_classes, n_images;
    float I[SCLIP_EVAL_MAX_CLASSES], U[SCLIP_EVAL_MAX_CLASSES], P[SCLIP_EVAL_MAX_CLASSES], L[SCLIP_EVAL_MAX_CLASSES];
    int64_t xI[SCLIP_EVAL_MAX_CLASSES], xP[SCLIP_EVAL_MAX_CLASSES], xL[SCLIP_EVAL_MAX_CLASSES];
} sclip_eval_totals;

SCLIP_EVAL_DEF void sclip_eval_totals_init(sclip_eval_totals *t, int n_classes);
/* Adds one image's counts (3*C uint32 as sclip_eval_count writes them): T += f32(count),
   U += (P + L) - I in float32. */
SCLIP_EVAL_DEF void sclip_eval_totals_add(sclip_eval_totals *t, const uint32_t *counts);

/* ---- metrics ------------------------------------------------------------------------------- */
typedef struct sclip_eval_metrics {
    int n_classes;
    float aAcc, aAcc16, mIoU, mAcc;   /* float32, unrounded (aAcc16: PyTorch's 16-lane sum) */
    double aAcc_pct, mIoU_pct, mAcc_pct; /* as printed: np.round(x * 100, 2) in float64 */
    float IoU[SCLIP_EVAL_MAX_CLASSES], Acc[SCLIP_EVAL_MAX_CLASSES];       /* per class, unrounded */
    float IoU_pct[SCLIP_EVAL_MAX_CLASSES], Acc_pct[SCLIP_EVAL_MAX_CLASSES]; /* rounded, float32 */
    /* the same from the int64 counts, in float64 (fractions, not percentages) */
    double exact_aAcc, exact_mIoU, exact_mAcc;
    double exact_IoU[SCLIP_EVAL_MAX_CLASSES], exact_Acc[SCLIP_EVAL_MAX_CLASSES];
} sclip_eval_metrics;

SCLIP_EVAL_DEF void sclip_eval_compute(const sclip_eval_totals *t, sclip_eval_metrics *m);
/* PyTorch's float32 Tensor.sum() of a contiguous vector on the CPU (cascade_sum) with
   `lanes` = 8 (AVX2 and default kernels) or 16 (AVX-512 kernels); n <= SCLIP_EVAL_MAX_CLASSES. */
SCLIP_EVAL_DEF float sclip_eval_torch_sum(const float *x, int n, int lanes);
/* numpy 1.x np.nanmean of a float32 vector (pairwise float32 sum); NaN when all are NaN. */
SCLIP_EVAL_DEF float sclip_eval_nanmean(const float *x, int n);
/* np.round(v * 100, 2): of a float32 scalar after numpy 1.x promotion (float64), and of a
   float32 array element (stays float32). */
SCLIP_EVAL_DEF double sclip_eval_round_summary(float v);
SCLIP_EVAL_DEF float sclip_eval_round_class(float v);

/* ---- strings ------------------------------------------------------------------------------- */
/* str(np.float32(v)) / repr(float(v)): the shortest decimal that reads back to the same value,
   positional between 1e-4 and 1e16 ("84.35", "100.0", "0.0", "nan"), else "1e-05" style. */
SCLIP_EVAL_DEF void sclip_eval_str_f32(float v, char *out, size_t cap);
SCLIP_EVAL_DEF void sclip_eval_str_f64(double v, char *out, size_t cap);
/* "aAcc: 84.3500  mIoU: 59.6300  mAcc: 75.1200" (the official log line without its prefix). */
SCLIP_EVAL_DEF void sclip_eval_summary_line(const sclip_eval_metrics *m, char *out, size_t cap);
/* "per class results:", a blank line, then the PrettyTable Class | IoU | Acc. */
SCLIP_EVAL_DEF void sclip_eval_print_table(FILE *f, const sclip_eval_metrics *m, const char *const *names);

/* JSON: a string with escapes (UTF-8 passes through). */
SCLIP_EVAL_DEF void sclip_eval_json_string(FILE *f, const char *s);
/* The metric members of the JSON report, with the keys and meanings of the official scores'
   fixtures (num_images, summary, summary_str, log_line, summary_unrounded(_hex),
   aAcc_unrounded_other_vec_width, per_class, total_area, exact_counts_int64) and "exact" (the
   metrics from int64 counts). Writes "key": value pairs separated by ",\n" without the braces,
   so the caller can add its own members. NaN is null (and "nan" in the string forms). */
SCLIP_EVAL_DEF void sclip_eval_json_metrics(FILE *f, const sclip_eval_metrics *m, const sclip_eval_totals *t,
                                            const char *const *names);

/* ---- state files: per-image counts of a (partial) run ---------------------------------------- */
typedef struct sclip_eval_record {
    int status;        /* 0 not done, 1 scored, 2 skipped (unreadable image) */
    int nnz;           /* classes with a non-zero count */
    uint16_t *cls;     /* nnz class indices, increasing */
    uint32_t *cnt;     /* 3 * nnz: I, P, L of each */
    char *note;        /* status 2: why */
} sclip_eval_record;

typedef struct sclip_eval_state {
    int n_images, n_classes;  /* list length, classes */
    char *identity;           /* "key ..." lines: the dataset list and every setting */
    char *shard;              /* "K/N" or NULL */
    sclip_eval_record *rec;   /* n_images records, by list position */
} sclip_eval_state;

/* A new, empty state. identity: newline-separated lines that must match for a resume or a
   merge (no line may start with "img", "bad" or "end"). 0, or non-zero for bad sizes (n_images
   < 1, n_classes outside 1..SCLIP_EVAL_MAX_CLASSES) or out of memory. */
SCLIP_EVAL_DEF int sclip_eval_state_init(sclip_eval_state *s, int n_images, int n_classes, const char *identity,
                                         const char *shard);
SCLIP_EVAL_DEF void sclip_eval_state_free(sclip_eval_state *s);
/* Record image i: its 3*C counts, or (counts NULL) skipped with a note. 0, or non-zero out of
   memory. */
SCLIP_EVAL_DEF int sclip_eval_state_set(sclip_eval_state *s, int i, const uint32_t *counts, const char *note);
/* Add the scored images' counts to t in list order. */
SCLIP_EVAL_DEF void sclip_eval_state_totals(const sclip_eval_state *s, sclip_eval_totals *t);
/* Write to path atomically (path.tmp.PID, then rename). 0, or non-zero with a message. */
SCLIP_EVAL_DEF int sclip_eval_state_save(const sclip_eval_state *s, const char *path, char *err, size_t errcap);
/* Read and check a state file: format, checksum (a truncated or edited file is refused),
   every number in range. 0, or non-zero with a message naming the file and line. */
SCLIP_EVAL_DEF int sclip_eval_state_load(sclip_eval_state *s, const char *path, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_EVAL_H */

/* ============================================================================================
   IMPLEMENTATION
   ============================================================================================ */
#ifdef SCLIP_EVAL_IMPLEMENTATION
#ifndef SCLIP_EVAL_IMPLEMENTATION_DONE
#define SCLIP_EVAL_IMPLEMENTATION_DONE

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The metric's float32 arithmetic must not be contracted into FMAs (GCC does not contract in
   ISO C mode; clang does within an expression unless told). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

static int sclip__eval_fail(char *err, size_t cap, const char *fmt, ...) {
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return SCLIP_EVAL_ERROR;
}

static char *sclip__eval_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = (char *)malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* ============================================================================================
   The benchmarks (EVAL_SPEC.md sections 2-3). Class names: METAINFO['classes'] of mmseg 1.1.1's
   PascalVOCDataset, COCOStuffDataset, CityscapesDataset, ADE20KDataset and of SCLIP's
   custom_datasets.py (PascalVOC20, PascalContext60/59, COCOObject): the datasets' category
   names as the official code spells them (ADE20K's 'bed ' keeps its space).
   ============================================================================================ */
static const char *const sclip__eval_names_voc21[21] = {
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor"
};
static const char *const sclip__eval_names_voc20[20] = {
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor"
};
static const char *const sclip__eval_names_context60[60] = {
    "background", "aeroplane", "bag", "bed", "bedclothes", "bench", "bicycle", "bird", "boat",
    "book", "bottle", "building", "bus", "cabinet", "car", "cat", "ceiling", "chair", "cloth",
    "computer", "cow", "cup", "curtain", "dog", "door", "fence", "floor", "flower", "food", "grass",
    "ground", "horse", "keyboard", "light", "motorbike", "mountain", "mouse", "person", "plate",
    "platform", "pottedplant", "road", "rock", "sheep", "shelves", "sidewalk", "sign", "sky",
    "snow", "sofa", "table", "track", "train", "tree", "truck", "tvmonitor", "wall", "water",
    "window", "wood"
};
/* context59 is context60 without its background */
#define sclip__eval_names_context59 (sclip__eval_names_context60 + 1)
static const char *const sclip__eval_names_cityscapes[19] = {
    "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
    "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle",
    "bicycle"
};
static const char *const sclip__eval_names_ade20k[150] = {
    "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed ", "windowpane", "grass",
    "cabinet", "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain",
    "chair", "car", "water", "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field",
    "armchair", "seat", "fence", "desk", "rock", "wardrobe", "lamp", "bathtub", "railing",
    "cushion", "base", "box", "column", "signboard", "chest of drawers", "counter", "sand", "sink",
    "skyscraper", "fireplace", "refrigerator", "grandstand", "path", "stairs", "runway", "case",
    "pool table", "pillow", "screen door", "stairway", "river", "bridge", "bookcase", "blind",
    "coffee table", "toilet", "flower", "book", "hill", "bench", "countertop", "stove", "palm",
    "kitchen island", "computer", "swivel chair", "boat", "bar", "arcade machine", "hovel", "bus",
    "towel", "light", "truck", "tower", "chandelier", "awning", "streetlight", "booth",
    "television receiver", "airplane", "dirt track", "apparel", "pole", "land", "bannister",
    "escalator", "ottoman", "bottle", "buffet", "poster", "stage", "van", "ship", "fountain",
    "conveyer belt", "canopy", "washer", "plaything", "swimming pool", "stool", "barrel", "basket",
    "waterfall", "tent", "bag", "minibike", "cradle", "oven", "ball", "food", "step", "tank",
    "trade name", "microwave", "pot", "animal", "bicycle", "lake", "dishwasher", "screen",
    "blanket", "sculpture", "hood", "sconce", "vase", "traffic light", "tray", "ashcan", "fan",
    "pier", "crt screen", "plate", "monitor", "bulletin board", "shower", "radiator", "glass",
    "clock", "flag"
};
/* COCO: background, the 80 things, the 91 stuff classes. COCO-Object has the first 81,
   COCO-Stuff the last 171. */
static const char *const sclip__eval_names_coco[172] = {
    "background",
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
    "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
    "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
    "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
    "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
    "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
    "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator",
    "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush", "banner",
    "blanket", "branch", "bridge", "building-other", "bush", "cabinet", "cage", "cardboard",
    "carpet", "ceiling-other", "ceiling-tile", "cloth", "clothes", "clouds", "counter",
    "cupboard", "curtain", "desk-stuff", "dirt", "door-stuff", "fence", "floor-marble",
    "floor-other", "floor-stone", "floor-tile", "floor-wood", "flower", "fog", "food-other",
    "fruit", "furniture-other", "grass", "gravel", "ground-other", "hill", "house", "leaves",
    "light", "mat", "metal", "mirror-stuff", "moss", "mountain", "mud", "napkin", "net",
    "paper", "pavement", "pillow", "plant-other", "plastic", "platform", "playingfield",
    "railing", "railroad", "river", "road", "rock", "roof", "rug", "salad", "sand", "sea",
    "shelf", "sky-other", "skyscraper", "snow", "solid-other", "stairs", "stone", "straw",
    "structural-other", "table", "tent", "textile-other", "towel", "tree", "vegetable",
    "wall-brick", "wall-concrete", "wall-other", "wall-panel", "wall-stone", "wall-tile",
    "wall-wood", "water-other", "waterdrops", "window-blind", "window-other", "wood"
};
#define sclip__eval_names_coco_object sclip__eval_names_coco
#define sclip__eval_names_coco_stuff (sclip__eval_names_coco + 1)

static const sclip_eval_dataset sclip__eval_datasets[] = {
    {"voc21", "PascalVOCDataset (mmseg)", "voc21", "JPEGImages", "SegmentationClass", "ImageSets/Segmentation/val.txt",
     ".jpg", ".png", NULL, SCLIP_EVAL_RAW_NONE, 0, 21, sclip__eval_names_voc21},
    {"voc20", "PascalVOC20Dataset (SCLIP custom_datasets.py)", "voc20", "JPEGImages", "SegmentationClass",
     "ImageSets/Segmentation/val.txt", ".jpg", ".png", NULL, SCLIP_EVAL_RAW_NONE, 1, 20, sclip__eval_names_voc20},
    {"context60", "PascalContext60Dataset (SCLIP custom_datasets.py)", "context60", "JPEGImages",
     "SegmentationClassContext", "ImageSets/SegmentationContext/val.txt", ".jpg", ".png", NULL, SCLIP_EVAL_RAW_NONE, 0,
     60, sclip__eval_names_context60},
    {"context59", "PascalContext59Dataset (SCLIP custom_datasets.py)", "context59", "JPEGImages",
     "SegmentationClassContext", "ImageSets/SegmentationContext/val.txt", ".jpg", ".png", NULL, SCLIP_EVAL_RAW_NONE, 1,
     59, sclip__eval_names_context59},
    {"coco_object", "COCOObjectDataset (SCLIP custom_datasets.py)", "coco-object", "images/val2017",
     "annotations/val2017", NULL, ".jpg", "_instanceTrainIds.png", ".png", SCLIP_EVAL_RAW_COCO_OBJECT, 0, 81,
     sclip__eval_names_coco_object},
    {"coco_stuff", "COCOStuffDataset (mmseg)", "coco-stuff", "images/val2017", "annotations/val2017", NULL, ".jpg",
     "_labelTrainIds.png", ".png", SCLIP_EVAL_RAW_COCO_STUFF, 0, 171, sclip__eval_names_coco_stuff},
    {"coco_stuff10k", "COCOStuffDataset (mmseg)", "coco-stuff10k", "images/test2014", "annotations/test2014", NULL,
     ".jpg", "_labelTrainIds.png", NULL, SCLIP_EVAL_RAW_NONE, 1, 171, sclip__eval_names_coco_stuff},
    {"cityscapes", "CityscapesDataset (mmseg)", "cityscapes", "leftImg8bit/val", "gtFine/val", NULL,
     "_leftImg8bit.png", "_gtFine_labelTrainIds.png", "_gtFine_labelIds.png", SCLIP_EVAL_RAW_CITYSCAPES, 0, 19,
     sclip__eval_names_cityscapes},
    {"ade20k", "ADE20KDataset (mmseg)", "ade20k", "images/validation", "annotations/validation", NULL, ".jpg", ".png",
     NULL, SCLIP_EVAL_RAW_NONE, 1, 150, sclip__eval_names_ade20k},
};
#define SCLIP__EVAL_N_DATASETS (int)(sizeof sclip__eval_datasets / sizeof sclip__eval_datasets[0])

SCLIP_EVAL_DEF const char *const *sclip_eval_dataset_keys(void) {
    static const char *const keys[SCLIP__EVAL_N_DATASETS + 1] = {
        "voc21", "voc20", "context60", "context59", "coco_object", "coco_stuff", "coco_stuff10k", "cityscapes", "ade20k",
        NULL};
    return keys;
}

SCLIP_EVAL_DEF const sclip_eval_dataset *sclip_eval_find_dataset(const char *key) {
    int i;
    size_t k;
    for (i = 0; key && i < SCLIP__EVAL_N_DATASETS; i++) {
        const char *a = sclip__eval_datasets[i].key;
        for (k = 0; a[k] && (key[k] == a[k] || (key[k] == '-' && a[k] == '_')); k++) {}
        if (!a[k] && !key[k]) return &sclip__eval_datasets[i];
    }
    return NULL;
}

/* ============================================================================================
   Raw label tables (EVAL_SPEC.md section 9): out[raw == k] = v for every key, other values kept
   (Cityscapes: other labelIds are 255, the image is redrawn with trainIds).
   ============================================================================================ */
/* The 80 COCO thing ids (category id - 1) used by COCO-Stuff, in train-id order. */
static const unsigned char sclip__eval_coco_things[80] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 26, 27, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
    45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
    66, 69, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 83, 84, 85, 86, 87, 88, 89};

static void sclip__eval_raw_table(sclip_eval_raw raw, unsigned char t[256]) {
    static const unsigned char city_ids[19] = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
    int v;
    for (v = 0; v < 256; v++) t[v] = (unsigned char)v;
    if (raw == SCLIP_EVAL_RAW_CITYSCAPES) {
        memset(t, 255, 256);
        for (v = 0; v < 19; v++) t[city_ids[v]] = (unsigned char)v;
    } else if (raw == SCLIP_EVAL_RAW_COCO_STUFF || raw == SCLIP_EVAL_RAW_COCO_OBJECT) {
        int obj = raw == SCLIP_EVAL_RAW_COCO_OBJECT;
        /* things -> 0..79 (object: 1..80); stuff 91..181 -> 80..170 (object: 0); 255 stays (object: 0) */
        for (v = 0; v < 80; v++) t[sclip__eval_coco_things[v]] = (unsigned char)(v + obj);
        for (v = 91; v <= 181; v++) t[v] = obj ? 0 : (unsigned char)(v - 11);
        if (obj) t[255] = 0;
    }
}

SCLIP_EVAL_DEF void sclip_eval_label_map(sclip_eval_raw raw, int reduce_zero_label, unsigned char map[256]) {
    int v;
    sclip__eval_raw_table(raw, map);
    if (reduce_zero_label) /* mmseg: gt[gt == 0] = 255; gt = gt - 1; gt[gt == 254] = 255 */
        for (v = 0; v < 256; v++) map[v] = map[v] == 0 || map[v] == 255 ? 255 : (unsigned char)(map[v] - 1);
}

SCLIP_EVAL_DEF int sclip_eval_same_shape(int lw, int lh, int pw, int ph) {
    if (lw == pw && lh == ph) return 1;
    return (lw == 1 || lh == 1) && (pw == 1 || ph == 1) && (long long)lw * lh == (long long)pw * ph;
}

SCLIP_EVAL_DEF void sclip_eval_count(const uint16_t *pred, const unsigned char *label, size_t n, int n_classes,
                                     int ignore_index, uint32_t *counts) {
    uint32_t *I = counts, *P = counts + n_classes, *L = counts + 2 * n_classes;
    unsigned C = (unsigned)n_classes;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned l = label[i], p = pred[i];
        if ((int)l == ignore_index) continue;
        if (p < C) P[p]++;
        if (l < C) {
            L[l]++;
            if (p == l) I[l]++;
        }
    }
}

/* ============================================================================================
   Paths and the image list (EVAL_SPEC.md section 4)
   ============================================================================================ */
SCLIP_EVAL_DEF uint64_t sclip_eval_hash(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

SCLIP_EVAL_DEF int sclip_eval_hash_file(const char *path, uint64_t *size, uint64_t *hash, char *err, size_t errcap) {
    enum { CHUNK = 1 << 20 };
    FILE *f = fopen(path, "rb");
    unsigned char *buf = (unsigned char *)malloc(CHUNK);
    uint64_t h[4] = {1, 2, 3, 4}, n = 0, r = SCLIP_EVAL_HASH_INIT;
    size_t got, i;
    int k;
    if (!f || !buf) {
        int code = errno;
        free(buf);
        if (f) fclose(f);
        return sclip__eval_fail(err, errcap, "cannot open %s: %s", path, strerror(code));
    }
    while ((got = fread(buf, 1, CHUNK, f)) > 0) {
        for (i = 0; i + 32 <= got; i += 32) /* four independent multiply-xorshift lanes */
            for (k = 0; k < 4; k++) {
                uint64_t v;
                memcpy(&v, buf + i + 8 * k, 8);
                h[k] = (h[k] ^ v) * 0x9e3779b97f4a7c15ull;
                h[k] ^= h[k] >> 29;
            }
        r = sclip_eval_hash(r, buf + i, got - i); /* a chunk's tail (the file's last bytes) */
        n += got;
    }
    if (ferror(f)) {
        int code = errno;
        free(buf);
        fclose(f);
        return sclip__eval_fail(err, errcap, "cannot read %s: %s", path, strerror(code));
    }
    fclose(f);
    free(buf);
    r = sclip_eval_hash(r, h, sizeof h);
    *size = n;
    *hash = sclip_eval_hash(r, &n, sizeof n);
    return SCLIP_EVAL_OK;
}

SCLIP_EVAL_DEF char *sclip_eval_join(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    int sep = na && a[na - 1] != '/';
    char *p;
    if (b[0] == '/' || !na) return sclip__eval_strdup(b);
    p = (char *)malloc(na + sep + nb + 1);
    if (!p) return NULL;
    memcpy(p, a, na);
    if (sep) p[na] = '/';
    memcpy(p + na + sep, b, nb + 1);
    return p;
}

SCLIP_EVAL_DEF void sclip_eval_pred_name(const char *img_path, char *out, size_t cap) {
    const char *base = strrchr(img_path, '/'), *dot;
    size_t n;
    base = base ? base + 1 : img_path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - base) : strlen(base); /* splitext keeps a leading dot */
    snprintf(out, cap, "%.*s.png", (int)n, base);
}

typedef struct sclip__eval_vec {
    sclip_eval_item *items;
    int n, cap;
} sclip__eval_vec;

/* Appends img_dir/<rel[0, rel_len)><img_suffix> and seg_dir/<rel[0, stem_len)><seg_suffix>: a
   split line gives the name (stem_len = rel_len), a scan the path with its suffix (img_suffix ""
   and stem_len without it). 1, or 0 out of memory. */
static int sclip__eval_push(sclip__eval_vec *v, const char *img_dir, const char *seg_dir, const char *rel, size_t rel_len,
                            const char *img_suffix, size_t stem_len, const char *seg_suffix) {
    size_t nis = strlen(img_suffix), nss = strlen(seg_suffix);
    char *ipart, *spart;
    sclip_eval_item *it;
    if (v->n == v->cap) {
        int cap = v->cap ? 2 * v->cap : 64;
        sclip_eval_item *p = (sclip_eval_item *)realloc(v->items, (size_t)cap * sizeof *p);
        if (!p || cap > (1 << 28)) {
            if (p) v->items = p;
            return 0;
        }
        v->items = p;
        v->cap = cap;
    }
    ipart = (char *)malloc(rel_len + nis + 1);
    spart = (char *)malloc(stem_len + nss + 1);
    it = &v->items[v->n];
    if (ipart && spart) {
        memcpy(ipart, rel, rel_len);
        memcpy(ipart + rel_len, img_suffix, nis + 1);
        memcpy(spart, rel, stem_len);
        memcpy(spart + stem_len, seg_suffix, nss + 1);
        it->img = sclip_eval_join(img_dir, ipart);
        it->seg = sclip_eval_join(seg_dir, spart);
    } else
        it->img = it->seg = NULL;
    if (it->img && it->seg) {
        it->img_rel = strlen(it->img) - strlen(ipart);
        it->seg_rel = strlen(it->seg) - strlen(spart);
    }
    free(ipart);
    free(spart);
    if (!it->img || !it->seg) {
        free(it->img);
        free(it->seg);
        return 0;
    }
    v->n++;
    return 1;
}

static void sclip__eval_vec_free(sclip__eval_vec *v) {
    sclip_eval_list l;
    l.n = v->n;
    l.items = v->items;
    sclip_eval_list_free(&l);
    memset(v, 0, sizeof *v);
}

SCLIP_EVAL_DEF void sclip_eval_list_free(sclip_eval_list *list) {
    int i;
    if (!list) return;
    for (i = 0; i < list->n; i++) {
        free(list->items[i].img);
        free(list->items[i].seg);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 when invalid; *cp the code point. */
static int sclip__eval_utf8(const unsigned char *s, size_t n, unsigned *cp) {
    int len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0, k;
    unsigned c;
    if (!len || (size_t)len > n) return 0;
    c = len == 1 ? s[0] : s[0] & (0x7f >> len);
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[k] & 0x3f);
    }
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Python's str.isspace (what str.strip() removes). */
static int sclip__eval_py_space(unsigned c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* line.strip() on a valid UTF-8 line: [*a, *b). */
static void sclip__eval_strip(const unsigned char *s, size_t *a, size_t *b) {
    unsigned c;
    int k;
    while (*a < *b && (k = sclip__eval_utf8(s + *a, *b - *a, &c)) && sclip__eval_py_space(c)) *a += (size_t)k;
    while (*b > *a) { /* step back to the start of the last character */
        size_t q = *b - 1;
        while (q > *a && (s[q] & 0xc0) == 0x80) q--;
        if (!(k = sclip__eval_utf8(s + q, *b - q, &c)) || !sclip__eval_py_space(c)) break;
        *b = q;
    }
}

static unsigned char *sclip__eval_read_all(const char *path, size_t *len, char *err, size_t errcap) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) return (unsigned char *)(sclip__eval_fail(err, errcap, "cannot open %s: %s", path, strerror(errno)), NULL);
    for (;;) {
        size_t got;
        if (n == cap) {
            unsigned char *p;
            cap = cap ? 2 * cap : 65536;
            if (cap > ((size_t)1 << 31) || !(p = (unsigned char *)realloc(buf, cap + 1))) {
                free(buf);
                fclose(f);
                return (unsigned char *)(sclip__eval_fail(err, errcap, "%s: too large or out of memory", path), NULL);
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int code = errno;
        free(buf);
        fclose(f);
        return (unsigned char *)(sclip__eval_fail(err, errcap, "cannot read %s: %s", path, strerror(code)), NULL);
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

SCLIP_EVAL_DEF int sclip_eval_list_split(const char *ann_file, const char *img_dir, const char *seg_dir,
                                         const char *img_suffix, const char *seg_suffix, sclip_eval_list *out,
                                         char *err, size_t errcap) {
    size_t len = 0, i = 0;
    unsigned char *text;
    sclip__eval_vec v;
    int line = 0;
    memset(out, 0, sizeof *out);
    memset(&v, 0, sizeof v);
    if (!(text = sclip__eval_read_all(ann_file, &len, err, errcap))) return SCLIP_EVAL_ERROR;
    while (i < len) { /* text mode: \r\n and \r end a line like \n */
        size_t e = i, a, b, k;
        unsigned cp;
        line++;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        for (k = i; k < e;) {
            int step = sclip__eval_utf8(text + k, e - k, &cp);
            if (!step || cp == 0) {
                sclip__eval_vec_free(&v);
                free(text);
                return sclip__eval_fail(err, errcap, "%s, line %d: not UTF-8 text (or a NUL byte)", ann_file, line);
            }
            k += (size_t)step;
        }
        a = i;
        b = e;
        sclip__eval_strip(text, &a, &b);
        if (a == b) {
            sclip__eval_vec_free(&v);
            free(text);
            return sclip__eval_fail(err, errcap, "%s, line %d is blank (the official code crashes on it: remove it)",
                                    ann_file, line);
        }
        if (!sclip__eval_push(&v, img_dir, seg_dir, (const char *)text + a, b - a, img_suffix, b - a, seg_suffix)) {
            sclip__eval_vec_free(&v);
            free(text);
            return sclip__eval_fail(err, errcap, "%s: out of memory", ann_file);
        }
        i = e + (e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n' ? 2 : 1);
    }
    free(text);
    if (!v.n) return sclip__eval_fail(err, errcap, "%s lists no image", ann_file);
    out->n = v.n;
    out->items = v.items;
    return SCLIP_EVAL_OK;
}

static int sclip__eval_cmp_items(const void *a, const void *b) {
    const sclip_eval_item *x = (const sclip_eval_item *)a, *y = (const sclip_eval_item *)b;
    return strcmp(x->img + x->img_rel, y->img + y->img_rel);
}

/* Recursive part of the scan: dir is img_dir/rel (rel "" at the top). 0, or non-zero with a
   message. */
static int sclip__eval_scan_dir(sclip__eval_vec *v, const char *img_dir, const char *rel, int depth, const char *seg_dir,
                                const char *img_suffix, const char *seg_suffix, char *err, size_t errcap) {
    char *dir = rel[0] ? sclip_eval_join(img_dir, rel) : sclip__eval_strdup(img_dir);
    size_t nsuf = strlen(img_suffix);
    DIR *d;
    struct dirent *e;
    int r = SCLIP_EVAL_OK;
    if (!dir) return sclip__eval_fail(err, errcap, "out of memory");
    if (depth > 40) {
        sclip__eval_fail(err, errcap, "%s: folders nested more than 40 deep (a symlink loop?)", dir);
        free(dir);
        return SCLIP_EVAL_ERROR;
    }
    if (!(d = opendir(dir))) {
        sclip__eval_fail(err, errcap, "cannot open folder %s: %s", dir, strerror(errno));
        free(dir);
        return SCLIP_EVAL_ERROR;
    }
    while (r == SCLIP_EVAL_OK && (e = readdir(d)) != NULL) {
        struct stat st;
        char *path, *sub;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        path = sclip_eval_join(dir, e->d_name);
        sub = rel[0] ? sclip_eval_join(rel, e->d_name) : sclip__eval_strdup(e->d_name);
        if (!path || !sub) r = sclip__eval_fail(err, errcap, "out of memory");
        else if (stat(path, &st) != 0) { /* a broken symlink is neither a file nor a folder */
        } else if (e->d_name[0] != '.' && S_ISREG(st.st_mode)) {
            size_t n = strlen(sub);
            if (n >= nsuf && !memcmp(sub + n - nsuf, img_suffix, nsuf) &&
                !sclip__eval_push(v, img_dir, seg_dir, sub, n, "", n - nsuf, seg_suffix))
                r = sclip__eval_fail(err, errcap, "out of memory");
        } else if (S_ISDIR(st.st_mode)) {
            r = sclip__eval_scan_dir(v, img_dir, sub, depth + 1, seg_dir, img_suffix, seg_suffix, err, errcap);
        }
        free(path);
        free(sub);
    }
    closedir(d);
    free(dir);
    return r;
}

SCLIP_EVAL_DEF int sclip_eval_list_scan(const char *img_dir, const char *seg_dir, const char *img_suffix,
                                        const char *seg_suffix, sclip_eval_list *out, char *err, size_t errcap) {
    sclip__eval_vec v;
    memset(out, 0, sizeof *out);
    memset(&v, 0, sizeof v);
    if (sclip__eval_scan_dir(&v, img_dir, "", 0, seg_dir, img_suffix, seg_suffix, err, errcap) != SCLIP_EVAL_OK) {
        sclip__eval_vec_free(&v);
        return SCLIP_EVAL_ERROR;
    }
    if (!v.n) return sclip__eval_fail(err, errcap, "no file ending in '%s' under %s", img_suffix, img_dir);
    qsort(v.items, (size_t)v.n, sizeof *v.items, sclip__eval_cmp_items);
    out->n = v.n;
    out->items = v.items;
    return SCLIP_EVAL_OK;
}

/* ============================================================================================
   Totals and metrics (EVAL_SPEC.md section 7)
   ============================================================================================ */
SCLIP_EVAL_DEF void sclip_eval_totals_init(sclip_eval_totals *t, int n_classes) {
    memset(t, 0, sizeof *t);
    t->n_classes = n_classes;
}

SCLIP_EVAL_DEF void sclip_eval_totals_add(sclip_eval_totals *t, const uint32_t *counts) {
    int c, C = t->n_classes;
    for (c = 0; c < C; c++) {
        float i = (float)counts[c], p = (float)counts[C + c], l = (float)counts[2 * C + c];
        float u = (p + l) - i; /* area_union = area_pred + area_label - area_intersect, in float32 */
        t->I[c] += i;
        t->U[c] += u;
        t->P[c] += p;
        t->L[c] += l;
        t->xI[c] += counts[c];
        t->xP[c] += counts[C + c];
        t->xL[c] += counts[2 * C + c];
    }
    t->n_images++;
}

/* ATen's row_sum (ilp factor 4): m elements of `lanes` floats read as R = m/4 rows of 4; four
   running sums (multi_row_sum), the leftovers into sum 0, then sums 1..3 into it. multi_row_sum
   also flushes its sums into higher levels every 2^max(4, ceil(log2 R)/4) rows; with at most
   256 classes R <= 8 < 16, so that never happens here. */
static void sclip__eval_row_sum(const float *e, int m, int lanes, float *out) {
    float part[4][16];
    int R = m / 4, i, k, l;
    memset(part, 0, sizeof part);
    for (i = 0; i < R; i++)
        for (k = 0; k < 4; k++)
            for (l = 0; l < lanes; l++) part[k][l] += e[(4 * i + k) * lanes + l];
    for (i = 4 * R; i < m; i++)
        for (l = 0; l < lanes; l++) part[0][l] += e[i * lanes + l];
    for (k = 1; k < 4; k++)
        for (l = 0; l < lanes; l++) part[0][l] += part[k][l];
    memcpy(out, part[0], (size_t)lanes * sizeof(float));
}

SCLIP_EVAL_DEF float sclip_eval_torch_sum(const float *x, int n, int lanes) {
    float f = 0.0f, acc[16], r = 0.0f;
    int k;
    if (lanes != 16) lanes = 8;
    if (n > SCLIP_EVAL_MAX_CLASSES) n = SCLIP_EVAL_MAX_CLASSES; /* see row_sum */
    if (n >= lanes) { /* vectorized_inner_sum: n / lanes vectors, the scalar tail, then the lanes */
        int V = n / lanes;
        sclip__eval_row_sum(x, V, lanes, acc);
        for (k = V * lanes; k < n; k++) f += x[k];
        for (k = 0; k < lanes; k++) f += acc[k];
    } else {
        sclip__eval_row_sum(x, n, 1, acc);
        f = acc[0];
    }
    return r + f; /* the output starts at 0 */
}

/* numpy's pairwise summation of float32 (FLOAT_pairwise_sum). */
static float sclip__eval_pairwise(const float *a, int n) {
    if (n < 8) {
        float r = 0.0f;
        int i;
        for (i = 0; i < n; i++) r += a[i];
        return r;
    }
    if (n <= 128) {
        float r[8], s;
        int i, j;
        for (j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - n % 8; i += 8)
            for (j = 0; j < 8; j++) r[j] += a[i + j];
        s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += a[i];
        return s;
    } else {
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sclip__eval_pairwise(a, n2) + sclip__eval_pairwise(a + n2, n - n2);
    }
}

SCLIP_EVAL_DEF float sclip_eval_nanmean(const float *x, int n) {
    float arr[SCLIP_EVAL_MAX_CLASSES] = {0}, tot;
    int i, cnt = 0;
    if (n > SCLIP_EVAL_MAX_CLASSES) n = SCLIP_EVAL_MAX_CLASSES;
    for (i = 0; i < n; i++) { /* NaN -> 0, counted out */
        arr[i] = x[i] != x[i] ? 0.0f : x[i];
        cnt += x[i] == x[i];
    }
    tot = 0.0f + sclip__eval_pairwise(arr, n);
    if (!cnt) return (float)NAN;
    return (float)((double)tot / (double)cnt); /* _divide_by_count: float64 division, cast back */
}

SCLIP_EVAL_DEF double sclip_eval_round_summary(float v) {
    double y = (double)v * 100.0 * 100.0; /* both products exact */
    if (y != y) return (double)NAN;
    return nearbyint(y) / 100.0; /* rint: half to even */
}

SCLIP_EVAL_DEF float sclip_eval_round_class(float v) {
    float t = v * 100.0f, w = t * 100.0f, r;
    if (w != w) return (float)NAN;
    r = (float)nearbyint((double)w); /* integral, exact in float */
    return r / 100.0f;
}

SCLIP_EVAL_DEF void sclip_eval_compute(const sclip_eval_totals *t, sclip_eval_metrics *m) {
    int c, C = t->n_classes, cnt_iou = 0, cnt_acc = 0;
    int64_t sI = 0, sL = 0;
    double sum_iou = 0, sum_acc = 0;
    float ti = sclip_eval_torch_sum(t->I, C, 8), tl = sclip_eval_torch_sum(t->L, C, 8);
    memset(m, 0, sizeof *m);
    m->n_classes = C;
    m->aAcc = ti / tl; /* 0/0 = NaN */
    m->aAcc16 = sclip_eval_torch_sum(t->I, C, 16) / sclip_eval_torch_sum(t->L, C, 16);
    for (c = 0; c < C; c++) {
        int64_t u = t->xP[c] + t->xL[c] - t->xI[c];
        m->IoU[c] = t->I[c] / t->U[c];
        m->Acc[c] = t->I[c] / t->L[c];
        m->IoU_pct[c] = sclip_eval_round_class(m->IoU[c]);
        m->Acc_pct[c] = sclip_eval_round_class(m->Acc[c]);
        m->exact_IoU[c] = u ? (double)t->xI[c] / (double)u : NAN;
        m->exact_Acc[c] = t->xL[c] ? (double)t->xI[c] / (double)t->xL[c] : NAN;
        if (u) sum_iou += m->exact_IoU[c], cnt_iou++;
        if (t->xL[c]) sum_acc += m->exact_Acc[c], cnt_acc++;
        sI += t->xI[c];
        sL += t->xL[c];
    }
    m->mIoU = sclip_eval_nanmean(m->IoU, C);
    m->mAcc = sclip_eval_nanmean(m->Acc, C);
    m->aAcc_pct = sclip_eval_round_summary(m->aAcc);
    m->mIoU_pct = sclip_eval_round_summary(m->mIoU);
    m->mAcc_pct = sclip_eval_round_summary(m->mAcc);
    m->exact_aAcc = sL ? (double)sI / (double)sL : NAN;
    m->exact_mIoU = cnt_iou ? sum_iou / cnt_iou : NAN;
    m->exact_mAcc = cnt_acc ? sum_acc / cnt_acc : NAN;
}

/* ============================================================================================
   Strings: numpy's float32 str, Python's float repr, the table and the summary line
   ============================================================================================ */
/* Shortest decimal that reads back as v (as a float when f32): writes its digits and returns
   the decimal exponent of the first one. %.*e is correctly rounded, so the first precision
   that reads back gives the nearest shortest string, as Dragon4 and repr do. */
static int sclip__eval_shortest(double v, int f32, char *digits) {
    char buf[40];
    int p, e = 0;
    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (f32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v) break;
    }
    {
        char *x = strchr(buf, 'e'), *s = buf;
        int n = 0;
        e = atoi(x + 1);
        for (; s < x; s++)
            if (*s >= '0' && *s <= '9') digits[n++] = *s;
        while (n > 1 && digits[n - 1] == '0') n--;
        digits[n] = 0;
    }
    return e;
}

static void sclip__eval_str(double v, int f32, char *out, size_t cap) {
    char d[24], buf[64], *o = buf;
    int e, n, k;
    if (v != v || isinf(v) || v == 0) {
        snprintf(out, cap, "%s", v != v ? "nan" : isinf(v) ? (v < 0 ? "-inf" : "inf") : signbit(v) ? "-0.0" : "0.0");
        return;
    }
    e = sclip__eval_shortest(fabs(v), f32, d);
    n = (int)strlen(d);
    if (v < 0) *o++ = '-';
    if (e >= 16 || e < -4) { /* 1e-05, 1.5e+16 */
        *o++ = d[0];
        if (n > 1) *o++ = '.';
        for (k = 1; k < n; k++) *o++ = d[k];
        sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e < 0) { /* 0.00123 */
        *o++ = '0';
        *o++ = '.';
        for (k = 0; k < -e - 1; k++) *o++ = '0';
        for (k = 0; k < n; k++) *o++ = d[k];
        *o = 0;
    } else { /* 84.35, 100.0 */
        for (k = 0; k <= e; k++) *o++ = k < n ? d[k] : '0';
        *o++ = '.';
        if (n <= e + 1) *o++ = '0';
        for (k = e + 1; k < n; k++) *o++ = d[k];
        *o = 0;
    }
    snprintf(out, cap, "%s", buf);
}

SCLIP_EVAL_DEF void sclip_eval_str_f32(float v, char *out, size_t cap) { sclip__eval_str((double)v, 1, out, cap); }
SCLIP_EVAL_DEF void sclip_eval_str_f64(double v, char *out, size_t cap) { sclip__eval_str(v, 0, out, cap); }

/* Python's f"{x:.4f}" (glibc prints NaN's sign: Python does not). */
static void sclip__eval_fmt4(double x, char *out, size_t cap) {
    if (x != x) snprintf(out, cap, "nan");
    else snprintf(out, cap, "%.4f", x);
}

SCLIP_EVAL_DEF void sclip_eval_summary_line(const sclip_eval_metrics *m, char *out, size_t cap) {
    char a[48], b[48], c[48];
    sclip__eval_fmt4(m->aAcc_pct, a, sizeof a);
    sclip__eval_fmt4(m->mIoU_pct, b, sizeof b);
    sclip__eval_fmt4(m->mAcc_pct, c, sizeof c);
    snprintf(out, cap, "aAcc: %s  mIoU: %s  mAcc: %s", a, b, c);
}

/* PrettyTable's centring: odd excess puts the extra space right of odd-length text, left of
   even-length text (as str.center). */
static void sclip__eval_center(FILE *f, const char *s, int width) {
    int n = (int)strlen(s), ex = width - n, left = ex / 2, right = ex / 2;
    if (ex % 2) {
        if (n % 2) right++;
        else left++;
    }
    fprintf(f, " %*s%s%*s |", left, "", s, right, "");
}

SCLIP_EVAL_DEF void sclip_eval_print_table(FILE *f, const sclip_eval_metrics *m, const char *const *names) {
    static const char *const head[3] = {"Class", "IoU", "Acc"};
    char cell[2][32];
    int w[3], c, k, C = m->n_classes;
    for (k = 0; k < 3; k++) w[k] = (int)strlen(head[k]);
    for (c = 0; c < C; c++) {
        int n = (int)strlen(names[c]);
        if (n > w[0]) w[0] = n;
        sclip_eval_str_f32(m->IoU_pct[c], cell[0], sizeof cell[0]);
        sclip_eval_str_f32(m->Acc_pct[c], cell[1], sizeof cell[1]);
        for (k = 0; k < 2; k++)
            if ((int)strlen(cell[k]) > w[k + 1]) w[k + 1] = (int)strlen(cell[k]);
    }
    fprintf(f, "per class results:\n\n");
    for (c = -3; c <= C; c++) { /* rule, header, rule, rows, rule */
        if (c == -3 || c == -1 || c == C) {
            for (k = 0; k < 3; k++) {
                int j;
                fputc('+', f);
                for (j = 0; j < w[k] + 2; j++) fputc('-', f);
            }
            fputs("+\n", f);
            continue;
        }
        fputc('|', f);
        if (c == -2) {
            for (k = 0; k < 3; k++) sclip__eval_center(f, head[k], w[k]);
        } else {
            sclip_eval_str_f32(m->IoU_pct[c], cell[0], sizeof cell[0]);
            sclip_eval_str_f32(m->Acc_pct[c], cell[1], sizeof cell[1]);
            sclip__eval_center(f, names[c], w[0]);
            sclip__eval_center(f, cell[0], w[1]);
            sclip__eval_center(f, cell[1], w[2]);
        }
        fputc('\n', f);
    }
}

SCLIP_EVAL_DEF void sclip_eval_json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* A JSON number in Python's repr, or null for NaN. */
static void sclip__eval_json_num(FILE *f, double v) {
    char b[40];
    if (v != v) {
        fputs("null", f);
        return;
    }
    sclip_eval_str_f64(v, b, sizeof b);
    fputs(b, f);
}

static void sclip__eval_json_hex(FILE *f, float v) {
    uint32_t u;
    if (v != v) {
        fputs("\"nan\"", f);
        return;
    }
    memcpy(&u, &v, 4);
    fprintf(f, "\"0x%08lx\"", (unsigned long)u);
}

/* "%.2f" of a rounded value, as the fixtures' _pct strings. */
static void sclip__eval_json_pct(FILE *f, double v) {
    if (v != v) fputs("\"nan\"", f);
    else fprintf(f, "\"%.2f\"", v);
}

static void sclip__eval_json_floats(FILE *f, const char *key, const float *x, int n, const char *sep) {
    int i;
    fprintf(f, "\"%s\": [", key);
    for (i = 0; i < n; i++) fprintf(f, "%s%.0f", i ? ", " : "", (double)x[i]);
    fprintf(f, "]%s", sep);
}

static void sclip__eval_json_ints(FILE *f, const char *key, const int64_t *x, int n, const char *sep) {
    int i;
    fprintf(f, "\"%s\": [", key);
    for (i = 0; i < n; i++) fprintf(f, "%s%lld", i ? ", " : "", (long long)x[i]);
    fprintf(f, "]%s", sep);
}

SCLIP_EVAL_DEF void sclip_eval_json_metrics(FILE *f, const sclip_eval_metrics *m, const sclip_eval_totals *t,
                                            const char *const *names) {
    static const char *const keys[3] = {"aAcc", "mIoU", "mAcc"};
    const float raw[3] = {m->aAcc, m->mIoU, m->mAcc};
    const double pct[3] = {m->aAcc_pct, m->mIoU_pct, m->mAcc_pct}, exact[3] = {m->exact_aAcc, m->exact_mIoU, m->exact_mAcc};
    char line[160], b[40];
    int k, c, C = m->n_classes;
    fprintf(f, "  \"num_images\": %d,\n  \"num_classes\": %d,\n", t->n_images, C);
    for (k = 0; k < 5; k++) { /* summary, summary_str, summary_unrounded, _hex, exact */
        static const char *const what[5] = {"summary", "summary_str", "summary_unrounded", "summary_unrounded_hex", "exact"};
        int j;
        fprintf(f, "  \"%s\": {", what[k]);
        for (j = 0; j < 3; j++) {
            fprintf(f, "%s\"%s\": ", j ? ", " : "", keys[j]);
            if (k == 0) sclip__eval_json_num(f, pct[j]);
            else if (k == 1) sclip__eval_json_pct(f, pct[j]); else if (k == 2) sclip__eval_json_num(f, (double)raw[j]);
            else if (k == 3) sclip__eval_json_hex(f, raw[j]);
            else sclip__eval_json_num(f, exact[j]);
        }
        fprintf(f, "},\n");
    }
    sclip_eval_summary_line(m, line, sizeof line);
    fprintf(f, "  \"log_line\": \"%s\",\n  \"torch_vec_width\": 8,\n  \"aAcc_unrounded_other_vec_width\": {\"16\": ", line);
    sclip__eval_json_num(f, (double)m->aAcc16);
    fprintf(f, ", \"hex\": ");
    sclip__eval_json_hex(f, m->aAcc16);
    fprintf(f, "},\n  \"per_class\": [\n");
    for (c = 0; c < C; c++) {
        fprintf(f, "    {\"class\": ");
        sclip_eval_json_string(f, names[c]);
        for (k = 0; k < 2; k++) {
            float v = k ? m->Acc[c] : m->IoU[c], r = k ? m->Acc_pct[c] : m->IoU_pct[c];
            const char *n = k ? "Acc" : "IoU";
            fprintf(f, ", \"%s\": ", n);
            sclip__eval_json_num(f, (double)v);
            fprintf(f, ", \"%s_hex\": ", n);
            sclip__eval_json_hex(f, v);
            fprintf(f, ", \"%s_pct\": ", n);
            sclip__eval_json_pct(f, (double)r);
            sclip_eval_str_f32(r, b, sizeof b);
            fprintf(f, ", \"%s_table\": \"%s\", \"%s_exact\": ", n, b, n);
            sclip__eval_json_num(f, k ? m->exact_Acc[c] : m->exact_IoU[c]);
        }
        fprintf(f, "}%s\n", c + 1 < C ? "," : "");
    }
    fprintf(f, "  ],\n  \"total_area\": {");
    sclip__eval_json_floats(f, "intersect", t->I, C, ", ");
    sclip__eval_json_floats(f, "union", t->U, C, ", ");
    sclip__eval_json_floats(f, "pred_label", t->P, C, ", ");
    sclip__eval_json_floats(f, "label", t->L, C, "},\n");
    fprintf(f, "  \"exact_counts_int64\": {");
    sclip__eval_json_ints(f, "intersect", t->xI, C, ", ");
    sclip__eval_json_ints(f, "pred_label", t->xP, C, ", ");
    sclip__eval_json_ints(f, "label", t->xL, C, "}");
}

/* ============================================================================================
   State files. Text, one record a line, a checksum line last:
       sclip-eval state 1
       images 1449 classes 21
       key <identity line>            (as many as given; compared verbatim on resume and merge)
       shard 0/4                      (optional)
       img <index> <class>:<I>,<P>,<L> ...   (the classes with a non-zero count)
       bad <index> <note>
       end <records> <FNV-1a of every byte before this line, 16 hex digits>
   ============================================================================================ */
SCLIP_EVAL_DEF int sclip_eval_state_init(sclip_eval_state *s, int n_images, int n_classes, const char *identity,
                                         const char *shard) {
    memset(s, 0, sizeof *s);
    if (n_images < 1 || n_classes < 1 || n_classes > SCLIP_EVAL_MAX_CLASSES) return SCLIP_EVAL_ERROR;
    s->n_images = n_images;
    s->n_classes = n_classes;
    s->identity = sclip__eval_strdup(identity ? identity : "");
    s->shard = shard ? sclip__eval_strdup(shard) : NULL;
    s->rec = (sclip_eval_record *)calloc((size_t)n_images, sizeof *s->rec);
    if (!s->identity || !s->rec || (shard && !s->shard)) {
        sclip_eval_state_free(s);
        return SCLIP_EVAL_ERROR;
    }
    return SCLIP_EVAL_OK;
}

static void sclip__eval_record_clear(sclip_eval_record *r) {
    free(r->cls);
    free(r->cnt);
    free(r->note);
    memset(r, 0, sizeof *r);
}

SCLIP_EVAL_DEF void sclip_eval_state_free(sclip_eval_state *s) {
    int i;
    if (!s) return;
    for (i = 0; s->rec && i < s->n_images; i++) sclip__eval_record_clear(&s->rec[i]);
    free(s->rec);
    free(s->identity);
    free(s->shard);
    memset(s, 0, sizeof *s);
}

SCLIP_EVAL_DEF int sclip_eval_state_set(sclip_eval_state *s, int i, const uint32_t *counts, const char *note) {
    sclip_eval_record *r = &s->rec[i];
    int c, C = s->n_classes, k = 0;
    sclip__eval_record_clear(r);
    if (!counts) {
        size_t j;
        r->status = 2;
        r->note = sclip__eval_strdup(note ? note : "skipped");
        if (!r->note) return SCLIP_EVAL_ERROR;
        for (j = 0; r->note[j]; j++) /* one line */
            if (r->note[j] == '\n' || r->note[j] == '\r') r->note[j] = ' ';
        return SCLIP_EVAL_OK;
    }
    for (c = 0; c < C; c++) r->nnz += counts[c] || counts[C + c] || counts[2 * C + c];
    r->cls = (uint16_t *)malloc((size_t)(r->nnz ? r->nnz : 1) * sizeof *r->cls);
    r->cnt = (uint32_t *)malloc((size_t)(r->nnz ? r->nnz : 1) * 3 * sizeof *r->cnt);
    if (!r->cls || !r->cnt) {
        sclip__eval_record_clear(r);
        return SCLIP_EVAL_ERROR;
    }
    for (c = 0; c < C; c++)
        if (counts[c] || counts[C + c] || counts[2 * C + c]) {
            r->cls[k] = (uint16_t)c;
            r->cnt[3 * k] = counts[c];
            r->cnt[3 * k + 1] = counts[C + c];
            r->cnt[3 * k + 2] = counts[2 * C + c];
            k++;
        }
    r->status = 1;
    return SCLIP_EVAL_OK;
}

SCLIP_EVAL_DEF void sclip_eval_state_totals(const sclip_eval_state *s, sclip_eval_totals *t) {
    uint32_t counts[3 * SCLIP_EVAL_MAX_CLASSES];
    int i, k, C = s->n_classes;
    for (i = 0; i < s->n_images; i++) {
        const sclip_eval_record *r = &s->rec[i];
        if (r->status != 1) continue;
        memset(counts, 0, sizeof(uint32_t) * 3 * (size_t)C);
        for (k = 0; k < r->nnz; k++) {
            counts[r->cls[k]] = r->cnt[3 * k];
            counts[C + r->cls[k]] = r->cnt[3 * k + 1];
            counts[2 * C + r->cls[k]] = r->cnt[3 * k + 2];
        }
        sclip_eval_totals_add(t, counts);
    }
}

/* Growing text buffer. */
typedef struct sclip__eval_buf {
    char *p;
    size_t n, cap;
    int oom;
} sclip__eval_buf;

static void sclip__eval_printf(sclip__eval_buf *b, const char *fmt, ...) {
    va_list ap;
    int k;
    if (b->oom) return;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        {
            size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)k;
            char *p = (char *)realloc(b->p, cap);
            if (!p) {
                b->oom = 1;
                return;
            }
            b->p = p;
            b->cap = cap;
        }
    }
}

SCLIP_EVAL_DEF int sclip_eval_state_save(const sclip_eval_state *s, const char *path, char *err, size_t errcap) {
    sclip__eval_buf b;
    int i, k, done = 0;
    size_t tmp_len = strlen(path) + 32;
    char *tmp = (char *)malloc(tmp_len);
    FILE *f;
    memset(&b, 0, sizeof b);
    sclip__eval_printf(&b, "sclip-eval state 1\nimages %d classes %d\n", s->n_images, s->n_classes);
    {
        const char *p = s->identity;
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n) sclip__eval_printf(&b, "key %.*s\n", (int)n, p);
            p += n + (e != NULL);
        }
    }
    if (s->shard) sclip__eval_printf(&b, "shard %s\n", s->shard);
    for (i = 0; i < s->n_images; i++) {
        const sclip_eval_record *r = &s->rec[i];
        if (r->status == 1) {
            sclip__eval_printf(&b, "img %d", i);
            for (k = 0; k < r->nnz; k++)
                sclip__eval_printf(&b, " %u:%lu,%lu,%lu", (unsigned)r->cls[k], (unsigned long)r->cnt[3 * k],
                                   (unsigned long)r->cnt[3 * k + 1], (unsigned long)r->cnt[3 * k + 2]);
            sclip__eval_printf(&b, "\n");
        } else if (r->status == 2)
            sclip__eval_printf(&b, "bad %d %s\n", i, r->note);
        done += r->status != 0;
    }
    if (!b.oom) {
        uint64_t h = sclip_eval_hash(SCLIP_EVAL_HASH_INIT, b.p, b.n);
        sclip__eval_printf(&b, "end %d %08lx%08lx\n", done, (unsigned long)(h >> 32), (unsigned long)(h & 0xffffffffu));
    }
    if (b.oom || !tmp) {
        free(b.p);
        free(tmp);
        return sclip__eval_fail(err, errcap, "%s: out of memory", path);
    }
    snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f || fwrite(b.p, 1, b.n, f) != b.n || fflush(f) != 0) {
        int code = errno;
        if (f) fclose(f);
        remove(tmp);
        sclip__eval_fail(err, errcap, "cannot write %s: %s", tmp, strerror(code));
        free(b.p);
        free(tmp);
        return SCLIP_EVAL_ERROR;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        int code = errno;
        remove(tmp);
        sclip__eval_fail(err, errcap, "cannot write %s: %s", path, strerror(code));
        free(b.p);
        free(tmp);
        return SCLIP_EVAL_ERROR;
    }
    free(b.p);
    free(tmp);
    return SCLIP_EVAL_OK;
}

/* Unsigned decimal at *p, at most max; advances *p. 1, or 0 when there is none or it is too big. */
static int sclip__eval_num(const char **p, unsigned long long max, unsigned long long *v) {
    const char *s = *p;
    unsigned long long x = 0;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') {
        x = x * 10 + (unsigned)(*s++ - '0');
        if (x > max) return 0;
    }
    *v = x;
    *p = s;
    return 1;
}

/* One "img" line's counts after the index: " c:I,P,L" ... */
static int sclip__eval_parse_counts(const char *p, int C, uint32_t *counts) {
    int last = -1;
    memset(counts, 0, sizeof(uint32_t) * 3 * (size_t)C);
    while (*p == ' ') {
        unsigned long long c, v[3];
        p++;
        if (!sclip__eval_num(&p, (unsigned long long)C - 1, &c) || *p++ != ':' || (int)c <= last) return 0;
        if (!sclip__eval_num(&p, 0xffffffffull, &v[0]) || *p++ != ',' || !sclip__eval_num(&p, 0xffffffffull, &v[1]) ||
            *p++ != ',' || !sclip__eval_num(&p, 0xffffffffull, &v[2]))
            return 0;
        if (v[0] > v[1] || v[0] > v[2] || (!v[0] && !v[1] && !v[2])) return 0; /* I <= P, I <= L */
        counts[c] = (uint32_t)v[0];
        counts[C + c] = (uint32_t)v[1];
        counts[2 * C + c] = (uint32_t)v[2];
        last = (int)c;
    }
    return *p == 0;
}

SCLIP_EVAL_DEF int sclip_eval_state_load(sclip_eval_state *s, const char *path, char *err, size_t errcap) {
    size_t len = 0, pos = 0, end_at = 0;
    unsigned char *text = sclip__eval_read_all(path, &len, err, errcap);
    char *t = (char *)text, *shard = NULL;
    sclip__eval_buf idb;
    int line = 0, n_images = 0, n_classes = 0, records = 0, r = SCLIP_EVAL_OK;
    uint32_t *counts = NULL;
    memset(s, 0, sizeof *s);
    memset(&idb, 0, sizeof idb);
    if (!text) return SCLIP_EVAL_ERROR;
    /* the checksum first: the last line must be "end ..." over every byte before it */
    {
        size_t e = len;
        if (len && t[len - 1] == '\n') e--;
        while (e > 0 && t[e - 1] != '\n') e--;
        end_at = e;
        if (len < 5 || strncmp(t + e, "end ", 4) != 0 || t[len - 1] != '\n') {
            free(text);
            return sclip__eval_fail(err, errcap, "%s: truncated or not a sclip-eval state file (no final 'end' line)", path);
        }
        {
            uint64_t h = sclip_eval_hash(SCLIP_EVAL_HASH_INIT, t, e);
            char want[24];
            unsigned long long cnt;
            const char *q = t + e + 4;
            snprintf(want, sizeof want, "%08lx%08lx\n", (unsigned long)(h >> 32), (unsigned long)(h & 0xffffffffu));
            if (!sclip__eval_num(&q, 1ull << 31, &cnt) || *q != ' ' || strcmp(q + 1, want) != 0) {
                free(text);
                return sclip__eval_fail(err, errcap, "%s: checksum mismatch: the file is corrupt or was edited", path);
            }
            records = (int)cnt;
        }
    }
    while (r == SCLIP_EVAL_OK && pos < end_at) {
        char *l = t + pos, *nl = (char *)memchr(l, '\n', end_at - pos);
        const char *p;
        unsigned long long v;
        line++;
        if (!nl) break;
        *nl = 0;
        pos = (size_t)(nl - t) + 1;
        if (line == 1) {
            if (strcmp(l, "sclip-eval state 1")) r = sclip__eval_fail(err, errcap, "%s: not a sclip-eval state file", path);
        } else if (line == 2) {
            unsigned long long a, b;
            p = l + 7;
            if (strncmp(l, "images ", 7) || !sclip__eval_num(&p, 1u << 28, &a) || strncmp(p, " classes ", 9) ||
                (p += 9, !sclip__eval_num(&p, SCLIP_EVAL_MAX_CLASSES, &b)) || *p || !a || !b)
                r = sclip__eval_fail(err, errcap, "%s, line 2: corrupt header", path);
            else {
                n_images = (int)a;
                n_classes = (int)b;
                counts = (uint32_t *)malloc(sizeof(uint32_t) * 3 * (size_t)n_classes);
                if (!counts) r = sclip__eval_fail(err, errcap, "%s: out of memory", path);
            }
        } else if (!strncmp(l, "key ", 4)) {
            if (s->rec) r = sclip__eval_fail(err, errcap, "%s, line %d: setting after the records", path, line);
            else sclip__eval_printf(&idb, "%s\n", l + 4);
        } else if (!strncmp(l, "shard ", 6)) {
            free(shard);
            shard = sclip__eval_strdup(l + 6);
        } else if (!strncmp(l, "img ", 4) || !strncmp(l, "bad ", 4)) {
            int bad = l[0] == 'b';
            if (!s->rec &&
                (idb.oom || sclip_eval_state_init(s, n_images, n_classes, idb.p ? idb.p : "", shard) != SCLIP_EVAL_OK)) {
                r = sclip__eval_fail(err, errcap, "%s: out of memory", path);
                break;
            }
            p = l + 4;
            if (!sclip__eval_num(&p, (unsigned long long)n_images - 1, &v))
                r = sclip__eval_fail(err, errcap, "%s, line %d: image index out of range", path, line);
            else if (s->rec[v].status)
                r = sclip__eval_fail(err, errcap, "%s, line %d: image %llu recorded twice", path, line, v);
            else if (bad ? (*p != ' ' || sclip_eval_state_set(s, (int)v, NULL, p + 1) != SCLIP_EVAL_OK)
                         : (!sclip__eval_parse_counts(p, n_classes, counts) ||
                            sclip_eval_state_set(s, (int)v, counts, NULL) != SCLIP_EVAL_OK))
                r = sclip__eval_fail(err, errcap, "%s, line %d: corrupt record", path, line);
            else
                records--;
        } else {
            r = sclip__eval_fail(err, errcap, "%s, line %d: unknown line '%.40s'", path, line, l);
        }
    }
    if (r == SCLIP_EVAL_OK && line < 2) r = sclip__eval_fail(err, errcap, "%s: truncated header", path);
    if (r == SCLIP_EVAL_OK && !s->rec &&
        (idb.oom || sclip_eval_state_init(s, n_images, n_classes, idb.p ? idb.p : "", shard) != SCLIP_EVAL_OK))
        r = sclip__eval_fail(err, errcap, "%s: out of memory", path);
    if (r == SCLIP_EVAL_OK && records != 0)
        r = sclip__eval_fail(err, errcap, "%s: the record count does not match its end line", path);
    free(idb.p);
    free(shard);
    free(counts);
    free(text);
    if (r != SCLIP_EVAL_OK) sclip_eval_state_free(s);
    return r;
}

#endif /* SCLIP_EVAL_IMPLEMENTATION_DONE */
#endif /* SCLIP_EVAL_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
------------------------------------------------------------------------------
*/
