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
#include "sclip_cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *usage_text =
    "usage: sclip-seg -m MODEL.sclip (-c CLASSES.txt | --classes LIST | --vocab FILE.vocab | --preset NAME) [options] IMAGE\n"
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
    "                          scale and thresholds (explicit options below override it), and its\n"
    "                          class list when no -c, --classes or --vocab is given\n"
    "  --short-side N          resize so the short side is N, long side at most 2048 (336; 0 = keep)\n"
    "  --crop N                sliding window size (224; 0 = the whole image at once)\n"
    "  --stride N              window stride (112)\n"
    "  --logit-scale X         scale of the cosine logits before the softmax (40)\n"
    "  --prob-thd X            pixels whose best probability is below X become class 0 (0 = off)\n"
    "  --area-thd X            drop foreground classes with at most X of the foreground (0 = off)\n"
    "  --attn NAME             last block: sclip (CSA, default), vanilla, maskclip, clearclip, naclip;\n"
    "                          the paper's ablations csa-q, csa-k, csa-id, csa-rand:N[:SEED], sharpen:T,\n"
    "                          local:W, early:B (sclip.h manual, section 5)\n"
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
    const char *model, *class_file, *classes, *vocab, *templates, *save_vocab, *image;
    const char *out_png, *overlay, *logits, *pred, *threads_text;
    cli_seg_opts seg;
    int threads, quiet;
} options;

static int bad(const char *fmt, const char *arg) {
    cli_error(fmt, arg);
    return 2;
}

/* Parses argv into o; returns 0, 1 (help printed) or 2 (error printed). */
static int parse_args(int argc, char **argv, options *o) {
    const cli_opt opts[] = {
        {"--model", "-m", &o->model, NULL}, {"--class-file", "-c", &o->class_file, NULL},
        {"--classes", NULL, &o->classes, NULL}, {"--vocab", NULL, &o->vocab, NULL},
        {"--templates", NULL, &o->templates, NULL}, {"--save-vocab", NULL, &o->save_vocab, NULL},
        {"-o", NULL, &o->out_png, NULL}, {"--overlay", NULL, &o->overlay, NULL}, {"--logits", NULL, &o->logits, NULL},
        {"--pred", NULL, &o->pred, NULL}, {"--threads", NULL, &o->threads_text, NULL},
        {"--quiet", "-q", NULL, &o->quiet}, CLI_SEG_OPTIONS(o->seg)};
    int rc, n_pos;
    memset(o, 0, sizeof *o);
    rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage_text, &o->image, 1, &n_pos);
    if (rc) return rc;
    if (o->threads_text && !cli_parse_int(o->threads_text, "--threads", 1, 256, &o->threads)) return 2;
    if (!o->model) return bad("%s", "no model: give -m MODEL.sclip (see weights/README.md)");
    if (!o->image) return bad("%s", "no image given");
    if (!!o->class_file + !!o->classes + !!o->vocab > 1) return bad("%s", "give exactly one of -c, --classes, --vocab");
    if (!o->class_file && !o->classes && !o->vocab && !o->seg.preset)
        return bad("%s", "no classes: give -c FILE, --classes LIST, --vocab FILE, or a --preset (its benchmark's classes)");
    return 0;
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
                fprintf(stderr, "%s: --classes: class %d has an empty name\n", cli__prog, cls + 1);
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
    sclip_vocab *v;
    char *text = NULL;
    size_t len = 0;
    if (!o->vocab && !o->class_file && !o->classes) { /* the preset's built-in vocabulary */
        len = sclip_seg_preset_classes(o->seg.preset, NULL, 0);
        if ((text = (char *)malloc(len + 1)) != NULL) sclip_seg_preset_classes(o->seg.preset, text, len + 1);
    } else if (!o->vocab && !(text = o->class_file ? cli_read_file(o->class_file, &len) : classes_from_list(o->classes, &len)))
        return NULL;
    v = cli_make_vocab(ctx, model, o->vocab, text, len, o->templates, o->save_vocab);
    free(text);
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
    int rc;
    cli__prog = "sclip-seg";
    rc = parse_args(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    memset(&md, 0, sizeof md);
    if (!cli_seg_settings(&o.seg, NULL, &desc, &md.precision)) return 2;
    memset(&img, 0, sizeof img);
    memset(&res, 0, sizeof res);
    if (!sclip_image_load(o.image, &img, err, sizeof err)) {
        fprintf(stderr, "sclip-seg: %s: %s\n", o.image, err);
        return 1;
    }
    rc = 1;
    md.towers = o.vocab ? SCLIP_TOWERS_VISION : SCLIP_TOWERS_BOTH;
    if (sclip_model_load(o.model, &md, &model, err, sizeof err) != SCLIP_OK) {
        fprintf(stderr, "sclip-seg: %s\n", err);
        goto done;
    }
    if (!cli_check_attn(&desc.attn, model)) goto done;
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
