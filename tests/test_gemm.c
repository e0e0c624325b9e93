/* test_gemm.c - the packed matrix-product engine against a plain triple loop.
   Every build (AVX-512, AVX2, NEON, SCLIP_NO_SIMD) checks its SIMD kernel and the portable
   kernel against sclip__gemm_ref (double sums) on edge sizes, all epilogues, strides and
   column splits; the attention products against a double loop; f16 conversion exactly.
   Needs no fixture: the references are computed here from first principles. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"

#include <float.h>

static double worst = 0.0; /* largest error / tolerance seen, for the log */

/* |got - want| <= 1e-5 * (|want| + scale): scale is the sum of |terms| (fp32 error bound). */
static int close_to(float got, double want, double scale) {
    double tol = 1e-5 * (fabs(want) + scale) + 1e-30, e = fabs((double)got - want);
    if (e / tol > worst) worst = e / tol;
    return e <= tol;
}

/* ---- f16 ---- */
static double f16_value(unsigned h) {
    unsigned e = (h >> 10) & 31, m = h & 1023;
    double v = e ? ldexp(1.0 + m / 1024.0, (int)e - 15) : ldexp((double)m, -24);
    return (h & 0x8000) ? -v : v;
}

static void test_f16(void) {
    unsigned h;
    uint32_t s = 12345u;
    int i, bad = 0;
    float buf[40];
    uint16_t hb[40];
    for (h = 0; h < 65536; h++) {
        float f = sclip__f16_to_f32((uint16_t)h);
        unsigned e = (h >> 10) & 31;
        if (e == 31) {
            if ((h & 1023) == 0) bad += !(isinf(f) && ((h & 0x8000) != 0) == (f < 0));
            else bad += !(f != f) || sclip__f32_to_f16(f) != (uint16_t)(h | 0x200);
            continue;
        }
        bad += (double)f != f16_value(h);
        bad += sclip__f32_to_f16(f) != (uint16_t)h;    /* exact round trip, -0 included */
    }
    CHECK(bad == 0, "%d f16 values converted wrongly", bad);
    /* f32 -> f16: nearest, ties to even, on random bit patterns over the whole range. */
    bad = 0;
    for (i = 0; i < 2000000; i++) {
        uint32_t bits;
        float f;
        uint16_t r;
        double v, d, dn, dp;
        test_rnd(&s);
        bits = s;
        memcpy(&f, &bits, 4);
        if (f != f) continue;
        if (i & 1) f = ldexpf(f, -(int)((bits >> 23) & 0xff) + 127 - (int)(bits % 40)); /* near the half range */
        r = sclip__f32_to_f16(f);
        if (fabs((double)f) >= 65520.0) { bad += (r & 0x7fff) != 0x7c00; continue; }
        v = f16_value(r);
        d = fabs(v - f);
        dn = (r & 0x7fff) ? fabs(f16_value(r - 1u) - f) : 1e300; /* neighbour toward zero */
        dp = (r & 0x7fff) < 0x7bff ? fabs(f16_value(r + 1u) - f) : 1e300;
        if (d > dn || d > dp || ((d == dn || d == dp) && (r & 1))) bad++;
        if ((v < 0) != (f < 0) && v != 0) bad++;
    }
    CHECK(bad == 0, "%d f32 values rounded to f16 wrongly", bad);
    CHECK(sclip__f32_to_f16(65519.99f) == 0x7bff, "65519.99 -> %04x", sclip__f32_to_f16(65519.99f));
    CHECK(sclip__f32_to_f16(65520.0f) == 0x7c00, "65520 -> %04x", sclip__f32_to_f16(65520.0f));
    CHECK(sclip__f32_to_f16(ldexpf(1.0f, -25)) == 0, "2^-25 -> %04x", sclip__f32_to_f16(ldexpf(1.0f, -25)));
    CHECK(sclip__f32_to_f16(ldexpf(1.5f, -25)) == 1, "1.5*2^-25 -> %04x", sclip__f32_to_f16(ldexpf(1.5f, -25)));
    CHECK(sclip__f32_to_f16(ldexpf(3.0f, -25)) == 2, "3*2^-25 -> %04x", sclip__f32_to_f16(ldexpf(3.0f, -25)));
    CHECK(sclip__f32_to_f16(1.0f + ldexpf(1.0f, -11)) == 0x3c00, "tie down to even");
    CHECK(sclip__f32_to_f16(1.0f + 3 * ldexpf(1.0f, -11)) == 0x3c02, "tie up to even");
    for (i = 0; i < 40; i++) hb[i] = (uint16_t)(i * 1657u + 3u);
    sclip__f16_to_f32_n(hb, buf, 40);
    for (i = 0; i < 40; i++) {
        float one = sclip__f16_to_f32(hb[i]);
        CHECK(memcmp(&one, &buf[i], 4) == 0, "f16_to_f32_n differs at %d", i);
    }
    sclip__f32_to_f16_n(buf, hb, 40);
    for (i = 0; i < 40; i++) CHECK(hb[i] == (uint16_t)(i * 1657u + 3u) || buf[i] != buf[i], "f32_to_f16_n %d", i);
}

/* ---- packed gemm ---- */
typedef void (*gemm_fn)(int, int, int, const float *, int, const float *, const float *, int, float *, int, int, int);

/* One (m, n, k) case: every epilogue, bias or not, both kernels, full range and splits. */
static void test_gemm_case(int m, int n, int k, uint32_t seed) {
    uint32_t s = seed;
    int ldx = k + (int)(seed % 3), ldy = n + (int)(seed % 5), nb = sclip__gemm_col_block();
    float *x = test_rnd_buf((size_t)m * ldx, &s, 1.0f), *w = test_rnd_buf((size_t)n * k, &s, 0.5f);
    float *bias = test_rnd_buf((size_t)n, &s, 1.0f), *y0 = test_rnd_buf((size_t)m * ldy + 1, &s, 2.0f);
    float *packed = (float *)malloc(sclip__gemm_packed_size(n, k) * sizeof(float));
    float *yr = (float *)malloc(((size_t)m * ldy + 1) * sizeof(float));
    float *yg = (float *)malloc(((size_t)m * ldy + 1) * sizeof(float));
    float *yfull = (float *)malloc(((size_t)m * ldy + 1) * sizeof(float));
    double *scale = (double *)malloc(((size_t)m * n + 1) * sizeof(double));
    int epi, hb, path, i, j, p;
    gemm_fn fns[2];
    fns[0] = sclip__gemm;
    fns[1] = sclip__gemm_scalar;
    sclip__gemm_pack(w, n, k, packed);
    for (epi = SCLIP__EPI_NONE; epi <= SCLIP__EPI_ADD; epi++)
        for (hb = 0; hb < 2; hb++) {
            const float *b = hb ? bias : NULL;
            for (i = 0; i < m; i++)
                for (j = 0; j < n; j++) {
                    double sc = b ? fabs(b[j]) : 0.0;
                    for (p = 0; p < k; p++) sc += fabs((double)x[(size_t)i * ldx + p] * w[(size_t)j * k + p]);
                    if (epi == SCLIP__EPI_ADD) sc += fabs(y0[(size_t)i * ldy + j]);
                    scale[(size_t)i * n + j] = sc;
                }
            memcpy(yr, y0, ((size_t)m * ldy + 1) * sizeof(float));
            sclip__gemm_ref(m, n, k, x, ldx, w, b, epi, yr, ldy, 0, n);
            for (path = 0; path < 2; path++) {
                int nbad = 0, split, j0, j1;
                /* full range */
                memcpy(yfull, y0, ((size_t)m * ldy + 1) * sizeof(float));
                fns[path](m, n, k, x, ldx, packed, b, epi, yfull, ldy, 0, n);
                for (i = 0; i < m; i++)
                    for (j = 0; j < ldy; j++) {
                        size_t o = (size_t)i * ldy + j;
                        if (j >= n) nbad += memcmp(&yfull[o], &y0[o], 4) != 0; /* padding untouched */
                        else nbad += !close_to(yfull[o], yr[o], scale[(size_t)i * n + j]);
                    }
                nbad += memcmp(&yfull[(size_t)m * ldy], &y0[(size_t)m * ldy], 4) != 0;
                CHECK(nbad == 0, "gemm %s m=%d n=%d k=%d epi=%d bias=%d: %d bad", path ? "scalar" : "simd",
                      m, n, k, epi, hb, nbad);
                /* column ranges: pieces must reproduce the full run bit for bit, and leave
                   the other columns alone */
                for (split = 0; split < 3; split++) {
                    int np = (n + nb - 1) / nb;
                    j0 = (int)(((unsigned)seed * 7u + (unsigned)split * 13u) % (unsigned)np) * nb;
                    j1 = j0 + nb * (1 + split);
                    if (j1 > n || split == 2) j1 = n;
                    memcpy(yg, y0, ((size_t)m * ldy + 1) * sizeof(float));
                    fns[path](m, n, k, x, ldx, packed, b, epi, yg, ldy, j0, j1);
                    nbad = 0;
                    for (i = 0; i < m; i++)
                        for (j = 0; j < ldy; j++) {
                            size_t o = (size_t)i * ldy + j;
                            const float *want = (j >= j0 && j < j1) ? &yfull[o] : &y0[o];
                            nbad += memcmp(&yg[o], want, 4) != 0;
                        }
                    CHECK(nbad == 0, "gemm %s m=%d n=%d k=%d epi=%d cols [%d,%d): %d differ from full run",
                          path ? "scalar" : "simd", m, n, k, epi, j0, j1, nbad);
                }
            }
        }
    free(x); free(w); free(bias); free(y0); free(packed); free(yr); free(yg); free(yfull); free(scale);
}

/* The other packers must produce the same panels as sclip__gemm_pack. */
static void test_pack_variants(int n, int k) {
    uint32_t s = 99u + (uint32_t)n;
    size_t sz = sclip__gemm_packed_size(n, k), i;
    float *w = test_rnd_buf((size_t)n * k, &s, 3.0f), *wt = (float *)malloc((size_t)n * k * sizeof(float));
    float *p0 = (float *)malloc(sz * sizeof(float)), *p1 = (float *)malloc(sz * sizeof(float));
    uint16_t *h = (uint16_t *)malloc((size_t)n * k * sizeof(uint16_t));
    uint16_t *ht = (uint16_t *)malloc((size_t)n * k * sizeof(uint16_t));
    int j, p;
    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++) wt[(size_t)p * n + j] = w[(size_t)j * k + p];
    sclip__gemm_pack(w, n, k, p0);
    sclip__gemm_pack_t(wt, k, n, p1);
    CHECK(memcmp(p0, p1, sz * sizeof(float)) == 0, "pack_t differs from pack (n=%d k=%d)", n, k);
    for (i = 0; i < (size_t)n * k; i++) {
        h[i] = sclip__f32_to_f16(w[i]);
        w[i] = sclip__f16_to_f32(h[i]);
    }
    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++) ht[(size_t)p * n + j] = h[(size_t)j * k + p];
    sclip__gemm_pack(w, n, k, p0);
    sclip__gemm_pack_f16(h, n, k, p1);
    CHECK(memcmp(p0, p1, sz * sizeof(float)) == 0, "pack_f16 differs from pack (n=%d k=%d)", n, k);
    sclip__gemm_pack_t_f16(ht, k, n, p1);
    CHECK(memcmp(p0, p1, sz * sizeof(float)) == 0, "pack_t_f16 differs from pack (n=%d k=%d)", n, k);
    for (i = 0; i < sz; i++) { /* padding columns are zero */
        size_t nb = (size_t)sclip__gemm_col_block(), col = i / (nb * k) * nb + i % nb;
        if (col >= (size_t)n) CHECK(p0[i] == 0.0f, "padding not zero at %d", (int)i);
    }
    free(w); free(wt); free(p0); free(p1); free(h); free(ht);
}

/* ---- attention products ---- */
static void test_small_case(int m, int n, int k, uint32_t seed) {
    uint32_t s = seed;
    int lda = k + 3, ldbt = k + 1, ldbn = n + 2, ldc = n + 4, i, j, p, path, acc;
    float alpha = 0.125f;
    float *a = test_rnd_buf((size_t)m * lda, &s, 1.0f);
    float *bt = test_rnd_buf((size_t)n * ldbt, &s, 1.0f);        /* NT: b[j][p] */
    float *bn = test_rnd_buf((size_t)(k ? k : 1) * ldbn, &s, 1.0f); /* NN: b[p][j] */
    float *c0 = test_rnd_buf((size_t)m * ldc, &s, 1.0f), *c = (float *)malloc((size_t)m * ldc * sizeof(float));
    for (path = 0; path < 2; path++) {
        int nbad = 0;
        memcpy(c, c0, (size_t)m * ldc * sizeof(float));
        if (path == 0) sclip__gemm_nt(m, n, k, alpha, a, lda, bt, ldbt, c, ldc);
        else sclip__gemm_nt_scalar(m, n, k, alpha, a, lda, bt, ldbt, c, ldc);
        for (i = 0; i < m; i++)
            for (j = 0; j < ldc; j++) {
                double sum = 0.0, sc = 0.0;
                if (j >= n) { nbad += memcmp(&c[(size_t)i * ldc + j], &c0[(size_t)i * ldc + j], 4) != 0; continue; }
                for (p = 0; p < k; p++) {
                    double t = (double)a[(size_t)i * lda + p] * bt[(size_t)j * ldbt + p];
                    sum += t; sc += fabs(t);
                }
                nbad += !close_to(c[(size_t)i * ldc + j], alpha * sum, alpha * sc);
            }
        CHECK(nbad == 0, "gemm_nt %s m=%d n=%d k=%d: %d bad", path ? "scalar" : "simd", m, n, k, nbad);
        for (acc = 0; acc < 2; acc++) {
            nbad = 0;
            memcpy(c, c0, (size_t)m * ldc * sizeof(float));
            if (path == 0) sclip__gemm_nn(m, n, k, a, lda, bn, ldbn, c, ldc, acc);
            else sclip__gemm_nn_scalar(m, n, k, a, lda, bn, ldbn, c, ldc, acc);
            for (i = 0; i < m; i++)
                for (j = 0; j < ldc; j++) {
                    size_t o = (size_t)i * ldc + j;
                    double sum = acc ? c0[o] : 0.0, sc = fabs(sum);
                    if (j >= n) { nbad += memcmp(&c[o], &c0[o], 4) != 0; continue; }
                    for (p = 0; p < k; p++) {
                        double t = (double)a[(size_t)i * lda + p] * bn[(size_t)p * ldbn + j];
                        sum += t; sc += fabs(t);
                    }
                    nbad += !close_to(c[o], sum, sc);
                }
            CHECK(nbad == 0, "gemm_nn %s m=%d n=%d k=%d acc=%d: %d bad", path ? "scalar" : "simd", m, n, k, acc, nbad);
        }
    }
    free(a); free(bt); free(bn); free(c0); free(c);
}

/* The vector epilogues over a wide range of inputs (m=1, k=1: y = x*w + b = t exactly). */
static void test_epilogue_range(void) {
    int nb = sclip__gemm_col_block(), n = nb * 64, j, epi, bad = 0;
    float x = 1.0f, *w = (float *)malloc((size_t)n * sizeof(float)), *y = (float *)malloc((size_t)n * sizeof(float));
    float *packed = (float *)malloc(sclip__gemm_packed_size(n, 1) * sizeof(float));
    for (j = 0; j < n; j++) w[j] = -60.0f + 120.0f * (float)j / (float)(n - 1);
    w[0] = -200.0f; w[1] = 200.0f; w[2] = 0.0f; w[3] = -0.0f; w[4] = 1e-30f; w[5] = -1e-30f;
    sclip__gemm_pack(w, n, 1, packed);
    for (epi = SCLIP__EPI_QUICKGELU; epi <= SCLIP__EPI_GELU; epi++) {
        sclip__gemm(1, n, 1, &x, 1, packed, NULL, epi, y, n, 0, n);
        for (j = 0; j < n; j++) {
            double t = w[j];
            double want = epi == SCLIP__EPI_GELU ? 0.5 * t * erfc(-t / sqrt(2.0)) : t / (1.0 + exp(-1.702 * t));
            /* relative 2e-6 plus the rounding of the float exp argument (a few ulp of |arg|,
               as expf(-1.702f * t) has too), or absolute 1e-30 where the value underflows */
            double arg = epi == SCLIP__EPI_GELU ? t * t / 2 : 1.702 * fabs(t);
            if (!(fabs(y[j] - want) <= (2e-6 + arg * 1.8e-7) * fabs(want) + 1e-30)) {
                if (bad < 5) fprintf(stderr, "epi %d t=%g: got %.9g want %.9g\n", epi, t, y[j], want);
                bad++;
            }
        }
    }
    CHECK(bad == 0, "%d epilogue values off", bad);
    free(w); free(y); free(packed);
}

/* ---- LayerNorm ---- */
/* The exact check: not on the AVX-512 path (it sums 16 lanes in its own order), nor under clang
   (it fuses the scalar loop's multiply-add by default). */
#if !defined(SCLIP__GEMM_AVX512) && !defined(__clang__)
#define TEST_SUM8_EXACT 1
/* sclip__sum8's documented order in plain C: 8 lane sums (lane l takes i = l mod 8), the tail
   into lane 0, then ((0+1)+(2+3))+((4+5)+(6+7)). volatile keeps each step rounded on its own. */
static float sum8_replica(const float *x, int n, float shift, int squares) {
    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    volatile float d, q;
    int i;
    for (i = 0; i < n; i++) {
        d = squares ? x[i] - shift : x[i];
        q = squares ? d * d : d;
        p[i < (n & ~7) ? i % 8 : 0] += q;
    }
    return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}
#endif

/* Every path against a double-precision LayerNorm; the AVX2, NEON and portable paths must also
   give exactly the sums of the documented order (they share it bit for bit). */
static void test_layer_norm(void) {
    static const int ns[] = {1, 7, 8, 9, 15, 64, 100, 768, 1023};
    uint32_t s = 777u;
    unsigned t;
    for (t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        int n = ns[t], i, nbad = 0;
        float *x = (float *)malloc((size_t)n * 4 * sizeof(float)), *w = x + n, *b = w + n, *y = b + n;
        double mean = 0, var = 0;
        for (i = 0; i < n; i++) {
            x[i] = 3.0f + 2.0f * test_rnd(&s);
            w[i] = 1.2f + test_rnd(&s);
            b[i] = 0.5f * test_rnd(&s);
        }
        sclip__layer_norm_row(x, y, n, w, b, 1e-5f);
        for (i = 0; i < n; i++) mean += x[i];
        mean /= n;
        for (i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
        var /= n;
        for (i = 0; i < n; i++) {
            double want = (x[i] - mean) / sqrt(var + 1e-5) * w[i] + b[i];
            if (!close_to(y[i], want, fabs(w[i]) * 3.0 + fabs(b[i]))) nbad++;
        }
        CHECK(nbad == 0, "layer_norm n=%d: %d of %d values off", n, nbad, n);
#if defined(TEST_SUM8_EXACT)
        {
            float m0 = sclip__sum8(x, n, 0, 0), m1 = sum8_replica(x, n, 0, 0);
            float v0 = sclip__sum8(x, n, 3.0f, 1), v1 = sum8_replica(x, n, 3.0f, 1);
            CHECK(memcmp(&m0, &m1, 4) == 0 && memcmp(&v0, &v1, 4) == 0, "sum8 n=%d: %.9g %.9g / %.9g %.9g", n, m0,
                  m1, v0, v1);
        }
#endif
        free(x);
    }
}

int main(void) {
    static const int sizes[][3] = {
        {1, 1, 1}, {1, 5, 2}, {2, 31, 7}, {5, 32, 16}, {6, 33, 255}, {7, 47, 256}, {11, 48, 257},
        {12, 49, 300}, {13, 64, 511}, {17, 65, 513}, {6, 95, 64}, {197, 64, 64}, {23, 100, 769},
        {197, 96, 768}, {31, 512, 200}, {8, 17, 1025}, {3, 130, 33},
    };
    static const int small[][3] = {
        {1, 1, 1}, {5, 7, 3}, {6, 16, 64}, {13, 33, 65}, {197, 197, 64}, {197, 64, 197},
        {20, 40, 300}, {7, 50, 0}, {9, 31, 17},
    };
    unsigned t;
    printf("gemm path: %s, col block %d\n",
#if defined(SCLIP__GEMM_AVX512)
           "avx512",
#elif defined(SCLIP__GEMM_AVX2)
           "avx2",
#elif defined(SCLIP__GEMM_NEON)
           "neon",
#else
           "scalar",
#endif
           sclip__gemm_col_block());
    test_f16();
    for (t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        test_gemm_case(sizes[t][0], sizes[t][1], sizes[t][2], 1000u + t);
    for (t = 0; t < 4; t++) test_pack_variants(1 + (int)t * 23, 3 + (int)t * 41);
    for (t = 0; t < sizeof small / sizeof small[0]; t++)
        test_small_case(small[t][0], small[t][1], small[t][2], 2000u + t);
    test_epilogue_range();
    test_layer_norm();
    printf("worst error / tolerance: %.3f\n", worst);
    return test_done("test_gemm");
}
