"""Parity with the core's settings: every entry of ``zdkit._native.SETTINGS`` (the
core's ``zdkit::SETTINGS``) is reachable from ``zdkit.Client``, and the keywords that
came with it (``no_proxy``, ``ca_dir``, ``client_cert``/``client_key``, a per-request
``timeout``) work against the real emulator."""

from __future__ import annotations

import inspect
import logging
import os
import pathlib
import shutil
import subprocess
from typing import Any, Dict, Iterator, Tuple

import pytest

import zdkit
from conftest import EMAIL, API_TOKEN, OAUTH_TOKEN, Emulator

# The core's setting → the zdkit.Client keywords that set it. `log` has none: Python
# clients always log to logging.getLogger("zdkit") (checked below).
KEYWORDS: Dict[str, Tuple[str, ...]] = {
    "subdomain": ("subdomain",),
    "base_url": ("base_url",),
    "api_token": ("email", "api_token"),
    "oauth_token": ("oauth_token",),
    "oauth_client_credentials": ("oauth",),  # zdkit.OAuthClientCredentials
    "oauth_refresh_token": ("oauth",),  # zdkit.OAuthRefreshToken
    "connect_timeout": ("connect_timeout",),
    "timeout": ("timeout",),
    "deadline": ("deadline",),
    "max_retries": ("max_retries",),
    "never_wait": ("never_wait",),
    "rate_limit_pacing": ("rate_limit_pacing",),
    "proxy": ("proxy",),
    "no_proxy": ("no_proxy",),
    "ca_file": ("ca_file",),
    "ca_dir": ("ca_dir",),
    "client_cert": ("client_cert", "client_key"),
    "user_agent": ("user_agent",),
    "log": (),
    "max_response_bytes": ("max_response_bytes",),
    "event_callback": ("on_event",),
}

# A value for each keyword that the core accepts (with base_url and oauth_token).
VALUES: Dict[str, Any] = {
    "connect_timeout": 5,
    "timeout": 5,
    "deadline": 5,
    "max_retries": 1,
    "never_wait": True,
    "rate_limit_pacing": False,
    "proxy": "http://127.0.0.1:9",
    "no_proxy": "127.0.0.1",
    "ca_file": "/nonexistent/ca.pem",
    "ca_dir": "/nonexistent/certs",
    "client_cert": "/nonexistent/cert.pem",
    "client_key": "/nonexistent/key.pem",
    "user_agent": "parity-test",
    "max_response_bytes": 1000,
    "on_event": lambda event: None,
}


def test_the_mapping_covers_exactly_the_core_settings() -> None:
    assert isinstance(zdkit._native.SETTINGS, tuple)
    assert sorted(KEYWORDS) == sorted(zdkit._native.SETTINGS), "a core setting without a Python keyword"


def test_every_setting_is_a_client_keyword() -> None:
    parameters = inspect.signature(zdkit.Client.__init__).parameters
    for setting in zdkit._native.SETTINGS:
        for keyword in KEYWORDS[setting]:
            assert keyword in parameters, f"{setting}: zdkit.Client has no keyword {keyword}"


@pytest.mark.parametrize("setting", [s for s in zdkit._native.SETTINGS if s not in ("subdomain", "base_url", "api_token", "oauth_token", "oauth_client_credentials", "oauth_refresh_token", "log")])
def test_every_plain_setting_is_accepted(setting: str) -> None:
    options = {keyword: VALUES[keyword] for keyword in KEYWORDS[setting]}
    zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t", **options).close()


def test_target_and_credential_settings_reach_the_emulator(emulator: Emulator) -> None:
    with zdkit.Client(base_url=emulator.url, email=EMAIL, api_token=API_TOKEN, max_retries=0) as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
    with zdkit.Client(base_url=emulator.url, oauth_token=OAUTH_TOKEN, max_retries=0) as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
    assert zdkit.Client("acme", oauth_token="t").base_url == "https://acme.zendesk.com/"
    credentials = zdkit.OAuthClientCredentials("emulator-client", "emulator-client-secret")
    with zdkit.Client(base_url=emulator.url, oauth=credentials, max_retries=0) as client:
        client.get("/api/v2/users/me.json")
        assert client.token_set is not None
    refresh = zdkit.OAuthRefreshToken("id", "secret", "refresh")
    zdkit.Client(base_url=emulator.url, oauth=refresh).close()


def test_log_setting_is_the_zdkit_logger(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="zdkit"):
        with emulator.client() as client:
            client.get("/api/v2/users/me.json")
    assert any(r.name == "zdkit" and "/api/v2/users/me.json" in r.getMessage() for r in caplog.records)


def test_unknown_keywords_are_type_errors() -> None:
    with pytest.raises(TypeError):
        zdkit.Client("acme", oauth_token="t", ca_path="/x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="ca_path"):
        zdkit._native.Client("acme", oauth_token="t", ca_path="/x")  # type: ignore[call-arg]


# --- proxy and no_proxy -------------------------------------------------------------

def _dead_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_proxy_bypasses_the_proxy(emulator: Emulator) -> None:
    proxy = f"http://127.0.0.1:{_dead_port()}"  # nothing listens there
    with emulator.client(proxy=proxy) as client:
        with pytest.raises(zdkit.TransportError):
            client.get("/api/v2/users/me.json")
    with emulator.client(proxy=proxy, no_proxy="127.0.0.1") as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL


# --- TLS: ca_dir, client_cert and client_key ---------------------------------------

@pytest.fixture(scope="module")
def tls() -> Iterator[Emulator]:
    running = Emulator("--tls")
    yield running
    running.stop()


def _openssl(*args: str) -> str:
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed to hash the CA and make a client certificate")
    return subprocess.run(["openssl", *args], check=True, capture_output=True, text=True).stdout.strip()


def test_ca_dir_verifies_the_server(tls: Emulator, tmp_path: pathlib.Path) -> None:
    assert tls.ca_file and tls.url.startswith("https://")
    hashed = tmp_path / "certs"
    hashed.mkdir()
    subject_hash = _openssl("x509", "-hash", "-noout", "-in", tls.ca_file)
    shutil.copy(tls.ca_file, hashed / f"{subject_hash}.0")
    with tls.client(ca_dir=hashed) as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
    empty = tmp_path / "empty"
    empty.mkdir()
    with tls.client(ca_dir=str(empty)) as client:
        with pytest.raises(zdkit.TransportError):
            client.get("/api/v2/users/me.json")


def _client_pair(directory: pathlib.Path, name: str) -> Tuple[pathlib.Path, pathlib.Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert))
    return cert, key


def test_client_certificate_is_loaded(tls: Emulator, tmp_path: pathlib.Path) -> None:
    cert, key = _client_pair(tmp_path, "client")
    other_cert, other_key = _client_pair(tmp_path, "other")
    # A valid pair is loaded and offered (the emulator does not ask for it).
    with tls.client(ca_file=tls.ca_file, client_cert=cert, client_key=key) as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
    # A missing file, or a key that does not match the certificate, fails before anything
    # is sent, with an error naming the file.
    missing_cert, missing_key = tmp_path / "missing.pem", tmp_path / "missing.key"
    for bad, named in (({"client_cert": missing_cert, "client_key": key}, missing_cert),
                       ({"client_cert": cert, "client_key": missing_key}, missing_key),
                       ({"client_cert": cert, "client_key": other_key}, other_key)):
        with tls.client(ca_file=tls.ca_file, **bad) as client:
            with pytest.raises(zdkit.TransportError) as caught:
                client.get("/api/v2/users/me.json")
            assert str(named) in str(caught.value)
    assert os.path.exists(other_cert)


@pytest.mark.parametrize("given", ["client_cert", "client_key"])
def test_client_cert_and_key_go_together(given: str) -> None:
    with pytest.raises(zdkit.ConfigurationError, match="client_cert= and client_key="):
        zdkit.Client("acme", oauth_token="t", **{given: "/x.pem"})


# --- per-request timeout ------------------------------------------------------------

def test_per_request_timeout(fresh: Emulator) -> None:
    with fresh.client(timeout=0.3) as client:
        fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "delay", "ms": 1000})
        assert client.get("/api/v2/users/me.json", timeout=10)["user"]["email"] == EMAIL
    with fresh.client(timeout=10) as client:
        fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "delay", "ms": 1000})
        with pytest.raises(zdkit.TimeoutError):
            client.get("/api/v2/users/me.json", timeout=0.3)


def test_every_request_method_takes_a_timeout(fresh: Emulator) -> None:
    with fresh.client(timeout=10) as client:
        created = client.post("/api/v2/tickets.json", {"ticket": {"subject": "t", "comment": {"body": "b"}}}, timeout=5)
        path = f"/api/v2/tickets/{created['ticket']['id']}.json"
        calls = [
            lambda: client.request("GET", path, timeout=0.3),
            lambda: client.get(path, timeout=0.3),
            lambda: client.put(path, {"ticket": {"priority": "low"}}, timeout=0.3),
            lambda: client.patch(path, {"ticket": {"priority": "low"}}, timeout=0.3),
            lambda: client.post("/api/v2/tickets.json", {"ticket": {"subject": "t", "comment": {"body": "b"}}}, timeout=0.3),
            lambda: client.delete(path, timeout=0.3),
        ]
        for call in calls:
            fresh.fault(fault={"kind": "delay", "ms": 1000})
            with pytest.raises(zdkit.TimeoutError):
                call()


@pytest.mark.parametrize("value", [0, -1, float("nan"), 86401, "5", True])
def test_per_request_timeout_is_range_checked(value: Any) -> None:
    with zdkit.Client(base_url="http://127.0.0.1:9", oauth_token="t") as client:
        with pytest.raises(zdkit.ConfigurationError, match="timeout"):
            client.get("/x", timeout=value)
