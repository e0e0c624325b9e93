/* sclip.h - open-vocabulary semantic segmentation on the CPU: CLIP ViT + SCLIP's
   Correlative Self-Attention, in one C header - v0.1.0
   Public domain or MIT, your choice: see the end of this file.

   Do this:
       #define SCLIP_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation
   (it also creates the implementation of sclip_tokenizer.h, which must be beside it).

   MANUAL
   @@MANUAL@@
*/
#ifndef SCLIP_H
#define SCLIP_H

#include "sclip_tokenizer.h"

#define SCLIP_VERSION_MAJOR 0
#define SCLIP_VERSION_MINOR 1
#define SCLIP_VERSION_PATCH 0
#define SCLIP_VERSION_STRING "0.1.0"

#define SCLIP_FILE_VERSION 1          /* .sclip weight format version read and written */
#define SCLIP_MAX_IMAGE_SIDE 8192     /* longest side accepted by the towers and the segmenter */
#define SCLIP_MAX_IMAGE_PIXELS (4096 * 4096)
#define SCLIP_MAX_CLASSES 4096        /* class names (queries) per vocabulary */

#ifdef __cplusplus
extern "C" {
#endif

SCLIPDEF const char *sclip_version(void);

/* ---- architecture ------------------------------------------------------------------------ */
typedef enum sclip_activation { SCLIP_ACT_QUICKGELU = 0, SCLIP_ACT_GELU = 1 } sclip_activation;

typedef struct sclip_arch {
    int vision_width, vision_layers, vision_heads, vision_mlp, patch_size, image_size;
    int text_width, text_layers, text_heads, text_mlp, context_length, vocab_size;
    int embed_dim;
    sclip_activation activation;
    float ln_eps;
    float logit_scale; /* CLIP's learned parameter, log scale */
} sclip_arch;

/* The last vision block. Everything else is CLIP's (see VARIANTS in the manual). */
typedef enum sclip_attn {
    SCLIP_ATTN_SCLIP = 0,   /* CSA: softmax(sQQ')+softmax(sKK'), residual and MLP kept (default) */
    SCLIP_ATTN_VANILLA = 1, /* CLIP's own block */
    SCLIP_ATTN_MASKCLIP = 2,/* each token takes its own value, residual and MLP kept */
    SCLIP_ATTN_CLEARCLIP = 3, /* softmax(sQQ'), no residual, no MLP */
    SCLIP_ATTN_NACLIP = 4   /* softmax(sKK' + Gaussian(sigma 5)), no residual, no MLP */
} sclip_attn;

SCLIPDEF const char *sclip_attn_name(sclip_attn attn);
/* Parses "sclip", "vanilla", "maskclip", "clearclip", "naclip"; returns -1 for anything else. */
SCLIPDEF int sclip_attn_parse(const char *name);

/* ---- model: immutable after loading, shared by any number of threads ---------------------- */
typedef struct sclip_model sclip_model;

typedef enum sclip_towers {
    SCLIP_TOWERS_BOTH = 0,   /* vision and text */
    SCLIP_TOWERS_VISION = 1, /* text weights are left alone (a cached vocabulary is used) */
    SCLIP_TOWERS_TEXT = 2
} sclip_towers;

typedef struct sclip_model_desc {
    sclip_towers towers;     /* 0 = both */
} sclip_model_desc;

#ifndef SCLIP_NO_STDIO
/* Loads a .sclip file (mapped where the platform has mmap). desc may be NULL. On failure,
   err (may be NULL) receives a message naming what is wrong. */
SCLIPDEF sclip_result sclip_model_load(const char *path, const sclip_model_desc *desc, sclip_model **out,
                                       char *err, size_t err_cap);
#endif
/* Uses a .sclip file held in caller-owned memory, without copying what can be used in place.
   The memory must stay valid, unchanged, until sclip_model_free. */
SCLIPDEF sclip_result sclip_model_load_memory(const void *data, size_t size, const sclip_model_desc *desc,
                                              sclip_model **out, char *err, size_t err_cap);
SCLIPDEF void sclip_model_free(sclip_model *model);
SCLIPDEF const sclip_arch *sclip_model_arch(const sclip_model *model);
/* The tokenizer built from the merge list embedded in the file; NULL when the file has none. */
SCLIPDEF const sclip_tokenizer *sclip_model_tokenizer(const sclip_model *model);

/* ---- context: per thread, owns the scratch memory and the worker threads ------------------ */
typedef struct sclip_context sclip_context;

/* Runs fn(arg, i) for every i in [0, n) and returns when all are done: lets a host run sclip's
   parallel parts on its own job system. */
typedef void (*sclip_parallel_for_fn)(void *user, void (*fn)(void *arg, int i), void *arg, int n);

/* Called during long runs: stage "text" (class names encoded) or "windows" (windows done). */
typedef void (*sclip_progress_fn)(void *user, const char *stage, int done, int total);

typedef struct sclip_context_desc {
    int n_threads;                    /* 0 = the number of cores; 1 = no threads */
    sclip_parallel_for_fn parallel_for; /* optional: replaces the built-in pool */
    void *parallel_for_user;
    sclip_progress_fn progress;       /* optional */
    void *progress_user;
} sclip_context_desc;

SCLIPDEF sclip_result sclip_context_create(const sclip_model *model, const sclip_context_desc *desc,
                                           sclip_context **out);
SCLIPDEF void sclip_context_free(sclip_context *ctx);
/* Detail message of the last error in this context ("" when none). */
SCLIPDEF const char *sclip_context_error(const sclip_context *ctx);

/* ---- towers -------------------------------------------------------------------------------- */
/* Dense tokens: the vision tower on a normalised planar (3, h, w) image, with the chosen last
   block, then ln_post and proj on every token. out receives (1 + gh*gw) x embed_dim floats,
   token 0 the class token, then the patches row-major; gh = h/patch, gw = w/patch (rounded
   down, as PyTorch's convolution). *n_tokens (may be NULL) receives 1 + gh*gw. */
SCLIPDEF sclip_result sclip_encode_image_dense(sclip_context *ctx, const float *chw, int h, int w,
                                               sclip_attn attn, float *out, int *n_tokens);
/* CLIP's encode_image: the class token through the unmodified tower, embed_dim floats. */
SCLIPDEF sclip_result sclip_encode_image(sclip_context *ctx, const float *chw, int h, int w, float *out);
/* CLIP's encode_text on token rows (n x context_length, as sclip_tokenizer_encode_context
   writes them): n x embed_dim floats, not normalised. */
SCLIPDEF sclip_result sclip_encode_tokens(sclip_context *ctx, const int32_t *tokens, int n, float *out);
/* Tokenizes (with the model's tokenizer) and encodes n texts. A text longer than the context
   is an error unless truncate is non-zero. */
SCLIPDEF sclip_result sclip_encode_text(sclip_context *ctx, const char *const *texts, int n, int truncate,
                                        float *out);

/* ---- vocabulary: class names -> one text embedding per name --------------------------------- */
typedef struct sclip_vocab sclip_vocab;

/* The 80 prompt templates of CLIP's ImageNet set ("a bad photo of a {}.", ...). */
SCLIPDEF const char *const *sclip_default_templates(int *n);
/* Builds a vocabulary from class-name text as the official SCLIP reads a class file: one class
   per line, synonyms separated by ", " (each synonym its own query, merged by max after the
   softmax). templates NULL = the 80 defaults; each template holds "{}" once. Needs the text
   tower. Blank lines, empty names and more than SCLIP_MAX_CLASSES names are errors. */
SCLIPDEF sclip_result sclip_vocab_create(sclip_context *ctx, const char *classes, size_t len, const char *const *templates,
                                         int n_templates, sclip_vocab **out);
SCLIPDEF void sclip_vocab_free(sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_num_classes(const sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_num_queries(const sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_query_class(const sclip_vocab *vocab, int query);
SCLIPDEF const char *sclip_vocab_query_name(const sclip_vocab *vocab, int query);
SCLIPDEF const char *sclip_vocab_class_name(const sclip_vocab *vocab, int cls); /* its first name */
SCLIPDEF const float *sclip_vocab_features(const sclip_vocab *vocab);           /* queries x embed_dim */
/* Cache files, so that a vocabulary is encoded once. Loading checks that the cache was made
   with `model` (a fingerprint of its text tower), when model is not NULL. */
SCLIPDEF size_t sclip_vocab_save_size(const sclip_vocab *vocab);
SCLIPDEF void sclip_vocab_save_memory(const sclip_vocab *vocab, void *buf);
SCLIPDEF sclip_result sclip_vocab_load_memory(const void *buf, size_t size, const sclip_model *model, sclip_vocab **out,
                                              char *err, size_t err_cap);
#ifndef SCLIP_NO_STDIO
SCLIPDEF sclip_result sclip_vocab_save(const sclip_vocab *vocab, const char *path);
SCLIPDEF sclip_result sclip_vocab_load(const char *path, const sclip_model *model, sclip_vocab **out, char *err,
                                       size_t err_cap);
#endif

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_H */

/* ============================================================================================
   IMPLEMENTATION
   ============================================================================================ */
#ifdef SCLIP_IMPLEMENTATION
#ifndef SCLIP_IMPLEMENTATION_DONE
#define SCLIP_IMPLEMENTATION_DONE

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SCLIP_MALLOC) != defined(SCLIP_FREE)
#error "define both SCLIP_MALLOC and SCLIP_FREE, or neither"
#endif
#ifndef SCLIP_MALLOC
#define SCLIP_MALLOC(sz) malloc(sz)
#define SCLIP_FREE(p) free(p)
#endif
#ifndef SCLIP_ASSERT
#include <assert.h>
#define SCLIP_ASSERT(x) assert(x)
#endif

#if !defined(SCLIP_NO_STDIO) && (defined(__unix__) || defined(__APPLE__))
#define SCLIP__HAVE_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#ifndef SCLIP_NO_THREADS
#if defined(_WIN32)
#define SCLIP__WIN32_THREADS 1
#include <windows.h>
#else
#define SCLIP__PTHREADS 1
#include <pthread.h>
#include <unistd.h>
#endif
#endif

#define SCLIP__ALIGN 64

SCLIPDEF const char *sclip_version(void) { return SCLIP_VERSION_STRING; }

/* ============================================================================================
   Small helpers: aligned allocation, error messages
   ============================================================================================ */

/* 64-byte aligned allocation on top of SCLIP_MALLOC (the original pointer is kept just below). */
static void *sclip__alloc(size_t size) {
    unsigned char *raw, *p;
    if (size > (size_t)-1 - SCLIP__ALIGN - sizeof(void *)) return NULL;
    raw = (unsigned char *)SCLIP_MALLOC(size + SCLIP__ALIGN + sizeof(void *));
    if (!raw) return NULL;
    p = raw + sizeof(void *);
    p += (SCLIP__ALIGN - ((size_t)p & (SCLIP__ALIGN - 1))) & (SCLIP__ALIGN - 1);
    memcpy(p - sizeof(void *), &raw, sizeof(void *));
    return p;
}

static void sclip__free(void *p) {
    void *raw;
    if (!p) return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
    SCLIP_FREE(raw);
}

static void *sclip__calloc(size_t n, size_t size) {
    void *p;
    if (size && n > (size_t)-1 / size) return NULL;
    p = sclip__alloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

static sclip_result sclip__fail(char *err, size_t cap, sclip_result r, const char *fmt, ...) {
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return r;
}

/* IEEE half to float, exact. */
static float sclip__half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 1023, bits;
    float f;
    if (e == 0) {
        f = (float)m * (1.0f / 16777216.0f); /* subnormal: m * 2^-24 */
        return sign ? -f : f;
    }
    bits = e == 31 ? sign | 0x7f800000u | (m << 13) : sign | ((e + 112) << 23) | (m << 13);
    memcpy(&f, &bits, 4);
    return f;
}

/* ============================================================================================
   Matrix products
   y = x W^T + b, W in PyTorch's Linear layout (n rows of k). Weights are packed once at load
   time into the layout the kernel streams; this portable version keeps W as it is.
   ============================================================================================ */
enum { SCLIP__EPI_NONE, SCLIP__EPI_QUICKGELU, SCLIP__EPI_GELU, SCLIP__EPI_ADD };

static size_t sclip__gemm_packed_size(int n, int k) { return (size_t)n * (size_t)k; }
static int sclip__gemm_col_block(void) { return 16; }

static void sclip__gemm_pack(const float *w, int n, int k, float *packed) {
    memcpy(packed, w, (size_t)n * (size_t)k * sizeof(float));
}

/* Packs the transpose of w (k rows of n), e.g. visual.proj stored as [width][embed]. */
static void sclip__gemm_pack_t(const float *w, int k, int n, float *packed) {
    int i, j;
    for (j = 0; j < n; j++)
        for (i = 0; i < k; i++) packed[(size_t)j * k + i] = w[(size_t)i * n + j];
}

static float sclip__dot(const float *a, const float *b, int k) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= k; p += 4) {
        s0 += a[p] * b[p];
        s1 += a[p + 1] * b[p + 1];
        s2 += a[p + 2] * b[p + 2];
        s3 += a[p + 3] * b[p + 3];
    }
    for (; p < k; p++) s0 += a[p] * b[p];
    return (s0 + s1) + (s2 + s3);
}

static float sclip__epilogue(int epi, float t) {
    if (epi == SCLIP__EPI_QUICKGELU) return t / (1.0f + expf(-1.702f * t)); /* t * sigmoid(1.702 t) */
    if (epi == SCLIP__EPI_GELU) return 0.5f * t * (1.0f + erff(t * 0.70710678f));
    return t;
}

static void sclip__gemm(int m, int n, int k, const float *x, int ldx, const float *packed, const float *bias,
                        int epi, float *y, int ldy, int j0, int j1) {
    int i, j;
    (void)n;
    for (i = 0; i < m; i++)
        for (j = j0; j < j1; j++) {
            float t = sclip__dot(x + (size_t)i * ldx, packed + (size_t)j * k, k) + (bias ? bias[j] : 0.0f);
            if (epi == SCLIP__EPI_ADD) y[(size_t)i * ldy + j] += t;
            else y[(size_t)i * ldy + j] = sclip__epilogue(epi, t);
        }
}

/* c = alpha a b^T (a: m x k, b: n x k) */
static void sclip__gemm_nt(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                           float *c, int ldc) {
    int i, j;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) c[(size_t)i * ldc + j] = alpha * sclip__dot(a + (size_t)i * lda, b + (size_t)j * ldb, k);
}

/* c (+)= a b (a: m x k, b: k x n) */
static void sclip__gemm_nn(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                           int accumulate) {
    int i, j, p;
    for (i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        if (!accumulate)
            for (j = 0; j < n; j++) ci[j] = 0;
        for (p = 0; p < k; p++) {
            float av = a[(size_t)i * lda + p];
            const float *bp = b + (size_t)p * ldb;
            for (j = 0; j < n; j++) ci[j] += av * bp[j];
        }
    }
}

/* ============================================================================================
   Weight file (.sclip): parsing and validation. See "WEIGHT FILE" in the manual.
   Every number read from the file is checked before it is used.
   ============================================================================================ */
#define SCLIP__HEADER_SIZE 256
#define SCLIP__ENTRY_SIZE 96
#define SCLIP__MAX_TENSORS 4096
#define SCLIP__NAME_LEN 64
enum { SCLIP__DT_F32 = 0, SCLIP__DT_F16 = 1, SCLIP__DT_Q8 = 2, SCLIP__DT_BF16 = 3 };

typedef struct sclip__tensor_entry {
    char name[SCLIP__NAME_LEN];
    uint32_t dtype, ndim, shape[4];
    uint64_t offset, nbytes; /* offset from the start of the file (validated) */
} sclip__tensor_entry;

typedef struct sclip__file {
    const unsigned char *base;
    size_t size;
    sclip_arch arch;
    uint32_t n_tensors;
    sclip__tensor_entry *tensors;
    uint64_t vocab_offset, vocab_size;
} sclip__file;

static uint32_t sclip__u32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t sclip__u64(const unsigned char *p) { return (uint64_t)sclip__u32(p) | ((uint64_t)sclip__u32(p + 4) << 32); }
static float sclip__f32(const unsigned char *p) {
    uint32_t u = sclip__u32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* [off, off+len) lies inside [0, size)? (overflow-safe) */
static int sclip__in_range(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

static int sclip__range_ok(int v, int lo, int hi) { return v >= lo && v <= hi; }

/* Architecture numbers: each in a sane range and consistent with the others. */
static sclip_result sclip__check_arch(const sclip_arch *a, char *err, size_t cap) {
    static const char *names[] = {"vision width", "vision layers", "vision heads", "vision MLP width", "patch size",
                                  "image size", "text width", "text layers", "text heads", "text MLP width",
                                  "context length", "vocabulary size", "embedding size"};
    const int v[] = {a->vision_width, a->vision_layers, a->vision_heads, a->vision_mlp, a->patch_size, a->image_size,
                     a->text_width, a->text_layers, a->text_heads, a->text_mlp, a->context_length, a->vocab_size,
                     a->embed_dim};
    const int hi[] = {8192, 128, 256, 65536, 64, 4096, 8192, 128, 256, 65536, 4096, 1 << 20, 8192};
    int i;
    for (i = 0; i < 13; i++)
        if (!sclip__range_ok(v[i], 1, hi[i]))
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: %s %d is out of range [1, %d]", names[i],
                               v[i], hi[i]);
    if (a->vision_width % a->vision_heads || a->text_width % a->text_heads)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: width not divisible by the number of heads");
    if (a->image_size % a->patch_size || a->image_size / a->patch_size > 256)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: image size %d is not a multiple of patch %d",
                           a->image_size, a->patch_size);
    if (a->context_length < 2)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: context length %d is below 2", a->context_length);
    if ((int)a->activation != SCLIP_ACT_QUICKGELU && (int)a->activation != SCLIP_ACT_GELU)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: unknown activation %d", (int)a->activation);
    if (!(a->ln_eps > 0 && a->ln_eps < 1))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: LayerNorm epsilon out of range");
    if (!(a->logit_scale > -100 && a->logit_scale < 100))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: logit_scale out of range");
    return SCLIP_OK;
}

static void sclip__read_arch(const unsigned char *h, sclip_arch *a) {
    a->vision_width = (int)sclip__u32(h + 72);
    a->vision_layers = (int)sclip__u32(h + 76);
    a->vision_heads = (int)sclip__u32(h + 80);
    a->vision_mlp = (int)sclip__u32(h + 84);
    a->patch_size = (int)sclip__u32(h + 88);
    a->image_size = (int)sclip__u32(h + 92);
    a->text_width = (int)sclip__u32(h + 96);
    a->text_layers = (int)sclip__u32(h + 100);
    a->text_heads = (int)sclip__u32(h + 104);
    a->text_mlp = (int)sclip__u32(h + 108);
    a->context_length = (int)sclip__u32(h + 112);
    a->vocab_size = (int)sclip__u32(h + 116);
    a->embed_dim = (int)sclip__u32(h + 120);
    a->activation = (sclip_activation)sclip__u32(h + 124);
    a->ln_eps = sclip__f32(h + 128);
    a->logit_scale = sclip__f32(h + 132);
}

/* One 96-byte table entry: name terminated, dtype and rank known, shape sane, data inside the
   data section and aligned. */
static sclip_result sclip__read_entry(const unsigned char *e, uint32_t idx, uint64_t data_off, uint64_t data_size,
                                      sclip__tensor_entry *t, char *err, size_t cap) {
    uint64_t count = 1, off;
    uint32_t d;
    memcpy(t->name, e, SCLIP__NAME_LEN);
    if (!memchr(t->name, 0, SCLIP__NAME_LEN) || !t->name[0])
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %u has no valid name", idx);
    t->dtype = sclip__u32(e + 64);
    t->ndim = sclip__u32(e + 68);
    if (t->dtype == SCLIP__DT_Q8 || t->dtype == SCLIP__DT_BF16)
        return sclip__fail(err, cap, SCLIP_ERROR_UNSUPPORTED_DTYPE, "weights: tensor %s has dtype %u, which this build does not support",
                           t->name, t->dtype);
    if (t->dtype > SCLIP__DT_F16)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has unknown dtype %u", t->name, t->dtype);
    if (t->ndim > 4)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has %u dimensions (at most 4)",
                           t->name, t->ndim);
    for (d = 0; d < 4; d++) {
        t->shape[d] = sclip__u32(e + 72 + 4 * d);
        if (d < t->ndim ? (t->shape[d] == 0 || t->shape[d] > (1u << 30)) : t->shape[d] != 0)
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has a bad dimension %u = %u",
                               t->name, d, t->shape[d]);
        if (d < t->ndim) {
            count *= t->shape[d];
            if (count > ((uint64_t)1 << 40))
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s is impossibly large", t->name);
        }
    }
    t->nbytes = count * (t->dtype == SCLIP__DT_F32 ? 4 : 2);
    off = sclip__u64(e + 88);
    if (off % SCLIP__ALIGN || !sclip__in_range(off, t->nbytes, data_size))
        return sclip__fail(err, cap, SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS,
                           "weights: tensor %s (%llu bytes at data offset %llu) lies outside the data section (%llu bytes) or is not 64-byte aligned",
                           t->name, (unsigned long long)t->nbytes, (unsigned long long)off, (unsigned long long)data_size);
    t->offset = data_off + off;
    return SCLIP_OK;
}

static int sclip__cmp_offset(const void *a, const void *b) {
    const sclip__tensor_entry *x = (const sclip__tensor_entry *)a, *y = (const sclip__tensor_entry *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}
static int sclip__cmp_name(const void *a, const void *b) {
    return strcmp(((const sclip__tensor_entry *)a)->name, ((const sclip__tensor_entry *)b)->name);
}

/* No two tensors share bytes; no name repeats. Sorts the table by name (for lookups). */
static sclip_result sclip__check_table(sclip__file *f, char *err, size_t cap) {
    uint32_t i;
    qsort(f->tensors, f->n_tensors, sizeof *f->tensors, sclip__cmp_offset);
    for (i = 1; i < f->n_tensors; i++) {
        const sclip__tensor_entry *a = &f->tensors[i - 1], *b = &f->tensors[i];
        if (b->offset < a->offset + a->nbytes)
            return sclip__fail(err, cap, SCLIP_ERROR_TENSOR_OVERLAP, "weights: tensors %s and %s overlap", a->name, b->name);
    }
    qsort(f->tensors, f->n_tensors, sizeof *f->tensors, sclip__cmp_name);
    for (i = 1; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i - 1].name, f->tensors[i].name))
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s appears twice", f->tensors[i].name);
    return SCLIP_OK;
}

/* Parses and validates the header, the sections and the tensor table of a .sclip image. */
static sclip_result sclip__parse_file(const unsigned char *base, size_t size, sclip__file *f, char *err, size_t cap) {
    uint64_t file_size, table_off, data_off, data_size;
    uint32_t i, hsize;
    sclip_result r;
    memset(f, 0, sizeof *f);
    f->base = base;
    f->size = size;
    if (size < 8 || memcmp(base, "SCLIPWT\0", 8) != 0)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_MAGIC, "weights: not a .sclip file (bad magic)");
    if (size < SCLIP__HEADER_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: file is %llu bytes, shorter than the header",
                           (unsigned long long)size);
    if (sclip__u32(base + 8) != SCLIP_FILE_VERSION)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VERSION, "weights: format version %u, this build reads version %d",
                           sclip__u32(base + 8), SCLIP_FILE_VERSION);
    hsize = sclip__u32(base + 12);
    if (hsize != SCLIP__HEADER_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: header size %u, expected %d", hsize, SCLIP__HEADER_SIZE);
    file_size = sclip__u64(base + 16);
    if (file_size > size)
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: file is truncated (%llu bytes of %llu)",
                           (unsigned long long)size, (unsigned long long)file_size);
    if (file_size < size)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: file is %llu bytes but the header says %llu",
                           (unsigned long long)size, (unsigned long long)file_size);
    f->n_tensors = sclip__u32(base + 24);
    table_off = sclip__u64(base + 32);
    f->vocab_offset = sclip__u64(base + 40);
    f->vocab_size = sclip__u64(base + 48);
    data_off = sclip__u64(base + 56);
    data_size = sclip__u64(base + 64);
    if (f->n_tensors < 1 || f->n_tensors > SCLIP__MAX_TENSORS)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: %u tensors (expected 1 to %d)", f->n_tensors,
                           SCLIP__MAX_TENSORS);
    if (table_off < SCLIP__HEADER_SIZE || !sclip__in_range(table_off, (uint64_t)f->n_tensors * SCLIP__ENTRY_SIZE, size))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: tensor table lies outside the file");
    if (f->vocab_size && (f->vocab_offset < SCLIP__HEADER_SIZE || !sclip__in_range(f->vocab_offset, f->vocab_size, size)))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: merge list lies outside the file");
    if (data_off % SCLIP__ALIGN || data_off < SCLIP__HEADER_SIZE || !sclip__in_range(data_off, data_size, size))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: data section lies outside the file or is misaligned");
    if (table_off < data_off + data_size && data_off < table_off + (uint64_t)f->n_tensors * SCLIP__ENTRY_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: tensor table overlaps the data section");
    sclip__read_arch(base, &f->arch);
    if ((r = sclip__check_arch(&f->arch, err, cap)) != SCLIP_OK) return r;
    f->tensors = (sclip__tensor_entry *)sclip__calloc(f->n_tensors, sizeof *f->tensors);
    if (!f->tensors) return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    for (i = 0; i < f->n_tensors; i++) {
        r = sclip__read_entry(base + table_off + (uint64_t)i * SCLIP__ENTRY_SIZE, i, data_off, data_size, &f->tensors[i],
                              err, cap);
        if (r != SCLIP_OK) return r;
    }
    return sclip__check_table(f, err, cap);
}

static const sclip__tensor_entry *sclip__find(const sclip__file *f, const char *name) {
    sclip__tensor_entry key;
    if (strlen(name) >= SCLIP__NAME_LEN) return NULL;
    memset(key.name, 0, sizeof key.name);
    strcpy(key.name, name);
    return (const sclip__tensor_entry *)bsearch(&key, f->tensors, f->n_tensors, sizeof key, sclip__cmp_name);
}

/* ============================================================================================
   Model: tensors of the file turned into what the forward passes read
   ============================================================================================ */
typedef struct sclip__linear {
    int n, k;            /* out features, in features */
    const float *packed; /* n x k weights in the kernel's layout */
    const float *bias;   /* n, or NULL */
} sclip__linear;

typedef struct sclip__block {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    sclip__linear qkv, out, fc, proj; /* attn.in_proj, attn.out_proj, mlp.c_fc, mlp.c_proj */
} sclip__block;

typedef struct sclip__tower {
    int width, layers, heads, mlp;
    sclip__block *blocks;
    const float *ln_w, *ln_b; /* ln_post (vision) or ln_final (text) */
    sclip__linear proj;       /* visual.proj or text_projection, as a Linear (n = embed, k = width) */
} sclip__tower;

struct sclip_model {
    sclip_arch arch;
    sclip_towers towers;
    sclip__tower vision, text;
    const float *class_embedding, *vision_pos, *ln_pre_w, *ln_pre_b; /* vision stem */
    sclip__linear conv1;                                              /* patch embedding, k = 3*P*P */
    const float *token_embedding, *text_pos;                          /* text stem */
    sclip_tokenizer *tokenizer;
    void **allocs; /* everything converted or packed at load time */
    int n_allocs, cap_allocs;
    void *mapping; /* the mmap'ed file, if any */
    size_t mapping_size;
    uint64_t fingerprint; /* of the architecture and text_projection: ties vocabulary caches to a model */
};

typedef struct sclip__loader {
    sclip_model *m;
    const sclip__file *f;
    char *err;
    size_t cap;
    char name[SCLIP__NAME_LEN + 16];
} sclip__loader;

static void *sclip__model_alloc(sclip_model *m, size_t bytes) {
    void *p;
    if (m->n_allocs == m->cap_allocs) {
        int cap = m->cap_allocs ? 2 * m->cap_allocs : 64;
        void **a = (void **)sclip__alloc((size_t)cap * sizeof(void *));
        if (!a) return NULL;
        if (m->n_allocs) memcpy(a, m->allocs, (size_t)m->n_allocs * sizeof(void *));
        sclip__free(m->allocs);
        m->allocs = a;
        m->cap_allocs = cap;
    }
    p = sclip__alloc(bytes ? bytes : 1);
    if (p) m->allocs[m->n_allocs++] = p;
    return p;
}

/* Finds a tensor, checks its shape (dims[i] = 0 ends the list), returns it as float32: in place
   when the file stores aligned f32, converted otherwise. */
static sclip_result sclip__get(sclip__loader *L, const char *name, int d0, int d1, int d2, int d3, const float **out) {
    const int want[4] = {d0, d1, d2, d3};
    const sclip__tensor_entry *t = sclip__find(L->f, name);
    const unsigned char *src;
    uint32_t nd = 0, i;
    uint64_t count = 1;
    while (nd < 4 && want[nd]) nd++;
    if (!t) return sclip__fail(L->err, L->cap, SCLIP_ERROR_MISSING_TENSOR, "weights: tensor %s is missing", name);
    for (i = 0; i < 4; i++)
        if (t->ndim != nd || (i < nd && t->shape[i] != (uint32_t)want[i])) {
            return sclip__fail(L->err, L->cap, SCLIP_ERROR_TENSOR_SHAPE,
                               "weights: tensor %s has shape %ux%ux%ux%u (rank %u), expected %dx%dx%dx%d (rank %u)", name,
                               t->shape[0], t->shape[1], t->shape[2], t->shape[3], t->ndim, d0, d1, d2, d3, nd);
        }
    for (i = 0; i < nd; i++) count *= t->shape[i];
    src = L->f->base + t->offset;
    if (t->dtype == SCLIP__DT_F32 && ((size_t)src & 3) == 0) {
        *out = (const float *)(const void *)src;
        return SCLIP_OK;
    } else {
        float *dst = (float *)sclip__model_alloc(L->m, (size_t)count * sizeof(float));
        uint64_t j;
        if (!dst) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", name);
        for (j = 0; j < count; j++) {
            if (t->dtype == SCLIP__DT_F32) memcpy(&dst[j], src + 4 * j, 4);
            else dst[j] = sclip__half_to_float((uint16_t)(src[2 * j] | (src[2 * j + 1] << 8)));
        }
        *out = dst;
        return SCLIP_OK;
    }
}

/* A Linear layer: weight (n x k, or k x n when transposed, as visual.proj) packed for the kernel. */
static sclip_result sclip__get_linear(sclip__loader *L, const char *wname, const char *bname, int n, int k,
                                      int transposed, sclip__linear *lin) {
    const float *w;
    float *packed;
    sclip_result r = transposed ? sclip__get(L, wname, k, n, 0, 0, &w) : sclip__get(L, wname, n, k, 0, 0, &w);
    if (r != SCLIP_OK) return r;
    lin->n = n;
    lin->k = k;
    lin->bias = NULL;
    if (bname && (r = sclip__get(L, bname, n, 0, 0, 0, &lin->bias)) != SCLIP_OK) return r;
    packed = (float *)sclip__model_alloc(L->m, sclip__gemm_packed_size(n, k) * sizeof(float));
    if (!packed) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", wname);
    if (transposed) sclip__gemm_pack_t(w, k, n, packed);
    else sclip__gemm_pack(w, n, k, packed);
    lin->packed = packed;
    return SCLIP_OK;
}

static sclip_result sclip__get_block(sclip__loader *L, const char *prefix, int i, int width, int mlp, sclip__block *b) {
    char w[SCLIP__NAME_LEN + 32], bias[SCLIP__NAME_LEN + 32];
    sclip_result r;
#define SCLIP__NAME(buf, suffix) snprintf(buf, sizeof buf, "%sresblocks.%d." suffix, prefix, i)
    SCLIP__NAME(w, "ln_1.weight");
    SCLIP__NAME(bias, "ln_1.bias");
    if ((r = sclip__get(L, w, width, 0, 0, 0, &b->ln1_w)) || (r = sclip__get(L, bias, width, 0, 0, 0, &b->ln1_b))) return r;
    SCLIP__NAME(w, "ln_2.weight");
    SCLIP__NAME(bias, "ln_2.bias");
    if ((r = sclip__get(L, w, width, 0, 0, 0, &b->ln2_w)) || (r = sclip__get(L, bias, width, 0, 0, 0, &b->ln2_b))) return r;
    SCLIP__NAME(w, "attn.in_proj_weight");
    SCLIP__NAME(bias, "attn.in_proj_bias");
    if ((r = sclip__get_linear(L, w, bias, 3 * width, width, 0, &b->qkv))) return r;
    SCLIP__NAME(w, "attn.out_proj.weight");
    SCLIP__NAME(bias, "attn.out_proj.bias");
    if ((r = sclip__get_linear(L, w, bias, width, width, 0, &b->out))) return r;
    SCLIP__NAME(w, "mlp.c_fc.weight");
    SCLIP__NAME(bias, "mlp.c_fc.bias");
    if ((r = sclip__get_linear(L, w, bias, mlp, width, 0, &b->fc))) return r;
    SCLIP__NAME(w, "mlp.c_proj.weight");
    SCLIP__NAME(bias, "mlp.c_proj.bias");
    return sclip__get_linear(L, w, bias, width, mlp, 0, &b->proj);
#undef SCLIP__NAME
}

static sclip_result sclip__get_tower(sclip__loader *L, sclip__tower *t, const char *prefix, int width, int layers, int heads,
                                     int mlp) {
    int i;
    sclip_result r;
    t->width = width;
    t->layers = layers;
    t->heads = heads;
    t->mlp = mlp;
    t->blocks = (sclip__block *)sclip__model_alloc(L->m, (size_t)layers * sizeof(sclip__block));
    if (!t->blocks) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    for (i = 0; i < layers; i++)
        if ((r = sclip__get_block(L, prefix, i, width, mlp, &t->blocks[i])) != SCLIP_OK) return r;
    return SCLIP_OK;
}

static sclip_result sclip__load_vision(sclip__loader *L) {
    sclip_model *m = L->m;
    const sclip_arch *a = &m->arch;
    int g = a->image_size / a->patch_size, W = a->vision_width, P = a->patch_size;
    const float *conv;
    float *packed;
    sclip_result r;
    if ((r = sclip__get(L, "visual.class_embedding", W, 0, 0, 0, &m->class_embedding)) ||
        (r = sclip__get(L, "visual.positional_embedding", g * g + 1, W, 0, 0, &m->vision_pos)) ||
        (r = sclip__get(L, "visual.conv1.weight", W, 3, P, P, &conv)) ||
        (r = sclip__get(L, "visual.ln_pre.weight", W, 0, 0, 0, &m->ln_pre_w)) ||
        (r = sclip__get(L, "visual.ln_pre.bias", W, 0, 0, 0, &m->ln_pre_b)) ||
        (r = sclip__get(L, "visual.ln_post.weight", W, 0, 0, 0, &m->vision.ln_w)) ||
        (r = sclip__get(L, "visual.ln_post.bias", W, 0, 0, 0, &m->vision.ln_b)) ||
        (r = sclip__get_linear(L, "visual.proj", NULL, a->embed_dim, W, 1, &m->vision.proj)))
        return r;
    /* conv1 as a Linear on flattened (3, P, P) patches, no bias */
    packed = (float *)sclip__model_alloc(m, sclip__gemm_packed_size(W, 3 * P * P) * sizeof(float));
    if (!packed) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    sclip__gemm_pack(conv, W, 3 * P * P, packed);
    m->conv1.n = W;
    m->conv1.k = 3 * P * P;
    m->conv1.packed = packed;
    m->conv1.bias = NULL;
    return sclip__get_tower(L, &m->vision, "visual.transformer.", W, a->vision_layers, a->vision_heads, a->vision_mlp);
}

static sclip_result sclip__load_text(sclip__loader *L) {
    sclip_model *m = L->m;
    const sclip_arch *a = &m->arch;
    int W = a->text_width;
    sclip_result r;
    if ((r = sclip__get(L, "token_embedding.weight", a->vocab_size, W, 0, 0, &m->token_embedding)) ||
        (r = sclip__get(L, "positional_embedding", a->context_length, W, 0, 0, &m->text_pos)) ||
        (r = sclip__get(L, "ln_final.weight", W, 0, 0, 0, &m->text.ln_w)) ||
        (r = sclip__get(L, "ln_final.bias", W, 0, 0, 0, &m->text.ln_b)) ||
        (r = sclip__get_linear(L, "text_projection", NULL, a->embed_dim, W, 1, &m->text.proj)))
        return r;
    return sclip__get_tower(L, &m->text, "transformer.", W, a->text_layers, a->text_heads, a->text_mlp);
}

SCLIPDEF void sclip_model_free(sclip_model *m) {
    int i;
    if (!m) return;
    for (i = 0; i < m->n_allocs; i++) sclip__free(m->allocs[i]);
    sclip__free(m->allocs);
    if (m->tokenizer) sclip_tokenizer_free(m->tokenizer);
#ifdef SCLIP__HAVE_MMAP
    if (m->mapping) munmap(m->mapping, m->mapping_size);
#endif
    sclip__free(m);
}

/* FNV-1a over the architecture numbers and the values of text_projection (as float32, so f16
   and f32 files of the same weights agree). */
static uint64_t sclip__fingerprint(const sclip__file *f) {
    const sclip__tensor_entry *t = sclip__find(f, "text_projection");
    uint64_t h = 1469598103934665603ull, i, n;
    const unsigned char *p = f->base + 72;
    for (i = 0; i < 64; i++) h = (h ^ p[i]) * 1099511628211ull;
    if (!t) return h;
    n = t->nbytes / (t->dtype == SCLIP__DT_F32 ? 4 : 2);
    for (i = 0; i < n; i++) {
        const unsigned char *e = f->base + t->offset;
        float v = t->dtype == SCLIP__DT_F32 ? sclip__f32(e + 4 * i) : sclip__half_to_float((uint16_t)(e[2 * i] | (e[2 * i + 1] << 8)));
        unsigned char b[4];
        int k;
        memcpy(b, &v, 4);
        for (k = 0; k < 4; k++) h = (h ^ b[k]) * 1099511628211ull;
    }
    return h;
}

static sclip_result sclip__model_build(sclip_model *m, const unsigned char *data, size_t size, const sclip_model_desc *desc,
                                       char *err, size_t cap) {
    sclip__file f;
    sclip__loader L;
    sclip_result r = sclip__parse_file(data, size, &f, err, cap);
    m->arch = f.arch;
    m->towers = desc ? desc->towers : SCLIP_TOWERS_BOTH;
    if ((int)m->towers < 0 || (int)m->towers > 2) m->towers = SCLIP_TOWERS_BOTH;
    L.m = m;
    L.f = &f;
    L.err = err;
    L.cap = cap;
    if (r == SCLIP_OK) m->fingerprint = sclip__fingerprint(&f);
    if (r == SCLIP_OK && m->towers != SCLIP_TOWERS_TEXT) r = sclip__load_vision(&L);
    if (r == SCLIP_OK && m->towers != SCLIP_TOWERS_VISION) r = sclip__load_text(&L);
    if (r == SCLIP_OK && f.vocab_size) {
        r = sclip_tokenizer_create((const char *)data + f.vocab_offset, (size_t)f.vocab_size, &m->tokenizer);
        if (r != SCLIP_OK) sclip__fail(err, cap, r, "weights: the embedded merge list is malformed (%s)", sclip_result_string(r));
    }
    sclip__free(f.tensors);
    return r;
}

SCLIPDEF sclip_result sclip_model_load_memory(const void *data, size_t size, const sclip_model_desc *desc,
                                              sclip_model **out, char *err, size_t err_cap) {
    sclip_model *m;
    sclip_result r;
    if (err && err_cap) err[0] = 0;
    if (!out || (!data && size)) return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    *out = NULL;
    m = (sclip_model *)sclip__calloc(1, sizeof *m);
    if (!m) return sclip__fail(err, err_cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    r = sclip__model_build(m, (const unsigned char *)data, size, desc, err, err_cap);
    if (r != SCLIP_OK) {
        sclip_model_free(m);
        return r;
    }
    *out = m;
    return SCLIP_OK;
}

#ifndef SCLIP_NO_STDIO
SCLIPDEF sclip_result sclip_model_load(const char *path, const sclip_model_desc *desc, sclip_model **out, char *err,
                                       size_t err_cap) {
    sclip_result r;
    if (err && err_cap) err[0] = 0;
    if (!path || !out) return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    *out = NULL;
#ifdef SCLIP__HAVE_MMAP
    {
        struct stat st;
        void *map;
        int fd = open(path, O_RDONLY);
        if (fd < 0) return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot open %s", path);
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: %s is not a regular file", path);
        }
        if (st.st_size == 0) {
            close(fd);
            return sclip__fail(err, err_cap, SCLIP_ERROR_BAD_MAGIC, "weights: %s is empty", path);
        }
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (map == MAP_FAILED) return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot map %s", path);
        r = sclip_model_load_memory(map, (size_t)st.st_size, desc, out, err, err_cap);
        if (r != SCLIP_OK) {
            munmap(map, (size_t)st.st_size);
            return r;
        }
        (*out)->mapping = map;
        (*out)->mapping_size = (size_t)st.st_size;
        return SCLIP_OK;
    }
#else
    {
        FILE *fp = fopen(path, "rb");
        long n;
        unsigned char *buf;
        sclip_model *m;
        if (!fp) return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot open %s", path);
        if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
            fclose(fp);
            return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot read %s", path);
        }
        buf = (unsigned char *)sclip__alloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            fclose(fp);
            sclip__free(buf);
            return sclip__fail(err, err_cap, buf ? SCLIP_ERROR_IO : SCLIP_ERROR_OUT_OF_MEMORY, "weights: cannot read %s", path);
        }
        fclose(fp);
        r = sclip_model_load_memory(buf, (size_t)n, desc, out, err, err_cap);
        if (r != SCLIP_OK) {
            sclip__free(buf);
            return r;
        }
        m = *out;
        if (!sclip__model_alloc(m, 0)) { /* keep the buffer owned by the model */
            sclip_model_free(m);
            sclip__free(buf);
            *out = NULL;
            return sclip__fail(err, err_cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
        }
        sclip__free(m->allocs[m->n_allocs - 1]);
        m->allocs[m->n_allocs - 1] = buf;
        return SCLIP_OK;
    }
#endif
}
#endif

SCLIPDEF const sclip_arch *sclip_model_arch(const sclip_model *m) { return m ? &m->arch : NULL; }
SCLIPDEF const sclip_tokenizer *sclip_model_tokenizer(const sclip_model *m) { return m ? m->tokenizer : NULL; }

/* ============================================================================================
   Threads: a small pool; item i of a job runs on worker i mod n (static, so results never
   depend on scheduling). A host can replace it with its own parallel_for.
   ============================================================================================ */
typedef struct sclip__pool {
    int n; /* threads including the caller */
#ifdef SCLIP__PTHREADS
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
#endif
    void (*fn)(void *arg, int i);
    void *arg;
    int n_items, generation, pending, quit;
} sclip__pool;

typedef struct sclip__worker_arg {
    sclip__pool *pool;
    int id;
} sclip__worker_arg;

static void sclip__pool_run_share(sclip__pool *p, int id) {
    int i;
    for (i = id; i < p->n_items; i += p->n) p->fn(p->arg, i);
}

#ifdef SCLIP__PTHREADS
static void *sclip__worker(void *varg) {
    sclip__worker_arg *wa = (sclip__worker_arg *)varg;
    sclip__pool *p = wa->pool;
    int seen = 0, id = wa->id;
    sclip__free(wa);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->generation == seen && !p->quit) pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        sclip__pool_run_share(p, id);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}
#endif

static int sclip__pool_start(sclip__pool *p, int n) {
    memset(p, 0, sizeof *p);
    p->n = 1;
#ifdef SCLIP__PTHREADS
    if (n > 1) {
        int i;
        p->threads = (pthread_t *)sclip__calloc((size_t)n, sizeof(pthread_t));
        if (!p->threads) return 0;
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->wake, NULL);
        pthread_cond_init(&p->done, NULL);
        for (i = 1; i < n; i++) {
            sclip__worker_arg *wa = (sclip__worker_arg *)sclip__alloc(sizeof *wa);
            if (!wa) break;
            wa->pool = p;
            wa->id = i;
            if (pthread_create(&p->threads[i], NULL, sclip__worker, wa) != 0) {
                sclip__free(wa);
                break;
            }
            p->n = i + 1;
        }
        return p->n == n;
    }
#else
    (void)n;
#endif
    return 1;
}

static void sclip__pool_stop(sclip__pool *p) {
#ifdef SCLIP__PTHREADS
    if (p->threads) {
        int i;
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (i = 1; i < p->n; i++) pthread_join(p->threads[i], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->wake);
        pthread_cond_destroy(&p->done);
        sclip__free(p->threads);
    }
#endif
    memset(p, 0, sizeof *p);
}

static void sclip__pool_for(sclip__pool *p, void (*fn)(void *, int), void *arg, int n_items) {
    p->fn = fn;
    p->arg = arg;
    p->n_items = n_items;
#ifdef SCLIP__PTHREADS
    if (p->n > 1 && n_items > 1) {
        pthread_mutex_lock(&p->mu);
        p->pending = p->n - 1;
        p->generation++;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        sclip__pool_run_share(p, 0);
        pthread_mutex_lock(&p->mu);
        while (p->pending) pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
        return;
    }
#endif
    {
        int i;
        for (i = 0; i < n_items; i++) fn(arg, i);
    }
}

/* ============================================================================================
   Context: scratch memory, threads, caches that depend on the input size
   ============================================================================================ */
struct sclip_context {
    const sclip_model *model;
    char err[256];
    int n_threads;
    sclip_parallel_for_fn parallel_for;
    void *parallel_for_user;
    sclip__pool pool;
    float *work; /* scratch, grown to the largest input seen */
    size_t work_cap;
    float *pos; /* vision positional embedding for grid pos_gh x pos_gw (interpolated) */
    int pos_gh, pos_gw;
    sclip_progress_fn progress;
    void *progress_user;
};

static int sclip__cpu_count(void) {
#if defined(SCLIP__PTHREADS) && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
#else
    return 1;
#endif
}

SCLIPDEF sclip_result sclip_context_create(const sclip_model *model, const sclip_context_desc *desc, sclip_context **out) {
    sclip_context *c;
    int n;
    if (!model || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    n = desc && desc->n_threads > 0 ? desc->n_threads : sclip__cpu_count();
    if (n > 256) return SCLIP_ERROR_INVALID_ARGUMENT;
    c = (sclip_context *)sclip__calloc(1, sizeof *c);
    if (!c) return SCLIP_ERROR_OUT_OF_MEMORY;
    c->model = model;
    c->n_threads = n;
    if (desc) {
        c->progress = desc->progress;
        c->progress_user = desc->progress_user;
    }
    if (desc && desc->parallel_for) {
        c->parallel_for = desc->parallel_for;
        c->parallel_for_user = desc->parallel_for_user;
        sclip__pool_start(&c->pool, 1);
    } else if (!sclip__pool_start(&c->pool, n)) {
        sclip__pool_stop(&c->pool);
        sclip__free(c);
        return SCLIP_ERROR_THREADS;
    }
    *out = c;
    return SCLIP_OK;
}

SCLIPDEF void sclip_context_free(sclip_context *c) {
    if (!c) return;
    sclip__pool_stop(&c->pool);
    sclip__free(c->work);
    sclip__free(c->pos);
    sclip__free(c);
}

SCLIPDEF const char *sclip_context_error(const sclip_context *c) { return c ? c->err : ""; }

static sclip_result sclip__ctx_fail(sclip_context *c, sclip_result r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return r;
}

/* Runs fn(arg, i) for i in [0, n) on the context's threads. */
static void sclip__parallel(sclip_context *c, void (*fn)(void *, int), void *arg, int n) {
    if (c->parallel_for && n > 1) c->parallel_for(c->parallel_for_user, fn, arg, n);
    else sclip__pool_for(&c->pool, fn, arg, n);
}

/* Scratch of at least `floats` floats (contents not kept across calls). */
static float *sclip__scratch(sclip_context *c, size_t floats) {
    if (floats > c->work_cap) {
        sclip__free(c->work);
        c->work = (float *)sclip__alloc(floats * sizeof(float));
        c->work_cap = c->work ? floats : 0;
    }
    return c->work;
}

/* ============================================================================================
   Primitives: Linear on threads, LayerNorm, softmax, bicubic resampling
   ============================================================================================ */
typedef struct sclip__linear_job {
    const sclip__linear *lin;
    int m, ldx, ldy, epi, parts;
    const float *x;
    float *y;
} sclip__linear_job;

static void sclip__linear_task(void *arg, int i) {
    const sclip__linear_job *j = (const sclip__linear_job *)arg;
    int cb = sclip__gemm_col_block(), blocks = (j->lin->n + cb - 1) / cb;
    int per = (blocks + j->parts - 1) / j->parts, j0 = i * per * cb, j1 = (i + 1) * per * cb;
    if (j1 > j->lin->n) j1 = j->lin->n;
    if (j0 < j1)
        sclip__gemm(j->m, j->lin->n, j->lin->k, j->x, j->ldx, j->lin->packed, j->lin->bias, j->epi, j->y, j->ldy, j0, j1);
}

/* y = epi(x W^T + b) for m rows; the output columns are split across the threads. */
static void sclip__linear_forward(sclip_context *c, const sclip__linear *lin, int m, const float *x, int ldx, float *y,
                                  int ldy, int epi) {
    sclip__linear_job j;
    j.lin = lin;
    j.m = m;
    j.x = x;
    j.ldx = ldx;
    j.y = y;
    j.ldy = ldy;
    j.epi = epi;
    j.parts = c->n_threads;
    sclip__parallel(c, sclip__linear_task, &j, j.parts);
}

/* LayerNorm of each row: y = (x - mean) / sqrt(var + eps) * w + b (biased variance). */
static void sclip__layer_norm(const float *x, int ldx, float *y, int ldy, int rows, int n, const float *w, const float *b,
                              float eps) {
    int r, i;
    for (r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * ldx;
        float *yr = y + (size_t)r * ldy;
        double mean = 0, var = 0;
        float inv;
        for (i = 0; i < n; i++) mean += xr[i];
        mean /= n;
        for (i = 0; i < n; i++) var += (xr[i] - mean) * (xr[i] - mean);
        inv = (float)(1.0 / sqrt(var / n + eps));
        for (i = 0; i < n; i++) yr[i] = ((float)(xr[i] - mean) * inv) * w[i] + b[i];
    }
}

/* Softmax of a row in place: exp(x - max) / sum. */
static void sclip__softmax(float *x, int n) {
    float mx = x[0], s = 0;
    int i;
    for (i = 1; i < n; i++)
        if (x[i] > mx) mx = x[i];
    for (i = 0; i < n; i++) s += (x[i] = expf(x[i] - mx));
    s = 1.0f / s;
    for (i = 0; i < n; i++) x[i] *= s;
}

/* Cubic convolution weights of PyTorch's bicubic (A = -0.75) for fraction t in [0, 1). */
static void sclip__cubic_weights(float t, float wt[4]) {
    const float A = -0.75f;
    float x1 = t + 1.0f, x2 = 1.0f - t, x3 = x2 + 1.0f;
    wt[0] = ((A * x1 - 5 * A) * x1 + 8 * A) * x1 - 4 * A;
    wt[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    wt[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
    wt[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

/* Source taps and weights of bicubic resampling from n_in to n_out samples with PyTorch's
   align_corners=False and a caller-given scale factor: u = (d + 0.5) / scale - 0.5, taps
   floor(u)-1 .. floor(u)+2 clamped to the input. */
static void sclip__cubic_taps(int n_in, int d, double scale_factor, int idx[4], float wt[4]) {
    float step = (float)(1.0 / scale_factor), u = step * ((float)d + 0.5f) - 0.5f;
    float fl = floorf(u);
    int i, i0 = (int)fl;
    sclip__cubic_weights(u - fl, wt);
    for (i = 0; i < 4; i++) {
        int s = i0 - 1 + i;
        idx[i] = s < 0 ? 0 : s >= n_in ? n_in - 1 : s;
    }
}

/* ============================================================================================
   Transformer blocks
   A block is pre-LN: x += Attn(ln_1(x)); x += MLP(ln_2(x)), MLP = c_proj(act(c_fc(.))).
   Attention per head h, with q, k, v the slices of in_proj(ln_1(x)) and s = 1/sqrt(head_dim):
     vanilla   A = softmax(s q k')                 (text: causal, keys after the query masked)
     sclip     A = softmax(s q q') + softmax(s k k')  (CSA; rows sum to 2)
     clearclip A = softmax(s q q')
     naclip    A = softmax(s k k' + G), G the Gaussian neighbourhood of the patch grid
     maskclip  A = identity (each token keeps its own value)
   then o = concat_h(A v) and x = x + out_proj(o), or x = out_proj(o) for the variants that drop
   the residual and the MLP (clearclip, naclip).
   ============================================================================================ */
#define SCLIP__ROW_BLOCK 64 /* query rows per attention work item: scratch stays linear in tokens */
#define SCLIP__NACLIP_SIGMA 5.0

typedef struct sclip__attn_job {
    int mode;            /* an sclip_attn value; vanilla also serves the text tower */
    int causal;          /* text: query i sees keys 0..i */
    int n_seq;           /* sequences in the batch */
    const int *seq_start, *seq_len; /* rows of each sequence */
    int heads, head_dim, width;
    const float *qkv;    /* rows x 3*width: q | k | v */
    float *out;          /* rows x width */
    float *scratch;      /* parts x 2 x SCLIP__ROW_BLOCK x max_len */
    int max_len, parts;
    int grid_w;          /* patch grid width (naclip) */
    const float *gauss;  /* exp(-d^2 / (2 sigma^2)) for grid distances d (naclip) */
} sclip__attn_job;

/* Gaussian neighbourhood term between tokens i and j of a grid of width gw (token 0 = class). */
static float sclip__naclip_term(const sclip__attn_job *j, int i, int t) {
    int ri, ci, rt, ct, dr, dc;
    if (i == 0 || t == 0) return 0.0f;
    ri = (i - 1) / j->grid_w;
    ci = (i - 1) % j->grid_w;
    rt = (t - 1) / j->grid_w;
    ct = (t - 1) % j->grid_w;
    dr = ri > rt ? ri - rt : rt - ri;
    dc = ci > ct ? ci - ct : ct - ci;
    return j->gauss[dr] * j->gauss[dc]; /* exp(-(dr^2 + dc^2) / (2 sigma^2)) */
}

/* Attention rows [r0, r0+nr) of one head of one sequence. */
static void sclip__attn_rows(const sclip__attn_job *j, int seq, int h, int r0, int nr, float *s1, float *s2) {
    int L = j->seq_len[seq], ld = 3 * j->width, i, t, hd = j->head_dim;
    const float *base = j->qkv + (size_t)j->seq_start[seq] * ld + (size_t)h * hd;
    const float *q = base, *k = base + j->width, *v = base + 2 * j->width;
    float *o = j->out + ((size_t)j->seq_start[seq] + r0) * j->width + (size_t)h * hd;
    float s = 1.0f / sqrtf((float)hd);
    if (j->mode == SCLIP_ATTN_MASKCLIP) {
        for (i = 0; i < nr; i++) memcpy(o + (size_t)i * j->width, v + (size_t)(r0 + i) * ld, (size_t)hd * sizeof(float));
        return;
    }
    /* s1 = s * X_r Y'  with (X, Y) = (q, k) vanilla, (q, q) sclip/clearclip, (k, k) naclip */
    sclip__gemm_nt(nr, L, hd, s, (j->mode == SCLIP_ATTN_NACLIP ? k : q) + (size_t)r0 * ld, ld,
                   j->mode == SCLIP_ATTN_VANILLA || j->mode == SCLIP_ATTN_NACLIP ? k : q, ld, s1, L);
    for (i = 0; i < nr; i++) {
        float *row = s1 + (size_t)i * L;
        if (j->causal)
            for (t = r0 + i + 1; t < L; t++) row[t] = -INFINITY;
        if (j->mode == SCLIP_ATTN_NACLIP)
            for (t = 0; t < L; t++) row[t] += sclip__naclip_term(j, r0 + i, t);
        sclip__softmax(row, L);
    }
    if (j->mode == SCLIP_ATTN_SCLIP) { /* + softmax(s k k'), no averaging */
        sclip__gemm_nt(nr, L, hd, s, k + (size_t)r0 * ld, ld, k, ld, s2, L);
        for (i = 0; i < nr; i++) {
            sclip__softmax(s2 + (size_t)i * L, L);
            for (t = 0; t < L; t++) s1[(size_t)i * L + t] += s2[(size_t)i * L + t];
        }
    }
    sclip__gemm_nn(nr, hd, L, s1, L, v, ld, o, j->width, 0);
}

/* Work item `part` takes every parts-th (sequence, head, row block) triple. */
static void sclip__attn_task(void *arg, int part) {
    const sclip__attn_job *j = (const sclip__attn_job *)arg;
    float *s1 = j->scratch + (size_t)part * 2 * SCLIP__ROW_BLOCK * j->max_len, *s2 = s1 + (size_t)SCLIP__ROW_BLOCK * j->max_len;
    int seq, h, r0, n = 0;
    for (seq = 0; seq < j->n_seq; seq++)
        for (h = 0; h < j->heads; h++)
            for (r0 = 0; r0 < j->seq_len[seq]; r0 += SCLIP__ROW_BLOCK, n++) {
                int nr = j->seq_len[seq] - r0 < SCLIP__ROW_BLOCK ? j->seq_len[seq] - r0 : SCLIP__ROW_BLOCK;
                if (n % j->parts == part) sclip__attn_rows(j, seq, h, r0, nr, s1, s2);
            }
}

/* Buffers one block needs for `rows` tokens. */
typedef struct sclip__block_buf {
    float *h, *qkv, *o, *mlp, *scratch;
} sclip__block_buf;

static size_t sclip__block_buf_floats(int rows, int width, int mlp, int max_len, int parts) {
    return (size_t)rows * (width + 3 * width + width + mlp) + (size_t)parts * 2 * SCLIP__ROW_BLOCK * max_len + 64;
}

static void sclip__block_buf_init(sclip__block_buf *b, float *mem, int rows, int width, int mlp) {
    b->h = mem;
    b->qkv = b->h + (size_t)rows * width;
    b->o = b->qkv + (size_t)rows * 3 * width;
    b->mlp = b->o + (size_t)rows * width;
    b->scratch = b->mlp + (size_t)rows * mlp;
}

/* One residual block on x (rows x width), in place. `job` carries the attention setup. */
static void sclip__block_forward(sclip_context *c, const sclip__tower *t, const sclip__block *b, float *x, int rows,
                                 sclip__attn_job *job, const sclip__block_buf *buf) {
    int W = t->width, keep = job->mode != SCLIP_ATTN_CLEARCLIP && job->mode != SCLIP_ATTN_NACLIP;
    int act = c->model->arch.activation == SCLIP_ACT_GELU ? SCLIP__EPI_GELU : SCLIP__EPI_QUICKGELU;
    float eps = c->model->arch.ln_eps;
    sclip__layer_norm(x, W, buf->h, W, rows, W, b->ln1_w, b->ln1_b, eps);
    sclip__linear_forward(c, &b->qkv, rows, buf->h, W, buf->qkv, 3 * W, SCLIP__EPI_NONE);
    job->qkv = buf->qkv;
    job->out = buf->o;
    job->scratch = buf->scratch;
    job->heads = t->heads;
    job->width = W;
    job->head_dim = W / t->heads;
    job->parts = c->n_threads;
    sclip__parallel(c, sclip__attn_task, job, job->parts);
    sclip__linear_forward(c, &b->out, rows, buf->o, W, x, W, keep ? SCLIP__EPI_ADD : SCLIP__EPI_NONE);
    if (!keep) return;
    sclip__layer_norm(x, W, buf->h, W, rows, W, b->ln2_w, b->ln2_b, eps);
    sclip__linear_forward(c, &b->fc, rows, buf->h, W, buf->mlp, t->mlp, act);
    sclip__linear_forward(c, &b->proj, rows, buf->mlp, t->mlp, x, W, SCLIP__EPI_ADD);
}

/* ============================================================================================
   Vision tower
   ============================================================================================ */

/* Positional embedding for a gh x gw grid. The trained g x g grid is resized with PyTorch's
   bicubic (A = -0.75, align_corners=False) and SCLIP's scale factor (gh + 0.1) / g: the
   sampling step is g / (gh + 0.1), not g / gh. Computed once per grid size. */
static const float *sclip__vision_pos(sclip_context *c, int gh, int gw) {
    const sclip_model *m = c->model;
    int g = m->arch.image_size / m->arch.patch_size, W = m->arch.vision_width, oy, ox, r, ch, i;
    float *pos, *tmp;
    if (gh == g && gw == g) return m->vision_pos;
    if (c->pos && c->pos_gh == gh && c->pos_gw == gw) return c->pos;
    sclip__free(c->pos);
    c->pos = pos = (float *)sclip__alloc(((size_t)gh * gw + 1) * W * sizeof(float));
    tmp = (float *)sclip__alloc((size_t)g * gw * W * sizeof(float));
    if (!pos || !tmp) {
        sclip__free(tmp);
        sclip__free(pos);
        c->pos = NULL;
        return NULL;
    }
    c->pos_gh = gh;
    c->pos_gw = gw;
    memcpy(pos, m->vision_pos, (size_t)W * sizeof(float)); /* class token row kept */
    for (r = 0; r < g; r++) /* along x, for every trained row */
        for (ox = 0; ox < gw; ox++) {
            int idx[4];
            float wt[4];
            float *dst = tmp + ((size_t)r * gw + ox) * W;
            sclip__cubic_taps(g, ox, (gw + 0.1) / g, idx, wt);
            for (ch = 0; ch < W; ch++) {
                const float *src = m->vision_pos + (size_t)(1 + r * g) * W + ch;
                dst[ch] = src[(size_t)idx[0] * W] * wt[0] + src[(size_t)idx[1] * W] * wt[1] +
                          src[(size_t)idx[2] * W] * wt[2] + src[(size_t)idx[3] * W] * wt[3];
            }
        }
    for (oy = 0; oy < gh; oy++) { /* then along y */
        int idx[4];
        float wt[4];
        sclip__cubic_taps(g, oy, (gh + 0.1) / g, idx, wt);
        for (ox = 0; ox < gw; ox++) {
            float *dst = pos + (size_t)(1 + oy * gw + ox) * W;
            for (ch = 0; ch < W; ch++) {
                float acc = 0;
                for (i = 0; i < 4; i++) acc += tmp[((size_t)idx[i] * gw + ox) * W + ch] * wt[i];
                dst[ch] = acc;
            }
        }
    }
    sclip__free(tmp);
    return pos;
}

static sclip_result sclip__check_image(sclip_context *c, const float *chw, int h, int w) {
    const sclip_model *m = c->model;
    int P = m->arch.patch_size;
    if (!m->vision.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its vision tower");
    if (!chw) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "image: NULL pixels");
    if (h > SCLIP_MAX_IMAGE_SIDE || w > SCLIP_MAX_IMAGE_SIDE || (double)h * w > SCLIP_MAX_IMAGE_PIXELS)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_LARGE, "image: %dx%d exceeds the limit (side %d, %d pixels)", w, h,
                               SCLIP_MAX_IMAGE_SIDE, SCLIP_MAX_IMAGE_PIXELS);
    if (h < P || w < P)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_SMALL, "image: %dx%d is smaller than one %dx%d patch", w, h, P, P);
    return SCLIP_OK;
}

/* Patch embedding: each P x P patch (3 channels, row-major grid) through conv1 as a Linear. */
static void sclip__patch_embed(sclip_context *c, const float *chw, int h, int w, int gh, int gw, float *patches, float *x) {
    const sclip_model *m = c->model;
    int P = m->arch.patch_size, K = 3 * P * P, py, px, ch, ky;
    for (py = 0; py < gh; py++)
        for (px = 0; px < gw; px++) {
            float *dst = patches + ((size_t)py * gw + px) * K;
            for (ch = 0; ch < 3; ch++)
                for (ky = 0; ky < P; ky++)
                    memcpy(dst + (ch * P + ky) * P, chw + ((size_t)ch * h + (size_t)py * P + ky) * w + (size_t)px * P,
                           (size_t)P * sizeof(float));
        }
    sclip__linear_forward(c, &m->conv1, gh * gw, patches, K, x + m->arch.vision_width, m->arch.vision_width,
                          SCLIP__EPI_NONE);
}

/* The vision tower up to (not including) ln_post; x receives the L tokens, last block `attn`. */
static sclip_result sclip__vision_tokens(sclip_context *c, const float *chw, int h, int w, sclip_attn attn, float **x_out,
                                         int *n_tokens, sclip__block_buf *buf) {
    const sclip_model *m = c->model;
    const sclip__tower *t = &m->vision;
    int P = m->arch.patch_size, W = t->width, gh, gw, L, l, i, j;
    int seq_start = 0, seq_len;
    float *mem, *x, *patches, gauss[SCLIP_MAX_IMAGE_SIDE / 1];
    const float *pos;
    sclip__attn_job job;
    sclip_result r = sclip__check_image(c, chw, h, w);
    if (r != SCLIP_OK) return r;
    gh = h / P;
    gw = w / P;
    L = gh * gw + 1;
    mem = sclip__scratch(c, (size_t)L * W + (size_t)L * 3 * P * P + sclip__block_buf_floats(L, W, t->mlp, L, c->n_threads));
    if (!mem) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory for %d tokens", L);
    x = mem;
    patches = x + (size_t)L * W;
    sclip__block_buf_init(buf, patches + (size_t)L * 3 * P * P, L, W, t->mlp);
    pos = sclip__vision_pos(c, gh, gw);
    if (!pos) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    /* x = [class_embedding; conv1(patches)] + positional embedding, then ln_pre */
    sclip__patch_embed(c, chw, h, w, gh, gw, patches, x);
    memcpy(x, m->class_embedding, (size_t)W * sizeof(float));
    for (i = 0; i < L * W; i++) x[i] += pos[i];
    sclip__layer_norm(x, W, x, W, L, W, m->ln_pre_w, m->ln_pre_b, m->arch.ln_eps);
    /* exp(-d^2 / (2 sigma^2)) for grid distances d (naclip) */
    for (j = 0; j < (gh > gw ? gh : gw); j++)
        gauss[j] = (float)exp(-(double)j * j / (2.0 * SCLIP__NACLIP_SIGMA * SCLIP__NACLIP_SIGMA));
    memset(&job, 0, sizeof job);
    seq_len = L;
    job.n_seq = 1;
    job.seq_start = &seq_start;
    job.seq_len = &seq_len;
    job.max_len = L;
    job.grid_w = gw;
    job.gauss = gauss;
    for (l = 0; l < t->layers; l++) {
        job.mode = l == t->layers - 1 ? (int)attn : SCLIP_ATTN_VANILLA;
        sclip__block_forward(c, t, &t->blocks[l], x, L, &job, buf);
    }
    *x_out = x;
    *n_tokens = L;
    return SCLIP_OK;
}

static int sclip__attn_valid(int a) { return a >= SCLIP_ATTN_SCLIP && a <= SCLIP_ATTN_NACLIP; }

SCLIPDEF sclip_result sclip_encode_image_dense(sclip_context *c, const float *chw, int h, int w, sclip_attn attn, float *out,
                                               int *n_tokens) {
    sclip__block_buf buf;
    float *x;
    int L, W;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (!sclip__attn_valid((int)attn)) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "unknown attention %d", (int)attn);
    if ((r = sclip__vision_tokens(c, chw, h, w, attn, &x, &L, &buf)) != SCLIP_OK) return r;
    W = c->model->vision.width;
    /* ln_post and proj on every token */
    sclip__layer_norm(x, W, buf.h, W, L, W, c->model->vision.ln_w, c->model->vision.ln_b, c->model->arch.ln_eps);
    sclip__linear_forward(c, &c->model->vision.proj, L, buf.h, W, out, c->model->arch.embed_dim, SCLIP__EPI_NONE);
    if (n_tokens) *n_tokens = L;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_encode_image(sclip_context *c, const float *chw, int h, int w, float *out) {
    sclip__block_buf buf;
    float *x;
    int L, W;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    if ((r = sclip__vision_tokens(c, chw, h, w, SCLIP_ATTN_VANILLA, &x, &L, &buf)) != SCLIP_OK) return r;
    W = c->model->vision.width;
    sclip__layer_norm(x, W, buf.h, W, 1, W, c->model->vision.ln_w, c->model->vision.ln_b, c->model->arch.ln_eps);
    sclip__linear_forward(c, &c->model->vision.proj, 1, buf.h, W, out, c->model->arch.embed_dim, SCLIP__EPI_NONE);
    return SCLIP_OK;
}

/* ============================================================================================
   Text tower
   Causal attention means tokens after end-of-text never change the result, so each prompt
   runs only up to its EOT token (CLIP pools there: argmax of the ids), and many prompts go
   through the matrix products as one batch of rows.
   ============================================================================================ */
#define SCLIP__TEXT_BATCH_ROWS 2048

static int sclip__eot_position(const int32_t *ids, int n) {
    int i, best = 0;
    for (i = 1; i < n; i++)
        if (ids[i] > ids[best]) best = i;
    return best;
}

/* Encodes prompts [p0, p1) whose lengths are len[]: out receives (p1-p0) x embed_dim. */
static sclip_result sclip__text_batch(sclip_context *c, const int32_t *tokens, int p0, int p1, const int *len, float *out) {
    const sclip_model *m = c->model;
    const sclip__tower *t = &m->text;
    int W = t->width, ctx = m->arch.context_length, n = p1 - p0, rows = 0, p, i, l;
    int *start = (int *)sclip__alloc(2 * (size_t)n * sizeof(int)), *lens = start + n;
    float *mem, *x;
    sclip__block_buf buf;
    sclip__attn_job job;
    if (!start) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    for (p = 0; p < n; p++) {
        start[p] = rows;
        lens[p] = len[p0 + p];
        rows += lens[p];
    }
    mem = sclip__scratch(c, (size_t)rows * W + sclip__block_buf_floats(rows, W, t->mlp, ctx, c->n_threads));
    if (!mem) {
        sclip__free(start);
        return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory for %d text rows", rows);
    }
    x = mem;
    sclip__block_buf_init(&buf, x + (size_t)rows * W, rows, W, t->mlp);
    for (p = 0; p < n; p++) /* token embedding + positional embedding */
        for (i = 0; i < lens[p]; i++) {
            const float *e = m->token_embedding + (size_t)tokens[(size_t)(p0 + p) * ctx + i] * W;
            const float *pe = m->text_pos + (size_t)i * W;
            float *xr = x + (size_t)(start[p] + i) * W;
            int ch;
            for (ch = 0; ch < W; ch++) xr[ch] = e[ch] + pe[ch];
        }
    memset(&job, 0, sizeof job);
    job.mode = SCLIP_ATTN_VANILLA;
    job.causal = 1;
    job.n_seq = n;
    job.seq_start = start;
    job.seq_len = lens;
    job.max_len = ctx;
    for (l = 0; l < t->layers; l++) sclip__block_forward(c, t, &t->blocks[l], x, rows, &job, &buf);
    /* ln_final on each EOT row, then text_projection */
    for (p = 0; p < n; p++)
        sclip__layer_norm(x + (size_t)(start[p] + lens[p] - 1) * W, W, buf.h + (size_t)p * W, W, 1, W, t->ln_w, t->ln_b,
                          m->arch.ln_eps);
    sclip__linear_forward(c, &t->proj, n, buf.h, W, out + (size_t)p0 * m->arch.embed_dim, m->arch.embed_dim, SCLIP__EPI_NONE);
    sclip__free(start);
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_encode_tokens(sclip_context *c, const int32_t *tokens, int n, float *out) {
    const sclip_model *m;
    int ctx, p, p0, rows, *len;
    sclip_result r = SCLIP_OK;
    if (!c || (!tokens && n) || (!out && n) || n < 0) return SCLIP_ERROR_INVALID_ARGUMENT;
    m = c->model;
    if (!m->text.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its text tower");
    ctx = m->arch.context_length;
    len = (int *)sclip__alloc((size_t)(n ? n : 1) * sizeof(int));
    if (!len) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    for (p = 0; p < n; p++) {
        const int32_t *ids = tokens + (size_t)p * ctx;
        int i;
        for (i = 0; i < ctx; i++)
            if (ids[i] < 0 || ids[i] >= m->arch.vocab_size) {
                sclip__free(len);
                return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "text: token %d of prompt %d is %d, outside the vocabulary",
                                       i, p, (int)ids[i]);
            }
        len[p] = sclip__eot_position(ids, ctx) + 1;
    }
    for (p0 = 0; p0 < n && r == SCLIP_OK; p0 = p) { /* batches of about SCLIP__TEXT_BATCH_ROWS rows */
        for (p = p0, rows = 0; p < n && (p == p0 || rows + len[p] <= SCLIP__TEXT_BATCH_ROWS); p++) rows += len[p];
        r = sclip__text_batch(c, tokens, p0, p, len, out);
    }
    sclip__free(len);
    return r;
}

SCLIPDEF sclip_result sclip_encode_text(sclip_context *c, const char *const *texts, int n, int truncate, float *out) {
    const sclip_model *m;
    int32_t *ids;
    int p, ctx;
    sclip_result r;
    if (!c || (!texts && n) || n < 0) return SCLIP_ERROR_INVALID_ARGUMENT;
    m = c->model;
    if (!m->tokenizer) return sclip__ctx_fail(c, SCLIP_ERROR_BAD_VOCAB, "text: the weight file has no merge list");
    ctx = m->arch.context_length;
    ids = (int32_t *)sclip__alloc((size_t)(n ? n : 1) * ctx * sizeof(int32_t));
    if (!ids) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    for (p = 0; p < n; p++) {
        if (!texts[p]) {
            sclip__free(ids);
            return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "text: prompt %d is NULL", p);
        }
        r = sclip_tokenizer_encode_context(m->tokenizer, texts[p], strlen(texts[p]), ctx, truncate, ids + (size_t)p * ctx, NULL);
        if (r != SCLIP_OK) {
            sclip__free(ids);
            return sclip__ctx_fail(c, r, "text: prompt %d (%.40s%s) %s", p, texts[p], strlen(texts[p]) > 40 ? "..." : "",
                                   r == SCLIP_ERROR_TEXT_TOO_LONG ? "does not fit the context of the text tower" : sclip_result_string(r));
        }
    }
    r = sclip_encode_tokens(c, ids, n, out);
    sclip__free(ids);
    return r;
}

static const char *const sclip__attn_names[] = {"sclip", "vanilla", "maskclip", "clearclip", "naclip"};

SCLIPDEF const char *sclip_attn_name(sclip_attn a) { return sclip__attn_valid((int)a) ? sclip__attn_names[a] : "unknown"; }

SCLIPDEF int sclip_attn_parse(const char *name) {
    int i;
    for (i = 0; name && i < 5; i++)
        if (!strcmp(name, sclip__attn_names[i])) return i;
    return -1;
}


/* ============================================================================================
   Vocabulary: class names -> one text embedding per name (query)
   Per name n: the 80 prompts t.format(n), encode_text, L2-normalise each, mean, L2-normalise.
   Synonyms stay separate queries; they are merged by a max after the softmax (segmentation).
   ============================================================================================ */
static const char *const sclip__templates[80] = {
    "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.", "a photo of the hard to see {}.",
    "a low resolution photo of the {}.", "a rendering of a {}.", "graffiti of a {}.", "a bad photo of the {}.",
    "a cropped photo of the {}.", "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
    "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.", "a dark photo of the {}.",
    "a drawing of a {}.", "a photo of my {}.", "the plastic {}.", "a photo of the cool {}.",
    "a close-up photo of a {}.", "a black and white photo of the {}.", "a painting of the {}.", "a painting of a {}.",
    "a pixelated photo of the {}.", "a sculpture of the {}.", "a bright photo of the {}.", "a cropped photo of a {}.",
    "a plastic {}.", "a photo of the dirty {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
    "a photo of the {}.", "a good photo of the {}.", "a rendering of the {}.", "a {} in a video game.",
    "a photo of one {}.", "a doodle of a {}.", "a close-up photo of the {}.", "a photo of a {}.",
    "the origami {}.", "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.",
    "a origami {}.", "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
    "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.", "a photo of a nice {}.",
    "a photo of a weird {}.", "a blurry photo of a {}.", "a cartoon {}.", "art of a {}.",
    "a sketch of the {}.", "a embroidered {}.", "a pixelated photo of a {}.", "itap of the {}.",
    "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a plushie {}.", "a photo of the nice {}.",
    "a photo of the small {}.", "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
    "a drawing of the {}.", "a photo of the large {}.", "a black and white photo of a {}.", "the plushie {}.",
    "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.", "a toy {}.",
    "itap of my {}.", "a photo of a cool {}.", "a photo of a small {}.", "a tattoo of the {}."};

struct sclip_vocab {
    int n_classes, n_queries, embed_dim;
    int *query_class;  /* class index of each query */
    char **names;      /* name of each query (pointers into blob) */
    char *blob;        /* the names, NUL-terminated, back to back */
    size_t blob_size;
    float *features;   /* n_queries x embed_dim, L2-normalised */
    uint64_t fingerprint;
};

SCLIPDEF const char *const *sclip_default_templates(int *n) {
    if (n) *n = 80;
    return sclip__templates;
}

SCLIPDEF void sclip_vocab_free(sclip_vocab *v) {
    if (!v) return;
    sclip__free(v->query_class);
    sclip__free(v->names);
    sclip__free(v->blob);
    sclip__free(v->features);
    sclip__free(v);
}

SCLIPDEF int sclip_vocab_num_classes(const sclip_vocab *v) { return v ? v->n_classes : 0; }
SCLIPDEF int sclip_vocab_num_queries(const sclip_vocab *v) { return v ? v->n_queries : 0; }
SCLIPDEF int sclip_vocab_query_class(const sclip_vocab *v, int q) { return v && q >= 0 && q < v->n_queries ? v->query_class[q] : -1; }
SCLIPDEF const char *sclip_vocab_query_name(const sclip_vocab *v, int q) { return v && q >= 0 && q < v->n_queries ? v->names[q] : NULL; }
SCLIPDEF const float *sclip_vocab_features(const sclip_vocab *v) { return v ? v->features : NULL; }

SCLIPDEF const char *sclip_vocab_class_name(const sclip_vocab *v, int c) {
    int q;
    for (q = 0; v && q < v->n_queries; q++)
        if (v->query_class[q] == c) return v->names[q];
    return NULL;
}

/* Allocates the vocabulary's arrays; `blob` (blob_size bytes of NUL-terminated names) is copied. */
static sclip_vocab *sclip__vocab_new(int n_queries, int embed_dim, const char *blob, size_t blob_size) {
    sclip_vocab *v = (sclip_vocab *)sclip__calloc(1, sizeof *v);
    size_t i, q = 0;
    if (!v) return NULL;
    v->n_queries = n_queries;
    v->embed_dim = embed_dim;
    v->blob_size = blob_size;
    v->query_class = (int *)sclip__calloc((size_t)n_queries, sizeof(int));
    v->names = (char **)sclip__calloc((size_t)n_queries, sizeof(char *));
    v->blob = (char *)sclip__alloc(blob_size ? blob_size : 1);
    v->features = (float *)sclip__calloc((size_t)n_queries * embed_dim, sizeof(float));
    if (!v->query_class || !v->names || !v->blob || !v->features) {
        sclip_vocab_free(v);
        return NULL;
    }
    memcpy(v->blob, blob, blob_size);
    for (i = 0; i < blob_size && q < (size_t)n_queries; i++) /* names[q] = start of the q-th string */
        if (i == 0 || v->blob[i - 1] == 0) v->names[q++] = v->blob + i;
    return v;
}

/* Splits class-name text as the official code: one class per line (\n, \r\n or \r, as Python's
   universal newlines), synonyms separated by exactly ", ". Writes the names NUL-terminated to
   blob (at least len + 1 bytes) and their class indices to cls (NULL to count only). */
static sclip_result sclip__parse_classes(char *err, size_t cap, const char *text, size_t len, char *blob, int *cls,
                                         int *n_classes, int *n_queries, size_t *blob_size) {
    size_t i = 0, out = 0;
    int line = 0, q = 0;
    while (i < len) {
        size_t e = i, s;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        for (s = i;;) { /* the names of this line */
            size_t t = s;
            while (t < e && !(text[t] == ',' && t + 1 < e && text[t + 1] == ' ')) t++;
            if (t == s)
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: line %d has an empty class name", line + 1);
            if (memchr(text + s, 0, t - s))
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: line %d contains a NUL byte", line + 1);
            if (q >= SCLIP_MAX_CLASSES)
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: more than %d class names", SCLIP_MAX_CLASSES);
            if (blob) {
                memcpy(blob + out, text + s, t - s);
                blob[out + (t - s)] = 0;
                cls[q] = line;
            }
            out += t - s + 1;
            q++;
            if (t >= e) break;
            s = t + 2;
        }
        line++;
        i = e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n' ? e + 2 : e + 1;
    }
    if (!q) return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: the class list is empty");
    *n_classes = line;
    *n_queries = q;
    *blob_size = out;
    return SCLIP_OK;
}

/* t.format(name): the template with its "{}" replaced by the name. */
static sclip_result sclip__format_prompt(sclip_context *c, const char *t, const char *name, char **out) {
    const char *at = strstr(t, "{}");
    size_t lt = strlen(t), ln = strlen(name);
    char *p;
    if (!at || strstr(at + 2, "{}"))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "templates: '%.60s' must contain \"{}\" exactly once", t);
    p = (char *)sclip__alloc(lt + ln - 1);
    if (!p) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    memcpy(p, t, (size_t)(at - t));
    memcpy(p + (at - t), name, ln);
    memcpy(p + (at - t) + ln, at + 2, lt - (size_t)(at - t) - 2 + 1);
    *out = p;
    return SCLIP_OK;
}

static void sclip__l2_normalize(float *x, int n) {
    double s = 0;
    int i;
    for (i = 0; i < n; i++) s += (double)x[i] * x[i];
    s = s > 0 ? 1.0 / sqrt(s) : 0;
    for (i = 0; i < n; i++) x[i] = (float)(x[i] * s);
}

/* Tokenizes the prompts of every name (n_templates each) into ids. */
static sclip_result sclip__vocab_tokens(sclip_context *c, const sclip_vocab *v, const char *const *templates, int n_templates,
                                        int32_t *ids) {
    const sclip_model *m = c->model;
    int ctx = m->arch.context_length, q, t;
    for (q = 0; q < v->n_queries; q++)
        for (t = 0; t < n_templates; t++) {
            char *prompt = NULL;
            sclip_result r = sclip__format_prompt(c, templates[t], v->names[q], &prompt);
            if (r != SCLIP_OK) return r;
            r = sclip_tokenizer_encode_context(m->tokenizer, prompt, strlen(prompt), ctx, 0,
                                               ids + ((size_t)q * n_templates + t) * ctx, NULL);
            sclip__free(prompt);
            if (r != SCLIP_OK)
                return sclip__ctx_fail(c, r, "classes: the prompts of class name '%.40s%s' %s", v->names[q],
                                       strlen(v->names[q]) > 40 ? "..." : "",
                                       r == SCLIP_ERROR_TEXT_TOO_LONG ? "do not fit the text context" : sclip_result_string(r));
        }
    return SCLIP_OK;
}

/* Encodes every prompt, then per name: normalise, average over templates, normalise. */
static sclip_result sclip__vocab_encode(sclip_context *c, sclip_vocab *v, const char *const *templates, int n_templates) {
    const sclip_model *m = c->model;
    int E = m->arch.embed_dim, ctx = m->arch.context_length, q, t, i, chunk = 64;
    size_t n = (size_t)v->n_queries * n_templates;
    int32_t *ids = (int32_t *)sclip__alloc(n * ctx * sizeof(int32_t));
    float *emb = (float *)sclip__alloc(n * E * sizeof(float));
    sclip_result r = !ids || !emb ? sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory") : SCLIP_OK;
    if (r == SCLIP_OK) r = sclip__vocab_tokens(c, v, templates, n_templates, ids);
    for (q = 0; r == SCLIP_OK && q < v->n_queries; q += chunk) { /* in chunks of names, for progress */
        int nq = v->n_queries - q < chunk ? v->n_queries - q : chunk;
        r = sclip_encode_tokens(c, ids + (size_t)q * n_templates * ctx, nq * n_templates, emb + (size_t)q * n_templates * E);
        if (c->progress) c->progress(c->progress_user, "text", q + nq, v->n_queries);
    }
    for (q = 0; r == SCLIP_OK && q < v->n_queries; q++) {
        float *f = v->features + (size_t)q * E;
        for (t = 0; t < n_templates; t++) {
            float *e = emb + ((size_t)q * n_templates + t) * E;
            sclip__l2_normalize(e, E);
            for (i = 0; i < E; i++) f[i] += e[i];
        }
        for (i = 0; i < E; i++) f[i] /= (float)n_templates;
        sclip__l2_normalize(f, E);
    }
    sclip__free(ids);
    sclip__free(emb);
    return r;
}

/* Parses class-name text into a new vocabulary with zeroed features. */
static sclip_result sclip__vocab_parse(const sclip_model *m, const char *classes, size_t len, sclip_vocab **out, char *err,
                                       size_t cap) {
    int n_classes, n_queries, *cls = NULL;
    size_t blob_size;
    char *blob = NULL;
    sclip_vocab *v = NULL;
    sclip_result r = sclip__parse_classes(err, cap, classes, len, NULL, NULL, &n_classes, &n_queries, &blob_size);
    if (r == SCLIP_OK) {
        blob = (char *)sclip__alloc(blob_size);
        cls = (int *)sclip__alloc((size_t)n_queries * sizeof(int));
        if (!blob || !cls) r = sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    if (r == SCLIP_OK) r = sclip__parse_classes(err, cap, classes, len, blob, cls, &n_classes, &n_queries, &blob_size);
    if (r == SCLIP_OK && !(v = sclip__vocab_new(n_queries, m->arch.embed_dim, blob, blob_size)))
        r = sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    if (v) {
        memcpy(v->query_class, cls, (size_t)n_queries * sizeof(int));
        v->n_classes = n_classes;
        v->fingerprint = m->fingerprint;
    }
    sclip__free(blob);
    sclip__free(cls);
    *out = v;
    return r;
}

SCLIPDEF sclip_result sclip_vocab_create(sclip_context *c, const char *classes, size_t len, const char *const *templates,
                                         int n_templates, sclip_vocab **out) {
    sclip_vocab *v;
    sclip_result r;
    if (!c || !out || (!classes && len)) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (!c->model->text.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its text tower");
    if (!c->model->tokenizer) return sclip__ctx_fail(c, SCLIP_ERROR_BAD_VOCAB, "the weight file has no merge list");
    if (!templates) templates = sclip_default_templates(&n_templates);
    if (n_templates < 1 || n_templates > 100000) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "templates: %d templates", n_templates);
    if ((r = sclip__vocab_parse(c->model, classes, len, &v, c->err, sizeof c->err)) == SCLIP_OK)
        r = sclip__vocab_encode(c, v, templates, n_templates);
    if (r != SCLIP_OK) sclip_vocab_free(v);
    else *out = v;
    return r;
}

SCLIPDEF sclip_result sclip_vocab_from_features(const sclip_model *m, const char *classes, size_t len, const float *features,
                                                int n_features, sclip_vocab **out, char *err, size_t cap) {
    sclip_vocab *v;
    sclip_result r;
    if (!m || !out || !features || (!classes && len)) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if ((r = sclip__vocab_parse(m, classes, len, &v, err, cap)) != SCLIP_OK) {
        sclip_vocab_free(v);
        return r;
    }
    if (n_features != v->n_queries) {
        sclip_vocab_free(v);
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: %d names but %d embeddings", v->n_queries, n_features);
    }
    memcpy(v->features, features, (size_t)n_features * v->embed_dim * sizeof(float));
    *out = v;
    return SCLIP_OK;
}

/* ---- vocabulary cache file ------------------------------------------------------------------
   offset 0 "SCLIPVC\0", 8 u32 version (1), 12 u32 embed_dim, 16 u32 classes, 20 u32 queries,
   24 u64 model fingerprint, 32 u64 names size, then u32 class index per query, the names
   (NUL-terminated), zero padding to a multiple of 4, and queries x embed_dim f32. */
#define SCLIP__VOCAB_HEADER 40

static void sclip__put32(unsigned char *p, uint32_t v) {
    int i;
    for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

SCLIPDEF size_t sclip_vocab_save_size(const sclip_vocab *v) {
    return SCLIP__VOCAB_HEADER + 4 * (size_t)v->n_queries + (v->blob_size + 3) / 4 * 4 +
           (size_t)v->n_queries * v->embed_dim * 4;
}

/* Writes the cache into buf (sclip_vocab_save_size bytes). */
SCLIPDEF void sclip_vocab_save_memory(const sclip_vocab *v, void *buf) {
    unsigned char *p = (unsigned char *)buf, *names;
    size_t i, n = (size_t)v->n_queries * v->embed_dim;
    memset(p, 0, sclip_vocab_save_size(v));
    memcpy(p, "SCLIPVC\0", 8);
    sclip__put32(p + 8, 1);
    sclip__put32(p + 12, (uint32_t)v->embed_dim);
    sclip__put32(p + 16, (uint32_t)v->n_classes);
    sclip__put32(p + 20, (uint32_t)v->n_queries);
    sclip__put32(p + 24, (uint32_t)v->fingerprint);
    sclip__put32(p + 28, (uint32_t)(v->fingerprint >> 32));
    sclip__put32(p + 32, (uint32_t)v->blob_size);
    for (i = 0; i < (size_t)v->n_queries; i++) sclip__put32(p + SCLIP__VOCAB_HEADER + 4 * i, (uint32_t)v->query_class[i]);
    names = p + SCLIP__VOCAB_HEADER + 4 * (size_t)v->n_queries;
    memcpy(names, v->blob, v->blob_size);
    p = names + (v->blob_size + 3) / 4 * 4;
    for (i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v->features[i], 4);
        sclip__put32(p + 4 * i, u);
    }
}

/* Reads a cache; every count and size is checked. model (may be NULL) must be the model the
   cache was made with. */
SCLIPDEF sclip_result sclip_vocab_load_memory(const void *buf, size_t size, const sclip_model *model, sclip_vocab **out,
                                              char *err, size_t cap) {
    const unsigned char *p = (const unsigned char *)buf;
    uint32_t E, C, Q, i;
    uint64_t blob_size, fp, need;
    const unsigned char *names, *feat;
    sclip_vocab *v;
    size_t nul = 0, k;
    if (!out || (!buf && size)) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (size < SCLIP__VOCAB_HEADER || memcmp(p, "SCLIPVC\0", 8) != 0)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: not a vocabulary cache file");
    if (sclip__u32(p + 8) != 1) return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: unknown version %u", sclip__u32(p + 8));
    E = sclip__u32(p + 12);
    C = sclip__u32(p + 16);
    Q = sclip__u32(p + 20);
    fp = sclip__u64(p + 24);
    blob_size = sclip__u64(p + 32);
    if (E < 1 || E > 8192 || Q < 1 || Q > SCLIP_MAX_CLASSES || C < 1 || C > Q || blob_size > ((uint64_t)1 << 30))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: bad counts (%u classes, %u names, size %u)", C, Q, E);
    need = SCLIP__VOCAB_HEADER + 4 * (uint64_t)Q + (blob_size + 3) / 4 * 4 + (uint64_t)Q * E * 4;
    if (need != size)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: file is %llu bytes, expected %llu",
                           (unsigned long long)size, (unsigned long long)need);
    if (model && (fp != model->fingerprint || (int)E != model->arch.embed_dim))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: the cache was made with another model");
    names = p + SCLIP__VOCAB_HEADER + 4 * (size_t)Q;
    for (k = 0; k < blob_size; k++) nul += names[k] == 0;
    if (nul != Q || (blob_size && names[blob_size - 1] != 0))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: the names are malformed");
    v = sclip__vocab_new((int)Q, (int)E, (const char *)names, (size_t)blob_size);
    if (!v) return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "vocabulary: out of memory");
    v->n_classes = (int)C;
    v->fingerprint = fp;
    for (i = 0; i < Q; i++) {
        uint32_t cl = sclip__u32(p + SCLIP__VOCAB_HEADER + 4 * (size_t)i);
        if (cl >= C || (i > 0 && cl < (uint32_t)v->query_class[i - 1]) || (cl > (i ? (uint32_t)v->query_class[i - 1] + 1 : 0u))) {
            sclip_vocab_free(v);
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: bad class index %u for name %u", cl, i);
        }
        v->query_class[i] = (int)cl;
    }
    if (v->query_class[Q - 1] != (int)C - 1) {
        sclip_vocab_free(v);
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: a class has no name");
    }
    feat = names + (blob_size + 3) / 4 * 4;
    for (k = 0; k < (size_t)Q * E; k++) {
        v->features[k] = sclip__f32(feat + 4 * k);
        if (!(v->features[k] >= -2.0f && v->features[k] <= 2.0f)) {
            sclip_vocab_free(v);
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: embedding value out of range");
        }
    }
    *out = v;
    return SCLIP_OK;
}

#ifndef SCLIP_NO_STDIO
SCLIPDEF sclip_result sclip_vocab_save(const sclip_vocab *v, const char *path) {
    size_t n;
    void *buf;
    FILE *f;
    int ok;
    if (!v || !path) return SCLIP_ERROR_INVALID_ARGUMENT;
    n = sclip_vocab_save_size(v);
    buf = sclip__alloc(n);
    if (!buf) return SCLIP_ERROR_OUT_OF_MEMORY;
    sclip_vocab_save_memory(v, buf);
    f = fopen(path, "wb");
    ok = f && fwrite(buf, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    sclip__free(buf);
    return ok ? SCLIP_OK : SCLIP_ERROR_IO;
}

SCLIPDEF sclip_result sclip_vocab_load(const char *path, const sclip_model *model, sclip_vocab **out, char *err, size_t cap) {
    FILE *f;
    long n;
    unsigned char *buf;
    sclip_result r;
    if (!path || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    f = fopen(path, "rb");
    if (!f) return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 || n > (1L << 30)) {
        fclose(f);
        return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot read %s", path);
    }
    buf = (unsigned char *)sclip__alloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        sclip__free(buf);
        return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot read %s", path);
    }
    fclose(f);
    r = sclip_vocab_load_memory(buf, (size_t)n, model, out, err, cap);
    sclip__free(buf);
    return r;
}
#endif

#endif /* SCLIP_IMPLEMENTATION_DONE */
#endif /* SCLIP_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the sclip authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
