"""HTML forms: ``application/x-www-form-urlencoded`` and ``multipart/form-data`` bodies.

A browser sends a ``<form>`` in one of two encodings:

- **urlencoded** (the default): ``name=Ada+Lovelace&tag=a&tag=b``, the same syntax as a
  query string, with ``+`` for a space and ``%XX`` escapes;
- **multipart** (``enctype="multipart/form-data"``, needed for files): the body is cut into
  *parts* by a boundary string named in the ``Content-Type`` header; each part has its own
  headers (``Content-Disposition: form-data; name="photo"; filename="cat.jpg"``) and bytes.

Both are parsed **while the body streams in**: every chunk from ``Request.stream()`` is fed
to a streaming parser from python-multipart (the ``forms`` extra), whose callbacks report
names, values and part boundaries as they pass. Nothing holds the whole body: a field's value
is kept (it is bounded by ``max_part_size``), and a file's bytes go straight into an
:class:`~covet.asgi.uploads.UploadFile`, which moves to disk once it is large.

Every limit gives a specific error:

========================================  =====  ==========================================
what                                      code   why
========================================  =====  ==========================================
body over ``max_body_size``               413    enforced by ``Request.stream()`` itself
a field's value over ``max_part_size``    413    it is held in memory; names the field
more fields or files than allowed         400    a cheap request must not create 10**6 objects
bad or missing boundary, truncated body   400    the client sent a malformed body
a name or value not in the charset        400    names the field
not a form ``Content-Type``               415    the body is in a format ``form()`` does not read
========================================  =====  ==========================================

python-multipart is imported only when a form is parsed, so ``covet-asgi`` without the extra
still imports, and :class:`FormData` can be used (and exported) everywhere.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote_to_bytes

from covet.asgi.exceptions import HTTPException
from covet.asgi.extras import install_command
from covet.asgi.headers import Headers
from covet.asgi.multidict import ImmutableMultiDict
from covet.asgi.uploads import DEFAULT_SPOOL_THRESHOLD, UploadFile

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["FormData", "FormLimits", "parse_form", "require_python_multipart"]

FormValue = str | UploadFile


class FormData(ImmutableMultiDict[FormValue]):
    """A parsed form: an immutable, multi-valued mapping of names to values.

    A value is a ``str`` for an ordinary field and an :class:`UploadFile` for a file part.
    As in every :class:`~covet.asgi.multidict.ImmutableMultiDict`, ``form[name]`` returns the
    **last** value for ``name`` and ``form.getlist(name)`` every value, in order (checkboxes,
    ``<select multiple>``); ``multi_items()`` has every pair, in the order sent.

    ``await form.close()`` closes every upload; CovetPy does it for ``request.form()`` once
    the response has been sent.
    """

    async def close(self) -> None:
        """Close every uploaded file, which deletes its temporary file."""
        for _, value in self._list:
            if isinstance(value, UploadFile):
                await value.close()


@dataclass(frozen=True, slots=True)
class FormLimits:
    """How much one form may hold; see ``Request.form`` for the meaning of each."""

    max_files: int = 1000
    max_fields: int = 1000
    max_part_size: int = 1024 * 1024
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD


def require_python_multipart() -> None:
    """Fail with the install command when the ``forms`` extra is missing.

    Every function below imports python-multipart where it uses it, never at the top of the
    module: that is what lets ``covet.asgi`` import without the extra. A handler with a
    :class:`FormData` parameter is checked when its route is registered (``signature.py``).
    """
    try:
        import python_multipart  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "Request.form() needs python-multipart (the 'forms' extra): " + install_command("forms")
        ) from None


async def parse_form(
    content_type: str | None, chunks: AsyncIterator[bytes], limits: FormLimits
) -> FormData:
    """Parse a form body from ``chunks``, choosing the parser by ``content_type``."""
    require_python_multipart()
    from python_multipart.multipart import parse_options_header

    media_type, options = parse_options_header(content_type)
    charset = _charset(options)
    if media_type == b"application/x-www-form-urlencoded":
        return await _parse_urlencoded(chunks, charset, limits)
    if media_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise HTTPException(
                400, "multipart/form-data needs a boundary parameter in its Content-Type header"
            )
        return await _parse_multipart(chunks, boundary, charset, limits)
    received = repr(content_type) if content_type else "no Content-Type"
    raise HTTPException(
        415,
        "Request.form() reads application/x-www-form-urlencoded or multipart/form-data, "
        f"got {received}",
    )


def _charset(options: dict[bytes, bytes]) -> str:
    """The ``charset`` parameter, checked to be one Python can decode (UTF-8 by default)."""
    charset = options.get(b"charset", b"utf-8").decode("latin-1")
    try:
        # Python also registers bytes-to-bytes codecs (base64, zlib...); bytes.decode refuses
        # them, so only a text encoding is a charset.
        is_text = codecs.lookup(charset)._is_text_encoding
    except LookupError:
        is_text = False
    if not is_text:
        raise HTTPException(415, f"Unsupported charset {charset!r} in Content-Type")
    return charset


def _decode(raw: bytes, charset: str, what: str) -> str:
    try:
        return raw.decode(charset)
    except ValueError:  # UnicodeDecodeError, or the UnicodeError some codecs (idna) raise
        raise HTTPException(400, f"{what} is not valid {charset}") from None


def _too_many(kind: str, limit: int) -> HTTPException:
    return HTTPException(400, f"Too many {kind} in the form: the limit is {limit} (max_{kind})")


def _part_too_large(name: str, limit: int) -> HTTPException:
    return HTTPException(
        413, f"Form field {name!r} is larger than the limit of {limit} bytes (max_part_size)"
    )


# --- application/x-www-form-urlencoded --------------------------------------------------------


async def _parse_urlencoded(
    chunks: AsyncIterator[bytes], charset: str, limits: FormLimits
) -> FormData:
    from python_multipart import QuerystringParser

    items: list[tuple[str, FormValue]] = []
    name, value = bytearray(), bytearray()

    def unquote(raw: bytearray, what: str) -> str:
        # Percent-decode to bytes first and decode the charset last, so raw non-ASCII bytes
        # and %XX escapes of a multi-byte character both come out right.
        return _decode(unquote_to_bytes(bytes(raw).replace(b"+", b" ")), charset, what)

    # The parser calls these synchronously from inside write(); an HTTPException raised
    # here stops it and propagates out of write().
    def on_field_start() -> None:
        if len(items) == limits.max_fields:
            raise _too_many("fields", limits.max_fields)

    def on_field_name(data: bytes, start: int, end: int) -> None:
        name.extend(data[start:end])
        if len(name) > limits.max_part_size:
            raise HTTPException(
                413, f"A form field name is longer than the limit of {limits.max_part_size} bytes"
            )

    def on_field_data(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])
        if len(value) > limits.max_part_size:
            raise _part_too_large(unquote(name, "A form field name"), limits.max_part_size)

    def on_field_end() -> None:
        field_name = unquote(name, "A form field name")
        items.append((field_name, unquote(value, f"Form field {field_name!r}")))
        name.clear()
        value.clear()

    parser = QuerystringParser(
        {
            "on_field_start": on_field_start,
            "on_field_name": on_field_name,
            "on_field_data": on_field_data,
            "on_field_end": on_field_end,
        }
    )
    async for chunk in chunks:
        parser.write(chunk)
    parser.finalize()
    return FormData(items)


# --- multipart/form-data ----------------------------------------------------------------------

Event = Literal[
    "part_begin",
    "header_field",
    "header_value",
    "header_end",
    "headers_finished",
    "part_data",
    "part_end",
    "end",
]


class _MultipartReader:
    """Turns the parser's events into form items, one part at a time.

    python-multipart reports events through synchronous callbacks, but writing a file that
    has moved to disk awaits a worker thread. So the callbacks only record each event with
    its bytes, and :meth:`apply` acts on them, in order, after every chunk. The list never
    holds more than one chunk's worth of bytes.
    """

    def __init__(self, charset: str, limits: FormLimits) -> None:
        self.charset = charset
        self.limits = limits
        self.events: list[tuple[Event, bytes]] = []
        self.items: list[tuple[str, FormValue]] = []
        self.uploads: list[UploadFile] = []  # every file opened, to close them on failure
        self.fields = 0
        self.ended = False
        # the part being read
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: list[tuple[bytes, bytes]] = []
        self.name = ""
        self.value = bytearray()
        self.upload: UploadFile | None = None

    def callbacks(self) -> MultipartCallbacks:
        def record(event: Event) -> Callable[..., None]:
            def callback(data: bytes = b"", start: int = 0, end: int = 0) -> None:
                self.events.append((event, data[start:end]))

            return callback

        return {
            "on_part_begin": record("part_begin"),
            "on_header_field": record("header_field"),
            "on_header_value": record("header_value"),
            "on_header_end": record("header_end"),
            "on_headers_finished": record("headers_finished"),
            "on_part_data": record("part_data"),
            "on_part_end": record("part_end"),
            "on_end": record("end"),
        }

    async def apply(self) -> None:
        events, self.events = self.events, []
        for event, data in events:
            if event == "header_field":
                self.header_field.extend(data)
            elif event == "header_value":
                self.header_value.extend(data)
            elif event == "header_end":
                self.headers.append((bytes(self.header_field).lower(), bytes(self.header_value)))
                self.header_field.clear()
                self.header_value.clear()
            elif event == "headers_finished":
                self.start_part()
            elif event == "part_data":
                await self.part_data(data)
            elif event == "part_end":
                await self.end_part()
            elif event == "part_begin":
                self.headers = []
            else:  # "end": the closing boundary was read
                self.ended = True

    def start_part(self) -> None:
        """The part's headers are complete: decide whether it is a field or a file."""
        from python_multipart.multipart import parse_options_header

        headers = Headers(raw=self.headers)
        _, options = parse_options_header(headers.get("content-disposition"))
        if b"name" not in options:
            raise HTTPException(
                400, "Malformed multipart body: a part has no name in its Content-Disposition"
            )
        self.name = _decode(options[b"name"], self.charset, "A form field name")
        if b"filename" not in options:
            self.fields += 1
            if self.fields > self.limits.max_fields:
                raise _too_many("fields", self.limits.max_fields)
            self.upload = None
            self.value.clear()
            return
        if len(self.uploads) == self.limits.max_files:
            raise _too_many("files", self.limits.max_files)
        self.upload = UploadFile(
            filename=_decode(options[b"filename"], self.charset, "A file name"),
            content_type=headers.get("content-type"),
            headers=headers,
            spool_threshold=self.limits.spool_threshold,
        )
        self.uploads.append(self.upload)

    async def part_data(self, data: bytes) -> None:
        if self.upload is not None:
            await self.upload.write(data)
            return
        self.value.extend(data)
        if len(self.value) > self.limits.max_part_size:
            raise _part_too_large(self.name, self.limits.max_part_size)

    async def end_part(self) -> None:
        if self.upload is not None:
            # Rewind, so the handler reads the file from its first byte.
            await self.upload.seek(0)
            self.items.append((self.name, self.upload))
        else:
            what = f"Form field {self.name!r}"
            self.items.append((self.name, _decode(bytes(self.value), self.charset, what)))


async def _parse_multipart(
    chunks: AsyncIterator[bytes], boundary: bytes, charset: str, limits: FormLimits
) -> FormData:
    from python_multipart import MultipartParser
    from python_multipart.exceptions import FormParserError

    reader = _MultipartReader(charset, limits)
    try:
        try:
            parser = MultipartParser(boundary, reader.callbacks())
            async for chunk in chunks:
                parser.write(chunk)
                await reader.apply()
            parser.finalize()
        except FormParserError as exc:
            # python-multipart's messages are byte-level ("Expected boundary character 45,
            # got 106"); naming the boundary tells the client what it was checked against.
            raise HTTPException(
                400, f"Malformed multipart body (boundary {boundary.decode('latin-1')!r}): {exc}"
            ) from None
        if not reader.ended:
            raise HTTPException(
                400, "Malformed multipart body: it ends before the closing boundary"
            )
    except BaseException:
        # A refused or broken form must not leave its temporary files behind.
        for upload in reader.uploads:
            await upload.close()
        raise
    return FormData(reader.items)
