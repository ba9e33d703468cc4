"""Running the sandbox in the current event loop, on a loopback port."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import attrs
from aiohttp import web

from ._app import create_app
from ._clock import Clock
from ._config import SandboxConfig
from ._state import Credentials, SandboxState

logger = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"


@attrs.frozen
class Sandbox:
    """A running sandbox: its base URL, starting credentials and live state.

    `credentials` contains one (client_id, refresh_token) pair per Mastershop,
    as issued at start. Refresh tokens rotate, so a token stops working once
    it has been redeemed.
    """

    url: str
    credentials: tuple[Credentials, ...]
    state: SandboxState

    @property
    def client_id(self) -> str:
        """Return the first Mastershop's client id."""
        return self.credentials[0].client_id

    @property
    def refresh_token(self) -> str:
        """Return the first Mastershop's starting refresh token."""
        return self.credentials[0].refresh_token


@asynccontextmanager
async def run_sandbox(
    config: SandboxConfig | None = None,
    *,
    clock: Clock | None = None,
    port: int = 0,
    access_log: logging.Logger | None = None,
) -> AsyncIterator[Sandbox]:
    """Serve a new sandbox on 127.0.0.1 until the block exits.

    Port 0 picks a free port. Seeding runs synchronously before the server
    starts, so a large config blocks the event loop while it runs. Raises
    OSError when the port cannot be bound. Requests are logged to
    `access_log` if given, without headers or bodies.
    """
    state = SandboxState(config, clock=clock)
    runner = web.AppRunner(create_app(state), access_log=access_log)
    await runner.setup()
    try:
        sock = _bind_loopback(port)
        site = web.SockSite(runner, sock)
        try:
            await site.start()
        except BaseException:
            sock.close()
            raise
        url = f"http://{LOOPBACK_HOST}:{sock.getsockname()[1]}"
        logger.info("sandbox listening on %s", url)
        yield Sandbox(url=url, credentials=state.initial_credentials, state=state)
    finally:
        await runner.cleanup()
        logger.info("sandbox stopped")


def _bind_loopback(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK_HOST, port))
    except OSError:
        sock.close()
        raise
    return sock
