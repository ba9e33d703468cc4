"""Typed keys for values stored on the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from ._state import SandboxState

STATE_KEY = web.AppKey("jumia_sandbox_state", SandboxState)
