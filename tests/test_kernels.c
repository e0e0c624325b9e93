/* test_kernels.c - every instruction set's kernel table against the reference kernels (the
   plain loops of SCLIP_REFERENCE), entry by entry, on random data: the fp32 products (every
   epilogue, K past one block, a column split), the attention products (keys packed by rows,
   values by columns, the small nt / nn products), LayerNorm and softmax; and the low-precision
   products of every level against the lowest level's.
   Built with -march=native (make) it checks the one table of the build; built with plain -O2 on
   x86-64 or arm64 Linux (tests/test_builds.sh) it checks every level this CPU runs. */
#define SCLIP_IMPLEMENTATION
#define SCLIP_STATIC
#include "sclip.h"
#include "test_common.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static float frand(void) { /* uniform in [-1, 1) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}
static float *frands(size_t n) {
    float *p = (float *)malloc(n * sizeof(float));
    size_t i;
    for (i = 0; i < n; i++) p[i] = frand();
    return p;
}

/* max |a - b| / max |b| over n values */
static double rel_err(const float *a, const float *b, size_t n) {
    double e = 0, mb = 1e-30;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        e = d > e ? d : e;
        mb = fabs(b[i]) > mb ? fabs(b[i]) : mb;
    }
    return e / mb;
}

/* y = epi(x W^T + b) with W packed by pack_t, pack_f16 or pack, the columns in two parts. */
static void check_linear(const sclip__kernels *k, const sclip__kernels *ref) {
    const int m = 37, n = 70, kk = 300; /* k past one K block (256), n not a multiple of any panel */
    float *x = frands((size_t)m * kk), *w = frands((size_t)n * kk), *b = frands(n), *wt = frands((size_t)kk * n);
    float *y = frands((size_t)m * n), *yr = (float *)malloc((size_t)m * n * sizeof(float));
    float *packed = (float *)malloc(k->gemm_packed_size(n, kk) * sizeof(float));
    float *rpacked = (float *)malloc(ref->gemm_packed_size(n, kk) * sizeof(float));
    uint16_t *h = (uint16_t *)malloc((size_t)n * kk * sizeof(uint16_t));
    int epi, form, i, p;
    for (i = 0; i < n; i++)
        for (p = 0; p < kk; p++) wt[(size_t)p * n + i] = w[(size_t)i * kk + p];
    for (i = 0; i < n * kk; i++) h[i] = sclip__f32_to_f16(w[i]);
    for (form = 0; form < 3; form++) {
        const char *fname = form == 0 ? "pack" : form == 1 ? "pack_t" : "pack_f16";
        if (form == 0) k->gemm_pack(w, n, kk, packed), ref->gemm_pack(w, n, kk, rpacked);
        if (form == 1) k->gemm_pack_t(wt, kk, n, packed), ref->gemm_pack_t(wt, kk, n, rpacked);
        if (form == 2) k->gemm_pack_f16(h, n, kk, packed), ref->gemm_pack_f16(h, n, kk, rpacked);
        for (epi = SCLIP__EPI_NONE; epi <= SCLIP__EPI_ADD; epi++) {
            double e;
            memcpy(yr, y, (size_t)m * n * sizeof(float)); /* EPI_ADD adds to what is there */
            k->gemm(m, n, kk, x, kk, packed, epi == SCLIP__EPI_GELU ? NULL : b, epi, y, n, 0, 32);
            k->gemm(m, n, kk, x, kk, packed, epi == SCLIP__EPI_GELU ? NULL : b, epi, y, n, 32, n);
            ref->gemm(m, n, kk, x, kk, rpacked, epi == SCLIP__EPI_GELU ? NULL : b, epi, yr, n, 0, n);
            e = rel_err(y, yr, (size_t)m * n);
            CHECK(e < 1e-5, "%s: gemm (%s, epilogue %d): relative error %.3g", k->name, fname, epi, e);
            memcpy(y, yr, (size_t)m * n * sizeof(float));
        }
    }
    free(x), free(w), free(b), free(wt), free(y), free(yr), free(packed), free(rpacked), free(h);
}

/* Attention's products: scores = s q K^T (K packed by rows), o = P V (V packed by columns), and
   the text tower's small products nt / nn. */
static void check_attention(const sclip__kernels *k, const sclip__kernels *ref) {
    const int L = 77, hd = 64, ld = 3 * 64;
    float *qkv = frands((size_t)L * ld), *s = NULL, *sr = NULL, *o, *orf, *pk, *pv, *rk, *rv;
    int Lp = (int)k->gemm_packed_size(L, 1), Lr = (int)ref->gemm_packed_size(L, 1), i, acc;
    double e;
    pk = (float *)calloc(k->gemm_packed_size(L, hd), sizeof(float));
    pv = (float *)calloc(k->gemm_packed_size(hd, L), sizeof(float));
    rk = (float *)calloc(ref->gemm_packed_size(L, hd), sizeof(float));
    rv = (float *)calloc(ref->gemm_packed_size(hd, L), sizeof(float));
    s = (float *)calloc((size_t)L * Lp, sizeof(float));
    sr = (float *)calloc((size_t)L * Lr, sizeof(float));
    o = (float *)calloc((size_t)L * hd, sizeof(float));
    orf = (float *)calloc((size_t)L * hd, sizeof(float));
    k->gemm_pack_rows(qkv + hd, ld, L, hd, pk);
    ref->gemm_pack_rows(qkv + hd, ld, L, hd, rk);
    k->gemm_packed(L, Lp, hd, 0.125f, qkv, ld, pk, s, Lp);
    ref->gemm_packed(L, Lr, hd, 0.125f, qkv, ld, rk, sr, Lr);
    for (e = 0, i = 0; i < L; i++) {
        double ei = rel_err(s + (size_t)i * Lp, sr + (size_t)i * Lr, (size_t)L);
        e = ei > e ? ei : e;
    }
    CHECK(e < 1e-5, "%s: scores q K^T (pack_rows, gemm_packed): relative error %.3g", k->name, e);
    for (i = 0; i < L; i++) { /* rows of probabilities, the same for both */
        float *row = sr + (size_t)i * Lr;
        ref->softmax_scale(row, ref->softmax_exp(row, L), NULL, 0.0f, L);
        memcpy(s + (size_t)i * Lp, row, (size_t)L * sizeof(float));
    }
    k->gemm_pack_cols(qkv + 2 * hd, ld, L, hd, pv);
    ref->gemm_pack_cols(qkv + 2 * hd, ld, L, hd, rv);
    k->gemm_packed(L, hd, L, 1.0f, s, Lp, pv, o, hd);
    ref->gemm_packed(L, hd, L, 1.0f, sr, Lr, rv, orf, hd);
    e = rel_err(o, orf, (size_t)L * hd);
    CHECK(e < 1e-5, "%s: P V (pack_cols, gemm_packed): relative error %.3g", k->name, e);
    /* the text tower: scores = s q K^T and o (+)= P V on unpacked operands */
    k->gemm_nt(L, L, hd, 0.125f, qkv, ld, qkv + hd, ld, s, Lp);
    ref->gemm_nt(L, L, hd, 0.125f, qkv, ld, qkv + hd, ld, sr, Lr);
    for (e = 0, i = 0; i < L; i++) {
        double ei = rel_err(s + (size_t)i * Lp, sr + (size_t)i * Lr, (size_t)L);
        e = ei > e ? ei : e;
    }
    CHECK(e < 1e-5, "%s: gemm_nt: relative error %.3g", k->name, e);
    for (acc = 0; acc < 2; acc++) {
        k->gemm_nn(L, hd, L, sr, Lr, qkv + 2 * hd, ld, o, hd, acc);
        ref->gemm_nn(L, hd, L, sr, Lr, qkv + 2 * hd, ld, orf, hd, acc);
        e = rel_err(o, orf, (size_t)L * hd);
        CHECK(e < 1e-5, "%s: gemm_nn (accumulate %d): relative error %.3g", k->name, acc, e);
    }
    free(qkv), free(s), free(sr), free(o), free(orf), free(pk), free(pv), free(rk), free(rv);
}

/* LayerNorm and the two halves of softmax (CSA's sum of two softmaxes), odd lengths. */
static void check_rows(const sclip__kernels *k, const sclip__kernels *ref) {
    int n;
    for (n = 1; n <= 800; n += n < 40 ? 1 : 97) {
        float *x = frands(n), *w = frands(n), *b = frands(n), *y = frands(n), *a = (float *)malloc(n * sizeof(float));
        float *ar = (float *)malloc(n * sizeof(float)), *y2 = (float *)malloc(n * sizeof(float));
        float ra, rr;
        double e;
        int i;
        for (i = 0; i < n; i++) x[i] *= 8, y[i] *= 8;
        k->layer_norm_row(x, a, n, w, b, 1e-5f);
        ref->layer_norm_row(x, ar, n, w, b, 1e-5f);
        e = rel_err(a, ar, n);
        CHECK(e < 1e-5, "%s: layer_norm_row (n = %d): relative error %.3g", k->name, n, e);
        memcpy(a, x, n * sizeof(float));
        memcpy(ar, x, n * sizeof(float));
        memcpy(y2, y, n * sizeof(float));
        ra = k->softmax_exp(a, n);
        rr = ref->softmax_exp(ar, n);
        CHECK(fabs(ra - rr) <= 1e-5 * rr, "%s: softmax_exp (n = %d): 1/sum %.9g, reference %.9g", k->name, n, ra, rr);
        k->softmax_scale(a, ra, y, k->softmax_exp(y, n), n);
        ref->softmax_scale(ar, rr, y2, ref->softmax_exp(y2, n), n);
        e = rel_err(a, ar, n);
        CHECK(e < 1e-5, "%s: softmax_scale (n = %d): relative error %.3g", k->name, n, e);
        free(x), free(w), free(b), free(y), free(a), free(ar), free(y2);
    }
}

#if SCLIP__DISPATCH
/* One low-precision product (precision q8, bf16 or q16) of table k: the rows of x converted in
   two parts, as two threads do, then y = x W^T + b. */
static void lowp_product(const sclip__kernels *k, int precision, int m, int n, int kk, const float *x, const float *w,
                         const float *b, float *y) {
    const sclip__lowp_kernels *f = &k->lowp[precision];
    unsigned char *packed = (unsigned char *)sclip__alloc(NULL, f->packed_size(n, kk));
    unsigned char *a = (unsigned char *)sclip__alloc(NULL, f->act_size(m, kk));
    unsigned char *part = (unsigned char *)sclip__alloc(NULL, k->lowp_part_size(m));
    f->pack(w, n, kk, packed);
    f->convert(m, 0, 5, kk, x, kk, a);
    f->convert(m, 5, m, kk, x, kk, a);
    f->gemm(m, n, kk, a, packed, b, SCLIP__EPI_NONE, y, n, 0, n, part);
    sclip__free(packed), sclip__free(a), sclip__free(part);
}

/* bf16, q8 and q16 products of level k against the lowest level's (portable C; arm64: NEON). */
static void check_lowp(const sclip__kernels *k, const sclip__kernels *c) {
    const int m = 13, n = 70, kk = 1100; /* q8: k past one block (1024) */
    float *x = frands((size_t)m * kk), *w = frands((size_t)n * kk), *b = frands(n);
    float *y = (float *)malloc((size_t)m * n * sizeof(float)), *yc = (float *)malloc((size_t)m * n * sizeof(float));
    int p;
    for (p = SCLIP_PRECISION_Q8; p <= SCLIP_PRECISION_Q16; p++) {
        double e;
        lowp_product(k, p, m, n, kk, x, w, b, y);
        lowp_product(c, p, m, n, kk, x, w, b, yc);
        e = rel_err(y, yc, (size_t)m * n);
        CHECK(e < 1e-5, "%s: %s product against portable C: relative error %.3g", k->name,
              sclip_precision_name((sclip_precision)p), e);
    }
    free(x), free(w), free(b), free(y), free(yc);
}
#endif

static void check_table(const sclip__kernels *k) {
    printf("%s\n", k->name);
    check_linear(k, &sclip__kernels_reference);
    check_attention(k, &sclip__kernels_reference);
    check_rows(k, &sclip__kernels_reference);
}

int main(void) {
#if SCLIP__DISPATCH
    int best = sclip__cpu_level(), i;
    for (i = 0; i < best; i++) {
        check_table(sclip__levels[i]);
        check_lowp(sclip__levels[i], sclip__levels[0]);
    }
#else
    check_table(&sclip__kernels_native);
#endif
    { /* the model runs the plain loops exactly when asked to */
        const char *env = getenv("SCLIP_CPU");
        int want = env && !strcmp(env, "reference");
#ifdef SCLIP_REFERENCE
        want = 1;
#endif
        CHECK((sclip__kernels_choose() == &sclip__kernels_reference) == want, "the reference kernels %s",
              want ? "were asked for, not chosen" : "were chosen, not asked for");
    }
    /* the reference itself against a few products worked by hand: [1 2; 3 4] [5 6; 7 8]^T */
    {
        const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, want[4] = {17, 23, 39, 53};
        float c[4];
        sclip__kernels_reference.gemm_nt(2, 2, 2, 1.0f, a, 2, b, 2, c, 2);
        CHECK(!memcmp(c, want, sizeof c), "reference gemm_nt: %g %g %g %g", c[0], c[1], c[2], c[3]);
    }
    return test_done("test_kernels");
}
