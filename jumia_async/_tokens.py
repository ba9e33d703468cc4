"""Token pairs and the stores that persist rotated refresh tokens.

Every refresh returns a new refresh token and revokes the previous one, so
the newest token must reach durable storage before the access token that
came with it is used. Otherwise a crash between the two would leave only a
revoked token behind and lock the seller out.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import attrs

__all__ = ["JsonFileTokenStore", "MemoryTokenStore", "TokenSet", "TokenStore"]


def _mask(value: str | None) -> str:
    return "None" if value is None else "'***'"


@attrs.frozen(kw_only=True, repr=False)
class TokenSet:
    """An access token with the refresh token that came with it.

    `expires_at` and `refresh_expires_at` are POSIX timestamps (seconds, wall
    clock), so that a stored pair stays meaningful across restarts. The repr
    hides both tokens.
    """

    refresh_token: str
    access_token: str | None = None
    expires_at: float | None = None
    refresh_expires_at: float | None = None

    def __repr__(self) -> str:
        return (
            f"TokenSet(refresh_token={_mask(self.refresh_token)}, "
            f"access_token={_mask(self.access_token)}, "
            f"expires_at={self.expires_at!r}, "
            f"refresh_expires_at={self.refresh_expires_at!r})"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the pair as a JSON-ready mapping."""
        return {
            "refresh_token": self.refresh_token,
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "refresh_expires_at": self.refresh_expires_at,
        }

    @classmethod
    def from_json(cls, data: Any) -> TokenSet:
        """Read a pair written by `to_json`; raise ValueError if malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("refresh_token"), str):
            raise ValueError("a stored token pair needs a string 'refresh_token'")
        access = data.get("access_token")
        expires_at = data.get("expires_at")
        refresh_expires_at = data.get("refresh_expires_at")
        return cls(
            refresh_token=data["refresh_token"],
            access_token=access if isinstance(access, str) else None,
            expires_at=float(expires_at) if expires_at is not None else None,
            refresh_expires_at=(
                float(refresh_expires_at) if refresh_expires_at is not None else None
            ),
        )


class TokenStore(Protocol):
    """Storage for a client's newest token pair, keyed by client id.

    `save` must not return before the pair is durable: the client uses the
    new access token only after `save` returns.
    """

    async def load(self, client_id: str) -> TokenSet | None:
        """Return the stored pair for `client_id`, or None."""
        ...

    async def save(self, client_id: str, tokens: TokenSet) -> None:
        """Persist `tokens` as the newest pair for `client_id`."""
        ...


class MemoryTokenStore:
    """A token store that lives as long as the process.

    Suitable for tests and short scripts: a rotated refresh token is lost
    when the process exits.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, TokenSet] = {}

    async def load(self, client_id: str) -> TokenSet | None:
        """Return the pair saved for `client_id`, or None."""
        return self._tokens.get(client_id)

    async def save(self, client_id: str, tokens: TokenSet) -> None:
        """Keep `tokens` as the newest pair for `client_id`."""
        self._tokens[client_id] = tokens


class JsonFileTokenStore:
    """A token store in one JSON file, mapping client ids to token pairs.

    Each save writes a temporary file in the same folder with mode 0600,
    flushes it to disk and renames it over the old file, so a crash leaves
    either the old or the new content, never a mix. Saves in one process are
    serialised; the store does not lock against other processes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"JsonFileTokenStore({str(self.path)!r})"

    async def load(self, client_id: str) -> TokenSet | None:
        """Return the pair stored for `client_id`, or None if there is none."""
        data = await asyncio.to_thread(self._read)
        entry = data.get(client_id)
        return None if entry is None else TokenSet.from_json(entry)

    async def save(self, client_id: str, tokens: TokenSet) -> None:
        """Write `tokens` for `client_id` and return once the file is durable."""
        async with self._lock:
            await asyncio.to_thread(self._write, client_id, tokens)

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(
                f"token file {self.path} is not valid JSON ({exc}); restore it "
                "or delete it and pass a new refresh token"
            ) from exc
        if not isinstance(data, dict):
            raise ValueError(
                f"token file {self.path} must contain a JSON object keyed by client id"
            )
        return data

    def _write(self, client_id: str, tokens: TokenSet) -> None:
        data = self._read()
        data[client_id] = tokens.to_json()
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=folder
        )
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_folder(folder)

    @staticmethod
    def _sync_folder(folder: Path) -> None:
        """Flush the rename itself to disk where the platform allows it."""
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)
