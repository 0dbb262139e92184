"""The zdkit command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
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
