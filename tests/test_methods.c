/* SC-CLIP and ResCLIP on the 12-layer fixture model (tiny12), against the official code's traces
   (fixtures/methods, METHODS.md section 4): the dense tokens of one 224x224 window, and the
   discrete decisions inside (SC-CLIP's LOF outlier set, ResCLIP's patch class map), the
   intermediate tensors they come from (LOF scores, the SFR matrix), and the errors for models,
   windows and options the official code cannot run. The seg_logits of every fixture case are
   checked through sclip-seg by tests/test_methods_cli.sh.
   ResCLIP's vision case does not store its 6 query vectors: tests/data/methods/
   resclip_vision_chelsea_queries.npy holds them as recovered from the trace (the feedback
   pass's upsampled cosines 012_pamr_feedback_mask_in and the official feedback tokens, by least
   squares in float64: residual 8e-8, cosines within 1e-7 of the trace). */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"

static const char *model_path = "build/tiny12.sclip";

static float *load_f32(const char *rel, sclip_npy *a, size_t count) {
    test_load_npy(test_shared(rel), a);
    CHECK(a->dtype == SCLIP_NPY_F32 && a->count == count, "%s: %zu values", rel, a->count);
    return (float *)a->data;
}

/* One SC-CLIP window: tokens, outlier set, LOF scores. */
static void scclip_window(sclip_context *c, const char *input, const char *dir) {
    char rel[256];
    sclip_npy in, ref, idx, lof;
    float out[196 * 64], scores[196];
    unsigned char outlier[196];
    sclip__mparams mp;
    size_t i;
    int n_out = 0, same = 1;
    double err, lof_err = 0;
    sclip_result r;
    sclip__method_resolve(NULL, &mp);
    load_f32(input, &in, 3 * 224 * 224);
    snprintf(rel, sizeof rel, "fixtures/methods/scclip/%s/tokens.npy", dir);
    load_f32(rel, &ref, 196 * 64);
    r = sclip__scclip_dense(c, (const float *)in.data, 224, 224, &mp, out, scores, outlier);
    CHECK(r == SCLIP_OK, "%s: %s", dir, sclip_context_error(c));
    err = test_rel_err(out, (const float *)ref.data, 196 * 64);
    printf("scclip %s: tokens max|a-b|/max|b| %.2e\n", dir, err);
    CHECK(err <= 1e-5, "scclip %s tokens: %.3e", dir, err);
    snprintf(rel, sizeof rel, "fixtures/methods/scclip/%s/trace/011_lof_outlier_indices.npy", dir);
    test_load_npy(test_shared(rel), &idx);
    for (i = 0; i < 196; i++) n_out += outlier[i];
    for (i = 0; i < idx.count; i++) same &= outlier[(int)sclip_npy_get(&idx, i)];
    CHECK(same && n_out == (int)idx.count, "scclip %s: outlier set differs (%d outliers)", dir, n_out);
    snprintf(rel, sizeof rel, "fixtures/methods/scclip/%s/trace/011_lof_lof_scores.npy", dir);
    load_f32(rel, &lof, 196);
    for (i = 0; i < 196; i++) {
        double d = fabs((double)scores[i] - ((const float *)lof.data)[i]);
        lof_err = d > lof_err ? d : lof_err;
    }
    printf("scclip %s: %d outliers as the official set; LOF scores max |a-b| %.2e\n", dir, n_out, lof_err);
    CHECK(lof_err <= 1e-5, "scclip %s LOF scores: %.3e", dir, lof_err);
    sclip_npy_free(&in), sclip_npy_free(&ref), sclip_npy_free(&idx), sclip_npy_free(&lof);
}

/* ResCLIP's window (context59 values, probe6 queries): tokens, patch class map, SFR matrix. */
static void resclip_window(sclip_context *c) {
    const char *dir = "fixtures/methods/resclip/vision_chelsea";
    sclip_npy in, ref, q, map, sfr;
    float *out = (float *)malloc(197 * 64 * sizeof(float)), *s2 = (float *)malloc(197 * 197 * sizeof(float));
    float *E = (float *)malloc(2 * 196 * 196 * sizeof(float)), sfr_err = 0;
    int lab[196], ref_lab[196], i, diff = 0;
    sclip_method_desc md;
    sclip__mparams mp;
    char rel[256], err[256];
    double e;
    sclip_result r;
    memset(&md, 0, sizeof md);
    md.kind = SCLIP_METHOD_RESCLIP;
    CHECK(!sclip_method_opt_parse("temp_thd=0.25", &md, err, sizeof err), "%s", err);
    CHECK(!sclip_method_opt_parse("attn_rcs_weights=2.0,0.4", &md, err, sizeof err), "%s", err);
    CHECK(!sclip_method_opt_parse("attn_sfr_weights=1.8,0.7", &md, err, sizeof err), "%s", err);
    sclip__method_resolve(&md, &mp);
    load_f32("fixtures/methods/chelsea_center224.npy", &in, 3 * 224 * 224);
    snprintf(rel, sizeof rel, "%s/tokens.npy", dir);
    load_f32(rel, &ref, 197 * 64);
    test_load_npy("tests/data/methods/resclip_vision_chelsea_queries.npy", &q);
    r = sclip__resclip_dense(c, (const float *)in.data, 224, 224, &mp, (const float *)q.data, 6, 40, out, lab);
    CHECK(r == SCLIP_OK, "resclip: %s", sclip_context_error(c));
    snprintf(rel, sizeof rel, "%s/trace/014_create_patch_matrix_out.npy", dir);
    test_load_npy(test_shared(rel), &map);
    for (i = 0; i < 196; i++) diff += lab[i] != (ref_lab[i] = (int)sclip_npy_get(&map, (size_t)i));
    printf("resclip vision_chelsea: patch class map %d of 196 patches differ\n", diff);
    CHECK(diff == 0, "resclip patch class map: %d patches differ", diff);
    e = test_rel_err(out, (const float *)ref.data, 197 * 64);
    printf("resclip vision_chelsea: tokens max|a-b|/max|b| %.2e\n", e);
    CHECK(e <= 1e-5, "resclip tokens: %.3e", e);
    /* the SFR matrix from the official patch map, before its fp16 step */
    snprintf(rel, sizeof rel, "%s/trace/015_generate_attention_sfr_out.npy", dir);
    load_f32(rel, &sfr, 197 * 197);
    CHECK(sclip__resclip_sfr(c, ref_lab, 14, 14, &mp, E, s2), "sfr");
    for (i = 0; i < 197 * 197; i++) {
        float d = fabsf(s2[i] - ((const float *)sfr.data)[i]);
        sfr_err = d > sfr_err ? d : sfr_err;
    }
    { /* and after custom_attn's two fp16 roundings */
        float *o2 = (float *)malloc(197 * 197 * sizeof(float));
        int nd = 0;
        memcpy(o2, sfr.data, 197 * 197 * sizeof(float));
        sclip__resclip_sfr_term(o2, 197, mp.lam_s);
        memcpy(E, s2, 197 * 197 * sizeof(float));
        sclip__resclip_sfr_term(E, 197, mp.lam_s);
        for (i = 0; i < 197 * 197; i++) nd += E[i] != o2[i];
        printf("resclip vision_chelsea: SFR term after its fp16 roundings: %d of %d entries differ\n", nd, 197 * 197);
        CHECK(nd == 0, "SFR term: %d entries differ", nd);
        free(o2);
    }
    printf("resclip vision_chelsea: SFR matrix max |a-b| %.2e\n", (double)sfr_err);
    CHECK(sfr_err == 0, "resclip SFR matrix: %.3e", (double)sfr_err);
    { /* NACLIP's Gaussian term Omega of the 14 x 14 grid */
        sclip_npy om;
        int nd = 0;
        snprintf(rel, sizeof rel, "%s/trace/017_gaussian_addition_omega.npy", dir);
        load_f32(rel, &om, 197 * 197);
        sclip__resclip_omega(14, 14, 5.0, s2);
        for (i = 0; i < 197 * 197; i++) nd += s2[i] != ((const float *)om.data)[i];
        printf("resclip vision_chelsea: Omega %d of %d entries differ\n", nd, 197 * 197);
        CHECK(nd == 0, "Omega: %d entries differ", nd);
        sclip_npy_free(&om);
    }
    sclip_npy_free(&in), sclip_npy_free(&ref), sclip_npy_free(&q), sclip_npy_free(&map), sclip_npy_free(&sfr);
    free(out), free(s2), free(E);
}

/* custom_attn's SFR term 0.7 * (sfr / sfr.max()).to(torch.float16) as PyTorch 1.13 computes it
   (values printed by it: the scalar is rounded to fp16 first). */
static void sfr_term(void) {
    float m[9] = {0.0f, 0.123456789f, 0.5f, 1.0f / 3.0f, 0.9f, 0.0001234f, 2.0f, 0.77777f, 0.0f}; /* T = 3 */
    static const float torch_values[9] = {0.0f, 0.043212890625f, 0.175048828125f, 0.11669921875f, 0.31494140625f,
                                          4.32133674621582e-05f, 0.7001953125f, 0.272216796875f, 0.0f};
    int i, bad = 0;
    sclip__resclip_sfr_term(m, 3, 0.7);
    for (i = 0; i < 9; i++) bad += m[i] != torch_values[i];
    printf("resclip SFR term against PyTorch's values: %d of 9 differ\n", bad);
    CHECK(bad == 0, "SFR term: %d values differ", bad);
}

/* Options, models and windows the official code cannot run: clear errors. */
static void errors(sclip_context *c12) {
    sclip_method_desc md;
    char err[256];
    float img[3 * 80 * 80], out[64 * 26];
    sclip_model *tiny = NULL;
    sclip_context *c3 = NULL;
    int i;
    memset(&md, 0, sizeof md);
    md.kind = SCLIP_METHOD_SCCLIP;
    CHECK(sclip_method_opt_parse("beta=0.5", &md, err, sizeof err) == SCLIP_OK && md.beta == 0.5, "beta");
    CHECK(sclip_method_opt_parse("temp_thd=0.5", &md, err, sizeof err) != SCLIP_OK && strstr(err, "unknown option"), "%s", err);
    CHECK(sclip_method_opt_parse("pre_adjust_idx=2.5", &md, err, sizeof err) != SCLIP_OK, "fractional index");
    CHECK(sclip_method_opt_parse("beta", &md, err, sizeof err) != SCLIP_OK && strstr(err, "KEY=VALUE"), "%s", err);
    CHECK(sclip_method_opt_parse("beta=x", &md, err, sizeof err) != SCLIP_OK, "beta=x");
    md.kind = SCLIP_METHOD_RESCLIP;
    CHECK(sclip_method_opt_parse("attn_rcs_weights=2.0", &md, err, sizeof err) != SCLIP_OK, "one number for a pair");
    CHECK(sclip_method_opt_parse("delete_same_entity=maybe", &md, err, sizeof err) != SCLIP_OK, "bool");
    CHECK(sclip_method_opt_parse("delete_same_entity=false", &md, err, sizeof err) == SCLIP_OK && !md.delete_same_entity, "false");
    CHECK(sclip_method_parse("scclip") == SCLIP_METHOD_SCCLIP && sclip_method_parse("resclip") == SCLIP_METHOD_RESCLIP &&
              sclip_method_parse("sclip") == SCLIP_METHOD_SCLIP && sclip_method_parse("naclip") == -1,
          "method names");
    for (i = 0; i < 3 * 80 * 80; i++) img[i] = (float)(i % 7) * 0.1f;
    /* 5x5 = 25 patches: LOF needs 31 */
    md.kind = SCLIP_METHOD_SCCLIP, md.set = 0;
    CHECK(sclip_encode_image_method(c12, img, 80, 80, &md, NULL, 0, 0, out, NULL) == SCLIP_ERROR_IMAGE_TOO_SMALL &&
              strstr(sclip_context_error(c12), "31"),
          "scclip small window: %s", sclip_context_error(c12));
    md.pre_adjust_idx = 11, md.set = 1u << SCLIP_MOPT_PRE_ADJUST_IDX;
    CHECK(sclip_encode_image_method(c12, img, 80, 80, &md, NULL, 0, 0, out, NULL) == SCLIP_ERROR_INVALID_ARGUMENT,
          "pre_adjust_idx 11 of 12 layers: %s", sclip_context_error(c12));
    if (sclip_model_load("build/tiny.sclip", NULL, &tiny, err, sizeof err) == SCLIP_OK && sclip_context_create(tiny, NULL, &c3) == SCLIP_OK) {
        md.set = 0;
        CHECK(sclip_encode_image_method(c3, img, 80, 80, &md, NULL, 0, 0, out, NULL) == SCLIP_ERROR_INVALID_ARGUMENT &&
                  strstr(sclip_context_error(c3), "3-layer"),
              "scclip on 3 layers: %s", sclip_context_error(c3));
        md.kind = SCLIP_METHOD_RESCLIP;
        CHECK(sclip_encode_image_method(c3, img, 80, 80, &md, out, 1, 0, out, NULL) == SCLIP_ERROR_INVALID_ARGUMENT &&
                  strstr(sclip_context_error(c3), "10 layers"),
              "resclip on 3 layers: %s", sclip_context_error(c3));
    }
    sclip_context_free(c3);
    sclip_model_free(tiny);
}

int main(void) {
    sclip_model *m = NULL;
    sclip_context *c = NULL;
    char err[256];
    FILE *f = fopen(model_path, "rb");
    test_shared("fixtures/methods/tiny12/openai.pt");
    if (!f) test_skip("build/tiny12.sclip not found (tests/run.sh makes it)");
    fclose(f);
    if (sclip_model_load(model_path, NULL, &m, err, sizeof err) != SCLIP_OK || sclip_context_create(m, NULL, &c) != SCLIP_OK) {
        fprintf(stderr, "FAIL %s\n", err);
        return 1;
    }
    scclip_window(c, "fixtures/methods/tiny12/vision_input.npy", "vision_noise");
    scclip_window(c, "fixtures/methods/chelsea_center224.npy", "vision_chelsea");
    resclip_window(c);
    sfr_term();
    errors(c);
    sclip_context_free(c);
    sclip_model_free(m);
    return test_done("test_methods");
}
