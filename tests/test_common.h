/* test_common.h - what every sclip test shares: finding ../shared, skipping, checks.
   A test prints "SKIP <reason>" and exits 0 when the shared folder is missing, except
   under CI=true, where a missing fixture is a failure (exit 1). */
#ifndef SCLIP_TEST_COMMON_H
#define SCLIP_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>

#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"

static int test__failures = 0;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            test__failures++;                                                 \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

/* Exit with the test's verdict. */
static inline int test_done(const char *name) {
    if (test__failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, test__failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

static inline int test_in_ci(void) {
    const char *ci = getenv("CI");
    return ci && strcmp(ci, "true") == 0;
}

/* A required fixture is missing: SKIP (exit 0) normally, FAIL under CI=true. */
static inline void test_skip(const char *reason) {
    if (test_in_ci()) {
        fprintf(stderr, "FAIL missing fixture under CI=true: %s\n", reason);
        exit(1);
    }
    printf("SKIP %s\n", reason);
    exit(0);
}

/* Path of a file under $SCLIP_SHARED (default ../shared). Returns a static buffer per call
   slot; the test skips when the file does not exist. */
static inline const char *test_shared(const char *rel) {
    static char bufs[8][1024];
    static int slot = 0;
    const char *root = getenv("SCLIP_SHARED");
    char *b = bufs[slot++ & 7];
    FILE *f;
    if (!root || !*root) root = "../shared";
    snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
    f = fopen(b, "rb");
    if (!f) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s not found (set SCLIP_SHARED)", b);
        test_skip(msg);
    } else
        fclose(f);
    return b;
}

/* Load a .npy or fail the test. */
static inline void test_load_npy(const char *path, sclip_npy *a) {
    char err[256];
    if (sclip_npy_load(path, a, err, sizeof err) != SCLIP_NPY_OK) {
        fprintf(stderr, "FAIL %s: %s\n", path, err);
        exit(1);
    }
}

/* Read a whole file; NULL when it cannot be read. */
static inline char *test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len) *len = (size_t)n;
    }
    return buf;
}

/* Small deterministic generator (xorshift32), values in [-1, 1). */
static inline float test_rnd(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (float)((*s >> 8) * (1.0 / 8388608.0)) - 1.0f;
}

/* n values of test_rnd times scale, in a new malloc'ed buffer. */
static inline float *test_rnd_buf(size_t n, uint32_t *s, float scale) {
    float *p = (float *)malloc((n ? n : 1) * sizeof(float));
    size_t i;
    for (i = 0; i < n; i++) p[i] = test_rnd(s) * scale;
    return p;
}

/* max |a-b| / max |b| over n floats (b is the reference). */
static inline double test_rel_err(const float *a, const float *b, size_t n) {
    double md = 0, mb = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > md || d != d) md = d;
        if (fabs((double)b[i]) > mb) mb = fabs((double)b[i]);
    }
    return mb > 0 ? md / mb : md;
}

#endif
