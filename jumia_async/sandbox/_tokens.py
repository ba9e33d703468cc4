"""Access tokens shaped like the real API's JWTs, and rotating refresh tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

import attrs

# The real API signs access tokens with RS256. The sandbox keeps that header
# but signs with HMAC-SHA256 under a per-process key, so only the sandbox
# itself can check a signature.
_HEADER = {"alg": "RS256", "typ": "JWT", "kid": "jumia-sandbox"}


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.frozen
class AccessClaims:
    """The claims of a valid access token that the sandbox acts on."""

    client_id: str
    expires_at: int


class AccessTokenIssuer:
    """Issues and checks access tokens."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self._encoded_header = _b64url_encode(_compact_json(_HEADER))

    def issue(
        self, *, issuer: str, client_id: str, subject: str, now: float, lifetime: int
    ) -> str:
        """Return a signed token for `client_id` that expires `lifetime` s from now."""
        issued_at = int(now)
        claims: dict[str, Any] = {
            "exp": issued_at + lifetime,
            "iat": issued_at,
            "nbf": 0,
            "auth_time": issued_at,
            "jti": str(uuid.uuid4()),
            "iss": issuer,
            "sub": subject,
            "typ": "Bearer",
            "azp": client_id,
            "session_state": str(uuid.uuid4()),
            "acr": "1",
            "scope": "profile email",
            "locale": "en",
        }
        signing_input = (
            f"{self._encoded_header}.{_b64url_encode(_compact_json(claims))}"
        )
        return f"{signing_input}.{self._sign(signing_input)}"

    def verify(self, token: str, now: float) -> AccessClaims | None:
        """Return the claims of a genuine, unexpired token, or None."""
        parts = token.split(".")
        if not token.isascii() or len(parts) != 3:
            return None
        signing_input = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(signing_input), parts[2]):
            return None
        try:
            claims = json.loads(_b64url_decode(parts[1]))
        except (binascii.Error, ValueError):
            return None
        expires_at = claims.get("exp")
        client_id = claims.get("azp")
        if not isinstance(expires_at, int) or not isinstance(client_id, str):
            return None
        if now >= expires_at:
            return None
        return AccessClaims(client_id=client_id, expires_at=expires_at)

    def _sign(self, signing_input: str) -> str:
        digest = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256)
        return _b64url_encode(digest.digest())


def _compact_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


class RefreshTokenStore:
    """The refresh tokens of one client.

    Tokens are opaque 43-character strings, like those that Vendor Center's
    "Generate Token" button hands out. With `revoke_on_use`, redeeming a
    token revokes it, so each token works once.
    """

    def __init__(self, *, lifetime: int, revoke_on_use: bool) -> None:
        self.lifetime = lifetime
        self.revoke_on_use = revoke_on_use
        self._expiry: dict[str, float] = {}
        self._used: set[str] = set()

    def issue(self, now: float) -> str:
        """Return a new token valid for `lifetime` seconds from `now`."""
        token = secrets.token_urlsafe(32)
        self._expiry[token] = now + self.lifetime
        return token

    def redeem(self, token: str, now: float) -> str | None:
        """Consume `token`. Return None on success, else the reason it is invalid."""
        expires_at = self._expiry.get(token)
        if expires_at is None:
            if token in self._used:
                return "Refresh token has already been used"
            return "Invalid refresh token"
        if now >= expires_at:
            del self._expiry[token]
            return "Refresh token expired"
        if self.revoke_on_use:
            del self._expiry[token]
            self._used.add(token)
        return None
