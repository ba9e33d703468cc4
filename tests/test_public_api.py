"""The package's front door: `__all__`, the exception tree and typing marker."""

from __future__ import annotations

import inspect
from pathlib import Path

import jumia_async
import jumia_async.sandbox


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper():
        return 0, name
    if name[0].isupper():
        return 1, name
    return 2, name


def test_all_is_sorted_and_importable() -> None:
    names = jumia_async.__all__
    # Constants first, then classes, then functions, each alphabetical.
    assert names == sorted(names, key=_isort_key)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(jumia_async, name), name
        assert not name.startswith("_") or name == "__version__"


def test_public_modules_stay_private() -> None:
    public = {name for name in dir(jumia_async) if not name.startswith("_")}
    exported = set(jumia_async.__all__)
    leaked = {
        name
        for name in public - exported
        if not inspect.ismodule(getattr(jumia_async, name))
    }
    assert leaked == set()


def test_every_exception_derives_from_root() -> None:
    errors = [
        getattr(jumia_async, name)
        for name in jumia_async.__all__
        if inspect.isclass(getattr(jumia_async, name))
        and issubclass(getattr(jumia_async, name), BaseException)
    ]
    assert len(errors) > 15
    for error in errors:
        assert issubclass(error, jumia_async.JumiaError), error


def test_status_errors_share_a_base() -> None:
    for name in (
        "AuthenticationError",
        "ForbiddenError",
        "NotFoundError",
        "ValidationError",
        "RateLimitedError",
        "ServerError",
    ):
        assert issubclass(getattr(jumia_async, name), jumia_async.APIStatusError)
    assert issubclass(jumia_async.RequestTimeoutError, jumia_async.TransportError)


def test_sandbox_all_is_sorted() -> None:
    names = jumia_async.sandbox.__all__
    assert names == sorted(names, key=_isort_key)
    for name in names:
        assert hasattr(jumia_async.sandbox, name), name


def test_package_ships_typing_marker() -> None:
    marker = Path(jumia_async.__file__).parent / "py.typed"
    assert marker.is_file()
