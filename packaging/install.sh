#!/usr/bin/env bash
# Installs (or uninstalls) the zdkit C library the way cargo-c would, from what
# `cargo build -p zdkit` already built. Called by the root Makefile's `install` and
# `uninstall` rules, which set every variable below:
#
#   BUILD_LIB_DIR  cargo's output directory (libzdkit.so, libzdkit.a), e.g. target/release
#   STAGE_DIR      scratch directory for the files prepared before installing
#   DESTDIR, PREFIX, LIBDIR, INCLUDEDIR   where to install (DESTDIR prefixes the others)
#   NATIVE_LIBS    what libzdkit.a needs from the system (pkg-config's Libs.private)
#
#   bash packaging/install.sh stage|install|uninstall
#
# What `stage` prepares (in STAGE_DIR):
#   libzdkit.so.X.Y.Z  linked again from libzdkit.a with packaging/zdkit.symbols as the
#                      version script (node ZDKIT_<abi>) and the SONAME cargo gave the
#                      library (build.rs): rustc's own version script of the cdylib cannot
#                      be combined with a named version node (see packaging/README.md).
#   libzdkit.a         one relocatable object (`ld -r`) whose only global symbols are the
#                      zdk_* functions (`objcopy --keep-global-symbols`): the bundled
#                      libcurl, nghttp2 and Rust internals are local, so the archive links
#                      beside the system libcurl or another Rust static library.
#   zdkit.pc, zdkitConfig.cmake, zdkitConfigVersion.cmake from the templates here,
#   relative to where they are installed (so a DESTDIR tree works where it lies).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
: "${BUILD_LIB_DIR:?}" "${STAGE_DIR:?}" "${PREFIX:?}" "${LIBDIR:?}" "${INCLUDEDIR:?}" "${NATIVE_LIBS:?}"
DESTDIR=${DESTDIR:-}

version=$(sed -n 's/^#define ZDKIT_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/zdkit.h")
[ -n "$version" ] || { echo "install.sh: no ZDKIT_VERSION_STRING in include/zdkit.h" >&2; exit 1; }
real_name=libzdkit.so.$version

headers=("$root/include/zdkit.h")
[ -f "$root/include/zdkit.hpp" ] && headers+=("$root/include/zdkit.hpp")

# Every file `install` writes, relative to DESTDIR (uninstall removes these and no more).
installed_files() {
    local soname=$1
    printf '%s\n' "$LIBDIR/$real_name" "$LIBDIR/$soname" "$LIBDIR/libzdkit.so" "$LIBDIR/libzdkit.a" \
        "$INCLUDEDIR/zdkit.h" "$INCLUDEDIR/zdkit.hpp" "$LIBDIR/pkgconfig/zdkit.pc" \
        "$LIBDIR/cmake/zdkit/zdkitConfig.cmake" "$LIBDIR/cmake/zdkit/zdkitConfigVersion.cmake"
}

soname_of() { # the SONAME build.rs gave the cargo-built library
    readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p'
}

stage() {
    local so="$BUILD_LIB_DIR/libzdkit.so" archive="$BUILD_LIB_DIR/libzdkit.a"
    [ -f "$so" ] && [ -f "$archive" ] || { echo "install.sh: no libzdkit.so/.a in $BUILD_LIB_DIR" >&2; exit 1; }
    local soname
    soname=$(soname_of "$so")
    [ -n "$soname" ] || { echo "install.sh: $so has no SONAME (build.rs sets it)" >&2; exit 1; }
    local node="ZDKIT_${soname#libzdkit.so.}"
    rm -rf "$STAGE_DIR"
    mkdir -p "$STAGE_DIR/objects"

    # The version script: the committed list under one version node, nothing else global.
    {
        echo "$node {"
        echo "  global:"
        sed -e '/^[[:space:]]*$/d' -e 's/.*/    &;/' "$here/zdkit.symbols"
        echo "  local:"
        echo "    *;"
        echo "};"
    } >"$STAGE_DIR/zdkit.map"
    # shellcheck disable=SC2086 # NATIVE_LIBS is a list of -l flags
    ${CC:-cc} -shared -o "$STAGE_DIR/$real_name" -Wl,-soname,"$soname" \
        -Wl,--version-script="$STAGE_DIR/zdkit.map" -Wl,--gc-sections \
        -Wl,--whole-archive "$archive" -Wl,--no-whole-archive $NATIVE_LIBS

    # The static library: one object, only zdk_* global. (Embedded LLVM bitcode, which
    # the release profile's LTO leaves in some members, goes: no linker needs it, and
    # ar's LLVM plugin fails to read it once merged.)
    ${LD:-ld} -r --whole-archive "$archive" -o "$STAGE_DIR/objects/zdkit.o"
    ${OBJCOPY:-objcopy} --keep-global-symbols="$here/zdkit.symbols" \
        --remove-section=.llvmbc --remove-section=.llvmcmd "$STAGE_DIR/objects/zdkit.o"
    rm -f "$STAGE_DIR/libzdkit.a"
    ${AR:-ar} rcs "$STAGE_DIR/libzdkit.a" "$STAGE_DIR/objects/zdkit.o"
    rm -rf "$STAGE_DIR/objects"

    # pkg-config and CMake files locate everything relative to themselves.
    local inc_from_lib cmake_libs
    inc_from_lib=$(realpath -m --relative-to="$LIBDIR" "$INCLUDEDIR")
    cmake_libs=$(sed -e 's/-l//g' -e 's/ \+/;/g' <<<"$NATIVE_LIBS")
    local subst=(-e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" -e "s|@REAL_NAME@|$real_name|g"
        -e "s|@INCLUDEDIR_FROM_LIBDIR@|$inc_from_lib|g" -e "s|@NATIVE_LIBS@|$NATIVE_LIBS|g"
        -e "s|@CMAKE_NATIVE_LIBS@|$cmake_libs|g" -e "s|@ABI@|${soname#libzdkit.so.}|g")
    sed "${subst[@]}" "$here/zdkit.pc.in" >"$STAGE_DIR/zdkit.pc"
    sed "${subst[@]}" "$here/zdkitConfig.cmake.in" >"$STAGE_DIR/zdkitConfig.cmake"
    sed "${subst[@]}" "$here/zdkitConfigVersion.cmake.in" >"$STAGE_DIR/zdkitConfigVersion.cmake"
    echo "$soname" >"$STAGE_DIR/soname"
}

install_files() {
    stage
    local soname lib="$DESTDIR$LIBDIR" inc="$DESTDIR$INCLUDEDIR"
    soname=$(cat "$STAGE_DIR/soname")
    install -d "$lib" "$inc" "$lib/pkgconfig" "$lib/cmake/zdkit"
    install -m 755 "$STAGE_DIR/$real_name" "$lib/$real_name"
    ln -sfn "$real_name" "$lib/$soname"
    ln -sfn "$soname" "$lib/libzdkit.so"
    install -m 644 "$STAGE_DIR/libzdkit.a" "$lib/libzdkit.a"
    install -m 644 "${headers[@]}" "$inc/"
    install -m 644 "$STAGE_DIR/zdkit.pc" "$lib/pkgconfig/zdkit.pc"
    install -m 644 "$STAGE_DIR/zdkitConfig.cmake" "$STAGE_DIR/zdkitConfigVersion.cmake" "$lib/cmake/zdkit/"
    echo "installed zdkit $version into ${DESTDIR}$PREFIX (libraries in $lib, headers in $inc)"
}

uninstall_files() {
    local soname f dir
    soname=$(soname_of "$BUILD_LIB_DIR/libzdkit.so" 2>/dev/null || true)
    [ -n "$soname" ] || soname=$(readlink "$DESTDIR$LIBDIR/libzdkit.so" 2>/dev/null || true)
    while read -r f; do
        [ "$f" = "$LIBDIR/" ] && continue
        rm -f "$DESTDIR$f"
    done < <(installed_files "$soname")
    # Directories: zdkit's own always; the others only when empty and under a DESTDIR
    # (a system's /usr/local/lib stays even when zdkit was its last file).
    rmdir "$DESTDIR$LIBDIR/cmake/zdkit" 2>/dev/null || true
    if [ -n "$DESTDIR" ]; then
        for dir in "$LIBDIR/cmake" "$LIBDIR/pkgconfig" "$LIBDIR" "$INCLUDEDIR"; do
            while [ -n "$dir" ] && [ "$dir" != / ] && rmdir "$DESTDIR$dir" 2>/dev/null; do
                dir=$(dirname "$dir")
            done
        done
    fi
    echo "uninstalled zdkit from ${DESTDIR}$PREFIX"
}

case "${1:-}" in
stage) stage ;;
install) install_files ;;
uninstall) uninstall_files ;;
*)
    echo "usage: $0 stage|install|uninstall" >&2
    exit 2
    ;;
esac
