"""Type stubs for the native extension ``zdkit._native``."""

from typing import Any, Dict, List, Optional, Tuple, final

from ._headers import Headers

__all__ = ["Client", "Response", "__version__", "loads", "version"]
__version__: str

def version() -> str: ...
def loads(data: bytes) -> Any: ...

@final
class Response:
    @property
    def status(self) -> int: ...
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
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...
