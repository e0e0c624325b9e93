/* test_npy: examples/sclip_npy.h - arrays written by sclip_npy_save read back by sclip_npy_load
   and sclip_npy_parse (shape, dtype, values; the 1-d "(n,)" form), the header's length and
   alignment, malformed files refused with a message, and the result convention: every function
   that can fail returns exactly 0 (SCLIP_NPY_OK, as sclip.h's SCLIP_OK) on success and
   SCLIP_NPY_ERROR (non-zero) on failure. Needs no shared files. */
#include "test_common.h"

static const char *path = "build/test_npy_results.npy";

/* An array in memory: the header sclip_npy_header makes, then the data. */
static size_t make_npy(unsigned char *buf, sclip_npy_dtype dtype, int ndim, const size_t *shape, const void *data,
                       size_t bytes) {
    char hdr[256];
    size_t item = 0, hl = sclip_npy_header(dtype, ndim, shape, hdr, &item);
    memcpy(buf, hdr, hl);
    memcpy(buf + hl, data, bytes);
    return hl + bytes;
}

static void test_roundtrip(void) {
    static const float f[6] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-3f, -7.0f};
    static const int16_t s16[5] = {-32768, -1, 0, 1, 32767};
    static const uint16_t h16[3] = {0x3c00, 0xc000, 0x3555}; /* 1, -2, 0.33325 */
    size_t shape2[2] = {2, 3}, shape1[1] = {5}, shape3[1] = {3}, i;
    sclip_npy a;
    char err[256];
    int r;
    r = sclip_npy_save(path, SCLIP_NPY_F32, 2, shape2, f);
    CHECK(r == 0, "save f32 2x3: returned %d", r);
    r = sclip_npy_load(path, &a, err, sizeof err);
    CHECK(r == 0, "load f32 2x3: returned %d (%s)", r, r ? err : "");
    if (r == 0) {
        CHECK(a.dtype == SCLIP_NPY_F32 && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6 && a.item_size == 4,
              "f32 2x3: dtype %d, %d dims, %zu values", (int)a.dtype, a.ndim, a.count);
        for (i = 0; i < 6 && a.count == 6; i++) CHECK(sclip_npy_get(&a, i) == f[i], "f32 value %zu", i);
        sclip_npy_free(&a);
    }
    r = sclip_npy_save(path, SCLIP_NPY_I16, 1, shape1, s16);
    CHECK(r == 0, "save i16 (5,): returned %d", r);
    r = sclip_npy_load(path, &a, err, sizeof err);
    CHECK(r == 0 && a.ndim == 1 && a.shape[0] == 5 && a.dtype == SCLIP_NPY_I16, "load i16 (5,): returned %d (%s)", r,
          r ? err : "");
    if (r == 0) {
        for (i = 0; i < 5; i++) CHECK(sclip_npy_get(&a, i) == s16[i], "i16 value %zu", i);
        sclip_npy_free(&a);
    }
    {
        unsigned char buf[512];
        size_t n = make_npy(buf, SCLIP_NPY_F16, 1, shape3, h16, sizeof h16);
        r = sclip_npy_parse(buf, n, &a, err, sizeof err);
        CHECK(r == 0 && a.count == 3, "parse f16 (3,): returned %d (%s)", r, r ? err : "");
        if (r == 0) {
            CHECK(sclip_npy_get(&a, 0) == 1.0 && sclip_npy_get(&a, 1) == -2.0 && fabs(sclip_npy_get(&a, 2) - 0.33325) < 1e-4,
                  "f16 values %g %g %g", sclip_npy_get(&a, 0), sclip_npy_get(&a, 1), sclip_npy_get(&a, 2));
            sclip_npy_free(&a);
        }
    }
    printf("round trips: ok\n");
}

/* sclip_npy_header returns a length, not a result: 64-byte aligned, 0 for bad arguments. */
static void test_header(void) {
    char hdr[256];
    size_t shape[8] = {1, 2, 3, 4, 5, 6, 7, 8}, item = 0, n;
    n = sclip_npy_header(SCLIP_NPY_U8, 8, shape, hdr, &item);
    CHECK(n > 0 && n % 64 == 0 && n <= 256 && item == 1 && hdr[n - 1] == '\n', "header of 8 dims: %zu bytes", n);
    CHECK(sclip_npy_header(SCLIP_NPY_U8, 9, shape, hdr, NULL) == 0, "9 dims: no header");
    CHECK(sclip_npy_header(SCLIP_NPY_U8, -1, shape, hdr, NULL) == 0, "negative dims: no header");
    CHECK(sclip_npy_header((sclip_npy_dtype)99, 1, shape, hdr, NULL) == 0, "bad dtype: no header");
}

static void expect_refused(const void *buf, size_t n, const char *want, const char *what) {
    sclip_npy a;
    char err[256] = "";
    int r = sclip_npy_parse(buf, n, &a, err, sizeof err);
    CHECK(r != 0 && r == SCLIP_NPY_ERROR && a.data == NULL && strstr(err, want), "%s: returned %d (%s), expected '%s'", what, r,
          err, want);
    if (r == 0) sclip_npy_free(&a);
}

/* The result convention: 0 on success (checked above), SCLIP_NPY_ERROR with a reason on failure.
   The old convention (1 = success, 0 = failure) fails every check of this file. */
static void test_results(void) {
    static const float f[4] = {1, 2, 3, 4};
    size_t shape[2] = {2, 2}, bad_shape[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, n;
    unsigned char buf[512];
    sclip_npy a;
    char err[256];
    int r;
    CHECK(SCLIP_NPY_OK == 0 && SCLIP_NPY_ERROR != 0, "result constants: OK %d, ERROR %d", SCLIP_NPY_OK, SCLIP_NPY_ERROR);
    n = make_npy(buf, SCLIP_NPY_F32, 2, shape, f, sizeof f);
    r = sclip_npy_parse(buf, n, &a, err, sizeof err);
    CHECK(r == SCLIP_NPY_OK && r == 0, "parse: returned %d on success", r);
    if (r == 0) sclip_npy_free(&a);
    expect_refused("GIF89a....", 10, "bad magic", "not a .npy");
    expect_refused(buf, n - 1, "data shorter", "one byte short");
    expect_refused(buf, 12, "truncated header", "header cut");
    memcpy(buf + 6, "\x04", 1);
    expect_refused(buf, n, "unsupported version", "version 4");
    err[0] = 0;
    r = sclip_npy_load("build/no such folder/x.npy", &a, err, sizeof err);
    CHECK(r == SCLIP_NPY_ERROR && a.data == NULL && strstr(err, "cannot open"), "load of a missing file: returned %d (%s)", r, err);
    r = sclip_npy_save("build/no such folder/x.npy", SCLIP_NPY_F32, 2, shape, f);
    CHECK(r == SCLIP_NPY_ERROR, "save into a missing folder: returned %d", r);
    r = sclip_npy_save(path, SCLIP_NPY_F32, 9, bad_shape, f);
    CHECK(r == SCLIP_NPY_ERROR, "save of 9 dimensions: returned %d", r);
    r = sclip_npy_save(path, (sclip_npy_dtype)99, 2, shape, f);
    CHECK(r == SCLIP_NPY_ERROR, "save of a bad dtype: returned %d", r);
    printf("results: 0 on success, SCLIP_NPY_ERROR (%d) on failure\n", SCLIP_NPY_ERROR);
}

int main(void) {
    test_roundtrip();
    test_header();
    test_results();
    remove(path);
    return test_done("test_npy");
}
