"""``zdkit.Client``: the Pythonic face of the native client."""

from __future__ import annotations

import json as _json
import os
import shutil
import tempfile
from types import TracebackType
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Type, Union

from . import _native
from .errors import ConfigurationError
from .oauth import OAuthClientCredentials, OAuthRefreshToken, TokenSet

Params = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], None]
StrPath = Union[str, "os.PathLike[str]"]


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


def _body(
    json: Any, data: Union[bytes, str, None], content_type: Optional[str]
) -> Tuple[Optional[bytes], Optional[str]]:
    """The body bytes and content type of a request given ``json=`` or ``data=``."""
    if json is not None and data is not None:
        raise ConfigurationError("pass json= or data=, not both")
    if json is not None:
        body = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return body, content_type or "application/json"
    if data is not None:
        body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return body, content_type or "application/octet-stream"
    return None, content_type


class Client:
    """A Zendesk API client. Thread-safe: share one between threads.

    Give exactly one of ``subdomain`` (``"acme"`` for acme.zendesk.com) or ``base_url``,
    and exactly one credential: ``email`` + ``api_token``, ``oauth_token``, or ``oauth=``
    (:class:`OAuthClientCredentials` or :class:`OAuthRefreshToken`, which mint and
    rotate tokens). Plain
    ``http://`` base URLs are accepted only for loopback hosts.

    Resilience: a 429 (any method), a 503 with ``Retry-After`` (any method), and other
    5xx, cut connections and timeouts (idempotent methods, or a POST with an
    ``idempotency_key``) are retried up to ``max_retries`` times within ``deadline``
    seconds per call; ``never_wait=True`` raises at once instead (for job queues that
    reschedule themselves). With ``rate_limit_pacing`` the client spaces requests out
    when Zendesk's rate-limit headers say the bucket is nearly empty.

    TLS and proxies: ``ca_file`` (a PEM bundle) or ``ca_dir`` (a directory of hashed
    CA certificates, as ``c_rehash`` makes) verify the server; ``client_cert`` and
    ``client_key`` (PEM files, both or neither) authenticate the client (mutual TLS);
    ``proxy`` is a proxy URL and ``no_proxy`` the comma-separated hosts that bypass it
    (without them libcurl honours ``https_proxy``/``no_proxy`` from the environment).

    An answer larger than ``max_response_bytes`` (default 64 MiB, counted after
    decompression) raises :class:`ResponseTooLargeError` without being held in memory.
    Timeouts and the deadline must be more than 0 and at most a day.

    ``on_event`` receives a :class:`zdkit.Event` for every answer (``kind``
    ``"response"``), retry (``"retry"``), rate-limit pacing wait (``"wait"``) and OAuth
    token request (``"token"``), on the thread that made the request: for metrics,
    tracing and progress displays. An exception it raises is logged on the ``zdkit``
    logger and ignored. Events never hold a secret or a query string.
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
        no_proxy: Optional[str] = None,
        ca_file: Optional[StrPath] = None,
        ca_dir: Optional[StrPath] = None,
        client_cert: Optional[StrPath] = None,
        client_key: Optional[StrPath] = None,
        user_agent: Optional[str] = None,
        password: Optional[str] = None,
        deadline: float = 120.0,
        never_wait: bool = False,
        rate_limit_pacing: bool = True,
        oauth: Union[OAuthClientCredentials, OAuthRefreshToken, None] = None,
        max_response_bytes: int = _native.DEFAULT_MAX_RESPONSE_BYTES,
        on_event: Optional[Callable[[_native.Event], None]] = None,
        _from_env: bool = False,
    ) -> None:
        # Every keyword but ``oauth`` goes to the native client as it is: the core
        # checks the settings (one dispatch on the name in settings.rs).
        options = {name: value for name, value in locals().items() if name not in ("self", "oauth", "_from_env")}
        if isinstance(oauth, (OAuthClientCredentials, OAuthRefreshToken)):
            options.update(oauth._options())
        elif oauth is not None:
            raise ConfigurationError("oauth= takes zdkit.OAuthClientCredentials or zdkit.OAuthRefreshToken")
        self._native = _native.Client(from_env=_from_env, **options)
        self.max_retries: int = max_retries

    @classmethod
    def from_env(cls, **options: Any) -> "Client":
        """A client from ``ZENDESK_SUBDOMAIN`` or ``ZENDESK_URL``, and
        ``ZENDESK_EMAIL`` + ``ZENDESK_API_TOKEN``, ``ZENDESK_OAUTH_TOKEN``, or
        ``ZENDESK_CLIENT_ID`` + ``ZENDESK_CLIENT_SECRET`` (+ ``ZENDESK_OAUTH_SCOPE``).
        ``subdomain``/``base_url``/``email``/``api_token``/``oauth_token`` given here
        stand in for their variables; other options (``timeout``, ``ca_file``, …) are
        passed on."""
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
        timeout: Optional[float] = None,
    ) -> _native.Response:
        """Sends a request and returns the :class:`Response` of a 2xx answer; any
        other answer raises the matching :class:`ZendeskError` subclass, whose
        ``response`` attribute holds the answer. ``timeout`` (seconds) replaces the
        client's transfer timeout for this request (each attempt; ``deadline`` still
        bounds the whole call)."""
        body, content_type = _body(json, data, content_type)
        return self._native.request(
            method, path, _params(params), body, content_type, _headers(headers), timeout
        )

    def get(self, path: str, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """GET ``path``; the parsed JSON body (None when empty). ``timeout`` as in
        :meth:`request`, here and in :meth:`post`, :meth:`put`, :meth:`patch` and
        :meth:`delete`."""
        return self.request("GET", path, params=params, timeout=timeout).json()

    def post(
        self,
        path: str,
        json: Any = None,
        params: Params = None,
        *,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """POST ``json``; the parsed JSON answer. ``idempotency_key`` makes a retried
        create safe (Zendesk's ``Idempotency-Key``)."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.request("POST", path, params=params, json=json, headers=headers, timeout=timeout).json()

    def put(self, path: str, json: Any = None, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """PUT ``json``; the parsed JSON answer."""
        return self.request("PUT", path, params=params, json=json, timeout=timeout).json()

    def patch(self, path: str, json: Any = None, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """PATCH ``json``; the parsed JSON answer."""
        return self.request("PATCH", path, params=params, json=json, timeout=timeout).json()

    def delete(self, path: str, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """DELETE ``path``; the parsed JSON answer (None for 204)."""
        return self.request("DELETE", path, params=params, timeout=timeout).json()

    def pages(self, path: str, params: Params = None, *, page_size: int = 100) -> Iterator[_native.Page]:
        """Pages of a list endpoint, fetched lazily (one in memory): ``.items``,
        ``.raw``, ``.has_more``, ``.after_cursor``. Cursor pagination stops on
        ``meta.has_more == false``; offset endpoints follow ``next_page``; Help Center
        follows ``links.next`` or the ``Link`` header. A stuck cursor raises."""
        return iter(self._native.pages(path, _params(params), page_size))

    def paginate(self, path: str, params: Params = None, *, page_size: int = 100) -> Iterator[Any]:
        """The items of every page of a list endpoint (see :meth:`pages`)."""
        return _Items(self._native.pages(path, _params(params), page_size))

    def search(self, query: str, **params: Any) -> Iterator[Any]:
        """Search results (``/api/v2/search``). Zendesk serves at most 1,000: when the
        query matches more, iteration raises :class:`SearchLimitError` after them
        instead of ending quietly — use :meth:`export_search`."""
        return iter(self._native.search(query, _params(params)))

    def export_search(self, query: str, type: str = "ticket", *, page_size: int = 1000) -> Iterator[Any]:
        """Every result of a search export (``/api/v2/search/export``, no cap)."""
        return _Items(self._native.export_search(query, type, page_size))

    def incremental(
        self,
        resource: str,
        *,
        start_time: Optional[int] = None,
        cursor: Optional[str] = None,
        per_page: int = 1000,
        time_based: bool = False,
    ) -> "IncrementalExport":
        """An incremental export of ``resource`` (``tickets``, ``users``,
        ``organizations``, ``ticket_events``…) from ``start_time`` (Unix time, at
        least 60 s ago; default 0) or a saved ``cursor``. Iterate it for the items;
        its ``.cursor`` is the position to resume from later."""
        native = self._native.incremental(resource, start_time, cursor, per_page, time_based)
        return IncrementalExport(native)

    def upload(
        self,
        filename: str,
        data_or_path: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"],
        *,
        content_type: Optional[str] = None,
        token: Optional[str] = None,
    ) -> Any:
        """Uploads a file for a ticket comment; returns Zendesk's ``upload`` object
        (``token``, ``attachment``). A path is streamed from disk, not read into
        memory. Pass ``token`` to add to an earlier upload."""
        if isinstance(data_or_path, (bytes, bytearray, memoryview)):
            return self._native.upload(filename, bytes(data_or_path), None, content_type, token)
        return self._native.upload(filename, None, os.fspath(data_or_path), content_type, token)

    def wait_for_job(self, job_id: str, *, timeout: float = 300.0) -> Any:
        """Polls a background job with back-off until ``completed`` (returns its
        status); ``failed`` raises :class:`JobFailedError`; past ``timeout`` seconds
        raises :class:`TimeoutError`."""
        return self._native.wait_for_job(job_id, timeout)

    def download(
        self,
        url_or_attachment_id: Union[int, str],
        dest: Union[str, "os.PathLike[str]", IO[bytes]],
        *,
        max_bytes: Optional[int] = None,
    ) -> int:
        """Downloads an attachment and returns the number of bytes written.

        ``url_or_attachment_id`` is an attachment's ``content_url`` or its id (whose
        ``content_url`` is looked up). Zendesk serves the bytes from another origin
        through a redirect: it is followed, and the credential is sent only to the
        account's origin, never to the content origin (which gets only the signed URL).

        ``dest`` is a path — written through a temporary file beside it and renamed
        into place once complete, so a failed or cut transfer leaves it as it was — or
        a writable binary file object, which receives the bytes only once the whole
        download succeeded. The body is streamed to disk (``max_response_bytes`` does
        not apply); a body larger than ``max_bytes`` raises
        :class:`ResponseTooLargeError`.
        """
        if isinstance(url_or_attachment_id, bool) or not isinstance(url_or_attachment_id, (int, str)):
            raise TypeError("url_or_attachment_id must be a content_url (str) or an attachment id (int)")
        if isinstance(url_or_attachment_id, int) and url_or_attachment_id < 0:
            raise ConfigurationError("an attachment id is a positive number")
        if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
            raise ConfigurationError("max_bytes must be a whole number of bytes, 0 or more")
        source = str(url_or_attachment_id)
        if isinstance(dest, (str, os.PathLike)):
            return self._native.download(source, os.fspath(dest), max_bytes)
        if not hasattr(dest, "write"):
            raise TypeError("dest must be a path or a writable binary file object")
        with tempfile.TemporaryDirectory(prefix="zdkit-download-") as scratch:
            path = os.path.join(scratch, "download")
            written = self._native.download(source, path, max_bytes)
            with open(path, "rb") as downloaded:
                shutil.copyfileobj(downloaded, dest, 1024 * 1024)
        return written

    @property
    def token_set(self) -> Optional[TokenSet]:
        """The current OAuth token set (client credentials, refresh token), or None.
        Its ``repr`` hides the tokens."""
        return self._native.token_set

    def fetch_token_set(self) -> Optional[TokenSet]:
        """The OAuth token set, minted or refreshed first when due (a new client
        gets a fresh one)."""
        return self._native.fetch_token_set()

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


class _Items(Iterator[Any]):
    """The items of a stream of pages. Like the stream, it keeps its position after an
    error: the next ``next()`` fetches the failed page again."""

    def __init__(self, pages: Iterator[Union[_native.Page, _native.ExportPage]]) -> None:
        self._pages = pages
        self._items: Iterator[Any] = iter(())

    def __iter__(self) -> "_Items":
        return self

    def __next__(self) -> Any:
        while True:
            item = next(self._items, _DONE)
            if item is not _DONE:
                return item
            self._items = iter(self._next_page().items)

    def _next_page(self) -> Union[_native.Page, _native.ExportPage]:
        return next(self._pages)


class IncrementalExport(_Items):
    """The items of an incremental export, fetched a page at a time.

    ``cursor`` is always a safe place to resume from: it moves past a page only once
    every item of that page has been yielded (and stays valid after the end of the
    stream, so the next run picks up exactly the changes since). Iterate
    :meth:`pages` to work a page at a time.

    Like every zdkit iterator, it keeps its position after an error: call ``next()``
    again to retry the page that failed (an error a retry cannot cure, such as a stuck
    cursor, ends the iteration instead).
    """

    def __init__(self, native: _native.Stream[_native.ExportPage]) -> None:
        super().__init__(native)
        self._native = native
        self._pending: Optional[str] = None
        self.cursor: Optional[str] = None
        self.end_of_stream = False

    def __iter__(self) -> "IncrementalExport":
        return self

    def _next_page(self) -> _native.ExportPage:
        if self._pending is not None:
            self.cursor = self._pending
        page = next(self._native)
        self._pending = page.cursor
        self.end_of_stream = page.end_of_stream
        return page

    def pages(self) -> Iterator[_native.ExportPage]:
        """The remaining pages (``items``, ``cursor``, ``end_of_stream``); ``cursor``
        follows each page as it is returned."""
        return _ExportPages(self)

    def _write_jsonl(self, out: str, checkpoint: str, resource: str, items: int,
                     progress: _native.ExportProgress) -> Tuple[int, Optional[str]]:
        """The remaining pages written to ``out`` as JSON Lines by the native layer,
        ``checkpoint`` saved after each page (what ``zdkit export`` runs); returns the
        item count and the last cursor. See ``_native.Stream.write_jsonl``."""
        saved, cursor = self._native.write_jsonl(out, checkpoint, resource, items, progress)
        if cursor is not None:
            self.cursor = cursor
        self.end_of_stream = True
        return saved, cursor


class _ExportPages(Iterator[_native.ExportPage]):
    """The pages of an :class:`IncrementalExport`, moving its ``cursor`` along."""

    def __init__(self, export: IncrementalExport) -> None:
        self._export = export

    def __iter__(self) -> "_ExportPages":
        return self

    def __next__(self) -> _native.ExportPage:
        page = next(self._export._native)
        self._export.cursor = page.cursor
        self._export.end_of_stream = page.end_of_stream
        return page


_DONE = object()
