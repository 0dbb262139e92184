"""The bundled ``zdkit-emulator`` binary: where it is, and the console command that runs it.

The wheel carries the emulator as package data (``zdkit/_bin/zdkit-emulator``; an install
from the sdist builds it there, see bindings/python/build.rs); the
``zdkit-emulator`` command installed by pip is :func:`main`, which replaces itself with that
binary (same process, same arguments, same first line, same exit status).
"""

from __future__ import annotations

import os
import pathlib
import sys
from typing import List, Optional

#: Environment variable naming an emulator binary to use instead of the bundled one.
EMULATOR_ENV = "ZDKIT_EMULATOR"

_BUNDLED = pathlib.Path(__file__).resolve().parent / "_bin" / "zdkit-emulator"


class EmulatorNotFoundError(RuntimeError):
    """No emulator binary: this install has none bundled and ``ZDKIT_EMULATOR`` is unset."""


def emulator_path() -> str:
    """The emulator binary to run: ``$ZDKIT_EMULATOR`` when set, else the one in the wheel.

    Raises :class:`EmulatorNotFoundError` (naming what to do) when neither exists or the
    file is not executable.
    """
    override = os.environ.get(EMULATOR_ENV)
    candidate = pathlib.Path(override) if override else _BUNDLED
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    if override:
        raise EmulatorNotFoundError(
            f"{EMULATOR_ENV} names {override!r}, which is not an executable file"
        )
    raise EmulatorNotFoundError(
        f"this zdkit install has no bundled zdkit-emulator ({_BUNDLED} is missing: the build "
        "from source could not compile it, see the warnings of `pip install -v`): build it "
        "with `cargo build --release -p zdkit-emulator` in a zdkit source tree and set "
        f"{EMULATOR_ENV} to the binary's path"
    )


def main(argv: Optional[List[str]] = None) -> int:
    """``zdkit-emulator ARGS…``: runs the emulator binary in place of this process."""
    args = sys.argv[1:] if argv is None else argv
    try:
        binary = emulator_path()
    except EmulatorNotFoundError as error:
        print(f"zdkit-emulator: {error}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(binary, [binary, *args])
    except OSError as error:
        print(f"zdkit-emulator: cannot run {binary}: {error.strerror}", file=sys.stderr)
        return 1
    return 1  # not reached: execv returns only by raising


if __name__ == "__main__":
    raise SystemExit(main())
