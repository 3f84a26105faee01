"""A small books API: path, query, header and body parameters, checked and documented.

Serve it with ``covet run examples.api.app:app`` and open http://127.0.0.1:8000/docs.

Everything a client may send is declared in the handlers' signatures, and CovetPy reads it
from there three times: to fill the arguments, to answer 422 when a value does not fit, and
to write the OpenAPI document at ``/openapi.json``. The return annotations are response
models: what a handler returns is filtered through them, and the document promises exactly
that shape.

The books live in memory, in a :class:`BookStore` made when the server starts (the
``lifespan``); handlers get it from the ``get_store`` provider. In an application with a
database, the lifespan would open the connection pool and the provider would hand each
request a session; the handlers would not change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from covet import CovetPy, Depends, Header, HTTPException, Query, Request

# --- the data: what a client sends, and what it gets back -----------------------------------------


class Publisher(BaseModel):
    """Who published a book; optional, and nested inside it."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code")] | None = None


class BookIn(BaseModel):
    """A book as a client creates or replaces it."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    author: Annotated[str, Field(min_length=1, max_length=100)]
    year: Annotated[int, Field(ge=1450, le=2100, description="Year of first publication")]
    pages: Annotated[int, Field(ge=1, le=100_000)]
    publisher: Publisher | None = None


class Book(BookIn):
    """A stored book: what a client sent, plus what the server added."""

    id: int
    added_via: str = Field(description="The X-Request-Source header of the request that added it")


class BookPage(BaseModel):
    """One page of a book listing, and enough to ask for the next one."""

    items: list[Book]
    total: int = Field(description="Books matching the search, on every page")
    page: int
    per_page: int


# --- the store ------------------------------------------------------------------------------------

SortKey = Literal["id", "title", "year", "-year"]


class BookStore:
    """Books in a dict, keyed by id. Not shared between processes; gone on restart."""

    def __init__(self, books: Iterable[BookIn] = ()) -> None:
        self._books: dict[int, Book] = {}
        self._next_id = 1
        for book in books:
            self.add(book, added_via="seed")

    def add(self, data: BookIn, added_via: str) -> Book:
        book = Book(id=self._next_id, added_via=added_via, **data.model_dump())
        self._books[book.id] = book
        self._next_id += 1
        return book

    def get(self, book_id: int) -> Book | None:
        return self._books.get(book_id)

    def replace(self, book_id: int, data: BookIn) -> Book | None:
        old = self._books.get(book_id)
        if old is None:
            return None
        book = Book(id=book_id, added_via=old.added_via, **data.model_dump())
        self._books[book_id] = book
        return book

    def remove(self, book_id: int) -> bool:
        return self._books.pop(book_id, None) is not None

    def search(self, text: str, sort: SortKey) -> list[Book]:
        """Books whose title or author contains ``text`` (any case), in ``sort`` order."""
        needle = text.casefold()
        found = [
            book
            for book in self._books.values()
            if needle in book.title.casefold() or needle in book.author.casefold()
        ]
        if sort == "title":
            found.sort(key=lambda book: (book.title.casefold(), book.id))
        elif sort == "year":
            found.sort(key=lambda book: (book.year, book.id))
        elif sort == "-year":
            found.sort(key=lambda book: (-book.year, book.id))
        return found  # "id": insertion order, which is id order


SAMPLE_BOOKS = [
    BookIn(title="The Left Hand of Darkness", author="Ursula K. Le Guin", year=1969, pages=304),
    BookIn(
        title="Structure and Interpretation of Computer Programs",
        author="Harold Abelson, Gerald Jay Sussman",
        year=1985,
        pages=657,
        publisher=Publisher(name="MIT Press", country="US"),
    ),
    BookIn(title="Middlemarch", author="George Eliot", year=1871, pages=880),
]


@asynccontextmanager
async def lifespan(app: CovetPy) -> AsyncIterator[dict[str, Any]]:
    """At startup, make the store; what is yielded becomes every request's ``request.state``."""
    yield {"books": BookStore(SAMPLE_BOOKS)}


async def get_store(request: Request) -> BookStore:
    """The provider handlers ask for with ``Depends(get_store)``."""
    store: BookStore = request.state.books
    return store


Store = Annotated[BookStore, Depends(get_store)]
RequestSource = Annotated[
    str, Header(alias="X-Request-Source", description="Which client sent the request")
]

# --- the application ------------------------------------------------------------------------------

app = CovetPy(
    title="Books API",
    version="1.0.0",
    description="An in-memory library of books: the CovetPy API example.",
    lifespan=lifespan,
)


@app.get("/books", tags=["books"])
async def list_books(
    store: Store,
    page: Annotated[int, Field(ge=1, le=100)] = 1,
    per_page: Annotated[int, Field(ge=1, le=100)] = 10,
    sort: SortKey = "id",
    q: Annotated[str, Query(description="Text to find in the title or the author")] = "",
) -> BookPage:
    """List books, a page at a time.

    ``q`` keeps the books whose title or author contains it, ignoring case.
    """
    found = store.search(q, sort)
    start = (page - 1) * per_page
    return BookPage(
        items=found[start : start + per_page], total=len(found), page=page, per_page=per_page
    )


@app.get("/books/{book_id:int}", tags=["books"])
async def get_book(book_id: int, store: Store) -> Book:
    """Read one book; 404 if there is none with this id."""
    book = store.get(book_id)
    if book is None:
        raise HTTPException(404, f"No book with id {book_id}")
    return book


@app.post("/books", status_code=201, tags=["books"])
async def create_book(book: BookIn, store: Store, source: RequestSource = "unknown") -> Book:
    """Add a book; the answer carries the id it was given."""
    return store.add(book, added_via=source)


@app.put("/books/{book_id:int}", tags=["books"])
async def replace_book(book_id: int, book: BookIn, store: Store) -> Book:
    """Replace every field of a book; 404 if there is none with this id."""
    replaced = store.replace(book_id, book)
    if replaced is None:
        raise HTTPException(404, f"No book with id {book_id}")
    return replaced


@app.delete("/books/{book_id:int}", status_code=204, tags=["books"])
async def delete_book(book_id: int, store: Store) -> None:
    """Remove a book; 404 if there is none with this id."""
    if not store.remove(book_id):
        raise HTTPException(404, f"No book with id {book_id}")
