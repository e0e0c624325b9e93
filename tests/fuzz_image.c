/* fuzz_image: deterministic mutation fuzzing of the image and label decoders (built with ASan+UBSan by
   the Makefile). Seeds: $SCLIP_SHARED/fixtures/decode and tests/data/image. Mutations: bit
   flips, byte overwrites (0x00/0xFF/random), truncation, insertion and duplication of byte
   runs, lying PNG chunk / JPEG segment lengths, huge dimensions. Every decode must either
   succeed with a sane image or fail with a message; the sanitizers catch the rest.
   Build with -DSCLIP_IMAGE_LIBFUZZER and clang -fsanitize=fuzzer for open-ended runs. */
#define SCLIP_IMAGE_MAX_PIXELS ((size_t)1 << 22) /* keep allocations small under ASan */
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#include "test_common.h"

static int decode_one(const unsigned char *d, size_t n) {
    sclip_image im;
    char err[256];
    err[0] = 0;
    if (sclip_image_load_memory(d, n, &im, err, sizeof err) == SCLIP_IMAGE_OK) {
        volatile unsigned sum = 0;
        size_t i, np = (size_t)im.w * im.h * 3;
        if (!im.pixels || im.w < 1 || im.h < 1 || im.channels != 3) return 0;
        for (i = 0; i < np; i += 61) sum += im.pixels[i]; /* touch the buffer */
        (void)sum;
        sclip_image_free(&im);
    } else if (!err[0])
        return 0; /* a failure without a reason */
    err[0] = 0; /* the label reader (PNG only, one raw byte a pixel) on the same bytes */
    if (sclip_image_load_label_memory(d, n, &im, err, sizeof err) == SCLIP_IMAGE_OK) {
        volatile unsigned sum = 0;
        size_t i, np = (size_t)im.w * im.h;
        if (!im.pixels || im.w < 1 || im.h < 1 || im.channels != 1) return 0;
        for (i = 0; i < np; i += 61) sum += im.pixels[i];
        (void)sum;
        sclip_image_free(&im);
    } else if (!err[0])
        return 0;
    return 1;
}

#ifdef SCLIP_IMAGE_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    decode_one(data, size);
    return 0;
}
#else

static uint32_t rnd(uint32_t *s) { /* xorshift32 */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Mutate src (n bytes) into dst (capacity n + 4096); returns the new length. */
static size_t mutate(const unsigned char *src, size_t n, unsigned char *dst, uint32_t *s) {
    size_t m = n, k, i, pos, len;
    int kind = (int)(rnd(s) % 9), times = 1 + (int)(rnd(s) % 4);
    memcpy(dst, src, n);
    for (k = 0; k < (size_t)times; k++) {
        if (m == 0) break;
        pos = rnd(s) % m;
        switch (kind) {
        case 0: dst[pos] ^= (unsigned char)(1u << (rnd(s) % 8)); break;
        case 1: dst[pos] = (unsigned char)((rnd(s) & 1) ? 0xFF : 0x00); break;
        case 2: dst[pos] = (unsigned char)rnd(s); break;
        case 3: m = pos + 1; break; /* truncate */
        case 4: /* insert random bytes */
            len = 1 + rnd(s) % 16;
            if (m + len > n + 4096) break;
            memmove(dst + pos + len, dst + pos, m - pos);
            for (i = 0; i < len; i++) dst[pos + i] = (unsigned char)rnd(s);
            m += len;
            break;
        case 5: /* duplicate a run */
            len = 1 + rnd(s) % 64;
            if (pos + len > m || m + len > n + 4096) break;
            memmove(dst + pos + len, dst + pos, m - pos);
            m += len;
            break;
        case 6: /* lying lengths: PNG chunk length or JPEG segment length */
            for (i = pos; i + 8 < m; i++) {
                if (dst[0] == 0x89 && dst[i + 4] >= 'A' && dst[i + 4] <= 'z' && dst[i + 5] >= 'A' && dst[i + 5] <= 'z' &&
                    dst[i + 6] >= 'A' && dst[i + 6] <= 'z' && dst[i + 7] >= 'A' && dst[i + 7] <= 'z') {
                    uint32_t v = rnd(s);
                    dst[i] = (unsigned char)((rnd(s) & 1) ? 0x7F : v >> 24);
                    dst[i + 2] = (unsigned char)(v >> 8);
                    dst[i + 3] = (unsigned char)v;
                    break;
                }
                if (dst[0] == 0xFF && dst[i] == 0xFF && dst[i + 1] >= 0xC0 && dst[i + 1] <= 0xFE && dst[i + 1] != 0xD9) {
                    dst[i + 2] = (unsigned char)rnd(s);
                    dst[i + 3] = (unsigned char)rnd(s);
                    break;
                }
            }
            break;
        case 7: /* huge or zero dimensions */
            if (m > 24 && dst[0] == 0x89) {
                dst[16 + (rnd(s) & 4)] = (unsigned char)(rnd(s) & 0x7F);
                dst[18 + (rnd(s) & 4)] = (unsigned char)rnd(s);
            } else
                for (i = 0; i + 8 < m; i++)
                    if (dst[i] == 0xFF && (dst[i + 1] == 0xC0 || dst[i + 1] == 0xC1 || dst[i + 1] == 0xC2)) {
                        dst[i + 5 + (rnd(s) & 2)] = (unsigned char)rnd(s);
                        dst[i + 6 + (rnd(s) & 2)] = (unsigned char)rnd(s);
                        break;
                    }
            break;
        default: /* swap two bytes far apart */
            i = rnd(s) % m;
            len = dst[pos];
            dst[pos] = dst[i];
            dst[i] = (unsigned char)len;
            break;
        }
    }
    return m;
}

static const char *names[] = {
    "fixtures/decode/baseline_420.jpg", "fixtures/decode/baseline_422.jpg",
    "fixtures/decode/exif_orient6.jpg", "fixtures/decode/gray.jpg",
    "fixtures/decode/optimized_huffman.jpg", "fixtures/decode/progressive_444.jpg",
    "fixtures/decode/progressive_restart_422.jpg", "fixtures/decode/q100_444.jpg",
    "fixtures/decode/restart.jpg", "fixtures/decode/thin_1x37.jpg", "fixtures/decode/tiny_1x1.jpg",
    "fixtures/decode/gray16.png", "fixtures/decode/gray8.png", "fixtures/decode/gray_1bit.png",
    "fixtures/decode/gray_alpha.png", "fixtures/decode/interlaced.png", "fixtures/decode/palette.png",
    "fixtures/decode/palette_4bit.png", "fixtures/decode/rgb16.png", "fixtures/decode/p5.pgm",
    "fixtures/decode/p6.ppm",
    "tests/data/image/cmyk.jpg", "tests/data/image/ycck.jpg", "tests/data/image/prog_422.jpg",
    "tests/data/image/prog_440_restart.jpg", "tests/data/image/qtable16_prog.jpg",
    "tests/data/image/s411.jpg", "tests/data/image/mixed_22_11_21.jpg", "tests/data/image/orient7.jpg",
    "tests/data/image/arith.jpg", "tests/data/image/rgba16_adam7.png", "tests/data/image/rgb_stored.png",
    "tests/data/image/rgb_trns_fixed.png", "tests/data/image/palette_trns_2bit.png",
    "tests/data/image/exif3.png", "tests/data/image/p6_16bit.ppm"};

int main(void) {
    const int per_file = 500;
    size_t f;
    long runs = 0;
    int bad = 0;
    for (f = 0; f < sizeof names / sizeof *names; f++) {
        const char *path = names[f][0] == 'f' ? test_shared(names[f]) : names[f];
        size_t n = 0;
        unsigned char *src = (unsigned char *)test_read_file(path, &n), *buf;
        uint32_t seed = 0x9E3779B9u ^ (uint32_t)(f * 2654435761u);
        int it;
        if (!src) {
            CHECK(0, "cannot read %s", path);
            continue;
        }
        buf = (unsigned char *)malloc(n + 4096);
        if (!decode_one(src, n)) bad++;
        for (it = 0; it < per_file; it++, runs++) {
            size_t m = mutate(src, n, buf, &seed);
            if (!decode_one(buf, m)) {
                bad++;
                fprintf(stderr, "%s: mutation %d: success without sane image or failure without reason\n", path, it);
            }
        }
        free(buf);
        free(src);
    }
    CHECK(bad == 0, "%d bad decodes", bad);
    printf("%ld mutated inputs decoded or rejected cleanly\n", runs);
    return test_done("fuzz_image");
}
#endif
