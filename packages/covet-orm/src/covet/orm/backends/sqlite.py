"""SQLite through aiosqlite: the embedded default.

aiosqlite runs each ``sqlite3`` connection in its own thread and hands the
results back to the event loop, so a slow disk never blocks other requests.

Transactions and concurrency
----------------------------
A SQLite transaction belongs to a *connection*. If every task shared one
connection, task B's statements would run inside task A's open transaction:
B would see A's uncommitted rows and A's ROLLBACK would undo B's work. So:

* **A file database** gets a small pool of connections (``max_size``, 5 by
  default) and the WAL journal, in which readers never wait for the writer and
  see only committed data. SQLite allows one writer at a time: every
  transaction starts with ``BEGIN IMMEDIATE``, which takes the write lock at
  once, behind an ``asyncio.Lock``. A second task entering ``atomic()`` waits
  in the event loop until the first commits or rolls back, instead of failing
  with "database is locked"; a task reading outside ``atomic()`` does not wait.
  Statements outside transactions that write wait for the lock inside SQLite
  (``timeout`` option, 5 seconds by default).
* **An in-memory database** exists only as long as its one connection, so it
  keeps exactly one. That connection belongs to one task at a time: a task's
  ``atomic()`` block (or ``iterate()`` loop) holds it until the end, and other
  tasks wait. The same task may use it again inside (re-entrant), so queries
  in a loop over ``iterate()`` work.

Either way, two tasks in ``atomic()`` are serialized: the second sees the first
one's rows only once they are committed. That is also what makes
``select_for_update()`` correct on SQLite, which has no ``FOR UPDATE``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import aiosqlite

from covet.orm.backends.base import Backend, Connection, ExecuteResult, Params, Row, one_line
from covet.orm.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    IntegrityError,
    OperationalError,
)
from covet.orm.urls import DatabaseURL

__all__ = ["SQLiteBackend", "SQLiteConnection"]


class SQLiteBackend(Backend):
    """A SQLite file (a pool of connections, WAL) or an in-memory database (one connection)."""

    vendor: ClassVar[str] = "sqlite"
    paramstyle: ClassVar[str] = "qmark"

    def __init__(self, url: DatabaseURL) -> None:
        super().__init__(url)
        self.path = str(url.path)
        self.is_memory = url.is_memory
        #: Seconds a statement waits for another connection's write lock.
        self.timeout = url.float_option("timeout", 5.0)
        self.max_size = 1 if self.is_memory else url.int_option("max_size", 5)
        self._idle: list[aiosqlite.Connection] = []
        self._closed = False
        self._slots = asyncio.Semaphore(self.max_size)
        #: Held from BEGIN IMMEDIATE to COMMIT/ROLLBACK: one writing transaction at a time.
        self.write_lock = asyncio.Lock()
        #: In-memory only: the task that holds the single connection.
        self._owner = _TaskLock()

    async def open(self) -> None:
        self._closed = False
        if not self.is_memory:
            await asyncio.to_thread(self._probe)
        # One connection now (it switches the file to WAL); more on demand, up to max_size.
        if not self._idle:
            self._idle.append(await self._connect())

    def _probe(self) -> None:
        """Open the file once with plain sqlite3: a clear error if it cannot be opened.

        (aiosqlite, failing to connect, leaves its worker thread to report to
        an event loop that may be gone by then.)
        """
        try:
            sqlite3.connect(self.path, timeout=self.timeout).close()
        except sqlite3.Error as error:
            raise DatabaseUnavailableError(
                f"cannot open SQLite database {self.path!r}: {one_line(error)}",
                driver_error=error,
            ) from error

    async def close(self) -> None:
        # Borrowed connections are closed when they come back (connection()).
        self._closed = True
        while self._idle:
            await self._idle.pop().close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        if self.is_memory:
            async with self._owner:
                if not self._idle:
                    self._idle.append(await self._connect())
                # The one connection is never handed out exclusively: it *is* the database.
                yield SQLiteConnection(self, self._idle[0])
            return
        async with self._slots:
            raw = self._idle.pop() if self._idle else await self._connect()
            conn = SQLiteConnection(self, raw)
            try:
                yield conn
            finally:
                await self._give_back(conn)

    async def _give_back(self, conn: SQLiteConnection) -> None:
        if conn.in_transaction or conn.raw.in_transaction:
            # Only if atomic() could not even roll back (a cancelled task, a
            # broken file): never pool a connection inside a transaction.
            conn.end_transaction()
            await conn.raw.close()
        elif self._closed:
            await conn.raw.close()
        else:
            self._idle.append(conn.raw)

    async def _connect(self) -> aiosqlite.Connection:
        raw: aiosqlite.Connection | None = None
        try:
            # isolation_level=None: the sqlite3 module issues no BEGIN of its own;
            # statements outside atomic() autocommit and atomic() says BEGIN itself.
            pending = aiosqlite.connect(self.path, timeout=self.timeout, isolation_level=None)
            _let_the_program_exit_without_closing(pending)
            raw = await pending
            # Foreign keys are enforced, as on the servers (SQLite's default is off).
            await _pragma(raw, "PRAGMA foreign_keys = ON")
            if not self.is_memory:
                await _use_wal(raw)
        except sqlite3.Error as error:
            if raw is not None:
                await raw.close()
            raise DatabaseUnavailableError(
                f"cannot open SQLite database {self.path!r}: {one_line(error)}",
                driver_error=error,
            ) from error
        return raw


def _let_the_program_exit_without_closing(connection: aiosqlite.Connection) -> None:
    """Make aiosqlite's worker thread a daemon thread (before it starts).

    Python waits for every non-daemon thread before it exits, and an idle
    aiosqlite thread waits for work for ever: a program that never called
    ``close_all()`` (the five-line script that uses the embedded default)
    would hang at exit. Committed data is already on disk by then, and SQLite
    recovers the WAL file when the database is next opened. (aiosqlite < 0.22
    makes the connection itself the thread, later versions keep it in
    ``_thread``.)
    """
    thread = connection if isinstance(connection, threading.Thread) else None
    thread = thread or getattr(connection, "_thread", None)
    if isinstance(thread, threading.Thread):
        thread.daemon = True


async def _pragma(raw: aiosqlite.Connection, sql: str) -> str | None:
    """Run a PRAGMA and return its value, closing the cursor at once.

    A cursor left open keeps its statement active, and an active PRAGMA
    journal_mode keeps the file locked against every other connection.
    """
    async with raw.execute(sql) as cursor:
        row = await cursor.fetchone()
    return None if row is None else str(row[0])


async def _use_wal(raw: aiosqlite.Connection) -> None:
    """Switch the file to the WAL journal (a setting stored in the file itself)."""
    # Switching needs the file to itself, so ask first: the pool's later
    # connections find it in WAL already and need not switch.
    if (await _pragma(raw, "PRAGMA journal_mode") or "").lower() != "wal":
        await _pragma(raw, "PRAGMA journal_mode = WAL")


class SQLiteConnection(Connection):
    """One aiosqlite connection, lent out by :class:`SQLiteBackend`."""

    vendor: ClassVar[str] = "sqlite"

    def __init__(self, backend: SQLiteBackend, raw: aiosqlite.Connection) -> None:
        super().__init__()
        self.backend = backend
        self.raw = raw

    async def execute(self, sql: str, params: Params = ()) -> ExecuteResult:
        with self.translating_errors(sql):
            cursor = await self.raw.execute(sql, tuple(params))
            try:
                # Tuples already (no row_factory is set on these connections): kept as they are.
                rows: Any = await cursor.fetchall() if cursor.description else []
            except BaseException:
                await cursor.close()
                raise
        # No cursor.close() on success: each await above is one trip to aiosqlite's thread,
        # and an UPDATE is then one trip instead of two. It is safe because sqlite3 resets
        # (finishes) a statement as soon as it has been stepped to its end, which execute()
        # does for a statement without rows and fetchall() for one with rows: the cursor
        # holds no lock and no open statement, and is freed like any Python object.
        # rowcount and lastrowid are plain attributes, read without a trip.
        return ExecuteResult(cursor.rowcount, cursor.lastrowid, rows)

    async def execute_many(self, sql: str, seq_of_params: Sequence[Params]) -> ExecuteResult:
        with self.translating_errors(sql):
            cursor = await self.raw.executemany(sql, [tuple(p) for p in seq_of_params])
            try:
                return ExecuteResult(cursor.rowcount)
            finally:
                await cursor.close()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        with self.translating_errors(sql):
            rows: Any = await self.raw.execute_fetchall(sql, tuple(params))
        # sqlite3 already returns a list of tuples (no row_factory is set on these
        # connections): copying each row again would cost a call per row for nothing.
        return rows if isinstance(rows, list) else list(rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        with self.translating_errors(sql):
            cursor = await self.raw.execute(sql, tuple(params))
            try:
                row = await cursor.fetchone()
            finally:
                await cursor.close()
        return None if row is None else tuple(row)

    async def iterate(
        self, sql: str, params: Params = (), *, chunk_size: int = 500
    ) -> AsyncGenerator[Row, None]:
        # SQLite computes rows as they are stepped through, so fetchmany()
        # in chunks keeps only one chunk in memory.
        with self.translating_errors(sql):
            cursor = await self.raw.execute(sql, tuple(params))
        try:
            while True:
                with self.translating_errors(sql):
                    rows = await cursor.fetchmany(chunk_size)
                if not rows:
                    break
                for row in rows:
                    yield tuple(row)
        finally:
            await cursor.close()

    async def begin(self) -> None:
        if self.backend.is_memory:
            # This task already owns the only connection (see connection()).
            await self.run_control("BEGIN")
        else:
            await self.backend.write_lock.acquire()
            try:
                await self.run_control("BEGIN IMMEDIATE")
            except BaseException:
                self.backend.write_lock.release()
                raise
        self.in_transaction = True

    async def commit(self) -> None:
        # A failed COMMIT (a deferred foreign key, say) leaves the transaction
        # open: the lock stays held until the rollback() that follows it.
        await self.run_control("COMMIT")
        self.end_transaction()

    async def rollback(self) -> None:
        try:
            if self.raw.in_transaction:
                await self.run_control("ROLLBACK")
        finally:
            self.end_transaction()

    def end_transaction(self) -> None:
        """Forget the transaction and let the next writer in (file databases)."""
        if self.in_transaction and not self.backend.is_memory:
            self.backend.write_lock.release()
        self.in_transaction = False

    def translate_error(self, error: Exception, sql: str) -> DatabaseError | None:
        if not isinstance(error, sqlite3.Error):
            return None
        message = f"SQLite: {one_line(error)}"
        if isinstance(error, sqlite3.IntegrityError):
            return IntegrityError(message, driver_error=error, sql=sql)
        if isinstance(error, sqlite3.OperationalError) and (
            "locked" in str(error) or "busy" in str(error)
        ):
            return OperationalError(message, driver_error=error, sql=sql)
        return DatabaseError(message, driver_error=error, sql=sql)


class _TaskLock:
    """An asyncio lock that the task holding it may take again (re-entrant per task).

    Released by whoever finishes the holding: an ``iterate()`` abandoned
    mid-loop is closed later by the event loop, from another task.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if self._depth and self._owner is task:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner = task
        self._depth = 1

    async def __aexit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()
