"""HTTPException, exception handlers, the 500 page and the debug traceback."""

from __future__ import annotations

from typing import Any

import pytest

from covet.asgi import CovetPy, HTTPException, JSONResponse, PlainTextResponse, Request
from covet.asgi.debug import render_traceback_html
from covet.asgi.testing import TestClient


def failing_app(**options: Any) -> CovetPy:
    app = CovetPy(**options)

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(418, headers={"X-Why": "tea"})

    @app.get("/custom")
    async def custom() -> None:
        raise HTTPException(400, {"field": "bad"})

    @app.get("/boom")
    async def boom() -> None:
        secret = "<script>alert(1)</script>"
        raise ValueError(f"broke with {secret}")

    @app.get("/permission")
    async def permission() -> None:
        raise PermissionError("no")

    @app.get("/not-modified")
    async def not_modified() -> None:
        raise HTTPException(304)

    return app


def test_http_exception_becomes_json_with_headers() -> None:
    client = TestClient(failing_app())
    response = client.get("/teapot")
    assert response.status_code == 418
    assert response.json() == {"detail": "I'm a Teapot"}
    assert response.headers["x-why"] == "tea"
    assert client.get("/custom").json() == {"detail": {"field": "bad"}}
    not_modified = client.get("/not-modified")
    assert (not_modified.status_code, not_modified.content) == (304, b"")


def test_exception_repr_and_str() -> None:
    exc = HTTPException(404)
    assert str(exc) == "404: Not Found"
    assert repr(exc) == "HTTPException(status_code=404, detail='Not Found')"


def test_500_hides_the_traceback_unless_debug() -> None:
    client = TestClient(failing_app(), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "broke" not in response.text


def test_500_reraises_for_the_server_log() -> None:
    with pytest.raises(ValueError, match="broke with"):
        TestClient(failing_app()).get("/boom")


def test_debug_page_for_browsers_is_escaped_html() -> None:
    client = TestClient(failing_app(debug=True), raise_server_exceptions=False)
    response = client.get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "ValueError: broke with &lt;script&gt;" in response.text
    assert "<script>alert" not in response.text
    assert "raise ValueError" in response.text  # the source line of the failing frame
    assert "test_exception_handling.py" in response.text


def test_debug_traceback_as_text_for_other_clients() -> None:
    client = TestClient(failing_app(debug=True), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("Traceback (most recent call last):")
    assert "ValueError: broke with <script>" in response.text


def test_handlers_by_class_and_by_status() -> None:
    app = failing_app(exception_handlers={404: lambda request, exc: PlainTextResponse("gone", 404)})

    @app.exception_handler(PermissionError)
    async def forbidden(request: Request, exc: PermissionError) -> JSONResponse:
        return JSONResponse({"denied": str(exc), "path": request.path}, status_code=403)

    @app.exception_handler(418)
    def teapot(request: Request, exc: HTTPException) -> PlainTextResponse:
        return PlainTextResponse(f"short and stout ({exc.headers['X-Why']})", status_code=418)

    client = TestClient(app)
    assert client.get("/permission").json() == {"denied": "no", "path": "/permission"}
    assert client.get("/teapot").text == "short and stout (tea)"
    assert client.get("/missing").text == "gone"
    assert client.get("/custom").status_code == 400  # other statuses keep the default


def test_a_subclass_uses_the_nearest_handler_in_its_mro() -> None:
    app = CovetPy()

    class AppError(Exception):
        pass

    class NotAllowed(AppError):
        pass

    app.add_exception_handler(
        AppError, lambda request, exc: PlainTextResponse(type(exc).__name__, 400)
    )

    @app.get("/")
    async def handler() -> None:
        raise NotAllowed()

    assert TestClient(app).get("/").text == "NotAllowed"


def test_500_handler_is_used_by_the_outer_safety_net() -> None:
    app = failing_app()
    app.add_exception_handler(500, lambda request, exc: PlainTextResponse(f"sorry: {exc}", 500))
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.text.startswith("sorry: broke with")


def test_error_after_the_response_started_cannot_be_replaced() -> None:
    app = CovetPy()
    app.add_exception_handler(ValueError, lambda request, exc: PlainTextResponse("handled"))

    async def started_then_failed(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise ValueError("late")

    app.mount("/late", started_then_failed)
    with pytest.raises(RuntimeError, match="after the response started"):
        TestClient(app).get("/late")
    response = TestClient(app, raise_server_exceptions=False).get("/late")
    assert response.status_code == 200  # the started response stands; no second one was sent


def test_debug_html_renders_a_frame_without_source() -> None:
    namespace: dict[str, Any] = {}
    exec(compile("def f():\n    raise KeyError('k')\n", "<generated>", "exec"), namespace)
    try:
        namespace["f"]()
    except KeyError as exc:
        page = render_traceback_html(exc)
    assert "&lt;generated&gt;" in page
    assert "KeyError: &#x27;k&#x27;" in page


async def test_exception_middleware_reuses_a_fresh_watcher_and_only_a_fresh_one() -> None:
    from covet.asgi.middleware.exceptions import ExceptionMiddleware, StartWatchingSend

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(send)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def sink(message: Any) -> None:
        pass

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    middleware = ExceptionMiddleware(app)
    fresh = StartWatchingSend(sink)
    await middleware({"type": "http"}, receive, fresh)
    assert seen[-1] is fresh
    assert fresh.response_started
    # This watcher has already seen a start: its flag would not describe the inner app.
    await middleware({"type": "http"}, receive, fresh)
    assert seen[-1] is not fresh
    assert isinstance(seen[-1], StartWatchingSend)
    await middleware({"type": "http"}, receive, sink)
    assert isinstance(seen[-1], StartWatchingSend)
    assert seen[-1].send is sink
