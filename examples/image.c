/* sclip-image: convert an image to what the sclip pipeline sees (OpenCV imread, RGB).
   Usage: sclip-image IN OUT    OUT by extension: .npy (uint8 H x W x 3), .png, .ppm/.pgm */
#include <stdio.h>
#include <string.h>

#include "sclip.h" /* SCLIP_BUILD_INFO */
#define SCLIP_IMAGE_IMPLEMENTATION
#include "sclip_image.h"
#define SCLIP_NPY_IMPLEMENTATION
#include "sclip_npy.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: sclip-image IN OUT\n"
            "  Decodes IN (JPEG, PNG, binary PPM/PGM) exactly as OpenCV 4.6 imread(IMREAD_COLOR)\n"
            "  does, with channels in RGB order and EXIF orientation applied, and writes OUT:\n"
            "    .npy  uint8 array of shape (H, W, 3)\n"
            "    .png  8-bit RGB PNG\n"
            "    .ppm  binary PPM (P6)\n");
}

static int ends_with(const char *s, const char *ext) {
    size_t n = strlen(s), k = strlen(ext);
    return n >= k && strcmp(s + n - k, ext) == 0;
}

int main(int argc, char **argv) {
    sclip_image im;
    char err[512];
    int ok;
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("sclip-image: %s\n", SCLIP_BUILD_INFO);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc != 3) {
        usage(stderr);
        return 1;
    }
    if (!ends_with(argv[2], ".npy") && !ends_with(argv[2], ".png") && !ends_with(argv[2], ".ppm")) {
        fprintf(stderr, "sclip-image: %s: output must end in .npy, .png or .ppm\n", argv[2]);
        return 1;
    }
    if (sclip_image_load(argv[1], &im, err, sizeof err) != SCLIP_IMAGE_OK) {
        fprintf(stderr, "sclip-image: %s: %s\n", argv[1], err);
        return 1;
    }
    if (ends_with(argv[2], ".npy")) {
        size_t shape[3];
        shape[0] = (size_t)im.h;
        shape[1] = (size_t)im.w;
        shape[2] = 3;
        ok = sclip_npy_save(argv[2], SCLIP_NPY_U8, 3, shape, im.pixels) == SCLIP_NPY_OK;
        if (!ok) snprintf(err, sizeof err, "cannot write %s", argv[2]);
    } else if (ends_with(argv[2], ".png")) {
        ok = sclip_image_write_png(argv[2], im.w, im.h, 3, im.pixels, (size_t)im.w * 3, err, sizeof err) == SCLIP_IMAGE_OK;
    } else {
        ok = sclip_image_write_ppm(argv[2], im.w, im.h, 3, im.pixels, (size_t)im.w * 3, err, sizeof err) == SCLIP_IMAGE_OK;
    }
    sclip_image_free(&im);
    if (!ok) {
        fprintf(stderr, "sclip-image: %s\n", err);
        return 1;
    }
    return 0;
}
