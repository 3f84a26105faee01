"""JSON request bodies: read only when they say they are JSON; malformed ones are a 400,
the same 400 whichever JSON backend is installed."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from covet.asgi import CovetPy, Request
from covet.asgi import json as covet_json
from covet.asgi.requests import is_json_media_type
from covet.asgi.testing import TestClient


class Note(pydantic.BaseModel):
    text: str
    score: float = 0


def make_app() -> CovetPy:
    app = CovetPy()

    @app.post("/raw")
    async def raw(request: Request) -> Any:
        return {"got": await request.json()}

    @app.post("/lenient")
    async def lenient(request: Request) -> Any:
        return {"got": await request.json(strict_content_type=False)}

    @app.post("/notes")
    async def create(note: Note) -> Any:
        return {"text": note.text}

    return app


client = TestClient(make_app())
NOTE = b'{"text": "hi"}'


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON",
     "application/problem+json", "application/vnd.api+json"],
)  # fmt: skip
def test_json_media_types_are_read(content_type: str) -> None:
    headers = {"content-type": content_type}
    assert client.post("/raw", content=NOTE, headers=headers).json() == {"got": {"text": "hi"}}
    assert client.post("/notes", content=NOTE, headers=headers).json() == {"text": "hi"}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x",
     "application/jsonp", "+json", "text/html; x=application/json"],
)  # fmt: skip
def test_a_body_that_is_not_declared_json_is_refused_with_415(content_type: str | None) -> None:
    # A plain HTML form on another site can send text/plain or urlencoded bodies cross-site
    # without a preflight; such a body must never reach a JSON handler.
    headers = {} if content_type is None else {"content-type": content_type}
    for path in ("/raw", "/notes"):
        response = client.post(path, content=NOTE, headers=headers)
        assert response.status_code == 415, path
        assert "Expected a JSON body" in response.json()["detail"]


def test_strict_content_type_can_be_switched_off() -> None:
    response = client.post("/lenient", content=NOTE, headers={"content-type": "text/plain"})
    assert response.json() == {"got": {"text": "hi"}}


def test_an_empty_body_is_missing_whatever_its_content_type() -> None:
    response = client.post("/notes")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_content_type_is_the_first_value_as_sent() -> None:
    scope = {
        "type": "http",
        "headers": [(b"Content-Type", b"text/plain; x=1"), (b"content-type", b"a/b")],
    }
    assert Request(scope).content_type == "text/plain; x=1"
    assert Request({"type": "http", "headers": []}).content_type is None


def test_is_json_media_type() -> None:
    assert is_json_media_type("application/ld+json")
    assert not is_json_media_type(None)
    assert not is_json_media_type("json")


_ORJSON = importlib.util.find_spec("orjson") is not None
BACKENDS = [
    pytest.param(covet_json.stdlib_loads, id="json"),
    pytest.param(
        covet_json.loads,
        id="orjson",
        marks=pytest.mark.skipif(not _ORJSON, reason="orjson is not installed"),
    ),
]

MALFORMED = [
    pytest.param(b"[" * 100_000, id="deep-nesting"),
    pytest.param(b'{"a":' * 50_000, id="deep-objects"),
    pytest.param(b"1" * 5_000, id="5000-digit-int"),
    pytest.param(b'{"text": "a", "score": ' + b"9" * 400 + b"}", id="400-digit-int"),
    pytest.param(b'{"text": "a", "score": 1e999}', id="1e999"),
    pytest.param(b'{"text": "a", "score": -1e999}', id="-1e999"),
    pytest.param(b'{"text": "\\ud800"}', id="lone-surrogate"),
    pytest.param(b'{"text": NaN}', id="nan"),
    pytest.param(b'{"text": "a",}', id="trailing-comma"),
    pytest.param(b'{"text": ', id="truncated"),
    pytest.param(b"tru", id="bad-literal"),
    pytest.param(b'{"text": "a"} x', id="extra-data"),
    pytest.param(b'"\xff"', id="not-utf8"),
]


@pytest.mark.parametrize("document", MALFORMED)
@pytest.mark.parametrize("path", ["/raw", "/notes"])
def test_malformed_json_is_400_with_the_same_message_on_both_backends(
    monkeypatch: pytest.MonkeyPatch, document: bytes, path: str
) -> None:
    answers = []
    for loads in (covet_json.stdlib_loads, covet_json.loads):
        monkeypatch.setattr(covet_json, "loads", loads)
        response = client.post(path, content=document, headers={"content-type": "application/json"})
        answers.append((response.status_code, response.json()["detail"]))
    assert answers[0] == answers[1]
    status, detail = answers[0]
    assert status == 400
    assert detail.startswith("Malformed JSON body: ")


@pytest.mark.parametrize("loads", BACKENDS)
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"[" * 100_000, "Nesting is too deep"),
        (b"1" * 5_000, "Number is too large"),
        (b"[1e999]", "Number is too large"),
        (b'["\\udc00"]', "Lone surrogate in string"),
    ],
)
def test_each_backend_names_what_it_refused(
    loads: Callable[[bytes], Any], document: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        loads(document)


@pytest.mark.parametrize("loads", BACKENDS)
def test_valid_edge_cases_still_decode(loads: Callable[[bytes], Any]) -> None:
    assert loads(b'["\\ud83d\\ude00"]') == ["\U0001f600"]  # a surrogate pair is one character
    assert loads(b"[1e308, -1e-999]") == [1e308, -0.0]
    assert loads(b"[" * 500 + b"]" * 500) is not None
    assert loads(b"9" * 308) == pytest.approx(float("9" * 308))
    assert loads(b'[1, "' + b"7" * 400 + b'"]') == [1, "7" * 400]  # long digits in a string
    paired = b'{"\\ud83d\\ude00": ["x", 1, {"k": null}]}'
    assert loads(paired) == {"\U0001f600": ["x", 1, {"k": None}]}
