"""Responses: objects that know how to send themselves over ASGI.

A response is itself an ASGI application. Calling ``await response(scope, receive, send)``
sends two kinds of message::

    {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"...")]}
    {"type": "http.response.body", "body": b"...", "more_body": False}

:class:`Response` sends its whole body in one message; :class:`StreamingResponse` sends one
message per chunk as its content produces them. The subclasses only change how content becomes
bytes (:meth:`Response.render`) and the default media type. ``FileResponse`` lives in
``covet.asgi.fileresponse``.

For a ``HEAD`` request every response sends the same status and headers as for ``GET``
(``content-length`` included, so a client can learn the size) and an empty body.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any, Literal, TypeVar, cast
from urllib.parse import quote

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.headers import MutableHeaders
from covet.asgi.json import dumps
from covet.asgi.types import Receive, Scope, Send
from covet.asgi.url import URL

__all__ = [
    "Response",
    "HTMLResponse",
    "PlainTextResponse",
    "JSONResponse",
    "RedirectResponse",
    "StreamingResponse",
]

# RFC 6265: a cookie name is an HTTP token; a value is made of "cookie-octets", printable
# ASCII except space, double quote, comma, semicolon and backslash.
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
# A ";" or a control character in an attribute would end it and start another.
_UNSAFE_IN_ATTRIBUTE = re.compile(r"[;\x00-\x1f\x7f]")

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@functools.lru_cache(maxsize=64)
def _content_type(media_type: str, charset: str) -> bytes:
    """The ``content-type`` value for ``media_type``, checked and encoded as any header is.

    A ``text/*`` type gets ``; charset=...`` unless it names one. Cached: an application
    uses a handful of media types, so each is encoded (and refused if it holds a CR or LF)
    once, not once per response.
    """
    content_type = media_type
    if content_type.startswith("text/") and "charset=" not in content_type.lower():
        content_type += f"; charset={charset}"
    return MutableHeaders({"content-type": content_type}).raw[0][1]


def status_allows_body(status_code: int) -> bool:
    """False for 1xx, 204 and 304: HTTP forbids a body (and so ``content-length``) there."""
    return status_code >= 200 and status_code not in (204, 304)


class Response:
    """A complete response whose body is known up front.

    ``content`` may be ``bytes``, ``str`` (encoded with :attr:`charset`) or ``None`` (empty).
    The response sets ``content-length`` from the body and ``content-type`` from ``media_type``
    (a ``text/*`` type gets ``; charset=utf-8`` unless it names a charset), unless ``headers``
    already has them. ``background`` runs after the body has been sent.
    """

    media_type: str | None = None
    """The default ``content-type`` of the class; ``None`` sends no ``content-type``."""
    charset: str = "utf-8"
    """How ``str`` content is encoded, and the charset named for ``text/*`` types."""

    def __init__(
        self,
        content: bytes | str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body: bytes = self.render(content)
        if self.body and not status_allows_body(status_code):
            raise ValueError(f"a {status_code} response cannot have a body, got {self.body!r}")
        self.headers: MutableHeaders = self.init_headers(headers, content_length=len(self.body))

    def render(self, content: Any) -> bytes:
        """Turn ``content`` into body bytes. Subclasses override this for other content."""
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode(self.charset)
        raise TypeError(
            f"{type(self).__name__} content must be bytes, str or None, "
            f"not {type(content).__name__}; use JSONResponse to send data as JSON"
        )

    def init_headers(
        self, headers: Mapping[str, str] | None, content_length: int | None
    ) -> MutableHeaders:
        """The initial headers: the caller's, plus ``content-length`` and ``content-type``.

        ``content_length=None`` means the length is not known in advance (streaming).
        """
        ours: list[tuple[bytes, bytes]] = []
        if content_length is not None and status_allows_body(self.status_code):
            ours.append((b"content-length", b"%d" % content_length))
        if self.media_type is not None:
            ours.append((b"content-type", _content_type(self.media_type, self.charset)))
        if not headers:
            # The usual case, and a hot path: no headers from the caller, so nothing can
            # clash and the two fields are used as built (lower-case names, so without the
            # copy Headers(raw=...) makes). Saves the per-field lookup, re-encoding and
            # CR/LF scan of setdefault(); safe because a content-length is digits and a
            # content-type was checked once by _content_type().
            return MutableHeaders.from_lowercase_raw(ours)
        result = MutableHeaders(headers)
        for name, value in ours:
            result.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        return result

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: int | datetime.datetime | str | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Add a ``set-cookie`` header. Each cookie is its own header line.

        Safe by default: ``HttpOnly`` (page scripts cannot read it, so an injected script
        cannot steal a session) and ``SameSite=Lax`` (other sites' forms cannot send it,
        blocking most CSRF). Pass ``httponly=False`` or ``samesite=None`` to turn them off.

        - ``max_age``: seconds until the cookie expires; ``0`` deletes it.
        - ``expires``: seconds from now (``int``), a ``datetime`` (naive means UTC), or a
          ready-made HTTP date string.
        - ``samesite="none"`` requires ``secure=True``, and so does ``partitioned=True``:
          browsers drop such cookies otherwise, so this raises ``ValueError`` instead.

        The value must be RFC 6265 "cookie-octets": printable ASCII without space, ``"``,
        ``,``, ``;`` or ``\\``. Anything else raises ``ValueError``; encode such data first,
        for example with ``urllib.parse.quote()``, so the client sends back what was set.
        """
        if not _COOKIE_NAME.fullmatch(key):
            raise ValueError(
                f"invalid cookie name {key!r}: use letters, digits and !#$%&'*+-.^_`|~"
            )
        if not _COOKIE_VALUE.fullmatch(value):
            raise ValueError(
                f"invalid value for cookie {key!r}: {value!r}; cookie values cannot hold "
                "spaces, quotes, commas, semicolons, backslashes or non-ASCII text, so encode "
                "it first (urllib.parse.quote, base64)"
            )
        parts = [f"{key}={value}"]
        if domain is not None:
            parts.append(f"Domain={_attribute('domain', domain)}")
        if path is not None:
            parts.append(f"Path={_attribute('path', path)}")
        if max_age is not None:
            parts.append(f"Max-Age={int(max_age)}")
        if expires is not None:
            parts.append(f"Expires={_http_date(expires)}")
        if samesite is not None:
            samesite_value = samesite.lower()
            if samesite_value not in ("lax", "strict", "none"):
                raise ValueError(f"samesite must be 'lax', 'strict' or 'none', not {samesite!r}")
            if samesite_value == "none" and not secure:
                raise ValueError(
                    "samesite='none' requires secure=True: browsers reject a cookie that is "
                    "sent to other sites unless it travels only over HTTPS"
                )
        if partitioned and not secure:
            raise ValueError(
                "partitioned=True requires secure=True: browsers reject a partitioned "
                "cookie that is not Secure"
            )
        if secure:
            parts.append("Secure")
        if httponly:
            parts.append("HttpOnly")
        if samesite is not None:
            parts.append(f"SameSite={samesite.capitalize()}")
        if partitioned:
            parts.append("Partitioned")
        self.headers.append("set-cookie", "; ".join(parts))

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Tell the browser to forget cookie ``key``: an empty value that expired in 1970.

        A browser only replaces the cookie with the same name, ``path`` and ``domain``, so
        pass those exactly as when it was set.
        """
        self.set_cookie(
            key,
            "",
            max_age=0,
            expires=_EPOCH,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the status line and headers, then the body (empty for ``HEAD``)."""
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.headers.raw,
            }
        )
        body = b"" if scope.get("method") == "HEAD" else self.body
        await send({"type": "http.response.body", "body": body, "more_body": False})
        if self.background is not None:
            await self.background()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code})"


def _attribute(name: str, value: str) -> str:
    if _UNSAFE_IN_ATTRIBUTE.search(value):
        raise ValueError(f"cookie {name} {value!r} contains ';' or a control character")
    return value


def _http_date(expires: int | datetime.datetime | str) -> str:
    # The cookie date format of RFC 6265 is the HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT".
    if isinstance(expires, str):
        return _attribute("expires", expires)
    if isinstance(expires, int):
        moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=expires)
    elif expires.tzinfo is None:
        moment = expires.replace(tzinfo=datetime.UTC)
    else:
        moment = expires.astimezone(datetime.UTC)
    # Imported here, for the rare cookie with an expiry date: the email package costs every
    # application start-up time otherwise.
    from email.utils import format_datetime

    return format_datetime(moment, usegmt=True)


class HTMLResponse(Response):
    """An HTML page: ``content-type: text/html; charset=utf-8``."""

    media_type = "text/html"


class PlainTextResponse(Response):
    """Plain text: ``content-type: text/plain; charset=utf-8``."""

    media_type = "text/plain"


class JSONResponse(Response):
    """Data encoded as JSON by :func:`covet.asgi.json.dumps` (orjson when installed).

    ``content`` may be anything that module can encode: dicts, lists, strings, numbers,
    datetimes, UUIDs, Decimals, dataclasses. Anything else raises ``TypeError`` naming it.
    """

    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, media_type, background)

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as compact UTF-8 JSON."""
        return dumps(content)


class RedirectResponse(Response):
    """Send the client to ``url`` with a ``location`` header and an empty body.

    The default 307 keeps the method (a POST is re-sent as a POST). Use 303 after a form
    POST to make the browser follow with a GET, and 301/308 for permanent moves.
    """

    def __init__(
        self,
        url: str | URL,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        if not 300 <= status_code < 400:
            raise ValueError(f"a redirect needs a 3xx status code, not {status_code}")
        super().__init__(b"", status_code, headers, background=background)
        # Percent-encode what cannot appear in a URL (spaces, non-ASCII) but keep every
        # character that has a meaning in one, so an already valid URL passes unchanged.
        self.headers["location"] = quote(str(url), safe=":/%#?=@[]!$&'()*+,;")


class StreamingResponse(Response):
    """A response whose body is produced piece by piece, sent as it comes.

    ``content`` is an async iterable (an ``async def`` generator, typically) or a plain
    iterable of ``str`` or ``bytes`` chunks. A plain iterable is advanced in a worker thread,
    so a generator that blocks on a file or socket does not stall the server. Each chunk is
    sent as its own ``http.response.body`` message with ``more_body=True``, and a final empty
    one closes the body. There is no ``content-length``: the size is not known in advance.

    While streaming, the response also listens on ``receive`` for ``http.disconnect``. When
    the client goes away it stops iterating and closes an async generator (``aclose()``), so
    the generator's ``finally`` blocks release what they hold. A plain generator is closed the
    same way, unless a worker thread is inside it at that moment (a thread cannot be
    interrupted); then it is closed when its last reference goes. Because this listener reads
    ``receive``, a generator must not read the request body itself: read it before returning
    the response.

    The iteration runs in an asyncio task, which starts with a copy of the caller's context:
    context variables set by middleware are visible inside the generator.
    """

    def __init__(
        self,
        content: AsyncIterable[str | bytes] | Iterable[str | bytes],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        self.body_iterator = content
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body = b""
        self.headers = self.init_headers(headers, content_length=None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers, then every chunk until the content ends or the client leaves."""
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.headers.raw,
            }
        )
        if scope.get("method") == "HEAD":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self._stream_until_disconnect(receive, send)
        if self.background is not None:
            await self.background()

    async def _stream_until_disconnect(self, receive: Receive, send: Send) -> None:
        # Two tasks race: one sends the chunks, one waits for the client to leave. Whichever
        # finishes first, the other is cancelled and awaited, so nothing outlives the call.
        streaming = asyncio.create_task(self._send_chunks(send))
        listening = asyncio.create_task(_wait_for_disconnect(receive))
        try:
            await asyncio.wait((streaming, listening), return_when=asyncio.FIRST_COMPLETED)
        finally:
            streaming.cancel()
            listening.cancel()
            await asyncio.wait((streaming, listening))
        for task in (streaming, listening):
            if not task.cancelled():
                task.result()  # re-raises an error from the content or from receive

    async def _send_chunks(self, send: Send) -> None:
        chunks = _as_async_iterator(self.body_iterator)
        try:
            async for chunk in chunks:
                body = self._encode_chunk(chunk)
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            # `async for` does not close what it iterates when interrupted; do it here so a
            # cancelled stream runs the generator's cleanup now, not at garbage collection.
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()

    def _encode_chunk(self, chunk: Any) -> bytes:
        if isinstance(chunk, bytes):
            return chunk
        if isinstance(chunk, str):
            return chunk.encode(self.charset)
        raise TypeError(
            f"StreamingResponse content must yield str or bytes, not {type(chunk).__name__}"
        )


async def _wait_for_disconnect(receive: Receive) -> None:
    # Any request body still arriving is read and dropped: a streaming response has already
    # started, so the handler is done with the request.
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


T = TypeVar("T")


def _as_async_iterator(content: AsyncIterable[T] | Iterable[T]) -> AsyncIterator[T]:
    if isinstance(content, AsyncIterable):
        return aiter(content)
    return _iterate_in_thread(content)


async def _iterate_in_thread(iterable: Iterable[T]) -> AsyncIterator[T]:
    """Advance a blocking iterator in worker threads, one ``next()`` per thread hop."""
    iterator = iter(iterable)
    done = object()
    try:
        while True:
            item = await asyncio.to_thread(next, iterator, done)
            if item is done:
                return
            yield cast(T, item)  # not `done`, so one of the iterator's items
    finally:
        close = getattr(iterator, "close", None)
        if close is not None and not getattr(iterator, "gi_running", False):
            close()
