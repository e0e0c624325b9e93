/* The .sclip loader: a valid synthetic file loads (f32 and f16 give the same numbers), and each
   kind of damage gets its own result code and a message naming what is wrong. With the fixtures,
   the exporter's f32 and f16 files of the tiny model load to identical tensors. */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"
#include "weights_builder.h"

static char err[512];

static sclip_result load(const wb_file *f) {
    sclip_model *m = NULL;
    sclip_result r = sclip_model_load_memory(f->data, f->size, NULL, &m, err, sizeof err);
    CHECK((r == SCLIP_OK) == (m != NULL), "model pointer and result disagree");
    sclip_model_free(m);
    return r;
}

static wb_file copy(const wb_file *f) {
    wb_file c = *f;
    c.data = (unsigned char *)malloc(f->size);
    memcpy(c.data, f->data, f->size);
    return c;
}

/* entry i of the table */
static unsigned char *entry(wb_file *f, int i) { return f->data + f->table_off + 96 * (size_t)i; }

static void expect(wb_file *f, sclip_result want, const char *needle, const char *what) {
    sclip_result r = load(f);
    CHECK(r == want, "%s: got %d (%s), want %d: %s", what, (int)r, sclip_result_string(r), (int)want, err);
    CHECK(!needle || strstr(err, needle), "%s: message '%s' lacks '%s'", what, err, needle);
    free(f->data);
}

static void check_damage(const wb_file *good) {
    wb_file f;
    f = copy(good); f.data[0] = 'X'; expect(&f, SCLIP_ERROR_BAD_MAGIC, "magic", "magic");
    f = copy(good); f.size = 100; expect(&f, SCLIP_ERROR_TRUNCATED, "header", "short header");
    f = copy(good); f.size -= 1000; expect(&f, SCLIP_ERROR_TRUNCATED, "truncated", "truncated");
    f = copy(good); wb_put32(f.data + 8, 7); expect(&f, SCLIP_ERROR_BAD_VERSION, "version 7", "version");
    f = copy(good); wb_put32(f.data + 72, 0); expect(&f, SCLIP_ERROR_BAD_HEADER, "vision width", "zero width");
    f = copy(good); wb_put32(f.data + 80, 3); expect(&f, SCLIP_ERROR_BAD_HEADER, "heads", "heads");
    f = copy(good); wb_put32(f.data + 24, 100000); expect(&f, SCLIP_ERROR_BAD_HEADER, "tensors", "tensor count");
    f = copy(good); wb_put64(f.data + 32, (uint64_t)1 << 62); expect(&f, SCLIP_ERROR_TRUNCATED, "table", "table offset");
    f = copy(good); wb_put64(f.data + 64, (uint64_t)-64); expect(&f, SCLIP_ERROR_TRUNCATED, "data section", "data size");
    f = copy(good); memset(entry(&f, 0), 'a', 64); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "no valid name", "name");
    f = copy(good); wb_put32(entry(&f, 3) + 64, 9); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "dtype 9", "dtype");
    f = copy(good); wb_put32(entry(&f, 3) + 64, 3); expect(&f, SCLIP_ERROR_UNSUPPORTED_DTYPE, "visual.ln_pre.weight", "bf16");
    f = copy(good); wb_put32(entry(&f, 3) + 64, 2); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "q8 needs rank 2", "q8 vector");
    f = copy(good); wb_put32(entry(&f, 3) + 68, 5); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "dimensions", "rank");
    f = copy(good); wb_put32(entry(&f, 1) + 72, 0xfffffff0u); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "dimension", "huge dim");
    f = copy(good); wb_put32(entry(&f, 1) + 72, 1u << 30); wb_put32(entry(&f, 1) + 76, 1u << 30);
    expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "impossibly large", "huge tensor");
    f = copy(good); wb_put32(entry(&f, 1) + 72, 100000); expect(&f, SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS, "visual.positional_embedding", "outside");
    f = copy(good); wb_put64(entry(&f, 2) + 88, 8); expect(&f, SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS, "aligned", "misaligned");
    f = copy(good); wb_put64(entry(&f, 2) + 88, 0); expect(&f, SCLIP_ERROR_TENSOR_OVERLAP, "overlap", "overlap");
    f = copy(good); memcpy(entry(&f, 4), "visual.ln_pre.weight\0", 21); expect(&f, SCLIP_ERROR_BAD_TENSOR_TABLE, "twice", "duplicate");
    f = copy(good); memcpy(entry(&f, 4), "visual.ln_pre.bias_\0", 20); expect(&f, SCLIP_ERROR_MISSING_TENSOR, "visual.ln_pre.bias is missing", "missing");
    f = copy(good); wb_put32(entry(&f, 0) + 72, 15); expect(&f, SCLIP_ERROR_TENSOR_SHAPE, "visual.class_embedding has shape 15", "shape");
    f = copy(good); wb_put64(f.data + 48, 5); wb_put64(f.data + 40, f.size - 2); expect(&f, SCLIP_ERROR_TRUNCATED, "merge list", "vocab range");
}

/* f32 and f16 storage of the same (f16-exact) values give identical outputs. */
static void check_f16(const wb_file *f32, const wb_file *f16) {
    sclip_model *a, *b;
    sclip_context *ca, *cb;
    float img[3 * 20 * 24], oa[31 * 8], ob[31 * 8];
    int i;
    CHECK(sclip_model_load_memory(f32->data, f32->size, NULL, &a, err, sizeof err) == SCLIP_OK, "%s", err);
    CHECK(sclip_model_load_memory(f16->data, f16->size, NULL, &b, err, sizeof err) == SCLIP_OK, "%s", err);
    CHECK(sclip_context_create(a, NULL, &ca) == SCLIP_OK && sclip_context_create(b, NULL, &cb) == SCLIP_OK, "contexts");
    for (i = 0; i < 3 * 20 * 24; i++) img[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    CHECK(sclip_encode_image_dense(ca, img, 20, 24, SCLIP_ATTN_SCLIP, oa, NULL) == SCLIP_OK, "%s", sclip_context_error(ca));
    CHECK(sclip_encode_image_dense(cb, img, 20, 24, SCLIP_ATTN_SCLIP, ob, NULL) == SCLIP_OK, "%s", sclip_context_error(cb));
    CHECK(memcmp(oa, ob, sizeof oa) == 0, "f16 and f32 storage differ");
    for (i = 0; i < 31 * 8; i++) CHECK(oa[i] == oa[i] && fabsf(oa[i]) < 100, "output %d is %g", i, oa[i]);
    sclip_context_free(ca);
    sclip_context_free(cb);
    sclip_model_free(a);
    sclip_model_free(b);
}

/* The exporter's f32 and f16 files of the tiny fixture model: same architecture, same outputs. */
static void check_exported(void) {
    sclip_model *a = NULL, *b = NULL;
    FILE *f = fopen("build/tiny-f16.sclip", "rb");
    if (!f) {
        if (test_in_ci()) CHECK(0, "build/tiny-f16.sclip missing under CI");
        printf("(no build/tiny-f16.sclip: exporter comparison skipped)\n");
        return;
    }
    fclose(f);
    CHECK(sclip_model_load("build/tiny.sclip", NULL, &a, err, sizeof err) == SCLIP_OK, "%s", err);
    CHECK(sclip_model_load("build/tiny-f16.sclip", NULL, &b, err, sizeof err) == SCLIP_OK, "%s", err);
    if (a && b) {
        const sclip_arch *x = sclip_model_arch(a);
        CHECK(memcmp(x, sclip_model_arch(b), sizeof *x) == 0, "architectures differ");
        CHECK(x->vision_width == 128 && x->vision_layers == 3 && x->vision_heads == 2 && x->text_layers == 2 &&
              x->embed_dim == 64 && x->vocab_size == 49408 && x->context_length == 77, "tiny architecture");
        CHECK(fabsf(x->logit_scale - 4.6051702f) < 1e-3f, "logit_scale %g", x->logit_scale); /* ln(100), stored as f16 */
        CHECK(sclip_model_tokenizer(a) != NULL, "embedded merge list");
        CHECK(a->vision.blocks[2].fc.bias[7] == b->vision.blocks[2].fc.bias[7] &&
              memcmp(a->vision_pos, b->vision_pos, 197 * 128 * sizeof(float)) == 0 &&
              memcmp(a->token_embedding, b->token_embedding, 49408 * 128 * sizeof(float)) == 0, "f16 tensors differ from f32");
    }
    sclip_model_free(a);
    sclip_model_free(b);
}

int main(void) {
    wb_file f32 = wb_build(0), f16 = wb_build(1);
    sclip_model *m = NULL;
    CHECK(load(&f32) == SCLIP_OK, "valid f32 file: %s", err);
    CHECK(load(&f16) == SCLIP_OK, "valid f16 file: %s", err);
    CHECK(sclip_model_load("build/no-such-file.sclip", NULL, &m, err, sizeof err) == SCLIP_ERROR_IO && !m, "missing file");
    CHECK(strstr(err, "no-such-file") != NULL, "message names the file: %s", err);
    check_damage(&f32);
    check_f16(&f32, &f16);
    check_exported();
    free(f32.data);
    free(f16.data);
    return test_done("weights");
}
