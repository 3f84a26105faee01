"""Query events: hear about every statement without changing the code that runs it.

Before a statement goes to the driver, *before* listeners get a
:class:`QueryStart`; after it finished (or failed), listeners get a
:class:`QueryEvent` with the duration and the error, if any::

    from covet.orm import on_query

    @on_query
    def log_slow(event):
        if event.duration_s > 0.1:
            print(f"slow ({event.duration_s:.3f}s) on {event.alias}: {event.sql}")

This is how other packages observe the ORM without the ORM knowing them:
covet-observe subscribes for metrics and traces, a test counts queries with
:func:`capture_queries`. covet.orm never imports a listener's package.

Rules, kept simple on purpose:

* Listeners are process-wide and called in the order they were added, in the
  task that ran the statement; a listener that is a coroutine function is
  awaited, so make it quick.
* An exception in a listener propagates to the code that ran the query: a
  broken listener is a bug to see, not to hide.
* Statements sent through :class:`~covet.orm.database.Database` emit events
  (``execute``, ``execute_many``, ``fetch_all``, ``fetch_one``, ``iterate``;
  for ``iterate`` the duration covers the whole loop). The transaction-control
  statements of ``atomic()`` (BEGIN, SAVEPOINT, COMMIT...) do not.
* Values are not included (they may be secrets): only how many there were.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "QueryStart",
    "QueryEvent",
    "on_query",
    "add_query_listener",
    "remove_query_listener",
    "before_query",
    "add_before_query_listener",
    "remove_before_query_listener",
    "capture_queries",
]


@dataclass(frozen=True)
class QueryStart:
    """A statement about to be sent: its SQL, how many values it binds, where it goes."""

    sql: str
    param_count: int
    alias: str
    vendor: str


@dataclass(frozen=True)
class QueryEvent:
    """A statement that finished: ``error`` is None when it succeeded."""

    sql: str
    param_count: int
    duration_s: float
    alias: str
    vendor: str
    error: BaseException | None = None


QueryListener = Callable[[QueryEvent], Awaitable[None] | None]
StartListener = Callable[[QueryStart], Awaitable[None] | None]
_L = TypeVar("_L", QueryListener, StartListener)
_T = TypeVar("_T", QueryEvent, QueryStart)

_after: list[QueryListener] = []
_before: list[StartListener] = []


def add_query_listener(listener: QueryListener) -> None:
    """Call ``listener(event)`` after every statement."""
    _after.append(listener)


def remove_query_listener(listener: QueryListener) -> None:
    """Stop calling a listener added with :func:`add_query_listener` or :func:`on_query`."""
    _remove(_after, listener)


def on_query(listener: QueryListener) -> QueryListener:
    """Decorator form of :func:`add_query_listener`; returns the function unchanged."""
    add_query_listener(listener)
    return listener


def add_before_query_listener(listener: StartListener) -> None:
    """Call ``listener(start)`` before every statement."""
    _before.append(listener)


def remove_before_query_listener(listener: StartListener) -> None:
    """Stop calling a listener added with :func:`add_before_query_listener`."""
    _remove(_before, listener)


def before_query(listener: StartListener) -> StartListener:
    """Decorator form of :func:`add_before_query_listener`; returns the function unchanged."""
    add_before_query_listener(listener)
    return listener


@contextmanager
def capture_queries() -> Iterator[list[QueryEvent]]:
    """Collect the events of the statements run inside the ``with`` block (any task)::

    with capture_queries() as queries:
        await db.fetch_all("SELECT 1")
    assert len(queries) == 1
    """
    captured: list[QueryEvent] = []
    add_query_listener(captured.append)
    try:
        yield captured
    finally:
        remove_query_listener(captured.append)


def has_listeners() -> bool:
    """Whether any listener is registered (Database skips building events otherwise)."""
    return bool(_after or _before)


async def emit_start(start: QueryStart) -> None:
    """Call the before-listeners (used by Database)."""
    for listener in list(_before):
        await _call(listener, start)


async def emit_end(event: QueryEvent) -> None:
    """Call the after-listeners (used by Database)."""
    for listener in list(_after):
        await _call(listener, event)


async def _call(listener: Callable[[_T], Awaitable[None] | None], argument: _T) -> None:
    result = listener(argument)
    if inspect.isawaitable(result):
        await result


def _remove(listeners: list[_L], listener: _L) -> None:
    try:
        listeners.remove(listener)
    except ValueError:
        raise ValueError(f"{listener!r} is not a registered query listener") from None
