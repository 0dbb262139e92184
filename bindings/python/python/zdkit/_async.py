"""``zdkit.AsyncClient``: the same client for asyncio.

Every call runs on the client's async engine in the native core (one background
thread per client driving a libcurl multi handle: calls run concurrently on shared
connections, HTTP/2 streams are multiplexed when the server offers it). A call's
completion reaches the event loop through ``loop.call_soon_threadsafe``: no thread per
request, no polling, and the loop is never blocked. Cancelling the awaiting task
aborts the transfer at once, and a cancelled call is never retried.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from types import TracebackType
from typing import Any, AsyncIterator, Callable, Generic, Iterator, Mapping, Optional, Type, TypeVar, Union

from . import _native
from ._client import Client, Params, _body, _headers, _params
from .oauth import TokenSet

_P = TypeVar("_P", _native.Page, _native.ExportPage)

_END = object()
"""What :func:`_complete` returns when a stream has no more pages."""


def _resolve(future: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Runs on the event loop: settles the call's future (unless its task was cancelled)."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


async def _complete(start: Callable[[_native._Done], Optional[_native.AsyncCall]]) -> Any:
    """Starts a native call with a ``done`` callback that hands its outcome to this event
    loop, and waits for it. Cancelling the waiting task cancels the call. Returns
    :data:`_END` when ``start`` started nothing (the end of a stream)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def done(ok: bool, value: Any) -> None:
        # Called on zdkit's delivery thread, with the GIL.
        loop.call_soon_threadsafe(_resolve, future, ok, value)

    call = start(done)
    if call is None:
        return _END
    try:
        return await future
    except asyncio.CancelledError:
        call.cancel()
        raise


class AsyncClient:
    """A Zendesk API client for asyncio: ``await`` every call, ``async for`` every list.

    Takes the same keywords as :class:`zdkit.Client` (one of ``subdomain``/``base_url``,
    one credential, timeouts, ``deadline``, ``max_retries``, TLS, proxies, ``oauth=`` …)
    and behaves the same: the same retries, rate-limit pacing, redirects, OAuth renewal,
    answers and exception classes. All tasks using one ``AsyncClient`` share its
    connections, its rate-limit state and its OAuth token (sixteen tasks on an expired
    token make one token request).

    ``on_event`` gets the same events as with :class:`zdkit.Client` (``response``,
    ``retry``, ``wait``, ``token``), on a zdkit thread, never the event loop's: a call's
    events arrive before its result. Keep the callback short; it must not block.

    Use it as ``async with zdkit.AsyncClient(...) as client:`` or call
    :meth:`aclose`; closing cancels the calls still in flight.
    """

    def __init__(self, subdomain: Optional[str] = None, **options: Any) -> None:
        # The settings are checked once, by the same code as zdkit.Client's.
        self._client = Client(subdomain, **options)
        self._native = self._client._native

    @classmethod
    def from_env(cls, **options: Any) -> "AsyncClient":
        """A client from the ``ZENDESK_*`` variables, as :meth:`zdkit.Client.from_env`."""
        return cls(_from_env=True, **options)

    async def request(
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
        """Sends a request; returns the :class:`Response` of a 2xx answer, raises the
        matching :class:`ZendeskError` subclass otherwise (as :meth:`zdkit.Client.request`)."""
        response: _native.Response = await self._send(False, method, path, params, json, data, content_type, headers, timeout)
        return response

    async def _send(
        self,
        parse_json: bool,
        method: str,
        path: str,
        params: Params,
        json: Any,
        data: Union[bytes, str, None],
        content_type: Optional[str],
        headers: Optional[Mapping[str, str]],
        timeout: Optional[float],
    ) -> Any:
        """Sends a request; the Response, or with ``parse_json`` its parsed JSON (parsed
        off the event loop's thread)."""
        body, content_type = _body(json, data, content_type)
        native = self._native
        query, header_list = _params(params), _headers(headers)
        return await _complete(
            lambda done: native.send_async(
                done, method, path, query, body, content_type, header_list, timeout, parse_json
            )
        )

    async def get(self, path: str, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """GET ``path``; the parsed JSON body (None when empty). ``timeout`` as in
        :meth:`request`, here and in the other methods."""
        return await self._send(True, "GET", path, params, None, None, None, None, timeout)

    async def post(
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
        return await self._send(True, "POST", path, params, json, None, None, headers, timeout)

    async def put(self, path: str, json: Any = None, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """PUT ``json``; the parsed JSON answer."""
        return await self._send(True, "PUT", path, params, json, None, None, None, timeout)

    async def patch(
        self, path: str, json: Any = None, params: Params = None, *, timeout: Optional[float] = None
    ) -> Any:
        """PATCH ``json``; the parsed JSON answer."""
        return await self._send(True, "PATCH", path, params, json, None, None, None, timeout)

    async def delete(self, path: str, params: Params = None, *, timeout: Optional[float] = None) -> Any:
        """DELETE ``path``; the parsed JSON answer (None for 204)."""
        return await self._send(True, "DELETE", path, params, None, None, None, None, timeout)

    def pages(self, path: str, params: Params = None, *, page_size: int = 100) -> "AsyncPages[_native.Page]":
        """The pages of a list endpoint, fetched one at a time (``async for``); as
        :meth:`zdkit.Client.pages`."""
        return AsyncPages(_native.AsyncStream(self._native.pages(path, _params(params), page_size)))

    def paginate(self, path: str, params: Params = None, *, page_size: int = 100) -> AsyncIterator[Any]:
        """The items of every page of a list endpoint (``async for``)."""
        return _AsyncItems(self.pages(path, params, page_size=page_size))

    def search(self, query: str, **params: Any) -> AsyncIterator[Any]:
        """Search results (``async for``); more than 1,000 matches raise
        :class:`SearchLimitError` after them, as :meth:`zdkit.Client.search`."""
        return _AsyncItems(AsyncPages(_native.AsyncStream(self._native.search(query, _params(params)))))

    def export_search(self, query: str, type: str = "ticket", *, page_size: int = 1000) -> AsyncIterator[Any]:
        """Every result of a search export (``async for``, no cap)."""
        return _AsyncItems(AsyncPages(_native.AsyncStream(self._native.export_search(query, type, page_size))))

    def incremental(
        self,
        resource: str,
        *,
        start_time: Optional[int] = None,
        cursor: Optional[str] = None,
        per_page: int = 1000,
        time_based: bool = False,
    ) -> "AsyncIncrementalExport":
        """An incremental export (``async for`` the items; ``.cursor`` is where to resume),
        as :meth:`zdkit.Client.incremental`."""
        native = self._native.incremental(resource, start_time, cursor, per_page, time_based)
        return AsyncIncrementalExport(AsyncPages(_native.AsyncStream(native)))

    async def upload(
        self,
        filename: str,
        data_or_path: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"],
        *,
        content_type: Optional[str] = None,
        token: Optional[str] = None,
    ) -> Any:
        """Uploads a file for a ticket comment; Zendesk's ``upload`` object. A path is
        streamed from disk."""
        native = self._native
        if isinstance(data_or_path, (bytes, bytearray, memoryview)):
            data = bytes(data_or_path)
            return await _complete(lambda done: native.upload_async(done, filename, data, None, content_type, token))
        path = os.fspath(data_or_path)
        return await _complete(lambda done: native.upload_async(done, filename, None, path, content_type, token))

    async def wait_for_job(self, job_id: str, *, timeout: float = 300.0) -> Any:
        """Polls a background job with back-off until ``completed`` (returns its status);
        ``failed`` raises :class:`JobFailedError`; past ``timeout`` seconds
        :class:`TimeoutError`. The pauses are ``asyncio.sleep``."""
        waiter = self._native.job_waiter(job_id, timeout)
        while True:
            finished, value = await _complete(waiter.poll)
            if finished:
                return value
            await asyncio.sleep(value)

    @property
    def token_set(self) -> Optional[TokenSet]:
        """The current OAuth token set, or None (as :attr:`zdkit.Client.token_set`)."""
        return self._client.token_set

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._client.base_url

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`."""
        return self._client.closed

    async def aclose(self) -> None:
        """Cancels the calls still in flight (they raise :class:`CancelledError`),
        releases the connections; later calls raise :class:`ConfigurationError`."""
        if not self._client.closed:
            self._native.close_async()
        self._client.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return repr(self._client).replace("<zdkit.Client", "<zdkit.AsyncClient", 1)


# help() and inspect show zdkit.Client's keywords, which AsyncClient takes as they are.
setattr(AsyncClient.__init__, "__signature__", inspect.signature(Client.__init__))


class AsyncPages(Generic[_P]):
    """Pages fetched one at a time through the async engine. Like the blocking
    iterators, it keeps its position after a failed request (the next step tries it
    again); an error a retry cannot cure ends it."""

    def __init__(self, stream: _native.AsyncStream) -> None:
        self._stream = stream

    def __aiter__(self) -> "AsyncPages[_P]":
        return self

    async def __anext__(self) -> _P:
        page = await _complete(self._stream.next)
        if page is _END:
            raise StopAsyncIteration
        return page  # type: ignore[no-any-return]

    @property
    def count(self) -> Optional[int]:
        """Search: the true number of matches (after the first page); else None."""
        return self._stream.count


class _AsyncItems(AsyncIterator[Any]):
    """The items of a stream of pages, fetched a page at a time."""

    def __init__(self, pages: "AsyncPages[Any]") -> None:
        self._pages = pages
        self._items: Iterator[Any] = iter(())

    def __aiter__(self) -> "_AsyncItems":
        return self

    @property
    def count(self) -> Optional[int]:
        """Search: the true number of matches (after the first page); else None."""
        return self._pages.count

    async def __anext__(self) -> Any:
        while True:
            item = next(self._items, _END)
            if item is not _END:
                return item
            self._items = iter((await self._next_page()).items)

    async def _next_page(self) -> Union[_native.Page, _native.ExportPage]:
        page: Union[_native.Page, _native.ExportPage] = await self._pages.__anext__()
        return page


class AsyncIncrementalExport(_AsyncItems):
    """The items of an incremental export (``async for``). ``cursor`` is always a safe
    place to resume from: it moves past a page only once every item of that page has
    been yielded, as in :class:`zdkit.IncrementalExport`."""

    def __init__(self, pages: AsyncPages[_native.ExportPage]) -> None:
        super().__init__(pages)
        self._export_pages = pages
        self._pending: Optional[str] = None
        self.cursor: Optional[str] = None
        self.end_of_stream = False

    def __aiter__(self) -> "AsyncIncrementalExport":
        return self

    async def _next_page(self) -> _native.ExportPage:
        if self._pending is not None:
            self.cursor = self._pending
        page = await self._export_pages.__anext__()
        self._pending = page.cursor
        self.end_of_stream = page.end_of_stream
        return page

    def pages(self) -> "AsyncPages[_native.ExportPage]":
        """The remaining pages (``items``, ``cursor``, ``end_of_stream``); ``cursor``
        follows each page as it is returned."""
        return _AsyncExportPages(self)


class _AsyncExportPages(AsyncPages[_native.ExportPage]):
    """The pages of an :class:`AsyncIncrementalExport`, moving its ``cursor`` along."""

    def __init__(self, export: AsyncIncrementalExport) -> None:
        super().__init__(export._export_pages._stream)
        self._export = export

    def __aiter__(self) -> "_AsyncExportPages":
        return self

    async def __anext__(self) -> _native.ExportPage:
        page = await super().__anext__()
        self._export.cursor = page.cursor
        self._export.end_of_stream = page.end_of_stream
        return page
