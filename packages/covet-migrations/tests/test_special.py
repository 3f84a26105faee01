"""RunSQL and RunPython: data operations, and the models inside a migration's transaction."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from covet.migrations import MigrationFailedError, MigrationRunner, introspect, load_migrations
from covet.orm import database as database_module
from covet.orm.database import Database, configure, get_database

SEED = """
from covet.migrations import Column, CreateTable, RunPython
from covet.orm.fields import CharField
from covet.orm.models import Model


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)


async def seed(database):
    # The table was made by the operation before, in the same transaction.
    await Author.objects.create(name="Ada")
    assert await Author.objects.count() == 1


async def unseed(database):
    await Author.objects.filter(name="Ada").delete()


dependencies = []

operations = [
    CreateTable("author", [Column("id", "AutoField", primary_key=True),
                           Column("name", "CharField", max_length=100)]),
    RunPython(seed, unseed),
]
"""

MORE = """
from covet.migrations import RunPython, RunSQL
from covet.orm.fields import CharField
from covet.orm.models import Model


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)


async def add_bob(database):
    await Author.objects.create(name="Bob")


dependencies = ["0001_seed"]

operations = [
    RunPython(add_bob),
    RunSQL("INSERT INTO no_such_table (x) VALUES (1)"),
]
"""


def write_files(directory: Path, sources: dict[str, str]) -> None:
    directory.mkdir()
    for name, source in sources.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source))


async def test_run_python_uses_the_models_on_the_migration_transaction(
    database: Database,
    migrations_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The application configures its own "default", as a real project does: another
    # Database, another pool. The migration's code must not go through it.
    monkeypatch.setattr(database_module, "_databases", {})
    application = configure(database.url.render())
    write_files(migrations_dir, {"0001_seed": SEED, "0002_more": MORE})
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    try:
        await asyncio.wait_for(runner.apply("0001"), timeout=30)
        assert await database.fetch_all("SELECT name FROM author") == [("Ada",)]

        with pytest.raises(MigrationFailedError) as failure:
            await asyncio.wait_for(runner.apply(), timeout=30)
        names = [row[0] for row in await database.fetch_all("SELECT name FROM author")]
        if database.vendor == "mysql":  # no transaction: Bob stays, and the error says so
            assert names == ["Ada", "Bob"]
            assert failure.value.applied == ["Run Python add_bob"]
        else:  # Bob was written in the migration's transaction, and rolled back with it
            assert names == ["Ada"]

        await asyncio.wait_for(runner.rollback("zero"), timeout=30)
        assert await introspect(database) == {}
        assert get_database() is application  # the override ended with the call
    finally:
        await application.disconnect()
