"""The migration lock: two processes applying migrations at once must not both run one.

Deployments often start several copies of an application at once, each running
``covet migrations apply``. Each vendor has a lock for this:

- **PostgreSQL**: a session advisory lock (``pg_try_advisory_lock(key)``, tried again until
  free), held on one connection of the pool while the migrations run on others.
- **MySQL/MariaDB**: a named lock, ``GET_LOCK('covet_migrations', timeout)``, likewise.
- **SQLite**: no separate lock. Each migration runs in a ``BEGIN IMMEDIATE`` transaction,
  which takes the database's write lock, and the runner checks the history again inside it:
  the second process finds the migration applied and skips it.

Under the lock the runner re-reads the history, so whoever waited sees what the other applied.
"""

from __future__ import annotations

import asyncio
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
    await database.connect()
    async with database.backend.connection() as connection:
        if database.vendor == "postgresql":
            acquired = await _poll_postgresql(connection, wait_seconds)
            release: tuple[str, list[object]] = ("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        else:
            row = await connection.fetch_one("SELECT GET_LOCK(%s, %s)", [LOCK_NAME, wait_seconds])
            acquired = row is not None and row[0] == 1
            release = ("SELECT RELEASE_LOCK(%s)", [LOCK_NAME])
        if not acquired:
            raise MigrationError(
                f"another process has held the migration lock for {wait_seconds:g} s: is a "
                "migration stuck? (the lock is released when that process disconnects)"
            )
        try:
            yield
        finally:
            await connection.execute(*release)


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
