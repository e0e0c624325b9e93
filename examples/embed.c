/* sclip-embed: CLIP embeddings of texts or of an image, written as .npy.

     sclip-embed -m MODEL.sclip --text "a photo of a cat" [--text ...] [-o OUT.npy]
     sclip-embed -m MODEL.sclip --image photo.jpg [--dense] [--attn sclip] [-o OUT.npy]
     sclip-embed -m MODEL.sclip --image-npy IMG.npy [--dense] [--attn sclip] [-o OUT.npy]

   Text embeddings are n x D and not normalised (CLIP's encode_text). --image takes a PNG, JPEG
   or PPM/PGM and prepares it as OpenAI CLIP's `preprocess` does (clip_preprocess below);
   --image-npy takes a (3, H, W) float32 tensor already normalised, of any size. The output is
   the pooled embedding (D, CLIP's encode_image) or, with --dense, the (tokens x D) dense output
   of the chosen last block. Without -o the numbers are printed. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"
#include "sclip_cli.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: sclip-embed -m MODEL.sclip (--text STR ... | --image FILE | --image-npy FILE) [options]\n"
            "  -m, --model FILE     weights (.sclip)\n"
            "  --text STR           a text to embed (repeatable); output n x D, not normalised\n"
            "  --truncate           cut texts longer than the context instead of failing\n"
            "  --image FILE         a PNG, JPEG or PPM/PGM photo, prepared as OpenAI CLIP's `preprocess`:\n"
            "                       resized so the short side is the model's image size (224 for ViT-B/16;\n"
            "                       long side int(224 * long / short)) with Pillow's bicubic (a = -0.5,\n"
            "                       antialiased when shrinking, 8-bit result), centre-cropped to 224x224\n"
            "                       (offset round((side - 224) / 2), halves to even), then x / 255 and\n"
            "                       normalised with CLIP's mean (0.48145466, 0.4578275, 0.40821073) and\n"
            "                       std (0.26862954, 0.26130258, 0.27577711); output CLIP's encode_image\n"
            "  --image-npy FILE     a normalised float32 (3, H, W) image tensor, any size (used as it is)\n"
            "  --save-input FILE.npy  with --image: write the (3, 224, 224) tensor given to the model\n"
            "  --dense              with an image: every token (1 + H/16 * W/16) x D after ln_post and proj\n"
            "  --attn NAME          last block for --dense: sclip (default), vanilla, maskclip, clearclip, naclip,\n"
            "                       the paper's ablations csa-q, csa-k, csa-id, csa-rand:N[:SEED], sharpen:T,\n"
            "                       local:W, early:B (sclip.h manual, section 5)\n"
            "  -o FILE.npy          write the result as float32 .npy (default: print it)\n"
            "  --threads N          worker threads (default: all cores)\n"
            "  -h, --help           this text\n");
}

static int fail(const char *msg, const char *detail) {
    fprintf(stderr, "sclip-embed: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    return 1;
}

/* Loads a (3, H, W) or (1, 3, H, W) tensor as float32. */
static float *load_image_npy(const char *path, int *h, int *w) {
    sclip_npy a;
    char err[256];
    float *x;
    size_t i, off;
    if (sclip_npy_load(path, &a, err, sizeof err) != SCLIP_NPY_OK) {
        fprintf(stderr, "sclip-embed: %s: %s\n", path, err);
        return NULL;
    }
    off = a.ndim == 4 && a.shape[0] == 1 ? 1 : 0;
    if ((size_t)a.ndim != 3 + off || a.shape[off] != 3 || a.shape[off + 1] > SCLIP_MAX_IMAGE_SIDE ||
        a.shape[off + 2] > SCLIP_MAX_IMAGE_SIDE) {
        fprintf(stderr, "sclip-embed: %s: expected a (3, H, W) tensor with sides up to %d\n", path, SCLIP_MAX_IMAGE_SIDE);
        sclip_npy_free(&a);
        return NULL;
    }
    *h = (int)a.shape[off + 1];
    *w = (int)a.shape[off + 2];
    x = (float *)malloc(a.count * sizeof(float) + 1);
    for (i = 0; x && i < a.count; i++) x[i] = (float)sclip_npy_get(&a, i);
    sclip_npy_free(&a);
    return x;
}

/* ---- CLIP's preprocess ----------------------------------------------------------------------
   The transform clip.load returns for a model of input resolution n (the model's image_size),
   applied to the decoded 8-bit RGB image:
     Resize(n, BICUBIC)  torchvision on a PIL image: the short side becomes n, the long side
                         int(n * long / short). Pillow resamples in two passes, horizontal then
                         vertical, each a convolution with the bicubic kernel (a = -0.5) whose
                         support is 2 x max(1, in / out) (antialiased when shrinking), weights
                         normalised to sum 1 and rounded to 22-bit fixed point, every pass rounded
                         and clipped to 8 bits. A side that keeps its size is not resampled.
     CenterCrop(n)       the n x n box at int(round((side - n) / 2)) (Python's round: halves to
                         even).
     ToTensor, Normalize x / 255 in float32, then (x - mean) / std with CLIP's constants.
   Written from Pillow's Resample.c and torchvision's transforms: the same 8-bit pixels as
   Pillow (9.4) for the same decoded image, checked on the shared photos and 52 sizes from 1x1
   to 16384x1 and 5000x5000. CLIP opens files with Pillow, which resizes palette images with
   nearest neighbour, RGBA ones premultiplied and 16-bit grey ones as 32-bit integers before
   converting to RGB; sclip_image.h converts to RGB first (as OpenCV), so only such files can
   differ. Only the crop is computed (the resized image can be far wider than the crop).
   sclip.h's resize is OpenCV's bilinear (what SCLIP segments with) and its sclip_normalize_rgb
   uses mmseg's 3-decimal constants (122.771 for 255 x 0.48145466), so neither is used here. */

#define PIL_BITS 22 /* Pillow's PRECISION_BITS for 8-bit images */

static double pil_bicubic(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

/* Pillow's precompute_coeffs and normalize_coeffs_8bpc for the output samples first .. first+n-1
   of a resampling from n_in to n_out samples: sample i reads the inputs bounds[2i] ..
   bounds[2i] + bounds[2i+1] - 1 with the fixed-point weights k[i * *ksize ..]. Returns 0 when out
   of memory. */
static int pil_taps(int n_in, int n_out, int first, int n, int *ksize, int **bounds, int32_t **k) {
    double scale = (double)n_in / n_out, fscale = scale < 1.0 ? 1.0 : scale, support = 2.0 * fscale;
    double ss = 1.0 / fscale, *w;
    int K = (int)ceil(support) * 2 + 1, i, x;
    w = (double *)malloc((size_t)K * sizeof(double));
    *bounds = (int *)malloc((size_t)n * 2 * sizeof(int));
    *k = (int32_t *)malloc((size_t)n * K * sizeof(int32_t));
    if (!w || !*bounds || !*k) {
        free(w);
        free(*bounds);
        free(*k);
        *bounds = NULL;
        *k = NULL;
        return 0;
    }
    for (i = 0; i < n; i++) {
        double center = (first + i + 0.5) * scale, ww = 0.0;
        int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
        if (xmin < 0) xmin = 0;
        if (xmax > n_in) xmax = n_in;
        xmax -= xmin;
        for (x = 0; x < xmax; x++) {
            w[x] = pil_bicubic((x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        for (x = 0; x < K; x++) {
            double v = x < xmax ? (ww != 0.0 ? w[x] / ww : w[x]) : 0.0;
            (*k)[(size_t)i * K + x] = (int32_t)(v < 0 ? -0.5 + v * (1 << PIL_BITS) : 0.5 + v * (1 << PIL_BITS));
        }
        (*bounds)[2 * i] = xmin;
        (*bounds)[2 * i + 1] = xmax;
    }
    free(w);
    *ksize = K;
    return 1;
}

/* Pillow's clip8: the rounded fixed-point sum (the half already added) to 0..255. */
static unsigned char pil_clip8(int64_t s) {
    if (s < 0) return 0;
    s >>= PIL_BITS;
    return (unsigned char)(s > 255 ? 255 : s);
}

/* Python's int(round(d / 2)) for d >= 0: halves go to the even neighbour. */
static int round_half_even_half(int d) { return d / 2 + (d % 2 && (d / 2) % 2); }

/* CLIP's preprocess of an RGB image (w x h, row stride w * 3) into chw (3, n, n). Returns 0 and
   says why on failure. */
static int clip_preprocess(const unsigned char *rgb, int w, int h, int n, float *chw) {
    static const float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
    static const float sd[3] = {0.26862954f, 0.26130258f, 0.27577711f};
    int ow, oh, left, top, y0, y1, i, j, x, c, kx = 0, ky = 0, ok = 0;
    int *bx = NULL, *by = NULL;
    int32_t *wx = NULL, *wy = NULL;
    unsigned char *tmp = NULL, *crop = NULL;
    if (w <= h) { /* torchvision's _compute_resized_output_size */
        ow = n;
        oh = (int)((double)n * h / w);
    } else {
        oh = n;
        ow = (int)((double)n * w / h);
    }
    left = round_half_even_half(ow - n);
    top = round_half_even_half(oh - n);
    if ((ow != w && !pil_taps(w, ow, left, n, &kx, &bx, &wx)) || (oh != h && !pil_taps(h, oh, top, n, &ky, &by, &wy)))
        goto done;
    /* the source rows the vertical pass reads */
    y0 = oh != h ? by[0] : top;
    y1 = oh != h ? by[2 * (n - 1)] + by[2 * (n - 1) + 1] : top + n;
    tmp = (unsigned char *)malloc((size_t)(y1 - y0) * n * 3);
    crop = (unsigned char *)malloc((size_t)n * n * 3);
    if (!tmp || !crop) goto done;
    for (j = y0; j < y1; j++) { /* horizontal pass: the crop's columns of source rows y0 .. y1-1 */
        const unsigned char *s = rgb + (size_t)j * w * 3;
        unsigned char *d = tmp + (size_t)(j - y0) * n * 3;
        if (ow == w) {
            memcpy(d, s + (size_t)left * 3, (size_t)n * 3);
            continue;
        }
        for (i = 0; i < n; i++) {
            const int32_t *k = wx + (size_t)i * kx;
            const unsigned char *p = s + (size_t)bx[2 * i] * 3;
            for (c = 0; c < 3; c++) {
                int64_t acc = 1 << (PIL_BITS - 1);
                for (x = 0; x < bx[2 * i + 1]; x++) acc += (int64_t)p[3 * x + c] * k[x];
                d[3 * i + c] = pil_clip8(acc);
            }
        }
    }
    for (j = 0; j < n; j++) { /* vertical pass */
        unsigned char *d = crop + (size_t)j * n * 3;
        if (oh == h) {
            memcpy(d, tmp + (size_t)(top + j - y0) * n * 3, (size_t)n * 3);
            continue;
        }
        for (i = 0; i < n * 3; i++) {
            const int32_t *k = wy + (size_t)j * ky;
            const unsigned char *p = tmp + (size_t)(by[2 * j] - y0) * n * 3 + i;
            int64_t acc = 1 << (PIL_BITS - 1);
            for (x = 0; x < by[2 * j + 1]; x++) acc += (int64_t)p[(size_t)x * n * 3] * k[x];
            d[i] = pil_clip8(acc);
        }
    }
    for (c = 0; c < 3; c++) /* ToTensor and Normalize, float32 as torchvision computes them */
        for (i = 0; i < n * n; i++)
            chw[(size_t)c * n * n + i] = ((float)crop[3 * (size_t)i + c] / 255.0f - mean[c]) / sd[c];
    ok = 1;
done:
    if (!ok) fprintf(stderr, "sclip-embed: out of memory preparing the image\n");
    free(bx);
    free(by);
    free(wx);
    free(wy);
    free(tmp);
    free(crop);
    return ok;
}

/* Decodes an image file (before the model is loaded, so a bad file fails fast). */
static int load_photo(const char *path, sclip_image *im) {
    char err[512];
    if (sclip_image_load(path, im, err, sizeof err) != SCLIP_IMAGE_OK) {
        if (strstr(err, path)) fprintf(stderr, "sclip-embed: %s\n", err); /* "image: cannot open PATH: ..." */
        else fprintf(stderr, "sclip-embed: %s: %s\n", path, err);
        return 0;
    }
    if (im->w < 1 || im->h < 1 || !im->pixels) {
        fprintf(stderr, "sclip-embed: %s: empty image (%dx%d)\n", path, im->w, im->h);
        sclip_image_free(im);
        return 0;
    }
    return 1;
}

static int output(const char *path, const float *data, int rows, int cols, int one_d) {
    size_t shape[2];
    int i, j;
    shape[0] = one_d ? (size_t)cols : (size_t)rows;
    shape[1] = (size_t)cols;
    if (path) {
        if (sclip_npy_save(path, SCLIP_NPY_F32, one_d ? 1 : 2, shape, data) != SCLIP_NPY_OK) return fail("cannot write", path);
        return 0;
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) printf("%.7g%c", data[(size_t)i * cols + j], j + 1 < cols ? ' ' : '\n');
    return 0;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *image_npy = NULL, *photo = NULL, *save_input = NULL, *out = NULL, **texts;
    int n_texts = 0, dense = 0, truncate = 0, threads = 0, have_attn = 0, i, rc = 1;
    char err[512];
    sclip_attn_desc attn;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_context_desc cd;
    sclip_model_desc md;
    sclip_image im;
    float *result = NULL, *pixels = NULL;
    sclip_result r;
    texts = (const char **)calloc((size_t)argc, sizeof(char *));
    memset(&attn, 0, sizeof attn);
    memset(&im, 0, sizeof im);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "--text") || !strcmp(a, "--image-npy") ||
                    !strcmp(a, "--image") || !strcmp(a, "--save-input") || !strcmp(a, "-o") || !strcmp(a, "--attn") ||
                    !strcmp(a, "--threads");
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(texts);
            return 0;
        }
        if (!strcmp(a, "--version")) {
            cli__prog = "sclip-embed";
            cli_version();
            free(texts);
            return 0;
        }
        if (takes && !next) {
            fprintf(stderr, "sclip-embed: %s needs a value\n", a);
            free(texts);
            return 2;
        }
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model_path = next;
        else if (!strcmp(a, "--text")) texts[n_texts++] = next;
        else if (!strcmp(a, "--image-npy")) image_npy = next;
        else if (!strcmp(a, "--image")) photo = next;
        else if (!strcmp(a, "--save-input")) save_input = next;
        else if (!strcmp(a, "-o")) out = next;
        else if (!strcmp(a, "--attn")) {
            if (sclip_attn_desc_parse(next, &attn, err, sizeof err) != SCLIP_OK) {
                fprintf(stderr, "sclip-embed: --attn: %s\n", err);
                free(texts);
                return 2;
            }
            have_attn = 1;
        } else if (!strcmp(a, "--threads")) {
            char *end;
            long t = strtol(next, &end, 10);
            if (*end || t < 1 || t > 256) {
                fprintf(stderr, "sclip-embed: --threads must be 1..256\n");
                free(texts);
                return 2;
            }
            threads = (int)t;
        } else if (!strcmp(a, "--dense")) dense = 1;
        else if (!strcmp(a, "--truncate")) truncate = 1;
        else {
            fprintf(stderr, "sclip-embed: unknown option '%s'\n", a);
            usage(stderr);
            free(texts);
            return 2;
        }
        if (takes) i++;
    }
    if (have_attn && !dense) {
        fprintf(stderr, "sclip-embed: --attn chooses the last block of --dense\n");
        free(texts);
        return 2;
    }
    if (save_input && !photo) {
        fprintf(stderr, "sclip-embed: --save-input goes with --image\n");
        free(texts);
        return 2;
    }
    if (!model_path || (n_texts > 0) + (photo != NULL) + (image_npy != NULL) != 1) {
        fprintf(stderr, "sclip-embed: give -m MODEL and one of --text, --image or --image-npy\n");
        usage(stderr);
        free(texts);
        return 2;
    }
    if (photo && !load_photo(photo, &im)) goto done;
    memset(&md, 0, sizeof md);
    md.towers = n_texts ? SCLIP_TOWERS_TEXT : SCLIP_TOWERS_VISION;
    if ((r = sclip_model_load(model_path, &md, &model, err, sizeof err)) != SCLIP_OK) {
        fail(err, NULL);
        goto done;
    }
    memset(&cd, 0, sizeof cd);
    cd.n_threads = threads;
    if ((r = sclip_context_create(model, &cd, &ctx)) != SCLIP_OK) {
        fail("cannot create a context", sclip_result_string(r));
        goto done;
    }
    {
        const sclip_arch *arch = sclip_model_arch(model);
        int D = arch->embed_dim, h = 0, w = 0, n = 0;
        if (photo || image_npy) {
            if (photo) {
                h = w = arch->image_size;
                pixels = (float *)malloc((size_t)3 * h * w * sizeof(float));
                if (!pixels) {
                    fail("out of memory", NULL);
                    goto done;
                }
                if (!clip_preprocess(im.pixels, im.w, im.h, h, pixels)) goto done;
                if (save_input) {
                    size_t shape[3];
                    shape[0] = 3;
                    shape[1] = (size_t)h;
                    shape[2] = (size_t)w;
                    if (sclip_npy_save(save_input, SCLIP_NPY_F32, 3, shape, pixels) != SCLIP_NPY_OK) {
                        fail("cannot write", save_input);
                        goto done;
                    }
                }
            } else if (!(pixels = load_image_npy(image_npy, &h, &w))) goto done;
            n = dense ? (h / arch->patch_size) * (w / arch->patch_size) + 1 : 1;
            result = (float *)malloc((size_t)n * D * sizeof(float));
            r = dense ? sclip_encode_image_dense(ctx, pixels, h, w, &attn, result, &n)
                      : sclip_encode_image(ctx, pixels, h, w, result);
        } else {
            n = n_texts;
            result = (float *)malloc((size_t)n * D * sizeof(float));
            r = sclip_encode_text(ctx, texts, n_texts, truncate, result);
        }
        if (r != SCLIP_OK) {
            fail(sclip_context_error(ctx), NULL);
            goto done;
        }
        rc = output(out, result, n, D, !n_texts && !dense);
    }
done:
    free(result);
    free(pixels);
    free(texts);
    sclip_image_free(&im);
    sclip_context_free(ctx);
    sclip_model_free(model);
    return rc;
}
