"""Handler signatures: where each parameter's value comes from."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any

import pytest

from covet.asgi import (
    BackgroundTask,
    BackgroundTasks,
    CovetPy,
    HandlerSignatureError,
    Header,
    Request,
)
from covet.asgi.handlers import Handler, to_response
from covet.asgi.responses import PlainTextResponse
from covet.asgi.testing import TestClient


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def client_for(func: Any, path: str = "/", methods: list[str] | None = None) -> TestClient:
    app = CovetPy()
    app.add_route(path, func, methods=methods)
    return TestClient(app)


def test_query_params_by_annotation_with_defaults() -> None:
    async def search(q: str, page: int = 1, exact: bool = False, ratio: float = 0.5) -> Any:
        return {"q": q, "page": page, "exact": exact, "ratio": ratio}

    client = client_for(search)
    assert client.get("/?q=x").json() == {"q": "x", "page": 1, "exact": False, "ratio": 0.5}
    assert client.get("/?q=x&page=3&exact=yes&ratio=2.5e1").json() == {
        "q": "x",
        "page": 3,
        "exact": True,
        "ratio": 25.0,
    }


def test_every_bad_value_is_reported_at_once() -> None:
    async def search(q: str, page: int = 1, exact: bool = False) -> Any:
        return {}

    response = client_for(search).get("/?page=two&exact=maybe")
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [
        (["query", "q"], "missing"),
        (["query", "page"], "int_parsing"),
        (["query", "exact"], "bool_parsing"),
    ]


def test_multi_valued_and_optional_query_params() -> None:
    async def tagged(
        tag: list[str] | None = None, n: list[int] | None = None, cursor: int | None = None
    ) -> Any:
        if tag is None:
            tag = []
        return {"tag": tag, "n": n, "cursor": cursor}

    client = client_for(tagged)
    assert client.get("/").json() == {"tag": [], "n": None, "cursor": None}
    assert client.get("/?tag=a&tag=b&n=1&n=2&cursor=9").json() == {
        "tag": ["a", "b"],
        "n": [1, 2],
        "cursor": 9,
    }
    assert client.get("/?n=1&n=x").json()["detail"][0]["loc"] == ["query", "n"]


def test_uuid_decimal_enum_annotations() -> None:
    async def typed(u: uuid.UUID, d: Decimal, c: Color) -> Any:
        return {"u": u.hex, "d": str(d), "c": c.name}

    client = client_for(typed)
    value = uuid.uuid4()
    assert client.get(f"/?u={value}&d=1.50&c=red").json() == {
        "u": value.hex,
        "d": "1.50",
        "c": "RED",
    }
    errors = client.get("/?u=nope&d=NaN&c=green").json()["detail"]
    assert [e["type"] for e in errors] == ["uuid_parsing", "decimal_parsing", "enum"]
    assert "'red', 'blue'" in errors[2]["msg"]


def test_path_params_converted_by_annotation_or_route_converter() -> None:
    app = CovetPy()

    @app.get("/a/{x}")
    async def by_annotation(x: float) -> Any:
        return {"x": x}

    @app.get("/b/{x:int}")
    async def by_converter(x: int) -> Any:
        return {"x": x}

    @app.get("/c/{x}")
    async def unannotated(x) -> Any:  # type: ignore[no-untyped-def]
        return {"x": x}

    client = TestClient(app)
    assert client.get("/a/1.5").json() == {"x": 1.5}
    assert client.get("/b/42").json() == {"x": 42}
    assert client.get("/b/abc").status_code == 404  # the route converter refuses: no such route
    assert client.get("/c/abc").json() == {"x": "abc"}


def test_request_by_name_or_annotation_and_path_params_on_request() -> None:
    app = CovetPy()

    @app.get("/n/{x}")
    async def by_name(request, x: str) -> Any:  # type: ignore[no-untyped-def]
        return {"type": type(request).__name__, "params": request.path_params}

    @app.get("/t")
    async def by_annotation(req: Request) -> Any:
        return {"method": req.method}

    client = TestClient(app)
    assert client.get("/n/v").json() == {"type": "Request", "params": {"x": "v"}}
    assert client.get("/t").json() == {"method": "GET"}


def test_unsupported_signatures_fail_at_registration_with_the_handler_named() -> None:
    async def star_args(*args: Any) -> None: ...

    async def star_kwargs(**kwargs: Any) -> None: ...

    async def positional_only(x: int, /) -> None: ...

    async def odd_annotation(x: dict[str, int]) -> None: ...

    app = CovetPy()
    for func, message in [
        (star_args, r"\*args is not supported"),
        (star_kwargs, r"\*kwargs is not supported"),
        (positional_only, "positional-only"),
        (odd_annotation, "which a query value cannot be"),
    ]:
        with pytest.raises(HandlerSignatureError, match=message) as info:
            app.add_route("/", func)
        assert func.__qualname__ in str(info.value)
    assert [route.path for route in app.routes] == ["/openapi.json", "/docs", "/docs/assets/{name}"]


def test_background_tasks_parameter_runs_after_the_response() -> None:
    events: list[str] = []

    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(events.append, "sync task")
        events.append("handler")
        return "done"

    client = client_for(handler)
    assert client.get("/").text == "done"
    assert events == ["handler", "sync task"]


def test_background_tasks_parameter_combines_with_a_response_background() -> None:
    events: list[str] = []

    async def record(what: str) -> None:
        events.append(what)

    async def handler(tasks: BackgroundTasks) -> PlainTextResponse:
        tasks.add_task(record, "parameter")
        return PlainTextResponse("x", background=BackgroundTask(record, "response"))

    client_for(handler).get("/")
    assert events == ["response", "parameter"]


def test_to_response_refuses_unknown_types() -> None:
    with pytest.raises(TypeError, match="returned set"):
        to_response({1})


def test_handler_copies_the_function_identity() -> None:
    async def documented() -> None:
        """Docs travel too."""

    handler = Handler(documented)
    assert handler.__name__ == "documented"
    assert handler.__doc__ == "Docs travel too."
    assert handler.__wrapped__ is documented  # type: ignore[attr-defined]


def test_unresolvable_annotation_is_refused_at_registration() -> None:
    async def handler(x: int) -> Any:
        return {"x": x}

    handler.__annotations__["x"] = "NoSuchType"
    with pytest.raises(HandlerSignatureError, match="'NoSuchType' of parameter 'x' could not be"):
        Handler(handler)


def test_path_only_handlers_take_the_fast_path_and_report_errors_as_before() -> None:
    app = CovetPy()

    @app.get("/f/{x}")
    async def by_float(x: float) -> Any:
        return {"x": x}

    @app.get("/two/{a:int}/{b}")
    async def two(a: int, b: str) -> Any:
        return {"a": a, "b": b}

    route_handler = app.routes[-2].endpoint  # type: ignore[union-attr]
    assert route_handler.plain_plan is not None
    assert route_handler.plain_arguments({"path_params": {"x": "2.5"}}) == {"x": 2.5}
    # Text the annotation refuses, or no value at all: the general path reports it.
    assert route_handler.plain_arguments({"path_params": {"x": "abc"}}) is None
    assert route_handler.plain_arguments({}) is None

    client = TestClient(app)
    assert client.get("/f/2.5").json() == {"x": 2.5}
    assert client.get("/two/7/seven").json() == {"a": 7, "b": "seven"}
    response = client.get("/f/abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "x"]


def test_plain_query_values_take_the_fast_path_and_report_errors_as_before() -> None:
    async def search(q: str, page: int = 1, exact: bool | None = None) -> Any:
        return {"q": q, "page": page, "exact": exact}

    handler = Handler(search)
    assert handler.plain_plan is not None
    assert handler.plain_arguments({"query_string": b"q=a&q=b&page=3"}) == {
        "q": "b",  # the last value wins, as query_params[key] gives it
        "page": 3,
        "exact": None,
    }
    assert handler.plain_arguments({"query_string": b"page=3"}) is None  # q is required
    assert handler.plain_arguments({"query_string": b"q=a&page=x"}) is None

    client = client_for(search)
    assert client.get("/?q=covet&exact=yes").json() == {"q": "covet", "page": 1, "exact": True}
    missing = client.get("/?page=x")
    assert missing.status_code == 422
    assert [error["loc"] for error in missing.json()["detail"]] == [
        ["query", "q"],
        ["query", "page"],
    ]


def test_only_plain_path_and_query_values_get_a_plain_plan() -> None:
    async def with_query(x: int, q: str) -> None: ...

    async def listed(x: list[int]) -> None: ...

    async def list_default(tag: str = []) -> None:  # type: ignore[assignment]
        ...

    async def with_header(user_agent: Annotated[str, Header()]) -> None: ...

    async def nothing() -> None: ...

    assert Handler(with_query, path_params=["x"]).plain_plan is not None
    assert Handler(listed, path_params=["x"]).plain_plan is None
    assert Handler(list_default).plain_plan is None
    assert Handler(with_header).plain_plan is None
    assert Handler(nothing).plain_plan is None


def _no_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the general path fail loudly: a request that reaches Resolver is a 500."""

    class NoResolver:
        def __init__(self, *args: Any) -> None:
            raise AssertionError("the general path was taken")

    monkeypatch.setattr("covet.asgi.handlers.Resolver", NoResolver)


def test_the_launch_demo_style_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    app = CovetPy()

    @app.route("/users/{user_id}")
    async def get_user(request, user_id: int) -> Any:  # type: ignore[no-untyped-def]
        return {"id": user_id, "path": request.url.path, "params": request.path_params}

    @app.get("/search")
    async def search(req: Request, q: str, page: int = 1) -> Any:
        return {"q": q, "page": page, "method": req.method}

    @app.get("/hello")
    async def hello(request) -> str:  # type: ignore[no-untyped-def]
        return f"Hello, {request.query_params.get('name', 'World')}!"

    for route in app.routes[-3:]:
        assert route.endpoint.plain_plan is not None  # type: ignore[union-attr]
    _no_resolver(monkeypatch)
    client = TestClient(app, raise_server_exceptions=True)
    assert client.get("/users/7").json() == {
        "id": 7,
        "path": "/users/7",
        "params": {"user_id": "7"},
    }
    assert client.get("/search?q=covet&page=2").json() == {"q": "covet", "page": 2, "method": "GET"}
    assert client.get("/hello?name=you").text == "Hello, you!"


def test_the_demo_style_reports_bad_values_as_before() -> None:
    app = CovetPy()

    @app.route("/users/{user_id}")
    async def get_user(request, user_id: int) -> Any:  # type: ignore[no-untyped-def]
        return {"id": user_id}

    @app.get("/search")
    async def search(request: Request, q: str, page: int = 1) -> Any:
        return {"q": q, "page": page}

    route_handler = app.routes[-2].endpoint  # type: ignore[union-attr]
    request = Request({"type": "http", "path_params": {"user_id": "x"}})
    assert route_handler.plain_arguments({"path_params": {"user_id": "x"}}, request) is None
    assert route_handler.plain_arguments({"path_params": {"user_id": "9"}}, request) == {
        "request": request,
        "user_id": 9,
    }
    client = TestClient(app)
    bad = client.get("/users/abc")
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "loc": ["path", "user_id"],
            "msg": "Input should be a valid integer, got 'abc'",
            "type": "int_parsing",
            "input": "abc",
        }
    ]
    missing = client.get("/search?page=x")
    assert missing.status_code == 422
    assert [error["loc"] for error in missing.json()["detail"]] == [
        ["query", "q"],
        ["query", "page"],
    ]


def test_a_fast_path_handler_taking_the_request_still_gets_its_uploads_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("python_multipart")
    seen: list[Any] = []

    async def upload(request, name: str = "x") -> Any:  # type: ignore[no-untyped-def]
        form = await request.form()
        seen.append(form["f"])
        return {"name": name, "size": len(await form["f"].read())}

    handler = Handler(upload)
    assert handler.plain_plan is not None
    _no_resolver(monkeypatch)
    client = client_for(upload, methods=["POST"])
    response = client.post("/?name=n", files={"f": ("a.txt", b"abc", "text/plain")})
    assert response.json() == {"name": "n", "size": 3}
    assert seen[0].file.closed
