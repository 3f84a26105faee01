"""The books API in examples/api/app.py, driven in process by the TestClient."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from covet import CovetPy
from covet.asgi.testing import TestClient

APP_FILE = Path(__file__).with_name("app.py")


def load_example_app() -> CovetPy:
    """Import app.py by its file path: this test runs from any working directory."""
    spec = importlib.util.spec_from_file_location("examples_api_app", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic looks a model's module up to resolve its types
    spec.loader.exec_module(module)
    app: CovetPy = module.app
    return app


APP = load_example_app()

NEW_BOOK: dict[str, Any] = {
    "title": "A Wizard of Earthsea",
    "author": "Ursula K. Le Guin",
    "year": 1968,
    "pages": 183,
    "publisher": {"name": "Parnassus Press", "country": "US"},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    # Entering the client runs the lifespan, which makes a new store: every test starts
    # from the three sample books.
    with TestClient(APP) as client:
        yield client


def error_locations(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


# --- GET /books -----------------------------------------------------------------------------------


def test_list_answers_the_first_page_in_id_order(client: TestClient) -> None:
    response = client.get("/books")
    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["page"], page["per_page"]) == (3, 1, 10)
    assert [book["id"] for book in page["items"]] == [1, 2, 3]
    assert page["items"][2] == {
        "id": 3,
        "title": "Middlemarch",
        "author": "George Eliot",
        "year": 1871,
        "pages": 880,
        "publisher": None,
        "added_via": "seed",
    }


def test_list_pages_through_the_books(client: TestClient) -> None:
    second = client.get("/books", params={"per_page": 2, "page": 2}).json()
    assert [book["id"] for book in second["items"]] == [3]
    assert second["total"] == 3
    beyond = client.get("/books", params={"per_page": 2, "page": 3}).json()
    assert beyond["items"] == []


def test_list_sorts_by_the_chosen_key(client: TestClient) -> None:
    def ids(sort: str) -> list[int]:
        page = client.get("/books", params={"sort": sort}).json()
        return [book["id"] for book in page["items"]]

    # 1: The Left Hand of Darkness, 1969; 2: Structure and Interpretation..., 1985;
    # 3: Middlemarch, 1871.
    assert ids("year") == [3, 1, 2]
    assert ids("-year") == [2, 1, 3]
    assert ids("title") == [3, 2, 1]
    assert ids("id") == [1, 2, 3]


def test_list_searches_title_and_author_ignoring_case(client: TestClient) -> None:
    by_author = client.get("/books", params={"q": "ELIOT"}).json()
    assert [book["title"] for book in by_author["items"]] == ["Middlemarch"]
    assert by_author["total"] == 1
    by_title = client.get("/books", params={"q": "darkness"}).json()
    assert [book["id"] for book in by_title["items"]] == [1]
    assert client.get("/books", params={"q": "no such words"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"page": 0}, ["query", "page"]),
        ({"per_page": 101}, ["query", "per_page"]),
        ({"page": "two"}, ["query", "page"]),
        ({"sort": "pages"}, ["query", "sort"]),
    ],
)
def test_list_refuses_values_outside_the_declared_ones(
    client: TestClient, query: dict[str, Any], location: list[str]
) -> None:
    response = client.get("/books", params=query)
    assert response.status_code == 422
    assert error_locations(response) == [location]


def test_list_reports_every_bad_value_at_once(client: TestClient) -> None:
    response = client.get("/books", params={"page": 0, "per_page": 0, "sort": "x"})
    assert response.status_code == 422
    assert error_locations(response) == [
        ["query", "page"],
        ["query", "per_page"],
        ["query", "sort"],
    ]


# --- GET /books/{book_id} -------------------------------------------------------------------------


def test_get_one_book(client: TestClient) -> None:
    response = client.get("/books/2")
    assert response.status_code == 200
    book = response.json()
    assert book["title"] == "Structure and Interpretation of Computer Programs"
    assert book["publisher"] == {"name": "MIT Press", "country": "US"}


def test_get_a_missing_book_is_a_404_naming_the_id(client: TestClient) -> None:
    response = client.get("/books/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 99"}


@pytest.mark.parametrize("path", ["/books/abc", "/books/-1", "/books/1.5"])
def test_an_id_that_is_not_a_whole_number_matches_no_route(client: TestClient, path: str) -> None:
    # {book_id:int} only matches digits: anything else is not this route at all.
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


# --- POST /books ----------------------------------------------------------------------------------


def test_create_answers_201_with_the_new_id(client: TestClient) -> None:
    response = client.post("/books", json=NEW_BOOK, headers={"X-Request-Source": "test-suite"})
    assert response.status_code == 201
    created = response.json()
    assert created == {**NEW_BOOK, "id": 4, "added_via": "test-suite"}
    assert client.get("/books/4").json() == created
    assert client.get("/books").json()["total"] == 4


def test_create_without_the_header_records_unknown(client: TestClient) -> None:
    book = {key: value for key, value in NEW_BOOK.items() if key != "publisher"}
    created = client.post("/books", json=book).json()
    assert created["added_via"] == "unknown"
    assert created["publisher"] is None


def test_create_fills_the_optional_field_of_the_nested_model(client: TestClient) -> None:
    created = client.post("/books", json={**NEW_BOOK, "publisher": {"name": "Ace"}}).json()
    assert created["publisher"] == {"name": "Ace", "country": None}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"title": ""}, ["body", "title"]),
        ({"year": 1200}, ["body", "year"]),
        ({"pages": 0}, ["body", "pages"]),
        ({"publisher": {"name": "Ace", "country": "usa"}}, ["body", "publisher", "country"]),
        ({"publisher": {"country": "US"}}, ["body", "publisher", "name"]),
    ],
)
def test_create_refuses_a_book_that_breaks_the_model(
    client: TestClient, change: dict[str, Any], location: list[str]
) -> None:
    response = client.post("/books", json={**NEW_BOOK, **change})
    assert response.status_code == 422
    assert error_locations(response) == [location]
    assert client.get("/books").json()["total"] == 3  # nothing was added


def test_create_names_every_missing_field(client: TestClient) -> None:
    response = client.post("/books", json={})
    assert response.status_code == 422
    assert error_locations(response) == [
        ["body", "title"],
        ["body", "author"],
        ["body", "year"],
        ["body", "pages"],
    ]


def test_create_without_a_body_is_a_422(client: TestClient) -> None:
    response = client.post("/books")
    assert response.status_code == 422
    assert error_locations(response) == [["body"]]


def test_create_with_malformed_json_is_a_400_saying_where(client: TestClient) -> None:
    response = client.post(
        "/books", content=b'{"title": "x",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON body")
    assert "line 1" in response.json()["detail"]


# --- PUT /books/{book_id} -------------------------------------------------------------------------


def test_replace_changes_every_field_and_keeps_id_and_origin(client: TestClient) -> None:
    response = client.put("/books/3", json=NEW_BOOK, headers={"X-Request-Source": "ignored"})
    assert response.status_code == 200
    assert response.json() == {**NEW_BOOK, "id": 3, "added_via": "seed"}
    assert client.get("/books/3").json()["title"] == "A Wizard of Earthsea"
    assert client.get("/books").json()["total"] == 3


def test_replace_a_missing_book_is_a_404(client: TestClient) -> None:
    response = client.put("/books/99", json=NEW_BOOK)
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 99"}


def test_replace_with_an_invalid_book_is_a_422(client: TestClient) -> None:
    response = client.put("/books/1", json={**NEW_BOOK, "year": "soon"})
    assert response.status_code == 422
    assert error_locations(response) == [["body", "year"]]
    assert client.get("/books/1").json()["title"] == "The Left Hand of Darkness"


# --- DELETE /books/{book_id} ----------------------------------------------------------------------


def test_delete_answers_204_and_the_book_is_gone(client: TestClient) -> None:
    response = client.delete("/books/1")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/books/1").status_code == 404
    assert [book["id"] for book in client.get("/books").json()["items"]] == [2, 3]
    again = client.delete("/books/1")
    assert again.status_code == 404
    assert again.json() == {"detail": "No book with id 1"}


# --- the store and the document -------------------------------------------------------------------


def test_each_start_of_the_app_gets_a_new_store() -> None:
    with TestClient(APP) as first:
        first.post("/books", json=NEW_BOOK)
        assert first.get("/books").json()["total"] == 4
    with TestClient(APP) as second:
        assert second.get("/books").json()["total"] == 3


def test_the_docs_page_is_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "Books API" in page.text
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Books API"
    assert document["paths"]["/books"]["post"]["summary"] == (
        "Add a book; the answer carries the id it was given."
    )
