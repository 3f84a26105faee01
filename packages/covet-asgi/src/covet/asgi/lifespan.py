"""Startup and shutdown: the ASGI lifespan protocol.

Before the first request the server sends ``lifespan.startup``; when it
stops, ``lifespan.shutdown``. In between, the application is serving. CovetPy
offers two ways to hook in, and runs both:

* ``on_startup`` / ``on_shutdown`` lists of functions (sync or async);
* one ``lifespan=`` async context manager factory: code before its ``yield``
  runs at startup, code after it at shutdown. If it yields a mapping, that
  becomes the lifespan state the server copies into every request's
  ``request.state``, the clean way to share a database pool.

A failure at startup is reported to the server (``lifespan.startup.failed``)
with the traceback, so the server refuses to start instead of serving a
half-initialised app.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from covet.asgi.types import Receive, Scope, Send

__all__ = ["Lifespan", "LifespanContext"]

LifespanContext = Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any] | None]]


async def _call(func: Callable[[], Any]) -> None:
    result = func()
    if inspect.isawaitable(result):
        await result


class Lifespan:
    """Runs the startup and shutdown hooks of one application."""

    def __init__(
        self,
        app: Any,
        *,
        context: LifespanContext | None = None,
        on_startup: Sequence[Callable[[], Any]] = (),
        on_shutdown: Sequence[Callable[[], Any]] = (),
    ) -> None:
        self.app = app
        self.context = context
        self.on_startup = list(on_startup)
        self.on_shutdown = list(on_shutdown)

    async def startup(
        self, state: dict[str, Any] | None
    ) -> AbstractAsyncContextManager[Any] | None:
        """Run the startup hooks, then enter the context; return it for shutdown."""
        for func in self.on_startup:
            await _call(func)
        if self.context is None:
            return None
        manager = self.context(self.app)
        yielded = await manager.__aenter__()
        if yielded is not None:
            if state is None:
                raise RuntimeError(
                    "The lifespan context yielded state, but the server does not support "
                    "lifespan state (scope['state'] is missing)"
                )
            state.update(yielded)
        return manager

    async def shutdown(self, manager: AbstractAsyncContextManager[Any] | None) -> None:
        """Leave the context (its code after ``yield``), then run the shutdown hooks."""
        if manager is not None:
            await manager.__aexit__(None, None, None)
        for func in self.on_shutdown:
            await _call(func)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup", message
        try:
            manager = await self.startup(scope.get("state"))
        except BaseException:
            await send({"type": "lifespan.startup.failed", "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.startup.complete"})

        message = await receive()
        assert message["type"] == "lifespan.shutdown", message
        try:
            await self.shutdown(manager)
        except BaseException:
            await send({"type": "lifespan.shutdown.failed", "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.shutdown.complete"})
