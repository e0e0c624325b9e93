/* test_overlay: sclip_overlay.h - the palette against the PASCAL VOC definition, the blend and
   boundary formulas pixel by pixel, the built-in font (every glyph inked, distinct, inside its
   box, clipped at the image edges, scaled by pixel replication), the legend (exactly the
   present classes, in order, with their names and shares found as rendered text), "+N more",
   layouts for tall, wide and tiny images, and argument errors; sclip_overlay_draw returns exactly
   0 (SCLIP_OVERLAY_OK, as sclip.h's SCLIP_OK) on success and SCLIP_OVERLAY_ERROR (non-zero) on
   failure. Needs no shared files. */
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"
#include "test_common.h"

#include <limits.h>
#include <stdint.h>

/* ---- helpers ---------------------------------------------------------------------------- */

static uint32_t rng_state = 12345u;
static uint32_t rng(void) { /* xorshift32 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* PASCAL VOC colour map as published with the dataset (bitget interleaving), written out here
   independently of the header. */
static void voc_color(int c, unsigned char rgb[3]) {
    int r = 0, g = 0, b = 0, j, id = c;
    for (j = 0; j < 8; j++) {
        r |= ((id >> 0) & 1) << (7 - j);
        g |= ((id >> 1) & 1) << (7 - j);
        b |= ((id >> 2) & 1) << (7 - j);
        id >>= 3;
    }
    rgb[0] = (unsigned char)r, rgb[1] = (unsigned char)g, rgb[2] = (unsigned char)b;
}

static int same3(const unsigned char *a, const unsigned char *b) { return a[0] == b[0] && a[1] == b[1] && a[2] == b[2]; }

/* Renders text on a black canvas of exactly its box; returns the canvas (w x h RGB). */
static unsigned char *render(const char *text, int scale, int *w, int *h) {
    static const unsigned char white[3] = {255, 255, 255};
    unsigned char *c;
    *w = sclip_overlay_text_width(text, scale);
    *h = sclip_overlay_text_height(scale);
    c = (unsigned char *)calloc((size_t)(*w > 0 ? *w : 1) * (size_t)*h * 3, 1);
    if (*w > 0) sclip_overlay_text(c, *w, *h, (size_t)*w * 3, 0, 0, text, scale, white);
    return c;
}

/* Legend ink: the legend is white with dark text; anything this dark in a text box is ink. */
static int dark(const unsigned char *p) { return p[0] + p[1] + p[2] < 200; }

/* Is `text` (at `scale`) drawn somewhere with its box inside [x0,x1) x [y0,y1) of img? The
   box must match exactly: ink where the glyphs have pixels, no ink elsewhere. */
static int find_text(const unsigned char *img, int W, int x0, int y0, int x1, int y1, const char *text, int scale) {
    int tw, th, x, y, i, j, found = 0;
    unsigned char *t = render(text, scale, &tw, &th);
    for (y = y0; y + th <= y1 && !found; y++)
        for (x = x0; x + tw <= x1 && !found; x++) {
            int ok = 1;
            for (j = 0; j < th && ok; j++)
                for (i = 0; i < tw && ok; i++)
                    ok = dark(img + ((size_t)(y + j) * W + x + i) * 3) == (t[((size_t)j * tw + i) * 3] != 0);
            found = ok;
        }
    free(t);
    return found;
}

/* Pixels of exactly colour `col` in img outside the top-left w x h image; *top = first row. */
static long count_color(const unsigned char *img, int W, int H, int w, int h, const unsigned char col[3], int *top) {
    long n = 0;
    int x, y;
    *top = -1;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++)
            if ((x >= w || y >= h) && same3(img + ((size_t)y * W + x) * 3, col)) {
                if (*top < 0) *top = y;
                n++;
            }
    return n;
}

static unsigned char *random_image(int w, int h) {
    unsigned char *p = (unsigned char *)malloc((size_t)w * h * 3);
    size_t i;
    for (i = 0; i < (size_t)w * h * 3; i++) p[i] = (unsigned char)(rng() >> 24);
    return p;
}

/* ---- palette ---------------------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_palette(void) {
    unsigned char a[3], b[3];
    uint32_t *all = (uint32_t *)malloc(65536 * sizeof *all);
    int c, dups = 0;
    for (c = 1; c < 256; c++) {
        sclip_overlay_color(c, a);
        voc_color(c, b);
        CHECK(same3(a, b), "class %d: (%d,%d,%d), VOC (%d,%d,%d)", c, a[0], a[1], a[2], b[0], b[1], b[2]);
    }
    sclip_overlay_color(0, a);
    CHECK(a[0] == 255 && a[1] == 255 && a[2] == 255, "class 0 is documented white");
    sclip_overlay_color(15, a); /* VOC person */
    CHECK(a[0] == 192 && a[1] == 128 && a[2] == 128, "person (%d,%d,%d)", a[0], a[1], a[2]);
    sclip_overlay_color(1, a); /* VOC aeroplane */
    CHECK(a[0] == 128 && a[1] == 0 && a[2] == 0, "aeroplane");
    sclip_overlay_color(255, a); /* VOC void */
    CHECK(a[0] == 224 && a[1] == 224 && a[2] == 192, "void");
    sclip_overlay_color(-3, a);
    CHECK(a[0] == 128 && a[1] == 128 && a[2] == 128, "negative class: grey");
    for (c = 0; c < 65536; c++) {
        sclip_overlay_color(c, a);
        all[c] = (uint32_t)a[0] << 16 | (uint32_t)a[1] << 8 | a[2];
    }
    qsort(all, 65536, sizeof *all, cmp_u32);
    for (c = 1; c < 65536; c++) dups += all[c] == all[c - 1];
    CHECK(dups == 0, "%d repeated colours among classes 0..65535", dups);
    free(all);
    CHECK(sclip_overlay_scale(64, 64) == 1 && sclip_overlay_scale(451, 300) == 1 && sclip_overlay_scale(700, 10) == 2 &&
              sclip_overlay_scale(2048, 1024) == 3 && sclip_overlay_scale(100000, 1) == 8,
          "documented text scales");
}

/* ---- font ------------------------------------------------------------------------------- */

static void test_glyphs(void) {
    /* Each glyph drawn alone at (3, 4) in a 12 x 16 canvas: ink only inside the 5 x 9 box. */
    enum { CW = 12, CH = 16 };
    static unsigned char bits[95][9 * 5];
    static const unsigned char ink[3] = {255, 255, 255};
    int g, k, x, y;
    for (g = 1; g < 95; g++) {
        unsigned char canvas[CW * CH * 3];
        char s[2];
        int n = 0, outside = 0;
        s[0] = (char)(g + 32), s[1] = 0;
        memset(canvas, 0, sizeof canvas);
        sclip_overlay_text(canvas, CW, CH, CW * 3, 3, 4, s, 1, ink);
        for (y = 0; y < CH; y++)
            for (x = 0; x < CW; x++) {
                int on = canvas[(y * CW + x) * 3] != 0;
                if (x >= 3 && x < 8 && y >= 4 && y < 13) {
                    bits[g][(y - 4) * 5 + x - 3] = (unsigned char)on;
                    n += on;
                } else
                    outside += on;
            }
        CHECK(n > 0, "glyph '%c' has no pixel", g + 32);
        CHECK(outside == 0, "glyph '%c' draws %d pixels outside its 5x9 box", g + 32, outside);
        for (k = 1; k < g; k++) CHECK(memcmp(bits[k], bits[g], sizeof bits[g]) != 0, "glyphs '%c' and '%c' are identical", k + 32, g + 32);
    }
    { /* space: nothing */
        int w, h;
        unsigned char *c = render(" ", 1, &w, &h);
        CHECK(w == 5 && h == 9 && !memchr(c, 255, (size_t)w * h * 3), "space draws nothing");
        free(c);
    }
    /* Scale 3 replicates every font pixel into a 3 x 3 block. */
    for (g = 1; g < 95; g++) {
        char s[2];
        int w, h, bad = 0;
        unsigned char *c;
        s[0] = (char)(g + 32), s[1] = 0;
        c = render(s, 3, &w, &h);
        if (w != 15 || h != 27) {
            CHECK(0, "scale 3 box %dx%d", w, h);
            free(c);
            continue;
        }
        for (y = 0; y < h; y++)
            for (x = 0; x < w; x++) bad += (c[(y * w + x) * 3] != 0) != bits[g][(y / 3) * 5 + x / 3];
        CHECK(bad == 0, "glyph '%c' at scale 3 differs from the scale-1 glyph in %d pixels", g + 32, bad);
        free(c);
    }
}

static void test_text(void) {
    static const unsigned char ink[3] = {10, 200, 30};
    int w1, h1, w2, h2, x, y, outside = 0, inside = 0;
    unsigned char *a, *b, *buf;
    CHECK(sclip_overlay_text_width("abc", 2) == 34, "width abc x2 = %d", sclip_overlay_text_width("abc", 2));
    CHECK(sclip_overlay_text_width("", 3) == 0 && sclip_overlay_text_width(NULL, 3) == 0, "empty width");
    CHECK(sclip_overlay_text_width("x", 0) == 5 && sclip_overlay_text_width("x", -4) == 5, "scale clamps to 1");
    CHECK(sclip_overlay_text_height(1) == 9 && sclip_overlay_text_height(4) == 36 && sclip_overlay_text_height(0) == 9, "heights");
    CHECK(sclip_overlay_text_width("caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80", 1) == sclip_overlay_text_width("caf? ??", 1),
          "one glyph per UTF-8 character");
    /* Non-ASCII and control characters are drawn as '?'. */
    a = render("a\xc3\xa9" "b\t\xe2\x82\xac", 1, &w1, &h1);
    b = render("a?b??", 1, &w2, &h2);
    CHECK(w1 == w2 && h1 == h2 && memcmp(a, b, (size_t)w1 * h1 * 3) == 0, "UTF-8 drawn as '?'");
    free(a), free(b);
    /* A string with descenders at scale 2, at (7, 5) in a 200 x 40 image: ink only in its box,
       in the given colour, and some ink in the descender rows. */
    {
        const char *s = "Jumpy gq|{}@,;_";
        int tw = sclip_overlay_text_width(s, 2), th = sclip_overlay_text_height(2), desc = 0;
        buf = (unsigned char *)calloc(200 * 40 * 3, 1);
        sclip_overlay_text(buf, 200, 40, 600, 7, 5, s, 2, ink);
        for (y = 0; y < 40; y++)
            for (x = 0; x < 200; x++) {
                const unsigned char *p = buf + (y * 200 + x) * 3;
                int on = p[0] || p[1] || p[2];
                if (on && !same3(p, ink)) outside += 1000;
                if (x >= 7 && x < 7 + tw && y >= 5 && y < 5 + th) {
                    inside += on;
                    desc += on && y >= 5 + 14;
                } else
                    outside += on;
            }
        CHECK(outside == 0, "text pixels outside the box: %d", outside);
        CHECK(inside > 100 && desc > 0, "text drawn (%d pixels, %d in descenders)", inside, desc);
        free(buf);
    }
    /* Clipping: a 30 x 20 window inside a 50 x 40 buffer (stride 150); text at negative and
       far positions must not touch anything outside the window. */
    {
        int gx, gy, pos, bad = 0;
        static const int px[] = {-20, -3, 25, 29, 30, 100000, -100000, 5};
        static const int py[] = {-15, -2, 14, 19, 20, -100000, 100000, 5};
        buf = (unsigned char *)calloc(50 * 40 * 3, 1);
        for (pos = 0; pos < 8; pos++)
            sclip_overlay_text(buf + (10 * 50 + 10) * 3, 30, 20, 150, px[pos], py[pos], "Wg@#", 3, ink);
        sclip_overlay_text(buf + (10 * 50 + 10) * 3, 30, 20, 150, INT_MAX - 5, INT_MIN + 5, "W", 64, ink);
        sclip_overlay_text(buf + (10 * 50 + 10) * 3, 30, 20, 150, 0, 0, NULL, 1, ink);
        for (gy = 0; gy < 40; gy++)
            for (gx = 0; gx < 50; gx++) {
                int in = gx >= 10 && gx < 40 && gy >= 10 && gy < 30;
                if (!in && buf[(gy * 50 + gx) * 3 + 1]) bad++;
                if (in) inside += buf[(gy * 50 + gx) * 3 + 1] != 0;
            }
        CHECK(bad == 0, "%d pixels written outside the clipped window", bad);
        CHECK(inside > 0, "clipped text still drawn inside");
        free(buf);
    }
}

/* ---- blend and boundaries ---------------------------------------------------------------- */

/* The documented overlay of the top-left image, computed here from the definition. */
/* bg: class 0 is named "background" (palette c, white for 0); otherwise class c takes palette c + 1. */
static int check_blend(const unsigned char *img, int w, int h, const uint16_t *lab, int ncls, float alpha,
                       const unsigned char *out, int ow, int bg) {
    int A = (int)(alpha * 256.0f + 0.5f), x, y, k, bad = 0;
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            int l = lab[y * w + x] < ncls ? lab[y * w + x] : ncls;
            int r = x + 1 < w ? (lab[y * w + x + 1] < ncls ? lab[y * w + x + 1] : ncls) : l;
            int d = y + 1 < h ? (lab[(y + 1) * w + x] < ncls ? lab[(y + 1) * w + x] : ncls) : l;
            unsigned char col[3];
            voc_color(bg ? l : l + 1, col);
            if (bg && l == 0) col[0] = col[1] = col[2] = 255;
            for (k = 0; k < 3; k++) {
                int p = img[(y * w + x) * 3 + k];
                int v = l < ncls ? (p * (256 - A) + col[k] * A + 128) >> 8 : p;
                if (r != l || d != l) v >>= 1;
                bad += out[((size_t)y * ow + x) * 3 + k] != v;
            }
        }
    return bad;
}

static void test_blend(void) {
    enum { W = 90, H = 60 };
    static const float alphas[] = {0.5f, 0.3f, 0.0f, 1.0f};
    unsigned char *img = random_image(W, H), *out;
    uint16_t lab[W * H];
    int x, y, i, ow, oh;
    /* Quadrants of classes 0..3, a band of unlabelled 500 and single pixels of class 4. */
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) lab[y * W + x] = (uint16_t)(y > 50 ? 500 : (x >= 45) + 2 * (y >= 30));
    lab[10 * W + 10] = 4, lab[40 * W + 70] = 4, lab[0] = 4;
    for (i = 0; i < 8; i++) { /* without names (class 0 is a class like any other), and with "Background" */
        static const char *const bg_names[5] = {"Background", "a", "b", "c", "d"};
        int bad, bg = i >= 4;
        CHECK(sclip_overlay_draw(img, W, H, W * 3, lab, 5, bg ? bg_names : NULL, alphas[i % 4], &out, &ow, &oh) == SCLIP_OVERLAY_OK,
              "draw");
        if (!out) continue;
        CHECK(ow > W && oh == H, "legend on the right: %dx%d", ow, oh);
        bad = check_blend(img, W, H, lab, 5, alphas[i % 4], out, ow, bg);
        CHECK(bad == 0, "alpha %.1f, %s: %d channel values differ from the documented blend", alphas[i % 4],
              bg ? "class 0 named Background (white)" : "no names (class 0 coloured)", bad);
        sclip_overlay_free(out);
    }
    /* A row stride larger than 3w: same result as the packed image. */
    {
        unsigned char *wide = (unsigned char *)malloc((size_t)H * (W * 3 + 7));
        for (y = 0; y < H; y++) memcpy(wide + (size_t)y * (W * 3 + 7), img + (size_t)y * W * 3, W * 3);
        CHECK(sclip_overlay_draw(wide, W, H, W * 3 + 7, lab, 5, NULL, 0.5f, &out, &ow, &oh) == SCLIP_OVERLAY_OK, "draw with stride");
        if (out) CHECK(check_blend(img, W, H, lab, 5, 0.5f, out, ow, 0) == 0, "stride honoured");
        sclip_overlay_free(out);
        free(wide);
    }
    free(img);
}

/* ---- legend ----------------------------------------------------------------------------- */

static void test_legend(void) {
    enum { W = 200, H = 150, N = 10 };
    const char *names[N] = {"background", "aeroplane", "bicycle", "television monitor with stand", "caf\xc3\xa9",
                            "bottle", "bus", "", "cat", NULL};
    /* present: 1 (40%), 3 (30%), 4 (20%), 7 (10% - 1 pixel), 9 (1 pixel); absent: 0 2 5 6 8 */
    static const int present[] = {1, 3, 4, 7, 9};
    static const char *shown[] = {"aeroplane", "television monitor..", "caf?", "class 7", "class 9"};
    static const char *shares[] = {"40.0%", "30.0%", "20.0%", "10.0%", "<0.1%"};
    unsigned char *img = random_image(W, H), *out, col[3];
    uint16_t *lab = (uint16_t *)malloc(sizeof(uint16_t) * W * H);
    int x, y, c, ow, oh, s = sclip_overlay_scale(W, H), prev_top = -1;
    long area = -1;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) lab[y * W + x] = (uint16_t)(x < 80 ? 1 : x < 140 ? 3 : x < 180 ? 4 : 7);
    lab[H / 2 * W + 190] = 9;
    if (sclip_overlay_draw(img, W, H, W * 3, lab, N, names, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK) {
        CHECK(0, "draw failed");
        return;
    }
    CHECK(ow > W && oh == H, "right panel, %dx%d", ow, oh);
    for (c = 1; c < N; c++) { /* swatches: exactly the present classes, same size, by share */
        int top, k, is = 0;
        long n;
        for (k = 0; k < 5; k++) is |= present[k] == c;
        sclip_overlay_color(c, col);
        n = count_color(out, ow, oh, W, H, col, &top);
        if (!is) {
            CHECK(n == 0, "absent class %d has %ld swatch pixels in the legend", c, n);
            continue;
        }
        CHECK(n > 20, "class %d: swatch of %ld pixels", c, n);
        if (area < 0) area = n;
        CHECK(n == area, "class %d: swatch of %ld pixels, others %ld", c, n, area);
        CHECK(top > prev_top, "class %d listed after a class with a larger share", c);
        prev_top = top;
    }
    for (c = 0; c < 5; c++) {
        CHECK(find_text(out, ow, W, 0, ow, oh, shown[c], s), "legend lacks the name \"%s\"", shown[c]);
        CHECK(find_text(out, ow, W, 0, ow, oh, shares[c], s), "legend lacks the share \"%s\"", shares[c]);
    }
    CHECK(!find_text(out, ow, W, 0, ow, oh, "bicycle", s) && !find_text(out, ow, W, 0, ow, oh, "background", s) &&
              !find_text(out, ow, W, 0, ow, oh, "more", s),
          "absent classes or \"more\" in the legend");
    sclip_overlay_free(out);
    /* Every pixel unlabelled: image unchanged, legend says "(unlabelled)". */
    for (x = 0; x < W * H; x++) lab[x] = 65535;
    CHECK(sclip_overlay_draw(img, W, H, W * 3, lab, N, names, 0.5f, &out, &ow, &oh) == SCLIP_OVERLAY_OK, "draw unlabelled");
    if (out) {
        CHECK(check_blend(img, W, H, lab, N, 0.5f, out, ow, 1) == 0, "unlabelled pixels keep the image");
        CHECK(find_text(out, ow, W, 0, ow, oh, "(unlabelled)", s), "\"(unlabelled)\"");
        sclip_overlay_free(out);
    }
    free(lab), free(img);
}

/* 300 classes on a 64x64 image: the legend lists the first ones and "+N more". */
static void test_more(void) {
    enum { W = 64, H = 64, N = 300 };
    unsigned char *img = random_image(W, H), *out, col[3];
    uint16_t lab[W * H];
    int i, c, ow, oh, more = 0, hits = 0, bad = 0, top;
    for (i = 0; i < W * H; i++) lab[i] = (uint16_t)(i % N); /* 0..195: 14 pixels, 196..299: 13 */
    if (sclip_overlay_draw(img, W, H, W * 3, lab, N, NULL, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK) {
        CHECK(0, "draw failed");
        return;
    }
    CHECK(oh == H && ow > W, "64x64 keeps its height: %dx%d", ow, oh);
    for (i = 1; i <= N; i++) {
        char t[32];
        snprintf(t, sizeof t, "+%d more", i);
        if (find_text(out, ow, W, 0, ow, oh, t, 1)) more = i, hits++;
    }
    CHECK(hits == 1 && more >= N - 6 && more < N, "one \"+N more\" line, N = %d (%d found)", more, hits);
    /* Ties are listed by class index, so the first N - more classes are shown. */
    for (c = 1; c < N; c++) {
        long n;
        sclip_overlay_class_color(c, NULL, col);
        n = count_color(out, ow, oh, W, H, col, &top);
        bad += (c < N - more) != (n > 0);
    }
    CHECK(bad == 0, "%d classes wrongly shown or hidden", bad);
    CHECK(find_text(out, ow, W, 0, ow, oh, "class 0", 1) && find_text(out, ow, W, 0, ow, oh, "0.3%", 1),
          "first entry \"class 0\" with 14/4096 = 0.3%%");
    sclip_overlay_free(out);
    free(img);
}

/* Layouts: wide images get the legend below; tiny images work. */
static void test_layouts(void) {
    static const int sizes[][2] = {{1, 1}, {1, 300}, {300, 1}, {2, 2}, {3, 1}, {1200, 200}, {2048, 1024}};
    int k;
    for (k = 0; k < 7; k++) {
        int w = sizes[k][0], h = sizes[k][1], ow, oh, i, s = sclip_overlay_scale(w, h);
        unsigned char *img = random_image(w, h), *out;
        uint16_t *lab = (uint16_t *)malloc(sizeof(uint16_t) * (size_t)w * h);
        for (i = 0; i < w * h; i++) lab[i] = (uint16_t)(i % 7 == 6 ? 999 : i * 3 % 7);
        if (sclip_overlay_draw(img, w, h, (size_t)w * 3, lab, 21, NULL, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK) {
            CHECK(0, "%dx%d: draw failed", w, h);
            free(img), free(lab);
            continue;
        }
        CHECK(check_blend(img, w, h, lab, 21, 0.5f, out, ow, 0) == 0, "%dx%d: blend", w, h);
        if (w > 2 * h) {
            CHECK(ow >= w && oh > h, "%dx%d: legend below (%dx%d)", w, h, ow, oh);
            CHECK(find_text(out, ow, 0, h, ow, oh, "class 0", s), "%dx%d: legend text below", w, h);
        } else {
            CHECK(ow > w && oh >= h, "%dx%d: legend right (%dx%d)", w, h, ow, oh);
            CHECK(find_text(out, ow, w, 0, ow, oh, "class 0", s), "%dx%d: legend text right", w, h);
        }
        if (w * h >= 7) /* the legend of the big images shows all six classes */
            CHECK(find_text(out, ow, 0, 0, ow, oh, "class 5", s), "%dx%d: class 5 listed", w, h);
        sclip_overlay_free(out);
        free(img), free(lab);
    }
}

static void test_errors(void) {
    unsigned char img[4 * 4 * 3] = {0}, *out = (unsigned char *)img;
    uint16_t lab[16] = {0};
    int ow = 7, oh = 7;
#define FAILS(call)                                                                                      \
    do {                                                                                                 \
        out = img, ow = oh = 7;                                                                          \
        CHECK((call) == SCLIP_OVERLAY_ERROR && out == NULL && ow == 0 && oh == 0, "%s should fail", #call); \
    } while (0)
    FAILS(sclip_overlay_draw(NULL, 4, 4, 12, lab, 2, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, NULL, 2, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 0, 4, 12, lab, 2, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, -1, 12, lab, 2, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 11, lab, 2, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, lab, 0, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, lab, 65537, NULL, 0.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, lab, 2, NULL, -0.1f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, lab, 2, NULL, 1.5f, &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 4, 4, 12, lab, 2, NULL, (float)nan(""), &out, &ow, &oh));
    FAILS(sclip_overlay_draw(img, 40000, 1, 120000, lab, 2, NULL, 0.5f, &out, &ow, &oh));
    CHECK(sclip_overlay_draw(img, 4, 4, 12, lab, 2, NULL, 0.5f, NULL, &ow, &oh) == SCLIP_OVERLAY_ERROR, "NULL out");
    CHECK(sclip_overlay_draw(img, 4, 4, 12, lab, 2, NULL, 0.5f, &out, NULL, &oh) == SCLIP_OVERLAY_ERROR, "NULL out_w");
#undef FAILS
    sclip_overlay_free(NULL);
}

/* The result convention: exactly 0 on success, SCLIP_OVERLAY_ERROR (non-zero) on failure; the
   old one (1 = success, 0 = failure) fails here. */
static void test_results(void) {
    unsigned char img[8 * 6 * 3], *out = NULL;
    uint16_t lab[8 * 6];
    int i, r, ow = 0, oh = 0;
    for (i = 0; i < 8 * 6; i++) lab[i] = (uint16_t)(i % 3), img[3 * i] = img[3 * i + 1] = img[3 * i + 2] = (unsigned char)(5 * i);
    CHECK(SCLIP_OVERLAY_OK == 0 && SCLIP_OVERLAY_ERROR != 0, "result constants: OK %d, ERROR %d", SCLIP_OVERLAY_OK,
          SCLIP_OVERLAY_ERROR);
    r = sclip_overlay_draw(img, 8, 6, 8 * 3, lab, 3, NULL, 0.5f, &out, &ow, &oh);
    CHECK(r == 0 && out != NULL && ow > 8 && oh >= 6, "draw: returned %d on success (%dx%d)", r, ow, oh);
    sclip_overlay_free(out);
    r = sclip_overlay_draw(img, 8, 6, 8 * 3 - 1, lab, 3, NULL, 0.5f, &out, &ow, &oh);
    CHECK(r != 0 && r == SCLIP_OVERLAY_ERROR && out == NULL, "draw with a short stride: returned %d", r);
    printf("results: 0 on success, SCLIP_OVERLAY_ERROR (%d) on failure\n", SCLIP_OVERLAY_ERROR);
}

int main(void) {
    test_palette();
    test_glyphs();
    test_text();
    test_blend();
    test_legend();
    test_more();
    test_layouts();
    test_errors();
    test_results();
    return test_done("test_overlay");
}
