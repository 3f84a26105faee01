"""covet-orm schemas in covet-asgi: a handler validates a body and a response with them.

``User.schema(...)`` is a plain pydantic model, so covet-asgi's body validation, response
models and OpenAPI document take it like any hand-written one. The handler stores the body
with the ORM (a real SQLite file) and returns the ORM instance, which the response model
reads by attribute.
"""

# No `from __future__ import annotations`: the handlers' annotations are real objects here,
# including a call, `User.schema(for_="input")`, written directly in a signature.

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from covet.asgi import CovetPy
from covet.asgi.testing import AsyncTestClient
from covet.orm import CharField, IntegerField, Model, configure, create_tables
from covet.orm import database as database_module


class Member(Model):
    name = CharField(max_length=20)
    email = CharField(max_length=100)
    age = IntegerField(default=18)


def make_app() -> CovetPy:
    app = CovetPy()

    @app.post(
        "/members",
        status_code=201,
        response_model=Member.schema(exclude={"email"}, name="MemberCreated"),
    )
    async def create_member(member: Member.schema(for_="input")) -> Any:  # type: ignore[valid-type]
        saved = Member.from_schema(member)
        await saved.save()
        return saved  # an ORM instance: the response model reads it by attribute

    @app.get("/members/{member_id}", response_model=Member.schema())
    async def read_member(member_id: int) -> Any:
        return await Member.objects.get(pk=member_id)

    return app


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    saved = dict(database_module._databases)
    database = configure(f"sqlite:///{tmp_path / 'members.sqlite3'}")
    await create_tables(database, Member)
    try:
        async with AsyncTestClient(make_app()) as test_client:
            yield test_client
    finally:
        await database.disconnect()
        database_module._databases.clear()
        database_module._databases.update(saved)


async def test_a_valid_body_is_stored_and_answered_through_the_response_schema(
    client: AsyncTestClient,
) -> None:
    response = await client.post("/members", json={"name": "Ann", "email": "ann@example.com"})
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "name": "Ann", "age": 18}  # no email: excluded
    read = await client.get(f"/members/{created['id']}")
    assert read.json() == {**created, "email": "ann@example.com"}


async def test_an_invalid_body_is_a_422_naming_the_fields(client: AsyncTestClient) -> None:
    response = await client.post("/members", json={"name": "x" * 21, "age": "old"})
    assert response.status_code == 422
    locations = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert locations == {("body", "name"), ("body", "email"), ("body", "age")}
    assert await Member.objects.count() == 0


async def test_the_openapi_document_describes_the_generated_schemas(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    validate(document)
    schemas = document["components"]["schemas"]
    assert schemas["MemberInputSchema"]["properties"]["name"]["maxLength"] == 20
    assert "id" not in schemas["MemberInputSchema"]["properties"]
    assert set(schemas["MemberInputSchema"]["required"]) == {"name", "email"}
    assert "id" in schemas["MemberSchema"]["required"]
    assert "email" not in schemas["MemberCreated"]["properties"]
