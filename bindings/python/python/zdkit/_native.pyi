"""Type stubs for the native extension ``zdkit._native``."""

from typing import Any, Callable, Dict, List, Optional, Tuple, final

from ._headers import Headers
from .oauth import TokenSet

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Client", "Export", "ExportPage", "Page", "Pages", "Response", "SearchResults", "__version__", "_panic_for_test", "authorize_url", "exchange_code", "loads", "pkce_pair", "version"]
__version__: str
DEFAULT_MAX_RESPONSE_BYTES: int

def version() -> str: ...
def loads(data: bytes) -> Any: ...
def _panic_for_test() -> None:
    """Private, for the test suite: panics inside the entry-point guard (raises InternalError)."""
def pkce_pair() -> Tuple[str, str]: ...
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
class Client:
    def __new__(
        cls,
        subdomain: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        email: Optional[str] = None,
        api_token: Optional[str] = None,
        oauth_token: Optional[str] = None,
        password: Optional[str] = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        proxy: Optional[str] = None,
        ca_file: Optional[str] = None,
        user_agent: Optional[str] = None,
        from_env: bool = False,
        max_retries: int = 3,
        deadline: float = 120.0,
        never_wait: bool = False,
        pacing: bool = True,
        oauth_client_id: Optional[str] = None,
        oauth_client_secret: Optional[str] = None,
        oauth_scope: Optional[str] = None,
        oauth_expires_in: int = 1800,
        oauth_refresh_token: Optional[str] = None,
        on_rotate: Optional[Callable[[TokenSet], None]] = None,
        max_response_bytes: int = ...,
    ) -> Client: ...
    def request(
        self,
        method: str,
        path: str,
        params: Optional[List[Tuple[str, str]]] = None,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
    ) -> Response: ...
    def pages(self, path: str, params: Optional[List[Tuple[str, str]]] = None, page_size: int = 100) -> Pages: ...
    def search(self, query: str, params: Optional[List[Tuple[str, str]]] = None) -> SearchResults: ...
    def export_search(self, query: str, result_type: str, page_size: int = 1000) -> Pages: ...
    def incremental(
        self,
        resource: str,
        start_time: Optional[int] = None,
        cursor: Optional[str] = None,
        per_page: int = 1000,
        time_based: bool = False,
    ) -> Export: ...
    def upload(
        self,
        filename: str,
        data: Optional[bytes] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        token: Optional[str] = None,
    ) -> Any: ...
    def wait_for_job(self, job_id: str, timeout: float = 300.0) -> Any: ...
    @property
    def token_set(self) -> Optional[TokenSet]: ...
    def fetch_token_set(self) -> Optional[TokenSet]: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...

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
class Pages:
    def __iter__(self) -> Pages: ...
    def __next__(self) -> Page: ...

@final
class SearchResults:
    def __iter__(self) -> SearchResults: ...
    def __next__(self) -> Any: ...
    @property
    def count(self) -> Optional[int]: ...

@final
class ExportPage:
    @property
    def items(self) -> List[Any]: ...
    @property
    def cursor(self) -> Optional[str]: ...
    @property
    def end_of_stream(self) -> bool: ...

@final
class Export:
    def __iter__(self) -> Export: ...
    def __next__(self) -> ExportPage: ...
    @property
    def cursor(self) -> Optional[str]: ...
