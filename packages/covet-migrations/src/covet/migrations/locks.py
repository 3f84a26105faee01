"""The migration lock: two processes applying migrations at once must not both run one.

Deployments often start several copies of an application at once, each running
``covet migrations apply``. Each vendor has a lock for this:

- **PostgreSQL**: a session advisory lock, ``pg_advisory_lock(key)``, held on one connection
  of the pool while the migrations run on others; the second process waits in the call.
- **MySQL/MariaDB**: a named lock, ``GET_LOCK('covet_migrations', timeout)``, likewise.
- **SQLite**: no separate lock. Each migration runs in a ``BEGIN IMMEDIATE`` transaction,
  which takes the database's write lock, and the runner checks the history again inside it:
  the second process finds the migration applied and skips it.

Under the lock the runner re-reads the history, so whoever waited sees what the other applied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from covet.migrations.errors import MigrationError
from covet.orm.database import Database

__all__ = ["LOCK_KEY", "LOCK_NAME", "migration_lock"]

#: The advisory lock key on PostgreSQL (any fixed 64-bit number; this one spells "covetmig").
LOCK_KEY = int.from_bytes(b"covetmig", "big") >> 1
#: The named lock on MySQL/MariaDB.
LOCK_NAME = "covet_migrations"


@asynccontextmanager
async def migration_lock(database: Database, *, wait_seconds: int = 600) -> AsyncIterator[None]:
    """Hold the migration lock of ``database`` for the block (waits up to ``wait_seconds``)."""
    if database.vendor == "sqlite":
        yield
        return
    await database.connect()
    async with database.backend.connection() as connection:
        if database.vendor == "postgresql":
            await connection.execute(f"SET lock_timeout = '{int(wait_seconds)}s'")
            await connection.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            release: tuple[str, list[object]] = ("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            await connection.execute("SET lock_timeout = 0")
        else:
            row = await connection.fetch_one("SELECT GET_LOCK(%s, %s)", [LOCK_NAME, wait_seconds])
            if row is None or row[0] != 1:
                raise MigrationError(
                    f"another process has held the migration lock for {wait_seconds} s: "
                    "is a migration stuck? (it is MySQL's named lock 'covet_migrations')"
                )
            release = ("SELECT RELEASE_LOCK(%s)", [LOCK_NAME])
        try:
            yield
        finally:
            await connection.execute(*release)
