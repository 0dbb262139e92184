# zdkit: the README's commands. `make demo` and `make test` do all the set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
ROOT := $(CURDIR)
TARGET_DIR ?= $(ROOT)/target
DEBUG_DIR := $(TARGET_DIR)/debug
EMULATOR := $(DEBUG_DIR)/zdkit-emulator
C_ARGS := LIB_DIR=$(DEBUG_DIR) INCLUDE_DIR=$(ROOT)/include EMULATOR=$(EMULATOR) BUILD_DIR=$(TARGET_DIR)/c

export CARGO_TARGET_DIR := $(TARGET_DIR)

.PHONY: all build test demo bench lint header-check rust-test c-test tools clean help

help:
	@echo "make demo   build everything, start the emulator, run the C example in both credential modes"
	@echo "make test   every check: format, clippy, header drift, Rust tests, C tests under valgrind"
	@echo "make bench  benchmarks (emulator throughput)"

all: build

## Build the library (libzdkit.so/.a, include/zdkit.h) and the emulator.
build:
	$(CARGO) build --workspace --all-targets

## The committed header must be what build.rs writes.
header-check: build
	@if git -C "$(ROOT)" rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git -C "$(ROOT)" diff --exit-code -- include/zdkit.h \
	    || { echo "include/zdkit.h differs from what build.rs writes: commit the regenerated header" >&2; exit 1; }; \
	  echo "header-check: include/zdkit.h matches build.rs output"; \
	fi

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test: build
	$(CARGO) test --workspace

## valgrind checks the C tests; install it when missing (root + apt only).
tools:
	@command -v valgrind >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; \
	  else echo "make test needs valgrind: install it (apt-get install valgrind)" >&2; exit 1; fi; }

c-test: build tools
	$(MAKE) -C tests/c test $(C_ARGS)

test: build header-check lint rust-test c-test
	@echo "make test: every check passed"

demo: build
	$(MAKE) -C tests/c demo $(C_ARGS)

bench:
	$(CARGO) build --release -p zdkit-emulator
	bash benches/emulator_throughput.sh $(TARGET_DIR)/release/zdkit-emulator

clean:
	$(CARGO) clean
