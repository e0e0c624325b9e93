/* sclip_cli.h - what the sclip command-line programs share: option parsing (a table of options,
   "--opt value" and "--opt=value"), numbers with their ranges, files, the segmentation settings
   (preset, then explicit options) and the vocabulary (class text or a cache, templates).
   Static functions only; include after sclip.h (with its implementation) in one program.
   Part of sclip; public domain or MIT (see LICENSE). */
#ifndef SCLIP_CLI_H
#define SCLIP_CLI_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* mkdir, stat (POSIX) */
#include <unistd.h>   /* access */

/* Every helper is static; a program uses some of them. */
#if defined(__GNUC__) || defined(__clang__)
#define CLI__FN static __attribute__((unused))
#else
#define CLI__FN static
#endif

/* An option: its names, and where its value goes (value) or that it is a flag (flag). */
typedef struct cli_opt {
    const char *name, *alt; /* "--model", "-m" (alt may be NULL) */
    const char **value;     /* option with a value */
    int *flag;              /* option without one */
} cli_opt;

static const char *cli__prog = "sclip";

CLI__FN void cli_error(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", cli__prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* --version: the program, the library's build (compiler, SIMD paths) and the usable CPUs. */
CLI__FN void cli_version(void) {
    int n = sclip_cpus();
    printf("%s: %s; %d CPU%s usable\n", cli__prog, sclip_build_info(), n, n == 1 ? "" : "s");
}

/* An argument that is an option name rather than a value ("-o", "--json"; "-1" is a number). */
CLI__FN int cli__looks_like_option(const char *a) {
    return a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') && a[1] != '.';
}

/* Parses argv with the table: values into their slots, flags set to 1, the other arguments into
   pos (at most max_pos). Returns 0, 1 (--help printed) or 2 (error printed). */
CLI__FN int cli_parse(int argc, char **argv, const cli_opt *opts, int n_opts, const char *usage, const char **pos,
                     int max_pos, int *n_pos) {
    int i, k;
    *n_pos = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = NULL, *val;
        size_t len = strlen(a);
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 1;
        }
        if (!strcmp(a, "--version")) {
            cli_version();
            return 1;
        }
        if (a[0] == '-' && a[1] == '-' && (eq = strchr(a, '=')) != NULL) len = (size_t)(eq - a);
        for (k = 0; k < n_opts; k++)
            if ((strlen(opts[k].name) == len && !strncmp(a, opts[k].name, len)) ||
                (opts[k].alt && strlen(opts[k].alt) == len && !strncmp(a, opts[k].alt, len)))
                break;
        if (k == n_opts) {
            if (a[0] == '-' && a[1]) {
                cli_error("unknown option '%s' (see --help)", a);
                return 2;
            }
            if (*n_pos >= max_pos) {
                cli_error("unexpected argument '%s' (see --help)", a);
                return 2;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (opts[k].flag) {
            if (eq) {
                cli_error("%s takes no value", opts[k].name);
                return 2;
            }
            *opts[k].flag = 1;
            continue;
        }
        if (eq) val = eq + 1;
        else if (i + 1 < argc && !cli__looks_like_option(argv[i + 1])) val = argv[++i];
        else {
            cli_error("%s needs a value%s%s%s", opts[k].name, i + 1 < argc ? " (got the option '" : "",
                      i + 1 < argc ? argv[i + 1] : "", i + 1 < argc ? "')" : "");
            return 2;
        }
        *opts[k].value = val;
    }
    return 0;
}

CLI__FN int cli_parse_int(const char *s, const char *name, int lo, int hi, int *out) {
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        cli_error("%s must be an integer in [%d, %d], not '%s'", name, lo, hi, s);
        return 0;
    }
    *out = (int)v;
    return 1;
}

CLI__FN int cli_parse_float(const char *s, const char *name, double lo, double hi, float *out) {
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s || !(v >= lo && v <= hi)) {
        cli_error("%s must be a number in [%g, %g], not '%s'", name, lo, hi, s);
        return 0;
    }
    *out = (float)v;
    return 1;
}

/* Reads a whole file (NUL-terminated; "-" is the standard input); NULL with a message naming
   it and the reason. */
CLI__FN char *cli_read_file(const char *path, size_t *len) {
    int std_in = !strcmp(path, "-");
    FILE *f = std_in ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (std_in) path = "the standard input";
    if (!f) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (n + 1 >= cap) {
            char *p = cap > ((size_t)1 << 30) ? NULL : (char *)realloc(buf, cap = cap ? 2 * cap : 4096);
            if (!p) {
                cli_error("%s: too large to read", path);
                free(buf);
                if (!std_in) fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (!got) break;
    }
    if (ferror(f)) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        free(buf);
        if (!std_in) fclose(f);
        return NULL;
    }
    if (!std_in) fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* mkdir -p: dir and its missing parents; 1 when dir is (now) a directory, else 0 with a message. */
CLI__FN int cli_make_dir(const char *dir) {
    size_t n = strlen(dir), i;
    char *p = (char *)malloc(n + 1);
    struct stat st;
    if (!p) {
        cli_error("%s", "out of memory");
        return 0;
    }
    memcpy(p, dir, n + 1);
    for (i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == 0) { /* each prefix ending at a '/', then the whole path */
            char c = p[i];
            p[i] = 0;
            if (stat(p, &st) != 0 && mkdir(p, 0777) != 0 && errno != EEXIST) {
                cli_error("cannot create the directory %s: %s", p, strerror(errno));
                free(p);
                return 0;
            }
            p[i] = c;
        }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("%s is not a directory", dir);
        return 0;
    }
    return 1;
}

/* A file about to be written: its directory exists and is writable, and the path is not a
   directory. 0 with a message naming the file and the reason. */
CLI__FN int cli_check_output(const char *path) {
    const char *slash = strrchr(path, '/'), *why = NULL;
    size_t n = slash ? (size_t)(slash - path) + (slash == path) : 1; /* "/x": the root */
    char *dir = (char *)malloc(n + 1);
    struct stat st;
    if (!dir) {
        cli_error("%s", "out of memory");
        return 0;
    }
    memcpy(dir, slash ? path : ".", n);
    dir[n] = 0;
    if (stat(dir, &st) != 0) why = errno == ENOENT ? "does not exist" : strerror(errno);
    else if (!S_ISDIR(st.st_mode)) why = "is a file";
    else if (access(dir, W_OK) != 0) why = strerror(errno);
    if (why) cli_error("cannot write %s: its directory %s: %s", path, dir, why);
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) cli_error("cannot write %s: it is a directory", path), why = "";
    free(dir);
    return !why;
}

/* Template file: one template per line (blank lines skipped). NULL on error or when empty. */
CLI__FN char **cli_read_templates(const char *path, int *n) {
    size_t len, i;
    char *text = cli_read_file(path, &len), **t;
    int k = 0;
    if (!text) return NULL;
    t = (char **)calloc(len / 2 + 2, sizeof(char *));
    for (i = 0; t && i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        if (e > i && (t[k] = (char *)malloc(e - i + 1)) != NULL) {
            memcpy(t[k], text + i, e - i);
            t[k++][e - i] = 0;
        }
        i = e + 1;
    }
    free(text);
    if (t && !k) {
        cli_error("%s holds no template", path);
        free(t);
        return NULL;
    }
    *n = k;
    return t;
}

CLI__FN void cli_free_templates(char **t, int n) {
    int i;
    for (i = 0; t && i < n; i++) free(t[i]);
    free(t);
}

/* --precision: one of sclip_precision_name's names; 0 with a message otherwise. */
CLI__FN int cli_parse_precision(const char *s, sclip_precision *out) {
    int p;
    for (p = 0; p < 4; p++)
        if (!strcmp(s, sclip_precision_name((sclip_precision)p))) {
            *out = (sclip_precision)p;
            return 1;
        }
    cli_error("--precision must be f32, q16, q8 or bf16, not '%s'", s);
    return 0;
}

/* The segmentation options every program that segments takes (NULL = not given). --method-opt
   may be repeated: cli_take_repeated collects its values before cli_parse. */
#define CLI_MAX_METHOD_OPTS 32
typedef struct cli_seg_opts {
    const char *preset, *short_side, *crop, *stride, *logit_scale, *prob_thd, *area_thd, *attn, *pamr, *precision;
    const char *method, *mopt[CLI_MAX_METHOD_OPTS];
    int n_mopt;
} cli_seg_opts;

/* Removes every "NAME VALUE" and "NAME=VALUE" from argv (compacting it), the values into vals
   (at most max); returns the new argc, or -1 with a message (a missing value, too many). */
CLI__FN int cli_take_repeated(int argc, char **argv, const char *name, const char **vals, int max, int *n) {
    int i, k = 1;
    size_t len = strlen(name);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, name)) {
            if (i + 1 >= argc) {
                cli_error("%s needs a value (KEY=VALUE)", name);
                return -1;
            }
            v = argv[++i];
        } else if (!strncmp(a, name, len) && a[len] == '=')
            v = a + len + 1;
        if (!v) {
            argv[k++] = argv[i];
            continue;
        }
        if (*n >= max) {
            cli_error("%s given more than %d times", name, max);
            return -1;
        }
        vals[(*n)++] = v;
    }
    return k;
}

#define CLI_SEG_OPTIONS(o)                                                                                            \
    {"--preset", NULL, &(o).preset, NULL}, {"--short-side", NULL, &(o).short_side, NULL},                            \
    {"--crop", NULL, &(o).crop, NULL}, {"--stride", NULL, &(o).stride, NULL},                                        \
    {"--logit-scale", NULL, &(o).logit_scale, NULL}, {"--prob-thd", NULL, &(o).prob_thd, NULL},                      \
    {"--area-thd", NULL, &(o).area_thd, NULL}, {"--attn", NULL, &(o).attn, NULL}, {"--pamr", NULL, &(o).pamr, NULL}, \
    {"--precision", NULL, &(o).precision, NULL}, {"--method", NULL, &(o).method, NULL}

/* Whether any segmentation option but the preset was given (name of the first, or NULL). */
CLI__FN const char *cli_seg_given(const cli_seg_opts *o) {
    return o->short_side ? "--short-side" : o->crop ? "--crop" : o->stride ? "--stride" : o->logit_scale ? "--logit-scale"
         : o->prob_thd ? "--prob-thd" : o->area_thd ? "--area-thd" : o->attn ? "--attn" : o->pamr ? "--pamr"
         : o->precision ? "--precision" : o->method ? "--method" : o->n_mopt ? "--method-opt" : NULL;
}

/* Preset first (o->preset, else default_preset when not NULL), then every explicit setting. */
CLI__FN int cli_seg_settings(const cli_seg_opts *o, const char *default_preset, sclip_seg_desc *d, sclip_precision *prec) {
    const char *preset = o->preset ? o->preset : default_preset;
    int v, method = o->method ? sclip_method_parse(o->method) : SCLIP_METHOD_SCLIP, k;
    memset(d, 0, sizeof *d);
    if (method < 0) {
        cli_error("--method must be sclip, scclip or resclip, not '%s'", o->method);
        return 0;
    }
    if (preset && sclip_seg_preset(preset, d, NULL) != SCLIP_OK) {
        const char *const *n = sclip_seg_preset_names();
        fprintf(stderr, "%s: unknown preset '%s'; presets:", cli__prog, preset);
        while (*n) fprintf(stderr, " %s", *n++);
        fprintf(stderr, "\n");
        return 0;
    }
    if (preset && sclip_seg_preset_method(preset, (sclip_method)method, d, NULL) != SCLIP_OK) {
        cli_error("--method %s has no config for the preset '%s' in its official code", o->method, preset);
        return 0;
    }
    d->method.kind = (sclip_method)method;
    if (o->n_mopt && method == SCLIP_METHOD_SCLIP) {
        cli_error("--method-opt %s: the options are for --method scclip or resclip", o->mopt[0]);
        return 0;
    }
    if (o->attn && method != SCLIP_METHOD_SCLIP) {
        cli_error("--attn chooses SCLIP's last block: it does not apply to --method %s", o->method);
        return 0;
    }
    for (k = 0; k < o->n_mopt; k++) {
        char err[256];
        if (sclip_method_opt_parse(o->mopt[k], &d->method, err, sizeof err) != SCLIP_OK) {
            cli_error("--method-opt %s: %s", o->mopt[k], err);
            return 0;
        }
    }
    if (o->short_side) {
        if (!cli_parse_int(o->short_side, "--short-side", 0, SCLIP_MAX_IMAGE_SIDE, &v)) return 0;
        d->short_side = v ? v : SCLIP_SEG_KEEP;
    }
    if (o->crop) {
        if (!cli_parse_int(o->crop, "--crop", 0, SCLIP_MAX_IMAGE_SIDE, &v)) return 0;
        d->crop = v ? v : SCLIP_SEG_WHOLE;
    }
    if (o->stride && !cli_parse_int(o->stride, "--stride", 1, SCLIP_MAX_IMAGE_SIDE, &d->stride)) return 0;
    if (o->pamr && !cli_parse_int(o->pamr, "--pamr", 0, 1000, &d->pamr_steps)) return 0;
    if (o->logit_scale && !cli_parse_float(o->logit_scale, "--logit-scale", 1e-3, 1e4, &d->logit_scale)) return 0;
    if (o->prob_thd && !cli_parse_float(o->prob_thd, "--prob-thd", 0, 1, &d->prob_thd)) return 0;
    if (o->area_thd && !cli_parse_float(o->area_thd, "--area-thd", 0, 1, &d->area_thd)) return 0;
    if (o->attn) {
        char err[256];
        if (sclip_attn_desc_parse(o->attn, &d->attn, err, sizeof err) != SCLIP_OK) {
            cli_error("--attn: %s", err);
            return 0;
        }
    }
    *prec = SCLIP_PRECISION_F32;
    return !o->precision || cli_parse_precision(o->precision, prec);
}

/* The last block's parameter that depends on the model (early:B, B below its layers), checked
   right after it loads, before any encoding. */
CLI__FN int cli_check_attn(const sclip_attn_desc *a, const sclip_model *m) {
    int layers = sclip_model_arch(m)->vision_layers;
    if (a->kind == SCLIP_ATTN_EARLY && (a->n < 1 || a->n >= layers)) {
        cli_error("--attn early:%d: B must be in 1..%d for this model (%d layers)", a->n, layers - 1, layers);
        return 0;
    }
    return 1;
}


/* A vocabulary: from a cache file (vocab_path), or class text encoded with the templates of
   templates_path (NULL: CLIP's 80); saved to save_path when not NULL. NULL with a message. */
CLI__FN sclip_vocab *cli_make_vocab(sclip_context *ctx, const sclip_model *model, const char *vocab_path,
                                   const char *classes, size_t len, const char *templates_path, const char *save_path) {
    sclip_vocab *v = NULL;
    char err[512], **templates = NULL;
    int n_templates = 0;
    if (vocab_path) {
        if (sclip_vocab_load(vocab_path, model, &v, err, sizeof err) != SCLIP_OK) cli_error("%s", err);
        return v;
    }
    if (templates_path && !(templates = cli_read_templates(templates_path, &n_templates))) return NULL;
    if (sclip_vocab_create(ctx, classes, len, (const char *const *)templates, n_templates, &v) != SCLIP_OK)
        cli_error("%s", sclip_context_error(ctx));
    cli_free_templates(templates, n_templates);
    if (v && save_path && (errno = 0, sclip_vocab_save(v, save_path)) != SCLIP_OK) {
        cli_error("cannot write %s: %s", save_path, errno ? strerror(errno) : "write failed");
        sclip_vocab_free(v);
        v = NULL;
    }
    return v;
}

#endif
