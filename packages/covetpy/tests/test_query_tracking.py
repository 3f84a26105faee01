"""covet/database/tracking.py: the N+1 guard per request, in a real app over SQLite."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from covet import CovetPy
from covet.asgi import BackgroundTask, JSONResponse
from covet.asgi.testing import AsyncTestClient
from covet.database.orm import (
    CASCADE,
    CharField,
    ForeignKey,
    Model,
    NPlusOneWarning,
    QueryTrackingMiddleware,
    configure,
    create_tables,
    set_debug,
)
from covet.orm import database as database_module

POSTS = 8


class Writer(Model):
    __tablename__ = "qt_writer"
    name = CharField(max_length=50)


class Note(Model):
    __tablename__ = "qt_note"
    writer = ForeignKey(Writer, on_delete=CASCADE, related_name="notes")
    title = CharField(max_length=50)


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[None]:
    """A SQLite file as the "default" database: two writers, eight notes."""
    saved = dict(database_module._databases)
    db = configure(f"sqlite:///{tmp_path / 'notes.sqlite3'}")
    await create_tables(db, Writer, Note)
    ann = await Writer.objects.create(name="Ann")
    bob = await Writer.objects.create(name="Bob")
    for index in range(POSTS):
        await Note.objects.create(writer=ann if index % 2 else bob, title=f"note {index}")
    try:
        yield
    finally:
        await db.disconnect()
        database_module._databases.clear()
        database_module._databases.update(saved)


@pytest.fixture
def debug() -> Iterator[None]:
    """The ORM's debug mode, on for the test (what COVET_ORM_DEBUG=1 does)."""
    set_debug(True)
    try:
        yield
    finally:
        set_debug(None)


def make_app(**options: Any) -> CovetPy:
    app = CovetPy()
    app.add_middleware(QueryTrackingMiddleware, **options)

    @app.on_startup
    async def warm_up() -> None:
        for _ in range(10):  # lifespan is not a request: never counted
            await Writer.objects.count()

    @app.get("/n-plus-one")
    async def n_plus_one(limit: int = POSTS) -> dict[str, Any]:
        notes = await Note.objects.order_by("id")[:limit]
        rows = []
        for note in notes:
            await note.writer.fetch()  # one query per note: the N+1
            rows.append({"title": note.title, "writer": note.writer.name})
        return {"notes": rows}

    @app.get("/background")
    async def background() -> JSONResponse:
        # The response goes out first; the N+1 runs after it, still inside the request.
        async def audit() -> None:
            for note in await Note.objects.order_by("id"):
                await note.writer.fetch()

        return JSONResponse({"notes": []}, background=BackgroundTask(audit))

    @app.get("/prefetched")
    async def prefetched() -> dict[str, Any]:
        notes = await Note.objects.prefetch_related("writer").order_by("id")
        return {"notes": [{"title": n.title, "writer": n.writer.name} for n in notes]}

    @app.get("/selected")
    async def selected() -> dict[str, Any]:
        notes = await Note.objects.select_related("writer").order_by("id")
        return {"notes": [{"title": n.title, "writer": n.writer.name} for n in notes]}

    return app


async def get_silently(app: CovetPy, *paths: str) -> list[warnings.WarningMessage]:
    """GET each path; return every warning given (none expected), each request a success."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with AsyncTestClient(app) as client:
            for path in paths:
                response = await client.get(path)
                assert response.status_code == 200
                assert len(response.json()["notes"]) in (POSTS, 4)
    return caught


async def test_an_n_plus_one_handler_warns_naming_shape_count_and_fix(
    notes: None, debug: None
) -> None:
    async with AsyncTestClient(make_app(threshold=3)) as client:
        with pytest.warns(NPlusOneWarning) as warned:
            response = await client.get("/n-plus-one")
    assert response.status_code == 200
    assert [row["writer"] for row in response.json()["notes"][:2]] == ["Bob", "Ann"]
    assert len(warned) == 1
    message = str(warned[0].message)
    assert f"this query ran {POSTS} times in one tracked block (threshold 3)" in message
    assert 'SELECT "id", "name" FROM "qt_writer" WHERE "id" = ?' in message
    assert "Note.objects.select_related('writer') or .prefetch_related('writer')" in message


async def test_a_background_task_is_counted_with_its_request(notes: None, debug: None) -> None:
    async with AsyncTestClient(make_app(threshold=3)) as client:
        with pytest.warns(NPlusOneWarning, match=f"ran {POSTS} times in one tracked block"):
            response = await client.get("/background")
    assert response.json() == {"notes": []}


async def test_the_loaded_versions_are_silent(notes: None, debug: None) -> None:
    assert await get_silently(make_app(threshold=1), "/prefetched", "/selected") == []


async def test_each_request_is_counted_on_its_own(notes: None, debug: None) -> None:
    # 4 fetches per request, 8 in all: under the threshold per request, so no warning.
    app = make_app(threshold=5)
    assert await get_silently(app, "/n-plus-one?limit=4", "/n-plus-one?limit=4") == []


async def test_outside_debug_mode_it_is_silent_unless_told(notes: None) -> None:
    set_debug(False)
    try:
        assert await get_silently(make_app(threshold=3), "/n-plus-one") == []
        async with AsyncTestClient(make_app(threshold=3, warn=True)) as client:
            with pytest.warns(NPlusOneWarning, match=f"ran {POSTS} times"):
                await client.get("/n-plus-one")
        set_debug(True)
        assert await get_silently(make_app(threshold=3, warn=False), "/n-plus-one") == []
    finally:
        set_debug(None)


async def test_a_websocket_connection_is_one_tracked_block(notes: None, debug: None) -> None:
    async def chat(scope: Any, receive: Any, send: Any) -> None:
        for note in await Note.objects.all():
            await note.writer.fetch()
        await send({"type": "websocket.close", "code": 1000})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "websocket.connect"}

    middleware = QueryTrackingMiddleware(chat, threshold=2)
    with pytest.warns(
        NPlusOneWarning, match=rf"ran {POSTS} times in one tracked block \(threshold 2\)"
    ):
        await middleware({"type": "websocket"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}]
