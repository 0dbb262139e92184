"""The zdkit command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import pathlib
import resource
import select
import signal
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

from conftest import API_TOKEN, CANARY, EMAIL, OAUTH_TOKEN, Emulator


def run(args: List[str], env: Dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "zdkit", *args], env=clean, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_whoami_in_both_modes(emulator: Emulator) -> None:
    for env in ({"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN}, {"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}):
        result = run(["--base-url", emulator.url, "whoami"], env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["email"] == EMAIL
        assert "\n" == result.stdout[-1] and "  " not in result.stdout  # compact when piped


def test_get_with_params_and_request_with_data(emulator: Emulator, tmp_path) -> None:
    env = {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    result = run(["get", "/api/v2/tickets.json", "-p", "page[size]=2"], env)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["tickets"]) == 2
    body = tmp_path / "ticket.json"
    body.write_text(json.dumps({"ticket": {"subject": "from cli", "comment": {"body": "x"}}}))
    created = run(["request", "POST", "/api/v2/tickets.json", "--data", f"@{body}"], env)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["ticket"]["subject"] == "from cli"
    piped = run(["request", "post", "/api/v2/tickets.json", "--data", "-"], env,
                stdin=json.dumps({"ticket": {"subject": "from stdin", "comment": {"body": "x"}}}))
    assert json.loads(piped.stdout)["ticket"]["subject"] == "from stdin"


def test_errors_go_to_stderr_with_the_request_id(emulator: Emulator) -> None:
    env = {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": CANARY}
    result = run(["get", "/api/v2/tickets.json"], env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "401" in result.stderr and "request id" in result.stderr
    assert CANARY not in result.stderr
    missing = run(["get", "/api/v2/tickets/99999999.json"], {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    assert missing.returncode == 1 and "RecordNotFound" in missing.stderr


def test_missing_configuration_is_a_usage_error(emulator: Emulator) -> None:
    result = run(["whoami"], {})
    assert result.returncode == 2
    assert "ZENDESK_SUBDOMAIN" in result.stderr
    result = run(["--base-url", emulator.url, "whoami"], {})
    assert result.returncode == 2
    assert "ZENDESK_OAUTH_TOKEN" in result.stderr
    bad = run(["request", "POST", "/x", "--data", "{nope"], {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    assert bad.returncode == 2 and "not valid JSON" in bad.stderr


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "zdkit")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "whoami" in result.stdout


def _export(emulator: Emulator, out: str, *extra: str, preexec_fn: Optional[Callable[[], None]] = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    clean.update({"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    return subprocess.run([sys.executable, "-m", "zdkit", "export", "tickets", "--out", out, "--per-page", "10", *extra],
                          env=clean, capture_output=True, text=True, timeout=120, preexec_fn=preexec_fn)


def _ids(path: pathlib.Path) -> List[int]:
    return [json.loads(line)["id"] for line in path.read_bytes().splitlines()]


def test_export_resume_refuses_a_missing_or_shorter_file(emulator: Emulator, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "tickets.jsonl"
    full = _export(emulator, str(out))
    assert full.returncode == 0, full.stderr
    checkpoint = json.loads((tmp_path / "tickets.jsonl.checkpoint").read_text())
    assert checkpoint["bytes"] == out.stat().st_size and checkpoint["items"] == len(_ids(out)) > 10

    shorter = out.read_bytes()[: checkpoint["bytes"] // 2]
    out.write_bytes(shorter)
    result = _export(emulator, str(out), "--resume")
    assert result.returncode == 2
    assert "cannot resume" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == shorter  # not extended (no NUL bytes)

    out.unlink()
    result = _export(emulator, str(out), "--resume")
    assert result.returncode == 2
    assert "missing" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec: writes past `limit` fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_is_one_line_and_the_export_resumes_exactly(emulator: Emulator, tmp_path: pathlib.Path) -> None:
    reference = tmp_path / "reference.jsonl"
    assert _export(emulator, str(reference)).returncode == 0
    expected = _ids(reference)
    assert len(expected) == len(set(expected)) > 30

    out = tmp_path / "tickets.jsonl"
    limit = reference.stat().st_size // 3 + 17  # mid-page, mid-line
    failed = _export(emulator, str(out), preexec_fn=_file_size_limit(limit))
    assert failed.returncode == 3, failed.stderr
    assert "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "tickets.jsonl" in failed.stderr and "--resume" in failed.stderr
    assert out.stat().st_size <= limit

    resumed = _export(emulator, str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert _ids(out) == expected  # nothing lost, nothing repeated
    assert out.read_bytes() == reference.read_bytes()


# ---- issue 16: the rough edges ------------------------------------------------------


def test_version_flag(emulator: Emulator) -> None:
    result = run(["--version"], {})
    assert result.returncode == 0, result.stderr
    import zdkit

    assert result.stdout.startswith(f"zdkit {zdkit.__version__} (") and "libcurl/" in result.stdout


def test_global_options_before_or_after_the_command(emulator: Emulator) -> None:
    env = {"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    for args in (["--base-url", emulator.url, "whoami"], ["whoami", "--base-url", emulator.url],
                 ["--timeout", "30", "whoami", "--base-url", emulator.url],
                 ["get", "/api/v2/users/me.json", "--base-url", emulator.url, "--timeout", "20"]):
        result = run(args, env)
        assert result.returncode == 0, (args, result.stderr)
        body = json.loads(result.stdout)
        assert (body.get("user") or body)["email"] == EMAIL
    # a value after the command wins over one before it
    dead = "http://127.0.0.1:9"
    result = run(["--base-url", dead, "whoami", "--base-url", emulator.url], env)
    assert result.returncode == 0, result.stderr
    assert run(["--bogus", "whoami"], env).returncode == 2


def test_validation_errors_print_their_details(emulator: Emulator) -> None:
    env = {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    emulator.reset()
    emulator.fault(
        method="POST", path_prefix="/api/v2/users",
        fault={"kind": "status", "status": 422, "content_type": "application/json",
               "body": json.dumps({"error": "RecordInvalid", "description": "Record validation errors",
                                   "details": {"email": [{"description": "Email: x@y is already being used",
                                                          "error": "DuplicateValue"}],
                                               "base": [{"description": "Name is too short", "error": "TooShort"}]}})},
    )
    result = run(["request", "POST", "/api/v2/users.json", "--data", '{"user":{"email":"x@y"}}'], env)
    assert result.returncode == 1
    assert "Record validation errors" in result.stderr
    assert "email: Email: x@y is already being used (DuplicateValue)" in result.stderr
    assert "base: Name is too short (TooShort)" in result.stderr


def test_completion_scripts() -> None:
    bash = run(["completion", "bash"], {})
    assert bash.returncode == 0 and "complete -o default -F _zdkit zdkit" in bash.stdout
    check = subprocess.run(["bash", "-c", bash.stdout + '\nCOMP_WORDS=(zdkit dow); COMP_CWORD=1; _zdkit; echo "${COMPREPLY[@]}"\n'
                            'COMP_WORDS=(zdkit download --o); COMP_CWORD=2; _zdkit; echo "${COMPREPLY[@]}"'],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == ["download", "--out"]
    zsh = run(["completion", "zsh"], {})
    assert zsh.returncode == 0 and zsh.stdout.startswith("#compdef zdkit") and "download" in zsh.stdout
    assert run(["completion", "fish"], {}).returncode == 2


def test_download_command(tmp_path: pathlib.Path) -> None:
    from test_hostile import Hostile

    server = Hostile()
    try:
        env = {"ZENDESK_URL": f"{server.url}/case/attachment/", "ZENDESK_OAUTH_TOKEN": CANARY}
        out = tmp_path / "a.bin"
        result = run(["download", "5000", "--out", str(out)], env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"out": str(out), "bytes": 5000}
        assert out.read_bytes() == bytes((i * 31 + 7) % 256 for i in range(5000))
        content_url = f"{server.url}/case/attachment/attachments/token/t300/?name=f.bin"
        result = run(["download", content_url, "--out", str(out)], env)
        assert result.returncode == 0 and out.stat().st_size == 300
        too_big = run(["download", "5000", "--out", str(out), "--max-bytes", "100"], env)
        assert too_big.returncode == 1 and "max_bytes" in too_big.stderr
        assert out.stat().st_size == 300
        unwritable = run(["download", "5000", "--out", str(tmp_path / "no" / "x")], env)
        assert unwritable.returncode == 2
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]
    finally:
        server.stop()


def test_export_says_when_and_why_it_waits(emulator: Emulator, tmp_path: pathlib.Path) -> None:
    env = {"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}
    emulator.reset()
    emulator.fault(method="GET", path_prefix="/api/v2/incremental/", times=1,
                   fault={"kind": "status", "status": 429, "headers": {"Retry-After": "2"},
                          "body": "Too many requests", "content_type": "text/plain"})
    result = run(["export", "tickets", "--out", str(tmp_path / "t.jsonl")], env)
    assert result.returncode == 0, result.stderr
    assert "waiting 2 s for Zendesk's rate limit (429)" in result.stderr


def test_export_progress_ticks_on_a_terminal_while_waiting(emulator: Emulator, tmp_path: pathlib.Path) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update({"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    emulator.reset()
    emulator.fault(method="GET", path_prefix="/api/v2/incremental/", times=1,
                   fault={"kind": "status", "status": 429, "headers": {"Retry-After": "3"},
                          "body": "Too many requests", "content_type": "text/plain"})
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "zdkit", "export", "tickets", "--out", str(tmp_path / "t.jsonl")],
                                   env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = -1
        screen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None
        process.stdout.close()
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    text = screen.decode("utf-8", "replace")
    frames = [f for f in text.split("\r") if "waiting" in f]
    # redrawn every second while the client waits 3 s: a countdown, not a frozen line
    assert len(frames) >= 2, text
    assert "for Zendesk's rate limit (429)" in frames[0]
    assert "waiting 3 s" in text and "waiting 1 s" in text, text


def test_export_interrupted_on_a_terminal_says_so_on_a_line_of_its_own(
        emulator: Emulator, tmp_path: pathlib.Path) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update({"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    emulator.reset()
    # A long rate-limit wait keeps the export running (and its progress line drawn)
    # until the interrupt arrives.
    emulator.fault(method="GET", path_prefix="/api/v2/incremental/", times=1,
                   fault={"kind": "status", "status": 429, "headers": {"Retry-After": "20"},
                          "body": "Too many requests", "content_type": "text/plain"})
    master, slave = pty.openpty()
    screen = b""
    process = subprocess.Popen([sys.executable, "-m", "zdkit", "export", "tickets", "--out", str(tmp_path / "t.jsonl")],
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    try:
        os.close(slave)
        slave = -1
        deadline = time.monotonic() + 30
        interrupted = False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            if not interrupted and b"waiting" in screen:
                process.send_signal(signal.SIGINT)
                interrupted = True
            if process.poll() is not None and not ready:
                break
        assert interrupted, screen
        assert process.wait(timeout=30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
        if slave >= 0:
            os.close(slave)
    text = screen.decode("utf-8", "replace").replace("\r\n", "\n")
    assert "zdkit: interrupted" in text, text
    before = text[: text.index("zdkit: interrupted")]
    assert "waiting" in before and before.endswith("\n"), repr(text)


# ---- issue 14: the export's page loop runs in Rust ----------------------------------


def test_native_export_writer_writes_the_pages_bytes_and_counts(emulator: Emulator, tmp_path: pathlib.Path) -> None:
    import zdkit

    out, checkpoint = tmp_path / "t.jsonl", tmp_path / "t.jsonl.checkpoint"
    with emulator.client() as client:
        expected = b"".join(page.jsonl for page in client.incremental("tickets", start_time=0, per_page=30).pages())
        export = client.incremental("tickets", start_time=0, per_page=30)
        progress = zdkit._native.ExportProgress()
        assert progress.items == 0
        items, cursor = export._write_jsonl(str(out), str(checkpoint), "tickets", 0, progress)
        assert out.read_bytes() == expected
        assert items == progress.items == expected.count(b"\n") > 30
        assert cursor and export.cursor == cursor
        state = json.loads(checkpoint.read_text())
        assert state == {"resource": "tickets", "cursor": cursor, "items": items, "bytes": len(expected),
                         "end_of_stream": True}
        assert not (tmp_path / "t.jsonl.checkpoint.tmp").exists()
        # Only an export can be written to a file; a list stream is refused and kept.
        pages = client._native.pages("/api/v2/users.json")
        try:
            pages.write_jsonl(str(tmp_path / "u.jsonl"), str(tmp_path / "u.cp"), "users", 0, progress)
        except TypeError:
            pass
        else:
            raise AssertionError("a list stream was written as an export")
        assert next(pages).items
        # An unwritable file is an OSError with its errno, the export not consumed.
        again = client.incremental("tickets", start_time=0, per_page=30)
        try:
            again._write_jsonl(str(tmp_path / "missing" / "t.jsonl"), str(checkpoint), "tickets", 0, progress)
        except OSError as error:
            assert error.errno is not None and error.strerror
        else:
            raise AssertionError("writing into a missing directory succeeded")
