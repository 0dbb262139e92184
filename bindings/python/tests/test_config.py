"""Configuration errors: raised before any request, with messages that say what to do."""

from __future__ import annotations

import pytest

import zdkit
from conftest import CANARY


def test_no_credential() -> None:
    with pytest.raises(zdkit.ConfigurationError, match="API token") as caught:
        zdkit.Client("acme")
    assert isinstance(caught.value, ValueError)


def test_two_credentials() -> None:
    with pytest.raises(zdkit.ConfigurationError, match="more than one credential"):
        zdkit.Client("acme", email="a@example.com", api_token="t", oauth_token="o")


def test_password_is_refused_naming_both_modes() -> None:
    with pytest.raises(zdkit.ConfigurationError) as caught:
        zdkit.Client("acme", email="a@example.com", password=CANARY)
    message = str(caught.value)
    assert "API token" in message and "OAuth" in message
    assert CANARY not in message and CANARY not in repr(caught.value)


def test_email_without_token_and_token_without_email() -> None:
    with pytest.raises(zdkit.ConfigurationError, match="api_token"):
        zdkit.Client("acme", email="a@example.com")
    with pytest.raises(zdkit.ConfigurationError, match="email"):
        zdkit.Client("acme", api_token="t")


def test_insecure_transport() -> None:
    with pytest.raises(zdkit.InsecureTransportError) as caught:
        zdkit.Client(base_url="http://example.com", oauth_token=CANARY)
    assert isinstance(caught.value, zdkit.ConfigurationError)
    assert CANARY not in str(caught.value)
    zdkit.Client(base_url="http://127.0.0.1:1", oauth_token="x")  # loopback is allowed


@pytest.mark.parametrize("subdomain", ["acme.zendesk.com", "-x", "a b", ""])
def test_bad_subdomains(subdomain: str) -> None:
    with pytest.raises(zdkit.ConfigurationError):
        zdkit.Client(subdomain, oauth_token="x")


def test_header_injection_in_a_token() -> None:
    with pytest.raises(zdkit.ConfigurationError, match="injection"):
        zdkit.Client("acme", oauth_token="tok\r\nX-Evil: 1")


@pytest.mark.parametrize("options", [{"timeout": 0}, {"timeout": -1.0}, {"connect_timeout": float("nan")}, {"max_retries": -1}, {"timeout": "5"}])
def test_bad_numbers(options: dict) -> None:
    with pytest.raises(zdkit.ConfigurationError):
        zdkit.Client("acme", oauth_token="x", **options)


def test_repr_never_shows_the_token() -> None:
    client = zdkit.Client("acme", email="a@example.com", api_token=CANARY)
    assert CANARY not in repr(client)
    assert "a@example.com" in repr(client)


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZENDESK_SUBDOMAIN", "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(zdkit.ConfigurationError, match="ZENDESK_SUBDOMAIN"):
        zdkit.Client.from_env()
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "acme")
    with pytest.raises(zdkit.ConfigurationError, match="ZENDESK_OAUTH_TOKEN"):
        zdkit.Client.from_env()
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", CANARY)
    client = zdkit.Client.from_env(timeout=5)
    assert client.base_url == "https://acme.zendesk.com/"
    assert CANARY not in repr(client)


def test_request_arguments() -> None:
    client = zdkit.Client(base_url="http://127.0.0.1:1", oauth_token="x")
    with pytest.raises(zdkit.ConfigurationError, match="not both"):
        client.request("POST", "/x", json={}, data=b"x")
    with pytest.raises(zdkit.ConfigurationError, match="Authorization"):
        client.request("GET", "/x", headers={"Authorization": "Basic abc"})
    with pytest.raises(zdkit.ConfigurationError):
        client.request("GET", "https://evil.example.com/api/v2/users/me.json")
