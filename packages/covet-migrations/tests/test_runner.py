"""The runner on every backend: failures, checksums, targets, --fake, data operations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from covet.migrations import (
    ChecksumMismatchError,
    MigrationError,
    MigrationFailedError,
    MigrationRunner,
    expected_schema,
    introspect,
    load_migrations,
    schema_differences,
    state_after,
)
from covet.orm.database import Database
from covet.orm.dialects import dialect_for

INITIAL = """
from covet.migrations import Column, CreateTable

dependencies = []

operations = [
    CreateTable("author", [Column("id", "AutoField", primary_key=True),
                           Column("name", "CharField", max_length=100)]),
]
"""

FAILING = """
from covet.migrations import AddColumn, Column, CreateTable, RunSQL

dependencies = ["0001_initial"]

operations = [
    CreateTable("extra", [Column("id", "AutoField", primary_key=True)]),
    AddColumn("author", Column("age", "IntegerField", null=True)),
    RunSQL("INSERT INTO no_such_table (x) VALUES (1)"),
]
"""

DATA = """
from covet.migrations import RunPython, RunSQL


async def add_ada(database):
    await database.execute("INSERT INTO author (name) VALUES ('Ada')")


async def remove_ada(database):
    await database.execute("DELETE FROM author WHERE name = 'Ada'")


dependencies = ["0001_initial"]

operations = [
    RunPython(add_ada, remove_ada),
    RunSQL(
        ["INSERT INTO author (name) VALUES ('Bob')"],
        reverse_sql="DELETE FROM author WHERE name = 'Bob'",
    ),
    RunSQL("UPDATE author SET name = name", reverse_sql=RunSQL.NOOP),
]
"""


def write(directory: Path, name: str, source: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def runner(database: Database, directory: Path) -> MigrationRunner:
    return MigrationRunner(database, load_migrations(directory))


async def schema_problems(database: Database, directory: Path, upto: int) -> list[str]:
    described = state_after(load_migrations(directory)[:upto])
    expected = expected_schema(described, await dialect_for(database))
    return schema_differences(expected, await introspect(database))


async def test_a_failing_migration_rolls_back_whole_or_says_what_was_applied(
    database: Database, migrations_dir: Path
) -> None:
    write(migrations_dir, "0001_initial", INITIAL)
    write(migrations_dir, "0002_failing", FAILING)
    with pytest.raises(MigrationFailedError) as failure:
        await runner(database, migrations_dir).apply()
    message = str(failure.value)
    assert "0002_failing failed at operation 3 (Run SQL INSERT INTO no_such_table" in message
    assert list(await runner(database, migrations_dir).applied()) == ["0001_initial"]
    if database.vendor == "mysql":
        assert failure.value.applied == ["Create table extra", "Add column author.age"]
        assert "stay applied: 1. Create table extra; 2. Add column author.age" in message
    else:
        assert failure.value.applied == []
        assert "Rolled back" in message
        # The schema is exactly what 0001 made: no table extra, no column age.
        assert await schema_problems(database, migrations_dir, 1) == []


async def test_an_applied_migration_whose_file_changed_is_refused(
    database: Database, migrations_dir: Path
) -> None:
    path = write(migrations_dir, "0001_initial", INITIAL)
    await runner(database, migrations_dir).apply()
    path.write_text(path.read_text() + "\n# edited\n")
    with pytest.raises(ChecksumMismatchError, match="0001_initial was applied with checksum"):
        await runner(database, migrations_dir).apply()
    with pytest.raises(ChecksumMismatchError, match="must not change"):
        await runner(database, migrations_dir).rollback("zero")


async def test_targets_plans_fake_and_data_operations(
    database: Database, migrations_dir: Path
) -> None:
    write(migrations_dir, "0001_initial", INITIAL)
    write(migrations_dir, "0002_data", DATA)
    run = runner(database, migrations_dir)
    plan = await run.plan()
    assert [step.describe().splitlines()[0] for step in plan] == [
        "Apply 0001_initial",
        "Apply 0002_data",
    ]
    assert "    Run Python add_ada" in plan[1].describe()
    assert [s.migration.name for s in await run.apply("0001")] == ["0001_initial"]
    assert await run.apply("0001_initial") == []
    await run.apply()
    names = await database.fetch_all("SELECT name FROM author ORDER BY name")
    assert [tuple(row) for row in names] == [("Ada",), ("Bob",)]

    backwards = await run.plan("0001", backwards=True)
    assert backwards[0].describe().splitlines()[:2] == [
        "Roll back 0002_data",
        "    Run SQL UPDATE author SET name = name",
    ]
    await run.rollback("0001_initial")
    assert await database.fetch_all("SELECT name FROM author") == []
    assert list(await run.applied()) == ["0001_initial"]

    # --fake records and forgets without running anything.
    await run.apply(fake=True)
    assert await database.fetch_all("SELECT name FROM author") == []
    assert list(await run.applied()) == ["0001_initial", "0002_data"]
    await run.rollback("zero", fake=True)
    assert await run.applied() == {}
    assert "author" in await introspect(database)  # the table was never dropped


async def test_bad_targets_and_irreversible_migrations_are_refused_before_running(
    database: Database, migrations_dir: Path
) -> None:
    write(migrations_dir, "0001_initial", INITIAL)
    write(
        migrations_dir,
        "0002_one_way",
        """
        from covet.migrations import RunPython, RunSQL

        async def noop(database):
            pass

        dependencies = ["0001_initial"]
        operations = [RunSQL("UPDATE author SET name = name"), RunPython(noop)]
        """,
    )
    run = runner(database, migrations_dir)
    with pytest.raises(MigrationError, match="'0009' is not a migration"):
        await run.apply("0009")
    with pytest.raises(MigrationError, match="'0' matches several"):
        await run.apply("0")
    with pytest.raises(MigrationError, match="needs a target"):
        await run.plan(backwards=True)
    await run.apply()
    with pytest.raises(
        MigrationError, match="cannot roll back 0002_one_way: Run SQL UPDATE author"
    ):
        await run.rollback("zero")
    assert list(await run.applied()) == ["0001_initial", "0002_one_way"]
