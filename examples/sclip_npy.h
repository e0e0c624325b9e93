/* sclip_npy.h - read and write NumPy .npy arrays (version 1.0/2.0/3.0)
   for the sclip examples and tests. Part of sclip; public domain or MIT (see LICENSE).

   Do this in exactly one C file:
       #define SCLIP_NPY_IMPLEMENTATION
       #include "sclip_npy.h"

   Supported: little-endian (or byte-order free) dtypes f4, f8, f2, i4, i8, u1, i1, u2, i2,
   C order only, up to 8 dimensions. Everything read from the file is range-checked: a
   header that lies about its size, a shape whose product overflows, or data shorter than
   the shape gets an error, never an out-of-bounds read.

   Results: every function that can fail (sclip_npy_parse, sclip_npy_load, sclip_npy_save)
   returns 0 on success and non-zero on failure (SCLIP_NPY_OK / SCLIP_NPY_ERROR), like sclip.h's
   sclip_result (SCLIP_OK = 0), with a reason in err where the function takes one:
       if (sclip_npy_load("x.npy", &a, err, sizeof err) != SCLIP_NPY_OK) { puts(err); return 1; }
   sclip_npy_header returns a length and sclip_npy_get a value.
*/
#ifndef SCLIP_NPY_H
#define SCLIP_NPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCLIP_NPY_MAX_DIMS 8

/* What the functions that can fail return. */
#define SCLIP_NPY_OK 0
#define SCLIP_NPY_ERROR (-1)

typedef enum sclip_npy_dtype {
    SCLIP_NPY_F32, SCLIP_NPY_F64, SCLIP_NPY_F16, SCLIP_NPY_I32, SCLIP_NPY_I64,
    SCLIP_NPY_U8, SCLIP_NPY_I8, SCLIP_NPY_U16, SCLIP_NPY_I16
} sclip_npy_dtype;

typedef struct sclip_npy {
    sclip_npy_dtype dtype;
    int ndim;
    size_t shape[SCLIP_NPY_MAX_DIMS];
    size_t count;      /* product of shape (1 for a 0-d array) */
    size_t item_size;  /* bytes per element */
    void *data;        /* count * item_size bytes, owned (free with sclip_npy_free) */
} sclip_npy;

/* Parse a .npy held in memory. 0 (SCLIP_NPY_OK), or non-zero with a message in err. */
int sclip_npy_parse(const void *buf, size_t len, sclip_npy *out, char *err, size_t err_cap);
/* Read a .npy file. 0 (SCLIP_NPY_OK), or non-zero with a message in err. */
int sclip_npy_load(const char *path, sclip_npy *out, char *err, size_t err_cap);
void sclip_npy_free(sclip_npy *a);
/* Element i converted to double (any dtype). */
double sclip_npy_get(const sclip_npy *a, size_t i);
/* The version 1.0 header of a C-order array (64-byte aligned, at most 256 bytes with 8
   dimensions) into hdr; returns its length (the data follows at that offset), 0 for a bad
   dtype or ndim. item_size (may be NULL) receives the bytes per element. For writers that
   place the data themselves (sclip-seg --logits writes its rows band by band). */
size_t sclip_npy_header(sclip_npy_dtype dtype, int ndim, const size_t *shape, char hdr[256], size_t *item_size);
/* Write a C-order array. 0 (SCLIP_NPY_OK), or non-zero when the dtype or ndim is bad or the
   file cannot be written. */
int sclip_npy_save(const char *path, sclip_npy_dtype dtype, int ndim, const size_t *shape,
                   const void *data);

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_NPY_H */

#ifdef SCLIP_NPY_IMPLEMENTATION
#ifndef SCLIP_NPY_IMPLEMENTATION_DONE
#define SCLIP_NPY_IMPLEMENTATION_DONE

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *descr; sclip_npy_dtype dtype; size_t size; } sclip__npy_types[] = {
    {"f4", SCLIP_NPY_F32, 4}, {"f8", SCLIP_NPY_F64, 8}, {"f2", SCLIP_NPY_F16, 2},
    {"i4", SCLIP_NPY_I32, 4}, {"i8", SCLIP_NPY_I64, 8}, {"u1", SCLIP_NPY_U8, 1},
    {"i1", SCLIP_NPY_I8, 1}, {"u2", SCLIP_NPY_U16, 2}, {"i2", SCLIP_NPY_I16, 2},
};
#define SCLIP__NPY_NTYPES (sizeof(sclip__npy_types) / sizeof(sclip__npy_types[0]))

static int sclip__npy_fail(char *err, size_t cap, const char *msg) {
    if (err && cap) { strncpy(err, msg, cap - 1); err[cap - 1] = 0; }
    return SCLIP_NPY_ERROR;
}

/* Find the value that follows 'key' in the header dictionary text. */
static const char *sclip__npy_find(const char *h, size_t n, const char *key) {
    size_t k = strlen(key), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(h + i, key, k) == 0) {
            i += k;
            while (i < n && (h[i] == ' ' || h[i] == ':')) i++;
            return i < n ? h + i : NULL;
        }
    return NULL;
}

int sclip_npy_parse(const void *buf, size_t len, sclip_npy *out, char *err, size_t err_cap) {
    const unsigned char *b = (const unsigned char *)buf;
    size_t hlen, hoff, i, bytes;
    const char *h, *p, *end;
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0) return sclip__npy_fail(err, err_cap, "npy: bad magic");
    if (b[6] == 1) { hlen = (size_t)b[8] | ((size_t)b[9] << 8); hoff = 10; }
    else if (b[6] == 2 || b[6] == 3) {
        if (len < 12) return sclip__npy_fail(err, err_cap, "npy: truncated header");
        hlen = (size_t)b[8] | ((size_t)b[9] << 8) | ((size_t)b[10] << 16) | ((size_t)b[11] << 24);
        hoff = 12;
    } else return sclip__npy_fail(err, err_cap, "npy: unsupported version");
    if (hlen > len - hoff) return sclip__npy_fail(err, err_cap, "npy: truncated header");
    h = (const char *)b + hoff;
    end = h + hlen;
    p = sclip__npy_find(h, hlen, "'descr'");
    if (!p || p + 4 > end || p[0] != '\'') return sclip__npy_fail(err, err_cap, "npy: no descr");
    if (p[1] != '<' && p[1] != '|' && p[1] != '=') return sclip__npy_fail(err, err_cap, "npy: big-endian data not supported");
    for (i = 0; i < SCLIP__NPY_NTYPES; i++) {
        size_t dl = strlen(sclip__npy_types[i].descr);
        if (p + 2 + dl < end && memcmp(p + 2, sclip__npy_types[i].descr, dl) == 0 && p[2 + dl] == '\'') break;
    }
    if (i == SCLIP__NPY_NTYPES) return sclip__npy_fail(err, err_cap, "npy: unsupported dtype");
    out->dtype = sclip__npy_types[i].dtype;
    out->item_size = sclip__npy_types[i].size;
    p = sclip__npy_find(h, hlen, "'fortran_order'");
    if (!p || p + 5 > end || memcmp(p, "False", 5) != 0) return sclip__npy_fail(err, err_cap, "npy: only C order is supported");
    p = sclip__npy_find(h, hlen, "'shape'");
    if (!p || *p != '(') return sclip__npy_fail(err, err_cap, "npy: no shape");
    p++;
    out->count = 1;
    while (p < end && *p != ')') {
        size_t v = 0;
        int digits = 0;
        while (p < end && (*p == ' ' || *p == ',')) p++;
        if (p < end && *p == ')') break;
        while (p < end && *p >= '0' && *p <= '9') {
            if (v > ((size_t)-1 - 9) / 10) return sclip__npy_fail(err, err_cap, "npy: dimension too large");
            v = v * 10 + (size_t)(*p - '0');
            p++;
            digits++;
        }
        if (!digits) return sclip__npy_fail(err, err_cap, "npy: bad shape");
        if (out->ndim == SCLIP_NPY_MAX_DIMS) return sclip__npy_fail(err, err_cap, "npy: too many dimensions");
        out->shape[out->ndim++] = v;
        if (v && out->count > (size_t)-1 / v) return sclip__npy_fail(err, err_cap, "npy: shape overflows");
        out->count *= v;
    }
    if (p >= end) return sclip__npy_fail(err, err_cap, "npy: bad shape");
    if (out->count > ((size_t)-1) / out->item_size) return sclip__npy_fail(err, err_cap, "npy: shape overflows");
    bytes = out->count * out->item_size;
    if (bytes > len - hoff - hlen) return sclip__npy_fail(err, err_cap, "npy: data shorter than its shape");
    out->data = malloc(bytes ? bytes : 1);
    if (!out->data) return sclip__npy_fail(err, err_cap, "npy: out of memory");
    memcpy(out->data, b + hoff + hlen, bytes);
    return SCLIP_NPY_OK;
}

int sclip_npy_load(const char *path, sclip_npy *out, char *err, size_t err_cap) {
    FILE *f = fopen(path, "rb");
    long n;
    void *buf;
    int r;
    memset(out, 0, sizeof *out);
    if (!f) return sclip__npy_fail(err, err_cap, "npy: cannot open file");
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return sclip__npy_fail(err, err_cap, "npy: cannot read file");
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return sclip__npy_fail(err, err_cap, "npy: cannot read file");
    }
    fclose(f);
    r = sclip_npy_parse(buf, (size_t)n, out, err, err_cap);
    free(buf);
    return r;
}

void sclip_npy_free(sclip_npy *a) {
    free(a->data);
    a->data = NULL;
}

static double sclip__npy_half(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? m / 16777216.0 : e == 31 ? (m ? NAN : HUGE_VAL) : (1024 + m) * (double)(1u << e) / 33554432.0;
    return (h & 0x8000) ? -v : v;
}

double sclip_npy_get(const sclip_npy *a, size_t i) {
    const unsigned char *p = (const unsigned char *)a->data + i * a->item_size;
    switch (a->dtype) {
    case SCLIP_NPY_F32: { float v; memcpy(&v, p, 4); return v; }
    case SCLIP_NPY_F64: { double v; memcpy(&v, p, 8); return v; }
    case SCLIP_NPY_F16: { uint16_t v; memcpy(&v, p, 2); return sclip__npy_half(v); }
    case SCLIP_NPY_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case SCLIP_NPY_I64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case SCLIP_NPY_U8: return *p;
    case SCLIP_NPY_I8: return (int8_t)*p;
    case SCLIP_NPY_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case SCLIP_NPY_I16: { int16_t v; memcpy(&v, p, 2); return v; }
    }
    return 0;
}

size_t sclip_npy_header(sclip_npy_dtype dtype, int ndim, const size_t *shape, char hdr[256], size_t *item_size) {
    char shp[160];
    size_t i, pos = 0, item = 0, hl;
    const char *descr = NULL;
    for (i = 0; i < SCLIP__NPY_NTYPES; i++)
        if (sclip__npy_types[i].dtype == dtype) { descr = sclip__npy_types[i].descr; item = sclip__npy_types[i].size; }
    if (!descr || ndim < 0 || ndim > SCLIP_NPY_MAX_DIMS) return 0;
    shp[0] = 0;
    for (i = 0; i < (size_t)ndim; i++) {
        pos += (size_t)snprintf(shp + pos, sizeof shp - pos, "%lu%s", (unsigned long)shape[i],
                                (ndim == 1 || i + 1 < (size_t)ndim) ? ", " : "");
        if (pos >= sizeof shp) return 0; /* 8 numbers of up to 17 digits fit */
    }
    if (ndim == 1) shp[pos - 1] = 0; /* "(n,)" */
    hl = (size_t)snprintf(hdr + 10, 256 - 10, "{'descr': '%c%s', 'fortran_order': False, 'shape': (%s), }",
                          item == 1 ? '|' : '<', descr, shp);
    while ((10 + hl + 1) % 64) hdr[10 + hl++] = ' ';
    hdr[10 + hl++] = '\n';
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)(hl & 255);
    hdr[9] = (char)(hl >> 8);
    if (item_size) *item_size = item;
    return 10 + hl;
}

int sclip_npy_save(const char *path, sclip_npy_dtype dtype, int ndim, const size_t *shape,
                   const void *data) {
    char hdr[256];
    size_t i, count = 1, item = 0, hl = sclip_npy_header(dtype, ndim, shape, hdr, &item);
    FILE *f;
    if (!hl) return SCLIP_NPY_ERROR;
    for (i = 0; i < (size_t)ndim; i++) count *= shape[i];
    f = fopen(path, "wb");
    if (!f) return SCLIP_NPY_ERROR;
    if (fwrite(hdr, 1, hl, f) != hl || fwrite(data, item, count, f) != count) {
        fclose(f);
        return SCLIP_NPY_ERROR;
    }
    return fclose(f) == 0 ? SCLIP_NPY_OK : SCLIP_NPY_ERROR;
}

#endif /* SCLIP_NPY_IMPLEMENTATION_DONE */
#endif /* SCLIP_NPY_IMPLEMENTATION */
