/* fuzz_overlay: sclip_overlay.h under AddressSanitizer and UndefinedBehaviorSanitizer.
   Deterministic random cases: images from 1x1 to thin strips and a few large ones, random
   label maps (with values past n_classes), 1..400 classes, names that are NULL, empty, long or
   random bytes (invalid UTF-8, control characters), alphas in [0, 1]; every buffer is
   allocated at its exact size so that any stray access is reported. Also text drawing at
   random positions and scales into exact-size images, and invalid arguments. */
#define SCLIP_OVERLAY_IMPLEMENTATION
#include "sclip_overlay.h"
#include "test_common.h"

#include <limits.h>
#include <stdint.h>

static uint32_t state = 0x9e3779b9u;
static uint32_t rnd(void) { /* xorshift32 */
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}
static int upto(int n) { return (int)(rnd() % (uint32_t)n); }

/* A random NUL-terminated string of 0..60 bytes (any byte but 0). */
static char *random_name(void) {
    int n = upto(61), i;
    char *s = (char *)malloc((size_t)n + 1);
    for (i = 0; i < n; i++) s[i] = (char)(upto(4) ? 32 + upto(95) : 1 + upto(255));
    s[n] = 0;
    return s;
}

static void random_size(int *w, int *h) {
    switch (upto(6)) {
    case 0: *w = 1, *h = 1 + upto(400); break;
    case 1: *w = 1 + upto(400), *h = 1; break;
    case 2: *w = 1 + upto(3), *h = 1 + upto(3); break;
    case 3: *w = 700 + upto(1600), *h = 1 + upto(40); break; /* wide, larger text scale */
    default: *w = 1 + upto(60), *h = 1 + upto(60); break;
    }
}

static void one_overlay(int iter) {
    int w, h, n_classes, ow = 0, oh = 0, i, c, pad = upto(3) ? 0 : 1 + upto(9);
    size_t stride;
    unsigned char *img, *out = NULL;
    uint16_t *lab;
    char **names = NULL;
    float alpha = upto(5) ? (float)upto(1001) / 1000.0f : (float)upto(2);
    random_size(&w, &h);
    n_classes = upto(4) ? 1 + upto(30) : 1 + upto(400);
    stride = (size_t)w * 3 + (size_t)pad;
    img = (unsigned char *)malloc(stride * (size_t)h);
    lab = (uint16_t *)malloc(sizeof(uint16_t) * (size_t)w * (size_t)h);
    for (i = 0; i < (int)stride * h; i++) img[i] = (unsigned char)rnd();
    for (i = 0; i < w * h; i++) {
        int r = upto(20);
        lab[i] = (uint16_t)(r == 0 ? upto(65536) : r == 1 ? n_classes + upto(3) : upto(n_classes));
    }
    if (upto(4)) {
        names = (char **)malloc(sizeof(char *) * (size_t)n_classes);
        for (c = 0; c < n_classes; c++) names[c] = upto(8) ? random_name() : NULL;
    }
    if (sclip_overlay_draw(img, w, h, stride, lab, n_classes, (const char *const *)names, alpha, &out, &ow, &oh) !=
        SCLIP_OVERLAY_OK)
        CHECK(0, "case %d: %dx%d, %d classes: draw failed", iter, w, h, n_classes);
    else {
        CHECK(ow >= w && oh >= h && (ow > w || oh > h) && ow < w + 2000 && oh < h + 2000, "case %d: %dx%d -> %dx%d", iter, w,
              h, ow, oh);
        /* Touch every output byte so that a short allocation shows up. */
        {
            size_t k, sum = 0;
            for (k = 0; k < (size_t)ow * (size_t)oh * 3; k++) sum += out[k];
            CHECK(sum > 0, "case %d: all black", iter);
        }
    }
    sclip_overlay_free(out);
    if (names) {
        for (c = 0; c < n_classes; c++) free(names[c]);
        free(names);
    }
    free(img), free(lab);
}

static void one_text(void) {
    int w = 1 + upto(50), h = 1 + upto(50), scale = upto(8) - 1, x, y, k;
    unsigned char *img = (unsigned char *)calloc((size_t)w * (size_t)h * 3, 1);
    unsigned char col[3] = {1, 2, 3};
    char *s = random_name();
    int tw = sclip_overlay_text_width(s, scale);
    x = upto(5) ? upto(2 * w + 40) - w - 20 : (int)rnd();
    y = upto(5) ? upto(2 * h + 40) - h - 20 : (int)rnd();
    sclip_overlay_text(img, w, h, (size_t)w * 3, x, y, s, scale, col);
    CHECK(tw >= 0, "width %d", tw);
    for (k = 0; k < w * h; k++) { /* ink only inside the box */
        int px = k % w, py = k / w;
        if (img[k * 3]) {
            long long bx = (long long)px - x, by = (long long)py - y;
            CHECK(bx >= 0 && bx < tw && by >= 0 && by < sclip_overlay_text_height(scale), "ink outside the text box");
        }
    }
    free(s), free(img);
}

int main(void) {
    int i;
    unsigned char px[3] = {1, 2, 3}, *out;
    uint16_t lab[1] = {0};
    int ow, oh;
    for (i = 0; i < 1500; i++) one_overlay(i);
    for (i = 0; i < 20000; i++) one_text();
    /* Bad arguments are refused without touching memory. */
    CHECK(sclip_overlay_draw(px, 1, 1, 2, lab, 1, NULL, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK, "short stride");
    CHECK(sclip_overlay_draw(px, 1, 1, 3, lab, -5, NULL, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK, "negative classes");
    CHECK(sclip_overlay_draw(px, INT_MAX, INT_MAX, 3, lab, 1, NULL, 0.5f, &out, &ow, &oh) != SCLIP_OVERLAY_OK, "huge image");
    sclip_overlay_text(NULL, 5, 5, 15, 0, 0, "x", 1, px);
    sclip_overlay_text(px, 1, 1, 3, 0, 0, "x", 1, NULL);
    sclip_overlay_text(px, 1, 1, 2, 0, 0, "x", 1, px);
    return test_done("fuzz_overlay");
}
