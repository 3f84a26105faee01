"""Refuse requests whose ``Host`` header names a host this application does not serve.

The ``Host`` header is written by the client. An application that builds absolute URLs from
it (a password-reset link in an email, a redirect, ``request.url``) can be made to point them
at an attacker's domain: "Host header injection". A DNS-rebinding attack makes a victim's
browser send requests to a server on their own network under a foreign name. Both are stopped
by answering only to the names the application really has.

``allowed_hosts`` holds patterns:

- ``"example.com"``: exactly that host;
- ``"*.example.com"``: any subdomain (``api.example.com``, ``a.b.example.com``), but neither
  ``example.com`` itself (list it too if it is served) nor ``evilexample.com``;
- ``"127.0.0.1"``, ``"::1"`` or ``"[::1]"``: an IP address;
- ``"*"``: any host; the default, so the middleware does nothing until it is configured.

The ``Host`` value is compared without its port (``example.com:8000`` is ``example.com``),
case-insensitively, without a trailing dot (``example.com.`` is the same name written fully
qualified), and with IPv6 addresses in brackets (``[::1]:8000``). A host that is not allowed, a
malformed one, or none at all gets ``400 Invalid host header``.

With ``www_redirect`` (the default), a request for ``example.com`` when only
``www.example.com`` is listed is redirected there (307, keeping path and query) instead of
refused: the user typed the short name, and the site meant to answer it. The 307 is temporary
so browsers do not remember it: changing ``allowed_hosts`` later takes effect at once.

WebSocket handshakes are checked too. A refused one is closed with code 1008 ("policy
violation") before it is accepted, which servers send to the client as an HTTP 403; there is
no redirect, because browsers do not follow redirects on a WebSocket handshake.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Sequence

from covet.asgi.headers import request_header
from covet.asgi.responses import PlainTextResponse, RedirectResponse, Response
from covet.asgi.types import ASGIApp, Receive, Scope, Send
from covet.asgi.url import HOST_HEADER, HOST_NAME, URL

__all__ = ["TrustedHostMiddleware", "host_from_header"]

# The host grammar is url.py's, the one URLs are built on: dot-separated labels of letters,
# digits, "-" and "_", or a bracketed IPv6 address, then an optional port.
_PATTERN = re.compile(rf"(?:\*\.)?{HOST_NAME}")


def _ipv6(text: str) -> str | None:
    """The canonical form of an IPv6 address (``0::1`` -> ``::1``), or ``None`` if it is not one."""
    try:
        return ipaddress.IPv6Address(text).compressed
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def host_from_header(value: str | None) -> str | None:
    """The host a ``Host`` header names: lower-cased, without port, brackets or final dot.

    ``"Example.COM:8000"`` -> ``"example.com"``; ``"[::1]:8000"`` -> ``"::1"``. ``None`` when
    the header is missing or malformed.

    Cached: a server sees the same few ``Host`` values on nearly every request, and the
    regular expression cost about 8,000 instructions a call (callgrind), more than the rest
    of the middleware. Bounded, so a client sending many different values only evicts.
    """
    if value is None:
        return None
    match = HOST_HEADER.fullmatch(value.strip().lower())
    if match is None:
        return None
    if match["ipv6"] is not None:
        return _ipv6(match["ipv6"])
    name: str = match["name"]
    return name.removesuffix(".")


def _check_pattern(pattern: str) -> str:
    """The pattern in the form hosts are compared in, or a ``ValueError`` saying what is wrong."""
    text = pattern.strip().lower()
    if text == "*":
        return text
    address = _ipv6(text.removeprefix("[").removesuffix("]"))
    if address is not None:
        return address
    if _PATTERN.fullmatch(text):
        return text.removesuffix(".")
    raise ValueError(
        f"invalid host pattern {pattern!r}: use a host name ('example.com'), a subdomain "
        "wildcard ('*.example.com'), an IP address ('127.0.0.1', '::1') or '*'; "
        "a pattern has no scheme and no port"
    )


class TrustedHostMiddleware:
    """Let through only requests for a host in ``allowed_hosts``; answer others with 400."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Sequence[str] = ("*",),
        www_redirect: bool = True,
    ) -> None:
        if isinstance(allowed_hosts, str):
            raise TypeError(f"allowed_hosts must be a list of patterns, not {allowed_hosts!r}")
        self.app = app
        self.allowed_hosts = tuple(_check_pattern(pattern) for pattern in allowed_hosts)
        self.allow_any = "*" in self.allowed_hosts
        self.www_redirect = www_redirect

    def is_allowed(self, host: str) -> bool:
        """Whether ``host`` (as :func:`host_from_header` returns it) matches a pattern."""
        for pattern in self.allowed_hosts:
            if host == pattern or pattern == "*":
                return True
            # "*.example.com" -> ".example.com": the dot keeps out "evilexample.com", and the
            # host grammar (no empty label) keeps out ".example.com" itself.
            if pattern.startswith("*.") and host.endswith(pattern[1:]):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = host_from_header(request_header(scope, "host"))
        if host is not None and self.is_allowed(host):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": 1008})
        else:
            await self.refusal(scope, host)(scope, receive, send)

    def refusal(self, scope: Scope, host: str | None) -> Response:
        """The redirect to the ``www.`` name when that is the one served, else a 400."""
        if self.www_redirect and host is not None and f"www.{host}" in self.allowed_hosts:
            url = URL(scope=scope)
            return RedirectResponse(url.replace(netloc=f"www.{url.netloc}"), status_code=307)
        return PlainTextResponse("Invalid host header", status_code=400)
