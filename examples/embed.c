/* sclip-embed: CLIP embeddings of texts or of a normalised image tensor, written as .npy.

     sclip-embed -m MODEL.sclip --text "a photo of a cat" [--text ...] [-o OUT.npy]
     sclip-embed -m MODEL.sclip --image-npy IMG.npy [--dense] [--attn sclip] [-o OUT.npy]

   Text embeddings are n x D and not normalised (CLIP's encode_text). The image is a (3, H, W)
   float32 tensor already normalised; the output is the pooled embedding (D) or, with --dense,
   the (tokens x D) dense output of the chosen last block. Without -o the numbers are printed. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"
#include "sclip_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: sclip-embed -m MODEL.sclip (--text STR ... | --image-npy FILE) [options]\n"
            "  -m, --model FILE     weights (.sclip)\n"
            "  --text STR           a text to embed (repeatable); output n x D, not normalised\n"
            "  --truncate           cut texts longer than the context instead of failing\n"
            "  --image-npy FILE     a normalised float32 (3, H, W) image tensor\n"
            "  --dense              with --image-npy: every token (1 + H/16 * W/16) x D after ln_post and proj\n"
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
static float *load_image(const char *path, int *h, int *w) {
    sclip_npy a;
    char err[256];
    float *x;
    size_t i, off;
    if (!sclip_npy_load(path, &a, err, sizeof err)) {
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

static int output(const char *path, const float *data, int rows, int cols, int one_d) {
    size_t shape[2];
    int i, j;
    shape[0] = one_d ? (size_t)cols : (size_t)rows;
    shape[1] = (size_t)cols;
    if (path) {
        if (!sclip_npy_save(path, SCLIP_NPY_F32, one_d ? 1 : 2, shape, data)) return fail("cannot write", path);
        return 0;
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) printf("%.7g%c", data[(size_t)i * cols + j], j + 1 < cols ? ' ' : '\n');
    return 0;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *image = NULL, *out = NULL, **texts;
    int n_texts = 0, dense = 0, truncate = 0, threads = 0, have_attn = 0, i, rc = 1;
    char err[512];
    sclip_attn_desc attn;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_context_desc cd;
    sclip_model_desc md;
    float *result = NULL, *pixels = NULL;
    sclip_result r;
    texts = (const char **)calloc((size_t)argc, sizeof(char *));
    memset(&attn, 0, sizeof attn);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "--text") || !strcmp(a, "--image-npy") ||
                    !strcmp(a, "-o") || !strcmp(a, "--attn") || !strcmp(a, "--threads");
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
        else if (!strcmp(a, "--image-npy")) image = next;
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
    if (!model_path || (!n_texts) == (!image)) {
        fprintf(stderr, "sclip-embed: give -m MODEL and either --text or --image-npy\n");
        usage(stderr);
        free(texts);
        return 2;
    }
    memset(&md, 0, sizeof md);
    md.towers = image ? SCLIP_TOWERS_VISION : SCLIP_TOWERS_TEXT;
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
        if (image) {
            if (!(pixels = load_image(image, &h, &w))) goto done;
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
        rc = output(out, result, n, D, image && !dense);
    }
done:
    free(result);
    free(pixels);
    free(texts);
    sclip_context_free(ctx);
    sclip_model_free(model);
    return rc;
}
