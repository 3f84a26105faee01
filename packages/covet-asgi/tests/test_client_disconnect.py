"""A client that goes away mid-body: one INFO line, no response, nothing raised."""

from __future__ import annotations

import logging
from typing import Any

import pydantic
import pytest

from covet.asgi import CovetPy, Request
from covet.asgi.types import Message


class Note(pydantic.BaseModel):
    text: str


def make_app() -> CovetPy:
    app = CovetPy()

    @app.post("/body")
    async def body(request: Request) -> Any:
        return {"size": len(await request.body())}

    @app.post("/form")
    async def form(request: Request) -> Any:
        return {"fields": len(await request.form())}

    @app.post("/notes")
    async def notes(note: Note) -> Any:
        return {"text": note.text}

    return app


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/body", b"application/octet-stream"),
        ("/form", b"multipart/form-data; boundary=x"),
        ("/notes", b"application/json"),
    ],
)
async def test_a_disconnect_mid_body_is_one_info_line_and_no_response(
    caplog: pytest.LogCaptureFixture, path: str, content_type: bytes
) -> None:
    inbox: list[Message] = [
        {"type": "http.request", "body": b"--x\r\nContent-Disp", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return inbox.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"content-type", content_type)],
    }
    with caplog.at_level(logging.DEBUG):
        await make_app()(scope, receive, send)

    assert sent == []  # nobody to answer
    records = [r for r in caplog.records if r.name.startswith("covet")]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.INFO, f"Client disconnected before sending the whole request body: POST {path}")
    ]
    assert records[0].exc_info is None  # no traceback
