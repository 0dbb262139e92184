"""OAuth for zdkit: credentials that mint and rotate tokens, and the helpers of the
authorization-code flow (PKCE, authorize URL, code exchange).

Zendesk switches API tokens off on 2027-04-30; OAuth tokens now expire (client
credentials after 30 minutes, with no refresh token) and refresh tokens rotate on every
use. Pass one of these to ``zdkit.Client(..., oauth=...)`` and zdkit keeps a valid token.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from . import _native

__all__ = [
    "OAuthClientCredentials",
    "OAuthRefreshToken",
    "TokenSet",
    "authorize_url",
    "exchange_code",
    "pkce_pair",
]


class TokenSet:
    """An OAuth token set. ``repr()`` never shows the tokens."""

    __slots__ = {
        "access_token": "The access token (a secret: never log it).",
        "refresh_token": "The refresh token (a secret), or None: client-credentials tokens have none.",
        "expires_at": "Unix time when the access token expires, or None when it does not.",
        "scope": "The granted scopes, space-separated, or None when the answer did not say.",
    }

    def __init__(
        self,
        access_token: str,
        refresh_token: Optional[str] = None,
        expires_at: Optional[float] = None,
        scope: Optional[str] = None,
    ) -> None:
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.expires_at = expires_at
        self.scope = scope

    def __repr__(self) -> str:
        refresh = "'[redacted]'" if self.refresh_token else "None"
        return (f"TokenSet(access_token='[redacted]', refresh_token={refresh}, "
                f"expires_at={self.expires_at!r}, scope={self.scope!r})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenSet) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]


class OAuthClientCredentials:
    """Client credentials: zdkit mints a token for ``scope`` (space-separated, e.g.
    ``"read write"``) lasting ``expires_in`` seconds, mints again before it expires,
    and once more after a 401 (replaying the request once)."""

    __slots__ = {
        "client_id": "The OAuth client's identifier.",
        "_client_secret": "The OAuth client's secret (never shown by repr).",
        "scope": "The scopes asked for, space-separated.",
        "expires_in": "The lifetime asked for each token, in seconds.",
    }

    def __init__(self, client_id: str, client_secret: str, *, scope: str = "read", expires_in: int = 1800) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.expires_in = expires_in

    def _options(self) -> Dict[str, Any]:
        """The native client's keywords for these credentials."""
        return {"oauth_client_id": self.client_id, "oauth_client_secret": self._client_secret,
                "oauth_scope": self.scope, "oauth_expires_in": self.expires_in}

    def __repr__(self) -> str:
        return f"OAuthClientCredentials(client_id={self.client_id!r}, client_secret='[redacted]', scope={self.scope!r})"


RotationCallback = Callable[[TokenSet], None]


class OAuthRefreshToken:
    """A refresh token: zdkit obtains access tokens with it. Refresh tokens rotate —
    every renewal returns a new one and kills the old — so ``on_rotate`` receives each
    new :class:`TokenSet`: persist its ``refresh_token``. ``client.token_set`` also
    holds the latest."""

    __slots__ = {
        "client_id": "The OAuth client's identifier.",
        "_client_secret": "The OAuth client's secret (never shown by repr).",
        "_refresh_token": "The refresh token to start from (never shown by repr).",
        "on_rotate": "Called with every new TokenSet (persist its refresh_token), or None.",
    }

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        on_rotate: Optional[RotationCallback] = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.on_rotate = on_rotate

    def _options(self) -> Dict[str, Any]:
        """The native client's keywords for this refresh token."""
        return {"oauth_client_id": self.client_id, "oauth_client_secret": self._client_secret,
                "oauth_refresh_token": self._refresh_token, "on_rotate": self.on_rotate}

    def __repr__(self) -> str:
        return f"OAuthRefreshToken(client_id={self.client_id!r}, client_secret='[redacted]', refresh_token='[redacted]')"


def pkce_pair() -> Tuple[str, str]:
    """A fresh PKCE pair ``(code_verifier, code_challenge)`` (RFC 7636, S256)."""
    verifier, challenge = _native.pkce_pair()
    return verifier, challenge


def authorize_url(
    subdomain_or_url: str,
    client_id: str,
    redirect_uri: str,
    *,
    scope: str = "read",
    state: Optional[str] = None,
    code_challenge: Optional[str] = None,
) -> str:
    """The URL to send a user to so they grant your OAuth client access."""
    return _native.authorize_url(subdomain_or_url, client_id, redirect_uri, scope, state, code_challenge)


def exchange_code(
    subdomain_or_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    *,
    code_verifier: Optional[str] = None,
) -> TokenSet:
    """Exchanges the ``code`` from the redirect for a token set. Refusals raise
    :class:`zdkit.AuthenticationError` with Zendesk's ``code`` and ``description``."""
    token: TokenSet = _native.exchange_code(subdomain_or_url, client_id, client_secret, code, redirect_uri, code_verifier)
    return token
