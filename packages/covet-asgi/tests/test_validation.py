"""pydantic validation: bodies, rich parameter types, response models."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from covet.asgi import Body, CovetPy, HandlerSignatureError, Header, JSONResponse, Query
from covet.asgi.testing import TestClient
from covet.asgi.validation import ResponseValidationError


class Address(BaseModel):
    city: str
    zip: Annotated[str, Field(pattern=r"^[0-9]{5}$")]


class UserIn(BaseModel):
    name: Annotated[str, Field(min_length=1)]
    age: Annotated[int, Field(ge=0)]
    address: Address | None = None


class UserOut(BaseModel):
    id: int
    name: str


class Record:
    """An object read by attribute, as an ORM instance would be."""

    def __init__(self, id: int, name: str, password_hash: str) -> None:
        self.id = id
        self.name = name
        self.password_hash = password_hash


def make_app() -> CovetPy:
    app = CovetPy()

    @app.post("/users", status_code=201)
    async def create(user: UserIn) -> UserOut:
        return UserOut(id=1, name=user.name)

    @app.get("/users/{user_id}", response_model=UserOut)
    async def read(user_id: int) -> Any:
        return Record(user_id, "Ann", "secret-hash")

    @app.get("/list")
    async def listing() -> list[UserOut]:
        return [{"id": 1, "name": "a", "extra": "dropped"}]  # type: ignore[list-item]

    @app.get("/broken")
    async def broken() -> UserOut:
        return {"id": "not a number", "name": "x"}  # type: ignore[return-value]

    @app.get("/raw", response_model=UserOut)
    async def raw() -> JSONResponse:
        return JSONResponse({"anything": True})

    @app.get("/search")
    async def search(
        page: Annotated[int, Field(ge=1, le=100)] = 1,
        order: Literal["asc", "desc"] = "asc",
        since: datetime.date | None = None,
        term: Annotated[str, Query(alias="q")] = "",
    ) -> dict[str, Any]:
        return {"page": page, "order": order, "since": str(since), "term": term}

    @app.get("/headers")
    async def headers(
        user_agent: Annotated[str, Header()],
        x_count: Annotated[int, Header(alias="X-Count")] = 0,
        x_tags: Annotated[list[str], Header()] = [],  # noqa: B006
    ) -> dict[str, Any]:
        return {"ua": user_agent, "count": x_count, "tags": x_tags}

    @app.post("/numbers")
    async def numbers(values: Annotated[list[int], Body()]) -> str:
        return str(sum(values))

    @app.post("/optional")
    async def optional(user: UserIn | None = None) -> dict[str, Any]:
        return {"user": user.name if user else None}

    return app


client = TestClient(make_app())


def test_valid_body_and_status_code() -> None:
    response = client.post("/users", json={"name": "Ann", "age": 30})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "name": "Ann"}


def test_invalid_body_reports_every_field_path() -> None:
    response = client.post(
        "/users", json={"name": "", "age": -1, "address": {"city": "X", "zip": "abc"}}
    )
    assert response.status_code == 422
    locations = [tuple(error["loc"]) for error in response.json()["detail"]]
    assert locations == [("body", "name"), ("body", "age"), ("body", "address", "zip")]


def test_missing_and_malformed_bodies() -> None:
    missing = client.post("/users")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body"]
    malformed = client.post(
        "/users", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert "Malformed JSON" in malformed.json()["detail"]
    assert client.post("/optional").json() == {"user": None}


def test_response_model_filters_objects_read_by_attribute() -> None:
    response = client.get("/users/7")
    assert response.json() == {"id": 7, "name": "Ann"}  # no password_hash
    assert client.get("/list").json() == [{"id": 1, "name": "a"}]


def test_a_return_value_the_model_refuses_is_a_server_error() -> None:
    with pytest.raises(ResponseValidationError, match="does not match its response model"):
        client.get("/broken")


def test_a_response_object_bypasses_the_model() -> None:
    assert client.get("/raw").json() == {"anything": True}


def test_rich_query_annotations() -> None:
    assert client.get("/search?page=5&order=desc&since=2026-01-02&q=x").json() == {
        "page": 5,
        "order": "desc",
        "since": "2026-01-02",
        "term": "x",
    }
    errors = client.get("/search?page=0&order=up&since=yesterday").json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [
        (["query", "page"], "greater_than_equal"),
        (["query", "order"], "literal_error"),
        (["query", "since"], "date_from_datetime_parsing"),
    ]


def test_header_parameters() -> None:
    response = client.get(
        "/headers",
        headers=[("User-Agent", "t"), ("X-Count", "3"), ("X-Tags", "a"), ("X-Tags", "b")],
    )
    assert response.json() == {"ua": "t", "count": 3, "tags": ["a", "b"]}
    bad = client.get("/headers", headers={"X-Count": "many"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["header", "x-count"]


def test_non_model_body_with_body_marker() -> None:
    assert client.post("/numbers", json=[1, 2, 3]).text == "6"
    errors = client.post("/numbers", json=[1, "x"]).json()["detail"]
    assert errors[0]["loc"] == ["body", 1]


def test_two_bodies_and_structured_query_values_are_refused() -> None:
    app = CovetPy()

    async def two_bodies(a: UserIn, b: UserIn) -> None: ...

    async def model_in_header(a: Annotated[UserIn, Header()]) -> None: ...

    with pytest.raises(HandlerSignatureError, match="all read the JSON body"):
        app.add_route("/a", two_bodies)
    with pytest.raises(HandlerSignatureError, match="which a header value cannot be"):
        app.add_route("/b", model_in_header)


def test_response_model_none_turns_the_annotation_off() -> None:
    app = CovetPy()

    @app.get("/", response_model=None)
    async def handler() -> UserOut:
        return {"id": 1, "name": "kept", "extra": True}  # type: ignore[return-value]

    assert TestClient(app).get("/").json() == {"id": 1, "name": "kept", "extra": True}
