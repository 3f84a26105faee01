"""Cross-Origin Resource Sharing: which other sites' pages may read our responses.

A browser keeps pages apart: a script on ``https://shop.example`` may *send* a request to
``https://api.example``, but it may not *read* the answer unless the answer says so. CORS is
how the server says so, in response headers:

- ``Access-Control-Allow-Origin: https://shop.example`` (or ``*``): that origin may read it.
- ``Access-Control-Allow-Credentials: true``: even when the request carried cookies.
- ``Access-Control-Expose-Headers``: response headers the script may see beyond the basic few.

A request that could do more than a plain HTML form (a ``PUT``, a JSON body, an
``Authorization`` header) is first asked about with a **preflight**: an ``OPTIONS`` request
carrying ``Origin``, ``Access-Control-Request-Method`` and ``Access-Control-Request-Headers``.
This middleware answers preflights itself, 200 with the permissions or 400 naming what was
refused, and never passes them to the application: they ask about a request, they are not one.

The browser enforces all of this; the server only states its policy. That is why an
``OPTIONS`` request *without* ``Access-Control-Request-Method`` is not a preflight and goes to
the application like any other request, and why CORS is no substitute for authentication:
a client that is not a browser ignores these headers.

**Caches.** When the answer depends on the origin (a list or a regex of origins), every
response carries ``Vary: Origin``, even a response to a request without ``Origin``: otherwise a
shared cache may store the answer given to one site and hand it to another. With ``*`` every
response says ``Access-Control-Allow-Origin: *``, with or without ``Origin``, and needs no
``Vary``. Both follow the Fetch standard's advice on CORS and HTTP caches.

**Errors.** Error responses made inside the stack (an ``HTTPException``, a 404) pass through
here and get the CORS headers, so a script can read the error. An *unhandled* exception is
answered by ``ServerErrorMiddleware``, outside every added middleware, so that 500 has none:
the browser reports a CORS error, and the server log has the real one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from covet.asgi.headers import Headers, MutableHeaders, request_header
from covet.asgi.middleware.vary import add_vary
from covet.asgi.responses import PlainTextResponse, Response
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CORSMiddleware"]

SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})
"""Always allowed: the request headers a plain HTML form can send anyway (``content-type`` with
a JSON value triggers a preflight, and every JSON API wants to allow it)."""

# scheme://host[:port], nothing after it: the form in which browsers send an Origin.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+")


def _check_origin(origin: str) -> str:
    """The configured origin, lower-cased, or a ``ValueError`` saying why it can never match."""
    if origin in ("*", "null") or _ORIGIN.fullmatch(origin.lower()):
        return origin.lower()
    raise ValueError(
        f"invalid origin {origin!r} in allow_origins: an origin is scheme://host[:port] with "
        "no path, not even a trailing '/', e.g. 'https://app.example' or 'http://localhost:3000'"
    )


# Origins no application means to trust: a regex that accepts one of them accepts anyone.
_PROBE_ORIGINS = ("https://attacker.invalid", "http://attacker.test:8080", "null")


def _refuse_any_origin_with_credentials(origins: set[str], regex: re.Pattern[str] | None) -> None:
    """Raise ``ValueError`` for the credentialed policies that trust any site.

    With credentials the allowed origin is echoed, so a regex matching every origin is ``*``
    with the one safeguard browsers apply to ``*`` removed: any site could read responses
    made with the user's cookies. ``"null"`` is the origin of sandboxed iframes and ``data:``
    pages, which any site can create, so trusting it with credentials is the same hole.
    """
    if "null" in origins:
        raise ValueError(
            "allow_origins=['null'] cannot be combined with allow_credentials=True: 'null' is "
            "the origin of sandboxed iframes and data: URLs, which any site can create, so it "
            "would let every site read credentialed responses"
        )
    if regex is not None and any(regex.fullmatch(origin) for origin in _PROBE_ORIGINS):
        raise ValueError(
            f"allow_origin_regex={regex.pattern!r} cannot be combined with "
            "allow_credentials=True: it accepts origins such as 'https://attacker.invalid' or "
            "'null', so any site could read credentialed responses. Anchor it to your own "
            r"domains, e.g. r'https://.*\.example\.com'."
        )


def _header_names(value: str) -> list[str]:
    """``"X-Token, Content-Type"`` -> ``["x-token", "content-type"]``."""
    return [name.strip().lower() for name in value.split(",") if name.strip()]


class CORSMiddleware:
    """Answer CORS preflights and add CORS headers to responses, by a fixed policy.

    - ``allow_origins``: exact origins such as ``"https://app.example"``, or ``["*"]`` for any.
    - ``allow_origin_regex``: origins that must match the whole pattern
      (``r"https://.*\\.example\\.com"``); combined with ``allow_origins`` by "either".
    - ``allow_methods``: methods a preflight may ask for; ``["*"]`` for any.
    - ``allow_headers``: request headers a preflight may ask for (compared case-insensitively);
      ``["*"]`` for any. The CORS-safelisted ones (:data:`SAFELISTED_HEADERS`) always are.
    - ``allow_credentials``: let cookies and ``Authorization`` ride along. Then the allowed
      origin is echoed, never ``*``.
    - ``expose_headers``: response headers scripts may read.
    - ``max_age``: seconds a browser may cache a preflight answer.

    ``allow_origins=["*"]`` with ``allow_credentials=True`` raises ``ValueError``: browsers
    refuse that combination on every request, so it is refused here, at startup, instead. So
    do the two ways around that refusal: ``"null"`` among the origins, and an
    ``allow_origin_regex`` that accepts any site (``.*``, ``https?://.*``), tried against
    origins nobody trusts.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Sequence[str] = (),
        allow_origin_regex: str | None = None,
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        if isinstance(allow_origins, str):
            raise TypeError(
                f"allow_origins must be a list of origins, not the string {allow_origins!r}"
            )
        origins = {_check_origin(origin) for origin in allow_origins}
        if "*" in origins and allow_credentials:
            raise ValueError(
                "allow_origins=['*'] cannot be combined with allow_credentials=True: browsers "
                "reject 'Access-Control-Allow-Origin: *' on credentialed requests, so every such "
                "request would fail. List the trusted origins (or use allow_origin_regex)."
            )
        regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        if allow_credentials:
            _refuse_any_origin_with_credentials(origins, regex)
        self.app = app
        self.allow_any_origin = "*" in origins
        self.allow_origins = frozenset(origins - {"*"})
        self.allow_origin_regex = regex
        self.allow_any_method = "*" in allow_methods
        self.allow_methods = tuple(method.upper() for method in allow_methods if method != "*")
        self.allow_any_header = "*" in allow_headers
        self.allow_headers = tuple(
            sorted(SAFELISTED_HEADERS | {name.lower() for name in allow_headers if name != "*"})
        )
        self.allow_credentials = allow_credentials
        self.expose_headers = tuple(expose_headers)
        self.max_age = max_age
        # With "*" every origin gets the same answer; otherwise the answer depends on Origin.
        self.varies_by_origin = not self.allow_any_origin

    def allowed_origin(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for ``origin``, or ``None`` if refused."""
        if self.allow_any_origin:
            return "*"
        if origin is None:
            return None
        if origin in self.allow_origins:
            return origin
        # fullmatch, not match or search: "https://.*\.example\.com" must not accept
        # "https://evil.example.com.attacker.net", which merely starts with a match.
        if self.allow_origin_regex is not None and self.allow_origin_regex.fullmatch(origin):
            return origin
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = request_header(scope, "origin")
        if origin is not None and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)  # a preflight reads several fields
            if "access-control-request-method" in headers:
                await self.preflight_response(headers)(scope, receive, send)
                return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(raw=message.get("headers", []))
                self.add_cors_headers(response_headers, origin)
                message["headers"] = response_headers.raw
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def add_cors_headers(self, headers: MutableHeaders, origin: str | None) -> None:
        """Add to an application response what the policy says about ``origin``."""
        if self.varies_by_origin:
            add_vary(headers, "Origin")
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return
        headers["access-control-allow-origin"] = allowed
        if self.allow_credentials:
            headers["access-control-allow-credentials"] = "true"
        if self.expose_headers:
            headers["access-control-expose-headers"] = ", ".join(self.expose_headers)

    def preflight_response(self, request_headers: Headers) -> Response:
        """200 with the permissions asked for, or 400 naming each thing that was refused.

        A browser only looks at the headers; the 400 and its text are for the developer
        reading the network tab, who otherwise sees nothing but "CORS error".
        """
        origin = request_headers["origin"]
        method = request_headers["access-control-request-method"]
        requested_headers = _header_names(request_headers.get("access-control-request-headers", ""))

        refused: list[str] = []
        allowed_origin = self.allowed_origin(origin)
        if allowed_origin is None:
            refused.append(f"origin {origin!r}")
        if not self.allow_any_method and method.upper() not in self.allow_methods:
            refused.append(f"method {method!r}")
        if not self.allow_any_header:
            bad = [name for name in requested_headers if name not in self.allow_headers]
            if bad:
                refused.append("headers " + ", ".join(repr(name) for name in bad))

        headers: dict[str, str] = {"vary": "Origin"} if self.varies_by_origin else {}
        if refused or allowed_origin is None:  # (the second test only tells mypy it is set)
            return PlainTextResponse(
                "Disallowed CORS preflight: " + "; ".join(refused), 400, headers
            )
        headers["access-control-allow-origin"] = allowed_origin
        # With "*" the request's own method and headers are echoed: a literal "*" is not a
        # wildcard on credentialed requests, an echo works in both cases.
        headers["access-control-allow-methods"] = (
            method if self.allow_any_method else ", ".join(self.allow_methods)
        )
        allow_headers = requested_headers if self.allow_any_header else self.allow_headers
        if allow_headers:
            headers["access-control-allow-headers"] = ", ".join(allow_headers)
        headers["access-control-max-age"] = str(self.max_age)
        if self.allow_credentials:
            headers["access-control-allow-credentials"] = "true"
        return PlainTextResponse("OK", 200, headers)
