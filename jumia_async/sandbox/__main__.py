"""Command line: serve a sandbox on 127.0.0.1 until Ctrl-C or SIGTERM.

    python -m jumia_async.sandbox --port 8080 --orders 500

The credentials go to a JSON file readable only by the current user. The
command prints the file's path, never a token.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ._config import SandboxConfig
from ._server import Sandbox, run_sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jumia_async.sandbox",
        description=(
            "Serve a local emulator of the Jumia Vendor Center API on 127.0.0.1."
        ),
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="TCP port to listen on (default: 8080)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the generated data (default: 0)"
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        metavar="N",
        help="orders per Mastershop, spread over its shops (default: 20 a shop)",
    )
    parser.add_argument(
        "--mastershops",
        type=int,
        default=1,
        metavar="N",
        help="number of Mastershops, each with its own client id (default: 1)",
    )
    parser.add_argument(
        "--shops",
        type=int,
        default=3,
        metavar="N",
        help="shops per Mastershop (default: 3)",
    )
    parser.add_argument(
        "--products",
        type=int,
        default=4,
        metavar="N",
        help="approved products per shop at start (default: 4)",
    )
    parser.add_argument(
        "--qc-rejection-rate",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of new products, from 0 to 1, that quality control rejects "
        "(default: 0; seller SKUs containing REJECT are always rejected)",
    )
    parser.add_argument(
        "--retry-after",
        action="store_true",
        help="send a Retry-After header with each 429 response",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="admit every request; requests are still counted",
    )
    parser.add_argument(
        "--credentials-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="where to write the credentials JSON (default: a new temporary "
        "directory, removed on exit)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log every request at INFO level"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = SandboxConfig(
            seed=args.seed,
            mastershops=args.mastershops,
            shops_per_mastershop=args.shops,
            orders_per_mastershop=args.orders,
            catalog_products_per_shop=args.products,
            qc_rejection_rate=args.qc_rejection_rate,
            rate_limit=not args.no_rate_limit,
            retry_after_header=args.retry_after,
        )
    except (TypeError, ValueError) as exc:
        parser.error(str(exc.args[0]) if exc.args else str(exc))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 to 65535, got {args.port}")

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(_serve(config, args.port, args.credentials_file, args.verbose))


async def _serve(
    config: SandboxConfig, port: int, credentials_file: Path | None, verbose: bool
) -> int:
    access_log = logging.getLogger("aiohttp.access") if verbose else None
    try:
        async with run_sandbox(config, port=port, access_log=access_log) as sandbox:
            status = await _publish_and_wait(sandbox, credentials_file)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{port}: {exc}", file=sys.stderr)
        return 1
    print("Jumia sandbox stopped.", flush=True)
    return status


async def _publish_and_wait(sandbox: Sandbox, credentials_file: Path | None) -> int:
    """Write the credentials file, print where to find it and wait for a signal."""
    temporary_dir = None
    if credentials_file is None:
        temporary_dir = Path(tempfile.mkdtemp(prefix="jumia-sandbox-"))
        credentials_file = temporary_dir / "credentials.json"
    try:
        _write_credentials(credentials_file, sandbox)
        print(f"Jumia sandbox listening on {sandbox.url}")
        print(f"client id: {sandbox.client_id}")
        print(f"mastershops: {len(sandbox.credentials)}")
        print(f"credentials file: {credentials_file}")
        print("Press Ctrl-C to stop.", flush=True)
        await _wait_for_stop_signal()
    except OSError as exc:
        print(f"error: cannot write {credentials_file}: {exc}", file=sys.stderr)
        return 1
    finally:
        if temporary_dir is not None:
            shutil.rmtree(temporary_dir, ignore_errors=True)
    return 0


def _write_credentials(path: Path, sandbox: Sandbox) -> None:
    """Write the base URL and each Mastershop's credentials, for the owner only.

    Each client id is also a top-level key holding its refresh token, in the
    layout of jumia_async.JsonFileTokenStore, so the file can be passed as a
    token file: the client then keeps the rotated tokens in it.
    """
    document: dict[str, object] = {
        "base_url": sandbox.url,
        "mastershops": [
            {"client_id": client_id, "refresh_token": refresh_token}
            for client_id, refresh_token in sandbox.credentials
        ],
    }
    for client_id, refresh_token in sandbox.credentials:
        document[client_id] = {"refresh_token": refresh_token}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # O_CREAT applies the mode only to a new file, so set it on an old one too.
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2)
        file.write("\n")


async def _wait_for_stop_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await stop.wait()
    finally:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signal_number)


if __name__ == "__main__":
    sys.exit(main())
