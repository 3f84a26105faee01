"""The floor: the driver alone, SQL by hand, rows left as the tuples the driver returns.

SQLite: one aiosqlite connection in autocommit mode (``isolation_level=None``), the bulk
insert between an explicit ``BEGIN`` and ``COMMIT``. PostgreSQL: one psycopg 3
``AsyncConnection`` in autocommit mode, the bulk insert in ``conn.transaction()`` with
``executemany`` (which psycopg pipelines). For reading, no ORM can do less work than this for
the same rows: it is what the others are measured against. For the bulk insert it is the
plain driver way, not the fastest SQL: on PostgreSQL, CovetPy's ``bulk_create`` sends one
array per column (``INSERT ... SELECT * FROM unnest(...)``) and can beat it.

The same connection also builds the schema and checks the writes (``schema.py``,
``benchmarks/orm.py``); those helpers are never timed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from benchmarks.orm_peers.base import NewAuthor, OrmPeer, Target

__all__ = ["RawDriverPeer"]

_AUTHOR = "SELECT id, name, email, age FROM author"
_BOOKS = (
    "SELECT b.id, b.title, b.pages, a.id, a.name, a.email, a.age"
    " FROM book b JOIN author a ON a.id = b.author_id WHERE b.id <= ?"
)


class RawDriverPeer(OrmPeer):
    name = "raw"
    title = "raw driver"

    def __init__(self) -> None:
        self.vendor = ""
        self._sqlite: aiosqlite.Connection | None = None
        self._postgres: Any = None  # psycopg.AsyncConnection: imported only when needed

    async def open(self, target: Target) -> None:
        self.vendor = target.vendor
        if target.vendor == "sqlite":
            self._sqlite = await aiosqlite.connect(target.path, isolation_level=None)
            # run() closes the cursor: an open PRAGMA statement would lock out other peers.
            await self.run("PRAGMA journal_mode = WAL")
        else:
            import psycopg

            self._postgres = await psycopg.AsyncConnection.connect(
                target.url("postgresql"), autocommit=True
            )

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            await self._postgres.close()
            self._postgres = None

    # --- the helpers: any statement, with ? placeholders on both backends ---------------------

    def _sql(self, sql: str) -> str:
        return sql if self.vendor == "sqlite" else sql.replace("?", "%s")

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query, as tuples."""
        if self._sqlite is not None:
            return list(await self._sqlite.execute_fetchall(sql, params))  # type: ignore[arg-type]
        cursor = await self._postgres.execute(self._sql(sql), params or None)
        rows: list[tuple[Any, ...]] = await cursor.fetchall()
        return rows

    async def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        if self._sqlite is not None:
            async with self._sqlite.execute(sql, params) as cursor:
                return cursor.rowcount
        cursor = await self._postgres.execute(self._sql(sql), params or None)
        return int(cursor.rowcount)

    async def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row, all in one transaction."""
        if self._sqlite is not None:
            await self._sqlite.execute("BEGIN")
            await self._sqlite.executemany(sql, rows)
            await self._sqlite.execute("COMMIT")
            return
        async with self._postgres.transaction(), self._postgres.cursor() as cursor:
            await cursor.executemany(self._sql(sql), rows)

    # --- the operations -----------------------------------------------------------------------

    async def get_by_pk(self, key: int) -> Any:
        return (await self.rows(f"{_AUTHOR} WHERE id = ?", [key]))[0]

    async def filter_rows(self, age: int) -> Sequence[Any]:
        return await self.rows(f"{_AUTHOR} WHERE age = ?", [age])

    async def fetch_rows(self, last_id: int) -> Sequence[Any]:
        return await self.rows(f"{_AUTHOR} WHERE id <= ?", [last_id])

    async def select_related(self, last_id: int) -> Sequence[Any]:
        return await self.rows(_BOOKS, [last_id])

    async def bulk_insert(self, rows: Sequence[NewAuthor]) -> None:
        await self.run_many("INSERT INTO author (name, email, age) VALUES (?, ?, ?)", rows)

    async def update_rows(self, last_id: int) -> int:
        return await self.run("UPDATE book SET pages = pages + 1 WHERE id <= ?", [last_id])
