"""Server-Sent Events: a response that pushes events to the browser over plain HTTP.

A page opens a stream with ``new EventSource("/events")``; the server answers with
``content-type: text/event-stream`` and keeps the body open, writing one event at a time. The
wire format (WHATWG HTML standard, "Server-sent events") is UTF-8 text, one field per line,
and a blank line ends each event::

    : connected                 a comment: the browser ignores it
    event: price                the event type; the browser fires "message" when absent
    id: 42                      remembered, and sent back as Last-Event-ID on reconnect
    retry: 5000                 milliseconds the browser waits before reconnecting
    data: first line            the payload, one "data:" line per line of text; the browser
    data: second line           joins them with "\n": event.data == "first line\nsecond line"
                                (blank line) dispatch the event

The rules that shape :meth:`ServerSentEvent.encode`:

- A line ends with ``\r\n``, ``\r`` or ``\n``, so text is split on all three and each piece
  gets its own line. (Not ``str.splitlines()``: it also splits on form feeds and Unicode line
  separators, which the browser keeps as ordinary characters.)
- After ``field:`` the browser drops exactly one space, so ``data:  x`` arrives as ``" x"``.
- ``event`` and ``id`` are one line each, as a line break would start a new field, and a
  browser ignores an ``id`` holding NUL; ``retry`` counts only if it is all ASCII digits.
  Values that break these rules raise ``ValueError`` rather than being silently lost.

:class:`EventSourceResponse` streams an iterable of events. It is a
:class:`~covet.asgi.responses.StreamingResponse`, so a client that leaves closes the generator
and runs its ``finally``. When the generator is quiet for ``ping_interval`` seconds, a comment
(``: ping``) goes out, so proxies and load balancers do not drop the idle connection.

When the connection breaks, the browser reconnects by itself and sends the last ``id`` it saw
in a ``Last-Event-ID`` header; :func:`last_event_id` reads it so the stream can resume.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.json import dumps
from covet.asgi.requests import Request
from covet.asgi.responses import StreamingResponse, _as_async_iterator

__all__ = ["EventSourceResponse", "ServerSentEvent", "last_event_id"]

# The three line endings of the event-stream format, longest first so "\r\n" is one break.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One event of an event stream; :meth:`encode` gives its bytes on the wire.

    - ``data``: the payload. A ``str`` is sent as it is (line breaks included); any other
      value is encoded as JSON with :func:`covet.asgi.json.dumps`, so ``{"n": 1}`` arrives as
      the text ``{"n":1}`` for ``JSON.parse(event.data)``.
    - ``event``: the event type; the page listens with ``addEventListener(event, ...)``.
      Without it the browser fires ``message`` (``source.onmessage``).
    - ``id``: stored by the browser and sent back as ``Last-Event-ID`` on reconnect.
    - ``retry``: how many milliseconds the browser waits before reconnecting.
    - ``comment``: text the browser ignores; useful for keep-alives and debugging.

    Raises ``ValueError`` for a value the browser would misread or drop: a line break in
    ``event`` or ``id``, NUL in ``id``, a ``retry`` that is not a non-negative ``int``, or an
    event with no field at all.
    """

    data: Any = None
    _: KW_ONLY
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        if self.event is not None and _LINE_BREAK.search(self.event):
            raise ValueError(f"an event type must be one line, got {self.event!r}")
        if self.id is not None and ("\0" in self.id or _LINE_BREAK.search(self.id)):
            raise ValueError(
                f"an event id must be one line without NUL characters, got {self.id!r}; "
                "browsers ignore such an id"
            )
        retry = self.retry
        # bool is a subclass of int, but retry=True is surely a mistake.
        if retry is not None and (
            not isinstance(retry, int) or isinstance(retry, bool) or retry < 0
        ):
            raise ValueError(f"retry must be a non-negative int (milliseconds), got {retry!r}")
        if all(value is None for value in (self.data, self.event, self.id, retry, self.comment)):
            raise ValueError("an event needs at least one of data, event, id, retry, comment")

    def encode(self) -> bytes:
        """The event as UTF-8 lines, ending with the blank line that dispatches it."""
        lines: list[str] = []
        if self.comment is not None:
            lines.extend(f": {line}" for line in _LINE_BREAK.split(self.comment))
        if self.event is not None:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        if self.data is not None:
            text = self.data if isinstance(self.data, str) else dumps(self.data).decode()
            lines.extend(f"data: {line}" for line in _LINE_BREAK.split(text))
        return ("\n".join(lines) + "\n\n").encode("utf-8")


#: What :class:`EventSourceResponse` sends when the stream has been idle for a while.
PING = ServerSentEvent(comment="ping").encode()


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` response that sends each item of ``content`` as an event.

    ``content`` is an async iterable (typically an ``async def`` generator) or a plain iterable
    (advanced in a worker thread) of:

    - :class:`ServerSentEvent`, sent as it is;
    - ``str``, sent as the ``data`` of an unnamed event;
    - anything else (a ``dict``, typically), sent as JSON ``data``.

    Every ``ping_interval`` seconds without an event, a ``: ping`` comment goes out instead, so
    that proxies, load balancers and the browser keep the idle connection open; ``None`` turns
    pings off. The headers ask every cache (``cache-control: no-cache``) and buffering proxy
    such as nginx (``x-accel-buffering: no``) to pass each event on at once; ``headers`` may
    override them.

    When the client disconnects, the generator is cancelled and closed, so its ``finally``
    blocks run; as with :class:`StreamingResponse`, it must not read the request body.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        content: AsyncIterable[ServerSentEvent | str | dict[str, Any]]
        | Iterable[ServerSentEvent | str | dict[str, Any]],
        *,
        ping_interval: float | None = 15.0,
        headers: Mapping[str, str] | None = None,
        status_code: int = 200,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        if ping_interval is not None and not ping_interval > 0:
            raise ValueError(
                f"ping_interval must be a positive number of seconds or None, got {ping_interval!r}"
            )
        self.content = content
        self.ping_interval = ping_interval
        super().__init__(
            self._encoded_events(), status_code=status_code, headers=headers, background=background
        )
        self.headers.setdefault("cache-control", "no-cache")
        self.headers.setdefault("x-accel-buffering", "no")

    async def _encoded_events(self) -> AsyncIterator[bytes]:
        """The bytes to send: each item of ``content`` encoded, with pings in the quiet gaps.

        Each step of the content runs as a small task, raced against a timer: if the timer
        wins, a ping goes out and the same step is awaited again. The steps share one context,
        so a context variable the generator sets in one step is still set in the next.
        """
        items = _as_async_iterator(self.content)
        context = contextvars.copy_context()
        next_item: asyncio.Task[Any] | None = None
        try:
            while True:
                if next_item is None:
                    next_item = asyncio.create_task(_next_or_end(items), context=context)
                done, _ = await asyncio.wait({next_item}, timeout=self.ping_interval)
                if not done:
                    yield PING
                    continue
                item = next_item.result()  # re-raises an error of the content
                next_item = None
                if item is _END:
                    return
                yield to_event(item).encode()
        finally:
            # Reached on the end of content, on its error, and when the client left (the
            # response cancels this generator): stop the step in flight, then close content.
            if next_item is not None:
                next_item.cancel()
                await asyncio.wait({next_item})
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                await aclose()


_END = object()


async def _next_or_end(items: AsyncIterator[Any]) -> Any:
    """The next item of ``items``, or ``_END`` when there is none.

    A coroutine, because ``asyncio.create_task`` takes only coroutines and ``anext()`` returns
    a different kind of awaitable.
    """
    return await anext(items, _END)


def to_event(item: ServerSentEvent | str | Any) -> ServerSentEvent:
    """An item of :class:`EventSourceResponse` content as an event: see that class."""
    if isinstance(item, ServerSentEvent):
        return item
    return ServerSentEvent(data=item)


def last_event_id(request: Request) -> str | None:
    """The id of the last event the client received before it reconnected, or ``None``.

    A browser's ``EventSource`` sends it in the ``Last-Event-ID`` header when it reconnects
    after the connection broke. Send ``id`` with each event and resume after this one::

        @app.get("/events")
        async def events(request):
            after = last_event_id(request)
            start = int(after) + 1 if after is not None and after.isdigit() else 0
            return EventSourceResponse(updates_from(start))

    The value comes from the client: treat it as untrusted input, as the example does.
    An empty header (an id reset with ``id:`` and no value) is reported as ``None``.
    """
    return request.headers.get("last-event-id") or None
