/* sclip-seg: open-vocabulary semantic segmentation of one image.

     sclip-seg -m weights/ViT-B-16.sclip --classes "cat; sofa, couch; sky" photo.jpg -o labels.png \
               --overlay overlay.png

   Classes come from a class file (-c, one class per line, synonyms separated by ", ", as the
   official SCLIP reads them), from the command line (--classes, ';' between classes, ','
   between synonyms) or from a vocabulary cache (--vocab, made with --save-vocab). See --help. */
#define _POSIX_C_SOURCE 200809L /* isatty */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *usage_text =
    "usage: sclip-seg -m MODEL.sclip (-c CLASSES.txt | --classes LIST | --vocab FILE.vocab) [options] IMAGE\n"
    "\n"
    "Segments IMAGE (PNG, JPEG, PPM/PGM) into the given classes with CLIP + SCLIP.\n"
    "\n"
    "classes:\n"
    "  -c, --class-file FILE   one class per line, synonyms separated by \", \" (the official format)\n"
    "  --classes LIST          classes separated by ';', synonyms by ',': \"cat; sofa, couch; sky\"\n"
    "  --vocab FILE            a vocabulary cache written by --save-vocab (no text encoding)\n"
    "  --templates FILE        prompt templates, one per line with {} for the name (default: CLIP's 80)\n"
    "  --save-vocab FILE       write the encoded vocabulary for later --vocab runs\n"
    "settings (defaults: the official SCLIP configuration):\n"
    "  --preset NAME           voc21, voc20, context60, context59, coco-object, coco-stuff,\n"
    "                          coco-stuff10k, cityscapes, ade20k: the benchmark's short side, logit\n"
    "                          scale and thresholds (explicit options below override it)\n"
    "  --short-side N          resize so the short side is N, long side at most 2048 (336; 0 = keep)\n"
    "  --crop N                sliding window size (224; 0 = the whole image at once)\n"
    "  --stride N              window stride (112)\n"
    "  --logit-scale X         scale of the cosine logits before the softmax (40)\n"
    "  --prob-thd X            pixels whose best probability is below X become class 0 (0 = off)\n"
    "  --area-thd X            drop foreground classes with at most X of the foreground (0 = off)\n"
    "  --attn NAME             last block: sclip (CSA, default), vanilla, maskclip, clearclip, naclip\n"
    "  --pamr STEPS            PAMR refinement steps, dilations 8 and 16 (0 = off)\n"
    "  --threads N             worker threads (default: all cores)\n"
    "  --precision P           f32 (default, the official results), q16 (12-bit integer products,\n"
    "                          1.5-2x faster with AVX-512 VNNI or AVX-VNNI, 99.9% of labels as f32),\n"
    "                          q8 (int8 products, about 2.5x faster, ~99% of labels) or bf16 (half\n"
    "                          the memory)\n"
    "outputs:\n"
    "  -o FILE.png             label map, 8-bit class indices (at most 256 classes)\n"
    "  --overlay FILE.png      the image blended with a colour per class, with a legend\n"
    "  --logits FILE.npy       float32 classes x H x W probabilities (the official seg_logits)\n"
    "  --pred FILE.npy         uint8 H x W labels (uint16 above 256 classes)\n"
    "  -q, --quiet             no progress on stderr, no summary on stdout\n"
    "  -h, --help              this text\n";

typedef struct options {
    const char *model, *class_file, *classes, *vocab, *templates, *save_vocab, *preset, *image;
    const char *out_png, *overlay, *logits, *pred;
    const char *short_side, *crop, *stride, *logit_scale, *prob_thd, *area_thd, *attn, *pamr, *precision;
    int threads, quiet;
} options;

static int bad(const char *fmt, const char *arg) {
    fprintf(stderr, "sclip-seg: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 2;
}

/* Parses argv into o; returns 0, 1 (help printed) or 2 (error printed). */
static int parse_args(int argc, char **argv, options *o) {
    static const char *names[] = {"-m", "--model", "-c", "--class-file", "--classes", "--vocab", "--templates",
                                  "--save-vocab", "--preset", "-o", "--overlay", "--logits", "--pred", "--short-side",
                                  "--crop", "--stride", "--logit-scale", "--prob-thd", "--area-thd", "--attn", "--pamr",
                                  "--precision", "--threads"};
    const char **slots[23];
    int i, k;
    memset(o, 0, sizeof *o);
    slots[0] = slots[1] = &o->model;
    slots[2] = slots[3] = &o->class_file;
    slots[4] = &o->classes;
    slots[5] = &o->vocab;
    slots[6] = &o->templates;
    slots[7] = &o->save_vocab;
    slots[8] = &o->preset;
    slots[9] = &o->out_png;
    slots[10] = &o->overlay;
    slots[11] = &o->logits;
    slots[12] = &o->pred;
    slots[13] = &o->short_side;
    slots[14] = &o->crop;
    slots[15] = &o->stride;
    slots[16] = &o->logit_scale;
    slots[17] = &o->prob_thd;
    slots[18] = &o->area_thd;
    slots[19] = &o->attn;
    slots[20] = &o->pamr;
    slots[21] = &o->precision;
    slots[22] = NULL; /* --threads */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
            continue;
        }
        for (k = 0; k < 23 && strcmp(a, names[k]); k++) {}
        if (k == 23) {
            if (a[0] == '-' && a[1]) return bad("unknown option '%s' (see --help)", a);
            if (o->image) return bad("more than one image given ('%s')", a);
            o->image = a;
            continue;
        }
        if (i + 1 >= argc) return bad("%s needs a value", a);
        if (slots[k]) *slots[k] = argv[++i];
        else {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 256) return bad("--threads must be an integer 1..256, not '%s'", argv[i]);
            o->threads = (int)t;
        }
    }
    if (!o->model) return bad("%s", "no model: give -m MODEL.sclip (see weights/README.md)");
    if (!o->image) return bad("%s", "no image given");
    if (!!o->class_file + !!o->classes + !!o->vocab != 1) return bad("%s", "give exactly one of -c, --classes, --vocab");
    return 0;
}

static int parse_int(const char *s, const char *name, int lo, int hi, int *out) {
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "sclip-seg: %s must be an integer in [%d, %d], not '%s'\n", name, lo, hi, s);
        return 0;
    }
    *out = (int)v;
    return 1;
}

static int parse_float(const char *s, const char *name, double lo, double hi, float *out) {
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s || !(v >= lo && v <= hi)) {
        fprintf(stderr, "sclip-seg: %s must be a number in [%g, %g], not '%s'\n", name, lo, hi, s);
        return 0;
    }
    *out = (float)v;
    return 1;
}

/* Preset first, then every explicit setting over it. */
static int settings(const options *o, sclip_seg_desc *d) {
    int v;
    memset(d, 0, sizeof *d);
    if (o->preset && sclip_seg_preset(o->preset, d, NULL) != SCLIP_OK) {
        const char *const *n = sclip_seg_preset_names();
        fprintf(stderr, "sclip-seg: unknown preset '%s'; presets:", o->preset);
        while (*n) fprintf(stderr, " %s", *n++);
        fprintf(stderr, "\n");
        return 0;
    }
    if (o->short_side) {
        if (!parse_int(o->short_side, "--short-side", 0, SCLIP_MAX_IMAGE_SIDE, &v)) return 0;
        d->short_side = v ? v : SCLIP_SEG_KEEP;
    }
    if (o->crop) {
        if (!parse_int(o->crop, "--crop", 0, SCLIP_MAX_IMAGE_SIDE, &v)) return 0;
        d->crop = v ? v : SCLIP_SEG_WHOLE;
    }
    if (o->stride && !parse_int(o->stride, "--stride", 1, SCLIP_MAX_IMAGE_SIDE, &d->stride)) return 0;
    if (o->pamr && !parse_int(o->pamr, "--pamr", 0, 1000, &d->pamr_steps)) return 0;
    if (o->logit_scale && !parse_float(o->logit_scale, "--logit-scale", 1e-3, 1e4, &d->logit_scale)) return 0;
    if (o->prob_thd && !parse_float(o->prob_thd, "--prob-thd", 0, 1, &d->prob_thd)) return 0;
    if (o->area_thd && !parse_float(o->area_thd, "--area-thd", 0, 1, &d->area_thd)) return 0;
    if (o->attn) {
        int a = sclip_attn_parse(o->attn);
        if (a < 0) {
            fprintf(stderr, "sclip-seg: unknown --attn '%s' (sclip, vanilla, maskclip, clearclip, naclip)\n", o->attn);
            return 0;
        }
        d->attn = (sclip_attn)a;
    }
    return 1;
}

/* Reads a whole file (NUL-terminated); NULL with a message on failure. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1L << 28) && fseek(f, 0, SEEK_SET) == 0) {
        buf = (char *)malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = 0;
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    if (f) fclose(f);
    if (!buf) fprintf(stderr, "sclip-seg: cannot read %s\n", path);
    return buf;
}

/* "cat; sofa, couch; sky" -> "cat\nsofa, couch\nsky": classes split on ';', synonyms on ',',
   each name trimmed. Empty classes or names are errors. */
static char *classes_from_list(const char *list, size_t *len) {
    size_t n = strlen(list), o = 0, i = 0;
    char *out = (char *)malloc(2 * n + 2);
    int cls = 0;
    if (!out) return NULL;
    while (i <= n) {
        size_t e = i, s, names = 0;
        while (e < n && list[e] != ';') e++;
        for (s = i; s <= e;) { /* synonyms of this class */
            size_t t = s, a, b;
            while (t < e && list[t] != ',') t++;
            for (a = s; a < t && isspace((unsigned char)list[a]); a++) {}
            for (b = t; b > a && isspace((unsigned char)list[b - 1]); b--) {}
            if (a == b) {
                fprintf(stderr, "sclip-seg: --classes: class %d has an empty name\n", cls + 1);
                free(out);
                return NULL;
            }
            if (names++) out[o++] = ',', out[o++] = ' ';
            memcpy(out + o, list + a, b - a);
            o += b - a;
            s = t + 1;
        }
        out[o++] = '\n';
        cls++;
        i = e + 1;
    }
    out[o] = 0;
    *len = o;
    return out;
}

/* Template file: one template per line (blank lines skipped). */
static char **read_templates(const char *path, int *n) {
    size_t len, i;
    char *text = read_file(path, &len), **t;
    int k = 0;
    if (!text) return NULL;
    t = (char **)calloc(len / 2 + 2, sizeof(char *));
    for (i = 0; t && i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        if (e > i) {
            t[k] = (char *)malloc(e - i + 1);
            memcpy(t[k], text + i, e - i);
            t[k++][e - i] = 0;
        }
        i = e + 1;
    }
    free(text);
    *n = k;
    return t;
}

/* One line per stage on stderr, updated in place on a terminal. */
static void progress(void *user, const char *stage, int done, int total) {
    const char *what = !strcmp(stage, "text") ? "encoding prompts" : "windows";
    (void)user;
    if (isatty(2)) fprintf(stderr, "\r%s %d/%d%s", what, done, total, done == total ? "\n" : "");
    else if (done == total) fprintf(stderr, "%s %d/%d\n", what, done, total);
    fflush(stderr);
}

/* The vocabulary from -c, --classes or --vocab; saved when --save-vocab is given. */
static sclip_vocab *get_vocab(const options *o, sclip_context *ctx, const sclip_model *model) {
    sclip_vocab *v = NULL;
    char err[512], *text = NULL, **templates = NULL;
    size_t len = 0;
    int n_templates = 0, i;
    sclip_result r;
    if (o->vocab) {
        if ((r = sclip_vocab_load(o->vocab, model, &v, err, sizeof err)) != SCLIP_OK) fprintf(stderr, "sclip-seg: %s\n", err);
        return v;
    }
    text = o->class_file ? read_file(o->class_file, &len) : classes_from_list(o->classes, &len);
    if (!text) return NULL;
    if (o->templates && !(templates = read_templates(o->templates, &n_templates))) {
        free(text);
        return NULL;
    }
    if (o->templates && !n_templates) fprintf(stderr, "sclip-seg: %s holds no template\n", o->templates);
    else if ((r = sclip_vocab_create(ctx, text, len, (const char *const *)templates, n_templates, &v)) != SCLIP_OK)
        fprintf(stderr, "sclip-seg: %s\n", sclip_context_error(ctx));
    for (i = 0; i < n_templates; i++) free(templates[i]);
    free(templates);
    free(text);
    if (v && o->save_vocab && sclip_vocab_save(v, o->save_vocab) != SCLIP_OK) {
        fprintf(stderr, "sclip-seg: cannot write %s\n", o->save_vocab);
        sclip_vocab_free(v);
        v = NULL;
    }
    return v;
}

/* Writes the outputs that were asked for; returns 0 or 1. */
static int write_outputs(const options *o, const sclip_image *img, const sclip_vocab *v, const sclip_seg_result *res) {
    size_t n = (size_t)res->width * res->height, i, shape[3];
    unsigned char *u8 = (unsigned char *)malloc(n ? n : 1);
    char err[256];
    int rc = 0, wide = res->n_classes > 256;
    for (i = 0; i < n; i++) u8[i] = (unsigned char)res->labels[i];
    shape[0] = (size_t)res->n_classes;
    shape[1] = (size_t)res->height;
    shape[2] = (size_t)res->width;
    if (o->out_png && wide) rc = bad("%s", "-o writes 8-bit labels: more than 256 classes; use --pred");
    else if (o->out_png && !sclip_image_write_png(o->out_png, res->width, res->height, 1, u8, (size_t)res->width, err, sizeof err))
        rc = bad("%s", err);
    if (o->pred && !(wide ? sclip_npy_save(o->pred, SCLIP_NPY_U16, 2, shape + 1, res->labels)
                          : sclip_npy_save(o->pred, SCLIP_NPY_U8, 2, shape + 1, u8)))
        rc = bad("cannot write %s", o->pred);
    if (o->logits && !sclip_npy_save(o->logits, SCLIP_NPY_F32, 3, shape, res->probs)) rc = bad("cannot write %s", o->logits);
    if (o->overlay) {
        const char **names = (const char **)malloc((size_t)res->n_classes * sizeof(char *));
        unsigned char *ov = NULL;
        int ow, oh, c;
        for (c = 0; c < res->n_classes; c++) names[c] = sclip_vocab_class_name(v, c);
        if (!sclip_overlay_draw(img->pixels, img->w, img->h, (size_t)img->w * 3, res->labels, res->n_classes, names, 0.5f, &ov,
                                &ow, &oh))
            rc = bad("%s", "cannot draw the overlay");
        else if (!sclip_image_write_png(o->overlay, ow, oh, 3, ov, (size_t)ow * 3, err, sizeof err))
            rc = bad("%s", err);
        sclip_overlay_free(ov);
        free(names);
    }
    free(u8);
    return rc ? 1 : 0;
}

/* Share of the image taken by each class, largest first. */
static void summary(const sclip_vocab *v, const sclip_seg_result *res) {
    size_t n = (size_t)res->width * res->height, i;
    size_t *count = (size_t *)calloc((size_t)res->n_classes, sizeof(size_t));
    int c, shown = 0;
    for (i = 0; i < n; i++) count[res->labels[i]]++;
    printf("%dx%d, %d classes:\n", res->width, res->height, res->n_classes);
    while (shown < res->n_classes) {
        int best = -1;
        for (c = 0; c < res->n_classes; c++)
            if (count[c] && (best < 0 || count[c] > count[best])) best = c;
        if (best < 0) break;
        printf("  %5.1f%%  %3d  %s\n", 100.0 * (double)count[best] / (double)n, best, sclip_vocab_class_name(v, best));
        count[best] = 0;
        shown++;
    }
    free(count);
}

int main(int argc, char **argv) {
    options o;
    sclip_seg_desc desc;
    sclip_model_desc md;
    sclip_context_desc cd;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_vocab *vocab = NULL;
    sclip_image img;
    sclip_seg_result res;
    char err[512];
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    if (!settings(&o, &desc)) return 2;
    memset(&img, 0, sizeof img);
    memset(&res, 0, sizeof res);
    if (!sclip_image_load(o.image, &img, err, sizeof err)) {
        fprintf(stderr, "sclip-seg: %s: %s\n", o.image, err);
        return 1;
    }
    rc = 1;
    memset(&md, 0, sizeof md);
    md.towers = o.vocab ? SCLIP_TOWERS_VISION : SCLIP_TOWERS_BOTH;
    if (o.precision) {
        if (!strcmp(o.precision, "q8")) md.precision = SCLIP_PRECISION_Q8;
        else if (!strcmp(o.precision, "bf16")) md.precision = SCLIP_PRECISION_BF16;
        else if (!strcmp(o.precision, "q16")) md.precision = SCLIP_PRECISION_Q16;
        else if (strcmp(o.precision, "f32")) {
            fprintf(stderr, "sclip-seg: --precision must be f32, q16, q8 or bf16, not '%s'\n", o.precision);
            sclip_image_free(&img);
            return 2;
        }
    }
    if (sclip_model_load(o.model, &md, &model, err, sizeof err) != SCLIP_OK) {
        fprintf(stderr, "sclip-seg: %s\n", err);
        goto done;
    }
    memset(&cd, 0, sizeof cd);
    cd.n_threads = o.threads;
    if (!o.quiet) cd.progress = progress;
    if (sclip_context_create(model, &cd, &ctx) != SCLIP_OK) {
        fprintf(stderr, "sclip-seg: cannot create a context\n");
        goto done;
    }
    if (!(vocab = get_vocab(&o, ctx, model))) goto done;
    desc.no_probs = !o.logits;
    if (sclip_segment(ctx, vocab, img.pixels, img.w, img.h, (size_t)img.w * 3, &desc, &res) != SCLIP_OK) {
        fprintf(stderr, "sclip-seg: %s\n", sclip_context_error(ctx));
        goto done;
    }
    if (!o.quiet) summary(vocab, &res);
    rc = write_outputs(&o, &img, vocab, &res);
done:
    sclip_seg_result_free(&res);
    sclip_vocab_free(vocab);
    sclip_context_free(ctx);
    sclip_model_free(model);
    sclip_image_free(&img);
    return rc;
}
