/* sclip-seg: open-vocabulary semantic segmentation of images.

     sclip-seg -m weights/ViT-B-16.sclip --classes "cat; sofa, couch; sky" photo.jpg -o labels.png \
               --overlay overlay.png
     sclip-seg -m weights/ViT-B-16.sclip --preset ade20k photos/ --out-dir out/ --save labels,overlay

   One image with outputs named by -o, --color, --overlay, --pred, --logits, --probs-dir; or
   any number of images, directories (searched recursively) and "-" (a list of paths on the
   standard input) with --out-dir, where every image gets <stem>.png, <stem>_overlay.png...
   The model and the vocabulary are loaded once. Classes come from a class file (-c, "-" for
   the standard input), the command line (--classes), a vocabulary cache (--vocab) or a
   preset's built-in list, all in sclip.h's class syntax. Every argument, class list and output
   path is checked before the model loads. See --help. */
#define _POSIX_C_SOURCE 200809L /* isatty, pwrite, ftruncate, clock_gettime, opendir */
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"
#include "sclip_cli.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *usage_text =
    "usage: sclip-seg -m MODEL.sclip (-c FILE | --classes LIST | --vocab FILE | --preset NAME) [options] IMAGE\n"
    "       sclip-seg -m MODEL.sclip CLASSES [options] --out-dir DIR IMAGE|DIRECTORY|- ...\n"
    "\n"
    "Segments images (PNG, JPEG, PPM/PGM; up to 16384 pixels a side and 2^28 pixels) into the\n"
    "given classes with CLIP + SCLIP, loading the model and the vocabulary once.\n"
    "\n"
    "  -m, --model FILE        the weights (.sclip, see weights/README.md)\n"
    "classes (sclip.h's syntax: classes separated by new lines or ';', synonyms by ','; spaces\n"
    "around separators ignored, a trailing ';' or blank line too):\n"
    "  -c, --class-file FILE   a class file (\"-\": the standard input), e.g. the official cls_*.txt\n"
    "  --classes LIST          classes on the command line: \"cat; sofa, couch; sky\"\n"
    "  --vocab FILE            a vocabulary cache written by --save-vocab (no text encoding)\n"
    "  --templates FILE        prompt templates, one per line with {} for the name (default: CLIP's 80)\n"
    "  --save-vocab FILE       write the encoded vocabulary for later --vocab runs\n"
    "  --features F.npy        query vectors instead of encoding text: float32, one row of embed_dim per\n"
    "                          name of the class list, in order (L2-normalised)\n"
    "settings (defaults: the official SCLIP configuration):\n"
    "  --preset NAME           voc21, voc20, context60, context59, coco-object, coco-stuff,\n"
    "                          coco-stuff10k, cityscapes, ade20k: the benchmark's settings (options\n"
    "                          below override them) and classes (unless -c, --classes or --vocab)\n"
    "  --short-side N          resize so the short side is N, long side at most 2048 (336; 0 = keep;\n"
    "                          the resized image must fit 8192 a side and 4096x4096 pixels)\n"
    "  --crop N                sliding window size (224; 0 = the whole image at once)\n"
    "  --stride N              window stride (112)\n"
    "  --logit-scale X         scale of the cosine logits before the softmax (40)\n"
    "  --prob-thd X            pixels whose best probability is below X become class 0 (0 = off)\n"
    "  --area-thd X            drop foreground classes with at most X of the foreground (0 = off)\n"
    "  --attn NAME             last block: sclip (CSA, default), vanilla, maskclip, clearclip, naclip;\n"
    "                          the paper's ablations csa-q, csa-k, csa-id, csa-rand:N[:SEED], sharpen:T,\n"
    "                          local:W, early:B (sclip.h manual, section 5)\n"
    "  --pamr STEPS            PAMR refinement steps, dilations 8 and 16 (0 = off)\n"
    "  --method NAME           sclip (default), scclip (SC-CLIP) or resclip (ResCLIP), as their official\n"
    "                          code; with --preset, the method's own config of the benchmark\n"
    "  --method-opt KEY=VALUE  a method's hyperparameter under its official name (repeatable): scclip\n"
    "                          pre_adjust_idx, post_adjust_idx, multi_start_idx, multi_end_idx, res_cls,\n"
    "                          beta; resclip temp_thd, attn_rcs_weights=T,L, attn_sfr_weights=T,L,\n"
    "                          delete_same_entity=true|false, gaussian_std\n"
    "  --threads N             worker threads (default: the CPUs this process may use)\n"
    "  --precision P           f32 (default), q16 (99.9% of f32's labels; faster with VNNI), q8\n"
    "                          (int8, ~2.5x faster, ~99% of labels) or bf16 (half the memory)\n"
    ;
static const char *usage_text2 = /* C99 caps a string literal at 4095 characters: the text is two */
    "outputs of one image:\n"
    "  -o FILE.png             label map, 8-bit class indices (at most 256 classes)\n"
    "  --color FILE.png        the label map in the overlay's colours\n"
    "  --overlay FILE.png      the image blended with a colour per class, with a legend\n"
    "  --pred FILE.npy         uint8 H x W labels (uint16 above 256 classes)\n"
    "  --logits FILE.npy       float32 classes x H x W probabilities (the official seg_logits),\n"
    "                          written band by band: memory does not grow with it (except PAMR)\n"
    "  --probs-dir DIR         one greyscale PNG per class, NNN_name.png, 255 = probability 1\n"
    "                          (holds classes x pixels bytes)\n"
    "several images (files, directories searched recursively, \"-\": paths on the standard input):\n"
    "  --out-dir DIR           write each image's outputs as DIR/<stem>...; images found in a\n"
    "                          directory keep their sub-directories\n"
    "  --save LIST             which, comma-separated (default labels,overlay): labels (<stem>.png),\n"
    "                          color (<stem>_color.png), overlay (<stem>_overlay.png), pred\n"
    "                          (<stem>.npy), logits (<stem>_logits.npy), probs (<stem>_probs/)\n"
    "  --ext LIST              extensions searched for (png,jpg,jpeg,ppm,pgm,pnm)\n"
    "  An image that cannot be read or segmented is reported and skipped (exit status 1).\n"
    "  -q, --quiet             no progress on stderr, no summary on stdout\n"
    "  -h, --help              this text (--version: the library's build)\n"
    "exit status: 0 done, 1 an image or output failed, 2 bad arguments (nothing was run)\n";

/* ---- options ----------------------------------------------------------------------------- */

enum { OUT_LABELS, OUT_COLOR, OUT_OVERLAY, OUT_PRED, OUT_LOGITS, OUT_PROBS, OUT_KINDS };
static const char *const out_names[OUT_KINDS] = {"labels", "color", "overlay", "pred", "logits", "probs"};
static const char *const out_suffix[OUT_KINDS] = {".png", "_color.png", "_overlay.png", ".npy", "_logits.npy", "_probs"};

typedef struct options {
    const char *model, *class_file, *classes, *vocab, *templates, *save_vocab, *features;
    const char *out[OUT_KINDS]; /* one image's output paths */
    const char *out_dir, *save, *ext, *threads_text;
    const char **inputs;
    int n_inputs, threads, quiet, wanted[OUT_KINDS], batch;
    cli_seg_opts seg;
} options;

static int bad(const char *fmt, const char *arg) {
    cli_error(fmt, arg);
    return 2;
}

static int fail(const char *fmt, const char *arg) {
    cli_error(fmt, arg);
    return 0;
}

/* --save LIST: which outputs every image gets in --out-dir. */
static int parse_save(const char *list, int *wanted) {
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ","), k;
        for (k = 0; k < OUT_KINDS; k++)
            if (strlen(out_names[k]) == n && !strncmp(p, out_names[k], n)) break;
        if (k == OUT_KINDS) {
            cli_error("--save: unknown output '%.*s' (labels, color, overlay, pred, logits, probs)", (int)n, p);
            return 0;
        }
        wanted[k] = 1;
        p += n + (p[n] == ',');
    }
    return 1;
}

/* Parses argv into o; returns 0, 1 (help printed) or 2 (error printed). */
static int parse_args(int argc, char **argv, options *o) {
    const cli_opt opts[] = {
        {"--model", "-m", &o->model, NULL}, {"--class-file", "-c", &o->class_file, NULL},
        {"--classes", NULL, &o->classes, NULL}, {"--vocab", NULL, &o->vocab, NULL},
        {"--templates", NULL, &o->templates, NULL}, {"--save-vocab", NULL, &o->save_vocab, NULL},
        {"--features", NULL, &o->features, NULL},
        {"-o", NULL, &o->out[OUT_LABELS], NULL}, {"--color", NULL, &o->out[OUT_COLOR], NULL},
        {"--overlay", NULL, &o->out[OUT_OVERLAY], NULL}, {"--pred", NULL, &o->out[OUT_PRED], NULL},
        {"--logits", NULL, &o->out[OUT_LOGITS], NULL}, {"--probs-dir", NULL, &o->out[OUT_PROBS], NULL},
        {"--out-dir", NULL, &o->out_dir, NULL}, {"--save", NULL, &o->save, NULL}, {"--ext", NULL, &o->ext, NULL},
        {"--threads", NULL, &o->threads_text, NULL}, {"--quiet", "-q", NULL, &o->quiet}, CLI_SEG_OPTIONS(o->seg)};
    int rc, k, n_out = 0, stdin_images = 0, dirs = 0;
    char usage[8192];
    snprintf(usage, sizeof usage, "%s%s", usage_text, usage_text2);
    memset(o, 0, sizeof *o);
    if (!(o->inputs = (const char **)malloc((size_t)argc * sizeof(char *)))) return bad("%s", "out of memory");
    if ((argc = cli_take_repeated(argc, argv, "--method-opt", o->seg.mopt, CLI_MAX_METHOD_OPTS, &o->seg.n_mopt)) < 0) return 2;
    rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage, o->inputs, argc, &o->n_inputs);
    if (rc) return rc;
    if (o->threads_text && !cli_parse_int(o->threads_text, "--threads", 1, 256, &o->threads)) return 2;
    if (!o->model) return bad("%s", "no model: give -m MODEL.sclip (see weights/README.md)");
    if (!o->n_inputs) return bad("%s", "no image given");
    if (!!o->class_file + !!o->classes + !!o->vocab > 1) return bad("%s", "give only one of -c, --classes, --vocab");
    if (!o->class_file && !o->classes && !o->vocab && !o->seg.preset)
        return bad("%s", "no classes: give -c FILE, --classes LIST, --vocab FILE, or a --preset (its benchmark's classes)");
    if (o->vocab && o->templates)
        return bad("%s", "--templates has no effect with --vocab: the cache holds prompts already encoded (give the class "
                         "list with -c or --classes to encode it with other templates)");
    if (o->vocab && o->save_vocab) return bad("%s", "--save-vocab with --vocab would only copy the cache; copy the file instead");
    if (o->features && (o->vocab || o->templates))
        return bad("%s", "--features gives the query vectors: not with --vocab or --templates");
    for (k = 0; k < o->n_inputs; k++) {
        struct stat st;
        stdin_images += !strcmp(o->inputs[k], "-");
        dirs += stat(o->inputs[k], &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (stdin_images > 1) return bad("%s", "'-' (image paths on the standard input) given twice");
    if (stdin_images && o->class_file && !strcmp(o->class_file, "-"))
        return bad("%s", "-c - and '-' both read the standard input: give one of them a file");
    for (k = 0; k < OUT_KINDS; k++) n_out += o->out[k] != NULL;
    o->batch = o->out_dir || o->n_inputs > 1 || stdin_images || dirs;
    if (o->batch && n_out)
        return bad("%s", "with several images (a directory, '-' or --out-dir), outputs are named by --out-dir DIR and --save LIST, not by "
                         "-o, --color, --overlay, --pred, --logits or --probs-dir");
    if (o->save && !o->out_dir) return bad("%s", "--save needs --out-dir DIR");
    if (o->out_dir && !parse_save(o->save ? o->save : "labels,overlay", o->wanted)) return 2;
    for (k = 0; !o->batch && k < OUT_KINDS; k++) o->wanted[k] = o->out[k] != NULL;
    return 0;
}

/* ---- classes, before the model loads --------------------------------------------------------- */

/* The class text of -c, --classes or the preset (NULL with --vocab); NULL with a message. */
static char *class_text(const options *o, size_t *len) {
    char *text;
    if (o->class_file) return cli_read_file(o->class_file, len);
    if (o->classes) {
        *len = strlen(o->classes);
        text = (char *)malloc(*len + 1);
        if (text) memcpy(text, o->classes, *len + 1);
        return text;
    }
    *len = sclip_seg_preset_classes(o->seg.preset, NULL, 0);
    if ((text = (char *)malloc(*len + 1)) != NULL) sclip_seg_preset_classes(o->seg.preset, text, *len + 1);
    return text;
}

/* The number of classes, from the text (parsed as sclip_vocab_create will) or the cache
   (checked whole; against the model once it is loaded). 0 with a message. */
static int count_classes(const options *o, const char *text, size_t len) {
    char err[512];
    int n_classes = 0, n_names = 0;
    if (o->vocab) {
        sclip_vocab *v = NULL;
        if (sclip_vocab_load(o->vocab, NULL, &v, err, sizeof err) != SCLIP_OK) {
            cli_error("%s", err);
            return 0;
        }
        n_classes = sclip_vocab_num_classes(v);
        sclip_vocab_free(v);
        return n_classes;
    }
    if (sclip_classes_parse(text, len, &n_classes, &n_names, err, sizeof err) != SCLIP_OK) {
        cli_error("%s: %s", o->class_file ? o->class_file : o->classes ? "--classes" : o->seg.preset,
                  strncmp(err, "classes: ", 9) ? err : err + 9);
        return 0;
    }
    return n_classes;
}

/* Whether the preset (any of its spellings) has a background class: its class 0 takes the
   pixels below its prob_thd (voc21, context60, coco-object), and is drawn white. */
static int preset_has_background(const char *preset) {
    sclip_seg_desc d;
    memset(&d, 0, sizeof d);
    return preset && sclip_seg_preset(preset, &d, NULL) == SCLIP_OK && d.prob_thd > 0;
}

/* --features: a float32 (names x embed_dim) array, one row per name of the class text; 0 with a
   message. The width is checked against the model once it is loaded. */
static int load_features(const char *path, const char *text, size_t len, sclip_npy *f) {
    char err[256];
    int n_names = 0;
    if (sclip_npy_load(path, f, err, sizeof err) != SCLIP_NPY_OK) {
        cli_error("--features %s: %s", path, err);
        return 0;
    }
    sclip_classes_parse(text, len, NULL, &n_names, NULL, 0);
    if (f->dtype != SCLIP_NPY_F32 || f->ndim != 2 || f->shape[0] != (size_t)n_names) {
        cli_error("--features %s: must be float32 of shape (%d, embed_dim), one row per name of the class list; it is %s with %d "
                  "dimension(s) and %d row(s)",
                  path, n_names, f->dtype == SCLIP_NPY_F32 ? "float32" : "not float32", f->ndim,
                  f->ndim > 0 ? (int)f->shape[0] : 0);
        return 0;
    }
    return 1;
}

/* The vocabulary of --features (their width checked against the model); NULL with a message. */
static sclip_vocab *features_vocab(const options *o, const sclip_model *model, const char *text, size_t len, const sclip_npy *f) {
    sclip_vocab *v = NULL;
    char err[256];
    int E = sclip_model_arch(model)->embed_dim;
    if (f->shape[1] != (size_t)E) {
        cli_error("--features %s: rows of %d floats, but the model's embeddings have %d", o->features, (int)f->shape[1], E);
        return NULL;
    }
    if (sclip_vocab_from_features(model, text, len, (const float *)f->data, (int)f->shape[0], &v, err, sizeof err) != SCLIP_OK)
        cli_error("--features %s: %s", o->features, err);
    if (v && o->save_vocab && sclip_vocab_save(v, o->save_vocab) != SCLIP_OK) {
        cli_error("cannot write %s", o->save_vocab);
        sclip_vocab_free(v);
        v = NULL;
    }
    return v;
}

/* ---- the images: files, directories, lists ------------------------------------------------------ */

typedef struct input {
    char *path, *stem; /* stem: the output name without suffix, relative to --out-dir */
    dev_t dev;
    ino_t ino;
} input;

typedef struct input_list {
    input *v;
    int n, cap, missing;
    const char *exts;
    struct stat out_dir; /* skipped when searching */
    int have_out_dir;
} input_list;

static char *str_join(const char *a, const char *b, const char *c) {
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
    char *s = (char *)malloc(na + nb + nc + 1);
    if (!s) return NULL;
    memcpy(s, a, na);
    memcpy(s + na, b, nb);
    memcpy(s + na + nb, c, nc + 1);
    return s;
}

/* name without its extension (a leading '.' is not one). */
static char *strip_ext(const char *name) {
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    size_t n = dot && dot > name && (!slash || dot > slash + 1) ? (size_t)(dot - name) : strlen(name);
    char *s = (char *)malloc(n + 1);
    if (s) memcpy(s, name, n), s[n] = 0;
    return s;
}

static int add_input(input_list *l, const char *path, const char *stem_of, const struct stat *st) {
    input *in;
    if (l->n == l->cap) {
        input *v = (input *)realloc(l->v, (size_t)(l->cap = l->cap ? 2 * l->cap : 64) * sizeof(input));
        if (!v) return 0;
        l->v = v;
    }
    in = l->v + l->n;
    in->path = str_join(path, "", "");
    in->stem = strip_ext(stem_of);
    in->dev = st->st_dev, in->ino = st->st_ino;
    if (!in->path || !in->stem) return 0;
    l->n++;
    return 1;
}

/* Whether name ends with one of the extensions of the comma-separated list (any case). */
static int ext_wanted(const char *name, const char *exts) {
    const char *dot = strrchr(name, '.'), *p = exts;
    if (!dot || dot == name) return 0;
    dot++;
    while (*p) {
        size_t n = strcspn(p, ","), i;
        for (i = 0; i < n && dot[i] && tolower((unsigned char)dot[i]) == tolower((unsigned char)p[i]); i++) {}
        if (i == n && !dot[n]) return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The images under dir (sorted, recursively, hidden entries and --out-dir skipped); rel is the
   path below the directory given on the command line, which the stem keeps. */
static int walk_dir(input_list *l, const char *dir, const char *rel, int depth) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    int n = 0, cap = 0, i, ok = 1;
    if (!d) {
        cli_error("cannot open the directory %s: %s", dir, strerror(errno));
        l->missing++;
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **v = (char **)realloc(names, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(char *));
            if (!v) {
                ok = 0;
                break;
            }
            names = v;
        }
        if (!(names[n] = str_join(e->d_name, "", ""))) {
            ok = 0;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, (size_t)n, sizeof(char *), cmp_str);
    for (i = 0; i < n && ok; i++) {
        char *path = str_join(dir, "/", names[i]), *sub = *rel ? str_join(rel, "/", names[i]) : str_join(names[i], "", "");
        struct stat st;
        if (!path || !sub) ok = 0;
        else if (stat(path, &st) != 0) {
            cli_error("%s: %s (skipped)", path, strerror(errno));
            l->missing++;
        } else if (S_ISDIR(st.st_mode)) {
            if (l->have_out_dir && st.st_dev == l->out_dir.st_dev && st.st_ino == l->out_dir.st_ino) {
            } else if (depth >= 32) {
                cli_error("%s: more than 32 directories deep (a link loop?), skipped", path);
                l->missing++;
            } else
                ok = walk_dir(l, path, sub, depth + 1);
        } else if (S_ISREG(st.st_mode) && ext_wanted(names[i], l->exts))
            ok = add_input(l, path, sub, &st);
        free(path);
        free(sub);
    }
    for (i = 0; i < n; i++) free(names[i]);
    free(names);
    return ok;
}

/* One argument: a file (whatever its extension), or a directory to search. */
static int add_argument(input_list *l, const char *arg) {
    struct stat st;
    const char *base = strrchr(arg, '/');
    if (stat(arg, &st) != 0) {
        cli_error("%s: %s (skipped)", arg, strerror(errno));
        l->missing++;
        return 1;
    }
    if (S_ISDIR(st.st_mode)) return walk_dir(l, arg, "", 0);
    return add_input(l, arg, base ? base + 1 : arg, &st);
}

/* "-": one path per line on the standard input (blank lines skipped). */
static int add_stdin_list(input_list *l) {
    size_t len, i = 0;
    char *text = cli_read_file("-", &len);
    int ok = 1;
    if (!text) return 0;
    while (i < len && ok) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        if (e > i) {
            char c = text[e];
            text[e] = 0;
            ok = add_argument(l, text + i);
            text[e] = c;
        }
        i = e + 1;
    }
    free(text);
    return ok;
}

static void free_inputs(input_list *l) {
    int i;
    for (i = 0; i < l->n; i++) free(l->v[i].path), free(l->v[i].stem);
    free(l->v);
}

static int cmp_stem(const void *a, const void *b) {
    return strcmp((*(const input *const *)a)->stem, (*(const input *const *)b)->stem);
}

/* The images sorted by stem (pointers into l), or NULL out of memory. */
static input **by_stem(const input_list *l) {
    input **p = (input **)malloc((size_t)l->n * sizeof(input *));
    int i;
    for (i = 0; p && i < l->n; i++) p[i] = l->v + i;
    if (p) qsort(p, (size_t)l->n, sizeof(input *), cmp_stem);
    return p;
}

/* Two images with one stem (x.jpg and x.png) keep their extension in it; the same stem after
   that (the same file given twice) is an error. */
static int unique_stems(input_list *l) {
    input **p = by_stem(l);
    int i, clash = !p, renamed = 0;
    for (i = 0; p && i + 1 < l->n; i++) {
        int j = i + 1;
        if (strcmp(p[i]->stem, p[j]->stem)) continue;
        for (; j < l->n && !strcmp(p[i]->stem, p[j]->stem); j++) {}
        for (; i < j; i++) { /* the run [i, j): stem + the file's extension */
            const char *base = strrchr(p[i]->path, '/'), *dot = strrchr(base ? base : p[i]->path, '.');
            char *st = str_join(p[i]->stem, dot ? dot : "", "");
            if (st) free(p[i]->stem), p[i]->stem = st;
        }
        i--, renamed = 1;
    }
    free(p);
    if (renamed) { /* still the same: one file given twice */
        clash = !(p = by_stem(l));
        for (i = 0; p && i + 1 < l->n; i++)
            if (!strcmp(p[i]->stem, p[i + 1]->stem)) {
                cli_error("%s and %s would write the same outputs (%s)", p[i]->path, p[i + 1]->path, p[i]->stem);
                clash = 1;
            }
        free(p);
    }
    return !clash;
}

/* ---- output paths, checked before the model loads ----------------------------------------------- */

/* mkdir -p; 1 when dir is (now) a writable directory, else 0 with a message. */
static int make_dir(const char *dir) {
    if (!cli_make_dir(dir)) return 0;
    if (access(dir, W_OK) == 0) return 1;
    cli_error("cannot write in %s: %s", dir, strerror(errno));
    return 0;
}

static int cmp_file(const void *a, const void *b) {
    const input *x = *(const input *const *)a, *y = *(const input *const *)b;
    return x->dev != y->dev ? (x->dev < y->dev ? -1 : 1) : x->ino != y->ino ? (x->ino < y->ino ? -1 : 1) : 0;
}

/* A file about to be written: its directory exists (made when make is set) and is writable,
   the path is not a directory, and not one of the input images (files: the inputs sorted by
   device and inode, n of them). */
static int check_output(const char *path, int make, input *const *files, int n) {
    const char *slash = strrchr(path, '/');
    struct stat st;
    if (make && slash && slash > path) { /* the sub-directories of --out-dir */
        char *dir = (char *)malloc((size_t)(slash - path) + 1);
        int ok = dir != NULL;
        if (ok) memcpy(dir, path, (size_t)(slash - path)), dir[slash - path] = 0;
        ok = ok && make_dir(dir);
        free(dir);
        if (!ok) return 0;
    }
    if (!cli_check_output(path)) return 0;
    if (stat(path, &st) == 0) {
        input key, *kp = &key, *const *hit;
        key.dev = st.st_dev, key.ino = st.st_ino;
        hit = files ? (input *const *)bsearch(&kp, files, (size_t)n, sizeof(input *), cmp_file) : NULL;
        if (hit) {
            cli_error("%s would overwrite the input image %s", path, (*hit)->path);
            return 0;
        }
    }
    return 1;
}

/* The output paths of image i: the options' (one image) or --out-dir/<stem><suffix>. */
static void output_paths(const options *o, const input *in, char *paths[OUT_KINDS]) {
    int k;
    for (k = 0; k < OUT_KINDS; k++) {
        paths[k] = NULL;
        if (!o->wanted[k]) continue;
        if (!o->batch) paths[k] = str_join(o->out[k], "", "");
        else {
            char *base = str_join(o->out_dir, "/", in->stem);
            paths[k] = base ? str_join(base, out_suffix[k], "") : NULL;
            free(base);
        }
    }
}

static void free_paths(char *paths[OUT_KINDS]) {
    int k;
    for (k = 0; k < OUT_KINDS; k++) free(paths[k]), paths[k] = NULL;
}

/* Every output of every image, before any work: 0 with a message. */
static int check_outputs(const options *o, input_list *l) {
    input **files = (input **)malloc((size_t)l->n * sizeof(input *));
    int i, k, ok = files != NULL;
    for (i = 0; ok && i < l->n; i++) files[i] = l->v + i;
    if (ok) qsort(files, (size_t)l->n, sizeof(input *), cmp_file);
    if (ok && o->out_dir) ok = make_dir(o->out_dir);
    if (ok && o->save_vocab) ok = check_output(o->save_vocab, 0, files, l->n);
    for (i = 0; i < l->n && ok; i++) {
        char *paths[OUT_KINDS];
        output_paths(o, l->v + i, paths);
        for (k = 0; k < OUT_KINDS && ok; k++) {
            if (!paths[k]) continue;
            if (k == OUT_PROBS) ok = make_dir(paths[k]);
            else ok = check_output(paths[k], o->batch, files, l->n);
        }
        free_paths(paths);
    }
    free(files);
    return ok;
}

/* ---- the probabilities, streamed from the segmentation ------------------------------------------ */

typedef struct probs_sink {
    int fd;              /* --logits: the .npy, written at each band's offsets (or -1) */
    size_t header;       /* its header's size */
    unsigned char *u8;   /* --probs-dir: classes x H x W bytes (or NULL) */
    int H, W, C, failed; /* failed: a write went wrong (errno in err_no) */
    int err_no;
} probs_sink;

/* pwrite all of it (it may write less at a time). */
static int write_at(int fd, const void *buf, size_t n, size_t off) {
    const char *p = (const char *)buf;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w <= 0) return 0;
        p += w, n -= (size_t)w, off += (size_t)w;
    }
    return 1;
}

/* sclip_seg_desc.probs_band: plane c of rows [y0, y0+rows) goes to row y0 of class c in the file
   (C order, classes x H x W) and to the class's greyscale plane. Called from worker threads:
   each call touches its own rows only (pwrite takes its offset, no shared file position). */
static int sink_band(void *user, int y0, int rows, int width, int n_classes, const float *probs, size_t plane_stride) {
    probs_sink *s = (probs_sink *)user;
    size_t n = (size_t)rows * width, i;
    int c;
    for (c = 0; c < n_classes; c++) {
        const float *p = probs + c * plane_stride;
        size_t at = ((size_t)c * s->H + (size_t)y0) * s->W;
        if (s->fd >= 0 && !write_at(s->fd, p, n * sizeof(float), s->header + at * sizeof(float))) {
            s->err_no = errno;
            s->failed = 1;
            return 1;
        }
        for (i = 0; s->u8 && i < n; i++) s->u8[at + i] = (unsigned char)(p[i] * 255.0f + 0.5f);
    }
    return 0;
}

/* Opens the logits file at its full size with its header; 0 with a message. */
static int sink_open_logits(probs_sink *s, const char *path) {
    size_t shape[3], item = 0, total;
    char hdr[256];
    shape[0] = (size_t)s->C, shape[1] = (size_t)s->H, shape[2] = (size_t)s->W;
    s->header = sclip_npy_header(SCLIP_NPY_F32, 3, shape, hdr, &item);
    total = s->header + (size_t)s->C * s->H * s->W * item;
    s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (s->fd < 0 || !write_at(s->fd, hdr, s->header, 0) || ftruncate(s->fd, (off_t)total) != 0) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

/* ---- one image ------------------------------------------------------------------------------- */

typedef struct run {
    const options *o;
    sclip_context *ctx;
    const sclip_vocab *vocab;
    const char **names;   /* class names for the colours and the legend */
    sclip_seg_desc desc;
} run;

/* Writes a PNG; 0 with a message naming the file. */
static int write_png(const char *path, int w, int h, int ch, const unsigned char *px) {
    char err[256];
    errno = 0;
    if (sclip_image_write_png(path, w, h, ch, px, (size_t)w * ch, err, sizeof err) == SCLIP_IMAGE_OK) return 1;
    cli_error("%s%s%s", err, errno ? ": " : "", errno ? strerror(errno) : "");
    return 0;
}

/* The label map in the overlay's colours. */
static int write_color(const run *r, const char *path, const uint16_t *labels, int w, int h) {
    size_t n = (size_t)w * h, i;
    unsigned char *rgb = (unsigned char *)malloc(n * 3), *pal;
    int C = sclip_vocab_num_classes(r->vocab), c, ok;
    if (!rgb || !(pal = (unsigned char *)malloc((size_t)C * 3))) {
        free(rgb);
        return fail("%s: out of memory for the colour map", path);
    }
    for (c = 0; c < C; c++) sclip_overlay_class_color(c, r->names, pal + 3 * c);
    for (i = 0; i < n; i++) memcpy(rgb + 3 * i, pal + 3 * labels[i], 3);
    ok = write_png(path, w, h, 3, rgb);
    free(pal);
    free(rgb);
    return ok;
}

static int write_overlay(const run *r, const char *path, const sclip_image *img, const uint16_t *labels) {
    unsigned char *ov = NULL;
    int ow, oh, ok;
    if (sclip_overlay_draw(img->pixels, img->w, img->h, (size_t)img->w * 3, labels, sclip_vocab_num_classes(r->vocab), r->names,
                           0.5f, &ov, &ow, &oh) != SCLIP_OVERLAY_OK)
        return fail("%s: cannot draw the overlay (out of memory)", path);
    ok = write_png(path, ow, oh, 3, ov);
    sclip_overlay_free(ov);
    return ok;
}

/* One greyscale PNG per class: DIR/NNN_name.png (name: its first name, [A-Za-z0-9-] kept). */
static int write_probs_dir(const run *r, const char *dir, const unsigned char *u8, int w, int h) {
    int C = sclip_vocab_num_classes(r->vocab), c, ok = 1;
    for (c = 0; c < C && ok; c++) {
        const char *name = sclip_vocab_class_name(r->vocab, c);
        char file[96];
        size_t k = (size_t)snprintf(file, sizeof file, "%03d_", c);
        for (; *name && k + 5 < sizeof file; name++)
            file[k++] = isalnum((unsigned char)*name) || *name == '-' ? *name : '_';
        memcpy(file + k, ".png", 5);
        {
            char *path = str_join(dir, "/", file);
            ok = path && write_png(path, w, h, 1, u8 + (size_t)c * w * h);
            free(path);
        }
    }
    return ok;
}

/* Share of the image taken by each class, largest first: all of them (one image) or the top 3. */
static void summary(const run *r, const char *path, const uint16_t *labels, int w, int h, int top) {
    size_t n = (size_t)w * h, i;
    int C = sclip_vocab_num_classes(r->vocab), c, shown = 0;
    size_t *count = (size_t *)calloc((size_t)C, sizeof(size_t));
    if (!count) return;
    for (i = 0; i < n; i++) count[labels[i]]++;
    if (top) printf("%s: %dx%d,", path, w, h);
    else printf("%dx%d, %d classes:\n", w, h, C);
    while (shown < (top ? top : C)) {
        int best = -1;
        for (c = 0; c < C; c++)
            if (count[c] && (best < 0 || count[c] > count[best])) best = c;
        if (best < 0) break;
        if (top) printf(" %.1f%% %s", 100.0 * (double)count[best] / (double)n, sclip_vocab_class_name(r->vocab, best));
        else printf("  %5.1f%%  %3d  %s\n", 100.0 * (double)count[best] / (double)n, best, sclip_vocab_class_name(r->vocab, best));
        count[best] = 0;
        shown++;
    }
    if (top) printf("\n");
    free(count);
}

/* Segments one image and writes its outputs; 1 on success, 0 with a message. The image is freed
   as soon as no output needs it, the labels are narrowed to bytes in place for -o. */
static int segment_one(const run *r, const input *in, sclip_image *loaded) {
    const options *o = r->o;
    char *paths[OUT_KINDS], err[512];
    sclip_image img;
    sclip_seg_result res;
    sclip_seg_desc d = r->desc;
    probs_sink sink;
    int ok = 1, C = sclip_vocab_num_classes(r->vocab);
    size_t n, i;
    memset(&res, 0, sizeof res);
    memset(&sink, 0, sizeof sink);
    sink.fd = -1;
    output_paths(o, in, paths);
    if (loaded) img = *loaded, memset(loaded, 0, sizeof *loaded);
    else if (sclip_image_load(in->path, &img, err, sizeof err) != SCLIP_IMAGE_OK) {
        cli_error("%s: %s", in->path, err);
        free_paths(paths);
        return 0;
    }
    n = (size_t)img.w * img.h;
    sink.H = img.h, sink.W = img.w, sink.C = C;
    if (paths[OUT_LOGITS] && !sink_open_logits(&sink, paths[OUT_LOGITS])) ok = 0;
    if (ok && paths[OUT_PROBS] && !(sink.u8 = (unsigned char *)malloc((size_t)C * n))) {
        cli_error("%s: --probs-dir needs %d x %dx%d bytes (%.1f GB): out of memory", in->path, C, img.w, img.h, (double)C * n * 1e-9);
        ok = 0;
    }
    d.no_probs = 1;
    if (paths[OUT_LOGITS] || paths[OUT_PROBS]) d.probs_band = sink_band, d.probs_user = &sink;
    if (ok && sclip_segment(r->ctx, r->vocab, img.pixels, img.w, img.h, (size_t)img.w * 3, &d, &res) != SCLIP_OK) {
        if (sink.failed) cli_error("cannot write %s: %s", paths[OUT_LOGITS], strerror(sink.err_no));
        else cli_error("%s: %s", in->path, sclip_context_error(r->ctx));
        ok = 0;
    }
    if (sink.fd >= 0 && close(sink.fd) != 0 && ok) ok = fail("cannot write %s", paths[OUT_LOGITS]);
    if (!paths[OUT_OVERLAY]) sclip_image_free(&img); /* the biggest buffer, no longer needed */
    if (ok && !o->quiet) summary(r, in->path, res.labels, res.width, res.height, o->batch ? 3 : 0);
    if (ok && paths[OUT_OVERLAY]) ok = write_overlay(r, paths[OUT_OVERLAY], &img, res.labels);
    sclip_image_free(&img);
    if (ok && paths[OUT_COLOR]) ok = write_color(r, paths[OUT_COLOR], res.labels, res.width, res.height);
    if (ok && paths[OUT_PROBS]) ok = write_probs_dir(r, paths[OUT_PROBS], sink.u8, res.width, res.height);
    free(sink.u8);
    if (ok && paths[OUT_PRED] && C > 256) {
        size_t shape[2];
        shape[0] = (size_t)res.height, shape[1] = (size_t)res.width;
        if (sclip_npy_save(paths[OUT_PRED], SCLIP_NPY_U16, 2, shape, res.labels) != SCLIP_NPY_OK)
            ok = fail("cannot write %s", paths[OUT_PRED]);
    }
    if (ok && (paths[OUT_LABELS] || paths[OUT_PRED])) { /* bytes, in place: labels < 256 */
        unsigned char *u8 = (unsigned char *)res.labels;
        size_t shape[2];
        for (i = 0; i < n; i++) u8[i] = (unsigned char)res.labels[i];
        shape[0] = (size_t)res.height, shape[1] = (size_t)res.width;
        if (paths[OUT_LABELS]) ok = write_png(paths[OUT_LABELS], res.width, res.height, 1, u8);
        if (ok && paths[OUT_PRED] && C <= 256 && sclip_npy_save(paths[OUT_PRED], SCLIP_NPY_U8, 2, shape, u8) != SCLIP_NPY_OK)
            ok = fail("cannot write %s", paths[OUT_PRED]);
    }
    sclip_seg_result_free(&res);
    free_paths(paths);
    return ok;
}

/* ---- progress ------------------------------------------------------------------------------- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The context's stages of one image (one image only). */
static void progress(void *user, const char *stage, int done, int total) {
    const char *what = !strcmp(stage, "text") ? "encoding prompts" : "windows";
    (void)user;
    if (isatty(2)) fprintf(stderr, "\r%s %d/%d%s", what, done, total, done == total ? "\n" : "");
    else if (done == total) fprintf(stderr, "%s %d/%d\n", what, done, total);
    fflush(stderr);
}

/* Several images: "[k/n] 1.19 images/s, ETA 0:14  path" after each. */
static void batch_progress(int done, int total, double t0, const char *path) {
    double dt = now() - t0, rate = dt > 0 ? done / dt : 0, eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "%s[%d/%d] %.2f images/s, ETA %d:%02d  %s%s", isatty(2) ? "\r\033[K" : "", done, total, rate,
            (int)eta / 60, (int)eta % 60, path, isatty(2) && done < total ? "" : "\n");
    fflush(stderr);
}

/* ---- main ------------------------------------------------------------------------------------ */

/* The vocabulary: the cache (checked against the model), or the class text encoded. */
static sclip_vocab *get_vocab(const options *o, sclip_context *ctx, const sclip_model *model, const char *text, size_t len) {
    return cli_make_vocab(ctx, model, o->vocab, text, len, o->templates, o->save_vocab);
}

int main(int argc, char **argv) {
    options o;
    input_list inputs;
    sclip_model_desc md;
    sclip_context_desc cd;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_vocab *vocab = NULL;
    run r;
    sclip_image first;
    char err[512], *text = NULL;
    size_t len = 0;
    sclip_npy feats;
    int rc, i, n_classes, failed = 0, c;
    double t0, t1;
    cli__prog = "sclip-seg";
    memset(&inputs, 0, sizeof inputs);
    memset(&r, 0, sizeof r);
    memset(&first, 0, sizeof first);
    memset(&feats, 0, sizeof feats);
    rc = parse_args(argc, argv, &o);
    if (rc) {
        free((void *)o.inputs);
        return rc == 1 ? 0 : 2;
    }
    rc = 2;
    memset(&md, 0, sizeof md);
    if (!cli_seg_settings(&o.seg, NULL, &r.desc, &md.precision)) goto done;
    /* classes: read, parsed and counted now, so that a bad list or too many classes for -o
       fail before the model loads */
    if (!o.vocab && !(text = class_text(&o, &len))) goto done;
    if (!(n_classes = count_classes(&o, text, len))) goto done;
    if (o.features && !load_features(o.features, text, len, &feats)) goto done;
    if (n_classes > 256 && o.wanted[OUT_LABELS]) {
        cli_error("%d classes: %s writes 8-bit labels (at most 256 classes); use %s instead", n_classes,
                  o.batch ? "--save labels" : "-o", o.batch ? "--save pred (uint16) or color" : "--pred (uint16) or --color");
        goto done;
    }
    /* images, then every output path */
    inputs.exts = o.ext ? o.ext : "png,jpg,jpeg,ppm,pgm,pnm";
    inputs.have_out_dir = o.out_dir && stat(o.out_dir, &inputs.out_dir) == 0;
    for (i = 0; i < o.n_inputs; i++)
        if (!(strcmp(o.inputs[i], "-") ? add_argument(&inputs, o.inputs[i]) : add_stdin_list(&inputs))) {
            cli_error("%s", "out of memory listing the images");
            goto done;
        }
    if (!inputs.n) {
        cli_error("no image to segment%s", inputs.missing ? "" : " (no file with the extensions of --ext found)");
        rc = inputs.missing ? 1 : 2;
        goto done;
    }
    if (o.batch && !unique_stems(&inputs)) goto done;
    if (!check_outputs(&o, &inputs)) goto done;
    if (!o.batch && sclip_image_load(inputs.v[0].path, &first, err, sizeof err) != SCLIP_IMAGE_OK) { /* one image: decoded first */
        cli_error("%s: %s", inputs.v[0].path, err);
        rc = 1;
        goto done;
    }
    /* the model, the context, the vocabulary */
    rc = 1;
    failed = inputs.missing;
    t0 = now();
    md.towers = o.vocab || o.features ? SCLIP_TOWERS_VISION : SCLIP_TOWERS_BOTH;
    if (sclip_model_load(o.model, &md, &model, err, sizeof err) != SCLIP_OK) {
        cli_error("%s", err);
        goto done;
    }
    if (!cli_check_attn(&r.desc.attn, model)) goto done;
    memset(&cd, 0, sizeof cd);
    cd.n_threads = o.threads;
    if (!o.quiet && !o.batch) cd.progress = progress;
    if (sclip_context_create(model, &cd, &ctx) != SCLIP_OK) {
        cli_error("%s", "cannot create a context (out of memory)");
        goto done;
    }
    if (!o.quiet && o.batch && !o.vocab && !o.features) fprintf(stderr, "encoding %d classes...\n", n_classes);
    if (!(vocab = o.features ? features_vocab(&o, model, text, len, &feats) : get_vocab(&o, ctx, model, text, len))) goto done;
    r.o = &o, r.ctx = ctx, r.vocab = vocab;
    if (!(r.names = (const char **)malloc((size_t)n_classes * sizeof(char *)))) goto done;
    for (c = 0; c < n_classes; c++) r.names[c] = sclip_vocab_class_name(vocab, c);
    if (preset_has_background(o.seg.preset)) r.names[0] = "background"; /* drawn white */
    /* the images */
    t1 = now();
    for (i = 0; i < inputs.n; i++) {
        failed += !segment_one(&r, inputs.v + i, o.batch ? NULL : &first);
        if (!o.quiet && o.batch) batch_progress(i + 1, inputs.n, t1, inputs.v[i].path);
    }
    if (!o.quiet && o.batch)
        fprintf(stderr, "%d image%s segmented, %d failed; %.1f s (model and vocabulary %.1f s), %.2f images/s\n",
                inputs.n - (failed - inputs.missing), inputs.n == 1 ? "" : "s", failed, now() - t0, t1 - t0,
                inputs.n / (now() - t1 > 0 ? now() - t1 : 1e-9));
    rc = failed ? 1 : 0;
done:
    sclip_image_free(&first);
    sclip_npy_free(&feats);
    free((void *)r.names);
    free_inputs(&inputs);
    free(text);
    free((void *)o.inputs);
    sclip_vocab_free(vocab);
    sclip_context_free(ctx);
    sclip_model_free(model);
    return rc;
}
