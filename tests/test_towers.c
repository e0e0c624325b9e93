/* The vision and text towers against the official CLIP/SCLIP outputs on the tiny fixture model
   (../shared/fixtures/tiny): every last-block variant, a non-square input that needs the
   interpolated positional embedding, the pooled image embedding and the text embedding.
   The model file is build/tiny.sclip, made by tests/run.sh with tools/export_weights.py. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"

static const char *model_path(void) {
    const char *p = getenv("SCLIP_TEST_MODEL");
    FILE *f;
    if (!p) p = "build/tiny.sclip";
    f = fopen(p, "rb");
    if (!f) test_skip("build/tiny.sclip not found (tests/run.sh makes it from the fixtures)");
    fclose(f);
    return p;
}

/* A last block from its text spelling. */
static sclip_attn_desc attn_of(const char *text) {
    sclip_attn_desc d;
    char err[256];
    CHECK(sclip_attn_desc_parse(text, &d, err, sizeof err) == SCLIP_OK, "%s: %s", text, err);
    return d;
}

/* Dense tokens of input `in` with last block `attn` against `ref`; returns the relative error. */
static double dense_error(sclip_context *ctx, const char *in, const char *attn_text, const char *ref) {
    sclip_attn_desc attn = attn_of(attn_text);
    sclip_npy x, r;
    float *out;
    int n = 0;
    double e;
    sclip_result res;
    test_load_npy(test_shared(in), &x);
    test_load_npy(test_shared(ref), &r);
    out = (float *)malloc(r.count * sizeof(float));
    res = sclip_encode_image_dense(ctx, (const float *)x.data, (int)x.shape[1], (int)x.shape[2], &attn, out, &n);
    CHECK(res == SCLIP_OK, "%s: %s", ref, sclip_context_error(ctx));
    CHECK((size_t)n == r.shape[0], "%s: %d tokens, expected %d", ref, n, (int)r.shape[0]);
    e = res == SCLIP_OK ? test_rel_err(out, (const float *)r.data, r.count) : 1e9;
    printf("%-40s %-9s rel err %.3g\n", ref, attn_text, e);
    free(out);
    sclip_npy_free(&x);
    sclip_npy_free(&r);
    return e;
}

static void check_vision(sclip_context *ctx) {
    sclip_npy x, r;
    float out[64];
    double e;
    CHECK(dense_error(ctx, "fixtures/tiny/vision_input.npy", "sclip", "fixtures/tiny/vision_tokens_csa.npy") < 1e-4, "csa");
    CHECK(dense_error(ctx, "fixtures/tiny/vision_input.npy", "vanilla", "fixtures/tiny/vision_tokens_vanilla.npy") < 1e-4, "vanilla");
    CHECK(dense_error(ctx, "fixtures/tiny/vision_input.npy", "naclip", "fixtures/tiny/vision_tokens_naclip.npy") < 1e-4, "naclip");
    CHECK(dense_error(ctx, "fixtures/tiny/vision_input_160x288.npy", "sclip", "fixtures/tiny/vision_tokens_160x288_csa.npy") < 1e-4, "csa 160x288");
    CHECK(dense_error(ctx, "fixtures/tiny/vision_input_160x288.npy", "naclip", "fixtures/tiny/vision_tokens_160x288_naclip.npy") < 1e-4, "naclip 160x288");
    test_load_npy(test_shared("fixtures/tiny/vision_input.npy"), &x);
    test_load_npy(test_shared("fixtures/tiny/image_embedding.npy"), &r);
    CHECK(r.count == 64, "embedding size");
    CHECK(sclip_encode_image(ctx, (const float *)x.data, 224, 224, out) == SCLIP_OK, "%s", sclip_context_error(ctx));
    e = test_rel_err(out, (const float *)r.data, 64);
    printf("%-40s rel err %.3g\n", "image_embedding", e);
    CHECK(e < 1e-4, "image embedding");
    /* bad input: smaller than a patch, larger than the limit, unknown variant */
    CHECK(sclip_encode_image_dense(ctx, (const float *)x.data, 15, 224, NULL, out, NULL) == SCLIP_ERROR_IMAGE_TOO_SMALL, "15 rows");
    CHECK(strstr(sclip_context_error(ctx), "smaller than one") != NULL, "message: %s", sclip_context_error(ctx));
    CHECK(sclip_encode_image_dense(ctx, (const float *)x.data, 224, 100000, NULL, out, NULL) == SCLIP_ERROR_IMAGE_TOO_LARGE, "huge");
    {
        sclip_attn_desc bad;
        memset(&bad, 0, sizeof bad);
        bad.kind = (sclip_attn)SCLIP_ATTN_COUNT;
        CHECK(sclip_encode_image_dense(ctx, (const float *)x.data, 224, 224, &bad, out, NULL) == SCLIP_ERROR_INVALID_ARGUMENT, "variant");
        bad = attn_of("early:3"); /* the tiny model has 3 layers: B in 1..2 */
        CHECK(sclip_encode_image_dense(ctx, (const float *)x.data, 224, 224, &bad, out, NULL) == SCLIP_ERROR_INVALID_ARGUMENT &&
                  strstr(sclip_context_error(ctx), "1..2"),
              "early:3 on 3 layers: %s", sclip_context_error(ctx));
    }
    sclip_npy_free(&x);
    sclip_npy_free(&r);
}

/* The paper's ablations (fixtures/ablation, ABLATIONS.md): every option's dense tokens within
   1e-4 of the reference, its attention weights (sclip_attention) within 1e-5, and the official
   get_attn of CSA and CLIP; the random projections' generator bit for bit. */
static void check_ablations(sclip_context *ctx) {
    static const struct { const char *file, *attn; } opts[] = {
        {"csa-q", "csa-q"}, {"csa-k", "csa-k"}, {"csa-id", "csa-id"}, {"csa-rand_2_1", "csa-rand:2:1"},
        {"sharpen_0_5", "sharpen:0.5"}, {"sharpen_2", "sharpen:2"}, {"local_1", "local:1"}, {"local_3", "local:3"},
        {"early_1", "early:1"}, {"early_2", "early:2"}, {"csa", "sclip"}, {"vanilla", "vanilla"}};
    static const char *const inputs[2] = {"vision_input", "vision_input_160x288"};
    char in[256], ref[256];
    size_t i;
    int k;
    for (k = 0; k < 2; k++)
        for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
            sclip_npy x, want;
            sclip_attn_desc at = attn_of(opts[i].attn);
            float *got;
            int n = 0;
            double md = 0;
            size_t e;
            snprintf(in, sizeof in, "fixtures/tiny/%s.npy", inputs[k]);
            if (i < 10) { /* tokens (sclip and vanilla: fixtures/tiny, checked above) */
                snprintf(ref, sizeof ref, "fixtures/ablation/%s_tokens_%s.npy", inputs[k], opts[i].file);
                CHECK(dense_error(ctx, in, opts[i].attn, ref) < 1e-4, "%s", ref);
            }
            snprintf(ref, sizeof ref, "fixtures/ablation/%s_attn_%s.npy", inputs[k], opts[i].file);
            test_load_npy(test_shared(in), &x);
            test_load_npy(test_shared(ref), &want);
            got = (float *)malloc(want.count * sizeof(float));
            CHECK(sclip_attention(ctx, (const float *)x.data, (int)x.shape[1], (int)x.shape[2], &at, got, &n) == SCLIP_OK, "%s: %s",
                  ref, sclip_context_error(ctx));
            CHECK(want.ndim == 3 && want.shape[1] == (size_t)n && want.shape[2] == (size_t)n, "%s: shape", ref);
            for (e = 0; e < want.count; e++) {
                double d = fabs((double)got[e] - ((const float *)want.data)[e]);
                if (d > md || d != d) md = d;
            }
            printf("%-60s max abs err %.3g\n", ref, md);
            CHECK(md <= 1e-5, "%s: attention weights differ by %g", ref, md);
            free(got);
            sclip_npy_free(&x);
            sclip_npy_free(&want);
        }
    {
        sclip_npy r;
        float *m = (float *)malloc(2 * 128 * 128 * sizeof(float));
        test_load_npy(test_shared("fixtures/ablation/random_matrices_seed1_n2_d128.npy"), &r);
        sclip__random_projections(1, 2, 128, m);
        CHECK(r.count == 2 * 128 * 128 && r.dtype == SCLIP_NPY_F32 && !memcmp(m, r.data, r.count * sizeof(float)),
              "random projections (seed 1, 2 x 128 x 128) are not bit-identical to the reference");
        printf("random_matrices_seed1_n2_d128.npy: %s\n", r.count == 2 * 128 * 128 && !memcmp(m, r.data, r.count * 4) ? "identical" : "DIFFERENT");
        free(m);
        sclip_npy_free(&r);
    }
}

/* The text spellings of the last blocks, and the errors naming the accepted ranges. */
static void check_attn_parse(void) {
    static const struct { const char *text, *want_error; } bad[] = {
        {"csa-foo", "unknown attention"}, {"csa-rand", "1..64"}, {"csa-rand:0", "1..64"}, {"csa-rand:65", "1..64"},
        {"csa-rand:2:x", "SEED"}, {"csa-rand:2:", "SEED"}, {"local:2", "odd"}, {"local:0", "odd"}, {"local:x", "odd"},
        {"early:0", ">= 1"}, {"sharpen:0", "above 0"}, {"sharpen:-1", "above 0"}, {"sharpen:inf", "above 0"},
        {"sharpen:nan", "above 0"}, {"sclip:1", "no parameter"}, {"", "unknown"}, {"csa-rand:2:18446744073709551616", "below 2^64"}};
    static const char *const good[] = {"sclip", "vanilla", "maskclip", "clearclip", "naclip", "csa-q", "csa-k", "csa-id",
                                       "csa-rand:4", "csa-rand:2:18446744073709551615", "sharpen:0.5", "local:5", "early:11"};
    char err[256], text[64];
    sclip_attn_desc a;
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK(sclip_attn_desc_parse(bad[i].text, &a, err, sizeof err) == SCLIP_ERROR_INVALID_ARGUMENT && strstr(err, bad[i].want_error),
              "'%s': '%s'", bad[i].text, err);
    }
    for (i = 0; i < sizeof good / sizeof good[0]; i++) { /* and back to the same text */
        CHECK(sclip_attn_desc_parse(good[i], &a, err, sizeof err) == SCLIP_OK, "'%s': %s", good[i], err);
        sclip_attn_desc_format(&a, text, sizeof text);
        CHECK(!strcmp(text, good[i]), "'%s' formats as '%s'", good[i], text);
    }
    CHECK(sclip_attn_parse("csa-q") == SCLIP_ATTN_CSA_Q && sclip_attn_parse("local") == -1, "sclip_attn_parse");
}

/* A host's parallel_for: runs the items backwards on the calling thread and counts them. */
static void host_parallel_for(void *user, void (*fn)(void *arg, int i), void *arg, int n) {
    int i;
    for (i = n - 1; i >= 0; i--) fn(arg, i);
    *(int *)user += n;
}

/* Every variant gives bit-identical results with 1 and 3 threads and with a host's parallel_for. */
static void check_threads(const sclip_model *model, sclip_context *ctx) {
    sclip_context_desc d;
    sclip_context *one;
    sclip_npy x;
    float *a = (float *)malloc(197 * 64 * sizeof(float)), *b = (float *)malloc(197 * 64 * sizeof(float));
    int v;
    memset(&d, 0, sizeof d);
    d.n_threads = 1;
    CHECK(sclip_context_create(model, &d, &one) == SCLIP_OK, "context");
    test_load_npy(test_shared("fixtures/tiny/vision_input.npy"), &x);
    for (v = 0; v < 12; v++) {
        static const char *const kinds[12] = {"sclip", "vanilla", "maskclip", "clearclip", "naclip", "csa-q", "csa-k",
                                              "csa-id", "csa-rand:3:5", "sharpen:0.5", "local:3", "early:2"};
        sclip_attn_desc at = attn_of(kinds[v]);
        sclip_encode_image_dense(one, (const float *)x.data, 224, 224, &at, a, NULL);
        sclip_encode_image_dense(ctx, (const float *)x.data, 224, 224, &at, b, NULL);
        CHECK(memcmp(a, b, 197 * 64 * sizeof(float)) == 0, "%s differs between 1 and 3 threads", kinds[v]);
    }
    {
        sclip_context *host;
        int items = 0;
        d.n_threads = 3;
        d.parallel_for = host_parallel_for;
        d.parallel_for_user = &items;
        CHECK(sclip_context_create(model, &d, &host) == SCLIP_OK, "context with parallel_for");
        sclip_encode_image_dense(host, (const float *)x.data, 224, 224, NULL, a, NULL);
        sclip_encode_image_dense(ctx, (const float *)x.data, 224, 224, NULL, b, NULL);
        CHECK(memcmp(a, b, 197 * 64 * sizeof(float)) == 0, "parallel_for hook gives other numbers");
        CHECK(items > 0, "the parallel_for hook was not used");
        sclip_context_free(host);
    }
    sclip_npy_free(&x);
    sclip_context_free(one);
    free(a);
    free(b);
}

static void check_text(sclip_context *ctx) {
    sclip_npy tok, ref;
    float out[4 * 64];
    int32_t *ids;
    size_t i;
    double e;
    test_load_npy(test_shared("fixtures/tiny/text_tokens.npy"), &tok);
    test_load_npy(test_shared("fixtures/tiny/text_embedding.npy"), &ref);
    ids = (int32_t *)malloc(tok.count * sizeof(int32_t));
    for (i = 0; i < tok.count; i++) ids[i] = (int32_t)sclip_npy_get(&tok, i);
    CHECK(sclip_encode_tokens(ctx, ids, 4, out) == SCLIP_OK, "%s", sclip_context_error(ctx));
    e = test_rel_err(out, (const float *)ref.data, 4 * 64);
    printf("%-40s rel err %.3g\n", "text_embedding (tokens)", e);
    CHECK(e < 1e-4, "text embedding from tokens");
    ids[5] = 60000;
    CHECK(sclip_encode_tokens(ctx, ids, 4, out) == SCLIP_ERROR_INVALID_ARGUMENT, "token out of vocabulary");
    free(ids);
    sclip_npy_free(&tok);
    sclip_npy_free(&ref);
}

static void check_text_strings(sclip_context *ctx) {
    /* the four strings of fixtures/tiny/texts.json */
    const char *texts[4] = {"a photo of a cat.", "a bad photo of the television monitor.", "sky", ""};
    char *json = test_read_file(test_shared("fixtures/tiny/texts.json"), NULL), *longp;
    sclip_npy ref;
    float out[4 * 64];
    double e;
    CHECK(json && strstr(json, "television monitor") != NULL, "texts.json changed");
    free(json);
    test_load_npy(test_shared("fixtures/tiny/text_embedding.npy"), &ref);
    CHECK(sclip_encode_text(ctx, texts, 4, 0, out) == SCLIP_OK, "%s", sclip_context_error(ctx));
    e = test_rel_err(out, (const float *)ref.data, 4 * 64);
    printf("%-40s rel err %.3g\n", "text_embedding (strings)", e);
    CHECK(e < 1e-4, "text embedding from strings");
    /* a 5000-character prompt: an error, unless truncation is asked for */
    longp = (char *)malloc(5001);
    memset(longp, 'a', 5000);
    longp[5000] = 0;
    for (e = 0; e < 5000; e += 2) longp[(int)e + 1] = ' ';
    texts[0] = longp;
    CHECK(sclip_encode_text(ctx, texts, 1, 0, out) == SCLIP_ERROR_TEXT_TOO_LONG, "long prompt");
    CHECK(strstr(sclip_context_error(ctx), "does not fit") != NULL, "message: %s", sclip_context_error(ctx));
    CHECK(sclip_encode_text(ctx, texts, 1, 1, out) == SCLIP_OK, "truncated long prompt");
    free(longp);
    sclip_npy_free(&ref);
}

/* Prompts that share their first tokens are encoded once per group (sclip_encode_tokens);
   the result equals encoding each prompt alone. */
static void check_shared_prefixes(sclip_context *ctx) {
    const char *texts[9] = {"a photo of a cat.", "a photo of a television monitor.", "a photo of a sky", "a photo of a cat.",
                            "itap of my dog", "itap of my car", "the plushie cat.", "a photo of the nice dog.", "a"};
    float batch[9 * 64], one[64];
    double md = 0;
    int i, k;
    CHECK(sclip_encode_text(ctx, texts, 9, 0, batch) == SCLIP_OK, "%s", sclip_context_error(ctx));
    for (i = 0; i < 9; i++) {
        CHECK(sclip_encode_text(ctx, texts + i, 1, 0, one) == SCLIP_OK, "%s", sclip_context_error(ctx));
        for (k = 0; k < 64; k++) md = fabs(one[k] - batch[i * 64 + k]) > md ? fabs(one[k] - batch[i * 64 + k]) : md;
    }
    printf("%-40s max abs diff %.3g\n", "shared prefixes vs one by one", md);
    CHECK(md < 1e-5, "shared-prefix encoding differs by %g", md);
}

/* test_towers --close A.npy B.npy rel|abs LIMIT: the command-line tests' comparison of two
   float32 arrays of the same shape (B the reference); exit 0 when the largest difference
   (relative to B's largest magnitude, or absolute) is below LIMIT. */
static int close_npy(char **argv) {
    sclip_npy a, b;
    double e;
    int ok;
    test_load_npy(argv[2], &a);
    test_load_npy(argv[3], &b);
    ok = a.dtype == SCLIP_NPY_F32 && b.dtype == SCLIP_NPY_F32 && a.ndim == b.ndim && a.count == b.count &&
         !memcmp(a.shape, b.shape, sizeof(size_t) * (size_t)a.ndim);
    if (!ok) {
        fprintf(stderr, "%s and %s: not float32 arrays of the same shape\n", argv[2], argv[3]);
        return 1;
    }
    e = test_rel_err((const float *)a.data, (const float *)b.data, a.count);
    if (!strcmp(argv[4], "abs")) {
        double mb = 0;
        size_t i;
        for (i = 0; i < b.count; i++) mb = fabs(((const float *)b.data)[i]) > mb ? fabs(((const float *)b.data)[i]) : mb;
        e *= mb > 0 ? mb : 1;
    }
    printf("%s: max %s err %.3g\n", argv[2], argv[4], e);
    sclip_npy_free(&a);
    sclip_npy_free(&b);
    return e < atof(argv[5]) ? 0 : 1;
}

/* test_towers --onehot MAPS.npy P B GY GX: map (P, B) of sclip-attn's points x blocks x gh x gw
   output is 1 at (GY, GX) and 0 elsewhere (what local:1 and maskclip give for the point's patch). */
static int onehot_npy(char **argv) {
    sclip_npy a;
    size_t p = (size_t)atoi(argv[3]), b = (size_t)atoi(argv[4]), gy = (size_t)atoi(argv[5]), gx = (size_t)atoi(argv[6]), i, n;
    const float *m;
    int bad = 0;
    test_load_npy(argv[2], &a);
    if (a.dtype != SCLIP_NPY_F32 || a.ndim != 4 || p >= a.shape[0] || b >= a.shape[1] || gy >= a.shape[2] || gx >= a.shape[3]) {
        fprintf(stderr, "%s: not a points x blocks x gh x gw float32 array holding (%d, %d, %d, %d)\n", argv[2], (int)p, (int)b,
                (int)gy, (int)gx);
        return 1;
    }
    n = a.shape[2] * a.shape[3];
    m = (const float *)a.data + (p * a.shape[1] + b) * n;
    for (i = 0; i < n; i++) bad += fabsf(m[i] - (i == gy * a.shape[3] + gx ? 1.0f : 0.0f)) > 1e-6f;
    printf("%s map (%d, %d): %d cells differ from one-hot at (%d, %d)\n", argv[2], (int)p, (int)b, bad, (int)gy, (int)gx);
    sclip_npy_free(&a);
    return bad != 0;
}

int main(int argc, char **argv) {
    char err[256];
    sclip_model *model;
    sclip_context *ctx;
    sclip_context_desc d;
    sclip_result r;
    if (argc == 6 && !strcmp(argv[1], "--close")) return close_npy(argv);
    if (argc == 7 && !strcmp(argv[1], "--onehot")) return onehot_npy(argv);
    r = sclip_model_load(model_path(), NULL, &model, err, sizeof err);
    if (r != SCLIP_OK) {
        fprintf(stderr, "load: %s\n", err);
        return 1;
    }
    memset(&d, 0, sizeof d);
    d.n_threads = 64; /* more threads than CPUs: capped to the CPUs the process may use */
    CHECK(sclip_context_create(model, &d, &ctx) == SCLIP_OK && sclip_context_threads(ctx) == sclip_cpus() &&
              sclip_cpus() <= 256 && sclip_cpus() >= 1,
          "64 threads asked: %d used, %d CPUs", ctx ? sclip_context_threads(ctx) : -1, sclip_cpus());
    sclip_context_free(ctx);
    d.n_threads = 3;
    CHECK(sclip_context_create(model, &d, &ctx) == SCLIP_OK, "context");
    check_vision(ctx);
    check_attn_parse();
    check_ablations(ctx);
    check_threads(model, ctx);
    check_text(ctx);
    check_text_strings(ctx);
    check_shared_prefixes(ctx);
    sclip_context_free(ctx);
    sclip_model_free(model);
    return test_done("towers");
}
