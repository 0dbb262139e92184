"""zdkit: a Zendesk Support API client with a native core.

>>> import zdkit
>>> client = zdkit.Client("acme", email="agent@acme.com", api_token="…")  # doctest: +SKIP
>>> client.get("/api/v2/users/me")["user"]["name"]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from . import _native, oauth, webhooks
from ._client import Client, IncrementalExport
from ._headers import Headers
from ._native import Event, ExportPage, Page, Response
from .oauth import OAuthClientCredentials, OAuthRefreshToken, TokenSet
from .errors import (
    AuthenticationError,
    CancelledError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    HTTPError,
    InsecureTransportError,
    InternalError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    SearchLimitError,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
    ZendeskError,
)

if TYPE_CHECKING:
    from . import types
    from ._async import AsyncClient, AsyncIncrementalExport, AsyncPages

# Imported on first use: the async client needs asyncio, whose import costs more than
# the rest of zdkit together (the `zdkit` command never needs it).
_ASYNC_NAMES = ("AsyncClient", "AsyncIncrementalExport", "AsyncPages")

__version__: str = _native.__version__


def __getattr__(name: str) -> Any:
    # ``zdkit.types`` (typed shapes, for annotations) is imported on first use only,
    # so ``import zdkit`` stays as fast as it was.
    if name == "types":
        return importlib.import_module(".types", __name__)
    if name in _ASYNC_NAMES:
        value = getattr(importlib.import_module("._async", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zdkit' has no attribute {name!r}")

# A library's loggers stay silent until the application configures logging: without
# this, Python's last-resort handler would print zdkit's retry warnings to stderr.
logging.getLogger("zdkit").addHandler(logging.NullHandler())

__all__ = [
    "Client",
    "AsyncClient",
    "AsyncPages",
    "AsyncIncrementalExport",
    "Response",
    "Event",
    "Headers",
    "Page",
    "ExportPage",
    "IncrementalExport",
    "OAuthClientCredentials",
    "OAuthRefreshToken",
    "TokenSet",
    "oauth",
    "webhooks",
    "types",
    "version",
    "__version__",
    "ZendeskError",
    "ConfigurationError",
    "InsecureTransportError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "HTTPError",
    "TransportError",
    "TimeoutError",
    "ResponseTooLargeError",
    "DecodeError",
    "CancelledError",
    "InternalError",
    "SearchLimitError",
    "JobFailedError",
]


def version() -> str:
    """zdkit's version and the libcurl, TLS library, nghttp2 and zlib it runs on."""
    return _native.version()
