/* The .sclip loader: a valid synthetic file loads (f32 and f16 give the same numbers), and each
   kind of damage gets its own result code and a message naming what is wrong. With the fixtures,
   the exporter's f32 and f16 files of the tiny model load to identical tensors.
   sclip_model_load_callback gives the same model as the file and memory paths (same outputs,
   same fingerprint, same errors for damaged files), reads each byte of the file at most once,
   keeps no reference to it, and holds at most one tensor beside the model while loading: the
   library's own allocations, counted through SCLIP_MALLOC / SCLIP_FREE, against what
   sclip_model_load_memory keeps (the caller's whole file plus the packed copies). */
#include <stdlib.h>
#include <string.h>

/* Counting allocator: what the library holds now and at most, while counting is on (only
   around loads, when no context and so no worker thread exists). */
static size_t cnt_now, cnt_peak;
static int cnt_on;
static void *cnt_malloc(size_t n) {
    unsigned char *p = (unsigned char *)malloc(n + 16);
    size_t h[2];
    if (!p) return NULL;
    h[0] = n;
    h[1] = (size_t)cnt_on;
    memcpy(p, h, sizeof h);
    if (cnt_on && (cnt_now += n) > cnt_peak) cnt_peak = cnt_now;
    return p + 16;
}
static void cnt_free(void *q) {
    size_t h[2];
    if (!q) return;
    memcpy(h, (unsigned char *)q - 16, sizeof h);
    if (h[1]) cnt_now -= h[0];
    free((unsigned char *)q - 16);
}
#define SCLIP_MALLOC(n) cnt_malloc(n)
#define SCLIP_FREE(p) cnt_free(p)

#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#include "test_common.h"
#include "weights_builder.h"

static char err[512];

/* A file in memory, read through sclip_read_fn: counts the reads of every byte and, with
   scribble, overwrites what was read (as a caller dropping the pages it handed over would). */
typedef struct mem_src {
    unsigned char *data;
    size_t size;
    unsigned char *reads; /* per byte, saturating at 255; may be NULL */
    int scribble;
    size_t fail_after; /* reads of more than this many bytes in total fail (0 = never) */
    size_t total;
} mem_src;

static size_t read_mem(void *user, uint64_t off, void *dst, size_t n) {
    mem_src *s = (mem_src *)user;
    size_t got, i;
    if (off >= s->size) return 0;
    got = n < s->size - (size_t)off ? n : s->size - (size_t)off;
    if (s->fail_after && s->total + got > s->fail_after) return 0;
    s->total += got;
    memcpy(dst, s->data + off, got);
    for (i = 0; s->reads && i < got; i++)
        if (s->reads[off + i] < 255) s->reads[off + i]++;
    if (s->scribble) memset(s->data + off, 0xA5, got);
    return got;
}

static size_t read_file(void *user, uint64_t off, void *dst, size_t n) {
    if (fseek((FILE *)user, (long)off, SEEK_SET) != 0) return 0;
    return fread(dst, 1, n, (FILE *)user);
}

static sclip_result load_cb(const wb_file *f) {
    sclip_model *m = NULL;
    mem_src s;
    sclip_result r;
    memset(&s, 0, sizeof s);
    s.data = f->data;
    s.size = f->size;
    r = sclip_model_load_callback(read_mem, &s, NULL, &m, err, sizeof err);
    CHECK((r == SCLIP_OK) == (m != NULL), "callback: model pointer and result disagree");
    sclip_model_free(m);
    return r;
}

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
    r = load_cb(f); /* the callback path finds the same damage */
    CHECK(r == want, "%s (callback): got %d (%s), want %d: %s", what, (int)r, sclip_result_string(r), (int)want, err);
    CHECK(!needle || strstr(err, needle), "%s (callback): message '%s' lacks '%s'", what, err, needle);
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
    CHECK(sclip_encode_image_dense(ca, img, 20, 24, NULL, oa, NULL) == SCLIP_OK, "%s", sclip_context_error(ca));
    CHECK(sclip_encode_image_dense(cb, img, 20, 24, NULL, ob, NULL) == SCLIP_OK, "%s", sclip_context_error(cb));
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

/* The synthetic file through the callback: the outputs and fingerprint of the memory path; every
   tensor's bytes read exactly once and nothing referenced afterwards (the source is scribbled
   over as it is read, then again after the load); with towers = vision the text tensors are
   never read and the fingerprint is the same; a reader that fails, or none, is a clean error
   that leaves nothing allocated. */
static void check_callback_synthetic(const wb_file *f) {
    sclip_model *a = NULL, *b = NULL, *m = (sclip_model *)&m;
    sclip_context *ca = NULL, *cb = NULL;
    sclip_model_desc d;
    sclip__file pf;
    mem_src s;
    float img[3 * 20 * 24], oa[31 * 8], ob[31 * 8], ta[2 * 8], tb[2 * 8];
    int32_t ids[2 * 8] = {1, 5, 9, 63, 2, 0, 0, 0, 1, 7, 7, 7, 7, 7, 7, 63};
    size_t i, before;
    uint32_t k;
    int bad = 0;
    unsigned char *copy = (unsigned char *)malloc(f->size), *reads = (unsigned char *)calloc(1, f->size);
    CHECK(sclip__parse_file(NULL, f->data, NULL, NULL, f->size, &pf, err, sizeof err) == SCLIP_OK, "%s", err);
    memcpy(copy, f->data, f->size);
    memset(&s, 0, sizeof s);
    s.data = copy, s.size = f->size, s.reads = reads, s.scribble = 1;
    CHECK(sclip_model_load_memory(f->data, f->size, NULL, &a, err, sizeof err) == SCLIP_OK, "%s", err);
    CHECK(sclip_model_load_callback(read_mem, &s, NULL, &b, err, sizeof err) == SCLIP_OK, "%s", err);
    memset(copy, 0x5a, f->size); /* the model references nothing of its source */
    for (k = 0; k < pf.n_tensors; k++)
        for (i = 0; i < pf.tensors[k].nbytes; i++) bad += reads[pf.tensors[k].offset + i] != 1;
    CHECK(bad == 0, "%d tensor bytes not read exactly once", bad);
    for (i = 0, bad = 0; i < f->size; i++) bad += reads[i] > 1;
    CHECK(bad == 0, "%d bytes read more than once", bad);
    if (a && b) {
        CHECK(a->fingerprint == b->fingerprint, "fingerprints differ");
        CHECK(sclip_context_create(a, NULL, &ca) == SCLIP_OK && sclip_context_create(b, NULL, &cb) == SCLIP_OK, "contexts");
        for (i = 0; i < 3 * 20 * 24; i++) img[i] = (float)((i * 53) % 97) / 48.0f - 1.0f;
        CHECK(sclip_encode_image_dense(ca, img, 20, 24, NULL, oa, NULL) == SCLIP_OK, "%s", sclip_context_error(ca));
        CHECK(sclip_encode_image_dense(cb, img, 20, 24, NULL, ob, NULL) == SCLIP_OK, "%s", sclip_context_error(cb));
        CHECK(memcmp(oa, ob, sizeof oa) == 0, "callback and memory loads give different image outputs");
        CHECK(sclip_encode_tokens(ca, ids, 2, ta) == SCLIP_OK && sclip_encode_tokens(cb, ids, 2, tb) == SCLIP_OK, "tokens");
        CHECK(memcmp(ta, tb, sizeof ta) == 0, "callback and memory loads give different text outputs");
        sclip_context_free(ca);
        sclip_context_free(cb);
    }
    sclip_model_free(b);
    /* vision tower only: the text tower's tensors stay unread, the fingerprint is the same */
    memcpy(copy, f->data, f->size);
    memset(reads, 0, f->size);
    s.total = 0;
    memset(&d, 0, sizeof d);
    d.towers = SCLIP_TOWERS_VISION;
    b = NULL;
    CHECK(sclip_model_load_callback(read_mem, &s, &d, &b, err, sizeof err) == SCLIP_OK, "vision only: %s", err);
    for (k = 0, bad = 0; k < pf.n_tensors; k++) {
        const sclip__tensor_entry *t = &pf.tensors[k];
        int text = strncmp(t->name, "visual.", 7) != 0 && strcmp(t->name, "text_projection") != 0;
        for (i = 0; i < t->nbytes; i++) bad += reads[t->offset + i] != (text ? 0 : 1);
    }
    CHECK(bad == 0, "vision only: %d bytes read wrongly (text tensors must stay unread)", bad);
    CHECK(a && b && a->fingerprint == b->fingerprint, "vision only: fingerprint differs");
    sclip_model_free(b);
    sclip_model_free(a);
    /* failures: a reader that stops half-way, a NULL reader; nothing stays allocated */
    cnt_on = 1;
    before = cnt_now;
    memcpy(copy, f->data, f->size);
    memset(&s, 0, sizeof s);
    s.data = copy, s.size = f->size, s.fail_after = f->size / 2;
    CHECK(sclip_model_load_callback(read_mem, &s, NULL, &m, err, sizeof err) == SCLIP_ERROR_TRUNCATED && !m &&
              strstr(err, "could not be read"), "failing reader: %s", err);
    CHECK(cnt_now == before, "failing reader: %zu bytes left allocated", cnt_now - before);
    m = (sclip_model *)&m;
    CHECK(sclip_model_load_callback(NULL, NULL, NULL, &m, err, sizeof err) == SCLIP_ERROR_INVALID_ARGUMENT && !m, "NULL reader");
    s.fail_after = 0, s.size = 100; /* a file shorter than its header */
    CHECK(sclip_model_load_callback(read_mem, &s, NULL, &m, err, sizeof err) == SCLIP_ERROR_TRUNCATED && strstr(err, "header"),
          "short file: %s", err);
    s.size = 0;
    CHECK(sclip_model_load_callback(read_mem, &s, NULL, &m, err, sizeof err) == SCLIP_ERROR_BAD_MAGIC, "empty file: %s", err);
    cnt_on = 0;
    sclip__free(pf.tensors);
    free(copy);
    free(reads);
}

/* Bytes the callback path may hold beside the final model: one tensor's stored bytes, one
   float32 conversion of a matrix, the tensor table and the merge list (plus small change). */
static size_t load_slack(const sclip__file *pf) {
    size_t most = 0, most_f32 = 0;
    uint32_t k;
    for (k = 0; k < pf->n_tensors; k++) {
        const sclip__tensor_entry *t = &pf->tensors[k];
        if (t->nbytes > most) most = (size_t)t->nbytes;
        if (t->ndim >= 2 && strcmp(t->name, "token_embedding.weight") && 4 * t->count > most_f32) most_f32 = (size_t)(4 * t->count);
    }
    return most + most_f32 + (size_t)pf->n_tensors * 96 + (size_t)pf->vocab_size + 65536;
}

/* One exported file, one precision: sclip_model_load (mapped, the same allocations as
   sclip_model_load_memory) and sclip_model_load_callback over a FILE give identical outputs;
   the library's peak through the callback stays within the final model plus load_slack, below
   what load_memory holds (the caller's file plus the same allocations as the mapped load). */
static void check_callback_file(const char *path, sclip_precision precision, int print) {
    sclip_model *a = NULL, *b = NULL;
    sclip_context *c = NULL;
    sclip_model_desc d;
    sclip__file pf;
    FILE *fp = fopen(path, "rb");
    size_t file_size, peak_map, peak_cb, final_cb, slack;
    static float img[3 * 32 * 48], oa[7 * 1024], ob[7 * 1024];
    float ta[1024], tb[1024];
    const char *text = "a photo of a cat.";
    int i, n = 0, E;
    if (!fp) return;
    CHECK(fseek(fp, 0, SEEK_END) == 0, "seek");
    file_size = (size_t)ftell(fp);
    CHECK(sclip__parse_file(NULL, NULL, read_file, fp, 0, &pf, err, sizeof err) == SCLIP_OK, "%s: %s", path, err);
    slack = load_slack(&pf);
    sclip__free(pf.tensors);
    memset(&d, 0, sizeof d);
    d.precision = precision;
    for (i = 0; i < 3 * 32 * 48; i++) img[i] = (float)((i * 29) % 83) / 41.0f - 1.0f;
    cnt_on = 1, cnt_now = cnt_peak = 0;
    CHECK(sclip_model_load(path, &d, &a, err, sizeof err) == SCLIP_OK, "%s: %s", path, err);
    cnt_on = 0, peak_map = cnt_peak;
    cnt_on = 1, cnt_peak = cnt_now = 0;
    CHECK(sclip_model_load_callback(read_file, fp, &d, &b, err, sizeof err) == SCLIP_OK, "%s (callback): %s", path, err);
    cnt_on = 0, peak_cb = cnt_peak, final_cb = cnt_now;
    fclose(fp);
    if (!a || !b) {
        sclip_model_free(a);
        sclip_model_free(b);
        return;
    }
    E = sclip_model_arch(a)->embed_dim;
    CHECK(E <= 1024, "embed_dim %d", E);
    CHECK(a->fingerprint == b->fingerprint, "%s: fingerprints differ", path);
    CHECK(peak_cb <= final_cb + slack, "%s p%d: callback peak %zu > model %zu + one tensor %zu", path, (int)precision, peak_cb,
          final_cb, slack);
    CHECK(peak_cb < file_size + peak_map, "%s p%d: callback peak %zu not below load_memory's %zu + %zu", path, (int)precision,
          peak_cb, file_size, peak_map);
    if (print)
        printf("%s %s: load_memory holds %.0f MB (file %.0f + library %.0f), callback peak %.0f MB (model %.0f)\n", path,
               precision == SCLIP_PRECISION_Q8 ? "q8" : "f32", (file_size + peak_map) / 1048576.0, file_size / 1048576.0,
               peak_map / 1048576.0, peak_cb / 1048576.0, final_cb / 1048576.0);
    /* same outputs; one model at a time so the full-size model is never held twice */
    CHECK(sclip_context_create(a, NULL, &c) == SCLIP_OK, "context");
    CHECK(sclip_encode_image_dense(c, img, 32, 48, NULL, oa, &n) == SCLIP_OK && n == 7, "%s", sclip_context_error(c));
    CHECK(sclip_encode_text(c, &text, 1, 0, ta) == SCLIP_OK, "%s", sclip_context_error(c));
    sclip_context_free(c);
    sclip_model_free(a);
    CHECK(sclip_context_create(b, NULL, &c) == SCLIP_OK, "context");
    CHECK(sclip_encode_image_dense(c, img, 32, 48, NULL, ob, &n) == SCLIP_OK && n == 7, "%s", sclip_context_error(c));
    CHECK(sclip_encode_text(c, &text, 1, 0, tb) == SCLIP_OK, "%s", sclip_context_error(c));
    sclip_context_free(c);
    sclip_model_free(b);
    CHECK(memcmp(oa, ob, (size_t)n * E * sizeof(float)) == 0, "%s p%d: image outputs differ", path, (int)precision);
    CHECK(memcmp(ta, tb, (size_t)E * sizeof(float)) == 0, "%s p%d: text outputs differ", path, (int)precision);
}

static void check_callback_files(void) {
    static const char *const tiny[] = {"build/tiny.sclip", "build/tiny-f16.sclip", "build/tiny-q8.sclip"};
    const sclip_precision precisions[] = {SCLIP_PRECISION_F32, SCLIP_PRECISION_Q8, SCLIP_PRECISION_Q16, SCLIP_PRECISION_BF16};
    FILE *f;
    int i, p;
    for (i = 0; i < 3; i++) {
        if (!(f = fopen(tiny[i], "rb"))) {
            if (test_in_ci()) CHECK(0, "%s missing under CI", tiny[i]);
            printf("(no %s: callback comparison skipped)\n", tiny[i]);
            continue;
        }
        fclose(f);
        for (p = 0; p < 4; p++) check_callback_file(tiny[i], precisions[p], 0);
    }
    if (!(f = fopen("build/random-ViT-B-16.sclip", "rb"))) { /* made by make bench / bench-eval */
        printf("(no build/random-ViT-B-16.sclip: full-size callback check skipped)\n");
        return;
    }
    fclose(f);
    check_callback_file("build/random-ViT-B-16.sclip", SCLIP_PRECISION_F32, 1);
    check_callback_file("build/random-ViT-B-16.sclip", SCLIP_PRECISION_Q8, 1);
}

int main(void) {
    wb_file f32 = wb_build(0), f16 = wb_build(1);
    sclip_model *m = NULL;
    CHECK(load(&f32) == SCLIP_OK, "valid f32 file: %s", err);
    CHECK(load(&f16) == SCLIP_OK, "valid f16 file: %s", err);
    CHECK(load_cb(&f32) == SCLIP_OK, "valid f32 file (callback): %s", err);
    CHECK(load_cb(&f16) == SCLIP_OK, "valid f16 file (callback): %s", err);
    CHECK(sclip_model_load("build/no-such-file.sclip", NULL, &m, err, sizeof err) == SCLIP_ERROR_IO && !m, "missing file");
    CHECK(strstr(err, "no-such-file") != NULL, "message names the file: %s", err);
    {   /* with sclip.h, every code has a name, its own (-3, -6..-21) and the tokenizer's */
        int r;
        for (r = 0; r >= -21; r--) CHECK(strcmp(sclip_result_string(r), "unknown result code") != 0, "result %d unnamed", r);
        CHECK(strcmp(sclip_result_string(SCLIP_ERROR_BAD_MAGIC), "not a .sclip weight file") == 0 &&
                  strcmp(sclip_result_string(SCLIP_ERROR_TEXT_TOO_LONG), "text too long for the context") == 0 &&
                  strcmp(sclip_result_string(-22), "unknown result code") == 0, "result names");
    }
    check_damage(&f32);
    check_f16(&f32, &f16);
    check_exported();
    check_callback_synthetic(&f32);
    check_callback_synthetic(&f16);
    check_callback_files();
    free(f32.data);
    free(f16.data);
    return test_done("weights");
}
