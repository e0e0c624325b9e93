/* test_eval: the benchmark scorer (examples/sclip_eval.h) against the official one.
     1. the image lists of the nine fixture datasets equal list.txt (order included);
     2. every expected_*.json of $SCLIP_SHARED/fixtures/eval: the predictions scored in process,
        written as JSON and compared field by field (float32 bits, totals, printed strings);
        the raw labels (--raw-labels) of Cityscapes and the COCO sets give the same numbers;
     3. tests/data/eval/metric_cases.txt (made by tools/gen_eval_refs.py with PyTorch and numpy
        running mmseg's metric code): totals past 2^24, 150-256 classes, the 16-lane sum, NaN
        classes, a rounding tie;
     4. label PNGs read as PIL does (palette indices, 1/2/4/8-bit grey) and the refused kinds;
     5. split files and scans on edge cases (CRLF, Unicode spaces, blank lines, hidden files);
     6. state files: round trip, and corrupt / truncated / edited files refused;
     7. the printed table against PrettyTable's output;
     8. the result convention: every function that can fail returns exactly 0 (SCLIP_EVAL_OK, as
        sclip.h's SCLIP_OK) on success and SCLIP_EVAL_ERROR (non-zero) with a message on failure.
   With arguments it compares two JSON files instead (used by tests/test_eval_cli.sh):
       test_eval --check-json ACTUAL.json EXPECTED.json
   passes when every member of EXPECTED is in ACTUAL with the same value;
       test_eval --check-json-metrics ACTUAL.json EXPECTED.json
   the same for the metric members only (not settings, paths, timing). */
#define _POSIX_C_SOURCE 200809L
#define SCLIP_EVAL_IMPLEMENTATION
#include "sclip_eval.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#include "test_common.h"
#include "test_json.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- JSON comparison: every member of `want` in `got`, equal ------------------------------- */
static int json_subset(const tj_value *got, const tj_value *want, const char *path) {
    int i, ok = 1;
    char sub[512];
    if (!got) {
        CHECK(0, "%s: missing", path);
        return 0;
    }
    if (want->type == TJ_OBJ) {
        for (i = 0; i < want->n; i++) {
            snprintf(sub, sizeof sub, "%s.%s", path, want->keys[i]);
            ok &= json_subset(tj_get(got, want->keys[i]), &want->items[i], sub);
        }
        return ok;
    }
    if (want->type == TJ_ARR) {
        if (got->type != TJ_ARR || got->n != want->n) {
            CHECK(0, "%s: array of %d, expected %d", path, got->type == TJ_ARR ? got->n : -1, want->n);
            return 0;
        }
        for (i = 0; i < want->n; i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            ok &= json_subset(&got->items[i], &want->items[i], sub);
        }
        return ok;
    }
    if (got->type != want->type || (want->type == TJ_NUM && got->num != want->num) ||
        (want->type == TJ_BOOL && got->num != want->num) || (want->type == TJ_STR && strcmp(got->str, want->str))) {
        CHECK(0, "%s: got %s, expected %s", path, got->str ? got->str : got->type == TJ_NULL ? "null" : "?",
              want->str ? want->str : want->type == TJ_NULL ? "null" : "?");
        return 0;
    }
    return 1;
}

static tj_value *json_load(const char *path) {
    char *text = test_read_file(path, NULL);
    tj_value *v = text ? tj_parse(text) : NULL;
    free(text);
    if (!v) CHECK(0, "%s: cannot read or parse", path);
    return v;
}

/* metrics_only: only the members a scorer computes (not the settings, paths and timing). */
static int check_json_files(const char *got_path, const char *want_path, int metrics_only) {
    static const char *const metric_keys[] = {"num_images", "num_classes", "summary", "summary_str", "summary_unrounded",
                                              "summary_unrounded_hex", "exact", "log_line", "aAcc_unrounded_other_vec_width",
                                              "per_class", "total_area", "exact_counts_int64", NULL};
    tj_value *got = json_load(got_path), *want = json_load(want_path);
    if (got && want && metrics_only) {
        const char *const *k;
        for (k = metric_keys; *k; k++) {
            const tj_value *w = tj_get(want, *k); /* the fixtures have no "exact" */
            CHECK(w != NULL || !strcmp(*k, "exact"), "%s: no member %s", want_path, *k);
            if (w) json_subset(tj_get(got, *k), w, *k);
        }
    } else if (got && want)
        json_subset(got, want, "$");
    tj_free(got);
    tj_free(want);
    return test_done("check-json");
}

/* ---- scoring a fixture dataset in process -------------------------------------------------- */
typedef struct scored {
    sclip_eval_totals t;
    sclip_eval_metrics m;
} scored;

/* A label or prediction PNG; NULL (and a failed check) when it cannot be read. */
static unsigned char *load_label(const char *path, int *w, int *h) {
    sclip_image im;
    char err[256];
    if (sclip_image_load_label(path, &im, err, sizeof err) != SCLIP_IMAGE_OK) {
        CHECK(0, "%s: %s", path, err);
        return NULL;
    }
    *w = im.w;
    *h = im.h;
    return im.pixels;
}

/* Scores pred_dir against the list's labels (seg_suffix replaced by raw_suffix when given). */
static int score(const sclip_eval_dataset *ds, const sclip_eval_list *list, const char *pred_dir, int raw, scored *out) {
    unsigned char map[256];
    uint32_t counts[3 * SCLIP_EVAL_MAX_CLASSES];
    int i;
    sclip_eval_label_map(raw ? ds->raw : SCLIP_EVAL_RAW_NONE, ds->reduce_zero_label, map);
    sclip_eval_totals_init(&out->t, ds->n_classes);
    for (i = 0; i < list->n; i++) {
        char name[512], *pred_path, seg[1024];
        const char *s = list->items[i].seg;
        int lw, lh, pw, ph;
        unsigned char *lab, *pr;
        size_t k, n;
        uint16_t *p16;
        snprintf(seg, sizeof seg, "%s", s);
        if (raw) snprintf(seg + strlen(s) - strlen(ds->seg_suffix), sizeof seg - (strlen(s) - strlen(ds->seg_suffix)), "%s",
                          ds->raw_seg_suffix);
        sclip_eval_pred_name(list->items[i].img, name, sizeof name);
        pred_path = sclip_eval_join(pred_dir, name);
        lab = load_label(seg, &lw, &lh);
        pr = load_label(pred_path, &pw, &ph);
        free(pred_path);
        if (!lab || !pr || !sclip_eval_same_shape(lw, lh, pw, ph)) {
            CHECK(lab && pr && sclip_eval_same_shape(lw, lh, pw, ph), "%s: prediction size differs", seg);
            free(lab);
            free(pr);
            return 0;
        }
        n = (size_t)lw * lh;
        p16 = (uint16_t *)malloc(n * sizeof *p16);
        for (k = 0; k < n; k++) {
            p16[k] = pr[k];
            lab[k] = map[lab[k]];
        }
        memset(counts, 0, sizeof counts);
        sclip_eval_count(p16, lab, n, ds->n_classes, 255, counts);
        sclip_eval_totals_add(&out->t, counts);
        free(p16);
        free(lab);
        free(pr);
    }
    sclip_eval_compute(&out->t, &out->m);
    return 1;
}

/* The JSON members of a scored set, compared with an expected_*.json. */
static void check_against(const scored *s, const sclip_eval_dataset *ds, const char *expected) {
    char tmp[] = "build/test_eval_json.XXXXXX";
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    tj_value *got = NULL, *want = json_load(expected);
    CHECK(f != NULL, "cannot create %s", tmp);
    if (f) {
        fprintf(f, "{\n  \"dataset\": \"%s\",\n  \"mmseg_dataset\": \"%s\",\n  \"ignore_index\": 255,\n"
                   "  \"reduce_zero_label\": %s,\n", ds->key, ds->mmseg_class, ds->reduce_zero_label ? "true" : "false");
        sclip_eval_json_metrics(f, &s->m, &s->t, ds->classes);
        fprintf(f, "\n}\n");
        fclose(f);
        got = json_load(tmp);
        remove(tmp);
    }
    if (got && want) {
        int before = test__failures;
        json_subset(got, want, expected);
        printf("%-60s %s\n", expected, test__failures == before ? "identical" : "DIFFERENT");
    }
    tj_free(got);
    tj_free(want);
}

/* The list of a fixture dataset, checked against its list.txt. */
static int list_dataset(const sclip_eval_dataset *ds, const char *root, const char *seg_suffix, sclip_eval_list *list) {
    char *img_dir = sclip_eval_join(root, ds->img_dir), *seg_dir = sclip_eval_join(root, ds->seg_dir), err[512];
    int ok;
    if (ds->ann_file) {
        char *ann = sclip_eval_join(root, ds->ann_file);
        ok = sclip_eval_list_split(ann, img_dir, seg_dir, ds->img_suffix, seg_suffix, list, err, sizeof err) == SCLIP_EVAL_OK;
        free(ann);
    } else
        ok = sclip_eval_list_scan(img_dir, seg_dir, ds->img_suffix, seg_suffix, list, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(ok, "%s: %s", ds->key, err);
    free(img_dir);
    free(seg_dir);
    return ok;
}

/* Every pixel of a released label mapped through the converter table equals the converted
   file, except where the fixture wrote edge-case values (255, or C..254) into the converted
   file alone. */
static void check_raw_labels(const sclip_eval_dataset *ds, const sclip_eval_list *list) {
    unsigned char map[256];
    size_t same = 0, skipped = 0, k;
    int i;
    sclip_eval_label_map(ds->raw, 0, map);
    for (i = 0; i < list->n; i++) {
        char raw[1024];
        const char *s = list->items[i].seg;
        size_t cut = strlen(s) - strlen(ds->seg_suffix);
        int w, h, rw, rh;
        unsigned char *conv, *r;
        snprintf(raw, sizeof raw, "%.*s%s", (int)cut, s, ds->raw_seg_suffix);
        conv = load_label(s, &w, &h);
        r = load_label(raw, &rw, &rh);
        if (conv && r && w == rw && h == rh)
            for (k = 0; k < (size_t)w * h; k++) {
                if (map[r[k]] == conv[k]) same++;
                else if (conv[k] == 255 || conv[k] >= ds->n_classes) skipped++;
                else CHECK(0, "%s pixel %d: raw %d maps to %d, converted %d", raw, (int)k, r[k], map[r[k]], conv[k]);
            }
        else
            CHECK(0, "%s: not readable or not the converted file's size", raw);
        free(conv);
        free(r);
    }
    CHECK(same > 4 * skipped, "%s: only %d of %d pixels compared", ds->key, (int)same, (int)(same + skipped));
    printf("%-14s raw labels through the converter table: %d pixels equal the converted files\n", ds->key, (int)same);
}

static void test_fixture_dataset(const char *key) {
    const sclip_eval_dataset *ds = sclip_eval_find_dataset(key);
    char rel[256], root[1100], *text, *line, *save = NULL;
    static const char *const kinds[3] = {"noisy", "perfect", "edge"};
    sclip_eval_list list;
    scored s;
    int i, k;
    snprintf(rel, sizeof rel, "fixtures/eval/%s/list.txt", key);
    text = test_read_file(test_shared(rel), NULL);
    snprintf(root, sizeof root, "%s", test_shared(rel));
    snprintf(strrchr(root, '/'), 8, "/root");
    CHECK(ds != NULL, "no dataset %s", key);
    if (!ds || !text || !list_dataset(ds, root, ds->seg_suffix, &list)) {
        free(text);
        return;
    }
    /* 1. the order of list.txt: "index \t image \t label", paths under the root */
    for (i = 0, line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
        char want[2100];
        if (i >= list.n) break;
        snprintf(want, sizeof want, "%d\t%s\t%s", i, list.items[i].img + strlen(root) + 1, list.items[i].seg + strlen(root) + 1);
        CHECK(!strcmp(want, line), "%s item %d: '%s', list.txt says '%s'", key, i, want, line);
    }
    CHECK(i == list.n, "%s: %d images listed, list.txt has %d", key, list.n, i);
    printf("%-14s %d images in the official order\n", key, list.n);
    /* 2. the scores of each prediction set */
    for (k = 0; k < 3; k++) {
        char pred[1200], expected[1200];
        struct stat st;
        snprintf(pred, sizeof pred, "%s/../pred_%s", root, kinds[k]);
        snprintf(expected, sizeof expected, "%s/../expected_%s.json", root, kinds[k]);
        if (stat(expected, &st) != 0) continue;
        if (score(ds, &list, pred, 0, &s)) check_against(&s, ds, expected);
        /* the released labels through the converter tables give the converted files' numbers
           (coco_stuff; the other two hold edge-case values written into the converted files only) */
        if (ds->raw_seg_suffix && k == 0 && !strcmp(key, "coco_stuff")) {
            scored r;
            if (score(ds, &list, pred, 1, &r)) {
                CHECK(!memcmp(r.t.I, s.t.I, sizeof s.t.I) && !memcmp(r.t.U, s.t.U, sizeof s.t.U) &&
                          !memcmp(r.t.L, s.t.L, sizeof s.t.L),
                      "%s: raw labels give other totals", key);
                check_against(&r, ds, expected);
            }
        }
    }
    if (ds->raw_seg_suffix) check_raw_labels(ds, &list);
    sclip_eval_list_free(&list);
    free(text);
}

/* ---- 3. reference cases made with PyTorch / numpy ------------------------------------------ */
static uint32_t parse_hex(const char *s, int *is_nan) {
    *is_nan = !strcmp(s, "nan");
    return (uint32_t)strtoul(s, NULL, 16);
}

static void check_f32(float v, const char *want, const char *what) {
    int nan;
    uint32_t u, w = parse_hex(want, &nan);
    memcpy(&u, &v, 4);
    CHECK(nan ? v != v : u == w, "%s: %08lx, expected %s", what, (unsigned long)u, want);
}

static void test_metric_cases(void) {
    size_t len;
    char *text = test_read_file("tests/data/eval/metric_cases.txt", &len), *save = NULL, *line;
    static uint32_t counts[3 * SCLIP_EVAL_MAX_CLASSES];
    sclip_eval_totals t;
    sclip_eval_metrics m;
    char name[64] = "", what[128];
    int C = 0, cases = 0, c;
    CHECK(text != NULL, "tests/data/eval/metric_cases.txt missing");
    if (!text) return;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tok, *s2 = NULL;
        if (line[0] == '#') continue;
        tok = strtok_r(line, " ", &s2);
        if (!strcmp(tok, "case")) {
            snprintf(name, sizeof name, "%s", strtok_r(NULL, " ", &s2));
            C = atoi(strtok_r(NULL, " ", &s2));
            sclip_eval_totals_init(&t, C);
            cases++;
        } else if (!strcmp(tok, "img")) {
            for (c = 0; c < 3 * C; c++) counts[c] = (uint32_t)strtoul(strtok_r(NULL, " ", &s2), NULL, 10);
            sclip_eval_totals_add(&t, counts);
            sclip_eval_compute(&t, &m);
        } else if (!strcmp(tok, "total_area")) {
            char k = *strtok_r(NULL, " ", &s2);
            const float *x = k == 'I' ? t.I : k == 'U' ? t.U : k == 'P' ? t.P : t.L;
            for (c = 0; c < C; c++) {
                snprintf(what, sizeof what, "%s total %c[%d]", name, k, c);
                check_f32(x[c], strtok_r(NULL, " ", &s2), what);
            }
        } else if (!strcmp(tok, "aAcc")) {
            snprintf(what, sizeof what, "%s aAcc (8 lanes)", name);
            check_f32(m.aAcc, strtok_r(NULL, " ", &s2), what);
            snprintf(what, sizeof what, "%s aAcc (16 lanes)", name);
            check_f32(m.aAcc16, strtok_r(NULL, " ", &s2), what);
        } else if (!strcmp(tok, "IoU") || !strcmp(tok, "Acc")) {
            for (c = 0; c < C; c++) {
                snprintf(what, sizeof what, "%s %s[%d]", name, tok, c);
                check_f32(tok[0] == 'I' ? m.IoU[c] : m.Acc[c], strtok_r(NULL, " ", &s2), what);
            }
        } else if (!strcmp(tok, "mIoU") || !strcmp(tok, "mAcc")) {
            snprintf(what, sizeof what, "%s %s", name, tok);
            check_f32(tok[1] == 'I' ? m.mIoU : m.mAcc, strtok_r(NULL, " ", &s2), what);
        } else if (!strcmp(tok, "summary")) {
            char line_got[160], want[160];
            const char *a = strtok_r(NULL, " ", &s2), *b = strtok_r(NULL, " ", &s2), *d = strtok_r(NULL, " ", &s2);
            sclip_eval_summary_line(&m, line_got, sizeof line_got);
            snprintf(want, sizeof want, "aAcc: %s  mIoU: %s  mAcc: %s", a, b, d);
            CHECK(!strcmp(line_got, want), "%s: '%s', expected '%s'", name, line_got, want);
        } else if (!strcmp(tok, "table_IoU") || !strcmp(tok, "table_Acc")) {
            for (c = 0; c < C; c++) {
                char got[32];
                const char *w = strtok_r(NULL, " ", &s2);
                sclip_eval_str_f32(tok[6] == 'I' ? m.IoU_pct[c] : m.Acc_pct[c], got, sizeof got);
                CHECK(!strcmp(got, w), "%s %s[%d]: '%s', expected '%s'", name, tok, c, got, w);
            }
        }
    }
    CHECK(cases == 7, "%d reference cases read, expected 7", cases);
    printf("metric_cases.txt: %d cases checked\n", cases);
    free(text);
}

/* ---- 4. label PNGs -------------------------------------------------------------------------- */
static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Appends a chunk (length, type, data, CRC) at *o. */
static void chunk(unsigned char **o, const char *type, const unsigned char *data, uint32_t n) {
    uint32_t crc = 0xffffffffu, i;
    int k;
    put32(*o, n);
    memcpy(*o + 4, type, 4);
    if (n) memcpy(*o + 8, data, n);
    for (i = 4; i < n + 8; i++) {
        crc ^= (*o)[i];
        for (k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    put32(*o + 8 + n, crc ^ 0xffffffffu);
    *o += 12 + n;
}

/* A w x h PNG of colour type ct and depth d whose filtered rows (filter 0) are `rows`
   (h rows of rb bytes), in one stored deflate block; a 4-colour palette for type 3, an eXIf
   chunk with orientation 3 when exif. Returns its size. */
static size_t make_png(unsigned char *out, int w, int h, int ct, int d, const unsigned char *rows, size_t rb, int exif) {
    unsigned char ihdr[13], z[4096], *o = out;
    size_t raw = (rb + 1) * (size_t)h, i, zn = 0;
    uint32_t a = 1, b = 0;
    static const unsigned char pal[12] = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
    static const unsigned char ex[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 1, 0x12, 0, 3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 0};
    memcpy(o, "\x89PNG\r\n\x1a\n", 8);
    o += 8;
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = (unsigned char)d, ihdr[9] = (unsigned char)ct, ihdr[10] = ihdr[11] = ihdr[12] = 0;
    chunk(&o, "IHDR", ihdr, 13);
    if (ct == 3) chunk(&o, "PLTE", pal, 12);
    if (exif) chunk(&o, "eXIf", ex, sizeof ex);
    z[zn++] = 0x78, z[zn++] = 0x01, z[zn++] = 1; /* zlib header, one final stored block */
    z[zn++] = (unsigned char)raw, z[zn++] = (unsigned char)(raw >> 8), z[zn++] = (unsigned char)~raw,
    z[zn++] = (unsigned char)(~raw >> 8);
    for (i = 0; i < raw; i++) {
        unsigned char v = i % (rb + 1) ? rows[i / (rb + 1) * rb + i % (rb + 1) - 1] : 0;
        z[zn++] = v;
        a = (a + v) % 65521, b = (b + a) % 65521;
    }
    put32(z + zn, (b << 16) | a);
    chunk(&o, "IDAT", z, (uint32_t)zn + 4);
    chunk(&o, "IEND", NULL, 0);
    return (size_t)(o - out);
}

static void expect_label(const unsigned char *png, size_t n, const unsigned char *want, int w, int h, const char *what) {
    sclip_image im;
    char err[256];
    int ok = sclip_image_load_label_memory(png, n, &im, err, sizeof err) == SCLIP_IMAGE_OK;
    CHECK(ok, "%s: %s", what, err);
    if (!ok) return;
    CHECK(im.w == w && im.h == h && im.channels == 1, "%s: %dx%dx%d", what, im.w, im.h, im.channels);
    if (im.w == w && im.h == h) CHECK(!memcmp(im.pixels, want, (size_t)w * h), "%s: values differ", what);
    sclip_image_free(&im);
}

static void expect_refused(const unsigned char *png, size_t n, const char *want, const char *what) {
    sclip_image im;
    char err[256];
    int ok = sclip_image_load_label_memory(png, n, &im, err, sizeof err) == SCLIP_IMAGE_OK;
    CHECK(!ok && strstr(err, want), "%s: %s (expected an error with '%s')", what, ok ? "accepted" : err, want);
    if (ok) sclip_image_free(&im);
}

static void test_labels(void) {
    static unsigned char png[8192];
    unsigned char rows[64], want[64];
    size_t n;
    int i;
    /* 8-bit palette: the index, not the colour (index 200 is past the palette: still 200) */
    for (i = 0; i < 6; i++) rows[i] = want[i] = (unsigned char)(i == 5 ? 200 : i % 4);
    n = make_png(png, 3, 2, 3, 8, rows, 3, 0);
    expect_label(png, n, want, 3, 2, "8-bit palette");
    /* 4-bit palette: 5 pixels a row, nibbles */
    rows[0] = 0x12, rows[1] = 0x30, rows[2] = 0x20;
    memcpy(want, "\x01\x02\x03\x00\x02", 5);
    n = make_png(png, 5, 1, 3, 4, rows, 3, 0);
    expect_label(png, n, want, 5, 1, "4-bit palette");
    /* grey: 8-bit values, 1-bit as 0/1 (PIL mode '1'), 2- and 4-bit scaled to 0..255 */
    for (i = 0; i < 4; i++) rows[i] = want[i] = (unsigned char)(i * 70 + 3);
    n = make_png(png, 4, 1, 0, 8, rows, 4, 0);
    expect_label(png, n, want, 4, 1, "8-bit grey");
    rows[0] = 0xA5; /* 1 0 1 0 0 1 0 1 */
    memcpy(want, "\x01\x00\x01\x00\x00\x01\x00\x01", 8);
    n = make_png(png, 8, 1, 0, 1, rows, 1, 0);
    expect_label(png, n, want, 8, 1, "1-bit grey");
    rows[0] = 0x1B; /* 0 1 2 3 */
    memcpy(want, "\x00\x55\xaa\xff", 4);
    n = make_png(png, 4, 1, 0, 2, rows, 1, 0);
    expect_label(png, n, want, 4, 1, "2-bit grey");
    rows[0] = 0x1F; /* 1 15 */
    memcpy(want, "\x11\xff", 2);
    n = make_png(png, 2, 1, 0, 4, rows, 1, 0);
    expect_label(png, n, want, 2, 1, "4-bit grey");
    /* no EXIF orientation for labels (an image decoder would turn this one by 180 degrees) */
    rows[0] = 1, rows[1] = 2;
    n = make_png(png, 2, 1, 0, 8, rows, 2, 1);
    expect_label(png, n, rows, 2, 1, "grey with eXIf orientation 3");
    /* refused: RGB, grey+alpha, RGBA, 16-bit, not a PNG */
    memset(rows, 7, sizeof rows);
    n = make_png(png, 2, 1, 2, 8, rows, 6, 0);
    expect_refused(png, n, "RGB", "RGB label");
    n = make_png(png, 2, 1, 4, 8, rows, 4, 0);
    expect_refused(png, n, "grey+alpha", "grey+alpha label");
    n = make_png(png, 2, 1, 6, 8, rows, 8, 0);
    expect_refused(png, n, "RGBA", "RGBA label");
    n = make_png(png, 2, 1, 0, 16, rows, 4, 0);
    expect_refused(png, n, "16-bit", "16-bit label");
    expect_refused((const unsigned char *)"\xff\xd8\xff\xe0", 4, "not a PNG", "JPEG as a label");
}

/* ---- 5. lists ------------------------------------------------------------------------------ */
static void write_file(const char *path, const char *text, size_t n) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (f) fwrite(text, 1, n, f), fclose(f);
}

static void test_lists(void) {
    char dir[] = "build/test_eval_lists.XXXXXX", p[1200], err[512];
    sclip_eval_list l;
    int ok;
    static const char *const files[] = {"b/x.jpg", "a.jpg", "a.JPG", ".hidden.jpg", ".h/z.jpg", "c.jpg.png", "B.jpg",
                                        "b/y.jpgx", "b/c/d.jpg"};
    static const char *const order[] = {".h/z.jpg", "B.jpg", "a.jpg", "b/c/d.jpg", "b/x.jpg"};
    size_t i;
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    /* split files: CRLF, a lone CR, spaces and Unicode spaces around names, duplicates, no final newline */
    snprintf(p, sizeof p, "%s/val.txt", dir);
    {
        const char *t = "a\r\n  b \t\r\xc2\xa0" "c\xe3\x80\x80\na\n d";
        write_file(p, t, strlen(t));
    }
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(ok && l.n == 5, "split: %s, %d items", ok ? "" : err, ok ? l.n : 0);
    if (ok && l.n == 5) {
        static const char *const want[5] = {"img/a.jpg", "img/b.jpg", "img/c.jpg", "img/a.jpg", "img/d.jpg"};
        for (i = 0; i < 5; i++) CHECK(!strcmp(l.items[i].img, want[i]), "split item %d: %s", (int)i, l.items[i].img);
        CHECK(!strcmp(l.items[2].seg, "seg/c.png"), "split label: %s", l.items[2].seg);
        CHECK(!strcmp(l.items[2].img + l.items[2].img_rel, "c.jpg"), "relative part");
    }
    if (ok) sclip_eval_list_free(&l);
    write_file(p, "a\nb\n\nc\n", 7);
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, "line 3") && strstr(err, "blank"), "blank line: %s", ok ? "accepted" : err);
    write_file(p, "a\n   \n", 6);
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, "line 2"), "line of spaces: %s", ok ? "accepted" : err);
    write_file(p, "a\xff\n", 3);
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, "UTF-8"), "invalid UTF-8: %s", ok ? "accepted" : err);
    write_file(p, "", 0);
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, "no image"), "empty split: %s", ok ? "accepted" : err);
    snprintf(p, sizeof p, "%s/none.txt", dir);
    ok = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, "none.txt") && strstr(err, "No such file"), "missing split: %s", ok ? "accepted" : err);
    /* scans: hidden files skipped, hidden folders entered, case-sensitive suffix, byte order */
    for (i = 0; i < sizeof files / sizeof *files; i++) {
        char *slash;
        snprintf(p, sizeof p, "%s/img/%s", dir, files[i]);
        for (slash = strchr(p + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = 0;
            mkdir(p, 0755);
            *slash = '/';
        }
        write_file(p, "x", 1);
    }
    snprintf(p, sizeof p, "%s/img", dir);
    {
        char *seg = sclip_eval_join(dir, "seg");
        ok = sclip_eval_list_scan(p, seg, ".jpg", "_l.png", &l, err, sizeof err) == SCLIP_EVAL_OK;
        CHECK(ok && l.n == 5, "scan: %s, %d items", ok ? "" : err, ok ? l.n : 0);
        for (i = 0; ok && i < 5 && (int)i < l.n; i++)
            CHECK(!strcmp(l.items[i].img + l.items[i].img_rel, order[i]), "scan item %d: %s, expected %s", (int)i,
                  l.items[i].img + l.items[i].img_rel, order[i]);
        if (ok && l.n == 5) CHECK(!strcmp(l.items[3].seg + l.items[3].seg_rel, "b/c/d_l.png"), "scan label %s", l.items[3].seg);
        if (ok) sclip_eval_list_free(&l);
        ok = sclip_eval_list_scan(p, seg, ".tif", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK;
        CHECK(!ok && strstr(err, ".tif"), "scan without matches: %s", ok ? "accepted" : err);
        free(seg);
    }
    {
        char cmd[1300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0, "cleanup");
    }
}

/* ---- 6. state files ------------------------------------------------------------------------- */
static void corrupt_and_expect(const char *path, const char *text, size_t n, const char *want, const char *what) {
    sclip_eval_state s;
    char err[512];
    int ok;
    write_file(path, text, n);
    ok = sclip_eval_state_load(&s, path, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(!ok && strstr(err, want), "%s: %s", what, ok ? "accepted" : err);
    if (ok) sclip_eval_state_free(&s);
}

static void test_state(void) {
    sclip_eval_state s, r;
    sclip_eval_totals a, b;
    uint32_t counts[3 * 4];
    char path[] = "build/test_eval_state.XXXXXX", err[512], *text;
    size_t n;
    int fd = mkstemp(path), i, ok;
    if (fd < 0) {
        CHECK(0, "mkstemp");
        return;
    }
    close(fd);
    CHECK(sclip_eval_state_init(&s, 5, 4, "dataset voc21\nmodel 123 abc", "1/2") == SCLIP_EVAL_OK, "state init");
    sclip_eval_totals_init(&a, 4);
    for (i = 1; i < 5; i += 2) {
        int c;
        for (c = 0; c < 4; c++) counts[c] = (uint32_t)(c * i), counts[4 + c] = counts[8 + c] = (uint32_t)(c * i + 7 * c);
        CHECK(sclip_eval_state_set(&s, i, counts, NULL) == SCLIP_EVAL_OK, "state set");
        sclip_eval_totals_add(&a, counts);
    }
    CHECK(sclip_eval_state_set(&s, 0, NULL, "cannot decode\nx.jpg") == SCLIP_EVAL_OK, "state set bad");
    ok = sclip_eval_state_save(&s, path, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(ok, "state save: %s", err);
    ok = sclip_eval_state_load(&r, path, err, sizeof err) == SCLIP_EVAL_OK;
    CHECK(ok, "state load: %s", err);
    if (ok) {
        CHECK(r.n_images == 5 && r.n_classes == 4 && !strcmp(r.identity, "dataset voc21\nmodel 123 abc\n") && r.shard &&
                  !strcmp(r.shard, "1/2"),
              "state header: %d %d '%s'", r.n_images, r.n_classes, r.identity);
        CHECK(r.rec[0].status == 2 && !strcmp(r.rec[0].note, "cannot decode x.jpg") && r.rec[1].status == 1 &&
                  r.rec[2].status == 0 && r.rec[3].status == 1,
              "state records");
        sclip_eval_totals_init(&b, 4);
        sclip_eval_state_totals(&r, &b);
        CHECK(!memcmp(&a, &b, sizeof a), "state totals differ after a round trip");
        sclip_eval_state_free(&r);
    }
    text = test_read_file(path, &n);
    if (text) {
        char *edit = (char *)malloc(n + 64), *p;
        memcpy(edit, text, n);
        p = strstr(edit, "img 3 ");
        p[6] = p[6] == '1' ? '2' : '1'; /* a changed class index */
        corrupt_and_expect(path, edit, n, "checksum", "edited state");
        corrupt_and_expect(path, text, n - 10, "truncated", "truncated state");
        corrupt_and_expect(path, text, strstr(text, "img 3") - text, "truncated", "state cut after a record");
        corrupt_and_expect(path, "", 0, "truncated", "empty state");
        /* a record that passes the checksum but cannot be true (I > P) */
        {
            sclip_eval_state t;
            uint32_t bad[12] = {5, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0};
            CHECK(sclip_eval_state_init(&t, 2, 4, "x", NULL) == SCLIP_EVAL_OK, "state init");
            CHECK(sclip_eval_state_set(&t, 1, bad, NULL) == SCLIP_EVAL_OK, "state set");
            CHECK(sclip_eval_state_save(&t, path, err, sizeof err) == SCLIP_EVAL_OK, "state save: %s", err);
            sclip_eval_state_free(&t);
            ok = sclip_eval_state_load(&t, path, err, sizeof err) == SCLIP_EVAL_OK;
            CHECK(!ok && strstr(err, "corrupt record"), "impossible counts: %s", ok ? "accepted" : err);
            if (ok) sclip_eval_state_free(&t);
        }
        free(edit);
        free(text);
    }
    sclip_eval_state_free(&s);
    remove(path);
}

/* ---- 7. strings and the table ---------------------------------------------------------------- */
static void test_strings(void) {
    static const struct { double v; int f32; const char *want; } cases[] = {
        {84.35, 1, "84.35"}, {100.0, 1, "100.0"}, {0.0, 1, "0.0"}, {70.6, 1, "70.6"}, {0.1, 1, "0.1"},
        {1e-5, 1, "1e-05"}, {16777216.0, 1, "16777216.0"}, {0.679710865020752, 1, "0.67971087"},
        {0.679710865020752, 0, "0.679710865020752"}, {1e16, 0, "1e+16"}, {123456789012345.6, 0, "123456789012345.6"},
        {0.0001, 0, "0.0001"}, {0.00012345, 0, "0.00012345"}, {5e-324, 0, "5e-324"}, {-2.5, 0, "-2.5"}, {59.63, 0, "59.63"}};
    char b[64];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].f32) sclip_eval_str_f32((float)cases[i].v, b, sizeof b);
        else sclip_eval_str_f64(cases[i].v, b, sizeof b);
        CHECK(!strcmp(b, cases[i].want), "str(%.17g): '%s', expected '%s'", cases[i].v, b, cases[i].want);
    }
    sclip_eval_str_f32((float)NAN, b, sizeof b);
    CHECK(!strcmp(b, "nan"), "str(nan): %s", b);
    CHECK(sclip_eval_round_summary(5.0f / 32.0f) == 15.62, "np.round(5/32 * 100, 2) must round half to even: %.17g",
          sclip_eval_round_summary(5.0f / 32.0f));
    CHECK(sclip_eval_round_class(5.0f / 32.0f) == 15.62f, "per-class round of 5/32");
}

/* The table of voc21/expected_noisy.json as PrettyTable 3.6 prints it (mmseg's add_column of the
   rounded float32 arrays; made with prettytable and numpy from the fixture's strings). */
static void test_table(void) {
    static const char *const want =
        "per class results:\n\n"
        "+-------------+-------+-------+\n"
        "|    Class    |  IoU  |  Acc  |\n"
        "+-------------+-------+-------+\n"
        "|  background |  0.0  |  nan  |\n"
        "|  aeroplane  | 68.07 | 71.23 |\n"
        "|   bicycle   |  8.73 | 58.49 |\n"
        "|     bird    |  0.0  |  nan  |\n"
        "|     boat    | 43.97 | 72.21 |\n"
        "|    bottle   |  58.3 | 70.63 |\n"
        "|     bus     | 64.41 | 70.93 |\n"
        "|     car     | 25.57 | 78.29 |\n"
        "|     cat     | 63.73 | 72.13 |\n"
        "|    chair    | 31.98 | 71.24 |\n"
        "|     cow     |  0.0  |  nan  |\n"
        "| diningtable |  2.14 | 43.75 |\n"
        "|     dog     | 63.46 | 71.87 |\n"
        "|    horse    |  0.0  |  nan  |\n"
        "|  motorbike  | 46.87 | 71.92 |\n"
        "|    person   |  0.0  |  nan  |\n"
        "| pottedplant |  0.0  |  nan  |\n"
        "|    sheep    | 59.95 | 69.99 |\n"
        "|     sofa    |  1.51 | 66.67 |\n"
        "|    train    | 62.28 | 70.81 |\n"
        "|  tvmonitor  | 58.58 | 70.94 |\n"
        "+-------------+-------+-------+\n";
    const sclip_eval_dataset *ds = sclip_eval_find_dataset("voc21");
    char root[1100], *got;
    sclip_eval_list list;
    scored s;
    FILE *f;
    size_t n;
    snprintf(root, sizeof root, "%s", test_shared("fixtures/eval/voc21/list.txt"));
    snprintf(strrchr(root, '/'), 8, "/root");
    if (!list_dataset(ds, root, ds->seg_suffix, &list)) return;
    snprintf(root + strlen(root) - 4, 32, "pred_noisy");
    if (score(ds, &list, root, 0, &s) && (f = fopen("build/test_eval_table.txt", "w")) != NULL) {
        sclip_eval_print_table(f, &s.m, ds->classes);
        fclose(f);
        got = test_read_file("build/test_eval_table.txt", &n);
        CHECK(got && !strcmp(got, want), "table:\n%s\nexpected:\n%s", got ? got : "(none)", want);
        free(got);
        remove("build/test_eval_table.txt");
    }
    sclip_eval_list_free(&list);
}

/* ---- 8. results: 0 on success, SCLIP_EVAL_ERROR on failure ------------------------------------ */
/* The old convention (1 = success, 0 = failure) fails every check here. */
static void test_results(void) {
    char dir[] = "build/test_eval_results.XXXXXX", p[1200], q[1200], err[512];
    uint32_t counts[3 * 2] = {1, 0, 2, 3, 4, 5};
    uint64_t size = 0, hash = 0;
    sclip_eval_list l;
    sclip_eval_state s;
    int r;
    CHECK(SCLIP_EVAL_OK == 0 && SCLIP_EVAL_ERROR != 0, "result constants: OK %d, ERROR %d", SCLIP_EVAL_OK, SCLIP_EVAL_ERROR);
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    /* lists: a split file and a scan, then a missing file and a missing folder */
    snprintf(p, sizeof p, "%s/val.txt", dir);
    write_file(p, "a\nb\n", 4);
    r = sclip_eval_list_split(p, "img", "seg", ".jpg", ".png", &l, err, sizeof err);
    CHECK(r == 0 && l.n == 2, "list_split: returned %d on success (%s)", r, r ? err : "");
    if (r == 0) sclip_eval_list_free(&l);
    snprintf(q, sizeof q, "%s/x.jpg", dir);
    write_file(q, "x", 1);
    r = sclip_eval_list_scan(dir, "seg", ".jpg", ".png", &l, err, sizeof err);
    CHECK(r == 0 && l.n == 1, "list_scan: returned %d on success (%s)", r, r ? err : "");
    if (r == 0) sclip_eval_list_free(&l);
    snprintf(q, sizeof q, "%s/none", dir);
    err[0] = 0;
    r = sclip_eval_list_split(q, "img", "seg", ".jpg", ".png", &l, err, sizeof err);
    CHECK(r == SCLIP_EVAL_ERROR && l.n == 0 && strstr(err, "cannot open"), "list_split of a missing file: returned %d (%s)", r,
          err);
    err[0] = 0;
    r = sclip_eval_list_scan(q, "seg", ".jpg", ".png", &l, err, sizeof err);
    CHECK(r == SCLIP_EVAL_ERROR && l.n == 0 && strstr(err, "cannot open folder"),
          "list_scan of a missing folder: returned %d (%s)", r, err);
    /* the file fingerprint */
    r = sclip_eval_hash_file(p, &size, &hash, err, sizeof err);
    CHECK(r == 0 && size == 4, "hash_file: returned %d on success (%s)", r, r ? err : "");
    err[0] = 0;
    r = sclip_eval_hash_file(q, &size, &hash, err, sizeof err);
    CHECK(r == SCLIP_EVAL_ERROR && strstr(err, "cannot open"), "hash_file of a missing file: returned %d (%s)", r, err);
    /* state files */
    r = sclip_eval_state_init(&s, 0, 2, "x", NULL);
    CHECK(r == SCLIP_EVAL_ERROR, "state_init of 0 images: returned %d", r);
    r = sclip_eval_state_init(&s, 3, SCLIP_EVAL_MAX_CLASSES + 1, "x", NULL);
    CHECK(r == SCLIP_EVAL_ERROR, "state_init of %d classes: returned %d", SCLIP_EVAL_MAX_CLASSES + 1, r);
    r = sclip_eval_state_init(&s, 3, 2, "x", NULL);
    CHECK(r == 0, "state_init: returned %d on success", r);
    if (r == 0) {
        sclip_eval_state t;
        r = sclip_eval_state_set(&s, 1, counts, NULL);
        CHECK(r == 0, "state_set: returned %d on success", r);
        r = sclip_eval_state_set(&s, 2, NULL, "unreadable");
        CHECK(r == 0, "state_set of a skipped image: returned %d on success", r);
        snprintf(p, sizeof p, "%s/state", dir);
        r = sclip_eval_state_save(&s, p, err, sizeof err);
        CHECK(r == 0, "state_save: returned %d on success (%s)", r, r ? err : "");
        r = sclip_eval_state_load(&t, p, err, sizeof err);
        CHECK(r == 0 && t.n_images == 3 && t.rec[1].status == 1 && t.rec[2].status == 2,
              "state_load: returned %d on success (%s)", r, r ? err : "");
        if (r == 0) sclip_eval_state_free(&t);
        snprintf(q, sizeof q, "%s/no such folder/state", dir);
        err[0] = 0;
        r = sclip_eval_state_save(&s, q, err, sizeof err);
        CHECK(r == SCLIP_EVAL_ERROR && strstr(err, "cannot write"), "state_save into a missing folder: returned %d (%s)", r,
              err);
        err[0] = 0;
        r = sclip_eval_state_load(&t, q, err, sizeof err);
        CHECK(r == SCLIP_EVAL_ERROR && t.rec == NULL && strstr(err, "cannot open"),
              "state_load of a missing file: returned %d (%s)", r, err);
        write_file(p, "sclip-eval state 1\n", 19);
        err[0] = 0;
        r = sclip_eval_state_load(&t, p, err, sizeof err);
        CHECK(r == SCLIP_EVAL_ERROR && t.rec == NULL && strstr(err, "truncated"), "state_load of a cut file: returned %d (%s)",
              r, err);
        sclip_eval_state_free(&s);
    }
    {
        char cmd[1300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0, "cleanup");
    }
    printf("results: 0 on success, SCLIP_EVAL_ERROR (%d) on failure\n", SCLIP_EVAL_ERROR);
}

int main(int argc, char **argv) {
    const char *const *keys;
    if (argc == 4 && !strcmp(argv[1], "--check-json")) return check_json_files(argv[2], argv[3], 0);
    if (argc == 4 && !strcmp(argv[1], "--check-json-metrics")) return check_json_files(argv[2], argv[3], 1);
    test_metric_cases();
    test_labels();
    test_lists();
    test_state();
    test_results();
    test_strings();
    for (keys = sclip_eval_dataset_keys(); *keys; keys++) test_fixture_dataset(*keys);
    test_table();
    CHECK(sclip_eval_find_dataset("coco-stuff10k") == sclip_eval_find_dataset("coco_stuff10k"), "dashes");
    CHECK(sclip_eval_find_dataset("voc") == NULL, "unknown key");
    return test_done("test_eval");
}
