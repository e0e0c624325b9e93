/* test_image: the image decoders give exactly OpenCV 4.6 imread's pixels (RGB order) for
   every file of $SCLIP_SHARED/fixtures/decode and tests/data/image (references made by
   OpenCV itself, see tools/gen_image_refs.py); the PNG writer round-trips; bad input gets
   the right error; every function that can fail returns exactly 0 on success and non-zero
   (SCLIP_IMAGE_ERROR) on failure, like sclip.h; the fast IDCT paths agree with the 64-bit one. */
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#include "test_common.h"

static const char *fixtures[] = {
    "baseline_420.jpg", "baseline_422.jpg", "baseline_444.jpg", "exif_orient6.jpg", "gray.jpg",
    "optimized_huffman.jpg", "progressive_420.jpg", "progressive_444.jpg",
    "progressive_restart_422.jpg", "q100_444.jpg", "restart.jpg", "thin_1x37.jpg", "tiny_1x1.jpg",
    "gray16.png", "gray8.png", "gray_1bit.png", "gray_alpha.png", "interlaced.png", "palette.png",
    "palette_4bit.png", "rgb16.png", "rgb8.png", "rgba8.png", "p5.pgm", "p6.ppm"};

static const char *local[] = {
    "cmyk.jpg", "ycck.jpg", "mixed_22_11_21.jpg", "opt_444.jpg", "orient1.jpg", "orient2.jpg",
    "orient3.jpg", "orient4.jpg", "orient5.jpg", "orient6.jpg", "orient7.jpg", "orient8.jpg",
    "prog_422.jpg", "prog_440_restart.jpg", "prog_gray.jpg", "qtable16.jpg", "qtable16_prog.jpg",
    "rgb_adobe.jpg", "s311.jpg", "s411.jpg", "s420_odd_restart.jpg", "s420_w3.jpg",
    "s422_w4.jpg", "s440.jpg", "exif3.png", "gray2.png", "gray4_adam7.png", "gray_trns.png",
    "graya16.png", "palette_1bit.png", "palette_8bit_short.png", "palette_trns_2bit.png",
    "rgb_stored.png", "rgb_trns_fixed.png", "rgba16_adam7.png", "p5_max100.pgm", "p6_16bit.ppm"};

/* Decode path and compare with path.npy; prints one line per file. */
static void check_file(const char *path) {
    char npy[1100], err[256];
    sclip_image im;
    sclip_npy ref;
    size_t i, ndiff = 0;
    int maxd = 0;
    if (sclip_image_load(path, &im, err, sizeof err) != SCLIP_IMAGE_OK) {
        CHECK(0, "%s: %s", path, err);
        return;
    }
    snprintf(npy, sizeof npy, "%s.npy", path);
    test_load_npy(npy, &ref);
    CHECK(ref.dtype == SCLIP_NPY_U8 && ref.ndim == 3 && ref.shape[2] == 3, "%s: reference is not uint8 HxWx3", npy);
    if (ref.shape[0] != (size_t)im.h || ref.shape[1] != (size_t)im.w) {
        CHECK(0, "%s: decoded %dx%d, reference %zux%zu", path, im.w, im.h, ref.shape[1], ref.shape[0]);
    } else {
        for (i = 0; i < ref.count; i++) {
            int d = abs((int)((unsigned char *)ref.data)[i] - (int)im.pixels[i]);
            if (d) ndiff++;
            if (d > maxd) maxd = d;
        }
        printf("%-60s %dx%d %s (max diff %d, %zu values differ)\n", path, im.w, im.h,
               maxd ? "DIFFERENT" : "exact", maxd, ndiff);
        CHECK(maxd == 0, "%s: max difference %d in %zu values", path, maxd, ndiff);
    }
    sclip_npy_free(&ref);
    sclip_image_free(&im);
}

static void expect_error(const void *data, size_t n, const char *want, const char *what) {
    sclip_image im;
    char err[256];
    int ok = sclip_image_load_memory(data, n, &im, err, sizeof err) == SCLIP_IMAGE_OK;
    CHECK(!ok, "%s: decoded although it should fail", what);
    if (!ok) CHECK(strstr(err, want) != NULL, "%s: error '%s' does not mention '%s'", what, err, want);
    if (ok) sclip_image_free(&im);
    else printf("error as expected for %s: %s\n", what, err);
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

/* Recompute the CRC of the chunk starting at p (length field). */
static void fix_crc(unsigned char *p) {
    sclip__img_crc c;
    uint32_t len = sclip__img_be32(p);
    sclip__img_crc_init(&c);
    put32(p + 8 + len, sclip__img_crc_run(&c, 0, p + 4, len + 4));
}

static void test_png_roundtrip(void) {
    static const int sizes[][2] = {{1, 1}, {7, 3}, {33, 17}, {256, 5}, {301, 41}};
    int s, ch, level;
    for (s = 0; s < 5; s++)
        for (ch = 1; ch <= 3; ch += 2)
            for (level = 0; level <= 1; level++) {
                int w = sizes[s][0], h = sizes[s][1], x, y;
                size_t stride = (size_t)w * ch + 5, n;
                unsigned char *px = (unsigned char *)malloc(stride * h), *png;
                sclip_image im;
                char err[256];
                uint32_t r = 12345u + (uint32_t)(s * 7 + ch + level);
                for (y = 0; y < h; y++) /* smooth pattern + noise + flat runs */
                    for (x = 0; x < (int)stride; x++) {
                        r = r * 1664525u + 1013904223u;
                        px[y * stride + x] = (unsigned char)(x < w * ch / 2 ? (x * 3 + y * 5) & 255 : (y % 4 == 0 ? 9 : r >> 24));
                    }
                CHECK(sclip_image_encode_png(w, h, ch, px, stride, level, &png, &n, err, sizeof err) == SCLIP_IMAGE_OK, "encode: %s",
                      err);
                CHECK(sclip_image_load_memory(png, n, &im, err, sizeof err) == SCLIP_IMAGE_OK, "decode own PNG: %s", err);
                if (im.pixels) {
                    int bad = 0;
                    for (y = 0; y < h; y++)
                        for (x = 0; x < w; x++) {
                            const unsigned char *src = px + y * stride + x * ch, *d = im.pixels + ((size_t)y * w + x) * 3;
                            if (d[0] != src[0] || d[1] != src[ch == 3 ? 1 : 0] || d[2] != src[ch == 3 ? 2 : 0]) bad++;
                        }
                    CHECK(bad == 0 && im.w == w && im.h == h, "PNG round trip %dx%d ch %d level %d: %d pixels differ", w, h, ch, level, bad);
                }
                sclip_image_free(&im);
                sclip_image_free_buffer(png);
                free(px);
            }
    printf("PNG writer round trip: ok\n");
}

static void test_errors(void) {
    unsigned char px[64 * 64], *png, *big;
    size_t n;
    char err[256];
    memset(px, 7, sizeof px);
    CHECK(sclip_image_encode_png(64, 64, 1, px, 64, 1, &png, &n, err, sizeof err) == SCLIP_IMAGE_OK, "%s", err);
    big = (unsigned char *)malloc(n);
    /* huge dimensions */
    memcpy(big, png, n);
    put32(big + 16, 70000);
    put32(big + 20, 70000);
    fix_crc(big + 8);
    expect_error(big, n, "70000x70000 exceeds the 16384-pixel side limit", "70000x70000 PNG");
    /* CRC mismatch in IDAT */
    memcpy(big, png, n);
    big[8 + 25 + 8 + 2] ^= 1;
    expect_error(big, n, "CRC mismatch in IDAT", "PNG with a flipped IDAT bit");
    /* zip bomb: a 64x64 stream declared as 1x1 must stop at 2 bytes (rest ignored) */
    memcpy(big, png, n);
    put32(big + 16, 1);
    put32(big + 20, 1);
    fix_crc(big + 8);
    {
        sclip_image im;
        int ok = sclip_image_load_memory(big, n, &im, err, sizeof err) == SCLIP_IMAGE_OK;
        CHECK(ok && im.w == 1 && im.h == 1 && im.pixels[0] == 7, "oversized zlib stream: %s", ok ? "wrong pixels" : err);
        if (ok) sclip_image_free(&im);
    }
    /* truncated PNG */
    expect_error(png, n - 20, "png:", "truncated PNG");
    free(big);
    sclip_image_free_buffer(png);
    {
        static const unsigned char bad_dht2[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x16, 0x00,
            0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0xFF, 0xD9}; /* all-ones code */
        static const unsigned char ppm[] = "P6\n70000 70000\n255\n";
        static const unsigned char junk[] = "GIF89a";
        expect_error(bad_dht2, sizeof bad_dht2, "jpeg: corrupt Huffman table", "JPEG with an all-ones Huffman code");
        expect_error(ppm, sizeof ppm - 1, "exceeds the 16384-pixel side limit", "70000x70000 PPM");
        expect_error(junk, sizeof junk - 1, "unknown format", "GIF");
    }
    {
        sclip_image im;
        char e2[256];
        int ok = sclip_image_load("tests/data/image/arith.jpg", &im, e2, sizeof e2) == SCLIP_IMAGE_OK;
        CHECK(!ok && strstr(e2, "arithmetic"), "arithmetic JPEG: %s", ok ? "decoded" : e2);
        if (ok) sclip_image_free(&im);
    }
}

/* The result convention of every function that can fail: exactly 0 (SCLIP_IMAGE_OK, as
   sclip.h's SCLIP_OK) on success, SCLIP_IMAGE_ERROR (non-zero) with a message on failure. The
   old convention (1 = success) fails every check here. */
static void test_results(void) {
    static const char *png_path = "build/test_image_results.png", *ppm_path = "build/test_image_results.ppm";
    static const char *missing = "build/no such folder/x.png";
    unsigned char px[4 * 3 * 3], *png = NULL;
    size_t n = 0, i;
    sclip_image im;
    char err[256];
    int r;
    for (i = 0; i < sizeof px; i++) px[i] = (unsigned char)(i * 17);
    CHECK(SCLIP_IMAGE_OK == 0 && SCLIP_IMAGE_ERROR != 0, "result constants: OK %d, ERROR %d", SCLIP_IMAGE_OK,
          SCLIP_IMAGE_ERROR);
    /* encode: success 0, bad channels non-zero with no buffer */
    r = sclip_image_encode_png(4, 3, 3, px, 12, 1, &png, &n, err, sizeof err);
    CHECK(r == 0 && png && n > 0, "encode_png: returned %d on success (%s)", r, r ? err : "");
    err[0] = 0;
    {
        unsigned char *none = px;
        size_t nn = 1;
        r = sclip_image_encode_png(4, 3, 2, px, 12, 1, &none, &nn, err, sizeof err);
        CHECK(r != 0 && r == SCLIP_IMAGE_ERROR && none == NULL && nn == 0 && err[0], "encode_png: returned %d for 2 channels",
              r);
    }
    /* from memory: decode and the label reader */
    if (png) {
        r = sclip_image_load_memory(png, n, &im, err, sizeof err);
        CHECK(r == 0 && im.w == 4 && im.h == 3 && im.channels == 3, "load_memory: returned %d on success (%s)", r, r ? err : "");
        if (r == 0) sclip_image_free(&im);
    }
    err[0] = 0;
    r = sclip_image_load_memory("GIF89a", 6, &im, err, sizeof err);
    CHECK(r != 0 && r == SCLIP_IMAGE_ERROR && im.pixels == NULL && strstr(err, "unknown format"),
          "load_memory: returned %d for a GIF (%s)", r, err);
    err[0] = 0;
    r = sclip_image_load_memory(NULL, 0, &im, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && err[0], "load_memory: returned %d for no data", r);
    /* files: the writers, then the readers on what they wrote and on a missing file */
    r = sclip_image_write_png(png_path, 4, 3, 1, px, 4, err, sizeof err);
    CHECK(r == 0, "write_png: returned %d on success (%s)", r, r ? err : "");
    if (r == 0) {
        r = sclip_image_load_label(png_path, &im, err, sizeof err);
        CHECK(r == 0 && im.channels == 1 && im.w == 4 && im.h == 3 && !memcmp(im.pixels, px, 12),
              "load_label: returned %d on success (%s)", r, r ? err : "");
        if (r == 0) sclip_image_free(&im);
        r = sclip_image_load(png_path, &im, err, sizeof err);
        CHECK(r == 0 && im.channels == 3 && im.w == 4 && im.h == 3, "load: returned %d on success (%s)", r, r ? err : "");
        if (r == 0) sclip_image_free(&im);
    }
    r = sclip_image_write_ppm(ppm_path, 4, 3, 3, px, 12, err, sizeof err);
    CHECK(r == 0, "write_ppm: returned %d on success (%s)", r, r ? err : "");
    if (r == 0) {
        r = sclip_image_load(ppm_path, &im, err, sizeof err);
        CHECK(r == 0 && !memcmp(im.pixels, px, sizeof px), "load of the PPM: returned %d (%s)", r, r ? err : "");
        if (r == 0) sclip_image_free(&im);
        err[0] = 0; /* a PPM is not a label PNG */
        r = sclip_image_load_label(ppm_path, &im, err, sizeof err);
        CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "not a PNG"), "load_label of a PPM: returned %d (%s)", r, err);
    }
    err[0] = 0;
    r = sclip_image_write_png(missing, 4, 3, 1, px, 4, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "cannot create"), "write_png into a missing folder: returned %d (%s)", r, err);
    err[0] = 0;
    r = sclip_image_write_ppm(missing, 4, 3, 3, px, 12, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "cannot create"), "write_ppm into a missing folder: returned %d (%s)", r, err);
    err[0] = 0;
    r = sclip_image_write_ppm(ppm_path, 4, 3, 3, px, 11, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "stride"), "write_ppm with a short stride: returned %d (%s)", r, err);
    err[0] = 0;
    r = sclip_image_load(missing, &im, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && im.pixels == NULL && strstr(err, "cannot open"), "load of a missing file: returned %d (%s)",
          r, err);
    err[0] = 0;
    r = sclip_image_load_label(missing, &im, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "cannot open"), "load_label of a missing file: returned %d (%s)", r, err);
    err[0] = 0;
    r = sclip_image_load_label_memory(px, sizeof px, &im, err, sizeof err);
    CHECK(r == SCLIP_IMAGE_ERROR && strstr(err, "not a PNG"), "load_label_memory of junk: returned %d (%s)", r, err);
    if (png) {
        r = sclip_image_load_label_memory(png, n, &im, err, sizeof err); /* RGB: refused as a label map */
        CHECK(r == SCLIP_IMAGE_ERROR, "load_label_memory of an RGB PNG: returned %d", r);
        if (r == 0) sclip_image_free(&im);
    }
    sclip_image_free_buffer(png);
    remove(png_path);
    remove(ppm_path);
    printf("results: 0 on success, SCLIP_IMAGE_ERROR (%d) on failure\n", SCLIP_IMAGE_ERROR);
}

/* The 32-bit IDCT path (used when values are small) must equal the 64-bit one. */
static void test_idct_paths(void) {
    sclip__img_jpeg *j = (sclip__img_jpeg *)calloc(1, sizeof *j);
    uint32_t r = 99;
    int t, k, bad = 0;
    sclip__img_range_init(j->range);
    for (t = 0; t < 20000; t++) {
        int32_t blk[64];
        unsigned char a[64], b[64];
        int32_t lim = t % 3 == 0 ? 8191 : t % 3 == 1 ? 1200 : 300, amax = 0;
        for (k = 0; k < 64; k++) {
            r = r * 1664525u + 1013904223u;
            blk[k] = (k == 0 || (r >> 8) % 4 == 0) ? (int32_t)((r >> 12) % (2 * (uint32_t)lim + 1)) - lim : 0;
            if (abs(blk[k]) > amax) amax = abs(blk[k]);
        }
        j->simd = 1;
        sclip__img_idct(j, blk, amax, a, 8); /* SIMD when built with AVX2 */
        sclip__img_idct(j, blk, 1 << 30, b, 8); /* forces the 64-bit path */
        if (memcmp(a, b, 64)) bad++;
        j->simd = 0;
        sclip__img_idct(j, blk, amax, a, 8); /* scalar 32-bit path */
        if (memcmp(a, b, 64)) bad++;
    }
    CHECK(bad == 0, "IDCT: %d of 20000 random blocks differ between the SIMD/32-bit and 64-bit paths", bad);
    printf("IDCT paths (%s, scalar 32-bit, 64-bit) agree on 20000 random blocks\n", SCLIP__IMG_SIMD_NAME);
    free(j);
}

int main(void) {
    char path[256];
    size_t i;
    for (i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        snprintf(path, sizeof path, "fixtures/decode/%s", fixtures[i]);
        check_file(test_shared(path));
    }
    for (i = 0; i < sizeof local / sizeof *local; i++) {
        snprintf(path, sizeof path, "tests/data/image/%s", local[i]);
        check_file(path);
    }
    test_png_roundtrip();
    test_errors();
    test_results();
    test_idct_paths();
    return test_done("test_image");
}
