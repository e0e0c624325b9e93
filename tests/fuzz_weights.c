/* Fuzz-style test of the weight loader (built with AddressSanitizer and UBSan): thousands of
   damaged .sclip files (truncations, flipped bytes in the header and the tensor table, huge
   dimensions, overlapping and out-of-range offsets, random bytes) must each load cleanly or fail
   with an error code and a message; a file that loads must run both towers without a fault. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"
#include "weights_builder.h"

static uint32_t rng_state = 1;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static const uint32_t extremes[] = {0, 1, 2, 3, 63, 64, 65, 255, 256, 4096, 65535, 0x7fffffffu, 0x80000000u, 0xffffffffu};

/* Applies 1-4 random damages; returns the (possibly shorter) size. */
static size_t mutate(unsigned char *d, size_t size, const wb_file *f) {
    int k, n = 1 + (int)(rnd() % 4);
    for (k = 0; k < n; k++) {
        size_t table_end = f->table_off + 96 * (size_t)f->n_tensors;
        switch (rnd() % 7) {
        case 0: size = rnd() % (size + 1); break;                                /* truncate */
        case 1: if (size > 256) d[rnd() % 256] ^= (unsigned char)(1u << (rnd() % 8)); break; /* header bit */
        case 2: if (size > table_end) d[f->table_off + rnd() % (table_end - f->table_off)] = (unsigned char)rnd(); break;
        case 3: { /* an extreme value in a header or table word */
            size_t at = rnd() % 2 ? 8 + 4 * (rnd() % 32) : f->table_off + 96 * (rnd() % (uint32_t)f->n_tensors) + 64 + 4 * (rnd() % 8);
            if (at + 4 <= size) wb_put32(d + at, extremes[rnd() % (sizeof extremes / sizeof extremes[0])]);
            break;
        }
        case 4: { /* one tensor's offset copied from another: overlap */
            size_t a = f->table_off + 96 * (rnd() % (uint32_t)f->n_tensors) + 88, b = f->table_off + 96 * (rnd() % (uint32_t)f->n_tensors) + 88;
            if (a + 8 <= size && b + 8 <= size) memcpy(d + a, d + b, 8);
            break;
        }
        case 5: if (size) d[rnd() % size] = (unsigned char)rnd(); break;          /* any byte */
        default: { /* a huge dimension */
            size_t at = f->table_off + 96 * (rnd() % (uint32_t)f->n_tensors) + 72 + 4 * (rnd() % 4);
            if (at + 4 <= size) wb_put32(d + at, 1u << (rnd() % 32));
        }
        }
    }
    return size;
}

static void exercise(const sclip_model *m) {
    sclip_context *c;
    float img[3 * 16 * 20], *out;
    int32_t ids[8] = {3, 9, 63, 0, 0, 0, 0, 0};
    const sclip_arch *a = sclip_model_arch(m);
    int i, tokens = (16 / a->patch_size) * (20 / a->patch_size) + 1;
    if (sclip_context_create(m, NULL, &c) != SCLIP_OK) return;
    for (i = 0; i < 3 * 16 * 20; i++) img[i] = (float)(i % 7) - 3;
    out = (float *)malloc((size_t)(tokens > 1 ? tokens : 1) * (size_t)a->embed_dim * sizeof(float) + 64);
    if (a->patch_size <= 16) {
        sclip_attn_desc at;
        memset(&at, 0, sizeof at);
        at.kind = (sclip_attn)(rnd() % SCLIP_ATTN_COUNT);
        at.n = at.kind == SCLIP_ATTN_LOCAL ? 3 : 1;
        at.t = 0.5f;
        sclip_encode_image_dense(c, img, 16, 20, &at, out, NULL);
    }
    if (a->context_length == 8 && a->vocab_size >= 64) sclip_encode_tokens(c, ids, 1, out);
    free(out);
    sclip_context_free(c);
}

int main(void) {
    wb_file files[2];
    unsigned char *buf;
    int iter, loaded = 0, failed = 0, codes[32] = {0};
    char err[512];
    files[0] = wb_build(0);
    files[1] = wb_build(1);
    buf = (unsigned char *)malloc(files[0].size);
    for (iter = 0; iter < 20000; iter++) {
        const wb_file *f = &files[iter & 1];
        sclip_model *m = NULL;
        size_t size;
        sclip_result r;
        memcpy(buf, f->data, f->size);
        size = mutate(buf, f->size, f);
        err[0] = 0;
        r = sclip_model_load_memory(buf, size, NULL, &m, err, sizeof err);
        if (r == SCLIP_OK) {
            CHECK(m != NULL, "OK without a model");
            loaded++;
            exercise(m);
        } else {
            CHECK(m == NULL && r < 0 && err[0], "iteration %d: result %d without a message", iter, (int)r);
            failed++;
            if (-r < 32) codes[-r]++;
        }
        sclip_model_free(m);
    }
    /* pure random bytes, with and without the magic */
    for (iter = 0; iter < 500; iter++) {
        sclip_model *m = NULL;
        size_t size = rnd() % 4096, i;
        for (i = 0; i < size; i++) buf[i] = (unsigned char)rnd();
        if (iter & 1 && size >= 8) memcpy(buf, "SCLIPWT\0", 8);
        CHECK(sclip_model_load_memory(buf, size, NULL, &m, err, sizeof err) != SCLIP_OK && !m, "random bytes loaded");
    }
    printf("mutated files: %d loaded, %d rejected; by code:", loaded, failed);
    for (iter = 1; iter < 32; iter++)
        if (codes[iter]) printf(" %s=%d", sclip_result_string((sclip_result)-iter), codes[iter]);
    printf("\n");
    CHECK(failed > 10000, "too few rejections (%d): the mutations are not reaching the checks", failed);
    free(buf);
    free(files[0].data);
    free(files[1].data);
    return test_done("fuzz_weights");
}
