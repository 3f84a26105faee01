"""Dependency providers: kinds, caching, nesting, cleanup, overrides."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest

from covet.asgi import BackgroundTasks, CovetPy, Depends, HandlerSignatureError, Request
from covet.asgi.testing import TestClient


async def async_value() -> str:
    return "async"


def test_every_kind_of_provider() -> None:
    events: list[str] = []

    def sync_value() -> str:
        return "sync"

    def sync_gen() -> Iterator[str]:
        events.append("sync gen open")
        yield "sync gen"
        events.append("sync gen close")

    async def async_gen() -> AsyncIterator[str]:
        events.append("async gen open")
        yield "async gen"
        events.append("async gen close")

    app = CovetPy()

    @app.get("/")
    async def handler(
        a: str = Depends(sync_value),
        b: Annotated[str, Depends(async_value)] = "unused default",
        c: str = Depends(sync_gen),
        d: str = Depends(async_gen),
    ) -> list[str]:
        events.append("handler")
        return [a, b, c, d]

    assert TestClient(app).get("/").json() == ["sync", "async", "sync gen", "async gen"]
    # cleanups run after the response, in reverse order of opening
    assert events == [
        "sync gen open",
        "async gen open",
        "handler",
        "async gen close",
        "sync gen close",
    ]


def test_cleanup_runs_after_the_response_and_its_background_tasks() -> None:
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        yield "s"
        events.append("cleanup")

    class SendRecorder:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            async def recording_send(message: Any) -> None:
                events.append(message["type"])
                await send(message)

            await self.app(scope, receive, recording_send)

    app = CovetPy()
    app.add_middleware(SendRecorder)

    @app.get("/")
    async def handler(tasks: BackgroundTasks, s: str = Depends(session)) -> str:
        tasks.add_task(events.append, "background")
        return s

    assert TestClient(app).get("/").text == "s"
    assert events == ["http.response.start", "http.response.body", "background", "cleanup"]


def test_a_provider_runs_once_per_request_unless_use_cache_is_off() -> None:
    calls: list[str] = []

    def counter() -> int:
        calls.append("x")
        return len(calls)

    def needs_counter(n: int = Depends(counter)) -> int:
        return n

    app = CovetPy()

    @app.get("/cached")
    async def cached(a: int = Depends(counter), b: int = Depends(needs_counter)) -> list[int]:
        return [a, b]

    @app.get("/fresh")
    async def fresh(
        a: int = Depends(counter, use_cache=False), b: int = Depends(counter, use_cache=False)
    ) -> list[int]:
        return [a, b]

    client = TestClient(app)
    assert client.get("/cached").json() == [1, 1]
    assert client.get("/cached").json() == [2, 2]  # a new request, a new value
    assert client.get("/fresh").json() == [3, 4]


def test_providers_take_request_and_parameters_and_report_errors_with_the_handler() -> None:
    def pagination(page: int = 1, size: int = 10) -> dict[str, int]:
        return {"offset": (page - 1) * size, "limit": size}

    def current_user(request: Request, user_id: int) -> str:
        return f"user {user_id} via {request.method}"

    app = CovetPy()

    @app.get("/users/{user_id}/items")
    async def items(
        q: str, paging: dict[str, int] = Depends(pagination), who: str = Depends(current_user)
    ) -> dict[str, Any]:
        return {"q": q, "paging": paging, "who": who}

    client = TestClient(app)
    assert client.get("/users/3/items?q=x&page=2").json() == {
        "q": "x",
        "paging": {"offset": 10, "limit": 10},
        "who": "user 3 via GET",
    }
    errors = client.get("/users/x/items?page=two").json()["detail"]
    assert sorted(tuple(error["loc"]) for error in errors) == [
        ("path", "user_id"),
        ("query", "page"),
        ("query", "q"),
    ]


def test_overrides_replace_a_provider_in_tests() -> None:
    async def real_db() -> AsyncIterator[str]:
        yield "real"

    def fake_db(flavour: str = "fake") -> str:
        return flavour

    app = CovetPy()

    @app.get("/")
    async def handler(db: str = Depends(real_db)) -> str:
        return db

    client = TestClient(app)
    assert client.get("/").text == "real"
    app.dependency_overrides[real_db] = fake_db
    assert client.get("/?flavour=stub").text == "stub"
    app.dependency_overrides.clear()
    assert client.get("/").text == "real"


def test_a_cycle_is_refused_at_registration() -> None:
    def first(value: str = Depends(lambda: "x")) -> str:
        return value

    def loop_a(b: str = Depends(lambda: "unused")) -> str:
        return b

    def loop_b(a: str = Depends(loop_a)) -> str:
        return a

    loop_a.__defaults__ = (Depends(loop_b),)
    app = CovetPy()
    app.add_route("/ok", first)
    with pytest.raises(HandlerSignatureError, match=r"cycle: .*loop_a -> .*loop_b -> .*loop_a"):

        @app.get("/loop")
        async def handler(a: str = Depends(loop_a)) -> str:
            return a


def test_an_exception_in_the_handler_reaches_a_generator_provider() -> None:
    seen: list[str] = []

    async def transaction() -> AsyncIterator[str]:
        try:
            yield "tx"
        except ValueError as exc:
            seen.append(f"rollback: {exc}")
            raise

    app = CovetPy()

    @app.get("/")
    async def handler(tx: str = Depends(transaction)) -> str:
        raise ValueError("boom")

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert seen == ["rollback: boom"]
