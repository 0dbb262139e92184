#!/usr/bin/env bash
# The Python distributions as a user gets them (`make wheel-test`, part of `make test`):
#  1. the wheel's tag is manylinux and `auditwheel show` agrees; `ldd`/`readelf` of every ELF
#     file in it (the extension and the bundled emulator) list only the C runtime family;
#  2. a fresh virtualenv, with no Rust toolchain on PATH and LD_LIBRARY_PATH empty, installs
#     the wheel; smoke.py imports zdkit and makes requests against the `zdkit-emulator`
#     command the wheel installed; the user-style test_user_style.py passes under plain
#     pytest (also with --zendesk-emulator-args); the same import + request in a fresh
#     virtualenv of every other CPython 3.9-3.13 found on the machine;
#  3. the sdist installs into another fresh virtualenv (this one builds with the toolchain,
#     the emulator included) and passes the same smoke test.
# Needs: ROOT WHEEL_DIR SDIST_DIR TOOLS (bin dir with auditwheel) WORK_DIR
# SDIST_TARGET_DIR (cargo's target dir for the sdist build).
set -euo pipefail

: "${ROOT:?}" "${WHEEL_DIR:?}" "${SDIST_DIR:?}" "${TOOLS:?}" "${WORK_DIR:?}" "${SDIST_TARGET_DIR:?}"
HERE="$ROOT/tests/wheel"
ALLOWED_LIBS='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2)$'

fail() { echo "wheel-test: FAILED: $*" >&2; exit 1; }
step() { echo "wheel-test: $*"; }

shopt -s nullglob
wheels=("$WHEEL_DIR"/zdkit-*.whl)
sdists=("$SDIST_DIR"/zdkit-*.tar.gz)
[ "${#wheels[@]}" = 1 ] || fail "expected one wheel in $WHEEL_DIR, found ${#wheels[@]}"
[ "${#sdists[@]}" = 1 ] || fail "expected one sdist in $SDIST_DIR, found ${#sdists[@]}"
wheel="${wheels[0]}" sdist="${sdists[0]}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/bindings/python/pyproject.toml" | head -1)"

rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR"

# --- 1. tag, ldd, auditwheel -------------------------------------------------------------
name="$(basename "$wheel")"
[[ "$name" =~ ^zdkit-${version//./\\.}-cp39-abi3-(.*)\.whl$ ]] || fail "$name is not zdkit-$version-cp39-abi3-….whl"
platforms="${BASH_REMATCH[1]}"
manylinux="$(tr '.' '\n' <<<"$platforms" | grep -E '^manylinux_[0-9]+_[0-9]+_x86_64$' | head -1 || true)"
[ -n "$manylinux" ] || fail "$name has no manylinux_X_Y tag (platforms: $platforms)"
step "tag: $platforms"

show="$("$TOOLS/auditwheel" show "$wheel")"
grep -q "consistent with the following platform tag:" <<<"$show" || fail "auditwheel show: $show"
audited="$(tr -d '\n' <<<"$show" | sed -n 's/.*platform tag: *"\([^"]*\)".*/\1/p')"
[ "$audited" = "$manylinux" ] || fail "auditwheel says $audited, the wheel is tagged $manylinux"
step "auditwheel show agrees: $audited"

unpacked="$WORK_DIR/unpacked"
python3 -m zipfile -e "$wheel" "$unpacked"
elves=0
while IFS= read -r -d '' file; do
  [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
  elves=$((elves + 1))
  rel="${file#"$unpacked"/}"
  while read -r lib; do
    [[ "$lib" =~ $ALLOWED_LIBS ]] || fail "$rel needs $lib, outside the C runtime family"
  done < <(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  ldd_out="$(LD_LIBRARY_PATH= ldd "$file")"
  ! grep -q "not found" <<<"$ldd_out" || fail "ldd $rel: $ldd_out"
  while read -r lib; do
    [[ "$lib" =~ $ALLOWED_LIBS || "$lib" = linux-vdso.so.1 || "$lib" = /lib64/ld-linux-x86-64.so.2 ]] \
      || fail "ldd $rel lists $lib, outside the C runtime family"
  done < <(awk '{print $1}' <<<"$ldd_out" | xargs -n1 basename)
  step "ldd $rel: $(awk '{print $1}' <<<"$ldd_out" | xargs -n1 basename | tr '\n' ' ')"
done < <(find "$unpacked" -type f -print0)
[ "$elves" = 2 ] || fail "expected 2 ELF files in the wheel (extension, emulator), found $elves"
[ -x "$unpacked/zdkit/_bin/zdkit-emulator" ] || [ "$(python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(oct(z.getinfo("zdkit/_bin/zdkit-emulator").external_attr >> 16))' "$wheel")" = 0o100755 ] \
  || fail "the bundled emulator is not executable in the wheel"

# --- 2. the wheel in fresh virtualenvs without a Rust toolchain -----------------------------
# PATH without any directory holding cargo, rustc or rustup; no cargo/rustup variables.
clean_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [ -n "$dir" ] || continue
  [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ] && continue
  case "$dir" in "$TOOLS"|"$ROOT"/*) continue ;; esac
  clean_path="${clean_path:+$clean_path:}$dir"
done
user_env() {  # user_env VENV COMMAND…: run as a user of that virtualenv would
  local venv="$1"; shift
  env -u CARGO -u CARGO_HOME -u RUSTUP_HOME -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR -u PYTHONPATH \
    -u ZDKIT_EMULATOR -u ZDKIT_HOSTILE -u VIRTUAL_ENV \
    PATH="$venv/bin:$clean_path" LD_LIBRARY_PATH= PIP_DISABLE_PIP_VERSION_CHECK=1 "$@"
}

venv="$WORK_DIR/venv"
python3 -m venv "$venv"
user_env "$venv" sh -c '! command -v cargo && ! command -v rustc' >/dev/null \
  || fail "cargo or rustc is still on PATH in the wheel's virtualenv"
user_env "$venv" pip install -q --no-index "$wheel"
user_env "$venv" pip install -q "pytest>=7"
user_env "$venv" python "$HERE/smoke.py" "$version"

# The user's test directory: only their test file, run from there under plain pytest.
project="$WORK_DIR/user-project"
mkdir -p "$project"
cp "$HERE/test_user_style.py" "$project/"
(cd "$project" && user_env "$venv" python -m pytest -p no:cacheprovider -q test_user_style.py)
cat >"$project/test_emulator_args.py" <<'EOF'
def test_flags_reach_the_emulator(zendesk_emulator):
    assert zendesk_emulator.args == ["--tickets", "7"]
    assert zendesk_emulator.state()["tickets"] == 7
EOF
(cd "$project" && user_env "$venv" python -m pytest -p no:cacheprovider -q \
  --zendesk-emulator-args "--tickets 7" test_emulator_args.py)
step "user-style tests pass under plain pytest"

# Other interpreters: the abi3 wheel imports and talks to its emulator on each.
tested=("$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
for minor in 9 10 11 12 13; do
  interpreter=""
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$minor".*/bin/python3 "python3.$minor"; do
    if "$candidate" -c 'import venv' >/dev/null 2>&1; then interpreter="$(command -v "$candidate")"; break; fi
  done
  [ -n "$interpreter" ] || continue
  [[ " ${tested[*]} " == *" 3.$minor "* ]] && continue
  other="$WORK_DIR/venv-3.$minor"
  "$interpreter" -m venv "$other"
  user_env "$other" pip install -q --no-index "$wheel"
  user_env "$other" python "$HERE/smoke.py" "$version" >/dev/null || fail "the wheel on Python 3.$minor"
  tested+=("3.$minor")
done
step "the wheel works on Python ${tested[*]}"

# --- 3. the sdist in another fresh virtualenv (builds with the toolchain) ----------------------
sdist_venv="$WORK_DIR/venv-sdist"
python3 -m venv "$sdist_venv"
started=$SECONDS
env -u ZDKIT_EMULATOR CARGO_TARGET_DIR="$SDIST_TARGET_DIR" PIP_DISABLE_PIP_VERSION_CHECK=1 \
  "$sdist_venv/bin/pip" install -q "$sdist"
step "pip install of the sdist took $((SECONDS - started)) s"
(cd "$WORK_DIR" && user_env "$sdist_venv" python "$HERE/smoke.py" "$version")
step "the sdist installs, imports, and its build made a working zdkit-emulator"
echo "wheel-test: every check passed"
