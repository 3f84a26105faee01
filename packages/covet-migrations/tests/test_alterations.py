"""Every kind of column and table change, forwards then backwards, on every backend.

Hand-written migrations change types, nullability, unique constraints, foreign keys and
indexes, rename columns (with their index, constraint or key) and a table, and drop columns.
After each step, forwards and backwards, the live schema must be exactly what the migrations
describe, and the rows must still be there (on SQLite most of these are table rebuilds).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from covet.migrations import (
    DropColumn,
    MigrationError,
    MigrationRunner,
    ProjectState,
    check,
    expected_schema,
    introspect,
    load_migrations,
    make_migration,
    schema_differences,
    state_after,
    state_from_models,
)
from covet.orm.database import Database
from covet.orm.dialects import dialect_for
from covet.orm.errors import IntegrityError
from covet.orm.fields import CharField, IntegerField
from covet.orm.models import Model
from covet.orm.relations import CASCADE, PROTECT, ForeignKey

IMPORTS = (
    "from covet.migrations import AddIndex, AlterColumn, Column, CreateTable, DropColumn, "
    "DropIndex, RenameColumn, RenameTable\n"
)

STEPS = {
    "0001_tables": """
        operations = [
            CreateTable("team", [Column("id", "AutoField", primary_key=True),
                                 Column("name", "CharField", max_length=50, unique=True),
                                 Column("city", "CharField", max_length=30, null=True,
                                        index=True)]),
            CreateTable("player", [
                Column("id", "AutoField", primary_key=True),
                Column("name", "CharField", max_length=50, index=True),
                Column("score", "IntegerField", null=True),
                Column("team_id", "IntegerField", null=True, references=("team", "id"),
                       on_delete="SET_NULL"),
            ]),
        ]
    """,
    "0002_loosen": """
        operations = [
            AlterColumn("player", Column("name", "CharField", max_length=120, index=True)),
            AlterColumn("player", Column("score", "BigIntegerField", default=0)),
            AlterColumn("team", Column("name", "CharField", max_length=50)),
            AlterColumn("player", Column("team_id", "IntegerField", null=True)),
        ]
    """,
    "0003_tighten": """
        operations = [
            AlterColumn("team", Column("name", "CharField", max_length=50, unique=True)),
            AlterColumn("player", Column("team_id", "IntegerField", null=True,
                                         references=("team", "id"), on_delete="CASCADE")),
            AddIndex("player", "score"),
        ]
    """,
    "0004_renames": """
        operations = [
            RenameColumn("player", "name", "nickname"),
            RenameColumn("player", "team_id", "club_id"),
            RenameColumn("team", "name", "title"),
            RenameTable("team", "club"),
        ]
    """,
    "0005_drops": """
        operations = [
            DropIndex("player", "nickname"),
            DropColumn("player", "score"),
            DropColumn("player", "club_id"),
        ]
    """,
}


SchemaAfter = Callable[[int], Awaitable[None]]


@pytest.fixture
def schema_after(
    migrations_dir: Path, schema_drift: Callable[[ProjectState], Awaitable[list[str]]]
) -> SchemaAfter:
    """``await schema_after(n)``: the live schema is what the first ``n`` migrations describe."""

    async def matches(upto: int) -> None:
        described = state_after(load_migrations(migrations_dir)[:upto])
        assert await schema_drift(described) == [], f"after {upto}"

    return matches


async def test_alterations_forwards_and_backwards_keep_rows(
    database: Database,
    migrations_dir: Path,
    write_chain: Callable[[str, dict[str, str]], None],
    schema_after: SchemaAfter,
) -> None:
    write_chain(IMPORTS, STEPS)
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    p = "?" if database.paramstyle == "qmark" else "%s"

    await runner.apply("0001")
    await schema_after(1)
    await database.execute(f"INSERT INTO team (name) VALUES ({p})", ["Owls"])
    await database.execute(
        f"INSERT INTO player (name, score, team_id) VALUES ({p}, {p}, {p})", ["Ann", None, 1]
    )
    for upto in range(2, 6):
        await runner.apply(list(STEPS)[upto - 1])
        await schema_after(upto)
        table = "club" if upto >= 4 else "team"
        column = "title" if upto >= 4 else "name"
        assert await database.fetch_all(f"SELECT {column} FROM {table}") == [("Owls",)]
        player = "nickname" if upto >= 4 else "name"
        assert await database.fetch_all(f"SELECT {player} FROM player") == [("Ann",)]
        if upto == 2:  # the NULL score became the default when the column became NOT NULL
            assert await database.fetch_all("SELECT score FROM player") == [(0,)]
    for upto in range(4, -1, -1):
        target = list(STEPS)[upto - 1] if upto else "zero"
        await runner.rollback(target)
        await schema_after(upto)
        if upto:
            player = "nickname" if upto >= 4 else "name"
            assert await database.fetch_all(f"SELECT {player} FROM player") == [("Ann",)]
        if upto == 4:
            scores = await database.fetch_all("SELECT score, club_id FROM player")
            assert [tuple(row) for row in scores] == [(0, None)]  # dropped, then made again


def book_model(target: type[Model], **options: object) -> type[Model]:
    """A fresh ``Book`` model whose ``author`` key takes ``options`` (on_delete, null...)."""

    class Book(Model):
        __tablename__ = "book"
        title = CharField(max_length=100)
        author = ForeignKey(target, **options)  # type: ignore[arg-type]

    return Book


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)


async def test_an_on_delete_change_alone_is_applied_and_checked(
    database: Database, migrations_dir: Path, schema_after: SchemaAfter
) -> None:
    make_migration([Author, book_model(Author, on_delete=CASCADE)], migrations_dir)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply()
    protected = [Author, book_model(Author, on_delete=PROTECT)]
    # Introspection reads the rule: the database still CASCADEs, the models say PROTECT.
    assert await check(protected, migrations_dir, database) == [
        "models changed without a migration: Alter column book.author_id"
    ]
    drift = schema_differences(
        expected_schema(state_from_models(protected), await dialect_for(database)),
        await introspect(database),
    )
    assert drift == [
        "book.author_id: foreign key expected ('author', 'id', 'RESTRICT'), "
        "the database has ('author', 'id', 'CASCADE')"
    ]

    make_migration(protected, migrations_dir)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply()
    assert await check(protected, migrations_dir, database) == []
    p = "?" if database.paramstyle == "qmark" else "%s"
    await database.execute(f"INSERT INTO author (name) VALUES ({p})", ["Ada"])
    await database.execute(f"INSERT INTO book (title, author_id) VALUES ({p}, {p})", ["N", 1])
    if database.vendor == "sqlite":
        await database.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(IntegrityError):
        await database.execute("DELETE FROM author")
    assert len(await database.fetch_all("SELECT id FROM book")) == 1

    await MigrationRunner(database, load_migrations(migrations_dir)).rollback("0001")
    await schema_after(1)  # CASCADE again


DROPS = {
    "0001_author": """
        operations = [
            CreateTable("author", [Column("id", "AutoField", primary_key=True),
                                   Column("name", "CharField", max_length=50),
                                   Column("nick", "CharField", max_length=50)]),
        ]
    """,
    "0002_drop_nick": """
        operations = [DropColumn("author", "nick")]
    """,
    "0003_drop_name": """
        operations = [DropColumn("author", "name", reverse_default="(unknown)")]
    """,
}


async def test_dropping_a_not_null_column_without_default_rolls_back_only_with_a_value(
    database: Database,
    migrations_dir: Path,
    write_chain: Callable[[str, dict[str, str]], None],
    schema_after: SchemaAfter,
) -> None:
    write_chain(IMPORTS, DROPS)
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    await runner.apply("0001")
    p = "?" if database.paramstyle == "qmark" else "%s"
    await database.execute(f"INSERT INTO author (name, nick) VALUES ({p}, {p})", ["Ada", "a"])
    await runner.apply()
    await schema_after(3)

    # reverse_default gives the rows a value for the NOT NULL column that comes back.
    await runner.rollback("0002")
    await schema_after(2)
    assert await database.fetch_all("SELECT id, name FROM author") == [(1, "(unknown)")]

    # Without one, the rollback is refused before anything runs (MySQL would store '').
    with pytest.raises(MigrationError) as refused:
        await runner.rollback("0001")
    assert str(refused.value) == (
        "cannot roll back 0002_drop_nick: Drop column author.nick cannot be undone: the "
        "column is NOT NULL and has no default, so its rows would get no value back (give it "
        'one: DropColumn("author", "nick", reverse_default=...))'
    )
    assert list(await runner.applied()) == ["0001_author", "0002_drop_nick"]
    await schema_after(2)


def test_drop_column_renders_its_reverse_default() -> None:
    assert DropColumn("a", "b").render() == 'DropColumn("a", "b")'
    assert DropColumn("a", "b", reverse_default="x").render() == (
        'DropColumn("a", "b", reverse_default="x")'
    )


async def test_a_foreign_key_column_gains_and_loses_an_index_and_rolls_back(
    database: Database, migrations_dir: Path, schema_after: SchemaAfter
) -> None:
    # On MariaDB the foreign key uses the column's index: dropping it needs the key remade.
    p = "?" if database.paramstyle == "qmark" else "%s"
    steps = [(False, False), (True, False), (True, True), (True, False)]
    for number, (null, index) in enumerate(steps, 1):
        models = [Author, book_model(Author, on_delete=CASCADE, null=null, index=index)]
        make_migration(models, migrations_dir)
        await MigrationRunner(database, load_migrations(migrations_dir)).apply()
        assert await check(models, migrations_dir, database) == []
        if number == 1:
            await database.execute(f"INSERT INTO author (name) VALUES ({p})", ["Ada"])
            await database.execute(
                f"INSERT INTO book (title, author_id) VALUES ({p}, {p})", ["Notes", 1]
            )
    runner = MigrationRunner(database, load_migrations(migrations_dir))
    for upto in (3, 2, 1):
        await runner.rollback(f"000{upto}")
        await schema_after(upto)
        assert await database.fetch_all("SELECT title, author_id FROM book") == [("Notes", 1)]
    await runner.rollback("zero")
    assert await introspect(database) == {}


async def test_a_sqlite_rebuild_keeps_the_autoincrement_counter(
    database: Database, migrations_dir: Path
) -> None:
    # A key deleted before a change is never handed out again (on SQLite, a rebuild).
    class Ranked(Model):
        __tablename__ = "author"
        name = CharField(max_length=100)
        rank = IntegerField(default=0)

    p = "?" if database.paramstyle == "qmark" else "%s"
    make_migration([Author], migrations_dir)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply()
    for name in ("a", "b", "c"):
        await database.execute(f"INSERT INTO author (name) VALUES ({p})", [name])
    await database.execute("DELETE FROM author WHERE id = 3")
    make_migration([Ranked], migrations_dir)
    await MigrationRunner(database, load_migrations(migrations_dir)).apply()
    await database.execute(f"INSERT INTO author (name, rank) VALUES ({p}, 0)", ["d"])
    rows = await database.fetch_all("SELECT id, name FROM author ORDER BY id")
    assert rows == [(1, "a"), (2, "b"), (4, "d")]
    # Empty tables too: every key is gone, the counter stays.
    await database.execute("DELETE FROM author")
    await MigrationRunner(database, load_migrations(migrations_dir)).rollback("0001")
    await database.execute(f"INSERT INTO author (name) VALUES ({p})", ["e"])
    assert await database.fetch_all("SELECT id FROM author") == [(5,)]
