"""POST /token (refresh-token grant) and bearer-token checks."""

from __future__ import annotations

import logging

from aiohttp import web
from multidict import MultiDictProxy

from ._errors import oauth_error_response
from ._keys import STATE_KEY
from ._state import Account, SandboxState

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()

TOKEN_PATH = "/token"


def bearer_account(request: web.Request) -> Account | None:
    """Return the Mastershop of a valid, unexpired bearer token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    state = request.app[STATE_KEY]
    claims = state.access_tokens.verify(token.strip(), state.clock.time())
    if claims is None:
        return None
    return state.find_account(claims.client_id)


def require_account(request: web.Request) -> Account:
    """Return the request's Mastershop, which the gateway has authenticated."""
    account = bearer_account(request)
    if account is None:
        raise RuntimeError(f"{request.path} was routed without authentication")
    return account


async def _read_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | web.FileField] | None:
    """Return the request's form fields, or None when the body cannot be decoded."""
    try:
        return await request.post()
    except (ValueError, LookupError) as exc:
        logger.debug("undecodable form body on %s: %s", request.path, exc)
        return None


async def token_client_account(request: web.Request) -> Account | None:
    """Return the Mastershop named by the `client_id` form field, if known."""
    form = await _read_form(request)
    if form is None:
        return None
    client_id = form.get("client_id")
    if not isinstance(client_id, str):
        return None
    return request.app[STATE_KEY].find_account(client_id)


@routes.post(TOKEN_PATH)
async def issue_token(request: web.Request) -> web.Response:
    """Exchange a refresh token for an access token and a new refresh token.

    The form must be `application/x-www-form-urlencoded`. A JSON body has no
    form fields, so it fails as invalid_request.
    """
    state = request.app[STATE_KEY]
    form = await _read_form(request)
    if form is None:
        return oauth_error_response(
            "invalid_request",
            "Invalid form body: expected UTF-8 application/x-www-form-urlencoded",
        )
    fields = {
        name: form.get(name) for name in ("grant_type", "client_id", "refresh_token")
    }
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            return oauth_error_response(
                "invalid_request", f"Missing form parameter: {name}"
            )
    grant_type, client_id, refresh_token = (str(value) for value in fields.values())
    if grant_type != "refresh_token":
        return oauth_error_response(
            "invalid_request",
            f"Unsupported grant_type [{grant_type}]: only refresh_token is accepted",
        )

    account = state.find_account(client_id)
    if account is None or account.deleted:
        logger.info("token refresh for unknown or deleted client %s", client_id)
        return oauth_error_response(
            "server_error", f"Invalid client: client not found [{client_id}]"
        )
    now = state.clock.time()
    reason = account.refresh_tokens.redeem(refresh_token, now)
    if reason is not None:
        logger.info("token refresh rejected for client %s: %s", client_id, reason)
        return oauth_error_response("invalid_grant", reason)

    return web.json_response(
        _token_body(request, state, account, now), headers={"Cache-Control": "no-store"}
    )


def _token_body(
    request: web.Request, state: SandboxState, account: Account, now: float
) -> dict[str, object]:
    config = state.config
    access_token = state.access_tokens.issue(
        issuer=f"{request.url.origin()}/auth/realms/acl",
        client_id=account.client_id,
        subject=account.user_id,
        now=now,
        lifetime=config.expires_in,
    )
    return {
        "access_token": access_token,
        "expires_in": config.expires_in,
        "refresh_token": account.refresh_tokens.issue(now),
        "refresh_expires_in": config.refresh_expires_in,
        "token_type": "Bearer",
    }
