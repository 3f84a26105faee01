"""PostgreSQL through psycopg 3 (async) and its pool, psycopg_pool.

* **Pool.** ``AsyncConnectionPool`` keeps ``min_size`` (1) to ``max_size``
  (10) connections; a borrower waits up to 30 seconds for a free one.
  Connections are in autocommit mode: a statement outside ``atomic()``
  commits on its own, and ``atomic()`` says BEGIN itself.
* **Connecting.** Before opening the pool, one plain connection is tried: if
  it fails, its error (connection refused, unknown database, bad password) is
  what the user sees, at once, instead of a pool retrying in the background.
* **Parameters.** psycopg sends values separately from the SQL (server-side
  binding); placeholders are ``%s``, and a literal ``%`` with params is ``%%``.
* **Streaming.** :meth:`PostgresConnection.iterate` uses a *named* (server-side)
  cursor: the server keeps the result and sends ``chunk_size`` rows per
  FETCH. Such a cursor lives inside a transaction, so outside ``atomic()`` the
  iteration opens one of its own and ends it with the loop.
* **Time zone.** Sessions use UTC (``TimeZone=UTC``), so ``timestamptz``
  values come back as UTC datetimes, as on the other backends.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from covet.orm.backends.base import (
    Connection,
    ExecuteResult,
    Params,
    Row,
    ServerBackend,
    one_line,
)
from covet.orm.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    IntegrityError,
    OperationalError,
    TransactionError,
)
from covet.orm.urls import DatabaseURL

__all__ = ["PostgresBackend", "PostgresConnection"]


_POOL_OPTIONS = frozenset({"min_size", "max_size", "connect_timeout", "pool_timeout"})
_cursor_numbers = itertools.count(1)


class PostgresBackend(ServerBackend):
    """A PostgreSQL server, through a psycopg_pool connection pool."""

    vendor: ClassVar[str] = "postgresql"
    paramstyle: ClassVar[str] = "format"

    def __init__(self, url: DatabaseURL) -> None:
        super().__init__(url)  # the pool's settings: see ServerBackend
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Row]] | None = None

    def connect_arguments(self) -> dict[str, Any]:
        """The keyword arguments for ``psycopg.AsyncConnection.connect``."""
        url = self.url
        arguments: dict[str, Any] = {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "connect_timeout": max(1, math.ceil(self.connect_timeout)),
            "options": "-c TimeZone=UTC",
            "autocommit": True,
        }
        if url.user is not None:
            arguments["user"] = url.user
        if url.password is not None:
            arguments["password"] = url.password
        # Any other URL option is a libpq parameter (sslmode, application_name...).
        arguments.update({k: v for k, v in url.options.items() if k not in _POOL_OPTIONS})
        return arguments

    async def open(self) -> None:
        arguments = self.connect_arguments()
        try:
            probe = await psycopg.AsyncConnection.connect(**arguments)
        except psycopg.Error as error:
            raise DatabaseUnavailableError(
                f"cannot connect to PostgreSQL at {self.url.location} "
                f"(database {self.url.database!r}): {one_line(error)}",
                driver_error=error,
            ) from error
        await probe.close()
        pool: AsyncConnectionPool[psycopg.AsyncConnection[Row]] = AsyncConnectionPool(
            kwargs=arguments,
            min_size=self.min_size,
            max_size=self.max_size,
            timeout=self.pool_timeout,
            open=False,
        )
        await pool.open(wait=True, timeout=self.connect_timeout)
        self._pool = pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        assert self._pool is not None, "PostgresBackend.open() was not awaited"
        try:
            raw = await self._pool.getconn()
        except PoolTimeout as error:
            raise OperationalError(
                f"no free PostgreSQL connection to {self.url.location} after "
                f"{self.pool_timeout:g} s (max_size={self.max_size}): {one_line(error)}",
                driver_error=error,
            ) from error
        try:
            yield PostgresConnection(raw)
        finally:
            # The pool rolls back a connection returned inside a transaction.
            await self._pool.putconn(raw)


class PostgresConnection(Connection):
    """One psycopg ``AsyncConnection`` borrowed from the pool."""

    vendor: ClassVar[str] = "postgresql"

    def __init__(self, raw: psycopg.AsyncConnection[Row]) -> None:
        super().__init__()
        self.raw = raw

    async def execute(self, sql: str, params: Params = ()) -> ExecuteResult:
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                rows = await cursor.fetchall() if cursor.description else []
                return ExecuteResult(cursor.rowcount, None, rows)

    async def execute_many(self, sql: str, seq_of_params: Sequence[Params]) -> ExecuteResult:
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.executemany(sql, [tuple(p) for p in seq_of_params])
                return ExecuteResult(cursor.rowcount)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                return await cursor.fetchall()

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                return await cursor.fetchone()

    async def iterate(
        self, sql: str, params: Params = (), *, chunk_size: int = 500
    ) -> AsyncGenerator[Row, None]:
        if self.in_transaction:
            async for row in self._stream(sql, params, chunk_size):
                yield row
            return
        # A named cursor exists only inside a transaction: open one for the loop.
        await self.run_control("BEGIN")
        try:
            async for row in self._stream(sql, params, chunk_size):
                yield row
        except BaseException:
            await self.run_control("ROLLBACK")
            raise
        await self.run_control("COMMIT")

    async def _stream(self, sql: str, params: Params, chunk_size: int) -> AsyncGenerator[Row, None]:
        # DECLARE covet_cursor_N CURSOR FOR <sql>, then FETCH chunk_size at a time.
        cursor = self.raw.cursor(name=f"covet_cursor_{next(_cursor_numbers)}")
        try:
            with self.translating_errors(sql):
                await cursor.execute(sql, _bound(params))
            while True:
                with self.translating_errors(sql):
                    rows = await cursor.fetchmany(chunk_size)
                if not rows:
                    break
                for row in rows:
                    yield row
        finally:
            await cursor.close()

    async def commit(self) -> None:
        if self.raw.info.transaction_status == TransactionStatus.INERROR:
            # COMMIT would silently roll back: say so instead.
            await self.rollback()
            raise TransactionError(
                "the transaction was rolled back, not committed: a statement in it failed and "
                "PostgreSQL refuses everything after an error; to go on after an error, run "
                "the statement that may fail in a nested atomic() block"
            )
        await super().commit()

    def translate_error(self, error: Exception, sql: str) -> DatabaseError | None:
        if not isinstance(error, psycopg.Error):
            return None
        message = f"PostgreSQL: {one_line(error)}"
        # SQLSTATE class 23 is "integrity constraint violation" (unique, not null, FK, check).
        if (error.sqlstate or "").startswith("23"):
            return IntegrityError(message, driver_error=error, sql=sql)
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return OperationalError(message, driver_error=error, sql=sql)
        return DatabaseError(message, driver_error=error, sql=sql)


def _bound(params: Params) -> tuple[Any, ...] | None:
    # None, not (), when there are no values: psycopg then leaves "%" alone.
    return tuple(params) if params else None
