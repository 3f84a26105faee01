"""RequestIDMiddleware: keep a sane incoming id, make one otherwise, echo it."""

from __future__ import annotations

import re

from covet.asgi import CovetPy, Request, RequestIDMiddleware, get_request_id
from covet.asgi.testing import TestClient


def make_app(**options: str) -> CovetPy:
    app = CovetPy()
    app.add_middleware(RequestIDMiddleware, **options)

    @app.get("/")
    async def show(request: Request) -> dict[str, str | None]:
        return {"contextvar": get_request_id(), "state": request.state.request_id}

    return app


def test_a_new_id_is_made_and_echoed() -> None:
    response = TestClient(make_app()).get("/")
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert response.json() == {"contextvar": request_id, "state": request_id}
    assert get_request_id() is None  # reset after the request


def test_a_valid_incoming_id_is_kept_and_sent_once() -> None:
    response = TestClient(make_app()).get("/", headers={"X-Request-ID": "abc-123.x_y"})
    assert response.headers.get_list("x-request-id") == ["abc-123.x_y"]
    assert response.json()["contextvar"] == "abc-123.x_y"


def test_an_unsafe_incoming_id_is_replaced() -> None:
    for bad in ["has space", "x" * 129, "<script>", ""]:
        response = TestClient(make_app()).get("/", headers={"X-Request-ID": bad})
        assert response.headers["x-request-id"] != bad
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_custom_header_name() -> None:
    response = TestClient(make_app(header_name="X-Trace")).get("/", headers={"X-Trace": "t1"})
    assert response.headers["x-trace"] == "t1"
    assert "x-request-id" not in response.headers


def test_the_id_is_on_error_responses_too() -> None:
    response = TestClient(make_app()).get("/missing")
    assert response.status_code == 404
    assert "x-request-id" in response.headers
