/* sclip-bench: the speed figures of sclip, each the median of several runs.

     forward_224   one 224x224 vision forward (CSA last block, dense tokens out)
     voc_image     one 500x375 image end to end with the VOC21 settings (resize to 448x336, 6
                   windows, cosine logits against 56 cached names, upsampling, post-processing)
     voc21_text    encoding the VOC21 vocabulary: 56 names x 80 templates = 4480 prompts
     peak_rss_mb   peak resident memory while segmenting with a cached vocabulary (vision tower
                   only loaded), measured before the text benchmark
     methods       (only with --only methods) voc_image for sclip, scclip and resclip in turn, every
                   round the three, first with SCLIP's VOC21 settings for all (the same 6 windows),
                   then with each method's own voc21 config (ResCLIP: the whole image at once)

   sclip-bench -m MODEL.sclip [--threads N] [--runs N] [--json] [--only NAME] [--precision f32|q8|q16|bf16]
               [--attn NAME]   the forward's last block (sclip, vanilla, ..., csa-rand:N, local:W, early:B)
   The VOC21 class names are read from $SCLIP_SHARED/classnames/voc21.txt (default ../shared). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "sclip_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#define HAVE_RUSAGE 1
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double peak_rss_mb(void) {
#ifdef HAVE_RUSAGE
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_maxrss / 1024.0; /* kilobytes on Linux */
#else
    return -1;
#endif
}

static int json = 0;

static void report(const char *name, const char *what, double *t, int n) {
    int i;
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    if (json) {
        printf("{\"name\": \"%s\", \"median_s\": %.6f, \"runs\": [", name, t[n / 2]);
        for (i = 0; i < n; i++) printf("%s%.6f", i ? ", " : "", t[i]);
        printf("]}\n");
    } else
        printf("%-12s %-58s median %9.1f ms  (min %.1f, max %.1f, %d runs)\n", name, what, 1e3 * t[n / 2], 1e3 * t[0],
               1e3 * t[n - 1], n);
    fflush(stdout);
}

static unsigned rng = 12345;
static float frand(void) {
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 8) / 16777216.0f;
}

static sclip_attn_desc attn; /* --attn: the forward's last block (CSA by default) */

static int bench_forward(sclip_context *ctx, const sclip_arch *a, int runs) {
    int n = 3 * 224 * 224, i, tokens = (224 / a->patch_size) * (224 / a->patch_size) + 1;
    float *img = (float *)malloc((size_t)n * sizeof(float)), *out = (float *)malloc((size_t)tokens * a->embed_dim * sizeof(float));
    double *t = (double *)malloc((size_t)(runs + 1) * sizeof(double));
    for (i = 0; i < n; i++) img[i] = 4 * frand() - 2;
    for (i = 0; i <= runs; i++) { /* run 0 warms up */
        double t0 = now();
        if (sclip_encode_image_dense(ctx, img, 224, 224, &attn, out, NULL) != SCLIP_OK) {
            fprintf(stderr, "sclip-bench: %s\n", sclip_context_error(ctx));
            return 0;
        }
        if (i) t[i - 1] = now() - t0;
    }
    {
        char what[96], name[48];
        sclip_attn_desc_format(&attn, name, sizeof name);
        snprintf(what, sizeof what, "224x224 vision forward, %s, dense tokens", attn.kind == SCLIP_ATTN_SCLIP ? "CSA" : name);
        report("forward_224", what, t, runs);
    }
    free(img);
    free(out);
    free(t);
    return 1;
}

/* 21 classes, 56 names (VOC21's shape) with random unit embeddings: the image side only; the
   500x375 test image into *rgb_out. NULL (after a message) when the vocabulary fails. */
static sclip_vocab *voc_vocab(const sclip_model *m, unsigned char **rgb_out) {
    const sclip_arch *a = sclip_model_arch(m);
    int E = a->embed_dim, q, i, names = 56;
    char classes[1024], err[256];
    size_t len = 0;
    float *f = (float *)malloc((size_t)names * E * sizeof(float));
    unsigned char *rgb = (unsigned char *)malloc(500 * 375 * 3);
    sclip_vocab *v = NULL;
    for (q = 0; q < 21; q++) /* class 0 has 26 names, the others 1 or more: 56 in all */
        for (i = 0; i < (q == 0 ? 26 : q == 15 ? 7 : q == 20 ? 5 : 1) && len < sizeof classes - 16; i++)
            len += (size_t)snprintf(classes + len, sizeof classes - len, "%sname%d_%d", i ? ", " : (q ? "\n" : ""), q, i);
    for (i = 0; i < names * E; i++) f[i] = frand() - 0.5f;
    for (q = 0; q < names; q++) { /* unit length */
        double s = 0;
        for (i = 0; i < E; i++) s += (double)f[q * E + i] * f[q * E + i];
        for (i = 0; i < E; i++) f[q * E + i] /= (float)sqrt(s);
    }
    for (i = 0; i < 500 * 375 * 3; i++) rgb[i] = (unsigned char)(i % 500 + (i / 1500) % 200);
    if (sclip_vocab_from_features(m, classes, len, f, names, &v, err, sizeof err) != SCLIP_OK) {
        fprintf(stderr, "sclip-bench: %s\n", err);
        free(rgb), rgb = NULL;
    }
    free(f);
    *rgb_out = rgb;
    return v;
}

/* The three methods on the VOC image, in turn every round (so that a slow moment of the machine
   hits all of them): SCLIP's VOC21 settings for all, then each method's own voc21 config. */
static int bench_methods(sclip_context *ctx, const sclip_model *m, int runs) {
    static const char *const names[3] = {"sclip", "scclip", "resclip"};
    unsigned char *rgb = NULL;
    sclip_vocab *v = voc_vocab(m, &rgb);
    double *t, med[6];
    int i, k, own;
    if (!v) return 0;
    t = (double *)malloc((size_t)6 * (runs + 1) * sizeof(double));
    for (i = 0; i <= runs; i++)
        for (own = 0; own < 2; own++)
            for (k = 0; k < 3; k++) {
                sclip_seg_desc d;
                sclip_seg_result res;
                double t0;
                memset(&d, 0, sizeof d);
                if (own) sclip_seg_preset_method("voc21", (sclip_method)k, &d, NULL);
                else sclip_seg_preset("voc21", &d, NULL), d.method.kind = (sclip_method)k;
                d.no_probs = 1;
                t0 = now();
                if (sclip_segment(ctx, v, rgb, 500, 375, 1500, &d, &res) != SCLIP_OK) {
                    fprintf(stderr, "sclip-bench: %s: %s\n", names[k], sclip_context_error(ctx));
                    return 0;
                }
                if (i) t[(size_t)(own * 3 + k) * runs + i - 1] = now() - t0;
                sclip_seg_result_free(&res);
            }
    for (own = 0; own < 2; own++)
        for (k = 0; k < 3; k++) {
            char name[32], what[96];
            double *tk = t + (size_t)(own * 3 + k) * runs;
            snprintf(name, sizeof name, "%s%s", names[k], own ? "_own" : "");
            snprintf(what, sizeof what, "500x375 image, %s", own ? "the method's own voc21 config" : "SCLIP's VOC21 settings (6 windows)");
            report(name, what, tk, runs);
            med[own * 3 + k] = tk[runs / 2];
        }
    if (!json)
        printf("methods      per image vs sclip: scclip %.2fx, resclip %.2fx (same settings); own configs %.2fx, %.2fx\n",
               med[1] / med[0], med[2] / med[0], med[4] / med[0], med[5] / med[0]);
    sclip_vocab_free(v);
    free(rgb);
    free(t);
    return 1;
}

static int bench_voc_image(sclip_context *ctx, const sclip_model *m, int runs) {
    unsigned char *rgb = NULL;
    sclip_vocab *v = voc_vocab(m, &rgb);
    double *t;
    sclip_seg_desc d;
    sclip_seg_result res;
    int i;
    if (!v) return 0;
    t = (double *)malloc((size_t)(runs + 1) * sizeof(double));
    memset(&d, 0, sizeof d);
    sclip_seg_preset("voc21", &d, NULL);
    for (i = 0; i <= runs; i++) {
        double t0 = now();
        if (sclip_segment(ctx, v, rgb, 500, 375, 1500, &d, &res) != SCLIP_OK) {
            fprintf(stderr, "sclip-bench: %s\n", sclip_context_error(ctx));
            return 0;
        }
        if (i) t[i - 1] = now() - t0;
        sclip_seg_result_free(&res);
    }
    report("voc_image", "500x375 image, VOC21 settings, 6 windows, 56 cached names", t, runs);
    sclip_vocab_free(v);
    free(rgb);
    free(t);
    return 1;
}

static char *read_voc21(size_t *len) {
    const char *root = getenv("SCLIP_SHARED");
    char path[1024];
    FILE *f;
    char *buf = (char *)malloc(1 << 16);
    snprintf(path, sizeof path, "%s/classnames/voc21.txt", root && *root ? root : "../shared");
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sclip-bench: %s not found (set SCLIP_SHARED): voc21_text skipped\n", path);
        free(buf);
        return NULL;
    }
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static int bench_text(sclip_context *ctx, int runs) {
    size_t len;
    char *classes = read_voc21(&len);
    double *t = (double *)malloc((size_t)runs * sizeof(double));
    int i;
    if (!classes) return 1;
    for (i = 0; i < runs; i++) {
        sclip_vocab *v;
        double t0 = now();
        if (sclip_vocab_create(ctx, classes, len, NULL, 0, &v) != SCLIP_OK) {
            fprintf(stderr, "sclip-bench: %s\n", sclip_context_error(ctx));
            return 0;
        }
        t[i] = now() - t0;
        if (!json && !i) printf("voc21_text   %d names x 80 templates\n", sclip_vocab_num_queries(v));
        sclip_vocab_free(v);
    }
    report("voc21_text", "VOC21 vocabulary, 56 names x 80 templates", t, runs);
    free(t);
    free(classes);
    return 1;
}

static sclip_precision precision = SCLIP_PRECISION_F32;

static int load(const char *path, sclip_towers towers, int threads, sclip_model **m, sclip_context **c) {
    sclip_model_desc md;
    sclip_context_desc cd;
    char err[512];
    memset(&md, 0, sizeof md);
    md.towers = towers;
    md.precision = precision;
    memset(&cd, 0, sizeof cd);
    cd.n_threads = threads;
    if (sclip_model_load(path, &md, m, err, sizeof err) != SCLIP_OK) {
        fprintf(stderr, "sclip-bench: %s\n", err);
        return 0;
    }
    if (sclip_context_create(*m, &cd, c) != SCLIP_OK) {
        fprintf(stderr, "sclip-bench: cannot create a context\n");
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *only = NULL;
    int threads = 0, runs = 7, text_runs = 3, i, ok = 1;
    sclip_model *m = NULL;
    sclip_context *c = NULL;
    cli__prog = "sclip-bench";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--version")) {
            cli_version();
            return 0;
        }
        if (!strcmp(a, "--json")) json = 1;
        else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(a, "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--runs") && i + 1 < argc) runs = text_runs = atoi(argv[++i]);
        else if (!strcmp(a, "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(a, "--attn") && i + 1 < argc) {
            char err[256];
            if (sclip_attn_desc_parse(argv[++i], &attn, err, sizeof err) != SCLIP_OK) {
                fprintf(stderr, "sclip-bench: --attn: %s\n", err);
                return 2;
            }
        }
        else if (!strcmp(a, "--precision") && i + 1 < argc) {
            if (!cli_parse_precision(argv[++i], &precision)) return 2;
        }
        else {
            fprintf(stderr, "usage: sclip-bench -m MODEL.sclip [--threads N] [--runs N] [--json]\n"
                            "       [--only forward_224|voc_image|voc21_text|methods] [--precision f32|q8|q16|bf16]\n"
                            "       [--attn NAME]   (the forward's last block, default sclip)\n");
            return !strcmp(a, "-h") || !strcmp(a, "--help") ? 0 : 2;
        }
    }
    if (!model_path || runs < 1 || runs > 1000 || threads < 0 || threads > 256) {
        fprintf(stderr, "sclip-bench: give -m MODEL.sclip (and --runs 1..1000, --threads 0..256)\n");
        return 2;
    }
    if (!only || strcmp(only, "voc21_text")) {
        if (!load(model_path, SCLIP_TOWERS_VISION, threads, &m, &c)) return 1;
        if (!only || !strcmp(only, "forward_224")) ok = ok && bench_forward(c, sclip_model_arch(m), runs);
        if (!only || !strcmp(only, "voc_image")) ok = ok && bench_voc_image(c, m, runs);
        if (only && !strcmp(only, "methods")) ok = ok && bench_methods(c, m, runs);
        if (json) printf("{\"name\": \"peak_rss_mb\", \"value\": %.1f}\n", peak_rss_mb());
        else printf("peak_rss_mb  peak resident memory, vision tower, cached vocabulary: %.1f MB\n", peak_rss_mb());
        sclip_context_free(c);
        sclip_model_free(m);
    }
    if (ok && (!only || !strcmp(only, "voc21_text"))) {
        if (!load(model_path, SCLIP_TOWERS_TEXT, threads, &m, &c)) return 1;
        ok = bench_text(c, text_runs < 3 ? text_runs : 3);
        sclip_context_free(c);
        sclip_model_free(m);
    }
    return ok ? 0 : 1;
}
