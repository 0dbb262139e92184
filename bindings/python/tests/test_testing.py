"""zdkit.testing: start_emulator, the Emulator object, the pytest plugin (run in a real
pytest subprocess, loaded through its pytest11 entry point) and the zdkit-emulator command."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from typing import Iterator, List

import pytest

import zdkit
import zdkit.testing
from zdkit.testing import Emulator, EmulatorError, EmulatorNotFoundError, start_emulator


def gone(pid: int, within: float = 15.0) -> bool:
    """True once the process has exited (or is a zombie awaiting its parent)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with start_emulator("--tickets", "30") as running:
        yield running


@pytest.fixture()
def fresh(emulator: Emulator) -> Emulator:
    emulator.reset()
    return emulator


def test_start_emulator_is_a_context_manager_that_stops_the_process() -> None:
    with start_emulator() as running:
        assert running.url.startswith("http://127.0.0.1:") and not running.url.endswith("/")
        assert running.ca_file is None
        assert running.running
        pid = running.pid
        assert f"pid={pid}" in repr(running) and "running" in repr(running)
        with running.client() as client:
            assert client.get("/api/v2/users/me")["user"]["email"] == zdkit.testing.EMAIL
    assert not running.running and gone(pid)
    assert running.stop() == 0  # a second stop is harmless and reports the exit status
    with pytest.raises(EmulatorError, match="has exited"):
        running.requests()


def test_client_logs_in_with_the_api_token_and_keywords_win(fresh: Emulator) -> None:
    fresh.client().get("/api/v2/users/me")
    fresh.client(oauth_token=zdkit.testing.OAUTH_TOKEN).get("/api/v2/users/me")
    first, second = (r["headers"]["authorization"] for r in fresh.requests())
    assert first.startswith("Basic ") and second == f"Bearer {zdkit.testing.OAUTH_TOKEN}"
    with pytest.raises(zdkit.AuthenticationError):
        fresh.client(api_token="wrong", max_retries=0).get("/api/v2/users/me")


def test_tls_gives_a_ca_file_the_client_trusts_and_removes_it_at_stop() -> None:
    with start_emulator("--tls") as running:
        assert running.url.startswith("https://") and running.ca_file is not None
        ca_file = running.ca_file
        assert os.path.isfile(ca_file)
        assert running.client().get("/api/v2/tickets/1")["ticket"]["id"] == 1
        running.inject(None, "/", 503)
        with pytest.raises(zdkit.ServerError):
            running.client(max_retries=0).get("/api/v2/tickets/1")
    assert not os.path.exists(ca_file)


def test_inject_status_kind_and_fault_object(fresh: Emulator) -> None:
    client = fresh.client(max_retries=0)
    fresh.inject("GET", "/api/v2/tickets", 429, times=2)
    for _ in range(2):
        with pytest.raises(zdkit.RateLimitError):
            client.get("/api/v2/tickets/1")
    assert client.get("/api/v2/tickets/1")["ticket"]["id"] == 1
    fresh.inject("get", "/api/v2/users", {"kind": "status", "status": 503, "headers": {"Retry-After": "7"}})
    with pytest.raises(zdkit.ServerError) as raised:
        client.get("/api/v2/users/me")
    assert raised.value.retry_after == 7
    fresh.inject(None, "/api/v2/tickets", "malformed_json")
    with pytest.raises(zdkit.DecodeError):
        client.get("/api/v2/tickets/2")
    fresh.inject("POST", "/api/v2/tickets", "reset")
    assert len(fresh.faults()) == 1
    with pytest.raises(zdkit.TransportError):  # a new connection: libcurl resends on a reused one
        fresh.client(max_retries=0).post("/api/v2/tickets", json={"ticket": {"subject": "s", "comment": {"body": "b"}}})
    assert fresh.faults() == []


@pytest.mark.parametrize(
    "method, prefix, fault, times, error",
    [
        ("GET", "api/v2", 429, 1, ValueError),
        ("GET", "/", 429, 0, ValueError),
        ("GET", "/", 429, True, ValueError),
        ("GET", "/", 42, 1, ValueError),
        ("GET", "/", True, 1, TypeError),
        ("GET", "/", 2.5, 1, TypeError),
        ("", "/", 429, 1, TypeError),
        ("GET", "/", "explode", 1, ValueError),
        ("GET", "/", {"kind": "status"}, 1, ValueError),
        ("GET", "/", {"kind": "delay", "ms": 1, "extra": 1}, 1, ValueError),
    ],
)
def test_inject_refuses_bad_rules_with_a_typed_error(
    fresh: Emulator, method: str, prefix: str, fault: object, times: object, error: type
) -> None:
    with pytest.raises(error):
        fresh.inject(method, prefix, fault, times=times)  # type: ignore[arg-type]
    assert fresh.faults() == []


def test_requests_and_reset(fresh: Emulator) -> None:
    client = fresh.client()
    made = client.post("/api/v2/tickets", json={"ticket": {"subject": "new", "comment": {"body": "b"}}})
    client.get("/api/v2/users/me", params={"include": "roles"})
    log = fresh.requests()
    assert [(r["method"], r["path"]) for r in log] == [("POST", "/api/v2/tickets"), ("GET", "/api/v2/users/me")]
    assert log[1]["query"] == "include=roles" and log[0]["body_len"] > 0
    assert [r["path"] for r in fresh.requests("/api/v2/users")] == ["/api/v2/users/me"]
    assert fresh.state()["tickets"] == 31
    fresh.inject(None, "/", 500, times=5)
    fresh.reset()
    assert fresh.requests() == [] and fresh.faults() == [] and fresh.state()["tickets"] == 30
    with pytest.raises(zdkit.NotFoundError):
        client.get(f"/api/v2/tickets/{made['ticket']['id']}")


def test_bad_flags_raise_with_the_emulators_message() -> None:
    with pytest.raises(EmulatorError, match=r"(?s)status 2.*usage: zdkit-emulator"):
        start_emulator("--tickets", "many")


def test_a_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("ZDKIT_EMULATOR", str(tmp_path / "nope"))
    with pytest.raises(EmulatorNotFoundError, match="ZDKIT_EMULATOR"):
        start_emulator()


def test_without_a_bundled_binary_the_command_names_zdkit_emulator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zdkit._emulator

    monkeypatch.delenv("ZDKIT_EMULATOR", raising=False)
    monkeypatch.setattr(zdkit._emulator, "_BUNDLED", tmp_path / "_bin" / "zdkit-emulator")
    with pytest.raises(EmulatorNotFoundError, match="ZDKIT_EMULATOR"):
        start_emulator()
    assert zdkit._emulator.main(["--help"]) == 1
    assert "ZDKIT_EMULATOR" in capsys.readouterr().err
    not_executable = tmp_path / "plain-file"
    not_executable.write_text("")
    monkeypatch.setenv("ZDKIT_EMULATOR", str(not_executable))
    with pytest.raises(EmulatorNotFoundError, match="not an executable file"):
        start_emulator()


def test_an_emulator_killed_under_the_object_gives_emulator_error() -> None:
    running = start_emulator()
    os.kill(running.pid, signal.SIGKILL)
    assert gone(running.pid)
    with pytest.raises(EmulatorError, match="has exited"):
        running.reset()
    running.stop()


def spawn_python(code: str) -> "subprocess.Popen[str]":
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True, env=env)


def test_no_orphan_when_the_python_process_is_killed() -> None:
    child = spawn_python(
        """
        import time, zdkit.testing
        emulator = zdkit.testing.start_emulator()
        print(emulator.pid, flush=True)
        time.sleep(60)
        """
    )
    assert child.stdout is not None
    pid = int(child.stdout.readline())
    assert not gone(pid, within=0.2)
    child.kill()
    child.wait(timeout=10)
    assert gone(pid), "the emulator outlived the Python process killed with SIGKILL"


def test_no_orphan_when_the_python_process_ends_without_stopping_it() -> None:
    child = spawn_python(
        """
        import zdkit.testing
        emulators = [zdkit.testing.start_emulator()]
        print(emulators[0].pid, flush=True)
        raise SystemExit(3)
        """
    )
    assert child.stdout is not None
    pid = int(child.stdout.readline())
    assert child.wait(timeout=30) == 3
    assert gone(pid, within=0.5), "the emulator outlived the interpreter's exit"


def test_an_emulator_started_from_a_worker_thread_keeps_running() -> None:
    import threading

    started: List[Emulator] = []
    worker = threading.Thread(target=lambda: started.append(start_emulator()))
    worker.start()
    worker.join(timeout=30)
    with started[0] as running:
        time.sleep(0.2)
        assert running.running
        assert running.client().get("/api/v2/tickets/1")["ticket"]["id"] == 1


def test_the_zdkit_emulator_command_runs_the_binary_in_place() -> None:
    command = shutil.which("zdkit-emulator", path=os.path.dirname(sys.executable))
    assert command is not None, "the wheel installed no zdkit-emulator command"
    result = subprocess.run([command, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.startswith("usage: zdkit-emulator")
    process = subprocess.Popen([command, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith('{"url": "http://127.0.0.1:')
        assert os.readlink(f"/proc/{process.pid}/exe").endswith("zdkit-emulator")
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0


def run_pytest(directory: pathlib.Path, *args: str) -> "subprocess.CompletedProcess[str]":
    """A real pytest run in `directory` (the plugin comes from the installed entry point)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=directory, capture_output=True, text=True, timeout=120, env=env,
    )


PLUGIN_TESTS = """
import os
import pytest

seen = {}

def test_one_makes_a_ticket_and_leaves_a_fault(zendesk_emulator):
    seen["pid"] = zendesk_emulator.pid
    client = zendesk_emulator.client()
    client.post("/api/v2/tickets", json={"ticket": {"subject": "s", "comment": {"body": "b"}}})
    zendesk_emulator.inject("GET", "/", 500, times=3)
    assert len(zendesk_emulator.requests()) == 1

def test_two_starts_from_the_seed_on_the_same_emulator(zendesk_emulator):
    assert zendesk_emulator.pid == seen["pid"]
    assert zendesk_emulator.faults() == [] and zendesk_emulator.requests() == []
    assert zendesk_emulator.state()["tickets"] == int(os.environ.get("EXPECTED_TICKETS", "100"))
    assert zendesk_emulator.client().get("/api/v2/tickets/1")["ticket"]["id"] == 1
"""


def test_plugin_fixture_is_session_scoped_and_reset_per_test(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_plugin.py").write_text(PLUGIN_TESTS)
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_plugin_option_and_ini_pass_flags(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "test_plugin.py").write_text(PLUGIN_TESTS)
    monkeypatch.setenv("EXPECTED_TICKETS", "12")
    result = run_pytest(tmp_path, "--zendesk-emulator-args", "--tickets 12")
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "pytest.ini").write_text("[pytest]\nzendesk_emulator_args = --tickets 12 --users 3\n")
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    help_text = run_pytest(tmp_path, "--help").stdout
    assert "--zendesk-emulator-args" in help_text


def test_plugin_reports_bad_flags_as_a_test_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_plugin.py").write_text(PLUGIN_TESTS)
    result = run_pytest(tmp_path, "--zendesk-emulator-args=--no-such-flag")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "EmulatorError" in result.stdout and "--no-such-flag" in result.stdout


def test_plugin_can_be_disabled(tmp_path: pathlib.Path) -> None:
    (tmp_path / "test_plugin.py").write_text(PLUGIN_TESTS)
    result = run_pytest(tmp_path, "-p", "no:zdkit")
    assert result.returncode == 1 and "fixture 'zendesk_emulator' not found" in result.stdout
