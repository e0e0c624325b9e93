/* sclip_overlay.h - segmentation overlays with a legend and a built-in bitmap font, v0.1.
   Part of sclip; public domain or MIT (see the end of the file).

   Draws what the sclip-seg program shows: the image blended with one colour per class, thin
   darker lines where the label changes, and a legend (colour swatch, class name, share of the
   image in percent) for the classes that occur, largest first. The text comes from a built-in
   5x7 bitmap font (printable ASCII, descenders below the baseline), drawn for sclip; no font
   files, no third-party code, no dependencies beyond the C standard library.

   Do this in exactly one C or C++ file:
       #define SCLIP_OVERLAY_IMPLEMENTATION
       #include "sclip_overlay.h"

   Quick start
       unsigned char *ov; int ow, oh;
       if (sclip_overlay_draw(rgb, w, h, (size_t)w * 3, labels, n_classes, names, 0.5f, &ov, &ow, &oh) == SCLIP_OVERLAY_OK) {
           ... ov: ow x oh RGB, row stride ow * 3 ...
           sclip_overlay_free(ov);
       }

   The overlay, exactly (tests/test_overlay.c checks these formulas)
     Blend     A = round(256 * alpha) (alpha in [0, 1]); for a pixel p of class c with colour k:
                   out = (p * (256 - A) + k * A + 128) >> 8        per channel
               Labels >= n_classes count as "unlabelled": those pixels keep the image value and
               never appear in the legend (e.g. the 255 "ignore" value of VOC ground truth).
     Lines     A pixel whose label differs from its right or lower neighbour (unlabelled counts
               as one more label) is a boundary pixel: its value above is halved (v >> 1).
     Colours   Class c is drawn in palette colour c when class 0 is named "background" (any
               case), in palette colour c + 1 otherwise (sclip_overlay_class_color): a
               background washes out white, and a first class such as "cat" stays visible.
               The palette, sclip_overlay_color(): colour 0 is white (255,255,255) - the PASCAL
               VOC palette makes it black, which on an overlay only darkens the image and hides
               the swatch; white washes the "background" out instead and keeps objects vivid. Colours
               1..255 are the PASCAL VOC colours (bit-interleaving palette: bit 3j of c goes to
               bit 7-j of red, bit 3j+1 to green, bit 3j+2 to blue): 1 = (128,0,0), 2 = (0,128,0),
               15 = (192,128,128) ... Colours 256 and above continue the same interleaving over
               the whole index (all 65536 colours are distinct, but colours 256 apart are
               close). Negative c gives grey (128,128,128).
     Output    The blended image sits at the top left of the output, unchanged in size. The
               legend is a white panel with dark text:
                 - on the right when w <= 2 h: same height as the image, taller only when
                   the image is too short for the entries (up to 4 rows);
                 - below, in several columns read left to right, for wider images.
               Each entry: swatch (class colour, grey 1-pixel frame), name (at most 20
               characters; longer names end in ".."; NULL or empty names read "class N";
               bytes >= 0x80 are decoded as UTF-8 and each character drawn as '?'), and the
               share of the image's pixels, e.g. "42.5%" ("<0.1%" for a share that rounds to
               0). Entries are sorted by pixel count (largest first, ties by class index).
               When the entries do not fit (the panel has room for max(4, image height /
               row height) rows), the last row reads "+N more". An image with no labelled pixel
               gets a single row "(unlabelled)".
     Scale     Text scale s = sclip_overlay_scale(w, h) = 1 + max(w, h) / 700 (at most 8):
               glyphs are 5s x 7s (9s with descenders), 6s apart, in legend rows 12s high.
               Images up to 699 pixels a side get 7-pixel capitals, 700..1399 14-pixel,
               2048x1024 21-pixel ones.

   Build options
     SCLIP_OVERLAY_STATIC            make every function static
     SCLIP_OVERLAY_DEF               linkage of the functions (default extern)
     SCLIP_OVERLAY_MALLOC / _FREE    your allocator (define both or neither)

   Results: the one function that can fail, sclip_overlay_draw, returns 0 on success and
   non-zero on failure (SCLIP_OVERLAY_OK / SCLIP_OVERLAY_ERROR), like sclip.h's sclip_result
   (SCLIP_OK = 0); it takes no err (its failures are bad arguments and out of memory). The
   others return values (widths, heights, the scale) or nothing.

   Limits: sides up to SCLIP_OVERLAY_MAX_SIDE (32768), at most SCLIP_OVERLAY_MAX_PIXELS (2^28)
   pixels, 1 <= n_classes <= 65536 (labels are uint16_t); larger inputs fail (SCLIP_OVERLAY_ERROR).
*/
#ifndef SCLIP_OVERLAY_H
#define SCLIP_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#ifndef SCLIP_OVERLAY_DEF
#ifdef SCLIP_OVERLAY_STATIC
#define SCLIP_OVERLAY_DEF static
#else
#define SCLIP_OVERLAY_DEF extern
#endif
#endif

#ifndef SCLIP_OVERLAY_MAX_SIDE
#define SCLIP_OVERLAY_MAX_SIDE 32768
#endif
#ifndef SCLIP_OVERLAY_MAX_PIXELS
#define SCLIP_OVERLAY_MAX_PIXELS ((size_t)1 << 28)
#endif

/* What sclip_overlay_draw returns. */
#define SCLIP_OVERLAY_OK 0
#define SCLIP_OVERLAY_ERROR (-1)

/* The font: glyph cell in pixels at scale 1 (5x9 ink box, 6-pixel advance). */
#define SCLIP_OVERLAY_GLYPH_W 5
#define SCLIP_OVERLAY_GLYPH_H 9
#define SCLIP_OVERLAY_ADVANCE 6

#ifdef __cplusplus
extern "C" {
#endif

/* Blends a colour per class over the image and adds a legend with the class names (see the
   top comment for the exact rules). rgb: interleaved 8-bit RGB, w x h, row stride in bytes;
   labels: h x w class indices, row-major, stride w; names: n_classes UTF-8 strings (NULL for
   "class N" everywhere); alpha in [0, 1]: weight of the class colour. On success *out holds
   the new image (*out_w x *out_h, 3 channels, stride 3 * *out_w) and 0 (SCLIP_OVERLAY_OK) is
   returned; on failure (bad arguments, out of memory) SCLIP_OVERLAY_ERROR (non-zero), with
   *out = NULL. Free with sclip_overlay_free(*out). */
SCLIP_OVERLAY_DEF int sclip_overlay_draw(const unsigned char *rgb, int w, int h, size_t stride,
                                         const uint16_t *labels, int n_classes,
                                         const char *const *names, float alpha,
                                         unsigned char **out, int *out_w, int *out_h);
SCLIP_OVERLAY_DEF void sclip_overlay_free(unsigned char *p);

/* The palette: colour c (white for 0, PASCAL VOC for 1..255, see the top comment). */
SCLIP_OVERLAY_DEF void sclip_overlay_color(int c, unsigned char rgb[3]);
/* The colour sclip_overlay_draw gives class c with these class names: the palette's c when
   class 0 is named "background" (any case; white for it, the VOC colours for the others),
   otherwise the palette's c + 1, so that a first class such as "cat" gets a colour too. */
SCLIP_OVERLAY_DEF void sclip_overlay_class_color(int c, const char *const *names, unsigned char rgb[3]);

/* The text scale the overlay uses for a w x h image: 1 + max(w, h) / 700, at most 8. */
SCLIP_OVERLAY_DEF int sclip_overlay_scale(int w, int h);

/* Text with the built-in font, one line (control characters and non-ASCII UTF-8 characters
   are drawn as '?'). scale is clamped to 1..64. The text box is text_width x text_height
   with its top-left corner at (x, y): every glyph pixel lands inside it, and pixels outside
   the w x h image are skipped (x, y may be negative). Width = (6 * glyphs - 1) * scale,
   0 for an empty string; height = 9 * scale (capitals take the top 7 * scale rows). */
SCLIP_OVERLAY_DEF int sclip_overlay_text_width(const char *text, int scale);
SCLIP_OVERLAY_DEF int sclip_overlay_text_height(int scale);
SCLIP_OVERLAY_DEF void sclip_overlay_text(unsigned char *rgb, int w, int h, size_t stride, int x, int y,
                                          const char *text, int scale, const unsigned char color[3]);

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_OVERLAY_H */

#ifdef SCLIP_OVERLAY_IMPLEMENTATION
#ifndef SCLIP_OVERLAY_IMPLEMENTATION_DONE
#define SCLIP_OVERLAY_IMPLEMENTATION_DONE

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#if defined(SCLIP_OVERLAY_MALLOC) != defined(SCLIP_OVERLAY_FREE)
#error "define both SCLIP_OVERLAY_MALLOC and SCLIP_OVERLAY_FREE, or neither"
#endif
#ifndef SCLIP_OVERLAY_MALLOC
#define SCLIP_OVERLAY_MALLOC(n) malloc(n)
#define SCLIP_OVERLAY_FREE(p) free(p)
#endif

/* ============================================================================================
   Font: printable ASCII 32..126, 9 rows of 5 pixels each, bit 4 = leftmost column. Rows 0-6
   hold capitals and digits (baseline below row 6), rows 7-8 the descenders of g j p q y , ;
   The source drawings are in tools/gen_overlay_font.py, which prints this table.
   ============================================================================================ */
static const unsigned char sclip__ovl_font[95][9] = {
    {0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00}, /* space */
    {0x04,0x04,0x04,0x04,0x04,0x00,0x04,0x00,0x00}, /* ! */
    {0x0a,0x0a,0x0a,0x00,0x00,0x00,0x00,0x00,0x00}, /* " */
    {0x0a,0x0a,0x1f,0x0a,0x1f,0x0a,0x0a,0x00,0x00}, /* # */
    {0x04,0x0f,0x14,0x0e,0x05,0x1e,0x04,0x00,0x00}, /* $ */
    {0x18,0x19,0x02,0x04,0x08,0x13,0x03,0x00,0x00}, /* % */
    {0x0c,0x12,0x14,0x08,0x15,0x12,0x0d,0x00,0x00}, /* & */
    {0x04,0x04,0x08,0x00,0x00,0x00,0x00,0x00,0x00}, /* quote */
    {0x02,0x04,0x08,0x08,0x08,0x04,0x02,0x00,0x00}, /* ( */
    {0x08,0x04,0x02,0x02,0x02,0x04,0x08,0x00,0x00}, /* ) */
    {0x00,0x04,0x15,0x0e,0x15,0x04,0x00,0x00,0x00}, /* * */
    {0x00,0x04,0x04,0x1f,0x04,0x04,0x00,0x00,0x00}, /* + */
    {0x00,0x00,0x00,0x00,0x00,0x0c,0x0c,0x04,0x08}, /* , */
    {0x00,0x00,0x00,0x0e,0x00,0x00,0x00,0x00,0x00}, /* - */
    {0x00,0x00,0x00,0x00,0x00,0x0c,0x0c,0x00,0x00}, /* . */
    {0x01,0x01,0x02,0x04,0x08,0x10,0x10,0x00,0x00}, /* / */
    {0x0e,0x11,0x13,0x15,0x19,0x11,0x0e,0x00,0x00}, /* 0 */
    {0x04,0x0c,0x04,0x04,0x04,0x04,0x0e,0x00,0x00}, /* 1 */
    {0x0e,0x11,0x01,0x02,0x04,0x08,0x1f,0x00,0x00}, /* 2 */
    {0x1f,0x02,0x04,0x02,0x01,0x11,0x0e,0x00,0x00}, /* 3 */
    {0x02,0x06,0x0a,0x12,0x1f,0x02,0x02,0x00,0x00}, /* 4 */
    {0x1f,0x10,0x1e,0x01,0x01,0x11,0x0e,0x00,0x00}, /* 5 */
    {0x06,0x08,0x10,0x1e,0x11,0x11,0x0e,0x00,0x00}, /* 6 */
    {0x1f,0x01,0x02,0x04,0x08,0x08,0x08,0x00,0x00}, /* 7 */
    {0x0e,0x11,0x11,0x0e,0x11,0x11,0x0e,0x00,0x00}, /* 8 */
    {0x0e,0x11,0x11,0x0f,0x01,0x02,0x0c,0x00,0x00}, /* 9 */
    {0x00,0x0c,0x0c,0x00,0x0c,0x0c,0x00,0x00,0x00}, /* : */
    {0x00,0x0c,0x0c,0x00,0x0c,0x0c,0x04,0x08,0x00}, /* ; */
    {0x02,0x04,0x08,0x10,0x08,0x04,0x02,0x00,0x00}, /* < */
    {0x00,0x00,0x1f,0x00,0x1f,0x00,0x00,0x00,0x00}, /* = */
    {0x08,0x04,0x02,0x01,0x02,0x04,0x08,0x00,0x00}, /* > */
    {0x0e,0x11,0x01,0x02,0x04,0x00,0x04,0x00,0x00}, /* ? */
    {0x0e,0x11,0x17,0x15,0x17,0x10,0x0f,0x00,0x00}, /* @ */
    {0x0e,0x11,0x11,0x1f,0x11,0x11,0x11,0x00,0x00}, /* A */
    {0x1e,0x11,0x11,0x1e,0x11,0x11,0x1e,0x00,0x00}, /* B */
    {0x0e,0x11,0x10,0x10,0x10,0x11,0x0e,0x00,0x00}, /* C */
    {0x1e,0x11,0x11,0x11,0x11,0x11,0x1e,0x00,0x00}, /* D */
    {0x1f,0x10,0x10,0x1e,0x10,0x10,0x1f,0x00,0x00}, /* E */
    {0x1f,0x10,0x10,0x1e,0x10,0x10,0x10,0x00,0x00}, /* F */
    {0x0e,0x11,0x10,0x17,0x11,0x11,0x0f,0x00,0x00}, /* G */
    {0x11,0x11,0x11,0x1f,0x11,0x11,0x11,0x00,0x00}, /* H */
    {0x0e,0x04,0x04,0x04,0x04,0x04,0x0e,0x00,0x00}, /* I */
    {0x07,0x02,0x02,0x02,0x02,0x12,0x0c,0x00,0x00}, /* J */
    {0x11,0x12,0x14,0x18,0x14,0x12,0x11,0x00,0x00}, /* K */
    {0x10,0x10,0x10,0x10,0x10,0x10,0x1f,0x00,0x00}, /* L */
    {0x11,0x1b,0x15,0x15,0x11,0x11,0x11,0x00,0x00}, /* M */
    {0x11,0x11,0x19,0x15,0x13,0x11,0x11,0x00,0x00}, /* N */
    {0x0e,0x11,0x11,0x11,0x11,0x11,0x0e,0x00,0x00}, /* O */
    {0x1e,0x11,0x11,0x1e,0x10,0x10,0x10,0x00,0x00}, /* P */
    {0x0e,0x11,0x11,0x11,0x15,0x12,0x0d,0x00,0x00}, /* Q */
    {0x1e,0x11,0x11,0x1e,0x14,0x12,0x11,0x00,0x00}, /* R */
    {0x0f,0x10,0x10,0x0e,0x01,0x01,0x1e,0x00,0x00}, /* S */
    {0x1f,0x04,0x04,0x04,0x04,0x04,0x04,0x00,0x00}, /* T */
    {0x11,0x11,0x11,0x11,0x11,0x11,0x0e,0x00,0x00}, /* U */
    {0x11,0x11,0x11,0x11,0x11,0x0a,0x04,0x00,0x00}, /* V */
    {0x11,0x11,0x11,0x15,0x15,0x15,0x0a,0x00,0x00}, /* W */
    {0x11,0x11,0x0a,0x04,0x0a,0x11,0x11,0x00,0x00}, /* X */
    {0x11,0x11,0x0a,0x04,0x04,0x04,0x04,0x00,0x00}, /* Y */
    {0x1f,0x01,0x02,0x04,0x08,0x10,0x1f,0x00,0x00}, /* Z */
    {0x0e,0x08,0x08,0x08,0x08,0x08,0x0e,0x00,0x00}, /* [ */
    {0x10,0x10,0x08,0x04,0x02,0x01,0x01,0x00,0x00}, /* backslash */
    {0x0e,0x02,0x02,0x02,0x02,0x02,0x0e,0x00,0x00}, /* ] */
    {0x04,0x0a,0x11,0x00,0x00,0x00,0x00,0x00,0x00}, /* ^ */
    {0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x1f,0x00}, /* _ */
    {0x08,0x04,0x02,0x00,0x00,0x00,0x00,0x00,0x00}, /* ` */
    {0x00,0x00,0x0e,0x01,0x0f,0x11,0x0f,0x00,0x00}, /* a */
    {0x10,0x10,0x1e,0x11,0x11,0x11,0x1e,0x00,0x00}, /* b */
    {0x00,0x00,0x0e,0x10,0x10,0x11,0x0e,0x00,0x00}, /* c */
    {0x01,0x01,0x0f,0x11,0x11,0x11,0x0f,0x00,0x00}, /* d */
    {0x00,0x00,0x0e,0x11,0x1f,0x10,0x0e,0x00,0x00}, /* e */
    {0x06,0x09,0x08,0x1c,0x08,0x08,0x08,0x00,0x00}, /* f */
    {0x00,0x00,0x0f,0x11,0x11,0x11,0x0f,0x01,0x0e}, /* g */
    {0x10,0x10,0x16,0x19,0x11,0x11,0x11,0x00,0x00}, /* h */
    {0x04,0x00,0x0c,0x04,0x04,0x04,0x0e,0x00,0x00}, /* i */
    {0x02,0x00,0x06,0x02,0x02,0x02,0x02,0x12,0x0c}, /* j */
    {0x10,0x10,0x12,0x14,0x18,0x14,0x12,0x00,0x00}, /* k */
    {0x0c,0x04,0x04,0x04,0x04,0x04,0x0e,0x00,0x00}, /* l */
    {0x00,0x00,0x1a,0x15,0x15,0x15,0x15,0x00,0x00}, /* m */
    {0x00,0x00,0x16,0x19,0x11,0x11,0x11,0x00,0x00}, /* n */
    {0x00,0x00,0x0e,0x11,0x11,0x11,0x0e,0x00,0x00}, /* o */
    {0x00,0x00,0x1e,0x11,0x11,0x11,0x1e,0x10,0x10}, /* p */
    {0x00,0x00,0x0f,0x11,0x11,0x11,0x0f,0x01,0x01}, /* q */
    {0x00,0x00,0x16,0x19,0x10,0x10,0x10,0x00,0x00}, /* r */
    {0x00,0x00,0x0f,0x10,0x0e,0x01,0x1e,0x00,0x00}, /* s */
    {0x08,0x08,0x1c,0x08,0x08,0x09,0x06,0x00,0x00}, /* t */
    {0x00,0x00,0x11,0x11,0x11,0x13,0x0d,0x00,0x00}, /* u */
    {0x00,0x00,0x11,0x11,0x11,0x0a,0x04,0x00,0x00}, /* v */
    {0x00,0x00,0x11,0x11,0x15,0x15,0x0a,0x00,0x00}, /* w */
    {0x00,0x00,0x11,0x0a,0x04,0x0a,0x11,0x00,0x00}, /* x */
    {0x00,0x00,0x11,0x11,0x11,0x11,0x0f,0x01,0x0e}, /* y */
    {0x00,0x00,0x1f,0x02,0x04,0x08,0x1f,0x00,0x00}, /* z */
    {0x03,0x04,0x04,0x08,0x04,0x04,0x03,0x00,0x00}, /* { */
    {0x04,0x04,0x04,0x04,0x04,0x04,0x04,0x04,0x04}, /* | */
    {0x18,0x04,0x04,0x02,0x04,0x04,0x18,0x00,0x00}, /* } */
    {0x00,0x00,0x08,0x15,0x02,0x00,0x00,0x00,0x00}, /* ~ */
};

/* ============================================================================================
   Text
   ============================================================================================ */

static int sclip__ovl_clamp_scale(int s) { return s < 1 ? 1 : s > 64 ? 64 : s; }

/* Next glyph of a UTF-8 string: index 0..94 into the font, or -1 at the end. Control bytes,
   stray continuation bytes and every multi-byte character give '?' (one per character). */
static int sclip__ovl_next_glyph(const unsigned char **p) {
    const unsigned char *s = *p;
    int c = *s, more = 0;
    if (c == 0) return -1;
    s++;
    if (c >= 0xC0 && c < 0xF8) more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    while (more-- > 0 && *s >= 0x80 && *s < 0xC0) s++;
    *p = s;
    return (c >= 32 && c < 127) ? c - 32 : '?' - 32;
}

static size_t sclip__ovl_glyph_count(const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    size_t n = 0;
    while (text && sclip__ovl_next_glyph(&p) >= 0) n++;
    return n;
}

/* Fills [x0, x1) x [y0, y1), clipped to the image. */
static void sclip__ovl_fill(unsigned char *rgb, int w, int h, size_t stride, long long x0, long long y0,
                            long long x1, long long y1, const unsigned char color[3]) {
    long long x, y;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > w) x1 = w;
    if (y1 > h) y1 = h;
    if (x0 >= x1 || y0 >= y1) return;
    for (y = y0; y < y1; y++) {
        unsigned char *q = rgb + (size_t)y * stride + (size_t)x0 * 3;
        for (x = x0; x < x1; x++, q += 3) q[0] = color[0], q[1] = color[1], q[2] = color[2];
    }
}

/* One glyph with its top-left corner at (x, y): each font pixel becomes an s x s square. */
static void sclip__ovl_glyph(unsigned char *rgb, int w, int h, size_t stride, long long x, long long y, int g,
                             int s, const unsigned char color[3]) {
    int r, c;
    for (r = 0; r < SCLIP_OVERLAY_GLYPH_H; r++)
        for (c = 0; c < SCLIP_OVERLAY_GLYPH_W; c++)
            if (sclip__ovl_font[g][r] >> (SCLIP_OVERLAY_GLYPH_W - 1 - c) & 1)
                sclip__ovl_fill(rgb, w, h, stride, x + (long long)c * s, y + (long long)r * s,
                                x + (long long)(c + 1) * s, y + (long long)(r + 1) * s, color);
}

SCLIP_OVERLAY_DEF int sclip_overlay_text_width(const char *text, int scale) {
    size_t n = sclip__ovl_glyph_count(text);
    long long s = sclip__ovl_clamp_scale(scale);
    if (n == 0) return 0;
    if (n > (size_t)INT_MAX / (SCLIP_OVERLAY_ADVANCE * 64)) return INT_MAX;
    return (int)(((long long)n * SCLIP_OVERLAY_ADVANCE - 1) * s);
}

SCLIP_OVERLAY_DEF int sclip_overlay_text_height(int scale) {
    return SCLIP_OVERLAY_GLYPH_H * sclip__ovl_clamp_scale(scale);
}

SCLIP_OVERLAY_DEF void sclip_overlay_text(unsigned char *rgb, int w, int h, size_t stride, int x, int y,
                                          const char *text, int scale, const unsigned char color[3]) {
    const unsigned char *p = (const unsigned char *)text;
    int s = sclip__ovl_clamp_scale(scale), g;
    long long pen = x;
    if (!rgb || !text || !color || w <= 0 || h <= 0 || stride < (size_t)w * 3) return;
    if ((long long)y >= h || (long long)y + SCLIP_OVERLAY_GLYPH_H * s <= 0) return;
    while (pen < w && (g = sclip__ovl_next_glyph(&p)) >= 0) {
        if (pen + SCLIP_OVERLAY_GLYPH_W * s > 0) sclip__ovl_glyph(rgb, w, h, stride, pen, y, g, s, color);
        pen += (long long)SCLIP_OVERLAY_ADVANCE * s;
    }
}

/* ============================================================================================
   Colours
   ============================================================================================ */

/* PASCAL VOC palette over the whole index: bits 3j, 3j+1, 3j+2 of c go to bit 7-j of red,
   green and blue. Class 0 is white instead of black (see the top comment). */
SCLIP_OVERLAY_DEF void sclip_overlay_class_color(int c, const char *const *names, unsigned char rgb[3]) {
    static const char bg[] = "background";
    const char *n = names ? names[0] : NULL;
    int k = 0;
    while (n && bg[k] && (n[k] == bg[k] || n[k] == bg[k] - 32)) k++;
    sclip_overlay_color(n && !bg[k] && !n[k] ? c : c + 1, rgb);
}

SCLIP_OVERLAY_DEF void sclip_overlay_color(int c, unsigned char rgb[3]) {
    int r = 0, g = 0, b = 0, j;
    if (c <= 0) {
        rgb[0] = rgb[1] = rgb[2] = (unsigned char)(c == 0 ? 255 : 128);
        return;
    }
    for (j = 0; j < 8 && c; j++, c >>= 3) {
        r |= (c & 1) << (7 - j);
        g |= (c >> 1 & 1) << (7 - j);
        b |= (c >> 2 & 1) << (7 - j);
    }
    rgb[0] = (unsigned char)r, rgb[1] = (unsigned char)g, rgb[2] = (unsigned char)b;
}

SCLIP_OVERLAY_DEF int sclip_overlay_scale(int w, int h) {
    int m = w > h ? w : h, s = 1 + (m > 0 ? m : 0) / 700;
    return s > 8 ? 8 : s;
}

/* ============================================================================================
   Legend layout. All sizes are multiples of the text scale s:
     entry  = swatch (10s x 9s) | 4s | name (6s per character) | 4s | share (35s, right-aligned)
     row    = 12s high; panel margin 4s; columns (legend below the image) 8s apart.
   ============================================================================================ */

#define SCLIP__OVL_NAME_MAX 20 /* characters of a name shown in the legend */
#define SCLIP__OVL_MIN_ROWS 4  /* rows the legend gets however short the image is */

typedef struct {
    int s;              /* text scale */
    int name_chars;     /* characters in the name column */
    int cell_w, row_h;  /* one entry */
    int col_step;       /* cell_w + gap between columns */
    int cols, rows;     /* grid of entries in use */
    int shown;          /* entries drawn as swatch + name + share */
    int more;           /* entries summed up as "+N more" (0: no such line) */
    int x0, y0;         /* top-left of the first entry */
    int out_w, out_h;
} sclip__ovl_layout;

typedef struct {
    size_t count;
    int cls;
} sclip__ovl_entry;

/* Rows of text that fit in a band `height` pixels high with margins pad. */
static int sclip__ovl_rows_fit(int height, int pad, int s, int row_h) {
    int avail = height - 2 * pad - SCLIP_OVERLAY_GLYPH_H * s;
    return avail < 0 ? 0 : avail / row_h + 1;
}

static int sclip__ovl_band_height(int rows, int pad, int s, int row_h) {
    return 2 * pad + SCLIP_OVERLAY_GLYPH_H * s + (rows - 1) * row_h;
}

/* Places n_present entries (the longest name has longest_name characters) around a w x h image. */
static void sclip__ovl_plan(sclip__ovl_layout *L, int w, int h, int n_present, int longest_name) {
    int s = sclip_overlay_scale(w, h), pad = 4 * s, rows_cap, slots, need;
    L->s = s;
    L->name_chars = longest_name < 4 ? 4 : longest_name > SCLIP__OVL_NAME_MAX ? SCLIP__OVL_NAME_MAX : longest_name;
    L->cell_w = (10 + 4 + SCLIP_OVERLAY_ADVANCE * L->name_chars + 4 + 35) * s;
    L->row_h = 12 * s;
    L->col_step = L->cell_w + 8 * s;
    rows_cap = sclip__ovl_rows_fit(h, pad, s, L->row_h);
    if (rows_cap < SCLIP__OVL_MIN_ROWS) rows_cap = SCLIP__OVL_MIN_ROWS;
    need = n_present > 0 ? n_present : 1; /* "(unlabelled)" takes one row */
    if (w <= 2 * h) { /* panel on the right */
        L->cols = 1;
        L->x0 = w + pad;
        L->y0 = pad;
        L->out_w = w + pad + L->cell_w + pad;
    } else { /* band below, as many columns as the width allows */
        L->out_w = w > L->cell_w + 2 * pad ? w : L->cell_w + 2 * pad;
        L->cols = (L->out_w - 2 * pad + 8 * s) / L->col_step;
        if (L->cols < 1) L->cols = 1;
        L->x0 = pad;
        L->y0 = h + pad;
    }
    slots = rows_cap * L->cols;
    if (need <= slots) {
        L->shown = n_present;
        L->more = 0;
    } else {
        L->shown = slots - 1;
        L->more = n_present - L->shown;
        need = slots;
    }
    L->rows = (need + L->cols - 1) / L->cols;
    if (L->cols == 1) {
        int band = sclip__ovl_band_height(L->rows, pad, s, L->row_h);
        L->out_h = h > band ? h : band;
    } else {
        L->out_h = h + sclip__ovl_band_height(L->rows, pad, s, L->row_h);
    }
}

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *sclip__ovl_utoa(unsigned long long v, char *buf) {
    char tmp[24];
    int n = 0, i = 0;
    do tmp[n++] = (char)('0' + v % 10), v /= 10;
    while (v);
    while (n) buf[i++] = tmp[--n];
    buf[i] = 0;
    return buf;
}

/* "42.5%": count / total in percent with one decimal, rounded half up; "<0.1%" for a share
   that rounds to 0, and at most "99.9%" unless the class covers every pixel. */
static void sclip__ovl_percent(size_t count, size_t total, char *buf) {
    unsigned long long t = ((unsigned long long)count * 1000 + total / 2) / total;
    size_t n;
    if (count > 0 && t == 0) {
        memcpy(buf, "<0.1%", 6);
        return;
    }
    if (t >= 1000 && count < total) t = 999;
    sclip__ovl_utoa(t / 10, buf);
    n = strlen(buf);
    buf[n] = '.', buf[n + 1] = (char)('0' + t % 10), buf[n + 2] = '%', buf[n + 3] = 0;
}

/* The name of class c as drawn: ASCII, at most max_chars glyphs ("..": cut), "class N" when
   missing. buf holds at least 4 * SCLIP__OVL_NAME_MAX + 32 bytes. */
static void sclip__ovl_label(const char *const *names, int c, int max_chars, char *buf) {
    const char *name = names ? names[c] : NULL;
    const unsigned char *p = (const unsigned char *)name;
    int n = 0, g, keep;
    if (!name || !*name) { /* "class N": at most 11 plain ASCII characters */
        memcpy(buf, "class ", 6);
        sclip__ovl_utoa((unsigned long long)c, buf + 6);
        return;
    }
    keep = sclip__ovl_glyph_count(name) > (size_t)max_chars ? max_chars - 2 : max_chars;
    while (n < keep && (g = sclip__ovl_next_glyph(&p)) >= 0) buf[n++] = (char)(g + 32);
    if (keep < max_chars) buf[n++] = '.', buf[n++] = '.';
    buf[n] = 0;
}

/* ============================================================================================
   Drawing
   ============================================================================================ */

static const unsigned char sclip__ovl_bg[3] = {255, 255, 255};    /* legend panel */
static const unsigned char sclip__ovl_ink[3] = {24, 24, 24};      /* legend text */
static const unsigned char sclip__ovl_frame[3] = {110, 110, 110}; /* swatch frame */

/* The blended image with boundary lines into the top-left w x h of out (stride ostride). */
static void sclip__ovl_blend(const unsigned char *rgb, int w, int h, size_t stride, const uint16_t *labels,
                             int n_classes, const unsigned char *palette, float alpha, unsigned char *out,
                             size_t ostride) {
    int a = (int)(alpha * 256.0f + 0.5f), x, y, k;
    for (y = 0; y < h; y++) {
        const unsigned char *p = rgb + (size_t)y * stride;
        const uint16_t *l = labels + (size_t)y * w;
        unsigned char *q = out + (size_t)y * ostride;
        for (x = 0; x < w; x++, p += 3, q += 3) {
            int c = l[x] < n_classes ? l[x] : n_classes; /* n_classes: unlabelled */
            int right = x + 1 < w ? (l[x + 1] < n_classes ? l[x + 1] : n_classes) : c;
            int below = y + 1 < h ? (l[x + w] < n_classes ? l[x + w] : n_classes) : c;
            int edge = right != c || below != c;
            for (k = 0; k < 3; k++) {
                int v = c < n_classes ? (p[k] * (256 - a) + palette[3 * c + k] * a + 128) >> 8 : p[k];
                q[k] = (unsigned char)(edge ? v >> 1 : v);
            }
        }
    }
}

/* One legend entry at (x, y): swatch, name, share. */
static void sclip__ovl_entry_draw(unsigned char *out, const sclip__ovl_layout *L, int x, int y,
                                  const sclip__ovl_entry *e, size_t total, const unsigned char *palette,
                                  const char *const *names) {
    char buf[4 * SCLIP__OVL_NAME_MAX + 32];
    int s = L->s, sw = 10 * s, sh = 9 * s;
    size_t ostride = (size_t)L->out_w * 3;
    sclip__ovl_fill(out, L->out_w, L->out_h, ostride, x, y, x + sw, y + sh, sclip__ovl_frame);
    sclip__ovl_fill(out, L->out_w, L->out_h, ostride, x + 1, y + 1, x + sw - 1, y + sh - 1, palette + 3 * e->cls);
    sclip__ovl_label(names, e->cls, L->name_chars, buf);
    sclip_overlay_text(out, L->out_w, L->out_h, ostride, x + 14 * s, y, buf, s, sclip__ovl_ink);
    sclip__ovl_percent(e->count, total, buf);
    sclip_overlay_text(out, L->out_w, L->out_h, ostride, x + L->cell_w - sclip_overlay_text_width(buf, s), y, buf, s,
                       sclip__ovl_ink);
}

/* The legend: a white background around the image, then the entries, then "+N more". */
static void sclip__ovl_legend(unsigned char *out, int w, int h, const sclip__ovl_layout *L,
                              const sclip__ovl_entry *entries, const unsigned char *palette,
                              const char *const *names) {
    size_t ostride = (size_t)L->out_w * 3, total = (size_t)w * h;
    int slot, slots = L->shown + (L->more > 0 || L->shown == 0);
    sclip__ovl_fill(out, L->out_w, L->out_h, ostride, w, 0, L->out_w, L->out_h, sclip__ovl_bg);
    sclip__ovl_fill(out, L->out_w, L->out_h, ostride, 0, h, w, L->out_h, sclip__ovl_bg);
    for (slot = 0; slot < slots; slot++) {
        int x = L->x0 + (slot % L->cols) * L->col_step, y = L->y0 + (slot / L->cols) * L->row_h;
        char buf[40];
        if (slot < L->shown) {
            sclip__ovl_entry_draw(out, L, x, y, &entries[slot], total, palette, names);
            continue;
        }
        if (L->more > 0) {
            buf[0] = '+';
            sclip__ovl_utoa((unsigned long long)L->more, buf + 1);
            strcat(buf, " more");
        } else
            strcpy(buf, "(unlabelled)");
        sclip_overlay_text(out, L->out_w, L->out_h, ostride, x, y, buf, L->s, sclip__ovl_ink);
    }
}

/* Sort order of the legend: pixel count descending, then class index. */
static int sclip__ovl_cmp(const void *a, const void *b) {
    const sclip__ovl_entry *x = (const sclip__ovl_entry *)a, *y = (const sclip__ovl_entry *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->cls > y->cls) - (x->cls < y->cls);
}

SCLIP_OVERLAY_DEF void sclip_overlay_free(unsigned char *p) {
    if (p) SCLIP_OVERLAY_FREE(p);
}

SCLIP_OVERLAY_DEF int sclip_overlay_draw(const unsigned char *rgb, int w, int h, size_t stride,
                                         const uint16_t *labels, int n_classes,
                                         const char *const *names, float alpha,
                                         unsigned char **out, int *out_w, int *out_h) {
    size_t *counts = NULL, n = (size_t)w * (size_t)h, i, bytes;
    unsigned char *palette = NULL, *img = NULL;
    sclip__ovl_entry *entries = NULL;
    sclip__ovl_layout L;
    int c, n_present = 0, longest = 0, r = SCLIP_OVERLAY_ERROR;
    if (out) *out = NULL;
    if (out_w) *out_w = 0;
    if (out_h) *out_h = 0;
    if (!rgb || !labels || !out || !out_w || !out_h) return SCLIP_OVERLAY_ERROR;
    if (w < 1 || h < 1 || w > SCLIP_OVERLAY_MAX_SIDE || h > SCLIP_OVERLAY_MAX_SIDE || n > SCLIP_OVERLAY_MAX_PIXELS)
        return SCLIP_OVERLAY_ERROR;
    if (stride < (size_t)w * 3 || n_classes < 1 || n_classes > 65536 || !(alpha >= 0.0f && alpha <= 1.0f))
        return SCLIP_OVERLAY_ERROR;
    counts = (size_t *)SCLIP_OVERLAY_MALLOC((size_t)n_classes * sizeof *counts);
    palette = (unsigned char *)SCLIP_OVERLAY_MALLOC((size_t)n_classes * 3);
    entries = (sclip__ovl_entry *)SCLIP_OVERLAY_MALLOC((size_t)n_classes * sizeof *entries);
    if (!counts || !palette || !entries) goto done;
    memset(counts, 0, (size_t)n_classes * sizeof *counts);
    for (i = 0; i < n; i++)
        if (labels[i] < n_classes) counts[labels[i]]++;
    for (c = 0; c < n_classes; c++) {
        sclip_overlay_class_color(c, names, palette + 3 * c);
        if (counts[c]) {
            char buf[4 * SCLIP__OVL_NAME_MAX + 32];
            int len;
            sclip__ovl_label(names, c, SCLIP__OVL_NAME_MAX, buf);
            len = (int)strlen(buf);
            if (len > longest) longest = len;
            entries[n_present].count = counts[c];
            entries[n_present++].cls = c;
        }
    }
    qsort(entries, (size_t)n_present, sizeof *entries, sclip__ovl_cmp);
    sclip__ovl_plan(&L, w, h, n_present, longest);
    bytes = (size_t)L.out_w * (size_t)L.out_h;
    if (bytes > (size_t)-1 / 3) goto done;
    img = (unsigned char *)SCLIP_OVERLAY_MALLOC(bytes * 3);
    if (!img) goto done;
    sclip__ovl_blend(rgb, w, h, stride, labels, n_classes, palette, alpha, img, (size_t)L.out_w * 3);
    sclip__ovl_legend(img, w, h, &L, entries, palette, names);
    *out = img, *out_w = L.out_w, *out_h = L.out_h;
    r = SCLIP_OVERLAY_OK;
done:
    if (counts) SCLIP_OVERLAY_FREE(counts);
    if (palette) SCLIP_OVERLAY_FREE(palette);
    if (entries) SCLIP_OVERLAY_FREE(entries);
    return r;
}

#endif /* SCLIP_OVERLAY_IMPLEMENTATION_DONE */
#endif /* SCLIP_OVERLAY_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
------------------------------------------------------------------------------
*/
