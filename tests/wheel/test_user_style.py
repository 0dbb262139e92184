"""A user's own test file, as the docs tell them to write it: nothing from zdkit's source
tree, only `pip install zdkit pytest` and the `zendesk_emulator` fixture."""

import zdkit
from zdkit.testing import Emulator


def test_creates_tickets_and_reads_them_back(zendesk_emulator: Emulator) -> None:
    client = zendesk_emulator.client()
    made = [
        client.post("/api/v2/tickets", json={"ticket": {"subject": f"Order {n}", "comment": {"body": "Where is it?"}}})["ticket"]
        for n in range(3)
    ]
    assert [t["subject"] for t in made] == ["Order 0", "Order 1", "Order 2"]
    assert client.get(f"/api/v2/tickets/{made[1]['id']}")["ticket"]["subject"] == "Order 1"
    posts = [r for r in zendesk_emulator.requests() if r["method"] == "POST"]
    assert [r["path"] for r in posts] == ["/api/v2/tickets"] * 3


def test_a_429_is_retried_after_retry_after(zendesk_emulator: Emulator) -> None:
    zendesk_emulator.inject(
        "GET", "/api/v2/tickets/1", {"kind": "status", "status": 429, "headers": {"Retry-After": "1"}}
    )
    client = zendesk_emulator.client()
    assert client.get("/api/v2/tickets/1")["ticket"]["id"] == 1
    log = zendesk_emulator.requests("/api/v2/tickets/1")
    assert len(log) == 2, log


def test_a_429_reaches_my_code_when_retries_are_off(zendesk_emulator: Emulator) -> None:
    zendesk_emulator.inject("GET", "/api/v2/users/me", 429, times=1)
    client = zendesk_emulator.client(max_retries=0)
    try:
        client.get("/api/v2/users/me")
    except zdkit.RateLimitError as error:
        assert error.status == 429
    else:
        raise AssertionError("the injected 429 did not surface")
    assert client.get("/api/v2/users/me")["user"]["email"] == "agent@example.com"


def test_each_test_starts_from_the_seed(zendesk_emulator: Emulator) -> None:
    assert zendesk_emulator.requests() == []
    assert zendesk_emulator.faults() == []
    log_in = zendesk_emulator.client().get("/api/v2/users/me")
    assert log_in["user"]["id"] == 1
    authorization = zendesk_emulator.requests()[0]["headers"]["authorization"]
    assert authorization.startswith("Basic ")
