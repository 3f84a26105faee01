"""``Database``: the one object the rest of covet.orm talks to.

A :class:`Database` is a URL plus a backend (its pool of connections). It
offers the raw SQL API, which the model layer's compiled queries also use::

    db = Database("postgresql://app@127.0.0.1/app", alias="default")
    await db.execute("INSERT INTO users (name) VALUES (%s)", ["Ada"])
    rows = await db.fetch_all("SELECT id, name FROM users WHERE id > %s", [10])
    async for row in db.iterate("SELECT id FROM users"):   # streamed, flat memory
        ...
    async with db.atomic():                                # a transaction
        ...

Placeholders follow the backend's ``paramstyle`` (``?`` on SQLite, ``%s`` on
PostgreSQL and MySQL); values always travel as bound parameters.

Which connection runs a statement
---------------------------------
:meth:`Database._connection` decides, for every statement: if this task has
an ``atomic()`` block open on this database, the transaction's connection;
otherwise a connection borrowed from the pool for that one statement, which
autocommits. Connecting happens on first use (or :meth:`connect`).

The registry
------------
Applications name their databases: :func:`configure` sets one up under an
alias ("default" unless told), :func:`get_database` finds it, and
:func:`close_all` disconnects them all at shutdown. With no configuration at
all, "default" is ``COVET_DATABASE_URL`` if set, else the embedded SQLite file
``./covet.sqlite3`` (``is_embedded_default`` is then True).

:func:`override_database` puts another Database under an alias for one block
of code, in the current task only: a migration's data step uses it so that the
models run on the migration's own connection and transaction.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    aclosing,
    asynccontextmanager,
    contextmanager,
    nullcontext,
)
from contextvars import ContextVar
from types import TracebackType

from covet.orm import events
from covet.orm.backends import Backend, Connection, ExecuteResult, Params, Row, create_backend
from covet.orm.errors import DatabaseConfigError
from covet.orm.transactions import atomic, current_transaction
from covet.orm.urls import DatabaseURL, parse_database_url

__all__ = [
    "Database",
    "configure",
    "get_database",
    "override_database",
    "databases",
    "close_all",
    "DATABASE_URL_VARIABLE",
    "EMBEDDED_DEFAULT_URL",
]

#: The environment variable that configures the "default" database.
DATABASE_URL_VARIABLE = "COVET_DATABASE_URL"
#: What "default" is when nothing is configured.
EMBEDDED_DEFAULT_URL = "sqlite:///covet.sqlite3"


class Database:
    """One database: where it is (``url``), what it speaks (``vendor``), its pool."""

    def __init__(self, url: str | DatabaseURL, *, alias: str = "default") -> None:
        self.url = parse_database_url(url) if isinstance(url, str) else url
        self.alias = alias
        self.backend: Backend = create_backend(self.url)
        #: ``"sqlite"``, ``"postgresql"`` or ``"mysql"``: the SQL dialect to generate.
        self.vendor: str = self.backend.vendor
        #: ``"qmark"`` (``?``) or ``"format"`` (``%s``): the placeholder to generate.
        self.paramstyle: str = self.backend.paramstyle
        #: True only for the zero-configuration SQLite file (see get_database()).
        self.is_embedded_default = False
        self._connected = False
        self._connect_lock = asyncio.Lock()
        self._shutdown_guard: AsyncGenerator[None, None] | None = None

    def __repr__(self) -> str:
        return f"<Database {self.alias!r} {self.url}>"

    # --- connecting ---------------------------------------------------------

    @property
    def is_connected(self) -> bool:
        """Whether the pool is open."""
        return self._connected

    async def connect(self) -> None:
        """Open the pool now (otherwise the first statement does).

        Raises :class:`~covet.orm.errors.DatabaseUnavailableError` naming the
        backend and where it was looked for when the server cannot be reached.
        """
        async with self._connect_lock:
            if not self._connected:
                await self.backend.open()
                self._connected = True
                self._shutdown_guard = self._close_when_the_loop_ends()
                await anext(self._shutdown_guard)

    async def disconnect(self) -> None:
        """Close every connection. A later statement connects again."""
        guard, self._shutdown_guard = self._shutdown_guard, None
        await self._close_pool()
        if guard is not None:
            await guard.aclose()  # its `finally` finds the pool closed already

    async def _close_pool(self) -> None:
        async with self._connect_lock:
            if self._connected:
                self._connected = False
                await self.backend.close()

    async def _close_when_the_loop_ends(self) -> AsyncGenerator[None, None]:
        """Close the pool when the event loop that opened it ends, if nobody did.

        Connections belong to the event loop they were opened on. A program
        that never calls ``close_all()`` would leave them to be collected after
        the loop is gone, with errors at exit. But ``asyncio.run()`` closes
        every async generator still suspended when its coroutine returns
        (``loop.shutdown_asyncgens()``): connect() starts this one and leaves
        it suspended at ``yield``, so its ``finally`` closes the pool on the
        right loop, at the right time. A later statement, on a later loop,
        simply connects again.
        """
        try:
            yield
        finally:
            await self._close_pool()

    async def __aenter__(self) -> Database:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.disconnect()

    # --- the raw SQL API ----------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> ExecuteResult:
        """Run one statement (INSERT, UPDATE, DDL...); rows from RETURNING are in ``.rows``."""
        async with self._observed(sql, len(params)), self._connection() as connection:
            return await connection.execute(sql, params)

    async def execute_many(self, sql: str, seq_of_params: Sequence[Params]) -> ExecuteResult:
        """Run one statement for each parameter tuple; ``rowcount`` is the total."""
        if not seq_of_params:
            return ExecuteResult(0)
        count = sum(len(params) for params in seq_of_params)
        async with self._observed(sql, count), self._connection() as connection:
            return await connection.execute_many(sql, seq_of_params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query; return all its rows as tuples."""
        async with self._observed(sql, len(params)), self._connection() as connection:
            return await connection.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query; return its first row, or None."""
        async with self._observed(sql, len(params)), self._connection() as connection:
            return await connection.fetch_one(sql, params)

    async def iterate(
        self, sql: str, params: Params = (), *, chunk_size: int = 500
    ) -> AsyncGenerator[Row, None]:
        """Yield a query's rows, ``chunk_size`` at a time from a server-side cursor.

        The connection is held until the loop ends. Leaving the loop early with
        ``break`` frees it when the iterator is closed: wrap it in
        ``contextlib.aclosing()`` to make that immediate.
        """
        async with (
            self._observed(sql, len(params)),
            self._connection() as connection,
            aclosing(connection.iterate(sql, params, chunk_size=chunk_size)) as rows,
        ):
            async for row in rows:
                yield row

    # --- transactions -------------------------------------------------------

    def atomic(self) -> AbstractAsyncContextManager[None]:
        """A transaction on this database (see :func:`covet.orm.transactions.atomic`)."""
        return atomic(self)

    def in_transaction(self) -> bool:
        """Whether the current task is inside an ``atomic()`` block on this database."""
        return current_transaction(self) is not None

    # --- the two decisions every statement goes through ---------------------

    def _connection(self) -> AbstractAsyncContextManager[Connection]:
        """The task's transaction connection, or one borrowed for this statement."""
        # A plain function returning the right context manager, not a generator wrapping
        # them: every statement goes through here, and a generator-based context manager
        # costs a few microseconds of its own on top of the one it would wrap.
        transaction = current_transaction(self)
        if transaction is not None:
            return nullcontext(transaction.connection)
        if not self._connected:
            return self._connect_then_borrow()
        return self.backend.connection()

    @asynccontextmanager
    async def _connect_then_borrow(self) -> AsyncIterator[Connection]:
        await self.connect()  # takes a lock: only on first use, not once per statement
        async with self.backend.connection() as connection:
            yield connection

    def _observed(self, sql: str, param_count: int) -> AbstractAsyncContextManager[None]:
        """Tell the query listeners (covet.orm.events) about the statement, if there are any."""
        if not events.has_listeners():
            # Nobody listens (the usual case): a shared do-nothing context, instead of
            # starting a generator and timing a statement that nobody will hear about.
            return _UNOBSERVED
        return self._observing(sql, param_count)

    @asynccontextmanager
    async def _observing(self, sql: str, param_count: int) -> AsyncIterator[None]:
        await events.emit_start(events.QueryStart(sql, param_count, self.alias, self.vendor))
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            yield
        except GeneratorExit:
            # An iterate() loop left early: not a failure of the query.
            raise
        except BaseException as raised:
            error = raised
            raise
        finally:
            duration = time.perf_counter() - started
            await events.emit_end(
                events.QueryEvent(sql, param_count, duration, self.alias, self.vendor, error)
            )


#: ``Database._observed`` when no query listener is registered (reusable: it holds no state).
_UNOBSERVED: AbstractAsyncContextManager[None] = nullcontext()

# --- the registry of named databases ----------------------------------------

_databases: dict[str, Database] = {}
# Databases replaced by configure() while connected: close_all() still closes them.
_replaced: list[Database] = []


def configure(url: str | None = None, *, alias: str = "default") -> Database:
    """Set up the database called ``alias`` from a URL, replacing any before it.

    With no URL, "default" reads ``COVET_DATABASE_URL`` (else the embedded
    SQLite file); any other alias needs a URL. Nothing connects until first use.
    """
    embedded = False
    if url is None:
        if alias != "default":
            raise DatabaseConfigError(f"configure(alias={alias!r}) needs a database URL")
        from_environment = os.environ.get(DATABASE_URL_VARIABLE)
        url = from_environment or EMBEDDED_DEFAULT_URL
        embedded = not from_environment
    database = Database(url, alias=alias)
    database.is_embedded_default = embedded
    previous = _databases.get(alias)
    if previous is not None and previous.is_connected:
        _replaced.append(previous)
    _databases[alias] = database
    return database


# alias -> Database put there by override_database() in this context (a new dict each
# time, like the open transactions: a task started inside the block sees it, but cannot
# change it for its parent).
_overrides: ContextVar[dict[str, Database] | None] = ContextVar(
    "covet_orm_database_overrides", default=None
)


@contextmanager
def override_database(database: Database, *, alias: str | None = None) -> Iterator[Database]:
    """For the block, :func:`get_database` returns ``database`` for ``alias``.

    ``alias`` defaults to ``database.alias``. The override is a context variable: it holds
    in this task (and tasks it starts) and nowhere else, and ends with the block. The
    models look their database up through :func:`get_database` at each query, so inside
    the block they run on ``database``, and inside its ``atomic()`` block, in that
    transaction. The registry itself (:func:`configure`) is left as it was.
    """
    name = database.alias if alias is None else alias
    token = _overrides.set({**(_overrides.get() or {}), name: database})
    try:
        yield database
    finally:
        _overrides.reset(token)


def get_database(alias: str = "default") -> Database:
    """The database configured as ``alias``; "default" configures itself on first use."""
    overridden = (_overrides.get() or {}).get(alias)
    if overridden is not None:
        return overridden
    database = _databases.get(alias)
    if database is not None:
        return database
    if alias == "default":
        return configure()
    configured = ", ".join(sorted(_databases)) or "none"
    raise DatabaseConfigError(
        f"no database is configured as {alias!r} (configured: {configured}); "
        f"call configure(url, alias={alias!r}) first"
    )


def databases() -> dict[str, Database]:
    """Every configured database by alias (a copy)."""
    return dict(_databases)


async def close_all() -> None:
    """Disconnect every configured database: call it when the application stops."""
    for database in [*_databases.values(), *_replaced]:
        await database.disconnect()
    _replaced.clear()
