/* test_gemm_lowp.c - the bf16, int8 (q8) and 12-bit integer (q16) matrix products.
   For every build (AVX-512 BF16/VNNI, or the portable kernels only): the SIMD path must
   reproduce the scalar kernel bit for bit (within 2e-6 after QuickGELU/GELU, whose vector
   exp differs from libm), column ranges must reproduce the full run bit for bit and leave
   other columns alone, and both must stay within the format's error bound of the double
   triple loop on the float weights (sclip__gemm_ref):
     bf16: |err| <= 2^-7 * sum_k |x w| + fp32 slack (each operand rounded to 8 bits)
     q8:   |err| <= s_x/2 sum_k |w| + s_w/2 sum_k |x| + k s_x s_w / 4 + slack, s = max/127
     q16:  the same with s = max/2047
   Converters (f32 -> bf16, row quantisation) are checked against their definition, and
   all packers against sclip__*_pack. No fixture needed. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"

#include <stdint.h>

static void *amalloc(size_t n) { /* 64-byte aligned, freed with afree */
    unsigned char *p = (unsigned char *)malloc(n + 128), *q;
    if (!p) abort();
    q = p + 64 - ((size_t)p & 63);
    memcpy(q - sizeof p, &p, sizeof p);
    return q;
}
static void afree(void *q) {
    unsigned char *p;
    if (!q) return;
    memcpy(&p, (unsigned char *)q - sizeof p, sizeof p);
    free(p);
}

static double worst[3]; /* largest error / bound vs the f32 reference, per format */

/* sclip__gemm_*_with: all in one, simd = 0 the portable kernel */
typedef void (*lp_fn)(int, int, int, int, const float *, int, const void *, const float *, int, float *, int, int,
                      int, void *);

/* ---- converters ---- */
static void test_bf16_convert(void) {
    uint32_t s = 777u;
    int i, bad = 0, n = 100000;
    float *x = (float *)malloc((size_t)n * sizeof(float));
    uint16_t *h0 = (uint16_t *)malloc((size_t)n * 2 + 2), *h1 = (uint16_t *)malloc((size_t)n * 2 + 2);
    for (i = 0; i < n; i++) { /* random bit patterns: normals, denormals, inf, nan */
        uint32_t b;
        test_rnd(&s); b = s;
        if (i % 7 == 0) b &= 0x807fffffu; /* denormal */
        memcpy(&x[i], &b, 4);
    }
    sclip__bf16_convert_rows(1, 1, n, x, n, h0);
    sclip__bf16_convert_rows(0, 1, n, x, n, h1);
    CHECK(memcmp(h0, h1, (size_t)n * 2) == 0, "bf16 SIMD conversion differs from scalar");
    for (i = 0; i < n; i++) { /* nearest: no other bf16 closer; ties to even */
        float f = x[i], v = sclip__bf16_to_f32(h1[i]);
        uint16_t up = (uint16_t)(h1[i] + 1), dn = (uint16_t)(h1[i] - 1);
        double d, du, dd;
        if (f != f) { bad += v == v; continue; }
        if (fabsf(f) < 1.17549435e-38f) { bad += v != 0.0f; continue; }
        if (isinf(f)) { bad += v != f; continue; }
        if (isinf(v)) continue; /* rounded past the largest bf16 */
        d = fabs((double)v - f);
        du = fabs((double)sclip__bf16_to_f32(up) - f);
        dd = fabs((double)sclip__bf16_to_f32(dn) - f);
        if (d > du || d > dd || ((d == du || d == dd) && (h1[i] & 1))) bad++;
    }
    CHECK(bad == 0, "%d f32 -> bf16 conversions not nearest-even", bad);
    CHECK(sclip__f32_to_bf16(1.0f + ldexpf(1.0f, -8)) == 0x3f80, "tie down to even");
    CHECK(sclip__f32_to_bf16(1.0f + 3 * ldexpf(1.0f, -8)) == 0x3f82, "tie up to even");
    free(x); free(h0); free(h1);
}

static void test_q8_quantize(void) {
    uint32_t s = 4242u;
    int m = 9, k = 133, i, kk, kp = (k + 3) & ~3, bad = 0;
    float *x = test_rnd_buf((size_t)m * k, &s, 3.0f);
    unsigned char *a0 = (unsigned char *)amalloc(sclip__gemm_q8_act_size(m, k));
    unsigned char *a1 = (unsigned char *)amalloc(sclip__gemm_q8_act_size(m, k));
    const float *rs = (const float *)(const void *)(a1 + ((size_t)m * kp + 63) / 64 * 64);
    for (kk = 0; kk < k; kk++) x[3 * k + kk] = 0.0f;   /* an all-zero row */
    x[5 * k + 17] = 1000.0f;                            /* an outlier */
    x[7 * k + 100] = (float)NAN;                        /* garbage in: same bytes both ways */
    sclip__gemm_q8_quantize_with(1, m, 0, m, k, x, k, a0);
    sclip__gemm_q8_quantize_with(0, m, 0, m, k, x, k, a1);
    CHECK(memcmp(a0, a1, sclip__gemm_q8_act_size(m, k)) == 0, "q8 SIMD quantisation differs from scalar");
    for (i = 0; i < m; i++) {
        float mx = 0.0f;
        if (i == 7) continue;
        for (kk = 0; kk < k; kk++) mx = fmaxf(mx, fabsf(x[i * k + kk]));
        bad += rs[i] != mx / 127.0f;
        for (kk = 0; kk < kp; kk++) {
            int q = (int)a1[(size_t)i * kp + kk] - 128;
            double want = kk < k && mx > 0 ? x[i * k + kk] / (double)rs[i] : 0.0;
            bad += fabs(q - want) > 0.5 + 1e-4 || q < -127;
        }
    }
    CHECK(bad == 0, "%d quantised activations off", bad);
    free(x); afree(a0); afree(a1);
}

/* ---- products ---- */
/* Error bound of one format for y[i][j] vs the exact product (before the epilogue). */
static double bound(int fmt, const float *x, int ldx, const float *w, int k, int i, int j, double sxw) {
    int p;
    double sx = 0, sw = 0, mx = 0, mw = 0;
    if (fmt == 0) return ldexp(1.0, -7) * sxw + 1e-5 * sxw;
    for (p = 0; p < k; p++) {
        double a = fabs(x[(size_t)i * ldx + p]), b = fabs(w[(size_t)j * k + p]);
        sx += a; sw += b;
        if (a > mx) mx = a;
        if (b > mw) mw = b;
    }
    mx /= fmt == 1 ? 127 : 2047;
    mw /= fmt == 1 ? 127 : 2047;
    return mx / 2 * sw + mw / 2 * sx + k * mx * mw / 4 + 1e-5 * sxw;
}

static void test_case(int fmt, int m, int n, int k, uint32_t seed) {
    uint32_t s = seed;
    int ldx = k + (int)(seed % 3), ldy = n + (int)(seed % 5), epi, hb, i, j, p, split;
    size_t ysz = (size_t)m * ldy + 1;
    float *x = test_rnd_buf((size_t)m * ldx, &s, 1.0f), *w = test_rnd_buf((size_t)n * k, &s, 0.5f);
    float *bias = test_rnd_buf((size_t)n, &s, 1.0f), *y0 = test_rnd_buf(ysz, &s, 2.0f);
    float *yr = (float *)malloc(ysz * 4), *ys = (float *)malloc(ysz * 4), *yv = (float *)malloc(ysz * 4);
    float *yg = (float *)malloc(ysz * 4);
    double *sxw = (double *)malloc(((size_t)m * n + 1) * sizeof(double));
    size_t psz = fmt == 1 ? sclip__gemm_q8_packed_size(n, k) : fmt == 2 ? sclip__gemm_q16_packed_size(n, k)
                                                                        : sclip__gemm_bf16_packed_size(n, k);
    size_t ssz = fmt == 1 ? sclip__gemm_q8_scratch_size(m, k) : fmt == 2 ? sclip__gemm_q16_scratch_size(m, k)
                                                                        : sclip__gemm_bf16_scratch_size(m, k);
    void *packed = amalloc(psz), *scratch = amalloc(ssz);
    lp_fn fn = fmt == 1 ? sclip__gemm_q8_with : fmt == 2 ? sclip__gemm_q16_with : sclip__gemm_bf16_with;
    const char *name = fmt == 1 ? "q8" : fmt == 2 ? "q16" : "bf16";
    if (k > 0) x[(size_t)(m / 2) * ldx + (size_t)(k / 3)] = 8.0f; /* one outlier activation */
    if (fmt == 1) sclip__gemm_q8_pack(w, n, k, packed);
    else if (fmt == 2) sclip__gemm_q16_pack(w, n, k, packed);
    else sclip__gemm_bf16_pack(w, n, k, packed);
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            double a = 0;
            for (p = 0; p < k; p++) a += fabs((double)x[(size_t)i * ldx + p] * w[(size_t)j * k + p]);
            sxw[(size_t)i * n + j] = a;
        }
    for (epi = SCLIP__EPI_NONE; epi <= SCLIP__EPI_ADD; epi++)
        for (hb = 0; hb < 2; hb++) {
            const float *b = hb ? bias : NULL;
            int nbad = 0, nexact = 0;
            memcpy(yr, y0, ysz * 4); memcpy(ys, y0, ysz * 4); memcpy(yv, y0, ysz * 4);
            sclip__gemm_ref(m, n, k, x, ldx, w, b, epi, yr, ldy, 0, n);
            fn(0, m, n, k, x, ldx, packed, b, epi, ys, ldy, 0, n, scratch);
            fn(1, m, n, k, x, ldx, packed, b, epi, yv, ldy, 0, n, scratch);
            for (i = 0; i < m; i++)
                for (j = 0; j < ldy; j++) {
                    size_t o = (size_t)i * ldy + j;
                    double e, tol;
                    if (j >= n) { nbad += memcmp(&ys[o], &y0[o], 4) != 0 || memcmp(&yv[o], &y0[o], 4) != 0; continue; }
                    if (epi == SCLIP__EPI_QUICKGELU || epi == SCLIP__EPI_GELU)
                        nexact += fabs((double)yv[o] - ys[o]) > 2e-6 * (fabs(ys[o]) + 1e-3);
                    else
                        nexact += memcmp(&yv[o], &ys[o], 4) != 0;
                    /* |epi'| <= 1.13 for both GELUs */
                    tol = 1.15 * bound(fmt, x, ldx, w, k, i, j, sxw[(size_t)i * n + j]) + 1e-6 * fabs(yr[o]) + 1e-30;
                    e = fabs((double)ys[o] - yr[o]);
                    if (e / tol > worst[fmt]) worst[fmt] = e / tol;
                    nbad += e > tol;
                }
            nbad += memcmp(&ys[m * (size_t)ldy], &y0[m * (size_t)ldy], 4) != 0;
            CHECK(nexact == 0, "%s m=%d n=%d k=%d epi=%d bias=%d: SIMD differs from scalar at %d", name, m, n, k,
                  epi, hb, nexact);
            CHECK(nbad == 0, "%s m=%d n=%d k=%d epi=%d bias=%d: %d outside the error bound", name, m, n, k, epi,
                  hb, nbad);
            /* column ranges reproduce the full run bit for bit */
            for (split = 0; split < 3; split++) {
                int np = (n + 31) / 32, j0, j1;
                j0 = (int)(((unsigned)seed * 7u + (unsigned)split * 13u) % (unsigned)np) * 32;
                j1 = j0 + 32 * (1 + split);
                if (j1 > n || split == 2) j1 = n;
                memcpy(yg, y0, ysz * 4);
                fn(1, m, n, k, x, ldx, packed, b, epi, yg, ldy, j0, j1, scratch);
                nbad = 0;
                for (i = 0; i < m; i++)
                    for (j = 0; j < ldy; j++) {
                        size_t o = (size_t)i * ldy + j;
                        nbad += memcmp(&yg[o], (j >= j0 && j < j1) ? &yv[o] : &y0[o], 4) != 0;
                    }
                CHECK(nbad == 0, "%s m=%d n=%d k=%d epi=%d cols [%d,%d): %d differ from the full run", name, m,
                      n, k, epi, j0, j1, nbad);
            }
        }
    free(x); free(w); free(bias); free(y0); free(yr); free(ys); free(yv); free(yg); free(sxw);
    afree(packed); afree(scratch);
}

/* Every packer gives the bytes of the plain one. */
static void test_packers(int n, int k) {
    uint32_t s = 31u + (uint32_t)k;
    float *w = test_rnd_buf((size_t)n * k, &s, 2.0f), *wt = (float *)malloc((size_t)n * k * 4 + 4);
    uint16_t *h = (uint16_t *)malloc((size_t)n * k * 2 + 2), *ht = (uint16_t *)malloc((size_t)n * k * 2 + 2);
    signed char *q = (signed char *)malloc((size_t)n * k + 1);
    float *sc = (float *)malloc((size_t)n * 4 + 4);
    size_t pb = sclip__gemm_bf16_packed_size(n, k), pq = sclip__gemm_q8_packed_size(n, k);
    unsigned char *p0 = (unsigned char *)amalloc(pb > pq ? pb : pq), *p1 = (unsigned char *)amalloc(pb > pq ? pb : pq);
    int j, p;
    for (j = 0; j < n * k; j++) { h[j] = sclip__f32_to_f16(w[j]); w[j] = sclip__f16_to_f32(h[j]); }
    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++) { wt[(size_t)p * n + j] = w[(size_t)j * k + p]; ht[(size_t)p * n + j] = h[(size_t)j * k + p]; }
    sclip__gemm_bf16_pack(w, n, k, p0);
    sclip__gemm_bf16_pack_t(wt, k, n, p1); CHECK(memcmp(p0, p1, pb) == 0, "bf16 pack_t n=%d k=%d", n, k);
    sclip__gemm_bf16_pack_f16(h, n, k, p1); CHECK(memcmp(p0, p1, pb) == 0, "bf16 pack_f16 n=%d k=%d", n, k);
    sclip__gemm_bf16_pack_t_f16(ht, k, n, p1); CHECK(memcmp(p0, p1, pb) == 0, "bf16 pack_t_f16 n=%d k=%d", n, k);
    sclip__gemm_q8_pack(w, n, k, p0);
    sclip__gemm_q8_pack_t(wt, k, n, p1); CHECK(memcmp(p0, p1, pq) == 0, "q8 pack_t n=%d k=%d", n, k);
    sclip__gemm_q8_pack_f16(h, n, k, p1); CHECK(memcmp(p0, p1, pq) == 0, "q8 pack_f16 n=%d k=%d", n, k);
    sclip__gemm_q8_pack_t_f16(ht, k, n, p1); CHECK(memcmp(p0, p1, pq) == 0, "q8 pack_t_f16 n=%d k=%d", n, k);
    /* the .sclip q8 layout: quantise by the documented rule, then pack it directly */
    for (j = 0; j < n; j++) {
        float mx = 0.0f;
        for (p = 0; p < k; p++) mx = fmaxf(mx, fabsf(w[(size_t)j * k + p]));
        sc[j] = mx / 127.0f;
        for (p = 0; p < k; p++) q[(size_t)j * k + p] = (signed char)lrintf(w[(size_t)j * k + p] * (127.0f / mx));
    }
    sclip__gemm_q8_pack_q8(q, sc, n, k, p1);
    CHECK(memcmp(p0, p1, pq) == 0, "q8 pack_q8 n=%d k=%d", n, k);
    free(w); free(wt); free(h); free(ht); free(q); free(sc); afree(p0); afree(p1);
}

static void test_q16_quantize(void) {
    uint32_t s = 4343u;
    int m = 9, k = 133, k2 = 134, i, kk, bad = 0;
    float *x = test_rnd_buf((size_t)m * k, &s, 3.0f);
    size_t asz = sclip__gemm_q16_act_size(m, k);
    unsigned char *a0 = (unsigned char *)amalloc(asz), *a1 = (unsigned char *)amalloc(asz);
    const int16_t *q = (const int16_t *)(const void *)a1;
    size_t ro = ((size_t)m * k2 * 2 + 63) / 64 * 64; /* the row scales follow the rows */
    const float *rs = (const float *)(const void *)(a1 + ro);
    for (kk = 0; kk < k; kk++) x[3 * k + kk] = 0.0f; /* an all-zero row */
    x[5 * k + 17] = 1000.0f;                          /* an outlier */
    x[7 * k + 97] = x[7 * k + 100] = (float)NAN;     /* garbage in: same values both ways */
    memset(a0, 0, asz);
    memset(a1, 0, asz);
    sclip__q16_quantize_rows(1, m, k, x, k, (int16_t *)(void *)a0, (float *)(void *)(a0 + ro));
    sclip__q16_quantize_rows(0, m, k, x, k, (int16_t *)(void *)a1, (float *)(void *)(a1 + ro));
    CHECK(memcmp(a0, a1, asz) == 0, "q16 SIMD quantisation differs from scalar");
    for (i = 0; i < m; i++) {
        float mx = 0.0f;
        if (i == 7) continue;
        for (kk = 0; kk < k; kk++) mx = fmaxf(mx, fabsf(x[i * k + kk]));
        bad += rs[i] != mx / 2047.0f;
        for (kk = 0; kk < k2; kk++) {
            int v = q[(size_t)i * k2 + kk];
            double want = kk < k && mx > 0 ? x[i * k + kk] / (double)rs[i] : 0.0;
            bad += fabs(v - want) > 0.5 + 1e-3 || v < -2047 || v > 2047;
        }
    }
    CHECK(bad == 0, "%d quantised activations off", bad);
    free(x); afree(a0); afree(a1);
}

/* The largest sums q16 can meet (every product 2047^2, long K) stay exact per K block. */
static void test_q16_extreme(void) {
    int m = 3, n = 33, k = 4099, i;
    float *x = (float *)malloc((size_t)m * k * 4), *w = (float *)malloc((size_t)n * k * 4), *y = (float *)malloc((size_t)m * n * 4);
    void *packed = amalloc(sclip__gemm_q16_packed_size(n, k)), *scratch = amalloc(sclip__gemm_q16_scratch_size(m, k));
    int bad = 0;
    for (i = 0; i < m * k; i++) x[i] = 3.0f;
    for (i = 0; i < n * k; i++) w[i] = -0.25f;
    sclip__gemm_q16_pack(w, n, k, packed);
    sclip__gemm_q16_with(1, m, n, k, x, k, packed, NULL, SCLIP__EPI_NONE, y, n, 0, n, scratch);
    for (i = 0; i < m * n; i++) bad += fabs(y[i] + 0.75 * k) > 1e-5 * 0.75 * k;
    CHECK(bad == 0, "q16 extreme sums: %d of %d off (first %g, want %g)", bad, m * n, y[0], -0.75 * k);
    free(x); free(w); free(y); afree(packed); afree(scratch);
}

int main(void) {
    static const int sizes[][3] = {
        {1, 1, 1}, {1, 32, 4}, {3, 5, 2}, {7, 33, 9}, {6, 32, 64}, {13, 70, 31}, {25, 64, 1},
        {8, 1, 100}, {12, 96, 130}, {17, 40, 513}, {5, 65, 1027}, {30, 64, 2053}, {50, 100, 768},
    };
    int c, fmt;
    printf("paths: bf16 %s, q8 %s (MR %d), q16 %s\n", SCLIP__BF16_PATH,
           SCLIP__Q8_PATH, SCLIP__Q8_MR, SCLIP__Q16_PATH);
    test_bf16_convert();
    test_q8_quantize();
    test_q16_quantize();
    test_q16_extreme();
    test_packers(37, 11);
    test_packers(64, 128);
    for (fmt = 0; fmt < 3; fmt++)
        for (c = 0; c < (int)(sizeof sizes / sizeof sizes[0]); c++)
            test_case(fmt, sizes[c][0], sizes[c][1], sizes[c][2], 1000u + (uint32_t)c * 17u);
    printf("largest error / bound vs f32: bf16 %.3f, q8 %.3f, q16 %.3f\n", worst[0], worst[1], worst[2]);
    return test_done("test_gemm_lowp");
}
