"""Test your own Zendesk integration against zdkit's offline emulator.

Two ways in:

* pytest (registered through the ``pytest11`` entry point, nothing to configure): the
  ``zendesk_emulator`` fixture is one emulator per pytest run, reset before each test::

      def test_creates_a_ticket(zendesk_emulator):
          client = zendesk_emulator.client()
          client.post("/api/v2/tickets", json={"ticket": {"subject": "Hi", "comment": {"body": "…"}}})
          assert zendesk_emulator.requests()[-1]["method"] == "POST"

  ``pytest --zendesk-emulator-args="--tickets 5000 --rate-limit 700/60"`` (or the ini key
  ``zendesk_emulator_args``) passes flags to it.

* Anything else: :func:`start_emulator` returns the same :class:`Emulator`, a context
  manager that stops the process on exit::

      with zdkit.testing.start_emulator("--tickets", "500") as emulator:
          print(emulator.client().get("/api/v2/tickets/1")["ticket"]["subject"])

The emulator process never outlives the Python process that started it: it is stopped by
:meth:`Emulator.stop`, by the context manager, when the object is garbage-collected, at
interpreter exit, and (on Linux, when started from the main thread) by the kernel if the
Python process is killed outright.
"""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from types import TracebackType
from typing import IO, Any, Callable, Dict, Iterator, List, Mapping, Optional, Type, Union

from ._client import Client
from ._emulator import EmulatorNotFoundError, emulator_path
from .errors import ZendeskError

__all__ = [
    "EMAIL",
    "API_TOKEN",
    "OAUTH_TOKEN",
    "Emulator",
    "EmulatorError",
    "EmulatorNotFoundError",
    "Fault",
    "emulator_path",
    "start_emulator",
]

#: The emulator's built-in admin (user 1) and its API token.
EMAIL = "agent@example.com"
API_TOKEN = "emulator-api-token"
#: The emulator's built-in OAuth access token (for the same admin).
OAUTH_TOKEN = "emulator-oauth-token"

#: A fault for :meth:`Emulator.inject`: the control API's fault object
#: (``{"kind": "status", "status": 503, "headers": {"Retry-After": "1"}}``,
#: ``{"kind": "delay", "ms": 3000}``, …), an HTTP status (``429`` is
#: ``{"kind": "status", "status": 429}``) or a kind without parameters (``"reset"``,
#: ``"truncate"``, ``"malformed_json"``).
Fault = Union[Mapping[str, Any], int, str]

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0
_PR_SET_PDEATHSIG = 1


class EmulatorError(RuntimeError):
    """The emulator could not be started, stopped answering, or refused a control call."""


class Emulator:
    """A running ``zdkit-emulator`` process on loopback and its control API.

    Made by :func:`start_emulator` or the ``zendesk_emulator`` fixture, not directly.
    """

    def __init__(self, process: "subprocess.Popen[bytes]", url: str, ca_file: Optional[str],
                 args: List[str], stderr: IO[bytes]) -> None:
        self._process = process
        self._stderr = stderr
        self._lock = threading.Lock()
        #: The base URL, e.g. ``http://127.0.0.1:41377`` (no trailing slash).
        self.url: str = url.rstrip("/")
        #: With ``--tls``: the PEM file of the CA that signed the server certificate
        #: (removed when the emulator stops); otherwise None.
        self.ca_file: Optional[str] = ca_file
        #: The flags the emulator was started with.
        self.args: List[str] = list(args)
        self._control = self._new_client(oauth_token=OAUTH_TOKEN, max_retries=0)
        self._finalizer = weakref.finalize(self, _terminate, process, stderr, self._control)

    @property
    def pid(self) -> int:
        """The emulator's process id."""
        return self._process.pid

    @property
    def running(self) -> bool:
        """True until the process has exited."""
        return self._process.poll() is None

    def client(self, **options: Any) -> Client:
        """A :class:`zdkit.Client` for this emulator, logged in as the built-in admin with its
        API token (``agent@example.com`` / ``emulator-api-token``), trusting ``ca_file`` under
        ``--tls``. Keywords are :class:`zdkit.Client`'s and win over these defaults; giving
        ``oauth_token=`` or ``oauth=`` replaces the API token."""
        if "oauth_token" not in options and "oauth" not in options:
            options.setdefault("email", EMAIL)
            options.setdefault("api_token", API_TOKEN)
        return self._new_client(**options)

    def inject(self, method: Optional[str], path_prefix: str, fault: Fault, times: int = 1) -> None:
        """Queues ``fault`` for the next ``times`` requests whose method is ``method`` (None:
        any) and whose path starts with ``path_prefix``. Rules are tried in the order they
        were queued; :meth:`reset` drops the ones not used up."""
        if method is not None and (not isinstance(method, str) or not method):
            raise TypeError("method must be an HTTP method name or None (any method)")
        if not isinstance(path_prefix, str) or not path_prefix.startswith("/"):
            raise ValueError("path_prefix must be a path starting with '/'")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be an int of at least 1")
        rule = {"method": method, "path_prefix": path_prefix, "times": times, "fault": _fault_object(fault)}
        self._control_call("POST", "/__emulator/faults", rule)

    def faults(self) -> List[Dict[str, Any]]:
        """The queued fault rules not used up yet."""
        pending: List[Dict[str, Any]] = self._control_call("GET", "/__emulator/faults")
        return pending

    def requests(self, path_prefix: str = "/") -> List[Dict[str, Any]]:
        """The requests received since the last reset, oldest first, as
        ``{"method", "path", "query", "headers", "body_len"}`` dicts (headers verbatim with
        lower-case names, Authorization included), optionally only those whose path starts
        with ``path_prefix``. Control API calls are never logged."""
        log: List[Dict[str, Any]] = self._control_call("GET", "/__emulator/requests")
        return [entry for entry in log if str(entry.get("path", "")).startswith(path_prefix)]

    def reset(self) -> None:
        """Back to the seed: clears faults, the request log, rate-limit windows, jobs,
        uploads and minted OAuth tokens, and forgets every record created or changed."""
        self._control_call("POST", "/__emulator/reset")

    def state(self) -> Dict[str, Any]:
        """Counts: ``{"tickets", "users", "oauth_tokens_minted"}``."""
        counts: Dict[str, Any] = self._control_call("GET", "/__emulator/state")
        return counts

    def stop(self) -> Optional[int]:
        """Stops the process (SIGTERM, then SIGKILL after 10 s) and returns its exit status.
        Safe to call twice."""
        with self._lock:
            self._finalizer()
        return self._process.returncode

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self._process.returncode}"
        return f"<zdkit.testing.Emulator {self.url} pid={self.pid} {state}>"

    def _new_client(self, **options: Any) -> Client:
        options.setdefault("base_url", self.url)
        if self.ca_file is not None:
            options.setdefault("ca_file", self.ca_file)
        return Client(**options)

    def _control_call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        if not self.running:
            raise EmulatorError(f"the emulator at {self.url} has exited "
                                f"(status {self._process.returncode}){_stderr_tail(self._stderr)}")
        try:
            response = self._control.request(method, path, json=body)
        except ZendeskError as error:
            if error.status == 400:
                raise ValueError(f"the emulator refused this fault: {error.description}") from None
            try:  # a cut connection is most often a dying process: say so when it is one
                self._process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
            if not self.running:
                raise EmulatorError(f"the emulator at {self.url} has exited "
                                    f"(status {self._process.returncode}){_stderr_tail(self._stderr)}") from None
            raise EmulatorError(f"emulator control call {method} {path} failed: {error}") from error
        return response.json() if response.content else None


def start_emulator(*args: str, timeout: float = _START_TIMEOUT) -> Emulator:
    """Starts ``zdkit-emulator ARGS…`` (the binary bundled with zdkit, or ``$ZDKIT_EMULATOR``)
    on a free loopback port and waits for its first line (at most ``timeout`` seconds).

    ``args`` are the emulator's flags, e.g. ``start_emulator("--tickets", "5000", "--tls")``.
    Raises :class:`EmulatorNotFoundError` when there is no binary and :class:`EmulatorError`
    when it exits or stays silent instead of starting."""
    argv = [emulator_path(), *(os.fspath(arg) for arg in args)]
    stderr = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=stderr, close_fds=True, preexec_fn=_die_with_parent())
    except BaseException:
        stderr.close()
        raise
    try:
        info = _first_line(process, stderr, timeout)
    except BaseException:
        _terminate(process, stderr, None)
        raise
    return Emulator(process, info["url"], info.get("ca_file"), list(argv[1:]), stderr)


def _fault_object(fault: Fault) -> Dict[str, Any]:
    if isinstance(fault, bool):
        raise TypeError("fault must be a fault object (dict), an HTTP status (int) or a kind (str)")
    if isinstance(fault, int):
        if not 100 <= fault <= 599:
            raise ValueError(f"{fault} is not an HTTP status")
        return {"kind": "status", "status": fault}
    if isinstance(fault, str):
        return {"kind": fault}
    if isinstance(fault, Mapping):
        return dict(fault)
    raise TypeError("fault must be a fault object (dict), an HTTP status (int) or a kind (str)")


def _first_line(process: "subprocess.Popen[bytes]", stderr: IO[bytes], timeout: float) -> Dict[str, Any]:
    """Reads the emulator's first stdout line: ``{"url": …, "ca_file": …}``."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    deadline = time.monotonic() + timeout
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EmulatorError(f"zdkit-emulator printed no first line within {timeout:g} s")
            if not selector.select(min(left, 1.0)):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                status = process.wait(timeout=_STOP_TIMEOUT)
                raise EmulatorError(f"zdkit-emulator exited with status {status} before it started"
                                    f"{_stderr_tail(stderr)}")
            data += chunk
            if len(data) > 65536:
                raise EmulatorError("zdkit-emulator's first line is not the expected JSON object")
    line = data.split(b"\n", 1)[0]
    try:
        info = json.loads(line)
    except ValueError:
        info = None
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        raise EmulatorError(f"zdkit-emulator's first line is not the expected JSON object: {line[:200]!r}")
    return info


def _terminate(process: "subprocess.Popen[bytes]", stderr: IO[bytes], control: Optional[Client]) -> None:
    """Stops the process by its PID (SIGTERM, then SIGKILL) and closes what it held open."""
    if control is not None:
        control.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
    stderr.close()


def _stderr_tail(stderr: IO[bytes]) -> str:
    try:
        stderr.seek(0)
        text = stderr.read()[-2000:].decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""
    return f": {text}" if text else ""


def _die_with_parent() -> Optional[Callable[[], None]]:
    """On Linux, a pre-exec hook asking the kernel to SIGTERM the emulator when this process
    dies (even by SIGKILL). Only from the main thread: the kernel ties the signal to the
    thread that forked, and a worker thread's exit would stop the emulator early."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


# --- the pytest plugin (entry point ``pytest11``: ``zdkit = zdkit.testing``) -----------------

try:
    import pytest
except ImportError:  # zdkit.testing without pytest: start_emulator() only
    pass
else:

    def pytest_addoption(parser: pytest.Parser) -> None:
        """``--zendesk-emulator-args`` and the ini key ``zendesk_emulator_args``."""
        group = parser.getgroup("zdkit", "zdkit's Zendesk emulator")
        group.addoption(
            "--zendesk-emulator-args", dest="zendesk_emulator_args", default=None, metavar="ARGS",
            help="extra zdkit-emulator flags for the zendesk_emulator fixture, "
            "e.g. \"--tickets 5000 --rate-limit 700/60\"",
        )
        parser.addini("zendesk_emulator_args", "extra zdkit-emulator flags (as on the command line)",
                      default="")

    @pytest.fixture(scope="session")
    def zendesk_emulator_session(request: pytest.FixtureRequest) -> Iterator[Emulator]:
        """The run's emulator, started on first use and stopped at the end of the session,
        NOT reset between tests (for session- or module-scoped fixtures)."""
        raw = request.config.getoption("zendesk_emulator_args")
        if raw is None:
            raw = str(request.config.getini("zendesk_emulator_args"))
        with start_emulator(*shlex.split(raw)) as emulator:
            yield emulator

    @pytest.fixture()
    def zendesk_emulator(zendesk_emulator_session: Emulator) -> Emulator:
        """The run's emulator, reset to its seed (no faults, empty request log) before the test."""
        zendesk_emulator_session.reset()
        return zendesk_emulator_session
