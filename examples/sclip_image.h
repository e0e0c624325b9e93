/* sclip_image.h - image input and output for the sclip examples, v0.1.
   Part of sclip; public domain or MIT (see the end of the file).

   Decodes JPEG, PNG and binary PPM/PGM to RGB uint8 exactly as OpenCV 4.6 `imread(path,
   IMREAD_COLOR)` does (libjpeg-turbo 2.1 and libpng 1.6 underneath), with the channels in
   RGB order; writes PNG (8-bit grey or RGB, deflate-compressed) and PPM/PGM.
   Written from the format specifications; no third-party code.

   Do this in exactly one C or C++ file:
       #define SCLIP_IMAGE_IMPLEMENTATION
       #include "sclip_image.h"

   Quick start
       sclip_image im;
       char err[256];
       if (sclip_image_load("cat.jpg", &im, err, sizeof err) != SCLIP_IMAGE_OK) { puts(err); return 1; }
       ... im.w, im.h, im.pixels (RGB, row stride im.w * 3) ...
       sclip_image_write_png("out.png", im.w, im.h, 3, im.pixels, (size_t)im.w * 3, err, sizeof err);
       sclip_image_free(&im);

   What "identical to imread" means (all checked against fixtures made with OpenCV 4.6)
     JPEG  baseline, extended sequential (16-bit quantisation tables) and progressive Huffman,
           8-bit, 1/3/4 components, any integral sampling factors, restart markers.
           Integer "slow" IDCT with libjpeg's wrap-around range limiting, libjpeg-turbo's
           "fancy" upsampling (h2v1, h1v2, h2v2 triangular filters; box filter when a
           downsampled row is 2 pixels or less; replication for other integral factors),
           its fixed-point YCbCr->RGB tables. Colour space as libjpeg guesses it (JFIF => YCbCr;
           Adobe transform 0 => RGB/CMYK, 1 => YCbCr, 2 => YCCK; ids 'R','G','B' => RGB).
           4 components are converted the way OpenCV does (libjpeg CMYK output, then
           c' = k - (255-c)*k/256 per channel: the Adobe inverted-CMYK convention).
           The EXIF orientation of the first APP1 marker is applied (all 8 orientations).
     PNG   every colour type and bit depth, PLTE, Adam7; alpha and tRNS are dropped (not
           composited); 16-bit samples keep their high byte (libpng png_set_strip_16);
           eXIf orientation applied. CRCs of critical chunks and the zlib Adler-32 are checked.
     PNM   binary P5/P6, maxval 1..65535: 8-bit samples are used as stored (no rescaling
           by maxval, like OpenCV), 16-bit samples keep their high byte.

   Limits (hard, checked before allocating; override with #define before the include)
     SCLIP_IMAGE_MAX_SIDE    16384 pixels per side
     SCLIP_IMAGE_MAX_PIXELS  2^28 pixels
     SCLIP_IMAGE_MAX_BYTES   2^30 bytes for any decoded buffer (inflated PNG data, JPEG
                             planes and coefficients): a zip bomb stops at the expected size.

   Not supported (clear error): arithmetic-coded, lossless, hierarchical and 12-bit JPEG,
   DNL markers, fractional sampling ratios; corrupt or truncated entropy data is an error
   (libjpeg would warn and fill with grey). Progressive files whose scans leave low AC
   coefficients unrefined are decoded without libjpeg's block smoothing.

   Build options
     SCLIP_IMAGE_STATIC              make every function static
     SCLIP_IMAGE_MALLOC / _FREE      your allocator (define both or neither)
     SCLIP_IMAGE_NO_STDIO            no file functions (memory only)
     SCLIP_IMAGE_NO_SIMD             no AVX2 IDCT (otherwise used when __AVX2__ is defined;
                                     bit-identical to the portable path, which is always built)

   API: every function that can fail returns 0 on success and non-zero on failure
   (SCLIP_IMAGE_OK / SCLIP_IMAGE_ERROR), like sclip.h's sclip_result (SCLIP_OK = 0), with a
   reason in err ("jpeg: corrupt Huffman table", "png: CRC mismatch in IDAT", "image:
   70000x70000 exceeds the 16384-pixel side limit"). err may be NULL. On failure the output
   holds nothing to free (out->pixels NULL, *png NULL).
*/
#ifndef SCLIP_IMAGE_H
#define SCLIP_IMAGE_H

#include <stddef.h>

#ifndef SCLIP_IMAGE_DEF
#if defined(SCLIP_IMAGE_STATIC) && defined(__GNUC__)
#define SCLIP_IMAGE_DEF static __attribute__((unused))
#elif defined(SCLIP_IMAGE_STATIC)
#define SCLIP_IMAGE_DEF static
#else
#define SCLIP_IMAGE_DEF extern
#endif
#endif

/* What the functions that can fail return. */
#define SCLIP_IMAGE_OK 0
#define SCLIP_IMAGE_ERROR (-1)

#ifndef SCLIP_IMAGE_MAX_SIDE
#define SCLIP_IMAGE_MAX_SIDE 16384
#endif
#ifndef SCLIP_IMAGE_MAX_PIXELS
#define SCLIP_IMAGE_MAX_PIXELS ((size_t)1 << 28)
#endif
#ifndef SCLIP_IMAGE_MAX_BYTES
#define SCLIP_IMAGE_MAX_BYTES ((size_t)1 << 30)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A decoded image: RGB uint8 interleaved, h rows of w * channels bytes. */
typedef struct sclip_image {
    int w, h;
    int channels;          /* 3 for everything the loaders return */
    unsigned char *pixels; /* owned; release with sclip_image_free */
} sclip_image;

/* Decode a JPEG, PNG or PPM/PGM held in memory (format found from its signature). */
SCLIP_IMAGE_DEF int sclip_image_load_memory(const void *data, size_t len, sclip_image *out,
                                            char *err, size_t errcap);
SCLIP_IMAGE_DEF void sclip_image_free(sclip_image *img);
/* Decode a PNG label map the way mmseg reads one (PIL's np.array(Image.open(f)), no EXIF
   orientation): one byte per pixel (out->channels = 1), the palette index for palette PNGs
   (not the colour), the value for 8-bit grey, 0/1 for 1-bit grey, 2- and 4-bit grey scaled to
   0..255 as PIL does. RGB, RGBA, grey+alpha and 16-bit PNGs and non-PNG data are refused with
   a message naming what the file holds. */
SCLIP_IMAGE_DEF int sclip_image_load_label_memory(const void *data, size_t len, sclip_image *out,
                                                  char *err, size_t errcap);
/* Encode an 8-bit grey (channels 1) or RGB (channels 3) PNG into a new buffer (*png, *png_len;
   free it with sclip_image_free_buffer). level 0 = stored blocks, 1 = deflate. */
SCLIP_IMAGE_DEF int sclip_image_encode_png(int w, int h, int channels, const unsigned char *pixels,
                                           size_t stride, int level, unsigned char **png,
                                           size_t *png_len, char *err, size_t errcap);
SCLIP_IMAGE_DEF void sclip_image_free_buffer(void *buf);

#ifndef SCLIP_IMAGE_NO_STDIO
SCLIP_IMAGE_DEF int sclip_image_load(const char *path, sclip_image *out, char *err, size_t errcap);
SCLIP_IMAGE_DEF int sclip_image_load_label(const char *path, sclip_image *out, char *err, size_t errcap);
/* PNG writer (deflate-compressed); channels 1 (grey) or 3 (RGB); stride in bytes. */
SCLIP_IMAGE_DEF int sclip_image_write_png(const char *path, int w, int h, int channels,
                                          const unsigned char *pixels, size_t stride,
                                          char *err, size_t errcap);
/* Binary PGM (channels 1) or PPM (channels 3), maxval 255. */
SCLIP_IMAGE_DEF int sclip_image_write_ppm(const char *path, int w, int h, int channels,
                                          const unsigned char *pixels, size_t stride,
                                          char *err, size_t errcap);
#endif

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_IMAGE_H */

#ifdef SCLIP_IMAGE_IMPLEMENTATION
#ifndef SCLIP_IMAGE_IMPLEMENTATION_DONE
#define SCLIP_IMAGE_IMPLEMENTATION_DONE

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define SCLIP__IMG_INLINE inline
#else
#define SCLIP__IMG_INLINE
#endif

#if defined(SCLIP_IMAGE_MALLOC) != defined(SCLIP_IMAGE_FREE)
#error "define both SCLIP_IMAGE_MALLOC and SCLIP_IMAGE_FREE, or neither"
#endif
#ifndef SCLIP_IMAGE_MALLOC
#define SCLIP_IMAGE_MALLOC(size) malloc(size)
#define SCLIP_IMAGE_FREE(ptr) free(ptr)
#endif

/* ==========================================================================================
   Common: errors, allocation, limits
   Inside this file a step returns 1 when it is done and 0 when it failed (sclip__img_fail
   writes the reason and returns 0), so that `if (!step(...)) return 0;` chains read simply;
   the public functions turn that into SCLIP_IMAGE_OK / SCLIP_IMAGE_ERROR (sclip__img_result).
   ========================================================================================== */

typedef struct sclip__img_err {
    char *msg;
    size_t cap;
} sclip__img_err;

static int sclip__img_fail(sclip__img_err *e, const char *fmt, ...) {
    va_list ap;
    if (e && e->msg && e->cap) {
        va_start(ap, fmt);
        vsnprintf(e->msg, e->cap, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* A step's 1 (done) / 0 (failed) as the public result. */
static int sclip__img_result(int done) { return done ? SCLIP_IMAGE_OK : SCLIP_IMAGE_ERROR; }

/* n bytes, or NULL when n is 0, above SCLIP_IMAGE_MAX_BYTES or not available. */
static void *sclip__img_alloc(size_t n) {
    if (n == 0 || n > SCLIP_IMAGE_MAX_BYTES) return NULL;
    return SCLIP_IMAGE_MALLOC(n);
}

static void sclip__img_release(void *p) {
    if (p) SCLIP_IMAGE_FREE(p);
}

/* a*b*c with overflow and SCLIP_IMAGE_MAX_BYTES check; 0 on failure. */
static size_t sclip__img_size3(size_t a, size_t b, size_t c) {
    if (a == 0 || b == 0 || c == 0) return 0;
    if (a > SCLIP_IMAGE_MAX_BYTES / b) return 0;
    a *= b;
    if (a > SCLIP_IMAGE_MAX_BYTES / c) return 0;
    return a * c;
}

/* The dimension limits, checked on every header before anything is allocated. */
static int sclip__img_check_dims(sclip__img_err *e, const char *fmt, long w, long h) {
    if (w <= 0 || h <= 0) return sclip__img_fail(e, "%s: empty image (%ldx%ld)", fmt, w, h);
    if (w > SCLIP_IMAGE_MAX_SIDE || h > SCLIP_IMAGE_MAX_SIDE)
        return sclip__img_fail(e, "image: %ldx%ld exceeds the %d-pixel side limit", w, h,
                               (int)SCLIP_IMAGE_MAX_SIDE);
    if ((size_t)w * (size_t)h > SCLIP_IMAGE_MAX_PIXELS)
        return sclip__img_fail(e, "image: %ldx%ld exceeds the %lu-pixel limit", w, h,
                               (unsigned long)SCLIP_IMAGE_MAX_PIXELS);
    return 1;
}

static unsigned sclip__img_be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | p[1]; }
static uint32_t sclip__img_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static unsigned char sclip__img_clamp255(int v) {
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* ==========================================================================================
   EXIF orientation (as OpenCV's ExifReader reads it) and its application
   ========================================================================================== */

/* Orientation tag (1..8) of a TIFF-structured EXIF block, 0 when absent or unreadable.
   Like OpenCV: "II" = little endian, anything else big endian; magic 42 required; the
   entries of IFD0 are read in order and reading stops at the first one out of bounds
   (including the string tags 0x010E/0x010F/0x0110 whose data lies outside the block). */
static int sclip__img_exif_orientation(const unsigned char *d, size_t n) {
    int le;
    uint32_t off, count, i;
#define SCLIP__IMG_U16(o) ((o) + 1 >= n ? -1L : (long)(le ? (d[o] | (d[(o) + 1] << 8)) : ((d[o] << 8) | d[(o) + 1])))
    long v;
    if (n < 8) return 0;
    le = d[0] == 'I' && d[1] == 'I';
    if (SCLIP__IMG_U16(2) != 0x2a) return 0;
    off = le ? ((uint32_t)d[4] | ((uint32_t)d[5] << 8) | ((uint32_t)d[6] << 16) | ((uint32_t)d[7] << 24))
             : sclip__img_be32(d + 4);
    if ((v = SCLIP__IMG_U16((size_t)off)) < 0) return 0;
    count = (uint32_t)v;
    off += 2;
    for (i = 0; i < count; i++, off += 12) {
        long tag = SCLIP__IMG_U16((size_t)off);
        if (tag < 0) return 0;
        if (tag == 0x0112) {
            v = SCLIP__IMG_U16((size_t)off + 8);
            return v < 0 ? 0 : (v >= 1 && v <= 8 ? (int)v : 0);
        }
        if (tag == 0x010E || tag == 0x010F || tag == 0x0110) { /* strings: bounds-checked */
            uint64_t size, data = 8;
            if ((size_t)off + 11 >= n) return 0;
            size = le ? ((uint32_t)d[off + 4] | ((uint32_t)d[off + 5] << 8) | ((uint32_t)d[off + 6] << 16) | ((uint32_t)d[off + 7] << 24))
                      : sclip__img_be32(d + off + 4);
            if (size > 4) {
                if ((size_t)off + 11 >= n) return 0;
                data = le ? ((uint32_t)d[off + 8] | ((uint32_t)d[off + 9] << 8) | ((uint32_t)d[off + 10] << 16) | ((uint32_t)d[off + 11] << 24))
                          : sclip__img_be32(d + off + 8);
            }
            if (data > n || data + size > n) return 0;
        }
    }
#undef SCLIP__IMG_U16
    return 0;
}

/* Apply orientation o (2..8) to an RGB image the way OpenCV's ApplyExifOrientation does:
   5..8 transpose first, then flips (2: horizontal, 3: both, 4: vertical, 6: horizontal,
   7: both, 8: vertical). Replaces im->pixels. */
static int sclip__img_orient(sclip_image *im, int o, sclip__img_err *e) {
    static const unsigned char tr[9] = {0, 0, 0, 0, 0, 1, 1, 1, 1};
    static const unsigned char fh[9] = {0, 0, 1, 1, 0, 0, 1, 1, 0};
    static const unsigned char fv[9] = {0, 0, 0, 1, 1, 0, 0, 1, 1};
    int ow, oh, x, y;
    unsigned char *dst;
    if (o < 2 || o > 8) return 1;
    ow = tr[o] ? im->h : im->w;
    oh = tr[o] ? im->w : im->h;
    dst = (unsigned char *)sclip__img_alloc((size_t)ow * (size_t)oh * 3);
    if (!dst) return sclip__img_fail(e, "image: out of memory");
    for (y = 0; y < oh; y++) {
        int ty = fv[o] ? oh - 1 - y : y;
        unsigned char *q = dst + (size_t)y * ow * 3;
        for (x = 0; x < ow; x++, q += 3) {
            int tx = fh[o] ? ow - 1 - x : x;
            const unsigned char *p = tr[o] ? im->pixels + ((size_t)tx * im->w + ty) * 3
                                           : im->pixels + ((size_t)ty * im->w + tx) * 3;
            q[0] = p[0]; q[1] = p[1]; q[2] = p[2];
        }
    }
    sclip__img_release(im->pixels);
    im->pixels = dst;
    im->w = ow;
    im->h = oh;
    return 1;
}

/* ==========================================================================================
   JPEG decoder (ITU T.81): markers, Huffman entropy decoding (sequential and progressive),
   libjpeg's integer IDCT, libjpeg-turbo's upsampling and colour conversion
   ========================================================================================== */

#define SCLIP__IMG_FAST 9 /* Huffman lookahead bits */

typedef struct sclip__img_huff {
    uint16_t fast[1 << SCLIP__IMG_FAST];  /* (length << 8) | symbol for short codes, else 0 */
    int16_t fast_ac[1 << SCLIP__IMG_FAST]; /* AC: value*256 + run*16 + bits used, else 0 */
    int32_t maxcode[17], mincode[17], delta[17];
    uint8_t vals[256];
    int defined;
} sclip__img_huff;

typedef struct sclip__img_jcomp {
    int id, h, v, tq, td, ta;
    int dw, dh;          /* downsampled size in samples */
    int bw, bh;          /* blocks allocated: whole MCUs */
    int nbw, nbh;        /* blocks of a non-interleaved scan: ceil(dw/8) x ceil(dh/8) */
    int32_t dc_pred;
    int latched;         /* quantisation table copied at the component's first scan */
    int32_t q[64];       /* natural order, as libjpeg's 16-bit signed multiplier */
    unsigned char *plane;
    size_t stride;
    int16_t *coef;       /* progressive: bw*bh blocks of 64 */
} sclip__img_jcomp;

typedef struct sclip__img_jpeg {
    sclip__img_err *e;
    const unsigned char *p, *end;
    uint16_t qt[4][64];
    int qt_defined[4];
    sclip__img_huff hdc[4], hac[4];
    sclip__img_jcomp c[4];
    int nc, w, h, hmax, vmax, mcusx, mcusy, progressive, frame, scans, ri;
    int jfif, adobe, adobe_transform, orientation, saw_app1;
    int ns, order[4], ss, se, ah, al;
    unsigned eobrun;
    uint64_t buf;        /* bit buffer, most significant bits first */
    int nbits, pad, marker_hit;
    const unsigned char *bp;
    unsigned char range[1024]; /* IDCT output limiting, indexed by value & 1023 */
    int simd;            /* use the SIMD IDCT (always, except in the test that compares) */
} sclip__img_jpeg;

/* zigzag position -> natural (row-major) index */
static const unsigned char sclip__img_zz[64] = {
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

/* Canonical Huffman table from the 16 code counts (T.81 Annex C), with the same validity
   rules as libjpeg: at most 256 codes, no code of all ones, DC symbols <= 15. */
static int sclip__img_huff_build(sclip__img_huff *t, const unsigned char *counts,
                                 const unsigned char *vals, int nvals, int is_dc) {
    int32_t code = 0;
    int len, i, k = 0;
    memset(t, 0, sizeof *t);
    memcpy(t->vals, vals, (size_t)nvals);
    for (len = 1; len <= 16; len++) {
        int n = counts[len - 1];
        t->mincode[len] = code;
        t->delta[len] = k - code;
        for (i = 0; i < n; i++, k++, code++) {
            if (code >= ((int32_t)1 << len)) return 0; /* over-subscribed */
            if (len <= SCLIP__IMG_FAST) { /* every 9-bit index starting with this code */
                int shift = SCLIP__IMG_FAST - len, f;
                for (f = 0; f < (1 << shift); f++)
                    t->fast[(code << shift) | f] = (uint16_t)((len << 8) | vals[k]);
            }
        }
        t->maxcode[len] = n ? code - 1 : -1;
        if (code >= ((int32_t)1 << len)) return 0;
        code <<= 1;
    }
    if (is_dc)
        for (i = 0; i < nvals; i++)
            if (vals[i] > 15) return 0;
    /* AC shortcut: symbol plus its extra bits within the lookahead, value in int8 range */
    for (i = 0; i < (1 << SCLIP__IMG_FAST); i++) {
        int f = t->fast[i], l = f >> 8, run = (f >> 4) & 15, s = f & 15;
        if (f && s && l + s <= SCLIP__IMG_FAST) {
            int v = (i >> (SCLIP__IMG_FAST - l - s)) & ((1 << s) - 1);
            if (v < (1 << (s - 1))) v -= (1 << s) - 1;
            if (v >= -128 && v <= 127) t->fast_ac[i] = (int16_t)(v * 256 + run * 16 + l + s);
        }
    }
    t->defined = 1;
    return 1;
}

/* Refill the bit buffer to more than 56 bits. Byte-stuffed 0xFF00 gives 0xFF; at a marker
   or the end of data zero bits are appended and counted in pad (consuming them = error). */
static void sclip__img_fill(sclip__img_jpeg *j) {
    while (j->nbits <= 56) {
        unsigned b = 0;
        if (!j->marker_hit && j->bp < j->end) {
            b = *j->bp;
            if (b != 0xFF) j->bp++;
            else if (j->bp + 1 < j->end && j->bp[1] == 0) j->bp += 2;
            else { j->marker_hit = 1; b = 0; j->pad += 8; }
        } else
            j->pad += 8;
        j->buf |= (uint64_t)b << (56 - j->nbits);
        j->nbits += 8;
    }
}

/* One Huffman symbol, or -1 for a code the table does not have. Needs nbits >= 16. */
static SCLIP__IMG_INLINE int sclip__img_huff_decode(sclip__img_jpeg *j, const sclip__img_huff *t) {
    int f = t->fast[j->buf >> (64 - SCLIP__IMG_FAST)], len;
    if (f) {
        len = f >> 8;
        j->buf <<= len;
        j->nbits -= len;
        return f & 255;
    }
    for (len = SCLIP__IMG_FAST + 1; len <= 16; len++) {
        int32_t code = (int32_t)(j->buf >> (64 - len));
        if (code <= t->maxcode[len] && code >= t->mincode[len]) {
            j->buf <<= len;
            j->nbits -= len;
            return t->vals[code + t->delta[len]];
        }
    }
    return -1;
}

/* s (1..15) raw bits, sign-extended the JPEG way (T.81 F.2.2.1 EXTEND). */
static SCLIP__IMG_INLINE int sclip__img_extend(sclip__img_jpeg *j, int s) {
    int v = (int)(j->buf >> (64 - s));
    j->buf <<= s;
    j->nbits -= s;
    return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
}

static int sclip__img_bits(sclip__img_jpeg *j, int s) {
    int v;
    if (j->nbits < 16) sclip__img_fill(j);
    v = (int)(j->buf >> (64 - s));
    j->buf <<= s;
    j->nbits -= s;
    return v;
}

/* ---- integer IDCT: the Loeffler-Ligtenberg-Moschytz factorisation with 13-bit constants,
   two passes (columns, then rows), as libjpeg's jidctint.c "islow". The constants are
   round(x * 2^13) of sqrt(2) * combinations of cos(k*pi/16). ---- */
#define SCLIP__IMG_C0_298 2446   /* 0.298631336 */
#define SCLIP__IMG_C0_390 3196   /* 0.390180644 */
#define SCLIP__IMG_C0_541 4433   /* 0.541196100 */
#define SCLIP__IMG_C0_765 6270   /* 0.765366865 */
#define SCLIP__IMG_C0_899 7373   /* 0.899976223 */
#define SCLIP__IMG_C1_175 9633   /* 1.175875602 */
#define SCLIP__IMG_C1_501 12299  /* 1.501321110 */
#define SCLIP__IMG_C1_847 15137  /* 1.847759065 */
#define SCLIP__IMG_C1_961 16069  /* 1.961570560 */
#define SCLIP__IMG_C2_053 16819  /* 2.053119869 */
#define SCLIP__IMG_C2_562 20995  /* 2.562915447 */
#define SCLIP__IMG_C3_072 25172  /* 3.072711026 */

/* 1-D 8-point IDCT of x[0], x[s], ..., x[7s] in type T; o0..o7 receive the outputs scaled
   by 2^13 (before descaling). Even part: rotation by sqrt(2)*c6; odd part: the four-input
   butterfly with z5 = (z3 + z4) * sqrt(2)*c3. */
#define SCLIP__IMG_IDCT_1D(T, x, s, o)                                                       \
    do {                                                                                     \
        T z1_, z2_, z3_, z4_, z5_, t0_, t1_, t2_, t3_, t10_, t11_, t12_, t13_;               \
        T a0_, a1_, a2_, a3_;                                                                \
        z2_ = (T)(x)[2 * (s)]; z3_ = (T)(x)[6 * (s)];                                        \
        z1_ = (z2_ + z3_) * SCLIP__IMG_C0_541;                                               \
        t2_ = z1_ - z3_ * SCLIP__IMG_C1_847;                                                 \
        t3_ = z1_ + z2_ * SCLIP__IMG_C0_765;                                                 \
        t0_ = ((T)(x)[0] + (T)(x)[4 * (s)]) * 8192;                                          \
        t1_ = ((T)(x)[0] - (T)(x)[4 * (s)]) * 8192;                                          \
        t10_ = t0_ + t3_; t13_ = t0_ - t3_; t11_ = t1_ + t2_; t12_ = t1_ - t2_;              \
        a0_ = (T)(x)[7 * (s)]; a1_ = (T)(x)[5 * (s)]; a2_ = (T)(x)[3 * (s)]; a3_ = (T)(x)[s]; \
        z1_ = a0_ + a3_; z2_ = a1_ + a2_; z3_ = a0_ + a2_; z4_ = a1_ + a3_;                  \
        z5_ = (z3_ + z4_) * SCLIP__IMG_C1_175;                                               \
        a0_ *= SCLIP__IMG_C0_298; a1_ *= SCLIP__IMG_C2_053;                                  \
        a2_ *= SCLIP__IMG_C3_072; a3_ *= SCLIP__IMG_C1_501;                                  \
        z1_ *= -SCLIP__IMG_C0_899; z2_ *= -SCLIP__IMG_C2_562;                                \
        z3_ = z3_ * -SCLIP__IMG_C1_961 + z5_; z4_ = z4_ * -SCLIP__IMG_C0_390 + z5_;          \
        a0_ += z1_ + z3_; a1_ += z2_ + z4_; a2_ += z2_ + z3_; a3_ += z1_ + z4_;              \
        (o)[0] = t10_ + a3_; (o)[7] = t10_ - a3_; (o)[1] = t11_ + a2_; (o)[6] = t11_ - a2_;  \
        (o)[2] = t12_ + a1_; (o)[5] = t12_ - a1_; (o)[3] = t13_ + a0_; (o)[4] = t13_ - a0_;  \
    } while (0)

/* Rounding right shift of a signed value (libjpeg DESCALE). */
#define SCLIP__IMG_DESCALE(v, n) (((v) + ((T_one) << ((n) - 1))) >> (n))

#if defined(__AVX2__) && !defined(SCLIP_IMAGE_NO_SIMD)
#include <immintrin.h>
#define SCLIP__IMG_AVX2 1
#define SCLIP__IMG_SIMD_NAME "AVX2"
/* The same 1-D IDCT on 8 lanes of int32 (x[k] = input row k), results unscaled in o[]. */
static SCLIP__IMG_INLINE void sclip__img_idct_v(const __m256i *x, __m256i *o) {
#define SCLIP__M(a, c) _mm256_mullo_epi32(a, _mm256_set1_epi32(c))
    __m256i z1, z2, z3, z4, z5, t0, t1, t2, t3, t10, t11, t12, t13, a0, a1, a2, a3;
    z1 = SCLIP__M(_mm256_add_epi32(x[2], x[6]), SCLIP__IMG_C0_541);
    t2 = _mm256_sub_epi32(z1, SCLIP__M(x[6], SCLIP__IMG_C1_847));
    t3 = _mm256_add_epi32(z1, SCLIP__M(x[2], SCLIP__IMG_C0_765));
    t0 = _mm256_slli_epi32(_mm256_add_epi32(x[0], x[4]), 13);
    t1 = _mm256_slli_epi32(_mm256_sub_epi32(x[0], x[4]), 13);
    t10 = _mm256_add_epi32(t0, t3); t13 = _mm256_sub_epi32(t0, t3);
    t11 = _mm256_add_epi32(t1, t2); t12 = _mm256_sub_epi32(t1, t2);
    z1 = _mm256_add_epi32(x[7], x[1]); z2 = _mm256_add_epi32(x[5], x[3]);
    z3 = _mm256_add_epi32(x[7], x[3]); z4 = _mm256_add_epi32(x[5], x[1]);
    z5 = SCLIP__M(_mm256_add_epi32(z3, z4), SCLIP__IMG_C1_175);
    a0 = SCLIP__M(x[7], SCLIP__IMG_C0_298); a1 = SCLIP__M(x[5], SCLIP__IMG_C2_053);
    a2 = SCLIP__M(x[3], SCLIP__IMG_C3_072); a3 = SCLIP__M(x[1], SCLIP__IMG_C1_501);
    z1 = SCLIP__M(z1, -SCLIP__IMG_C0_899); z2 = SCLIP__M(z2, -SCLIP__IMG_C2_562);
    z3 = _mm256_add_epi32(SCLIP__M(z3, -SCLIP__IMG_C1_961), z5);
    z4 = _mm256_add_epi32(SCLIP__M(z4, -SCLIP__IMG_C0_390), z5);
    a0 = _mm256_add_epi32(a0, _mm256_add_epi32(z1, z3)); a1 = _mm256_add_epi32(a1, _mm256_add_epi32(z2, z4));
    a2 = _mm256_add_epi32(a2, _mm256_add_epi32(z2, z3)); a3 = _mm256_add_epi32(a3, _mm256_add_epi32(z1, z4));
    o[0] = _mm256_add_epi32(t10, a3); o[7] = _mm256_sub_epi32(t10, a3);
    o[1] = _mm256_add_epi32(t11, a2); o[6] = _mm256_sub_epi32(t11, a2);
    o[2] = _mm256_add_epi32(t12, a1); o[5] = _mm256_sub_epi32(t12, a1);
    o[3] = _mm256_add_epi32(t13, a0); o[4] = _mm256_sub_epi32(t13, a0);
#undef SCLIP__M
}

static SCLIP__IMG_INLINE void sclip__img_transpose8(__m256i *r) {
    __m256i a0 = _mm256_unpacklo_epi32(r[0], r[1]), a1 = _mm256_unpackhi_epi32(r[0], r[1]);
    __m256i a2 = _mm256_unpacklo_epi32(r[2], r[3]), a3 = _mm256_unpackhi_epi32(r[2], r[3]);
    __m256i a4 = _mm256_unpacklo_epi32(r[4], r[5]), a5 = _mm256_unpackhi_epi32(r[4], r[5]);
    __m256i a6 = _mm256_unpacklo_epi32(r[6], r[7]), a7 = _mm256_unpackhi_epi32(r[6], r[7]);
    __m256i b0 = _mm256_unpacklo_epi64(a0, a2), b1 = _mm256_unpackhi_epi64(a0, a2);
    __m256i b2 = _mm256_unpacklo_epi64(a1, a3), b3 = _mm256_unpackhi_epi64(a1, a3);
    __m256i b4 = _mm256_unpacklo_epi64(a4, a6), b5 = _mm256_unpackhi_epi64(a4, a6);
    __m256i b6 = _mm256_unpacklo_epi64(a5, a7), b7 = _mm256_unpackhi_epi64(a5, a7);
    r[0] = _mm256_permute2x128_si256(b0, b4, 0x20); r[4] = _mm256_permute2x128_si256(b0, b4, 0x31);
    r[1] = _mm256_permute2x128_si256(b1, b5, 0x20); r[5] = _mm256_permute2x128_si256(b1, b5, 0x31);
    r[2] = _mm256_permute2x128_si256(b2, b6, 0x20); r[6] = _mm256_permute2x128_si256(b2, b6, 0x31);
    r[3] = _mm256_permute2x128_si256(b3, b7, 0x20); r[7] = _mm256_permute2x128_si256(b3, b7, 0x31);
}

/* AVX2 IDCT for |input| < 2^13; returns 0 (nothing written) when a pass-1 value reaches
   2^13, so that the caller takes the 64-bit path. The final wrap to a signed 10-bit value
   plus 128 and the saturating packs reproduce the scalar range table exactly. */
static int sclip__img_idct_avx2(const int32_t *in, unsigned char *out, size_t stride) {
    __m256i x[8], o[8], big = _mm256_setzero_si256();
    int k;
    for (k = 0; k < 8; k++) x[k] = _mm256_loadu_si256((const __m256i *)(in + 8 * k));
    sclip__img_idct_v(x, o);
    for (k = 0; k < 8; k++) {
        o[k] = _mm256_srai_epi32(_mm256_add_epi32(o[k], _mm256_set1_epi32(1 << 10)), 11);
        big = _mm256_or_si256(big, _mm256_cmpgt_epi32(_mm256_abs_epi32(o[k]), _mm256_set1_epi32(8191)));
    }
    if (!_mm256_testz_si256(big, big)) return 0;
    sclip__img_transpose8(o);
    sclip__img_idct_v(o, x);
    for (k = 0; k < 8; k++) {
        __m256i v = _mm256_srai_epi32(_mm256_add_epi32(x[k], _mm256_set1_epi32(1 << 17)), 18);
        v = _mm256_and_si256(_mm256_add_epi32(v, _mm256_set1_epi32(512)), _mm256_set1_epi32(1023));
        x[k] = _mm256_sub_epi32(v, _mm256_set1_epi32(384)); /* (v & 1023) - 512 + 128 */
    }
    sclip__img_transpose8(x);
    for (k = 0; k < 8; k++) {
        __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(x[k]), _mm256_extracti128_si256(x[k], 1));
        _mm_storel_epi64((__m128i *)(out + (size_t)k * stride), _mm_packus_epi16(p16, p16));
    }
    return 1;
}
#endif

#ifndef SCLIP__IMG_SIMD_NAME
#define SCLIP__IMG_SIMD_NAME "no SIMD"
#endif

/* IDCT of one dequantised block (natural order) into 8x8 samples. Values whose intermediate
   sums fit 32 bits (every block of a real photograph: |input| and |pass-1 output| below
   2^13) use 32-bit arithmetic, others 64-bit: both give libjpeg's exact results. */
static void sclip__img_idct(const sclip__img_jpeg *j, const int32_t *in, int32_t amax,
                            unsigned char *out, size_t stride) {
    int32_t ws[64];
    int c, r;
#ifdef SCLIP__IMG_AVX2
    if (amax < 8192 && j->simd && sclip__img_idct_avx2(in, out, stride)) return;
#endif
    if (amax < 8192) {
        int32_t o[8], wmax = 0;
        typedef int32_t T_one_t;
#define T_one ((T_one_t)1)
        for (c = 0; c < 8; c++) {
            const int32_t *x = in + c;
            if (!(x[8] | x[16] | x[24] | x[32] | x[40] | x[48] | x[56])) {
                int32_t dc = x[0] * 4; /* DC only: pass 1 gives x0 << PASS1_BITS */
                for (r = 0; r < 8; r++) ws[r * 8 + c] = dc;
                if ((dc < 0 ? -dc : dc) > wmax) wmax = dc < 0 ? -dc : dc;
                continue;
            }
            SCLIP__IMG_IDCT_1D(int32_t, x, 8, o);
            for (r = 0; r < 8; r++) {
                int32_t v = SCLIP__IMG_DESCALE(o[r], 11);
                ws[r * 8 + c] = v;
                if ((v < 0 ? -v : v) > wmax) wmax = v < 0 ? -v : v;
            }
        }
        if (wmax < 8192) {
            for (r = 0; r < 8; r++) {
                const int32_t *x = ws + r * 8;
                unsigned char *q = out + (size_t)r * stride;
                if (!(x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7])) {
                    unsigned char v = j->range[SCLIP__IMG_DESCALE(x[0], 5) & 1023];
                    memset(q, v, 8);
                    continue;
                }
                SCLIP__IMG_IDCT_1D(int32_t, x, 1, o);
                for (c = 0; c < 8; c++) q[c] = j->range[SCLIP__IMG_DESCALE(o[c], 18) & 1023];
            }
            return;
        }
#undef T_one
    }
    {
        int64_t o[8];
        typedef int64_t T_one_t;
#define T_one ((T_one_t)1)
        for (c = 0; c < 8; c++) {
            SCLIP__IMG_IDCT_1D(int64_t, in + c, 8, o);
            for (r = 0; r < 8; r++) ws[r * 8 + c] = (int32_t)SCLIP__IMG_DESCALE(o[r], 11);
        }
        for (r = 0; r < 8; r++) {
            unsigned char *q = out + (size_t)r * stride;
            SCLIP__IMG_IDCT_1D(int64_t, ws + r * 8, 1, o);
            for (c = 0; c < 8; c++) q[c] = j->range[SCLIP__IMG_DESCALE(o[c], 18) & 1023];
        }
#undef T_one
    }
}

/* libjpeg's post-IDCT limiting: the descaled value is read as a signed 10-bit number
   (it wraps), then 128 is added and the result clamped to 0..255. */
static void sclip__img_range_init(unsigned char *range) {
    int x;
    for (x = 0; x < 1024; x++) range[x] = sclip__img_clamp255((x < 512 ? x : x - 1024) + 128);
}

/* ---- sequential (baseline / extended) block ---- */
static int sclip__img_block_seq(sclip__img_jpeg *j, sclip__img_jcomp *c, int bx, int by) {
    int32_t blk[64], amax;
    const sclip__img_huff *ha = &j->hac[c->ta];
    int t, k;
    memset(blk, 0, sizeof blk);
    if (j->nbits < 32) sclip__img_fill(j);
    t = sclip__img_huff_decode(j, &j->hdc[c->td]);
    if (t < 0) return sclip__img_fail(j->e, "jpeg: corrupt Huffman code");
    if (t) c->dc_pred = (int32_t)((uint32_t)c->dc_pred + (uint32_t)sclip__img_extend(j, t));
    blk[0] = (int16_t)c->dc_pred * c->q[0];
    amax = blk[0] < 0 ? -blk[0] : blk[0];
    for (k = 1; k < 64;) {
        int f, r, s, z;
        int32_t v;
        if (j->nbits < 32) sclip__img_fill(j);
        f = ha->fast_ac[j->buf >> (64 - SCLIP__IMG_FAST)];
        if (f) {
            k += (f >> 4) & 15;
            j->buf <<= f & 15;
            j->nbits -= f & 15;
            if (k > 63) return sclip__img_fail(j->e, "jpeg: corrupt AC coefficients");
            z = sclip__img_zz[k++];
            v = blk[z] = ((f - (f & 255)) / 256) * c->q[z];
        } else {
            t = sclip__img_huff_decode(j, ha);
            if (t < 0) return sclip__img_fail(j->e, "jpeg: corrupt Huffman code");
            r = t >> 4;
            s = t & 15;
            if (!s) {
                if (r != 15) break;
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) return sclip__img_fail(j->e, "jpeg: corrupt AC coefficients");
            z = sclip__img_zz[k++];
            v = blk[z] = sclip__img_extend(j, s) * c->q[z];
        }
        if (v < 0) v = -v;
        if (v > amax) amax = v;
    }
    sclip__img_idct(j, blk, amax, c->plane + (size_t)by * 8 * c->stride + (size_t)bx * 8, c->stride);
    return 1;
}

/* ---- progressive scans (T.81 G.1.2): DC first/refine, AC first/refine with EOB runs ---- */
static int sclip__img_block_prog(sclip__img_jpeg *j, sclip__img_jcomp *c, int bx, int by) {
    int16_t *b = c->coef + ((size_t)by * c->bw + bx) * 64;
    int t, k, r, s;
    if (j->nbits < 32) sclip__img_fill(j);
    if (j->ss == 0) { /* DC scan */
        if (j->ah == 0) {
            t = sclip__img_huff_decode(j, &j->hdc[c->td]);
            if (t < 0) return sclip__img_fail(j->e, "jpeg: corrupt Huffman code");
            if (t) c->dc_pred = (int32_t)((uint32_t)c->dc_pred + (uint32_t)sclip__img_extend(j, t));
            b[0] = (int16_t)(uint16_t)((uint32_t)c->dc_pred << j->al);
        } else if (sclip__img_bits(j, 1))
            b[0] = (int16_t)(uint16_t)((uint16_t)b[0] | (1u << j->al));
        return 1;
    }
    if (j->ah == 0) { /* AC first */
        if (j->eobrun) { j->eobrun--; return 1; }
        for (k = j->ss; k <= j->se; k++) {
            if (j->nbits < 32) sclip__img_fill(j);
            t = sclip__img_huff_decode(j, &j->hac[c->ta]);
            if (t < 0) return sclip__img_fail(j->e, "jpeg: corrupt Huffman code");
            r = t >> 4;
            s = t & 15;
            if (s) {
                k += r;
                if (k > 63) return sclip__img_fail(j->e, "jpeg: corrupt AC coefficients");
                b[sclip__img_zz[k]] = (int16_t)(uint16_t)((uint32_t)sclip__img_extend(j, s) << j->al);
            } else if (r == 15)
                k += 15;
            else {
                j->eobrun = 1u << r;
                if (r) j->eobrun += (unsigned)sclip__img_bits(j, r);
                j->eobrun--;
                break;
            }
        }
        return 1;
    }
    { /* AC refinement: one correction bit per already-nonzero coefficient on the way */
        int p1 = 1 << j->al, m1 = -p1;
        k = j->ss;
        if (!j->eobrun) {
            for (; k <= j->se; k++) {
                if (j->nbits < 32) sclip__img_fill(j);
                t = sclip__img_huff_decode(j, &j->hac[c->ta]);
                if (t < 0) return sclip__img_fail(j->e, "jpeg: corrupt Huffman code");
                r = t >> 4;
                s = t & 15;
                if (s) s = sclip__img_bits(j, 1) ? p1 : m1;
                else if (r != 15) {
                    j->eobrun = 1u << r;
                    if (r) j->eobrun += (unsigned)sclip__img_bits(j, r);
                    break;
                }
                do {
                    int16_t *q = b + sclip__img_zz[k];
                    if (*q) {
                        if (sclip__img_bits(j, 1) && (*q & p1) == 0)
                            *q = (int16_t)(*q >= 0 ? *q + p1 : *q + m1);
                    } else if (--r < 0)
                        break;
                    k++;
                } while (k <= j->se);
                if (s) {
                    if (k > j->se) return sclip__img_fail(j->e, "jpeg: corrupt AC refinement");
                    b[sclip__img_zz[k]] = (int16_t)s;
                }
            }
        }
        if (j->eobrun) {
            for (; k <= j->se; k++) {
                int16_t *q = b + sclip__img_zz[k];
                if (*q && sclip__img_bits(j, 1) && (*q & p1) == 0)
                    *q = (int16_t)(*q >= 0 ? *q + p1 : *q + m1);
            }
            j->eobrun--;
        }
    }
    return 1;
}

static int sclip__img_block(sclip__img_jpeg *j, sclip__img_jcomp *c, int bx, int by) {
    return j->progressive ? sclip__img_block_prog(j, c, bx, by) : sclip__img_block_seq(j, c, bx, by);
}

static void sclip__img_reset_bits(sclip__img_jpeg *j) {
    int i;
    j->buf = 0;
    j->nbits = j->pad = j->marker_hit = 0;
    j->eobrun = 0;
    for (i = 0; i < j->nc; i++) j->c[i].dc_pred = 0;
}

/* Position of the next marker at or after p (0xFF followed by neither 0x00 nor 0xFF). */
static const unsigned char *sclip__img_next_marker(const unsigned char *p, const unsigned char *end) {
    while (p + 1 < end && !(p[0] == 0xFF && p[1] != 0 && p[1] != 0xFF)) p++;
    return p + 1 < end ? p : end;
}

/* Entropy-coded data of one scan: MCUs (interleaved) or single blocks, restart intervals. */
static int sclip__img_scan(sclip__img_jpeg *j) {
    sclip__img_jcomp *c0 = &j->c[j->order[0]];
    int single = j->ns == 1, nx = single ? c0->nbw : j->mcusx, ny = single ? c0->nbh : j->mcusy;
    int x, y, i, hh, vv, todo = j->ri, rst = 0;
    j->bp = j->p;
    sclip__img_reset_bits(j);
    for (y = 0; y < ny; y++)
        for (x = 0; x < nx; x++) {
            if (j->ri && todo-- == 0) { /* restart: byte-align, expect RSTn, reset predictors */
                const unsigned char *m = sclip__img_next_marker(j->bp, j->end);
                if (m + 1 >= j->end || m[1] != 0xD0 + (rst & 7))
                    return sclip__img_fail(j->e, "jpeg: missing restart marker");
                j->bp = m + 2;
                rst++;
                todo = j->ri - 1;
                sclip__img_reset_bits(j);
            }
            if (single) {
                if (!sclip__img_block(j, c0, x, y)) return 0;
            } else
                for (i = 0; i < j->ns; i++) {
                    sclip__img_jcomp *c = &j->c[j->order[i]];
                    for (vv = 0; vv < c->v; vv++)
                        for (hh = 0; hh < c->h; hh++)
                            if (!sclip__img_block(j, c, x * c->h + hh, y * c->v + vv)) return 0;
                }
            if (j->nbits < j->pad) return sclip__img_fail(j->e, "jpeg: truncated or corrupt scan data");
        }
    j->p = sclip__img_next_marker(j->bp, j->end);
    return 1;
}

/* ---- marker segments ---- */
static int sclip__img_sof(sclip__img_jpeg *j, const unsigned char *s, unsigned len, int marker) {
    int i;
    if (j->frame) return sclip__img_fail(j->e, "jpeg: more than one frame");
    if (len < 6) return sclip__img_fail(j->e, "jpeg: corrupt frame header");
    if (s[0] != 8) return sclip__img_fail(j->e, "jpeg: %d-bit samples are not supported", s[0]);
    j->h = (int)sclip__img_be16(s + 1);
    j->w = (int)sclip__img_be16(s + 3);
    j->nc = s[5];
    if (j->h == 0) return sclip__img_fail(j->e, "jpeg: height defined by DNL is not supported");
    if (j->nc != 1 && j->nc != 3 && j->nc != 4)
        return sclip__img_fail(j->e, "jpeg: %d-component images are not supported", j->nc);
    if (len != 6u + 3u * (unsigned)j->nc) return sclip__img_fail(j->e, "jpeg: corrupt frame header");
    if (!sclip__img_check_dims(j->e, "jpeg", j->w, j->h)) return 0;
    j->progressive = marker == 0xC2;
    j->hmax = j->vmax = 1;
    for (i = 0; i < j->nc; i++) {
        sclip__img_jcomp *c = &j->c[i];
        const unsigned char *q = s + 6 + 3 * i;
        c->id = q[0];
        c->h = q[1] >> 4;
        c->v = q[1] & 15;
        c->tq = q[2];
        if (c->h < 1 || c->h > 4 || c->v < 1 || c->v > 4)
            return sclip__img_fail(j->e, "jpeg: bad sampling factors");
        if (c->tq > 3) return sclip__img_fail(j->e, "jpeg: bad quantisation table index");
        if (c->h > j->hmax) j->hmax = c->h;
        if (c->v > j->vmax) j->vmax = c->v;
    }
    j->mcusx = (j->w + 8 * j->hmax - 1) / (8 * j->hmax);
    j->mcusy = (j->h + 8 * j->vmax - 1) / (8 * j->vmax);
    for (i = 0; i < j->nc; i++) {
        sclip__img_jcomp *c = &j->c[i];
        size_t n;
        if (j->hmax % c->h || j->vmax % c->v)
            return sclip__img_fail(j->e, "jpeg: fractional sampling ratios are not supported");
        c->dw = (int)(((long)j->w * c->h + j->hmax - 1) / j->hmax);
        c->dh = (int)(((long)j->h * c->v + j->vmax - 1) / j->vmax);
        c->nbw = (c->dw + 7) / 8;
        c->nbh = (c->dh + 7) / 8;
        c->bw = j->mcusx * c->h;
        c->bh = j->mcusy * c->v;
        c->stride = (size_t)c->bw * 8;
        n = sclip__img_size3(c->stride, (size_t)c->bh * 8, 1);
        if (!n || !(c->plane = (unsigned char *)sclip__img_alloc(n)))
            return sclip__img_fail(j->e, "jpeg: image too large (out of memory)");
        memset(c->plane, 128, n); /* a component no scan covers decodes to mid-grey */
        if (j->progressive) {
            n = sclip__img_size3((size_t)c->bw * c->bh, 64, sizeof(int16_t));
            if (!n || !(c->coef = (int16_t *)sclip__img_alloc(n)))
                return sclip__img_fail(j->e, "jpeg: image too large (out of memory)");
            memset(c->coef, 0, n);
        }
    }
    j->frame = 1;
    return 1;
}

static int sclip__img_dqt(sclip__img_jpeg *j, const unsigned char *s, unsigned len) {
    while (len > 0) {
        int pq = s[0] >> 4, tq = s[0] & 15, k;
        unsigned need = pq ? 129 : 65;
        if (pq > 1 || tq > 3 || len < need)
            return sclip__img_fail(j->e, "jpeg: corrupt quantisation table");
        for (k = 0; k < 64; k++)
            j->qt[tq][sclip__img_zz[k]] = (uint16_t)(pq ? sclip__img_be16(s + 1 + 2 * k) : s[1 + k]);
        j->qt_defined[tq] = 1;
        s += need;
        len -= need;
    }
    return 1;
}

static int sclip__img_dht(sclip__img_jpeg *j, const unsigned char *s, unsigned len) {
    while (len > 0) {
        int tc = s[0] >> 4, th = s[0] & 15, i, n = 0;
        if (len < 17 || tc > 1 || th > 3) return sclip__img_fail(j->e, "jpeg: corrupt Huffman table");
        for (i = 0; i < 16; i++) n += s[1 + i];
        if (n > 256 || (unsigned)n > len - 17) return sclip__img_fail(j->e, "jpeg: corrupt Huffman table");
        if (!sclip__img_huff_build(tc ? &j->hac[th] : &j->hdc[th], s + 1, s + 17, n, tc == 0))
            return sclip__img_fail(j->e, "jpeg: corrupt Huffman table");
        s += 17 + n;
        len -= 17u + (unsigned)n;
    }
    return 1;
}

static int sclip__img_sos(sclip__img_jpeg *j, const unsigned char *s, unsigned len) {
    int i, k;
    if (!j->frame) return sclip__img_fail(j->e, "jpeg: scan before frame header");
    if (len < 1 || s[0] < 1 || s[0] > j->nc || len != 4u + 2u * s[0])
        return sclip__img_fail(j->e, "jpeg: corrupt scan header");
    j->ns = s[0];
    for (i = 0; i < j->ns; i++) {
        int id = s[1 + 2 * i], tables = s[2 + 2 * i];
        for (k = 0; k < j->nc && j->c[k].id != id; k++) {}
        if (k == j->nc) return sclip__img_fail(j->e, "jpeg: scan names an unknown component");
        for (k = 0; k < i; k++)
            if (j->c[j->order[k]].id == id) return sclip__img_fail(j->e, "jpeg: component twice in a scan");
        for (k = 0; j->c[k].id != id; k++) {}
        j->order[i] = k;
        j->c[k].td = tables >> 4;
        j->c[k].ta = tables & 15;
        if (j->c[k].td > 3 || j->c[k].ta > 3) return sclip__img_fail(j->e, "jpeg: bad Huffman table index");
    }
    s += 1 + 2 * j->ns;
    j->ss = s[0];
    j->se = s[1];
    j->ah = s[2] >> 4;
    j->al = s[2] & 15;
    if (j->progressive) { /* libjpeg's checks on the progression parameters */
        int bad = j->ss == 0 ? j->se != 0 : (j->ss > j->se || j->se > 63 || j->ns != 1);
        if ((j->ah && j->al != j->ah - 1) || j->al > 13) bad = 1;
        if (bad) return sclip__img_fail(j->e, "jpeg: bad progressive scan parameters");
    } else {
        j->ss = 0;
        j->se = 63;
        j->ah = j->al = 0;
    }
    { /* blocks in an MCU (T.81: at most 10) */
        int nb = 0;
        for (i = 0; i < j->ns; i++) nb += j->c[j->order[i]].h * j->c[j->order[i]].v;
        if (j->ns > 1 && nb > 10) return sclip__img_fail(j->e, "jpeg: too many blocks in an MCU");
    }
    for (i = 0; i < j->ns; i++) { /* tables needed by this scan; quantisation latched */
        sclip__img_jcomp *c = &j->c[j->order[i]];
        int need_dc = !j->progressive || (j->ss == 0 && j->ah == 0), need_ac = j->se > 0 && j->ss <= j->se && (!j->progressive || j->ss > 0);
        if (need_dc && !j->hdc[c->td].defined) return sclip__img_fail(j->e, "jpeg: scan uses an undefined Huffman table");
        if (need_ac && !j->hac[c->ta].defined) return sclip__img_fail(j->e, "jpeg: scan uses an undefined Huffman table");
        if (!c->latched) {
            if (!j->qt_defined[c->tq]) return sclip__img_fail(j->e, "jpeg: scan uses an undefined quantisation table");
            for (k = 0; k < 64; k++) c->q[k] = (int16_t)j->qt[c->tq][k];
            c->latched = 1;
        }
    }
    return 1;
}

/* APP0 JFIF, APP1 (first one: EXIF), APP14 Adobe: what libjpeg and OpenCV look at. */
static void sclip__img_app(sclip__img_jpeg *j, int marker, const unsigned char *s, unsigned len) {
    if (marker == 0xE0 && len >= 14 && memcmp(s, "JFIF\0", 5) == 0) j->jfif = 1;
    if (marker == 0xEE && len >= 12 && memcmp(s, "Adobe", 5) == 0) {
        j->adobe = 1;
        j->adobe_transform = s[11];
    }
    if (marker == 0xE1 && !j->saw_app1 && !j->scans) { /* OpenCV skips 6 bytes unchecked */
        j->saw_app1 = 1;
        if (len > 6) j->orientation = sclip__img_exif_orientation(s + 6, len - 6);
    }
}

/* Progressive: dequantise every block and run the IDCT into the component planes. */
static void sclip__img_prog_finish(sclip__img_jpeg *j) {
    int i, x, y, k;
    for (i = 0; i < j->nc; i++) {
        sclip__img_jcomp *c = &j->c[i];
        for (y = 0; y < c->bh; y++)
            for (x = 0; x < c->bw; x++) {
                const int16_t *b = c->coef + ((size_t)y * c->bw + x) * 64;
                int32_t blk[64], amax = 0;
                for (k = 0; k < 64; k++) {
                    int32_t v = (int32_t)b[k] * c->q[k];
                    blk[k] = v;
                    if (v < 0) v = -v;
                    if (v > amax) amax = v;
                }
                sclip__img_idct(j, blk, amax, c->plane + (size_t)y * 8 * c->stride + (size_t)x * 8, c->stride);
            }
    }
}

/* Row y of component c brought to full resolution (libjpeg-turbo jdsample.c, "fancy"):
   h2v1: 3/4 nearer + 1/4 further sample, rounding +1 (left output) / +2 (right output),
         the outermost outputs copied; h1v2: same vertically, +1 above / +2 below;
   h2v2: both, as (3*near + far) column sums, then (3*this + neighbour + 8 or 7) >> 4.
   Rows beyond the component replicate its first/last row. A row 2 samples wide or less,
   and every other integral ratio, uses plain replication. */
static const unsigned char *sclip__img_uprow(const sclip__img_jpeg *j, const sclip__img_jcomp *c,
                                             int y, unsigned char *tmp, int *colsum) {
    int hx = j->hmax / c->h, vx = j->vmax / c->v, n = c->dw, x;
    if (hx == 1 && vx == 1) return c->plane + (size_t)y * c->stride;
    if (hx == 2 && vx == 1 && n > 2) {
        const unsigned char *s = c->plane + (size_t)y * c->stride;
        tmp[0] = s[0];
        tmp[1] = (unsigned char)((s[0] * 3 + s[1] + 2) >> 2);
        for (x = 1; x < n - 1; x++) {
            int v = s[x] * 3;
            tmp[2 * x] = (unsigned char)((v + s[x - 1] + 1) >> 2);
            tmp[2 * x + 1] = (unsigned char)((v + s[x + 1] + 2) >> 2);
        }
        tmp[2 * n - 2] = (unsigned char)((s[n - 1] * 3 + s[n - 2] + 1) >> 2);
        tmp[2 * n - 1] = s[n - 1];
        return tmp;
    }
    if (vx == 2 && (hx == 1 || (hx == 2 && n > 2))) {
        int r = y >> 1, r2 = (y & 1) ? r + 1 : r - 1;
        const unsigned char *a, *b;
        if (r2 < 0) r2 = 0;
        if (r2 > c->dh - 1) r2 = c->dh - 1;
        a = c->plane + (size_t)r * c->stride;
        b = c->plane + (size_t)r2 * c->stride;
        if (hx == 1) {
            int bias = (y & 1) ? 2 : 1;
            for (x = 0; x < n; x++) tmp[x] = (unsigned char)((a[x] * 3 + b[x] + bias) >> 2);
            return tmp;
        }
        for (x = 0; x < n; x++) colsum[x] = a[x] * 3 + b[x];
        tmp[0] = (unsigned char)((colsum[0] * 4 + 8) >> 4);
        tmp[1] = (unsigned char)((colsum[0] * 3 + colsum[1] + 7) >> 4);
        for (x = 1; x < n - 1; x++) {
            int v = colsum[x] * 3;
            tmp[2 * x] = (unsigned char)((v + colsum[x - 1] + 8) >> 4);
            tmp[2 * x + 1] = (unsigned char)((v + colsum[x + 1] + 7) >> 4);
        }
        tmp[2 * n - 2] = (unsigned char)((colsum[n - 1] * 3 + colsum[n - 2] + 8) >> 4);
        tmp[2 * n - 1] = (unsigned char)((colsum[n - 1] * 4 + 7) >> 4);
        return tmp;
    }
    { /* replication */
        const unsigned char *s = c->plane + (size_t)(y / vx) * c->stride;
        for (x = 0; x < j->w; x++) tmp[x] = s[x / hx];
        return tmp;
    }
}

/* libjpeg's YCbCr->RGB fixed-point tables (16 fractional bits): R = Y + Cr_r[Cr],
   B = Y + Cb_b[Cb], G = Y + ((Cb_g[Cb] + Cr_g[Cr]) >> 16). */
typedef struct sclip__img_ycc {
    int cr_r[256], cb_b[256];
    int32_t cr_g[256], cb_g[256];
} sclip__img_ycc;

static void sclip__img_ycc_init(sclip__img_ycc *t) {
    const int32_t half = (int32_t)1 << 15;
    const int32_t f_crr = 91881, f_cbb = 116130, f_crg = 46802, f_cbg = 22554; /* 1.402, 1.772, 0.71414, 0.34414 x 2^16 */
    int i;
    for (i = 0; i < 256; i++) {
        int32_t x = i - 128;
        t->cr_r[i] = (int)((f_crr * x + half) >> 16);
        t->cb_b[i] = (int)((f_cbb * x + half) >> 16);
        t->cr_g[i] = -f_crg * x;
        t->cb_g[i] = -f_cbg * x + half;
    }
}

/* Planes -> RGB rows: colour space as libjpeg decides it, CMYK as OpenCV converts it. */
static int sclip__img_jpeg_output(sclip__img_jpeg *j, sclip_image *out) {
    sclip__img_ycc t;
    unsigned char *tmp[4] = {0, 0, 0, 0};
    int *colsum = NULL, i, x, y, ok = 1, ycc;
    size_t n = sclip__img_size3((size_t)j->w, (size_t)j->h, 3);
    if (j->nc == 3)
        ycc = j->jfif ? 1 : j->adobe ? j->adobe_transform != 0
            : !(j->c[0].id == 'R' && j->c[1].id == 'G' && j->c[2].id == 'B');
    else
        ycc = j->nc == 4 && j->adobe && j->adobe_transform != 0; /* YCCK */
    sclip__img_ycc_init(&t);
    out->pixels = (unsigned char *)sclip__img_alloc(n);
    colsum = (int *)sclip__img_alloc(((size_t)j->w + 16) * sizeof(int));
    for (i = 0; i < j->nc; i++) tmp[i] = (unsigned char *)sclip__img_alloc((size_t)j->w * 4 + 64);
    for (i = 0; i < j->nc; i++) ok = ok && tmp[i];
    if (!out->pixels || !colsum || !ok) {
        ok = sclip__img_fail(j->e, "jpeg: out of memory");
        goto done;
    }
    out->w = j->w;
    out->h = j->h;
    out->channels = 3;
    for (y = 0; y < j->h; y++) {
        const unsigned char *r[4];
        unsigned char *q = out->pixels + (size_t)y * j->w * 3;
        for (i = 0; i < j->nc; i++) r[i] = sclip__img_uprow(j, &j->c[i], y, tmp[i], colsum);
        if (j->nc == 1) {
            for (x = 0; x < j->w; x++, q += 3) q[0] = q[1] = q[2] = r[0][x];
        } else if (j->nc == 3 && !ycc) {
            for (x = 0; x < j->w; x++, q += 3) { q[0] = r[0][x]; q[1] = r[1][x]; q[2] = r[2][x]; }
        } else if (j->nc == 3) {
            for (x = 0; x < j->w; x++, q += 3) {
                int yy = r[0][x], cb = r[1][x], cr = r[2][x];
                q[0] = sclip__img_clamp255(yy + t.cr_r[cr]);
                q[1] = sclip__img_clamp255(yy + (int)((t.cb_g[cb] + t.cr_g[cr]) >> 16));
                q[2] = sclip__img_clamp255(yy + t.cb_b[cb]);
            }
        } else {
            for (x = 0; x < j->w; x++, q += 3) {
                int cc = r[0][x], m = r[1][x], yl = r[2][x], k = r[3][x];
                if (ycc) { /* YCCK -> CMYK: C = 255 - R etc., K unchanged (libjpeg) */
                    int yy = cc, cb = m, cr = yl;
                    cc = sclip__img_clamp255(255 - (yy + t.cr_r[cr]));
                    m = sclip__img_clamp255(255 - (yy + (int)((t.cb_g[cb] + t.cr_g[cr]) >> 16)));
                    yl = sclip__img_clamp255(255 - (yy + t.cb_b[cb]));
                }
                /* OpenCV icvCvt_CMYK2BGR: channel = k - ((255 - channel) * k >> 8) */
                q[0] = (unsigned char)(k - (((255 - cc) * k) >> 8));
                q[1] = (unsigned char)(k - (((255 - m) * k) >> 8));
                q[2] = (unsigned char)(k - (((255 - yl) * k) >> 8));
            }
        }
    }
done:
    for (i = 0; i < 4; i++) sclip__img_release(tmp[i]);
    sclip__img_release(colsum);
    return ok;
}

static void sclip__img_jpeg_free(sclip__img_jpeg *j) {
    int i;
    for (i = 0; i < 4; i++) {
        sclip__img_release(j->c[i].plane);
        sclip__img_release(j->c[i].coef);
    }
}

static int sclip__img_jpeg_run(sclip__img_jpeg *j, sclip_image *out) {
    for (;;) {
        int m;
        unsigned len;
        const unsigned char *s;
        while (j->p < j->end && *j->p != 0xFF) j->p++; /* libjpeg skips stray bytes too */
        while (j->p < j->end && *j->p == 0xFF) j->p++;
        if (j->p >= j->end) {
            if (j->scans) break; /* no EOI: libjpeg warns and keeps the image */
            return sclip__img_fail(j->e, "jpeg: no image data");
        }
        m = *j->p++;
        if (m == 0xD9) break;
        if (m >= 0xD0 && m <= 0xD7) continue; /* stray restart marker */
        if (m == 0x01) continue;
        if (j->end - j->p < 2 || (len = sclip__img_be16(j->p)) < 2 || (size_t)(j->end - j->p) < len)
            return sclip__img_fail(j->e, "jpeg: truncated marker segment");
        s = j->p + 2;
        j->p += len;
        len -= 2;
        if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
            if (!sclip__img_sof(j, s, len, m)) return 0;
        } else if (m == 0xC4) {
            if (!sclip__img_dht(j, s, len)) return 0;
        } else if (m == 0xDB) {
            if (!sclip__img_dqt(j, s, len)) return 0;
        } else if (m == 0xDD) {
            if (len != 2) return sclip__img_fail(j->e, "jpeg: corrupt restart interval");
            j->ri = (int)sclip__img_be16(s);
        } else if (m == 0xDA) {
            if (!sclip__img_sos(j, s, len) || !sclip__img_scan(j)) return 0;
            j->scans++;
        } else if ((m >= 0xE0 && m <= 0xEF) || m == 0xFE) {
            sclip__img_app(j, m, s, len);
        } else if (m == 0xC3 || m == 0xC7 || m == 0xCB || m == 0xCF) {
            return sclip__img_fail(j->e, "jpeg: lossless JPEG is not supported");
        } else if ((m >= 0xC9 && m <= 0xCB) || (m >= 0xCD && m <= 0xCF) || m == 0xCC) {
            return sclip__img_fail(j->e, "jpeg: arithmetic coding is not supported");
        } else if (m == 0xC5 || m == 0xC6 || m == 0xDE || m == 0xDF) {
            return sclip__img_fail(j->e, "jpeg: hierarchical JPEG is not supported");
        } else if (m == 0xDC) {
            return sclip__img_fail(j->e, "jpeg: DNL markers are not supported");
        } else if (m == 0xD8) {
            return sclip__img_fail(j->e, "jpeg: unexpected SOI marker");
        } else if (!(m >= 0xF0 && m <= 0xFD)) {
            return sclip__img_fail(j->e, "jpeg: unknown marker 0xFF%02X", m);
        }
    }
    if (!j->frame || !j->scans) return sclip__img_fail(j->e, "jpeg: no image data");
    if (j->progressive) sclip__img_prog_finish(j);
    if (!sclip__img_jpeg_output(j, out)) return 0;
    return sclip__img_orient(out, j->orientation, j->e);
}

static int sclip__img_jpeg_load(const unsigned char *d, size_t n, sclip_image *out, sclip__img_err *e) {
    sclip__img_jpeg *j = (sclip__img_jpeg *)sclip__img_alloc(sizeof(sclip__img_jpeg));
    int ok;
    if (!j) return sclip__img_fail(e, "jpeg: out of memory");
    memset(j, 0, sizeof *j);
    j->e = e;
    j->p = d + 2;
    j->end = d + n;
    sclip__img_range_init(j->range);
    j->simd = 1;
    ok = sclip__img_jpeg_run(j, out);
    sclip__img_jpeg_free(j);
    sclip__img_release(j);
    if (!ok) {
        sclip__img_release(out->pixels);
        out->pixels = NULL;
    }
    return ok;
}

/* ==========================================================================================
   Inflate (RFC 1950/1951) into a buffer of known size
   ========================================================================================== */

#define SCLIP__IMG_ZFAST 10

typedef struct sclip__img_zhuff {
    uint16_t fast[1 << SCLIP__IMG_ZFAST]; /* (length << 9) | symbol, 0 = longer code */
    uint16_t count[16], sym[320];          /* canonical codes: symbols sorted by length */
} sclip__img_zhuff;

typedef struct sclip__img_zin {
    const unsigned char *p, *end;
    uint64_t bits; /* least significant bit first */
    int n;
    long over;     /* bytes read past the end (zeros) */
    unsigned char *out;
    size_t pos, cap;
} sclip__img_zin;

static void sclip__img_zfill(sclip__img_zin *z) {
    while (z->n <= 56) {
        unsigned b = 0;
        if (z->p < z->end) b = *z->p++;
        else z->over++;
        z->bits |= (uint64_t)b << z->n;
        z->n += 8;
    }
}

static unsigned sclip__img_zbits(sclip__img_zin *z, int k) {
    unsigned v;
    if (k == 0) return 0;
    if (z->n < k) sclip__img_zfill(z);
    v = (unsigned)(z->bits & (((uint64_t)1 << k) - 1));
    z->bits >>= k;
    z->n -= k;
    return v;
}

/* Build from code lengths; 0 when the lengths over-subscribe the code space. */
static int sclip__img_zbuild(sclip__img_zhuff *h, const unsigned char *len, int n) {
    uint16_t offs[16];
    int i, l, left = 1, code = 0;
    memset(h, 0, sizeof *h);
    for (i = 0; i < n; i++) h->count[len[i]]++;
    h->count[0] = 0;
    for (l = 1; l < 16; l++) {
        left = left * 2 - h->count[l];
        if (left < 0) return 0;
    }
    offs[1] = 0;
    for (l = 1; l < 15; l++) offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
    for (i = 0; i < n; i++)
        if (len[i]) h->sym[offs[len[i]]++] = (uint16_t)i;
    /* fast table: canonical code of each symbol, bit-reversed (deflate sends codes MSB first
       inside an LSB-first stream) */
    for (l = 1, i = 0; l <= SCLIP__IMG_ZFAST; l++) {
        int k;
        for (k = 0; k < h->count[l]; k++, i++, code++) {
            int r = 0, b, f;
            for (b = 0; b < l; b++) r |= ((code >> b) & 1) << (l - 1 - b);
            for (f = r; f < (1 << SCLIP__IMG_ZFAST); f += 1 << l)
                h->fast[f] = (uint16_t)((l << 9) | h->sym[i]);
        }
        code <<= 1;
    }
    return 1;
}

/* One symbol; -1 when the bits are not a code. */
static int sclip__img_zdecode(sclip__img_zin *z, const sclip__img_zhuff *h) {
    int f, l, code = 0, first = 0, index = 0;
    if (z->n < 16) sclip__img_zfill(z);
    f = h->fast[z->bits & ((1u << SCLIP__IMG_ZFAST) - 1)];
    if (f) {
        z->bits >>= f >> 9;
        z->n -= f >> 9;
        return f & 511;
    }
    for (l = 1; l < 16; l++) { /* canonical decoding one bit at a time */
        code |= (int)(z->bits & 1);
        z->bits >>= 1;
        z->n--;
        if (code - h->count[l] < first) return h->sym[index + (code - first)];
        index += h->count[l];
        first = (first + h->count[l]) << 1;
        code <<= 1;
    }
    return -1;
}

static int sclip__img_zblock(sclip__img_zin *z, const sclip__img_zhuff *lit, const sclip__img_zhuff *dist,
                             sclip__img_err *e) {
    static const uint16_t lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                       35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const unsigned char lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                           3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const uint16_t dbase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577};
    for (;;) {
        int s = sclip__img_zdecode(z, lit);
        if (s < 0) return sclip__img_fail(e, "png: corrupt deflate data");
        if (s < 256) {
            if (z->pos >= z->cap) return 2; /* more data than the image needs */
            z->out[z->pos++] = (unsigned char)s;
        } else if (s == 256) {
            return 1;
        } else {
            size_t len, d, i;
            int ds;
            if (s > 285) return sclip__img_fail(e, "png: corrupt deflate data");
            len = lbase[s - 257] + sclip__img_zbits(z, lext[s - 257]);
            ds = sclip__img_zdecode(z, dist);
            if (ds < 0 || ds > 29) return sclip__img_fail(e, "png: corrupt deflate data");
            d = dbase[ds] + sclip__img_zbits(z, ds < 4 ? 0 : ds / 2 - 1);
            if (d > z->pos) return sclip__img_fail(e, "png: deflate distance too far back");
            if (len > z->cap - z->pos) return 2;
            for (i = 0; i < len; i++, z->pos++) z->out[z->pos] = z->out[z->pos - d];
        }
        if (z->n < z->over * 8) return sclip__img_fail(e, "png: truncated deflate data");
    }
}

/* Inflate a zlib stream into out[0..cap). Returns 1 when exactly cap bytes came out (the
   Adler-32 is checked when the stream ends there), 0 with a message otherwise. Extra data
   beyond cap is ignored unread, as libpng does: decoding never writes past cap. */
static int sclip__img_inflate(const unsigned char *src, size_t n, unsigned char *out, size_t cap,
                              sclip__img_err *e) {
    static const unsigned char order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    sclip__img_zin z;
    sclip__img_zhuff *t = (sclip__img_zhuff *)sclip__img_alloc(2 * sizeof(sclip__img_zhuff));
    int final = 0, r = 1;
    if (!t) return sclip__img_fail(e, "png: out of memory");
    memset(&z, 0, sizeof z);
    z.p = src + 2;
    z.end = src + n;
    z.out = out;
    z.cap = cap;
    if (n < 2 || (src[0] & 15) != 8 || (src[0] >> 4) > 7 || ((src[0] << 8) | src[1]) % 31 || (src[1] & 32)) {
        sclip__img_release(t);
        return sclip__img_fail(e, "png: bad zlib header");
    }
    while (!final && r == 1) {
        unsigned type;
        final = (int)sclip__img_zbits(&z, 1);
        type = sclip__img_zbits(&z, 2);
        if (type == 0) { /* stored: byte-align, LEN, NLEN */
            unsigned len, nlen;
            size_t k;
            sclip__img_zbits(&z, z.n & 7);
            len = sclip__img_zbits(&z, 16);
            nlen = sclip__img_zbits(&z, 16);
            if ((len ^ 0xFFFFu) != nlen) { r = sclip__img_fail(e, "png: corrupt stored block"); break; }
            for (k = 0; k < len && r == 1; k++) {
                unsigned b = sclip__img_zbits(&z, 8);
                if (z.n < z.over * 8) r = sclip__img_fail(e, "png: truncated deflate data");
                else if (z.pos >= z.cap) r = 2;
                else z.out[z.pos++] = (unsigned char)b;
            }
        } else if (type == 1) { /* fixed codes */
            unsigned char l[320];
            int i;
            for (i = 0; i < 288; i++) l[i] = (unsigned char)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
            for (i = 0; i < 30; i++) l[288 + i] = 5;
            sclip__img_zbuild(&t[0], l, 288);
            sclip__img_zbuild(&t[1], l + 288, 30);
            r = sclip__img_zblock(&z, &t[0], &t[1], e);
        } else if (type == 2) { /* dynamic codes */
            unsigned char l[320], cl[19];
            unsigned hlit = sclip__img_zbits(&z, 5) + 257, hdist = sclip__img_zbits(&z, 5) + 1;
            unsigned hclen = sclip__img_zbits(&z, 4) + 4, i = 0;
            memset(cl, 0, sizeof cl);
            for (i = 0; i < hclen; i++) cl[order[i]] = (unsigned char)sclip__img_zbits(&z, 3);
            if (hlit > 286 || hdist > 30 || !sclip__img_zbuild(&t[0], cl, 19)) {
                r = sclip__img_fail(e, "png: corrupt deflate code lengths");
                break;
            }
            for (i = 0; i < hlit + hdist && r == 1;) {
                int s = sclip__img_zdecode(&z, &t[0]);
                unsigned rep = 0, val = 0;
                if (s < 0) r = 0;
                else if (s < 16) { l[i++] = (unsigned char)s; continue; }
                else if (s == 16) { if (i == 0) r = 0; else { val = l[i - 1]; rep = 3 + sclip__img_zbits(&z, 2); } }
                else if (s == 17) rep = 3 + sclip__img_zbits(&z, 3);
                else rep = 11 + sclip__img_zbits(&z, 7);
                if (r == 1 && i + rep > hlit + hdist) r = 0;
                while (r == 1 && rep--) l[i++] = (unsigned char)val;
            }
            if (r != 1 || l[256] == 0 || !sclip__img_zbuild(&t[0], l, (int)hlit) ||
                !sclip__img_zbuild(&t[1], l + hlit, (int)hdist)) {
                r = sclip__img_fail(e, "png: corrupt deflate code lengths");
                break;
            }
            r = sclip__img_zblock(&z, &t[0], &t[1], e);
        } else
            r = sclip__img_fail(e, "png: bad deflate block type");
        if (r == 1 && z.n < z.over * 8) r = sclip__img_fail(e, "png: truncated deflate data");
    }
    sclip__img_release(t);
    if (r == 0) return 0;
    if (z.pos < z.cap) return sclip__img_fail(e, "png: not enough image data");
    if (r == 1) { /* stream ended: Adler-32 (RFC 1950) of the output */
        uint32_t a = 1, b = 0, want;
        size_t i = 0;
        sclip__img_zbits(&z, z.n & 7);
        want = (uint32_t)sclip__img_zbits(&z, 8) << 24;
        want |= (uint32_t)sclip__img_zbits(&z, 8) << 16;
        want |= (uint32_t)sclip__img_zbits(&z, 8) << 8;
        want |= (uint32_t)sclip__img_zbits(&z, 8);
        if (z.n < z.over * 8) return sclip__img_fail(e, "png: truncated zlib stream (no Adler-32)");
        while (i < cap) {
            size_t k, m = cap - i < 5552 ? cap - i : 5552;
            for (k = 0; k < m; k++) { a += out[i + k]; b += a; }
            a %= 65521;
            b %= 65521;
            i += m;
        }
        if (((b << 16) | a) != want) return sclip__img_fail(e, "png: Adler-32 mismatch in zlib stream");
    }
    return 1;
}

/* ==========================================================================================
   PNG decoder
   ========================================================================================== */

/* CRC-32 (ISO 3309, polynomial 0xEDB88320, as PNG uses it), table built per call. */
typedef struct sclip__img_crc {
    uint32_t t[256];
} sclip__img_crc;

static void sclip__img_crc_init(sclip__img_crc *c) {
    uint32_t i, k, v;
    for (i = 0; i < 256; i++) {
        for (v = i, k = 0; k < 8; k++) v = (v & 1) ? 0xEDB88320u ^ (v >> 1) : v >> 1;
        c->t[i] = v;
    }
}

static uint32_t sclip__img_crc_run(const sclip__img_crc *c, uint32_t crc, const unsigned char *p, size_t n) {
    size_t i;
    crc = ~crc;
    for (i = 0; i < n; i++) crc = c->t[(crc ^ p[i]) & 255] ^ (crc >> 8);
    return ~crc;
}

/* Undo the five PNG row filters in place; rows are (1 + rowbytes) bytes, bpp >= 1. */
static int sclip__img_unfilter(unsigned char *d, size_t rowbytes, int rows, int bpp, sclip__img_err *e) {
    int y;
    size_t x;
    unsigned char *prev = NULL;
    for (y = 0; y < rows; y++) {
        unsigned char *r = d + (size_t)y * (rowbytes + 1), f = r[0];
        unsigned char *c = r + 1;
        if (f > 4) return sclip__img_fail(e, "png: bad row filter %d", f);
        for (x = 0; x < rowbytes; x++) {
            int a = x >= (size_t)bpp ? c[x - bpp] : 0, b = prev ? prev[x] : 0;
            int cc = (prev && x >= (size_t)bpp) ? prev[x - bpp] : 0, v = 0;
            switch (f) {
            case 1: v = a; break;
            case 2: v = b; break;
            case 3: v = (a + b) >> 1; break;
            case 4: { /* Paeth predictor */
                int p = a + b - cc, pa = abs(p - a), pb = abs(p - b), pc = abs(p - cc);
                v = (pa <= pb && pa <= pc) ? a : pb <= pc ? b : cc;
                break;
            }
            default: break;
            }
            c[x] = (unsigned char)(c[x] + v);
        }
        prev = c;
    }
    return 1;
}

typedef struct sclip__img_png {
    int w, h, depth, ctype, interlace, channels, npal;
    int label; /* 1: one raw byte per pixel (sclip_image_load_label), else RGB */
    unsigned char pal[256 * 3];
} sclip__img_png;

/* Sample i of a filtered-out row as an 8-bit value: 16-bit keeps its high byte
   (png_set_strip_16); 1/2/4-bit grey is scaled to 0..255 by bit replication; indices raw. */
static int sclip__img_png_sample(const sclip__img_png *g, const unsigned char *row, size_t i) {
    int d = g->depth, v;
    if (d == 8) return row[i];
    if (d == 16) return row[2 * i];
    v = (row[(i * (size_t)d) >> 3] >> (8 - d - (int)((i * (size_t)d) & 7))) & ((1 << d) - 1);
    if (g->ctype == 3) return v;
    return v * (255 / ((1 << d) - 1));
}

/* Write one decoded row of pixels to RGB at (x0 + k*dx, y). Alpha dropped, palette expanded
   (indices past the palette give black, as libpng's zero-filled palette does). */
static void sclip__img_png_row(const sclip__img_png *g, const unsigned char *row, int pw,
                               unsigned char *dst, int dx) {
    int k, ch = g->channels;
    if (g->label) { /* palette index or grey value; PIL reads 1-bit grey as 0/1 */
        for (k = 0; k < pw; k++, dst += dx)
            *dst = (unsigned char)(g->depth == 1 && g->ctype == 0 ? sclip__img_png_sample(g, row, (size_t)k) != 0
                                                                  : sclip__img_png_sample(g, row, (size_t)k));
        return;
    }
    for (k = 0; k < pw; k++, dst += 3 * dx) {
        if (g->ctype == 0 || g->ctype == 4) {
            dst[0] = dst[1] = dst[2] = (unsigned char)sclip__img_png_sample(g, row, (size_t)k * ch);
        } else if (g->ctype == 3) {
            int idx = sclip__img_png_sample(g, row, (size_t)k);
            if (idx < g->npal) memcpy(dst, g->pal + 3 * idx, 3);
            else dst[0] = dst[1] = dst[2] = 0;
        } else {
            dst[0] = (unsigned char)sclip__img_png_sample(g, row, (size_t)k * ch);
            dst[1] = (unsigned char)sclip__img_png_sample(g, row, (size_t)k * ch + 1);
            dst[2] = (unsigned char)sclip__img_png_sample(g, row, (size_t)k * ch + 2);
        }
    }
}

static int sclip__img_png_ihdr(sclip__img_png *g, const unsigned char *d, uint32_t len, sclip__img_err *e) {
    uint32_t w, h;
    int ok;
    if (len != 13) return sclip__img_fail(e, "png: corrupt IHDR");
    w = sclip__img_be32(d);
    h = sclip__img_be32(d + 4);
    g->depth = d[8];
    g->ctype = d[9];
    g->interlace = d[12];
    if (w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) return sclip__img_fail(e, "png: corrupt IHDR");
    if (!sclip__img_check_dims(e, "png", (long)w, (long)h)) return 0;
    g->w = (int)w;
    g->h = (int)h;
    switch (g->ctype) {
    case 0: ok = g->depth == 1 || g->depth == 2 || g->depth == 4 || g->depth == 8 || g->depth == 16; g->channels = 1; break;
    case 3: ok = g->depth == 1 || g->depth == 2 || g->depth == 4 || g->depth == 8; g->channels = 1; break;
    case 2: ok = g->depth == 8 || g->depth == 16; g->channels = 3; break;
    case 4: ok = g->depth == 8 || g->depth == 16; g->channels = 2; break;
    case 6: ok = g->depth == 8 || g->depth == 16; g->channels = 4; break;
    default: ok = 0;
    }
    if (!ok) return sclip__img_fail(e, "png: bad colour type %d / bit depth %d", g->ctype, g->depth);
    if (d[10] != 0 || d[11] != 0 || g->interlace > 1)
        return sclip__img_fail(e, "png: unknown compression, filter or interlace method");
    if (g->label && (g->ctype == 2 || g->ctype == 4 || g->ctype == 6 || g->depth == 16)) {
        static const char *const kinds[7] = {"grey", "", "RGB", "", "grey+alpha", "", "RGBA"};
        return sclip__img_fail(e, "png: a label map must be an 8-bit grey or palette PNG, this one is %d-bit %s",
                               g->depth, kinds[g->ctype]);
    }
    return 1;
}

/* Inflate, unfilter and convert the image data (Adam7 passes when interlaced). */
static int sclip__img_png_pixels(const sclip__img_png *g, const unsigned char *z, size_t zn,
                                 sclip_image *out, sclip__img_err *e) {
    static const int x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static const int dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    int passes = g->interlace ? 7 : 1, p, bpp = (g->depth * g->channels + 7) / 8;
    size_t total = 0, off = 0;
    unsigned char *raw;
    for (p = 0; p < passes; p++) { /* expected size of the decompressed data */
        size_t pw = g->interlace ? ((size_t)g->w - x0[p] + dx[p] - 1) / dx[p] : (size_t)g->w;
        size_t ph = g->interlace ? ((size_t)g->h - y0[p] + dy[p] - 1) / dy[p] : (size_t)g->h;
        if ((int)pw <= 0 || (int)ph <= 0 || (size_t)g->w <= (size_t)x0[p] || (size_t)g->h <= (size_t)y0[p]) continue;
        total += ((pw * g->depth * g->channels + 7) / 8 + 1) * ph;
        if (total > SCLIP_IMAGE_MAX_BYTES)
            return sclip__img_fail(e, "png: decompressed size exceeds the %lu-byte limit", (unsigned long)SCLIP_IMAGE_MAX_BYTES);
    }
    out->pixels = (unsigned char *)sclip__img_alloc((size_t)g->w * g->h * (g->label ? 1 : 3));
    raw = (unsigned char *)sclip__img_alloc(total);
    if (!out->pixels || !raw) {
        sclip__img_release(raw);
        return sclip__img_fail(e, "png: out of memory");
    }
    if (!sclip__img_inflate(z, zn, raw, total, e)) {
        sclip__img_release(raw);
        return 0;
    }
    for (p = 0; p < passes; p++) {
        int pw, ph, y;
        size_t rb;
        if (g->w <= x0[p] || g->h <= y0[p]) continue;
        pw = g->interlace ? (g->w - x0[p] + dx[p] - 1) / dx[p] : g->w;
        ph = g->interlace ? (g->h - y0[p] + dy[p] - 1) / dy[p] : g->h;
        rb = ((size_t)pw * g->depth * g->channels + 7) / 8;
        if (!sclip__img_unfilter(raw + off, rb, ph, bpp, e)) {
            sclip__img_release(raw);
            return 0;
        }
        for (y = 0; y < ph; y++) {
            int oy = g->interlace ? y0[p] + y * dy[p] : y, ox = g->interlace ? x0[p] : 0;
            sclip__img_png_row(g, raw + off + (size_t)y * (rb + 1) + 1, pw,
                               out->pixels + ((size_t)oy * g->w + ox) * (g->label ? 1 : 3), g->interlace ? dx[p] : 1);
        }
        off += (rb + 1) * (size_t)ph;
    }
    sclip__img_release(raw);
    out->w = g->w;
    out->h = g->h;
    out->channels = g->label ? 1 : 3;
    return 1;
}

/* label: 1 for sclip_image_load_label (raw bytes, no orientation), 0 for RGB. */
static int sclip__img_png_load(const unsigned char *d, size_t n, sclip_image *out, sclip__img_err *e, int label) {
    sclip__img_png g;
    sclip__img_crc crc;
    size_t pos = 8, zn = 0, zcap = 0;
    unsigned char *z = NULL;
    int seen_ihdr = 0, seen_iend = 0, orientation = 0, seen_exif = 0, ok = 1;
    memset(&g, 0, sizeof g);
    g.label = label;
    sclip__img_crc_init(&crc);
    /* pass 1: validate chunks, total IDAT size; pass 2 (below) gathers IDAT */
    while (ok && !seen_iend) {
        uint32_t len;
        const unsigned char *t, *body;
        int critical, k;
        if (n - pos < 12) { ok = sclip__img_fail(e, "png: truncated file (no IEND)"); break; }
        len = sclip__img_be32(d + pos);
        t = d + pos + 4;
        body = t + 4;
        if (len > 0x7FFFFFFFu || len > n - pos - 12) { ok = sclip__img_fail(e, "png: truncated chunk"); break; }
        for (k = 0; k < 4; k++)
            if (!((t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z'))) break;
        if (k < 4) { ok = sclip__img_fail(e, "png: corrupt chunk type"); break; }
        critical = !(t[0] & 32);
        if (sclip__img_crc_run(&crc, 0, t, (size_t)len + 4) != sclip__img_be32(body + len)) {
            if (critical) { ok = sclip__img_fail(e, "png: CRC mismatch in %.4s", (const char *)t); break; }
            pos += (size_t)len + 12; /* libpng drops an ancillary chunk with a bad CRC */
            continue;
        }
        if (!seen_ihdr && memcmp(t, "IHDR", 4) != 0) { ok = sclip__img_fail(e, "png: first chunk is not IHDR"); break; }
        if (memcmp(t, "IHDR", 4) == 0) {
            if (seen_ihdr) { ok = sclip__img_fail(e, "png: duplicate IHDR"); break; }
            ok = sclip__img_png_ihdr(&g, body, len, e);
            seen_ihdr = 1;
        } else if (memcmp(t, "PLTE", 4) == 0) {
            if (len == 0 || len % 3 || len > 768) { ok = sclip__img_fail(e, "png: corrupt PLTE"); break; }
            g.npal = (int)(len / 3);
            memcpy(g.pal, body, len);
        } else if (memcmp(t, "IDAT", 4) == 0) {
            zcap += len;
        } else if (memcmp(t, "IEND", 4) == 0) {
            seen_iend = 1;
        } else if (memcmp(t, "eXIf", 4) == 0) {
            if (!seen_exif && len >= 2 && (memcmp(body, "MM", 2) == 0 || memcmp(body, "II", 2) == 0))
                orientation = sclip__img_exif_orientation(body, len);
            seen_exif = 1;
        } else if (critical) {
            ok = sclip__img_fail(e, "png: unknown critical chunk %.4s", (const char *)t);
        }
        pos += (size_t)len + 12;
    }
    if (ok && g.ctype == 3 && !g.npal) ok = sclip__img_fail(e, "png: palette image without PLTE");
    if (ok && zcap == 0) ok = sclip__img_fail(e, "png: no image data (IDAT)");
    if (ok && !(z = (unsigned char *)sclip__img_alloc(zcap))) ok = sclip__img_fail(e, "png: out of memory");
    for (pos = 8; ok;) { /* gather IDAT (already validated above) */
        uint32_t len = sclip__img_be32(d + pos);
        if (memcmp(d + pos + 4, "IDAT", 4) == 0 &&
            sclip__img_crc_run(&crc, 0, d + pos + 4, (size_t)len + 4) == sclip__img_be32(d + pos + 8 + len)) {
            memcpy(z + zn, d + pos + 8, len);
            zn += len;
        }
        if (memcmp(d + pos + 4, "IEND", 4) == 0) break;
        pos += (size_t)len + 12;
    }
    if (ok) ok = sclip__img_png_pixels(&g, z, zn, out, e);
    sclip__img_release(z);
    if (ok && !label) ok = sclip__img_orient(out, orientation, e);
    if (!ok) {
        sclip__img_release(out->pixels);
        out->pixels = NULL;
    }
    return ok;
}

/* ==========================================================================================
   Binary PGM (P5) / PPM (P6)
   ========================================================================================== */

/* Next decimal number of a PNM header, skipping whitespace and # comments. */
static long sclip__img_pnm_num(const unsigned char *d, size_t n, size_t *pos) {
    long v = 0;
    int digits = 0;
    while (*pos < n) {
        unsigned char c = d[*pos];
        if (c == '#') { while (*pos < n && d[*pos] != '\n' && d[*pos] != '\r') (*pos)++; }
        else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') (*pos)++;
        else break;
    }
    while (*pos < n && d[*pos] >= '0' && d[*pos] <= '9' && v < 100000000L) {
        v = v * 10 + (d[*pos] - '0');
        (*pos)++;
        digits++;
    }
    return digits ? v : -1;
}

static int sclip__img_pnm_load(const unsigned char *d, size_t n, sclip_image *out, sclip__img_err *e) {
    size_t pos = 2, i, count;
    int ch = d[1] == '6' ? 3 : 1, bytes;
    long w = sclip__img_pnm_num(d, n, &pos), h = sclip__img_pnm_num(d, n, &pos);
    long maxval = sclip__img_pnm_num(d, n, &pos);
    if (w < 0 || h < 0 || maxval < 0 || pos >= n)
        return sclip__img_fail(e, "pnm: corrupt header");
    if (maxval < 1 || maxval > 65535) return sclip__img_fail(e, "pnm: maxval %ld out of range 1..65535", maxval);
    if (!sclip__img_check_dims(e, "pnm", w, h)) return 0;
    pos++; /* the single whitespace character after maxval */
    bytes = maxval > 255 ? 2 : 1;
    count = (size_t)w * (size_t)h * ch;
    if (n - pos < count * bytes) return sclip__img_fail(e, "pnm: truncated pixel data");
    out->pixels = (unsigned char *)sclip__img_alloc((size_t)w * (size_t)h * 3);
    if (!out->pixels) return sclip__img_fail(e, "pnm: out of memory");
    /* like OpenCV: 8-bit samples as stored (no rescaling by maxval), 16-bit: high byte */
    for (i = 0; i < count; i++) {
        unsigned char v = d[pos + i * bytes];
        if (ch == 3) out->pixels[i] = v;
        else out->pixels[3 * i] = out->pixels[3 * i + 1] = out->pixels[3 * i + 2] = v;
    }
    out->w = (int)w;
    out->h = (int)h;
    out->channels = 3;
    return 1;
}

/* ==========================================================================================
   Writers: PNG (filtered rows, zlib with an LZ77 hash-chain matcher and the fixed Huffman
   codes of RFC 1951, or stored blocks) and PPM/PGM
   ========================================================================================== */

typedef struct sclip__img_bw {
    unsigned char *p;
    size_t n, cap;
    uint64_t bits;
    int nb;
} sclip__img_bw;

static void sclip__img_put(sclip__img_bw *w, unsigned v, int k) { /* LSB first */
    w->bits |= (uint64_t)v << w->nb;
    w->nb += k;
    while (w->nb >= 8) {
        if (w->n < w->cap) w->p[w->n] = (unsigned char)w->bits;
        w->n++;
        w->bits >>= 8;
        w->nb -= 8;
    }
}

static unsigned sclip__img_rev(unsigned code, int len) {
    unsigned r = 0;
    int i;
    for (i = 0; i < len; i++) r |= ((code >> i) & 1u) << (len - 1 - i);
    return r;
}

/* fixed literal/length code (RFC 1951 3.2.6), sent most significant bit first */
static void sclip__img_put_lit(sclip__img_bw *w, int s) {
    if (s < 144) sclip__img_put(w, sclip__img_rev(0x30u + s, 8), 8);
    else if (s < 256) sclip__img_put(w, sclip__img_rev(0x190u + s - 144, 9), 9);
    else if (s < 280) sclip__img_put(w, sclip__img_rev((unsigned)s - 256, 7), 7);
    else sclip__img_put(w, sclip__img_rev(0xC0u + s - 280, 8), 8);
}

static void sclip__img_put_match(sclip__img_bw *w, int len, int dist) {
    static const uint16_t lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                       35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint16_t dbase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                       257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                       8193, 12289, 16385, 24577};
    int l = 28, d = 29, ext;
    while (lbase[l] > len) l--;
    ext = l < 8 || l == 28 ? 0 : (l - 4) / 4;
    sclip__img_put_lit(w, 257 + l);
    sclip__img_put(w, (unsigned)(len - lbase[l]), ext);
    while (dbase[d] > dist) d--;
    sclip__img_put(w, sclip__img_rev((unsigned)d, 5), 5);
    sclip__img_put(w, (unsigned)(dist - dbase[d]), d < 4 ? 0 : d / 2 - 1);
}

/* zlib stream of src into w: one fixed-Huffman block with greedy hash-chain matches
   (level 1), or stored blocks (level 0). Returns 0 when out of memory. */
static int sclip__img_deflate(const unsigned char *src, size_t n, int level, sclip__img_bw *w) {
    uint32_t a = 1, b = 0;
    size_t i, k;
    sclip__img_put(w, 0x78, 8);
    sclip__img_put(w, 0x01, 8);
    if (level == 0) {
        for (i = 0; i == 0 || i < n; i += 65535) {
            size_t m = n - i < 65535 ? n - i : 65535;
            sclip__img_put(w, i + m >= n, 1);
            sclip__img_put(w, 0, 2);
            if (w->nb) sclip__img_put(w, 0, 8 - w->nb);
            sclip__img_put(w, (unsigned)m, 16);
            sclip__img_put(w, (unsigned)(m ^ 0xFFFF), 16);
            for (k = 0; k < m; k++) sclip__img_put(w, src[i + k], 8);
            if (n == 0) break;
        }
    } else {
        enum { HBITS = 15, WIN = 32768, CHAIN = 48 };
        int32_t *head = (int32_t *)sclip__img_alloc(sizeof(int32_t) << HBITS);
        int32_t *prev = (int32_t *)sclip__img_alloc(sizeof(int32_t) * WIN);
        if (!head || !prev) {
            sclip__img_release(head);
            sclip__img_release(prev);
            return 0;
        }
        for (k = 0; k < ((size_t)1 << HBITS); k++) head[k] = -1;
        sclip__img_put(w, 1, 1); /* final block, fixed codes */
        sclip__img_put(w, 1, 2);
        for (i = 0; i < n;) {
            int best = 0, bestd = 0;
            if (i + 3 <= n) {
                unsigned hsh = ((unsigned)src[i] * 506832829u ^ (unsigned)src[i + 1] * 2654435761u ^ (unsigned)src[i + 2] * 40503u) >> (32 - HBITS);
                int32_t cand = head[hsh & ((1u << HBITS) - 1)];
                int depth = CHAIN;
                size_t maxl = n - i < 258 ? n - i : 258;
                while (cand >= 0 && i - (size_t)cand <= WIN - 1 && depth-- > 0) {
                    size_t l = 0;
                    while (l < maxl && src[cand + l] == src[i + l]) l++;
                    if ((int)l > best) { best = (int)l; bestd = (int)(i - (size_t)cand); if (l == maxl) break; }
                    cand = prev[cand & (WIN - 1)];
                }
                prev[i & (WIN - 1)] = head[hsh & ((1u << HBITS) - 1)];
                head[hsh & ((1u << HBITS) - 1)] = (int32_t)i;
            }
            if (best >= 3) {
                size_t end = i + (size_t)best;
                sclip__img_put_match(w, best, bestd);
                for (i++; i < end; i++) /* index the skipped positions too */
                    if (i + 3 <= n) {
                        unsigned hsh = ((unsigned)src[i] * 506832829u ^ (unsigned)src[i + 1] * 2654435761u ^ (unsigned)src[i + 2] * 40503u) >> (32 - HBITS);
                        prev[i & (WIN - 1)] = head[hsh & ((1u << HBITS) - 1)];
                        head[hsh & ((1u << HBITS) - 1)] = (int32_t)i;
                    }
            } else
                sclip__img_put_lit(w, src[i++]);
        }
        sclip__img_put_lit(w, 256);
        if (w->nb) sclip__img_put(w, 0, 8 - w->nb);
        sclip__img_release(head);
        sclip__img_release(prev);
    }
    for (i = 0; i < n; i += 5552) { /* Adler-32 */
        size_t m = n - i < 5552 ? n - i : 5552;
        for (k = 0; k < m; k++) { a += src[i + k]; b += a; }
        a %= 65521;
        b %= 65521;
    }
    for (k = 0; k < 4; k++) sclip__img_put(w, (((b << 16) | a) >> (24 - 8 * k)) & 255, 8);
    return 1;
}

/* Filter each row with the type of smallest sum of |signed residual| (the usual heuristic). */
static void sclip__img_filter_rows(const unsigned char *px, size_t stride, int h, size_t rb, int bpp,
                                   unsigned char *dst, unsigned char *cand) {
    int y, f;
    for (y = 0; y < h; y++) {
        const unsigned char *c = px + (size_t)y * stride, *p = y ? px + (size_t)(y - 1) * stride : NULL;
        unsigned long best = (unsigned long)-1;
        unsigned char *d = dst + (size_t)y * (rb + 1);
        for (f = 0; f < 5; f++) {
            unsigned long sum = 0;
            size_t x;
            for (x = 0; x < rb; x++) {
                int a = x >= (size_t)bpp ? c[x - bpp] : 0, b = p ? p[x] : 0;
                int cc = (p && x >= (size_t)bpp) ? p[x - bpp] : 0, v = 0;
                if (f == 1) v = a;
                else if (f == 2) v = b;
                else if (f == 3) v = (a + b) >> 1;
                else if (f == 4) {
                    int pp = a + b - cc, pa = abs(pp - a), pb = abs(pp - b), pc = abs(pp - cc);
                    v = (pa <= pb && pa <= pc) ? a : pb <= pc ? b : cc;
                }
                cand[x] = (unsigned char)(c[x] - v);
                sum += cand[x] < 128 ? cand[x] : 256 - cand[x];
            }
            if (sum < best) {
                best = sum;
                d[0] = (unsigned char)f;
                memcpy(d + 1, cand, rb);
            }
        }
    }
}

static void sclip__img_chunk(sclip__img_bw *w, const sclip__img_crc *crc, const char *type,
                             const unsigned char *data, size_t len) {
    size_t start, k;
    for (k = 0; k < 4; k++) sclip__img_put(w, (unsigned)(len >> (24 - 8 * k)) & 255, 8);
    start = w->n;
    for (k = 0; k < 4; k++) sclip__img_put(w, (unsigned char)type[k], 8);
    for (k = 0; k < len; k++) sclip__img_put(w, data[k], 8);
    if (w->n <= w->cap) {
        uint32_t c = sclip__img_crc_run(crc, 0, w->p + start, w->n - start);
        for (k = 0; k < 4; k++) sclip__img_put(w, (c >> (24 - 8 * k)) & 255, 8);
    }
}

static int sclip__img_encode_png(int w, int h, int channels, const unsigned char *pixels, size_t stride,
                                 int level, unsigned char **png, size_t *png_len, char *err, size_t errcap) {
    sclip__img_err e;
    sclip__img_crc crc;
    sclip__img_bw z, o;
    unsigned char ihdr[13], *filt = NULL, *cand = NULL;
    size_t rb, raw;
    int ok = 1;
    e.msg = err;
    e.cap = errcap;
    if (png) *png = NULL;
    if (png_len) *png_len = 0;
    if (!png || !png_len || !pixels || (channels != 1 && channels != 3))
        return sclip__img_fail(&e, "png: bad arguments (channels must be 1 or 3)");
    if (!sclip__img_check_dims(&e, "png", w, h)) return 0;
    rb = (size_t)w * channels;
    if (stride < rb) return sclip__img_fail(&e, "png: stride smaller than a row");
    raw = (rb + 1) * (size_t)h;
    memset(&z, 0, sizeof z);
    memset(&o, 0, sizeof o);
    z.cap = raw + raw / 8 + 5 * (raw / 65535 + 1) + 64; /* worst case: 9-bit literals / stored */
    filt = (unsigned char *)sclip__img_alloc(raw);
    cand = (unsigned char *)sclip__img_alloc(rb);
    z.p = (unsigned char *)sclip__img_alloc(z.cap);
    if (!filt || !cand || !z.p) ok = sclip__img_fail(&e, "png: out of memory");
    if (ok) {
        sclip__img_filter_rows(pixels, stride, h, rb, channels, filt, cand);
        if (!sclip__img_deflate(filt, raw, level, &z)) ok = sclip__img_fail(&e, "png: out of memory");
    }
    if (ok && (level > 0 && z.n > raw + 5 * (raw / 65535 + 1) + 6)) { /* incompressible */
        z.n = 0;
        z.bits = 0;
        z.nb = 0;
        sclip__img_deflate(filt, raw, 0, &z);
    }
    if (ok) {
        sclip__img_crc_init(&crc);
        o.cap = z.n + 8 + 25 + 12 + 12;
        if (!(o.p = (unsigned char *)sclip__img_alloc(o.cap))) ok = sclip__img_fail(&e, "png: out of memory");
    }
    if (ok) {
        memcpy(o.p, "\x89PNG\r\n\x1a\n", 8);
        o.n = 8;
        ihdr[0] = (unsigned char)(w >> 24); ihdr[1] = (unsigned char)(w >> 16);
        ihdr[2] = (unsigned char)(w >> 8); ihdr[3] = (unsigned char)w;
        ihdr[4] = (unsigned char)(h >> 24); ihdr[5] = (unsigned char)(h >> 16);
        ihdr[6] = (unsigned char)(h >> 8); ihdr[7] = (unsigned char)h;
        ihdr[8] = 8;
        ihdr[9] = (unsigned char)(channels == 3 ? 2 : 0);
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        sclip__img_chunk(&o, &crc, "IHDR", ihdr, 13);
        sclip__img_chunk(&o, &crc, "IDAT", z.p, z.n);
        sclip__img_chunk(&o, &crc, "IEND", NULL, 0);
        if (o.n > o.cap || z.n > z.cap) ok = sclip__img_fail(&e, "png: internal size error");
    }
    sclip__img_release(filt);
    sclip__img_release(cand);
    sclip__img_release(z.p);
    if (!ok) {
        sclip__img_release(o.p);
        return 0;
    }
    *png = o.p;
    *png_len = o.n;
    return 1;
}

SCLIP_IMAGE_DEF int sclip_image_encode_png(int w, int h, int channels, const unsigned char *pixels,
                                           size_t stride, int level, unsigned char **png,
                                           size_t *png_len, char *err, size_t errcap) {
    return sclip__img_result(sclip__img_encode_png(w, h, channels, pixels, stride, level, png, png_len, err, errcap));
}

#ifndef SCLIP_IMAGE_NO_STDIO
static int sclip__img_write_all(const char *path, const unsigned char *a, size_t an,
                                const unsigned char *b, size_t bn, sclip__img_err *e) {
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f) return sclip__img_fail(e, "image: cannot create %s", path);
    ok = fwrite(a, 1, an, f) == an && (bn == 0 || fwrite(b, 1, bn, f) == bn);
    ok = (fclose(f) == 0) && ok;
    return ok ? 1 : sclip__img_fail(e, "image: cannot write %s", path);
}

SCLIP_IMAGE_DEF int sclip_image_write_png(const char *path, int w, int h, int channels,
                                          const unsigned char *pixels, size_t stride,
                                          char *err, size_t errcap) {
    sclip__img_err e;
    unsigned char *png;
    size_t n;
    int ok;
    e.msg = err;
    e.cap = errcap;
    if (!sclip__img_encode_png(w, h, channels, pixels, stride, 1, &png, &n, err, errcap)) return SCLIP_IMAGE_ERROR;
    ok = sclip__img_write_all(path, png, n, NULL, 0, &e);
    sclip__img_release(png);
    return sclip__img_result(ok);
}

static int sclip__img_write_ppm(const char *path, int w, int h, int channels, const unsigned char *pixels,
                                size_t stride, char *err, size_t errcap) {
    sclip__img_err e;
    char head[64];
    unsigned char *body;
    size_t rb;
    int y, ok;
    e.msg = err;
    e.cap = errcap;
    if (!pixels || (channels != 1 && channels != 3)) return sclip__img_fail(&e, "ppm: bad arguments (channels must be 1 or 3)");
    if (!sclip__img_check_dims(&e, "ppm", w, h)) return 0;
    rb = (size_t)w * channels;
    if (stride < rb) return sclip__img_fail(&e, "ppm: stride smaller than a row");
    if (!(body = (unsigned char *)sclip__img_alloc(rb * (size_t)h))) return sclip__img_fail(&e, "ppm: out of memory");
    for (y = 0; y < h; y++) memcpy(body + rb * y, pixels + stride * y, rb);
    snprintf(head, sizeof head, "P%c\n%d %d\n255\n", channels == 3 ? '6' : '5', w, h);
    ok = sclip__img_write_all(path, (const unsigned char *)head, strlen(head), body, rb * (size_t)h, &e);
    sclip__img_release(body);
    return ok;
}

SCLIP_IMAGE_DEF int sclip_image_write_ppm(const char *path, int w, int h, int channels,
                                          const unsigned char *pixels, size_t stride,
                                          char *err, size_t errcap) {
    return sclip__img_result(sclip__img_write_ppm(path, w, h, channels, pixels, stride, err, errcap));
}
#endif

/* ==========================================================================================
   Front end
   ========================================================================================== */

/* Both front ends: label 0 decodes any format to RGB, label 1 a PNG label map (raw bytes). */
static int sclip__img_decode(const void *data, size_t len, sclip_image *out, char *err, size_t errcap, int label) {
    const unsigned char *d = (const unsigned char *)data;
    int png = d && len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
    sclip__img_err e;
    e.msg = err;
    e.cap = errcap;
    if (err && errcap) err[0] = 0;
    if (!out) return sclip__img_fail(&e, "image: no output");
    memset(out, 0, sizeof *out);
    if (!d) return sclip__img_fail(&e, "image: no data");
    if (label) return png ? sclip__img_png_load(d, len, out, &e, 1) : sclip__img_fail(&e, "label: not a PNG file");
    if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return sclip__img_jpeg_load(d, len, out, &e);
#ifndef SCLIP__IMG_JPEG_ONLY
    if (png) return sclip__img_png_load(d, len, out, &e, 0);
    if (len >= 3 && d[0] == 'P' && (d[1] == '5' || d[1] == '6')) return sclip__img_pnm_load(d, len, out, &e);
#endif
    return sclip__img_fail(&e, "image: unknown format (not JPEG, PNG or binary PPM/PGM)");
}

SCLIP_IMAGE_DEF int sclip_image_load_memory(const void *data, size_t len, sclip_image *out,
                                            char *err, size_t errcap) {
    return sclip__img_result(sclip__img_decode(data, len, out, err, errcap, 0));
}

SCLIP_IMAGE_DEF int sclip_image_load_label_memory(const void *data, size_t len, sclip_image *out,
                                                  char *err, size_t errcap) {
    return sclip__img_result(sclip__img_decode(data, len, out, err, errcap, 1));
}

SCLIP_IMAGE_DEF void sclip_image_free(sclip_image *img) {
    if (!img) return;
    sclip__img_release(img->pixels);
    memset(img, 0, sizeof *img);
}

SCLIP_IMAGE_DEF void sclip_image_free_buffer(void *buf) { sclip__img_release(buf); }

#ifndef SCLIP_IMAGE_NO_STDIO
/* Whole file into memory; NULL with a message on failure. */
static unsigned char *sclip__img_read_file(const char *path, size_t *len, sclip__img_err *e) {
    FILE *f = fopen(path, "rb");
    long n;
    unsigned char *buf;
    if (!f) return (unsigned char *)(sclip__img_fail(e, "image: cannot open %s: %s", path, strerror(errno)), NULL);
    if (fgetc(f) == EOF && ferror(f)) { /* a directory opens but does not read */
        int code = errno;
        fclose(f);
        return (unsigned char *)(sclip__img_fail(e, "image: cannot read %s: %s", path, strerror(code)), NULL);
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return (unsigned char *)(sclip__img_fail(e, "image: cannot read %s", path), NULL);
    }
    if ((size_t)n > SCLIP_IMAGE_MAX_BYTES) {
        fclose(f);
        return (unsigned char *)(sclip__img_fail(e, "image: %s is larger than the size limit", path), NULL);
    }
    buf = (unsigned char *)SCLIP_IMAGE_MALLOC((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        sclip__img_release(buf);
        return (unsigned char *)(sclip__img_fail(e, "image: cannot read %s", path), NULL);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int sclip__img_load_file(const char *path, sclip_image *out, char *err, size_t errcap, int label) {
    sclip__img_err e;
    size_t n = 0;
    unsigned char *buf;
    int ok;
    e.msg = err;
    e.cap = errcap;
    if (out) memset(out, 0, sizeof *out);
    if (!path || !out) return sclip__img_fail(&e, "image: no path or output");
    buf = sclip__img_read_file(path, &n, &e);
    if (!buf) return 0;
    ok = sclip__img_decode(buf, n, out, err, errcap, label);
    sclip__img_release(buf);
    return ok;
}

SCLIP_IMAGE_DEF int sclip_image_load(const char *path, sclip_image *out, char *err, size_t errcap) {
    return sclip__img_result(sclip__img_load_file(path, out, err, errcap, 0));
}

SCLIP_IMAGE_DEF int sclip_image_load_label(const char *path, sclip_image *out, char *err, size_t errcap) {
    return sclip__img_result(sclip__img_load_file(path, out, err, errcap, 1));
}
#endif /* SCLIP_IMAGE_NO_STDIO */

#endif /* SCLIP_IMAGE_IMPLEMENTATION_DONE */
#endif /* SCLIP_IMAGE_IMPLEMENTATION */

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
