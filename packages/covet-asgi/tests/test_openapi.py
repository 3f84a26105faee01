"""The OpenAPI document and the docs page."""

from __future__ import annotations

import html
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from covet.asgi import CovetPy, Depends, FormData, Header
from covet.asgi.testing import TestClient


class Item(BaseModel):
    name: str
    price: Annotated[float, Field(gt=0)]


class Tag(BaseModel):
    label: str


class ItemOut(BaseModel):
    id: int
    name: str
    tags: list[Tag] = []


async def token(x_token: Annotated[str, Header(description="API token")]) -> AsyncIterator[str]:
    yield x_token


def make_app() -> CovetPy:
    app = CovetPy(title="Shop", version="2.0", description="A test shop")

    @app.get("/items/{item_id:int}", tags=["items"])
    async def read_item(item_id: int, verbose: bool = False) -> ItemOut:
        """Read one item.

        Returns the item with its tags.
        """
        return ItemOut(id=item_id, name="x")

    @app.post("/items", status_code=201, tags=["items"])
    async def create_item(item: Item, auth: str = Depends(token)) -> ItemOut:
        return ItemOut(id=1, name=item.name)

    @app.route("/files/{path:path}", methods=["GET", "DELETE"], summary="Files by path")
    async def files(path: str) -> str:
        return path

    @app.get("/things/{thing_id:uuid}")
    async def thing(thing_id: uuid.UUID) -> dict[str, Any]:
        return {"id": str(thing_id)}

    @app.get("/hidden", include_in_schema=False)
    async def hidden() -> str:
        return "no"

    api = CovetPy(openapi_url=None)

    @api.get("/ping")
    async def ping() -> str:
        return "pong"

    app.mount("/api", api, name="api")
    return app


def document() -> dict[str, Any]:
    response = TestClient(make_app()).get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = document()
    assert spec["openapi"] == "3.1.0"
    assert spec["info"] == {"title": "Shop", "version": "2.0", "description": "A test shop"}
    validate(spec)  # raises on any violation of the OpenAPI 3.1 schema


def test_paths_methods_and_what_is_left_out() -> None:
    paths = document()["paths"]
    assert sorted(paths) == [
        "/api/ping",
        "/files/{path}",
        "/items",
        "/items/{item_id}",
        "/things/{thing_id}",
    ]
    assert sorted(paths["/files/{path}"]) == ["delete", "get"]  # HEAD is implied
    assert paths["/files/{path}"]["get"]["summary"] == "Files by path"
    assert paths["/api/ping"]["get"]["operationId"] == "api_ping_get"


def test_operation_from_signature_and_docstring() -> None:
    operation = document()["paths"]["/items/{item_id}"]["get"]
    assert operation["summary"] == "Read one item."
    assert operation["description"] == "Returns the item with its tags."
    assert operation["tags"] == ["items"]
    assert operation["parameters"] == [
        {
            "name": "item_id",
            "in": "path",
            "required": True,
            # int from the annotation; minimum 0 from {item_id:int}, whose regex is [0-9]+
            "schema": {"type": "integer", "minimum": 0},
        },
        {"name": "verbose", "in": "query", "required": False, "schema": {"type": "boolean"}},
    ]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ItemOut"}
    assert "422" in operation["responses"]


def test_body_provider_parameters_and_components() -> None:
    spec = document()
    operation = spec["paths"]["/items"]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert operation["parameters"] == [
        {
            "name": "x-token",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "API token",
        }
    ]
    assert "201" in operation["responses"]
    schemas = spec["components"]["schemas"]
    assert schemas["Item"]["properties"]["price"]["exclusiveMinimum"] == 0
    assert schemas["ItemOut"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert "Tag" in schemas
    assert "ValidationError" in schemas


def test_path_parameters_described_by_their_route_converter() -> None:
    paths = document()["paths"]
    [param] = paths["/things/{thing_id}"]["get"]["parameters"]
    assert param["schema"] == {"type": "string", "format": "uuid"}
    [file_param] = paths["/files/{path}"]["get"]["parameters"]
    assert file_param["schema"] == {"type": "string"}


def test_a_narrowing_converter_adds_its_constraint_to_the_annotation() -> None:
    app = CovetPy()

    @app.get("/pages/{number:int}")
    async def page(number: Annotated[int, Field(ge=1)]) -> str:
        return "page"

    @app.get("/prices/{amount:float}")
    async def price(amount: float) -> str:
        return "price"

    @app.get("/users/{user_id}")
    async def user(user_id: int) -> str:
        return "user"

    paths = TestClient(app).get("/openapi.json").json()["paths"]
    [amount] = paths["/prices/{amount}"]["get"]["parameters"]
    assert amount["schema"] == {"type": "number", "minimum": 0}  # "-1.5" matches no route
    [number] = paths["/pages/{number}"]["get"]["parameters"]
    # Where both speak, the annotation's word is kept: it is the narrower one here.
    assert number["schema"] == {"type": "integer", "minimum": 1}
    [user_id] = paths["/users/{user_id}"]["get"]["parameters"]
    assert user_id["schema"] == {"type": "integer"}  # no converter: any text reaches the handler


def test_operations_list_the_errors_covet_answers_for_them() -> None:
    spec = document()
    create = spec["paths"]["/items"]["post"]["responses"]
    assert list(create) == ["201", "400", "413", "415", "422"]
    error_schema = {"$ref": "#/components/schemas/HTTPError"}
    assert create["400"]["content"]["application/json"]["schema"] == error_schema
    assert create["413"]["description"] == "Request body larger than 1048576 bytes"
    assert spec["components"]["schemas"]["HTTPError"]["required"] == ["detail"]
    read = spec["paths"]["/items/{item_id}"]["get"]["responses"]
    assert list(read) == ["200", "404", "422"]  # {item_id:int}: "abc" matches no route
    assert "404" not in spec["paths"]["/files/{path}"]["get"]["responses"]  # any text matches
    assert "400" not in read  # no body, nothing to be malformed


def test_the_documented_errors_are_the_ones_answered() -> None:
    client = TestClient(make_app())
    json_headers = {"x-token": "t", "content-type": "application/json"}
    malformed = client.post("/items", content=b'{"name": ', headers=json_headers)
    assert malformed.status_code == 400
    assert isinstance(malformed.json()["detail"], str)
    too_large = client.post("/items", content=b"[" + b"0," * 600_000 + b"0]")
    assert too_large.status_code == 413
    not_json = client.post("/items", content=b'{"name": "a"}', headers={"x-token": "t"})
    assert not_json.status_code == 415
    assert client.get("/items/abc").status_code == 404


def test_no_413_without_a_body_limit() -> None:
    app = CovetPy()

    @app.post("/upload", max_body_size=None)
    async def upload(item: Item) -> str:
        return item.name

    responses = TestClient(app).get("/openapi.json").json()["paths"]["/upload"]["post"]
    assert list(responses["responses"]) == ["200", "400", "415", "422"]


def test_a_formdata_parameter_documents_a_form_body() -> None:
    app = CovetPy()

    @app.post("/signup")
    async def signup(form: FormData) -> str:
        return str(form["name"])

    spec = TestClient(app).get("/openapi.json").json()
    validate(spec)
    body = spec["paths"]["/signup"]["post"]["requestBody"]
    assert body["required"] is True
    assert sorted(body["content"]) == ["application/x-www-form-urlencoded", "multipart/form-data"]


def test_docs_page_and_its_assets_are_served_locally() -> None:
    client = TestClient(make_app())
    page = client.get("/docs")
    assert page.status_code == 200
    assert '<script src="/docs/assets/swagger-ui-bundle.js">' in page.text
    assert 'url: "/openapi.json"' in page.text
    assert "http" not in page.text.split("<body>")[1]  # nothing loaded from another host
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/docs/assets/index.html").status_code == 404  # not on the list


def test_docs_page_without_the_extra_says_how_to_install(monkeypatch: Any) -> None:
    from covet.asgi.openapi import docs

    monkeypatch.setattr(docs, "swagger_ui_directory", lambda: None)
    client = TestClient(make_app())
    page = client.get("/docs")
    assert page.status_code == 501
    # The requirement of the extra, installed into this very interpreter.
    command = f"{sys.executable} -m pip install 'swagger-ui-bundle-v2>=5.20'"
    assert command in html.unescape(page.text)
    assert client.get("/docs/assets/swagger-ui.css").status_code == 404


def test_both_can_be_switched_off() -> None:
    client = TestClient(CovetPy(openapi_url=None))
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    only_document = TestClient(CovetPy(docs_url=None))
    assert only_document.get("/openapi.json").status_code == 200
    assert only_document.get("/docs").status_code == 404


def test_docs_under_a_root_path() -> None:
    app = make_app()
    client = TestClient(app, root_path="/shop")
    page = client.get("/shop/docs")
    assert 'url: "/shop/openapi.json"' in page.text
    assert "/shop/docs/assets/swagger-ui.css" in page.text
