"""The launch demo in examples/hello/app.py, driven in process by the TestClient."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from covet import CovetPy
from covet.asgi.testing import TestClient

APP_FILE = Path(__file__).with_name("app.py")


def load_demo_app() -> CovetPy:
    """Import app.py by its file path: this test runs from any working directory."""
    spec = importlib.util.spec_from_file_location("examples_hello_app", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: CovetPy = module.app
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(load_demo_app()) as client:
        yield client


def test_root_says_hello(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"message": "Hello from CovetPy Alpha v0.1.0!"}


def test_user_id_is_converted_to_an_integer(client: TestClient) -> None:
    response = client.get("/users/123")
    assert response.status_code == 200
    body = response.json()
    assert body == {"id": 123, "name": "User 123", "framework": "CovetPy Alpha"}
    assert type(body["id"]) is int


def test_a_user_id_that_is_not_an_integer_is_a_422(client: TestClient) -> None:
    response = client.get("/users/abc")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    # The error names where the bad value was: the path parameter user_id.
    assert [error["loc"] for error in response.json()["detail"]] == [["path", "user_id"]]


def test_post_is_not_allowed_and_allow_names_the_methods(client: TestClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed
    assert "POST" not in allowed


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
