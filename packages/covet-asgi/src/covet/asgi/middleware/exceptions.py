"""Turning exceptions into responses: HTTPException and registered handlers.

The application registers handlers by exception class or by status code::

    @app.exception_handler(PermissionError)
    async def forbidden(request, exc): return JSONResponse({"detail": "no"}, 403)

    @app.exception_handler(404)
    async def not_found(request, exc): return HTMLResponse("<h1>Gone</h1>", 404)

This middleware sits inside the user's middleware, right around the router,
so a handled exception still passes out through the whole stack as a normal
response. Unhandled exceptions go on up to :class:`ServerErrorMiddleware`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from covet.asgi.exceptions import HTTPException
from covet.asgi.requests import Request
from covet.asgi.responses import JSONResponse, Response
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ExceptionHandler",
    "ExceptionMiddleware",
    "StartWatchingSend",
    "http_exception_response",
]

ExceptionHandler = Callable[[Request, Any], Awaitable[Response] | Response]


def http_exception_response(request: Request, exc: HTTPException) -> Response:
    """The default answer to an HTTPException: ``{"detail": ...}`` as JSON."""
    if exc.status_code in (204, 304):  # these statuses never carry a body
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


class StartWatchingSend:
    """``send``, noting whether the response has started.

    Once ``http.response.start`` is out, the status and headers are on the
    wire, so an error handler can no longer answer with a response of its own.
    """

    # Every message of every response passes through two of these (one per error
    # middleware), so they are kept cheap: slots make the one instance per request quicker
    # to build, and __call__ is a plain def that hands back what the wrapped send returns,
    # for the caller to await. An ``async def`` would add a coroutine of its own to every
    # message; this way the flag is still set before the message goes on, as before.
    __slots__ = ("response_started", "send")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.response_started = False

    def __call__(self, message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.start":
            self.response_started = True
        return self.send(message)


class ExceptionMiddleware:
    """Catch exceptions from the app and answer with the matching handler."""

    def __init__(
        self,
        app: ASGIApp,
        handlers: Mapping[int | type[BaseException], ExceptionHandler] | None = None,
    ) -> None:
        self.app = app
        self.status_handlers: dict[int, ExceptionHandler] = {}
        self.class_handlers: dict[type[BaseException], ExceptionHandler] = {
            HTTPException: http_exception_response
        }
        for key, handler in (handlers or {}).items():
            if isinstance(key, int):
                self.status_handlers[key] = handler
            else:
                self.class_handlers[key] = handler

    def lookup(self, exc: BaseException) -> ExceptionHandler | None:
        """A status-code handler first (for HTTPException), then the nearest class in the MRO."""
        if isinstance(exc, HTTPException) and exc.status_code in self.status_handlers:
            return self.status_handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.class_handlers:
                return self.class_handlers[cls]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # ServerErrorMiddleware already wraps ``send`` in a watcher, and pass-through
        # middleware hands it on unchanged. A watcher that has seen no response start yet
        # answers exactly what a new one would (has a start gone out since this point?), so
        # it is reused: one object less per request and one call less per message.
        if isinstance(send, StartWatchingSend) and not send.response_started:
            watched = send
        else:
            watched = StartWatchingSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            handler = self.lookup(exc)
            if handler is None:
                raise
            if watched.response_started:
                # Headers are already on the wire; a second response is impossible.
                raise RuntimeError(
                    "An exception was raised after the response started; "
                    "it cannot be turned into an error response"
                ) from exc
            response = handler(Request(scope, receive), exc)
            if inspect.isawaitable(response):
                response = await response
            await response(scope, receive, send)
