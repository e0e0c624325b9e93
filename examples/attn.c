/* sclip-attn: where one point of an image looks, with CLIP's last block and with SCLIP's
   Correlative Self-Attention (the paper's Figures 2 and 4), or with any other last block.

     sclip-attn -m weights/ViT-B-16.sclip photo.jpg --point 120,80 --point 300,200 \
                --attn vanilla,sclip,csa-q,local:3 -o fig.png --npy maps.npy
     sclip-attn photo.jpg --windows windows.png          (the segmentation's sliding windows)

   The image is resized as the segmentation's whole-image mode does (keep ratio, short side 224
   by default), normalised, and run through the vision tower once per block. For every point and
   block, the figure shows the head-averaged attention row of the patch under the point, over
   the patch grid: a colour map blended onto the image, the point and its patch marked, the
   block's name above, a scale bar with the map's range beside it. --npy writes the raw maps
   (points x blocks x gh x gw, float32). See --help. */
#define _POSIX_C_SOURCE 200809L
#define SCLIP_IMPLEMENTATION
#include "sclip.h"
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"
#include "sclip_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 16
#define MAX_BLOCKS 16

static const char *usage_text =
    "usage: sclip-attn -m MODEL.sclip IMAGE [--point X,Y ...] [--attn LIST] -o FIG.png [--npy MAPS.npy]\n"
    "       sclip-attn IMAGE --windows FIG.png [--short-side N] [--crop N] [--stride N]\n"
    "\n"
    "Shows where the patch under each point looks in the last block of the vision tower: the\n"
    "head-averaged attention weights of that patch over the image (the SCLIP paper's Figures 2, 4).\n"
    "\n"
    "  -m, --model FILE     weights (.sclip)\n"
    "  --point X,Y          a point in the image's pixels (repeatable, at most 16; default: the centre)\n"
    "  --attn LIST          last blocks, comma-separated (default vanilla,sclip): sclip, vanilla,\n"
    "                       maskclip, clearclip, naclip, csa-q, csa-k, csa-id, csa-rand:N[:SEED],\n"
    "                       sharpen:T, local:W, early:B (at most 16)\n"
    "  --short-side N       resize so the short side is N (224; 0 keeps the size), long side <= 2048\n"
    "  -o FILE.png          the figure: a row per point, a column per block\n"
    "  --npy FILE.npy       the raw maps, float32 points x blocks x gh x gw\n"
    "  --windows FILE.png   instead: the image resized for segmentation (--short-side, default 336)\n"
    "                       with its sliding windows (--crop 224, --stride 112) drawn over it\n"
    "  --precision P        f32 (default), q16, q8, bf16\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  -h, --help           this text\n";

typedef struct options {
    const char *model, *image, *attn, *out, *npy, *short_side, *windows, *crop, *stride, *precision, *threads_text;
    const char *points[MAX_POINTS];
    int n_points, threads;
} options;

/* --point may repeat: taken out of argv before the option table sees it. */
static int take_points(int *argc, char **argv, options *o) {
    int i, k = 1;
    for (i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--point") || !strncmp(argv[i], "--point=", 8)) {
            const char *v = argv[i][7] == '=' ? argv[i] + 8 : i + 1 < *argc ? argv[++i] : NULL;
            if (!v) {
                cli_error("--point needs a value X,Y");
                return 0;
            }
            if (o->n_points == MAX_POINTS) {
                cli_error("at most %d points", MAX_POINTS);
                return 0;
            }
            o->points[o->n_points++] = v;
        } else
            argv[k++] = argv[i];
    }
    *argc = k;
    return 1;
}

static int parse_args(int argc, char **argv, options *o) {
    const cli_opt opts[] = {{"--model", "-m", &o->model, NULL},         {"--attn", NULL, &o->attn, NULL},
                            {"-o", NULL, &o->out, NULL},                {"--npy", NULL, &o->npy, NULL},
                            {"--short-side", NULL, &o->short_side, NULL}, {"--windows", NULL, &o->windows, NULL},
                            {"--crop", NULL, &o->crop, NULL},           {"--stride", NULL, &o->stride, NULL},
                            {"--precision", NULL, &o->precision, NULL}, {"--threads", NULL, &o->threads_text, NULL}};
    int n_pos, rc;
    if (!take_points(&argc, argv, o)) return 2;
    rc = cli_parse(argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage_text, &o->image, 1, &n_pos);
    if (rc) return rc;
    if (o->threads_text && !cli_parse_int(o->threads_text, "--threads", 1, 256, &o->threads)) return 2;
    if (!o->image) {
        cli_error("no image given");
        return 2;
    }
    if (o->windows) {
        if (o->model || o->attn || o->out || o->npy || o->n_points) {
            cli_error("--windows draws the segmentation's windows: it takes no -m, --attn, -o, --npy or --point");
            return 2;
        }
        return 0;
    }
    if (o->crop || o->stride) {
        cli_error("--crop and --stride go with --windows");
        return 2;
    }
    if (!o->model) {
        cli_error("no model: give -m MODEL.sclip (see weights/README.md)");
        return 2;
    }
    if (!o->out && !o->npy) {
        cli_error("nothing to write: give -o FIG.png and/or --npy MAPS.npy");
        return 2;
    }
    return 0;
}

/* "a,b,c" -> descriptions (each checked by the library's parser). */
static int parse_blocks(const char *list, sclip_attn_desc *blocks, char names[][48], int *n) {
    const char *p = list;
    *n = 0;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char one[48], err[256];
        if (*n == MAX_BLOCKS) {
            cli_error("--attn: at most %d blocks", MAX_BLOCKS);
            return 0;
        }
        if (len == 0 || len >= sizeof one) {
            cli_error("--attn: an empty or too long name in '%s'", list);
            return 0;
        }
        memcpy(one, p, len);
        one[len] = 0;
        if (sclip_attn_desc_parse(one, &blocks[*n], err, sizeof err) != SCLIP_OK) {
            cli_error("--attn: %s", err);
            return 0;
        }
        sclip_attn_desc_format(&blocks[*n], names[*n], 48);
        (*n)++;
        if (!e) return 1;
        p = e + 1;
    }
}

/* "X,Y" inside a w x h image. */
static int parse_point(const char *s, int w, int h, int *x, int *y) {
    char *end;
    long a = strtol(s, &end, 10), b;
    if (*end != ',') goto bad;
    b = strtol(end + 1, &end, 10);
    if (*end || a < 0 || b < 0 || a >= w || b >= h) goto bad;
    *x = (int)a;
    *y = (int)b;
    return 1;
bad:
    cli_error("--point '%s': X,Y must be integers with 0 <= X < %d and 0 <= Y < %d (the image is %dx%d)", s, w, h, w, h);
    return 0;
}

/* A dark-to-bright colour ramp for t in [0, 1] (black, purple, red, orange, pale yellow). */
static void ramp(float t, unsigned char rgb[3]) {
    static const unsigned char stops[9][3] = {{0, 0, 4},     {31, 12, 72},  {85, 15, 109},  {136, 34, 106}, {186, 54, 85},
                                              {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164}};
    float u = (t < 0 ? 0 : t > 1 ? 1 : t) * 8;
    int i = u >= 8 ? 7 : (int)u, c;
    float f = u - (float)i;
    for (c = 0; c < 3; c++) rgb[c] = (unsigned char)(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]) + 0.5f);
}

static void fill(unsigned char *img, int W, int H, int x0, int y0, int w, int h, const unsigned char rgb[3]) {
    int x, y;
    for (y = y0 < 0 ? 0 : y0; y < y0 + h && y < H; y++)
        for (x = x0 < 0 ? 0 : x0; x < x0 + w && x < W; x++) memcpy(img + ((size_t)y * W + x) * 3, rgb, 3);
}

static void frame(unsigned char *img, int W, int H, int x0, int y0, int w, int h, int t, const unsigned char rgb[3]) {
    fill(img, W, H, x0, y0, w, t, rgb);
    fill(img, W, H, x0, y0 + h - t, w, t, rgb);
    fill(img, W, H, x0, y0, t, h, rgb);
    fill(img, W, H, x0 + w - t, y0, t, h, rgb);
}

/* One panel at (px, py) of the canvas: the image blended with the map (cells of P pixels),
   the source patch framed, the point marked, the scale bar and its range on the right. */
static void draw_panel(unsigned char *cv, int CW, int CH, int px, int py, const unsigned char *rgb, int w, int h, int P,
                       const float *map, int gh, int gw, int x, int y) {
    static const unsigned char white[3] = {255, 255, 255}, black[3] = {0, 0, 0}, ink[3] = {24, 24, 24};
    float lo = map[0], hi = map[0];
    int i, j, c;
    char label[32];
    for (i = 1; i < gh * gw; i++) lo = map[i] < lo ? map[i] : lo, hi = map[i] > hi ? map[i] : hi;
    for (j = 0; j < h; j++)
        for (i = 0; i < w; i++) {
            int gy = j / P < gh ? j / P : gh - 1, gx = i / P < gw ? i / P : gw - 1;
            unsigned char k[3], *o = cv + ((size_t)(py + j) * CW + px + i) * 3;
            const unsigned char *s = rgb + ((size_t)j * w + i) * 3;
            ramp(hi > lo ? (map[gy * gw + gx] - lo) / (hi - lo) : 0.5f, k);
            for (c = 0; c < 3; c++) o[c] = (unsigned char)((s[c] * 2 + k[c] * 5 + 3) / 7); /* 5/7 map, 2/7 image */
        }
    frame(cv, CW, CH, px + x / P * P, py + y / P * P, P, P, 1, white);
    fill(cv, CW, CH, px + x - 5, py + y - 1, 11, 3, black); /* a cross at the point */
    fill(cv, CW, CH, px + x - 1, py + y - 5, 3, 11, black);
    fill(cv, CW, CH, px + x - 4, py + y, 9, 1, white);
    fill(cv, CW, CH, px + x, py + y - 4, 1, 9, white);
    for (j = 0; j < h; j++) { /* the scale bar: high at the top */
        unsigned char k[3];
        ramp(1.0f - (float)j / (float)(h > 1 ? h - 1 : 1), k);
        fill(cv, CW, CH, px + w + 6, py + j, 10, 1, k);
    }
    snprintf(label, sizeof label, "%.3g", (double)hi);
    sclip_overlay_text(cv, CW, CH, (size_t)CW * 3, px + w + 20, py, label, 1, ink);
    snprintf(label, sizeof label, "%.3g", (double)lo);
    sclip_overlay_text(cv, CW, CH, (size_t)CW * 3, px + w + 20, py + h - sclip_overlay_text_height(1), label, 1, ink);
}

/* The attention-map figure and/or the raw maps. */
static int run_maps(const options *o, const sclip_image *img) {
    sclip_attn_desc blocks[MAX_BLOCKS];
    char names[MAX_BLOCKS][48], err[512];
    int n_blocks, px[MAX_POINTS], py[MAX_POINTS], n_points = o->n_points ? o->n_points : 1, short_side = 224;
    int w1, h1, P, gh, gw, T, H, b, p, i, rc = 1;
    sclip_model_desc md;
    sclip_context_desc cd;
    sclip_model *model = NULL;
    sclip_context *ctx = NULL;
    sclip_seg_desc unused;
    unsigned char *rgb = NULL, *cv = NULL;
    float *chw = NULL, *A = NULL, *maps = NULL;
    cli_seg_opts so;
    memset(&md, 0, sizeof md);
    memset(&so, 0, sizeof so);
    so.precision = o->precision;
    if (!parse_blocks(o->attn ? o->attn : "vanilla,sclip", blocks, names, &n_blocks)) return 2;
    if (!cli_seg_settings(&so, NULL, &unused, &md.precision)) return 2;
    if (o->short_side && !cli_parse_int(o->short_side, "--short-side", 0, SCLIP_MAX_IMAGE_SIDE, &short_side)) return 2;
    for (p = 0; p < n_points; p++)
        if (!o->n_points) px[p] = img->w / 2, py[p] = img->h / 2;
        else if (!parse_point(o->points[p], img->w, img->h, &px[p], &py[p])) return 2;
    if (sclip_resize_size(img->w, img->h, short_side, 2048, &w1, &h1) != SCLIP_OK) {
        cli_error("%dx%d: cannot resize to a short side of %d within 2048 pixels", img->w, img->h, short_side);
        return 1;
    }
    md.towers = SCLIP_TOWERS_VISION;
    if (sclip_model_load(o->model, &md, &model, err, sizeof err) != SCLIP_OK) {
        cli_error("%s", err);
        return 1;
    }
    for (b = 0; b < n_blocks; b++)
        if (!cli_check_attn(&blocks[b], model)) goto done;
    P = sclip_model_arch(model)->patch_size;
    H = sclip_model_arch(model)->vision_heads;
    gh = h1 / P;
    gw = w1 / P;
    T = gh * gw + 1;
    if (gh < 1 || gw < 1) {
        cli_error("the resized image (%dx%d) is smaller than one %dx%d patch: raise --short-side", w1, h1, P, P);
        goto done;
    }
    memset(&cd, 0, sizeof cd);
    cd.n_threads = o->threads;
    rgb = (unsigned char *)malloc((size_t)w1 * h1 * 3);
    chw = (float *)malloc((size_t)3 * w1 * h1 * sizeof(float));
    A = (float *)malloc((size_t)H * T * T * sizeof(float));
    maps = (float *)malloc((size_t)n_points * n_blocks * gh * gw * sizeof(float));
    if (!rgb || !chw || !A || !maps || sclip_context_create(model, &cd, &ctx) != SCLIP_OK) {
        cli_error("out of memory for %d tokens", T);
        goto done;
    }
    sclip_resize_rgb(img->pixels, img->w, img->h, (size_t)img->w * 3, rgb, w1, h1, (size_t)w1 * 3);
    sclip_normalize_rgb(rgb, w1, h1, (size_t)w1 * 3, chw);
    for (b = 0; b < n_blocks; b++) {
        if (sclip_attention(ctx, chw, h1, w1, &blocks[b], A, NULL) != SCLIP_OK) {
            cli_error("%s: %s", names[b], sclip_context_error(ctx));
            goto done;
        }
        for (p = 0; p < n_points; p++) { /* the row of the patch under the point, averaged over heads */
            int x = (int)((long long)px[p] * w1 / img->w), y = (int)((long long)py[p] * h1 / img->h);
            int tok = 1 + (y / P < gh ? y / P : gh - 1) * gw + (x / P < gw ? x / P : gw - 1), h;
            float *m = maps + ((size_t)p * n_blocks + b) * gh * gw;
            for (i = 0; i < gh * gw; i++) {
                float sum = 0;
                for (h = 0; h < H; h++) sum += A[((size_t)h * T + tok) * T + 1 + i];
                m[i] = sum / (float)H;
            }
        }
    }
    if (o->npy) {
        size_t shape[4];
        shape[0] = (size_t)n_points, shape[1] = (size_t)n_blocks, shape[2] = (size_t)gh, shape[3] = (size_t)gw;
        if (sclip_npy_save(o->npy, SCLIP_NPY_F32, 4, shape, maps) != SCLIP_NPY_OK) {
            cli_error("cannot write %s", o->npy);
            goto done;
        }
    }
    if (o->out) {
        static const unsigned char ink[3] = {24, 24, 24};
        int title = sclip_overlay_text_height(2) + 6, cellw = w1 + 70, cellh = h1 + title + 10, m = 10;
        int CW = 2 * m + cellw * n_blocks, CH = 2 * m + cellh * n_points;
        cv = (unsigned char *)malloc((size_t)CW * CH * 3);
        if (!cv) {
            cli_error("out of memory for the figure");
            goto done;
        }
        memset(cv, 255, (size_t)CW * CH * 3);
        for (p = 0; p < n_points; p++)
            for (b = 0; b < n_blocks; b++) {
                int x0 = m + b * cellw, y0 = m + p * cellh;
                char t[128];
                snprintf(t, sizeof t, "%.47s  (%d,%d)", names[b], px[p], py[p]);
                sclip_overlay_text(cv, CW, CH, (size_t)CW * 3, x0, y0, t, 2, ink);
                draw_panel(cv, CW, CH, x0, y0 + title, rgb, w1, h1, P, maps + ((size_t)p * n_blocks + b) * gh * gw, gh, gw,
                           (int)((long long)px[p] * w1 / img->w), (int)((long long)py[p] * h1 / img->h));
            }
        if (sclip_image_write_png(o->out, CW, CH, 3, cv, (size_t)CW * 3, err, sizeof err) != SCLIP_IMAGE_OK) {
            cli_error("%s", err);
            goto done;
        }
    }
    rc = 0;
done:
    free(cv);
    free(rgb);
    free(chw);
    free(A);
    free(maps);
    sclip_context_free(ctx);
    sclip_model_free(model);
    return rc;
}

/* The segmentation's view of an image: resized, its windows framed in turn-taking colours. */
static int run_windows(const options *o, const sclip_image *img) {
    int short_side = 336, crop = 224, stride = 112, w1, h1, n, k, *boxes, rc = 1;
    unsigned char *rgb;
    char err[256];
    if ((o->short_side && !cli_parse_int(o->short_side, "--short-side", 0, SCLIP_MAX_IMAGE_SIDE, &short_side)) ||
        (o->crop && !cli_parse_int(o->crop, "--crop", 0, SCLIP_MAX_IMAGE_SIDE, &crop)) ||
        (o->stride && !cli_parse_int(o->stride, "--stride", 1, SCLIP_MAX_IMAGE_SIDE, &stride)))
        return 2;
    if (sclip_resize_size(img->w, img->h, short_side, 2048, &w1, &h1) != SCLIP_OK) {
        cli_error("%dx%d: cannot resize to a short side of %d", img->w, img->h, short_side);
        return 1;
    }
    n = sclip_seg_windows(w1, h1, crop ? crop : SCLIP_SEG_WHOLE, stride, NULL, 0);
    boxes = (int *)malloc((size_t)(n ? n : 1) * 4 * sizeof(int));
    rgb = (unsigned char *)malloc((size_t)w1 * h1 * 3);
    if (n && boxes && rgb) {
        sclip_seg_windows(w1, h1, crop ? crop : SCLIP_SEG_WHOLE, stride, boxes, n);
        sclip_resize_rgb(img->pixels, img->w, img->h, (size_t)img->w * 3, rgb, w1, h1, (size_t)w1 * 3);
        for (k = 0; k < n; k++) { /* window k: a frame inset by 2k % 12 pixels so overlaps stay visible */
            unsigned char col[3];
            char num[16];
            int in = (2 * k) % 12;
            sclip_overlay_color(1 + k % 20, col);
            frame(rgb, w1, h1, boxes[4 * k] + in, boxes[4 * k + 1] + in, boxes[4 * k + 2] - 2 * in, boxes[4 * k + 3] - 2 * in,
                  3, col);
            snprintf(num, sizeof num, "%d", k + 1);
            sclip_overlay_text(rgb, w1, h1, (size_t)w1 * 3, boxes[4 * k] + in + 6, boxes[4 * k + 1] + in + 6, num, 2, col);
        }
        if (sclip_image_write_png(o->windows, w1, h1, 3, rgb, (size_t)w1 * 3, err, sizeof err) == SCLIP_IMAGE_OK) rc = 0;
        else cli_error("%s", err);
        printf("%dx%d resized to %dx%d: %d windows of %d at stride %d\n", img->w, img->h, w1, h1, n, crop, stride);
    } else
        cli_error(n ? "out of memory" : "no windows for these settings");
    free(boxes);
    free(rgb);
    return rc;
}

int main(int argc, char **argv) {
    options o;
    sclip_image img;
    char err[512];
    int rc;
    cli__prog = "sclip-attn";
    memset(&o, 0, sizeof o);
    rc = parse_args(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    if (sclip_image_load(o.image, &img, err, sizeof err) != SCLIP_IMAGE_OK) {
        cli_error("%s: %s", o.image, err);
        return 1;
    }
    rc = o.windows ? run_windows(&o, &img) : run_maps(&o, &img);
    sclip_image_free(&img);
    return rc;
}
