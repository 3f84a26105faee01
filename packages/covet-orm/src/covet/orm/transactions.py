"""``atomic()``: all of a block's statements happen, or none of them.

::

    async with atomic():                 # BEGIN
        await Account.objects.filter(id=1).update(balance=F("balance") - 10)
        async with atomic():             #   SAVEPOINT covet_sp_1
            await risky()                #   (raises) ROLLBACK TO SAVEPOINT covet_sp_1
                                         #            RELEASE SAVEPOINT covet_sp_1
        ...                              # COMMIT, or ROLLBACK if the block raised

How a transaction finds its statements
--------------------------------------
A transaction lives on one connection. The outermost ``atomic()`` borrows a
connection from the pool, says BEGIN, and records a :class:`Transaction` in a
context variable for *this task*. Every statement the task then runs through
the same :class:`~covet.orm.database.Database` looks there first
(:func:`current_transaction`) and uses that connection; outside ``atomic()``
each statement borrows a connection of its own and autocommits.

Context variables are copied into tasks created inside the block
(``asyncio.create_task``, ``gather``), so a :class:`Transaction` also records
the task that opened it, and other tasks ignore it: a task never joins another
task's transaction by accident. (A child task that writes what its parent has
locked therefore waits for the parent; do not make the parent wait for it.)

Nesting
-------
An ``atomic()`` inside another does not begin a second transaction (SQL has
none): it sets a SAVEPOINT. If its block raises, ROLLBACK TO SAVEPOINT undoes
only the work since that point and the exception goes on; the outer block may
catch it and continue, its own work intact.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from covet.orm.backends.base import Connection

if TYPE_CHECKING:
    from covet.orm.database import Database

__all__ = ["Transaction", "atomic", "current_transaction"]


@dataclass(eq=False)
class Transaction:
    """An open transaction: its connection, the task that owns it, its savepoints."""

    database: Database
    connection: Connection
    task: asyncio.Task[object] | None
    savepoints: list[str] = field(default_factory=list)
    _savepoints_made: int = 0

    def next_savepoint_name(self) -> str:
        """A fresh name for a savepoint: ``covet_sp_1``, ``covet_sp_2``..."""
        self._savepoints_made += 1
        return f"covet_sp_{self._savepoints_made}"


# Database -> its open Transaction in this context. Never mutated in place (a
# new dict each time), so a task created inside a block cannot change its parent's.
_open: ContextVar[dict[Database, Transaction] | None] = ContextVar(
    "covet_orm_open_transactions", default=None
)


def current_transaction(database: Database) -> Transaction | None:
    """The transaction this task has open on ``database``, or None."""
    transaction = (_open.get() or {}).get(database)
    if transaction is None or transaction.task is not asyncio.current_task():
        return None  # none open, or a parent task's (see "How a transaction finds...")
    return transaction


def atomic(using: str | Database = "default") -> AbstractAsyncContextManager[None]:
    """Run the block in a transaction on the database ``using`` (an alias or a Database).

    The outermost block is BEGIN ... COMMIT, a nested one a savepoint. An
    exception leaving a block rolls back that block's work and propagates.
    """
    if isinstance(using, str):
        # Imported here: database.py imports this module for its own atomic().
        from covet.orm.database import get_database

        return _atomic(get_database(using))
    return _atomic(using)


@asynccontextmanager
async def _atomic(database: Database) -> AsyncIterator[None]:
    transaction = current_transaction(database)
    if transaction is not None:
        async with _savepoint(transaction):
            yield
        return
    await database.connect()
    async with database.backend.connection() as connection:
        await connection.begin()
        token = _open.set({**(_open.get() or {}), database: _new(database, connection)})
        try:
            yield
        except BaseException:
            await connection.rollback()
            raise
        else:
            await _commit(connection)
        finally:
            _open.reset(token)


@asynccontextmanager
async def _savepoint(transaction: Transaction) -> AsyncIterator[None]:
    connection = transaction.connection
    name = transaction.next_savepoint_name()
    await connection.savepoint(name)
    transaction.savepoints.append(name)
    try:
        yield
    except BaseException:
        await connection.rollback_to_savepoint(name)
        await connection.release_savepoint(name)
        raise
    else:
        await connection.release_savepoint(name)
    finally:
        transaction.savepoints.remove(name)


async def _commit(connection: Connection) -> None:
    try:
        await connection.commit()
    except BaseException:
        # A COMMIT that failed (a deferred constraint, a lost connection) may
        # leave the transaction open; end it before reporting the failure.
        if connection.in_transaction:
            await connection.rollback()
        raise


def _new(database: Database, connection: Connection) -> Transaction:
    return Transaction(database, connection, asyncio.current_task())
