"""SQLite: a consistent copy while the application keeps writing.

Copying the database file with ``cp`` while the application writes can catch
half of a transaction: the copy is then corrupt or inconsistent. SQLite's
*online backup API* (``sqlite3.Connection.backup``) copies the database page
by page through a connection, so it sees what a reader sees: one committed
state. Called with the default ``pages=-1`` it copies every page in a single
step, inside a single read transaction, so the copy is the database at that
one moment. (With small steps, a write by another connection between two
steps makes SQLite restart the copy, and a busy database might never finish.)
In WAL mode, the ORM's default, that read transaction does not stop writers:
they go on appending to the WAL while the copy is made.

The copy is itself a SQLite database, so the manifest's checksums are
computed *from the copy*, after it is made: they describe exactly what the
backup holds, whatever was written to the live database meanwhile.

The copy runs in a worker thread (``asyncio.to_thread``): the sqlite3 module
is blocking, and the event loop must keep serving the application.

Restoring is the same API the other way: the copy is backed up *into* the
target file, replacing its contents in one transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from covet.migrations.backup.checksums import Contents, describe
from covet.migrations.backup.errors import BackupError
from covet.orm.database import Database
from covet.orm.urls import DatabaseURL

__all__ = ["dump", "load"]


async def dump(url: DatabaseURL, target: Path) -> Contents:
    """Copy the database of ``url`` into the file ``target``; describe the copy."""
    source = _path(url)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    await asyncio.to_thread(_copy, source, target)
    # Described through the ORM, like the restored database will be: same code, same values.
    copy = Database(DatabaseURL("sqlite", path=str(target)))
    async with copy, copy.backend.connection() as connection:
        return await describe(connection)


async def load(url: DatabaseURL, dump: Path) -> None:
    """Replace the contents of the database of ``url`` with the copy ``dump``."""
    target = _path(url)
    if not target.parent.is_dir():
        raise BackupError(f"cannot restore into {target}: the directory does not exist")
    await asyncio.to_thread(_copy, dump, target)


def _path(url: DatabaseURL) -> Path:
    if url.is_memory:
        raise BackupError(
            "an in-memory SQLite database lives inside one process; back up a database file"
        )
    return Path(str(url.path))


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` with the online backup API, in one step."""
    try:
        reader = sqlite3.connect(source)
        try:
            writer = sqlite3.connect(target)
            try:
                reader.backup(writer)  # pages=-1: everything, in one read transaction
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup from {source} to {target} failed: {error}") from None
