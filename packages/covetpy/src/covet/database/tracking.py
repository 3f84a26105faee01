"""The N+1 guard per request: a middleware that opens ``track_queries()`` around each one.

covet-orm counts repeated query shapes inside a ``with track_queries():`` block and, in
debug mode, warns when one shape ran more than ``threshold`` times (``covet.orm.tracking``).
The ORM knows nothing of requests and covet-asgi nothing of the ORM (neither package may
import the other), so the two meet here, in the meta-package that depends on both::

    from covet import CovetPy
    from covet.database.orm import QueryTrackingMiddleware

    app = CovetPy()
    app.add_middleware(QueryTrackingMiddleware, threshold=5)

Each HTTP request and each WebSocket connection then runs inside its own block: the queries
of its handler, its dependencies and its background tasks (which run inside the request's
ASGI call, after the response) are counted together, and an N+1 loop gives an
``NPlusOneWarning`` naming the query shape, the count and the ``select_related``/
``prefetch_related`` call that fixes it. A task the handler starts with ``create_task`` is
counted only for the queries it runs before the request ends. Lifespan events pass through
untracked. A WebSocket connection is one block, reported when it closes: a long-lived
connection that runs one query per message will be reported as repeating that query.

It is switched on explicitly, never by ``CovetPy(debug=True)``: that flag is about error
pages, and the ORM has its own debug mode. ``warn=None`` (the default) follows the ORM's
debug mode (``covet.orm.set_debug(True)`` or ``COVET_ORM_DEBUG=1``); ``warn=True`` or
``warn=False`` decides for this app alone, e.g. ``warn=app.debug`` to tie the two together.
"""

from __future__ import annotations

from covet.asgi.types import ASGIApp, Receive, Scope, Send
from covet.orm.tracking import DEFAULT_THRESHOLD, track_queries

__all__ = ["QueryTrackingMiddleware"]

#: The scope types that are a request: the rest (lifespan) is not tracked.
TRACKED_SCOPES = frozenset({"http", "websocket"})


class QueryTrackingMiddleware:
    """Wrap each HTTP request and WebSocket connection in ``track_queries(threshold)``.

    ``threshold``: more runs of one query shape than this, in one request, is an N+1.
    ``warn``: None follows the ORM's debug mode; True or False decides for this app.
    """

    def __init__(
        self, app: ASGIApp, *, threshold: int = DEFAULT_THRESHOLD, warn: bool | None = None
    ) -> None:
        self.app = app
        self.threshold = threshold
        self.warn = warn

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in TRACKED_SCOPES:
            await self.app(scope, receive, send)
            return
        with track_queries(self.threshold, warn=self.warn):
            await self.app(scope, receive, send)
