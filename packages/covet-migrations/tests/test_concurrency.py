"""Two processes applying the same migrations at once: each migration runs exactly once.

Real processes (``python -m covet.migrations apply``) on one database, made to overlap for
certain. Migration 0001 holds process A inside it (a RunPython that waits for a file); the
test starts process B only then, waits until B is seen waiting for the lock (MariaDB: its
``GET_LOCK`` in the process list; PostgreSQL: its polling of the advisory lock; SQLite: B has
loaded the migrations and is left a moment to reach ``BEGIN IMMEDIATE``), and only then lets
A go. A RunSQL in each later migration logs a row: the log and the history prove who ran what.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from covet.migrations import MigrationError, MigrationRunner, load_migrations
from covet.migrations.locks import migration_lock
from covet.migrations.state import ProjectState
from covet.orm.database import Database

MIGRATIONS = {
    "0001_log": """
        import asyncio
        import os
        import time
        from pathlib import Path

        from covet.migrations import Column, CreateTable, RunPython

        MARKERS = Path(__file__).parent.parent / "markers"
        (MARKERS / f"loaded_{os.getpid()}").write_text(str(time.time()))

        async def pause(database):
            # Inside the migration (and the lock): say so, then wait to be let go.
            (MARKERS / f"holding_{os.getpid()}").write_text(str(time.time()))
            for _ in range(600):
                if (MARKERS / "release").exists():
                    return
                await asyncio.sleep(0.1)

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


#: Migration 0001 alone, without its pause.
UNPAUSED = {"0001_log": MIGRATIONS["0001_log"].replace("range(600)", "range(0)")}


def write_migrations(directory: Path, migrations: dict[str, str] = MIGRATIONS) -> None:
    directory.mkdir()
    (directory.parent / "markers").mkdir(exist_ok=True)
    for name, source in migrations.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source))


def markers(directory: Path, kind: str) -> dict[int, float]:
    """pid -> time of each ``<kind>_<pid>`` marker the migration files wrote."""
    return {
        int(path.name.rsplit("_", 1)[1]): float(path.read_text() or 0)
        for path in (directory.parent / "markers").glob(f"{kind}_*")
    }


async def someone_waits_for_the_lock(database: Database) -> bool:
    """Whether a session other than the holder's is at the migration lock (servers only)."""
    if database.vendor == "mysql":  # a GET_LOCK still running: it waits
        row = await database.fetch_one(
            "SELECT COUNT(*) FROM information_schema.processlist "
            "WHERE db = DATABASE() AND info LIKE 'SELECT GET_LOCK%'"
        )
        return row is not None and int(row[0]) >= 1
    # The holder's last query and the poller's (pg_try_advisory_lock, every 0.2 s).
    row = await database.fetch_one(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND query LIKE 'SELECT pg_try_advisory_lock%'"
    )
    return row is not None and int(row[0]) >= 2


async def wait_until(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def test_two_processes_apply_each_migration_once(
    database: Database, migrations_dir: Path
) -> None:
    write_migrations(migrations_dir)
    url = database.url
    if database.vendor == "sqlite":  # B waits in BEGIN IMMEDIATE: give it time
        url = dataclasses.replace(url, options={**url.options, "timeout": "60"})
    command = ["-m", "covet.migrations", "apply", "--dir", str(migrations_dir)]
    command += ["--database", url.render()]

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    async def holding() -> bool:
        return bool(markers(migrations_dir, "holding"))

    first = await start()
    await wait_until(holding, "process A to be inside 0001")
    second = await start()

    async def second_at_the_lock() -> bool:
        if second.pid not in markers(migrations_dir, "loaded"):
            return False
        if database.vendor == "sqlite":
            await asyncio.sleep(1)  # from loading to BEGIN IMMEDIATE: no catalog shows it
            return True
        return await someone_waits_for_the_lock(database)

    try:
        await wait_until(second_at_the_lock, "process B to wait for the lock")
        released = time.time()
        (migrations_dir.parent / "markers" / "release").write_text("")
        results = await asyncio.wait_for(
            asyncio.gather(first.communicate(), second.communicate()), timeout=120
        )
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.kill()
                await process.wait()
    outputs = [(out.decode(), err.decode()) for out, err in results]
    for process, (_, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
    # B was there while A held the migration, and never ran it: it waited, then skipped it.
    assert markers(migrations_dir, "loaded")[second.pid] < released
    assert list(markers(migrations_dir, "holding")) == [first.pid]
    assert "Applied 0001_log" in outputs[0][0]
    assert "Applied 0001_log" not in outputs[1][0]
    notes = await database.fetch_all("SELECT note FROM log ORDER BY id")
    assert [tuple(row) for row in notes] == [("0002",), ("0003",)]
    applied = await MigrationRunner(database, load_migrations(migrations_dir)).applied()
    assert list(applied) == list(MIGRATIONS)
    # Between them the two processes applied each migration once.
    reported = [
        line for out, _ in outputs for line in out.splitlines() if line.startswith("Applied")
    ]
    assert sorted(reported) == [f"Applied {name}" for name in MIGRATIONS]


SERVERS = [
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


# SQLite has no lock to hold (each migration's BEGIN IMMEDIATE is its lock): the two-process
# test above and the next one prove what it does.
@pytest.mark.parametrize("vendor", SERVERS)
async def test_the_lock_is_exclusive_and_a_long_wait_gives_up(database: Database) -> None:
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
    write_migrations(migrations_dir, UNPAUSED)
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


async def test_a_step_another_process_did_meanwhile_is_skipped(
    database: Database, migrations_dir: Path
) -> None:
    # The history is read again where the step runs (inside SQLite's BEGIN IMMEDIATE, under
    # the lock elsewhere): a plan made before another runner applied it does not run twice.
    write_migrations(migrations_dir, UNPAUSED)
    late = MigrationRunner(database, load_migrations(migrations_dir))
    (step,) = await late.plan()
    other = Database(database.url)
    try:
        await MigrationRunner(other, load_migrations(migrations_dir)).apply()
    finally:
        await other.disconnect()
    async with late._working_database() as working:
        assert await late._run_step(working, step, ProjectState(), fake=False) is False
    assert list(await late.applied()) == ["0001_log"]
    assert len(markers(migrations_dir, "holding")) == 1  # the other one ran it, once
