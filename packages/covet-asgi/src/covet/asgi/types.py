"""The ASGI 3.0 vocabulary, as type aliases.

An ASGI application is an async callable that receives three things from the server:

- ``scope``: a dict describing the connection (``type``, ``method``, ``path``, ``headers``...);
- ``receive``: an async function returning the next message from the client
  (``http.request`` with a body chunk, or ``http.disconnect``);
- ``send``: an async function taking a message for the client
  (``http.response.start`` with status and headers, then ``http.response.body`` chunks).

Everything in covet.asgi speaks in these names, so a signature such as
``async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None`` reads as
"this is an ASGI application". The spec: https://asgi.readthedocs.io/en/latest/specs/www.html
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeAlias

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]

Scope: TypeAlias = MutableMapping[str, Any]
"""The connection description the server builds for each request."""

Message: TypeAlias = MutableMapping[str, Any]
"""One event travelling between server and application, always with a ``"type"`` key."""

Receive: TypeAlias = Callable[[], Awaitable[Message]]
"""Awaits the next message from the client side."""

Send: TypeAlias = Callable[[Message], Awaitable[None]]
"""Sends one message to the client side."""

ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]
"""Any ASGI 3.0 application: the framework, a middleware, a single response."""
