"""Request: what the scope says, and the body with its size limit."""

from __future__ import annotations

from typing import Any

import pytest

from covet.asgi import ClientDisconnect, CovetPy, HTTPException, Request
from covet.asgi.testing import TestClient
from covet.asgi.types import Message


def http_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("example.org", 80),
        "path": "/p",
        "root_path": "",
        "query_string": b"a=1&a=2&b=",
        "headers": [
            (b"host", b"example.org"),
            (b"x-multi", b"one"),
            (b"X-Multi", b"two"),
            (b"cookie", b"session=abc; theme=dark"),
        ],
        "client": ("203.0.113.9", 5555),
    }
    scope.update(overrides)
    return scope


def chunks(*parts: bytes, disconnect: bool = False) -> Any:
    messages: list[Message] = [
        {"type": "http.request", "body": part, "more_body": index < len(parts) - 1}
        for index, part in enumerate(parts)
    ]
    if disconnect:
        messages[-1]["more_body"] = True
        messages.append({"type": "http.disconnect"})
    received: list[Message] = []

    async def receive() -> Message:
        message = messages.pop(0)
        received.append(message)
        return message

    receive.received = received  # type: ignore[attr-defined]
    return receive


def test_scope_views() -> None:
    request = Request(http_scope())
    assert request.method == "GET"
    assert request.path == "/p"
    assert str(request.url) == "http://example.org/p?a=1&a=2&b="
    assert request.query_params.getlist("a") == ["1", "2"]
    assert request.query_params["b"] == ""
    assert request.headers.getlist("x-multi") == ["one", "two"]
    assert request.headers["X-MULTI"] == "one"
    assert request.cookies == {"session": "abc", "theme": "dark"}
    assert request.client is not None
    assert request.client.host == "203.0.113.9"
    assert request.client.port == 5555
    assert request.path_params == {}
    assert request.app is None
    assert repr(request) == "<Request GET /p>"
    assert request.headers is request.headers  # parsed once


def test_missing_client_and_malformed_cookie() -> None:
    request = Request(http_scope(client=None, headers=[(b"cookie", b'bad"cookie=\\')]))
    assert request.client is None
    assert request.cookies == {}


def test_non_http_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="'http' scope"):
        Request({"type": "websocket"})


def test_state_starts_from_the_lifespan_state_in_the_scope() -> None:
    scope = http_scope(state={"pool": "P"})
    request = Request(scope)
    assert request.state.pool == "P"
    request.state.user = "ann"
    assert scope["state"]["user"] == "ann"
    assert Request(scope).state.user == "ann"  # one state per request scope


async def test_body_is_read_in_chunks_and_cached() -> None:
    request = Request(http_scope(), chunks(b"ab", b"cd"))
    assert await request.body() == b"abcd"
    assert await request.body() == b"abcd"
    assert [chunk async for chunk in request.stream()] == [b"abcd"]


async def test_stream_yields_chunks_as_they_arrive_and_only_once() -> None:
    request = Request(http_scope(), chunks(b"ab", b"", b"cd"))
    assert [chunk async for chunk in request.stream()] == [b"ab", b"cd"]
    with pytest.raises(RuntimeError, match="already streamed"):
        await request.body()


async def test_declared_length_over_limit_is_413_before_reading() -> None:
    receive = chunks(b"x" * 10)
    scope = http_scope(headers=[(b"content-length", b"10")])
    request = Request(scope, receive, max_body_size=5)
    with pytest.raises(HTTPException) as info:
        await request.body()
    assert info.value.status_code == 413
    assert "5 bytes" in info.value.detail
    assert receive.received == []  # not one chunk was read


async def test_declared_length_is_found_in_any_case_and_only_as_ascii_digits() -> None:
    # A server may keep the client's case; the first content-length is the one that counts.
    scope = http_scope(headers=[(b"Content-Length", b"10"), (b"content-length", b"1")])
    with pytest.raises(HTTPException) as info:
        await Request(scope, chunks(b"x" * 10), max_body_size=5).body()
    assert info.value.status_code == 413
    # "\xb2" is a digit to str.isdigit() but not a length: the body is read and counted.
    scope = http_scope(headers=[(b"content-length", b"\xb2")])
    assert await Request(scope, chunks(b"abc"), max_body_size=5).body() == b"abc"


async def test_undeclared_body_over_limit_stops_at_the_crossing_chunk() -> None:
    receive = chunks(b"abc", b"def", b"ghi")
    request = Request(http_scope(), receive, max_body_size=5)
    with pytest.raises(HTTPException) as info:
        await request.body()
    assert info.value.status_code == 413
    assert len(receive.received) == 2  # the third chunk was never asked for


async def test_no_limit() -> None:
    request = Request(http_scope(), chunks(b"x" * 100), max_body_size=None)
    assert len(await request.body()) == 100


async def test_disconnect_while_reading() -> None:
    request = Request(http_scope(), chunks(b"ab", disconnect=True))
    with pytest.raises(ClientDisconnect):
        await request.body()


async def test_default_receive_is_an_empty_body() -> None:
    assert await Request(http_scope()).body() == b""


def json_app() -> CovetPy:
    app = CovetPy(max_body_size=64)

    @app.post("/")
    async def echo(request: Request) -> Any:
        return {"got": await request.json()}

    @app.post("/big", max_body_size=None)
    async def big(request: Request) -> Any:
        return {"size": len(await request.body())}

    return app


def test_json_body_and_errors_over_http() -> None:
    client = TestClient(json_app())
    assert client.post("/", json={"a": [1, "é"]}).json() == {"got": {"a": [1, "é"]}}

    json_type = {"content-type": "application/json"}
    response = client.post("/", content=b'{"a": 1,\n "b": }', headers=json_type)
    assert response.status_code == 400
    assert "line 2 column 7" in response.json()["detail"]

    response = client.post("/", content=b'"\xff"', headers=json_type)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON body")

    response = client.post("/", content=b"x" * 65, headers=json_type)
    assert response.status_code == 413
    assert client.post("/big", content=b"x" * 1000).json() == {"size": 1000}
