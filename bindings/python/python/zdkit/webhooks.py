"""Verifying the signature of a Zendesk webhook request.

Zendesk signs each webhook request: ``X-Zendesk-Webhook-Signature`` is the base64
HMAC-SHA256 of the ``X-Zendesk-Webhook-Signature-Timestamp`` value followed by the raw
request body, keyed with the webhook's signing secret. Check it on the raw bytes the
server received — never on JSON parsed and dumped again — before trusting the request::

    from zdkit import webhooks

    if not webhooks.verify(request.body, request.headers[webhooks.SIGNATURE_HEADER],
                           request.headers[webhooks.TIMESTAMP_HEADER], SIGNING_SECRET):
        return 401
"""

from __future__ import annotations

from typing import Mapping, Optional

from . import _native
from .errors import AuthenticationError

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "DEFAULT_TOLERANCE", "verify", "verify_headers"]

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
"""The header holding the signature."""
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
"""The header holding the signed timestamp."""
DEFAULT_TOLERANCE = 300.0
"""How far (seconds) the timestamp may be from now by default."""


def verify(
    body: bytes,
    signature: str,
    timestamp: str,
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> bool:
    """True when ``signature`` is the base64 HMAC-SHA256 of ``timestamp`` followed by
    ``body`` under ``secret`` and the timestamp is within ``tolerance`` seconds of
    ``now`` (Unix seconds; default the system clock), either side.

    False for a request to reject: wrong secret, altered body or timestamp, a signature
    that is not base64, a timestamp that is not a time or is stale (a replay). The
    tags are compared in constant time. ``body`` must be the raw ``bytes`` (a ``str``
    raises ``TypeError``); an empty secret or a negative tolerance raises
    :class:`zdkit.ConfigurationError`.
    """
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be the raw request body as bytes, not " + type(body).__name__)
    for name, value in (("signature", signature), ("timestamp", timestamp), ("secret", secret)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    try:
        _native.verify_webhook(bytes(body), signature, timestamp, secret, float(tolerance), now)
    except AuthenticationError:
        return False
    return True


def verify_headers(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> bool:
    """:func:`verify` reading the two headers from ``headers`` (names matched
    case-insensitively); False when either is missing."""
    lowered = {str(name).lower(): value for name, value in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower())
    timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    if signature is None or timestamp is None:
        return False
    return verify(body, signature, timestamp, secret, tolerance=tolerance, now=now)
