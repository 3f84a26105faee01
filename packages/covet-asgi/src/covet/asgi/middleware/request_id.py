"""Give every request an id, and say it in the response.

A client or proxy may send ``X-Request-ID``; if it looks like an id (at most
128 characters of letters, digits, ``-``, ``_``, ``.``) it is kept, so one id
follows a request across services. Otherwise a new random one is made. The id
is readable anywhere in the request's task through :func:`get_request_id`
(a contextvar, so log lines can carry it) and is sent back in the response.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestIDMiddleware", "get_request_id"]

_request_id: ContextVar[str | None] = ContextVar("covet_request_id", default=None)
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def get_request_id() -> str | None:
    """The id of the request being handled in this task, or ``None`` outside one."""
    return _request_id.get()


class RequestIDMiddleware:
    """Read or make a request id, expose it, and echo it in a response header."""

    def __init__(self, app: ASGIApp, *, header_name: str = "X-Request-ID") -> None:
        self.app = app
        self.header_name = header_name
        self._header_key = header_name.lower().encode("latin-1")

    def _incoming_id(self, scope: Scope) -> str | None:
        for key, value in scope.get("headers", []):
            if key == self._header_key:
                candidate: str = value.decode("latin-1")
                # An untrusted value ends up in logs and headers: accept only a plain token.
                return candidate if _VALID_ID.fullmatch(candidate) else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        header = (self._header_key, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [pair for pair in message.get("headers", []) if pair[0] != header[0]]
                message["headers"] = [*headers, header]
            await send(message)

        token = _request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
