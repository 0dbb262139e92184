"""The exceptions zdkit raises. ``ZendeskError`` is the base of all of them.

Which class a core error becomes is decided in one place, the native extension
(``bindings/python/src/errors.rs``), which looks these classes up once by name."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ._native import Response

__all__ = [
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


class ZendeskError(Exception):
    """Base class of every zdkit error.

    Attributes are None when they do not apply (a transport error has no status).
    ``str(error)`` never contains a secret or a query string.
    """

    status: Optional[int]
    code: Optional[str]
    description: Optional[str]
    details: Any
    request_id: Optional[str]
    retry_after: Optional[float]
    method: Optional[str]
    path: Optional[str]
    response: Optional["Response"]

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        description: Optional[str] = None,
        details: Any = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
        response: Optional["Response"] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.description = description
        self.details = details
        self.request_id = request_id
        self.retry_after = retry_after
        self.method = method
        self.path = path
        self.response = response

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, request_id={self.request_id!r})"


class ConfigurationError(ZendeskError, ValueError):
    """The client's settings or a call's arguments are invalid."""


class InsecureTransportError(ConfigurationError):
    """Refused to send credentials over plain HTTP to a host that is not loopback."""


class AuthenticationError(ZendeskError):
    """401: the credential was not accepted."""


class PermissionDeniedError(ZendeskError):
    """403: the credential lacks a permission or an OAuth scope."""


class NotFoundError(ZendeskError):
    """404: no such record, or the endpoint is not on the account's plan."""


class ConflictError(ZendeskError):
    """409: a concurrent write or a stale ``safe_update`` stamp; re-read and retry."""


class ValidationError(ZendeskError):
    """422: Zendesk refused the record or the query (see ``details``)."""


class RateLimitError(ZendeskError):
    """429: over the rate limit; ``retry_after`` says how long to wait."""


class ServerError(ZendeskError):
    """5xx: a temporary failure on Zendesk's side."""


class HTTPError(ZendeskError):
    """Any other non-2xx status, including a redirect zdkit did not follow."""


class SearchLimitError(ValidationError):
    """The search matches more results than the 1,000 Zendesk serves: use
    ``Client.export_search`` to read them all."""


class JobFailedError(ZendeskError):
    """A background job ended as ``failed`` or ``killed``; ``details`` holds its results."""


class TransportError(ZendeskError):
    """DNS, connect, TLS, reset or truncated transfer."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """The connect or total timeout expired."""


class ResponseTooLargeError(TransportError):
    """The answer was larger than the client's ``max_response_bytes`` (counted after
    decompression); the transfer was stopped, so no more than about that much was held
    in memory."""


class DecodeError(ZendeskError, ValueError):
    """A response could not be decoded (malformed JSON)."""


class CancelledError(ZendeskError):
    """The transfer was cancelled."""


class InternalError(ZendeskError):
    """A bug in zdkit (a Rust panic inside the extension ends up here, never as
    ``PanicException``)."""
