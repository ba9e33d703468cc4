"""`python -m jumia_async.sandbox`, run as a subprocess on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from jumia_async import JsonFileTokenStore, JumiaClient, UnlimitedLimiter

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 30.0
LISTENING = "Jumia sandbox listening on "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def sandbox_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])
    )
    return env


@asynccontextmanager
async def cli(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "jumia_async.sandbox",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=sandbox_env(),
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def read_banner(process: asyncio.subprocess.Process) -> dict[str, str]:
    """Read the startup lines up to the credentials file path."""
    assert process.stdout is not None
    banner: dict[str, str] = {}
    while "credentials file" not in banner:
        raw = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT)
        assert raw, "the sandbox exited before printing its credentials file"
        line = raw.decode().strip()
        if line.startswith(LISTENING):
            banner["url"] = line.removeprefix(LISTENING)
        key, _, value = line.partition(": ")
        banner[key] = value
    return banner


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    stdout, _ = await asyncio.wait_for(process.communicate(), STARTUP_TIMEOUT)
    return stdout.decode()


async def test_cli_serves_and_writes_credentials(tmp_path: Path) -> None:
    """The CLI binds loopback, writes a 0600 credentials file and stops on SIGTERM."""
    port = free_port()
    credentials_file = tmp_path / "credentials.json"
    async with cli(
        "--port",
        str(port),
        "--orders",
        "5",
        "--mastershops",
        "2",
        "--credentials-file",
        str(credentials_file),
    ) as process:
        banner = await read_banner(process)
        url = f"http://127.0.0.1:{port}"
        assert banner["url"] == url
        assert banner["credentials file"] == str(credentials_file)

        mode = stat.S_IMODE(credentials_file.stat().st_mode)
        assert mode == 0o600
        document = json.loads(credentials_file.read_text())
        assert document["base_url"] == url
        assert len(document["mastershops"]) == 2
        first = document["mastershops"][0]
        assert banner["client id"] == first["client_id"]

        form = {"grant_type": "refresh_token", **first}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{url}/token", data=form) as response,
        ):
            assert response.status == 200

        remaining_output = await stop(process)

    assert process.returncode == 0
    assert "stopped" in remaining_output
    assert first["refresh_token"] not in remaining_output
    assert first["refresh_token"] not in json.dumps(banner)


async def test_cli_temporary_credentials_removed(tmp_path: Path) -> None:
    """Without --credentials-file the file goes to a temporary directory."""
    async with cli("--port", "0", "--orders", "1") as process:
        banner = await read_banner(process)
        credentials_file = Path(banner["credentials file"])
        assert await asyncio.to_thread(credentials_file.exists)
        await stop(process)

    assert process.returncode == 0
    assert not await asyncio.to_thread(credentials_file.exists)


async def test_cli_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with cli("--port", str(port), "--orders", "1") as process:
            _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_TIMEOUT)

    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in stderr.decode()


async def test_cli_invalid_config() -> None:
    async with cli("--mastershops", "0") as process:
        _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_TIMEOUT)

    assert process.returncode == 2
    assert "mastershops" in stderr.decode()


async def test_credentials_file_works_as_token_file(tmp_path: Path) -> None:
    """Clients can use the credentials file as a JsonFileTokenStore file."""
    credentials_file = tmp_path / "credentials.json"
    async with cli(
        "--port", "0", "--orders", "1", "--credentials-file", str(credentials_file)
    ) as process:
        banner = await read_banner(process)
        client_id = banner["client id"]
        for _ in range(2):
            # A new client each time, like a new process: only the file
            # carries the rotated refresh token from one run to the next.
            async with JumiaClient(
                client_id=client_id,
                base_url=banner["url"],
                token_store=JsonFileTokenStore(credentials_file),
                limiter=UnlimitedLimiter(),
                refresh_margin=10**9,
            ) as client:
                assert await client.shops.list()
        document = json.loads(credentials_file.read_text())
        await stop(process)

    assert document["mastershops"][0]["client_id"] == client_id
    assert document[client_id]["access_token"]
    assert (
        document[client_id]["refresh_token"]
        != document["mastershops"][0]["refresh_token"]
    )
