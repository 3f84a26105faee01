"""Send every plain ``http://`` (and ``ws://``) request to its ``https://`` (``wss://``) twin.

``http://example.com/a?b=1`` is answered with ``307 Temporary Redirect`` to
``https://example.com/a?b=1``: the same host, path and query, only the scheme changes.

**Why 307.** 301 and 302 let clients turn a ``POST`` into a ``GET`` on the way, losing the
body; 307 and 308 keep the method and body. Of those two, 308 is *permanent* and browsers may
cache it for good. That is what you want once HTTPS works, but a deployment mistake (TLS ended
at a proxy that does not tell the app, so every request looks like ``http`` and redirects
forever) would then be remembered by every browser that saw it. 307 is not cached, so fixing
the mistake fixes it for everyone. Make HTTPS permanent deliberately, with a
``Strict-Transport-Security`` header, once it works.

**Ports.** ``:80`` (http's default) and ``:443`` are dropped, so the redirect goes to the
https default port, 443. Any other port is kept: ``http://localhost:8000`` goes to
``https://localhost:8000``. There is no way to know where TLS listens, and the same port is
the likelier guess on a development machine.

**WebSockets.** A ``ws://`` handshake is redirected to ``wss://`` when the server supports
the ASGI "WebSocket Denial Response" extension (``websocket.http.response``), which lets an
application answer a handshake with an ordinary HTTP response. Otherwise, and in every case
for browsers (they do not follow redirects on a WebSocket handshake), the connection is closed
with code 1008 ("policy violation"): the client must use ``wss://`` in the first place.

The redirect uses the ``Host`` the client sent; put :class:`TrustedHostMiddleware` before this
middleware so that only the application's own host names are redirected to.
"""

from __future__ import annotations

from covet.asgi.responses import RedirectResponse
from covet.asgi.types import ASGIApp, Receive, Scope, Send
from covet.asgi.url import URL

__all__ = ["HTTPSRedirectMiddleware", "secure_url"]

_SECURE_SCHEME = {"http": "https", "ws": "wss"}


def _scheme(scope: Scope) -> str:
    # The ASGI spec lets a server leave "scheme" out: it is then "http" or "ws".
    default = "ws" if scope["type"] == "websocket" else "http"
    scheme: str = scope.get("scheme", default)
    return scheme


def secure_url(scope: Scope) -> str:
    """The URL of this request with the secure scheme and without a default port."""
    url = URL(scope=scope)
    netloc = url.netloc
    # The port parses: URL(scope=) takes the host from a Host header only when it is valid.
    if url.port in (80, 443):
        netloc = netloc.rpartition(":")[0]  # the port is after the last ":", even for [::1]
    return str(url.replace(scheme=_SECURE_SCHEME[_scheme(scope)], netloc=netloc))


class HTTPSRedirectMiddleware:
    """Redirect ``http``/``ws`` requests to ``https``/``wss`` with a 307; pass the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _scheme(scope) not in _SECURE_SCHEME:
            await self.app(scope, receive, send)
            return
        location = secure_url(scope)
        if scope["type"] == "http":
            await RedirectResponse(location, status_code=307)(scope, receive, send)
            return
        await receive()  # the websocket.connect message
        if "websocket.http.response" in scope.get("extensions", {}):
            headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0")]
            await send({"type": "websocket.http.response.start", "status": 307, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": b""})
        else:
            await send({"type": "websocket.close", "code": 1008})
