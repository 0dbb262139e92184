"""Fixtures: a real zdkit-emulator on loopback, started per test module."""

from __future__ import annotations

import json
import os
import pathlib
import queue
import subprocess
import threading
from typing import Any, Dict, Iterator, List, Optional

import pytest

import zdkit

ROOT = pathlib.Path(__file__).resolve().parents[3]
EMAIL = "agent@example.com"
API_TOKEN = "emulator-api-token"
OAUTH_TOKEN = "emulator-oauth-token"
CANARY = "canary-secret-py-8d1f"


def emulator_binary() -> str:
    path = os.environ.get("ZDKIT_EMULATOR") or str(ROOT / "target" / "debug" / "zdkit-emulator")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make test` (it builds the emulator)")
    return path


class ServerProcess:
    """A test server started as a child process that prints its address on its first
    line; stopped by PID at teardown."""

    def __init__(self, argv: List[str], what: str, stdin: Any = subprocess.DEVNULL) -> None:
        self.process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, text=True)
        lines: "queue.Queue[str]" = queue.Queue()
        assert self.process.stdout is not None
        stdout = self.process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            self.first_line = lines.get(timeout=20)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"{what} printed no first line within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Emulator(ServerProcess):
    """A running zdkit-emulator process, stopped by PID at teardown."""

    def __init__(self, *args: str) -> None:
        argv = [emulator_binary(), "--host", "127.0.0.1", "--port", "0", *args]
        super().__init__(argv, "the emulator")
        info = json.loads(self.first_line)
        self.url: str = info["url"].rstrip("/")
        self.ca_file: Optional[str] = info.get("ca_file")

    def client(self, **options: Any) -> zdkit.Client:
        options.setdefault("oauth_token", OAUTH_TOKEN)
        options.setdefault("max_retries", 0)
        return zdkit.Client(base_url=self.url, **options)

    def requests(self, prefix: str = "/") -> List[Dict[str, Any]]:
        with self.client() as control:
            log: List[Dict[str, Any]] = control.get("/__emulator/requests")
        return [r for r in log if r["path"].startswith(prefix)]

    def fault(self, **spec: Any) -> None:
        spec.setdefault("method", None)
        spec.setdefault("times", 1)
        with self.client() as control:
            control.post("/__emulator/faults", json=spec)

    def reset(self) -> None:
        with self.client() as control:
            control.request("POST", "/__emulator/reset")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = Emulator()
    yield running
    running.stop()


@pytest.fixture()
def fresh(emulator: Emulator) -> Emulator:
    """The module's emulator with its faults, log and store reset."""
    emulator.reset()
    return emulator


def header(request: Dict[str, Any], name: str) -> Optional[str]:
    for key, value in request["headers"].items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else value[0]
    return None
