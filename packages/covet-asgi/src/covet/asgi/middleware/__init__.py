"""Middleware: ASGI apps that wrap the next ASGI app.

Every CovetPy middleware is *pure ASGI*: a class whose ``__init__`` takes the
next ``app`` and whose ``async __call__(scope, receive, send)`` may look at or
change the scope, wrap ``receive``/``send``, and calls the next app. Nothing
is buffered, so streaming responses and contextvars pass through untouched.

:class:`Middleware` records a class and its options so the application can
build the chain later, when it starts.
"""

from __future__ import annotations

from typing import Any

from covet.asgi.types import ASGIApp

__all__ = ["Middleware"]


class Middleware:
    """A middleware class and the options to build it with: ``Middleware(cls, **options)``."""

    __slots__ = ("cls", "options")

    def __init__(self, cls: Any, /, **options: Any) -> None:
        self.cls = cls
        self.options = options

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """Build this middleware around ``app``."""
        wrapped: ASGIApp = self.cls(app, **self.options)
        return wrapped

    def __str__(self) -> str:
        """``CORSMiddleware(allow_origins=['https://a.example'])``: the class as it is built."""
        name = getattr(self.cls, "__name__", repr(self.cls))
        options = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        return f"{name}({options})" if options else name

    def __repr__(self) -> str:
        options = "".join(f", {key}={value!r}" for key, value in self.options.items())
        return f"Middleware({getattr(self.cls, '__name__', self.cls)}{options})"
