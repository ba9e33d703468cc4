"""Command-line plumbing shared by the workflows: credentials and progress."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import attrs

from jumia_async import JsonFileTokenStore, JumiaClient
from jumia_async.sandbox import SandboxConfig, run_sandbox

ENV_BASE_URL = "JUMIA_BASE_URL"
ENV_CLIENT_ID = "JUMIA_CLIENT_ID"
ENV_REFRESH_TOKEN = "JUMIA_REFRESH_TOKEN"
ENV_TOKEN_FILE = "JUMIA_TOKEN_FILE"

CREDENTIALS_HELP = f"""\
credentials:
  With no client id, the workflow starts the built-in sandbox on 127.0.0.1
  and runs there. To run against the real API, set --client-id (or
  {ENV_CLIENT_ID}) and either --refresh-token ({ENV_REFRESH_TOKEN}) or a
  --token-file ({ENV_TOKEN_FILE}) that holds one. Rotated refresh tokens are
  saved to the token file, so pass one for anything but a single run.
"""


def add_credential_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags that select the API and the credentials."""
    group = parser.add_argument_group("API and credentials")
    group.add_argument(
        "--base-url",
        default=os.environ.get(ENV_BASE_URL),
        help=f"API base URL (default: ${ENV_BASE_URL}, else the production API)",
    )
    group.add_argument(
        "--client-id",
        default=os.environ.get(ENV_CLIENT_ID),
        help=f"application Client ID (default: ${ENV_CLIENT_ID}; unset: sandbox)",
    )
    group.add_argument(
        "--refresh-token",
        default=os.environ.get(ENV_REFRESH_TOKEN),
        help=f"refresh token from Vendor Center (default: ${ENV_REFRESH_TOKEN})",
    )
    group.add_argument(
        "--token-file",
        type=Path,
        default=os.environ.get(ENV_TOKEN_FILE),
        help=f"JSON file that stores rotated tokens (default: ${ENV_TOKEN_FILE})",
    )


@attrs.frozen
class Target:
    """Target of a workflow run: the client, and the sandbox when one runs."""

    client: JumiaClient
    sandbox: Any | None


@asynccontextmanager
async def open_target(
    args: argparse.Namespace, sandbox_config: SandboxConfig
) -> AsyncIterator[Target]:
    """Open a client on the configured API, or on a new sandbox.

    The sandbox runs in this process on a free loopback port and stops when
    the block exits.
    """
    if args.base_url and not args.client_id:
        raise SystemExit(
            f"error: --base-url (or ${ENV_BASE_URL}) needs --client-id (or "
            f"${ENV_CLIENT_ID}); without a client id the built-in sandbox is used"
        )
    if args.client_id:
        store = JsonFileTokenStore(args.token_file) if args.token_file else None
        if args.refresh_token is None and store is None:
            raise SystemExit(
                "error: --client-id needs --refresh-token or --token-file "
                f"(or ${ENV_REFRESH_TOKEN} / ${ENV_TOKEN_FILE})"
            )
        kwargs: dict[str, Any] = {}
        if args.base_url:
            kwargs["base_url"] = args.base_url
        async with JumiaClient(
            client_id=args.client_id,
            refresh_token=args.refresh_token,
            token_store=store,
            **kwargs,
        ) as client:
            yield Target(client=client, sandbox=None)
        return

    async with run_sandbox(sandbox_config) as sandbox:
        print(
            f"No credentials given: running on the sandbox at {sandbox.url}",
            file=sys.stderr,
        )
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
        ) as client:
            yield Target(client=client, sandbox=sandbox)


class Progress(Protocol):
    """A progress display: a total that can grow and steps that advance."""

    def add_total(self, count: int) -> None: ...

    def advance(self, count: int = 1, *, stage: str | None = None) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """A progress display that shows nothing."""

    def add_total(self, count: int) -> None:
        """Ignore the total."""

    def advance(self, count: int = 1, *, stage: str | None = None) -> None:
        """Ignore the step."""

    def close(self) -> None:
        """Do nothing."""


class BarProgress:
    """A tqdm progress bar on standard error."""

    def __init__(self, description: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=0, desc=description, unit="step", file=sys.stderr)

    def add_total(self, count: int) -> None:
        """Grow the total by `count` steps."""
        self._bar.total = (self._bar.total or 0) + count
        self._bar.refresh()

    def advance(self, count: int = 1, *, stage: str | None = None) -> None:
        """Advance by `count` steps and show the current stage."""
        if stage is not None:
            self._bar.set_postfix_str(stage, refresh=False)
        self._bar.update(count)

    def close(self) -> None:
        """Close the bar."""
        self._bar.close()


def terminal_progress(description: str, *, enabled: bool | None = None) -> Progress:
    """Return a progress bar when standard error is a terminal."""
    show = sys.stderr.isatty() if enabled is None else enabled
    return BarProgress(description) if show else NoProgress()


def run_command(body: Callable[[], int]) -> int:
    """Run a command's body and return its exit status.

    When standard output is a pipe whose reader has exited (as with
    `| head`), the command ends with status 1 and no traceback.
    """
    try:
        status = body()
        # Flush here, so a closed pipe raises now and not at interpreter exit.
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes standard output again at exit, so point it at
        # /dev/null to keep that flush from raising as well.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status


def print_table(
    rows: Sequence[Sequence[str]], write: Callable[[str], Any] = print
) -> None:
    """Print rows as left-aligned columns."""
    if not rows:
        return
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        write(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
