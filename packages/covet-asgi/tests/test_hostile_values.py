"""Client values beyond what a type holds are a 422, and a 422 can always be written."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import pydantic
import pytest

from covet.asgi import CovetPy, Header, Query, Request, RequestValidationError
from covet.asgi import json as covet_json
from covet.asgi.exceptions import MAX_ECHO_DEPTH, encodable_input
from covet.asgi.testing import TestClient


class Note(pydantic.BaseModel):
    text: str


class Reading(pydantic.BaseModel):
    value: float


def make_app() -> CovetPy:
    app = CovetPy()

    @app.get("/items/{item_id}")
    async def item(item_id: int, ratio: float = 1.0, page: int = 1) -> Any:
        return {"item_id": item_id, "ratio": ratio, "page": page}

    @app.get("/ratio")
    async def ratio(request: Request, ratio: float) -> Any:
        return {"ratio": ratio}

    @app.post("/notes")
    async def create(note: Note) -> Any:
        return {"text": note.text}

    @app.get("/raise")
    async def raise_it() -> Any:
        raise RequestValidationError(
            [
                {"loc": ["query", "a"], "msg": "m", "type": "t", "input": float("inf")},
                {"loc": ["query", "b"], "msg": "m", "type": "t", "input": "\ud800"},
                {"loc": ["query", "c"], "msg": "m", "type": "t", "input": 10**5000},
                {"loc": ["query", "d"], "msg": "m", "type": "t", "input": {1: b"x"}},
            ]
        )

    return app


client = TestClient(make_app())


def test_an_int_over_4300_digits_is_422_in_path_and_query() -> None:
    huge = "9" * 5000
    for url in (f"/items/{huge}", f"/items/1?page={huge}"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["detail"][0]["type"] == "int_parsing_size"


@pytest.mark.parametrize("value", ["1e999", "-1e999", "inf", "nan", "Infinity"])
def test_a_float_that_is_not_finite_is_422(value: str) -> None:
    for url in (f"/items/1?ratio={value}", f"/ratio?ratio={value}"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.json()["detail"][0]["loc"] == ["query", "ratio"]


@pytest.mark.parametrize("loads", [covet_json.stdlib_loads, covet_json.loads])
@pytest.mark.parametrize("dumps", [covet_json.stdlib_dumps, covet_json.dumps])
def test_a_422_echoing_unencodable_inputs_is_written_by_both_backends(
    monkeypatch: pytest.MonkeyPatch, dumps: Any, loads: Any
) -> None:
    monkeypatch.setattr("covet.asgi.responses.dumps", dumps)  # what JSONResponse calls
    monkeypatch.setattr(covet_json, "loads", loads)
    response = client.get("/raise")
    assert response.status_code == 422
    inputs = [error["input"] for error in response.json()["detail"]]
    assert inputs == ["inf", "'\\ud800'", "<int of 16610 bits>", {"1": "b'x'"}]

    deep = b'{"text": ' + b"[" * 300 + b"]" * 300 + b"}"  # orjson writes 254 levels at most
    response = client.post("/notes", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "..." in response.text


def test_encodable_input_keeps_what_json_can_write() -> None:
    value = {"a": [1, 2.5, None, True, "é"], "b": (2**63, -(2**63))}
    assert encodable_input(value) == {"a": [1, 2.5, None, True, "é"], "b": [2**63, -(2**63)]}
    nested: Any = []
    for _ in range(MAX_ECHO_DEPTH + 5):
        nested = [nested]
    assert covet_json.dumps(encodable_input(nested))
    assert encodable_input(float("nan")) == "nan"


@dataclasses.dataclass
class Window:
    start: float


def test_pydantic_validated_text_values_refuse_infinity_too() -> None:
    app = CovetPy()

    @app.get("/range")
    async def in_range(
        low: Annotated[float, pydantic.Field(ge=0)],
        many: Annotated[list[float], Query(alias="v")] = [],  # noqa: B006
        at: Annotated[float, Header()] = 0.0,
    ) -> Any:
        return {"low": low, "many": many, "at": at}

    @app.get("/window")
    async def window(w: Window = Window(start=0.0)) -> Any:  # noqa: B008
        return {"w": w.start}

    client = TestClient(app)
    assert client.get("/range?low=1.5&v=2").json() == {"low": 1.5, "many": [2.0], "at": 0.0}
    for url, headers in [
        ("/range?low=1e999", {}),
        ("/range?low=inf", {}),
        ("/range?low=1&v=nan", {}),
        ("/range?low=1", {"at": "-1e999"}),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url
        # pydantic's type and CovetPy's converter's: "nan" is no number to the latter
        assert response.json()["detail"][0]["type"] in ("finite_number", "float_parsing")
    # A dataclass carries its own config: it is validated without the finite-number one.
    assert client.get("/window").json() == {"w": 0.0}


@pytest.mark.parametrize("dumps", [covet_json.stdlib_dumps, covet_json.dumps])
def test_a_model_float_reached_by_a_string_overflow_is_written_alike(
    monkeypatch: pytest.MonkeyPatch, dumps: Any
) -> None:
    # pydantic's lax mode reads the string "1e999" as infinity for a model's float field (the
    # model's own config decides, allow_inf_nan=False refuses it); both backends write null.
    monkeypatch.setattr("covet.asgi.responses.dumps", dumps)
    app = CovetPy()

    @app.post("/readings")
    async def create(reading: Reading) -> Any:
        return reading.model_dump()

    response = TestClient(app).post("/readings", json={"value": "1e999"})
    assert (response.status_code, response.content) == (200, b'{"value":null}')
