"""HTTPSRedirectMiddleware: http -> https and ws -> wss, with path, query and ports."""

from __future__ import annotations

from typing import Any

import pytest

from covet.asgi import CovetPy, HTTPSRedirectMiddleware, Request
from covet.asgi.testing import TestClient
from covet.asgi.types import Message, Receive, Scope, Send


def make_client(base_url: str = "http://testserver") -> TestClient:
    app = CovetPy()
    app.add_middleware(HTTPSRedirectMiddleware)

    @app.route("/{path:path}", methods=["GET", "POST"])
    async def echo(request: Request, path: str) -> dict[str, str]:
        return {"url": str(request.url), "body": (await request.body()).decode()}

    return TestClient(app, base_url=base_url)


def test_http_is_redirected_to_https_with_path_and_query() -> None:
    response = make_client().get("/a/b?x=1&y=%20")
    assert response.status_code == 307
    assert response.headers["location"] == "https://testserver/a/b?x=1&y=%20"


def test_following_the_redirect_keeps_the_method_and_body() -> None:
    response = make_client().post("/submit", content=b"payload", follow_redirects=True)
    assert response.status_code == 200
    assert response.json() == {"url": "https://testserver/submit", "body": "payload"}


def test_https_passes_through() -> None:
    response = make_client("https://testserver").get("/a")
    assert response.status_code == 200
    assert response.json()["url"] == "https://testserver/a"


def test_a_path_with_spaces_and_unicode_stays_a_valid_url() -> None:
    response = make_client().get("/caf\u00e9 menu")
    assert response.headers["location"] == "https://testserver/caf%C3%A9%20menu"


# --- ports and hosts, driven directly ------------------------------------------------------------


def http_scope(**changes: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/p",
        "query_string": b"q=1",
        "headers": [],
        "server": ("127.0.0.1", 8000),
    }
    scope.update(changes)
    return scope


async def run(scope: dict[str, Any], *incoming: Message) -> tuple[list[str], list[Message]]:
    """Call the middleware with ``scope``; return the scope types the app saw and what was sent."""
    reached: list[str] = []
    sent: list[Message] = []
    pending = list(incoming)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["type"])

    async def receive() -> Message:
        return pending.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await HTTPSRedirectMiddleware(app)(scope, receive, send)
    return reached, sent


async def location_for(scope: dict[str, Any]) -> str:
    reached, sent = await run(scope, {"type": "http.request", "body": b""})
    assert reached == []
    assert sent[0]["status"] == 307
    [value] = [value for name, value in sent[0]["headers"] if name == b"location"]
    return str(value.decode())


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.com", "https://example.com/p?q=1"),
        ("example.com:80", "https://example.com/p?q=1"),  # http's default port goes
        ("example.com:443", "https://example.com/p?q=1"),
        ("example.com:8000", "https://example.com:8000/p?q=1"),  # others stay
        ("[::1]:80", "https://[::1]/p?q=1"),
        ("[::1]:8443", "https://[::1]:8443/p?q=1"),
        ("example.com:abc", "https://127.0.0.1:8000/p?q=1"),  # not a host: the server's address
    ],
)
async def test_default_ports_are_dropped_and_others_kept(host: str, expected: str) -> None:
    assert await location_for(http_scope(headers=[(b"host", host.encode())])) == expected


async def test_without_host_the_server_address_is_used() -> None:
    assert await location_for(http_scope(server=("127.0.0.1", 80))) == "https://127.0.0.1/p?q=1"
    assert await location_for(http_scope()) == "https://127.0.0.1:8000/p?q=1"


async def test_a_scope_without_scheme_counts_as_http() -> None:
    scope = http_scope(headers=[(b"host", b"example.com")])
    del scope["scheme"]
    assert await location_for(scope) == "https://example.com/p?q=1"


# --- websockets and other scopes --------------------------------------------------------------

CONNECT: Message = {"type": "websocket.connect"}


def ws_scope(**changes: Any) -> dict[str, Any]:
    scope = http_scope(type="websocket", scheme="ws", headers=[(b"host", b"example.com")])
    del scope["method"]
    scope.update(changes)
    return scope


async def test_ws_is_redirected_to_wss_where_the_server_can_send_a_response() -> None:
    scope = ws_scope(extensions={"websocket.http.response": {}})
    reached, sent = await run(scope, CONNECT)
    assert reached == []
    assert sent == [
        {
            "type": "websocket.http.response.start",
            "status": 307,
            "headers": [(b"location", b"wss://example.com/p?q=1"), (b"content-length", b"0")],
        },
        {"type": "websocket.http.response.body", "body": b""},
    ]


async def test_ws_is_closed_with_1008_where_the_server_cannot() -> None:
    reached, sent = await run(ws_scope(), CONNECT)
    assert reached == []
    assert sent == [{"type": "websocket.close", "code": 1008}]


async def test_a_websocket_scope_without_scheme_counts_as_ws() -> None:
    scope = ws_scope(extensions={"websocket.http.response": {}})
    del scope["scheme"]
    _, sent = await run(scope, CONNECT)
    assert (b"location", b"wss://example.com/p?q=1") in sent[0]["headers"]


@pytest.mark.parametrize(
    "scope",
    [
        ws_scope(scheme="wss"),
        http_scope(scheme="https"),
        {"type": "lifespan"},
    ],
)
async def test_secure_and_other_scopes_reach_the_app(scope: dict[str, Any]) -> None:
    reached, sent = await run(scope)
    assert reached == [scope["type"]]
    assert sent == []
