"""covet.asgi.responses, driven as real ASGI: a crafted scope, a recording send."""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import threading
from collections.abc import AsyncIterator, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.datastructures import URL
from covet.asgi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from covet.asgi.types import ASGIApp, Message, Receive, Scope

# --- helpers -------------------------------------------------------------------------------


def make_scope(method: str = "GET") -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def receive_until(disconnected: asyncio.Event | None = None) -> Receive:
    """A receive that delivers an empty request body, then a disconnect once the event is set."""
    delivered_body = False

    async def receive() -> Message:
        nonlocal delivered_body
        if not delivered_body:
            delivered_body = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await (disconnected or asyncio.Event()).wait()
        return {"type": "http.disconnect"}

    return receive


async def run(app: ASGIApp, method: str = "GET", receive: Receive | None = None) -> list[Message]:
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)

    await asyncio.wait_for(app(make_scope(method), receive or receive_until(), send), timeout=5)
    return messages


def start_of(messages: list[Message]) -> Message:
    assert messages[0]["type"] == "http.response.start"
    return messages[0]


def headers_of(messages: list[Message]) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = start_of(messages)["headers"]
    return headers


def bodies_of(messages: list[Message]) -> list[Message]:
    return [message for message in messages if message["type"] == "http.response.body"]


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# --- Response ------------------------------------------------------------------------------


async def test_response_sends_start_then_one_body_message() -> None:
    messages = await run(Response(b"hello", status_code=201, headers={"X-Trace": "t1"}))
    assert messages == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"x-trace", b"t1"), (b"content-length", b"5")],
        },
        {"type": "http.response.body", "body": b"hello", "more_body": False},
    ]


async def test_str_content_is_encoded_and_text_types_name_the_charset() -> None:
    response = Response("héllo", media_type="text/plain")
    assert response.body == "héllo".encode()
    assert response.headers["content-length"] == "6"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("media_type", "content_type"),
    [
        ("text/csv; charset=latin-1", "text/csv; charset=latin-1"),
        ("application/xml", "application/xml"),
        ("text/html", "text/html; charset=utf-8"),
    ],
)
def test_charset_is_added_only_to_text_types_without_one(
    media_type: str, content_type: str
) -> None:
    assert Response(b"", media_type=media_type).headers["content-type"] == content_type


def test_a_media_type_that_would_inject_a_header_is_refused() -> None:
    # The content-type is built once per media type and cached; the check must still run.
    for _ in range(2):
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            Response(b"", media_type="text/plain\r\nset-cookie: stolen=1")


def test_our_fields_follow_the_callers_and_never_replace_them() -> None:
    response = JSONResponse([1], headers={"x-trace": "t1", "Content-Length": "99"})
    assert response.headers.raw == [
        (b"x-trace", b"t1"),
        (b"content-length", b"99"),
        (b"content-type", b"application/json"),
    ]


def test_headers_given_by_the_caller_win() -> None:
    response = PlainTextResponse("x", headers={"Content-Type": "text/x-custom"})
    assert response.headers.getlist("content-type") == ["text/x-custom"]


def test_no_content_means_an_empty_body_and_no_content_type() -> None:
    response = Response()
    assert response.body == b""
    assert response.headers.raw == [(b"content-length", b"0")]


def test_content_of_another_type_is_refused_with_advice() -> None:
    with pytest.raises(TypeError, match="dict; use JSONResponse"):
        Response({"a": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("status_code", [204, 304, 101])
def test_bodiless_statuses_send_no_content_length(status_code: int) -> None:
    assert "content-length" not in Response(status_code=status_code).headers


def test_a_bodiless_status_with_a_body_is_refused() -> None:
    with pytest.raises(ValueError, match="204 response cannot have a body"):
        Response(b"oops", status_code=204)


async def test_head_sends_the_headers_of_get_and_an_empty_body() -> None:
    messages = await run(PlainTextResponse("twelve bytes"), method="HEAD")
    assert (b"content-length", b"12") in headers_of(messages)
    assert bodies_of(messages) == [{"type": "http.response.body", "body": b"", "more_body": False}]


async def test_through_an_http_client() -> None:
    async with client_for(HTMLResponse("<h1>Hi</h1>")) as client:
        response = await client.get("/")
        head = await client.head("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<h1>Hi</h1>"
    assert head.headers["content-length"] == "11"
    assert head.content == b""


def test_repr_shows_the_class_and_status() -> None:
    assert repr(JSONResponse({}, status_code=201)) == "JSONResponse(status_code=201)"


# --- subclasses ----------------------------------------------------------------------------


def test_html_and_plain_text_media_types() -> None:
    assert HTMLResponse("<p>").headers["content-type"] == "text/html; charset=utf-8"
    assert PlainTextResponse("p").headers["content-type"] == "text/plain; charset=utf-8"


async def test_json_response_encodes_compact_utf8() -> None:
    response = JSONResponse({"name": "Zoë", "tags": [1, 2], "when": datetime.date(2024, 1, 2)})
    assert response.body == '{"name":"Zoë","tags":[1,2],"when":"2024-01-02"}'.encode()
    assert response.headers["content-type"] == "application/json"
    async with client_for(response) as client:
        assert (await client.get("/")).json() == {
            "name": "Zoë",
            "tags": [1, 2],
            "when": "2024-01-02",
        }


def test_json_response_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="set"):
        JSONResponse({"ids": {1, 2}})


def test_json_response_accepts_a_custom_media_type() -> None:
    response = JSONResponse({"detail": "x"}, media_type="application/problem+json")
    assert response.headers["content-type"] == "application/problem+json"


def test_redirect_defaults_to_307_with_an_empty_body() -> None:
    response = RedirectResponse("/login?next=/a b")
    assert response.status_code == 307
    assert response.body == b""
    assert response.headers["location"] == "/login?next=/a%20b"


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("https://example.com/a?x=1&y=2#frag", "https://example.com/a?x=1&y=2#frag"),
        ("/caf%C3%A9", "/caf%C3%A9"),  # already encoded: left alone
        ("/café", "/caf%C3%A9"),
        (URL("http://[::1]:8000/p"), "http://[::1]:8000/p"),
    ],
)
def test_redirect_location_is_encoded_safely(url: str | URL, location: str) -> None:
    assert RedirectResponse(url, status_code=303).headers["location"] == location


def test_redirect_needs_a_3xx_status() -> None:
    with pytest.raises(ValueError, match="3xx"):
        RedirectResponse("/", status_code=200)


# --- cookies -------------------------------------------------------------------------------


def cookies_of(response: Response) -> list[str]:
    return response.headers.getlist("set-cookie")


def test_cookie_defaults_are_httponly_and_samesite_lax() -> None:
    response = Response()
    response.set_cookie("session", "abc123")
    assert cookies_of(response) == ["session=abc123; Path=/; HttpOnly; SameSite=Lax"]


def test_cookie_with_every_attribute() -> None:
    response = Response()
    response.set_cookie(
        "id",
        "42",
        max_age=3600,
        expires="Wed, 21 Oct 2015 07:28:00 GMT",
        path="/app",
        domain="example.com",
        secure=True,
        httponly=False,
        samesite="none",
        partitioned=True,
    )
    assert cookies_of(response) == [
        "id=42; Domain=example.com; Path=/app; Max-Age=3600; "
        "Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; SameSite=None; Partitioned"
    ]


def test_each_cookie_is_its_own_header_line() -> None:
    response = Response()
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", samesite="strict", path=None)
    assert cookies_of(response) == [
        "a=1; Path=/; HttpOnly; SameSite=Lax",
        "b=2; HttpOnly; SameSite=Strict",
    ]


def test_samesite_and_httponly_can_be_turned_off() -> None:
    response = Response()
    response.set_cookie("theme", "dark", httponly=False, samesite=None)
    assert cookies_of(response) == ["theme=dark; Path=/"]


def test_samesite_none_without_secure_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="requires secure=True: browsers reject"):
        Response().set_cookie("x", "1", samesite="none")


def test_partitioned_without_secure_is_refused() -> None:
    with pytest.raises(ValueError, match="partitioned=True requires secure=True"):
        Response().set_cookie("x", "1", partitioned=True)


def test_unknown_samesite_value_is_refused() -> None:
    with pytest.raises(ValueError, match="samesite must be"):
        Response().set_cookie("x", "1", samesite="sometimes")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "a b", "a;b", "a=b", "é", 'a"'])
def test_invalid_cookie_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid cookie name"):
        Response().set_cookie(name, "1")


@pytest.mark.parametrize("value", ["a b", "a;b", "a,b", 'a"b', "a\\b", "é", "a\nb"])
def test_values_outside_cookie_octets_are_refused_with_advice(value: str) -> None:
    with pytest.raises(ValueError, match="encode it first"):
        Response().set_cookie("x", value)


@pytest.mark.parametrize(
    ("attribute", "value"), [("path", "/a;Secure"), ("domain", "x.com\r\n"), ("expires", "x;y")]
)
def test_attribute_injection_is_refused(attribute: str, value: str) -> None:
    options: dict[str, Any] = {attribute: value}
    with pytest.raises(ValueError, match="contains ';' or a control character"):
        Response().set_cookie("x", "1", **options)


def expires_of(cookie: str) -> datetime.datetime:
    attributes = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    return parsedate_to_datetime(attributes["Expires"])


def test_expires_from_seconds_from_now() -> None:
    response = Response()
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    response.set_cookie("x", "1", expires=60)
    after = datetime.datetime.now(datetime.UTC)
    expires = expires_of(cookies_of(response)[0])
    minute = datetime.timedelta(seconds=60)
    assert before + minute <= expires <= after + minute


def test_expires_from_a_datetime_naive_meaning_utc() -> None:
    response = Response()
    response.set_cookie("naive", "1", expires=datetime.datetime(2030, 1, 2, 3, 4, 5))
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    response.set_cookie(
        "aware", "1", expires=datetime.datetime(2030, 1, 2, 5, 4, 5, tzinfo=plus_two)
    )
    naive, aware = cookies_of(response)
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in naive
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in aware


def test_delete_cookie_sends_an_expired_empty_cookie_with_the_same_scope() -> None:
    response = Response()
    response.delete_cookie("session", path="/app", domain="example.com")
    assert cookies_of(response) == [
        "session=; Domain=example.com; Path=/app; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
    ]


async def test_cookies_reach_an_http_client() -> None:
    response = Response(b"ok")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    async with client_for(response) as client:
        reply = await client.get("/")
    assert reply.headers.get_list("set-cookie") == [
        "a=1; Path=/; HttpOnly; SameSite=Lax",
        "b=2; Path=/; HttpOnly; SameSite=Lax",
    ]
    assert dict(reply.cookies) == {"a": "1", "b": "2"}


# --- StreamingResponse ---------------------------------------------------------------------


async def numbers(count: int) -> AsyncIterator[str]:
    for number in range(count):
        yield f"{number}\n"


async def test_each_chunk_is_its_own_message_then_an_empty_final_one() -> None:
    messages = await run(StreamingResponse(numbers(3), media_type="text/plain"))
    assert start_of(messages) == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
    }
    assert bodies_of(messages) == [
        {"type": "http.response.body", "body": b"0\n", "more_body": True},
        {"type": "http.response.body", "body": b"1\n", "more_body": True},
        {"type": "http.response.body", "body": b"2\n", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]


async def test_a_plain_iterable_is_advanced_in_worker_threads() -> None:
    threads: set[threading.Thread] = set()

    def produce() -> Iterator[bytes]:
        for chunk in (b"a", b"b"):
            threads.add(threading.current_thread())
            yield chunk

    messages = await run(StreamingResponse(produce()))
    assert [message["body"] for message in bodies_of(messages)] == [b"a", b"b", b""]
    assert threading.main_thread() not in threads
    assert threads  # the generator did run

    lists = await run(StreamingResponse(["x", b"y"]))
    assert [message["body"] for message in bodies_of(lists)] == [b"x", b"y", b""]


async def test_any_async_iterable_works_not_only_generators() -> None:
    class Countdown:
        """An async iterator with no aclose(): nothing to close when the stream ends."""

        def __init__(self) -> None:
            self.left = 2

        def __aiter__(self) -> Countdown:
            return self

        async def __anext__(self) -> bytes:
            if self.left == 0:
                raise StopAsyncIteration
            self.left -= 1
            return str(self.left).encode()

    messages = await run(StreamingResponse(Countdown()))
    assert [message["body"] for message in bodies_of(messages)] == [b"1", b"0", b""]


async def test_a_chunk_that_is_not_text_or_bytes_is_refused() -> None:
    with pytest.raises(TypeError, match="must yield str or bytes, not int"):
        await run(StreamingResponse([b"ok", 42]))  # type: ignore[list-item]


async def test_an_error_in_the_content_reaches_the_caller() -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"first"
        raise LookupError("row vanished")

    with pytest.raises(LookupError, match="row vanished"):
        await run(StreamingResponse(broken()))


async def test_head_sends_headers_without_iterating() -> None:
    started: list[bool] = []

    async def content() -> AsyncIterator[bytes]:
        started.append(True)
        yield b"never"

    messages = await run(StreamingResponse(content(), media_type="text/csv"), method="HEAD")
    assert start_of(messages)["status"] == 200
    assert (b"content-type", b"text/csv; charset=utf-8") in headers_of(messages)
    assert bodies_of(messages) == [{"type": "http.response.body", "body": b"", "more_body": False}]
    assert started == []


async def test_client_disconnect_stops_an_async_generator_and_runs_its_finally() -> None:
    cleaned_up: list[bool] = []

    async def endless() -> AsyncIterator[str]:
        try:
            number = 0
            while True:
                yield f"{number}\n"
                number += 1
                await asyncio.sleep(0)
        finally:
            cleaned_up.append(True)

    two_sent = asyncio.Event()
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)
        if len(bodies_of(messages)) == 2:
            two_sent.set()

    response = StreamingResponse(endless())
    await asyncio.wait_for(response(make_scope(), receive_until(two_sent), send), timeout=5)

    assert cleaned_up == [True]
    bodies = bodies_of(messages)
    assert [message["body"] for message in bodies[:2]] == [b"0\n", b"1\n"]
    assert 2 <= len(bodies) < 10  # stopped soon after the disconnect...
    assert all(message["more_body"] for message in bodies)  # ...without a normal ending


async def test_client_disconnect_stops_a_plain_generator_and_closes_it() -> None:
    cleaned_up = threading.Event()

    def endless() -> Iterator[bytes]:
        try:
            while True:
                yield b"tick"
        finally:
            cleaned_up.set()

    one_sent = asyncio.Event()
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)
        one_sent.set()

    response = StreamingResponse(endless())
    await asyncio.wait_for(response(make_scope(), receive_until(one_sent), send), timeout=5)
    # Closed at once, or by the worker thread's last reference right after it returns.
    assert await asyncio.to_thread(cleaned_up.wait, 5)
    assert all(message["more_body"] for message in bodies_of(messages))


async def test_context_variables_of_the_caller_are_visible_in_the_generator() -> None:
    user: contextvars.ContextVar[str] = contextvars.ContextVar("user")
    user.set("ada")

    async def greeting() -> AsyncIterator[str]:
        yield f"hello {user.get()}"

    messages = await run(StreamingResponse(greeting()))
    assert bodies_of(messages)[0]["body"] == b"hello ada"


async def test_streaming_through_an_http_client() -> None:
    response = StreamingResponse(numbers(4), media_type="text/plain")
    async with client_for(response) as client:
        reply = await client.get("/")
    assert reply.text == "0\n1\n2\n3\n"
    assert "content-length" not in reply.headers


# --- background tasks ----------------------------------------------------------------------


async def test_background_tasks_run_after_the_body_was_sent() -> None:
    events: list[str] = []

    async def async_task() -> None:
        events.append("async task")

    def sync_task() -> None:
        events.append("sync task")

    tasks = BackgroundTasks()
    tasks.add_task(async_task)
    tasks.add_task(sync_task)

    async def send(message: Message) -> None:
        events.append(message["type"])

    await Response(b"ok", background=tasks)(make_scope(), receive_until(), send)
    assert events == ["http.response.start", "http.response.body", "async task", "sync task"]


async def test_a_streaming_background_task_runs_after_the_last_chunk() -> None:
    events: list[str] = []

    async def send(message: Message) -> None:
        events.append(f"{message['type']} {message.get('body', b'')!r}")

    response = StreamingResponse(numbers(1), background=BackgroundTask(events.append, "task"))
    await response(make_scope(), receive_until(), send)
    assert events == [
        "http.response.start b''",
        "http.response.body b'0\\n'",
        "http.response.body b''",
        "task",
    ]


async def test_background_task_runs_after_a_head_response_too() -> None:
    ran: list[bool] = []
    response = StreamingResponse(numbers(1), background=BackgroundTask(ran.append, True))
    await run(response, method="HEAD")
    assert ran == [True]
