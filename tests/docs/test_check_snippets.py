"""The snippet runner fails where it should: each case is a small Markdown file run
through tests/docs/check_snippets.py against the real emulator, compiler and library.

Needs ZDKIT_EMULATOR (the zdkit-emulator binary) and ZDKIT_LIB_DIR (where libzdkit.so
is), as `make snippets` sets them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "check_snippets.py"


def run_markdown(tmp_path: Path, text: str, name: str = "page.md") -> subprocess.CompletedProcess[str]:
    if "ZDKIT_EMULATOR" not in os.environ or "ZDKIT_LIB_DIR" not in os.environ:
        pytest.skip("set ZDKIT_EMULATOR and ZDKIT_LIB_DIR (make snippets does)")
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(RUNNER), "--emulator", os.environ["ZDKIT_EMULATOR"],
         "--lib-dir", os.environ["ZDKIT_LIB_DIR"], "--build-dir", str(tmp_path / "build"), str(page)],
        capture_output=True, text=True, timeout=300,
    )


def test_a_python_block_runs_against_the_emulator(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, """
```python
import zdkit
assert zdkit.Client.from_env().get("/api/v2/users/me")["user"]["id"] == 1
```
""")
    assert done.returncode == 0, done.stderr
    assert "1 python run" in done.stdout


def test_a_failing_python_block_fails_the_run_and_names_its_line(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, "text\n\n```python\nraise SystemExit('drifted')\n```\n")
    assert done.returncode == 1
    assert "page.md:3" in done.stderr and "drifted" in done.stderr


def test_a_c_warning_is_an_error(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, "```c\nint main(void) { int unused; return 0; }\n```\n")
    assert done.returncode == 1
    assert "unused" in done.stderr


def test_a_c_program_runs_and_its_exit_status_counts(tmp_path: Path) -> None:
    ok = run_markdown(tmp_path, """
```c
#include "zdkit.h"
int main(void) {
    zdk_config *config = NULL;
    zdk_client *client = NULL;
    zdk_response *response = NULL;
    if (zdk_config_from_env(&config) != ZDK_OK || zdk_client_new(config, &client) != ZDK_OK) return 1;
    zdk_result rc = zdk_client_request(client, "GET", "/api/v2/tickets/1.json", NULL, 0, &response);
    zdk_response_free(response);
    zdk_client_free(client);
    zdk_config_free(config);
    return rc == ZDK_OK ? 0 : 1;
}
```
""")
    assert ok.returncode == 0, ok.stderr
    assert "1 C/C++ programs run" in ok.stdout
    failing = run_markdown(tmp_path, "```cpp\nint main() { return 3; }\n```\n")
    assert failing.returncode == 1 and "exit 3" in failing.stderr


def test_a_fragment_keeps_its_functions_at_file_scope_and_uses_its_prelude(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, """
<!-- snippet: prelude
static zdk_client *client;
-->
```c
static int twice(int n) {
    return 2 * n;
}
zdk_pager *pager = NULL;
zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager);
zdk_pager_free(pager);
printf("%d\\n", twice(2));
```
""")
    assert done.returncode == 0, done.stderr
    assert "1 C/C++ fragments compiled" in done.stdout


def test_skipped_blocks_are_compiled_counted_and_named(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, """
<!-- snippet: skip (needs a real Zendesk account) -->
```python
import zdkit
zdkit.Client("acme", oauth_token="x").get("/api/v2/users/me")
```
""")
    assert done.returncode == 0, done.stderr
    assert "1 skipped" in done.stdout and "needs a real Zendesk account" in done.stdout
    broken = run_markdown(tmp_path, "<!-- snippet: skip (reason) -->\n```python\ndef (:\n```\n")
    assert broken.returncode == 1 and "not valid Python" in broken.stderr


def test_an_unknown_directive_is_refused(tmp_path: Path) -> None:
    done = run_markdown(tmp_path, "<!-- snippet: skipp -->\n```python\npass\n```\n")
    assert done.returncode != 0
    assert "unknown snippet directive" in done.stderr


def test_the_examples_in_a_header_comment_are_compiled(tmp_path: Path) -> None:
    header = """/**
 * Frees a response.
 *
 * ```c
 * zdk_response_free(response);
 * ```
 */
void zdk_response_free(struct zdk_response *response);
"""
    ok = run_markdown(tmp_path, header, "api.h")
    assert ok.returncode == 0, ok.stderr
    assert "1 C/C++ fragments compiled" in ok.stdout
    broken = run_markdown(tmp_path, header.replace("zdk_response_free(response)", "zdk_response_free(client)"), "api.h")
    assert broken.returncode == 1 and "api.h:4" in broken.stderr
