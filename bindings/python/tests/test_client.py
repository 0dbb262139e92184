"""zdkit.Client against a real emulator: credential modes, errors, threads, secrets."""

from __future__ import annotations

import base64
import logging
import threading
import time

import pytest

import zdkit
from conftest import API_TOKEN, CANARY, EMAIL, OAUTH_TOKEN, Emulator, header


def test_api_token_mode_sends_the_exact_basic_header(fresh: Emulator) -> None:
    with fresh.client(oauth_token=None, email=EMAIL, api_token=API_TOKEN) as client:
        me = client.get("/api/v2/users/me.json")
    assert me["user"]["email"] == EMAIL
    expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
    (logged,) = fresh.requests("/api/v2/users/me")
    assert header(logged, "Authorization") == expected


def test_oauth_mode_sends_the_bearer_token(fresh: Emulator) -> None:
    with fresh.client() as client:
        response = client.request("GET", "/api/v2/users/me")
    assert response.status == 200
    assert response.http_version == "HTTP/1.1"  # plain http to the emulator
    assert response.json()["user"]["id"] is not None
    assert response.request_id
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("X-REQUEST-ID")
    (logged,) = fresh.requests("/api/v2/users/me")
    assert header(logged, "authorization") == f"Bearer {OAUTH_TOKEN}"


def test_get_returns_parsed_json_and_params_are_encoded(fresh: Emulator) -> None:
    with fresh.client() as client:
        page = client.get("/api/v2/tickets.json", params={"page[size]": 5, "include": ["users", "groups"]})
    assert len(page["tickets"]) == 5
    assert isinstance(page["tickets"][0]["id"], int)
    (logged,) = fresh.requests("/api/v2/tickets")
    assert "page%5Bsize%5D=5" in logged["query"]
    assert "include=users%2Cgroups" in logged["query"]


def test_create_update_delete_round_trip(fresh: Emulator) -> None:
    with fresh.client() as client:
        created = client.post("/api/v2/tickets.json", json={"ticket": {"subject": "Printer on fire", "comment": {"body": "help"}}},
                              idempotency_key="key-1")
        ticket_id = created["ticket"]["id"]
        again = client.request("POST", "/api/v2/tickets.json", json={"ticket": {"subject": "Printer on fire", "comment": {"body": "help"}}},
                               headers={"Idempotency-Key": "key-1"})
        assert again.json()["ticket"]["id"] == ticket_id
        assert again.headers.get("x-idempotency-lookup") == "hit"
        updated = client.put(f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"status": "solved"}})
        assert updated["ticket"]["status"] == "solved"
        assert client.delete(f"/api/v2/tickets/{ticket_id}.json") is None
        with pytest.raises(zdkit.NotFoundError):
            client.get(f"/api/v2/tickets/{ticket_id}.json")


def test_not_found_has_every_attribute(fresh: Emulator) -> None:
    with fresh.client() as client, pytest.raises(zdkit.NotFoundError) as caught:
        client.get("/api/v2/tickets/987654321.json", params={"email": "private@example.com"})
    error = caught.value
    assert isinstance(error, zdkit.ZendeskError)
    assert error.status == 404
    assert error.code == "RecordNotFound"
    assert error.request_id
    assert error.method == "GET"
    assert error.path == "/api/v2/tickets/987654321.json"
    assert error.response is not None and error.response.status == 404
    assert "private@example.com" not in str(error)


def _fault_error(emulator: Emulator, status: int, body: str, content_type: str = "application/json") -> zdkit.ZendeskError:
    emulator.fault(path_prefix="/api/v2/groups", fault={
        "kind": "status", "status": status, "headers": {"Retry-After": "3"}, "body": body, "content_type": content_type})
    with emulator.client() as client, pytest.raises(zdkit.ZendeskError) as caught:
        client.get("/api/v2/groups.json")
    return caught.value


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (403, '{"error":"Forbidden","description":"You are missing the following required scopes: read"}', zdkit.PermissionDeniedError),
        (409, '{"error":"Conflict","description":"stale"}', zdkit.ConflictError),
        (422, '{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"taken","error":"DuplicateValue"}]}}', zdkit.ValidationError),
        (429, "Rate limit exceeded", zdkit.RateLimitError),
        (500, "<html>oops</html>", zdkit.ServerError),
        (400, '{"errors":[{"code":"InvalidPaginationDepth","title":"t","detail":"d","status":"400"}]}', zdkit.HTTPError),
    ],
)
def test_every_error_class_from_a_real_answer(fresh: Emulator, status: int, body: str, cls: type) -> None:
    error = _fault_error(fresh, status, body, "text/plain" if not body.startswith("{") else "application/json")
    assert type(error) is cls
    assert error.status == status
    assert error.request_id
    assert error.retry_after == 3.0


def test_validation_details_and_scopes(fresh: Emulator) -> None:
    error = _fault_error(fresh, 422, '{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"taken","error":"DuplicateValue"}]}}')
    assert error.code == "RecordInvalid"
    assert error.details == {"email": [{"description": "taken", "error": "DuplicateValue"}]}


def test_authentication_error_without_the_secret(fresh: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="zdkit")
    client = fresh.client(oauth_token=CANARY)
    with pytest.raises(zdkit.AuthenticationError) as caught:
        client.get("/api/v2/tickets.json")
    assert caught.value.status == 401
    for text in (str(caught.value), repr(caught.value), repr(client), caplog.text):
        assert CANARY not in text
    assert "GET /api/v2/tickets.json -> 401" in caplog.text


def test_transport_and_timeout_errors(fresh: Emulator) -> None:
    fresh.fault(path_prefix="/api/v2/users", fault={"kind": "reset"})
    with fresh.client() as client, pytest.raises(zdkit.TransportError):
        client.get("/api/v2/users.json")
    fresh.fault(path_prefix="/api/v2/users", fault={"kind": "delay", "ms": 3000})
    started = time.monotonic()
    with fresh.client(timeout=0.5) as client, pytest.raises(zdkit.TimeoutError) as caught:
        client.get("/api/v2/users.json")
    assert time.monotonic() - started < 2.5
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, zdkit.TransportError)


def test_malformed_json_is_a_decode_error(fresh: Emulator) -> None:
    fresh.fault(path_prefix="/api/v2/users", fault={"kind": "malformed_json"})
    with fresh.client() as client, pytest.raises(zdkit.DecodeError):
        client.get("/api/v2/users.json")


def test_api_warning_is_logged_as_a_warning(fresh: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="zdkit")
    with fresh.client() as client:
        response = client.request("POST", "/api/v2/tickets.json", json={"ticket": {"subject": "s", "comment": {"body": "b"}, "bogus_field": 1}})
    assert response.api_warning
    assert any(r.levelno == logging.WARNING and "API warning" in r.getMessage() for r in caplog.records)


def test_eight_threads_share_one_client(fresh: Emulator) -> None:
    errors: list = []
    with fresh.client() as client:
        def work() -> None:
            try:
                for _ in range(20):
                    assert client.get("/api/v2/users/me.json")["user"]["id"]
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert len(fresh.requests("/api/v2/users/me")) == 160


def test_transfers_release_the_gil(fresh: Emulator) -> None:
    fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "delay", "ms": 800})
    ticks = []
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    spinner = threading.Thread(target=spin)
    spinner.start()
    with fresh.client() as client:
        client.get("/api/v2/users/me.json")
    stop.set()
    spinner.join()
    assert len(ticks) > 20, "another Python thread kept running during the transfer"


def test_close_and_context_manager(fresh: Emulator) -> None:
    client = fresh.client()
    with client:
        assert client.get("/api/v2/users/me.json")
    assert client.closed
    with pytest.raises(zdkit.ConfigurationError, match="closed"):
        client.get("/api/v2/users/me.json")
    assert "closed" in repr(client)


def test_anonymous_users_me_has_a_null_id(fresh: Emulator) -> None:
    # Zendesk answers /users/me with 200 without credentials: never trust its status alone
    # (docs/zendesk.md, "Credentials").
    import urllib.request

    with urllib.request.urlopen(f"{fresh.url}/api/v2/users/me.json", timeout=10) as answer:
        assert answer.status == 200
        assert zdkit._native.loads(answer.read())["user"]["id"] is None


def test_ctrl_c_interrupts_a_long_transfer(fresh: Emulator) -> None:
    import signal
    import subprocess
    import sys

    fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "delay", "ms": 20000})
    script = (
        "import sys, zdkit\n"
        f"c = zdkit.Client(base_url={fresh.url!r}, oauth_token={OAUTH_TOKEN!r})\n"
        "print('started', flush=True)\n"
        "try:\n"
        "    c.get('/api/v2/users/me.json')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    sys.exit(42)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    time.sleep(0.7)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        code = child.wait(timeout=5)
    finally:
        child.kill()
    assert code == 42
    assert time.monotonic() - sent < 2.0


@pytest.mark.parametrize("text", [
    '{"a": 1, "b": [true, false, null], "c": {"d": "e\\u00e9\\ud83d\\ude00", "f": -1.5e3}}',
    '[{"status": "open"}, {"status": "open"}, {"status": "pending", "id": 18446744073709551615}]',
    '"just a string"', "12", "[]", "{}",
    '{"x": "' + "long" * 100 + '", "y": "' + "short" + '"}',
])
def test_native_json_parser_matches_json_loads(text: str) -> None:
    import json

    assert zdkit._native.loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize("bad", [b"{", b'{"a":}', b"[1,]", b"\xff", b"{} trailing"])
def test_native_json_parser_rejects_malformed_input(bad: bytes) -> None:
    with pytest.raises(zdkit.DecodeError):
        zdkit._native.loads(bad)
