/* test_json.h - a small JSON reader for the tests (objects, arrays, strings with escapes,
   numbers kept as text and as double, true/false/null). Not for untrusted input sizes beyond
   what the tests read; every error returns NULL. */
#ifndef SCLIP_TEST_JSON_H
#define SCLIP_TEST_JSON_H

#include <stdlib.h>
#include <string.h>

typedef enum { TJ_NULL, TJ_BOOL, TJ_NUM, TJ_STR, TJ_ARR, TJ_OBJ } tj_type;

typedef struct tj_value {
    tj_type type;
    double num;              /* TJ_NUM (and TJ_BOOL: 0/1) */
    char *str;               /* TJ_STR: the unescaped string; TJ_NUM: the number's text */
    int n;                   /* TJ_ARR / TJ_OBJ: items */
    struct tj_value *items;
    char **keys;             /* TJ_OBJ */
} tj_value;

static inline void tj_free_in(tj_value *v) {
    int i;
    for (i = 0; i < v->n; i++) {
        tj_free_in(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

static inline void tj_free(tj_value *v) {
    if (v) tj_free_in(v), free(v);
}

static inline const char *tj_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static inline void tj_utf8(char **o, unsigned c) {
    unsigned char *u = (unsigned char *)*o;
    if (c < 0x80) *u++ = (unsigned char)c;
    else if (c < 0x800) *u++ = (unsigned char)(0xc0 | c >> 6), *u++ = (unsigned char)(0x80 | (c & 63));
    else if (c < 0x10000)
        *u++ = (unsigned char)(0xe0 | c >> 12), *u++ = (unsigned char)(0x80 | ((c >> 6) & 63)), *u++ = (unsigned char)(0x80 | (c & 63));
    else
        *u++ = (unsigned char)(0xf0 | c >> 18), *u++ = (unsigned char)(0x80 | ((c >> 12) & 63)),
        *u++ = (unsigned char)(0x80 | ((c >> 6) & 63)), *u++ = (unsigned char)(0x80 | (c & 63));
    *o = (char *)u;
}

static inline unsigned tj_hex4(const char *q) {
    char h[5];
    memcpy(h, q, 4);
    h[4] = 0;
    return (unsigned)strtoul(h, NULL, 16);
}

/* The JSON string starting at p (its opening quote), unescaped to UTF-8 in a new buffer
   (*out, *len; a \u0000 stays in it). Returns the position after the closing quote, or NULL. */
static inline const char *tj_string_n(const char *p, char **out, size_t *len) {
    const char *q = p + 1;
    char *o, *s = (char *)malloc(strlen(p) + 1);
    if (!s) return NULL;
    o = s;
    while (*q && *q != '"') {
        if (*q != '\\') {
            *o++ = *q++;
            continue;
        }
        q++;
        switch (*q) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned c;
            if (strlen(q) < 5) { free(s); return NULL; }
            c = tj_hex4(q + 1);
            q += 4;
            if (c >= 0xd800 && c < 0xdc00 && q[1] == '\\' && q[2] == 'u' && strlen(q) >= 7) {
                unsigned lo = tj_hex4(q + 3);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                    q += 6;
                }
            }
            tj_utf8(&o, c);
            break;
        }
        case 0: free(s); return NULL;
        default: *o++ = *q; /* \" \\ \/ */
        }
        q++;
    }
    if (*q != '"') {
        free(s);
        return NULL;
    }
    *o = 0;
    *out = s;
    *len = (size_t)(o - s);
    return q + 1;
}

static inline const char *tj_string(const char *p, char **out) {
    size_t n;
    return tj_string_n(p, out, &n);
}

static inline const char *tj_value_at(const char *p, tj_value *v) {
    memset(v, 0, sizeof *v);
    p = tj_ws(p);
    if (*p == '{' || *p == '[') {
        int obj = *p == '{', cap = 0;
        v->type = obj ? TJ_OBJ : TJ_ARR;
        p = tj_ws(p + 1);
        if (*p == (obj ? '}' : ']')) return p + 1;
        for (;;) {
            char *key = NULL;
            if (v->n == cap) {
                cap = cap ? 2 * cap : 8;
                v->items = (tj_value *)realloc(v->items, (size_t)cap * sizeof *v->items);
                if (obj) v->keys = (char **)realloc(v->keys, (size_t)cap * sizeof *v->keys);
            }
            if (obj) {
                p = tj_ws(p);
                if (*p != '"' || !(p = tj_string(p, &key))) return NULL;
                p = tj_ws(p);
                if (*p++ != ':') return free(key), (const char *)NULL;
                v->keys[v->n] = key;
            }
            if (!(p = tj_value_at(p, &v->items[v->n]))) return NULL;
            v->n++;
            p = tj_ws(p);
            if (*p == ',') { p++; continue; }
            if (*p == (obj ? '}' : ']')) return p + 1;
            return NULL;
        }
    }
    if (*p == '"') {
        v->type = TJ_STR;
        return tj_string(p, &v->str);
    }
    if (!strncmp(p, "null", 4)) return v->type = TJ_NULL, p + 4;
    if (!strncmp(p, "true", 4)) return v->type = TJ_BOOL, v->num = 1, p + 4;
    if (!strncmp(p, "false", 5)) return v->type = TJ_BOOL, p + 5;
    {
        char *end;
        v->num = strtod(p, &end);
        if (end == p) return NULL;
        v->type = TJ_NUM;
        v->str = (char *)malloc((size_t)(end - p) + 1);
        memcpy(v->str, p, (size_t)(end - p));
        v->str[end - p] = 0;
        return end;
    }
}

/* Parses a whole document; NULL on a syntax error. */
static inline tj_value *tj_parse(const char *text) {
    tj_value *v = (tj_value *)calloc(1, sizeof *v);
    const char *p = v ? tj_value_at(text, v) : NULL;
    if (!p || *tj_ws(p)) {
        tj_free(v);
        return NULL;
    }
    return v;
}

/* Member of an object (NULL if absent or not an object). */
static inline tj_value *tj_get(const tj_value *o, const char *key) {
    int i;
    if (!o || o->type != TJ_OBJ) return NULL;
    for (i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key)) return &o->items[i];
    return NULL;
}

/* Element of an array (NULL out of range). */
static inline tj_value *tj_at(const tj_value *a, int i) {
    if (!a || a->type != TJ_ARR || i < 0 || i >= a->n) return NULL;
    return &a->items[i];
}

#endif
