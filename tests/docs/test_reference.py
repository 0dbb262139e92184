"""`make docs` refuses an undocumented C or C++ item: Doxygen runs with the repository's
Doxyfile on a copy of the headers, once as they are and once with a gap made on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def doxygen(tree: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("doxygen") is None:
        pytest.skip("doxygen is not installed (make docs-tools installs it)")
    env = dict(os.environ, ZDKIT_VERSION="0", ZDKIT_DOXYGEN_OUT=str(tree / "out"))
    return subprocess.run(["doxygen", "docs/reference/Doxyfile"], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=120)


def copy_of_the_sources(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "include", tree / "include")
    shutil.copytree(ROOT / "docs" / "reference", tree / "docs" / "reference")
    return tree


def test_the_headers_as_committed_pass(tmp_path: Path) -> None:
    done = doxygen(copy_of_the_sources(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_missing_parameter_fails(tmp_path: Path) -> None:
    tree = copy_of_the_sources(tmp_path)
    replace_once(tree / "include" / "zdkit.h", " * @param job_id ", " * job_id ")
    done = doxygen(tree)
    assert done.returncode != 0
    assert "zdk_client_wait_for_job" in done.stdout + done.stderr


def test_a_missing_return_value_fails(tmp_path: Path) -> None:
    tree = copy_of_the_sources(tmp_path)
    replace_once(tree / "include" / "zdkit.h", " * @return the status code, or 0.", " * the status code, or 0.")
    done = doxygen(tree)
    assert done.returncode != 0
    assert "zdk_response_status" in done.stdout + done.stderr


def test_an_undocumented_cpp_member_fails(tmp_path: Path) -> None:
    tree = copy_of_the_sources(tmp_path)
    replace_once(tree / "include" / "zdkit.hpp", "    /** Whether another page may follow.",
                 "    /* Whether another page may follow.")
    done = doxygen(tree)
    assert done.returncode != 0
    assert "has_more" in done.stdout + done.stderr
