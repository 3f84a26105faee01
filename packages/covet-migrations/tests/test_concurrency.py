"""Two processes applying the same migrations at once: each migration runs exactly once.

Real processes (``python -m covet.migrations apply``) started together on one database. The
first migration pauses, so the second process arrives while the first is still working. A
RunSQL in each later migration logs a row: the log and the history prove who ran what.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from covet.migrations import MigrationError, MigrationRunner, load_migrations
from covet.migrations.locks import migration_lock
from covet.orm.database import Database

MIGRATIONS = {
    "0001_log": """
        import asyncio

        from covet.migrations import Column, CreateTable, RunPython

        async def pause(database):
            await asyncio.sleep(1.5)

        dependencies = []
        operations = [
            CreateTable("log", [Column("id", "AutoField", primary_key=True),
                                Column("note", "CharField", max_length=50)]),
            RunPython(pause),
        ]
    """,
    "0002_first_entry": """
        from covet.migrations import RunSQL

        dependencies = ["0001_log"]
        operations = [RunSQL("INSERT INTO log (note) VALUES ('0002')")]
    """,
    "0003_second_entry": """
        from covet.migrations import RunSQL

        dependencies = ["0002_first_entry"]
        operations = [RunSQL("INSERT INTO log (note) VALUES ('0003')")]
    """,
}


def write_migrations(directory: Path) -> None:
    directory.mkdir()
    for name, source in MIGRATIONS.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source))


async def test_two_processes_apply_each_migration_once(
    database: Database, migrations_dir: Path
) -> None:
    write_migrations(migrations_dir)
    command = [
        "-m",
        "covet.migrations",
        "apply",
        "--dir",
        str(migrations_dir),
        "--database",
        database.url.render(),
    ]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = await asyncio.wait_for(
        asyncio.gather(*(process.communicate() for process in processes)), timeout=120
    )
    outputs = [(out.decode(), err.decode()) for out, err in results]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    notes = await database.fetch_all("SELECT note FROM log ORDER BY id")
    assert [tuple(row) for row in notes] == [("0002",), ("0003",)]
    applied = await MigrationRunner(database, load_migrations(migrations_dir)).applied()
    assert list(applied) == list(MIGRATIONS)
    # Between them the two processes applied each migration once.
    reported = [
        line for out, _ in outputs for line in out.splitlines() if line.startswith("Applied")
    ]
    assert sorted(reported) == [f"Applied {name}" for name in MIGRATIONS]


async def test_the_lock_is_exclusive_and_a_long_wait_gives_up(database: Database) -> None:
    if database.vendor == "sqlite":
        # SQLite's lock is each migration's BEGIN IMMEDIATE: nothing to hold in between.
        async with migration_lock(database), migration_lock(database):
            return
    other = Database(database.url)
    try:
        async with migration_lock(other):
            with pytest.raises(MigrationError, match=r"held the migration lock for 0\.5 s"):
                async with migration_lock(database, wait_seconds=0.5):
                    pass  # pragma: no cover (never reached)
        async with migration_lock(database, wait_seconds=0.5):
            pass  # free again once the other connection let go
    finally:
        await other.disconnect()
