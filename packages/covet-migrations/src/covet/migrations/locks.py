"""The migration lock: two processes applying migrations at once must not both run one.

Deployments often start several copies of an application at once, each running
``covet migrations apply``. Each vendor has a lock for this:

- **PostgreSQL**: a session advisory lock (``pg_try_advisory_lock(key)``, tried again until
  free), held on a connection of its own while the migrations run on the pool's.
- **MySQL/MariaDB**: a named lock, ``GET_LOCK('covet_migrations', timeout)``, likewise.
- **SQLite**: no separate lock. Each migration runs in a ``BEGIN IMMEDIATE`` transaction,
  which takes the database's write lock, and the runner checks the history again inside it:
  the second process finds the migration applied and skips it.

Under the lock the runner re-reads the history, so whoever waited sees what the other applied.

The lock's connection is not borrowed from the application's pool: a pool of one connection
(``?max_size=1``, common for small workers) would then have none left for the migrations,
and wait for itself until ``pool_timeout``. It comes from a pool of its own, of one
connection, opened for the lock and closed with it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from covet.migrations.errors import MigrationError
from covet.orm.backends.base import Connection
from covet.orm.database import Database

__all__ = ["LOCK_KEY", "LOCK_NAME", "migration_lock"]

#: The advisory lock key on PostgreSQL (any fixed 64-bit number; this one spells "covetmig").
LOCK_KEY = int.from_bytes(b"covetmig", "big") >> 1
#: The named lock on MySQL/MariaDB.
LOCK_NAME = "covet_migrations"


@asynccontextmanager
async def migration_lock(database: Database, *, wait_seconds: float = 600) -> AsyncIterator[None]:
    """Hold the migration lock of ``database`` for the block (waits up to ``wait_seconds``)."""
    if database.vendor == "sqlite":
        yield
        return
    url = database.url
    own = Database(
        dataclasses.replace(url, options={**url.options, "min_size": "1", "max_size": "1"})
    )
    try:
        await own.connect()
        async with own.backend.connection() as connection:
            await _hold(connection, database.vendor, wait_seconds)
            try:
                yield
            finally:
                await connection.execute(*_RELEASE[database.vendor])
    finally:
        await own.disconnect()


#: The statement that lets the lock go, per vendor.
_RELEASE: dict[str, tuple[str, list[object]]] = {
    "postgresql": ("SELECT pg_advisory_unlock(%s)", [LOCK_KEY]),
    "mysql": ("SELECT RELEASE_LOCK(%s)", [LOCK_NAME]),
}


async def _hold(connection: Connection, vendor: str, wait_seconds: float) -> None:
    """Take the lock on ``connection``, or raise after ``wait_seconds``."""
    if vendor == "postgresql":
        acquired = await _poll_postgresql(connection, wait_seconds)
    else:
        row = await connection.fetch_one("SELECT GET_LOCK(%s, %s)", [LOCK_NAME, wait_seconds])
        acquired = row is not None and row[0] == 1
    if not acquired:
        raise MigrationError(
            f"another process has held the migration lock for {wait_seconds:g} s: is a "
            "migration stuck? (the lock is released when that process disconnects)"
        )


async def _poll_postgresql(connection: Connection, wait_seconds: float) -> bool:
    """Try the advisory lock until it is free or ``wait_seconds`` have passed.

    (``pg_advisory_lock`` would wait by itself, but only ``lock_timeout``, a setting of the
    pooled connection, could bound the wait.)
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        row = await connection.fetch_one("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if row is not None and row[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)
