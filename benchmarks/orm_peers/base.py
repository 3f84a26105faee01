"""What every ORM peer does, and where it connects.

A peer opens its connections on a :class:`Target` (a SQLite file or a PostgreSQL
database, both made fresh for the run by ``benchmarks/orm.py``), runs the six
operations of the suite, and closes. Read operations return rows as the peer gives
them (tuples for the driver, instances for the ORMs); :func:`author_row` and
:func:`book_row` turn either into plain tuples, so the suite can check that every peer
read exactly the same data before anything is timed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

__all__ = ["NewAuthor", "OrmPeer", "Target", "author_row", "book_row"]

#: One row for the bulk insert: (name, email, age).
NewAuthor = tuple[str, str, int]


@dataclass(frozen=True)
class Target:
    """Where the peers connect: ``vendor`` and the parts each peer builds its URL from."""

    vendor: Literal["sqlite", "postgresql"]
    #: SQLite: the database file's absolute path.
    path: str = ""
    #: PostgreSQL: ``user[:password]@host:port`` and the database name.
    authority: str = ""
    database: str = ""

    def url(self, scheme: str) -> str:
        """This target as a URL with ``scheme``: ``sqlite+aiosqlite:////tmp/x.db``...

        SQLite URLs put the absolute path after ``///``, hence the four slashes.
        """
        if self.vendor == "sqlite":
            return f"{scheme}:///{self.path}"
        return f"{scheme}://{self.authority}/{self.database}"


class OrmPeer(ABC):
    """One way of running the suite's operations. Subclasses keep each one short and idiomatic."""

    #: The key in the results, and the title the report shows.
    name: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    async def open(self, target: Target) -> None:
        """Connect (and warm up whatever the peer caches) before anything is measured."""

    @abstractmethod
    async def close(self) -> None:
        """Close every connection the peer opened."""

    @abstractmethod
    async def get_by_pk(self, key: int) -> Any:
        """The author whose primary key is ``key``."""

    @abstractmethod
    async def filter_rows(self, age: int) -> Sequence[Any]:
        """The authors of that ``age`` (20 of them)."""

    @abstractmethod
    async def fetch_rows(self, last_id: int) -> Sequence[Any]:
        """Every author with ``id <= last_id`` (500 of them), as objects."""

    @abstractmethod
    async def select_related(self, last_id: int) -> Sequence[Any]:
        """Every book with ``id <= last_id``, each with its author loaded by a JOIN."""

    @abstractmethod
    async def bulk_insert(self, rows: Sequence[NewAuthor]) -> None:
        """Insert ``rows`` as new authors, in one transaction."""

    @abstractmethod
    async def update_rows(self, last_id: int) -> int:
        """``pages = pages + 1`` for the books with ``id <= last_id``, one UPDATE; rows matched."""


def author_row(author: Any) -> tuple[Any, ...]:
    """An author, from a driver's tuple or an ORM instance, as ``(id, name, email, age)``."""
    if isinstance(author, tuple):
        return author
    return (author.id, author.name, author.email, author.age)


def book_row(book: Any) -> tuple[Any, ...]:
    """A book with its author: ``(id, title, pages, author id, name, email, age)``.

    Reading ``book.author.name`` on an ORM instance proves the author was loaded by the
    query: none of the three ORMs would run a query here (SQLAlchemy and CovetPy raise).
    """
    if isinstance(book, tuple):
        return book
    return (book.id, book.title, book.pages, *author_row(book.author))
