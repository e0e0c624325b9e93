/* fuzz_tokenizer - deterministic mutation fuzzing of sclip_tokenizer.h (built with ASan+UBSan).
   Inputs: random bytes, mutated seed texts (truncated UTF-8, spliced entities, special
   tokens), long runs, random entities; and mutated merge lists. For every input it checks:
   no crash, every id in range, the count query and partial output agree with the full
   encode, encode_context's row invariants with and without truncation, decode succeeds on
   encode's ids and returns valid UTF-8, a decode cut is a prefix of the full text.
   Runs a fixed sequence of inputs (seeded PRNG) and stops early after FUZZ_SECONDS. */
#define _POSIX_C_SOURCE 200809L /* popen */
#include <stdint.h>
#include <time.h>

#include "test_common.h"

#define SCLIP_TOKENIZER_IMPLEMENTATION
#include "sclip_tokenizer.h"

#define FUZZ_SECONDS 10.0 /* CPU seconds */
#define ITERATIONS 20000
#define MAX_LEN (1 << 16)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}
static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

static char *load_merges(size_t *len) {
    char cmd[1300], *buf = NULL;
    size_t cap = 0, n = 0;
    FILE *f;
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", test_shared("data/bpe_simple_vocab_16e6.txt.gz"));
    f = popen(cmd, "r");
    if (!f) test_skip("cannot run gzip");
    for (;;) {
        if (n == cap) {
            buf = (char *)realloc(buf, cap = cap ? 2 * cap : 1 << 21);
            if (!buf) exit(1);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
    }
    if (pclose(f) != 0 || n == 0) test_skip("gzip -dc of the merge list failed");
    *len = n;
    return buf;
}

static const char *const seeds[] = {
    "a photo of a cat.", "A PHOTO OF THE TELEVISION MONITOR!", "it's the dog's bone, we'll see",
    "<|startoftext|>special<|endoftext|>", "<|ſtartoftext|>", "&amp;lt; &notit; &#x1F600; &#128;",
    "caf\xc3\xa9 Z\xc3\xbcrich \xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa3", "\xc4\xb0stanbul \xe1\xba\x9e",
    "\xe6\x9d\xb1\xe4\xba\xac \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", "\xf0\x9f\x90\xb1\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
    "a\315\205b '\xc5\xbf", "\xe2\x85\xab \xc2\xbd \xd9\xa3", "  tabs\tand\x1c\xc2\x85spaces\xe3\x80\x80 ",
    "1234567890 3.14", "\xef\xbb\xbf\xe2\x80\x8b\xc2\xad", "!!!??? ... ---",
};
static const char *const entities[] = {
    "&amp;", "&amp", "&lt", "&LT;", "&notin;", "&notit;", "&nGt;", "&NotEqualTilde;", "&Sigma;",
    "&CounterClockwiseContourIntegral;", "&#", "&#x", "&#0;", "&#128;", "&#x9F;", "&#xD800;",
    "&#1114112;", "&#99999999999999999999;", "&#x10FFFF;", "&nbsp;", "&", "&;", "&#38;amp;",
};

/* One input into buf; returns its length. */
static size_t make_input(char *buf) {
    size_t n = 0, i, k;
    uint32_t kind = below(6);
    if (kind == 0) { /* random bytes */
        n = below(64);
        for (i = 0; i < n; i++) buf[i] = (char)below(256);
    } else if (kind == 1 || kind == 2) { /* a mutated seed */
        const char *s = seeds[below(sizeof seeds / sizeof seeds[0])];
        n = strlen(s);
        memcpy(buf, s, n);
        for (k = below(6); k > 0 && n > 0; k--) {
            uint32_t op = below(5);
            size_t at = below((uint32_t)n);
            if (op == 0) buf[at] = (char)below(256);            /* change a byte */
            else if (op == 1) n = at;                           /* truncate (often inside UTF-8) */
            else if (op == 2 && n < 1000) {                     /* splice an entity */
                const char *e = entities[below(sizeof entities / sizeof entities[0])];
                size_t el = strlen(e);
                memmove(buf + at + el, buf + at, n - at);
                memcpy(buf + at, e, el);
                n += el;
            } else if (op == 3 && n < 1000) {                   /* duplicate a slice */
                size_t l = below((uint32_t)(n - at)) + 1;
                memmove(buf + at + l, buf + at, n - at);
                n += l;
            } else if (op == 4) {                               /* flip the high bit */
                buf[at] = (char)(buf[at] ^ 0x80);
            }
        }
    } else if (kind == 3) { /* a long run */
        static const char *const units[] = {"a", "ab", "\xce\xa3", "&amp;", " ", "1", "!", "\xc4\xb0", "\xff",
                                            "\xe6\x9d\xb1", "'s", "<|endoftext|>", "a\xcd\x85"};
        const char *u = units[below(sizeof units / sizeof units[0])];
        size_t ul = strlen(u), reps = below(1u << below(15)) + 1;
        for (i = 0; i < reps && n + ul < MAX_LEN; i++, n += ul) memcpy(buf + n, u, ul);
    } else if (kind == 4) { /* random entities */
        for (k = below(8) + 1; k > 0; k--) {
            if (below(2)) {
                const char *e = entities[below(sizeof entities / sizeof entities[0])];
                memcpy(buf + n, e, strlen(e));
                n += strlen(e);
            } else {
                static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#xX;";
                size_t l = below(40);
                buf[n++] = '&';
                for (i = 0; i < l; i++) buf[n++] = alnum[below(sizeof alnum - 1)];
            }
            if (below(3) == 0) buf[n++] = (char)below(256);
        }
    } else { /* random code points as UTF-8, weighted to the interesting planes */
        for (k = below(30); k > 0; k--) {
            uint32_t c = below(4) == 0 ? below(0x80) : below(3) == 0 ? below(0x800) : below(3) ? below(0x10000) : below(0x110000);
            if (c >= 0xD800 && c < 0xE000) c = 0xFFFD;
            if (c < 0x80) buf[n++] = (char)c;
            else if (c < 0x800) buf[n++] = (char)(0xC0 | (c >> 6)), buf[n++] = (char)(0x80 | (c & 0x3F));
            else if (c < 0x10000)
                buf[n++] = (char)(0xE0 | (c >> 12)), buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F)), buf[n++] = (char)(0x80 | (c & 0x3F));
            else
                buf[n++] = (char)(0xF0 | (c >> 18)), buf[n++] = (char)(0x80 | ((c >> 12) & 0x3F)),
                buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F)), buf[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    return n;
}

static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t c;
        size_t l = sclip__tk_utf8_next(s + i, n - i, &c);
        if (c == 0xFFFD && !(l == 3 && s[i] == 0xEF && s[i + 1] == 0xBF && s[i + 2] == 0xBD)) return 0;
        i += l;
    }
    return 1;
}

static int32_t ids[3 * MAX_LEN + 16], part[3 * MAX_LEN + 16];
static char dec[16 * MAX_LEN], cut[64];

/* Every invariant for one input. */
static void check_input(const sclip_tokenizer *tok, const char *in, size_t len, int strict_ids) {
    size_t n = 0, n0 = 0, np = 0, nd = 0, nc = 0, i;
    int32_t row[77];
    int used = -1, j;
    sclip_result r = sclip_tokenizer_encode(tok, in, len, ids, sizeof ids / sizeof ids[0], &n);
    CHECK(r == SCLIP_OK, "encode failed: %s (len %lu)", sclip_result_string(r), (unsigned long)len);
    if (r != SCLIP_OK) return;
    CHECK(n <= 3 * len, "%lu ids for %lu bytes", (unsigned long)n, (unsigned long)len);
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= SCLIP_VOCAB_SIZE || (strict_ids && ids[i] >= SCLIP_TOKEN_SOT && len < 13)) {
            CHECK(0, "id %d out of range", ids[i]);
            return;
        }
    r = sclip_tokenizer_encode(tok, in, len, NULL, 0, &n0);
    CHECK(n0 == n && r == (n ? SCLIP_ERROR_TEXT_TOO_LONG : SCLIP_OK), "count query %lu vs %lu", (unsigned long)n0,
          (unsigned long)n);
    if (n > 1) {
        r = sclip_tokenizer_encode(tok, in, len, part, n / 2, &np);
        CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG && np == n && memcmp(part, ids, n / 2 * sizeof(int32_t)) == 0,
              "partial encode");
    }
    for (j = 0; j < 2; j++) { /* encode_context without and with truncation */
        int k, zeros = 1;
        r = sclip_tokenizer_encode_context(tok, in, len, 77, j, row, &used);
        if (n + 2 <= 77 || j) {
            int expect = n + 2 <= 77 ? (int)n + 2 : 77;
            CHECK(r == SCLIP_OK && used == expect, "context used %d, expected %d", used, expect);
            CHECK(row[0] == SCLIP_TOKEN_SOT && row[expect - 1] == SCLIP_TOKEN_EOT, "context row ends");
            CHECK(memcmp(row + 1, ids, (size_t)(expect - 2) * sizeof(int32_t)) == 0, "context row ids");
            for (k = expect; k < 77; k++) zeros &= row[k] == 0;
        } else {
            CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG && used == 0, "context overflow: %s", sclip_result_string(r));
            for (k = 0; k < 77; k++) zeros &= row[k] == 0;
        }
        CHECK(zeros, "context padding");
    }
    r = sclip_tokenizer_decode(tok, ids, n, dec, sizeof dec, &nd);
    CHECK(r == SCLIP_OK && dec[nd] == 0, "decode: %s", sclip_result_string(r));
    if (r != SCLIP_OK) return;
    CHECK(valid_utf8((const unsigned char *)dec, nd), "decode gave invalid UTF-8");
    r = sclip_tokenizer_decode(tok, ids, n, cut, 1 + below(sizeof cut - 1), &nc);
    CHECK(nc == nd && strncmp(cut, dec, strlen(cut)) == 0 && valid_utf8((const unsigned char *)cut, strlen(cut)),
          "decode cut");
}

/* Rebuild the merge list with a few lines replaced by copies of others (repeated pairs and
   strings), swapped (merges before their parts) or corrupted, then tokenize under it. */
static void fuzz_merge_lists(const char *merges, size_t mlen, char *buf) {
    enum { LINES = SCLIP_N_MERGES + 1 };
    size_t *start = (size_t *)malloc(sizeof(size_t) * (LINES + 1)), i, o;
    int *order = (int *)malloc(sizeof(int) * LINES), round, accepted = 0;
    char *m = (char *)malloc(mlen + 64);
    for (i = 0, o = 0; i < LINES && o < mlen; i++) { /* line i is merges[start[i] .. start[i+1]-1) */
        start[i] = o;
        while (o < mlen && merges[o] != '\n') o++;
        o++;
    }
    start[LINES] = o;
    for (round = 0; round < 12; round++) {
        sclip_tokenizer *t = NULL;
        size_t k, n = 0;
        sclip_result r;
        int corrupt = below(4) == 0;
        for (i = 0; i < LINES; i++) order[i] = (int)i;
        for (k = below(20) + 1; k > 0; k--) {
            size_t a = 1 + below(LINES - 1), b = 1 + below(below(2) ? 2000 : LINES - 1);
            if (below(2)) {
                order[a] = order[b]; /* a repeated line */
            } else {
                int tmp = order[a];
                order[a] = order[b];
                order[b] = tmp;
            }
        }
        for (i = 0; i < LINES; i++) {
            size_t l = start[order[i] + 1] - start[order[i]];
            memcpy(m + n, merges + start[order[i]], l);
            n += l;
        }
        if (corrupt) m[below((uint32_t)n)] = (char)below(256);
        r = sclip_tokenizer_create(m, n, &t);
        CHECK(r == SCLIP_OK || r == SCLIP_ERROR_BAD_VOCAB, "create: %s", sclip_result_string(r));
        CHECK(r == SCLIP_OK || corrupt, "a reordered merge list was refused");
        if (r != SCLIP_OK) continue;
        accepted++;
        for (k = 0; k < 60; k++) check_input(t, buf, make_input(buf), 0);
        sclip_tokenizer_free(t);
    }
    printf("mutated merge lists: %d accepted of 12\n", accepted);
    free(m);
    free(order);
    free(start);
}

int main(void) {
    size_t mlen = 0, total = 0;
    char *merges = load_merges(&mlen);
    char *buf = (char *)malloc(MAX_LEN + 4096);
    sclip_tokenizer *tok = NULL;
    clock_t c0 = clock();
    int it;
    CHECK(sclip_tokenizer_create(merges, mlen, &tok) == SCLIP_OK, "create");
    if (!tok || !buf) return test_done("fuzz_tokenizer");
    for (it = 0; it < ITERATIONS && test__failures == 0; it++) {
        size_t n = make_input(buf);
        check_input(tok, buf, n, 1);
        total += n;
        if ((it & 255) == 0 && (double)(clock() - c0) / CLOCKS_PER_SEC > FUZZ_SECONDS) break;
    }
    printf("%d inputs, %lu bytes in %.1f s\n", it, (unsigned long)total, (double)(clock() - c0) / CLOCKS_PER_SEC);
    if (test__failures == 0) fuzz_merge_lists(merges, mlen, buf);
    sclip_tokenizer_free(tok);
    free(buf);
    free(merges);
    return test_done("fuzz_tokenizer");
}
