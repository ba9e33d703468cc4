"""The sandbox's /token endpoint, bearer checks and the Order Manager role."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import ManualClock, Sandbox, SandboxConfig, run_sandbox

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=START)


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[Sandbox]:
    config = SandboxConfig(mastershops=2, orders_per_shop=3, rate_limit=False)
    async with run_sandbox(config, clock=clock) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def post_token(
    session: aiohttp.ClientSession, sandbox: Sandbox, **fields: str
) -> tuple[int, dict[str, Any]]:
    async with session.post(f"{sandbox.url}/token", data=fields) as response:
        return response.status, await response.json()


async def refresh(
    session: aiohttp.ClientSession, sandbox: Sandbox, client_id: str, token: str
) -> tuple[int, dict[str, Any]]:
    return await post_token(
        session,
        sandbox,
        grant_type="refresh_token",
        client_id=client_id,
        refresh_token=token,
    )


def decode_segment(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return decoded


async def test_token_success_shape(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A refresh grant returns the documented fields and a JWT-shaped token."""
    status, body = await refresh(
        session, sandbox, sandbox.client_id, sandbox.refresh_token
    )

    assert status == 200
    assert body["expires_in"] == 43200
    assert body["refresh_expires_in"] == 365 * 86400
    assert body["token_type"] == "Bearer"
    assert len(body["refresh_token"]) == 43
    assert body["refresh_token"] != sandbox.refresh_token
    header, claims, signature = body["access_token"].split(".")
    assert decode_segment(header)["alg"] == "RS256"
    decoded = decode_segment(claims)
    assert decoded["iss"] == f"{sandbox.url}/auth/realms/acl"
    assert decoded["azp"] == sandbox.client_id
    assert decoded["typ"] == "Bearer"
    assert decoded["exp"] == int(START) + 43200
    assert signature


async def test_token_expires_in_configurable(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """`expires_in` follows the config."""
    async with run_sandbox(SandboxConfig(expires_in=600), clock=clock) as running:
        status, body = await refresh(
            session, running, running.client_id, running.refresh_token
        )

    assert status == 200
    assert body["expires_in"] == 600


async def test_token_rotation_revokes_old_refresh_token(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Each refresh rotates the token, and reusing the old one is invalid_grant."""
    _, first = await refresh(session, sandbox, sandbox.client_id, sandbox.refresh_token)
    status, second = await refresh(
        session, sandbox, sandbox.client_id, first["refresh_token"]
    )
    assert status == 200

    status, reused = await refresh(
        session, sandbox, sandbox.client_id, sandbox.refresh_token
    )
    assert status == 400
    assert reused["error"] == "invalid_grant"
    assert "already been used" in reused["error_description"]

    status, _ = await refresh(
        session, sandbox, sandbox.client_id, second["refresh_token"]
    )
    assert status == 200


async def test_token_rotation_without_revocation(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """With revocation off, a redeemed refresh token keeps working."""
    config = SandboxConfig(revoke_rotated_refresh_tokens=False)
    async with run_sandbox(config, clock=clock) as running:
        first, _ = await refresh(
            session, running, running.client_id, running.refresh_token
        )
        second, _ = await refresh(
            session, running, running.client_id, running.refresh_token
        )

    assert first == 200
    assert second == 200


async def test_token_unknown_refresh_token(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """An unknown refresh token is invalid_grant."""
    status, body = await refresh(session, sandbox, sandbox.client_id, "not-a-token")

    assert status == 400
    assert body["error"] == "invalid_grant"


async def test_token_of_other_mastershop_rejected(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A refresh token only works with the client id it was issued to."""
    other_client_id = sandbox.credentials[1].client_id
    status, body = await refresh(
        session, sandbox, other_client_id, sandbox.refresh_token
    )

    assert status == 400
    assert body["error"] == "invalid_grant"


async def test_token_expired_refresh_token(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A refresh token past `refresh_expires_in` is invalid_grant."""
    config = SandboxConfig(refresh_expires_in=60)
    async with run_sandbox(config, clock=clock) as running:
        clock.advance(61)
        status, body = await refresh(
            session, running, running.client_id, running.refresh_token
        )

    assert status == 400
    assert body["error"] == "invalid_grant"
    assert "expired" in body["error_description"]


async def test_token_unknown_client(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """An unknown client id is server_error with "client not found"."""
    status, body = await refresh(
        session, sandbox, "00000000-0000-4000-8000-000000000000", "x"
    )

    assert status == 400
    assert body["error"] == "server_error"
    assert "client not found" in body["error_description"]


async def test_token_deleted_client(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """After delete_client, refresh fails but issued access tokens keep working."""
    _, body = await refresh(session, sandbox, sandbox.client_id, sandbox.refresh_token)
    sandbox.state.delete_client(sandbox.client_id)

    status, error = await refresh(
        session, sandbox, sandbox.client_id, body["refresh_token"]
    )
    assert status == 400
    assert error["error"] == "server_error"
    assert "client not found" in error["error_description"]

    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"client_id": "c", "refresh_token": "r"}, "grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "r"}, "client_id"),
        ({"grant_type": "refresh_token", "client_id": "c"}, "refresh_token"),
    ],
)
async def test_token_missing_field(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    fields: dict[str, str],
    missing: str,
) -> None:
    """A missing form field is invalid_request naming the field."""
    status, body = await post_token(session, sandbox, **fields)

    assert status == 400
    assert body["error"] == "invalid_request"
    assert missing in body["error_description"]


async def test_token_wrong_grant_type(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A grant type other than refresh_token is invalid_request."""
    status, body = await post_token(
        session,
        sandbox,
        grant_type="client_credentials",
        client_id=sandbox.client_id,
        refresh_token=sandbox.refresh_token,
    )

    assert status == 400
    assert body["error"] == "invalid_request"


async def test_token_json_body_rejected(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A JSON body carries no form fields, so the grant is invalid_request."""
    payload = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", json=payload) as response:
        body = await response.json()

    assert response.status == 400
    assert body["error"] == "invalid_request"


async def test_issue_refresh_token_hook(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """state.issue_refresh_token mints a working extra token."""
    extra = sandbox.state.issue_refresh_token(sandbox.client_id)
    status, _ = await refresh(session, sandbox, sandbox.client_id, extra)

    assert status == 200


async def test_no_token_is_401(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A route without a bearer token gets 401 in the orders error shape."""
    async with session.get(f"{sandbox.url}/orders") as response:
        body = await response.json()

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert body["status"] == 401
    assert "message" in body


async def test_no_token_on_shops_is_spring_401(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """The shops service responds to 401 with a Spring-style body."""
    async with session.get(f"{sandbox.url}/shops") as response:
        body = await response.json()

    assert response.status == 401
    assert set(body) == {"timestamp", "status", "error", "message", "path"}
    assert body["path"] == "/shops"
    assert body["error"] == "Unauthorized"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not.a.jwt", "Basic abc", "Bearer a.b.c"],
)
async def test_invalid_bearer_is_401(
    session: aiohttp.ClientSession, sandbox: Sandbox, authorization: str
) -> None:
    """Malformed or forged tokens get 401."""
    headers = {"Authorization": authorization}
    async with session.get(f"{sandbox.url}/orders", headers=headers) as response:
        assert response.status == 401


async def test_tampered_token_is_401(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Changing the claims of a token breaks its signature."""
    _, body = await refresh(session, sandbox, sandbox.client_id, sandbox.refresh_token)
    header, claims, signature = body["access_token"].split(".")
    decoded = decode_segment(claims)
    decoded["exp"] += 1000
    forged_claims = (
        base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    )
    headers = {"Authorization": f"Bearer {header}.{forged_claims}.{signature}"}

    async with session.get(f"{sandbox.url}/orders", headers=headers) as response:
        assert response.status == 401


async def test_expired_access_token_is_401(
    session: aiohttp.ClientSession, sandbox: Sandbox, clock: ManualClock
) -> None:
    """An access token stops working at its expiry time."""
    _, body = await refresh(session, sandbox, sandbox.client_id, sandbox.refresh_token)
    headers = {"Authorization": f"Bearer {body['access_token']}"}

    clock.advance(43199)
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        assert response.status == 200
    clock.advance(1)
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        assert response.status == 401


async def test_token_picks_its_mastershop(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Each Mastershop's token lists that Mastershop's shops only."""
    shop_ids = []
    for client_id, refresh_token in sandbox.credentials:
        _, body = await refresh(session, sandbox, client_id, refresh_token)
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
            shop_ids.append({shop["id"] for shop in await response.json()})

    expected = [
        {shop.id for shop in account.shops} for account in sandbox.state.accounts
    ]
    assert shop_ids == expected
    assert not shop_ids[0] & shop_ids[1]


async def test_missing_role_forbids_writes(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Without "VC - Order Manager", writes get 403 and reads still work."""
    _, body = await refresh(session, sandbox, sandbox.client_id, sandbox.refresh_token)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    sandbox.state.set_order_manager_role(sandbox.client_id, granted=False)

    writes = [
        ("POST", "/orders/pack"),
        ("POST", "/v2/orders/pack"),
        ("POST", "/orders/ready-to-ship"),
        ("POST", "/orders/print-labels"),
        ("PUT", "/orders/cancel"),
    ]
    for method, path in writes:
        async with session.request(
            method, f"{sandbox.url}{path}", headers=headers, json={}
        ) as response:
            error = await response.json()
            assert response.status == 403, path
            assert "VC - Order Manager" in error["message"]
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        assert response.status == 200

    sandbox.state.set_order_manager_role(sandbox.client_id, granted=True)
    async with session.post(
        f"{sandbox.url}/orders/ready-to-ship", headers=headers, json={}
    ) as response:
        assert response.status == 400


async def test_unknown_route_is_empty_404(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Unknown routes get 404 with an empty body, even without a token."""
    for path in ("/returns", "/api/v2/reports/sales"):
        async with session.get(f"{sandbox.url}{path}") as response:
            assert response.status == 404
            assert await response.read() == b""


async def test_wrong_method_is_405(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Cancel is PUT only, so POST gets 405."""
    async with session.post(f"{sandbox.url}/orders/cancel") as response:
        assert response.status == 405
        assert "PUT" in response.headers["Allow"]
