"""MySQL and MariaDB: mysqldump's snapshot and the checksums', opened under one lock.

``mysqldump --single-transaction`` is consistent on its own: it runs ``START
TRANSACTION WITH CONSISTENT SNAPSHOT`` and dumps every InnoDB table from that
snapshot, without locking out writers. The difficulty is the manifest's
checksums: unlike PostgreSQL, MySQL cannot hand a snapshot to another session,
so they are read in a transaction of their own, which must start from exactly
the same committed state as mysqldump's.

The technique is the one ``mysqldump --master-data`` uses to pair its snapshot
with a binary-log position: stop commits for the instant both snapshots are
taken.

1. Connection L runs ``FLUSH TABLES WITH READ LOCK``. From then on no
   transaction can commit (writers wait; readers go on).
2. Connection C runs ``START TRANSACTION WITH CONSISTENT SNAPSHOT``: the state
   it sees is "everything committed before step 1".
3. mysqldump starts, with ``--verbose``. Its own START TRANSACTION sees the same
   state, because nothing can commit until the lock goes.
4. L waits until mysqldump's snapshot is open, then runs ``UNLOCK TABLES``;
   writers resume, invisible to both snapshots.
5. C computes the checksums while mysqldump dumps; C's transaction ends.

How does step 4 know mysqldump's snapshot is open? mysqldump prints
``-- Starting transaction...`` on stderr just *before* it sends START
TRANSACTION, and its next verbose line (``-- Setting savepoint...``,
``-- Retrieving table structure...``) only once that statement returned. So
the first stderr line after ``-- Starting transaction...`` proves the
snapshot exists; if mysqldump ends first (stderr closes), its snapshot was
necessarily taken under the lock too. Writers wait only for that instant, not
for the whole dump. (A mysqldump that never printed that line would keep the
lock until it ends: still consistent, only harder on writers.)

The lock needs the RELOAD privilege, and waits for statements already running
(a long SELECT delays it, and writers queue behind it meanwhile). Only InnoDB
tables are consistent under --single-transaction; MyISAM tables are not.

Restoring pipes the SQL file into the ``mysql`` client. mysqldump's output
drops and re-creates each table (foreign-key checks off while loading) and
dumps TIMESTAMP values in UTC (``--tz-utc``, on by default).
"""

from __future__ import annotations

from pathlib import Path

from covet.migrations.backup.checksums import Contents, describe
from covet.migrations.backup.errors import BackupError
from covet.migrations.backup.tools import Tool, tool_environment
from covet.orm.backends import Connection
from covet.orm.database import Database
from covet.orm.errors import DatabaseError
from covet.orm.urls import DatabaseURL

__all__ = ["dump", "load"]

#: What mysqldump --verbose prints right before it opens its snapshot.
STARTING_TRANSACTION = "-- Starting transaction"


def connection_arguments(url: DatabaseURL) -> list[str]:
    """mysqldump/mysql options naming the server and user (the password goes by MYSQL_PWD)."""
    return [
        f"--host={url.host}",
        f"--port={url.port}",
        f"--user={url.user or 'root'}",
        "--default-character-set=utf8mb4",
    ]


def snapshot_is_open(stderr_lines: list[str]) -> bool:
    """Whether mysqldump printed a line after "-- Starting transaction" (see above)."""
    for number, line in enumerate(stderr_lines):
        if line.startswith(STARTING_TRANSACTION):
            return number + 1 < len(stderr_lines)
    return False


async def dump(url: DatabaseURL, target: Path) -> Contents:
    """Write mysqldump's SQL for ``url`` to ``target``; describe the same snapshot."""
    # Made first: a missing mysqldump fails here, before anything is locked.
    mysqldump = Tool(
        "mysqldump",
        [
            "--single-transaction",
            "--verbose",
            "--hex-blob",
            "--no-tablespaces",
            *connection_arguments(url),
            str(url.database),
        ],
        tool_environment(url),
    )
    async with (
        Database(url) as database,
        database.backend.connection() as lock,
        database.backend.connection() as reader,
    ):
        try:
            with target.open("wb") as output:
                await _lock_commits(lock)
                try:
                    await reader.run_control("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    await reader.run_control(
                        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"
                    )
                    reader.in_transaction = True
                    await mysqldump.start(stdout=output.fileno())
                    await mysqldump.wait_for_stderr(snapshot_is_open)
                finally:
                    await lock.run_control("UNLOCK TABLES")
                contents = await describe(reader)
                await mysqldump.finish()
        finally:
            await mysqldump.stop()
            await reader.rollback()
    return contents


async def _lock_commits(lock: Connection) -> None:
    try:
        await lock.run_control("FLUSH TABLES WITH READ LOCK")
    except DatabaseError as error:
        raise BackupError(
            f"FLUSH TABLES WITH READ LOCK was refused ({error}): a consistent backup pauses "
            "commits for an instant, which needs the RELOAD privilege"
        ) from error


async def load(url: DatabaseURL, dump: Path) -> None:
    """Run the SQL file ``dump`` against the database of ``url`` with the mysql client."""
    mysql = Tool("mysql", [*connection_arguments(url), str(url.database)], tool_environment(url))
    with dump.open("rb") as source:
        await mysql.run(stdin=source.fileno())
