#!/usr/bin/env bash
# The installation test (`make install-test`, part of `make test`):
#   1. cargo's libzdkit.so has the SONAME build.rs gives it and exports exactly the
#      functions listed in packaging/zdkit.symbols (an export added or lost fails:
#      update the list, and think about the ABI, docs/ABI.md);
#   2. `make install` into a temporary DESTDIR: the installed libzdkit.so.X.Y.Z exports
#      that list under the version node ZDKIT_<abi>, the symlinks are right, and
#      libzdkit.a has no global symbol but zdk_*;
#   3. examples/c/whoami.c built with `pkg-config --cflags --libs zdkit`, and again with
#      `pkg-config --static`; the examples built by CMake (find_package(zdkit CONFIG));
#      each run by examples/demo.sh against the emulator in both credential modes
#      (and with a wrong token, which must fail), with no rpath: LD_LIBRARY_PATH only;
#   4. a program linking libzdkit.a and the system libcurl gets the system's
#      curl_version() and still reaches the emulator through zdkit;
#   5. `make uninstall` leaves the DESTDIR empty.
# Environment (from the root Makefile): MAKE, ROOT, LIB_DIR (cargo's debug directory),
# EMULATOR, BUILD_DIR. The debug build is installed (INSTALL_PROFILE=debug) to keep
# `make test` fast; `make install` installs the release build the same way.
set -euo pipefail

: "${MAKE:?}" "${ROOT:?}" "${LIB_DIR:?}" "${EMULATOR:?}" "${BUILD_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)
symbols="$ROOT/packaging/zdkit.symbols"
fail() {
    echo "install-test: FAIL: $*" >&2
    exit 1
}
step() { echo "install-test: $*"; }

# --- 1. the cargo-built library --------------------------------------------------
so="$LIB_DIR/libzdkit.so"
version=$(sed -n 's/^#define ZDKIT_VERSION_STRING "\(.*\)"$/\1/p' "$ROOT/include/zdkit.h")
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
if [ "$major" = 0 ]; then abi="0.$minor"; else abi=$major; fi
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "libzdkit.so.$abi" ] || fail "$so has SONAME '$soname', expected libzdkit.so.$abi (build.rs)"
step "SONAME $soname"

# Exports compared with the list: `diff` shows which were added (>) or lost (<).
compare_exports() { # library, description
    local got
    got=$(nm -D --defined-only --format=posix "$1" | awk '$2 != "A" {print $1}' | sed 's/@.*//' | sort)
    if ! diff <(sed '/^[[:space:]]*$/d' "$symbols" | sort) - <<<"$got" >"$BUILD_DIR/exports.diff"; then
        cat "$BUILD_DIR/exports.diff" >&2
        fail "$2 exports differ from packaging/zdkit.symbols (< only in the list, > only exported): update the list with the ABI change"
    fi
}
rm -rf "$BUILD_DIR"
mkdir -p "$BUILD_DIR"
compare_exports "$so" "cargo's libzdkit.so"
step "cargo's libzdkit.so exports exactly the $(grep -c . "$symbols") functions of packaging/zdkit.symbols"

# --- 2. make install into a temporary DESTDIR --------------------------------------
dest=$(mktemp -d)
emu_pid=
cleanup() {
    if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
    rm -rf "$dest"
}
trap cleanup EXIT
prefix=/opt/zdkit-test
make_args=(-C "$ROOT" --no-print-directory DESTDIR="$dest" PREFIX="$prefix" INSTALL_PROFILE=debug)
"$MAKE" "${make_args[@]}" install >"$BUILD_DIR/install.log" 2>&1 || { cat "$BUILD_DIR/install.log" >&2; fail "make install"; }
lib="$dest$prefix/lib"
[ -f "$lib/libzdkit.so.$version" ] || fail "no $lib/libzdkit.so.$version"
[ "$(readlink "$lib/libzdkit.so.$abi")" = "libzdkit.so.$version" ] || fail "libzdkit.so.$abi is not a link to libzdkit.so.$version"
[ "$(readlink "$lib/libzdkit.so")" = "libzdkit.so.$abi" ] || fail "libzdkit.so is not a link to libzdkit.so.$abi"
[ -f "$dest$prefix/include/zdkit.h" ] || fail "no include/zdkit.h installed"
installed_soname=$(readelf -d "$lib/libzdkit.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$installed_soname" = "libzdkit.so.$abi" ] || fail "installed library has SONAME '$installed_soname'"
compare_exports "$lib/libzdkit.so.$version" "the installed libzdkit.so"
unversioned=$(nm -D --defined-only --with-symbol-versions --format=posix "$lib/libzdkit.so.$version" \
    | awk '{print $1}' | grep -v "@@ZDKIT_$abi\$" | grep -vx "ZDKIT_$abi" || true)
[ -z "$unversioned" ] || fail "exports not under version node ZDKIT_$abi: $unversioned"
step "installed libzdkit.so.$version: SONAME $installed_soname, every export under ZDKIT_$abi, symlinks"

static_globals=$(nm -g --defined-only "$lib/libzdkit.a" | awk 'NF == 3 {print $3}' | sort)
[ -n "$static_globals" ] || fail "libzdkit.a defines no global symbol"
others=$(grep -v '^zdk_' <<<"$static_globals" || true)
[ -z "$others" ] || fail "libzdkit.a has global symbols besides zdk_*: $(head -5 <<<"$others" | tr '\n' ' ')"
diff <(sed '/^[[:space:]]*$/d' "$symbols" | sort) - <<<"$static_globals" >&2 \
    || fail "libzdkit.a's global symbols differ from packaging/zdkit.symbols"
step "installed libzdkit.a: only the zdk_* functions are global"

# --- 3. pkg-config and CMake builds -------------------------------------------------
export PKG_CONFIG_PATH="$lib/pkgconfig"
export PKG_CONFIG_LIBDIR="$lib/pkgconfig" # only this zdkit, never a system one
warn=(-std=c11 -Wall -Wextra -Wpedantic -Werror)
read -r -a pc_shared <<<"$(pkg-config --cflags --libs zdkit)"
read -r -a pc_static <<<"$(pkg-config --cflags --static --libs zdkit)"
# (linking the archive where the shared library sits beside it: -l:libzdkit.a)
pc_static=("${pc_static[@]/#-lzdkit/-l:libzdkit.a}")
${CC:-cc} "${warn[@]}" "$ROOT/examples/c/whoami.c" -o "$BUILD_DIR/whoami_pc" "${pc_shared[@]}"
${CC:-cc} "${warn[@]}" "$ROOT/examples/c/whoami.c" -o "$BUILD_DIR/whoami_pc_static" "${pc_static[@]}"
step "built whoami with pkg-config: ${pc_shared[*]}; and --static: ${pc_static[*]}"

cmake -S "$here/cmake" -B "$BUILD_DIR/cmake" -DCMAKE_PREFIX_PATH="$dest$prefix" >"$BUILD_DIR/cmake.log" 2>&1 \
    && cmake --build "$BUILD_DIR/cmake" >>"$BUILD_DIR/cmake.log" 2>&1 \
    || { cat "$BUILD_DIR/cmake.log" >&2; fail "the CMake project (find_package(zdkit CONFIG REQUIRED))"; }
step "built whoami (zdkit::zdkit, zdkit::zdkit_static) and whoami_cpp (zdkit::zdkit) with CMake"

shared_bins=("$BUILD_DIR/whoami_pc" "$BUILD_DIR/cmake/whoami" "$BUILD_DIR/cmake/whoami_cpp")
static_bins=("$BUILD_DIR/whoami_pc_static" "$BUILD_DIR/cmake/whoami_static")
for bin in "${shared_bins[@]}" "${static_bins[@]}"; do
    ! readelf -d "$bin" | grep -E '\((RPATH|RUNPATH)\)' >/dev/null || fail "$bin has an rpath"
done
for bin in "${shared_bins[@]}"; do
    readelf -d "$bin" | grep "Shared library: \[libzdkit.so.$abi\]" >/dev/null || fail "$bin does not need libzdkit.so.$abi"
    # the loader takes the installed copy (through LD_LIBRARY_PATH), not the build tree's
    LD_LIBRARY_PATH="$lib" ldd "$bin" | grep -F "libzdkit.so.$abi => $lib/libzdkit.so.$abi " >/dev/null \
        || fail "$bin does not load $lib/libzdkit.so.$abi"
done
for bin in "${static_bins[@]}"; do
    ! readelf -d "$bin" | grep 'libzdkit' >/dev/null || fail "$bin needs a shared libzdkit"
done

export LD_LIBRARY_PATH="$lib"
for bin in "${shared_bins[@]}" "${static_bins[@]}"; do
    ZDKIT_EMULATOR="$EMULATOR" ZDKIT_WHOAMI="$bin" bash "$ROOT/examples/demo.sh" >"$BUILD_DIR/demo.log" 2>&1 \
        || { cat "$BUILD_DIR/demo.log" >&2; fail "$bin against the emulator (examples/demo.sh)"; }
    step "ran ${bin#"$BUILD_DIR"/} against the emulator: API token, OAuth, wrong token fails"
done

# --- 4. libzdkit.a beside the system libcurl ------------------------------------------
system_curl="libcurl/$(curl-config --version | awk '{print $2}')"
read -r -a curl_flags <<<"$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR curl-config --cflags) $(curl-config --libs)"
${CC:-cc} "${warn[@]}" "$here/curl_beside.c" -o "$BUILD_DIR/curl_beside" "${pc_static[@]}" "${curl_flags[@]}"
EXPECT_CURL="$system_curl" ZDKIT_EMULATOR="$EMULATOR" ZDKIT_WHOAMI="$BUILD_DIR/curl_beside" \
    bash "$ROOT/examples/demo.sh" >"$BUILD_DIR/demo.log" 2>&1 \
    || { cat "$BUILD_DIR/demo.log" >&2; fail "libzdkit.a + the system libcurl ($system_curl)"; }
step "libzdkit.a linked with the system -lcurl: curl_version() is $system_curl's, zdkit reaches the emulator"

# --- 5. make uninstall ----------------------------------------------------------------
"$MAKE" "${make_args[@]}" uninstall >"$BUILD_DIR/uninstall.log" 2>&1 || { cat "$BUILD_DIR/uninstall.log" >&2; fail "make uninstall"; }
left=$(cd "$dest" && find . -mindepth 1)
[ -z "$left" ] || fail "make uninstall left: $left"
step "make uninstall left the DESTDIR empty"
echo "install-test: every check passed"
