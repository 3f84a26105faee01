"""Startup and shutdown hooks, the lifespan context and its state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from covet.asgi import CovetPy, Request
from covet.asgi.lifespan import Lifespan
from covet.asgi.testing import AsyncTestClient, TestClient
from covet.asgi.types import Message


def test_hooks_and_context_run_in_order_and_share_state() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: CovetPy) -> AsyncIterator[dict[str, Any]]:
        events.append("context enter")
        yield {"pool": "the pool"}
        events.append("context exit")

    def sync_start() -> None:
        events.append("sync startup")

    app = CovetPy(lifespan=lifespan, on_startup=[sync_start])

    @app.on_startup
    async def async_start() -> None:
        events.append("async startup")

    @app.on_shutdown
    def stop() -> None:
        events.append("shutdown")

    @app.get("/")
    async def read(request: Request) -> dict[str, Any]:
        request.state.scratch = "per request"
        return {"pool": request.state.pool}

    with TestClient(app) as client:
        assert events == ["sync startup", "async startup", "context enter"]
        assert client.get("/").json() == {"pool": "the pool"}
        assert client.get("/").json() == {"pool": "the pool"}
    assert events[-2:] == ["context exit", "shutdown"]


async def test_async_client_runs_the_lifespan() -> None:
    events: list[str] = []
    app = CovetPy(
        on_startup=[lambda: events.append("up")], on_shutdown=[lambda: events.append("down")]
    )
    async with AsyncTestClient(app) as client:
        assert events == ["up"]
        assert (await client.get("/missing")).status_code == 404
    assert events == ["up", "down"]


def test_startup_failure_is_reported_and_raised() -> None:
    def broken() -> None:
        raise RuntimeError("database is down")

    app = CovetPy(on_startup=[broken])
    with pytest.raises(RuntimeError, match="Lifespan startup failed") as info, TestClient(app):
        pass  # pragma: no cover - never reached
    assert "database is down" in str(info.value.__cause__)


def test_shutdown_failure_is_reported_and_raised() -> None:
    def broken() -> None:
        raise RuntimeError("flush failed")

    app = CovetPy(on_shutdown=[broken])
    with pytest.raises(RuntimeError, match="Lifespan shutdown failed"), TestClient(app):
        pass


async def test_state_without_server_support_is_an_error() -> None:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
        yield {"x": 1}

    sent: list[Message] = []
    inbox = [{"type": "lifespan.startup"}]

    async def receive() -> Message:
        return inbox.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(RuntimeError, match="does not support lifespan state"):
        await Lifespan(None, context=lifespan)({"type": "lifespan"}, receive, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "does not support lifespan state" in sent[0]["message"]


async def test_lifespan_without_state_works_with_a_plain_server_scope() -> None:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield

    sent: list[Message] = []
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> Message:
        return inbox.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await CovetPy(lifespan=lifespan)({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
