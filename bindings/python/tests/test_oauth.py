"""The OAuth lifecycle from Python against the emulator."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from typing import Iterator, List

import pytest

import zdkit
from conftest import EMAIL, Emulator

CANARY = "canary-oauth-secret-93a1"
CLIENT_ID, CLIENT_SECRET = "emulator-client", "emulator-client-secret"


@pytest.fixture()
def with_tokens(tmp_path) -> Iterator[Emulator]:
    config = tmp_path / "emulator.toml"
    config.write_text(
        '[[oauth_tokens]]\naccess_token = "start-access"\nrefresh_token = "start-refresh"\n'
        'client = "emulator-client"\nuser = "agent@example.com"\nscopes = ["read", "write"]\nexpires_in = 600\n'
        '[[oauth_codes]]\ncode = "the-code"\nclient = "emulator-client"\nscopes = ["read"]\n'
        'redirect_uri = "http://localhost/cb"\n'
    )
    running = Emulator("--config", str(config))
    yield running
    running.stop()


def token_posts(emulator: Emulator) -> int:
    return len([r for r in emulator.requests("/oauth/tokens")])


def test_client_credentials_survive_several_expiries(fresh: Emulator) -> None:
    oauth = zdkit.OAuthClientCredentials(CLIENT_ID, CLIENT_SECRET, scope="read write", expires_in=3)
    calls = 0
    with zdkit.Client(base_url=fresh.url, oauth=oauth) as client:
        started = time.monotonic()
        while time.monotonic() - started < 7.5 and calls < 400:
            assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
            calls += 1
            time.sleep(0.05)
        token = client.token_set
    assert token is not None and token.expires_at is not None
    assert token.access_token not in repr(token)
    assert len(fresh.requests("/api/v2/users/me")) == calls, "no 401 and no replay"
    assert 3 <= token_posts(fresh) <= 5


def test_refresh_rotation_reaches_on_rotate(with_tokens: Emulator) -> None:
    rotations: List[zdkit.TokenSet] = []
    oauth = zdkit.OAuthRefreshToken(CLIENT_ID, CLIENT_SECRET, "start-refresh", on_rotate=rotations.append)
    client = zdkit.Client(base_url=with_tokens.url, oauth=oauth)
    client.get("/api/v2/users/me.json")
    assert len(rotations) == 1 and rotations[0].refresh_token not in (None, "start-refresh")
    with pytest.raises(zdkit.AuthenticationError) as caught:
        zdkit.oauth.exchange_code(with_tokens.url, CLIENT_ID, CLIENT_SECRET, "no-such-code", "http://localhost/cb")
    assert caught.value.code == "invalid_grant"
    with_tokens.fault(method="GET", path_prefix="/api/v2/users/me", fault={
        "kind": "status", "status": 401, "body": '{"error":"Couldn\'t authenticate you"}'})
    client.get("/api/v2/users/me.json")
    assert len(rotations) == 2
    latest = rotations[-1]
    assert client.token_set == latest
    client.close()
    rebuilt = zdkit.Client(base_url=with_tokens.url, oauth=zdkit.OAuthRefreshToken(CLIENT_ID, CLIENT_SECRET, latest.refresh_token or ""))
    assert rebuilt.get("/api/v2/users/me.json")["user"]["id"]
    stale = zdkit.Client(base_url=with_tokens.url, oauth=zdkit.OAuthRefreshToken(CLIENT_ID, CLIENT_SECRET, "start-refresh"))
    with pytest.raises(zdkit.AuthenticationError):
        stale.get("/api/v2/users/me.json")


def test_a_raising_callback_loses_nothing(with_tokens: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    def broken(_: zdkit.TokenSet) -> None:
        raise RuntimeError("disk full")

    client = zdkit.Client(base_url=with_tokens.url, oauth=zdkit.OAuthRefreshToken(CLIENT_ID, CLIENT_SECRET, "start-refresh", on_rotate=broken))
    assert client.get("/api/v2/users/me.json")
    assert client.token_set is not None and client.token_set.refresh_token
    assert "RuntimeError" in caplog.text


def test_sixteen_threads_one_token_request(with_tokens: Emulator) -> None:
    client = zdkit.Client(base_url=with_tokens.url, oauth=zdkit.OAuthRefreshToken(CLIENT_ID, CLIENT_SECRET, "start-refresh"))
    barrier = threading.Barrier(16)
    results: List[int] = []

    def work() -> None:
        barrier.wait()
        results.append(client.request("GET", "/api/v2/users/me.json").status)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [200] * 16
    assert token_posts(with_tokens) == 1


def test_401_renews_and_replays_once(fresh: Emulator) -> None:
    client = zdkit.Client(base_url=fresh.url, oauth=zdkit.OAuthClientCredentials(CLIENT_ID, CLIENT_SECRET))
    client.get("/api/v2/users/me.json")
    unauthorized = {"kind": "status", "status": 401, "body": '{"error":"Couldn\'t authenticate you"}'}
    fresh.fault(method="GET", path_prefix="/api/v2/users/me", fault=unauthorized)
    assert client.get("/api/v2/users/me.json")["user"]["id"]
    assert token_posts(fresh) == 2
    fresh.fault(method="GET", path_prefix="/api/v2/users/me", fault=unauthorized, times=2)
    with pytest.raises(zdkit.AuthenticationError):
        client.get("/api/v2/users/me.json")


def test_wrong_secret_has_zendesks_code_and_no_canary(fresh: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="zdkit")
    oauth = zdkit.OAuthClientCredentials(CLIENT_ID, CANARY)
    client = zdkit.Client(base_url=fresh.url, oauth=oauth)
    with pytest.raises(zdkit.AuthenticationError) as caught:
        client.get("/api/v2/users/me.json")
    assert caught.value.code == "invalid_client" and caught.value.description
    for text in (str(caught.value), repr(caught.value), repr(client), repr(oauth), caplog.text):
        assert CANARY not in text


def test_pkce_pair_is_s256() -> None:
    verifier, challenge = zdkit.oauth.pkce_pair()
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == digest and len(verifier) == 43
    assert zdkit.oauth.pkce_pair()[0] != verifier


def test_authorization_code_flow(with_tokens: Emulator) -> None:
    verifier, challenge = zdkit.oauth.pkce_pair()
    url = zdkit.oauth.authorize_url(with_tokens.url, CLIENT_ID, "http://localhost/cb", state="s", code_challenge=challenge)
    assert url.startswith(with_tokens.url + "/oauth/authorizations/new?") and challenge in url
    token = zdkit.oauth.exchange_code(with_tokens.url, CLIENT_ID, CLIENT_SECRET, "the-code", "http://localhost/cb", code_verifier=verifier)
    assert token.refresh_token and "[redacted]" in repr(token) and token.access_token not in repr(token)
    client = zdkit.Client(base_url=with_tokens.url, oauth_token=token.access_token)
    assert client.get("/api/v2/users/me.json")["user"]["id"]


def test_from_env_and_cli_with_client_credentials(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update({"ZENDESK_URL": emulator.url, "ZENDESK_CLIENT_ID": CLIENT_ID, "ZENDESK_CLIENT_SECRET": CLIENT_SECRET,
                "ZENDESK_OAUTH_SCOPE": "read write"})
    for name, value in env.items():
        if name.startswith("ZENDESK_"):
            monkeypatch.setenv(name, value)
    for name in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "ZENDESK_SUBDOMAIN"):
        monkeypatch.delenv(name, raising=False)
    with zdkit.Client.from_env() as client:
        assert client.get("/api/v2/users/me.json")["user"]["email"] == EMAIL
        assert client.token_set is not None and client.token_set.scope == "read write"
    token = subprocess.run([sys.executable, "-m", "zdkit", "oauth", "token"], env=env, capture_output=True, text=True, timeout=60)
    assert token.returncode == 0, token.stderr
    printed = json.loads(token.stdout)
    assert printed["access_token"] and printed["expires_at"] > time.time()
    who = subprocess.run([sys.executable, "-m", "zdkit", "whoami"], env=env, capture_output=True, text=True, timeout=60)
    assert who.returncode == 0 and json.loads(who.stdout)["email"] == EMAIL
