/* sclip-tokenize - CLIP's BPE tokenizer on the command line.

   Reads UTF-8 text on stdin, one text per line (lines end at '\n' only: a '\r' before it is
   part of the text), and prints one line of ids per text line:
       default      the BPE ids, separated by single spaces (SimpleTokenizer.encode; an empty
                    text gives an empty line)
       --context    the 77 ids of clip.tokenize (start, ids, end, zeros); a text that does
                    not fit is an error unless --truncate is given
   The merge list comes from --vocab FILE (bpe_simple_vocab_16e6.txt, decompressed) or from
   a .sclip weight file (-m MODEL.sclip), which embeds it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCLIP_TOKENIZER_IMPLEMENTATION
#include "sclip_tokenizer.h"
#include "sclip.h" /* SCLIP_BUILD_INFO */

static void usage(FILE *f) {
    fprintf(f,
            "usage: sclip-tokenize (--vocab FILE | -m MODEL.sclip) [--context [--truncate]] < text\n"
            "  --vocab FILE    CLIP's merge list as text (bpe_simple_vocab_16e6.txt, decompressed)\n"
            "  -m MODEL.sclip  take the merge list embedded in a .sclip weight file\n"
            "  --context       print the 77 ids of clip.tokenize per line instead of the BPE ids\n"
            "  --truncate      with --context: cut texts that do not fit (as tokenize(truncate=True))\n"
            "  -h, --help      this text\n"
            "Each input line (split on '\\n' only) gives one output line of ids separated by spaces.\n");
}

/* The whole file, or NULL with a message. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int oom = 0;
    if (!f) {
        fprintf(stderr, "sclip-tokenize: cannot open %s\n", path);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            char *nb = cap > ((size_t)-1) / 4 ? NULL : (char *)realloc(buf, cap = cap ? 2 * cap : 1 << 20);
            if (!nb) {
                oom = 1;
                break;
            }
            buf = nb;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break; /* end of file or an error */
    }
    if (oom || ferror(f)) {
        fprintf(stderr, "sclip-tokenize: %s %s\n", oom ? "out of memory reading" : "cannot read", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* The merge list of a .sclip file (weights/README.md: header fields at offsets 40 and 48). */
static char *read_sclip_merges(const char *path, size_t *len) {
    size_t n;
    char *file = read_file(path, &n), *out;
    uint64_t off, size;
    if (!file) return NULL;
    if (n < 256 || memcmp(file, "SCLIPWT\0", 8) != 0) {
        fprintf(stderr, "sclip-tokenize: %s is not a .sclip weight file\n", path);
        free(file);
        return NULL;
    }
    off = le64((const unsigned char *)file + 40);
    size = le64((const unsigned char *)file + 48);
    if (off == 0 || off < 256 || off > n || size > n - off) {
        fprintf(stderr, "sclip-tokenize: %s: %s\n", path,
                off == 0 ? "the file has no merge list" : "the merge list lies outside the file");
        free(file);
        return NULL;
    }
    out = (char *)malloc((size_t)size + 1);
    if (out) memcpy(out, file + off, (size_t)size);
    free(file);
    *len = (size_t)size;
    return out;
}

/* Reads one line of any length into *buf (without the '\n'); returns 0 at end of input. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len) {
    size_t n = 0;
    int c = EOF;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (n + 1 >= *cap) {
            size_t nc = *cap ? 2 * *cap : 4096;
            char *nb = (char *)realloc(*buf, nc);
            if (!nb) {
                fprintf(stderr, "sclip-tokenize: out of memory\n");
                exit(1);
            }
            *buf = nb;
            *cap = nc;
        }
        (*buf)[n++] = (char)c;
    }
    *len = n;
    return !(c == EOF && n == 0);
}

static void print_ids(const int32_t *ids, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) printf(i ? " %d" : "%d", (int)ids[i]);
    putchar('\n');
}

int main(int argc, char **argv) {
    const char *vocab = NULL, *model = NULL;
    int context = 0, truncate = 0, i, status = 0;
    size_t mlen = 0, cap = 0, len, ids_cap = 256, n, line_no = 0;
    char *merges, *line = NULL;
    int32_t *ids;
    sclip_tokenizer *tok;
    sclip_result r;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("sclip-tokenize: sclip_tokenizer.h of %s\n", SCLIP_BUILD_INFO);
            return 0;
        } else if (!strcmp(argv[i], "--vocab") && i + 1 < argc) {
            vocab = argv[++i];
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            model = argv[++i];
        } else if (!strcmp(argv[i], "--context")) {
            context = 1;
        } else if (!strcmp(argv[i], "--truncate")) {
            truncate = 1;
        } else {
            fprintf(stderr, "sclip-tokenize: %s: %s\n",
                    (!strcmp(argv[i], "--vocab") || !strcmp(argv[i], "-m")) ? "missing value after" : "unknown option",
                    argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!vocab == !model || (truncate && !context)) {
        fprintf(stderr, "sclip-tokenize: %s\n",
                truncate && !context ? "--truncate needs --context" : "give exactly one of --vocab and -m");
        usage(stderr);
        return 2;
    }
    merges = vocab ? read_file(vocab, &mlen) : read_sclip_merges(model, &mlen);
    if (!merges) return 1;
    r = sclip_tokenizer_create(merges, mlen, &tok);
    free(merges);
    if (r != SCLIP_OK) {
        fprintf(stderr, "sclip-tokenize: %s: %s\n", vocab ? vocab : model, sclip_result_string(r));
        return 1;
    }
    ids = (int32_t *)malloc(ids_cap * sizeof *ids);
    while (ids && read_line(stdin, &line, &cap, &len)) {
        line_no++;
        if (context) {
            int used;
            r = sclip_tokenizer_encode_context(tok, line, len, 77, truncate, ids, &used);
            if (r != SCLIP_OK) {
                sclip_tokenizer_encode(tok, line, len, NULL, 0, &n);
                fprintf(stderr, "sclip-tokenize: line %lu: %s (%lu tokens + start and end > 77; --truncate cuts it)\n",
                        (unsigned long)line_no, sclip_result_string(r), (unsigned long)n);
                status = 1;
                break;
            }
            print_ids(ids, 77);
            continue;
        }
        r = sclip_tokenizer_encode(tok, line, len, ids, ids_cap, &n);
        if (r == SCLIP_ERROR_TEXT_TOO_LONG) { /* grow to the exact count and run again */
            free(ids);
            ids_cap = n;
            ids = (int32_t *)malloc(ids_cap * sizeof *ids);
            if (!ids) break;
            r = sclip_tokenizer_encode(tok, line, len, ids, ids_cap, &n);
        }
        if (r != SCLIP_OK) {
            fprintf(stderr, "sclip-tokenize: line %lu: %s\n", (unsigned long)line_no, sclip_result_string(r));
            status = 1;
            break;
        }
        print_ids(ids, n);
    }
    if (!ids) {
        fprintf(stderr, "sclip-tokenize: out of memory\n");
        status = 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "sclip-tokenize: cannot write the output\n");
        status = 1;
    }
    free(ids);
    free(line);
    sclip_tokenizer_free(tok);
    return status;
}
