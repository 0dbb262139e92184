"""The sync client's tests of answers, errors, retries, iteration, uploads and jobs, run
again with zdkit.AsyncClient: the test functions are imported unchanged, and this
module's `fresh` and `big` fixtures hand them an emulator whose `client()` is an
AsyncClient behind a thin blocking adapter (each coroutine runs to completion on a
private event loop; each async iterator steps the same way). Sync runs in the original
modules, async here: one set of expectations for both clients."""

from __future__ import annotations

import asyncio
import inspect
from types import TracebackType
from typing import Any, Iterator, Optional, Type

import pytest

import zdkit
from conftest import OAUTH_TOKEN, Emulator
from test_client import (  # noqa: F401  (collected here with this module's fixtures)
    test_api_token_mode_sends_the_exact_basic_header,
    test_authentication_error_without_the_secret,
    test_close_and_context_manager,
    test_create_update_delete_round_trip,
    test_every_error_class_from_a_real_answer,
    test_get_returns_parsed_json_and_params_are_encoded,
    test_malformed_json_is_a_decode_error,
    test_not_found_has_every_attribute,
    test_oauth_mode_sends_the_bearer_token,
    test_transport_and_timeout_errors,
    test_validation_details_and_scopes,
)
from test_iteration import (  # noqa: F401
    test_an_error_a_retry_cannot_cure_ends_the_iteration,
    test_cursor_pages_expose_the_cursor,
    test_export_retries_after_an_error,
    test_incremental_cursor_only_moves_past_fully_read_pages,
    test_incremental_refuses_a_start_time_and_a_cursor,
    test_incremental_resume_gets_exactly_the_changes,
    test_paginate_and_pages,
    test_pages_and_paginate_retry_after_an_error,
    test_retries_in_python,
    test_search_limit_and_export,
    test_search_retries_after_an_error,
    test_time_based_export_is_deduplicated,
    test_upload_bytes_and_path,
    test_wait_for_job,
)


class Blocking:
    """Drives an AsyncClient (or one of its async iterators) from blocking code."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def _wrap(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return self._wrap(self._loop.run_until_complete(value))
        if hasattr(value, "__anext__"):
            return Blocking(value, self._loop)
        return value

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):
            return lambda *args, **kwargs: self._wrap(value(*args, **kwargs))
        return value

    def __iter__(self) -> "Blocking":
        return self

    def __next__(self) -> Any:
        try:
            return self._loop.run_until_complete(self._target.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def __enter__(self) -> "Blocking":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self._loop.run_until_complete(self._target.aclose())

    def __repr__(self) -> str:
        return repr(self._target)


class AsyncEmulator:
    """The emulator, with `client()` giving an AsyncClient (behind `Blocking`)."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._loop = asyncio.new_event_loop()

    def client(self, **options: Any) -> Any:
        options.setdefault("oauth_token", OAUTH_TOKEN)
        options.setdefault("max_retries", 0)
        return Blocking(zdkit.AsyncClient(base_url=self._emulator.url, **options), self._loop)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._emulator, name)

    def close(self) -> None:
        self._loop.close()


@pytest.fixture()
def fresh(emulator: Emulator) -> Iterator[AsyncEmulator]:
    emulator.reset()
    view = AsyncEmulator(emulator)
    yield view
    view.close()


@pytest.fixture(scope="module")
def big() -> Iterator[AsyncEmulator]:
    running = Emulator("--tickets", "5000", "--users", "250")
    view = AsyncEmulator(running)
    yield view
    view.close()
    running.stop()


def test_the_adapter_really_drives_an_async_client(fresh: AsyncEmulator) -> None:
    with fresh.client() as client:
        assert isinstance(client._target, zdkit.AsyncClient)
        assert inspect.iscoroutinefunction(zdkit.AsyncClient.get)
        assert client.get("/api/v2/users/me.json")["user"]["id"]
