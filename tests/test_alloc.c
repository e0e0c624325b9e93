/* test_alloc.c - the allocator of sclip_model_desc and sclip_context_desc: every block of a
   model, a context and what the context makes (vocabulary, segmentation result) comes from the
   allocator given, with its user pointer, and goes back to it; a context without one uses its
   model's; SCLIP_MALLOC is never called (the tokenizer's blocks come from the model's allocator
   too); a vocabulary outlives its context. */
#include <stdlib.h>
static long test__default_allocs; /* calls of SCLIP_MALLOC, the default allocator */
static void *test__malloc(size_t n) {
    test__default_allocs++;
    return malloc(n);
}
#define SCLIP_MALLOC(n) test__malloc(n)
#define SCLIP_FREE(p) free(p)
#define SCLIP_IMPLEMENTATION
#define SCLIP_STATIC
#include "sclip.h"
#include "test_common.h"

typedef struct counter {
    const char *name;
    long allocs, frees;
    size_t live, peak; /* bytes */
} counter;

/* Each block carries its size in front (16 bytes keep malloc's alignment). */
static void *count_alloc(void *user, size_t size) {
    counter *c = (counter *)user;
    unsigned char *p = (unsigned char *)malloc(size + 16);
    if (!p) return NULL;
    memcpy(p, &size, sizeof size);
    c->allocs++;
    c->live += size;
    if (c->live > c->peak) c->peak = c->live;
    return p + 16;
}

static void count_free(void *user, void *ptr) {
    counter *c = (counter *)user;
    unsigned char *p = (unsigned char *)ptr - 16;
    size_t size;
    memcpy(&size, p, sizeof size);
    c->frees++;
    c->live -= size;
    free(p);
}

static sclip_allocator allocator_of(counter *c) {
    sclip_allocator a;
    a.alloc = count_alloc;
    a.free = count_free;
    a.user = c;
    return a;
}

int main(void) {
    counter cm = {"model", 0, 0, 0, 0}, cc = {"context", 0, 0, 0, 0};
    sclip_model_desc md;
    sclip_context_desc cd;
    sclip_model *m = NULL;
    sclip_context *c1 = NULL, *c2 = NULL;
    sclip_vocab *v = NULL;
    sclip_seg_result res;
    sclip_seg_desc sd;
    char err[256];
    uint8_t *rgb = (uint8_t *)malloc(3 * 96 * 80);
    long m_after_load, i;
    for (i = 0; i < 3 * 96 * 80; i++) rgb[i] = (uint8_t)(i * 37 % 251);
    memset(&md, 0, sizeof md);
    md.allocator = allocator_of(&cm);
    if (sclip_model_load("build/tiny.sclip", &md, &m, err, sizeof err) != SCLIP_OK) {
        CHECK(!test_in_ci(), "build/tiny.sclip: %s", err);
        printf("SKIP build/tiny.sclip: %s\n", err);
        return test_done("test_alloc");
    }
    CHECK(test__default_allocs == 0, "SCLIP_MALLOC called %ld times by the model's load", test__default_allocs);
    CHECK(cm.allocs > 0 && cm.live > 100000, "the model's blocks come from its allocator: %ld blocks, %zu bytes", cm.allocs,
          cm.live);
    m_after_load = cm.allocs;
    /* a context without an allocator takes the model's; one with its own uses that */
    CHECK(sclip_context_create(m, NULL, &c1) == SCLIP_OK, "context 1");
    CHECK(cm.allocs > m_after_load, "context 1 allocates from the model's allocator");
    memset(&cd, 0, sizeof cd);
    cd.n_threads = 2;
    cd.allocator = allocator_of(&cc);
    CHECK(sclip_context_create(m, &cd, &c2) == SCLIP_OK, "context 2");
    CHECK(cc.allocs > 0, "context 2 allocates from its own allocator");
    /* everything a segmentation needs, from context 2's allocator and nothing from SCLIP_MALLOC */
    CHECK(sclip_vocab_create(c2, "cat\nsofa, couch\nsky", 19, NULL, 0, &v) == SCLIP_OK, "vocab: %s", sclip_context_error(c2));
    memset(&sd, 0, sizeof sd);
    sd.crop = 64;
    sd.stride = 32;
    sd.pamr_steps = 2;
    CHECK(sclip_segment(c2, v, rgb, 96, 80, 3 * 96, &sd, &res) == SCLIP_OK, "segment: %s", sclip_context_error(c2));
    CHECK(test__default_allocs == 0, "SCLIP_MALLOC called %ld times by contexts, a vocabulary and a segmentation",
          test__default_allocs);
    CHECK(res.labels && res.probs && res.width == 96 && res.n_classes == 3, "the result");
    sclip_seg_result_free(&res);
    /* a vocabulary outlives its context: freed after it, through the allocator it came from */
    sclip_context_free(c2);
    CHECK(cc.live > 0, "the vocabulary's blocks are still there");
    sclip_vocab_free(v);
    CHECK(cc.live == 0 && cc.allocs == cc.frees, "context 2's allocator: %ld allocations, %ld frees, %zu bytes left",
          cc.allocs, cc.frees, cc.live);
    sclip_context_free(c1);
    sclip_model_free(m);
    CHECK(cm.live == 0 && cm.allocs == cm.frees, "the model's allocator: %ld allocations, %ld frees, %zu bytes left", cm.allocs,
          cm.frees, cm.live);
    printf("model: %ld blocks, peak %zu bytes; context: %ld blocks, peak %zu bytes\n", cm.allocs, cm.peak, cc.allocs, cc.peak);
    free(rgb);
    return test_done("test_alloc");
}
