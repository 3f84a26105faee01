"""The outermost safety net: any unhandled exception becomes a 500.

In production the client gets ``{"detail": "Internal Server Error"}`` and
nothing about the code. With ``debug=True`` it gets the traceback instead:
an HTML page for a browser, plain text for anything else, because a learner
reading their own bug is exactly who debug mode is for.

The exception is raised again after the 500 is sent, so the server logs it
and a test client can surface it.

One exception is not an error: :class:`~covet.asgi.exceptions.ClientDisconnect`, raised when
the client goes away while its body is being read. There is nobody to answer and nothing of
ours to fix, so it is logged as one INFO line on the ``covet.asgi`` logger, no response is
sent and it is not raised again (a traceback per dropped upload would bury the real errors).
"""

from __future__ import annotations

import inspect
import logging

from covet.asgi.exceptions import ClientDisconnect
from covet.asgi.middleware.exceptions import ExceptionHandler, StartWatchingSend
from covet.asgi.requests import Request
from covet.asgi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from covet.asgi.types import ASGIApp, Receive, Scope, Send

__all__ = ["ServerErrorMiddleware"]

logger = logging.getLogger("covet.asgi")


class ServerErrorMiddleware:
    """Answer 500 for an unhandled exception, then re-raise it."""

    def __init__(
        self, app: ASGIApp, *, debug: bool = False, handler: ExceptionHandler | None = None
    ) -> None:
        self.app = app
        self.debug = debug
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = StartWatchingSend(send)
        try:
            await self.app(scope, receive, watched)
        except ClientDisconnect:
            logger.info(
                "Client disconnected before sending the whole request body: %s %s",
                scope.get("method"),
                scope.get("path"),
            )
        except Exception as exc:
            if not watched.response_started:
                response = await self.error_response(Request(scope, receive), exc)
                await response(scope, receive, send)
            raise

    async def error_response(self, request: Request, exc: Exception) -> Response:
        if self.debug:
            # Imported here: the debug page (html, traceback, linecache) is for debug mode
            # only, so a production start-up does not load it.
            from covet.asgi.debug import render_traceback_html, render_traceback_text

            if "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(render_traceback_html(exc), status_code=500)
            return PlainTextResponse(render_traceback_text(exc), status_code=500)
        if self.handler is not None:
            response = self.handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
            return response
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
