"""PostgreSQL: pg_dump and the checksums read one exported snapshot.

pg_dump alone is already consistent: it dumps inside one REPEATABLE READ
transaction, so it sees the database as it was when that transaction took
its snapshot, whatever commits afterwards. But the manifest's checksums are
read over another connection, which would see another moment.

PostgreSQL can share a snapshot between sessions. This module

1. opens a transaction ``ISOLATION LEVEL REPEATABLE READ, READ ONLY``;
2. runs ``SELECT pg_export_snapshot()``, which names the transaction's snapshot;
3. starts ``pg_dump --snapshot=<name> --format=custom``: pg_dump's transaction
   imports that snapshot (``SET TRANSACTION SNAPSHOT``) instead of taking its own;
4. computes the checksums in its own transaction, meanwhile;
5. keeps that transaction open until pg_dump has finished (an exported snapshot
   can only be imported while the exporting transaction lives), then ends it.

Both therefore read the same committed state: the checksums describe exactly
the rows in the dump, while the application goes on inserting.

Restoring runs ``pg_restore --clean --if-exists --no-owner --no-privileges
--single-transaction``: existing objects of the dump are dropped and
re-created, in one transaction, so a failed restore changes nothing. Owners
and GRANTs are left to the target server (its roles may differ).
"""

from __future__ import annotations

from pathlib import Path

from covet.migrations.backup.checksums import Contents, describe
from covet.migrations.backup.tools import Tool, find_tool, tool_environment
from covet.orm.database import Database
from covet.orm.urls import DatabaseURL

__all__ = ["dump", "load"]


def connection_arguments(url: DatabaseURL) -> list[str]:
    """pg_dump/pg_restore options naming the server, user and database (no password)."""
    arguments = ["--no-password", f"--host={url.host}", f"--port={url.port}"]
    if url.user is not None:
        arguments.append(f"--username={url.user}")
    return [*arguments, f"--dbname={url.database}"]


async def dump(url: DatabaseURL, target: Path) -> Contents:
    """Write a custom-format dump of ``url`` to ``target``; describe the same snapshot."""
    find_tool("pg_dump")  # a missing tool fails before anything else happens
    async with Database(url) as database, database.backend.connection() as connection:
        await connection.begin()
        try:
            await connection.run_control(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
            row = await connection.fetch_one("SELECT pg_export_snapshot()")
            assert row is not None
            pg_dump = Tool(
                "pg_dump",
                [
                    "--format=custom",
                    f"--snapshot={row[0]}",
                    f"--file={target}",
                    *connection_arguments(url),
                ],
                tool_environment(url),
            )
            await pg_dump.start()
            try:
                contents = await describe(connection)
                await pg_dump.finish()  # before the snapshot's transaction ends
            finally:
                await pg_dump.stop()
        finally:
            await connection.rollback()  # read only: nothing to commit
    return contents


async def load(url: DatabaseURL, dump: Path) -> None:
    """Restore the custom-format dump into the database of ``url``, all or nothing."""
    pg_restore = Tool(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *connection_arguments(url),
            str(dump),
        ],
        tool_environment(url),
    )
    await pg_restore.run()
