/* sclip-eval: the SCLIP paper's benchmark numbers, scored exactly as the official eval.py
   (mmsegmentation's IoUMetric) scores them.

     sclip-eval -m weights/ViT-B-16.sclip --dataset voc21 --root data/VOCdevkit/VOC2012
     sclip-eval --dataset voc21 --root data/VOCdevkit/VOC2012 --pred-dir preds/
     sclip-eval -m M --dataset ade20k --root R --shard 3/8 --state ade.3.state     (one of 8 machines)
     sclip-eval --merge ade.*.state                                                (the benchmark's numbers)

   The image list, its order, the label reading, the counts, the float32 running totals and the
   printed roundings are those of the official code (examples/sclip_eval.h, docs/EVAL.md). See
   --help. */
#define _POSIX_C_SOURCE 200809L /* isatty, clock_gettime, mkdir */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"
#define SCLIP_EVAL_IMPLEMENTATION
#include "sclip_eval.h"
#include "sclip_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *usage_text =
    "usage: sclip-eval -m MODEL.sclip --dataset KEY --root DIR [options]     segment and score a benchmark\n"
    "       sclip-eval --pred-dir DIR --dataset KEY --root DIR [options]     score saved predictions\n"
    "       sclip-eval (-m MODEL | --pred-dir DIR) --images DIR --labels DIR --classes FILE [options]\n"
    "       sclip-eval --merge STATE... [--json FILE]                        combine shards\n"
    "\n"
    "Scores semantic segmentation exactly as the official SCLIP eval.py (mmsegmentation's IoUMetric):\n"
    "the same image list and order, label reading, float32 totals and printed roundings.\n"
    "\n"
    "dataset:\n"
    "  --dataset KEY           voc21 voc20 context60 context59 coco_object coco_stuff coco_stuff10k\n"
    "                          cityscapes ade20k (layouts, class lists and settings built in)\n"
    "  --root DIR              the dataset root (data_root of the official config; see docs/REPRODUCE.md)\n"
    "  --raw-labels            cityscapes: *_gtFine_labelIds.png; coco_stuff, coco_object: the released\n"
    "                          stuffthingmaps <id>.png (the official converters' tables applied here)\n"
    "  --limit N               only the first N images of the list\n"
    "  --images DIR, --labels DIR   a dataset of your own: images found under DIR (recursively, sorted),\n"
    "                          label <labels>/<path without the image suffix><label suffix>\n"
    "  --image-suffix S        (.jpg)    --label-suffix S (.png)\n"
    "  --reduce-zero-label     label 0 is ignored and 1..255 become 0..254 (as ADE20K)\n"
    "  --ignore-index N        label value that is not scored (255)\n"
    "  -c, --classes FILE      class list, one class a line, synonyms after \", \" (benchmarks: replaces\n"
    "                          the built-in vocabulary, same number of classes)\n"
    "  --list-classes          print the vocabulary that would be used, then exit (no --root needed)\n"
    "predictions:\n"
    "  -m, --model FILE        segment every image with this model (.sclip)\n"
    "  --pred-dir DIR          or read <image stem>.png from DIR (8-bit class indices 0..C-1)\n"
    "  --pred-offset N         added to every prediction read (-1 reads mmseg's format_only files)\n"
    "segmentation (default: the benchmark's official settings, the preset of the same name):\n"
    "  --preset NAME, --short-side N, --crop N, --stride N, --logit-scale X, --prob-thd X, --area-thd X,\n"
    "  --attn NAME (sclip, vanilla, ..., the ablations csa-q, csa-rand:N, sharpen:T, local:W, early:B),\n"
    "  --pamr STEPS, --precision f32|q16|q8|bf16, --templates FILE: as in sclip-seg\n"
    "  --method sclip|scclip|resclip, --method-opt KEY=VALUE: as in sclip-seg (the benchmark's preset\n"
    "                          is then the method's own config)\n"
    "  --vocab FILE            a vocabulary cache (sclip-seg --save-vocab) instead of encoding the classes\n"
    "  --threads N             worker threads (default: all cores)\n"
    "outputs (the per-class table and the summary line go to stdout):\n"
    "  --json FILE             every number (float32 values, totals, printed strings), settings, timing\n"
    "  --save-pred DIR         the predictions as <image stem>.png (8-bit class indices)\n"
    "  --save-overlay DIR      the images blended with the predicted classes\n"
    "  --exact                 also print the metrics from int64 counts (no float32 rounding)\n"
    "  --progress              progress on stderr even when it is not a terminal; -q: none\n"
    "runs over many machines (docs/EVAL.md):\n"
    "  --shard K/N             only the list positions i with i mod N == K\n"
    "  --state FILE            keep each image's counts in FILE (rewritten after every image); a run\n"
    "                          started again with the same FILE continues where it stopped\n"
    "  --skip-bad              an unreadable image is reported and counted, and the run goes on\n"
    "  --merge STATE...        the numbers of one whole run from the shards' state files\n"
    "  -h, --help              this text\n";

typedef struct options {
    const char *model, *dataset, *root, *images, *labels, *image_suffix, *label_suffix, *ignore_text, *classes;
    const char *pred_dir, *pred_offset_text, *vocab, *templates, *threads_text, *json, *save_pred, *save_overlay;
    const char *shard_text, *state, *limit_text;
    cli_seg_opts seg;
    int raw_labels, reduce_zero_label, list_classes, exact, progress, quiet, skip_bad, merge;
    const char *pos[4096];
    int n_pos;
    /* parsed */
    int ignore_index, pred_offset, threads, shard_k, shard_n, limit;
} options;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* What the run scores against: a benchmark or the user's folders. */
typedef struct dataset {
    const sclip_eval_dataset *ds;  /* NULL for a dataset of the user's */
    const char *key;               /* "voc21" or "custom" */
    int n_classes, reduce_zero_label;
    const char **names;            /* the table's class names */
    char *names_buf;               /* their text, for a dataset of the user's */
    char *vocab_text;              /* the vocabulary (class text) */
    size_t vocab_len;
    sclip_eval_list list;
    unsigned char map[256];        /* label byte -> scored value */
} dataset;

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- options ---------------------------------------------------------------------------------- */
static int parse_args(int argc, char **argv, options *o) {
    const cli_opt opts[] = {
        {"--model", "-m", &o->model, NULL}, {"--dataset", NULL, &o->dataset, NULL}, {"--root", NULL, &o->root, NULL},
        {"--images", NULL, &o->images, NULL}, {"--labels", NULL, &o->labels, NULL},
        {"--image-suffix", NULL, &o->image_suffix, NULL}, {"--label-suffix", NULL, &o->label_suffix, NULL},
        {"--ignore-index", NULL, &o->ignore_text, NULL}, {"--classes", "-c", &o->classes, NULL},
        {"--pred-dir", NULL, &o->pred_dir, NULL}, {"--pred-offset", NULL, &o->pred_offset_text, NULL},
        {"--vocab", NULL, &o->vocab, NULL}, {"--templates", NULL, &o->templates, NULL},
        {"--threads", NULL, &o->threads_text, NULL}, {"--json", NULL, &o->json, NULL},
        {"--save-pred", NULL, &o->save_pred, NULL}, {"--save-overlay", NULL, &o->save_overlay, NULL},
        {"--shard", NULL, &o->shard_text, NULL}, {"--state", NULL, &o->state, NULL}, {"--limit", NULL, &o->limit_text, NULL},
        {"--raw-labels", NULL, NULL, &o->raw_labels}, {"--reduce-zero-label", NULL, NULL, &o->reduce_zero_label},
        {"--list-classes", NULL, NULL, &o->list_classes}, {"--exact", NULL, NULL, &o->exact},
        {"--progress", NULL, NULL, &o->progress}, {"--quiet", "-q", NULL, &o->quiet}, {"--skip-bad", NULL, NULL, &o->skip_bad},
        {"--merge", NULL, NULL, &o->merge}, CLI_SEG_OPTIONS(o->seg)};
    int rc;
    memset(o, 0, sizeof *o);
    if ((argc = cli_take_repeated(argc, argv, "--method-opt", o->seg.mopt, CLI_MAX_METHOD_OPTS, &o->seg.n_mopt)) < 0) return 2;
    rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage_text, o->pos, 4096, &o->n_pos);
    if (rc) return rc;
    o->ignore_index = 255;
    if (o->ignore_text && !cli_parse_int(o->ignore_text, "--ignore-index", 0, 255, &o->ignore_index)) return 2;
    if (o->pred_offset_text && !cli_parse_int(o->pred_offset_text, "--pred-offset", -255, 255, &o->pred_offset)) return 2;
    if (o->threads_text && !cli_parse_int(o->threads_text, "--threads", 1, 256, &o->threads)) return 2;
    if (o->limit_text && !cli_parse_int(o->limit_text, "--limit", 1, 1 << 28, &o->limit)) return 2;
    o->shard_n = 1;
    if (o->shard_text) {
        char *end;
        long k = strtol(o->shard_text, &end, 10), n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
        if (*end || n < 1 || n > 1000000 || k < 0 || k >= n) {
            cli_error("--shard must be K/N with 0 <= K < N (e.g. 0/4 ... 3/4), not '%s'", o->shard_text);
            return 2;
        }
        o->shard_k = (int)k;
        o->shard_n = (int)n;
    }
    if (o->merge) {
        if (!o->n_pos) {
            cli_error("--merge needs the state files of the shards");
            return 2;
        }
        if (o->model || o->dataset || o->pred_dir || o->images || o->state || o->shard_text) {
            cli_error("--merge takes only state files (and --json, --exact)");
            return 2;
        }
        return 0;
    }
    if (o->n_pos) {
        cli_error("unexpected argument '%s' (see --help)", o->pos[0]);
        return 2;
    }
    if (!o->dataset == !o->images) {
        cli_error("give --dataset KEY --root DIR, or --images DIR --labels DIR --classes FILE");
        return 2;
    }
    if (o->dataset && !o->root && !o->list_classes) {
        cli_error("--dataset needs --root DIR (the dataset's data_root)");
        return 2;
    }
    if (o->images && (!o->labels || !o->classes)) {
        cli_error("--images needs --labels DIR and --classes FILE");
        return 2;
    }
    if (o->dataset && (o->labels || o->image_suffix || o->label_suffix || o->reduce_zero_label)) {
        cli_error("--labels, --image-suffix, --label-suffix and --reduce-zero-label are for --images datasets");
        return 2;
    }
    if (o->list_classes) return 0;
    if (!o->model == !o->pred_dir) {
        cli_error("give -m MODEL to segment the images, or --pred-dir DIR to score saved predictions");
        return 2;
    }
    if (o->pred_dir) {
        const char *s = cli_seg_given(&o->seg);
        if (s || o->seg.preset || o->vocab || o->templates || o->threads_text) {
            cli_error("%s needs -m MODEL: --pred-dir scores saved predictions",
                      s ? s : o->seg.preset ? "--preset" : o->vocab ? "--vocab" : o->templates ? "--templates" : "--threads");
            return 2;
        }
    } else if (o->pred_offset_text) {
        cli_error("--pred-offset applies to --pred-dir");
        return 2;
    }
    if (o->vocab && ((o->classes && o->dataset) || o->templates)) { /* --images datasets take their names from --classes */
        cli_error("--vocab is an encoded vocabulary: --%s would be ignored", o->templates ? "templates" : "classes");
        return 2;
    }
    return 0;
}

/* ---- the dataset ----------------------------------------------------------------------------- */
/* First name of each line of class text (the table's names of a dataset of one's own): the
   names point into *buf, a copy of the text. NULL with a message for a blank line. */
static const char **first_names(const char *path, const char *text, size_t len, char **buf, int *n) {
    const char **names;
    char *p;
    int k = 0, cap = 1;
    size_t i;
    for (i = 0; i < len; i++) cap += text[i] == '\n';
    names = (const char **)calloc((size_t)cap, sizeof *names);
    *buf = (char *)malloc(len + 1);
    if (!*buf || !names) {
        free((void *)names);
        return NULL;
    }
    memcpy(*buf, text, len);
    (*buf)[len] = 0;
    for (p = *buf; *p;) {
        char *e = strchr(p, '\n'), *c;
        if (e) *e = 0;
        if (e && e > p && e[-1] == '\r') e[-1] = 0;
        if ((c = strstr(p, ", ")) != NULL) *c = 0;
        if (!*p) {
            cli_error("%s, line %d is blank", path, k + 1);
            free((void *)names);
            return NULL;
        }
        names[k++] = p;
        if (!e) break;
        p = e + 1;
    }
    *n = k;
    return names;
}

/* The vocabulary's text: --classes, or the benchmark's built-in list. */
static int load_vocab_text(const options *o, dataset *d) {
    size_t n;
    if (o->classes) return (d->vocab_text = cli_read_file(o->classes, &d->vocab_len)) != NULL;
    n = sclip_seg_preset_classes(d->ds->preset, NULL, 0);
    if (!(d->vocab_text = (char *)malloc(n + 1))) return 0;
    sclip_seg_preset_classes(d->ds->preset, d->vocab_text, n + 1);
    d->vocab_len = n;
    return 1;
}

static int load_dataset(const options *o, dataset *d) {
    char err[1024];
    int ok;
    memset(d, 0, sizeof *d);
    if (o->dataset) {
        char *img_dir, *seg_dir;
        const char *seg_suffix;
        if (!(d->ds = sclip_eval_find_dataset(o->dataset))) {
            const char *const *k = sclip_eval_dataset_keys();
            fprintf(stderr, "sclip-eval: unknown dataset '%s'; datasets:", o->dataset);
            while (*k) fprintf(stderr, " %s", *k++);
            fprintf(stderr, "\n");
            return 0;
        }
        if (o->raw_labels && !d->ds->raw_seg_suffix) {
            cli_error("--raw-labels applies to cityscapes, coco_stuff and coco_object, not %s", d->ds->key);
            return 0;
        }
        d->key = d->ds->key;
        d->n_classes = d->ds->n_classes;
        d->reduce_zero_label = d->ds->reduce_zero_label;
        d->names = (const char **)d->ds->classes;
        if (o->list_classes) return load_vocab_text(o, d);
        if (!is_dir(o->root)) {
            cli_error("dataset root %s is not a folder", o->root);
            return 0;
        }
        img_dir = sclip_eval_join(o->root, d->ds->img_dir);
        seg_dir = sclip_eval_join(o->root, d->ds->seg_dir);
        seg_suffix = o->raw_labels ? d->ds->raw_seg_suffix : d->ds->seg_suffix;
        if (d->ds->ann_file) {
            char *ann = sclip_eval_join(o->root, d->ds->ann_file);
            struct stat st;
            if (!is_dir(img_dir)) {
                cli_error("image folder %s does not exist (is --root the dataset root?)", img_dir);
                ok = 0;
            } else if (stat(ann, &st) != 0) {
                cli_error("split file %s: %s", ann, strerror(errno));
                ok = 0;
            } else {
                ok = sclip_eval_list_split(ann, img_dir, seg_dir, d->ds->img_suffix, seg_suffix, &d->list, err,
                                           sizeof err) == SCLIP_EVAL_OK;
                if (!ok) cli_error("%s", err);
            }
            free(ann);
        } else {
            ok = sclip_eval_list_scan(img_dir, seg_dir, d->ds->img_suffix, seg_suffix, &d->list, err, sizeof err) ==
                 SCLIP_EVAL_OK;
            if (!ok) cli_error("%s", err);
        }
        free(img_dir);
        free(seg_dir);
        if (!ok) return 0;
        sclip_eval_label_map(o->raw_labels ? d->ds->raw : SCLIP_EVAL_RAW_NONE, d->reduce_zero_label, d->map);
        if (!load_vocab_text(o, d)) return 0;
    } else {
        int n;
        if (!is_dir(o->images) || !is_dir(o->labels)) {
            cli_error("%s is not a folder", is_dir(o->images) ? o->labels : o->images);
            return 0;
        }
        if (!(d->vocab_text = cli_read_file(o->classes, &d->vocab_len))) return 0;
        if (!(d->names = first_names(o->classes, d->vocab_text, d->vocab_len, &d->names_buf, &n))) return 0;
        d->key = "custom";
        d->n_classes = n;
        d->reduce_zero_label = o->reduce_zero_label;
        if (n < 1 || n > SCLIP_EVAL_MAX_CLASSES) {
            cli_error("%s: %d classes; label maps are 8-bit, so 1..%d", o->classes, n, SCLIP_EVAL_MAX_CLASSES);
            return 0;
        }
        if (sclip_eval_list_scan(o->images, o->labels, o->image_suffix ? o->image_suffix : ".jpg",
                                 o->label_suffix ? o->label_suffix : ".png", &d->list, err, sizeof err) != SCLIP_EVAL_OK) {
            cli_error("%s", err);
            return 0;
        }
        sclip_eval_label_map(SCLIP_EVAL_RAW_NONE, d->reduce_zero_label, d->map);
    }
    if (o->limit && o->limit < d->list.n) {
        int i;
        for (i = o->limit; i < d->list.n; i++) free(d->list.items[i].img), free(d->list.items[i].seg);
        d->list.n = o->limit;
    }
    return 1;
}

static void free_dataset(dataset *d) {
    if (!d->ds) free((void *)d->names);
    free(d->names_buf);
    free(d->vocab_text);
    sclip_eval_list_free(&d->list);
}

/* Number of classes of class text: lines (a final newline ends the last one). */
static int count_lines(const char *text, size_t len) {
    size_t i;
    int n = len > 0;
    for (i = 0; i < len; i++) n += text[i] == '\n' && i + 1 < len;
    return n;
}

/* ---- the identity of a run: the list and every setting --------------------------------------- */
static void add_line(char **id, size_t *len, size_t *cap, const char *fmt, ...) {
    va_list ap;
    int k;
    char line[4600];
    va_start(ap, fmt);
    k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if (*len + (size_t)k + 2 > *cap) {
        char *p = (char *)realloc(*id, *cap = 2 * *cap + (size_t)k + 2);
        if (!p) return;
        *id = p;
    }
    memcpy(*id + *len, line, (size_t)k);
    *len += (size_t)k;
    (*id)[(*len)++] = '\n';
    (*id)[*len] = 0;
}

static char *make_identity(const options *o, const dataset *d, const sclip_seg_desc *desc, sclip_precision prec) {
    char *id = NULL, err[512];
    size_t len = 0, cap = 0;
    uint64_t h = SCLIP_EVAL_HASH_INIT;
    int i;
    for (i = 0; i < d->list.n; i++) { /* the paths below the image and label folders */
        const sclip_eval_item *it = &d->list.items[i];
        h = sclip_eval_hash(h, it->img + it->img_rel, strlen(it->img + it->img_rel) + 1);
        h = sclip_eval_hash(h, it->seg + it->seg_rel, strlen(it->seg + it->seg_rel) + 1);
    }
    add_line(&id, &len, &cap, "dataset %s", d->key);
    add_line(&id, &len, &cap, "list %d %016llx", d->list.n, (unsigned long long)h);
    add_line(&id, &len, &cap, "labels raw=%d reduce_zero_label=%d ignore_index=%d", o->raw_labels, d->reduce_zero_label,
             o->ignore_index);
    for (i = 0; i < d->n_classes; i++) add_line(&id, &len, &cap, "class %s", d->names[i]);
    if (o->pred_dir) {
        add_line(&id, &len, &cap, "source predictions offset=%d", o->pred_offset);
    } else {
        uint64_t size, fh;
        const char *vfile = o->vocab ? o->vocab : o->templates;
        if (sclip_eval_hash_file(o->model, &size, &fh, err, sizeof err) != SCLIP_EVAL_OK) {
            cli_error("%s", err);
            free(id);
            return NULL;
        }
        add_line(&id, &len, &cap, "source model %llu %016llx", (unsigned long long)size, (unsigned long long)fh);
        /* the vocabulary: the class text and the templates, or the cache file */
        h = sclip_eval_hash(SCLIP_EVAL_HASH_INIT, d->vocab_text, o->vocab ? 0 : d->vocab_len);
        if (vfile) {
            uint64_t vs, vh;
            if (sclip_eval_hash_file(vfile, &vs, &vh, err, sizeof err) != SCLIP_EVAL_OK) {
                cli_error("%s", err);
                free(id);
                return NULL;
            }
            h = sclip_eval_hash(h, &vh, sizeof vh);
        }
        add_line(&id, &len, &cap, "vocab %s %016llx", o->vocab ? "cache" : o->templates ? "classes+templates" : "classes",
                 (unsigned long long)h);
        char attn[64];
        sclip_attn_desc_format(&desc->attn, attn, sizeof attn);
        add_line(&id, &len, &cap,
                 "seg precision=%s attn=%s short_side=%d max_long_side=%d crop=%d stride=%d logit_scale=%.9g prob_thd=%.9g "
                 "area_thd=%.9g pamr=%d",
                 sclip_precision_name(prec), attn, desc->short_side, desc->max_long_side, desc->crop, desc->stride,
                 (double)desc->logit_scale, (double)desc->prob_thd, (double)desc->area_thd, desc->pamr_steps);
        if (desc->method.kind != SCLIP_METHOD_SCLIP) { /* every option as the run uses it */
            sclip_method_desc full = desc->method, *md = &full;
            sclip_method_fill_defaults(md);
            if (md->kind == SCLIP_METHOD_SCCLIP)
                add_line(&id, &len, &cap, "method scclip pre_adjust_idx=%d post_adjust_idx=%d multi_start_idx=%d "
                         "multi_end_idx=%d res_cls=%.15g beta=%.15g", md->pre_adjust_idx, md->post_adjust_idx,
                         md->multi_start_idx, md->multi_end_idx, md->res_cls, md->beta);
            else
                add_line(&id, &len, &cap, "method resclip temp_thd=%.15g attn_rcs_weights=%.15g,%.15g "
                         "attn_sfr_weights=%.15g,%.15g delete_same_entity=%d gaussian_std=%.15g", md->temp_thd,
                         md->attn_rcs_weights[0], md->attn_rcs_weights[1], md->attn_sfr_weights[0], md->attn_sfr_weights[1],
                         md->delete_same_entity, md->gaussian_std);
        }
    }
    if (o->limit) add_line(&id, &len, &cap, "limit %d", o->limit);
    return id;
}

/* The first line where two identities differ, for the message. */
static void first_difference(const char *a, const char *b, char *out, size_t cap) {
    while (*a || *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
        if (na != nb || memcmp(a, b, na)) {
            snprintf(out, cap, "'%.*s' against '%.*s'", (int)(na > 200 ? 200 : na), a, (int)(nb > 200 ? 200 : nb), b);
            return;
        }
        a += na + (ea != NULL);
        b += nb + (eb != NULL);
    }
    snprintf(out, cap, "(none)");
}

/* Value of "name value..." in an identity (points into it; up to the end of its line). */
static const char *identity_value(const char *id, const char *name, size_t *n) {
    size_t k = strlen(name);
    const char *p = id;
    while (p && *p) {
        const char *e = strchr(p, '\n');
        if (!strncmp(p, name, k) && p[k] == ' ') {
            *n = (e ? (size_t)(e - p) : strlen(p)) - k - 1;
            return p + k + 1;
        }
        p = e ? e + 1 : NULL;
    }
    *n = 0;
    return "";
}

/* ---- reports ------------------------------------------------------------------------------------ */
typedef struct timing {
    double start, list, model, vocab, images, decode, segment, label, outputs, state;
    int done; /* images processed in this run */
} timing;

static void json_identity(FILE *f, const char *id) {
    const char *p = id;
    int first = 1;
    fprintf(f, "  \"settings\": {");
    while (*p) {
        const char *e = strchr(p, '\n'), *sp = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char key[64], *val;
        if (sp && sp < p + n && strncmp(p, "class ", 6)) {
            snprintf(key, sizeof key, "%.*s", (int)(sp - p), p);
            val = (char *)malloc(n + 1);
            if (val) {
                memcpy(val, sp + 1, (size_t)(p + n - sp - 1));
                val[p + n - sp - 1] = 0;
                fprintf(f, "%s\"%s\": ", first ? "" : ", ", key);
                sclip_eval_json_string(f, val);
                first = 0;
                free(val);
            }
        }
        p += n + (e != NULL);
    }
    fprintf(f, "},\n");
}

static int write_json(const char *path, const char *id, const sclip_eval_state *st, const sclip_eval_metrics *m,
                      const sclip_eval_totals *t, const char **names, const dataset *d, const options *o, const timing *tm) {
    FILE *f = fopen(path, "w");
    const sclip_eval_dataset *ds;
    size_t n;
    const char *key = identity_value(id, "dataset", &n);
    char k[64];
    int i, first = 1, missing = 0, raw = 0, rzl = 0, ignore = 255;
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return 0;
    }
    snprintf(k, sizeof k, "%.*s", (int)n, key);
    ds = sclip_eval_find_dataset(k);
    sscanf(identity_value(id, "labels", &n), "raw=%d reduce_zero_label=%d ignore_index=%d", &raw, &rzl, &ignore);
    fprintf(f, "{\n  \"dataset\": ");
    sclip_eval_json_string(f, k);
    fprintf(f, ",\n  \"mmseg_dataset\": ");
    sclip_eval_json_string(f, ds ? ds->mmseg_class : "custom");
    fprintf(f, ",\n  \"ignore_index\": %d,\n  \"reduce_zero_label\": %s,\n  \"raw_labels\": %s,\n", ignore,
            rzl ? "true" : "false", raw ? "true" : "false");
    sclip_eval_json_metrics(f, m, t, names);
    for (i = 0; i < st->n_images; i++) missing += st->rec[i].status == 0;
    fprintf(f, ",\n  \"list_size\": %d,\n  \"complete\": %s,\n  \"skipped\": [", st->n_images, missing ? "false" : "true");
    for (i = 0; i < st->n_images; i++)
        if (st->rec[i].status == 2) {
            fprintf(f, "%s{\"index\": %d, \"reason\": ", first ? "" : ", ", i);
            sclip_eval_json_string(f, st->rec[i].note);
            fprintf(f, "}");
            first = 0;
        }
    fprintf(f, "],\n");
    json_identity(f, id);
    if (d) {
        fprintf(f, "  \"paths\": {\"root\": ");
        sclip_eval_json_string(f, o->root ? o->root : o->images);
        fprintf(f, ", \"model\": ");
        sclip_eval_json_string(f, o->model ? o->model : "");
        fprintf(f, ", \"pred_dir\": ");
        sclip_eval_json_string(f, o->pred_dir ? o->pred_dir : "");
        fprintf(f, "},\n  \"shard\": \"%d/%d\",\n", o->shard_k, o->shard_n);
    }
    fprintf(f, "  \"timing\": {\"total_s\": %.3f", now() - tm->start);
    if (d)
        fprintf(f,
                ", \"list_s\": %.4f, \"model_load_s\": %.3f, \"vocab_s\": %.3f, \"images_this_run\": %d, \"images_s\": %.3f, "
                "\"image_decode_s\": %.4f, \"segment_s\": %.3f, \"label_and_count_s\": %.4f, \"outputs_s\": %.4f, "
                "\"state_s\": %.4f",
                tm->list, tm->model, tm->vocab, tm->done, tm->images, tm->decode, tm->segment, tm->label, tm->outputs, tm->state);
    fprintf(f, "}\n}\n");
    if (fclose(f) != 0) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

/* The table, the summary line (and the exact line) on stdout; the JSON file. */
static int report(const options *o, const sclip_eval_state *st, const char **names, const dataset *d, const timing *tm) {
    sclip_eval_totals t;
    sclip_eval_metrics m;
    char line[256];
    int i, done = 0, bad = 0;
    sclip_eval_totals_init(&t, st->n_classes);
    sclip_eval_state_totals(st, &t);
    sclip_eval_compute(&t, &m);
    for (i = 0; i < st->n_images; i++) done += st->rec[i].status != 0, bad += st->rec[i].status == 2;
    sclip_eval_print_table(stdout, &m, names);
    sclip_eval_summary_line(&m, line, sizeof line);
    printf("%s\n", line);
    if (o->exact)
        printf("exact (int64 counts): aAcc: %.4f  mIoU: %.4f  mAcc: %.4f\n", 100 * m.exact_aAcc, 100 * m.exact_mIoU,
               100 * m.exact_mAcc);
    fflush(stdout);
    if (bad) fprintf(stderr, "sclip-eval: %d of %d images could not be read and are not scored (--skip-bad)\n", bad, done);
    if (done < st->n_images)
        fprintf(stderr, "sclip-eval: %d of the list's %d images scored%s: merge the shards' states for the benchmark's numbers\n",
                t.n_images, st->n_images, st->shard ? " (one shard)" : "");
    return !o->json || write_json(o->json, st->identity, st, &m, &t, names, d, o, tm);
}

/* ---- one image --------------------------------------------------------------------------------- */
typedef struct runner {
    const options *o;
    const dataset *d;
    sclip_context *ctx;
    const sclip_vocab *vocab;
    sclip_seg_desc desc;
    timing *tm;
    uint32_t counts[3 * SCLIP_EVAL_MAX_CLASSES];
} runner;

/* The prediction of image i: segmented (into *res), or read from --pred-dir (into *pred, malloc'ed).
   1, 0 (skip: note set) or -1 (stop: note set). */
static int predict(runner *r, int i, sclip_image *img, sclip_seg_result *res, uint16_t **pred, int *pw, int *ph, char *note,
                   size_t cap) {
    const sclip_eval_item *it = &r->d->list.items[i];
    char err[512];
    double t0 = now();
    if (r->o->model || r->o->save_overlay) {
        if (sclip_image_load(it->img, img, err, sizeof err) != SCLIP_IMAGE_OK) {
            snprintf(note, cap, "%s: %s", it->img, err);
            return r->o->skip_bad ? 0 : -1;
        }
    }
    r->tm->decode += now() - t0;
    if (r->o->model) {
        t0 = now();
        if (sclip_segment(r->ctx, r->vocab, img->pixels, img->w, img->h, (size_t)img->w * 3, &r->desc, res) != SCLIP_OK) {
            snprintf(note, cap, "%s: %s", it->img, sclip_context_error(r->ctx));
            return -1;
        }
        r->tm->segment += now() - t0;
        *pw = res->width;
        *ph = res->height;
    } else {
        char name[1024], *path;
        sclip_image p;
        size_t k, n;
        sclip_eval_pred_name(it->img, name, sizeof name);
        path = sclip_eval_join(r->o->pred_dir, name);
        t0 = now();
        if (!path || sclip_image_load_label(path, &p, err, sizeof err) != SCLIP_IMAGE_OK) {
            snprintf(note, cap, "prediction %s: %s", path ? path : name, err);
            free(path);
            return -1;
        }
        free(path);
        n = (size_t)p.w * p.h;
        *pred = (uint16_t *)malloc(n * sizeof **pred);
        if (!*pred) {
            sclip_image_free(&p);
            snprintf(note, cap, "out of memory");
            return -1;
        }
        for (k = 0; k < n; k++) { /* values moved outside 0..65535 count nowhere */
            int v = (int)p.pixels[k] + r->o->pred_offset;
            (*pred)[k] = (uint16_t)(v < 0 ? 65535 : v);
        }
        *pw = p.w;
        *ph = p.h;
        sclip_image_free(&p);
        r->tm->label += now() - t0;
    }
    return 1;
}

static int save_outputs(runner *r, int i, const sclip_image *img, const uint16_t *pred, int pw, int ph, char *note,
                        size_t cap) {
    const sclip_eval_item *it = &r->d->list.items[i];
    char name[1024], err[512], *path = NULL;
    size_t k, n = (size_t)pw * ph;
    unsigned char *u8 = (unsigned char *)malloc(n ? n : 1);
    int ok = u8 != NULL;
    sclip_eval_pred_name(it->img, name, sizeof name);
    for (k = 0; ok && k < n; k++) u8[k] = (unsigned char)pred[k];
    if (ok && r->o->save_pred) {
        path = sclip_eval_join(r->o->save_pred, name);
        if (!path || sclip_image_write_png(path, pw, ph, 1, u8, (size_t)pw, err, sizeof err) != SCLIP_IMAGE_OK) {
            snprintf(note, cap, "cannot write %s: %s", path ? path : name, err);
            ok = 0;
        }
        free(path);
    }
    if (ok && r->o->save_overlay && img->pixels && img->w == pw && img->h == ph) {
        unsigned char *ov = NULL;
        int ow, oh;
        path = sclip_eval_join(r->o->save_overlay, name);
        if (!path ||
            sclip_overlay_draw(img->pixels, img->w, img->h, (size_t)img->w * 3, pred, r->d->n_classes, r->d->names, 0.5f,
                               &ov, &ow, &oh) != SCLIP_OVERLAY_OK ||
            sclip_image_write_png(path, ow, oh, 3, ov, (size_t)ow * 3, err, sizeof err) != SCLIP_IMAGE_OK) {
            snprintf(note, cap, "cannot write the overlay %s", path ? path : name);
            ok = 0;
        }
        sclip_overlay_free(ov);
        free(path);
    }
    free(u8);
    return ok;
}

/* Scores image i into r->counts. 1 scored, 0 skipped (note), -1 stop (note). */
static int score_image(runner *r, int i, char *note, size_t cap) {
    const sclip_eval_item *it = &r->d->list.items[i];
    sclip_image img, lab;
    sclip_seg_result res;
    uint16_t *own = NULL;
    const uint16_t *pred;
    char err[512];
    int pw = 0, ph = 0, rc;
    double t0;
    memset(&img, 0, sizeof img);
    memset(&lab, 0, sizeof lab);
    memset(&res, 0, sizeof res);
    t0 = now();
    if (sclip_image_load_label(it->seg, &lab, err, sizeof err) != SCLIP_IMAGE_OK) { /* before the segmentation's work */
        snprintf(note, cap, "label %s: %s", it->seg, err);
        return -1;
    }
    r->tm->label += now() - t0;
    rc = predict(r, i, &img, &res, &own, &pw, &ph, note, cap);
    pred = own ? own : res.labels;
    if (rc == 1) {
        size_t k, n;
        t0 = now();
        if (!sclip_eval_same_shape(lab.w, lab.h, pw, ph)) {
            snprintf(note, cap, "label %s is %dx%d but the prediction of %s is %dx%d", it->seg, lab.w, lab.h, it->img, pw, ph);
            rc = -1;
        } else {
            n = (size_t)lab.w * lab.h;
            for (k = 0; k < n; k++) lab.pixels[k] = r->d->map[lab.pixels[k]];
            memset(r->counts, 0, sizeof(uint32_t) * 3 * (size_t)r->d->n_classes);
            sclip_eval_count(pred, lab.pixels, n, r->d->n_classes, r->o->ignore_index, r->counts);
        }
        r->tm->label += now() - t0;
        t0 = now();
        if (rc == 1 && (r->o->save_pred || r->o->save_overlay) && !save_outputs(r, i, &img, pred, pw, ph, note, cap)) rc = -1;
        r->tm->outputs += now() - t0;
    }
    free(own);
    sclip_seg_result_free(&res);
    sclip_image_free(&img);
    sclip_image_free(&lab);
    return rc;
}

/* Every file the run will read exists, checked before the model loads: a label missing at
   image 900 should not cost the first 899 images' time. 1, or 0 with a message. */
static int precheck(const options *o, const dataset *d, const sclip_eval_state *st) {
    static const char *const kind[3] = {"label", "image", "prediction"};
    struct stat sb;
    int i, missing = 0;
    char first[4200] = "";
    for (i = o->shard_k; i < d->list.n; i += o->shard_n) {
        const sclip_eval_item *it = &d->list.items[i];
        const char *need[3];
        char name[1024], *pred = NULL;
        int k;
        if (st->rec[i].status) continue;
        need[0] = it->seg;
        need[1] = o->model || o->save_overlay ? it->img : NULL;
        need[2] = NULL;
        if (o->pred_dir) {
            sclip_eval_pred_name(it->img, name, sizeof name);
            need[2] = pred = sclip_eval_join(o->pred_dir, name);
        }
        for (k = 0; k < 3; k++)
            if (need[k] && stat(need[k], &sb) != 0) {
                if (!missing++) snprintf(first, sizeof first, "%s %s: %s", kind[k], need[k], strerror(errno));
                break;
            }
        free(pred);
    }
    if (missing)
        cli_error("%s (%d image%s of the list lack%s a file; nothing was scored)", first, missing, missing > 1 ? "s" : "",
                  missing > 1 ? "" : "s");
    return !missing;
}

/* ---- progress ----------------------------------------------------------------------------------- */
static void show_progress(const options *o, const sclip_eval_state *st, int done, int total, double t0, int last) {
    sclip_eval_totals t;
    sclip_eval_metrics m;
    double el = now() - t0, rate = done / (el > 0 ? el : 1e-9), eta = rate > 0 ? (total - done) / rate : 0;
    int tty = isatty(2);
    if (o->quiet || (!tty && !o->progress)) return;
    sclip_eval_totals_init(&t, st->n_classes);
    sclip_eval_state_totals(st, &t);
    sclip_eval_compute(&t, &m);
    fprintf(stderr, "%s[%d/%d] %.2f images/s  ETA %dm%02ds  mIoU %.2f%s", tty ? "\r" : "", done, total, rate, (int)eta / 60,
            (int)eta % 60, 100.0 * m.mIoU, tty && !last ? "   " : "\n");
    fflush(stderr);
}

/* ---- the two modes ------------------------------------------------------------------------------- */
static int run_merge(const options *o) {
    sclip_eval_state all, s;
    char err[1024], diff[600];
    int f, i, rc = 1, *owner = NULL;
    const char **names = NULL;
    timing tm;
    memset(&tm, 0, sizeof tm);
    tm.start = now();
    memset(&all, 0, sizeof all);
    for (f = 0; f < o->n_pos; f++) {
        if (sclip_eval_state_load(&s, o->pos[f], err, sizeof err) != SCLIP_EVAL_OK) {
            cli_error("%s", err);
            goto done;
        }
        if (!f && (sclip_eval_state_init(&all, s.n_images, s.n_classes, s.identity, NULL) != SCLIP_EVAL_OK ||
                   !(owner = (int *)calloc((size_t)s.n_images, sizeof *owner)))) {
            cli_error("out of memory");
            sclip_eval_state_free(&s);
            goto done;
        }
        if (f && (s.n_images != all.n_images || s.n_classes != all.n_classes || strcmp(s.identity, all.identity))) {
            first_difference(s.identity, all.identity, diff, sizeof diff);
            cli_error("%s was made with other settings than %s: %s", o->pos[f], o->pos[0], diff);
            sclip_eval_state_free(&s);
            goto done;
        }
        for (i = 0; i < s.n_images; i++) {
            if (!s.rec[i].status) continue;
            if (all.rec[i].status) {
                cli_error("image %d of the list is in both %s and %s (overlapping shards)", i, o->pos[owner[i]], o->pos[f]);
                sclip_eval_state_free(&s);
                goto done;
            }
            all.rec[i] = s.rec[i]; /* moved */
            owner[i] = f;
            memset(&s.rec[i], 0, sizeof s.rec[i]);
        }
        sclip_eval_state_free(&s);
    }
    {
        int missing = 0;
        char which[160] = "";
        for (i = 0; i < all.n_images; i++)
            if (!all.rec[i].status && missing++ < 10)
                snprintf(which + strlen(which), sizeof which - strlen(which), "%s%d", missing > 1 ? ", " : "", i);
        if (missing) {
            cli_error("%d of the list's %d images are in none of the state files: list positions %s%s (a shard missing or "
                      "unfinished?)",
                      missing, all.n_images, which, missing > 10 ? ", ..." : "");
            goto done;
        }
    }
    names = (const char **)calloc((size_t)all.n_classes + 1, sizeof *names);
    if (!names) goto done;
    {
        const char *p = all.identity;
        int c = 0;
        while (*p && c < all.n_classes) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (!strncmp(p, "class ", 6)) {
                char *name = (char *)malloc(n - 5);
                if (!name) goto done;
                memcpy(name, p + 6, n - 6);
                name[n - 6] = 0;
                names[c++] = name;
            }
            p += n + (e != NULL);
        }
        while (c < all.n_classes) names[c++] = strdup("?");
    }
    rc = report(o, &all, names, NULL, &tm) ? 0 : 1;
done:
    if (names)
        for (i = 0; i < all.n_classes; i++) free((void *)names[i]);
    free((void *)names);
    free(owner);
    sclip_eval_state_free(&all);
    return rc;
}

static int run(const options *o) {
    dataset d;
    sclip_seg_desc desc;
    sclip_precision prec = SCLIP_PRECISION_F32;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_vocab *vocab = NULL;
    sclip_eval_state st;
    char *identity = NULL, err[1024], note[2048];
    int rc = 1, i, todo = 0, done_now = 0, have_state = 0;
    timing tm;
    runner r;
    double t0;
    memset(&tm, 0, sizeof tm);
    memset(&st, 0, sizeof st);
    tm.start = now();
    /* 1. every argument and output before any work */
    if (!load_dataset(o, &d)) goto done0;
    tm.list = now() - tm.start;
    if (o->list_classes) {
        fwrite(d.vocab_text, 1, d.vocab_len, stdout);
        if (d.vocab_len && d.vocab_text[d.vocab_len - 1] != '\n') putchar('\n');
        rc = 0;
        goto done0;
    }
    if (o->model && !o->vocab && count_lines(d.vocab_text, d.vocab_len) != d.n_classes) {
        cli_error("%s has %d classes, %s has %d", o->classes ? o->classes : "the vocabulary",
                  count_lines(d.vocab_text, d.vocab_len), d.key, d.n_classes);
        goto done0;
    }
    if (!cli_seg_settings(&o->seg, d.ds && !o->seg.preset ? d.ds->preset : NULL, &desc, &prec)) {
        rc = 2;
        goto done0;
    }
    if ((o->save_pred && !cli_make_dir(o->save_pred)) || (o->save_overlay && !cli_make_dir(o->save_overlay)) ||
        (o->json && !cli_check_output(o->json)) || (o->state && !cli_check_output(o->state)) ||
        (o->pred_dir && !is_dir(o->pred_dir) && (cli_error("prediction folder %s does not exist", o->pred_dir), 1)))
        goto done0;
    if (o->save_pred && d.n_classes > 256) {
        cli_error("--save-pred writes 8-bit PNGs: at most 256 classes");
        goto done0;
    }
    if (!(identity = make_identity(o, &d, &desc, prec))) goto done0;
    if (o->state) {
        FILE *f = fopen(o->state, "rb");
        if (f) {
            fclose(f);
            if (sclip_eval_state_load(&st, o->state, err, sizeof err) != SCLIP_EVAL_OK) {
                cli_error("%s (delete it to start again)", err);
                goto done0;
            }
            have_state = 1;
            if (st.n_images != d.list.n || st.n_classes != d.n_classes || strcmp(st.identity, identity)) {
                char diff[600];
                first_difference(st.identity, identity, diff, sizeof diff);
                cli_error("%s was made by a run with other settings or another image list: %s", o->state, diff);
                goto done0;
            }
            {
                char shard[64];
                snprintf(shard, sizeof shard, "%d/%d", o->shard_k, o->shard_n);
                if (strcmp(st.shard ? st.shard : "0/1", shard)) {
                    cli_error("%s belongs to shard %s, not %s", o->state, st.shard ? st.shard : "0/1", shard);
                    goto done0;
                }
            }
        }
    }
    if (!have_state) {
        char shard[64];
        snprintf(shard, sizeof shard, "%d/%d", o->shard_k, o->shard_n);
        if (sclip_eval_state_init(&st, d.list.n, d.n_classes, identity, shard) != SCLIP_EVAL_OK) {
            cli_error("out of memory");
            goto done0;
        }
    }
    for (i = o->shard_k; i < d.list.n; i += o->shard_n) todo += st.rec[i].status == 0;
    if (!precheck(o, &d, &st)) goto done0;
    /* 2. the model and the vocabulary */
    if (o->model && todo) {
        sclip_model_desc md;
        sclip_context_desc cd;
        t0 = now();
        memset(&md, 0, sizeof md);
        md.precision = prec;
        md.towers = o->vocab ? SCLIP_TOWERS_VISION : SCLIP_TOWERS_BOTH;
        if (sclip_model_load(o->model, &md, &model, err, sizeof err) != SCLIP_OK) {
            cli_error("%s", err);
            goto done0;
        }
        if (!cli_check_attn(&desc.attn, model)) goto done0;
        memset(&cd, 0, sizeof cd);
        cd.n_threads = o->threads;
        if (sclip_context_create(model, &cd, &ctx) != SCLIP_OK) {
            cli_error("cannot create a context");
            goto done0;
        }
        tm.model = now() - t0;
        t0 = now();
        if (!(vocab = cli_make_vocab(ctx, model, o->vocab, d.vocab_text, d.vocab_len, o->templates, NULL))) goto done0;
        if (sclip_vocab_num_classes(vocab) != d.n_classes) {
            cli_error("the vocabulary has %d classes, %s has %d", sclip_vocab_num_classes(vocab), d.key, d.n_classes);
            goto done0;
        }
        tm.vocab = now() - t0;
        desc.no_probs = 1;
    }
    /* 3. the images of this shard, in list order */
    memset(&r, 0, sizeof r);
    r.o = o;
    r.d = &d;
    r.ctx = ctx;
    r.vocab = vocab;
    r.desc = desc;
    r.tm = &tm;
    t0 = now();
    for (i = o->shard_k; i < d.list.n; i += o->shard_n) {
        int k;
        double ts;
        if (st.rec[i].status) continue;
        note[0] = 0;
        k = score_image(&r, i, note, sizeof note);
        if (k < 0) {
            cli_error("%s", note);
            goto done0;
        }
        if (k == 0) fprintf(stderr, "%ssclip-eval: skipped: %s\n", isatty(2) && !o->quiet ? "\n" : "", note);
        if (sclip_eval_state_set(&st, i, k ? r.counts : NULL, note) != SCLIP_EVAL_OK) {
            cli_error("out of memory");
            goto done0;
        }
        ts = now();
        if (o->state && sclip_eval_state_save(&st, o->state, err, sizeof err) != SCLIP_EVAL_OK) {
            cli_error("%s", err);
            goto done0;
        }
        tm.state += now() - ts;
        done_now++;
        tm.done = done_now;
        show_progress(o, &st, done_now, todo, t0, done_now == todo);
    }
    tm.images = now() - t0;
    rc = report(o, &st, d.names, &d, &tm) ? 0 : 1;
done0:
    free(identity);
    sclip_eval_state_free(&st);
    sclip_vocab_free(vocab);
    sclip_context_free(ctx);
    sclip_model_free(model);
    free_dataset(&d);
    return rc;
}

int main(int argc, char **argv) {
    options *o = (options *)calloc(1, sizeof *o);
    int rc;
    cli__prog = "sclip-eval";
    if (!o) return 1;
    rc = parse_args(argc, argv, o);
    if (rc) rc = rc == 1 ? 0 : 2;
    else rc = o->merge ? run_merge(o) : run(o);
    free(o);
    return rc;
}
