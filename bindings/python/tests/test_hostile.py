"""The hostile-server suite (issue 9) from Python, through the installed wheel.

Every case of ``zdkit-hostile`` (see ``tests/hostile/src/main.rs``) must raise the
right ``zdkit.ZendeskError`` subclass (never ``PanicException``, never a bare
exception) or give the right answer, within the call's deadline. Each case runs in a
fresh interpreter (this file run as a script), so the test also checks that nothing
was printed on stderr and that the peak RSS (``VmHWM``) stayed under about twice
``max_response_bytes`` plus the interpreter's baseline.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import pathlib
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Iterator, List, Type

import pytest

import zdkit
from conftest import ServerProcess

ROOT = pathlib.Path(__file__).resolve().parents[3]
LIMIT = 8 * 1024 * 1024  # max_response_bytes of every client
DEADLINE = 3.0  # seconds, per call
SLACK = 2.0  # allowed past the deadline (debug build, busy machine)
BASELINE_KB = 48 * 1024  # interpreter + pytest + zdkit before any hostile answer (about 41 MB)
RETRIES = 2
CANARY = "canary-hostile-py-3f7a"
CANARY_SECRET = "canary-hostile-secret-py-c01d"
ISSUED_TOKEN = "hostile-access-token"
HWM_MARK = "HOSTILE-VMHWM-KB"
CHILD_LIMIT = 90.0  # seconds a child case may run before it is killed


def hostile_binary() -> str:
    path = os.environ.get("ZDKIT_HOSTILE") or str(ROOT / "target" / "debug" / "zdkit-hostile")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make test` (it builds zdkit-hostile)")
    return path


class Hostile(ServerProcess):
    """A running zdkit-hostile, stopped by PID at teardown (and exiting by itself when
    its stdin, a pipe held here, closes)."""

    def __init__(self) -> None:
        super().__init__([hostile_binary(), "--watch-stdin"], "zdkit-hostile", stdin=subprocess.PIPE)
        self.url = self.first_line.strip()
        assert self.url.startswith("http://127.0.0.1:"), self.first_line


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    running = Hostile()
    yield running
    running.stop()


# ---- helpers of the cases (run in the child) ---------------------------------------


def base(url: str, case: str) -> str:
    return f"{url}/case/{case}/"


def bearer(url: str, case: str, deadline: float = DEADLINE) -> zdkit.Client:
    return zdkit.Client(
        base_url=base(url, case),
        oauth_token=CANARY,
        max_response_bytes=LIMIT,
        deadline=deadline,
        max_retries=RETRIES,
    )


def minting(url: str, case: str) -> zdkit.Client:
    return zdkit.Client(
        base_url=base(url, case),
        oauth=zdkit.OAuthClientCredentials("hostile-client", CANARY_SECRET, scope="read", expires_in=1800),
        max_response_bytes=LIMIT,
        deadline=DEADLINE,
        max_retries=RETRIES,
    )


def timed(what: str, call: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """Runs call; it must end (answer or exception) within the deadline plus slack."""
    started = time.monotonic()
    try:
        return call()
    finally:
        took = time.monotonic() - started
        assert took <= deadline + SLACK, f"{what}: took {took:.1f} s, deadline {deadline} s"


def expect(what: str, error_type: Type[zdkit.ZendeskError], call: Callable[[], Any]) -> zdkit.ZendeskError:
    """call must raise exactly error_type (a ZendeskError subclass) within the deadline."""
    try:
        answer = timed(what, call)
    except BaseException as error:  # noqa: B902 - a PanicException is no Exception
        assert isinstance(error, zdkit.ZendeskError), f"{what}: not a ZendeskError: {error!r}"
        assert type(error) is error_type, f"{what}: expected {error_type.__name__}, got {error!r}"
        return error
    raise AssertionError(f"{what}: expected {error_type.__name__}, got {answer!r}")


def answer_or(what: str, error_type: Type[zdkit.ZendeskError], call: Callable[[], Any]) -> None:
    """call answers, or raises exactly error_type, within the deadline."""
    try:
        timed(what, call)
    except BaseException as error:  # noqa: B902
        assert type(error) is error_type, f"{what}: expected an answer or {error_type.__name__}, got {error!r}"


def server_log(url: str, prefix: str) -> List[Dict[str, Any]]:
    """The server's log of requests under prefix, read without zdkit."""
    host, port = url[len("http://"):].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", f"/__hostile/requests?prefix={prefix}")
        log: Dict[str, Any] = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    requests: List[Dict[str, Any]] = log["requests"]
    return requests


def case_log(url: str, case: str) -> List[Dict[str, Any]]:
    return server_log(url, f"/case/{case}/")


TICKETS = "/api/v2/tickets.json"


def get_tickets(client: zdkit.Client) -> zdkit.Response:
    return client.request("GET", TICKETS)


# ---- the cases ------------------------------------------------------------------------


def case_too_large(url: str, case: str) -> None:
    expect(case, zdkit.ResponseTooLargeError, lambda: get_tickets(bearer(url, case)))


def case_transport(url: str, case: str) -> None:
    expect(case, zdkit.TransportError, lambda: get_tickets(bearer(url, case)))


def case_cut(url: str, case: str) -> None:
    case_transport(url, case)
    assert len(case_log(url, case)) == 1 + RETRIES, f"{case}: a GET cut short is retried"


def case_timeout(url: str, case: str) -> None:
    expect(case, zdkit.TimeoutError, lambda: get_tickets(bearer(url, case)))


def case_undecodable(url: str, case: str) -> None:
    client = bearer(url, case)
    response = timed(case, lambda: get_tickets(client))
    assert response.status == 200
    expect(case, zdkit.DecodeError, response.json)
    expect(case, zdkit.DecodeError, lambda: next(iter(client.pages(TICKETS))))


def case_numbers(url: str, case: str) -> None:
    response = timed(case, lambda: get_tickets(bearer(url, case)))
    answer_or(case, zdkit.DecodeError, response.json)
    answer_or(case, zdkit.DecodeError, lambda: next(iter(bearer(url, case).pages(TICKETS))))


def case_huge_int(url: str, case: str) -> None:
    """An integer beyond 64 bits in an item stays exact: a Python int, not a rounded float."""
    case_numbers(url, case)
    exact = 123456789012345678901234567890
    assert bearer(url, case).get(TICKETS)["tickets"][0]["id"] == exact
    page = next(iter(bearer(url, case).pages(TICKETS)))
    assert page.items[0]["id"] == exact and type(page.items[0]["id"]) is int
    assert next(iter(bearer(url, case).paginate(TICKETS)))["id"] == exact


def case_http(url: str, case: str) -> None:
    expect(case, zdkit.HTTPError, lambda: get_tickets(bearer(url, case)))


def case_off_origin(url: str, case: str) -> None:
    case_http(url, case)
    landed = server_log(url, "/case/off-origin-landing/")
    assert landed == [], f"the redirect was followed: {landed}"


def refused_at_once(url: str, case: str, error_type: Type[zdkit.ZendeskError]) -> None:
    started = time.monotonic()
    error = expect(case, error_type, lambda: get_tickets(bearer(url, case)))
    assert time.monotonic() - started < DEADLINE, f"{case}: waited for the deadline"
    assert error.retry_after is not None and math.isfinite(error.retry_after) and error.retry_after > 0, (
        f"{case}: retry_after {error.retry_after!r}"
    )
    assert len(case_log(url, case)) == 1, f"{case}: one request, no retry"


def case_rate_limited(url: str, case: str) -> None:
    refused_at_once(url, case, zdkit.RateLimitError)


def case_server_error(url: str, case: str) -> None:
    refused_at_once(url, case, zdkit.ServerError)


def case_retry_after_date(url: str, case: str) -> None:
    client = bearer(url, case, deadline=10.0)
    started = time.monotonic()
    response = timed(case, lambda: get_tickets(client), deadline=10.0)
    assert response.status == 200
    assert time.monotonic() - started >= 1.5, f"{case}: did not wait until the date"
    assert len(case_log(url, case)) == 2, f"{case}: one retry"


def all_sent(url: str, case: str, calls: int) -> None:
    client = bearer(url, case)
    for _ in range(calls):
        assert timed(case, lambda: get_tickets(client)).status == 200
    assert len(case_log(url, case)) == calls, f"{case}: every call was sent"


def case_ratelimit_day(url: str, case: str) -> None:
    all_sent(url, case, 3)


def case_bucket(url: str, case: str) -> None:
    all_sent(url, case, 2)


def case_token_refused(url: str, case: str) -> None:
    expect(case, zdkit.AuthenticationError, lambda: minting(url, case).get("/api/v2/users/me.json"))
    log = case_log(url, case)
    assert log, f"{case}: the token endpoint was asked"
    for request in log:
        assert request["target"].endswith("/oauth/tokens"), f"{case}: an API request was sent: {request}"
        for line in request["headers"]:
            assert not line.lower().startswith(("x-injected", "authorization")), f"{case}: {line!r} arrived"


def case_token_tolerated(url: str, case: str) -> None:
    client = minting(url, case)
    for _ in range(2):
        answer_or(case, zdkit.AuthenticationError, lambda: client.get("/api/v2/users/me.json"))
    for request in case_log(url, case):
        if not request["target"].endswith("/oauth/tokens"):
            assert f"Authorization: Bearer {ISSUED_TOKEN}" in request["headers"], request


def case_token_slow(url: str, case: str) -> None:
    expect(case, zdkit.TimeoutError, lambda: minting(url, case).get("/api/v2/users/me.json"))


def case_cursor_cycle(url: str, case: str) -> None:
    pages = iter(bearer(url, case).pages(TICKETS))
    fetched = 0
    for _ in range(10):
        try:
            timed(case, lambda: next(pages))
        except zdkit.DecodeError:
            assert fetched <= 4, f"{case}: {fetched} pages before the error"
            return
        fetched += 1
    raise AssertionError(f"{case}: 10 pages of a cycle A -> B -> A without an error")


def case_link_comma(url: str, case: str) -> None:
    client = bearer(url, case)
    ids = [item["id"] for page in client.pages("/api/v2/help_center/articles.json", page_size=0)
           for item in page.items]
    assert ids == [1, 2], f"{case}: both pages, in order: {ids}"


CASES: Dict[str, Callable[[str, str], None]] = {
    "big-body": case_too_large,
    "big-body-chunked": case_too_large,
    "gzip-bomb": case_too_large,
    "many-headers": case_transport,
    "huge-header": case_transport,
    "slowloris": case_timeout,
    "slow-body": case_timeout,
    "deep-json": case_undecodable,
    "bad-utf8": case_undecodable,
    "nan": case_undecodable,
    "huge-numbers": case_numbers,
    "huge-int": case_huge_int,
    "redirect-loop": case_http,
    "redirect-off-origin": case_off_origin,
    "retry-after-1e300": case_rate_limited,
    "retry-after-u64": case_rate_limited,
    "reset-u64-429": case_rate_limited,
    "retry-after-1e300-503": case_server_error,
    "retry-after-u64-503": case_server_error,
    "retry-after-date": case_retry_after_date,
    "ratelimit-day": case_ratelimit_day,
    "bucket-huge": case_bucket,
    "bucket-huge-resets": case_bucket,
    "bucket-zero-total": case_bucket,
    "token-garbage": case_token_refused,
    "token-html": case_token_refused,
    "token-crlf": case_token_refused,
    "token-nul": case_token_refused,
    "token-expires-1e300": case_token_tolerated,
    "token-expires-negative": case_token_tolerated,
    "token-expires-string": case_token_tolerated,
    "token-expires-missing": case_token_tolerated,
    "token-expires-u64": case_token_tolerated,
    "token-slow": case_token_slow,
    "cursor-cycle": case_cursor_cycle,
    "link-comma": case_link_comma,
    "truncated": case_cut,
    "close": case_cut,
    "reset": case_cut,
}


def vm_hwm_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/self/status")


# ---- the tests: one child interpreter per case -------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_case(hostile: Hostile, case: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    try:
        child = subprocess.run(
            [sys.executable, __file__, case, hostile.url],
            capture_output=True,
            text=True,
            timeout=CHILD_LIMIT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"case {case}: the child was still running after {CHILD_LIMIT} s")
    assert child.returncode == 0, f"case {case} failed:\n{child.stdout}\n{child.stderr}"
    assert child.stderr == "", f"case {case} printed on stderr:\n{child.stderr}"
    marks = [line for line in child.stdout.splitlines() if line.startswith(HWM_MARK)]
    assert marks, f"case {case}: no {HWM_MARK} line:\n{child.stdout}"
    hwm = int(marks[0].split()[1])
    bound = 2 * LIMIT // 1024 + BASELINE_KB
    assert hwm <= bound, f"case {case}: peak RSS {hwm} kB is over {bound} kB"


if __name__ == "__main__":
    CASES[sys.argv[1]](sys.argv[2], sys.argv[1])
    print(f"{HWM_MARK} {vm_hwm_kb()}", flush=True)
