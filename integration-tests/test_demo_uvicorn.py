"""The launch demo, saved as demo.py and served by a real uvicorn over loopback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# The launch demo as published, character for character.
LAUNCH_DEMO = """\
from covet import CovetPy

app = CovetPy()

@app.route("/")
async def hello(request):
    return {"message": "Hello from CovetPy Alpha v0.1.0!"}

@app.route("/users/{user_id}")
async def get_user(request, user_id: int):
    return {
        "id": user_id,
        "name": f"User {user_id}",
        "framework": "CovetPy Alpha"
    }
"""

Serve = Callable[[Callable[[int], list[str]], Path], AbstractContextManager[str]]


@pytest.fixture(scope="module")
def base_url(serve: Serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app_dir = tmp_path_factory.mktemp("launch-demo")
    (app_dir / "demo.py").write_text(LAUNCH_DEMO)

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "demo:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]

    with serve(command, app_dir) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_the_example_app_is_the_launch_demo() -> None:
    assert (REPO_ROOT / "examples" / "hello" / "app.py").read_text() == LAUNCH_DEMO


def test_root_says_hello(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"message": "Hello from CovetPy Alpha v0.1.0!"}


def test_user_id_arrives_as_an_integer(client: httpx.Client) -> None:
    response = client.get("/users/123")
    assert response.status_code == 200
    body = response.json()
    assert body == {"id": 123, "name": "User 123", "framework": "CovetPy Alpha"}
    assert type(body["id"]) is int


def test_a_user_id_that_is_not_an_integer_is_a_json_422(client: httpx.Client) -> None:
    response = client.get("/users/abc")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    # The error names where the bad value was: the path parameter user_id.
    assert [error["loc"] for error in response.json()["detail"]] == [["path", "user_id"]]


def test_post_is_a_405_whose_allow_header_names_get_and_head(client: httpx.Client) -> None:
    response = client.post("/")
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed
    assert "POST" not in allowed


def test_head_is_a_200_without_a_body(client: httpx.Client) -> None:
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
