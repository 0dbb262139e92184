"""`make demo` end to end: examples/demo.sh with the C example (compiled here against the
built library) and examples/python/demo.py, against the real emulator, as the README
describes it. Each step must have said what it shows, and no secret may be printed.

Needs ZDKIT_EMULATOR (the zdkit-emulator binary) and ZDKIT_LIB_DIR (where libzdkit.so
is), as `make snippets` sets them; the interpreter running pytest must have zdkit
installed (the virtualenv of `make python`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_whoami(tmp_path: Path) -> Path:
    lib_dir = os.environ["ZDKIT_LIB_DIR"]
    binary = tmp_path / "whoami"
    subprocess.run(
        [os.environ.get("CC", "cc"), "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
         f"-I{ROOT / 'include'}", str(ROOT / "examples" / "c" / "whoami.c"),
         f"-L{lib_dir}", "-lzdkit", f"-Wl,-rpath,{lib_dir}", "-o", str(binary)],
        check=True, timeout=120,
    )
    return binary


def test_the_demo_tells_the_whole_story(tmp_path: Path) -> None:
    if "ZDKIT_EMULATOR" not in os.environ or "ZDKIT_LIB_DIR" not in os.environ:
        pytest.skip("set ZDKIT_EMULATOR and ZDKIT_LIB_DIR (make snippets does)")
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler")
    env = {name: value for name, value in os.environ.items() if not name.startswith("ZENDESK_")}
    env.update(ZDKIT_WHOAMI=str(build_whoami(tmp_path)), ZDKIT_PYTHON=sys.executable)
    done = subprocess.run(["bash", str(ROOT / "examples" / "demo.sh")], env=env, capture_output=True,
                          text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output

    for step in ("C 1: whoami with an API token", "C 2: whoami with an OAuth access token",
                 "C 3: a wrong token fails", "Python 1: OAuth client credentials",
                 "Python 2: a 429 injected and survived", "Python 3: a cursor walk",
                 "Python 4: `zdkit export`", "every step showed what it should", "demo: done"):
        assert step in output, f"{step!r} missing from:\n{output}"
    # The token is minted, then renewed; the 429 shows as a retry event, then the answer.
    assert output.count("event token    POST /oauth/tokens") == 2, output
    assert "event retry    GET /api/v2/tickets/1 status=429" in output, output
    # The export was interrupted (130) mid-stream, showed its progress line, and resumed.
    assert "exit status 130 (130: interrupted)" in output, output
    assert "items" in output and "/s" in output, output
    assert "none lost, none written twice" in output, output
    # No secret of the OAuth client, and no minted token, is printed.
    assert "emulator-client-secret" not in output
    assert "[redacted]" in output
