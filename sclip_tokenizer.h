/* sclip_tokenizer.h - CLIP's byte-level BPE tokenizer in one C header - v0.1
   Part of sclip. Public domain or MIT, your choice: see the end of this file.

   Do this:
       #define SCLIP_TOKENIZER_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.
   (sclip.h's SCLIP_IMPLEMENTATION turns it on too, when sclip.h includes this file.)

   MANUAL

   1. Quick start
      The tokenizer is built from CLIP's merge list: the text of bpe_simple_vocab_16e6.txt
      (decompress OpenAI's bpe_simple_vocab_16e6.txt.gz; a .sclip weight file embeds it, see
      sclip.h). The text is not kept.

          #define SCLIP_TOKENIZER_IMPLEMENTATION
          #include "sclip_tokenizer.h"

          sclip_tokenizer *tok;
          int32_t row[77];
          int n_used;
          if (sclip_tokenizer_create(merge_text, merge_len, &tok) != SCLIP_OK) ...
          sclip_tokenizer_encode_context(tok, "a photo of a cat.", 17, 77, 0, row, &n_used);
          // row = 49406 320 1125 539 320 2368 269 49407 0 0 ...   n_used = 8
          sclip_tokenizer_free(tok);

      examples/tokenize.c (build/sclip-tokenize) is a command-line front end.

   2. API (every function returns an sclip_result: 0 = SCLIP_OK, errors are negative)
      sclip_tokenizer_create(text, len, &tok)   parse the merge list; SCLIP_ERROR_BAD_VOCAB when
                                                it has fewer than 48894 merge lines or a line
                                                is not two symbols of GPT-2's byte alphabet
      sclip_tokenizer_free(tok)
      sclip_tokenizer_encode(tok, text, len, ids, cap, &n)
                                                SimpleTokenizer.encode: BPE ids, no SOT/EOT.
                                                Ask for the count with cap = 0 (the result is
                                                then SCLIP_ERROR_TEXT_TOO_LONG, n is exact).
      sclip_tokenizer_encode_context(tok, text, len, L, truncate, row, &n_used)
                                                clip.tokenize: [49406] ids [49407] 0..., L ids.
                                                Too long: SCLIP_ERROR_TEXT_TOO_LONG and a row
                                                of zeros, or with truncate the first L ids
                                                with the last set to 49407, as CLIP does.
      sclip_tokenizer_decode(tok, ids, n, out, cap, &len)
                                                SimpleTokenizer.decode: UTF-8, NUL-terminated.
                                                An id CLIP's decoder lacks (< 0, >= 49408):
                                                SCLIP_ERROR_INVALID_ARGUMENT. When the text
                                                does not fit, it is cut on a character boundary
                                                and SCLIP_ERROR_TEXT_TOO_LONG is returned;
                                                len is always the full length.
      sclip_result_string(r)                    a short name for a result code: the
                                                tokenizer's own (0, -1, -2, -4, -5), and
                                                with sclip.h every one of sclip.h's.
      Text is UTF-8 with an explicit length (it may hold NUL bytes). A tokenizer is immutable
      after create: any number of threads may encode and decode with one at the same time.
      Encoding allocates nothing for texts up to 256 bytes whose words are up to 64 bytes
      (about 16 KB of stack); longer input takes one or two temporary blocks.

   3. What is exact
      The ids equal those of OpenAI CLIP's simple_tokenizer.py for every input, with ftfy
      treated as the identity (see 4). Step by step:
      - bytes are decoded as Python's bytes.decode('utf-8', errors='replace') does: each
        maximal ill-formed subpart becomes one U+FFFD (invalid UTF-8 never fails);
      - html.unescape twice, Python 3.11's rules: numeric references (decimal and hex, with
        or without ';', html's replacement table for 0 and 0x80-0x9F, U+FFFD for surrogates
        and numbers above U+10FFFF, nothing for the non-characters and controls it drops),
        the 2231 HTML5 named references (2125 names), names without ';' where Python accepts
        them and the longest-prefix rule ("&notit;" -> "¬it;");
      - str.strip(), the regex module's \s+ -> ' ' (White_Space: the information separators
        U+001C-001F are stripped at the ends but not collapsed inside), strip();
      - str.lower() with the full mappings (U+0130 -> "i" U+0307) and the Final_Sigma rule;
      - the pre-tokenizer pattern with re.IGNORECASE as the regex module runs it: \p{L} and
        \p{N} over all of Unicode; 's also matches 'ſ (U+017F) and the special-token
        alternatives match "<|ſtartoftext|>" (which then goes through BPE like any word);
        U+0345 matches no alternative and is dropped, like whitespace;
      - "<|startoftext|>" and "<|endoftext|>" in the text give ids 49406 and 49407 (CLIP's
        cache), GPT-2's byte-to-unicode map, "</w>" on the last symbol, merges by rank (all
        non-overlapping occurrences of the best pair per round, left to right), the
        vocabulary of 49408 entries derived from the merge list (a repeated string or pair
        keeps its last id or rank, as Python's dicts);
      - decode: symbols joined, bytes back through the map, UTF-8 with U+FFFD for ill-formed
        parts, then "</w>" -> " ".
      Checked against 3546 strings encoded by the official tokenizer (fixtures/tokens.jsonl)
      and against tests/tokenizer_extra.jsonl (Unicode, entity and invalid-UTF-8 cases).

   4. Limits
      - ftfy's mojibake repair (ftfy.fix_text, step 1 of CLIP's cleaning) is out of scope: the
        text is used as given. ftfy also uncurls quotes, widens/narrows full-width forms and
        applies NFC, so text with such characters may tokenize differently from CLIP run
        with ftfy installed. Every SCLIP prompt is ASCII, where ftfy changes nothing.
      - The Unicode tables come from the Python that generated them (version below in
        SCLIP__UNICODE_VERSION: Unicode 14.0, Python 3.11). The regex module bundles its own
        Unicode database (15.0 in regex 2022.10); letters and digits added in Unicode 15 are
        not letters here.
      - Encoding a text of n bytes takes O(n log n) time and about 12 n bytes of temporary
        memory, plus 49 bytes per byte of its longest word. Texts above SIZE_MAX/12 bytes are
        refused (SCLIP_ERROR_OUT_OF_MEMORY), words above 2^31 bytes too.
      - A tokenizer takes about 2 MB (merge table, vocabulary strings).

   5. Build options (define before including the implementation)
      SCLIP_MALLOC(size) / SCLIP_FREE(ptr)   both or neither; default malloc / free
      SCLIP_ASSERT(x)                         default assert(x)
      SCLIP_STATIC                            make every function static
      No global mutable state; no stdio.

   6. The generated tables
      The Unicode and HTML tables below the marker "BEGIN GENERATED TABLES" are written by
      tools/gen_unicode_tables.py from Python's unicodedata, str methods and html.entities
      (standard library only). Run it to regenerate them in place, or with --check to verify.
*/
#ifndef SCLIP_TOKENIZER_H
#define SCLIP_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#ifndef SCLIPDEF
#ifdef SCLIP_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define SCLIPDEF static __attribute__((unused)) /* no warning for the functions a program does not call */
#else
#define SCLIPDEF static
#endif
#else
#define SCLIPDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes: 0 is success, errors are negative. sclip_result is an int (as miniaudio's
   ma_result) so that sclip.h adds its own codes (-3, and -6 on) to the ones below, which are
   all the tokenizer returns. sclip_result_string() names each one; functions that take a
   context also keep a detail message there (sclip_context_error()). */
typedef int sclip_result;
#define SCLIP_OK 0
#define SCLIP_ERROR_INVALID_ARGUMENT (-1)    /* a NULL pointer, a size or option out of range */
#define SCLIP_ERROR_OUT_OF_MEMORY (-2)
#define SCLIP_ERROR_BAD_VOCAB (-4)           /* the BPE merge list is malformed or too short */
#define SCLIP_ERROR_TEXT_TOO_LONG (-5)       /* a prompt does not fit the context length */

SCLIPDEF const char *sclip_result_string(sclip_result r);

#define SCLIP_TOKEN_SOT 49406 /* <|startoftext|> */
#define SCLIP_TOKEN_EOT 49407 /* <|endoftext|> */
#define SCLIP_VOCAB_SIZE 49408
#define SCLIP_N_MERGES 48894

typedef struct sclip_tokenizer sclip_tokenizer;

#ifndef SCLIP_ALLOCATOR_DEFINED
#define SCLIP_ALLOCATOR_DEFINED
/* Where memory comes from: alloc(user, size), free(user, ptr); zero members: SCLIP_MALLOC /
   SCLIP_FREE. (sclip.h's model and context descriptions take one too.) */
typedef struct sclip_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} sclip_allocator;
#endif

/* Build a tokenizer from the BPE merge list: the text of bpe_simple_vocab_16e6.txt
   (decompressed), whose first line is a header and whose next 48894 lines are the merges;
   further lines are ignored. The text is not kept: the caller may free it afterwards. */
SCLIPDEF sclip_result sclip_tokenizer_create(const char *merges, size_t len, sclip_tokenizer **out);
/* The same, with every block of the tokenizer and of its calls from allocator (may be NULL). */
SCLIPDEF sclip_result sclip_tokenizer_create_with(const char *merges, size_t len, const sclip_allocator *allocator,
                                                  sclip_tokenizer **out);
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
/* SCLIP_IMPLEMENTATION creates it when sclip.h includes this file (SCLIP_H), so that
   sclip_result_string knows sclip.h's codes too. */
#if defined(SCLIP_TOKENIZER_IMPLEMENTATION) || (defined(SCLIP_IMPLEMENTATION) && defined(SCLIP_H))
#ifndef SCLIP_TOKENIZER_IMPLEMENTATION_DONE
#define SCLIP_TOKENIZER_IMPLEMENTATION_DONE

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

SCLIPDEF const char *sclip_result_string(sclip_result r) {
    switch (r) {
    case SCLIP_OK: return "ok";
    case SCLIP_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case SCLIP_ERROR_OUT_OF_MEMORY: return "out of memory";
    case SCLIP_ERROR_BAD_VOCAB: return "malformed BPE merge list";
    case SCLIP_ERROR_TEXT_TOO_LONG: return "text too long for the context";
    default: break;
    }
#ifdef SCLIP__RESULT_NAMES /* sclip.h's codes, when it creates this implementation */
    return sclip__result_name(r);
#else
    return "unknown result code";
#endif
}

/* --------------------------------------------------------------------------------------------
   Generated tables
   -------------------------------------------------------------------------------------------- */

/* Code points first, first+stride, ... up to last lower-case to c + delta. */
typedef struct sclip__tk_lower_run {
    uint32_t first, last;
    int32_t delta, stride;
} sclip__tk_lower_run;

/* BEGIN GENERATED TABLES (tools/gen_unicode_tables.py) from Python 3.11.7, Unicode 14.0.0.
   Do not edit by hand: run the script. */
#define SCLIP__UNICODE_VERSION "14.0.0"
/* \p{L}: general category L*: 648 ranges (first, last) */
static const uint32_t sclip__uc_letter[1296] = {
    0x41,0x5A,0x61,0x7A,0xAA,0xAA,0xB5,0xB5,0xBA,0xBA,0xC0,0xD6,
    0xD8,0xF6,0xF8,0x2C1,0x2C6,0x2D1,0x2E0,0x2E4,0x2EC,0x2EC,0x2EE,0x2EE,
    0x370,0x374,0x376,0x377,0x37A,0x37D,0x37F,0x37F,0x386,0x386,0x388,0x38A,
    0x38C,0x38C,0x38E,0x3A1,0x3A3,0x3F5,0x3F7,0x481,0x48A,0x52F,0x531,0x556,
    0x559,0x559,0x560,0x588,0x5D0,0x5EA,0x5EF,0x5F2,0x620,0x64A,0x66E,0x66F,
    0x671,0x6D3,0x6D5,0x6D5,0x6E5,0x6E6,0x6EE,0x6EF,0x6FA,0x6FC,0x6FF,0x6FF,
    0x710,0x710,0x712,0x72F,0x74D,0x7A5,0x7B1,0x7B1,0x7CA,0x7EA,0x7F4,0x7F5,
    0x7FA,0x7FA,0x800,0x815,0x81A,0x81A,0x824,0x824,0x828,0x828,0x840,0x858,
    0x860,0x86A,0x870,0x887,0x889,0x88E,0x8A0,0x8C9,0x904,0x939,0x93D,0x93D,
    0x950,0x950,0x958,0x961,0x971,0x980,0x985,0x98C,0x98F,0x990,0x993,0x9A8,
    0x9AA,0x9B0,0x9B2,0x9B2,0x9B6,0x9B9,0x9BD,0x9BD,0x9CE,0x9CE,0x9DC,0x9DD,
    0x9DF,0x9E1,0x9F0,0x9F1,0x9FC,0x9FC,0xA05,0xA0A,0xA0F,0xA10,0xA13,0xA28,
    0xA2A,0xA30,0xA32,0xA33,0xA35,0xA36,0xA38,0xA39,0xA59,0xA5C,0xA5E,0xA5E,
    0xA72,0xA74,0xA85,0xA8D,0xA8F,0xA91,0xA93,0xAA8,0xAAA,0xAB0,0xAB2,0xAB3,
    0xAB5,0xAB9,0xABD,0xABD,0xAD0,0xAD0,0xAE0,0xAE1,0xAF9,0xAF9,0xB05,0xB0C,
    0xB0F,0xB10,0xB13,0xB28,0xB2A,0xB30,0xB32,0xB33,0xB35,0xB39,0xB3D,0xB3D,
    0xB5C,0xB5D,0xB5F,0xB61,0xB71,0xB71,0xB83,0xB83,0xB85,0xB8A,0xB8E,0xB90,
    0xB92,0xB95,0xB99,0xB9A,0xB9C,0xB9C,0xB9E,0xB9F,0xBA3,0xBA4,0xBA8,0xBAA,
    0xBAE,0xBB9,0xBD0,0xBD0,0xC05,0xC0C,0xC0E,0xC10,0xC12,0xC28,0xC2A,0xC39,
    0xC3D,0xC3D,0xC58,0xC5A,0xC5D,0xC5D,0xC60,0xC61,0xC80,0xC80,0xC85,0xC8C,
    0xC8E,0xC90,0xC92,0xCA8,0xCAA,0xCB3,0xCB5,0xCB9,0xCBD,0xCBD,0xCDD,0xCDE,
    0xCE0,0xCE1,0xCF1,0xCF2,0xD04,0xD0C,0xD0E,0xD10,0xD12,0xD3A,0xD3D,0xD3D,
    0xD4E,0xD4E,0xD54,0xD56,0xD5F,0xD61,0xD7A,0xD7F,0xD85,0xD96,0xD9A,0xDB1,
    0xDB3,0xDBB,0xDBD,0xDBD,0xDC0,0xDC6,0xE01,0xE30,0xE32,0xE33,0xE40,0xE46,
    0xE81,0xE82,0xE84,0xE84,0xE86,0xE8A,0xE8C,0xEA3,0xEA5,0xEA5,0xEA7,0xEB0,
    0xEB2,0xEB3,0xEBD,0xEBD,0xEC0,0xEC4,0xEC6,0xEC6,0xEDC,0xEDF,0xF00,0xF00,
    0xF40,0xF47,0xF49,0xF6C,0xF88,0xF8C,0x1000,0x102A,0x103F,0x103F,0x1050,0x1055,
    0x105A,0x105D,0x1061,0x1061,0x1065,0x1066,0x106E,0x1070,0x1075,0x1081,0x108E,0x108E,
    0x10A0,0x10C5,0x10C7,0x10C7,0x10CD,0x10CD,0x10D0,0x10FA,0x10FC,0x1248,0x124A,0x124D,
    0x1250,0x1256,0x1258,0x1258,0x125A,0x125D,0x1260,0x1288,0x128A,0x128D,0x1290,0x12B0,
    0x12B2,0x12B5,0x12B8,0x12BE,0x12C0,0x12C0,0x12C2,0x12C5,0x12C8,0x12D6,0x12D8,0x1310,
    0x1312,0x1315,0x1318,0x135A,0x1380,0x138F,0x13A0,0x13F5,0x13F8,0x13FD,0x1401,0x166C,
    0x166F,0x167F,0x1681,0x169A,0x16A0,0x16EA,0x16F1,0x16F8,0x1700,0x1711,0x171F,0x1731,
    0x1740,0x1751,0x1760,0x176C,0x176E,0x1770,0x1780,0x17B3,0x17D7,0x17D7,0x17DC,0x17DC,
    0x1820,0x1878,0x1880,0x1884,0x1887,0x18A8,0x18AA,0x18AA,0x18B0,0x18F5,0x1900,0x191E,
    0x1950,0x196D,0x1970,0x1974,0x1980,0x19AB,0x19B0,0x19C9,0x1A00,0x1A16,0x1A20,0x1A54,
    0x1AA7,0x1AA7,0x1B05,0x1B33,0x1B45,0x1B4C,0x1B83,0x1BA0,0x1BAE,0x1BAF,0x1BBA,0x1BE5,
    0x1C00,0x1C23,0x1C4D,0x1C4F,0x1C5A,0x1C7D,0x1C80,0x1C88,0x1C90,0x1CBA,0x1CBD,0x1CBF,
    0x1CE9,0x1CEC,0x1CEE,0x1CF3,0x1CF5,0x1CF6,0x1CFA,0x1CFA,0x1D00,0x1DBF,0x1E00,0x1F15,
    0x1F18,0x1F1D,0x1F20,0x1F45,0x1F48,0x1F4D,0x1F50,0x1F57,0x1F59,0x1F59,0x1F5B,0x1F5B,
    0x1F5D,0x1F5D,0x1F5F,0x1F7D,0x1F80,0x1FB4,0x1FB6,0x1FBC,0x1FBE,0x1FBE,0x1FC2,0x1FC4,
    0x1FC6,0x1FCC,0x1FD0,0x1FD3,0x1FD6,0x1FDB,0x1FE0,0x1FEC,0x1FF2,0x1FF4,0x1FF6,0x1FFC,
    0x2071,0x2071,0x207F,0x207F,0x2090,0x209C,0x2102,0x2102,0x2107,0x2107,0x210A,0x2113,
    0x2115,0x2115,0x2119,0x211D,0x2124,0x2124,0x2126,0x2126,0x2128,0x2128,0x212A,0x212D,
    0x212F,0x2139,0x213C,0x213F,0x2145,0x2149,0x214E,0x214E,0x2183,0x2184,0x2C00,0x2CE4,
    0x2CEB,0x2CEE,0x2CF2,0x2CF3,0x2D00,0x2D25,0x2D27,0x2D27,0x2D2D,0x2D2D,0x2D30,0x2D67,
    0x2D6F,0x2D6F,0x2D80,0x2D96,0x2DA0,0x2DA6,0x2DA8,0x2DAE,0x2DB0,0x2DB6,0x2DB8,0x2DBE,
    0x2DC0,0x2DC6,0x2DC8,0x2DCE,0x2DD0,0x2DD6,0x2DD8,0x2DDE,0x2E2F,0x2E2F,0x3005,0x3006,
    0x3031,0x3035,0x303B,0x303C,0x3041,0x3096,0x309D,0x309F,0x30A1,0x30FA,0x30FC,0x30FF,
    0x3105,0x312F,0x3131,0x318E,0x31A0,0x31BF,0x31F0,0x31FF,0x3400,0x4DBF,0x4E00,0xA48C,
    0xA4D0,0xA4FD,0xA500,0xA60C,0xA610,0xA61F,0xA62A,0xA62B,0xA640,0xA66E,0xA67F,0xA69D,
    0xA6A0,0xA6E5,0xA717,0xA71F,0xA722,0xA788,0xA78B,0xA7CA,0xA7D0,0xA7D1,0xA7D3,0xA7D3,
    0xA7D5,0xA7D9,0xA7F2,0xA801,0xA803,0xA805,0xA807,0xA80A,0xA80C,0xA822,0xA840,0xA873,
    0xA882,0xA8B3,0xA8F2,0xA8F7,0xA8FB,0xA8FB,0xA8FD,0xA8FE,0xA90A,0xA925,0xA930,0xA946,
    0xA960,0xA97C,0xA984,0xA9B2,0xA9CF,0xA9CF,0xA9E0,0xA9E4,0xA9E6,0xA9EF,0xA9FA,0xA9FE,
    0xAA00,0xAA28,0xAA40,0xAA42,0xAA44,0xAA4B,0xAA60,0xAA76,0xAA7A,0xAA7A,0xAA7E,0xAAAF,
    0xAAB1,0xAAB1,0xAAB5,0xAAB6,0xAAB9,0xAABD,0xAAC0,0xAAC0,0xAAC2,0xAAC2,0xAADB,0xAADD,
    0xAAE0,0xAAEA,0xAAF2,0xAAF4,0xAB01,0xAB06,0xAB09,0xAB0E,0xAB11,0xAB16,0xAB20,0xAB26,
    0xAB28,0xAB2E,0xAB30,0xAB5A,0xAB5C,0xAB69,0xAB70,0xABE2,0xAC00,0xD7A3,0xD7B0,0xD7C6,
    0xD7CB,0xD7FB,0xF900,0xFA6D,0xFA70,0xFAD9,0xFB00,0xFB06,0xFB13,0xFB17,0xFB1D,0xFB1D,
    0xFB1F,0xFB28,0xFB2A,0xFB36,0xFB38,0xFB3C,0xFB3E,0xFB3E,0xFB40,0xFB41,0xFB43,0xFB44,
    0xFB46,0xFBB1,0xFBD3,0xFD3D,0xFD50,0xFD8F,0xFD92,0xFDC7,0xFDF0,0xFDFB,0xFE70,0xFE74,
    0xFE76,0xFEFC,0xFF21,0xFF3A,0xFF41,0xFF5A,0xFF66,0xFFBE,0xFFC2,0xFFC7,0xFFCA,0xFFCF,
    0xFFD2,0xFFD7,0xFFDA,0xFFDC,0x10000,0x1000B,0x1000D,0x10026,0x10028,0x1003A,0x1003C,0x1003D,
    0x1003F,0x1004D,0x10050,0x1005D,0x10080,0x100FA,0x10280,0x1029C,0x102A0,0x102D0,0x10300,0x1031F,
    0x1032D,0x10340,0x10342,0x10349,0x10350,0x10375,0x10380,0x1039D,0x103A0,0x103C3,0x103C8,0x103CF,
    0x10400,0x1049D,0x104B0,0x104D3,0x104D8,0x104FB,0x10500,0x10527,0x10530,0x10563,0x10570,0x1057A,
    0x1057C,0x1058A,0x1058C,0x10592,0x10594,0x10595,0x10597,0x105A1,0x105A3,0x105B1,0x105B3,0x105B9,
    0x105BB,0x105BC,0x10600,0x10736,0x10740,0x10755,0x10760,0x10767,0x10780,0x10785,0x10787,0x107B0,
    0x107B2,0x107BA,0x10800,0x10805,0x10808,0x10808,0x1080A,0x10835,0x10837,0x10838,0x1083C,0x1083C,
    0x1083F,0x10855,0x10860,0x10876,0x10880,0x1089E,0x108E0,0x108F2,0x108F4,0x108F5,0x10900,0x10915,
    0x10920,0x10939,0x10980,0x109B7,0x109BE,0x109BF,0x10A00,0x10A00,0x10A10,0x10A13,0x10A15,0x10A17,
    0x10A19,0x10A35,0x10A60,0x10A7C,0x10A80,0x10A9C,0x10AC0,0x10AC7,0x10AC9,0x10AE4,0x10B00,0x10B35,
    0x10B40,0x10B55,0x10B60,0x10B72,0x10B80,0x10B91,0x10C00,0x10C48,0x10C80,0x10CB2,0x10CC0,0x10CF2,
    0x10D00,0x10D23,0x10E80,0x10EA9,0x10EB0,0x10EB1,0x10F00,0x10F1C,0x10F27,0x10F27,0x10F30,0x10F45,
    0x10F70,0x10F81,0x10FB0,0x10FC4,0x10FE0,0x10FF6,0x11003,0x11037,0x11071,0x11072,0x11075,0x11075,
    0x11083,0x110AF,0x110D0,0x110E8,0x11103,0x11126,0x11144,0x11144,0x11147,0x11147,0x11150,0x11172,
    0x11176,0x11176,0x11183,0x111B2,0x111C1,0x111C4,0x111DA,0x111DA,0x111DC,0x111DC,0x11200,0x11211,
    0x11213,0x1122B,0x11280,0x11286,0x11288,0x11288,0x1128A,0x1128D,0x1128F,0x1129D,0x1129F,0x112A8,
    0x112B0,0x112DE,0x11305,0x1130C,0x1130F,0x11310,0x11313,0x11328,0x1132A,0x11330,0x11332,0x11333,
    0x11335,0x11339,0x1133D,0x1133D,0x11350,0x11350,0x1135D,0x11361,0x11400,0x11434,0x11447,0x1144A,
    0x1145F,0x11461,0x11480,0x114AF,0x114C4,0x114C5,0x114C7,0x114C7,0x11580,0x115AE,0x115D8,0x115DB,
    0x11600,0x1162F,0x11644,0x11644,0x11680,0x116AA,0x116B8,0x116B8,0x11700,0x1171A,0x11740,0x11746,
    0x11800,0x1182B,0x118A0,0x118DF,0x118FF,0x11906,0x11909,0x11909,0x1190C,0x11913,0x11915,0x11916,
    0x11918,0x1192F,0x1193F,0x1193F,0x11941,0x11941,0x119A0,0x119A7,0x119AA,0x119D0,0x119E1,0x119E1,
    0x119E3,0x119E3,0x11A00,0x11A00,0x11A0B,0x11A32,0x11A3A,0x11A3A,0x11A50,0x11A50,0x11A5C,0x11A89,
    0x11A9D,0x11A9D,0x11AB0,0x11AF8,0x11C00,0x11C08,0x11C0A,0x11C2E,0x11C40,0x11C40,0x11C72,0x11C8F,
    0x11D00,0x11D06,0x11D08,0x11D09,0x11D0B,0x11D30,0x11D46,0x11D46,0x11D60,0x11D65,0x11D67,0x11D68,
    0x11D6A,0x11D89,0x11D98,0x11D98,0x11EE0,0x11EF2,0x11FB0,0x11FB0,0x12000,0x12399,0x12480,0x12543,
    0x12F90,0x12FF0,0x13000,0x1342E,0x14400,0x14646,0x16800,0x16A38,0x16A40,0x16A5E,0x16A70,0x16ABE,
    0x16AD0,0x16AED,0x16B00,0x16B2F,0x16B40,0x16B43,0x16B63,0x16B77,0x16B7D,0x16B8F,0x16E40,0x16E7F,
    0x16F00,0x16F4A,0x16F50,0x16F50,0x16F93,0x16F9F,0x16FE0,0x16FE1,0x16FE3,0x16FE3,0x17000,0x187F7,
    0x18800,0x18CD5,0x18D00,0x18D08,0x1AFF0,0x1AFF3,0x1AFF5,0x1AFFB,0x1AFFD,0x1AFFE,0x1B000,0x1B122,
    0x1B150,0x1B152,0x1B164,0x1B167,0x1B170,0x1B2FB,0x1BC00,0x1BC6A,0x1BC70,0x1BC7C,0x1BC80,0x1BC88,
    0x1BC90,0x1BC99,0x1D400,0x1D454,0x1D456,0x1D49C,0x1D49E,0x1D49F,0x1D4A2,0x1D4A2,0x1D4A5,0x1D4A6,
    0x1D4A9,0x1D4AC,0x1D4AE,0x1D4B9,0x1D4BB,0x1D4BB,0x1D4BD,0x1D4C3,0x1D4C5,0x1D505,0x1D507,0x1D50A,
    0x1D50D,0x1D514,0x1D516,0x1D51C,0x1D51E,0x1D539,0x1D53B,0x1D53E,0x1D540,0x1D544,0x1D546,0x1D546,
    0x1D54A,0x1D550,0x1D552,0x1D6A5,0x1D6A8,0x1D6C0,0x1D6C2,0x1D6DA,0x1D6DC,0x1D6FA,0x1D6FC,0x1D714,
    0x1D716,0x1D734,0x1D736,0x1D74E,0x1D750,0x1D76E,0x1D770,0x1D788,0x1D78A,0x1D7A8,0x1D7AA,0x1D7C2,
    0x1D7C4,0x1D7CB,0x1DF00,0x1DF1E,0x1E100,0x1E12C,0x1E137,0x1E13D,0x1E14E,0x1E14E,0x1E290,0x1E2AD,
    0x1E2C0,0x1E2EB,0x1E7E0,0x1E7E6,0x1E7E8,0x1E7EB,0x1E7ED,0x1E7EE,0x1E7F0,0x1E7FE,0x1E800,0x1E8C4,
    0x1E900,0x1E943,0x1E94B,0x1E94B,0x1EE00,0x1EE03,0x1EE05,0x1EE1F,0x1EE21,0x1EE22,0x1EE24,0x1EE24,
    0x1EE27,0x1EE27,0x1EE29,0x1EE32,0x1EE34,0x1EE37,0x1EE39,0x1EE39,0x1EE3B,0x1EE3B,0x1EE42,0x1EE42,
    0x1EE47,0x1EE47,0x1EE49,0x1EE49,0x1EE4B,0x1EE4B,0x1EE4D,0x1EE4F,0x1EE51,0x1EE52,0x1EE54,0x1EE54,
    0x1EE57,0x1EE57,0x1EE59,0x1EE59,0x1EE5B,0x1EE5B,0x1EE5D,0x1EE5D,0x1EE5F,0x1EE5F,0x1EE61,0x1EE62,
    0x1EE64,0x1EE64,0x1EE67,0x1EE6A,0x1EE6C,0x1EE72,0x1EE74,0x1EE77,0x1EE79,0x1EE7C,0x1EE7E,0x1EE7E,
    0x1EE80,0x1EE89,0x1EE8B,0x1EE9B,0x1EEA1,0x1EEA3,0x1EEA5,0x1EEA9,0x1EEAB,0x1EEBB,0x20000,0x2A6DF,
    0x2A700,0x2B738,0x2B740,0x2B81D,0x2B820,0x2CEA1,0x2CEB0,0x2EBE0,0x2F800,0x2FA1D,0x30000,0x3134A,
};
/* \p{N}: general category N*: 134 ranges (first, last) */
static const uint32_t sclip__uc_number[268] = {
    0x30,0x39,0xB2,0xB3,0xB9,0xB9,0xBC,0xBE,0x660,0x669,0x6F0,0x6F9,
    0x7C0,0x7C9,0x966,0x96F,0x9E6,0x9EF,0x9F4,0x9F9,0xA66,0xA6F,0xAE6,0xAEF,
    0xB66,0xB6F,0xB72,0xB77,0xBE6,0xBF2,0xC66,0xC6F,0xC78,0xC7E,0xCE6,0xCEF,
    0xD58,0xD5E,0xD66,0xD78,0xDE6,0xDEF,0xE50,0xE59,0xED0,0xED9,0xF20,0xF33,
    0x1040,0x1049,0x1090,0x1099,0x1369,0x137C,0x16EE,0x16F0,0x17E0,0x17E9,0x17F0,0x17F9,
    0x1810,0x1819,0x1946,0x194F,0x19D0,0x19DA,0x1A80,0x1A89,0x1A90,0x1A99,0x1B50,0x1B59,
    0x1BB0,0x1BB9,0x1C40,0x1C49,0x1C50,0x1C59,0x2070,0x2070,0x2074,0x2079,0x2080,0x2089,
    0x2150,0x2182,0x2185,0x2189,0x2460,0x249B,0x24EA,0x24FF,0x2776,0x2793,0x2CFD,0x2CFD,
    0x3007,0x3007,0x3021,0x3029,0x3038,0x303A,0x3192,0x3195,0x3220,0x3229,0x3248,0x324F,
    0x3251,0x325F,0x3280,0x3289,0x32B1,0x32BF,0xA620,0xA629,0xA6E6,0xA6EF,0xA830,0xA835,
    0xA8D0,0xA8D9,0xA900,0xA909,0xA9D0,0xA9D9,0xA9F0,0xA9F9,0xAA50,0xAA59,0xABF0,0xABF9,
    0xFF10,0xFF19,0x10107,0x10133,0x10140,0x10178,0x1018A,0x1018B,0x102E1,0x102FB,0x10320,0x10323,
    0x10341,0x10341,0x1034A,0x1034A,0x103D1,0x103D5,0x104A0,0x104A9,0x10858,0x1085F,0x10879,0x1087F,
    0x108A7,0x108AF,0x108FB,0x108FF,0x10916,0x1091B,0x109BC,0x109BD,0x109C0,0x109CF,0x109D2,0x109FF,
    0x10A40,0x10A48,0x10A7D,0x10A7E,0x10A9D,0x10A9F,0x10AEB,0x10AEF,0x10B58,0x10B5F,0x10B78,0x10B7F,
    0x10BA9,0x10BAF,0x10CFA,0x10CFF,0x10D30,0x10D39,0x10E60,0x10E7E,0x10F1D,0x10F26,0x10F51,0x10F54,
    0x10FC5,0x10FCB,0x11052,0x1106F,0x110F0,0x110F9,0x11136,0x1113F,0x111D0,0x111D9,0x111E1,0x111F4,
    0x112F0,0x112F9,0x11450,0x11459,0x114D0,0x114D9,0x11650,0x11659,0x116C0,0x116C9,0x11730,0x1173B,
    0x118E0,0x118F2,0x11950,0x11959,0x11C50,0x11C6C,0x11D50,0x11D59,0x11DA0,0x11DA9,0x11FC0,0x11FD4,
    0x12400,0x1246E,0x16A60,0x16A69,0x16AC0,0x16AC9,0x16B50,0x16B59,0x16B5B,0x16B61,0x16E80,0x16E96,
    0x1D2E0,0x1D2F3,0x1D360,0x1D378,0x1D7CE,0x1D7FF,0x1E140,0x1E149,0x1E2F0,0x1E2F9,0x1E8C7,0x1E8CF,
    0x1E950,0x1E959,0x1EC71,0x1ECAB,0x1ECAD,0x1ECAF,0x1ECB1,0x1ECB4,0x1ED01,0x1ED2D,0x1ED2F,0x1ED3D,
    0x1F100,0x1F10C,0x1FBF0,0x1FBF9,
};
/* str.isspace() (str.strip): 10 ranges (first, last) */
static const uint32_t sclip__uc_space_py[20] = {
    0x9,0xD,0x1C,0x20,0x85,0x85,0xA0,0xA0,0x1680,0x1680,0x2000,0x200A,
    0x2028,0x2029,0x202F,0x202F,0x205F,0x205F,0x3000,0x3000,
};
/* the regex module's \s (White_Space): 10 ranges (first, last) */
static const uint32_t sclip__uc_space_re[20] = {
    0x9,0xD,0x20,0x20,0x85,0x85,0xA0,0xA0,0x1680,0x1680,0x2000,0x200A,
    0x2028,0x2029,0x202F,0x202F,0x205F,0x205F,0x3000,0x3000,
};
/* matched by no alternative of CLIP's pattern under IGNORECASE: 1 ranges (first, last) */
static const uint32_t sclip__uc_skip[2] = {
    0x345,0x345,
};
/* str.lower(), one code point in and out: 181 runs (first, last, delta, stride) */
static const sclip__tk_lower_run sclip__uc_lower[181] = {
    {0x41,0x5A,32,1},{0xC0,0xD6,32,1},{0xD8,0xDE,32,1},{0x100,0x12E,1,2},
    {0x132,0x136,1,2},{0x139,0x147,1,2},{0x14A,0x176,1,2},{0x178,0x178,-121,1},
    {0x179,0x17D,1,2},{0x181,0x181,210,1},{0x182,0x184,1,2},{0x186,0x186,206,1},
    {0x187,0x187,1,1},{0x189,0x18A,205,1},{0x18B,0x18B,1,1},{0x18E,0x18E,79,1},
    {0x18F,0x18F,202,1},{0x190,0x190,203,1},{0x191,0x191,1,1},{0x193,0x193,205,1},
    {0x194,0x194,207,1},{0x196,0x196,211,1},{0x197,0x197,209,1},{0x198,0x198,1,1},
    {0x19C,0x19C,211,1},{0x19D,0x19D,213,1},{0x19F,0x19F,214,1},{0x1A0,0x1A4,1,2},
    {0x1A6,0x1A6,218,1},{0x1A7,0x1A7,1,1},{0x1A9,0x1A9,218,1},{0x1AC,0x1AC,1,1},
    {0x1AE,0x1AE,218,1},{0x1AF,0x1AF,1,1},{0x1B1,0x1B2,217,1},{0x1B3,0x1B5,1,2},
    {0x1B7,0x1B7,219,1},{0x1B8,0x1B8,1,1},{0x1BC,0x1BC,1,1},{0x1C4,0x1C4,2,1},
    {0x1C5,0x1C5,1,1},{0x1C7,0x1C7,2,1},{0x1C8,0x1C8,1,1},{0x1CA,0x1CA,2,1},
    {0x1CB,0x1DB,1,2},{0x1DE,0x1EE,1,2},{0x1F1,0x1F1,2,1},{0x1F2,0x1F4,1,2},
    {0x1F6,0x1F6,-97,1},{0x1F7,0x1F7,-56,1},{0x1F8,0x21E,1,2},{0x220,0x220,-130,1},
    {0x222,0x232,1,2},{0x23A,0x23A,10795,1},{0x23B,0x23B,1,1},{0x23D,0x23D,-163,1},
    {0x23E,0x23E,10792,1},{0x241,0x241,1,1},{0x243,0x243,-195,1},{0x244,0x244,69,1},
    {0x245,0x245,71,1},{0x246,0x24E,1,2},{0x370,0x372,1,2},{0x376,0x376,1,1},
    {0x37F,0x37F,116,1},{0x386,0x386,38,1},{0x388,0x38A,37,1},{0x38C,0x38C,64,1},
    {0x38E,0x38F,63,1},{0x391,0x3A1,32,1},{0x3A3,0x3AB,32,1},{0x3CF,0x3CF,8,1},
    {0x3D8,0x3EE,1,2},{0x3F4,0x3F4,-60,1},{0x3F7,0x3F7,1,1},{0x3F9,0x3F9,-7,1},
    {0x3FA,0x3FA,1,1},{0x3FD,0x3FF,-130,1},{0x400,0x40F,80,1},{0x410,0x42F,32,1},
    {0x460,0x480,1,2},{0x48A,0x4BE,1,2},{0x4C0,0x4C0,15,1},{0x4C1,0x4CD,1,2},
    {0x4D0,0x52E,1,2},{0x531,0x556,48,1},{0x10A0,0x10C5,7264,1},{0x10C7,0x10C7,7264,1},
    {0x10CD,0x10CD,7264,1},{0x13A0,0x13EF,38864,1},{0x13F0,0x13F5,8,1},{0x1C90,0x1CBA,-3008,1},
    {0x1CBD,0x1CBF,-3008,1},{0x1E00,0x1E94,1,2},{0x1E9E,0x1E9E,-7615,1},{0x1EA0,0x1EFE,1,2},
    {0x1F08,0x1F0F,-8,1},{0x1F18,0x1F1D,-8,1},{0x1F28,0x1F2F,-8,1},{0x1F38,0x1F3F,-8,1},
    {0x1F48,0x1F4D,-8,1},{0x1F59,0x1F5F,-8,2},{0x1F68,0x1F6F,-8,1},{0x1F88,0x1F8F,-8,1},
    {0x1F98,0x1F9F,-8,1},{0x1FA8,0x1FAF,-8,1},{0x1FB8,0x1FB9,-8,1},{0x1FBA,0x1FBB,-74,1},
    {0x1FBC,0x1FBC,-9,1},{0x1FC8,0x1FCB,-86,1},{0x1FCC,0x1FCC,-9,1},{0x1FD8,0x1FD9,-8,1},
    {0x1FDA,0x1FDB,-100,1},{0x1FE8,0x1FE9,-8,1},{0x1FEA,0x1FEB,-112,1},{0x1FEC,0x1FEC,-7,1},
    {0x1FF8,0x1FF9,-128,1},{0x1FFA,0x1FFB,-126,1},{0x1FFC,0x1FFC,-9,1},{0x2126,0x2126,-7517,1},
    {0x212A,0x212A,-8383,1},{0x212B,0x212B,-8262,1},{0x2132,0x2132,28,1},{0x2160,0x216F,16,1},
    {0x2183,0x2183,1,1},{0x24B6,0x24CF,26,1},{0x2C00,0x2C2F,48,1},{0x2C60,0x2C60,1,1},
    {0x2C62,0x2C62,-10743,1},{0x2C63,0x2C63,-3814,1},{0x2C64,0x2C64,-10727,1},{0x2C67,0x2C6B,1,2},
    {0x2C6D,0x2C6D,-10780,1},{0x2C6E,0x2C6E,-10749,1},{0x2C6F,0x2C6F,-10783,1},{0x2C70,0x2C70,-10782,1},
    {0x2C72,0x2C72,1,1},{0x2C75,0x2C75,1,1},{0x2C7E,0x2C7F,-10815,1},{0x2C80,0x2CE2,1,2},
    {0x2CEB,0x2CED,1,2},{0x2CF2,0x2CF2,1,1},{0xA640,0xA66C,1,2},{0xA680,0xA69A,1,2},
    {0xA722,0xA72E,1,2},{0xA732,0xA76E,1,2},{0xA779,0xA77B,1,2},{0xA77D,0xA77D,-35332,1},
    {0xA77E,0xA786,1,2},{0xA78B,0xA78B,1,1},{0xA78D,0xA78D,-42280,1},{0xA790,0xA792,1,2},
    {0xA796,0xA7A8,1,2},{0xA7AA,0xA7AA,-42308,1},{0xA7AB,0xA7AB,-42319,1},{0xA7AC,0xA7AC,-42315,1},
    {0xA7AD,0xA7AD,-42305,1},{0xA7AE,0xA7AE,-42308,1},{0xA7B0,0xA7B0,-42258,1},{0xA7B1,0xA7B1,-42282,1},
    {0xA7B2,0xA7B2,-42261,1},{0xA7B3,0xA7B3,928,1},{0xA7B4,0xA7C2,1,2},{0xA7C4,0xA7C4,-48,1},
    {0xA7C5,0xA7C5,-42307,1},{0xA7C6,0xA7C6,-35384,1},{0xA7C7,0xA7C9,1,2},{0xA7D0,0xA7D0,1,1},
    {0xA7D6,0xA7D8,1,2},{0xA7F5,0xA7F5,1,1},{0xFF21,0xFF3A,32,1},{0x10400,0x10427,40,1},
    {0x104B0,0x104D3,40,1},{0x10570,0x1057A,39,1},{0x1057C,0x1058A,39,1},{0x1058C,0x10592,39,1},
    {0x10594,0x10595,39,1},{0x10C80,0x10CB2,64,1},{0x118A0,0x118BF,32,1},{0x16E40,0x16E5F,32,1},
    {0x1E900,0x1E921,34,1},
};
/* str.lower() results of two code points: (code point, first, second) */
#define SCLIP__LOWER_MAX_GROWTH 2
static const uint32_t sclip__uc_lower2[3] = {
    0x130,0x69,0x307,
};
/* Case_Ignorable (for lower()'s Final_Sigma rule): 427 ranges (first, last) */
static const uint32_t sclip__uc_case_ignorable[854] = {
    0x27,0x27,0x2E,0x2E,0x3A,0x3A,0x5E,0x5E,0x60,0x60,0xA8,0xA8,
    0xAD,0xAD,0xAF,0xAF,0xB4,0xB4,0xB7,0xB8,0x2B0,0x36F,0x374,0x375,
    0x37A,0x37A,0x384,0x385,0x387,0x387,0x483,0x489,0x559,0x559,0x55F,0x55F,
    0x591,0x5BD,0x5BF,0x5BF,0x5C1,0x5C2,0x5C4,0x5C5,0x5C7,0x5C7,0x5F4,0x5F4,
    0x600,0x605,0x610,0x61A,0x61C,0x61C,0x640,0x640,0x64B,0x65F,0x670,0x670,
    0x6D6,0x6DD,0x6DF,0x6E8,0x6EA,0x6ED,0x70F,0x70F,0x711,0x711,0x730,0x74A,
    0x7A6,0x7B0,0x7EB,0x7F5,0x7FA,0x7FA,0x7FD,0x7FD,0x816,0x82D,0x859,0x85B,
    0x888,0x888,0x890,0x891,0x898,0x89F,0x8C9,0x902,0x93A,0x93A,0x93C,0x93C,
    0x941,0x948,0x94D,0x94D,0x951,0x957,0x962,0x963,0x971,0x971,0x981,0x981,
    0x9BC,0x9BC,0x9C1,0x9C4,0x9CD,0x9CD,0x9E2,0x9E3,0x9FE,0x9FE,0xA01,0xA02,
    0xA3C,0xA3C,0xA41,0xA42,0xA47,0xA48,0xA4B,0xA4D,0xA51,0xA51,0xA70,0xA71,
    0xA75,0xA75,0xA81,0xA82,0xABC,0xABC,0xAC1,0xAC5,0xAC7,0xAC8,0xACD,0xACD,
    0xAE2,0xAE3,0xAFA,0xAFF,0xB01,0xB01,0xB3C,0xB3C,0xB3F,0xB3F,0xB41,0xB44,
    0xB4D,0xB4D,0xB55,0xB56,0xB62,0xB63,0xB82,0xB82,0xBC0,0xBC0,0xBCD,0xBCD,
    0xC00,0xC00,0xC04,0xC04,0xC3C,0xC3C,0xC3E,0xC40,0xC46,0xC48,0xC4A,0xC4D,
    0xC55,0xC56,0xC62,0xC63,0xC81,0xC81,0xCBC,0xCBC,0xCBF,0xCBF,0xCC6,0xCC6,
    0xCCC,0xCCD,0xCE2,0xCE3,0xD00,0xD01,0xD3B,0xD3C,0xD41,0xD44,0xD4D,0xD4D,
    0xD62,0xD63,0xD81,0xD81,0xDCA,0xDCA,0xDD2,0xDD4,0xDD6,0xDD6,0xE31,0xE31,
    0xE34,0xE3A,0xE46,0xE4E,0xEB1,0xEB1,0xEB4,0xEBC,0xEC6,0xEC6,0xEC8,0xECD,
    0xF18,0xF19,0xF35,0xF35,0xF37,0xF37,0xF39,0xF39,0xF71,0xF7E,0xF80,0xF84,
    0xF86,0xF87,0xF8D,0xF97,0xF99,0xFBC,0xFC6,0xFC6,0x102D,0x1030,0x1032,0x1037,
    0x1039,0x103A,0x103D,0x103E,0x1058,0x1059,0x105E,0x1060,0x1071,0x1074,0x1082,0x1082,
    0x1085,0x1086,0x108D,0x108D,0x109D,0x109D,0x10FC,0x10FC,0x135D,0x135F,0x1712,0x1714,
    0x1732,0x1733,0x1752,0x1753,0x1772,0x1773,0x17B4,0x17B5,0x17B7,0x17BD,0x17C6,0x17C6,
    0x17C9,0x17D3,0x17D7,0x17D7,0x17DD,0x17DD,0x180B,0x180F,0x1843,0x1843,0x1885,0x1886,
    0x18A9,0x18A9,0x1920,0x1922,0x1927,0x1928,0x1932,0x1932,0x1939,0x193B,0x1A17,0x1A18,
    0x1A1B,0x1A1B,0x1A56,0x1A56,0x1A58,0x1A5E,0x1A60,0x1A60,0x1A62,0x1A62,0x1A65,0x1A6C,
    0x1A73,0x1A7C,0x1A7F,0x1A7F,0x1AA7,0x1AA7,0x1AB0,0x1ACE,0x1B00,0x1B03,0x1B34,0x1B34,
    0x1B36,0x1B3A,0x1B3C,0x1B3C,0x1B42,0x1B42,0x1B6B,0x1B73,0x1B80,0x1B81,0x1BA2,0x1BA5,
    0x1BA8,0x1BA9,0x1BAB,0x1BAD,0x1BE6,0x1BE6,0x1BE8,0x1BE9,0x1BED,0x1BED,0x1BEF,0x1BF1,
    0x1C2C,0x1C33,0x1C36,0x1C37,0x1C78,0x1C7D,0x1CD0,0x1CD2,0x1CD4,0x1CE0,0x1CE2,0x1CE8,
    0x1CED,0x1CED,0x1CF4,0x1CF4,0x1CF8,0x1CF9,0x1D2C,0x1D6A,0x1D78,0x1D78,0x1D9B,0x1DFF,
    0x1FBD,0x1FBD,0x1FBF,0x1FC1,0x1FCD,0x1FCF,0x1FDD,0x1FDF,0x1FED,0x1FEF,0x1FFD,0x1FFE,
    0x200B,0x200F,0x2018,0x2019,0x2024,0x2024,0x2027,0x2027,0x202A,0x202E,0x2060,0x2064,
    0x2066,0x206F,0x2071,0x2071,0x207F,0x207F,0x2090,0x209C,0x20D0,0x20F0,0x2C7C,0x2C7D,
    0x2CEF,0x2CF1,0x2D6F,0x2D6F,0x2D7F,0x2D7F,0x2DE0,0x2DFF,0x2E2F,0x2E2F,0x3005,0x3005,
    0x302A,0x302D,0x3031,0x3035,0x303B,0x303B,0x3099,0x309E,0x30FC,0x30FE,0xA015,0xA015,
    0xA4F8,0xA4FD,0xA60C,0xA60C,0xA66F,0xA672,0xA674,0xA67D,0xA67F,0xA67F,0xA69C,0xA69F,
    0xA6F0,0xA6F1,0xA700,0xA721,0xA770,0xA770,0xA788,0xA78A,0xA7F2,0xA7F4,0xA7F8,0xA7F9,
    0xA802,0xA802,0xA806,0xA806,0xA80B,0xA80B,0xA825,0xA826,0xA82C,0xA82C,0xA8C4,0xA8C5,
    0xA8E0,0xA8F1,0xA8FF,0xA8FF,0xA926,0xA92D,0xA947,0xA951,0xA980,0xA982,0xA9B3,0xA9B3,
    0xA9B6,0xA9B9,0xA9BC,0xA9BD,0xA9CF,0xA9CF,0xA9E5,0xA9E6,0xAA29,0xAA2E,0xAA31,0xAA32,
    0xAA35,0xAA36,0xAA43,0xAA43,0xAA4C,0xAA4C,0xAA70,0xAA70,0xAA7C,0xAA7C,0xAAB0,0xAAB0,
    0xAAB2,0xAAB4,0xAAB7,0xAAB8,0xAABE,0xAABF,0xAAC1,0xAAC1,0xAADD,0xAADD,0xAAEC,0xAAED,
    0xAAF3,0xAAF4,0xAAF6,0xAAF6,0xAB5B,0xAB5F,0xAB69,0xAB6B,0xABE5,0xABE5,0xABE8,0xABE8,
    0xABED,0xABED,0xFB1E,0xFB1E,0xFBB2,0xFBC2,0xFE00,0xFE0F,0xFE13,0xFE13,0xFE20,0xFE2F,
    0xFE52,0xFE52,0xFE55,0xFE55,0xFEFF,0xFEFF,0xFF07,0xFF07,0xFF0E,0xFF0E,0xFF1A,0xFF1A,
    0xFF3E,0xFF3E,0xFF40,0xFF40,0xFF70,0xFF70,0xFF9E,0xFF9F,0xFFE3,0xFFE3,0xFFF9,0xFFFB,
    0x101FD,0x101FD,0x102E0,0x102E0,0x10376,0x1037A,0x10780,0x10785,0x10787,0x107B0,0x107B2,0x107BA,
    0x10A01,0x10A03,0x10A05,0x10A06,0x10A0C,0x10A0F,0x10A38,0x10A3A,0x10A3F,0x10A3F,0x10AE5,0x10AE6,
    0x10D24,0x10D27,0x10EAB,0x10EAC,0x10F46,0x10F50,0x10F82,0x10F85,0x11001,0x11001,0x11038,0x11046,
    0x11070,0x11070,0x11073,0x11074,0x1107F,0x11081,0x110B3,0x110B6,0x110B9,0x110BA,0x110BD,0x110BD,
    0x110C2,0x110C2,0x110CD,0x110CD,0x11100,0x11102,0x11127,0x1112B,0x1112D,0x11134,0x11173,0x11173,
    0x11180,0x11181,0x111B6,0x111BE,0x111C9,0x111CC,0x111CF,0x111CF,0x1122F,0x11231,0x11234,0x11234,
    0x11236,0x11237,0x1123E,0x1123E,0x112DF,0x112DF,0x112E3,0x112EA,0x11300,0x11301,0x1133B,0x1133C,
    0x11340,0x11340,0x11366,0x1136C,0x11370,0x11374,0x11438,0x1143F,0x11442,0x11444,0x11446,0x11446,
    0x1145E,0x1145E,0x114B3,0x114B8,0x114BA,0x114BA,0x114BF,0x114C0,0x114C2,0x114C3,0x115B2,0x115B5,
    0x115BC,0x115BD,0x115BF,0x115C0,0x115DC,0x115DD,0x11633,0x1163A,0x1163D,0x1163D,0x1163F,0x11640,
    0x116AB,0x116AB,0x116AD,0x116AD,0x116B0,0x116B5,0x116B7,0x116B7,0x1171D,0x1171F,0x11722,0x11725,
    0x11727,0x1172B,0x1182F,0x11837,0x11839,0x1183A,0x1193B,0x1193C,0x1193E,0x1193E,0x11943,0x11943,
    0x119D4,0x119D7,0x119DA,0x119DB,0x119E0,0x119E0,0x11A01,0x11A0A,0x11A33,0x11A38,0x11A3B,0x11A3E,
    0x11A47,0x11A47,0x11A51,0x11A56,0x11A59,0x11A5B,0x11A8A,0x11A96,0x11A98,0x11A99,0x11C30,0x11C36,
    0x11C38,0x11C3D,0x11C3F,0x11C3F,0x11C92,0x11CA7,0x11CAA,0x11CB0,0x11CB2,0x11CB3,0x11CB5,0x11CB6,
    0x11D31,0x11D36,0x11D3A,0x11D3A,0x11D3C,0x11D3D,0x11D3F,0x11D45,0x11D47,0x11D47,0x11D90,0x11D91,
    0x11D95,0x11D95,0x11D97,0x11D97,0x11EF3,0x11EF4,0x13430,0x13438,0x16AF0,0x16AF4,0x16B30,0x16B36,
    0x16B40,0x16B43,0x16F4F,0x16F4F,0x16F8F,0x16F9F,0x16FE0,0x16FE1,0x16FE3,0x16FE4,0x1AFF0,0x1AFF3,
    0x1AFF5,0x1AFFB,0x1AFFD,0x1AFFE,0x1BC9D,0x1BC9E,0x1BCA0,0x1BCA3,0x1CF00,0x1CF2D,0x1CF30,0x1CF46,
    0x1D167,0x1D169,0x1D173,0x1D182,0x1D185,0x1D18B,0x1D1AA,0x1D1AD,0x1D242,0x1D244,0x1DA00,0x1DA36,
    0x1DA3B,0x1DA6C,0x1DA75,0x1DA75,0x1DA84,0x1DA84,0x1DA9B,0x1DA9F,0x1DAA1,0x1DAAF,0x1E000,0x1E006,
    0x1E008,0x1E018,0x1E01B,0x1E021,0x1E023,0x1E024,0x1E026,0x1E02A,0x1E130,0x1E13D,0x1E2AE,0x1E2AE,
    0x1E2EC,0x1E2EF,0x1E8D0,0x1E8D6,0x1E944,0x1E94B,0x1F3FB,0x1F3FF,0xE0001,0xE0001,0xE0020,0xE007F,
    0xE0100,0xE01EF,
};
/* Cased and not Case_Ignorable (for lower()'s Final_Sigma rule): 149 ranges (first, last) */
static const uint32_t sclip__uc_cased[298] = {
    0x41,0x5A,0x61,0x7A,0xAA,0xAA,0xB5,0xB5,0xBA,0xBA,0xC0,0xD6,
    0xD8,0xF6,0xF8,0x1BA,0x1BC,0x1BF,0x1C4,0x293,0x295,0x2AF,0x370,0x373,
    0x376,0x377,0x37B,0x37D,0x37F,0x37F,0x386,0x386,0x388,0x38A,0x38C,0x38C,
    0x38E,0x3A1,0x3A3,0x3F5,0x3F7,0x481,0x48A,0x52F,0x531,0x556,0x560,0x588,
    0x10A0,0x10C5,0x10C7,0x10C7,0x10CD,0x10CD,0x10D0,0x10FA,0x10FD,0x10FF,0x13A0,0x13F5,
    0x13F8,0x13FD,0x1C80,0x1C88,0x1C90,0x1CBA,0x1CBD,0x1CBF,0x1D00,0x1D2B,0x1D6B,0x1D77,
    0x1D79,0x1D9A,0x1E00,0x1F15,0x1F18,0x1F1D,0x1F20,0x1F45,0x1F48,0x1F4D,0x1F50,0x1F57,
    0x1F59,0x1F59,0x1F5B,0x1F5B,0x1F5D,0x1F5D,0x1F5F,0x1F7D,0x1F80,0x1FB4,0x1FB6,0x1FBC,
    0x1FBE,0x1FBE,0x1FC2,0x1FC4,0x1FC6,0x1FCC,0x1FD0,0x1FD3,0x1FD6,0x1FDB,0x1FE0,0x1FEC,
    0x1FF2,0x1FF4,0x1FF6,0x1FFC,0x2102,0x2102,0x2107,0x2107,0x210A,0x2113,0x2115,0x2115,
    0x2119,0x211D,0x2124,0x2124,0x2126,0x2126,0x2128,0x2128,0x212A,0x212D,0x212F,0x2134,
    0x2139,0x2139,0x213C,0x213F,0x2145,0x2149,0x214E,0x214E,0x2160,0x217F,0x2183,0x2184,
    0x24B6,0x24E9,0x2C00,0x2C7B,0x2C7E,0x2CE4,0x2CEB,0x2CEE,0x2CF2,0x2CF3,0x2D00,0x2D25,
    0x2D27,0x2D27,0x2D2D,0x2D2D,0xA640,0xA66D,0xA680,0xA69B,0xA722,0xA76F,0xA771,0xA787,
    0xA78B,0xA78E,0xA790,0xA7CA,0xA7D0,0xA7D1,0xA7D3,0xA7D3,0xA7D5,0xA7D9,0xA7F5,0xA7F6,
    0xA7FA,0xA7FA,0xAB30,0xAB5A,0xAB60,0xAB68,0xAB70,0xABBF,0xFB00,0xFB06,0xFB13,0xFB17,
    0xFF21,0xFF3A,0xFF41,0xFF5A,0x10400,0x1044F,0x104B0,0x104D3,0x104D8,0x104FB,0x10570,0x1057A,
    0x1057C,0x1058A,0x1058C,0x10592,0x10594,0x10595,0x10597,0x105A1,0x105A3,0x105B1,0x105B3,0x105B9,
    0x105BB,0x105BC,0x10C80,0x10CB2,0x10CC0,0x10CF2,0x118A0,0x118DF,0x16E40,0x16E7F,0x1D400,0x1D454,
    0x1D456,0x1D49C,0x1D49E,0x1D49F,0x1D4A2,0x1D4A2,0x1D4A5,0x1D4A6,0x1D4A9,0x1D4AC,0x1D4AE,0x1D4B9,
    0x1D4BB,0x1D4BB,0x1D4BD,0x1D4C3,0x1D4C5,0x1D505,0x1D507,0x1D50A,0x1D50D,0x1D514,0x1D516,0x1D51C,
    0x1D51E,0x1D539,0x1D53B,0x1D53E,0x1D540,0x1D544,0x1D546,0x1D546,0x1D54A,0x1D550,0x1D552,0x1D6A5,
    0x1D6A8,0x1D6C0,0x1D6C2,0x1D6DA,0x1D6DC,0x1D6FA,0x1D6FC,0x1D714,0x1D716,0x1D734,0x1D736,0x1D74E,
    0x1D750,0x1D76E,0x1D770,0x1D788,0x1D78A,0x1D7A8,0x1D7AA,0x1D7C2,0x1D7C4,0x1D7CB,0x1DF00,0x1DF09,
    0x1DF0B,0x1DF1E,0x1E900,0x1E943,0x1F130,0x1F149,0x1F150,0x1F169,0x1F170,0x1F189,
};
/* html.unescape numeric references: replacements applied first (html._invalid_charrefs),
   (number, code point) */
static const uint32_t sclip__charref_fix[68] = {
    0x0,0xFFFD,0xD,0xD,0x80,0x20AC,0x81,0x81,0x82,0x201A,0x83,0x192,
    0x84,0x201E,0x85,0x2026,0x86,0x2020,0x87,0x2021,0x88,0x2C6,0x89,0x2030,
    0x8A,0x160,0x8B,0x2039,0x8C,0x152,0x8D,0x8D,0x8E,0x17D,0x8F,0x8F,
    0x90,0x90,0x91,0x2018,0x92,0x2019,0x93,0x201C,0x94,0x201D,0x95,0x2022,
    0x96,0x2013,0x97,0x2014,0x98,0x2DC,0x99,0x2122,0x9A,0x161,0x9B,0x203A,
    0x9C,0x153,0x9D,0x9D,0x9E,0x17E,0x9F,0x178,
};
/* numbers that give nothing (html._invalid_codepoints): 22 ranges (first, last) */
static const uint32_t sclip__charref_drop[44] = {
    0x1,0x8,0xB,0xB,0xE,0x1F,0x7F,0x9F,0xFDD0,0xFDEF,0xFFFE,0xFFFF,
    0x1FFFE,0x1FFFF,0x2FFFE,0x2FFFF,0x3FFFE,0x3FFFF,0x4FFFE,0x4FFFF,0x5FFFE,0x5FFFF,0x6FFFE,0x6FFFF,
    0x7FFFE,0x7FFFF,0x8FFFE,0x8FFFF,0x9FFFE,0x9FFFF,0xAFFFE,0xAFFFF,0xBFFFE,0xBFFFF,0xCFFFE,0xCFFFF,
    0xDFFFE,0xDFFFF,0xEFFFE,0xEFFFF,0xFFFFE,0xFFFFF,0x10FFFE,0x10FFFF,
};
/* HTML5 named character references (html.entities.html5): 2125 names without ';',
   sorted; 2231 keys in Python's table (forms with and without ';'). */
#define SCLIP__N_ENTITIES 2125
static const char *const sclip__ent_names[2125] = {
    "AElig","AMP","Aacute","Abreve","Acirc","Acy","Afr","Agrave","Alpha","Amacr",
    "And","Aogon","Aopf","ApplyFunction","Aring","Ascr","Assign","Atilde","Auml","Backslash",
    "Barv","Barwed","Bcy","Because","Bernoullis","Beta","Bfr","Bopf","Breve","Bscr",
    "Bumpeq","CHcy","COPY","Cacute","Cap","CapitalDifferentialD","Cayleys","Ccaron","Ccedil","Ccirc",
    "Cconint","Cdot","Cedilla","CenterDot","Cfr","Chi","CircleDot","CircleMinus","CirclePlus","CircleTimes",
    "ClockwiseContourIntegral","CloseCurlyDoubleQuote","CloseCurlyQuote","Colon","Colone","Congruent","Conint","ContourIntegral","Copf","Coproduct",
    "CounterClockwiseContourIntegral","Cross","Cscr","Cup","CupCap","DD","DDotrahd","DJcy","DScy","DZcy",
    "Dagger","Darr","Dashv","Dcaron","Dcy","Del","Delta","Dfr","DiacriticalAcute","DiacriticalDot",
    "DiacriticalDoubleAcute","DiacriticalGrave","DiacriticalTilde","Diamond","DifferentialD","Dopf","Dot","DotDot","DotEqual","DoubleContourIntegral",
    "DoubleDot","DoubleDownArrow","DoubleLeftArrow","DoubleLeftRightArrow","DoubleLeftTee","DoubleLongLeftArrow","DoubleLongLeftRightArrow","DoubleLongRightArrow","DoubleRightArrow","DoubleRightTee",
    "DoubleUpArrow","DoubleUpDownArrow","DoubleVerticalBar","DownArrow","DownArrowBar","DownArrowUpArrow","DownBreve","DownLeftRightVector","DownLeftTeeVector","DownLeftVector",
    "DownLeftVectorBar","DownRightTeeVector","DownRightVector","DownRightVectorBar","DownTee","DownTeeArrow","Downarrow","Dscr","Dstrok","ENG",
    "ETH","Eacute","Ecaron","Ecirc","Ecy","Edot","Efr","Egrave","Element","Emacr",
    "EmptySmallSquare","EmptyVerySmallSquare","Eogon","Eopf","Epsilon","Equal","EqualTilde","Equilibrium","Escr","Esim",
    "Eta","Euml","Exists","ExponentialE","Fcy","Ffr","FilledSmallSquare","FilledVerySmallSquare","Fopf","ForAll",
    "Fouriertrf","Fscr","GJcy","GT","Gamma","Gammad","Gbreve","Gcedil","Gcirc","Gcy",
    "Gdot","Gfr","Gg","Gopf","GreaterEqual","GreaterEqualLess","GreaterFullEqual","GreaterGreater","GreaterLess","GreaterSlantEqual",
    "GreaterTilde","Gscr","Gt","HARDcy","Hacek","Hat","Hcirc","Hfr","HilbertSpace","Hopf",
    "HorizontalLine","Hscr","Hstrok","HumpDownHump","HumpEqual","IEcy","IJlig","IOcy","Iacute","Icirc",
    "Icy","Idot","Ifr","Igrave","Im","Imacr","ImaginaryI","Implies","Int","Integral",
    "Intersection","InvisibleComma","InvisibleTimes","Iogon","Iopf","Iota","Iscr","Itilde","Iukcy","Iuml",
    "Jcirc","Jcy","Jfr","Jopf","Jscr","Jsercy","Jukcy","KHcy","KJcy","Kappa",
    "Kcedil","Kcy","Kfr","Kopf","Kscr","LJcy","LT","Lacute","Lambda","Lang",
    "Laplacetrf","Larr","Lcaron","Lcedil","Lcy","LeftAngleBracket","LeftArrow","LeftArrowBar","LeftArrowRightArrow","LeftCeiling",
    "LeftDoubleBracket","LeftDownTeeVector","LeftDownVector","LeftDownVectorBar","LeftFloor","LeftRightArrow","LeftRightVector","LeftTee","LeftTeeArrow","LeftTeeVector",
    "LeftTriangle","LeftTriangleBar","LeftTriangleEqual","LeftUpDownVector","LeftUpTeeVector","LeftUpVector","LeftUpVectorBar","LeftVector","LeftVectorBar","Leftarrow",
    "Leftrightarrow","LessEqualGreater","LessFullEqual","LessGreater","LessLess","LessSlantEqual","LessTilde","Lfr","Ll","Lleftarrow",
    "Lmidot","LongLeftArrow","LongLeftRightArrow","LongRightArrow","Longleftarrow","Longleftrightarrow","Longrightarrow","Lopf","LowerLeftArrow","LowerRightArrow",
    "Lscr","Lsh","Lstrok","Lt","Map","Mcy","MediumSpace","Mellintrf","Mfr","MinusPlus",
    "Mopf","Mscr","Mu","NJcy","Nacute","Ncaron","Ncedil","Ncy","NegativeMediumSpace","NegativeThickSpace",
    "NegativeThinSpace","NegativeVeryThinSpace","NestedGreaterGreater","NestedLessLess","NewLine","Nfr","NoBreak","NonBreakingSpace","Nopf","Not",
    "NotCongruent","NotCupCap","NotDoubleVerticalBar","NotElement","NotEqual","NotEqualTilde","NotExists","NotGreater","NotGreaterEqual","NotGreaterFullEqual",
    "NotGreaterGreater","NotGreaterLess","NotGreaterSlantEqual","NotGreaterTilde","NotHumpDownHump","NotHumpEqual","NotLeftTriangle","NotLeftTriangleBar","NotLeftTriangleEqual","NotLess",
    "NotLessEqual","NotLessGreater","NotLessLess","NotLessSlantEqual","NotLessTilde","NotNestedGreaterGreater","NotNestedLessLess","NotPrecedes","NotPrecedesEqual","NotPrecedesSlantEqual",
    "NotReverseElement","NotRightTriangle","NotRightTriangleBar","NotRightTriangleEqual","NotSquareSubset","NotSquareSubsetEqual","NotSquareSuperset","NotSquareSupersetEqual","NotSubset","NotSubsetEqual",
    "NotSucceeds","NotSucceedsEqual","NotSucceedsSlantEqual","NotSucceedsTilde","NotSuperset","NotSupersetEqual","NotTilde","NotTildeEqual","NotTildeFullEqual","NotTildeTilde",
    "NotVerticalBar","Nscr","Ntilde","Nu","OElig","Oacute","Ocirc","Ocy","Odblac","Ofr",
    "Ograve","Omacr","Omega","Omicron","Oopf","OpenCurlyDoubleQuote","OpenCurlyQuote","Or","Oscr","Oslash",
    "Otilde","Otimes","Ouml","OverBar","OverBrace","OverBracket","OverParenthesis","PartialD","Pcy","Pfr",
    "Phi","Pi","PlusMinus","Poincareplane","Popf","Pr","Precedes","PrecedesEqual","PrecedesSlantEqual","PrecedesTilde",
    "Prime","Product","Proportion","Proportional","Pscr","Psi","QUOT","Qfr","Qopf","Qscr",
    "RBarr","REG","Racute","Rang","Rarr","Rarrtl","Rcaron","Rcedil","Rcy","Re",
    "ReverseElement","ReverseEquilibrium","ReverseUpEquilibrium","Rfr","Rho","RightAngleBracket","RightArrow","RightArrowBar","RightArrowLeftArrow","RightCeiling",
    "RightDoubleBracket","RightDownTeeVector","RightDownVector","RightDownVectorBar","RightFloor","RightTee","RightTeeArrow","RightTeeVector","RightTriangle","RightTriangleBar",
    "RightTriangleEqual","RightUpDownVector","RightUpTeeVector","RightUpVector","RightUpVectorBar","RightVector","RightVectorBar","Rightarrow","Ropf","RoundImplies",
    "Rrightarrow","Rscr","Rsh","RuleDelayed","SHCHcy","SHcy","SOFTcy","Sacute","Sc","Scaron",
    "Scedil","Scirc","Scy","Sfr","ShortDownArrow","ShortLeftArrow","ShortRightArrow","ShortUpArrow","Sigma","SmallCircle",
    "Sopf","Sqrt","Square","SquareIntersection","SquareSubset","SquareSubsetEqual","SquareSuperset","SquareSupersetEqual","SquareUnion","Sscr",
    "Star","Sub","Subset","SubsetEqual","Succeeds","SucceedsEqual","SucceedsSlantEqual","SucceedsTilde","SuchThat","Sum",
    "Sup","Superset","SupersetEqual","Supset","THORN","TRADE","TSHcy","TScy","Tab","Tau",
    "Tcaron","Tcedil","Tcy","Tfr","Therefore","Theta","ThickSpace","ThinSpace","Tilde","TildeEqual",
    "TildeFullEqual","TildeTilde","Topf","TripleDot","Tscr","Tstrok","Uacute","Uarr","Uarrocir","Ubrcy",
    "Ubreve","Ucirc","Ucy","Udblac","Ufr","Ugrave","Umacr","UnderBar","UnderBrace","UnderBracket",
    "UnderParenthesis","Union","UnionPlus","Uogon","Uopf","UpArrow","UpArrowBar","UpArrowDownArrow","UpDownArrow","UpEquilibrium",
    "UpTee","UpTeeArrow","Uparrow","Updownarrow","UpperLeftArrow","UpperRightArrow","Upsi","Upsilon","Uring","Uscr",
    "Utilde","Uuml","VDash","Vbar","Vcy","Vdash","Vdashl","Vee","Verbar","Vert",
    "VerticalBar","VerticalLine","VerticalSeparator","VerticalTilde","VeryThinSpace","Vfr","Vopf","Vscr","Vvdash","Wcirc",
    "Wedge","Wfr","Wopf","Wscr","Xfr","Xi","Xopf","Xscr","YAcy","YIcy",
    "YUcy","Yacute","Ycirc","Ycy","Yfr","Yopf","Yscr","Yuml","ZHcy","Zacute",
    "Zcaron","Zcy","Zdot","ZeroWidthSpace","Zeta","Zfr","Zopf","Zscr","aacute","abreve",
    "ac","acE","acd","acirc","acute","acy","aelig","af","afr","agrave",
    "alefsym","aleph","alpha","amacr","amalg","amp","and","andand","andd","andslope",
    "andv","ang","ange","angle","angmsd","angmsdaa","angmsdab","angmsdac","angmsdad","angmsdae",
    "angmsdaf","angmsdag","angmsdah","angrt","angrtvb","angrtvbd","angsph","angst","angzarr","aogon",
    "aopf","ap","apE","apacir","ape","apid","apos","approx","approxeq","aring",
    "ascr","ast","asymp","asympeq","atilde","auml","awconint","awint","bNot","backcong",
    "backepsilon","backprime","backsim","backsimeq","barvee","barwed","barwedge","bbrk","bbrktbrk","bcong",
    "bcy","bdquo","becaus","because","bemptyv","bepsi","bernou","beta","beth","between",
    "bfr","bigcap","bigcirc","bigcup","bigodot","bigoplus","bigotimes","bigsqcup","bigstar","bigtriangledown",
    "bigtriangleup","biguplus","bigvee","bigwedge","bkarow","blacklozenge","blacksquare","blacktriangle","blacktriangledown","blacktriangleleft",
    "blacktriangleright","blank","blk12","blk14","blk34","block","bne","bnequiv","bnot","bopf",
    "bot","bottom","bowtie","boxDL","boxDR","boxDl","boxDr","boxH","boxHD","boxHU",
    "boxHd","boxHu","boxUL","boxUR","boxUl","boxUr","boxV","boxVH","boxVL","boxVR",
    "boxVh","boxVl","boxVr","boxbox","boxdL","boxdR","boxdl","boxdr","boxh","boxhD",
    "boxhU","boxhd","boxhu","boxminus","boxplus","boxtimes","boxuL","boxuR","boxul","boxur",
    "boxv","boxvH","boxvL","boxvR","boxvh","boxvl","boxvr","bprime","breve","brvbar",
    "bscr","bsemi","bsim","bsime","bsol","bsolb","bsolhsub","bull","bullet","bump",
    "bumpE","bumpe","bumpeq","cacute","cap","capand","capbrcup","capcap","capcup","capdot",
    "caps","caret","caron","ccaps","ccaron","ccedil","ccirc","ccups","ccupssm","cdot",
    "cedil","cemptyv","cent","centerdot","cfr","chcy","check","checkmark","chi","cir",
    "cirE","circ","circeq","circlearrowleft","circlearrowright","circledR","circledS","circledast","circledcirc","circleddash",
    "cire","cirfnint","cirmid","cirscir","clubs","clubsuit","colon","colone","coloneq","comma",
    "commat","comp","compfn","complement","complexes","cong","congdot","conint","copf","coprod",
    "copy","copysr","crarr","cross","cscr","csub","csube","csup","csupe","ctdot",
    "cudarrl","cudarrr","cuepr","cuesc","cularr","cularrp","cup","cupbrcap","cupcap","cupcup",
    "cupdot","cupor","cups","curarr","curarrm","curlyeqprec","curlyeqsucc","curlyvee","curlywedge","curren",
    "curvearrowleft","curvearrowright","cuvee","cuwed","cwconint","cwint","cylcty","dArr","dHar","dagger",
    "daleth","darr","dash","dashv","dbkarow","dblac","dcaron","dcy","dd","ddagger",
    "ddarr","ddotseq","deg","delta","demptyv","dfisht","dfr","dharl","dharr","diam",
    "diamond","diamondsuit","diams","die","digamma","disin","div","divide","divideontimes","divonx",
    "djcy","dlcorn","dlcrop","dollar","dopf","dot","doteq","doteqdot","dotminus","dotplus",
    "dotsquare","doublebarwedge","downarrow","downdownarrows","downharpoonleft","downharpoonright","drbkarow","drcorn","drcrop","dscr",
    "dscy","dsol","dstrok","dtdot","dtri","dtrif","duarr","duhar","dwangle","dzcy",
    "dzigrarr","eDDot","eDot","eacute","easter","ecaron","ecir","ecirc","ecolon","ecy",
    "edot","ee","efDot","efr","eg","egrave","egs","egsdot","el","elinters",
    "ell","els","elsdot","emacr","empty","emptyset","emptyv","emsp","emsp13","emsp14",
    "eng","ensp","eogon","eopf","epar","eparsl","eplus","epsi","epsilon","epsiv",
    "eqcirc","eqcolon","eqsim","eqslantgtr","eqslantless","equals","equest","equiv","equivDD","eqvparsl",
    "erDot","erarr","escr","esdot","esim","eta","eth","euml","euro","excl",
    "exist","expectation","exponentiale","fallingdotseq","fcy","female","ffilig","fflig","ffllig","ffr",
    "filig","fjlig","flat","fllig","fltns","fnof","fopf","forall","fork","forkv",
    "fpartint","frac12","frac13","frac14","frac15","frac16","frac18","frac23","frac25","frac34",
    "frac35","frac38","frac45","frac56","frac58","frac78","frasl","frown","fscr","gE",
    "gEl","gacute","gamma","gammad","gap","gbreve","gcirc","gcy","gdot","ge",
    "gel","geq","geqq","geqslant","ges","gescc","gesdot","gesdoto","gesdotol","gesl",
    "gesles","gfr","gg","ggg","gimel","gjcy","gl","glE","gla","glj",
    "gnE","gnap","gnapprox","gne","gneq","gneqq","gnsim","gopf","grave","gscr",
    "gsim","gsime","gsiml","gt","gtcc","gtcir","gtdot","gtlPar","gtquest","gtrapprox",
    "gtrarr","gtrdot","gtreqless","gtreqqless","gtrless","gtrsim","gvertneqq","gvnE","hArr","hairsp",
    "half","hamilt","hardcy","harr","harrcir","harrw","hbar","hcirc","hearts","heartsuit",
    "hellip","hercon","hfr","hksearow","hkswarow","hoarr","homtht","hookleftarrow","hookrightarrow","hopf",
    "horbar","hscr","hslash","hstrok","hybull","hyphen","iacute","ic","icirc","icy",
    "iecy","iexcl","iff","ifr","igrave","ii","iiiint","iiint","iinfin","iiota",
    "ijlig","imacr","image","imagline","imagpart","imath","imof","imped","in","incare",
    "infin","infintie","inodot","int","intcal","integers","intercal","intlarhk","intprod","iocy",
    "iogon","iopf","iota","iprod","iquest","iscr","isin","isinE","isindot","isins",
    "isinsv","isinv","it","itilde","iukcy","iuml","jcirc","jcy","jfr","jmath",
    "jopf","jscr","jsercy","jukcy","kappa","kappav","kcedil","kcy","kfr","kgreen",
    "khcy","kjcy","kopf","kscr","lAarr","lArr","lAtail","lBarr","lE","lEg",
    "lHar","lacute","laemptyv","lagran","lambda","lang","langd","langle","lap","laquo",
    "larr","larrb","larrbfs","larrfs","larrhk","larrlp","larrpl","larrsim","larrtl","lat",
    "latail","late","lates","lbarr","lbbrk","lbrace","lbrack","lbrke","lbrksld","lbrkslu",
    "lcaron","lcedil","lceil","lcub","lcy","ldca","ldquo","ldquor","ldrdhar","ldrushar",
    "ldsh","le","leftarrow","leftarrowtail","leftharpoondown","leftharpoonup","leftleftarrows","leftrightarrow","leftrightarrows","leftrightharpoons",
    "leftrightsquigarrow","leftthreetimes","leg","leq","leqq","leqslant","les","lescc","lesdot","lesdoto",
    "lesdotor","lesg","lesges","lessapprox","lessdot","lesseqgtr","lesseqqgtr","lessgtr","lesssim","lfisht",
    "lfloor","lfr","lg","lgE","lhard","lharu","lharul","lhblk","ljcy","ll",
    "llarr","llcorner","llhard","lltri","lmidot","lmoust","lmoustache","lnE","lnap","lnapprox",
    "lne","lneq","lneqq","lnsim","loang","loarr","lobrk","longleftarrow","longleftrightarrow","longmapsto",
    "longrightarrow","looparrowleft","looparrowright","lopar","lopf","loplus","lotimes","lowast","lowbar","loz",
    "lozenge","lozf","lpar","lparlt","lrarr","lrcorner","lrhar","lrhard","lrm","lrtri",
    "lsaquo","lscr","lsh","lsim","lsime","lsimg","lsqb","lsquo","lsquor","lstrok",
    "lt","ltcc","ltcir","ltdot","lthree","ltimes","ltlarr","ltquest","ltrPar","ltri",
    "ltrie","ltrif","lurdshar","luruhar","lvertneqq","lvnE","mDDot","macr","male","malt",
    "maltese","map","mapsto","mapstodown","mapstoleft","mapstoup","marker","mcomma","mcy","mdash",
    "measuredangle","mfr","mho","micro","mid","midast","midcir","middot","minus","minusb",
    "minusd","minusdu","mlcp","mldr","mnplus","models","mopf","mp","mscr","mstpos",
    "mu","multimap","mumap","nGg","nGt","nGtv","nLeftarrow","nLeftrightarrow","nLl","nLt",
    "nLtv","nRightarrow","nVDash","nVdash","nabla","nacute","nang","nap","napE","napid",
    "napos","napprox","natur","natural","naturals","nbsp","nbump","nbumpe","ncap","ncaron",
    "ncedil","ncong","ncongdot","ncup","ncy","ndash","ne","neArr","nearhk","nearr",
    "nearrow","nedot","nequiv","nesear","nesim","nexist","nexists","nfr","ngE","nge",
    "ngeq","ngeqq","ngeqslant","nges","ngsim","ngt","ngtr","nhArr","nharr","nhpar",
    "ni","nis","nisd","niv","njcy","nlArr","nlE","nlarr","nldr","nle",
    "nleftarrow","nleftrightarrow","nleq","nleqq","nleqslant","nles","nless","nlsim","nlt","nltri",
    "nltrie","nmid","nopf","not","notin","notinE","notindot","notinva","notinvb","notinvc",
    "notni","notniva","notnivb","notnivc","npar","nparallel","nparsl","npart","npolint","npr",
    "nprcue","npre","nprec","npreceq","nrArr","nrarr","nrarrc","nrarrw","nrightarrow","nrtri",
    "nrtrie","nsc","nsccue","nsce","nscr","nshortmid","nshortparallel","nsim","nsime","nsimeq",
    "nsmid","nspar","nsqsube","nsqsupe","nsub","nsubE","nsube","nsubset","nsubseteq","nsubseteqq",
    "nsucc","nsucceq","nsup","nsupE","nsupe","nsupset","nsupseteq","nsupseteqq","ntgl","ntilde",
    "ntlg","ntriangleleft","ntrianglelefteq","ntriangleright","ntrianglerighteq","nu","num","numero","numsp","nvDash",
    "nvHarr","nvap","nvdash","nvge","nvgt","nvinfin","nvlArr","nvle","nvlt","nvltrie",
    "nvrArr","nvrtrie","nvsim","nwArr","nwarhk","nwarr","nwarrow","nwnear","oS","oacute",
    "oast","ocir","ocirc","ocy","odash","odblac","odiv","odot","odsold","oelig",
    "ofcir","ofr","ogon","ograve","ogt","ohbar","ohm","oint","olarr","olcir",
    "olcross","oline","olt","omacr","omega","omicron","omid","ominus","oopf","opar",
    "operp","oplus","or","orarr","ord","order","orderof","ordf","ordm","origof",
    "oror","orslope","orv","oscr","oslash","osol","otilde","otimes","otimesas","ouml",
    "ovbar","par","para","parallel","parsim","parsl","part","pcy","percnt","period",
    "permil","perp","pertenk","pfr","phi","phiv","phmmat","phone","pi","pitchfork",
    "piv","planck","planckh","plankv","plus","plusacir","plusb","pluscir","plusdo","plusdu",
    "pluse","plusmn","plussim","plustwo","pm","pointint","popf","pound","pr","prE",
    "prap","prcue","pre","prec","precapprox","preccurlyeq","preceq","precnapprox","precneqq","precnsim",
    "precsim","prime","primes","prnE","prnap","prnsim","prod","profalar","profline","profsurf",
    "prop","propto","prsim","prurel","pscr","psi","puncsp","qfr","qint","qopf",
    "qprime","qscr","quaternions","quatint","quest","questeq","quot","rAarr","rArr","rAtail",
    "rBarr","rHar","race","racute","radic","raemptyv","rang","rangd","range","rangle",
    "raquo","rarr","rarrap","rarrb","rarrbfs","rarrc","rarrfs","rarrhk","rarrlp","rarrpl",
    "rarrsim","rarrtl","rarrw","ratail","ratio","rationals","rbarr","rbbrk","rbrace","rbrack",
    "rbrke","rbrksld","rbrkslu","rcaron","rcedil","rceil","rcub","rcy","rdca","rdldhar",
    "rdquo","rdquor","rdsh","real","realine","realpart","reals","rect","reg","rfisht",
    "rfloor","rfr","rhard","rharu","rharul","rho","rhov","rightarrow","rightarrowtail","rightharpoondown",
    "rightharpoonup","rightleftarrows","rightleftharpoons","rightrightarrows","rightsquigarrow","rightthreetimes","ring","risingdotseq","rlarr","rlhar",
    "rlm","rmoust","rmoustache","rnmid","roang","roarr","robrk","ropar","ropf","roplus",
    "rotimes","rpar","rpargt","rppolint","rrarr","rsaquo","rscr","rsh","rsqb","rsquo",
    "rsquor","rthree","rtimes","rtri","rtrie","rtrif","rtriltri","ruluhar","rx","sacute",
    "sbquo","sc","scE","scap","scaron","sccue","sce","scedil","scirc","scnE",
    "scnap","scnsim","scpolint","scsim","scy","sdot","sdotb","sdote","seArr","searhk",
    "searr","searrow","sect","semi","seswar","setminus","setmn","sext","sfr","sfrown",
    "sharp","shchcy","shcy","shortmid","shortparallel","shy","sigma","sigmaf","sigmav","sim",
    "simdot","sime","simeq","simg","simgE","siml","simlE","simne","simplus","simrarr",
    "slarr","smallsetminus","smashp","smeparsl","smid","smile","smt","smte","smtes","softcy",
    "sol","solb","solbar","sopf","spades","spadesuit","spar","sqcap","sqcaps","sqcup",
    "sqcups","sqsub","sqsube","sqsubset","sqsubseteq","sqsup","sqsupe","sqsupset","sqsupseteq","squ",
    "square","squarf","squf","srarr","sscr","ssetmn","ssmile","sstarf","star","starf",
    "straightepsilon","straightphi","strns","sub","subE","subdot","sube","subedot","submult","subnE",
    "subne","subplus","subrarr","subset","subseteq","subseteqq","subsetneq","subsetneqq","subsim","subsub",
    "subsup","succ","succapprox","succcurlyeq","succeq","succnapprox","succneqq","succnsim","succsim","sum",
    "sung","sup","sup1","sup2","sup3","supE","supdot","supdsub","supe","supedot",
    "suphsol","suphsub","suplarr","supmult","supnE","supne","supplus","supset","supseteq","supseteqq",
    "supsetneq","supsetneqq","supsim","supsub","supsup","swArr","swarhk","swarr","swarrow","swnwar",
    "szlig","target","tau","tbrk","tcaron","tcedil","tcy","tdot","telrec","tfr",
    "there4","therefore","theta","thetasym","thetav","thickapprox","thicksim","thinsp","thkap","thksim",
    "thorn","tilde","times","timesb","timesbar","timesd","tint","toea","top","topbot",
    "topcir","topf","topfork","tosa","tprime","trade","triangle","triangledown","triangleleft","trianglelefteq",
    "triangleq","triangleright","trianglerighteq","tridot","trie","triminus","triplus","trisb","tritime","trpezium",
    "tscr","tscy","tshcy","tstrok","twixt","twoheadleftarrow","twoheadrightarrow","uArr","uHar","uacute",
    "uarr","ubrcy","ubreve","ucirc","ucy","udarr","udblac","udhar","ufisht","ufr",
    "ugrave","uharl","uharr","uhblk","ulcorn","ulcorner","ulcrop","ultri","umacr","uml",
    "uogon","uopf","uparrow","updownarrow","upharpoonleft","upharpoonright","uplus","upsi","upsih","upsilon",
    "upuparrows","urcorn","urcorner","urcrop","uring","urtri","uscr","utdot","utilde","utri",
    "utrif","uuarr","uuml","uwangle","vArr","vBar","vBarv","vDash","vangrt","varepsilon",
    "varkappa","varnothing","varphi","varpi","varpropto","varr","varrho","varsigma","varsubsetneq","varsubsetneqq",
    "varsupsetneq","varsupsetneqq","vartheta","vartriangleleft","vartriangleright","vcy","vdash","vee","veebar","veeeq",
    "vellip","verbar","vert","vfr","vltri","vnsub","vnsup","vopf","vprop","vrtri",
    "vscr","vsubnE","vsubne","vsupnE","vsupne","vzigzag","wcirc","wedbar","wedge","wedgeq",
    "weierp","wfr","wopf","wp","wr","wreath","wscr","xcap","xcirc","xcup",
    "xdtri","xfr","xhArr","xharr","xi","xlArr","xlarr","xmap","xnis","xodot",
    "xopf","xoplus","xotime","xrArr","xrarr","xscr","xsqcup","xuplus","xutri","xvee",
    "xwedge","yacute","yacy","ycirc","ycy","yen","yfr","yicy","yopf","yscr",
    "yucy","yuml","zacute","zcaron","zcy","zdot","zeetrf","zeta","zfr","zhcy",
    "zigrarr","zopf","zscr","zwj","zwnj",
};
/* Value of each name: first code point | 1<<21 if "name;" is valid | 1<<22 if
   "name" (no semicolon) is valid. */
static const uint32_t sclip__ent_value[2125] = {
    0x6000C6,0x600026,0x6000C1,0x200102,0x6000C2,0x200410,0x21D504,0x6000C0,0x200391,0x200100,
    0x202A53,0x200104,0x21D538,0x202061,0x6000C5,0x21D49C,0x202254,0x6000C3,0x6000C4,0x202216,
    0x202AE7,0x202306,0x200411,0x202235,0x20212C,0x200392,0x21D505,0x21D539,0x2002D8,0x20212C,
    0x20224E,0x200427,0x6000A9,0x200106,0x2022D2,0x202145,0x20212D,0x20010C,0x6000C7,0x200108,
    0x202230,0x20010A,0x2000B8,0x2000B7,0x20212D,0x2003A7,0x202299,0x202296,0x202295,0x202297,
    0x202232,0x20201D,0x202019,0x202237,0x202A74,0x202261,0x20222F,0x20222E,0x202102,0x202210,
    0x202233,0x202A2F,0x21D49E,0x2022D3,0x20224D,0x202145,0x202911,0x200402,0x200405,0x20040F,
    0x202021,0x2021A1,0x202AE4,0x20010E,0x200414,0x202207,0x200394,0x21D507,0x2000B4,0x2002D9,
    0x2002DD,0x200060,0x2002DC,0x2022C4,0x202146,0x21D53B,0x2000A8,0x2020DC,0x202250,0x20222F,
    0x2000A8,0x2021D3,0x2021D0,0x2021D4,0x202AE4,0x2027F8,0x2027FA,0x2027F9,0x2021D2,0x2022A8,
    0x2021D1,0x2021D5,0x202225,0x202193,0x202913,0x2021F5,0x200311,0x202950,0x20295E,0x2021BD,
    0x202956,0x20295F,0x2021C1,0x202957,0x2022A4,0x2021A7,0x2021D3,0x21D49F,0x200110,0x20014A,
    0x6000D0,0x6000C9,0x20011A,0x6000CA,0x20042D,0x200116,0x21D508,0x6000C8,0x202208,0x200112,
    0x2025FB,0x2025AB,0x200118,0x21D53C,0x200395,0x202A75,0x202242,0x2021CC,0x202130,0x202A73,
    0x200397,0x6000CB,0x202203,0x202147,0x200424,0x21D509,0x2025FC,0x2025AA,0x21D53D,0x202200,
    0x202131,0x202131,0x200403,0x60003E,0x200393,0x2003DC,0x20011E,0x200122,0x20011C,0x200413,
    0x200120,0x21D50A,0x2022D9,0x21D53E,0x202265,0x2022DB,0x202267,0x202AA2,0x202277,0x202A7E,
    0x202273,0x21D4A2,0x20226B,0x20042A,0x2002C7,0x20005E,0x200124,0x20210C,0x20210B,0x20210D,
    0x202500,0x20210B,0x200126,0x20224E,0x20224F,0x200415,0x200132,0x200401,0x6000CD,0x6000CE,
    0x200418,0x200130,0x202111,0x6000CC,0x202111,0x20012A,0x202148,0x2021D2,0x20222C,0x20222B,
    0x2022C2,0x202063,0x202062,0x20012E,0x21D540,0x200399,0x202110,0x200128,0x200406,0x6000CF,
    0x200134,0x200419,0x21D50D,0x21D541,0x21D4A5,0x200408,0x200404,0x200425,0x20040C,0x20039A,
    0x200136,0x20041A,0x21D50E,0x21D542,0x21D4A6,0x200409,0x60003C,0x200139,0x20039B,0x2027EA,
    0x202112,0x20219E,0x20013D,0x20013B,0x20041B,0x2027E8,0x202190,0x2021E4,0x2021C6,0x202308,
    0x2027E6,0x202961,0x2021C3,0x202959,0x20230A,0x202194,0x20294E,0x2022A3,0x2021A4,0x20295A,
    0x2022B2,0x2029CF,0x2022B4,0x202951,0x202960,0x2021BF,0x202958,0x2021BC,0x202952,0x2021D0,
    0x2021D4,0x2022DA,0x202266,0x202276,0x202AA1,0x202A7D,0x202272,0x21D50F,0x2022D8,0x2021DA,
    0x20013F,0x2027F5,0x2027F7,0x2027F6,0x2027F8,0x2027FA,0x2027F9,0x21D543,0x202199,0x202198,
    0x202112,0x2021B0,0x200141,0x20226A,0x202905,0x20041C,0x20205F,0x202133,0x21D510,0x202213,
    0x21D544,0x202133,0x20039C,0x20040A,0x200143,0x200147,0x200145,0x20041D,0x20200B,0x20200B,
    0x20200B,0x20200B,0x20226B,0x20226A,0x20000A,0x21D511,0x202060,0x2000A0,0x202115,0x202AEC,
    0x202262,0x20226D,0x202226,0x202209,0x202260,0x202242,0x202204,0x20226F,0x202271,0x202267,
    0x20226B,0x202279,0x202A7E,0x202275,0x20224E,0x20224F,0x2022EA,0x2029CF,0x2022EC,0x20226E,
    0x202270,0x202278,0x20226A,0x202A7D,0x202274,0x202AA2,0x202AA1,0x202280,0x202AAF,0x2022E0,
    0x20220C,0x2022EB,0x2029D0,0x2022ED,0x20228F,0x2022E2,0x202290,0x2022E3,0x202282,0x202288,
    0x202281,0x202AB0,0x2022E1,0x20227F,0x202283,0x202289,0x202241,0x202244,0x202247,0x202249,
    0x202224,0x21D4A9,0x6000D1,0x20039D,0x200152,0x6000D3,0x6000D4,0x20041E,0x200150,0x21D512,
    0x6000D2,0x20014C,0x2003A9,0x20039F,0x21D546,0x20201C,0x202018,0x202A54,0x21D4AA,0x6000D8,
    0x6000D5,0x202A37,0x6000D6,0x20203E,0x2023DE,0x2023B4,0x2023DC,0x202202,0x20041F,0x21D513,
    0x2003A6,0x2003A0,0x2000B1,0x20210C,0x202119,0x202ABB,0x20227A,0x202AAF,0x20227C,0x20227E,
    0x202033,0x20220F,0x202237,0x20221D,0x21D4AB,0x2003A8,0x600022,0x21D514,0x20211A,0x21D4AC,
    0x202910,0x6000AE,0x200154,0x2027EB,0x2021A0,0x202916,0x200158,0x200156,0x200420,0x20211C,
    0x20220B,0x2021CB,0x20296F,0x20211C,0x2003A1,0x2027E9,0x202192,0x2021E5,0x2021C4,0x202309,
    0x2027E7,0x20295D,0x2021C2,0x202955,0x20230B,0x2022A2,0x2021A6,0x20295B,0x2022B3,0x2029D0,
    0x2022B5,0x20294F,0x20295C,0x2021BE,0x202954,0x2021C0,0x202953,0x2021D2,0x20211D,0x202970,
    0x2021DB,0x20211B,0x2021B1,0x2029F4,0x200429,0x200428,0x20042C,0x20015A,0x202ABC,0x200160,
    0x20015E,0x20015C,0x200421,0x21D516,0x202193,0x202190,0x202192,0x202191,0x2003A3,0x202218,
    0x21D54A,0x20221A,0x2025A1,0x202293,0x20228F,0x202291,0x202290,0x202292,0x202294,0x21D4AE,
    0x2022C6,0x2022D0,0x2022D0,0x202286,0x20227B,0x202AB0,0x20227D,0x20227F,0x20220B,0x202211,
    0x2022D1,0x202283,0x202287,0x2022D1,0x6000DE,0x202122,0x20040B,0x200426,0x200009,0x2003A4,
    0x200164,0x200162,0x200422,0x21D517,0x202234,0x200398,0x20205F,0x202009,0x20223C,0x202243,
    0x202245,0x202248,0x21D54B,0x2020DB,0x21D4AF,0x200166,0x6000DA,0x20219F,0x202949,0x20040E,
    0x20016C,0x6000DB,0x200423,0x200170,0x21D518,0x6000D9,0x20016A,0x20005F,0x2023DF,0x2023B5,
    0x2023DD,0x2022C3,0x20228E,0x200172,0x21D54C,0x202191,0x202912,0x2021C5,0x202195,0x20296E,
    0x2022A5,0x2021A5,0x2021D1,0x2021D5,0x202196,0x202197,0x2003D2,0x2003A5,0x20016E,0x21D4B0,
    0x200168,0x6000DC,0x2022AB,0x202AEB,0x200412,0x2022A9,0x202AE6,0x2022C1,0x202016,0x202016,
    0x202223,0x20007C,0x202758,0x202240,0x20200A,0x21D519,0x21D54D,0x21D4B1,0x2022AA,0x200174,
    0x2022C0,0x21D51A,0x21D54E,0x21D4B2,0x21D51B,0x20039E,0x21D54F,0x21D4B3,0x20042F,0x200407,
    0x20042E,0x6000DD,0x200176,0x20042B,0x21D51C,0x21D550,0x21D4B4,0x200178,0x200416,0x200179,
    0x20017D,0x200417,0x20017B,0x20200B,0x200396,0x202128,0x202124,0x21D4B5,0x6000E1,0x200103,
    0x20223E,0x20223E,0x20223F,0x6000E2,0x6000B4,0x200430,0x6000E6,0x202061,0x21D51E,0x6000E0,
    0x202135,0x202135,0x2003B1,0x200101,0x202A3F,0x600026,0x202227,0x202A55,0x202A5C,0x202A58,
    0x202A5A,0x202220,0x2029A4,0x202220,0x202221,0x2029A8,0x2029A9,0x2029AA,0x2029AB,0x2029AC,
    0x2029AD,0x2029AE,0x2029AF,0x20221F,0x2022BE,0x20299D,0x202222,0x2000C5,0x20237C,0x200105,
    0x21D552,0x202248,0x202A70,0x202A6F,0x20224A,0x20224B,0x200027,0x202248,0x20224A,0x6000E5,
    0x21D4B6,0x20002A,0x202248,0x20224D,0x6000E3,0x6000E4,0x202233,0x202A11,0x202AED,0x20224C,
    0x2003F6,0x202035,0x20223D,0x2022CD,0x2022BD,0x202305,0x202305,0x2023B5,0x2023B6,0x20224C,
    0x200431,0x20201E,0x202235,0x202235,0x2029B0,0x2003F6,0x20212C,0x2003B2,0x202136,0x20226C,
    0x21D51F,0x2022C2,0x2025EF,0x2022C3,0x202A00,0x202A01,0x202A02,0x202A06,0x202605,0x2025BD,
    0x2025B3,0x202A04,0x2022C1,0x2022C0,0x20290D,0x2029EB,0x2025AA,0x2025B4,0x2025BE,0x2025C2,
    0x2025B8,0x202423,0x202592,0x202591,0x202593,0x202588,0x20003D,0x202261,0x202310,0x21D553,
    0x2022A5,0x2022A5,0x2022C8,0x202557,0x202554,0x202556,0x202553,0x202550,0x202566,0x202569,
    0x202564,0x202567,0x20255D,0x20255A,0x20255C,0x202559,0x202551,0x20256C,0x202563,0x202560,
    0x20256B,0x202562,0x20255F,0x2029C9,0x202555,0x202552,0x202510,0x20250C,0x202500,0x202565,
    0x202568,0x20252C,0x202534,0x20229F,0x20229E,0x2022A0,0x20255B,0x202558,0x202518,0x202514,
    0x202502,0x20256A,0x202561,0x20255E,0x20253C,0x202524,0x20251C,0x202035,0x2002D8,0x6000A6,
    0x21D4B7,0x20204F,0x20223D,0x2022CD,0x20005C,0x2029C5,0x2027C8,0x202022,0x202022,0x20224E,
    0x202AAE,0x20224F,0x20224F,0x200107,0x202229,0x202A44,0x202A49,0x202A4B,0x202A47,0x202A40,
    0x202229,0x202041,0x2002C7,0x202A4D,0x20010D,0x6000E7,0x200109,0x202A4C,0x202A50,0x20010B,
    0x6000B8,0x2029B2,0x6000A2,0x2000B7,0x21D520,0x200447,0x202713,0x202713,0x2003C7,0x2025CB,
    0x2029C3,0x2002C6,0x202257,0x2021BA,0x2021BB,0x2000AE,0x2024C8,0x20229B,0x20229A,0x20229D,
    0x202257,0x202A10,0x202AEF,0x2029C2,0x202663,0x202663,0x20003A,0x202254,0x202254,0x20002C,
    0x200040,0x202201,0x202218,0x202201,0x202102,0x202245,0x202A6D,0x20222E,0x21D554,0x202210,
    0x6000A9,0x202117,0x2021B5,0x202717,0x21D4B8,0x202ACF,0x202AD1,0x202AD0,0x202AD2,0x2022EF,
    0x202938,0x202935,0x2022DE,0x2022DF,0x2021B6,0x20293D,0x20222A,0x202A48,0x202A46,0x202A4A,
    0x20228D,0x202A45,0x20222A,0x2021B7,0x20293C,0x2022DE,0x2022DF,0x2022CE,0x2022CF,0x6000A4,
    0x2021B6,0x2021B7,0x2022CE,0x2022CF,0x202232,0x202231,0x20232D,0x2021D3,0x202965,0x202020,
    0x202138,0x202193,0x202010,0x2022A3,0x20290F,0x2002DD,0x20010F,0x200434,0x202146,0x202021,
    0x2021CA,0x202A77,0x6000B0,0x2003B4,0x2029B1,0x20297F,0x21D521,0x2021C3,0x2021C2,0x2022C4,
    0x2022C4,0x202666,0x202666,0x2000A8,0x2003DD,0x2022F2,0x2000F7,0x6000F7,0x2022C7,0x2022C7,
    0x200452,0x20231E,0x20230D,0x200024,0x21D555,0x2002D9,0x202250,0x202251,0x202238,0x202214,
    0x2022A1,0x202306,0x202193,0x2021CA,0x2021C3,0x2021C2,0x202910,0x20231F,0x20230C,0x21D4B9,
    0x200455,0x2029F6,0x200111,0x2022F1,0x2025BF,0x2025BE,0x2021F5,0x20296F,0x2029A6,0x20045F,
    0x2027FF,0x202A77,0x202251,0x6000E9,0x202A6E,0x20011B,0x202256,0x6000EA,0x202255,0x20044D,
    0x200117,0x202147,0x202252,0x21D522,0x202A9A,0x6000E8,0x202A96,0x202A98,0x202A99,0x2023E7,
    0x202113,0x202A95,0x202A97,0x200113,0x202205,0x202205,0x202205,0x202003,0x202004,0x202005,
    0x20014B,0x202002,0x200119,0x21D556,0x2022D5,0x2029E3,0x202A71,0x2003B5,0x2003B5,0x2003F5,
    0x202256,0x202255,0x202242,0x202A96,0x202A95,0x20003D,0x20225F,0x202261,0x202A78,0x2029E5,
    0x202253,0x202971,0x20212F,0x202250,0x202242,0x2003B7,0x6000F0,0x6000EB,0x2020AC,0x200021,
    0x202203,0x202130,0x202147,0x202252,0x200444,0x202640,0x20FB03,0x20FB00,0x20FB04,0x21D523,
    0x20FB01,0x200066,0x20266D,0x20FB02,0x2025B1,0x200192,0x21D557,0x202200,0x2022D4,0x202AD9,
    0x202A0D,0x6000BD,0x202153,0x6000BC,0x202155,0x202159,0x20215B,0x202154,0x202156,0x6000BE,
    0x202157,0x20215C,0x202158,0x20215A,0x20215D,0x20215E,0x202044,0x202322,0x21D4BB,0x202267,
    0x202A8C,0x2001F5,0x2003B3,0x2003DD,0x202A86,0x20011F,0x20011D,0x200433,0x200121,0x202265,
    0x2022DB,0x202265,0x202267,0x202A7E,0x202A7E,0x202AA9,0x202A80,0x202A82,0x202A84,0x2022DB,
    0x202A94,0x21D524,0x20226B,0x2022D9,0x202137,0x200453,0x202277,0x202A92,0x202AA5,0x202AA4,
    0x202269,0x202A8A,0x202A8A,0x202A88,0x202A88,0x202269,0x2022E7,0x21D558,0x200060,0x20210A,
    0x202273,0x202A8E,0x202A90,0x60003E,0x202AA7,0x202A7A,0x2022D7,0x202995,0x202A7C,0x202A86,
    0x202978,0x2022D7,0x2022DB,0x202A8C,0x202277,0x202273,0x202269,0x202269,0x2021D4,0x20200A,
    0x2000BD,0x20210B,0x20044A,0x202194,0x202948,0x2021AD,0x20210F,0x200125,0x202665,0x202665,
    0x202026,0x2022B9,0x21D525,0x202925,0x202926,0x2021FF,0x20223B,0x2021A9,0x2021AA,0x21D559,
    0x202015,0x21D4BD,0x20210F,0x200127,0x202043,0x202010,0x6000ED,0x202063,0x6000EE,0x200438,
    0x200435,0x6000A1,0x2021D4,0x21D526,0x6000EC,0x202148,0x202A0C,0x20222D,0x2029DC,0x202129,
    0x200133,0x20012B,0x202111,0x202110,0x202111,0x200131,0x2022B7,0x2001B5,0x202208,0x202105,
    0x20221E,0x2029DD,0x200131,0x20222B,0x2022BA,0x202124,0x2022BA,0x202A17,0x202A3C,0x200451,
    0x20012F,0x21D55A,0x2003B9,0x202A3C,0x6000BF,0x21D4BE,0x202208,0x2022F9,0x2022F5,0x2022F4,
    0x2022F3,0x202208,0x202062,0x200129,0x200456,0x6000EF,0x200135,0x200439,0x21D527,0x200237,
    0x21D55B,0x21D4BF,0x200458,0x200454,0x2003BA,0x2003F0,0x200137,0x20043A,0x21D528,0x200138,
    0x200445,0x20045C,0x21D55C,0x21D4C0,0x2021DA,0x2021D0,0x20291B,0x20290E,0x202266,0x202A8B,
    0x202962,0x20013A,0x2029B4,0x202112,0x2003BB,0x2027E8,0x202991,0x2027E8,0x202A85,0x6000AB,
    0x202190,0x2021E4,0x20291F,0x20291D,0x2021A9,0x2021AB,0x202939,0x202973,0x2021A2,0x202AAB,
    0x202919,0x202AAD,0x202AAD,0x20290C,0x202772,0x20007B,0x20005B,0x20298B,0x20298F,0x20298D,
    0x20013E,0x20013C,0x202308,0x20007B,0x20043B,0x202936,0x20201C,0x20201E,0x202967,0x20294B,
    0x2021B2,0x202264,0x202190,0x2021A2,0x2021BD,0x2021BC,0x2021C7,0x202194,0x2021C6,0x2021CB,
    0x2021AD,0x2022CB,0x2022DA,0x202264,0x202266,0x202A7D,0x202A7D,0x202AA8,0x202A7F,0x202A81,
    0x202A83,0x2022DA,0x202A93,0x202A85,0x2022D6,0x2022DA,0x202A8B,0x202276,0x202272,0x20297C,
    0x20230A,0x21D529,0x202276,0x202A91,0x2021BD,0x2021BC,0x20296A,0x202584,0x200459,0x20226A,
    0x2021C7,0x20231E,0x20296B,0x2025FA,0x200140,0x2023B0,0x2023B0,0x202268,0x202A89,0x202A89,
    0x202A87,0x202A87,0x202268,0x2022E6,0x2027EC,0x2021FD,0x2027E6,0x2027F5,0x2027F7,0x2027FC,
    0x2027F6,0x2021AB,0x2021AC,0x202985,0x21D55D,0x202A2D,0x202A34,0x202217,0x20005F,0x2025CA,
    0x2025CA,0x2029EB,0x200028,0x202993,0x2021C6,0x20231F,0x2021CB,0x20296D,0x20200E,0x2022BF,
    0x202039,0x21D4C1,0x2021B0,0x202272,0x202A8D,0x202A8F,0x20005B,0x202018,0x20201A,0x200142,
    0x60003C,0x202AA6,0x202A79,0x2022D6,0x2022CB,0x2022C9,0x202976,0x202A7B,0x202996,0x2025C3,
    0x2022B4,0x2025C2,0x20294A,0x202966,0x202268,0x202268,0x20223A,0x6000AF,0x202642,0x202720,
    0x202720,0x2021A6,0x2021A6,0x2021A7,0x2021A4,0x2021A5,0x2025AE,0x202A29,0x20043C,0x202014,
    0x202221,0x21D52A,0x202127,0x6000B5,0x202223,0x20002A,0x202AF0,0x6000B7,0x202212,0x20229F,
    0x202238,0x202A2A,0x202ADB,0x202026,0x202213,0x2022A7,0x21D55E,0x202213,0x21D4C2,0x20223E,
    0x2003BC,0x2022B8,0x2022B8,0x2022D9,0x20226B,0x20226B,0x2021CD,0x2021CE,0x2022D8,0x20226A,
    0x20226A,0x2021CF,0x2022AF,0x2022AE,0x202207,0x200144,0x202220,0x202249,0x202A70,0x20224B,
    0x200149,0x202249,0x20266E,0x20266E,0x202115,0x6000A0,0x20224E,0x20224F,0x202A43,0x200148,
    0x200146,0x202247,0x202A6D,0x202A42,0x20043D,0x202013,0x202260,0x2021D7,0x202924,0x202197,
    0x202197,0x202250,0x202262,0x202928,0x202242,0x202204,0x202204,0x21D52B,0x202267,0x202271,
    0x202271,0x202267,0x202A7E,0x202A7E,0x202275,0x20226F,0x20226F,0x2021CE,0x2021AE,0x202AF2,
    0x20220B,0x2022FC,0x2022FA,0x20220B,0x20045A,0x2021CD,0x202266,0x20219A,0x202025,0x202270,
    0x20219A,0x2021AE,0x202270,0x202266,0x202A7D,0x202A7D,0x20226E,0x202274,0x20226E,0x2022EA,
    0x2022EC,0x202224,0x21D55F,0x6000AC,0x202209,0x2022F9,0x2022F5,0x202209,0x2022F7,0x2022F6,
    0x20220C,0x20220C,0x2022FE,0x2022FD,0x202226,0x202226,0x202AFD,0x202202,0x202A14,0x202280,
    0x2022E0,0x202AAF,0x202280,0x202AAF,0x2021CF,0x20219B,0x202933,0x20219D,0x20219B,0x2022EB,
    0x2022ED,0x202281,0x2022E1,0x202AB0,0x21D4C3,0x202224,0x202226,0x202241,0x202244,0x202244,
    0x202224,0x202226,0x2022E2,0x2022E3,0x202284,0x202AC5,0x202288,0x202282,0x202288,0x202AC5,
    0x202281,0x202AB0,0x202285,0x202AC6,0x202289,0x202283,0x202289,0x202AC6,0x202279,0x6000F1,
    0x202278,0x2022EA,0x2022EC,0x2022EB,0x2022ED,0x2003BD,0x200023,0x202116,0x202007,0x2022AD,
    0x202904,0x20224D,0x2022AC,0x202265,0x20003E,0x2029DE,0x202902,0x202264,0x20003C,0x2022B4,
    0x202903,0x2022B5,0x20223C,0x2021D6,0x202923,0x202196,0x202196,0x202927,0x2024C8,0x6000F3,
    0x20229B,0x20229A,0x6000F4,0x20043E,0x20229D,0x200151,0x202A38,0x202299,0x2029BC,0x200153,
    0x2029BF,0x21D52C,0x2002DB,0x6000F2,0x2029C1,0x2029B5,0x2003A9,0x20222E,0x2021BA,0x2029BE,
    0x2029BB,0x20203E,0x2029C0,0x20014D,0x2003C9,0x2003BF,0x2029B6,0x202296,0x21D560,0x2029B7,
    0x2029B9,0x202295,0x202228,0x2021BB,0x202A5D,0x202134,0x202134,0x6000AA,0x6000BA,0x2022B6,
    0x202A56,0x202A57,0x202A5B,0x202134,0x6000F8,0x202298,0x6000F5,0x202297,0x202A36,0x6000F6,
    0x20233D,0x202225,0x6000B6,0x202225,0x202AF3,0x202AFD,0x202202,0x20043F,0x200025,0x20002E,
    0x202030,0x2022A5,0x202031,0x21D52D,0x2003C6,0x2003D5,0x202133,0x20260E,0x2003C0,0x2022D4,
    0x2003D6,0x20210F,0x20210E,0x20210F,0x20002B,0x202A23,0x20229E,0x202A22,0x202214,0x202A25,
    0x202A72,0x6000B1,0x202A26,0x202A27,0x2000B1,0x202A15,0x21D561,0x6000A3,0x20227A,0x202AB3,
    0x202AB7,0x20227C,0x202AAF,0x20227A,0x202AB7,0x20227C,0x202AAF,0x202AB9,0x202AB5,0x2022E8,
    0x20227E,0x202032,0x202119,0x202AB5,0x202AB9,0x2022E8,0x20220F,0x20232E,0x202312,0x202313,
    0x20221D,0x20221D,0x20227E,0x2022B0,0x21D4C5,0x2003C8,0x202008,0x21D52E,0x202A0C,0x21D562,
    0x202057,0x21D4C6,0x20210D,0x202A16,0x20003F,0x20225F,0x600022,0x2021DB,0x2021D2,0x20291C,
    0x20290F,0x202964,0x20223D,0x200155,0x20221A,0x2029B3,0x2027E9,0x202992,0x2029A5,0x2027E9,
    0x6000BB,0x202192,0x202975,0x2021E5,0x202920,0x202933,0x20291E,0x2021AA,0x2021AC,0x202945,
    0x202974,0x2021A3,0x20219D,0x20291A,0x202236,0x20211A,0x20290D,0x202773,0x20007D,0x20005D,
    0x20298C,0x20298E,0x202990,0x200159,0x200157,0x202309,0x20007D,0x200440,0x202937,0x202969,
    0x20201D,0x20201D,0x2021B3,0x20211C,0x20211B,0x20211C,0x20211D,0x2025AD,0x6000AE,0x20297D,
    0x20230B,0x21D52F,0x2021C1,0x2021C0,0x20296C,0x2003C1,0x2003F1,0x202192,0x2021A3,0x2021C1,
    0x2021C0,0x2021C4,0x2021CC,0x2021C9,0x20219D,0x2022CC,0x2002DA,0x202253,0x2021C4,0x2021CC,
    0x20200F,0x2023B1,0x2023B1,0x202AEE,0x2027ED,0x2021FE,0x2027E7,0x202986,0x21D563,0x202A2E,
    0x202A35,0x200029,0x202994,0x202A12,0x2021C9,0x20203A,0x21D4C7,0x2021B1,0x20005D,0x202019,
    0x202019,0x2022CC,0x2022CA,0x2025B9,0x2022B5,0x2025B8,0x2029CE,0x202968,0x20211E,0x20015B,
    0x20201A,0x20227B,0x202AB4,0x202AB8,0x200161,0x20227D,0x202AB0,0x20015F,0x20015D,0x202AB6,
    0x202ABA,0x2022E9,0x202A13,0x20227F,0x200441,0x2022C5,0x2022A1,0x202A66,0x2021D8,0x202925,
    0x202198,0x202198,0x6000A7,0x20003B,0x202929,0x202216,0x202216,0x202736,0x21D530,0x202322,
    0x20266F,0x200449,0x200448,0x202223,0x202225,0x6000AD,0x2003C3,0x2003C2,0x2003C2,0x20223C,
    0x202A6A,0x202243,0x202243,0x202A9E,0x202AA0,0x202A9D,0x202A9F,0x202246,0x202A24,0x202972,
    0x202190,0x202216,0x202A33,0x2029E4,0x202223,0x202323,0x202AAA,0x202AAC,0x202AAC,0x20044C,
    0x20002F,0x2029C4,0x20233F,0x21D564,0x202660,0x202660,0x202225,0x202293,0x202293,0x202294,
    0x202294,0x20228F,0x202291,0x20228F,0x202291,0x202290,0x202292,0x202290,0x202292,0x2025A1,
    0x2025A1,0x2025AA,0x2025AA,0x202192,0x21D4C8,0x202216,0x202323,0x2022C6,0x202606,0x202605,
    0x2003F5,0x2003D5,0x2000AF,0x202282,0x202AC5,0x202ABD,0x202286,0x202AC3,0x202AC1,0x202ACB,
    0x20228A,0x202ABF,0x202979,0x202282,0x202286,0x202AC5,0x20228A,0x202ACB,0x202AC7,0x202AD5,
    0x202AD3,0x20227B,0x202AB8,0x20227D,0x202AB0,0x202ABA,0x202AB6,0x2022E9,0x20227F,0x202211,
    0x20266A,0x202283,0x6000B9,0x6000B2,0x6000B3,0x202AC6,0x202ABE,0x202AD8,0x202287,0x202AC4,
    0x2027C9,0x202AD7,0x20297B,0x202AC2,0x202ACC,0x20228B,0x202AC0,0x202283,0x202287,0x202AC6,
    0x20228B,0x202ACC,0x202AC8,0x202AD4,0x202AD6,0x2021D9,0x202926,0x202199,0x202199,0x20292A,
    0x6000DF,0x202316,0x2003C4,0x2023B4,0x200165,0x200163,0x200442,0x2020DB,0x202315,0x21D531,
    0x202234,0x202234,0x2003B8,0x2003D1,0x2003D1,0x202248,0x20223C,0x202009,0x202248,0x20223C,
    0x6000FE,0x2002DC,0x6000D7,0x2022A0,0x202A31,0x202A30,0x20222D,0x202928,0x2022A4,0x202336,
    0x202AF1,0x21D565,0x202ADA,0x202929,0x202034,0x202122,0x2025B5,0x2025BF,0x2025C3,0x2022B4,
    0x20225C,0x2025B9,0x2022B5,0x2025EC,0x20225C,0x202A3A,0x202A39,0x2029CD,0x202A3B,0x2023E2,
    0x21D4C9,0x200446,0x20045B,0x200167,0x20226C,0x20219E,0x2021A0,0x2021D1,0x202963,0x6000FA,
    0x202191,0x20045E,0x20016D,0x6000FB,0x200443,0x2021C5,0x200171,0x20296E,0x20297E,0x21D532,
    0x6000F9,0x2021BF,0x2021BE,0x202580,0x20231C,0x20231C,0x20230F,0x2025F8,0x20016B,0x6000A8,
    0x200173,0x21D566,0x202191,0x202195,0x2021BF,0x2021BE,0x20228E,0x2003C5,0x2003D2,0x2003C5,
    0x2021C8,0x20231D,0x20231D,0x20230E,0x20016F,0x2025F9,0x21D4CA,0x2022F0,0x200169,0x2025B5,
    0x2025B4,0x2021C8,0x6000FC,0x2029A7,0x2021D5,0x202AE8,0x202AE9,0x2022A8,0x20299C,0x2003F5,
    0x2003F0,0x202205,0x2003D5,0x2003D6,0x20221D,0x202195,0x2003F1,0x2003C2,0x20228A,0x202ACB,
    0x20228B,0x202ACC,0x2003D1,0x2022B2,0x2022B3,0x200432,0x2022A2,0x202228,0x2022BB,0x20225A,
    0x2022EE,0x20007C,0x20007C,0x21D533,0x2022B2,0x202282,0x202283,0x21D567,0x20221D,0x2022B3,
    0x21D4CB,0x202ACB,0x20228A,0x202ACC,0x20228B,0x20299A,0x200175,0x202A5F,0x202227,0x202259,
    0x202118,0x21D534,0x21D568,0x202118,0x202240,0x202240,0x21D4CC,0x2022C2,0x2025EF,0x2022C3,
    0x2025BD,0x21D535,0x2027FA,0x2027F7,0x2003BE,0x2027F8,0x2027F5,0x2027FC,0x2022FB,0x202A00,
    0x21D569,0x202A01,0x202A02,0x2027F9,0x2027F6,0x21D4CD,0x202A06,0x202A04,0x2025B3,0x2022C1,
    0x2022C0,0x6000FD,0x20044F,0x200177,0x20044B,0x6000A5,0x21D536,0x200457,0x21D56A,0x21D4CE,
    0x20044E,0x6000FF,0x20017A,0x20017E,0x200437,0x20017C,0x202128,0x2003B6,0x21D537,0x200436,
    0x2021DD,0x21D56B,0x21D4CF,0x20200D,0x20200C,
};
/* Names whose value has two code points: (index, second code point). */
static const uint32_t sclip__ent_second[186] = {
    315,0x338,319,0x338,320,0x338,322,0x338,324,0x338,325,0x338,
    327,0x338,332,0x338,333,0x338,335,0x338,336,0x338,338,0x338,
    342,0x338,344,0x338,346,0x338,348,0x20D2,351,0x338,353,0x338,
    354,0x20D2,506,0x200A,601,0x333,706,0x20E5,707,0x20E5,780,0xFE00,
    852,0xFE00,1001,0x6A,1049,0xFE00,1086,0xFE00,1087,0xFE00,1212,0xFE00,
    1251,0xFE00,1334,0xFE00,1335,0xFE00,1373,0x338,1374,0x20D2,1375,0x338,
    1378,0x338,1379,0x20D2,1380,0x338,1386,0x20D2,1388,0x338,1389,0x338,
    1396,0x338,1397,0x338,1402,0x338,1411,0x338,1414,0x338,1418,0x338,
    1421,0x338,1422,0x338,1423,0x338,1436,0x338,1443,0x338,1444,0x338,
    1445,0x338,1455,0x338,1456,0x338,1466,0x20E5,1467,0x338,1471,0x338,
    1473,0x338,1476,0x338,1477,0x338,1483,0x338,1495,0x338,1497,0x20D2,
    1499,0x338,1501,0x338,1503,0x338,1505,0x20D2,1507,0x338,1521,0x20D2,
    1523,0x20D2,1524,0x20D2,1527,0x20D2,1528,0x20D2,1529,0x20D2,1531,0x20D2,
    1532,0x20D2,1672,0x331,1828,0xFE00,1838,0xFE00,1840,0xFE00,2038,0xFE00,
    2039,0xFE00,2040,0xFE00,2041,0xFE00,2055,0x20D2,2056,0x20D2,2061,0xFE00,
    2062,0xFE00,2063,0xFE00,2064,0xFE00,
};
/* END GENERATED TABLES */

#define SCLIP__TK_PAIRS(table) (sizeof(table) / sizeof(table[0]) / 2)

/* --------------------------------------------------------------------------------------------
   Unicode character classes
   -------------------------------------------------------------------------------------------- */

/* Is c inside one of the n sorted (first, last) ranges of r? Binary search. */
static int sclip__tk_in(const uint32_t *r, size_t n, uint32_t c) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c > r[2 * mid + 1])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && c >= r[2 * lo];
}

static int sclip__tk_is_letter(uint32_t c) { /* \p{L} */
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    return sclip__tk_in(sclip__uc_letter, SCLIP__TK_PAIRS(sclip__uc_letter), c);
}

static int sclip__tk_is_number(uint32_t c) { /* \p{N} */
    if (c < 0x80) return c >= '0' && c <= '9';
    return sclip__tk_in(sclip__uc_number, SCLIP__TK_PAIRS(sclip__uc_number), c);
}

static int sclip__tk_is_space_py(uint32_t c) { /* str.isspace(): what str.strip() removes */
    return sclip__tk_in(sclip__uc_space_py, SCLIP__TK_PAIRS(sclip__uc_space_py), c);
}

static int sclip__tk_is_space_re(uint32_t c) { /* the regex module's \s */
    return sclip__tk_in(sclip__uc_space_re, SCLIP__TK_PAIRS(sclip__uc_space_re), c);
}

/* Characters no alternative of CLIP's pattern matches: whitespace, and U+0345, which the
   case-insensitive [^\s\p{L}\p{N}] rejects because its upper case (U+0399) is a letter. */
static int sclip__tk_is_skipped(uint32_t c) {
    return sclip__tk_is_space_re(c) || sclip__tk_in(sclip__uc_skip, SCLIP__TK_PAIRS(sclip__uc_skip), c);
}

/* str.lower() of one code point outside the Final_Sigma context. Returns the number of
   code points written to out (1 or 2). */
static int sclip__tk_lower1(uint32_t c, uint32_t *out) {
    size_t lo = 0, hi = sizeof(sclip__uc_lower) / sizeof(sclip__uc_lower[0]), i;
    if (c < 0x80) {
        out[0] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return 1;
    }
    for (i = 0; i < sizeof(sclip__uc_lower2) / sizeof(sclip__uc_lower2[0]); i += 3) {
        if (sclip__uc_lower2[i] == c) {
            out[0] = sclip__uc_lower2[i + 1];
            out[1] = sclip__uc_lower2[i + 2];
            return 2;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c > sclip__uc_lower[mid].last)
            lo = mid + 1;
        else
            hi = mid;
    }
    out[0] = c;
    if (lo < sizeof(sclip__uc_lower) / sizeof(sclip__uc_lower[0])) {
        const sclip__tk_lower_run *r = &sclip__uc_lower[lo];
        if (c >= r->first && (c - r->first) % (uint32_t)r->stride == 0) out[0] = (uint32_t)((int32_t)c + r->delta);
    }
    return 1;
}

/* Python's lower() of U+03A3 at index i of s: final sigma (U+03C2) when a Cased character
   precedes it and none follows, Case_Ignorable characters skipped on both sides. */
static uint32_t sclip__tk_sigma(const uint32_t *s, size_t n, size_t i) {
    size_t j = i;
    uint32_t c = 0;
    int found = 0, final_sigma;
    while (j > 0) {
        c = s[--j];
        if (!sclip__tk_in(sclip__uc_case_ignorable, SCLIP__TK_PAIRS(sclip__uc_case_ignorable), c)) {
            found = 1;
            break;
        }
    }
    final_sigma = found && sclip__tk_in(sclip__uc_cased, SCLIP__TK_PAIRS(sclip__uc_cased), c);
    if (final_sigma) {
        for (j = i + 1; j < n; j++) {
            c = s[j];
            if (!sclip__tk_in(sclip__uc_case_ignorable, SCLIP__TK_PAIRS(sclip__uc_case_ignorable), c)) break;
        }
        final_sigma = j == n || !sclip__tk_in(sclip__uc_cased, SCLIP__TK_PAIRS(sclip__uc_cased), c);
    }
    return final_sigma ? 0x3C2 : 0x3C3;
}

/* --------------------------------------------------------------------------------------------
   UTF-8
   -------------------------------------------------------------------------------------------- */

/* Decodes one character of s[0..n), n >= 1, into *cp and returns its length in bytes. An
   ill-formed sequence gives U+FFFD for its maximal subpart (the longest prefix of a valid
   sequence, at least one byte), as Python's bytes.decode('utf-8', errors='replace'). */
static size_t sclip__tk_utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, j;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;  /* no overlong forms */
        if (c == 0xED) hi = 0x9F;  /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0) lo = 0x90;  /* no overlong forms */
        if (c == 0xF4) hi = 0x8F;  /* nothing above U+10FFFF */
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (j = 1; j <= need; j++) {
        if (j >= n || s[j] < lo || s[j] > hi) {
            *cp = 0xFFFD;
            return j;
        }
        v = (v << 6) | (s[j] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return j;
}

/* UTF-8 of a scalar value into out (4 bytes of room); returns the length. */
static size_t sclip__tk_utf8_put(uint32_t c, unsigned char *out) {
    if (c < 0x80) {
        out[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (unsigned char)(0xC0 | (c >> 6));
        out[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (c >> 12));
        out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (c >> 18));
    out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

static size_t sclip__tk_utf8_len(uint32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

/* --------------------------------------------------------------------------------------------
   html.unescape (Python 3.11, HTML5 rules)
   The pattern is &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?), replaced left to
   right without rescanning a replacement.
   -------------------------------------------------------------------------------------------- */

/* Index of the entity name s[0..n) in sclip__ent_names, or -1. */
static int sclip__tk_entity_find(const uint32_t *s, size_t n) {
    size_t lo = 0, hi = SCLIP__N_ENTITIES;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, k = 0;
        const char *e = sclip__ent_names[mid];
        int cmp = 0;
        for (;; k++) {
            uint32_t a = k < n ? s[k] : 0, b = (unsigned char)e[k];
            if (k == n || b == 0) {
                cmp = (k == n ? 0 : 1) - (b == 0 ? 0 : 1);
                break;
            }
            if (a != b) {
                cmp = a < b ? -1 : 1;
                break;
            }
        }
        if (cmp == 0) return (int)mid;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

#define SCLIP__TK_ENT_SEMI (1u << 21) /* "name;" is an entity */
#define SCLIP__TK_ENT_BARE (1u << 22) /* "name" is an entity */

/* Writes the value of entity idx to out; returns its length (1 or 2). */
static size_t sclip__tk_entity_value(int idx, uint32_t *out) {
    size_t i;
    out[0] = sclip__ent_value[idx] & 0x1FFFFF;
    for (i = 0; i < sizeof(sclip__ent_second) / sizeof(sclip__ent_second[0]); i += 2)
        if (sclip__ent_second[i] == (uint32_t)idx) {
            out[1] = sclip__ent_second[i + 1];
            return 2;
        }
    return 1;
}

/* Value of a numeric reference: writes 0 or 1 code point to out, returns the count.
   num is saturated at 0x110000. */
static size_t sclip__tk_charref(uint32_t num, uint32_t *out) {
    size_t i;
    for (i = 0; i < sizeof(sclip__charref_fix) / sizeof(sclip__charref_fix[0]); i += 2)
        if (sclip__charref_fix[i] == num) {
            out[0] = sclip__charref_fix[i + 1];
            return 1;
        }
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        out[0] = 0xFFFD;
        return 1;
    }
    if (sclip__tk_in(sclip__charref_drop, SCLIP__TK_PAIRS(sclip__charref_drop), num)) return 0;
    out[0] = num;
    return 1;
}

static int sclip__tk_hexval(uint32_t c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* A numeric reference at s[i] == '&', s[i+1] == '#'. Returns the number of code points it
   spans (0 when it is not one) and its value in out[0 .. *n_out). */
static size_t sclip__tk_numeric_ref(const uint32_t *s, size_t n, size_t i, uint32_t *out, size_t *n_out) {
    size_t j = i + 2;
    uint32_t num = 0;
    int base = 10;
    if (j < n && s[j] >= '0' && s[j] <= '9') {
        base = 10;
    } else if (j + 1 < n && (s[j] == 'x' || s[j] == 'X') && sclip__tk_hexval(s[j + 1]) >= 0) {
        base = 16;
        j++;
    } else {
        return 0;
    }
    for (; j < n; j++) {
        int d = base == 10 ? ((s[j] >= '0' && s[j] <= '9') ? (int)(s[j] - '0') : -1) : sclip__tk_hexval(s[j]);
        if (d < 0) break;
        num = num * (uint32_t)base + (uint32_t)d;
        if (num > 0x110000) num = 0x110000; /* anything above U+10FFFF gives U+FFFD */
    }
    if (j < n && s[j] == ';') j++;
    *n_out = sclip__tk_charref(num, out);
    return j - i;
}

/* The named part [^\t\n\f <&#;]{1,32};? at s[i+1]: its length without ';' in *k. */
static size_t sclip__tk_name_span(const uint32_t *s, size_t n, size_t i, size_t *k, int *semi) {
    size_t j = i + 1;
    while (j < n && j - (i + 1) < 32) {
        uint32_t c = s[j];
        if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') break;
        j++;
    }
    *k = j - (i + 1);
    *semi = j < n && s[j] == ';';
    return *k;
}

/* html.unescape in place (the result is never longer); returns the new length. */
static size_t sclip__tk_unescape(uint32_t *s, size_t n) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t val[2];
        size_t nv = 0, k, x, span = 0, rest = 0, j;
        int semi = 0, idx = -1;
        if (s[i] != '&') {
            s[o++] = s[i++];
            continue;
        }
        if (i + 1 < n && s[i + 1] == '#') span = sclip__tk_numeric_ref(s, n, i, val, &nv);
        if (span == 0 && sclip__tk_name_span(s, n, i, &k, &semi) > 0) {
            const uint32_t *name = s + i + 1;
            span = 1 + k + (size_t)semi;
            idx = sclip__tk_entity_find(name, k);
            if (idx >= 0 && !(sclip__ent_value[idx] & (semi ? SCLIP__TK_ENT_SEMI : SCLIP__TK_ENT_BARE))) idx = -1;
            rest = span; /* no match: the whole reference stays as it is */
            if (idx >= 0) {
                rest = 0;
            } else {
                /* the longest proper prefix of at least 2 characters that is an entity
                   without ';' (a prefix of "name;" never contains the ';') */
                for (x = semi ? k : k - 1; x >= 2; x--) {
                    idx = sclip__tk_entity_find(name, x);
                    if (idx >= 0 && (sclip__ent_value[idx] & SCLIP__TK_ENT_BARE)) break;
                    idx = -1;
                }
                if (idx >= 0) rest = span - 1 - x;
            }
            if (idx >= 0) nv = sclip__tk_entity_value(idx, val);
        }
        if (span == 0) { /* a lone '&' */
            s[o++] = s[i++];
            continue;
        }
        if (idx < 0 && nv == 0 && rest == span) { /* unknown name: copied unchanged */
            for (j = 0; j < span; j++) s[o++] = s[i + j];
            i += span;
            continue;
        }
        /* o <= i and the value is at most 2 code points for a span of at least 3: the
           writes stay behind the reads */
        for (j = 0; j < nv; j++) s[o++] = val[j];
        for (j = span - rest; j < span; j++) s[o++] = s[i + j];
        i += span;
    }
    return o;
}

/* --------------------------------------------------------------------------------------------
   Text cleaning: html.unescape twice, strip, \s+ -> ' ', strip, lower()
   -------------------------------------------------------------------------------------------- */

/* Strip and collapse whitespace in place; returns the new length. */
static size_t sclip__tk_whitespace(uint32_t *s, size_t n) {
    size_t b = 0, e = n, i, o = 0;
    int in_run = 0;
    while (b < e && sclip__tk_is_space_py(s[b])) b++;  /* basic_clean: text.strip() */
    while (e > b && sclip__tk_is_space_py(s[e - 1])) e--;
    for (i = b; i < e; i++) {                          /* re.sub(r'\s+', ' ', text) */
        if (sclip__tk_is_space_re(s[i])) {
            if (!in_run) s[o++] = ' ';
            in_run = 1;
        } else {
            s[o++] = s[i];
            in_run = 0;
        }
    }
    b = 0;                                             /* text.strip() again */
    while (b < o && sclip__tk_is_space_py(s[b])) b++;
    while (o > b && sclip__tk_is_space_py(s[o - 1])) o--;
    if (b > 0) memmove(s, s + b, (o - b) * sizeof(uint32_t));
    return o - b;
}

/* str.lower() of src[0..n) into dst (room for SCLIP__LOWER_MAX_GROWTH * n); returns the
   length. */
static size_t sclip__tk_lower(const uint32_t *src, size_t n, uint32_t *dst) {
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        uint32_t c = src[i];
        if (c < 0x80)
            dst[o++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        else if (c == 0x3A3)
            dst[o++] = sclip__tk_sigma(src, n, i);
        else
            o += (size_t)sclip__tk_lower1(c, dst + o);
    }
    return o;
}

/* --------------------------------------------------------------------------------------------
   The tokenizer: vocabulary and merge ranks
   -------------------------------------------------------------------------------------------- */

/* One slot of the merge table (open addressing): the pair (left id << 16 | right id), its
   rank in the merge list and the id of the merged symbol. */
typedef struct sclip__tk_merge {
    uint32_t key;
    int32_t rank, id;
} sclip__tk_merge;

#define SCLIP__TK_EMPTY 0xFFFFFFFFu
#define SCLIP__TK_MERGE_BITS 17 /* 131072 slots for 48894 merges */

struct sclip_tokenizer {
    sclip_allocator alloc;       /* of every block below and of the calls' work memory */
    sclip__tk_merge *merges;     /* 1 << SCLIP__TK_MERGE_BITS slots */
    uint32_t *str_off;           /* SCLIP_VOCAB_SIZE + 1 offsets into str */
    unsigned char *str;          /* each vocabulary entry as raw bytes ("</w>" kept as text) */
    unsigned char *decodable;    /* 1 when CLIP's decoder knows the id (see create) */
    int32_t byte_id[256];        /* id of each byte's symbol */
    int32_t byte_id_w[256];      /* id of the same symbol with "</w>" */
};

static uint32_t sclip__tk_hash32(uint32_t key) { return (key * 0x9E3779B1u) >> (32 - SCLIP__TK_MERGE_BITS); }

/* Rank and result of merging symbols a and b; -1 when the pair is no merge. */
static int32_t sclip__tk_rank(const sclip_tokenizer *t, int32_t a, int32_t b, int32_t *id) {
    uint32_t key = ((uint32_t)a << 16) | (uint32_t)b, mask = (1u << SCLIP__TK_MERGE_BITS) - 1;
    uint32_t h = sclip__tk_hash32(key);
    for (;; h = (h + 1) & mask) {
        const sclip__tk_merge *m = &t->merges[h];
        if (m->key == key) {
            *id = m->id;
            return m->rank;
        }
        if (m->key == SCLIP__TK_EMPTY) return -1;
    }
}

/* GPT-2's byte <-> unicode map: printable bytes ('!'..'~', 0xA1..0xAC, 0xAE..0xFF) stand for
   themselves, the 68 others for U+0100.. in byte order. order[i] is the byte of vocabulary
   id i; cp[b] the character of byte b. */
static void sclip__tk_byte_map(unsigned char order[256], uint32_t cp[256]) {
    int b, k = 0, n = 0;
    for (b = 0; b < 256; b++)
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE)) {
            order[k++] = (unsigned char)b;
            cp[b] = (uint32_t)b;
        }
    for (b = 0; b < 256; b++)
        if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE))) {
            order[k++] = (unsigned char)b;
            cp[b] = (uint32_t)(256 + n++);
        }
}

/* Build-time table from raw byte strings to vocabulary ids; a string seen twice keeps its
   last id, as Python's dict(zip(vocab, range(len(vocab)))) does. */
typedef struct sclip__tk_strtab {
    int32_t *slot; /* 1 << bits ids, -1 empty */
    uint32_t bits;
    const unsigned char *str;
    const uint32_t *off;
} sclip__tk_strtab;

static uint32_t sclip__tk_hash_bytes(const unsigned char *s, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}

/* The slot of string s (holding its id, or -1 when absent). */
static int32_t *sclip__tk_str_slot(const sclip__tk_strtab *st, const unsigned char *s, size_t n) {
    uint32_t mask = (1u << st->bits) - 1, h = sclip__tk_hash_bytes(s, n) & mask;
    for (;; h = (h + 1) & mask) {
        int32_t id = st->slot[h];
        if (id < 0) return &st->slot[h];
        if (st->off[id + 1] - st->off[id] == n && memcmp(st->str + st->off[id], s, n) == 0) return &st->slot[h];
    }
}

static int32_t sclip__tk_str_id(const sclip__tk_strtab *st, const unsigned char *s, size_t n) {
    return *sclip__tk_str_slot(st, s, n);
}

/* One line of the merge list: two symbols separated by whitespace (Python's str.split()),
   each made of the 256 byte characters. Appends the raw bytes of both to out and returns 1,
   with the length of the first in *len_a and of both in *len_ab; 0 when malformed. */
static int sclip__tk_parse_merge(const unsigned char *line, size_t n, const int16_t *cp_byte, unsigned char *out,
                                 size_t *len_a, size_t *len_ab) {
    size_t i = 0, o = 0;
    int parts = 0, in_part = 0;
    while (i < n) {
        uint32_t c;
        size_t l = sclip__tk_utf8_next(line + i, n - i, &c);
        i += l;
        if (sclip__tk_is_space_py(c)) {
            in_part = 0;
            continue;
        }
        if (c > 0x143 || cp_byte[c] < 0) return 0; /* not one of the byte characters (or not UTF-8) */
        if (!in_part) {
            if (++parts > 2) return 0;
            if (parts == 2) *len_a = o;
            in_part = 1;
        }
        out[o++] = (unsigned char)cp_byte[c];
    }
    *len_ab = o;
    return parts == 2;
}

static void *sclip__tk_malloc(const sclip_allocator *a, size_t n) {
    return a && a->alloc ? a->alloc(a->user, n) : SCLIP_MALLOC(n);
}

static void sclip__tk_free(const sclip_allocator *a, void *p) {
    if (!p) return;
    if (a && a->alloc) a->free(a->user, p);
    else SCLIP_FREE(p);
}

SCLIPDEF void sclip_tokenizer_free(sclip_tokenizer *t) {
    sclip_allocator a;
    if (!t) return;
    a = t->alloc;
    sclip__tk_free(&a, t->merges);
    sclip__tk_free(&a, t->str_off);
    sclip__tk_free(&a, t->str);
    sclip__tk_free(&a, t->decodable);
    sclip__tk_free(&a, t);
}

/* Fills t->str / t->str_off with the vocabulary, in CLIP's order: the 256 byte symbols, the
   same with "</w>", the merged strings, <|startoftext|>, <|endoftext|>. first_len[r] is the
   length of the first symbol of merge r. */
static sclip_result sclip__tk_read_vocab(sclip_tokenizer *t, const char *text, size_t len, uint32_t *first_len) {
    const unsigned char *s = (const unsigned char *)text;
    unsigned char order[256];
    uint32_t cp[256];
    int16_t cp_byte[0x144];
    size_t pos = 0, o = 0, r, i;
    int id = 0;
    sclip__tk_byte_map(order, cp);
    for (i = 0; i < 0x144; i++) cp_byte[i] = -1;
    for (i = 0; i < 256; i++) cp_byte[cp[i]] = (int16_t)i;
    for (i = 0; i < 256; i++) { /* the byte symbols, then with </w> */
        t->str_off[id++] = (uint32_t)o;
        t->str[o++] = order[i];
    }
    for (i = 0; i < 256; i++) {
        t->str_off[id++] = (uint32_t)o;
        t->str[o++] = order[i];
        memcpy(t->str + o, "</w>", 4);
        o += 4;
    }
    while (pos < len && s[pos] != '\n') pos++; /* the header line */
    for (r = 0; r < SCLIP_N_MERGES; r++) {
        size_t start = ++pos, la = 0, lab = 0;
        if (start > len) return SCLIP_ERROR_BAD_VOCAB; /* fewer lines than merges */
        while (pos < len && s[pos] != '\n') pos++;
        t->str_off[id++] = (uint32_t)o;
        if (!sclip__tk_parse_merge(s + start, pos - start, cp_byte, t->str + o, &la, &lab)) return SCLIP_ERROR_BAD_VOCAB;
        first_len[r] = (uint32_t)la;
        o += lab;
    }
    t->str_off[id++] = (uint32_t)o;
    memcpy(t->str + o, "<|startoftext|>", 15);
    o += 15;
    t->str_off[id++] = (uint32_t)o;
    memcpy(t->str + o, "<|endoftext|>", 13);
    o += 13;
    t->str_off[id] = (uint32_t)o;
    SCLIP_ASSERT(id == SCLIP_VOCAB_SIZE);
    return SCLIP_OK;
}

/* Ids of strings, the merge table and the decodable flags, from the vocabulary strings. */
static sclip_result sclip__tk_index(sclip_tokenizer *t, const uint32_t *first_len) {
    sclip__tk_strtab st;
    uint32_t mask = (1u << SCLIP__TK_MERGE_BITS) - 1;
    size_t i;
    int32_t id, r;
    st.bits = 17;
    st.str = t->str;
    st.off = t->str_off;
    st.slot = (int32_t *)sclip__tk_malloc(&t->alloc, sizeof(int32_t) << st.bits);
    if (!st.slot) return SCLIP_ERROR_OUT_OF_MEMORY;
    for (i = 0; i < ((size_t)1 << st.bits); i++) st.slot[i] = -1;
    for (id = 0; id < SCLIP_VOCAB_SIZE; id++) /* later entries win */
        *sclip__tk_str_slot(&st, t->str + t->str_off[id], t->str_off[id + 1] - t->str_off[id]) = id;
    for (id = 0; id < SCLIP_VOCAB_SIZE; id++)
        t->decodable[id] = sclip__tk_str_id(&st, t->str + t->str_off[id], t->str_off[id + 1] - t->str_off[id]) == id;
    for (i = 0; i < 256; i++) {
        unsigned char b = t->str[t->str_off[i]]; /* id i is the symbol of byte b */
        t->byte_id[b] = sclip__tk_str_id(&st, t->str + t->str_off[i], 1);
        t->byte_id_w[b] = sclip__tk_str_id(&st, t->str + t->str_off[256 + i], 5);
    }
    for (i = 0; i <= mask; i++) t->merges[i].key = SCLIP__TK_EMPTY;
    for (r = 0; r < SCLIP_N_MERGES; r++) {
        const unsigned char *m = t->str + t->str_off[512 + r];
        uint32_t lab = t->str_off[513 + r] - t->str_off[512 + r], la = first_len[r], key, h;
        int32_t a = sclip__tk_str_id(&st, m, la), b = sclip__tk_str_id(&st, m + la, lab - la);
        if (a < 0 || b < 0) continue; /* a symbol no word can hold: the merge never applies */
        key = ((uint32_t)a << 16) | (uint32_t)b;
        for (h = sclip__tk_hash32(key); t->merges[h].key != SCLIP__TK_EMPTY && t->merges[h].key != key; h = (h + 1) & mask) {
        }
        t->merges[h].key = key; /* a repeated pair keeps its last rank, as CLIP's dict */
        t->merges[h].rank = r;
        t->merges[h].id = sclip__tk_str_id(&st, m, lab);
    }
    sclip__tk_free(&t->alloc, st.slot);
    return SCLIP_OK;
}

SCLIPDEF sclip_result sclip_tokenizer_create(const char *merges, size_t len, sclip_tokenizer **out) {
    return sclip_tokenizer_create_with(merges, len, NULL, out);
}

SCLIPDEF sclip_result sclip_tokenizer_create_with(const char *merges, size_t len, const sclip_allocator *a,
                                                  sclip_tokenizer **out) {
    sclip_tokenizer *t;
    uint32_t *first_len;
    size_t pos = 0, lines = 0, str_cap;
    sclip_result r;
    if (!out) return SCLIP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (!merges && len) return SCLIP_ERROR_INVALID_ARGUMENT;
    /* the raw bytes of the merges are at most as many as the bytes of their lines */
    while (pos < len && lines <= SCLIP_N_MERGES) {
        if (merges[pos] == '\n') lines++;
        pos++;
    }
    if (pos > 0xFFFFFFFFu - 8192) return SCLIP_ERROR_BAD_VOCAB;
    str_cap = pos + 512 * 5 + 64;
    t = (sclip_tokenizer *)sclip__tk_malloc(a, sizeof(sclip_tokenizer));
    if (!t) return SCLIP_ERROR_OUT_OF_MEMORY;
    memset(t, 0, sizeof *t);
    if (a && a->alloc) t->alloc = *a;
    t->merges = (sclip__tk_merge *)sclip__tk_malloc(a, sizeof(sclip__tk_merge) << SCLIP__TK_MERGE_BITS);
    t->str_off = (uint32_t *)sclip__tk_malloc(a, sizeof(uint32_t) * (SCLIP_VOCAB_SIZE + 1));
    t->str = (unsigned char *)sclip__tk_malloc(a, str_cap);
    t->decodable = (unsigned char *)sclip__tk_malloc(a, SCLIP_VOCAB_SIZE);
    first_len = (uint32_t *)sclip__tk_malloc(a, sizeof(uint32_t) * SCLIP_N_MERGES);
    if (!t->merges || !t->str_off || !t->str || !t->decodable || !first_len) {
        r = SCLIP_ERROR_OUT_OF_MEMORY;
    } else {
        r = sclip__tk_read_vocab(t, merges, len, first_len);
        if (r == SCLIP_OK) r = sclip__tk_index(t, first_len);
    }
    sclip__tk_free(a, first_len);
    if (r != SCLIP_OK) {
        sclip_tokenizer_free(t);
        return r;
    }
    *out = t;
    return SCLIP_OK;
}

/* --------------------------------------------------------------------------------------------
   Pre-tokenizer: CLIP's pattern, matched as the regex module does with IGNORECASE
     <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
   At each position the first alternative that matches wins; a character no alternative
   matches (whitespace, U+0345) is skipped.
   -------------------------------------------------------------------------------------------- */

/* Length of the literal lit at s[0..n) compared case-insensitively, 0 when it differs. Case
   variants of the literals' letters: the ASCII pair, and U+017F (long s) for 's'
   (tools/gen_unicode_tables.py checks that no other character is one). */
static size_t sclip__tk_literal(const uint32_t *s, size_t n, const char *lit) {
    size_t k;
    for (k = 0; lit[k]; k++) {
        uint32_t x = (unsigned char)lit[k];
        if (k >= n) return 0;
        if (s[k] == x) continue;
        if (x >= 'a' && x <= 'z' && (s[k] == x - 32 || (x == 's' && s[k] == 0x17F))) continue;
        return 0;
    }
    return k;
}

/* The next pre-token at or after *pos: sets *start and returns its length (0 at the end). */
static size_t sclip__tk_pretoken(const uint32_t *s, size_t n, size_t *pos, size_t *start) {
    static const char *const contractions[7] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
    size_t i = *pos, j = 0, k;
    while (i < n) {
        uint32_t c = s[i];
        j = 0;
        if (c == '<') {
            j = sclip__tk_literal(s + i, n - i, "<|startoftext|>");
            if (!j) j = sclip__tk_literal(s + i, n - i, "<|endoftext|>");
            if (j) j += i;
        } else if (c == '\'') {
            for (k = 0; k < 7 && !j; k++) j = sclip__tk_literal(s + i, n - i, contractions[k]);
            if (j) j += i;
        }
        if (!j) {
            if (sclip__tk_is_letter(c)) {
                for (j = i + 1; j < n && sclip__tk_is_letter(s[j]);) j++;
            } else if (sclip__tk_is_number(c)) {
                j = i + 1;
            } else if (sclip__tk_is_skipped(c)) {
                i++;
                continue;
            } else {
                for (j = i + 1; j < n; j++) {
                    uint32_t d = s[j];
                    if (sclip__tk_is_letter(d) || sclip__tk_is_number(d) || sclip__tk_is_skipped(d)) break;
                }
            }
        }
        *start = i;
        *pos = j;
        return j - i;
    }
    *pos = n;
    return 0;
}

/* --------------------------------------------------------------------------------------------
   BPE (CLIP's bpe()): repeatedly take the adjacent pair of lowest rank and merge all its
   non-overlapping occurrences left to right, until no pair is a merge.
   Symbols form a linked list over byte positions; a heap holds (rank << 32 | position) of
   every pair created, stale entries are skipped. All entries of the lowest rank are taken
   out before any is merged, so that pairs created by this round wait for the next one,
   as in CLIP's loop.
   -------------------------------------------------------------------------------------------- */

typedef struct sclip__tk_work {
    size_t cap;       /* symbols the arrays hold */
    int32_t *sym;     /* id of the symbol starting at each live position */
    int32_t *nxt, *prv;
    int32_t *pr;      /* rank of the pair (position, next), -1 when none or dead */
    int32_t *mid;     /* id of that pair's merge */
    uint32_t *batch;  /* positions of one rank's pairs */
    uint64_t *heap;   /* 3 * cap entries: n - 1 pairs, at most 2 new ones per merge */
    unsigned char *bytes; /* the pre-token's UTF-8 */
    void *block;      /* allocation behind the arrays when not on the stack */
    const sclip_allocator *alloc; /* of block: the tokenizer's */
} sclip__tk_work;

#define SCLIP__TK_WORK_BYTES(n) ((n) * (5 * sizeof(int32_t) + sizeof(uint32_t) + 3 * sizeof(uint64_t) + 1))

static void sclip__tk_work_set(sclip__tk_work *w, void *mem, size_t n) {
    unsigned char *p = (unsigned char *)mem;
    w->cap = n;
    w->heap = (uint64_t *)p; p += 3 * n * sizeof(uint64_t);
    w->sym = (int32_t *)p; p += n * sizeof(int32_t);
    w->nxt = (int32_t *)p; p += n * sizeof(int32_t);
    w->prv = (int32_t *)p; p += n * sizeof(int32_t);
    w->pr = (int32_t *)p; p += n * sizeof(int32_t);
    w->mid = (int32_t *)p; p += n * sizeof(int32_t);
    w->batch = (uint32_t *)p; p += n * sizeof(uint32_t);
    w->bytes = p;
}

/* Makes room for n symbols. */
static sclip_result sclip__tk_work_reserve(sclip__tk_work *w, size_t n) {
    void *mem;
    if (n <= w->cap) return SCLIP_OK;
    if (n > 0x7FFFFFFF || n > (size_t)-1 / SCLIP__TK_WORK_BYTES(1)) return SCLIP_ERROR_TEXT_TOO_LONG;
    if (n < 2 * w->cap) n = 2 * w->cap;
    mem = sclip__tk_malloc(w->alloc, SCLIP__TK_WORK_BYTES(n));
    if (!mem) return SCLIP_ERROR_OUT_OF_MEMORY;
    sclip__tk_free(w->alloc, w->block);
    w->block = mem;
    sclip__tk_work_set(w, mem, n);
    return SCLIP_OK;
}

static void sclip__tk_heap_push(uint64_t *h, size_t *n, uint64_t v) {
    size_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static uint64_t sclip__tk_heap_pop(uint64_t *h, size_t *n) {
    uint64_t top = h[0], v = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* Recomputes the pair starting at live position p and queues it when it is a merge. */
static void sclip__tk_pair(const sclip_tokenizer *t, sclip__tk_work *w, size_t *nh, int32_t p) {
    int32_t q = w->nxt[p];
    w->pr[p] = q < 0 ? -1 : sclip__tk_rank(t, w->sym[p], w->sym[q], &w->mid[p]);
    if (w->pr[p] >= 0) sclip__tk_heap_push(w->heap, nh, ((uint64_t)w->pr[p] << 32) | (uint32_t)p);
}

static void sclip__tk_emit(int32_t id, int32_t *ids, size_t cap, size_t *count) {
    if (*count < cap) ids[*count] = id;
    (*count)++;
}

/* BPE ids of one pre-token, whose UTF-8 is w->bytes[0..n), n >= 1. */
static void sclip__tk_bpe(const sclip_tokenizer *t, sclip__tk_work *w, size_t n, int32_t *ids, size_t cap,
                          size_t *count) {
    const unsigned char *b = w->bytes;
    size_t i, nh = 0;
    int32_t p;
    /* CLIP's cache starts with the two special tokens: they are not split */
    if (n == 15 && memcmp(b, "<|startoftext|>", 15) == 0) {
        sclip__tk_emit(SCLIP_TOKEN_SOT, ids, cap, count);
        return;
    }
    if (n == 13 && memcmp(b, "<|endoftext|>", 13) == 0) {
        sclip__tk_emit(SCLIP_TOKEN_EOT, ids, cap, count);
        return;
    }
    for (i = 0; i < n; i++) {
        w->sym[i] = i + 1 < n ? t->byte_id[b[i]] : t->byte_id_w[b[i]]; /* "</w>" on the last */
        w->nxt[i] = i + 1 < n ? (int32_t)i + 1 : -1;
        w->prv[i] = (int32_t)i - 1;
    }
    for (i = 0; i < n; i++) sclip__tk_pair(t, w, &nh, (int32_t)i);
    while (nh > 0) {
        uint32_t rank = (uint32_t)(w->heap[0] >> 32);
        size_t nb = 0, k;
        while (nh > 0 && (uint32_t)(w->heap[0] >> 32) == rank)
            w->batch[nb++] = (uint32_t)sclip__tk_heap_pop(w->heap, &nh);
        for (k = 0; k < nb; k++) { /* ascending positions */
            int32_t q, l;
            p = (int32_t)w->batch[k];
            if (w->pr[p] != (int32_t)rank) continue; /* merged away or changed since queued */
            q = w->nxt[p];
            w->sym[p] = w->mid[p];
            w->nxt[p] = w->nxt[q];
            if (w->nxt[q] >= 0) w->prv[w->nxt[q]] = p;
            w->pr[q] = -1;
            l = w->prv[p];
            if (l >= 0) sclip__tk_pair(t, w, &nh, l);
            sclip__tk_pair(t, w, &nh, p);
        }
    }
    for (p = 0; p >= 0; p = w->nxt[p]) sclip__tk_emit(w->sym[p], ids, cap, count);
}

/* --------------------------------------------------------------------------------------------
   Public entry points
   -------------------------------------------------------------------------------------------- */

#define SCLIP__TK_STACK 256 /* texts up to this many bytes are cleaned without allocating */
#define SCLIP__TK_STACK_WORK 64 /* pre-tokens up to this many bytes: BPE without allocating */

/* The cleaned, lower-cased code points of text into out (room for 2 * len); returns their
   count. tmp has room for len. */
static size_t sclip__tk_clean(const unsigned char *text, size_t len, uint32_t *tmp, uint32_t *out) {
    size_t i = 0, n = 0;
    while (i < len) i += sclip__tk_utf8_next(text + i, len - i, &tmp[n++]);
    n = sclip__tk_unescape(tmp, n);
    n = sclip__tk_unescape(tmp, n);
    n = sclip__tk_whitespace(tmp, n);
    return sclip__tk_lower(tmp, n, out);
}

SCLIPDEF sclip_result sclip_tokenizer_encode(const sclip_tokenizer *t, const char *text, size_t len, int32_t *ids,
                                             size_t cap, size_t *n_ids) {
    uint32_t small[3 * SCLIP__TK_STACK];
    uint64_t small_work[(SCLIP__TK_WORK_BYTES(SCLIP__TK_STACK_WORK) + 7) / 8];
    uint32_t *buf = small, *cps;
    sclip__tk_work w;
    size_t n, pos = 0, start, tl, count = 0, i;
    sclip_result r = SCLIP_OK;
    if (n_ids) *n_ids = 0;
    if (!t || (!text && len) || (!ids && cap)) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (len > SCLIP__TK_STACK) {
        if (len > (size_t)-1 / (3 * sizeof(uint32_t))) return SCLIP_ERROR_OUT_OF_MEMORY;
        buf = (uint32_t *)sclip__tk_malloc(&t->alloc, 3 * len * sizeof(uint32_t));
        if (!buf) return SCLIP_ERROR_OUT_OF_MEMORY;
    }
    cps = buf + len; /* room for 2 * len: lower() at most doubles the length */
    n = sclip__tk_clean((const unsigned char *)text, len, buf, cps);
    memset(&w, 0, sizeof w);
    sclip__tk_work_set(&w, small_work, SCLIP__TK_STACK_WORK);
    w.alloc = &t->alloc;
    while (r == SCLIP_OK && (tl = sclip__tk_pretoken(cps, n, &pos, &start)) > 0) {
        size_t nb = 0;
        for (i = 0; i < tl; i++) nb += sclip__tk_utf8_len(cps[start + i]);
        r = sclip__tk_work_reserve(&w, nb);
        if (r != SCLIP_OK) break;
        for (i = 0, nb = 0; i < tl; i++) nb += sclip__tk_utf8_put(cps[start + i], w.bytes + nb);
        sclip__tk_bpe(t, &w, nb, ids, cap, &count);
    }
    sclip__tk_free(&t->alloc, w.block);
    if (buf != small) sclip__tk_free(&t->alloc, buf);
    if (r != SCLIP_OK) return r;
    if (n_ids) *n_ids = count;
    return count > cap ? SCLIP_ERROR_TEXT_TOO_LONG : SCLIP_OK;
}

SCLIPDEF sclip_result sclip_tokenizer_encode_context(const sclip_tokenizer *t, const char *text, size_t len,
                                                     int context_length, int truncate, int32_t *ids,
                                                     int *n_used) {
    size_t n = 0, i, L = (size_t)context_length;
    sclip_result r;
    if (n_used) *n_used = 0;
    if (!t || !ids || context_length < 1 || (!text && len)) return SCLIP_ERROR_INVALID_ARGUMENT;
    r = sclip_tokenizer_encode(t, text, len, ids + 1, L - 1, &n);
    if (r == SCLIP_OK && n + 2 <= L) { /* [SOT] ids [EOT] 0 ... */
        ids[0] = SCLIP_TOKEN_SOT;
        ids[n + 1] = SCLIP_TOKEN_EOT;
        for (i = n + 2; i < L; i++) ids[i] = 0;
        if (n_used) *n_used = (int)(n + 2);
        return SCLIP_OK;
    }
    if ((r == SCLIP_OK || r == SCLIP_ERROR_TEXT_TOO_LONG) && truncate) { /* tokens[:L], tokens[-1] = EOT */
        ids[0] = SCLIP_TOKEN_SOT;
        ids[L - 1] = SCLIP_TOKEN_EOT;
        if (n_used) *n_used = context_length;
        return SCLIP_OK;
    }
    for (i = 0; i < L; i++) ids[i] = 0;
    return r == SCLIP_OK ? SCLIP_ERROR_TEXT_TOO_LONG : r;
}

SCLIPDEF sclip_result sclip_tokenizer_decode(const sclip_tokenizer *t, const int32_t *ids, size_t n, char *out,
                                             size_t cap, size_t *out_len) {
    unsigned char small[4 * SCLIP__TK_STACK], *raw = small, enc[4];
    size_t total = 0, i, o = 0, written = 0;
    int fits = 1;
    if (out_len) *out_len = 0;
    if (!t || (!ids && n) || (!out && cap)) return SCLIP_ERROR_INVALID_ARGUMENT;
    if (cap) out[0] = 0;
    for (i = 0; i < n; i++) { /* CLIP's decoder[token]: a KeyError for unknown ids */
        if (ids[i] < 0 || ids[i] >= SCLIP_VOCAB_SIZE || !t->decodable[ids[i]]) return SCLIP_ERROR_INVALID_ARGUMENT;
        total += t->str_off[ids[i] + 1] - t->str_off[ids[i]];
    }
    if (total > sizeof small) {
        raw = (unsigned char *)sclip__tk_malloc(&t->alloc, total);
        if (!raw) return SCLIP_ERROR_OUT_OF_MEMORY;
    }
    for (i = 0, total = 0; i < n; i++) {
        uint32_t a = t->str_off[ids[i]], l = t->str_off[ids[i] + 1] - a;
        memcpy(raw + total, t->str + a, l);
        total += l;
    }
    /* bytes.decode('utf-8', errors='replace').replace('</w>', ' '): "</w>" is ASCII, which
       never belongs to an ill-formed sequence, so both steps run in one pass */
    for (i = 0; i < total;) {
        size_t l;
        uint32_t c;
        if (total - i >= 4 && memcmp(raw + i, "</w>", 4) == 0) {
            enc[0] = ' ';
            l = 1;
            i += 4;
        } else {
            i += sclip__tk_utf8_next(raw + i, total - i, &c);
            l = sclip__tk_utf8_put(c, enc);
        }
        if (fits && written + l < cap) {
            memcpy(out + written, enc, l);
            written += l;
        } else {
            fits = 0; /* cut on a character boundary */
        }
        o += l;
    }
    if (cap) out[written] = 0;
    if (raw != small) sclip__tk_free(&t->alloc, raw);
    if (out_len) *out_len = o;
    return o < cap ? SCLIP_OK : SCLIP_ERROR_TEXT_TOO_LONG;
}

#endif /* SCLIP_TOKENIZER_IMPLEMENTATION_DONE */
#endif /* SCLIP_TOKENIZER_IMPLEMENTATION */

/*
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
