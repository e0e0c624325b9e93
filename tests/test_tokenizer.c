/* test_tokenizer - sclip_tokenizer.h against ids made by OpenAI CLIP's tokenizer.
     1. every line of fixtures/tokens.jsonl (SimpleTokenizer.encode of the official code)
     2. fixtures/tiny/texts.json -> text_tokens.npy (clip.tokenize rows)
     3. tests/tokenizer_extra.jsonl (tools/gen_tokenizer_fixture.py, the reference algorithm
        with the regex module): entities, Unicode case and class corners, invalid UTF-8,
        random texts, context rows with and without truncation, decode
     4. truncation, round trips, argument and merge-list errors, speed
   The merge list is argv[1] (decompressed text) or $SCLIP_SHARED/data/bpe_simple_vocab_16e6.txt.gz
   read through `gzip -dc`. */
#define _POSIX_C_SOURCE 200809L /* popen */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "test_common.h"
#include "test_json.h"

#define SCLIP_TOKENIZER_IMPLEMENTATION
#include "sclip_tokenizer.h"

/* ---- small readers ---------------------------------------------------------------------- */

static char *load_merges(int argc, char **argv, size_t *len) {
    char cmd[1300], *buf = NULL;
    const char *gz;
    size_t cap = 0, n = 0;
    FILE *f;
    if (argc > 1) {
        buf = test_read_file(argv[1], len);
        if (!buf) fprintf(stderr, "FAIL cannot read %s\n", argv[1]), exit(1);
        return buf;
    }
    gz = test_shared("data/bpe_simple_vocab_16e6.txt.gz");
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", gz);
    f = popen(cmd, "r");
    if (!f) test_skip("cannot run gzip");
    for (;;) {
        if (n == cap) {
            buf = (char *)realloc(buf, cap = cap ? 2 * cap : 1 << 21);
            if (!buf) fprintf(stderr, "FAIL out of memory\n"), exit(1);
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
    }
    if (pclose(f) != 0 || n == 0) test_skip("gzip -dc of the merge list failed (is gzip installed?)");
    *len = n;
    return buf;
}

/* Value of the hex digits s[0..n). */
static uint32_t hexnum(const char *s, int n) {
    uint32_t v = 0;
    int i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        v = v * 16 + (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return v;
}

/* The JSON string value of "key" in line, as UTF-8 in a new buffer; NULL when absent. */
static char *json_str(const char *line, const char *key, size_t *len) {
    char pat[64], *out = NULL;
    const char *p;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(line, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p != '"' || !tj_string_n(p, &out, len)) return NULL;
    return out;
}

/* The bytes of the hex string value of "key". */
static char *json_hex(const char *line, const char *key, size_t *len) {
    size_t n, i;
    char *h = json_str(line, key, &n), *out;
    if (!h) return NULL;
    out = (char *)malloc(n / 2 + 1);
    for (i = 0; i + 1 < n; i += 2) out[i / 2] = (char)hexnum(h + i, 2);
    free(h);
    *len = n / 2;
    return out;
}

/* The integer array value of "key" into ids (at most cap); returns the count or -1. */
static long json_ints(const char *line, const char *key, int32_t *ids, size_t cap) {
    char pat[64], *end;
    const char *p;
    long n = 0;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(line, pat);
    if (!p) return -1;
    p = strchr(p, '[');
    if (!p) return -1;
    p++;
    for (;;) {
        long v;
        while (*p == ' ' || *p == ',') p++;
        if (*p == ']') return n;
        v = strtol(p, &end, 10);
        if (end == p) return -1;
        if ((size_t)n < cap) ids[n] = (int32_t)v;
        n++;
        p = end;
    }
}

static int same_ids(const int32_t *a, const int32_t *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* Next line of a text buffer (split on '\n'), NUL-terminated in place. */
static char *next_line(char **cur) {
    char *s = *cur, *nl;
    if (!s || !*s) return NULL;
    nl = strchr(s, '\n');
    if (nl) {
        *nl = 0;
        *cur = nl + 1;
    } else {
        *cur = s + strlen(s);
    }
    return s;
}

#define MAX_IDS 20000

/* ---- 1. fixtures/tokens.jsonl ------------------------------------------------------------ */
static void test_fixture(const sclip_tokenizer *tok) {
    size_t len, total = 0, matched = 0;
    char *text = test_read_file(test_shared("fixtures/tokens.jsonl"), &len), *cur = text, *line;
    static int32_t want[MAX_IDS], got[MAX_IDS];
    CHECK(text != NULL, "cannot read tokens.jsonl");
    while ((line = next_line(&cur)) != NULL) {
        size_t tl, n = 0;
        char *t = json_str(line, "text", &tl);
        long nw = json_ints(line, "ids", want, MAX_IDS);
        sclip_result r;
        if (!t || nw < 0) continue;
        total++;
        r = sclip_tokenizer_encode(tok, t, tl, got, MAX_IDS, &n);
        if (r == SCLIP_OK && n == (size_t)nw && same_ids(got, want, n))
            matched++;
        else if (total - matched <= 5)
            fprintf(stderr, "mismatch on %s: %lu ids, expected %ld\n", line, (unsigned long)n, nw);
        free(t);
    }
    printf("tokens.jsonl: %lu / %lu lines give identical ids\n", (unsigned long)matched, (unsigned long)total);
    CHECK(total == 3546, "tokens.jsonl has %lu lines, expected 3546", (unsigned long)total);
    CHECK(matched == total, "%lu lines differ", (unsigned long)(total - matched));
    free(text);
}

/* ---- 2. tiny/texts.json -> text_tokens.npy ------------------------------------------------ */
static void test_context_fixture(const sclip_tokenizer *tok) {
    size_t len, k = 0;
    char *json = test_read_file(test_shared("fixtures/tiny/texts.json"), &len), *p;
    sclip_npy a;
    test_load_npy(test_shared("fixtures/tiny/text_tokens.npy"), &a);
    CHECK(a.ndim == 2 && a.shape[0] == 4 && a.shape[1] == 77, "text_tokens.npy shape");
    p = json ? strchr(json, '[') : NULL;
    while (p && (p = strchr(p, '"')) != NULL && k < 4) { /* the strings hold no quotes or escapes */
        char *e = strchr(p + 1, '"');
        int32_t row[77];
        int used = -1, j, ok = 1;
        sclip_result r = sclip_tokenizer_encode_context(tok, p + 1, (size_t)(e - p - 1), 77, 0, row, &used);
        CHECK(r == SCLIP_OK, "encode_context: %s", sclip_result_string(r));
        for (j = 0; j < 77; j++) ok &= row[j] == (int32_t)sclip_npy_get(&a, k * 77 + (size_t)j);
        CHECK(ok, "text_tokens.npy row %lu differs (%.*s)", (unsigned long)k, (int)(e - p - 1), p + 1);
        CHECK(used >= 2 && row[used - 1] == SCLIP_TOKEN_EOT, "n_used %d", used);
        k++;
        p = e + 1;
    }
    CHECK(k == 4, "texts.json: %lu strings", (unsigned long)k);
    printf("text_tokens.npy: %lu rows checked\n", (unsigned long)k);
    sclip_npy_free(&a);
    free(json);
}

/* ---- 3. tests/tokenizer_extra.jsonl ------------------------------------------------------- */
static void test_extra(const sclip_tokenizer *tok) {
    size_t len, n_enc = 0, ok_enc = 0, n_ctx = 0, ok_ctx = 0, n_dec = 0, ok_dec = 0;
    char *text = test_read_file("tests/tokenizer_extra.jsonl", &len), *cur = text, *line;
    static int32_t want[MAX_IDS], got[MAX_IDS];
    static char out[1 << 16];
    if (!text) {
        CHECK(0, "cannot read tests/tokenizer_extra.jsonl (run from the repository root)");
        return;
    }
    while ((line = next_line(&cur)) != NULL) {
        size_t bl = 0, n = 0;
        long nw;
        char *bytes = json_hex(line, "hex", &bl); /* input, or the expected output of decode */
        sclip_result r;
        if (!bytes) bytes = json_str(line, "text", &bl);
        if (!bytes) continue;
        if (strstr(line, "\"decode\":")) { /* decode ids -> expected bytes */
            nw = json_ints(line, "decode", want, MAX_IDS);
            n_dec++;
            r = sclip_tokenizer_decode(tok, want, (size_t)nw, out, sizeof out, &n);
            if (r == SCLIP_OK && n == bl && memcmp(out, bytes, bl) == 0 && out[n] == 0)
                ok_dec++;
            else
                fprintf(stderr, "decode mismatch: %s -> %.*s\n", line, (int)n, out);
        } else if (strstr(line, "\"truncate\":")) { /* a clip.tokenize row */
            int trunc = strstr(line, "\"truncate\":1") != NULL, used = -1;
            int32_t row[77];
            n_ctx++;
            r = sclip_tokenizer_encode_context(tok, bytes, bl, 77, trunc, row, &used);
            if (strstr(line, "\"error\":")) {
                int zero = 1, j;
                for (j = 0; j < 77; j++) zero &= row[j] == 0;
                if (r == SCLIP_ERROR_TEXT_TOO_LONG && zero && used == 0)
                    ok_ctx++;
                else
                    fprintf(stderr, "context: expected too long: %.80s\n", line);
            } else {
                json_ints(line, "context", want, 77);
                if (r == SCLIP_OK && same_ids(row, want, 77))
                    ok_ctx++;
                else
                    fprintf(stderr, "context mismatch: %.120s\n", line);
            }
        } else { /* encode */
            nw = json_ints(line, "ids", want, MAX_IDS);
            n_enc++;
            r = sclip_tokenizer_encode(tok, bytes, bl, got, MAX_IDS, &n);
            if (r == SCLIP_OK && n == (size_t)nw && same_ids(got, want, n))
                ok_enc++;
            else
                fprintf(stderr, "encode mismatch (%lu ids, expected %ld): %.200s\n", (unsigned long)n, nw, line);
        }
        free(bytes);
    }
    printf("tokenizer_extra.jsonl: encode %lu/%lu, context %lu/%lu, decode %lu/%lu\n", (unsigned long)ok_enc,
           (unsigned long)n_enc, (unsigned long)ok_ctx, (unsigned long)n_ctx, (unsigned long)ok_dec,
           (unsigned long)n_dec);
    CHECK(n_enc > 500 && ok_enc == n_enc, "encode cases");
    CHECK(n_ctx >= 20 && ok_ctx == n_ctx, "context cases");
    CHECK(n_dec >= 50 && ok_dec == n_dec, "decode cases");
    free(text);
}

/* ---- 4. behaviour ------------------------------------------------------------------------- */

/* clip.tokenize(truncate=...) on a text of 80 words, each one id (checked by encode). */
static void test_truncation(const sclip_tokenizer *tok) {
    char text[400] = "";
    int32_t ids[100], row[80];
    size_t n = 0;
    int i, used = -1, zero = 1;
    sclip_result r;
    for (i = 0; i < 80; i++) strcat(text, "cat ");
    r = sclip_tokenizer_encode(tok, text, strlen(text), ids, 100, &n);
    CHECK(r == SCLIP_OK && n == 80, "80 words give %lu ids", (unsigned long)n);
    for (i = 0; i < 80; i++) CHECK(ids[i] == 2368, "id %d of 'cat ' x 80 is %d", i, ids[i]);
    row[77] = 12345;
    r = sclip_tokenizer_encode_context(tok, text, strlen(text), 77, 0, row, &used);
    for (i = 0; i < 77; i++) zero &= row[i] == 0;
    CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG && zero && used == 0, "no truncation: error and zeros");
    CHECK(row[77] == 12345, "wrote past the row");
    r = sclip_tokenizer_encode_context(tok, text, strlen(text), 77, 1, row, &used);
    CHECK(r == SCLIP_OK && used == 77 && row[0] == SCLIP_TOKEN_SOT && row[76] == SCLIP_TOKEN_EOT, "truncated row");
    CHECK(same_ids(row + 1, ids, 75), "truncated row keeps the first 75 ids");
    /* exactly full: 75 ids + start + end */
    r = sclip_tokenizer_encode_context(tok, text, 75 * 4, 77, 0, row, &used);
    CHECK(r == SCLIP_OK && used == 77 && row[76] == SCLIP_TOKEN_EOT && row[75] == 2368, "75 words fit");
    r = sclip_tokenizer_encode_context(tok, text, 76 * 4, 77, 0, row, &used);
    CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG, "76 words do not fit");
    /* tiny contexts, as CLIP: L=1 -> [EOT], L=2 -> [SOT, EOT] */
    r = sclip_tokenizer_encode_context(tok, text, strlen(text), 1, 1, row, &used);
    CHECK(r == SCLIP_OK && used == 1 && row[0] == SCLIP_TOKEN_EOT, "context 1");
    r = sclip_tokenizer_encode_context(tok, "", 0, 2, 0, row, &used);
    CHECK(r == SCLIP_OK && used == 2 && row[0] == SCLIP_TOKEN_SOT && row[1] == SCLIP_TOKEN_EOT, "context 2");
    r = sclip_tokenizer_encode_context(tok, "cat", 3, 2, 0, row, &used);
    CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG, "context 2, one word");
    CHECK(sclip_tokenizer_encode_context(tok, "cat", 3, 0, 1, row, &used) == SCLIP_ERROR_INVALID_ARGUMENT, "context 0");
    CHECK(sclip_tokenizer_encode_context(tok, "cat", 3, 77, 0, NULL, &used) == SCLIP_ERROR_INVALID_ARGUMENT, "NULL row");
}

/* decode(encode(x)) for normalised ASCII text (lower case, single spaces, no '&'): CLIP's
   decode puts a space after every word, so the text comes back with its words separated
   by spaces, and encoding that again gives the same ids. */
static void test_round_trip(const sclip_tokenizer *tok) {
    size_t len, checked = 0;
    char *text = test_read_file(test_shared("fixtures/tokens.jsonl"), &len), *cur = text, *line;
    static int32_t a[MAX_IDS], b[MAX_IDS];
    static char dec[1 << 16], squeezed_in[1 << 16], squeezed_out[1 << 16];
    while (text && (line = next_line(&cur)) != NULL) {
        size_t tl, na = 0, nb = 0, nd = 0, i, k1 = 0, k2 = 0;
        char *t = json_str(line, "text", &tl);
        int normal = t != NULL && tl > 0 && t[0] != ' ' && t[tl - 1] != ' ';
        for (i = 0; normal && i < tl; i++) {
            unsigned char c = (unsigned char)t[i];
            normal = c >= 0x20 && c < 0x7F && c != '&' && !(c >= 'A' && c <= 'Z') && !(c == ' ' && t[i + 1] == ' ');
        }
        if (normal) {
            checked++;
            CHECK(sclip_tokenizer_encode(tok, t, tl, a, MAX_IDS, &na) == SCLIP_OK, "encode");
            CHECK(sclip_tokenizer_decode(tok, a, na, dec, sizeof dec, &nd) == SCLIP_OK, "decode");
            for (i = 0; i < tl; i++)
                if (t[i] != ' ') squeezed_in[k1++] = t[i];
            for (i = 0; i < nd; i++)
                if (dec[i] != ' ') squeezed_out[k2++] = dec[i];
            CHECK(k1 == k2 && memcmp(squeezed_in, squeezed_out, k1) == 0, "round trip of '%s' gave '%s'", t, dec);
            CHECK(nd > 0 && dec[nd - 1] == ' ', "decode ends with the space of </w>");
            CHECK(sclip_tokenizer_encode(tok, dec, nd, b, MAX_IDS, &nb) == SCLIP_OK && nb == na && same_ids(a, b, na),
                  "encode(decode(encode('%s'))) differs", t);
        }
        free(t);
    }
    printf("round trips: %lu ASCII texts\n", (unsigned long)checked);
    CHECK(checked > 3000, "only %lu texts checked", (unsigned long)checked);
    free(text);
}

static void test_api(const sclip_tokenizer *tok, const char *merges, size_t mlen) {
    int32_t ids[8], bad_lo = -1, bad_hi = SCLIP_VOCAB_SIZE, cat[3] = {320, 2368, SCLIP_TOKEN_EOT};
    size_t n = 99, ol = 99;
    char out[64], *m;
    sclip_tokenizer *t2 = (sclip_tokenizer *)&n;
    int r;
    /* encode */
    CHECK(sclip_tokenizer_encode(tok, "", 0, NULL, 0, &n) == SCLIP_OK && n == 0, "empty text");
    CHECK(sclip_tokenizer_encode(tok, NULL, 0, NULL, 0, &n) == SCLIP_OK && n == 0, "NULL empty text");
    CHECK(sclip_tokenizer_encode(tok, "a cat", 5, NULL, 0, &n) == SCLIP_ERROR_TEXT_TOO_LONG && n == 2, "count query");
    CHECK(sclip_tokenizer_encode(tok, "a cat", 5, ids, 1, &n) == SCLIP_ERROR_TEXT_TOO_LONG && n == 2 && ids[0] == 320,
          "partial ids");
    CHECK(sclip_tokenizer_encode(NULL, "a", 1, ids, 8, &n) == SCLIP_ERROR_INVALID_ARGUMENT, "NULL tokenizer");
    CHECK(sclip_tokenizer_encode(tok, NULL, 1, ids, 8, &n) == SCLIP_ERROR_INVALID_ARGUMENT, "NULL text");
    CHECK(sclip_tokenizer_encode(tok, "a", 1, NULL, 8, &n) == SCLIP_ERROR_INVALID_ARGUMENT, "NULL ids");
    CHECK(sclip_tokenizer_encode(tok, "a\0b", 3, ids, 8, &n) == SCLIP_OK && n == 3, "NUL inside the text: %lu",
          (unsigned long)n);
    /* decode */
    CHECK(sclip_tokenizer_decode(tok, cat, 3, out, sizeof out, &ol) == SCLIP_OK && ol == 19 &&
              strcmp(out, "a cat <|endoftext|>") == 0, "decode: '%s'", out);
    r = sclip_tokenizer_decode(tok, cat, 3, out, 5, &ol);
    CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG && ol == 19 && strcmp(out, "a ca") == 0, "decode cut: '%s'", out);
    CHECK(sclip_tokenizer_decode(tok, cat, 3, NULL, 0, &ol) == SCLIP_ERROR_TEXT_TOO_LONG && ol == 19, "length query");
    CHECK(sclip_tokenizer_decode(tok, &bad_lo, 1, out, sizeof out, &ol) == SCLIP_ERROR_INVALID_ARGUMENT, "id -1");
    CHECK(sclip_tokenizer_decode(tok, &bad_hi, 1, out, sizeof out, &ol) == SCLIP_ERROR_INVALID_ARGUMENT, "id 49408");
    CHECK(sclip_tokenizer_decode(tok, NULL, 0, out, sizeof out, &ol) == SCLIP_OK && ol == 0 && out[0] == 0, "no ids");
    /* a cut never splits a character: "é</w>" is 2 bytes + space */
    {
        int32_t e[1];
        size_t k;
        CHECK(sclip_tokenizer_encode(tok, "\xc3\xa9", 2, e, 1, &k) == SCLIP_OK && k == 1, "one id for e-acute");
        r = sclip_tokenizer_decode(tok, e, 1, out, 2, &ol);
        CHECK(r == SCLIP_ERROR_TEXT_TOO_LONG && out[0] == 0 && ol == 3, "cut on a character boundary");
    }
    /* merge lists */
    CHECK(sclip_tokenizer_create(NULL, 10, &t2) == SCLIP_ERROR_INVALID_ARGUMENT && t2 == NULL, "NULL merges");
    CHECK(sclip_tokenizer_create(merges, mlen, NULL) == SCLIP_ERROR_INVALID_ARGUMENT, "NULL out");
    CHECK(sclip_tokenizer_create("", 0, &t2) == SCLIP_ERROR_BAD_VOCAB, "empty merges");
    {   /* the header and exactly 48894 merges (no final newline) are enough, one fewer is not */
        size_t end = 0;
        int lines = 0;
        while (end < mlen && lines < SCLIP_N_MERGES + 1)
            if (merges[end++] == '\n') lines++;
        CHECK(lines == SCLIP_N_MERGES + 1, "the merge list is short");
        CHECK(sclip_tokenizer_create(merges, end - 1, &t2) == SCLIP_OK, "48894 merges");
        sclip_tokenizer_free(t2);
        while (end > 1 && merges[end - 2] != '\n') end--;
        CHECK(sclip_tokenizer_create(merges, end - 1, &t2) == SCLIP_ERROR_BAD_VOCAB && t2 == NULL, "48893 merges");
    }
    m = (char *)malloc(mlen);
    memcpy(m, merges, mlen);
    {
        char *second = strchr(m, '\n') + 1, *third = strchr(second, '\n');
        sclip_tokenizer *t3;
        *third = ' '; /* line 1 now has three symbols */
        CHECK(sclip_tokenizer_create(m, mlen, &t3) == SCLIP_ERROR_BAD_VOCAB, "three symbols on a line");
        memcpy(m, merges, mlen);
        second[0] = ' '; /* "i n" -> " n": one symbol */
        CHECK(sclip_tokenizer_create(m, mlen, &t3) == SCLIP_ERROR_BAD_VOCAB, "one symbol on a line");
        memcpy(m, merges, mlen);
        second[0] = '\x01'; /* a byte outside GPT-2's alphabet */
        CHECK(sclip_tokenizer_create(m, mlen, &t3) == SCLIP_ERROR_BAD_VOCAB, "a control character");
        memcpy(m, merges, mlen);
        second[0] = '\xff'; /* not UTF-8 */
        CHECK(sclip_tokenizer_create(m, mlen, &t3) == SCLIP_ERROR_BAD_VOCAB, "invalid UTF-8");
        memcpy(m, merges, mlen);
        {   /* CRLF line ends are fine (str.split drops the \r) and give the same ids */
            size_t i, k = 0, n1 = 0, n2 = 0;
            char *crlf = (char *)malloc(2 * mlen);
            int32_t x[64], y[64];
            const char *s = "a photo of the television monitor, it's 2024!";
            for (i = 0; i < mlen; i++) {
                if (merges[i] == '\n') crlf[k++] = '\r';
                crlf[k++] = merges[i];
            }
            CHECK(sclip_tokenizer_create(crlf, k, &t3) == SCLIP_OK, "CRLF merge list");
            if (t3) {
                sclip_tokenizer_encode(tok, s, strlen(s), x, 64, &n1);
                sclip_tokenizer_encode(t3, s, strlen(s), y, 64, &n2);
                CHECK(n1 == n2 && same_ids(x, y, n1), "CRLF merge list gives other ids");
                sclip_tokenizer_free(t3);
            }
            free(crlf);
        }
    }
    free(m);
    sclip_tokenizer_free(NULL);
    CHECK(strcmp(sclip_result_string(SCLIP_ERROR_BAD_VOCAB), "malformed BPE merge list") == 0, "result string");
    CHECK(strcmp(sclip_result_string((sclip_result)-99), "unknown result code") == 0, "unknown result string");
    /* alone, the tokenizer names its own codes (0, -1, -2, -4, -5); sclip.h's are its to name */
    for (r = 0; r >= -21; r--) {
        int ours = r >= -5 && r != -3, named = strcmp(sclip_result_string((sclip_result)r), "unknown result code") != 0;
        CHECK(named == ours, "result %d: %s", r, sclip_result_string((sclip_result)r));
    }
}

/* One tokenizer shared by 4 threads: each encodes the same texts and checks the ids. */
typedef struct thread_job {
    const sclip_tokenizer *tok;
    int mismatches;
} thread_job;

static const char *const thread_texts[] = {
    "a photo of a cat.", "&amp;lt;tag&gt; it's \xc4\xb0stanbul \xce\x9f\xce\x94\xce\x9f\xce\xa3", "\xe6\x9d\xb1\xe4\xba\xac",
    "unbelievableness antidisestablishmentarianism", "<|startoftext|>x<|endoftext|>"};
static int32_t thread_want[5][64];
static size_t thread_n[5];

static void *thread_main(void *arg) {
    thread_job *job = (thread_job *)arg;
    int it, k;
    for (it = 0; it < 2000; it++)
        for (k = 0; k < 5; k++) {
            int32_t ids[64];
            size_t n = 0;
            sclip_tokenizer_encode(job->tok, thread_texts[k], strlen(thread_texts[k]), ids, 64, &n);
            if (n != thread_n[k] || !same_ids(ids, thread_want[k], n)) job->mismatches++;
        }
    return NULL;
}

static void test_threads(const sclip_tokenizer *tok) {
    pthread_t th[4];
    thread_job jobs[4];
    int k, started = 0;
    for (k = 0; k < 5; k++)
        sclip_tokenizer_encode(tok, thread_texts[k], strlen(thread_texts[k]), thread_want[k], 64, &thread_n[k]);
    for (k = 0; k < 4; k++) {
        jobs[k].tok = tok;
        jobs[k].mismatches = 0;
        if (pthread_create(&th[k], NULL, thread_main, &jobs[k]) == 0) started++;
    }
    for (k = 0; k < started; k++) {
        pthread_join(th[k], NULL);
        CHECK(jobs[k].mismatches == 0, "thread %d: %d mismatches", k, jobs[k].mismatches);
    }
    CHECK(started == 4, "started %d threads", started);
    printf("threads: %d x 10000 encodes on one tokenizer\n", started);
}

/* 80 templates x 150 class names through clip.tokenize. */
static void test_speed(const sclip_tokenizer *tok) {
    size_t tl, nl, n_t = 0, n_n = 0, i, j, prompts = 0, tokens = 0;
    char *tmpl = test_read_file(test_shared("templates/openai_imagenet_templates.txt"), &tl);
    char *names = test_read_file(test_shared("classnames/ade20k.txt"), &nl), *cur, *line;
    char *t[100], *nm[200];
    clock_t c0;
    double secs;
    cur = tmpl;
    while (n_t < 100 && (line = next_line(&cur)) != NULL)
        if (*line) t[n_t++] = line;
    cur = names;
    while (n_n < 200 && (line = next_line(&cur)) != NULL) {
        char *comma = strstr(line, ", ");
        if (comma) *comma = 0; /* the first name of each class */
        if (*line) nm[n_n++] = line;
    }
    CHECK(n_t == 80 && n_n == 150, "%lu templates, %lu names", (unsigned long)n_t, (unsigned long)n_n);
    c0 = clock();
    for (i = 0; i < n_n; i++)
        for (j = 0; j < n_t; j++) {
            char prompt[512], *brace = strstr(t[j], "{}");
            int32_t row[77], used = 0;
            if (!brace) continue;
            snprintf(prompt, sizeof prompt, "%.*s%s%s", (int)(brace - t[j]), t[j], nm[i], brace + 2);
            CHECK(sclip_tokenizer_encode_context(tok, prompt, strlen(prompt), 77, 0, row, &used) == SCLIP_OK, "%s", prompt);
            prompts++;
            tokens += (size_t)used - 2;
        }
    secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("speed: %lu prompts (%lu tokens) in %.1f ms: %.0f prompts/s, %.2f M tokens/s\n", (unsigned long)prompts,
           (unsigned long)tokens, secs * 1e3, prompts / (secs > 0 ? secs : 1e-9), tokens / (secs > 0 ? secs : 1e-9) / 1e6);
    CHECK(secs < 2.0, "tokenizing %lu prompts took %.2f s", (unsigned long)prompts, secs);
    free(tmpl);
    free(names);
}

int main(int argc, char **argv) {
    size_t mlen = 0;
    char *merges = load_merges(argc, argv, &mlen);
    sclip_tokenizer *tok = NULL;
    clock_t c0 = clock();
    sclip_result r = sclip_tokenizer_create(merges, mlen, &tok);
    if (r != SCLIP_OK) {
        fprintf(stderr, "FAIL sclip_tokenizer_create: %s\n", sclip_result_string(r));
        return 1;
    }
    printf("create: %.1f ms\n", (double)(clock() - c0) * 1e3 / CLOCKS_PER_SEC);
    test_fixture(tok);
    test_context_fixture(tok);
    test_extra(tok);
    test_truncation(tok);
    test_round_trip(tok);
    test_api(tok, merges, mlen);
    test_threads(tok);
    test_speed(tok);
    sclip_tokenizer_free(tok);
    free(merges);
    return test_done("test_tokenizer");
}
