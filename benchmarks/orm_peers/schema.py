"""The tables and the data every peer works on, made by the raw driver before a run.

Two tables, written by hand so that no ORM's schema generator is favoured::

    author (id, name, email, age)            1,000 rows; age = 18 + (id - 1) % 50,
                                             so each age is shared by exactly 20 authors
    book (id, title, pages, author_id)       500 rows; book n belongs to author n

Each ORM maps its own model classes onto these tables (``covet_peer.py``...).
"""

from __future__ import annotations

from benchmarks.orm_peers.base import NewAuthor
from benchmarks.orm_peers.raw_driver import RawDriverPeer

__all__ = [
    "AGES",
    "AUTHORS",
    "BOOKS",
    "FETCH_ROWS",
    "UPDATE_ROWS",
    "create_schema",
    "delete_new_authors",
    "new_authors",
]

AUTHORS = 1000
BOOKS = 500
#: Ages 18..67: ``filter(age=...)`` matches 20 authors.
AGES = 50
FETCH_ROWS = 500
UPDATE_ROWS = 100
BULK_ROWS = 1000

_DDL = {
    "sqlite": [
        "CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(100) NOT NULL,"
        " email VARCHAR(255) NOT NULL, age INTEGER NOT NULL)",
        "CREATE TABLE book (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(200) NOT NULL,"
        " pages INTEGER NOT NULL,"
        " author_id INTEGER NOT NULL REFERENCES author (id) ON DELETE CASCADE)",
        "CREATE INDEX book_author_id ON book (author_id)",
        "CREATE INDEX author_age ON author (age)",
    ],
    "postgresql": [
        "CREATE TABLE author (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL,"
        " email VARCHAR(255) NOT NULL, age INTEGER NOT NULL)",
        "CREATE TABLE book (id SERIAL PRIMARY KEY, title VARCHAR(200) NOT NULL,"
        " pages INTEGER NOT NULL,"
        " author_id INTEGER NOT NULL REFERENCES author (id) ON DELETE CASCADE)",
        "CREATE INDEX book_author_id ON book (author_id)",
        "CREATE INDEX author_age ON author (age)",
    ],
}


def new_authors(count: int = BULK_ROWS, *, start: int = 1) -> list[NewAuthor]:
    """Rows for authors ``start`` .. ``start + count - 1``: (name, email, age)."""
    return [
        (f"Author {n}", f"author{n}@example.com", 18 + (n - 1) % AGES)
        for n in range(start, start + count)
    ]


async def create_schema(raw: RawDriverPeer) -> None:
    """Create both tables and fill them (the ``VACUUM``/``ANALYZE`` after gives fresh stats)."""
    for statement in _DDL[raw.vendor]:
        await raw.run(statement)
    await raw.run_many(
        "INSERT INTO author (name, email, age) VALUES (?, ?, ?)", new_authors(AUTHORS)
    )
    await raw.run_many(
        "INSERT INTO book (title, pages, author_id) VALUES (?, ?, ?)",
        [(f"Book {n}", 100 + n, n) for n in range(1, BOOKS + 1)],
    )
    await raw.run("ANALYZE")


async def delete_new_authors(raw: RawDriverPeer) -> None:
    """Remove what a bulk insert added, so each batch starts from the same table."""
    await raw.run("DELETE FROM author WHERE id > ?", [AUTHORS])
