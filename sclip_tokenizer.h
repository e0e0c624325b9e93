/* sclip_tokenizer.h - CLIP's byte-level BPE tokenizer in one C header - v0.1
   Part of sclip. Public domain or MIT, your choice: see the end of this file.

   Do this:
       #define SCLIP_TOKENIZER_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.
   (sclip.h's SCLIP_IMPLEMENTATION turns it on too.)

   MANUAL: TODO (written with the implementation)
*/
#ifndef SCLIP_TOKENIZER_H
#define SCLIP_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#ifndef SCLIPDEF
#ifdef SCLIP_STATIC
#define SCLIPDEF static
#else
#define SCLIPDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes, shared by sclip_tokenizer.h and sclip.h. 0 is success, errors are negative.
   sclip_result_string() names each one; functions that take a context also keep a detail
   message there (sclip_context_error()). */
typedef enum sclip_result {
    SCLIP_OK = 0,
    SCLIP_ERROR_INVALID_ARGUMENT = -1,      /* a NULL pointer, a size or option out of range */
    SCLIP_ERROR_OUT_OF_MEMORY = -2,
    SCLIP_ERROR_IO = -3,                    /* a file cannot be opened, read or written */
    SCLIP_ERROR_BAD_VOCAB = -4,             /* the BPE merge list is malformed or too short */
    SCLIP_ERROR_TEXT_TOO_LONG = -5,         /* a prompt does not fit the context length */
    SCLIP_ERROR_BAD_MAGIC = -6,             /* not a .sclip weight file */
    SCLIP_ERROR_BAD_VERSION = -7,           /* a .sclip format version this code cannot read */
    SCLIP_ERROR_TRUNCATED = -8,             /* the file is shorter than its header says */
    SCLIP_ERROR_BAD_HEADER = -9,            /* architecture numbers out of range or inconsistent */
    SCLIP_ERROR_BAD_TENSOR_TABLE = -10,     /* a table entry is malformed, or a name repeats */
    SCLIP_ERROR_TENSOR_OUT_OF_BOUNDS = -11, /* tensor data outside the data section or misaligned */
    SCLIP_ERROR_TENSOR_OVERLAP = -12,       /* two tensors share bytes */
    SCLIP_ERROR_MISSING_TENSOR = -13,       /* a tensor the architecture needs is absent */
    SCLIP_ERROR_TENSOR_SHAPE = -14,         /* a tensor has the wrong shape for the architecture */
    SCLIP_ERROR_UNSUPPORTED_DTYPE = -15,    /* a tensor dtype this build cannot use */
    SCLIP_ERROR_IMAGE_TOO_SMALL = -16,      /* smaller than one patch */
    SCLIP_ERROR_IMAGE_TOO_LARGE = -17,      /* beyond SCLIP_MAX_IMAGE_SIDE / SCLIP_MAX_IMAGE_PIXELS */
    SCLIP_ERROR_BAD_CLASSES = -18,          /* an empty class list, an empty class name, too many */
    SCLIP_ERROR_BAD_VOCAB_CACHE = -19,      /* a vocabulary cache file is malformed or for another model */
    SCLIP_ERROR_UNKNOWN_PRESET = -20,
    SCLIP_ERROR_THREADS = -21               /* the thread pool could not start */
} sclip_result;

SCLIPDEF const char *sclip_result_string(sclip_result r);

#define SCLIP_TOKEN_SOT 49406 /* <|startoftext|> */
#define SCLIP_TOKEN_EOT 49407 /* <|endoftext|> */
#define SCLIP_VOCAB_SIZE 49408
#define SCLIP_N_MERGES 48894

typedef struct sclip_tokenizer sclip_tokenizer;

/* Build a tokenizer from the BPE merge list: the text of bpe_simple_vocab_16e6.txt
   (decompressed), whose first line is a header and whose next 48894 lines are the merges;
   further lines are ignored. The text is not kept: the caller may free it afterwards. */
SCLIPDEF sclip_result sclip_tokenizer_create(const char *merges, size_t len, sclip_tokenizer **out);
SCLIPDEF void sclip_tokenizer_free(sclip_tokenizer *tok);

/* BPE ids of a UTF-8 text, without start/end tokens (CLIP's SimpleTokenizer.encode).
   Writes at most cap ids to ids (which may be NULL when cap is 0) and the full count to
   *n_ids; returns SCLIP_ERROR_TEXT_TOO_LONG when the count exceeds cap. Invalid UTF-8 is
   read as U+FFFD. Thread-safe: a tokenizer may be shared by any number of threads. */
SCLIPDEF sclip_result sclip_tokenizer_encode(const sclip_tokenizer *tok, const char *text, size_t len,
                                             int32_t *ids, size_t cap, size_t *n_ids);

/* CLIP's tokenize(): [SOT] ids [EOT] then zeros, context_length ids in all (77 for CLIP).
   Text that does not fit gives SCLIP_ERROR_TEXT_TOO_LONG, unless truncate is non-zero: then
   the ids are cut to context_length and the last one is replaced by EOT, as CLIP does.
   *n_used (may be NULL) receives the index of EOT plus one. */
SCLIPDEF sclip_result sclip_tokenizer_encode_context(const sclip_tokenizer *tok, const char *text, size_t len,
                                                     int context_length, int truncate, int32_t *ids,
                                                     int *n_used);

/* Text of ids: symbols joined, "</w>" turned into a space, bytes mapped back (CLIP's decode).
   Writes at most cap-1 bytes plus a NUL; *out_len receives the full length. */
SCLIPDEF sclip_result sclip_tokenizer_decode(const sclip_tokenizer *tok, const int32_t *ids, size_t n,
                                             char *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* SCLIP_TOKENIZER_H */

/* ============================================================================================
   IMPLEMENTATION
   ============================================================================================ */
#if defined(SCLIP_TOKENIZER_IMPLEMENTATION) || defined(SCLIP_IMPLEMENTATION)
#ifndef SCLIP_TOKENIZER_IMPLEMENTATION_DONE
#define SCLIP_TOKENIZER_IMPLEMENTATION_DONE

/* TODO: implementation */

#endif /* SCLIP_TOKENIZER_IMPLEMENTATION_DONE */
#endif /* SCLIP_TOKENIZER_IMPLEMENTATION */
