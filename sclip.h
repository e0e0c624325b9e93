/* sclip.h - open-vocabulary semantic segmentation on the CPU: CLIP ViT + SCLIP's
   Correlative Self-Attention, in one C header - v0.1.0
   Public domain or MIT, your choice: see the end of this file.

   Do this:
       #define SCLIP_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation
   (it also creates the implementation of sclip_tokenizer.h, which must be beside it).

   MANUAL

   1. Quick start
      sclip segments an image into classes you name, with CLIP ViT-B/16 and SCLIP's
      Correlative Self-Attention, training-free, on the CPU. It needs a C99 compiler, libc
      and (optionally) pthreads. Weights: a .sclip file (tools/export_weights.py makes one
      from an OpenAI, open_clip or Hugging Face CLIP checkpoint; see weights/README.md).

          #define SCLIP_IMPLEMENTATION
          #include "sclip.h"

          sclip_model *model;   sclip_context *ctx;   sclip_vocab *vocab;
          sclip_seg_result res;  char err[256];
          if (sclip_model_load("ViT-B-16.sclip", NULL, &model, err, sizeof err)) { puts(err); ... }
          sclip_context_create(model, NULL, &ctx);           // one per thread
          const char *classes = "cat; sofa, couch; sky";     // ';' or newline, ',' synonyms
          if (sclip_vocab_create(ctx, classes, strlen(classes), NULL, 0, &vocab))
              puts(sclip_context_error(ctx));
          sclip_segment(ctx, vocab, rgb, width, height, width * 3, NULL, &res);
          // res.labels[y * width + x] = class index, res.probs = classes x H x W
          sclip_seg_result_free(&res); sclip_vocab_free(vocab);
          sclip_context_free(ctx); sclip_model_free(model);

      examples/seg.c (build/sclip-seg) is the command-line program; examples/embed.c
      (sclip-embed) gives CLIP embeddings; examples/bench.c (sclip-bench) measures speed.

   2. Build options (define before including the implementation)
      SCLIP_STATIC              all functions static (private to one translation unit)
      SCLIPDEF                  linkage of the public functions (default extern)
      SCLIP_MALLOC(n), SCLIP_FREE(p)   default allocator (define both or neither); per model
                                or context: sclip_allocator in their descriptions (section 6)
      SCLIP_ASSERT(x)           assert replacement
      SCLIP_NO_STDIO            no file functions: load weights and vocabularies from memory
                                (weights also through your own reader, sclip_model_load_callback)
      SCLIP_NO_THREADS          no built-in thread pool (a parallel_for hook still works); the
                                pool uses pthreads and is off on Windows: give it the hook there
      SCLIP_NO_SIMD             portable C only
      SCLIP_SELF                the name sclip.h includes itself by, to compile its kernels
                                (default "sclip.h"; define it if you renamed the file)
      SCLIP_NO_DISPATCH         gcc/clang: a build without -mavx2 on x86-64 (plain -O2) compiles
                                the kernels for AVX-512 with VNNI and BF16, AVX-512, AVX2+FMA and
                                portable C (arm64 Linux without the dot product in its flags: NEON
                                with and without it), and each model runs the best this CPU has,
                                at most SCLIP_CPU=scalar|avx2|avx512|avx512bf16 (arm64: neon|
                                dotprod) from the environment, read when a model loads; another
                                name fails the load. With -march=... or -mavx2, or with this
                                macro, the flags choose (__AVX512F__, __AVX2__ + __FMA__,
                                __ARM_NEON) and the level names are not read.
                                sclip_build_info() names the compiled and the running paths.
      SCLIP_REFERENCE           the model runs on the reference kernels, the plain loops of the
                                section "Kernels, reference" (float32 only; the tests hold every
                                SIMD path to them); SCLIP_CPU=reference does so at run time

   3. API overview (every function that can fail returns an sclip_result, 0 = SCLIP_OK;
      sclip_result_string() names it, sclip_context_error() gives the detail)
      build    sclip_version(), sclip_build_info() (compiler, SIMD paths compiled and running),
               sclip_cpus()
      model    sclip_model_load(path, desc, &model, err, cap)      mmap where available
               sclip_model_load_memory(data, size, desc, &model, err, cap)   caller's buffer,
                                          used in place; must outlive the model
               sclip_model_load_callback(read, user, desc, &model, err, cap)   reads tensor by
                                          tensor through read(user, offset, dst, n); the model
                                          keeps copies, nothing of the source (section 6)
               sclip_model_free, sclip_model_arch, sclip_model_tokenizer
               desc->towers = SCLIP_TOWERS_VISION leaves the text weights untouched (memory)
               desc->precision: SCLIP_PRECISION_F32 (default), _Q16 (12-bit integer weights
                                per output channel and activations per row, integer pair dot
                                products: 1.5-2x faster with AVX-512 VNNI or AVX-VNNI, 1.25x
                                with AVX2 alone; 99.9% of the labels, half the memory), _Q8
                                (int8 weights and activations, integer dot products: about
                                2.5x faster with AVX-512 VNNI or AVX-VNNI; also the Arm dot
                                product; about f32's speed on other AVX2 / AVX-512 CPUs, with a
                                quarter of its memory) or _BF16 (half the memory);
                                sclip_precision_name(p): "f32", "q8", "bf16", "q16"
      context  sclip_context_create(model, desc, &ctx): desc->n_threads (0 = the CPUs the
               process may use: affinity, cgroup quota; more is capped to that),
               desc->parallel_for (run sclip's parallel loops on your own job system),
               desc->progress (called during text encoding and windows)
      towers   sclip_encode_image(ctx, chw, h, w, out)               CLIP's encode_image
               sclip_encode_image_dense(ctx, chw, h, w, attn, out, &n)   every token after
                                          ln_post and proj, with the chosen last block
               sclip_attention(ctx, chw, h, w, attn, out, &n)        its attention weights
               sclip_attn_desc_parse(text, &attn, err, cap)          "csa-rand:4", "local:3"...
               sclip_encode_text(ctx, texts, n, truncate, out)      CLIP's encode_text
               sclip_encode_tokens(ctx, ids, n, out)                 on tokenized rows
      vocab    sclip_vocab_create(ctx, classes, len, templates, n_templates, &vocab)
                                          classes: "cat; sofa, couch; sky": ';' or a newline
                                          between classes, ',' between synonyms, the spaces
                                          around them dropped; an official class file as it is
               sclip_classes_parse(classes, len, &n_classes, &n_names, err, cap)   check only
               sclip_vocab_from_features(model, classes, len, features, n, &vocab, err, cap)
               sclip_vocab_save / _load / _save_memory / _load_memory, accessors
      segment  sclip_segment(ctx, vocab, rgb, w, h, stride, desc, &res), sclip_seg_result_free
               desc->no_probs: labels only; desc->probs_band: the probabilities handed to your
                                          callback a band of rows at a time (section 9)
               sclip_seg_preset(name, &desc, &class_file)            the 8 benchmark configs
               desc->method: SC-CLIP or ResCLIP instead of SCLIP (section 10); sclip_method_parse,
                                          sclip_method_opt_parse("beta=0.5"), sclip_seg_preset_method
                                          (a method's own config), sclip_encode_image_method
               sclip_seg_preset_classes(name, buf, cap)              and their vocabularies
               sclip_resize_size, sclip_resize_rgb                   the OpenCV-exact resize
               sclip_normalize_rgb, sclip_seg_windows                 CLIP's input, the windows

   4. The pipeline (what sclip_segment does; SCLIP's official code, step by step)
      a. keep-ratio resize of the 8-bit image: f = min(2048 / long side, short_side / short
         side), sides int(side * f + 0.5), OpenCV's INTER_LINEAR fixed-point arithmetic;
      b. windows of 224 at stride 112, the last one snapped to the border (an image axis
         shorter than 224 is one smaller window, which interpolates the positional embedding);
      c. per window: normalise ((x - mean) / std, CLIP's constants x 255), the vision tower with
         the chosen last block, ln_post and proj on every token, L2-normalise, drop the class
         token, cosine with each class name's embedding;
      d. bilinear upsampling (align_corners=False) of the patch logits to the window, sum over
         windows, divide by the number of windows covering each pixel, bilinear back to the
         original size (whole-image mode: one bilinear step from the patch grid);
      e. optional PAMR; x logit_scale; softmax over the names; max over a class's synonyms;
         optional area filter and probability threshold; argmax (ties to the lowest index).
      Class embeddings: for each name, the 80 prompts "a bad photo of a {}." ... through the
      text tower, each L2-normalised, averaged, L2-normalised again.

   5. Last-block variants (sclip_attn_desc: a kind and its parameter; everything else is CLIP's)
      With X = ln_1(z) and per head q, k, v from the pretrained in_proj, s = 1/sqrt(head_dim):
        sclip        A = softmax(s q q') + softmax(s k k')  (rows sum to 2): SCLIP's Correlative
                     Self-Attention, the default
        vanilla      A = softmax(s q k')                    CLIP itself
        maskclip     A = I (each token takes its own value)
        clearclip    A = softmax(s q q')                    no residual, no MLP
        naclip       A = softmax(s k k' + G), G(i, j) = exp(-|pi - pj|^2 / (2 * 5^2)) over
                     patch-grid positions (0 for the class token), no residual, no MLP
      The paper's ablations (Table 2: what the correlation is measured with; Table 3: other ways
      to localise), residual and MLP kept:
        csa-q        A = softmax(s q q')          csa-k   A = softmax(s k k')
        csa-id       A = softmax(s x x'), x = X's head columns (no projection, no bias)
        csa-rand:N[:SEED]  A = (1/N) sum_i softmax(s r_i r_i'), r_i = X R_i' with N random D x D
                     projections (splitmix64 from SEED, uniform, variance 1/D), N in 1..64
        sharpen:T    A = softmax(s q k' / T), T > 0
        local:W      A = softmax(s q k') over the W x W patches around each patch (W odd; the
                     class token's row sees everything, no patch sees the class token)
        early:B      A = the vanilla weights block B (1..layers-1) computes in the same forward
      then o = out_proj(concat_h(A v)), z + o and the MLP unless dropped. The table of these is
      sclip__variants in the implementation; sclip_attention returns A.
      From the API to the attention, four calls: sclip_encode_image_dense -> sclip__vision_tokens
      (patches, the blocks) -> sclip__block_forward (one residual block) -> sclip__attn_task (the
      heads on the threads) -> sclip__attn_head (one head: the variant's row of sclip__variants,
      its terms' operands, the rows of A, A v).

   6. Threads and memory
      A model is immutable after loading: share it between any number of threads, each with
      its own context. A context owns its scratch memory (grown to the largest input seen, so
      no allocation happens per layer) and its worker threads; it is not thread-safe itself.
      Threads claim work units (column blocks of a product, attention heads) from a shared
      counter, so a core slowed by other programs does less of the work; a unit's result does
      not depend on which thread computes it, so results never depend on the number of
      threads. The segmenter's resizes and post-processing split channels or pixels across
      the same threads. Idle workers spin for about 1 ms after each hand-off before they sleep.
      A context uses at most the CPUs the process may run on (its affinity mask and cgroup CPU
      quota, read on Linux): with more threads than CPUs every hand-off would wait for threads
      that are not running.
      The file's f32 tensors are used in place from the mapping; matrices are repacked once at
      load for the kernels (and their pages of the mapping released), f16 and q8 tensors are
      converted at load (a q8 file with SCLIP_PRECISION_Q8 is packed as it is; q16 and bf16
      are load-time precisions of any file).
      Loading memory, ViT-B/16 f32 file (599 MB), peak RSS in float32 / q8:
        sclip_model_load (mmap)       480 / 130 MB  in-place tensors stay on disk until used
        sclip_model_load_callback     577 / 227 MB  the model's own copies, one tensor of slack
        sclip_model_load_memory      1049 / 699 MB  the caller's whole file stays, plus the
                                                    packed copies, for the model's life
      sclip_model_load_memory references the caller's buffer (never copies, writes or frees
      it): it must outlive the model. sclip_model_load_callback references nothing of its
      source and reads every byte at most once; where there is no mmap (e.g. Windows),
      sclip_model_load reads the file through it. sclip never takes ownership of caller
      memory: no buffer of yours is ever passed to SCLIP_FREE.
      Allocator: sclip_model_desc.allocator and sclip_context_desc.allocator (alloc(user,
      size), free(user, ptr), user) serve every block of the model (its tokenizer too) and of
      the context, its vocabularies and results (a context without one uses its model's); a
      block goes back to the allocator it came from, whatever is freed first. Zero members,
      and the calls without a model or context (sclip_resize_rgb, sclip_seg_windows,
      sclip_vocab_load_memory with a NULL model): SCLIP_MALLOC / SCLIP_FREE. No large arrays on
      the stack: 8 KB at most (the small products' panel, sclip__gemm_small).
      Segmentation memory: about classes x original pixels floats, plus names x patches per
      window (the windows' mean, the last resize and the softmax run a band of rows at a time;
      the names x resized pixels sum of the windows never exists whole); with PAMR also names
      x original pixels. The class probabilities are returned unless desc.no_probs is set, or
      handed to desc.probs_band a band of rows at a time (then never whole, without PAMR).

   7. Weight file (.sclip, version 1)
      A 256-byte header (magic "SCLIPWT\0", version, sizes, the architecture numbers of both
      towers, LayerNorm epsilon, logit_scale), a table of 96-byte tensor entries (name, dtype
      f32/f16/q8, rank, shape, offset), CLIP's BPE merge list, and 64-byte-aligned tensor data
      with OpenAI's tensor names. Every count, size, offset and shape is checked before use:
      bad magic, version, truncation, inconsistent architecture, malformed table entries,
      out-of-bounds or overlapping tensors, missing tensors and wrong shapes each have their
      own sclip_result and a message naming the field or tensor. Layout: weights/README.md.

   8. Numeric tolerances (float32 everywhere; against the official PyTorch code in float32)
      dense tokens and embeddings: max|a-b| / max|b| about 1e-6 (tested below 1e-4);
      class embeddings: 2e-7 absolute; segmentation probabilities: below 1e-5 absolute
      (7e-5 with PAMR); labels identical except where two classes are within 1e-4.
      The official run is float16 on a GPU; sclip reproduces its float32 equivalent.
      Reduced precision (labels equal to float32 on the fixture cases, random-weight model):
      SCLIP_PRECISION_Q16 99.92-100%, SCLIP_PRECISION_BF16 99.5-99.98%, SCLIP_PRECISION_Q8
      98.9-99.9%.

   9. Limits
      sclip_segment takes images up to SCLIP_MAX_SOURCE_SIDE (16384) pixels a side and
      SCLIP_MAX_SOURCE_PIXELS (2^28), what examples/sclip_image.h decodes: a 50-megapixel photo is
      resized to a 336 short side first. The towers take SCLIP_MAX_IMAGE_SIDE (8192) and
      SCLIP_MAX_IMAGE_PIXELS (4096 x 4096), which the resized image must fit (lower short_side
      otherwise). Memory of sclip_segment at the original size: 2 bytes a pixel for the labels
      with no_probs or probs_band (the probabilities are made band by band, then dropped or
      handed over), plus classes x pixels floats when they are returned whole, names x pixels
      floats with PAMR.
      SCLIP_MAX_CLASSES (4096) names per vocabulary; a prompt must fit CLIP's 77 tokens; at most
      4096 tensors in a weight file.

  10. Methods (sclip_seg_desc.method; sclip-seg and sclip-eval --method, --method-opt KEY=VALUE)
      sclip    SCLIP (default): the pipeline above with the last block of section 5.
      scclip   SC-CLIP (SuleBai/SC-CLIP 0417ba9): blocks 0..L-2 unchanged, keeping X_p, X_a and
               R = X_m0 + ... + X_{m1-1} (X_i the residual stream after block i, 0-based; defaults
               p 8, a 3, m0..m1 3..10, res_cls 0.3, beta 0.4); LOF (30 neighbours, the repo's reach
               max(D_ij, kd_i), outliers above the 0.95 quantile) on X_{L-2}'s patches; each outlier
               replaced by the mean of its valid 3x3 neighbours (in X_{L-2} and X_p); then
               Y = rownorm(F F' >= beta) X' (F: X_p's unit rows), the last block's attention
               (softmax(3 (F F' - mean)) with negatives masked + softmax(s k k')) / 2 without residual
               or MLP, plus res_cls x the class token; rownorm(G G' >= beta) (G: X_a) after it; the
               same on R's patches added (multi-level fusion); ln_post and proj. The tokens have no
               class row. Windows of at least 31 patches; non-square grids are row-major (the
               official code indexes them by the row count and fails).
      resclip  ResCLIP (yvhangyang/ResCLIP 0e085f7, arch wo_resi, strategy resclip): RCS = the
               mean of the vanilla attention weights of blocks 5..8 (hard-coded: 10 layers or more);
               the last block without residual or MLP, W = softmax(s k k' + Omega) (NACLIP's Gaussian,
               gaussian_std 5) mixed tau_r ((1 - lambda_r) W + lambda_r RCS); a feedback pass of it
               gives cosines with the vocabulary's queries, bilinear to the window, PAMR (10 steps,
               dilations 8 and 16), softmax x logit_scale, argmax (0 below temp_thd), the mode of each
               16x16 patch (smallest label on ties); the SFR matrix (same label, path check with
               exp(-d/S) decay, a 1-D Gaussian blur along the row, row-normalised) enters the final
               pass as tau_s ((1 - lambda_s) s k k' + fp16(fp16(lambda_s) fp16(SFR / max))). Its seg_logits
               are the class probabilities renormalised to sum 1; area_thd has no effect. Without a
               preset the options are demo.py's (temp_thd 0.1, attn_rcs_weights 2.0,0.6,
               attn_sfr_weights 2.1,0.6, delete_same_entity true); the presets voc21 and voc20 run
               the whole image at once (two bilinear steps to the original size).
      sclip_seg_preset_method(name, method, ...) applies a method's own benchmark config;
      sclip_encode_image_method returns a method's dense tokens for one window. Where PyTorch's
      float order decides a discrete step (the path check, fp16 roundings), ResCLIP follows
      PyTorch 1.13's CPU arithmetic bit for bit. The official code runs batch 1 in float32 on the
      CPU here; its GPU runs are float16.
*/
#ifndef SCLIP_H
#define SCLIP_H

#if defined(SCLIP_IMPLEMENTATION) && !defined(SCLIP_TOKENIZER_IMPLEMENTATION_DONE)
#define SCLIP__RESULT_NAMES 1 /* sclip_result_string (sclip_tokenizer.h) names our codes with it */
static const char *sclip__result_name(int r);
#endif
#include "sclip_tokenizer.h"

/* sclip.h's result codes, beside sclip_tokenizer.h's (0, -1, -2, -4, -5) in sclip_result. */
#define SCLIP_ERROR_IO (-3)                  /* a file cannot be opened, read or written */
#define SCLIP_ERROR_BAD_MAGIC (-6)           /* not a .sclip weight file */
#define SCLIP_ERROR_BAD_VERSION (-7)         /* a .sclip format version this code cannot read */
#define SCLIP_ERROR_TRUNCATED (-8)           /* the file is shorter than its header says */
#define SCLIP_ERROR_BAD_HEADER (-9)          /* architecture numbers out of range or inconsistent */
#define SCLIP_ERROR_BAD_TENSOR_TABLE (-10)   /* a table entry is malformed, or a name repeats */
#define SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS (-11)/* tensor data outside the data section or misaligned */
#define SCLIP_ERROR_TENSOR_OVERLAP (-12)     /* two tensors share bytes */
#define SCLIP_ERROR_MISSING_TENSOR (-13)     /* a tensor the architecture needs is absent */
#define SCLIP_ERROR_TENSOR_SHAPE (-14)       /* a tensor has the wrong shape for the architecture */
#define SCLIP_ERROR_UNSUPPORTED_DTYPE (-15)  /* a tensor dtype this build cannot use */
#define SCLIP_ERROR_IMAGE_TOO_SMALL (-16)    /* smaller than one patch */
#define SCLIP_ERROR_IMAGE_TOO_LARGE (-17)    /* beyond SCLIP_MAX_IMAGE_SIDE / SCLIP_MAX_IMAGE_PIXELS */
#define SCLIP_ERROR_BAD_CLASSES (-18)        /* an empty class list, an empty class name, too many */
#define SCLIP_ERROR_BAD_VOCAB_CACHE (-19)    /* a vocabulary cache file is malformed or for another model */
#define SCLIP_ERROR_UNKNOWN_PRESET (-20)
#define SCLIP_ERROR_THREADS (-21)            /* the thread pool could not start */

#define SCLIP_VERSION_MAJOR 0
#define SCLIP_VERSION_MINOR 1
#define SCLIP_VERSION_PATCH 0
#define SCLIP_VERSION_STRING "0.1.0"

#define SCLIP_FILE_VERSION 1          /* .sclip weight format version read and written */
#define SCLIP_MAX_IMAGE_SIDE 8192     /* longest side accepted by the towers (a resized image) */
#define SCLIP_MAX_IMAGE_PIXELS (4096 * 4096)
#define SCLIP_MAX_SOURCE_SIDE 16384   /* longest side of an image given to sclip_segment */
#define SCLIP_MAX_SOURCE_PIXELS (1 << 28)
#define SCLIP_MAX_CLASSES 4096        /* class names (queries) per vocabulary */

#ifdef __cplusplus
extern "C" {
#endif

SCLIPDEF const char *sclip_version(void);

/* How this translation unit builds sclip: version, compiler, SIMD paths, threads. The same text
   as sclip_build_info() when the implementation is compiled with the same flags. */
#if defined(__clang__)
#define SCLIP__CC_INFO "clang " __clang_version__
#elif defined(__GNUC__)
#define SCLIP__CC_INFO "gcc " __VERSION__
#elif defined(_MSC_VER)
#define SCLIP__CC_INFO "MSVC"
#else
#define SCLIP__CC_INFO "a C compiler"
#endif
#if defined(__AVX512VNNI__)
#define SCLIP__VNNI_INFO ", VNNI"
#elif defined(__AVXVNNI__)
#define SCLIP__VNNI_INFO ", AVX-VNNI"
#else
#define SCLIP__VNNI_INFO ""
#endif
#if defined(__AVX512BF16__)
#define SCLIP__BF16_INFO ", BF16"
#else
#define SCLIP__BF16_INFO ""
#endif
/* x86-64 builds without -mavx2 and arm64 Linux builds without the dot product (gcc, clang)
   compile the kernels for every level of the architecture and choose at run time (section 2 of
   the manual): SCLIP__DISPATCH 1 on x86-64, 2 on arm64; SCLIP_NO_DISPATCH keeps the flags' choice. */
#if !defined(SCLIP_NO_DISPATCH) && !defined(SCLIP_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && \
    defined(__x86_64__) && !defined(__AVX2__)
#define SCLIP__DISPATCH 1
#elif !defined(SCLIP_NO_DISPATCH) && !defined(SCLIP_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && \
    defined(__aarch64__) && defined(__ARM_NEON) && defined(__linux__) && !defined(__ARM_FEATURE_DOTPROD)
#define SCLIP__DISPATCH 2
#else
#define SCLIP__DISPATCH 0
#endif
#if defined(SCLIP_NO_SIMD)
#define SCLIP__SIMD_INFO "portable C (SCLIP_NO_SIMD)"
#elif SCLIP__DISPATCH == 1
#define SCLIP__SIMD_INFO "AVX-512 (VNNI, BF16), AVX-512, AVX2+FMA, portable C, chosen at run time"
#elif SCLIP__DISPATCH == 2
#define SCLIP__SIMD_INFO "NEON with the dot product, NEON, chosen at run time"
#elif defined(__AVX512F__)
#define SCLIP__SIMD_INFO "AVX-512" SCLIP__VNNI_INFO SCLIP__BF16_INFO
#elif defined(__AVX2__) && defined(__FMA__)
#define SCLIP__SIMD_INFO "AVX2+FMA" SCLIP__VNNI_INFO
#elif defined(__ARM_NEON) && defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#define SCLIP__SIMD_INFO "NEON, dot product"
#elif defined(__ARM_NEON) && defined(__aarch64__)
#define SCLIP__SIMD_INFO "NEON"
#else
#define SCLIP__SIMD_INFO "portable C (build with -march=native, or -mavx2 -mfma -mf16c, for the SIMD kernels)"
#endif
#if defined(SCLIP_NO_THREADS) || defined(_WIN32)
#define SCLIP__THREAD_INFO "no built-in pool"
#else
#define SCLIP__THREAD_INFO "pthreads"
#endif
#define SCLIP_BUILD_INFO                                                                                                \
    "sclip " SCLIP_VERSION_STRING "; " SCLIP__CC_INFO "; SIMD: " SCLIP__SIMD_INFO "; threads: " SCLIP__THREAD_INFO
SCLIPDEF const char *sclip_build_info(void);
/* The CPUs this process may run on (Linux: its affinity mask and cgroup CPU quota): the default
   and the most threads a context uses. */
SCLIPDEF int sclip_cpus(void);

/* ---- architecture ------------------------------------------------------------------------ */
typedef enum sclip_activation { SCLIP_ACT_QUICKGELU = 0, SCLIP_ACT_GELU = 1 } sclip_activation;

typedef struct sclip_arch {
    int vision_width, vision_layers, vision_heads, vision_mlp, patch_size, image_size;
    int text_width, text_layers, text_heads, text_mlp, context_length, vocab_size;
    int embed_dim;
    sclip_activation activation;
    float ln_eps;
    float logit_scale; /* CLIP's learned parameter, log scale */
} sclip_arch;

/* The last vision block (manual section 5). Everything else is CLIP's. */
typedef enum sclip_attn {
    SCLIP_ATTN_SCLIP = 0,     /* CSA: softmax(sQQ')+softmax(sKK'), residual and MLP kept (default) */
    SCLIP_ATTN_VANILLA = 1,   /* CLIP's own block */
    SCLIP_ATTN_MASKCLIP = 2,  /* each token takes its own value, residual and MLP kept */
    SCLIP_ATTN_CLEARCLIP = 3, /* softmax(sQQ'), no residual, no MLP */
    SCLIP_ATTN_NACLIP = 4,    /* softmax(sKK' + Gaussian(sigma 5)), no residual, no MLP */
    /* the paper's ablations (Tables 2 and 3), residual and MLP kept */
    SCLIP_ATTN_CSA_Q = 5,     /* softmax(sQQ') */
    SCLIP_ATTN_CSA_K = 6,     /* softmax(sKK') */
    SCLIP_ATTN_CSA_ID = 7,    /* softmax(sXX'), X = ln_1 output (no projection) */
    SCLIP_ATTN_CSA_RAND = 8,  /* mean of softmax(sR_iR_i') over n random projections R_i = X P_i' */
    SCLIP_ATTN_SHARPEN = 9,   /* softmax(sQK' / t) */
    SCLIP_ATTN_LOCAL = 10,    /* softmax(sQK') within an n x n window of patches */
    SCLIP_ATTN_EARLY = 11     /* the vanilla attention weights of block n, on the last block's V */
} sclip_attn;
#define SCLIP_ATTN_COUNT 12
#define SCLIP_ATTN_MAX_RAND 64 /* csa-rand: projections at most */

/* A last block: its kind and parameter. Zero-initialised = SCLIP's CSA. */
typedef struct sclip_attn_desc {
    sclip_attn kind;
    int n;         /* csa-rand: N projections (1..64); local: window W (odd, >= 1); early: block B
                      (1-based, 1..layers-1) */
    float t;       /* sharpen: temperature T (> 0, finite) */
    uint64_t seed; /* csa-rand: seed of the projections (0 by default) */
} sclip_attn_desc;

SCLIPDEF const char *sclip_attn_name(sclip_attn attn);
/* Parses a kind without parameters ("sclip", "vanilla", "maskclip", "clearclip", "naclip",
   "csa-q", "csa-k", "csa-id"); returns -1 for anything else. */
SCLIPDEF int sclip_attn_parse(const char *name);
/* Parses the text spelling every program's --attn takes: the names above, "csa-rand:N[:SEED]",
   "sharpen:T", "local:W", "early:B". SCLIP_ERROR_INVALID_ARGUMENT with a message in err (may be
   NULL) naming the accepted names or range; B is checked against the model when it is used. */
SCLIPDEF sclip_result sclip_attn_desc_parse(const char *text, sclip_attn_desc *out, char *err, size_t err_cap);
/* The spelling sclip_attn_desc_parse reads ("csa-rand:2:1", "sharpen:0.5"). */
SCLIPDEF void sclip_attn_desc_format(const sclip_attn_desc *attn, char *buf, size_t cap);

/* ---- model: immutable after loading, shared by any number of threads ---------------------- */
typedef struct sclip_model sclip_model;

typedef enum sclip_towers {
    SCLIP_TOWERS_BOTH = 0,   /* vision and text */
    SCLIP_TOWERS_VISION = 1, /* text weights are left alone (a cached vocabulary is used) */
    SCLIP_TOWERS_TEXT = 2
} sclip_towers;

/* Arithmetic of the transformer blocks' matrix products (the rest is always float32). */
typedef enum sclip_precision {
    SCLIP_PRECISION_F32 = 0,  /* float32: the official results (default) */
    SCLIP_PRECISION_Q8 = 1,   /* int8 weights per output channel, int8 activations per row, integer
                                 dot products (AVX-512 VNNI, AVX-VNNI, Arm sdot; vpmaddubsw on other
                                 AVX2/AVX-512 CPUs; portable C elsewhere): ~2.5x faster than float32
                                 with dot products (~1-1.15x with vpmaddubsw), a quarter of its memory */
    SCLIP_PRECISION_BF16 = 2, /* bfloat16 weights and activations, float32 sums: half the memory */
    SCLIP_PRECISION_Q16 = 3   /* 12-bit integer weights per output channel and activations per row in
                                 16-bit lanes, integer pair dot products (vpdpwssd with AVX-512 VNNI or
                                 AVX-VNNI, vpmaddwd on other AVX2/AVX-512 CPUs, smlal on Arm; portable
                                 C elsewhere): labels nearly those of float32, half its memory */
} sclip_precision;
/* "f32", "q8", "bf16", "q16" (what the programs' --precision reads); "unknown" otherwise. */
SCLIPDEF const char *sclip_precision_name(sclip_precision precision);

/* sclip_allocator (sclip_tokenizer.h): where memory comes from, alloc(user, size) and
   free(user, ptr), for a model (weights, tables, its tokenizer) or a context (scratch, threads,
   caches, and the vocabularies and results made with it). Zero members: SCLIP_MALLOC /
   SCLIP_FREE. sclip aligns its blocks itself (64 bytes, by over-allocating). */
/* Descriptions (sclip_model_desc, sclip_context_desc, sclip_seg_desc): zero them first
   (memset or = {0}); a zero member means its default. */
typedef struct sclip_model_desc {
    sclip_towers towers;       /* 0 = both */
    sclip_precision precision; /* 0 = float32 */
    sclip_allocator allocator; /* zero = SCLIP_MALLOC / SCLIP_FREE */
} sclip_model_desc;

#ifndef SCLIP_NO_STDIO
/* Loads a .sclip file (mapped where the platform has mmap). desc may be NULL. On failure,
   err (may be NULL) receives a message naming what is wrong. */
SCLIPDEF sclip_result sclip_model_load(const char *path, const sclip_model_desc *desc, sclip_model **out,
                                       char *err, size_t err_cap);
#endif
/* Uses a .sclip file held in caller-owned memory, in place: the model keeps pointers into it
   (the f32 tensors used as stored: embeddings, LayerNorms, biases; for ViT-B/16 the text
   tower's 101 MB token embedding among them), so the memory must stay valid and unchanged
   until sclip_model_free. sclip never writes, copies whole or frees it. The matrices are packed
   into memory the model owns, so the caller's whole file and those copies are both resident
   for the model's life: ViT-B/16 f32 file, 1049 MB in float32 and 699 MB in q8 (peak RSS),
   against 480 and 130 MB mapped by sclip_model_load. sclip_model_load_callback keeps only the
   model. */
SCLIPDEF sclip_result sclip_model_load_memory(const void *data, size_t size, const sclip_model_desc *desc,
                                              sclip_model **out, char *err, size_t err_cap);
/* Copies n bytes at byte `offset` of a .sclip file into dst; returns the number copied (fewer
   than n fails the load with SCLIP_ERROR_TRUNCATED). */
typedef size_t (*sclip_read_fn)(void *user, uint64_t offset, void *dst, size_t n);
/* Loads a .sclip file through read(user, ...), which may read a file, an archive, a network
   stream with random access, or a buffer. Reads the header, the tensor table, then each tensor
   the model needs, then the merge list: random access, in no particular order, every byte at
   most once (a tower left out by desc->towers is never read). The model copies what it keeps
   and references nothing of the source, which may go as soon as this returns; while loading,
   at most one tensor is held beside the model. Peak RSS for ViT-B/16 (f32 file): 577 MB in
   float32 and 227 MB in q8, the model itself, read from a FILE (the mapping of
   sclip_model_load is 97 MB lower: it leaves the token embedding on disk until rows are used).
   A caller that already holds the file in a buffer can read it with memcpy and free the
   buffer after the call (peak: buffer + model, 1148 / 798 MB; then the model alone), or drop
   each range once copied, since none is read twice (e.g. madvise(MADV_DONTNEED) on the
   range's whole pages of an anonymous mapping it made: peak = buffer + the largest tensor,
   679 / 580 MB). */
SCLIPDEF sclip_result sclip_model_load_callback(sclip_read_fn read, void *user, const sclip_model_desc *desc,
                                                sclip_model **out, char *err, size_t err_cap);
SCLIPDEF void sclip_model_free(sclip_model *model);
SCLIPDEF const sclip_arch *sclip_model_arch(const sclip_model *model);
/* The tokenizer built from the merge list embedded in the file; NULL when the file has none. */
SCLIPDEF const sclip_tokenizer *sclip_model_tokenizer(const sclip_model *model);

/* ---- context: per thread, owns the scratch memory and the worker threads ------------------ */
typedef struct sclip_context sclip_context;

/* Runs fn(arg, i) for every i in [0, n) and returns when all are done: lets a host run sclip's
   parallel parts on its own job system. */
typedef void (*sclip_parallel_for_fn)(void *user, void (*fn)(void *arg, int i), void *arg, int n);

/* Called during long runs: stage "text" (class names encoded) or "windows" (windows done). */
typedef void (*sclip_progress_fn)(void *user, const char *stage, int done, int total);

typedef struct sclip_context_desc {
    int n_threads;                    /* 0 = the CPUs the process may use (affinity, cgroup quota);
                                         more is capped to that (1 = no threads) */
    sclip_parallel_for_fn parallel_for; /* optional: replaces the built-in pool */
    void *parallel_for_user;
    sclip_progress_fn progress;       /* optional */
    void *progress_user;
    sclip_allocator allocator;        /* zero = the model's allocator */
} sclip_context_desc;

SCLIPDEF sclip_result sclip_context_create(const sclip_model *model, const sclip_context_desc *desc,
                                           sclip_context **out);
SCLIPDEF void sclip_context_free(sclip_context *ctx);
/* Detail message of the last error in this context ("" when none). */
SCLIPDEF const char *sclip_context_error(const sclip_context *ctx);
/* The threads the context runs its work on (after the cap above). */
SCLIPDEF int sclip_context_threads(const sclip_context *ctx);

/* ---- towers -------------------------------------------------------------------------------- */
/* Dense tokens: the vision tower on a normalised planar (3, h, w) image, with the chosen last
   block, then ln_post and proj on every token. out receives (1 + gh*gw) x embed_dim floats,
   token 0 the class token, then the patches row-major; gh = h/patch, gw = w/patch (rounded
   down, as PyTorch's convolution). *n_tokens (may be NULL) receives 1 + gh*gw. attn NULL =
   SCLIP's CSA. */
SCLIPDEF sclip_result sclip_encode_image_dense(sclip_context *ctx, const float *chw, int h, int w,
                                               const sclip_attn_desc *attn, float *out, int *n_tokens);
/* The last block's attention weights A for an image, as sclip_encode_image_dense runs it:
   heads x T x T floats (T = 1 + gh*gw), row i the weights of token i over every token (token 0
   the class token). For sclip and vanilla these are the official get_attn(layer='final')
   (CSA's rows sum to 2); maskclip gives the identity. *n_tokens (may be NULL) receives T. */
SCLIPDEF sclip_result sclip_attention(sclip_context *ctx, const float *chw, int h, int w, const sclip_attn_desc *attn,
                                      float *out, int *n_tokens);
/* CLIP's encode_image: the class token through the unmodified tower, embed_dim floats. */
SCLIPDEF sclip_result sclip_encode_image(sclip_context *ctx, const float *chw, int h, int w, float *out);
/* CLIP's encode_text on token rows (n x context_length, as sclip_tokenizer_encode_context
   writes them): n x embed_dim floats, not normalised. */
SCLIPDEF sclip_result sclip_encode_tokens(sclip_context *ctx, const int32_t *tokens, int n, float *out);
/* Tokenizes (with the model's tokenizer) and encodes n texts. A text longer than the context
   is an error unless truncate is non-zero. */
SCLIPDEF sclip_result sclip_encode_text(sclip_context *ctx, const char *const *texts, int n, int truncate,
                                        float *out);

/* ---- vocabulary: class names -> one text embedding per name --------------------------------- */
typedef struct sclip_vocab sclip_vocab;

/* The 80 prompt templates of CLIP's ImageNet set ("a bad photo of a {}.", ...). */
SCLIPDEF const char *const *sclip_default_templates(int *n);
/* Builds a vocabulary from class-name text (len bytes, no NUL needed):
     classes  separated by a newline (\n, \r\n or \r) or ';'
     synonyms within a class separated by ','; each is its own query, merged by max after the
              softmax; the class's first name is its name
     spaces and tabs at the start of a line or next to a ',' or ';' are not part of a name;
              those at the end of a line are (kept as the official code keeps them)
   so "cat; sofa, couch; sky", "cat ; sofa,couch ;sky" and "cat\nsofa, couch\nsky\n" are the
   same three classes, and a class file of the official SCLIP (a class a line, synonyms after
   ", ") gives exactly the official names. Empty classes after the last name (a final ';',
   trailing blank lines) are ignored; any other empty class or name ("cat;;dog", "cat,,dog",
   ", cat", a blank line between classes), an empty list and more than SCLIP_MAX_CLASSES names
   are SCLIP_ERROR_BAD_CLASSES, sclip_context_error naming the class and line. templates NULL =
   the 80 defaults; each template holds "{}" once. Needs the text tower. */
SCLIPDEF sclip_result sclip_vocab_create(sclip_context *ctx, const char *classes, size_t len, const char *const *templates,
                                         int n_templates, sclip_vocab **out);
/* Checks class-name text as sclip_vocab_create parses it, without a model: the number of
   classes and of names (queries) in *n_classes and *n_names (either may be NULL); on failure
   SCLIP_ERROR_BAD_CLASSES with the message in err (may be NULL). */
SCLIPDEF sclip_result sclip_classes_parse(const char *classes, size_t len, int *n_classes, int *n_names, char *err,
                                          size_t err_cap);
SCLIPDEF void sclip_vocab_free(sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_num_classes(const sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_num_queries(const sclip_vocab *vocab);
SCLIPDEF int sclip_vocab_query_class(const sclip_vocab *vocab, int query);
SCLIPDEF const char *sclip_vocab_query_name(const sclip_vocab *vocab, int query);
SCLIPDEF const char *sclip_vocab_class_name(const sclip_vocab *vocab, int cls); /* its first name */
SCLIPDEF const float *sclip_vocab_features(const sclip_vocab *vocab);           /* queries x embed_dim */
/* Cache files, so that a vocabulary is encoded once. Loading checks that the cache was made
   with `model` (a fingerprint of its text tower), when model is not NULL. */
SCLIPDEF size_t sclip_vocab_save_size(const sclip_vocab *vocab);
SCLIPDEF void sclip_vocab_save_memory(const sclip_vocab *vocab, void *buf);
SCLIPDEF sclip_result sclip_vocab_load_memory(const void *buf, size_t size, const sclip_model *model, sclip_vocab **out,
                                              char *err, size_t err_cap);
#ifndef SCLIP_NO_STDIO
SCLIPDEF sclip_result sclip_vocab_save(const sclip_vocab *vocab, const char *path);
SCLIPDEF sclip_result sclip_vocab_load(const char *path, const sclip_model *model, sclip_vocab **out, char *err,
                                       size_t err_cap);
#endif

/* A vocabulary from class-name text (parsed as sclip_vocab_create does) and embeddings computed
   elsewhere: one L2-normalised embed_dim vector per name, in file order. */
SCLIPDEF sclip_result sclip_vocab_from_features(const sclip_model *model, const char *classes, size_t len,
                                                const float *features, int n_features, sclip_vocab **out, char *err,
                                                size_t err_cap);

/* ---- segmentation ------------------------------------------------------------------------------ */
/* The segmentation method (manual section 10): SCLIP (default), SC-CLIP (Bai et al., "Self-Calibrated
   CLIP", SuleBai/SC-CLIP) or ResCLIP (Yang et al., CVPR 2025, yvhangyang/ResCLIP), each exactly as
   its official code computes it. Everything around the vision tower (resize, windows, text side,
   post-processing, PAMR, vocabulary cache) is shared. */
typedef enum sclip_method {
    SCLIP_METHOD_SCLIP = 0,   /* SCLIP's CSA last block (or the sclip_seg_desc.attn variant) */
    SCLIP_METHOD_SCCLIP = 1,  /* SC-CLIP: LOF repair, similarity aggregation, multi-level fusion */
    SCLIP_METHOD_RESCLIP = 2  /* ResCLIP: RCS (mean attention of blocks 5-8) and SFR (a feedback pass) */
} sclip_method;
#define SCLIP_METHOD_COUNT 3

/* A method's hyperparameters under the official names. Only the fields whose bit is in `set`
   (1u << SCLIP_MOPT_...) are used; the others take the method's defaults (SC-CLIP: its
   constructor's; ResCLIP: demo.py's, as its constructor has none). sclip_method_opt_parse
   fills a field and its bit; sclip_seg_preset_method fills a benchmark's config. */
enum {
    SCLIP_MOPT_PRE_ADJUST_IDX, SCLIP_MOPT_POST_ADJUST_IDX, SCLIP_MOPT_MULTI_START_IDX, SCLIP_MOPT_MULTI_END_IDX,
    SCLIP_MOPT_RES_CLS, SCLIP_MOPT_BETA, /* SC-CLIP (defaults 8, 3, 3, 10, 0.3, 0.4) */
    SCLIP_MOPT_TEMP_THD, SCLIP_MOPT_ATTN_RCS_WEIGHTS, SCLIP_MOPT_ATTN_SFR_WEIGHTS, SCLIP_MOPT_DELETE_SAME_ENTITY,
    SCLIP_MOPT_GAUSSIAN_STD, /* ResCLIP (defaults 0.1, 2.0,0.6, 2.1,0.6, true, 5) */
    SCLIP_MOPT_COUNT
};
typedef struct sclip_method_desc {
    sclip_method kind; /* 0 = SCLIP */
    unsigned set;      /* the fields given: bits 1u << SCLIP_MOPT_* */
    int pre_adjust_idx, post_adjust_idx, multi_start_idx, multi_end_idx; /* SC-CLIP: 0-based blocks */
    double res_cls, beta; /* doubles, as the official Python floats (1 - lambda is taken in double) */
    double temp_thd, attn_rcs_weights[2], attn_sfr_weights[2], gaussian_std; /* ResCLIP: (tau, lambda) pairs */
    int delete_same_entity;
} sclip_method_desc;

/* "sclip", "scclip", "resclip" (sclip_method_parse also reads "sc-clip", "resclip"; -1 otherwise). */
SCLIPDEF const char *sclip_method_name(sclip_method method);
SCLIPDEF int sclip_method_parse(const char *name);
/* Parses "KEY=VALUE" into m (its kind must be set first: a key of the other method is an error):
   integers for the *_idx keys, numbers, "A,B" pairs for attn_*_weights, true/false (1/0) for
   delete_same_entity. SCLIP_ERROR_INVALID_ARGUMENT with a message in err (may be NULL). */
SCLIPDEF sclip_result sclip_method_opt_parse(const char *key_value, sclip_method_desc *m, char *err, size_t err_cap);
/* Fills every field not in m->set with its default and sets every bit: the values a run uses. */
SCLIPDEF void sclip_method_fill_defaults(sclip_method_desc *m);
/* The dense tokens of a method for one normalised (3, h, w) window, as its official visual forward
   returns them: SC-CLIP gh*gw rows (no class token), ResCLIP and SCLIP 1 + gh*gw rows, each
   embed_dim floats after ln_post and proj, in out; *n_tokens (may be NULL) receives the rows.
   ResCLIP needs the text queries (n_queries x embed_dim, L2-normalised: a vocabulary's
   features), which its feedback pass uses inside the image path; logit_scale is its softmax scale
   (0 = 40). */
SCLIPDEF sclip_result sclip_encode_image_method(sclip_context *ctx, const float *chw, int h, int w,
                                                const sclip_method_desc *method, const float *queries, int n_queries,
                                                float logit_scale, float *out, int *n_tokens);

#define SCLIP_SEG_KEEP (-1)  /* short_side: do not resize */
#define SCLIP_SEG_WHOLE (-1) /* crop: the whole image as one window */

/* Zero means "the official default" for every field. */
typedef struct sclip_seg_desc {
    int short_side;    /* resize so the short side is this (0 = 336; SCLIP_SEG_KEEP = no resize) */
    int max_long_side; /* ... unless the long side would exceed this (0 = 2048) */
    int crop;          /* sliding window size (0 = 224; SCLIP_SEG_WHOLE = no windows) */
    int stride;        /* window stride (0 = 112); one above the crop that leaves pixels in no
                          window is SCLIP_ERROR_INVALID_ARGUMENT */
    float logit_scale; /* multiplies the cosine logits before the softmax (0 = 40) */
    float prob_thd;    /* pixels whose best probability is below this become class 0 (0 = off) */
    float area_thd;    /* foreground classes covering at most this share of the foreground are dropped (0 = off) */
    sclip_attn_desc attn; /* last vision block (zero = SCLIP's CSA) */
    int pamr_steps;    /* PAMR refinement steps, dilations 8 and 16 (0 = off) */
    int no_probs;      /* non-zero: do not return probabilities (saves classes x H x W floats) */
    /* Optional: the class probabilities handed over band by band instead of returned whole, so
       that they can be written (or reduced) while memory stays independent of classes x pixels.
       Called for every row once, rows [y0, y0 + rows) of the original size: plane c of the band
       (rows x width floats) at probs + c * plane_stride. Calls come from the context's worker
       threads, several at a time for different bands, in no particular order (with PAMR: one
       call for the whole image, after PAMR). Return 0 to go on; non-zero makes sclip_segment
       fail with SCLIP_ERROR_IO. The probabilities are then not returned (out->probs NULL). */
    int (*probs_band)(void *user, int y0, int rows, int width, int n_classes, const float *probs, size_t plane_stride);
    void *probs_user;
    sclip_method_desc method; /* zero = SCLIP (manual section 10) */
} sclip_seg_desc;

typedef struct sclip_seg_result {
    int width, height, n_classes;
    uint16_t *labels; /* height x width class indices */
    float *probs;     /* n_classes x height x width (the official seg_logits), NULL with no_probs
                         or probs_band */
} sclip_seg_result;

/* Segments an interleaved 8-bit RGB image (row stride in bytes, >= 3 * width) into the classes
   of vocab: keep-ratio resize (OpenCV's bilinear), sliding windows through the vision tower,
   cosine logits against the vocabulary, bilinear upsampling and window averaging, resize back,
   optional PAMR, softmax over names, max over synonyms, area and probability thresholds,
   argmax (ties to the lowest index). desc may be NULL (all defaults). */
SCLIPDEF sclip_result sclip_segment(sclip_context *ctx, const sclip_vocab *vocab, const uint8_t *rgb, int width, int height,
                                    size_t stride, const sclip_seg_desc *desc, sclip_seg_result *out);
SCLIPDEF void sclip_seg_result_free(sclip_seg_result *res);

/* The settings of the official per-dataset configs: "voc21", "voc20", "context60", "context59",
   "coco-object", "coco-stuff" (164k), "coco-stuff10k", "cityscapes", "ade20k" ('_' for '-' too).
   Fills desc (other fields untouched) and, when classes_file is not NULL, the benchmark's
   class-name file name. */
SCLIPDEF sclip_result sclip_seg_preset(const char *name, sclip_seg_desc *desc, const char **classes_file);
/* The preset names, NULL-terminated. */
SCLIPDEF const char *const *sclip_seg_preset_names(void);
/* A preset for a method: SCLIP's config (sclip_seg_preset), or the method's own config of the
   benchmark (SC-CLIP: its logit_scale, prob_thd, area_thd and short side; ResCLIP: its prob_thd,
   whole-image VOC, temp_thd and RCS / SFR weights), written into desc->method with their bits. */
SCLIPDEF sclip_result sclip_seg_preset_method(const char *name, sclip_method method, sclip_seg_desc *desc,
                                              const char **classes_file);
/* The benchmark's vocabulary, built in (the official SCLIP cls_*.txt: one class a line, synonyms
   separated by ", "), as text for sclip_vocab_create. Writes at most cap bytes including a NUL
   (buf may be NULL) and returns the text's length (0: unknown preset): ask, allocate, fill. */
SCLIPDEF size_t sclip_seg_preset_classes(const char *name, char *buf, size_t cap);

/* The building blocks, for callers that run their own pipeline. */
/* mmcv's keep-ratio size: f = min(max_long / max(h, w), short_side / min(h, w)), sides int(x*f + 0.5). */
SCLIPDEF sclip_result sclip_resize_size(int width, int height, int short_side, int max_long_side, int *out_width,
                                        int *out_height);
/* OpenCV 4.6 cv2.resize(INTER_LINEAR) of interleaved 8-bit RGB, bit-exact. */
SCLIPDEF sclip_result sclip_resize_rgb(const uint8_t *src, int width, int height, size_t stride, uint8_t *dst,
                                       int out_width, int out_height, size_t out_stride);
/* CLIP's normalisation of interleaved 8-bit RGB into a planar (3, height, width) float image,
   (x - mean) / std with SCLIP's constants (CLIP's mean and std times 255): the input of the
   towers (sclip_encode_image_dense, sclip_attention). */
SCLIPDEF sclip_result sclip_normalize_rgb(const uint8_t *rgb, int width, int height, size_t stride, float *chw);
/* The sliding windows over a width x height (resized) image, in the official order (rows outer):
   crop x crop at `stride`, the last one snapped to the border, an axis shorter than crop one
   window; crop SCLIP_SEG_WHOLE one window. Writes up to cap boxes {x, y, w, h} and returns the
   number of windows (0: bad arguments). */
SCLIPDEF int sclip_seg_windows(int width, int height, int crop, int stride, int *boxes, int cap);

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_H */

/* ============================================================================================
   IMPLEMENTATION
   ============================================================================================
   In the order data flows: small helpers; the engine interface (the kernels, behind one table);
   the model's and the context's data; primitives, transformer blocks (with the last-block
   variants), vision and text towers; vocabulary; segmentation (sclip_segment, then its steps);
   SC-CLIP and ResCLIP; weights (the file, then loading and packing); runtime (threads, then the
   context); and last the kernels (the reference loops, their selection, each instruction set's).
   Names used throughout: L (or T) tokens of a sequence (1 + gh*gw for an image: the class
   token, then the gh x gw patch grid, row-major), W or D the width (C in the methods' code, as
   their papers write it), H heads of head_dim hd, P the patch side, E embed_dim, Q queries
   (class names) and C classes (segmentation), m x n x k the sizes of a product
   y (m x n) = x (m x k) W^T, j0..j1 a thread's output columns. */
#ifdef SCLIP_IMPLEMENTATION
#ifndef SCLIP_IMPLEMENTATION_DONE
#define SCLIP_IMPLEMENTATION_DONE

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SCLIP_MALLOC) != defined(SCLIP_FREE)
#error "define both SCLIP_MALLOC and SCLIP_FREE, or neither"
#endif
#ifndef SCLIP_MALLOC
#define SCLIP_MALLOC(sz) malloc(sz)
#define SCLIP_FREE(p) free(p)
#endif
#ifndef SCLIP_ASSERT
#include <assert.h>
#define SCLIP_ASSERT(x) assert(x)
#endif

#if !defined(SCLIP_NO_STDIO) && (defined(__unix__) || defined(__APPLE__))
#define SCLIP__HAVE_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/* The built-in pool uses POSIX threads; elsewhere (Windows without pthreads) give the context
   a parallel_for, or it runs on the calling thread. */
#if !defined(SCLIP_NO_THREADS) && !defined(_WIN32)
#define SCLIP__PTHREADS 1
#include <pthread.h>
#include <unistd.h>
#endif

#define SCLIP__ALIGN 64

SCLIPDEF const char *sclip_version(void) { return SCLIP_VERSION_STRING; }

/* ============================================================================================
   Small helpers: aligned allocation, error messages
   ============================================================================================ */

/* What is kept just below every block: the allocator's pointer and how to give it back, so
   sclip__free needs nothing else (a vocabulary or a result may outlive its context). */
typedef struct sclip__mem_header {
    void *raw;
    void (*free)(void *user, void *ptr);
    void *user;
} sclip__mem_header;

/* size bytes, 64-byte aligned, from allocator a (NULL or zero members: SCLIP_MALLOC). */
static void *sclip__alloc(const sclip_allocator *a, size_t size) {
    unsigned char *raw, *p;
    sclip__mem_header b;
    if (size > (size_t)-1 - SCLIP__ALIGN - sizeof b) return NULL;
    size += SCLIP__ALIGN + sizeof b;
    raw = (unsigned char *)(a && a->alloc ? a->alloc(a->user, size) : SCLIP_MALLOC(size));
    if (!raw) return NULL;
    p = raw + sizeof b;
    p += (SCLIP__ALIGN - ((size_t)p & (SCLIP__ALIGN - 1))) & (SCLIP__ALIGN - 1);
    b.raw = raw;
    b.free = a && a->alloc ? a->free : NULL;
    b.user = a ? a->user : NULL;
    memcpy(p - sizeof b, &b, sizeof b);
    return p;
}

static void sclip__free(void *p) {
    sclip__mem_header b;
    if (!p) return;
    memcpy(&b, (unsigned char *)p - sizeof b, sizeof b);
    if (b.free) b.free(b.user, b.raw);
    else SCLIP_FREE(b.raw);
}

/* n elements of `size` bytes (uninitialised); NULL when n * size overflows or memory is out. */
static void *sclip__alloc_array(const sclip_allocator *a, size_t n, size_t size) {
    if (size && n > (size_t)-1 / size) return NULL;
    return sclip__alloc(a, n * size);
}

static void *sclip__calloc(const sclip_allocator *a, size_t n, size_t size) {
    void *p = sclip__alloc_array(a, n, size);
    if (p) memset(p, 0, n * size);
    return p;
}

/* n rounded up to a multiple of 64 (64-bit, so sizes read from files cannot wrap on 32-bit hosts). */
static uint64_t sclip__align64(uint64_t n) { return (n + 63) / 64 * 64; }

#ifdef SCLIP__RESULT_NAMES
/* Names of sclip.h's result codes: sclip_result_string (sclip_tokenizer.h) asks for them. */
static const char *sclip__result_name(int r) {
    switch (r) {
    case SCLIP_ERROR_IO: return "input/output error";
    case SCLIP_ERROR_BAD_MAGIC: return "not a .sclip weight file";
    case SCLIP_ERROR_BAD_VERSION: return "unsupported .sclip format version";
    case SCLIP_ERROR_TRUNCATED: return "file truncated";
    case SCLIP_ERROR_BAD_HEADER: return "bad architecture numbers in the header";
    case SCLIP_ERROR_BAD_TENSOR_TABLE: return "malformed tensor table";
    case SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS: return "tensor data out of bounds or misaligned";
    case SCLIP_ERROR_TENSOR_OVERLAP: return "tensors overlap";
    case SCLIP_ERROR_MISSING_TENSOR: return "missing tensor";
    case SCLIP_ERROR_TENSOR_SHAPE: return "wrong tensor shape";
    case SCLIP_ERROR_UNSUPPORTED_DTYPE: return "unsupported tensor dtype";
    case SCLIP_ERROR_IMAGE_TOO_SMALL: return "image too small";
    case SCLIP_ERROR_IMAGE_TOO_LARGE: return "image too large";
    case SCLIP_ERROR_BAD_CLASSES: return "bad class list";
    case SCLIP_ERROR_BAD_VOCAB_CACHE: return "malformed vocabulary cache";
    case SCLIP_ERROR_UNKNOWN_PRESET: return "unknown preset";
    case SCLIP_ERROR_THREADS: return "thread pool failed to start";
    default: return "unknown result code";
    }
}
#endif

static sclip_result sclip__fail(char *err, size_t cap, sclip_result r, const char *fmt, ...) {
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return r;
}

/* Little-endian readers (the weight and vocabulary files). */
static uint32_t sclip__u32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t sclip__u64(const unsigned char *p) { return (uint64_t)sclip__u32(p) | ((uint64_t)sclip__u32(p + 4) << 32); }
static float sclip__f32(const unsigned char *p) {
    uint32_t u = sclip__u32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ============================================================================================
   Engine interface: the kernels the model calls, one table per instruction set
   ============================================================================================
   Everything that depends on the instruction set (the packed matrix products and the row
   primitives: LayerNorm, softmax) is at the end of this file, behind one table of function
   pointers, sclip__kernels. The model picks its table when it is loaded (sclip__kernels_choose,
   section "Kernels, selection") and packs its weights for it, so the rest of the library reads as
   plain C: k->gemm(...), k->layer_norm_row(...). Fifteen entries: the float32 Linear layer (5),
   attention's products (5), the three row primitives, and per reduced-precision format a table
   of six (lowp[precision]) with two helpers. Products are y = epi(x W^T + bias) with W in
   PyTorch's Linear layout [n][k], packed once into column panels (sizes from *_packed_size).
   Names used below: m rows of x (tokens), n output channels, k input channels, j0..j1 the output
   columns one thread computes, epi one of SCLIP__EPI_* (applied after the sum: QuickGELU, GELU,
   or + the residual already in y). */

#ifndef SCLIP__GEMM_ASSERT
#ifdef SCLIP_ASSERT
#define SCLIP__GEMM_ASSERT(x) SCLIP_ASSERT(x)
#else
#define SCLIP__GEMM_ASSERT(x) assert(x)
#endif
#endif

/* Functions the rest of the library may not call in every build (silences -Wunused). */
#if defined(__GNUC__) || defined(__clang__)
#define SCLIP__MAYBE_UNUSED __attribute__((unused))
#else
#define SCLIP__MAYBE_UNUSED
#endif

#ifdef SCLIP__PREFETCH
/* given by the includer */
#elif defined(__GNUC__) || defined(__clang__)
#define SCLIP__PREFETCH(p) __builtin_prefetch((const void *)(p), 0, 2) /* toward L2 */
#else
#define SCLIP__PREFETCH(p) ((void)(p))
#endif
#ifdef SCLIP__PREFETCH_W
/* given by the includer */
#elif defined(__GNUC__) || defined(__clang__)
#define SCLIP__PREFETCH_W(p) __builtin_prefetch((const void *)(p), 1, 3) /* toward L1, to be written */
#else
#define SCLIP__PREFETCH_W(p) ((void)(p))
#endif

/* Small vector helpers must inline into the kernels (a call per vector costs 30%). */
#if defined(__GNUC__) || defined(__clang__)
#define SCLIP__INLINE inline __attribute__((always_inline))
#else
#define SCLIP__INLINE inline
#endif

#if SCLIP__DISPATCH == 1 || (!defined(SCLIP_NO_SIMD) && defined(__AVX2__))
#include <immintrin.h>
#elif !defined(SCLIP_NO_SIMD) && defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

enum { SCLIP__EPI_NONE, SCLIP__EPI_QUICKGELU, SCLIP__EPI_GELU, SCLIP__EPI_ADD };

/* ---------------------------------------------------------------------------------
   f16 <-> f32 (IEEE binary16), exact; round to nearest even on the way down.
   --------------------------------------------------------------------------------- */
static SCLIP__MAYBE_UNUSED float sclip__f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, bits;
    float f;
    if (e == 31) {                       /* inf, or nan made quiet (as F16C does) */
        bits = sign | 0x7f800000u | (m ? 0x400000u | (m << 13) : 0u);
    } else if (e != 0) {                 /* normal: rebias 15 -> 127 */
        bits = sign | ((e + 112u) << 23) | (m << 13);
    } else if (m == 0) {                 /* signed zero */
        bits = sign;
    } else {                             /* subnormal m * 2^-24: normalise */
        e = 113;
        while (!(m & 0x400u)) { m <<= 1; e--; }
        bits = sign | (e << 23) | ((m & 0x3ffu) << 13);
    }
    memcpy(&f, &bits, 4);
    return f;
}

static SCLIP__MAYBE_UNUSED uint16_t sclip__f32_to_f16(float f) {
    uint32_t x, sign, ax, e, m, shift, r;
    memcpy(&x, &f, 4);
    sign = (x >> 16) & 0x8000u;
    ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u)               /* inf, or nan made quiet */
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u | ((ax >> 13) & 0x3ffu) : 0));
    if (ax >= 0x477ff000u)               /* >= 65520 rounds to inf */
        return (uint16_t)(sign | 0x7c00u);
    e = ax >> 23;
    if (e >= 113) {                      /* normal half: drop 13 bits, round half to even */
        r = ax - (112u << 23);           /* rebias; carries into the exponent are right */
        r = (r + 0xfffu + ((r >> 13) & 1u)) >> 13;
        return (uint16_t)(sign | r);
    }
    if (e < 102) return (uint16_t)sign;  /* below half the smallest subnormal: +-0 */
    m = (ax & 0x7fffffu) | 0x800000u;    /* subnormal half: value m * 2^(e-150) */
    shift = 126 - e;                     /* result is m >> shift (14..24 bits dropped) */
    r = m >> shift;
    {
        uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) r++;
    }
    return (uint16_t)(sign | r);
}

typedef struct {
    const float *a; ptrdiff_t lda;   /* MR rows of A, k contiguous */
    const float *b; ptrdiff_t ldb;   /* kc rows of NR floats */
    float *c; ptrdiff_t ldc;         /* the MR x NR tile of the output */
    int kc, mr;
    int load_c;                      /* start from c instead of 0 */
    int last;                        /* apply bias / alpha / epilogue and finish */
    const float *bias;               /* NR floats or NULL */
    float alpha;
    int epi;
} sclip__ukr_args;

typedef void (*sclip__ukr_fn)(const sclip__ukr_args *u);

/* Arguments of one micro-kernel call (both formats). */
typedef struct {
    const unsigned char *a; ptrdiff_t lda; /* mr rows of converted activations (bytes) */
    const unsigned char *b;                /* panel block: kg groups of 128 bytes */
    int kg, mr, nr;                        /* k groups (bf16 pairs / int8 quads), rows, columns */
    void *part;                            /* partial sums, MR rows x 32 (f32 or s32) */
    int first, last;                       /* first / last K block */
    const float *bias;                     /* nr floats or NULL */
    const float *rs;                       /* q8: mr row scales */
    const float *ws;                       /* q8: 32 column scales */
    const int32_t *cs;                     /* q8: 32 values 128 * colsum */
    int epi;
    float *y; ptrdiff_t ldy;
} sclip__lpk_args;

typedef void (*sclip__lpk_fn)(const sclip__lpk_args *u);

static int sclip__q8_kp(int k) { return (k + 3) & ~3; }

static int sclip__bf_k2(int k) { return (k + 1) & ~1; }

/* One reduced-precision format (q8, bf16 or q16): y[:, j0:j1] = epi(x W^T + bias) in two steps,
   convert (rows r0..r1 of the m rows of x into act, act_size(m, k) bytes, with a scale per row
   for the integer formats) and gemm (part: lowp_part_size(m) bytes per thread). */
typedef struct sclip__lowp_kernels {
    size_t (*packed_size)(int n, int k); /* bytes */
    void (*pack)(const float *w, int n, int k, void *packed);
    void (*pack_f16)(const uint16_t *w, int n, int k, void *packed); /* NULL: packs from float32 */
    size_t (*act_size)(int m, int k);
    void (*convert)(int m, int r0, int r1, int k, const float *x, int ldx, void *act);
    void (*gemm)(int m, int n, int k, const void *act, const void *packed, const float *bias, int epi, float *y,
                 int ldy, int j0, int j1, void *part);
} sclip__lowp_kernels;

typedef struct sclip__kernels {
    const char *name;       /* "AVX-512 (VNNI, BF16)", "AVX2+FMA", "portable C", ... */
    const char *build_info; /* SCLIP_BUILD_INFO and this table's name */
    /* fp32: pack W once, then y[:, j0:j1] = epi(x W^T + bias) */
    size_t (*gemm_packed_size)(int n, int k);
    void (*gemm_pack)(const float *w, int n, int k, float *packed);
    void (*gemm_pack_t)(const float *w, int k, int n, float *packed);   /* w given as [k][n] */
    void (*gemm_pack_f16)(const uint16_t *w, int n, int k, float *packed);
    void (*gemm)(int m, int n, int k, const float *x, int ldx, const float *packed, const float *bias, int epi,
                 float *y, int ldy, int j0, int j1);
    /* attention: c = alpha a b^T with b packed from rows (keys) or columns (values) of a matrix */
    void (*gemm_pack_rows)(const float *w, ptrdiff_t ld, int n, int k, float *packed);
    void (*gemm_pack_cols)(const float *w, ptrdiff_t ld, int k, int n, float *packed);
    void (*gemm_packed)(int m, int n, int k, float alpha, const float *a, int lda, const float *packed, float *c,
                        int ldc);
    void (*gemm_nt)(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float *c,
                    int ldc);                                            /* c = alpha a b^T */
    void (*gemm_nn)(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                    int accumulate);                                     /* c (+)= a b */
    /* low precision (manual section 3), lowp[precision] for q8, bf16 and q16 (lowp[0] unused):
       the weights packed once, the activations converted once per product, then the same column
       split; a q8 file's int8 weights packed as they are; partial sums between K blocks */
    sclip__lowp_kernels lowp[4];
    void (*q8_pack_q8)(const signed char *q, const float *scales, int n, int k, void *packed);
    size_t (*lowp_part_size)(int m);
    /* rows: LayerNorm y = (x - mean) / sqrt(var + eps) * w + b; softmax in two halves:
       softmax_exp: x = exp(x - max x), returns 1 / sum; softmax_scale: x = x rx (+ y ry) */
    void (*layer_norm_row)(const float *xr, float *yr, int n, const float *w, const float *b, float eps);
    float (*softmax_exp)(float *x, int n);
    void (*softmax_scale)(float *x, float rx, const float *y, float ry, int n);
} sclip__kernels;

static const sclip__kernels *sclip__kernels_choose(void);
#define SCLIP__CPU_NAMES "scalar, avx2, avx512, avx512bf16, neon, dotprod or reference" /* SCLIP_CPU's */

/* ============================================================================================
   Model and context: the data the code below reads
   ============================================================================================
   A model (sclip_model) is immutable once loaded and shared by any number of threads: its two
   towers of blocks, each Linear layer packed for the model's kernels. A context (sclip_context)
   is one caller thread's: scratch memory, a pool of worker threads, caches that depend on the
   input size. The model's weights are read in "Weights, loading", the context made in "Runtime, context". */
typedef struct sclip__linear {
    int n, k;            /* out features, in features */
    int precision;       /* an sclip_precision: the layout of packed */
    const void *packed;  /* n x k weights in the kernel's layout */
    const float *bias;   /* n, or NULL */
    const sclip__kernels *kern; /* the kernels packed is laid out for */
    const sclip__lowp_kernels *lowp; /* &kern->lowp[precision]; NULL in float32 */
} sclip__linear;

typedef struct sclip__block {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    sclip__linear qkv, out, fc, proj; /* attn.in_proj, attn.out_proj, mlp.c_fc, mlp.c_proj */
} sclip__block;

typedef struct sclip__tower {
    int width, layers, heads, mlp;
    sclip__block *blocks;
    const float *ln_w, *ln_b; /* ln_post (vision) or ln_final (text) */
    sclip__linear proj;       /* visual.proj or text_projection, as a Linear (n = embed, k = width) */
} sclip__tower;

struct sclip_model {
    sclip_allocator allocator; /* of every block of the model (sclip_model_desc) */
    const sclip__kernels *kern; /* the instruction set's kernels, chosen at load ("Kernels, selection") */
    sclip_arch arch;
    sclip_towers towers;
    sclip_precision precision;
    sclip__tower vision, text;
    const float *class_embedding, *vision_pos, *ln_pre_w, *ln_pre_b; /* vision stem */
    sclip__linear conv1;                                              /* patch embedding, k = 3*P*P */
    const float *token_embedding, *text_pos;                          /* text stem */
    sclip_tokenizer *tokenizer;
    void **allocs; /* everything converted or packed at load time */
    int n_allocs, cap_allocs;
    void *mapping; /* the mmap'ed file, if any */
    size_t mapping_size;
    uint64_t fingerprint; /* of the architecture and text_projection: ties vocabulary caches to a model */
};

typedef struct sclip__pool {
    int n; /* threads including the caller */
#ifdef SCLIP__PTHREADS
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
#endif
    void (*fn)(void *arg, int i);
    void *arg;
    int n_items, generation, pending, quit;
} sclip__pool;

typedef struct sclip__worker_arg {
    sclip__pool *pool;
    int id;
} sclip__worker_arg;

struct sclip_context {
    sclip_allocator allocator; /* of every block of the context and what it makes */
    const sclip_model *model;
    char err[256];
    int n_threads;
    sclip_parallel_for_fn parallel_for;
    void *parallel_for_user;
    sclip__pool pool;
    float *work; /* scratch, grown to the largest input seen */
    size_t work_cap;
    float *pos; /* vision positional embedding for grid pos_gh x pos_gw (interpolated) */
    int pos_gh, pos_gw;
    sclip_progress_fn progress;
    void *progress_user;
    unsigned char *lp; /* scratch of the low-precision products */
    size_t lp_cap;
    sclip__linear rand_lin[SCLIP_ATTN_MAX_RAND]; /* csa-rand's projections for (rand_n, rand_seed) */
    float *rand_packed;
    int rand_n;
    uint64_t rand_seed;
};

/* The runtime the model calls (sections "Runtime, ..."): */
/* runs fn(arg, i) for i in [0, n) on the context's threads */
static void sclip__parallel(sclip_context *c, void (*fn)(void *, int), void *arg, int n);
/* the next work unit of a job shared by `parts` tasks (units claimed in order) */
static int sclip__claim(int *next, int prev, int part, int parts);
/* scratch of at least `floats` floats, not kept across calls */
static float *sclip__scratch(sclip_context *c, size_t floats);
/* records the message in the context (sclip_context_error) and returns r */
static sclip_result sclip__ctx_fail(sclip_context *c, sclip_result r, const char *fmt, ...);
/* ============================================================================================
   Primitives: Linear on threads, LayerNorm, softmax, bicubic resampling
   ============================================================================================ */
#define SCLIP__MAX_UNITS 256 /* column units of one product at most (the last takes the rest) */

typedef struct sclip__linear_job {
    const sclip__linear *lin;
    int m, ldx, ldy, epi, parts;
    int n_units, next;   /* work units; next unclaimed unit */
    int unit[SCLIP__MAX_UNITS + 1]; /* unit u: output columns [unit[u], unit[u+1]) */
    const float *x;
    float *y;
    unsigned char *act;   /* q8 / bf16: the activations converted once for every part */
    unsigned char *scratch; /* per part: partial sums between K blocks */
    size_t part_bytes;
} sclip__linear_job;

/* Column units, claimed by the threads in order and shrinking toward the end (guided
   scheduling): each is about 1/(2 x threads) of the columns still left, a multiple of 32
   columns (whole panels of every kernel), so a slowed thread is never left with a big piece
   while the other threads wait. */
static void sclip__linear_units(sclip__linear_job *j) {
    int n = j->lin->n, pos = 0, u = 0;
    while (pos < n && u < SCLIP__MAX_UNITS - 1) {
        int size = (n - pos + 2 * j->parts - 1) / (2 * j->parts);
        j->unit[u++] = pos;
        pos += j->parts == 1 ? n : (size + 31) / 32 * 32;
    }
    j->unit[u] = n;
    j->n_units = u;
    j->next = 0;
}

static void sclip__linear_task(void *arg, int i) {
    sclip__linear_job *j = (sclip__linear_job *)arg;
    const sclip__linear *l = j->lin;
    int u;
    for (u = sclip__claim(&j->next, -1, i, j->parts); u < j->n_units; u = sclip__claim(&j->next, u, i, j->parts)) {
        int j0 = j->unit[u], j1 = j->unit[u + 1] < l->n ? j->unit[u + 1] : l->n;
        if (l->lowp)
            l->lowp->gemm(j->m, l->n, l->k, j->act, l->packed, l->bias, j->epi, j->y, j->ldy, j0, j1,
                          j->scratch + (size_t)i * j->part_bytes);
        else
            l->kern->gemm(j->m, l->n, l->k, j->x, j->ldx, (const float *)l->packed, l->bias, j->epi, j->y, j->ldy,
                          j0, j1);
    }
}

/* Rows of part i converted before the products: q8 and q16, to integers with one scale per
   row; bf16, rounded to bf16. */
static void sclip__convert_task(void *arg, int i) {
    const sclip__linear_job *j = (const sclip__linear_job *)arg;
    int per = (j->m + j->parts - 1) / j->parts, r0 = i * per, r1 = r0 + per < j->m ? r0 + per : j->m;
    if (r0 < r1) j->lin->lowp->convert(j->m, r0, r1, j->lin->k, j->x, j->ldx, j->act);
}

/* Scratch of the low-precision products, grown to the largest seen (NULL when out of memory). */
static unsigned char *sclip__lp_scratch(sclip_context *c, size_t bytes) {
    if (bytes > c->lp_cap) {
        sclip__free(c->lp);
        c->lp = (unsigned char *)sclip__alloc(&c->allocator, bytes);
        c->lp_cap = c->lp ? bytes : 0;
    }
    return c->lp;
}

/* Reserves the low-precision scratch for products of up to `rows` rows and k <= kmax, so
   that sclip__linear_forward never allocates. Returns 0 when out of memory. */
static int sclip__reserve_lp(sclip_context *c, int rows, int kmax) {
    const sclip__kernels *kern = c->model->kern;
    size_t parts = (size_t)c->n_threads;
    if (c->model->precision == SCLIP_PRECISION_F32) return 1;
    return sclip__lp_scratch(c, sclip__align64(kern->lowp[c->model->precision].act_size(rows, kmax)) +
                                    parts * sclip__align64(kern->lowp_part_size(rows))) != NULL;
}

/* y = epi(x W^T + b) for m rows; the output columns are split across the threads. */
static void sclip__linear_forward(sclip_context *c, const sclip__linear *lin, int m, const float *x, int ldx, float *y,
                                  int ldy, int epi) {
    sclip__linear_job j;
    size_t act = 0;
    memset(&j, 0, sizeof j);
    j.lin = lin;
    j.m = m;
    j.x = x;
    j.ldx = ldx;
    j.y = y;
    j.ldy = ldy;
    j.epi = epi;
    j.parts = c->n_threads;
    if (lin->lowp) {
        unsigned char *mem;
        act = sclip__align64(lin->lowp->act_size(m, lin->k));
        j.part_bytes = sclip__align64(lin->kern->lowp_part_size(m));
        mem = sclip__lp_scratch(c, act + (size_t)j.parts * j.part_bytes);
        SCLIP_ASSERT(mem != NULL); /* reserved beforehand by sclip__reserve_lp */
        j.act = mem;
        j.scratch = mem + act;
        sclip__parallel(c, sclip__convert_task, &j, j.parts);
    }
    sclip__linear_units(&j);
    sclip__parallel(c, sclip__linear_task, &j, j.parts);
}

static void sclip__layer_norm(const sclip__kernels *kern, const float *x, int ldx, float *y, int ldy, int rows, int n,
                              const float *w, const float *b, float eps) {
    int r;
    for (r = 0; r < rows; r++) kern->layer_norm_row(x + (size_t)r * ldx, y + (size_t)r * ldy, n, w, b, eps);
}

typedef struct sclip__ln_job {
    const sclip__kernels *kern;
    const float *x, *w, *b;
    float *y;
    int ldx, ldy, rows, n, parts;
    float eps;
} sclip__ln_job;

static void sclip__ln_task(void *arg, int i) {
    const sclip__ln_job *j = (const sclip__ln_job *)arg;
    int per = (j->rows + j->parts - 1) / j->parts, r0 = i * per, r1 = r0 + per < j->rows ? r0 + per : j->rows;
    if (r0 < r1)
        sclip__layer_norm(j->kern, j->x + (size_t)r0 * j->ldx, j->ldx, j->y + (size_t)r0 * j->ldy, j->ldy, r1 - r0, j->n, j->w, j->b,
                          j->eps);
}

/* LayerNorm with the rows split across the threads (x and y may be the same rows). */
static void sclip__layer_norm_par(sclip_context *c, const float *x, int ldx, float *y, int ldy, int rows, int n,
                                  const float *w, const float *b) {
    sclip__ln_job j;
    j.kern = c->model->kern;
    j.x = x;
    j.ldx = ldx;
    j.y = y;
    j.ldy = ldy;
    j.rows = rows;
    j.n = n;
    j.w = w;
    j.b = b;
    j.eps = c->model->arch.ln_eps;
    j.parts = rows < 64 ? 1 : c->n_threads;
    sclip__parallel(c, sclip__ln_task, &j, j.parts);
}

/* Softmax of a row in place: exp(x - max) / sum. */
static void sclip__softmax(const sclip__kernels *kern, float *x, int n) {
    kern->softmax_scale(x, kern->softmax_exp(x, n), NULL, 0.0f, n);
}

/* Cubic convolution weights of PyTorch's bicubic (A = -0.75) for fraction t in [0, 1). */
static void sclip__cubic_weights(float t, float wt[4]) {
    const float A = -0.75f;
    float x1 = t + 1.0f, x2 = 1.0f - t, x3 = x2 + 1.0f;
    wt[0] = ((A * x1 - 5 * A) * x1 + 8 * A) * x1 - 4 * A;
    wt[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    wt[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
    wt[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

/* Source taps and weights of bicubic resampling from n_in to n_out samples with PyTorch's
   align_corners=False and a caller-given scale factor: u = (d + 0.5) / scale - 0.5, taps
   floor(u)-1 .. floor(u)+2 clamped to the input. */
static void sclip__cubic_taps(int n_in, int d, double scale_factor, int idx[4], float wt[4]) {
    float step = (float)(1.0 / scale_factor), u = step * ((float)d + 0.5f) - 0.5f;
    float fl = floorf(u);
    int i, i0 = (int)fl;
    sclip__cubic_weights(u - fl, wt);
    for (i = 0; i < 4; i++) {
        int s = i0 - 1 + i;
        idx[i] = s < 0 ? 0 : s >= n_in ? n_in - 1 : s;
    }
}

/* ============================================================================================
   Transformer blocks
   A block is pre-LN: x += Attn(ln_1(x)); x += MLP(ln_2(x)), MLP = c_proj(act(c_fc(.))).
   Attention per head h: o = concat_h(A v), x += out_proj(o), with q, k, v the slices of
   in_proj(ln_1(x)). Every block is vanilla, A = softmax(s q k') with s = 1/sqrt(head_dim) (the
   text tower's causal: keys after the query masked), except the last vision block, which is
   one of the variants below.
   ============================================================================================ */

/* The last-block variants side by side. With X = ln_1(z) and, per head, operands
     q, k   the slices of in_proj(X)            x   X's own columns of the head (csa-id)
     r_i    X R_i' for random projections R_i (csa-rand, i < N)
   the weights are
     A = sum over the terms of softmax(scale * L R' + extra)   (csa-rand: divided by N)
   with scale = s (sharpen: s / T), or A = I (maskclip), or A = the weights block B computed
   (early). The block returns z + out_proj(A v) and its MLP when `keep`, else out_proj(A v). */
typedef struct sclip__variant {
    const char *name;
    char left, right;   /* operands of the scores: 'q', 'k', 'x', 'r' (0: A is not scores) */
    char left2, right2; /* a second term (CSA), or 0 */
    char extra;         /* added to the scores: 'g' NACLIP's Gaussian, 'l' local window mask */
    char source;        /* 's' the scores, 'i' identity, 'e' an early block's weights */
    char keep;          /* residual and MLP kept */
    char param;         /* its parameter: 'n' (csa-rand N), 't' (sharpen T), 'w' (local W), 'b' (early B) */
} sclip__variant;

static const sclip__variant sclip__variants[SCLIP_ATTN_COUNT] = { /* indexed by sclip_attn */
    /* name         L    R    L2   R2  extra src keep param     A                                    */
    {"sclip",      'q', 'q', 'k', 'k', 0,  's',  1,  0 },  /* softmax(s q q') + softmax(s k k')     */
    {"vanilla",    'q', 'k', 0,   0,   0,  's',  1,  0 },  /* softmax(s q k')                       */
    {"maskclip",   0,   0,   0,   0,   0,  'i',  1,  0 },  /* I                                     */
    {"clearclip",  'q', 'q', 0,   0,   0,  's',  0,  0 },  /* softmax(s q q'), no residual, no MLP  */
    {"naclip",     'k', 'k', 0,   0,  'g', 's',  0,  0 },  /* softmax(s k k' + G), no res., no MLP */
    {"csa-q",      'q', 'q', 0,   0,   0,  's',  1,  0 },  /* softmax(s q q')                       */
    {"csa-k",      'k', 'k', 0,   0,   0,  's',  1,  0 },  /* softmax(s k k')                       */
    {"csa-id",     'x', 'x', 0,   0,   0,  's',  1,  0 },  /* softmax(s x x')                       */
    {"csa-rand",   'r', 'r', 0,   0,   0,  's',  1, 'n'},  /* (1/N) sum_i softmax(s r_i r_i')       */
    {"sharpen",    'q', 'k', 0,   0,   0,  's',  1, 't'},  /* softmax(s q k' / T)                   */
    {"local",      'q', 'k', 0,   0,  'l', 's',  1, 'w'},  /* softmax(s q k'), W x W patch window   */
    {"early",      0,   0,   0,   0,   0,  'e',  1, 'b'},  /* block B's softmax(s q_B k_B')         */
};

#define SCLIP__ROW_BLOCK 66 /* query rows per block of scores at most (a multiple of the kernels'
                               6 rows): scratch stays linear in tokens */
#define SCLIP__NACLIP_SIGMA 5.0

typedef struct sclip__attn_job {
    const sclip__kernels *kern;
    const sclip__variant *var; /* what A is (sclip__variants) */
    float temperature;   /* sharpen: T (1 otherwise) */
    int window;          /* local: W */
    int n_rand;          /* csa-rand: N */
    int causal;          /* text: query i sees keys 0..i */
    int n_seq;           /* sequences in the batch */
    const int *seq_start, *seq_len; /* rows of each sequence */
    const int *seq_prefix;          /* causal: a sequence whose rows precede this one's (-1: none) */
    int heads, head_dim, width, rows;
    const float *qkv;    /* rows x 3*width: q | k | v */
    const float *x;      /* rows x width: ln_1's output ('x' operands) */
    float *r;            /* n_rand blocks of rows x width: X R_i' ('r' operands, made by the block) */
    const float *borrowed; /* heads x L x L: an early block's weights ('e') */
    float *capture;      /* when not NULL, A is copied here (heads x L x L) */
    float *out;          /* rows x width */
    float *scratch;      /* parts x sclip__attn_part_floats(max_len, head_dim, packs) */
    int max_len, parts, packs;
    int next;            /* next unclaimed (sequence, head) unit */
    int grid_w;          /* patch grid width (naclip, local) */
    const float *gauss;  /* exp(-d^2 / (2 sigma^2)) for grid distances d (naclip) */
} sclip__attn_job;

/* Gaussian neighbourhood term between tokens i and j of a grid of width gw (token 0 = class). */
static float sclip__naclip_term(const sclip__attn_job *j, int i, int t) {
    int ri, ci, rt, ct, dr, dc;
    if (i == 0 || t == 0) return 0.0f;
    ri = (i - 1) / j->grid_w;
    ci = (i - 1) % j->grid_w;
    rt = (t - 1) / j->grid_w;
    ct = (t - 1) % j->grid_w;
    dr = ri > rt ? ri - rt : rt - ri;
    dc = ci > ct ? ci - ct : ct - ci;
    return j->gauss[dr] * j->gauss[dc]; /* exp(-(dr^2 + dc^2) / (2 sigma^2)) */
}

/* local:W: the keys a patch token i may not see (the class token, patches farther than
   (W-1)/2 rows or columns on the grid) are set to `value`: -inf before the softmax, 0 after it
   (the softmax's exp leaves ~1e-38 for -inf). The class token's row is left whole. */
static void sclip__local_mask(const sclip__attn_job *j, int i, float *row, int L, float value) {
    int half = (j->window - 1) / 2, ri, ci, t;
    if (i == 0) return;
    ri = (i - 1) / j->grid_w;
    ci = (i - 1) % j->grid_w;
    row[0] = value;
    for (t = 1; t < L; t++) {
        int dr = (t - 1) / j->grid_w - ri, dc = (t - 1) % j->grid_w - ci;
        if (dr < -half || dr > half || dc < -half || dc > half) row[t] = value;
    }
}

/* Text attention rows [r0, r0+nr) of one head of sequence seq: query i sees the shared prefix
   (P rows of another sequence, all of them) and its own keys 0..i. */
static void sclip__attn_rows_causal(const sclip__attn_job *j, int seq, int h, int r0, int nr, float *s1) {
    int L = j->seq_len[seq], ld = 3 * j->width, hd = j->head_dim, W = j->width, i, t;
    int pre = j->seq_prefix ? j->seq_prefix[seq] : -1, P = pre >= 0 ? j->seq_len[pre] : 0, n = P + L;
    const float *own = j->qkv + (size_t)j->seq_start[seq] * ld + (size_t)h * hd;
    const float *pq = pre >= 0 ? j->qkv + (size_t)j->seq_start[pre] * ld + (size_t)h * hd : own;
    float *o = j->out + ((size_t)j->seq_start[seq] + r0) * W + (size_t)h * hd;
    float s = 1.0f / sqrtf((float)hd);
    if (P) j->kern->gemm_nt(nr, P, hd, s, own + (size_t)r0 * ld, ld, pq + W, ld, s1, n);
    j->kern->gemm_nt(nr, L, hd, s, own + (size_t)r0 * ld, ld, own + W, ld, s1 + P, n);
    for (i = 0; i < nr; i++) {
        float *row = s1 + (size_t)i * n;
        for (t = P + r0 + i + 1; t < n; t++) row[t] = -INFINITY;
        sclip__softmax(j->kern, row, n);
    }
    if (P) j->kern->gemm_nn(nr, hd, P, s1, n, pq + 2 * W, ld, o, W, 0);
    j->kern->gemm_nn(nr, hd, L, s1 + P, n, own + 2 * W, ld, o, W, P > 0);
}

/* One head of one sequence while it runs: the left operands of the scores' terms (rows at
   stride ldl), its output columns, and the thread's scratch: two blocks of scores, the packed
   right operands of the terms (pack[t]) and the packed values pv. */
typedef struct sclip__attn_head_bufs {
    const float *left[SCLIP_ATTN_MAX_RAND];
    int ldl[SCLIP_ATTN_MAX_RAND], terms, h;
    float *o;
    float *s1, *s2, *pv, *pack0;
    size_t pack_floats;
} sclip__attn_head_bufs;

/* The scratch layout above, in floats from the start of a thread's part, for `packs` packed
   right operands; off[4] = its size. */
static void sclip__attn_layout(const sclip__kernels *kern, int max_len, int head_dim, int packs, size_t off[5]) {
    size_t scores = SCLIP__ROW_BLOCK * kern->gemm_packed_size(max_len, 1);
    off[0] = 0;                  /* s1 */
    off[1] = scores;             /* s2 */
    off[2] = 2 * scores;         /* pv */
    off[3] = off[2] + kern->gemm_packed_size(head_dim, max_len); /* pack[0], pack[1], ... */
    off[4] = off[3] + (size_t)packs * kern->gemm_packed_size(max_len, head_dim);
}

static size_t sclip__attn_part_floats(const sclip__kernels *kern, int max_len, int head_dim, int packs) {
    size_t off[5];
    sclip__attn_layout(kern, max_len, head_dim, packs, off);
    return off[4];
}

/* Operand op ('q', 'k', 'x', or 'r' term t) of head h of sequence seq: its first row, and
   the row stride in *ld. */
static const float *sclip__attn_operand(const sclip__attn_job *j, char op, int t, int seq, int h, int *ld) {
    size_t row0 = (size_t)j->seq_start[seq], col = (size_t)h * j->head_dim, W = (size_t)j->width;
    *ld = op == 'q' || op == 'k' ? 3 * j->width : j->width;
    if (op == 'q') return j->qkv + row0 * 3 * W + col;
    if (op == 'k') return j->qkv + row0 * 3 * W + W + col;
    if (op == 'x') return j->x + row0 * W + col;
    return j->r + (size_t)t * j->rows * W + row0 * W + col; /* 'r' */
}

/* Attention rows [r0, r0+nr) of one head of a sequence of L tokens, whose right operands are
   already packed (sclip__attn_head): the weights A of those rows into s1 (from the table's
   terms), then o = A v. */
static void sclip__attn_rows(const sclip__attn_job *j, const sclip__attn_head_bufs *hb, int L, int r0, int nr) {
    const sclip__variant *v = j->var;
    int hd = j->head_dim, i, t, k, Lp = (int)j->kern->gemm_packed_size(L, 1); /* rows padded with zeros past L */
    float *s1 = hb->s1, *s2 = hb->s2;
    float scale = 1.0f / sqrtf((float)hd) / j->temperature;
    if (v->source == 'e') /* early:B: the weights that block computed */
        for (i = 0; i < nr; i++)
            memcpy(s1 + (size_t)i * Lp, j->borrowed + ((size_t)hb->h * L + r0 + i) * L, (size_t)L * sizeof(float));
    else {
        /* s1 = scale * L_r R' for the first term */
        j->kern->gemm_packed(nr, Lp, hd, scale, hb->left[0] + (size_t)r0 * hb->ldl[0], hb->ldl[0], hb->pack0, s1, Lp);
        if (v->left2) { /* CSA: softmax(s1) + softmax(s2), no averaging */
            j->kern->gemm_packed(nr, Lp, hd, scale, hb->left[1] + (size_t)r0 * hb->ldl[1], hb->ldl[1], hb->pack0 + hb->pack_floats,
                               s2, Lp);
            for (i = 0; i < nr; i++) {
                float *row = s1 + (size_t)i * Lp, *row2 = s2 + (size_t)i * Lp;
                j->kern->softmax_scale(row, j->kern->softmax_exp(row, L), row2, j->kern->softmax_exp(row2, L), L);
            }
        } else {
            for (i = 0; i < nr; i++) {
                float *row = s1 + (size_t)i * Lp;
                if (v->extra == 'g')
                    for (t = 0; t < L; t++) row[t] += sclip__naclip_term(j, r0 + i, t);
                if (v->extra == 'l') sclip__local_mask(j, r0 + i, row, L, -INFINITY);
                sclip__softmax(j->kern, row, L);
                if (v->extra == 'l') sclip__local_mask(j, r0 + i, row, L, 0.0f);
            }
            for (k = 1; k < hb->terms; k++) { /* csa-rand: the other projections' softmaxes, summed */
                j->kern->gemm_packed(nr, Lp, hd, scale, hb->left[k] + (size_t)r0 * hb->ldl[k], hb->ldl[k],
                                   hb->pack0 + (size_t)k * hb->pack_floats, s2, Lp);
                for (i = 0; i < nr; i++) {
                    float *row = s1 + (size_t)i * Lp, *row2 = s2 + (size_t)i * Lp;
                    sclip__softmax(j->kern, row2, L);
                    for (t = 0; t < L; t++) row[t] += row2[t];
                }
            }
            if (hb->terms > 1)
                for (i = 0; i < nr; i++)
                    for (t = 0; t < L; t++) s1[(size_t)i * Lp + t] /= (float)hb->terms;
        }
    }
    if (j->capture)
        for (i = 0; i < nr; i++)
            memcpy(j->capture + ((size_t)hb->h * L + r0 + i) * L, s1 + (size_t)i * Lp, (size_t)L * sizeof(float));
    j->kern->gemm_packed(nr, hd, L, 1.0f, s1, Lp, hb->pv, hb->o + (size_t)r0 * j->width, j->width);
}

/* Query rows per block for a sequence of L tokens: blocks of nearly equal size, whole kernel
   tiles of 6 rows, at most SCLIP__ROW_BLOCK (197 tokens: 66 + 66 + 65). */
static int sclip__attn_row_block(int L) {
    int nb = (L + SCLIP__ROW_BLOCK - 1) / SCLIP__ROW_BLOCK, rows = nb > 0 ? (L + nb - 1) / nb : 1;
    return (rows + 5) / 6 * 6;
}

/* maskclip: each token keeps its own value (A = I). */
static void sclip__attn_identity(const sclip__attn_job *j, int seq, int h, const sclip__attn_head_bufs *hb) {
    int L = j->seq_len[seq], ld = 3 * j->width, i, hd = j->head_dim;
    const float *v = j->qkv + (size_t)j->seq_start[seq] * ld + 2 * (size_t)j->width + (size_t)h * hd;
    for (i = 0; i < L; i++) memcpy(hb->o + (size_t)i * j->width, v + (size_t)i * ld, (size_t)hd * sizeof(float));
    if (j->capture) {
        float *a = j->capture + (size_t)h * L * L;
        memset(a, 0, (size_t)L * L * sizeof(float));
        for (i = 0; i < L; i++) a[(size_t)i * L + i] = 1.0f;
    }
}

/* One head of one sequence. The right operands of the terms and v are packed once here and
   reused by every block of query rows. */
static void sclip__attn_head(const sclip__attn_job *j, int seq, int h, float *scratch) {
    const sclip__variant *v = j->var;
    int L = j->seq_len[seq], hd = j->head_dim, rb = sclip__attn_row_block(L), r0, t, ld;
    const float *val = sclip__attn_operand(j, 'q', 0, seq, h, &ld) + 2 * (size_t)j->width;
    sclip__attn_head_bufs hb;
    size_t off[5];
    sclip__attn_layout(j->kern, j->max_len, hd, j->packs, off);
    hb.h = h;
    hb.o = j->out + (size_t)j->seq_start[seq] * j->width + (size_t)h * hd;
    hb.s1 = scratch + off[0];
    hb.s2 = scratch + off[1];
    hb.pv = scratch + off[2];
    hb.pack0 = scratch + off[3];
    hb.pack_floats = j->kern->gemm_packed_size(j->max_len, hd);
    if (j->causal) {
        for (r0 = 0; r0 < L; r0 += rb) sclip__attn_rows_causal(j, seq, h, r0, L - r0 < rb ? L - r0 : rb, hb.s1);
        return;
    }
    if (v->source == 'i') {
        sclip__attn_identity(j, seq, h, &hb);
        return;
    }
    hb.terms = v->source != 's' ? 0 : v->left2 ? 2 : v->left == 'r' ? j->n_rand : 1;
    for (t = 0; t < hb.terms; t++) { /* the terms' operands; the right ones packed */
        char left = t == 1 && v->left2 ? v->left2 : v->left, right = t == 1 && v->right2 ? v->right2 : v->right;
        const float *r = sclip__attn_operand(j, right, t, seq, h, &ld);
        j->kern->gemm_pack_rows(r, ld, L, hd, hb.pack0 + (size_t)t * hb.pack_floats);
        hb.left[t] = sclip__attn_operand(j, left, t, seq, h, &hb.ldl[t]);
    }
    j->kern->gemm_pack_cols(val, 3 * j->width, L, hd, hb.pv);
    for (r0 = 0; r0 < L; r0 += rb) sclip__attn_rows(j, &hb, L, r0, L - r0 < rb ? L - r0 : rb);
}

/* Work units: the (sequence, head) pairs, claimed by the tasks. */
static void sclip__attn_task(void *arg, int part) {
    sclip__attn_job *j = (sclip__attn_job *)arg;
    float *scratch = j->scratch + (size_t)part * sclip__attn_part_floats(j->kern, j->max_len, j->head_dim, j->packs);
    int u, n = j->n_seq * j->heads;
    for (u = sclip__claim(&j->next, -1, part, j->parts); u < n; u = sclip__claim(&j->next, u, part, j->parts))
        sclip__attn_head(j, u / j->heads, u % j->heads, scratch);
}

/* Buffers one block needs for `rows` tokens. */
typedef struct sclip__block_buf {
    float *h, *qkv, *o, *mlp, *scratch;
} sclip__block_buf;

/* packs: packed right operands of the attention's terms (2; csa-rand: N). */
static size_t sclip__block_buf_floats(const sclip__kernels *kern, const sclip__tower *t, int rows, int max_len, int parts, int packs) {
    return (size_t)rows * (5 * (size_t)t->width + (size_t)t->mlp) +
           (size_t)parts * sclip__attn_part_floats(kern, max_len, t->width / t->heads, packs) + 64;
}

static void sclip__block_buf_init(sclip__block_buf *b, float *mem, int rows, int width, int mlp) {
    b->h = mem;
    b->qkv = b->h + (size_t)rows * width;
    b->o = b->qkv + (size_t)rows * 3 * width;
    b->mlp = b->o + (size_t)rows * width;
    b->scratch = b->mlp + (size_t)rows * mlp;
}

/* One residual block on x (rows x width), in place. `job` carries the attention setup. */
static void sclip__block_forward(sclip_context *c, const sclip__tower *t, const sclip__block *b, float *x, int rows,
                                 sclip__attn_job *job, const sclip__block_buf *buf) {
    int W = t->width, keep = job->var->keep, i;
    int act = c->model->arch.activation == SCLIP_ACT_GELU ? SCLIP__EPI_GELU : SCLIP__EPI_QUICKGELU;
    sclip__layer_norm_par(c, x, W, buf->h, W, rows, W, b->ln1_w, b->ln1_b);
    sclip__linear_forward(c, &b->qkv, rows, buf->h, W, buf->qkv, 3 * W, SCLIP__EPI_NONE);
    job->x = buf->h; /* csa-id's operands */
    if (job->var->left == 'r') /* csa-rand's: r_i = X R_i' for every projection */
        for (i = 0; i < job->n_rand; i++)
            sclip__linear_forward(c, &c->rand_lin[i], rows, buf->h, W, job->r + (size_t)i * rows * W, W, SCLIP__EPI_NONE);
    job->rows = rows;
    job->qkv = buf->qkv;
    job->out = buf->o;
    job->scratch = buf->scratch;
    job->heads = t->heads;
    job->width = W;
    job->head_dim = W / t->heads;
    job->parts = c->n_threads;
    job->next = 0;
    sclip__parallel(c, sclip__attn_task, job, job->parts);
    sclip__linear_forward(c, &b->out, rows, buf->o, W, x, W, keep ? SCLIP__EPI_ADD : SCLIP__EPI_NONE);
    if (!keep) return;
    sclip__layer_norm_par(c, x, W, buf->h, W, rows, W, b->ln2_w, b->ln2_b);
    sclip__linear_forward(c, &b->fc, rows, buf->h, W, buf->mlp, t->mlp, act);
    sclip__linear_forward(c, &b->proj, rows, buf->mlp, t->mlp, x, W, SCLIP__EPI_ADD);
}

/* ============================================================================================
   Vision tower
   ============================================================================================ */

/* Positional embedding for a gh x gw grid. The trained g x g grid is resized with PyTorch's
   bicubic (A = -0.75, align_corners=False) and SCLIP's scale factor (gh + 0.1) / g: the
   sampling step is g / (gh + 0.1), not g / gh. Computed once per grid size. */
static const float *sclip__vision_pos(sclip_context *c, int gh, int gw) {
    const sclip_model *m = c->model;
    int g = m->arch.image_size / m->arch.patch_size, W = m->arch.vision_width, oy, ox, r, ch, i;
    float *pos, *tmp;
    if (gh == g && gw == g) return m->vision_pos;
    if (c->pos && c->pos_gh == gh && c->pos_gw == gw) return c->pos;
    sclip__free(c->pos);
    c->pos = pos = (float *)sclip__alloc(&c->allocator, ((size_t)gh * gw + 1) * W * sizeof(float));
    tmp = (float *)sclip__alloc(&c->allocator, (size_t)g * gw * W * sizeof(float));
    if (!pos || !tmp) {
        sclip__free(tmp);
        sclip__free(pos);
        c->pos = NULL;
        return NULL;
    }
    c->pos_gh = gh;
    c->pos_gw = gw;
    memcpy(pos, m->vision_pos, (size_t)W * sizeof(float)); /* class token row kept */
    for (r = 0; r < g; r++) /* along x, for every trained row */
        for (ox = 0; ox < gw; ox++) {
            int idx[4];
            float wt[4];
            float *dst = tmp + ((size_t)r * gw + ox) * W;
            sclip__cubic_taps(g, ox, (gw + 0.1) / g, idx, wt);
            for (ch = 0; ch < W; ch++) {
                const float *src = m->vision_pos + (size_t)(1 + r * g) * W + ch;
                dst[ch] = src[(size_t)idx[0] * W] * wt[0] + src[(size_t)idx[1] * W] * wt[1] +
                          src[(size_t)idx[2] * W] * wt[2] + src[(size_t)idx[3] * W] * wt[3];
            }
        }
    for (oy = 0; oy < gh; oy++) { /* then along y */
        int idx[4];
        float wt[4];
        sclip__cubic_taps(g, oy, (gh + 0.1) / g, idx, wt);
        for (ox = 0; ox < gw; ox++) {
            float *dst = pos + (size_t)(1 + oy * gw + ox) * W;
            for (ch = 0; ch < W; ch++) {
                float acc = 0;
                for (i = 0; i < 4; i++) acc += tmp[((size_t)idx[i] * gw + ox) * W + ch] * wt[i];
                dst[ch] = acc;
            }
        }
    }
    sclip__free(tmp);
    return pos;
}

static sclip_result sclip__check_image(sclip_context *c, const float *chw, int h, int w) {
    const sclip_model *m = c->model;
    int P = m->arch.patch_size;
    if (!m->vision.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its vision tower");
    if (!chw) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "image: NULL pixels");
    if (h > SCLIP_MAX_IMAGE_SIDE || w > SCLIP_MAX_IMAGE_SIDE || (double)h * w > SCLIP_MAX_IMAGE_PIXELS)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_LARGE, "image: %dx%d exceeds the limit (side %d, %d pixels)", w, h,
                               SCLIP_MAX_IMAGE_SIDE, SCLIP_MAX_IMAGE_PIXELS);
    if (h < P || w < P)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_SMALL, "image: %dx%d is smaller than one %dx%d patch", w, h, P, P);
    return SCLIP_OK;
}

/* Patch embedding: each P x P patch (3 channels, row-major grid) through conv1 as a Linear. */
static void sclip__patch_embed(sclip_context *c, const float *chw, int h, int w, int gh, int gw, float *patches, float *x) {
    const sclip_model *m = c->model;
    int P = m->arch.patch_size, K = 3 * P * P, py, px, ch, ky;
    for (py = 0; py < gh; py++)
        for (px = 0; px < gw; px++) {
            float *dst = patches + ((size_t)py * gw + px) * K;
            for (ch = 0; ch < 3; ch++)
                for (ky = 0; ky < P; ky++)
                    memcpy(dst + (ch * P + ky) * P, chw + ((size_t)ch * h + (size_t)py * P + ky) * w + (size_t)px * P,
                           (size_t)P * sizeof(float));
        }
    sclip__linear_forward(c, &m->conv1, gh * gw, patches, K, x + m->arch.vision_width, m->arch.vision_width,
                          SCLIP__EPI_NONE);
}

/* csa-rand's projections: n matrices D x D ([out][in] row-major, r = X R' like a Linear layer)
   from one splitmix64 stream seeded with seed, R_0 first; each value (2u - 1) * sqrt(3 / D) with
   u the stream's top 24 bits / 2^24 (uniform, variance 1/D), computed in double, rounded once. */
static void sclip__random_projections(uint64_t seed, int n, int d, float *out) {
    uint64_t state = seed, z;
    size_t i, count = (size_t)n * d * d;
    double a = sqrt(3.0 / d);
    for (i = 0; i < count; i++) {
        state += 0x9E3779B97F4A7C15ull;
        z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        out[i] = (float)((2.0 * ((double)(z >> 40) * (1.0 / 16777216.0)) - 1.0) * a);
    }
}

/* The context's csa-rand projections for (n, seed), packed as Linear layers: made on first use
   and kept until another (n, seed) is asked for. */
static sclip_result sclip__rand_projections(sclip_context *c, int n, uint64_t seed) {
    const sclip__kernels *kern = c->model->kern;
    int D = c->model->arch.vision_width, i;
    size_t per = kern->gemm_packed_size(D, D);
    float *tmp;
    if (c->rand_packed && c->rand_n == n && c->rand_seed == seed) return SCLIP_OK;
    sclip__free(c->rand_packed);
    c->rand_packed = (float *)sclip__alloc_array(&c->allocator, (size_t)n * per, sizeof(float));
    tmp = (float *)sclip__alloc_array(&c->allocator, (size_t)n * D * D, sizeof(float));
    if (!c->rand_packed || !tmp) {
        sclip__free(tmp);
        sclip__free(c->rand_packed);
        c->rand_packed = NULL;
        return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "csa-rand: out of memory for %d projections", n);
    }
    sclip__random_projections(seed, n, D, tmp);
    for (i = 0; i < n; i++) {
        kern->gemm_pack(tmp + (size_t)i * D * D, D, D, c->rand_packed + (size_t)i * per);
        c->rand_lin[i].n = c->rand_lin[i].k = D;
        c->rand_lin[i].kern = kern;
        c->rand_lin[i].precision = SCLIP_PRECISION_F32;
        c->rand_lin[i].packed = c->rand_packed + (size_t)i * per;
        c->rand_lin[i].bias = NULL;
    }
    sclip__free(tmp);
    c->rand_n = n;
    c->rand_seed = seed;
    return SCLIP_OK;
}

/* A last-block description against the model: NULL (CSA) or its kind and parameter in range. */
static sclip_result sclip__attn_check(sclip_context *c, const sclip_attn_desc *a) {
    int layers = c->model->arch.vision_layers;
    char name[64];
    if (!a) return SCLIP_OK;
    if ((int)a->kind < 0 || (int)a->kind >= SCLIP_ATTN_COUNT)
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "attention: unknown kind %d", (int)a->kind);
    sclip_attn_desc_format(a, name, sizeof name);
    if (a->kind == SCLIP_ATTN_CSA_RAND && (a->n < 1 || a->n > SCLIP_ATTN_MAX_RAND))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: N must be in 1..%d", name, SCLIP_ATTN_MAX_RAND);
    if (a->kind == SCLIP_ATTN_SHARPEN && !(a->t > 0 && a->t < INFINITY))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: T must be a finite number above 0", name);
    if (a->kind == SCLIP_ATTN_LOCAL && (a->n < 1 || a->n % 2 == 0))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: W must be odd and at least 1", name);
    if (a->kind == SCLIP_ATTN_EARLY && (a->n < 1 || a->n >= layers))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: B must be in 1..%d for this model (%d layers)",
                               name, layers - 1, layers);
    return SCLIP_OK;
}

/* What a forward keeps of the blocks it runs besides its output, for methods that read inside
   the tower (sclip__vision_tokens_taps). Bit i of a mask names block i (0-based); a mask left 0
   costs nothing. Streams are the residual stream X_i after block i, L x width floats. */
typedef struct sclip__taps {
    int blocks;         /* blocks to run: 1..layers (0 = all); with fewer, none is the last-block variant */
    uint64_t keep;      /* X_i copied to keep_out + k*L*width, k = the rank of i among the bits */
    float *keep_out;
    uint64_t sum;       /* X_i summed, i ascending, onto sum_out (zeroed first) */
    float *sum_out;
    uint64_t attn;      /* the vanilla weights softmax(s q k') of block i, heads x L x L, summed onto */
    float *attn_out;    /* attn_out (zeroed first), through attn_tmp (heads x L x L floats) */
    float *attn_tmp;
} sclip__taps;

/* After block l: what taps asks of it (x: L x W floats). */
static void sclip__taps_collect(const sclip__taps *tp, int l, const float *x, size_t n, size_t attn_n) {
    uint64_t bit = (uint64_t)1 << l;
    size_t i;
    if (tp->keep & bit) {
        int k = 0, b;
        for (b = 0; b < l; b++) k += (int)((tp->keep >> b) & 1);
        memcpy(tp->keep_out + (size_t)k * n, x, n * sizeof(float));
    }
    if (tp->sum & bit)
        for (i = 0; i < n; i++) tp->sum_out[i] += x[i];
    if (tp->attn & bit)
        for (i = 0; i < attn_n; i++) tp->attn_out[i] += tp->attn_tmp[i];
}

/* The vision tower up to (not including) ln_post; x receives the L tokens, last block `attn`
   (NULL: CSA). When capture is not NULL the last block's weights A go there (heads x L x L);
   taps (NULL: nothing) keeps the intermediate streams and attention a method asks for. */
static sclip_result sclip__vision_tokens(sclip_context *c, const float *chw, int h, int w, const sclip_attn_desc *attn,
                                         float *capture, float **x_out, int *n_tokens, sclip__block_buf *buf,
                                         const sclip__taps *taps) {
    static const sclip_attn_desc csa = {SCLIP_ATTN_SCLIP, 0, 0.0f, 0};
    const sclip_model *m = c->model;
    const sclip__tower *t = &m->vision;
    const sclip_attn_desc *a = attn ? attn : &csa;
    const sclip__variant *var = &sclip__variants[a->kind], *vanilla = &sclip__variants[SCLIP_ATTN_VANILLA];
    int P = m->arch.patch_size, W = t->width, gh, gw, L, l, i, j, n_rand = a->kind == SCLIP_ATTN_CSA_RAND ? a->n : 0, n_blocks;
    int seq_start = 0, seq_len, packs = n_rand > 2 ? n_rand : 2, early = a->kind == SCLIP_ATTN_EARLY ? a->n - 1 : -1;
    float *mem, *x, *patches, *extra, *gauss;
    const float *pos;
    sclip__attn_job job;
    sclip_result r = sclip__check_image(c, chw, h, w);
    if (r == SCLIP_OK) r = sclip__attn_check(c, attn);
    if (r == SCLIP_OK && n_rand) r = sclip__rand_projections(c, n_rand, a->seed);
    if (r != SCLIP_OK) return r;
    gh = h / P;
    gw = w / P;
    L = gh * gw + 1;
    /* x, the patches, one block's buffers, then csa-rand's r_i or an early block's weights, then
       naclip's Gaussian of the grid distances */
    mem = sclip__scratch(c, (size_t)L * W + (size_t)L * 3 * P * P + sclip__block_buf_floats(c->model->kern, t, L, L, c->n_threads, packs) +
                                (size_t)n_rand * L * W + (early >= 0 ? (size_t)t->heads * L * L : 0) + (size_t)(gh > gw ? gh : gw));
    if (!mem || !sclip__reserve_lp(c, L, t->mlp > W ? t->mlp : W))
        return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory for %d tokens", L);
    x = mem;
    patches = x + (size_t)L * W;
    sclip__block_buf_init(buf, patches + (size_t)L * 3 * P * P, L, W, t->mlp);
    extra = buf->scratch + (size_t)c->n_threads * sclip__attn_part_floats(c->model->kern, L, W / t->heads, packs);
    gauss = extra + (size_t)n_rand * L * W + (early >= 0 ? (size_t)t->heads * L * L : 0);
    pos = sclip__vision_pos(c, gh, gw);
    if (!pos) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    /* x = [class_embedding; conv1(patches)] + positional embedding, then ln_pre */
    sclip__patch_embed(c, chw, h, w, gh, gw, patches, x);
    memcpy(x, m->class_embedding, (size_t)W * sizeof(float));
    for (i = 0; i < L * W; i++) x[i] += pos[i];
    sclip__layer_norm_par(c, x, W, x, W, L, W, m->ln_pre_w, m->ln_pre_b);
    /* exp(-d^2 / (2 sigma^2)) for grid distances d (naclip) */
    for (j = 0; j < (gh > gw ? gh : gw); j++)
        gauss[j] = (float)exp(-(double)j * j / (2.0 * SCLIP__NACLIP_SIGMA * SCLIP__NACLIP_SIGMA));
    memset(&job, 0, sizeof job);
    job.kern = c->model->kern;
    seq_len = L;
    job.n_seq = 1;
    job.seq_start = &seq_start;
    job.seq_len = &seq_len;
    job.max_len = L;
    job.packs = packs;
    job.grid_w = gw;
    job.gauss = gauss;
    job.n_rand = n_rand;
    job.r = extra;
    job.borrowed = extra;
    job.window = a->n;
    n_blocks = taps && taps->blocks > 0 && taps->blocks < t->layers ? taps->blocks : t->layers;
    if (taps && taps->sum) memset(taps->sum_out, 0, (size_t)L * W * sizeof(float));
    if (taps && taps->attn) memset(taps->attn_out, 0, (size_t)t->heads * L * L * sizeof(float));
    for (l = 0; l < n_blocks; l++) {
        int last = l == t->layers - 1;
        job.var = last ? var : vanilla;
        job.temperature = last && a->kind == SCLIP_ATTN_SHARPEN ? a->t : 1.0f;
        job.capture = last ? capture : l == early ? extra : NULL; /* early:B keeps block B's weights */
        if (taps && !last && ((taps->attn >> l) & 1)) job.capture = taps->attn_tmp;
        sclip__block_forward(c, t, &t->blocks[l], x, L, &job, buf);
        if (taps) sclip__taps_collect(taps, l, x, (size_t)L * W, (size_t)t->heads * L * L);
    }
    *x_out = x;
    *n_tokens = L;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_encode_image_dense(sclip_context *c, const float *chw, int h, int w, const sclip_attn_desc *attn,
                                               float *out, int *n_tokens) {
    sclip__block_buf buf;
    float *x = NULL;
    int L = 0, W;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    if ((r = sclip__vision_tokens(c, chw, h, w, attn, NULL, &x, &L, &buf, NULL)) != SCLIP_OK) return r;
    W = c->model->vision.width;
    /* ln_post and proj on every token */
    sclip__layer_norm_par(c, x, W, buf.h, W, L, W, c->model->vision.ln_w, c->model->vision.ln_b);
    sclip__linear_forward(c, &c->model->vision.proj, L, buf.h, W, out, c->model->arch.embed_dim, SCLIP__EPI_NONE);
    if (n_tokens) *n_tokens = L;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_attention(sclip_context *c, const float *chw, int h, int w, const sclip_attn_desc *attn,
                                      float *out, int *n_tokens) {
    sclip__block_buf buf;
    float *x = NULL;
    int L = 0;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    if ((r = sclip__vision_tokens(c, chw, h, w, attn, out, &x, &L, &buf, NULL)) != SCLIP_OK) return r;
    if (n_tokens) *n_tokens = L;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_encode_image(sclip_context *c, const float *chw, int h, int w, float *out) {
    sclip__block_buf buf;
    float *x = NULL;
    int L = 0, W;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    static const sclip_attn_desc vanilla = {SCLIP_ATTN_VANILLA, 0, 0.0f, 0};
    if ((r = sclip__vision_tokens(c, chw, h, w, &vanilla, NULL, &x, &L, &buf, NULL)) != SCLIP_OK) return r;
    W = c->model->vision.width;
    sclip__layer_norm(c->model->kern, x, W, buf.h, W, 1, W, c->model->vision.ln_w, c->model->vision.ln_b, c->model->arch.ln_eps);
    sclip__linear_forward(c, &c->model->vision.proj, 1, buf.h, W, out, c->model->arch.embed_dim, SCLIP__EPI_NONE);
    return SCLIP_OK;
}

/* ============================================================================================
   Text tower
   Causal attention means tokens after end-of-text never change the result, so each prompt
   runs only up to its EOT token (CLIP pools there: argmax of the ids), and many prompts go
   through the matrix products as one batch of rows.
   ============================================================================================ */
#define SCLIP__TEXT_BATCH_ROWS 2048

static int sclip__eot_position(const int32_t *ids, int n) {
    int i, best = 0;
    for (i = 1; i < n; i++)
        if (ids[i] > ids[best]) best = i;
    return best;
}

/* Prompts that begin with the same tokens (a template's words before the class name) share
   them: under causal attention those rows never see what follows, so they are computed once
   per group and each prompt attends to them. Consecutive prompts form a group while they keep
   the leader's common prefix (at least SOT and one token; never the EOT row): first[p] is the
   group's first prompt, shared[p] its shared rows (0 for a prompt alone). */
static void sclip__text_groups(const int32_t *tokens, int n, int ctx, const int *len, int *first, int *shared) {
    int p = 0, q, i;
    while (p < n) {
        int common = len[p] - 1;
        for (q = p + 1; q < n; q++) {
            int c = 0, lim = common < len[q] - 1 ? common : len[q] - 1;
            while (c < lim && tokens[(size_t)p * ctx + c] == tokens[(size_t)q * ctx + c]) c++;
            if (c < 2 || (q > p + 1 && c < common)) break;
            common = c;
        }
        for (i = p; i < q; i++) {
            first[i] = p;
            shared[i] = q - p > 1 ? common : 0;
        }
        p = q;
    }
}

/* The rows and sequences of prompts [p0, p1) (whole groups): a prefix sequence per group,
   then each prompt's own rows, which attend to their group's prefix (prefix[s] = its index).
   Fills start/lens/prefix/pos0/src (position and prompt of each sequence's first row); returns
   the number of sequences, and the number of rows in *rows. */
static int sclip__text_layout(int p0, int p1, const int *len, const int *first, const int *shared, int *start, int *lens,
                              int *prefix, int *pos0, int *src, int *rows) {
    int p, s = 0, r = 0, pre = -1;
    for (p = p0; p < p1; p++) {
        if (first[p] == p) {
            pre = -1;
            if (shared[p]) { /* the group's prefix */
                start[s] = r, lens[s] = shared[p], prefix[s] = -1, pos0[s] = 0, src[s] = p;
                pre = s++;
                r += shared[p];
            }
        }
        start[s] = r, lens[s] = len[p] - shared[p], prefix[s] = pre, pos0[s] = shared[p], src[s] = p;
        r += lens[s++];
    }
    *rows = r;
    return s;
}

/* Encodes prompts [p0, p1) (whole groups): out receives their embeddings, embed_dim each. */
static sclip_result sclip__text_batch(sclip_context *c, const int32_t *tokens, int p0, int p1, const int *len,
                                      const int *first, const int *shared, float *out) {
    const sclip_model *m = c->model;
    const sclip__tower *t = &m->text;
    int W = t->width, ctx = m->arch.context_length, n = p1 - p0, rows, n_seq, s, i, l, E = m->arch.embed_dim, k = 0;
    int *start = (int *)sclip__alloc(&c->allocator, 10 * (size_t)n * sizeof(int)), *lens = start + 2 * n, *prefix = lens + 2 * n;
    int *pos0 = prefix + 2 * n, *src = pos0 + 2 * n;
    float *mem, *x;
    sclip__block_buf buf;
    sclip__attn_job job;
    if (!start) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    n_seq = sclip__text_layout(p0, p1, len, first, shared, start, lens, prefix, pos0, src, &rows);
    mem = sclip__scratch(c, (size_t)rows * W + sclip__block_buf_floats(c->model->kern, t, rows, ctx, c->n_threads, 2));
    if (!mem || !sclip__reserve_lp(c, rows, t->mlp > W ? t->mlp : W)) {
        sclip__free(start);
        return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory for %d text rows", rows);
    }
    x = mem;
    sclip__block_buf_init(&buf, x + (size_t)rows * W, rows, W, t->mlp);
    for (s = 0; s < n_seq; s++) /* token embedding + positional embedding */
        for (i = 0; i < lens[s]; i++) {
            int pos = pos0[s] + i, ch;
            const float *e = m->token_embedding + (size_t)tokens[(size_t)src[s] * ctx + pos] * W;
            const float *pe = m->text_pos + (size_t)pos * W;
            float *xr = x + (size_t)(start[s] + i) * W;
            for (ch = 0; ch < W; ch++) xr[ch] = e[ch] + pe[ch];
        }
    memset(&job, 0, sizeof job);
    job.kern = c->model->kern;
    job.var = &sclip__variants[SCLIP_ATTN_VANILLA];
    job.temperature = 1.0f;
    job.packs = 2;
    job.causal = 1;
    job.n_seq = n_seq;
    job.seq_start = start;
    job.seq_len = lens;
    job.seq_prefix = prefix;
    job.max_len = ctx;
    for (l = 0; l < t->layers; l++) sclip__block_forward(c, t, &t->blocks[l], x, rows, &job, &buf);
    /* ln_final on each prompt's EOT row (its last), then text_projection */
    for (s = 0; s < n_seq; s++)
        if (pos0[s] + lens[s] == len[src[s]])
            sclip__layer_norm(c->model->kern, x + (size_t)(start[s] + lens[s] - 1) * W, W, buf.h + (size_t)k++ * W, W, 1, W, t->ln_w, t->ln_b,
                              m->arch.ln_eps);
    sclip__linear_forward(c, &t->proj, n, buf.h, W, out + (size_t)p0 * E, E, SCLIP__EPI_NONE);
    sclip__free(start);
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_encode_tokens(sclip_context *c, const int32_t *tokens, int n, float *out) {
    const sclip_model *m;
    int ctx, p, p0, rows, *len, *first, *shared;
    sclip_result r = SCLIP_OK;
    if (!c || (!tokens && n) || (!out && n) || n < 0) return SCLIP_ERROR_INVALID_ARGUMENT;
    m = c->model;
    if (!m->text.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its text tower");
    ctx = m->arch.context_length;
    len = (int *)sclip__alloc(&c->allocator, 3 * (size_t)(n ? n : 1) * sizeof(int));
    if (!len) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    first = len + n;
    shared = first + n;
    for (p = 0; p < n; p++) {
        const int32_t *ids = tokens + (size_t)p * ctx;
        int i;
        for (i = 0; i < ctx; i++)
            if (ids[i] < 0 || ids[i] >= m->arch.vocab_size) {
                sclip__free(len);
                return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "text: token %d of prompt %d is %d, outside the vocabulary",
                                       i, p, (int)ids[i]);
            }
        len[p] = sclip__eot_position(ids, ctx) + 1;
    }
    sclip__text_groups(tokens, n, ctx, len, first, shared);
    for (p0 = 0; p0 < n && r == SCLIP_OK; p0 = p) { /* batches of whole groups, about SCLIP__TEXT_BATCH_ROWS rows */
        for (p = p0, rows = 0; p < n && (p == p0 || first[p] != p || rows + len[p] <= SCLIP__TEXT_BATCH_ROWS); p++)
            rows += len[p] - shared[p] + (first[p] == p ? shared[p] : 0);
        r = sclip__text_batch(c, tokens, p0, p, len, first, shared, out);
    }
    sclip__free(len);
    return r;
}

SCLIPDEF sclip_result sclip_encode_text(sclip_context *c, const char *const *texts, int n, int truncate, float *out) {
    const sclip_model *m;
    int32_t *ids;
    int p, ctx;
    sclip_result r;
    if (!c || (!texts && n) || n < 0) return SCLIP_ERROR_INVALID_ARGUMENT;
    m = c->model;
    if (!m->tokenizer) return sclip__ctx_fail(c, SCLIP_ERROR_BAD_VOCAB, "text: the weight file has no merge list");
    ctx = m->arch.context_length;
    ids = (int32_t *)sclip__alloc(&c->allocator, (size_t)(n ? n : 1) * ctx * sizeof(int32_t));
    if (!ids) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    for (p = 0; p < n; p++) {
        if (!texts[p]) {
            sclip__free(ids);
            return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "text: prompt %d is NULL", p);
        }
        r = sclip_tokenizer_encode_context(m->tokenizer, texts[p], strlen(texts[p]), ctx, truncate, ids + (size_t)p * ctx, NULL);
        if (r != SCLIP_OK) {
            sclip__free(ids);
            return sclip__ctx_fail(c, r, "text: prompt %d (%.40s%s) %s", p, texts[p], strlen(texts[p]) > 40 ? "..." : "",
                                   r == SCLIP_ERROR_TEXT_TOO_LONG ? "does not fit the context of the text tower" : sclip_result_string(r));
        }
    }
    r = sclip_encode_tokens(c, ids, n, out);
    sclip__free(ids);
    return r;
}

SCLIPDEF const char *sclip_attn_name(sclip_attn a) {
    return (int)a >= 0 && (int)a < SCLIP_ATTN_COUNT ? sclip__variants[a].name : "unknown";
}

SCLIPDEF int sclip_attn_parse(const char *name) {
    int i;
    for (i = 0; name && i < SCLIP_ATTN_COUNT; i++)
        if (!sclip__variants[i].param && !strcmp(name, sclip__variants[i].name)) return i;
    return -1;
}

SCLIPDEF sclip_result sclip_attn_desc_parse(const char *text, sclip_attn_desc *out, char *err, size_t cap) {
    static const char *const usage = "sclip, vanilla, maskclip, clearclip, naclip, csa-q, csa-k, csa-id, "
                                     "csa-rand:N[:SEED], sharpen:T, local:W, early:B";
    const char *colon = text ? strchr(text, ':') : NULL, *arg = colon ? colon + 1 : NULL;
    size_t len = text ? (colon ? (size_t)(colon - text) : strlen(text)) : 0;
    char *end = NULL;
    int k;
    if (!text || !out) return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention: no text");
    memset(out, 0, sizeof *out);
    for (k = 0; k < SCLIP_ATTN_COUNT; k++)
        if (strlen(sclip__variants[k].name) == len && !strncmp(text, sclip__variants[k].name, len)) break;
    if (k == SCLIP_ATTN_COUNT)
        return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "unknown attention '%s' (%s)", text, usage);
    out->kind = (sclip_attn)k;
    switch (sclip__variants[k].param) {
    case 0:
        if (colon) return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s takes no parameter", text);
        return SCLIP_OK;
    case 't': { /* sharpen:T */
        double t = arg ? strtod(arg, &end) : 0;
        if (!arg || end == arg || *end || !(t > 0 && t < 1e30))
            return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: T must be a finite number above 0", text);
        out->t = (float)t;
        return SCLIP_OK;
    }
    default: { /* csa-rand:N[:SEED], local:W, early:B */
        long n = arg ? strtol(arg, &end, 10) : 0;
        int rand = sclip__variants[k].param == 'n';
        if (!arg || end == arg || (*end && !(rand && *end == ':')) || n < 1 ||
            (rand && n > SCLIP_ATTN_MAX_RAND) || n > 1000000 || (sclip__variants[k].param == 'w' && n % 2 == 0))
            return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: %s", text,
                               rand ? "N must be an integer in 1..64 (csa-rand:N or csa-rand:N:SEED)"
                               : sclip__variants[k].param == 'w' ? "W must be an odd integer >= 1 (local:W)"
                                                                  : "B must be an integer >= 1, below the model's layers (early:B)");
        out->n = (int)n;
        if (rand && *end == ':') {
            const char *sd = end + 1;
            unsigned long long seed = 0;
            if (!*sd) return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: SEED missing", text);
            for (; *sd >= '0' && *sd <= '9'; sd++) {
                unsigned digit = (unsigned)(*sd - '0');
                if (seed > (~0ull - digit) / 10)
                    return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: SEED must be below 2^64", text);
                seed = seed * 10 + digit;
            }
            if (*sd) return sclip__fail(err, cap, SCLIP_ERROR_INVALID_ARGUMENT, "attention %s: SEED must be an integer >= 0", text);
            out->seed = (uint64_t)seed;
        }
        return SCLIP_OK;
    }
    }
}

SCLIPDEF void sclip_attn_desc_format(const sclip_attn_desc *a, char *buf, size_t cap) {
    static const sclip_attn_desc csa = {SCLIP_ATTN_SCLIP, 0, 0.0f, 0};
    const char *name;
    if (!buf || !cap) return;
    if (!a) a = &csa;
    name = sclip_attn_name(a->kind);
    switch ((int)a->kind >= 0 && (int)a->kind < SCLIP_ATTN_COUNT ? sclip__variants[a->kind].param : 0) {
    case 'n':
        if (a->seed) snprintf(buf, cap, "%s:%d:%llu", name, a->n, (unsigned long long)a->seed);
        else snprintf(buf, cap, "%s:%d", name, a->n);
        break;
    case 't': snprintf(buf, cap, "%s:%.9g", name, (double)a->t); break;
    case 'w': case 'b': snprintf(buf, cap, "%s:%d", name, a->n); break;
    default: snprintf(buf, cap, "%s", name);
    }
}

/* ============================================================================================
   Vocabulary: class names -> one text embedding per name (query)
   Per name n: the 80 prompts t.format(n), encode_text, L2-normalise each, mean, L2-normalise.
   Synonyms stay separate queries; they are merged by a max after the softmax (segmentation).
   ============================================================================================ */
static const char *const sclip__templates[80] = {
    "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.", "a photo of the hard to see {}.",
    "a low resolution photo of the {}.", "a rendering of a {}.", "graffiti of a {}.", "a bad photo of the {}.",
    "a cropped photo of the {}.", "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
    "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.", "a dark photo of the {}.",
    "a drawing of a {}.", "a photo of my {}.", "the plastic {}.", "a photo of the cool {}.",
    "a close-up photo of a {}.", "a black and white photo of the {}.", "a painting of the {}.", "a painting of a {}.",
    "a pixelated photo of the {}.", "a sculpture of the {}.", "a bright photo of the {}.", "a cropped photo of a {}.",
    "a plastic {}.", "a photo of the dirty {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
    "a photo of the {}.", "a good photo of the {}.", "a rendering of the {}.", "a {} in a video game.",
    "a photo of one {}.", "a doodle of a {}.", "a close-up photo of the {}.", "a photo of a {}.",
    "the origami {}.", "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.",
    "a origami {}.", "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
    "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.", "a photo of a nice {}.",
    "a photo of a weird {}.", "a blurry photo of a {}.", "a cartoon {}.", "art of a {}.",
    "a sketch of the {}.", "a embroidered {}.", "a pixelated photo of a {}.", "itap of the {}.",
    "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a plushie {}.", "a photo of the nice {}.",
    "a photo of the small {}.", "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
    "a drawing of the {}.", "a photo of the large {}.", "a black and white photo of a {}.", "the plushie {}.",
    "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.", "a toy {}.",
    "itap of my {}.", "a photo of a cool {}.", "a photo of a small {}.", "a tattoo of the {}."};

struct sclip_vocab {
    sclip_allocator allocator; /* of its arrays (the context's or the model's) */
    int n_classes, n_queries, embed_dim;
    int *query_class;  /* class index of each query */
    char **names;      /* name of each query (pointers into blob) */
    char *blob;        /* the names, NUL-terminated, back to back */
    size_t blob_size;
    float *features;   /* n_queries x embed_dim, L2-normalised */
    uint64_t fingerprint;
    int precision;     /* the sclip_precision of the text products that made the features */
};

SCLIPDEF const char *const *sclip_default_templates(int *n) {
    if (n) *n = 80;
    return sclip__templates;
}

SCLIPDEF void sclip_vocab_free(sclip_vocab *v) {
    if (!v) return;
    sclip__free(v->query_class);
    sclip__free(v->names);
    sclip__free(v->blob);
    sclip__free(v->features);
    sclip__free(v);
}

SCLIPDEF int sclip_vocab_num_classes(const sclip_vocab *v) { return v ? v->n_classes : 0; }
SCLIPDEF int sclip_vocab_num_queries(const sclip_vocab *v) { return v ? v->n_queries : 0; }
SCLIPDEF int sclip_vocab_query_class(const sclip_vocab *v, int q) { return v && q >= 0 && q < v->n_queries ? v->query_class[q] : -1; }
SCLIPDEF const char *sclip_vocab_query_name(const sclip_vocab *v, int q) { return v && q >= 0 && q < v->n_queries ? v->names[q] : NULL; }
SCLIPDEF const float *sclip_vocab_features(const sclip_vocab *v) { return v ? v->features : NULL; }

SCLIPDEF const char *sclip_vocab_class_name(const sclip_vocab *v, int c) {
    int q;
    for (q = 0; v && q < v->n_queries; q++)
        if (v->query_class[q] == c) return v->names[q];
    return NULL;
}

/* Allocates the vocabulary's arrays; `blob` (blob_size bytes of NUL-terminated names) is copied. */
static sclip_vocab *sclip__vocab_new(const sclip_allocator *a, int n_queries, int embed_dim, const char *blob, size_t blob_size) {
    sclip_vocab *v = (sclip_vocab *)sclip__calloc(a, 1, sizeof *v);
    size_t i, q = 0;
    if (!v) return NULL;
    if (a) v->allocator = *a;
    v->n_queries = n_queries;
    v->embed_dim = embed_dim;
    v->blob_size = blob_size;
    v->query_class = (int *)sclip__calloc(a, (size_t)n_queries, sizeof(int));
    v->names = (char **)sclip__calloc(a, (size_t)n_queries, sizeof(char *));
    v->blob = (char *)sclip__alloc(a, blob_size ? blob_size : 1);
    v->features = (float *)sclip__calloc(a, (size_t)n_queries * embed_dim, sizeof(float));
    if (!v->query_class || !v->names || !v->blob || !v->features) {
        sclip_vocab_free(v);
        return NULL;
    }
    memcpy(v->blob, blob, blob_size);
    for (i = 0; i < blob_size && q < (size_t)n_queries; i++) /* names[q] = start of the q-th string */
        if (i == 0 || v->blob[i - 1] == 0) v->names[q++] = v->blob + i;
    return v;
}

static int sclip__class_blank(char ch) { return ch == ' ' || ch == '\t'; }
static int sclip__class_end(char ch) { return ch == ';' || ch == '\n' || ch == '\r'; }

/* Splits class-name text (the syntax of sclip_vocab_create): classes end at a newline (\n, \r\n
   or \r, as Python's universal newlines) or ';', synonyms at ','. Spaces and tabs at the start
   of a line or next to a ',' or ';' are not part of a name; those at the end of a line are (the
   official cls_context60.txt ends with "wood ", which the official code keeps). Empty classes
   after the last name are ignored; any other empty class or name is an error. A file in the
   official format (a class a line, ", " between synonyms) gives the official names. Writes the
   names NUL-terminated to blob (at least len + 1 bytes) and their class indices to cls (NULL to
   count only). */
static sclip_result sclip__parse_classes(char *err, size_t cap, const char *text, size_t len, char *blob, int *cls,
                                         int *n_classes, int *n_queries, size_t *blob_size) {
    size_t i = 0, out = 0, last = len;
    int c = 0, q = 0, line = 1;
    while (last > 0 && (sclip__class_end(text[last - 1]) || sclip__class_blank(text[last - 1]))) last--;
    if (last == 0) return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: the class list is empty");
    for (;;) { /* class c + 1: text[i, e) */
        size_t e = i, s = i;
        int syn = 0, semi;
        while (e < len && !sclip__class_end(text[e])) e++;
        semi = e < len && text[e] == ';';
        for (;;) { /* its synonym syn + 1: text[a, b) of text[s, t) */
            size_t t = s, a, b;
            while (t < e && text[t] != ',') t++;
            for (a = s; a < t && sclip__class_blank(text[a]); a++) {}
            for (b = t; (t < e || semi) && b > a && sclip__class_blank(text[b - 1]); b--) {}
            if (a == b && t == e && syn == 0)
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: class %d (line %d) is empty", c + 1, line);
            if (a == b)
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: class %d (line %d) has an empty name: synonym %d",
                                   c + 1, line, syn + 1);
            if (memchr(text + a, 0, b - a))
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: class %d (line %d) contains a NUL byte", c + 1, line);
            if (q >= SCLIP_MAX_CLASSES)
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: more than %d class names", SCLIP_MAX_CLASSES);
            if (blob) {
                memcpy(blob + out, text + a, b - a);
                blob[out + (b - a)] = 0;
                cls[q] = c;
            }
            out += b - a + 1;
            q++;
            syn++;
            if (t >= e) break;
            s = t + 1;
        }
        c++;
        if (e >= last) break; /* the last name: what follows is empty classes */
        if (text[e] != ';') line++;
        i = text[e] == '\r' && e + 1 < len && text[e + 1] == '\n' ? e + 2 : e + 1;
    }
    *n_classes = c;
    *n_queries = q;
    *blob_size = out;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_classes_parse(const char *classes, size_t len, int *n_classes, int *n_names, char *err,
                                          size_t err_cap) {
    int c = 0, q = 0;
    size_t blob_size;
    sclip_result r;
    if (err && err_cap) err[0] = 0;
    if (n_classes) *n_classes = 0;
    if (n_names) *n_names = 0;
    if (!classes && len) return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "classes: NULL text");
    if ((r = sclip__parse_classes(err, err_cap, classes, len, NULL, NULL, &c, &q, &blob_size)) != SCLIP_OK) return r;
    if (n_classes) *n_classes = c;
    if (n_names) *n_names = q;
    return SCLIP_OK;
}

/* t.format(name): the template with its "{}" replaced by the name. */
static sclip_result sclip__format_prompt(sclip_context *c, const char *t, const char *name, char **out) {
    const char *at = strstr(t, "{}");
    size_t lt = strlen(t), ln = strlen(name);
    char *p;
    if (!at || strstr(at + 2, "{}"))
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "templates: '%.60s' must contain \"{}\" exactly once", t);
    p = (char *)sclip__alloc(&c->allocator, lt + ln - 1);
    if (!p) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    memcpy(p, t, (size_t)(at - t));
    memcpy(p + (at - t), name, ln);
    memcpy(p + (at - t) + ln, at + 2, lt - (size_t)(at - t) - 2 + 1);
    *out = p;
    return SCLIP_OK;
}

static void sclip__l2_normalize(float *x, int n) {
    double s = 0;
    int i;
    for (i = 0; i < n; i++) s += (double)x[i] * x[i];
    s = s > 0 ? 1.0 / sqrt(s) : 0;
    for (i = 0; i < n; i++) x[i] = (float)(x[i] * s);
}

/* Tokenizes the prompts of every name (n_templates each) into ids. */
/* Tokenizes every prompt, template-major (prompt t * names + q), so that the prompts of one
   template, which begin with the same words, follow each other (sclip_encode_tokens shares
   those rows). */
static sclip_result sclip__vocab_tokens(sclip_context *c, const sclip_vocab *v, const char *const *templates, int n_templates,
                                        int32_t *ids) {
    const sclip_model *m = c->model;
    int ctx = m->arch.context_length, q, t;
    for (t = 0; t < n_templates; t++)
        for (q = 0; q < v->n_queries; q++) {
            char *prompt = NULL;
            sclip_result r = sclip__format_prompt(c, templates[t], v->names[q], &prompt);
            if (r != SCLIP_OK) return r;
            r = sclip_tokenizer_encode_context(m->tokenizer, prompt, strlen(prompt), ctx, 0,
                                               ids + ((size_t)t * v->n_queries + q) * ctx, NULL);
            sclip__free(prompt);
            if (r != SCLIP_OK)
                return sclip__ctx_fail(c, r, "classes: the prompts of class name '%.40s%s' %s", v->names[q],
                                       strlen(v->names[q]) > 40 ? "..." : "",
                                       r == SCLIP_ERROR_TEXT_TOO_LONG ? "do not fit the text context" : sclip_result_string(r));
        }
    return SCLIP_OK;
}

/* Encodes every prompt, then per name: normalise, average over templates, normalise. */
static sclip_result sclip__vocab_encode(sclip_context *c, sclip_vocab *v, const char *const *templates, int n_templates) {
    const sclip_model *m = c->model;
    int E = m->arch.embed_dim, ctx = m->arch.context_length, Q = v->n_queries, q, t, i, chunk = 8;
    size_t n = (size_t)Q * n_templates;
    int32_t *ids = (int32_t *)sclip__alloc(&c->allocator, n * ctx * sizeof(int32_t));
    float *emb = (float *)sclip__alloc(&c->allocator, n * E * sizeof(float));
    sclip_result r = !ids || !emb ? sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory") : SCLIP_OK;
    if (r == SCLIP_OK) r = sclip__vocab_tokens(c, v, templates, n_templates, ids);
    for (t = 0; r == SCLIP_OK && t < n_templates; t += chunk) { /* in chunks of templates, for progress */
        int nt = n_templates - t < chunk ? n_templates - t : chunk;
        r = sclip_encode_tokens(c, ids + (size_t)t * Q * ctx, nt * Q, emb + (size_t)t * Q * E);
        if (c->progress) c->progress(c->progress_user, "text", (t + nt) * Q, n_templates * Q);
    }
    for (q = 0; r == SCLIP_OK && q < Q; q++) {
        float *f = v->features + (size_t)q * E;
        for (t = 0; t < n_templates; t++) {
            float *e = emb + ((size_t)t * Q + q) * E;
            sclip__l2_normalize(e, E);
            for (i = 0; i < E; i++) f[i] += e[i];
        }
        for (i = 0; i < E; i++) f[i] /= (float)n_templates;
        sclip__l2_normalize(f, E);
    }
    sclip__free(ids);
    sclip__free(emb);
    return r;
}

/* Parses class-name text into a new vocabulary with zeroed features. */
static sclip_result sclip__vocab_parse(const sclip_allocator *a, const sclip_model *m, const char *classes, size_t len, sclip_vocab **out, char *err,
                                       size_t cap) {
    int n_classes = 0, n_queries = 0, *cls = NULL;
    size_t blob_size = 0;
    char *blob = NULL;
    sclip_vocab *v = NULL;
    sclip_result r = sclip__parse_classes(err, cap, classes, len, NULL, NULL, &n_classes, &n_queries, &blob_size);
    if (r == SCLIP_OK) {
        blob = (char *)sclip__alloc(a, blob_size);
        cls = (int *)sclip__alloc(a, (size_t)n_queries * sizeof(int));
        if (!blob || !cls) r = sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    if (r == SCLIP_OK) r = sclip__parse_classes(err, cap, classes, len, blob, cls, &n_classes, &n_queries, &blob_size);
    if (r == SCLIP_OK && !(v = sclip__vocab_new(a, n_queries, m->arch.embed_dim, blob, blob_size)))
        r = sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "out of memory");
    if (v) {
        memcpy(v->query_class, cls, (size_t)n_queries * sizeof(int));
        v->n_classes = n_classes;
        v->fingerprint = m->fingerprint;
    }
    sclip__free(blob);
    sclip__free(cls);
    *out = v;
    return r;
}

SCLIPDEF sclip_result sclip_vocab_create(sclip_context *c, const char *classes, size_t len, const char *const *templates,
                                         int n_templates, sclip_vocab **out) {
    sclip_vocab *v;
    sclip_result r;
    if (out) *out = NULL;
    if (!c || !out || (!classes && len)) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (!c->model->text.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its text tower");
    if (!c->model->tokenizer) return sclip__ctx_fail(c, SCLIP_ERROR_BAD_VOCAB, "the weight file has no merge list");
    if (!templates) templates = sclip_default_templates(&n_templates);
    if (n_templates < 1 || n_templates > 100000) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "templates: %d templates", n_templates);
    if ((r = sclip__vocab_parse(&c->allocator, c->model, classes, len, &v, c->err, sizeof c->err)) == SCLIP_OK) {
        v->precision = (int)c->model->precision;
        r = sclip__vocab_encode(c, v, templates, n_templates);
    }
    if (r != SCLIP_OK) sclip_vocab_free(v);
    else *out = v;
    return r;
}

SCLIPDEF sclip_result sclip_vocab_from_features(const sclip_model *m, const char *classes, size_t len, const float *features,
                                                int n_features, sclip_vocab **out, char *err, size_t cap) {
    sclip_vocab *v;
    sclip_result r;
    if (out) *out = NULL;
    if (!m || !out || !features || (!classes && len)) return SCLIP_ERROR_INVALID_ARGUMENT;
    if ((r = sclip__vocab_parse(&m->allocator, m, classes, len, &v, err, cap)) != SCLIP_OK) {
        sclip_vocab_free(v);
        return r;
    }
    if (n_features != v->n_queries) {
        sclip_vocab_free(v);
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_CLASSES, "classes: %d names but %d embeddings", v->n_queries, n_features);
    }
    memcpy(v->features, features, (size_t)n_features * v->embed_dim * sizeof(float));
    *out = v;
    return SCLIP_OK;
}

SCLIPDEF const char *sclip_precision_name(sclip_precision p) {
    static const char *const names[] = {"f32", "q8", "bf16", "q16"}; /* indexed by sclip_precision */
    return (int)p >= 0 && (int)p < 4 ? names[p] : "unknown";
}

/* ---- vocabulary cache file ------------------------------------------------------------------
   offset 0 "SCLIPVC\0", 8 u32 version (2), 12 u32 embed_dim, 16 u32 classes, 20 u32 queries,
   24 u64 model fingerprint, 32 u32 names size, 36 u32 the sclip_precision of the text products
   that encoded it (version 1: the names size is a u64 and the precision unknown), then u32 class
   index per query, the names (NUL-terminated), zero padding to a multiple of 4, and queries x
   embed_dim f32. A cache encoded in float32 serves every precision; one encoded with reduced
   precision only a model of that precision (its embeddings are less exact). */
#define SCLIP__VOCAB_HEADER 40

static void sclip__put32(unsigned char *p, uint32_t v) {
    int i;
    for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

SCLIPDEF size_t sclip_vocab_save_size(const sclip_vocab *v) {
    return SCLIP__VOCAB_HEADER + 4 * (size_t)v->n_queries + (v->blob_size + 3) / 4 * 4 +
           (size_t)v->n_queries * v->embed_dim * 4;
}

/* Writes the cache into buf (sclip_vocab_save_size bytes). */
SCLIPDEF void sclip_vocab_save_memory(const sclip_vocab *v, void *buf) {
    unsigned char *p = (unsigned char *)buf, *names;
    size_t i, n = (size_t)v->n_queries * v->embed_dim;
    memset(p, 0, sclip_vocab_save_size(v));
    memcpy(p, "SCLIPVC\0", 8);
    sclip__put32(p + 8, 2);
    sclip__put32(p + 12, (uint32_t)v->embed_dim);
    sclip__put32(p + 16, (uint32_t)v->n_classes);
    sclip__put32(p + 20, (uint32_t)v->n_queries);
    sclip__put32(p + 24, (uint32_t)v->fingerprint);
    sclip__put32(p + 28, (uint32_t)(v->fingerprint >> 32));
    sclip__put32(p + 32, (uint32_t)v->blob_size);
    sclip__put32(p + 36, (uint32_t)v->precision);
    for (i = 0; i < (size_t)v->n_queries; i++) sclip__put32(p + SCLIP__VOCAB_HEADER + 4 * i, (uint32_t)v->query_class[i]);
    names = p + SCLIP__VOCAB_HEADER + 4 * (size_t)v->n_queries;
    memcpy(names, v->blob, v->blob_size);
    p = names + (v->blob_size + 3) / 4 * 4;
    for (i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v->features[i], 4);
        sclip__put32(p + 4 * i, u);
    }
}

/* Reads a cache; every count and size is checked. model (may be NULL) must be the model the
   cache was made with. */
SCLIPDEF sclip_result sclip_vocab_load_memory(const void *buf, size_t size, const sclip_model *model, sclip_vocab **out,
                                              char *err, size_t cap) {
    const unsigned char *p = (const unsigned char *)buf;
    uint32_t E, C, Q, i, version, precision;
    uint64_t blob_size, fp, need;
    const unsigned char *names, *feat;
    sclip_vocab *v;
    size_t nul = 0, k;
    if (out) *out = NULL;
    if (!out || (!buf && size)) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (size < SCLIP__VOCAB_HEADER || memcmp(p, "SCLIPVC\0", 8) != 0)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: not a vocabulary cache file");
    version = sclip__u32(p + 8);
    if (version != 1 && version != 2)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: unknown version %u", version);
    E = sclip__u32(p + 12);
    C = sclip__u32(p + 16);
    Q = sclip__u32(p + 20);
    fp = sclip__u64(p + 24);
    blob_size = version == 1 ? sclip__u64(p + 32) : sclip__u32(p + 32);
    precision = version == 1 ? (uint32_t)SCLIP_PRECISION_F32 : sclip__u32(p + 36);
    if (precision > SCLIP_PRECISION_Q16)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: unknown precision %u", precision);
    if (E < 1 || E > 8192 || Q < 1 || Q > SCLIP_MAX_CLASSES || C < 1 || C > Q || blob_size > ((uint64_t)1 << 30))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: bad counts (%u classes, %u names, size %u)", C, Q, E);
    need = SCLIP__VOCAB_HEADER + 4 * (uint64_t)Q + (blob_size + 3) / 4 * 4 + (uint64_t)Q * E * 4;
    if (need != size)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: file is %llu bytes, expected %llu",
                           (unsigned long long)size, (unsigned long long)need);
    if (model && (fp != model->fingerprint || (int)E != model->arch.embed_dim))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: the cache was made with another model");
    if (model && precision != SCLIP_PRECISION_F32 && precision != (uint32_t)model->precision)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE,
                           "vocabulary: the cache was encoded with %s products and this model runs %s: encode the classes "
                           "again (a cache encoded in f32 serves every precision)",
                           sclip_precision_name((sclip_precision)precision), sclip_precision_name(model->precision));
    names = p + SCLIP__VOCAB_HEADER + 4 * (size_t)Q;
    for (k = 0; k < blob_size; k++) nul += names[k] == 0;
    if (nul != Q || (blob_size && names[blob_size - 1] != 0))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: the names are malformed");
    v = sclip__vocab_new(model ? &model->allocator : NULL, (int)Q, (int)E, (const char *)names, (size_t)blob_size);
    if (!v) return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "vocabulary: out of memory");
    v->n_classes = (int)C;
    v->fingerprint = fp;
    v->precision = (int)precision;
    for (i = 0; i < Q; i++) {
        uint32_t cl = sclip__u32(p + SCLIP__VOCAB_HEADER + 4 * (size_t)i);
        if (cl >= C || (i > 0 && cl < (uint32_t)v->query_class[i - 1]) || (cl > (i ? (uint32_t)v->query_class[i - 1] + 1 : 0u))) {
            sclip_vocab_free(v);
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: bad class index %u for name %u", cl, i);
        }
        v->query_class[i] = (int)cl;
    }
    if (v->query_class[Q - 1] != (int)C - 1) {
        sclip_vocab_free(v);
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: a class has no name");
    }
    feat = names + (blob_size + 3) / 4 * 4;
    for (k = 0; k < (size_t)Q * E; k++) {
        v->features[k] = sclip__f32(feat + 4 * k);
        if (!(v->features[k] >= -2.0f && v->features[k] <= 2.0f)) {
            sclip_vocab_free(v);
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_VOCAB_CACHE, "vocabulary: embedding value out of range");
        }
    }
    *out = v;
    return SCLIP_OK;
}

#ifndef SCLIP_NO_STDIO
SCLIPDEF sclip_result sclip_vocab_save(const sclip_vocab *v, const char *path) {
    size_t n;
    void *buf;
    FILE *f;
    int ok;
    if (!v || !path) return SCLIP_ERROR_INVALID_ARGUMENT;
    n = sclip_vocab_save_size(v);
    buf = sclip__alloc(&v->allocator, n);
    if (!buf) return SCLIP_ERROR_OUT_OF_MEMORY;
    sclip_vocab_save_memory(v, buf);
    f = fopen(path, "wb");
    ok = f && fwrite(buf, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    sclip__free(buf);
    return ok ? SCLIP_OK : SCLIP_ERROR_IO;
}

SCLIPDEF sclip_result sclip_vocab_load(const char *path, const sclip_model *model, sclip_vocab **out, char *err, size_t cap) {
    FILE *f;
    long n;
    unsigned char *buf;
    sclip_result r;
    if (out) *out = NULL;
    if (!path || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    f = fopen(path, "rb");
    if (!f) return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot open %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 || n > (1L << 30)) {
        fclose(f);
        return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot read %s", path);
    }
    buf = (unsigned char *)sclip__alloc(model ? &model->allocator : NULL, (size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        sclip__free(buf);
        return sclip__fail(err, cap, SCLIP_ERROR_IO, "vocabulary: cannot read %s", path);
    }
    fclose(f);
    r = sclip_vocab_load_memory(buf, (size_t)n, model, out, err, cap);
    sclip__free(buf);
    return r;
}
#endif

/* ============================================================================================
   Segmentation (manual section 4): sclip_segment, the pipeline around the model
   ============================================================================================ */
/* What the windows produce, at the original size H0 x W0: logits (Q planes) when PAMR follows;
   otherwise probs (C planes) and their argmax over the classes (best, bv). */
typedef struct sclip__seg_out {
    float *logits, *probs, *bv;
    int *best;
    uint16_t *labels; /* labels only (no probabilities kept): the final labels, made band by band */
    float area_thd, prob_thd;
    int (*probs_band)(void *, int, int, int, int, const float *, size_t); /* labels only, or NULL */
    void *probs_user;
    int H0, W0;
    int renorm; /* ResCLIP: the probabilities renormalised over the classes */
} sclip__seg_out;

/* The steps of sclip_segment, in the order it takes them (defined below): */
static sclip_seg_desc sclip__seg_defaults(const sclip_seg_desc *d); /* every default filled in */
static sclip_result sclip__seg_check(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int w, int h, size_t stride,
                                     const sclip_seg_desc *d); /* arguments against the model */
static sclip_result sclip__method_check(sclip_context *c, const sclip_method_desc *md, int gh, int gw);
/* 1. keep-ratio resize, exactly as OpenCV's cv2.resize(INTER_LINEAR) */
static int sclip__resize_rgb8(const sclip_allocator *a, const unsigned char *src, int w0, int h0, size_t src_stride, unsigned char *dst,
                              int w1, int h1, size_t dst_stride);
/* 2. the model on the whole image, or on sliding windows; patch logits to the original size */
static sclip_result sclip__seg_whole(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W1, int H1,
                                     const sclip_seg_desc *d, const sclip__seg_out *o);
static sclip_result sclip__seg_slide(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W1, int H1,
                                     const sclip_seg_desc *d, const sclip__seg_out *o);
/* 3. PAMR refines the logits */
static sclip_result sclip__seg_pamr(sclip_context *c, const uint8_t *rgb1, int W1, int H1, int W0, int H0, float *logits, int Q,
                                    int steps);
/* 4. post-processing: softmax, synonyms to classes, area filter, threshold, argmax */
static int sclip__postprocess_on(sclip_context *ctx, float *logits, int Q, int H, int W, const int *qcls, int C,
                                 float logit_scale, float area_thd, float prob_thd, float *probs, unsigned char *pred8,
                                 int *pred32);
static int sclip__post_finish(sclip_context *ctx, float *probs, size_t hw, int C, float area_thd, float prob_thd,
                              const int *best, const float *bv, unsigned char *pred8, int *pred32);
static void sclip__renorm_classes(float *probs, size_t plane, int C, size_t n); /* ResCLIP */
SCLIPDEF sclip_result sclip_segment(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W0, int H0, size_t stride,
                                    const sclip_seg_desc *desc, sclip_seg_result *out) {
    sclip_seg_desc d;
    int W1 = 0, H1 = 0, Q, C, *pred = NULL, labels_only;
    size_t p, hw0;
    uint8_t *rgb1 = NULL;
    float *logits = NULL, *probs = NULL, *bv = NULL;
    sclip__seg_out o;
    sclip_result r;
    if (out) memset(out, 0, sizeof *out);
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    d = sclip__seg_defaults(desc);
    if ((r = sclip__seg_check(c, v, rgb, W0, H0, stride, &d)) != SCLIP_OK) return r;
    if (d.method.kind == SCLIP_METHOD_RESCLIP) d.area_thd = 0; /* no effect in ResCLIP's code (manual section 10) */
    labels_only = (d.no_probs || d.probs_band) && d.pamr_steps == 0; /* memory independent of classes x pixels */
    Q = v->n_queries;
    C = v->n_classes;
    hw0 = (size_t)W0 * H0;
    if (sclip_resize_size(W0, H0, d.short_side == SCLIP_SEG_KEEP ? 0 : d.short_side, d.max_long_side, &W1, &H1) != SCLIP_OK ||
        W1 > SCLIP_MAX_IMAGE_SIDE || H1 > SCLIP_MAX_IMAGE_SIDE || (double)W1 * H1 > SCLIP_MAX_IMAGE_PIXELS)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_LARGE,
                               "segment: the image resized for short_side %d (%dx%d) exceeds the towers' limit (side %d, %d "
                               "pixels): lower short_side (sclip-seg --short-side)",
                               d.short_side, W1, H1, SCLIP_MAX_IMAGE_SIDE, SCLIP_MAX_IMAGE_PIXELS);
    if (W1 < c->model->arch.patch_size || H1 < c->model->arch.patch_size)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_SMALL, "segment: the resized image (%dx%d) is smaller than one patch", W1, H1);
    rgb1 = (uint8_t *)sclip__alloc(&c->allocator, (size_t)W1 * H1 * 3);
    out->labels = (uint16_t *)sclip__alloc_array(&c->allocator, hw0, sizeof(uint16_t));
    if (!rgb1 || !out->labels) r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    else if (!labels_only) { /* the classes x pixels probabilities are kept (returned, or refined by PAMR) */
        if (d.pamr_steps > 0) logits = (float *)sclip__alloc_array(&c->allocator, (size_t)Q * hw0, sizeof(float)); /* PAMR refines them whole */
        else bv = (float *)sclip__alloc_array(&c->allocator, hw0, sizeof(float));
        probs = (float *)sclip__alloc_array(&c->allocator, (size_t)C * hw0, sizeof(float));
        pred = (int *)sclip__alloc_array(&c->allocator, hw0, sizeof(int));
        if ((d.pamr_steps > 0 ? !logits : !bv) || !probs || !pred)
            r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY,
                                "segment: out of memory for %s of %d x %dx%d floats (%.1f GB); without them (no_probs, no PAMR) "
                                "the memory does not grow with the classes",
                                d.pamr_steps > 0 ? "PAMR's logits" : "the probabilities", d.pamr_steps > 0 ? Q : C, W0, H0,
                                (double)(d.pamr_steps > 0 ? Q : C) * (double)hw0 * 4e-9);
    }
    if (r == SCLIP_OK && sclip__resize_rgb8(&c->allocator, rgb, W0, H0, stride, rgb1, W1, H1, (size_t)W1 * 3) != 0)
        r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: resize failed");
    o.logits = logits, o.probs = probs, o.bv = bv, o.best = logits ? NULL : pred, o.H0 = H0, o.W0 = W0;
    o.labels = labels_only ? out->labels : NULL, o.area_thd = d.area_thd, o.prob_thd = d.prob_thd;
    o.probs_band = labels_only ? d.probs_band : NULL, o.probs_user = d.probs_user;
    o.renorm = d.method.kind == SCLIP_METHOD_RESCLIP;
    if (r == SCLIP_OK)
        r = d.crop == SCLIP_SEG_WHOLE ? sclip__seg_whole(c, v, rgb1, W1, H1, &d, &o) : sclip__seg_slide(c, v, rgb1, W1, H1, &d, &o);
    if (r == SCLIP_OK && logits) r = sclip__seg_pamr(c, rgb1, W1, H1, W0, H0, logits, Q, d.pamr_steps);
    if (r == SCLIP_OK && !labels_only &&
        (logits ? sclip__postprocess_on(c, logits, Q, H0, W0, v->query_class, C, d.logit_scale, d.area_thd, d.prob_thd, probs,
                                        NULL, pred)
                : sclip__post_finish(c, probs, hw0, C, d.area_thd, d.prob_thd, pred, bv, NULL, pred)))
        r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory in post-processing");
    if (r == SCLIP_OK && !labels_only && o.renorm) sclip__renorm_classes(probs, hw0, C, hw0);
    if (r == SCLIP_OK && !labels_only && d.probs_band && d.probs_band(d.probs_user, 0, H0, W0, C, probs, hw0))
        r = sclip__ctx_fail(c, SCLIP_ERROR_IO, "segment: the probs_band callback stopped it");
    if (r == SCLIP_OK) {
        for (p = 0; pred && p < hw0; p++) out->labels[p] = (uint16_t)pred[p];
        out->width = W0;
        out->height = H0;
        out->n_classes = C;
        if (!d.no_probs && !d.probs_band) out->probs = probs, probs = NULL;
    } else
        sclip_seg_result_free(out);
    sclip__free(rgb1);
    sclip__free(logits);
    sclip__free(bv);
    sclip__free(probs);
    sclip__free(pred);
    return r;
}

/* ============================================================================================
   Segmentation, its steps (manual section 4): keep-ratio size, OpenCV-exact
   8-bit bilinear resize, normalisation, sliding windows, bilinear upsampling of patch logits with
   window averaging, post-processing (softmax, synonyms, area filter, thresholds) and PAMR.
   Everything here is private (sclip__*), C99, and allocates with sclip__alloc_array / sclip__free.
   Functions returning int give 0 on success, -1 (SCLIP_ERROR_INVALID_ARGUMENT) for bad arguments,
   -2 (SCLIP_ERROR_OUT_OF_MEMORY) when an allocation fails.
   ============================================================================================ */
/* restrict (C99) / __restrict (C++): lets GCC -O2 vectorise the inner loops without alias checks */
#ifndef SCLIP__RESTRICT
#if defined(__cplusplus) || defined(_MSC_VER)
#define SCLIP__RESTRICT __restrict
#else
#define SCLIP__RESTRICT restrict
#endif
#endif

/* Row kernels use AVX-512 or AVX2 when the compiler targets them (SCLIP_NO_SIMD turns this off);
   the scalar loops are always built (remainders, other targets) and give identical results:
   the vector code does the same float operations in the same order (no FMA). */
#if !defined(SCLIP_NO_SIMD) && defined(__AVX512F__)
#include <immintrin.h>
#define SCLIP__VW 16
#define SCLIP__VF __m512
#define SCLIP__VI __m512i
#define SCLIP__VLOAD(p) _mm512_loadu_ps(p)
#define SCLIP__VSTORE(p, v) _mm512_storeu_ps(p, v)
#define SCLIP__VSET(x) _mm512_set1_ps(x)
#define SCLIP__VADD(a, b) _mm512_add_ps(a, b)
#define SCLIP__VSUB(a, b) _mm512_sub_ps(a, b)
#define SCLIP__VMUL(a, b) _mm512_mul_ps(a, b)
#define SCLIP__VDIV(a, b) _mm512_div_ps(a, b)
/* masked forms: the plain ones trip GCC 12's -Wmaybe-uninitialized in C++ (_mm512_undefined) */
#define SCLIP__VMAX(a, b) _mm512_mask_max_ps(a, (__mmask16)0xffff, a, b)
#define SCLIP__VMIN(a, b) _mm512_mask_min_ps(a, (__mmask16)0xffff, a, b)
#define SCLIP__VTRUNC(a) _mm512_mask_cvttps_epi32(_mm512_setzero_si512(), (__mmask16)0xffff, a)
#define SCLIP__VITOF(a) _mm512_mask_cvtepi32_ps(_mm512_setzero_ps(), (__mmask16)0xffff, a)
#define SCLIP__VPOW2(n) \
    _mm512_castsi512_ps(_mm512_mask_slli_epi32(_mm512_setzero_si512(), (__mmask16)0xffff, \
                                               _mm512_add_epi32(n, _mm512_set1_epi32(127)), 23))
#elif !defined(SCLIP_NO_SIMD) && defined(__AVX2__)
#include <immintrin.h>
#define SCLIP__VW 8
#define SCLIP__VF __m256
#define SCLIP__VI __m256i
#define SCLIP__VLOAD(p) _mm256_loadu_ps(p)
#define SCLIP__VSTORE(p, v) _mm256_storeu_ps(p, v)
#define SCLIP__VSET(x) _mm256_set1_ps(x)
#define SCLIP__VADD(a, b) _mm256_add_ps(a, b)
#define SCLIP__VSUB(a, b) _mm256_sub_ps(a, b)
#define SCLIP__VMUL(a, b) _mm256_mul_ps(a, b)
#define SCLIP__VDIV(a, b) _mm256_div_ps(a, b)
#define SCLIP__VMAX(a, b) _mm256_max_ps(a, b)
#define SCLIP__VMIN(a, b) _mm256_min_ps(a, b)
#define SCLIP__VTRUNC(a) _mm256_cvttps_epi32(a)
#define SCLIP__VITOF(a) _mm256_cvtepi32_ps(a)
#define SCLIP__VPOW2(n) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23))
#else
#define SCLIP__VW 0
#endif

#define SCLIP__SEG_EINVAL (-1)
#define SCLIP__SEG_ENOMEM (-2)
#define SCLIP__SEG_ECALLBACK (-3) /* sclip_seg_desc.probs_band returned non-zero */

/* ---- 1. keep-ratio rescale size (mmcv rescale_size with scale = (max_long, short_side)) ----- */

/* f = min(max(L,S)/max(h,w), min(L,S)/min(h,w)) in double; new side = int(side*f + 0.5).
   short_side 0 keeps the size. Returns -1 when a side would be < 1 or > INT_MAX/4. */
static int sclip__resize_size(int h0, int w0, int short_side, int max_long, int *h1, int *w1) {
    double lo, hi, f, nh, nw;
    if (h0 < 1 || w0 < 1 || short_side < 0 || max_long < 1 || !h1 || !w1) return SCLIP__SEG_EINVAL;
    if (short_side == 0) {
        *h1 = h0;
        *w1 = w0;
        return 0;
    }
    hi = (double)(max_long > short_side ? max_long : short_side);
    lo = (double)(max_long > short_side ? short_side : max_long);
    f = hi / (double)(h0 > w0 ? h0 : w0);
    if (lo / (double)(h0 < w0 ? h0 : w0) < f) f = lo / (double)(h0 < w0 ? h0 : w0);
    nh = (double)h0 * f + 0.5;
    nw = (double)w0 * f + 0.5;
    if (nh < 1.0 || nw < 1.0 || nh > 536870911.0 || nw > 536870911.0) return SCLIP__SEG_EINVAL;
    *h1 = (int)nh;
    *w1 = (int)nw;
    return 0;
}

/* ---- 2. cv2.resize(INTER_LINEAR) on 8-bit 3-channel images, bit-exact with OpenCV 4.6 -------
   OpenCV 4.6 runs its legacy fixed-point path for INTER_LINEAR on CV_8U (not resize_bitExact,
   which only INTER_LINEAR_EXACT uses):
   - equal sizes: a copy;
   - exactly 1/2 on both axes: INTER_AREA fast path, (a+b+c+d+2)>>2 per channel;
   - otherwise, per axis, f = (float)((d+0.5)*scale - 0.5) with scale = 1/(dst/src) in double,
     s = floor(f), f -= s, weights round_half_even((1-f)*2048), round_half_even(f*2048) (float);
     columns outside the image are clamped with weight (2048, 0); rows keep their weights but
     the two source rows are clamped. Horizontal pass: D = S[s]*a0 + S[s+1]*a1 (int).
     Vertical pass: ((b0*(D0>>4))>>16 + (b1*(D1>>4))>>16 + 2) >> 2 on EVERY element. The scalar
     formula (D0*b0 + D1*b1 + 2^21) >> 22 (1 LSB higher in places) never appears in the output
     of OpenCV 4.6 on x86-64: checked against cv2 4.6.0 on thousands of random sizes, 1-pixel
     images and widths not a multiple of 8 included (tools/gen_seg_refs.py --fuzz-resize). */

/* cvRound of a non-negative float (round half to even), exact. */
static int sclip__round_half_even(float x) {
    float r = (float)floor((double)x), d = x - r;
    int i = (int)r;
    if (d > 0.5f || (d == 0.5f && (i & 1))) i++;
    return i;
}

/* Per output coordinate: first source index, second source index, two 11-bit weights.
   clamp_w: columns outside the source get weight (2048, 0) on the border sample (OpenCV's x
   rule); otherwise (rows) the weights stay and only the indices are clamped. */
static void sclip__cv_linear_coefs(int src, int dst, int clamp_w, int *i0, int *i1, short *c0, short *c1) {
    double scale = 1.0 / ((double)dst / (double)src);
    int d;
    for (d = 0; d < dst; d++) {
        float f = (float)(((double)d + 0.5) * scale - 0.5);
        int s = (int)floor((double)f);
        f -= (float)s;
        if (clamp_w) {
            if (s < 0) s = 0, f = 0.f;
            if (s >= src - 1) s = src - 1, f = 0.f;
        }
        c0[d] = (short)sclip__round_half_even((1.f - f) * 2048.f);
        c1[d] = (short)sclip__round_half_even(f * 2048.f);
        i0[d] = s < 0 ? 0 : (s > src - 1 ? src - 1 : s);
        i1[d] = s + 1 < 0 ? 0 : (s + 1 > src - 1 ? src - 1 : s + 1);
    }
}

/* Horizontal pass of one source row (3 channels) into int D[3*w1]. */
static void sclip__cv_hrow(const unsigned char *s, int w1, const int *x0, const int *x1, const short *a0,
                           const short *a1, int *d) {
    int x, k;
    for (x = 0; x < w1; x++) {
        const unsigned char *p = s + 3 * x0[x], *q = s + 3 * x1[x];
        for (k = 0; k < 3; k++) d[3 * x + k] = (int)p[k] * a0[x] + (int)q[k] * a1[x];
    }
}

/* Vertical pass of one output row, OpenCV's SIMD formula on every element (Q15 products of
   D >> 4 with the 11-bit weights, then a rounding shift by 2). */
static void sclip__cv_vrow(const int *d0, const int *d1, int b0, int b1, int n, unsigned char *out) {
    int x;
    for (x = 0; x < n; x++) {
        int v = (((b0 * (d0[x] >> 4)) >> 16) + ((b1 * (d1[x] >> 4)) >> 16) + 2) >> 2;
        out[x] = (unsigned char)(v > 255 ? 255 : v);
    }
}

/* Exact 1/2 on both axes: OpenCV's INTER_AREA fast path, rounded (sum + 2) >> 2. */
static void sclip__cv_area2(const unsigned char *src, size_t ss, unsigned char *dst, int w1, int h1, size_t ds) {
    int x, y, k;
    for (y = 0; y < h1; y++) {
        const unsigned char *a = src + (size_t)(2 * y) * ss, *b = a + ss;
        unsigned char *o = dst + (size_t)y * ds;
        for (x = 0; x < w1; x++)
            for (k = 0; k < 3; k++)
                o[3 * x + k] = (unsigned char)((a[6 * x + k] + a[6 * x + 3 + k] + b[6 * x + k] + b[6 * x + 3 + k] + 2) >> 2);
    }
}

/* Resizes interleaved 8-bit RGB (w0 x h0, row stride src_stride bytes) to w1 x h1, exactly as
   OpenCV 4.6 cv2.resize(INTER_LINEAR). Allocates about (3*w1*2 + 4*(w1+h1)) ints. */
static int sclip__resize_rgb8(const sclip_allocator *a, const unsigned char *src, int w0, int h0, size_t src_stride, unsigned char *dst,
                              int w1, int h1, size_t dst_stride) {
    int *xi0, *xi1, *yi0, *yi1, *rows, *r0, *r1, have0 = -1, have1 = -1, y;
    short *xa0, *xa1, *yb0, *yb1;
    size_t n3 = (size_t)w1 * 3;
    double sx, sy;
    if (!src || !dst || w0 < 1 || h0 < 1 || w1 < 1 || h1 < 1 || src_stride < (size_t)w0 * 3 ||
        dst_stride < n3)
        return SCLIP__SEG_EINVAL;
    if (w0 == w1 && h0 == h1) {
        for (y = 0; y < h1; y++) memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride, n3);
        return 0;
    }
    sx = 1.0 / ((double)w1 / w0);
    sy = 1.0 / ((double)h1 / h0);
    if (fabs(sx - 2.0) < DBL_EPSILON && fabs(sy - 2.0) < DBL_EPSILON && 2 * w1 <= w0 && 2 * h1 <= h0) {
        sclip__cv_area2(src, src_stride, dst, w1, h1, dst_stride);
        return 0;
    }
    xi0 = (int *)sclip__alloc_array(a, (size_t)(w1 + h1) * 2 + n3 * 2, sizeof(int));
    xa0 = (short *)sclip__alloc_array(a, (size_t)(w1 + h1) * 2, sizeof(short));
    if (!xi0 || !xa0) {
        sclip__free(xi0);
        sclip__free(xa0);
        return SCLIP__SEG_ENOMEM;
    }
    xi1 = xi0 + w1, yi0 = xi1 + w1, yi1 = yi0 + h1, rows = yi1 + h1;
    xa1 = xa0 + w1, yb0 = xa1 + w1, yb1 = yb0 + h1;
    sclip__cv_linear_coefs(w0, w1, 1, xi0, xi1, xa0, xa1);
    sclip__cv_linear_coefs(h0, h1, 0, yi0, yi1, yb0, yb1);
    r0 = rows, r1 = rows + n3;
    for (y = 0; y < h1; y++) {
        /* two source rows, reusing the horizontal passes already done */
        if (yi0[y] != have0) {
            if (yi0[y] == have1) {
                int *t = r0;
                r0 = r1, r1 = t, have0 = have1, have1 = -1;
            } else {
                sclip__cv_hrow(src + (size_t)yi0[y] * src_stride, w1, xi0, xi1, xa0, xa1, r0);
                have0 = yi0[y];
            }
        }
        if (yi1[y] != have1) {
            sclip__cv_hrow(src + (size_t)yi1[y] * src_stride, w1, xi0, xi1, xa0, xa1, r1);
            have1 = yi1[y];
        }
        sclip__cv_vrow(r0, r1, yb0[y], yb1[y], (int)n3, dst + (size_t)y * dst_stride);
    }
    sclip__free(xi0);
    sclip__free(xa0);
    return 0;
}

/* ---- 3. normalisation (mmseg SegDataPreProcessor with CLIP's constants x255, 3 decimals) --- */

/* chw (3, h, w) = (rgb[y1.., x1..] - mean_c) / std_c in float, from interleaved RGB with a row
   stride in bytes. */
static void sclip__normalize_crop(const unsigned char *rgb, size_t stride, int x1, int y1, int w, int h,
                                  float *chw) {
    static const float mean[3] = {122.771f, 116.746f, 104.094f}, sd[3] = {68.501f, 66.632f, 70.323f};
    int c, x, y;
    for (c = 0; c < 3; c++)
        for (y = 0; y < h; y++) {
            const unsigned char *s = rgb + (size_t)(y1 + y) * stride + (size_t)x1 * 3 + c;
            float *o = chw + ((size_t)c * h + y) * w;
            for (x = 0; x < w; x++) o[x] = ((float)s[3 * x] - mean[c]) / sd[c];
        }
}

/* ---- 4. sliding windows (forward_slide): crop x crop at the given stride, last window snapped to
   the border; an axis shorter than crop is one whole-axis window; crop 0 = one whole-image window. */

static int sclip__window_axis_count(int n, int crop, int stride) {
    if (crop <= 0) return 1;
    return (n - crop + stride - 1 > 0 ? (n - crop + stride - 1) / stride : 0) + 1;
}

/* Start and length of window i along an axis of n pixels. */
static void sclip__window_axis(int n, int crop, int stride, int i, int *start, int *len) {
    int a, b;
    if (crop <= 0) {
        *start = 0, *len = n;
        return;
    }
    a = i * stride;
    b = a + crop < n ? a + crop : n;
    a = b - crop > 0 ? b - crop : 0;
    *start = a, *len = b - a;
}

/* Number of windows (n_h * n_w), 0 for bad arguments. */
static int sclip__window_count(int h, int w, int crop, int stride) {
    if (h < 1 || w < 1 || crop < 0 || (crop > 0 && stride < 1)) return 0;
    return sclip__window_axis_count(h, crop, stride) * sclip__window_axis_count(w, crop, stride);
}

/* Fills boxes[4*k..] = {y1, x1, h, w} for window k, rows outer, columns inner (the official loop
   order, which is also the accumulation order). Returns the count (0 for bad arguments). */
static int sclip__windows(int h, int w, int crop, int stride, int *boxes) {
    int nh, nw, i, j, k = 0;
    if (!sclip__window_count(h, w, crop, stride)) return 0;
    nh = sclip__window_axis_count(h, crop, stride);
    nw = sclip__window_axis_count(w, crop, stride);
    for (i = 0; i < nh; i++)
        for (j = 0; j < nw; j++, k++) {
            sclip__window_axis(h, crop, stride, i, &boxes[4 * k + 0], &boxes[4 * k + 2]);
            sclip__window_axis(w, crop, stride, j, &boxes[4 * k + 1], &boxes[4 * k + 3]);
        }
    return k;
}

/* ---- 5. bilinear resampling, PyTorch F.interpolate(mode='bilinear', align_corners=False) ------
   Per axis (aten upsample_bilinear2d, CPU, float): scale = (float)in / (float)out;
   src = (float)(scale*(d+0.5) - 0.5) (double product, then float), clamped below at 0;
   i0 = (int)src, i1 = i0 + (i0 < in-1), l1 = src - i0, l0 = 1 - l1.
   Output = (x00*l0x + x01*l1x)*l0y + (x10*l0x + x11*l1x)*l1y, the order PyTorch evaluates. */

/* o = t0*a + t1*b, or o += t0*a + t1*b. */
static void sclip__lerp_rows(float *SCLIP__RESTRICT o, const float *SCLIP__RESTRICT t0, const float *SCLIP__RESTRICT t1,
                             float a, float b, int n, int accumulate) {
    int x = 0;
#if SCLIP__VW
    SCLIP__VF va = SCLIP__VSET(a), vb = SCLIP__VSET(b);
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) {
        SCLIP__VF v = SCLIP__VADD(SCLIP__VMUL(SCLIP__VLOAD(t0 + x), va), SCLIP__VMUL(SCLIP__VLOAD(t1 + x), vb));
        SCLIP__VSTORE(o + x, accumulate ? SCLIP__VADD(SCLIP__VLOAD(o + x), v) : v);
    }
#endif
    if (accumulate)
        for (; x < n; x++) o[x] += t0[x] * a + t1[x] * b;
    else
        for (; x < n; x++) o[x] = t0[x] * a + t1[x] * b;
}

static void sclip__lerp_table(int in, int out, int *i0, int *i1, float *l0, float *l1) {
    float scale = (float)in / (float)out;
    int d;
    for (d = 0; d < out; d++) {
        float s = (float)((double)scale * ((double)d + 0.5) - 0.5);
        int i;
        if (s < 0.f) s = 0.f;
        i = (int)s;
        i0[d] = i;
        i1[d] = i + (i < in - 1 ? 1 : 0);
        l1[d] = s - (float)i;
        l0[d] = 1.f - l1[d];
    }
}

/* The pipeline's per-pixel and per-channel steps run on the context's threads: each part takes
   a contiguous range of pixels or channels, so the results do not depend on the thread count. */
#define SCLIP__SEG_PARTS 16 /* at most this many parts per step (they are memory-bound) */

/* fn(arg, 0..parts-1) on the context's threads, or in turn without a context. */
static void sclip__seg_run(sclip_context *c, void (*fn)(void *, int), void *arg, int parts) {
    int i;
    if (c) sclip__parallel(c, fn, arg, parts);
    else
        for (i = 0; i < parts; i++) fn(arg, i);
}

static int sclip__seg_parts(sclip_context *c, size_t items) {
    int n = c ? c->n_threads : 1;
    n = n < SCLIP__SEG_PARTS ? n : SCLIP__SEG_PARTS;
    return (size_t)n < items ? n : (int)(items ? items : 1);
}

/* Interpolation tables of a bilinear resize from hin x win to hout x wout. */
typedef struct sclip__lerp2 {
    int *xi0, *xi1, *yi0, *yi1;
    float *xl0, *xl1, *yl0, *yl1;
    int hin, win, hout, wout;
} sclip__lerp2;

static void sclip__lerp2_free(sclip__lerp2 *t) {
    sclip__free(t->xi0);
    sclip__free(t->xl0);
}

static int sclip__lerp2_init(const sclip_allocator *a, sclip__lerp2 *t, int hin, int win, int hout, int wout) {
    t->hin = hin, t->win = win, t->hout = hout, t->wout = wout;
    t->xi0 = (int *)sclip__alloc_array(a, (size_t)(hout + wout) * 2, sizeof(int));
    t->xl0 = (float *)sclip__alloc_array(a, (size_t)(hout + wout) * 2, sizeof(float));
    if (!t->xi0 || !t->xl0) {
        sclip__lerp2_free(t);
        return SCLIP__SEG_ENOMEM;
    }
    t->xi1 = t->xi0 + wout, t->yi0 = t->xi1 + wout, t->yi1 = t->yi0 + hout;
    t->xl1 = t->xl0 + wout, t->yl0 = t->xl1 + wout, t->yl1 = t->yl0 + hout;
    sclip__lerp_table(win, wout, t->xi0, t->xi1, t->xl0, t->xl1);
    sclip__lerp_table(hin, hout, t->yi0, t->yi1, t->yl0, t->yl1);
    return 0;
}

/* Number of input rows that output rows [y0, y1) read (the tables are monotonic). */
static int sclip__lerp2_rows_in(const sclip__lerp2 *t, int y0, int y1) { return t->yi1[y1 - 1] - t->yi0[y0] + 1; }

/* Horizontal pass of one contiguous row: o[x] = r[xi0[x]] * xl0[x] + r[xi1[x]] * xl1[x]. With
   AVX-512, 16 outputs whose taps lie within 16 inputs (any upscale) take one load and two
   permutes instead of 32 scalar loads; the products and the sum are the same, so the bits too. */
static void sclip__lerp_cols(const sclip__lerp2 *t, const float *SCLIP__RESTRICT r, float *SCLIP__RESTRICT o) {
    int x = 0, W = t->wout;
#if SCLIP__VW == 16
    for (; x + 16 <= W; x += 16) {
        int base = t->xi0[x], left = t->win - base;
        __m512i b = _mm512_set1_epi32(base);
        __m512i i0 = _mm512_sub_epi32(_mm512_loadu_si512((const void *)(t->xi0 + x)), b);
        __m512i i1 = _mm512_sub_epi32(_mm512_loadu_si512((const void *)(t->xi1 + x)), b);
        __m512 v, a0, a1;
        if (_mm512_cmpgt_epi32_mask(i1, _mm512_set1_epi32(15))) break; /* a downscale: scalar below */
        v = _mm512_maskz_loadu_ps(left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1u), r + base);
        a0 = _mm512_maskz_permutexvar_ps((__mmask16)0xffff, i0, v); /* masked: g++ 12 -Wmaybe-uninitialized */
        a1 = _mm512_maskz_permutexvar_ps((__mmask16)0xffff, i1, v);
        _mm512_storeu_ps(o + x, _mm512_add_ps(_mm512_mul_ps(a0, _mm512_loadu_ps(t->xl0 + x)),
                                              _mm512_mul_ps(a1, _mm512_loadu_ps(t->xl1 + x))));
    }
#endif
    for (; x < W; x++) o[x] = r[t->xi0[x]] * t->xl0[x] + r[t->xi1[x]] * t->xl1[x];
}

/* Output rows [y0, y1) of one channel, row y at oc + (y - y0) * oys, from input rows that start
   at row0 (input row y at ic + (y - row0) * ys); tmp holds sclip__lerp2_rows_in(t, y0, y1) x
   wout floats. Horizontal pass over the input rows it needs (tmp[y][x] = v[i0]*l0 + v[i1]*l1),
   then the vertical pass on contiguous rows (vectorises). */
static void sclip__bilinear_rows(const sclip__lerp2 *t, const float *ic, ptrdiff_t ys, ptrdiff_t xs, int row0, float *oc,
                                 ptrdiff_t oys, int y0, int y1, int accumulate, float *tmp) {
    int r0 = t->yi0[y0], r1 = t->yi1[y1 - 1], x, y, W = t->wout;
    for (y = r0; y <= r1; y++) {
        const float *r = ic + (ptrdiff_t)(y - row0) * ys;
        float *o = tmp + (size_t)(y - r0) * W;
        if (xs == 1)
            sclip__lerp_cols(t, r, o);
        else
            for (x = 0; x < W; x++) o[x] = r[(ptrdiff_t)t->xi0[x] * xs] * t->xl0[x] + r[(ptrdiff_t)t->xi1[x] * xs] * t->xl1[x];
    }
    for (y = y0; y < y1; y++)
        sclip__lerp_rows(oc + (ptrdiff_t)(y - y0) * oys, tmp + (size_t)(t->yi0[y] - r0) * W, tmp + (size_t)(t->yi1[y] - r0) * W,
                         t->yl0[y], t->yl1[y], W, accumulate);
}

/* Resamples C channels from an input addressed as in[c*cs + y*ys + x*xs] (hin x win) to a planar
   output out[c*ocs + y*oys + x] (hout x wout); accumulate != 0 adds into out instead of storing.
   Token-major patch logits (N x Q) are cs = 1, ys = gw*Q, xs = Q. Allocates
   2*(hout+wout) ints and floats plus hin*wout floats. */
static int sclip__bilinear(const sclip_allocator *a, const float *in, int C, int hin, int win, ptrdiff_t cs, ptrdiff_t ys, ptrdiff_t xs,
                           float *out, int hout, int wout, ptrdiff_t ocs, ptrdiff_t oys, int accumulate) {
    sclip__lerp2 t;
    float *tmp;
    int c, ok;
    if (!in || !out || C < 1 || hin < 1 || win < 1 || hout < 1 || wout < 1) return SCLIP__SEG_EINVAL;
    if (sclip__lerp2_init(a, &t, hin, win, hout, wout)) return SCLIP__SEG_ENOMEM;
    tmp = (float *)sclip__alloc_array(a, (size_t)hin * wout, sizeof(float));
    ok = tmp != NULL;
    for (c = 0; ok && c < C; c++)
        sclip__bilinear_rows(&t, in + (ptrdiff_t)c * cs, ys, xs, 0, out + (ptrdiff_t)c * ocs, oys, 0, hout, accumulate, tmp);
    sclip__free(tmp);
    sclip__lerp2_free(&t);
    return ok ? 0 : SCLIP__SEG_ENOMEM;
}

static void sclip__div_row(float *SCLIP__RESTRICT p, const float *SCLIP__RESTRICT d, int n) {
    int x = 0;
#if SCLIP__VW
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) SCLIP__VSTORE(p + x, SCLIP__VDIV(SCLIP__VLOAD(p + x), SCLIP__VLOAD(d + x)));
#endif
    for (; x < n; x++) p[x] = p[x] / d[x];
}

static void sclip__mul_row(float *SCLIP__RESTRICT p, const float *SCLIP__RESTRICT r, int n) {
    int x = 0;
#if SCLIP__VW
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) SCLIP__VSTORE(p + x, SCLIP__VMUL(SCLIP__VLOAD(p + x), SCLIP__VLOAD(r + x)));
#endif
    for (; x < n; x++) p[x] = p[x] * r[x];
}

/* forward_slide's mean of the windows, (Q, H1, W1), made a few rows at a time instead of held
   whole: each window's patch logits (channel-major, q-th plane of window k at
   cos + (k*Q + q)*gh*gw) upsampled bilinearly to the window's h x w pixels (t: the table, the
   same for every window) and added in window order (the official summation order), then
   divided by the number of windows over the pixel, count = rows(y) * cols(x) as the windows
   form a grid.
   A row whose counts are all powers of two is multiplied by their inverses instead (the same
   result: both round the exact quotient), a third of the cost of dividing here. */
typedef struct sclip__slide_src {
    const float *cos;
    const int *boxes;   /* n x {y1, x1, h, w} (sclip__windows) */
    const int *cy, *cx; /* windows over each row, each column */
    const sclip__lerp2 *t; /* gh x gw -> h x w: t->hin x t->win patches per window */
    int n, Q, H1, W1;
    int cols_pow2;      /* every cx is a power of two */
} sclip__slide_src;

static int sclip__pow2(int v) { return v > 0 && (v & (v - 1)) == 0; }

/* Whether row y of the mean multiplies by the inverses of its counts (all powers of two). */
static int sclip__slide_inverse(const sclip__slide_src *s, int y) {
    return s->cols_pow2 && sclip__pow2(s->cy[y]);
}

/* Windows over each row and column (cy: H1 ints, cx: W1 ints). */
static void sclip__window_cover(int H1, int W1, int crop, int stride, int *cy, int *cx) {
    int nh = sclip__window_axis_count(H1, crop, stride), nw = sclip__window_axis_count(W1, crop, stride), i, x, y, s, len;
    memset(cy, 0, (size_t)H1 * sizeof(int));
    memset(cx, 0, (size_t)W1 * sizeof(int));
    for (i = 0; i < nh; i++) {
        sclip__window_axis(H1, crop, stride, i, &s, &len);
        for (y = s; y < s + len; y++) cy[y]++;
    }
    for (i = 0; i < nw; i++) {
        sclip__window_axis(W1, crop, stride, i, &s, &len);
        for (x = s; x < s + len; x++) cx[x]++;
    }
}

/* The source of n windows (boxes: room for 4n + H1 + W1 ints, the windows first; cos: their
   channel-major patch logits; t: the gh x gw -> window size table). */
static void sclip__slide_setup(sclip__slide_src *s, const float *cos, int *boxes, int n, int Q, int H1, int W1, int crop,
                               int stride, const sclip__lerp2 *t) {
    int x, *cy = boxes + 4 * n, *cx = cy + H1;
    sclip__window_cover(H1, W1, crop, stride, cy, cx);
    s->cos = cos, s->boxes = boxes, s->cy = cy, s->cx = cx, s->t = t;
    s->n = n, s->Q = Q, s->H1 = H1, s->W1 = W1;
    for (s->cols_pow2 = 1, x = 0; x < W1; x++) s->cols_pow2 &= sclip__pow2(cx[x]);
}

/* Whether every pixel is in some window (a stride above the crop can leave gaps). */
static int sclip__slide_covered(const sclip__slide_src *s) {
    int i;
    for (i = 0; i < s->H1; i++)
        if (!s->cy[i]) return 0;
    for (i = 0; i < s->W1; i++)
        if (!s->cx[i]) return 0;
    return 1;
}

/* The counts of rows [r0, r1] (W1 floats per row), shared by every channel: 1 / count on the
   rows that multiply (sclip__slide_src), count on the others. */
static void sclip__slide_counts(const sclip__slide_src *s, int r0, int r1, float *cnt) {
    int y, x;
    for (y = r0; y <= r1; y++) {
        int inv = sclip__slide_inverse(s, y);
        for (x = 0; x < s->W1; x++) {
            float c = (float)(s->cy[y] * s->cx[x]);
            cnt[(size_t)(y - r0) * s->W1 + x] = inv ? 1.0f / c : c;
        }
    }
}

/* Rows [r0, r1] of channel q of the mean into out (W1 floats per row). tmp: gh x w floats;
   cnt: sclip__slide_counts of the same rows. */
static void sclip__slide_rows(const sclip__slide_src *s, int q, int r0, int r1, float *out, float *tmp, const float *cnt) {
    int k, y, W1 = s->W1, gw = s->t->win;
    size_t plane = (size_t)s->t->hin * gw;
    memset(out, 0, (size_t)(r1 - r0 + 1) * W1 * sizeof(float));
    for (k = 0; k < s->n; k++) {
        const int *b = s->boxes + 4 * k;
        int y0 = r0 > b[0] ? r0 : b[0], y1 = r1 + 1 < b[0] + b[2] ? r1 + 1 : b[0] + b[2];
        if (y0 < y1)
            sclip__bilinear_rows(s->t, s->cos + ((size_t)k * s->Q + q) * plane, gw, 1, 0,
                                 out + (size_t)(y0 - r0) * W1 + b[1], W1, y0 - b[0], y1 - b[0], 1, tmp);
    }
    for (y = r0; y <= r1; y++) {
        float *o = out + (size_t)(y - r0) * W1;
        if (sclip__slide_inverse(s, y)) sclip__mul_row(o, cnt + (size_t)(y - r0) * W1, W1);
        else sclip__div_row(o, cnt + (size_t)(y - r0) * W1, W1);
    }
}

/* ---- 6. post-processing (postprocess_result) -------------------------------------------------- */

/* e^x for x <= 0 (softmax after subtracting the max), within 2 ulp; 0 below -87.3 (clamped).
   Written without floorf or branches so that GCC -O2 vectorises the loops calling it. */
static float sclip__seg_expf(float x) {
    float n, r, p, s;
    int b;
    x = x < -87.3f ? -87.3f : (x > 0.f ? 0.f : x);
    n = (float)(int)(x * 1.44269504f - 0.5f); /* round(x / ln2): truncation of a value <= 0 */
    r = x - n * 0.693145752f;                 /* ln2 split in two: exact reduction */
    r = r - n * 1.42860677e-6f;
    p = 1.f / 720 + r * (1.f / 5040);
    p = 1.f / 120 + r * p;
    p = 1.f / 24 + r * p;
    p = 1.f / 6 + r * p;
    p = 0.5f + r * p;
    p = 1.f + r * p;
    p = 1.f + r * p;
    b = ((int)n + 127) << 23; /* 2^n, n >= -126 */
    memcpy(&s, &b, 4);
    return p * s;
}

#if SCLIP__VW
/* sclip__seg_expf on a vector, the same operations in the same order. */
static SCLIP__VF sclip__seg_vexpf(SCLIP__VF x) {
    SCLIP__VF n, r, p;
    SCLIP__VI ni;
    x = SCLIP__VMIN(SCLIP__VMAX(x, SCLIP__VSET(-87.3f)), SCLIP__VSET(0.f));
    ni = SCLIP__VTRUNC(SCLIP__VSUB(SCLIP__VMUL(x, SCLIP__VSET(1.44269504f)), SCLIP__VSET(0.5f)));
    n = SCLIP__VITOF(ni);
    r = SCLIP__VSUB(x, SCLIP__VMUL(n, SCLIP__VSET(0.693145752f)));
    r = SCLIP__VSUB(r, SCLIP__VMUL(n, SCLIP__VSET(1.42860677e-6f)));
    p = SCLIP__VADD(SCLIP__VSET(1.f / 720), SCLIP__VMUL(r, SCLIP__VSET(1.f / 5040)));
    p = SCLIP__VADD(SCLIP__VSET(1.f / 120), SCLIP__VMUL(r, p));
    p = SCLIP__VADD(SCLIP__VSET(1.f / 24), SCLIP__VMUL(r, p));
    p = SCLIP__VADD(SCLIP__VSET(1.f / 6), SCLIP__VMUL(r, p));
    p = SCLIP__VADD(SCLIP__VSET(0.5f), SCLIP__VMUL(r, p));
    p = SCLIP__VADD(SCLIP__VSET(1.f), SCLIP__VMUL(r, p));
    p = SCLIP__VADD(SCLIP__VSET(1.f), SCLIP__VMUL(r, p));
    return SCLIP__VMUL(p, SCLIP__VPOW2(ni));
}
#endif

/* l *= scale; mx = max(mx, l) */
static void sclip__scale_max(float *SCLIP__RESTRICT l, float *SCLIP__RESTRICT mx, float scale, int n) {
    int x = 0;
#if SCLIP__VW
    SCLIP__VF vs = SCLIP__VSET(scale);
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) {
        SCLIP__VF v = SCLIP__VMUL(SCLIP__VLOAD(l + x), vs);
        SCLIP__VSTORE(l + x, v);
        SCLIP__VSTORE(mx + x, SCLIP__VMAX(SCLIP__VLOAD(mx + x), v));
    }
#endif
    for (; x < n; x++) {
        l[x] = l[x] * scale;
        mx[x] = l[x] > mx[x] ? l[x] : mx[x];
    }
}

/* l = exp(l - mx); sm += l */
static void sclip__exp_sum(float *SCLIP__RESTRICT l, const float *SCLIP__RESTRICT mx, float *SCLIP__RESTRICT sm, int n) {
    int x = 0;
#if SCLIP__VW
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) {
        SCLIP__VF v = sclip__seg_vexpf(SCLIP__VSUB(SCLIP__VLOAD(l + x), SCLIP__VLOAD(mx + x)));
        SCLIP__VSTORE(l + x, v);
        SCLIP__VSTORE(sm + x, SCLIP__VADD(SCLIP__VLOAD(sm + x), v));
    }
#endif
    for (; x < n; x++) {
        l[x] = sclip__seg_expf(l[x] - mx[x]);
        sm[x] += l[x];
    }
}

/* o = max(o, l) */
static void sclip__max_row(float *SCLIP__RESTRICT o, const float *SCLIP__RESTRICT l, size_t n) {
    size_t x = 0;
#if SCLIP__VW
    for (; x + SCLIP__VW <= n; x += SCLIP__VW) SCLIP__VSTORE(o + x, SCLIP__VMAX(SCLIP__VLOAD(o + x), SCLIP__VLOAD(l + x)));
#endif
    for (; x < n; x++) o[x] = l[x] > o[x] ? l[x] : o[x];
}

/* Running argmax over classes: strict > keeps the first index on ties (and skips NaN). */
static void sclip__argmax_update(const float *SCLIP__RESTRICT v, float *SCLIP__RESTRICT bv, int *SCLIP__RESTRICT best,
                                 int c, int n) {
    int x = 0;
#if SCLIP__VW == 16
    __m512i cv = _mm512_set1_epi32(c);
    for (; x + 16 <= n; x += 16) {
        __m512 a = _mm512_loadu_ps(v + x);
        __mmask16 take = _mm512_cmp_ps_mask(a, _mm512_loadu_ps(bv + x), _CMP_GT_OQ);
        _mm512_mask_storeu_ps(bv + x, take, a);
        _mm512_mask_storeu_epi32(best + x, take, cv);
    }
#elif SCLIP__VW == 8
    __m256 cv = _mm256_castsi256_ps(_mm256_set1_epi32(c));
    for (; x + 8 <= n; x += 8) {
        __m256 a = _mm256_loadu_ps(v + x), b = _mm256_loadu_ps(bv + x), take = _mm256_cmp_ps(a, b, _CMP_GT_OQ);
        _mm256_storeu_ps(bv + x, _mm256_blendv_ps(b, a, take));
        _mm256_storeu_ps((float *)(void *)(best + x),
                         _mm256_blendv_ps(_mm256_loadu_ps((const float *)(const void *)(best + x)), cv, take));
    }
#endif
    for (; x < n; x++) {
        int take = v[x] > bv[x];
        bv[x] = take ? v[x] : bv[x];
        best[x] = take ? c : best[x];
    }
}

enum { SCLIP__SEG_BLK = 512 }; /* pixels per block: a multiple of 16, the per-pixel state fits L1 */

/* argmax_c probs over pixels [p0, p0+n) into best/bv. */
static void sclip__argmax_block(const float *probs, size_t hw, int C, size_t p0, int n, float *bv, int *best) {
    int c, x;
    for (x = 0; x < n; x++) bv[x] = probs[p0 + x], best[x] = 0;
    for (c = 1; c < C; c++) sclip__argmax_update(probs + (size_t)c * hw + p0, bv, best, c, n);
}

/* argmax_c probs over pixels [p0, p1) into best[p], bv[p]. */
static void sclip__argmax_range(const float *probs, size_t hw, int C, size_t p0, size_t p1, float *bv, int *best) {
    size_t b;
    for (b = p0; b < p1; b += SCLIP__SEG_BLK)
        sclip__argmax_block(probs, hw, C, b, (int)(p1 - b < (size_t)SCLIP__SEG_BLK ? p1 - b : (size_t)SCLIP__SEG_BLK), bv + b,
                            best + b);
}

/* Steps 1-3 below on n pixels: logits planes lhw floats apart, probs planes phw apart. */
static void sclip__post_probs(float *logits, size_t lhw, int Q, float *probs, size_t phw, size_t n, const int *qcls, int C,
                              float logit_scale) {
    float mx[SCLIP__SEG_BLK], sm[SCLIP__SEG_BLK];
    size_t b;
    int q, c, x;
    /* softmax over queries, a block of pixels at a time (vectorised across pixels) */
    for (b = 0; b < n; b += SCLIP__SEG_BLK) {
        int m = (int)(n - b < (size_t)SCLIP__SEG_BLK ? n - b : (size_t)SCLIP__SEG_BLK);
        for (x = 0; x < m; x++) mx[x] = -FLT_MAX, sm[x] = 0.f;
        for (q = 0; q < Q; q++) sclip__scale_max(logits + (size_t)q * lhw + b, mx, logit_scale, m);
        for (q = 0; q < Q; q++) sclip__exp_sum(logits + (size_t)q * lhw + b, mx, sm, m);
        for (q = 0; q < Q; q++) sclip__div_row(logits + (size_t)q * lhw + b, sm, m);
    }
    /* max over synonyms (probabilities are >= 0, so starting from 0 is exact) */
    if (qcls && C != Q) {
        for (c = 0; c < C; c++) memset(probs + (size_t)c * phw, 0, n * sizeof(float));
        for (q = 0; q < Q; q++) sclip__max_row(probs + (size_t)qcls[q] * phw, logits + (size_t)q * lhw, n);
    } else if (probs != logits)
        for (c = 0; c < C; c++) memcpy(probs + (size_t)c * phw, logits + (size_t)c * lhw, n * sizeof(float));
}

/* Step 4's verdict from the pixel counts area[c]: classes c >= 1 without area[c] > area_thd *
   (foreground pixels) are removed. On return area[c] is 1 for the removed classes, else 0. */
static void sclip__post_area_verdict(int *area, int C, float area_thd) {
    float total = 0.f;
    int c;
    for (c = 1; c < C; c++) total += (float)area[c];
    area[0] = 0;
    for (c = 1; c < C; c++) area[c] = !((float)area[c] > area_thd * total);
}

typedef struct sclip__post_job {
    float *logits, *probs;
    const int *qcls;
    int Q, C, stage, parts;
    size_t hw;
    float logit_scale, prob_thd;
    int *area;          /* parts x C counts, then C flags: the classes removed by step 4 */
    const int *zeroed;  /* those flags (NULL: none) */
    const int *best;    /* optional: the argmax of probs computed before step 4, and its value */
    const float *bv;
    unsigned char *pred8;
    int *pred32;
} sclip__post_job;

/* Whether the precomputed argmax of pixels [b, b+n) names a removed class somewhere. */
static int sclip__post_stale(const sclip__post_job *j, size_t b, int n) {
    int x;
    if (!j->zeroed) return 0;
    for (x = 0; x < n; x++)
        if (j->zeroed[j->best[b + x]]) return 1;
    return 0;
}

/* argmax_c probs over pixels [p0, p1): with area, area[c] += its count of pixels (step 4);
   otherwise the labels (step 5). With a precomputed argmax, a block of pixels keeps it unless
   one of its classes was removed: removing lowers other classes only to 0, below the best
   (>= 1/Q, a softmax's largest share), so the others keep their argmax. */
static void sclip__post_argmax(const sclip__post_job *j, size_t p0, size_t p1, int *area) {
    float bvb[SCLIP__SEG_BLK];
    int bb[SCLIP__SEG_BLK], x, l;
    size_t b;
    for (b = p0; b < p1; b += SCLIP__SEG_BLK) {
        int n = (int)(p1 - b < (size_t)SCLIP__SEG_BLK ? p1 - b : (size_t)SCLIP__SEG_BLK);
        const float *bv = bvb;
        const int *best = bb;
        if (j->best && !sclip__post_stale(j, b, n)) bv = j->bv + b, best = j->best + b;
        else sclip__argmax_block(j->probs, j->hw, j->C, b, n, bvb, bb);
        for (x = 0; x < n; x++) {
            if (area) {
                area[best[x]]++;
                continue;
            }
            l = bv[x] < j->prob_thd ? 0 : best[x];
            if (j->pred8) j->pred8[b + x] = (unsigned char)l;
            if (j->pred32) j->pred32[b + x] = l; /* may be best itself: read above */
        }
    }
}

static void sclip__post_task(void *arg, int part) {
    sclip__post_job *j = (sclip__post_job *)arg;
    size_t p0 = j->hw * (size_t)part / (size_t)j->parts, p1 = j->hw * (size_t)(part + 1) / (size_t)j->parts;
    int c;
    if (j->stage == 0) {
        sclip__post_probs(j->logits + p0, j->hw, j->Q, j->probs + p0, j->hw, p1 - p0, j->qcls, j->C, j->logit_scale);
        return;
    }
    if (j->stage == 1) {
        sclip__post_argmax(j, p0, p1, j->area + (size_t)part * j->C);
        return;
    }
    for (c = 1; j->zeroed && c < j->C; c++) /* step 4: removed classes get probability 0 */
        if (j->zeroed[c]) memset(j->probs + (size_t)c * j->hw + p0, 0, (p1 - p0) * sizeof(float));
    sclip__post_argmax(j, p0, p1, NULL);
}

/* Steps 4 and 5 on probs (C, hw) with the context's threads (NULL: the calling thread). best
   and bv (may be NULL): the argmax of probs, computed with them (best may be pred32).
   Allocates (threads + 1) x C ints. */
static int sclip__post_finish(sclip_context *ctx, float *probs, size_t hw, int C, float area_thd, float prob_thd,
                              const int *best, const float *bv, unsigned char *pred8, int *pred32) {
    sclip__post_job j;
    int c, part, *sum = NULL;
    memset(&j, 0, sizeof j);
    j.probs = probs, j.C = C, j.hw = hw, j.prob_thd = prob_thd, j.pred8 = pred8, j.pred32 = pred32;
    j.best = bv ? best : NULL, j.bv = bv;
    j.parts = sclip__seg_parts(ctx, hw);
    if (area_thd > 0.f) {
        j.area = (int *)sclip__calloc(&ctx->allocator, (size_t)(j.parts + 1) * C, sizeof(int));
        if (!j.area) return SCLIP__SEG_ENOMEM;
        sum = j.area + (size_t)j.parts * C;
        j.stage = 1;
        sclip__seg_run(ctx, sclip__post_task, &j, j.parts);
        for (part = 0; part < j.parts; part++)
            for (c = 0; c < C; c++) sum[c] += j.area[(size_t)part * C + c];
        sclip__post_area_verdict(sum, C, area_thd);
        j.zeroed = sum;
    }
    j.stage = 2;
    sclip__seg_run(ctx, sclip__post_task, &j, j.parts);
    sclip__free(j.area);
    return 0;
}

/* A class map is valid when every query's class is in [0, C) (or there is none and C == Q). */
static int sclip__qcls_valid(const int *qcls, int Q, int C) {
    int q;
    if (!qcls) return C == Q;
    for (q = 0; q < Q; q++)
        if (qcls[q] < 0 || qcls[q] >= C) return 0;
    return 1;
}

/* Post-processing of (Q, H, W) logits at the original resolution:
   1. x = logit_scale * logits; 2. softmax over the Q queries per pixel;
   3. probs[c] = max over the queries q with qcls[q] == c (skipped when qcls is NULL or C == Q:
      then probs[c] = softmax[c]);
   4. area_thd > 0: with a = argmax_c probs, n_c = #pixels with a == c (c >= 1), T = sum n_c; every
      class c >= 1 without n_c > (float)area_thd * T gets probs[c] = 0 everywhere;
   5. pred = argmax_c probs (first index on ties); pred = 0 where max_c probs < prob_thd.
   logits is overwritten with the query probabilities. probs: C x H x W floats, required.
   pred8 / pred32 (either may be NULL): the label map. ctx: the context whose threads share the
   pixels (NULL: the calling thread). Allocates (threads + 1) x C ints. */
static int sclip__postprocess_on(sclip_context *ctx, float *logits, int Q, int H, int W, const int *qcls, int C,
                                 float logit_scale, float area_thd, float prob_thd, float *probs, unsigned char *pred8,
                                 int *pred32) {
    sclip__post_job j;
    if (!logits || !probs || Q < 1 || C < 1 || H < 1 || W < 1 || !sclip__qcls_valid(qcls, Q, C)) return SCLIP__SEG_EINVAL;
    memset(&j, 0, sizeof j);
    j.logits = logits, j.probs = probs, j.qcls = qcls, j.Q = Q, j.C = C;
    j.hw = (size_t)H * W, j.logit_scale = logit_scale;
    j.parts = sclip__seg_parts(ctx, j.hw);
    j.stage = 0;
    sclip__seg_run(ctx, sclip__post_task, &j, j.parts);
    return sclip__post_finish(ctx, probs, j.hw, C, area_thd, prob_thd, NULL, NULL, pred8, pred32);
}

static SCLIP__MAYBE_UNUSED int sclip__postprocess(float *logits, int Q, int H, int W, const int *qcls, int C,
                                                  float logit_scale, float area_thd, float prob_thd, float *probs,
                                                  unsigned char *pred8, int *pred32) {
    return sclip__postprocess_on(NULL, logits, Q, H, W, qcls, C, logit_scale, area_thd, prob_thd, probs, pred8, pred32);
}

/* ResCLIP's returned seg_logits: probs[c] / sum_c probs[c] per pixel (n pixels, planes `plane`
   floats apart), after the labels were taken. */
static void sclip__renorm_classes(float *probs, size_t plane, int C, size_t n) {
    size_t p;
    int c;
    for (p = 0; p < n; p++) {
        float s = 0;
        for (c = 0; c < C; c++) s += probs[(size_t)c * plane + p];
        for (c = 0; c < C; c++) probs[(size_t)c * plane + p] = probs[(size_t)c * plane + p] / s;
    }
}

/* The last resize to the original size, each thread a range of output rows, a band of rows at
   a time: every query's logits are resized into the band, from `in` or from the windows' mean
   made for just the input rows the band reads, and either stored as logits (when PAMR follows)
   or turned into class probabilities (steps 1-3) and their argmax. Neither the (Q, H0, W0)
   logits nor the windows' (Q, H1, W1) sum ever exists whole, unless the logits are asked for. */
typedef struct sclip__resize_job {
    const sclip__lerp2 *t;
    const float *in;                /* in[q*cs + y*ys + x*xs], t->hin x t->win; or */
    ptrdiff_t cs, ys, xs;
    const sclip__slide_src *slide;  /* the windows' mean, t->hin x t->win */
    const int *qcls;
    int Q, C, band, parts, rows_in;
    float logit_scale;
    float *logits;                  /* (Q, hout, wout), or NULL: */
    float *probs;                   /* (C, hout, wout), or NULL (labels only): */
    int *best;                      /* optional: argmax of probs per pixel, and its value */
    float *bv;
    uint16_t *labels;               /* labels only: hout x wout, the probabilities of a band at a
                                       time, never whole (see sclip__labels_band) */
    float prob_thd;
    int *area;                      /* labels only, first pass: parts x C argmax counts (step 4) */
    const int *zeroed;              /* labels only, second pass: the classes step 4 removed */
    int *bscratch;                  /* labels only: per part, the band's argmax */
    int (*probs_band)(void *, int, int, int, int, const float *, size_t); /* labels only: called */
    void *probs_user;               /* with each band's probabilities in this pass (or NULL) */
    int *band_failed;               /* per part: probs_band returned non-zero */
    int renorm;                     /* labels only: probabilities renormalised over the classes (ResCLIP) */
    float *scratch;                 /* per part: the band's logits (band x wout x Q, without
                                       logits), the horizontal pass (rows_in x wout); with slide,
                                       the mean's rows and counts (2 x rows_in x W1) and a
                                       window's horizontal pass (gh x its width) */
    size_t part_floats;
} sclip__resize_job;

/* Output rows [b, e) of every query into band buffers (or the logits). */
static void sclip__resize_band(const sclip__resize_job *j, int b, int e, float *lg, float *tmp) {
    int W = j->t->wout, H = j->t->hout, q, r0 = j->t->yi0[b], r1 = j->t->yi1[e - 1];
    size_t n = (size_t)(e - b) * W;
    float *rows = tmp + (size_t)j->rows_in * W, *cnt = NULL, *wtmp = NULL;
    if (j->slide) {
        cnt = rows + (size_t)j->rows_in * j->slide->W1;
        wtmp = cnt + (size_t)j->rows_in * j->slide->W1;
        sclip__slide_counts(j->slide, r0, r1, cnt);
    }
    for (q = 0; q < j->Q; q++) {
        float *dst = j->logits ? j->logits + (size_t)q * H * W + (size_t)b * W : lg + q * n;
        if (j->slide) {
            sclip__slide_rows(j->slide, q, r0, r1, rows, wtmp, cnt);
            sclip__bilinear_rows(j->t, rows, j->slide->W1, 1, r0, dst, W, b, e, 0, tmp);
        } else
            sclip__bilinear_rows(j->t, j->in + q * j->cs, j->ys, j->xs, 0, dst, W, b, e, 0, tmp);
    }
}

/* A label whose best probability is below prob_thd, until the area filter's verdict is known. */
#define SCLIP__LOW 0x8000u

/* Labels only: the band's class probabilities (C planes of n pixels) in bp, their argmax, and
   the labels of the band. First pass: every pixel's argmax, marked SCLIP__LOW when its best
   probability is below prob_thd, and counted (area, when step 4 runs). Second pass (after the
   area filter removed classes): only the pixels labelled with a removed class get the argmax
   of the other classes (removing lowers the others only to 0, so the rest keep theirs). */
static void sclip__labels_band(const sclip__resize_job *j, int part, size_t p0, size_t n, float *bp) {
    float *bvb = bp + (size_t)j->C * n;
    int *bb = j->bscratch + (size_t)part * j->band * j->t->wout, *area = j->area ? j->area + (size_t)part * j->C : NULL;
    size_t x;
    int c;
    for (c = 1; j->zeroed && c < j->C; c++)
        if (j->zeroed[c]) memset(bp + (size_t)c * n, 0, n * sizeof(float));
    sclip__argmax_range(bp, n, j->C, 0, n, bvb, bb);
    for (x = 0; x < n; x++) {
        uint16_t *l = j->labels + p0 + x;
        if (j->zeroed && !j->zeroed[*l & ~SCLIP__LOW]) continue;
        if (area) area[bb[x]]++;
        *l = (uint16_t)(bb[x] | (bvb[x] < j->prob_thd ? SCLIP__LOW : 0u));
    }
}

/* Labels only, second pass: whether the band [p0, p0+n) holds a removed class. */
static int sclip__labels_stale(const sclip__resize_job *j, size_t p0, size_t n) {
    size_t x;
    for (x = 0; x < n; x++)
        if (j->zeroed[j->labels[p0 + x] & ~SCLIP__LOW]) return 1;
    return 0;
}

static void sclip__resize_task(void *arg, int part) {
    sclip__resize_job *j = (sclip__resize_job *)arg;
    int H = j->t->hout, W = j->t->wout, y0 = H * part / j->parts, y1 = H * (part + 1) / j->parts, b, e;
    float *lg = j->scratch + (size_t)part * j->part_floats, *tmp = lg + (j->logits ? 0 : (size_t)j->band * W * j->Q);
    float *bp = j->labels ? lg + j->part_floats - (size_t)(j->C + 1) * j->band * W : NULL; /* last in the part */
    for (b = y0; b < y1; b = e) {
        size_t n;
        e = b + j->band < y1 ? b + j->band : y1;
        n = (size_t)(e - b) * W;
        if (j->labels && j->zeroed && !j->probs_band && !sclip__labels_stale(j, (size_t)b * W, n)) continue;
        sclip__resize_band(j, b, e, lg, tmp);
        if (j->logits) continue;
        if (j->labels) {
            sclip__post_probs(lg, n, j->Q, bp, n, n, j->qcls, j->C, j->logit_scale);
            sclip__labels_band(j, part, (size_t)b * W, n, bp);
            if (j->renorm) sclip__renorm_classes(bp, n, j->C, n);
            if (j->probs_band && !j->band_failed[part] && j->probs_band(j->probs_user, b, e - b, W, j->C, bp, n))
                j->band_failed[part] = 1;
            continue;
        }
        sclip__post_probs(lg, n, j->Q, j->probs + (size_t)b * W, (size_t)H * W, n, j->qcls, j->C, j->logit_scale);
        if (j->best) sclip__argmax_range(j->probs, (size_t)H * W, j->C, (size_t)b * W, (size_t)e * W, j->bv, j->best);
    }
}

/* Input rows the bands of the job read at most (for the scratch size). */
static int sclip__resize_rows_in(const sclip__resize_job *j) {
    int H = j->t->hout, part, b, e, most = 1;
    for (part = 0; part < j->parts; part++) {
        int y0 = H * part / j->parts, y1 = H * (part + 1) / j->parts;
        for (b = y0; b < y1; b = e) {
            e = b + j->band < y1 ? b + j->band : y1;
            if (sclip__lerp2_rows_in(j->t, b, e) > most) most = sclip__lerp2_rows_in(j->t, b, e);
        }
    }
    return most;
}

/* Runs a job whose input, queries and outputs are set, resizing hin x win to H0 x W0. */
static int sclip__resize_run(sclip_context *c, sclip__resize_job *j, int hin, int win, int H0, int W0) {
    sclip__lerp2 t;
    size_t row = (size_t)W0 * j->Q, slide = 0; /* floats of one output row of logits */
    int ok;
    if ((!j->in && !j->slide) || (!j->logits && !j->probs && !j->labels) || j->Q < 1 || j->C < 1 || hin < 1 || win < 1 || H0 < 1 ||
        W0 < 1 || !sclip__qcls_valid(j->qcls, j->Q, j->C))
        return SCLIP__SEG_EINVAL;
    if (sclip__lerp2_init(&c->allocator, &t, hin, win, H0, W0)) return SCLIP__SEG_ENOMEM;
    j->t = &t;
    j->band = (int)((size_t)(1 << 18) / row); /* ~1 MB of logits per band, 1 to 16 rows */
    j->band = j->band < 1 ? 1 : j->band > 16 ? 16 : j->band;
    j->parts = sclip__seg_parts(c, (size_t)H0);
    j->rows_in = sclip__resize_rows_in(j);
    if (j->slide) slide = 2 * (size_t)j->rows_in * win + (size_t)j->slide->t->hin * j->slide->t->wout;
    j->part_floats = (j->logits ? 0 : (size_t)j->band * row) + (size_t)j->rows_in * W0 + slide;
    if (j->labels) j->part_floats += (size_t)(j->C + 1) * j->band * W0; /* the band's probabilities, best values */
    j->scratch = (float *)sclip__alloc_array(&c->allocator, j->part_floats, sizeof(float) * (size_t)j->parts);
    if (j->labels) j->bscratch = (int *)sclip__alloc_array(&c->allocator, (size_t)j->band * W0, sizeof(int) * (size_t)j->parts);
    ok = j->scratch != NULL && (!j->labels || j->bscratch);
    if (ok) sclip__seg_run(c, sclip__resize_task, j, j->parts);
    sclip__free(j->bscratch);
    sclip__free(j->scratch);
    sclip__lerp2_free(&t);
    return ok ? 0 : SCLIP__SEG_ENOMEM;
}

/* probs (C, H0, W0) = steps 1-3 of the post-processing applied to the bilinear resize of Q
   channels in[q*cs + y*ys + x*xs] (hin x win) to H0 x W0; with best and bv (H0 x W0 each, or
   NULL), also their argmax over the classes, while the band is still in cache. */
static SCLIP__MAYBE_UNUSED int sclip__resize_probs(sclip_context *c, const float *in, int Q, int hin, int win, ptrdiff_t cs,
                                                  ptrdiff_t ys, ptrdiff_t xs, const int *qcls, int C, float logit_scale,
                                                  float *probs, int H0, int W0, int *best, float *bv) {
    sclip__resize_job j;
    memset(&j, 0, sizeof j);
    j.in = in, j.cs = cs, j.ys = ys, j.xs = xs, j.qcls = qcls, j.Q = Q, j.C = C;
    j.logit_scale = logit_scale, j.probs = probs, j.best = best, j.bv = bv;
    return sclip__resize_run(c, &j, hin, win, H0, W0);
}

/* ---- 7. PAMR (Araslanov & Roth 2020), manual section 4 e -------------------------------------- */

/* f32 -> nearest-even f16 -> f32 (overflow to infinity, subnormals kept). */
static float sclip__round_f16(float f) { return sclip__f16_to_f32(sclip__f32_to_f16(f)); }

/* Neighbour j (0..7) of the 3x3 ring in raster order without the centre, scaled by d. */
static void sclip__pamr_offset(int j, int d, int *dy, int *dx) {
    static const int oy[8] = {-1, -1, -1, 0, 0, 1, 1, 1}, ox[8] = {-1, 0, 1, -1, 1, -1, 0, 1};
    *dy = oy[j] * d, *dx = ox[j] * d;
}

static int sclip__clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Affinity weights w (K = 8*ndil, H, W): for neighbour j (dilation-major, then raster order),
   a_j = mean_c(-|x_c(p) - x_c(n_j(p))| / (1e-8 + 0.1*std_c(p))), std_c unbiased over the 9*ndil
   values (centre once per dilation and its 8 neighbours), replicate borders; w = softmax_j(a). */
static void sclip__pamr_weights(const float *img, int H, int W, const int *dil, int ndil, float *w) {
    int K = 8 * ndil, y, x, c, k, j;
    size_t hw = (size_t)H * W;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            float a[64], mx = -FLT_MAX, sum = 0.f;
            size_t p = (size_t)y * W + x;
            for (k = 0; k < K; k++) a[k] = 0.f;
            for (c = 0; c < 3; c++) {
                const float *im = img + (size_t)c * hw;
                float ctr = im[p], v[72], den;
                double mean = 0.0, ss = 0.0;
                int n = 0;
                for (k = 0; k < ndil; k++) {
                    v[n++] = ctr;
                    for (j = 0; j < 8; j++) {
                        int dy, dx;
                        sclip__pamr_offset(j, dil[k], &dy, &dx);
                        v[n++] = im[(size_t)sclip__clampi(y + dy, 0, H - 1) * W + sclip__clampi(x + dx, 0, W - 1)];
                    }
                }
                for (j = 0; j < n; j++) mean += v[j];
                mean /= n;
                for (j = 0; j < n; j++) ss += (v[j] - mean) * (v[j] - mean);
                den = 1e-8f + 0.1f * (float)sqrt(ss / (n - 1));
                for (k = 0, j = 0; k < ndil; k++)
                    for (j = 0; j < 8; j++) {
                        float nb = v[k * 9 + 1 + j];
                        a[k * 8 + j] += -fabsf(ctr - nb) / den;
                    }
            }
            for (k = 0; k < K; k++) {
                a[k] = a[k] / 3.f;
                mx = a[k] > mx ? a[k] : mx;
            }
            for (k = 0; k < K; k++) {
                a[k] = (float)exp((double)(a[k] - mx));
                sum += a[k];
            }
            /* weights below FLT_MIN (e^-87) are flushed to 0: denormals would slow every step
               down many times over, for a change below 1e-38 */
            for (k = 0; k < K; k++) {
                float v = a[k] / sum;
                w[(size_t)k * hw + p] = v < FLT_MIN ? 0.f : v;
            }
        }
}

/* One output row of a PAMR step, W columns, from rows r padded so that no neighbour needs
   clamping: o[x] = sum_k w[k][x] * r[k][x + dx[k]], k in order, the sum held in a register. */
static void sclip__pamr_row(float *SCLIP__RESTRICT o, const float *const *w, const float *const *r, const int *dx,
                            int K, int W) {
    int x = 0, k;
#if SCLIP__VW
    for (; x + SCLIP__VW <= W; x += SCLIP__VW) {
        SCLIP__VF acc = SCLIP__VMUL(SCLIP__VLOAD(w[0] + x), SCLIP__VLOAD(r[0] + x + dx[0]));
        for (k = 1; k < K; k++) acc = SCLIP__VADD(acc, SCLIP__VMUL(SCLIP__VLOAD(w[k] + x), SCLIP__VLOAD(r[k] + x + dx[k])));
        SCLIP__VSTORE(o + x, acc);
    }
#endif
    for (; x < W; x++) {
        float acc = w[0][x] * r[0][x + dx[0]];
        for (k = 1; k < K; k++) acc += w[k][x] * r[k][x + dx[k]];
        o[x] = acc;
    }
}

/* PAMR runs on blocks of 4 channels, shared by the context's threads: the affinity weights
   once, then each block's iterations in a part's own buffers. Each channel is first copied with
   replicate padding of D = the largest dilation on each side, so every column runs
   sclip__pamr_row's vector loop; a row's 8*ndil weight rows serve the block's channels while
   they are in cache. */
#define SCLIP__PAMR_QB 4
typedef struct sclip__pamr_job {
    const float *w;
    float *mask, *tmp;
    int Q, H, W, iters, next, ndil, D;
    const int *dil;
} sclip__pamr_job;

/* out = one PAMR step on nb channels m (H x W each) through pad (nb x H x (W + 2D) floats):
   out(p) = sum_j w_j(p) * m(n_j(p)), j in order (PyTorch's summation order), borders replicated. */
static void sclip__pamr_step(const sclip__pamr_job *j, const float *m, float *out, int nb, float *pad) {
    int H = j->H, W = j->W, D = j->D, Wp = W + 2 * D, K = 8 * j->ndil, y, x, k, b, dy[64], dx[64];
    const float *wr[64], *rr[64];
    size_t hw = (size_t)H * W, hwp = (size_t)H * Wp;
    for (k = 0; k < K; k++) sclip__pamr_offset(k & 7, j->dil[k >> 3], &dy[k], &dx[k]);
    for (b = 0; b < nb; b++)
        for (y = 0; y < H; y++) {
            float *p = pad + b * hwp + (size_t)y * Wp;
            const float *r = m + b * hw + (size_t)y * W;
            for (x = 0; x < D; x++) p[x] = r[0], p[D + W + x] = r[W - 1];
            memcpy(p + D, r, (size_t)W * sizeof(float));
        }
    for (y = 0; y < H; y++) {
        for (k = 0; k < K; k++) wr[k] = j->w + (size_t)k * hw + (size_t)y * W;
        for (b = 0; b < nb; b++) {
            for (k = 0; k < K; k++) rr[k] = pad + b * hwp + (size_t)sclip__clampi(y + dy[k], 0, H - 1) * Wp + D;
            sclip__pamr_row(out + b * hw + (size_t)y * W, wr, rr, dx, K, W);
        }
    }
}

/* Floats of one part's buffers: a block's next iterate and its padded copy. */
static size_t sclip__pamr_part_floats(int H, int W, int D) {
    return (size_t)SCLIP__PAMR_QB * ((size_t)H * W + (size_t)H * (W + 2 * (size_t)D));
}

static void sclip__pamr_task(void *arg, int part) {
    sclip__pamr_job *j = (sclip__pamr_job *)arg;
    size_t hw = (size_t)j->H * j->W;
    float *tmp = j->tmp + (size_t)part * sclip__pamr_part_floats(j->H, j->W, j->D), *pad = tmp + SCLIP__PAMR_QB * hw;
    int q, it, n = (j->Q + SCLIP__PAMR_QB - 1) / SCLIP__PAMR_QB;
    for (q = sclip__claim(&j->next, -1, part, 1); q < n; q = sclip__claim(&j->next, q, part, 1)) {
        int nb = j->Q - SCLIP__PAMR_QB * q < SCLIP__PAMR_QB ? j->Q - SCLIP__PAMR_QB * q : SCLIP__PAMR_QB;
        float *first = j->mask + (size_t)SCLIP__PAMR_QB * q * hw, *cur = first, *nxt = tmp, *t;
        for (it = 0; it < j->iters; it++) {
            sclip__pamr_step(j, cur, nxt, nb, pad);
            t = cur, cur = nxt, nxt = t;
        }
        if (cur != first) memcpy(first, cur, (size_t)nb * hw * sizeof(float));
    }
}

/* PAMR on mask (Q, H, W) in place, guided by img (3, H, W) (the normalised resized image
   bilinearly resized to (H, W)); num_iter steps with the dilations dil[0..ndil) (SCLIP and
   ResCLIP: 8, 16; at most 8 of them). round_f16 != 0 rounds the result to float16 values, as
   the official code casts PAMR's output to fp16. c: the context whose threads and allocator it
   uses (NULL: the calling thread, SCLIP_MALLOC). Allocates 8*ndil*H*W floats and, per thread,
   sclip__pamr_part_floats. */
static int sclip__pamr(sclip_context *c, const float *img, float *mask, int Q, int H, int W, int num_iter, const int *dil,
                       int ndil, int round_f16) {
    size_t hw = (size_t)H * W, p;
    sclip__pamr_job j;
    int k, parts;
    float *w;
    if (!img || !mask || Q < 1 || H < 1 || W < 1 || num_iter < 0 || !dil || ndil < 1 || ndil > 8)
        return SCLIP__SEG_EINVAL;
    memset(&j, 0, sizeof j);
    for (k = 0; k < ndil; k++) {
        if (dil[k] < 1) return SCLIP__SEG_EINVAL;
        j.D = dil[k] > j.D ? dil[k] : j.D;
    }
    if (num_iter > 0) {
        parts = (Q + SCLIP__PAMR_QB - 1) / SCLIP__PAMR_QB; /* blocks, at most one part each */
        if (!c) parts = 1;
        else if (c->n_threads < parts) parts = c->n_threads;
        w = (float *)sclip__alloc_array(c ? &c->allocator : NULL, (size_t)8 * ndil * hw + (size_t)parts * sclip__pamr_part_floats(H, W, j.D),
                                        sizeof(float));
        if (!w) return SCLIP__SEG_ENOMEM;
        sclip__pamr_weights(img, H, W, dil, ndil, w);
        j.w = w, j.mask = mask, j.tmp = w + (size_t)8 * ndil * hw, j.Q = Q, j.H = H, j.W = W, j.iters = num_iter;
        j.dil = dil, j.ndil = ndil;
        if (c) sclip__parallel(c, sclip__pamr_task, &j, parts);
        else sclip__pamr_task(&j, 0);
        sclip__free(w);
    }
    if (round_f16)
        for (p = 0; p < (size_t)Q * hw; p++) mask[p] = sclip__round_f16(mask[p]);
    return 0;
}

/* ============================================================================================
   Segmentation: the benchmarks' presets, the public helpers and the steps of sclip_segment
   ============================================================================================ */
/* BEGIN GENERATED CLASS LISTS (tools/gen_class_lists.py) from the official SCLIP configs/cls_*.txt.
   One string per class: its names, separated by ", ". */
static const char *const sclip__classes_voc21[21] = {
    "sky, wall, tree, wood, grass, road, sea, river, mountain, sands, desk, bed, building, cloud, lamp, door, window, wardrobe, ceiling, shelf, curtain, stair, floor, hill, rail, fence",
    "aeroplane", "bicycle", "bird", "ship", "bottle", "bus", "car", "cat", "chair", "cow", "table", "dog",
    "horse", "motorbike",
    "person, person in shirt, person in jeans, person in dress, person in sweater, person in skirt, person in jacket",
    "pottedplant", "sheep", "sofa", "train", "television monitor, tv monitor, monitor, television, screen"
};
static const char *const sclip__classes_voc20[20] = {
    "aeroplane", "bicycle", "bird", "ship", "bottle", "bus", "car", "cat", "chair", "cow", "table", "dog",
    "horse", "motorbike",
    "person, person in shirt, person in jeans, person in dress, person in sweater, person in skirt, person in jacket",
    "pottedplant", "sheep", "sofa", "train", "television monitor, tv monitor, monitor, television, screen"
};
static const char *const sclip__classes_context60[60] = {
    "background", "aeroplane", "bag", "bed", "bedclothes", "bench", "bicycle", "bird", "boat", "book",
    "bottle", "building", "bus", "cabinet", "car", "cat", "ceiling", "chair", "cloth", "computer", "cow",
    "cup", "curtain", "dog", "door", "fence", "floor", "flower", "food", "grass", "ground", "horse",
    "keyboard", "light", "motorbike", "mountain", "mouse", "person", "plate", "platform", "pottedplant",
    "road", "rock", "sheep", "shelves", "sidewalk", "sign", "sky", "snow", "sofa", "table", "track", "train",
    "tree", "truck", "tvmonitor", "wall", "water", "window", "wood "
};
static const char *const sclip__classes_context59[59] = {
    "aeroplane", "bag", "bed", "bedclothes", "bench", "bicycle", "bird", "boat", "book", "bottle",
    "building", "bus", "cabinet", "car", "cat", "ceiling", "chair", "cloth", "computer", "cow", "cup",
    "curtain", "dog", "door", "fence", "floor", "flower", "food", "grass", "ground", "horse", "keyboard",
    "light", "motorbike", "mountain", "mouse", "person", "plate", "platform", "pottedplant", "road", "rock",
    "sheep", "shelves", "sidewalk", "sign", "sky", "snow", "sofa", "table", "track", "train", "tree",
    "truck", "tvmonitor", "wall", "water", "window", "wood"
};
static const char *const sclip__classes_coco_object[81] = {
    "sky, wall, tree, wood, grass, road, sea, river, mountain, sands, desk, bed, building, cloud, lamp, door, window, wardrobe, ceiling, shelf, curtain, stair, floor, hill, rail, fence",
    "person, person in shirt, person in jeans, person in dress, person in sweater, person in skirt, person in jacket, body",
    "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
    "scissors", "teddy bear", "hair drier", "toothbrush"
};
static const char *const sclip__classes_coco_stuff[171] = {
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "trafficlight",
    "firehydrant", "stopsign", "parkingmeter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sportsball", "kite", "baseballbat", "baseballglove", "skateboard", "surfboard",
    "tennisracket", "bottle", "wineglass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hotdog", "pizza", "donut", "cake", "chair", "couch",
    "pottedplant", "bed", "diningtable", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cellphone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddybear", "hairdrier", "toothbrush", "banner", "blanket", "branch", "bridge", "building-other",
    "bush", "cabinet", "cage", "cardboard", "carpet", "ceiling-other", "ceiling-tile", "cloth", "clothes",
    "clouds", "counter", "cupboard", "curtain", "desk-stuff", "dirt", "door-stuff", "fence", "floor-marble",
    "floor-other", "floor-stone", "floor-tile", "floor-wood", "flower", "fog", "food-other", "fruit",
    "furniture-other", "grass", "gravel", "ground-other", "hill", "house", "leaves", "light", "mat", "metal",
    "mirror-stuff", "moss", "mountain", "mud", "napkin", "net", "paper", "pavement", "pillow", "plant-other",
    "plastic", "platform", "playingfield", "railing", "railroad", "river", "road", "rock", "roof", "rug",
    "salad", "sand", "sea", "shelf", "sky-other", "skyscraper", "snow", "solid-other", "stairs", "stone",
    "straw", "structural-other", "table", "tent", "textile-other", "towel", "tree", "vegetable",
    "wall-brick", "wall-concrete", "wall-other", "wall-panel", "wall-stone", "wall-tile", "wall-wood",
    "water-other", "waterdrops", "window-blind", "window-other", "wood"
};
static const char *const sclip__classes_city_scapes[19] = {
    "road", "sidewalk", "building", "wall", "fence", "pole", "trafficlight", "trafficsign", "vegetation",
    "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"
};
static const char *const sclip__classes_ade20k[150] = {
    "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed", "windowpane", "grass", "cabinet",
    "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair", "car", "water",
    "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field", "armchair", "seat", "fence",
    "desk", "rock", "wardrobe", "lamp", "bathtub", "railing", "cushion", "base", "box", "column",
    "signboard", "chestofdrawers", "counter", "sand", "sink", "skyscraper", "fireplace", "refrigerator",
    "grandstand", "path", "stairs", "runway", "case", "pooltable", "pillow", "screendoor", "stairway",
    "river", "bridge", "bookcase", "blind", "coffeetable", "toilet", "flower", "book", "hill", "bench",
    "countertop", "stove", "palm", "kitchenisland", "computer", "swivelchair", "boat", "bar",
    "arcademachine", "hovel", "bus", "towel", "light", "truck", "tower", "chandelier", "awning",
    "streetlight", "booth", "televisionreceiver", "airplane", "dirttrack", "apparel", "pole", "land",
    "bannister", "escalator", "ottoman", "bottle", "buffet", "poster", "stage", "van", "ship", "fountain",
    "conveyerbelt", "canopy", "washer", "plaything", "swimmingpool", "stool", "barrel", "basket",
    "waterfall", "tent", "bag", "minibike", "cradle", "oven", "ball", "food", "step", "tank", "tradename",
    "microwave", "pot", "animal", "bicycle", "lake", "dishwasher", "screen", "blanket", "sculpture", "hood",
    "sconce", "vase", "trafficlight", "tray", "ashcan", "fan", "pier", "crtscreen", "plate", "monitor",
    "bulletinboard", "shower", "radiator", "glass", "clock", "flag"
};
/* END GENERATED CLASS LISTS */

#define SCLIP__CLASSES(list) list, (int)(sizeof list / sizeof list[0])
static const struct sclip__preset {
    const char *name, *alias, *classes;
    int short_side;
    float logit_scale, prob_thd, area_thd;
    const char *const *class_lines; /* the benchmark's vocabulary, one class a line */
    int n_classes;
} sclip__presets[] = {
    {"voc21", "voc", "voc21.txt", 336, 65, 0.1f, 0.1f, SCLIP__CLASSES(sclip__classes_voc21)},
    {"voc20", "voc20", "voc20.txt", 336, 40, 0, 0, SCLIP__CLASSES(sclip__classes_voc20)},
    {"context60", "pascal_context60", "context60.txt", 336, 50, 0.1f, 0, SCLIP__CLASSES(sclip__classes_context60)},
    {"context59", "pascal_context59", "context59.txt", 336, 40, 0, 0, SCLIP__CLASSES(sclip__classes_context59)},
    {"coco-object", "coco_object", "coco_object.txt", 336, 50, 0.1f, 0, SCLIP__CLASSES(sclip__classes_coco_object)},
    {"coco-stuff", "coco_stuff164k", "coco_stuff.txt", 448, 40, 0, 0, SCLIP__CLASSES(sclip__classes_coco_stuff)},
    {"coco-stuff10k", "coco_stuff10k", "coco_stuff.txt", 336, 40, 0, 0, SCLIP__CLASSES(sclip__classes_coco_stuff)},
    {"cityscapes", "city_scapes", "city_scapes.txt", 560, 40, 0, 0, SCLIP__CLASSES(sclip__classes_city_scapes)},
    {"ade20k", "ade", "ade20k.txt", 336, 40, 0, 0, SCLIP__CLASSES(sclip__classes_ade20k)},
};
#undef SCLIP__CLASSES
#define SCLIP__N_PRESETS (int)(sizeof sclip__presets / sizeof sclip__presets[0])

SCLIPDEF const char *const *sclip_seg_preset_names(void) {
    static const char *const names[SCLIP__N_PRESETS + 1] = {"voc21", "voc20", "context60", "context59", "coco-object",
                                                            "coco-stuff", "coco-stuff10k", "cityscapes", "ade20k", NULL};
    return names;
}

/* The preset called name: its name or alias, '-' and '_' alike ("coco_stuff" = "coco-stuff"). */
static int sclip__same_name(const char *a, const char *b) {
    for (; *a && (*a == *b || ((*a == '-' || *a == '_') && (*b == '-' || *b == '_'))); a++, b++) {}
    return !*a && !*b;
}

static const struct sclip__preset *sclip__find_preset(const char *name) {
    int i;
    for (i = 0; name && i < SCLIP__N_PRESETS; i++)
        if (sclip__same_name(name, sclip__presets[i].name) || sclip__same_name(name, sclip__presets[i].alias))
            return &sclip__presets[i];
    return NULL;
}

SCLIPDEF size_t sclip_seg_preset_classes(const char *name, char *buf, size_t cap) {
    const struct sclip__preset *p = sclip__find_preset(name);
    size_t n = 0;
    int c;
    if (!p) return 0;
    for (c = 0; c < p->n_classes; c++) { /* class lines joined by '\n', cut like snprintf */
        const char *s = p->class_lines[c];
        if (c && buf && n + 1 < cap) buf[n] = '\n';
        n += c > 0;
        for (; *s; s++, n++)
            if (buf && n + 1 < cap) buf[n] = *s;
    }
    if (buf && cap) buf[n < cap ? n : cap - 1] = 0;
    return n;
}

SCLIPDEF sclip_result sclip_seg_preset(const char *name, sclip_seg_desc *d, const char **classes_file) {
    const struct sclip__preset *p = sclip__find_preset(name);
    if (!name || !d) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (!p) return SCLIP_ERROR_UNKNOWN_PRESET;
    d->short_side = p->short_side;
    d->logit_scale = p->logit_scale;
    d->prob_thd = p->prob_thd;
    d->area_thd = p->area_thd;
    d->crop = 224;
    d->stride = 112;
    if (classes_file) *classes_file = p->classes;
    return SCLIP_OK;
}

/* The methods' own per-benchmark configs (METHODS.md 2.3 and 3.3): preset name, short side,
   logit_scale, prob_thd, area_thd; ResCLIP also whole-image, temp_thd, RCS and SFR (tau, lambda). */
static const struct sclip__method_preset {
    sclip_method method;
    const char *name;
    int short_side;
    float logit_scale, prob_thd, area_thd;
    int whole;
    double temp_thd, rcs[2], sfr[2];
} sclip__method_presets[] = {
    {SCLIP_METHOD_SCCLIP, "voc21", 336, 50, 0.15f, 0.1f, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "context60", 336, 40, 0.15f, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "coco-object", 336, 55, 0.35f, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "voc20", 336, 40, 0, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "context59", 336, 40, 0, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "ade20k", 336, 40, 0, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "coco-stuff", 336, 40, 0, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_SCCLIP, "cityscapes", 560, 40, 0, 0, 0, 0, {0, 0}, {0, 0}},
    {SCLIP_METHOD_RESCLIP, "voc21", 336, 40, 0.1f, 0, 1, 0.50, {2.0, 0.3}, {2.2, 0.7}},
    {SCLIP_METHOD_RESCLIP, "voc20", 336, 40, 0, 0, 1, 0.10, {2.0, 0.6}, {2.1, 0.6}},
    {SCLIP_METHOD_RESCLIP, "context60", 336, 40, 0.1f, 0, 0, 0.30, {2.0, 0.3}, {1.8, 0.7}},
    {SCLIP_METHOD_RESCLIP, "context59", 336, 40, 0, 0, 0, 0.25, {2.0, 0.4}, {1.8, 0.7}},
    {SCLIP_METHOD_RESCLIP, "coco-object", 336, 40, 0.1f, 0, 0, 0.11, {2.0, 0.4}, {1.8, 0.7}},
    {SCLIP_METHOD_RESCLIP, "coco-stuff", 336, 40, 0, 0, 0, 0.11, {2.0, 0.4}, {1.8, 0.7}},
    {SCLIP_METHOD_RESCLIP, "cityscapes", 560, 40, 0, 0, 0, 0.10, {2.0, 0.2}, {2.1, 0.6}},
    {SCLIP_METHOD_RESCLIP, "ade20k", 336, 40, 0, 0, 0, 0.25, {2.0, 0.3}, {2.1, 0.7}},
};

SCLIPDEF sclip_result sclip_seg_preset_method(const char *name, sclip_method method, sclip_seg_desc *d, const char **classes_file) {
    const struct sclip__preset *p = sclip__find_preset(name);
    size_t i;
    sclip_result r;
    if (method == SCLIP_METHOD_SCLIP || (r = sclip_seg_preset(name, d, classes_file)) != SCLIP_OK)
        return method == SCLIP_METHOD_SCLIP ? sclip_seg_preset(name, d, classes_file) : r;
    if ((int)method < 0 || (int)method >= SCLIP_METHOD_COUNT) return SCLIP_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < sizeof sclip__method_presets / sizeof sclip__method_presets[0]; i++) {
        const struct sclip__method_preset *q = &sclip__method_presets[i];
        if (q->method != method || strcmp(q->name, p->name)) continue;
        d->short_side = q->short_side, d->logit_scale = q->logit_scale, d->prob_thd = q->prob_thd, d->area_thd = q->area_thd;
        d->crop = q->whole ? SCLIP_SEG_WHOLE : 224;
        d->method.kind = method;
        if (method == SCLIP_METHOD_RESCLIP) {
            d->method.temp_thd = q->temp_thd;
            d->method.attn_rcs_weights[0] = q->rcs[0], d->method.attn_rcs_weights[1] = q->rcs[1];
            d->method.attn_sfr_weights[0] = q->sfr[0], d->method.attn_sfr_weights[1] = q->sfr[1];
            d->method.set |= (1u << SCLIP_MOPT_TEMP_THD) | (1u << SCLIP_MOPT_ATTN_RCS_WEIGHTS) | (1u << SCLIP_MOPT_ATTN_SFR_WEIGHTS);
        }
        return SCLIP_OK;
    }
    return SCLIP_ERROR_UNKNOWN_PRESET; /* the method's code has no config for it (coco-stuff10k) */
}

SCLIPDEF sclip_result sclip_resize_size(int w, int h, int short_side, int max_long, int *ow, int *oh) {
    if (!ow || !oh || w < 1 || h < 1) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (short_side <= 0) {
        *ow = w;
        *oh = h;
        return SCLIP_OK;
    }
    return sclip__resize_size(h, w, short_side, max_long > 0 ? max_long : 2048, oh, ow) ? SCLIP_ERROR_IMAGE_TOO_LARGE : SCLIP_OK;
}

SCLIPDEF sclip_result sclip_resize_rgb(const uint8_t *src, int w, int h, size_t stride, uint8_t *dst, int ow, int oh,
                                       size_t ostride) {
    int r;
    if (!src || !dst || w < 1 || h < 1 || ow < 1 || oh < 1 || stride < 3 * (size_t)w || ostride < 3 * (size_t)ow)
        return SCLIP_ERROR_INVALID_ARGUMENT;
    r = sclip__resize_rgb8(NULL, src, w, h, stride, dst, ow, oh, ostride);
    return r == 0 ? SCLIP_OK : r == SCLIP__SEG_ENOMEM ? SCLIP_ERROR_OUT_OF_MEMORY : SCLIP_ERROR_INVALID_ARGUMENT;
}

SCLIPDEF sclip_result sclip_normalize_rgb(const uint8_t *rgb, int w, int h, size_t stride, float *chw) {
    if (!rgb || !chw || w < 1 || h < 1 || stride < 3 * (size_t)w) return SCLIP_ERROR_INVALID_ARGUMENT;
    sclip__normalize_crop(rgb, stride, 0, 0, w, h, chw);
    return SCLIP_OK;
}

SCLIPDEF int sclip_seg_windows(int w, int h, int crop, int stride, int *boxes, int cap) {
    int n = sclip__window_count(h, w, crop == SCLIP_SEG_WHOLE ? 0 : crop, stride), k, *tmp;
    if (!n || !boxes || cap < 0) return n;
    tmp = (int *)sclip__alloc_array(NULL, (size_t)n * 4, sizeof(int));
    if (!tmp) return 0;
    sclip__windows(h, w, crop == SCLIP_SEG_WHOLE ? 0 : crop, stride, tmp);
    for (k = 0; k < n && k < cap; k++) { /* {y1, x1, h, w} -> {x, y, w, h} */
        boxes[4 * k] = tmp[4 * k + 1];
        boxes[4 * k + 1] = tmp[4 * k];
        boxes[4 * k + 2] = tmp[4 * k + 3];
        boxes[4 * k + 3] = tmp[4 * k + 2];
    }
    sclip__free(tmp);
    return n;
}

SCLIPDEF void sclip_seg_result_free(sclip_seg_result *res) {
    if (!res) return;
    sclip__free(res->labels);
    sclip__free(res->probs);
    memset(res, 0, sizeof *res);
}

/* The settings with every default filled in. */
static sclip_seg_desc sclip__seg_defaults(const sclip_seg_desc *d) {
    sclip_seg_desc s;
    if (d) s = *d;
    else memset(&s, 0, sizeof s);
    if (!s.short_side) s.short_side = 336;
    if (!s.max_long_side) s.max_long_side = 2048;
    if (!s.crop) s.crop = 224;
    if (!s.stride) s.stride = 112;
    if (s.logit_scale == 0) s.logit_scale = 40;
    return s;
}

static sclip_result sclip__seg_check(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int w, int h, size_t stride,
                                     const sclip_seg_desc *d) {
    sclip_result r;
    if (!v || !rgb) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "segment: NULL vocabulary or pixels");
    if (w < 1 || h < 1) return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_SMALL, "segment: the image is %dx%d", w, h);
    if (w > SCLIP_MAX_SOURCE_SIDE || h > SCLIP_MAX_SOURCE_SIDE || (double)w * h > SCLIP_MAX_SOURCE_PIXELS)
        return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_LARGE, "segment: %dx%d exceeds the limit (side %d, %d pixels)", w, h,
                               SCLIP_MAX_SOURCE_SIDE, SCLIP_MAX_SOURCE_PIXELS);
    if (stride < 3 * (size_t)w) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "segment: row stride below 3 x width");
    if (v->embed_dim != c->model->arch.embed_dim || v->fingerprint != c->model->fingerprint)
        return sclip__ctx_fail(c, SCLIP_ERROR_BAD_VOCAB_CACHE, "segment: the vocabulary was made with another model");
#define SCLIP__BAD_SETTING(what, ...) sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "segment: " what, __VA_ARGS__)
    if ((d->short_side < 1 && d->short_side != SCLIP_SEG_KEEP) || d->short_side > SCLIP_MAX_IMAGE_SIDE)
        return SCLIP__BAD_SETTING("short_side %d is outside 1..%d (or SCLIP_SEG_KEEP)", d->short_side, SCLIP_MAX_IMAGE_SIDE);
    if (d->max_long_side < 1) return SCLIP__BAD_SETTING("max_long_side %d is below 1", d->max_long_side);
    if (d->crop != SCLIP_SEG_WHOLE && (d->crop < c->model->arch.patch_size || d->crop > SCLIP_MAX_IMAGE_SIDE))
        return SCLIP__BAD_SETTING("crop %d must be SCLIP_SEG_WHOLE or a window of %d..%d pixels (the patch is %d)", d->crop,
                                  c->model->arch.patch_size, SCLIP_MAX_IMAGE_SIDE, c->model->arch.patch_size);
    if (d->stride < 1) return SCLIP__BAD_SETTING("stride %d is below 1", d->stride);
    if (!(d->logit_scale > 0 && d->logit_scale < 1e4f))
        return SCLIP__BAD_SETTING("logit_scale %g is outside (0, 10000)", (double)d->logit_scale);
    if (!(d->prob_thd >= 0 && d->prob_thd <= 1)) return SCLIP__BAD_SETTING("prob_thd %g is outside [0, 1]", (double)d->prob_thd);
    if (!(d->area_thd >= 0 && d->area_thd <= 1)) return SCLIP__BAD_SETTING("area_thd %g is outside [0, 1]", (double)d->area_thd);
    if (d->pamr_steps < 0 || d->pamr_steps > 1000) return SCLIP__BAD_SETTING("pamr_steps %d is outside 0..1000", d->pamr_steps);
#undef SCLIP__BAD_SETTING
    if ((r = sclip__method_check(c, &d->method, 0, 0)) != SCLIP_OK) return r;
    return sclip__attn_check(c, &d->attn);
}

/* The last step of both modes: the job's input (the patch logits, or the windows' mean), hin x
   win, resized to the original size, either into logits (when PAMR follows) or, fused with the
   post-processing's steps 1-3 and the argmax, straight into the class probabilities. */
static sclip_result sclip__seg_final(sclip_context *c, const sclip_vocab *v, sclip__resize_job *j, int hin, int win,
                                     float logit_scale, const sclip__seg_out *o) {
    int e, C = v->n_classes, parts = sclip__seg_parts(c, (size_t)o->H0), part, k, removed = 0, *sum = NULL;
    int *failed = (int *)sclip__calloc(&c->allocator, (size_t)parts, sizeof(int));
    size_t p, hw = (size_t)o->H0 * o->W0;
    if (!failed) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    j->qcls = v->query_class, j->Q = v->n_queries, j->C = C, j->logit_scale = logit_scale;
    j->logits = o->logits, j->probs = o->probs, j->best = o->best, j->bv = o->bv;
    j->labels = o->labels, j->prob_thd = o->prob_thd, j->band_failed = failed, j->probs_user = o->probs_user;
    j->renorm = o->renorm;
    if (o->labels && o->area_thd > 0.f) { /* step 4 needs the argmax counts of the whole image */
        if (!(j->area = (int *)sclip__calloc(&c->allocator, (size_t)(parts + 1) * C, sizeof(int)))) {
            sclip__free(failed);
            return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
        }
        sum = j->area + (size_t)parts * C;
    }
    j->probs_band = sum ? NULL : o->probs_band; /* with step 4, the second pass hands them over */
    e = sclip__resize_run(c, j, hin, win, o->H0, o->W0);
    if (!e && sum) { /* labels only: the area filter's verdict, then a second pass where it matters */
        for (part = 0; part < parts; part++)
            for (k = 0; k < C; k++) sum[k] += j->area[(size_t)part * C + k];
        sclip__post_area_verdict(sum, C, o->area_thd);
        for (k = 1; k < C; k++) removed |= sum[k];
        j->zeroed = sum;
        j->area = NULL;
        j->probs_band = o->probs_band; /* every band then, not only those holding a removed class */
        if (removed || j->probs_band) e = sclip__resize_run(c, j, hin, win, o->H0, o->W0);
        j->area = sum - (size_t)parts * C;
    }
    if (!e && o->labels) /* step 5's threshold: below prob_thd is class 0 */
        for (p = 0; p < hw; p++) o->labels[p] = o->labels[p] & SCLIP__LOW ? 0 : o->labels[p];
    for (part = 0; part < parts; part++)
        if (!e && failed[part]) e = SCLIP__SEG_ECALLBACK;
    sclip__free(failed);
    sclip__free(j->area);
    if (e == SCLIP__SEG_ECALLBACK) return sclip__ctx_fail(c, SCLIP_ERROR_IO, "segment: the probs_band callback stopped it");
    if (e == SCLIP__SEG_ENOMEM) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    return e ? sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "segment: bad class map") : SCLIP_OK;
}

/* Cosine logits of one window of the resized image: dense tokens, L2-normalised, class token
   dropped, dot product with every query. Returns (gh*gw) x Q floats inside buf. */
static sclip_result sclip__seg_cosine(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W1, const int *box,
                                      const sclip_seg_desc *d, float *buf, float **cosm) {
    const sclip_model *m = c->model;
    int h = box[2], w = box[3], P = m->arch.patch_size, E = m->arch.embed_dim, L = (h / P) * (w / P) + 1, i;
    float *chw = buf, *tok = chw + (size_t)3 * h * w;
    sclip_result r;
    *cosm = tok + (size_t)L * E;
    sclip__normalize_crop(rgb, (size_t)W1 * 3, box[1], box[0], w, h, chw);
    if (d->method.kind == SCLIP_METHOD_SCCLIP) /* N rows, no class token: placed after a row 0 */
        r = sclip_encode_image_method(c, chw, h, w, &d->method, NULL, 0, 0.0f, tok + E, NULL);
    else if (d->method.kind == SCLIP_METHOD_RESCLIP)
        r = sclip_encode_image_method(c, chw, h, w, &d->method, v->features, v->n_queries, d->logit_scale, tok, NULL);
    else r = sclip_encode_image_dense(c, chw, h, w, &d->attn, tok, NULL);
    if (r != SCLIP_OK) return r;
    for (i = 1; i < L; i++) sclip__l2_normalize(tok + (size_t)i * E, E);
    m->kern->gemm_nt(L - 1, v->n_queries, E, 1.0f, tok + E, E, v->features, E, *cosm, v->n_queries);
    return SCLIP_OK;
}

/* Scratch for the cosine logits of a window of at most h x w pixels. */
static float *sclip__seg_buffer(sclip_context *c, const sclip_vocab *v, int h, int w) {
    int P = c->model->arch.patch_size;
    return (float *)sclip__alloc(&c->allocator, ((size_t)3 * h * w + ((size_t)(h / P) * (w / P) + 1) * (c->model->arch.embed_dim + (size_t)v->n_queries)) *
                                 sizeof(float));
}

/* Whole-image mode (no windows): the patch logits go straight to the original size, one
   bilinear resize, as the official forward_feature does. */
static sclip_result sclip__seg_whole(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W1, int H1,
                                     const sclip_seg_desc *d, const sclip__seg_out *o) {
    int box[4], P = c->model->arch.patch_size, gh = H1 / P, gw = W1 / P;
    float *buf = sclip__seg_buffer(c, v, H1, W1), *cosm = NULL, *up = NULL;
    sclip__resize_job j;
    sclip_result r = buf ? SCLIP_OK : sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    box[0] = box[1] = 0;
    box[2] = H1;
    box[3] = W1;
    if (r == SCLIP_OK) r = sclip__seg_cosine(c, v, rgb, W1, box, d, buf, &cosm);
    memset(&j, 0, sizeof j);
    j.in = cosm, j.cs = 1, j.ys = (ptrdiff_t)gw * v->n_queries, j.xs = v->n_queries; /* token-major */
    if (r == SCLIP_OK && d->method.kind == SCLIP_METHOD_RESCLIP) { /* ResCLIP: to the resized size first, then on */
        up = (float *)sclip__alloc_array(&c->allocator, (size_t)v->n_queries * H1, (size_t)W1 * sizeof(float));
        if (!up || sclip__bilinear(&c->allocator, cosm, v->n_queries, gh, gw, 1, j.ys, j.xs, up, H1, W1, (ptrdiff_t)H1 * W1, W1, 0))
            r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
        j.in = up, j.cs = (ptrdiff_t)H1 * W1, j.ys = W1, j.xs = 1, gh = H1, gw = W1;
    }
    if (r == SCLIP_OK) r = sclip__seg_final(c, v, &j, gh, gw, d->logit_scale, o);
    sclip__free(up);
    if (c->progress) c->progress(c->progress_user, "windows", 1, 1);
    sclip__free(buf);
    return r;
}

/* Patch logits of window k, token-major ((gh*gw) x Q), into the channel-major planes of the
   sliding-window source (contiguous rows for the upsampling's vector path). */
static void sclip__slide_store(float *wcos, int k, const float *cosm, int Q, int tokens) {
    float *dst = wcos + (size_t)k * Q * tokens;
    int q, i;
    for (i = 0; i < tokens; i++)
        for (q = 0; q < Q; q++) dst[(size_t)q * tokens + i] = cosm[(size_t)i * Q + q];
}

/* Sliding windows over the resized image (forward_slide): the windows' patch logits are kept
   (Q x gh x gw floats each, 1/64 of the (Q, H1, W1) sum for 224-pixel windows at stride 112);
   the final resize then makes the windows' mean, each window upsampled bilinearly to its pixels
   and the sum divided by the windows over the pixel, for the rows each band of output reads. */
static sclip_result sclip__seg_slide(sclip_context *c, const sclip_vocab *v, const uint8_t *rgb, int W1, int H1,
                                     const sclip_seg_desc *d, const sclip__seg_out *o) {
    int n = sclip__window_count(H1, W1, d->crop, d->stride), k, Q = v->n_queries, P = c->model->arch.patch_size, gh = 0, gw = 0;
    int tables = 0;
    int *boxes = (int *)sclip__alloc_array(&c->allocator, (size_t)4 * (n ? n : 1) + (size_t)H1 + (size_t)W1, sizeof(int));
    float *buf = sclip__seg_buffer(c, v, d->crop < H1 ? d->crop : H1, d->crop < W1 ? d->crop : W1), *cosm, *wcos = NULL;
    sclip__slide_src src;
    sclip__resize_job j;
    sclip__lerp2 wt;
    sclip_result r = boxes && buf ? SCLIP_OK : sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    if (r == SCLIP_OK) { /* every window has the same size: the crop, or the image's side when it is smaller */
        sclip__windows(H1, W1, d->crop, d->stride, boxes);
        gh = boxes[2] / P, gw = boxes[3] / P;
        wcos = (float *)sclip__alloc_array(&c->allocator, (size_t)n * Q, (size_t)gh * gw * sizeof(float));
        tables = wcos && !sclip__lerp2_init(&c->allocator, &wt, gh, gw, boxes[2], boxes[3]);
        if (!tables) r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory");
    }
    if (r == SCLIP_OK) {
        sclip__slide_setup(&src, wcos, boxes, n, Q, H1, W1, d->crop, d->stride, &wt);
        if (!sclip__slide_covered(&src)) /* the official code asserts this too */
            r = sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT,
                                "segment: stride %d > crop %d leaves pixels of the %dx%d resized image in no window", d->stride,
                                d->crop, W1, H1);
    }
    for (k = 0; k < n && r == SCLIP_OK; k++) {
        r = sclip__seg_cosine(c, v, rgb, W1, boxes + 4 * k, d, buf, &cosm);
        if (r == SCLIP_OK) sclip__slide_store(wcos, k, cosm, Q, gh * gw);
        if (c->progress) c->progress(c->progress_user, "windows", k + 1, n);
    }
    if (r == SCLIP_OK) {
        memset(&j, 0, sizeof j);
        j.slide = &src;
        r = sclip__seg_final(c, v, &j, H1, W1, d->logit_scale, o);
    }
    if (tables) sclip__lerp2_free(&wt);
    sclip__free(wcos);
    sclip__free(buf);
    sclip__free(boxes);
    return r;
}

/* PAMR guided by the normalised resized image, bilinearly resized to the original size. */
static sclip_result sclip__seg_pamr(sclip_context *c, const uint8_t *rgb1, int W1, int H1, int W0, int H0, float *logits, int Q,
                                    int steps) {
    static const int dilations[2] = {8, 16};
    float *norm = (float *)sclip__alloc(&c->allocator, (size_t)3 * W1 * H1 * sizeof(float)), *img = (float *)sclip__alloc(&c->allocator, (size_t)3 * W0 * H0 * sizeof(float));
    int e = !norm || !img;
    if (!e) {
        sclip__normalize_crop(rgb1, (size_t)W1 * 3, 0, 0, W1, H1, norm);
        e = sclip__bilinear(&c->allocator, norm, 3, H1, W1, (ptrdiff_t)H1 * W1, W1, 1, img, H0, W0, (ptrdiff_t)H0 * W0, W0, 0);
    }
    if (!e) e = sclip__pamr(c, img, logits, Q, H0, W0, steps, dilations, 2, 0);
    sclip__free(norm);
    sclip__free(img);
    return e ? sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "segment: out of memory in PAMR") : SCLIP_OK;
}

/* ============================================================================================
   Methods: SC-CLIP and ResCLIP (manual section 10), exactly as their official code computes them.
   Both run the tower's blocks 0 .. L-2 unchanged (sclip__vision_tokens_taps keeps the streams
   and attention weights they read), then their own last block. Notation: X_i the residual
   stream after block i, N patches (gh x gw, row-major), T = 1 + N tokens, C the width, s =
   head_dim^-1/2, rownorm(A) = A with each row divided by (its sum + eps).
   ============================================================================================ */

/* The options with every default filled in. */
typedef struct sclip__mparams {
    int p, a, m0, m1;           /* SC-CLIP: pre_adjust_idx, post_adjust_idx, multi_start_idx, multi_end_idx */
    double rho, beta;           /* res_cls, beta */
    double temp_thd, tau_r, lam_r, tau_s, lam_s, sigma; /* ResCLIP */
    int del;                    /* delete_same_entity */
} sclip__mparams;

static const char *const sclip__mopt_names[SCLIP_MOPT_COUNT] = {
    "pre_adjust_idx", "post_adjust_idx", "multi_start_idx", "multi_end_idx", "res_cls", "beta",
    "temp_thd", "attn_rcs_weights", "attn_sfr_weights", "delete_same_entity", "gaussian_std"};

static void sclip__method_resolve(const sclip_method_desc *m, sclip__mparams *o) {
    unsigned s = m ? m->set : 0;
#define SCLIP__MOPT(bit, field, def) ((s >> (bit)) & 1u ? m->field : (def))
    o->p = SCLIP__MOPT(SCLIP_MOPT_PRE_ADJUST_IDX, pre_adjust_idx, 8);
    o->a = SCLIP__MOPT(SCLIP_MOPT_POST_ADJUST_IDX, post_adjust_idx, 3);
    o->m0 = SCLIP__MOPT(SCLIP_MOPT_MULTI_START_IDX, multi_start_idx, 3);
    o->m1 = SCLIP__MOPT(SCLIP_MOPT_MULTI_END_IDX, multi_end_idx, 10);
    o->rho = SCLIP__MOPT(SCLIP_MOPT_RES_CLS, res_cls, 0.3);
    o->beta = SCLIP__MOPT(SCLIP_MOPT_BETA, beta, 0.4);
    o->temp_thd = SCLIP__MOPT(SCLIP_MOPT_TEMP_THD, temp_thd, 0.1); /* demo.py's values */
    o->tau_r = SCLIP__MOPT(SCLIP_MOPT_ATTN_RCS_WEIGHTS, attn_rcs_weights[0], 2.0);
    o->lam_r = SCLIP__MOPT(SCLIP_MOPT_ATTN_RCS_WEIGHTS, attn_rcs_weights[1], 0.6);
    o->tau_s = SCLIP__MOPT(SCLIP_MOPT_ATTN_SFR_WEIGHTS, attn_sfr_weights[0], 2.1);
    o->lam_s = SCLIP__MOPT(SCLIP_MOPT_ATTN_SFR_WEIGHTS, attn_sfr_weights[1], 0.6);
    o->del = SCLIP__MOPT(SCLIP_MOPT_DELETE_SAME_ENTITY, delete_same_entity, 1);
    o->sigma = SCLIP__MOPT(SCLIP_MOPT_GAUSSIAN_STD, gaussian_std, 5.0);
#undef SCLIP__MOPT
}

SCLIPDEF void sclip_method_fill_defaults(sclip_method_desc *m) {
    sclip__mparams p;
    if (!m) return;
    sclip__method_resolve(m, &p);
    m->pre_adjust_idx = p.p, m->post_adjust_idx = p.a, m->multi_start_idx = p.m0, m->multi_end_idx = p.m1;
    m->res_cls = p.rho, m->beta = p.beta, m->temp_thd = p.temp_thd;
    m->attn_rcs_weights[0] = p.tau_r, m->attn_rcs_weights[1] = p.lam_r;
    m->attn_sfr_weights[0] = p.tau_s, m->attn_sfr_weights[1] = p.lam_s;
    m->delete_same_entity = p.del, m->gaussian_std = p.sigma;
    m->set = (1u << SCLIP_MOPT_COUNT) - 1u;
}

SCLIPDEF const char *sclip_method_name(sclip_method m) {
    return m == SCLIP_METHOD_SCLIP ? "sclip" : m == SCLIP_METHOD_SCCLIP ? "scclip" : m == SCLIP_METHOD_RESCLIP ? "resclip" : "unknown";
}

SCLIPDEF int sclip_method_parse(const char *name) {
    if (!name) return -1;
    if (!strcmp(name, "sclip")) return SCLIP_METHOD_SCLIP;
    if (!strcmp(name, "scclip") || !strcmp(name, "sc-clip")) return SCLIP_METHOD_SCCLIP;
    if (!strcmp(name, "resclip")) return SCLIP_METHOD_RESCLIP;
    return -1;
}

static void sclip__errf(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    if (!err || !cap) return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* A finite number spanning the whole of [s, e). */
static int sclip__parse_double(const char *s, const char *e, double *out) {
    char buf[64], *end;
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    *out = strtod(buf, &end);
    return *end == 0 && end != buf && *out == *out && *out < HUGE_VAL && *out > -HUGE_VAL;
}

SCLIPDEF sclip_result sclip_method_opt_parse(const char *kv, sclip_method_desc *m, char *err, size_t cap) {
    const char *eq = kv ? strchr(kv, '=') : NULL, *v, *end, *comma;
    int k, lo, hi;
    double x = 0, y = 0;
    if (!kv || !m) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (!eq) {
        sclip__errf(err, cap, "'%s' is not KEY=VALUE", kv);
        return SCLIP_ERROR_INVALID_ARGUMENT;
    }
    for (k = 0; k < SCLIP_MOPT_COUNT; k++)
        if (strlen(sclip__mopt_names[k]) == (size_t)(eq - kv) && !strncmp(kv, sclip__mopt_names[k], (size_t)(eq - kv))) break;
    lo = m->kind == SCLIP_METHOD_SCCLIP ? 0 : m->kind == SCLIP_METHOD_RESCLIP ? SCLIP_MOPT_TEMP_THD : SCLIP_MOPT_COUNT;
    hi = m->kind == SCLIP_METHOD_SCCLIP ? SCLIP_MOPT_TEMP_THD : SCLIP_MOPT_COUNT;
    if (k == SCLIP_MOPT_COUNT || k < lo || k >= hi) {
        sclip__errf(err, cap, "unknown option '%.*s' for method %s (%s)", (int)(eq - kv), kv, sclip_method_name(m->kind),
                    m->kind == SCLIP_METHOD_SCCLIP    ? "pre_adjust_idx, post_adjust_idx, multi_start_idx, multi_end_idx, res_cls, beta"
                    : m->kind == SCLIP_METHOD_RESCLIP ? "temp_thd, attn_rcs_weights, attn_sfr_weights, delete_same_entity, gaussian_std"
                                                      : "sclip has no method options");
        return SCLIP_ERROR_INVALID_ARGUMENT;
    }
    v = eq + 1;
    end = v + strlen(v);
    if (k == SCLIP_MOPT_DELETE_SAME_ENTITY) {
        int t = !strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "1");
        if (!t && strcmp(v, "false") && strcmp(v, "False") && strcmp(v, "0")) {
            sclip__errf(err, cap, "delete_same_entity must be true or false, not '%s'", v);
            return SCLIP_ERROR_INVALID_ARGUMENT;
        }
        m->delete_same_entity = t;
    } else if (k == SCLIP_MOPT_ATTN_RCS_WEIGHTS || k == SCLIP_MOPT_ATTN_SFR_WEIGHTS) {
        comma = strchr(v, ',');
        if (!comma || !sclip__parse_double(v, comma, &x) || !sclip__parse_double(comma + 1, end, &y)) {
            sclip__errf(err, cap, "%s must be two numbers TAU,LAMBDA (e.g. 2.0,0.3), not '%s'", sclip__mopt_names[k], v);
            return SCLIP_ERROR_INVALID_ARGUMENT;
        }
        if (k == SCLIP_MOPT_ATTN_RCS_WEIGHTS) m->attn_rcs_weights[0] = x, m->attn_rcs_weights[1] = y;
        else m->attn_sfr_weights[0] = x, m->attn_sfr_weights[1] = y;
    } else if (!sclip__parse_double(v, end, &x)) {
        sclip__errf(err, cap, "%s must be a number, not '%s'", sclip__mopt_names[k], v);
        return SCLIP_ERROR_INVALID_ARGUMENT;
    } else if (k <= SCLIP_MOPT_MULTI_END_IDX) {
        if (x != floor(x) || x < 0 || x > 63) {
            sclip__errf(err, cap, "%s must be a block index (an integer in 0..63), not '%s'", sclip__mopt_names[k], v);
            return SCLIP_ERROR_INVALID_ARGUMENT;
        }
        if (k == SCLIP_MOPT_PRE_ADJUST_IDX) m->pre_adjust_idx = (int)x;
        if (k == SCLIP_MOPT_POST_ADJUST_IDX) m->post_adjust_idx = (int)x;
        if (k == SCLIP_MOPT_MULTI_START_IDX) m->multi_start_idx = (int)x;
        if (k == SCLIP_MOPT_MULTI_END_IDX) m->multi_end_idx = (int)x;
    } else if (k == SCLIP_MOPT_GAUSSIAN_STD && !(x > 0)) {
        sclip__errf(err, cap, "gaussian_std must be above 0, not '%s'", v);
        return SCLIP_ERROR_INVALID_ARGUMENT;
    } else if (k == SCLIP_MOPT_RES_CLS) m->res_cls = x;
    else if (k == SCLIP_MOPT_BETA) m->beta = x;
    else if (k == SCLIP_MOPT_TEMP_THD) m->temp_thd = x;
    else m->gaussian_std = x;
    m->set |= 1u << k;
    return SCLIP_OK;
}

/* A method against the model and a window of gh x gw patches (gh = 0: the model only). */
static sclip_result sclip__method_check(sclip_context *c, const sclip_method_desc *md, int gh, int gw) {
    int L = c->model->arch.vision_layers, N = gh * gw;
    sclip__mparams p;
    if (!md || md->kind == SCLIP_METHOD_SCLIP) return SCLIP_OK;
    if ((int)md->kind < 0 || (int)md->kind >= SCLIP_METHOD_COUNT)
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "method: unknown method %d", (int)md->kind);
    if (!c->model->vision.blocks) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "the model was loaded without its vision tower");
    sclip__method_resolve(md, &p);
    if (md->kind == SCLIP_METHOD_SCCLIP) {
        /* feats_list holds X_0 .. X_{L-2}: every index must be in it (the official code raises
           an IndexError otherwise) */
        if (p.p > L - 2 || p.a > L - 2 || p.m1 > L - 1 || p.m0 > p.m1 || p.p < 0 || p.a < 0 || p.m0 < 0)
            return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT,
                                   "scclip: pre_adjust_idx %d, post_adjust_idx %d and multi_start_idx..multi_end_idx %d..%d "
                                   "must lie in the blocks 0..%d before the last of this %d-layer model (start <= end <= %d): "
                                   "set them with --method-opt",
                                   p.p, p.a, p.m0, p.m1, L - 2, L, L - 1);
        if (gh && N < 31)
            return sclip__ctx_fail(c, SCLIP_ERROR_IMAGE_TOO_SMALL,
                                   "scclip: a window of %dx%d patches has %d patches; LOF needs at least 31 (its 30 neighbours)", gw,
                                   gh, N);
    } else if (L < 10)
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT,
                               "resclip: RCS averages the attention of blocks 5..8 (hard-coded): the model needs at least 10 "
                               "layers, this one has %d",
                               L);
    else if (!(p.sigma > 0)) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "resclip: gaussian_std must be above 0");
    else if (c->model->arch.patch_size > 64)
        return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "resclip: patches of %d pixels (the patch class map takes up to 64)",
                               c->model->arch.patch_size);
    return SCLIP_OK;
}

/* ---- shared pieces ---------------------------------------------------------------------------- */

/* a * b rounded on its own, never fused into an addition that follows (compilers that contract
   a * b + c into one multiply-add, as GCC in GNU mode or Clang by default do, would round once
   where PyTorch rounds twice, and move a decision that depends on the last bit). */
static float sclip__mul_rounded(float a, float b) {
    volatile float p = a * b;
    return p;
}

/* x.sum() of n contiguous floats in the order of PyTorch 1.13's CPU kernel with 8-lane vectors
   (SumKernel.cpp: 8-float vectors, 4 interleaved rows of them, a 4-level cascade of partial sums
   every 2^max(4, ceil(log2 rows) / 4) rows; the tail after the vectors, then the 8 lanes), so that
   the fp16 roundings that follow see the official bits. */
static float sclip__torch_sum(const float *x, int n) {
    float acc[4][4][8], part[4][8], fin = 0;
    int vecs = n / 8, rows = vecs / 4, lp = 0, step, i = 0, j, k, l;
    while ((1 << lp) < rows) lp++;
    lp = lp / 4 > 4 ? lp / 4 : 4;
    step = 1 << lp;
    memset(acc, 0, sizeof acc);
    for (; i + step <= rows;) {
        for (j = 0; j < step; j++, i++)
            for (k = 0; k < 4; k++)
                for (l = 0; l < 8; l++) acc[0][k][l] += x[(i * 4 + k) * 8 + l];
        for (j = 1; j < 4; j++) {
            for (k = 0; k < 4; k++)
                for (l = 0; l < 8; l++) acc[j][k][l] += acc[j - 1][k][l], acc[j - 1][k][l] = 0;
            if (i & ((step - 1) << (j * lp))) break;
        }
    }
    for (; i < rows; i++)
        for (k = 0; k < 4; k++)
            for (l = 0; l < 8; l++) acc[0][k][l] += x[(i * 4 + k) * 8 + l];
    for (j = 1; j < 4; j++)
        for (k = 0; k < 4; k++)
            for (l = 0; l < 8; l++) acc[0][k][l] += acc[j][k][l];
    memcpy(part, acc[0], sizeof part);
    for (i = rows * 4; i < vecs; i++)
        for (l = 0; l < 8; l++) part[0][l] += x[i * 8 + l];
    for (k = 1; k < 4; k++)
        for (l = 0; l < 8; l++) part[0][l] += part[k][l];
    for (i = vecs * 8; i < n; i++) fin += x[i];
    for (l = 0; l < 8; l++) fin += part[0][l];
    return fin;
}

/* fn(arg, r0, r1) over [0, n) split into contiguous ranges, one per thread. */
typedef struct sclip__range_job {
    void (*fn)(void *arg, int r0, int r1);
    void *arg;
    int n, parts;
} sclip__range_job;

static void sclip__range_task(void *arg, int i) {
    const sclip__range_job *j = (const sclip__range_job *)arg;
    int r0 = (int)((long long)j->n * i / j->parts), r1 = (int)((long long)j->n * (i + 1) / j->parts);
    if (r0 < r1) j->fn(j->arg, r0, r1);
}

static void sclip__for_ranges(sclip_context *c, int n, void (*fn)(void *, int, int), void *arg) {
    sclip__range_job j;
    j.fn = fn, j.arg = arg, j.n = n;
    j.parts = c->n_threads < n ? c->n_threads : n;
    if (j.parts < 1) return;
    sclip__parallel(c, sclip__range_task, &j, j.parts);
}

/* C = alpha A B' (nt) or A B (m x n, inner k), rows of C split across the threads (a row's
   result does not depend on the split: whole 6-row tiles). */
typedef struct sclip__mm_job {
    const sclip__kernels *kern;
    const float *a, *b;
    float *c;
    int m, n, k, lda, ldb, ldc, nt, tiles;
    float alpha;
} sclip__mm_job;

static void sclip__mm_rows(void *arg, int t0, int t1) {
    const sclip__mm_job *j = (const sclip__mm_job *)arg;
    int r0 = 6 * t0, r1 = 6 * t1 < j->m ? 6 * t1 : j->m;
    if (j->nt)
        j->kern->gemm_nt(r1 - r0, j->n, j->k, j->alpha, j->a + (size_t)r0 * j->lda, j->lda, j->b, j->ldb, j->c + (size_t)r0 * j->ldc, j->ldc);
    else
        j->kern->gemm_nn(r1 - r0, j->n, j->k, j->a + (size_t)r0 * j->lda, j->lda, j->b, j->ldb, j->c + (size_t)r0 * j->ldc, j->ldc, 0);
}

static void sclip__mm(sclip_context *c, int nt, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                      float *out, int ldc) {
    sclip__mm_job j;
    j.kern = c->model->kern;
    j.a = a, j.b = b, j.c = out, j.m = m, j.n = n, j.k = k, j.lda = lda, j.ldb = ldb, j.ldc = ldc, j.nt = nt, j.alpha = alpha;
    j.tiles = (m + 5) / 6;
    sclip__for_ranges(c, j.tiles, sclip__mm_rows, &j);
}

/* fn(arg, h, part) for every head h, the heads claimed by min(threads, heads) parts: a part's
   scratch (its scores) serves its heads in turn, so scratch grows with the threads, not the heads. */
typedef struct sclip__heads_job {
    void (*fn)(void *arg, int h, int part);
    void *arg;
    int heads, parts, next;
} sclip__heads_job;

static void sclip__heads_task(void *arg, int part) {
    sclip__heads_job *j = (sclip__heads_job *)arg;
    int h;
    for (h = sclip__claim(&j->next, -1, part, j->parts); h < j->heads; h = sclip__claim(&j->next, h, part, j->parts))
        j->fn(j->arg, h, part);
}

static int sclip__head_parts(const sclip_context *c) {
    return c->n_threads < c->model->vision.heads ? c->n_threads : c->model->vision.heads;
}

static void sclip__for_heads(sclip_context *c, void (*fn)(void *, int, int), void *arg) {
    sclip__heads_job j;
    j.fn = fn, j.arg = arg, j.heads = c->model->vision.heads, j.parts = sclip__head_parts(c), j.next = 0;
    sclip__parallel(c, sclip__heads_task, &j, j.parts);
}

/* x / ||x|| per row (the official feats / feats.norm(dim=-1), no epsilon). */
static void sclip__rows_unit(float *x, int rows, int n) {
    int r, i;
    for (r = 0; r < rows; r++) {
        float *p = x + (size_t)r * n, nrm;
        double s = 0;
        for (i = 0; i < n; i++) s += (double)p[i] * p[i];
        nrm = (float)sqrt(s);
        for (i = 0; i < n; i++) p[i] = p[i] / nrm;
    }
}

/* ln_post and proj on `rows` tokens x (C wide) into out (rows x embed_dim); tmp: rows x C. */
static void sclip__method_head(sclip_context *c, const float *x, int rows, float *tmp, float *out) {
    const sclip__tower *t = &c->model->vision;
    sclip__layer_norm_par(c, x, t->width, tmp, t->width, rows, t->width, t->ln_w, t->ln_b);
    sclip__linear_forward(c, &t->proj, rows, tmp, t->width, out, c->model->arch.embed_dim, SCLIP__EPI_NONE);
}

/* ---- SC-CLIP (METHODS.md section 2) ----------------------------------------------------------- */

/* The 30 nearest neighbours of patches [r0, r1) under D_ij = ||P_i - P_j||^2 (the norm squared,
   as the official torch.norm(...) ** 2): the 31 smallest D_ij ascending (ties: lower j first), the
   first dropped as the patch itself; kd_i = the last of them. */
typedef struct sclip__lof_job {
    const float *P;
    int N, C;
    float *kd;
    int *nb; /* N x 30 */
} sclip__lof_job;

static void sclip__lof_rows(void *arg, int r0, int r1) {
    const sclip__lof_job *j = (const sclip__lof_job *)arg;
    float d[31];
    int idx[31], i, k, q, n;
    for (i = r0; i < r1; i++) {
        const float *pi = j->P + (size_t)i * j->C;
        for (n = 0, k = 0; k < j->N; k++) {
            const float *pk = j->P + (size_t)k * j->C;
            double s = 0;
            float nrm, dk;
            int c;
            for (c = 0; c < j->C; c++) s += (double)(pi[c] - pk[c]) * (double)(pi[c] - pk[c]);
            nrm = (float)sqrt(s);
            dk = nrm * nrm;
            if (n == 31 && !(dk < d[30])) continue;
            q = n < 31 ? n++ : 30; /* insert dk, keeping d ascending */
            while (q > 0 && d[q - 1] > dk) d[q] = d[q - 1], idx[q] = idx[q - 1], q--;
            d[q] = dk, idx[q] = k;
        }
        j->kd[i] = d[30];
        for (k = 0; k < 30; k++) j->nb[(size_t)i * 30 + k] = idx[k + 1];
    }
}

static int sclip__cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* lof_pytorch(x, 30, 0.05) on the N x C patches: reach_ij = max(D_ij, kd_i) (the query's
   k-distance, the repo's non-standard reach), LRD_i = 30 / mean_j reach_ij, LOF_i = mean_j
   LRD_nb(j) / LRD_i; outliers: LOF_i > torch.quantile(LOF, 0.95) (linear between ranks, rank
   0.95f * (N - 1) in float). scores: 4N floats, nb: 30N ints. */
static void sclip__scclip_lof(sclip_context *c, const float *P, int N, int C, float *scores, int *nb, unsigned char *outlier) {
    float *kd = scores + N, *lrd = kd + N, *sorted = lrd + N, rank, w, lo, hi, thr;
    sclip__lof_job j;
    int i, k, r;
    j.P = P, j.N = N, j.C = C, j.kd = kd, j.nb = nb;
    sclip__for_ranges(c, N, sclip__lof_rows, &j);
    for (i = 0; i < N; i++) {
        float s = 0;
        for (k = 0; k < 30; k++) s += kd[i]; /* every reach_ij of i is kd_i */
        lrd[i] = 30.0f / (s / 30.0f);
    }
    for (i = 0; i < N; i++) {
        float s = 0;
        for (k = 0; k < 30; k++) s += lrd[nb[(size_t)i * 30 + k]] / lrd[i];
        scores[i] = s / 30.0f;
    }
    memcpy(sorted, scores, (size_t)N * sizeof(float));
    qsort(sorted, (size_t)N, sizeof(float), sclip__cmp_float);
    rank = 0.95f * (float)(N - 1);
    r = (int)floorf(rank);
    w = rank - (float)r;
    lo = sorted[r];
    hi = sorted[r + 1 < N ? r + 1 : r];
    thr = w < 0.5f ? lo + sclip__mul_rounded(w, hi - lo) : hi - sclip__mul_rounded(hi - lo, 1.0f - w); /* torch.lerp */
    for (i = 0; i < N; i++) outlier[i] = scores[i] > thr;
}

/* mean_interpolation: each outlier patch of the gh x gw grid (row-major; the official code's
   div/mod by gh is the same on its square grids) becomes the mean of its 8 neighbours that are
   inside the grid and not outliers, from the original values; kept when it has none. src and
   dst: N x C (dst a copy of src outside the outliers). */
static void sclip__scclip_repair(const float *src, int lds, float *dst, int gh, int gw, int C, const unsigned char *outlier) {
    int N = gh * gw, o, r, cc, dy, dx, ch;
    for (o = 0; o < N; o++) memcpy(dst + (size_t)o * C, src + (size_t)o * lds, (size_t)C * sizeof(float));
    for (o = 0; o < N; o++) {
        int cnt = 0;
        float *d = dst + (size_t)o * C;
        if (!outlier[o]) continue;
        r = o / gw, cc = o % gw;
        for (ch = 0; ch < C; ch++) d[ch] = 0.0f;
        for (dy = -1; dy <= 1; dy++)
            for (dx = -1; dx <= 1; dx++) {
                int y = r + dy, x = cc + dx;
                const float *s;
                if ((!dy && !dx) || y < 0 || y >= gh || x < 0 || x >= gw || outlier[y * gw + x]) continue;
                s = src + (size_t)(y * gw + x) * lds;
                for (ch = 0; ch < C; ch++) d[ch] += s[ch];
                cnt++;
            }
        if (!cnt) memcpy(d, src + (size_t)o * lds, (size_t)C * sizeof(float));
        else
            for (ch = 0; ch < C; ch++) d[ch] = d[ch] / (float)cnt;
    }
}

/* S = G G' of the unit rows of G (N x C, normalised in place), entries < beta set to 0 (kept
   whole in `raw` when not NULL), then rownorm(S) = S / (row sum + 1e-6). */
static void sclip__scclip_simi(sclip_context *c, float *G, int N, int C, float beta, float *S, float *raw) {
    int i, j;
    sclip__rows_unit(G, N, C);
    sclip__mm(c, 1, N, N, C, 1.0f, G, C, G, C, S, N);
    if (raw) memcpy(raw, S, (size_t)N * N * sizeof(float));
    for (i = 0; i < N; i++) {
        float *row = S + (size_t)i * N, sum;
        for (j = 0; j < N; j++)
            if (row[j] < beta) row[j] = 0.0f;
        sum = sclip__torch_sum(row, N) + 1e-6f;
        for (j = 0; j < N; j++) row[j] = row[j] / sum;
    }
}

/* custom_attn's heads: A_h = (softmax(M) + softmax(s k_h k_h')) / 2, o_h = A_h v_h. */
typedef struct sclip__sc_attn_job {
    const sclip__kernels *kern;
    const float *qkv, *sm;
    float *o, *scores;
    int n, C, hd;
    float scale;
} sclip__sc_attn_job;

static void sclip__sc_attn_head(void *arg, int h, int part) {
    const sclip__sc_attn_job *j = (const sclip__sc_attn_job *)arg;
    int n = j->n, i, t;
    {
        const float *k = j->qkv + j->C + (size_t)h * j->hd, *v = k + j->C;
        float *S = j->scores + (size_t)part * n * n;
        j->kern->gemm_nt(n, n, j->hd, j->scale, k, 3 * j->C, k, 3 * j->C, S, n);
        for (i = 0; i < n; i++) {
            float *row = S + (size_t)i * n;
            const float *m = j->sm + (size_t)i * n;
            sclip__softmax(j->kern, row, n);
            for (t = 0; t < n; t++) row[t] = (m[t] + row[t]) / 2.0f;
        }
        j->kern->gemm_nn(n, j->hd, n, S, n, v, 3 * j->C, j->o + (size_t)h * j->hd, j->C, 0);
    }
}

/* Scratch of the SC-CLIP last block for n tokens: ln (n C), qkv (3 n C), o (n C), scores. */
typedef struct sclip__sc_bufs {
    float *ln, *qkv, *o, *scores;
} sclip__sc_bufs;

/* out = custom_attn(ln_1(in)) + rho * cls over n tokens (in, out: n x C; out_proj with its bias,
   no residual, no MLP). sm: softmax(M), n x n, shared by the heads. */
static void sclip__scclip_block(sclip_context *c, const float *in, int n, const float *sm, const float *cls, float rho,
                                const sclip__sc_bufs *b, float *out) {
    const sclip__tower *t = &c->model->vision;
    const sclip__block *blk = &t->blocks[t->layers - 1];
    int C = t->width, i, ch;
    sclip__sc_attn_job j;
    sclip__layer_norm_par(c, in, C, b->ln, C, n, C, blk->ln1_w, blk->ln1_b);
    sclip__linear_forward(c, &blk->qkv, n, b->ln, C, b->qkv, 3 * C, SCLIP__EPI_NONE);
    j.kern = c->model->kern;
    j.qkv = b->qkv, j.sm = sm, j.o = b->o, j.scores = b->scores, j.n = n, j.C = C, j.hd = C / t->heads;
    j.scale = 1.0f / sqrtf((float)j.hd);
    sclip__for_heads(c, sclip__sc_attn_head, &j);
    sclip__linear_forward(c, &blk->out, n, b->o, C, out, C, SCLIP__EPI_NONE);
    for (i = 0; i < n; i++)
        for (ch = 0; ch < C; ch++) out[(size_t)i * C + ch] += rho * cls[ch];
}

/* softmax(M) per row, M = 3 (mid - mean(mid)) with entries < 0 set to -inf (the diagonal stays). */
static void sclip__scclip_mid_softmax(const sclip__kernels *kern, const float *mid, int N, float *sm) {
    size_t i, n = (size_t)N * N;
    float mean = sclip__torch_sum(mid, N * N) / (float)n; /* torch.mean: the sum, then / n */
    int r;
    for (i = 0; i < n; i++) {
        float m = (mid[i] - mean) * 3.0f;
        sm[i] = m < 0.0f ? -INFINITY : m;
    }
    for (r = 0; r < N; r++) sclip__softmax(kern, sm + (size_t)r * N, N);
}

/* The rank of bit i among the set bits of mask (the slot of X_i in sclip__taps.keep_out). */
static int sclip__bit_rank(uint64_t mask, int i) {
    int k = 0, b;
    for (b = 0; b < i; b++) k += (int)((mask >> b) & 1);
    return k;
}

/* SC-CLIP's visual forward (return_all) for one window: out N x embed_dim, no class token.
   With X' the repaired X_{L-2}[1:], F and G the unit rows of X_p[1:] (repaired) and X_a[1:],
   mid = F F', S_b = mid >= beta, T = G G' >= beta, R = sum_{m0 <= i < m1} X_i:
     x1 = attn(ln_1(rownorm(S_b) X')) + rho cls,   x2 = rownorm(T) x1
     x3 = rownorm(T) (attn(ln_1(R[1:])) + rho R[0]),   out = ln_post(x2 + x3) proj
   attn(.)'s weights: (softmax(3 (mid - mean mid), < 0 masked) + softmax(s k k')) / 2. */
static sclip_result sclip__scclip_dense(sclip_context *c, const float *chw, int h, int w, const sclip__mparams *mp, float *out,
                                        float *lof_out, unsigned char *outlier_out) {
    const sclip_model *m = c->model;
    int P = m->arch.patch_size, C = m->vision.width, gh = h / P, gw = w / P, N = gh * gw, T = N + 1, L = m->vision.layers;
    int parts = sclip__head_parts(c), i, k;
    size_t NC = (size_t)N * C, NN = (size_t)N * N, TC = (size_t)T * C;
    float *mem, *keep, *sum, *Xr, *G, *mid, *Sb, *Tm, *sm, *x1, *x3, *cls, *lof;
    unsigned char *outlier;
    int *nb;
    float beta = (float)mp->beta, rho = (float)mp->rho;
    sclip__taps tp;
    sclip__sc_bufs b;
    sclip__block_buf buf;
    float *x = NULL;
    int Lt = 0;
    sclip_result r;
    sclip_method_desc dummy;
    memset(&dummy, 0, sizeof dummy);
    dummy.kind = SCLIP_METHOD_SCCLIP;
    dummy.set = (1u << SCLIP_MOPT_PRE_ADJUST_IDX) | (1u << SCLIP_MOPT_POST_ADJUST_IDX) | (1u << SCLIP_MOPT_MULTI_START_IDX) |
                (1u << SCLIP_MOPT_MULTI_END_IDX);
    dummy.pre_adjust_idx = mp->p, dummy.post_adjust_idx = mp->a, dummy.multi_start_idx = mp->m0, dummy.multi_end_idx = mp->m1;
    if ((r = sclip__check_image(c, chw, h, w)) != SCLIP_OK || (r = sclip__method_check(c, &dummy, gh, gw)) != SCLIP_OK) return r;
    mem = (float *)sclip__alloc_array(&c->allocator, 3 * TC + 5 * NC + 4 * NN + (size_t)parts * NN + 8 * (size_t)N + C + 64 + NC * 5 + 30 * (size_t)N,
                                      sizeof(float));
    if (!mem) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "scclip: out of memory for %d patches", N);
    keep = mem, sum = keep + 2 * TC, Xr = sum + TC, G = Xr + NC, mid = G + NC, Sb = mid + NN, Tm = Sb + NN, sm = Tm + NN;
    x1 = sm + NN, x3 = x1 + NC, cls = x3 + NC, lof = cls + C, b.ln = lof + 4 * (size_t)N, b.qkv = b.ln + NC, b.o = b.qkv + 3 * NC;
    b.scores = b.o + NC, nb = (int *)(void *)(b.scores + (size_t)parts * NN), outlier = (unsigned char *)(nb + 30 * (size_t)N);
    memset(&tp, 0, sizeof tp);
    tp.blocks = L - 1;
    tp.keep = ((uint64_t)1 << mp->p) | ((uint64_t)1 << mp->a);
    tp.keep_out = keep;
    for (k = mp->m0; k < mp->m1; k++) tp.sum |= (uint64_t)1 << k;
    tp.sum_out = sum;
    if (!tp.sum) memset(sum, 0, TC * sizeof(float));
    r = sclip__vision_tokens(c, chw, h, w, NULL, NULL, &x, &Lt, &buf, &tp);
    if (r != SCLIP_OK) {
        sclip__free(mem);
        return r;
    }
    memcpy(cls, x, (size_t)C * sizeof(float));
    /* outliers of X_{L-2}'s patches, repaired there and in X_p */
    sclip__scclip_lof(c, x + C, N, C, lof, nb, outlier);
    if (lof_out) memcpy(lof_out, lof, (size_t)N * sizeof(float));
    if (outlier_out) memcpy(outlier_out, outlier, (size_t)N);
    sclip__scclip_repair(x + C, C, Xr, gh, gw, C, outlier);
    sclip__scclip_repair(keep + (size_t)sclip__bit_rank(tp.keep, mp->p) * TC + C, C, G, gh, gw, C, outlier);
    sclip__scclip_simi(c, G, N, C, beta, Sb, mid);
    sclip__mm(c, 0, N, C, N, 1.0f, Sb, N, Xr, C, x1, C); /* Y = rownorm(S_b) X' (into x1) */
    sclip__scclip_mid_softmax(c->model->kern, mid, N, sm);
    sclip__scclip_block(c, x1, N, sm, cls, rho, &b, x3); /* x1' = attn(ln_1(Y)) + rho cls (into x3) */
    memcpy(G, keep + (size_t)sclip__bit_rank(tp.keep, mp->a) * TC + C, NC * sizeof(float));
    sclip__scclip_simi(c, G, N, C, beta, Tm, NULL);
    sclip__mm(c, 0, N, C, N, 1.0f, Tm, N, x3, C, x1, C); /* x2 = rownorm(T) x1' (into x1) */
    sclip__scclip_block(c, sum + C, N, sm, sum, rho, &b, Xr); /* multi-level fusion */
    sclip__mm(c, 0, N, C, N, 1.0f, Tm, N, Xr, C, x3, C);
    for (i = 0; i < (int)NC; i++) x1[i] += x3[i];
    sclip__method_head(c, x1, N, b.ln, out);
    sclip__free(mem);
    return SCLIP_OK;
}

/* ---- ResCLIP (METHODS.md section 3) ----------------------------------------------------------- */

/* torch.exp on float32 as PyTorch 1.13 computes it on an AVX2 CPU: SLEEF's expf_u10 (fused
   multiply-adds), checked bit for bit against it. ResCLIP's Gaussian terms and decays go through
   fp16 roundings where one ulp can flip a result. */
static float sclip__torch_expf(float d) {
    float s, u;
    int q;
    if (d < -104.0f) return 0.0f;
    q = (int)rintf(d * 1.442695040888963407359924681001892137426645954152985934135449406931f);
    s = fmaf((float)q, -0.693145751953125f, d);
    s = fmaf((float)q, -1.428606765330187045e-06f, s);
    u = 0.000198527617612853646278381f;
    u = fmaf(u, s, 0.00139304355252534151077271f);
    u = fmaf(u, s, 0.00833336077630519866943359f);
    u = fmaf(u, s, 0.0416664853692054748535156f);
    u = fmaf(u, s, 0.166666671633720397949219f);
    u = fmaf(u, s, 0.5f);
    u = 1.0f + fmaf(s * s, u, s);
    return ldexpf(u, q);
}

/* Element i of torch.linspace(a, b, n) in float32 as PyTorch 1.13 makes it on an AVX2 CPU
   (checked bit for bit): fma(step, i, a) for the first half, fma(-step, n-1-i, b) after (its
   compiler fuses them), except in the vector loop (16 elements a step, the last n % 16 scalar),
   where the 8 elements from i0 = i - i % 8 are base + (i - i0) step, base the formula at i0. The
   path check rounds these to patch coordinates, so one ulp can move a sample. */
static float sclip__linspace(float a, float b, int n, int i) {
    float step = n > 1 ? (b - a) / (float)(n - 1) : 0.0f, base;
    int i0 = i - i % 8;
    if (i >= n / 16 * 16) return i < n / 2 ? fmaf(step, (float)i, a) : fmaf(-step, (float)(n - 1 - i), b);
    base = i0 < n / 2 ? fmaf(step, (float)i0, a) : fmaf(-step, (float)(n - 1 - i0), b);
    return base + sclip__mul_rounded((float)(i - i0), step);
}

/* Omega (T x T, zero class row and column): NACLIP's gaussian_window / get_attention_addition,
   Omega_ij = exp(-(u_dr^2 + v_dc^2)) with u, v float32 linspaces of the offsets times
   1/(sigma sqrt 2) over windows of 2gh-1 x 2gw-1. */
static void sclip__resclip_omega(int gh, int gw, double sigma, float *om) {
    int N = gh * gw, T = N + 1, i, j, du = 2 * gh - 1, dv = 2 * gw - 1;
    double cst = 1.0 / (sigma * sqrt(2.0)), su = -(du - 1) / 2.0, sv = -(dv - 1) / 2.0;
    float u0 = (float)(su * cst), u1 = (float)((su + (du - 1)) * cst), v0 = (float)(sv * cst), v1 = (float)((sv + (dv - 1)) * cst);
    memset(om, 0, (size_t)T * T * sizeof(float));
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            int y = i / gw - j / gw + gh - 1, x = i % gw - j % gw + gw - 1; /* the window's cell */
            float a = sclip__linspace(u0, u1, du, y), b = sclip__linspace(v0, v1, dv, x);
            om[(size_t)(i + 1) * T + j + 1] = sclip__torch_expf(-(a * a + b * b));
        }
}

/* custom_attn's heads (arch wo_resi, strategy resclip): l = s k_h k_h'; with the SFR term
   l = tau_s ((1 - lambda_s) l + S2) (S2 = fp16(lambda_s fp16(SFR / max)), made once);
   W = softmax(l + Omega); W = tau_r ((1 - lambda_r) W + lambda_r RCS_h); o_h = W v_h. */
typedef struct sclip__rc_attn_job {
    const sclip__kernels *kern;
    const float *qkv, *omega, *rcs, *s2;
    float *o, *scores;
    int n, C, hd;
    float scale, tau_s, lam_s1, tau_r, lam_r1, lam_r;
} sclip__rc_attn_job;

static void sclip__rc_attn_head(void *arg, int h, int part) {
    const sclip__rc_attn_job *j = (const sclip__rc_attn_job *)arg;
    int n = j->n, i, t;
    {
        const float *k = j->qkv + j->C + (size_t)h * j->hd, *v = k + j->C, *R = j->rcs + (size_t)h * n * n;
        float *S = j->scores + (size_t)part * n * n;
        j->kern->gemm_nt(n, n, j->hd, j->scale, k, 3 * j->C, k, 3 * j->C, S, n);
        for (i = 0; i < n; i++) {
            float *row = S + (size_t)i * n;
            const float *om = j->omega + (size_t)i * n, *rr = R + (size_t)i * n;
            if (j->s2) {
                const float *s2 = j->s2 + (size_t)i * n;
                for (t = 0; t < n; t++) row[t] = j->tau_s * (j->lam_s1 * row[t] + s2[t]);
            }
            for (t = 0; t < n; t++) row[t] += om[t];
            sclip__softmax(j->kern, row, n);
            for (t = 0; t < n; t++) row[t] = j->tau_r * (j->lam_r1 * row[t] + j->lam_r * rr[t]);
        }
        j->kern->gemm_nn(n, j->hd, n, S, n, v, 3 * j->C, j->o + (size_t)h * j->hd, j->C, 0);
    }
}

/* The last block for T tokens from qkv (made once), then ln_post and proj: out T x embed_dim. */
static void sclip__resclip_block(sclip_context *c, sclip__rc_attn_job *j, float *y, float *tmp, float *out) {
    const sclip__tower *t = &c->model->vision;
    sclip__for_heads(c, sclip__rc_attn_head, j);
    sclip__linear_forward(c, &t->blocks[t->layers - 1].out, j->n, j->o, j->C, y, j->C, SCLIP__EPI_NONE);
    sclip__method_head(c, y, j->n, tmp, out);
}

/* The mode of the 16x16 labels of each patch (create_patch_matrix: torch.mode, smallest label on
   ties); pix: the H x W labels (W wide), lab: gh x gw. */
static void sclip__resclip_patch_mode(const int *pix, int W, int gh, int gw, int P, int *lab) {
    int r, cc, y, x, n, i, best, bestn, run;
    int v[4096];
    for (r = 0; r < gh; r++)
        for (cc = 0; cc < gw; cc++) {
            n = 0;
            for (y = 0; y < P; y++)
                for (x = 0; x < P; x++) {
                    int a = pix[(size_t)(r * P + y) * W + cc * P + x], q = n++;
                    while (q > 0 && v[q - 1] > a) v[q] = v[q - 1], q--; /* insertion sort */
                    v[q] = a;
                }
            best = v[0], bestn = 0;
            for (i = 0; i < n; i += run) {
                for (run = 1; i + run < n && v[i + run] == v[i]; run++) {}
                if (run > bestn) best = v[i], bestn = run;
            }
            lab[r * gw + cc] = best;
        }
}

/* generate_attention_sfr's rows [r0, r1) before the blur: E_ij = [lab_i == lab_j] (1 on the
   diagonal); with delete_same_entity, E_ij *= exp(-d_ij / S) unless every p_k = round(start (1 -
   t_k) + end t_k), k = 0..d_ij, has label lab_i (t = linspace(0, 1, S + 1), S the largest
   Chebyshev distance d: only the first d/S of the segment is sampled, the official quirk). */
typedef struct sclip__sfr_job {
    const int *lab;
    const float *t;
    float *E, *blur, *kernel;
    int gh, gw, S, del, K;
} sclip__sfr_job;

static void sclip__sfr_rows(void *arg, int r0, int r1) {
    const sclip__sfr_job *j = (const sclip__sfr_job *)arg;
    int N = j->gh * j->gw, i, k, m, half = j->K / 2;
    for (i = r0; i < r1; i++) {
        int ri = i / j->gw, ci = i % j->gw;
        float *e = j->E + (size_t)i * N, *o = j->blur + (size_t)i * N, sum;
        for (k = 0; k < N; k++) {
            int rk = k / j->gw, ck = k % j->gw, dr = rk > ri ? rk - ri : ri - rk, dc = ck > ci ? ck - ci : ci - ck;
            int d = dr > dc ? dr : dc, valid = 1, s;
            e[k] = i == k || j->lab[i] == j->lab[k] ? 1.0f : 0.0f;
            if (!j->del || d == 0) continue;
            for (s = 0; s <= d && valid; s++) {
                float a = j->t[s], b = 1.0f - a;
                int pr = (int)rintf(sclip__mul_rounded((float)ri, b) + sclip__mul_rounded((float)rk, a));
                int pc = (int)rintf(sclip__mul_rounded((float)ci, b) + sclip__mul_rounded((float)ck, a));
                valid = j->lab[pr * j->gw + pc] == j->lab[i];
            }
            if (!valid) e[k] = e[k] * sclip__torch_expf((float)(-d) / (float)j->S);
        }
        for (k = 0; k < N; k++) { /* conv1d with zero padding along the flattened row (fused
                                     multiply-adds in tap order: torch's CPU result bit for bit), relu */
            float acc = 0;
            for (m = 0; m < j->K; m++) {
                int q = k + m - half;
                acc = fmaf(q >= 0 && q < N ? e[q] : 0.0f, j->kernel[m], acc);
            }
            o[k] = acc > 0 ? acc : 0.0f;
        }
        sum = sclip__torch_sum(o, N) + 1e-8f;
        for (k = 0; k < N; k++) o[k] = o[k] / sum;
    }
}

/* The SFR matrix (T x T): E blurred along its rows, row-normalised, embedded with zero class row
   and column. E: scratch of 2 N x N floats. 0 when out of memory. */
static int sclip__resclip_sfr(sclip_context *c, const int *lab, int gh, int gw, const sclip__mparams *mp, float *E, float *S2) {
    int N = gh * gw, T = N + 1, i, k, K;
    float *t, *kernel, ksum = 0;
    sclip__sfr_job j;
    K = 6 * mp->sigma + 1 < (double)N ? (int)(6 * mp->sigma + 1) : N;
    K = K % 2 ? K : K + 1;
    j.S = (gh > gw ? gh : gw) - 1;
    if (!(t = (float *)sclip__alloc_array(&c->allocator, (size_t)j.S + 1 + (size_t)K, sizeof(float)))) return 0;
    kernel = t + j.S + 1;
    j.lab = lab, j.E = E, j.blur = E + (size_t)N * N, j.gh = gh, j.gw = gw, j.del = mp->del, j.t = t, j.kernel = kernel;
    for (k = 0; k <= j.S; k++) t[k] = sclip__linspace(0.0f, 1.0f, j.S + 1, k);
    for (k = 0; k < K; k++) { /* exp(-(x^2) / (2 sigma^2)), x = -K/2 .. K/2, normalised */
        int x = k - K / 2;
        kernel[k] = sclip__torch_expf((float)(-(double)x * x) / (float)(2.0 * mp->sigma * mp->sigma));
    }
    ksum = sclip__torch_sum(kernel, K);
    for (k = 0; k < K; k++) kernel[k] = kernel[k] / ksum;
    j.K = K;
    sclip__for_ranges(c, N, sclip__sfr_rows, &j);
    sclip__free(t);
    memset(S2, 0, (size_t)T * T * sizeof(float));
    for (i = 0; i < N; i++) memcpy(S2 + (size_t)(i + 1) * T + 1, j.blur + (size_t)i * N, (size_t)N * sizeof(float));
    return 1;
}

/* custom_attn's SFR term, in place on the T x T matrix: fp16(fp16(lambda_s) fp16(SFR / max SFR)).
   A Python float times an fp16 tensor stays fp16, and PyTorch 1.13 rounds the scalar to fp16
   first (0.7 becomes 0.7001953125): three roundings, checked against it bit for bit. */
static void sclip__resclip_sfr_term(float *S2, int T, double lam_s) {
    size_t p, n = (size_t)T * T;
    float mx = 0, lam = sclip__round_f16((float)lam_s);
    for (p = 0; p < n; p++) mx = S2[p] > mx ? S2[p] : mx;
    for (p = 0; p < n; p++) S2[p] = sclip__round_f16(lam * sclip__round_f16(S2[p] / mx));
}

/* The feedback pass's labels (create_logit_temp, create_patch_matrix): the patch tokens (tok,
   T x D) L2-normalised, cosine with the queries, bilinear to the window's h x w, PAMR(10, 8 16)
   guided by the window, softmax over the queries of logit_scale x, argmax (first on ties), 0
   below temp_thd, then each patch's mode. mask: Q h w floats; pix: h w ints; bv: h w floats. */
static sclip_result sclip__resclip_feedback(sclip_context *c, const float *chw, int h, int w, float *tok, const float *queries,
                                            int Q, float logit_scale, float temp_thd, float *cosm, float *mask, int *pix, float *bv, int *lab) {
    static const int dil[2] = {8, 16};
    int P = c->model->arch.patch_size, E = c->model->arch.embed_dim, gh = h / P, gw = w / P, N = gh * gw, i;
    size_t hw = (size_t)h * w;
    sclip__rows_unit(tok + E, N, E);
    sclip__mm(c, 1, N, Q, E, 1.0f, tok + E, E, queries, E, cosm, Q);
    if (sclip__bilinear(&c->allocator, cosm, Q, gh, gw, 1, (ptrdiff_t)gw * Q, Q, mask, h, w, (ptrdiff_t)hw, w, 0) ||
        sclip__pamr(c, chw, mask, Q, h, w, 10, dil, 2, 0))
        return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "resclip: out of memory in the feedback pass");
    sclip__post_probs(mask, hw, Q, mask, hw, hw, NULL, Q, logit_scale);
    sclip__argmax_range(mask, hw, Q, 0, hw, bv, pix);
    for (i = 0; i < (int)hw; i++)
        if (bv[i] < temp_thd) pix[i] = 0;
    sclip__resclip_patch_mode(pix, w, gh, gw, P, lab);
    return SCLIP_OK;
}

/* ResCLIP's visual forward (return_all) for one window: out (1 + N) x embed_dim. RCS =
   mean(A^5..A^8) of the vanilla blocks; a first last-block pass with RCS only gives the feedback
   labels, their SFR matrix, then the final pass with both. lab_out (may be NULL): the patch class
   map (N ints). */
static sclip_result sclip__resclip_dense(sclip_context *c, const float *chw, int h, int w, const sclip__mparams *mp,
                                         const float *queries, int Q, float logit_scale, float *out, int *lab_out) {
    const sclip_model *m = c->model;
    const sclip__tower *tw = &m->vision;
    int P = m->arch.patch_size, C = tw->width, E = m->arch.embed_dim, gh = h / P, gw = w / P, N = gh * gw, T = N + 1;
    int heads = tw->heads, parts = sclip__head_parts(c), Lt = 0, k;
    size_t TT = (size_t)T * T, TC = (size_t)T * C, hw = (size_t)h * w, need;
    float *mem, *rcs, *tmpa, *omega, *s2, *scores, *qkv, *ln, *o, *y, *tok, *cosb, *mask, *bv, *x = NULL;
    int *pix, *lab;
    sclip__taps tp;
    sclip__block_buf buf;
    sclip__rc_attn_job j;
    sclip_method_desc md;
    sclip_result r;
    memset(&md, 0, sizeof md);
    md.kind = SCLIP_METHOD_RESCLIP;
    if ((r = sclip__check_image(c, chw, h, w)) != SCLIP_OK || (r = sclip__method_check(c, &md, gh, gw)) != SCLIP_OK) return r;
    if (!queries || Q < 1) return sclip__ctx_fail(c, SCLIP_ERROR_INVALID_ARGUMENT, "resclip: the feedback pass needs text queries");
    need = (2 * (size_t)heads + (size_t)parts + 2) * TT + 6 * TC + (size_t)T * E + (size_t)N * Q + (size_t)Q * hw + 3 * hw + N + 64;
    mem = (float *)sclip__alloc_array(&c->allocator, need, sizeof(float));
    if (!mem) return sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "resclip: out of memory for %d patches", N);
    rcs = mem, tmpa = rcs + heads * TT, scores = tmpa + heads * TT, omega = scores + (size_t)parts * TT, s2 = omega + TT;
    qkv = s2 + TT, ln = qkv + 3 * TC, o = ln + TC, y = o + TC, tok = y + TC, cosb = tok + (size_t)T * E, mask = cosb + (size_t)N * Q;
    bv = mask + (size_t)Q * hw, pix = (int *)(void *)(bv + hw), lab = pix + hw;
    memset(&tp, 0, sizeof tp);
    tp.blocks = tw->layers - 1;
    tp.attn = (uint64_t)0xF << 5; /* blocks 5, 6, 7, 8 (hard-coded) */
    tp.attn_out = rcs, tp.attn_tmp = tmpa;
    if ((r = sclip__vision_tokens(c, chw, h, w, NULL, NULL, &x, &Lt, &buf, &tp)) != SCLIP_OK) {
        sclip__free(mem);
        return r;
    }
    for (k = 0; k < (int)(heads * TT); k++) rcs[k] = rcs[k] / 4.0f; /* torch.stack(...).mean(0) */
    sclip__resclip_omega(gh, gw, mp->sigma, omega);
    sclip__layer_norm_par(c, x, C, ln, C, T, C, tw->blocks[tw->layers - 1].ln1_w, tw->blocks[tw->layers - 1].ln1_b);
    sclip__linear_forward(c, &tw->blocks[tw->layers - 1].qkv, T, ln, C, qkv, 3 * C, SCLIP__EPI_NONE);
    memset(&j, 0, sizeof j);
    j.kern = c->model->kern;
    j.qkv = qkv, j.omega = omega, j.rcs = rcs, j.o = o, j.scores = scores, j.n = T, j.C = C, j.hd = C / heads;
    j.scale = 1.0f / sqrtf((float)j.hd);
    j.tau_s = (float)mp->tau_s, j.lam_s1 = (float)(1.0 - mp->lam_s);
    j.tau_r = (float)mp->tau_r, j.lam_r1 = (float)(1.0 - mp->lam_r), j.lam_r = (float)mp->lam_r;
    sclip__resclip_block(c, &j, y, ln, tok); /* the feedback pass: RCS only */
    r = sclip__resclip_feedback(c, chw, h, w, tok, queries, Q, logit_scale > 0 ? logit_scale : 40.0f, (float)mp->temp_thd, cosb,
                                mask, pix, bv, lab);
    if (r == SCLIP_OK && !sclip__resclip_sfr(c, lab, gh, gw, mp, tmpa, s2)) /* tmpa, scores: 2 N^2 free floats */
        r = sclip__ctx_fail(c, SCLIP_ERROR_OUT_OF_MEMORY, "resclip: out of memory");
    if (r == SCLIP_OK) {
        if (lab_out) memcpy(lab_out, lab, (size_t)N * sizeof(int));
        sclip__resclip_sfr_term(s2, T, mp->lam_s);
        j.s2 = s2;
        sclip__resclip_block(c, &j, y, ln, out);
    }
    sclip__free(mem);
    return r;
}

SCLIPDEF sclip_result sclip_encode_image_method(sclip_context *c, const float *chw, int h, int w, const sclip_method_desc *method,
                                                const float *queries, int n_queries, float logit_scale, float *out, int *n_tokens) {
    sclip__mparams mp;
    int P, N;
    sclip_result r;
    if (!c || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (!method || method->kind == SCLIP_METHOD_SCLIP) return sclip_encode_image_dense(c, chw, h, w, NULL, out, n_tokens);
    P = c->model->arch.patch_size;
    if ((r = sclip__check_image(c, chw, h, w)) != SCLIP_OK || (r = sclip__method_check(c, method, h / P, w / P)) != SCLIP_OK) return r;
    sclip__method_resolve(method, &mp);
    N = (h / P) * (w / P);
    if (method->kind == SCLIP_METHOD_SCCLIP) r = sclip__scclip_dense(c, chw, h, w, &mp, out, NULL, NULL);
    else r = sclip__resclip_dense(c, chw, h, w, &mp, queries, n_queries, logit_scale, out, NULL);
    if (r == SCLIP_OK && n_tokens) *n_tokens = method->kind == SCLIP_METHOD_SCCLIP ? N : N + 1;
    return r;
}

/* ============================================================================================
   Weights, the file (.sclip): parsing and validation. See the manual's section 7, "Weight file".
   Every number read from the file is checked before it is used.
   ============================================================================================ */
#define SCLIP__HEADER_SIZE 256
#define SCLIP__ENTRY_SIZE 96
#define SCLIP__MAX_TENSORS 4096
#define SCLIP__NAME_LEN 64
enum { SCLIP__DT_F32 = 0, SCLIP__DT_F16 = 1, SCLIP__DT_Q8 = 2, SCLIP__DT_BF16 = 3 };

typedef struct sclip__tensor_entry {
    char name[SCLIP__NAME_LEN];
    uint32_t dtype, ndim, shape[4];
    uint64_t offset, nbytes; /* offset from the start of the file (validated) */
    uint64_t count;          /* elements */
} sclip__tensor_entry;

typedef struct sclip__file {
    const unsigned char *base; /* the whole file in memory, or NULL: bytes come from read */
    sclip_read_fn read;
    void *user;
    size_t size;
    sclip_arch arch;
    unsigned char arch_bytes[64]; /* the header's architecture numbers, as stored */
    uint32_t n_tensors;
    sclip__tensor_entry *tensors;
    uint64_t vocab_offset, vocab_size;
} sclip__file;

/* [off, off+len) lies inside [0, size)? (overflow-safe) */
static int sclip__in_range(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

static int sclip__range_ok(int v, int lo, int hi) { return v >= lo && v <= hi; }

/* Architecture numbers: each in a sane range and consistent with the others. */
static sclip_result sclip__check_arch(const sclip_arch *a, char *err, size_t cap) {
    static const char *names[] = {"vision width", "vision layers", "vision heads", "vision MLP width", "patch size",
                                  "image size", "text width", "text layers", "text heads", "text MLP width",
                                  "context length", "vocabulary size", "embedding size"};
    const int v[] = {a->vision_width, a->vision_layers, a->vision_heads, a->vision_mlp, a->patch_size, a->image_size,
                     a->text_width, a->text_layers, a->text_heads, a->text_mlp, a->context_length, a->vocab_size,
                     a->embed_dim};
    const int hi[] = {8192, 128, 256, 65536, 64, 4096, 8192, 128, 256, 65536, 4096, 1 << 20, 8192};
    int i;
    for (i = 0; i < 13; i++)
        if (!sclip__range_ok(v[i], 1, hi[i]))
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: %s %d is out of range [1, %d]", names[i],
                               v[i], hi[i]);
    if (a->vision_width % a->vision_heads || a->text_width % a->text_heads)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: width not divisible by the number of heads");
    if (a->image_size % a->patch_size || a->image_size / a->patch_size > 256)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: image size %d is not a multiple of patch %d",
                           a->image_size, a->patch_size);
    if (a->context_length < 2)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: context length %d is below 2", a->context_length);
    if ((int)a->activation != SCLIP_ACT_QUICKGELU && (int)a->activation != SCLIP_ACT_GELU)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: unknown activation %d", (int)a->activation);
    if (!(a->ln_eps > 0 && a->ln_eps < 1))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: LayerNorm epsilon out of range");
    if (!(a->logit_scale > -100 && a->logit_scale < 100))
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: logit_scale out of range");
    return SCLIP_OK;
}

static void sclip__read_arch(const unsigned char *h, sclip_arch *a) {
    a->vision_width = (int)sclip__u32(h + 72);
    a->vision_layers = (int)sclip__u32(h + 76);
    a->vision_heads = (int)sclip__u32(h + 80);
    a->vision_mlp = (int)sclip__u32(h + 84);
    a->patch_size = (int)sclip__u32(h + 88);
    a->image_size = (int)sclip__u32(h + 92);
    a->text_width = (int)sclip__u32(h + 96);
    a->text_layers = (int)sclip__u32(h + 100);
    a->text_heads = (int)sclip__u32(h + 104);
    a->text_mlp = (int)sclip__u32(h + 108);
    a->context_length = (int)sclip__u32(h + 112);
    a->vocab_size = (int)sclip__u32(h + 116);
    a->embed_dim = (int)sclip__u32(h + 120);
    a->activation = (sclip_activation)sclip__u32(h + 124);
    a->ln_eps = sclip__f32(h + 128);
    a->logit_scale = sclip__f32(h + 132);
}

/* One 96-byte table entry: name terminated, dtype and rank known, shape sane, data inside the
   data section and aligned. */
static sclip_result sclip__read_entry(const unsigned char *e, uint32_t idx, uint64_t data_off, uint64_t data_size,
                                      sclip__tensor_entry *t, char *err, size_t cap) {
    uint64_t count = 1, off;
    uint32_t d;
    memcpy(t->name, e, SCLIP__NAME_LEN);
    if (!memchr(t->name, 0, SCLIP__NAME_LEN) || !t->name[0])
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %u has no valid name", idx);
    t->dtype = sclip__u32(e + 64);
    t->ndim = sclip__u32(e + 68);
    if (t->dtype == SCLIP__DT_BF16)
        return sclip__fail(err, cap, SCLIP_ERROR_UNSUPPORTED_DTYPE, "weights: tensor %s has dtype %u, which this build does not support",
                           t->name, t->dtype);
    if (t->dtype > SCLIP__DT_Q8)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has unknown dtype %u", t->name, t->dtype);
    if (t->ndim > 4)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has %u dimensions (at most 4)",
                           t->name, t->ndim);
    for (d = 0; d < 4; d++) {
        t->shape[d] = sclip__u32(e + 72 + 4 * d);
        if (d < t->ndim ? (t->shape[d] == 0 || t->shape[d] > (1u << 30)) : t->shape[d] != 0)
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has a bad dimension %u = %u",
                               t->name, d, t->shape[d]);
        if (d < t->ndim) {
            count *= t->shape[d];
            if (count > ((uint64_t)1 << 40))
                return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s is impossibly large", t->name);
        }
    }
    if (t->dtype == SCLIP__DT_Q8 && t->ndim < 2)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s is q8 with rank %u (q8 needs rank 2 or more)",
                           t->name, t->ndim);
    t->count = count;
    /* q8: R x C int8 values, zeros to a multiple of 64 bytes, then R float32 row scales */
    t->nbytes = t->dtype == SCLIP__DT_Q8 ? sclip__align64(count) + 4 * (uint64_t)t->shape[0] : count * (t->dtype == SCLIP__DT_F32 ? 4 : 2);
    off = sclip__u64(e + 88);
    if (off % SCLIP__ALIGN || !sclip__in_range(off, t->nbytes, data_size))
        return sclip__fail(err, cap, SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS,
                           "weights: tensor %s (%llu bytes at data offset %llu) lies outside the data section (%llu bytes) or is not 64-byte aligned",
                           t->name, (unsigned long long)t->nbytes, (unsigned long long)off, (unsigned long long)data_size);
    t->offset = data_off + off;
    return SCLIP_OK;
}

static int sclip__cmp_offset(const void *a, const void *b) {
    const sclip__tensor_entry *x = (const sclip__tensor_entry *)a, *y = (const sclip__tensor_entry *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}
static int sclip__cmp_name(const void *a, const void *b) {
    return strcmp(((const sclip__tensor_entry *)a)->name, ((const sclip__tensor_entry *)b)->name);
}

/* No two tensors share bytes; no name repeats. Sorts the table by name (for lookups). */
static sclip_result sclip__check_table(sclip__file *f, char *err, size_t cap) {
    uint32_t i;
    qsort(f->tensors, f->n_tensors, sizeof *f->tensors, sclip__cmp_offset);
    for (i = 1; i < f->n_tensors; i++) {
        const sclip__tensor_entry *a = &f->tensors[i - 1], *b = &f->tensors[i];
        if (b->offset < a->offset + a->nbytes)
            return sclip__fail(err, cap, SCLIP_ERROR_TENSOR_OVERLAP, "weights: tensors %s and %s overlap", a->name, b->name);
    }
    qsort(f->tensors, f->n_tensors, sizeof *f->tensors, sclip__cmp_name);
    for (i = 1; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i - 1].name, f->tensors[i].name))
            return sclip__fail(err, cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s appears twice", f->tensors[i].name);
    return SCLIP_OK;
}

/* Bytes [off, off + n) of the file: in place when it is in memory, else read into dst (n bytes). */
static sclip_result sclip__file_bytes(const sclip__file *f, uint64_t off, size_t n, void *dst, const unsigned char **out,
                                      char *err, size_t cap) {
    *out = NULL;
    if (f->base) {
        *out = f->base + off;
        return SCLIP_OK;
    }
    if (f->read(f->user, off, dst, n) != n) /* end of file, or the reader failed */
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: file is truncated: %llu bytes at offset %llu could not be read",
                           (unsigned long long)n, (unsigned long long)off);
    *out = (const unsigned char *)dst;
    return SCLIP_OK;
}

/* Parses and validates the header, the sections and the tensor table of a .sclip image: the
   whole image at base (size bytes), or (base NULL) the file read(user) gives, whose size is
   then the header's. */
static sclip_result sclip__parse_file(const sclip_allocator *a, const unsigned char *base, sclip_read_fn read, void *user, size_t size, sclip__file *f,
                                      char *err, size_t cap) {
    uint64_t file_size, table_off, data_off, data_size;
    uint32_t i, hsize;
    sclip_result r;
    unsigned char head[SCLIP__HEADER_SIZE];
    const unsigned char *table;
    void *tmp = NULL;
    memset(f, 0, sizeof *f);
    f->base = base;
    f->read = read;
    f->user = user;
    if (!base) { /* the header tells the size; a shorter file fails on its first short read */
        size = read(user, 0, head, SCLIP__HEADER_SIZE);
        if (size > SCLIP__HEADER_SIZE) size = 0;
        base = head;
        if (size == SCLIP__HEADER_SIZE && memcmp(head, "SCLIPWT\0", 8) == 0 && sclip__u64(head + 16) >= SCLIP__HEADER_SIZE) {
            if (sclip__u64(head + 16) > (size_t)-1)
                return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: file of %llu bytes is too large for this platform",
                                   (unsigned long long)sclip__u64(head + 16));
            size = (size_t)sclip__u64(head + 16);
        }
    }
    f->size = size;
    if (size < 8 || memcmp(base, "SCLIPWT\0", 8) != 0)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_MAGIC, "weights: not a .sclip file (bad magic)");
    if (size < SCLIP__HEADER_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: file is %llu bytes, shorter than the header",
                           (unsigned long long)size);
    if (sclip__u32(base + 8) != SCLIP_FILE_VERSION)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_VERSION, "weights: format version %u, this build reads version %d",
                           sclip__u32(base + 8), SCLIP_FILE_VERSION);
    hsize = sclip__u32(base + 12);
    if (hsize != SCLIP__HEADER_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: header size %u, expected %d", hsize, SCLIP__HEADER_SIZE);
    file_size = sclip__u64(base + 16);
    if (file_size > size)
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: file is truncated (%llu bytes of %llu)",
                           (unsigned long long)size, (unsigned long long)file_size);
    if (file_size < size)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: file is %llu bytes but the header says %llu",
                           (unsigned long long)size, (unsigned long long)file_size);
    f->n_tensors = sclip__u32(base + 24);
    table_off = sclip__u64(base + 32);
    f->vocab_offset = sclip__u64(base + 40);
    f->vocab_size = sclip__u64(base + 48);
    data_off = sclip__u64(base + 56);
    data_size = sclip__u64(base + 64);
    if (f->n_tensors < 1 || f->n_tensors > SCLIP__MAX_TENSORS)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: %u tensors (expected 1 to %d)", f->n_tensors,
                           SCLIP__MAX_TENSORS);
    if (table_off < SCLIP__HEADER_SIZE || !sclip__in_range(table_off, (uint64_t)f->n_tensors * SCLIP__ENTRY_SIZE, size))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: tensor table lies outside the file");
    if (f->vocab_size && (f->vocab_offset < SCLIP__HEADER_SIZE || !sclip__in_range(f->vocab_offset, f->vocab_size, size)))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: merge list lies outside the file");
    if (data_off % SCLIP__ALIGN || data_off < SCLIP__HEADER_SIZE || !sclip__in_range(data_off, data_size, size))
        return sclip__fail(err, cap, SCLIP_ERROR_TRUNCATED, "weights: data section lies outside the file or is misaligned");
    if (table_off < data_off + data_size && data_off < table_off + (uint64_t)f->n_tensors * SCLIP__ENTRY_SIZE)
        return sclip__fail(err, cap, SCLIP_ERROR_BAD_HEADER, "weights: tensor table overlaps the data section");
    sclip__read_arch(base, &f->arch);
    memcpy(f->arch_bytes, base + 72, sizeof f->arch_bytes);
    if ((r = sclip__check_arch(&f->arch, err, cap)) != SCLIP_OK) return r;
    f->tensors = (sclip__tensor_entry *)sclip__calloc(a, f->n_tensors, sizeof *f->tensors);
    if (!f->tensors) return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    if (!f->base && !(tmp = sclip__alloc(a, (size_t)f->n_tensors * SCLIP__ENTRY_SIZE)))
        return sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    r = sclip__file_bytes(f, table_off, (size_t)f->n_tensors * SCLIP__ENTRY_SIZE, tmp, &table, err, cap);
    for (i = 0; r == SCLIP_OK && i < f->n_tensors; i++)
        r = sclip__read_entry(table + (size_t)i * SCLIP__ENTRY_SIZE, i, data_off, data_size, &f->tensors[i], err, cap);
    sclip__free(tmp);
    return r != SCLIP_OK ? r : sclip__check_table(f, err, cap);
}

static const sclip__tensor_entry *sclip__find(const sclip__file *f, const char *name) {
    sclip__tensor_entry key;
    if (strlen(name) >= SCLIP__NAME_LEN) return NULL;
    memset(key.name, 0, sizeof key.name);
    strcpy(key.name, name);
    return (const sclip__tensor_entry *)bsearch(&key, f->tensors, f->n_tensors, sizeof key, sclip__cmp_name);
}

/* ============================================================================================
   Weights, loading: the file's tensors turned into what the forward passes read (packed for
   the model's kernels)
   ============================================================================================ */
typedef struct sclip__loader {
    sclip_model *m;
    const sclip__file *f;
    char *err;
    size_t cap;
    int map_fd;      /* >= 0: the file is our mmap of this descriptor (repacked pages are released) */
    int precision;   /* of the next Linear layers packed (blocks only; conv1 and proj stay f32) */
    const sclip__tensor_entry *fingerprint; /* text_projection: the model's fingerprint hashes its values */
} sclip__loader;

static uint64_t sclip__fingerprint(const sclip__file *f, const sclip__tensor_entry *t, const unsigned char *e);

static void *sclip__model_alloc(sclip_model *m, size_t bytes) {
    void *p;
    if (m->n_allocs == m->cap_allocs) {
        int cap = m->cap_allocs ? 2 * m->cap_allocs : 64;
        void **a = (void **)sclip__alloc(&m->allocator, (size_t)cap * sizeof(void *));
        if (!a) return NULL;
        if (m->n_allocs) memcpy(a, m->allocs, (size_t)m->n_allocs * sizeof(void *));
        sclip__free(m->allocs);
        m->allocs = a;
        m->cap_allocs = cap;
    }
    p = sclip__alloc(&m->allocator, bytes ? bytes : 1);
    if (p) m->allocs[m->n_allocs++] = p;
    return p;
}

/* Finds a tensor and checks its shape (dims[i] = 0 ends the list). */
static sclip_result sclip__lookup(sclip__loader *L, const char *name, const int want[4], const sclip__tensor_entry **out) {
    const sclip__tensor_entry *t = sclip__find(L->f, name);
    uint32_t nd = 0, i;
    while (nd < 4 && want[nd]) nd++;
    if (!t) return sclip__fail(L->err, L->cap, SCLIP_ERROR_MISSING_TENSOR, "weights: tensor %s is missing", name);
    for (i = 0; i < 4; i++)
        if (t->ndim != nd || (i < nd && t->shape[i] != (uint32_t)want[i]))
            return sclip__fail(L->err, L->cap, SCLIP_ERROR_TENSOR_SHAPE,
                               "weights: tensor %s has shape %ux%ux%ux%u (rank %u), expected %dx%dx%dx%d (rank %u)", name,
                               t->shape[0], t->shape[1], t->shape[2], t->shape[3], t->ndim, want[0], want[1], want[2],
                               want[3], nd);
    *out = t;
    return SCLIP_OK;
}

/* Where the row scales of a q8 tensor (stored bytes at src) start: after its int8 values, at
   the next 64 bytes. */
static const unsigned char *sclip__q8_scales(const unsigned char *src, const sclip__tensor_entry *t) {
    return src + sclip__align64(t->count);
}

/* The stored bytes of tensor t: in place when the file is in memory; else read into memory the
   model keeps (keep: the tensor is used as stored) or into a temporary buffer (*tmp, which the
   caller frees). */
static sclip_result sclip__tensor_src(sclip__loader *L, const sclip__tensor_entry *t, int keep, const unsigned char **src,
                                      void **tmp) {
    void *p;
    *tmp = NULL;
    if (L->f->base) {
        *src = L->f->base + t->offset;
        return SCLIP_OK;
    }
    p = keep ? sclip__model_alloc(L->m, (size_t)t->nbytes) : sclip__alloc(&L->m->allocator, (size_t)t->nbytes);
    if (!p) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", t->name);
    if (!keep) *tmp = p;
    return sclip__file_bytes(L->f, t->offset, (size_t)t->nbytes, p, src, L->err, L->cap);
}

/* The row scales of a q8 tensor must be finite and positive. */
static sclip_result sclip__check_q8_scales(sclip__loader *L, const sclip__tensor_entry *t, const unsigned char *src) {
    const unsigned char *sc = sclip__q8_scales(src, t);
    uint32_t r;
    for (r = 0; r < t->shape[0]; r++) {
        float v = sclip__f32(sc + 4 * (size_t)r);
        if (!(v > 0 && v < 1e30f))
            return sclip__fail(L->err, L->cap, SCLIP_ERROR_BAD_TENSOR_TABLE, "weights: tensor %s has a bad q8 scale in row %u", t->name, r);
    }
    return SCLIP_OK;
}

static int sclip__little_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* The tensor (stored bytes at src) as float32 values: in place when they are aligned f32 (and
   the host is little-endian), else converted into dst, or into memory the model owns when dst
   is NULL. */
static sclip_result sclip__tensor_f32(sclip__loader *L, const sclip__tensor_entry *t, const unsigned char *src, float *dst,
                                      const float **out) {
    uint64_t count = t->count, j, cols = t->dtype == SCLIP__DT_Q8 ? count / t->shape[0] : 1;
    if (t->dtype == SCLIP__DT_F32 && ((size_t)src & 3) == 0 && sclip__little_endian()) {
        *out = (const float *)(const void *)src;
        return SCLIP_OK;
    }
    if (!dst && !(dst = (float *)sclip__model_alloc(L->m, (size_t)count * sizeof(float))))
        return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", t->name);
    for (j = 0; j < count; j++)
        dst[j] = t->dtype == SCLIP__DT_F32   ? sclip__f32(src + 4 * j)
                 : t->dtype == SCLIP__DT_F16 ? sclip__f16_to_f32((uint16_t)(src[2 * j] | (src[2 * j + 1] << 8)))
                                             : (float)(signed char)src[j] * sclip__f32(sclip__q8_scales(src, t) + 4 * (j / cols));
    *out = dst;
    return SCLIP_OK;
}

static sclip_result sclip__get(sclip__loader *L, const char *name, int d0, int d1, int d2, int d3, const float **out) {
    const int want[4] = {d0, d1, d2, d3};
    const sclip__tensor_entry *t;
    const unsigned char *src;
    void *tmp = NULL;
    sclip_result r = sclip__lookup(L, name, want, &t);
    /* read f32 straight into the model's memory: it is then used as stored */
    if (r == SCLIP_OK) r = sclip__tensor_src(L, t, t->dtype == SCLIP__DT_F32 && sclip__little_endian(), &src, &tmp);
    if (r == SCLIP_OK && t->dtype == SCLIP__DT_Q8) r = sclip__check_q8_scales(L, t, src);
    if (r == SCLIP_OK) r = sclip__tensor_f32(L, t, src, NULL, out);
    sclip__free(tmp);
    return r;
}

/* A repacked tensor of a file we mapped ourselves is never read again: its whole pages are
   mapped anew without access rights, which drops them from memory (so the mapping and the
   packed copy are not both resident) while the address range stays ours. */
static void sclip__release_pages(sclip__loader *L, const sclip__tensor_entry *t) {
#ifdef SCLIP__HAVE_MMAP
    size_t page = (size_t)sysconf(_SC_PAGESIZE), a, b;
    if (L->map_fd < 0 || page == 0 || (page & (page - 1))) return;
    a = ((size_t)(L->f->base + t->offset) + page - 1) & ~(page - 1);
    b = (size_t)(L->f->base + t->offset + t->nbytes) & ~(page - 1);
    if (b > a) /* on failure the pages simply stay */
        (void)mmap((void *)a, b - a, PROT_NONE, MAP_PRIVATE | MAP_FIXED, L->map_fd, (off_t)(a - (size_t)L->f->base));
#else
    (void)L;
    (void)t;
#endif
}

/* A Linear layer from a weight of shape dims (n x k; k x n when transposed, as visual.proj;
   W x 3 x P x P for conv1), packed for the kernel straight from f32 or f16 storage. */
static sclip_result sclip__get_linear_dims(sclip__loader *L, const char *wname, const int dims[4], const char *bname, int n,
                                           int k, int transposed, sclip__linear *lin) {
    const sclip__tensor_entry *t;
    const unsigned char *src;
    void *packed, *stored = NULL;
    float *tmp = NULL;
    const float *w;
    const sclip__kernels *kern = L->m->kern;
    const sclip__lowp_kernels *lowp;
    sclip_result r = sclip__lookup(L, wname, dims, &t);
    if (r != SCLIP_OK) return r;
    lin->kern = kern;
    lin->n = n;
    lin->k = k;
    lin->bias = NULL;
    if (bname && (r = sclip__get(L, bname, n, 0, 0, 0, &lin->bias)) != SCLIP_OK) return r;
    lin->precision = transposed ? SCLIP_PRECISION_F32 : L->precision;
    lowp = lin->lowp = lin->precision == SCLIP_PRECISION_F32 ? NULL : &kern->lowp[lin->precision];
    packed = sclip__model_alloc(L->m, lowp ? lowp->packed_size(n, k) : kern->gemm_packed_size(n, k) * sizeof(float));
    if (!packed) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", wname);
    if ((r = sclip__tensor_src(L, t, 0, &src, &stored)) != SCLIP_OK) { /* a read file: one tensor at a time */
        sclip__free(stored);
        return r;
    }
    if (t->dtype == SCLIP__DT_Q8 && (r = sclip__check_q8_scales(L, t, src)) != SCLIP_OK) {
        sclip__free(stored);
        return r;
    }
    if (t == L->fingerprint) L->m->fingerprint = sclip__fingerprint(L->f, t, src); /* so each tensor is read once */
    if (t->dtype == SCLIP__DT_Q8 && lin->precision == SCLIP_PRECISION_Q8 && !transposed && ((size_t)src & 3) == 0 &&
        sclip__little_endian()) {
        kern->q8_pack_q8((const signed char *)src, (const float *)(const void *)sclip__q8_scales(src, t), n, k, packed);
    } else if (t->dtype == SCLIP__DT_F16 && ((size_t)src & 1) == 0 && sclip__little_endian() && !transposed &&
               (!lowp || lowp->pack_f16)) { /* q16 packs from f32 (below) */
        const uint16_t *h = (const uint16_t *)(const void *)src;
        if (lowp) lowp->pack_f16(h, n, k, packed);
        else kern->gemm_pack_f16(h, n, k, (float *)packed);
    } else {
        if (t->dtype != SCLIP__DT_F32 || ((size_t)src & 3) || !sclip__little_endian()) {
            tmp = (float *)sclip__alloc(&L->m->allocator, (size_t)n * k * sizeof(float));
            if (!tmp) {
                sclip__free(stored);
                return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for %s", wname);
            }
        }
        sclip__tensor_f32(L, t, src, tmp, &w);
        if (transposed) kern->gemm_pack_t(w, k, n, (float *)packed);
        else if (lowp) lowp->pack(w, n, k, packed);
        else kern->gemm_pack(w, n, k, (float *)packed);
        sclip__free(tmp);
    }
    sclip__free(stored);
    lin->packed = packed;
    sclip__release_pages(L, t);
    return SCLIP_OK;
}

static sclip_result sclip__get_linear(sclip__loader *L, const char *wname, const char *bname, int n, int k,
                                      int transposed, sclip__linear *lin) {
    int dims[4] = {0, 0, 0, 0};
    dims[0] = transposed ? k : n;
    dims[1] = transposed ? n : k;
    return sclip__get_linear_dims(L, wname, dims, bname, n, k, transposed, lin);
}

static sclip_result sclip__get_block(sclip__loader *L, const char *prefix, int i, int width, int mlp, sclip__block *b) {
    char w[SCLIP__NAME_LEN + 32], bias[SCLIP__NAME_LEN + 32];
    sclip_result r;
#define SCLIP__NAME(buf, suffix) snprintf(buf, sizeof buf, "%sresblocks.%d." suffix, prefix, i)
    SCLIP__NAME(w, "ln_1.weight");
    SCLIP__NAME(bias, "ln_1.bias");
    if ((r = sclip__get(L, w, width, 0, 0, 0, &b->ln1_w)) || (r = sclip__get(L, bias, width, 0, 0, 0, &b->ln1_b))) return r;
    SCLIP__NAME(w, "ln_2.weight");
    SCLIP__NAME(bias, "ln_2.bias");
    if ((r = sclip__get(L, w, width, 0, 0, 0, &b->ln2_w)) || (r = sclip__get(L, bias, width, 0, 0, 0, &b->ln2_b))) return r;
    SCLIP__NAME(w, "attn.in_proj_weight");
    SCLIP__NAME(bias, "attn.in_proj_bias");
    if ((r = sclip__get_linear(L, w, bias, 3 * width, width, 0, &b->qkv))) return r;
    SCLIP__NAME(w, "attn.out_proj.weight");
    SCLIP__NAME(bias, "attn.out_proj.bias");
    if ((r = sclip__get_linear(L, w, bias, width, width, 0, &b->out))) return r;
    SCLIP__NAME(w, "mlp.c_fc.weight");
    SCLIP__NAME(bias, "mlp.c_fc.bias");
    if ((r = sclip__get_linear(L, w, bias, mlp, width, 0, &b->fc))) return r;
    SCLIP__NAME(w, "mlp.c_proj.weight");
    SCLIP__NAME(bias, "mlp.c_proj.bias");
    return sclip__get_linear(L, w, bias, width, mlp, 0, &b->proj);
#undef SCLIP__NAME
}

static sclip_result sclip__get_tower(sclip__loader *L, sclip__tower *t, const char *prefix, int width, int layers, int heads,
                                     int mlp) {
    int i;
    sclip_result r = SCLIP_OK;
    t->width = width;
    t->layers = layers;
    t->heads = heads;
    t->mlp = mlp;
    t->blocks = (sclip__block *)sclip__model_alloc(L->m, (size_t)layers * sizeof(sclip__block));
    if (!t->blocks) return sclip__fail(L->err, L->cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    L->precision = (int)L->m->precision;
    for (i = 0; i < layers && r == SCLIP_OK; i++) r = sclip__get_block(L, prefix, i, width, mlp, &t->blocks[i]);
    L->precision = SCLIP_PRECISION_F32;
    return r;
}

static sclip_result sclip__load_vision(sclip__loader *L) {
    sclip_model *m = L->m;
    const sclip_arch *a = &m->arch;
    int g = a->image_size / a->patch_size, W = a->vision_width, P = a->patch_size;
    const int conv_dims[4] = {W, 3, P, P};
    sclip_result r;
    if ((r = sclip__get(L, "visual.class_embedding", W, 0, 0, 0, &m->class_embedding)) ||
        (r = sclip__get(L, "visual.positional_embedding", g * g + 1, W, 0, 0, &m->vision_pos)) ||
        (r = sclip__get(L, "visual.ln_pre.weight", W, 0, 0, 0, &m->ln_pre_w)) ||
        (r = sclip__get(L, "visual.ln_pre.bias", W, 0, 0, 0, &m->ln_pre_b)) ||
        (r = sclip__get(L, "visual.ln_post.weight", W, 0, 0, 0, &m->vision.ln_w)) ||
        (r = sclip__get(L, "visual.ln_post.bias", W, 0, 0, 0, &m->vision.ln_b)) ||
        (r = sclip__get_linear(L, "visual.proj", NULL, a->embed_dim, W, 1, &m->vision.proj)) ||
        /* conv1 as a Linear on flattened (3, P, P) patches, no bias */
        (r = sclip__get_linear_dims(L, "visual.conv1.weight", conv_dims, NULL, W, 3 * P * P, 0, &m->conv1)))
        return r;
    return sclip__get_tower(L, &m->vision, "visual.transformer.", W, a->vision_layers, a->vision_heads, a->vision_mlp);
}

static sclip_result sclip__load_text(sclip__loader *L) {
    sclip_model *m = L->m;
    const sclip_arch *a = &m->arch;
    int W = a->text_width;
    sclip_result r;
    if ((r = sclip__get(L, "token_embedding.weight", a->vocab_size, W, 0, 0, &m->token_embedding)) ||
        (r = sclip__get(L, "positional_embedding", a->context_length, W, 0, 0, &m->text_pos)) ||
        (r = sclip__get(L, "ln_final.weight", W, 0, 0, 0, &m->text.ln_w)) ||
        (r = sclip__get(L, "ln_final.bias", W, 0, 0, 0, &m->text.ln_b)) ||
        (r = sclip__get_linear(L, "text_projection", NULL, a->embed_dim, W, 1, &m->text.proj)))
        return r;
    return sclip__get_tower(L, &m->text, "transformer.", W, a->text_layers, a->text_heads, a->text_mlp);
}

SCLIPDEF void sclip_model_free(sclip_model *m) {
    int i;
    if (!m) return;
    for (i = 0; i < m->n_allocs; i++) sclip__free(m->allocs[i]);
    sclip__free(m->allocs);
    if (m->tokenizer) sclip_tokenizer_free(m->tokenizer);
#ifdef SCLIP__HAVE_MMAP
    if (m->mapping) munmap(m->mapping, m->mapping_size);
#endif
    sclip__free(m);
}

/* FNV-1a over the architecture numbers and the values of text_projection (as float32, so f16
   and f32 files of the same weights agree). */
static uint64_t sclip__fingerprint(const sclip__file *f, const sclip__tensor_entry *t, const unsigned char *e) {
    uint64_t h = 1469598103934665603ull, i, n = t && t->dtype != SCLIP__DT_Q8 ? t->count : 0; /* never q8 (weights/README.md) */
    for (i = 0; i < 64; i++) h = (h ^ f->arch_bytes[i]) * 1099511628211ull;
    for (i = 0; i < n; i++) {
        float v = t->dtype == SCLIP__DT_F32 ? sclip__f32(e + 4 * i) : sclip__f16_to_f32((uint16_t)(e[2 * i] | (e[2 * i + 1] << 8)));
        unsigned char b[4];
        int k;
        memcpy(b, &v, 4);
        for (k = 0; k < 4; k++) h = (h ^ b[k]) * 1099511628211ull;
    }
    return h;
}

/* The model from a file in memory (data, size) or read through read(user). */
static sclip_result sclip__model_build(sclip_model *m, const unsigned char *data, sclip_read_fn read, void *user, size_t size,
                                       const sclip_model_desc *desc, int map_fd, char *err, size_t cap) {
    sclip__file f;
    sclip__loader L;
    const unsigned char *merges;
    void *tmp = NULL;
    sclip_result r = sclip__parse_file(&m->allocator, data, read, user, size, &f, err, cap);
    m->arch = f.arch;
    m->towers = desc ? desc->towers : SCLIP_TOWERS_BOTH;
    if ((int)m->towers < 0 || (int)m->towers > 2) m->towers = SCLIP_TOWERS_BOTH;
    L.m = m;
    L.f = &f;
    L.err = err;
    L.cap = cap;
    L.map_fd = map_fd;
    L.precision = SCLIP_PRECISION_F32;
    L.fingerprint = r == SCLIP_OK ? sclip__find(&f, "text_projection") : NULL;
    if (r == SCLIP_OK) m->fingerprint = sclip__fingerprint(&f, NULL, NULL); /* the text tower's load adds text_projection */
    if (r == SCLIP_OK && L.fingerprint && m->towers == SCLIP_TOWERS_VISION) { /* else read it here */
        const unsigned char *e;
        if ((r = sclip__tensor_src(&L, L.fingerprint, 0, &e, &tmp)) == SCLIP_OK)
            m->fingerprint = sclip__fingerprint(&f, L.fingerprint, e);
        sclip__free(tmp);
        tmp = NULL;
    }
    if (r == SCLIP_OK && m->towers != SCLIP_TOWERS_TEXT) r = sclip__load_vision(&L);
    if (r == SCLIP_OK && m->towers != SCLIP_TOWERS_VISION) r = sclip__load_text(&L);
    if (r == SCLIP_OK && f.vocab_size) {
        if (!data && !(tmp = sclip__alloc(&m->allocator, (size_t)f.vocab_size)))
            r = sclip__fail(err, cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory for the merge list");
        if (r == SCLIP_OK) r = sclip__file_bytes(&f, f.vocab_offset, (size_t)f.vocab_size, tmp, &merges, err, cap);
        if (r == SCLIP_OK && (r = sclip_tokenizer_create_with((const char *)merges, (size_t)f.vocab_size, &m->allocator, &m->tokenizer)) != SCLIP_OK)
            sclip__fail(err, cap, r, "weights: the embedded merge list is malformed (%s)", sclip_result_string(r));
        sclip__free(tmp);
    }
    sclip__free(f.tensors);
    return r;
}

static sclip_result sclip__model_load(const void *data, sclip_read_fn read, void *user, size_t size, const sclip_model_desc *desc,
                                      int map_fd, sclip_model **out, char *err, size_t err_cap) {
    sclip_model *m;
    sclip_result r;
    if (err && err_cap) err[0] = 0;
    if (out) *out = NULL; /* first, so every failure leaves NULL (callers' -O2 -Wall stays quiet) */
    if (!out || (!data && !read)) return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
    m = (sclip_model *)sclip__calloc(desc ? &desc->allocator : NULL, 1, sizeof *m);
    if (!m) return sclip__fail(err, err_cap, SCLIP_ERROR_OUT_OF_MEMORY, "weights: out of memory");
    if (desc && desc->allocator.alloc) m->allocator = desc->allocator;
    if (!(m->kern = sclip__kernels_choose())) {
        sclip_model_free(m);
        return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT,
                           "SCLIP_CPU=%s names no kernel path (" SCLIP__CPU_NAMES ")", getenv("SCLIP_CPU"));
    }
    m->precision = desc && (int)desc->precision >= 0 && (int)desc->precision <= 3 ? desc->precision : SCLIP_PRECISION_F32;
    if (m->precision != SCLIP_PRECISION_F32 && !m->kern->lowp[m->precision].gemm) {
        sclip_model_free(m);
        return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "the %s kernels run float32 only, not %s",
                           m->kern->name, sclip_precision_name(m->precision));
    }
    r = sclip__model_build(m, (const unsigned char *)data, read, user, size, desc, map_fd, err, err_cap);
    if (r != SCLIP_OK) {
        sclip_model_free(m);
        return r;
    }
    *out = m;
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_model_load_memory(const void *data, size_t size, const sclip_model_desc *desc,
                                              sclip_model **out, char *err, size_t err_cap) {
    return sclip__model_load(data, NULL, NULL, size, desc, -1, out, err, err_cap);
}

SCLIPDEF sclip_result sclip_model_load_callback(sclip_read_fn read, void *user, const sclip_model_desc *desc,
                                                sclip_model **out, char *err, size_t err_cap) {
    return sclip__model_load(NULL, read, user, 0, desc, -1, out, err, err_cap);
}

#ifndef SCLIP_NO_STDIO
#ifndef SCLIP__HAVE_MMAP
/* sclip_read_fn over a FILE (fseek takes a long: files up to LONG_MAX bytes). */
static size_t sclip__read_file(void *user, uint64_t offset, void *dst, size_t n) {
    long o = (long)offset;
    if (o < 0 || (uint64_t)o != offset || fseek((FILE *)user, o, SEEK_SET) != 0) return 0;
    return fread(dst, 1, n, (FILE *)user);
}
#endif

SCLIPDEF sclip_result sclip_model_load(const char *path, const sclip_model_desc *desc, sclip_model **out, char *err,
                                       size_t err_cap) {
    sclip_result r;
    if (err && err_cap) err[0] = 0;
    if (out) *out = NULL;
    if (!path || !out) return sclip__fail(err, err_cap, SCLIP_ERROR_INVALID_ARGUMENT, "weights: NULL argument");
#ifdef SCLIP__HAVE_MMAP
    {
        struct stat st;
        void *map;
        int fd = open(path, O_RDONLY);
        if (fd < 0) return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot open %s: %s", path, strerror(errno));
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
            close(fd);
            return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: %s is not a regular file%s", path, dir ? " but a directory" : "");
        }
        if (st.st_size == 0) {
            close(fd);
            return sclip__fail(err, err_cap, SCLIP_ERROR_BAD_MAGIC, "weights: %s is empty", path);
        }
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot map %s: %s", path, strerror(errno));
        }
        r = sclip__model_load(map, NULL, NULL, (size_t)st.st_size, desc, fd, out, err, err_cap);
        close(fd);
        if (r != SCLIP_OK) {
            munmap(map, (size_t)st.st_size);
            return r;
        }
        (*out)->mapping = map;
        (*out)->mapping_size = (size_t)st.st_size;
        return SCLIP_OK;
    }
#else
    {
        FILE *fp = fopen(path, "rb"); /* no mapping: read tensor by tensor, the model keeps its copies */
        if (!fp) return sclip__fail(err, err_cap, SCLIP_ERROR_IO, "weights: cannot open %s: %s", path, strerror(errno));
        r = sclip_model_load_callback(sclip__read_file, fp, desc, out, err, err_cap);
        fclose(fp);
        return r;
    }
#endif
}
#endif

SCLIPDEF const sclip_arch *sclip_model_arch(const sclip_model *m) { return m ? &m->arch : NULL; }
SCLIPDEF const sclip_tokenizer *sclip_model_tokenizer(const sclip_model *m) { return m ? m->tokenizer : NULL; }

/* ============================================================================================
   Runtime, threads: a small pool; item i of a job runs on worker i mod n, and items share their
   work units through sclip__claim (a unit's result never depends on who computes it).
   A host can replace the pool with its own parallel_for.
   ============================================================================================ */
#ifdef SCLIP__PTHREADS
/* Hand-offs spin before they sleep: a forward makes ~90 of them, and waking a sleeping
   thread costs ~100 us on a VM. Spinning needs the GCC/Clang atomic builtins; without them
   every hand-off goes through the mutex. */
#if defined(__GNUC__) || defined(__clang__)
#ifndef SCLIP__SPINS
#define SCLIP__SPINS 20000 /* ~1 ms of pause instructions, then sleep */
#endif
#define SCLIP__LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define SCLIP__STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define SCLIP__DEC(x) __atomic_sub_fetch(&(x), 1, __ATOMIC_ACQ_REL)
#else
#define SCLIP__SPINS 0
#define SCLIP__LOAD(x) (x)
#define SCLIP__STORE(x, v) ((x) = (v))
#endif

static void sclip__cpu_relax(void) {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void sclip__pool_run_share(sclip__pool *p, int id) {
    int i;
    for (i = id; i < p->n_items; i += p->n) p->fn(p->arg, i);
}

/* Waits for a job newer than `seen`; returns its generation, or -1 to quit. */
static int sclip__pool_wait_job(sclip__pool *p, int seen) {
    int spins, g;
    for (spins = 0; spins < SCLIP__SPINS; spins++) {
        if (SCLIP__LOAD(p->quit)) return -1;
        if ((g = SCLIP__LOAD(p->generation)) != seen) return g;
        sclip__cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (p->generation == seen && !p->quit) pthread_cond_wait(&p->wake, &p->mu);
    g = p->quit ? -1 : p->generation;
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void sclip__pool_finish_share(sclip__pool *p) {
#if SCLIP__SPINS
    if (SCLIP__DEC(p->pending) != 0) return;
    pthread_mutex_lock(&p->mu);
#else
    pthread_mutex_lock(&p->mu);
    if (--p->pending != 0) {
        pthread_mutex_unlock(&p->mu);
        return;
    }
#endif
    pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->mu);
}

static void *sclip__worker(void *varg) {
    sclip__worker_arg *wa = (sclip__worker_arg *)varg;
    sclip__pool *p = wa->pool;
    int seen = 0, id = wa->id;
    sclip__free(wa);
    while ((seen = sclip__pool_wait_job(p, seen)) >= 0) {
        sclip__pool_run_share(p, id);
        sclip__pool_finish_share(p);
    }
    return NULL;
}
#endif

static int sclip__pool_start(sclip__pool *p, const sclip_allocator *a, int n) {
    (void)a; /* without threads: nothing to allocate */
    memset(p, 0, sizeof *p);
    p->n = 1;
#ifdef SCLIP__PTHREADS
    if (n > 1) {
        int i;
        p->threads = (pthread_t *)sclip__calloc(a, (size_t)n, sizeof(pthread_t));
        if (!p->threads) return 0;
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->wake, NULL);
        pthread_cond_init(&p->done, NULL);
        for (i = 1; i < n; i++) {
            sclip__worker_arg *wa = (sclip__worker_arg *)sclip__alloc(a, sizeof *wa);
            if (!wa) break;
            wa->pool = p;
            wa->id = i;
            if (pthread_create(&p->threads[i], NULL, sclip__worker, wa) != 0) {
                sclip__free(wa);
                break;
            }
            p->n = i + 1;
        }
        return p->n == n;
    }
#else
    (void)n;
#endif
    return 1;
}

static void sclip__pool_stop(sclip__pool *p) {
#ifdef SCLIP__PTHREADS
    if (p->threads) {
        int i;
        pthread_mutex_lock(&p->mu);
        SCLIP__STORE(p->quit, 1);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (i = 1; i < p->n; i++) pthread_join(p->threads[i], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->wake);
        pthread_cond_destroy(&p->done);
        sclip__free(p->threads);
    }
#endif
    memset(p, 0, sizeof *p);
}

static void sclip__pool_for(sclip__pool *p, void (*fn)(void *, int), void *arg, int n_items) {
    p->fn = fn;
    p->arg = arg;
    p->n_items = n_items;
#ifdef SCLIP__PTHREADS
    if (p->n > 1 && n_items > 1) {
        int spins;
        pthread_mutex_lock(&p->mu);
        SCLIP__STORE(p->pending, p->n - 1);
        SCLIP__STORE(p->generation, p->generation + 1); /* publishes fn, arg, n_items */
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        sclip__pool_run_share(p, 0);
        for (spins = 0; spins < SCLIP__SPINS && SCLIP__LOAD(p->pending); spins++) sclip__cpu_relax();
        pthread_mutex_lock(&p->mu);
        while (SCLIP__LOAD(p->pending)) pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
        return;
    }
#endif
    {
        int i;
        for (i = 0; i < n_items; i++) fn(arg, i);
    }
}

/* ============================================================================================
   Runtime, context: scratch memory, threads, caches that depend on the input size
   ============================================================================================ */
#if defined(SCLIP__PTHREADS) && defined(__linux__) && !defined(SCLIP_NO_STDIO)
/* The first line of a small file, or "" when it cannot be read. */
static void sclip__read_line(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (!f) return;
    if (!fgets(buf, (int)cap, f)) buf[0] = 0;
    fclose(f);
}

/* CPUs this process may run on: its affinity (Cpus_allowed_list of /proc/self/status, e.g.
   "0-3,8"), at most its cgroup's CPU quota rounded up (cgroup v2 cpu.max "QUOTA PERIOD", v1
   cpu.cfs_quota_us / cpu.cfs_period_us); 0 when none of it can be read. */
static int sclip__linux_cpus(void) {
    char line[4096], a[64], b[64];
    FILE *f = fopen("/proc/self/status", "r");
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Cpus_allowed_list:", 18)) {
            const char *p = line + 18;
            while (*p) { /* ranges "lo-hi" and single CPUs, comma-separated */
                long lo, hi;
                char *e;
                while (*p == ' ' || *p == '\t' || *p == ',') p++;
                lo = strtol(p, &e, 10);
                if (e == p) break;
                hi = *e == '-' ? strtol(e + 1, &e, 10) : lo;
                n += hi >= lo ? (int)(hi - lo + 1) : 0;
                p = e;
            }
            break;
        }
    if (f) fclose(f);
    sclip__read_line("/sys/fs/cgroup/cpu.max", line, sizeof line);
    if (sscanf(line, "%63s %63s", a, b) == 2 && strcmp(a, "max")) {
        double q = atof(a), per = atof(b);
        if (q > 0 && per > 0 && (n == 0 || (int)ceil(q / per) < n)) n = (int)ceil(q / per);
    } else {
        double q, per;
        sclip__read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", a, sizeof a);
        sclip__read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", b, sizeof b);
        q = atof(a), per = atof(b);
        if (q > 0 && per > 0 && (n == 0 || (int)ceil(q / per) < n)) n = (int)ceil(q / per);
    }
    return n;
}
#endif

/* The CPUs the process may use: affinity and cgroup quota on Linux, the online CPUs elsewhere. */
static int sclip__cpu_count(void) {
#if defined(SCLIP__PTHREADS)
    long n = 0;
#if defined(__linux__) && !defined(SCLIP_NO_STDIO)
    n = sclip__linux_cpus();
#endif
#if defined(_SC_NPROCESSORS_ONLN)
    if (n < 1) n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
#else
    return 1;
#endif
}

SCLIPDEF int sclip_cpus(void) { return sclip__cpu_count(); }

SCLIPDEF sclip_result sclip_context_create(const sclip_model *model, const sclip_context_desc *desc, sclip_context **out) {
    const sclip_allocator *alloc;
    sclip_context *c;
    int n, cpus;
    if (out) *out = NULL;
    if (!model || !out) return SCLIP_ERROR_INVALID_ARGUMENT;
    n = desc && desc->n_threads > 0 ? desc->n_threads : 0;
    if (n > 256) return SCLIP_ERROR_INVALID_ARGUMENT;
    /* More threads than CPUs only add contention: every hand-off would wait for threads that are
       not running. A host's parallel_for decides its own parallelism. */
    cpus = sclip__cpu_count();
    if (n < 1 || (!(desc && desc->parallel_for) && n > cpus)) n = cpus;
    alloc = desc && desc->allocator.alloc ? &desc->allocator : &model->allocator;
    c = (sclip_context *)sclip__calloc(alloc, 1, sizeof *c);
    if (!c) return SCLIP_ERROR_OUT_OF_MEMORY;
    c->allocator = *alloc;
    c->model = model;
    c->n_threads = n;
    if (desc) {
        c->progress = desc->progress;
        c->progress_user = desc->progress_user;
    }
    if (desc && desc->parallel_for) {
        c->parallel_for = desc->parallel_for;
        c->parallel_for_user = desc->parallel_for_user;
        sclip__pool_start(&c->pool, &c->allocator, 1);
    } else if (!sclip__pool_start(&c->pool, &c->allocator, n)) {
        sclip__pool_stop(&c->pool);
        sclip__free(c);
        return SCLIP_ERROR_THREADS;
    }
    *out = c;
    return SCLIP_OK;
}

SCLIPDEF void sclip_context_free(sclip_context *c) {
    if (!c) return;
    sclip__pool_stop(&c->pool);
    sclip__free(c->work);
    sclip__free(c->pos);
    sclip__free(c->lp);
    sclip__free(c->rand_packed);
    sclip__free(c);
}

SCLIPDEF const char *sclip_context_error(const sclip_context *c) { return c ? c->err : ""; }
SCLIPDEF int sclip_context_threads(const sclip_context *c) { return c ? c->n_threads : 0; }

static sclip_result sclip__ctx_fail(sclip_context *c, sclip_result r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return r;
}

/* Runs fn(arg, i) for i in [0, n) on the context's threads. */
static void sclip__parallel(sclip_context *c, void (*fn)(void *, int), void *arg, int n) {
    if (c->parallel_for && n > 1) c->parallel_for(c->parallel_for_user, fn, arg, n);
    else sclip__pool_for(&c->pool, fn, arg, n);
}

/* Work units of a job (column blocks, heads) are claimed from a shared counter: a thread
   slowed by other programs on its core takes fewer of them. A unit's result never depends on
   the thread that computes it. Without the GCC/Clang atomic builtins, task `part` takes
   units part, part + parts, ... Usage:
     for (u = sclip__claim(&next, -1, part, parts); u < n; u = sclip__claim(&next, u, part, parts)) */
static int sclip__claim(int *next, int prev, int part, int parts) {
#if defined(__GNUC__) || defined(__clang__)
    (void)prev;
    (void)part;
    (void)parts;
    return __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
#else
    (void)next;
    return prev < 0 ? part : prev + parts;
#endif
}

/* Scratch of at least `floats` floats (contents not kept across calls). */
static float *sclip__scratch(sclip_context *c, size_t floats) {
    if (floats > c->work_cap) {
        sclip__free(c->work);
        c->work = (float *)sclip__alloc(&c->allocator, floats * sizeof(float));
        c->work_cap = c->work ? floats : 0;
    }
    return c->work;
}

/* ============================================================================================
   Kernels, reference: plain loops (SCLIP_REFERENCE)
   ============================================================================================
   Every entry of the engine table as a textbook writes it: W kept as [n][k] (packing is a copy),
   y = epi(x W^T + b) by a triple loop with double sums, LayerNorm and softmax row by row. A build
   with SCLIP_REFERENCE runs the whole model on them (float32 only); tests/test_kernels.c holds the
   kernels of every instruction set to them. */
/* QuickGELU and GELU on one float (scalar path and reference). */
static float sclip__quickgelu1(float t) { return t / (1.0f + expf(-1.702f * t)); }
static float sclip__gelu1(float t) { return 0.5f * t * erfcf(-t * 0.70710678118654752f); }

static float sclip__epi1(float t, int epi) {
    if (epi == SCLIP__EPI_QUICKGELU) return sclip__quickgelu1(t);
    if (epi == SCLIP__EPI_GELU) return sclip__gelu1(t);
    return t;
}

/* y[i][j] = epi(x[i] . W[j] + bias[j]) for j in [j0, j1); EPI_ADD: y[i][j] += x[i] . W[j] + bias[j]. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_ref(int m, int n, int k, const float *x, int ldx,
                                                const float *w, const float *bias, int epi,
                                                float *y, int ldy, int j0, int j1) {
    int i, j, p;
    (void)n;
    for (i = 0; i < m; i++)
        for (j = j0; j < j1; j++) {
            double s = bias ? bias[j] : 0.0;
            float t;
            for (p = 0; p < k; p++) s += (double)x[(ptrdiff_t)i * ldx + p] * w[(ptrdiff_t)j * k + p];
            t = (float)s;
            if (epi == SCLIP__EPI_ADD) y[(ptrdiff_t)i * ldy + j] += t;
            else y[(ptrdiff_t)i * ldy + j] = sclip__epi1(t, epi);
        }
}

static size_t sclip__ref_packed_size(int n, int k) { return (size_t)n * (size_t)k; }

static void sclip__ref_pack(const float *w, int n, int k, float *packed) {
    memcpy(packed, w, (size_t)n * (size_t)k * sizeof(float));
}


static void sclip__ref_pack_f16(const uint16_t *w, int n, int k, float *packed) {
    size_t i;
    for (i = 0; i < (size_t)n * (size_t)k; i++) packed[i] = sclip__f16_to_f32(w[i]);
}

static void sclip__ref_gemm(int m, int n, int k, const float *x, int ldx, const float *packed, const float *bias,
                            int epi, float *y, int ldy, int j0, int j1) {
    sclip__gemm_ref(m, n, k, x, ldx, packed, bias, epi, y, ldy, j0, j1);
}

/* n rows of k floats, row j at w + j * ld (keys: one head's columns of qkv). */
static void sclip__ref_pack_rows(const float *w, ptrdiff_t ld, int n, int k, float *packed) {
    int j;
    for (j = 0; j < n; j++) memcpy(packed + (size_t)j * k, w + j * ld, (size_t)k * sizeof(float));
}

/* k rows of n floats (values): packed[j][p] = w[p][j], so that c = a w is c[i][j] = a[i] . packed[j]. */
static void sclip__ref_pack_cols(const float *w, ptrdiff_t ld, int k, int n, float *packed) {
    int j, p;
    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++) packed[(size_t)j * k + p] = w[p * ld + j];
}


/* c[i][j] = alpha sum_p a[i][p] b[j][p] */
static void sclip__ref_gemm_nt(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                               float *c, int ldc) {
    int i, j, p;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            double s = 0;
            for (p = 0; p < k; p++) s += (double)a[(ptrdiff_t)i * lda + p] * b[(ptrdiff_t)j * ldb + p];
            c[(ptrdiff_t)i * ldc + j] = alpha * (float)s;
        }
}

/* w given as [k][n] (visual.proj): packed[j][p] = w[p][j]. */
static void sclip__ref_pack_t(const float *w, int k, int n, float *packed) {
    sclip__ref_pack_cols(w, n, k, n, packed);
}

/* c[i][j] = alpha sum_p a[i][p] packed[j][p] */
static void sclip__ref_gemm_packed(int m, int n, int k, float alpha, const float *a, int lda, const float *packed,
                                   float *c, int ldc) {
    sclip__ref_gemm_nt(m, n, k, alpha, a, lda, packed, k, c, ldc);
}

/* c[i][j] (+)= sum_p a[i][p] b[p][j] */
static void sclip__ref_gemm_nn(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                               int accumulate) {
    int i, j, p;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            double s = 0;
            for (p = 0; p < k; p++) s += (double)a[(ptrdiff_t)i * lda + p] * b[(ptrdiff_t)p * ldb + j];
            c[(ptrdiff_t)i * ldc + j] = accumulate ? c[(ptrdiff_t)i * ldc + j] + (float)s : (float)s;
        }
}

/* y = (x - mean) / sqrt(var + eps) * w + b, with the biased variance */
static void sclip__ref_layer_norm_row(const float *xr, float *yr, int n, const float *w, const float *b, float eps) {
    double mean = 0, var = 0;
    int i;
    for (i = 0; i < n; i++) mean += xr[i];
    mean /= n;
    for (i = 0; i < n; i++) var += (xr[i] - mean) * (xr[i] - mean);
    var /= n;
    for (i = 0; i < n; i++) yr[i] = (float)((xr[i] - mean) / sqrt(var + eps)) * w[i] + b[i];
}

/* x = exp(x - max x); returns 1 / sum */
static float sclip__ref_softmax_exp(float *x, int n) {
    float mx = x[0];
    double sum = 0;
    int i;
    for (i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    for (i = 0; i < n; i++) sum += x[i] = expf(x[i] - mx);
    return (float)(1.0 / sum);
}

/* x = x rx (+ y ry) */
static void sclip__ref_softmax_scale(float *x, float rx, const float *y, float ry, int n) {
    int i;
    for (i = 0; i < n; i++) x[i] = y ? x[i] * rx + y[i] * ry : x[i] * rx;
}

static const sclip__kernels sclip__kernels_reference = {
    "reference (plain loops, SCLIP_REFERENCE)", SCLIP_BUILD_INFO "; running: reference (plain loops, SCLIP_REFERENCE)",
    sclip__ref_packed_size, sclip__ref_pack, sclip__ref_pack_t, sclip__ref_pack_f16, sclip__ref_gemm,
    sclip__ref_pack_rows, sclip__ref_pack_cols, sclip__ref_gemm_packed, sclip__ref_gemm_nt, sclip__ref_gemm_nn,
    /* float32 only: no low-precision products */
    {{NULL, NULL, NULL, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL, NULL, NULL},
     {NULL, NULL, NULL, NULL, NULL, NULL}},
    NULL, NULL,
    sclip__ref_layer_norm_row, sclip__ref_softmax_exp, sclip__ref_softmax_scale};



/* ============================================================================================
   Kernels, selection
   ============================================================================================
   The kernels (the last part of this file) are compiled here, by sclip.h including itself:
   once with the compiler's flags, or, in x86-64 builds without -mavx2 (SCLIP__DISPATCH), once
   per level under gcc/clang target pragmas, each pass under its own names (sclip__gemm becomes
   sclip__gemm__avx2, ...) and with its own table. A model takes the best level that this CPU and
   its OS support (cpuid, xgetbv) when it is loaded, lowered by SCLIP_CPU=scalar|avx2|avx512|
   avx512bf16 from the environment (the tests run every level from one binary that way). */
#ifndef SCLIP_SELF
#define SCLIP_SELF "sclip.h" /* this file, as the compiler finds it from itself */
#endif
#define SCLIP__CAT2(a, b) a##b
#define SCLIP__CAT(a, b) SCLIP__CAT2(a, b)

/* SCLIP_CPU's names, as in SCLIP__CPU_NAMES: the x86-64 levels 1-4, the arm64 levels 1-2, the
   plain loops. sclip__cpu_name gives the index of SCLIP_CPU's, 7 when it is unset, -1 for another. */
static const char *const sclip__cpu_names[] = {"scalar", "avx2", "avx512", "avx512bf16", "neon", "dotprod", "reference"};
static int sclip__cpu_name(const char *env) {
    int i;
    if (!env || !*env) return 7;
    for (i = 0; i < 7; i++)
        if (!strcmp(env, sclip__cpu_names[i])) return i;
    return -1;
}

#if !SCLIP__DISPATCH
#define SCLIP__KPASS 0
#define SCLIP__KNAME SCLIP__SIMD_INFO
#define SCLIP__KINFO SCLIP_BUILD_INFO
#define SCLIP__KTABLE sclip__kernels_native
#include SCLIP_SELF

/* This build's kernels; NULL when SCLIP_CPU names no path (the flags chose: levels are not read). */
static const sclip__kernels *sclip__kernels_best(const char *env) {
    return sclip__cpu_name(env) >= 0 ? &sclip__kernels_native : NULL;
}

#else /* SCLIP__DISPATCH: every name of the kernels, renamed per pass */
#define sclip__bf16_convert_rows SCLIP__CAT(sclip__bf16_convert_rows, SCLIP__KSUF)
#define sclip__vf SCLIP__CAT(sclip__vf, SCLIP__KSUF)
#define sclip__v_set1 SCLIP__CAT(sclip__v_set1, SCLIP__KSUF)
#define sclip__v_load SCLIP__CAT(sclip__v_load, SCLIP__KSUF)
#define sclip__v_store SCLIP__CAT(sclip__v_store, SCLIP__KSUF)
#define sclip__v_load_n SCLIP__CAT(sclip__v_load_n, SCLIP__KSUF)
#define sclip__v_store_n SCLIP__CAT(sclip__v_store_n, SCLIP__KSUF)
#define sclip__v_keep_n SCLIP__CAT(sclip__v_keep_n, SCLIP__KSUF)
#define sclip__v_add SCLIP__CAT(sclip__v_add, SCLIP__KSUF)
#define sclip__v_sub SCLIP__CAT(sclip__v_sub, SCLIP__KSUF)
#define sclip__v_mul SCLIP__CAT(sclip__v_mul, SCLIP__KSUF)
#define sclip__v_max SCLIP__CAT(sclip__v_max, SCLIP__KSUF)
#define sclip__v_muladd SCLIP__CAT(sclip__v_muladd, SCLIP__KSUF)
#define sclip__v_exp SCLIP__CAT(sclip__v_exp, SCLIP__KSUF)
#define sclip__v_hsum SCLIP__CAT(sclip__v_hsum, SCLIP__KSUF)
#define sclip__v_hmax SCLIP__CAT(sclip__v_hmax, SCLIP__KSUF)
#define sclip__v_rowsum SCLIP__CAT(sclip__v_rowsum, SCLIP__KSUF)
#define sclip__v_fma SCLIP__CAT(sclip__v_fma, SCLIP__KSUF)
#define sclip__v_fnma SCLIP__CAT(sclip__v_fnma, SCLIP__KSUF)
#define sclip__v_abs SCLIP__CAT(sclip__v_abs, SCLIP__KSUF)
#define sclip__v_div SCLIP__CAT(sclip__v_div, SCLIP__KSUF)
#define sclip__v_if_pos SCLIP__CAT(sclip__v_if_pos, SCLIP__KSUF)
#define sclip__v_quickgelu SCLIP__CAT(sclip__v_quickgelu, SCLIP__KSUF)
#define sclip__v_gelu SCLIP__CAT(sclip__v_gelu, SCLIP__KSUF)
#define sclip__v_epi SCLIP__CAT(sclip__v_epi, SCLIP__KSUF)
#define sclip__v_mask SCLIP__CAT(sclip__v_mask, SCLIP__KSUF)
#define sclip__bf16_hi256 SCLIP__CAT(sclip__bf16_hi256, SCLIP__KSUF)
#define sclip__bf16_hi512 SCLIP__CAT(sclip__bf16_hi512, SCLIP__KSUF)
#define sclip__bf16_lo256 SCLIP__CAT(sclip__bf16_lo256, SCLIP__KSUF)
#define sclip__bf16_lo512 SCLIP__CAT(sclip__bf16_lo512, SCLIP__KSUF)
#define sclip__bf16_to_f32 SCLIP__CAT(sclip__bf16_to_f32, SCLIP__KSUF)
#define sclip__dpbusd256 SCLIP__CAT(sclip__dpbusd256, SCLIP__KSUF)
#define sclip__dpbusd512 SCLIP__CAT(sclip__dpbusd512, SCLIP__KSUF)
#define sclip__exp256 SCLIP__CAT(sclip__exp256, SCLIP__KSUF)
#define sclip__exp512 SCLIP__CAT(sclip__exp512, SCLIP__KSUF)
#define sclip__exp_neon SCLIP__CAT(sclip__exp_neon, SCLIP__KSUF)
#define sclip__f16_to_f32_n SCLIP__CAT(sclip__f16_to_f32_n, SCLIP__KSUF)
#define sclip__f32_to_bf16 SCLIP__CAT(sclip__f32_to_bf16, SCLIP__KSUF)
#define sclip__f32_to_f16_n SCLIP__CAT(sclip__f32_to_f16_n, SCLIP__KSUF)
#define sclip__gemm SCLIP__CAT(sclip__gemm, SCLIP__KSUF)
#define sclip__gemm_bf16_act_size SCLIP__CAT(sclip__gemm_bf16_act_size, SCLIP__KSUF)
#define sclip__gemm_bf16_convert SCLIP__CAT(sclip__gemm_bf16_convert, SCLIP__KSUF)
#define sclip__gemm_bf16_pack SCLIP__CAT(sclip__gemm_bf16_pack, SCLIP__KSUF)
#define sclip__gemm_bf16_pack_any SCLIP__CAT(sclip__gemm_bf16_pack_any, SCLIP__KSUF)
#define sclip__gemm_bf16_pack_f16 SCLIP__CAT(sclip__gemm_bf16_pack_f16, SCLIP__KSUF)
#define sclip__gemm_bf16_pack_t SCLIP__CAT(sclip__gemm_bf16_pack_t, SCLIP__KSUF)
#define sclip__gemm_bf16_pack_t_f16 SCLIP__CAT(sclip__gemm_bf16_pack_t_f16, SCLIP__KSUF)
#define sclip__gemm_bf16_packed_size SCLIP__CAT(sclip__gemm_bf16_packed_size, SCLIP__KSUF)
#define sclip__gemm_bf16_pre SCLIP__CAT(sclip__gemm_bf16_pre, SCLIP__KSUF)
#define sclip__gemm_bf16_pre_with SCLIP__CAT(sclip__gemm_bf16_pre_with, SCLIP__KSUF)
#define sclip__gemm_bf16_scratch_size SCLIP__CAT(sclip__gemm_bf16_scratch_size, SCLIP__KSUF)
#define sclip__gemm_bf16_with SCLIP__CAT(sclip__gemm_bf16_with, SCLIP__KSUF)
#define sclip__gemm_chunk SCLIP__CAT(sclip__gemm_chunk, SCLIP__KSUF)
#define sclip__gemm_col_block SCLIP__CAT(sclip__gemm_col_block, SCLIP__KSUF)
#define sclip__gemm_lp_drive SCLIP__CAT(sclip__gemm_lp_drive, SCLIP__KSUF)
#define sclip__gemm_lp_part_size SCLIP__CAT(sclip__gemm_lp_part_size, SCLIP__KSUF)
#define sclip__gemm_nn SCLIP__CAT(sclip__gemm_nn, SCLIP__KSUF)
#define sclip__gemm_nn_scalar SCLIP__CAT(sclip__gemm_nn_scalar, SCLIP__KSUF)
#define sclip__gemm_nt SCLIP__CAT(sclip__gemm_nt, SCLIP__KSUF)
#define sclip__gemm_nt_scalar SCLIP__CAT(sclip__gemm_nt_scalar, SCLIP__KSUF)
#define sclip__gemm_pack SCLIP__CAT(sclip__gemm_pack, SCLIP__KSUF)
#define sclip__gemm_pack_any16 SCLIP__CAT(sclip__gemm_pack_any16, SCLIP__KSUF)
#define sclip__gemm_pack_cols SCLIP__CAT(sclip__gemm_pack_cols, SCLIP__KSUF)
#define sclip__gemm_pack_f16 SCLIP__CAT(sclip__gemm_pack_f16, SCLIP__KSUF)
#define sclip__gemm_pack_rows SCLIP__CAT(sclip__gemm_pack_rows, SCLIP__KSUF)
#define sclip__gemm_pack_t SCLIP__CAT(sclip__gemm_pack_t, SCLIP__KSUF)
#define sclip__gemm_pack_t_f16 SCLIP__CAT(sclip__gemm_pack_t_f16, SCLIP__KSUF)
#define sclip__gemm_packed SCLIP__CAT(sclip__gemm_packed, SCLIP__KSUF)
#define sclip__gemm_packed_size SCLIP__CAT(sclip__gemm_packed_size, SCLIP__KSUF)
#define sclip__gemm_prefetch_tile SCLIP__CAT(sclip__gemm_prefetch_tile, SCLIP__KSUF)
#define sclip__gemm_q16_act_size SCLIP__CAT(sclip__gemm_q16_act_size, SCLIP__KSUF)
#define sclip__gemm_q16_convert SCLIP__CAT(sclip__gemm_q16_convert, SCLIP__KSUF)
#define sclip__gemm_q16_pack SCLIP__CAT(sclip__gemm_q16_pack, SCLIP__KSUF)
#define sclip__gemm_q16_packed_size SCLIP__CAT(sclip__gemm_q16_packed_size, SCLIP__KSUF)
#define sclip__gemm_q16_pre SCLIP__CAT(sclip__gemm_q16_pre, SCLIP__KSUF)
#define sclip__gemm_q16_pre_with SCLIP__CAT(sclip__gemm_q16_pre_with, SCLIP__KSUF)
#define sclip__gemm_q16_quantize_with SCLIP__CAT(sclip__gemm_q16_quantize_with, SCLIP__KSUF)
#define sclip__gemm_q16_scratch_size SCLIP__CAT(sclip__gemm_q16_scratch_size, SCLIP__KSUF)
#define sclip__gemm_q16_with SCLIP__CAT(sclip__gemm_q16_with, SCLIP__KSUF)
#define sclip__gemm_q8_act_size SCLIP__CAT(sclip__gemm_q8_act_size, SCLIP__KSUF)
#define sclip__gemm_q8_convert SCLIP__CAT(sclip__gemm_q8_convert, SCLIP__KSUF)
#define sclip__gemm_q8_pack SCLIP__CAT(sclip__gemm_q8_pack, SCLIP__KSUF)
#define sclip__gemm_q8_pack_f16 SCLIP__CAT(sclip__gemm_q8_pack_f16, SCLIP__KSUF)
#define sclip__gemm_q8_pack_q8 SCLIP__CAT(sclip__gemm_q8_pack_q8, SCLIP__KSUF)
#define sclip__gemm_q8_pack_t SCLIP__CAT(sclip__gemm_q8_pack_t, SCLIP__KSUF)
#define sclip__gemm_q8_pack_t_f16 SCLIP__CAT(sclip__gemm_q8_pack_t_f16, SCLIP__KSUF)
#define sclip__gemm_q8_packed_size SCLIP__CAT(sclip__gemm_q8_packed_size, SCLIP__KSUF)
#define sclip__gemm_q8_pre SCLIP__CAT(sclip__gemm_q8_pre, SCLIP__KSUF)
#define sclip__gemm_q8_pre_with SCLIP__CAT(sclip__gemm_q8_pre_with, SCLIP__KSUF)
#define sclip__gemm_q8_quantize_with SCLIP__CAT(sclip__gemm_q8_quantize_with, SCLIP__KSUF)
#define sclip__gemm_q8_scratch_size SCLIP__CAT(sclip__gemm_q8_scratch_size, SCLIP__KSUF)
#define sclip__gemm_q8_with SCLIP__CAT(sclip__gemm_q8_with, SCLIP__KSUF)
#define sclip__gemm_scalar SCLIP__CAT(sclip__gemm_scalar, SCLIP__KSUF)
#define sclip__gemm_small SCLIP__CAT(sclip__gemm_small, SCLIP__KSUF)
#define sclip__gemm_tile SCLIP__CAT(sclip__gemm_tile, SCLIP__KSUF)
#define sclip__gemm_with SCLIP__CAT(sclip__gemm_with, SCLIP__KSUF)
#define sclip__hmax256 SCLIP__CAT(sclip__hmax256, SCLIP__KSUF)
#define sclip__hmax512 SCLIP__CAT(sclip__hmax512, SCLIP__KSUF)
#define sclip__hsum256 SCLIP__CAT(sclip__hsum256, SCLIP__KSUF)
#define sclip__hsum512 SCLIP__CAT(sclip__hsum512, SCLIP__KSUF)
#define sclip__kc_of SCLIP__CAT(sclip__kc_of, SCLIP__KSUF)
#define sclip__layer_norm_row SCLIP__CAT(sclip__layer_norm_row, SCLIP__KSUF)
#define sclip__lp_finish256 SCLIP__CAT(sclip__lp_finish256, SCLIP__KSUF)
#define sclip__lp_finish512 SCLIP__CAT(sclip__lp_finish512, SCLIP__KSUF)
#define sclip__lp_finish_neon SCLIP__CAT(sclip__lp_finish_neon, SCLIP__KSUF)
#define sclip__lp_kc SCLIP__CAT(sclip__lp_kc, SCLIP__KSUF)
#define sclip__lp_mask SCLIP__CAT(sclip__lp_mask, SCLIP__KSUF)
#define sclip__lp_maxabs_simd SCLIP__CAT(sclip__lp_maxabs_simd, SCLIP__KSUF)
#define sclip__lp_npanel SCLIP__CAT(sclip__lp_npanel, SCLIP__KSUF)
#define sclip__lp_store1 SCLIP__CAT(sclip__lp_store1, SCLIP__KSUF)
#define sclip__lp_store512 SCLIP__CAT(sclip__lp_store512, SCLIP__KSUF)
#define sclip__lp_wget SCLIP__CAT(sclip__lp_wget, SCLIP__KSUF)
#define sclip__panel_from_cols SCLIP__CAT(sclip__panel_from_cols, SCLIP__KSUF)
#define sclip__panel_from_rows SCLIP__CAT(sclip__panel_from_rows, SCLIP__KSUF)
#define sclip__q16_convert_simd SCLIP__CAT(sclip__q16_convert_simd, SCLIP__KSUF)
#define sclip__q16_quantize_rows SCLIP__CAT(sclip__q16_quantize_rows, SCLIP__KSUF)
#define sclip__q16_round SCLIP__CAT(sclip__q16_round, SCLIP__KSUF)
#define sclip__q16_scale SCLIP__CAT(sclip__q16_scale, SCLIP__KSUF)
#define sclip__q8_convert_simd SCLIP__CAT(sclip__q8_convert_simd, SCLIP__KSUF)
#define sclip__q8_epi256 SCLIP__CAT(sclip__q8_epi256, SCLIP__KSUF)
#define sclip__q8_epi_neon SCLIP__CAT(sclip__q8_epi_neon, SCLIP__KSUF)
#define sclip__q8_narrow_neon SCLIP__CAT(sclip__q8_narrow_neon, SCLIP__KSUF)
#define sclip__q8_pack_core SCLIP__CAT(sclip__q8_pack_core, SCLIP__KSUF)
#define sclip__q8_panels_bytes SCLIP__CAT(sclip__q8_panels_bytes, SCLIP__KSUF)
#define sclip__q8_quantize_row SCLIP__CAT(sclip__q8_quantize_row, SCLIP__KSUF)
#define sclip__q8_round SCLIP__CAT(sclip__q8_round, SCLIP__KSUF)
#define sclip__softmax_exp SCLIP__CAT(sclip__softmax_exp, SCLIP__KSUF)
#define sclip__softmax_scale SCLIP__CAT(sclip__softmax_scale, SCLIP__KSUF)
#define sclip__sum512 SCLIP__CAT(sclip__sum512, SCLIP__KSUF)
#define sclip__sum8 SCLIP__CAT(sclip__sum8, SCLIP__KSUF)
#define sclip__tail_mask SCLIP__CAT(sclip__tail_mask, SCLIP__KSUF)
#define sclip__transpose16 SCLIP__CAT(sclip__transpose16, SCLIP__KSUF)
#define sclip__transpose4 SCLIP__CAT(sclip__transpose4, SCLIP__KSUF)
#define sclip__transpose8 SCLIP__CAT(sclip__transpose8, SCLIP__KSUF)
#define sclip__ukr_bf16_avx2 SCLIP__CAT(sclip__ukr_bf16_avx2, SCLIP__KSUF)
#define sclip__ukr_bf16_avx512 SCLIP__CAT(sclip__ukr_bf16_avx512, SCLIP__KSUF)
#define sclip__ukr_bf16_scalar SCLIP__CAT(sclip__ukr_bf16_scalar, SCLIP__KSUF)
#define sclip__ukr_neon SCLIP__CAT(sclip__ukr_neon, SCLIP__KSUF)
#define sclip__ukr_q16_avx2 SCLIP__CAT(sclip__ukr_q16_avx2, SCLIP__KSUF)
#define sclip__ukr_q16_avx512 SCLIP__CAT(sclip__ukr_q16_avx512, SCLIP__KSUF)
#define sclip__ukr_q16_neon SCLIP__CAT(sclip__ukr_q16_neon, SCLIP__KSUF)
#define sclip__ukr_q16_scalar SCLIP__CAT(sclip__ukr_q16_scalar, SCLIP__KSUF)
#define sclip__ukr_q8_avx2 SCLIP__CAT(sclip__ukr_q8_avx2, SCLIP__KSUF)
#define sclip__ukr_q8_avx512 SCLIP__CAT(sclip__ukr_q8_avx512, SCLIP__KSUF)
#define sclip__ukr_q8_scalar SCLIP__CAT(sclip__ukr_q8_scalar, SCLIP__KSUF)
#define sclip__ukr_q8_sdot SCLIP__CAT(sclip__ukr_q8_sdot, SCLIP__KSUF)
#define sclip__ukr_scalar SCLIP__CAT(sclip__ukr_scalar, SCLIP__KSUF)
#define sclip__ukr_x86 SCLIP__CAT(sclip__ukr_x86, SCLIP__KSUF)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wuninitialized" /* gcc 12, C++: _mm256_undefined_pd in target pragmas */
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#if SCLIP__DISPATCH == 1
#define SCLIP__KPASS 1
#define SCLIP__KSUF __c
#define SCLIP__KNAME "portable C"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: portable C"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#include SCLIP_SELF
#define SCLIP__KPASS 2
#define SCLIP__KSUF __avx2
#define SCLIP__KNAME "AVX2+FMA"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: AVX2+FMA"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include SCLIP_SELF
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#include SCLIP_SELF
#pragma GCC pop_options
#endif
#define SCLIP__KPASS 3
#define SCLIP__KSUF __avx512
#define SCLIP__KNAME "AVX-512"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: AVX-512"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512cd,avx512bw,avx512dq,avx512vl"))), apply_to = function)
#include SCLIP_SELF
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512cd,avx512bw,avx512dq,avx512vl")
#include SCLIP_SELF
#pragma GCC pop_options
#endif
#define SCLIP__KPASS 4
#define SCLIP__KSUF __avx512bf16
#define SCLIP__KNAME "AVX-512 (VNNI, BF16)"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: AVX-512 (VNNI, BF16)"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx512vnni,avx512bf16"))), apply_to = function)
#include SCLIP_SELF
#pragma clang attribute pop
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx512vnni,avx512bf16")
#include SCLIP_SELF
#pragma GCC pop_options
#endif
#else
#define SCLIP__KPASS 5
#define SCLIP__KSUF __neon
#define SCLIP__KNAME "NEON"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: NEON"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#include SCLIP_SELF
#define SCLIP__KPASS 6
#define SCLIP__KSUF __dotprod
#define SCLIP__KNAME "NEON with the dot product"
#define SCLIP__KINFO SCLIP_BUILD_INFO "; running: NEON with the dot product"
#define SCLIP__KTABLE SCLIP__CAT(sclip__kernels, SCLIP__KSUF)
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
#include SCLIP_SELF
#pragma GCC pop_options
#endif
#pragma GCC diagnostic pop

#if SCLIP__DISPATCH == 1
#include <cpuid.h>

/* The best level of this CPU: 1 portable, 2 AVX2+FMA+F16C, 3 AVX-512 F/CD/BW/DQ/VL, 4 with VNNI
   and BF16; a level counts only when the OS saves its registers (XCR0: bits 1-2 for AVX,
   5-7 for AVX-512). */
static int sclip__cpu_level(void) {
    unsigned a, b, c, d, c1, max7 = 0, b7 = 0, c7 = 0, a71 = 0, xcr0 = 0, xhi = 0;
    int level = 1;
    if (!__get_cpuid(1, &a, &b, &c1, &d) || !(c1 & (1u << 27))) return 1; /* no OSXSAVE */
    __asm__ __volatile__("xgetbv" : "=a"(xcr0), "=d"(xhi) : "c"(0));
    (void)xhi;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, max7, b7, c7, d);
        if (max7 >= 1) __cpuid_count(7, 1, a71, b, c, d);
    }
    if ((xcr0 & 6) == 6 && (c1 >> 12 & 1) && (c1 >> 28 & 1) && (c1 >> 29 & 1) && (b7 >> 5 & 1)) level = 2;
    if (level == 2 && (xcr0 & 0xe6) == 0xe6 && (b7 >> 16 & 1) && (b7 >> 17 & 1) && (b7 >> 28 & 1) &&
        (b7 >> 30 & 1) && (b7 >> 31 & 1))
        level = 3;
    if (level == 3 && (c7 >> 11 & 1) && (a71 >> 5 & 1)) level = 4;
    return level;
}

#define SCLIP__LEVEL0 0 /* sclip__cpu_names[0] is level 1 */
static const sclip__kernels *const sclip__levels[] = {&sclip__kernels__c, &sclip__kernels__avx2, &sclip__kernels__avx512,
                                                      &sclip__kernels__avx512bf16};
#else
#include <sys/auxv.h>
/* 1 NEON, 2 with the dot product (HWCAP_ASIMDDP, bit 20 of AT_HWCAP). */
static int sclip__cpu_level(void) { return getauxval(AT_HWCAP) & (1ul << 20) ? 2 : 1; }
#define SCLIP__LEVEL0 4 /* sclip__cpu_names[4] is level 1 */
static const sclip__kernels *const sclip__levels[] = {&sclip__kernels__neon, &sclip__kernels__dotprod};
#endif
#define SCLIP__N_LEVELS (int)(sizeof sclip__levels / sizeof sclip__levels[0])

/* The table of the best level, at most SCLIP_CPU's; NULL when SCLIP_CPU names no path here
   (another architecture's level, or no name at all). */
static const sclip__kernels *sclip__kernels_best(const char *env) {
    int level = sclip__cpu_level(), i = sclip__cpu_name(env), cap = i >= 6 ? SCLIP__N_LEVELS : i - SCLIP__LEVEL0 + 1;
    if (i < 0 || cap < 1 || cap > SCLIP__N_LEVELS) return NULL;
    return sclip__levels[(level < cap ? level : cap) - 1];
}
#endif /* SCLIP__DISPATCH */

/* The kernels a model runs: the plain loops under SCLIP_REFERENCE or SCLIP_CPU=reference, else
   this build's best; NULL when SCLIP_CPU names no path. */
static const sclip__kernels *sclip__kernels_choose(void) {
    const char *env = getenv("SCLIP_CPU");
    const sclip__kernels *best = sclip__kernels_best(env);
#ifdef SCLIP_REFERENCE
    return best ? &sclip__kernels_reference : NULL;
#else
    return best && env && !strcmp(env, "reference") ? &sclip__kernels_reference : best;
#endif
}

SCLIPDEF const char *sclip_build_info(void) {
    const sclip__kernels *k = sclip__kernels_choose();
    return k ? k->build_info : SCLIP_BUILD_INFO "; SCLIP_CPU names no kernel path (" SCLIP__CPU_NAMES ")";
}

#endif /* SCLIP_IMPLEMENTATION_DONE */
#endif /* SCLIP_IMPLEMENTATION */

/* ============================================================================================
   KERNELS, compiled once per instruction set: the fp32 and low-precision matrix products and
   the row primitives, behind the table sclip__kernels ("Engine interface"). This part of the
   file is read only when sclip.h includes itself from "Kernels, selection", with SCLIP__KPASS:
   0 the compiler's flags (one pass); in x86-64 run-time dispatch builds 1 portable C,
   2 AVX2+FMA+F16C, 3 AVX-512 (F, CD, BW, DQ, VL), 4 the same with VNNI and BF16; on arm64
   5 NEON, 6 NEON with the dot product. Each pass
   sees the instruction sets of its level as SCLIP__GEMM_* and SCLIP__HAS_* macros.
   ============================================================================================ */
#if defined(SCLIP__KPASS) && !defined(SCLIP__KPASS_OPEN)
#define SCLIP__KPASS_OPEN 1
#if SCLIP__KPASS == 0 && !defined(SCLIP_NO_SIMD)
#if defined(__AVX512F__)
#define SCLIP__GEMM_AVX512 1
#elif defined(__AVX2__) && defined(__FMA__)
#define SCLIP__GEMM_AVX2 1
#elif defined(__ARM_NEON) && defined(__aarch64__)
#define SCLIP__GEMM_NEON 1
#endif
#if defined(__F16C__)
#define SCLIP__HAS_F16C 1
#endif
#if defined(__AVX512BW__)
#define SCLIP__HAS_AVX512BW 1
#endif
#if defined(__AVX512VNNI__)
#define SCLIP__HAS_AVX512VNNI 1
#endif
#if defined(__AVX512BF16__)
#define SCLIP__HAS_AVX512BF16 1
#endif
#if defined(__AVXVNNI__)
#define SCLIP__HAS_AVXVNNI 1
#endif
#if defined(__ARM_FEATURE_DOTPROD)
#define SCLIP__HAS_DOTPROD 1
#endif
#elif SCLIP__KPASS == 5 || SCLIP__KPASS == 6 /* arm64: NEON, and the dot product */
#define SCLIP__GEMM_NEON 1
#if SCLIP__KPASS == 6
#define SCLIP__HAS_DOTPROD 1
#endif
#elif SCLIP__KPASS == 2
#define SCLIP__GEMM_AVX2 1
#define SCLIP__HAS_F16C 1
#elif SCLIP__KPASS >= 3
#define SCLIP__GEMM_AVX512 1
#define SCLIP__HAS_F16C 1
#define SCLIP__HAS_AVX512BW 1
#if SCLIP__KPASS == 4
#define SCLIP__HAS_AVX512VNNI 1
#define SCLIP__HAS_AVX512BF16 1
#endif
#endif

/* ======================================================================================
   sclip gemm: packed fp32 matrix products (the engine behind 96% of a ViT forward)
   ======================================================================================
   Only static functions, no globals, no threads, no allocation: the caller owns every
   buffer and splits output-column ranges across its threads (sclip__linear_forward).

   y[i][j] = epi( sum_k x[i][k] * W[j][k] + bias[j] ),  W in PyTorch Linear layout [n][k].

   The weights are packed once (sclip__gemm_pack) into column panels of NR output channels:
   panel p holds, for every k, the NR floats W[p*NR + 0..NR-1][k] back to back (zero padded
   past n). The micro-kernel keeps an MR x NR tile of y in registers, streams one panel
   (kc x NR floats, which stays in L1 across all row blocks) and broadcasts x[i][k] from
   MR unpacked rows of x. K is cut into blocks of at most SCLIP__KC so a panel block fits
   L1; partial sums go through y, the epilogue runs on the last block only (EPI_ADD starts
   the sum from the residual already in y). The columns go by chunks of SCLIP__NC, so that a
   chunk's partial sums stay in L2 from one K block to the next. The next panel block is prefetched toward L2
   while the current one is swept, and the next tile of y toward L1 while a tile is computed.

   Attention uses the same kernel. The vision tower packs each head's keys (or queries)
   and values once (sclip__gemm_pack_rows / _cols, the transpose 16x16 in registers on
   AVX-512) and runs sclip__gemm_packed on them; the text tower's small causal products
   (sclip__gemm_nt / _nn) copy each kc x NR panel of the right operand (kc <= 64) into an
   8 KB stack buffer, then sweep it with every row block.

   How close these kernels come to the CPU's peak, measured: docs/PERFORMANCE.md.
   Stack use: up to 8 KB (sclip__gemm_nt/_nn), under 1 KB otherwise.

   Paths (one per pass, see "Kernels, selection"; the packed layout depends on the path, so a
   model packs and runs with the same table):
     AVX-512  (__AVX512F__)          MR x NR = 6 x 32, 12 zmm accumulators
     AVX2+FMA (__AVX2__ && __FMA__)  6 x 16, 12 ymm accumulators
     NEON     (__ARM_NEON, aarch64)  6 x 16, 24 q accumulators
     scalar   (always compiled; the only one under SCLIP_NO_SIMD) 6 x NR of the build
   sclip__gemm_scalar() runs the portable kernel on the same packed layout, and
   sclip__gemm_ref() is a plain triple loop on the unpacked W: tests compare all three.

   Numerics: fp32 products and sums (only the summation order differs from the triple
   loop); the result of an (i,j) never depends on the j0/j1 split or the thread count,
   because K is never split across threads. QuickGELU/GELU use a vector exp with relative
   error ~2e-7 (scalar path: libm expf/erfcf).
   ====================================================================================== */




#define SCLIP__MR 6   /* rows of y per micro-kernel call */
#if defined(SCLIP__GEMM_AVX512)
#define SCLIP__NR 32  /* output channels per packed panel */
#elif defined(SCLIP__GEMM_AVX2) || defined(SCLIP__GEMM_NEON)
#define SCLIP__NR 16
#else
#define SCLIP__NR 8
#endif
#ifndef SCLIP__KC
#define SCLIP__KC 256 /* K block: a 256 x 32 panel block is 32 KB, L1 is 48 KB */
#endif
#define SCLIP__KC_SMALL 64 /* K block of the small products (their panel is on the stack) */
#ifndef SCLIP__NC
#define SCLIP__NC 256 /* output columns per chunk (a multiple of NR): see sclip__gemm_with */
#endif
#if SCLIP__NC % SCLIP__NR != 0 || SCLIP__NC <= 0
#error "SCLIP__NC must be a positive multiple of SCLIP__NR"
#endif



/* n conversions; F16C when the build has it. */
static SCLIP__MAYBE_UNUSED void sclip__f16_to_f32_n(const uint16_t *h, float *f, size_t n) {
    size_t i = 0;
#if !defined(SCLIP_NO_SIMD) && defined(SCLIP__HAS_F16C) && (defined(SCLIP__GEMM_AVX512) || defined(SCLIP__GEMM_AVX2))
    size_t n8 = n / 8 * 8;
    for (; i < n8; i += 8)
        _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(h + i))));
#endif
    for (; i < n; i++) f[i] = sclip__f16_to_f32(h[i]);
}

static SCLIP__MAYBE_UNUSED void sclip__f32_to_f16_n(const float *f, uint16_t *h, size_t n) {
    size_t i = 0;
    for (; i < n; i++) h[i] = sclip__f32_to_f16(f[i]);
}

/* ---------------------------------------------------------------------------------
   Panel builders: dst is kb rows of NR floats, columns >= nr zero.
     from rows: dst[p][jj] = src[jj*ld + p]   (a transpose: Linear weights, K in Q K^T)
     from cols: dst[p][jj] = src[p*ld + jj]   (a copy: V in P V, visual.proj)
   --------------------------------------------------------------------------------- */
#if defined(SCLIP__GEMM_AVX512)
/* 16 x 16 transpose of rows src[r*ld], r < 16, into dst rows at stride lddst.
   (Masked forms of the shuffles: the plain ones trip g++ 12's -Wuninitialized.) */
#define SCLIP__ULO(x, y) _mm512_mask_unpacklo_ps(x, 0xffff, x, y)
#define SCLIP__UHI(x, y) _mm512_mask_unpackhi_ps(x, 0xffff, x, y)
#define SCLIP__ULO2(x, y) _mm512_castpd_ps(_mm512_mask_unpacklo_pd(_mm512_castps_pd(x), 0xff, _mm512_castps_pd(x), _mm512_castps_pd(y)))
#define SCLIP__UHI2(x, y) _mm512_castpd_ps(_mm512_mask_unpackhi_pd(_mm512_castps_pd(x), 0xff, _mm512_castps_pd(x), _mm512_castps_pd(y)))
#define SCLIP__SH(x, y, imm) _mm512_mask_shuffle_f32x4(x, 0xffff, x, y, imm)
static void sclip__transpose16(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t lddst) {
    __m512 r[16], t[16];
    int i;
    for (i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + i * ld);
    for (i = 0; i < 16; i += 2) {        /* interleave pairs of rows: 2x2 blocks */
        t[i] = SCLIP__ULO(r[i], r[i + 1]);
        t[i + 1] = SCLIP__UHI(r[i], r[i + 1]);
    }
    for (i = 0; i < 16; i += 4) {        /* 4x4 blocks within each 128-bit lane */
        r[i] = SCLIP__ULO2(t[i], t[i + 2]);
        r[i + 1] = SCLIP__UHI2(t[i], t[i + 2]);
        r[i + 2] = SCLIP__ULO2(t[i + 1], t[i + 3]);
        r[i + 3] = SCLIP__UHI2(t[i + 1], t[i + 3]);
    }
    for (i = 0; i < 4; i++) {            /* then the 128-bit lanes across rows i, i+4, i+8, i+12 */
        t[i] = SCLIP__SH(r[i], r[i + 4], 0x88);
        t[i + 4] = SCLIP__SH(r[i], r[i + 4], 0xdd);
        t[i + 8] = SCLIP__SH(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = SCLIP__SH(r[i + 8], r[i + 12], 0xdd);
    }
    for (i = 0; i < 4; i++) {
        r[i] = SCLIP__SH(t[i], t[i + 8], 0x88);
        r[i + 8] = SCLIP__SH(t[i], t[i + 8], 0xdd);
        r[i + 4] = SCLIP__SH(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = SCLIP__SH(t[i + 4], t[i + 12], 0xdd);
    }
    for (i = 0; i < 16; i++) _mm512_storeu_ps(dst + i * lddst, r[i]);
}
#undef SCLIP__ULO
#undef SCLIP__UHI
#undef SCLIP__ULO2
#undef SCLIP__UHI2
#undef SCLIP__SH
#define SCLIP__TB 16 /* side of the register transpose */
#define SCLIP__TRANSPOSE sclip__transpose16
#elif defined(SCLIP__GEMM_AVX2)
/* 8 x 8 transpose: pairs of rows interleaved, then 2x2 blocks of pairs, then the 128-bit halves. */
static void sclip__transpose8(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t lddst) {
    __m256 r[8], t[8];
    int i;
    for (i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * ld);
    for (i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);     /* a0 b0 a1 b1 | a4 b4 a5 b5 */
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]); /* a2 b2 a3 b3 | a6 b6 a7 b7 */
    }
    for (i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);         /* a0 b0 c0 d0 | a4 b4 c4 d4 */
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);     /* a1 b1 c1 d1 | a5 ... */
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44); /* a2 ... | a6 ... */
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee); /* a3 ... | a7 ... */
    }
    for (i = 0; i < 4; i++) {
        _mm256_storeu_ps(dst + i * lddst, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * lddst, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
    }
}
#define SCLIP__TB 8
#define SCLIP__TRANSPOSE sclip__transpose8
#elif defined(SCLIP__GEMM_NEON)
/* 4 x 4 transpose: 32-bit pairs (trn1/trn2), then 64-bit halves. */
static void sclip__transpose4(const float *src, ptrdiff_t ld, float *dst, ptrdiff_t lddst) {
    float32x4_t a = vld1q_f32(src), b = vld1q_f32(src + ld), c = vld1q_f32(src + 2 * ld), d = vld1q_f32(src + 3 * ld);
    float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(a, b)), t1 = vreinterpretq_f64_f32(vtrn2q_f32(a, b));
    float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(c, d)), t3 = vreinterpretq_f64_f32(vtrn2q_f32(c, d));
    vst1q_f32(dst, vreinterpretq_f32_f64(vtrn1q_f64(t0, t2)));
    vst1q_f32(dst + lddst, vreinterpretq_f32_f64(vtrn1q_f64(t1, t3)));
    vst1q_f32(dst + 2 * lddst, vreinterpretq_f32_f64(vtrn2q_f64(t0, t2)));
    vst1q_f32(dst + 3 * lddst, vreinterpretq_f32_f64(vtrn2q_f64(t1, t3)));
}
#define SCLIP__TB 4
#define SCLIP__TRANSPOSE sclip__transpose4
#endif

static void sclip__panel_from_rows(float *dst, const float *src, ptrdiff_t ld, int nr, int kb) {
    int jj = 0, p;
#if defined(SCLIP__TB)
    for (; jj + SCLIP__TB <= nr; jj += SCLIP__TB) {
        for (p = 0; p + SCLIP__TB <= kb; p += SCLIP__TB)
            SCLIP__TRANSPOSE(src + jj * ld + p, ld, dst + (ptrdiff_t)p * SCLIP__NR + jj, SCLIP__NR);
        for (; p < kb; p++) {
            int q;
            for (q = 0; q < SCLIP__TB; q++) dst[(ptrdiff_t)p * SCLIP__NR + jj + q] = src[(jj + q) * ld + p];
        }
    }
#endif
    for (; jj < nr; jj++) {
        const float *row = src + jj * ld;
        for (p = 0; p < kb; p++) dst[(ptrdiff_t)p * SCLIP__NR + jj] = row[p];
    }
    if (nr < SCLIP__NR)
        for (p = 0; p < kb; p++)
            for (jj = nr; jj < SCLIP__NR; jj++) dst[(ptrdiff_t)p * SCLIP__NR + jj] = 0.0f;
}

static void sclip__panel_from_cols(float *dst, const float *src, ptrdiff_t ld, int nr, int kb) {
    int p, jj;
    for (p = 0; p < kb; p++) {
        memcpy(dst + (ptrdiff_t)p * SCLIP__NR, src + p * ld, (size_t)nr * sizeof(float));
        for (jj = nr; jj < SCLIP__NR; jj++) dst[(ptrdiff_t)p * SCLIP__NR + jj] = 0.0f;
    }
}

/* ---------------------------------------------------------------------------------
   Packing. Layout: panel p (columns p*NR..), then k, then NR floats.
   --------------------------------------------------------------------------------- */
static SCLIP__MAYBE_UNUSED int sclip__gemm_col_block(void) { return SCLIP__NR; }

static SCLIP__MAYBE_UNUSED size_t sclip__gemm_packed_size(int n, int k) {
    return (size_t)((n + SCLIP__NR - 1) / SCLIP__NR) * SCLIP__NR * (size_t)k;
}

/* f16 packer: element (j, kk) of W is src[j*sj + kk*sk]. Load time only. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_any16(const uint16_t *src, ptrdiff_t sj, ptrdiff_t sk,
                                                       int n, int k, float *packed) {
    int p, np = (n + SCLIP__NR - 1) / SCLIP__NR;
    for (p = 0; p < np; p++) {
        float *dst = packed + (size_t)p * SCLIP__NR * (size_t)k;
        int jj, kk;
        for (jj = 0; jj < SCLIP__NR; jj++) {
            int j = p * SCLIP__NR + jj;
            for (kk = 0; kk < k; kk++) {
                float v = 0.0f;
                if (j < n) v = sclip__f16_to_f32(src[(ptrdiff_t)j * sj + (ptrdiff_t)kk * sk]);
                dst[(size_t)kk * SCLIP__NR + jj] = v;
            }
        }
    }
}

/* w: n rows of k floats, row j at w + j*ld (a Linear weight; the keys of one head). */
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_rows(const float *w, ptrdiff_t ld, int n, int k, float *packed) {
    int jp;
    for (jp = 0; jp < n; jp += SCLIP__NR)
        sclip__panel_from_rows(packed + (size_t)jp * (size_t)k, w + (ptrdiff_t)jp * ld, ld,
                               n - jp < SCLIP__NR ? n - jp : SCLIP__NR, k);
}
/* w: k rows of n floats, row p at w + p*ld (visual.proj [768][512]; the values of one head):
   packs its transpose. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_cols(const float *w, ptrdiff_t ld, int k, int n, float *packed) {
    int jp;
    for (jp = 0; jp < n; jp += SCLIP__NR)
        sclip__panel_from_cols(packed + (size_t)jp * (size_t)k, w + jp, ld,
                               n - jp < SCLIP__NR ? n - jp : SCLIP__NR, k);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack(const float *w, int n, int k, float *packed) {
    sclip__gemm_pack_rows(w, k, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_t(const float *w, int k, int n, float *packed) {
    sclip__gemm_pack_cols(w, n, k, n, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_f16(const uint16_t *w, int n, int k, float *packed) {
    sclip__gemm_pack_any16(w, k, 1, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_pack_t_f16(const uint16_t *w, int k, int n, float *packed) {
    sclip__gemm_pack_any16(w, 1, n, n, k, packed);
}

/* ---------------------------------------------------------------------------------
   Micro-kernels. One call: c[0..mr)[0..NR) (+)= a[0..mr)[0..kc) * b[0..kc)[0..NR),
   b row p at b + p*ldb. Rows >= mr alias row mr-1 (computed, never stored).
   On the last K block: + bias, * alpha, epilogue.
   --------------------------------------------------------------------------------- */


static void sclip__ukr_scalar(const sclip__ukr_args *u) {
    float acc[SCLIP__MR][SCLIP__NR];
    int r, j, p;
    for (r = 0; r < SCLIP__MR; r++) {
        const float *cr = u->c + (ptrdiff_t)(r < u->mr ? r : u->mr - 1) * u->ldc;
        for (j = 0; j < SCLIP__NR; j++) acc[r][j] = u->load_c ? cr[j] : 0.0f;
    }
    for (p = 0; p < u->kc; p++) {
        const float *bp = u->b + (ptrdiff_t)p * u->ldb;
        for (r = 0; r < SCLIP__MR; r++) {
            float av = u->a[(ptrdiff_t)(r < u->mr ? r : u->mr - 1) * u->lda + p];
            for (j = 0; j < SCLIP__NR; j++) acc[r][j] += av * bp[j];
        }
    }
    for (r = 0; r < u->mr; r++) {
        float *cr = u->c + (ptrdiff_t)r * u->ldc;
        for (j = 0; j < SCLIP__NR; j++) {
            float t = acc[r][j];
            if (u->last) {
                if (u->bias) t += u->bias[j];
                t = sclip__epi1(t * u->alpha, u->epi);
            }
            cr[j] = t;
        }
    }
}

#if defined(SCLIP__GEMM_AVX512)
/* Mask of the first n & 15 lanes (the tail of a row of n floats). */
static SCLIP__INLINE __mmask16 sclip__tail_mask(int n) { return (__mmask16)((1u << (n & 15)) - 1u); }

/* Sum and max of the 16 lanes in registers: halves, quarters, pairs, neighbours (a tree of
   depth 4; storing the lanes and folding them in scalar code cost ~50 cycles more per row). */
#define SCLIP__FOLD16(op, v)                                                               \
    v = op(v, 0xffff, v, _mm512_mask_shuffle_f32x4(v, 0xffff, v, v, 0x4e));               \
    v = op(v, 0xffff, v, _mm512_mask_shuffle_f32x4(v, 0xffff, v, v, 0xb1));               \
    v = op(v, 0xffff, v, _mm512_mask_permute_ps(v, 0xffff, v, 0x4e));                     \
    v = op(v, 0xffff, v, _mm512_mask_permute_ps(v, 0xffff, v, 0xb1))
static SCLIP__INLINE float sclip__hsum512(__m512 v) {
    SCLIP__FOLD16(_mm512_mask_add_ps, v);
    return _mm512_cvtss_f32(v);
}
static SCLIP__INLINE float sclip__hmax512(__m512 v) {
    SCLIP__FOLD16(_mm512_mask_max_ps, v);
    return _mm512_cvtss_f32(v);
}
#undef SCLIP__FOLD16

/* e^x, |rel err| ~2e-7: x = n ln2 + r, |r| <= ln2/2, degree-6 Taylor, scale by 2^n. */
static SCLIP__INLINE __m512 sclip__exp512(__m512 x) {
    __m512 n, r, p;
    /* masked forms throughout: the unmasked ones trip g++ 12's -Wmaybe-uninitialized */
    x = _mm512_mask_min_ps(x, 0xffff, x, _mm512_set1_ps(88.3f));
    x = _mm512_mask_max_ps(x, 0xffff, x, _mm512_set1_ps(-87.3f));
    n = _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f));
    n = _mm512_mask_roundscale_ps(n, 0xffff, n, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);      /* ln2 hi */
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);  /* ln2 lo */
    p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_mask_scalef_ps(p, 0xffff, p, n);
}
#endif /* SCLIP__GEMM_AVX512 */

#if defined(SCLIP__GEMM_AVX2)
/* e^x, |rel err| ~2e-7: x = n ln2 + r, |r| <= ln2/2, degree-6 Taylor, times 2^n built in
   the exponent field (x is clamped so that n + 127 stays in [1, 254]). */
static SCLIP__INLINE __m256 sclip__exp256(__m256 x) {
    __m256 n, r, p;
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3f)), _mm256_set1_ps(-87.3f));
    n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
    p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23)));
}
/* Sum (lanes in order) and max of the 8 lanes. */
static float sclip__hsum256(__m256 v) {
    float t[8], s = 0;
    int i;
    _mm256_storeu_ps(t, v);
    for (i = 0; i < 8; i++) s += t[i];
    return s;
}
static float sclip__hmax256(__m256 v) {
    float t[8], m;
    int i;
    _mm256_storeu_ps(t, v);
    for (m = t[0], i = 1; i < 8; i++) m = t[i] > m ? t[i] : m;
    return m;
}
#endif /* SCLIP__GEMM_AVX2 */

#if defined(SCLIP__GEMM_NEON)
/* e^x as in the x86 paths: n = round(x log2 e), Taylor on r, 2^n in the exponent field. */
static SCLIP__INLINE float32x4_t sclip__exp_neon(float32x4_t x) {
    float32x4_t n, r, p;
    int32x4_t ni;
    x = vmaxq_f32(vminq_f32(x, vdupq_n_f32(88.3f)), vdupq_n_f32(-87.3f));
    ni = vcvtnq_s32_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
    n = vcvtq_f32_s32(ni);
    r = vfmsq_f32(x, n, vdupq_n_f32(0.693145751953125f));
    r = vfmsq_f32(r, n, vdupq_n_f32(1.428606765330187e-06f));
    p = vdupq_n_f32(1.0f / 720.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    return vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(ni, vdupq_n_s32(127)), 23)));
}
#endif /* SCLIP__GEMM_NEON */

/* ======================================================================================
   Vector layer: one vector of floats and its operations, once per instruction set; GELU,
   QuickGELU, LayerNorm and softmax written once on it
   ====================================================================================== */
/* Sum of n floats (squares: of (x - shift)^2) with 8 running partial sums, lane l taking
   the elements i = l mod 8. The AVX2 and NEON paths keep the 8 sums in vector lanes, with
   the same operations in the same order, so every path gives the same bits (where the
   compiler does not fuse the scalar loop's multiply-add: gcc -std=c99 does not, clang does). */
static SCLIP__MAYBE_UNUSED float sclip__sum8(const float *x, int n, float shift, int squares) {
    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0, l;
#if defined(SCLIP__GEMM_AVX2)
    __m256 a = _mm256_setzero_ps(), sh = _mm256_set1_ps(shift), t;
    for (; i + 8 <= n; i += 8) {
        t = _mm256_loadu_ps(x + i);
        if (squares) t = _mm256_sub_ps(t, sh), t = _mm256_mul_ps(t, t);
        a = _mm256_add_ps(a, t);
    }
    _mm256_storeu_ps(p, a);
#elif defined(SCLIP__GEMM_NEON)
    float32x4_t a0 = vdupq_n_f32(0), a1 = a0, sh = vdupq_n_f32(shift), t0, t1;
    for (; i + 8 <= n; i += 8) {
        t0 = vld1q_f32(x + i);
        t1 = vld1q_f32(x + i + 4);
        if (squares) t0 = vsubq_f32(t0, sh), t1 = vsubq_f32(t1, sh), t0 = vmulq_f32(t0, t0), t1 = vmulq_f32(t1, t1);
        a0 = vaddq_f32(a0, t0);
        a1 = vaddq_f32(a1, t1);
    }
    vst1q_f32(p, a0);
    vst1q_f32(p + 4, a1);
#endif
    for (; i + 8 <= n; i += 8)
        for (l = 0; l < 8; l++) p[l] += squares ? (x[i + l] - shift) * (x[i + l] - shift) : x[i + l];
    for (; i < n; i++) p[0] += squares ? (x[i] - shift) * (x[i] - shift) : x[i];
    return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

#if defined(SCLIP__GEMM_AVX512)
/* sum_i (x_i - shift)^squares over a row, 16 lanes in two chains. */
static float sclip__sum512(const float *x, int n, float shift, int squares) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, sh = _mm512_set1_ps(shift), t;
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), sh), t1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), sh);
        a0 = squares ? _mm512_fmadd_ps(t0, t0, a0) : _mm512_add_ps(a0, t0);
        a1 = squares ? _mm512_fmadd_ps(t1, t1, a1) : _mm512_add_ps(a1, t1);
    }
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : sclip__tail_mask(n);
        t = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + i), sh);
        a0 = squares ? _mm512_fmadd_ps(t, t, a0) : _mm512_add_ps(a0, t);
    }
    return sclip__hsum512(_mm512_add_ps(a0, a1));
}
#endif

/* ---- vector layer: the operations GELU, LayerNorm and softmax need, once per instruction set --
   sclip__vf is one vector of SCLIP__VL floats (a float in the portable pass). The *_n forms
   take the first n < SCLIP__VL lanes of a row's tail: loads fill the others with 0, stores
   leave memory past n alone, keep_n zeroes the other lanes (so they stay out of a sum).
   muladd(a, b, c) = a * b + c as each path's LayerNorm has always rounded it (one fused
   rounding on AVX-512, two elsewhere); fma(a, b, c) = a * b + c and fnma(a, b, c) = c - a * b
   always fused; div(a, d) = a / d (x86: a times the reciprocal estimate refined by one Newton
   step, ~1 ulp); if_pos(t, a, b) = t > 0 ? a : b. rowsum is sum_i (x_i - shift)^(1 or 2) over a
   row. The micro-kernels below use the layer for their epilogues (sclip__v_epi). */
#if defined(SCLIP__GEMM_AVX512)
#define SCLIP__VL 16
typedef __m512 sclip__vf;
static SCLIP__INLINE sclip__vf sclip__v_set1(float a) { return _mm512_set1_ps(a); }
static SCLIP__INLINE sclip__vf sclip__v_load(const float *p) { return _mm512_loadu_ps(p); }
static SCLIP__INLINE void sclip__v_store(float *p, sclip__vf v) { _mm512_storeu_ps(p, v); }
static SCLIP__INLINE sclip__vf sclip__v_load_n(const float *p, int n) { return _mm512_maskz_loadu_ps(sclip__tail_mask(n), p); }
static SCLIP__INLINE void sclip__v_store_n(float *p, sclip__vf v, int n) { _mm512_mask_storeu_ps(p, sclip__tail_mask(n), v); }
static SCLIP__INLINE sclip__vf sclip__v_keep_n(sclip__vf v, int n) { return _mm512_maskz_mov_ps(sclip__tail_mask(n), v); }
static SCLIP__INLINE sclip__vf sclip__v_add(sclip__vf a, sclip__vf b) { return _mm512_add_ps(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_sub(sclip__vf a, sclip__vf b) { return _mm512_sub_ps(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_mul(sclip__vf a, sclip__vf b) { return _mm512_mul_ps(a, b); }
/* the masked form: g++ 12 warns about the unmasked one's undefined source in C++ */
static SCLIP__INLINE sclip__vf sclip__v_max(sclip__vf a, sclip__vf b) { return _mm512_mask_max_ps(a, 0xffff, a, b); }
static SCLIP__INLINE sclip__vf sclip__v_muladd(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm512_fmadd_ps(a, b, c); }
static SCLIP__INLINE sclip__vf sclip__v_exp(sclip__vf a) { return sclip__exp512(a); }
static SCLIP__INLINE float sclip__v_hsum(sclip__vf a) { return sclip__hsum512(a); }
static SCLIP__INLINE float sclip__v_hmax(sclip__vf a) { return sclip__hmax512(a); }
static SCLIP__INLINE sclip__vf sclip__v_fma(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm512_fmadd_ps(a, b, c); }
static SCLIP__INLINE sclip__vf sclip__v_fnma(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm512_fnmadd_ps(a, b, c); }
static SCLIP__INLINE sclip__vf sclip__v_abs(sclip__vf a) { return _mm512_abs_ps(a); }
static SCLIP__INLINE sclip__vf sclip__v_div(sclip__vf a, sclip__vf d) { /* rcp14, one Newton step: ~1 ulp */
    __m512 r = _mm512_mask_rcp14_ps(d, 0xffff, d);
    return _mm512_mul_ps(a, _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f))));
}
static SCLIP__INLINE sclip__vf sclip__v_if_pos(sclip__vf t, sclip__vf a, sclip__vf b) {
    return _mm512_mask_mov_ps(b, _mm512_cmp_ps_mask(t, _mm512_setzero_ps(), _CMP_GT_OQ), a);
}
static float sclip__v_rowsum(const float *x, int n, float shift, int squares) { return sclip__sum512(x, n, shift, squares); }
#elif defined(SCLIP__GEMM_AVX2)
#define SCLIP__VL 8
typedef __m256 sclip__vf;
static SCLIP__INLINE __m256i sclip__v_mask(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
static SCLIP__INLINE sclip__vf sclip__v_set1(float a) { return _mm256_set1_ps(a); }
static SCLIP__INLINE sclip__vf sclip__v_load(const float *p) { return _mm256_loadu_ps(p); }
static SCLIP__INLINE void sclip__v_store(float *p, sclip__vf v) { _mm256_storeu_ps(p, v); }
static SCLIP__INLINE sclip__vf sclip__v_load_n(const float *p, int n) { return _mm256_maskload_ps(p, sclip__v_mask(n)); }
static SCLIP__INLINE void sclip__v_store_n(float *p, sclip__vf v, int n) { _mm256_maskstore_ps(p, sclip__v_mask(n), v); }
static SCLIP__INLINE sclip__vf sclip__v_keep_n(sclip__vf v, int n) { return _mm256_and_ps(v, _mm256_castsi256_ps(sclip__v_mask(n))); }
static SCLIP__INLINE sclip__vf sclip__v_add(sclip__vf a, sclip__vf b) { return _mm256_add_ps(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_sub(sclip__vf a, sclip__vf b) { return _mm256_sub_ps(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_mul(sclip__vf a, sclip__vf b) { return _mm256_mul_ps(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_max(sclip__vf a, sclip__vf b) { return _mm256_max_ps(b, a); }
static SCLIP__INLINE sclip__vf sclip__v_muladd(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm256_add_ps(_mm256_mul_ps(a, b), c); }
static SCLIP__INLINE sclip__vf sclip__v_exp(sclip__vf a) { return sclip__exp256(a); }
static SCLIP__INLINE float sclip__v_hsum(sclip__vf a) { return sclip__hsum256(a); }
static SCLIP__INLINE float sclip__v_hmax(sclip__vf a) { return sclip__hmax256(a); }
static SCLIP__INLINE sclip__vf sclip__v_fma(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm256_fmadd_ps(a, b, c); }
static SCLIP__INLINE sclip__vf sclip__v_fnma(sclip__vf a, sclip__vf b, sclip__vf c) { return _mm256_fnmadd_ps(a, b, c); }
static SCLIP__INLINE sclip__vf sclip__v_abs(sclip__vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static SCLIP__INLINE sclip__vf sclip__v_div(sclip__vf a, sclip__vf d) { /* 12-bit estimate, one Newton step */
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_mul_ps(a, _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f))));
}
static SCLIP__INLINE sclip__vf sclip__v_if_pos(sclip__vf t, sclip__vf a, sclip__vf b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(t, _mm256_setzero_ps(), _CMP_GT_OQ));
}
static float sclip__v_rowsum(const float *x, int n, float shift, int squares) { return sclip__sum8(x, n, shift, squares); }
#elif defined(SCLIP__GEMM_NEON)
#define SCLIP__VL 4
typedef float32x4_t sclip__vf;
static SCLIP__INLINE sclip__vf sclip__v_set1(float a) { return vdupq_n_f32(a); }
static SCLIP__INLINE sclip__vf sclip__v_load(const float *p) { return vld1q_f32(p); }
static SCLIP__INLINE void sclip__v_store(float *p, sclip__vf v) { vst1q_f32(p, v); }
static SCLIP__INLINE sclip__vf sclip__v_load_n(const float *p, int n) {
    float t[4] = {0, 0, 0, 0};
    memcpy(t, p, (size_t)n * sizeof(float));
    return vld1q_f32(t);
}
static SCLIP__INLINE void sclip__v_store_n(float *p, sclip__vf v, int n) {
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, (size_t)n * sizeof(float));
}
static SCLIP__INLINE sclip__vf sclip__v_keep_n(sclip__vf v, int n) {
    static const int32_t lane[4] = {0, 1, 2, 3};
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vcltq_s32(vld1q_s32(lane), vdupq_n_s32(n))));
}
static SCLIP__INLINE sclip__vf sclip__v_add(sclip__vf a, sclip__vf b) { return vaddq_f32(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_sub(sclip__vf a, sclip__vf b) { return vsubq_f32(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_mul(sclip__vf a, sclip__vf b) { return vmulq_f32(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_max(sclip__vf a, sclip__vf b) { return vmaxq_f32(a, b); }
static SCLIP__INLINE sclip__vf sclip__v_muladd(sclip__vf a, sclip__vf b, sclip__vf c) { return vaddq_f32(vmulq_f32(a, b), c); }
static SCLIP__INLINE sclip__vf sclip__v_exp(sclip__vf a) { return sclip__exp_neon(a); }
static SCLIP__INLINE float sclip__v_hsum(sclip__vf a) { return vaddvq_f32(a); }
static SCLIP__INLINE float sclip__v_hmax(sclip__vf a) { return vmaxvq_f32(a); }
static SCLIP__INLINE sclip__vf sclip__v_fma(sclip__vf a, sclip__vf b, sclip__vf c) { return vfmaq_f32(c, a, b); }
static SCLIP__INLINE sclip__vf sclip__v_fnma(sclip__vf a, sclip__vf b, sclip__vf c) { return vfmsq_f32(c, a, b); }
static SCLIP__INLINE sclip__vf sclip__v_abs(sclip__vf a) { return vabsq_f32(a); }
static SCLIP__INLINE sclip__vf sclip__v_div(sclip__vf a, sclip__vf d) { return vdivq_f32(a, d); }
static SCLIP__INLINE sclip__vf sclip__v_if_pos(sclip__vf t, sclip__vf a, sclip__vf b) {
    return vbslq_f32(vcgtq_f32(t, vdupq_n_f32(0.0f)), a, b);
}
static float sclip__v_rowsum(const float *x, int n, float shift, int squares) { return sclip__sum8(x, n, shift, squares); }
#else /* portable C: one lane, so the *_n forms never run */
#define SCLIP__VL 1
typedef float sclip__vf;
static SCLIP__INLINE sclip__vf sclip__v_set1(float a) { return a; }
static SCLIP__INLINE sclip__vf sclip__v_load(const float *p) { return *p; }
static SCLIP__INLINE void sclip__v_store(float *p, sclip__vf v) { *p = v; }
static SCLIP__INLINE sclip__vf sclip__v_load_n(const float *p, int n) { return n > 0 ? *p : 0.0f; }
static SCLIP__INLINE void sclip__v_store_n(float *p, sclip__vf v, int n) { if (n > 0) *p = v; }
static SCLIP__INLINE sclip__vf sclip__v_keep_n(sclip__vf v, int n) { return n > 0 ? v : 0.0f; }
static SCLIP__INLINE sclip__vf sclip__v_add(sclip__vf a, sclip__vf b) { return a + b; }
static SCLIP__INLINE sclip__vf sclip__v_sub(sclip__vf a, sclip__vf b) { return a - b; }
static SCLIP__INLINE sclip__vf sclip__v_mul(sclip__vf a, sclip__vf b) { return a * b; }
static SCLIP__INLINE sclip__vf sclip__v_max(sclip__vf a, sclip__vf b) { return b > a ? b : a; }
static SCLIP__INLINE sclip__vf sclip__v_muladd(sclip__vf a, sclip__vf b, sclip__vf c) { return a * b + c; }
static SCLIP__INLINE sclip__vf sclip__v_exp(sclip__vf a) { return expf(a); }
static SCLIP__INLINE float sclip__v_hsum(sclip__vf a) { return a; }
static SCLIP__INLINE float sclip__v_hmax(sclip__vf a) { return a; }
static SCLIP__INLINE sclip__vf sclip__v_fma(sclip__vf a, sclip__vf b, sclip__vf c) { return a * b + c; }
static SCLIP__INLINE sclip__vf sclip__v_fnma(sclip__vf a, sclip__vf b, sclip__vf c) { return c - a * b; }
static SCLIP__INLINE sclip__vf sclip__v_abs(sclip__vf a) { return fabsf(a); }
static SCLIP__INLINE sclip__vf sclip__v_div(sclip__vf a, sclip__vf d) { return a / d; }
static SCLIP__INLINE sclip__vf sclip__v_if_pos(sclip__vf t, sclip__vf a, sclip__vf b) { return t > 0 ? a : b; }
static float sclip__v_rowsum(const float *x, int n, float shift, int squares) { return sclip__sum8(x, n, shift, squares); }
#endif


/* QuickGELU, t sigmoid(1.702 t) = t / (1 + e^(-1.702 t)). */
static SCLIP__INLINE sclip__vf sclip__v_quickgelu(sclip__vf t) {
    sclip__vf e = sclip__v_exp(sclip__v_mul(t, sclip__v_set1(-1.702f)));
    return sclip__v_div(t, sclip__v_add(e, sclip__v_set1(1.0f)));
}

/* GELU, t Phi(t) with Phi(t) = erfc(-t/sqrt2)/2; erfc(z), z >= 0, by the Chebyshev fit
   erfc(z) = u exp(-z^2 + P(u)), u = 1/(1 + z/2) (fractional error < 1.2e-7). */
static SCLIP__INLINE sclip__vf sclip__v_gelu(sclip__vf t) {
    sclip__vf z = sclip__v_mul(sclip__v_abs(t), sclip__v_set1(0.70710678118654752f)), one = sclip__v_set1(1.0f);
    sclip__vf u = sclip__v_div(one, sclip__v_fma(z, sclip__v_set1(0.5f), one));
    sclip__vf q = sclip__v_set1(0.17087277f), e;
    q = sclip__v_fma(q, u, sclip__v_set1(-0.82215223f));
    q = sclip__v_fma(q, u, sclip__v_set1(1.48851587f));
    q = sclip__v_fma(q, u, sclip__v_set1(-1.13520398f));
    q = sclip__v_fma(q, u, sclip__v_set1(0.27886807f));
    q = sclip__v_fma(q, u, sclip__v_set1(-0.18628806f));
    q = sclip__v_fma(q, u, sclip__v_set1(0.09678418f));
    q = sclip__v_fma(q, u, sclip__v_set1(0.37409196f));
    q = sclip__v_fma(q, u, sclip__v_set1(1.00002368f));
    q = sclip__v_fma(q, u, sclip__v_set1(-1.26551223f));
    q = sclip__v_fnma(z, z, q);
    e = sclip__v_mul(sclip__v_mul(u, sclip__v_exp(q)), sclip__v_set1(0.5f)); /* Phi(-|t|) */
    return sclip__v_mul(t, sclip__v_if_pos(t, sclip__v_sub(one, e), e));
}

/* A product's epilogue on one vector: QuickGELU, GELU, or t itself (EPI_NONE; EPI_ADD is the
   caller's, who holds y). */
static SCLIP__INLINE sclip__vf sclip__v_epi(sclip__vf t, int epi) {
    return epi == SCLIP__EPI_QUICKGELU ? sclip__v_quickgelu(t) : epi == SCLIP__EPI_GELU ? sclip__v_gelu(t) : t;
}

/* LayerNorm of one row: y = (x - mean) / sqrt(var + eps) * w + b (biased variance). */
static void sclip__layer_norm_row(const float *xr, float *yr, int n, const float *w, const float *b, float eps) {
    float mean = sclip__v_rowsum(xr, n, 0, 0) / (float)n;
    float inv = 1.0f / sqrtf(sclip__v_rowsum(xr, n, mean, 1) / (float)n + eps);
    sclip__vf vm = sclip__v_set1(mean), vi = sclip__v_set1(inv);
    int i;
    for (i = 0; i + SCLIP__VL <= n; i += SCLIP__VL)
        sclip__v_store(yr + i, sclip__v_muladd(sclip__v_mul(sclip__v_sub(sclip__v_load(xr + i), vm), vi),
                                               sclip__v_load(w + i), sclip__v_load(b + i)));
    if (i < n)
        sclip__v_store_n(yr + i, sclip__v_muladd(sclip__v_mul(sclip__v_sub(sclip__v_load_n(xr + i, n - i), vm), vi),
                                                 sclip__v_load_n(w + i, n - i), sclip__v_load_n(b + i, n - i)), n - i);
}

/* First half of a softmax, in place: x = exp(x - max(x)); returns 1 / sum of them. The vector
   exp has a relative error ~2e-7 and clamps, so -inf gives ~1e-38. */
static float sclip__softmax_exp(float *x, int n) {
    sclip__vf vm = sclip__v_set1(x[0]), vs = sclip__v_set1(0.0f), e;
    int i, nf = n - n % SCLIP__VL;
    float mx;
    for (i = 0; i < nf; i += SCLIP__VL) vm = sclip__v_max(vm, sclip__v_load(x + i));
    mx = sclip__v_hmax(vm);
    for (i = nf; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    vm = sclip__v_set1(mx);
    for (i = 0; i < nf; i += SCLIP__VL) {
        e = sclip__v_exp(sclip__v_sub(sclip__v_load(x + i), vm));
        sclip__v_store(x + i, e);
        vs = sclip__v_add(vs, e);
    }
    if (nf < n) { /* the tail in one vector, its other lanes kept out of the sum */
        e = sclip__v_keep_n(sclip__v_exp(sclip__v_sub(sclip__v_load_n(x + nf, n - nf), vm)), n - nf);
        sclip__v_store_n(x + nf, e, n - nf);
        vs = sclip__v_add(vs, e);
    }
    return 1.0f / sclip__v_hsum(vs);
}

/* Second half: x = x * rx, or with y, x = x * rx + y * ry: CSA's softmax(a) + softmax(b) in one
   pass (two rounded products, then their sum: without FMA contraction, the bits of scaling
   each row and adding them). */
static void sclip__softmax_scale(float *x, float rx, const float *y, float ry, int n) {
    sclip__vf vx = sclip__v_set1(rx), vy = sclip__v_set1(ry), t;
    int i;
    for (i = 0; i + SCLIP__VL <= n; i += SCLIP__VL) {
        t = sclip__v_mul(sclip__v_load(x + i), vx);
        if (y) t = sclip__v_add(t, sclip__v_mul(sclip__v_load(y + i), vy));
        sclip__v_store(x + i, t);
    }
    for (; i < n; i++) {
        float t1 = x[i] * rx;
        x[i] = y ? t1 + y[i] * ry : t1;
    }
}

/* ======================================================================================
   sclip gemm, continued: the micro-kernels of each instruction set and the drivers
   ====================================================================================== */
#if defined(SCLIP__GEMM_AVX512) || defined(SCLIP__GEMM_AVX2)
/* x86: an MR x NR = 6 x (2 vectors) tile (6 x 32 with AVX-512, 6 x 16 with AVX2) in 12
   accumulators; per k, two panel vectors and one broadcast per row. */
static void sclip__ukr_x86(const sclip__ukr_args *u) {
    const ptrdiff_t lda = u->lda, ldb = u->ldb, ldc = u->ldc;
    const int mr = u->mr, V = SCLIP__VL;
    const float *a0 = u->a, *a1 = a0 + (mr > 1 ? lda : 0), *a2 = a1 + (mr > 2 ? lda : 0);
    const float *a3 = a2 + (mr > 3 ? lda : 0), *a4 = a3 + (mr > 4 ? lda : 0), *a5 = a4 + (mr > 5 ? lda : 0);
    const float *b = u->b;
    sclip__vf c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, bv0, bv1, av;
    int p, kc = u->kc;
    if (u->load_c) {
        const float *c0 = u->c, *c1 = c0 + (mr > 1 ? ldc : 0), *c2 = c1 + (mr > 2 ? ldc : 0);
        const float *c3 = c2 + (mr > 3 ? ldc : 0), *c4 = c3 + (mr > 4 ? ldc : 0), *c5 = c4 + (mr > 5 ? ldc : 0);
        c00 = sclip__v_load(c0); c01 = sclip__v_load(c0 + V);
        c10 = sclip__v_load(c1); c11 = sclip__v_load(c1 + V);
        c20 = sclip__v_load(c2); c21 = sclip__v_load(c2 + V);
        c30 = sclip__v_load(c3); c31 = sclip__v_load(c3 + V);
        c40 = sclip__v_load(c4); c41 = sclip__v_load(c4 + V);
        c50 = sclip__v_load(c5); c51 = sclip__v_load(c5 + V);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = sclip__v_set1(0.0f);
    }
#define SCLIP__KX86(q)                                                                               \
    bv0 = sclip__v_load(b + (q) * ldb); bv1 = sclip__v_load(b + (q) * ldb + V);                        \
    av = sclip__v_set1(a0[p + (q)]); c00 = sclip__v_fma(av, bv0, c00); c01 = sclip__v_fma(av, bv1, c01); \
    av = sclip__v_set1(a1[p + (q)]); c10 = sclip__v_fma(av, bv0, c10); c11 = sclip__v_fma(av, bv1, c11); \
    av = sclip__v_set1(a2[p + (q)]); c20 = sclip__v_fma(av, bv0, c20); c21 = sclip__v_fma(av, bv1, c21); \
    av = sclip__v_set1(a3[p + (q)]); c30 = sclip__v_fma(av, bv0, c30); c31 = sclip__v_fma(av, bv1, c31); \
    av = sclip__v_set1(a4[p + (q)]); c40 = sclip__v_fma(av, bv0, c40); c41 = sclip__v_fma(av, bv1, c41); \
    av = sclip__v_set1(a5[p + (q)]); c50 = sclip__v_fma(av, bv0, c50); c51 = sclip__v_fma(av, bv1, c51);
    for (p = 0; p + 4 <= kc; p += 4) {
        SCLIP__KX86(0) SCLIP__KX86(1) SCLIP__KX86(2) SCLIP__KX86(3)
        b += 4 * ldb;
    }
    for (; p < kc; p++) {
        SCLIP__KX86(0)
        b += ldb;
    }
#undef SCLIP__KX86
    {
        sclip__vf acc[12];
        int r;
        acc[0] = c00; acc[1] = c01; acc[2] = c10; acc[3] = c11; acc[4] = c20; acc[5] = c21;
        acc[6] = c30; acc[7] = c31; acc[8] = c40; acc[9] = c41; acc[10] = c50; acc[11] = c51;
        if (u->last) { /* all 12 vectors (rows >= mr are copies): independent chains overlap */
            sclip__vf bias0 = u->bias ? sclip__v_load(u->bias) : sclip__v_set1(0.0f);
            sclip__vf bias1 = u->bias ? sclip__v_load(u->bias + V) : sclip__v_set1(0.0f);
            sclip__vf al = sclip__v_set1(u->alpha);
            for (r = 0; r < 12; r += 2) {
                acc[r] = sclip__v_mul(sclip__v_add(acc[r], bias0), al);
                acc[r + 1] = sclip__v_mul(sclip__v_add(acc[r + 1], bias1), al);
            }
            if (u->epi == SCLIP__EPI_QUICKGELU)
                for (r = 0; r < 12; r++) acc[r] = sclip__v_quickgelu(acc[r]);
            else if (u->epi == SCLIP__EPI_GELU)
                for (r = 0; r < 12; r++) acc[r] = sclip__v_gelu(acc[r]);
        }
        for (r = 0; r < mr; r++) {
            sclip__v_store(u->c + r * ldc, acc[2 * r]);
            sclip__v_store(u->c + r * ldc + V, acc[2 * r + 1]);
        }
    }
}
#define SCLIP__UKR_SIMD sclip__ukr_x86
#endif /* SCLIP__GEMM_AVX512 || SCLIP__GEMM_AVX2 */

#if defined(SCLIP__GEMM_NEON)
/* 6 x 16: 24 accumulators, 4 panel vectors and one broadcast per k. */
static void sclip__ukr_neon(const sclip__ukr_args *u) {
    const ptrdiff_t lda = u->lda, ldb = u->ldb, ldc = u->ldc;
    const int mr = u->mr;
    const float *ar[6];
    const float *b = u->b;
    float32x4_t c[6][4];
    int p, r, kc = u->kc;
    for (r = 0; r < 6; r++) ar[r] = u->a + (ptrdiff_t)(r < mr ? r : mr - 1) * lda;
    for (r = 0; r < 6; r++) {
        const float *cr = u->c + (ptrdiff_t)(r < mr ? r : mr - 1) * ldc;
        if (u->load_c) {
            c[r][0] = vld1q_f32(cr); c[r][1] = vld1q_f32(cr + 4);
            c[r][2] = vld1q_f32(cr + 8); c[r][3] = vld1q_f32(cr + 12);
        } else {
            c[r][0] = c[r][1] = c[r][2] = c[r][3] = vdupq_n_f32(0.0f);
        }
    }
    for (p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12), av;
        b += ldb;
#define SCLIP__KNEON(r)                                                                     \
        av = vld1q_dup_f32(ar[r] + p);                                                        \
        c[r][0] = vfmaq_f32(c[r][0], b0, av); c[r][1] = vfmaq_f32(c[r][1], b1, av);         \
        c[r][2] = vfmaq_f32(c[r][2], b2, av); c[r][3] = vfmaq_f32(c[r][3], b3, av);
        SCLIP__KNEON(0) SCLIP__KNEON(1) SCLIP__KNEON(2) SCLIP__KNEON(3) SCLIP__KNEON(4) SCLIP__KNEON(5)
#undef SCLIP__KNEON
    }
    for (r = 0; r < mr; r++) {
        float *cr = u->c + (ptrdiff_t)r * ldc;
        int q;
        for (q = 0; q < 4; q++) {
            float32x4_t t = c[r][q];
            if (u->last) {
                if (u->bias) t = vaddq_f32(t, vld1q_f32(u->bias + 4 * q));
                t = sclip__v_epi(vmulq_n_f32(t, u->alpha), u->epi);
            }
            vst1q_f32(cr + 4 * q, t);
        }
    }
}
#define SCLIP__UKR_SIMD sclip__ukr_neon
#endif /* SCLIP__GEMM_NEON */

/* ---------------------------------------------------------------------------------
   Drivers
   --------------------------------------------------------------------------------- */
#ifndef SCLIP__UKR_SIMD
#define SCLIP__UKR_SIMD sclip__ukr_scalar
#endif

/* Run the kernel on one tile; a tile narrower than NR goes through a stack copy. */
static void sclip__gemm_tile(sclip__ukr_fn ukr, sclip__ukr_args *u, int nr, float *c, ptrdiff_t ldc) {
    float tile[SCLIP__MR * SCLIP__NR];
    int r;
    if (nr == SCLIP__NR) {
        u->c = c; u->ldc = ldc;
        ukr(u);
        return;
    }
    memset(tile, 0, sizeof tile);
    if (u->load_c)
        for (r = 0; r < u->mr; r++) memcpy(tile + r * SCLIP__NR, c + r * ldc, (size_t)nr * sizeof(float));
    u->c = tile; u->ldc = SCLIP__NR;
    ukr(u);
    for (r = 0; r < u->mr; r++) memcpy(c + r * ldc, tile + r * SCLIP__NR, (size_t)nr * sizeof(float));
}

/* The next row block's tile of y (up to MR rows of nr floats) fetched toward L1 while the
   current one is computed: the kernel starts from those partial sums (K blocks after the
   first, or the residual), and a tile of a wide product is no longer in L2. */
static void sclip__gemm_prefetch_tile(float *c, ptrdiff_t ldc, int rows, int nr) {
    int r;
    for (r = 0; r < SCLIP__MR && r < rows; r++) {
        SCLIP__PREFETCH_W(c + r * ldc);
        SCLIP__PREFETCH_W(c + r * ldc + nr - 1);
    }
}

/* K split into nb blocks of nearly equal size, each <= SCLIP__KC. */
static int sclip__kc_of(int k) {
    int nb = (k + SCLIP__KC - 1) / SCLIP__KC;
    return nb > 0 ? (k + nb - 1) / nb : 1;
}

/* Columns [c0, c1) of y, K block by K block (see sclip__gemm_with); `after` is the first
   column of the next chunk (-1 after the last), whose first panel block is prefetched at the end. */
static void sclip__gemm_chunk(sclip__ukr_fn ukr, int m, int k, const float *x, int ldx, const float *packed,
                              const float *bias, float alpha, int epi, float *y, int ldy, int c0, int c1,
                              int after) {
    int kc = sclip__kc_of(k), pc, jp, i;
    float bias_pad[SCLIP__NR];
    for (pc = 0; pc < k; pc += kc) {
        sclip__ukr_args u;
        int kb = k - pc < kc ? k - pc : kc;
        u.kc = kb; u.lda = ldx; u.ldb = SCLIP__NR;
        u.load_c = pc > 0 || epi == SCLIP__EPI_ADD;
        u.last = pc + kb == k;
        u.alpha = alpha; u.epi = epi == SCLIP__EPI_ADD ? SCLIP__EPI_NONE : epi;
        for (jp = c0; jp < c1; jp += SCLIP__NR) {
            int nr = c1 - jp < SCLIP__NR ? c1 - jp : SCLIP__NR, ib, nrb = (m + SCLIP__MR - 1) / SCLIP__MR;
            int kn = kb; /* rows of the next panel block */
            const float *next;
            size_t lines;
            u.b = packed + (size_t)jp * (size_t)k + (size_t)pc * SCLIP__NR;
            u.bias = bias ? bias + jp : NULL;
            if (bias && nr < SCLIP__NR) {
                memset(bias_pad, 0, sizeof bias_pad);
                memcpy(bias_pad, bias + jp, (size_t)nr * sizeof(float));
                u.bias = bias_pad;
            }
            /* the next panel block is fetched toward L2 a slice per row block: the next panel,
               else the chunk's first panel at the next K block, else the next chunk's first */
            next = NULL;
            if (jp + SCLIP__NR < c1) {
                next = packed + (size_t)(jp + SCLIP__NR) * (size_t)k + (size_t)pc * SCLIP__NR;
            } else if (pc + kb < k) {
                next = packed + (size_t)c0 * (size_t)k + (size_t)(pc + kb) * SCLIP__NR;
                kn = k - pc - kb < kb ? k - pc - kb : kb;
            } else if (after >= 0) {
                next = packed + (size_t)after * (size_t)k;
                kn = kc;
            }
            lines = ((size_t)kn * SCLIP__NR + 15) / 16; /* 64-byte lines */
            for (i = 0, ib = 0; i < m; i += SCLIP__MR, ib++) {
                u.mr = m - i < SCLIP__MR ? m - i : SCLIP__MR;
                u.a = x + (ptrdiff_t)i * ldx + pc;
                if (next) {
                    size_t l0 = lines * (size_t)ib / (size_t)nrb, l1 = lines * (size_t)(ib + 1) / (size_t)nrb;
                    for (; l0 < l1; l0++) SCLIP__PREFETCH(next + l0 * 16);
                }
                if (i + SCLIP__MR < m)
                    sclip__gemm_prefetch_tile(y + (ptrdiff_t)(i + SCLIP__MR) * ldy + jp, ldy, m - i - SCLIP__MR, nr);
                sclip__gemm_tile(ukr, &u, nr, y + (ptrdiff_t)i * ldy + jp, ldy);
            }
        }
    }
}

/* The output columns go by chunks of SCLIP__NC: a chunk's partial sums (m x NC floats of y,
   200 KB at m = 197) stay in L2 from one K block to the next, where a whole row of y
   (m x 2304 floats for in_proj, 1.8 MB) would not. Each (i, j) sees the same K blocks in
   the same order either way. */
static void sclip__gemm_with(sclip__ukr_fn ukr, int m, int n, int k, const float *x, int ldx,
                             const float *packed, const float *bias, float alpha, int epi, float *y, int ldy,
                             int j0, int j1) {
    int c0, c1;
    SCLIP__GEMM_ASSERT(j0 % SCLIP__NR == 0 && j0 >= 0 && j1 <= n);
    if (m <= 0 || j1 <= j0 || k <= 0) return;
    for (c0 = j0; c0 < j1; c0 = c1) {
        c1 = j1 - c0 > SCLIP__NC ? c0 + SCLIP__NC : j1;
        sclip__gemm_chunk(ukr, m, k, x, ldx, packed, bias, alpha, epi, y, ldy, c0, c1, c1 < j1 ? c1 : -1);
    }
}

/* y[i][j] = epi(x[i] . W[j] + bias[j]) for i in [0,m), j in [j0,j1); see the top comment. */
static SCLIP__MAYBE_UNUSED void sclip__gemm(int m, int n, int k, const float *x, int ldx, const float *packed,
                        const float *bias, int epi, float *y, int ldy, int j0, int j1) {
    sclip__gemm_with(SCLIP__UKR_SIMD, m, n, k, x, ldx, packed, bias, 1.0f, epi, y, ldy, j0, j1);
}

/* Same with the portable kernel (same packed layout): for tests. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_scalar(int m, int n, int k, const float *x, int ldx,
                                                   const float *packed, const float *bias, int epi,
                                                   float *y, int ldy, int j0, int j1) {
    sclip__gemm_with(sclip__ukr_scalar, m, n, k, x, ldx, packed, bias, 1.0f, epi, y, ldy, j0, j1);
}

/* Reference: plain triple loop on the unpacked W [n][k], sums in double. */

/* Small unpacked products (attention). Each column panel of b (kc x NR) is copied to the
   stack, then swept by all row blocks of a. */
static void sclip__gemm_small(sclip__ukr_fn ukr, int nt, int m, int n, int k, float alpha,
                              const float *a, int lda, const float *b, int ldb,
                              float *c, int ldc, int accumulate) {
    float panel[SCLIP__KC_SMALL * SCLIP__NR]; /* 8 KB at most: K goes by blocks of 64 here */
    int nb = (k + SCLIP__KC_SMALL - 1) / SCLIP__KC_SMALL, kc = nb > 0 ? (k + nb - 1) / nb : 1, pc, jp, i;
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {                        /* empty sum */
        if (!accumulate)
            for (i = 0; i < m; i++) memset(c + (ptrdiff_t)i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    for (pc = 0; pc < k; pc += kc) {
        sclip__ukr_args u;
        int kb = k - pc < kc ? k - pc : kc;
        u.kc = kb; u.lda = lda; u.bias = NULL; u.epi = SCLIP__EPI_NONE;
        u.load_c = pc > 0 || accumulate;
        u.last = pc + kb == k;
        u.alpha = alpha;
        for (jp = 0; jp < n; jp += SCLIP__NR) {
            int nr = n - jp < SCLIP__NR ? n - jp : SCLIP__NR;
            /* copy the panel even when b could be used in place: rows of b far apart
               (V inside a qkv buffer) would fight over a few L1 sets */
            if (nt) sclip__panel_from_rows(panel, b + (ptrdiff_t)jp * ldb + pc, ldb, nr, kb);
            else sclip__panel_from_cols(panel, b + (ptrdiff_t)pc * ldb + jp, ldb, nr, kb);
            u.b = panel;
            u.ldb = SCLIP__NR;
            for (i = 0; i < m; i += SCLIP__MR) {
                u.mr = m - i < SCLIP__MR ? m - i : SCLIP__MR;
                u.a = a + (ptrdiff_t)i * lda + pc;
                sclip__gemm_tile(ukr, &u, nr, c + (ptrdiff_t)i * ldc + jp, ldc);
            }
        }
    }
}

/* c[i][j] = alpha * sum_p a[i][p] * W[j][p], W packed (attention: keys or values of one head) */
static SCLIP__MAYBE_UNUSED void sclip__gemm_packed(int m, int n, int k, float alpha, const float *a, int lda,
                                                   const float *packed, float *c, int ldc) {
    sclip__gemm_with(SCLIP__UKR_SIMD, m, n, k, a, lda, packed, NULL, alpha, SCLIP__EPI_NONE, c, ldc, 0, n);
}
/* c[i][j] = alpha * sum_p a[i][p] * b[j][p]   (A B^T, e.g. Q K^T) */
static SCLIP__MAYBE_UNUSED void sclip__gemm_nt(int m, int n, int k, float alpha, const float *a, int lda,
                                               const float *b, int ldb, float *c, int ldc) {
    sclip__gemm_small(SCLIP__UKR_SIMD, 1, m, n, k, alpha, a, lda, b, ldb, c, ldc, 0);
}
/* c[i][j] (+)= sum_p a[i][p] * b[p][j]   (A B, e.g. P V) */
static SCLIP__MAYBE_UNUSED void sclip__gemm_nn(int m, int n, int k, const float *a, int lda,
                                               const float *b, int ldb, float *c, int ldc, int accumulate) {
    sclip__gemm_small(SCLIP__UKR_SIMD, 0, m, n, k, 1.0f, a, lda, b, ldb, c, ldc, accumulate);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_nt_scalar(int m, int n, int k, float alpha, const float *a, int lda,
                                                      const float *b, int ldb, float *c, int ldc) {
    sclip__gemm_small(sclip__ukr_scalar, 1, m, n, k, alpha, a, lda, b, ldb, c, ldc, 0);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_nn_scalar(int m, int n, int k, const float *a, int lda,
                                                      const float *b, int ldb, float *c, int ldc, int accumulate) {
    sclip__gemm_small(sclip__ukr_scalar, 0, m, n, k, 1.0f, a, lda, b, ldb, c, ldc, accumulate);
}

/* ======================================================================================
   sclip gemm_lowp: reduced-precision packed matrix products (bf16, int8 and 12-bit weights)
   ======================================================================================
   Uses the fp32 block's epilogue enum and helpers. Same contract: static sclip__ functions, no globals,
   no threads, no allocation (the caller passes scratch, sized by the *_scratch_size
   functions), y[i][j] = epi( sum_k x[i][k] W[j][k] + bias[j] ) with W in Linear layout
   [n][k], output columns [j0, j1) per call (j0 a multiple of 32), EPI_ADD adds the result
   to y. The result of an (i, j) never depends on the column split: K is never split across
   calls and the activations are converted per row, identically in every call.

   All formats use panels of 32 output channels, the same layout in every build (pack once,
   run on any path), and a portable scalar kernel that reproduces the SIMD kernel exactly
   (bit for bit before QuickGELU/GELU, which use the vector exp of the fp32 block).

   bf16  W rounded to bf16 (nearest even); x converted to bf16 once per product (split by
         rows across the threads, like the q8 quantisation) or per call (sclip__gemm_bf16_with);
         vdpbf16ps, fp32 sums. Panel layout: for each k pair, 32 x {W[j][2p], W[j][2p+1]}.
         Error ~2^-9 relative per element (both operands rounded). Whether vdpbf16ps is
         faster than fp32 FMAs depends on the CPU (docs/PERFORMANCE.md); it always saves
         memory.
   q8    W symmetric int8 per output channel (scale_j = max|W_j| / 127); x quantised per
         row over the whole K (s_i = max|x_i| / 127, q = round(x / s_i)), shifted to u8
         (q + 128) for vpdpbusd (u8 x s8 -> s32, 4 products per lane); the shift is undone
         in the epilogue by subtracting 128 * sum_k Wq[j][k] (stored with the panels):
           y = epi( (acc - 128 colsum_j) * (scale_j * s_i) + bias_j ).
         Integer sums are exact, so the result is independent of the blocking.
         Panel layout: for each k quad, 32 x 4 int8; after all panels n32 f32 scales and
         n32 s32 values 128 * colsum (n32 = n rounded up to 32).
   q16   as q8 with 2047 for 127 (12-bit integers, no shift) in the bf16 layout of int16
         pairs; vpdpwssd (s16 x s16 -> s32, 2 products per lane; vpmaddwd + add without
         VNNI): twice the multiply-adds of an fp32 FMA per instruction. Exact s32 sums per K
         block of at most 256 (256 x 2047^2 < 2^31), f32 sums across blocks. Error ~2^-12 of
         the row / column maximum per element: 16 times below q8.

   Paths: AVX-512 BF16 (__AVX512BF16__), AVX-512 VNNI (__AVX512VNNI__), both on top of the
   AVX-512 fp32 path; q8 also with AVX-VNNI (__AVXVNNI__, 256-bit vpdpbusd, on the AVX2 path)
   and the Arm dot product (__ARM_FEATURE_DOTPROD, sdot: s8 x s8, so the kernel turns the
   activation bytes back into q = byte ^ 0x80 and starts its sums at 128 * colsum, which the
   shared epilogue takes off again); without VNNI, AVX-512 (BW) and AVX2 build vpdpbusd's sums
   from vpmaddubsw + vpmaddwd the same way (sclip__dpbusd256/512: the same sums, more
   instructions); q16 with AVX-512 (VNNI or BW), AVX2 (AVX-VNNI or not) and
   NEON (smlal); otherwise (or under SCLIP_NO_SIMD) the scalar kernels.
   ====================================================================================== */

#define SCLIP__LP_NR 32     /* output channels per panel, every format, every build */
#ifndef SCLIP__BF_KC
#define SCLIP__BF_KC 512    /* k per block (even): a 512 x 32 bf16 panel block is 32 KB */
#endif
#ifndef SCLIP__Q8_KC
#define SCLIP__Q8_KC 1024   /* k per block (multiple of 4): 1024 x 32 int8 = 32 KB */
#endif
#ifndef SCLIP__Q8_MR
#define SCLIP__Q8_MR 8      /* rows per q8 micro-kernel call (6, 8 or 12) */
#endif
#define SCLIP__BF_MR 6      /* rows per bf16 micro-kernel call */
#define SCLIP__LP_MRMAX 12

#if !defined(SCLIP_NO_SIMD) && defined(SCLIP__GEMM_AVX512)
#define SCLIP__GEMM_BF16_AVX512 1
#if !defined(SCLIP__HAS_AVX512BF16)
/* vdpbf16ps from two FMAs: a 32-bit pair of bf16 is two f32 (sclip__bf16_hi512 / _lo512);
   hi*hi first, then lo*lo, each product exact in f32 */
#define SCLIP__BF16_EMULATED 1
#endif
#elif !defined(SCLIP_NO_SIMD) && defined(SCLIP__GEMM_AVX2)
#define SCLIP__GEMM_BF16_AVX2 1 /* the same, 256 bits */
#define SCLIP__BF16_EMULATED 1
#endif
#if !defined(SCLIP_NO_SIMD) && defined(SCLIP__GEMM_AVX512) && (defined(SCLIP__HAS_AVX512VNNI) || defined(SCLIP__HAS_AVX512BW))
#define SCLIP__GEMM_Q8_AVX512 1
#elif !defined(SCLIP_NO_SIMD) && defined(SCLIP__GEMM_AVX2)
#define SCLIP__GEMM_Q8_AVX256 1 /* AVX-VNNI, or AVX2 alone */
#elif !defined(SCLIP_NO_SIMD) && defined(SCLIP__GEMM_NEON) && defined(SCLIP__HAS_DOTPROD)
#define SCLIP__GEMM_Q8_SDOT 1
#endif
/* x86 without VNNI: the kernels build vpdpbusd's sums from vpmaddubsw and vpmaddwd (sclip__dpbusd256). */
#if (defined(SCLIP__GEMM_Q8_AVX512) && !defined(SCLIP__HAS_AVX512VNNI)) || (defined(SCLIP__GEMM_Q8_AVX256) && !defined(SCLIP__HAS_AVXVNNI))
#define SCLIP__Q8_EMULATED 1
#endif


static int sclip__lp_npanel(int n) { return (n + SCLIP__LP_NR - 1) / SCLIP__LP_NR; }

/* K (already padded to a multiple of g) cut into equal blocks of at most kc, multiples of g. */
static int sclip__lp_kc(int kp, int kc, int g) {
    int nb = (kp + kc - 1) / kc, b;
    if (nb < 1) nb = 1;
    b = (kp + nb - 1) / nb;
    return (b + g - 1) / g * g;
}

/* Element (j, kk) of a weight given as f32 or f16 with strides. */
static float sclip__lp_wget(const void *src, int f16, ptrdiff_t sj, ptrdiff_t sk, int j, int kk) {
    ptrdiff_t o = (ptrdiff_t)j * sj + (ptrdiff_t)kk * sk;
    return f16 ? sclip__f16_to_f32(((const uint16_t *)src)[o]) : ((const float *)src)[o];
}

/* Epilogue of one element in the scalar kernels: the fused function, then the residual. */
static void sclip__lp_store1(float *y, float t, int epi) {
    if (epi == SCLIP__EPI_ADD) *y = *y + t;
    else *y = sclip__epi1(t, epi);
}

/* =====================================================================================
   bf16
   ===================================================================================== */

/* f32 -> bf16 as vcvtneps2bf16: nearest even, denormals to signed zero, NaN kept quiet. */
static SCLIP__MAYBE_UNUSED uint16_t sclip__f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7f800000u) == 0) return (uint16_t)((x >> 16) & 0x8000u);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
static SCLIP__MAYBE_UNUSED float sclip__bf16_to_f32(uint16_t h) {
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}


static SCLIP__MAYBE_UNUSED size_t sclip__gemm_bf16_packed_size(int n, int k) {
    return (size_t)sclip__lp_npanel(n) * SCLIP__LP_NR * (size_t)sclip__bf_k2(k) * 2;
}
/* Partial sums (f32 or s32) of m rows x 32 columns between K blocks, one per thread. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_lp_part_size(int m) {
    return (size_t)(m + SCLIP__LP_MRMAX) * SCLIP__LP_NR * 4;
}
/* Converted activations of m rows: m rows of k2 bf16. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_bf16_act_size(int m, int k) {
    return (size_t)m * (size_t)sclip__bf_k2(k) * 2;
}
/* Scratch of sclip__gemm_bf16: the converted activations, then the partial sums. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_bf16_scratch_size(int m, int k) {
    return sclip__align64(sclip__gemm_bf16_act_size(m, k)) + sclip__gemm_lp_part_size(m);
}

/* packed[p][kk/2][jj][kk%2] = bf16(W[p*32 + jj][kk]), zero past n and k. */
static void sclip__gemm_bf16_pack_any(const void *src, int f16, ptrdiff_t sj, ptrdiff_t sk, int n, int k,
                                      void *packed) {
    uint16_t *d = (uint16_t *)packed;
    int k2 = sclip__bf_k2(k), p, jj, kk;
    for (p = 0; p < sclip__lp_npanel(n); p++) {
        uint16_t *dp = d + (size_t)p * SCLIP__LP_NR * (size_t)k2;
        for (jj = 0; jj < SCLIP__LP_NR; jj++) {
            int j = p * SCLIP__LP_NR + jj;
            for (kk = 0; kk < k2; kk++) {
                float v = (j < n && kk < k) ? sclip__lp_wget(src, f16, sj, sk, j, kk) : 0.0f;
                dp[(size_t)(kk >> 1) * 2 * SCLIP__LP_NR + 2 * jj + (kk & 1)] = sclip__f32_to_bf16(v);
            }
        }
    }
}
/* w: n rows of k (Linear weight) / _t: k rows of n / _f16: the same from binary16. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_pack(const float *w, int n, int k, void *packed) {
    sclip__gemm_bf16_pack_any(w, 0, k, 1, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_pack_t(const float *w, int k, int n, void *packed) {
    sclip__gemm_bf16_pack_any(w, 0, 1, n, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_pack_f16(const uint16_t *w, int n, int k, void *packed) {
    sclip__gemm_bf16_pack_any(w, 1, k, 1, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_pack_t_f16(const uint16_t *w, int k, int n, void *packed) {
    sclip__gemm_bf16_pack_any(w, 1, 1, n, n, k, packed);
}

/* m rows of x -> bf16 rows of k2 (odd k: a zero pad). simd selects the vector converter,
   which gives the same bits. */
static void sclip__bf16_convert_rows(int simd, int m, int k, const float *x, int ldx, uint16_t *xa) {
    int k2 = sclip__bf_k2(k), i, kk;
    for (i = 0; i < m; i++) {
        const float *xr = x + (ptrdiff_t)i * ldx;
        uint16_t *dr = xa + (size_t)i * (size_t)k2;
        kk = 0;
#if defined(SCLIP__GEMM_BF16_AVX512) && !defined(SCLIP__BF16_EMULATED)
        if (simd)
            for (; kk + 16 <= k; kk += 16) {
                __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(xr + kk));
                _mm256_storeu_si256((__m256i *)(void *)(dr + kk), (__m256i)h);
            }
#else
        (void)simd;
#endif
        for (; kk < k; kk++) dr[kk] = sclip__f32_to_bf16(xr[kk]);
        if (k2 > k) dr[k] = 0;
    }
}

/* Scalar bf16 kernel, as vdpbf16ps computes: per pair, acc += hi*hi then acc += lo*lo
   (the products of two bf16 are exact in f32). */
static void sclip__ukr_bf16_scalar(const sclip__lpk_args *u) {
    float acc[SCLIP__LP_MRMAX][SCLIP__LP_NR];
    float *part = (float *)u->part;
    int r, j, g;
    for (r = 0; r < u->mr; r++)
        for (j = 0; j < SCLIP__LP_NR; j++) acc[r][j] = u->first ? 0.0f : part[r * SCLIP__LP_NR + j];
    for (g = 0; g < u->kg; g++) {
        const uint16_t *bg = (const uint16_t *)(const void *)(u->b + (size_t)g * 128);
        for (r = 0; r < u->mr; r++) {
            const uint16_t *ar = (const uint16_t *)(const void *)(u->a + r * u->lda) + 2 * g;
            float a0 = sclip__bf16_to_f32(ar[0]), a1 = sclip__bf16_to_f32(ar[1]);
            for (j = 0; j < SCLIP__LP_NR; j++) {
                float t = acc[r][j] + a1 * sclip__bf16_to_f32(bg[2 * j + 1]);
                acc[r][j] = t + a0 * sclip__bf16_to_f32(bg[2 * j]);
            }
        }
    }
    for (r = 0; r < u->mr; r++)
        for (j = 0; j < SCLIP__LP_NR; j++) {
            if (!u->last) part[r * SCLIP__LP_NR + j] = acc[r][j];
            else if (j < u->nr) sclip__lp_store1(u->y + r * u->ldy + j, acc[r][j] + (u->bias ? u->bias[j] : 0.0f), u->epi);
        }
}

#if defined(SCLIP__GEMM_AVX512)
/* Masks of the two 16-lane halves of a 32-column tile with nr valid columns. */
static SCLIP__INLINE __mmask16 sclip__lp_mask(int nr, int half) {
    int v = nr - 16 * half;
    return (__mmask16)(v >= 16 ? 0xffff : v <= 0 ? 0 : (1u << v) - 1u);
}
/* Masked forms of a few intrinsics: the plain ones trip g++ 12's -Wmaybe-uninitialized. */
#define SCLIP__LP_MAXABS(p, m) _mm512_mask_max_ps(m, 0xffff, _mm512_abs_ps(p), m) /* NaN: keeps m */
#define SCLIP__LP_CVT(v) _mm512_mask_cvtps_epi32(_mm512_setzero_si512(), 0xffff, v)
#define SCLIP__LP_I2F(v) _mm512_mask_cvtepi32_ps(_mm512_setzero_ps(), 0xffff, v)
/* Store one 16-lane half of a row: epilogue, masked, residual added for EPI_ADD. */
static SCLIP__INLINE void sclip__lp_store512(float *y, __mmask16 mk, __m512 t, int epi) {
    if (epi == SCLIP__EPI_ADD) t = _mm512_add_ps(_mm512_maskz_loadu_ps(mk, y), t);
    else t = sclip__v_epi(t, epi);
    _mm512_mask_storeu_ps(y, mk, t);
}
/* Last step of the integer kernels for row r of 32 columns in two halves: t * (scale_j * s_i)
   + bias_j, the fused function, stored under a mask past nr (the residual added for EPI_ADD). */
static SCLIP__INLINE void sclip__lp_finish512(const sclip__lpk_args *u, int r, __m512 t0, __m512 t1) {
    __mmask16 m0 = sclip__lp_mask(u->nr, 0), m1 = sclip__lp_mask(u->nr, 1);
    __m512 bias0 = u->bias ? _mm512_maskz_loadu_ps(m0, u->bias) : _mm512_setzero_ps();
    __m512 bias1 = u->bias ? _mm512_maskz_loadu_ps(m1, u->bias + 16) : _mm512_setzero_ps();
    __m512 s = _mm512_set1_ps(u->rs[r]);
    float *y = u->y + r * u->ldy;
    sclip__lp_store512(y, m0, _mm512_fmadd_ps(t0, _mm512_mul_ps(_mm512_loadu_ps(u->ws), s), bias0), u->epi);
    sclip__lp_store512(y + 16, m1, _mm512_fmadd_ps(t1, _mm512_mul_ps(_mm512_loadu_ps(u->ws + 16), s), bias1), u->epi);
}
#elif defined(SCLIP__GEMM_AVX2)
/* Last step of the integer kernels for one row of 32 columns in 4 vectors of 8: t * (scale_j *
   s_i) + bias_j (bf16, no scales: t + bias_j), the fused function, stored under a mask past nr
   (the residual added for EPI_ADD). */
static void sclip__lp_finish256(const sclip__lpk_args *u, int r, const __m256 *t) {
    float *y = u->y + r * u->ldy;
    __m256 s = u->rs ? _mm256_set1_ps(u->rs[r]) : _mm256_setzero_ps();
    int h;
    for (h = 0; h < 4; h++) {
        __m256i lane = _mm256_add_epi32(_mm256_set1_epi32(8 * h), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256i mk = _mm256_cmpgt_epi32(_mm256_set1_epi32(u->nr), lane);
        __m256 b = u->bias ? _mm256_maskload_ps(u->bias + 8 * h, mk) : _mm256_setzero_ps();
        __m256 v = u->ws ? _mm256_fmadd_ps(t[h], _mm256_mul_ps(_mm256_loadu_ps(u->ws + 8 * h), s), b)
                         : _mm256_add_ps(t[h], b); /* bf16: the sums as they are */
        if (u->epi == SCLIP__EPI_ADD) v = _mm256_add_ps(_mm256_maskload_ps(y + 8 * h, mk), v);
        else v = sclip__v_epi(v, u->epi);
        _mm256_maskstore_ps(y + 8 * h, mk, v);
    }
}
#elif defined(SCLIP__GEMM_NEON)
/* The same on Arm, one row of 32 columns in 8 vectors of 4, stored through a tile (nr <= 32). */
static void sclip__lp_finish_neon(const sclip__lpk_args *u, int r, const float32x4_t *t) {
    float *y = u->y + r * u->ldy;
    float tile[32];
    int h, j;
    for (h = 0; h < 8; h++) {
        float bias[4];
        float32x4_t v;
        for (j = 0; j < 4; j++) bias[j] = u->bias && 4 * h + j < u->nr ? u->bias[4 * h + j] : 0.0f;
        v = vfmaq_f32(vld1q_f32(bias), t[h], vmulq_n_f32(vld1q_f32(u->ws + 4 * h), u->rs[r]));
        if (u->epi != SCLIP__EPI_ADD) v = sclip__v_epi(v, u->epi);
        vst1q_f32(tile + 4 * h, v);
    }
    for (j = 0; j < u->nr; j++) y[j] = u->epi == SCLIP__EPI_ADD ? y[j] + tile[j] : tile[j];
}
#endif

#if defined(SCLIP__BF16_EMULATED) && defined(SCLIP__GEMM_BF16_AVX512)
/* A vector of bf16 pairs as two f32 vectors: the high halves (x & 0xffff0000), the low ones (x << 16). */
static SCLIP__INLINE __m512 sclip__bf16_hi512(__m512i x) {
    return _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32((int)0xffff0000u)));
}
static SCLIP__INLINE __m512 sclip__bf16_lo512(__m512i x) { return _mm512_castsi512_ps(_mm512_slli_epi32(x, 16)); }
#elif defined(SCLIP__BF16_EMULATED)
static SCLIP__INLINE __m256 sclip__bf16_hi256(__m256i x) {
    return _mm256_castsi256_ps(_mm256_and_si256(x, _mm256_set1_epi32((int)0xffff0000u)));
}
static SCLIP__INLINE __m256 sclip__bf16_lo256(__m256i x) { return _mm256_castsi256_ps(_mm256_slli_epi32(x, 16)); }
#endif

#if defined(SCLIP__GEMM_BF16_AVX512)
/* 6 x 32: 12 zmm f32 accumulators; per k pair 2 panel vectors, one 32-bit broadcast per row. */
static void sclip__ukr_bf16_avx512(const sclip__lpk_args *u) {
    const ptrdiff_t lda = u->lda;
    const int mr = u->mr;
    const unsigned char *b = u->b;
    const unsigned char *a0 = u->a, *a1 = a0 + (mr > 1 ? lda : 0), *a2 = a1 + (mr > 2 ? lda : 0);
    const unsigned char *a3 = a2 + (mr > 3 ? lda : 0), *a4 = a3 + (mr > 4 ? lda : 0), *a5 = a4 + (mr > 5 ? lda : 0);
    float *part = (float *)u->part;
    __m512 acc[12];
    __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    int g, r, kg = u->kg;
    if (u->first) {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm512_setzero_ps();
    } else {
        c00 = _mm512_loadu_ps(part); c01 = _mm512_loadu_ps(part + 16);
        c10 = _mm512_loadu_ps(part + 32); c11 = _mm512_loadu_ps(part + 48);
        c20 = _mm512_loadu_ps(part + 64); c21 = _mm512_loadu_ps(part + 80);
        c30 = _mm512_loadu_ps(part + 96); c31 = _mm512_loadu_ps(part + 112);
        c40 = _mm512_loadu_ps(part + 128); c41 = _mm512_loadu_ps(part + 144);
        c50 = _mm512_loadu_ps(part + 160); c51 = _mm512_loadu_ps(part + 176);
    }
#if defined(SCLIP__BF16_EMULATED)
#define SCLIP__BFROW(ar, x0, x1)                                                          \
    { int32_t w_; __m512i p_; __m512 hi, lo; memcpy(&w_, (ar) + 4 * g, 4);                 \
      p_ = _mm512_set1_epi32(w_); /* a broadcast load; the halves split in vector registers */ \
      hi = sclip__bf16_hi512(p_); lo = sclip__bf16_lo512(p_);                                  \
      x0 = _mm512_fmadd_ps(lo, b0l, _mm512_fmadd_ps(hi, b0h, x0));                           \
      x1 = _mm512_fmadd_ps(lo, b1l, _mm512_fmadd_ps(hi, b1h, x1)); }
    for (g = 0; g < kg; g++) {
        __m512i b0 = _mm512_loadu_si512((const void *)b), b1 = _mm512_loadu_si512((const void *)(b + 64));
        __m512 b0h = sclip__bf16_hi512(b0), b0l = sclip__bf16_lo512(b0), b1h = sclip__bf16_hi512(b1), b1l = sclip__bf16_lo512(b1);
#else
#define SCLIP__BFROW(ar, x0, x1)                                                          \
    { int32_t w_; memcpy(&w_, (ar) + 4 * g, 4); av = (__m512bh)_mm512_set1_epi32(w_); }    \
    x0 = _mm512_dpbf16_ps(x0, av, b0); x1 = _mm512_dpbf16_ps(x1, av, b1);
    for (g = 0; g < kg; g++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)b);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(b + 64)), av;
#endif
        SCLIP__BFROW(a0, c00, c01) SCLIP__BFROW(a1, c10, c11) SCLIP__BFROW(a2, c20, c21)
        SCLIP__BFROW(a3, c30, c31) SCLIP__BFROW(a4, c40, c41) SCLIP__BFROW(a5, c50, c51)
        b += 128;
    }
#undef SCLIP__BFROW
    acc[0] = c00; acc[1] = c01; acc[2] = c10; acc[3] = c11; acc[4] = c20; acc[5] = c21;
    acc[6] = c30; acc[7] = c31; acc[8] = c40; acc[9] = c41; acc[10] = c50; acc[11] = c51;
    if (!u->last) {
        for (r = 0; r < 2 * mr; r++) _mm512_storeu_ps(part + 16 * r, acc[r]);
        return;
    }
    {
        __mmask16 m0 = sclip__lp_mask(u->nr, 0), m1 = sclip__lp_mask(u->nr, 1);
        __m512 bias0 = u->bias ? _mm512_maskz_loadu_ps(m0, u->bias) : _mm512_setzero_ps();
        __m512 bias1 = u->bias ? _mm512_maskz_loadu_ps(m1, u->bias + 16) : _mm512_setzero_ps();
        for (r = 0; r < mr; r++) {
            float *y = u->y + r * u->ldy;
            sclip__lp_store512(y, m0, _mm512_add_ps(acc[2 * r], bias0), u->epi);
            sclip__lp_store512(y + 16, m1, _mm512_add_ps(acc[2 * r + 1], bias1), u->epi);
        }
    }
}
#define SCLIP__UKR_BF16 sclip__ukr_bf16_avx512
#define SCLIP__BF16_SIMD 1
#if defined(SCLIP__BF16_EMULATED)
#define SCLIP__BF16_PATH "avx512 fma"
#else
#define SCLIP__BF16_PATH "avx512-bf16"
#endif
#elif defined(SCLIP__GEMM_BF16_AVX2)
/* Two rows x 32 columns at a time, as sclip__ukr_q8_avx2: 8 ymm f32 accumulators; per pair of
   k the panel's 4 vectors of 8 bf16 pairs split into their high and low halves as f32. */
static void sclip__ukr_bf16_avx2(const sclip__lpk_args *u) {
    float *part = (float *)u->part;
    int r0, g;
    for (r0 = 0; r0 < u->mr; r0 += 2) {
        int r1 = r0 + 1 < u->mr ? r0 + 1 : r0; /* a missing second row repeats the first */
        const unsigned char *a0 = u->a + r0 * u->lda, *a1 = u->a + r1 * u->lda, *b = u->b;
        __m256 c00, c01, c02, c03, c10, c11, c12, c13, acc0[4], acc1[4];
#define SCLIP__BF4(X) X(0) X(1) X(2) X(3)
#define SCLIP__BF_INIT(h)                                                                   \
    c0##h = u->first ? _mm256_setzero_ps() : _mm256_loadu_ps(part + 32 * r0 + 8 * h);       \
    c1##h = u->first ? _mm256_setzero_ps() : _mm256_loadu_ps(part + 32 * r1 + 8 * h);
#define SCLIP__BF_STEP(h)                                                                   \
    { __m256i bv = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * h));          \
      __m256 bh = sclip__bf16_hi256(bv), bl = sclip__bf16_lo256(bv);                           \
      c0##h = _mm256_fmadd_ps(lo0, bl, _mm256_fmadd_ps(hi0, bh, c0##h));                     \
      c1##h = _mm256_fmadd_ps(lo1, bl, _mm256_fmadd_ps(hi1, bh, c1##h)); }
#define SCLIP__BF_SAVE(h) acc0[h] = c0##h; acc1[h] = c1##h;
        SCLIP__BF4(SCLIP__BF_INIT)
        for (g = 0; g < u->kg; g++, b += 128) {
            int32_t w0, w1;
            __m256i p0, p1;
            __m256 hi0, lo0, hi1, lo1;
            memcpy(&w0, a0 + 4 * g, 4);
            memcpy(&w1, a1 + 4 * g, 4);
            p0 = _mm256_set1_epi32(w0), p1 = _mm256_set1_epi32(w1); /* broadcast loads, split in registers */
            hi0 = sclip__bf16_hi256(p0), lo0 = sclip__bf16_lo256(p0), hi1 = sclip__bf16_hi256(p1), lo1 = sclip__bf16_lo256(p1);
            SCLIP__BF4(SCLIP__BF_STEP)
        }
        SCLIP__BF4(SCLIP__BF_SAVE)
#undef SCLIP__BF4
#undef SCLIP__BF_INIT
#undef SCLIP__BF_STEP
#undef SCLIP__BF_SAVE
        if (u->last) {
            sclip__lp_finish256(u, r0, acc0);
            if (r1 != r0) sclip__lp_finish256(u, r1, acc1);
            continue;
        }
        for (g = 0; g < 4; g++) {
            _mm256_storeu_ps(part + 32 * r0 + 8 * g, acc0[g]);
            if (r1 != r0) _mm256_storeu_ps(part + 32 * r1 + 8 * g, acc1[g]);
        }
    }
}
#define SCLIP__UKR_BF16 sclip__ukr_bf16_avx2
#define SCLIP__BF16_SIMD 1
#define SCLIP__BF16_PATH "avx2 fma"
#else
#define SCLIP__UKR_BF16 sclip__ukr_bf16_scalar
#define SCLIP__BF16_SIMD 0
#define SCLIP__BF16_PATH "scalar"
#endif

/* Panels [j0, j1) one at a time; per panel the K blocks, per block every row block. */
static void sclip__gemm_lp_drive(sclip__lpk_fn ukr, int mrmax, int g, int kcmax, int m, int kp,
                                 const unsigned char *xa, const unsigned char *packed,
                                 const float *rs, const float *ws, const int32_t *cs,
                                 const float *bias, int epi, float *y, int ldy, int j0, int j1, void *part) {
    int kc = sclip__lp_kc(kp, kcmax, g), jp, pc, i, ib, nrb = (m + mrmax - 1) / mrmax;
    size_t esz = g == 2 ? 2 : 1, lines = 0;                   /* bytes per k element */
    ptrdiff_t abytes = (ptrdiff_t)kp * (ptrdiff_t)esz;          /* bytes per activation row */
    const unsigned char *next;
    for (jp = j0; jp < j1; jp += SCLIP__LP_NR) {
        const unsigned char *panel = packed + (size_t)jp * (size_t)kp * (g == 2 ? 2 : 1);
        for (pc = 0; pc < kp; pc += kc) {
            sclip__lpk_args u;
            int kb = kp - pc < kc ? kp - pc : kc;
            u.lda = abytes; u.kg = kb / g;
            u.nr = j1 - jp < SCLIP__LP_NR ? j1 - jp : SCLIP__LP_NR;
            u.b = panel + (size_t)pc * SCLIP__LP_NR * (g == 2 ? 2 : 1);
            u.first = pc == 0; u.last = pc + kb == kp;
            u.bias = bias ? bias + jp : NULL;
            u.ws = ws ? ws + jp : NULL; u.cs = cs ? cs + jp : NULL;
            u.epi = epi;
            /* the next panel block is fetched toward L2 a slice per row block */
            next = NULL;
            if (pc + kb < kp) {
                next = u.b + (size_t)kb * SCLIP__LP_NR * esz;
                lines = ((size_t)(kp - pc - kb < kc ? kp - pc - kb : kc) * SCLIP__LP_NR * esz + 63) / 64;
            } else if (jp + SCLIP__LP_NR < j1) {
                next = panel + (size_t)SCLIP__LP_NR * (size_t)kp * esz;
                lines = ((size_t)(kp < kc ? kp : kc) * SCLIP__LP_NR * esz + 63) / 64;
            }
            for (i = 0, ib = 0; i < m; i += mrmax, ib++) {
                if (next) {
                    size_t l0 = lines * (size_t)ib / (size_t)nrb, l1 = lines * (size_t)(ib + 1) / (size_t)nrb;
                    for (; l0 < l1; l0++) SCLIP__PREFETCH(next + l0 * 64);
                }
                u.mr = m - i < mrmax ? m - i : mrmax;
                u.a = xa + (ptrdiff_t)i * abytes + (ptrdiff_t)pc * (g == 2 ? 2 : 1);
                u.part = (unsigned char *)part + (size_t)i * SCLIP__LP_NR * 4;
                u.rs = rs ? rs + i : NULL;
                u.y = y + (ptrdiff_t)i * ldy + jp; u.ldy = ldy;
                ukr(&u);
            }
        }
    }
}

static void sclip__gemm_bf16_pre_with(int simd, int m, int n, int k, const void *act, const void *packed,
                                      const float *bias, int epi, float *y, int ldy, int j0, int j1, void *part) {
    SCLIP__GEMM_ASSERT(j0 % SCLIP__LP_NR == 0 && j0 >= 0 && j1 <= n);
    if (m <= 0 || j1 <= j0) return;
    if (k <= 0) { /* empty sum: the epilogue of bias alone */
        int i, j;
        for (i = 0; i < m; i++)
            for (j = j0; j < j1; j++) sclip__lp_store1(y + (ptrdiff_t)i * ldy + j, bias ? bias[j] : 0.0f, epi);
        return;
    }
    sclip__gemm_lp_drive(simd ? SCLIP__UKR_BF16 : sclip__ukr_bf16_scalar, SCLIP__BF_MR, 2, SCLIP__BF_KC, m,
                         sclip__bf_k2(k), (const unsigned char *)act, (const unsigned char *)packed, NULL, NULL,
                         NULL, bias, epi, y, ldy, j0, j1, part);
}

/* Product on activations converted by sclip__bf16_convert_rows (sclip__gemm_bf16_act_size(m, k)
   bytes); part: sclip__gemm_lp_part_size(m) bytes per thread. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_pre(int m, int n, int k, const void *act, const void *packed,
                                                     const float *bias, int epi, float *y, int ldy, int j0, int j1,
                                                     void *part) {
    sclip__gemm_bf16_pre_with(SCLIP__BF16_SIMD, m, n, k, act, packed, bias, epi, y, ldy, j0, j1, part);
}
/* Rows r0..r1 of the m rows of x rounded to bf16 into act (the engine's lowp convert). */
static void sclip__gemm_bf16_convert(int m, int r0, int r1, int k, const float *x, int ldx, void *act) {
    (void)m;
    sclip__bf16_convert_rows(SCLIP__BF16_SIMD, r1 - r0, k, x + (size_t)r0 * ldx, ldx,
                             (uint16_t *)act + (size_t)r0 * sclip__bf_k2(k));
}
/* All in one (tests), y[i][j] = epi(x[i] . W[j] + bias[j]), i < m, j in [j0, j1); scratch of
   sclip__gemm_bf16_scratch_size(m, k) bytes, 64-byte aligned. simd = 0 is the portable
   kernel (bit-identical before QuickGELU/GELU). */
static SCLIP__MAYBE_UNUSED void sclip__gemm_bf16_with(int simd, int m, int n, int k, const float *x, int ldx,
                                                      const void *packed, const float *bias, int epi, float *y, int ldy,
                                                      int j0, int j1, void *scratch) {
    unsigned char *s = (unsigned char *)scratch;
    if (m <= 0 || j1 <= j0) return;
    sclip__bf16_convert_rows(simd, m, k, x, ldx, (uint16_t *)scratch);
    sclip__gemm_bf16_pre_with(simd, m, n, k, s, packed, bias, epi, y, ldy, j0, j1,
                              s + sclip__align64(sclip__gemm_bf16_act_size(m, k)));
}
/* =====================================================================================
   q8
   ===================================================================================== */
static size_t sclip__q8_panels_bytes(int n, int k) {
    return (size_t)sclip__lp_npanel(n) * SCLIP__LP_NR * (size_t)sclip__q8_kp(k);
}

static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q8_packed_size(int n, int k) {
    return sclip__q8_panels_bytes(n, k) + (size_t)sclip__lp_npanel(n) * SCLIP__LP_NR * 8;
}
/* Quantised activations of m rows: m rows of kp bytes, then m f32 row scales. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q8_act_size(int m, int k) {
    return sclip__align64((size_t)m * (size_t)sclip__q8_kp(k)) + (size_t)m * 4;
}
/* Scratch of sclip__gemm_q8: the quantised activations, then the partial sums. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q8_scratch_size(int m, int k) {
    return sclip__align64(sclip__gemm_q8_act_size(m, k)) + sclip__gemm_lp_part_size(m);
}

/* Round to nearest even, clamp to [-127, 127]; NaN gives -128 (u8 0), as the vector path. */
static int sclip__q8_round(float v) {
    if (v != v) return -128;
    if (v < -127.0f) return -127;
    if (v > 127.0f) return 127;
    return (int)lrintf(v);
}

/* Panels from an element getter: q(j, kk) already quantised, or computed from W and scale. */
static void sclip__q8_pack_core(const void *src, int kind, ptrdiff_t sj, ptrdiff_t sk, const float *scales,
                                int n, int k, void *packed) {
    int kp = sclip__q8_kp(k), np = sclip__lp_npanel(n), p, jj, kk;
    signed char *d = (signed char *)packed;
    float *ws = (float *)(void *)(d + sclip__q8_panels_bytes(n, k));
    int32_t *cs = (int32_t *)(void *)(ws + np * SCLIP__LP_NR);
    for (p = 0; p < np; p++)
        for (jj = 0; jj < SCLIP__LP_NR; jj++) {
            int j = p * SCLIP__LP_NR + jj;
            float mx = 0.0f, inv = 0.0f, sc = 0.0f;
            int32_t sum = 0;
            signed char *dp = d + (size_t)p * SCLIP__LP_NR * (size_t)kp + 4 * jj;
            if (j < n && kind < 2) {          /* scale_j = max |W_j| / 127 */
                for (kk = 0; kk < k; kk++) {
                    float v = fabsf(sclip__lp_wget(src, kind, sj, sk, j, kk));
                    if (v > mx) mx = v;
                }
                if (mx > 1e-30f) { sc = mx / 127.0f; inv = 127.0f / mx; }
            } else if (j < n) {
                sc = scales[j];
            }
            for (kk = 0; kk < kp; kk++) {
                int q = 0;
                if (j < n && kk < k)
                    q = kind == 2 ? ((const signed char *)src)[(ptrdiff_t)j * sj + (ptrdiff_t)kk * sk]
                                  : sclip__q8_round(sclip__lp_wget(src, kind, sj, sk, j, kk) * inv);
                dp[(size_t)(kk >> 2) * 128 + (kk & 3)] = (signed char)q;
                sum += q;
            }
            ws[j] = sc;
            cs[j] = 128 * sum;
        }
}
/* w: n rows of k floats / _t: k rows of n / _f16, _t_f16: from binary16. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pack(const float *w, int n, int k, void *packed) {
    sclip__q8_pack_core(w, 0, k, 1, NULL, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pack_t(const float *w, int k, int n, void *packed) {
    sclip__q8_pack_core(w, 0, 1, n, NULL, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pack_f16(const uint16_t *w, int n, int k, void *packed) {
    sclip__q8_pack_core(w, 1, k, 1, NULL, n, k, packed);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pack_t_f16(const uint16_t *w, int k, int n, void *packed) {
    sclip__q8_pack_core(w, 1, 1, n, NULL, n, k, packed);
}
/* From the .sclip q8 tensor: q = n rows of k int8, scales = n f32 (W[j][kk] = q * scale[j]). */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pack_q8(const signed char *q, const float *scales, int n, int k,
                                                       void *packed) {
    sclip__q8_pack_core(q, 2, k, 1, scales, n, k, packed);
}

/* max |x| over the first whole vectors of a row (returns how many elements it covered; the
   caller folds in the rest): the integer formats' row scales. NaN never wins. */
#if defined(SCLIP__GEMM_AVX512)
#define SCLIP__LP_VMAXABS 1
static int sclip__lp_maxabs_simd(const float *xr, int k, float *mx) {
    __m512 m0 = _mm512_setzero_ps(), m1 = m0, m2 = m0, m3 = m0;
    int kk = 0;
    for (; kk + 64 <= k; kk += 64) {
        m0 = SCLIP__LP_MAXABS(_mm512_loadu_ps(xr + kk), m0);
        m1 = SCLIP__LP_MAXABS(_mm512_loadu_ps(xr + kk + 16), m1);
        m2 = SCLIP__LP_MAXABS(_mm512_loadu_ps(xr + kk + 32), m2);
        m3 = SCLIP__LP_MAXABS(_mm512_loadu_ps(xr + kk + 48), m3);
    }
    for (; kk + 16 <= k; kk += 16) m0 = SCLIP__LP_MAXABS(_mm512_loadu_ps(xr + kk), m0);
    /* the chains hold no NaN: fold them in registers (a chain of 64 dependent scalar max over
       the stored lanes was half of the quantisation's time) */
    m0 = _mm512_mask_max_ps(m0, 0xffff, m0, m1);
    m2 = _mm512_mask_max_ps(m2, 0xffff, m2, m3);
    *mx = sclip__hmax512(_mm512_mask_max_ps(m0, 0xffff, m0, m2));
    return kk;
}
#elif defined(SCLIP__GEMM_AVX2)
#define SCLIP__LP_VMAXABS 1
static int sclip__lp_maxabs_simd(const float *xr, int k, float *mx) {
    __m256 m0 = _mm256_setzero_ps(), m1 = m0, sign = _mm256_set1_ps(-0.0f);
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) { /* vmaxps returns its second operand when one is NaN */
        m0 = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(xr + kk)), m0);
        m1 = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(xr + kk + 8)), m1);
    }
    *mx = sclip__hmax256(_mm256_max_ps(m0, m1));
    return kk;
}
#elif defined(SCLIP__GEMM_NEON)
#define SCLIP__LP_VMAXABS 1
static int sclip__lp_maxabs_simd(const float *xr, int k, float *mx) {
    float32x4_t m0 = vdupq_n_f32(0.0f), m1 = m0;
    int kk = 0;
    for (; kk + 8 <= k; kk += 8) { /* maxNum: a NaN operand gives the other */
        m0 = vmaxnmq_f32(m0, vabsq_f32(vld1q_f32(xr + kk)));
        m1 = vmaxnmq_f32(m1, vabsq_f32(vld1q_f32(xr + kk + 4)));
    }
    *mx = vmaxvq_f32(vmaxq_f32(m0, m1));
    return kk;
}
#endif

/* Vector half of sclip__q8_quantize_row (with sclip__lp_maxabs_simd): u8 = q + 128 = q ^ 0x80
   for the first whole vectors of a row (the return value: how many floats they cover). Max is
   exact in any order, and max(|x|, m) keeps m when x is NaN, as the scalar loop; the conversion
   rounds to nearest even like lrintf, and NaN gives -128 (saturating packs or a select). */
#if defined(SCLIP__GEMM_Q8_AVX512)
#define SCLIP__Q8_VQUANT 1
static int sclip__q8_convert_simd(const float *xr, int k, float inv, unsigned char *d) {
    __m512 vi = _mm512_set1_ps(inv);
    __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127), off = _mm512_set1_epi32(128);
    /* 64 at a time: the two saturating packs leave 4-byte groups in the order a0 b0 c0 d0 a1 ...
       (per 128-bit lane); a dword transpose restores a b c d */
    const __m512i perm = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
    int kk = 0;
    for (; kk + 64 <= k; kk += 64) {
        __m512i q0 = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk), vi));
        __m512i q1 = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk + 16), vi));
        __m512i q2 = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk + 32), vi));
        __m512i q3 = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk + 48), vi));
        __m512i q = _mm512_packs_epi16(_mm512_packs_epi32(q0, q1), _mm512_packs_epi32(q2, q3));
        q = _mm512_xor_si512(_mm512_mask_permutexvar_epi32(q, 0xffff, perm, q), _mm512_set1_epi8((char)0x80));
        _mm512_storeu_si512((void *)(d + kk), q);
    }
    for (; kk + 16 <= k; kk += 16) {
        __m512i q = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk), vi));
        q = _mm512_mask_max_epi32(q, 0xffff, q, lo);
        q = _mm512_add_epi32(_mm512_mask_min_epi32(q, 0xffff, q, hi), off);
        _mm512_mask_cvtepi32_storeu_epi8((void *)(d + kk), 0xffff, q);
    }
    return kk;
}
#elif defined(SCLIP__GEMM_Q8_AVX256)
#define SCLIP__Q8_VQUANT 1
static int sclip__q8_convert_simd(const float *xr, int k, float inv, unsigned char *d) {
    __m256 vi = _mm256_set1_ps(inv);
    /* 32 at a time: the packs leave dwords in the order q0[0..3] q1[0..3] q2 q3 | q0[4..7] ... */
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int kk = 0;
    for (; kk + 32 <= k; kk += 32) {
        __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk), vi));
        __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk + 8), vi));
        __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk + 16), vi));
        __m256i q3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk + 24), vi));
        __m256i q = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
        q = _mm256_xor_si256(_mm256_permutevar8x32_epi32(q, perm), _mm256_set1_epi8((char)0x80));
        _mm256_storeu_si256((__m256i *)(void *)(d + kk), q);
    }
    return kk;
}
#elif defined(SCLIP__GEMM_Q8_SDOT)
#define SCLIP__Q8_VQUANT 1
static int8x8_t sclip__q8_narrow_neon(float32x4_t a, float32x4_t b) {
    int32x4_t qa = vbslq_s32(vceqq_f32(a, a), vcvtnq_s32_f32(a), vdupq_n_s32(-128));
    int32x4_t qb = vbslq_s32(vceqq_f32(b, b), vcvtnq_s32_f32(b), vdupq_n_s32(-128));
    return vqmovn_s16(vcombine_s16(vqmovn_s32(qa), vqmovn_s32(qb)));
}
static int sclip__q8_convert_simd(const float *xr, int k, float inv, unsigned char *d) {
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) {
        int8x8_t lo = sclip__q8_narrow_neon(vmulq_n_f32(vld1q_f32(xr + kk), inv), vmulq_n_f32(vld1q_f32(xr + kk + 4), inv));
        int8x8_t hi = sclip__q8_narrow_neon(vmulq_n_f32(vld1q_f32(xr + kk + 8), inv), vmulq_n_f32(vld1q_f32(xr + kk + 12), inv));
        vst1q_u8(d + kk, veorq_u8(vreinterpretq_u8_s8(vcombine_s8(lo, hi)), vdupq_n_u8(0x80)));
    }
    return kk;
}
#endif

/* Row i of x -> u8 (round(x / s_i) + 128) in kp bytes (pad 128, i.e. zero), s_i = max|x_i| / 127.
   The vector path gives the same bytes: same max, same products, same rounding. */
static void sclip__q8_quantize_row(int simd, int k, const float *xr, unsigned char *d, float *rs) {
    int kp = sclip__q8_kp(k), kk = 0;
    float mx = 0.0f, inv = 0.0f;
#if defined(SCLIP__LP_VMAXABS)
    if (simd) kk = sclip__lp_maxabs_simd(xr, k, &mx);
#else
    (void)simd;
#endif
    for (; kk < k; kk++) {
        float v = fabsf(xr[kk]);
        if (v > mx) mx = v;
    }
    if (mx > 1e-30f && mx <= 3.4e38f) { inv = 127.0f / mx; *rs = mx / 127.0f; }
    else *rs = 0.0f;
    kk = 0;
#if defined(SCLIP__Q8_VQUANT)
    if (simd) kk = sclip__q8_convert_simd(xr, k, inv, d);
#endif
    for (; kk < k; kk++) d[kk] = (unsigned char)(sclip__q8_round(xr[kk] * inv) + 128);
    for (; kk < kp; kk++) d[kk] = 128;
}

static void sclip__gemm_q8_quantize_with(int simd, int m, int r0, int r1, int k, const float *x, int ldx, void *act) {
    int kp = sclip__q8_kp(k), i;
    unsigned char *d = (unsigned char *)act;
    float *rs = (float *)(void *)(d + sclip__align64((size_t)m * (size_t)kp));
    for (i = r0; i < r1; i++) sclip__q8_quantize_row(simd, k, x + (ptrdiff_t)i * ldx, d + (size_t)i * kp, rs + i);
}

/* Scalar q8 kernel: exact s32 sums, then the same float steps as the vector epilogue. */
static void sclip__ukr_q8_scalar(const sclip__lpk_args *u) {
    int32_t acc[SCLIP__LP_MRMAX][SCLIP__LP_NR];
    int32_t *part = (int32_t *)u->part;
    int r, j, g, e;
    for (r = 0; r < u->mr; r++)
        for (j = 0; j < SCLIP__LP_NR; j++) acc[r][j] = u->first ? 0 : part[r * SCLIP__LP_NR + j];
    for (g = 0; g < u->kg; g++) {
        const signed char *bg = (const signed char *)(u->b + (size_t)g * 128);
        for (r = 0; r < u->mr; r++) {
            const unsigned char *ar = u->a + r * u->lda + 4 * g;
            for (j = 0; j < SCLIP__LP_NR; j++)
                for (e = 0; e < 4; e++) acc[r][j] += (int32_t)ar[e] * bg[4 * j + e];
        }
    }
    for (r = 0; r < u->mr; r++)
        for (j = 0; j < SCLIP__LP_NR; j++) {
            if (!u->last) {
                part[r * SCLIP__LP_NR + j] = acc[r][j];
            } else if (j < u->nr) {
                float t = fmaf((float)(acc[r][j] - u->cs[j]), u->ws[j] * u->rs[r], u->bias ? u->bias[j] : 0.0f);
                sclip__lp_store1(u->y + r * u->ldy + j, t, u->epi);
            }
        }
}

#if defined(SCLIP__Q8_EMULATED)
/* vpdpbusd without VNNI, exactly: per lane c + the sum of 4 q x w, with q the signed
   activations (the bytes ^ 0x80: SCLIP__Q8_X) and the sums started at 128 colsum, as the
   u8 x s8 sums of vpdpbusd are. vpmaddubsw multiplies |w| (u8) by q with w's sign (s8) and
   adds pairs: at most 2 x 128 x 127 in magnitude, so it never saturates; vpmaddwd by 1 adds
   the pairs of pairs. Exact for every pair but q = -128 (a NaN activation) with w < 0, whose
   sign flip wraps. The AVX-512 form takes |w| and w's sign bits computed once per panel vector. */
#define SCLIP__Q8_X(bytes) ((bytes) ^ 0x80808080u)
static SCLIP__MAYBE_UNUSED SCLIP__INLINE __m256i sclip__dpbusd256(__m256i c, __m256i q, __m256i w) {
    __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(q, w));
    return _mm256_add_epi32(c, _mm256_madd_epi16(p, _mm256_set1_epi16(1)));
}
#if defined(SCLIP__GEMM_Q8_AVX512)
static SCLIP__INLINE __m512i sclip__dpbusd512(__m512i c, __m512i q, __m512i wabs, __mmask64 wneg) {
    __m512i p = _mm512_maddubs_epi16(wabs, _mm512_mask_sub_epi8(q, wneg, _mm512_setzero_si512(), q));
    return _mm512_add_epi32(c, _mm512_madd_epi16(p, _mm512_set1_epi16(1)));
}
#endif
#else
#define SCLIP__Q8_X(bytes) (bytes) /* the u8 activations as they are */
#endif

#if defined(SCLIP__GEMM_Q8_AVX512)
#if SCLIP__Q8_MR == 6
#define SCLIP__Q8_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#elif SCLIP__Q8_MR == 8
#define SCLIP__Q8_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#elif SCLIP__Q8_MR == 12
#define SCLIP__Q8_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#else
#error "SCLIP__Q8_MR must be 6, 8 or 12"
#endif
/* MR x 32: 2 MR zmm s32 accumulators; per k quad 2 panel vectors (32 columns x 4 int8) and
   one 32-bit broadcast of 4 u8 activations per row. */
static void sclip__ukr_q8_avx512(const sclip__lpk_args *u) {
    const int mr = u->mr;
    const unsigned char *b = u->b;
    int32_t *part = (int32_t *)u->part;
    __m512i acc[2 * SCLIP__Q8_MR];
    int g, r, kg = u->kg;
#define SCLIP__Q8DECL(r) const unsigned char *a##r = u->a + ((r) < mr ? (r) : mr - 1) * u->lda; \
    __m512i c##r##_0, c##r##_1;
    SCLIP__Q8_ROWS(SCLIP__Q8DECL)
#undef SCLIP__Q8DECL
    if (u->first) {
#if defined(SCLIP__Q8_EMULATED) /* sums from 128 colsum */
        const __m512i s0 = _mm512_loadu_si512((const void *)u->cs), s1 = _mm512_loadu_si512((const void *)(u->cs + 16));
#else /* sums from 0 */
        const __m512i s0 = _mm512_setzero_si512(), s1 = s0;
#endif
#define SCLIP__Q8ZERO(r) c##r##_0 = s0; c##r##_1 = s1;
        SCLIP__Q8_ROWS(SCLIP__Q8ZERO)
#undef SCLIP__Q8ZERO
    } else {
#define SCLIP__Q8LOAD(r) c##r##_0 = _mm512_loadu_si512((const void *)(part + 32 * (r))); \
        c##r##_1 = _mm512_loadu_si512((const void *)(part + 32 * (r) + 16));
        SCLIP__Q8_ROWS(SCLIP__Q8LOAD)
#undef SCLIP__Q8LOAD
    }
#if defined(SCLIP__Q8_EMULATED)
#define SCLIP__DPBUSD512(c, x, h) sclip__dpbusd512(c, x, wabs##h, wneg##h)
#else
#define SCLIP__DPBUSD512(c, x, h) _mm512_dpbusd_epi32(c, x, b##h)
#endif
#define SCLIP__Q8STEP(r)                                                                  \
    { uint32_t w_; memcpy(&w_, a##r + 4 * g, 4); av = _mm512_set1_epi32((int)SCLIP__Q8_X(w_)); } \
    c##r##_0 = SCLIP__DPBUSD512(c##r##_0, av, 0); c##r##_1 = SCLIP__DPBUSD512(c##r##_1, av, 1);
    for (g = 0; g < kg; g++) {
        __m512i b0 = _mm512_loadu_si512((const void *)b), b1 = _mm512_loadu_si512((const void *)(b + 64)), av;
#if defined(SCLIP__Q8_EMULATED)
        const __m512i wabs0 = _mm512_abs_epi8(b0), wabs1 = _mm512_abs_epi8(b1);
        const __mmask64 wneg0 = _mm512_movepi8_mask(b0), wneg1 = _mm512_movepi8_mask(b1);
#endif
        SCLIP__Q8_ROWS(SCLIP__Q8STEP)
        b += 128;
    }
#undef SCLIP__Q8STEP
#undef SCLIP__DPBUSD512
#define SCLIP__Q8SAVE(r) acc[2 * (r)] = c##r##_0; acc[2 * (r) + 1] = c##r##_1;
    SCLIP__Q8_ROWS(SCLIP__Q8SAVE)
#undef SCLIP__Q8SAVE
    if (!u->last) {
        for (r = 0; r < 2 * mr; r++) _mm512_storeu_si512((void *)(part + 16 * r), acc[r]);
        return;
    }
    {
        __m512i cs0 = _mm512_loadu_si512((const void *)u->cs), cs1 = _mm512_loadu_si512((const void *)(u->cs + 16));
        for (r = 0; r < mr; r++)
            sclip__lp_finish512(u, r, SCLIP__LP_I2F(_mm512_sub_epi32(acc[2 * r], cs0)),
                                SCLIP__LP_I2F(_mm512_sub_epi32(acc[2 * r + 1], cs1)));
    }
}
#undef SCLIP__Q8_ROWS
#define SCLIP__UKR_Q8 sclip__ukr_q8_avx512
#define SCLIP__Q8_SIMD 1
#if defined(SCLIP__Q8_EMULATED)
#define SCLIP__Q8_PATH "avx512bw"
#else
#define SCLIP__Q8_PATH "avx512-vnni"
#endif

#elif defined(SCLIP__GEMM_Q8_AVX256)
#if defined(SCLIP__Q8_EMULATED)
#define SCLIP__DPBUSD256(c, x, w) sclip__dpbusd256(c, x, w)
#define SCLIP__Q8_PATH "avx2"
#else
#define SCLIP__DPBUSD256(c, x, w) _mm256_dpbusd_avx_epi32(c, x, w)
#define SCLIP__Q8_PATH "avx-vnni"
#endif
/* Epilogue of one row of 32 columns in 4 vectors of 8: acc - 128 colsum, then sclip__lp_finish256. */
static void sclip__q8_epi256(const sclip__lpk_args *u, int r, const __m256i *acc) {
    __m256 t[4];
    int h;
    for (h = 0; h < 4; h++)
        t[h] = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[h], _mm256_loadu_si256((const __m256i *)(const void *)(u->cs + 8 * h))));
    sclip__lp_finish256(u, r, t);
}

/* Two rows x 32 columns at a time: 8 ymm s32 accumulators (named, so they stay in registers);
   per k quad 4 panel vectors and one 32-bit broadcast of 4 activations per row (vpdpbusd:
   u8 x s8 -> s32, or its AVX2 form, whose sums start at 128 colsum instead of 0). */
static void sclip__ukr_q8_avx2(const sclip__lpk_args *u) {
    int32_t *part = (int32_t *)u->part;
    int r0, g;
    for (r0 = 0; r0 < u->mr; r0 += 2) {
        int r1 = r0 + 1 < u->mr ? r0 + 1 : r0; /* a missing second row repeats the first */
        const unsigned char *a0 = u->a + r0 * u->lda, *a1 = u->a + r1 * u->lda, *b = u->b;
        const int32_t *p0 = part + 32 * r0, *p1 = part + 32 * r1;
        __m256i c00, c01, c02, c03, c10, c11, c12, c13, bv, acc0[4], acc1[4];
#if defined(SCLIP__Q8_EMULATED)
        if (u->first) p0 = p1 = u->cs; /* sums from 128 colsum */
#else
        if (u->first) p0 = p1 = NULL; /* sums from 0 */
#endif
#define SCLIP__VNNI4(X) X(0) X(1) X(2) X(3)
#define SCLIP__VNNI_INIT(h)                                                                           \
    c0##h = p0 ? _mm256_loadu_si256((const __m256i *)(const void *)(p0 + 8 * h)) : _mm256_setzero_si256(); \
    c1##h = p1 ? _mm256_loadu_si256((const __m256i *)(const void *)(p1 + 8 * h)) : _mm256_setzero_si256();
#define SCLIP__VNNI_STEP(h)                                                                           \
    bv = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * h));                               \
    c0##h = SCLIP__DPBUSD256(c0##h, x0, bv);                                                          \
    c1##h = SCLIP__DPBUSD256(c1##h, x1, bv);
#define SCLIP__VNNI_SAVE(h) acc0[h] = c0##h; acc1[h] = c1##h;
        SCLIP__VNNI4(SCLIP__VNNI_INIT)
        for (g = 0; g < u->kg; g++, b += 128) {
            uint32_t w0, w1;
            __m256i x0, x1;
            memcpy(&w0, a0 + 4 * g, 4);
            memcpy(&w1, a1 + 4 * g, 4);
            x0 = _mm256_set1_epi32((int)SCLIP__Q8_X(w0)), x1 = _mm256_set1_epi32((int)SCLIP__Q8_X(w1));
            SCLIP__VNNI4(SCLIP__VNNI_STEP)
        }
        SCLIP__VNNI4(SCLIP__VNNI_SAVE)
#undef SCLIP__VNNI4
#undef SCLIP__VNNI_INIT
#undef SCLIP__VNNI_STEP
#undef SCLIP__VNNI_SAVE
        if (u->last) {
            sclip__q8_epi256(u, r0, acc0);
            if (r1 != r0) sclip__q8_epi256(u, r1, acc1);
            continue;
        }
        for (g = 0; g < 4; g++) {
            _mm256_storeu_si256((__m256i *)(void *)(part + 32 * r0 + 8 * g), acc0[g]);
            if (r1 != r0) _mm256_storeu_si256((__m256i *)(void *)(part + 32 * r1 + 8 * g), acc1[g]);
        }
    }
}
#undef SCLIP__DPBUSD256
#define SCLIP__UKR_Q8 sclip__ukr_q8_avx2
#define SCLIP__Q8_SIMD 1

#elif defined(SCLIP__GEMM_Q8_SDOT)
/* Epilogue of one row of 32 columns in 8 vectors of 4: acc - 128 colsum, then sclip__lp_finish_neon. */
static void sclip__q8_epi_neon(const sclip__lpk_args *u, int r, const int32x4_t *acc) {
    float32x4_t t[8];
    int h;
    for (h = 0; h < 8; h++) t[h] = vcvtq_f32_s32(vsubq_s32(acc[h], vld1q_s32(u->cs + 4 * h)));
    sclip__lp_finish_neon(u, r, t);
}

/* Two rows x 32 columns at a time: 16 s32x4 accumulators (named, so they stay in registers),
   8 panel vectors (4 columns x 4 int8 each) per k quad; sdot multiplies signed bytes, so the
   row's u8 quad is flipped back to q = byte ^ 0x80 and the sums start at 128 * colsum (taken
   off by the epilogue). */
static void sclip__ukr_q8_sdot(const sclip__lpk_args *u) {
    int32_t *part = (int32_t *)u->part;
    int r0, g;
    for (r0 = 0; r0 < u->mr; r0 += 2) {
        int r1 = r0 + 1 < u->mr ? r0 + 1 : r0; /* a missing second row repeats the first */
        const unsigned char *a0 = u->a + r0 * u->lda, *a1 = u->a + r1 * u->lda, *b = u->b;
        const int32_t *p0 = u->first ? u->cs : part + 32 * r0, *p1 = u->first ? u->cs : part + 32 * r1;
        int32x4_t c00, c01, c02, c03, c04, c05, c06, c07, c10, c11, c12, c13, c14, c15, c16, c17, acc0[8], acc1[8];
        int8x16_t bv;
#define SCLIP__SDOT8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define SCLIP__SDOT_INIT(h) c0##h = vld1q_s32(p0 + 4 * h); c1##h = vld1q_s32(p1 + 4 * h);
#define SCLIP__SDOT_STEP(h)                                                                           \
    bv = vld1q_s8((const int8_t *)(const void *)(b + 16 * h));                                         \
    c0##h = vdotq_s32(c0##h, bv, x0);                                                                 \
    c1##h = vdotq_s32(c1##h, bv, x1);
#define SCLIP__SDOT_SAVE(h) acc0[h] = c0##h; acc1[h] = c1##h;
        SCLIP__SDOT8(SCLIP__SDOT_INIT)
        for (g = 0; g < u->kg; g++, b += 128) {
            uint32_t w0, w1;
            int8x16_t x0, x1;
            memcpy(&w0, a0 + 4 * g, 4);
            memcpy(&w1, a1 + 4 * g, 4);
            x0 = vreinterpretq_s8_u32(vdupq_n_u32(w0 ^ 0x80808080u));
            x1 = vreinterpretq_s8_u32(vdupq_n_u32(w1 ^ 0x80808080u));
            SCLIP__SDOT8(SCLIP__SDOT_STEP)
        }
        SCLIP__SDOT8(SCLIP__SDOT_SAVE)
#undef SCLIP__SDOT8
#undef SCLIP__SDOT_INIT
#undef SCLIP__SDOT_STEP
#undef SCLIP__SDOT_SAVE
        if (u->last) {
            sclip__q8_epi_neon(u, r0, acc0);
            if (r1 != r0) sclip__q8_epi_neon(u, r1, acc1);
            continue;
        }
        for (g = 0; g < 8; g++) {
            vst1q_s32(part + 32 * r0 + 4 * g, acc0[g]);
            if (r1 != r0) vst1q_s32(part + 32 * r1 + 4 * g, acc1[g]);
        }
    }
}
#define SCLIP__UKR_Q8 sclip__ukr_q8_sdot
#define SCLIP__Q8_SIMD 1
#define SCLIP__Q8_PATH "arm-sdot"

#else
#define SCLIP__UKR_Q8 sclip__ukr_q8_scalar
#define SCLIP__Q8_SIMD 0
#define SCLIP__Q8_PATH "scalar"
#endif

static void sclip__gemm_q8_pre_with(int simd, int m, int n, int k, const void *act, const void *packed,
                                    const float *bias, int epi, float *y, int ldy, int j0, int j1, void *part) {
    int kp = sclip__q8_kp(k), np = sclip__lp_npanel(n);
    const unsigned char *xa = (const unsigned char *)act;
    const float *rs = (const float *)(const void *)(xa + sclip__align64((size_t)m * (size_t)kp));
    const float *ws = (const float *)(const void *)((const unsigned char *)packed + sclip__q8_panels_bytes(n, k));
    const int32_t *cs = (const int32_t *)(const void *)(ws + np * SCLIP__LP_NR);
    SCLIP__GEMM_ASSERT(j0 % SCLIP__LP_NR == 0 && j0 >= 0 && j1 <= n);
    if (m <= 0 || j1 <= j0) return;
    if (k <= 0) {
        int i, j;
        for (i = 0; i < m; i++)
            for (j = j0; j < j1; j++) sclip__lp_store1(y + (ptrdiff_t)i * ldy + j, bias ? bias[j] : 0.0f, epi);
        return;
    }
    sclip__gemm_lp_drive(simd ? SCLIP__UKR_Q8 : sclip__ukr_q8_scalar, simd ? SCLIP__Q8_MR : SCLIP__LP_MRMAX, 4,
                         SCLIP__Q8_KC, m, kp, xa, (const unsigned char *)packed, rs, ws, cs, bias, epi, y, ldy,
                         j0, j1, part);
}

/* Product on pre-quantised activations (sclip__q8_quantize_row per row); part:
   sclip__gemm_lp_part_size(m) bytes per thread (used only when k > SCLIP__Q8_KC). */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_pre(int m, int n, int k, const void *act, const void *packed,
                                                   const float *bias, int epi, float *y, int ldy, int j0, int j1,
                                                   void *part) {
    sclip__gemm_q8_pre_with(SCLIP__Q8_SIMD, m, n, k, act, packed, bias, epi, y, ldy, j0, j1, part);
}
/* Rows r0..r1 of the m rows of x quantised into act (the engine's lowp convert). */
static void sclip__gemm_q8_convert(int m, int r0, int r1, int k, const float *x, int ldx, void *act) {
    sclip__gemm_q8_quantize_with(SCLIP__Q8_SIMD, m, r0, r1, k, x, ldx, act);
}
/* All in one (tests): quantise x into scratch (sclip__gemm_q8_scratch_size(m, k) bytes,
   64-byte aligned), then the product; simd = 0 is the portable path (same bytes, same sums). */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q8_with(int simd, int m, int n, int k, const float *x, int ldx,
                                                    const void *packed, const float *bias, int epi, float *y, int ldy,
                                                    int j0, int j1, void *scratch) {
    unsigned char *s = (unsigned char *)scratch;
    if (m <= 0 || j1 <= j0) return;
    sclip__gemm_q8_quantize_with(simd, m, 0, m, k, x, ldx, s);
    sclip__gemm_q8_pre_with(simd, m, n, k, s, packed, bias, epi, y, ldy, j0, j1,
                            s + sclip__align64(sclip__gemm_q8_act_size(m, k)));
}

/* =====================================================================================
   q16: 12-bit integers in 16-bit lanes, integer dot products of pairs
   ===================================================================================== */
/* W per output channel and x per row are rounded to integers of at most 2047 in magnitude
   (scale = max|.| / 2047, 16 times finer than q8); the bf16 panel layout holds them as int16
   pairs, followed by n32 f32 column scales. vpdpwssd (or vpmaddwd + add) sums pairs of s16
   products into s32 lanes; a K block of at most SCLIP__Q16_KC elements stays below
   2^31 (256 x 2047^2 < 2^30), is exact, and is added to the f32 partial sum:
     y = epi( (sum over K blocks of float(block sum)) * (scale_j * s_i) + bias_j ). */
#ifndef SCLIP__Q16_KC
#define SCLIP__Q16_KC 256
#endif
#define SCLIP__Q16_MAX 2047

static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q16_packed_size(int n, int k) {
    return sclip__gemm_bf16_packed_size(n, k) + (size_t)sclip__lp_npanel(n) * SCLIP__LP_NR * 4;
}
/* Quantised activations of m rows: m rows of k2 int16, then m f32 row scales. */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q16_act_size(int m, int k) {
    return sclip__align64(sclip__gemm_bf16_act_size(m, k)) + (size_t)m * 4;
}

/* Round to nearest even, clamp to [-2047, 2047]; NaN gives -2047, as the vector path. */
static int sclip__q16_round(float v) {
    if (v != v || v < -(float)SCLIP__Q16_MAX) return -SCLIP__Q16_MAX;
    if (v > (float)SCLIP__Q16_MAX) return SCLIP__Q16_MAX;
    return (int)lrintf(v);
}

/* Scale of a row of n floats: max |x| / 2047, and its inverse (both 0 for an all-zero or
   non-finite maximum); simd takes the vector max (the same value). */
static float sclip__q16_scale(int simd, const float *x, int n, float *inv) {
    float mx = 0.0f;
    int i = 0;
#if defined(SCLIP__LP_VMAXABS)
    if (simd) i = sclip__lp_maxabs_simd(x, n, &mx);
#else
    (void)simd;
#endif
    for (; i < n; i++) {
        float v = fabsf(x[i]);
        if (v > mx) mx = v;
    }
    if (!(mx > 1e-30f && mx <= 3.4e38f)) return *inv = 0.0f;
    *inv = (float)SCLIP__Q16_MAX / mx;
    return mx / (float)SCLIP__Q16_MAX;
}

/* Vector rounding of x * inv for the first whole vectors of a row (returns how many): the
   conversion rounds to nearest even like lrintf; NaN gives -2047 (x86: INT_MIN, clamped). */
#if defined(SCLIP__GEMM_AVX512)
#define SCLIP__Q16_VQUANT 1
static int sclip__q16_convert_simd(const float *xr, int k, float inv, int16_t *d) {
    __m512 vi = _mm512_set1_ps(inv);
    __m512i lo = _mm512_set1_epi32(-SCLIP__Q16_MAX), hi = _mm512_set1_epi32(SCLIP__Q16_MAX);
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) {
        __m512i q = SCLIP__LP_CVT(_mm512_mul_ps(_mm512_loadu_ps(xr + kk), vi));
        q = _mm512_mask_min_epi32(q, 0xffff, _mm512_mask_max_epi32(q, 0xffff, q, lo), hi);
        _mm512_mask_cvtepi32_storeu_epi16((void *)(d + kk), 0xffff, q);
    }
    return kk;
}
#elif defined(SCLIP__GEMM_AVX2)
#define SCLIP__Q16_VQUANT 1
static int sclip__q16_convert_simd(const float *xr, int k, float inv, int16_t *d) {
    __m256 vi = _mm256_set1_ps(inv);
    __m256i lo = _mm256_set1_epi32(-SCLIP__Q16_MAX), hi = _mm256_set1_epi32(SCLIP__Q16_MAX);
    int kk = 0;
    for (; kk + 16 <= k; kk += 16) { /* the pack interleaves 64-bit quarters: 0 2 1 3 restores them */
        __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk), vi));
        __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + kk + 8), vi));
        q0 = _mm256_min_epi32(_mm256_max_epi32(q0, lo), hi);
        q1 = _mm256_min_epi32(_mm256_max_epi32(q1, lo), hi);
        _mm256_storeu_si256((__m256i *)(void *)(d + kk), _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xd8));
    }
    return kk;
}
#elif defined(SCLIP__GEMM_NEON)
#define SCLIP__Q16_VQUANT 1
static int sclip__q16_convert_simd(const float *xr, int k, float inv, int16_t *d) {
    int32x4_t lo = vdupq_n_s32(-SCLIP__Q16_MAX), hi = vdupq_n_s32(SCLIP__Q16_MAX);
    int kk = 0;
    for (; kk + 8 <= k; kk += 8) { /* fcvtns gives 0 for NaN: select -2047 for it */
        float32x4_t a = vmulq_n_f32(vld1q_f32(xr + kk), inv), b = vmulq_n_f32(vld1q_f32(xr + kk + 4), inv);
        int32x4_t qa = vbslq_s32(vceqq_f32(a, a), vcvtnq_s32_f32(a), lo);
        int32x4_t qb = vbslq_s32(vceqq_f32(b, b), vcvtnq_s32_f32(b), lo);
        qa = vminq_s32(vmaxq_s32(qa, lo), hi);
        qb = vminq_s32(vmaxq_s32(qb, lo), hi);
        vst1q_s16(d + kk, vcombine_s16(vmovn_s32(qa), vmovn_s32(qb)));
    }
    return kk;
}
#endif

/* w: n rows of k floats -> panels (as sclip__gemm_bf16_pack) of rounded integers, then scales. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q16_pack(const float *w, int n, int k, void *packed) {
    int k2 = sclip__bf_k2(k), np = sclip__lp_npanel(n), p, jj, kk;
    int16_t *d = (int16_t *)packed;
    float *ws = (float *)(void *)((unsigned char *)packed + sclip__gemm_bf16_packed_size(n, k));
    for (p = 0; p < np; p++)
        for (jj = 0; jj < SCLIP__LP_NR; jj++) {
            int j = p * SCLIP__LP_NR + jj;
            int16_t *dp = d + (size_t)p * SCLIP__LP_NR * (size_t)k2 + 2 * jj;
            float inv = 0.0f;
            ws[j] = j < n ? sclip__q16_scale(0, w + (size_t)j * k, k, &inv) : 0.0f;
            for (kk = 0; kk < k2; kk++)
                dp[(size_t)(kk >> 1) * 2 * SCLIP__LP_NR + (kk & 1)] =
                    (int16_t)(j < n && kk < k ? sclip__q16_round(w[(size_t)j * k + kk] * inv) : 0);
        }
}

/* m rows of x -> rows of k2 int16 (odd k: a zero pad), then the m row scales; simd selects
   the vector max and rounding, which give the same values. */
static void sclip__q16_quantize_rows(int simd, int m, int k, const float *x, int ldx, int16_t *d, float *rs) {
    int k2 = sclip__bf_k2(k), i, kk;
    for (i = 0; i < m; i++) {
        const float *xr = x + (ptrdiff_t)i * ldx;
        int16_t *dr = d + (size_t)i * k2;
        float inv;
        rs[i] = sclip__q16_scale(simd, xr, k, &inv);
        kk = 0;
#if defined(SCLIP__Q16_VQUANT)
        if (simd) kk = sclip__q16_convert_simd(xr, k, inv, dr);
#endif
        for (; kk < k; kk++) dr[kk] = (int16_t)sclip__q16_round(xr[kk] * inv);
        if (k2 > k) dr[k] = 0;
    }
}

/* Scalar q16 kernel: exact s32 sums per K block, then the same float steps as the vector ones. */
static void sclip__ukr_q16_scalar(const sclip__lpk_args *u) {
    float *part = (float *)u->part;
    int r, j, g;
    for (r = 0; r < u->mr; r++) {
        const int16_t *ar = (const int16_t *)(const void *)(u->a + r * u->lda);
        for (j = 0; j < SCLIP__LP_NR; j++) {
            int32_t acc = 0;
            float t;
            for (g = 0; g < u->kg; g++) {
                const int16_t *bg = (const int16_t *)(const void *)(u->b + (size_t)g * 128) + 2 * j;
                acc += (int32_t)ar[2 * g] * bg[0] + (int32_t)ar[2 * g + 1] * bg[1];
            }
            t = u->first ? (float)acc : part[r * SCLIP__LP_NR + j] + (float)acc;
            if (!u->last) part[r * SCLIP__LP_NR + j] = t;
            else if (j < u->nr)
                sclip__lp_store1(u->y + r * u->ldy + j, fmaf(t, u->ws[j] * u->rs[r], u->bias ? u->bias[j] : 0.0f), u->epi);
        }
    }
}

#if defined(SCLIP__GEMM_AVX512) && (defined(SCLIP__HAS_AVX512VNNI) || defined(SCLIP__HAS_AVX512BW))
#if defined(SCLIP__HAS_AVX512VNNI)
#define SCLIP__DPWSSD512(c, a, b) _mm512_dpwssd_epi32(c, a, b)
#else
#define SCLIP__DPWSSD512(c, a, b) _mm512_add_epi32(c, _mm512_madd_epi16(a, b))
#endif
/* 8 x 32: 16 zmm s32 accumulators (8 rows: 10-35% faster than 6 here); per k pair 2 panel
   vectors (32 columns x 2 int16) and one 32-bit broadcast of each row's pair. */
static void sclip__ukr_q16_avx512(const sclip__lpk_args *u) {
    const int mr = u->mr;
    const unsigned char *b = u->b;
    float *part = (float *)u->part;
    __m512i acc[16];
    int g, r;
#define SCLIP__Q16_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define SCLIP__Q16DECL(r) const unsigned char *a##r = u->a + ((r) < mr ? (r) : mr - 1) * u->lda; \
    __m512i c##r##_0 = _mm512_setzero_si512(), c##r##_1 = _mm512_setzero_si512();
#define SCLIP__Q16STEP(r)                                                                 \
    { int32_t w_; memcpy(&w_, a##r + 4 * g, 4); av = _mm512_set1_epi32(w_); }             \
    c##r##_0 = SCLIP__DPWSSD512(c##r##_0, av, b0); c##r##_1 = SCLIP__DPWSSD512(c##r##_1, av, b1);
#define SCLIP__Q16SAVE(r) acc[2 * (r)] = c##r##_0; acc[2 * (r) + 1] = c##r##_1;
    SCLIP__Q16_ROWS(SCLIP__Q16DECL)
    for (g = 0; g < u->kg; g++, b += 128) {
        __m512i b0 = _mm512_loadu_si512((const void *)b), b1 = _mm512_loadu_si512((const void *)(b + 64)), av;
        SCLIP__Q16_ROWS(SCLIP__Q16STEP)
    }
    SCLIP__Q16_ROWS(SCLIP__Q16SAVE)
#undef SCLIP__Q16_ROWS
#undef SCLIP__Q16DECL
#undef SCLIP__Q16STEP
#undef SCLIP__Q16SAVE
    for (r = 0; r < mr; r++) {
        float *pr = part + 32 * r;
        __m512 t0 = SCLIP__LP_I2F(acc[2 * r]), t1 = SCLIP__LP_I2F(acc[2 * r + 1]);
        if (!u->first) t0 = _mm512_add_ps(_mm512_loadu_ps(pr), t0), t1 = _mm512_add_ps(_mm512_loadu_ps(pr + 16), t1);
        if (u->last) {
            sclip__lp_finish512(u, r, t0, t1);
        } else {
            _mm512_storeu_ps(pr, t0);
            _mm512_storeu_ps(pr + 16, t1);
        }
    }
}
#define SCLIP__UKR_Q16 sclip__ukr_q16_avx512
#define SCLIP__Q16_MR 8
#define SCLIP__Q16_SIMD 1
#if defined(SCLIP__HAS_AVX512VNNI)
#define SCLIP__Q16_PATH "avx512-vnni"
#else
#define SCLIP__Q16_PATH "avx512 vpmaddwd"
#endif

#elif defined(SCLIP__GEMM_AVX2)
#if defined(SCLIP__HAS_AVXVNNI)
#define SCLIP__DPWSSD256(c, a, b) _mm256_dpwssd_avx_epi32(c, a, b)
#else
#define SCLIP__DPWSSD256(c, a, b) _mm256_add_epi32(c, _mm256_madd_epi16(a, b))
#endif
/* Two rows x 32 columns at a time: 8 ymm s32 accumulators; per k pair 4 panel vectors and one
   32-bit broadcast of each row's pair. */
static void sclip__ukr_q16_avx2(const sclip__lpk_args *u) {
    float *part = (float *)u->part;
    int r0, g, h;
    for (r0 = 0; r0 < u->mr; r0 += 2) {
        int r1 = r0 + 1 < u->mr ? r0 + 1 : r0; /* a missing second row repeats the first */
        const unsigned char *a0 = u->a + r0 * u->lda, *a1 = u->a + r1 * u->lda, *b = u->b;
        __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        __m256i acc[2][4];
        for (g = 0; g < u->kg; g++, b += 128) {
            int32_t w0, w1;
            __m256i x0, x1, bv;
            memcpy(&w0, a0 + 4 * g, 4);
            memcpy(&w1, a1 + 4 * g, 4);
            x0 = _mm256_set1_epi32(w0), x1 = _mm256_set1_epi32(w1);
#define SCLIP__Q16STEP(h)                                                                             \
    bv = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * h));                               \
    c0##h = SCLIP__DPWSSD256(c0##h, x0, bv);                                                          \
    c1##h = SCLIP__DPWSSD256(c1##h, x1, bv);
            SCLIP__Q16STEP(0) SCLIP__Q16STEP(1) SCLIP__Q16STEP(2) SCLIP__Q16STEP(3)
#undef SCLIP__Q16STEP
        }
        acc[0][0] = c00; acc[0][1] = c01; acc[0][2] = c02; acc[0][3] = c03;
        acc[1][0] = c10; acc[1][1] = c11; acc[1][2] = c12; acc[1][3] = c13;
        for (h = 0; h < 2 && (h == 0 || r1 != r0); h++) {
            int r = h ? r1 : r0, q;
            float *pr = part + 32 * r;
            __m256 t[4];
            for (q = 0; q < 4; q++) {
                t[q] = _mm256_cvtepi32_ps(acc[h][q]);
                if (!u->first) t[q] = _mm256_add_ps(_mm256_loadu_ps(pr + 8 * q), t[q]);
                if (!u->last) _mm256_storeu_ps(pr + 8 * q, t[q]);
            }
            if (u->last) sclip__lp_finish256(u, r, t);
        }
    }
}
#define SCLIP__UKR_Q16 sclip__ukr_q16_avx2
#define SCLIP__Q16_MR SCLIP__LP_MRMAX
#define SCLIP__Q16_SIMD 1
#if defined(SCLIP__HAS_AVXVNNI)
#define SCLIP__Q16_PATH "avx-vnni"
#else
#define SCLIP__Q16_PATH "avx2 vpmaddwd"
#endif

#elif defined(SCLIP__GEMM_NEON)
/* One row x 32 columns at a time: 16 s32x4 accumulators hold the products of the two k of a
   pair apart (smlal: 4 products per instruction, as many as an f32 fmla) and are added in
   pairs (addp) at the end of the K block. */
static void sclip__ukr_q16_neon(const sclip__lpk_args *u) {
    float *part = (float *)u->part;
    int r, g, h;
    for (r = 0; r < u->mr; r++) {
        const unsigned char *ar = u->a + r * u->lda, *b = u->b;
        float *pr = part + 32 * r;
        int32x4_t c0 = vdupq_n_s32(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int32x4_t c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        int32x4_t acc[8];
        float32x4_t t[8];
        for (g = 0; g < u->kg; g++, b += 128) {
            uint32_t w;
            int16x8_t x, bv;
            memcpy(&w, ar + 4 * g, 4);
            x = vreinterpretq_s16_u32(vdupq_n_u32(w)); /* a0 a1 a0 a1 ... */
#define SCLIP__Q16STEP(h, lo, hi)                                                                      \
    bv = vld1q_s16((const int16_t *)(const void *)(b + 16 * h));                                         \
    lo = vmlal_s16(lo, vget_low_s16(bv), vget_low_s16(x));                                            \
    hi = vmlal_high_s16(hi, bv, x);
            SCLIP__Q16STEP(0, c0, c1) SCLIP__Q16STEP(1, c2, c3) SCLIP__Q16STEP(2, c4, c5) SCLIP__Q16STEP(3, c6, c7)
            SCLIP__Q16STEP(4, c8, c9) SCLIP__Q16STEP(5, c10, c11) SCLIP__Q16STEP(6, c12, c13) SCLIP__Q16STEP(7, c14, c15)
#undef SCLIP__Q16STEP
        }
        acc[0] = vpaddq_s32(c0, c1); acc[1] = vpaddq_s32(c2, c3); acc[2] = vpaddq_s32(c4, c5);
        acc[3] = vpaddq_s32(c6, c7); acc[4] = vpaddq_s32(c8, c9); acc[5] = vpaddq_s32(c10, c11);
        acc[6] = vpaddq_s32(c12, c13); acc[7] = vpaddq_s32(c14, c15);
        for (h = 0; h < 8; h++) {
            t[h] = vcvtq_f32_s32(acc[h]);
            if (!u->first) t[h] = vaddq_f32(vld1q_f32(pr + 4 * h), t[h]);
            if (!u->last) vst1q_f32(pr + 4 * h, t[h]);
        }
        if (u->last) sclip__lp_finish_neon(u, r, t);
    }
}
#define SCLIP__UKR_Q16 sclip__ukr_q16_neon
#define SCLIP__Q16_MR SCLIP__LP_MRMAX
#define SCLIP__Q16_SIMD 1
#define SCLIP__Q16_PATH "neon smlal"

#else
#define SCLIP__UKR_Q16 sclip__ukr_q16_scalar
#define SCLIP__Q16_MR SCLIP__LP_MRMAX
#define SCLIP__Q16_SIMD 0
#define SCLIP__Q16_PATH "scalar"
#endif

static void sclip__gemm_q16_pre_with(int simd, int m, int n, int k, const void *act, const void *packed,
                                     const float *bias, int epi, float *y, int ldy, int j0, int j1, void *part) {
    const unsigned char *xa = (const unsigned char *)act;
    const float *rs = (const float *)(const void *)(xa + sclip__align64(sclip__gemm_bf16_act_size(m, k)));
    const float *ws = (const float *)(const void *)((const unsigned char *)packed + sclip__gemm_bf16_packed_size(n, k));
    SCLIP__GEMM_ASSERT(j0 % SCLIP__LP_NR == 0 && j0 >= 0 && j1 <= n);
    if (m <= 0 || j1 <= j0) return;
    if (k <= 0) {
        int i, j;
        for (i = 0; i < m; i++)
            for (j = j0; j < j1; j++) sclip__lp_store1(y + (ptrdiff_t)i * ldy + j, bias ? bias[j] : 0.0f, epi);
        return;
    }
    sclip__gemm_lp_drive(simd ? SCLIP__UKR_Q16 : sclip__ukr_q16_scalar, simd ? SCLIP__Q16_MR : SCLIP__LP_MRMAX, 2,
                         SCLIP__Q16_KC, m, sclip__bf_k2(k), xa, (const unsigned char *)packed, rs, ws, NULL, bias, epi,
                         y, ldy, j0, j1, part);
}

/* Product on activations quantised by sclip__q16_quantize_rows (sclip__gemm_q16_act_size(m, k)
   bytes: the rows, then at align64(m k2 2) the row scales); part: sclip__gemm_lp_part_size(m)
   bytes per thread. */
static SCLIP__MAYBE_UNUSED void sclip__gemm_q16_pre(int m, int n, int k, const void *act, const void *packed,
                                                    const float *bias, int epi, float *y, int ldy, int j0, int j1,
                                                    void *part) {
    sclip__gemm_q16_pre_with(SCLIP__Q16_SIMD, m, n, k, act, packed, bias, epi, y, ldy, j0, j1, part);
}
/* Rows r0..r1 of the m rows of x quantised into act: rows of k2, the scales at align64(m k2 2). */
static void sclip__gemm_q16_quantize_with(int simd, int m, int r0, int r1, int k, const float *x, int ldx, void *act) {
    unsigned char *a = (unsigned char *)act;
    sclip__q16_quantize_rows(simd, r1 - r0, k, x + (size_t)r0 * ldx, ldx, (int16_t *)act + (size_t)r0 * sclip__bf_k2(k),
                             (float *)(void *)(a + sclip__align64(sclip__gemm_bf16_act_size(m, k))) + r0);
}
/* The same with this pass's vector path (the engine's lowp convert). */
static void sclip__gemm_q16_convert(int m, int r0, int r1, int k, const float *x, int ldx, void *act) {
    sclip__gemm_q16_quantize_with(SCLIP__Q16_SIMD, m, r0, r1, k, x, ldx, act);
}
/* All in one (tests): scratch of sclip__gemm_q16_scratch_size(m, k) bytes, 64-byte aligned;
   simd = 0 is the portable kernel (bit-identical before QuickGELU/GELU). */
static SCLIP__MAYBE_UNUSED size_t sclip__gemm_q16_scratch_size(int m, int k) {
    return sclip__align64(sclip__gemm_q16_act_size(m, k)) + sclip__gemm_lp_part_size(m);
}
static SCLIP__MAYBE_UNUSED void sclip__gemm_q16_with(int simd, int m, int n, int k, const float *x, int ldx,
                                                     const void *packed, const float *bias, int epi, float *y, int ldy,
                                                     int j0, int j1, void *scratch) {
    unsigned char *s = (unsigned char *)scratch;
    if (m <= 0 || j1 <= j0) return;
    sclip__gemm_q16_quantize_with(simd, m, 0, m, k, x, ldx, s);
    sclip__gemm_q16_pre_with(simd, m, n, k, s, packed, bias, epi, y, ldy, j0, j1,
                             s + sclip__align64(sclip__gemm_q16_act_size(m, k)));
}

/* ---- the table of this pass (see "Engine interface") ------------------------------------ */
static const sclip__kernels SCLIP__KTABLE = {
    SCLIP__KNAME, SCLIP__KINFO,
    sclip__gemm_packed_size, sclip__gemm_pack, sclip__gemm_pack_t, sclip__gemm_pack_f16, sclip__gemm,
    sclip__gemm_pack_rows, sclip__gemm_pack_cols, sclip__gemm_packed, sclip__gemm_nt, sclip__gemm_nn,
    {{NULL, NULL, NULL, NULL, NULL, NULL},
     {sclip__gemm_q8_packed_size, sclip__gemm_q8_pack, sclip__gemm_q8_pack_f16, sclip__gemm_q8_act_size,
      sclip__gemm_q8_convert, sclip__gemm_q8_pre},
     {sclip__gemm_bf16_packed_size, sclip__gemm_bf16_pack, sclip__gemm_bf16_pack_f16, sclip__gemm_bf16_act_size,
      sclip__gemm_bf16_convert, sclip__gemm_bf16_pre},
     {sclip__gemm_q16_packed_size, sclip__gemm_q16_pack, NULL, sclip__gemm_q16_act_size, sclip__gemm_q16_convert,
      sclip__gemm_q16_pre}},
    sclip__gemm_q8_pack_q8, sclip__gemm_lp_part_size,
    sclip__layer_norm_row, sclip__softmax_exp,
    sclip__softmax_scale
};

#if SCLIP__DISPATCH /* the next pass defines its own */
#undef SCLIP__BF16_EMULATED
#undef SCLIP__BF16_PATH
#undef SCLIP__BF16_SIMD
#undef SCLIP__BF4
#undef SCLIP__BFROW
#undef SCLIP__BF_INIT
#undef SCLIP__BF_MR
#undef SCLIP__BF_SAVE
#undef SCLIP__BF_STEP
#undef SCLIP__DPBUSD256
#undef SCLIP__DPBUSD512
#undef SCLIP__DPWSSD256
#undef SCLIP__DPWSSD512
#undef SCLIP__FOLD16
#undef SCLIP__GEMM_AVX2
#undef SCLIP__GEMM_AVX512
#undef SCLIP__GEMM_BF16_AVX2
#undef SCLIP__GEMM_BF16_AVX512
#undef SCLIP__GEMM_NEON
#undef SCLIP__GEMM_Q8_AVX256
#undef SCLIP__GEMM_Q8_AVX512
#undef SCLIP__GEMM_Q8_SDOT
#undef SCLIP__HAS_AVX512BF16
#undef SCLIP__HAS_AVX512BW
#undef SCLIP__HAS_AVX512VNNI
#undef SCLIP__HAS_AVXVNNI
#undef SCLIP__HAS_DOTPROD
#undef SCLIP__HAS_F16C
#undef SCLIP__KNEON
#undef SCLIP__KPASS_OPEN
#undef SCLIP__VL
#undef SCLIP__KC_SMALL
#undef SCLIP__LP_CVT
#undef SCLIP__LP_I2F
#undef SCLIP__LP_MAXABS
#undef SCLIP__LP_MRMAX
#undef SCLIP__LP_NR
#undef SCLIP__LP_VMAXABS
#undef SCLIP__MR
#undef SCLIP__NR
#undef SCLIP__Q16DECL
#undef SCLIP__Q16SAVE
#undef SCLIP__Q16STEP
#undef SCLIP__Q16_MAX
#undef SCLIP__Q16_MR
#undef SCLIP__Q16_PATH
#undef SCLIP__Q16_ROWS
#undef SCLIP__Q16_SIMD
#undef SCLIP__Q16_VQUANT
#undef SCLIP__Q8DECL
#undef SCLIP__Q8LOAD
#undef SCLIP__Q8SAVE
#undef SCLIP__Q8STEP
#undef SCLIP__Q8ZERO
#undef SCLIP__Q8_EMULATED
#undef SCLIP__Q8_PATH
#undef SCLIP__Q8_ROWS
#undef SCLIP__Q8_SIMD
#undef SCLIP__Q8_VQUANT
#undef SCLIP__Q8_X
#undef SCLIP__SDOT8
#undef SCLIP__SDOT_INIT
#undef SCLIP__SDOT_SAVE
#undef SCLIP__SDOT_STEP
#undef SCLIP__SH
#undef SCLIP__TB
#undef SCLIP__TRANSPOSE
#undef SCLIP__UHI
#undef SCLIP__UHI2
#undef SCLIP__UKR_BF16
#undef SCLIP__UKR_Q16
#undef SCLIP__UKR_Q8
#undef SCLIP__UKR_SIMD
#undef SCLIP__ULO
#undef SCLIP__ULO2
#undef SCLIP__VNNI4
#undef SCLIP__VNNI_INIT
#undef SCLIP__VNNI_SAVE
#undef SCLIP__VNNI_STEP
#undef SCLIP__KPASS
#undef SCLIP__KSUF
#undef SCLIP__KNAME
#undef SCLIP__KINFO
#undef SCLIP__KTABLE
#endif
#endif /* SCLIP__KPASS */


/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the sclip authors
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
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
