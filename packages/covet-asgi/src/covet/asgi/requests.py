"""The incoming HTTP request, read lazily from the ASGI scope.

An ASGI server hands the application a ``scope`` dict (method, path, raw
headers, ...) and a ``receive`` callable that yields the body in chunks.
:class:`Request` is a thin, typed view over the two: every property parses
its part of the scope on first use and caches it, so a handler that never
looks at the cookies never pays for parsing them.
"""

from __future__ import annotations

import json as stdlib_json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from covet.asgi import json
from covet.asgi.cookies import parse_cookie_header
from covet.asgi.exceptions import ClientDisconnect, HTTPException
from covet.asgi.headers import Headers
from covet.asgi.queryparams import QueryParams
from covet.asgi.state import State
from covet.asgi.types import Message, Receive, Scope
from covet.asgi.url import URL, Address

if TYPE_CHECKING:
    from covet.asgi.forms import FormData

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "Request",
    "is_json_media_type",
    "parse_json_body",
    "require_json_media_type",
]

#: The body size limit when the application sets none: 1 MiB.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


async def _no_body() -> Message:
    """``receive`` for a request built without one (e.g. in a unit test)."""
    return {"type": "http.request", "body": b"", "more_body": False}


def parse_json_body(body: bytes) -> Any:
    """``body`` parsed as JSON; malformed JSON is a 400 that says where it broke.

    :meth:`Request.json` in one step, for a caller that already holds the body. The message
    is the same with either JSON backend (see ``json.py``).
    """
    try:
        return json.loads(body)
    except stdlib_json.JSONDecodeError as exc:
        raise HTTPException(
            400,
            f"Malformed JSON body: {exc.msg} at line {exc.lineno} column {exc.colno} "
            f"(char {exc.pos})",
        ) from exc


def is_json_media_type(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` value announces JSON: ``application/json`` or any ``+json``."""
    if content_type == "application/json":
        return True  # what nearly every client sends: one comparison, no parsing
    if content_type is None:
        return False
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or ("/" in media_type and media_type.endswith("+json"))


def require_json_media_type(content_type: str | None) -> None:
    """Refuse a body that does not say it is JSON: 415 Unsupported Media Type.

    A page on another site can make a browser send a ``text/plain`` or form-urlencoded body
    without asking first (no CORS preflight), but not an ``application/json`` one. Reading a
    body as JSON only when it says it is JSON keeps such cross-site posts out of JSON handlers.
    """
    if not is_json_media_type(content_type):
        sent = "no Content-Type" if content_type is None else f"Content-Type {content_type!r}"
        raise HTTPException(
            415, f"Expected a JSON body (Content-Type application/json or a +json type), {sent}"
        )


class Request:
    """One HTTP request: method, URL, parameters, headers, cookies and body.

    ``max_body_size`` bounds what :meth:`stream`, :meth:`body` and
    :meth:`json` will read; ``None`` removes the limit.
    """

    # What each part is until first read. Class attributes, not set in __init__: an instance
    # gets its own value only when a part is parsed, so a Request that a handler takes but
    # barely reads (the launch demo's ``get_user(request, user_id)``) costs three stores.
    _headers: Headers | None = None
    _query_params: QueryParams | None = None
    _url: URL | None = None
    _cookies: dict[str, str] | None = None
    _body: bytes | None = None
    _stream_consumed = False
    _received = 0  # body bytes read so far, for the size limit
    _form: FormData | None = None

    def __init__(
        self,
        scope: Scope,
        receive: Receive = _no_body,
        *,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Request needs an 'http' scope, got {scope['type']!r}")
        self.scope = scope
        self._receive = receive
        self.max_body_size = max_body_size

    # -- what the scope says -------------------------------------------------

    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def path(self) -> str:
        """The full request path, decoded (it includes any ``root_path`` prefix)."""
        path: str = self.scope["path"]
        return path

    @property
    def url(self) -> URL:
        if self._url is None:
            self._url = URL(scope=self.scope)
        return self._url

    @property
    def path_params(self) -> dict[str, Any]:
        """Values captured by the route pattern, already converted."""
        params: dict[str, Any] = self.scope.get("path_params", {})
        return params

    @property
    def query_params(self) -> QueryParams:
        if self._query_params is None:
            self._query_params = QueryParams(self.scope.get("query_string", b""))
        return self._query_params

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies sent by the client, decoded as UTF-8; a malformed pair is skipped.

        Parsed by :func:`~covet.asgi.cookies.parse_cookie_header`, which reads at most
        32 KiB of the header and keeps at most 200 cookies.
        """
        if self._cookies is None:
            # HTTP/2 may send the cookies in several fields; they are one list (RFC 9113).
            header = "; ".join(self.headers.getlist("cookie"))
            # Header text is latin-1, byte for byte; browsers send cookies as UTF-8, so the
            # bytes are read again as UTF-8 (as Django does): "été", not "Ã©tÃ©".
            text = header.encode("latin-1").decode("utf-8", errors="replace")
            self._cookies = parse_cookie_header(text)
        return self._cookies

    @property
    def client(self) -> Address | None:
        """The peer's (host, port), when the server reports it."""
        client = self.scope.get("client")
        return Address(*client) if client else None

    @property
    def app(self) -> Any:
        """The application that received the request."""
        return self.scope.get("app")

    @property
    def state(self) -> State:
        """Per-request storage that middleware and handlers share.

        It is a view over ``scope["state"]``, which the server fills with a
        copy of the lifespan state, so values set at startup are visible here
        and a pure ASGI middleware can add values by writing the scope.
        """
        return State(self.scope.setdefault("state", {}))

    # -- the body --------------------------------------------------------------

    def _check_declared_length(self) -> None:
        """Refuse early: a declared Content-Length over the limit means 413 now."""
        if self.max_body_size is None:
            return
        declared = self._declared_length()
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_size:
            raise self._too_large()

    def _declared_length(self) -> bytes | None:
        """The first ``content-length`` value, as the raw bytes the client sent.

        Read straight from the scope rather than through :attr:`headers`: a handler that
        only reads the body never needs the headers, and building them (a copy of every
        field, lower-cased) cost more than the rest of reading a small body. Compared as
        bytes, ``isdigit()`` accepts ASCII digits only, so a value such as ``"\xb2"``
        (latin-1 for a superscript two, a digit to ``str.isdigit``) is no length at all.
        """
        for name, value in self.scope["headers"]:
            if name.lower() == b"content-length":
                found: bytes = value
                return found
        return None

    @property
    def content_type(self) -> str | None:
        """The first ``Content-Type`` value as sent (parameters included), or ``None``.

        Read straight from the scope, as :meth:`_declared_length` is and for the same reason:
        a handler reading a JSON body checks it on every request and needs no other header.
        """
        for name, value in self.scope["headers"]:
            # ASGI servers send names lower-cased, so equal bytes are the common case, and only
            # a field of the same length is lower-cased to compare (lower-casing every field
            # cost about 2,000 instructions a JSON request, measured with callgrind).
            if name == b"content-type" or (len(name) == 12 and name.lower() == b"content-type"):
                found: str = value.decode("latin-1")
                return found
        return None

    def _too_large(self) -> HTTPException:
        return HTTPException(
            413, f"Request body is larger than the limit of {self.max_body_size} bytes"
        )

    def _start_reading(self) -> None:
        """The body can be read once: mark it read, and refuse a declared length over the limit."""
        if self._stream_consumed:
            raise RuntimeError("The request body was already streamed; it can be read once")
        self._stream_consumed = True
        self._check_declared_length()

    def _take_chunk(self, message: Message) -> bytes:
        """The body bytes in ``message``, counted against the limit: 413 past it."""
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk: bytes = message.get("body", b"")
        self._received += len(chunk)
        if self.max_body_size is not None and self._received > self.max_body_size:
            raise self._too_large()
        return chunk

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body chunk by chunk as the client sends it.

        The size limit is enforced while reading: the chunk that crosses it
        raises a 413 and nothing after it is read.
        """
        if self._body is not None:
            yield self._body
            return
        self._start_reading()
        while True:
            message = await self._receive()
            chunk = self._take_chunk(message)
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    async def body(self) -> bytes:
        """The whole body, read once and cached."""
        if self._body is None:
            # The same reading as stream(), without going through it: driving an async
            # generator costs more than the rest of reading a body of one or two messages,
            # which is what most requests send.
            self._start_reading()
            chunks = []
            more_body = True
            while more_body:
                message = await self._receive()
                chunks.append(self._take_chunk(message))
                more_body = message.get("more_body", False)
            self._body = b"".join(chunks)
        return self._body

    async def json(self, *, strict_content_type: bool = True) -> Any:
        """The body parsed as JSON; malformed JSON is a 400 that says where it broke.

        A body whose ``Content-Type`` is not JSON (``application/json`` or a ``+json`` type),
        or that has none, is a 415 before anything is read; ``strict_content_type=False``
        parses it anyway (for a client you know sends JSON as something else).
        """
        if strict_content_type:
            require_json_media_type(self.content_type)
        return parse_json_body(await self.body())

    async def form(
        self,
        *,
        max_files: int = 1000,
        max_fields: int = 1000,
        max_part_size: int = 1024 * 1024,
        spool_threshold: int = 1024 * 1024,
    ) -> FormData:
        """The body parsed as an HTML form (urlencoded or multipart), read once and cached.

        Field values are ``str``, files are :class:`~covet.asgi.uploads.UploadFile`. The body
        is parsed as it streams in (see ``forms.py``), under these limits besides
        ``max_body_size``: at most ``max_files`` files and ``max_fields`` other fields (400),
        no field value over ``max_part_size`` bytes (413; files are bounded by the body limit
        instead, as they do not stay in memory), and a file stays in memory up to
        ``spool_threshold`` bytes, then moves to a temporary file. A second call returns the
        same :class:`~covet.asgi.forms.FormData`, whatever limits it passes.

        Needs the ``forms`` extra (python-multipart). The uploads are closed, and their
        temporary files deleted, by :meth:`close` once the response has been sent.
        """
        if self._form is None:
            # Imported here: form parsing (with tempfile, for uploads) is the largest part of
            # the package, and an application that reads no form should not import it.
            from covet.asgi.forms import FormLimits, parse_form

            limits = FormLimits(max_files, max_fields, max_part_size, spool_threshold)
            content_type = self.headers.get("content-type")
            self._form = await parse_form(content_type, self.stream(), limits)
        return self._form

    async def close(self) -> None:
        """Release what the request holds: the uploaded files of a parsed form.

        The handler machinery calls it after the response has been sent; call it yourself
        only for a Request you built by hand.
        """
        if self._form is not None:
            await self._form.close()

    def url_for(self, name: str, /, **params: Any) -> URL:
        """An absolute URL for the named route, on the host this request came to."""
        path = self.scope["app"].url_for(name, **params)
        return self.url.replace(path=self.scope.get("root_path", "") + path, query="")

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"
