"""MySQL and MariaDB through aiomysql (asyncio on top of PyMySQL).

* **Pool.** ``aiomysql.create_pool`` keeps ``min_size`` (1) to ``max_size``
  (10) connections in autocommit mode; ``atomic()`` says BEGIN itself. A
  borrower waits up to 30 seconds for a free connection.
* **Session settings.** ``utf8mb4`` (all of Unicode, emoji included),
  ``time_zone = '+00:00'``, and the FOUND_ROWS flag so an UPDATE's
  ``rowcount`` counts the rows it *matched*, as PostgreSQL and SQLite do
  (MySQL otherwise counts only rows whose values changed).
* **Parameters.** PyMySQL escapes the values and formats them into the SQL on
  the client, safely; placeholders are ``%s``, a literal ``%`` with params is
  ``%%``. With no params it is called with ``None`` and formats nothing.
* **Streaming.** :meth:`MySQLConnection.iterate` uses an unbuffered cursor
  (``SSCursor``): rows are read from the socket ``chunk_size`` at a time. While
  such a result is being read, the connection cannot run anything else. Inside
  ``atomic()`` the loop body shares the connection, so a statement issued
  there first reads the rest of the result into memory (correct, no longer
  flat); outside ``atomic()`` the body's statements use other connections.
* **Warnings.** MySQL "notes" (``DROP TABLE IF EXISTS`` of a missing table)
  are not reported as Python warnings; real problems are errors in the strict
  SQL mode MySQL and MariaDB use by default.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import aiomysql
import pymysql
from pymysql.constants import CLIENT

from covet.orm.backends.base import Connection, ExecuteResult, Params, Row, ServerBackend
from covet.orm.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    IntegrityError,
    OperationalError,
)
from covet.orm.urls import DatabaseURL

__all__ = ["MySQLBackend", "MySQLConnection"]


# MySQL/MariaDB error numbers: constraint violations...
_INTEGRITY_ERRORS = frozenset(
    {
        1048,  # column cannot be null
        1062,  # duplicate entry (unique)
        1169,  # unique constraint on update
        1216,  # foreign key: no parent row (old servers)
        1217,  # foreign key: row is referenced (old servers)
        1364,  # field has no default value (NOT NULL, strict mode)
        1451,  # cannot delete or update a parent row: a foreign key refers to it
        1452,  # cannot add or update a child row: no such parent
        3819,  # check constraint violated (MySQL)
        4025,  # check constraint failed (MariaDB)
    }
)
# ...and "could not do it now" conditions.
_OPERATIONAL_ERRORS = frozenset(
    {
        1040,  # too many connections
        1205,  # lock wait timeout exceeded
        1213,  # deadlock found
        2002,  # cannot connect (socket)
        2003,  # cannot connect (TCP)
        2006,  # server has gone away
        2013,  # lost connection during query
        3572,  # NOWAIT: row is locked (MySQL 8)
    }
)


class _QuietCursor(aiomysql.Cursor):  # type: ignore[misc]
    """aiomysql's cursor without turning server notes into Python warnings."""

    async def _show_warnings(self, conn: object) -> None:
        return None


class _QuietStreamingCursor(aiomysql.SSCursor):  # type: ignore[misc]
    """The unbuffered (server-side) cursor, equally quiet."""

    async def _show_warnings(self, conn: object) -> None:
        return None


class MySQLBackend(ServerBackend):
    """A MySQL or MariaDB server, through an aiomysql pool."""

    vendor: ClassVar[str] = "mysql"
    paramstyle: ClassVar[str] = "format"

    def __init__(self, url: DatabaseURL) -> None:
        super().__init__(url)  # the pool's settings: see ServerBackend
        self._pool: Any = None  # aiomysql.Pool (aiomysql ships no type hints)

    def connect_arguments(self) -> dict[str, Any]:
        """The keyword arguments for ``aiomysql.create_pool`` / ``aiomysql.connect``."""
        url = self.url
        return {
            "host": url.host,
            "port": url.port,
            "user": url.user or "root",
            "password": url.password or "",
            "db": url.database,
            "charset": "utf8mb4",
            "autocommit": True,
            "client_flag": CLIENT.FOUND_ROWS,
            "init_command": "SET time_zone = '+00:00'",
            "connect_timeout": self.connect_timeout,
            "cursorclass": _QuietCursor,
        }

    async def open(self) -> None:
        try:
            self._pool = await aiomysql.create_pool(
                minsize=self.min_size, maxsize=self.max_size, **self.connect_arguments()
            )
        except (pymysql.Error, OSError) as error:
            raise DatabaseUnavailableError(
                f"cannot connect to MySQL at {self.url.location} "
                f"(database {self.url.database!r}): {_message(error)}",
                driver_error=error,
            ) from error

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.close()
            await pool.wait_closed()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        assert self._pool is not None, "MySQLBackend.open() was not awaited"
        try:
            async with asyncio.timeout(self.pool_timeout):
                raw = await self._pool.acquire()
        except TimeoutError as error:
            raise OperationalError(
                f"no free MySQL connection to {self.url.location} after {self.pool_timeout:g} s "
                f"(max_size={self.max_size})",
                driver_error=error,
            ) from error
        connection = MySQLConnection(raw)
        try:
            yield connection
        finally:
            # aiomysql closes (rather than pools) a connection returned inside a transaction.
            await self._pool.release(raw)


class MySQLConnection(Connection):
    """One aiomysql connection borrowed from the pool."""

    vendor: ClassVar[str] = "mysql"

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self.raw = raw
        #: The unbuffered result being read by iterate(), if one is open.
        self._stream: _Stream | None = None

    async def execute(self, sql: str, params: Params = ()) -> ExecuteResult:
        await self.finish_stream()
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                rows = list(await cursor.fetchall()) if cursor.description else []
                return ExecuteResult(cursor.rowcount, cursor.lastrowid or None, rows)

    async def execute_many(self, sql: str, seq_of_params: Sequence[Params]) -> ExecuteResult:
        await self.finish_stream()
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.executemany(sql, [tuple(p) for p in seq_of_params])
                return ExecuteResult(cursor.rowcount)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        await self.finish_stream()
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        await self.finish_stream()
        with self.translating_errors(sql):
            async with self.raw.cursor() as cursor:
                await cursor.execute(sql, _bound(params))
                row: Row | None = await cursor.fetchone()
                return row

    async def iterate(
        self, sql: str, params: Params = (), *, chunk_size: int = 500
    ) -> AsyncGenerator[Row, None]:
        await self.finish_stream()
        cursor = await self.raw.cursor(_QuietStreamingCursor)
        stream = _Stream(cursor)
        try:
            with self.translating_errors(sql):
                await cursor.execute(sql, _bound(params))
            self._stream = stream
            while True:
                with self.translating_errors(sql):
                    rows = await stream.next_chunk(chunk_size)
                if not rows:
                    break
                for row in rows:
                    yield row
        finally:
            if self._stream is stream:
                self._stream = None
            # Closing an unbuffered cursor reads (and drops) any rows left.
            await cursor.close()

    async def finish_stream(self) -> None:
        """Read the rest of an open iterate() result into memory, freeing the connection."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.read_rest()

    def translate_error(self, error: Exception, sql: str) -> DatabaseError | None:
        if not isinstance(error, pymysql.Error):
            return None
        message = f"MySQL: {_message(error)}"
        code = error.args[0] if error.args and isinstance(error.args[0], int) else None
        if code in _INTEGRITY_ERRORS or isinstance(error, pymysql.IntegrityError):
            return IntegrityError(message, driver_error=error, sql=sql)
        if code in _OPERATIONAL_ERRORS or isinstance(error, pymysql.InterfaceError):
            return OperationalError(message, driver_error=error, sql=sql)
        return DatabaseError(message, driver_error=error, sql=sql)


class _Stream:
    """An unbuffered result being read chunk by chunk, or spilled into memory."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.spilled: deque[Row] | None = None

    async def next_chunk(self, size: int) -> list[Row]:
        if self.spilled is None:
            return list(await self.cursor.fetchmany(size))
        return [self.spilled.popleft() for _ in range(min(size, len(self.spilled)))]

    async def read_rest(self) -> None:
        self.spilled = deque(await self.cursor.fetchall())


def _message(error: BaseException) -> str:
    """PyMySQL errors carry (number, text): show "text (MySQL error number)"."""
    if len(error.args) == 2 and isinstance(error.args[0], int):
        number, text = error.args
        return " ".join(f"{text} (MySQL error {number})".split())
    return " ".join(str(error).split()) or type(error).__name__


def _bound(params: Params) -> tuple[Any, ...] | None:
    # None, not (), when there are no values: PyMySQL then leaves "%" alone.
    return tuple(params) if params else None
