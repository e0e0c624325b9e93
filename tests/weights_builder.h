/* weights_builder.h - writes small synthetic .sclip files in memory for the loader tests and
   the weight-file fuzzer (the format of weights/README.md, written independently of the
   Python exporter). */
#ifndef SCLIP_WEIGHTS_BUILDER_H
#define SCLIP_WEIGHTS_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wb_tensor {
    char name[64];
    int ndim, shape[4];
} wb_tensor;

typedef struct wb_file {
    unsigned char *data;
    size_t size;
    int n_tensors;
    size_t table_off, data_off;
} wb_file;

/* Architecture of the synthetic model: widths 16, 2+1 layers, 2 heads, patch 4, image 16. */
static const uint32_t wb_arch[14] = {16, 2, 2, 32, 4, 16, 16, 1, 2, 32, 8, 64, 8, 0};

static void wb_put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static void wb_put64(unsigned char *p, uint64_t v) {
    wb_put32(p, (uint32_t)v);
    wb_put32(p + 4, (uint32_t)(v >> 32));
}

static int wb_add(wb_tensor *t, int n, const char *name, int d0, int d1, int d2, int d3) {
    snprintf(t[n].name, sizeof t[n].name, "%s", name);
    t[n].shape[0] = d0;
    t[n].shape[1] = d1;
    t[n].shape[2] = d2;
    t[n].shape[3] = d3;
    t[n].ndim = d0 ? d1 ? d2 ? d3 ? 4 : 3 : 2 : 1 : 0;
    return n + 1;
}

static int wb_blocks(wb_tensor *t, int n, const char *prefix, int layers, int w, int mlp) {
    static const char *names[] = {"ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias",
                                  "attn.out_proj.weight", "attn.out_proj.bias", "ln_2.weight", "ln_2.bias",
                                  "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"};
    const int d0[] = {w, w, 3 * w, 3 * w, w, w, w, w, mlp, mlp, w, w}, d1[] = {0, 0, w, 0, w, 0, 0, 0, w, 0, mlp, 0};
    int l, i;
    char buf[64];
    for (l = 0; l < layers; l++)
        for (i = 0; i < 12; i++) {
            snprintf(buf, sizeof buf, "%sresblocks.%d.%s", prefix, l, names[i]);
            n = wb_add(t, n, buf, d0[i], d1[i], 0, 0);
        }
    return n;
}

/* The tensor list of the synthetic architecture. */
static int wb_tensors(wb_tensor *t) {
    const uint32_t *a = wb_arch;
    int n = 0, g = (int)(a[5] / a[4]);
    n = wb_add(t, n, "visual.class_embedding", (int)a[0], 0, 0, 0);
    n = wb_add(t, n, "visual.positional_embedding", g * g + 1, (int)a[0], 0, 0);
    n = wb_add(t, n, "visual.conv1.weight", (int)a[0], 3, (int)a[4], (int)a[4]);
    n = wb_add(t, n, "visual.ln_pre.weight", (int)a[0], 0, 0, 0);
    n = wb_add(t, n, "visual.ln_pre.bias", (int)a[0], 0, 0, 0);
    n = wb_blocks(t, n, "visual.transformer.", (int)a[1], (int)a[0], (int)a[3]);
    n = wb_add(t, n, "visual.ln_post.weight", (int)a[0], 0, 0, 0);
    n = wb_add(t, n, "visual.ln_post.bias", (int)a[0], 0, 0, 0);
    n = wb_add(t, n, "visual.proj", (int)a[0], (int)a[12], 0, 0);
    n = wb_add(t, n, "token_embedding.weight", (int)a[11], (int)a[6], 0, 0);
    n = wb_add(t, n, "positional_embedding", (int)a[10], (int)a[6], 0, 0);
    n = wb_blocks(t, n, "transformer.", (int)a[7], (int)a[6], (int)a[9]);
    n = wb_add(t, n, "ln_final.weight", (int)a[6], 0, 0, 0);
    n = wb_add(t, n, "ln_final.bias", (int)a[6], 0, 0, 0);
    n = wb_add(t, n, "text_projection", (int)a[6], (int)a[12], 0, 0);
    return n;
}

static size_t wb_count(const wb_tensor *t) {
    size_t c = 1;
    int d;
    for (d = 0; d < t->ndim; d++) c *= (size_t)t->shape[d];
    return c;
}

/* Builds the synthetic file: f32 (dtype 0) or f16 (dtype 1, values chosen exactly representable).
   Values: LayerNorm weights near 1, everything else small, from a fixed LCG. */
static wb_file wb_build(int dtype) {
    wb_tensor t[64];
    wb_file f;
    int n = wb_tensors(t), i;
    size_t off = 0, data_size = 0, j, es = dtype ? 2 : 4;
    uint32_t rng = 12345;
    for (i = 0; i < n; i++) data_size += (wb_count(&t[i]) * es + 63) / 64 * 64;
    f.n_tensors = n;
    f.table_off = 256;
    f.data_off = (256 + 96 * (size_t)n + 63) / 64 * 64;
    f.size = f.data_off + data_size;
    f.data = (unsigned char *)calloc(1, f.size);
    memcpy(f.data, "SCLIPWT\0", 8);
    wb_put32(f.data + 8, 1);
    wb_put32(f.data + 12, 256);
    wb_put64(f.data + 16, f.size);
    wb_put32(f.data + 24, (uint32_t)n);
    wb_put64(f.data + 32, f.table_off);
    wb_put64(f.data + 56, f.data_off);
    wb_put64(f.data + 64, data_size);
    for (i = 0; i < 14; i++) wb_put32(f.data + 72 + 4 * i, wb_arch[i]);
    {
        float eps = 1e-5f, ls = 4.6052f;
        memcpy(f.data + 128, &eps, 4);
        memcpy(f.data + 132, &ls, 4);
    }
    for (i = 0; i < n; i++) {
        unsigned char *e = f.data + f.table_off + 96 * (size_t)i;
        int ln_weight = strstr(t[i].name, "ln_") && strstr(t[i].name, "weight");
        memcpy(e, t[i].name, strlen(t[i].name));
        wb_put32(e + 64, (uint32_t)dtype);
        wb_put32(e + 68, (uint32_t)t[i].ndim);
        for (j = 0; j < 4; j++) wb_put32(e + 72 + 4 * j, (uint32_t)t[i].shape[j]);
        wb_put64(e + 88, off);
        for (j = 0; j < wb_count(&t[i]); j++) {
            int q;
            rng = rng * 1664525u + 1013904223u;
            q = (int)(rng >> 24) - 128; /* -128 .. 127 */
            if (dtype) { /* q/1024 (+1): exact in f16 */
                uint16_t h;
                float v = (ln_weight ? 1.0f : 0.0f) + (float)q / 1024.0f;
                uint32_t bits;
                memcpy(&bits, &v, 4);
                if (v == 0) h = 0;
                else h = (uint16_t)(((bits >> 16) & 0x8000) | ((((bits >> 23) & 255) - 112) << 10) | ((bits >> 13) & 1023));
                memcpy(f.data + f.data_off + off + 2 * j, &h, 2);
            } else {
                float v = (ln_weight ? 1.0f : 0.0f) + (float)q / 1024.0f;
                memcpy(f.data + f.data_off + off + 4 * j, &v, 4);
            }
        }
        off += (wb_count(&t[i]) * es + 63) / 64 * 64;
    }
    return f;
}

#endif
