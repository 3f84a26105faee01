"""The API example against its own OpenAPI document, served by a real uvicorn over loopback.

Two promises of covet-asgi are checked here on ``examples/api/app.py``, an app with path,
query, header and body parameters:

1. the document at ``/openapi.json`` is valid OpenAPI 3.1 (openapi-spec-validator);
2. schemathesis, which generates requests from that document (valid ones and invalid ones)
   and sends them to the server, finds no server error (5xx), no status code the document
   does not list, and no response whose body breaks the schema the document gives for it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from covet import CovetPy
from covet.asgi.testing import TestClient

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_FILE = REPO_ROOT / "examples" / "api" / "app.py"

Serve = Callable[[Callable[[int], list[str]], Path], AbstractContextManager[str]]

CHECKS = [
    not_a_server_error,  # no 5xx, whatever was sent
    status_code_conformance,  # every status answered is listed in the document
    content_type_conformance,  # ...with the content type the document gives it
    response_schema_conformance,  # ...and a body that fits the schema given for it
    negative_data_rejection,  # data the document calls invalid is refused with a 4xx
]

# Per operation, for each generation mode (valid and invalid data). Enough to reach every
# constraint of the example's models; small enough for the whole file to run in well under a
# minute on two cores.
MAX_EXAMPLES = 50


def load_example_app() -> CovetPy:
    """Import app.py by its file path: the tests run from any working directory."""
    spec = importlib.util.spec_from_file_location("examples_api_app", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic looks a model's module up to resolve its types
    spec.loader.exec_module(module)
    app: CovetPy = module.app
    return app


def fetch_document() -> dict[str, Any]:
    """``GET /openapi.json`` from the example app, in process."""
    with TestClient(load_example_app()) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


DOCUMENT = fetch_document()


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)  # raises on any violation of the OpenAPI 3.1 schema
    assert DOCUMENT["openapi"] == "3.1.0"
    assert DOCUMENT["info"]["title"] == "Books API"


def test_the_document_describes_every_kind_of_parameter() -> None:
    """What schemathesis below generates from: path, query, header and body, with constraints."""
    paths = DOCUMENT["paths"]
    assert sorted(paths) == ["/books", "/books/{book_id}"]
    assert sorted(paths["/books"]) == ["get", "post"]
    assert sorted(paths["/books/{book_id}"]) == ["delete", "get", "put"]

    listing = {p["name"]: p for p in paths["/books"]["get"]["parameters"]}
    assert {name: p["in"] for name, p in listing.items()} == dict.fromkeys(
        ["page", "per_page", "sort", "q"], "query"
    )
    assert listing["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert listing["sort"]["schema"]["enum"] == ["id", "title", "year", "-year"]

    create = paths["/books"]["post"]
    [header] = create["parameters"]
    assert (header["name"], header["in"], header["required"]) == (
        "x-request-source",
        "header",
        False,
    )
    body_schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/BookIn"}
    # 400: malformed JSON; 413: a body over the limit; 415: a body that is not JSON;
    # 422: a body that breaks BookIn.
    assert set(create["responses"]) == {"201", "400", "413", "415", "422"}

    [book_id] = paths["/books/{book_id}"]["put"]["parameters"]
    assert (book_id["name"], book_id["in"]) == ("book_id", "path")
    assert book_id["schema"] == {"type": "integer", "minimum": 0}  # {book_id:int}
    # 404: no book with that id, or a path the int converter refuses.
    assert set(paths["/books/{book_id}"]["delete"]["responses"]) == {"204", "404", "422"}


@pytest.fixture(scope="module")
def base_url(serve: Serve) -> Iterator[str]:
    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "examples.api.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ]

    with serve(command, REPO_ROOT) as url:
        yield url


def test_the_server_serves_the_document_tested_here(base_url: str) -> None:
    response = httpx.get(f"{base_url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


# The operations are read from the document at import time (one test per operation); the
# requests go to the uvicorn server, and the test above proves it serves the same document.
# Loading the schema from the server itself would need schemathesis.pytest.from_fixture,
# whose lazy tests break under pytest 9.2 (schemathesis 4.32 sets a node attribute, _nodeid,
# that pytest no longer has).
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,  # loopback round trips vary; speed is for benchmarks/, not for tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error_and_every_response_matches_the_document(case: Any, base_url: str) -> None:
    case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=10)
