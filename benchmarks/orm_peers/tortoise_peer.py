"""Tortoise ORM, used as its documentation shows.

``Tortoise.init(config=...)`` with this module's models. On PostgreSQL it runs
on its default driver, asyncpg (``postgres://``), not on psycopg 3 like the other peers:
Tortoise's psycopg backend fails ``bulk_create`` ("the query has 0 placeholders but 3
parameters were passed", tortoise-orm 1.1). asyncpg decodes rows faster than psycopg, so
this is a head start for Tortoise, not a handicap. ``bulk_create`` inside
``in_transaction()`` (it does not read the new keys back), ``.update(pages=F("pages") + 1)``
for the UPDATE.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from tortoise import Tortoise, fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from benchmarks.orm_peers.base import NewAuthor, OrmPeer, Target

__all__ = ["Author", "Book", "TortoisePeer"]

# Tortoise reports its start and shutdown at INFO; the benchmark's output needs neither.
logging.getLogger("tortoise").setLevel(logging.WARNING)


class Author(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=255)
    age = fields.IntField()

    class Meta:
        table = "author"


class Book(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    pages = fields.IntField()
    author: Any = fields.ForeignKeyField("models.Author", related_name="books")

    class Meta:
        table = "book"


class TortoisePeer(OrmPeer):
    name = "tortoise"
    title = "Tortoise ORM"

    async def open(self, target: Target) -> None:
        # Tortoise reads the part after "sqlite://" as the path itself.
        url = f"sqlite://{target.path}" if target.vendor == "sqlite" else target.url("postgres")
        # One connection name per backend: Tortoise caches each model's INSERT text per
        # connection name, and the SQLite run's "?" placeholders must not reach PostgreSQL.
        connection = f"bench_{target.vendor}"
        apps = {"models": {"models": [__name__], "default_connection": connection}}
        await Tortoise.init(config={"connections": {connection: url}, "apps": apps})

    async def close(self) -> None:
        await Tortoise.close_connections()

    async def get_by_pk(self, key: int) -> Any:
        return await Author.get(id=key)

    async def filter_rows(self, age: int) -> Sequence[Any]:
        return await Author.filter(age=age)

    async def fetch_rows(self, last_id: int) -> Sequence[Any]:
        return await Author.filter(id__lte=last_id)

    async def select_related(self, last_id: int) -> Sequence[Any]:
        return await Book.filter(id__lte=last_id).select_related("author")

    async def bulk_insert(self, rows: Sequence[NewAuthor]) -> None:
        authors = [Author(name=name, email=email, age=age) for name, email, age in rows]
        async with in_transaction():
            await Author.bulk_create(authors)

    async def update_rows(self, last_id: int) -> int:
        return int(await Book.filter(id__lte=last_id).update(pages=F("pages") + 1))
