"""``zdkit.Client``: the Pythonic face of the native client."""

from __future__ import annotations

import json as _json
from types import TracebackType
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Type, Union

from . import _native
from .errors import ConfigurationError

Params = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], None]


def _param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_param_value(v) for v in value)
    return str(value)


def _params(params: Params) -> Optional[List[Tuple[str, str]]]:
    """Query parameters as (name, value) strings. Lists become comma-separated values
    (Zendesk's ``ids=1,2,3``); None values are left out."""
    if params is None:
        return None
    pairs = params.items() if isinstance(params, Mapping) else params
    return [(str(k), _param_value(v)) for k, v in pairs if v is not None]


def _headers(headers: Optional[Mapping[str, str]]) -> Optional[List[Tuple[str, str]]]:
    if headers is None:
        return None
    return [(str(k), str(v)) for k, v in headers.items()]


class Client:
    """A Zendesk API client. Thread-safe: share one between threads.

    Give exactly one of ``subdomain`` (``"acme"`` for acme.zendesk.com) or ``base_url``,
    and exactly one credential: ``email`` + ``api_token``, or ``oauth_token``. Plain
    ``http://`` base URLs are accepted only for loopback hosts.
    """

    def __init__(
        self,
        subdomain: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        email: Optional[str] = None,
        api_token: Optional[str] = None,
        oauth_token: Optional[str] = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_retries: int = 3,
        proxy: Optional[str] = None,
        ca_file: Optional[str] = None,
        user_agent: Optional[str] = None,
        password: Optional[str] = None,
        _from_env: bool = False,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError("max_retries must be a whole number >= 0")
        for name, value in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigurationError(f"{name} must be a number of seconds")
        self.max_retries = max_retries
        self._native = _native.Client(
            subdomain,
            base_url=base_url,
            email=email,
            api_token=api_token,
            oauth_token=oauth_token,
            password=password,
            timeout=float(timeout),
            connect_timeout=float(connect_timeout),
            proxy=proxy,
            ca_file=ca_file,
            user_agent=user_agent,
            from_env=_from_env,
        )

    @classmethod
    def from_env(cls, **options: Any) -> "Client":
        """A client from ``ZENDESK_SUBDOMAIN`` or ``ZENDESK_URL``, and
        ``ZENDESK_EMAIL`` + ``ZENDESK_API_TOKEN`` or ``ZENDESK_OAUTH_TOKEN``.
        Keyword options (``timeout``, ``ca_file``, …) are passed on."""
        return cls(_from_env=True, **options)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        data: Union[bytes, str, None] = None,
        content_type: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> _native.Response:
        """Sends a request and returns the :class:`Response` of a 2xx answer; any
        other answer raises the matching :class:`ZendeskError` subclass, whose
        ``response`` attribute holds the answer."""
        if json is not None and data is not None:
            raise ConfigurationError("pass json= or data=, not both")
        body: Optional[bytes] = None
        if json is not None:
            body = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json"
        elif data is not None:
            body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            content_type = content_type or "application/octet-stream"
        return self._native.request(
            method, path, _params(params), body, content_type, _headers(headers)
        )

    def get(self, path: str, params: Params = None) -> Any:
        """GET ``path``; the parsed JSON body (None when empty)."""
        return self.request("GET", path, params=params).json()

    def post(
        self,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """POST ``json``; the parsed JSON answer. ``idempotency_key`` makes a retried
        create safe (Zendesk's ``Idempotency-Key``)."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.request("POST", path, params=params, json=json, headers=headers).json()

    def put(self, path: str, json: Any = None, params: Params = None) -> Any:
        """PUT ``json``; the parsed JSON answer."""
        return self.request("PUT", path, params=params, json=json).json()

    def patch(self, path: str, json: Any = None, params: Params = None) -> Any:
        """PATCH ``json``; the parsed JSON answer."""
        return self.request("PATCH", path, params=params, json=json).json()

    def delete(self, path: str, params: Params = None) -> Any:
        """DELETE ``path``; the parsed JSON answer (None for 204)."""
        return self.request("DELETE", path, params=params).json()

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._native.base_url

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._native.closed

    def close(self) -> None:
        """Releases the connections; later calls raise ConfigurationError."""
        self._native.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._native)
