/* fuzz_eval: deterministic mutation fuzzing of what sclip-eval reads from files (built with
   ASan+UBSan by the Makefile): state files (mutated, then given a valid checksum so that the
   parser behind the checksum runs: byte flips, truncation, duplicated and swapped lines, huge
   numbers) and split files (random bytes, long lines, invalid UTF-8). Every load must either
   succeed with a consistent state or fail with a message; the sanitizers catch the rest. */
#define _POSIX_C_SOURCE 200809L
#define SCLIP_EVAL_IMPLEMENTATION
#include "sclip_eval.h"
#include "test_common.h"

#include <unistd.h>

static uint32_t rnd(uint32_t *s) { /* xorshift32 */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void write_all(const char *path, const char *d, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f) fwrite(d, 1, n, f), fclose(f);
}

/* Replaces the body's last line with a valid "end" line for what comes before it: the record
   count of its "img" / "bad" lines (or, when lie, another count). */
static size_t fix_checksum(char *d, size_t n, size_t cap, int lie) {
    size_t e = n, i;
    int records = 0;
    uint64_t h;
    if (e && d[e - 1] == '\n') e--;
    while (e > 0 && d[e - 1] != '\n') e--;
    for (i = 0; i + 4 <= e; i++)
        if ((i == 0 || d[i - 1] == '\n') && (!strncmp(d + i, "img ", 4) || !strncmp(d + i, "bad ", 4))) records++;
    h = sclip_eval_hash(SCLIP_EVAL_HASH_INIT, d, e);
    return e + (size_t)snprintf(d + e, cap - e, "end %d %08lx%08lx\n", records + lie, (unsigned long)(h >> 32),
                                (unsigned long)(h & 0xffffffffu));
}

static size_t mutate(const char *src, size_t n, char *dst, size_t cap, uint32_t *s) {
    size_t m = n, pos, len, i;
    int k, times = 1 + (int)(rnd(s) % 4);
    memcpy(dst, src, n);
    for (k = 0; k < times && m > 0; k++) {
        pos = rnd(s) % m;
        switch (rnd(s) % 7) {
        case 0: dst[pos] ^= (char)(1u << (rnd(s) % 8)); break;
        case 1: dst[pos] = "0123456789:, \n-x"[rnd(s) % 16]; break;
        case 2: m = pos + 1; break;
        case 3: /* a run of digits: numbers too large for any field */
            len = 1 + rnd(s) % 24;
            if (m + len >= cap) break;
            memmove(dst + pos + len, dst + pos, m - pos);
            for (i = 0; i < len; i++) dst[pos + i] = (char)('0' + rnd(s) % 10);
            m += len;
            break;
        case 4: /* duplicate a run */
            len = 1 + rnd(s) % 64;
            if (pos + len > m || m + len >= cap) break;
            memmove(dst + pos + len, dst + pos, m - pos);
            m += len;
            break;
        case 5: dst[pos] = (char)rnd(s); break;
        default: /* delete a run */
            len = rnd(s) % 32;
            if (pos + len > m) len = m - pos;
            memmove(dst + pos, dst + pos + len, m - pos - len);
            m -= len;
        }
    }
    return m;
}

int main(void) {
    static uint32_t counts[3 * 12];
    static char src[1 << 16], buf[1 << 17];
    char path[] = "build/fuzz_eval.XXXXXX", err[512];
    sclip_eval_state st, r;
    size_t n;
    uint32_t seed = 12345;
    int i, c, iter, loaded = 0;
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    /* a valid state: 40 images, 12 classes, a skipped one */
    if (sclip_eval_state_init(&st, 40, 12, "dataset voc21\nclass a\nclass b", "1/3") != SCLIP_EVAL_OK) {
        CHECK(0, "state init");
        return test_done("fuzz_eval");
    }
    for (i = 1; i < 40; i += 3) {
        for (c = 0; c < 12; c++) {
            counts[c] = rnd(&seed) % 1000;
            counts[12 + c] = counts[c] + rnd(&seed) % 1000;
            counts[24 + c] = counts[c] + rnd(&seed) % 1000;
        }
        CHECK(sclip_eval_state_set(&st, i, i == 7 ? NULL : counts, "unreadable") == SCLIP_EVAL_OK, "state set");
    }
    CHECK(sclip_eval_state_save(&st, path, err, sizeof err) == SCLIP_EVAL_OK, "%s", err);
    sclip_eval_state_free(&st);
    {
        char *t = test_read_file(path, &n);
        CHECK(t && n < sizeof src, "state size");
        if (!t || n >= sizeof src) return test_done("fuzz_eval");
        memcpy(src, t, n);
        free(t);
    }
    for (iter = 0; iter < 20000; iter++) {
        size_t m = mutate(src, n, buf, sizeof buf - 64, &seed);
        if (rnd(&seed) % 4) m = fix_checksum(buf, m, sizeof buf, (int)(rnd(&seed) % 8 == 0));
        write_all(path, buf, m);
        err[0] = 0;
        if (sclip_eval_state_load(&r, path, err, sizeof err) == SCLIP_EVAL_OK) {
            sclip_eval_totals t;
            loaded++;
            CHECK(r.n_images >= 1 && r.n_classes >= 1 && r.n_classes <= SCLIP_EVAL_MAX_CLASSES, "state sizes");
            for (i = 0; i < r.n_images; i++) /* every record consistent */
                for (c = 0; c < r.rec[i].nnz; c++)
                    CHECK(r.rec[i].cls[c] < r.n_classes && r.rec[i].cnt[3 * c] <= r.rec[i].cnt[3 * c + 1], "record");
            sclip_eval_totals_init(&t, r.n_classes);
            sclip_eval_state_totals(&r, &t);
            sclip_eval_state_free(&r);
        } else
            CHECK(err[0] != 0, "a state refused without a reason");
    }
    printf("state files: 20000 mutations, %d loaded, the rest refused with a message\n", loaded);
    /* split files: random lines, long lines, invalid UTF-8, CR/LF mixes */
    for (iter = 0; iter < 3000; iter++) {
        sclip_eval_list l;
        size_t m = 1 + rnd(&seed) % 3000;
        for (i = 0; i < (int)m; i++) {
            uint32_t k = rnd(&seed) % 16;
            buf[i] = k < 8 ? (char)('a' + k) : k < 10 ? '\n' : k == 10 ? '\r' : k == 11 ? ' ' : (char)rnd(&seed);
        }
        write_all(path, buf, m);
        err[0] = 0;
        if (sclip_eval_list_split(path, "img", "seg", ".jpg", ".png", &l, err, sizeof err) == SCLIP_EVAL_OK) {
            for (i = 0; i < l.n; i++) CHECK(l.items[i].img && l.items[i].seg, "list item");
            sclip_eval_list_free(&l);
        } else
            CHECK(err[0] != 0, "a split file refused without a reason");
    }
    printf("split files: 3000 random files\n");
    remove(path);
    return test_done("fuzz_eval");
}
