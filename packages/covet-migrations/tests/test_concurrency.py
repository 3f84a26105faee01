"""Two processes applying the same migrations at once: each migration runs exactly once.

Real processes (``python -m covet.migrations apply``) started together on one database. The
first migration pauses, so the second process arrives while the first is still working. A
RunSQL in each later migration logs a row: the log and the history prove who ran what.
"""

from __future__ import annotations

import asyncio
import dataclasses
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


def write_migrations(directory: Path, migrations: dict[str, str] = MIGRATIONS) -> None:
    directory.mkdir()
    for name, source in migrations.items():
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


async def test_a_pool_of_one_connection_can_migrate(
    database: Database, migrations_dir: Path
) -> None:
    # The lock has a connection of its own: the one of the pool is left for the migrations.
    write_migrations(migrations_dir, {"0001_log": MIGRATIONS["0001_log"].replace("1.5", "0")})
    url = database.url
    options = {**url.options, "max_size": "1"}
    if database.vendor != "sqlite":
        options.update(min_size="1", pool_timeout="3")
    small = Database(dataclasses.replace(url, options=options))
    try:
        runner = MigrationRunner(small, load_migrations(migrations_dir))
        assert [step.migration.name for step in await asyncio.wait_for(runner.apply(), 60)] == [
            "0001_log"
        ]
    finally:
        await small.disconnect()
