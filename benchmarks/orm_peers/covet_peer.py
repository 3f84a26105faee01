"""CovetPy's ORM (covet-orm), used as its README shows.

``configure(url)`` sets up the "default" database (a pool: aiosqlite connections on SQLite,
psycopg_pool on PostgreSQL); statements outside ``atomic()`` autocommit, and the bulk insert
runs inside one ``atomic()`` block, as the other peers' inserts run in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks.orm_peers.base import NewAuthor, OrmPeer, Target
from covet.orm import CASCADE, CharField, F, ForeignKey, IntegerField, Model, atomic, configure
from covet.orm import close_all as close_databases

__all__ = ["Author", "Book", "CovetPeer"]


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)
    email = CharField(max_length=255)
    age = IntegerField()


class Book(Model):
    __tablename__ = "book"
    title = CharField(max_length=200)
    pages = IntegerField()
    author = ForeignKey(Author, on_delete=CASCADE, related_name="books")


class CovetPeer(OrmPeer):
    name = "covetpy"
    title = "CovetPy"

    async def open(self, target: Target) -> None:
        url = target.url(target.vendor)
        await configure(url).connect()

    async def close(self) -> None:
        await close_databases()

    async def get_by_pk(self, key: int) -> Any:
        return await Author.objects.get(pk=key)

    async def filter_rows(self, age: int) -> Sequence[Any]:
        return await Author.objects.filter(age=age)

    async def fetch_rows(self, last_id: int) -> Sequence[Any]:
        return await Author.objects.filter(id__lte=last_id)

    async def select_related(self, last_id: int) -> Sequence[Any]:
        return await Book.objects.select_related("author").filter(id__lte=last_id)

    async def bulk_insert(self, rows: Sequence[NewAuthor]) -> None:
        authors = [Author(name=name, email=email, age=age) for name, email, age in rows]
        async with atomic():
            await Author.objects.bulk_create(authors)

    async def update_rows(self, last_id: int) -> int:
        return await Book.objects.filter(id__lte=last_id).update(pages=F("pages") + 1)
