# sclip - build everything into build/, `make test` runs every test.
#   make            examples (build/sclip-*) and test programs
#   make test       build and run every test; ends with "N passed, M failed"
#   make demo       segment the demo images (needs ViT-B/16 weights, see weights/README.md)
#   make bench      speed figures against PyTorch and ONNX Runtime
#   make bench-eval what sclip-eval adds to the segmentation, full VOC21 val extrapolated
#   make figures    the pictures of docs/ALGORITHM.md into docs/figures/
# Variables: CC, CFLAGS, ARCH (default -march=native), SCLIP_SHARED (default ../shared).

CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
ARCH    ?= -march=native
WARN    := -std=c99 -Wall -Wextra -Wpedantic -Werror
LDLIBS  := -lm -lpthread
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SCLIP_SHARED ?= ../shared
export SCLIP_SHARED

HEADERS  := sclip.h sclip_tokenizer.h $(wildcard examples/*.h)
EXAMPLES := $(patsubst examples/%.c,build/sclip-%,$(wildcard examples/*.c))
TESTS    := $(patsubst tests/%.c,build/%,$(wildcard tests/test_*.c))
FUZZERS  := $(patsubst tests/%.c,build/%,$(wildcard tests/fuzz_*.c))

.PHONY: all test demo bench bench-eval figures clean
all: $(EXAMPLES) $(TESTS) $(FUZZERS) build/sclip.o

build:
	@mkdir -p build

build/sclip.o: sclip.c $(HEADERS) | build
	$(CC) $(WARN) $(CFLAGS) $(ARCH) -c $< -o $@

build/sclip-%: examples/%.c $(HEADERS) | build
	$(CC) $(WARN) $(CFLAGS) $(ARCH) -I. -Iexamples $< -o $@ $(LDLIBS)

build/test_%: tests/test_%.c $(HEADERS) tests/test_common.h | build
	$(CC) $(WARN) $(CFLAGS) $(ARCH) -I. -Iexamples -Itests $< -o $@ $(LDLIBS)

# Fuzz-style tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
build/fuzz_%: tests/fuzz_%.c $(HEADERS) tests/test_common.h | build
	$(CC) $(WARN) -O1 -g $(SAN) -I. -Iexamples -Itests $< -o $@ $(LDLIBS)

test: all
	@bash tests/run.sh

# The weights first (found, downloaded, or a message saying how to get them), then only the
# program the demo runs.
demo:
	@bash tools/demo.sh --check
	@$(MAKE) --no-print-directory build/sclip-seg
	@bash tools/demo.sh

bench: all
	@bash tools/bench.sh

bench-eval: all
	@bash tools/bench_eval.sh

figures: all
	@bash tools/figures.sh

clean:
	rm -rf build
