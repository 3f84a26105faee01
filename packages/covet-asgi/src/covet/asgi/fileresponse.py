"""Sending a file from disk: validators, conditional requests and byte ranges.

A file is sent in chunks read by worker threads (``asyncio.to_thread``), so a large file never
sits in memory and a slow disk never blocks the event loop. Around that, HTTP lets a client
avoid downloading what it already has:

- **Validators.** Every response carries ``last-modified`` (the file's mtime) and an
  ``etag``. The ETag is ``"<mtime in ns, hex>-<size, hex>"``: it changes whenever the file is
  rewritten or resized, and costs no read of the content. It is sent as a *strong* validator,
  which ``If-Range`` requires; the accepted risk is a rewrite that keeps both the size and the
  mtime, which the file system's nanosecond timestamps make unlikely.
- **Conditional GET** (RFC 9110 section 13). ``If-None-Match`` listing the ETag (or ``*``)
  gives ``304 Not Modified`` with no body. Without ``If-None-Match``, ``If-Modified-Since`` at
  or after the mtime does the same. Only ``GET`` and ``HEAD`` are answered with 304.
- **Ranges** (RFC 9110 section 14), for resuming downloads and seeking in media. A ``GET`` with
  ``Range: bytes=0-99``, ``bytes=100-`` or ``bytes=-100`` (the last 100 bytes) gets ``206
  Partial Content`` with ``content-range: bytes 0-99/<size>`` and only those bytes. A range
  starting past the end gets ``416`` with ``content-range: bytes */<size>``. A malformed header
  is ignored and the whole file sent, as RFC 9110 permits. When *several* ranges are
  satisfiable, the whole file is sent with 200 too: ``multipart/byteranges`` is rarely used,
  and answering many small overlapping ranges is a known way to make a server do a lot of work.
  ``If-Range`` with a validator that no longer matches also means "send the whole file".

Ranges and conditions apply to a 200 response; with another ``status_code`` (a custom 404
page, say) the file is simply sent whole.
"""

from __future__ import annotations

import asyncio
import datetime
import mimetypes
import os
from collections.abc import Mapping
from email.utils import formatdate, parsedate_to_datetime
from typing import BinaryIO
from urllib.parse import quote

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.headers import Headers, MutableHeaders
from covet.asgi.responses import Response
from covet.asgi.types import Receive, Scope, Send

__all__ = ["FileResponse", "parse_range"]

# A 304 describes no body, so the fields describing one are left out (RFC 9110, 15.4.5).
_BODY_FIELDS = (
    "content-type",
    "content-length",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-range",
)


class FileResponse(Response):
    """Send the file at ``path``, honouring conditional and range requests.

    - ``media_type``: guessed from ``filename`` or ``path`` by :mod:`mimetypes` when not given,
      ``application/octet-stream`` when the guess fails.
    - ``filename``: sets ``content-disposition: attachment; filename="report.pdf"`` so browsers
      save the file under that name (``content_disposition_type="inline"`` displays it
      instead). A name outside printable ASCII is sent in the RFC 5987 form
      ``filename*=utf-8''r%C3%A9sum%C3%A9.pdf``, which every current browser decodes.
    - ``stat_result``: an ``os.stat_result`` the caller already has, saving a system call.
    - ``chunk_size``: bytes per read and per ``http.response.body`` message.

    Constructing the response touches no disk. The file is opened when the response is sent;
    if it is missing, ``FileNotFoundError`` naming the path is raised before anything has
    been sent, so the application can still answer with an error page.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
        filename: str | None = None,
        content_disposition_type: str = "attachment",
        chunk_size: int = 64 * 1024,
        stat_result: os.stat_result | None = None,
    ) -> None:
        self.path = path
        self.status_code = status_code
        self.filename = filename
        self.chunk_size = chunk_size
        self.stat_result = stat_result
        self.background = background
        self.body = b""
        if media_type is None:
            media_type = mimetypes.guess_type(filename or os.fspath(path))[0]
        self.media_type = media_type or "application/octet-stream"
        # content-length, etag and last-modified need the file; they are added when sending.
        self.headers = self.init_headers(headers, content_length=None)
        self.headers.setdefault("accept-ranges", "bytes")
        if filename is not None:
            self.headers.setdefault(
                "content-disposition", content_disposition(content_disposition_type, filename)
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Open the file, decide the status (200, 206, 304, 416), then send headers and body."""
        file = await asyncio.to_thread(_open_for_reading, self.path)
        try:
            stat = self.stat_result
            if stat is None:
                stat = await asyncio.to_thread(os.fstat, file.fileno())
            status, headers, start, length = self._plan(scope, stat)
            await send({"type": "http.response.start", "status": status, "headers": headers.raw})
            if scope.get("method") == "HEAD" or length == 0:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await self._send_bytes(file, start, length, send)
        finally:
            await asyncio.to_thread(file.close)
        if self.background is not None:
            await self.background()

    def _plan(self, scope: Scope, stat: os.stat_result) -> tuple[int, MutableHeaders, int, int]:
        """Status, headers, first byte and byte count for this request: no I/O, all policy."""
        headers = MutableHeaders(raw=self.headers.raw)  # a copy: the response stays reusable
        size = stat.st_size
        etag = headers.setdefault("etag", f'"{stat.st_mtime_ns:x}-{size:x}"')
        headers.setdefault("last-modified", formatdate(stat.st_mtime, usegmt=True))
        if self.status_code != 200:
            headers.setdefault("content-length", str(size))
            return self.status_code, headers, 0, size

        request = Headers(scope=scope)
        method = scope.get("method", "GET")
        if method in ("GET", "HEAD") and _not_modified(request, etag, stat):
            _remove(headers, _BODY_FIELDS)
            return 304, headers, 0, 0

        range_header = request.get("range")
        # Range is defined for GET only (RFC 9110, 14.2); an empty file has no byte to point at.
        if (
            method == "GET"
            and range_header is not None
            and size > 0
            and _if_range_allows(request.get("if-range"), etag, stat)
        ):
            ranges = parse_range(range_header, size)
            if ranges == []:
                _remove(headers, ("content-type", "content-disposition"))
                headers["content-range"] = f"bytes */{size}"
                headers["content-length"] = "0"
                return 416, headers, 0, 0
            if ranges is not None and len(ranges) == 1:
                first, last = ranges[0]
                headers["content-range"] = f"bytes {first}-{last}/{size}"
                headers["content-length"] = str(last - first + 1)
                return 206, headers, first, last - first + 1

        headers["content-length"] = str(size)
        return 200, headers, 0, size

    async def _send_bytes(self, file: BinaryIO, start: int, length: int, send: Send) -> None:
        await asyncio.to_thread(file.seek, start)
        remaining = length
        while remaining > 0:
            chunk = await asyncio.to_thread(file.read, min(self.chunk_size, remaining))
            if not chunk:
                # content-length is already sent; stopping short would leave the client
                # waiting, so fail loudly and let the server drop the connection.
                raise RuntimeError(
                    f"FileResponse: {os.fspath(self.path)!r} is shorter than its stat result "
                    f"said ({remaining} of {length} bytes missing); was it truncated?"
                )
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})


def _remove(headers: MutableHeaders, names: tuple[str, ...]) -> None:
    for name in names:
        if name in headers:
            del headers[name]


def _open_for_reading(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        return open(path, "rb")  # closed by FileResponse.__call__
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            exc.errno, "FileResponse has no file to send at this path", os.fspath(path)
        ) from None


def content_disposition(disposition_type: str, filename: str) -> str:
    """The ``content-disposition`` value naming ``filename``, quoted or RFC 5987 encoded."""
    if filename.isascii() and filename.isprintable() and not set(filename) & {'"', "\\"}:
        return f'{disposition_type}; filename="{filename}"'
    return f"{disposition_type}; filename*=utf-8''{quote(filename, safe='')}"


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable byte ranges of a ``Range`` header, as inclusive ``(first, last)`` pairs.

    Returns ``None`` for a header that is malformed or not in bytes (the caller ignores it),
    and ``[]`` when it is well formed but no range falls inside ``size`` bytes (416).
    ``bytes=-500`` of a 300-byte file is the whole file; ``bytes=0-999`` is clamped to it.
    """
    unit, equals, range_set = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if not specs:
        return None
    try:
        for spec in specs:
            first_text, dash, last_text = spec.partition("-")
            if not dash:
                return None
            if first_text:  # "first-last" or "first-"
                if not _is_digits(first_text) or (last_text and not _is_digits(last_text)):
                    return None
                first = int(first_text)
                last = int(last_text) if last_text else size - 1
                if last_text and last < first:
                    return None  # RFC 9110 calls this range-spec invalid
                if first < size:
                    ranges.append((first, min(last, size - 1)))
            elif _is_digits(last_text):  # "-suffix": the last `suffix` bytes
                suffix = int(last_text)
                if suffix > 0:
                    ranges.append((max(size - suffix, 0), size - 1))
            else:
                return None
    except ValueError:  # more digits than int() accepts: no real client sends that
        return None
    return ranges


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _not_modified(request: Headers, etag: str, stat: os.stat_result) -> bool:
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        # Weak comparison (RFC 9110, 8.8.3.2): W/"x" and "x" name the same version here.
        if if_none_match.strip() == "*":
            return True
        ours = etag.removeprefix("W/")
        return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))
    since = _parse_http_date(request.get("if-modified-since"))
    # HTTP dates have whole seconds; the file's mtime has fractions, so compare seconds.
    return since is not None and int(stat.st_mtime) <= since


def _if_range_allows(if_range: str | None, etag: str, stat: os.stat_result) -> bool:
    """True when the range may be served: no ``If-Range``, or one naming this version."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        # Strong comparison: a weak tag never matches, ours must not be weak either.
        return value == etag and not etag.startswith("W/")
    return _parse_http_date(value) == int(stat.st_mtime)


def _parse_http_date(value: str | None) -> int | None:
    """Seconds since the epoch of an HTTP date, or ``None`` if absent or unreadable."""
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC with the offset unknown
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())
