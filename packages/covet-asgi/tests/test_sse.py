"""covet.asgi.sse: the event-stream wire format, pings, disconnects and Last-Event-ID."""

from __future__ import annotations

import asyncio
import contextvars
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi import CovetPy, EventSourceResponse, Request, ServerSentEvent, last_event_id
from covet.asgi.background import BackgroundTask
from covet.asgi.sse import PING
from covet.asgi.testing import TestClient
from covet.asgi.types import Message, Receive, Scope

# --- a reference parser: the WHATWG algorithm a browser runs on the stream -----------------


@dataclass
class ParsedEvent:
    type: str
    data: str
    last_event_id: str


def parse_stream(stream: bytes) -> tuple[list[ParsedEvent], int | None]:
    """Events as ``EventSource`` dispatches them, and the last valid ``retry`` value.

    Follows "Interpreting an event stream" of the HTML standard, step by step.
    """
    events: list[ParsedEvent] = []
    data, event_type, last_id, retry = "", "", "", None
    text = stream.decode("utf-8").removeprefix("\ufeff")
    for line in re.split(r"\r\n|\r|\n", text)[:-1]:  # what follows the last break is incomplete
        if line == "":
            if data == "":
                event_type = ""
                continue
            events.append(ParsedEvent(event_type or "message", data.removesuffix("\n"), last_id))
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data += value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return events, retry


# --- ServerSentEvent.encode ----------------------------------------------------------------


def test_a_string_becomes_one_data_line_and_a_blank_line() -> None:
    assert ServerSentEvent("hello").encode() == b"data: hello\n\n"


@pytest.mark.parametrize(
    ("data", "wire"),
    [
        ("one\ntwo", b"data: one\ndata: two\n\n"),
        ("one\r\ntwo", b"data: one\ndata: two\n\n"),
        ("one\rtwo", b"data: one\ndata: two\n\n"),
        ("a\r\n\r\nb\n\rc", b"data: a\ndata: \ndata: b\ndata: \ndata: c\n\n"),
        ("ends with a break\n", b"data: ends with a break\ndata: \n\n"),
        ("", b"data: \n\n"),
    ],
)
def test_every_kind_of_line_break_starts_a_new_data_line(data: str, wire: bytes) -> None:
    assert ServerSentEvent(data).encode() == wire
    events, _ = parse_stream(wire)
    assert [event.data for event in events] == [re.sub(r"\r\n|\r", "\n", data)]


def test_other_unicode_line_separators_stay_inside_the_line() -> None:
    # str.splitlines() would split here; the event-stream format does not.
    data = "form\x0cfeed, next\x85line, separator\u2028here"
    assert ServerSentEvent(data).encode() == f"data: {data}\n\n".encode()


def test_a_leading_space_survives_the_one_space_the_browser_drops() -> None:
    wire = ServerSentEvent("  indented").encode()
    assert wire == b"data:   indented\n\n"
    assert parse_stream(wire)[0][0].data == "  indented"


def test_every_field_in_a_fixed_order() -> None:
    event = ServerSentEvent("payload", event="update", id="7", retry=2500, comment="first\nsecond")
    assert event.encode() == (
        b": first\n: second\nevent: update\nid: 7\nretry: 2500\ndata: payload\n\n"
    )
    events, retry = parse_stream(event.encode())
    assert events == [ParsedEvent("update", "payload", "7")]
    assert retry == 2500


def test_events_without_data_carry_only_their_fields() -> None:
    assert ServerSentEvent(id="").encode() == b"id: \n\n"
    assert ServerSentEvent(retry=0).encode() == b"retry: 0\n\n"
    assert ServerSentEvent(comment="").encode() == b": \n\n"
    assert PING == b": ping\n\n"
    assert parse_stream(PING) == ([], None)


@pytest.mark.parametrize(
    ("data", "wire"),
    [
        ({"n": 1, "name": "Zoë"}, '{"n":1,"name":"Zoë"}'),
        ([1, "two\nlines", None], '[1,"two\\nlines",null]'),
        (42, "42"),
        (False, "false"),
    ],
)
def test_data_that_is_not_a_string_is_sent_as_json_on_one_line(data: Any, wire: str) -> None:
    assert ServerSentEvent(data).encode() == f"data: {wire}\n\n".encode()


def test_data_that_json_cannot_encode_raises_type_error() -> None:
    with pytest.raises(TypeError, match="object"):
        ServerSentEvent(object()).encode()


@pytest.mark.parametrize("bad_id", ["a\nb", "a\rb", "a\r\nb", "nul\0inside", "\n"])
def test_an_id_with_a_line_break_or_nul_is_refused(bad_id: str) -> None:
    with pytest.raises(ValueError, match="event id must be one line without NUL"):
        ServerSentEvent("x", id=bad_id)


@pytest.mark.parametrize("bad_type", ["a\nb", "a\rb", "end\r\n"])
def test_an_event_type_with_a_line_break_is_refused(bad_type: str) -> None:
    with pytest.raises(ValueError, match="event type must be one line"):
        ServerSentEvent("x", event=bad_type)


@pytest.mark.parametrize("bad_retry", [-1, True, 1.5, "3000"])
def test_retry_must_be_a_non_negative_int(bad_retry: Any) -> None:
    with pytest.raises(ValueError, match="retry must be a non-negative int"):
        ServerSentEvent("x", retry=bad_retry)


def test_an_event_with_no_field_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one of"):
        ServerSentEvent()


one_line = st.text().filter(lambda text: not re.search(r"[\r\n\0]", text))


@given(data=st.text(), event=one_line.filter(bool), id=one_line)
def test_a_browser_reads_back_exactly_what_was_encoded(data: str, event: str, id: str) -> None:
    wire = ServerSentEvent(data, event=event, id=id).encode()
    events, _ = parse_stream(wire)
    assert events == [ParsedEvent(event, re.sub(r"\r\n|\r", "\n", data), id)]


# --- EventSourceResponse over raw ASGI -----------------------------------------------------


def make_scope(method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/events",
        "raw_path": b"/events",
        "query_string": b"",
        "root_path": "",
        "headers": headers or [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def receive_until(disconnected: asyncio.Event | None = None) -> Receive:
    """The request body (empty), then ``http.disconnect`` once ``disconnected`` is set."""
    delivered_body = False

    async def receive() -> Message:
        nonlocal delivered_body
        if not delivered_body:
            delivered_body = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await (disconnected or asyncio.Event()).wait()
        return {"type": "http.disconnect"}

    return receive


class Recorder:
    """A ``send`` that keeps every message; ``body`` joins the body chunks."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def chunks(self) -> list[bytes]:
        return [m["body"] for m in self.messages if m["type"] == "http.response.body"]

    @property
    def events(self) -> list[bytes]:
        """The body chunks that are events: neither pings nor the empty closing chunk."""
        return [chunk for chunk in self.chunks if chunk not in (PING, b"")]

    @property
    def headers(self) -> dict[bytes, bytes]:
        assert self.messages[0]["type"] == "http.response.start"
        return dict(self.messages[0]["headers"])


async def send_response(
    response: EventSourceResponse, method: str = "GET", receive: Receive | None = None
) -> Recorder:
    recorder = Recorder()
    await asyncio.wait_for(response(make_scope(method), receive or receive_until(), recorder), 5)
    return recorder


async def test_each_item_is_one_body_message_and_the_stream_then_ends() -> None:
    async def content() -> AsyncIterator[Any]:
        yield "plain text"
        yield {"price": 12.5}
        yield ServerSentEvent("named", event="update", id="3")

    recorder = await send_response(EventSourceResponse(content()))
    assert recorder.messages[0]["status"] == 200
    assert recorder.chunks == [
        b"data: plain text\n\n",
        b'data: {"price":12.5}\n\n',
        b"event: update\nid: 3\ndata: named\n\n",
        b"",
    ]
    assert [m["more_body"] for m in recorder.messages[1:]] == [True, True, True, False]


async def test_headers_ask_caches_and_proxies_not_to_hold_events_back() -> None:
    async def content() -> AsyncIterator[str]:
        yield "x"

    recorder = await send_response(EventSourceResponse(content()))
    assert recorder.headers[b"content-type"] == b"text/event-stream; charset=utf-8"
    assert recorder.headers[b"cache-control"] == b"no-cache"
    assert recorder.headers[b"x-accel-buffering"] == b"no"
    assert b"content-length" not in recorder.headers


async def test_caller_headers_and_status_win() -> None:
    async def content() -> AsyncIterator[str]:
        yield "x"

    response = EventSourceResponse(
        content(), headers={"Cache-Control": "no-store", "X-Extra": "1"}, status_code=201
    )
    recorder = await send_response(response)
    assert recorder.messages[0]["status"] == 201
    assert recorder.headers[b"cache-control"] == b"no-store"
    assert recorder.headers[b"x-extra"] == b"1"
    assert recorder.headers[b"x-accel-buffering"] == b"no"


async def test_a_ping_is_sent_while_the_generator_is_idle() -> None:
    pinged = asyncio.Event()
    recorder = Recorder()

    async def send(message: Message) -> None:
        await recorder(message)
        if message.get("body") == PING:
            pinged.set()

    async def content() -> AsyncIterator[str]:
        yield "before"
        await pinged.wait()  # idle until the response has sent a ping
        yield "after"

    response = EventSourceResponse(content(), ping_interval=0.05)
    await asyncio.wait_for(response(make_scope(), receive_until(), send), 5)
    assert recorder.chunks[0] == b"data: before\n\n"
    assert recorder.chunks[1] == PING
    assert set(recorder.chunks[1:-2]) == {PING}  # only pings in the gap
    assert recorder.chunks[-2:] == [b"data: after\n\n", b""]


async def test_no_ping_while_events_keep_coming() -> None:
    async def content() -> AsyncIterator[str]:
        for number in range(5):
            await asyncio.sleep(0.01)
            yield str(number)

    recorder = await send_response(EventSourceResponse(content(), ping_interval=1.0))
    assert PING not in recorder.chunks
    assert len(recorder.chunks) == 6


async def test_ping_interval_none_sends_no_pings() -> None:
    async def content() -> AsyncIterator[str]:
        yield "before"
        await asyncio.sleep(0.2)
        yield "after"

    recorder = await send_response(EventSourceResponse(content(), ping_interval=None))
    assert recorder.chunks == [b"data: before\n\n", b"data: after\n\n", b""]


@pytest.mark.parametrize("bad_interval", [0, -1.0, float("nan")])
def test_ping_interval_must_be_positive(bad_interval: float) -> None:
    with pytest.raises(ValueError, match="ping_interval must be a positive number"):
        EventSourceResponse(iter(()), ping_interval=bad_interval)


@pytest.mark.parametrize("idle", [False, True], ids=["busy", "idle"])
async def test_a_client_disconnect_cancels_the_generator_and_runs_its_finally(
    idle: bool,
) -> None:
    cleaned_up: list[str] = []
    three_sent = asyncio.Event()
    recorder = Recorder()

    async def send(message: Message) -> None:
        await recorder(message)
        if len(recorder.events) == 3:
            three_sent.set()

    async def endless() -> AsyncIterator[str]:
        number = 0
        try:
            while True:
                yield str(number)
                number += 1
                # Idle: wait far longer than the test runs, pinging meanwhile. Busy: go on.
                await asyncio.sleep(3600 if idle and number == 3 else 0)
        except asyncio.CancelledError:
            cleaned_up.append("cancelled")
            raise
        finally:
            cleaned_up.append("finally")

    response = EventSourceResponse(endless(), ping_interval=0.01)
    await asyncio.wait_for(response(make_scope(), receive_until(three_sent), send), 5)
    sent_at_return = len(recorder.messages)

    assert cleaned_up[-1] == "finally"
    if idle:
        assert cleaned_up == ["cancelled", "finally"]
    assert recorder.events[:3] == [b"data: 0\n\n", b"data: 1\n\n", b"data: 2\n\n"]
    assert all(m["more_body"] for m in recorder.messages[1:])  # no normal ending was sent
    await asyncio.sleep(0.05)  # several ping intervals: a leftover pinger would show here
    assert len(recorder.messages) == sent_at_return


async def test_an_error_in_the_generator_propagates_after_closing_it() -> None:
    async def broken() -> AsyncIterator[str]:
        yield "fine"
        raise RuntimeError("the feed broke")

    with pytest.raises(RuntimeError, match="the feed broke"):
        await send_response(EventSourceResponse(broken()))


async def test_a_plain_generator_runs_in_a_worker_thread() -> None:
    def content() -> Iterator[ServerSentEvent]:
        for number in range(2):
            yield ServerSentEvent(f"n{number}", id=str(number))

    recorder = await send_response(EventSourceResponse(content()))
    assert recorder.chunks == [b"id: 0\ndata: n0\n\n", b"id: 1\ndata: n1\n\n", b""]


async def test_context_variables_flow_into_and_between_the_generator_steps() -> None:
    user: contextvars.ContextVar[str] = contextvars.ContextVar("user")
    step: contextvars.ContextVar[int] = contextvars.ContextVar("step", default=0)
    user.set("ada")

    async def content() -> AsyncIterator[str]:
        step.set(1)
        yield f"{user.get()} {step.get()}"
        step.set(step.get() + 1)
        yield f"{user.get()} {step.get()}"

    recorder = await send_response(EventSourceResponse(content(), ping_interval=0.05))
    assert recorder.chunks == [b"data: ada 1\n\n", b"data: ada 2\n\n", b""]


async def test_head_sends_the_headers_without_starting_the_generator() -> None:
    started: list[bool] = []

    async def content() -> AsyncIterator[str]:
        started.append(True)
        yield "never"

    recorder = await send_response(EventSourceResponse(content()), method="HEAD")
    assert recorder.headers[b"content-type"] == b"text/event-stream; charset=utf-8"
    assert recorder.chunks == [b""]
    assert started == []


async def test_a_background_task_runs_after_the_stream_ends() -> None:
    order: list[str] = []

    async def content() -> AsyncIterator[str]:
        order.append("event")
        yield "x"

    response = EventSourceResponse(content(), background=BackgroundTask(order.append, "task"))
    await send_response(response)
    assert order == ["event", "task"]


# --- last_event_id ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"last-event-id", b"41")], "41"),
        ([(b"Last-Event-ID", b"abc-7")], "abc-7"),
        ([(b"last-event-id", b"")], None),
        ([], None),
    ],
)
def test_last_event_id_reads_the_reconnect_header(
    headers: list[tuple[bytes, bytes]], expected: str | None
) -> None:
    assert last_event_id(Request(make_scope(headers=headers))) == expected


# --- through the application and the test client ------------------------------------------


def make_app() -> CovetPy:
    app = CovetPy()

    @app.get("/events")
    async def events(request: Request, count: int = 3, pause: float = 0.0) -> EventSourceResponse:
        after = last_event_id(request)
        start = int(after) + 1 if after is not None and after.isdigit() else 0

        async def numbers() -> AsyncIterator[ServerSentEvent]:
            for number in range(start, count):
                if number > start:
                    await asyncio.sleep(pause)
                yield ServerSentEvent({"number": number}, id=str(number))

        return EventSourceResponse(numbers(), ping_interval=0.05)

    return app


def test_the_full_response_through_the_test_client() -> None:
    with TestClient(make_app()) as client:
        reply = client.get("/events")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.headers["x-accel-buffering"] == "no"
    assert reply.text.split("\n\n") == [
        'id: 0\ndata: {"number":0}',
        'id: 1\ndata: {"number":1}',
        'id: 2\ndata: {"number":2}',
        "",  # after the blank line that ends the last event
    ]


def test_a_reconnecting_client_resumes_after_its_last_event_id() -> None:
    with TestClient(make_app()) as client:
        reply = client.get("/events", params={"count": 4}, headers={"Last-Event-ID": "1"})
    events, _ = parse_stream(reply.content)
    assert [(event.last_event_id, event.data) for event in events] == [
        ("2", '{"number":2}'),
        ("3", '{"number":3}'),
    ]


def test_pings_fill_the_gaps_between_slow_events() -> None:
    with TestClient(make_app()) as client:
        reply = client.get("/events", params={"count": 2, "pause": 0.3})
    first, rest = reply.text.split("\n\n", 1)
    assert first == 'id: 0\ndata: {"number":0}'
    assert rest.startswith(": ping\n\n")
    assert rest.endswith('id: 1\ndata: {"number":1}\n\n')
    assert [event.data for event in parse_stream(reply.content)[0]] == [
        '{"number":0}',
        '{"number":1}',
    ]
