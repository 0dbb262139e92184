"""Client(on_event=...): events for answers, retries, pacing waits and token requests,
against the real emulator."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Awaitable, Callable, Iterator, List

import pytest

import zdkit
from conftest import CANARY, OAUTH_TOKEN, Emulator


@pytest.fixture(scope="module")
def limited() -> Iterator[Emulator]:
    """An emulator that sends rate-limit headers (an account budget of 1000/min)."""
    running = Emulator("--rate-limit", "1000/60")
    yield running
    running.stop()


def everything(event: zdkit.Event) -> str:
    return " ".join(
        str(getattr(event, name))
        for name in ("kind", "method", "path", "status", "duration", "attempt", "request_id",
                     "retry_after", "rate_limit_remaining", "rate_limit_limit")
    ) + repr(event)


def one_429(emulator: Emulator) -> None:
    """Resets `emulator`; its next `GET /api/v2/users/me` answers 429, Retry-After: 1."""
    emulator.reset()
    emulator.fault(
        method="GET",
        path_prefix="/api/v2/users/me",
        fault={"kind": "status", "status": 429, "headers": {"Retry-After": "1"},
               "body": "Too many requests", "content_type": "text/plain"},
    )


def test_a_retried_429_gives_retry_then_response(limited: Emulator) -> None:
    one_429(limited)
    events: List[zdkit.Event] = []
    with limited.client(max_retries=2, on_event=events.append) as client:
        me = client.get("/api/v2/users/me.json", params={"canary": CANARY},)
    assert me["user"]["id"]
    assert [e.kind for e in events] == ["retry", "response"]
    retry, last = events
    assert (retry.status, retry.attempt, retry.retry_after) == (429, 0, 1.0)
    assert retry.duration >= 1.0 and retry.request_id
    assert (last.status, last.attempt, last.retry_after) == (200, 1, None)
    assert last.request_id and 0 < last.duration < 60
    assert last.rate_limit_limit == 1000 and last.rate_limit_remaining is not None
    for event in events:
        assert (event.method, event.path) == ("GET", "/api/v2/users/me.json")
        text = everything(event)
        assert CANARY not in text and OAUTH_TOKEN not in text and "?" not in text


def test_token_events_and_no_secret_anywhere(limited: Emulator) -> None:
    limited.reset()
    events: List[zdkit.Event] = []
    credentials = zdkit.OAuthClientCredentials("emulator-client", "emulator-client-secret")
    with zdkit.Client(base_url=limited.url, oauth=credentials, on_event=events.append, max_retries=0) as client:
        client.get("/api/v2/users/me.json")
        token = client.token_set
        assert token is not None
    kinds = [e.kind for e in events]
    assert kinds == ["token", "response"], kinds
    assert (events[0].method, events[0].path, events[0].status) == ("POST", "/oauth/tokens", 201)
    for event in events:
        text = everything(event)
        assert token.access_token not in text and "emulator-client-secret" not in text


def test_a_transport_failure_has_no_status() -> None:
    events: List[zdkit.Event] = []
    with zdkit.Client(base_url="http://127.0.0.1:9", oauth_token=CANARY, max_retries=0, on_event=events.append) as client:
        with pytest.raises(zdkit.TransportError):
            client.get("/api/v2/tickets.json", params={"q": CANARY})
    assert len(events) == 1
    assert events[0].kind == "response" and events[0].status is None
    assert CANARY not in everything(events[0])


def test_a_raising_callback_is_logged_and_ignored(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    calls: List[str] = []

    def broken(event: zdkit.Event) -> None:
        calls.append(event.kind)
        raise RuntimeError("observer bug")

    with caplog.at_level(logging.ERROR, logger="zdkit"):
        with emulator.client(on_event=broken) as client:
            assert client.get("/api/v2/users/me.json")["user"]["id"]
    assert calls == ["response"]
    assert any("on_event callback raised RuntimeError" in r.getMessage() for r in caplog.records)


def test_ctrl_c_inside_a_callback_reaches_the_caller(limited: Emulator) -> None:
    # Python runs a pending SIGINT handler wherever Python code runs next, which can be
    # an on_event callback in the middle of a call: the KeyboardInterrupt is the
    # caller's, not an observer bug to log and ignore.
    for kind in ("retry", "response"):
        one_429(limited)
        seen: List[str] = []

        def interrupted(event: zdkit.Event, kind: str = kind) -> None:
            seen.append(event.kind)
            if event.kind == kind and seen.count(kind) == 1:  # once, as Ctrl-C would
                raise KeyboardInterrupt

        with limited.client(max_retries=2, on_event=interrupted) as client:
            with pytest.raises(KeyboardInterrupt):
                client.get("/api/v2/users/me.json")
            assert seen[-1] == kind
            # the client is still usable afterwards
            assert client.get("/api/v2/users/me.json")["user"]["id"]


def test_ctrl_c_inside_a_logging_handler_reaches_the_caller(limited: Emulator) -> None:
    # The same for the `zdkit` logger's handlers, which run while a call logs its retry.
    class Interrupting(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise KeyboardInterrupt

    logger = logging.getLogger("zdkit")
    handler, level = Interrupting(logging.DEBUG), logger.level
    one_429(limited)
    with limited.client(max_retries=2) as client:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            with pytest.raises(KeyboardInterrupt):
                client.get("/api/v2/users/me.json")
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        assert client.get("/api/v2/users/me.json")["user"]["id"]


def test_callbacks_from_many_threads_do_not_deadlock(emulator: Emulator) -> None:
    lock = threading.Lock()
    seen: List[int] = []

    def record(event: zdkit.Event) -> None:
        with lock:
            seen.append(event.status or 0)

    with emulator.client(on_event=record) as client:
        threads = [threading.Thread(target=lambda: [client.get("/api/v2/users/me.json") for _ in range(5)]) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    assert seen == [200] * 20


def test_on_event_must_be_callable() -> None:
    with pytest.raises(TypeError, match="on_event"):
        zdkit.Client("acme", oauth_token="t", on_event=42)  # type: ignore[arg-type]


def test_the_prometheus_example_counts_answers_and_retries(limited: Emulator) -> None:
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("zdkit_metrics_example", ROOT / "examples" / "python" / "metrics.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    limited.reset()
    limited.fault(method="GET", path_prefix="/api/v2/tickets/", fault={"kind": "status", "status": 429,
                  "headers": {"Retry-After": "1"}, "body": "slow down", "content_type": "text/plain"})
    metrics = example.ZendeskMetrics()
    with limited.client(max_retries=2, on_event=metrics.observe) as client:
        first = client.get("/api/v2/tickets.json")["tickets"][0]["id"]
        client.get(f"/api/v2/tickets/{first}.json")
    text = metrics.exposition()
    assert 'zendesk_responses_total{method="GET",route="/api/v2/tickets/:id.json",status="200"} 1' in text
    assert 'status="429"} 1' not in text.split("zendesk_retries_total")[0]
    assert 'zendesk_retries_total{status="429"} 1' in text
    assert "zendesk_rate_limit_limit 1000" in text
    assert f"/{first}" not in text  # ids are grouped, not labels


def run_async(main: Callable[[], Awaitable[None]]) -> None:
    """Runs a coroutine on a fresh event loop, bounded to 60 s."""

    async def bounded() -> None:
        await asyncio.wait_for(main(), timeout=60)

    asyncio.run(bounded())


def test_async_a_retried_429_gives_retry_then_response(limited: Emulator) -> None:
    one_429(limited)
    events: List[zdkit.Event] = []
    threads: List[int] = []

    def record(event: zdkit.Event) -> None:
        threads.append(threading.get_ident())
        events.append(event)

    async def main() -> None:
        async with zdkit.AsyncClient(base_url=limited.url, oauth_token=OAUTH_TOKEN, max_retries=2,
                                     on_event=record) as client:
            me = await client.get("/api/v2/users/me.json", params={"canary": CANARY})
            assert me["user"]["id"]
            # Every event of the call was delivered before its result.
            assert [e.kind for e in events] == ["retry", "response"]

    run_async(main)
    retry, last = events
    assert (retry.status, retry.attempt, retry.retry_after) == (429, 0, 1.0)
    assert retry.request_id
    assert (last.status, last.attempt, last.retry_after) == (200, 1, None)
    assert last.rate_limit_limit == 1000 and last.rate_limit_remaining is not None
    # Delivered off the event loop's thread (which ran this test's coroutine).
    assert threading.get_ident() not in threads
    for event in events:
        assert (event.method, event.path) == ("GET", "/api/v2/users/me.json")
        text = everything(event)
        assert CANARY not in text and OAUTH_TOKEN not in text and "?" not in text


def test_async_token_events_and_a_raising_callback(limited: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    limited.reset()
    events: List[zdkit.Event] = []

    def broken(event: zdkit.Event) -> None:
        events.append(event)
        raise RuntimeError("observer bug")

    credentials = zdkit.OAuthClientCredentials("emulator-client", "emulator-client-secret")

    async def main() -> None:
        async with zdkit.AsyncClient(base_url=limited.url, oauth=credentials, on_event=broken,
                                     max_retries=0) as client:
            await asyncio.gather(*(client.get("/api/v2/users/me.json") for _ in range(4)))

    with caplog.at_level(logging.ERROR, logger="zdkit"):
        run_async(main)
    kinds = sorted(e.kind for e in events)
    assert kinds == ["response"] * 4 + ["token"], kinds
    token = next(e for e in events if e.kind == "token")
    assert (token.method, token.path, token.status) == ("POST", "/oauth/tokens", 201)
    assert any("on_event callback raised RuntimeError" in r.getMessage() for r in caplog.records)
    for event in events:
        assert "emulator-client-secret" not in everything(event)
