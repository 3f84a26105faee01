"""check: a database that drifted from its migrations is caught, whatever the drift."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from covet.migrations import MigrationError, MigrationRunner, check, load_migrations
from covet.orm.database import Database
from covet.orm.fields import CharField
from covet.orm.models import Model

INITIAL = """
from covet.migrations import Column, CreateTable

dependencies = []
operations = [
    CreateTable("note", [
        Column("id", "AutoField", primary_key=True),
        Column("title", "CharField", max_length=50, index=True),
        Column("slug", "CharField", max_length=50, unique=True),
    ]),
    CreateTable("tag", [Column("id", "AutoField", primary_key=True)]),
]
"""


class Note(Model):
    __tablename__ = "note"
    title = CharField(max_length=50, index=True)
    slug = CharField(max_length=50, unique=True)


class Tag(Model):
    __tablename__ = "tag"


def write_initial(directory: Path) -> None:
    directory.mkdir()
    (directory / "0001_initial.py").write_text(textwrap.dedent(INITIAL))


async def test_drift_in_the_live_schema_is_reported(
    database: Database, migrations_dir: Path
) -> None:
    write_initial(migrations_dir)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply()
    assert await check([Note, Tag], migrations_dir, database) == []
    assert await check([Note], migrations_dir, None) == [
        "models changed without a migration: Drop table tag"
    ]

    q = "`" if database.vendor == "mysql" else '"'
    await database.execute("ALTER TABLE note ADD COLUMN extra INTEGER")
    await database.execute("CREATE TABLE stray (id INTEGER PRIMARY KEY)")
    await database.execute(f"CREATE UNIQUE INDEX note_extra_uq ON note ({q}extra{q})")
    if database.vendor == "mysql":
        await database.execute("DROP INDEX note_title_idx ON note")
        await database.execute("ALTER TABLE note MODIFY COLUMN title VARCHAR(80) NOT NULL")
    else:
        await database.execute("DROP INDEX note_title_idx")
    if database.vendor == "postgresql":
        await database.execute("ALTER TABLE note ALTER COLUMN title TYPE VARCHAR(80)")
        await database.execute("ALTER TABLE note ADD FOREIGN KEY (extra) REFERENCES tag (id)")
    problems = await check([Note, Tag], migrations_dir, database)
    assert "database: table stray: in the database, not in the migrations" in problems
    assert "database: note.extra: in the database, not in the migrations" in problems
    assert "database: note.extra: should not be unique" in problems
    assert "database: note.title: should be indexed" in problems
    if database.vendor != "sqlite":
        assert (
            "database: note.title: expected varchar(50) NOT NULL, "
            "the database has varchar(80) NOT NULL" in problems
        )
    if database.vendor == "postgresql":
        assert (
            "database: note.extra: foreign key expected None, the database has ('tag', 'id')"
            in problems
        )

    await database.execute(
        "DROP TABLE tag" + (" CASCADE" if database.vendor == "postgresql" else "")
    )
    problems = await check([Note, Tag], migrations_dir, database)
    assert "database: table tag: missing from the database" in problems


async def test_a_schema_made_by_hand_and_faked_is_compared(
    database: Database, migrations_dir: Path
) -> None:
    write_initial(migrations_dir)
    await database.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, title VARCHAR(50))")
    await MigrationRunner(database, load_migrations(migrations_dir)).apply(fake=True)
    problems = await check([Note, Tag], migrations_dir, database)
    assert "database: table tag: missing from the database" in problems
    assert "database: note.slug: missing from the database" in problems
    assert "database: note.title: should be indexed" in problems
    assert (
        "database: note.title: expected varchar(50) NOT NULL, "
        "the database has varchar(50) NULL" in problems
    )


async def test_sqlite_refuses_to_commit_dangling_foreign_keys(
    tmp_path: Path, migrations_dir: Path
) -> None:
    # SQLite only: the servers check foreign keys on every statement, SQLite's rebuilds
    # run with the check off, so the runner checks before committing.
    write_initial(migrations_dir)
    (migrations_dir / "0002_dangling.py").write_text(
        textwrap.dedent(
            """
            from covet.migrations import AddColumn, Column, RunSQL

            dependencies = ["0001_initial"]
            operations = [
                AddColumn("note", Column("tag_id", "IntegerField", null=True,
                                         references=("tag", "id"))),
                RunSQL("INSERT INTO note (title, slug, tag_id) VALUES ('a', 'a', 42)"),
            ]
            """
        )
    )
    database = Database(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    try:
        runner = MigrationRunner(database, load_migrations(migrations_dir))
        with pytest.raises(MigrationError, match="foreign keys point nowhere \\(in note\\)"):
            await runner.apply()
        assert list(await runner.applied()) == ["0001_initial"]
        assert await database.fetch_all("SELECT * FROM note") == []
    finally:
        await database.disconnect()
