"""The application: routing results, return values, mounts, middleware order."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from covet.asgi import (
    CORSMiddleware,
    CovetPy,
    GZipMiddleware,
    HTMLResponse,
    HTTPSRedirectMiddleware,
    Middleware,
    PlainTextResponse,
    Request,
    Response,
    StreamingResponse,
)
from covet.asgi.testing import TestClient
from covet.asgi.types import Message, Receive, Scope, Send


def make_demo() -> CovetPy:
    app = CovetPy()

    @app.route("/")
    async def hello(request):  # type: ignore[no-untyped-def]
        return {"message": "Hello from CovetPy Alpha v0.1.0!"}

    @app.route("/users/{user_id}")
    async def get_user(request, user_id: int):  # type: ignore[no-untyped-def]
        return {"id": user_id, "name": f"User {user_id}", "framework": "CovetPy Alpha"}

    return app


def test_launch_demo_answers() -> None:
    client = TestClient(make_demo())
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello from CovetPy Alpha v0.1.0!"}
    assert response.headers["content-type"] == "application/json"

    response = client.get("/users/123")
    assert response.json() == {"id": 123, "name": "User 123", "framework": "CovetPy Alpha"}


def test_unconvertible_path_value_is_422_naming_the_parameter() -> None:
    response = TestClient(make_demo()).get("/users/abc")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "user_id"]
    assert error["type"] == "int_parsing"
    assert error["input"] == "abc"


def test_wrong_method_is_405_with_allow() -> None:
    response = TestClient(make_demo()).post("/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_head_answers_without_body_but_with_length() -> None:
    client = TestClient(make_demo())
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_unknown_path_is_404_json() -> None:
    response = TestClient(make_demo()).get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_trailing_slash_redirects_to_canonical_form() -> None:
    app = make_demo()
    client = TestClient(app, follow_redirects=False)
    response = client.get("/users/7/?x=1")
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/users/7?x=1"
    strict = CovetPy(redirect_slashes=False)
    strict.add_route("/a", lambda: "a")
    assert TestClient(strict).get("/a/").status_code == 404


@pytest.mark.parametrize(
    ("result", "status", "content_type", "body"),
    [
        ({"a": 1}, 200, "application/json", b'{"a":1}'),
        ([1, 2], 200, "application/json", b"[1,2]"),
        ("héllo", 200, "text/plain; charset=utf-8", "héllo".encode()),
        (b"\x00\x01", 200, "application/octet-stream", b"\x00\x01"),
        (None, 204, None, b""),
        (HTMLResponse("<b>x</b>", status_code=201), 201, "text/html; charset=utf-8", b"<b>x</b>"),
    ],
)
def test_return_values_become_responses(
    result: Any, status: int, content_type: str | None, body: bytes
) -> None:
    app = CovetPy()

    @app.get("/")
    async def handler() -> Any:
        return result

    response = TestClient(app).get("/")
    assert response.status_code == status
    assert response.headers.get("content-type") == content_type
    assert response.content == body


def test_unsupported_return_value_is_a_500_that_says_what_to_return() -> None:
    app = CovetPy()

    @app.get("/")
    async def handler() -> object:
        return object()

    with pytest.raises(TypeError, match="return a dict, list, str, bytes, None or a Response"):
        TestClient(app).get("/")
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}


def test_sync_handlers_run_in_a_thread() -> None:
    import threading

    app = CovetPy()

    @app.get("/")
    def handler() -> dict[str, bool]:
        return {"main": threading.current_thread() is threading.main_thread()}

    assert TestClient(app).get("/").json() == {"main": False}


def test_decorators_register_each_method_and_names() -> None:
    app = CovetPy()
    for method in ("get", "post", "put", "patch", "delete"):
        getattr(app, method)("/item", name=f"item_{method}")(lambda method=method: method)
    client = TestClient(app)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, "/item").text == method.lower()
    assert [route.name for route in app.routes if route.path == "/item"] == [
        "item_get",
        "item_post",
        "item_put",
        "item_patch",
        "item_delete",
    ]
    assert app.url_for("item_get") == "/item"


def test_route_name_defaults_to_function_name_and_url_for_quotes() -> None:
    app = CovetPy()

    @app.route("/files/{name}")
    async def show_file(name: str) -> str:
        return name

    assert app.url_for("show_file", name="a b/c") == "/files/a%20b%2Fc"
    route = app.routes[-1]
    assert route.endpoint.__name__ == "show_file"
    assert route.endpoint.__qualname__.endswith("show_file")


def test_request_url_for_is_absolute() -> None:
    app = CovetPy()

    @app.get("/users/{user_id:int}", name="user")
    async def user(request: Request, user_id: int) -> str:
        return str(request.url_for("user", user_id=user_id + 1))

    assert TestClient(app).get("/users/1").text == "http://testserver/users/2"


async def echo_scope(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"{scope['root_path']}|{scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_mount_hands_the_rest_of_the_path_to_an_asgi_app() -> None:
    app = CovetPy()
    app.mount("/static", echo_scope, name="static")
    client = TestClient(app)
    assert client.get("/static/css/site.css").text == "/static|/static/css/site.css"
    assert client.get("/static").text == "/static|/static"
    assert client.post("/static/x").status_code == 200  # a mount takes every method


def test_mounting_a_covet_app_and_reversing_through_it() -> None:
    api = CovetPy()

    @api.get("/users/{user_id:int}", name="user")
    async def user(request: Request, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "url": str(request.url_for("user", user_id=user_id))}

    app = CovetPy()
    app.mount("/api", api, name="api")
    response = TestClient(app).get("/api/users/5")
    assert response.json() == {"id": 5, "url": "http://testserver/api/users/5"}
    assert app.url_for("api:user", user_id=5) == "/api/users/5"
    assert TestClient(app).get("/api/nothing").status_code == 404


class Recorder:
    """A pure ASGI middleware that records the order it sees requests in."""

    def __init__(self, app: Any, *, log: list[str], label: str) -> None:
        self.app = app
        self.log = log
        self.label = label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.log.append(f"{self.label} in")
        await self.app(scope, receive, send)
        self.log.append(f"{self.label} out")


def test_middleware_runs_in_the_order_added() -> None:
    log: list[str] = []
    app = CovetPy(middleware=[Middleware(Recorder, log=log, label="first")])
    app.add_middleware(Recorder, log=log, label="second")

    @app.get("/")
    async def handler() -> str:
        log.append("handler")
        return "ok"

    TestClient(app).get("/")
    assert log == ["first in", "second in", "handler", "second out", "first out"]


def test_middleware_cannot_be_added_after_start() -> None:
    app = make_demo()
    TestClient(app).get("/")
    with pytest.raises(RuntimeError, match="after the application has started"):
        app.add_middleware(Recorder, log=[], label="late")
    with pytest.raises(RuntimeError, match="after the application has started"):
        app.add_exception_handler(404, lambda request, exc: Response())


def test_per_route_middleware_wraps_only_that_route() -> None:
    log: list[str] = []
    app = CovetPy()

    @app.get("/wrapped", middleware=[Middleware(Recorder, log=log, label="route")])
    async def wrapped() -> str:
        return "w"

    @app.get("/plain")
    async def plain() -> str:
        return "p"

    client = TestClient(app)
    client.get("/plain")
    assert log == []
    client.get("/wrapped")
    assert log == ["route in", "route out"]


request_user: contextvars.ContextVar[str] = contextvars.ContextVar("request_user")


class SetUser:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = request_user.set("ann")
        try:
            await self.app(scope, receive, send)
        finally:
            request_user.reset(token)


async def test_contextvars_and_streaming_pass_through_middleware() -> None:
    app = CovetPy()
    app.add_middleware(SetUser)
    app.add_middleware(Recorder, log=[], label="x")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            for index in range(3):
                yield f"{request_user.get()}-{index};"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/sync")
    def sync_handler() -> str:
        return request_user.get()

    sent: list[Message] = []
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/stream",
        "query_string": b"",
        "headers": [],
        "asgi": {"version": "3.0"},
    }

    inbox = [{"type": "http.request", "body": b"", "more_body": False}]
    client_gone = asyncio.Event()  # never set: the client stays for the whole stream

    async def receive() -> Message:
        if inbox:
            return inbox.pop(0)
        await client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body"]
    # each chunk is its own message: nothing buffered the stream
    assert bodies[:3] == [b"ann-0;", b"ann-1;", b"ann-2;"]
    assert TestClient(app).get("/sync").text == "ann"


async def test_websocket_scope_without_a_route_is_closed() -> None:
    app = CovetPy()
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "websocket", "path": "/ws", "headers": []}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}]


async def test_websocket_scope_goes_to_a_mount() -> None:
    seen: list[str] = []

    async def ws_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(f"{scope['root_path']}|{scope['path']}")

    app = CovetPy()
    app.mount("/ws", ws_app)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        raise AssertionError("the mounted app answers, not CovetPy")

    await app({"type": "websocket", "path": "/ws/chat", "headers": []}, receive, send)
    assert seen == ["/ws|/ws/chat"]


def test_response_object_returned_keeps_status_and_headers() -> None:
    app = CovetPy()

    @app.get("/")
    async def handler() -> PlainTextResponse:
        return PlainTextResponse("made", status_code=201, headers={"X-Thing": "1"})

    response = TestClient(app).get("/")
    assert (response.status_code, response.text, response.headers["x-thing"]) == (201, "made", "1")


def test_the_middleware_stack_is_described_outermost_first() -> None:
    app = CovetPy(
        debug=True, middleware=[Middleware(CORSMiddleware, allow_origins=["https://a.example"])]
    )
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(HTTPSRedirectMiddleware)
    description = app.middleware_stack_description()
    assert description == [
        "ServerErrorMiddleware(debug=True)",
        "CORSMiddleware(allow_origins=['https://a.example'])",
        "GZipMiddleware(minimum_size=1000)",
        "HTTPSRedirectMiddleware",
        "ExceptionMiddleware",
        "router",
    ]
    assert repr(app.user_middleware[1]) == "Middleware(GZipMiddleware, minimum_size=1000)"
    assert CovetPy().middleware_stack_description() == [
        "ServerErrorMiddleware(debug=False)",
        "ExceptionMiddleware",
        "router",
    ]

    # The description names the layers the application really builds, in the same order.
    layer: Any = app.build_middleware_stack()
    built = []
    while hasattr(layer, "app"):
        built.append(type(layer).__name__)
        layer = layer.app
    assert built == [entry.partition("(")[0] for entry in description[:-1]]
    assert layer == app.dispatch
