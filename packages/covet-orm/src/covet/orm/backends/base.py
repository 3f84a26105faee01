"""What every backend provides: a pool of connections that run SQL.

A query travels like this::

    Database.execute(sql, params)          database.py: picks the task's connection
      -> Connection.execute(sql, params)   a backend's connection (this interface)
        -> the driver (aiosqlite, psycopg, aiomysql), values as bound parameters
      <- ExecuteResult / tuples            rows are plain tuples in select-list order

A :class:`Backend` owns the pool (``open``/``close``) and lends out one
:class:`Connection` at a time through ``async with backend.connection() as
conn``. A :class:`Connection` runs statements and the transaction-control
statements (BEGIN, SAVEPOINT...) that ``atomic()`` composes.

Two rules every backend keeps:

* Values are never pasted into SQL text. ``sql`` contains placeholders in the
  backend's ``paramstyle`` (``?`` for SQLite, ``%s`` for psycopg and PyMySQL)
  and ``params`` travel separately to the driver. With no params, the
  format-style drivers are called with ``None`` so a literal ``%`` in the SQL
  is just a ``%``; with params, a literal ``%`` must be written ``%%``.
* Driver exceptions become covet.orm exceptions (:mod:`covet.orm.errors`):
  each backend's :meth:`Connection.translate_error` decides which.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar

from covet.orm.errors import DatabaseError
from covet.orm.urls import DatabaseURL

__all__ = ["Backend", "Connection", "ExecuteResult", "Params", "Row", "ServerBackend"]

#: One result row: the columns in select-list order.
Row = tuple[Any, ...]
#: Bound parameter values, in placeholder order.
Params = Sequence[Any]

_SAVEPOINT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass
class ExecuteResult:
    """What a statement run by ``execute`` reports.

    ``rowcount`` is the number of rows inserted, updated or deleted (rows
    *matched* by an UPDATE, on every backend). ``lastrowid`` is the id of the
    row an INSERT created, where the driver reports it (SQLite, MySQL; None on
    PostgreSQL: use RETURNING). ``rows`` holds the rows a statement returned
    (``INSERT ... RETURNING id``), empty otherwise.
    """

    rowcount: int
    lastrowid: int | None = None
    rows: list[Row] = field(default_factory=list)


class Connection(ABC):
    """One connection lent out by a backend: statements and transaction control."""

    vendor: ClassVar[str]

    def __init__(self) -> None:
        #: True between begin() and commit()/rollback().
        self.in_transaction = False

    # --- statements ---------------------------------------------------------

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> ExecuteResult:
        """Run one statement; return counts and any rows it returned."""

    @abstractmethod
    async def execute_many(self, sql: str, seq_of_params: Sequence[Params]) -> ExecuteResult:
        """Run one statement once per parameter tuple (``rowcount`` is the total)."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query and return every row."""

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query and return its first row, or None when it has none."""

    @abstractmethod
    def iterate(
        self, sql: str, params: Params = (), *, chunk_size: int = 500
    ) -> AsyncGenerator[Row, None]:
        """Yield a query's rows, fetching ``chunk_size`` at a time from the server.

        Where the backend has server-side cursors only one chunk is in memory
        at a time, so a million rows cost what ``chunk_size`` rows cost.
        """

    # --- transactions -------------------------------------------------------
    # atomic() (transactions.py) composes these: begin/commit/rollback for the
    # outermost block, savepoints for the nested ones.

    async def begin(self) -> None:
        """Start a transaction (``BEGIN``)."""
        await self.run_control("BEGIN")
        self.in_transaction = True

    async def commit(self) -> None:
        """Make the transaction's changes permanent (``COMMIT``)."""
        await self.run_control("COMMIT")
        self.in_transaction = False

    async def rollback(self) -> None:
        """Undo the transaction (``ROLLBACK``)."""
        try:
            await self.run_control("ROLLBACK")
        finally:
            self.in_transaction = False

    async def savepoint(self, name: str) -> None:
        """Mark a point inside the transaction to roll back to (``SAVEPOINT name``)."""
        await self.run_control(f"SAVEPOINT {_checked(name)}")

    async def release_savepoint(self, name: str) -> None:
        """Forget a savepoint, keeping the work done since (``RELEASE SAVEPOINT name``)."""
        await self.run_control(f"RELEASE SAVEPOINT {_checked(name)}")

    async def rollback_to_savepoint(self, name: str) -> None:
        """Undo the work done since the savepoint (``ROLLBACK TO SAVEPOINT name``)."""
        await self.run_control(f"ROLLBACK TO SAVEPOINT {_checked(name)}")

    async def run_control(self, sql: str) -> None:
        """Run a transaction-control statement (no parameters, no rows)."""
        await self.execute(sql)

    # --- errors -------------------------------------------------------------

    @abstractmethod
    def translate_error(self, error: Exception, sql: str) -> DatabaseError | None:
        """The covet.orm exception for a driver exception, or None if it is not the driver's."""

    def translating_errors(self, sql: str) -> TranslatingErrors:
        """Re-raise driver exceptions raised inside the block as covet.orm exceptions."""
        return TranslatingErrors(self, sql)


class TranslatingErrors:
    """The ``with`` block of :meth:`Connection.translating_errors`.

    A class rather than a ``@contextmanager`` generator: every statement runs inside one,
    and starting and finishing a generator costs a few microseconds per statement that
    ``__enter__`` and ``__exit__`` do not.
    """

    __slots__ = ("connection", "sql")

    def __init__(self, connection: Connection, sql: str) -> None:
        self.connection = connection
        self.sql = sql

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, Exception):
            translated = self.connection.translate_error(error, self.sql)
            if translated is not None:
                raise translated from error
        # Returning None lets any other exception (or none) go on unchanged.


class Backend(ABC):
    """A database server (or SQLite file) and the pool of connections to it."""

    vendor: ClassVar[str]
    """``"sqlite"``, ``"postgresql"`` or ``"mysql"``: the SQL dialect to speak."""

    paramstyle: ClassVar[str]
    """``"qmark"`` (``?``, SQLite) or ``"format"`` (``%s``, psycopg and PyMySQL)."""

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url

    @abstractmethod
    async def open(self) -> None:
        """Connect (open the pool). Raises DatabaseUnavailableError naming where."""

    @abstractmethod
    async def close(self) -> None:
        """Close every connection. The backend may be opened again afterwards."""

    @abstractmethod
    def connection(self) -> AbstractAsyncContextManager[Connection]:
        """Borrow a connection from the pool for the duration of the ``async with``."""


#: Seconds a borrower waits for a free server connection before OperationalError
#: (the URL option ``pool_timeout`` changes it).
POOL_TIMEOUT = 30.0


class ServerBackend(Backend):
    """A database server reached through a pool: the pool's settings come from the URL.

    ``min_size`` (1) to ``max_size`` (10, or ``min_size`` if larger) connections;
    ``connect_timeout`` seconds to reach the server; ``pool_timeout`` seconds to wait for a
    free connection. PostgreSQL and MySQL read them alike; each hands them to its own pool.
    """

    def __init__(self, url: DatabaseURL) -> None:
        super().__init__(url)
        self.min_size = url.int_option("min_size", 1)
        self.max_size = url.int_option("max_size", max(10, self.min_size))
        self.connect_timeout = url.float_option("connect_timeout", 10.0)
        self.pool_timeout = url.float_option("pool_timeout", POOL_TIMEOUT)


def _checked(name: str) -> str:
    # Savepoint names are generated by atomic(), never user input; checking
    # them anyway keeps this the one place an identifier meets SQL text here.
    if not _SAVEPOINT_NAME.match(name):
        raise ValueError(f"invalid savepoint name {name!r}")
    return name


def one_line(error: BaseException) -> str:
    """A driver's message squeezed onto one line (some span several)."""
    return " ".join(str(error).split()) or type(error).__name__
