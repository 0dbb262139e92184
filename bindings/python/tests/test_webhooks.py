"""zdkit.webhooks.verify and the C ABI's zdk_webhook_verify, against signatures
computed here, independently, with Python's hmac module."""

from __future__ import annotations

import base64
import ctypes
import hashlib
import hmac
import os
import time
from datetime import datetime, timezone
from typing import Callable, List, Tuple

import pytest

import zdkit
from zdkit import webhooks

from conftest import ROOT

SECRET = "whsec-py-7c2e"
BODY = '{"ticket":{"id":7,"subject":"Caf\u00e9 \u2615 closed"}}'.encode("utf-8")
ZDK_OK = 0
ZDK_ERR_INVALID_ARGUMENT = 4
ZDK_ERR_AUTHENTICATION = 6


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def stamp(at: float) -> str:
    return datetime.fromtimestamp(int(at), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def c_verify() -> Callable[[bytes, str, str, str, float], int]:
    """zdk_webhook_verify from the C library cargo built (target/debug/libzdkit.so)."""
    target = os.environ.get("CARGO_TARGET_DIR") or str(ROOT / "target")
    path = os.path.join(target, "debug", "libzdkit.so")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make test` (it builds the C library)")
    lib = ctypes.CDLL(path)
    fn = lib.zdk_webhook_verify
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_double]

    def call(body: bytes, signature: str, timestamp: str, secret: str, tolerance: float) -> int:
        return int(fn(body, len(body), signature.encode(), timestamp.encode(), secret.encode(), tolerance))

    return call


def vectors(now: float) -> List[Tuple[str, bytes, str, str, str, bool]]:
    """(name, body, signature, timestamp, secret, genuine) built around `now`."""
    fresh = stamp(now - 5)
    good = sign(BODY, fresh)
    stale = stamp(now - 301)
    ahead = stamp(now + 301)
    return [
        ("genuine", BODY, good, fresh, SECRET, True),
        ("empty body", b"", sign(b"", fresh), fresh, SECRET, True),
        ("binary body", bytes(range(256)), sign(bytes(range(256)), fresh), fresh, SECRET, True),
        ("unix-seconds timestamp", BODY, sign(BODY, str(int(now))), str(int(now)), SECRET, True),
        ("wrong secret", BODY, good, fresh, SECRET + "x", False),
        ("altered body", BODY.replace(b"7", b"8"), good, fresh, SECRET, False),
        ("re-serialised JSON", b'{"ticket": {"id": 7}}', good, fresh, SECRET, False),
        ("altered timestamp", BODY, good, stamp(now - 4), SECRET, False),
        ("stale timestamp", BODY, sign(BODY, stale), stale, SECRET, False),
        ("timestamp far ahead", BODY, sign(BODY, ahead), ahead, SECRET, False),
        ("non-base64 signature", BODY, "%%% not base64 %%%", fresh, SECRET, False),
        ("hex signature", BODY, hmac.new(SECRET.encode(), fresh.encode() + BODY, hashlib.sha256).hexdigest(), fresh, SECRET, False),
        ("truncated signature", BODY, good[:20], fresh, SECRET, False),
        ("empty signature", BODY, "", fresh, SECRET, False),
        ("timestamp not a time", BODY, sign(BODY, "soon"), "soon", SECRET, False),
    ]


def test_python_and_c_agree_on_every_vector() -> None:
    c = c_verify()
    now = time.time()
    for name, body, signature, timestamp, secret, genuine in vectors(now):
        assert webhooks.verify(body, signature, timestamp, secret, now=now) is genuine, name
        assert webhooks.verify(body, signature, timestamp, secret) is genuine, name
        expected = ZDK_OK if genuine else ZDK_ERR_AUTHENTICATION
        assert c(body, signature, timestamp, secret, 300) == expected, name


def test_tolerance_and_now() -> None:
    at = 1_781_023_331.0
    ts = stamp(at)
    sig = sign(BODY, ts)
    assert webhooks.verify(BODY, sig, ts, SECRET, now=at + 300)
    assert not webhooks.verify(BODY, sig, ts, SECRET, now=at + 301)
    assert webhooks.verify(BODY, sig, ts, SECRET, now=at + 3600, tolerance=3600)
    assert not webhooks.verify(BODY, sig, ts, SECRET, now=at - 301)


def test_headers_helper_matches_names_case_insensitively() -> None:
    now = time.time()
    ts = stamp(now)
    headers = {"x-zendesk-webhook-signature": sign(BODY, ts), "X-ZENDESK-WEBHOOK-SIGNATURE-TIMESTAMP": ts}
    assert webhooks.verify_headers(BODY, headers, SECRET)
    assert not webhooks.verify_headers(BODY, {"x-zendesk-webhook-signature": sign(BODY, ts)}, SECRET)


def test_bad_arguments_raise() -> None:
    ts = stamp(time.time())
    sig = sign(BODY, ts)
    with pytest.raises(TypeError):
        webhooks.verify(BODY.decode(), sig, ts, SECRET)  # type: ignore[arg-type]
    with pytest.raises(zdkit.ConfigurationError):
        webhooks.verify(BODY, sig, ts, "")
    for tolerance in (-1.0, float("nan"), float("inf")):
        with pytest.raises(zdkit.ConfigurationError):
            webhooks.verify(BODY, sig, ts, SECRET, tolerance=tolerance)
    with pytest.raises(zdkit.ConfigurationError):
        webhooks.verify(BODY, sig, ts, SECRET, now=float("nan"))
    c = c_verify()
    assert c(BODY, sig, ts, "", 300) == ZDK_ERR_INVALID_ARGUMENT
    assert c(BODY, sig, ts, SECRET, -5) == ZDK_ERR_INVALID_ARGUMENT


def test_the_secret_never_appears_in_an_error() -> None:
    ts = stamp(time.time())
    try:
        zdkit._native.verify_webhook(BODY, "bad", ts, SECRET, 300.0)
    except zdkit.AuthenticationError as error:
        assert SECRET not in str(error) and SECRET not in repr(error)
    else:
        pytest.fail("a bad signature was accepted")
