"""Type stubs for the native extension ``zdkit._native``."""

import os
from typing import Any, Callable, Dict, Generic, List, Optional, Tuple, TypeVar, Union, final

from ._headers import Headers
from .oauth import TokenSet

_StrPath = Union[str, "os.PathLike[str]"]

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "SEARCH_LIMIT_CODE", "SETTINGS", "AsyncCall", "AsyncStream", "Client", "Event", "JobWaiter", "ExportPage", "ExportProgress", "Page", "Response", "Stream", "__version__", "_panic_for_test", "authorize_url", "exchange_code", "loads", "pkce_pair", "verify_webhook", "version"]
__version__: str
DEFAULT_MAX_RESPONSE_BYTES: int
SEARCH_LIMIT_CODE: str
SETTINGS: Tuple[str, ...]

def version() -> str: ...
def loads(data: bytes) -> Any: ...
def _panic_for_test() -> None:
    """Private, for the test suite: panics inside the entry-point guard (raises InternalError)."""
def pkce_pair() -> Tuple[str, str]: ...
def verify_webhook(
    body: bytes,
    signature: str,
    timestamp: str,
    secret: str,
    tolerance: float,
    now: Optional[float] = None,
) -> None: ...
def authorize_url(
    target: str,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: Optional[str] = None,
    code_challenge: Optional[str] = None,
) -> str: ...
def exchange_code(
    target: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: Optional[str] = None,
) -> TokenSet: ...

@final
class Response:
    @property
    def status(self) -> int: ...
    @property
    def http_version(self) -> str: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def request_id(self) -> Optional[str]: ...
    @property
    def api_warning(self) -> Optional[str]: ...
    @property
    def rate_limit(self) -> Dict[str, Any]: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def elapsed(self) -> float: ...
    def __bool__(self) -> bool: ...

@final
class Event:
    """One thing the client did: an answer, a retry, a pacing wait or a token request."""
    @property
    def kind(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def duration(self) -> float: ...
    @property
    def attempt(self) -> int: ...
    @property
    def request_id(self) -> Optional[str]: ...
    @property
    def retry_after(self) -> Optional[float]: ...
    @property
    def rate_limit_remaining(self) -> Optional[int]: ...
    @property
    def rate_limit_limit(self) -> Optional[int]: ...

@final
class Client:
    def __new__(
        cls,
        subdomain: Optional[str] = None,
        *,
        base_url: Optional[str] = ...,
        email: Optional[str] = ...,
        api_token: Optional[str] = ...,
        oauth_token: Optional[str] = ...,
        password: Optional[str] = ...,
        timeout: float = ...,
        connect_timeout: float = ...,
        deadline: float = ...,
        max_retries: int = ...,
        never_wait: bool = ...,
        rate_limit_pacing: bool = ...,
        proxy: Optional[str] = ...,
        no_proxy: Optional[str] = ...,
        ca_file: Optional[_StrPath] = ...,
        ca_dir: Optional[_StrPath] = ...,
        client_cert: Optional[_StrPath] = ...,
        client_key: Optional[_StrPath] = ...,
        user_agent: Optional[str] = ...,
        max_response_bytes: int = ...,
        oauth_client_id: Optional[str] = ...,
        oauth_client_secret: Optional[str] = ...,
        oauth_scope: Optional[str] = ...,
        oauth_expires_in: int = ...,
        oauth_refresh_token: Optional[str] = ...,
        on_rotate: Optional[Callable[[TokenSet], None]] = ...,
        on_event: Optional[Callable[[Event], None]] = ...,
        from_env: bool = ...,
    ) -> Client: ...
    def request(
        self,
        method: str,
        path: str,
        params: Optional[List[Tuple[str, str]]] = None,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
        timeout: Optional[float] = None,
    ) -> Response: ...
    def pages(self, path: str, params: Optional[List[Tuple[str, str]]] = None, page_size: int = 100) -> Stream[Page]: ...
    def search(self, query: str, params: Optional[List[Tuple[str, str]]] = None) -> Stream[Any]: ...
    def export_search(self, query: str, result_type: str, page_size: int = 1000) -> Stream[Page]: ...
    def incremental(
        self,
        resource: str,
        start_time: Optional[int] = None,
        cursor: Optional[str] = None,
        per_page: int = 1000,
        time_based: bool = False,
    ) -> Stream[ExportPage]: ...
    def upload(
        self,
        filename: str,
        data: Optional[bytes] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        token: Optional[str] = None,
    ) -> Any: ...
    def wait_for_job(self, job_id: str, timeout: Optional[float] = None) -> Any: ...
    def download(self, source: str, path: _StrPath, max_bytes: Optional[int] = None) -> int: ...
    @property
    def token_set(self) -> Optional[TokenSet]: ...
    def fetch_token_set(self) -> Optional[TokenSet]: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...
    def send_async(
        self,
        done: _Done,
        method: str,
        path: str,
        params: Optional[List[Tuple[str, str]]] = None,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
        timeout: Optional[float] = None,
        parse_json: bool = False,
    ) -> AsyncCall: ...
    def upload_async(
        self,
        done: _Done,
        filename: str,
        data: Optional[bytes] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        token: Optional[str] = None,
    ) -> AsyncCall: ...
    def job_waiter(self, job_id: str, timeout: Optional[float] = None) -> JobWaiter: ...
    def close_async(self) -> None: ...

_Done = Callable[[bool, Any], object]
"""Called once from zdkit's delivery thread with ``(True, value)`` or ``(False, exception)``."""

@final
class AsyncCall:
    """A call in flight on the client's async engine."""
    def cancel(self) -> None: ...
    @property
    def finished(self) -> bool: ...

@final
class JobWaiter:
    """Polls a background job; ``done`` gets ``(True, (True, job_status))`` or ``(True, (False, pause_seconds))``."""
    def poll(self, done: _Done) -> AsyncCall: ...

@final
class AsyncStream:
    """Pages fetched through the async engine; ``next`` returns None at the end."""
    def __new__(cls, stream: Stream[Any]) -> AsyncStream: ...
    def next(self, done: _Done) -> Optional[AsyncCall]: ...
    @property
    def count(self) -> Optional[int]: ...

@final
class Page:
    @property
    def items(self) -> List[Any]: ...
    @property
    def raw(self) -> Any: ...
    @property
    def has_more(self) -> bool: ...
    @property
    def after_cursor(self) -> Optional[str]: ...

@final
class ExportPage:
    @property
    def items(self) -> List[Any]: ...
    @property
    def jsonl(self) -> bytes: ...
    @property
    def cursor(self) -> Optional[str]: ...
    @property
    def end_of_stream(self) -> bool: ...
    def __len__(self) -> int: ...

_T = TypeVar("_T")

@final
class Stream(Generic[_T]):
    """Pages, search results or export pages. After an error it keeps its position:
    the next ``next()`` tries the same fetch again; an error a retry cannot cure ends it."""
    def __iter__(self) -> Stream[_T]: ...
    def __next__(self) -> _T: ...
    @property
    def count(self) -> Optional[int]: ...
    @property
    def cursor(self) -> Optional[str]: ...
    def write_jsonl(
        self, out: str, checkpoint: str, resource: str, items: int, progress: ExportProgress
    ) -> Tuple[int, Optional[str]]: ...

@final
class ExportProgress:
    """The items an export has saved so far, updated by ``Stream.write_jsonl``."""
    def __init__(self) -> None: ...
    @property
    def items(self) -> int: ...
