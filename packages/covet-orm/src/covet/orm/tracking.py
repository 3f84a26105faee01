"""The N+1 guard: counting query shapes inside a block, and warning about repeats.

The classic N+1: one query for the posts, then one more *per post* for its author::

    for post in await Post.objects.all():
        author = await post.author.fetch()      # the same SELECT, N times

Inside :func:`track_queries`, every statement is counted by its *shape*: the SQL text,
whose values are bound parameters already, with ``IN (?, ?, ?)`` lists folded to
``IN (...)``. When the block ends, each shape that ran more than ``threshold`` times gets
an :class:`NPlusOneWarning` naming the shape, the count, and the call that would load the
rows up front (``Post.objects.select_related('author')``), if the query came from a
relation.

Warnings are given in debug mode: ``set_debug(True)`` or the environment variable
``COVET_ORM_DEBUG=1`` (or ``track_queries(warn=True)`` for one block). Counting uses the
query events of ``events.py``; a listener is installed only while a block is open.

The ORM knows nothing of requests, so nothing here opens a block by itself. In a CovetPy
app, requests are tracked once the app adds the middleware of the ``covetpy``
meta-package, which opens one block per HTTP request and per WebSocket connection::

    from covet.database.orm import QueryTrackingMiddleware

    app.add_middleware(QueryTrackingMiddleware, threshold=5)

Anywhere else (a script, a worker, a test), open the block yourself with ``with
track_queries():``.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from covet.orm import events

__all__ = [
    "NPlusOneWarning",
    "QueryTracker",
    "debug_enabled",
    "fix_hint",
    "query_shape",
    "set_debug",
    "track_queries",
]

DEBUG_VARIABLE = "COVET_ORM_DEBUG"
#: More runs of one shape than this in one block is an N+1 (the default threshold).
DEFAULT_THRESHOLD = 5

_debug: bool | None = None
_tracker: ContextVar[QueryTracker | None] = ContextVar("covet_orm_tracker", default=None)
_hint: ContextVar[str | None] = ContextVar("covet_orm_fix_hint", default=None)
_open_blocks = 0


class NPlusOneWarning(UserWarning):
    """The same query shape ran more often than the threshold within one tracked block."""


def set_debug(enabled: bool | None) -> None:
    """Switch the ORM's debug mode on or off (None: follow ``COVET_ORM_DEBUG`` again)."""
    global _debug
    _debug = enabled


def debug_enabled() -> bool:
    """``set_debug(...)`` if called, else ``COVET_ORM_DEBUG`` is set to something true."""
    if _debug is not None:
        return _debug
    return os.environ.get(DEBUG_VARIABLE, "").lower() not in ("", "0", "false", "no")


_IN_LIST = re.compile(r"\((?:\s*(?:\?|%s)\s*,)*\s*(?:\?|%s)\s*\)")


def query_shape(sql: str) -> str:
    """The SQL with parameter lists folded: queries that differ only in values match."""
    return " ".join(_IN_LIST.sub("(...)", sql).split())


@contextmanager
def fix_hint(hint: str | None) -> Iterator[None]:
    """Queries inside are attributed to a relation: ``hint`` is the call that avoids them."""
    if hint is None:
        yield
        return
    token = _hint.set(hint)
    try:
        yield
    finally:
        _hint.reset(token)


class QueryTracker:
    """The counts of one :func:`track_queries` block: shape -> runs."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.counts: Counter[str] = Counter()
        self.hints: dict[str, str] = {}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def repeated(self) -> list[tuple[str, int]]:
        """The shapes that ran more than ``threshold`` times, most frequent first."""
        return [(shape, n) for shape, n in self.counts.most_common() if n > self.threshold]

    def warn(self) -> None:
        for shape, count in self.repeated():
            fix = self.hints.get(
                shape,
                "select_related(...) for single relations or prefetch_related(...) for many",
            )
            warnings.warn(
                f"N+1 queries: this query ran {count} times in one tracked block "
                f"(threshold {self.threshold}): {shape} -- load the rows up front with {fix}",
                NPlusOneWarning,
                stacklevel=4,
            )


def _count(start: events.QueryStart) -> None:
    tracker = _tracker.get()
    if tracker is None:
        return
    shape = query_shape(start.sql)
    tracker.counts[shape] += 1
    hint = _hint.get()
    if hint is not None:
        tracker.hints[shape] = hint


@contextmanager
def track_queries(
    threshold: int = DEFAULT_THRESHOLD, *, warn: bool | None = None
) -> Iterator[QueryTracker]:
    """Count the statements of this block (this task and the tasks it starts) by shape.

    At the end, in debug mode (or with ``warn=True``), each shape run more than
    ``threshold`` times gives an :class:`NPlusOneWarning`. Blocks nest: the inner one counts
    its own statements.
    """
    global _open_blocks
    tracker = QueryTracker(threshold)
    token = _tracker.set(tracker)
    if _open_blocks == 0:
        events.add_before_query_listener(_count)
    _open_blocks += 1
    try:
        yield tracker
    finally:
        _tracker.reset(token)
        _open_blocks -= 1
        if _open_blocks == 0:
            events.remove_before_query_listener(_count)
    if warn if warn is not None else debug_enabled():
        tracker.warn()
