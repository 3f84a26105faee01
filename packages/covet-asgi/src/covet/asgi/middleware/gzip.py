"""Compress response bodies with gzip for clients that accept it.

Text (HTML, JSON, CSS, JavaScript) shrinks to a fifth or less under gzip, which is time saved
on every slow link. The client says what it can decode in ``Accept-Encoding``; the response
says what it did in ``Content-Encoding: gzip``. A response is compressed when all of these hold:

- the client accepts gzip: ``Accept-Encoding`` lists ``gzip`` (or ``*``) with a quality above
  zero. ``gzip;q=0`` means "never gzip", ``identity`` alone means "only the plain body". No
  ``Accept-Encoding`` at all means no compression: RFC 9110 would allow it, but clients that
  send nothing are often the ones that cannot decode it;
- the body is at least ``minimum_size`` bytes: below that the gzip framing (18 bytes) and the
  CPU time buy nothing;
- the response is not encoded already (no ``Content-Encoding``) and is not a part of a body
  (no ``206``/``Content-Range``: a compressed byte range would mean nothing);
- its media type is worth compressing (see below). ``HEAD`` requests and 204/304 responses
  have no body and pass through untouched.

**Vary.** The same URL now has two bodies, so caches must key it on ``Accept-Encoding``.
Every response of a compressible type gets ``Vary: Accept-Encoding`` (merged with what is
there), *also when it is not compressed* (too small, or the client said no): otherwise a cache
could store the plain answer and keep serving it to gzip clients, or, worse, the reverse.

**Streaming.** A body sent in several ``more_body`` messages is compressed as it goes by one
``zlib`` compressor; each chunk is flushed (``Z_SYNC_FLUSH``) so the client can decode it at
once and a stream stays live, at some cost in ratio. The length is unknown in advance, so
``Content-Length`` is dropped.

**Validators and ranges.** The compressed bytes differ from the plain ones, so a strong
``ETag`` (a promise of identical bytes) becomes weak (``W/"..."``): weak comparison still
answers ``If-None-Match`` with 304. ``Accept-Ranges`` is removed, since ranges of the plain
body do not apply to the compressed one.

**Not compressed, by media type.** ``text/event-stream``, never: each event must reach the
client the moment it is sent, and compressors and proxies that decompress hold data back to
fill a block. Already compressed formats (``image/*`` except SVG, ``audio/*``, ``video/*``,
archives, web fonts) are skipped too: gzip cannot shrink them, it only spends CPU. Those get
no ``Vary``, since their body never depends on ``Accept-Encoding`` here.
"""

from __future__ import annotations

import functools
import zlib
from enum import Enum

from covet.asgi.headers import MutableHeaders, request_header
from covet.asgi.middleware.vary import add_vary
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZipMiddleware", "accepts_gzip"]

_NEVER_COMPRESSED = frozenset(
    {
        "text/event-stream",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/x-7z-compressed",
        "application/x-rar-compressed",
        "font/woff",
        "font/woff2",
    }
)
_NEVER_COMPRESSED_FAMILIES = ("image/", "audio/", "video/")
_TEXT_IMAGES = frozenset({"image/svg+xml"})  # XML text inside the image family

_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib writes the gzip header and trailer with 16 + window


@functools.lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows a gzip body.

    ``"gzip, deflate"`` and ``"*"`` do; ``"gzip;q=0"``, ``"identity"``, ``"*;q=0"`` and ``""``
    do not. A ``gzip`` entry decides over ``*``, and ``x-gzip`` is gzip's old name (RFC 9110,
    8.4.1.3). A quality that is not a number counts as zero: no permission was given.

    Cached, like ``host_from_header``: clients send a handful of distinct values, each on
    every request; the cache is bounded, so many different values only evict.
    """
    if ";" not in accept_encoding:
        # No qualities, as browsers and most clients send it ("gzip, deflate, br"): every
        # coding listed is allowed, so gzip is if it, its old name or "*" is listed.
        listed = {coding.strip().lower() for coding in accept_encoding.split(",")}
        return not listed.isdisjoint(("gzip", "x-gzip", "*"))
    qualities: dict[str, float] = {}
    for entry in accept_encoding.split(","):
        coding, *params = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.lower()] = quality
    for coding in ("gzip", "x-gzip"):
        if coding in qualities:
            return qualities[coding] > 0
    return qualities.get("*", 0.0) > 0


def _compressible(content_type: str | None) -> bool:
    """Whether a body of this ``Content-Type`` is worth compressing (no type: yes)."""
    if content_type is None:
        return True
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type in _NEVER_COMPRESSED:
        return False
    return media_type in _TEXT_IMAGES or not media_type.startswith(_NEVER_COMPRESSED_FAMILIES)


class GZipMiddleware:
    """Gzip response bodies of at least ``minimum_size`` bytes for clients that accept it.

    ``compresslevel`` runs from 1 (fastest) to 9 (smallest); 6, zlib's own default, gets
    nearly all of 9's gain for much less CPU.
    """

    def __init__(self, app: ASGIApp, *, minimum_size: int = 500, compresslevel: int = 6) -> None:
        if not 1 <= compresslevel <= 9:
            raise ValueError(f"compresslevel must be from 1 to 9, not {compresslevel}")
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        gzip_ok = accepts_gzip(request_header(scope, "accept-encoding") or "")
        responder = _GZipResponder(self, send, gzip_ok=gzip_ok)
        await self.app(scope, receive, responder.send)


class _State(Enum):
    START = "waiting for http.response.start"
    FIRST_BODY = "start held back until the first body chunk shows whether to compress"
    COMPRESSING = "every body chunk goes through the compressor"
    PASSING = "messages go out as they are"


# The members under plain module names, which the responder uses: on CPython 3.11 reading
# ``_State.START`` goes through the enum's member lookup, about 1,100 instructions each time
# (callgrind), and a response reads a state up to six times.
_START, _FIRST_BODY, _COMPRESSING, _PASSING = _State


class _GZipResponder:
    """The ``send`` for one response: a small state machine over its messages.

    The start message (status and headers) cannot go out before we know whether the body
    will be compressed, because that changes the headers. So it is held until the first body
    chunk, which tells the size (a whole body) or that a stream has begun (``more_body``).
    """

    def __init__(self, middleware: GZipMiddleware, send: Send, *, gzip_ok: bool) -> None:
        self.minimum_size = middleware.minimum_size
        self.compresslevel = middleware.compresslevel
        self.next_send = send
        self.gzip_ok = gzip_ok
        self.state = _START
        # Both set by on_start when it holds the start back (FIRST_BODY); not made here, as
        # most responses are passed on as they are and never need them.
        self.start: Message
        self.headers: MutableHeaders
        # Made on first use: a compressor holds about 256 KiB, and most responses need none.
        self.compressor: zlib._Compress | None = None

    async def send(self, message: Message) -> None:
        if self.state is _START and message["type"] == "http.response.start":
            await self.on_start(message)
        elif self.state is _FIRST_BODY and message["type"] == "http.response.body":
            await self.on_first_body(message)
        elif self.state is _COMPRESSING and message["type"] == "http.response.body":
            await self.next_send(self.compressed(message))
        else:
            await self.next_send(message)

    async def on_start(self, message: Message) -> None:
        headers = MutableHeaders(raw=message.get("headers", []))
        status: int = message["status"]
        if (
            status in (204, 206, 304)
            or "content-encoding" in headers
            or "content-range" in headers
            or not _compressible(headers.get("content-type"))
        ):
            self.state = _PASSING
            await self.next_send(message)
            return
        add_vary(headers, "Accept-Encoding")
        message["headers"] = headers.raw
        declared = headers.get("content-length")
        too_small = (
            declared is not None and declared.isdigit() and int(declared) < self.minimum_size
        )
        if not self.gzip_ok or too_small:
            self.state = _PASSING
            await self.next_send(message)
            return
        self.start, self.headers = message, headers
        self.state = _FIRST_BODY

    async def on_first_body(self, message: Message) -> None:
        body: bytes = message.get("body", b"")
        streaming: bool = message.get("more_body", False)
        if not streaming and len(body) < self.minimum_size:
            self.state = _PASSING
            await self.next_send(self.start)
            await self.next_send(message)
            return
        self.state = _COMPRESSING
        message = self.compressed(message)
        headers = self.headers
        headers["content-encoding"] = "gzip"
        if streaming:
            if "content-length" in headers:
                del headers["content-length"]
        else:
            headers["content-length"] = str(len(message["body"]))
        etag = headers.get("etag")
        if etag is not None and not etag.startswith("W/"):
            headers["etag"] = "W/" + etag
        if "accept-ranges" in headers:
            del headers["accept-ranges"]
        self.start["headers"] = headers.raw
        await self.next_send(self.start)
        await self.next_send(message)

    def compressed(self, message: Message) -> Message:
        """The body message with its chunk compressed; the last one ends the gzip stream."""
        if self.compressor is None:
            self.compressor = zlib.compressobj(self.compresslevel, zlib.DEFLATED, _GZIP_WBITS)
        data = self.compressor.compress(message.get("body", b""))
        if message.get("more_body", False):
            data += self.compressor.flush(zlib.Z_SYNC_FLUSH)
        else:
            data += self.compressor.flush(zlib.Z_FINISH)
        return {**message, "body": data}
