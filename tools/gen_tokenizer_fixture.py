#!/usr/bin/env python3
"""Write tests/tokenizer_extra.jsonl: reference ids for texts beyond the shared fixture.

This is a reference implementation of OpenAI CLIP's tokenizer (clip/simple_tokenizer.py,
MIT; the algorithm as published, written here from its description): html.unescape twice,
strip, regex \\s+ -> ' ', strip, lower(), the pre-tokenizer pattern with the `regex` module
and re.IGNORECASE, GPT-2's byte map, BPE by merge rank, clip.tokenize's context rows, and
decode. ftfy.fix_text is the identity here, as in sclip_tokenizer.h (and in the shared
fixtures).

It needs the third-party `regex` module (Debian: apt-get install python3-regex), so it is
NOT run by the tests: its output is committed. Run it with the repository root as working
directory:
    /usr/bin/python3 tools/gen_tokenizer_fixture.py [--vocab PATH.txt.gz] [-o tests/tokenizer_extra.jsonl]

Each output line is one JSON object:
    {"text": input, "ids": BPE ids}                                    encode
    {"hex": input bytes in hex (not UTF-8), "ids": BPE ids}            encode
    {"text": ..., "context": 77 ids, "truncate": 0|1} or {..., "error": "too long"}   tokenize
    {"decode": ids, "hex": bytes of the decoded text in hex}                   decode
"""
import argparse
import gzip
import html
import json
import os
import random
import sys

import regex

PATTERN = (r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"""
           r"""[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""")


def byte_map():
    """GPT-2: printable bytes keep their code point, the others get 256, 257, ... in order."""
    keep = [b for b in range(256) if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255]
    m = {b: chr(b) for b in keep}
    extra = 0
    for b in range(256):
        if b not in m:
            m[b] = chr(256 + extra)
            extra += 1
    return m


class Reference:
    def __init__(self, merge_text):
        self.enc_byte = byte_map()
        self.dec_byte = {c: b for b, c in self.enc_byte.items()}
        lines = merge_text.split("\n")[1:49152 - 256 - 2 + 1]
        merges = [tuple(line.split()) for line in lines]
        order = [self.enc_byte[b] for b in sorted(self.enc_byte, key=lambda b: (
            0 if (33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255) else 1, b))]
        vocab = order + [c + "</w>" for c in order] + ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.encoder = {s: i for i, s in enumerate(vocab)}
        self.decoder = {i: s for s, i in self.encoder.items()}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.pat = regex.compile(PATTERN, regex.IGNORECASE)
        self.special = {"<|startoftext|>", "<|endoftext|>"}

    def bpe(self, token):
        if token in self.special:
            return [token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == best[0] and word[i + 1] == best[1]:
                    out.append(best[0] + best[1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        return word

    @staticmethod
    def clean(text):
        text = html.unescape(html.unescape(text)).strip()
        text = regex.sub(r"\s+", " ", text).strip()
        return text.lower()

    def encode(self, text):
        ids = []
        for tok in self.pat.findall(self.clean(text)):
            tok = "".join(self.enc_byte[b] for b in tok.encode("utf-8"))
            ids.extend(self.encoder[s] for s in self.bpe(tok))
        return ids

    def tokenize(self, text, context=77, truncate=False):
        toks = [self.encoder["<|startoftext|>"]] + self.encode(text) + [self.encoder["<|endoftext|>"]]
        if len(toks) > context:
            if not truncate:
                return None
            toks = toks[:context]
            toks[-1] = self.encoder["<|endoftext|>"]
        return toks + [0] * (context - len(toks))

    def decode(self, ids):
        text = "".join(self.decoder[i] for i in ids)
        return bytearray(self.dec_byte[c] for c in text).decode("utf-8", errors="replace").replace("</w>", " ")


ENTITY_CASES = [
    "&amp;amp;", "&amp;lt;", "&amp;amp;amp;", "&AMP;amp;", "&amp;#65;", "&#38;amp;", "&#38;#38;",
    "&#x26;lt;", "&notit;", "&notin;", "&not", "&notx", "&ampfoo;", "&AMP", "&AMP;", "&amp",
    "&lt", "&LT", "&Lt", "&ltx", "&lt;&gt;&lt;", "&;", "&amp;;", "&", "& amp;", "&&amp;",
    "&#0;", "&#13;", "&#128;", "&#x80;", "&#129;", "&#x9f;", "&#127;", "&#1;", "&#11;", "&#12;",
    "&#xD800;", "&#55296;", "&#1114111;", "&#1114112;", "&#x110000;", "&#99999999999999999999999;",
    "&#4294967361;", "&#x100000041;", "&#xFFFE;", "&#xFDD0;", "&#x10FFFF;", "&#65", "&#x41", "&#x;", "&#;", "&#", "&#x", "&#X41;",
    "&#xaB;", "&#x0041;", "&#0065;", "&#x1F600;", "&#128512;", "&#9;x&#10;y", "a&#32;&#32;b",
    "&#x85;", "&#133;", "&#x2028;a", "&#x1c;", "&#x1C;&#x1d;b", "&nbsp;a&nbsp;", "x&nbsp;&nbsp;y",
    "&copy2024", "&copy;2024", "&pound100", "&euro;5", "&hellip;", "&mdash;", "&quot", "&Aacute",
    "&aacute;", "&szlig;", "&Sigma;&sigma;", "&SIGMA;", "&NotEqualTilde;", "&nGt;", "&nvlt;",
    "&CounterClockwiseContourIntegral;", "&CounterClockwiseContourIntegralx",
    "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "&ampaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
    "&amé;", "&am\rp;", "&ampé", "&amp\r;", "&amp\t;", "&\u00e9;", "&fjlig;", "&ThickSpace;x",
    "&Tab;&NewLine;a", "&bne;", "&b.;", "&gt=", "&lt<", "&lt&gt", "a&amp;b&amp;c", "&#x3c;|startoftext|&gt;",
    "&lt;|endoftext|&gt;", "&#39;s &#39;ll", "it&apos;s", "&OElig;uvre", "&#x130;stanbul", "&#931;&#x3a3;",
]

UNICODE_CASES = [
    "İstanbul", "İ", "İİ", "ΟΔΟΣ", "ΟΔΟΣ.", "Σ", "aΣ", "aΣb", "aΣ'", "a'Σ", "ΑΣ\u0308", "Σa",
    "ὈΔΥΣΣΕΎΣ", "ΣΑΣ ΣΑΣ", "ΑΣ\u0345", "Α\u0345Σ", "a\u0345b", "\u0345", "!\u0345!", "a.Σ", "1Σ",
    "AΣ\u00ad", "AΣ\u00adb", "ʰΣ", "aʰΣ", "it'ſ", "It'S", "'ſtart", "<|ſtartoftext|>", "<|ENDOFTEXT|>",
    "<|startoftext|", "x<|endoftext|>y", "!<|endoftext|>", "'ll've'd'm're", "''s", "'", "'x", "don’t",
    "ǅ", "ǈ", "Ǳ", "ﬃ", "Ａｂｃ", "①②③", "½", "Ⅻ", "ⅻ", "٣", "߀", "𝟘𝟙", "𝔸𝔹", "ꓐ", "ß", "ẞ",
    "\u212a", "\u212b", "\u2126", "ΐ", "ﬀ", "Ა", "Ꭰ", "ᏸ", "𐐀", "𞤀", "ǰ", "ŉ", "ΰ", "e\u0301",
    "a\u0301\u0302b", "👨\u200d👩\u200d👧", "🇫🇷", "a\u200bb", "\ufeffbom", "soft\u00adhyphen",
    "tab\tsep", "nbsp\u00a0sep", "\u3000ideographic\u3000", "\u2028ls\u2029", "\u0085nel", "\x1cfs\x1db",
    "\x1c", "a\x1c", " \x1f ", "a\u180eb", "a\u200ab", "a\u202fb", "\x0b\x0cx", "\r", "a\rb", "a\r\n",
    "\x00", "a\x00b", "  \t\n  ", "", " ", "a  \u3000  b", "Ｉ", "ɐ", "Ɐ", "ⱥ", "Ⱥ", "ȿ", "Ɑ",
    "ﾊﾝｶｸ", "ᄀ\u1161", "가각", "ⓐⒶ", "🅰", "\U0001F3FB", "x\U000E0001y", "\U0010FFFF", "\uFFFD",
    "Ǆ", "ǆ", "ǲ", "ΆΈΉ", "ΪΫ", "ϴ", "ϹϽ", "Ѐ", "Ӏ", "Ꙁ", "ᲀ", "ꭰ", "ᾈ", "ᾼ", "ῼ", "Ω",
    "mañana MAÑANA", "ÀÉÎÕÜ", "Ÿ", "ÿ", "Ÿÿ", "µ", "ª º", "¹²³", "¼ ¾", "٠١٢", "໐໑", "〇", "〡",
    "a1b2c3", "3.14", "1,000", "१२३", "x²", "H₂O", "™", "℃", "№5", "$100", "50%", "a-b_c",
    "hello...world!!!", "«quoted»", "„quoted“", "…", "—", "·", "•", "∑∏", "√2", "∞", "≠≤≥",
]


def invalid_utf8_cases(rng):
    fixed = ["ff", "c0 80", "c2", "e0 80 80", "e0 a0", "ed a0 80", "ed 9f bf", "f0 90 80",
             "f4 90 80 80", "f5", "80 80", "61 ff 62", "e2 82", "e2 82 ac", "f0 9f 98", "f0 9f 98 80",
             "ef bf bd", "c3 28", "ed a0 bd ed b8 80", "e0 81 81", "fe ff", "c1 bf", "f8 88 80 80 80",
             "61 e2 82 62", "26 23 78 34 31 3b ff", "26 61 6d 70 c3 3b", "ce a3 ff", "c4 b0 80"]
    out = [bytes.fromhex(h) for h in fixed]
    alphabet = [b"a", b"A", b" ", b"&", b";", b"#", b"'", b"s", b"\x80", b"\xbf", b"\xc3", b"\xa9",
                b"\xe2", b"\x82", b"\xac", b"\xf0", b"\x9f", b"\xed", b"\xa0", b"\xff", b"\xce", b"\xa3",
                b"1", b".", b"<", b"|", b"\n", b"\r", b"\t", b"\x00"]
    for _ in range(100):
        n = rng.randint(1, 30)
        out.append(b"".join(rng.choice(alphabet) for _ in range(n)))
    for _ in range(30):
        out.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 24))))
    return out


def random_text_cases(rng):
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " \t\u00a0\u3000\x1c\u0085",
        "&;#xX<|>'!?.,-_/\\\"()[]", "àéîõüñçßÀÉÎÕÜÑÇ", "αβγδεσςΣΑΒΓΔΕΩ\u0345", "абвгдежзАБВГДЕЖЗ",
        "東京北京上海漢字", "가나다라한국어", "\u0301\u0308\u0327\u20d2\u00ad\u200d", "ſİıK\u212aǅǈ",
        "😀🐱👍🏽🇫🇷", "①½Ⅻ٣۴", "ﬃﬀＡｂ", "ampltgtquotnbspcopysigmaSigma",
    ]
    out = []
    for _ in range(250):
        n = rng.randint(1, 40)
        s = []
        for _ in range(n):
            s.append(rng.choice(rng.choice(pools)))
        if rng.random() < 0.3:
            s.insert(rng.randrange(len(s) + 1), rng.choice(["&amp;", "&lt", "&#x41;", "&#931;", "&Sigma;",
                                                             "&not", "&#", "&nbsp;", "<|endoftext|>", "'s"]))
        out.append("".join(s))
    return out


def long_cases():
    word = "pneumonoultramicroscopicsilicovolcanoconiosis"
    return [
        "a" * 1000, "ab" * 700, "1" * 300, "!" * 500, "&amp;" * 200, (word + " ") * 30, word * 40,
        "é" * 400, "東" * 300, "Σ" * 100 + "a", "aΣ" * 100, "İ" * 200, " " * 500 + "x" + "\t" * 500,
        "&" + "a" * 40 + ";", ("a photo of a " * 40).strip(),
    ]


def context_cases(ref):
    texts = ["", "a photo of a cat.", " ".join(["cat"] * 75), " ".join(["cat"] * 76),
             " ".join(["cat"] * 74), " ".join(["dog"] * 200), "x" * 1000, "a," * 100,
             "<|endoftext|>" * 80, " ".join(["a photo of"] * 30)]
    out = []
    for t in texts:
        for trunc in (0, 1):
            row = ref.tokenize(t, truncate=bool(trunc))
            rec = {"text": t, "truncate": trunc}
            if row is None:
                rec["error"] = "too long"
            else:
                rec["context"] = row
            out.append(rec)
    return out


def decode_cases(ref, rng):
    seqs = [[49406, 320, 1125, 539, 320, 2368, 269, 49407], [], [256], [40, 43, 61, 30], [131],
            [131, 255], [188, 129, 94], [320, 49407, 320], [27, 14, 86, 29], [27, 14, 86, 29, 320]]
    # byte symbols of a multi-byte character, cut and reordered
    b = ref.enc_byte
    e = ref.encoder
    euro = "€".encode("utf-8")
    seqs.append([e[b[x]] for x in euro])
    seqs.append([e[b[x]] for x in euro[:2]])
    seqs.append([e[b[x]] for x in euro[:2]] + [e["a</w>"]])
    seqs.append([e[b[euro[1]]], e[b[euro[0]]], e[b[euro[2]]]])
    for _ in range(60):
        seqs.append([rng.randrange(49408) for _ in range(rng.randint(1, 20))])
    for _ in range(20):
        seqs.append([rng.randrange(512) for _ in range(rng.randint(1, 12))])
    return [{"decode": s, "hex": ref.decode(s).encode("utf-8").hex()} for s in seqs]


def main():
    ap = argparse.ArgumentParser()
    shared = os.environ.get("SCLIP_SHARED", "../shared")
    ap.add_argument("--vocab", default=os.path.join(shared, "data", "bpe_simple_vocab_16e6.txt.gz"))
    ap.add_argument("-o", "--output", default="tests/tokenizer_extra.jsonl")
    args = ap.parse_args()
    ref = Reference(gzip.open(args.vocab).read().decode("utf-8"))
    fixture = os.path.join(shared, "fixtures", "tokens.jsonl")
    if os.path.exists(fixture):  # the reference must agree with the official tokenizer's output
        with open(fixture, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        bad = [r["text"] for r in rows if ref.encode(r["text"]) != r["ids"]]
        if bad:
            raise SystemExit("reference disagrees with %s on %d texts, e.g. %r" % (fixture, len(bad), bad[0]))
        print("reference agrees with %s (%d texts)" % (fixture, len(rows)), file=sys.stderr)
    rng = random.Random(20240531)
    records = []
    texts = [t.encode("utf-8") for t in ENTITY_CASES + UNICODE_CASES]
    texts += invalid_utf8_cases(rng)
    texts += [t.encode("utf-8") for t in random_text_cases(rng) + long_cases()]
    for raw in texts:
        text = raw.decode("utf-8", errors="replace")
        try:
            raw.decode("utf-8")
            rec = {"text": text}
        except UnicodeDecodeError:
            rec = {"hex": raw.hex()}
        rec["ids"] = ref.encode(text)
        records.append(rec)
    records += context_cases(ref)
    records += decode_cases(ref, rng)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
    print("wrote %d records to %s (regex %s)" % (len(records), args.output, regex.__version__), file=sys.stderr)


if __name__ == "__main__":
    main()
